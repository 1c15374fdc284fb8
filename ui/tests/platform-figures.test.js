// What a platform itself shows for a business (issue 25), as the source card says it.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { platformSays } from '../sources-logic.js';

const now = new Date('2026-12-07T12:00:00Z');
const at = (iso) => Date.parse(iso) / 1000;

test('the card says what the platform shows and when it was read', () => {
  const s = { connector: 'google-places', platform_rating: 4.4, platform_review_count: 312, platform_rating_at: at('2026-12-07T08:00:00Z') };
  assert.equal(platformSays(s, { label: 'Google (public)' }, now), 'Google (public) says 4.4★ from 312 reviews (read today)');
  const older = { ...s, platform_rating: 4, platform_rating_at: at('2026-12-06T08:00:00Z') };
  assert.equal(platformSays(older, { label: 'Yelp' }, now), 'Yelp says 4.0★ from 312 reviews (read yesterday)');
});

test('a platform that reports nothing says nothing', () => {
  assert.equal(platformSays({ connector: 'rss', platform_rating: null, platform_review_count: null, platform_rating_at: null }, null, now), null);
  assert.equal(platformSays({ connector: 'x', platform_rating: null, platform_review_count: 5, platform_rating_at: at('2026-12-07T08:00:00Z') }, null, now), 'x says 5 reviews, no rating (read today)');
});
