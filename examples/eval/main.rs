//! `make eval`: the sentiment model against star ratings nobody on the team wrote.
//!
//! Reads a CSV of the Booking.com sample (`Positive_Review`, `Negative_Review`, `Reviewer_Score`
//! 2.5–10 → stars = score / 2, rounded), scores each review's text, and reports:
//! - binary accuracy: 1–2★ must come out on the negative side, 4–5★ on the positive side. A
//!   review's side is the sign of its score; a score of exactly 0 takes no side and counts as
//!   wrong. A review labelled neutral still has a side: the model pulls a mixed review towards 0
//!   but keeps the sign of its heavier half (see the fixture's README for why the binary question
//!   is asked of the score and not of the three-way label);
//! - where 3★ reviews land (the share labelled neutral);
//! - the three-way labels against the stars, strictly (a neutral label on a 1–2★ or 4–5★ review
//!   counts as wrong), per side and balanced, with the confusion table;
//! - the same figures for the even and the odd rows apart, so a tuning value chosen on one half
//!   can be checked on the other, and with the complaint first;
//! - the time per review.
//!
//! Writes the figures as JSON (`--out PATH`, target/eval.json by default); exits non-zero when the
//! binary accuracy is below 0.85 or when no more than half of the 3★ reviews land neutral.
//!
//! Then ONE table over every labelled set (`tests/fixtures/eval/*.tsv`, and `target/eval-data/`
//! when `make eval` made it; each set's origin and licence in `tests/fixtures/eval/README.md`):
//! per set, language and kind of text, the number of polar items, binary accuracy (the score's
//! side, 0 counts wrong) of Earshot's model, of the frozen baseline (the lexicon model before
//! issue 27, `baseline.rs` beside this file) and of VADER (precomputed in the set's
//! second column), the share of negative items labelled negative (what raises an alert), the
//! share of positive items labelled negative, and the share of neutral items labelled neutral.
//!
//! The sample is skewed: 9 in 10 of its starred reviews are 4–5★, so "always positive" would score
//! 0.90 binary accuracy and 0.5 balanced. Balanced accuracy is the figure to watch.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

mod baseline;

use earshot::analysis::sentiment;
use earshot::model::SentimentLabel;
use serde_json::json;

/// The bars: binary accuracy at least this…
const BINARY_BAR: f64 = 0.85;
/// …and more than this share of the 3★ reviews neutral ("mostly").
const THREE_STAR_NEUTRAL_BAR: f64 = 0.5;

/// The review as Booking.com shows it: what the guest liked, then what they did not, each only
/// when written ("No Positive" / "No Negative" mean the guest left it empty). The model weighs
/// sentences alike wherever they stand (only "but" inside a sentence favours what follows), so
/// the order barely matters; the report also gives the figure with the complaint first.
fn review_text(positive: &str, negative: &str, complaint_first: bool) -> String {
    let part = |s: &str, empty: &str| {
        let t = s.trim();
        (!t.is_empty() && !t.eq_ignore_ascii_case(empty)).then(|| t.to_string())
    };
    let mut parts = [part(positive, "No Positive"), part(negative, "No Negative")];
    if complaint_first {
        parts.reverse();
    }
    parts.into_iter().flatten().collect::<Vec<_>>().join(". ")
}

struct Review {
    /// Row number in the file (0 = the first review), for the even/odd halves.
    row: usize,
    stars: u8,
    text: String,
    complaint_first: String,
}

/// Which side of 0 a score falls on.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Negative,
    None,
    Positive,
}

fn side(score: f64) -> Side {
    if score < 0.0 {
        Side::Negative
    } else if score > 0.0 {
        Side::Positive
    } else {
        Side::None
    }
}

