//! Alert actions: check the rules now, and the Alerts screen's list.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::alerts;

use crate::model::alerts::{Alert, AlertFilter};
use crate::model::Review;
use crate::store::AlertStore;

use super::Result;

/// How many of an alert's reviews the Alerts screen gets with it (the rest are one click away).
pub const REVIEWS_PER_ALERT: usize = 5;

/// Evaluates every rule at `now` and returns the alerts raised (a round does this after syncing).
/// On either store: a `Store`, a `Db` (a file or the team's database; on the team's, an alert
/// another seat raised first is not returned again, so only one seat notifies it).
pub fn check_alerts<S: AlertStore + ?Sized>(
    store: &mut S,
    now: DateTime<Utc>,
) -> Result<Vec<Alert>> {
    Ok(alerts::check(store, now)?)
}

/// Evaluates every rule over the history from `since` (`earshot alerts check --since DATE`).
pub fn check_alerts_since<S: AlertStore + ?Sized>(
    store: &mut S,
    now: DateTime<Utc>,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<Alert>> {
    Ok(alerts::check_since(store, now, since)?)
}

/// An alert with the first few of its reviews, so the screen links each to what raised it.
#[derive(Debug, Serialize)]
pub struct AlertWithReviews {
    #[serde(flatten)]
    pub alert: Alert,
    pub title: &'static str,
    pub reviews: Vec<Review>,
}

/// The alerts `filter` selects, newest first, each with its first reviews.
pub fn alerts_with_reviews<S: AlertStore + ?Sized>(
    store: &S,
    filter: &AlertFilter,
) -> Result<Vec<AlertWithReviews>> {
    let list = store.alerts(filter)?;
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
}
