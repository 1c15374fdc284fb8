// "Reviews per month": a column chart drawn as plain SVG, with the average rating of each month
// in its tooltip. Layout (pure) and drawing (DOM) are split so the layout is unit-tested.

import { s } from '../dom.js';
import {
  fillMonths, formatAxisCount, formatCount, formatMonth, formatRating, parseMonth,
} from '../format.js';
import { niceScale } from './scale.js';

/** At most this many months are drawn: three years keeps columns wide enough to read. */
export const MAX_MONTHS = 36;

// Room on the left for the axis labels at 0.8125rem ("1,250").
const PAD = { top: 12, right: 8, bottom: 26, left: 46 };

/**
 * Where everything goes, in SVG units: { bars: [{x, y, w, h, month, count, average_rating,
 * partial}],
 * ticks: [{y, value}], labels: [{x, text}], width, height }.
 */
export function layoutMonthly(byMonth, {
  width = 640, height = 220, maxMonths = MAX_MONTHS, currentMonth = null,
} = {}) {
  const months = fillMonths(byMonth).slice(-maxMonths);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const scale = niceScale(Math.max(0, ...months.map((m) => m.count)));
  const slot = months.length > 0 ? plotW / months.length : plotW;
  const gap = Math.min(6, slot * 0.25);
  const y = (v) => PAD.top + plotH - (v / scale.max) * plotH;

  const bars = months.map((m, i) => {
    const top = y(m.count);
    return {
      x: PAD.left + i * slot + gap / 2,
      y: top,
      w: Math.max(1, slot - gap),
      h: PAD.top + plotH - top,
      month: m.month,
      count: m.count,
      average_rating: m.average_rating,
      // The running month is still filling up; it is drawn apart so it never reads as a drop.
      partial: m.month === currentMonth,
    };
  });

  // Label January with its year; with room to spare, every third month too.
  const every = slot >= 24 ? 3 : 12;
  const labels = [];
  months.forEach((m, i) => {
    const p = parseMonth(m.month);
    if (!p) return;
    const x = PAD.left + i * slot + slot / 2;
    if (p.month === 1) labels.push({ x, text: String(p.year), strong: true });
    else if (every === 3 && (p.month - 1) % 3 === 0) {
      labels.push({ x, text: formatMonth(m.month, { short: true }), strong: false });
    }
  });

  const ticks = scale.ticks.map((value) => ({ y: y(value), value }));
  return { bars, ticks, labels, width, height, pad: PAD };
}

/** Draws the chart as an <svg> element that scales to its container's width. */
export function monthlyChart(byMonth, opts = {}) {
  const L = layoutMonthly(byMonth, opts);
  const svg = s('svg', {
    class: 'chart chart-monthly',
    viewBox: `0 0 ${L.width} ${L.height}`,
    role: 'img',
    'aria-label': `Reviews per month over the last ${L.bars.length} months`,
  });
  for (const t of L.ticks) {
    svg.append(
      s('line', { class: 'grid', x1: L.pad.left, x2: L.width - L.pad.right, y1: t.y, y2: t.y }),
      s('text', { class: 'tick', x: L.pad.left - 6, y: t.y + 4, 'text-anchor': 'end' },
        formatAxisCount(t.value)),
    );
  }
  L.bars.forEach((b) => {
    const tip = `${formatMonth(b.month)}${b.partial ? ' so far' : ''}: `
      + `${formatCount(b.count)} reviews and posts`
      + (b.average_rating === null ? '' : `, average ${formatRating(b.average_rating)} ★`);
    svg.append(s('rect', {
      class: b.partial ? 'bar bar-partial' : 'bar',
      x: b.x.toFixed(1), y: b.y.toFixed(1), width: b.w.toFixed(1), height: b.h.toFixed(1),
      rx: Math.min(3, b.w / 3).toFixed(1),
    }, s('title', null, tip)));
  });
  for (const l of L.labels) {
    svg.append(s('text', {
      class: l.strong ? 'axis axis-strong' : 'axis',
      x: l.x.toFixed(1), y: L.height - 8, 'text-anchor': 'middle',
    }, l.text));
  }
  return svg;
}
