//! Insights: the questions the dashboard and the CLI ask — trends, topics, comparison,
//! projection — answered from the rollups by the pure functions in [`crate::analysis`].
//!
//! One function per question, called the same way by `earshot trends|topics|compare` and by the
//! desktop shell's commands, so both always show the same figures.

use chrono::NaiveDate;
use serde::Serialize;

use crate::analysis::phrases::{key_phrases, Phrase};
use crate::analysis::trends::{
    self, bucket, day_of_date, rising_complaints, sum_range, AspectCounts, DayRow, Granularity,
    Period, Projection, RisingComplaint,
};
use crate::model::{BusinessId, ReviewId, SourceId};
use crate::store::{Result, Source};

mod dashboard_reads;
pub mod effect;
pub mod outlook;
pub mod owner_topics;
mod reads;

pub use dashboard_reads::{DashboardReads, ReadOnce};
pub use reads::InsightReads;

/// "Recent" in topics and summaries: the last 30 days, against the 90 days before.
pub const RECENT_DAYS: i64 = 30;
pub const BASELINE_DAYS: i64 = 90;
/// How many reviews are texts mined for key phrases (newest first); enough for a stable list,
/// bounded so a franchise's million reviews never load at once.
const PHRASE_SAMPLE: u32 = 2_000;
/// Example reviews listed for each rising complaint.
const EXAMPLES_PER_COMPLAINT: u32 = 5;

/// Trends of a business by day, week or month, optionally on one platform. Per-period median
/// reply times read every replied review (the rollup cannot hold medians), so they are computed
/// only when asked for; the dashboard shows the last 30 days' median from [`summary`] instead.
pub fn trends(
    store: &(impl InsightReads + ?Sized),
    business_id: BusinessId,
    by: Granularity,
    platform: Option<&str>,
    reply_medians: bool,
) -> Result<Vec<Period>> {
    let days = store.daily_rows(business_id, platform)?;
    let delays = if reply_medians {
        store.reply_delays(business_id, platform, i64::MIN, i64::MAX)?
    } else {
        Vec::new()
    };
    Ok(bucket(&days, by, &delays))
}

#[derive(Debug, Clone, Serialize)]
pub struct AspectSummary {
    pub aspect: String,
    pub mentions: i64,
    pub positive: i64,
    pub negative: i64,
    pub neutral: i64,
    pub negative_share: f64,
    pub average_sentiment: f64,
    /// One of the owner's own topics (issue 27) rather than a built-in aspect.
    pub owner_topic: bool,
}

impl AspectSummary {
    /// Marks the summary as an owner's topic when its name is one of `names`.
    fn marked(mut self, names: &[String]) -> AspectSummary {
        self.owner_topic = names.contains(&self.aspect);
        self
    }
}

