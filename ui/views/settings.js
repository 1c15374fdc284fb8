// Settings: the business profile used in replies, competitors, alert rules, notifications and
// quiet hours, reply templates, AI drafts, and the data: where it lives, export, backup, restore.
//
// Each card saves on its own and says so with a notice (problems in plain words, and nothing is
// lost from the form). Cards that change lists (competitors, templates, backups) re-render the
// screen; the others keep what the owner typed. The route is not `live`: a sync landing while the
// owner types never wipes the form.

import * as api from '../api.js';
import { h } from '../dom.js';
import { plural } from '../format.js';
import { showNotice } from '../components/notice.js';
import { confirmDialog } from '../components/confirm.js';
import { saveDashboardPng } from '../actions.js';
import { channelsCard } from './settings-channels.js';
import { watcherCard } from './settings-watcher.js';
import { topicsCard } from './settings-topics.js';
import { teamCard } from './settings-team.js';
import { prefs, savePrefs } from '../prefs.js';
import {
  FIELD_HELP, bandShort, formatBytes, formatDay, hourOptions, insertField, paramLabel, paramText,
  pausedText, quietHoursFrom, quietHoursText, ruleParamPairs, ruleSummary, ruleTitle,
  templateFromForm, unknownFields,
} from '../settings-logic.js';

const FALLBACK_FIELDS = ['first_name', 'business', 'aspect', 'owner_name', 'sign_off', 'contact', 'platform'];

const field = (id, label, control, help) => h('div', { class: 'field' },
  h('label', { for: id }, label), control, help ? h('p', { class: 'muted field-help' }, help) : null);

const input = (id, value, attrs = {}) => h('input', {
  id, type: 'text', value: value ?? '', autocomplete: 'off', ...attrs,
});

/** A checkbox drawn as a switch; the label stays a real <label> for clicks and screen readers. */
const toggle = (id, checked, attrs = {}) => h('span', { class: 'switch' },
  h('input', { id, type: 'checkbox', role: 'switch', checked, ...attrs }),
  h('span', { class: 'switch-track', 'aria-hidden': 'true' }));

/**
 * Runs a save: the button shows it is busy, a notice says what happened. Resolves to true when
 * it worked. With `refresh`, the screen is drawn again (lists that changed).
 */
async function attempt(done, fn, ctx, { refresh = false, button = null, failed = 'Not saved' } = {}) {
  const label = button?.textContent;
  if (button) { button.disabled = true; button.textContent = 'Saving…'; }
  try {
    const result = await fn();
    showNotice(typeof done === 'function' ? done(result) : done);
    if (refresh) await ctx.refresh();
    return true;
  } catch (e) {
    showNotice(`${failed}: ${e.message}`, { kind: 'error' });
    return false;
  } finally {
    if (button?.isConnected) { button.disabled = false; button.textContent = label; }
  }
}

