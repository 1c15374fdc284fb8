//! What the insights read, from either store: the SQLite file the app holds (`Store`) or a
//! team's database through [`Db`]. A small trait at this seam, not `&Db` everywhere: the
//! dashboard, the report and the app call the same functions with the `Store` they have, and
//! the CLI calls them with the `Db` it opened, without either moving first. Each method is the
//! store's own, with the same name and signature.

use crate::analysis::trends::{AspectCounts, DayRow};
use crate::model::{Business, BusinessId, ReviewId};
use crate::store::{Db, OwnerTopic, PlatformCount, Result, Source, Store};

pub trait InsightReads {
    fn business(&self, id: BusinessId) -> Result<Business>;
    fn businesses(&self) -> Result<Vec<Business>>;
    fn platforms(&self, business_id: Option<BusinessId>) -> Result<Vec<String>>;
    fn platform_counts(
        &self,
        business_id: BusinessId,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<PlatformCount>>;
    fn daily_rows(&self, business_id: BusinessId, platform: Option<&str>) -> Result<Vec<DayRow>>;
    fn reply_delays(
        &self,
        business_id: BusinessId,
        platform: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, f64)>>;
    fn aspect_counts(
        &self,
        business_id: BusinessId,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<AspectCounts>>;
    fn sources_with_platform_figures(&self, business_id: BusinessId) -> Result<Vec<Source>>;
    fn aspect_days(
        &self,
        business_id: BusinessId,
        aspect: &str,
        from_day: Option<i64>,
        to_day: i64,
    ) -> Result<Vec<(i64, AspectCounts)>>;
    fn aspect_review_ids(
        &self,
        business_id: BusinessId,
        aspect: &str,
        polarity: Option<i8>,
        from_day: i64,
        to_day: i64,
        limit: u32,
    ) -> Result<Vec<ReviewId>>;
    fn review_texts(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
        limit: u32,
    ) -> Result<Vec<String>>;
    fn owner_topics(&self, business_id: Option<BusinessId>) -> Result<Vec<OwnerTopic>>;
}

/// Both impls forward to the inherent methods of the same name (inherent methods win over the
/// trait's, so these do not recurse).
macro_rules! forward_insight_reads {
    ($store:ty) => {
        impl InsightReads for $store {
            fn business(&self, id: BusinessId) -> Result<Business> {
                <$store>::business(self, id)
            }
            fn businesses(&self) -> Result<Vec<Business>> {
                <$store>::businesses(self)
            }
            fn platforms(&self, business_id: Option<BusinessId>) -> Result<Vec<String>> {
                <$store>::platforms(self, business_id)
            }
            fn platform_counts(
                &self,
                business_id: BusinessId,
                from_day: i64,
                to_day: i64,
            ) -> Result<Vec<PlatformCount>> {
                <$store>::platform_counts(self, business_id, from_day, to_day)
            }
            fn daily_rows(
                &self,
                business_id: BusinessId,
                platform: Option<&str>,
            ) -> Result<Vec<DayRow>> {
                <$store>::daily_rows(self, business_id, platform)
            }
            fn reply_delays(
                &self,
                business_id: BusinessId,
                platform: Option<&str>,
                from: i64,
                to: i64,
            ) -> Result<Vec<(i64, f64)>> {
                <$store>::reply_delays(self, business_id, platform, from, to)
            }
            fn aspect_counts(
                &self,
                business_id: BusinessId,
                from_day: i64,
                to_day: i64,
            ) -> Result<Vec<AspectCounts>> {
                <$store>::aspect_counts(self, business_id, from_day, to_day)
            }
            fn sources_with_platform_figures(
                &self,
                business_id: BusinessId,
            ) -> Result<Vec<Source>> {
                <$store>::sources_with_platform_figures(self, business_id)
            }
            fn aspect_days(
                &self,
                business_id: BusinessId,
                aspect: &str,
                from_day: Option<i64>,
                to_day: i64,
            ) -> Result<Vec<(i64, AspectCounts)>> {
                <$store>::aspect_days(self, business_id, aspect, from_day, to_day)
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
                <$store>::aspect_review_ids(
                    self,
                    business_id,
                    aspect,
                    polarity,
                    from_day,
                    to_day,
                    limit,
                )
            }
            fn review_texts(
                &self,
                business_id: BusinessId,
                from: i64,
                to: i64,
                limit: u32,
            ) -> Result<Vec<String>> {
                <$store>::review_texts(self, business_id, from, to, limit)
            }
            fn owner_topics(&self, business_id: Option<BusinessId>) -> Result<Vec<OwnerTopic>> {
                <$store>::owner_topics(self, business_id)
            }
        }
    };
}

forward_insight_reads!(Store);
forward_insight_reads!(Db);
