import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EMPTY_CHOICES, REMOVED_CHOICES, excerpt, filterFromChoices, fold, highlightParts, isFiltered, moveSelection,
  pagesFor, searchTerms, visibleRange,
} from '../inbox-logic.js';
import { parseRoute } from '../route.js';

test('no choices list everything', () => {
  assert.deepEqual(filterFromChoices(EMPTY_CHOICES), {});
  assert.equal(isFiltered(EMPTY_CHOICES), false);
});

test('each choice narrows the core filter', () => {
  const f = filterFromChoices({
    ...EMPTY_CHOICES, business: '2', platform: 'yelp', stars: 'low', sentiment: 'negative',
    answered: 'no', unread: true, aspect: 'wait time', q: '  cold coffee ',
  });
  assert.deepEqual(f, {
    business_id: 2, platform: 'yelp', min_rating: 1, max_rating: 2, sentiment: 'negative',
    unanswered: true, unread: true, aspect: 'wait time', search: 'cold coffee',
  });
  assert.equal(filterFromChoices({ ...EMPTY_CHOICES, answered: 'yes' }).answered, true);
  assert.deepEqual(filterFromChoices({ ...EMPTY_CHOICES, stars: '3' }), { min_rating: 3, max_rating: 3 });
});

test('the removed filter keeps what platforms took down within reach (issue 27)', () => {
  assert.deepEqual(filterFromChoices({ ...EMPTY_CHOICES, removed: 'only' }), { removed: true });
  assert.deepEqual(filterFromChoices({ ...EMPTY_CHOICES, removed: 'all' }), { include_removed: true });
  assert.equal(isFiltered({ ...EMPTY_CHOICES, removed: 'only' }), true);
  assert.deepEqual(REMOVED_CHOICES.map(([v]) => v), ['', 'all', 'only']);
});

test('the date range includes the whole last day, and bad dates are ignored', () => {
  const f = filterFromChoices({ ...EMPTY_CHOICES, from: '2026-01-01', to: '2026-01-31' });
  const since = new Date(f.since);
  const until = new Date(f.until);
  assert.equal(Math.round((until - since) / 86400e3), 31);
  assert.deepEqual(filterFromChoices({ ...EMPTY_CHOICES, from: 'yesterday' }), {});
});

test('the virtual window covers the viewport plus overscan and never leaves the list', () => {
  assert.deepEqual(visibleRange({ scrollTop: 0, viewport: 460, rowHeight: 92, count: 100000, overscan: 2 }), [0, 7]);
  assert.deepEqual(visibleRange({ scrollTop: 92 * 50000, viewport: 460, rowHeight: 92, count: 100000, overscan: 2 }), [49998, 50007]);
  assert.deepEqual(visibleRange({ scrollTop: 92 * 99999, viewport: 460, rowHeight: 92, count: 100000, overscan: 2 }), [99997, 100000]);
  assert.deepEqual(visibleRange({ scrollTop: 0, viewport: 460, rowHeight: 92, count: 0 }), [0, 0]);
});

test('pages cover a window that straddles a page boundary', () => {
  assert.deepEqual(pagesFor([95, 110], 100), [0, 1]);
  assert.deepEqual(pagesFor([0, 10], 100), [0]);
  assert.deepEqual(pagesFor([5, 5], 100), []);
});

test('highlights mark whole words, any case and accents, and keep every character', () => {
  const terms = searchTerms('Cafe WAIT');
  assert.deepEqual(terms, ['cafe', 'wait']);
  const text = 'The café had a long wait; waiting is no fun. Wait!';
  const parts = highlightParts(text, terms);
  assert.equal(parts.map((p) => p.text).join(''), text);
  assert.deepEqual(parts.filter((p) => p.match).map((p) => p.text), ['café', 'wait', 'Wait']);
  assert.deepEqual(highlightParts('<b>x</b>', []), [{ text: '<b>x</b>', match: false }]);
  assert.equal(fold('Ünïcödé'), 'unicode');
});

test('an excerpt starts near the first match so it is visible', () => {
  const long = `${'Lovely place. '.repeat(30)}But the staff were rude. ${'More text. '.repeat(30)}`;
  const e = excerpt(long, ['rude'], 120);
  assert.ok(e.startsWith('…') && e.includes('rude'), e);
  assert.ok(e.length <= 122);
  assert.equal(excerpt('short  text\n here', []), 'short text here');
});

test('j and k move the selection within the list', () => {
  assert.equal(moveSelection(-1, 'j', 10), 0);
  assert.equal(moveSelection(0, 'j', 10), 1);
  assert.equal(moveSelection(9, 'j', 10), 9);
  assert.equal(moveSelection(0, 'k', 10), 0);
  assert.equal(moveSelection(3, 'k', 10), 2);
  assert.equal(moveSelection(3, 'x', 10), 3);
  assert.equal(moveSelection(3, 'j', 0), -1);
});

test('routes carry a parameter and unknown ones fall back to the dashboard', () => {
  const routes = new Map([['inbox', {}], ['review', {}], ['dashboard', {}]]);
  assert.deepEqual(parseRoute('#review/12/reply', routes), { route: 'review', param: '12/reply' });
  assert.deepEqual(parseRoute('#inbox', routes), { route: 'inbox', param: '' });
  assert.deepEqual(parseRoute('#nope', routes), { route: 'dashboard', param: '' });
  assert.deepEqual(parseRoute('', routes), { route: 'dashboard', param: '' });
});
