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

test('past alerts are marked in the period where they happened, one mark per period', async () => {
  const { alertMarks } = await import('../charts/overview.js');
  const series = [{ start: '2025-06-02' }, { start: '2025-06-09' }, { start: '2025-06-16' }];
  const alerts = [
    { kind: 'spike', title: 'Sudden burst of reviews', created_at: '2025-06-11T23:59:59Z', message: 'Complaints surged.' },
    { kind: 'rating_drop', title: 'Rating dropping', created_at: '2025-06-12T23:59:59Z', message: 'Fell to 3.1★.' },
    { kind: 'removed', title: 'A review disappeared', created_at: '2025-06-20T10:00:00Z', message: '<b>not html</b>' },
    { kind: 'spike', title: 'Old', created_at: '2025-01-01T00:00:00Z', message: 'before the chart' },
    { kind: 'spike', title: 'Broken', created_at: 'not a date', message: '' },
  ];
  const marks = alertMarks(series, alerts, (i) => 100 + i * 10);
  assert.deepEqual(marks.map((m) => [m.i, m.x, m.count]), [[1, 110, 2], [2, 120, 1]]);
  assert.equal(marks[0].title, 'Sudden burst of reviews: Complaints surged.\nRating dropping: Fell to 3.1★.');
  // Review text stays text: the title is set as a <title> element's text, never parsed.
  assert.equal(marks[1].title, 'A review disappeared: <b>not html</b>');
  assert.deepEqual(alertMarks(series, undefined, () => 0), []);
});
