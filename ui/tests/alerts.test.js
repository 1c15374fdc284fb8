import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertFacts, splitAlerts } from '../alerts-logic.js';

test('open alerts come first, newest first; dismissed ones apart', () => {
  const { open, past } = splitAlerts([
    { id: 1, state: 'seen', created_at: '2026-11-01T10:00:00Z' },
    { id: 2, state: 'dismissed', created_at: '2026-11-03T10:00:00Z' },
    { id: 3, state: 'new', created_at: '2026-11-02T10:00:00Z' },
    { id: 4, state: 'seen', created_at: '2026-09-01T10:00:00Z' },
    { id: 5, state: 'new', created_at: '2026-01-01T10:00:00Z' },
  ], new Date('2026-11-05T00:00:00Z'));
  assert.deepEqual(open.map((a) => a.id), [3, 1, 5]);
  assert.deepEqual(past.map((a) => a.id), [2, 4]);
});

test('alert figures read as plain words', () => {
  assert.deepEqual(alertFacts({ details: { recent_average: 3.5, recent_reviews: 44, baseline_average: 4.2 } }),
    ['3.5★ over 44 recent reviews, was 4.2★']);
  assert.deepEqual(alertFacts({ details: { words: ['refund', 'scam'], rating: 1 } }), ['words: refund, scam']);
  assert.deepEqual(alertFacts({ details: { rating: 1, platform: 'google' } }), []);
  assert.deepEqual(alertFacts({}), []);
});
