//! The sync engine: runs sources on their schedule or on demand, concurrently with a bound,
//! page by page.
//!
//! Each page is written in one transaction together with the cursor that follows it
//! ([`Store::write_page`]), so a crash or a kill between pages resumes from the last page stored:
//! nothing is lost and the upsert on `(source, external_id)` doubles nothing. A run that reaches
//! the end of the listing promotes its newest mark to the watermark the next run stops at.
//!
//! Two processes on one database (the app and `earshot watch`, or `earshot sync` beside them) never
//! sync one source at once: a run takes the source's lease in the database first
//! ([`Store::take_sync_lease`], one `UPDATE … WHERE` the lease is free or expired), renews it with
//! each page and gives it back at the end; a source another run holds is reported `busy` and left
//! to it. A lease a killed process left is taken over at once when that process was on this
//! computer and is gone, else once it expires ([`SyncOptions::lease`] after its last renewal).
//!
//! On a team database (PostgreSQL, issue 31) the seats coordinate through the engine instead:
//! a run claims each source with [`crate::store::postgres::PgStore::hold_sync`] (an advisory
//! lock held by the connection the run writes on, for the whole run, freed by the server if the
//! seat dies) and reports a source another seat holds `busy`. A source whose key this computer does
//! not hold (credentials stay on the machines that sync) is reported `skipped`, not failed.
//!
//! Failures are kept in words on the source (`sources list`, the Sources screen); a source that
//! keeps failing, or whose credentials are refused, raises a source-health alert. A platform's
//! rate limit pauses the source until the limit resets and is not counted as a failure.

mod cursor;
mod round;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use cursor::SyncCursor;
pub use round::{plan_notifications, round, round_at, round_on_team, Round, RoundError};

use crate::model::alerts::{AlertKind, AlertState, NewAlert};
use crate::model::{SourceId, WriteCounts};
use crate::platforms::http::{Http, HttpConfig};
use crate::platforms::ConnectorSpec;
use crate::secrets::SecretStore;
use crate::sources::text::newer;
use crate::sources::{self, Ctx, PageRequest, SourceError};
use crate::store::postgres::{off_runtime, DropOffRuntime};
use crate::store::{AlertStore, Db, DbLocation};
use crate::store::{Source, Store, StoreError};

/// Knobs of a sync run. Defaults suit the app and the CLI; tests shrink the timings.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub http: HttpConfig,
    /// Sources synced at the same time.
    pub concurrency: usize,
    /// Pages per source in one run; a longer backfill resumes on the next run (issue 33: a server
    /// claiming 10^9 pages costs one run's worth at a time, never the whole claim).
    pub max_pages: u32,
    /// Items per source in one run, the same way: the run stops after the page that reaches it.
    pub max_items: u64,
    /// Consecutive failed runs before a source-health alert.
    pub health_after: i64,
    /// How long a source's sync lease lasts without renewal; renewed with every page, so it only
    /// bounds how long a source a killed process was syncing waits before another takes it.
    pub lease: std::time::Duration,
}

/// A sync lease lasts this long past its last page: longer than one page can take with its
/// retries and waits (the HTTP policy's timeout times its attempts, plus backoff), short enough
/// that a source a killed `earshot watch` held is synced again within the quarter hour.
pub const SYNC_LEASE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// A holder name for one run's leases: this computer, this process and a sequence number, so two
/// runs in one process exclude each other as two processes do, and a lease whose process is gone
/// from this computer can be told from a live one ([`holder_is_gone`]).
fn lease_holder() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static STARTED: OnceLock<u128> = OnceLock::new();
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let started = STARTED.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    });
    format!(
        "{}/{}-{started:x}-{}",
        host_name().unwrap_or_default(),
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    )
}

/// This computer's name, where the kernel tells it (Linux).
fn host_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// Whether a lease holder was a process of this computer that no longer runs: a watcher killed
/// mid-sync (SIGKILL, a crash, a power cut) and restarted by systemd need not wait for its old
/// lease to expire. Only where the kernel lists processes (Linux `/proc`); elsewhere, and for
/// another computer's process (a database on a shared drive), the lease runs out instead.
fn holder_is_gone(holder: &str) -> bool {
    let Some((host, rest)) = holder.split_once('/') else {
        return false;
    };
    let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
        return false;
    };
    let proc = Path::new("/proc");
    host_name().is_some_and(|h| h == host)
        && pid != std::process::id()
        && proc.join("self").exists()
        && !proc.join(pid.to_string()).exists()
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            http: HttpConfig::default(),
            concurrency: 4,
            max_pages: MAX_PAGES_PER_RUN,
            max_items: MAX_ITEMS_PER_RUN,
            health_after: 3,
            lease: SYNC_LEASE,
        }
    }
}

