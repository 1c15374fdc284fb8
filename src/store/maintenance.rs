//! Whole-database operations: online backup, restore, and checking a file before trusting it.
//!
//! A restore is where a file from elsewhere becomes the owner's database, so it checks what
//! opening checks (version, integrity, the exact schema: see `trust`) and then some (every
//! address is https or loopback http), and the restored data inherits the identity of the
//! database it replaces, with any source whose addresses differ held back until the owner
//! confirms it.

use std::path::Path;
use std::time::Duration;

use rusqlite::{backup::Backup, Connection, OpenFlags, MAIN_DB};

use super::{files, trust, Result, Store, StoreError, SCHEMA_VERSION};

/// Pages copied per backup step; between steps the app's own queries get the database.
const BACKUP_PAGES_PER_STEP: std::os::raw::c_int = 1024;
const BACKUP_PAUSE: Duration = Duration::from_millis(5);

/// Pages of merged search index a step of [`Store::merge_search_index`] writes: about 4 MB, a
/// few tens of milliseconds, so the app's other writes wait no longer than that.
const SEARCH_MERGE_PAGES: i64 = 1_000;

impl Store {
    /// Copies a consistent snapshot of the database to `path` (SQLite's online backup API).
    pub fn backup_to(&self, path: &Path) -> Result<()> {
        let _ = std::fs::remove_file(path);
        files::create_private_file(path).map_err(|e| StoreError::Open {
            path: path.to_owned(),
            error: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        })?;
        let mut dst = Connection::open(path)?;
        {
            let backup = Backup::new(&self.conn, &mut dst)?;
            backup.run_to_completion(BACKUP_PAGES_PER_STEP, BACKUP_PAUSE, None)?;
        }
        // A backup should be one self-contained file, not a file plus a WAL.
        dst.pragma_update(None, "journal_mode", "DELETE")?;
        Ok(())
    }

    /// Merges the search index's segments, a step (about `SEARCH_MERGE_PAGES` pages written)
    /// at a time, each its own short write, until nothing is left to merge or `budget` has
    /// passed; says whether anything was merged. An import leaves its segments unmerged
    /// (`Store::import_writer`): the app's background round and `earshot sync` call this after
    /// their work, so a file import's index is tidied even where no sync ever writes.
    pub fn merge_search_index(&self, budget: Duration) -> Result<bool> {
        let started = std::time::Instant::now();
        let mut merged = false;
        let mut step = self
            .conn
            .prepare_cached("INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('merge', ?1)")?;
        while started.elapsed() < budget {
            let before = self.conn.total_changes();
            step.execute([SEARCH_MERGE_PAGES])?;
            // FTS5's documented test: a step that merged changed two rows or more.
            if self.conn.total_changes() - before < 2 {
                break;
            }
            merged = true;
        }
        Ok(merged)
    }

    /// Replaces the whole database with the contents of `path` (checked by the caller with
    /// [`verify_database_file`]), brings it to this version's schema, and gives it this
    /// database's identity: a source whose platform or addresses differ from what this
    /// database had gets no credentials until the owner confirms it (see `trust`).
    pub fn restore_from(&mut self, path: &Path) -> Result<()> {
        let replaced = self.trust_snapshot()?;
        self.conn
            .restore(MAIN_DB, path, None::<fn(rusqlite::backup::Progress)>)?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        // The file was checked before; check what was copied in, before any write to it.
        let version = self.schema_version()?;
        self.check_schema(version)?;
        trust::set_defensive(&self.conn, false)?;
        let migrated = self.migrate();
        trust::set_defensive(&self.conn, true)?;
        if migrated? {
            // As Store::open does after a definition edited in place.
            *self = Store::open(&self.path.clone())?;
        }
        self.adopt_trust(&replaced, path)
    }
}

/// Opens `path` read-only and checks that it is a sound Earshot database this version can open.
/// The error is a plain-words reason.
pub fn verify_database_file(path: &Path) -> std::result::Result<(), String> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("it cannot be opened ({e})"))?;
    trust::harden(&conn).map_err(|e| format!("it cannot be opened ({e})"))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|_| "it is not a SQLite database".to_string())?;
    if version > SCHEMA_VERSION {
        return Err(format!(
            "it was written by a newer Earshot (schema {version})"
        ));
    }
    let check: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .map_err(|e| format!("it is damaged ({e})"))?;
    if check != "ok" {
        return Err(format!("it is damaged ({check})"));
    }
    let has_reviews: bool = conn
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'reviews'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| format!("it cannot be read ({e})"))?;
    if !has_reviews {
        return Err("it holds no Earshot data".into());
    }
    let differences = trust::schema_differences(&conn, version)
        .map_err(|e| format!("its schema cannot be read ({e})"))?;
    if !differences.is_empty() {
        return Err(format!(
            "it is not as Earshot made it ({}), so it may have been altered to misuse your \
             credentials",
            differences.join(", ")
        ));
    }
    check_addresses(&conn)
}

/// Every address a restored file would bring (its sources' and its settings') is https or
/// loopback http, as if each had been written through the store.
fn check_addresses(conn: &Connection) -> std::result::Result<(), String> {
    let read = |e: rusqlite::Error| format!("it cannot be read ({e})");
    let mut stmt = conn
        .prepare("SELECT 'source ' || id, settings FROM sources UNION ALL SELECT 'setting ' || key, value FROM settings")
        .map_err(read)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(read)?;
    for row in rows {
        let (what, value) = row.map_err(read)?;
        let value: serde_json::Value =
            serde_json::from_str(&value).unwrap_or(serde_json::Value::Null);
        trust::check_endpoint_settings(&value)
            .map_err(|reason| format!("its {what} has {reason}"))?;
    }
    Ok(())
}
