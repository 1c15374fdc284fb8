// First run: nothing to show yet (issue 32). The first step asks what the business is called
// (and creates it), so everything after speaks of the owner's business, not a sample's; the
// second offers the ways in, starting with what needs no account, and promises only what is true:
// platforms that need a developer key or approval say so. The demo café opens in a database of
// its own, so looking around never writes into the owner's.

import * as api from '../api.js';
import { h } from '../dom.js';
import { downloadTemplate, importFile, loadDemo } from '../actions.js';
import { showNotice } from '../components/notice.js';
import { checkBusinessName, noAccountNeeded, ownBusiness, welcomeStep } from '../first-run-logic.js';

/**
 * The welcome for the dashboard's answer `d` (an empty database); `refresh` redraws once the
 * business is named.
 */
export function welcomeView(d, { refresh = () => {}, specs = [] } = {}) {
  return welcomeStep(d) === 'name' ? nameStep(refresh) : waysStep(ownBusiness(d.businesses), specs);
}

function nameStep(refresh) {
  const input = h('input', {
    id: 'business-name', name: 'business', autocomplete: 'organization', required: true,
    'aria-describedby': 'business-name-help business-name-error',
  });
  const error = h('p', { id: 'business-name-error', class: 'field-error', hidden: true });
  const submit = h('button', { id: 'business-name-submit', class: 'btn btn-primary', type: 'submit' }, 'Continue');
  const form = h('form', {
    id: 'business-form', class: 'form welcome-form',
    onsubmit: async (e) => {
      e.preventDefault();
      const checked = checkBusinessName(input.value);
      if (checked.error) { showError(checked.error); return; }
      submit.disabled = true;
      try {
        await api.addBusiness(checked.name, false);
        refresh();
      } catch (err) {
        showError(err.message);
        submit.disabled = false;
      }
    },
  },
  h('div', { class: 'field' },
    h('label', { for: 'business-name' }, 'What is your business called?'),
    input,
    h('p', { id: 'business-name-help', class: 'muted field-help' },
      'As your customers know it, the way it appears on Google or the app stores.'),
    error),
  h('div', { class: 'actions' }, submit));
  function showError(text) {
    error.textContent = text;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
  return h('section', { id: 'welcome', class: 'welcome', 'aria-labelledby': 'welcome-title', dataset: { step: 'name' } },
    h('img', { class: 'welcome-logo', src: 'img/logo.svg', alt: '', width: 88, height: 88 }),
    h('h1', { id: 'welcome-title' }, 'Welcome to Earshot'),
    h('p', { class: 'lead' },
      'Everything your customers say about you online, in one calm place. ',
      'Your reviews stay on this computer.'),
    form,
    h('div', { class: 'choices' }, demoChoice()),
    secretsLine());
}

function waysStep(business, specs) {
  const free = noAccountNeeded(specs).filter((s) => s.feed !== 'file').map((s) => s.label);
  return h('section', { id: 'welcome', class: 'welcome', 'aria-labelledby': 'welcome-title', dataset: { step: 'ways' } },
    h('img', { class: 'welcome-logo', src: 'img/logo.svg', alt: '', width: 88, height: 88 }),
    h('h1', { id: 'welcome-title' }, `Let’s find what customers say about ${business.name}`),
    h('p', { class: 'lead' }, 'Start with what needs no account. You can add the rest later.'),
    h('div', { class: 'choices' },
      h('button', { id: 'import-file', class: 'choice', type: 'button', onclick: () => importFile([business]) },
        h('span', { class: 'choice-title' }, 'Import a file'),
        h('span', { class: 'choice-tag' }, 'no account needed'),
        h('span', { class: 'choice-text' },
          'Your whole history: a Google Takeout of your Business Profile, Google Play Console ',
          'review CSVs, a Trustpilot export, or a CSV / JSON Lines file.')),
      h('button', { id: 'connect-platform', class: 'choice', type: 'button', onclick: () => { location.hash = '#sources'; } },
        h('span', { class: 'choice-title' }, 'Connect a platform'),
        h('span', { class: 'choice-tag' }, free.length ? 'start with no account needed' : 'see what each needs'),
        h('span', { class: 'choice-text' },
          free.length ? `${listWords(free)} need no account; Earshot then looks for new ones on its own. ` : '',
          'Google, Yelp and Trustpilot need a developer key or their approval first: each says what it asks, step by step.')),
      demoChoice()),
    h('p', { class: 'fineprint' },
      h('a', { id: 'import-folder', href: '#', onclick: (e) => { e.preventDefault(); importFile([business], { folder: true }); } },
        'Import a folder (an unpacked Takeout, or Play CSVs)')),
    importHelp(),
    secretsLine());
}

function demoChoice() {
  return h('button', { id: 'load-demo', class: 'choice choice-quiet', type: 'button', onclick: () => loadDemo() },
    h('span', { class: 'choice-title' }, 'Load demo data'),
    h('span', { class: 'choice-text' },
      'Look around a made-up café with three years of reviews. It opens apart from your own ',
      'data, and “Leave the demo” brings you back.'));
}

function secretsLine() {
  return h('p', { class: 'fineprint muted' },
    'Keys and passwords you enter are kept in your computer\'s password store, never with your reviews.');
}

/** "A, B and C". */
function listWords(words) {
  if (words.length < 2) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** How an owner gets each export Earshot reads (the README says the same). */
export function importHelp() {
  const item = (title, ...text) => h('li', null, h('strong', null, title), ' ', ...text);
  return h('details', { id: 'import-help', class: 'import-help' },
    h('summary', null, 'How to get each export'),
    h('ul', null,
      item('Google Business Profile (all your Google reviews and replies).',
        'Go to takeout.google.com, click “Deselect all”, tick “Google Business Profile”, then ',
        '“Next step” → “Create export”. Google e-mails a link to a ZIP: import the ZIP as it is ',
        '(all its parts if it was split), or the folder you unpacked it to. With several ',
        'locations, name one in the import form or import them all. A “Maps (your places)” ',
        'export holds the reviews you wrote elsewhere, not your business’s: it is refused.'),
      item('Google Play (every review of your app, with your replies).',
        'In Play Console: Download reports → Reviews, pick the app and a month, Download. Each ',
        'month is a CSV; import one, or a folder of them. A review edited later is updated.'),
      item('Trustpilot.',
        'In Trustpilot Business, export your reviews as CSV (save an Excel export as CSV first). ',
        'The export has the dates of your replies but not their text.'),
      item('Your own spreadsheet, or any other tool.',
        'Save it as CSV and import it: Earshot shows its first rows and proposes which column holds ',
        'the date, the stars, the review and the name; change any choice before importing. No id ',
        'column? Earshot makes one from each review, so importing the file again adds nothing twice. ',
        templateButton(), '.')),
    h('p', { class: 'muted' },
      'Imported reviews keep the platforms’ own ids, so connecting the platform later continues ',
      'the same history instead of counting reviews twice.'));
}

/** "Download a template": a CSV with Earshot's columns, saved where the owner picks. */
function templateButton() {
  return h('button', {
    id: 'welcome-template', type: 'button', class: 'btn-link',
    onclick: async () => {
      const r = await downloadTemplate();
      if (r.text) showNotice(r.text, { kind: r.ok ? 'ok' : 'error' });
    },
  }, 'Download a template');
}
