//! Reviews and mentions: the idempotent write path (`write`) and the queries that list, count and
//! search them (`query`).
//!
//! What both halves share lives here: the search key, the full-text index's rowid, which the
//! write path computes for each new row and every search walks in order.

mod query;
mod write;

use chrono::{DateTime, Utc};

#[cfg(test)]
use super::Store;
use crate::model::ReviewId;
#[cfg(test)]
use crate::model::SourceId;

pub use query::{ReviewFilter, ReviewOrder};
pub(in crate::store) use write::index_all_rows;
pub(in crate::store) use write::search_key_for_copy;
pub(in crate::store) use write::validate;
pub use write::ReviewWriter;

/// Bits of the review id in a search key; the second of creation fills the bits above. A search
/// finds each match's review from these bits (FROM_SEARCH) for a database's first 2^26 (67
/// million) review ids. A review with a higher id gets a free key of its second
/// (`write::search_key_of`) and is found through the index of those keys (migration 0020,
/// SEARCH_JOIN_ANY_ID), which a search reads only when the database holds such a review.
const SEARCH_KEY_ID_BITS: u32 = 26;
const SEARCH_KEY_ID_MASK: i64 = (1 << SEARCH_KEY_ID_BITS) - 1;

/// The seconds a search key can hold (about 2,000 years either side of 1970): a time beyond
/// them sorts with the nearest one it can hold. The same bounds as migration 0008.
const SEARCH_KEY_SECONDS: std::ops::RangeInclusive<i64> =
    -(1 << (62 - SEARCH_KEY_ID_BITS))..=(1 << (62 - SEARCH_KEY_ID_BITS)) - 1;

/// The FTS rowid of a review: creation second, then id, so key order is (created_at, id) order,
/// the inbox's, and a search lists newest first from the full-text index alone.
fn search_key(id: ReviewId, created_at: i64) -> i64 {
    search_key_second(created_at) | (id & SEARCH_KEY_ID_MASK)
}

/// Whether a review's key holds its id: true of every id below 2^26. The others are found
/// through migration 0020's index.
fn key_holds_id(id: ReviewId) -> bool {
    id <= SEARCH_KEY_ID_MASK
}

/// The lowest search key of a review created at `t`: `created_at >= t` implies
/// `search_key >= search_key_second(t)`.
fn search_key_second(t: i64) -> i64 {
    t.clamp(*SEARCH_KEY_SECONDS.start(), *SEARCH_KEY_SECONDS.end()) << SEARCH_KEY_ID_BITS
}

/// The highest search key of a review created at `t`: `created_at <= t` implies
/// `search_key <= search_key_second_end(t)`.
fn search_key_second_end(t: i64) -> i64 {
    search_key_second(t) | SEARCH_KEY_ID_MASK
}

