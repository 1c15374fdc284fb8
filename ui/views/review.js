// One review: its full text, revisions, the thread of replies, the customer's earlier reviews,
// and beside it the reply composer — templates, a coach that checks the draft as it is typed,
// drafts that save themselves, and Post (where the platform has a reply API) or Copy and open.
//
// `#review/123` opens it; `#review/123/reply` puts the cursor in the draft.

import * as api from '../api.js';
import { h, mount } from '../dom.js';
import {
  authorName, formatDateTime, formatRating, formatWhen, linkTarget, platformLabel,
} from '../format.js';
import {
  composerActions, describeReply, earlierTexts, editableReply, lengthLabel,
} from '../composer-logic.js';
import { stars } from '../components/stars.js';
import { kindWord, sentimentWords } from '../words.js';
import { announce, showNotice } from '../components/notice.js';
import { newWarnings } from '../a11y-logic.js';
import { confirmDialog } from '../components/confirm.js';
import { followLink } from '../components/open-link.js';
import { followUpPanel } from './follow-up.js';

const CHECK_DELAY_MS = 300;
const SAVE_DELAY_MS = 800;

function link(platform, url, text) {
  const target = linkTarget(platform, url);
  if (!target) return null;
  return h('a', {
    class: 'link', href: target.url, title: target.url,
    onclick: (e) => { e.preventDefault(); followLink(target).catch(() => {}); },
  }, text);
}

function sentimentTag(r) {
  if (!r.sentiment_label) return h('span', { class: 'tag' }, 'Not judged');
  // The word is what the owner reads; the model's score is there on hover for the curious.
  const { text, hint } = sentimentWords(r.sentiment_label, r.sentiment);
  return h('span', { class: `sentiment sentiment-${r.sentiment_label}`, title: hint }, text);
}

function reviewPanel(d) {
  const r = d.review;
  return h('article', { class: 'card review-full', id: 'review-full', dataset: { id: String(r.id) } },
    h('header', { class: 'review-head' },
      r.rating !== null ? stars(r.rating) : h('span', { class: 'tag tag-mention' }, kindWord('mention', { capital: true })),
      h('span', { class: 'review-author' }, authorName(r.author)),
      h('span', { class: 'review-meta' },
        platformLabel(r.platform), ' · ',
        h('time', { datetime: r.created_at, title: formatDateTime(r.created_at) }, formatWhen(r.created_at)),
        ' · ', r.business)),
    r.title ? h('h2', { class: 'review-title' }, r.title) : null,
    h('p', { class: 'review-body review-body-full', id: 'review-text' }, r.body),
    h('div', { class: 'review-facts' },
      h('span', { class: 'muted' }, 'Sentiment '), sentimentTag(r),
      d.aspects.length ? h('span', { class: 'muted' }, ' · Talks about ') : null,
      d.aspects.map(([a, score]) => h('span', {
        class: `chip ${score < -0.05 ? 'chip-neg' : score > 0.05 ? 'chip-pos' : ''}`,
        title: score < -0.05 ? 'said negatively' : score > 0.05 ? 'said positively' : 'mentioned',
      }, a)),
      r.removed ? h('span', { class: 'tag' }, 'Removed from the platform') : null,
      r.updated_at ? h('span', { class: 'muted' }, ` · edited ${formatWhen(r.updated_at)}`) : null,
      link(r.platform, r.url, `View on ${platformLabel(r.platform)}`)),
    d.revisions.length ? h('details', { class: 'revisions', id: 'revisions' },
      h('summary', null, `Earlier versions (${d.revisions.length})`),
      d.revisions.map((v) => h('div', { class: 'revision' },
        h('p', { class: 'muted' },
          v.rating !== null ? `${formatRating(v.rating)} ★ · ` : '',
          'as it read until ', formatDateTime(v.recorded_at)),
        v.title ? h('strong', null, v.title) : null,
        h('p', { class: 'review-body' }, v.body)))) : null);
}

