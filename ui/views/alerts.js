// Alerts: what needs the owner's attention (a new bad review, a rating drop, a spike, a complaint
// left unanswered, a watch word, a source that stopped working), each with the reviews behind it.
// Open alerts first; dismissed ones below. Mark seen, dismiss, reopen.

import * as api from '../api.js';
import { h } from '../dom.js';
import { authorName, formatDateTime, formatWhen, platformLabel, plural } from '../format.js';
import { stars } from '../components/stars.js';
import { showNotice } from '../components/notice.js';
import { alertFacts, splitAlerts } from '../alerts-logic.js';

async function setState(alert, to, ctx) {
  try {
    await api.setAlertState(alert.id, to);
    ctx.setBadge('alerts', await api.unreadAlertCount());
    ctx.refresh();
  } catch (e) {
    showNotice(e.message, { kind: 'error' });
  }
}

function reviewLine(r, alert) {
  return h('a', {
    class: 'alert-review', href: `#review/${r.id}`,
    onclick: () => { if (alert.state === 'new') api.setAlertState(alert.id, 'seen').catch(() => {}); },
  },
  r.rating !== null ? stars(r.rating, { size: 'sm' }) : h('span', { class: 'tag tag-mention' }, 'Mention'),
  h('span', { class: 'alert-review-who' }, authorName(r.author), ' · ', platformLabel(r.platform)),
  h('span', { class: 'alert-review-text' }, r.body.length > 140 ? `${r.body.slice(0, 140)}…` : r.body));
}

function alertCard(a, ctx) {
  const facts = alertFacts(a);
  const more = a.review_ids.length - a.reviews.length;
  return h('article', {
    class: ['card', 'alert', `alert-${a.state}`, `kind-${a.kind}`],
    dataset: { id: String(a.id), state: a.state, kind: a.kind },
  },
  h('header', { class: 'alert-head' },
    a.state === 'new' ? h('span', { class: 'unread-dot', title: 'New' }) : null,
    h('h2', { class: 'alert-title' }, a.title),
    a.business ? h('span', { class: 'muted' }, a.business) : null,
    h('time', { class: 'muted alert-when', datetime: a.created_at, title: formatDateTime(a.created_at) },
      formatWhen(a.created_at))),
  h('p', { class: 'alert-message' }, a.message),
  facts.length ? h('p', { class: 'alert-facts muted' }, facts.join(' · ')) : null,
  a.reviews.length ? h('div', { class: 'alert-reviews' },
    a.reviews.map((r) => reviewLine(r, a)),
    more > 0 ? h('p', { class: 'muted' }, `and ${plural(more, 'more review')}`) : null) : null,
  h('div', { class: 'alert-actions' },
    a.state === 'new' ? h('button', {
      class: 'btn btn-small alert-seen', type: 'button', onclick: () => setState(a, 'seen', ctx),
    }, 'Mark seen') : null,
    a.state !== 'dismissed' ? h('button', {
      class: 'btn btn-small alert-dismiss', type: 'button', onclick: () => setState(a, 'dismissed', ctx),
    }, 'Dismiss') : h('button', {
      class: 'btn btn-small alert-reopen', type: 'button', onclick: () => setState(a, 'seen', ctx),
    }, 'Reopen')));
}

export async function render(_param, ctx) {
  const list = await api.listAlerts({ includeDismissed: true });
  const { open, past } = splitAlerts(list);
  const unread = open.filter((a) => a.state === 'new').length;
  ctx.setBadge('alerts', unread);
  return h('section', { id: 'alerts', class: 'alerts', 'aria-labelledby': 'alerts-title' },
    h('header', { class: 'page-head' },
      h('div', null,
        h('h1', { id: 'alerts-title' }, 'Alerts'),
        h('p', { class: 'muted' }, open.length
          ? `${plural(open.length, 'open alert')}${unread ? `, ${unread} new` : ''}`
          : 'Earshot watches your reviews and tells you when something needs you.')),
      unread > 1 ? h('div', { class: 'head-actions' }, h('button', {
        id: 'alerts-all-seen', class: 'btn', type: 'button',
        onclick: async () => {
          for (const a of open.filter((x) => x.state === 'new')) {
            // eslint-disable-next-line no-await-in-loop
            await api.setAlertState(a.id, 'seen').catch(() => {});
          }
          ctx.setBadge('alerts', 0);
          ctx.refresh();
        },
      }, 'Mark all seen')) : null),
    open.length
      ? h('div', { class: 'alert-list', id: 'open-alerts' }, open.map((a) => alertCard(a, ctx)))
      : h('div', { class: 'card calm', id: 'open-alerts' },
        h('h2', null, 'Nothing needs your attention'),
        h('p', { class: 'muted' }, 'New negative reviews, rating drops and sudden spikes will show up here and in your notifications.')),
    past.length ? h('details', { class: 'past-alerts', id: 'past-alerts' },
      h('summary', null, `Earlier and dismissed (${past.length})`),
      h('div', { class: 'alert-list' }, past.map((a) => alertCard(a, ctx)))) : null);
}
