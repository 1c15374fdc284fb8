// The inbox's pure parts: the filter form to the core's ReviewFilter, the window of rows a
// virtualised list keeps in the DOM, and search highlighting. No DOM here, so node tests cover it.

/** The inbox's filter choices as the owner sets them; every field is a string from a form. */
export const EMPTY_CHOICES = Object.freeze({
  business: '', platform: '', stars: '', sentiment: '', answered: '', unread: false,
  from: '', to: '', aspect: '', q: '', removed: '',
});

/**
 * The "Removed" filter (issue 27): what a platform took down stays in Earshot, marked. By default
 * the inbox lists what the platforms still show; `all` adds the removed items, `only` lists them.
 */
export const REMOVED_CHOICES = [['', 'Still online'], ['all', 'Online and removed'], ['only', 'Removed only']];

/** Star bands offered in the filter, by value: [min, max]. */
export const STAR_BANDS = {
  low: [1, 2],
  mid: [3, 3],
  high: [4, 5],
  1: [1, 1], 2: [2, 2], 3: [3, 3], 4: [4, 4], 5: [5, 5],
};

/** A YYYY-MM-DD day at local midnight as an RFC 3339 instant; null when not a date. */
function dayStart(day, addDays = 0) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '');
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The core's ReviewFilter (see src/store/reviews.rs) for a set of choices. */
export function filterFromChoices(c) {
  const f = {};
  if (c.business) f.business_id = Number(c.business);
  if (c.platform) f.platform = c.platform;
  const band = STAR_BANDS[c.stars];
  if (band) { [f.min_rating, f.max_rating] = band; }
  if (c.sentiment) f.sentiment = c.sentiment;
  if (c.answered === 'no') f.unanswered = true;
  if (c.answered === 'yes') f.answered = true;
  if (c.unread) f.unread = true;
  if (c.removed === 'all') f.include_removed = true;
  if (c.removed === 'only') f.removed = true;
  const since = dayStart(c.from);
  // "To" is inclusive: up to the start of the next day.
  const until = dayStart(c.to, 1);
  if (since) f.since = since;
  if (until) f.until = until;
  if (c.aspect) f.aspect = c.aspect;
  const q = String(c.q ?? '').trim();
  if (q) f.search = q;
  return f;
}

/** Whether any choice narrows the list (the "Clear filters" button shows then). */
export function isFiltered(c) {
  return Object.entries(EMPTY_CHOICES).some(([k, v]) => (c[k] ?? v) !== v);
}

/**
 * The rows to keep in the DOM: those in view plus `overscan` on each side, as [first, end).
 * Fixed row height keeps this O(1) however long the list.
 */
export function visibleRange({ scrollTop, viewport, rowHeight, count, overscan = 6 }) {
  if (count <= 0 || rowHeight <= 0) return [0, 0];
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return [first, Math.max(first, end)];
}

/** Which pages of `size` rows cover [first, end). */
export function pagesFor([first, end], size) {
  if (end <= first) return [];
  const out = [];
  for (let p = Math.floor(first / size); p <= Math.floor((end - 1) / size); p += 1) out.push(p);
  return out;
}

/** Lower case without diacritics, as the full-text index compares words ("café" = "cafe"). */
export function fold(word) {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The search's words, as the core's full-text search matches them (prefix-insensitive words). */
export function searchTerms(q) {
  return fold(String(q ?? ''))
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * Splits `text` into parts `{ text, match }` where whole words matching a search term are marked:
 * the UI renders matches in <mark> as text nodes (never HTML).
 */
export function highlightParts(text, terms) {
  const s = String(text ?? '');
  if (!terms.length || !s) return [{ text: s, match: false }];
  const wanted = new Set(terms);
  const parts = [];
  let last = 0;
  for (const m of s.matchAll(/[\p{L}\p{N}]+/gu)) {
    if (!wanted.has(fold(m[0]))) continue;
    if (m.index > last) parts.push({ text: s.slice(last, m.index), match: false });
    parts.push({ text: m[0], match: true });
    last = m.index + m[0].length;
  }
  if (last < s.length) parts.push({ text: s.slice(last), match: false });
  return parts.length ? parts : [{ text: s, match: false }];
}

/**
 * A one-paragraph excerpt of at most `max` characters, starting near the first match so the
 * highlighted word is in view.
 */
export function excerpt(text, terms, max = 220) {
  const s = String(text ?? '').replace(/\s+/g, ' ').trim();
  if (s.length <= max) return s;
  let start = 0;
  if (terms.length) {
    const lower = fold(s);
    const hits = terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0);
    if (hits.length) start = Math.max(0, Math.min(...hits) - 60);
    if (start > 0) {
      const space = s.indexOf(' ', start);
      start = space > 0 && space < start + 20 ? space + 1 : start;
    }
  }
  const cut = s.slice(start, start + max);
  return `${start > 0 ? '…' : ''}${cut}${start + max < s.length ? '…' : ''}`;
}

/** The next selected row for a j/k key press, kept inside the list. */
export function moveSelection(current, key, count) {
  if (count <= 0) return -1;
  if (current < 0) return 0;
  if (key === 'j' || key === 'ArrowDown') return Math.min(count - 1, current + 1);
  if (key === 'k' || key === 'ArrowUp') return Math.max(0, current - 1);
  return current;
}
