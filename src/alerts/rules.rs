//! The alert rules as pure functions over plain rows: no SQL, no clock, no I/O.
//!
//! Each function takes what the store read (new reviews, busy hours, daily rating sums) and
//! returns [`Finding`]s: the alert to raise, already keyed and dated by the data, and whether the
//! condition still holds now. Keeping the clock and the store outside means every rule is tested
//! on synthetic streams with exact expectations, and the check decides alone what is history.
//!
//! Statistical choices, in short (each is explained where it is made):
//! - a rating drop must be both large (0.3★ by default) and unlikely to be chance (a z-test from
//!   the star counts), so a quiet month with two bad reviews does not cry wolf;
//! - a spike is an hour whose count is improbable under a Poisson model of the business's usual
//!   pace (the median day of the last four weeks), at least 3x that pace and at least 5 items;
//! - threshold rules re-arm only after the figure has clearly recovered (hysteresis), so a value
//!   hovering at the line raises one alert, not one a day.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::Rule;

use crate::analysis::trends::DayRow;
use crate::model::alerts::{AlertKind, AlertState, NewAlert};
use crate::model::{Business, BusinessId, Kind, ReviewId, SentimentLabel};
use crate::platform::platform_label;

use crate::model::alerts::Item;

pub mod bomb;
pub mod lifecycle;
pub mod silence;
pub mod surge;
pub mod trend;

pub use trend::Direction;

/// What a rule found: the alert to raise, and whether its condition still holds at the end of the
/// data (a rating that is still down is news however long ago it fell).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub alert: NewAlert,
    pub ongoing: bool,
}

fn finding(
    kind: AlertKind,
    business_id: BusinessId,
    dedup_key: String,
    created_at: i64,
    message: String,
    review_ids: Vec<ReviewId>,
    details: serde_json::Value,
) -> Finding {
    Finding {
        alert: NewAlert {
            kind,
            business_id: Some(business_id),
            dedup_key,
            created_at,
            message,
            review_ids,
            details,
            state: AlertState::New,
        },
        ongoing: false,
    }
}

// ---------------------------------------------------------------------------------------------
// Per-item rules.

/// Whether an item counts as negative: rated at or below `max_stars`, or unrated (a mention, or a
/// platform without stars) with negative sentiment. A rated review's stars win over its wording:
/// a 4★ "not bad at all" is not a complaint.
pub fn is_negative(item: &Item, max_stars: f64) -> bool {
    match item.rating {
        Some(r) => r <= max_stars,
        None => item.sentiment == Some(SentimentLabel::Negative),
    }
}

/// `new_negative`: one alert per new negative review or mention.
pub fn new_negative(items: &[Item], max_stars: f64) -> Vec<Finding> {
    items
        .iter()
        .filter(|i| is_negative(i, max_stars))
        .map(|i| {
            let text = quote(&excerpt(&text_of(i), EXCERPT_CHARS));
            let platform = platform_label(&i.platform);
            let message = match i.edited_at {
                None => format!("New {} on {platform}{}: {text}", what(i), by(i)),
                Some(_) => format!(
                    "A review on {platform}{} was changed to {}: {text}",
                    by(i),
                    i.rating.map_or_else(|| "a complaint".into(), stars)
                ),
            };
            finding(
                AlertKind::NewNegative,
                i.business_id,
                format!("new_negative:{}", i.id),
                i.edited_at.unwrap_or(i.created_at),
                message,
                vec![i.id],
                json!({ "rating": i.rating, "platform": i.platform }),
            )
        })
        .collect()
}

/// `unanswered`: a negative review (not a mention: those usually cannot be answered) with no
/// reply `deadline` seconds after it was written, dated at the moment the deadline passed.
pub fn unanswered(items: &[Item], max_stars: f64, deadline: i64, now: i64) -> Vec<Finding> {
    items
        .iter()
        .filter(|i| {
            i.kind == Kind::Review
                && i.replied_at.is_none()
                && is_negative(i, max_stars)
                && i.created_at + deadline <= now
        })
        .map(|i| {
            let message = format!(
                "{} on {}{} has had no reply for {}: {}",
                capitalise(&a_what(i)),
                platform_label(&i.platform),
                by(i),
                duration_words(deadline),
                quote(&excerpt(&text_of(i), EXCERPT_CHARS))
            );
            finding(
                AlertKind::Unanswered,
                i.business_id,
                format!("unanswered:{}", i.id),
                i.created_at + deadline,
                message,
                vec![i.id],
                json!({ "rating": i.rating, "platform": i.platform, "hours": deadline / 3600 }),
            )
        })
        .collect()
}

