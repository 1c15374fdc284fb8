//! Commands of the Settings screen: the business profile and competitors, alert rules,
//! notifications and quiet hours, reply templates, the data's location, export, backup and restore.
//! Each is one call into the core.

use chrono::Local;
use earshot::actions::{self, team_backup};
use earshot::alerts::{self, AlertError, NotificationPrefs, Rule};
use earshot::backup::{self, BackupFile};
use earshot::model::replies::ReplyTemplate;
use earshot::model::{Business, BusinessId};
use earshot::replies::ai::{self, AiSettings};
use earshot::replies::{self, ReplyProfile};
use earshot::secrets::Secret;
use earshot::store::{Db, Store};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{UiError, UiResult};
use crate::events::REVIEWS_CHANGED;
use crate::state::{on_blocking_pool, with_db, with_seat_preferences, with_store, AppState};

/// Everything the Settings screen shows, in one round trip.
#[derive(Debug, Serialize)]
pub struct SettingsOverview {
    pub businesses: Vec<Business>,
    /// The reply profile of each own business, by id.
    pub profiles: Vec<(BusinessId, ReplyProfile)>,
    pub rules: Vec<Rule>,
    pub notifications: NotificationPrefs,
    pub templates: Vec<ReplyTemplate>,
    /// The `{fields}` a template may use (the core's list, so the screen never offers a stale one).
    pub template_fields: &'static [&'static str],
    pub db_path: String,
    pub backup_dir: String,
    pub backups: Vec<BackupFile>,
    pub ai: AiSettings,
    /// Whether an API key for the AI endpoint is in the keyring (the key itself never leaves it).
    pub ai_key_saved: bool,
    /// Where secrets are kept ("the system keyring", or the opted-in file).
    pub secrets_in: String,
    /// Why the AI endpoint's key is held back until the owner confirms it (a restore changed
    /// the endpoint), if it is.
    pub ai_unconfirmed: Option<String>,
    /// Whether the app is on a team database (the data card then speaks of the team's server).
    pub on_team: bool,
}

#[tauri::command]
pub async fn settings_overview(state: State<'_, AppState>) -> UiResult<SettingsOverview> {
    let seat = state.owner_db().to_path_buf();
    with_db(&state, move |db| {
        let businesses = db.businesses()?;
        let profiles = businesses
            .iter()
            .filter(|b| !b.is_competitor)
            .map(|b| Ok((b.id, replies::profile(db, b.id)?)))
            .collect::<UiResult<Vec<_>>>()?;
        let secret_store = db.secrets()?;
        let ai_key_saved = matches!(secret_store.get(ai::KEY_SOURCE, ai::KEY_NAME), Ok(Some(_)));
        // A file keeps its backups beside it and its person's notifications inside it; a team
        // database's backups are portable files in this seat's backup folder
        // (`actions::team_backup`), and this person's notifications stay in this seat's own file.
        let (notifications, backups, backup_dir, ai_unconfirmed) = match db {
            Db::Sqlite(store) => (
                alerts::notification_prefs(store)?,
                backup::list(store.path())?,
                backup::backup_dir(store.path()).display().to_string(),
                store.settings_unconfirmed()?,
            ),
            // The team's backups are portable files in this seat's backup folder.
            Db::Postgres(_) => {
                let seat_dir = seat.parent().unwrap_or(std::path::Path::new("."));
                (
                    alerts::notification_prefs(&Store::open(&seat)?)?,
                    team_backup::list_team_backups(db, seat_dir).map_err(team_backup_error)?,
                    team_backup::team_backup_dir(db, seat_dir)
                        .map_err(team_backup_error)?
                        .display()
                        .to_string(),
                    None,
                )
            }
        };
        Ok(SettingsOverview {
            ai: replies::ai_settings(db)?,
            ai_key_saved,
            secrets_in: secret_store.describe(),
            ai_unconfirmed,
            profiles,
            businesses,
            rules: alerts::load_rules(db)?.0,
            notifications,
            templates: replies::list_templates(db)?,
            template_fields: replies::templates::FIELDS,
            db_path: db.location(),
            backups,
            backup_dir,
            on_team: matches!(db, Db::Postgres(_)),
        })
    })
    .await
}

