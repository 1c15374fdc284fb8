//! `earshot backup [--list]` and `earshot restore FILE`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use chrono::Utc;
use clap::Args;
use earshot::actions::{self, team_backup, team_seat};
use earshot::backup::BackupFile;
use earshot::store::{DbLocation, Store};

use super::output::print_json;

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// List the backups instead of making one.
    #[arg(long)]
    list: bool,
    #[arg(long)]
    json: bool,
}

/// The folder of this seat's own database file: where a team database's backups go on this
/// computer (its `backups/` folder, beside the seat's own).
fn seat_dir() -> PathBuf {
    // EARSHOT_DB may be the team's URL itself: the seat's file is then the app's (`own_file`).
    let own = team_seat::own_file(&DbLocation::parse(&earshot::store::default_db_path()));
    own.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// `earshot backup` on either store: a file's backup beside it; a team database's as a portable
/// Earshot file in this seat's backup folder (`actions::team_backup`).
pub fn backup_any(location: &DbLocation, a: BackupArgs) -> Result<ExitCode> {
    if let DbLocation::File(path) = location {
        return backup(path, a);
    }
    let db = super::open_db(location)?;
    let list_or_made = if a.list {
        team_backup::list_team_backups(&db, &seat_dir())?
    } else {
        vec![team_backup::backup_team(
            &db,
            &seat_dir(),
            Utc::now().date_naive(),
        )?]
    };
    print_backups(a.list, a.json, list_or_made)
}

/// Prints a listing (`--list`) or the one backup just made, as a file's backups are printed.
fn print_backups(list: bool, json: bool, backups: Vec<BackupFile>) -> Result<ExitCode> {
    if !list {
        let made = &backups[0];
        if json {
            print_json(made)?;
        } else {
            println!(
                "Backed up to {} ({} KB).",
                made.path.display(),
                made.bytes / 1024
            );
        }
    } else if json {
        print_json(&backups)?;
    } else if backups.is_empty() {
        println!("No backups yet. Make one with `earshot backup`.");
    } else {
        for b in backups {
            println!("{}  {:>8} KB  {}", b.date, b.bytes / 1024, b.path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn backup(db: &Path, a: BackupArgs) -> Result<ExitCode> {
    let list_or_made = if a.list {
        actions::list_backups(db)?
    } else {
        vec![actions::backup_now(
            &Store::open(db)?,
            Utc::now().date_naive(),
        )?]
    };
    print_backups(a.list, a.json, list_or_made)
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file to restore.
    file: PathBuf,
    #[arg(long)]
    json: bool,
}

/// `earshot restore FILE` on either store; into a team database it replaces the team's data
/// (owner only, all or nothing; `actions::team_backup`).
pub fn restore_any(location: &DbLocation, a: RestoreArgs) -> Result<ExitCode> {
    if let DbLocation::File(path) = location {
        return restore(path, a);
    }
    let db = super::open_db(location)?;
    let done = team_backup::restore_team(&db, &seat_dir(), &a.file)?;
    if a.json {
        print_json(&done)?;
        return Ok(ExitCode::SUCCESS);
    }
    let replaced: Vec<String> = done
        .replaced
        .iter()
        .filter(|t| t.rows > 0)
        .map(|t| format!("{} {}", t.rows, t.name))
        .collect();
    println!(
        "Restored the team database {} from {}. It replaced {}; that data is kept at {} \
         (restore it to undo).",
        done.restored.to,
        done.from.display(),
        if replaced.is_empty() {
            "nothing (it was empty)".to_owned()
        } else {
            replaced.join(", ")
        },
        done.previous_kept_at.display()
    );
    for t in &done.restored.tables {
        println!("  {:<18} {:>10} rows", t.name, t.rows);
    }
    for note in &done.notes {
        println!("{note}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn restore(db: &Path, a: RestoreArgs) -> Result<ExitCode> {
    let done = actions::restore(db, &a.file)?;
    if a.json {
        print_json(&done)?;
    } else {
        println!(
            "Restored {} from {}. The database it replaced is kept at {}.",
            db.display(),
            done.from.display(),
            done.previous_kept_at.display()
        );
        for id in &done.unconfirmed_sources {
            println!(
                "Source {id} has another platform or address in the restored file: it gets no \
                 credentials until you check it and run `earshot sources confirm {id}`."
            );
        }
        if let Some(why) = &done.settings_unconfirmed {
            println!(
                "The AI endpoint's key is held back ({why}): check it in Settings and run \
                 `earshot sources confirm --ai`."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
