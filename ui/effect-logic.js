// "What works for you" (issue 29), its pure parts: the rows of the habits table and of the
// delay and length charts, the honest words for each comparison, and the follow-up's state on a
// review. No DOM here, so node tests cover it. The core decides the verdicts (a Fisher exact test,
// at least `min_group` replies a side); this file only words them.

import { formatCount, formatRating } from './format.js';

/** "40%", or "–" without a rate. */
export function rateText(rate) {
  return typeof rate === 'number' ? `${Math.round(rate * 100)}%` : '–';
}

/** "9 of 12 (75%)". */
export function groupText(g) {
  if (!g || !g.replies) return 'none';
  return `${formatCount(g.recovered)} of ${formatCount(g.replies)} (${rateText(g.rate)})`;
}

const VERDICTS = {
  more_often: { text: 'Won customers back more often', tone: 'good' },
  less_often: { text: 'Won customers back less often', tone: 'bad' },
  no_clear_difference: { text: 'No clear difference', tone: 'flat' },
  too_few: { text: 'Too few to tell', tone: 'muted' },
};

/** The verdict's short words and tone for a badge. */
export function verdictLabel(verdict) {
  return VERDICTS[verdict] ?? VERDICTS.too_few;
}

/**
 * The habits table: [{ key, label, with, without, withWidth, withoutWidth, verdict, tone, says,
 * p }], replying at all first. Widths are percentages for the bars (0–100).
 */
export function habitRows(effect) {
  const habits = Array.isArray(effect?.habits) ? effect.habits : [];
  return habits.map((h) => {
    const v = verdictLabel(h.verdict);
    const label = h.habit === 'replied' ? 'Answering at all' : capitalise(h.label);
    return {
      key: h.habit,
      label,
      with: groupText(h.with),
      without: groupText(h.without),
      withWidth: width(h.with?.rate),
      withoutWidth: width(h.without?.rate),
      verdict: v.text,
      tone: v.tone,
      says: h.says,
      p: typeof h.p_value === 'number' ? `p = ${h.p_value < 0.001 ? '< 0.001' : h.p_value.toFixed(3)}` : null,
      withIds: h.with?.recovered_review_ids ?? [],
      withoutIds: h.without?.recovered_review_ids ?? [],
    };
  });
}

function width(rate) {
  return typeof rate === 'number' ? Math.max(0, Math.min(100, Math.round(rate * 100))) : 0;
}

function capitalise(s) {
  const t = String(s ?? '');
  return t ? t[0].toUpperCase() + t.slice(1) : t;
}

/** Bars of a delay or length chart: [{ key, label, text, width, tooFew, ids }]. */
export function bucketBars(buckets) {
  return (Array.isArray(buckets) ? buckets : []).map((b) => ({
    key: b.bucket,
    label: b.label,
    text: b.replies ? `${groupText(b)}${b.too_few ? ' · too few to tell' : ''}` : 'no replies',
    width: width(b.rate),
    tooFew: Boolean(b.too_few),
    ids: b.recovered_review_ids ?? [],
  }));
}

/** The headline figures: [[label, value, sub]]. */
export function headlineFigures(effect) {
  if (!effect) return [];
  const a = effect.answered ?? {};
  return [
    ['Unhappy reviews', formatCount(effect.unhappy ?? 0), '1–2★, or reading negative'],
    ['Answered', formatCount(a.replies ?? 0), effect.unhappy ? `${rateText((a.replies ?? 0) / effect.unhappy)} of them` : ''],
    ['Won back after a reply', formatCount(a.recovered ?? 0),
      `${rateText(a.rate)} · ${formatCount(effect.rating_rose ?? 0)} raised their rating, ${formatCount(effect.came_back ?? 0)} came back`],
    ['Came back with a better review', rateText(effect.came_back_share), `of all unhappy reviewers, within ${Math.round((effect.comeback_days ?? 180) / 30)} months`],
  ];
}

/** "2★ → 4★, rating raised" / "2★, then came back with 5★". */
export function recoveryText(r) {
  const s = (v) => (typeof v !== 'number' ? 'no stars' : `${Number.isInteger(v) ? v : formatRating(v)}★`);
  if (r.how === 'came_back') return `${s(r.before)}, then came back with ${s(r.after)}`;
  return `${s(r.before)} → ${s(r.after)}, rating raised`;
}

/**
 * What the review screen's "Ask them to update" shows: { state, text, canAsk, askAgain }.
 * `state` is one of `none`, `asked`, `updated`, `failed`.
 */
export function followUpState(review, status) {
  const answerable = review?.kind === 'review' && review?.replied;
  if (!status) {
    return {
      state: 'none',
      text: answerable
        ? 'Once it is sorted out, you can ask the customer whether they would update their review.'
        : 'Answer the review first; then you can ask the customer to update it.',
      canAsk: Boolean(answerable),
      askAgain: false,
    };
  }
  const changed = status.changed_after;
  const state = changed ? 'updated' : status.follow_up?.state === 'failed' ? 'failed' : 'asked';
  return { state, text: status.says, canAsk: Boolean(answerable), askAgain: state !== 'failed' };
}
