//! The inbox's total and the start of its deep pages, counted from the daily rollup.
//!
//! The inbox asks for its number of matches whenever a filter changes, then for pages by offset
//! as the owner scrolls (a dragged scrollbar can land on page 5,000). Counted from the rows, both
//! step through every review in the list: at a million reviews a count took half a second and a
//! page half way down almost a second. The rollup holds, per business, platform, kind and day,
//! exactly the live items and how many are negative, neutral, positive and replied, so for the
//! filters it can express the count is a sum over a few thousand rollup rows, and a deep page
//! becomes "the newest days hold N items before it; skip the rest within its own day". The
//! listing then reads one day's rows, not the half-million above them.
//!
//! Filters the rollup cannot express (dates, stars, unread, an aspect, a search, removed items,
//! an assignee) return `None` and the caller counts or steps through the rows as before: those
//! lists are narrower, and the result is the same either way (the rollup equals the rows, a
//! tested rule).

use rusqlite::{params_from_iter, types::Value};

use super::{Result, ReviewFilter, Store};

/// Offsets below this are stepped through by SQLite directly: a few thousand index entries cost
/// less than reading the rollup.
pub(crate) const SEEK_FROM_OFFSET: u32 = 2_000;

/// A filter as the rollup sees it: the key columns it narrows and the rollup column (an
/// expression of columns) that counts its matches in a row.
#[derive(Debug, PartialEq)]
struct RollupFilter {
    wh: String,
    args: Vec<Value>,
    measure: &'static str,
}

/// The rollup's version of `f`, or `None` when the rollup cannot count it exactly.
fn rollup_filter(f: &ReviewFilter) -> Option<RollupFilter> {
    let rows_only = f.since.is_some()
        || f.until.is_some()
        || f.min_rating.is_some()
        || f.max_rating.is_some()
        || f.unread
        || f.include_removed
        || f.removed
        || f.search.is_some()
        || f.aspect.is_some()
        || f.assigned_to.is_some()
        || f.unassigned;
    if rows_only {
        return None;
    }
    let measure = match (f.sentiment, f.unanswered, f.answered) {
        (None, false, false) => "count",
        (None, true, false) => "count - replied",
        (None, false, true) => "replied",
        (Some(s), false, false) => match s {
            crate::model::SentimentLabel::Negative => "negative",
            crate::model::SentimentLabel::Neutral => "neutral",
            crate::model::SentimentLabel::Positive => "positive",
        },
        // Two measures at once (negative and unanswered) are not in the rollup jointly.
        _ => return None,
    };
    let mut wh = vec!["1".to_string()];
    let mut args = Vec::new();
    if let Some(b) = f.business_id {
        args.push(Value::Integer(b));
        wh.push(format!("business_id = ?{}", args.len()));
    }
    if let Some(p) = &f.platform {
        args.push(Value::Text(p.clone()));
        wh.push(format!("platform = ?{}", args.len()));
    }
    if let Some(k) = f.kind {
        args.push(Value::Text(k.as_str().into()));
        wh.push(format!("kind = ?{}", args.len()));
    }
    Some(RollupFilter {
        wh: wh.join(" AND "),
        args,
        measure,
    })
}

/// Where a page at `offset` starts, given matches per day newest first: the last second of the
/// day it falls in (every newer day wholly before it) and the offset left within that day. Past
/// the end it answers a second before the oldest day, where nothing matches.
fn seek(days_newest_first: &[(i64, i64)], offset: u64) -> (i64, u64) {
    let mut before = 0u64;
    for &(day, n) in days_newest_first {
        let n = n.max(0) as u64;
        if before + n > offset {
            return ((day + 1) * 86_400 - 1, offset - before);
        }
        before += n;
    }
    let oldest = days_newest_first.last().map_or(0, |(d, _)| *d);
    (oldest * 86_400 - 1, 0)
}

