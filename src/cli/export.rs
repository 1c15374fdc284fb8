//! `earshot export --csv PATH [--business NAME]`: the reviews as CSV, the columns `earshot import`
//! reads first, so an export imports again unchanged (see `earshot::export`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use earshot::store::{Db, ReviewFilter};

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The CSV file to write (`-` for standard output).
    #[arg(long, value_name = "PATH")]
    csv: PathBuf,
    /// Only this business's reviews (default: every business, competitors included).
    #[arg(long, value_name = "NAME")]
    business: Option<String>,
}

pub fn run(store: &Db, a: ExportArgs) -> Result<ExitCode> {
    let filter = match &a.business {
        Some(name) => ReviewFilter {
            business_id: Some(store.business_by_name(name)?.id),
            ..Default::default()
        },
        None => ReviewFilter::default(),
    };
    if a.csv.as_os_str() == "-" {
        let out = std::io::stdout().lock();
        earshot::export::reviews_csv(store, &filter, BufWriter::new(out))?;
        return Ok(ExitCode::SUCCESS);
    }
    let file = File::create(&a.csv).with_context(|| format!("creating {}", a.csv.display()))?;
    let mut out = BufWriter::new(file);
    let n = earshot::export::reviews_csv(store, &filter, &mut out)?;
    out.flush()
        .with_context(|| format!("writing {}", a.csv.display()))?;
    println!("Exported {n} reviews and mentions to {}.", a.csv.display());
    Ok(ExitCode::SUCCESS)
}
