//! The listing, count and search queries of reviews: what the inbox, the CLI and the reports read.
//!
//! A filter becomes one FROM clause, its conditions and their arguments (`filter_sql`), shared by
//! the listing and the count so both always agree on what matches. A search drives from the
//! full-text index in search key order, so it lists newest first without sorting its matches.

use chrono::{DateTime, Utc};
use rusqlite::{params, params_from_iter, types::Value, OptionalExtension, Row};
use serde::Deserialize;

use super::{from_unix, search_key_second, search_key_second_end};
use crate::analysis::aspects;
use crate::model::{BusinessId, Kind, Review, ReviewId, SentimentLabel};
use crate::store::{now_unix, Result, Store, StoreError};

/// Order of a review listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewOrder {
    /// Newest first: what an inbox shows, and the fast path for full-text search.
    #[default]
    Newest,
    Oldest,
    /// Best full-text match first (only meaningful with a search; scans every match).
    Relevance,
}

/// What to list. Every field narrows; the default lists everything, newest first.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReviewFilter {
    pub business_id: Option<BusinessId>,
    pub platform: Option<String>,
    pub kind: Option<Kind>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub min_rating: Option<f64>,
    pub max_rating: Option<f64>,
    pub sentiment: Option<SentimentLabel>,
    pub unanswered: bool,
    /// Only items that have a reply (the inbox's "answered" filter); with `unanswered` nothing
    /// matches.
    pub answered: bool,
    pub unread: bool,
    pub include_removed: bool,
    /// Only items their platform no longer shows (issue 27: the inbox's "Removed" filter).
    /// Earshot keeps them, marked, so the owner still has the words and can ask why; implies
    /// `include_removed`.
    pub removed: bool,
    pub search: Option<String>,
    pub aspect: Option<String>,
    /// Only reviews handed to this person (`earshot assign`).
    pub assigned_to: Option<String>,
    /// Only reviews handed to nobody; with `assigned_to` nothing matches.
    pub unassigned: bool,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    pub order: ReviewOrder,
}

/// Default page size of a listing when the caller names none.
const DEFAULT_LIMIT: u32 = 100;

const COLUMNS: &str = "r.id, b.name, r.business_id, r.source_id, r.platform, r.external_id, \
     r.kind, r.author, r.rating, r.title, r.body, r.created_at, r.updated_at, r.url, r.language, \
     r.replied_at, r.sentiment, r.sentiment_label, r.removed_at, r.read_at, r.assigned_to";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Review> {
    let kind: String = r.get(6)?;
    let label: Option<String> = r.get(17)?;
    let replied_at: Option<i64> = r.get(15)?;
    Ok(Review {
        id: r.get(0)?,
        business: r.get(1)?,
        business_id: r.get(2)?,
        source_id: r.get(3)?,
        platform: r.get(4)?,
        external_id: r.get(5)?,
        kind: Kind::parse(&kind).unwrap_or(Kind::Review),
        author: r.get(7)?,
        rating: r.get(8)?,
        title: r.get(9)?,
        body: r.get(10)?,
        created_at: from_unix(r.get(11)?),
        updated_at: r.get::<_, Option<i64>>(12)?.map(from_unix),
        url: r.get(13)?,
        language: r.get(14)?,
        replied: replied_at.is_some(),
        replied_at: replied_at.map(from_unix),
        sentiment: r.get(16)?,
        sentiment_label: label.as_deref().and_then(SentimentLabel::parse),
        removed: r.get::<_, Option<i64>>(18)?.is_some(),
        unread: r.get::<_, Option<i64>>(19)?.is_none(),
        assigned_to: r.get(20)?,
    })
}

