import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDays, alertFacts, alertFigures, alertMessage, alertsSummary, inboxChoicesFor, kindIcon,
  reviewTarget, splitAlerts, starChange,
} from '../alerts-logic.js';

test('new alerts come first whatever their date, then those seen lately; dismissed ones apart', () => {
  const { fresh, recent, open, past } = splitAlerts([
    { id: 1, state: 'seen', created_at: '2026-11-01T10:00:00Z' },
    { id: 2, state: 'dismissed', created_at: '2026-11-03T10:00:00Z' },
    { id: 3, state: 'new', created_at: '2026-11-02T10:00:00Z' },
    { id: 4, state: 'seen', created_at: '2026-09-01T10:00:00Z' },
    { id: 5, state: 'new', created_at: '2026-01-01T10:00:00Z' },
    { id: 6, state: 'seen', created_at: '2026-11-04T10:00:00Z' },
  ], new Date('2026-11-05T00:00:00Z'));
  assert.deepEqual(fresh.map((a) => a.id), [3, 5]);
  assert.deepEqual(recent.map((a) => a.id), [6, 1]);
  assert.deepEqual(open.map((a) => a.id), [3, 5, 6, 1]);
  assert.deepEqual(past.map((a) => a.id), [2, 4]);
});

test('the summary counts new and recently seen alerts, and reassures when there are none', () => {
  assert.equal(alertsSummary({ fresh: [{}, {}, {}], recent: [{}] }), '3 new · 1 seen in the last two weeks');
  assert.equal(alertsSummary({ fresh: [{}], recent: [] }), '1 new');
  assert.match(alertsSummary({ fresh: [], recent: [] }), /tells you when something needs you/);
});

test('a rating drop reads as before, after and the change', () => {
  const figures = alertFigures({
    kind: 'rating_drop',
    details: { recent_average: 3.5, recent_reviews: 44, baseline_average: 4.2, baseline_reviews: 130, day: '2026-11-06' },
  });
  assert.deepEqual(figures, [
    ['Recently', '3.5★ from 44 reviews'],
    ['Before', '4.2★ from 130 reviews'],
    ['Change', '−0.7★'],
  ]);
  assert.deepEqual(alertFacts({ kind: 'rating_drop', details: { recent_average: 3.5, baseline_average: 4.2 } }),
    ['Recently: 3.5★', 'Before: 4.2★', 'Change: −0.7★']);
});

test('spikes, competitors, watch words and failing sources have their own figures', () => {
  assert.deepEqual(alertFigures({ kind: 'spike', details: { items: 14, peak_per_hour: 9, usual_per_hour: 0.04 } }), [
    ['Reviews and posts', '14'], ['Busiest hour', '9 reviews and posts'], ['Usual pace', 'under 0.1 an hour'],
  ]);
  assert.deepEqual(alertFigures({
    kind: 'competitor', business: 'Harbour Lane Café',
    details: { competitor: 'The Daily Grind', competitor_average: 4.14, competitor_reviews: 60, own_average: 4.08, own_reviews: 1, window_days: 90 },
  }), [
    ['The Daily Grind', '4.14★ from 60 reviews'],
    ['Harbour Lane Café', '4.08★ from 1 review'],
    ['Over', 'the last 90 days'],
  ]);
  assert.deepEqual(alertFigures({ kind: 'watch_word', details: { words: ['refund', 'scam'], rating: 1 } }), [['Words', 'refund, scam']]);
  assert.deepEqual(alertFigures({ kind: 'source_health', details: { platform: 'google', error_code: 'auth_expired' } }), [
    ['Platform', 'Google'], ['Problem', 'auth expired'],
  ]);
});

test('alerts about one review have no figures: the review card shows them', () => {
  assert.deepEqual(alertFigures({ kind: 'new_negative', details: { rating: 1, platform: 'google' } }), []);
  assert.deepEqual(alertFigures({ kind: 'unanswered', details: { hours: 24 } }), []);
  assert.deepEqual(alertFigures({}), []);
  assert.deepEqual(alertFigures(null), []);
});

test('star changes carry a real minus sign', () => {
  assert.equal(starChange(-0.7), '−0.7★');
  assert.equal(starChange(0.25), '+0.3★');
  assert.equal(starChange(0), '±0.0★');
  assert.equal(starChange(null), '—');
});

