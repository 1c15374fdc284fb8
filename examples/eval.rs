//! `make eval`: the sentiment model against star ratings nobody on the team wrote.
//!
//! Reads a CSV of the Booking.com sample (`Positive_Review`, `Negative_Review`, `Reviewer_Score`
//! 2.5–10 → stars = score / 2, rounded), scores each review's text, and reports binary accuracy
//! (1–2★ must come out negative, 4–5★ positive; a neutral answer counts as wrong), accuracy per
//! side, and where 3★ reviews land. Writes target/eval.json; exits non-zero below 0.85.

use std::collections::BTreeMap;
use std::process::ExitCode;

use earshot::analysis::sentiment;
use earshot::model::SentimentLabel;
use serde_json::json;

const BAR: f64 = 0.85;

/// The review as its reader sees it: the good and the bad, each only when written.
pub fn review_text(positive: &str, negative: &str) -> String {
    let part = |s: &str, empty: &str| {
        let t = s.trim();
        if t.is_empty() || t.eq_ignore_ascii_case(empty) {
            None
        } else {
            Some(t.to_string())
        }
    };
    [part(positive, "No Positive"), part(negative, "No Negative")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(". ")
}

fn main() -> anyhow::Result<ExitCode> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/booking-hotel-reviews-sample.csv".into());
    let mut reader = csv::Reader::from_path(&path)?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| anyhow::anyhow!("{path} has no column {name}"))
    };
    let (pos, neg, score) = (
        col("Positive_Review")?,
        col("Negative_Review")?,
        col("Reviewer_Score")?,
    );
    // (stars, label) per review.
    let mut confusion: BTreeMap<(u8, &'static str), u32> = BTreeMap::new();
    let (mut neg_ok, mut neg_n, mut pos_ok, mut pos_n, mut mid_neutral, mut mid_n) =
        (0u32, 0u32, 0u32, 0u32, 0u32, 0u32);
    let mut unscored = 0u32;
    let started = std::time::Instant::now();
    let mut scored = 0u32;
    for row in reader.records() {
        let row = row?;
        let text = review_text(&row[pos], &row[neg]);
        let stars = (row[score].trim().parse::<f64>()? / 2.0)
            .round()
            .clamp(1.0, 5.0) as u8;
        let Some(s) = sentiment::analyze(&text) else {
            unscored += 1;
            continue;
        };
        scored += 1;
        let label = match s.label {
            SentimentLabel::Negative => "negative",
            SentimentLabel::Neutral => "neutral",
            SentimentLabel::Positive => "positive",
        };
        *confusion.entry((stars, label)).or_default() += 1;
        match stars {
            1 | 2 => {
                neg_n += 1;
                neg_ok += u32::from(label == "negative");
            }
            3 => {
                mid_n += 1;
                mid_neutral += u32::from(label == "neutral");
            }
            _ => {
                pos_n += 1;
                pos_ok += u32::from(label == "positive");
            }
        }
    }
    let micros = started.elapsed().as_secs_f64() * 1e6 / f64::from(scored.max(1));
    let ratio = |a: u32, b: u32| {
        if b == 0 {
            0.0
        } else {
            f64::from(a) / f64::from(b)
        }
    };
    let accuracy = ratio(neg_ok + pos_ok, neg_n + pos_n);
    let balanced = (ratio(neg_ok, neg_n) + ratio(pos_ok, pos_n)) / 2.0;
    println!("dataset: {path} (Booking.com sample, CC0)");
    println!(
        "reviews: {} scored, {unscored} unscored (not English); {neg_n} at 1–2★, {mid_n} at 3★, {pos_n} at 4–5★",
        scored
    );
    println!("binary accuracy (1–2★ negative, 4–5★ positive): {accuracy:.3}");
    println!(
        "  negatives right: {:.3}   positives right: {:.3}   balanced: {balanced:.3}",
        ratio(neg_ok, neg_n),
        ratio(pos_ok, pos_n)
    );
    println!("3★ labelled neutral: {:.3}", ratio(mid_neutral, mid_n));
    println!("{micros:.1} µs per review");
    println!("stars  negative  neutral  positive");
    for stars in 1..=5u8 {
        let n = |l| confusion.get(&(stars, l)).copied().unwrap_or(0);
        println!(
            "{stars}★     {:>8} {:>8} {:>9}",
            n("negative"),
            n("neutral"),
            n("positive")
        );
    }
    let report = json!({
        "dataset": path,
        "licence": "CC0 1.0",
        "reviews": scored,
        "unscored": unscored,
        "binary_accuracy": (accuracy * 1000.0).round() / 1000.0,
        "negative_recall": (ratio(neg_ok, neg_n) * 1000.0).round() / 1000.0,
        "positive_recall": (ratio(pos_ok, pos_n) * 1000.0).round() / 1000.0,
        "balanced_accuracy": (balanced * 1000.0).round() / 1000.0,
        "three_star_neutral_share": (ratio(mid_neutral, mid_n) * 1000.0).round() / 1000.0,
        "micros_per_review": (micros * 10.0).round() / 10.0,
    });
    std::fs::create_dir_all("target")?;
    std::fs::write("target/eval.json", serde_json::to_string_pretty(&report)?)?;
    Ok(if accuracy >= BAR {
        ExitCode::SUCCESS
    } else {
        eprintln!("eval: binary accuracy {accuracy:.3} is below {BAR}");
        ExitCode::FAILURE
    })
}
