//! What the dashboard and the PNG report read beyond the insights' own reads: the headline
//! figures, the latest reviews, the period's alerts, the reviews a reply won back and where the
//! data is. A supertrait of [`InsightReads`] rather than more methods on it, so the outlook's
//! functions that need only the rollups keep the smaller bound; `Store` (the app's Save as PNG
//! and dashboard) and `Db` (the CLI, on a file or a team database) implement both.
//!
//! `Db` reaches `review`, `replied_then_edited` and `alerts` through the reply and alert traits
//! it already implements (named in full: the three traits share method names).

use std::cell::RefCell;
use std::collections::HashMap;

use super::InsightReads;
use crate::analysis::trends::{AspectCounts, DayRow};
use crate::model::alerts::{Alert, AlertFilter};
use crate::model::replies::RatingHistory;
use crate::model::{Business, BusinessId, Review, ReviewId};
use crate::store::{
    AlertStore, Db, OwnerTopic, PlatformCount, ReplyStore, Result, ReviewFilter, Source, Stats,
    Store,
};

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

/// Whose daily rows: a business, on one platform or all (`None`).
type DaysOf = (BusinessId, Option<String>);

/// A store read for one dashboard: what the dashboard's parts each read again (the business's
/// daily rows: the overview, the heading, the portfolio and the rivals' chart; the businesses;
/// the platform figures) is read once. On a team database each read is a round trip; on a file
/// it saves the same rows decoded twice. Lives as long as one dashboard or report: nothing is
/// kept between them, so nothing can go stale.
pub struct ReadOnce<'a, S: ?Sized> {
    store: &'a S,
    days: RefCell<HashMap<DaysOf, Vec<DayRow>>>,
    businesses: RefCell<Option<Vec<Business>>>,
    figures: RefCell<HashMap<BusinessId, Vec<Source>>>,
}

impl<'a, S: DashboardReads + ?Sized> ReadOnce<'a, S> {
    pub fn new(store: &'a S) -> Self {
        ReadOnce {
            store,
            days: RefCell::default(),
            businesses: RefCell::default(),
            figures: RefCell::default(),
        }
    }
}

impl<S: DashboardReads + ?Sized> InsightReads for ReadOnce<'_, S> {
    fn business(&self, id: BusinessId) -> Result<Business> {
        match self.businesses.borrow().as_ref() {
            Some(all) => match all.iter().find(|b| b.id == id) {
                Some(b) => Ok(b.clone()),
                None => self.store.business(id),
            },
            None => self.store.business(id),
        }
    }
    fn businesses(&self) -> Result<Vec<Business>> {
        if let Some(all) = self.businesses.borrow().as_ref() {
            return Ok(all.clone());
        }
        let all = self.store.businesses()?;
        *self.businesses.borrow_mut() = Some(all.clone());
        Ok(all)
    }
    fn platforms(&self, business_id: Option<BusinessId>) -> Result<Vec<String>> {
        self.store.platforms(business_id)
    }
    fn platform_counts(
        &self,
        business_id: BusinessId,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<PlatformCount>> {
        self.store.platform_counts(business_id, from_day, to_day)
    }
    fn daily_rows(&self, business_id: BusinessId, platform: Option<&str>) -> Result<Vec<DayRow>> {
        let key = (business_id, platform.map(str::to_owned));
        if let Some(rows) = self.days.borrow().get(&key) {
            return Ok(rows.clone());
        }
        let rows = self.store.daily_rows(business_id, platform)?;
        self.days.borrow_mut().insert(key, rows.clone());
        Ok(rows)
    }
    fn reply_delays(
        &self,
        business_id: BusinessId,
        platform: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, f64)>> {
        self.store.reply_delays(business_id, platform, from, to)
    }
    fn aspect_counts(
        &self,
        business_id: BusinessId,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<AspectCounts>> {
        self.store.aspect_counts(business_id, from_day, to_day)
    }
    fn sources_with_platform_figures(&self, business_id: BusinessId) -> Result<Vec<Source>> {
        if let Some(s) = self.figures.borrow().get(&business_id) {
            return Ok(s.clone());
        }
        let s = self.store.sources_with_platform_figures(business_id)?;
        self.figures.borrow_mut().insert(business_id, s.clone());
        Ok(s)
    }
    fn aspect_days(
        &self,
        business_id: BusinessId,
        aspect: &str,
        from_day: Option<i64>,
        to_day: i64,
    ) -> Result<Vec<(i64, AspectCounts)>> {
        self.store
            .aspect_days(business_id, aspect, from_day, to_day)
    }
    fn aspect_review_ids(
        &self,
        business_id: BusinessId,
        aspect: &str,
        polarity: Option<i8>,
        from_day: i64,
        to_day: i64,
        limit: u32,
    ) -> Result<Vec<ReviewId>> {
        self.store
            .aspect_review_ids(business_id, aspect, polarity, from_day, to_day, limit)
    }
    fn review_texts(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
        limit: u32,
    ) -> Result<Vec<String>> {
        self.store.review_texts(business_id, from, to, limit)
    }
    fn owner_topics(&self, business_id: Option<BusinessId>) -> Result<Vec<OwnerTopic>> {
        self.store.owner_topics(business_id)
    }
}

impl<S: DashboardReads + ?Sized> DashboardReads for ReadOnce<'_, S> {
    fn stats(&self, business_id: BusinessId) -> Result<Stats> {
        self.store.stats(business_id)
    }
    fn list_reviews(&self, filter: &ReviewFilter) -> Result<Vec<Review>> {
        self.store.list_reviews(filter)
    }
    fn review(&self, id: ReviewId) -> Result<Review> {
        self.store.review(id)
    }
    fn replied_then_edited(&self, business_id: BusinessId) -> Result<Vec<RatingHistory>> {
        self.store.replied_then_edited(business_id)
    }
    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        self.store.alerts(filter)
    }
    fn is_empty(&self) -> Result<bool> {
        self.store.is_empty()
    }
    fn location(&self) -> String {
        self.store.location()
    }
}
