//! Headline figures of a business, read from the daily rollup (never from the raw rows).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Result, Store};
use crate::model::BusinessId;

/// What `earshot stats` prints and the dashboard's first screen shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub business: String,
    pub count: i64,
    /// Mean over rated items only; `None` when nothing is rated.
    pub average_rating: Option<f64>,
    /// Rated items by star, keys "1" to "5" (fractional ratings round to the nearest star).
    pub distribution: BTreeMap<String, i64>,
    pub by_month: Vec<MonthStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthStats {
    /// `YYYY-MM`.
    pub month: String,
    pub count: i64,
    pub average_rating: Option<f64>,
}

/// Averages are shown to two decimals; more digits would only be noise from float sums.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn average(sum: f64, rated: i64) -> Option<f64> {
    (rated > 0).then(|| round2(sum / rated as f64))
}

impl Store {
    pub fn stats(&self, business_id: BusinessId) -> Result<Stats> {
        let business = self.business(business_id)?;
        let (count, rated, sum, r1, r2, r3, r4, r5) = self.conn.query_row(
            "SELECT coalesce(sum(count), 0), coalesce(sum(rated), 0), coalesce(sum(rating_sum), 0),
                    coalesce(sum(r1), 0), coalesce(sum(r2), 0), coalesce(sum(r3), 0),
                    coalesce(sum(r4), 0), coalesce(sum(r5), 0)
             FROM review_daily WHERE business_id = ?1",
            [business_id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            },
        )?;
        let distribution = [r1, r2, r3, r4, r5]
            .iter()
            .enumerate()
            .map(|(i, n)| ((i + 1).to_string(), *n))
            .collect();

        let mut stmt = self.conn.prepare_cached(
            "SELECT strftime('%Y-%m', day * 86400, 'unixepoch') AS month,
                    sum(count), sum(rated), sum(rating_sum)
             FROM review_daily WHERE business_id = ?1
             GROUP BY month HAVING sum(count) > 0 ORDER BY month",
        )?;
        let by_month = stmt
            .query_map([business_id], |r| {
                Ok(MonthStats {
                    month: r.get(0)?,
                    count: r.get(1)?,
                    average_rating: average(r.get(3)?, r.get(2)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;

        Ok(Stats {
            business: business.name,
            count,
            average_rating: average(sum, rated),
            distribution,
            by_month,
        })
    }
}
