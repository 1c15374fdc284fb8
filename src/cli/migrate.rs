//! `earshot migrate --to URL|FILE` (issue 31): copies this database file into a team database,
//! or this team database into a new file, and checks the copy (`actions::migrate`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use earshot::actions::migrate::{self, Migrated};
use earshot::store::DbLocation;

use super::output::{count_bar, print_json};

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// Where to copy to: a team's `postgresql://` URL from a database file, or a new file from a
    /// team database (`--db postgresql://…`). It must hold nothing yet.
    #[arg(long, value_name = "URL|PATH")]
    to: PathBuf,
    /// What was copied and checked, as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(location: &DbLocation, args: MigrateArgs) -> Result<ExitCode> {
    let source = super::open_db(location)?;
    let target_location = DbLocation::parse(&args.to);
    if &target_location == location {
        anyhow::bail!("`--to` names the database being copied; name another one");
    }
    let target = super::open_db(&target_location)?;
    let bar = count_bar(args.json, "Copying", "rows");
    let result = migrate::migrate(&source, &target, &mut |table, done, total| {
        bar.set_length(total);
        bar.set_message(format!("Copying {table}"));
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let migrated = result
        .with_context(|| format!("copying {} to {}", source.location(), target.location()))?;
    if args.json {
        print_json(&migrated)?;
    } else {
        print_text(&migrated);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(m: &Migrated) {
    println!("Copied {} to {}:", m.from, m.to);
    for t in &m.tables {
        println!("  {:<18} {:>10} rows", t.name, t.rows);
    }
    for t in m.not_copied.iter().filter(|t| t.rows > 0) {
        println!(
            "  {:<18} {:>10} rows not copied: {}",
            t.name, t.rows, t.reason
        );
    }
    let c = &m.checked;
    let sampled = if c.sampled_tables.is_empty() {
        "every row".to_owned()
    } else {
        format!(
            "{} rows chosen evenly by id of {}, every row of the others",
            migrate::SAMPLE,
            c.sampled_tables.join(", ")
        )
    };
    println!(
        "Checked, all equal: the row counts of {} tables, {} rows field by field ({sampled}; \
         {} reviews), {} rows of the daily figures, and the dashboard figures of {} businesses.",
        c.tables,
        c.rows_compared,
        c.reviews_compared,
        c.rollup_rows_compared,
        c.businesses_compared
    );
    for note in &m.notes {
        println!("{note}");
    }
}
