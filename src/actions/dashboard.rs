//! Read-only views assembled from several queries: the dashboard and the inbox's filters.

use chrono::NaiveDate;
use serde::Serialize;

use crate::analysis::trends::day_of_date;
use crate::insights::outlook::{self, Heading, Portfolio, RecoveredSummary, Rivals};
use crate::insights::owner_topics::{self, OwnerTopicSummary};
use crate::insights::Overview;
use crate::insights::{DashboardReads, InsightReads};
use crate::model::{Business, BusinessId, Review};
use crate::store::{ReviewFilter, Stats};

use super::Result;

/// The dashboard's period unless the owner picks another: the last 30 days.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;

/// How many reviews the dashboard's "latest reviews" list shows.
pub const DASHBOARD_LATEST: u32 = 8;

/// Most alert marks a chart gets: past that they would cover the line they annotate.
pub const DASHBOARD_ALERT_MARKS: u32 = 200;

/// One past alert as a chart marks it: when, what, and the line to show on hover.
#[derive(Debug, Clone, Serialize)]
pub struct AlertMark {
    pub id: crate::model::alerts::AlertId,
    pub kind: crate::model::alerts::AlertKind,
    pub title: &'static str,
    #[serde(serialize_with = "crate::model::ser_rfc3339")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub message: String,
}

/// What the first screen needs in one round trip.
#[derive(Debug, Serialize)]
pub struct Dashboard {
    /// Whether the database holds no reviews at all: the UI then shows its welcome.
    pub empty: bool,
    pub businesses: Vec<Business>,
    /// The business shown: the one asked for, else the owner's own (listed first by the store).
    pub business: Option<Business>,
    pub stats: Option<Stats>,
    /// The chosen period's figures, trend, platforms, aspects and competitors.
    pub overview: Option<Overview>,
    pub latest: Vec<Review>,
    /// The business's alerts in the period (not dismissed), for the charts to mark where they
    /// happened (issue 28). Oldest first.
    pub alerts: Vec<AlertMark>,
    /// Where the rating is heading, what the next step takes, and the median time to a first
    /// reply in the period (issue 27): the "Where you're heading" card.
    pub heading: Option<Heading>,
    /// Reviews re-rated higher after the owner replied (the owner's businesses only).
    pub recovered: Option<RecoveredSummary>,
    /// The owner's locations together and ranked, when they have two or more.
    pub portfolio: Option<Portfolio>,
    /// The business and its competitors month by month over the last year (the owner's
    /// businesses only, when there are competitors).
    pub rivals: Option<Rivals>,
    /// The owner's own topics over the period, with their trend (issue 27).
    pub owner_topics: Vec<OwnerTopicSummary>,
    /// Shown in the footer so the owner knows where their data is.
    pub db_path: String,
}

/// The dashboard of `business` (default: the owner's own) over the `period` days up to `today`,
/// on either store: the app passes its file, the CLI its `Db` (a file or a team database).
pub fn dashboard(
    store: &(impl DashboardReads + ?Sized),
    business: Option<BusinessId>,
    period: Option<i64>,
    today: NaiveDate,
) -> Result<Dashboard> {
    // Its parts read some of the same rows (the business's days, the businesses): once each.
    let store = &crate::insights::ReadOnce::new(store);
    let period = period.unwrap_or(DEFAULT_PERIOD_DAYS);
    let businesses = store.businesses()?;
    let chosen = match business {
        Some(id) => Some(store.business(id)?),
        None => businesses.first().cloned(),
    };
    let overview = match &chosen {
        Some(b) => Some(crate::insights::overview(store, b.id, today, period)?),
        None => None,
    };
    let (stats, latest) = match &chosen {
        Some(b) => {
            let filter = ReviewFilter {
                business_id: Some(b.id),
                limit: Some(DASHBOARD_LATEST),
                ..Default::default()
            };
            (Some(store.stats(b.id)?), store.list_reviews(&filter)?)
        }
        None => (None, Vec::new()),
    };
    let alerts = match &overview {
        Some(o) => {
            let from = o.from.and_time(chrono::NaiveTime::MIN).and_utc();
            let to = (o.to + chrono::Duration::days(1))
                .and_time(chrono::NaiveTime::MIN)
                .and_utc();
            let list = store.alerts(&crate::model::alerts::AlertFilter {
                business_id: Some(o.business_id),
                limit: Some(DASHBOARD_ALERT_MARKS),
                ..Default::default()
            })?;
            let mut marks: Vec<AlertMark> = list
                .into_iter()
                .filter(|a| a.created_at >= from && a.created_at < to)
                .map(|a| AlertMark {
                    id: a.id,
                    kind: a.kind,
                    title: a.kind.title(),
                    created_at: a.created_at,
                    message: a.message,
                })
                .collect();
            marks.reverse();
            marks
        }
        None => Vec::new(),
    };
    let own = chosen.as_ref().filter(|b| !b.is_competitor);
    let heading = match &chosen {
        Some(b) => Some(outlook::heading(store, b.id, today, period)?),
        None => None,
    };
    let recovered = match own {
        Some(b) => Some(outlook::recovered(store, b.id)?),
        None => None,
    };
    let rivals = match own {
        Some(b) => outlook::rivals(store, b.id, today, outlook::RIVAL_MONTHS)?,
        None => None,
    };
    let owner_topics = match &overview {
        Some(o) => owner_topics::summaries(
            store,
            o.business_id,
            Some(day_of_date(o.from)),
            day_of_date(o.to) + 1,
            o.granularity,
        )?,
        None => Vec::new(),
    };
    Ok(Dashboard {
        owner_topics,
        heading,
        recovered,
        portfolio: outlook::portfolio(store, today, period)?,
        rivals,
        empty: store.is_empty()?,
        businesses,
        business: chosen,
        stats,
        overview,
        latest,
        alerts,
        db_path: store.location(),
    })
}

/// What the inbox's filters offer: businesses, the platforms that have items, and the aspects.
#[derive(Debug, Serialize)]
pub struct InboxFacets {
    pub businesses: Vec<Business>,
    pub platforms: Vec<String>,
    /// The built-in aspects, then the owner's own topics.
    pub aspects: Vec<String>,
}

/// On either store: the app passes its file, a team database's seat its `Db`.
pub fn inbox_facets(store: &(impl crate::insights::InsightReads + ?Sized)) -> Result<InboxFacets> {
    let businesses = store.businesses()?;
    // The aspects of every category the businesses are in (the general lexicon when none).
    let mut aspects: Vec<String> = businesses
        .iter()
        .flat_map(|b| crate::analysis::aspects::known_aspects(b.category.as_deref()))
        .map(str::to_owned)
        .collect();
    aspects.sort_unstable();
    aspects.dedup();
    for t in store.owner_topics(None)? {
        if !aspects.contains(&t.name) {
            aspects.push(t.name);
        }
    }
    Ok(InboxFacets {
        platforms: store.platforms(None)?,
        businesses,
        aspects,
    })
}
