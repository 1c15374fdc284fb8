import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  askableLinks, doneSentence, linkNote, previewSentence, skippedSentence, statRows, tooFewToCompare,
} from '../requests-logic.js';

test('a platform whose rules forbid asking keeps its link but cannot be asked', () => {
  const links = [
    { platform: 'google', from: 'source', rule: null },
    { platform: 'yelp', from: 'source', rule: { kind: 'forbidden', why: "Yelp's guidelines…" } },
    { platform: 'trustpilot', from: 'by_hand', rule: { kind: 'note', why: 'Invite everyone.' } },
  ];
  assert.deepEqual(askableLinks(links).map((l) => l.platform), ['google', 'trustpilot']);
  assert.equal(linkNote(links[2]), 'Set by you. Invite everyone.');
  assert.equal(linkNote(links[0]), 'From your connected profile.');
});

test('who is not asked is said in words, and nothing when everyone is', () => {
  assert.equal(skippedSentence({ opted_out: 1, recently_asked: 2, no_address: 0 }),
    'Not asked: 1 customer asked not to be contacted; 2 customers already asked in the last period.');
  assert.equal(skippedSentence({ opted_out: 0, recently_asked: 0, no_address: 0 }), '');
});

test('a preview says how many and how; a send says what went out', () => {
  assert.equal(previewSentence({ eligible: 3, via: 'email' }),
    '3 customers will be asked by e-mail, all with the same words and link.');
  assert.equal(previewSentence({ eligible: 0, via: 'sms' }), 'Nobody on the list can be asked right now.');
  assert.equal(doneSentence({ via: 'email', sent: 1, failed: [] }), 'Sent 1 request.');
  assert.match(doneSentence({ via: 'email', sent: 2, failed: [{}] }), /1 e-mail did not go out/);
  assert.equal(doneSentence({ via: 'sms', messages: [{}, {}] }), 'Prepared 2 messages for you to send.');
});

test('the figures read as rows and say when there are too few to compare', () => {
  const stats = {
    sent: 4, responses: 2, response_rate: 0.5, responses_rating: 4.5, others_rating: 2.5, others: 2,
    unconfirmed: 0, window_days: 30,
  };
  const rows = statRows(stats);
  assert.deepEqual(rows[0], ['Requests sent', '4']);
  assert.deepEqual(rows[2], ['Response rate', '50%']);
  assert.deepEqual(rows[4], ['Other reviews since you started asking', '2.50 (2 reviews)']);
  assert.equal(tooFewToCompare(stats), true);
  assert.equal(tooFewToCompare({ ...stats, responses: 6, others: 9 }), false);
});