/// Adds a business: a competitor to watch, or another own location.
#[tauri::command]
pub async fn add_business(
    state: State<'_, AppState>,
    name: String,
    competitor: bool,
) -> UiResult<Business> {
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(UiError::new("bad_name", "Give the business a name."));
    }
    with_db(&state, move |db| Ok(db.add_business(&name, competitor)?)).await
}

#[tauri::command]
pub async fn save_reply_profile(
    state: State<'_, AppState>,
    business: BusinessId,
    profile: ReplyProfile,
) -> UiResult<()> {
    with_db(&state, move |db| {
        db.business(business)?;
        Ok(replies::set_profile(db, business, &profile)?)
    })
    .await
}

/// Turns a rule on or off and sets its parameters (as text, validated by the core).
#[tauri::command]
pub async fn set_alert_rule(
    state: State<'_, AppState>,
    kind: String,
    enabled: Option<bool>,
    params: Vec<(String, String)>,
) -> UiResult<Rule> {
    with_db(&state, move |db| {
        alerts::set_rule(db, &kind, enabled, &params).map_err(|e| match e {
            // The screen names the rule; the owner needs the value and what would fit.
            AlertError::InvalidParam { value, reason, .. } => UiError::new(
                "invalid_alert_param",
                format!("“{}” does not fit this setting: {reason}.", value.trim()),
            ),
            e => e.into(),
        })
    })
    .await
}

#[tauri::command]
pub async fn set_notification_prefs(
    state: State<'_, AppState>,
    prefs: NotificationPrefs,
) -> UiResult<()> {
    with_seat_preferences(&state, move |store| {
        // Pauses and digest bookkeeping belong to the tray and the scheduler, not this form.
        let current = alerts::notification_prefs(store)?;
        let prefs = NotificationPrefs {
            paused_until: current.paused_until,
            last_digest_at: current.last_digest_at,
            ..prefs
        };
        Ok(alerts::set_notification_prefs(store, &prefs)?)
    })
    .await
}

#[tauri::command]
pub async fn save_template(
    state: State<'_, AppState>,
    template: ReplyTemplate,
) -> UiResult<ReplyTemplate> {
    with_db(&state, move |db| Ok(replies::save_template(db, &template)?)).await
}

#[tauri::command]
pub async fn delete_template(state: State<'_, AppState>, name: String) -> UiResult<()> {
    with_db(&state, move |db| Ok(replies::delete_template(db, &name)?)).await
}

#[tauri::command]
pub async fn backup_now(state: State<'_, AppState>) -> UiResult<BackupFile> {
    let today = Local::now().date_naive();
    if state.team_database().is_some() {
        let seat_dir = seat_dir(&state);
        return with_db(&state, move |db| {
            team_backup::backup_team(db, &seat_dir, today).map_err(team_backup_error)
        })
        .await;
    }
    with_store(&state, move |store| Ok(actions::backup_now(store, today)?)).await
}

/// The folder of this seat's own database: a team database's backups go to its `backups/`.
fn seat_dir(state: &AppState) -> std::path::PathBuf {
    state
        .owner_db()
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default()
}

fn team_backup_error(e: team_backup::TeamBackupError) -> UiError {
    UiError::new(e.code(), e.to_string())
}

