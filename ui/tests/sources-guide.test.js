// The connect form's honest guide: the spec's `guide` (the words the CLI prints) as sections.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { guideSections } from '../sources-logic.js';

test('the guide gives cost, needs, numbered steps and the way in without the API', () => {
  const spec = {
    name: 'yelp',
    guide: {
      cost: 'Paid: 300 calls a day on Starter.',
      approval: 'A Yelp developer app.',
      steps: ['Create an app.', 'Copy the API key.', ''],
      without_api: 'None: Yelp has no export.',
    },
  };
  assert.deepEqual(guideSections(spec), [
    { title: 'What it costs', text: 'Paid: 300 calls a day on Starter.' },
    { title: 'What it needs', text: 'A Yelp developer app.' },
    { title: 'Steps', steps: ['Create an app.', 'Copy the API key.'] },
    { title: 'Without the API', text: 'None: Yelp has no export.' },
  ]);
});

test('a spec without a guide shows none', () => {
  assert.deepEqual(guideSections({ name: 'old' }), []);
  assert.deepEqual(guideSections(null), []);
  assert.deepEqual(guideSections({ guide: { cost: 'Free.', steps: [] } }), [
    { title: 'What it costs', text: 'Free.' },
  ]);
});
