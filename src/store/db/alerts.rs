//! Alerts on either store: what the rule engine (`crate::alerts`) and the alert actions read and
//! write, as one small trait at the seam, implemented by the SQLite store, the team store and
//! [`Db`].
//!
//! A trait rather than only `impl Db` methods because the check is generic over it: callers that
//! hold a file (the sync round, the app) keep calling `alerts::check(&mut store)` with their
//! `Store`, monomorphised as before, and a team seat calls the same function with its `Db`. Each
//! implementation calls its store's own method of the same name (written in its engine's SQL);
//! the macro only spells the delegation once.

use serde_json::Value as Json;

use super::Db;
use crate::analysis::trends::DayRow;
use crate::model::alerts::{
    Alert, AlertFilter, AlertId, AlertState, CredentialExpiry, Item, NewAlert,
};
use crate::model::{Business, BusinessId, Review, ReviewId, SourceId};
use crate::store::postgres::PgStore;
use crate::store::{AlertMarks, Result, SentimentDays, Store};

macro_rules! alert_store {
    ($( fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        /// What alerts need of a store; see the module's note.
        pub trait AlertStore {
            $( fn $name(&self $(, $arg: $ty)*) -> Result<$ret>; )*
            /// Raises a check's alerts and moves its marks, in one transaction: each alert's
            /// new id, or `None` when it had been raised before (by this seat or another).
            fn raise_alerts(
                &mut self,
                alerts: &[NewAlert],
                marks: &AlertMarks,
                now: i64,
                remind: bool,
            ) -> Result<Vec<Option<AlertId>>>;
        }

        impl AlertStore for Store {
            $( fn $name(&self $(, $arg: $ty)*) -> Result<$ret> { Store::$name(self $(, $arg)*) } )*
            fn raise_alerts(
                &mut self,
                alerts: &[NewAlert],
                marks: &AlertMarks,
                now: i64,
                remind: bool,
            ) -> Result<Vec<Option<AlertId>>> {
                Store::raise_alerts(self, alerts, marks, now, remind)
            }
        }

        impl AlertStore for PgStore {
            $( fn $name(&self $(, $arg: $ty)*) -> Result<$ret> { PgStore::$name(self $(, $arg)*) } )*
            fn raise_alerts(
                &mut self,
                alerts: &[NewAlert],
                marks: &AlertMarks,
                now: i64,
                remind: bool,
            ) -> Result<Vec<Option<AlertId>>> {
                PgStore::raise_alerts(self, alerts, marks, now, remind)
            }
        }

        impl AlertStore for Db {
            $(
                fn $name(&self $(, $arg: $ty)*) -> Result<$ret> {
                    on_either!(self, $name($($arg),*))
                }
            )*
            fn raise_alerts(
                &mut self,
                alerts: &[NewAlert],
                marks: &AlertMarks,
                now: i64,
                remind: bool,
            ) -> Result<Vec<Option<AlertId>>> {
                on_either!(self, raise_alerts(alerts, marks, now, remind))
            }
        }
    };
}

alert_store! {
    fn raise_alert(&self, alert: &NewAlert) -> Option<AlertId>;
    fn alert_marks(&self) -> AlertMarks;
    fn alerts(&self, filter: &AlertFilter) -> Vec<Alert>;
    fn alert(&self, id: AlertId) -> Option<Alert>;
    fn alerts_by_ids(&self, ids: &[AlertId]) -> Vec<Alert>;
    fn set_alert_state(&self, id: AlertId, state: AlertState) -> bool;
    fn unread_alert_count(&self) -> i64;
    fn mark_alerts_notified(&self, ids: &[AlertId], at: i64) -> ();
    fn settle_answered_alerts(&self) -> usize;
    fn alert_rules(&self) -> Vec<(String, bool, Json)>;
    fn set_alert_rule(&self, kind: &str, enabled: bool, params: &Json) -> ();
    fn max_review_id(&self) -> i64;
    fn alert_items_after(&self, after: i64, until: i64, limit: u32) -> Vec<Item>;
    fn max_revision_id(&self) -> i64;
    fn edited_items(&self, after: i64, until: i64, max_id: i64) -> Vec<Item>;
    fn unanswered_items(&self, from: i64, to: i64, max_id: i64) -> Vec<Item>;
    fn busy_hours(&self, business_id: BusinessId, from_hour: i64, min_items: i64) -> Vec<(i64, i64)>;
    fn daily_counts(&self, business_id: BusinessId, from_day: i64) -> Vec<(i64, i64)>;
    fn review_ids_in(&self, business_id: BusinessId, from: i64, to: i64) -> Vec<ReviewId>;
    fn sentiment_days(&self, business_id: BusinessId) -> SentimentDays;
    fn sentiment_split(&self, business_id: BusinessId, from: i64, to: i64) -> (i64, i64);
    fn review_ids_with_sentiment(&self, business_id: BusinessId, from: i64, to: i64, label: &str) -> Vec<ReviewId>;
    fn low_rated_ids(&self, business_id: BusinessId, from: i64, to: i64, max_stars: f64) -> Vec<ReviewId>;
    fn aspect_negative_days(&self, business_id: BusinessId) -> Vec<(String, i64, i64)>;
    fn aspect_negative_ids(&self, business_id: BusinessId, aspect: &str, from: i64, to: i64) -> Vec<ReviewId>;
    fn low_ratings(&self, business_id: BusinessId, max_stars: f64) -> Vec<(ReviewId, i64)>;
    fn authors_until(&self, business_id: BusinessId, until: i64) -> Vec<(ReviewId, String, Option<String>)>;
    fn synced_sources(&self) -> Vec<(SourceId, BusinessId, String)>;
    fn source_days(&self, source_id: SourceId) -> Vec<(i64, i64)>;
    fn removed_items(&self, since: i64) -> Vec<(Item, i64)>;
    fn credential_expiries(&self) -> Vec<CredentialExpiry>;
    fn daily_rows(&self, business_id: BusinessId, platform: Option<&str>) -> Vec<DayRow>;
    fn businesses(&self) -> Vec<Business>;
    fn review(&self, id: ReviewId) -> Review;
}
