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
pub(in crate::store) use write::validate;
pub use write::ReviewWriter;

/// Bits of the review id in a search key; the second of creation fills the bits above. A search
/// finds each match's review from these bits (FROM_SEARCH), so a database's first 2^26 (67
/// million) review ids are searchable; a review with a higher id is listed and counted, but no
/// search finds it.
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
}
