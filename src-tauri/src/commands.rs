//! The commands the UI invokes. Each one converts its arguments, calls one core function (the same
//! one the CLI calls) and maps the error — no business logic lives here (STYLE.md §1).
//!
//! SQLite work runs on the blocking pool via `state::with_store`: a synchronous command would run
//! on the main thread and freeze the window during an import.

use chrono::Utc;
use earshot::actions::{self, Dashboard, InboxFacets};
use earshot::import::{ColumnMapping, ImportOptions, ImportPreview, ImportReport};
use earshot::model::{BusinessId, Review};
use earshot::store::{ReviewFilter, SlowUpgrade, Store};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{UiError, UiResult};
use crate::events::REVIEWS_CHANGED;
use crate::notify;
use crate::state::{on_blocking_pool, with_db, AppState, Background, Request};

/// The one-time upgrade the first command will run over every review, when it is large enough
/// to be worth a word (`SlowUpgrade::worth_announcing`): the UI shows a progress card meanwhile
/// instead of a screen that seems stuck. Reads the file only; another command migrates it.
#[tauri::command]
pub async fn pending_upgrade(state: State<'_, AppState>) -> UiResult<Option<SlowUpgrade>> {
    // A team database is brought up to date by whoever opens it first, under its own lock.
    if state.team_database().is_some() {
        return Ok(None);
    }
    let path = state.db_path();
    on_blocking_pool(move || Store::slow_upgrade(&path).filter(SlowUpgrade::worth_announcing)).await
}

/// What the first screen needs in one round trip (`earshot::actions::dashboard`).
#[tauri::command]
pub async fn dashboard(
    state: State<'_, AppState>,
    business: Option<BusinessId>,
    period: Option<i64>,
) -> UiResult<Dashboard> {
    let today = chrono::Local::now().date_naive();
    with_db(&state, move |db| {
        Ok(actions::dashboard(db, business, period, today)?)
    })
    .await
}

#[tauri::command]
pub async fn list_reviews(
    state: State<'_, AppState>,
    filter: ReviewFilter,
) -> UiResult<Vec<Review>> {
    with_db(&state, move |db| Ok(db.list_reviews(&filter)?)).await
}

/// How many reviews match a filter: the inbox sizes its scroll area with it.
#[tauri::command]
pub async fn count_reviews(state: State<'_, AppState>, filter: ReviewFilter) -> UiResult<u64> {
    with_db(&state, move |db| Ok(db.count_reviews(&filter)?)).await
}

/// What the inbox's filters offer: businesses, the platforms that have items, and the aspects.
#[tauri::command]
pub async fn inbox_facets(state: State<'_, AppState>) -> UiResult<InboxFacets> {
    with_db(&state, move |db| Ok(actions::inbox_facets(db)?)).await
}

/// Marks a review read (the inbox shows unread ones in bold).
#[tauri::command]
pub async fn mark_read(state: State<'_, AppState>, review: i64) -> UiResult<()> {
    with_db(&state, move |db| Ok(db.mark_read(review)?)).await
}

/// Whether the demo is open, for the banner the UI shows while it is.
#[derive(Debug, Clone, Serialize)]
pub struct DemoState {
    pub active: bool,
}

#[tauri::command]
pub async fn demo_state(state: State<'_, AppState>) -> UiResult<DemoState> {
    Ok(DemoState {
        active: state.in_demo(),
    })
}

/// "Load demo data": fills the demo's own database (`earshot::actions::open_demo`, beside the
/// owner's, which it never opens) and switches the app and its worker to it (issue 32).
#[tauri::command]
pub async fn load_demo(
    app: AppHandle,
    state: State<'_, AppState>,
) -> UiResult<earshot::demo::DemoSummary> {
    // The demo is a file beside the seat's own: on a team database it would hide the team's
    // reviews behind a made-up café's while every command still read the team's.
    // Not a "not yet": a deliberate no, said as such (docs/team.md). The code stays the one
    // the screens know.
    if state.team_database().is_some() {
        return Err(UiError::new(
            "not_on_team_database",
            "The demo café opens on this computer's own database only: on a team database it              would show every colleague a made-up café. To try the demo, go back to this              computer's database in Settings → Team database.",
        ));
    }
    let today = Utc::now().date_naive();
    let owner = state.owner_db().to_path_buf();
    let busy = state.activity.begin();
    let opened = on_blocking_pool(move || {
        let _busy = busy;
        actions::open_demo(&owner, today)
    })
    .await??;
    state.switch_to(opened.db_path);
    app.state::<Background>().request(Request::Replan);
    app.emit(REVIEWS_CHANGED, &opened.summary)?;
    Ok(opened.summary)
}

