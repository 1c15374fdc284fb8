// Sources: the connected platforms with their status in plain words, last and next sync, Sync now
// with progress, test and remove; and "Connect a platform": a form per platform that says what it
// needs and where to get it. Secrets typed here go to the OS keyring, never the database.
//
// The screen is drawn again after every background round (once a minute) and import. The Connect
// form is kept through those redraws, the same element moved into the new screen, so the platform
// chosen, what was typed and (through app.js) focus survive while the owner is off copying a key
// (issue 32). Only a successful Connect, or arriving from another screen, starts a fresh form.

import * as api from '../api.js';
import { h, mount } from '../dom.js';
import {
  formatCount, formatDateTime, formatWhen, plural, safeHttpUrl,
} from '../format.js';
import { showNotice } from '../components/notice.js';
import { SAY } from '../words.js';
import { confirmDialog } from '../components/confirm.js';
import {
  FEED_TITLES, groupPlatforms, guideSections, keepConnectForm, platformSays, settingsFromForm, sourceStatus,
} from '../sources-logic.js';
import { accessLabel, byAccess, connectPrefill } from '../first-run-logic.js';

// The Connect form on screen, kept through redraws (see above).
let keptForm = null;

const fromUnix = (s) => (s ? new Date(s * 1000).toISOString() : null);

// Sync progress arrives as events whatever screen is shown; the Sources screen shows the latest.
const progress = { running: false, line: '' };
let listening = false;

function listenOnce(ctx) {
  if (listening) return;
  listening = true;
  api.onSync((name, p) => {
    if (name === 'sync-state') {
      progress.running = p.running;
      if (p.running) progress.line = 'Starting…';
      else {
        progress.line = p.failed
          ? `Done: ${formatCount(p.new)} new, ${plural(p.failed, 'site')} with a problem.`
          : `Done: ${formatCount(p.new)} new, ${formatCount(p.updated)} updated.`;
      }
    } else if (p.event === 'started') {
      progress.running = true;
      progress.line = `${SAY.sync.doing} ${p.label}…`;
    } else if (p.event === 'page') {
      progress.line = `Page ${p.pages}: ${formatCount(p.new)} new, ${formatCount(p.updated)} updated`;
    } else if (p.event === 'finished') {
      progress.line = `${p.label}: ${p.ok ? `${formatCount(p.new)} new` : p.error ?? 'failed'}`;
    }
    paintProgress();
    if (name === 'sync-state' && !p.running && document.getElementById('sources')) ctx.refresh();
  }).catch(() => { listening = false; });
}

function paintProgress() {
  const el = document.getElementById('sync-progress');
  if (!el) return;
  el.hidden = !progress.running && !progress.line;
  el.classList.toggle('running', progress.running);
  el.dataset.running = progress.running ? 'true' : 'false';
  mount(el,
    progress.running ? h('span', { class: 'spinner spinner-sm', 'aria-hidden': 'true' }) : null,
    h('span', null, progress.line));
}

/** Shows Google's consent address on the source's card, for when no browser opened. */
function showSignInUrl(id, url) {
  const link = safeHttpUrl(url);
  const card = document.querySelector(`.source[data-id="${id}"] .source-main`);
  if (!card || !link) return;
  card.querySelector('.sign-in-url')?.remove();
  card.append(h('p', { class: 'sign-in-url muted' },
    'If no browser opened, open this address: ',
    h('a', {
      class: 'link', href: link,
      onclick: (ev) => { ev.preventDefault(); api.openExternal(link).catch(() => {}); },
    }, 'Google sign-in'),
    h('input', {
      class: 'sign-in-copy', readonly: true, value: link, 'aria-label': 'Sign-in address',
      onfocus: (ev) => ev.target.select(),
    })));
}

/** The card's sign-in form (a code to paste, a login to type), replacing any open one. */
function signInForm(s, fields, submitLabel, onSubmit) {
  const card = document.querySelector(`.source[data-id="${s.id}"] .source-main`);
  if (!card) return;
  card.querySelector('.sign-in-form')?.remove();
  const error = h('p', { class: 'source-error', role: 'alert' });
  const submit = h('button', { class: 'btn btn-small btn-primary', type: 'submit' }, submitLabel);
  const form = h('form', {
    class: 'sign-in-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      error.textContent = '';
      try {
        await onSubmit(fields.map((f) => f.querySelector('input').value));
        form.remove();
      } catch (e) {
        error.textContent = e.message;
      } finally {
        submit.disabled = false;
        // A password or code never stays in the page.
        for (const f of fields) {
          const input = f.querySelector('input');
          if (input.type === 'password' || input.dataset.secret) input.value = '';
        }
      }
    },
  }, ...fields, h('div', { class: 'form-actions' }, submit,
    h('button', { class: 'btn btn-small', type: 'button', onclick: () => form.remove() }, 'Cancel')), error);
  card.append(form);
  form.querySelector('input')?.focus();
}

