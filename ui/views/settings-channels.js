// Settings' "Where alerts reach you" card (issue 28): e-mail, webhooks (Slack, Discord or plain
// JSON) and ntfy topics, each with the alert kinds it wants, quiet hours and a daily digest.
// Everything goes through api.js; every text the owner or a server wrote (addresses, errors) is
// set as text, never as markup. The e-mail password is sent once to the keyring and never shown.

import * as api from '../api.js';
import { h, mount } from '../dom.js';
import { showNotice } from '../components/notice.js';
import { confirmDialog } from '../components/confirm.js';
import { hourOptions, quietHoursFrom } from '../settings-logic.js';

const KINDS = ['new_negative', 'unanswered', 'rating_drop', 'spike', 'topic_surge', 'review_bomb', 'watch_word', 'competitor', 'silence', 'removed', 'source_health', 'credentials_expiring'];

const KIND_LABELS = { webhook: 'Webhook', ntfy: 'ntfy (phone push)', email: 'E-mail' };

function describe(c) {
  if (c.kind === 'email') return `E-mail to ${c.target} via ${c.settings?.server ?? '?'}`;
  if (c.kind === 'ntfy') return `ntfy ${c.target}`;
  return `Webhook (${c.settings?.format ?? 'generic'}) ${c.target}`;
}

function summary(c) {
  const parts = [c.kinds ? c.kinds.join(', ') : 'all alerts'];
  if (c.quiet_hours) parts.push(`quiet ${c.quiet_hours.start_hour}:00–${c.quiet_hours.end_hour}:00`);
  if (c.digest_hour != null) parts.push(`daily digest at ${c.digest_hour}:00`);
  parts.push(`sent ${c.sent}`, `waiting ${c.pending}`);
  if (c.failed) parts.push(`failed ${c.failed}`);
  return parts.join(' · ');
}

function channelItem(c, reload) {
  const test = h('button', { class: 'btn', type: 'button' }, 'Send a test');
  test.addEventListener('click', async () => {
    test.disabled = true;
    try {
      await api.testAlertChannel(c.id);
      showNotice('Test sent. Check that it arrived.');
    } catch (e) {
      showNotice(`The test did not go through: ${e.message}`, { kind: 'error' });
    } finally {
      test.disabled = false;
    }
  });
  const remove = h('button', { class: 'btn', type: 'button' }, 'Remove');
  remove.addEventListener('click', async () => {
    const yes = await confirmDialog({ title: 'Remove this channel?', text: describe(c), yes: 'Remove' });
    if (!yes) return;
    try {
      await api.removeAlertChannel(c.id);
      showNotice('Removed.');
      await reload();
    } catch (e) {
      showNotice(`Not removed: ${e.message}`, { kind: 'error' });
    }
  });
  // A restore changed where it sends: nothing goes to it until the owner has read why and confirms.
  let confirm = null;
  if (c.unconfirmed) {
    confirm = h('button', { class: 'btn btn-primary', type: 'button' }, 'Confirm channel');
    confirm.addEventListener('click', async () => {
      const yes = await confirmDialog({
        title: 'Send alerts to this channel again?', text: `${describe(c)}. ${c.unconfirmed}.`, yes: 'Confirm',
      });
      if (!yes) return;
      try {
        await api.confirmAlertChannel(c.id);
        showNotice('Confirmed: alerts go to this channel again.');
        await reload();
      } catch (e) {
        showNotice(`Not confirmed: ${e.message}`, { kind: 'error' });
      }
    });
  }
  return h('li', { class: 'channel-item', dataset: { id: String(c.id) } },
    h('p', { class: 'channel-name' }, describe(c)),
    h('p', { class: 'muted' }, summary(c)),
    c.unconfirmed ? h('p', { class: 'warn-text channel-unconfirmed', role: 'status' }, `Paused: ${c.unconfirmed}`) : null,
    c.last_error ? h('p', { class: 'warn-text channel-error', role: 'status' }, `Last error: ${c.last_error}`) : null,
    h('div', { class: 'actions' }, confirm, test, remove));
}

const hourSelect = (id, label, withOff) => h('select', { id, 'aria-label': label },
  withOff ? h('option', { value: '' }, 'Off') : null,
  hourOptions().map(([v, t]) => h('option', { value: String(v) }, t)));

