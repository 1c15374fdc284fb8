// The one module that talks to the Rust shell (STYLE.md §8). Views import these functions and
// nothing else; errors arrive as `ApiError` with the shell's stable `code`.
//
// Outside Tauri (a plain browser, node tests) there is no `window.__TAURI__`, and the same
// functions answer from `fake-backend.js`, so the UI can be developed and tested without the shell.

/** An error from the backend: `code` is stable (`schema_too_new`, `bad_row`, …), `message` is
 * written for the owner and safe to show. */
export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

/** Turns whatever a command rejected with into an ApiError. */
export function toApiError(e) {
  if (e instanceof ApiError) return e;
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    return new ApiError(e.code, String(e.message ?? e.code));
  }
  return new ApiError('internal', typeof e === 'string' ? e : String(e?.message ?? e));
}

const tauri = globalThis.__TAURI__;

/** Whether the UI runs inside the desktop app (false: in a browser on the fake backend). */
export const inDesktopApp = Boolean(tauri?.core?.invoke);

let fake = null;
async function backend() {
  if (inDesktopApp) return null;
  fake ??= await import('./fake-backend.js');
  return fake;
}

async function call(command, args = {}) {
  try {
    const f = await backend();
    if (f) return await f.invoke(command, args);
    return await tauri.core.invoke(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

/**
 * The first screen in one call: { empty, businesses, business, stats, latest, db_path }.
 * `businessId` picks a business; without it the owner's own is shown.
 */
export function dashboard(businessId = null) {
  return call('dashboard', businessId === null ? {} : { business: businessId });
}

/** Reviews matching a filter (see the core's ReviewFilter: business_id, platform, since, …). */
export function listReviews(filter = {}) {
  return call('list_reviews', { filter });
}

/** Loads the demo café; resolves to the core's DemoSummary. */
export function loadDemo() {
  return call('load_demo');
}

/** Shows the native file dialog; resolves to a path, or null when the owner cancelled. */
export function chooseImportFile() {
  return call('choose_import_file');
}

/**
 * Imports a CSV or JSON Lines file for a business. `onProgress({read, total})` is called after
 * each batch. Resolves to the core's ImportReport.
 */
export async function importFile({ path, business, platform = null, skipBad = false }, onProgress) {
  const report = (p) => { if (onProgress) onProgress(p); };
  if (!inDesktopApp) {
    return call('import_file', { path, business, platform, skipBad, onProgress: report });
  }
  const channel = new tauri.core.Channel();
  channel.onmessage = report;
  return call('import_file', { path, business, platform, skipBad, onProgress: channel });
}

/**
 * Calls `fn(payload)` after each demo load or import (one event per finished write, never one
 * per row). Resolves to a function that stops listening.
 */
export async function onReviewsChanged(fn) {
  const f = await backend();
  if (f) return f.listen('reviews-changed', fn);
  return tauri.event.listen('reviews-changed', (e) => fn(e.payload));
}

/** Opens a review's page in the owner's browser; only http(s) links are allowed through. */
export async function openExternal(url) {
  const f = await backend();
  if (f) return f.openUrl(url);
  try {
    return await tauri.core.invoke('plugin:opener|open_url', { url });
  } catch (e) {
    throw toApiError(e);
  }
}
