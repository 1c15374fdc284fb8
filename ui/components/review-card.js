// One review or mention as a card: stars, author, platform, when, title and text. All of it is
// stranger-written, so every string is set as text.

import { h } from '../dom.js';
import { authorName, formatDateTime, formatWhen, linkTarget, platformLabel } from '../format.js';
import { openExternal } from '../api.js';
import { stars } from './stars.js';

export function reviewCard(r, { now = new Date() } = {}) {
  const target = linkTarget(r.platform, r.url);
  const link = target
    ? h('a', {
      class: 'link', href: target.url, title: target.url,
      onclick: (e) => {
        e.preventDefault();
        // The dialog for an address without a fixed host loads when first needed: the first
        // screen (the dashboard's latest reviews) does not wait for it.
        const open = target.direct
          ? openExternal(target.url)
          : import('./open-link.js').then((m) => m.followLink(target));
        open.catch(() => {});
      },
    }, `View on ${platformLabel(r.platform)}`)
    : null;
  return h('article', { class: 'review', dataset: { id: String(r.id) } },
    h('header', { class: 'review-head' },
      stars(r.rating, { size: 'sm' }),
      h('span', { class: 'review-author' }, authorName(r.author)),
      h('span', { class: 'review-meta' },
        h('span', { class: 'platform' }, platformLabel(r.platform)),
        ' · ',
        h('time', { datetime: r.created_at, title: formatDateTime(r.created_at) },
          formatWhen(r.created_at, now)))),
    r.title ? h('h3', { class: 'review-title' }, r.title) : null,
    h('p', { class: 'review-body' }, r.body),
    h('footer', { class: 'review-foot' },
      r.replied
        ? h('span', { class: 'tag tag-ok' }, 'Replied')
        : h('span', { class: 'tag tag-wait' }, 'Not answered yet'),
      link));
}