function card(id, title, intro, ...body) {
  return h('section', { class: 'card settings-card', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    intro ? h('p', { class: 'muted settings-intro' }, intro) : null,
    ...body);
}

const submit = (label, extra = {}) => h('button', { class: 'btn btn-primary', type: 'submit', ...extra }, label);

// ---- Business profile -----------------------------------------------------------------------

function profileCard(o, ctx) {
  const own = o.businesses.filter((b) => !b.is_competitor);
  if (!own.length) {
    return card('profile', 'Your business', null,
      h('p', { class: 'muted' }, 'Load the demo, import reviews or connect a platform first; your business appears here.'));
  }
  const forms = own.map((b) => {
    const p = (o.profiles.find(([id]) => id === b.id) ?? [b.id, {}])[1];
    const k = `profile-${b.id}`;
    const owner = input(`${k}-owner`, p.owner_name, { placeholder: 'e.g. Sam', autocomplete: 'name' });
    const email = input(`${k}-email`, p.contact_email, { type: 'email', placeholder: 'hello@yourcafe.com', autocomplete: 'email' });
    const phone = input(`${k}-phone`, p.contact_phone, { type: 'tel', placeholder: '+44 20 7946 0000', autocomplete: 'tel' });
    const tone = h('textarea', { id: `${k}-tone`, rows: '2', placeholder: 'warm, short, first person, no exclamation marks' });
    tone.value = p.tone ?? '';
    const save = submit('Save profile', { class: 'btn btn-primary profile-save' });
    return h('form', {
      class: 'form settings-form profile-form', dataset: { business: String(b.id) },
      // Checked here, so a mistake is said in the notice like every other one.
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        if (!email.checkValidity()) {
          showNotice('That e-mail address does not look right; check it and save again.', { kind: 'error' });
          email.focus();
          return;
        }
        const blank = (v) => (v.trim() ? v.trim() : null);
        attempt(`Saved. Replies for ${b.name} now use this profile.`, () => api.saveReplyProfile(b.id, {
          owner_name: blank(owner.value), contact_email: blank(email.value),
          contact_phone: blank(phone.value), tone: blank(tone.value),
        }), ctx, { button: save });
      },
    },
    own.length > 1 ? h('h3', { class: 'settings-sub' }, b.name) : null,
    h('div', { class: 'grid-2' },
      field(`${k}-owner`, 'Your name', owner, 'Signs replies: {owner_name}, {sign_off}'),
      field(`${k}-email`, 'Contact e-mail', email, 'Offered for a private word: {contact}'),
      field(`${k}-phone`, 'Contact phone', phone, 'Used when there is no e-mail'),
      field(`${k}-tone`, 'Tone for AI drafts', tone)),
    h('div', { class: 'actions' }, save));
  });
  return card('profile', 'Your business', 'What replies say about you: your name, and the contact you offer unhappy customers.', forms);
}

// ---- Competitors ----------------------------------------------------------------------------

function competitorsCard(o, ctx) {
  const rivals = o.businesses.filter((b) => b.is_competitor);
  const name = input('competitor-name', '', { placeholder: 'e.g. The Daily Grind', required: true, 'aria-label': 'Competitor\'s name' });
  const add = h('button', { class: 'btn', type: 'submit', id: 'competitor-add' }, 'Add competitor');
  return card('competitors', 'Competitors', 'Businesses you keep an eye on. Connect their public pages on Review sites, then compare them on the Dashboard.',
    rivals.length
      ? h('ul', { class: 'competitor-list', id: 'competitor-list' }, rivals.map((b) => h('li', { dataset: { id: String(b.id) } }, b.name)))
      : h('p', { class: 'muted', id: 'competitor-list' }, 'None yet.'),
    h('form', {
      class: 'inline-form', novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        const n = name.value.trim();
        if (!n) { name.focus(); return; }
        attempt(`Added ${n}. Connect their reviews on Review sites.`, () => api.addBusiness(n, true), ctx, { refresh: true, button: add, failed: 'Not added' });
      },
    }, name, add));
}

// ---- Alert rules ----------------------------------------------------------------------------