/// Case-insensitive, whole-word matching of the owner's watch words and phrases. "scam" matches
/// "Scam!" and "a scam." but not "scampi"; "health department" matches across a line break.
#[derive(Debug, Clone)]
pub struct WatchWords {
    /// Lower-cased phrases as char vectors, words separated by one space.
    phrases: Vec<(String, Vec<char>)>,
}

impl WatchWords {
    pub fn new(words: &[String]) -> WatchWords {
        let phrases = words
            .iter()
            .map(|w| w.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|w| !w.is_empty())
            .map(|w| {
                let chars = w.chars().flat_map(char::to_lowercase).collect();
                (w, chars)
            })
            .collect();
        WatchWords { phrases }
    }

    /// The watch words found in `text`, in the order they were configured, each once, with a
    /// snippet of the text around the first match.
    pub fn find(&self, text: &str) -> Vec<(String, String)> {
        if self.phrases.is_empty() {
            return Vec::new();
        }
        // Most texts hold no watch word: a plain substring test on the first word of each phrase
        // rules them out before the character-by-character match below.
        let folded = text.to_lowercase();
        if !self.phrases.iter().any(|(_, p)| {
            let first: String = p.iter().take_while(|c| **c != ' ').collect();
            folded.contains(&first)
        }) {
            return Vec::new();
        }
        // Text normalised for matching: whitespace runs become one space, letters lower case.
        // `orig` keeps the original character at each position for the snippet.
        let mut lower: Vec<char> = Vec::with_capacity(text.len());
        let mut orig: Vec<char> = Vec::with_capacity(text.len());
        let mut last_space = true;
        for c in text.chars() {
            if c.is_whitespace() {
                if !last_space {
                    lower.push(' ');
                    orig.push(' ');
                }
                last_space = true;
                continue;
            }
            last_space = false;
            // One lower-case char per original char keeps the two vectors aligned; the few
            // characters that lower-case to several (İ) compare by their first.
            lower.push(c.to_lowercase().next().unwrap_or(c));
            orig.push(c);
        }
        let mut found = Vec::new();
        for (phrase, p) in &self.phrases {
            if let Some(at) = find_word(&lower, p) {
                let from = at.saturating_sub(SNIPPET_CONTEXT);
                let to = (at + p.len() + SNIPPET_CONTEXT).min(orig.len());
                let mut s: String = orig[from..to].iter().collect();
                s = s.trim().to_owned();
                if from > 0 {
                    s.insert(0, '…');
                }
                if to < orig.len() {
                    s.push('…');
                }
                found.push((phrase.clone(), s));
            }
        }
        found
    }
}

/// Characters of context either side of a watch word in its snippet.
const SNIPPET_CONTEXT: usize = 40;