/// Pages one source reads in one run: 500 pages is 50,000 Trustpilot reviews, a long history's
/// backfill over a few runs, and at most 8 GB of answers at the 16 MB body cap.
pub const MAX_PAGES_PER_RUN: u32 = 500;

/// Items one source stores in one run: a backfill of a large business continues on the next
/// runs (a minute apart), and a server that pads its pages cannot fill the database at once.
pub const MAX_ITEMS_PER_RUN: u64 = 50_000;

/// Which sources a run takes.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Every source (Sync now, `earshot sync`).
    All,
    /// Those whose next sync time has come (the background scheduler).
    Due,
    /// Those due, and those last synced at least this long ago whatever their own schedule
    /// (`earshot watch --interval`); a platform's pause and the backoff after failures still hold.
    Every(std::time::Duration),
    /// These, in this order.
    Ids(Vec<SourceId>),
}

/// What happened to one source in a run.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    pub source_id: SourceId,
    pub business: String,
    pub platform: String,
    pub label: String,
    pub ok: bool,
    /// `ok`, `error`, `paused`, `busy` (another run, in this process or another, or another
    /// seat of a team database, was syncing it; left to that run, not a failure) or `skipped`
    /// (a team database's source whose key this computer does not hold; left to the seats that
    /// hold it, not a failure).
    pub status: &'static str,
    pub error: Option<String>,
    pub error_code: Option<&'static str>,
    pub paused_until: Option<String>,
    pub pages: u32,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub removed: u64,
    /// Entries the platform sent that could not be read and were left out (a feed entry
    /// without its date); the rest was kept.
    pub skipped: u64,
    /// Whether the listing was read to its end (a long backfill continues next run).
    pub complete: bool,
    /// Why the run stopped before the end of the listing, when a per-run limit stopped it
    /// ("500 pages, the most one sync reads"); the rest follows on the next sync.
    pub limit: Option<String>,
    /// Items whose text or fields were over the caps and were cut (`model::limits`).
    pub truncated: u64,
    pub duration_ms: u64,
}

/// Progress, for a progress bar or the app's Sources screen.
// `Finished` is sent once per source per run, by value to the app's channel: its size costs
// nothing, and a box would change every match on it.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SyncEvent {
    Started {
        source_id: SourceId,
        label: String,
    },
    Page {
        source_id: SourceId,
        pages: u32,
        new: u64,
        updated: u64,
    },
    Finished(SourceReport),
}

pub type EventSink = Arc<dyn Fn(&SyncEvent) + Send + Sync>;

/// How long the work after a sync may spend merging the search index's segments. A 1M-review
/// import leaves about 1.5 s of merging; a larger one finishes over the next rounds.
const SEARCH_TIDY_BUDGET: std::time::Duration = std::time::Duration::from_secs(5);

/// Merges what imports left unmerged in the search index (`Store::merge_search_index`), after
/// the app's background round and `earshot sync`. Only upkeep: an error (another writer held
/// the database too long) leaves the index as it is, complete and searchable, for the next try.
pub fn tidy_search_index(store: &Store) {
    let _ = store.merge_search_index(SEARCH_TIDY_BUDGET);
}

/// An event sink that drops everything.
pub fn no_events() -> EventSink {
    Arc::new(|_| {})
}

/// Runs `f` over the store: at once on a file, off the async runtime on a team database (the
/// team store's client drives a runtime of its own: [`off_runtime`]).
fn on<T: Send>(db: &mut Db, f: impl FnOnce(&mut Db) -> T + Send) -> T {
    if matches!(db, Db::Sqlite(_)) {
        f(db)
    } else {
        off_runtime(move || f(db))
    }
}

