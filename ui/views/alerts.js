// Alerts: what needs the owner's attention (a new bad review, a rating drop, a spike, a complaint
// left unanswered, a watch word, a competitor ahead, a source that stopped working), each with the
// figures and the reviews behind it.
//
// New alerts come first as full cards; those seen in the last two weeks follow, quieter; dismissed
// and older ones are folded away below. Mark seen, Dismiss, Reopen; opening a review from an alert
// marks it seen. After each change the nav badge (and, through the shell, the tray) follows.

import * as api from '../api.js';
import { h } from '../dom.js';
import {
  authorName, formatDateTime, formatWhen, platformLabel, plural,
} from '../format.js';
import { stars } from '../components/stars.js';
import { showNotice } from '../components/notice.js';
import {
  alertFigures, alertMessage, alertsSummary, inboxChoicesFor, kindIcon, reviewTarget, splitAlerts,
} from '../alerts-logic.js';
import { openWith } from './inbox.js';

/** Characters of a review's text in its card; the Review screen has the rest. */
const EXCERPT_CHARS = 280;

async function updateBadge(ctx) {
  try {
    ctx.setBadge('alerts', await api.unreadAlertCount());
  } catch { /* the badge is a nicety */ }
}

/** Moves an alert to `to`, then shows the list and the badge as they now are. */
async function setState(alert, to, ctx, button) {
  if (button) button.disabled = true;
  try {
    await api.setAlertState(alert.id, to);
    await updateBadge(ctx);
    await ctx.refresh();
  } catch (e) {
    if (button) button.disabled = false;
    showNotice(`Could not change the alert: ${e.message}`, { kind: 'error' });
  }
}

/** Opening what an alert is about counts as seeing it. */
function markSeenOnOpen(alert, ctx) {
  if (alert.state !== 'new') return;
  api.setAlertState(alert.id, 'seen').then(() => updateBadge(ctx), () => {});
}

function excerpt(text) {
  const t = String(text ?? '').trim();
  return t.length > EXCERPT_CHARS ? `${t.slice(0, EXCERPT_CHARS).trimEnd()}…` : t;
}

/** One review behind an alert: a compact card linking to the Review screen. */
function reviewLine(r, alert, ctx) {
  return h('a', {
    class: 'alert-review', href: `#review/${r.id}`, dataset: { review: String(r.id) },
    onclick: () => markSeenOnOpen(alert, ctx),
  },
  h('span', { class: 'alert-review-meta' },
    stars(r.rating, { size: 'sm' }),
    h('span', { class: 'alert-review-who' }, authorName(r.author)),
    h('span', { class: 'muted' }, platformLabel(r.platform)),
    h('time', { class: 'muted', datetime: r.created_at, title: formatDateTime(r.created_at) },
      formatWhen(r.created_at)),
    r.replied ? h('span', { class: 'tag tag-ok' }, 'Replied') : null),
  h('span', { class: 'alert-review-text' },
    r.title ? h('strong', null, r.title, ' — ') : null, excerpt(r.body)));
}

function actions(a, ctx) {
  const target = reviewTarget(a);
  const choices = inboxChoicesFor(a);
  // Ids, so focus comes back to the same alert after the list is drawn again (app.js): from Mark
  // seen to the same alert's Dismiss, from Dismiss or Reopen to the screen's heading.
  const btn = (cls, label, onclick, extra = {}) => h('button', {
    class: ['btn', 'btn-small', cls], type: 'button', onclick, id: `${cls}-${a.id}`,
    dataset: { focusFallback: `alert-dismiss-${a.id}` }, ...extra,
  }, label);
  return h('div', { class: 'alert-actions' },
    target ? h('a', {
      class: ['btn', 'btn-small', 'alert-open', a.state === 'new' ? 'btn-primary' : null],
      href: `#review/${target.id}`,
      onclick: () => markSeenOnOpen(a, ctx),
    }, target.label) : null,
    choices ? btn('alert-inbox', 'Show in Inbox', () => {
      markSeenOnOpen(a, ctx);
      openWith(choices, ctx);
    }) : null,
    a.kind === 'source_health' ? h('a', {
      class: ['btn', 'btn-small', 'alert-sources', a.state === 'new' ? 'btn-primary' : null],
      href: '#sources', onclick: () => markSeenOnOpen(a, ctx),
    }, 'Open Review sites') : null,
    a.state === 'new'
      ? btn('alert-seen', 'Mark seen', (e) => setState(a, 'seen', ctx, e.currentTarget), { title: 'Keep it in the list, without the badge' })
      : null,
    a.state === 'dismissed'
      ? btn('alert-reopen', 'Reopen', (e) => setState(a, 'seen', ctx, e.currentTarget))
      : btn('alert-dismiss', 'Dismiss', (e) => setState(a, 'dismissed', ctx, e.currentTarget), { title: 'Done with it: move it to Earlier' }));
}

