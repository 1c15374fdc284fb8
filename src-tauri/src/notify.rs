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
        .body(body)
        .show()
    {
        eprintln!("earshot-desktop: notification failed: {e}");
    }
}