pub(crate) fn from_unix(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

#[cfg(test)]
/// A store with one business and one import source.
fn store_with_source(dir: &std::path::Path) -> (Store, SourceId) {
    let store = Store::open(&dir.join("reviews.db")).unwrap();
    let business = store.ensure_business("Cafe").unwrap();
    let source = store
        .ensure_source(business.id, "file", "import", &serde_json::json!({}))
        .unwrap();
    (store, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key orders by second, then id, and a time beyond what it holds sorts with the
    /// nearest time it can hold instead of overflowing into another's place.
    #[test]
    fn search_keys_order_by_second_then_id_and_clamp_far_times() {
        let t = 1_700_000_000;
        assert!(search_key(9, t) < search_key(2, t + 1));
        assert!(search_key(2, t) < search_key(3, t));
        assert!(search_key(1, -t) < search_key(1, 0));
        let far = search_key(5, i64::MAX);
        assert!(far > search_key(5, 64_060_588_800), "the year 4000 is held");
        assert_eq!(
            far,
            search_key(5, 253_402_300_799),
            "the year 9999 is not, and sorts last"
        );
        assert!(far > 0 && search_key(5, i64::MIN) < 0);
        assert_eq!(far & SEARCH_KEY_ID_MASK, 5);
        for t in [0, t, -t, i64::MAX, i64::MIN] {
            let key = search_key(7, t);
            assert!(search_key_second(t) <= key && key <= search_key_second_end(t));
        }
    }

    /// Issue 31: reviews past id 2^26 are found by a search, also one whose id's low bits name
    /// a review of the same second, and an edit that moves a review below 2^26 onto the key a
    /// review past it took keeps both found and the full-text index whole.
    #[test]
    fn reviews_past_two_to_the_26th_are_searched_and_keep_their_keys_apart() {
        use crate::model::IncomingReview;
        use crate::store::ReviewFilter;
        use rusqlite::params;
        let dir = tempfile::tempdir().unwrap();
        let (mut store, source) = store_with_source(dir.path());
        let t0 = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 2, 9, 15, 0).unwrap();
        let at = |s: i64| t0 + chrono::Duration::seconds(s);
        let words = [
            "plain",
            "simple",
            "quiet",
            "modest",
            "lovely croissant",
            "calm",
        ];
        let items: Vec<_> = words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let body = format!("{w} coffee");
                (
                    source,
                    IncomingReview::example(format!("r{i}"), body, at(i as i64)),
                )
            })
            .collect();
        store.write_batch(&items).unwrap();
        // Ids continue from the highest: a row past 2^26 (removed, of 1970, no words) makes
        // the next review's id 2^26 + 5, whose low bits name review 5, of the same second.
        let high = (1 << 26) + 4;
        store
            .conn
            .execute(
                "INSERT INTO reviews (id, source_id, business_id, platform, external_id, kind,
                     body, created_at, fetched_at, removed_at, content_hash, search_key)
                 VALUES (?1, ?2, 1, 'google', 'placeholder', 'review', '', 0, 0, 0, 0, ?3)",
                params![high, source, search_key(high, 0)],
            )
            .unwrap();
        let espresso = IncomingReview::example("h".into(), "Smoky espresso coffee".into(), at(4));
        store.write_batch(&[(source, espresso)]).unwrap();
        let h: ReviewId = (1 << 26) + 5;
        let key_of = |store: &Store, id: ReviewId| -> i64 {
            store
                .conn
                .query_row("SELECT search_key FROM reviews WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .unwrap()
        };
        assert_eq!(key_of(&store, 5), search_key(5, at(4).timestamp()));
        assert_eq!(
            key_of(&store, h),
            search_key(6, at(4).timestamp()),
            "next free key"
        );

        let found = |store: &Store, q: &str| -> Vec<ReviewId> {
            let f = ReviewFilter {
                search: Some(q.into()),
                ..Default::default()
            };
            let ids: Vec<ReviewId> = store
                .list_reviews(&f)
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect();
            assert_eq!(store.count_reviews(&f).unwrap(), ids.len() as u64, "{q}");
            ids
        };
        let check_index = |store: &Store| {
            store
                .conn
                .execute_batch("INSERT INTO reviews_fts (reviews_fts) VALUES ('integrity-check')")
                .unwrap();
            assert_eq!(store.integrity_check().unwrap(), ["ok"]);
        };
        assert_eq!(found(&store, "espresso"), [h]);
        assert_eq!(found(&store, "croissant"), [5]);
        assert_eq!(
            found(&store, "coffee"),
            [6, h, 5, 4, 3, 2, 1],
            "newest first"
        );
        check_index(&store);

        // Review 6 moves to the second of h, onto the key h took: h moves to the next free one.
        let moved = IncomingReview::example("r5".into(), "calm tea".into(), at(4));
        store.write_batch(&[(source, moved)]).unwrap();
        assert_eq!(key_of(&store, 6), search_key(6, at(4).timestamp()));
        assert_eq!(key_of(&store, h), search_key(7, at(4).timestamp()));
        assert_eq!(found(&store, "espresso"), [h]);
        assert_eq!(found(&store, "tea"), [6]);
        assert_eq!(found(&store, "coffee"), [h, 5, 4, 3, 2, 1]);
        check_index(&store);

        // Further reviews past 2^26 get keys of their own.
        let more: Vec<_> = (0..50)
            .map(|i| {
                let body = format!("latte number{i}");
                (
                    source,
                    IncomingReview::example(format!("m{i}"), body, at(4)),
                )
            })
            .collect();
        store.write_batch(&more).unwrap();
        assert_eq!(found(&store, "latte").len(), 50);
        assert_eq!(found(&store, "number49").len(), 1);
        check_index(&store);
    }
}
