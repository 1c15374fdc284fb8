// Star rating glyphs; a mention (no rating) shows a "Post" tag instead of invented stars.
// An empty star is an outline (☆), so full and empty differ in shape, not only in colour; the
// rating itself is the element's label.

import { h } from '../dom.js';
import { starParts, starsLabel } from '../format.js';
import { kindWord } from '../words.js';

export function stars(rating, { size = 'md' } = {}) {
  const parts = starParts(rating);
  if (!parts) return h('span', { class: 'tag tag-mention' }, kindWord('mention', { capital: true }));
  const glyphs = [
    ...Array(parts.full).fill('full'),
    ...Array(parts.half).fill('half'),
    ...Array(parts.empty).fill('empty'),
  ];
  return h('span', { class: `stars stars-${size}`, role: 'img', 'aria-label': starsLabel(rating) },
    glyphs.map((g) => h('span', { class: `star star-${g}`, 'aria-hidden': 'true' }, g === 'empty' ? '☆' : '★')));
}
