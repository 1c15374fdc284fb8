// Follows a link out of the app. A link on its platform's own hosts opens straight away; any
// other address is shown in full first, and the owner chooses to copy it, or to copy and open
// it (the shell asks once more, natively, before it opens a host no platform declares).

import { h, mount } from '../dom.js';
import { openExternal } from '../api.js';
import { confirmDialog } from './confirm.js';

async function copy(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // WebKit may refuse the async clipboard; a selected input and execCommand still work.
    input.select();
    return document.execCommand?.('copy') ?? false;
  }
}

/** Shows `url` in full; resolves to 'open', 'copy' or null (cancelled). */
function askAbout(url, { copyLabel = 'Copy', openLabel = 'Copy and open' } = {}) {
  const address = h('input', {
    class: 'link-address', readonly: true, value: url, 'aria-label': 'Address',
    onfocus: (ev) => ev.target.select(),
  });
  const dialog = h('dialog', { class: 'modal', 'aria-labelledby': 'link-title' },
    h('form', { method: 'dialog', class: 'form' },
      h('h2', { id: 'link-title' }, 'This link leaves Earshot'),
      h('p', null, 'It goes to an address Earshot cannot vouch for. Check it before you open it:'),
      address,
      h('div', { class: 'actions' },
        h('button', { class: 'btn', value: 'cancel', type: 'submit' }, 'Cancel'),
        h('button', { class: 'btn', value: 'copy', type: 'submit', id: 'link-copy' }, copyLabel),
        h('button', { class: 'btn btn-primary', value: 'open', type: 'submit', id: 'link-open' }, openLabel))));
  mount(document.getElementById('dialogs'), dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', async () => {
      const choice = ['open', 'copy'].includes(dialog.returnValue) ? dialog.returnValue : null;
      if (choice) await copy(url, address);
      dialog.remove();
      resolve(choice);
    }, { once: true });
    dialog.showModal();
  });
}

/**
 * Follows a `linkTarget` (format.js): opens it, or shows its address first. `keepClipboard`
 * (the reply composer's Copy and open, whose clipboard holds the reply) offers only "Open".
 * Resolves to whether the link was opened.
 */
export async function followLink(target, { keepClipboard = false } = {}) {
  if (!target) return false;
  if (!target.direct) {
    const choice = keepClipboard
      ? ((await askOpenOnly(target.url)) ? 'open' : null)
      : await askAbout(target.url);
    if (choice !== 'open') return false;
  }
  await openExternal(target.url);
  return true;
}

/** Shows `url` in full with Open and Cancel, leaving the clipboard alone. */
function askOpenOnly(url) {
  return confirmDialog({
    title: 'This link leaves Earshot',
    text: `It goes to ${url}, an address Earshot cannot vouch for. Open it?`,
    yes: 'Open',
  });
}
