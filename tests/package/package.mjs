// The installed app, driven through WebDriver (tauri-driver → WebKitWebDriver → the app) by
// package-test.sh inside Xvfb and a D-Bus session. Two starts, as an owner makes them:
//   welcome  — the command line of the menu entry's `Exec=` (PACKAGE_EXEC_ARGS, JSON) on an
//              empty home: the welcome screen, and how long the first start took;
//   upgrade  — the same app on a database an earlier version left (PACKAGE_OLD_DB): it upgrades
//              it and shows the dashboard.
// Prints one JSON line of figures; a failed check exits non-zero.

import { performance } from 'node:perf_hooks';
import { Session, startDriver, stopDriver, DRIVER_LOG } from '../e2e/webdriver.mjs';
import { readFileSync } from 'node:fs';

const env = process.env;
const figures = {};

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

async function welcome() {
  const args = JSON.parse(env.PACKAGE_EXEC_ARGS);
  const started = performance.now();
  const s = await Session.start(null, args);
  try {
    await s.waitFor('the welcome screen', "return !!document.querySelector('#welcome #business-name')");
    figures.first_start_ms = Math.round(performance.now() - started);
    const title = await s.run('return document.title');
    expect(/Earshot$/.test(title), `the window is titled ${title}`);
    const { w, h } = await s.screenshot('package-welcome');
    expect(w === 1280 && h === 800, `welcome screenshot is ${w}×${h}, not 1280×800`);
  } finally {
    await s.end();
  }
}

async function upgrade() {
  const started = performance.now();
  const s = await Session.start(env.PACKAGE_OLD_DB);
  try {
    const title = await s.waitFor('the dashboard after the upgrade',
      "const t = document.getElementById('dash-title'); return t && t.textContent");
    figures.upgrade_start_ms = Math.round(performance.now() - started);
    expect(title === "Joe's Cafe", `after the upgrade the dashboard is about ${title}`);
    await s.screenshot('package-upgraded');
  } finally {
    await s.end();
  }
}

let failed = false;
try {
  await startDriver();
  for (const [name, run] of [['welcome', welcome], ['upgrade', upgrade]]) {
    try {
      await run();
      console.log(`package-test: ok   the installed app: ${name}`);
    } catch (e) {
      failed = true;
      console.log(`package-test: FAIL the installed app: ${name}: ${e.message}`);
    }
  }
} finally {
  await stopDriver();
}
if (failed) {
  try { console.log(readFileSync(DRIVER_LOG, 'utf8').split('\n').slice(-30).join('\n')); } catch { /* none */ }
}
console.log(`package-figures: ${JSON.stringify(figures)}`);
process.exit(failed ? 1 : 0);
