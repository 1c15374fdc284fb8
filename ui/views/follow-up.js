// The review screen's "Ask them to update" (issue 29): once a complaint is answered and sorted
// out, ask the customer whether they would update their review — by e-mail through the owner's
// e-mail alert channel, or a note the owner sends (copied, or opened in their mail app). The ask
// is remembered, so it goes once; the review then shows whether it changed after it.

import * as api from '../api.js';
import { h } from '../dom.js';
import { followUpState } from '../effect-logic.js';
import { showNotice } from '../components/notice.js';

async function copy(text, fallback) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    fallback.select();
    return document.execCommand?.('copy') ?? false;
  }
}

/** The form: the customer's address, the words (editable) and the three ways to send. */
async function askForm(d, again, ctx, slot) {
  const preview = await api.followUp({ review_id: d.review.id, dry_run: true, again });
  const email = h('input', {
    id: 'follow-up-email', type: 'email', autocomplete: 'off', placeholder: 'customer@example.com',
    'aria-describedby': 'follow-up-email-help',
  });
  const text = h('textarea', { id: 'follow-up-text', rows: '9', 'aria-label': 'The message' });
  text.value = preview.body;
  const ask = (extra) => ({ review_id: d.review.id, again, body: text.value, ...extra });
  const done = (out, what) => {
    showNotice(out.status === 'already_asked' ? out.says : what);
    ctx.refresh();
  };
  const run = async (button, f) => {
    button.disabled = true;
    try { await f(); } catch (e) {
      showNotice(e.message, { kind: 'error' });
    } finally { button.disabled = false; }
  };
  return h('div', { class: 'follow-up-form', id: 'follow-up-form' },
    h('label', { class: 'field' }, h('span', null, 'Their e-mail address (if you have it)'), email),
    h('p', { class: 'muted', id: 'follow-up-email-help' },
      'Sent from your e-mail alert channel’s account (Settings → Where alerts reach you).'),
    h('label', { class: 'field' }, h('span', null, `Subject: ${preview.subject}`), text),
    h('div', { class: 'row-actions' },
      h('button', {
        id: 'follow-up-send', class: 'btn btn-primary', type: 'button',
        onclick: (e) => run(e.currentTarget, async () => {
          if (!email.value.trim()) { showNotice('Type their e-mail address, or send the note yourself.', { kind: 'error' }); return; }
          const out = await api.followUp(ask({ email: email.value }));
          done(out, out.says);
        }),
      }, 'Send e-mail'),
      h('button', {
        id: 'follow-up-copy', class: 'btn', type: 'button',
        onclick: (e) => run(e.currentTarget, async () => {
          const copied = await copy(text.value, text);
          const out = await api.followUp(ask({ by_hand: true, email: email.value || null }));
          done(out, `${copied ? 'Copied. ' : ''}Send it to them yourself; Earshot remembers you asked.`);
        }),
      }, 'Copy the note'),
      h('button', {
        id: 'follow-up-mail-app', class: 'btn', type: 'button',
        onclick: (e) => run(e.currentTarget, async () => {
          const out = await api.followUp(ask({ by_hand: true, email: email.value || null }), true);
          done(out, 'Opened in your mail app; Earshot remembers you asked.');
        }),
      }, 'Open in my mail app'),
      h('button', { class: 'btn link-btn', type: 'button', onclick: () => slot.replaceChildren() }, 'Cancel')));
}

/** The panel: the state of the ask, and the button that opens the form. */
export function followUpPanel(d, ctx) {
  if (d.review.kind !== 'review') return null;
  const s = followUpState(d.review, d.follow_up);
  const slot = h('div', { id: 'follow-up-slot' });
  const open = async (again, button) => {
    button.disabled = true;
    try {
      slot.replaceChildren(await askForm(d, again, ctx, slot));
      slot.querySelector('input')?.focus();
    } catch (e) {
      showNotice(e.message, { kind: 'error' });
    } finally { button.disabled = false; }
  };
  return h('section', { class: 'card follow-up', id: 'follow-up', 'aria-labelledby': 'follow-up-title', dataset: { state: s.state } },
    h('h2', { id: 'follow-up-title' }, 'Ask them to update'),
    h('p', { class: ['follow-up-status', s.state === 'updated' ? 'good' : null], id: 'follow-up-status' }, s.text),
    s.canAsk ? h('button', {
      id: 'follow-up-ask', class: 'btn', type: 'button',
      onclick: (e) => open(s.state !== 'none' && s.askAgain, e.currentTarget),
    }, s.state === 'none' ? 'Ask them to update' : s.askAgain ? 'Ask again' : 'Try again') : null,
    slot);
}
