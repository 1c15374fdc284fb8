// Boots the UI and keeps the current view in step with the database.
//
// Screens are registered in ROUTES; today there is the first screen (welcome on an empty database,
// else the dashboard). Issue 7 adds inbox, review, alerts, sources and settings the same way: a
// route with a nav label and a `render(state)` that returns an element.

import * as api from './api.js';
import { h, mount } from './dom.js';
import { welcomeView } from './views/welcome.js';
import { dashboardView } from './views/dashboard.js';
import { showNotice } from './components/notice.js';

const state = {
  route: 'dashboard',
  businessId: null,
  data: null,
};

const ROUTES = new Map([
  ['dashboard', { label: 'Dashboard', icon: '◧', load: loadDashboard, render: renderDashboard }],
]);

async function loadDashboard() {
  try {
    state.data = await api.dashboard(state.businessId);
  } catch (e) {
    // The chosen business may have gone (a new database); fall back to the owner's own once.
    if (e.code === 'unknown_business' && state.businessId !== null) {
      state.businessId = null;
      state.data = await api.dashboard(null);
    } else {
      throw e;
    }
  }
}

function renderDashboard() {
  const d = state.data;
  if (!d || d.empty || !d.business || !d.stats) return welcomeView();
  return dashboardView(d, {
    onPickBusiness: (id) => { state.businessId = id; refresh(); },
  });
}

function renderNav() {
  const nav = document.getElementById('nav');
  mount(nav, [...ROUTES].map(([key, r]) => h('li', null,
    h('a', {
      href: `#${key}`,
      class: key === state.route ? 'nav-item active' : 'nav-item',
      'aria-current': key === state.route ? 'page' : null,
    }, h('span', { class: 'nav-icon', 'aria-hidden': 'true' }, r.icon), r.label))));
}

function errorView(e) {
  const hint = e.code === 'schema_too_new'
    ? 'Install the latest Earshot to open it. Your data was not changed.'
    : 'Your data was not changed. If this keeps happening, note the message above and restart Earshot.';
  return h('section', { class: 'welcome problem', role: 'alert' },
    h('h1', null, 'Earshot cannot open your reviews'),
    h('p', { class: 'lead' }, e.message),
    h('p', { class: 'muted' }, hint),
    h('button', { class: 'btn btn-primary', type: 'button', onclick: () => refresh() }, 'Try again'));
}

let refreshing = null;
let again = false;

/** Reloads the current view's data and renders it; calls during a refresh coalesce into one more. */
export async function refresh() {
  if (refreshing) { again = true; return refreshing; }
  const view = document.getElementById('view');
  const route = ROUTES.get(state.route) ?? ROUTES.get('dashboard');
  refreshing = (async () => {
    view.setAttribute('aria-busy', 'true');
    try {
      await route.load();
      mount(view, route.render());
      const where = document.getElementById('db-path');
      mount(where, state.data?.db_path
        ? [h('strong', null, 'Stored on this computer'), state.data.db_path] : []);
    } catch (e) {
      mount(view, errorView(e));
    } finally {
      view.setAttribute('aria-busy', 'false');
      document.body.dataset.view = view.firstElementChild?.id ?? '';
    }
  })();
  await refreshing;
  refreshing = null;
  if (again) { again = false; await refresh(); }
}

function routeFromHash() {
  const key = location.hash.replace(/^#/, '');
  state.route = ROUTES.has(key) ? key : 'dashboard';
  renderNav();
  refresh();
}

async function start() {
  renderNav();
  window.addEventListener('hashchange', routeFromHash);
  try {
    await api.onReviewsChanged(() => refresh());
  } catch (e) {
    showNotice(`Live updates are off: ${e.message}`, { kind: 'error' });
  }
  if (!api.inDesktopApp) showNotice('Browser preview: showing made-up data, nothing is saved.');
  await refresh();
}

start();
