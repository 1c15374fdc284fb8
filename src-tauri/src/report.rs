//! The dashboard saved as a PNG: the save dialog, then one call into `earshot::report` (the same
//! function as `earshot report --png`).

use earshot::model::BusinessId;
use earshot::report::{self, ImageFormat};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use earshot::actions::dashboard::DEFAULT_PERIOD_DAYS;

use crate::error::{UiError, UiResult};
use crate::state::{with_db, AppState};

/// Saves the dashboard of `business` (default: the owner's own, as the dashboard shows it) over
/// `period` days to a PNG the owner picks in the native save dialog (shown from Rust: the webview
/// needs no dialog or file-system permission). `None` when cancelled.
#[tauri::command]
pub async fn export_dashboard_png(
    app: AppHandle,
    state: State<'_, AppState>,
    business: Option<BusinessId>,
    period: Option<i64>,
) -> UiResult<Option<String>> {
    let today = chrono::Local::now().date_naive();
    let picked = app
        .dialog()
        .file()
        .set_title("Save the dashboard as PNG")
        .set_file_name(format!("earshot-dashboard-{today}.png"))
        .add_filter("PNG image", &["png"])
        .blocking_save_file();
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let period = period.unwrap_or(DEFAULT_PERIOD_DAYS);
    with_db(&state, move |store| {
        let id = match business {
            Some(id) => id,
            None => match store.businesses()?.first() {
                Some(b) => b.id,
                None => {
                    return Err(UiError::new(
                        "no_business",
                        "There is no business to show yet.",
                    ))
                }
            },
        };
        report::save_dashboard(store, id, today, period, ImageFormat::Png, &path)
            .map_err(|e| UiError::new(e.code(), e.to_string()))
    })
    .await?;
    Ok(Some(shown))
}
