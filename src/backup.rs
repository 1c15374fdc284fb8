//! Backups: copies of the database made with SQLite's online backup API, rotated so a week of
//! dailies and a month of weeklies are always there, and a restore that checks a file before it
//! replaces anything.
//!
//! Backups sit beside the database in `backups/NAME-YYYY-MM-DD.db`, where NAME is the database
//! file's own name (`earshot` for the default `earshot.db`), so two databases kept in one folder
//! never share, rotate away or list each other's backups. The online backup API
//! copies a consistent snapshot while the app keeps reading and writing, so a backup never needs
//! the app closed. Rotation is a pure function of the dates present, tested without files.
//!
//! A backup file may come from anyone, so a restore trusts it only as far as it proves itself
//! (issue 33; `store::trust`): its schema must be exactly Earshot's, its addresses https or
//! loopback http, and it inherits the identity of the database it replaces, with any source
//! whose platform or addresses differ held back until the owner confirms it. The folder is
//! created 0700 and every backup 0600.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::model::SourceId;
use crate::store::{files, Store, StoreError};

/// Daily backups kept, newest first.
pub const KEEP_DAILY: usize = 7;
/// Weekly backups kept beyond the dailies: the newest backup of each ISO week.
pub const KEEP_WEEKLY: usize = 4;

const SUFFIX: &str = ".db";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("cannot use the backup folder {path}: {error}")]
    Folder {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path} is not a usable Earshot backup: {reason}; nothing was replaced")]
    BadBackup { path: PathBuf, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("backup failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl BackupError {
    pub fn code(&self) -> &'static str {
        match self {
            BackupError::Folder { .. } => "backup_folder",
            BackupError::BadBackup { .. } => "bad_backup",
            BackupError::Store(e) => e.code(),
            BackupError::Sqlite(_) => "backup_failed",
        }
    }
}

pub type Result<T, E = BackupError> = std::result::Result<T, E>;

/// One backup file on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupFile {
    pub path: PathBuf,
    pub date: NaiveDate,
    pub bytes: u64,
}

/// The folder backups of the database at `db` go to.
pub fn backup_dir(db: &Path) -> PathBuf {
    db.parent()
        .unwrap_or_else(|| Path::new("."))
        .join("backups")
}

/// What the backups of the database at `db` are named after: its file name without `.db`.
fn backup_stem(db: &Path) -> String {
    db.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "earshot".to_owned())
}

fn file_name(stem: &str, date: NaiveDate) -> String {
    format!("{stem}-{}{SUFFIX}", date.format("%Y-%m-%d"))
}

/// The error for an I/O failure in the backup folder `dir`.
pub(crate) fn folder(dir: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |error| BackupError::Folder {
        path: dir.to_owned(),
        error,
    }
}

/// The backup folder of the database at `db`, made (0700) where it is not there yet.
fn made_backup_dir(db: &Path) -> Result<PathBuf> {
    let dir = backup_dir(db);
    files::create_private_dir(&dir).map_err(folder(&dir))?;
    Ok(dir)
}

/// A backup of the database at `db` that is not one of the dated dailies, named for `what` it
/// keeps and when (`backups/NAME-before-restore-20260101-120000.db`), so rotation never takes
/// it; the folder is made where it is not there yet. Never the name of a file already there:
/// undoing a restore within the second it was made restores the file kept then, and a second
/// keep of that same second must not write over it (`-2`, `-3`… after the stamp).
pub(crate) fn stamped_path(db: &Path, what: &str) -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let dir = made_backup_dir(db)?;
    let stem = backup_stem(db);
    let mut path = dir.join(format!("{stem}-{what}-{stamp}{SUFFIX}"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{what}-{stamp}-{n}{SUFFIX}"));
        n += 1;
    }
    Ok(path)
}

