// First run: an empty database. Three calm choices, each explained in one line.

import { h } from '../dom.js';
import { importFile, loadDemo } from '../actions.js';

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
          'Bring in your own reviews from a CSV or JSON Lines export.')),
      h('button', { id: 'connect-platform', class: 'choice', type: 'button', onclick: () => { location.hash = '#sources'; } },
        h('span', { class: 'choice-title' }, 'Connect a platform'),
        h('span', { class: 'choice-text' },
          'Google, Yelp, Trustpilot, the app stores, Reddit, Mastodon and more: Earshot checks them for you.'))),
    h('p', { class: 'fineprint muted' },
      'Keys and passwords you enter are kept in your system keyring, never in the database.'));
}
