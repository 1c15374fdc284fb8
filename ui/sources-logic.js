// The Sources screen's pure parts: platforms grouped for the picker, the form's values to the
// settings the core takes, and a source's status in plain words.

import { formatWhen, plural } from './format.js';

export const FEED_TITLES = {
  reviews: 'Reviews',
  mentions: 'Posts about you',
  file: 'Files',
};

const FEED_ORDER = ['reviews', 'mentions', 'file'];

/** [[feed, specs sorted by label], …] in the order Reviews, Mentions, Files. */
export function groupPlatforms(specs) {
  const groups = new Map();
  for (const s of specs) {
    const feed = String(s.feed ?? '').toLowerCase();
    if (!groups.has(feed)) groups.set(feed, []);
    groups.get(feed).push(s);
  }
  for (const list of groups.values()) list.sort((a, b) => a.label.localeCompare(b.label));
  return [...groups].sort(([a], [b]) => rank(a) - rank(b));
}

function rank(feed) {
  const i = FEED_ORDER.indexOf(feed);
  return i < 0 ? FEED_ORDER.length : i;
}

/**
 * The platform's honest guide (its spec's `guide`, the same words `earshot sources add
 * PLATFORM --help` prints) as titled sections for the connect form: `[{ title, text }]` and one
 * `{ title, steps: [...] }`. Sections without words are left out; no guide gives [].
 */
export function guideSections(spec) {
  const g = spec?.guide;
  if (!g) return [];
  const out = [];
  if (g.cost) out.push({ title: 'What it costs', text: g.cost });
  if (g.approval) out.push({ title: 'What it needs', text: g.approval });
  const steps = (g.steps ?? []).filter((st) => String(st ?? '').trim());
  if (steps.length) out.push({ title: 'Steps', steps });
  if (g.without_api) out.push({ title: 'Without the API', text: g.without_api });
  return out;
}

/** { key: value } of the filled-in fields; empty fields are left out (the defaults apply). */
export function settingsFromForm(pairs) {
  const out = {};
  for (const [k, v] of pairs) {
    const t = String(v ?? '').trim();
    if (t) out[k] = t;
  }
  return out;
}

/** A source's status for the owner: `{ tone: ok|bad|wait|new, text }`. */
export function sourceStatus(s) {
  switch (s.status) {
    case 'ok':
      return { tone: 'ok', text: 'Working' };
    case 'paused':
      return { tone: 'wait', text: 'Paused: the platform asked Earshot to slow down; it resumes on its own' };
    case 'error':
      return {
        tone: 'bad',
        text: s.consecutive_failures > 1
          ? `Not working (${s.consecutive_failures} tries in a row)`
          : 'Not working',
      };
    default:
      return { tone: 'new', text: s.connector === 'file' ? 'Imported file' : 'Not checked yet' };
  }
}

/**
 * What the platform itself shows for the business, read by the last sync (issue 25):
 * "Google says 4.4★ from 312 reviews (read today)"; null when it reports nothing.
 */
export function platformSays(s, spec, now = new Date()) {
  if (s.platform_rating_at == null || (s.platform_rating == null && s.platform_review_count == null)) return null;
  const who = spec?.label ?? s.connector;
  const figures = s.platform_rating != null
    ? `${Number(s.platform_rating).toFixed(1)}★${s.platform_review_count != null ? ` from ${plural(s.platform_review_count, 'review')}` : ''}`
    : `${plural(s.platform_review_count, 'review')}, no rating`;
  return `${who} says ${figures} (read ${formatWhen(new Date(s.platform_rating_at * 1000).toISOString(), now)})`;
}

/**
 * Whether a redraw of the Sources screen keeps the Connect form already on it (the same element,
 * with the platform chosen and what was typed): yes while it is on the screen being redrawn,
 * unless it has just connected a platform (then a blank form is ready for the next one). Arriving
 * from another screen starts a fresh form.
 */
export function keepConnectForm({ kept, onScreen, used }) {
  return Boolean(kept && onScreen && !used);
}
