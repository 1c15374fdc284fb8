//! Commands of the Alerts screen: the alerts with the reviews behind them, seen and dismissed.

use earshot::actions::{self, AlertWithReviews};
use earshot::alerts;
use earshot::model::alerts::{AlertFilter, AlertId, AlertState};
use tauri::{AppHandle, State};

use crate::error::{UiError, UiResult};
use earshot::store::AlertStore;

use crate::state::{with_db, AppState};

/// How many alerts one screen lists; older ones stay in the database and the CLI.
const ALERTS_SHOWN: u32 = 200;

/// Open alerts (new and seen) and past ones (dismissed), newest first, each with its first
/// reviews.
#[tauri::command]
pub async fn list_alerts(
    state: State<'_, AppState>,
    include_dismissed: Option<bool>,
) -> UiResult<Vec<AlertWithReviews>> {
    let filter = AlertFilter {
        include_dismissed: include_dismissed.unwrap_or(true),
        limit: Some(ALERTS_SHOWN),
        ..Default::default()
    };
    with_db(&state, move |db| {
        Ok(actions::alerts_with_reviews(db, &filter)?)
    })
    .await
}

/// Marks an alert `new`, `seen` or `dismissed`.
#[tauri::command]
pub async fn set_alert_state(
    app: AppHandle,
    state: State<'_, AppState>,
    id: AlertId,
    to: String,
) -> UiResult<()> {
    let to = AlertState::parse(&to)
        .ok_or_else(|| UiError::new("bad_state", format!("'{to}' is not an alert state")))?;
    let unread = with_db(&state, move |db| {
        alerts::set_state(db, id, to)?;
        Ok(db.unread_alert_count()?)
    })
    .await?;
    // The tray's unread count follows at once.
    crate::tray::show_unread(&app, unread);
    Ok(())
}

/// Alerts not yet seen: the badge on the Alerts tab.
#[tauri::command]
pub async fn unread_alert_count(state: State<'_, AppState>) -> UiResult<i64> {
    with_db(&state, move |db| Ok(db.unread_alert_count()?)).await
}
