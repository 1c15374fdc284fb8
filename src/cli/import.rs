//! `earshot import FILE --business NAME [--platform NAME] [--skip-bad] [--json]`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use earshot::import::{ImportError, ImportOptions};
use earshot::store::Store;

use super::output::{print_json, progress_bar};

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// A CSV or JSON Lines file with external_id, platform, author, rating, title, body,
    /// created_at, url.
    file: PathBuf,
    /// The business the reviews are about (created if new).
    #[arg(long)]
    business: String,
    /// Platform for rows that do not name one.
    #[arg(long)]
    platform: Option<String>,
    /// Skip bad rows (reporting each) instead of stopping at the first.
    #[arg(long)]
    skip_bad: bool,
    /// Rows per transaction (tuning and tests; the default suits any file).
    #[arg(long, hide = true)]
    batch_size: Option<usize>,
    #[arg(long)]
    json: bool,
}

pub fn run(store: &mut Store, args: ImportArgs) -> Result<ExitCode> {
    let opts = ImportOptions {
        business: args.business.clone(),
        platform: args.platform.clone(),
        skip_bad: args.skip_bad,
    };
    let size = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let bar = progress_bar(size, args.json, "Importing");
    let mut progress = |done, _total| bar.set_position(done);
    let result = earshot::actions::import(store, &args.file, &opts, args.batch_size, &mut progress);
    bar.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        Err(e @ ImportError::BadRow { .. }) => {
            if let ImportError::BadRow { counts, .. } = &e {
                if args.json {
                    print_json(&serde_json::json!({
                        "error": { "code": e.code(), "message": e.to_string() },
                        "new": counts.new, "updated": counts.updated,
                        "unchanged": counts.unchanged, "rejected": 1,
                    }))?;
                }
            }
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    for r in &report.rejected_rows {
        eprintln!("line {}: {} (skipped)", r.line, r.reason);
    }
    if args.json {
        print_json(&report)?;
    } else {
        let c = report.counts;
        println!(
            "Imported {} rows into {}: {} new, {} updated, {} unchanged, {} rejected.",
            report.rows, report.business, c.new, c.updated, c.unchanged, c.rejected
        );
    }
    Ok(ExitCode::SUCCESS)
}
