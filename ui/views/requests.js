// "Ask for reviews" (issue 29): the review link of each profile with its QR code and a printable
// card, the customer list, sending requests (a preview with the count and the words first), and
// what followed. Every text from the owner's list or a server (names, addresses, errors) is set
// as text; the QR preview is an image the core draws. Asking is the same for everyone: nothing
// on this screen picks customers by what they might write.

import * as api from '../api.js';
import { h, mount } from '../dom.js';
import { showNotice } from '../components/notice.js';
import { platformLabel } from '../format.js';
import {
  askableLinks, doneSentence, linkNote, plural, previewSentence, skippedSentence, statRows,
  tooFewToCompare,
} from '../requests-logic.js';


const field = (id, label, control, help = null) => h('div', { class: 'field' },
  h('label', { for: id }, label), control, help ? h('p', { class: 'muted field-help' }, help) : null);

function day(unix) {
  return unix == null ? '' : new Date(unix * 1000).toISOString().slice(0, 10);
}

function linkItem(business, link) {
  const img = h('img', { class: 'qr-preview', alt: `QR code of the ${link.label} review link`, width: '132', height: '132' });
  api.requestQrPreview(business, link.platform).then((src) => { img.src = src; })
    .catch(() => { img.alt = 'The QR code could not be drawn.'; });
  const save = (kind, label) => h('button', {
    class: 'btn', type: 'button',
    onclick: async () => {
      try {
        const path = await api.saveRequestCard(business, link.platform, kind);
        if (path) showNotice(`Saved ${path}.`);
      } catch (e) {
        showNotice(`Not saved: ${e.message}`, { kind: 'error' });
      }
    },
  }, label);
  return h('li', { class: 'request-link', dataset: { platform: link.platform } },
    img,
    h('div', { class: 'request-link-body' },
      h('p', { class: 'request-link-name' }, link.label),
      h('p', { class: 'request-link-url' }, link.url),
      h('p', { class: link.rule?.kind === 'forbidden' ? 'warn-text' : 'muted' }, linkNote(link)),
      h('div', { class: 'actions request-link-actions' },
        save('pdf', 'Save printable card (PDF)'), save('png', 'Save QR code (PNG)'))));
}

function linksCard(o, reload, profiles) {
  const platform = h('select', { id: 'link-platform' },
    profiles.map((p) => h('option', { value: p }, platformLabel(p))));
  const url = h('input', { id: 'link-url', type: 'url', autocomplete: 'off', placeholder: 'https://g.page/r/…/review' });
  const form = h('form', {
    class: 'form request-link-form', novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (!url.value.trim()) { url.focus(); return; }
      try {
        await api.setRequestLink(o.business, platform.value, url.value.trim());
        url.value = '';
        showNotice('Link saved.');
        await reload();
      } catch (err) {
        showNotice(`Not saved: ${err.message}`, { kind: 'error' });
      }
    },
  },
  h('div', { class: 'grid-2' }, field('link-platform', 'Profile', platform), field('link-url', 'Its review link', url)),
  h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'submit' }, 'Set link')));
  return h('section', { class: 'card settings-card', id: 'request-links', 'aria-labelledby': 'request-links-title' },
    h('h2', { id: 'request-links-title' }, 'Your review links'),
    h('p', { class: 'muted settings-intro' },
      'Where a customer writes a review of you, found from your connected profiles. Print the card for the counter or a receipt, or set a link yourself.'),
    o.links.length
      ? h('ul', { class: 'request-links' }, o.links.map((l) => linkItem(o.business, l)))
      : h('p', { class: 'muted' }, 'No review link yet: connect a profile under Review sites, or set its link below.'),
    form);
}

