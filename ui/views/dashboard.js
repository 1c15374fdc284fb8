// The dashboard of one business: headline figures, reviews per month, the rating distribution and
// the latest reviews. It renders what `api.dashboard()` returned; app.js owns fetching and refresh.

import { h } from '../dom.js';
import {
  formatCount, formatMonth, formatRating, plural,
} from '../format.js';
import { lastMonthComparison, monthOf, ratedCount, trend } from '../metrics.js';
import { monthlyChart } from '../charts/monthly.js';
import { distributionChart } from '../charts/distribution.js';
import { stars } from '../components/stars.js';
import { reviewCard } from '../components/review-card.js';
import { importFile } from '../actions.js';

function kpi({ id, label, value, raw, sub, extra, change }) {
  return h('div', { class: 'card kpi', id },
    h('p', { class: 'kpi-label' }, label),
    h('p', { class: 'kpi-value', dataset: { value: raw === null || raw === undefined ? '' : String(raw) } },
      value, extra),
    change ? h('p', { class: `kpi-change trend-${change.dir}` },
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, { up: '▲', down: '▼', flat: '■' }[change.dir]),
      ' ', change.text) : null,
    sub ? h('p', { class: 'kpi-sub muted' }, sub) : null);
}

function signed(n, fmt) {
  if (n === null) return '';
  return `${n > 0 ? '+' : n < 0 ? '−' : '±'}${fmt(Math.abs(n))}`;
}

/** `onPickBusiness(id)` is called when the owner switches business. */
export function dashboardView(data, { onPickBusiness, now = new Date() } = {}) {
  const { stats, business, businesses, latest } = data;
  const first = stats.by_month[0]?.month;
  const cmp = lastMonthComparison(stats.by_month, now);
  const rated = ratedCount(stats.distribution);
  const currentMonth = monthOf(now);
  const hasPartial = stats.by_month.some((m) => m.month === currentMonth);

  const picker = businesses.length > 1
    ? h('label', { class: 'picker' },
      h('span', { class: 'muted' }, 'Showing'),
      h('select', {
        id: 'business-picker',
        onchange: (e) => onPickBusiness?.(Number(e.target.value)),
      }, businesses.map((b) => h('option', {
        value: String(b.id), selected: b.id === business.id,
      }, b.is_competitor ? `${b.name} (competitor)` : b.name))))
    : null;

  const cards = h('div', { class: 'kpis' },
    kpi({
      id: 'stat-average',
      label: 'Average rating',
      value: formatRating(stats.average_rating),
      raw: stats.average_rating,
      extra: stars(stats.average_rating),
      sub: `from ${plural(rated, 'rated review')}`,
    }),
    kpi({
      id: 'stat-count',
      label: 'Reviews and mentions',
      value: formatCount(stats.count),
      raw: stats.count,
      sub: first ? `since ${formatMonth(first)}` : 'none yet',
    }),
    cmp ? kpi({
      id: 'stat-month',
      label: `In ${formatMonth(cmp.month)}`,
      value: formatCount(cmp.count),
      raw: cmp.count,
      change: cmp.prev ? {
        dir: trend(cmp.countDelta),
        text: `${signed(cmp.countDelta, formatCount)} vs ${formatMonth(cmp.prev.month, { short: true })}`,
      } : null,
      sub: 'reviews and mentions',
    }) : null,
    cmp ? kpi({
      id: 'stat-month-rating',
      label: `Rating in ${formatMonth(cmp.month)}`,
      value: formatRating(cmp.average_rating),
      raw: cmp.average_rating,
      change: cmp.ratingDelta !== null ? {
        dir: trend(cmp.ratingDelta),
        text: `${signed(cmp.ratingDelta, formatRating)} vs ${formatMonth(cmp.prev.month, { short: true })}`,
      } : null,
      sub: 'average of that month',
    }) : null);

  const latestList = latest.length
    ? h('div', { class: 'review-list' }, latest.map((r) => reviewCard(r, { now })))
    : h('p', { class: 'muted empty' }, 'No reviews for this business yet.');

  return h('section', { id: 'dashboard', class: 'dashboard', 'aria-labelledby': 'dash-title' },
    h('header', { class: 'page-head' },
      h('div', null,
        h('h1', { id: 'dash-title' }, business.name),
        h('p', { class: 'muted' },
          business.is_competitor ? 'A competitor you watch' : 'Your business',
          ' · ',
          plural(stats.count, 'review or mention', 'reviews and mentions'))),
      h('div', { class: 'head-actions' },
        picker,
        h('button', {
          id: 'import-more', class: 'btn', type: 'button',
          onclick: () => importFile(businesses),
        }, 'Import a file'))),
    cards,
    h('div', { class: 'dash-grid' },
      h('div', { class: 'dash-main' },
        h('section', { class: 'card', 'aria-labelledby': 'chart-title' },
          h('div', { class: 'card-head' },
            h('h2', { id: 'chart-title' }, 'Reviews per month'),
            h('span', { class: 'muted chart-note' },
              hasPartial ? h('span', { class: 'swatch-partial', 'aria-hidden': 'true' }) : null,
              hasPartial ? `${formatMonth(currentMonth, { short: true })} so far` : '',
              hasPartial ? ' · ' : '',
              'point at a month for its rating')),
          monthlyChart(stats.by_month, { width: 640, height: 210, currentMonth })),
        h('section', { class: 'card', 'aria-labelledby': 'dist-title' },
          h('div', { class: 'card-head' },
            h('h2', { id: 'dist-title' }, 'Ratings'),
            h('span', { class: 'muted' }, plural(rated, 'rated review'))),
          distributionChart(stats.distribution))),
      h('section', { class: 'card dash-side', 'aria-labelledby': 'latest-title' },
        h('div', { class: 'card-head' }, h('h2', { id: 'latest-title' }, 'Latest reviews')),
        latestList)));
}
