//! Headline figures of a business, read from the daily rollup (never from the raw rows).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Result, Store};
use crate::analysis::trends::{add, date_of_day, sum_range, DayRow};
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

pub(crate) fn average(sum: f64, rated: i64) -> Option<f64> {
    (rated > 0).then(|| round2(sum / rated as f64))
}

/// Items and average rating per calendar month (UTC), oldest first, months with items only.
fn by_month(days: &[DayRow]) -> Vec<MonthStats> {
    let mut months: Vec<(String, DayRow)> = Vec::new();
    for d in days {
        let month = date_of_day(d.day).format("%Y-%m").to_string();
        match months.last_mut() {
            Some((m, acc)) if *m == month => add(acc, d),
            _ => months.push((month, *d)),
        }
    }
    months
        .into_iter()
        .filter(|(_, m)| m.count > 0)
        .map(|(month, m)| MonthStats {
            month,
            count: m.count,
            average_rating: average(m.rating_sum, m.rated),
        })
        .collect()
}

/// The headline figures of a business from its days in the rollup, oldest first: one
/// computation for both stores (the PostgreSQL store reads the same rollup).
pub(super) fn stats_of_days(business: String, days: &[DayRow]) -> Stats {
    let all = sum_range(days, i64::MIN, i64::MAX);
    let distribution = all
        .stars
        .iter()
        .enumerate()
        .map(|(i, n)| ((i + 1).to_string(), *n))
        .collect();
    Stats {
        business,
        count: all.count,
        average_rating: average(all.rating_sum, all.rated),
        distribution,
        by_month: by_month(days),
    }
}

impl Store {
    /// From the business's days in the rollup, summed here (one read, no sort in SQL).
    pub fn stats(&self, business_id: BusinessId) -> Result<Stats> {
        let business = self.business(business_id)?;
        let days = self.daily_rows(business_id, None)?;
        Ok(stats_of_days(business.name, &days))
    }

    /// The platforms a business (every business when `None`) has items on, by name, from the
    /// rollup: what the inbox offers in its platform filter.
    pub fn platforms(&self, business_id: Option<BusinessId>) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT platform FROM review_daily WHERE ?1 IS NULL OR business_id = ?1
             GROUP BY platform HAVING sum(count) > 0 ORDER BY platform",
        )?;
        let rows = stmt.query_map([business_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Items per platform of a business for days in `[from_day, to_day)`, most first:
    /// (platform, items, rated, sum of ratings). The dashboard's "volume by platform".
    pub fn platform_counts(
        &self,
        business_id: BusinessId,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<PlatformCount>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT platform, sum(count), sum(rated), sum(rating_sum) FROM review_daily
             WHERE business_id = ?1 AND day >= ?2 AND day < ?3
             GROUP BY platform HAVING sum(count) > 0 ORDER BY sum(count) DESC, platform",
        )?;
        let rows = stmt.query_map(rusqlite::params![business_id, from_day, to_day], |r| {
            let rated: i64 = r.get(2)?;
            Ok(PlatformCount {
                platform: r.get(0)?,
                count: r.get(1)?,
                average_rating: average(r.get(3)?, rated),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A platform's share of a business's items over a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformCount {
    pub platform: String,
    pub count: i64,
    pub average_rating: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ReviewFilter;

    #[test]
    fn platforms_and_their_counts_agree_with_the_reviews() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("p.db")).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        crate::demo::load(&mut store, today).unwrap();
        let own = store.businesses().unwrap()[0].id;
        let names = store.platforms(Some(own)).unwrap();
        assert!(names.len() >= 3, "{names:?}");
        let all = store.platforms(None).unwrap();
        assert!(names.iter().all(|p| all.contains(p)));
        let counts = store.platform_counts(own, i64::MIN, i64::MAX).unwrap();
        assert_eq!(counts.len(), names.len());
        for c in &counts {
            let n = store
                .count_reviews(&ReviewFilter {
                    business_id: Some(own),
                    platform: Some(c.platform.clone()),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(n, c.count as u64, "{}", c.platform);
        }
    }
}
