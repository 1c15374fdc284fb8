//! The owner's preferences for how the window behaves (not what Earshot does): today whether the
//! one-letter keyboard shortcuts are on.
//!
//! Kept in the database's `settings` table like the notification preferences, so a backup or a
//! move to another computer carries them, and the CLI and the app read the same value. A missing
//! value means the defaults: a preference added later never needs a migration (`#[serde(default)]`).

use serde::{Deserialize, Serialize};

use crate::store::Store;

use super::Result;

/// The `settings` key the preferences live under.
pub const UI_PREFS_KEY: &str = "ui_prefs";

/// How the window behaves for this owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiPrefs {
    /// The inbox's one-letter shortcuts (j, k, r, /). WCAG 2.1.4 asks for a way to turn them off:
    /// speech input types letters, and a stray "r" must not open a reply.
    pub letter_keys: bool,
}

impl Default for UiPrefs {
    fn default() -> Self {
        Self { letter_keys: true }
    }
}

/// The saved preferences, or the defaults when none were saved.
pub fn ui_prefs(store: &Store) -> Result<UiPrefs> {
    Ok(store.setting(UI_PREFS_KEY)?.unwrap_or_default())
}

/// Replaces the saved preferences.
pub fn set_ui_prefs(store: &Store, prefs: &UiPrefs) -> Result<()> {
    Ok(store.set_setting(UI_PREFS_KEY, prefs)?)
}