/// Figures for one labelling of some reviews.
#[derive(Default)]
struct Tally {
    /// (stars, label) → reviews.
    confusion: BTreeMap<(u8, &'static str), u32>,
    /// Reviews whose score's side matches their stars (1–2★ negative, 4–5★ positive), by stars.
    right_side: BTreeMap<u8, u32>,
    unscored: u32,
}

impl Tally {
    fn of<'a>(
        reviews: impl IntoIterator<Item = &'a Review>,
        text: impl Fn(&Review) -> &str,
    ) -> Tally {
        let mut t = Tally::default();
        for r in reviews {
            let Some(s) = sentiment::analyze(text(r)) else {
                t.unscored += 1;
                continue;
            };
            *t.confusion.entry((r.stars, s.label.as_str())).or_default() += 1;
            let want = match r.stars {
                1 | 2 => Side::Negative,
                4 | 5 => Side::Positive,
                _ => Side::None,
            };
            if want != Side::None && side(s.score) == want {
                *t.right_side.entry(r.stars).or_default() += 1;
            }
        }
        t
    }
    /// Scored reviews with these stars (and this label).
    fn n(&self, stars: &[u8], label: Option<&str>) -> u32 {
        self.confusion
            .iter()
            .filter(|((s, l), _)| stars.contains(s) && label.is_none_or(|x| x == *l))
            .map(|(_, n)| n)
            .sum()
    }
    fn sided(&self, stars: &[u8]) -> u32 {
        stars.iter().filter_map(|s| self.right_side.get(s)).sum()
    }

    // The binary question, asked of the score's side.
    fn negative_recall(&self) -> f64 {
        ratio(self.sided(&[1, 2]), self.n(&[1, 2], None))
    }
    fn positive_recall(&self) -> f64 {
        ratio(self.sided(&[4, 5]), self.n(&[4, 5], None))
    }
    fn accuracy(&self) -> f64 {
        ratio(self.sided(&[1, 2, 4, 5]), self.n(&[1, 2, 4, 5], None))
    }
    fn balanced(&self) -> f64 {
        (self.negative_recall() + self.positive_recall()) / 2.0
    }

    // The three-way labels against the stars: a neutral label on 1–2★ or 4–5★ counts as wrong.
    fn label_negative_recall(&self) -> f64 {
        ratio(self.n(&[1, 2], Some("negative")), self.n(&[1, 2], None))
    }
    fn label_positive_recall(&self) -> f64 {
        ratio(self.n(&[4, 5], Some("positive")), self.n(&[4, 5], None))
    }
    fn label_accuracy(&self) -> f64 {
        ratio(
            self.n(&[1, 2], Some("negative")) + self.n(&[4, 5], Some("positive")),
            self.n(&[1, 2, 4, 5], None),
        )
    }
    fn label_balanced(&self) -> f64 {
        (self.label_negative_recall() + self.label_positive_recall()) / 2.0
    }
    fn neutral_share(&self, stars: &[u8]) -> f64 {
        ratio(self.n(stars, Some("neutral")), self.n(stars, None))
    }
    fn three_star_neutral(&self) -> f64 {
        self.neutral_share(&[3])
    }

