// Drives the real Earshot window through WebDriver (tauri-driver → WebKitWebDriver → the app).
// Run by smoke.sh inside Xvfb and a D-Bus session; the environment carries the paths it prepared.
//
// Each case starts the app on its own database, checks what the owner would see, and saves a
// 1280×800 screenshot. The last line is "smoke: N passed, M failed"; the exit code is non-zero when
// anything failed.

import { createServer } from 'node:http';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import {
  DRIVER_LOG, KEY, Session, startDriver, stopDriver,
} from './webdriver.mjs';
import { a11yCases } from './a11y.mjs';

const env = process.env;

// ---- Cases ----------------------------------------------------------------------------------

const cliStats = JSON.parse(readFileSync(env.SMOKE_STATS, 'utf8'));

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

const kpi = (id) => `const el = document.querySelector('#${id} .kpi-value');
  return el && el.dataset.value !== '' ? el.dataset.value : null;`;

const cases = [
  ['a first run asks the business\'s name, offers the ways in honestly, and the demo opens apart from it', async () => {
    const s = await Session.start(path.join(env.SMOKE_TMP, 'empty.db'));
    try {
      // Step one: the business's name (issue 32).
      await s.waitFor('the welcome screen', "return !!document.querySelector('#welcome #business-name')");
      const { w, h } = await s.screenshot('welcome');
      expect(w === 1280 && h === 800, `welcome screenshot is ${w}×${h}, not 1280×800`);
      await s.type('#business-name', "Joe's Bakery");
      await s.click('#business-name-submit');
      // Step two: the ways in, starting with what needs no account, promising only what is true.
      await s.waitFor('the ways in', "return document.querySelector('#welcome[data-step=ways] #import-file') ? true : null");
      const text = await s.run("return document.getElementById('welcome').innerText");
      expect(text.includes("Joe's Bakery"), `the welcome does not name the business: ${text}`);
      expect(text.includes('Load demo data') && text.includes('Import a file') && text.includes('no account needed'),
        `welcome lacks its choices: ${text}`);
      expect(!/checks them for you/.test(text) && /developer key/.test(text), `the welcome over-promises: ${text}`);
      await s.screenshot('welcome-ways');

      await s.click('#load-demo');
      const count = await s.waitFor('the dashboard after loading the demo', kpi('stat-count'));
      expect(Number(count) === cliStats.count,
        `after Load demo the app shows ${count} reviews; the CLI's demo has ${cliStats.count}`);
      const banner = await s.waitFor('the demo banner', "const b = document.getElementById('demo-banner'); return b && !b.hidden ? b.innerText : null");
      expect(/You are looking at a demo café/.test(banner), `the banner says ${banner}`);
      await s.screenshot('demo-banner');
      // The dashboard says whose it is: the demo café, not "your business" (issue 32).
      const who = await s.run("return document.querySelector('#dashboard .all-time').textContent");
      expect(/demo café/.test(who) && !/Your business/.test(who), `the demo dashboard says ${who}`);
      // Backup and restore would act on the demo's file: in the demo, Settings says to leave it.
      await s.go('#settings');
      await s.waitFor('the data card in the demo', "return !!document.getElementById('data-in-demo')");
      const backupButtons = await s.run("return document.querySelectorAll('#backup-now, .backup-restore').length");
      expect(backupButtons === 0, `in the demo Settings offers ${backupButtons} backup or restore buttons`);
      await s.go('#dashboard');
      await s.waitFor('the demo dashboard again', kpi('stat-count'));
      // The Connect form never offers the demo café's name.
      await s.go('#sources');
      await s.waitFor('the Sources screen in the demo', "return !!document.getElementById('connect-in-demo')");
      await s.go('#dashboard');

      await s.click('#leave-demo');
      await s.waitFor("the owner's own welcome again", "return document.querySelector('#welcome[data-step=ways]') && document.getElementById('demo-banner').hidden ? true : null");
      const mine = await s.run("return document.getElementById('welcome-title').textContent");
      expect(mine.includes("Joe's Bakery"), `after the demo the welcome says ${mine}`);
      await s.go('#sources');
      const prefill = await s.waitFor('the connect form', "const b = document.getElementById('connect-business'); return b ? b.value : null");
      expect(prefill === "Joe's Bakery", `the Connect form offers ${prefill}`);
    } finally {
      await s.end();
    }
    // The owner's database holds their business and nothing of the demo's.
    const { stdout } = await promisify(execFile)(env.SMOKE_CLI, ['--db', path.join(env.SMOKE_TMP, 'empty.db'), 'businesses', 'list', '--json'], { encoding: 'utf8' });
    const names = JSON.parse(stdout).map((b) => b.name);
    expect(names.length === 1 && names[0] === "Joe's Bakery", `the owner's database holds ${names.join(', ')}`);
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
      const look = await pageLook(s);
      expect(look.theme === 'light' && look.light, `a light desktop gets a dark page: ${JSON.stringify(look)}`);
      // WebKit's heavy speech voices are stand-ins (src-tauri/build.rs) that register flite's
      // small one: the page can still list voices, and its process lives on.
      const voices = await s.run(`return new Promise((done) => {
        const names = () => speechSynthesis.getVoices().map((v) => v.name);
        speechSynthesis.onvoiceschanged = () => done(names());
        setTimeout(() => done(names()), 2000);
      })`);
      expect(Array.isArray(voices) && voices.length > 0, `speech voices: ${JSON.stringify(voices)}`);
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
      // The main action (issue 32): "Reply to N customers" leads to exactly those N, unanswered.
      const action = await s.run("return document.getElementById('reply-waiting').textContent");
      const waiting = Number((/^Reply to ([\d,]+) customers?$/.exec(action)?.[1] ?? '').replace(/,/g, ''));
      expect(waiting > 0, `the dashboard's main action reads ${action}`);
      const [actionTop, exportTop] = await s.run(`return [document.getElementById('reply-waiting'), document.getElementById('png-dashboard')]
        .map((el) => el.getBoundingClientRect().top)`);
      expect(actionTop < exportTop, `the main action (${actionTop}) is not above the exports (${exportTop})`);
      await s.click('#reply-waiting');
      const listed = await s.waitFor('the inbox of those waiting', "const c = document.getElementById('inbox-count'); return c && c.dataset.count ? c.dataset.count : null");
      expect(Number(listed) === waiting, `Reply to ${waiting} opens ${listed} reviews`);
      const answered = await s.run("return document.getElementById('filter-answered').value");
      expect(answered === 'no', `the inbox's answered filter is ${answered}`);
    } finally {
      await s.end();
    }
  }],

  ['a database from an older version shows a progress card while it upgrades, then the dashboard', async () => {
    const s = await Session.start(env.SMOKE_OLD_DB);
    try {
      const card = await s.waitFor('the upgrade card', `
        const t = document.querySelector('#overlay:not([hidden]) .progress-title');
        return t ? document.getElementById('overlay').innerText : null;`);
      expect(card.includes('Updating your reviews') && card.includes('300,002 reviews'),
        `upgrade card says: ${card}`);
      await s.screenshot('upgrading');
      const title = await s.waitFor('the dashboard after the upgrade',
        "const t = document.getElementById('dash-title'); return t && t.textContent");
      expect(title === "Joe's Cafe", `after the upgrade the dashboard is about ${title}`);
      const hidden = await s.run("return document.getElementById('overlay').hidden");
      expect(hidden === true, 'the upgrade card stays after the dashboard showed');
    } finally {
      await s.end();
    }
  }],

  ['an import through the shell refreshes the open dashboard by its reviews-changed event', async () => {
    // A copy of the demo: the other cases count the demo's items and must not see these three.
    const s = await Session.start(env.SMOKE_IMPORT_DB);
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

  ['the inbox lists every item in a virtualised list, filters, searches with highlights and opens with the keyboard', async () => {
    const s = await Session.start(env.SMOKE_DEMO_DB);
    try {
      await s.waitFor('the dashboard', kpi('stat-count'));
      await s.go('#inbox');
      const total = Number(await s.waitFor('the inbox count', "const c = document.getElementById('inbox-count'); return c && c.dataset.count"));
      expect(total === cliStats.total_items, `inbox counts ${total} items, the CLI ${cliStats.total_items}`);
      await s.waitFor('rows', "return document.querySelectorAll('.inbox-row[data-id]').length > 5");
      const rows = await s.run("return document.querySelectorAll('.inbox-row').length");
      expect(rows < 60, `${rows} rows are in the DOM for ${total} items: the list is not virtualised`);
      // Scrolling far down loads that page and keeps the DOM small.
      await s.run("const l = document.getElementById('inbox-list'); l.scrollTop = l.scrollHeight / 2; l.dispatchEvent(new Event('scroll'));");
      const mid = Number(await s.waitFor('rows in the middle', "const r = document.querySelector('.inbox-row[data-id]:not(.placeholder)'); return r && Number(r.dataset.index) > 100 ? r.dataset.index : null"));
      expect(mid > 100, `after scrolling the first row is ${mid}`);
      // Stars 1–2: every visible row has one or two stars.
      await s.choose('#filter-stars', 'low');
      const low = Number(await s.waitFor('the filtered count', "const c = document.getElementById('inbox-count').dataset.count; return c !== arguments[0] ? c : null", String(total)));
      expect(low === cliStats.low_items, `1–2 stars: ${low} items, the CLI ${cliStats.low_items}`);
      await s.waitFor('filtered rows', "return document.querySelectorAll('.inbox-row[data-id]').length > 0");
      // A search: matches are highlighted as <mark>, and the text stays text.
      await s.type('#inbox-search', 'staff');
      await s.waitFor('highlighted matches', "return document.querySelectorAll('.inbox-row mark').length > 0");
      const marks = await s.run("return [...document.querySelectorAll('.inbox-row mark')].slice(0, 20).map(m => m.textContent.toLowerCase())");
      expect(marks.every((m) => m === 'staff'), `highlights: ${marks}`);
      await s.screenshot('inbox');
      // The keys belong to the list (issue 32): focusing it selects the first row, j the next,
      // Enter opens it.
      await s.run("document.getElementById('inbox-list').focus()");
      await s.keys('j');
      const id = await s.waitFor('a selected row', "const r = document.querySelector('.inbox-row.selected'); return r && r.dataset.index === '1' && r.dataset.id");
      await s.keys({ key: KEY.enter });
      await s.waitFor('the review', "const r = document.getElementById('review-full'); return r && r.dataset.id === arguments[0]", id);
    } finally {
      await s.end();
    }
  }],

  ['a review opens with the composer: the coach warns as the owner types, and the draft is saved', async () => {
    const s = await Session.start(env.SMOKE_DEMO_DB);
    try {
      await s.waitFor('the dashboard', kpi('stat-count'));
      await s.go(`#review/${cliStats.negative_review}/reply`);
      await s.waitFor('the composer', "return !!document.querySelector('#composer #reply-text')");
      const body = await s.run("return document.getElementById('review-text').textContent");
      expect(body.length > 0, 'the review text is empty');
      await s.run("const t = document.getElementById('reply-text'); t.value = ''; t.dispatchEvent(new Event('input'));");
      await s.type('#reply-text', 'THIS IS NOT OUR FAULT!!! You should have read the menu.');
      const codes = await s.waitFor('the coach', "const c = document.getElementById('coach').dataset.codes; return c && c.includes('shouting') ? c : null");
      for (const code of ['defensive', 'no_apology', 'no_offline_offer']) expect(codes.includes(code), `coach codes: ${codes}`);
      await s.screenshot('review');
      await s.run("const t = document.getElementById('reply-text'); t.value = ''; t.dispatchEvent(new Event('input'));");
      await s.type('#reply-text', 'Thank you for telling us, and I am sorry about the wait. Please write to me so I can make it right.');
      await s.click('#reply-save');
      await s.waitFor('the saved draft', "return document.getElementById('draft-state').textContent.includes('saved')");
      // Away and back: the draft is still there, from the database.
      await s.go('#inbox');
      await s.waitFor('the inbox', "return !!document.getElementById('inbox-count')");
      await s.go(`#review/${cliStats.negative_review}`);
      const draft = await s.waitFor('the draft again', "const t = document.getElementById('reply-text'); return t && t.value.startsWith('Thank you') ? t.value : null");
      expect(draft.includes('make it right'), `draft after reopening: ${draft}`);

      // Draft with AI: an OpenAI-compatible endpoint on 127.0.0.1 answers; the owner edits it.
      const asked = [];
      const ai = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
          asked.push({ url: req.url, auth: req.headers.authorization, body });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Tom, I am sorry about the till. I have spoken to the team.' } }] }));
        });
      });
      await new Promise((r) => ai.listen(0, '127.0.0.1', r));
      try {
        await s.waitFor('AI settings saved', `
          if (!window.__ai) {
            window.__ai = 'pending';
            window.__TAURI__.core.invoke('save_ai_settings', {
              settings: { enabled: true, base_url: arguments[0], model: 'test-model' }, apiKey: 'ai-secret',
            }).then(() => { window.__ai = 'done'; }, (e) => { window.__ai = JSON.stringify(e); });
          }
          return window.__ai === 'pending' ? null : window.__ai;`, `http://127.0.0.1:${ai.address().port}`);
        await s.go('#inbox');
        await s.waitFor('the inbox', "return !!document.getElementById('inbox-count')");
        await s.go(`#review/${cliStats.negative_review}/reply`);
        await s.waitFor('the AI button', "return !!document.getElementById('reply-ai')");
        await s.click('#reply-ai');
        await s.waitFor('the replace question', "return !!document.getElementById('confirm-yes')");
        await s.click('#confirm-yes');
        const text = await s.waitFor('the AI draft', "const t = document.getElementById('reply-text'); return t && t.value.includes('spoken to the team') ? t.value : null");
        expect(text.startsWith('Tom'), `AI draft: ${text}`);
        expect(asked.length === 1 && asked[0].url === '/v1/chat/completions', `AI endpoint saw ${JSON.stringify(asked.map((a) => a.url))}`);
        expect(asked[0].auth === 'Bearer ai-secret', 'the AI key from the secret store was not sent');
        expect(JSON.parse(asked[0].body).model === 'test-model', 'the model was not sent');
        const dbText = readFileSync(env.SMOKE_DEMO_DB);
        expect(!dbText.includes('ai-secret'), 'the AI key is in the database');
      } finally {
        ai.close();
      }
    } finally {
      await s.end();
    }
  }],

  ['a platform is connected on the Sources screen and syncs from a mock server', async () => {
    const requests = [];
    const server = createServer((req, res) => {
      requests.push(req.url);
      const url = new URL(req.url, 'http://127.0.0.1');
      if (url.pathname !== '/v1/business-units/bu-smoke/reviews' || req.headers.apikey !== 'smoke-key') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"message":"Unauthorized"}');
        return;
      }
      const page = Number(url.searchParams.get('page') || '1');
      const at = new Date(Date.now() - 3600e3).toISOString();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        reviews: page === 1 ? [
          { id: 'smoke-tp-1', stars: 4, title: 'Nice', text: '<b>Good</b> buns &amp; coffee', createdAt: at, consumer: { displayName: 'Tess' } },
          { id: 'smoke-tp-2', stars: 2, title: '', text: 'Slow service today.', createdAt: at, consumer: { displayName: 'Uma' } },
        ] : [],
      }));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${server.address().port}`;
    const s = await Session.start(path.join(env.SMOKE_TMP, 'sources.db'));
    try {
      await s.waitFor('the welcome screen', "return !!document.querySelector('#welcome #business-name')");
      await s.type('#business-name', 'Harbour Lane Café');
      await s.click('#business-name-submit');
      await s.waitFor('the ways in', "return !!document.querySelector('#welcome #connect-platform')");
      await s.click('#connect-platform');
      await s.waitFor('the connect form', "return !!document.getElementById('connect-platform')");
      await s.choose('#connect-platform', 'trustpilot');
      await s.waitFor('the Trustpilot fields', "return !!document.getElementById('connect-set-api_key')");
      const help = await s.run("return document.getElementById('connect-help').textContent");
      expect(/API key/i.test(help), `the form does not say where the key comes from: ${help}`);
      const tag = await s.run("return document.querySelector('#connect-help .access-tag').textContent");
      expect(/needs approval/.test(tag), `Trustpilot is tagged ${tag}`);
      await s.screenshot('sources-connect-guide');
      const prefill = await s.run("return document.getElementById('connect-business').value");
      expect(prefill === 'Harbour Lane Café', `the Connect form offers ${prefill}, not the name given first`);
      await s.type('#connect-set-business_unit_id', 'bu-smoke');
      await s.type('#connect-set-api_key', 'smoke-key');
      await s.run("document.querySelector('.advanced').open = true");
      await s.type('#connect-set-base_url', base);
      await s.click('#connect-submit');
      const status = await s.waitFor('the source to sync', "const c = document.querySelector('.source[data-status]'); return c && c.dataset.status !== 'new' ? c.dataset.status : null");
      expect(status === 'ok', `the source's status is ${status}: ${await s.run("return document.getElementById('source-list').innerText")}`);
      const text = await s.run("return document.getElementById('source-list').innerText");
      expect(/2 reviews and posts/.test(text), `the source card says: ${text}`);
      expect(requests.length > 0, 'the mock server saw no request');
      await s.screenshot('sources');
      // The key went to the secret store, not the database.
      const db = readFileSync(path.join(env.SMOKE_TMP, 'sources.db'));
      expect(!db.includes('smoke-key'), 'the API key is in the database file');
    } finally {
      await s.end();
      server.close();
    }
  }],

  ['the Settings screen shows the profile, rules, templates and data location', async () => {
    const s = await Session.start(env.SMOKE_DEMO_DB);
    try {
      await s.waitFor('the dashboard', kpi('stat-count'));
      await s.go('#settings');
      await s.waitFor('the settings', "return document.getElementById('settings') && document.getElementById('settings').innerText.length > 200");
      await s.screenshot('settings');
      await s.run("document.getElementById('channel-kind')?.scrollIntoView({ block: 'center' })");
      await s.screenshot('settings-channels');
      // The background watcher's card asked the shell whether `earshot watch` is installed.
      await s.waitFor('the watcher status', "return !!document.getElementById('watcher-summary')");
      await s.run("document.getElementById('watcher')?.scrollIntoView({ block: 'center' })");
      await s.screenshot('settings-watcher');
    } finally {
      await s.end();
    }
  }],

  ['the owner adds a topic of their own in Settings, and the dashboard counts and trends it', async () => {
    // A copy: the topic must not change what the other cases see in the demo.
    const db = path.join(env.SMOKE_TMP, 'topics.db');
    copyFileSync(env.SMOKE_DEMO_DB, db);
    const s = await Session.start(db);
    try {
      await s.waitFor('the dashboard', kpi('stat-count'));
      await s.waitFor('the empty "Your topics" card', "return !!document.getElementById('own-topics-empty')");
      await s.go('#settings');
      await s.waitFor('the topics card', "const l = document.getElementById('topic-list'); return l && !l.innerText.includes('Loading')");
      await s.type('#topic-name', 'cinnamon buns');
      await s.type('#topic-words', 'cinnamon bun, cinnamon roll');
      await s.click('#topic-save');
      await s.waitFor('the topic listed', "return [...document.querySelectorAll('#topic-list .topic-name')].some((e) => e.textContent === 'cinnamon buns')");
      await s.run("document.getElementById('topics')?.scrollIntoView({ block: 'center' })");
      await s.screenshot('settings-topics');
      await s.go('#dashboard');
      const figures = await s.waitFor('the topic on the dashboard', `const el = document.querySelector('#own-topics .own-topic[data-topic="cinnamon buns"] .own-topic-figures');
        return el ? el.textContent : null`);
      expect(/talked about \d+ times?/.test(figures), `the topic's figures: ${figures}`);
      await s.run("document.getElementById('own-topics')?.scrollIntoView({ block: 'center' })");
      await s.screenshot('dashboard-topics');
    } finally {
      await s.end();
    }
  }],

  ['Ask for reviews shows the link with its QR code, the list as text, a preview with the count, and the figures', async () => {
    const s = await Session.start(env.SMOKE_REQUESTS_DB);
    try {
      await s.waitFor('the dashboard', kpi('stat-count'));
      await s.go('#requests');
      await s.waitFor('the QR code', "const i = document.querySelector('#requests .qr-preview'); return i && i.complete && i.naturalWidth > 0");
      const url = await s.run("return document.querySelector('#requests .request-link-url').textContent");
      expect(url.includes('writereview?placeid='), `the review link reads ${url}`);
      // The customer whose name is markup is listed as text; nothing of it ran.
      const rows = await s.run("return [...document.querySelectorAll('#requests .customers-table tbody tr')].map((r) => r.cells[0].textContent)");
      expect(rows.length === 4, `${rows.length} customers listed`);
      expect(rows.some((n) => n.startsWith('<img')), 'the markup name is not shown as text');
      expect(await s.run("return !document.querySelector('#requests .customers-table img') && !window.__pwned"), 'a name became markup');
      // Two texts were prepared by the CLI: the figures count them.
      const sent = await s.run("return document.querySelector('#request-stats tbody tr td').textContent");
      expect(sent === '2', `requests sent reads ${sent}`);
      // A preview by e-mail: Mallory only (Dana and Lee were asked, Sam opted out).
      await s.run("const v = document.getElementById('send-via'); v.value = 'email'; v.dispatchEvent(new Event('change'))");
      await s.click('#preview-requests');
      const count = await s.waitFor('the preview', "const p = document.querySelector('#send-result .send-count'); return p && p.textContent");
      expect(count.startsWith('1 customer will be asked'), `the preview says ${count}`);
      await s.screenshot('requests');
    } finally {
      await s.end();
    }
  }],

  ['alerts are listed with their reviews, and one is dismissed', async () => {
    const s = await Session.start(env.SMOKE_DEMO_DB);
    try {
      await s.waitFor('the dashboard', kpi('stat-count'));
      await s.go('#alerts');
      const n = Number(await s.waitFor('alerts', "return document.querySelectorAll('#alerts .alert[data-id]').length"));
      expect(n > 0, 'no alerts listed');
      // One review, one card (issues 28 and 32): its "new negative" card turns "unanswered".
      const twice = await s.run(`const seen = new Map();
        for (const a of document.querySelectorAll('#alerts .alert[data-kind="new_negative"], #alerts .alert[data-kind="unanswered"]')) {
          for (const r of a.querySelectorAll('.alert-review[data-review]')) seen.set(r.dataset.review, (seen.get(r.dataset.review) ?? 0) + 1);
        }
        return [...seen].filter(([, k]) => k > 1).map(([r]) => r);`);
      expect(twice.length === 0, `reviews with more than one card: ${twice.join(', ')}`);
      const id = await s.run("return document.querySelector('#alerts .alert[data-state=\"new\"], #alerts .alert[data-state=\"seen\"]').dataset.id");
      await s.screenshot('alerts');
      await s.click(`#alerts .alert[data-id="${id}"] .alert-dismiss`);
      await s.waitFor('the alert dismissed', "const a = document.querySelector(`#alerts .alert[data-id=\"${arguments[0]}\"]`); return a && a.dataset.state === 'dismissed'", id);
    } finally {
      await s.end();
    }
  }],

  ['review text full of HTML and script is shown as text in the inbox and the review, and runs nothing', async () => {
    const s = await Session.start(env.SMOKE_HOSTILE_DB);
    try {
      await s.waitFor('the dashboard', kpi('stat-count'));
      await s.go('#inbox');
      await s.waitFor('the row', "return !!document.querySelector('.inbox-row[data-id]')");
      const rowText = await s.run("return document.querySelector('.inbox-row[data-id]').textContent");
      expect(rowText.includes('<script>') && rowText.includes('<img src=x'), `the row does not show the markup as text: ${rowText}`);
      // A click in the page itself: the list may re-render its rows between a find and a click.
      await s.run("document.querySelector('.inbox-row[data-id]').click()");
      await s.waitFor('the review', "return !!document.getElementById('review-text')");
      const found = await s.run(`return {
        pwned: window.__pwned ?? null,
        elements: document.querySelectorAll('#review script, #review img, .inbox-row img, #review b').length,
        body: document.getElementById('review-text').textContent,
        links: [...document.querySelectorAll('#review a')].map((a) => a.getAttribute('href')),
      }`);
      expect(found.pwned === null, `hostile text ran: window.__pwned = ${found.pwned}`);
      expect(found.elements === 0, `${found.elements} elements were made from review text`);
      expect(found.body.includes('onerror'), `the body lost its text: ${found.body}`);
      expect(!found.links.some((h) => /^javascript:/i.test(h ?? '')), `a javascript: link was rendered: ${found.links}`);
      await s.screenshot('review-hostile');
      // A review whose link only looks like its platform's gets no link at all.
      await s.go('#review/2');
      const lookalike = await s.waitFor('the lookalike review', `
        const t = document.getElementById('review-text');
        if (!t || !t.textContent.includes('see my photos')) return null;
        return [...document.querySelectorAll('#review a')].map((a) => a.getAttribute('href') ?? '');
      `);
      expect(!lookalike.some((h) => h.includes('evil.com')), `a lookalike link was rendered: ${lookalike}`);
    } finally {
      await s.end();
    }
  }],

  ['a reply is composed, saved and posted on Mastodon through the outbox, once, then edited', async () => {
    const posts = [];
    const edits = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/api/v1/timelines/tag/harbourcafe') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify([{
          id: '7001', url: 'https://ex.social/@kim/7001', created_at: new Date(Date.now() - 7200e3).toISOString(),
          content: '<p>Waited 40 minutes for a flat white at Harbour Lane <a href="https://ex.social/tags/harbourcafe">#harbourcafe</a></p>',
          spoiler_text: '', account: { acct: 'kim@ex.social', display_name: 'Kim' },
        }]));
        return;
      }
      if (req.method === 'POST' && url.pathname === '/api/v1/statuses') {
        let body = '';
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
          posts.push({ auth: req.headers.authorization, key: req.headers['idempotency-key'], body });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: '7002', url: 'https://ex.social/@cafe/7002' }));
        });
        return;
      }
      if (req.method === 'PUT' && url.pathname === '/api/v1/statuses/7002') {
        let body = '';
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
          edits.push(body);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: '7002', url: 'https://ex.social/@cafe/7002' }));
        });
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${server.address().port}`;
    const db = path.join(env.SMOKE_TMP, 'post.db');
    const cli = (...args) => promisify(execFile)(env.SMOKE_CLI, ['--db', db, ...args], { encoding: 'utf8' });
    await cli('sources', 'add', 'mastodon', '--business', 'Harbour Lane Café', '--set', 'instance=ex.social',
      '--set', 'tag=harbourcafe', '--set', `base_url=${base}`, '--set', 'access_token=owner-token');
    await cli('sync');
    const s = await Session.start(db);
    try {
      await s.waitFor('the dashboard', kpi('stat-count'));
      await s.go('#inbox');
      await s.waitFor('the mention', "return !!document.querySelector('.inbox-row[data-id]')");
      // A click in the page itself: the list may re-render its rows between a find and a click.
      await s.run("document.querySelector('.inbox-row[data-id]').click()");
      await s.waitFor('the composer with Post', "return !!document.getElementById('reply-post')");
      await s.run("const t = document.getElementById('reply-text'); t.value = ''; t.dispatchEvent(new Event('input'));");
      await s.type('#reply-text', 'Kim, I am so sorry about the wait. Please message us so we can make it right.');
      await s.click('#reply-save');
      await s.waitFor('the saved draft', "return document.getElementById('draft-state').textContent.includes('saved')");
      await s.click('#reply-post');
      await s.waitFor('the posted reply in the thread', "return !!document.querySelector('#reply-thread .reply[data-state=\"posted\"]')");
      expect(posts.length === 1, `the platform received ${posts.length} posts`);
      expect(posts[0].auth === 'Bearer owner-token', 'the post was not sent with the owner\'s token');
      const sent = JSON.parse(posts[0].body);
      expect(sent.in_reply_to_id === '7001' && sent.status.includes('so sorry'), `posted ${posts[0].body}`);
      await s.screenshot('review-posted');
      // Edit the posted reply in place: Mastodon updates the status by its id; the old text stays.
      await s.click('#reply-thread .reply-edit-open');
      await s.waitFor('the reply editor', "return !!document.querySelector('#reply-thread .reply-edit-input')");
      await s.run(`const t = document.querySelector('#reply-thread .reply-edit-input');
        t.value = 'Kim, I am so sorry about the wait. We now have a second barista at weekends.';
        t.dispatchEvent(new Event('input'));`);
      await s.click('#reply-thread .reply-edit-save');
      await s.waitFor('the edited reply with its earlier text', `
        const r = document.querySelector('#reply-thread .reply[data-state="posted"]');
        return !!r && r.querySelector('.reply-body').textContent.includes('second barista')
          && !!r.querySelector('.reply-revisions');`);
      expect(edits.length === 1, `the platform received ${edits.length} edits`);
      expect(JSON.parse(edits[0]).status.includes('second barista'), `edited with ${edits[0]}`);
      expect(posts.length === 1, 'the edit posted a second status');
      await s.screenshot('review-edited');
    } finally {
      await s.end();
      server.close();
    }
  }],

  ['Google Business Profile is signed in from the Sources screen (PKCE, loopback) and syncs', async () => {
    const seen = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        seen.push(`${req.method} ${url.pathname}`);
        const json = (status, v) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(v)); };
        if (url.pathname === '/token') {
          const form = new URLSearchParams(body);
          if (form.get('grant_type') === 'authorization_code') {
            if (form.get('code') !== 'smoke-code' || !form.get('code_verifier')) return json(400, { error: 'invalid_grant' });
            return json(200, {
              access_token: 'ya29.smoke', refresh_token: '1//smoke-refresh', expires_in: 3599,
              scope: 'https://www.googleapis.com/auth/business.manage', token_type: 'Bearer',
            });
          }
          if (form.get('refresh_token') !== '1//smoke-refresh') return json(400, { error: 'invalid_grant' });
          return json(200, { access_token: 'ya29.smoke2', expires_in: 3599, token_type: 'Bearer' });
        }
        if (url.pathname === '/v4/accounts/111/locations/222/reviews') {
          if (!String(req.headers.authorization).startsWith('Bearer ya29.')) return json(401, { error: { code: 401, message: 'no' } });
          const at = new Date(Date.now() - 3600e3).toISOString();
          return json(200, { reviews: [{
            reviewId: 'g1', name: 'accounts/111/locations/222/reviews/g1', reviewer: { displayName: 'Gwen' },
            starRating: 'TWO', comment: 'Lukewarm latte and a long wait.', createTime: at, updateTime: at,
          }], totalReviewCount: 1 });
        }
        return json(404, { error: { code: 404, message: 'not found' } });
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${server.address().port}`;
    const db = path.join(env.SMOKE_TMP, 'google.db');
    const cli = (...args) => promisify(execFile)(env.SMOKE_CLI, ['--db', db, ...args], { encoding: 'utf8' });
    await cli('sources', 'add', 'google-business', '--business', 'Harbour Lane Café', '--set', 'account_id=111',
      '--set', 'location_id=222', '--set', 'client_id=cid.apps.googleusercontent.com',
      '--set', 'client_secret=smoke-client-secret', '--set', `base_url=${base}`);
    const s = await Session.start(db);
    try {
      await s.waitFor('the welcome', "return !!document.getElementById('welcome')");
      await s.go('#sources');
      await s.waitFor('the sign-in button', "return !!document.querySelector('.source-sign-in')");
      await s.waitFor('listening for the address', `
        if (!window.__signIn) {
          window.__signIn = 'listening';
          window.__TAURI__.event.listen('google-sign-in-url', (e) => { window.__signIn = e.payload; })
            .then(() => { window.__listening = true; });
        }
        return window.__listening === true;`);
      await s.click('.source-sign-in');
      const consent = new URL(await s.waitFor('the consent address', "return window.__signIn && window.__signIn.startsWith('http') ? window.__signIn : null"));
      expect(consent.searchParams.get('code_challenge_method') === 'S256', `consent address: ${consent}`);
      // The browser: Google redirects to the loopback with the code and the state.
      const redirect = consent.searchParams.get('redirect_uri');
      const back = await fetch(`${redirect}/?code=smoke-code&state=${encodeURIComponent(consent.searchParams.get('state'))}`);
      expect(back.ok, `the loopback answered ${back.status}`);
      const status = await s.waitFor('the source to sync', "const c = document.querySelector('.source[data-status]'); return c && c.dataset.status !== 'new' ? c.dataset.status : null");
      expect(status === 'ok', `after signing in the source is ${status}: ${await s.run("return document.getElementById('source-list').innerText")}`);
      expect(seen.includes('GET /v4/accounts/111/locations/222/reviews'), `requests: ${seen}`);
      const file = readFileSync(db);
      expect(!file.includes('1//smoke-refresh') && !file.includes('smoke-client-secret'), 'a Google secret is in the database');
      await s.screenshot('sources-google');
    } finally {
      await s.end();
      server.close();
    }
  }],

  ['What works for you shows the replies that won customers back, and a review asks its customer to update it', async () => {
    const s = await Session.start(env.SMOKE_DEMO_DB);
    try {
      await s.waitFor('the dashboard', kpi('stat-count'));
      // The dashboard's "Won back by a reply" card links to the view.
      await s.waitFor('the link to What works for you', "return !!document.getElementById('open-effect')");
      await s.click('#open-effect');
      await s.waitFor('What works for you', "return document.querySelector('#effect-habits-table tbody tr') ? true : null");
      const headline = await s.run("return document.getElementById('effect-headline').textContent");
      expect(headline.startsWith(`${cliStats.effect.recovered} of the ${cliStats.effect.answered} unhappy reviews you answered recovered`),
        `the headline says ${headline}; the CLI counts ${JSON.stringify(cliStats.effect)}`);
      const verdict = await s.run("return document.querySelector('tr[data-habit=apology_and_offer] .verdict').textContent");
      expect(verdict === 'Won customers back more often', `apology and offer: ${verdict}`);
      const html = await s.run("return [...document.querySelectorAll('.effect-says li')].some((e) => e.children.length > 0)");
      expect(html === false, 'a sentence holds elements');
      await s.screenshot('effect');
      await s.run("document.querySelector('#effect-lengths').scrollIntoView()");
      await s.screenshot('effect-lower');

      // An answered complaint: ask the customer to update it, by a note sent by hand.
      await s.go(`#review/${cliStats.effect.ask_review}`);
      await s.waitFor('the follow-up panel', "return document.getElementById('follow-up-ask') ? true : null");
      await s.click('#follow-up-ask');
      const text = await s.waitFor('the follow-up form', "const t = document.getElementById('follow-up-text'); return t && t.value ? t.value : null");
      expect(text.includes('would you consider updating your review?'), `the note says ${text}`);
      await s.screenshot('review-follow-up');
      await s.click('#follow-up-copy');
      const status = await s.waitFor('the follow-up remembered', "const p = document.getElementById('follow-up-status'); return p && p.textContent.startsWith('Asked') ? p.textContent : null");
      expect(status.includes('no change to the review since'), `the review says ${status}`);
      await s.screenshot('review-follow-up-asked');
    } finally {
      await s.end();
    }
  }],
];

