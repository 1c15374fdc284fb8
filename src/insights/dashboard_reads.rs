//! What the dashboard and the PNG report read beyond the insights' own reads: the headline
//! figures, the latest reviews, the period's alerts, the reviews a reply won back and where the
//! data is. A supertrait of [`InsightReads`] rather than more methods on it, so the outlook's
//! functions that need only the rollups keep the smaller bound; `Store` (the app's Save as PNG
//! and dashboard) and `Db` (the CLI, on a file or a team database) implement both.
//!
//! `Db` reaches `review`, `replied_then_edited` and `alerts` through the reply and alert traits
//! it already implements (named in full: the three traits share method names).

use super::InsightReads;
use crate::model::alerts::{Alert, AlertFilter};
use crate::model::replies::RatingHistory;
use crate::model::{BusinessId, Review, ReviewId};
use crate::store::{AlertStore, Db, ReplyStore, Result, ReviewFilter, Stats, Store};

pub trait DashboardReads: InsightReads {
    fn stats(&self, business_id: BusinessId) -> Result<Stats>;
    fn list_reviews(&self, filter: &ReviewFilter) -> Result<Vec<Review>>;
    fn review(&self, id: ReviewId) -> Result<Review>;
    fn replied_then_edited(&self, business_id: BusinessId) -> Result<Vec<RatingHistory>>;
    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>>;
    /// Whether the database holds no reviews at all.
    fn is_empty(&self) -> Result<bool>;
    /// Where the data is, for the dashboard's footer (a file's path, a URL without password).
    fn location(&self) -> String;
}

impl DashboardReads for Store {
    fn stats(&self, business_id: BusinessId) -> Result<Stats> {
        Store::stats(self, business_id)
    }
    fn list_reviews(&self, filter: &ReviewFilter) -> Result<Vec<Review>> {
        Store::list_reviews(self, filter)
    }
    fn review(&self, id: ReviewId) -> Result<Review> {
        Store::review(self, id)
    }
    fn replied_then_edited(&self, business_id: BusinessId) -> Result<Vec<RatingHistory>> {
        Store::replied_then_edited(self, business_id)
    }
    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        Store::alerts(self, filter)
    }
    fn is_empty(&self) -> Result<bool> {
        Store::is_empty(self)
    }
    fn location(&self) -> String {
        self.path().display().to_string()
    }
}

impl DashboardReads for Db {
    fn stats(&self, business_id: BusinessId) -> Result<Stats> {
        Db::stats(self, business_id)
    }
    fn list_reviews(&self, filter: &ReviewFilter) -> Result<Vec<Review>> {
        Db::list_reviews(self, filter)
    }
    fn review(&self, id: ReviewId) -> Result<Review> {
        <Db as ReplyStore>::review(self, id)
    }
    fn replied_then_edited(&self, business_id: BusinessId) -> Result<Vec<RatingHistory>> {
        <Db as ReplyStore>::replied_then_edited(self, business_id)
    }
    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        <Db as AlertStore>::alerts(self, filter)
    }
    fn is_empty(&self) -> Result<bool> {
        Db::is_empty(self)
    }
    fn location(&self) -> String {
        Db::location(self)
    }
}