function field(label, attrs) {
  return h('label', { class: 'field' }, h('span', null, label), h('input', { autocomplete: 'off', ...attrs }));
}

/** Mastodon before 4.3 shows a code after the owner allows Earshot: it is pasted here once. */
function showCodeForm(s, spec, ctx) {
  signInForm(s, [field('Code shown by the instance', { type: 'text', required: true, dataset: { secret: '1' }, spellcheck: false })],
    'Finish sign-in', async ([code]) => {
      await api.signInWithCode(s.id, code.trim());
      showNotice(`Signed in to ${spec?.label ?? 'the platform'} for ${s.label}. Earshot checks it for new reviews now.`);
      ctx.refresh();
    });
}

/**
 * Trustpilot's business user signs in with a login and password: sent to Trustpilot once for
 * tokens the keyring keeps; the password is kept nowhere (not the database, not this page).
 */
function showPasswordForm(s, spec, ctx) {
  signInForm(s, [
    field('Business user e-mail', { type: 'email', required: true }),
    field('Password (sent once, never kept)', { type: 'password', required: true }),
  ], 'Sign in', async ([username, password]) => {
    await api.signInWithPassword(s.id, username.trim(), password);
    showNotice(`Signed in to ${spec.label} for ${s.label}: replies can be posted now.`);
    ctx.refresh();
  });
}

function sourceCard(s, spec, ctx) {
  const st = sourceStatus(s);
  const test = h('button', {
    class: 'btn btn-small source-test', type: 'button',
    onclick: async () => {
      test.disabled = true;
      test.textContent = 'Testing…';
      try {
        const t = await api.testSource(s.id);
        if (t.ok) showNotice(`${s.label} works: ${plural(t.items ?? 0, 'review or post', 'reviews and posts')} on the first page.`);
        else showNotice(`${s.label}: ${t.error}`, { kind: 'error' });
      } catch (e) {
        showNotice(e.message, { kind: 'error' });
      } finally {
        test.disabled = false;
        test.textContent = 'Test';
      }
    },
  }, 'Test');
  return h('article', { class: `card source status-${st.tone}`, dataset: { id: String(s.id), status: s.status } },
    h('div', { class: 'source-main' },
      h('p', { class: 'source-title' },
        h('strong', null, s.label),
        spec && !s.label.includes(spec.label) ? h('span', { class: 'muted' }, ` · ${spec.label}`) : null),
      h('p', { class: 'muted' }, s.business, ' · ', plural(s.items, 'review or post', 'reviews and posts')),
      h('p', { class: `source-status tone-${st.tone}` },
        h('span', { class: 'status-dot', 'aria-hidden': 'true' }), st.text),
      platformSays(s, spec) ? h('p', { class: 'source-figures' }, platformSays(s, spec)) : null,
      s.last_error && s.status !== 'ok'
        ? h('p', { class: 'source-error' }, s.last_error) : null,
      // A restore gave this source another address (or one is not https): it gets no
      // credentials, and is not synced, until the owner has checked and confirmed it.
      s.unconfirmed
        ? h('p', { class: 'source-error source-unconfirmed' },
          `Waiting for your confirmation: ${s.unconfirmed}`) : null,
      h('p', { class: 'muted source-times' },
        s.last_sync_at
          ? h('span', { title: formatDateTime(fromUnix(s.last_sync_at)) }, `${SAY.sync.done} ${formatWhen(fromUnix(s.last_sync_at))}`)
          : SAY.sync.never,
        s.next_sync_at && spec?.feed !== 'file'
          ? h('span', { title: formatDateTime(fromUnix(s.next_sync_at)) }, ` · next ${formatWhen(fromUnix(s.next_sync_at))}`)
          : null)),
    h('div', { class: 'source-actions' },
      spec?.feed === 'file' ? null : h('button', {
        class: 'btn btn-small source-sync', type: 'button',
        onclick: () => { api.syncNow([s.id]); progress.running = true; progress.line = `${SAY.sync.doing} ${s.label}…`; paintProgress(); },
      }, SAY.sync.now),
      spec?.browser_sign_in ? h('button', {
        class: ['btn', 'btn-small', s.status === 'ok' ? null : 'btn-primary', 'source-sign-in'], type: 'button',
        onclick: async (e) => {
          const btn = e.currentTarget;
          btn.disabled = true;
          btn.textContent = 'Waiting for your browser…';
          showNotice(`Sign in with the ${signInWho(spec)} account that manages the business, allow access, then come back here.`);
          try {
            const started = await api.googleSignIn(s.id, (url) => showSignInUrl(s.id, url));
            if (started?.needs_code) {
              // The platform shows a code instead of coming back to Earshot (Mastodon before 4.3).
              showCodeForm(s, spec, ctx);
              showNotice(`Allow Earshot on ${signInWho(spec)}, then paste the code it shows into ${s.label}'s card.`);
              return;
            }
            showNotice(`Signed in to ${signInWho(spec)} for ${s.label}. Earshot is checking it for reviews now.`);
            ctx.refresh();
          } catch (err) {
            showNotice(`Not signed in. ${err.message}`, { kind: 'error' });
          } finally {
            btn.disabled = false;
            btn.textContent = s.status === 'ok' ? 'Sign in again' : `Sign in with ${signInWho(spec)}`;
          }
        },
      }, s.status === 'ok' ? 'Sign in again' : `Sign in with ${signInWho(spec)}`) : null,
      spec?.password_sign_in ? h('button', {
        class: 'btn btn-small source-password-sign-in', type: 'button',
        onclick: () => showPasswordForm(s, spec, ctx),
      }, `Sign in to ${spec.label} for replies`) : null,
      spec?.feed === 'file' ? null : test,
      s.unconfirmed ? h('button', {
        class: 'btn btn-small btn-primary source-confirm', type: 'button',
        onclick: async () => {
          const ok = await confirmDialog({
            title: `Use ${s.label} at this address?`,
            text: `${s.unconfirmed}. Confirm only if you chose this address: its saved credentials will be sent there.`,
            yes: 'Confirm',
          });
          if (!ok) return;
          try {
            await api.confirmSource(s.id);
            showNotice(`Confirmed ${s.label}.`);
            ctx.refresh();
          } catch (e) {
            showNotice(e.message, { kind: 'error' });
          }
        },
      }, 'Confirm address') : null,
      h('button', {
        class: 'btn btn-small btn-quiet source-remove', type: 'button',
        onclick: async () => {
          const ok = await confirmDialog({
            title: `Remove ${s.label}?`,
            text: `Its ${plural(s.items, 'review or post', 'reviews and posts')} and its saved credentials are deleted from this computer. Nothing changes on ${spec?.label ?? s.connector}.`,
            yes: 'Remove',
          });
          if (!ok) return;
          try {
            await api.removeSource(s.id);
            showNotice(`Removed ${s.label}.`);
            ctx.refresh();
          } catch (e) {
            showNotice(e.message, { kind: 'error' });
          }
        },
      }, 'Remove')));
}

