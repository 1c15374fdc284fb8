// Boots the UI and keeps the current view in step with the database.
//
// Screens are routes: `#dashboard`, `#inbox`, `#review/123`, `#alerts`, `#sources`, `#requests`,
// `#settings`.
// Each route's module exports `render(param, ctx)`, which loads what it needs and resolves to one
// element; app.js mounts it, shows errors in plain words and re-renders when a sync or import lands
// (`reviews-changed`), except on screens where the owner is typing (`live: false`).
//
// Arriving on a screen moves focus to its heading and names the window after it; drawing the same
// screen again (a sync landed, Mark seen) gives focus back to where it was, never to the page
// (issue 32, WCAG 2.4.3 and 2.4.2).

import * as api from './api.js';
import { h, mount } from './dom.js';
import { welcomeView } from './views/welcome.js';
import { dashboardView } from './views/dashboard.js';
import { clearResultNotice, showNotice } from './components/notice.js';
import { focusSnapshot, restoreFocus, screenTitle } from './a11y-logic.js';
import { loadPrefs } from './prefs.js';
import { parseRoute } from './route.js';
import { filterFromChoices } from './inbox-logic.js';
import { followDesktopTheme } from './theme.js';
import { setLinkHosts, upgradeMessage } from './format.js';

// Milestones of the first screen, for `make bench` (ms since the page began): every module
// loaded and run, the dashboard's data back from the core.
globalThis.__earshotMarks = { scripts: performance.now() };

const state = {
  route: 'dashboard',
  param: '',
  businessId: null,
  period: 30,
  // Whether the demo café is open instead of the owner's database (issue 32): a banner says so.
  demo: false,
  // True until the current route's screen has been drawn once: focus then goes to its heading.
  arrived: true,
};

// The other screens load when first shown: the first paint (the dashboard, or the welcome) then
// waits for half the scripts it used to (make bench: first_paint_s). Loaded once, kept.
const inbox = () => import('./views/inbox.js');
const later = (load) => async (param, c) => (await load()).render(param, c);

const ROUTES = new Map([
  ['dashboard', { label: 'Dashboard', icon: '◧', render: renderDashboard }],
  ['inbox', { label: 'Inbox', icon: '✉', render: later(inbox) }],
  ['review', {
    nav: false, live: false, render: later(() => import('./views/review.js')), navAs: 'inbox',
  }],
  ['effect', {
    nav: false, render: later(() => import('./views/effect.js')), navAs: 'dashboard',
  }],
  ['alerts', { label: 'Alerts', icon: '⚑', render: later(() => import('./views/alerts.js')) }],
  ['sources', { label: 'Review sites', icon: '⇅', render: later(() => import('./views/sources.js')) }],
  ['requests', {
    label: 'Ask for reviews', icon: '★', live: false,
    render: later(() => import('./views/requests.js')),
  }],
  ['settings', {
    label: 'Settings', icon: '⚙', live: false, render: later(() => import('./views/settings.js')),
  }],
]);

/** What views get besides their parameter: navigation, refresh and the shared state. */
const ctx = {
  navigate(hash) { location.hash = hash; },
  refresh: () => refresh(),
  get businessId() { return state.businessId; },
  set businessId(id) { state.businessId = id; },
  get inDemo() { return state.demo; },
  setBadge(key, n) { badges.set(key, n); renderNav(); },
};

const badges = new Map();

async function renderDashboard() {
  let d;
  try {
    d = await api.dashboard(state.businessId, state.period);
    globalThis.__earshotMarks.dashboard_data ??= performance.now();
  } catch (e) {
    // The chosen business may have gone (a new database); fall back to the owner's own once.
    if (e.code !== 'unknown_business' || state.businessId === null) throw e;
    state.businessId = null;
    d = await api.dashboard(null, state.period);
  }
  if (!d || d.empty || !d.business || !d.stats) {
    // The ways in name the platforms that need no account; without the list they still read true.
    const specs = await api.sourcePlatforms().catch(() => []);
    return welcomeView(d, { refresh: () => refresh(), specs });
  }
  // The main action's number: who of the period still waits for a reply (the owner's business
  // only; nobody answers a competitor's reviews). Unknown, the button still offers the list.
  const waitingChoices = { business: String(d.business.id), from: d.overview?.from ?? '', answered: 'no' };
  const waiting = d.business.is_competitor ? null
    : await api.countReviews(filterFromChoices(waitingChoices)).catch(() => undefined);
  return dashboardView(d, {
    waiting,
    inDemo: state.demo,
    onPickBusiness: (id) => { state.businessId = id; refresh(); },
    onPickPeriod: (days) => { state.period = days; refresh(); },
    period: state.period,
    onOpenReviews: async (filter) => (await inbox()).openWith(filter, ctx),
  });
}

