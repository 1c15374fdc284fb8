import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canSkipBadRows, columnOptions, importParts, mappingFrom, mappingStatus, missingFields, NO_COLUMN,
  previewCaption, previewRows,
} from '../import-logic.js';

// The shape of the core's ImportPreview.fields (src/import/mapping.rs).
const fields = [
  { name: 'external_id', label: 'Review id', required: false, column: null },
  { name: 'author', label: "Reviewer's name", required: false, column: 'Name' },
  { name: 'body', label: 'Review text', required: false, column: 'Comment' },
  { name: 'created_at', label: 'Date', required: true, column: 'Date' },
];

test('each header is offered once, after "No column"', () => {
  const opts = columnOptions(['Date', 'Name', 'Date', '', '__proto__']);
  assert.deepEqual(opts.map((o) => o.value), [NO_COLUMN, 'Date', 'Name', '__proto__']);
  assert.equal(opts[0].label, 'No column');
});

test('the mapping names every field: the proposal unless the owner chose otherwise', () => {
  assert.deepEqual(mappingFrom(fields), {
    external_id: null, author: 'Name', body: 'Comment', created_at: 'Date',
  });
  const chosen = new Map([['body', 'Notes'], ['author', NO_COLUMN]]);
  assert.deepEqual(mappingFrom(fields, chosen), {
    external_id: null, author: null, body: 'Notes', created_at: 'Date',
  });
});

test('a header that looks like an object key stays a value', () => {
  const m = mappingFrom(fields, new Map([['body', '__proto__'], ['created_at', 'constructor']]));
  assert.equal(m.body, '__proto__');
  assert.equal(m.created_at, 'constructor');
  assert.equal(Object.getPrototypeOf(m), Object.prototype);
});

test('the import waits for a date column, and says ids will be made without an id column', () => {
  const noDate = mappingFrom(fields, new Map([['created_at', NO_COLUMN]]));
  assert.deepEqual(missingFields(fields, noDate), ['Date']);
  const st = mappingStatus(fields, noDate);
  assert.equal(st.ready, false);
  assert.match(st.text, /Choose the column that holds: Date/);
  const ok = mappingStatus(fields, mappingFrom(fields));
  assert.equal(ok.ready, true);
  assert.match(ok.text, /makes one from each review/);
  const withId = mappingStatus(fields, mappingFrom(fields, new Map([['external_id', 'Ref']])));
  assert.deepEqual(withId, { ready: true, text: '' });
});

test('preview rows have one cell per header, five at most', () => {
  const preview = {
    headers: ['a', 'b', 'c'],
    rows: [['1', '2'], ['1', '2', '3', '4'], ['x', null, 'z'], ['4'], ['5'], ['6']],
  };
  const rows = previewRows(preview, 5);
  assert.equal(rows.length, 5);
  assert.deepEqual(rows[0], ['1', '2', '']);
  assert.deepEqual(rows[1], ['1', '2', '3']);
  assert.deepEqual(rows[2], ['x', '', 'z']);
  assert.deepEqual(previewRows(null), []);
  assert.equal(previewCaption(5), 'The first 5 rows of the file');
  assert.equal(previewCaption(1), 'The first row of the file');
  assert.match(previewCaption(0), /no reviews yet/);
});

test('only a stop on a bad row offers to skip the bad rows, and not twice', () => {
  assert.equal(canSkipBadRows({ code: 'bad_row' }), true);
  assert.equal(canSkipBadRows({ code: 'bad_row' }, { skipBad: true }), false);
  assert.equal(canSkipBadRows({ code: 'not_reviews' }), false);
  assert.equal(canSkipBadRows(null), false);
});

test('the summary counts what happened and names the first skipped row', () => {
  const parts = importParts({
    new: 3, updated: 1, unchanged: 0, truncated: 0, rejected: 2,
    rejected_rows: [{ line: 4, reason: 'rating 7 is outside 1–5' }],
  });
  assert.deepEqual(parts.slice(0, 3), ['3 new', '1 updated', '0 unchanged']);
  assert.match(parts[3], /2 skipped \(first: line 4: rating 7/);
});

test('no message of the import offers a command-line flag', async () => {
  const { readFile } = await import('node:fs/promises');
  for (const f of ['../import-logic.js', '../actions.js']) {
    const text = await readFile(new URL(f, import.meta.url), 'utf8');
    assert.doesNotMatch(text, /--skip-bad|--platform|--map/, f);
  }
});