fn find_word(hay: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| {
        hay[i..i + needle.len()] == *needle
            && (i == 0 || !hay[i - 1].is_alphanumeric())
            && hay
                .get(i + needle.len())
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// `watch_word`: one alert per item that uses any watch word (naming all it uses).
pub fn watch_words(items: &[Item], matcher: &WatchWords) -> Vec<Finding> {
    items
        .iter()
        .filter_map(|i| {
            let hits = matcher.find(&text_of(i));
            if hits.is_empty() {
                return None;
            }
            let words: Vec<String> = hits.iter().map(|(w, _)| w.clone()).collect();
            let quoted: Vec<String> = words.iter().map(|w| format!("“{w}”")).collect();
            let message = format!(
                "{} in {} on {}{}: {}",
                join_words(&quoted),
                a_what(i),
                platform_label(&i.platform),
                by(i),
                quote(&hits[0].1)
            );
            Some(finding(
                AlertKind::WatchWord,
                i.business_id,
                format!("watch_word:{}", i.id),
                i.edited_at.unwrap_or(i.created_at),
                message,
                vec![i.id],
                json!({ "words": words, "rating": i.rating, "platform": i.platform }),
            ))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Spikes.

/// Hours during which reviews and mentions actually arrive. A day's items spread over about 12
/// waking hours, not 24; dividing by 24 would halve the expected pace of a daytime hour and make
/// every busy lunchtime look like a spike.
pub const ACTIVE_HOURS_PER_DAY: f64 = 12.0;
/// The usual pace is never taken below one item a day: a business that is new or usually silent
/// has a median of zero, and against zero anything is infinitely surprising.
pub const MIN_BASELINE_PER_DAY: f64 = 1.0;
/// Hot hours at most this far apart belong to one spike (a quiet hour in the middle of a viral
/// afternoon does not make it two).
pub const SPIKE_GAP_HOURS: i64 = 2;
/// How far before the first new item the check looks for the start of a spike still going on.
pub const SPIKE_RUN_LOOKBACK_HOURS: i64 = 48;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpikeParams {
    /// Never a spike below this many items in an hour: 3 reviews in an hour at a quiet café is a
    /// coincidence, not virality, whatever the statistics say about a tiny baseline.
    pub min_items: i64,
    /// The hour must reach this multiple of the usual hourly pace. A Poisson test alone is too
    /// eager for busy businesses (real counts vary more than Poisson: weather, events), where
    /// 1.5x the usual pace is already "significant".
    pub min_ratio: f64,
    /// Poisson tail probability below which the hour is a spike: one in a million, so a business
    /// sees a false spike about once in a century of waking hours if the model held.
    pub max_p: f64,
    /// Days before the hour's day that set the usual pace (their median day).
    pub baseline_days: i64,
}

impl SpikeParams {
    pub fn from_rule(rule: &Rule) -> SpikeParams {
        SpikeParams {
            min_items: rule.number("min_items").round() as i64,
            min_ratio: rule.number("min_ratio"),
            max_p: rule.number("max_p"),
            baseline_days: rule.number("baseline_days").round() as i64,
        }
    }
}

impl Default for SpikeParams {
    fn default() -> Self {
        SpikeParams::from_rule(&Rule::default_for(AlertKind::Spike))
    }
}

/// One spike: consecutive hot hours `[start, end)` (hours since the epoch).
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeRun {
    pub start: i64,
    pub end: i64,
    /// Items in the hot hours.
    pub count: i64,
    /// The busiest hour's count.
    pub peak: i64,
    /// Usual items per hour, from the median day.
    pub usual_per_hour: f64,
    /// Tail probability of the busiest hour.
    pub p_value: f64,
}

/// P(X ≥ k) for X ~ Poisson(λ), summed from k upward in log space so it stays accurate for tiny
/// probabilities and large counts.
pub fn poisson_tail(k: i64, lambda: f64) -> f64 {
    if k <= 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    // ln(λ^k e^-λ / k!)
    let ln_fact: f64 = (2..=k).map(|i| (i as f64).ln()).sum();
    let mut term = (k as f64 * lambda.ln() - lambda - ln_fact).exp();
    let mut sum = 0.0;
    let mut i = k;
    while term > sum * 1e-15 && i < k + 100_000 {
        sum += term;
        i += 1;
        term *= lambda / i as f64;
        if term == 0.0 {
            break;
        }
    }
    sum.min(1.0)
}

fn median(mut xs: Vec<i64>) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.sort_unstable();
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2] as f64
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) as f64 / 2.0
    }
}

/// `spike`: finds the spikes among `hours` (hour, item count) given the business's `days`
/// (day, item count), both sorted. Only hours with at least `min_items` can be hot, so the store
/// hands over just those.
///
/// The usual pace is the *median* day of the `baseline_days` before the hour's day, not the mean:
/// a past spike or a bad week must not raise the bar so high that the next one goes unseen.
pub fn spikes(hours: &[(i64, i64)], days: &[(i64, i64)], p: &SpikeParams) -> Vec<SpikeRun> {
    let by_day: BTreeMap<i64, i64> = days.iter().copied().collect();
    let mut runs: Vec<SpikeRun> = Vec::new();
    let mut baseline: Option<(i64, f64)> = None;
    for &(hour, count) in hours {
        if count < p.min_items {
            continue;
        }
        let day = hour.div_euclid(24);
        // Hours of one day share their baseline; hours come sorted, so remember the last day's.
        let lambda = match baseline {
            Some((d, l)) if d == day => l,
            _ => {
                let window: Vec<i64> = (day - p.baseline_days..day)
                    .map(|d| by_day.get(&d).copied().unwrap_or(0))
                    .collect();
                let l = median(window).max(MIN_BASELINE_PER_DAY) / ACTIVE_HOURS_PER_DAY;
                baseline = Some((day, l));
                l
            }
        };
        let p_value = poisson_tail(count, lambda);
        if (count as f64) < p.min_ratio * lambda || p_value > p.max_p {
            continue;
        }
        match runs.last_mut() {
            Some(run) if hour < run.end + SPIKE_GAP_HOURS => {
                run.end = hour + 1;
                run.count += count;
                if count > run.peak {
                    run.peak = count;
                    run.p_value = p_value;
                    run.usual_per_hour = lambda;
                }
            }
            _ => runs.push(SpikeRun {
                start: hour,
                end: hour + 1,
                count,
                peak: count,
                usual_per_hour: lambda,
                p_value,
            }),
        }
    }
    runs
}

/// The alert for one spike, linking every item in its hours; `direction` says whether it is a
/// burst of complaints or of praise (from its items' sentiment).
pub fn spike_finding(
    b: &Business,
    run: &SpikeRun,
    direction: Direction,
    review_ids: Vec<ReviewId>,
) -> Finding {
    let start = time(run.start * 3600);
    let end = time(run.end * 3600);
    let when = if run.end - run.start == 1 {
        format!("in one hour ({} UTC)", start.format("%-d %b %Y, %H:00"))
    } else {
        format!(
            "between {} and {} UTC",
            start.format("%-d %b %Y, %H:00"),
            end.format("%H:00")
        )
    };
    let items = review_ids.len().max(run.count as usize);
    let times = run.peak as f64 / run.usual_per_hour.max(f64::MIN_POSITIVE);
    let message = match direction {
        Direction::Complaints => format!(
            "{} got {items} reviews and posts {when}, about {:.0} times its usual pace, \
             mostly complaints. Something may be going viral.",
            b.name, times
        ),
        Direction::Praise => format!(
            "{} got {items} reviews and posts {when}, about {:.0} times its usual pace, \
             mostly praise. Something may be going viral.",
            b.name, times
        ),
    };
    let evidence = json!({
        "test": "poisson_upper_tail",
        "statistic": { "p_value": run.p_value, "count": run.peak,
                       "expected": run.usual_per_hour },
        "window": { "start": crate::model::rfc3339(&start), "end": crate::model::rfc3339(&end),
                    "hours": run.end - run.start, "count": items, "peak_per_hour": run.peak },
        "baseline": { "per_hour": run.usual_per_hour,
                      "per_day": run.usual_per_hour * ACTIVE_HOURS_PER_DAY,
                      "statistic": "median day" },
        "review_ids": review_ids,
    });
    finding(
        AlertKind::Spike,
        b.id,
        format!("spike:{}:{}", b.id, crate::model::rfc3339(&start)),
        run.start * 3600,
        message,
        review_ids,
        json!({
            "start": crate::model::rfc3339(&start),
            "end": crate::model::rfc3339(&end),
            "items": items,
            "peak_per_hour": run.peak,
            "usual_per_hour": run.usual_per_hour,
            "p_value": run.p_value,
            "direction": direction,
            "evidence": evidence,
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// Rating rules, over the daily rollup.

/// Rated reviews of one day: count, sum and sum of squares of the stars (for a standard error).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DayRating {
    pub day: i64,
    pub rated: i64,
    pub sum: f64,
    pub sum_sq: f64,
}

/// Rating sums per day from rollup rows; the squares come from the star counts (ratings are
/// whole stars on every platform Earshot reads, so this is exact where it matters).
pub fn day_ratings(rows: &[DayRow]) -> Vec<DayRating> {
    rows.iter()
        .filter(|r| r.rated > 0)
        .map(|r| DayRating {
            day: r.day,
            rated: r.rated,
            sum: r.rating_sum,
            sum_sq: r
                .stars
                .iter()
                .enumerate()
                .map(|(i, n)| ((i + 1) * (i + 1)) as f64 * *n as f64)
                .sum(),
        })
        .collect()
}

/// The least variance of star ratings a window is assumed to have (a standard deviation of one
/// star). A calm café's month of 4★ and 5★ reviews has a sample variance of a quarter star², and
/// against that a month with three fewer 5★ reviews than usual is "2.5 standard errors": two calm
/// years then raise a rating drop every few months by chance (issue 28). Ratings on every platform
/// spread wider than that over time, so a handful that happen to agree must not make the test
/// sure of itself.
pub const MIN_RATING_VARIANCE: f64 = 1.0;

/// Running totals over consecutive days from `first`, for O(1) window sums.
struct Prefix {
    first: i64,
    n: Vec<i64>,
    sum: Vec<f64>,
    sq: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Window {
    n: i64,
    mean: f64,
    /// Standard error of the mean.
    se: f64,
}

impl Prefix {
    fn new(days: &[DayRating], first: i64, last: i64) -> Prefix {
        let len = (last - first + 2).max(1) as usize;
        let (mut n, mut sum, mut sq) = (vec![0; len], vec![0.0; len], vec![0.0; len]);
        for d in days {
            if d.day >= first && d.day <= last {
                let i = (d.day - first + 1) as usize;
                n[i] += d.rated;
                sum[i] += d.sum;
                sq[i] += d.sum_sq;
            }
        }
        for i in 1..len {
            n[i] += n[i - 1];
            sum[i] += sum[i - 1];
            sq[i] += sq[i - 1];
        }
        Prefix { first, n, sum, sq }
    }

    /// Days `[from, to]` inclusive, clipped to the data.
    fn window(&self, from: i64, to: i64) -> Window {
        let idx = |d: i64| (d - self.first + 1).clamp(0, self.n.len() as i64 - 1) as usize;
        let (a, b) = (idx(from - 1), idx(to));
        let n = self.n[b] - self.n[a];
        if n == 0 {
            return Window {
                n: 0,
                mean: 0.0,
                se: 0.0,
            };
        }
        let sum = self.sum[b] - self.sum[a];
        let sq = self.sq[b] - self.sq[a];
        let mean = sum / n as f64;
        let var = if n > 1 {
            ((sq - sum * mean) / (n - 1) as f64).max(MIN_RATING_VARIANCE)
        } else {
            MIN_RATING_VARIANCE
        };
        Window {
            n,
            mean,
            se: (var / n as f64).sqrt(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DropParams {
    /// Stars the recent average must fall below the baseline (the 0.3).
    pub drop: f64,
    pub recent_days: i64,
    pub baseline_days: i64,
    /// Rated reviews needed in each period: below 10, one angry customer moves a month's average
    /// by 0.3★ on their own.
    pub min_reviews: i64,
    /// The drop must also exceed this many standard errors. A café with 40 reviews a month sees
    /// its 30-day average wander ±0.2★ by chance alone; 0.3★ is only 1.4 standard errors there,
    /// so without this an ordinary month would trip the rule every few months.
    pub min_z: f64,
}

impl DropParams {
    pub fn from_rule(rule: &Rule) -> DropParams {
        DropParams {
            drop: rule.number("drop"),
            recent_days: rule.number("recent_days").round() as i64,
            baseline_days: rule.number("baseline_days").round() as i64,
            min_reviews: rule.number("min_reviews").round() as i64,
            min_z: rule.number("min_z"),
        }
    }
}

impl Default for DropParams {
    fn default() -> Self {
        DropParams::from_rule(&Rule::default_for(AlertKind::RatingDrop))
    }
}

/// `rating_drop`: every day the rolling recent average crossed `drop` below the period before it,
/// evaluated for each day up to `now`'s. After an alert the rule re-arms only once the gap has
/// shrunk below half the threshold, so an average hovering around the line raises one alert.
pub fn rating_drops(b: &Business, days: &[DayRating], now: i64, p: &DropParams) -> Vec<Finding> {
    let Some(first) = days.first().map(|d| d.day) else {
        return Vec::new();
    };
    let today = now.div_euclid(86_400);
    let prefix = Prefix::new(days, first, today);
    let mut out: Vec<Finding> = Vec::new();
    let mut armed = true;
    for d in first..=today {
        let recent = prefix.window(d - p.recent_days + 1, d);
        let base = prefix.window(d - p.recent_days - p.baseline_days + 1, d - p.recent_days);
        if recent.n < p.min_reviews || base.n < p.min_reviews {
            continue;
        }
        let gap = base.mean - recent.mean;
        let se = (recent.se.powi(2) + base.se.powi(2)).sqrt();
        let z = if se > 0.0 { gap / se } else { f64::INFINITY };
        if armed && gap >= p.drop - 1e-9 && z >= p.min_z {
            armed = false;
            let date = time(d * 86_400).date_naive();
            let message = format!(
                "{}'s average rating over the last {} days fell to {} ({} reviews), from {} in \
                 the {} days before.",
                b.name,
                p.recent_days,
                stars(recent.mean),
                recent.n,
                stars(base.mean),
                p.baseline_days
            );
            out.push(finding(
                AlertKind::RatingDrop,
                b.id,
                format!("rating_drop:{}:{date}", b.id),
                ((d + 1) * 86_400 - 1).min(now),
                message,
                Vec::new(),
                json!({
                    "day": date.to_string(),
                    "recent_average": round2(recent.mean),
                    "recent_reviews": recent.n,
                    "baseline_average": round2(base.mean),
                    "baseline_reviews": base.n,
                    "z": round2(z.min(99.0)),
                    "evidence": {
                        "test": "z_test_difference_of_means",
                        "statistic": { "z": round2(z.min(99.0)), "drop": round2(gap) },
                        "window": { "start": day_str(d - p.recent_days + 1), "end": date.to_string(),
                                    "days": p.recent_days, "count": recent.n,
                                    "average": round2(recent.mean) },
                        "baseline": { "start": day_str(d - p.recent_days - p.baseline_days + 1),
                                      "end": day_str(d - p.recent_days), "days": p.baseline_days,
                                      "count": base.n, "average": round2(base.mean) },
                        // Filled by the check: the low ratings in the window.
                        "review_ids": [],
                    },
                }),
            ));
        } else if !armed && gap < p.drop / 2.0 {
            armed = true;
        }
    }
    if let Some(last) = out.last_mut() {
        last.ongoing = !armed;
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompetitorParams {
    pub window_days: i64,
    pub margin: f64,
    pub min_reviews: i64,
}

impl CompetitorParams {
    pub fn from_rule(rule: &Rule) -> CompetitorParams {
        CompetitorParams {
            window_days: rule.number("window_days").round() as i64,
            margin: rule.number("margin"),
            min_reviews: rule.number("min_reviews").round() as i64,
        }
    }
}

impl Default for CompetitorParams {
    fn default() -> Self {
        CompetitorParams::from_rule(&Rule::default_for(AlertKind::Competitor))
    }
}

/// `competitor`: every day a competitor's average over the last `window_days` (90 by default)
/// rose above the owner's by more than `margin`, having been at or below it before.
///
/// Why 90 days and not all-time: an established business's all-time average hardly moves (with
/// 1,500 reviews it takes dozens of bad ones to lose 0.1★), so a competitor would "pass" months
/// after the owner could do anything about it. Ninety days is what recent customers experienced
/// and what platforms' "newest" sorting shows, and holds enough reviews to be stable. Owners who
/// want the lifetime figure set `window_days` to 36500.
///
/// A competitor already ahead when the data starts has not passed anyone: the rule arms only
/// once the owner has been level or ahead, and re-arms when they are again.
pub fn competitor_passes(
    own: &Business,
    rival: &Business,
    own_days: &[DayRating],
    rival_days: &[DayRating],
    now: i64,
    p: &CompetitorParams,
) -> Vec<Finding> {
    let first = match (own_days.first(), rival_days.first()) {
        (Some(a), Some(b)) => a.day.min(b.day),
        _ => return Vec::new(),
    };
    let today = now.div_euclid(86_400);
    let (po, pr) = (
        Prefix::new(own_days, first, today),
        Prefix::new(rival_days, first, today),
    );
    let mut out: Vec<Finding> = Vec::new();
    let mut armed = false;
    let mut ahead = false;
    for d in first..=today {
        let o = po.window(d - p.window_days + 1, d);
        let r = pr.window(d - p.window_days + 1, d);
        if o.n < p.min_reviews || r.n < p.min_reviews {
            continue;
        }
        if r.mean <= o.mean {
            armed = true;
            ahead = false;
        } else if armed && r.mean > o.mean + p.margin {
            armed = false;
            ahead = true;
            let date = time(d * 86_400).date_naive();
            let (rs, os) = distinct_stars(r.mean, o.mean);
            let message = format!(
                "{} now rates {rs} over the last {} days, above {}'s {os}.",
                rival.name, p.window_days, own.name,
            );
            out.push(finding(
                AlertKind::Competitor,
                own.id,
                format!("competitor:{}:{}:{date}", own.id, rival.id),
                ((d + 1) * 86_400 - 1).min(now),
                message,
                Vec::new(),
                json!({
                    "day": date.to_string(),
                    "competitor": rival.name,
                    "competitor_id": rival.id,
                    "competitor_average": round2(r.mean),
                    "competitor_reviews": r.n,
                    "own_average": round2(o.mean),
                    "own_reviews": o.n,
                    "window_days": p.window_days,
                }),
            ));
        }
    }
    if let Some(last) = out.last_mut() {
        last.ongoing = ahead;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Words.

/// Characters of review text quoted in a message.
const EXCERPT_CHARS: usize = 80;

fn text_of(i: &Item) -> String {
    match i.title.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) if !i.body.trim().is_empty() => format!("{t}. {}", i.body),
        Some(t) => t.to_owned(),
        None => i.body.clone(),
    }
}

/// The first `max` characters of a text on one line, cut at a word and marked with "…".
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut,
    };
    format!(
        "{}…",
        cut.trim_end_matches(|c: char| c.is_ascii_punctuation())
    )
}

fn quote(s: &str) -> String {
    format!("“{s}”")
}

fn stars(r: f64) -> String {
    let rounded = (r * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}★")
    } else {
        format!("{rounded:.1}★")
    }
}

/// Two ratings in stars, with a second decimal when one would show them equal ("4.13★ above
/// 4.07★" rather than "4.1★ above 4.1★").
fn distinct_stars(a: f64, b: f64) -> (String, String) {
    let (sa, sb) = (stars(a), stars(b));
    if sa == sb {
        (format!("{a:.2}★"), format!("{b:.2}★"))
    } else {
        (sa, sb)
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// "1★ review", "negative mention", "negative review".
fn what(i: &Item) -> String {
    match (i.kind, i.rating) {
        (Kind::Review, Some(r)) => format!("{} review", stars(r)),
        (Kind::Review, None) => "negative review".into(),
        (Kind::Mention, _) => "negative mention".into(),
    }
}

/// "a 1★ review", "an unrated review", "a mention".
fn a_what(i: &Item) -> String {
    match (i.kind, i.rating) {
        (Kind::Review, Some(r)) => format!("a {} review", stars(r)),
        (Kind::Review, None) => "a review".into(),
        (Kind::Mention, _) => "a mention".into(),
    }
}

fn by(i: &Item) -> String {
    match i.author.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => format!(" from {a}"),
        None => String::new(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn duration_words(secs: i64) -> String {
    let hours = secs / 3600;
    if hours >= 48 && hours % 24 == 0 {
        format!("{} days", hours / 24)
    } else if hours == 1 {
        "an hour".into()
    } else {
        format!("{hours} hours")
    }
}

fn day_str(day: i64) -> String {
    time(day * 86_400).date_naive().to_string()
}

fn time(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests;