function renderNav() {
  const nav = document.getElementById('nav');
  const current = ROUTES.get(state.route)?.navAs ?? state.route;
  mount(nav, [...ROUTES].filter(([, r]) => r.nav !== false).map(([key, r]) => {
    const badge = badges.get(key);
    return h('li', null,
      h('a', {
        href: `#${key}`,
        id: `nav-${key}`,
        class: key === current ? 'nav-item active' : 'nav-item',
        'aria-current': key === current ? 'page' : null,
      }, h('span', { class: 'nav-icon', 'aria-hidden': 'true' }, r.icon), r.label,
      // The number is seen; "3 new" is heard (aria-label is not allowed on a plain span).
      badge ? h('span', { class: 'nav-badge' }, h('span', { 'aria-hidden': 'true' }, String(badge)),
        h('span', { class: 'sr-only' }, `, ${badge} new`)) : null));
  }));
}

/**
 * Asks the shell whether the demo is open and shows or hides its banner. The open database
 * changed when the answer did: a business picked in the other one means nothing here.
 */
async function syncDemo() {
  let active = false;
  try {
    active = Boolean((await api.demoState()).active);
  } catch { /* unknown: no banner rather than a false one */ }
  if (active !== state.demo) {
    state.demo = active;
    state.businessId = null;
  }
  renderDemoBanner();
}

/** The demo's banner: permanent while the demo is open, with the way out. */
function renderDemoBanner() {
  const slot = document.getElementById('demo-banner');
  if (!slot) return;
  slot.hidden = !state.demo;
  mount(slot, state.demo ? [
    h('p', { class: 'demo-banner-text' },
      h('strong', null, 'You are looking at a demo café.'),
      ' Its reviews are made up and kept apart from your own data.'),
    h('button', { id: 'leave-demo', class: 'btn btn-primary', type: 'button', onclick: leaveDemo }, 'Leave the demo'),
  ] : []);
}

/** Reopens the owner's own database (empty or not) and shows its first screen. */
async function leaveDemo() {
  try {
    await api.leaveDemo();
  } catch (e) {
    showNotice(`Earshot could not leave the demo. ${e.message}`, { kind: 'error' });
    return;
  }
  state.demo = false;
  state.businessId = null;
  renderDemoBanner();
  state.arrived = true;
  if (state.route === 'dashboard') {
    await refresh();
  } else {
    // Arriving on another screen clears result notices: say it once the dashboard is on its way.
    const arrived = new Promise((r) => window.addEventListener('hashchange', r, { once: true }));
    location.hash = '#dashboard';
    await arrived;
  }
  showNotice('You left the demo: this is your own data.');
}

function errorView(e) {
  // On a team database a screen not built for it yet says so, and offers the way back.
  if (e.code === 'not_on_team_database') {
    return h('section', { class: 'welcome problem', id: 'not-on-team', role: 'alert' },
      h('h1', null, 'Not on a team database yet'),
      h('p', { class: 'lead' }, e.message),
      h('a', { class: 'btn btn-primary', href: '#settings' }, 'Open Settings'));
  }
  const hint = e.code === 'schema_too_new'
    ? 'Install the latest Earshot to open it. Your data was not changed.'
    : 'Your data was not changed. If this keeps happening, note the message above and restart Earshot.';
  return h('section', { class: 'welcome problem', role: 'alert' },
    h('h1', null, 'Earshot cannot show this screen'),
    h('p', { class: 'lead' }, e.message),
    h('p', { class: 'muted' }, hint),
    h('button', { class: 'btn btn-primary', type: 'button', onclick: () => refresh() }, 'Try again'));
}

let refreshing = null;
let again = false;

