// Drives the real Earshot window through WebDriver (tauri-driver → WebKitWebDriver → the app).
// Run by smoke.sh inside Xvfb and a D-Bus session; the environment carries the paths it prepared.
//
// Each case starts the app on its own database, checks what the owner would see, and saves a
// 1280×800 screenshot. The last line is "smoke: N passed, M failed"; the exit code is non-zero when
// anything failed.

import { spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const env = process.env;
const APP = env.SMOKE_APP;
const SHOTS = env.SMOKE_SHOTS;
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
const WAIT_MS = 30_000;
const DRIVER_LOG = path.join(env.SMOKE_TMP, 'tauri-driver.log');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---- tauri-driver ---------------------------------------------------------------------------

let driver = null;
let base = '';

async function startDriver(extraEnv = {}) {
  const port = await freePort();
  const nativePort = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The app's and WebKit's chatter (PipeWire, portals, …) goes to a log, shown only on failure.
  const log = openSync(DRIVER_LOG, 'a');
  driver = spawn(env.SMOKE_TAURI_DRIVER, ['--port', String(port), '--native-port', String(nativePort)], {
    stdio: ['ignore', log, log],
    env: { ...process.env, ...extraEnv },
    detached: true, // its own process group, so cleanup reaches WebKitWebDriver and the app too
  });
  for (let i = 0; i < 100; i += 1) {
    try {
      const r = await fetch(`${base}/status`);
      if (r.ok) return;
    } catch { /* not up yet */ }
    await sleep(100);
  }
  throw new Error('tauri-driver did not start');
}

/** Ends tauri-driver's whole process group; resolves once it has exited (or after 5 s). */
function stopDriver() {
  const d = driver;
  if (!d || d.exitCode !== null || d.signalCode !== null) return Promise.resolve();
  const gone = new Promise((resolve) => {
    d.once('exit', resolve);
    setTimeout(resolve, 5000).unref();
  });
  try { process.kill(-d.pid, 'SIGTERM'); } catch { /* already gone */ }
  return gone;
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { stopDriver(); process.exit(130); });
}
process.on('exit', stopDriver);

// ---- WebDriver ------------------------------------------------------------------------------

async function wd(method, url, body) {
  const r = await fetch(`${base}${url}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) {
    const v = json.value ?? {};
    throw new Error(`WebDriver ${method} ${url}: ${v.error ?? r.status} ${v.message ?? ''}`.trim());
  }
  return json.value;
}

class Session {
  static async start(dbPath) {
    const caps = {
      capabilities: {
        alwaysMatch: { 'tauri:options': { application: APP, args: ['--db', dbPath] } },
      },
    };
    const v = await wd('POST', '/session', caps);
    const s = new Session(v.sessionId);
    await s.resize();
    return s;
  }

  constructor(id) { this.id = id; }

  run(script, ...args) {
    return wd('POST', `/session/${this.id}/execute/sync`, { script, args });
  }

  /** Polls `script` until it returns a truthy value; that value is returned. */
  async waitFor(what, script, ...args) {
    const deadline = Date.now() + WAIT_MS;
    let last;
    while (Date.now() < deadline) {
      try {
        last = await this.run(script, ...args);
        if (last) return last;
      } catch (e) { last = e.message; }
      await sleep(200);
    }
    const text = await this.run('return document.body ? document.body.innerText.slice(0, 600) : ""')
      .catch(() => '');
    throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)}); page shows: ${text}`);
  }

  async click(css) {
    const el = await wd('POST', `/session/${this.id}/element`, { using: 'css selector', value: css });
    await wd('POST', `/session/${this.id}/element/${el[ELEMENT]}/click`, {});
  }

  /** Makes the page 1280×800: the window is resized until its viewport has that size. */
  async resize() {
    for (let i = 0; i < 3; i += 1) {
      const [w, h] = await this.run('return [window.innerWidth, window.innerHeight]');
      if (w === 1280 && h === 800) return;
      const rect = await wd('GET', `/session/${this.id}/window/rect`);
      await wd('POST', `/session/${this.id}/window/rect`, {
        width: rect.width + (1280 - w), height: rect.height + (800 - h),
      });
      await sleep(300);
    }
  }

  async screenshot(name) {
    // Let fonts load and two frames paint before the picture: WebKit's snapshot is the last
    // painted frame, which can lag behind the DOM right after a render.
    await wd('POST', `/session/${this.id}/execute/async`, {
      script: `const done = arguments[arguments.length - 1];
        document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));`,
      args: [],
    });
    await sleep(500);
    const b64 = await wd('GET', `/session/${this.id}/screenshot`);
    const file = path.join(SHOTS, `${name}.png`);
    writeFileSync(file, Buffer.from(b64, 'base64'));
    const png = Buffer.from(b64, 'base64');
    const w = png.readUInt32BE(16);
    const h = png.readUInt32BE(20);
    console.log(`smoke:   saved ${path.relative(process.cwd(), file)} (${w}×${h})`);
    return { w, h };
  }

  async end() {
    await wd('DELETE', `/session/${this.id}`).catch(() => {});
  }
}

// ---- Cases ----------------------------------------------------------------------------------

const cliStats = JSON.parse(readFileSync(env.SMOKE_STATS, 'utf8'));

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

const kpi = (id) => `const el = document.querySelector('#${id} .kpi-value');
  return el && el.dataset.value !== '' ? el.dataset.value : null;`;

