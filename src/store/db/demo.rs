//! What the demo reads and writes, on either store (`demo::load` through `demo::DemoTarget`).

use super::Db;
use crate::model::{Business, IncomingReview, ReviewId, SourceId, WriteCounts};
use crate::store::Result;

impl Db {
    pub fn find_business(&self, name: &str) -> Result<Option<Business>> {
        on_either!(self, find_business(name))
    }

    pub fn review_by_external_id(
        &self,
        source_id: SourceId,
        external_id: &str,
    ) -> Result<Option<ReviewId>> {
        on_either!(self, review_by_external_id(source_id, external_id))
    }

    /// Writes items of several sources in one transaction.
    pub fn write_batch(&mut self, items: &[(SourceId, IncomingReview)]) -> Result<WriteCounts> {
        on_either!(self, write_batch(items))
    }

    /// The source of `business_id` with this connector and label, added when missing.
    pub fn ensure_source(
        &self,
        business_id: crate::model::BusinessId,
        connector: &str,
        label: &str,
        settings: &serde_json::Value,
    ) -> Result<SourceId> {
        on_either!(self, ensure_source(business_id, connector, label, settings))
    }
}