/// The names of a business's own topics.
fn topic_names(
    store: &(impl InsightReads + ?Sized),
    business_id: BusinessId,
) -> Result<Vec<String>> {
    Ok(store
        .owner_topics(Some(business_id))?
        .into_iter()
        .map(|t| t.name)
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct RisingWithReviews {
    #[serde(flatten)]
    pub complaint: RisingComplaint,
    pub review_ids: Vec<ReviewId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Topics {
    pub business: String,
    pub since: Option<NaiveDate>,
    pub until: NaiveDate,
    pub aspects: Vec<AspectSummary>,
    pub rising: Vec<RisingWithReviews>,
    pub phrases: Vec<Phrase>,
    /// The owner's own topics with their figures and trend (issue 27); they are in `aspects`
    /// and `rising` too, marked `owner_topic`.
    pub owner_topics: Vec<owner_topics::OwnerTopicSummary>,
}

fn summarise(c: &AspectCounts) -> AspectSummary {
    let neutral = c.mentions - c.negative - c.positive;
    let m = c.mentions.max(1) as f64;
    AspectSummary {
        aspect: c.aspect.clone(),
        mentions: c.mentions,
        positive: c.positive,
        negative: c.negative,
        neutral,
        negative_share: (c.negative as f64 / m * 1000.0).round() / 1000.0,
        average_sentiment: (c.sentiment_sum / m * 1000.0).round() / 1000.0,
        owner_topic: false,
    }
}

/// What customers talk about since `since` (all history when `None`), what is getting worse in
/// the last 30 days against the 90 before `today`, the phrases they repeat, and the owner's own
/// topics with their trend `by` day, week or month.
pub fn topics(
    store: &(impl InsightReads + ?Sized),
    business_id: BusinessId,
    since: Option<NaiveDate>,
    today: NaiveDate,
    by: Granularity,
) -> Result<Topics> {
    let business = store.business(business_id)?;
    let end = day_of_date(today) + 1;
    let from = since.map_or(i64::MIN, day_of_date);
    let names = topic_names(store, business_id)?;
    let aspects = store
        .aspect_counts(business_id, from, end)?
        .iter()
        .map(|c| summarise(c).marked(&names))
        .collect();
    let owner_topics =
        owner_topics::summaries(store, business_id, since.map(day_of_date), end, by)?;
    let recent = store.aspect_counts(business_id, end - RECENT_DAYS, end)?;
    let before = store.aspect_counts(
        business_id,
        end - RECENT_DAYS - BASELINE_DAYS,
        end - RECENT_DAYS,
    )?;
    let rising = rising_complaints(&recent, &before)
        .into_iter()
        .map(|complaint| {
            let review_ids = store.aspect_review_ids(
                business_id,
                &complaint.aspect,
                Some(-1),
                end - RECENT_DAYS,
                end,
                EXAMPLES_PER_COMPLAINT,
            )?;
            Ok(RisingWithReviews {
                complaint,
                review_ids,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let texts = store.review_texts(
        business_id,
        from.saturating_mul(86_400),
        end * 86_400,
        PHRASE_SAMPLE,
    )?;
    // The business's own name is the most repeated phrase of all and says nothing.
    let own_name = business.name.to_lowercase();
    let phrases = key_phrases(&texts, 20)
        .into_iter()
        .filter(|p| !p.phrase.split(' ').all(|w| own_name.contains(w)))
        .take(15)
        .collect();
    Ok(Topics {
        business: business.name,
        since,
        until: today,
        aspects,
        rising,
        phrases,
        owner_topics,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct WindowFigures {
    pub count: i64,
    pub average_rating: Option<f64>,
    pub negative_share: Option<f64>,
    pub positive_share: Option<f64>,
    pub response_rate: Option<f64>,
}

fn window(days: &[DayRow], from: i64, to: i64) -> WindowFigures {
    let s = sum_range(days, from, to);
    let scored = s.negative + s.neutral + s.positive;
    let ratio = |a: i64, b: i64| (b > 0).then(|| (a as f64 / b as f64 * 1000.0).round() / 1000.0);
    WindowFigures {
        count: s.count,
        average_rating: (s.rated > 0)
            .then(|| (s.rating_sum / s.rated as f64 * 100.0).round() / 100.0),
        negative_share: ratio(s.negative, scored),
        positive_share: ratio(s.positive, scored),
        response_rate: ratio(s.replied, s.count),
    }
}

/// What a platform itself shows for a business, read from one of its sources (issue 25): the
/// figures customers see there, beside the ones Earshot computes from the reviews it stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformFigure {
    pub source_id: SourceId,
    /// The display platform (`google`) and its label (`Google`).
    pub platform: String,
    pub platform_label: String,
    /// The connector that read them (`google-places`).
    pub connector: String,
    /// The overall rating the platform shows (0–5), where it reports one.
    pub platform_rating: Option<f64>,
    /// How many reviews the platform counts, where it says.
    pub platform_review_count: Option<i64>,
    /// When they were read (RFC 3339).
    pub platform_rating_at: String,
    /// In words: "Google says 4.4★ from 312 reviews (read today)".
    pub says: String,
}

/// The platform figures kept on a business's sources, as of `today`.
pub fn platform_figures(
    store: &(impl InsightReads + ?Sized),
    business_id: BusinessId,
    today: NaiveDate,
) -> Result<Vec<PlatformFigure>> {
    Ok(store
        .sources_with_platform_figures(business_id)?
        .iter()
        .filter_map(|s| platform_figure(s, today))
        .collect())
}

fn platform_figure(s: &Source, today: NaiveDate) -> Option<PlatformFigure> {
    let at = chrono::DateTime::<chrono::Utc>::from_timestamp(s.platform_rating_at?, 0)?;
    if s.platform_rating.is_none() && s.platform_review_count.is_none() {
        return None;
    }
    let platform = crate::platform::connector(&s.connector)
        .map_or_else(|| s.connector.clone(), |c| c.platform.to_string());
    let label = crate::platform::platform_label(&platform);
    Some(PlatformFigure {
        source_id: s.id,
        says: says(
            &label,
            s.platform_rating,
            s.platform_review_count,
            at.date_naive(),
            today,
        ),
        platform,
        platform_label: label,
        connector: s.connector.clone(),
        platform_rating: s.platform_rating,
        platform_review_count: s.platform_review_count,
        platform_rating_at: crate::model::rfc3339(&at),
    })
}

/// "Google says 4.4★ from 312 reviews (read today)".
fn says(
    label: &str,
    rating: Option<f64>,
    count: Option<i64>,
    read: NaiveDate,
    today: NaiveDate,
) -> String {
    let figures = match (rating, count) {
        (Some(r), Some(1)) => format!("{r:.1}★ from 1 review"),
        (Some(r), Some(n)) => format!("{r:.1}★ from {n} reviews"),
        (Some(r), None) => format!("{r:.1}★"),
        (None, Some(n)) => format!("{n} reviews, no rating"),
        (None, None) => "nothing".to_string(),
    };
    let when = match (today - read).num_days() {
        i64::MIN..=0 => "read today".to_string(),
        1 => "read yesterday".to_string(),
        n => format!("read {n} days ago"),
    };
    format!("{label} says {figures} ({when})")
}

/// What the platform shows for a source, in words as of now, where it has been read.
pub fn platform_says(source: &Source) -> Option<String> {
    platform_figure(source, chrono::Utc::now().date_naive()).map(|f| f.says)
}

/// One rating and count from a business's platform figures: the platforms' ratings weighted by
/// the reviews each counts (a plain mean where counts are missing), and their counts summed.
pub fn combined(figures: &[PlatformFigure]) -> (Option<f64>, Option<i64>) {
    let rated: Vec<(f64, i64)> = figures
        .iter()
        .filter_map(|f| Some((f.platform_rating?, f.platform_review_count.unwrap_or(0))))
        .collect();
    let weight: i64 = rated.iter().map(|(_, n)| n).sum();
    let rating = if rated.is_empty() {
        None
    } else if weight > 0 {
        Some(rated.iter().map(|(r, n)| r * *n as f64).sum::<f64>() / weight as f64)
    } else {
        Some(rated.iter().map(|(r, _)| r).sum::<f64>() / rated.len() as f64)
    }
    .map(|r| (r * 100.0).round() / 100.0);
    let counts: Vec<i64> = figures
        .iter()
        .filter_map(|f| f.platform_review_count)
        .collect();
    let count = (!counts.is_empty()).then(|| counts.iter().sum());
    (rating, count)
}

/// One business's figures for the comparison and the dashboard's headline.
#[derive(Debug, Clone, Serialize)]
pub struct BusinessSummary {
    pub business: String,
    pub business_id: BusinessId,
    pub is_competitor: bool,
    /// What each platform itself shows for the business (empty where none reports it).
    pub platform_figures: Vec<PlatformFigure>,
    /// The rating to compare businesses on: the platforms' own where they report one
    /// ([`combined`]), else the mean of the stored reviews.
    pub rating: Option<f64>,
    /// `platform` or `reviews`: where [`BusinessSummary::rating`] comes from.
    pub rating_from: Option<&'static str>,
    pub all_time: WindowFigures,
    pub last_30_days: WindowFigures,
    pub previous_30_days: WindowFigures,
    pub median_reply_hours_30_days: Option<f64>,
    pub top_aspects: Vec<AspectSummary>,
}

pub fn summary(
    store: &(impl InsightReads + ?Sized),
    business_id: BusinessId,
    today: NaiveDate,
) -> Result<BusinessSummary> {
    let days = store.daily_rows(business_id, None)?;
    summary_of_days(store, business_id, &days, today)
}

/// [`summary`] from the business's days, read once by callers that chart them too.
fn summary_of_days(
    store: &(impl InsightReads + ?Sized),
    business_id: BusinessId,
    days: &[DayRow],
    today: NaiveDate,
) -> Result<BusinessSummary> {
    let b = store.business(business_id)?;
    let end = day_of_date(today) + 1;
    let mut delays: Vec<f64> = store
        .reply_delays(
            business_id,
            None,
            (end - RECENT_DAYS) * 86_400,
            end * 86_400,
        )?
        .into_iter()
        .map(|(_, h)| h)
        .collect();
    let top = store.aspect_counts(business_id, end - BASELINE_DAYS, end)?;
    let figures = platform_figures(store, business_id, today)?;
    let all_time = window(days, i64::MIN, end);
    let (rating, rating_from) = headline_rating(&figures, &all_time);
    Ok(BusinessSummary {
        business: b.name,
        business_id,
        is_competitor: b.is_competitor,
        platform_figures: figures,
        rating,
        rating_from,
        all_time,
        last_30_days: window(days, end - RECENT_DAYS, end),
        previous_30_days: window(days, end - 2 * RECENT_DAYS, end - RECENT_DAYS),
        median_reply_hours_30_days: trends::median(&mut delays).map(|h| (h * 10.0).round() / 10.0),
        top_aspects: top.iter().take(6).map(summarise).collect(),
    })
}

/// The platforms' own rating where there is one, else the stored reviews' mean, and which.
fn headline_rating(
    figures: &[PlatformFigure],
    stored: &WindowFigures,
) -> (Option<f64>, Option<&'static str>) {
    match combined(figures).0 {
        Some(r) => (Some(r), Some("platform")),
        None => (
            stored.average_rating,
            stored.average_rating.map(|_| "reviews"),
        ),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthValue {
    pub business: String,
    pub count: i64,
    pub average_rating: Option<f64>,
    pub running_rating: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComparedMonth {
    pub month: String,
    pub values: Vec<MonthValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub businesses: Vec<BusinessSummary>,
    pub by_month: Vec<ComparedMonth>,
}

/// The same figures for several businesses on the same periods, side by side.
pub fn compare(
    store: &(impl InsightReads + ?Sized),
    ids: &[BusinessId],
    today: NaiveDate,
) -> Result<Comparison> {
    let mut businesses = Vec::new();
    let mut series: Vec<(String, Vec<Period>)> = Vec::new();
    for id in ids {
        let days = store.daily_rows(*id, None)?;
        let s = summary_of_days(store, *id, &days, today)?;
        let periods = bucket(&days, Granularity::Month, &[]);
        series.push((s.business.clone(), periods));
        businesses.push(s);
    }
    let mut months: Vec<String> = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|x| x.period.clone()))
        .collect();
    months.sort();
    months.dedup();
    let by_month = months
        .into_iter()
        .map(|month| ComparedMonth {
            values: series
                .iter()
                .map(|(name, periods)| {
                    let p = periods.iter().find(|p| p.period == month);
                    // A month without reviews keeps the running rating of the months before it.
                    let running = periods
                        .iter()
                        .take_while(|p| p.period <= month)
                        .last()
                        .and_then(|p| p.running_rating);
                    MonthValue {
                        business: name.clone(),
                        count: p.map_or(0, |p| p.count),
                        average_rating: p.and_then(|p| p.average_rating),
                        running_rating: running,
                    }
                })
                .collect(),
            month,
        })
        .collect();
    Ok(Comparison {
        businesses,
        by_month,
    })
}

/// The dashboard of one business over a period of `period_days` ending `today`: headline figures
/// against the period before, the trend, volume by platform, aspects, rising complaints and the
/// competitors over the same period.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub business: String,
    pub business_id: BusinessId,
    pub period_days: i64,
    /// First and last day of the period (inclusive).
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub current: WindowFigures,
    pub previous: WindowFigures,
    /// Negative items (1–2★ reviews, negative mentions) of the period still without a reply.
    pub unanswered_negative: u64,
    pub unanswered_negative_previous: u64,
    /// Weeks for periods up to a quarter, months beyond: the current and the previous period.
    pub granularity: Granularity,
    pub series: Vec<Period>,
    pub platforms: Vec<crate::store::PlatformCount>,
    pub aspects: Vec<AspectSummary>,
    /// Aspects whose negative share grew against the three periods before.
    pub rising: Vec<RisingComplaint>,
    pub competitors: Vec<CompetitorFigures>,
    /// What each platform itself shows for the business, beside the figures above.
    pub platform_figures: Vec<PlatformFigure>,
    /// The business's overall rating as customers see it, to compare with its competitors':
    /// the platforms' own where one reports it, else the mean of the stored reviews.
    pub rating: Option<f64>,
    /// `platform` or `reviews`.
    pub rating_from: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompetitorFigures {
    pub business: String,
    pub business_id: BusinessId,
    pub current: WindowFigures,
    pub all_time: WindowFigures,
    /// What each platform shows for the competitor (Places' `rating` and `userRatingCount`).
    pub platform_figures: Vec<PlatformFigure>,
    /// The competitor's rating as customers see it: the platforms' own where one reports it,
    /// else the mean of the few reviews stored.
    pub rating: Option<f64>,
    /// `platform` or `reviews`.
    pub rating_from: Option<&'static str>,
    /// The platforms' review count, where they report one.
    pub platform_review_count: Option<i64>,
}

/// Periods longer than this are charted by month.
const WEEKLY_UP_TO_DAYS: i64 = 120;
const OVERVIEW_ASPECTS: usize = 8;

pub fn overview(
    store: &(impl InsightReads + ?Sized),
    business_id: BusinessId,
    today: NaiveDate,
    period_days: i64,
) -> Result<Overview> {
    let business = store.business(business_id)?;
    let period = period_days.clamp(1, 3660);
    let end = day_of_date(today) + 1;
    let start = end - period;
    let days = store.daily_rows(business_id, None)?;
    let granularity = if period <= WEEKLY_UP_TO_DAYS {
        Granularity::Week
    } else {
        Granularity::Month
    };
    let charted: Vec<DayRow> = days
        .iter()
        .filter(|d| d.day >= start - period && d.day < end)
        .cloned()
        .collect();
    let unanswered =
        |from: i64, to: i64| sum_range(&days, from, to).unanswered_negative.max(0) as u64;
    let recent = store.aspect_counts(business_id, start, end)?;
    let before = store.aspect_counts(business_id, start - 3 * period, start)?;
    let names = topic_names(store, business_id)?;
    let competitors = store
        .businesses()?
        .into_iter()
        .filter(|b| b.is_competitor && b.id != business_id)
        .map(|b| {
            let rows = store.daily_rows(b.id, None)?;
            let figures = platform_figures(store, b.id, today)?;
            let all_time = window(&rows, i64::MIN, end);
            let (rating, rating_from) = headline_rating(&figures, &all_time);
            Ok(CompetitorFigures {
                current: window(&rows, start, end),
                platform_review_count: combined(&figures).1,
                platform_figures: figures,
                rating,
                rating_from,
                all_time,
                business: b.name,
                business_id: b.id,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let figures = platform_figures(store, business_id, today)?;
    let (rating, rating_from) = headline_rating(&figures, &window(&days, i64::MIN, end));
    Ok(Overview {
        platform_figures: figures,
        rating,
        rating_from,
        business: business.name,
        business_id,
        period_days: period,
        from: trends::date_of_day(start),
        to: today,
        current: window(&days, start, end),
        previous: window(&days, start - period, start),
        unanswered_negative: unanswered(start, end),
        unanswered_negative_previous: unanswered(start - period, start),
        granularity,
        series: bucket(&charted, granularity, &[]),
        platforms: store.platform_counts(business_id, start, end)?,
        aspects: recent
            .iter()
            .take(OVERVIEW_ASPECTS)
            .map(|c| summarise(c).marked(&names))
            .collect(),
        rising: rising_complaints(&recent, &before),
        competitors,
    })
}

/// Where a business's rating is heading, and what it takes to reach `target`.
pub fn projection(
    store: &(impl InsightReads + ?Sized),
    business_id: BusinessId,
    platform: Option<&str>,
    target: Option<f64>,
    today: NaiveDate,
    horizon_days: i64,
) -> Result<Projection> {
    let days = store.daily_rows(business_id, platform)?;
    Ok(trends::project(
        &days,
        day_of_date(today),
        horizon_days,
        target,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ReviewFilter;
    use crate::store::Store;

    #[test]
    fn the_overview_agrees_with_the_reviews_behind_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("o.db")).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        crate::demo::load(&mut store, today).unwrap();
        let own = store.businesses().unwrap()[0].id;
        let o = overview(&store, own, today, 30).unwrap();
        assert_eq!(o.from, NaiveDate::from_ymd_opt(2026, 10, 24).unwrap());
        let since = chrono::DateTime::from_timestamp(day_of_date(o.from) * 86_400, 0);
        let listed = store
            .count_reviews(&ReviewFilter {
                business_id: Some(own),
                since,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(o.current.count as u64, listed);
        let by_platform: i64 = o.platforms.iter().map(|p| p.count).sum();
        assert_eq!(by_platform, o.current.count);
        // The demo's bad week: negatives left unanswered, and the rating below the month before.
        assert!(o.unanswered_negative > 0);
        assert!(
            o.current.average_rating < o.previous.average_rating,
            "{o:?}"
        );
        assert_eq!(o.granularity, Granularity::Week);
        assert!(
            o.series.len() >= 8 && o.series.len() <= 10,
            "{}",
            o.series.len()
        );
        assert_eq!(o.competitors.len(), 1);
        assert!(o.competitors[0].current.count > 0);
        let year = overview(&store, own, today, 365).unwrap();
        assert_eq!(year.granularity, Granularity::Month);
        assert!(year.current.count > o.current.count);
    }

    /// The headline's unanswered negatives come from the rollup; they must be what the inbox
    /// lists for the same days: unanswered 1–2★ items plus unanswered negative mentions.
    #[test]
    fn unanswered_negatives_from_the_rollup_equal_the_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("u.db")).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        crate::demo::load(&mut store, today).unwrap();
        for b in store.businesses().unwrap() {
            for period in [7, 30, 365, 2000] {
                let o = overview(&store, b.id, today, period).unwrap();
                let end = day_of_date(today) + 1;
                let rows = |from: i64, to: i64| {
                    let base = ReviewFilter {
                        business_id: Some(b.id),
                        since: chrono::DateTime::from_timestamp(from * 86_400, 0),
                        until: chrono::DateTime::from_timestamp(to * 86_400 - 1, 0),
                        unanswered: true,
                        ..Default::default()
                    };
                    let low = ReviewFilter {
                        max_rating: Some(2.0),
                        ..base.clone()
                    };
                    let mentions = ReviewFilter {
                        kind: Some(crate::model::Kind::Mention),
                        sentiment: Some(crate::model::SentimentLabel::Negative),
                        ..base
                    };
                    store.count_reviews(&low).unwrap() + store.count_reviews(&mentions).unwrap()
                };
                let p = o.period_days;
                assert_eq!(o.unanswered_negative, rows(end - p, end), "{} {p}", b.name);
                assert_eq!(
                    o.unanswered_negative_previous,
                    rows(end - 2 * p, end - p),
                    "{} {p}",
                    b.name
                );
            }
        }
    }
}