test('the quote of the review is dropped from the message when the review is shown below', () => {
  const review = { id: 7, kind: 'review', replied: false };
  const a = { kind: 'new_negative', review_ids: [7], reviews: [review], message: 'New 1★ review on Google from Tom A.: “Rude staff at the till…”' };
  assert.equal(alertMessage(a), 'New 1★ review on Google from Tom A.');
  assert.equal(alertMessage({ ...a, message: 'A 1★ review on Yelp from Noah has had no reply for 24 hours: “Not good”' }),
    'A 1★ review on Yelp from Noah has had no reply for 24 hours.');
  assert.equal(alertMessage({ ...a, reviews: [] }), a.message, 'no review card: the quote stays');
  const w = { kind: 'watch_word', review_ids: [7], reviews: [review], message: 'Mentioned “refund” in a review: “I want a refund”' };
  assert.equal(alertMessage(w), w.message, 'a watch word keeps the sentence it was found in');
  const drop = { kind: 'rating_drop', reviews: [review], message: 'The average fell to 3.5★.' };
  assert.equal(alertMessage(drop), drop.message);
});

test('an alert about one review opens it: Reply while unanswered, else Open review', () => {
  const a = (r, kind = 'unanswered') => ({ kind, review_ids: [r.id], reviews: [r] });
  assert.deepEqual(reviewTarget(a({ id: 3, kind: 'review', replied: false })), { id: 3, label: 'Reply' });
  assert.deepEqual(reviewTarget(a({ id: 3, kind: 'review', replied: true })), { id: 3, label: 'Open review' });
  assert.deepEqual(reviewTarget(a({ id: 4, kind: 'mention', replied: false }, 'new_negative')), { id: 4, label: 'Open review' });
  assert.equal(reviewTarget({ kind: 'spike', review_ids: [1, 2], reviews: [{ id: 1 }, { id: 2 }] }), null);
  assert.equal(reviewTarget({ kind: 'new_negative', review_ids: [9], reviews: [] }), null, 'a review deleted since');
});

test('alerts about many reviews open the inbox on their days', () => {
  assert.equal(addDays('2026-11-06', -29), '2026-10-08');
  assert.equal(addDays('2024-03-01', -1), '2024-02-29');
  assert.equal(addDays('nonsense', 1), '');
  assert.deepEqual(inboxChoicesFor({ kind: 'rating_drop', business_id: 1, details: { day: '2026-11-06' } }),
    { business: '1', from: '2026-10-08', to: '2026-11-06' });
  assert.deepEqual(inboxChoicesFor({ kind: 'competitor', business_id: 1, details: { day: '2026-10-24', competitor_id: 2, window_days: 90 } }),
    { business: '2', from: '2026-07-27', to: '2026-10-24' });
  const spike = inboxChoicesFor({ kind: 'spike', business_id: 1, details: { start: '2026-06-01T12:00:00Z', end: '2026-06-01T14:00:00Z' } });
  assert.equal(spike.business, '1');
  assert.match(spike.from, /^2026-06-0[12]$/);
  assert.equal(inboxChoicesFor({ kind: 'new_negative', details: {} }), null);
});

test('every kind has a glyph, and an unknown one a neutral dot', () => {
  for (const k of ['new_negative', 'unanswered', 'rating_drop', 'spike', 'watch_word', 'competitor', 'source_health']) {
    assert.notEqual(kindIcon(k), '•');
  }
  assert.equal(kindIcon('constructor'), '•');
});

test('issue 28: a week of complaints, a topic surge and a bombing show their figures and the odds', () => {
  const week = {
    kind: 'spike',
    business_id: 1,
    details: {
      direction: 'complaints', start: '2025-06-05', end: '2025-06-11', items: 7, usual: 0.31,
      evidence: { test: 'poisson_upper_tail', statistic: { p_value: 4e-7 }, window: { days: 7 } },
    },
  };
  assert.deepEqual(alertFigures(week), [
    ['Which way', 'Complaints'], ['Reviews and posts', '7 in 7 days'], ['Usual', 'about 0.3'],
    ['Chance by luck', '1 in 2.5 million'],
  ]);
  assert.deepEqual(inboxChoicesFor(week), { business: '1', from: '2025-06-05', to: '2025-06-11' });
  const topic = {
    kind: 'topic_surge',
    business_id: 2,
    details: {
      topic: 'parking', items: 9, usual: 1.2,
      evidence: { statistic: { p_value: 0.00002 }, window: { start: '2025-06-01', end: '2025-06-14', days: 14 } },
    },
  };
  assert.deepEqual(alertFigures(topic), [
    ['Topic', 'parking'], ['Negative reviews and posts', '9 in 14 days'], ['Usual', 'about 1.2'],
    ['Chance by luck', '1 in 50,000'],
  ]);
  assert.deepEqual(inboxChoicesFor(topic), { business: '2', from: '2025-06-01', to: '2025-06-14' });
  assert.deepEqual(alertFigures({ kind: 'review_bomb', details: { first_time_low_ratings: 10, hours: 6 } }),
    [['Low ratings from first-time reviewers', '10 within 6 hours']]);
  assert.equal(kindIcon('review_bomb'), '✸');
});
