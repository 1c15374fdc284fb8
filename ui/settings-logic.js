// The Settings screen's pure parts: rule titles, labels and one-line summaries; parameter values
// as editable text and back; quiet hours and the tray's pause; templates from form values, their
// star band, their fields and inserting a field at the caret; backup sizes and dates.
// No DOM and no IPC here, so `node --test ui/` covers it.

import { dateTimeFormat, plural } from './format.js';

export const RULE_TITLES = {
  new_negative: 'New negative review',
  unanswered: 'Review waiting for a reply',
  rating_drop: 'Rating dropping',
  spike: 'Sudden burst of reviews',
  watch_word: 'Watch words mentioned',
  competitor: 'Competitor rated higher',
  source_health: 'A review site stopped working',
  topic_surge: 'Complaints about one topic surging',
  review_bomb: 'Possible review bombing',
  silence: 'A review site went quiet',
  removed: 'A review disappeared',
  credentials_expiring: 'A sign-in expires soon',
};

/** A rule's title; an unknown kind is shown as written (never used as an object key). */
export function ruleTitle(kind) {
  return Object.hasOwn(RULE_TITLES, kind) ? RULE_TITLES[kind] : String(kind ?? '');
}

// Labels for the rules' settings, by key (the core's `help` line goes under each). A Map: keys
// come from the backend and never become object keys.
const PARAM_LABELS = new Map([
  ['max_stars', 'Negative at or below (★)'],
  ['hours', 'Remind after (hours)'],
  ['drop', 'Fall of at least (★)'],
  ['recent_days', 'Recent period (days)'],
  ['baseline_days', 'Compared with (days)'],
  ['min_reviews', 'Reviews needed'],
  ['min_z', 'Certainty'],
  ['min_items', 'At least (reviews and posts an hour)'],
  ['min_ratio', 'Times the usual pace'],
  ['max_p', 'Chance by luck below'],
  ['words', 'Words and phrases'],
  ['window_days', 'Period compared (days)'],
  ['margin', 'Lead of at least (★)'],
  ['window_baseline_days', 'Compared with (days)'],
  ['window_min_items', 'At least (reviews and posts in the period)'],
  ['min_mentions', 'At least (negative reviews and posts)'],
  ['days', 'Warn before (days)'],
  ['remind', 'Remind again (1 yes, 0 no)'],
]);

// Labels that mean something else in one rule, by `kind.key` (a Map, as above).
const KIND_PARAM_LABELS = new Map([
  ['review_bomb.hours', 'Within (hours)'],
  ['review_bomb.max_stars', 'Low at or below (★)'],
  ['review_bomb.min_reviews', 'At least (first-time low ratings)'],
  ['silence.min_items', 'Reviews and posts needed to judge'],
  ['silence.window_days', 'Volume period (days)'],
]);

/** "Negative at or below (★)" for max_stars; an unknown key in words ("Some key"). */
export function paramLabel(key, kind) {
  const specific = `${kind ?? ''}.${key ?? ''}`;
  if (KIND_PARAM_LABELS.has(specific)) return KIND_PARAM_LABELS.get(specific);
  if (PARAM_LABELS.has(key)) return PARAM_LABELS.get(key);
  const words = String(key ?? '').replace(/_/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : '';
}

const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : null);
/** An amount of stars as the owner typed it, to two places at most: "0.05★", "0.3★", "2★". */
const starAmount = (v) => (num(v) === null ? '—★' : `${Number(num(v).toFixed(2))}★`);

/** What a rule does with its current settings, in one sentence. */
export function ruleSummary(rule) {
  const p = rule?.params ?? {};
  switch (rule?.kind) {
    case 'new_negative':
      return `When a review of ${starAmount(p.max_stars ?? 2)} or fewer arrives.`;
    case 'unanswered':
      return `When a review of ${starAmount(p.max_stars ?? 2)} or fewer has no reply after ${plural(num(p.hours) ?? 24, 'hour')}.`;
    case 'rating_drop':
      return `When the average of the last ${plural(num(p.recent_days) ?? 30, 'day')} falls ${starAmount(p.drop ?? 0.3)} below the ${num(p.baseline_days) ?? 90} days before.`;
    case 'spike':
      return `When an hour brings ${num(p.min_ratio) ?? 3} times the usual pace, and at least ${num(p.min_items) ?? 5} reviews and posts, or ${plural(num(p.window_days) ?? 7, 'day')} bring far more complaints or praise than usual; it says which.`;
    case 'topic_surge':
      return `When one topic's complaints over ${plural(num(p.window_days) ?? 14, 'day')} are far above its own usual rate (at least ${num(p.min_mentions) ?? 5} negative reviews and posts).`;
    case 'review_bomb':
      return `When at least ${plural(num(p.min_reviews) ?? 8, 'low rating')} from first-time reviewers arrive within ${plural(num(p.hours) ?? 6, 'hour')}, far above the usual.`;
    case 'silence':
      return 'When a review site brings nothing new for far longer than its usual gap, or far less than usual.';
    case 'removed':
      return 'When a review you had disappears from its platform.';
    case 'credentials_expiring':
      return `When a sign-in that cannot renew itself ends within ${plural(num(p.days) ?? 5, 'day')}.`;
    case 'watch_word': {
      const words = Array.isArray(p.words) ? p.words : [];
      if (!words.length) return 'When a review uses a word you list.';
      const shown = words.slice(0, 3).map((w) => `“${w}”`).join(', ');
      return `When a review uses ${shown}${words.length > 3 ? ` or ${plural(words.length - 3, 'other word')}` : ''}.`;
    }
    case 'competitor':
      return `When a competitor's average over ${plural(num(p.window_days) ?? 90, 'day')} leads yours by more than ${starAmount(p.margin ?? 0.05)}.`;
    case 'source_health':
      return 'When a connected review site stops working.';
    default:
      return '';
  }
}