function customersCard(o, reload) {
  const optedOut = o.customers.filter((c) => c.opt_out).length;
  const importButton = h('button', {
    id: 'import-customers', class: 'btn btn-primary', type: 'button',
    onclick: async () => {
      try {
        const path = await api.chooseCustomersFile();
        if (!path) return;
        const done = await api.importCustomers(o.business, path);
        showNotice(`Imported: ${plural(done.added, 'customer')} added, ${done.updated} updated.`);
        await reload();
      } catch (e) {
        showNotice(`Nothing was imported. ${e.message}`, { kind: 'error' });
      }
    },
  }, 'Import a list (CSV)');
  const shown = o.customers.slice(0, 50);
  const table = h('table', { class: 'table customers-table' },
    h('caption', { class: 'sr-only' }, 'Your customers'),
    h('thead', null, h('tr', null,
      ['Name', 'E-mail', 'Phone', 'Visited', 'Last asked'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, shown.map((c) => h('tr', null,
      // An opt-out reads under the name: a column of its own left the dates no room.
      h('td', null, c.name, c.opt_out ? h('span', { class: 'muted opt-out' }, 'Asked not to be contacted') : null),
      h('td', null, c.email ?? ''), h('td', null, c.phone ?? ''),
      h('td', null, day(c.visited_at)), h('td', null, c.last_asked_at ? day(c.last_asked_at) : 'never')))));
  return h('section', { class: 'card settings-card', id: 'request-customers', 'aria-labelledby': 'request-customers-title' },
    h('h2', { id: 'request-customers-title' }, 'Your customers'),
    h('p', { class: 'muted settings-intro' },
      'A CSV with the columns name, email, phone, visited_at, opt_out, kept only on this computer. Importing it again updates the list; a customer who opted out stays out.'),
    h('p', null, o.customers.length
      ? `${plural(o.customers.length, 'customer')}${optedOut ? `, ${optedOut} asked not to be contacted` : ''}.`
      : 'No customers yet.'),
    o.customers.length ? table : null,
    o.customers.length > shown.length ? h('p', { class: 'muted' }, `And ${o.customers.length - shown.length} more.`) : null,
    h('div', { class: 'actions' }, importButton));
}

function sendCard(o, reload) {
  const links = askableLinks(o.links);
  const platform = h('select', { id: 'send-platform' }, links.map((l) => h('option', { value: l.platform }, l.label)));
  const via = h('select', { id: 'send-via' },
    h('option', { value: 'email' }, 'E-mail, from your alert e-mail account'),
    h('option', { value: 'sms' }, 'Text messages you send from your phone'),
    h('option', { value: 'mailto' }, 'E-mails you send from your own mail program'));
  const result = h('div', { id: 'send-result', class: 'send-result', 'aria-live': 'polite' });
  const send = h('button', { id: 'send-requests', class: 'btn btn-primary', type: 'button', disabled: true }, 'Send');
  const preview = h('button', {
    id: 'preview-requests', class: 'btn', type: 'button',
    onclick: async () => {
      try {
        const r = await api.sendReviewRequests(o.business, platform.value, via.value, true);
        const first = r.messages[0];
        mount(result,
          h('p', { class: 'send-count' }, previewSentence(r)),
          skippedSentence(r.skipped) ? h('p', { class: 'muted' }, skippedSentence(r.skipped)) : null,
          r.warnings.map((w) => h('p', { class: 'warn-text' }, `Consider: ${w.message}`)),
          first ? h('div', { class: 'message-preview' },
            h('p', { class: 'muted' }, `What ${first.name} will read:`),
            first.subject ? h('p', { class: 'message-subject' }, first.subject) : null,
            h('pre', { class: 'message-text' }, first.text)) : null);
        send.disabled = !r.eligible;
        send.textContent = r.eligible ? `Send to ${plural(r.eligible, 'customer')}` : 'Send';
      } catch (e) {
        mount(result, h('p', { class: 'warn-text' }, e.message));
      }
    },
  }, 'Preview');
  send.addEventListener('click', async () => {
    send.disabled = true;
    try {
      const r = await api.sendReviewRequests(o.business, platform.value, via.value, false);
      mount(result, h('p', { class: 'send-count' }, doneSentence(r)),
        r.failed.map((f) => h('p', { class: 'warn-text' }, `${f.to}: ${f.error}`)),
        r.messages.length ? h('ul', { class: 'prepared-list' }, r.messages.map((m) => h('li', null,
          h('p', null, `${m.name} (${m.to})`), h('p', { class: 'request-link-url' }, m.open ?? '')))) : null);
      showNotice(doneSentence(r));
      await reload();
    } catch (e) {
      showNotice(`Nothing was sent: ${e.message}`, { kind: 'error' });
      send.disabled = false;
    }
  });
  for (const control of [platform, via]) control.addEventListener('change', () => { send.disabled = true; mount(result); });
  return h('section', { class: 'card settings-card', id: 'request-send', 'aria-labelledby': 'request-send-title' },
    h('h2', { id: 'request-send-title' }, 'Ask for a review'),
    h('p', { class: 'muted settings-intro' },
      `Everyone on your list is asked the same way, whatever their visit was like. Nobody who opted out, and nobody twice within ${o.settings.period_days} days.`),
    links.length ? h('div', { class: 'grid-2' },
      field('send-platform', 'Review on', platform), field('send-via', 'How', via))
      : h('p', { class: 'muted' }, 'Set a review link first.'),
    result,
    h('div', { class: 'actions' }, preview, send));
}

function statsCard(o) {
  const s = o.stats;
  return h('section', { class: 'card settings-card', id: 'request-stats', 'aria-labelledby': 'request-stats-title' },
    h('h2', { id: 'request-stats-title' }, 'What followed'),
    h('table', { class: 'table stats-table' },
      h('caption', { class: 'sr-only' }, 'Requests and the reviews that followed'),
      h('tbody', null, statRows(s).map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, v))))),
    s.sent && tooFewToCompare(s)
      ? h('p', { class: 'muted' }, 'Too few reviews yet to compare the ratings: the figures settle after a few more.')
      : null,
    h('p', { class: 'muted' }, 'A review counts when its author’s name matches a customer you asked, written within the window after the ask.'));
}

