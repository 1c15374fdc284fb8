//! Commands of the "Ask for reviews" screen (issue 29): each calls one
//! `earshot::actions::requests` function, the same `earshot requests` calls. Files are picked in
//! native dialogs shown from Rust, so the webview needs no dialog or file-system permission.

use earshot::actions::requests::{self as act, MailOverride, QrFiles, RequestsOverview};
use earshot::requests::send::{SendOptions, SendReport};
use earshot::requests::{ProfileLink, RequestSettings, Via};
use earshot::store::CustomersImported;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{UiError, UiResult};
use crate::state::{with_db, AppState};

/// Links, customers, settings, warnings and figures of `business`.
#[tauri::command]
pub async fn requests_overview(
    state: State<'_, AppState>,
    business: String,
) -> UiResult<RequestsOverview> {
    with_db(&state, move |store| {
        Ok(act::requests_overview(store, &business)?)
    })
    .await
}

/// Sets a profile's review link by hand.
#[tauri::command]
pub async fn set_request_link(
    state: State<'_, AppState>,
    business: String,
    platform: String,
    url: String,
) -> UiResult<ProfileLink> {
    let now = chrono::Utc::now().timestamp();
    with_db(&state, move |store| {
        Ok(act::set_request_link(
            store, &business, &platform, &url, now,
        )?)
    })
    .await
}

/// The QR code of a profile's link as a PNG `data:` URL.
#[tauri::command]
pub async fn request_qr_preview(
    state: State<'_, AppState>,
    business: String,
    platform: String,
) -> UiResult<String> {
    with_db(&state, move |store| {
        Ok(act::request_qr_preview(store, &business, &platform)?)
    })
    .await
}

/// Saves the printable card (`pdf`) or the QR code (`png`, `svg`) where the owner picks.
/// `None` when cancelled.
#[tauri::command]
pub async fn save_request_card(
    app: AppHandle,
    state: State<'_, AppState>,
    business: String,
    platform: String,
    kind: String,
) -> UiResult<Option<String>> {
    let (title, filter) = match kind.as_str() {
        "pdf" => ("Save the printable card", "PDF document"),
        "png" => ("Save the QR code as PNG", "PNG image"),
        "svg" => ("Save the QR code as SVG", "SVG image"),
        _ => return Err(UiError::new("invalid", format!("no file kind {kind:?}"))),
    };
    let picked = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(format!("review-card-{platform}.{kind}"))
        .add_filter(filter, &[kind.as_str()])
        .blocking_save_file();
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    with_db(&state, move |store| {
        let files = QrFiles {
            png: (kind == "png").then_some(path.as_path()),
            svg: (kind == "svg").then_some(path.as_path()),
            pdf: (kind == "pdf").then_some(path.as_path()),
        };
        act::write_request_qr(store, &business, &platform, &files)?;
        Ok(())
    })
    .await?;
    Ok(Some(shown))
}

/// Asks for the customer list's CSV in the native dialog; `None` when cancelled.
#[tauri::command]
pub async fn choose_customers_file(app: AppHandle) -> UiResult<Option<String>> {
    Ok(app
        .dialog()
        .file()
        .set_title("Import your customer list")
        .add_filter("Customer list (CSV)", &["csv", "txt"])
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}

/// Imports the customer list at `path`: every row or none.
#[tauri::command]
pub async fn import_customers(
    state: State<'_, AppState>,
    business: String,
    path: String,
) -> UiResult<CustomersImported> {
    let now = chrono::Utc::now().timestamp();
    with_db(&state, move |store| {
        Ok(act::import_customers(
            store,
            &business,
            std::path::Path::new(&path),
            now,
        )?)
    })
    .await
}

/// Asks every eligible customer (or, `dry_run`, says who would be asked and the words).
/// E-mails go through the e-mail alert channel's account.
#[tauri::command]
pub async fn send_review_requests(
    state: State<'_, AppState>,
    business: String,
    platform: String,
    via: String,
    dry_run: bool,
) -> UiResult<SendReport> {
    let via = Via::parse(&via)
        .ok_or_else(|| UiError::new("invalid", format!("no way to send {via:?}")))?;
    let now = chrono::Utc::now().timestamp();
    with_db(&state, move |store| {
        let secrets = store.secrets()?;
        let options = SendOptions {
            platform,
            via,
            dry_run,
        };
        Ok(act::send_requests(
            store,
            secrets.as_ref(),
            &business,
            &options,
            &MailOverride::default(),
            now,
            &mut |_, _| {},
        )?)
    })
    .await
}

/// Stores the period between asks, the response window and the words.
#[tauri::command]
pub async fn set_request_settings(
    state: State<'_, AppState>,
    settings: RequestSettings,
) -> UiResult<()> {
    with_db(&state, move |store| {
        Ok(act::set_request_settings(store, &settings)?)
    })
    .await
}