/** The theme the app told the page (data-theme) and whether the page's background is light. */
/** Whether the page's background is light, in a form `waitFor` can poll. */
const pageIs = (theme) => `const bg = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
  const light = bg[0] + bg[1] + bg[2] > 3 * 128;
  return document.documentElement.dataset.theme === '${theme}' && light === ${theme === 'light'};`;

async function pageLook(s) {
  const [theme, background] = await s.run(
    'return [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]');
  const [r, g, b] = background.match(/\d+/g).map(Number);
  return { theme, background, light: r + g + b > 3 * 128 };
}

cases.push(...a11yCases);

// The desktop switches between light and dark while the app runs: GTK hears it from an XSETTINGS
// daemon (as from a desktop's settings daemon) and the app tells the page (appearance.rs).
cases.push(['the page follows the desktop from light to dark and back while it runs', async () => {
  const conf = path.join(env.SMOKE_TMP, 'xsettingsd.conf');
  const theme = (name) => writeFileSync(conf, `Net/ThemeName "${name}"\n`);
  theme('Adwaita');
  const daemon = spawn('xsettingsd', ['-c', conf], { stdio: 'ignore' });
  const started = new Promise((ok, fail) => { daemon.on('spawn', ok); daemon.on('error', fail); });
  try {
    await started.catch((e) => { throw new Error(`xsettingsd (make setup installs it): ${e.message}`); });
    const s = await Session.start(env.SMOKE_DEMO_DB);
    try {
      await s.waitFor('the dashboard figures', kpi('stat-count'));
      await s.waitFor('a light page', pageIs('light'));
      theme('Adwaita-dark');
      daemon.kill('SIGHUP');
      await s.waitFor('the page to turn dark', pageIs('dark'));
      await s.screenshot('dashboard-turned-dark');
      theme('Adwaita');
      daemon.kill('SIGHUP');
      await s.waitFor('the page to turn light again', pageIs('light'));
    } finally {
      await s.end();
    }
  } finally {
    daemon.kill();
  }
}]);

// Cases that need the app started with another environment (a new tauri-driver).
const darkCases = [
  ['with a dark system theme the dashboard is dark', async () => {
    const s = await Session.start(env.SMOKE_DEMO_DB);
    try {
      await s.waitFor('the dashboard figures', kpi('stat-count'));
      const look = await pageLook(s);
      expect(look.theme === 'dark' && !look.light, `the page is not dark: ${JSON.stringify(look)}`);
      await s.screenshot('dashboard-dark');
    } finally {
      await s.end();
    }
  }],
];

// SMOKE_ONLY=regex runs the matching cases only (for working on one screen).
const only = env.SMOKE_ONLY ? new RegExp(env.SMOKE_ONLY, 'i') : null;

async function runCases(list) {
  for (const [name, fn] of list) {
    if (only && !only.test(name)) continue;
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
  // GTK's dark variant is what a desktop's dark mode sets; the app tells the page (appearance.rs).
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
