//! The app's background work: a round (sync the due sources, check alerts, plan notifications,
//! send queued replies; all in the core, `earshot::actions::sync_round`, which `earshot sync`
//! runs too) every minute (`actions::watch::tick`, the clock `earshot watch` keeps) and whenever
//! the owner asks for Sync now.
//! The shell only delivers: progress events to the window, notifications, the tray's unread
//! count. Rounds never overlap; a Sync now during a round runs right after it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Local;
use earshot::actions::{self, sync::RoundOptions};
use earshot::secrets::{self, SecretStore};
use earshot::store::{Db, DbLocation, Store};
use earshot::sync::{self, EventSink, Selection};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::mpsc;

use crate::events::REVIEWS_CHANGED;
use crate::state::{AppState, Background, LastNotified, Request};

/// Per-source progress (`SyncEvent` as JSON: started, page, finished).
pub const SYNC_PROGRESS: &str = "sync-progress";
/// A round ended: `{ running: false, new, failed, unread_alerts }`; also sent with
/// `running: true` when one starts, so the UI can show its indicator.
pub const SYNC_STATE: &str = "sync-state";

/// The first round waits a little so the window paints first.
const FIRST_ROUND_AFTER: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Serialize)]
struct SyncState {
    running: bool,
    new: u64,
    updated: u64,
    failed: usize,
    unread_alerts: i64,
}

/// Starts the worker; `auto` false leaves only Sync now (the smoke test's fixed databases).
///
/// The worker follows the database the app has open (`AppState::db_path`), read afresh for every
/// request: while the demo is open it fetches nothing and notifies nothing (a made-up café must
/// not raise a desktop notification, and the owner's sources wait), and the tray counts the
/// demo's alerts; leaving the demo resumes the owner's rounds on the next tick.
pub fn start<R: Runtime>(app: &AppHandle<R>, auto: bool) -> Background {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut opened = Opened::new(app.state::<AppState>().db_path());
        update_tray(&app, &opened.db);
        // The same clock as `earshot watch` (earshot::actions::watch).
        let every = actions::watch::tick();
        let first = tokio::time::Instant::now() + FIRST_ROUND_AFTER.min(every);
        let mut ticker = tokio::time::interval_at(first, every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let selection = tokio::select! {
                _ = ticker.tick(), if auto => Some(Selection::Due),
                req = rx.recv() => match req {
                    Some(Request::SyncNow(None)) => Some(Selection::All),
                    Some(Request::SyncNow(Some(ids))) => Some(Selection::Ids(ids)),
                    Some(Request::Replan) => None,
                    None => break,
                },
            };
            let (now_open, demo, team) = {
                let state = app.state::<AppState>();
                let open = state.db_path();
                let demo = open != state.owner_db();
                (open, demo, state.team_database())
            };
            if let Some(team) = team {
                // On a team database the live link (`team.rs`) refreshes the views and
                // notifies; the round only fetches, raises the team's alerts once and sends
                // the replies this seat holds credentials for.
                if let Some(sel) = selection {
                    run_team_round(&app, team.url.clone(), sel).await;
                }
                // What this person's preferences held back (quiet hours, a pause, the daily
                // summary) is shown when its time comes: each tick asks again.
                let owner_db = app.state::<AppState>().owner_db().to_path_buf();
                let app_now = app.clone();
                let _ = tauri::async_runtime::spawn_blocking(move || {
                    crate::team::notify_team_alerts(&app_now, &owner_db, &team.url)
                })
                .await;
                continue;
            }
            if now_open != opened.db {
                opened = Opened::new(now_open);
            }
            if demo {
                // Nothing to fetch in the demo; a Sync now still ends, so its indicator stops.
                if matches!(selection, Some(Selection::All | Selection::Ids(_))) {
                    let _ = app.emit(SYNC_STATE, SyncState::idle());
                }
                update_tray(&app, &opened.db);
                continue;
            }
            match selection {
                Some(sel) => run_round(&app, &opened.db, Arc::clone(&opened.secrets), sel).await,
                None => deliver_pending(&app, &opened.db),
            }
        }
    });
    Background::new(tx)
}

/// The database the worker works on, with its credentials (named after its identity, held back
/// where it waits for the owner's confirmation); none when it cannot be opened, which the round
/// reports.
struct Opened {
    db: PathBuf,
    secrets: Arc<dyn SecretStore>,
}

impl Opened {
    fn new(db: PathBuf) -> Opened {
        let secrets: Arc<dyn SecretStore> = match Store::open(&db).and_then(|s| s.secrets()) {
            Ok(s) => Arc::from(s),
            Err(_) => Arc::new(secrets::MemorySecrets::default()),
        };
        Opened { db, secrets }
    }
}

impl SyncState {
    /// No round running, nothing learned (the alert count unknown).
    fn idle() -> SyncState {
        SyncState {
            running: false,
            new: 0,
            updated: 0,
            failed: 0,
            unread_alerts: -1,
        }
    }
}