    /// The headline figures, for a half of the sample or the other order.
    fn summary(&self) -> serde_json::Value {
        json!({
            "binary_accuracy": round3(self.accuracy()),
            "balanced_accuracy": round3(self.balanced()),
            "three_star_neutral_share": round3(self.three_star_neutral()),
            "label_accuracy": round3(self.label_accuracy()),
            "label_balanced_accuracy": round3(self.label_balanced()),
            "three_star_reviews": self.n(&[3], None),
        })
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        0.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn main() -> anyhow::Result<ExitCode> {
    let mut path = "tests/fixtures/booking-hotel-reviews-sample.csv".to_string();
    let mut out = "target/eval.json".to_string();
    let mut set_dirs: Vec<String> = Vec::new();
    let mut dev = false;
    let mut misses: Option<String> = None;
    let mut dump: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--out" {
            out = args
                .next()
                .ok_or_else(|| anyhow::anyhow!("--out needs a path"))?;
        } else if arg == "--dev" {
            dev = true;
        } else if arg == "--misses" {
            misses = Some(
                args.next()
                    .ok_or_else(|| anyhow::anyhow!("--misses needs a path"))?,
            );
            dev = true;
        } else if arg == "--dump" {
            dump = Some(
                args.next()
                    .ok_or_else(|| anyhow::anyhow!("--dump needs a path"))?,
            );
        } else if arg == "--sets" {
            set_dirs.push(
                args.next()
                    .ok_or_else(|| anyhow::anyhow!("--sets needs a folder"))?,
            );
        } else {
            path = arg;
        }
    }
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
    let mut reviews = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record?;
        let stars = (record[score].trim().parse::<f64>()? / 2.0)
            .round()
            .clamp(1.0, 5.0) as u8;
        reviews.push(Review {
            row,
            stars,
            text: review_text(&record[pos], &record[neg], false),
            complaint_first: review_text(&record[pos], &record[neg], true),
        });
    }

    // The lexicon loads on first use: time the model warm, over a few passes.
    sentiment::analyze("warm up");
    const PASSES: u32 = 20;
    let started = Instant::now();
    for _ in 0..PASSES {
        for r in &reviews {
            std::hint::black_box(sentiment::analyze(std::hint::black_box(&r.text)));
        }
    }
    let micros =
        started.elapsed().as_secs_f64() * 1e6 / f64::from(PASSES) / reviews.len().max(1) as f64;
    // And short reviews, the usual size of a Google or app-store review.
    let short = [
        "Great coffee, friendly staff!",
        "Cold food and a rude waiter. Never again.",
        "The room was fine.",
        "Loved it 😍",
        "Took forever to get served but the pizza was good",
        "Would not recommend, total rip off",
    ];
    let started = Instant::now();
    for _ in 0..20_000 {
        for t in short {
            std::hint::black_box(sentiment::analyze(std::hint::black_box(t)));
        }
    }
    let short_micros = started.elapsed().as_secs_f64() * 1e6 / 20_000.0 / short.len() as f64;
    let words = reviews
        .iter()
        .map(|r| r.text.split_whitespace().count())
        .sum::<usize>() as f64
        / reviews.len().max(1) as f64;

    let t = Tally::of(&reviews, |r| &r.text);
    let even = Tally::of(
        reviews.iter().filter(|r| Half::Development.takes(r.row)),
        |r| &r.text,
    );
    let odd = Tally::of(reviews.iter().filter(|r| Half::HeldOut.takes(r.row)), |r| {
        &r.text
    });
    let swapped = Tally::of(&reviews, |r| &r.complaint_first);
    let (negatives, middle, positives) = (t.n(&[1, 2], None), t.n(&[3], None), t.n(&[4, 5], None));
    let baseline = ratio(positives, negatives + positives);

    println!("dataset: {path} (Booking.com sample, CC0)");
    println!(
        "reviews: {} scored, {} unscored (not English); {negatives} at 1–2★, {middle} at 3★, \
         {positives} at 4–5★",
        t.n(&[1, 2, 3, 4, 5], None),
        t.unscored
    );
    println!(
        "binary accuracy (the score's side: 1–2★ below 0, 4–5★ above 0; exactly 0 counts as \
         wrong): {:.3}",
        t.accuracy()
    );
    println!(
        "  negatives right: {:.3}   positives right: {:.3}   balanced: {:.3}",
        t.negative_recall(),
        t.positive_recall(),
        t.balanced()
    );
    println!(
        "  (\"always positive\" would score {baseline:.3} binary, 0.500 balanced: the sample is \
         skewed)"
    );
    println!("3★ labelled neutral: {:.3}", t.three_star_neutral());
    println!(
        "labels against the stars (neutral on 1–2★ or 4–5★ counts as wrong): {:.3}; 1–2★ labelled \
         negative {:.3}, 4–5★ labelled positive {:.3}, balanced {:.3}; neutral: 1–2★ {:.3}, 4–5★ \
         {:.3}",
        t.label_accuracy(),
        t.label_negative_recall(),
        t.label_positive_recall(),
        t.label_balanced(),
        t.neutral_share(&[1, 2]),
        t.neutral_share(&[4, 5])
    );
    for (name, half) in [("even rows", &even), ("odd rows ", &odd)] {
        println!(
            "{name}: binary {:.3}, balanced {:.3}, 3★ neutral {:.3} of {}; labels {:.3}, \
             balanced {:.3}",
            half.accuracy(),
            half.balanced(),
            half.three_star_neutral(),
            half.n(&[3], None),
            half.label_accuracy(),
            half.label_balanced()
        );
    }
    println!(
        "with the complaint first: binary {:.3}, balanced {:.3}, 3★ neutral {:.3}",
        swapped.accuracy(),
        swapped.balanced(),
        swapped.three_star_neutral()
    );
    println!(
        "{micros:.2} µs per review ({words:.0} words on average); {short_micros:.2} µs per short \
         review"
    );
    println!("stars  negative  neutral  positive");
    for stars in 1..=5u8 {
        let n = |l| t.n(&[stars], Some(l));
        println!(
            "{stars}★     {:>8} {:>8} {:>9}",
            n("negative"),
            n("neutral"),
            n("positive")
        );
    }

    if set_dirs.is_empty() {
        set_dirs = vec!["tests/fixtures/eval".into(), "target/eval-data".into()];
    }
    let booking_baseline = reviews
        .iter()
        .filter(|r| r.stars != 3)
        .filter(|r| {
            let s = baseline::analyze(&r.text).map_or(0.0, |s| s.score);
            side(s)
                == if r.stars < 3 {
                    Side::Negative
                } else {
                    Side::Positive
                }
        })
        .count();
    let mut rows = vec![SetRow {
        set: "booking-hotel-reviews-sample".into(),
        language: "en".into(),
        kind: "hotel reviews (stars)".into(),
        polar: negatives + positives,
        earshot: t.accuracy(),
        baseline: ratio(booking_baseline as u32, negatives + positives),
        vader: None,
        negative_recall: t.label_negative_recall(),
        positive_called_negative: ratio(t.n(&[4, 5], Some("negative")), positives),
        neutral_kept: None,
        unscored: t.unscored,
        micros: micros_per_item(&reviews.iter().map(|r| r.text.as_str()).collect::<Vec<_>>()),
    }];
    let mut missed = String::new();
    for dir in &set_dirs {
        rows.extend(labelled_sets(dir, dev, &mut missed)?);
    }
    print_table(&rows);
    if let Some(path) = &dump {
        dump_analyses(path, &reviews, &set_dirs)?;
        println!("every item's language and score: {path}");
    }
    println!(
        "({}: the odd rows only, held out; the even rows are the development half the rules \
         are tuned on, printed with --dev)",
        SPLIT_SETS.join(", ")
    );
    if let Some(path) = &misses {
        std::fs::write(path, &missed)?;
        println!("development items labelled wrong: {path}");
    }

    let confusion: BTreeMap<String, BTreeMap<&str, u32>> = (1..=5u8)
        .map(|s| {
            let row = ["negative", "neutral", "positive"]
                .into_iter()
                .map(|l| (l, t.n(&[s], Some(l))))
                .collect();
            (format!("{s}"), row)
        })
        .collect();
    let report = json!({
        "dataset": path,
        "licence": "CC0 1.0",
        "reviews": t.n(&[1, 2, 3, 4, 5], None),
        "unscored": t.unscored,
        "binary_accuracy": round3(t.accuracy()),
        "negative_recall": round3(t.negative_recall()),
        "positive_recall": round3(t.positive_recall()),
        "balanced_accuracy": round3(t.balanced()),
        "always_positive_baseline": round3(baseline),
        "three_star_neutral_share": round3(t.three_star_neutral()),
        "labels": {
            "accuracy": round3(t.label_accuracy()),
            "negative_recall": round3(t.label_negative_recall()),
            "positive_recall": round3(t.label_positive_recall()),
            "balanced_accuracy": round3(t.label_balanced()),
            "neutral_share_1_2_stars": round3(t.neutral_share(&[1, 2])),
            "neutral_share_4_5_stars": round3(t.neutral_share(&[4, 5])),
        },
        "even_rows": even.summary(),
        "odd_rows": odd.summary(),
        "complaint_first": swapped.summary(),
        "confusion": confusion,
        "micros_per_review": (micros * 100.0).round() / 100.0,
        "micros_per_short_review": (short_micros * 100.0).round() / 100.0,
        "mean_words_per_review": words.round(),
        "sets": rows.iter().map(SetRow::json).collect::<Vec<_>>(),
    });
    if let Some(dir) = std::path::Path::new(&out).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    let mut failed = false;
    if t.accuracy() < BINARY_BAR {
        eprintln!(
            "eval: binary accuracy {:.3} is below {BINARY_BAR}",
            t.accuracy()
        );
        failed = true;
    }
    if t.three_star_neutral() <= THREE_STAR_NEUTRAL_BAR {
        eprintln!(
            "eval: only {:.3} of the 3★ reviews land neutral (the bar: more than {THREE_STAR_NEUTRAL_BAR})",
            t.three_star_neutral()
        );
        failed = true;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// One labelled set's figures for the table.
struct SetRow {
    set: String,
    language: String,
    kind: String,
    /// Positive and negative items (neutral ones are counted apart).
    polar: u32,
    earshot: f64,
    baseline: f64,
    vader: Option<f64>,
    /// Negative items labelled negative.
    negative_recall: f64,
    /// Positive items labelled negative.
    positive_called_negative: f64,
    /// Neutral items labelled neutral, when the set has neutral items.
    neutral_kept: Option<f64>,
    /// Items the model left unscored (a language it does not cover).
    unscored: u32,
    /// Microseconds of one core's time per item (`micros_per_item`).
    micros: f64,
}

impl SetRow {
    fn json(&self) -> serde_json::Value {
        json!({
            "set": self.set,
            "language": self.language,
            "kind": self.kind,
            "polar_items": self.polar,
            "binary_accuracy": round3(self.earshot),
            "baseline_binary_accuracy": round3(self.baseline),
            "vader_binary_accuracy": self.vader.map(round3),
            "negative_recall": round3(self.negative_recall),
            "positive_called_negative": round3(self.positive_called_negative),
            "neutral_labelled_neutral": self.neutral_kept.map(round3),
            "unscored": self.unscored,
        })
    }
}

/// The kind of text a set holds, from its file name (`LANG-NAME.tsv`).
fn kind_of(name: &str) -> &'static str {
    if name.contains("sentences") {
        "short review sentences"
    } else if name.contains("airline") {
        "customer posts to brands"
    } else if name.contains("tweets") {
        "tweets"
    } else if name.contains("reviews") || name.contains("books") {
        "full reviews"
    } else {
        "other"
    }
}