/** Edit in place: the posted text in a box, Save sends it through the outbox. */
function replyEditor(d, x, ctx, body) {
  const r = d.review;
  const box = h('textarea', {
    class: 'reply-input reply-edit-input', rows: '6', spellcheck: 'true',
    'aria-label': `New text of your reply to ${authorName(r.author)}`,
  });
  // After a refused edit the new text waits in the draft: start from it, not from the old text.
  box.value = x.last_error && d.draft ? d.draft.body : x.body;
  const counter = h('span', { class: 'muted' });
  const showLength = () => {
    const l = lengthLabel(box.value, d.limit);
    counter.textContent = l.text;
    counter.title = l.note ?? '';
    counter.classList.toggle('over', l.over);
  };
  box.addEventListener('input', showLength);
  showLength();
  const save = h('button', {
    class: 'btn btn-primary btn-small reply-edit-save', type: 'button',
    onclick: async () => {
      if (!box.value.trim()) { showNotice('The reply cannot be empty.', { kind: 'error' }); return; }
      if (box.value.trim() === x.body.trim()) { close(); return; }
      save.disabled = true;
      save.setAttribute('aria-busy', 'true');
      try {
        // One key per click: a double click or a retry never sends the edit twice.
        await api.editReply(r.id, box.value, `ui-edit-${x.id}-${Date.now()}`);
        showNotice(`Reply updated on ${platformLabel(r.platform)}.`);
      } catch (e) {
        showNotice(`The reply was not changed. ${e.message} Your new text is kept as the draft.`, { kind: 'error' });
      }
      ctx.refresh();
    },
  }, 'Save edit');
  const editor = h('div', { class: 'reply-edit' },
    box,
    h('div', { class: 'composer-meta' }, counter),
    h('div', { class: 'actions' }, save,
      h('button', { class: 'btn btn-small btn-quiet', type: 'button', onclick: () => close() }, 'Cancel')));
  function close() { editor.replaceWith(body); }
  body.replaceWith(editor);
  requestAnimationFrame(() => box.focus());
}

function threadPanel(d, ctx) {
  const shown = d.replies.filter((x) => x.state !== 'draft');
  const target = editableReply(d);
  const earlier = earlierTexts(d.reply_revisions);
  return h('section', { class: 'card', id: 'reply-thread', 'aria-labelledby': 'thread-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'thread-title' }, 'Replies')),
    shown.length
      ? shown.map((x) => {
        const dsc = describeReply(x);
        const body = h('p', { class: 'reply-body' }, x.body);
        const mine = target && target.id === x.id;
        const before = earlier.get(x.id) ?? [];
        return h('div', { class: 'reply', dataset: { state: x.state, id: String(x.id) } },
          h('p', { class: 'reply-head' },
            h('strong', null, dsc.heading), ' ',
            h('span', { class: `tag tag-${dsc.tone}` }, dsc.state), ' ',
            h('time', { class: 'muted', datetime: x.posted_at ?? x.updated_at, title: formatDateTime(x.posted_at ?? x.updated_at) },
              formatWhen(x.posted_at ?? x.updated_at)),
            before.length ? h('span', { class: 'muted' }, ` · edited ${formatWhen(x.updated_at)}`) : null),
          body,
          // A failed post, or an edit the platform refused (the reply then still reads as before).
          x.last_error && (x.state === 'failed' || x.state === 'posted') ? h('p', { class: 'warn-text' }, x.last_error) : null,
          before.length ? h('details', { class: 'revisions reply-revisions' },
            h('summary', null, `Earlier text (${before.length})`),
            before.map((v) => h('div', { class: 'revision' },
              h('p', { class: 'muted' }, 'as it read until ', formatDateTime(v.replaced_at)),
              h('p', { class: 'reply-body' }, v.body)))) : null,
          mine ? h('div', { class: 'actions reply-actions' },
            target.canEdit ? h('button', {
              class: 'btn btn-small btn-quiet reply-edit-open', type: 'button',
              onclick: () => replyEditor(d, x, ctx, body),
            }, 'Edit reply') : null,
            target.canDelete ? h('button', {
              class: 'btn btn-small btn-quiet reply-delete', type: 'button',
              onclick: async () => {
                const ok = await confirmDialog({
                  title: `Delete this reply on ${platformLabel(d.review.platform)}?`,
                  text: 'It disappears from the review page. You can write a new one afterwards.',
                  yes: 'Delete',
                });
                if (!ok) return;
                try {
                  await api.deleteReply(d.review.id);
                  showNotice('Reply deleted.');
                  ctx.refresh();
                } catch (e) {
                  showNotice(`The reply was not deleted. ${e.message}`, { kind: 'error' });
                }
              },
            }, 'Delete reply') : null) : null);
      })
      : h('p', { class: 'muted' }, 'No reply yet.'));
}

function historyPanel(d) {
  if (!d.history.length) return null;
  return h('section', { class: 'card', id: 'customer-history', 'aria-labelledby': 'history-title' },
    h('div', { class: 'card-head' },
      h('h2', { id: 'history-title' }, `Earlier from ${authorName(d.review.author)}`)),
    d.history.map((r) => h('a', { class: 'history-item', href: `#review/${r.id}` },
      r.rating !== null ? stars(r.rating, { size: 'sm' }) : null,
      h('span', { class: 'muted history-when' }, formatWhen(r.created_at)),
      h('span', null, r.body.length > 120 ? `${r.body.slice(0, 120)}…` : r.body))));
}

async function copyText(text, fallback) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // WebKit may refuse the async clipboard; a selected textarea and execCommand still work.
    fallback.select();
    return document.execCommand?.('copy') ?? false;
  }
}

