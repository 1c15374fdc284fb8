// The inbox: every review and mention, newest first, with filters, full-text search (matches
// highlighted), keyboard navigation (arrows, Enter; j/k, r to reply and / to search unless the
// owner turned one-letter keys off) and unread state.
//
// The list is virtualised: it knows the number of matches from `countReviews`, sizes a spacer to
// match, and keeps only the rows in view (plus a few) in the DOM, fetching pages of PAGE rows as
// they scroll into view. 100,000 items cost the same as 100.
//
// For a screen reader it is a listbox (issue 32): the list itself takes focus, each row is an
// option, and `aria-activedescendant` names the selected one, which is always among the rows in
// the DOM because moving the selection scrolls it into view. The keys work only while the list
// has focus, so Enter on a link elsewhere never opens a review. A row's height is measured from a
// drawn row, not assumed, so larger text (zoom, a bigger font) keeps rows from overlapping.

import * as api from '../api.js';
import { h, mount } from '../dom.js';
import {
  authorName, formatDateTime, formatWhen, platformLabel, plural,
} from '../format.js';
import {
  EMPTY_CHOICES, REMOVED_CHOICES, excerpt, filterFromChoices, highlightParts, isFiltered, moveSelection,
  pagesFor, searchTerms, visibleRange,
} from '../inbox-logic.js';
import { stars } from '../components/stars.js';
import { kindWord } from '../words.js';
import { prefs } from '../prefs.js';

/** Until a row has been measured: its height at the default text size. */
const ROW_HEIGHT_GUESS = 92;
const PAGE = 100;
const SEARCH_DELAY_MS = 250;

// The inbox keeps its filters, scroll position and selection while the owner visits a review.
const inbox = {
  choices: { ...EMPTY_CHOICES },
  scrollTop: 0,
  selected: -1,
};

/** Opens the inbox with these choices (the dashboard's click-through). */
export function openWith(choices, ctx) {
  inbox.choices = { ...EMPTY_CHOICES, ...choices };
  inbox.scrollTop = 0;
  inbox.selected = -1;
  if (location.hash === '#inbox') ctx.refresh(); else ctx.navigate('#inbox');
}

function select(id, label, options, value, onChange) {
  return h('label', { class: 'filter' },
    h('span', { class: 'filter-label' }, label),
    h('select', { id, onchange: (e) => onChange(e.target.value) },
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));
}

/** The list itself: count, spacer, the rows in view, and the pages behind them. */
class VirtualList {
  constructor(ctx) {
    this.ctx = ctx;
    this.count = 0;
    this.pages = new Map();
    this.filter = {};
    this.terms = [];
    this.generation = 0;
    this.rowHeight = ROW_HEIGHT_GUESS;
    this.rows = h('div', { class: 'inbox-rows', role: 'presentation' });
    this.spacer = h('div', { class: 'inbox-spacer', 'aria-hidden': 'true' });
    this.scroller = h('div', {
      id: 'inbox-list', class: 'inbox-scroll', tabindex: '0', role: 'listbox',
      'aria-label': 'Reviews and posts, newest first', 'aria-describedby': 'inbox-keys',
      onscroll: () => { inbox.scrollTop = this.scroller.scrollTop; this.paint(); },
      onfocus: () => { if (inbox.selected < 0 && this.count > 0) this.moveTo(0); },
    }, this.spacer, this.rows);
    this.status = h('p', { id: 'inbox-count', class: 'muted inbox-count', 'aria-live': 'polite' });
  }

  /** A row's height as drawn now (text size and zoom included); the list is laid out with it. */
  measure() {
    const probe = h('div', { class: 'inbox-row', 'aria-hidden': 'true' },
      h('div', { class: 'row-head' }, stars(5, { size: 'sm' }), h('strong', { class: 'row-author' }, 'M'),
        h('span', { class: 'row-tags' }, h('span', { class: 'tag' }, 'M'))),
      h('p', { class: 'row-text' }, 'M', h('br'), 'M'));
    probe.style.visibility = 'hidden';
    this.rows.append(probe);
    const measured = probe.getBoundingClientRect().height;
    probe.remove();
    if (measured > 0 && Math.abs(measured - this.rowHeight) > 0.5) {
      this.rowHeight = measured;
      this.spacer.style.height = `${this.count * this.rowHeight}px`;
      return true;
    }
    return false;
  }

