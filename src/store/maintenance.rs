//! Whole-database operations: online backup, restore, and checking a file before trusting it.

use std::path::Path;
use std::time::Duration;

use rusqlite::{backup::Backup, Connection, OpenFlags, MAIN_DB};

use super::{Result, Store, SCHEMA_VERSION};

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

    /// Replaces the whole database with the contents of `path` (checked by the caller).
    pub fn restore_from(&mut self, path: &Path) -> Result<()> {
        self.conn
            .restore(MAIN_DB, path, None::<fn(rusqlite::backup::Progress)>)?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        Ok(())
    }
}

/// Opens `path` read-only and checks that it is a sound Earshot database this version can open.
/// The error is a plain-words reason.
pub fn verify_database_file(path: &Path) -> std::result::Result<(), String> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("it cannot be opened ({e})"))?;
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
    Ok(())
}