/// Runs the selected sources of the database file `db` and reports on each, in the order they
/// were selected.
pub async fn run(
    db: &Path,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
    opts: &SyncOptions,
    events: EventSink,
) -> Result<Vec<SourceReport>, StoreError> {
    run_at(
        &DbLocation::File(db.to_path_buf()),
        secrets,
        selection,
        opts,
        events,
    )
    .await
}

/// [`run`] on a database of either kind: a file, or a team's PostgreSQL database. Each source
/// is synced on a connection of its own.
pub async fn run_at(
    db: &DbLocation,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
    opts: &SyncOptions,
    events: EventSink,
) -> Result<Vec<SourceReport>, StoreError> {
    let mut store = DropOffRuntime::new(off_runtime(|| Db::open(db))?);
    run_on(db, &mut store, secrets, selection, opts, events).await
}

/// [`run_at`] with `store`, an open connection to `db`, for the run's own reads and writes
/// (which sources, and the expiry of kept content after them): a round on a team database
/// passes the one connection its other steps use. Each source is still synced on a connection
/// of its own, which holds its claim.
pub async fn run_on(
    db: &DbLocation,
    store: &mut Db,
    secrets: Arc<dyn SecretStore>,
    selection: Selection,
    opts: &SyncOptions,
    events: EventSink,
) -> Result<Vec<SourceReport>, StoreError> {
    let list: Vec<Source> = on(store, |store| -> Result<Vec<Source>, StoreError> {
        Ok(match &selection {
            Selection::All => syncable(store.sources()?),
            Selection::Due => syncable(store.due_sources(Utc::now().timestamp())?),
            Selection::Every(every) => {
                let now = Utc::now().timestamp();
                let every = i64::try_from(every.as_secs()).unwrap_or(i64::MAX);
                let list = store.sources()?.into_iter();
                syncable(list.filter(|s| due_every(s, now, every)).collect())
            }
            Selection::Ids(ids) => ids
                .iter()
                .map(|id| store.source(*id))
                .collect::<Result<_, _>>()?,
        })
    })?;
    let http = Arc::new(
        Http::new(opts.http.clone()).map_err(|e| StoreError::Invalid {
            what: "HTTP client",
            reason: e.to_string(),
        })?,
    );
    let permits = Arc::new(tokio::sync::Semaphore::new(opts.concurrency.max(1)));
    let holder: Arc<str> = Arc::from(lease_holder());
    let mut tasks = tokio::task::JoinSet::new();
    for (order, source) in list.into_iter().enumerate() {
        let db = db.clone();
        let secrets = Arc::clone(&secrets);
        let http = Arc::clone(&http);
        let permits = Arc::clone(&permits);
        let events = Arc::clone(&events);
        let opts = opts.clone();
        let holder = Arc::clone(&holder);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore open");
            let run = Run {
                secrets: secrets.as_ref(),
                http: &http,
                opts: &opts,
                events: &events,
                holder: &holder,
            };
            let report = sync_source(&db, source, &run).await;
            events(&SyncEvent::Finished(report.clone()));
            (order, report)
        });
    }
    let mut reports = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(r) => reports.push(r),
            Err(e) => {
                return Err(StoreError::Invalid {
                    what: "sync",
                    reason: format!("a sync task failed: {e}"),
                })
            }
        }
    }
    reports.sort_by_key(|(order, _)| *order);
    on(store, |store| expire_kept_content(store, Utc::now()))?;
    Ok(reports.into_iter().map(|(_, r)| r).collect())
}

/// Whether a source is due at `now` when each is synced at least every `every` seconds.
pub fn due_every(s: &Source, now: i64, every: i64) -> bool {
    let own = s.next_sync_at.is_none_or(|t| t <= now);
    let held = matches!(
        s.status,
        crate::store::SourceStatus::Paused | crate::store::SourceStatus::Error
    );
    own || (!held
        && s.last_sync_at
            .is_none_or(|t| t <= now.saturating_sub(every)))
}

/// Deletes what a platform's terms do not let Earshot keep any longer (Google Places: reviews
/// and the place's figures 30 days after Google last sent them), for every source of such a
/// platform, synced this run or not: a source that stopped syncing must not keep them either.
/// Returns how many reviews went.
pub fn expire_kept_content(store: &mut Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let mut expired = 0;
    for source in store.sources_uncounted()? {
        let Some(days) =
            crate::platforms::find(&source.connector).and_then(|p| p.keeps_content_days())
        else {
            continue;
        };
        expired += store.expire_source_content(source.id, now.timestamp() - days * 86_400)?;
    }
    Ok(expired)
}