impl Store {
    /// Lists reviews that match the filter.
    pub fn list_reviews(&self, filter: &ReviewFilter) -> Result<Vec<Review>> {
        // A page deep in a long list starts at its day, found from the rollup, instead of
        // stepping through every row above it.
        let sought = self.seek_deep_page(filter)?;
        let filter = sought.as_ref().unwrap_or(filter);
        let businesses: Vec<BusinessId> = if merges_businesses(filter) {
            self.businesses()?.into_iter().map(|b| b.id).collect()
        } else {
            Vec::new()
        };
        let (sql, args) = list_sql(filter, &businesses);
        let sql = self.search_join_for_every_id(sql)?;
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many reviews match the filter (its `limit`, `offset` and `order` are ignored): the
    /// inbox sizes its scroll area with it before it loads any page.
    pub fn count_reviews(&self, filter: &ReviewFilter) -> Result<u64> {
        if let Some(n) = self.count_from_rollup(filter)? {
            return Ok(n);
        }
        let (sql, args) = count_sql(filter);
        let sql = self.search_join_for_every_id(sql)?;
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args), |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// One review by id.
    pub fn review(&self, id: ReviewId) -> Result<Review> {
        let sql = format!(
            "SELECT {COLUMNS} FROM reviews r JOIN businesses b ON b.id = r.business_id WHERE r.id = ?1"
        );
        self.conn
            .query_row(&sql, [id], from_row)
            .optional()?
            .ok_or(StoreError::UnknownReview(id))
    }

    /// Marks a review as read in the inbox.
    pub fn mark_read(&self, id: ReviewId) -> Result<()> {
        self.conn.execute(
            "UPDATE reviews SET read_at = ?2 WHERE id = ?1 AND read_at IS NULL",
            params![id, now_unix()],
        )?;
        Ok(())
    }

    /// The earlier texts of an edited review, oldest first.
    pub fn revisions(&self, id: ReviewId) -> Result<Vec<crate::model::Revision>> {
        let mut stmt = self.conn.prepare(
            "SELECT rating, title, body, updated_at, recorded_at FROM review_revisions
             WHERE review_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(crate::model::Revision {
                rating: r.get(0)?,
                title: r.get(1)?,
                body: r.get(2)?,
                updated_at: r.get::<_, Option<i64>>(3)?.map(from_unix),
                recorded_at: from_unix(r.get(4)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Turns what a person types into an FTS5 query: each word quoted (so `OR`, `NEAR(` or a stray
/// quote in the text are words, not syntax) and all of them required. "Don't" and "wi-fi" are
/// two words each, as the index's tokenizer splits them: quoted together they would be a
/// phrase, which an index without positions refuses (migration 0006).
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(words.join(" "))
}

/// A filter as SQL: its FROM clause, its conditions and their arguments, shared by the listing
/// and the count so both always agree on what matches.
struct FilterSql {
    from: &'static str,
    conditions: Vec<String>,
    args: Vec<Value>,
}

impl FilterSql {
    fn where_clause(&self) -> String {
        where_clause(&self.conditions)
    }
}

fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    }
}

const FROM_REVIEWS: &str = "reviews r JOIN businesses b ON b.id = r.business_id";

/// A search drives from the full-text index, in its rowid (search key) order, and finds each
/// match's review by the id held in the key's low bits: the reviews table has no index of its
/// search key (migration 0009). The second condition makes a key whose id bits name another
/// review (a review past 2^26, see SEARCH_KEY_ID_BITS) match nothing rather than the wrong
/// review; such reviews are found by SEARCH_JOIN_ANY_ID, once a database holds one.
/// CROSS JOIN pins the FTS table as the outer loop: left to itself, SQLite 3.51 drives from the
/// business index and runs the full-text query once per review (seconds, not ms).
const FROM_SEARCH: &str = "reviews_fts CROSS JOIN reviews r \
     ON r.id = (reviews_fts.rowid & 67108863) AND r.search_key = reviews_fts.rowid \
     JOIN businesses b ON b.id = r.business_id";

/// FROM_SEARCH's way from a key to its review below 2^26.
const SEARCH_JOIN_BY_ID_BITS: &str = "r.id = (reviews_fts.rowid & 67108863)";

/// The same for a database that holds reviews past 2^26: a key held by one of them is found in
/// migration 0020's index of their keys, any other holds its id. One more index probe a match,
/// so only such a database pays it (`Store::search_join_for_every_id`).
const SEARCH_JOIN_ANY_ID: &str = "r.id = coalesce((SELECT h.id FROM reviews h \
     WHERE h.search_key = reviews_fts.rowid AND h.id > 67108863), reviews_fts.rowid & 67108863)";

impl Store {
    /// `sql` with SEARCH_JOIN_ANY_ID for SEARCH_JOIN_BY_ID_BITS when the database holds a
    /// review past 2^26 (the highest id is the rowid table's last entry: one page read).
    fn search_join_for_every_id(&self, sql: String) -> Result<String> {
        if !sql.contains(SEARCH_JOIN_BY_ID_BITS) {
            return Ok(sql);
        }
        let past: bool = self
            .conn
            .prepare_cached("SELECT coalesce(max(id), 0) > 67108863 FROM reviews")?
            .query_row([], |r| r.get(0))?;
        Ok(if past {
            sql.replace(SEARCH_JOIN_BY_ID_BITS, SEARCH_JOIN_ANY_ID)
        } else {
            sql
        })
    }
}

fn filter_sql(f: &ReviewFilter) -> FilterSql {
    let mut wh: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut arg = |v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    let search = f.search.as_deref().and_then(fts_query);
    if let Some(b) = f.business_id {
        wh.push(format!("r.business_id = {}", arg(Value::Integer(b))));
    }
    if let Some(p) = &f.platform {
        wh.push(format!("r.platform = {}", arg(Value::Text(p.clone()))));
    }
    if let Some(k) = f.kind {
        wh.push(format!("r.kind = {}", arg(Value::Text(k.as_str().into()))));
    }
    // In a search a period bounds the FTS rowid too, which the created_at bound implies: the
    // full-text index is walked in key order, and the bound makes that walk a range.
    if let Some(t) = f.since.map(|t| t.timestamp()) {
        wh.push(format!("r.created_at >= {}", arg(Value::Integer(t))));
        if search.is_some() {
            let lowest = search_key_second(t);
            wh.push(format!(
                "reviews_fts.rowid >= {}",
                arg(Value::Integer(lowest))
            ));
        }
    }
    if let Some(t) = f.until.map(|t| t.timestamp()) {
        wh.push(format!("r.created_at <= {}", arg(Value::Integer(t))));
        if search.is_some() {
            let highest = search_key_second_end(t);
            wh.push(format!(
                "reviews_fts.rowid <= {}",
                arg(Value::Integer(highest))
            ));
        }
    }
    if let Some(v) = f.min_rating {
        wh.push(format!("r.rating >= {}", arg(Value::Real(v))));
    }
    if let Some(v) = f.max_rating {
        wh.push(format!("r.rating <= {}", arg(Value::Real(v))));
    }
    if let Some(s) = f.sentiment {
        wh.push(format!(
            "r.sentiment_label = {}",
            arg(Value::Text(s.as_str().into()))
        ));
    }
    if f.unanswered {
        wh.push("r.replied_at IS NULL".into());
    }
    if f.answered {
        wh.push("r.replied_at IS NOT NULL".into());
    }
    if f.unread {
        wh.push("r.read_at IS NULL".into());
    }
    if f.removed {
        wh.push("r.removed_at IS NOT NULL".into());
    } else if !f.include_removed {
        wh.push("r.removed_at IS NULL".into());
    }
    if let Some(a) = &f.aspect {
        // Checked row by row as the listing walks newest first, so a page stops early. A
        // quoted key followed by a colon occurs in the row's mentions (migration 0007) only
        // as that key: a substring test, no JSON parsed per row.
        wh.push(format!(
            "instr(r.aspects, {}) > 0",
            arg(Value::Text(format!("{}:", aspects::json_key(a))))
        ));
    }
    if let Some(name) = &f.assigned_to {
        // Read from the partial index of assigned reviews (migration 0021) when a business is
        // chosen: `=` implies the index's IS NOT NULL.
        wh.push(format!(
            "r.assigned_to = {}",
            arg(Value::Text(name.clone()))
        ));
    }
    if f.unassigned {
        wh.push("r.assigned_to IS NULL".into());
    }
    let from = if let Some(q) = &search {
        wh.push(format!("reviews_fts MATCH {}", arg(Value::Text(q.clone()))));
        FROM_SEARCH
    } else {
        FROM_REVIEWS
    };
    FilterSql {
        from,
        conditions: wh,
        args,
    }
}

/// The place (from 1) of `column` in COLUMNS.
fn column_number(column: &str) -> usize {
    let mut columns = COLUMNS.split(',').map(str::trim);
    1 + columns
        .position(|c| c == column)
        .expect("a column of COLUMNS")
}

/// The count's query: how many reviews match `f`, counted from the rows.
fn count_sql(f: &ReviewFilter) -> (String, Vec<Value>) {
    let mut matching = filter_sql(f);
    let period = f.since.is_some() || f.until.is_some();
    if f.business_id.is_none() && matching.from == FROM_REVIEWS && period {
        // True of every review. It lets a count across businesses read a period as a range of
        // each business's time index, instead of reading every review: there is no time index
        // of all reviews (migrations 0008 and 0009). Without a period, reading the table
        // straight through is faster than through an index.
        matching
            .conditions
            .push("r.business_id IN (SELECT id FROM businesses)".into());
    }
    let sql = format!(
        "SELECT count(*) FROM {} {}",
        matching.from,
        matching.where_clause()
    );
    (sql, matching.args)
}

/// Businesses up to which a listing across businesses merges their time indexes (one arm of a
/// UNION ALL each); beyond, SQLite sorts the matches instead. SQLite allows 500 arms.
const MERGED_BUSINESSES: usize = 200;

/// Whether `f` lists across businesses from their time indexes: no business chosen, no search.
fn merges_businesses(f: &ReviewFilter) -> bool {
    f.business_id.is_none() && f.search.as_deref().and_then(fts_query).is_none()
}

/// The listing's query. `businesses` are every business's id, for a listing across them.
fn list_sql(f: &ReviewFilter, businesses: &[BusinessId]) -> (String, Vec<Value>) {
    let FilterSql {
        from,
        conditions,
        mut args,
    } = filter_sql(f);
    let mut arg = |v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    let limit = arg(Value::Integer(i64::from(f.limit.unwrap_or(DEFAULT_LIMIT))));
    let offset = arg(Value::Integer(i64::from(f.offset.unwrap_or(0))));
    let page = format!("LIMIT {limit} OFFSET {offset}");
    // Every order is (created_at, id), walked from an index so a page stops early: in a search
    // the FTS rowid (the search key), which is that order; else a business's time index, whose
    // entries end in the id.
    let direction = match f.order {
        ReviewOrder::Oldest => "ASC",
        ReviewOrder::Newest | ReviewOrder::Relevance => "DESC",
    };
    if from == FROM_SEARCH {
        let order = match f.order {
            ReviewOrder::Relevance => "bm25(reviews_fts), reviews_fts.rowid DESC".to_string(),
            _ => format!("reviews_fts.rowid {direction}"),
        };
        let wh = where_clause(&conditions);
        return (
            format!("SELECT {COLUMNS} FROM {from} {wh} ORDER BY {order} {page}"),
            args,
        );
    }
    // Qualified: businesses has a created_at and an id too.
    let order = format!("r.created_at {direction}, r.id {direction}");
    // Not a search (returned above): across businesses unless one is chosen.
    if f.business_id.is_some() || businesses.is_empty() || businesses.len() > MERGED_BUSINESSES {
        let wh = where_clause(&conditions);
        return (
            format!("SELECT {COLUMNS} FROM {from} {wh} ORDER BY {order} {page}"),
            args,
        );
    }
    // Across businesses: each business's reviews in order from its time index, merged by
    // SQLite (a MERGE of the UNION ALL's arms) until the page is full. The arms share the
    // filter's numbered arguments; a business id is an integer, written in. A compound's ORDER
    // BY names its result columns by number; a single arm is a plain SELECT.
    let order = if businesses.len() == 1 {
        order
    } else {
        let (created_at, id) = (column_number("r.created_at"), column_number("r.id"));
        format!("{created_at} {direction}, {id} {direction}")
    };
    let arms: Vec<String> = businesses
        .iter()
        .map(|id| {
            let mut arm = conditions.clone();
            arm.insert(0, format!("r.business_id = {id}"));
            format!("SELECT {COLUMNS} FROM {from} {}", where_clause(&arm))
        })
        .collect();
    (
        format!("{} ORDER BY {order} {page}", arms.join(" UNION ALL ")),
        args,
    )
}

#[cfg(test)]
mod tests {
    use super::super::{store_with_source, SEARCH_KEY_ID_MASK};
    use super::*;
    use crate::model::{IncomingReview, SourceId};

    /// Regression: with the reviews table outside, a search ran the full-text query once per
    /// review of the business (23 s at 100k reviews instead of milliseconds).
    #[test]
    fn search_walks_the_full_text_index_first_and_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).unwrap();
        let filter = ReviewFilter {
            business_id: Some(1),
            search: Some("coffee".into()),
            ..Default::default()
        };
        let plan = listing_plan(&store, &filter);
        let fts = plan.iter().position(|l| l.contains("reviews_fts")).unwrap();
        let reviews = plan.iter().position(|l| l.contains("SEARCH r ")).unwrap();
        assert!(fts < reviews, "{plan:?}");
        assert!(
            !plan.iter().any(|l| l.contains("TEMP B-TREE")),
            "no sort of all matches: {plan:?}"
        );
    }

    /// The steps of the listing's query plan for `filter`.
    fn listing_plan(store: &Store, filter: &ReviewFilter) -> Vec<String> {
        listing_plan_across(store, filter, &[])
    }

    /// The steps of the query plan for `filter` listed across `businesses`.
    fn listing_plan_across(
        store: &Store,
        filter: &ReviewFilter,
        businesses: &[BusinessId],
    ) -> Vec<String> {
        let (sql, args) = list_sql(filter, businesses);
        store.query_plan(&sql, params_from_iter(args))
    }

    /// Migrations 0008 and 0009 dropped the time index and the search key index of all
    /// reviews: a listing across businesses merges each business's walk of its time index, in
    /// order (no sort), and a period is a range of each walk.
    #[test]
    fn a_listing_across_businesses_merges_each_business_time_index_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).unwrap();
        let day = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 2, 0, 0, 0).unwrap();
        for (filter, range) in [
            (ReviewFilter::default(), false),
            (
                ReviewFilter {
                    order: ReviewOrder::Oldest,
                    unanswered: true,
                    ..Default::default()
                },
                false,
            ),
            (
                ReviewFilter {
                    since: Some(day),
                    until: Some(day + chrono::Duration::days(7)),
                    max_rating: Some(2.0),
                    ..Default::default()
                },
                true,
            ),
        ] {
            let plan = listing_plan_across(&store, &filter, &[1, 2, 3]);
            assert!(
                plan.iter().any(|l| l.contains("MERGE (UNION ALL)")),
                "{plan:?}"
            );
            let walks: Vec<&String> = plan.iter().filter(|l| l.contains(" r ")).collect();
            assert_eq!(walks.len(), 3, "{plan:?}");
            for walk in walks {
                assert!(walk.contains("reviews_by_business_time"), "{plan:?}");
                assert_eq!(
                    walk.contains("created_at>? AND created_at<?"),
                    range,
                    "{plan:?}"
                );
            }
            assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{plan:?}");
        }
    }

