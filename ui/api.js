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
export function dashboard(businessId = null, period = 30) {
  return call('dashboard', businessId === null ? { period } : { business: businessId, period });
}

/**
 * The one-time upgrade of a large database that the first screen's call will run, or null:
 * { reviews, from_version, to_version }.
 */
export function pendingUpgrade() {
  return call('pending_upgrade');
}

/** Reviews matching a filter (see the core's ReviewFilter: business_id, platform, since, …). */
export function listReviews(filter = {}) {
  return call('list_reviews', { filter });
}

/** How many reviews match a filter (same shape as listReviews; limit and offset ignored). */
export function countReviews(filter = {}) {
  return call('count_reviews', { filter });
}

/** What the inbox's filters offer: { businesses, platforms, aspects }. */
export function inboxFacets() {
  return call('inbox_facets');
}

export function markRead(reviewId) {
  return call('mark_read', { review: reviewId });
}

/**
 * The Review screen: { review, aspects, history, replies, draft, text, template, warnings, limit,
 * route, missing, revisions, templates } (see src-tauri/src/replies.rs). `missing` is null, or
 * what the owner still has to do before Earshot can post (sign in, a setting), as plain text.
 */
export function reviewDetail(reviewId) {
  return call('review_detail', { review: reviewId });
}

/** The coach's warnings for a draft: [{ code, message, … }]. */
export function checkReply(reviewId, text, aiDraft = null) {
  return call('check_reply', { review: reviewId, text, aiDraft });
}

/** Saves the draft; an empty text discards it. Resolves to the saved Reply or null. */
export function saveReplyDraft(reviewId, text) {
  return call('save_reply_draft', { review: reviewId, text });
}

/** A template's text filled in for the review. */
export function fillTemplate(reviewId, template) {
  return call('fill_template', { review: reviewId, template });
}

/** Posts the saved draft through the platform's API; `key` makes a retry idempotent. */
export function postReply(reviewId, key) {
  return call('post_reply', { review: reviewId, key });
}

/** Deletes the posted reply on the platform (where its API allows). */
export function deleteReply(reviewId) {
  return call('delete_reply', { review: reviewId });
}

/** Changes the text of the reply posted from Earshot (where the platform's API allows). */
export function editReply(reviewId, text, key) {
  return call('edit_reply', { review: reviewId, text, key });
}

/** { text, url, platform } for posting by hand. */
export function copyReply(reviewId) {
  return call('copy_reply', { review: reviewId });
}

/** Records a reply posted by hand (the draft's text when `text` is omitted). */
export function markReplied(reviewId, text = null) {
  return call('mark_replied', { review: reviewId, text });
}

/**
 * "What works for you" (issue 29): { effect, reviews, follow_ups } — the figures of
 * `earshot replies effect --json`, the recovered reviews to show, the follow-ups asked.
 */
export function repliesEffect(businessId = null, platform = null) {
  return call('replies_effect', { business: businessId, platform });
}

/**
 * Asks the customer of an answered review to update it: { review_id, email, by_hand, again,
 * dry_run, body }. `openMail` opens a note to send by hand in the owner's mail app.
 */
export function followUp(ask, openMail = false) {
  return call('follow_up', { ask, openMail });
}

/** Alerts, newest first, each with `title` and its first `reviews`. */
export function listAlerts({ includeDismissed = true } = {}) {
  return call('list_alerts', { includeDismissed });
}

/** `to`: 'new', 'seen' or 'dismissed'. */
export function setAlertState(id, to) {
  return call('set_alert_state', { id, to });
}

export function unreadAlertCount() {
  return call('unread_alert_count');
}

/** The Settings screen: { businesses, profiles, rules, notifications, templates, db_path, backup_dir, backups }. */
export function settingsOverview() {
  return call('settings_overview');
}

export function addBusiness(name, competitor) {
  return call('add_business', { name, competitor });
}

export function saveReplyProfile(businessId, profile) {
  return call('save_reply_profile', { business: businessId, profile });
}

/** `params`: [[key, text], …], validated by the core. */
export function setAlertRule(kind, enabled, params = []) {
  return call('set_alert_rule', { kind, enabled, params });
}

