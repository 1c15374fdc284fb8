// How the window behaves for this owner (the core's UiPrefs, kept in the database): read once at
// start, changed on the Settings screen. Views read `prefs` synchronously.

import * as api from './api.js';

/** The current preferences; the defaults until `loadPrefs` answered. */
export const prefs = { letter_keys: true };

/** Reads the saved preferences; a failure keeps the defaults (the keys stay on). */
export async function loadPrefs() {
  try {
    Object.assign(prefs, await api.uiPrefs());
  } catch { /* the defaults */ }
  return prefs;
}

/** Saves a change; `prefs` follows only once the core has it. */
export async function savePrefs(change) {
  const next = { ...prefs, ...change };
  await api.setUiPrefs(next);
  Object.assign(prefs, next);
  return prefs;
}