/// "Leave the demo": reopens the owner's own database, empty or not. The demo's file stays for
/// next time.
#[tauri::command]
pub async fn leave_demo(app: AppHandle, state: State<'_, AppState>) -> UiResult<DemoState> {
    state.switch_to(state.owner_db().to_path_buf());
    app.state::<Background>().request(Request::Replan);
    app.emit(REVIEWS_CHANGED, ())?;
    Ok(DemoState { active: false })
}

/// Opens a link in the owner's browser: straight away when it is on a host a platform declares
/// for its review pages ([`earshot::platforms::links::opens_directly`]), else only after a native
/// dialog has shown the owner the full address and they chose Open. The webview holds no opener
/// permission of its own, so this is the only way out of the app (issue 33). Returns whether the
/// link opened.
#[tauri::command]
pub async fn open_link(app: AppHandle, url: String) -> UiResult<bool> {
    use tauri_plugin_dialog::MessageDialogButtons;
    use tauri_plugin_opener::OpenerExt;
    let Some(link) = earshot::platforms::links::http_url(&url) else {
        return Err(UiError::new(
            "not_a_link",
            "Only http and https links open from Earshot.",
        ));
    };
    if !earshot::platforms::links::opens_directly(link.as_str()) {
        let chosen = app
            .dialog()
            .message(format!(
                "This link goes to an address Earshot cannot vouch for:\n\n{link}\n\nOpen it in your browser?"
            ))
            .title("This link leaves Earshot")
            .buttons(MessageDialogButtons::OkCancelCustom(
                "Open".into(),
                "Cancel".into(),
            ))
            .blocking_show();
        if !chosen {
            return Ok(false);
        }
    }
    app.opener()
        .open_url(link.as_str(), None::<&str>)
        .map_err(|e| UiError::new("open_failed", format!("The browser did not open: {e}")))?;
    Ok(true)
}

/// Shows the native "open file" dialog (or "open folder" with `folder`, for an unpacked Takeout
/// or a folder of Play CSVs) and returns the chosen path, or `None` when cancelled. The dialog
/// runs here rather than in JS so the webview needs no dialog permission.
#[tauri::command]
pub async fn choose_import_file(app: AppHandle, folder: Option<bool>) -> UiResult<Option<String>> {
    let dialog = app.dialog().file().set_title("Import reviews");
    let picked = if folder.unwrap_or(false) {
        dialog.blocking_pick_folder()
    } else {
        dialog
            .add_filter(
                "Reviews (Takeout ZIP, Play or Trustpilot CSV, CSV, JSON Lines)",
                &["zip", "csv", "jsonl", "ndjson", "json", "txt"],
            )
            .blocking_pick_file()
    };
    Ok(picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}

/// What the import dialog shows of the chosen file: its format, and for a CSV the first rows and
/// the proposed column for each field (`earshot::actions::preview_import`).
#[tauri::command]
pub async fn preview_import(path: String) -> UiResult<ImportPreview> {
    on_blocking_pool(move || actions::preview_import(std::path::Path::new(&path)))
        .await?
        .map_err(UiError::from)
}

/// Saves a CSV template to fill in, where the owner picks in the native save dialog (shown from
/// Rust, as the exports are). `None` when cancelled.
#[tauri::command]
pub async fn save_import_template(app: AppHandle) -> UiResult<Option<String>> {
    let picked = app
        .dialog()
        .file()
        .set_title("Save a template for reviews")
        .set_file_name("earshot-reviews-template.csv")
        .add_filter("CSV", &["csv"])
        .blocking_save_file();
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    on_blocking_pool(move || actions::write_import_template(&path))
        .await?
        .map_err(UiError::from)?;
    Ok(Some(shown))
}

/// Import progress, sent after each batch: bytes read so far and the file's size.
#[derive(Debug, Clone, Serialize)]
pub struct ImportProgress {
    pub read: u64,
    pub total: u64,
}

// Each argument is one the UI names (`location` picks a Takeout's location, issue 26).
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn import_file(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    business: String,
    platform: Option<String>,
    skip_bad: Option<bool>,
    location: Option<String>,
    mapping: Option<ColumnMapping>,
    on_progress: Channel<ImportProgress>,
) -> UiResult<ImportReport> {
    // Held until the "import finished" notification is out, not only while the rows are written.
    let _busy = state.activity.begin();
    let opts = ImportOptions {
        business,
        platform,
        skip_bad: skip_bad.unwrap_or(false),
        location,
        mapping: mapping.unwrap_or_default(),
        ..Default::default()
    };
    let report = with_db(&state, move |db| {
        // A closed channel (the window went away) must not stop the import, so sends are best effort.
        let mut progress = |read, total| {
            let _ = on_progress.send(ImportProgress { read, total });
        };
        Ok(actions::import_into(
            db,
            &[std::path::PathBuf::from(&path)],
            &opts,
            None,
            &mut progress,
        )?)
    })
    .await?;
    app.emit(REVIEWS_CHANGED, &report)?;
    notify::import_finished(&app, &report);
    Ok(report)
}