export function setNotificationPrefs(prefs) {
  return call('set_notification_prefs', { prefs });
}

export function saveTemplate(template) {
  return call('save_template', { template });
}

export function deleteTemplate(name) {
  return call('delete_template', { name });
}

export function backupNow() {
  return call('backup_now');
}

export function restoreBackup(path) {
  return call('restore_backup', { path });
}

/** A draft from the owner's AI endpoint; resolves to text for the owner to edit. */
export function aiDraft(reviewId) {
  return call('ai_draft', { review: reviewId });
}

/** `settings`: { enabled, base_url, model }; `apiKey` replaces the saved key (''.trim() deletes it). */
export function saveAiSettings(settings, apiKey = null) {
  return call('save_ai_settings', { settings, apiKey });
}

/**
 * Where alerts reach the owner beyond the desktop: [{ id, kind, target, settings, kinds,
 * quiet_hours, digest_hour, sent, pending, failed, last_sent_at, last_error }].
 */
export function listAlertChannels() {
  return call('list_alert_channels');
}

/**
 * Adds a channel. `spec`: { kind: 'webhook'|'ntfy'|'email', target, format, server, from, user,
 * kinds: [...], quiet_hours: {start_hour, end_hour}|null, digest_hour }. `password` (e-mail only)
 * goes to the keyring.
 */
export function addAlertChannel(spec, password = null) {
  return call('add_alert_channel', { spec, password });
}

/** Sends a test message to a channel now; rejects with the reason when it fails. */
export function testAlertChannel(id) {
  return call('test_alert_channel', { id });
}

export function removeAlertChannel(id) {
  return call('remove_alert_channel', { id });
}

/**
 * The background watcher (`earshot watch` as a systemd user service): { installed, running
 * (true|false|null without systemd), systemd, unit_path, advice }.
 */
export function watcherStatus() {
  return call('watcher_status');
}

/**
 * Settings → Team database: { login: { host, port, database, person } | null, in_use, location,
 * password_saved, fixed_at_start, passwords_in, link: { connected, problem, retry_in_secs } | null }.
 * The password is never part of it.
 */
export function teamDatabase() {
  return call('team_database');
}

/** Saves the server, database and person; `password` null keeps the saved one. */
export function saveTeamDatabase(login, password = null) {
  return call('save_team_database', { login, password });
}

/** Connects and says { location, schema_version, person, role, runs_the_database }. */
export function testTeamDatabase(login, password = null) {
  return call('test_team_database', { login, password });
}

/** Switches the app to the saved team database (`on`) or back to this computer's own. */
export function useTeamDatabase(on) {
  return call('use_team_database', { on });
}

/**
 * Calls `fn({ connected, problem, retry_in_secs })` whenever the team database's live link
 * connects or is lost; resolves to a function that stops listening.
 */
export async function onTeamLink(fn) {
  const f = await backend();
  if (f) return f.listen('team-link', fn);
  return tauri.event.listen('team-link', (e) => fn(e.payload));
}

/** Installs and starts the watcher for this database; `advice` says what to do without systemd. */
export function installWatcher() {
  return call('install_watcher');
}

export function uninstallWatcher() {
  return call('uninstall_watcher');
}

export function confirmAlertChannel(id) {
  return call('confirm_alert_channel', { id });
}

/**
 * The owner's own topics (issue 27): { topics: [{ id, business_id, name, words: [...] }] }, of
 * one business or of all.
 */
export function listTopics(businessId = null) {
  return call('list_topics', businessId === null ? {} : { business: businessId });
}

/**
 * Adds a topic (`id` null) or changes one; `words` as typed, comma-separated. The business's
 * reviews are tagged again: `onProgress({ done, total })` follows it. Resolves to
 * { topic, business, reviews_retagged }.
 */
export async function saveTopic({ business, id = null, name, words }, onProgress) {
  const report = (p) => { if (onProgress) onProgress(p); };
  const args = { business, id, name, words };
  if (!inDesktopApp) return call('save_topic', { ...args, onProgress: report });
  const channel = new tauri.core.Channel();
  channel.onmessage = report;
  return call('save_topic', { ...args, onProgress: channel });
}

