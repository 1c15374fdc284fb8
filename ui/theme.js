// Light or dark, as the desktop prefers. The style sheets key the dark theme on `data-theme` on
// the root element (styles.css).
//
// In the desktop app on Linux the app sets it before the first paint and sends
// `appearance-changed` when the desktop switches: WebKit's own `prefers-color-scheme` never
// learns of a dark desktop there (src-tauri/src/appearance.rs says why). Wherever nobody set it
// (a browser preview, a webview that knows the preference itself) the media query decides.

/** Marks `root` light or dark. */
export function applyTheme(root, dark) {
  root.dataset.theme = dark ? 'dark' : 'light';
}

/**
 * Keeps `root`'s theme in step with the desktop. `matchMedia` is the page's (or a stand-in);
 * `onAppearanceChanged(fn)` calls `fn(dark)` at each switch the app reports and resolves once
 * listening.
 */
export async function followDesktopTheme(root, matchMedia, onAppearanceChanged) {
  if (!root.dataset.theme) {
    const query = matchMedia('(prefers-color-scheme: dark)');
    applyTheme(root, query.matches);
    query.addEventListener('change', (e) => applyTheme(root, e.matches));
  }
  await onAppearanceChanged((dark) => applyTheme(root, dark));
}
