//! The dashboard on a database of either kind (issue 31): on a file, [`super::dashboard`] as it
//! is; on a team database, the parts whose reads both stores have — the headline figures, the
//! chosen period's overview (trend, platforms, aspects, competitors), the latest reviews, the
//! alert marks and the owner's topics. The outlook's cards (where the rating is heading, recovered
//! reviews, rivals month by month, the portfolio) read the file's own tables and are left out
//! (`None`, which the screen already shows as absent, as for a competitor) until they move onto
//! the team store (`docs/team.md`, next steps).

use chrono::NaiveDate;

use super::dashboard::{
    AlertMark, Dashboard, DASHBOARD_ALERT_MARKS, DASHBOARD_LATEST, DEFAULT_PERIOD_DAYS,
};
use super::Result;
use crate::analysis::trends::day_of_date;
use crate::insights::owner_topics;
use crate::model::alerts::AlertFilter;
use crate::model::BusinessId;
use crate::store::{AlertStore, Db, ReviewFilter};

/// The dashboard of `business` (default: the first, the owner's own) over `period` days up to
/// `today`, on either store.
pub fn dashboard_of(
    db: &Db,
    business: Option<BusinessId>,
    period: Option<i64>,
    today: NaiveDate,
) -> Result<Dashboard> {
    if let Db::Sqlite(store) = db {
        return super::dashboard(store, business, period, today);
    }
    let period = period.unwrap_or(DEFAULT_PERIOD_DAYS);
    let businesses = db.businesses()?;
    let chosen = match business {
        Some(id) => Some(db.business(id)?),
        None => businesses.first().cloned(),
    };
    let Some(b) = chosen.clone() else {
        return Ok(Dashboard {
            empty: db.is_empty()?,
            businesses,
            business: None,
            stats: None,
            overview: None,
            latest: Vec::new(),
            alerts: Vec::new(),
            heading: None,
            recovered: None,
            portfolio: None,
            rivals: None,
            owner_topics: Vec::new(),
            db_path: db.location(),
        });
    };
    let overview = crate::insights::overview(db, b.id, today, period)?;
    let latest = db.list_reviews(&ReviewFilter {
        business_id: Some(b.id),
        limit: Some(DASHBOARD_LATEST),
        ..Default::default()
    })?;
    // The period's alerts, oldest first, as the file's dashboard marks them.
    let from = overview.from.and_time(chrono::NaiveTime::MIN).and_utc();
    let to = (overview.to + chrono::Duration::days(1))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let mut alerts: Vec<AlertMark> = db
        .alerts(&AlertFilter {
            business_id: Some(b.id),
            limit: Some(DASHBOARD_ALERT_MARKS),
            ..Default::default()
        })?
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
    alerts.reverse();
    let owner_topics = owner_topics::summaries(
        db,
        b.id,
        Some(day_of_date(overview.from)),
        day_of_date(overview.to) + 1,
        overview.granularity,
    )?;
    Ok(Dashboard {
        empty: db.is_empty()?,
        stats: Some(db.stats(b.id)?),
        businesses,
        business: chosen,
        overview: Some(overview),
        latest,
        alerts,
        heading: None,
        recovered: None,
        portfolio: None,
        rivals: None,
        owner_topics,
        db_path: db.location(),
    })
}