/// Restores a backup (checked first; the current database is kept beside it).
#[tauri::command]
pub async fn restore_backup(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> UiResult<String> {
    // On a team database a restore replaces the team's data for every seat: the owner's only,
    // all or nothing, the replaced data kept first (`actions::team_backup`).
    if state.team_database().is_some() {
        let seat_dir = seat_dir(&state);
        let done = with_db(&state, move |db| {
            team_backup::restore_team(db, &seat_dir, path.as_ref()).map_err(team_backup_error)
        })
        .await?;
        app.emit(REVIEWS_CHANGED, ())?;
        return Ok(done.previous_kept_at.display().to_string());
    }
    let db = state.file_path()?;
    let busy = state.activity.begin();
    let done = on_blocking_pool(move || {
        let _busy = busy;
        actions::restore(&db, path.as_ref())
    })
    .await??;
    app.emit(REVIEWS_CHANGED, ())?;
    Ok(done.previous_kept_at.display().to_string())
}

/// Saves the AI endpoint; `api_key` replaces the saved key when given (an empty one deletes it).
#[tauri::command]
pub async fn save_ai_settings(
    state: State<'_, AppState>,
    settings: AiSettings,
    api_key: Option<String>,
) -> UiResult<()> {
    with_db(&state, move |db| {
        replies::set_ai_settings(db, &settings)?;
        if let Some(key) = api_key {
            let secret_store = db.secrets()?;
            let done = if key.trim().is_empty() {
                secret_store.delete(ai::KEY_SOURCE, ai::KEY_NAME)
            } else {
                secret_store.set(
                    ai::KEY_SOURCE,
                    ai::KEY_NAME,
                    &Secret::new(key.trim().to_string()),
                )
            };
            done.map_err(|e| UiError::new("keyring", e.to_string()))?;
        }
        Ok(())
    })
    .await
}

/// Exports every review as CSV to a file the owner picks in the native save dialog (shown from
/// Rust, so the webview needs no dialog or file-system permission). `None` when cancelled.
#[tauri::command]
pub async fn export_reviews_csv(
    app: AppHandle,
    state: State<'_, AppState>,
) -> UiResult<Option<String>> {
    let picked = app
        .dialog()
        .file()
        .set_title("Export reviews")
        .set_file_name("earshot-reviews.csv")
        .add_filter("CSV", &["csv"])
        .blocking_save_file();
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    with_db(&state, move |db| {
        let file = std::fs::File::create(&path)
            .map_err(|e| UiError::new("io", format!("cannot create {}: {e}", path.display())))?;
        earshot::export::reviews_csv(db, &Default::default(), std::io::BufWriter::new(file))
            .map_err(|e| UiError::new(e.code(), e.to_string()))?;
        Ok(())
    })
    .await?;
    Ok(Some(shown))
}

/// Settings → Background watcher: whether `earshot watch` is installed as a service and runs.
#[tauri::command]
pub async fn watcher_status() -> UiResult<actions::ServiceStatus> {
    on_blocking_pool(actions::service::status).await
}

/// Installs the background watcher for the owner's database (`earshot service install`), never
/// for the demo's.
#[tauri::command]
pub async fn install_watcher(state: State<'_, AppState>) -> UiResult<actions::ServiceStatus> {
    // On a team database the watcher is the team database's, its unit without the password
    // (which stays in the password store the app keeps it in).
    if let Some(team) = state.team_database() {
        return on_blocking_pool(move || {
            let passwords = actions::team_service::team_passwords();
            actions::team_service::install_team_watcher(&team.url, passwords.as_ref())
                .map_err(|e| UiError::new(e.code(), e.to_string()))
        })
        .await?;
    }
    let db = state.owner_db().to_path_buf();
    Ok(on_blocking_pool(move || actions::service::install_watcher(&db)).await??)
}

/// Stops and removes the background watcher (`earshot service uninstall`).
#[tauri::command]
pub async fn uninstall_watcher() -> UiResult<actions::ServiceStatus> {
    Ok(on_blocking_pool(actions::service::uninstall).await??)
}

/// How the window behaves (the inbox's one-letter shortcuts), for the UI to read at start.
#[tauri::command]
pub async fn ui_prefs(state: State<'_, AppState>) -> UiResult<actions::UiPrefs> {
    // How this window behaves is this seat's, on a team database too.
    with_seat_preferences(&state, move |store| Ok(actions::ui_prefs(store)?)).await
}

#[tauri::command]
pub async fn set_ui_prefs(state: State<'_, AppState>, prefs: actions::UiPrefs) -> UiResult<()> {
    with_seat_preferences(&state, move |store| {
        Ok(actions::set_ui_prefs(store, &prefs)?)
    })
    .await
}
