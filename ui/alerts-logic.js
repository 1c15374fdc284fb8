// The Alerts screen's pure parts: which alerts need the owner now, an alert's figures in plain
// words, its message without the quote its review card already shows, and where to read more.
// No DOM and no IPC here, so `node --test ui/` covers it.

import {
  formatCount, formatRating, isMissing, platformLabel, plural,
} from './format.js';

/** Seen alerts older than this move to "Earlier": history, not a to-do list. */
export const OPEN_DAYS = 14;

const DAY_MS = 86400e3;

/** Kinds about one review, which the owner answers from the Review screen. */
const ABOUT_ONE_REVIEW = new Set(['new_negative', 'unanswered', 'watch_word', 'removed']);

/** A glyph per kind, to tell alerts apart at a glance (decorative; the title says it too). */
const KIND_ICONS = new Map([
  ['new_negative', '★'],
  ['unanswered', '✉'],
  ['rating_drop', '↘'],
  ['spike', '⚡'],
  ['watch_word', '⚑'],
  ['competitor', '⇄'],
  ['source_health', '⚠'],
  ['topic_surge', '▲'],
  ['review_bomb', '✸'],
  ['silence', '…'],
  ['removed', '⌫'],
  ['credentials_expiring', '⏲'],
]);

export function kindIcon(kind) {
  return KIND_ICONS.get(kind) ?? '•';
}

const newest = (a, b) => String(b.created_at).localeCompare(String(a.created_at));

/**
 * { fresh: new alerts; recent: seen in the last OPEN_DAYS; open: both (fresh first); past: the
 * dismissed and older seen ones }, each newest first. New ones come first whatever their date: a
 * new alert from last week still needs the owner more than one they have already read.
 */
export function splitAlerts(list, now = new Date()) {
  const cutoff = now.getTime() - OPEN_DAYS * DAY_MS;
  const fresh = list.filter((a) => a.state === 'new').sort(newest);
  const recent = list
    .filter((a) => a.state === 'seen' && new Date(a.created_at).getTime() >= cutoff)
    .sort(newest);
  const isPast = (a) => a.state === 'dismissed'
    || (a.state === 'seen' && !(new Date(a.created_at).getTime() >= cutoff));
  return { fresh, recent, open: [...fresh, ...recent], past: list.filter(isPast).sort(newest) };
}

/** The line under the page title: "3 new · 19 seen in the last two weeks". */
export function alertsSummary({ fresh, recent }) {
  if (!fresh.length && !recent.length) return 'Earshot watches your reviews and tells you when something needs you.';
  const parts = [];
  if (fresh.length) parts.push(`${formatCount(fresh.length)} new`);
  if (recent.length) parts.push(`${formatCount(recent.length)} seen in the last two weeks`);
  return parts.join(' · ');
}

const stars = (x, digits = 1) => `${digits === 1 ? formatRating(x) : Number(x).toFixed(digits)}★`;
const from = (avg, n, digits = 1) => (n != null
  ? `${stars(avg, digits)} from ${plural(n, 'review')}` : stars(avg, digits));

/** A signed change in stars: "−0.7★", "+0.2★". */
export function starChange(delta) {
  if (isMissing(delta)) return '—';
  const sign = delta < 0 ? '−' : delta > 0 ? '+' : '±';
  return `${sign}${formatRating(Math.abs(delta))}★`;
}

/** "0.4 an hour", "under 0.1 an hour". */
function pace(x) {
  const n = Number(x ?? 0);
  if (n > 0 && n < 0.1) return 'under 0.1 an hour';
  return `${n.toFixed(1)} an hour`;
}

/**
 * The figures behind an alert as [label, value] pairs, for a small table under its message.
 * Alerts about one review have none: their review card shows its stars and platform.
 */