function ruleRow(r, ctx) {
  const k = `rule-${r.kind}`;
  const title = ruleTitle(r.kind);
  const summary = h('p', { class: 'muted rule-summary' }, ruleSummary(r));
  const keys = Object.keys(r.params);
  const help = new Map(Object.entries(r.help ?? {}));
  const inputs = keys.map((key) => {
    const words = Array.isArray(r.params[key]);
    const id = `${k}-${key}`;
    const control = words
      ? h('textarea', { id, rows: '2', class: 'rule-words', dataset: { key, words: '1' } })
      : input(id, paramText(r.params[key]), { inputmode: 'decimal', dataset: { key }, class: 'rule-number' });
    if (words) control.value = paramText(r.params[key]);
    return { key, control, words };
  });
  const row = h('div', { class: ['rule', r.enabled ? 'rule-on' : 'rule-off'], dataset: { kind: r.kind } });
  const on = toggle(`${k}-on`, r.enabled, { class: 'rule-toggle', 'aria-describedby': `${k}-summary` });
  const box = on.querySelector('input');
  summary.id = `${k}-summary`;
  box.addEventListener('change', async () => {
    const ok = await attempt(`${title}: ${box.checked ? 'on' : 'off'}.`, () => api.setAlertRule(r.kind, box.checked, []), ctx,
      { failed: 'Not changed' });
    if (!ok) box.checked = !box.checked;
    row.classList.toggle('rule-on', box.checked);
    row.classList.toggle('rule-off', !box.checked);
  });
  const save = h('button', { class: 'btn btn-small btn-primary rule-save', type: 'submit' }, 'Save');
  const form = keys.length ? h('details', { class: 'rule-details' },
    h('summary', { class: 'rule-adjust' }, 'Adjust'),
    h('form', {
      class: 'rule-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const { pairs, error } = ruleParamPairs(inputs.map((i) => ({ key: i.key, value: i.control.value, words: i.words })));
        if (error) { showNotice(error, { kind: 'error' }); return; }
        let saved = null;
        const ok = await attempt(`${title}: saved.`, async () => { saved = await api.setAlertRule(r.kind, null, pairs); }, ctx,
          { button: save, failed: `${title} not saved` });
        if (ok && saved) {
          summary.textContent = ruleSummary(saved);
          for (const i of inputs) i.control.value = paramText(saved.params[i.key]);
        }
      },
    },
    h('div', { class: 'rule-fields' }, inputs.map((i) => field(i.control.id, paramLabel(i.key, r.kind), i.control, help.get(i.key)))),
    h('div', { class: 'actions' }, save))) : null;
  row.append(
    h('div', { class: 'rule-head' },
      on,
      h('label', { for: `${k}-on`, class: 'rule-title' }, title),
      summary),
    ...(form ? [form] : []));
  return row;
}

function rulesCard(o, ctx) {
  return card('rules', 'Alert rules', 'What raises an alert. Changes apply from the next check for new reviews, a minute or so later.',
    h('div', { class: 'rules' }, o.rules.map((r) => ruleRow(r, ctx))));
}

// ---- Notifications --------------------------------------------------------------------------

function hourSelect(id, selected, label) {
  return h('select', { id, 'aria-label': label },
    hourOptions().map(([v, t]) => h('option', { value: String(v), selected: v === selected }, t)));
}

function notificationsCard(o, ctx) {
  const n = o.notifications;
  const quietOn = toggle('quiet-on', Boolean(n.quiet_hours));
  const from = hourSelect('quiet-from', n.quiet_hours?.start_hour ?? 22, 'Quiet from');
  const to = hourSelect('quiet-to', n.quiet_hours?.end_hour ?? 7, 'Quiet until');
  const digestOn = toggle('digest-on', n.daily_digest);
  const digestHour = hourSelect('digest-hour', n.digest_hour, 'Summary at');
  const quietBox = quietOn.querySelector('input');
  const digestBox = digestOn.querySelector('input');
  const sync = () => {
    from.disabled = !quietBox.checked;
    to.disabled = !quietBox.checked;
    digestHour.disabled = !digestBox.checked;
  };
  quietBox.addEventListener('change', sync);
  digestBox.addEventListener('change', sync);
  sync();
  const paused = pausedText(n.paused_until);
  const save = submit('Save', { id: 'notifications-save' });
  return card('notifications', 'Notifications', 'New alerts pop up on this computer. The tray icon can also pause them for an hour or until tomorrow.',
    paused ? h('p', { class: 'tag tag-wait paused' }, `${paused} (from the tray)`) : null,
    h('form', {
      class: 'form notify-form',
      onsubmit: (e) => {
        e.preventDefault();
        const quiet = quietHoursFrom(quietBox.checked, from.value, to.value);
        if (quietBox.checked && !quiet) {
          showNotice('Quiet hours need a different start and end hour.', { kind: 'error' });
          return;
        }
        attempt(() => `Saved. Quiet hours ${quietHoursText(quiet)}; ${digestBox.checked ? `one summary a day at ${digestHour.selectedOptions[0]?.textContent}` : 'a pop-up per alert'}.`,
          () => api.setNotificationPrefs({
            quiet_hours: quiet,
            daily_digest: digestBox.checked,
            digest_hour: Number(digestHour.value),
            paused_until: null,
            last_digest_at: null,
          }), ctx, { button: save });
      },
    },
    h('div', { class: 'setting-row' },
      quietOn,
      h('label', { for: 'quiet-on' }, 'Quiet hours'),
      h('span', { class: 'setting-inline' }, 'No pop-ups from', from, 'to', to)),
    h('div', { class: 'setting-row' },
      digestOn,
      h('label', { for: 'digest-on' }, 'Daily summary'),
      h('span', { class: 'setting-inline' }, 'One pop-up a day instead of one per alert, at', digestHour)),
    h('div', { class: 'actions' }, save)));
}

