//! The SQLite store: the only module that holds SQL.
//!
//! `Store::open` is the one way to get a connection, so the CLI, the desktop shell and the tests
//! all run with the same pragmas (WAL, foreign keys, busy timeout) and the same schema. Migrations
//! are numbered SQL files applied in a single `BEGIN IMMEDIATE` transaction that also bumps
//! `user_version`: a crash mid-upgrade rolls back to the old schema. A database written by a newer
//! Earshot is refused before anything is written to it, and so is a file whose schema is not
//! exactly what the migrations make (a foreign trigger or view: `trust`); connections run with
//! `trusted_schema` off and SQLite's defensive mode on.
//!
//! Each table or concept has its own file below; other modules see only model types.

mod alert_history;
mod alerts;
mod assignment;
mod batch_rollups;
mod businesses;
mod channels;
mod checkpoints;
mod db;
mod effect;
pub mod files;
mod follow_ups;
mod imported;
mod maintenance;
pub mod migrate;
pub mod postgres;
mod replies;
mod requests;
mod rescore;
mod reviews;
mod rollup_counts;
mod settings;
mod sources;
mod stats;
mod topics;
mod trends;
mod trust;
#[cfg(test)]
mod upgrade_tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use checkpoints::BackgroundCheckpoints;
pub use follow_ups::Begun;
pub use imported::ImportedReview;

pub use alert_history::SentimentDays;
pub use alerts::AlertMarks;
pub use channels::Claimed;
pub use db::{
    AlertStore, ChannelStore, Db, DbLocation, ReplyStore, RequestStore, ReviewSink, TopicStore,
};
pub use maintenance::verify_database_file;
pub use replies::person_on_file;
pub use requests::CustomersImported;
pub use reviews::{ReviewFilter, ReviewOrder, ReviewWriter};
pub use sources::{Source, SourceStatus};
pub use stats::{MonthStats, PlatformCount, Stats};
pub use topics::{OwnerTopic, TopicId};
pub use trust::{check_endpoint, check_endpoint_settings, APP_WIDE_CREDENTIALS, ENDPOINT_SETTINGS};

/// The migrations, in order; the schema version is the number of files applied.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_foundation",
        include_str!("migrations/0001_foundation.sql"),
    ),
    (
        "0002_reply_revisions",
        include_str!("migrations/0002_reply_revisions.sql"),
    ),
    (
        "0003_fast_dashboard_and_inbox",
        include_str!("migrations/0003_fast_dashboard_and_inbox.sql"),
    ),
    (
        "0004_checks_without_in_lists",
        include_str!("migrations/0004_checks_without_in_lists.sql"),
    ),
    (
        "0005_aspects_without_business_index",
        include_str!("migrations/0005_aspects_without_business_index.sql"),
    ),
    (
        "0006_search_index_by_column",
        include_str!("migrations/0006_search_index_by_column.sql"),
    ),
    (
        "0007_aspects_in_review_row",
        include_str!("migrations/0007_aspects_in_review_row.sql"),
    ),
    (
        "0008_search_key_by_second",
        include_str!("migrations/0008_search_key_by_second.sql"),
    ),
    (
        "0009_no_search_key_index",
        include_str!("migrations/0009_no_search_key_index.sql"),
    ),
    (
        "0010_database_identity",
        include_str!("migrations/0010_database_identity.sql"),
    ),
    (
        "0011_alert_channels",
        include_str!("migrations/0011_alert_channels.sql"),
    ),
    (
        "0012_platform_figures",
        include_str!("migrations/0012_platform_figures.sql"),
    ),
    (
        "0013_sync_leases_and_reply_retries",
        include_str!("migrations/0013_sync_leases_and_reply_retries.sql"),
    ),
    (
        "0014_channel_trust",
        include_str!("migrations/0014_channel_trust.sql"),
    ),
    (
        "0015_follow_ups",
        include_str!("migrations/0015_follow_ups.sql"),
    ),
    (
        "0016_owner_topics",
        include_str!("migrations/0016_owner_topics.sql"),
    ),
    (
        "0017_review_requests",
        include_str!("migrations/0017_review_requests.sql"),
    ),
    (
        "0018_reply_people",
        include_str!("migrations/0018_reply_people.sql"),
    ),
    (
        "0019_rescore_other_languages",
        include_str!("migrations/0019_rescore_other_languages.sql"),
    ),
    (
        "0020_search_key_past_2_26",
        include_str!("migrations/0020_search_key_past_2_26.sql"),
    ),
    (
        "0021_review_assignment",
        include_str!("migrations/0021_review_assignment.sql"),
    ),
    (
        "0022_rescore_by_language_again",
        include_str!("migrations/0022_rescore_by_language_again.sql"),
    ),
];

