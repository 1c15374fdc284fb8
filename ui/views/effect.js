// "What works for you" (issue 29): did the owner's replies win unhappy customers back, and which
// habits came before it — an apology, an offer to talk offline, a fast reply, a personal one.
// Every figure opens the reviews behind it; a comparison with too few replies says so rather
// than show a rate that means nothing. `#effect` opens it; the dashboard's "Won back" card
// links here. The figures come from the core (`earshot replies effect` computes the same).

import * as api from '../api.js';
import { h } from '../dom.js';
import { authorName, formatWhen, platformLabel, plural } from '../format.js';
import {
  bucketBars, habitRows, headlineFigures, recoveryText,
} from '../effect-logic.js';
import { stars } from '../components/stars.js';

const card = (id, title, note, ...body) => h('section', { class: 'card', 'aria-labelledby': `${id}-title`, id },
  h('div', { class: 'card-head' }, h('h2', { id: `${id}-title` }, title), note ? h('span', { class: 'muted' }, note) : null),
  ...body);

/** Links to the reviews behind a figure, shown when the owner asks for them. */
function evidence(ids, byId, label) {
  if (!ids.length) return null;
  return h('details', { class: 'effect-evidence' },
    h('summary', null, `${label} (${ids.length})`),
    h('ul', { class: 'effect-evidence-list' }, ids.map((id) => {
      const r = byId.get(id);
      return h('li', null, h('a', { href: `#review/${id}` },
        r ? [stars(r.rating, { size: 'sm' }), ' ', authorName(r.author), ' · ', platformLabel(r.platform)] : `Review ${id}`));
    })));
}

function bar(widthPct, tone, label) {
  return h('span', { class: 'effect-bar-track', role: 'img', 'aria-label': label },
    h('span', { class: `effect-bar effect-bar-${tone}`, style: `width: ${widthPct}%` }));
}

function habitsCard(effect, byId) {
  const rows = habitRows(effect);
  return card('effect-habits', 'What came before a customer was won back',
    `at least ${effect.min_group} replies each side`,
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Habits compared' },
      h('table', { class: 'compare effect-table', id: 'effect-habits-table' },
        h('caption', { class: 'sr-only' }, 'Unhappy customers won back, with each habit and without it'),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Your reply had'),
          h('th', { scope: 'col' }, 'With it'),
          h('th', { scope: 'col' }, 'Without it'),
          h('th', { scope: 'col' }, 'What it tells'))),
        h('tbody', null, rows.map((r) => h('tr', { dataset: { habit: r.key }, class: `effect-row tone-${r.tone}` },
          h('th', { scope: 'row' }, r.label),
          h('td', null, h('div', { class: 'effect-cell' }, bar(r.withWidth, 'with', `with: ${r.with}`), h('span', null, r.with)),
            evidence(r.withIds, byId, 'won back')),
          h('td', null, h('div', { class: 'effect-cell' }, bar(r.withoutWidth, 'without', `without: ${r.without}`), h('span', null, r.without)),
            evidence(r.withoutIds, byId, 'won back')),
          h('td', null, h('span', { class: `badge verdict verdict-${r.tone}` }, r.verdict),
            r.p ? h('span', { class: 'muted effect-p' }, ` ${r.p}`) : null)))))),
    h('ul', { class: 'effect-says', id: 'effect-says' }, rows.map((r) => h('li', { dataset: { habit: r.key } }, r.says))),
    h('p', { class: 'muted effect-method' },
      `A difference counts when a Fisher exact test gives p < 0.05 (${effect.significance}). `
      + 'These habits came before customers returned; they do not prove the reply was why.'));
}

function bucketsCard(id, title, buckets, byId) {
  const bars = bucketBars(buckets);
  return card(id, title, 'share won back',
    h('ul', { class: 'effect-buckets' }, bars.map((b) => h('li', { class: ['effect-bucket', b.tooFew ? 'too-few' : null], dataset: { bucket: b.key } },
      h('span', { class: 'effect-bucket-label' }, b.label),
      bar(b.width, b.tooFew ? 'muted' : 'with', `${b.label}: ${b.text}`),
      h('span', { class: 'effect-bucket-text' }, b.text),
      evidence(b.ids, byId, 'won back')))));
}