// ---- Keyboard -------------------------------------------------------------------------------

/** The inbox's one-letter shortcuts, on or off (WCAG 2.1.4); saved as soon as it is switched. */
function keyboardCard() {
  const on = toggle('letter-keys', prefs.letter_keys !== false);
  const box = on.querySelector('input');
  box.setAttribute('aria-describedby', 'letter-keys-help');
  box.addEventListener('change', async () => {
    const want = box.checked;
    try {
      await savePrefs({ letter_keys: want });
      showNotice(want ? 'One-letter shortcuts are on in the inbox.' : 'One-letter shortcuts are off: the inbox list answers to the arrow keys and Enter only.');
    } catch (e) {
      box.checked = !want;
      showNotice(`Not saved: ${e.message}`, { kind: 'error' });
    }
  });
  return card('keyboard', 'Keyboard', 'The arrow keys and Enter always work in the inbox list.',
    h('div', { class: 'setting-row' }, on,
      h('label', { for: 'letter-keys' }, 'One-letter shortcuts in the inbox'),
      h('span', { class: 'setting-inline', id: 'letter-keys-help' },
        'j and k move, r opens the reply, / jumps to the search. Turn them off if you use speech input or press keys by accident.')));
}

// ---- Reply templates ------------------------------------------------------------------------

function starSelect(id, value, label) {
  return h('select', { id, 'aria-label': label },
    [['', 'any'], ...[1, 2, 3, 4, 5].map((v) => [String(v), `${v}★`])]
      .map(([v, l]) => h('option', { value: v, selected: v === String(value ?? '') }, l)));
}

function fieldChips(fields, body) {
  return h('div', { class: 'field-chips', role: 'group', 'aria-label': 'Insert a field' },
    h('span', { class: 'muted' }, 'Insert:'),
    fields.map((f) => h('button', {
      class: 'chip field-chip', type: 'button', title: FIELD_HELP.get(f) ?? '',
      onclick: () => {
        const { value, caret } = insertField(body.value, body.selectionStart, body.selectionEnd, f);
        body.value = value;
        body.focus();
        body.setSelectionRange(caret, caret);
      },
    }, `{${f}}`)));
}

function templateEditor(t, o, ctx, { isNew = false } = {}) {
  const k = `tpl-${isNew ? 'new' : t.id}`;
  const fields = o.template_fields ?? FALLBACK_FIELDS;
  const name = input(`${k}-name`, t.name, { required: true, placeholder: 'e.g. Sorry about the wait' });
  const min = starSelect(`${k}-min`, t.min_rating, 'Lowest stars');
  const max = starSelect(`${k}-max`, t.max_rating, 'Highest stars');
  const aspect = input(`${k}-aspect`, t.aspect, { placeholder: 'any topic' });
  const body = h('textarea', { id: `${k}-body`, rows: '5', required: true, placeholder: 'Hi {first_name}, thank you…' });
  body.value = t.body ?? '';
  const save = submit(isNew ? 'Add template' : 'Save template', { class: 'btn btn-primary btn-small template-save' });
  return h('form', {
    class: 'form template-form', dataset: { name: t.name ?? '' }, novalidate: true,
    onsubmit: (e) => {
      e.preventDefault();
      const tpl = templateFromForm({ id: t.id, name: name.value, min: min.value, max: max.value, aspect: aspect.value, body: body.value });
      const unknown = unknownFields(tpl.body, fields);
      if (!tpl.name || !tpl.body) {
        showNotice('A template needs a name and some text.', { kind: 'error' });
        return;
      }
      if (unknown.length) {
        showNotice(`{${unknown[0]}} is not a field. Use the buttons above the text to insert one.`, { kind: 'error' });
        body.focus();
        return;
      }
      if (tpl.min_rating !== null && tpl.max_rating !== null && tpl.min_rating > tpl.max_rating) {
        showNotice(`No review has from ${tpl.min_rating}★ to ${tpl.max_rating}★: swap the two.`, { kind: 'error' });
        return;
      }
      attempt(`Saved the template “${tpl.name}”.`, () => api.saveTemplate(tpl), ctx, { refresh: true, button: save });
    },
  },
  h('div', { class: 'template-grid' },
    field(`${k}-name`, 'Name', name),
    h('div', { class: 'field' },
      h('label', { for: `${k}-min` }, 'Stars'),
      h('span', { class: 'star-band' }, min, h('span', { class: 'muted' }, 'to'), max)),
    field(`${k}-aspect`, 'About', aspect)),
  h('div', { class: 'field' }, h('label', { for: `${k}-body` }, 'Text'), fieldChips(fields, body), body),
  h('div', { class: 'template-actions' },
    isNew ? null : h('button', {
      class: 'btn btn-small btn-quiet template-delete', type: 'button',
      onclick: async () => {
        const yes = await confirmDialog({
          title: `Delete the template “${t.name}”?`,
          text: 'Replies already written keep their text.',
          yes: 'Delete',
        });
        if (yes) attempt(`Deleted the template “${t.name}”.`, () => api.deleteTemplate(t.name), ctx, { refresh: true, failed: 'Not deleted' });
      },
    }, 'Delete'),
    save));
}