/** A rule parameter as the text the core's `set_rule` reads back ("refund, scam" for lists). */
export function paramText(value) {
  if (Array.isArray(value)) return value.join(', ');
  if (value === null || value === undefined) return '';
  return String(value);
}

/**
 * The [[key, text]] pairs `setAlertRule` takes, from the form's inputs ({ key, value, words }):
 * numbers trimmed, word lists tidied ("refund,, scam " → "refund, scam"). `error` names the first
 * setting that is not a number, in the owner's words, so nothing is sent.
 */
export function ruleParamPairs(inputs) {
  const pairs = [];
  for (const { key, value, words } of inputs) {
    const text = String(value ?? '').trim();
    if (words) {
      pairs.push([key, text.split(',').map((w) => w.trim().replace(/\s+/g, ' ')).filter(Boolean).join(', ')]);
      continue;
    }
    if (text === '' || !Number.isFinite(Number(text))) {
      return { pairs: [], error: `“${paramLabel(key)}” needs a number.` };
    }
    pairs.push([key, text]);
  }
  return { pairs, error: null };
}

/** [[hour, "22:00"], …] for the hour pickers. */
export function hourOptions() {
  return Array.from({ length: 24 }, (_, h) => [h, `${String(h).padStart(2, '0')}:00`]);
}

/** The core's QuietHours, or null when off or empty (start equals end). */
export function quietHoursFrom(on, from, to) {
  const start = Number(from);
  const end = Number(to);
  if (!on || !Number.isInteger(start) || !Number.isInteger(end) || start === end) return null;
  if (start < 0 || start > 23 || end < 0 || end > 23) return null;
  return { start_hour: start, end_hour: end };
}

/** "22:00 to 07:00, overnight", "13:00 to 14:00", or "off". */
export function quietHoursText(q) {
  if (!q) return 'off';
  const hh = (n) => `${String(n).padStart(2, '0')}:00`;
  return `${hh(q.start_hour)} to ${hh(q.end_hour)}${q.end_hour < q.start_hour ? ', overnight' : ''}`;
}

/** "Paused until 14:00" (or with the day when not today) while the tray's pause runs; else null. */
export function pausedText(pausedUntil, now = new Date(), locale = undefined) {
  if (!pausedUntil) return null;
  const t = new Date(pausedUntil);
  if (Number.isNaN(t.getTime()) || t <= now) return null;
  const sameDay = t.toDateString() === now.toDateString();
  const opts = sameDay
    ? { hour: '2-digit', minute: '2-digit' }
    : { weekday: 'short', hour: '2-digit', minute: '2-digit' };
  return `Paused until ${dateTimeFormat(locale, opts).format(t)}`;
}

/** A ReplyTemplate from the form's strings. */
export function templateFromForm({ id = 0, name, min, max, aspect, body }) {
  const stars = (v) => (v === '' || v === null || v === undefined ? null : Number(v));
  const text = (v) => (String(v ?? '').trim() ? String(v).trim() : null);
  return {
    id: id ?? 0,
    name: String(name ?? '').trim(),
    min_rating: stars(min),
    max_rating: stars(max),
    aspect: text(aspect),
    body: String(body ?? '').trim(),
  };
}

/** "for 1–2★ reviews about wait time". */
export function bandLabel(t) {
  const lo = t.min_rating ?? 1;
  const hi = t.max_rating ?? 5;
  const band = lo === hi ? `${lo}★` : `${lo}–${hi}★`;
  return `for ${band} reviews${t.aspect ? ` about ${t.aspect}` : ''}`;
}

/** The short band for a chip: "1–2★", "5★", "any stars". */
export function bandShort(t) {
  const lo = t.min_rating ?? null;
  const hi = t.max_rating ?? null;
  if (lo === null && hi === null) return 'any stars';
  const a = lo ?? 1;
  const b = hi ?? 5;
  return a === b ? `${a}★` : `${a}–${b}★`;
}

/** The fields a template may use (the core's list), with what each becomes. */
export const FIELD_HELP = new Map([
  ['first_name', 'the reviewer\'s first name (“there” when unknown)'],
  ['business', 'the business\'s name'],
  ['aspect', 'what the review is about, e.g. “wait time”'],
  ['owner_name', 'your name from the profile above'],
  ['sign_off', '“— ” and your name'],
  ['contact', '“email me at …” or “call us on …” from your profile'],
  ['platform', 'where the review was written: Google, Yelp…'],
]);

/** `{name}`s in a body that are not among `fields`, once each, in order. */
export function unknownFields(body, fields) {
  const known = new Set(fields);
  const out = [];
  for (const m of String(body ?? '').matchAll(/\{([^{}]*)\}/g)) {
    if (!known.has(m[1]) && !out.includes(m[1])) out.push(m[1]);
  }
  return out;
}

/**
 * `{field}` typed over the selection [start, end) of `value`: the new value and where the caret
 * goes (just after the field).
 */
export function insertField(value, start, end, field) {
  const v = String(value ?? '');
  const a = Math.max(0, Math.min(v.length, Number.isInteger(start) ? start : v.length));
  const b = Math.max(a, Math.min(v.length, Number.isInteger(end) ? end : a));
  const token = `{${field}}`;
  return { value: v.slice(0, a) + token + v.slice(b), caret: a + token.length };
}

/** "840 KB", "12.4 MB": a backup's size. */
export function formatBytes(bytes) {
  const n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** A backup's YYYY-MM-DD as a calendar date ("Mon, 23 Nov 2026"), with no time-zone shift. */
export function formatDay(day, locale = undefined) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(day ?? ''));
  if (!m) return String(day ?? '');
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return dateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(d);
}
