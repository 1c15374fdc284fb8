// The Settings screen (being written).

import { h } from '../dom.js';

export async function render() {
  return h('section', { id: 'settings', class: 'page' }, h('h1', null, 'Settings'));
}
