//! The main window's life: created from `tauri.conf.json`, destroyed on close, rebuilt on Open.
//!
//! Closing destroys the webview instead of hiding it: WebKit's processes are most of the app's
//! memory and long-lived pages grow, so a tray-resident Earshot should hold none of that
//! (STYLE.md, "Idle memory is WebKit's"). The app itself stays alive in the tray; see `main.rs`.

use tauri::{AppHandle, Manager, Runtime, WebviewWindowBuilder};

/// Label of the one window; also what `capabilities/default.json` grants permissions to.
pub const MAIN: &str = "main";

/// Shows and focuses the main window, creating it again if it was closed.
pub fn open<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(w) = app.get_webview_window(MAIN) {
        w.unminimize()?;
        w.show()?;
        return w.set_focus();
    }
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    let w = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    w.set_focus()
}
