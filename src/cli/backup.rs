//! `earshot backup [--list]` and `earshot restore FILE`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use chrono::Utc;
use clap::Args;
use earshot::actions;
use earshot::store::Store;

use super::output::print_json;

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// List the backups instead of making one.
    #[arg(long)]
    list: bool,
    #[arg(long)]
    json: bool,
}

pub fn backup(db: &Path, a: BackupArgs) -> Result<ExitCode> {
    if a.list {
        let list = actions::list_backups(db)?;
        if a.json {
            print_json(&list)?;
        } else if list.is_empty() {
            println!("No backups yet. Make one with `earshot backup`.");
        } else {
            for b in list {
                println!("{}  {:>8} KB  {}", b.date, b.bytes / 1024, b.path.display());
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let store = Store::open(db)?;
    let made = actions::backup_now(&store, Utc::now().date_naive())?;
    if a.json {
        print_json(&made)?;
    } else {
        println!(
            "Backed up to {} ({} KB).",
            made.path.display(),
            made.bytes / 1024
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file to restore.
    file: PathBuf,
    #[arg(long)]
    json: bool,
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