function templateItem(t, o, ctx) {
  return h('details', { class: 'template', dataset: { name: t.name } },
    h('summary', { class: 'template-summary' },
      h('span', { class: 'template-name' }, t.name),
      h('span', { class: 'chip' }, bandShort(t)),
      t.aspect ? h('span', { class: 'chip chip-aspect' }, t.aspect) : null,
      h('span', { class: 'template-preview muted' }, t.body),
      h('span', { class: 'template-edit', 'aria-hidden': 'true' }, 'Edit')),
    templateEditor(t, o, ctx));
}

function templatesCard(o, ctx) {
  const blank = { id: 0, name: '', min_rating: null, max_rating: null, aspect: null, body: '' };
  return card('templates', 'Reply templates',
    'A starting point for each reply, picked by the review\'s stars and topic. Fields in braces are filled in for each review.',
    o.templates.length
      ? h('div', { class: 'templates', id: 'template-list' }, o.templates.map((t) => templateItem(t, o, ctx)))
      : h('p', { class: 'muted', id: 'template-list' }, 'No templates: replies start from a blank page.'),
    h('details', { class: 'template template-new', id: 'template-new' },
      h('summary', { class: 'template-summary' }, h('span', { class: 'template-name' }, '+ New template')),
      templateEditor(blank, o, ctx, { isNew: true })));
}

// ---- AI drafts ------------------------------------------------------------------------------

function aiCard(o, ctx) {
  const on = toggle('ai-on', o.ai.enabled);
  const url = input('ai-url', o.ai.base_url, { placeholder: 'http://localhost:11434' });
  const model = input('ai-model', o.ai.model, { placeholder: 'llama3.2' });
  const key = input('ai-key', '', {
    type: 'password', autocomplete: 'new-password',
    placeholder: o.ai_key_saved ? 'saved; type to replace it' : 'only for a hosted service',
  });
  const clear = h('input', { id: 'ai-key-clear', type: 'checkbox' });
  const save = submit('Save', { id: 'ai-save' });
  return card('ai', 'AI drafts', 'Optional: a first draft from an OpenAI-compatible endpoint, such as Ollama on this computer or a hosted service. You always edit and approve; nothing is posted without your click.',
    h('form', {
      class: 'form',
      onsubmit: (e) => {
        e.preventDefault();
        const apiKey = clear.checked ? '' : (key.value.trim() || null);
        attempt('Saved the AI settings.', () => api.saveAiSettings({
          enabled: on.querySelector('input').checked, base_url: url.value.trim(), model: model.value.trim(),
        }, apiKey), ctx, { refresh: true, button: save });
      },
    },
    // A restore changed the endpoint: its key is held back until the owner confirms it.
    o.ai_unconfirmed ? h('p', { class: 'warn-text ai-unconfirmed' },
      `Waiting for your confirmation: ${o.ai_unconfirmed}. `,
      h('button', {
        class: 'btn btn-small', type: 'button', id: 'ai-confirm',
        onclick: () => attempt('Confirmed the AI endpoint.', () => api.confirmSource(null, { ai: true }), ctx, { refresh: true }),
      }, 'Confirm endpoint')) : null,
    h('div', { class: 'setting-row' }, on, h('label', { for: 'ai-on' }, 'Offer “Draft with AI” in the reply composer')),
    h('div', { class: 'grid-2' },
      field('ai-url', 'Endpoint', url, 'Ollama: http://localhost:11434'),
      field('ai-model', 'Model', model),
      field('ai-key', 'API key', key, `Kept in ${o.secrets_in}, never in the database.`),
      o.ai_key_saved ? h('label', { class: 'check forget-key' }, clear, h('span', null, 'Forget the saved key')) : null),
    h('div', { class: 'actions' }, save)));
}

