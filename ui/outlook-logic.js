// The dashboard's outlook (issue 27), its pure parts: the words of the "Where you're heading"
// card, the reviews a reply won back, the roll-up of the owner's locations and the sentence and
// table of the competitors' chart. No DOM here, so node tests cover it.

import { formatCount, formatMonth, formatRating, formatPercent } from './format.js';

/** "45 minutes", "5.5 hours", "23 hours", "3 days": a reply delay as an owner says it. */
export function formatHours(h) {
  if (typeof h !== 'number' || !Number.isFinite(h) || h < 0) return '–';
  if (h < 1) {
    const m = Math.max(1, Math.round(h * 60));
    return `${m} minute${m === 1 ? '' : 's'}`;
  }
  if (h < 48) {
    const v = h < 10 ? Math.round(h * 10) / 10 : Math.round(h);
    return `${v} hour${v === 1 ? '' : 's'}`;
  }
  const d = Math.round((h / 24) * 10) / 10;
  return `${d < 10 ? d : Math.round(d)} days`;
}

/**
 * The median time to a first reply in words, with its change against the period before:
 * { value, sub, change: { dir, text } | null }. Faster is better, so a drop points up in tone.
 */
export function replyTime(heading, periodName = 'this period') {
  const now = heading?.median_reply_hours;
  const before = heading?.median_reply_hours_previous;
  const replied = heading?.replied ?? 0;
  if (typeof now !== 'number') {
    return { value: '–', sub: `No replies to reviews of ${periodName}.`, change: null };
  }
  const sub = `median over ${formatCount(replied)} ${replied === 1 ? 'reply' : 'replies'}, ${periodName}`;
  if (typeof before !== 'number') return { value: formatHours(now), sub, change: null };
  const faster = now < before;
  const same = Math.abs(now - before) < 0.05;
  return {
    value: formatHours(now),
    sub,
    change: {
      // `dir` colours it (faster is good); `arrow` follows the hours, which fell when faster.
      dir: same ? 'flat' : faster ? 'up' : 'down',
      arrow: same ? 'flat' : faster ? 'down' : 'up',
      text: same ? `same as before (${formatHours(before)})` : `${faster ? 'faster' : 'slower'} than ${formatHours(before)} before`,
    },
  };
}

/** "3 reviews rated higher after your reply, 7 stars won back in all." */
export function recoveredSummary(r) {
  const n = r?.count ?? 0;
  if (!n) return 'No review has been re-rated higher after a reply yet.';
  const stars = Math.round((r.stars_gained ?? 0) * 10) / 10;
  return `${formatCount(n)} review${n === 1 ? '' : 's'} rated higher after your reply, `
    + `${stars} star${stars === 1 ? '' : 's'} won back in all.`;
}

/** "2★ → 5★" for one recovered review. */
export function recoveredChange(x) {
  return `${formatRating(x.before)}★ → ${formatRating(x.after)}★`;
}

/**
 * The roll-up's table rows, combined first: [{ key, rank, name, rating, count, positive,
 * replies, unanswered, own }]; `key` is the business id ('' for the combined row).
 */
export function portfolioRows(p) {
  if (!p || !Array.isArray(p.locations) || p.locations.length < 2) return [];
  const pct = (v) => (typeof v === 'number' ? formatPercent(v, 1) : '–');
  const rating = (v) => (typeof v === 'number' ? `${formatRating(v)}★` : '–');
  return [
    {
      key: '', rank: '', name: `All ${p.locations.length} locations`,
      rating: rating(p.combined_all_time?.average_rating), period: rating(p.combined?.average_rating),
      count: formatCount(p.combined?.count ?? 0), positive: pct(p.combined?.positive_share),
      replies: pct(p.combined?.response_rate), unanswered: formatCount(p.unanswered_negative ?? 0),
      combined: true,
    },
    ...p.locations.map((l) => ({
      key: String(l.business_id), rank: String(l.rank), name: l.business,
      rating: rating(l.rating), period: rating(l.current?.average_rating),
      count: formatCount(l.current?.count ?? 0), positive: pct(l.current?.positive_share),
      replies: pct(l.current?.response_rate), unanswered: formatCount(l.unanswered_negative ?? 0),
      combined: false,
    })),
  ];
}

/** "Joe's North is your best rated location (4.6★); Joe's South the lowest (3.9★)." */
export function portfolioSummary(p) {
  const list = (p?.locations ?? []).filter((l) => typeof l.rating === 'number');
  if (list.length < 2) return 'Not enough ratings to rank your locations yet.';
  const best = list[0];
  const worst = list[list.length - 1];
  return `${best.business} is your best rated location (${formatRating(best.rating)}★); `
    + `${worst.business} the lowest (${formatRating(worst.rating)}★).`;
}

/** The last value of a line that is not null, with its index; null when none. */
function lastValue(values) {
  for (let i = values.length - 1; i >= 0; i -= 1) {
    if (typeof values[i] === 'number') return { i, v: values[i] };
  }
  return null;
}

function firstValue(values) {
  const i = values.findIndex((v) => typeof v === 'number');
  return i < 0 ? null : { i, v: values[i] };
}

/**
 * The competitors' chart in one sentence: "Over 12 months your overall rating went from 4.2★ to
 * 4.4★; now ahead of 1 of 2 competitors (Bean There 4.1★), behind Café Rouge (4.6★)."
 */
export function rivalsSummary(rivals) {
  const lines = rivals?.lines ?? [];
  const own = lines.find((l) => l.own);
  const others = lines.filter((l) => !l.own);
  const months = rivals?.months?.length ?? 0;
  if (!own || !others.length || !months) return 'No competitors to compare with yet.';
  const a = firstValue(own.running_rating);
  const b = lastValue(own.running_rating);
  if (!a || !b) return `No ratings of yours in the last ${months} months to compare.`;
  const moved = b.v > a.v ? `went from ${formatRating(a.v)}★ to ${formatRating(b.v)}★`
    : b.v < a.v ? `fell from ${formatRating(a.v)}★ to ${formatRating(b.v)}★`
      : `stayed at ${formatRating(b.v)}★`;
  const rated = others.map((l) => ({ name: l.business, last: lastValue(l.running_rating) })).filter((x) => x.last);
  const ahead = rated.filter((x) => x.last.v < b.v);
  const behind = rated.filter((x) => x.last.v > b.v);
  const list = (xs) => xs.map((x) => `${x.name} ${formatRating(x.last.v)}★`).join(', ');
  let tail = '';
  if (rated.length) {
    tail = `; now ahead of ${ahead.length} of ${rated.length} competitor${rated.length === 1 ? '' : 's'}`;
    if (ahead.length) tail += ` (${list(ahead)})`;
    if (behind.length) tail += `, behind ${list(behind)}`;
  }
  return `Over ${months} months your overall rating ${moved}${tail}.`;
}

/** The competitors' chart as a table: a row per month, a column per business. */
export function rivalsTable(rivals) {
  const lines = rivals?.lines ?? [];
  const cell = (v) => (typeof v === 'number' ? `${formatRating(v)}★` : '–');
  return {
    caption: 'Overall rating at the end of each month',
    head: ['Month', ...lines.map((l) => (l.own ? `${l.business} (you)` : l.business))],
    rows: (rivals?.months ?? []).map((m, i) => [formatMonth(m), ...lines.map((l) => cell(l.running_rating[i]))]),
  };
}