/** Removes a topic and its tags on the reviews: { topic, business, reviews_retagged }. */
export function removeTopic(id) {
  return call('remove_topic', { id });
}

/** How the window behaves: { letter_keys } (the inbox's one-letter shortcuts). */
export function uiPrefs() {
  return call('ui_prefs');
}

export function setUiPrefs(prefs) {
  return call('set_ui_prefs', { prefs });
}

export function exportReviewsCsv() {
  return call('export_reviews_csv');
}

/**
 * Saves the dashboard of `business` (an id; null: the owner's own) over `period` days as a PNG
 * where the owner picks in the save dialog; resolves to the path, or null when cancelled.
 */
export function exportDashboardPng({ business = null, period = 30 } = {}) {
  return call('export_dashboard_png', { business, period });
}

/** Every platform Earshot can connect, with its settings (ConnectorSpec). */
export function sourcePlatforms() {
  return call('source_platforms');
}

export function listSources() {
  return call('list_sources');
}

/** Connects a platform; `settings` is { key: value } (secrets go to the OS keyring). */
export function addSource({ business, platform, label = null, settings }) {
  return call('add_source', { business, platform, label, settings });
}

export function removeSource(id) {
  return call('remove_source', { id });
}

/** Confirms a source's addresses after a restore changed them (`ai`: the AI endpoint's). */
export function confirmSource(id, { ai = false } = {}) {
  return call('confirm_source', { id, ai });
}

/** One live request: { ok, items, error, error_code }. */
export function testSource(id) {
  return call('test_source', { id });
}

/**
 * Signs a source in through the browser (Google Business Profile and YouTube with Google; X;
 * Mastodon from 4.3): opens the platform's consent page and resolves when the owner has allowed
 * access (or rejects in plain words), or, where the platform shows a code to paste instead, at
 * once with `{ needs_code: true }` (then `signInWithCode`). `onUrl(url)` gets the consent address,
 * for when no browser opens.
 */
export async function googleSignIn(id, onUrl) {
  let stop = () => {};
  if (inDesktopApp && onUrl) stop = await tauri.event.listen('google-sign-in-url', (e) => onUrl(e.payload));
  try {
    return await call('google_sign_in', { id });
  } finally {
    stop();
  }
}

/**
 * Finishes a sign-in whose platform showed a code to paste (Mastodon before 4.3): the code is
 * traded for tokens once; the tokens go to the keyring.
 */
export function signInWithCode(id, code) {
  return call('sign_in_with_code', { id, code });
}

/**
 * Signs a source in with a login and password (Trustpilot's business user): the password goes to
 * the platform once and is kept nowhere.
 */
export function signInWithPassword(id, username, password) {
  return call('sign_in_with_password', { id, username, password });
}

/** Queues a sync of these sources (all when `ids` is null). Progress comes as events. */
export function syncNow(ids = null) {
  return call('sync_now', { ids });
}

/** Loads the demo café into a database of its own and opens it; resolves to the core's DemoSummary. */
export function loadDemo() {
  return call('load_demo');
}

/** Whether the demo is open instead of the owner's database: { active }. */
export function demoState() {
  return call('demo_state');
}

/** Reopens the owner's own database after the demo; resolves to { active: false }. */
export function leaveDemo() {
  return call('leave_demo');
}

/**
 * Shows the native file dialog (a folder picker with `folder`: an unpacked Takeout, a folder of
 * Play CSVs); resolves to a path, or null when the owner cancelled.
 */
export function chooseImportFile({ folder = false } = {}) {
  return call('choose_import_file', { folder });
}

/**
 * What the import dialog shows of a file before importing it: { format, format_label, mappable,
 * headers, rows (the first 5, cells cut short), fields ({ name, label, required, column }: the
 * proposed column of each field), generated_ids, missing }. Headers and cells are the file's own
 * text: untrusted.
 */
export function previewImport(path) {
  return call('preview_import', { path });
}

/** Saves a CSV template to fill in (native save dialog); resolves to its path, or null. */
export function saveImportTemplate() {
  return call('save_import_template');
}

