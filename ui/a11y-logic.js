// The pure parts of keeping the window usable with a keyboard and a screen reader (issue 32):
// where focus was before a redraw and where it goes after, the window's title per screen, which
// coach warnings are new, and the one-sentence summaries of the charts. No DOM globals: node tests
// cover it with stand-in objects.

/** The app's name, last in every window title. */
export const APP_NAME = 'Earshot';

/** "Inbox – Earshot": the screen's heading first, so a window list or a tab reads it first. */
export function screenTitle(heading) {
  const h = String(heading ?? '').replace(/\s+/g, ' ').trim();
  return h ? `${h} – ${APP_NAME}` : APP_NAME;
}

/**
 * What to give focus back to after the view is drawn again: the focused element's id, the id of
 * an element to try next when it is gone (its `data-focus-fallback`: a "Mark seen" button names its
 * alert's "Dismiss") and, in a text field, the caret. `null` when focus was outside `container` or
 * on something without an id (the heading is then focused instead, never the page).
 */
export function focusSnapshot(active, container) {
  if (!active || !container || active === container || !container.contains?.(active)) return null;
  if (!active.id) return null;
  const snap = { id: active.id };
  const next = active.dataset?.focusFallback;
  if (next) snap.fallback = next;
  if (typeof active.selectionStart === 'number') {
    snap.start = active.selectionStart;
    snap.end = active.selectionEnd;
  }
  return snap;
}

/**
 * Gives focus back after a redraw: to the element with the same id, the caret where it was; else
 * to its fallback; else to `heading` (the screen's). `find(id)` looks an element up in the new
 * view; `isFocused(el)` says whether focusing worked (an element inside a closed <details> cannot
 * take focus). Returns the element focused, or null.
 */
export function restoreFocus(snap, find, heading = null, isFocused = () => true) {
  const candidates = [snap ? find(snap.id) : null, snap?.fallback ? find(snap.fallback) : null, heading];
  for (const [i, el] of candidates.entries()) {
    if (!el || el.disabled || el.hidden) continue;
    el.focus({ preventScroll: true });
    if (!isFocused(el)) continue;
    if (i === 0 && snap.start !== undefined && typeof el.setSelectionRange === 'function') {
      try { el.setSelectionRange(snap.start, snap.end); } catch { /* not a text field any more */ }
    }
    return el;
  }
  return null;
}

/**
 * The coach's warnings not announced yet, remembered in `said` (a Set of codes kept for the
 * composer's life): each warning is read out once, not again after every pause in typing.
 */
export function newWarnings(warnings, said) {
  const fresh = [];
  for (const w of warnings ?? []) {
    if (said.has(w.code)) continue;
    said.add(w.code);
    fresh.push(w);
  }
  return fresh;
}

const pct = (v) => `${Math.round((v ?? 0) * 100)}%`;

/**
 * "Reviews per month: 1,204 over 36 months; the busiest was March 2025 with 61." from the
 * monthly chart's months ({month, label, count}).
 */
export function monthlySummary(months, fmtCount = String) {
  const list = (months ?? []).filter((m) => m && typeof m.count === 'number');
  if (!list.length) return 'No reviews yet.';
  const total = list.reduce((s, m) => s + m.count, 0);
  const top = list.reduce((a, b) => (b.count > a.count ? b : a));
  return `${fmtCount(total)} reviews and posts over ${list.length} months; `
    + `the busiest was ${top.label} with ${fmtCount(top.count)}.`;
}

/**
 * "The rating went from 4.2★ to 3.9★ over 13 weeks, lowest 3.6★ in the week of Nov 3." from the
 * trend's periods ({label, rating}); periods without a rating are skipped.
 */
export function trendSummary(points, unit, fmtRating = String) {
  const rated = (points ?? []).filter((p) => p && typeof p.rating === 'number');
  if (!rated.length) return 'No ratings in this period.';
  const first = rated[0];
  const last = rated[rated.length - 1];
  const low = rated.reduce((a, b) => (b.rating < a.rating ? b : a));
  if (rated.length === 1) return `One ${unit} with ratings: ${fmtRating(first.rating)}★.`;
  const moved = last.rating > first.rating ? 'rose' : last.rating < first.rating ? 'fell' : 'stayed';
  const how = moved === 'stayed'
    ? `stayed at ${fmtRating(first.rating)}★`
    : `${moved} from ${fmtRating(first.rating)}★ to ${fmtRating(last.rating)}★`;
  return `The rating ${how} over ${rated.length} ${unit}s; the lowest was ${fmtRating(low.rating)}★ (${low.label}).`;
}

/**
 * "Across 13 weeks, 71% positive, 9% neutral and 20% negative on average; the most negative was
 * the week of Nov 3 (35%)." from periods ({label, negative, neutral, positive} shares).
 */
export function sentimentSummary(periods, unit) {
  const list = (periods ?? []).filter(Boolean);
  if (!list.length) return 'Nothing in this period.';
  const mean = (k) => list.reduce((s, p) => s + (p[k] ?? 0), 0) / list.length;
  const worst = list.reduce((a, b) => ((b.negative ?? 0) > (a.negative ?? 0) ? b : a));
  return `Across ${list.length} ${unit}${list.length === 1 ? '' : 's'}, ${pct(mean('positive'))} positive, `
    + `${pct(mean('neutral'))} neutral and ${pct(mean('negative'))} negative on average; `
    + `the most negative was ${worst.label} (${pct(worst.negative)}).`;
}

/** "Most are 5 stars (48%); 12% are 1 or 2 stars." from [{star, count}]. */
export function distributionSummary(rows) {
  const list = rows ?? [];
  const total = list.reduce((s, r) => s + r.count, 0);
  if (!total) return 'No rated reviews yet.';
  const top = list.reduce((a, b) => (b.count > a.count ? b : a));
  const low = list.filter((r) => r.star <= 2).reduce((s, r) => s + r.count, 0);
  return `Most are ${top.star} star${top.star === 1 ? '' : 's'} (${pct(top.count / total)}); `
    + `${pct(low / total)} are 1 or 2 stars.`;
}

/** "Most come from Google (120 of 200)." from bar rows ({label, value}). */
export function barsSummary(rows, noun = 'reviews and posts') {
  const list = rows ?? [];
  const total = list.reduce((s, r) => s + (r.value ?? 0), 0);
  if (!total) return `No ${noun} yet in this period.`;
  const top = list.reduce((a, b) => (b.value > a.value ? b : a));
  return `${list.length} in all; the most ${noun} are for ${top.label} (${top.value} of ${total}).`;
}
