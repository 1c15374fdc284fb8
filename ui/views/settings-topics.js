// Settings' "Your topics" card (issue 27): the things the owner wants counted beside the
// built-in ones ("the new menu", "parking", "Sarah's class"), each with the words that mean it.
// Saving tags the business's reviews again, with progress; the dashboard then counts, trends and
// alerts on the topic like the built-in ones. Names and words are the owner's own text and are
// always set as text.

import * as api from '../api.js';
import { h, mount } from '../dom.js';
import { showNotice } from '../components/notice.js';
import { confirmDialog } from '../components/confirm.js';
import { changeText, splitWords, taggingText } from '../topics-logic.js';

const field = (id, label, control, help) => h('div', { class: 'field' },
  h('label', { for: id }, label), control, help ? h('p', { class: 'muted field-help' }, help) : null);

/** The card; `businesses` are the owner's own (competitors get no topics of their own here). */
export function topicsCard(businesses) {
  const body = h('div', { id: 'topic-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const progress = h('p', { id: 'topic-progress', class: 'muted', role: 'status', 'aria-live': 'polite' });
  const name = h('input', { id: 'topic-name', type: 'text', autocomplete: 'off', placeholder: 'e.g. the new menu', maxlength: '80' });
  const words = h('input', { id: 'topic-words', type: 'text', autocomplete: 'off', placeholder: 'new menu, seasonal menu, menu' });
  const business = h('select', { id: 'topic-business' },
    businesses.map((b) => h('option', { value: String(b.id) }, b.name)));
  const save = h('button', { class: 'btn btn-primary', type: 'submit', id: 'topic-save' }, 'Add topic');
  const cancel = h('button', { class: 'btn', type: 'button', id: 'topic-cancel', hidden: true }, 'Cancel');
  let editing = null;

  const startEdit = (t) => {
    editing = t;
    name.value = t.name;
    words.value = t.words.join(', ');
    business.value = String(t.business_id);
    business.disabled = true;
    save.textContent = 'Save topic';
    cancel.hidden = false;
    name.focus();
  };
  const stopEdit = () => {
    editing = null;
    name.value = '';
    words.value = '';
    business.disabled = false;
    save.textContent = 'Add topic';
    cancel.hidden = true;
  };
  cancel.addEventListener('click', stopEdit);

  const reload = async () => {
    try {
      const { topics } = await api.listTopics();
      const own = new Set(businesses.map((b) => b.id));
      const mine = topics.filter((t) => own.has(t.business_id));
      const nameOf = (id) => businesses.find((b) => b.id === id)?.name ?? '';
      mount(body, mine.length
        ? h('ul', { class: 'topic-items' }, mine.map((t) => h('li', { class: 'topic-item', dataset: { topic: String(t.id) } },
          h('div', { class: 'topic-text' },
            h('strong', { class: 'topic-name' }, t.name),
            businesses.length > 1 ? h('span', { class: 'muted' }, ` · ${nameOf(t.business_id)}`) : null,
            h('span', { class: 'muted topic-words' }, t.words.length ? t.words.join(', ') : 'its name only')),
          h('div', { class: 'topic-actions' },
            h('button', { class: 'btn btn-small topic-edit', type: 'button', onclick: () => startEdit(t) }, 'Edit'),
            h('button', {
              class: 'btn btn-small btn-danger topic-remove', type: 'button',
              onclick: async () => {
                const ok = await confirmDialog({
                  title: `Remove “${t.name}”?`,
                  text: 'Its counts go from the dashboard. Your reviews stay as they are.',
                  yes: 'Remove',
                });
                if (!ok) return;
                try {
                  showNotice(changeText(await api.removeTopic(t.id), 'Removed'));
                  if (editing?.id === t.id) stopEdit();
                  await reload();
                } catch (e) {
                  showNotice(`Not removed: ${e.message}`, { kind: 'error' });
                }
              },
            }, 'Remove')))))
        : h('p', { class: 'muted' }, 'No topics of your own yet.'));
    } catch (e) {
      mount(body, h('p', { class: 'warn-text' }, `Your topics could not be read: ${e.message}`));
    }
  };

  const form = h('form', {
    class: 'form', id: 'topic-form',
    onsubmit: async (e) => {
      e.preventDefault();
      const label = save.textContent;
      save.disabled = true;
      save.textContent = 'Saving…';
      try {
        const change = await api.saveTopic({
          business: editing ? editing.business_id : Number(business.value),
          id: editing?.id ?? null,
          name: name.value.trim(),
          words: splitWords(words.value).join(','),
        }, (p) => { progress.textContent = taggingText(p); });
        progress.textContent = '';
        showNotice(changeText(change, editing ? 'Saved' : 'Added'));
        stopEdit();
        await reload();
      } catch (err) {
        progress.textContent = '';
        // What the owner typed stays in the form.
        showNotice(`Not saved: ${err.message}`, { kind: 'error' });
        save.textContent = label;
      } finally {
        save.disabled = false;
        if (save.textContent === 'Saving…') save.textContent = editing ? 'Save topic' : 'Add topic';
      }
    },
  },
  h('div', { class: 'grid-2' },
    field('topic-name', 'Topic', name),
    businesses.length > 1 ? field('topic-business', 'For', business) : null),
  field('topic-words', 'Words or phrases that mean it', words,
    'Separated by commas, in any language. Capitals and accents don’t matter, and “menu” also finds “menus”.'),
  progress,
  h('div', { class: 'actions' }, cancel, save));

  if (businesses.length) reload();
  return h('section', { class: 'card settings-card', id: 'topics', 'aria-labelledby': 'topics-title' },
    h('h2', { id: 'topics-title' }, 'Your topics'),
    h('p', { class: 'muted settings-intro' },
      'Name what you want to hear about — a new menu, parking, a class — and Earshot counts it on the dashboard and warns you when complaints about it surge.'),
    businesses.length ? [body, form] : h('p', { class: 'muted' }, 'Add your business first.'));
}
