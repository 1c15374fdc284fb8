//! The schedule of rounds: what the app's background worker runs while it is open, and what
//! `earshot watch` runs without a window (issue 28, "Headless").
//!
//! Both take the same round ([`super::sync_round`]: sync, alerts, channels, outbox) on the same
//! clock: every [`tick`] they look for the sources whose own schedule has come
//! ([`Selection::Due`]: 15 minutes for reviews, 5 for mentions, longer after failures or while a
//! platform's limit pauses them). `earshot watch --interval` replaces the sources' own schedules
//! with its interval ([`Selection::Every`]) but keeps the pauses and backoffs. The app and a
//! watcher on one database share the work safely: each source is synced under a lease in the
//! database, and each alert message and queued reply is claimed before it is sent.
//!
//! On a team database (issue 31) a watcher runs the same round: it syncs the sources this seat
//! holds keys for, raises the team's alerts, delivers the team's channels and sends the team's
//! queued replies. Between rounds it listens on the team's live link (`LISTEN earshot`, on a
//! connection of its own): when another seat queues or approves a reply, or raises an alert, it
//! sends at once (a round that syncs nothing) rather than at the next interval. Everything it
//! sends is claimed once for the team first, so a watcher stopped or killed mid-send leaves a
//! claim that no other seat repeats, never a message sent twice.
//!
//! Nothing here prints or knows of signals: the caller gets each round's report and hands in the
//! future that says when to stop.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::sync::{sync_round_keeping, RoundOptions, RoundReport};
use super::Result;
use crate::secrets::SecretStore;
use crate::store::postgres::listener::{self, LinkEvent};
use crate::store::postgres::{DropOffRuntime, PgStore};
use crate::store::DbLocation;
use crate::sync::{no_events, Selection};

/// How often due sources are looked for. Each source keeps its own schedule; this only bounds
/// how late a due source starts. Tests shorten it with `EARSHOT_SYNC_TICK_SECS`.
pub const TICK: Duration = Duration::from_secs(60);

