//! `earshot report --business NAME [--period 7|30|90|365] --png PATH [--svg PATH]`: the dashboard
//! as a picture, from the same core function as the app's Save as PNG (see `earshot::report`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use chrono::{NaiveDate, Utc};
use clap::Args;
use earshot::report::{self, ImageFormat};
use earshot::store::Db;

/// The dashboard's period choices, in days.
const PERIODS: [i64; 4] = [7, 30, 90, 365];

fn period(s: &str) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(d) if PERIODS.contains(&d) => Ok(d),
        _ => Err(format!(
            "{s:?} is not a period: use 7, 30, 90 or 365 (days)"
        )),
    }
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[arg(long, value_name = "NAME")]
    business: String,
    /// The period in days, against the same number of days before: 7, 30, 90 or 365.
    #[arg(long, default_value = "30", value_parser = period)]
    period: i64,
    /// Write the dashboard as a PNG image (1280 px wide).
    #[arg(long, value_name = "PATH")]
    png: Option<PathBuf>,
    /// Write the dashboard as an SVG document.
    #[arg(long, value_name = "PATH")]
    svg: Option<PathBuf>,
    /// Treat this day as today: the period ends on it (default: today).
    #[arg(long)]
    today: Option<NaiveDate>,
}

/// On either store: a file, or a team database with `--db postgresql://…`.
pub fn run(store: &Db, a: ReportArgs) -> Result<ExitCode> {
    let outputs: Vec<(ImageFormat, PathBuf)> =
        [(ImageFormat::Png, a.png), (ImageFormat::Svg, a.svg)]
            .into_iter()
            .filter_map(|(format, path)| path.map(|p| (format, p)))
            .collect();
    if outputs.is_empty() {
        bail!("say where to write the report: --png PATH and/or --svg PATH");
    }
    let business = store.business_by_name(&a.business)?;
    let today = a.today.unwrap_or_else(|| Utc::now().date_naive());
    let svg = report::dashboard_document(store, business.id, today, a.period)
        .with_context(|| format!("drawing the dashboard of {}", business.name))?;
    for (format, path) in outputs {
        report::write_image(&svg, format, &path)?;
        println!(
            "Saved the dashboard of {} to {}.",
            business.name,
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