/// Migrations after which the reviews stored unscored are scored (`rescore`): work in
/// proportion to the reviews left unscored, not to all of them, so not a `REWRITES_EVERY_REVIEW`.
const RESCORES_UNSCORED: &[&str] = &["0019_rescore_other_languages"];

/// Migrations after which the reviews in the languages other than English, and the short ones
/// stored neutral with no language, are scored again (`rescore`): the models changed for them.
const RESCORES_BY_LANGUAGE_AGAIN: &[&str] = &["0022_rescore_by_language_again"];

/// Migrations after which the full-text index is filled from the reviews (they make it anew).
const REBUILDS_SEARCH_INDEX: &[&str] =
    &["0006_search_index_by_column", "0008_search_key_by_second"];

/// Migrations that rewrite every review or its index: seconds a million reviews, once.
const REWRITES_EVERY_REVIEW: &[&str] = &[
    "0006_search_index_by_column",
    "0007_aspects_in_review_row",
    "0008_search_key_by_second",
];

/// A one-time upgrade that opening a database would run over all its reviews.
#[derive(Debug, PartialEq, serde::Serialize)]
pub struct SlowUpgrade {
    pub from_version: i64,
    pub to_version: i64,
    pub reviews: u64,
}

impl SlowUpgrade {
    /// Reviews from which the upgrade is worth a word before it starts (the CLI's line, the
    /// app's progress card): below, it takes under a second.
    pub const ANNOUNCED_FROM_REVIEWS: u64 = 100_000;

    pub fn worth_announcing(&self) -> bool {
        self.reviews >= Self::ANNOUNCED_FROM_REVIEWS
    }
}

/// Migrations that edit a table's definition in place (SQLite's procedure for a constraint every
/// stored row already meets): after them the schema cookie is bumped, integrity checked, and
/// the connection that parsed the old definitions opened again.
const EDITS_DEFINITIONS: &[&str] = &["0004_checks_without_in_lists"];

/// How long a writer waits for another connection's write lock before giving up. A sync and the
/// app's own writes can overlap; five seconds covers a large batch commit with room to spare.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long opening waits for another connection that holds the write lock. Every open takes
/// it to check the schema, and the first open after an upgrade migrates while the app's other
/// commands open too: 0006 fills the search index, about 6 s a million reviews. They wait for
/// it rather than fail with "database is locked".
const MIGRATION_WAIT: Duration = Duration::from_secs(300);

/// Page cache per connection. The review table's unique and time indexes are probed on every
/// upsert; a cache that holds their upper levels keeps a large import off the disk. Fixed, so
/// memory does not grow with the database.
const PAGE_CACHE_KIB: i64 = 32 * 1024;

/// Page size of a new database. An import writes every row into eight B-trees and the
/// full-text index; with 16 KiB pages inserts split and rebalance pages a quarter as often and
/// each commit writes fewer, fuller pages: a 200k-review import took about 9% less time than with
/// SQLite's default 4 KiB (interleaved runs; issue 8). The page cache is sized in bytes, so
/// memory does not change.
const PAGE_SIZE: i64 = 16 * 1024;

