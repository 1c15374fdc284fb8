// The Alerts screen's pure parts: open before past, and an alert's figures in plain words.

import { formatRating } from './format.js';

/** Seen alerts older than this move to "Earlier": history, not a to-do list. */
export const OPEN_DAYS = 14;

/**
 * { open: new ones and those seen in the last OPEN_DAYS, newest first; past: the dismissed and
 * older seen ones }.
 */
export function splitAlerts(list, now = new Date()) {
  const newest = (a, b) => String(b.created_at).localeCompare(String(a.created_at));
  const cutoff = now.getTime() - OPEN_DAYS * 86400e3;
  const isOpen = (a) => a.state === 'new'
    || (a.state === 'seen' && new Date(a.created_at).getTime() >= cutoff);
  return {
    open: list.filter(isOpen).sort(newest),
    past: list.filter((a) => !isOpen(a)).sort(newest),
  };
}

/** Short facts from an alert's `details`, for the line under its message. */
export function alertFacts(a) {
  const d = a.details ?? {};
  const out = [];
  if (d.recent_average != null && d.baseline_average != null) {
    out.push(`${formatRating(d.recent_average)}★ over ${d.recent_reviews ?? '?'} recent reviews, was ${formatRating(d.baseline_average)}★`);
  }
  if (d.peak_per_hour != null) {
    out.push(`${d.items ?? d.peak_per_hour} items, up to ${d.peak_per_hour} an hour (usually ${Number(d.usual_per_hour ?? 0).toFixed(1)})`);
  }
  if (d.competitor_average != null && d.own_average != null) {
    out.push(`${d.competitor} ${formatRating(d.competitor_average)}★ vs you ${formatRating(d.own_average)}★`);
  }
  if (Array.isArray(d.words) && d.words.length) out.push(`words: ${d.words.join(', ')}`);
  if (d.hours != null) out.push(`no reply after ${d.hours} hours`);
  return out;
}
