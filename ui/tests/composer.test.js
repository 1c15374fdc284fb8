import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composerActions, describeReply, lengthLabel, measure } from '../composer-logic.js';
import { groupPlatforms, settingsFromForm, sourceStatus } from '../sources-logic.js';

test('length is measured in each platform unit', () => {
  assert.equal(measure('café', { unit: 'chars', max: 10 }), 4);
  assert.equal(measure('café', { unit: 'bytes', max: 10 }), 5);
  assert.equal(measure('hi 😀', { unit: 'weighted', max: 280 }), 5);
  assert.equal(measure('see https://example.com/a/very/long/path ok', { unit: 'weighted', max: 280 }), 4 + 23 + 3);
});

test('the counter says when a draft is over the limit', () => {
  assert.deepEqual(lengthLabel('abc', { unit: 'chars', max: 2 }), { text: '3 / 2 characters', over: true });
  assert.equal(lengthLabel('abc', { unit: 'bytes', max: 4096 }).text, '3 / 4,096 bytes');
  assert.equal(lengthLabel('abc', { unit: 'bytes', max: 4096 }).over, false);
});

test('replies in the thread are described in plain words', () => {
  assert.deepEqual(describeReply({ origin: 'platform', state: 'posted' }), { heading: 'Your reply on the platform', state: 'Posted', tone: 'ok' });
  assert.equal(describeReply({ origin: 'earshot', state: 'failed' }).tone, 'bad');
});

test('the composer offers Post only where the platform has a reply API', () => {
  assert.deepEqual(composerActions({ kind: 'post', connector: 'trustpilot' }), ['post', 'save', 'discard']);
  assert.ok(composerActions({ kind: 'copy_and_open', url: null }).includes('copy'));
});

test('platforms are grouped reviews first, then mentions, then files', () => {
  const g = groupPlatforms([
    { name: 'rss', label: 'RSS', feed: 'mentions' },
    { name: 'file', label: 'File', feed: 'file' },
    { name: 'yelp', label: 'Yelp', feed: 'reviews' },
    { name: 'bluesky', label: 'Bluesky', feed: 'mentions' },
  ]);
  assert.deepEqual(g.map(([f, l]) => [f, l.map((s) => s.name)]), [
    ['reviews', ['yelp']], ['mentions', ['bluesky', 'rss']], ['file', ['file']],
  ]);
});

test('empty fields are left to their defaults', () => {
  assert.deepEqual(settingsFromForm([['api_key', ' k '], ['base_url', ''], ['x', null]]), { api_key: 'k' });
});

test('a source status reads as plain words', () => {
  assert.equal(sourceStatus({ status: 'ok' }).tone, 'ok');
  assert.match(sourceStatus({ status: 'error', consecutive_failures: 3 }).text, /3 tries/);
  assert.equal(sourceStatus({ status: 'new', connector: 'file' }).text, 'Imported file');
});
