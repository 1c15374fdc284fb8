//! `earshot import PATH… --business NAME [--format F] [--location NAME] [--platform NAME]
//! [--map FIELD=COLUMN]… [--skip-bad] [--long-text truncate|reject] [--json]`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use earshot::import::{ColumnMapping, Format, ImportOptions, ImportReport, LongText};
use earshot::store::Db;

use super::output::{print_json, progress_bar};

// The formats and their help come from the registry: each platform's home declares its exports.
#[derive(Args, Debug)]
#[command(after_help = earshot::import::formats_help())]
pub struct ImportArgs {
    /// The export: a file, a folder, a Takeout ZIP (or all its parts). Earshot's own files also:
    /// a CSV or JSON Lines file with external_id, platform, author, rating, title, body,
    /// created_at, url.
    #[arg(required = true, num_args = 1..)]
    paths: Vec<PathBuf>,
    /// The business the reviews are about (created if new).
    #[arg(long)]
    business: String,
    // The file's format instead of recognising it (its help lists them).
    #[arg(long, value_parser = parse_format, help = format_help())]
    format: Option<Format>,
    /// Of a Takeout with several locations, the one to import (its name or id).
    #[arg(long)]
    location: Option<String>,
    /// Platform for rows that do not name one (Earshot's CSV and JSON Lines).
    #[arg(long)]
    platform: Option<String>,
    /// Which column of a CSV holds a field, when its headers are not Earshot's own:
    /// `--map body=Comment --map created_at="Date posted"`; `--map url=` uses no column. Fields
    /// not named are matched by their headers' meaning (Date, Stars, Review, Name…). Fields:
    /// external_id (made from each review's content when no column holds it), platform, author,
    /// rating, title, body, created_at (required), url, kind, language.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    map: Vec<String>,
    /// Skip bad rows (reporting each) instead of stopping at the first.
    #[arg(long)]
    skip_bad: bool,
    /// A review longer than Earshot keeps (text 64 KiB, title 1 KiB, author 512 bytes):
    /// `truncate` keeps it cut to the limit (counted in the report), `reject` leaves it out
    /// (counted as rejected). A row over 1 MiB is always left out.
    #[arg(long, value_parser = parse_long_text, default_value = "truncate")]
    long_text: LongText,
    /// Rows per transaction (tuning and tests; the default suits any file).
    #[arg(long, hide = true)]
    batch_size: Option<usize>,
    #[arg(long)]
    json: bool,
}

fn parse_long_text(s: &str) -> std::result::Result<LongText, String> {
    LongText::parse(s).ok_or_else(|| format!("{s:?} is neither truncate nor reject"))
}

/// Every format's `--format` name, `csv, jsonl, …`.
fn format_names() -> String {
    let names: Vec<&str> = Format::all().iter().map(|f| f.name()).collect();
    names.join(", ")
}

fn format_help() -> String {
    format!(
        "The file's format instead of recognising it: {}",
        format_names()
    )
}

fn parse_format(s: &str) -> std::result::Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("unknown format {s:?}; one of {}", format_names()))
}

pub fn run(db: &mut Db, args: ImportArgs) -> Result<ExitCode> {
    let mut mapping = ColumnMapping::default();
    for m in &args.map {
        mapping
            .add_arg(m)
            .map_err(|e| anyhow::anyhow!("--map {e}"))?;
    }
    let opts = ImportOptions {
        mapping,
        business: args.business.clone(),
        platform: args.platform.clone(),
        skip_bad: args.skip_bad,
        format: args.format,
        location: args.location.clone(),
        long_text: args.long_text,
    };
    let size = args
        .paths
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    let bar = progress_bar(size, args.json, "Importing");
    let result = earshot::actions::import_into(
        db,
        &args.paths,
        &opts,
        args.batch_size,
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done)
        },
    );
    bar.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            if let (Some(counts), true) = (e.counts(), args.json) {
                print_json(&serde_json::json!({
                    "error": { "code": e.code(), "message": e.to_string() },
                    "new": counts.new, "updated": counts.updated,
                    "unchanged": counts.unchanged, "rejected": 1,
                }))?;
            }
            // The core's words suit the app too; here the way to skip is a flag.
            if e.counts().is_some() && !args.skip_bad {
                return Err(anyhow::anyhow!("{e} (rerun with --skip-bad)"));
            }
            return Err(e.into());
        }
    };
    for r in &report.rejected_rows {
        match &r.place {
            Some(place) => eprintln!("{place}: {} (skipped)", r.reason),
            None => eprintln!("line {}: {} (skipped)", r.line, r.reason),
        }
    }
    if args.json {
        print_json(&report)?;
    } else {
        print_text(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(report: &ImportReport) {
    let c = report.counts;
    let format = Format::parse(report.format);
    let label = format.map_or(report.format, |f| f.label());
    if !report.locations.is_empty() {
        let what = match format {
            Some(Format::Export(e)) => e.spec().targets_word,
            _ => "Locations",
        };
        println!("{what} found:");
        for l in &report.locations {
            let name = match &l.name {
                Some(n) => format!("{n} ({})", l.id),
                None => l.id.clone(),
            };
            let taken = if l.imported { "" } else { " (not imported)" };
            let s = if l.reviews == 1 { "" } else { "s" };
            println!("  {name}: {} review{s}{taken}", l.reviews);
        }
    }
    let twice = if report.duplicates > 0 {
        format!(
            " ({} held twice in the export, imported once)",
            report.duplicates
        )
    } else {
        String::new()
    };
    let cut = if report.truncated > 0 {
        format!(
            "; {} over-long review{} cut to the limit",
            report.truncated,
            if report.truncated == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    println!(
        "Imported {} rows ({label}) into {}: {} new, {} updated, {} unchanged, {} rejected{twice}{cut}.",
        report.rows, report.business, c.new, c.updated, c.unchanged, c.rejected
    );
}
