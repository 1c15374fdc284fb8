// First run: an empty database. Three calm choices, each explained in one line.

import { h } from '../dom.js';
import { downloadTemplate, importFile, loadDemo } from '../actions.js';
import { showNotice } from '../components/notice.js';

export function welcomeView() {
  return h('section', { id: 'welcome', class: 'welcome', 'aria-labelledby': 'welcome-title' },
    h('img', { class: 'welcome-logo', src: 'img/logo.svg', alt: '', width: 88, height: 88 }),
    h('h1', { id: 'welcome-title' }, 'Welcome to Earshot'),
    h('p', { class: 'lead' },
      'Everything your customers say about you online, in one calm place. ',
      'Your reviews stay on this computer.'),
    h('div', { class: 'choices' },
      h('button', { id: 'load-demo', class: 'choice', type: 'button', onclick: () => loadDemo() },
        h('span', { class: 'choice-title' }, 'Load demo data'),
        h('span', { class: 'choice-text' },
          'Explore a sample café with three years of reviews from Google, Yelp and more.')),
      h('button', { id: 'import-file', class: 'choice', type: 'button', onclick: () => importFile([]) },
        h('span', { class: 'choice-title' }, 'Import a file'),
        h('span', { class: 'choice-text' },
          'Your whole history, no API needed: a Google Takeout of your Business Profile, Google Play ',
          'Console review CSVs, a Trustpilot export, or a CSV / JSON Lines file.')),
      h('button', { id: 'connect-platform', class: 'choice', type: 'button', onclick: () => { location.hash = '#sources'; } },
        h('span', { class: 'choice-title' }, 'Connect a platform'),
        h('span', { class: 'choice-text' },
          'Google, Yelp, Trustpilot, the app stores, Reddit, Mastodon and more: Earshot checks them for you.'))),
    h('p', { class: 'fineprint' },
      h('a', { id: 'import-folder', href: '#', onclick: (e) => { e.preventDefault(); importFile([], { folder: true }); } },
        'Import a folder (an unpacked Takeout, or Play CSVs)')),
    importHelp(),
    h('p', { class: 'fineprint muted' },
      'Keys and passwords you enter are kept in your system keyring, never in the database.'));
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