// ---- Your data ------------------------------------------------------------------------------

function dataCard(o, ctx) {
  // On a team database the reviews are on the team's server: a backup here is a copy of the
  // team's reviews in one file on this computer, and a restore replaces them for everyone.
  const onTeam = Boolean(o.on_team);
  // In the demo the open file is the demo's: backing it up or restoring over it would look like
  // acting on the owner's reviews while touching neither (issue 32). Say so instead.
  if (ctx.inDemo && !onTeam) {
    return card('data', 'Your data', 'Everything stays on this computer, in one file.',
      h('p', { id: 'data-in-demo' },
        h('strong', null, 'You are looking at the demo café. '),
        'Leave the demo (the button at the top) to back up, restore or export your own reviews. The demo\'s made-up reviews are never backed up.'));
  }
  const exportBtn = h('button', { id: 'export-csv', class: 'btn', type: 'button' }, 'Export reviews (CSV)');
  exportBtn.addEventListener('click', async () => {
    exportBtn.disabled = true;
    exportBtn.textContent = 'Exporting…';
    try {
      const path = await api.exportReviewsCsv();
      if (path) showNotice(`Exported every review to ${path}. It opens in any spreadsheet, and imports back into Earshot.`);
    } catch (e) {
      showNotice(`Not exported: ${e.message}`, { kind: 'error' });
    } finally {
      exportBtn.disabled = false;
      exportBtn.textContent = 'Export reviews (CSV)';
    }
  });
  const pngBtn = h('button', { id: 'export-png', class: 'btn', type: 'button', title: 'Your business, the last 30 days' }, 'Dashboard as PNG');
  pngBtn.addEventListener('click', () => saveDashboardPng(pngBtn));
  const backupBtn = h('button', { id: 'backup-now', class: 'btn', type: 'button' }, 'Back up now');
  backupBtn.addEventListener('click', () => attempt(
    (b) => `Backed up (${formatBytes(b?.bytes)}) to ${b?.path ?? o.backup_dir}.`,
    () => api.backupNow(), ctx, { refresh: true, button: backupBtn, failed: 'Not backed up' },
  ));
  const backups = [...o.backups].sort((a, b) => String(b.date).localeCompare(String(a.date)));
  return card('data', 'Your data', onTeam ? 'Your team’s reviews are on its shared database; a backup copies them into one file on this computer.' : 'Everything stays on this computer, in one file.',
    h('dl', { class: 'data-paths' },
      h('div', null, h('dt', null, 'Database'), h('dd', null, h('code', { id: 'settings-db-path' }, o.db_path))),
      h('div', null, h('dt', null, 'Backups'), h('dd', null, h('code', { id: 'settings-backup-dir' }, o.backup_dir),
        h('span', { class: 'muted' }, onTeam
          ? 'Made when you choose Back up now. One a day is kept for a week, then one a week for a month.'
          : 'One a day is kept for a week, then one a week for a month.')))),
    h('div', { class: 'actions actions-left' }, backupBtn, exportBtn, pngBtn),
    backups.length ? h('table', { class: 'backups', id: 'backup-list' },
      h('caption', { class: 'sr-only' }, 'Backups'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Backup of'), h('th', { scope: 'col', class: 'num' }, 'Size'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Restore')))),
      h('tbody', null, backups.map((b) => h('tr', { dataset: { date: String(b.date) } },
        h('th', { scope: 'row' }, formatDay(b.date)),
        h('td', { class: 'num' }, formatBytes(b.bytes)),
        h('td', { class: 'end' }, h('button', {
          class: 'btn btn-small backup-restore', type: 'button',
          onclick: async (e) => {
            const button = e.currentTarget;
            const ok = await confirmDialog({
              title: `Restore the backup of ${formatDay(b.date)}?`,
              text: onTeam
                ? 'This replaces the team’s reviews, replies and settings for everyone with those of that day. Only the person who set up the team’s database can do it. The team’s current data is kept as a backup first, so nothing is lost; each computer then adds its review site keys again.'
                : 'Earshot will show your reviews as they were that day. Your current database is kept as a backup first, so nothing is lost.',
              yes: 'Restore',
            });
            if (ok) {
              attempt(`Restored the backup of ${formatDay(b.date)}.`, () => api.restoreBackup(b.path), ctx,
                { refresh: true, button, failed: 'Not restored' });
            }
          },
        }, 'Restore'))))))
      : h('p', { class: 'muted', id: 'backup-list' }, onTeam
        ? 'No backups of the team’s reviews on this computer yet.'
        : 'No backups yet. Earshot makes one a day while it runs.'));
}

