// The rating distribution: five horizontal bars, 5 stars at the top, each with its count and
// share. Plain HTML rows with an SVG bar, so long counts never overlap the bars.

import { h, s } from '../dom.js';
import { distributionRows, formatCount, formatPercent } from '../format.js';

export function distributionChart(distribution) {
  const rows = distributionRows(distribution);
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  return h('div', { class: 'dist', role: 'list', 'aria-label': 'Ratings by number of stars' },
    rows.map((r) => h('div', {
      class: `dist-row dist-${r.star}`,
      role: 'listitem',
      'aria-label': `${r.star} stars: ${formatCount(r.count)} (${formatPercent(r.count, total)})`,
    },
    h('span', { class: 'dist-star' }, `${r.star}`, h('span', { class: 'star', 'aria-hidden': 'true' }, '★')),
    s('svg', { class: 'dist-track', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
      s('rect', { class: 'dist-bg', x: 0, y: 0, width: 100, height: 10, rx: 2 }),
      s('rect', { class: 'dist-bar', x: 0, y: 0, width: (r.share * 100).toFixed(2), height: 10, rx: 2 })),
    h('span', { class: 'dist-count' }, formatCount(r.count)),
    h('span', { class: 'dist-share' }, formatPercent(r.count, total)))));
}