/// Sources a sync can read: all but the ones a one-off import (or the demo) created, which are
/// files without a path to read again.
fn syncable(list: Vec<Source>) -> Vec<Source> {
    list.into_iter().filter(is_syncable).collect()
}

pub fn is_syncable(source: &Source) -> bool {
    sources::spec(&source.connector).is_none_or(|s| s.feed != crate::platforms::Feed::File)
        || source
            .settings
            .get("path")
            .and_then(|p| p.as_str())
            .is_some_and(|p| !p.is_empty())
}

/// What a successful run of one source did.
#[derive(Debug, Default)]
struct Outcome {
    pages: u32,
    counts: WriteCounts,
    removed: u64,
    skipped: u64,
    complete: bool,
    limit: Option<String>,
    truncated: u64,
}

/// What every source of one run shares.
struct Run<'a> {
    secrets: &'a dyn SecretStore,
    http: &'a Http,
    opts: &'a SyncOptions,
    events: &'a EventSink,
    /// This run's name on the leases it takes.
    holder: &'a str,
}

impl Run<'_> {
    /// Takes or renews a source's lease; `false` when another live run holds it. A lease left
    /// by a process of this computer that is gone is taken over at once. On a team database the
    /// claim (`PgStore::hold_sync`, in `sync_source`) holds for the whole run.
    fn lease(&self, db: &Db, source: SourceId) -> Result<bool, StoreError> {
        let store = match db {
            Db::Sqlite(store) => store,
            Db::Postgres(_) => return Ok(true),
        };
        let now = Utc::now().timestamp();
        let secs = i64::try_from(self.opts.lease.as_secs()).unwrap_or(i64::MAX / 2);
        let until = now.saturating_add(secs.max(1));
        if store.take_sync_lease(source, self.holder, now, until)? {
            return Ok(true);
        }
        match store.sync_lease_holder(source)? {
            Some(dead) if holder_is_gone(&dead) => {
                store.take_over_sync_lease(source, &dead, self.holder, until)
            }
            _ => Ok(false),
        }
    }
}

/// On a team database, the required secret settings of `source` this computer does not hold
/// (credentials stay on the machines that sync, issue 31); empty when nothing is missing.
fn missing_keys(source: &Source, secrets: &dyn SecretStore) -> Vec<&'static str> {
    let Some(spec) = sources::spec(&source.connector) else {
        return Vec::new();
    };
    spec.settings
        .iter()
        .filter(|s| s.secret && s.required)
        .filter(|s| !matches!(secrets.get(source.id, s.key), Ok(Some(_))))
        .map(|s| s.key)
        .collect()
}