function composerPanel(d, { focus, ctx }) {
  const r = d.review;
  const actions = composerActions(d.route);
  const counter = h('span', { id: 'reply-length', class: 'muted' });
  const saved = h('span', { id: 'draft-state', class: 'muted' },
    d.draft ? `Draft saved ${formatWhen(d.draft.updated_at)}` : '');
  // The list is redrawn after every pause in typing; a live region there would read every
  // warning again each time. Each warning is announced once instead (newWarnings).
  const warnings = h('ul', { id: 'coach', class: 'coach', 'aria-label': 'Coach' });
  const said = new Set((d.warnings ?? []).map((w) => w.code));
  const text = h('textarea', {
    id: 'reply-text', class: 'reply-input', rows: '9', spellcheck: 'true',
    'aria-label': `Your reply to ${authorName(r.author)}`,
    placeholder: 'Thank them by name, answer what they said, and keep it calm and short.',
  });
  text.value = d.text;

  const showWarnings = (list) => {
    warnings.dataset.codes = list.map((w) => w.code).join(' ');
    mount(warnings, list.length
      ? list.map((w) => h('li', { class: 'coach-item', dataset: { code: w.code } },
        h('span', { class: 'coach-icon', 'aria-hidden': 'true' }, '!'), w.message))
      : h('li', { class: 'coach-ok' }, text.value.trim() ? 'Reads well: personal, calm and the right length.' : 'Write a reply, or start from a template.'));
  };
  const showLength = () => {
    const l = lengthLabel(text.value, d.limit);
    counter.textContent = l.text;
    counter.title = l.note ?? '';
    counter.classList.toggle('over', l.over);
  };

  let checkTimer = null;
  let saveTimer = null;
  let lastSaved = d.draft ? d.draft.body : null;
  const save = async () => {
    clearTimeout(saveTimer);
    const body = text.value;
    if (body === (lastSaved ?? '')) return;
    try {
      const reply = await api.saveReplyDraft(r.id, body);
      lastSaved = reply ? reply.body : '';
      saved.textContent = reply ? 'Draft saved' : 'Draft discarded';
    } catch (e) {
      saved.textContent = `Not saved: ${e.message}`;
    }
  };
  // The AI draft this text started from, if any: the coach points out the promises in it that
  // the owner did not write.
  let aiText = null;
  const check = async () => {
    try {
      const list = await api.checkReply(r.id, text.value, aiText);
      showWarnings(list);
      const fresh = newWarnings(list, said);
      if (fresh.length) announce(`Coach: ${fresh.map((w) => w.message).join(' ')}`);
    } catch { /* the coach is advice; typing goes on */ }
  };
  text.addEventListener('input', () => {
    showLength();
    saved.textContent = 'Editing…';
    clearTimeout(checkTimer);
    checkTimer = setTimeout(check, CHECK_DELAY_MS);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, SAVE_DELAY_MS);
  });
  // Leaving the screen saves what was typed.
  text.addEventListener('blur', save);

  const templateSelect = h('select', {
    id: 'reply-template', 'aria-label': 'Start from a template',
    onchange: async (e) => {
      const name = e.target.value;
      if (!name) return;
      if (text.value.trim() && !(await confirmDialog({
        title: 'Replace your draft?', text: `Your draft will be replaced by the template “${name}”.`, yes: 'Replace',
      }))) { e.target.value = ''; return; }
      try {
        text.value = await api.fillTemplate(r.id, name);
        text.dispatchEvent(new Event('input'));
        text.focus();
      } catch (err) {
        showNotice(`The template could not be used. ${err.message}`, { kind: 'error' });
      }
      e.target.value = '';
    },
  }, h('option', { value: '' }, 'Start from a template…'),
  d.templates.map((t) => h('option', { value: t.name }, t.name)));

  const busy = (btn, on) => { btn.disabled = on; btn.setAttribute('aria-busy', on ? 'true' : 'false'); };

  const buttons = [];
  if (actions.includes('post')) {
    const post = h('button', {
      id: 'reply-post', class: 'btn btn-primary', type: 'button',
      onclick: async () => {
        if (!text.value.trim()) { showNotice('Write the reply first.', { kind: 'error' }); return; }
        busy(post, true);
        try {
          await save();
          // One key per click: a double click or a retry after a crash never posts twice.
          const reply = await api.postReply(r.id, `ui-${r.id}-${Date.now()}`);
          if (reply.state === 'posted') showNotice(`Reply posted on ${platformLabel(r.platform)}.`);
          else showNotice(`The reply was not posted: ${reply.last_error ?? reply.state}`, { kind: 'error' });
          ctx.refresh();
        } catch (e) {
          showNotice(`The reply was not posted. ${e.message}`, { kind: 'error' });
        } finally { busy(post, false); }
      },
    }, `Post on ${platformLabel(r.platform)}`);
    buttons.push(post);
  }
  if (actions.includes('copy')) {
    buttons.push(h('button', {
      id: 'reply-copy', class: 'btn btn-primary', type: 'button',
      onclick: async () => {
        if (!text.value.trim()) { showNotice('Write the reply first.', { kind: 'error' }); return; }
        await save();
        try {
          const c = await api.copyReply(r.id);
          const copied = await copyText(c.text, text);
          const target = linkTarget(r.platform, c.url);
          const url = target
            ? await followLink(target, { keepClipboard: true }).catch(() => false)
            : false;
          showNotice(`${copied ? 'Reply copied. ' : ''}${url ? `Paste it on ${c.platform}, ` : `Post it on ${c.platform}, `}then press “Mark as replied”.`);
        } catch (e) {
          showNotice(e.message, { kind: 'error' });
        }
      },
    }, `Copy and open ${platformLabel(r.platform)}`));
    buttons.push(h('button', {
      id: 'reply-mark', class: 'btn', type: 'button',
      onclick: async () => {
        try {
          await save();
          await api.markReplied(r.id, text.value);
          showNotice('Marked as replied.');
          ctx.refresh();
        } catch (e) {
          showNotice(e.message, { kind: 'error' });
        }
      },
    }, 'Mark as replied'));
  }
  buttons.push(h('button', {
    id: 'reply-save', class: 'btn', type: 'button',
    onclick: async () => { await save(); saved.textContent = 'Draft saved'; announce('Draft saved.'); },
  }, 'Save draft'));
  if (d.draft) {
    buttons.push(h('button', {
      id: 'reply-discard', class: 'btn btn-quiet', type: 'button',
      onclick: async () => {
        text.value = '';
        await save();
        ctx.refresh();
      },
    }, 'Discard draft'));
  }

  if (d.ai_enabled) {
    const ai = h('button', {
      id: 'reply-ai', class: 'btn btn-quiet', type: 'button',
      onclick: async () => {
        if (text.value.trim() && !(await confirmDialog({
          title: 'Replace your draft?', text: 'The AI draft will replace what you have written.', yes: 'Replace',
        }))) return;
        busy(ai, true);
        ai.textContent = 'Asking the AI…';
        try {
          text.value = await api.aiDraft(r.id);
          aiText = text.value;
          text.dispatchEvent(new Event('input'));
          text.focus();
          showNotice('AI draft ready: read it, make it yours, then save or post.');
        } catch (e) {
          showNotice(`No AI draft. ${e.message}`, { kind: 'error' });
        } finally {
          busy(ai, false);
          ai.textContent = 'Draft with AI';
        }
      },
    }, 'Draft with AI');
    buttons.push(ai);
  }

  const how = d.route.kind === 'post'
    ? `Earshot posts this on ${platformLabel(r.platform)} when you press Post. Nothing goes out before.`
    : `Earshot cannot post this one for you: copy the reply, paste it on the review's page on ${platformLabel(r.platform)}, then mark it replied.`;

  showLength();
  showWarnings(d.warnings);
  if (focus) requestAnimationFrame(() => { text.focus(); text.setSelectionRange(text.value.length, text.value.length); });

  return h('section', { class: 'card composer', id: 'composer', 'aria-labelledby': 'composer-title' },
    h('div', { class: 'card-head' },
      h('h2', { id: 'composer-title' }, r.replied ? 'Reply again' : 'Your reply'),
      templateSelect),
    h('p', { class: 'muted composer-how' }, how),
    // What the owner still has to do before Earshot can post (sign in, a setting); text only.
    d.route.kind === 'post' && d.missing
      ? h('p', { class: 'composer-missing', id: 'composer-missing', role: 'note' }, d.missing)
      : null,
    text,
    h('div', { class: 'composer-meta' }, counter, saved),
    warnings,
    h('div', { class: 'actions composer-actions' }, buttons));
}