/**
 * One alert. Seen alerts about one review drop their message: the title and the review's card
 * say the same, and the list of things already read stays short.
 */
function alertCard(a, ctx, { showBusiness = true } = {}) {
  const figures = alertFigures(a);
  const more = a.review_ids.length - a.reviews.length;
  const terse = a.state !== 'new' && reviewTarget(a) !== null;
  return h('article', {
    class: ['card', 'alert', `alert-${a.state}`, `kind-${a.kind}`],
    dataset: { id: String(a.id), state: a.state, kind: a.kind },
    'aria-labelledby': `alert-${a.id}-title`,
  },
  h('span', { class: 'alert-icon', 'aria-hidden': 'true' }, kindIcon(a.kind)),
  h('div', { class: 'alert-body' },
    h('header', { class: 'alert-head' },
      h('h3', { class: 'alert-title', id: `alert-${a.id}-title` },
        a.state === 'new' ? h('span', { class: 'sr-only' }, 'New: ') : null, a.title),
      a.business && showBusiness ? h('span', { class: 'alert-business muted' }, a.business) : null,
      h('time', { class: 'alert-when muted', datetime: a.created_at, title: formatDateTime(a.created_at) },
        formatWhen(a.created_at)),
      actions(a, ctx)),
    terse ? null : h('p', { class: 'alert-message' }, alertMessage(a)),
    figures.length ? h('dl', { class: 'alert-figures' },
      figures.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))) : null,
    a.reviews.length ? h('div', { class: 'alert-reviews' },
      a.reviews.map((r) => reviewLine(r, a, ctx)),
      more > 0 ? h('p', { class: 'muted alert-more' }, `and ${plural(more, 'more review')}`) : null) : null));
}

function section(id, title, list, ctx, opts) {
  return h('section', { class: 'alert-section', id, 'aria-label': title },
    h('h2', { class: 'alert-section-title' }, title, h('span', { class: 'count' }, String(list.length))),
    h('div', { class: 'alert-list' }, list.map((a) => alertCard(a, ctx, opts))));
}

function calm(recent) {
  return h('div', { class: 'card calm alerts-calm', id: 'alerts-calm' },
    h('span', { class: 'calm-icon', 'aria-hidden': 'true' }, '✓'),
    h('div', null,
      h('h2', null, 'Nothing needs your attention'),
      h('p', { class: 'muted' }, recent
        ? 'You have seen every alert. New negative reviews, rating drops and sudden spikes will show up here and in your notifications.'
        : 'New negative reviews, rating drops and sudden spikes will show up here and in your notifications.')));
}

async function markAllSeen(list, ctx, button) {
  button.disabled = true;
  let failed = 0;
  for (const a of list) {
    // One at a time: a handful of small writes, and the first failure is reported in plain words.
    // eslint-disable-next-line no-await-in-loop
    await api.setAlertState(a.id, 'seen').catch(() => { failed += 1; });
  }
  if (failed) showNotice(`${plural(failed, 'alert')} could not be marked seen. Try again in a moment.`, { kind: 'error' });
  await updateBadge(ctx);
  await ctx.refresh();
}

export async function render(_param, ctx) {
  const list = await api.listAlerts({ includeDismissed: true });
  const groups = splitAlerts(list);
  const { fresh, recent, past } = groups;
  ctx.setBadge('alerts', fresh.length);
  // The business is worth naming only when alerts are about more than one.
  const opts = { showBusiness: new Set(list.map((a) => a.business_id)).size > 1 };
  return h('section', { id: 'alerts', class: 'alerts', 'aria-labelledby': 'alerts-title' },
    h('header', { class: 'page-head' },
      h('div', null,
        h('h1', { id: 'alerts-title' }, 'Alerts'),
        h('p', { class: 'muted', id: 'alerts-summary' }, alertsSummary(groups))),
      fresh.length > 1 ? h('div', { class: 'head-actions' }, h('button', {
        id: 'alerts-all-seen', class: 'btn', type: 'button',
        onclick: (e) => markAllSeen(fresh, ctx, e.currentTarget),
      }, 'Mark all seen')) : null),
    h('div', { id: 'open-alerts', class: 'alert-groups' },
      fresh.length ? section('new-alerts', 'Needs your attention', fresh, ctx, opts) : calm(recent.length),
      recent.length ? section('seen-alerts', 'Seen in the last two weeks', recent, ctx, opts) : null),
    past.length ? h('details', { class: 'past-alerts', id: 'past-alerts' },
      h('summary', null, `Earlier and dismissed (${past.length})`),
      h('div', { class: 'alert-list' }, past.map((a) => alertCard(a, ctx, opts)))) : null);
}
