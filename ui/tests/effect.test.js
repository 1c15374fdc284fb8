// "What works for you" and "Ask them to update" (issue 29): the words and bars of the view, from
// the core's figures (the shape `earshot replies effect --json` prints), without a DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bucketBars, followUpState, groupText, habitRows, headlineFigures, recoveryText, verdictLabel,
} from '../effect-logic.js';

const group = (replies, recovered, ids = []) => ({
  replies, recovered, rate: replies ? recovered / replies : null, review_ids: [], recovered_review_ids: ids,
});

const effect = {
  business: "Joe's Café",
  unhappy: 30,
  answered: group(24, 10),
  rating_rose: 7,
  came_back: 3,
  came_back_share: 0.1,
  comeback_days: 365,
  min_group: 5,
  habits: [
    { habit: 'replied', label: 'a reply', with: group(24, 10), without: group(6, 0), verdict: 'no_clear_difference', p_value: 0.07, says: 'No clear difference for a reply.' },
    { habit: 'apology_and_offer', label: 'an apology and an offer to talk offline', with: group(12, 9, [1, 2, 3]), without: group(12, 1), verdict: 'more_often', p_value: 0.0028, says: 'Replies with an apology and an offer to talk offline won customers back more often: 9 of 12 (75%) against 1 of 12 (8%) without.' },
    { habit: 'personal', label: 'a personal reply', with: group(3, 2), without: group(21, 8), verdict: 'too_few', p_value: null, says: 'Too few to tell for a personal reply: 3 with, 21 without.' },
  ],
  delays: [
    { bucket: 'under_6h', label: 'within 6 hours', ...group(20, 9, [4]), too_few: false },
    { bucket: 'over_3d', label: 'over 3 days', ...group(2, 0), too_few: true },
  ],
};

test('a habit that came before more recoveries reads as such, with its evidence', () => {
  const rows = habitRows(effect);
  const both = rows.find((r) => r.key === 'apology_and_offer');
  assert.equal(both.label, 'An apology and an offer to talk offline');
  assert.equal(both.with, '9 of 12 (75%)');
  assert.equal(both.without, '1 of 12 (8%)');
  assert.equal(both.verdict, 'Won customers back more often');
  assert.equal(both.tone, 'good');
  assert.equal(both.withWidth, 75);
  assert.equal(both.p, 'p = 0.003');
  assert.deepEqual(both.withIds, [1, 2, 3]);
  assert.equal(rows[0].label, 'Answering at all');
});

test('too few replies say so instead of a rate', () => {
  const personal = habitRows(effect).find((r) => r.key === 'personal');
  assert.equal(personal.verdict, 'Too few to tell');
  assert.equal(personal.p, null);
  assert.match(personal.says, /^Too few to tell/);
  const bars = bucketBars(effect.delays);
  assert.equal(bars[1].text, '0 of 2 (0%) · too few to tell');
  assert.equal(bars[1].tooFew, true);
  assert.equal(bars[0].width, 45);
  assert.equal(verdictLabel('anything else').text, 'Too few to tell');
  assert.equal(groupText(group(0, 0)), 'none');
});

test('the headline figures and a recovery read plainly', () => {
  const f = headlineFigures(effect);
  assert.deepEqual(f[2].slice(0, 2), ['Won back after a reply', '10']);
  assert.match(f[2][2], /7 raised their rating, 3 came back/);
  assert.equal(f[3][1], '10%');
  assert.equal(recoveryText({ how: 'rating_rose', before: 1, after: 4 }), '1★ → 4★, rating raised');
  assert.equal(recoveryText({ how: 'came_back', before: 2, after: 5 }), '2★, then came back with 5★');
});

test('the follow-up state on a review: not yet, asked, updated after it', () => {
  const answered = { kind: 'review', replied: true };
  assert.equal(followUpState(answered, null).state, 'none');
  assert.equal(followUpState(answered, null).canAsk, true);
  assert.equal(followUpState({ kind: 'review', replied: false }, null).canAsk, false);
  const asked = { follow_up: { state: 'sent' }, changed_after: null, says: 'Asked by e-mail on 2026-12-01; no change to the review since.' };
  assert.equal(followUpState(answered, asked).state, 'asked');
  assert.equal(followUpState(answered, asked).askAgain, true);
  const updated = { ...asked, changed_after: { before: 1, after: 4 }, says: 'Updated after your follow-up: 1★ → 4★ (2026-12-03).' };
  assert.equal(followUpState(answered, updated).state, 'updated');
  assert.match(followUpState(answered, updated).text, /^Updated after your follow-up/);
  assert.equal(followUpState(answered, { ...asked, follow_up: { state: 'failed' } }).askAgain, false);
});