function platformsCard(effect, byId) {
  if (!effect.platforms?.length) return null;
  return card('effect-platforms', 'By platform', null,
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'By platform' },
      h('table', { class: 'compare', id: 'effect-platforms-table' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Platform'), h('th', { scope: 'col' }, 'Unhappy'),
          h('th', { scope: 'col' }, 'Answered'), h('th', { scope: 'col' }, 'Won back'),
          h('th', { scope: 'col' }, 'Came back'))),
        h('tbody', null, effect.platforms.map((p) => h('tr', null,
          h('th', { scope: 'row' }, p.platform_label),
          h('td', null, String(p.unhappy)),
          h('td', null, String(p.replies)),
          h('td', null, `${p.recovered}`, evidence(p.recovered_review_ids ?? [], byId, 'reviews')),
          h('td', null, String(p.came_back))))))));
}

function recoveriesCard(effect, byId) {
  const list = (effect.recoveries ?? []).filter((r) => r.answered).slice(0, 12);
  return card('effect-recoveries', 'Won back', list.length ? 'latest reply first' : null,
    list.length
      ? h('ul', { class: 'effect-recoveries' }, list.map((x) => {
        const r = byId.get(x.review_id);
        return h('li', { dataset: { id: String(x.review_id) } },
          h('a', { href: `#review/${x.review_id}` }, r ? authorName(r.author) : `Review ${x.review_id}`),
          h('span', { class: 'muted' }, ` · ${platformLabel(x.platform)} · `),
          h('span', null, recoveryText(x)));
      }))
      : h('p', { class: 'muted' }, 'When a customer raises their rating after your reply, or comes back with a better review, it shows here.'));
}

function followUpsCard(list) {
  return card('effect-follow-ups', 'Asked to update their review', null,
    list.length
      ? h('ul', { class: 'effect-follow-ups' }, list.map((s) => h('li', { dataset: { state: s.changed_after ? 'updated' : s.follow_up.state } },
        h('a', { href: `#review/${s.review_id}` }, `Review ${s.review_id}`), ' · ', s.says)))
      : h('p', { class: 'muted' }, 'On an answered review, “Ask them to update” asks the customer whether they would update it.'));
}

export async function render(_param, ctx) {
  const { effect, reviews, follow_ups: followUps } = await api.repliesEffect(ctx.businessId);
  const byId = new Map((reviews ?? []).map((r) => [r.id, r]));
  const figures = headlineFigures(effect);
  return h('section', { id: 'effect', class: 'effect-page', 'aria-labelledby': 'effect-title' },
    h('header', { class: 'page-head' },
      h('div', null,
        h('a', { href: '#dashboard', class: 'back-link' }, '← Dashboard'),
        h('h1', { id: 'effect-title' }, 'What works for you'),
        h('p', { class: 'muted' }, effect.business))),
    h('p', { class: 'effect-headline card', id: 'effect-headline' }, effect.says),
    h('div', { class: 'kpis kpis-4', id: 'effect-figures' }, figures.map(([label, value, sub]) => h('div', { class: 'card kpi' },
      h('p', { class: 'kpi-label' }, label),
      h('p', { class: 'kpi-value' }, value),
      sub ? h('p', { class: 'kpi-sub muted' }, sub) : null))),
    habitsCard(effect, byId),
    h('div', { class: 'effect-grid' },
      bucketsCard('effect-delays', 'By how soon you answered', effect.delays, byId),
      bucketsCard('effect-lengths', 'By the reply’s length', effect.lengths, byId)),
    h('div', { class: 'effect-grid' },
      recoveriesCard(effect, byId),
      platformsCard(effect, byId)),
    followUpsCard(followUps ?? []),
    h('p', { class: 'muted effect-foot' },
      `Counted over ${plural(effect.unhappy, 'unhappy review')}, updated ${formatWhen(new Date().toISOString())}.`));
}