/// The schema version this build of Earshot writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database at {path}: {error}")]
    Open {
        path: PathBuf,
        error: rusqlite::Error,
    },
    #[error(
        "the database at {path} was written by a newer version of Earshot (schema {found}, this \
         version knows up to {known}); update Earshot to open it — the file was left untouched"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the file at {path} is not an Earshot database or is damaged: {error}")]
    NotADatabase {
        path: PathBuf,
        error: rusqlite::Error,
    },
    #[error(
        "the database at {path} is not as Earshot made it ({differences}); it may have been \
         altered to misuse your credentials, so Earshot will not open or restore it — the file \
         was left untouched"
    )]
    ForeignSchema { path: PathBuf, differences: String },
    #[error("migration {name} failed: {error}")]
    Migration {
        name: &'static str,
        error: rusqlite::Error,
    },
    #[error("no business named {0:?}; add it with `earshot businesses add {0:?}`")]
    UnknownBusiness(String),
    #[error("a business named {0:?} already exists")]
    DuplicateBusiness(String),
    #[error("no source with id {0}")]
    UnknownSource(i64),
    #[error("no review with id {0}")]
    UnknownReview(i64),
    #[error("no topic with id {0}; `earshot topics list` shows them")]
    UnknownTopic(i64),
    #[error("invalid {what}: {reason}")]
    Invalid { what: &'static str, reason: String },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    /// The team database (PostgreSQL) could not be reached or refused the sign-in.
    #[error("cannot open the team database at {location}: {error}")]
    PgOpen {
        location: String,
        error: ::postgres::Error,
    },
    /// The team database's connection could not be encrypted as its `sslmode` asks, or its
    /// certificate was refused.
    #[error("cannot open the team database at {location} securely: {problem}")]
    PgTls { location: String, problem: String },
    #[error("migration {name} of the team database failed: {error}")]
    PgMigration {
        name: &'static str,
        error: ::postgres::Error,
    },
    #[error("team database: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// An action not yet built on the team store (issue 31 moves them over concept by concept).
    #[error("{0} does not work on a team database yet; use it with a database file")]
    NotOnTeamDatabase(&'static str),
    /// Something only a team database has (people, roles, the live link) asked of a file.
    #[error("{0} needs a team database (`--db postgresql://…`); a database file is one person's")]
    NeedsTeamDatabase(&'static str),
}

impl StoreError {
    /// A stable code for the UI and scripts, so they never parse English.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Open { .. } => "db_open",
            StoreError::SchemaTooNew { .. } => "schema_too_new",
            StoreError::NotADatabase { .. } => "not_a_database",
            StoreError::ForeignSchema { .. } => "foreign_schema",
            StoreError::Migration { .. } => "migration_failed",
            StoreError::UnknownBusiness(_) => "unknown_business",
            StoreError::DuplicateBusiness(_) => "duplicate_business",
            StoreError::UnknownSource(_) => "unknown_source",
            StoreError::UnknownReview(_) => "unknown_review",
            StoreError::UnknownTopic(_) => "unknown_topic",
            StoreError::Invalid { .. } => "invalid",
            StoreError::Sql(_) => "db_error",
            StoreError::PgOpen { .. } => "db_open",
            StoreError::PgTls { .. } => "db_tls",
            StoreError::PgMigration { .. } => "migration_failed",
            StoreError::Postgres(_) => "db_error",
            StoreError::NotOnTeamDatabase(_) => "not_on_team_database",
            StoreError::NeedsTeamDatabase(_) => "needs_team_database",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Where the database lives when neither `--db` nor `EARSHOT_DB` says otherwise: the OS data
/// directory (`$XDG_DATA_HOME/earshot/earshot.db` on Linux).
pub fn default_db_path() -> PathBuf {
    if let Some(p) = std::env::var_os("EARSHOT_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let base = dirs::data_dir().unwrap_or_else(|| PathBuf::from("."));
    base.join("earshot").join("earshot.db")
}

/// An open Earshot database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// The steps of SQLite's query plan for `sql` with `args`: what the plan tests assert.
    #[cfg(test)]
    pub(crate) fn query_plan<P: rusqlite::Params>(&self, sql: &str, args: P) -> Vec<String> {
        let mut stmt = self
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let plan = stmt
            .query_map(args, |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        plan
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let io = |e: std::io::Error| StoreError::Open {
            path: path.to_owned(),
            error: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            files::create_private_dir(dir).map_err(io)?;
        }
        files::create_private_file(path).map_err(io)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|error| StoreError::Open {
            path: path.to_owned(),
            error,
        })?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
        };
        trust::distrust_schema(&store.conn)?;
        let version = store.check_version()?;
        store.check_schema(version)?;
        store.configure()?;
        if store.migrate()? {
            // This connection parsed the schema before the edit: start over with one that
            // reads the new definitions (and prepares no statement from the old ones).
            store.conn = Connection::open_with_flags(path, flags)?;
            trust::distrust_schema(&store.conn)?;
            store.configure()?;
        }
        trust::harden(&store.conn)?;
        Ok(store)
    }

    /// Refuses a file whose schema is not exactly what the migrations make at its version (a
    /// foreign trigger, view, table or index, or one of ours changed or missing), before any
    /// pragma or migration touches it.
    fn check_schema(&self, version: i64) -> Result<()> {
        let differences = trust::schema_differences(&self.conn, version).map_err(|e| match e {
            StoreError::Sql(error) => StoreError::NotADatabase {
                path: self.path.clone(),
                error,
            },
            other => other,
        })?;
        if differences.is_empty() {
            Ok(())
        } else {
            Err(trust::foreign_schema(&self.path, differences))
        }
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checkpoints this database on a thread of its own until the value is dropped: for a
    /// long write such as an import (see `checkpoints`).
    pub fn background_checkpoints(&self) -> BackgroundCheckpoints {
        BackgroundCheckpoints::start(&self.path)
    }

    /// Refuses a newer schema before any pragma or migration touches the file; the version.
    fn check_version(&self) -> Result<i64> {
        let found: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|error| StoreError::NotADatabase {
                path: self.path.clone(),
                error,
            })?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                path: self.path.clone(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        Ok(found)
    }

    /// Pragmas that cannot be set inside a transaction, so they run before the migrations.
    fn configure(&self) -> Result<()> {
        let not_db = |error| StoreError::NotADatabase {
            path: self.path.clone(),
            error,
        };
        // Takes effect only in a file that has no table yet (in WAL mode a page size is fixed);
        // an older database keeps the 4 KiB pages it was created with.
        self.conn
            .pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(not_db)?;
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(not_db)?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        // A large write lets the log grow past its usual size between checkpoints (see
        // reviews::WRITER_WAL_CHECKPOINT_BYTES); the first checkpoint after cuts the file back.
        self.conn
            .pragma_update(None, "journal_size_limit", 32 << 20)?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn
            .pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(())
    }

    /// Applies the migrations the file lacks; true when one edited a definition in place.
    fn migrate(&mut self) -> Result<bool> {
        self.conn.busy_timeout(MIGRATION_WAIT)?;
        let migrated = self.migrate_in_write_lock();
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        migrated
    }

    fn migrate_in_write_lock(&mut self) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Read again inside the write lock: another process may have migrated meanwhile.
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let mut edited = false;
        let mut rescore: Option<(&str, rescore::Which)> = None;
        for (i, (name, sql)) in MIGRATIONS.iter().enumerate() {
            let version = i as i64 + 1;
            if version <= current {
                continue;
            }
            let failed = |error| StoreError::Migration { name, error };
            tx.execute_batch(sql).map_err(failed)?;
            if REBUILDS_SEARCH_INDEX.contains(name) {
                reviews::index_all_rows(&tx).map_err(|e| match e {
                    StoreError::Sql(error) => failed(error),
                    other => other,
                })?;
            }
            if RESCORES_UNSCORED.contains(name) {
                rescore = Some((name, rescore::Which::Unscored.and(rescore.map(|r| r.1))));
            }
            if RESCORES_BY_LANGUAGE_AGAIN.contains(name) {
                rescore = Some((
                    name,
                    rescore::Which::ByLanguageAgain.and(rescore.map(|r| r.1)),
                ));
            }
            if EDITS_DEFINITIONS.contains(name) {
                // SQLite's procedure for an edited definition: bump the schema cookie so that
                // other connections parse the schema again, and check the result before the
                // commit (https://sqlite.org/lang_altertable.html#otheralter).
                let cookie: i64 = tx.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
                tx.pragma_update(None, "schema_version", cookie + 1)?;
                let check: String = tx
                    .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
                    .map_err(failed)?;
                if check != "ok" {
                    return Err(StoreError::Migration {
                        name,
                        error: rusqlite::Error::SqliteFailure(
                            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                            Some(check),
                        ),
                    });
                }
                edited = true;
            }
            tx.pragma_update(None, "user_version", version)?;
        }
        // The re-scores the migrations asked for, in one pass after the last of them (each reads
        // a review as a sync does today, with today's schema), still inside the upgrade's
        // transaction: a crash leaves the old version and it runs again.
        if let Some((name, which)) = rescore {
            rescore::rescore(&tx, which).map_err(|e| match e {
                StoreError::Sql(error) => StoreError::Migration { name, error },
                other => other,
            })?;
        }
        tx.commit()?;
        Ok(edited)
    }

    /// Whether opening `path` would run a migration over every review, and over how many: a
    /// caller tells the person before a wait of seconds. `None` for a missing, current or
    /// unreadable file (opening it reports the last).
    pub fn slow_upgrade(path: &Path) -> Option<SlowUpgrade> {
        if !path.is_file() {
            return None;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        // The file is not checked yet: nothing in its schema may run with side effects.
        trust::harden(&conn).ok()?;
        // The app asks while its first command opens the same file, which may be switching it
        // to WAL: wait out that moment rather than answer "nothing to upgrade".
        conn.busy_timeout(Duration::from_secs(2)).ok()?;
        let from_version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ok()?;
        let pending = MIGRATIONS
            .iter()
            .skip(usize::try_from(from_version).unwrap_or(0));
        let mut names = pending.map(|(name, _)| name);
        if !names.any(|name| REWRITES_EVERY_REVIEW.contains(name)) {
            return None;
        }
        let reviews: i64 = conn
            .query_row("SELECT count(*) FROM reviews", [], |r| r.get(0))
            .ok()?;
        Some(SlowUpgrade {
            from_version,
            to_version: SCHEMA_VERSION,
            reviews: reviews.unsigned_abs(),
        })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs SQLite's own consistency check; `Ok(())` when it answers "ok".
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Whether the database holds no reviews at all (the app then shows its welcome).
    pub fn is_empty(&self) -> Result<bool> {
        let any: Option<i64> = self
            .conn
            .query_row("SELECT 1 FROM reviews LIMIT 1", [], |r| r.get(0))
            .ok();
        Ok(any.is_none())
    }
}

/// Current time as Unix seconds.
pub(crate) fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan of an insert into `table`, opcode by opcode.
    fn insert_opcodes(store: &Store, table: &str) -> Vec<String> {
        let mut stmt = store
            .conn
            .prepare(&format!("EXPLAIN INSERT INTO {table} DEFAULT VALUES"))
            .unwrap();
        let ops = stmt
            .query_map([], |r| r.get::<_, String>(1))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        ops
    }

    /// Opening waits for a connection that holds the write lock longer than a writer waits
    /// (BUSY_TIMEOUT): what a migration of a large database does while the app opens again.
    #[test]
    fn opening_waits_for_another_connections_long_migration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wait.db");
        drop(Store::open(&path).unwrap());
        let holder = Connection::open(&path).unwrap();
        holder.execute_batch("BEGIN IMMEDIATE").unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(BUSY_TIMEOUT + Duration::from_secs(1));
            holder.execute_batch("COMMIT").unwrap();
        });
        let store = Store::open(&path).expect("opened once the lock was released");
        release.join().unwrap();
        // Writes go back to the ordinary wait once open.
        let busy_ms: i64 = store
            .conn
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .unwrap();
        assert_eq!(busy_ms, BUSY_TIMEOUT.as_millis() as i64);
    }

    /// A new database gets 16 KiB pages; one made with SQLite's default 4 KiB pages (every
    /// database before this) keeps them, and opens and writes as before.
    #[test]
    fn new_databases_get_large_pages_and_older_ones_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let page_size = |store: &Store| -> i64 {
            store
                .conn
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .unwrap()
        };
        let new = Store::open(&dir.path().join("new.db")).unwrap();
        assert_eq!(page_size(&new), PAGE_SIZE);

        // A database of the version before (9) made with 4 KiB pages.
        let old_path = dir.path().join("old.db");
        Connection::open(&old_path)
            .unwrap()
            .execute_batch("PRAGMA page_size = 4096;")
            .unwrap();
        database_at_version(&old_path, 9, "");
        let old = Store::open(&old_path).unwrap();
        assert_eq!(page_size(&old), 4096);
        old.ensure_business("Old Café").unwrap();
        drop(old);
        let reopened = Store::open(&old_path).unwrap();
        assert_eq!(page_size(&reopened), 4096);
        assert_eq!(
            reopened.ensure_business("Old Café").unwrap().name,
            "Old Café"
        );
    }

    /// Regression (0004): a CHECK with an IN list of three or more values built a temporary
    /// index for every row an import wrote.
    #[test]
    fn writing_a_review_or_a_reply_builds_no_temporary_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).unwrap();
        for table in ["reviews", "replies"] {
            let ops = insert_opcodes(&store, table);
            assert!(
                !ops.iter().any(|o| o == "OpenEphemeral"),
                "{table}: {ops:?}"
            );
        }
    }

    /// A database made by the first `version` migrations, with business 1, its source 1 and
    /// then `rows`.
    fn database_at_version(path: &Path, version: usize, rows: &str) {
        let conn = Connection::open(path).unwrap();
        for (name, sql) in &MIGRATIONS[..version] {
            conn.execute_batch(sql).unwrap();
            if EDITS_DEFINITIONS.contains(name) {
                // As Store::migrate does: the definitions edited in place are read again.
                let cookie: i64 = conn
                    .query_row("PRAGMA schema_version", [], |r| r.get(0))
                    .unwrap();
                conn.pragma_update(None, "schema_version", cookie + 1)
                    .unwrap();
            }
        }
        conn.pragma_update(None, "user_version", version as i64)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO businesses (id, name, created_at) VALUES (1, 'Cafe', 0);
             INSERT INTO sources (id, business_id, connector, label, created_at)
                 VALUES (1, 1, 'file', 'import', 0);",
        )
        .unwrap();
        conn.execute_batch(rows).unwrap();
    }

    #[test]
    fn an_upgrade_that_rewrites_every_review_is_announced_with_their_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        assert_eq!(Store::slow_upgrade(&path), None, "no file yet");
        database_at_version(
            &path,
            5,
            "INSERT INTO reviews (id, source_id, business_id, platform, external_id, kind, body,
                 created_at, fetched_at, content_hash, search_key)
                 VALUES (1, 1, 1, 'google', 'g1', 'review', 'Cold coffee', 0, 0, 7, 1),
                        (2, 1, 1, 'google', 'g2', 'review', 'Warm welcome', 0, 0, 8, 2);",
        );
        assert_eq!(
            Store::slow_upgrade(&path),
            Some(SlowUpgrade {
                from_version: 5,
                to_version: SCHEMA_VERSION,
                reviews: 2
            })
        );
        Store::open(&path).unwrap();
        assert_eq!(Store::slow_upgrade(&path), None, "upgraded");
    }

    /// 0008 keys reviews by the second, not the minute: a version 7 database, whose minute keys
    /// put a minute's reviews in the order they were stored, lists and searches them newest
    /// first to the second after the upgrade, with its search index made anew.
    #[test]
    fn an_upgraded_database_lists_and_searches_newest_first_to_the_second() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v7.db");
        database_at_version(
            &path,
            7,
            "INSERT INTO reviews (id, source_id, business_id, platform, external_id, kind, body,
                 created_at, fetched_at, content_hash, search_key)
                 VALUES (1, 1, 1, 'google', 'g1', 'review', 'Cold coffee at 0:50', 50, 0, 7, 1),
                        (2, 1, 1, 'google', 'g2', 'review', 'Cold coffee at 0:10', 10, 0, 8, 2),
                        (3, 1, 1, 'google', 'g3', 'review', 'Cold coffee at 0:30', 30, 0, 9, 3);
             INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild');",
        );
        let store = Store::open(&path).unwrap();
        let keys: Vec<i64> = store
            .conn
            .prepare("SELECT search_key FROM reviews ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(keys, [50 << 26 | 1, 10 << 26 | 2, 30 << 26 | 3]);
        let ids = |filter: reviews::ReviewFilter| -> Vec<i64> {
            let listed = store.list_reviews(&filter).unwrap();
            listed.into_iter().map(|r| r.id).collect()
        };
        assert_eq!(ids(Default::default()), [1, 3, 2]);
        let search = reviews::ReviewFilter {
            search: Some("coffee".into()),
            ..Default::default()
        };
        assert_eq!(ids(search.clone()), [1, 3, 2]);
        let oldest = reviews::ReviewFilter {
            order: reviews::ReviewOrder::Oldest,
            ..search
        };
        assert_eq!(ids(oldest), [2, 3, 1]);
        store
            .conn
            .execute_batch("INSERT INTO reviews_fts (reviews_fts) VALUES ('integrity-check')")
            .unwrap();
        let time_index: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'reviews_by_time'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(time_index, 0);
    }

    /// 0004 rewrote the constraints in place: a database made by the three earlier migrations,
    /// with rows, opens with the new definitions, its rows intact (the aspect mention now in its
    /// review's row: 0007), and still refuses what the old rules refused.
    #[test]
    fn the_rewritten_checks_refuse_what_the_old_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.db");
        database_at_version(
            &path,
            3,
            "INSERT INTO reviews (id, source_id, business_id, platform, external_id, kind,
                     body, created_at, fetched_at, sentiment, sentiment_label, content_hash,
                     search_key)
                     VALUES (1, 1, 1, 'google', 'g1', 'review', 'Cold coffee', 0, 0, -0.5,
                     'negative', 7, 1);
                 INSERT INTO review_aspects VALUES (1, 'coffee', 1, 0, -0.5, -1);
                 INSERT INTO replies (review_id, origin, state, body, created_at, updated_at)
                     VALUES (1, 'manual', 'posted', 'Sorry', 0, 0);",
        );
        // Another connection holds the old schema while the migration runs.
        let old = Connection::open(&path).unwrap();
        old.query_row("SELECT count(*) FROM reviews", [], |r| r.get::<_, i64>(0))
            .unwrap();

        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_string()]);
        let tables: Vec<String> = store
            .conn
            .prepare(
                "SELECT sql FROM sqlite_schema
                 WHERE name IN ('reviews', 'replies')",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(tables.len(), 2);
        for sql in &tables {
            for list in ["sentiment_label IN", "polarity IN", "origin IN", "state IN"] {
                assert!(!sql.contains(list), "{sql}");
            }
        }
        let count: i64 = store
            .conn
            .query_row(
                "SELECT (SELECT count(*) FROM reviews)
                     + (SELECT count(*) FROM reviews, json_each(reviews.aspects))
                     + (SELECT count(*) FROM replies)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(count, 3);

        for conn in [&store.conn, &old] {
            for bad in [
                "UPDATE reviews SET sentiment_label = 'angry'",
                "UPDATE reviews SET kind = 'rant'",
                "UPDATE replies SET state = 'lost'",
                "UPDATE replies SET origin = 'elsewhere'",
            ] {
                let err = conn.execute(bad, []).unwrap_err().to_string();
                assert!(err.contains("CHECK constraint failed"), "{bad}: {err}");
            }
            for good in [
                "UPDATE reviews SET sentiment_label = NULL",
                "UPDATE reviews SET sentiment_label = 'neutral'",
                "UPDATE replies SET state = 'queued', origin = 'earshot'",
            ] {
                conn.execute(good, []).unwrap();
            }
        }
        // The connection that had the old schema read the new one.
        let sql: String = old
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'reviews'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(sql.contains("sentiment_label = 'negative' OR"), "{sql}");
    }
}