/**
 * Imports a file or folder for a business: a Google Takeout of Google Business Profile, Play
 * Console review CSVs, a Trustpilot export, or Earshot's CSV / JSON Lines (recognised by the
 * core). `location` picks one location of a Takeout. `onProgress({read, total})` is called after
 * each batch. `mapping` ({ field: header or null }) says which column of a CSV holds which field
 * (see previewImport). Resolves to the core's ImportReport (its `format` names what was found).
 */
export async function importFile({
  path, business, platform = null, skipBad = false, location = null, mapping = null,
}, onProgress) {
  const report = (p) => { if (onProgress) onProgress(p); };
  const args = { path, business, platform, skipBad, location, mapping };
  if (!inDesktopApp) {
    return call('import_file', { ...args, onProgress: report });
  }
  const channel = new tauri.core.Channel();
  channel.onmessage = report;
  return call('import_file', { ...args, onProgress: channel });
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

/** Calls `fn(hash)` when the tray or a notification asks to show a review or the alerts. */
export async function onOpenRequest(fn) {
  const f = await backend();
  if (f) return () => {};
  const a = await tauri.event.listen('open-review', (e) => fn(`#review/${e.payload}`));
  const b = await tauri.event.listen('open-alerts', () => fn('#alerts'));
  return () => { a(); b(); };
}

/** Calls `fn(dark)` when the desktop switches between light and dark (desktop app only). */
export async function onAppearanceChanged(fn) {
  if (!inDesktopApp) return () => {};
  return tauri.event.listen('appearance-changed', (e) => fn(Boolean(e.payload?.dark)));
}

/** Sync progress and state: `fn(name, payload)` for 'sync-progress' and 'sync-state'. */
export async function onSync(fn) {
  const f = await backend();
  if (f) return f.listen('sync-progress', (p) => fn('sync-progress', p));
  const a = await tauri.event.listen('sync-progress', (e) => fn('sync-progress', e.payload));
  const b = await tauri.event.listen('sync-state', (e) => fn('sync-state', e.payload));
  return () => { a(); b(); };
}

/**
 * Opens a link in the owner's browser. The shell opens an http(s) link on a host some platform
 * declares for its review pages (or a reserved example domain) straight away; for any other
 * address it asks the owner first, in a native dialog that shows it. Resolves to whether it
 * opened.
 */
export async function openExternal(url) {
  const f = await backend();
  if (f) return f.openUrl(url);
  return call('open_link', { url });
}

// Review requests (issue 29): the "Ask for reviews" screen.

/**
 * Everything the screen shows for `business` (a name): { business, links: [{ platform, label,
 * url, from, rule }], customers: [...], settings, warnings: [{ code, message }], stats }.
 */
export function requestsOverview(business) {
  return call('requests_overview', { business });
}

/** Sets a profile's review link by hand (an https:// address). */
export function setRequestLink(business, platform, url) {
  return call('set_request_link', { business, platform, url });
}

/** The QR code of a profile's link as a PNG `data:` URL. */
export function requestQrPreview(business, platform) {
  return call('request_qr_preview', { business, platform });
}

/** Saves the card (`pdf`) or the code (`png`, `svg`) where the owner picks; null when cancelled. */
export function saveRequestCard(business, platform, kind) {
  return call('save_request_card', { business, platform, kind });
}

/** Asks for the customer list's CSV in the native dialog; null when cancelled. */
export function chooseCustomersFile() {
  return call('choose_customers_file');
}

/** Imports the customer list at `path`: { added, updated }, or a bad_rows error naming lines. */
export function importCustomers(business, path) {
  return call('import_customers', { business, path });
}

/**
 * Asks every eligible customer; `dryRun` only says who and with what words. `via`: 'email',
 * 'sms' or 'mailto'. Resolves to { eligible, sent, failed, skipped, messages, warnings, … }.
 */
export function sendReviewRequests(business, platform, via, dryRun) {
  return call('send_review_requests', { business, platform, via, dryRun });
}

/** Stores { period_days, window_days, subject, body, sms }. */
export function setRequestSettings(settings) {
  return call('set_request_settings', { settings });
}