/// Removes a SQLite file and its sidecars, quietly: what is left of a failed or finished copy.
pub(crate) fn remove_db_file(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Makes the file `path` with `write`, which writes `path.partial`: only a complete copy is
/// made private (0600) and renamed into place, so a crash or a failure mid-copy leaves an
/// earlier file of that name intact, and no partial copy is left behind.
pub(crate) fn write_then_rename<T, E: From<BackupError>>(
    path: &Path,
    write: impl FnOnce(&Path) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let partial = PathBuf::from(format!("{}.partial", path.display()));
    remove_db_file(&partial);
    let written = write(&partial).and_then(|t| {
        files::make_private(&partial).map_err(folder(dir))?;
        std::fs::rename(&partial, path).map_err(folder(dir))?;
        Ok(t)
    });
    remove_db_file(&partial);
    written
}

/// The backup of the database at `db` dated `today`, made with `write` (given where to write,
/// see [`write_then_rename`]) and replacing one of the same day; then the backups are rotated.
/// `db` need not be a file: a team database's backups are named after a stand-in path.
pub(crate) fn write_dated<E: From<BackupError>>(
    db: &Path,
    today: NaiveDate,
    write: impl FnOnce(&Path) -> std::result::Result<(), E>,
) -> std::result::Result<BackupFile, E> {
    let path = made_backup_dir(db)?.join(file_name(&backup_stem(db), today));
    write_then_rename(&path, write)?;
    rotate(db)?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok(BackupFile {
        path,
        date: today,
        bytes,
    })
}

/// The date of a backup file of the database named `stem`; `None` for any other file, including
/// the backups of a database whose name merely starts the same way (`earshot-old`).
fn date_of(stem: &str, name: &str) -> Option<NaiveDate> {
    let rest = name
        .strip_prefix(stem)?
        .strip_prefix('-')?
        .strip_suffix(SUFFIX)?;
    if rest.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(rest, "%Y-%m-%d").ok()
}

/// The backups of the database at `db`, newest first.
pub fn list(db: &Path) -> Result<Vec<BackupFile>> {
    let dir = backup_dir(db);
    let stem = backup_stem(db);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(BackupError::Folder { path: dir, error });
        }
    };
    let mut out: Vec<BackupFile> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let date = date_of(&stem, &e.file_name().to_string_lossy())?;
            let bytes = e.metadata().ok()?.len();
            Some(BackupFile {
                path: e.path(),
                date,
                bytes,
            })
        })
        .collect();
    out.sort_by_key(|b| std::cmp::Reverse(b.date));
    Ok(out)
}

/// Which backup dates to keep: the newest `KEEP_DAILY`, plus the newest of each of the
/// `KEEP_WEEKLY` most recent ISO weeks not already covered.
pub fn dates_to_keep(dates: &[NaiveDate]) -> BTreeSet<NaiveDate> {
    let mut sorted: Vec<NaiveDate> = dates.to_vec();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.dedup();
    let mut keep: BTreeSet<NaiveDate> = sorted.iter().take(KEEP_DAILY).copied().collect();
    let mut weekly = 0;
    let mut seen = BTreeSet::new();
    for d in sorted.iter().skip(KEEP_DAILY) {
        let w = d.iso_week();
        if keep.iter().any(|k| k.iso_week() == w) || !seen.insert((w.year(), w.week())) {
            continue;
        }
        keep.insert(*d);
        weekly += 1;
        if weekly == KEEP_WEEKLY {
            break;
        }
    }
    keep
}

/// Writes a backup of the open store dated `today` (replacing one of the same day) and rotates.
pub fn backup_now(store: &Store, today: NaiveDate) -> Result<BackupFile> {
    write_dated(store.path(), today, |partial| Ok(store.backup_to(partial)?))
}

/// Makes today's backup unless there already is one; what the app calls once a day.
pub fn daily_if_due(store: &Store, today: NaiveDate) -> Result<Option<BackupFile>> {
    if list(store.path())?.iter().any(|b| b.date == today) {
        return Ok(None);
    }
    backup_now(store, today).map(Some)
}

fn rotate(db: &Path) -> Result<()> {
    let all = list(db)?;
    let keep = dates_to_keep(&all.iter().map(|b| b.date).collect::<Vec<_>>());
    for b in all.iter().filter(|b| !keep.contains(&b.date)) {
        std::fs::remove_file(&b.path).map_err(folder(&b.path))?;
    }
    Ok(())
}

/// Checks a backup file without changing it: SQLite's integrity check passes and its schema is
/// one this version can open.
pub fn verify(path: &Path) -> Result<()> {
    let bad = |reason: String| BackupError::BadBackup {
        path: path.to_owned(),
        reason,
    };
    if !path.is_file() {
        return Err(bad("the file does not exist".into()));
    }
    crate::store::verify_database_file(path).map_err(bad)
}

/// Replaces the store's contents with the backup at `from`, after checking it. The current
/// database is first saved as a backup of its own (`before-restore`), so a restore can be undone.
pub fn restore(store: &mut Store, from: &Path) -> Result<PathBuf> {
    verify(from)?;
    let safety = stamped_path(store.path(), BEFORE_RESTORE)?;
    store.backup_to(&safety)?;
    store.restore_from(from)?;
    Ok(safety)
}

/// What the backup a restore makes of the data it replaces is named for ([`stamped_path`]).
pub(crate) const BEFORE_RESTORE: &str = "before-restore";

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    pub from: PathBuf,
    /// Where the replaced database was kept: a backup when it could be read, the damaged file
    /// moved aside when it could not.
    pub previous_kept_at: PathBuf,
    /// Sources that get no credentials until the owner confirms them (`sources confirm ID`):
    /// the restored file gave them another platform or address than the replaced database had.
    pub unconfirmed_sources: Vec<SourceId>,
    /// Why the AI endpoint's key is held back until confirmed (`sources confirm --ai`), if it is.
    pub settings_unconfirmed: Option<String>,
}

