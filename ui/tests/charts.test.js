// Chart geometry, without a DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceScale } from '../charts/scale.js';
import { layoutMonthly, MAX_MONTHS } from '../charts/monthly.js';

test('axis tops are round numbers above the data', () => {
  const s = niceScale(47);
  assert.ok(s.max >= 47);
  assert.equal(s.ticks[0], 0);
  assert.equal(s.ticks.at(-1), s.max);
  assert.ok(Number.isInteger(s.step), 'counts never get fractional ticks');
  assert.deepEqual(niceScale(0), { max: 1, step: 1, ticks: [0, 1] });
  assert.deepEqual(niceScale(3).ticks, [0, 1, 2, 3]);
});

test('bars stay inside the chart and the tallest reaches at most the top', () => {
  const months = [];
  for (let i = 0; i < 12; i += 1) months.push({ month: `2025-${String(i + 1).padStart(2, '0')}`, count: i * 10, average_rating: 4 });
  const L = layoutMonthly(months, { width: 600, height: 200 });
  assert.equal(L.bars.length, 12);
  for (const b of L.bars) {
    assert.ok(b.x >= L.pad.left && b.x + b.w <= 600 - L.pad.right + 0.001);
    assert.ok(b.y >= L.pad.top - 0.001 && b.y + b.h <= 200 - L.pad.bottom + 0.001);
    assert.ok(b.h >= 0);
  }
  assert.equal(L.bars[0].h, 0);
  assert.ok(L.labels.some((l) => l.text === '2025' && l.strong));
});

test('only the latest three years are drawn', () => {
  const months = [];
  for (let y = 2019; y <= 2026; y += 1) {
    for (let mo = 1; mo <= 12; mo += 1) months.push({ month: `${y}-${String(mo).padStart(2, '0')}`, count: 1, average_rating: null });
  }
  const L = layoutMonthly(months);
  assert.equal(L.bars.length, MAX_MONTHS);
  assert.equal(L.bars.at(-1).month, '2026-12');
});

test('no data draws no bars and does not throw', () => {
  const L = layoutMonthly([]);
  assert.deepEqual(L.bars, []);
});

test('the running month is marked partial so it is drawn apart, never as a drop', () => {
  const months = [
    { month: '2026-10', count: 80, average_rating: 4.2 },
    { month: '2026-11', count: 20, average_rating: 4.0 },
  ];
  const L = layoutMonthly(months, { currentMonth: '2026-11' });
  assert.deepEqual(L.bars.map((b) => b.partial), [false, true]);
  assert.ok(layoutMonthly(months).bars.every((b) => !b.partial));
});