function connectForm(specs, businesses, ctx) {
  // Within each group, what needs no account comes first; each option says what it asks for.
  const groups = groupPlatforms(specs).map(([feed, list]) => [feed, byAccess(list)]);
  const fields = h('div', { id: 'connect-fields', class: 'connect-fields' });
  const help = h('p', { id: 'connect-help', class: 'connect-help' });
  const guide = h('div', { id: 'connect-guide', class: 'connect-guide' });
  const platform = h('select', {
    id: 'connect-platform', name: 'platform', required: true,
    onchange: () => showFields(),
  },
  h('option', { value: '' }, 'Choose a platform…'),
  groups.map(([feed, list]) => h('optgroup', { label: FEED_TITLES[feed] ?? feed },
    list.map((sp) => h('option', { value: sp.name }, `${sp.label} (${accessLabel(sp)})`)))));
  const business = h('input', {
    id: 'connect-business', name: 'business', required: true, list: 'connect-businesses',
    value: connectPrefill(businesses, ctx.inDemo), autocomplete: 'off', placeholder: 'Your business, or a competitor',
  });
  const label = h('input', { id: 'connect-label', name: 'label', autocomplete: 'off', placeholder: 'Optional: a name to show for it' });

  function field(st, advanced = false) {
    const id = `connect-set-${st.key}`;
    return h('div', { class: 'field' },
      h('label', { for: id }, st.label, st.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
      h('input', {
        id, name: st.key, dataset: { setting: st.key, secret: st.secret ? 'true' : 'false' },
        type: st.secret ? 'password' : 'text', required: st.required && !advanced,
        autocomplete: st.secret ? 'new-password' : 'off', spellcheck: 'false',
      }),
      st.help ? h('p', { class: 'muted field-help' }, st.help, st.secret ? ` Kept in ${SAY.keyring.one}.` : '') : null);
  }

  function showFields() {
    const sp = specs.find((x) => x.name === platform.value);
    if (!sp) { mount(fields); mount(help); mount(guide); return; }
    mount(help, h('strong', { class: 'access-tag' }, `${sp.label}: ${accessLabel(sp)}.`), ' ', sp.help || '');
    mount(guide, guideSections(sp).map((sec) => h('section', { class: 'guide-section' },
      h('h4', null, sec.title),
      sec.steps
        ? h('ol', null, sec.steps.map((st) => h('li', null, st)))
        : h('p', null, sec.text))));
    mount(fields,
      sp.settings.map((st) => field(st)),
      h('details', { class: 'advanced' },
        h('summary', null, 'Advanced'),
        field({ key: 'base_url', label: 'API address', help: `Only for a proxy or a test server. Default: ${sp.default_base_url || 'none'}.`, required: false, secret: false }, true),
        field({ key: 'interval_minutes', label: 'Check every (minutes)', help: `Default: ${sp.interval_minutes}.`, required: false, secret: false }, true)));
  }

  const submit = h('button', { id: 'connect-submit', class: 'btn btn-primary', type: 'submit' }, 'Connect');
  const form = h('form', {
    id: 'connect-form', class: 'form connect-form',
    onsubmit: async (e) => {
      e.preventDefault();
      const inputs = [...fields.querySelectorAll('input[data-setting]')];
      const settings = settingsFromForm(inputs.map((i) => [i.dataset.setting, i.value]));
      submit.disabled = true;
      submit.textContent = 'Connecting…';
      try {
        const s = await api.addSource({
          business: business.value.trim(), platform: platform.value, label: label.value.trim() || null, settings,
        });
        const added = specs.find((x) => x.name === s.connector);
        showNotice(added?.browser_sign_in
          ? `Connected ${s.label}. Now press “Sign in with ${signInWho(added)}” on it to let Earshot ${added.name === 'google-business' ? 'read your reviews' : 'post your replies'}.`
          : `Connected ${s.label}. Earshot is checking it for reviews now.`);
        progress.running = true;
        progress.line = `${SAY.sync.doing} ${s.label}…`;
        form.dataset.used = 'true';
        ctx.refresh();
      } catch (err) {
        showNotice(`Not connected. ${err.message}`, { kind: 'error' });
      } finally {
        submit.disabled = false;
        submit.textContent = 'Connect';
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'connect-platform' }, 'Platform'), platform),
  help,
  guide,
  h('div', { class: 'field' }, h('label', { for: 'connect-business' }, 'Whose reviews?'), business,
    h('datalist', { id: 'connect-businesses' }, businesses.map((b) => h('option', { value: b.name })))),
  fields,
  h('div', { class: 'field' }, h('label', { for: 'connect-label' }, 'Name'), label),
  h('div', { class: 'actions' }, submit));
  return form;
}

export async function render(_param, ctx) {
  listenOnce(ctx);
  const [specs, sources, facets] = await Promise.all([
    api.sourcePlatforms(), api.listSources(), api.inboxFacets(),
  ]);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const list = sources.length
    ? h('div', { id: 'source-list', class: 'source-list' }, sources.map((s) => sourceCard(s, byName.get(s.connector), ctx)))
    : h('p', { id: 'source-list', class: 'muted empty' },
      'No platforms connected yet. Connect one below, and Earshot checks it for new reviews on its own.');
  const shown = document.getElementById('sources');
  const keep = keepConnectForm({
    kept: Boolean(keptForm), onScreen: Boolean(shown && keptForm && shown.contains(keptForm)),
    used: keptForm?.dataset.used === 'true',
  });
  keptForm = keep ? keptForm : connectForm(specs, facets.businesses, ctx);
  const view = h('section', { id: 'sources', class: 'sources', 'aria-labelledby': 'sources-title' },
    h('header', { class: 'page-head' },
      h('div', null,
        h('h1', { id: 'sources-title' }, SAY.source.screen),
        h('p', { class: 'muted' }, 'Where Earshot looks for what customers say. Each site is checked on its own schedule; Check now looks at once.')),
      h('div', { class: 'head-actions' },
        h('p', { id: 'sync-progress', class: 'sync-progress', role: 'status', hidden: true }),
        sources.some((s) => byName.get(s.connector)?.feed !== 'file') ? h('button', {
          id: 'sync-all', class: 'btn btn-primary', type: 'button',
          onclick: () => { api.syncNow(null); progress.running = true; progress.line = 'Starting…'; paintProgress(); },
        }, SAY.sync.now) : null)),
    list,
    h('section', { class: 'card connect', 'aria-labelledby': 'connect-title' },
      h('div', { class: 'card-head' }, h('h2', { id: 'connect-title' }, 'Connect a platform')),
      // In the demo a platform connected would land in the demo's database and vanish with it.
      ctx.inDemo
        ? h('p', { id: 'connect-in-demo', class: 'muted' },
          'You are looking at the demo café. Leave the demo (the button at the top) to connect your own platforms.')
        : keptForm));
  requestAnimationFrame(paintProgress);
  return view;
}

/** Whose sign-in a source's button opens: Google's for Google's platforms, else the platform's. */
function signInWho(spec) {
  return spec?.name === 'google-business' || spec?.name === 'youtube' ? 'Google' : (spec?.label ?? 'the platform');
}
