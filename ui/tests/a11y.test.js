// Issue 32: focus kept across redraws, a window title per screen, the coach's warnings read out
// once, the Sources form kept through a background round, and each chart's one-sentence summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  barsSummary, distributionSummary, focusSnapshot, monthlySummary, newWarnings, restoreFocus,
  screenTitle, sentimentSummary, trendSummary,
} from '../a11y-logic.js';
import { keepConnectForm } from '../sources-logic.js';

/** A stand-in element: an id, maybe a caret, and a record of being focused. */
function el(id, { caret = null, disabled = false } = {}) {
  const e = {
    id, disabled, focused: 0, range: null,
    focus() { this.focused += 1; },
  };
  if (caret) {
    e.selectionStart = caret[0];
    e.selectionEnd = caret[1];
    e.setSelectionRange = (a, b) => { e.range = [a, b]; };
  }
  return e;
}
const container = (...inside) => ({ contains: (x) => inside.includes(x) });

test('the window title names the screen first, then the app', () => {
  assert.equal(screenTitle('Inbox'), 'Inbox – Earshot');
  assert.equal(screenTitle('  Review from\n Tom '), 'Review from Tom – Earshot');
  assert.equal(screenTitle(''), 'Earshot');
});

test('focus in a text field comes back to the same field with its caret after a redraw', () => {
  const old = el('connect-set-api_key', { caret: [4, 4] });
  const snap = focusSnapshot(old, container(old));
  assert.deepEqual(snap, { id: 'connect-set-api_key', start: 4, end: 4 });
  const fresh = el('connect-set-api_key', { caret: [0, 0] });
  const heading = el('sources-title');
  const got = restoreFocus(snap, (id) => (id === fresh.id ? fresh : null), heading);
  assert.equal(got, fresh);
  assert.equal(fresh.focused, 1);
  assert.deepEqual(fresh.range, [4, 4]);
  assert.equal(heading.focused, 0);
});

test('when the focused element is gone or disabled after a redraw, the heading gets focus, never the page', () => {
  const button = el('alert-seen-3');
  const heading = el('alerts-title');
  assert.equal(restoreFocus(focusSnapshot(button, container(button)), () => null, heading), heading);
  const disabled = el('alert-seen-3', { disabled: true });
  const h2 = el('alerts-title');
  assert.equal(restoreFocus({ id: 'alert-seen-3' }, () => disabled, h2), h2);
  assert.equal(disabled.focused, 0);
});

test('a button that goes away hands focus to the element it names, then to the heading', () => {
  const seen = { ...el('alert-seen-3'), dataset: { focusFallback: 'alert-dismiss-3' } };
  const snap = focusSnapshot(seen, container(seen));
  assert.deepEqual(snap, { id: 'alert-seen-3', fallback: 'alert-dismiss-3' });
  const dismiss = el('alert-dismiss-3');
  const heading = el('alerts-title');
  assert.equal(restoreFocus(snap, (id) => (id === 'alert-dismiss-3' ? dismiss : null), heading), dismiss);
  // Inside a closed <details> focusing does nothing: the heading then.
  const hidden = el('alert-dismiss-3');
  assert.equal(restoreFocus(snap, (id) => (id === 'alert-dismiss-3' ? hidden : null), heading, (x) => x !== hidden), heading);
});

test('focus outside the view, or on an element without an id, is left alone', () => {
  const nav = el('nav-inbox');
  assert.equal(focusSnapshot(nav, container()), null);
  assert.equal(focusSnapshot(el(''), container()), null);
  assert.equal(restoreFocus(null, () => null, null), null);
});

test('the coach reads each warning once, not again after every pause in typing', () => {
  const said = new Set();
  const shout = { code: 'shouting', message: 'Capitals read as shouting.' };
  const sorry = { code: 'no_apology', message: 'Say sorry.' };
  assert.deepEqual(newWarnings([shout], said), [shout]);
  assert.deepEqual(newWarnings([shout], said), []);
  assert.deepEqual(newWarnings([shout, sorry], said), [sorry]);
  assert.deepEqual(newWarnings([], said), []);
  assert.deepEqual(newWarnings([sorry], said), []);
});

test('the Sources form is kept through a redraw of the screen it is on, unless it just connected', () => {
  assert.equal(keepConnectForm({ kept: true, onScreen: true, used: false }), true);
  // Arriving from another screen, or after a platform was connected: a fresh form.
  assert.equal(keepConnectForm({ kept: true, onScreen: false, used: false }), false);
  assert.equal(keepConnectForm({ kept: true, onScreen: true, used: true }), false);
  assert.equal(keepConnectForm({ kept: false, onScreen: false, used: false }), false);
});

test('each chart has a one-sentence summary of what it shows', () => {
  assert.equal(
    monthlySummary([{ label: 'May 2025', count: 4 }, { label: 'June 2025', count: 9 }, { label: 'July 2025', count: 2 }]),
    '15 reviews and posts over 3 months; the busiest was June 2025 with 9.',
  );
  assert.equal(monthlySummary([]), 'No reviews yet.');
  assert.equal(
    trendSummary([{ label: 'week of Nov 3', rating: 4.2 }, { label: 'week of Nov 10', rating: null },
      { label: 'week of Nov 17', rating: 3.6 }, { label: 'week of Nov 24', rating: 3.9 }], 'week'),
    'The rating fell from 4.2★ to 3.9★ over 3 weeks; the lowest was 3.6★ (week of Nov 17).',
  );
  assert.equal(trendSummary([], 'week'), 'No ratings in this period.');
  assert.equal(
    sentimentSummary([{ label: 'Nov', negative: 0.2, neutral: 0.1, positive: 0.7 },
      { label: 'Dec', negative: 0.4, neutral: 0.1, positive: 0.5 }], 'month'),
    'Across 2 months, 60% positive, 10% neutral and 30% negative on average; the most negative was Dec (40%).',
  );
  assert.equal(
    distributionSummary([{ star: 5, count: 6 }, { star: 4, count: 2 }, { star: 3, count: 0 }, { star: 2, count: 1 }, { star: 1, count: 1 }]),
    'Most are 5 stars (60%); 20% are 1 or 2 stars.',
  );
  assert.equal(
    barsSummary([{ label: 'Google', value: 120 }, { label: 'Yelp', value: 80 }], 'reviews'),
    '2 in all; the most reviews are for Google (120 of 200).',
  );
});
