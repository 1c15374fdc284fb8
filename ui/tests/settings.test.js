import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bandLabel, hourOptions, paramText, quietHoursFrom, templateFromForm,
} from '../settings-logic.js';

test('rule parameters become text the core reads back', () => {
  assert.equal(paramText(['refund', 'scam']), 'refund, scam');
  assert.equal(paramText(2), '2');
  assert.equal(paramText(null), '');
});

test('quiet hours are off when unticked or empty, and may wrap midnight', () => {
  assert.equal(quietHoursFrom(false, '22', '7'), null);
  assert.equal(quietHoursFrom(true, '8', '8'), null);
  assert.deepEqual(quietHoursFrom(true, '22', '7'), { start_hour: 22, end_hour: 7 });
  assert.equal(hourOptions().length, 24);
  assert.deepEqual(hourOptions()[9], [9, '09:00']);
});

test('a template from the form: blanks are no bound, text is trimmed', () => {
  assert.deepEqual(templateFromForm({ name: ' Wait ', min: '1', max: '2', aspect: ' ', body: ' Sorry {first_name}. ' }), {
    id: 0, name: 'Wait', min_rating: 1, max_rating: 2, aspect: null, body: 'Sorry {first_name}.',
  });
  assert.equal(bandLabel({ min_rating: 1, max_rating: 2, aspect: 'wait time' }), 'for 1–2★ reviews about wait time');
  assert.equal(bandLabel({ min_rating: 5, max_rating: 5 }), 'for 5★ reviews');
  assert.equal(bandLabel({}), 'for 1–5★ reviews');
});