const cases = [
  ['an empty database opens on the welcome screen, and Load demo data fills the dashboard', async () => {
    const s = await Session.start(path.join(env.SMOKE_TMP, 'empty.db'));
    try {
      await s.waitFor('the welcome screen', "return !!document.querySelector('#welcome #load-demo')");
      const text = await s.run("return document.getElementById('welcome').innerText");
      expect(text.includes('Load demo data') && text.includes('Import a file'),
        `welcome lacks its two choices: ${text}`);
      const { w, h } = await s.screenshot('welcome');
      expect(w === 1280 && h === 800, `welcome screenshot is ${w}×${h}, not 1280×800`);

      await s.click('#load-demo');
      const count = await s.waitFor('the dashboard after loading the demo', kpi('stat-count'));
      expect(Number(count) === cliStats.count,
        `after Load demo the app shows ${count} reviews; the CLI's demo has ${cliStats.count}`);
    } finally {
      await s.end();
    }
  }],

  ['the dashboard shows the numbers `earshot stats --json` reports', async () => {
    const s = await Session.start(env.SMOKE_DEMO_DB);
    try {
      const count = await s.waitFor('the dashboard figures', kpi('stat-count'));
      expect(Number(count) === cliStats.count,
        `dashboard shows ${count} reviews, CLI says ${cliStats.count}`);
      const avg = await s.run(`return document.querySelector('#stat-average .kpi-value').dataset.value`);
      expect(Number(avg) === cliStats.average_rating,
        `dashboard average ${avg}, CLI says ${cliStats.average_rating}`);
      const title = await s.run("return document.getElementById('dash-title').textContent");
      expect(title === cliStats.business, `dashboard is about ${title}, expected ${cliStats.business}`);
      const dist = await s.run("return [...document.querySelectorAll('.dist-count')].map(e => e.textContent.replace(/\\D/g, ''))");
      const want = ['5', '4', '3', '2', '1'].map((k) => String(cliStats.distribution[k]));
      expect(JSON.stringify(dist) === JSON.stringify(want), `distribution ${dist} vs CLI ${want}`);
      const reviews = await s.run("return document.querySelectorAll('#dashboard .review').length");
      expect(reviews > 0, 'no latest reviews are listed');
      const bars = await s.run("return document.querySelectorAll('.chart-monthly .bar').length");
      expect(bars >= 12, `the monthly chart has ${bars} bars`);
      // Review text must be text: no element inside a review body.
      const html = await s.run("return [...document.querySelectorAll('.review-body')].some(e => e.children.length > 0)");
      expect(html === false, 'a review body contains elements');
      const { w, h } = await s.screenshot('dashboard');
      expect(w === 1280 && h === 800, `dashboard screenshot is ${w}×${h}, not 1280×800`);
    } finally {
      await s.end();
    }
  }],

  ['an import through the shell refreshes the open dashboard by its reviews-changed event', async () => {
    const s = await Session.start(env.SMOKE_DEMO_DB);
    try {
      const before = Number(await s.waitFor('the dashboard figures', kpi('stat-count')));
      // The native file dialog cannot be driven here, so the test calls the command the dialog's
      // answer goes to, exactly as ui/actions.js does.
      const report = await s.waitFor('the import', `
        if (!window.__smoke) {
          window.__smoke = { progress: 0 };
          const ch = new window.__TAURI__.core.Channel();
          ch.onmessage = () => { window.__smoke.progress += 1; };
          window.__TAURI__.core.invoke('import_file', {
            path: arguments[0], business: arguments[1], platform: null, skipBad: false, onProgress: ch,
          }).then((r) => { window.__smoke.report = r; }, (e) => { window.__smoke.report = { error: e }; });
        }
        return window.__smoke.report || null;`, env.SMOKE_IMPORT, cliStats.business);
      expect(!report.error, `import failed: ${JSON.stringify(report.error)}`);
      expect(report.new === 3 && report.rejected === 0, `import report ${JSON.stringify(report)}`);
      const after = await s.waitFor('the dashboard to refresh', `
        const el = document.querySelector('#stat-count .kpi-value');
        return el && Number(el.dataset.value) !== arguments[0] ? el.dataset.value : null;`, before);
      expect(Number(after) === before + 3, `after importing 3 rows the count went ${before} → ${after}`);
    } finally {
      await s.end();
    }
  }],
];

// Cases that need the app started with another environment (a new tauri-driver).
const darkCases = [
  ['with a dark system theme the dashboard is dark', async () => {
    const s = await Session.start(env.SMOKE_DEMO_DB);
    try {
      await s.waitFor('the dashboard figures', kpi('stat-count'));
      const dark = await s.run("return matchMedia('(prefers-color-scheme: dark)').matches");
      expect(dark === true, 'the webview does not report prefers-color-scheme: dark');
      await s.screenshot('dashboard-dark');
    } finally {
      await s.end();
    }
  }],
];

async function runCases(list) {
  for (const [name, fn] of list) {
    const t0 = Date.now();
    try {
      await fn();
      passed += 1;
      console.log(`smoke: ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed += 1;
      console.log(`smoke: FAIL ${name}\n         ${e.message}`);
    }
  }
}

let passed = 0;
let failed = 0;
try {
  await startDriver();
  await runCases(cases);
  await stopDriver();
  // GTK's dark variant is what a desktop's dark mode sets; WebKit turns it into the media query.
  await startDriver({ GTK_THEME: 'Adwaita:dark' });
  await runCases(darkCases);
} catch (e) {
  failed += 1;
  console.log(`smoke: FAIL setting up WebDriver: ${e.message}`);
} finally {
  await stopDriver();
}
if (failed > 0) {
  const log = readFileSync(DRIVER_LOG, 'utf8').split('\n').slice(-40).join('\n');
  console.log(`smoke: last lines of the app and driver log:\n${log}`);
}
console.log(`smoke: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
