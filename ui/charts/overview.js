// The dashboard's period charts: the rating trend (a line per period and the running rating),
// sentiment over time (stacked shares), and labelled horizontal bars (platforms, topics).
// Layout is pure and tested; drawing is plain SVG/HTML with text set as text.

import { h, s } from '../dom.js';
import { dateTimeFormat, formatCount, formatRating } from '../format.js';

// Room on the left for the axis labels at 0.8125rem ("4.5★", "100%").
const PAD = { top: 10, right: 22, bottom: 24, left: 46 };

/** Points of a series on a 1–5 (or tighter) rating scale: { points, running, ticks, lo, hi }. */
export function layoutRatingTrend(series, { width = 560, height = 190 } = {}) {
  const vals = series.flatMap((p) => [p.average_rating, p.running_rating]).filter((v) => v !== null && v !== undefined);
  // A scale that shows movement: the data's range widened to whole half-stars, within 1–5.
  const lo = vals.length ? Math.max(1, Math.floor((Math.min(...vals) - 0.25) * 2) / 2) : 1;
  const hi = vals.length ? Math.min(5, Math.ceil((Math.max(...vals) + 0.25) * 2) / 2) : 5;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (i) => PAD.left + (series.length <= 1 ? plotW / 2 : (i / (series.length - 1)) * plotW);
  const y = (v) => PAD.top + plotH - ((v - lo) / Math.max(0.5, hi - lo)) * plotH;
  const pts = (key) => series.map((p, i) => (p[key] === null || p[key] === undefined ? null : { x: x(i), y: y(p[key]), v: p[key], period: p.period }));
  const ticks = [];
  for (let v = lo; v <= hi + 1e-9; v += (hi - lo) > 2 ? 1 : 0.5) ticks.push({ v, y: y(v) });
  return { points: pts('average_rating'), running: pts('running_rating'), ticks, lo, hi, width, height };
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

/** Short period labels: "Nov 3" for weeks, "Nov" for months. */
export function periodLabel(p, granularity) {
  const d = new Date(`${p.start}T00:00:00`);
  if (Number.isNaN(d.getTime())) return p.period;
  return granularity === 'month'
    ? dateTimeFormat('en', { month: 'short' }).format(d)
    : dateTimeFormat('en', { month: 'short', day: 'numeric' }).format(d);
}

/**
 * Where past alerts go on a chart of `series` (periods with `start` dates, oldest first): one mark
 * per period that had alerts, at `xOf(i)`, with a title listing them (kind title and message),
 * so a spike or a rating drop shows where it happened. Alerts before the first period or of an
 * unknown date are left out. Pure, for the tests: [{ i, x, count, title }].
 */
export function alertMarks(series, alerts, xOf) {
  if (!series.length || !Array.isArray(alerts) || !alerts.length) return [];
  const starts = series.map((p) => new Date(`${p.start}T00:00:00Z`).getTime());
  const byPeriod = new Map();
  for (const a of alerts) {
    const t = new Date(a?.created_at ?? '').getTime();
    if (Number.isNaN(t) || t < starts[0]) continue;
    let i = starts.length - 1;
    while (i > 0 && starts[i] > t) i -= 1;
    if (!byPeriod.has(i)) byPeriod.set(i, []);
    byPeriod.get(i).push(a);
  }
  return [...byPeriod.entries()].sort((a, b) => a[0] - b[0]).map(([i, list]) => ({
    i,
    x: xOf(i),
    count: list.length,
    title: list.map((a) => `${a.title ?? a.kind}: ${a.message ?? ''}`).join('\n'),
  }));
}

function markLayer(marks, top) {
  return marks.map((m) => s('g', { class: 'alert-mark', transform: `translate(${m.x.toFixed(1)},${top})` },
    s('path', { d: 'M-5,-7 L5,-7 L0,1 Z' }),
    s('title', null, m.count > 1 ? `${m.count} alerts\n${m.title}` : m.title)));
}

export function ratingTrendChart(series, granularity, opts = {}) {
  const l = layoutRatingTrend(series, opts);
  const marks = alertMarks(series, opts.alerts, (i) => l.points[i]?.x ?? l.running[i]?.x ?? PAD.left);
  const every = Math.max(1, Math.ceil(series.length / 8));
  return s('svg', {
    class: 'chart chart-trend', viewBox: `0 0 ${l.width} ${l.height}`, role: 'img',
    'aria-label': `Average rating per ${granularity}, ${series.length} periods`,
  },
  l.ticks.map((t) => [
    s('line', { class: 'grid', x1: PAD.left, x2: l.width - PAD.right, y1: t.y, y2: t.y }),
    s('text', { class: 'tick', x: PAD.left - 6, y: t.y + 4, 'text-anchor': 'end' }, `${formatRating(t.v)}★`),
  ]),
  s('path', { class: 'line-running', d: path(l.running) }),
  s('path', { class: 'line-rating', d: path(l.points) }),
  markLayer(marks, PAD.top + 2),
  l.points.map((p, i) => (p ? s('circle', { class: 'dot-rating', cx: p.x, cy: p.y, r: 3.5 },
    s('title', null, `${periodLabel(series[i], granularity)}: ${formatRating(p.v)}★ from ${formatCount(series[i].rated)} rated`)) : null)),
  series.map((p, i) => (i % every === 0 ? s('text', {
    class: 'tick', x: l.points[i]?.x ?? l.running[i]?.x ?? (PAD.left + i), y: l.height - 6, 'text-anchor': 'middle',
  }, periodLabel(p, granularity)) : null)));
}

/** Stacked bars of negative / neutral / positive shares per period. */
export function sentimentChart(series, granularity, { width = 560, height = 150, alerts = [] } = {}) {
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const slot = series.length ? plotW / series.length : plotW;
  const marks = alertMarks(series, alerts, (i) => PAD.left + (i + 0.5) * slot);
  const gap = Math.min(6, slot * 0.3);
  const every = Math.max(1, Math.ceil(series.length / 8));
  return s('svg', {
    class: 'chart chart-sentiment', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Share of negative, neutral and positive reviews and posts per ${granularity}`,
  },
  [0, 0.5, 1].map((v) => [
    s('line', { class: 'grid', x1: PAD.left, x2: width - PAD.right, y1: PAD.top + plotH * (1 - v), y2: PAD.top + plotH * (1 - v) }),
    s('text', { class: 'tick', x: PAD.left - 6, y: PAD.top + plotH * (1 - v) + 4, 'text-anchor': 'end' }, `${v * 100}%`),
  ]),
  series.map((p, i) => {
    const x = PAD.left + i * slot + gap / 2;
    const w = Math.max(1, slot - gap);
    const parts = [['negative', p.negative_share], ['neutral', p.neutral_share], ['positive', p.positive_share]];
    let y = PAD.top + plotH;
    const label = parts.map(([k, v]) => `${k} ${Math.round((v ?? 0) * 100)}%`).join(', ');
    return [
      parts.map(([k, v]) => {
        const hgt = (v ?? 0) * plotH;
        y -= hgt;
        return s('rect', { class: `seg seg-${k}`, x, y, width: w, height: Math.max(0, hgt) },
          s('title', null, `${periodLabel(p, granularity)}: ${label}`));
      }),
      i % every === 0 ? s('text', { class: 'tick', x: x + w / 2, y: height - 6, 'text-anchor': 'middle' }, periodLabel(p, granularity)) : null,
    ];
  }),
  markLayer(marks, PAD.top + 2));
}

/**
 * Labelled horizontal bars, each a button (click-through to the reviews behind it):
 * rows: [{ key, label, value, text, tone }].
 */
export function barList(rows, { id, onPick, empty = 'Nothing yet in this period.' } = {}) {
  if (!rows.length) return h('p', { class: 'muted empty' }, empty);
  const max = Math.max(...rows.map((r) => r.value), 1);
  // A list of buttons: each row stays a button for a screen reader (a button given the role
  // listitem stopped being one).
  return h('ul', { class: 'bars', id },
    rows.map((r) => h('li', { class: 'bar-item' }, h('button', {
      class: 'bar-row', type: 'button', dataset: { key: r.key },
      title: 'Show these reviews', onclick: () => onPick?.(r.key),
    },
    h('span', { class: 'bar-label' }, r.label),
    s('svg', { class: 'bar-track', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
      s('rect', { class: 'dist-bg', x: 0, y: 0, width: 100, height: 10, rx: 2 }),
      s('rect', { class: `bar-fill tone-fill-${r.tone ?? 'accent'}`, x: 0, y: 0, width: ((r.value / max) * 100).toFixed(2), height: 10, rx: 2 })),
    h('span', { class: 'bar-text' }, r.text)))));
}
