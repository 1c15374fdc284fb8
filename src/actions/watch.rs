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
//! Nothing here prints or knows of signals: the caller gets each round's report and hands in the
//! future that says when to stop.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::sync::{sync_round, RoundOptions, RoundReport};
use super::Result;
use crate::secrets::SecretStore;
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
    loop {
        let started = tokio::time::Instant::now();
        let now = chrono::Local::now().fixed_offset();
        let round = sync_round(
            db,
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
        if opts.once {
            return rounds;
        }
        tokio::select! {
            _ = tokio::time::sleep_until(started + period) => {}
            _ = &mut stop => return rounds,
        }
    }
}