function wordsCard(o, reload) {
  const s = o.settings;
  const period = h('input', { id: 'request-period', type: 'number', min: '1', value: String(s.period_days) });
  const windowDays = h('input', { id: 'request-window', type: 'number', min: '1', value: String(s.window_days) });
  const subject = h('input', { id: 'request-subject', type: 'text', value: s.subject });
  const body = h('textarea', { id: 'request-body', rows: '8' });
  body.value = s.body;
  const sms = h('textarea', { id: 'request-sms', rows: '3' });
  sms.value = s.sms;
  return h('section', { class: 'card settings-card', id: 'request-words', 'aria-labelledby': 'request-words-title' },
    h('h2', { id: 'request-words-title' }, 'Your words'),
    h('p', { class: 'muted settings-intro' }, 'Fields: {name} (their first name), {business}, {link}. Ask for an honest review, and offer nothing for it.'),
    o.warnings.map((w) => h('p', { class: 'warn-text' }, `Consider: ${w.message}`)),
    h('form', {
      class: 'form', novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api.setRequestSettings({
            period_days: Number(period.value), window_days: Number(windowDays.value),
            subject: subject.value, body: body.value, sms: sms.value,
          });
          showNotice('Saved.');
          await reload();
        } catch (err) {
          showNotice(`Not saved: ${err.message}`, { kind: 'error' });
        }
      },
    },
    h('div', { class: 'grid-2' },
      field('request-period', 'Ask each customer at most once every (days)', period),
      field('request-window', 'Count a review as a response within (days)', windowDays)),
    field('request-subject', 'E-mail subject', subject),
    field('request-body', 'E-mail', body),
    field('request-sms', 'Text message', sms),
    h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'submit' }, 'Save words'))));
}

export async function render(_param, ctx) {
  const { businesses } = await api.settingsOverview();
  const own = businesses.filter((b) => !b.is_competitor);
  const business = own.find((b) => b.id === ctx.businessId) ?? own[0];
  const root = h('section', { id: 'requests', class: 'settings requests', 'aria-labelledby': 'requests-title' });
  const head = (name) => h('header', { class: 'page-head' },
    h('div', null,
      h('h1', { id: 'requests-title' }, 'Ask for reviews'),
      h('p', { class: 'muted' }, name
        ? `${name}: ask every customer the same way, and see what follows.`
        : 'Add your business first (Settings).')));
  if (!business) return mount(root, head(null));
  // The platforms with review pages, as the core lists them (its specs): the choices for a link
  // set by hand.
  const specs = await api.sourcePlatforms().catch(() => []);
  const profiles = [...new Set(specs.filter((p) => p.feed === 'reviews').map((p) => p.platform))];
  const draw = async () => {
    const o = await api.requestsOverview(business.name);
    mount(root, head(o.business),
      h('div', { class: 'settings-grid' },
        h('div', { class: 'settings-col' }, linksCard(o, reload, profiles), sendCard(o, reload), statsCard(o)),
        h('div', { class: 'settings-col' }, customersCard(o, reload), wordsCard(o, reload))));
  };
  const reload = async () => {
    try { await draw(); } catch (e) { showNotice(e.message, { kind: 'error' }); }
  };
  await draw();
  return root;
}
