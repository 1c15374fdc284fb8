// The theme follows whoever knows the desktop's preference: the app (data-theme set before the
// page's scripts run, then its appearance-changed events) or else the webview's media query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { followDesktopTheme } from '../theme.js';

function fakeMedia(matches) {
  const listeners = [];
  const query = { matches, addEventListener: (_, fn) => listeners.push(fn) };
  return {
    matchMedia: () => query,
    change: (dark) => { query.matches = dark; listeners.forEach((fn) => fn({ matches: dark })); },
  };
}

function fakeApp() {
  let told = null;
  return {
    onAppearanceChanged: async (fn) => { told = fn; return () => {}; },
    tell: (dark) => told(dark),
  };
}

test('the theme the app set before the scripts ran is kept, and the app switches it', async () => {
  const root = { dataset: { theme: 'dark' } };
  const media = fakeMedia(false);
  const app = fakeApp();
  await followDesktopTheme(root, media.matchMedia, app.onAppearanceChanged);
  assert.equal(root.dataset.theme, 'dark', 'the media query does not override the app');
  app.tell(false);
  assert.equal(root.dataset.theme, 'light');
  app.tell(true);
  assert.equal(root.dataset.theme, 'dark');
});

test('without the app, the media query decides and is followed', async () => {
  const root = { dataset: {} };
  const media = fakeMedia(true);
  await followDesktopTheme(root, media.matchMedia, fakeApp().onAppearanceChanged);
  assert.equal(root.dataset.theme, 'dark');
  media.change(false);
  assert.equal(root.dataset.theme, 'light');
});