/// Sets split by row like the Booking.com sample: the even rows (0 = the first line) are the
/// development half, read to find and tune rules; the odd rows are held out, and are what the
/// table reports for the set. The customer posts to brands are the one set of their kind we
/// have, and the rules for complaints stated as facts were found by reading such posts: only
/// the half nobody read measures them (docs/sentiment-data.md, "The development sets").
const SPLIT_SETS: &[&str] = &["en-airline-tweets"];

/// Which rows of a split set a row of the table covers.
#[derive(Clone, Copy, PartialEq)]
enum Half {
    All,
    Development,
    HeldOut,
}

impl Half {
    fn takes(self, row: usize) -> bool {
        match self {
            Half::All => true,
            Half::Development => row.is_multiple_of(2),
            Half::HeldOut => !row.is_multiple_of(2),
        }
    }
}

/// The folder of the guard sets (`--sets target/guard-sets`, docs/sentiment-data.md): sets no
/// rule is tuned on, checked after each change. With `--dev`, their items labelled wrong are
/// listed with the development half's, to see what a rule would cost there.
const GUARD_SETS: &str = "guard-sets";

/// Every `LANG-NAME.tsv` in `dir` (`label <TAB> vader <TAB> text`); a missing folder is no set.
/// A set of `SPLIT_SETS` gives its held-out half, and with `dev` its development half too, whose
/// items labelled wrong (negatives not labelled negative, positives labelled negative) are
/// appended to `missed` as `label <TAB> score <TAB> text`; so are, with `dev`, the items of
/// every set in a [`GUARD_SETS`] folder.
fn labelled_sets(dir: &str, dev: bool, missed: &mut String) -> anyhow::Result<Vec<SetRow>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    paths.sort();
    let guard_sets = dev && std::path::Path::new(dir).ends_with(GUARD_SETS);
    let mut rows = Vec::new();
    for path in paths {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path)?;
        let halves: &[Half] = if !SPLIT_SETS.contains(&name.as_str()) {
            &[Half::All]
        } else if dev {
            &[Half::HeldOut, Half::Development]
        } else {
            &[Half::HeldOut]
        };
        for &half in halves {
            let label = match half {
                Half::All => name.clone(),
                Half::Development => format!("{name} (dev)"),
                Half::HeldOut => format!("{name} (held out)"),
            };
            let list_misses = half == Half::Development || guard_sets;
            let mut row = set_row(&text, half, list_misses, missed);
            row.language = name.split('-').next().unwrap_or("?").to_string();
            row.kind = kind_of(&name).into();
            row.set = label;
            rows.push(row);
        }
    }
    Ok(rows)
}

