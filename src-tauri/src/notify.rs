//! Desktop notifications sent by the shell itself. The owner often closes the window to the tray
//! while a long import runs; a notification then says it is done. With the window open the UI
//! already shows the result, so nothing is sent (no double news).

use earshot::import::ImportReport;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

pub fn import_finished<R: Runtime>(app: &AppHandle<R>, report: &ImportReport) {
    if app.get_webview_window(crate::window::MAIN).is_some() {
        return;
    }
    let body = format!(
        "{}: {} new, {} updated, {} unchanged, {} rejected.",
        report.business,
        report.counts.new,
        report.counts.updated,
        report.counts.unchanged,
        report.counts.rejected
    );
    // Without a notification daemon the plugin returns Ok and nothing shows; an error here must
    // never turn a finished import into a failure, so it is only logged.
    if let Err(e) = app
        .notification()
        .builder()
        .title("Import finished")
        // On Linux the notification server may render markup; the business name is escaped.
        .body(if cfg!(target_os = "linux") {
            earshot::alerts::notify::escape_markup(&body)
        } else {
            body
        })
        .show()
    {
        eprintln!("earshot-desktop: notification failed: {e}");
    }
}

/// The environment variable naming a file where every alert notification and tray change is
/// also written as a JSON line: the end-to-end test's injectable notifier.
pub const NOTIFY_LOG_VAR: &str = "EARSHOT_NOTIFY_LOG";

/// Shows one alert notification. On Linux it is sent straight to the desktop's notification
/// server with a default action, so clicking it opens the review in the app; elsewhere the
/// plugin shows it.
pub fn alert<R: Runtime>(app: &AppHandle<R>, n: &earshot::alerts::Notification) {
    log_line(&serde_json::json!({
        "notification": { "title": n.title, "body": n.body, "review_id": n.review_id }
    }));
    #[cfg(target_os = "linux")]
    {
        let shown = notify_rust::Notification::new()
            .appname("Earshot")
            .summary(&n.title)
            // The server may render markup in a body; the review's own is escaped.
            .body(&n.body_markup())
            .action("default", "Open")
            .show();
        match shown {
            Ok(handle) => {
                // Its click is heard by this process only: a restart in the tray (relaunch.rs)
                // waits until it is clicked or closed, or for CLICK_HOLD at most.
                let hold = app
                    .state::<crate::state::AppState>()
                    .activity
                    .hold_at_most(CLICK_HOLD);
                let app = app.clone();
                let review = n.review_id;
                // Waits (on its own thread) until the notification is clicked or closed.
                std::thread::spawn(move || {
                    handle.wait_for_action(|action| {
                        if action == "default" {
                            open_from_notification(&app, review);
                        }
                    });
                    hold.release();
                });
            }
            Err(e) => eprintln!("earshot-desktop: notification failed: {e}"),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        if let Err(e) = app
            .notification()
            .builder()
            .title(&n.title)
            .body(&n.body)
            .show()
        {
            eprintln!("earshot-desktop: notification failed: {e}");
        }
    }
}

/// How long a shown notification may hold back a restart in the tray: some notification servers
/// keep notifications in a list without ever reporting them closed.
#[cfg(target_os = "linux")]
const CLICK_HOLD: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Opens the window on the review a notification was about (the alert list when it grouped
/// several).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn open_from_notification<R: Runtime>(
    app: &AppHandle<R>,
    review: Option<earshot::model::ReviewId>,
) {
    use tauri::Emitter;
    if let Err(e) = crate::window::open(app) {
        eprintln!("earshot-desktop: cannot open the window: {e}");
        return;
    }
    match review {
        Some(id) => {
            let _ = app.emit(crate::events::OPEN_REVIEW, id);
        }
        None => {
            let _ = app.emit(crate::events::OPEN_ALERTS, ());
        }
    }
}

/// Records the tray's unread count in the test log.
pub fn tray_unread(unread: i64) {
    log_line(&serde_json::json!({ "tray_unread": unread }));
}

fn log_line(v: &serde_json::Value) {
    let Some(path) = std::env::var_os(NOTIFY_LOG_VAR) else {
        return;
    };
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{v}");
    }
}
