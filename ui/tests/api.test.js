// api.js outside the desktop app: the fake backend answers with the shell's shapes, and errors
// become ApiError with a stable code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../api.js';
import { reset } from '../fake-backend.js';

test('outside Tauri the API uses the fake backend', () => {
  assert.equal(api.inDesktopApp, false);
});

test('an empty database reports empty with no business', async () => {
  reset();
  const d = await api.dashboard();
  assert.equal(d.empty, true);
  assert.equal(d.business, null);
  assert.deepEqual(d.latest, []);
});

test('loading the demo emits one reviews-changed and fills the dashboard', async () => {
  reset();
  const events = [];
  const stop = await api.onReviewsChanged((p) => events.push(p));
  const summary = await api.loadDemo();
  stop();
  assert.equal(events.length, 1);
  const d = await api.dashboard();
  assert.equal(d.empty, false);
  assert.equal(d.business.name, summary.businesses[0]);
  assert.equal(d.stats.count, d.stats.by_month.reduce((s, m) => s + m.count, 0));
  assert.ok(d.latest.length > 0);
  const newest = d.latest.map((r) => r.created_at);
  assert.deepEqual(newest, [...newest].sort().reverse(), 'latest reviews come newest first');
});

test('errors arrive as ApiError with the code', async () => {
  reset();
  await assert.rejects(api.dashboard(99), (e) => e instanceof api.ApiError && e.code === 'unknown_business');
});

test('toApiError keeps shell errors and wraps anything else', () => {
  assert.equal(api.toApiError({ code: 'bad_row', message: 'line 3' }).code, 'bad_row');
  assert.equal(api.toApiError('boom').code, 'internal');
  assert.equal(api.toApiError(new Error('x')).message, 'x');
});

test('alert channels are added, listed and removed through the API', async () => {
  reset();
  assert.deepEqual(await api.listAlertChannels(), []);
  const c = await api.addAlertChannel({ kind: 'ntfy', target: 'https://ntfy.sh/cafe', kinds: ['new_negative'] });
  assert.equal(c.kind, 'ntfy');
  assert.deepEqual((await api.listAlertChannels()).map((x) => x.id), [c.id]);
  await api.testAlertChannel(c.id);
  await api.removeAlertChannel(c.id);
  assert.deepEqual(await api.listAlertChannels(), []);
});

test('the background watcher is installed and removed through the API', async () => {
  reset();
  assert.equal((await api.watcherStatus()).installed, false);
  const on = await api.installWatcher();
  assert.equal(on.installed, true);
  assert.equal(on.running, true);
  assert.equal((await api.uninstallWatcher()).installed, false);
});
