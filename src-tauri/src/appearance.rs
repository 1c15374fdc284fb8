//! The desktop's light or dark preference, handed to the page.
//!
//! WebKit would tell the page itself, through `prefers-color-scheme`, but its app-side process
//! starts watching the desktop's settings only when it opens a GL display, and the app no longer
//! lets it (window.rs, `prefer_light_webkit`: that display is what loaded Mesa's 17 MB into the
//! app). So the app reads the preference itself, by the rule WebKitGTK uses, and the page takes
//! it from `data-theme` on its root element: set before the page's first paint by an
//! initialization script, and changed live by the `appearance-changed` event. Elsewhere (macOS,
//! Windows) the webview reports the preference itself and the page follows the media query.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

/// The event the page listens to when the desktop switches between light and dark.
pub const CHANGED: &str = "appearance-changed";

/// What the page is told: `{ "dark": true }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Appearance {
    pub dark: bool,
}

/// WebKitGTK's rule, so the page looks as it did when WebKit decided: the application prefers a
/// dark theme (tao sets this from the desktop portal's colour scheme), or the GTK theme's name
/// ends in `-dark` (Adwaita-dark), or `GTK_THEME` asks for the dark variant (`Adwaita:dark`).
pub fn is_dark(prefer_dark: bool, theme_name: Option<&str>, gtk_theme_env: Option<&str>) -> bool {
    let ends_with =
        |s: Option<&str>, suffix: &str| s.is_some_and(|s| s.to_ascii_lowercase().ends_with(suffix));
    prefer_dark || ends_with(theme_name, "-dark") || ends_with(gtk_theme_env, ":dark")
}

/// The script that marks the page's root element before anything is drawn. The root may not
/// exist yet when WebKit runs it (at the document's start), so it waits for it if need be.
pub fn page_script(appearance: Appearance) -> String {
    let theme = if appearance.dark { "dark" } else { "light" };
    format!(
        r#"(() => {{
  const mark = () => {{ document.documentElement.dataset.theme = "{theme}"; }};
  if (document.documentElement) return mark();
  new MutationObserver((_, seen) => {{
    if (document.documentElement) {{ mark(); seen.disconnect(); }}
  }}).observe(document, {{ childList: true }});
}})();"#
    )
}

/// The desktop's preference now. GTK's settings belong to the main thread.
#[cfg(target_os = "linux")]
pub fn current() -> Appearance {
    use gtk::prelude::GtkSettingsExt;
    let env = std::env::var("GTK_THEME").ok();
    let (prefer_dark, theme_name) = match gtk::Settings::default() {
        Some(s) => (
            s.is_gtk_application_prefer_dark_theme(),
            s.gtk_theme_name().map(|n| n.to_string()),
        ),
        None => (false, None),
    };
    Appearance {
        dark: is_dark(prefer_dark, theme_name.as_deref(), env.as_deref()),
    }
}

/// Tells the page whenever the desktop switches: GTK reports a new theme name or dark
/// preference (tao forwards the portal's colour scheme into the latter). Main thread, once.
#[cfg(target_os = "linux")]
pub fn watch<R: Runtime>(app: &AppHandle<R>) {
    use gtk::prelude::GtkSettingsExt;
    let Some(settings) = gtk::Settings::default() else {
        return;
    };
    let tell = {
        let app = app.clone();
        move || {
            // No window (the app lives in the tray): nobody to tell, and the next window's
            // initialization script reads the preference afresh.
            let _ = app.emit(CHANGED, current());
        }
    };
    let on_name = tell.clone();
    settings.connect_gtk_theme_name_notify(move |_| on_name());
    settings.connect_gtk_application_prefer_dark_theme_notify(move |_| tell());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_when_the_application_prefers_it() {
        assert!(is_dark(true, Some("Adwaita"), None));
    }

    #[test]
    fn dark_when_the_theme_is_a_dark_variant() {
        assert!(is_dark(false, Some("Adwaita-dark"), None));
        assert!(is_dark(false, Some("Yaru-Dark"), None));
        assert!(is_dark(false, Some("Adwaita"), Some("Adwaita:dark")));
    }

    #[test]
    fn light_otherwise() {
        assert!(!is_dark(false, Some("Adwaita"), None));
        assert!(!is_dark(false, None, None));
        // A theme whose name merely contains "dark" is not its dark variant.
        assert!(!is_dark(false, Some("Darkish-Blue"), Some("Darkroom")));
    }

    #[test]
    fn the_script_marks_the_root_with_the_theme() {
        assert!(page_script(Appearance { dark: true }).contains(r#"dataset.theme = "dark""#));
        assert!(page_script(Appearance { dark: false }).contains(r#"dataset.theme = "light""#));
    }

    /// Runs the script in Node against a stand-in document, as WebKit runs it at the document's
    /// start: with the root there already, and before it exists (the observer's path), which the
    /// window's end-to-end tests never reach. Node is there wherever `make test` runs (the UI's
    /// tests need it).
    #[test]
    fn the_script_marks_the_root_also_when_it_runs_before_the_root_exists() {
        let script = page_script(Appearance { dark: true });
        let harness = format!(
            r#"
            let watching = null;
            globalThis.MutationObserver = class {{
              constructor(seen) {{ this.seen = seen; watching = this; }}
              observe(target, what) {{ this.target = target; this.what = what; }}
              disconnect() {{ this.stopped = true; }}
            }};
            const check = (ok, what) => {{ if (!ok) {{ console.error(what); process.exit(1); }} }};

            globalThis.document = {{ documentElement: {{ dataset: {{}} }} }};
            {script}
            check(document.documentElement.dataset.theme === "dark", "root present: not marked");
            check(watching === null, "root present: an observer was started");

            globalThis.document = {{ documentElement: null }};
            {script}
            check(watching && watching.target === document && watching.what.childList,
              "no root: nothing watches the document");
            watching.seen([], watching);
            check(!watching.stopped, "no root yet: the observer stopped early");
            document.documentElement = {{ dataset: {{}} }};
            watching.seen([], watching);
            check(document.documentElement.dataset.theme === "dark", "root added: not marked");
            check(watching.stopped, "root added: the observer goes on");
            "#
        );
        let out = std::process::Command::new("node")
            .args(["-e", &harness])
            .output()
            .expect("node runs (make setup installs it)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
