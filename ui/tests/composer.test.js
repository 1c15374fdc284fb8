import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  composerActions, describeReply, earlierTexts, editableReply, lengthLabel, measure,
} from '../composer-logic.js';
import { groupPlatforms, settingsFromForm, sourceStatus } from '../sources-logic.js';

test('length is measured in each platform unit', () => {
  assert.equal(measure('café', { unit: 'chars', max: 10 }), 4);
  assert.equal(measure('café', { unit: 'bytes', max: 10 }), 5);
  assert.equal(measure('hi 😀', { unit: 'weighted', max: 280 }), 5);
  assert.equal(measure('see https://example.com/a/very/long/path ok', { unit: 'weighted', max: 280 }), 4 + 23 + 3);
});

test('bluesky counts graphemes: a family emoji is one character', () => {
  const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
  assert.equal(measure(`hi ${family}`, { unit: 'graphemes', max: 300 }), 4);
  assert.equal(lengthLabel('abc', { unit: 'graphemes', max: 300 }).text, '3 of 300 characters');
});

test('edit and delete go on the newest reply sent from Earshot, where the platform allows', () => {
  const replies = [
    { id: 1, origin: 'earshot', state: 'posted' },
    { id: 2, origin: 'platform', state: 'posted' },
    { id: 3, origin: 'earshot', state: 'posted' },
    { id: 4, origin: 'earshot', state: 'failed' },
    { id: 5, origin: 'earshot', state: 'draft' },
  ];
  assert.deepEqual(editableReply({ replies, can_edit: true, can_delete: false }), { id: 3, canEdit: true, canDelete: false });
  assert.equal(editableReply({ replies, can_edit: false, can_delete: false }), null);
  assert.equal(editableReply({ replies: [{ id: 2, origin: 'platform', state: 'posted' }], can_edit: true }), null);
});

test('earlier texts of a reply are listed newest first', () => {
  const m = earlierTexts([
    { reply_id: 3, body: 'first', replaced_at: '2024-05-01T00:00:00Z' },
    { reply_id: 3, body: 'second', replaced_at: '2024-05-02T00:00:00Z' },
  ]);
  assert.deepEqual(m.get(3).map((v) => v.body), ['second', 'first']);
  assert.equal(m.get(1), undefined);
});

test('the counter says when a draft is over the limit', () => {
  assert.deepEqual(lengthLabel('abc', { unit: 'chars', max: 2 }), { text: '3 of 2 characters', over: true, note: null });
  assert.equal(lengthLabel('abc', { unit: 'bytes', max: 4096 }).text, '3 of 4,096 characters');
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
