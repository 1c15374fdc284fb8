//! The round: what the app runs on its timer and on Sync now, and what `earshot sync` runs.
//!
//! A round syncs the selected sources, checks the alert rules over what arrived and plans the
//! notifications (`crate::sync::round`), then sends the replies waiting in the outbox. The app
//! and the CLI differ only in what they do with the report: the app shows the notifications and
//! updates the tray, the CLI prints a summary (and leaves the notifications for the app).

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::channels::DeliverReport;
use crate::replies::outbox::{Outbox, OutboxConfig, RunReport};
use crate::secrets::SecretStore;
use crate::store::postgres::{off_runtime, DropOffRuntime, PG_SCHEMA_VERSION};
use crate::store::{Db, DbLocation};
use crate::sync::{EventSink, Round, Selection, SyncOptions};

use super::replies::ReplyCreds;
use super::{ActionError, Result};

/// How a round runs: the sync's knobs, the outbox's, and where reply tokens come from.
#[derive(Debug, Clone, Default)]
pub struct RoundOptions {
    pub sync: SyncOptions,
    pub outbox: OutboxConfig,
    /// Take reply tokens from `EARSHOT_TOKEN_<CONNECTOR>` first (the CLI).
    pub env_tokens: bool,
}

/// What a round did: the sync and alerts ([`Round`]) and the replies it sent.
#[derive(Debug, Clone, Serialize)]
pub struct RoundReport {
    #[serde(flatten)]
    pub round: Round,
    /// The queued replies the outbox sent (or gave up on) in this round.
    pub replies: RunReport,
    /// Why the outbox could not run, when it could not; the sync and alerts still count.
    pub replies_error: Option<String>,
    /// The alerts sent to the owner's channels (e-mail, webhooks, ntfy) in this round.
    pub channels: DeliverReport,
    /// Why the channels could not be served, when they could not; a channel that fails to
    /// answer is recorded on its delivery instead, and retried.
    pub channels_error: Option<String>,
    /// Today's backup, when this round made it (the first round of a day; see
    /// [`crate::backup::daily_if_due`]), and why it could not be made, when it could not.
    pub backup: Option<crate::backup::BackupFile>,
    pub backup_error: Option<String>,
}

impl RoundReport {
    /// New, updated and removed items over every source.
    pub fn new_items(&self) -> u64 {
        self.round.sources.iter().map(|s| s.new).sum()
    }

    pub fn changed_items(&self) -> u64 {
        self.round
            .sources
            .iter()
            .map(|s| s.updated + s.removed)
            .sum()
    }

    /// Sources whose sync failed.
    pub fn failed_sources(&self) -> usize {
        self.round
            .sources
            .iter()
            .filter(|s| s.status == "error")
            .count()
    }
}

/// Runs one round at `now` (the owner's local time, for quiet hours and the digest).
pub async fn sync_round(
    db: &Path,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
    opts: &RoundOptions,
    events: EventSink,
    now: DateTime<FixedOffset>,
) -> Result<RoundReport> {
    let db = DbLocation::File(db.to_path_buf());
    sync_round_at(&db, secrets, selection, opts, events, now).await
}

/// [`sync_round`] on a database of either kind: a file, or a team's PostgreSQL database.
pub async fn sync_round_at(
    db: &DbLocation,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
    opts: &RoundOptions,
    events: EventSink,
    now: DateTime<FixedOffset>,
) -> Result<RoundReport> {
    sync_round_with(db, None, secrets, selection, opts, events, now).await
}

/// [`sync_round_at`] with `open`, a connection to the team database `db` the caller already
/// holds (the app's, which read this seat's keys through it), for the round's own steps
/// rather than another; `None` opens one. Ignored on a file.
pub async fn sync_round_with(
    db: &DbLocation,
    open: Option<Db>,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
    opts: &RoundOptions,
    events: EventSink,
    now: DateTime<FixedOffset>,
) -> Result<RoundReport> {
    // The connection left open after the round is closed off the runtime when this ends.
    let mut done = DropOffRuntime::new(None);
    round_then_send(db, open, &mut done, secrets, selection, opts, events, now).await
}

/// [`sync_round_at`] for a caller that runs rounds one after another (`earshot watch`): the
/// team database's connection a round used is left in `kept` for the next one, rather than one
/// opened and closed for every round; a connection the server closed is not kept, and the next
/// round opens another. The caller closes what is kept off the async runtime.
pub async fn sync_round_keeping(
    db: &DbLocation,
    kept: &mut Option<Db>,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
    opts: &RoundOptions,
    events: EventSink,
    now: DateTime<FixedOffset>,
) -> Result<RoundReport> {
    let open = match kept.take() {
        // A newer Earshot may have upgraded the schema since the last round: then the kept
        // connection goes, and opening another refuses the schema as every open does.
        Some(Db::Postgres(team)) => {
            let current = off_runtime(|| team.schema_version().ok() == Some(PG_SCHEMA_VERSION));
            if current {
                Some(Db::Postgres(team))
            } else {
                drop(DropOffRuntime::new(team));
                None
            }
        }
        other => other,
    };
    round_then_send(db, open, kept, secrets, selection, opts, events, now).await
}

