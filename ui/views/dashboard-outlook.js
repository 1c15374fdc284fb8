// The dashboard's outlook cards (issue 27): "Where you're heading" (the projection and the median
// time to a first reply), the reviews a reply won back, the owner's locations rolled up, and the
// competitors over the last year. Each renders what `api.dashboard()` returned and nothing when
// the core sent nothing; every string from a stranger is set as text.

import { h } from '../dom.js';
import { reviewCard } from '../components/review-card.js';
import { chartFigure } from '../components/chart-figure.js';
import { rivalsChart, rivalsLegend } from '../charts/rivals.js';
import {
  portfolioRows, portfolioSummary, recoveredChange, recoveredSummary, replyTime, rivalsSummary,
  rivalsTable,
} from '../outlook-logic.js';

/** `card(id, title, note, ...body)` is the dashboard's card maker. */
export function headingCard(card, heading, { periodName }) {
  if (!heading) return null;
  const goals = Array.isArray(heading.goals) ? heading.goals : [];
  const reply = replyTime(heading, periodName);
  return card('heading', 'Where you’re heading', `next ${heading.horizon_days} days`,
    goals.length
      ? h('ul', { class: 'goals' }, goals.map((g) => h('li', { class: 'goal', dataset: { platform: g.platform ?? '' } }, g.says)))
      : h('p', { class: 'muted empty' }, 'No ratings yet.'),
    h('div', { class: 'reply-time', id: 'reply-time' },
      h('p', { class: 'kpi-label' }, 'Time to first reply'),
      h('p', { class: 'kpi-value reply-time-value', dataset: { value: heading.median_reply_hours ?? '' } }, reply.value),
      reply.change ? h('p', { class: `kpi-change trend-${reply.change.dir}` },
        h('span', { class: 'arrow', 'aria-hidden': 'true' }, { up: '▲', down: '▼', flat: '■' }[reply.change.arrow ?? reply.change.dir]),
        ' ', reply.change.text) : null,
      h('p', { class: 'kpi-sub muted' }, reply.sub)));
}

export function recoveredCard(card, recovered, { now }) {
  if (!recovered) return null;
  const latest = Array.isArray(recovered.latest) ? recovered.latest : [];
  return card('recovered', 'Won back by a reply', latest.length ? 'latest first' : null,
    h('p', { class: 'recovered-summary', id: 'recovered-summary' }, recoveredSummary(recovered)),
    latest.length
      ? h('div', { class: 'review-list' }, latest.map((x) => h('div', { class: 'recovered-item' },
        h('p', { class: 'recovered-change' }, recoveredChange(x), h('span', { class: 'muted' }, ' after your reply')),
        reviewCard(x.review, { now }))))
      : h('p', { class: 'muted' }, 'When a customer raises their rating after you answer, it shows here.'),
    h('p', null, h('a', { href: '#effect', class: 'link', id: 'open-effect' }, 'What works for you →')));
}

export function portfolioCard(card, portfolio, { periodName, onPickBusiness, currentId }) {
  const rows = portfolioRows(portfolio);
  if (!rows.length) return null;
  return card('portfolio', 'Your locations', periodName,
    h('p', { class: 'muted portfolio-summary', id: 'portfolio-summary' }, portfolioSummary(portfolio)),
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Your locations ranked' },
      h('table', { class: 'compare portfolio', id: 'portfolio-table' },
        h('caption', { class: 'sr-only' }, 'Your locations, best rated first, and all of them together'),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Rank'), h('th', { scope: 'col' }, 'Location'), h('th', { scope: 'col' }, 'Overall'),
          h('th', { scope: 'col' }, 'Rating'), h('th', { scope: 'col' }, 'Reviews'), h('th', { scope: 'col' }, 'Positive'),
          h('th', { scope: 'col' }, 'Replies'), h('th', { scope: 'col' }, 'Unanswered negatives'))),
        h('tbody', null, rows.map((r) => h('tr', { class: [r.combined ? 'combined' : null, r.key === String(currentId) ? 'own' : null] },
          h('td', null, r.rank),
          h('th', { scope: 'row' }, r.combined || r.key === String(currentId)
            ? r.name
            : h('button', {
              class: 'link-button', type: 'button', title: 'Show this location',
              onclick: () => onPickBusiness?.(Number(r.key)),
            }, r.name)),
          h('td', null, r.rating), h('td', null, r.period), h('td', null, r.count),
          h('td', null, r.positive), h('td', null, r.replies), h('td', null, r.unanswered)))))));
}

/** The competitors' lines over the last year, for the comparison card; null without any. */
export function rivalsFigure(rivals) {
  if (!rivals || !Array.isArray(rivals.lines) || rivals.lines.length < 2) return null;
  return h('div', { class: 'rivals' },
    h('h3', { class: 'rivals-title' }, `Overall rating over ${rivals.months.length} months`,
      h('span', { class: 'muted rivals-note' }, ' · from the reviews Earshot keeps')),
    chartFigure('rivals', rivalsSummary(rivals), rivalsChart(rivals), rivalsTable(rivals)),
    rivalsLegend(rivals));
}
