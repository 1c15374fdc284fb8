// A modal progress indicator for demo loads and imports. The rest of the window stays visible
// but inert, so the owner sees that something is happening and cannot start it twice.

import { h, mount } from '../dom.js';
import { formatPercent, progressFraction } from '../format.js';
import { announce } from './notice.js';

let root = null;

function ensureRoot() {
  root ??= document.getElementById('overlay');
  return root;
}

/**
 * Shows the indicator with a title and an optional detail line; returns { update(read, total),
 * close() }. Without updates the bar is indeterminate (a demo load has no byte count).
 */
export function showProgress(title, detail = '') {
  const el = ensureRoot();
  const bar = h('div', { class: 'progress-bar indeterminate' });
  const pct = h('p', { class: 'progress-pct muted' }, detail);
  const track = h('div', {
    class: 'progress-track', role: 'progressbar', 'aria-label': title,
  }, bar);
  mount(el,
    // Read out once through the permanent live region (announce below), not from this new card.
    h('div', { class: 'progress-card' },
      h('div', { class: 'spinner', 'aria-hidden': 'true' }),
      h('h2', { class: 'progress-title' }, title),
      track,
      pct));
  el.hidden = false;
  document.getElementById('app')?.setAttribute('inert', '');
  announce(title);
  return {
    update(read, total) {
      const f = progressFraction(read, total);
      bar.classList.remove('indeterminate');
      // A CSSOM property, not a style attribute: allowed by the strict CSP.
      bar.style.width = `${(f * 100).toFixed(1)}%`;
      track.setAttribute('aria-valuenow', String(Math.round(f * 100)));
      pct.textContent = `${formatPercent(f, 1)} read`;
    },
    close() {
      el.hidden = true;
      el.replaceChildren();
      document.getElementById('app')?.removeAttribute('inert');
      // The inert window dropped focus: it goes to the screen's heading, not the page.
      if (!document.activeElement || document.activeElement === document.body) {
        document.querySelector('#view h1')?.focus({ preventScroll: true });
      }
    },
  };
}
