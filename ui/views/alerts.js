// The Alerts screen (being written).

import { h } from '../dom.js';

export async function render() {
  return h('section', { id: 'alerts', class: 'page' }, h('h1', null, 'Alerts'));
}
