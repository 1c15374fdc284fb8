//! One round of the app's background work: sync the sources, check the alert rules over what
//! arrived, and plan the notifications. `crate::actions::sync_round` runs it and then sends the
//! queued replies; the desktop shell runs that on a timer and on "Sync now", `earshot sync` on
//! demand, and the shell only delivers the plan (shows it, records it); every decision is made
//! here.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;

use super::{run_at, run_on, EventSink, Selection, SourceReport, SyncOptions};
use crate::alerts::{self, Plan};
use crate::model::alerts::{Alert, AlertFilter};
use crate::secrets::SecretStore;
use crate::store::postgres::{off_runtime, DropOffRuntime};
use crate::store::DbLocation;
use crate::store::{AlertStore, Db, Store, StoreError};

/// What a round did and what to tell the owner.
#[derive(Debug, Clone, Serialize)]
pub struct Round {
    pub sources: Vec<SourceReport>,
    /// Alerts raised by this round's check.
    pub new_alerts: Vec<Alert>,
    /// The notifications to show now; record them with [`crate::alerts::record_sent`] once shown.
    pub plan: Plan,
    /// Alerts the owner has not looked at yet, for the tray.
    pub unread_alerts: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Alerts(#[from] alerts::AlertError),
}

/// Syncs `selection`, then checks alerts and plans notifications at `now` (the owner's local
/// time, for quiet hours and the digest).
pub async fn round(
    db: &Path,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
    opts: &SyncOptions,
    events: EventSink,
    now: DateTime<FixedOffset>,
) -> Result<Round, RoundError> {
    let db = DbLocation::File(db.to_path_buf());
    round_at(&db, secrets, selection, opts, events, now).await
}

/// [`round`] on a database of either kind.
pub async fn round_at(
    db: &DbLocation,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
    opts: &SyncOptions,
    events: EventSink,
    now: DateTime<FixedOffset>,
) -> Result<Round, RoundError> {
    let path = match db {
        DbLocation::File(path) => path,
        DbLocation::Postgres(_) => {
            let mut team = DropOffRuntime::new(off_runtime(|| Db::open(db))?);
            return round_on_team(db, &mut team, secrets, selection, opts, events, now).await;
        }
    };
    let sources = run_at(db, secrets.clone(), selection, opts, events).await?;
    let mut store = Store::open(path)?;
    // When kept sign-ins end, for the `credentials_expiring` rule (issue 28).
    crate::platforms::oauth::record_expiries(&store, secrets.as_ref())?;
    let new_alerts = alerts::check(&mut store, now.with_timezone(&Utc))?;
    let plan = plan_notifications(&store, now)?;
    let unread_alerts = store.unread_alert_count()?;
    super::tidy_search_index(&store);
    Ok(Round {
        sources,
        new_alerts,
        plan,
        unread_alerts,
    })
}

/// [`round_at`] on the team database `db`, its own reads and writes (which sources, the
/// expiry of kept content, the alert check) on `team`, one open connection to it that the
/// caller may go on using (the outbox and the deliveries after the round do). Each source is
/// synced on a connection of its own, which holds its claim.
///
/// The round raises the team's alerts (each once for the team: the seat whose insert wins
/// reports it). The notification plan reads this seat's own preferences (quiet hours, digest),
/// kept in a file, and the sign-ins' expiry times are this seat's keyring's: neither is planned
/// here yet (docs/team.md).
pub async fn round_on_team(
    db: &DbLocation,
    team: &mut Db,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
    opts: &SyncOptions,
    events: EventSink,
    now: DateTime<FixedOffset>,
) -> Result<Round, RoundError> {
    let sources = run_on(db, team, secrets, selection, opts, events).await?;
    let when = now.with_timezone(&Utc);
    // The team store's client is synchronous: off the async runtime.
    let (new_alerts, unread_alerts) = off_runtime(|| -> Result<_, RoundError> {
        let new_alerts = alerts::check(team, when)?;
        let unread_alerts = AlertStore::unread_alert_count(team)?;
        Ok((new_alerts, unread_alerts))
    })?;
    Ok(Round {
        sources,
        new_alerts,
        plan: Plan::default(),
        unread_alerts,
    })
}

/// The notifications due at `now` for alerts not yet shown (also asked for when a deferral
/// such as quiet hours ends).
pub fn plan_notifications(store: &Store, now: DateTime<FixedOffset>) -> Result<Plan, RoundError> {
    let pending = store.alerts(&AlertFilter {
        unnotified: true,
        ..AlertFilter::default()
    })?;
    let prefs = alerts::notification_prefs(store)?;
    Ok(alerts::notification_plan(&prefs, now, &pending))
}