/**
 * The composer, or — once the review has a reply and no draft is under way — a calm note that it
 * is answered, with a button to write another reply from a blank page.
 */
function sidePanel(d, opts) {
  if (!d.review.replied || d.draft || opts.focus) return composerPanel(d, opts);
  const slot = h('div');
  const when = d.review.replied_at ? formatWhen(d.review.replied_at) : '';
  slot.append(h('section', { class: 'card composer-done', id: 'composer-done' },
    h('h2', null, 'Answered'),
    h('p', { class: 'muted' }, `You replied ${when}. Nothing else is needed unless the customer writes again.`),
    h('button', {
      id: 'reply-another', class: 'btn', type: 'button',
      onclick: () => {
        slot.replaceChildren(composerPanel({ ...d, text: '', warnings: [] }, { ...opts, focus: true }));
      },
    }, 'Write another reply')));
  const followUp = followUpPanel(d, opts.ctx);
  if (followUp) slot.append(followUp);
  return slot;
}

export async function render(param, ctx) {
  const [idText, mode] = String(param).split('/');
  const id = Number(idText);
  if (!Number.isInteger(id) || id <= 0) throw new api.ApiError('bad_review', 'That review does not exist.');
  const d = await api.reviewDetail(id);
  return h('section', { id: 'review', class: 'review-page', 'aria-label': 'Review' },
    h('header', { class: 'page-head' },
      h('div', null,
        h('a', { href: '#inbox', class: 'back-link', id: 'back-to-inbox' }, '← Inbox'),
        h('h1', null, kindWord(d.review.kind, { capital: true }), ' from ', authorName(d.review.author)))),
    h('div', { class: 'review-grid' },
      h('div', { class: 'review-main' }, reviewPanel(d), threadPanel(d, ctx), historyPanel(d)),
      h('div', { class: 'review-side' }, sidePanel(d, { focus: mode === 'reply', ctx }))));
}