// ---- The screen -----------------------------------------------------------------------------

const SECTIONS = [
  ['profile', 'Your business'],
  ['topics', 'Your topics'],
  ['templates', 'Templates'],
  ['ai', 'AI drafts'],
  ['notifications', 'Notifications'],
  ['keyboard', 'Keyboard'],
  ['rules', 'Alert rules'],
  ['channels', 'Where alerts reach you'],
  ['watcher', 'Background watcher'],
  ['competitors', 'Competitors'],
  ['data', 'Your data'],
  ['team', 'Team database'],
];

function sectionNav() {
  return h('nav', { class: 'settings-nav', 'aria-label': 'Settings sections' },
    SECTIONS.map(([id, label]) => h('button', {
      class: 'chip settings-jump', type: 'button', dataset: { target: id },
      // Not a link: the hash is the app's route.
      onclick: () => {
        const target = document.getElementById(id);
        const still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
        target?.scrollIntoView({ behavior: still ? 'auto' : 'smooth', block: 'start' });
        // Focus follows the jump, so Tab continues inside the section.
        const heading = target?.querySelector('h2');
        if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({ preventScroll: true }); }
      },
    }, label)));
}

export async function render(_param, ctx) {
  // Every setting here is kept on a team database too (`settings_overview` works on both).
  const o = await api.settingsOverview();
  const last = [...o.backups].map((b) => String(b.date)).sort().pop();
  const own = o.businesses.filter((b) => !b.is_competitor).length;
  return h('section', { id: 'settings', class: 'settings', 'aria-labelledby': 'settings-title' },
    h('header', { class: 'page-head' },
      h('div', null,
        h('h1', { id: 'settings-title' }, 'Settings'),
        h('p', { class: 'muted' }, [
          own ? plural(own, 'business', 'businesses') : 'No business yet',
          o.businesses.length > own ? plural(o.businesses.length - own, 'competitor') : null,
          plural(o.templates.length, 'template'),
          o.on_team ? 'the team’s database' : ctx.inDemo ? 'the demo café' : `last backup ${last ? formatDay(last) : 'never'}`,
        ].filter(Boolean).join(' · ')))),
    sectionNav(),
    h('div', { class: 'settings-grid' },
      h('div', { class: 'settings-col' }, profileCard(o, ctx),
        topicsCard(o.businesses.filter((b) => !b.is_competitor)), templatesCard(o, ctx), aiCard(o, ctx)),
      h('div', { class: 'settings-col' }, notificationsCard(o, ctx), keyboardCard(), rulesCard(o, ctx), channelsCard(), watcherCard(), competitorsCard(o, ctx), dataCard(o, ctx), teamCard(ctx))));
}