impl Restored {
    fn new(store: &Store, from: &Path, previous_kept_at: PathBuf) -> Result<Restored> {
        let unconfirmed_sources = store
            .sources()?
            .iter()
            .filter(|s| s.unconfirmed.is_some())
            .map(|s| s.id)
            .collect();
        Ok(Restored {
            from: from.to_owned(),
            previous_kept_at,
            unconfirmed_sources,
            settings_unconfirmed: store.settings_unconfirmed()?,
        })
    }
}

/// Why every source of a database restored over a damaged one waits for confirmation.
const NOTHING_TO_COMPARE: &str = "the database this file replaced could not be read, so its \
     addresses could not be compared with what you had";

/// Restores the database at `db` from `from`, whether or not the current file can be opened:
/// a damaged database is moved aside (never deleted) and the backup copied into its place.
pub fn restore_path(db: &Path, from: &Path) -> Result<Restored> {
    verify(from)?;
    match Store::open(db) {
        Ok(mut store) => {
            let kept = restore(&mut store, from)?;
            Restored::new(&store, from, kept)
        }
        Err(StoreError::NotADatabase { .. }) | Err(StoreError::Open { .. }) => {
            let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
            let aside = PathBuf::from(format!("{}.damaged-{stamp}", db.display()));
            let io = |error| BackupError::Folder {
                path: db.to_owned(),
                error,
            };
            if db.exists() {
                std::fs::rename(db, &aside).map_err(io)?;
            }
            for suffix in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{}{suffix}", db.display()));
                if side.exists() {
                    std::fs::rename(&side, format!("{}{suffix}", aside.display())).map_err(io)?;
                }
            }
            std::fs::copy(from, db).map_err(io)?;
            files::make_private(db).map_err(io)?;
            let store = Store::open(db)?;
            // Nothing to compare its addresses with: every credential waits for the owner.
            store.distrust_all(NOTHING_TO_COMPARE)?;
            Restored::new(&store, from, aside)
        }
        Err(e) => Err(e.into()),
    }
}

/// The newest backup that passes [`verify`], for the "your database is damaged" message.
pub fn newest_good(db: &Path) -> Option<BackupFile> {
    list(db).ok()?.into_iter().find(|b| verify(&b.path).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn rotation_keeps_seven_dailies_and_four_weeklies() {
        // 60 consecutive daily backups ending on Sunday 2026-11-22.
        let dates: Vec<NaiveDate> = (0..60)
            .map(|i| d("2026-11-22") - chrono::Duration::days(i))
            .collect();
        let keep = dates_to_keep(&dates);
        assert_eq!(keep.len(), KEEP_DAILY + KEEP_WEEKLY);
        for i in 0..7 {
            assert!(keep.contains(&(d("2026-11-22") - chrono::Duration::days(i))));
        }
        // The newest backup of each of the four ISO weeks before: the Sundays.
        for s in ["2026-11-15", "2026-11-08", "2026-11-01", "2026-10-25"] {
            assert!(keep.contains(&d(s)), "{s} missing from {keep:?}");
        }
    }

    #[test]
    fn few_backups_are_all_kept() {
        let dates = [d("2026-11-01"), d("2026-11-20")];
        assert_eq!(dates_to_keep(&dates).len(), 2);
    }

    #[test]
    fn backup_names_carry_their_database_and_date() {
        assert_eq!(
            file_name("earshot", d("2026-01-02")),
            "earshot-2026-01-02.db"
        );
        assert_eq!(
            date_of("earshot", "earshot-2026-01-02.db"),
            Some(d("2026-01-02"))
        );
        assert_eq!(
            date_of("earshot", "earshot-before-restore-20260102-101010.db"),
            None
        );
        // Another database in the same folder: its backups are not ours, even by prefix.
        assert_eq!(date_of("earshot", "earshot-old-2026-01-02.db"), None);
        assert_eq!(date_of("earshot", "shop-2026-01-02.db"), None);
        assert_eq!(date_of("shop", "shop-2026-01-02.db"), Some(d("2026-01-02")));
        assert_eq!(backup_stem(Path::new("/data/earshot.db")), "earshot");
        assert_eq!(backup_stem(Path::new("/data/café two.db")), "café two");
    }

    #[test]
    fn a_failed_write_keeps_the_earlier_file_and_leaves_no_partial_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backups/earshot-2026-01-02.db");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "earlier").unwrap();
        let failed = write_then_rename(&path, |partial| -> Result<()> {
            std::fs::write(partial, "half").unwrap();
            std::fs::write(format!("{}-wal", partial.display()), "log").unwrap();
            Err(BackupError::BadBackup {
                path: partial.to_owned(),
                reason: "the copy stopped".into(),
            })
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "earlier");
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["earshot-2026-01-02.db"]);

        write_then_rename(&path, |partial| {
            std::fs::write(partial, "new").map_err(folder(partial))
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
