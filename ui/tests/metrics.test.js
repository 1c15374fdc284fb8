// The headline cards' comparisons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastMonthComparison, monthOf, ratedCount, trend } from '../metrics.js';

const m = (month, count, average_rating) => ({ month, count, average_rating });

test('the running month is left out, so a half month never looks like a drop', () => {
  const today = new Date(2026, 10, 5); // 5 Nov 2026
  const c = lastMonthComparison([m('2026-09', 40, 4.5), m('2026-10', 50, 4.2), m('2026-11', 6, 3.0)], today);
  assert.equal(c.month, '2026-10');
  assert.equal(c.count, 50);
  assert.equal(c.prev.month, '2026-09');
  assert.equal(c.countDelta, 10);
  assert.equal(c.ratingDelta, -0.3);
});

test('a month with no reviews compares as zero, not as missing', () => {
  const c = lastMonthComparison([m('2026-08', 5, 4), m('2026-10', 3, 5)], new Date(2026, 10, 1));
  assert.equal(c.prev.month, '2026-09');
  assert.equal(c.countDelta, 3);
  assert.equal(c.ratingDelta, null);
});

test('data that ends in the past compares its own last two months', () => {
  const c = lastMonthComparison([m('2017-07', 10, 4), m('2017-08', 12, 4.5)], new Date(2026, 0, 1));
  assert.equal(c.month, '2017-08');
  assert.equal(c.countDelta, 2);
});

test('one month or none gives no comparison', () => {
  assert.equal(lastMonthComparison([], new Date()), null);
  assert.equal(lastMonthComparison([m('2026-11', 3, 4)], new Date(2026, 10, 2)), null);
  const single = lastMonthComparison([m('2026-10', 3, 4)], new Date(2026, 10, 2));
  assert.equal(single.prev, null);
  assert.equal(single.countDelta, null);
});

test('rated count adds up the distribution', () => {
  assert.equal(ratedCount({ 1: 1, 2: 2, 3: 3, 4: 4, 5: 5 }), 15);
  assert.equal(ratedCount(null), 0);
});

test('trend direction', () => {
  assert.equal(trend(0.2), 'up');
  assert.equal(trend(-1), 'down');
  assert.equal(trend(0), 'flat');
  assert.equal(trend(null), 'flat');
  assert.equal(monthOf(new Date(2026, 0, 31)), '2026-01');
});

test('period changes: rating in stars, shares in fractions, none where a side is missing', async () => {
  const { periodChange } = await import('../metrics.js');
  const c = periodChange(
    { count: 89, average_rating: 2.7, positive_share: 0.23, response_rate: 0.38 },
    { count: 57, average_rating: 4.0, positive_share: 0.37, response_rate: 0.3 },
    15, 2,
  );
  assert.deepEqual(c, { rating: -1.3, count: 32, positive: -0.14, response: 0.08, unanswered: 13 });
  const none = periodChange({ count: 0, average_rating: null, positive_share: null, response_rate: null },
    { count: 0, average_rating: null, positive_share: null, response_rate: null }, 0, 0);
  assert.equal(none.rating, null);
  assert.equal(none.count, null);
});

test('a change\'s arrow follows the number and its colour says whether that is good', async () => {
  const { kpiChange } = await import('../metrics.js');
  // More unanswered complaints: the number rose (▲) and that is bad.
  assert.deepEqual(kpiChange(9, '+9 from 4', false), { dir: 'down', arrow: 'up', text: '+9 from 4' });
  // A lower rating: the number fell (▼) and that is bad.
  assert.deepEqual(kpiChange(-1.4, '−1.4 from 4.2'), { dir: 'down', arrow: 'down', text: '−1.4 from 4.2' });
  assert.deepEqual(kpiChange(0, 'no change'), { dir: 'flat', arrow: 'flat', text: 'no change' });
  assert.equal(kpiChange(null, 'x'), null);
});
