import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bandLabel, bandShort, formatBytes, formatDay, hourOptions, insertField, paramLabel, paramText,
  pausedText, quietHoursFrom, quietHoursText, ruleParamPairs, ruleSummary, ruleTitle,
  templateFromForm, unknownFields,
} from '../settings-logic.js';

test('rule parameters become text the core reads back', () => {
  assert.equal(paramText(['refund', 'scam']), 'refund, scam');
  assert.equal(paramText(2), '2');
  assert.equal(paramText(1e-6), '0.000001');
  assert.equal(paramText(null), '');
});

test('the form\'s settings become [key, text] pairs; word lists are tidied', () => {
  assert.deepEqual(ruleParamPairs([
    { key: 'hours', value: ' 48 ' },
    { key: 'max_stars', value: '2' },
  ]), { pairs: [['hours', '48'], ['max_stars', '2']], error: null });
  assert.deepEqual(ruleParamPairs([{ key: 'words', value: ' refund,,  food   poisoning , scam ', words: true }]),
    { pairs: [['words', 'refund, food poisoning, scam']], error: null });
  assert.deepEqual(ruleParamPairs([{ key: 'words', value: '', words: true }]), { pairs: [['words', '']], error: null });
});

test('a setting that is not a number is named in plain words and nothing is sent', () => {
  assert.deepEqual(ruleParamPairs([{ key: 'hours', value: '24' }, { key: 'drop', value: 'a lot' }]),
    { pairs: [], error: '“Fall of at least (★)” needs a number.' });
  assert.equal(ruleParamPairs([{ key: 'hours', value: '  ' }]).error, '“Remind after (hours)” needs a number.');
});

test('settings have labels in words, and unknown ones still read', () => {
  assert.equal(paramLabel('max_stars'), 'Negative at or below (★)');
  assert.equal(paramLabel('min_z'), 'Certainty');
  assert.equal(paramLabel('new_thing'), 'New thing');
  assert.equal(ruleTitle('rating_drop'), 'Rating dropping');
  assert.equal(ruleTitle('toString'), 'toString', 'an inherited name is not a title');
});

test('each rule says what it does with its current settings', () => {
  assert.equal(ruleSummary({ kind: 'new_negative', params: { max_stars: 2 } }), 'When a review of 2★ or fewer arrives.');
  assert.equal(ruleSummary({ kind: 'unanswered', params: { max_stars: 2, hours: 48 } }),
    'When a review of 2★ or fewer has no reply after 48 hours.');
  assert.equal(ruleSummary({ kind: 'rating_drop', params: { drop: 0.3, recent_days: 30, baseline_days: 90 } }),
    'When the average of the last 30 days falls 0.3★ below the 90 days before.');
  assert.equal(ruleSummary({ kind: 'spike', params: { min_ratio: 3, min_items: 5, window_days: 7 } }),
    'When an hour brings 3 times the usual pace, and at least 5 reviews and posts, or 7 days bring far more complaints or praise than usual; it says which.');
  // Issue 28's rules.
  assert.equal(ruleSummary({ kind: 'topic_surge', params: { window_days: 14, min_mentions: 5 } }),
    'When one topic\'s complaints over 14 days are far above its own usual rate (at least 5 negative reviews and posts).');
  assert.equal(ruleSummary({ kind: 'review_bomb', params: { min_reviews: 5, hours: 24 } }),
    'When at least 5 low ratings from first-time reviewers arrive within 24 hours, far above the usual.');
  assert.equal(ruleSummary({ kind: 'credentials_expiring', params: { days: 5 } }),
    'When a sign-in that cannot renew itself ends within 5 days.');
  assert.equal(ruleTitle('review_bomb'), 'Possible review bombing');
  assert.equal(paramLabel('hours', 'review_bomb'), 'Within (hours)');
  assert.equal(paramLabel('hours', 'unanswered'), 'Remind after (hours)');
  assert.equal(ruleSummary({ kind: 'watch_word', params: { words: ['refund', 'scam', 'lawyer', 'mould', 'rat'] } }),
    'When a review uses “refund”, “scam”, “lawyer” or 2 other words.');
  assert.equal(ruleSummary({ kind: 'watch_word', params: { words: ['refund'] } }), 'When a review uses “refund”.');
  assert.equal(ruleSummary({ kind: 'competitor', params: { window_days: 90, margin: 0.05 } }),
    'When a competitor\'s average over 90 days leads yours by more than 0.05★.');
  assert.equal(ruleSummary({ kind: 'source_health', params: {} }), 'When a connected review site stops working.');
  assert.equal(ruleSummary({ kind: 'whatever' }), '');
});

