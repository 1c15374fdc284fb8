//! The commands the UI invokes. Each one converts its arguments, calls one core function (the same
//! one the CLI calls) and maps the error — no business logic lives here (STYLE.md §1).
//!
//! SQLite work runs on the blocking pool via [`with_store`]: a synchronous command would run on the
//! main thread and freeze the window during an import. Every call opens its own `Store`: opening is
//! a few pragmas (sub-millisecond), WAL lets the dashboard read while an import writes, and there is
//! no connection lock for a long import to hold against the UI.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use earshot::import::{ImportOptions, ImportReport};
use earshot::insights::Overview;
use earshot::model::{Business, BusinessId, Review};
use earshot::store::{ReviewFilter, SlowUpgrade, Stats, Store};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{UiError, UiResult};
use crate::notify;
use crate::relaunch::Activity;

/// The event views listen to; one per finished demo load or import, never one per row (§9).
pub const REVIEWS_CHANGED: &str = "reviews-changed";

/// The dashboard's period unless the owner picks another: the last 30 days.
const DEFAULT_PERIOD_DAYS: i64 = 30;

/// How many reviews the dashboard's "latest reviews" list shows.
const DASHBOARD_LATEST: u32 = 8;

/// Shared by all commands: where the database lives. Resolved once at start from `EARSHOT_DB` or
/// the OS data directory, exactly as the CLI does.
pub struct AppState {
    pub db_path: PathBuf,
    /// Work in flight, which a restart in the tray waits for (`relaunch.rs`).
    pub activity: Arc<Activity>,
}

/// Opens the store on the blocking pool and runs `f` with it there, off the async runtime's
/// worker threads (opening may wait on another writer's lock; queries may scan). The work counts
/// as activity, so closing the window during an import lets the import finish first.
pub(crate) async fn with_store<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Store) -> UiResult<T> + Send + 'static,
) -> UiResult<T> {
    let path = state.db_path.clone();
    let busy = state.activity.begin();
    on_blocking_pool(move || {
        let _busy = busy;
        f(&mut Store::open(&path)?)
    })
    .await?
}

/// Runs `f` on the blocking pool (file and database work, a wait on the browser) and gives
/// back what it returned; a task that panicked is an internal error.
pub(crate) async fn on_blocking_pool<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> UiResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| UiError::new("internal", format!("background task failed: {e}")))
}

/// The one-time upgrade the first command will run over every review, when it is large enough
/// to be worth a word (`SlowUpgrade::worth_announcing`): the UI shows a progress card meanwhile
/// instead of a screen that seems stuck. Reads the file only; another command migrates it.
#[tauri::command]
pub async fn pending_upgrade(state: State<'_, AppState>) -> UiResult<Option<SlowUpgrade>> {
    let path = state.db_path.clone();
    on_blocking_pool(move || Store::slow_upgrade(&path).filter(SlowUpgrade::worth_announcing)).await
}

/// What the first screen needs in one round trip.
#[derive(Debug, Serialize)]
pub struct Dashboard {
    /// Whether the database holds no reviews at all: the UI then shows its welcome.
    pub empty: bool,
    pub businesses: Vec<Business>,
    /// The business shown: the one asked for, else the owner's own (listed first by the store).
    pub business: Option<Business>,
    pub stats: Option<Stats>,
    /// The chosen period's figures, trend, platforms, aspects and competitors.
    pub overview: Option<Overview>,
    pub latest: Vec<Review>,
    /// Shown in the footer so the owner knows where their data is.
    pub db_path: String,
}

#[tauri::command]
pub async fn dashboard(
    state: State<'_, AppState>,
    business: Option<BusinessId>,
    period: Option<i64>,
) -> UiResult<Dashboard> {
    let today = chrono::Local::now().date_naive();
    let period = period.unwrap_or(DEFAULT_PERIOD_DAYS);
    with_store(&state, move |store| {
        let businesses = store.businesses()?;
        let chosen = match business {
            Some(id) => Some(store.business(id)?),
            None => businesses.first().cloned(),
        };
        let overview = match &chosen {
            Some(b) => Some(earshot::insights::overview(store, b.id, today, period)?),
            None => None,
        };
        let (stats, latest) = match &chosen {
            Some(b) => {
                let filter = ReviewFilter {
                    business_id: Some(b.id),
                    limit: Some(DASHBOARD_LATEST),
                    ..Default::default()
                };
                (Some(store.stats(b.id)?), store.list_reviews(&filter)?)
            }
            None => (None, Vec::new()),
        };
        Ok(Dashboard {
            empty: store.is_empty()?,
            businesses,
            business: chosen,
            stats,
            overview,
            latest,
            db_path: store.path().display().to_string(),
        })
    })
    .await
}

#[tauri::command]
pub async fn list_reviews(
    state: State<'_, AppState>,
    filter: ReviewFilter,
) -> UiResult<Vec<Review>> {
    with_store(&state, move |store| Ok(store.list_reviews(&filter)?)).await
}

/// How many reviews match a filter: the inbox sizes its scroll area with it.
#[tauri::command]
pub async fn count_reviews(state: State<'_, AppState>, filter: ReviewFilter) -> UiResult<u64> {
    with_store(&state, move |store| Ok(store.count_reviews(&filter)?)).await
}

/// What the inbox's filters offer: businesses, the platforms that have items, and the aspects.
#[derive(Debug, Serialize)]
pub struct InboxFacets {
    pub businesses: Vec<Business>,
    pub platforms: Vec<String>,
    pub aspects: Vec<&'static str>,
}

#[tauri::command]
pub async fn inbox_facets(state: State<'_, AppState>) -> UiResult<InboxFacets> {
    with_store(&state, move |store| {
        let businesses = store.businesses()?;
        // The aspects of every category the businesses are in (the general lexicon when none).
        let mut aspects: Vec<&'static str> = businesses
            .iter()
            .flat_map(|b| earshot::analysis::aspects::known_aspects(b.category.as_deref()))
            .collect();
        aspects.sort_unstable();
        aspects.dedup();
        Ok(InboxFacets {
            platforms: store.platforms(None)?,
            businesses,
            aspects,
        })
    })
    .await
}

/// Marks a review read (the inbox shows unread ones in bold).
#[tauri::command]
pub async fn mark_read(state: State<'_, AppState>, review: i64) -> UiResult<()> {
    with_store(&state, move |store| Ok(store.mark_read(review)?)).await
}

#[tauri::command]
pub async fn load_demo(
    app: AppHandle,
    state: State<'_, AppState>,
) -> UiResult<earshot::demo::DemoSummary> {
    let today = Utc::now().date_naive();
    let summary = with_store(&state, move |store| Ok(earshot::demo::load(store, today)?)).await?;
    app.emit(REVIEWS_CHANGED, &summary)?;
    Ok(summary)
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
    on_progress: Channel<ImportProgress>,
) -> UiResult<ImportReport> {
    // Held until the "import finished" notification is out, not only while the rows are written.
    let _busy = state.activity.begin();
    let opts = ImportOptions {
        business,
        platform,
        skip_bad: skip_bad.unwrap_or(false),
        location,
        ..Default::default()
    };
    let report = with_store(&state, move |store| {
        // A closed channel (the window went away) must not stop the import, so sends are best effort.
        let mut progress = |read, total| {
            let _ = on_progress.send(ImportProgress { read, total });
        };
        Ok(earshot::import::import_path(
            store,
            path.as_ref(),
            &opts,
            &mut progress,
        )?)
    })
    .await?;
    app.emit(REVIEWS_CHANGED, &report)?;
    notify::import_finished(&app, &report);
    Ok(report)
}