function addForm(reload) {
  const kind = h('select', { id: 'channel-kind', 'aria-label': 'Channel' },
    Object.entries(KIND_LABELS).map(([v, t]) => h('option', { value: v }, t)));
  const target = h('input', { id: 'channel-target', type: 'text', autocomplete: 'off', placeholder: 'https://hooks.slack.com/services/…' });
  const server = h('input', { id: 'channel-server', type: 'text', autocomplete: 'off', placeholder: 'smtps://smtp.example.com:465' });
  const from = h('input', { id: 'channel-from', type: 'email', autocomplete: 'off', placeholder: 'optional' });
  const user = h('input', { id: 'channel-user', type: 'text', autocomplete: 'off', placeholder: 'optional' });
  const password = h('input', { id: 'channel-password', type: 'password', autocomplete: 'new-password' });
  const kinds = h('input', { id: 'channel-kinds', type: 'text', autocomplete: 'off', placeholder: 'all; or e.g. new_negative, spike' });
  const quietFrom = hourSelect('channel-quiet-from', 'Quiet from', true);
  const quietTo = hourSelect('channel-quiet-to', 'Quiet until', false);
  const digest = hourSelect('channel-digest', 'Daily digest at', true);
  const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);
  const emailOnly = h('div', { class: 'grid-2 channel-email' },
    field('channel-server', 'SMTP server', server),
    field('channel-from', 'From', from),
    field('channel-user', 'User name', user),
    field('channel-password', 'Password (kept in your computer\'s password store)', password));
  const targetLabel = h('label', { for: 'channel-target' }, 'URL');
  const sync = () => {
    const email = kind.value === 'email';
    emailOnly.hidden = !email;
    targetLabel.textContent = email ? 'Send to (address)' : kind.value === 'ntfy' ? 'Topic URL' : 'Webhook URL';
    target.placeholder = email ? 'you@example.com' : kind.value === 'ntfy' ? 'https://ntfy.sh/your-secret-topic' : 'https://hooks.slack.com/services/…';
  };
  kind.addEventListener('change', sync);
  sync();
  const add = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Add channel');
  const form = h('form', {
    class: 'form settings-form', novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (!target.value.trim()) { target.focus(); return; }
      const email = kind.value === 'email';
      const spec = {
        kind: kind.value,
        target: target.value.trim(),
        kinds: kinds.value.split(',').map((k) => k.trim()).filter(Boolean),
        quiet_hours: quietFrom.value === '' ? null : quietHoursFrom(true, quietFrom.value, quietTo.value),
        digest_hour: digest.value === '' ? null : Number(digest.value),
      };
      if (email) {
        spec.server = server.value.trim() || null;
        spec.from = from.value.trim() || null;
        spec.user = user.value.trim() || null;
      }
      add.disabled = true;
      try {
        const c = await api.addAlertChannel(spec, email && password.value ? password.value : null);
        password.value = '';
        showNotice(`Added: ${describe(c)}. Send it a test to be sure.`);
        await reload();
      } catch (err) {
        showNotice(`Not added: ${err.message}`, { kind: 'error' });
      } finally {
        add.disabled = false;
      }
    },
  },
  h('div', { class: 'grid-2' },
    field('channel-kind', 'Channel', kind),
    h('div', { class: 'field' }, targetLabel, target)),
  emailOnly,
  h('div', { class: 'grid-2' },
    field('channel-kinds', `Alert kinds (${KINDS.join(', ')})`, kinds),
    field('channel-digest', 'One message a day at', digest),
    field('channel-quiet-from', 'Quiet hours from', quietFrom),
    field('channel-quiet-to', 'until', quietTo)),
  h('div', { class: 'actions' }, add));
  return form;
}

/** The card; it loads its own list, so the rest of Settings never waits on it. */
export function channelsCard() {
  const list = h('div', { id: 'channel-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const reload = async () => {
    try {
      const channels = await api.listAlertChannels();
      mount(list, channels.length
        ? h('ul', { class: 'channel-list' }, channels.map((c) => channelItem(c, reload)))
        : h('p', { class: 'muted' }, 'None yet: alerts only reach this computer.'));
    } catch (e) {
      mount(list, h('p', { class: 'warn-text' }, `Could not list the channels: ${e.message}`));
    }
  };
  reload();
  return h('section', { class: 'card settings-card', id: 'channels', 'aria-labelledby': 'channels-title' },
    h('h2', { id: 'channels-title' }, 'Where alerts reach you'),
    h('p', { class: 'muted settings-intro' },
      'Besides this computer: e-mail from your own account, a webhook (Slack, Discord or your own), or ntfy on your phone. Each alert is sent once; failures show here. Alerts about reviews older than a day are not sent.'),
    list,
    addForm(reload));
}
