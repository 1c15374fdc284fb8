// The first run (issue 32): the business is named first, the demo opens apart from the owner's
// data and leaving it brings the owner's back, connecting starts with what needs no account, and
// the Connect form offers the owner's name, never the demo café's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../api.js';
import { reset } from '../fake-backend.js';
import {
  accessLabel, byAccess, checkBusinessName, connectPrefill, noAccountNeeded, welcomeStep,
} from '../first-run-logic.js';

const spec = (name, label, access, feed = 'reviews') => ({ name, label, feed, guide: access ? { access } : undefined });

test('the welcome asks the business’s name first, then offers the ways in', () => {
  assert.equal(welcomeStep({ businesses: [] }), 'name');
  assert.equal(welcomeStep(null), 'name');
  // A competitor alone is not the owner's business.
  assert.equal(welcomeStep({ businesses: [{ id: 2, name: 'Rival', is_competitor: true }] }), 'name');
  assert.equal(welcomeStep({ businesses: [{ id: 1, name: 'Joe’s Bakery', is_competitor: false }] }), 'ways');
});

test('a business name is trimmed, and an empty one is refused in plain words', () => {
  assert.deepEqual(checkBusinessName('  Joe’s   Bakery '), { name: 'Joe’s Bakery' });
  assert.match(checkBusinessName('   ').error, /name/);
  assert.ok(checkBusinessName('x'.repeat(201)).error);
});

test('every platform is tagged with what it asks, and those needing no account come first', () => {
  const specs = [
    spec('google-business', 'Google Business Profile', 'approval'),
    spec('yelp', 'Yelp', 'developer_key'),
    spec('bluesky', 'Bluesky', 'your_account', 'mentions'),
    spec('app-store', 'App Store', 'no_account'),
    spec('rss', 'News feed', 'no_account', 'mentions'),
    spec('old', 'Old thing', undefined),
  ];
  assert.deepEqual(byAccess(specs).map((s) => s.name),
    ['app-store', 'rss', 'bluesky', 'old', 'yelp', 'google-business']);
  assert.equal(accessLabel(specs[0]), 'needs approval');
  assert.equal(accessLabel(specs[1]), 'needs a developer key');
  assert.equal(accessLabel(specs[3]), 'no account needed');
  // Without a tag, never promise that no account is needed.
  assert.equal(accessLabel(specs[5]), 'needs a developer key');
  assert.deepEqual(noAccountNeeded(specs).map((s) => s.name), ['app-store', 'rss']);
});

test('the Connect form offers the owner’s business, and nothing while the demo is open', () => {
  const own = [{ id: 2, name: 'Rival', is_competitor: true }, { id: 1, name: 'Joe’s Bakery', is_competitor: false }];
  assert.equal(connectPrefill(own, false), 'Joe’s Bakery');
  assert.equal(connectPrefill([{ id: 1, name: 'Harbour Lane Café', is_competitor: false }], true), '');
  assert.equal(connectPrefill([], false), '');
});

test('the demo opens apart from the owner’s data, and leaving it brings that data back', async () => {
  reset();
  await api.addBusiness('Joe’s Bakery', false);
  assert.equal((await api.demoState()).active, false);

  await api.loadDemo();
  assert.equal((await api.demoState()).active, true);
  const demo = await api.dashboard();
  assert.equal(demo.business.name, 'Harbour Lane Café');
  assert.ok(!demo.businesses.some((b) => b.name === 'Joe’s Bakery'));

  const events = [];
  const stop = await api.onReviewsChanged((p) => events.push(p));
  await api.leaveDemo();
  stop();
  assert.equal(events.length, 1, 'leaving the demo redraws the screens once');
  assert.equal((await api.demoState()).active, false);
  const mine = await api.dashboard();
  assert.equal(mine.empty, true);
  assert.deepEqual(mine.businesses.map((b) => b.name), ['Joe’s Bakery']);
  assert.equal(welcomeStep(mine), 'ways');
  assert.equal(connectPrefill(mine.businesses, false), 'Joe’s Bakery');
});
