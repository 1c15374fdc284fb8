//! Headline figures of a business on PostgreSQL, from the daily rollup (never the raw rows),
//! computed by the same function as the SQLite store's.

use super::PgStore;
use crate::analysis::trends::DayRow;
use crate::model::BusinessId;
use crate::store::stats::stats_of_days;
use crate::store::{Result, Stats};

impl PgStore {
    /// What `earshot stats` prints and the dashboard's first screen shows.
    pub fn stats(&self, business_id: BusinessId) -> Result<Stats> {
        let business = self.business(business_id)?;
        let days = self.daily_rows(business_id, None)?;
        Ok(stats_of_days(business.name, &days))
    }

    /// The business's rollup day by day, oldest first, its platforms and kinds summed (as the
    /// SQLite store's `daily_rows`, which sums them in Rust; here the server does).
    pub fn daily_rows(
        &self,
        business_id: BusinessId,
        platform: Option<&str>,
    ) -> Result<Vec<DayRow>> {
        let rows = self.client().query(
            "SELECT day, sum(count)::bigint, sum(rated)::bigint, sum(rating_sum),
                    sum(r1)::bigint, sum(r2)::bigint, sum(r3)::bigint, sum(r4)::bigint,
                    sum(r5)::bigint, sum(negative)::bigint, sum(neutral)::bigint,
                    sum(positive)::bigint, sum(replied)::bigint, sum(unanswered_negative)::bigint
             FROM review_daily
             WHERE business_id = $1 AND ($2::text IS NULL OR platform = $2)
             GROUP BY day ORDER BY day",
            &[&business_id, &platform],
        )?;
        Ok(rows
            .iter()
            .map(|r| DayRow {
                day: r.get(0),
                count: r.get(1),
                rated: r.get(2),
                rating_sum: r.get(3),
                stars: [r.get(4), r.get(5), r.get(6), r.get(7), r.get(8)],
                negative: r.get(9),
                neutral: r.get(10),
                positive: r.get(11),
                replied: r.get(12),
                unanswered_negative: r.get(13),
            })
            .collect())
    }

    /// The platforms a business (every business when `None`) has items on, by name.
    pub fn platforms(&self, business_id: Option<BusinessId>) -> Result<Vec<String>> {
        let rows = self.client().query(
            "SELECT platform FROM review_daily WHERE $1::bigint IS NULL OR business_id = $1
             GROUP BY platform HAVING sum(count) > 0 ORDER BY platform",
            &[&business_id],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}
