//! The main window's life: built from its `tauri.conf.json` entry at start (unless the app starts
//! in the tray) and on Open, destroyed on close.
//!
//! Closing destroys the webview instead of hiding it: WebKit's processes are most of the app's
//! memory and long-lived pages grow, so a tray-resident Earshot should hold none of that
//! (STYLE.md, "Idle memory is WebKit's"). The app itself stays alive in the tray; see `main.rs`.

use std::ffi::OsString;

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
    let changes = lean_environment(|name| std::env::var_os(name), speech_standins().as_deref());
    let before = changes
        .iter()
        .map(|(name, _)| (*name, std::env::var_os(name)))
        .collect();
    let _ = FIRST_START.set(before);
    for (name, value) in changes {
        std::env::set_var(name, value);
    }
}

/// The variables [`prefer_light_webkit`] changed, with the values they had before (`None`: not
/// set): what a restart in the tray gives back (relaunch.rs), so each start begins from the
/// environment the owner started the app with. Without it every restart put the speech
/// stand-ins in front of `LD_LIBRARY_PATH` once more (issue 33).
static FIRST_START: std::sync::OnceLock<Vec<(&'static str, Option<OsString>)>> =
    std::sync::OnceLock::new();

/// The environment as it was when this process started, for the variables Earshot set.
pub fn first_start_environment() -> &'static [(&'static str, Option<OsString>)] {
    FIRST_START.get().map_or(&[], Vec::as_slice)
}

/// Gives `command` the environment the app was first started with, for every variable in
/// `first` (see [`first_start_environment`]).
pub fn restore_environment(
    command: &mut std::process::Command,
    first: &[(&'static str, Option<OsString>)],
) {
    for (name, value) in first {
        match value {
            Some(v) => command.env(name, v),
            None => command.env_remove(name),
        };
    }
}

/// What to set, given the environment (`get`) and the stand-ins' folder: each lean setting the
/// owner's environment does not already make, and `LD_LIBRARY_PATH` with the stand-ins in front
/// of the owner's own. Pure, so the restart's round trip is tested without touching the
/// process's environment.
fn lean_environment(
    get: impl Fn(&str) -> Option<OsString>,
    standins: Option<&std::path::Path>,
) -> Vec<(&'static str, OsString)> {
    let mut out: Vec<(&'static str, OsString)> = [
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
    ]
    .into_iter()
    .filter(|(name, _)| get(name).is_none())
    .map(|(name, value)| (name, OsString::from(value)))
    .collect();
    if let Some(dir) = standins {
        let mut path = OsString::from(dir);
        if let Some(owner) = get("LD_LIBRARY_PATH").filter(|p| !p.is_empty()) {
            path.push(":");
            path.push(owner);
        }
        out.push(("LD_LIBRARY_PATH", path));
    }
    out
}

/// The folder of the speech stand-ins build.rs made, where the app's RPATH finds them (next to
/// the binary), if they were made and are there.
fn speech_standins() -> Option<std::path::PathBuf> {
    let relative = option_env!("EARSHOT_SPEECH_STANDINS")?;
    let dir = std::env::current_exe().ok()?.parent()?.join(relative);
    dir.is_dir().then_some(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::Path;

    type Env = BTreeMap<String, OsString>;

    /// What a process started with `env` has after `prefer_light_webkit`, and what it recorded.
    fn start(env: &Env, standins: &Path) -> (Env, Vec<(&'static str, Option<OsString>)>) {
        let changes = lean_environment(|n| env.get(n).cloned(), Some(standins));
        let first = changes
            .iter()
            .map(|(n, _)| (*n, env.get(*n).cloned()))
            .collect();
        let mut after = env.clone();
        for (n, v) in changes {
            after.insert(n.to_string(), v);
        }
        (after, first)
    }

    /// The environment an exec'd `command` gets from a process whose environment is `env`.
    fn exec_env(env: &Env, command: &std::process::Command) -> Env {
        let mut out = env.clone();
        for (n, v) in command.get_envs() {
            let n = n.to_string_lossy().into_owned();
            match v {
                Some(v) => out.insert(n, v.to_owned()),
                None => out.remove(&n),
            };
        }
        out
    }

    #[test]
    fn restarts_in_the_tray_keep_the_environment_of_the_first_start() {
        // Issue 33: each restart prepended the stand-ins to LD_LIBRARY_PATH again.
        let standins = Path::new("/opt/earshot/speech");
        let mut owner = Env::new();
        owner.insert("LD_LIBRARY_PATH".into(), "/home/o/lib".into());
        owner.insert("JSC_useJIT".into(), "1".into());
        let (mut env, first) = start(&owner, standins);
        assert_eq!(env["LD_LIBRARY_PATH"], "/opt/earshot/speech:/home/o/lib");
        assert_eq!(env["JSC_useJIT"], "1", "the owner's own setting is kept");
        for _ in 0..3 {
            let mut command = std::process::Command::new("earshot-desktop");
            restore_environment(&mut command, &first);
            let inherited = exec_env(&env, &command);
            assert_eq!(
                inherited, owner,
                "the new image starts from the owner's environment"
            );
            let (again, first_again) = start(&inherited, standins);
            assert_eq!(again, env);
            assert_eq!(first_again, first);
            env = again;
        }
        assert_eq!(env["LD_LIBRARY_PATH"], "/opt/earshot/speech:/home/o/lib");
        assert!(!owner.contains_key("GDK_GL") && env["GDK_GL"] == "disable");
    }

    #[test]
    fn without_an_owner_library_path_the_stand_ins_are_the_whole_path() {
        let (env, first) = start(&Env::new(), Path::new("/s"));
        assert_eq!(env["LD_LIBRARY_PATH"], "/s");
        assert!(first.iter().all(|(_, v)| v.is_none()));
        let mut command = std::process::Command::new("x");
        restore_environment(&mut command, &first);
        assert!(exec_env(&env, &command).is_empty());
    }
}
