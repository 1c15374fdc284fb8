// The two ways data gets in today, shared by the welcome screen and the dashboard: load the demo
// café, or import a file. Each shows progress, then a result or a problem in plain words. The
// dashboard refreshes from the `reviews-changed` event, not from here.

import * as api from './api.js';
import { h, mount } from './dom.js';
import { plural, platformLabel } from './format.js';
import { showProgress } from './components/progress.js';
import { showNotice } from './components/notice.js';
import {
  canSkipBadRows, columnOptions, importParts, mappingFrom, mappingStatus, NO_COLUMN, previewCaption,
  previewRows,
} from './import-logic.js';

export async function loadDemo() {
  const p = showProgress('Loading the demo café…', 'Three years of reviews from several platforms.');
  try {
    const s = await api.loadDemo();
    showNotice(`Demo loaded: ${plural(s.reviews, 'review')} and ${plural(s.mentions, 'post')} for ${s.businesses.join(' and ')}.`);
  } catch (e) {
    showNotice(`The demo could not be loaded. ${e.message}`, { kind: 'error' });
  } finally {
    p.close();
  }
}

// Platforms offered in the import form when the file has no platform column.
const IMPORT_PLATFORMS = ['google', 'yelp', 'tripadvisor', 'facebook', 'trustpilot', 'booking'];

/**
 * Asks for a file (native dialog), shows what it holds (for a CSV: its first rows and which column
 * goes to which field), asks for the business it belongs to, then imports it. `businesses` prefill
 * the form: the owner's own business is the default.
 */
export async function importFile(businesses = [], { folder = false } = {}) {
  let path;
  try {
    path = await api.chooseImportFile({ folder });
  } catch (e) {
    showNotice(`The file dialog could not be opened. ${e.message}`, { kind: 'error' });
    return;
  }
  if (!path) return; // cancelled
  await importPath(path, businesses, { folder });
}

/**
 * The import dialog for a chosen file or folder: what it holds, the choices, then the import.
 * Exported for the smoke test, which cannot drive the native file dialog.
 */
export async function importPath(path, businesses = [], { folder = false } = {}) {
  let preview = null;
  if (!folder) {
    try {
      preview = await api.previewImport(path);
    } catch (e) {
      showNotice(`${fileName(path)} cannot be imported. ${e.message}`, { kind: 'error' });
      return;
    }
  }
  const form = await askImportOptions(path, businesses, preview);
  if (!form) return;
  await runImport({ path, ...form });
}

/**
 * Saves the CSV template through the native save dialog; resolves to { text, ok }: a sentence for
 * the owner (empty when they cancelled).
 */
export async function downloadTemplate() {
  try {
    const saved = await api.saveImportTemplate();
    return { text: saved ? `Saved a template to fill in: ${saved}.` : '', ok: true };
  } catch (e) {
    return { text: `The template was not saved. ${e.message}`, ok: false };
  }
}

/**
 * Runs an import with a progress bar; exported for the welcome screen and tests. When rows with
 * problems stop it, the notice offers to skip them and import the rest.
 */
export async function runImport({ path, business, platform, skipBad, location = null, mapping = null }) {
  const p = showProgress('Importing reviews…', fileName(path));
  try {
    const r = await api.importFile({ path, business, platform, skipBad, location, mapping }, ({ read, total }) => p.update(read, total));
    const parts = importParts(r);
    // The core names what it found (ImportReport.format_label): the platforms' exports are
    // declared in their homes, not listed here.
    const from = typeof r.format_label === 'string' && r.format_label ? ` (${r.format_label})` : '';
    const places = (r.locations ?? []).length > 1
      ? ` Found ${r.locations.map((l) => l.name ?? l.id).join(', ')}.`
      : '';
    showNotice(`Imported ${fileName(path)}${from} for ${r.business}: ${parts.join(', ')}.${places}`);
  } catch (e) {
    const action = canSkipBadRows(e, { skipBad })
      ? {
        label: 'Skip the bad rows and import the rest',
        run: () => runImport({ path, business, platform, skipBad: true, location, mapping }),
      }
      : null;
    showNotice(`Nothing was imported from ${fileName(path)}. ${e.message}`, { kind: 'error', action });
  } finally {
    p.close();
  }
}

export function fileName(path) {
  return String(path ?? '').split(/[\\/]/).pop();
}

/**
 * For a CSV: the first rows as a table, a select per field with the proposed column, and what is
 * still missing. The file's headers and cells are untrusted text: `h` sets them as text nodes.
 * Returns the section and a function giving the mapping chosen.
 */
