// A one-line message above the current view: a result ("Imported 120 new reviews") or a problem
// in plain words, and the screen reader's announcements.
//
// What is read out goes to the two live regions of index.html, which exist (empty) from the
// start: a region created along with its text is often not read. The visible line has no role of
// its own, so nothing is read twice. Results stay until dismissed, replaced or the owner moves to
// another screen (they used to vanish after 8 s, before some could be read: WCAG 2.2.1); problems
// stay until dismissed.

import { h, mount } from '../dom.js';

let kept = 'none';

/**
 * Reads `text` out once: politely (after what is being read), or at once with `urgent`. The
 * same text twice in a row is read twice: the region is emptied first.
 */
export function announce(text, { urgent = false } = {}) {
  const region = document.getElementById(urgent ? 'live-alert' : 'live-status');
  if (!region) return;
  region.textContent = '';
  // The next frame, so the emptied region and the new text are two changes, not one.
  requestAnimationFrame(() => { region.textContent = String(text); });
}

/**
 * Shows `text` above the view. `action` ({ label, run }) adds a button that closes the notice and
 * runs `run` (a way out of a problem: "Skip the bad rows and import the rest").
 */
export function showNotice(text, { kind = 'ok', action = null } = {}) {
  const el = document.getElementById('notice');
  if (!el) return;
  const close = () => { el.hidden = true; el.replaceChildren(); kept = 'none'; };
  const act = action && h('button', {
    class: 'btn notice-action', type: 'button',
    onclick: () => { close(); action.run(); },
  }, action.label);
  mount(el, h('div', { class: `notice notice-${kind}` },
    h('span', { class: 'notice-text' }, text),
    act,
    h('button', { class: 'btn-icon', type: 'button', 'aria-label': 'Dismiss', onclick: close }, '×')));
  el.hidden = false;
  kept = kind;
  announce(text, { urgent: kind === 'error' });
}

/** On another screen a result is old news; a problem stays until the owner dismisses it. */
export function clearResultNotice() {
  if (kept !== 'ok') return;
  const el = document.getElementById('notice');
  if (el) { el.hidden = true; el.replaceChildren(); }
  kept = 'none';
}