export function alertFigures(a) {
  const d = a?.details ?? {};
  switch (a?.kind) {
    case 'rating_drop':
      if (d.recent_average == null || d.baseline_average == null) return [];
      return [
        ['Recently', from(d.recent_average, d.recent_reviews)],
        ['Before', from(d.baseline_average, d.baseline_reviews)],
        ['Change', starChange(Math.round((d.recent_average - d.baseline_average) * 100) / 100)],
      ];
    case 'spike':
      if (d.peak_per_hour == null) {
        // A week of complaints or praise (issue 28).
        if (d.items == null) return [];
        return [
          ...(d.direction ? [['Which way', d.direction === 'praise' ? 'Praise' : 'Complaints']] : []),
          ['Reviews and posts', `${formatCount(d.items)} in ${plural(d.evidence?.window?.days ?? 7, 'day')}`],
          ['Usual', `about ${Number(d.usual ?? 0).toFixed(1)}`],
          ...chance(d),
        ];
      }
      return [
        ...(d.direction ? [['Which way', d.direction === 'praise' ? 'Praise' : 'Complaints']] : []),
        ['Reviews and posts', formatCount(d.items ?? d.peak_per_hour)],
        ['Busiest hour', `${formatCount(d.peak_per_hour)} reviews and posts`],
        ['Usual pace', pace(d.usual_per_hour)],
      ];
    case 'topic_surge':
      if (d.items == null) return [];
      return [
        ['Topic', String(d.topic ?? '')],
        ['Negative reviews and posts', `${formatCount(d.items)} in ${plural(d.evidence?.window?.days ?? 14, 'day')}`],
        ['Usual', `about ${Number(d.usual ?? 0).toFixed(1)}`],
        ...chance(d),
      ];
    case 'review_bomb':
      if (d.first_time_low_ratings == null) return [];
      return [
        ['Low ratings from first-time reviewers', `${formatCount(d.first_time_low_ratings)} within ${plural(d.hours ?? 6, 'hour')}`],
        ...chance(d),
      ];
    case 'silence':
      return [
        ...(d.platform ? [['Platform', platformLabel(d.platform)]] : []),
        ...(d.empty_days != null ? [['Nothing for', plural(d.empty_days, 'day')]] : []),
        ...(d.items != null ? [['Reviews and posts', `${formatCount(d.items)}, about ${Math.round(d.usual ?? 0)} usual`]] : []),
        ...chance(d),
      ];
    case 'credentials_expiring':
      return d.expires_at ? [['Ends', new Date(d.expires_at).toLocaleString()]] : [];
    case 'competitor': {
      if (d.competitor_average == null || d.own_average == null) return [];
      // 4.14 against 4.08 would read "4.1 against 4.1": show the hundredths when they matter.
      const digits = formatRating(d.competitor_average) === formatRating(d.own_average) ? 2 : 1;
      return [
        [String(d.competitor ?? 'Competitor'), from(d.competitor_average, d.competitor_reviews, digits)],
        [a.business ?? 'You', from(d.own_average, d.own_reviews, digits)],
        ...(d.window_days ? [['Over', `the last ${plural(d.window_days, 'day')}`]] : []),
      ];
    }
    case 'watch_word':
      return Array.isArray(d.words) && d.words.length ? [['Words', d.words.join(', ')]] : [];
    case 'source_health':
      return [
        ...(d.platform ? [['Platform', platformLabel(d.platform)]] : []),
        ...(d.error_code ? [['Problem', String(d.error_code).replace(/_/g, ' ')]] : []),
      ];
    default:
      return [];
  }
}

/**
 * The statistical test's answer in words, from `details.evidence`: [['Chance by luck', '1 in 2.5
 * million']], or nothing when the alert has no p-value.
 */
function chance(d) {
  const p = Number(d?.evidence?.statistic?.p_value);
  if (!Number.isFinite(p) || p <= 0) return [];
  const odds = 1 / p;
  const words = odds >= 1e6 ? `${Number((odds / 1e6).toPrecision(2))} million` : formatCount(Math.round(odds));
  return [['Chance by luck', `1 in ${words}`]];
}

/** The old name, kept for callers that want one line: "Recently: 3.5★ from 44 reviews · …". */
export function alertFacts(a) {
  return alertFigures(a).map(([k, v]) => `${k}: ${v}`);
}

/**
 * The message without its closing quote of the review (`…from Tom A.: “Rude staff…”`) when the
 * review itself is shown below it, so the text is not read twice. Watch-word alerts keep theirs:
 * it is the sentence with the word, which may be far from the start of the review.
 */
export function alertMessage(a) {
  const m = String(a?.message ?? '');
  if (!ABOUT_ONE_REVIEW.has(a?.kind) || a.kind === 'watch_word' || !a.reviews?.length) return m;
  const cut = m.replace(/:\s*“[^”]*”\s*$/u, '');
  if (cut === m) return m;
  return /[.!?]$/.test(cut) ? cut : `${cut}.`;
}

/**
 * The review to open from an alert about one review, with the button's words: { id, label }
 * ("Reply" while it waits for an answer, else "Open review"); null for alerts about many.
 */
export function reviewTarget(a) {
  if (!ABOUT_ONE_REVIEW.has(a?.kind) || a.review_ids?.length !== 1) return null;
  const r = a.reviews?.[0];
  if (!r) return null;
  const waiting = r.kind !== 'mention' && !r.replied;
  return { id: r.id, label: waiting ? 'Reply' : 'Open review' };
}

/** YYYY-MM-DD of a day plus `days`, in the calendar (no time zones involved). */
export function addDays(day, days) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(day ?? ''));
  if (!m) return '';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  return d.toISOString().slice(0, 10);
}

/** The local YYYY-MM-DD of an instant. */
function localDay(iso) {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}`;
}

/** The rating-drop rule's default recent window (the alert's details do not carry it). */
const RECENT_DAYS = 30;

/**
 * Inbox choices (see inbox-logic.js EMPTY_CHOICES) that list the reviews behind an alert about
 * many of them, or null: the days of a drop, a spike's hours, the competitor's window.
 */
export function inboxChoicesFor(a) {
  const d = a?.details ?? {};
  const business = a?.business_id != null ? String(a.business_id) : '';
  switch (a?.kind) {
    case 'rating_drop':
      if (!d.day) return null;
      return { business, from: addDays(d.day, 1 - RECENT_DAYS), to: d.day };
    case 'spike':
      if (!d.start) return null;
      // A week's spike names days (YYYY-MM-DD), an hour's spike instants.
      if (/^\d{4}-\d{2}-\d{2}$/.test(d.start)) return { business, from: d.start, to: d.end ?? d.start };
      return { business, from: localDay(d.start), to: localDay(d.end ?? d.start) };
    case 'topic_surge': {
      const w = d.evidence?.window;
      if (!w?.start) return null;
      return { business, from: w.start, to: w.end ?? w.start };
    }
    case 'competitor':
      if (!d.day || d.competitor_id == null) return null;
      return { business: String(d.competitor_id), from: addDays(d.day, 1 - (d.window_days ?? 90)), to: d.day };
    default:
      return null;
  }
}