function mappingSection(preview, onChange) {
  const fields = preview.fields ?? [];
  const options = columnOptions(preview.headers);
  const selects = new Map();
  const chosen = () => new Map([...selects].map(([name, sel]) => [name, sel.value]));
  const status = h('p', { id: 'import-mapping-status', class: 'muted', role: 'status' });
  const update = () => {
    const st = mappingStatus(fields, mappingFrom(fields, chosen()));
    status.textContent = st.text;
    onChange(st.ready);
  };
  const rows = previewRows(preview, 5);
  const table = h('div', { class: 'import-preview', tabindex: '0', role: 'region', 'aria-labelledby': 'import-preview-caption' },
    h('table', null,
      h('caption', { id: 'import-preview-caption' }, previewCaption(rows.length)),
      h('thead', null, h('tr', null, (preview.headers ?? []).map((c) => h('th', { scope: 'col' }, String(c))))),
      h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c)))))));
  const grid = h('div', { class: 'import-fields' },
    fields.map((f) => {
      const id = `import-map-${f.name}`;
      const sel = h('select', { id, name: id, onchange: update },
        options.map((o) => h('option', { value: o.value }, o.label)));
      sel.value = f.column ?? NO_COLUMN;
      selects.set(f.name, sel);
      return h('div', { class: 'import-field' },
        h('label', { for: id }, f.required ? `${f.label} (needed)` : f.label), sel);
    }));
  const section = h('fieldset', { class: 'import-mapping' },
    h('legend', null, 'Which column holds what'),
    table, grid, status);
  return { section, update, mapping: () => mappingFrom(fields, chosen()) };
}

/** The import form in a modal <dialog>; resolves to the options or null when cancelled. */
function askImportOptions(path, businesses, preview = null) {
  const own = businesses.find((b) => !b.is_competitor);
  const nameInput = h('input', {
    id: 'import-business', name: 'business', required: true, autocomplete: 'off',
    list: 'import-businesses', value: own?.name ?? '', placeholder: 'Your business’s name',
  });
  const platformSelect = h('select', { id: 'import-platform', name: 'platform' },
    h('option', { value: '' }, 'As written in the file'),
    IMPORT_PLATFORMS.map((p) => h('option', { value: p }, platformLabel(p))));
  const skipBad = h('input', { id: 'import-skip', type: 'checkbox', name: 'skip' });
  const locationInput = h('input', {
    id: 'import-location', name: 'location', autocomplete: 'off', placeholder: 'The location’s name on Google',
  });
  const importButton = h('button', { id: 'import-ok', class: 'btn btn-primary', value: 'ok', type: 'submit' }, 'Import');
  const mappable = Boolean(preview?.mappable);
  const mapping = mappable
    ? mappingSection(preview, (ready) => { importButton.disabled = !ready; })
    : null;
  const templateNote = h('p', { id: 'import-template-status', class: 'muted', role: 'status' });
  const templateLink = h('button', {
    id: 'import-template', type: 'button', class: 'btn-link',
    onclick: async () => { templateNote.textContent = (await downloadTemplate()).text; },
  }, 'Download a template');
  const found = preview && !mappable && preview.format_label ? ` · ${preview.format_label}` : '';
  const dialog = h('dialog', { class: mappable ? 'modal modal-wide' : 'modal', 'aria-labelledby': 'import-title' },
    h('form', { method: 'dialog', class: 'form' },
      h('h2', { id: 'import-title' }, 'Import reviews'),
      h('p', { class: 'muted file-name' }, `${fileName(path)}${found}`),
      h('label', { for: 'import-business' }, 'Which business are these reviews about?'),
      nameInput,
      h('datalist', { id: 'import-businesses' }, businesses.map((b) => h('option', { value: b.name }))),
      mapping?.section,
      h('label', { for: 'import-platform' }, 'Platform, for rows that do not name one (CSV and JSON Lines)'),
      platformSelect,
      mappable ? null : h('label', { for: 'import-location' }, 'Location, for a Takeout of several (leave empty for all)'),
      mappable ? null : locationInput,
      h('label', { class: 'check', for: 'import-skip' }, skipBad,
        h('span', null, 'Skip rows with problems and import the rest')),
      h('p', { class: 'muted' }, 'Your own spreadsheet? ', templateLink,
        ' shows the columns Earshot reads.'),
      templateNote,
      h('div', { class: 'actions' },
        h('button', { class: 'btn', value: 'cancel', type: 'submit', formnovalidate: true }, 'Cancel'),
        importButton)));
  mount(document.getElementById('dialogs'), dialog);
  mapping?.update();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok' && nameInput.value.trim() !== '';
      dialog.remove();
      resolve(ok ? {
        business: nameInput.value.trim(),
        platform: platformSelect.value || null,
        skipBad: skipBad.checked,
        location: mappable ? null : (locationInput.value.trim() || null),
        mapping: mapping ? mapping.mapping() : null,
      } : null);
    }, { once: true });
    dialog.showModal();
    nameInput.focus();
  });
}

/**
 * Saves the dashboard as a PNG (`{ business, period }` as the dashboard shows them; a null business
 * is the owner's own). `button` says it is busy meanwhile; a notice tells where the picture went.
 */
export async function saveDashboardPng(button, { business = null, period = 30 } = {}) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = 'Saving…';
  try {
    const path = await api.exportDashboardPng({ business, period });
    if (path) showNotice(`Saved the dashboard as a picture: ${path}.`);
  } catch (e) {
    showNotice(`The dashboard was not saved. ${e.message}`, { kind: 'error' });
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}
