import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  changeText, sparkPoints, splitWords, taggingText, topicDirection, topicFigures, trendText,
} from '../topics-logic.js';

test('the words are split at commas, trimmed, without blanks or repeats', () => {
  assert.deepEqual(splitWords('new menu, seasonal menu,menu,, Menu'), ['new menu', 'seasonal menu', 'menu']);
  assert.deepEqual(splitWords(''), []);
  assert.deepEqual(splitWords(null), []);
});

test('a topic\'s figures read as words', () => {
  assert.equal(topicFigures({ mentions: 12, negative: 3 }), 'talked about 12 times · 25% negative');
  assert.equal(topicFigures({ mentions: 0, negative: 0 }), 'not talked about in this period');
});

test('rising complaints point up, falling down, small changes are steady', () => {
  assert.equal(topicDirection({ recent_negative_share: 0.6, previous_negative_share: 0.2 }).dir, 'up');
  assert.equal(topicDirection({ recent_negative_share: 0.1, previous_negative_share: 0.4 }).dir, 'down');
  assert.equal(topicDirection({ recent_negative_share: 0.3, previous_negative_share: 0.28 }).dir, 'flat');
  assert.equal(topicDirection({ recent_negative_share: null, previous_negative_share: 0.2 }), null);
});

test('the trend line fits its box, the busiest period at the top', () => {
  const trend = [{ period: 'a', mentions: 0 }, { period: 'b', mentions: 4 }, { period: 'c', mentions: 2 }];
  assert.equal(sparkPoints(trend, 100, 24), '0,22 50,2 100,12');
  assert.equal(sparkPoints([{ period: 'a', mentions: 3 }]), '');
  assert.equal(trendText(trend), 'a: 0, b: 4, c: 2');
});

test('progress and results are sentences', () => {
  assert.equal(taggingText({ done: 1200, total: 5000 }), 'Tagging your reviews… 1,200 of 5,000');
  assert.equal(changeText({ topic: { name: 'parking' }, reviews_retagged: 3 }, 'Saved'), 'Saved “parking”. 3 reviews tagged anew.');
  assert.equal(changeText({ topic: { name: 'parking' }, reviews_retagged: 0 }, 'Removed'), 'Removed “parking”. No review changed.');
});
