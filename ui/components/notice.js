// A one-line message above the current view: a result ("Imported 120 new reviews") or a problem
// in plain words. Problems stay until dismissed; results fade after a while.

import { h, mount } from '../dom.js';

const RESULT_MS = 8000;
let timer = null;

export function showNotice(text, { kind = 'ok' } = {}) {
  const el = document.getElementById('notice');
  if (!el) return;
  clearTimeout(timer);
  const close = () => { el.hidden = true; el.replaceChildren(); };
  mount(el, h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('span', { class: 'notice-text' }, text),
    h('button', { class: 'btn-icon', type: 'button', 'aria-label': 'Dismiss', onclick: close }, '×')));
  el.hidden = false;
  if (kind !== 'error') timer = setTimeout(close, RESULT_MS);
}
