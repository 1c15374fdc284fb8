// Figures derived from the core's Stats for the dashboard's headline cards; pure, so tested.

import { fillMonths, isMissing } from './format.js';

/** "YYYY-MM" of a date in local time. */
export function monthOf(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
}

/**
 * The last complete month with its figures and the change against the month before.
 *
 * The current calendar month is still running, so comparing it with a full month would always look
 * like a drop; the cards compare the last two complete months instead. When the data ends earlier
 * (an old import), the last month in the data counts as complete.
 *
 * Returns null without data, else { month, count, average_rating, prev: {…} | null,
 * countDelta, ratingDelta } where a delta is null when it cannot be computed.
 */
export function lastMonthComparison(byMonth, today = new Date()) {
  const months = fillMonths(byMonth);
  const current = monthOf(today);
  const complete = months.filter((m) => m.month < current);
  if (complete.length === 0) return null;
  const last = complete[complete.length - 1];
  const prev = complete.length > 1 ? complete[complete.length - 2] : null;
  const ratingDelta = prev && last.average_rating !== null && prev.average_rating !== null
    ? Math.round((last.average_rating - prev.average_rating) * 100) / 100
    : null;
  return {
    month: last.month,
    count: last.count,
    average_rating: last.average_rating,
    prev,
    countDelta: prev ? last.count - prev.count : null,
    ratingDelta,
  };
}

/** Rated items: the sum of the distribution (mentions carry no stars). */
export function ratedCount(distribution) {
  return Object.values(distribution ?? {}).reduce((s, n) => s + (Number.isFinite(n) ? n : 0), 0);
}

/** The direction of a change for its arrow and colour: 'up', 'down' or 'flat'. */
export function trend(delta) {
  if (isMissing(delta) || delta === 0) return 'flat';
  return delta > 0 ? 'up' : 'down';
}

/**
 * A figure's change for a dashboard card: `arrow` follows the number (▲ more, ▼ fewer), `dir` says
 * whether that is good (`up`), bad (`down`) or neither, for the colour. "▼ +12" read as "worse"
 * but showed a rise (issue 32); now a rise of unanswered complaints is a red ▲.
 */
export function kpiChange(delta, text, goodWhenUp = true) {
  if (delta === null || delta === undefined) return null;
  return { dir: trend(goodWhenUp ? delta : -delta), arrow: trend(delta), text };
}

/**
 * The dashboard's changes against the period before (WindowFigures of the core): rating in stars,
 * count, positive share and response rate in fractions, unanswered negatives in items; null where
 * either side has no figure.
 */
export function periodChange(current, previous, unanswered, unansweredBefore) {
  const d = (a, b, digits = 2) => (a === null || a === undefined || b === null || b === undefined
    ? null : Math.round((a - b) * 10 ** digits) / 10 ** digits);
  return {
    rating: d(current.average_rating, previous.average_rating),
    count: previous.count > 0 || current.count > 0 ? current.count - previous.count : null,
    positive: d(current.positive_share, previous.positive_share, 3),
    response: d(current.response_rate, previous.response_rate, 3),
    unanswered: unanswered - unansweredBefore,
  };
}
