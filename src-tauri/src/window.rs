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
    let builder = WebviewWindowBuilder::from_config(app, &config)?;
    // The page learns the desktop's light or dark preference from the app (appearance.rs).
    #[cfg(target_os = "linux")]
    let builder =
        builder.initialization_script(crate::appearance::page_script(crate::appearance::current()));
    let w = builder.build()?;
    w.set_focus()
}

/// Asks GTK and WebKit for their lightest configuration, unless the owner's environment already
/// says otherwise. Earshot's screens are plain documents and small SVG charts: software drawing and
/// JavaScriptCore's interpreter handle them easily, and what they replace is most of the open
/// window's memory. Measured under Xvfb on the 1M-review benchmark database, release build, the
/// app and its WebKit processes 10 s after the dashboard painted (PSS):
/// - with GL (before any of this): 365 MB on the 10k database;
/// - `GDK_GL` and compositing off: 230.5 MB;
/// - and the DMA-BUF renderer off: 224.5 MB;
/// - and JavaScriptCore's JITs off: ~215 MB. The page's scripts still run in 0.1-0.16 s;
/// - and the render device named: ~198 MB. The app's process opened an EGL display only to ask
///   it which GPU device to hand the web process, and that loaded Mesa and its LLVM (17 MB,
///   mostly relocated tables). The web process still loads them: WebKit aborts without an EGL
///   display there.
///
/// Naming the device has one cost: WebKit's app-side process starts watching the desktop's
/// settings only when it opens that display, so the page would never learn of a dark theme
/// (nor of the desktop's font hinting; the page's own font, Inter, is bundled). The app tells the
/// page the theme itself (appearance.rs).
///
/// - and the speech stand-ins: ~182 MB. WebKit links flite's speech voices, and their tables cost
///   about 5 MB in each of its three processes although Earshot never speaks. build.rs compiles
///   small stand-ins under their names; the app's own process finds them through its RPATH and
///   WebKit's processes through `LD_LIBRARY_PATH`, set here. An installed binary without them
///   loads the real voices, as before.
///
/// Software drawing also sidesteps WebKitGTK's known blank-window problems with some GPU drivers.
/// Must run first in `main`, before any thread exists (changing the environment later is unsound);
/// WebKit's processes inherit the environment, which is how the JSC option reaches the page.
pub fn prefer_light_webkit() {
    for (name, value) in [
        // GDK: no GL context in the app's own process (its tray and window frame).
        ("GDK_GL", "disable"),
        // WebKit: no accelerated compositing, so the page is drawn in software.
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        // Without compositing the DMA-BUF renderer has nothing to share, but being ready cost
        // the app's process 4-6 MB.
        ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
        // The app's process otherwise opens a GL display only to ask it which GPU device node to
        // hand the web process; named here, nothing is asked. The web process finds no GPU buffer
        // device in /dev/null and draws in shared memory, as it does with compositing off anyway.
        ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
        // JavaScriptCore: interpret the page's scripts, never compile them (no JIT memory).
        ("JSC_useJIT", "0"),
    ] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
    if let Some(dir) = speech_standins() {
        let mut path = std::ffi::OsString::from(dir);
        if let Some(owner) = std::env::var_os("LD_LIBRARY_PATH").filter(|p| !p.is_empty()) {
            path.push(":");
            path.push(owner);
        }
        std::env::set_var("LD_LIBRARY_PATH", path);
    }
}

/// The folder of the speech stand-ins build.rs made, where the app's RPATH finds them (next to
/// the binary), if they were made and are there.
fn speech_standins() -> Option<std::path::PathBuf> {
    let relative = option_env!("EARSHOT_SPEECH_STANDINS")?;
    let dir = std::env::current_exe().ok()?.parent()?.join(relative);
    dir.is_dir().then_some(dir)
}
