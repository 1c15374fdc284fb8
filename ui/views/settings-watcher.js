// Settings' "Background watcher" card (issue 28, Headless): whether `earshot watch` runs as a
// service (syncing, alerting and sending queued replies while this window is closed), and the
// buttons that install or remove it through the same action as `earshot service`. Text from the
// system (paths, errors, advice) is set as text, never as markup.

import * as api from '../api.js';
import { h, mount } from '../dom.js';
import { showNotice } from '../components/notice.js';

/** What the status says, in words. */
export function watcherSummary(s) {
  if (!s.installed) return s.systemd === false
    ? 'Not installed. This computer has no systemd: install shows what to run instead.'
    : 'Not installed: alerts and replies wait for this app to be open.';
  if (s.running === true) return 'Installed and running: Earshot checks for new reviews, sends alerts and posts queued replies even when this window is closed.';
  if (s.running === false) return 'Installed but not running. Install again to start it.';
  return 'Installed.';
}

export function watcherCard() {
  const body = h('div', { id: 'watcher-status' }, h('p', { class: 'muted' }, 'Checking…'));
  const act = async (what, run) => {
    try {
      const s = await run();
      if (s.advice) showNotice(s.advice);
      else showNotice(what);
      await reload();
    } catch (e) {
      showNotice(`The background watcher could not be changed: ${e.message}`, { kind: 'error' });
    }
  };
  const reload = async () => {
    try {
      const s = await api.watcherStatus();
      const install = h('button', { class: 'btn', type: 'button', onclick: () => act('Installed.', api.installWatcher) },
        s.installed ? 'Install again' : 'Install');
      const remove = h('button', { class: 'btn btn-danger', type: 'button', onclick: () => act('Removed.', api.uninstallWatcher) },
        'Uninstall');
      remove.hidden = !s.installed;
      mount(body,
        h('p', { id: 'watcher-summary' }, watcherSummary(s)),
        s.unit_path && s.installed ? h('p', { class: 'muted' }, s.unit_path) : null,
        h('div', { class: 'actions' }, install, remove));
    } catch (e) {
      mount(body, h('p', { class: 'warn-text' }, `Could not tell whether it is installed: ${e.message}`));
    }
  };
  reload();
  return h('section', { class: 'card settings-card', id: 'watcher', 'aria-labelledby': 'watcher-title' },
    h('h2', { id: 'watcher-title' }, 'Background watcher'),
    h('p', { class: 'muted settings-intro' },
      'Runs `earshot watch` as a user service, so Earshot checks for new reviews, sends alerts and posts queued replies while this window is closed. The app and the watcher share the work: nothing is fetched or sent twice.'),
    body);
}
