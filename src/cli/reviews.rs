//! `earshot reviews`, `earshot stats` and `earshot demo`.

use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::Args;
use earshot::import::parse_date;
use earshot::model::rfc3339;
use earshot::platform::normalise_platform;
use earshot::store::{Db, ReviewFilter};

use super::output::{print_json, rating};

#[derive(Args, Debug)]
pub struct ReviewsArgs {
    #[arg(long)]
    business: String,
    #[arg(long)]
    platform: Option<String>,
    /// From this date or time on (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_parser = parse_since)]
    since: Option<DateTime<Utc>>,
    /// Up to this date (a plain date includes the whole day) or time.
    #[arg(long, value_parser = parse_until)]
    until: Option<DateTime<Utc>>,
    #[arg(long)]
    min_rating: Option<f64>,
    #[arg(long)]
    max_rating: Option<f64>,
    /// Only reviews nobody has replied to.
    #[arg(long)]
    unanswered: bool,
    /// Full-text search over title, body and author.
    #[arg(long)]
    search: Option<String>,
    /// Only reviews assigned to this person (`earshot assign`).
    #[arg(long, conflicts_with = "unassigned")]
    assigned_to: Option<String>,
    /// Only reviews assigned to nobody.
    #[arg(long)]
    unassigned: bool,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    #[arg(long)]
    json: bool,
}

fn parse_since(s: &str) -> Result<DateTime<Utc>, String> {
    parse_date(s)
}

fn parse_until(s: &str) -> Result<DateTime<Utc>, String> {
    let t = parse_date(s)?;
    // A plain date means "up to the end of that day".
    if NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").is_ok() {
        return Ok(t + Duration::days(1) - Duration::seconds(1));
    }
    Ok(t)
}

pub fn list(store: &Db, a: ReviewsArgs) -> Result<ExitCode> {
    let business = store.business_by_name(&a.business)?;
    let filter = ReviewFilter {
        business_id: Some(business.id),
        platform: a.platform.as_deref().map(normalise_platform),
        since: a.since,
        until: a.until,
        min_rating: a.min_rating,
        max_rating: a.max_rating,
        unanswered: a.unanswered,
        search: a.search.clone(),
        assigned_to: a.assigned_to.as_deref().map(|n| n.trim().to_owned()),
        unassigned: a.unassigned,
        limit: Some(a.limit),
        ..Default::default()
    };
    let reviews = store.list_reviews(&filter)?;
    if a.json {
        print_json(&reviews)?;
        return Ok(ExitCode::SUCCESS);
    }
    if reviews.is_empty() {
        println!("No reviews match.");
    }
    for r in reviews {
        let stars = r
            .rating
            .map_or_else(|| "mention".to_string(), |x| format!("{x:.0}★"));
        let replied = if r.replied { "replied" } else { "" };
        // Only an assigned review's line grows, so every other line reads as before.
        let assigned = r
            .assigned_to
            .map(|name| format!(" (assigned to {name})"))
            .unwrap_or_default();
        println!(
            "#{} {} {} {} {} {}{assigned}",
            r.id,
            rfc3339(&r.created_at),
            r.platform,
            stars,
            r.author.unwrap_or_default(),
            replied
        );
        if let Some(t) = r.title.filter(|t| !t.is_empty()) {
            println!("    {t}");
        }
        println!("    {}", r.body.replace('\n', "\n    "));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[arg(long)]
    business: String,
    #[arg(long)]
    json: bool,
}

pub fn stats(store: &Db, a: StatsArgs) -> Result<ExitCode> {
    let business = store.business_by_name(&a.business)?;
    let stats = store.stats(business.id)?;
    if a.json {
        print_json(&stats)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: {} reviews and mentions, average rating {}",
        stats.business,
        stats.count,
        rating(stats.average_rating)
    );
    let max = stats
        .distribution
        .values()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    for star in (1..=5).rev() {
        let n = stats
            .distribution
            .get(&star.to_string())
            .copied()
            .unwrap_or(0);
        let bar = "█".repeat((n * 30 / max) as usize);
        println!("  {star}★ {bar} {n}");
    }
    if let Some(last) = stats.by_month.last() {
        println!(
            "Latest month {}: {} items, average {}",
            last.month,
            last.count,
            rating(last.average_rating)
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Last day of the demo history (default: today), for a reproducible data set.
    #[arg(long)]
    until: Option<NaiveDate>,
    #[arg(long)]
    json: bool,
}

pub fn demo(store: &mut Db, a: DemoArgs) -> Result<ExitCode> {
    let today = a.until.unwrap_or_else(|| Utc::now().date_naive());
    let summary = earshot::demo::load(store, today).context("loading the demo")?;
    if a.json {
        print_json(&summary)?;
    } else {
        println!(
            "Loaded the demo: {} ({} reviews, {} mentions, {} owner replies, {} to {}).",
            summary.businesses.join(" and competitor "),
            summary.reviews,
            summary.mentions,
            summary.replies,
            summary.from,
            summary.to
        );
        println!("Try: earshot stats --business {:?}", summary.businesses[0]);
    }
    Ok(ExitCode::SUCCESS)
}
