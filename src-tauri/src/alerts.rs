//! Commands of the Alerts screen: the alerts with the reviews behind them, seen and dismissed.

use earshot::alerts::{self, Alert, AlertFilter, AlertId, AlertState};
use earshot::model::Review;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::commands::{with_store, AppState};
use crate::error::{UiError, UiResult};

/// How many alerts one screen lists; older ones stay in the database and the CLI.
const ALERTS_SHOWN: u32 = 200;
/// How many of an alert's reviews are sent along (the rest are one click away in the inbox).
const REVIEWS_PER_ALERT: usize = 5;

/// An alert with the first few of its reviews, so the screen links each to what raised it.
#[derive(Debug, Serialize)]
pub struct AlertWithReviews {
    #[serde(flatten)]
    pub alert: Alert,
    pub title: &'static str,
    pub reviews: Vec<Review>,
}

/// Open alerts (new and seen) and past ones (dismissed), newest first.
#[tauri::command]
pub async fn list_alerts(
    state: State<'_, AppState>,
    include_dismissed: Option<bool>,
) -> UiResult<Vec<AlertWithReviews>> {
    with_store(&state, move |store| {
        let filter = AlertFilter {
            include_dismissed: include_dismissed.unwrap_or(true),
            limit: Some(ALERTS_SHOWN),
            ..Default::default()
        };
        let list = store.alerts(&filter)?;
        let mut out = Vec::with_capacity(list.len());
        for alert in list {
            let reviews = alert
                .review_ids
                .iter()
                .take(REVIEWS_PER_ALERT)
                // A review removed since (its source deleted) just drops out of the list.
                .filter_map(|id| store.review(*id).ok())
                .collect();
            out.push(AlertWithReviews {
                title: alert.kind.title(),
                alert,
                reviews,
            });
        }
        Ok(out)
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
    let unread = with_store(&state, move |store| {
        alerts::set_state(store, id, to)?;
        Ok(store.unread_alert_count()?)
    })
    .await?;
    // The tray's unread count follows at once.
    crate::tray::show_unread(&app, unread);
    Ok(())
}

/// Alerts not yet seen: the badge on the Alerts tab.
#[tauri::command]
pub async fn unread_alert_count(state: State<'_, AppState>) -> UiResult<i64> {
    with_store(&state, move |store| Ok(store.unread_alert_count()?)).await
}