/** Renders the current route anew; calls during a render coalesce into one more. */
export async function refresh() {
  if (refreshing) { again = true; return refreshing; }
  const view = document.getElementById('view');
  const route = ROUTES.get(state.route) ?? ROUTES.get('dashboard');
  refreshing = (async () => {
    // Focus as the redraw starts: a view may move a kept element (the Sources form) into its new
    // tree while it renders, and focus leaves it then.
    const before = focusSnapshot(document.activeElement, view);
    view.setAttribute('aria-busy', 'true');
    try {
      const el = await route.render(state.param, ctx);
      // Where focus and the scroll were just before the old view goes.
      const arriving = state.arrived;
      state.arrived = false;
      const main = document.getElementById('main');
      const snap = focusSnapshot(document.activeElement, view) ?? before;
      const scroll = main?.scrollTop ?? 0;
      const screenBefore = view.firstElementChild?.id;
      mount(view, el);
      // Another screen on the same route (the welcome gives way to the dashboard) is an arrival.
      settleFocus(view, { arriving: arriving || screenBefore !== view.firstElementChild?.id, snap });
      if (!arriving && main) main.scrollTop = scroll;
      globalThis.__earshotMarks.mounted ??= performance.now();
      // The first screen's paint time, for `make bench` (performance.now() is since the page began).
      if (globalThis.__earshotFirstPaint === undefined) {
        requestAnimationFrame(() => { globalThis.__earshotFirstPaint ??= performance.now(); });
      }
    } catch (e) {
      mount(view, errorView(api.toApiError(e)));
      settleFocus(view, { arriving: true, snap: null });
    } finally {
      view.setAttribute('aria-busy', 'false');
      document.body.dataset.view = view.firstElementChild?.id ?? '';
    }
  })();
  await refreshing;
  refreshing = null;
  if (again) { again = false; await refresh(); }
}

/**
 * After a view is mounted: the window is named after its heading; arriving on the screen focuses
 * the heading (a screen reader reads where the owner is), a redraw gives focus back to the
 * element that had it (or the heading, when that element is gone).
 */
function settleFocus(view, { arriving, snap }) {
  const heading = view.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    document.title = screenTitle(heading.textContent);
  }
  // A screen may name where arriving puts focus instead (the inbox's list, back from a review).
  if (arriving) (view.querySelector('[data-focus-on-arrival]') ?? heading)?.focus({ preventScroll: true });
  else if (snap) {
    restoreFocus(snap, (id) => document.getElementById(id), heading, (el) => document.activeElement === el);
  }
}

function routeFromHash() {
  const { route, param } = parseRoute(location.hash, ROUTES);
  const changed = route !== state.route || param !== state.param;
  state.route = route;
  state.param = param;
  renderNav();
  if (changed) {
    state.arrived = true;
    clearResultNotice();
    document.getElementById('main')?.scrollTo?.(0, 0);
  }
  refresh();
}

async function updateAlertBadge() {
  try {
    const n = await api.unreadAlertCount();
    ctx.setBadge('alerts', n);
  } catch { /* the badge is a nicety; the Alerts screen says what is wrong */ }
}

async function start() {
  const initial = parseRoute(location.hash, ROUTES);
  state.route = initial.route;
  state.param = initial.param;
  renderNav();
  window.addEventListener('hashchange', routeFromHash);
  // Listening starts alongside the first screen rather than before it: each is a round trip to
  // the shell, and the first paint need not wait for them.
  const theme = followDesktopTheme(document.documentElement, (q) => window.matchMedia(q),
    api.onAppearanceChanged);
  const listening = (async () => {
    try {
      await theme;
      await api.onReviewsChanged(async () => {
        updateAlertBadge();
        // The demo opened or closed: the banner and the business shown follow first.
        await syncDemo();
        if (ROUTES.get(state.route)?.live !== false) refresh();
      });
      // The tray and notifications ask for a review or the alerts.
      await api.onOpenRequest((hash) => { location.hash = hash; });
    } catch (e) {
      showNotice(`Live updates are off: ${e.message}`, { kind: 'error' });
    }
  })();
  if (!api.inDesktopApp) showNotice('Browser preview: showing made-up data, nothing is saved.');
  loadPrefs();
  updateAlertBadge();
  syncDemo();
  // Where each platform's review links may go (the core's specs); until they arrive, every link
  // shows its address before it opens.
  api.sourcePlatforms().then(setLinkHosts).catch(() => {});
  const first = refresh();
  // A new version may first upgrade every review (seconds at a million): say so while the first
  // screen waits for it, rather than show a screen that seems stuck. Asked alongside the first
  // screen, so a database with nothing to upgrade paints as soon as before.
  const upgrading = api.pendingUpgrade().then(async (upgrade) => {
    if (!upgrade) return null;
    const { showProgress } = await import('./components/progress.js');
    const { title, detail } = upgradeMessage(upgrade);
    return showProgress(title, detail);
  }).catch(() => null);
  await Promise.all([first, listening]);
  (await upgrading)?.close();
}

start();