    /// The merged listing holds the same reviews in the same order as one sorted query, page by
    /// page, in both orders and with a period, and with no business at all it is empty.
    #[test]
    fn a_merged_listing_across_businesses_equals_one_sorted_query() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("merge.db")).unwrap();
        let none = store.list_reviews(&ReviewFilter::default()).unwrap();
        assert!(none.is_empty());
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        crate::demo::load(&mut store, today).unwrap();
        let businesses: Vec<BusinessId> = store
            .businesses()
            .unwrap()
            .into_iter()
            .map(|b| b.id)
            .collect();
        assert!(businesses.len() > 1, "the demo has a competitor");
        let since = chrono::TimeZone::with_ymd_and_hms(&Utc, 2025, 6, 1, 0, 0, 0).unwrap();
        for order in [ReviewOrder::Newest, ReviewOrder::Oldest] {
            for period in [None, Some(since)] {
                for offset in [0, 7, 250] {
                    let filter = ReviewFilter {
                        order,
                        since: period,
                        limit: Some(40),
                        offset: Some(offset),
                        ..Default::default()
                    };
                    let ids = |businesses: &[BusinessId]| -> Vec<ReviewId> {
                        let (sql, args) = list_sql(&filter, businesses);
                        let mut stmt = store.conn.prepare(&sql).unwrap();
                        let rows = stmt
                            .query_map(params_from_iter(args), |r| r.get(0))
                            .unwrap();
                        rows.collect::<rusqlite::Result<_>>().unwrap()
                    };
                    let merged = ids(&businesses);
                    // No ids: one query, sorted by SQLite.
                    let sorted = ids(&[]);
                    assert_eq!(merged.len(), 40);
                    assert_eq!(merged, sorted, "{order:?} {period:?} {offset}");
                }
            }
        }
        let count = store.count_reviews(&ReviewFilter {
            since: Some(since),
            ..Default::default()
        });
        let listed = store.list_reviews(&ReviewFilter {
            since: Some(since),
            limit: Some(u32::MAX),
            ..Default::default()
        });
        assert_eq!(count.unwrap(), listed.unwrap().len() as u64);
    }

    /// A count across businesses over a period reads each business's time index as a range.
    #[test]
    fn a_count_across_businesses_over_a_period_is_a_range_of_each_time_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).unwrap();
        let day = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 2, 0, 0, 0).unwrap();
        let filter = ReviewFilter {
            since: Some(day),
            until: Some(day + chrono::Duration::days(7)),
            ..Default::default()
        };
        let (sql, args) = count_sql(&filter);
        let plan = store.query_plan(&sql, params_from_iter(args));
        assert!(
            plan.iter().any(|l| l.contains("SEARCH r USING")
                && l.contains("reviews_by_business_time")
                && l.contains("created_at>? AND created_at<?")),
            "{plan:?}"
        );
    }

    /// A search finds each review from the id in its key's low bits; the mask written in the
    /// query is the key's.
    #[test]
    fn the_search_join_masks_the_key_with_the_id_bits() {
        assert!(FROM_SEARCH.contains(&format!("reviews_fts.rowid & {SEARCH_KEY_ID_MASK})")));
        assert!(FROM_SEARCH.contains(SEARCH_JOIN_BY_ID_BITS));
        assert!(SEARCH_JOIN_ANY_ID.contains(&format!("rowid & {SEARCH_KEY_ID_MASK})")));
    }

    /// Newest first is (created_at, id) to the second, with a business or without, searched or
    /// not, and a period's bounds are inclusive to the second.
    #[test]
    fn every_listing_is_newest_first_to_the_second() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, source) = store_with_source(dir.path());
        let minute = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 2, 9, 15, 0).unwrap();
        // One minute's reviews, stored in no order of time; two share a second.
        let seconds = [40, 5, 59, 5, 0, 30];
        let items: Vec<(SourceId, IncomingReview)> = seconds
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let item = IncomingReview::example(
                    format!("r{i}"),
                    format!("Lovely flat white {i}"),
                    minute + chrono::Duration::seconds(*s),
                );
                (source, item)
            })
            .collect();
        store.write_batch(&items).unwrap();
        let listed = |filter: ReviewFilter| -> Vec<String> {
            let reviews = store.list_reviews(&filter).unwrap();
            reviews.into_iter().map(|r| r.external_id).collect()
        };
        let newest = ["r2", "r0", "r5", "r3", "r1", "r4"];
        assert_eq!(listed(ReviewFilter::default()), newest);
        assert_eq!(
            listed(ReviewFilter {
                business_id: Some(1),
                ..Default::default()
            }),
            newest
        );
        assert_eq!(
            listed(ReviewFilter {
                search: Some("flat white".into()),
                ..Default::default()
            }),
            newest
        );
        let mut oldest = newest;
        oldest.reverse();
        assert_eq!(
            listed(ReviewFilter {
                order: ReviewOrder::Oldest,
                ..Default::default()
            }),
            oldest
        );
        for search in [None, Some("white".to_string())] {
            assert_eq!(
                listed(ReviewFilter {
                    since: Some(minute + chrono::Duration::seconds(5)),
                    until: Some(minute + chrono::Duration::seconds(40)),
                    search: search.clone(),
                    ..Default::default()
                }),
                ["r0", "r5", "r3", "r1"],
                "{search:?}"
            );
        }
    }

    /// The inbox sizes its list with the count, then pages through the listing: both must agree
    /// for every filter it offers.
    #[test]
    fn the_count_matches_the_listing_for_every_inbox_filter() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("count.db")).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        crate::demo::load(&mut store, today).unwrap();
        let own = store.businesses().unwrap()[0].id;
        let all = |f: ReviewFilter| ReviewFilter {
            limit: Some(u32::MAX),
            ..f
        };
        let filters = [
            ReviewFilter::default(),
            ReviewFilter {
                business_id: Some(own),
                max_rating: Some(2.0),
                ..Default::default()
            },
            ReviewFilter {
                unanswered: true,
                ..Default::default()
            },
            ReviewFilter {
                answered: true,
                ..Default::default()
            },
            ReviewFilter {
                sentiment: Some(SentimentLabel::Negative),
                search: Some("coffee".into()),
                ..Default::default()
            },
            ReviewFilter {
                aspect: Some("staff".into()),
                since: DateTime::from_timestamp(1_700_000_000, 0),
                ..Default::default()
            },
        ];
        for f in filters {
            let listed = store.list_reviews(&all(f.clone())).unwrap().len() as u64;
            assert_eq!(store.count_reviews(&f).unwrap(), listed, "{f:?}");
        }
        let total = store.count_reviews(&ReviewFilter::default()).unwrap();
        let answered = store
            .count_reviews(&ReviewFilter {
                answered: true,
                ..Default::default()
            })
            .unwrap();
        let unanswered = store
            .count_reviews(&ReviewFilter {
                unanswered: true,
                ..Default::default()
            })
            .unwrap();
        assert!(answered > 0 && unanswered > 0);
        assert_eq!(answered + unanswered, total);
    }

    #[test]
    fn fts_query_quotes_every_word_so_syntax_in_reviews_is_inert() {
        assert_eq!(
            fts_query("cold coffee").as_deref(),
            Some("\"cold\" \"coffee\"")
        );
        assert_eq!(
            fts_query("NEAR(a b) OR \"x").as_deref(),
            Some("\"NEAR\" \"a\" \"b\" \"OR\" \"x\"")
        );
        assert_eq!(fts_query("  ;; "), None);
        assert_eq!(
            fts_query("don't wi-fi").as_deref(),
            Some("\"don\" \"t\" \"wi\" \"fi\"")
        );
    }

    /// The index keeps no positions (migration 0006): words with an apostrophe or a hyphen
    /// still find their review instead of failing as a phrase, and relevance order works.
    #[test]
    fn words_with_apostrophes_and_hyphens_find_their_review() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, source) = store_with_source(dir.path());
        let at = chrono::DateTime::parse_from_rfc3339("2025-03-01T09:00:00Z").unwrap();
        let items: Vec<IncomingReview> = [
            "Don't miss the wi-fi, it is fast",
            "Slow wifi and cold coffee",
            "Cold coffee, cold room, cold welcome",
        ]
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let created_at = (at + chrono::Duration::minutes(i as i64)).to_utc();
            IncomingReview::example(format!("r{i}"), (*body).into(), created_at)
        })
        .collect();
        store.write_reviews(source, &items).unwrap();
        let search = |q: &str, order: ReviewOrder| -> Vec<String> {
            store
                .list_reviews(&ReviewFilter {
                    search: Some(q.into()),
                    order,
                    ..Default::default()
                })
                .unwrap()
                .into_iter()
                .map(|r| r.external_id)
                .collect()
        };
        assert_eq!(search("don't wi-fi", ReviewOrder::Newest), ["r0"]);
        assert_eq!(search("DON'T", ReviewOrder::Relevance), ["r0"]);
        assert_eq!(search("cold coffee", ReviewOrder::Newest), ["r2", "r1"]);
        assert_eq!(search("cold coffee", ReviewOrder::Relevance).len(), 2);
    }
}