/// One set's figures over the rows of `half`; with `list_misses`, its items labelled wrong are
/// appended to `missed`.
fn set_row(text: &str, half: Half, list_misses: bool, missed: &mut String) -> SetRow {
    let (mut polar, mut right, mut base_right, mut vader_right) = (0u32, 0u32, 0u32, 0u32);
    let (mut negatives, mut neg_called_neg, mut positives, mut pos_called_neg) =
        (0u32, 0u32, 0u32, 0u32);
    let (mut neutrals, mut neutral_kept, mut unscored) = (0u32, 0u32, 0u32);
    let mut items = Vec::new();
    for (row, line) in text.lines().enumerate() {
        if !half.takes(row) {
            continue;
        }
        let mut parts = line.splitn(3, '\t');
        let (Some(label), Some(vader), Some(item)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        items.push(item);
        let vader: f64 = vader.parse().unwrap_or(0.0);
        let scored = sentiment::analyze(item);
        unscored += u32::from(scored.is_none());
        let score = scored.as_ref().map_or(0.0, |s| s.score);
        let called = scored.map(|s| s.label);
        let base = baseline::analyze(item).map_or(0.0, |s| s.score);
        let want = match label {
            "pos" => Side::Positive,
            "neg" => Side::Negative,
            _ => {
                neutrals += 1;
                neutral_kept += u32::from(called == Some(SentimentLabel::Neutral));
                continue;
            }
        };
        polar += 1;
        right += u32::from(side(score) == want);
        base_right += u32::from(side(base) == want);
        vader_right += u32::from(side(vader) == want);
        let called_negative = called == Some(SentimentLabel::Negative);
        if list_misses && (want == Side::Negative) != called_negative {
            missed.push_str(&format!("{label}\t{score}\t{item}\n"));
        }
        if want == Side::Negative {
            negatives += 1;
            neg_called_neg += u32::from(called_negative);
        } else {
            positives += 1;
            pos_called_neg += u32::from(called_negative);
        }
    }
    SetRow {
        language: String::new(),
        kind: String::new(),
        set: String::new(),
        polar,
        earshot: ratio(right, polar),
        baseline: ratio(base_right, polar),
        vader: Some(ratio(vader_right, polar)),
        negative_recall: ratio(neg_called_neg, negatives),
        positive_called_negative: ratio(pos_called_neg, positives),
        neutral_kept: (neutrals > 0).then(|| ratio(neutral_kept, neutrals)),
        unscored,
        micros: micros_per_item(&items),
    }
}

/// Microseconds per item of what a sync runs on each review (the score and the language), in
/// this thread's CPU time, the least of five rounds of at least 20 ms each: the build machine is
/// shared, and wall time would count the turns other processes take on its two cores.
fn micros_per_item(items: &[&str]) -> f64 {
    if items.is_empty() {
        return 0.0;
    }
    let mut fastest = f64::INFINITY;
    for _ in 0..5 {
        let started = thread_cpu_seconds();
        let mut passes = 0u32;
        while passes == 0 || thread_cpu_seconds() - started < 0.02 {
            for item in items {
                std::hint::black_box(sentiment::analyze_with_language(std::hint::black_box(item)));
            }
            passes += 1;
        }
        let micros = (thread_cpu_seconds() - started) * 1e6 / f64::from(passes);
        fastest = fastest.min(micros / items.len() as f64);
    }
    fastest
}

/// CPU time this thread has run, in seconds.
fn thread_cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill; the clock id is a constant Linux has.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// Writes `set <TAB> row <TAB> language <TAB> score <TAB> text` for every item of every set (both
/// halves) and every Booking review, so two builds' files can be compared line by line: a change
/// meant only to be faster must leave every line as it was.
fn dump_analyses(path: &str, reviews: &[Review], set_dirs: &[String]) -> anyhow::Result<()> {
    let mut out = String::new();
    let mut line = |set: &str, row: usize, item: &str| {
        let (scored, language) = sentiment::analyze_with_language(item);
        let score = scored.map_or("-".to_string(), |s| format!("{:?}", s.score));
        let item = item.replace(['\t', '\n'], " ");
        out.push_str(&format!(
            "{set}\t{row}\t{}\t{score}\t{item}\n",
            language.unwrap_or("-")
        ));
    };
    for r in reviews {
        line("booking-hotel-reviews-sample", r.row, &r.text);
    }
    for dir in set_dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
            .collect();
        paths.sort();
        for p in paths {
            let set = p.file_stem().unwrap_or_default().to_string_lossy();
            for (row, l) in std::fs::read_to_string(&p)?.lines().enumerate() {
                if let Some(item) = l.splitn(3, '\t').nth(2) {
                    line(&set, row, item);
                }
            }
        }
    }
    std::fs::write(path, out)?;
    Ok(())
}

fn print_table(rows: &[SetRow]) {
    println!();
    println!(
        "{:<30} {:<4} {:<26} {:>6} {:>8} {:>8} {:>6} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "set",
        "lang",
        "kind",
        "n",
        "earshot",
        "baseline",
        "VADER",
        "neg→neg",
        "pos→neg",
        "neu→neu",
        "unscored",
        "µs"
    );
    let opt = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
    for r in rows {
        println!(
            "{:<30} {:<4} {:<26} {:>6} {:>8.3} {:>8.3} {:>6} {:>8.3} {:>8.3} {:>8} {:>8} {:>7.2}",
            r.set,
            r.language,
            r.kind,
            r.polar,
            r.earshot,
            r.baseline,
            opt(r.vader),
            r.negative_recall,
            r.positive_called_negative,
            opt(r.neutral_kept),
            r.unscored,
            r.micros
        );
    }
    println!(
        "(n: positive and negative items; earshot/baseline/VADER: binary accuracy, the score's \
         side, 0 wrong; neg→neg: negatives labelled negative; pos→neg: positives labelled \
         negative; neu→neu: neutral items labelled neutral; µs: microseconds of one core's time \
         per item, the least of five rounds)"
    );
}