test('quiet hours are off when unticked or empty, and may wrap midnight', () => {
  assert.equal(quietHoursFrom(false, '22', '7'), null);
  assert.equal(quietHoursFrom(true, '8', '8'), null);
  assert.equal(quietHoursFrom(true, '25', '7'), null);
  assert.equal(quietHoursFrom(true, 'x', '7'), null);
  assert.deepEqual(quietHoursFrom(true, '22', '7'), { start_hour: 22, end_hour: 7 });
  assert.equal(hourOptions().length, 24);
  assert.deepEqual(hourOptions()[9], [9, '09:00']);
  assert.equal(quietHoursText({ start_hour: 22, end_hour: 7 }), '22:00 to 07:00, overnight');
  assert.equal(quietHoursText({ start_hour: 13, end_hour: 14 }), '13:00 to 14:00');
  assert.equal(quietHoursText(null), 'off');
});

test('the tray\'s pause shows only while it runs', () => {
  const now = new Date('2026-11-23T10:00:00');
  assert.equal(pausedText(null, now), null);
  assert.equal(pausedText(new Date('2026-11-23T09:00:00').toISOString(), now), null);
  assert.match(pausedText(new Date('2026-11-23T11:00:00').toISOString(), now, 'en-GB'), /^Paused until 11:00$/);
  assert.match(pausedText(new Date('2026-11-24T08:00:00').toISOString(), now, 'en-GB'), /^Paused until Tue,? 08:00$/);
});

test('a template from the form: blanks are no bound, text is trimmed', () => {
  assert.deepEqual(templateFromForm({ name: ' Wait ', min: '1', max: '2', aspect: ' ', body: ' Sorry {first_name}. ' }), {
    id: 0, name: 'Wait', min_rating: 1, max_rating: 2, aspect: null, body: 'Sorry {first_name}.',
  });
  assert.equal(bandLabel({ min_rating: 1, max_rating: 2, aspect: 'wait time' }), 'for 1–2★ reviews about wait time');
  assert.equal(bandLabel({ min_rating: 5, max_rating: 5 }), 'for 5★ reviews');
  assert.equal(bandLabel({}), 'for 1–5★ reviews');
  assert.equal(bandShort({ min_rating: 1, max_rating: 2 }), '1–2★');
  assert.equal(bandShort({ min_rating: 4, max_rating: null }), '4–5★');
  assert.equal(bandShort({ min_rating: 3, max_rating: 3 }), '3★');
  assert.equal(bandShort({}), 'any stars');
});

test('fields not in the core\'s list are found before saving', () => {
  const fields = ['first_name', 'business', 'contact'];
  assert.deepEqual(unknownFields('Hi {first_name}, {name} {name} and {Business}', fields), ['name', 'Business']);
  assert.deepEqual(unknownFields('Hi {first_name}', fields), []);
  assert.deepEqual(unknownFields('', fields), []);
});

test('a field is typed over the selection, and the caret lands after it', () => {
  assert.deepEqual(insertField('Hi , thanks', 3, 3, 'first_name'), { value: 'Hi {first_name}, thanks', caret: 15 });
  assert.deepEqual(insertField('Hi NAME!', 3, 7, 'first_name'), { value: 'Hi {first_name}!', caret: 15 });
  assert.deepEqual(insertField('Thanks', undefined, undefined, 'sign_off'), { value: 'Thanks{sign_off}', caret: 16 });
  assert.deepEqual(insertField('', 0, 0, 'contact'), { value: '{contact}', caret: 9 });
});

test('backup sizes and days read as people say them', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(860_000), '840 KB');
  assert.equal(formatBytes(13_002_342), '12.4 MB');
  assert.equal(formatBytes(undefined), '—');
  assert.match(formatDay('2026-11-23', 'en-GB'), /^Mon,? 23 Nov 2026$/);
  assert.equal(formatDay('not a day'), 'not a day');
});

test('the watcher card says plainly whether alerts need the app open', async () => {
  const { watcherSummary } = await import('../views/settings-watcher.js');
  assert.match(watcherSummary({ installed: false, systemd: true }), /wait for this app to be open/);
  assert.match(watcherSummary({ installed: false, systemd: false }), /no systemd/);
  assert.match(watcherSummary({ installed: true, running: true }), /running/);
  assert.match(watcherSummary({ installed: true, running: false }), /not running/);
});
