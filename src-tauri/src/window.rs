//! The main window's life: built from its `tauri.conf.json` entry at start (unless the app starts
//! in the tray) and on Open, destroyed on close.
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

/// Asks GTK and WebKit to draw without OpenGL, unless the owner's environment already says
/// otherwise. Earshot's screens are plain documents and small SVG charts, which software drawing
/// handles easily, and GL is the heaviest thing in the app's memory: opening a GL context loads
/// the graphics driver (on machines without a GPU, Mesa's LLVM, 25 MB in each process that does
/// it) into the app and into WebKit's web process. Measured under Xvfb on the 10k benchmark
/// database: the open window's processes fell from 365 MB to 250 MB, and the tray-only app lost
/// the 25 MB. It also sidesteps WebKitGTK's known blank-window problems with some GPU drivers.
/// Must run first in `main`, before any thread exists (changing the environment later is unsound).
pub fn prefer_software_rendering() {
    for (name, value) in [
        // GDK: no GL context in the app's own process (its tray and window frame).
        ("GDK_GL", "disable"),
        // WebKit: no accelerated compositing, so the web process never opens GL either.
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    ] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
}
