// The competitors over time (issue 27): each business's overall rating at the end of every month
// of the last year, one line each, in the comparison card. The owner's line is solid and drawn
// last (on top); each competitor's has its own dash pattern as well as its colour, and a legend
// names them, so no line is told apart by colour alone. Layout is pure and tested.

import { h, s } from '../dom.js';
import { formatMonth, formatRating } from '../format.js';

const PAD = { top: 10, right: 16, bottom: 24, left: 46 };

/** Dash patterns of the competitors' lines, in turn (the owner's line is solid). */
export const RIVAL_DASHES = ['6 3', '2 3', '9 3 2 3', '1 2'];

/**
 * { lines: [{ name, own, style, points: [{x, y, v, month} | null] }], ticks: [{v, y}], labels:
 * [{x, text}], width, height, lo, hi }; the owner's line last.
 */
export function layoutRivals(rivals, { width = 560, height = 180 } = {}) {
  const months = rivals?.months ?? [];
  const lines = rivals?.lines ?? [];
  const vals = lines.flatMap((l) => l.running_rating).filter((v) => typeof v === 'number');
  // A scale that shows the gaps between businesses: the data's range widened to half stars.
  const lo = vals.length ? Math.max(1, Math.floor((Math.min(...vals) - 0.25) * 2) / 2) : 1;
  const hi = vals.length ? Math.min(5, Math.ceil((Math.max(...vals) + 0.25) * 2) / 2) : 5;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (i) => PAD.left + (months.length <= 1 ? plotW / 2 : (i / (months.length - 1)) * plotW);
  const y = (v) => PAD.top + plotH - ((v - lo) / Math.max(0.5, hi - lo)) * plotH;
  let rival = 0;
  const laid = lines.map((l) => ({
    name: l.business,
    own: !!l.own,
    style: l.own ? 'own' : `rival-${(rival++) % RIVAL_DASHES.length}`,
    points: months.map((m, i) => (typeof l.running_rating[i] === 'number'
      ? { x: x(i), y: y(l.running_rating[i]), v: l.running_rating[i], month: m } : null)),
  }));
  laid.sort((a, b) => Number(a.own) - Number(b.own));
  const ticks = [];
  for (let v = lo; v <= hi + 1e-9; v += (hi - lo) > 2 ? 1 : 0.5) ticks.push({ v, y: y(v) });
  // Every other month labelled on a year (every third beyond 12), short names.
  const every = months.length > 12 ? 3 : 2;
  const labels = months.map((m, i) => ({ x: x(i), text: formatMonth(m, { short: true }), i }))
    .filter(({ i }) => (months.length - 1 - i) % every === 0);
  return { lines: laid, ticks, labels, width, height, lo, hi };
}

function path(points) {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!p) { pen = false; continue; }
    d += `${pen ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

export function rivalsChart(rivals, opts = {}) {
  const l = layoutRivals(rivals, opts);
  return s('svg', {
    class: 'chart chart-rivals', viewBox: `0 0 ${l.width} ${l.height}`, role: 'img',
    'aria-label': `Overall rating of you and your competitors over ${rivals?.months?.length ?? 0} months`,
  },
  l.ticks.map((t) => [
    s('line', { class: 'grid', x1: PAD.left, x2: l.width - PAD.right, y1: t.y, y2: t.y }),
    s('text', { class: 'tick', x: PAD.left - 6, y: t.y + 4, 'text-anchor': 'end' }, `${formatRating(t.v)}★`),
  ]),
  l.lines.map((line) => s('g', { class: `rival rival-${line.style}` },
    s('path', { class: 'rival-line', d: path(line.points) }),
    line.points.map((p) => (p ? s('circle', { class: 'rival-dot', cx: p.x, cy: p.y, r: line.own ? 3 : 2.5 },
      s('title', null, `${line.name}, ${formatMonth(p.month)}: ${formatRating(p.v)}★`)) : null)))),
  l.labels.map((t) => s('text', { class: 'tick', x: t.x, y: l.height - 6, 'text-anchor': 'middle' }, t.text)));
}

/** The legend: each business with a sample of its line. */
export function rivalsLegend(rivals, opts = {}) {
  const l = layoutRivals(rivals, opts);
  const ordered = [...l.lines].sort((a, b) => Number(b.own) - Number(a.own));
  return h('ul', { class: 'rivals-legend' }, ordered.map((line) => h('li', null,
    s('svg', { class: `rival rival-${line.style}`, viewBox: '0 0 24 8', width: '24', height: '8', 'aria-hidden': 'true' },
      s('path', { class: 'rival-line', d: 'M1,4L23,4' })),
    line.own ? `${line.name} (you)` : line.name)));
}
