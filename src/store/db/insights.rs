//! What an owner reads (trends, comparison, projection, businesses) on either store.

use super::Db;
use crate::analysis::trends::{AspectCounts, DayRow};
use crate::model::{Business, BusinessId, ReviewId};
use crate::store::{OwnerTopic, PlatformCount, Result, Source};

impl Db {
    pub fn add_business(&self, name: &str, is_competitor: bool) -> Result<Business> {
        on_either!(self, add_business(name, is_competitor))
    }

    pub fn set_business_category(&self, id: BusinessId, category: Option<&str>) -> Result<()> {
        on_either!(self, set_business_category(id, category))
    }

    pub fn daily_rows(
        &self,
        business_id: BusinessId,
        platform: Option<&str>,
    ) -> Result<Vec<DayRow>> {
        on_either!(self, daily_rows(business_id, platform))
    }

    pub fn reply_delays(
        &self,
        business_id: BusinessId,
        platform: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, f64)>> {
        on_either!(self, reply_delays(business_id, platform, from, to))
    }

    pub fn aspect_counts(
        &self,
        business_id: BusinessId,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<AspectCounts>> {
        on_either!(self, aspect_counts(business_id, from_day, to_day))
    }

    /// The sources whose platform has told its own figures for the business (issue 25).
    pub fn sources_with_platform_figures(&self, business_id: BusinessId) -> Result<Vec<Source>> {
        on_either!(self, sources_with_platform_figures(business_id))
    }

    pub fn aspect_days(
        &self,
        business_id: BusinessId,
        aspect: &str,
        from_day: Option<i64>,
        to_day: i64,
    ) -> Result<Vec<(i64, AspectCounts)>> {
        on_either!(self, aspect_days(business_id, aspect, from_day, to_day))
    }

    pub fn aspect_review_ids(
        &self,
        business_id: BusinessId,
        aspect: &str,
        polarity: Option<i8>,
        from_day: i64,
        to_day: i64,
        limit: u32,
    ) -> Result<Vec<ReviewId>> {
        on_either!(
            self,
            aspect_review_ids(business_id, aspect, polarity, from_day, to_day, limit)
        )
    }

    pub fn review_texts(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
        limit: u32,
    ) -> Result<Vec<String>> {
        on_either!(self, review_texts(business_id, from, to, limit))
    }

    /// The owner's own topics (issue 27) of a business, or of every business.
    pub fn owner_topics(&self, business_id: Option<BusinessId>) -> Result<Vec<OwnerTopic>> {
        on_either!(self, owner_topics(business_id))
    }

    pub fn platform_counts(
        &self,
        business_id: BusinessId,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<PlatformCount>> {
        on_either!(self, platform_counts(business_id, from_day, to_day))
    }
}