  async load(choices) {
    this.generation += 1;
    const gen = this.generation;
    this.filter = filterFromChoices(choices);
    this.terms = searchTerms(choices.q);
    this.pages = new Map();
    this.status.textContent = 'Counting…';
    const count = await api.countReviews(this.filter);
    if (gen !== this.generation) return;
    this.count = count;
    this.spacer.style.height = `${count * this.rowHeight}px`;
    this.status.textContent = count === 0
      ? 'Nothing matches.'
      : `${plural(count, 'review or post', 'reviews and posts')}${isFiltered(choices) ? ' match' : ''}, newest first`;
    this.status.dataset.count = String(count);
    if (inbox.selected >= count) inbox.selected = count - 1;
    await this.paint();
  }

  page(p) {
    if (!this.pages.has(p)) {
      const gen = this.generation;
      const entry = { rows: null, promise: null };
      entry.promise = api.listReviews({ ...this.filter, limit: PAGE, offset: p * PAGE })
        .then((rows) => {
          entry.rows = rows;
          if (gen === this.generation) this.paint();
          return rows;
        }, (e) => {
          // Forget the failed page so the next scroll asks again.
          if (this.pages.get(p) === entry) this.pages.delete(p);
          throw e;
        });
      this.pages.set(p, entry);
    }
    return this.pages.get(p);
  }

  rowAt(i) {
    return this.pages.get(Math.floor(i / PAGE))?.rows?.[i % PAGE] ?? null;
  }

  async paint() {
    const range = visibleRange({
      scrollTop: this.scroller.scrollTop,
      viewport: this.scroller.clientHeight || 600,
      rowHeight: this.rowHeight,
      count: this.count,
    });
    const wanted = pagesFor(range, PAGE).map((p) => this.page(p));
    const els = [];
    for (let i = range[0]; i < range[1]; i += 1) {
      const r = this.rowAt(i);
      els.push(r ? this.row(r, i) : this.placeholder(i));
    }
    mount(this.rows, els);
    const active = this.rowAt(inbox.selected) ? `inbox-row-${this.rowAt(inbox.selected).id}` : null;
    if (active && this.rows.querySelector(`#${active}`)) this.scroller.setAttribute('aria-activedescendant', active);
    else this.scroller.removeAttribute('aria-activedescendant');
    await Promise.allSettled(wanted.map((w) => w.promise));
  }

  placeholder(i) {
    const el = h('div', { class: 'inbox-row placeholder', 'aria-hidden': 'true' },
      h('span', { class: 'muted' }, 'Loading…'));
    el.style.top = `${i * this.rowHeight}px`;
    el.style.height = `${this.rowHeight}px`;
    return el;
  }