async fn run_round<R: Runtime>(
    app: &AppHandle<R>,
    db: &std::path::Path,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
) {
    // A round is not cut short by a restart in the tray (`relaunch.rs`); it would be safe, as a
    // crash is, but its notifications would wait for the next round.
    let _busy = app.state::<AppState>().activity.begin();
    let _ = app.emit(
        SYNC_STATE,
        SyncState {
            running: true,
            new: 0,
            updated: 0,
            failed: 0,
            unread_alerts: -1,
        },
    );
    let sink = app.clone();
    let events: EventSink = Arc::new(move |e| {
        let _ = sink.emit(SYNC_PROGRESS, e);
    });
    let now = Local::now().fixed_offset();
    let opts = RoundOptions::default();
    let outcome = actions::sync_round(db, secrets, selection, &opts, events, now).await;
    let state = match outcome {
        Ok(done) => {
            deliver(app, db, &done.round.plan);
            let (new, updated) = (done.new_items(), done.changed_items());
            let replied = !done.replies.posted.is_empty() || !done.replies.failed.is_empty();
            if new + updated > 0 || !done.round.new_alerts.is_empty() || replied {
                let _ = app.emit(REVIEWS_CHANGED, ());
            }
            SyncState {
                running: false,
                new,
                updated,
                failed: done.round.sources.iter().filter(|s| !s.ok).count(),
                unread_alerts: done.round.unread_alerts,
            }
        }
        Err(e) => {
            eprintln!("earshot-desktop: background sync failed: {e}");
            SyncState::idle()
        }
    };
    let _ = app.emit(SYNC_STATE, state);
    update_tray(app, db);
}

/// A round on the team database at `url`: the core's own (`sync_round_with`), with this seat's
/// credentials for that database, read through the connection the round then uses (one, not
/// one for the keys and another for the round). Its notifications are the live link's, not the
/// round's.
async fn run_team_round<R: Runtime>(app: &AppHandle<R>, url: String, selection: Selection) {
    let _busy = app.state::<AppState>().activity.begin();
    let _ = app.emit(
        SYNC_STATE,
        SyncState {
            running: true,
            ..SyncState::idle()
        },
    );
    let location = DbLocation::Postgres(url);
    let opened = location.clone();
    let opened = tauri::async_runtime::spawn_blocking(move || {
        let db = Db::open(&opened)?;
        let secrets = db.secrets()?;
        Ok::<_, earshot::store::StoreError>((db, secrets))
    })
    .await;
    let state = match opened {
        Ok(Ok((db, secrets))) => {
            let sink = app.clone();
            let events: EventSink = Arc::new(move |e| {
                let _ = sink.emit(SYNC_PROGRESS, e);
            });
            let now = Local::now().fixed_offset();
            let opts = RoundOptions::default();
            match actions::sync_round_with(
                &location,
                Some(db),
                Arc::from(secrets),
                selection,
                &opts,
                events,
                now,
            )
            .await
            {
                Ok(done) => SyncState {
                    running: false,
                    new: done.new_items(),
                    updated: done.changed_items(),
                    failed: done.round.sources.iter().filter(|s| !s.ok).count(),
                    unread_alerts: done.round.unread_alerts,
                },
                Err(e) => {
                    eprintln!("earshot-desktop: background sync on the team database failed: {e}");
                    SyncState::idle()
                }
            }
        }
        Ok(Err(e)) => {
            eprintln!("earshot-desktop: team database: {e}");
            SyncState::idle()
        }
        Err(e) => {
            eprintln!("earshot-desktop: background task failed: {e}");
            SyncState::idle()
        }
    };
    if state.unread_alerts >= 0 {
        crate::tray::show_unread(app, state.unread_alerts);
    }
    let _ = app.emit(SYNC_STATE, state);
}

/// Shows what the plan says now, then records it so nothing is shown twice.
fn deliver<R: Runtime>(app: &AppHandle<R>, db: &std::path::Path, plan: &earshot::alerts::Plan) {
    if plan.notify_now.is_empty() {
        return;
    }
    for n in &plan.notify_now {
        crate::notify::alert(app, n);
    }
    match Store::open(db) {
        Ok(store) => {
            if let Err(e) = earshot::alerts::record_sent(&store, plan, chrono::Utc::now()) {
                eprintln!("earshot-desktop: could not record notifications: {e}");
            }
        }
        Err(e) => eprintln!("earshot-desktop: {e}"),
    }
    if let Some(last) = plan.notify_now.iter().rev().find_map(|n| n.review_id) {
        app.state::<LastNotified>().set(last);
    }
}

fn deliver_pending<R: Runtime>(app: &AppHandle<R>, db: &std::path::Path) {
    let Ok(store) = Store::open(db) else { return };
    if let Ok(plan) = sync::plan_notifications(&store, Local::now().fixed_offset()) {
        drop(store);
        deliver(app, db, &plan);
    }
    update_tray(app, db);
}

/// The tray shows how many alerts wait to be looked at.
fn update_tray<R: Runtime>(app: &AppHandle<R>, db: &std::path::Path) {
    let unread = Store::open(db)
        .and_then(|s| s.unread_alert_count())
        .unwrap_or(0);
    crate::tray::show_unread(app, unread);
}
