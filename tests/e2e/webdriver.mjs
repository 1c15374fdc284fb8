// The WebDriver harness shared by the end-to-end tests and the desktop benchmark: tauri-driver
// (→ WebKitWebDriver → the app) on free ports, and a Session that launches the real app on a
// database, runs scripts in it, clicks, types and saves 1280×800 screenshots.
//
// Environment: SMOKE_APP (the app binary), SMOKE_TAURI_DRIVER, SMOKE_TMP (logs), SMOKE_SHOTS;
// WD_TRACE=1 prints every WebDriver request with its time (to find one that hangs).

import { spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const env = process.env;
const APP = env.SMOKE_APP;
const SHOTS = env.SMOKE_SHOTS ?? '.';
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
const WAIT_MS = 30_000;
export const DRIVER_LOG = path.join(env.SMOKE_TMP, 'tauri-driver.log');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** WebDriver's codes for the keys that are not characters. */
export const KEY = {
  tab: '\uE004', enter: '\uE007', shift: '\uE008', ctrl: '\uE009', down: '\uE015', up: '\uE013',
};

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

export async function startDriver(extraEnv = {}) {
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
  // tauri-driver answers /status itself, possibly before the WebKitWebDriver it started listens
  // on the native port, and a session asked for in between would be refused. Ready means both
  // are listening.
  for (let i = 0; i < 300; i += 1) {
    try {
      const r = await fetch(`${base}/status`);
      if (r.ok && await portOpen(nativePort)) return;
    } catch { /* not up yet */ }
    await sleep(100);
  }
  throw new Error('tauri-driver or WebKitWebDriver did not start in 30 s');
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    const done = (open) => { socket.destroy(); resolve(open); };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Ends tauri-driver's whole process group; resolves once it has exited (or after 5 s). */
export function stopDriver() {
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

export async function wd(method, url, body) {
  if (env.WD_TRACE) console.error(`wd> ${method} ${url} ${new Date().toISOString()}`);
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

export class Session {
  /** Starts the app on `dbPath`; `args` replaces its command line (the package test's `Exec=`). */
  static async start(dbPath, args = ['--db', dbPath]) {
    const caps = {
      capabilities: {
        alwaysMatch: { 'tauri:options': { application: APP, args } },
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

  async go(hash) {
    await this.run('location.hash = arguments[0]', hash);
  }

  /** Types into an input as a person would (WebDriver's element/value: real key events). */
  async type(css, text) {
    const el = await wd('POST', `/session/${this.id}/element`, { using: 'css selector', value: css });
    await wd('POST', `/session/${this.id}/element/${el[ELEMENT]}/value`, { text });
  }

  /** Sets a <select> and tells the page, as a pick by the owner would. */
  async choose(css, value) {
    await this.run(`const el = document.querySelector(arguments[0]); el.value = arguments[1];
      el.dispatchEvent(new Event('change', { bubbles: true }));`, css, value);
  }

  /** Runs `script` as an async function body: it calls `arguments[arguments.length - 1](value)`. */
  runAsync(script, ...args) {
    return wd('POST', `/session/${this.id}/execute/async`, { script, args });
  }

  async key(k) {
    await wd('POST', `/session/${this.id}/actions`, {
      actions: [{ type: 'key', id: 'kb', actions: [{ type: 'keyDown', value: k }, { type: 'keyUp', value: k }] }],
    });
  }

  /**
   * Presses keys as a keyboard does (WebDriver key actions, no element targeted): each string is
   * typed character by character; `{ mods: [KEY.ctrl], key: '=' }` is a chord.
   */
  async keys(...seq) {
    const actions = [];
    for (const item of seq) {
      if (typeof item === 'string') {
        for (const ch of item) actions.push({ type: 'keyDown', value: ch }, { type: 'keyUp', value: ch });
      } else {
        for (const m of item.mods ?? []) actions.push({ type: 'keyDown', value: m });
        actions.push({ type: 'keyDown', value: item.key }, { type: 'keyUp', value: item.key });
        for (const m of [...(item.mods ?? [])].reverse()) actions.push({ type: 'keyUp', value: m });
      }
    }
    await wd('POST', `/session/${this.id}/actions`, { actions: [{ type: 'key', id: 'kb', actions }] });
    await wd('DELETE', `/session/${this.id}/actions`).catch(() => {});
  }

  /** The id of the focused element ('' for none or the page). */
  focused() {
    return this.run("const a = document.activeElement; return a && a !== document.body ? (a.id || a.tagName) : ''");
  }

  /**
   * Presses Tab (or Shift+Tab with `back`) until the element with `id` has focus, as a keyboard
   * user would; fails after `max` presses.
   */
  async tabTo(id, { back = false, max = 40 } = {}) {
    for (let i = 0; i < max; i += 1) {
      if (await this.focused() === id) return;
      await this.keys(back ? { mods: [KEY.shift], key: KEY.tab } : { key: KEY.tab });
    }
    throw new Error(`Tab never reached #${id} in ${max} presses (focus on ${await this.focused()})`);
  }

  /** Clicks the first match; a list that re-renders between find and click is found again. */
  async click(css) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const el = await wd('POST', `/session/${this.id}/element`, { using: 'css selector', value: css });
        await wd('POST', `/session/${this.id}/element/${el[ELEMENT]}/click`, {});
        return;
      } catch (e) {
        if (attempt >= 5 || !/stale element/i.test(e.message)) throw e;
        await sleep(100);
      }
    }
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
    // Without accelerated compositing (how the app draws: window.rs), WebKit's snapshot waits for
    // the next paint, and a page at rest never paints again: the request hung for minutes on the
    // static welcome screen. A pixel that changes every frame for a few seconds gives it one.
    await this.run(`const dot = document.createElement('div');
      dot.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;opacity:0.01';
      document.body.append(dot);
      const until = Date.now() + 3000;
      const tick = () => { dot.style.opacity = dot.style.opacity === '0.01' ? '0.02' : '0.01';
        if (Date.now() < until) requestAnimationFrame(tick); else dot.remove(); };
      requestAnimationFrame(tick);`);
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
