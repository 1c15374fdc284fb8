//! Backups of a team database, and restoring one (issue 31).
//!
//! **A team's backup is a portable Earshot file**, the same format a single seat's backup has:
//! `earshot migrate`'s copier ([`super::migrate`]) copies the team database into a new file and
//! checks it (counts, rows field by field, rollups, dashboard figures) before the file is renamed
//! into place. It can be restored anywhere: as a seat's own file (`earshot restore`), or into a
//! team database. It lies in the seat's backup folder (beside its own database file), named after
//! the team database (`team-NAME-YYYY-MM-DD.db`) and rotated as a file's backups are. What a file
//! cannot hold is said by the copy: the team's people (`team_members`) are not in it, and a reply
//! waiting for a manager's approval is a draft there.
//!
//! **Restoring into a team database** replaces the team's data for every seat, so:
//! - only the login that owns the team's tables (who set the team up) or a superuser may do it
//!   (`PgStore::may_replace_everything`); the group roles cannot empty tables anyway;
//! - the data it replaces is first kept as a team backup (`team-NAME-before-restore-STAMP.db`),
//!   so a restore can be undone by restoring that file;
//! - the file is checked as `earshot restore` checks one (`backup::verify`), then copied from a
//!   working copy (the owner's file is never opened for writing, so never upgraded in place);
//! - all or nothing: the tables are emptied, the copy written and checked as `earshot migrate`
//!   checks it, in one transaction; a difference, a failure or a killed process leaves the team
//!   database as it was;
//! - the team's people stay (they are not in a file); their business limits name business ids,
//!   which the restored data may give to other businesses: the output says to check them;
//! - the team database takes a new identity, so no seat's credentials (kept in each seat's
//!   keyring under the old one) reach a restored source that may be another platform or
//!   address: each computer that syncs adds its keys again, as after `earshot migrate`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use super::migrate::{self, MigrateError, Migrated, TableCount};
use crate::backup::{self, BackupError, BackupFile};
use crate::store::postgres::PgStore;
use crate::store::{files, Db, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum TeamBackupError {
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error(transparent)]
    Copy(#[from] MigrateError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "restoring a team database replaces the data of every seat, so only the owner of its \
         tables (the login that set the team up) may do it; {who} may not, and nothing was \
         replaced"
    )]
    NotOwner { who: String },
}

impl TeamBackupError {
    pub fn code(&self) -> &'static str {
        match self {
            TeamBackupError::Backup(e) => e.code(),
            TeamBackupError::Copy(e) => e.code(),
            TeamBackupError::Store(e) => e.code(),
            TeamBackupError::NotOwner { .. } => "forbidden",
        }
    }
}

pub type Result<T, E = TeamBackupError> = std::result::Result<T, E>;

/// What a restore into a team database did: `earshot --db postgresql://… restore FILE --json`.
#[derive(Debug, Clone, Serialize)]
pub struct TeamRestored {
    pub from: PathBuf,
    /// The team backup of the data it replaced: restore it to undo.
    pub previous_kept_at: PathBuf,
    /// What was replaced, table by table (the rows of the kept backup).
    pub replaced: Vec<TableCount>,
    /// What was restored and how it was checked.
    pub restored: Migrated,
    pub notes: Vec<String>,
}

/// Said after a restore into a team database: what did not change and what each seat does.
pub const RESTORE_NOTES: &[&str] = &[
    "The team's people stay as they were; if a person is limited to some businesses, check \
     that the restored businesses are the ones meant with `earshot team members`.",
    "The team database has a new identity, so no computer's keys go to the restored sources: \
     on each computer that syncs or sends replies, add each source's keys again with `earshot \
     sources auth ID` (or `sources add` with `--set-secret`).",
];

fn team_store(db: &Db) -> Result<&PgStore> {
    match db {
        Db::Postgres(p) => Ok(p),
        Db::Sqlite(_) => Err(StoreError::Invalid {
            what: "team backup",
            reason: "this is a database file; its backups are `earshot backup`'s".into(),
        }
        .into()),
    }
}

/// A path that stands for the team database in the seat's folder `seat_dir`: what its backups
/// are named and rotated after (`backups/team-NAME-DATE.db`). No file is ever made there.
fn stand_in(team: &PgStore, seat_dir: &Path) -> Result<PathBuf> {
    let name: String = team
        .database_name()?
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(seat_dir.join(format!("team-{name}.db")))
}

/// Copies the team database into the new file `partial` (which [`backup::write_then_rename`]
/// renames into place once it is checked). What was copied and checked.
fn copy_team_to_file(db: &Db, partial: &Path) -> Result<Migrated> {
    let file = Db::Sqlite(Store::open(partial)?);
    Ok(migrate::migrate(db, &file, &mut |_, _, _| {})?)
}

/// Backs the team database up to the seat's backup folder (beside the seat's own database file
/// in `seat_dir`), dated `today`, replacing one of the same day, and rotates.
pub fn backup_team(db: &Db, seat_dir: &Path, today: NaiveDate) -> Result<BackupFile> {
    let stand_in = stand_in(team_store(db)?, seat_dir)?;
    backup::write_dated(&stand_in, today, |partial| {
        copy_team_to_file(db, partial).map(drop)
    })
}

/// The folder of the team database's backups on this seat.
pub fn team_backup_dir(db: &Db, seat_dir: &Path) -> Result<PathBuf> {
    Ok(backup::backup_dir(&stand_in(team_store(db)?, seat_dir)?))
}

/// The team database's backups on this seat, newest first.
pub fn list_team_backups(db: &Db, seat_dir: &Path) -> Result<Vec<BackupFile>> {
    Ok(backup::list(&stand_in(team_store(db)?, seat_dir)?)?)
}

/// Replaces the team database's data with the backup `from` (see the module's note for the
/// rules): owner only; the replaced data kept first as a team backup; all or nothing.
pub fn restore_team(db: &Db, seat_dir: &Path, from: &Path) -> Result<TeamRestored> {
    let team = team_store(db)?;
    backup::verify(from)?;
    if !team.may_replace_everything()? {
        let who = team.current_login()?;
        return Err(TeamBackupError::NotOwner { who });
    }
    let stand_in = stand_in(team, seat_dir)?;
    let kept_at = backup::stamped_path(&stand_in, backup::BEFORE_RESTORE)?;
    let kept = backup::write_then_rename(&kept_at, |partial| copy_team_to_file(db, partial))?;

    // A working copy: opening upgrades a file of an older schema, which must not touch the
    // owner's own backup.
    let working = backup::stamped_path(&stand_in, "restoring")?;
    let dir = backup::backup_dir(&stand_in);
    backup::remove_db_file(&working);
    let restored = (|| {
        std::fs::copy(from, &working).map_err(backup::folder(&dir))?;
        files::make_private(&working).map_err(backup::folder(&dir))?;
        let file = Db::Sqlite(Store::open(&working)?);
        Ok::<_, TeamBackupError>(migrate::replace_team(&file, db, &mut |_, _, _| {})?)
    })();
    backup::remove_db_file(&working);
    let restored = restored?;
    Ok(TeamRestored {
        from: from.to_owned(),
        previous_kept_at: kept_at,
        replaced: kept.tables,
        restored,
        notes: RESTORE_NOTES.iter().map(|n| (*n).to_owned()).collect(),
    })
}
