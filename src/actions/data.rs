//! The owner's data as a whole: import a file, back up, list backups, restore.
//!
//! These wrap the entry points of `crate::import` and `crate::backup` so the app and the CLI
//! reach them through the same call; the work itself stays in those modules.

use std::path::Path;

use chrono::NaiveDate;

use crate::backup::{self, BackupFile, Restored};
use crate::import::{self, ImportOptions, ImportPreview, ImportReport};
use crate::store::Store;

use super::Result;

/// Imports files or folders (an Earshot CSV or JSON Lines file, or a platform's own export,
/// recognised by content); `progress` is called after each batch with bytes read and the total.
/// `batch_size` overrides the rows per transaction (tuning and tests).
pub fn import(
    store: &mut Store,
    paths: &[std::path::PathBuf],
    opts: &ImportOptions,
    batch_size: Option<usize>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport, import::ImportError> {
    let batch = batch_size.unwrap_or(import::BATCH_SIZE);
    import::import_paths_batched(store, paths, opts, batch, progress)
}

/// [`import`] into a database of either kind: the owner's file or a team's PostgreSQL database
/// (issue 31; there, Earshot's CSV and JSON Lines for now).
pub fn import_into(
    db: &mut crate::store::Db,
    paths: &[std::path::PathBuf],
    opts: &ImportOptions,
    batch_size: Option<usize>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport, import::ImportError> {
    let batch = batch_size.unwrap_or(import::BATCH_SIZE);
    import::import_paths_into(db, paths, opts, batch, progress)
}

/// What the app shows of a file before importing it: its format, and for a CSV the headers, the
/// first rows and the proposed column for each of Earshot's fields (issue 32).
pub fn preview_import(path: &Path) -> Result<ImportPreview, import::ImportError> {
    import::preview(path, import::mapping::PREVIEW_ROWS)
}

/// Writes a CSV template the owner can fill in (Earshot's columns and two example rows).
pub fn write_import_template(path: &Path) -> Result<(), import::ImportError> {
    std::fs::write(path, import::template_csv()).map_err(|error| import::ImportError::Io {
        path: path.to_owned(),
        error,
    })
}

/// A backup of the database now, dated `today` (older ones rotated: 7 daily, 4 weekly).
pub fn backup_now(store: &Store, today: NaiveDate) -> Result<BackupFile> {
    Ok(backup::backup_now(store, today)?)
}

/// The backups beside the database at `db`, newest first.
pub fn list_backups(db: &Path) -> Result<Vec<BackupFile>> {
    Ok(backup::list(db)?)
}

/// Replaces the database at `db` with the backup `from`, after checking it; the replaced file
/// is kept (as a backup, or moved aside when it was damaged).
pub fn restore(db: &Path, from: &Path) -> Result<Restored> {
    Ok(backup::restore_path(db, from)?)
}