/// The round, then the outbox, the deliveries and the backup ([`after_sync`]); the team
/// database's connection, still open after them, is left in `done`.
#[allow(clippy::too_many_arguments)]
async fn round_then_send(
    db: &DbLocation,
    open: Option<Db>,
    done: &mut Option<Db>,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
    opts: &RoundOptions,
    events: EventSink,
    now: DateTime<FixedOffset>,
) -> Result<RoundReport> {
    // On a team database the round's own reads and writes, the outbox and the deliveries share
    // one connection (each source syncs on its own); a file's steps open the file as before.
    let (round, team) = match db {
        DbLocation::File(_) => {
            let secrets = Arc::clone(&secrets);
            let round = crate::sync::round_at(db, secrets, selection, &opts.sync, events, now);
            (round.await?, None)
        }
        DbLocation::Postgres(_) => {
            // Closed off the runtime should the round be dropped mid-way.
            let mut team = DropOffRuntime::new(match open {
                Some(team @ Db::Postgres(_)) => team,
                _ => off_runtime(|| Db::open(db))?,
            });
            let secrets = Arc::clone(&secrets);
            let round = crate::sync::round_on_team(
                db, &mut team, secrets, selection, &opts.sync, events, now,
            );
            (round.await?, Some(team.into_inner()))
        }
    };
    let ((sent, delivered, backup), still_open) = after_sync(db, team, secrets, opts, now).await;
    *done = still_open;
    let (replies, replies_error) = match sent {
        Ok(r) => (r, None),
        Err(e) => (RunReport::default(), Some(e.to_string())),
    };
    let (channels, channels_error) = match delivered {
        Ok(r) => (r, None),
        Err(e) => (DeliverReport::default(), Some(e.to_string())),
    };
    let (backup, backup_error) = match backup {
        Ok(b) => (b, None),
        Err(e) => (None, Some(e)),
    };
    Ok(RoundReport {
        round,
        replies,
        replies_error,
        channels,
        channels_error,
        backup,
        backup_error,
    })
}

/// What a round does after the sync and the alert check, on one thread and one connection of
/// its own (the outbox and the channels borrow the store across awaits, so the round stays
/// `Send` for the app's async runtime): sends the outbox's queued replies, then the alerts not
/// yet delivered to each channel that wants them, the ones this round raised included, then
/// makes the day's backup if none exists yet (Settings promises one a day while Earshot runs;
/// a demo's made-up reviews get none). Each part fails on its own: a failed outbox does not
/// keep the alerts from the owner, nor a full backup disk the next round.
///
/// On a team database this seat sends the team's queued replies it holds the credentials for
/// (each claimed once for the team; the rest stay queued for a seat that holds theirs), then
/// the alerts not yet delivered to the team's channels (each message claimed once for the team;
/// an e-mail channel whose password this seat's keyring lacks is left to a seat that holds it).
/// Its backup is the server's (pg_dump), not a file beside it.
async fn after_sync(
    db: &DbLocation,
    open: Option<Db>,
    secrets: Arc<dyn SecretStore>,
    opts: &RoundOptions,
    now: DateTime<FixedOffset>,
) -> (AfterSync, Option<Db>) {
    let db = db.clone();
    let config = opts.outbox.clone();
    let env_tokens = opts.env_tokens;
    let task = tokio::task::spawn_blocking(move || {
        let mut store = match open.map_or_else(|| Db::open(&db), Ok) {
            Ok(store) => store,
            Err(e) => {
                let e = e.to_string();
                let failed = (
                    Err(ActionError::Runtime(e.clone())),
                    Err(ActionError::Runtime(e.clone())),
                    Err(e),
                );
                return (failed, None);
            }
        };
        let sent = super::block_on(async {
            let creds = ReplyCreds {
                stored: secrets.as_ref(),
                env_tokens,
            };
            let outbox = Outbox::new(&store, &creds, config)?;
            Ok(outbox.run().await?)
        });
        let delivered = crate::channels::http_client()
            .map_err(|e| ActionError::Runtime(e.to_string()))
            .and_then(|http| {
                super::block_on(async {
                    crate::channels::deliver(&mut store, secrets.as_ref(), &http, now)
                        .await
                        .map_err(|e| ActionError::Runtime(e.to_string()))
                })
            });
        let backup = match (&store, &db) {
            (Db::Sqlite(file), DbLocation::File(path)) if !super::demo::is_demo_db(path) => {
                crate::backup::daily_if_due(file, now.date_naive()).map_err(|e| e.to_string())
            }
            _ => Ok(None),
        };
        // A team database's connection goes back to the caller while it is open; a file is
        // closed here.
        let still_open = match store {
            Db::Postgres(team) if !team.is_closed() => Some(Db::Postgres(team)),
            _ => None,
        };
        ((sent, delivered, backup), still_open)
    });
    match task.await {
        Ok(all) => all,
        Err(e) => {
            let e = format!("the outbox and alert channels task failed: {e}");
            let failed = (
                Err(ActionError::Runtime(e.clone())),
                Err(ActionError::Runtime(e.clone())),
                Err(e),
            );
            (failed, None)
        }
    }
}

/// What [`after_sync`] did: the outbox's run, the channels' deliveries, the day's backup.
type AfterSync = (
    Result<RunReport>,
    Result<DeliverReport>,
    std::result::Result<Option<crate::backup::BackupFile>, String>,
);