impl Store {
    /// How many items match `f`, from the rollup; `None` when the rollup cannot tell.
    pub(crate) fn count_from_rollup(&self, f: &ReviewFilter) -> Result<Option<u64>> {
        let Some(r) = rollup_filter(f) else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT coalesce(sum({}), 0) FROM review_daily WHERE {}",
            r.measure, r.wh
        );
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(r.args), |row| row.get(0))?;
        Ok(Some(n.max(0) as u64))
    }

    /// The same listing as `f` with its deep offset replaced by a time bound and the offset
    /// within the day it lands in; `None` when the offset is small or the rollup cannot count
    /// the filter (the listing then steps through the rows).
    pub(crate) fn seek_deep_page(&self, f: &ReviewFilter) -> Result<Option<ReviewFilter>> {
        self.seek_page(f, SEEK_FROM_OFFSET)
    }

    fn seek_page(&self, f: &ReviewFilter, from_offset: u32) -> Result<Option<ReviewFilter>> {
        let offset = f.offset.unwrap_or(0);
        if offset < from_offset || f.order != super::ReviewOrder::Newest {
            return Ok(None);
        }
        let Some(r) = rollup_filter(f) else {
            return Ok(None);
        };
        // Summed per day in Rust: the rows come in key order, and a GROUP BY day would sort them.
        let sql = format!("SELECT day, {} FROM review_daily WHERE {}", r.measure, r.wh);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(r.args), |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
        })?;
        let mut days: Vec<(i64, i64)> = rows.collect::<rusqlite::Result<_>>()?;
        days.sort_unstable_by_key(|&(day, _)| std::cmp::Reverse(day));
        days.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                kept.1 += later.1;
                true
            } else {
                false
            }
        });
        let (last_second, within) = seek(&days, u64::from(offset));
        Ok(Some(ReviewFilter {
            until: chrono::DateTime::from_timestamp(last_second, 0),
            offset: Some(u32::try_from(within).unwrap_or(u32::MAX)),
            ..f.clone()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, ReviewId, SentimentLabel};

    /// Every page the rollup's seek finds holds the same reviews as stepping through the rows,
    /// and the rollup's count equals the rows', for each filter the inbox sends it.
    #[test]
    fn pages_found_from_the_rollup_equal_pages_stepped_through() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("seek.db")).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        crate::demo::load(&mut store, today).unwrap();
        // Removed items are in neither the rollup nor the list.
        let source = store.sources().unwrap().last().unwrap().id;
        store.mark_removed_except(source, &[]).unwrap();
        let own = store.businesses().unwrap()[0].id;
        let filters = [
            ReviewFilter::default(),
            ReviewFilter {
                business_id: Some(own),
                ..Default::default()
            },
            ReviewFilter {
                business_id: Some(own),
                platform: Some("google".into()),
                unanswered: true,
                ..Default::default()
            },
            ReviewFilter {
                answered: true,
                kind: Some(Kind::Review),
                ..Default::default()
            },
            ReviewFilter {
                sentiment: Some(SentimentLabel::Negative),
                ..Default::default()
            },
        ];
        for f in filters {
            let ids = |f: &ReviewFilter| -> Vec<ReviewId> {
                store
                    .list_reviews(f)
                    .unwrap()
                    .iter()
                    .map(|r| r.id)
                    .collect()
            };
            let all = ids(&ReviewFilter {
                limit: Some(u32::MAX),
                ..f.clone()
            });
            assert!(!all.is_empty(), "{f:?}");
            let rows = all.len() as u64;
            assert_eq!(store.count_from_rollup(&f).unwrap(), Some(rows), "{f:?}");
            let n = all.len() as u32;
            for offset in [
                0,
                1,
                99,
                n / 3,
                n / 2 + 7,
                n.saturating_sub(40),
                n - 1,
                n,
                n + 10,
            ] {
                let page = ReviewFilter {
                    limit: Some(37),
                    offset: Some(offset),
                    ..f.clone()
                };
                let sought = store.seek_page(&page, 0).unwrap().unwrap();
                let expected: Vec<ReviewId> =
                    all.iter().skip(offset as usize).take(37).copied().collect();
                assert_eq!(ids(&sought), expected, "{f:?} at {offset}");
            }
        }
    }

    #[test]
    fn a_page_starts_in_the_day_its_offset_falls_in() {
        // Newest first: day 12 holds 3 items, day 11 none, day 10 holds 5.
        let days = [(12, 3), (11, 0), (10, 5)];
        assert_eq!(seek(&days, 0), (13 * 86_400 - 1, 0));
        assert_eq!(seek(&days, 2), (13 * 86_400 - 1, 2));
        assert_eq!(seek(&days, 3), (11 * 86_400 - 1, 0));
        assert_eq!(seek(&days, 7), (11 * 86_400 - 1, 4));
        // Past the end: before the oldest day, where nothing is listed.
        assert_eq!(seek(&days, 8), (10 * 86_400 - 1, 0));
        assert_eq!(seek(&[], 5), (-1, 0));
    }

    #[test]
    fn only_filters_the_rollup_counts_exactly_go_to_it() {
        let f = |f: ReviewFilter| rollup_filter(&f).map(|r| r.measure);
        assert_eq!(f(ReviewFilter::default()), Some("count"));
        let some = ReviewFilter {
            business_id: Some(1),
            platform: Some("google".into()),
            kind: Some(Kind::Review),
            unanswered: true,
            ..Default::default()
        };
        assert_eq!(f(some.clone()), Some("count - replied"));
        assert_eq!(
            rollup_filter(&some).unwrap().wh,
            "1 AND business_id = ?1 AND platform = ?2 AND kind = ?3"
        );
        let negative = ReviewFilter {
            sentiment: Some(SentimentLabel::Negative),
            ..Default::default()
        };
        assert_eq!(f(negative.clone()), Some("negative"));
        for rows_only in [
            ReviewFilter {
                unanswered: true,
                ..negative
            },
            ReviewFilter {
                max_rating: Some(2.0),
                ..Default::default()
            },
            ReviewFilter {
                since: chrono::DateTime::from_timestamp(0, 0),
                ..Default::default()
            },
            ReviewFilter {
                search: Some("coffee".into()),
                ..Default::default()
            },
            ReviewFilter {
                unread: true,
                ..Default::default()
            },
            ReviewFilter {
                include_removed: true,
                ..Default::default()
            },
            ReviewFilter {
                aspect: Some("staff".into()),
                ..Default::default()
            },
        ] {
            assert_eq!(f(rows_only.clone()), None, "{rows_only:?}");
        }
    }
}
