//! `earshot trends`, `compare`, `project` and `sentiment` (`topics` is in topics.rs).

use std::process::ExitCode;

use anyhow::{bail, Result};
use chrono::{NaiveDate, Utc};
use clap::Args;
use earshot::analysis::{sentiment, trends::Granularity};
use earshot::insights;
use earshot::platform::normalise_platform;
use earshot::store::Db;

use super::output::{print_json, rating};

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{:.0}%", v * 100.0))
}

#[derive(Args, Debug)]
pub struct TrendsArgs {
    #[arg(long)]
    business: String,
    /// day, week or month.
    #[arg(long, default_value = "month")]
    by: Granularity,
    #[arg(long)]
    platform: Option<String>,
    /// Also compute each period's median time to first reply (reads every replied review).
    #[arg(long)]
    reply_times: bool,
    #[arg(long)]
    json: bool,
}

pub fn trends(store: &Db, a: TrendsArgs) -> Result<ExitCode> {
    let b = store.business_by_name(&a.business)?;
    let platform = a.platform.as_deref().map(normalise_platform);
    let periods = insights::trends(store, b.id, a.by, platform.as_deref(), a.reply_times)?;
    if a.json {
        print_json(&periods)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<11} {:>6} {:>7} {:>8} {:>9} {:>9}",
        "period", "items", "rating", "running", "negative", "replied"
    );
    for p in periods {
        println!(
            "{:<11} {:>6} {:>7} {:>8} {:>9} {:>9}",
            p.period,
            p.count,
            rating(p.average_rating),
            rating(p.running_rating),
            pct(p.negative_share),
            pct(p.response_rate)
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    #[arg(long)]
    business: String,
    /// The competitor(s) to set beside it.
    #[arg(long = "with", required = true)]
    with: Vec<String>,
    #[arg(long)]
    today: Option<NaiveDate>,
    #[arg(long)]
    json: bool,
}

pub fn compare(store: &Db, a: CompareArgs) -> Result<ExitCode> {
    let mut ids = vec![store.business_by_name(&a.business)?.id];
    for w in &a.with {
        ids.push(store.business_by_name(w)?.id);
    }
    let today = a.today.unwrap_or_else(|| Utc::now().date_naive());
    let c = insights::compare(store, &ids, today)?;
    if a.json {
        print_json(&c)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<24} {:>7} {:>8} {:>10} {:>10} {:>9}",
        "business", "items", "rating", "30d items", "30d rating", "replied"
    );
    for s in &c.businesses {
        println!(
            "{:<24} {:>7} {:>8} {:>10} {:>10} {:>9}",
            s.business,
            s.all_time.count,
            rating(s.all_time.average_rating),
            s.last_30_days.count,
            rating(s.last_30_days.average_rating),
            pct(s.all_time.response_rate)
        );
        for f in &s.platform_figures {
            println!("  ↳ {}", f.says);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct ProjectArgs {
    #[arg(long)]
    business: String,
    #[arg(long)]
    platform: Option<String>,
    /// The rating to reach, e.g. 4.5.
    #[arg(long)]
    target: Option<f64>,
    /// How far ahead to project, in days.
    #[arg(long, default_value_t = 90)]
    days: i64,
    #[arg(long)]
    today: Option<NaiveDate>,
    #[arg(long)]
    json: bool,
}

pub fn project(store: &Db, a: ProjectArgs) -> Result<ExitCode> {
    let b = store.business_by_name(&a.business)?;
    if let Some(t) = a.target {
        if !(1.0..=5.0).contains(&t) {
            bail!("target {t} is outside 1–5");
        }
    }
    let today = a.today.unwrap_or_else(|| Utc::now().date_naive());
    let platform = a.platform.as_deref().map(normalise_platform);
    let p = insights::projection(store, b.id, platform.as_deref(), a.target, today, a.days)?;
    if a.json {
        print_json(&p)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Rating now {}; at the pace of the last 90 days ({:.1} rated reviews a day averaging {}) it will be {} in {} days.",
        rating(p.current_rating),
        p.recent_per_day,
        rating(p.recent_average),
        rating(p.projected_rating),
        p.horizon_days
    );
    match (a.target, p.five_stars_needed) {
        (Some(t), Some(0)) => println!("Already at or above {t}."),
        (Some(t), Some(n)) => println!("It takes {n} five-star reviews in a row to reach {t}."),
        (Some(t), None) => println!("{t} cannot be reached with five-star reviews."),
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct SentimentArgs {
    /// The text to score.
    text: String,
    #[arg(long)]
    json: bool,
}

pub fn sentiment(a: SentimentArgs) -> Result<ExitCode> {
    let (scored, language) = sentiment::analyze_with_language(&a.text);
    if a.json {
        print_json(&serde_json::json!({
            "score": scored.as_ref().map(|s| (s.score * 1000.0).round() / 1000.0),
            "label": scored.as_ref().map(|s| s.label.as_str()),
            "language": language,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    match scored {
        Some(s) => println!("{} ({:+.3})", s.label.as_str(), s.score),
        None => println!(
            "unscored (language {} is not covered)",
            language.unwrap_or("unknown")
        ),
    }
    Ok(ExitCode::SUCCESS)
}