async fn sync_source(db: &DbLocation, source: Source, run: &Run<'_>) -> SourceReport {
    let events = run.events;
    let started = Instant::now();
    events(&SyncEvent::Started {
        source_id: source.id,
        label: source.label.clone(),
    });
    let mut report = SourceReport {
        source_id: source.id,
        business: source.business.clone(),
        platform: source.connector.clone(),
        label: source.label.clone(),
        ok: false,
        status: "error",
        error: None,
        error_code: None,
        paused_until: None,
        pages: 0,
        new: 0,
        updated: 0,
        unchanged: 0,
        removed: 0,
        skipped: 0,
        complete: false,
        limit: None,
        truncated: 0,
        duration_ms: 0,
    };
    // A source whose addresses wait for the owner's confirmation (a restore changed them, or
    // one is not https) is not asked at all: its credentials are held back (store::trust).
    if let Some(why) = &source.unconfirmed {
        report.error = Some(format!(
            "not synced until you confirm it: {why}; check it, then run `earshot sources \
             confirm {}`",
            source.id
        ));
        report.error_code = Some("unconfirmed");
        report.duration_ms = started.elapsed().as_millis() as u64;
        return report;
    }
    let team = matches!(db, DbLocation::Postgres(_));
    let busy = |mut report: SourceReport| {
        report.ok = true;
        report.status = "busy";
        report.error = Some(if team {
            "being synced by another seat of the team (or another run here); left to it".into()
        } else {
            "being synced by another run (the app, `earshot watch` or `earshot sync`); left to it"
                .into()
        });
        report.duration_ms = started.elapsed().as_millis() as u64;
        report
    };
    let failed = |mut report: SourceReport, e: StoreError| {
        report.error = Some(e.to_string());
        report.error_code = Some(e.code());
        report
    };
    // On a team database: this seat needs the source's key, then the source's claim, held by
    // the connection the run writes on until the run ends.
    if team {
        let missing = missing_keys(&source, run.secrets);
        if !missing.is_empty() {
            report.ok = true;
            report.status = "skipped";
            report.error_code = Some("needs_key");
            report.error = Some(format!(
                "needs the key on this computer ({}): left to the seats that hold it",
                missing.join(", ")
            ));
            report.duration_ms = started.elapsed().as_millis() as u64;
            return report;
        }
    }
    // Closed off the runtime when the run ends, or when the round is dropped mid-way.
    let mut store = match off_runtime(|| Db::open(db)) {
        Ok(s) => DropOffRuntime::new(s),
        Err(e) => return failed(report, e),
    };
    let held = match &*store {
        Db::Sqlite(_) => run.lease(&store, source.id),
        Db::Postgres(team) => off_runtime(|| team.hold_sync(source.id)),
    };
    match held {
        Ok(true) => {}
        Ok(false) => return busy(report),
        Err(e) => return failed(report, e),
    }
    let report = sync_leased(&mut store, source, run, report, started).await;
    match &*store {
        // A lease not given back (the database was busy) expires on its own.
        Db::Sqlite(store) => {
            let _ = store.release_sync_lease(report.source_id, run.holder);
        }
        // A claim not given back (the connection broke) was let go by the server.
        Db::Postgres(team) => {
            let _ = off_runtime(|| team.release_sync(report.source_id));
        }
    }
    report
}

/// Syncs a source whose lease this run holds and records the outcome.
async fn sync_leased(
    store: &mut Db,
    source: Source,
    run: &Run<'_>,
    mut report: SourceReport,
    started: Instant,
) -> SourceReport {
    let opts = run.opts;
    let result = match sources::spec(&source.connector) {
        None => Err(SourceError::Config(format!(
            "unknown platform `{}`",
            source.connector
        ))),
        Some(spec) if spec.feed == crate::platforms::Feed::File => {
            on(store, |s| sync_file(s, &source))
        }
        Some(spec) => sync_pages(store, &source, spec, run).await,
    };
    let now = Utc::now();
    let interval = interval_secs(&source).max(on(store, |s| shared_cap_interval(s, &source)));
    match result {
        Ok(o) => {
            report.ok = true;
            report.status = "ok";
            report.pages = o.pages;
            report.new = o.counts.new;
            report.updated = o.counts.updated;
            report.unchanged = o.counts.unchanged;
            report.removed = o.removed;
            report.skipped = o.skipped;
            report.complete = o.complete;
            report.limit = o.limit;
            report.truncated = o.truncated;
            // An unfinished backfill continues soon rather than at the next interval.
            let next = if o.complete { interval } else { 60 };
            if let Err(e) = on(store, |s| {
                s.record_sync_outcome(source.id, None, Some(now.timestamp() + next))
            }) {
                report.error = Some(e.to_string());
            }
        }
        Err(SourceError::RateLimited { until, detail }) => {
            let until = until.unwrap_or(now + chrono::Duration::seconds(interval));
            let e = SourceError::RateLimited {
                until: Some(until),
                detail,
            };
            report.status = "paused";
            report.error_code = Some(e.code());
            report.paused_until = Some(crate::model::rfc3339(&until));
            report.error = Some(e.to_string());
            let message = e.to_string();
            let _ = on(store, |s| {
                s.record_sync_paused(source.id, &message, until.timestamp())
            });
        }
        Err(e) => {
            let message = e.to_string();
            report.error_code = Some(e.code());
            report.error = Some(message.clone());
            let failures = source.consecutive_failures + 1;
            let backoff = (interval << failures.min(5)).min(6 * 3600);
            let _ = on(store, |s| {
                s.record_sync_outcome(source.id, Some(&message), Some(now.timestamp() + backoff))
            });
            let refused = matches!(e, SourceError::Auth { .. } | SourceError::Config(_));
            if refused || failures >= opts.health_after {
                let code = e.code();
                let _ = on(store, |s| {
                    raise_health_alert(s, &source, &message, code, now)
                });
            }
        }
    }
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}

