import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutRatingTrend, periodLabel } from '../charts/overview.js';

const p = (period, start, average_rating, running_rating) => ({ period, start, average_rating, running_rating, rated: 3 });

test('the rating trend scale hugs the data in half stars, within 1–5', () => {
  const l = layoutRatingTrend([p('a', '2026-11-02', 4.2, 4.1), p('b', '2026-11-09', 2.1, 4.0), p('c', '2026-11-16', null, 4.0)]);
  assert.equal(l.lo, 1.5);
  assert.equal(l.hi, 4.5);
  assert.equal(l.points[2], null);
  assert.ok(l.points[0].y < l.points[1].y, 'a higher rating is drawn higher');
  const flat = layoutRatingTrend([p('a', '2026-11-02', 5, 5)]);
  assert.equal(flat.hi, 5);
});

test('periods are labelled by their start', () => {
  assert.equal(periodLabel({ period: '2026-W45', start: '2026-11-02' }, 'week'), 'Nov 2');
  assert.equal(periodLabel({ period: '2026-11', start: '2026-11-01' }, 'month'), 'Nov');
});
