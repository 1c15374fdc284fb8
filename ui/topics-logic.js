// The owner's own topics (issue 27), the pure part: the words as the owner types them, what a
// topic's figures say in words, and the points of its small trend line. Node-tested
// (ui/tests/topics.test.js); the views only draw what these return.

import { formatCount, formatPercent, plural } from './format.js';

/**
 * The words of a comma-separated list, trimmed, without blanks or repeats (case aside): what
 * the core stores (`analysis::topics::split_words`).
 */
export function splitWords(text) {
  const out = [];
  for (const w of String(text ?? '').split(/[,;\n]/)) {
    const t = w.trim();
    if (t && !out.some((o) => o.toLocaleLowerCase() === t.toLocaleLowerCase())) out.push(t);
  }
  return out;
}

/** "talked about 12 times · 25% negative", or "not talked about in this period". */
export function topicFigures(t) {
  if (!t.mentions) return 'not talked about in this period';
  return `talked about ${plural(t.mentions, 'time')} · ${formatPercent(t.negative, t.mentions)} negative`;
}

/**
 * Whether complaints about the topic are rising: the last 30 days' negative share against the
 * 90 days before. { dir: 'up'|'down'|'flat', text } or null without both figures. Up is bad.
 */
export function topicDirection(t) {
  const now = t.recent_negative_share;
  const before = t.previous_negative_share;
  if (now === null || now === undefined || before === null || before === undefined) return null;
  const diff = now - before;
  if (Math.abs(diff) < 0.05) return { dir: 'flat', text: 'complaints steady' };
  return diff > 0
    ? { dir: 'up', text: `complaints up from ${formatPercent(before, 1)} to ${formatPercent(now, 1)}` }
    : { dir: 'down', text: `complaints down from ${formatPercent(before, 1)} to ${formatPercent(now, 1)}` };
}

/**
 * The points of a topic's trend line in a `width` × `height` box: one per period, mentions up
 * the side (the busiest period at the top). "" for fewer than two periods.
 */
export function sparkPoints(trend, width = 120, height = 28) {
  if (!trend || trend.length < 2) return '';
  const max = Math.max(1, ...trend.map((p) => p.mentions));
  const step = width / (trend.length - 1);
  return trend.map((p, i) => {
    const x = Math.round(i * step * 10) / 10;
    const y = Math.round((height - 2 - (p.mentions / max) * (height - 4)) * 10) / 10;
    return `${x},${y}`;
  }).join(' ');
}

/** The trend in words, for screen readers and the tooltip: "Mar 3, Apr 0, May 5". */
export function trendText(trend) {
  return (trend ?? []).map((p) => `${p.period}: ${formatCount(p.mentions)}`).join(', ');
}

/** "Tagging your reviews… 1,200 of 5,000". */
export function taggingText({ done, total }) {
  return `Tagging your reviews… ${formatCount(done)} of ${formatCount(total)}`;
}

/** What a save or removal did, in a sentence. */
export function changeText(change, verb) {
  const n = change.reviews_retagged ?? 0;
  return `${verb} “${change.topic.name}”. ${n ? `${plural(n, 'review')} tagged anew.` : 'No review changed.'}`;
}