/// Seconds between scheduled syncs of a source.
fn interval_secs(source: &Source) -> i64 {
    let setting = source
        .settings
        .get("interval_minutes")
        .and_then(|v| {
            v.as_str()
                .and_then(|s| s.parse::<i64>().ok())
                .or(v.as_i64())
        })
        .filter(|m| *m > 0);
    let default = sources::spec(&source.connector).map_or(15, |s| s.interval_minutes as i64);
    setting.unwrap_or(default) * 60
}

/// The least seconds between syncs that keeps all sources of the source's platform under the
/// plan's daily call cap they share (Yelp), or 0.
fn shared_cap_interval(store: &Db, source: &Source) -> i64 {
    let siblings: Vec<Source> = store
        .sources()
        .map(|all| {
            all.into_iter()
                .filter(|s| s.connector == source.connector)
                .collect()
        })
        .unwrap_or_default();
    let mut settings: Vec<&serde_json::Value> = siblings.iter().map(|s| &s.settings).collect();
    if settings.is_empty() {
        settings.push(&source.settings);
    }
    crate::platforms::shared_cap_interval_secs(&source.connector, &settings).unwrap_or(0)
}

/// Sources holding fewer items than this are listed whole on every run (edits and removals are
/// found at once); larger ones once a day, with incremental runs between.
const FULL_LISTING_MAX_ITEMS: i64 = 2_000;
const FULL_LISTING_EVERY_SECS: i64 = 24 * 3600;

async fn sync_pages(
    store: &mut Db,
    source: &Source,
    spec: &'static ConnectorSpec,
    run: &Run<'_>,
) -> Result<Outcome, SourceError> {
    let Run {
        secrets,
        http,
        opts,
        events,
        ..
    } = *run;
    let settings = sources::settings_of(&source.settings);
    let mut cur = SyncCursor::parse(source.cursor.as_deref());
    let mut ctx = Ctx::new(source.id, spec, &settings, secrets, http);
    // Figures that cost a call of their own are asked for once a day, answered or not.
    ctx.figures_read_at = source
        .platform_rating_at
        .max(cur.figures_tried_at)
        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0));
    let ctx = ctx;
    let now = ctx.now.timestamp();
    let kept_for_days =
        crate::platforms::find(&source.connector).and_then(|p| p.keeps_content_days());
    let resumed = cur.page.is_some();
    if !resumed {
        cur.run_high = None;
        cur.full = spec.lists_everything
            && (cur.watermark.is_none()
                || source.items < FULL_LISTING_MAX_ITEMS
                || cur
                    .last_full_at
                    .is_none_or(|t| now - t >= FULL_LISTING_EVERY_SECS));
    }
    let full_run = cur.full;
    let mut out = Outcome::default();
    let mut seen: Vec<String> = Vec::new();
    loop {
        let req = PageRequest {
            page: cur.page.clone(),
            watermark: cur.watermark.clone(),
            full: cur.full,
        };
        let mut page = sources::fetch_page(&ctx, &req).await?;
        out.pages += 1;
        // Every field within its cap (issue 33); an item that cannot be cut safely (an id of a
        // megabyte) is left out and counted with the unreadable ones.
        page.items
            .retain_mut(|item| match crate::model::limits::cap_review(item) {
                Ok(crate::model::limits::Capped::Whole) => true,
                Ok(crate::model::limits::Capped::Cut(_)) => {
                    out.truncated += 1;
                    true
                }
                Err(_) => {
                    out.skipped += 1;
                    false
                }
            });
        if let Some(h) = page.high.as_deref() {
            cur.run_high = Some(match cur.run_high.as_deref() {
                Some(old) => newer(h, old).to_string(),
                None => h.to_string(),
            });
        }
        if cur.full {
            seen.extend(page.items.iter().map(|i| i.external_id.clone()));
        }
        // A platform that hands back the same continuation would loop forever.
        let next = page.next.filter(|n| Some(n) != req.page.as_ref());
        let listing_done = next.is_none();
        if listing_done {
            cur.finish_run(now);
        } else {
            cur.page = next;
        }
        if ctx.figures_tried.load(std::sync::atomic::Ordering::Relaxed) {
            cur.figures_tried_at = Some(now);
        }
        // Reviews an export brought in before this source existed continue here (issue 26).
        let cursor = cur.to_json();
        let counts = on(store, |s| {
            s.adopt_imported(source.id, &page.items)?;
            s.write_page(source.id, &page.items, Some(&cursor))
        })?;
        out.counts.add(counts);
        if kept_for_days.is_some() {
            // The platform sent them again: a copy kept for a limited time counts from now.
            let ids: Vec<&str> = page.items.iter().map(|i| i.external_id.as_str()).collect();
            on(store, |s| s.touch_fetched(source.id, &ids, now))?;
        }
        events(&SyncEvent::Page {
            source_id: source.id,
            pages: out.pages,
            new: out.counts.new,
            updated: out.counts.updated,
        });
        if listing_done {
            out.complete = true;
            break;
        }
        if out.pages >= opts.max_pages {
            out.limit = Some(format!("{} pages, the most one sync reads", opts.max_pages));
            break;
        }
        let items = out.counts.new + out.counts.updated + out.counts.unchanged;
        if items >= opts.max_items {
            out.limit = Some(format!("{items} items, the most one sync stores"));
            break;
        }
        // Renewed with each page; a run that lost it (it stalled past the lease and another
        // took the source over) stops here, its pages kept, rather than sync beside the other.
        if !run.lease(store, source.id)? {
            break;
        }
    }
    // Only a full listing read start to end in this run proves an item is gone. An empty
    // listing is more likely a platform hiccup than every review deleted at once.
    if out.complete && !resumed && full_run && !seen.is_empty() {
        out.removed = on(store, |s| s.mark_removed_except(source.id, &seen))?;
    }
    out.skipped += ctx.skipped.load(std::sync::atomic::Ordering::Relaxed);
    if let Some(h) = ctx.headline() {
        on(store, |s| s.set_platform_figures(source.id, &h, now))?;
    }
    Ok(out)
}