/// [`TICK`], or `EARSHOT_SYNC_TICK_SECS` when set to a positive number of seconds.
pub fn tick() -> Duration {
    std::env::var("EARSHOT_SYNC_TICK_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(TICK, Duration::from_secs)
}

/// A stop asked for during a round waits this long for the round to finish, so its leases are
/// given back and its messages recorded; then the watcher ends anyway (a round cut short is safe:
/// the next one resumes from the last page stored and sends nothing twice). Well under systemd's
/// default 90 s before it kills a service that does not stop.
pub const STOP_GRACE: Duration = Duration::from_secs(30);

/// How a watcher runs.
#[derive(Debug, Clone, Default)]
pub struct WatchOptions {
    pub round: RoundOptions,
    /// Sync each source at least this often, and look this often; `None`: each source's own
    /// schedule, looked for every [`tick`].
    pub interval: Option<Duration>,
    /// One round, then return.
    pub once: bool,
}

impl WatchOptions {
    /// The sources each round takes.
    pub fn selection(&self) -> Selection {
        match self.interval {
            Some(every) => Selection::Every(every),
            None => Selection::Due,
        }
    }

    /// The wait between the starts of two rounds.
    pub fn period(&self) -> Duration {
        self.interval
            .unwrap_or_else(tick)
            .max(Duration::from_secs(1))
    }
}

/// Runs rounds on schedule until `stop` resolves (or after one with `once`); hands each round's
/// outcome to `on_round` and returns how many rounds ran. A round that fails (the database
/// could not be opened) is reported and the next one tried on schedule: a watcher outlives a
/// disk that was briefly full.
pub async fn watch<S, F>(
    db: &Path,
    secrets: Arc<dyn SecretStore>,
    opts: &WatchOptions,
    on_round: F,
    stop: S,
) -> u64
where
    S: Future<Output = ()>,
    F: FnMut(Result<RoundReport>),
{
    let db = DbLocation::File(db.to_path_buf());
    watch_at(&db, secrets, opts, on_round, stop).await
}

/// [`watch`] on a database of either kind. On a team database it also wakes between rounds when
/// another seat queues a reply or raises an alert, and sends them then (a round that syncs no
/// source), reported to `on_round` like any round.
pub async fn watch_at<S, F>(
    db: &DbLocation,
    secrets: Arc<dyn SecretStore>,
    opts: &WatchOptions,
    mut on_round: F,
    stop: S,
) -> u64
where
    S: Future<Output = ()>,
    F: FnMut(Result<RoundReport>),
{
    tokio::pin!(stop);
    let period = opts.period();
    let mut rounds = 0;
    let mut woken = match db {
        DbLocation::Postgres(_) if !opts.once => Some(hear_team_work(db.clone())),
        _ => None,
    };
    // A team database's connection, kept from one round to the next (a watcher's rounds and
    // sends come every few minutes or seconds); closed off the runtime when the watch ends.
    let mut kept = DropOffRuntime::new(None);
    loop {
        let started = tokio::time::Instant::now();
        let now = chrono::Local::now().fixed_offset();
        // In a block of its own: the pinned round lets go of `kept` before the sends below.
        {
            let round = sync_round_keeping(
                db,
                &mut kept,
                Arc::clone(&secrets),
                opts.selection(),
                &opts.round,
                no_events(),
                now,
            );
            tokio::pin!(round);
            let finished = tokio::select! {
                done = &mut round => Some(done),
                _ = &mut stop => None,
            };
            rounds += 1;
            match finished {
                Some(done) => on_round(done),
                None => {
                    if let Ok(done) = tokio::time::timeout(STOP_GRACE, round).await {
                        on_round(done);
                    }
                    return rounds;
                }
            }
        }
        if opts.once {
            return rounds;
        }
        // Until the next round: sleep, or send what another seat has just handed the team.
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(started + period) => break,
                _ = &mut stop => return rounds,
                _ = next_wake(&mut woken) => {}
            }
            let now = chrono::Local::now().fixed_offset();
            let send = sync_round_keeping(
                db,
                &mut kept,
                Arc::clone(&secrets),
                Selection::Ids(Vec::new()),
                &opts.round,
                no_events(),
                now,
            );
            tokio::pin!(send);
            rounds += 1;
            tokio::select! {
                done = &mut send => on_round(done),
                _ = &mut stop => {
                    if let Ok(done) = tokio::time::timeout(STOP_GRACE, send).await {
                        on_round(done);
                    }
                    return rounds;
                }
            }
        }
    }
}

/// Resolves when the team has handed this seat work (see [`hear_team_work`]); never on a file.
async fn next_wake(woken: &mut Option<tokio::sync::mpsc::Receiver<()>>) {
    match woken {
        Some(heard) => {
            if heard.recv().await.is_none() {
                // The listening thread is gone: rounds on schedule only.
                *woken = None;
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending::<()>().await,
    }
}

/// Listens on the team database's live link, on a thread and connection of its own (the
/// `postgres` client blocks), and says when a reply was queued, approved or changed, or an alert
/// raised: the work a watcher sends. Changes heard together wake it once (a channel of one).
/// A reconnection wakes it too, since what was said while the link was down is lost. The thread
/// ends when the watcher drops the receiver.
///
/// The watcher's own sends change replies too and so wake it once more; that round finds
/// nothing left and writes nothing, so it stops there (a seat waiting for credentials rewrites
/// no unchanged note: see `PgStore::note_reply_waiting`).
fn hear_team_work(db: DbLocation) -> tokio::sync::mpsc::Receiver<()> {
    let (wake, woken) = tokio::sync::mpsc::channel(1);
    std::thread::spawn(move || {
        let DbLocation::Postgres(url) = &db else {
            return;
        };
        // A lasting failure (a newer schema) ends the link; the watcher's own rounds say why.
        let _ = listener::listen(
            &mut || PgStore::open(url),
            &|| wake.is_closed(),
            &mut |event, _| {
                let work = match event {
                    LinkEvent::Connected { again } => again,
                    LinkEvent::Changes(changes) => changes
                        .iter()
                        .any(|c| c.kind == "reply" || c.kind == "alert"),
                    LinkEvent::Lost { .. } => false,
                };
                if work {
                    // Full: a wake is already waiting, and it covers this change too.
                    let _ = wake.try_send(());
                }
                Ok(true)
            },
        );
    });
    woken
}
