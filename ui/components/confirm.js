// A calm yes/no question in a modal <dialog> (window.confirm is not available in every webview).

import { h, mount } from '../dom.js';

/** Resolves to true when the owner chose `yes`. */
export function confirmDialog({ title, text, yes = 'Continue', no = 'Cancel' }) {
  const dialog = h('dialog', { class: 'modal', 'aria-labelledby': 'confirm-title' },
    h('form', { method: 'dialog', class: 'form' },
      h('h2', { id: 'confirm-title' }, title),
      text ? h('p', null, text) : null,
      h('div', { class: 'actions' },
        h('button', { class: 'btn', value: 'no', type: 'submit' }, no),
        h('button', { class: 'btn btn-primary', value: 'yes', type: 'submit', id: 'confirm-yes' }, yes))));
  mount(document.getElementById('dialogs'), dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'yes';
      dialog.remove();
      resolve(ok);
    }, { once: true });
    dialog.showModal();
  });
}