fn sync_file(store: &mut Db, source: &Source) -> Result<Outcome, SourceError> {
    // A file on one seat's disk is not the team's: reading it again stays with database files.
    let store = store
        .sqlite_mut("Reading a file source again")
        .map_err(|e| SourceError::Config(e.to_string()))?;
    let settings = sources::settings_of(&source.settings);
    let path = settings
        .get("path")
        .filter(|p| !p.is_empty())
        .ok_or_else(|| SourceError::Config("the setting `path` is missing".into()))?;
    let opts = crate::import::ImportOptions {
        business: source.business.clone(),
        platform: settings.get("platform").cloned(),
        skip_bad: true,
        ..Default::default()
    };
    let report = crate::import::import_path_into_source(
        store,
        Path::new(path),
        &opts,
        source.id,
        &mut |_, _| {},
    )
    .map_err(|e| SourceError::Config(e.to_string()))?;
    Ok(Outcome {
        pages: 1,
        skipped: report.counts.rejected,
        counts: report.counts,
        removed: 0,
        complete: true,
        limit: None,
        truncated: report.truncated,
    })
}

fn raise_health_alert<S: AlertStore + ?Sized>(
    store: &S,
    source: &Source,
    message: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let since = match source.last_sync_at {
        Some(t) => format!(
            "has not synced since {}",
            chrono::TimeZone::timestamp_opt(&Utc, t, 0)
                .single()
                .map_or_else(
                    || t.to_string(),
                    |d| d.format("%Y-%m-%d %H:%M UTC").to_string()
                )
        ),
        None => "has never synced".to_string(),
    };
    let alert = NewAlert {
        kind: AlertKind::SourceHealth,
        business_id: Some(source.business_id),
        // One alert per failure streak: the streak is named by the last success.
        dedup_key: format!(
            "source_health:{}:{}",
            source.id,
            source.last_sync_at.unwrap_or(0)
        ),
        created_at: now.timestamp(),
        message: format!("{} {since}: {message}", source.label),
        review_ids: vec![],
        details: serde_json::json!({
            "source_id": source.id,
            "platform": source.connector,
            "error": message,
            "error_code": code,
        }),
        state: AlertState::New,
    };
    AlertStore::raise_alert(store, &alert)?;
    Ok(())
}