  row(r, i) {
    const parts = (text) => highlightParts(text, this.terms)
      .map((p) => (p.match ? h('mark', null, p.text) : p.text));
    const selected = i === inbox.selected;
    const el = h('div', {
      class: ['inbox-row', r.unread ? 'unread' : null, selected ? 'selected' : null, r.removed ? 'removed' : null],
      role: 'option',
      id: `inbox-row-${r.id}`,
      'aria-selected': selected ? 'true' : 'false',
      'aria-setsize': String(this.count),
      'aria-posinset': String(i + 1),
      dataset: { id: String(r.id), index: String(i) },
      onclick: () => { inbox.selected = i; this.ctx.navigate(`#review/${r.id}`); },
    },
    h('div', { class: 'row-head' },
      r.unread ? h('span', { class: 'unread-dot', title: 'Unread' }, h('span', { class: 'sr-only' }, 'Unread')) : null,
      r.rating !== null && r.rating !== undefined
        ? stars(r.rating, { size: 'sm' })
        : h('span', { class: 'tag tag-mention' }, r.kind === 'mention' ? kindWord('mention', { capital: true }) : 'No rating'),
      h('strong', { class: 'row-author' }, parts(authorName(r.author))),
      h('span', { class: 'row-meta muted' },
        platformLabel(r.platform), ' · ',
        h('time', { datetime: r.created_at, title: formatDateTime(r.created_at) }, formatWhen(r.created_at)),
        ' · ', r.business),
      h('span', { class: 'row-tags' },
        r.sentiment_label
          ? h('span', { class: `sentiment sentiment-${r.sentiment_label}`, title: `Sentiment: ${r.sentiment_label}` }, r.sentiment_label)
          : null,
        r.removed ? h('span', { class: 'tag' }, 'Removed') : null,
        r.replied
          ? h('span', { class: 'tag tag-ok' }, 'Replied')
          : h('span', { class: 'tag tag-wait' }, 'Not answered'))),
    h('p', { class: 'row-text' },
      r.title ? h('strong', null, parts(r.title), ' — ') : null,
      parts(excerpt(r.body, this.terms))));
    el.style.top = `${i * this.rowHeight}px`;
    el.style.height = `${this.rowHeight}px`;
    return el;
  }

  /** Moves the selection and scrolls it into view. */
  moveTo(i) {
    if (i < 0 || i >= this.count) return;
    inbox.selected = i;
    const top = i * this.rowHeight;
    const view = this.scroller.clientHeight;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + this.rowHeight > this.scroller.scrollTop + view) this.scroller.scrollTop = top + this.rowHeight - view;
    this.paint();
  }

  /** Rows in one screenful, for Page Up and Page Down. */
  pageRows() {
    return Math.max(1, Math.floor((this.scroller.clientHeight || 600) / this.rowHeight) - 1);
  }
}

/**
 * The list's keys, active only while it has focus: arrows, Home, End, Page Up and Down move the
 * selection, Enter opens it; with one-letter keys on (Settings → Keyboard), j and k move, r opens
 * the reply and / goes to the search.
 */
function listKeys(list, ctx) {
  return (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const letters = prefs.letter_keys !== false;
    const key = !letters && ['j', 'k', 'r', '/'].includes(e.key) ? '' : e.key;
    const last = list.count - 1;
    const moves = {
      ArrowDown: () => moveSelection(inbox.selected, 'ArrowDown', list.count),
      ArrowUp: () => moveSelection(inbox.selected, 'ArrowUp', list.count),
      j: () => moveSelection(inbox.selected, 'j', list.count),
      k: () => moveSelection(inbox.selected, 'k', list.count),
      Home: () => 0,
      End: () => last,
      PageDown: () => Math.min(last, Math.max(0, inbox.selected) + list.pageRows()),
      PageUp: () => Math.max(0, inbox.selected - list.pageRows()),
    };
    if (moves[key]) {
      e.preventDefault();
      list.moveTo(moves[key]());
    } else if (key === '/') {
      e.preventDefault();
      document.getElementById('inbox-search')?.focus();
    } else if (key === 'Enter' || key === 'r') {
      const r = list.rowAt(inbox.selected);
      if (!r) return;
      e.preventDefault();
      ctx.navigate(key === 'r' ? `#review/${r.id}/reply` : `#review/${r.id}`);
    }
  };
}

/** What the keys do, as the hint under the list says it (and the list's description). */
function keysHint() {
  const k = (t) => h('kbd', null, t);
  return h('p', { id: 'inbox-keys', class: 'muted keys-hint' },
    'In the list: ', k('↑'), ' ', k('↓'), ' move · ', k('Enter'), ' open',
    prefs.letter_keys !== false
      ? [' · ', k('j'), ' ', k('k'), ' move · ', k('r'), ' reply · ', k('/'), ' search']
      : null);
}

