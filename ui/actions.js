// The two ways data gets in today, shared by the welcome screen and the dashboard: load the demo
// café, or import a file. Each shows progress, then a result or a problem in plain words. The
// dashboard refreshes from the `reviews-changed` event, not from here.

import * as api from './api.js';
import { h, mount } from './dom.js';
import { formatCount, plural, platformLabel } from './format.js';
import { showProgress } from './components/progress.js';
import { showNotice } from './components/notice.js';

export async function loadDemo() {
  const p = showProgress('Loading the demo café…', 'Three years of reviews from several platforms.');
  try {
    const s = await api.loadDemo();
    showNotice(`Demo loaded: ${plural(s.reviews, 'review')} and ${plural(s.mentions, 'mention')} for ${s.businesses.join(' and ')}.`);
  } catch (e) {
    showNotice(`The demo could not be loaded. ${e.message}`, { kind: 'error' });
  } finally {
    p.close();
  }
}

// Platforms offered in the import form when the file has no platform column.
const IMPORT_PLATFORMS = ['google', 'yelp', 'tripadvisor', 'facebook', 'trustpilot', 'booking'];

/**
 * Asks for a file (native dialog), then for the business it belongs to, then imports it.
 * `businesses` prefill the form: the owner's own business is the default.
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
  const form = await askImportOptions(path, businesses);
  if (!form) return;
  await runImport({ path, ...form });
}

/** Runs an import with a progress bar; exported for the welcome screen and tests. */
export async function runImport({ path, business, platform, skipBad, location = null }) {
  const p = showProgress('Importing reviews…', fileName(path));
  try {
    const r = await api.importFile({ path, business, platform, skipBad, location }, ({ read, total }) => p.update(read, total));
    const parts = [
      `${formatCount(r.new)} new`,
      `${formatCount(r.updated)} updated`,
      `${formatCount(r.unchanged)} unchanged`,
    ];
    if (r.truncated > 0) {
      parts.push(`${formatCount(r.truncated)} cut to the length limit (text 64 KiB)`);
    }
    if (r.rejected > 0) {
      const first = r.rejected_rows[0];
      parts.push(`${formatCount(r.rejected)} skipped (first: ${first?.place ?? `line ${first?.line}`}: ${first?.reason})`);
    }
    // The core names what it found (ImportReport.format_label): the platforms' exports are
    // declared in their homes, not listed here.
    const from = typeof r.format_label === 'string' && r.format_label ? ` (${r.format_label})` : '';
    const places = (r.locations ?? []).length > 1
      ? ` Found ${r.locations.map((l) => l.name ?? l.id).join(', ')}.`
      : '';
    showNotice(`Imported ${fileName(path)}${from} for ${r.business}: ${parts.join(', ')}.${places}`);
  } catch (e) {
    showNotice(`Nothing was imported from ${fileName(path)}. ${e.message}`, { kind: 'error' });
  } finally {
    p.close();
  }
}

export function fileName(path) {
  return String(path ?? '').split(/[\\/]/).pop();
}

/** The import form in a modal <dialog>; resolves to the options or null when cancelled. */
function askImportOptions(path, businesses) {
  const own = businesses.find((b) => !b.is_competitor);
  const nameInput = h('input', {
    id: 'import-business', name: 'business', required: true, autocomplete: 'off',
    list: 'import-businesses', value: own?.name ?? '', placeholder: 'e.g. Harbour Lane Café',
  });
  const platformSelect = h('select', { id: 'import-platform', name: 'platform' },
    h('option', { value: '' }, 'As written in the file'),
    IMPORT_PLATFORMS.map((p) => h('option', { value: p }, platformLabel(p))));
  const skipBad = h('input', { id: 'import-skip', type: 'checkbox', name: 'skip' });
  const locationInput = h('input', {
    id: 'import-location', name: 'location', autocomplete: 'off', placeholder: 'e.g. Harbour Lane Café',
  });
  const dialog = h('dialog', { class: 'modal', 'aria-labelledby': 'import-title' },
    h('form', { method: 'dialog', class: 'form' },
      h('h2', { id: 'import-title' }, 'Import reviews'),
      h('p', { class: 'muted file-name' }, fileName(path)),
      h('label', { for: 'import-business' }, 'Which business are these reviews about?'),
      nameInput,
      h('datalist', { id: 'import-businesses' }, businesses.map((b) => h('option', { value: b.name }))),
      h('label', { for: 'import-platform' }, 'Platform, for rows that do not name one (CSV and JSON Lines)'),
      platformSelect,
      h('label', { for: 'import-location' }, 'Location, for a Takeout of several (leave empty for all)'),
      locationInput,
      h('label', { class: 'check', for: 'import-skip' }, skipBad,
        h('span', null, 'Skip rows with problems and import the rest')),
      h('div', { class: 'actions' },
        h('button', { class: 'btn', value: 'cancel', type: 'submit', formnovalidate: true }, 'Cancel'),
        h('button', { class: 'btn btn-primary', value: 'ok', type: 'submit' }, 'Import'))));
  mount(document.getElementById('dialogs'), dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok' && nameInput.value.trim() !== '';
      dialog.remove();
      resolve(ok ? {
        business: nameInput.value.trim(),
        platform: platformSelect.value || null,
        skipBad: skipBad.checked,
        location: locationInput.value.trim() || null,
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
