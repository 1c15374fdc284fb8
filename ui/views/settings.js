// Settings: the business profile used in replies, competitors, alert rules, notifications and
// quiet hours, reply templates, and the data: where it lives, export, backup and restore.
// Each card saves on its own and says so.

import * as api from '../api.js';
import { h } from '../dom.js';
import { formatDateTime, plural } from '../format.js';
import { showNotice } from '../components/notice.js';
import { confirmDialog } from '../components/confirm.js';
import {
  RULE_TITLES, bandLabel, hourOptions, paramText, quietHoursFrom, templateFromForm,
} from '../settings-logic.js';

const field = (id, label, input, help) => h('div', { class: 'field' },
  h('label', { for: id }, label), input, help ? h('p', { class: 'muted field-help' }, help) : null);

const input = (id, value, attrs = {}) => h('input', { id, value: value ?? '', autocomplete: 'off', ...attrs });

async function attempt(what, fn, ctx, { refresh = true } = {}) {
  try {
    await fn();
    showNotice(what);
    if (refresh) ctx.refresh();
  } catch (e) {
    showNotice(e.message, { kind: 'error' });
  }
}

function card(id, title, intro, ...body) {
  return h('section', { class: 'card settings-card', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    intro ? h('p', { class: 'muted settings-intro' }, intro) : null,
    ...body);
}

function profileCard(o, ctx) {
  const own = o.businesses.filter((b) => !b.is_competitor);
  if (!own.length) return card('profile', 'Your business', 'Import reviews or connect a platform first.');
  const forms = own.map((b) => {
    const p = (o.profiles.find(([id]) => id === b.id) ?? [b.id, {}])[1];
    const k = `profile-${b.id}`;
    const owner = input(`${k}-owner`, p.owner_name, { placeholder: 'e.g. Sam' });
    const email = input(`${k}-email`, p.contact_email, { type: 'email', placeholder: 'hello@yourcafe.com' });
    const phone = input(`${k}-phone`, p.contact_phone, { placeholder: '+44 …' });
    const tone = h('textarea', { id: `${k}-tone`, rows: '2', placeholder: 'warm, short, first person, no exclamation marks' });
    tone.value = p.tone ?? '';
    return h('form', {
      class: 'form settings-form', dataset: { business: String(b.id) },
      onsubmit: (e) => {
        e.preventDefault();
        const blank = (v) => (v.trim() ? v.trim() : null);
        attempt(`Saved the reply profile of ${b.name}.`, () => api.saveReplyProfile(b.id, {
          owner_name: blank(owner.value), contact_email: blank(email.value),
          contact_phone: blank(phone.value), tone: blank(tone.value),
        }), ctx, { refresh: false });
      },
    },
    own.length > 1 ? h('h3', null, b.name) : null,
    h('div', { class: 'grid-2' },
      field(`${k}-owner`, 'Your name (signs replies)', owner),
      field(`${k}-email`, 'Contact e-mail offered in replies', email),
      field(`${k}-phone`, 'Contact phone', phone),
      field(`${k}-tone`, 'Tone guide for AI drafts', tone)),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Save profile')));
  });
  return card('profile', 'Your business', 'Used in reply templates ({owner_name}, the private contact you offer) and by AI drafts.', forms);
}

function competitorsCard(o, ctx) {
  const rivals = o.businesses.filter((b) => b.is_competitor);
  const name = input('competitor-name', '', { placeholder: 'e.g. The Daily Grind', required: true });
  return card('competitors', 'Competitors', 'Businesses you watch: connect their public pages on Sources, then compare on the Dashboard.',
    rivals.length
      ? h('ul', { class: 'plain-list' }, rivals.map((b) => h('li', null, b.name)))
      : h('p', { class: 'muted' }, 'None yet.'),
    h('form', {
      class: 'inline-form',
      onsubmit: (e) => {
        e.preventDefault();
        attempt(`Added ${name.value.trim()} as a competitor.`, () => api.addBusiness(name.value, true), ctx);
      },
    }, name, h('button', { class: 'btn', type: 'submit' }, 'Add competitor')));
}

function rulesCard(o, ctx) {
  return card('rules', 'Alert rules', 'What raises an alert. Changes apply from the next check.',
    h('div', { class: 'rules' }, o.rules.map((r) => {
      const k = `rule-${r.kind}`;
      const on = h('input', { id: `${k}-on`, type: 'checkbox', checked: r.enabled });
      const params = Object.entries(r.params).map(([key, value]) => {
        const id = `${k}-${key}`;
        return field(id, key.replace(/_/g, ' '), input(id, paramText(value), { dataset: { key } }), r.help[key]);
      });
      const form = h('form', {
        class: 'rule', dataset: { kind: r.kind },
        onsubmit: (e) => {
          e.preventDefault();
          const pairs = [...form.querySelectorAll('input[data-key]')].map((i) => [i.dataset.key, i.value]);
          attempt(`Saved the rule “${RULE_TITLES[r.kind] ?? r.kind}”.`, () => api.setAlertRule(r.kind, on.checked, pairs), ctx, { refresh: false });
        },
      },
      h('label', { class: 'rule-head', for: `${k}-on` }, on, h('strong', null, RULE_TITLES[r.kind] ?? r.kind)),
      params.length ? h('div', { class: 'grid-3' }, params) : null,
      h('button', { class: 'btn btn-small', type: 'submit' }, 'Save'));
      return form;
    })));
}

function notificationsCard(o, ctx) {
  const n = o.notifications;
  const quietOn = h('input', { id: 'quiet-on', type: 'checkbox', checked: Boolean(n.quiet_hours) });
  const from = h('select', { id: 'quiet-from' }, hourOptions().map(([v, t]) => h('option', { value: String(v), selected: v === (n.quiet_hours?.start_hour ?? 22) }, t)));
  const to = h('select', { id: 'quiet-to' }, hourOptions().map(([v, t]) => h('option', { value: String(v), selected: v === (n.quiet_hours?.end_hour ?? 7) }, t)));
  const digest = h('input', { id: 'digest-on', type: 'checkbox', checked: n.daily_digest });
  const digestHour = h('select', { id: 'digest-hour' }, hourOptions().map(([v, t]) => h('option', { value: String(v), selected: v === n.digest_hour }, t)));
  return card('notifications', 'Notifications', 'Alerts pop up on this computer. The tray can also pause them for an hour or until tomorrow.',
    h('form', {
      class: 'form',
      onsubmit: (e) => {
        e.preventDefault();
        attempt('Saved your notification settings.', () => api.setNotificationPrefs({
          quiet_hours: quietHoursFrom(quietOn.checked, from.value, to.value),
          daily_digest: digest.checked,
          digest_hour: Number(digestHour.value),
          paused_until: null,
          last_digest_at: null,
        }), ctx, { refresh: false });
      },
    },
    h('label', { class: 'check' }, quietOn, h('span', null, 'Quiet hours: no pop-ups from'), from, h('span', null, 'to'), to),
    h('label', { class: 'check' }, digest, h('span', null, 'One summary a day instead of a pop-up per alert, at'), digestHour),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Save'))));
}

function templateForm(t, ctx, { isNew = false } = {}) {
  const k = `tpl-${isNew ? 'new' : t.id}`;
  const name = input(`${k}-name`, t.name, { required: true, placeholder: 'e.g. Sorry about the wait' });
  const min = h('select', { id: `${k}-min` }, [['', 'any'], ...[1, 2, 3, 4, 5].map((v) => [String(v), `${v}★`])].map(([v, l]) => h('option', { value: v, selected: v === String(t.min_rating ?? '') }, l)));
  const max = h('select', { id: `${k}-max` }, [['', 'any'], ...[1, 2, 3, 4, 5].map((v) => [String(v), `${v}★`])].map(([v, l]) => h('option', { value: v, selected: v === String(t.max_rating ?? '') }, l)));
  const aspect = input(`${k}-aspect`, t.aspect, { placeholder: 'any topic' });
  const body = h('textarea', { id: `${k}-body`, rows: '3', required: true });
  body.value = t.body ?? '';
  const form = h('form', {
    class: 'template', dataset: { name: t.name ?? '' },
    onsubmit: (e) => {
      e.preventDefault();
      const tpl = templateFromForm({ id: t.id, name: name.value, min: min.value, max: max.value, aspect: aspect.value, body: body.value });
      attempt(`Saved the template “${tpl.name}”.`, () => api.saveTemplate(tpl), ctx);
    },
  },
  h('div', { class: 'template-head' },
    name,
    h('span', { class: 'muted' }, 'for'), min, h('span', { class: 'muted' }, 'to'), max,
    h('span', { class: 'muted' }, 'about'), aspect),
  body,
  h('div', { class: 'template-actions' },
    isNew ? null : h('span', { class: 'muted' }, bandLabel(t)),
    h('button', { class: 'btn btn-small', type: 'submit' }, isNew ? 'Add template' : 'Save'),
    isNew ? null : h('button', {
      class: 'btn btn-small btn-quiet', type: 'button',
      onclick: async () => {
        if (!(await confirmDialog({ title: `Delete “${t.name}”?`, yes: 'Delete' }))) return;
        attempt(`Deleted the template “${t.name}”.`, () => api.deleteTemplate(t.name), ctx);
      },
    }, 'Delete')));
  return form;
}

function templatesCard(o, ctx) {
  return card('templates', 'Reply templates',
    'Chosen by stars and topic when you open a review. Fields: {first_name}, {business}, {aspect}, {owner_name}, {contact}, {sign_off}, {platform}.',
    h('div', { class: 'templates' }, o.templates.map((t) => templateForm(t, ctx))),
    h('details', { class: 'advanced' }, h('summary', null, 'Add a template'),
      templateForm({ id: 0, name: '', min_rating: null, max_rating: null, aspect: null, body: '' }, ctx, { isNew: true })));
}

function aiCard(o, ctx) {
  const on = h('input', { id: 'ai-on', type: 'checkbox', checked: o.ai.enabled });
  const url = input('ai-url', o.ai.base_url, { placeholder: 'http://localhost:11434' });
  const model = input('ai-model', o.ai.model, { placeholder: 'llama3.2' });
  const key = input('ai-key', '', {
    type: 'password', autocomplete: 'new-password',
    placeholder: o.ai_key_saved ? 'saved — type to replace, or clear below' : 'only for a hosted service',
  });
  const clear = h('input', { id: 'ai-key-clear', type: 'checkbox' });
  return card('ai', 'AI drafts', 'Optional: a first draft from an OpenAI-compatible endpoint — Ollama on this computer, or a hosted service. You always edit and approve; nothing is posted without your click.',
    h('form', {
      class: 'form',
      onsubmit: (e) => {
        e.preventDefault();
        const apiKey = clear.checked ? '' : (key.value.trim() || null);
        attempt('Saved the AI settings.', () => api.saveAiSettings({
          enabled: on.checked, base_url: url.value.trim(), model: model.value.trim(),
        }, apiKey), ctx);
      },
    },
    h('label', { class: 'check' }, on, h('span', null, 'Offer “Draft with AI” in the reply composer')),
    h('div', { class: 'grid-2' },
      field('ai-url', 'Endpoint', url, 'Ollama: http://localhost:11434'),
      field('ai-model', 'Model', model),
      field('ai-key', 'API key', key, `Kept in ${o.secrets_in}, never in the database.`),
      o.ai_key_saved ? h('label', { class: 'check' }, clear, h('span', null, 'Forget the saved key')) : null),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Save'))));
}

function dataCard(o, ctx) {
  return card('data', 'Your data', 'Everything stays on this computer, in one SQLite file.',
    h('p', null, h('strong', null, 'Database: '), h('code', { id: 'settings-db-path' }, o.db_path)),
    h('p', null, h('strong', null, 'Backups: '), h('code', null, o.backup_dir),
      h('span', { class: 'muted' }, ` — one a day is kept for a week, then one a week for a month.`)),
    h('div', { class: 'actions actions-left' },
      h('button', {
        id: 'backup-now', class: 'btn', type: 'button',
        onclick: () => attempt('Backed up.', () => api.backupNow(), ctx),
      }, 'Back up now'),
      h('button', {
        id: 'export-csv', class: 'btn', type: 'button',
        onclick: async () => {
          try {
            const path = await api.exportReviewsCsv();
            if (path) showNotice(`Exported your reviews to ${path}.`);
          } catch (e) {
            showNotice(e.message, { kind: 'error' });
          }
        },
      }, 'Export reviews (CSV)')),
    o.backups.length ? h('table', { class: 'compare backups' },
      h('thead', null, h('tr', null, h('th', null, 'Backup'), h('th', null, 'Size'), h('th', null, ''))),
      h('tbody', null, [...o.backups].reverse().map((b) => h('tr', null,
        h('th', { scope: 'row' }, b.date),
        h('td', null, `${(b.bytes / 1048576).toFixed(1)} MB`),
        h('td', null, h('button', {
          class: 'btn btn-small', type: 'button',
          onclick: async () => {
            const ok = await confirmDialog({
              title: `Restore the backup of ${b.date}?`,
              text: 'Your current database is kept as a backup first, so nothing is lost.',
              yes: 'Restore',
            });
            if (ok) attempt(`Restored the backup of ${b.date}.`, () => api.restoreBackup(b.path), ctx);
          },
        }, 'Restore'))))))
      : h('p', { class: 'muted' }, 'No backups yet.'));
}

export async function render(_param, ctx) {
  const o = await api.settingsOverview();
  return h('section', { id: 'settings', class: 'settings', 'aria-labelledby': 'settings-title' },
    h('header', { class: 'page-head' },
      h('div', null,
        h('h1', { id: 'settings-title' }, 'Settings'),
        h('p', { class: 'muted' }, `${plural(o.businesses.length, 'business', 'businesses')} · ${plural(o.templates.length, 'template')} · last backup ${o.backups.length ? formatDateTime(`${o.backups[o.backups.length - 1].date}T00:00:00`) : 'never'}`))),
    h('div', { class: 'settings-grid' },
      h('div', { class: 'settings-col' }, profileCard(o, ctx), templatesCard(o, ctx), aiCard(o, ctx)),
      h('div', { class: 'settings-col' }, notificationsCard(o, ctx), rulesCard(o, ctx), competitorsCard(o, ctx), dataCard(o, ctx))));
}