export async function render(_param, ctx) {
  const facets = await api.inboxFacets();
  const c = inbox.choices;
  const list = new VirtualList(ctx);

  const update = (key) => async (value) => {
    c[key] = value;
    inbox.scrollTop = 0;
    inbox.selected = -1;
    list.scroller.scrollTop = 0;
    clearBtn.hidden = !isFiltered(c);
    await list.load(c);
  };

  let timer = null;
  const search = h('input', {
    id: 'inbox-search', type: 'search', value: c.q, placeholder: 'Search the text of every review',
    'aria-label': 'Search reviews', autocomplete: 'off',
    oninput: (e) => {
      clearTimeout(timer);
      timer = setTimeout(() => update('q')(e.target.value), SEARCH_DELAY_MS);
    },
  });

  const clearBtn = h('button', {
    id: 'inbox-clear', class: 'btn btn-small', type: 'button', hidden: !isFiltered(c),
    onclick: () => { inbox.choices = { ...EMPTY_CHOICES }; ctx.refresh(); },
  }, 'Clear filters');

  const date = (id, key, label) => h('label', { class: 'filter' },
    h('span', { class: 'filter-label' }, label),
    h('input', { id, type: 'date', value: c[key], onchange: (e) => update(key)(e.target.value) }));

  const filters = h('div', { class: 'inbox-filters', role: 'group', 'aria-label': 'Filters' },
    facets.businesses.length > 1
      ? select('filter-business', 'Business', [['', 'All businesses'],
        ...facets.businesses.map((b) => [String(b.id), b.is_competitor ? `${b.name} (competitor)` : b.name])],
      c.business, update('business'))
      : null,
    select('filter-platform', 'Platform', [['', 'All platforms'],
      ...facets.platforms.map((p) => [p, platformLabel(p)])], c.platform, update('platform')),
    select('filter-stars', 'Stars', [['', 'Any'], ['low', '1–2 ★'], ['mid', '3 ★'], ['high', '4–5 ★'],
      ['1', '1 ★'], ['2', '2 ★'], ['4', '4 ★'], ['5', '5 ★']], c.stars, update('stars')),
    select('filter-sentiment', 'Sentiment', [['', 'Any'], ['negative', 'Negative'],
      ['neutral', 'Neutral'], ['positive', 'Positive']], c.sentiment, update('sentiment')),
    select('filter-answered', 'Answered', [['', 'All'], ['no', 'Not answered'], ['yes', 'Answered']],
      c.answered, update('answered')),
    select('filter-removed', 'Removed', REMOVED_CHOICES, c.removed ?? '', update('removed')),
    select('filter-aspect', 'Topic', [['', 'Any topic'], ...facets.aspects.map((a) => [a, a])],
      c.aspect, update('aspect')),
    date('filter-from', 'from', 'From'),
    date('filter-to', 'to', 'To'),
    h('label', { class: 'filter filter-check' },
      h('input', { id: 'filter-unread', type: 'checkbox', checked: c.unread, onchange: (e) => update('unread')(e.target.checked) }),
      h('span', null, 'Unread only')),
    clearBtn);

  const view = h('section', { id: 'inbox', class: 'inbox', 'aria-labelledby': 'inbox-title' },
    h('header', { class: 'page-head' },
      h('div', null,
        h('h1', { id: 'inbox-title' }, 'Inbox'),
        list.status),
      h('div', { class: 'head-actions inbox-search' }, search)),
    filters,
    list.scroller,
    keysHint());

  list.scroller.addEventListener('keydown', listKeys(list, ctx));
  // Back from a review: focus returns to the list, on the row that was open.
  if (inbox.selected >= 0) list.scroller.dataset.focusOnArrival = 'true';
  await list.load(c);
  // Back from a review: the same place in the list, with rows as tall as the text makes them.
  requestAnimationFrame(() => {
    list.measure();
    list.scroller.scrollTop = inbox.scrollTop;
    list.paint();
  });
  // Zooming (Ctrl + and Ctrl −) resizes the window's CSS pixels: measure again.
  const onResize = () => {
    if (!list.scroller.isConnected) { window.removeEventListener('resize', onResize); return; }
    if (!list.measure()) return;
    if (inbox.selected >= 0) list.moveTo(inbox.selected); else list.paint();
  };
  window.addEventListener('resize', onResize);
  return view;
}
