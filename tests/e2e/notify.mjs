// A mock Trustpilot on 127.0.0.1, a source pointing at it, the real app syncing in the
// background: one new 1-star review must give exactly one notification and an unread tray. Then the
// window is closed: the app restarts itself in the tray and still notifies the next complaint.
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, exit } from 'node:process';
import { argsOf, webkitChildren } from './procs.mjs';

const TMP = env.NOTIFY_TMP;
const DB = join(TMP, 'notify.db');
const LOG = join(TMP, 'notifications.jsonl');

const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const review = (id, stars, text, at) => ({
  id, stars, title: '', text, createdAt: iso(at), consumer: { displayName: `Customer ${id}` },
});
const old = review('tp-old', 5, 'Lovely cinnamon buns and friendly staff.', new Date(Date.now() - 20 * 86400e3));
const fresh = review('tp-new', 1, 'Cold coffee, rude staff and a forty minute wait. Never again.', new Date());
let reviews = [old];

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname !== '/v1/business-units/bu-1/reviews') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"message":"not found"}');
    return;
  }
  const page = Number(url.searchParams.get('page') || '1');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ reviews: page === 1 ? reviews : [] }));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

// Async: the mock server lives in this process and must keep answering while the CLI runs.
const run = promisify(execFile);
const cli = async (...args) => (await run(env.NOTIFY_CLI, ['--db', DB, ...args], { encoding: 'utf8' })).stdout;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const lines = () => (existsSync(LOG) ? readFileSync(LOG, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

let app = null;
let failed = false;
function check(ok, what) {
  console.log(`notify: ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failed = true;
}

try {
  await cli('sources', 'add', 'trustpilot', '--business', 'Harbour Lane Café',
    '--set', 'business_unit_id=bu-1', '--set', 'api_key=test-key', '--set', `base_url=${base}`);
  await cli('sync');
  // The first check reads the history; from here on only news raises alerts.
  await cli('alerts', 'check');

  // A new complaint arrives, and the source is due now.
  reviews = [fresh, old];
  await run('sqlite3', [DB, 'UPDATE sources SET next_sync_at = 0']);

  app = spawn(env.NOTIFY_APP, ['--db', DB], {
    env: { ...env, EARSHOT_NOTIFY_LOG: LOG, EARSHOT_SYNC_TICK_SECS: '2' },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const deadline = Date.now() + 90e3;
  while (!lines().some((l) => l.notification) && Date.now() < deadline) await sleep(250);
  // Several more rounds run meanwhile; none may notify again.
  await sleep(7000);

  const shown = lines().filter((l) => l.notification).map((l) => l.notification);
  check(shown.length === 1, `exactly one notification (got ${shown.length}: ${JSON.stringify(shown)})`);
  if (shown.length) {
    check(/forty minute wait/.test(shown[0].body) || /1★|1 star|Customer tp-new/i.test(`${shown[0].title} ${shown[0].body}`),
      `the notification is about the new review: ${JSON.stringify(shown[0])}`);
    const id = JSON.parse(await cli('reviews', '--business', 'Harbour Lane Café', '--json')).find((r) => r.external_id === 'tp-new')?.id;
    check(shown[0].review_id === id, `clicking it opens review ${id} (review_id ${shown[0].review_id})`);
  }
  const tray = lines().filter((l) => 'tray_unread' in l).map((l) => l.tray_unread);
  check(tray.length > 0 && tray[tray.length - 1] >= 1, `the tray shows unread alerts (${JSON.stringify(tray)})`);

  // Closing the window: the app restarts itself in the tray (relaunch.rs): the same process, now
  // started with --minimized and without WebKit's processes, and it goes on listening.
  const closer = await run('python3', [new URL('./close-window.py', import.meta.url).pathname, 'Earshot'])
    .then(() => true, () => false);
  check(closer, 'the window closes as a window manager closes it');
  const inTray = () => argsOf(app.pid).includes('--minimized') && webkitChildren(app.pid).length === 0;
  const closedBy = Date.now() + 30e3;
  while (!inTray() && Date.now() < closedBy) await sleep(250);
  check(inTray(), `the app lives on in the tray as the same process, with no WebKit process (children: ${JSON.stringify(webkitChildren(app.pid))})`);

  const later = review('tp-later', 1, 'Burnt toast and nobody said sorry.', new Date());
  reviews = [later, fresh, old];
  await run('sqlite3', [DB, 'UPDATE sources SET next_sync_at = 0']);
  const about = (n) => /Burnt toast/.test(`${n.title} ${n.body}`);
  const heardBy = Date.now() + 60e3;
  while (!lines().some((l) => l.notification && about(l.notification)) && Date.now() < heardBy) await sleep(250);
  check(lines().some((l) => l.notification && about(l.notification)), 'in the tray it still syncs and notifies a new complaint');
} catch (e) {
  check(false, `set-up: ${e.message}`);
} finally {
  if (app) { try { process.kill(-app.pid, 'SIGTERM'); } catch { /* gone */ } }
  server.close();
}
exit(failed ? 1 : 0);
