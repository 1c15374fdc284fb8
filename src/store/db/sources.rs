//! Sources and what a sync round writes, on either store.

use super::Db;
use crate::model::{BusinessId, Headline, IncomingReview, SourceId, WriteCounts};
use crate::secrets::SecretStore;
use crate::store::{Result, Source};

impl Db {
    pub fn add_source(
        &self,
        business_id: BusinessId,
        connector: &str,
        label: &str,
        settings: &serde_json::Value,
    ) -> Result<SourceId> {
        on_either!(self, add_source(business_id, connector, label, settings))
    }

    pub fn source(&self, id: SourceId) -> Result<Source> {
        on_either!(self, source(id))
    }

    pub fn sources(&self) -> Result<Vec<Source>> {
        on_either!(self, sources())
    }

    pub fn sources_uncounted(&self) -> Result<Vec<Source>> {
        on_either!(self, sources_uncounted())
    }

    pub fn due_sources(&self, now: i64) -> Result<Vec<Source>> {
        on_either!(self, due_sources(now))
    }

    pub fn remove_source(&self, id: SourceId) -> Result<()> {
        on_either!(self, remove_source(id))
    }

    pub fn set_source_settings(&self, id: SourceId, settings: &serde_json::Value) -> Result<()> {
        on_either!(self, set_source_settings(id, settings))
    }

    pub fn record_sync_paused(&self, id: SourceId, message: &str, until: i64) -> Result<()> {
        on_either!(self, record_sync_paused(id, message, until))
    }

    pub fn record_sync_outcome(
        &self,
        id: SourceId,
        error: Option<&str>,
        next_sync_at: Option<i64>,
    ) -> Result<()> {
        on_either!(self, record_sync_outcome(id, error, next_sync_at))
    }

    pub fn set_platform_figures(&self, id: SourceId, headline: &Headline, at: i64) -> Result<()> {
        on_either!(self, set_platform_figures(id, headline, at))
    }

    pub fn expire_source_content(&mut self, id: SourceId, before: i64) -> Result<u64> {
        on_either!(self, expire_source_content(id, before))
    }

    pub fn touch_fetched(&mut self, id: SourceId, external_ids: &[&str], at: i64) -> Result<()> {
        on_either!(self, touch_fetched(id, external_ids, at))
    }

    pub fn write_page(
        &mut self,
        source_id: SourceId,
        items: &[IncomingReview],
        cursor: Option<&str>,
    ) -> Result<WriteCounts> {
        on_either!(self, write_page(source_id, items, cursor))
    }

    pub fn mark_removed_except(
        &mut self,
        source_id: SourceId,
        present_external_ids: &[String],
    ) -> Result<u64> {
        on_either!(self, mark_removed_except(source_id, present_external_ids))
    }

    pub fn adopt_imported(&mut self, source_id: SourceId, items: &[IncomingReview]) -> Result<u64> {
        on_either!(self, adopt_imported(source_id, items))
    }

    /// This seat's secret store for the database's credentials: on a file, behind its
    /// confirmation gate (`Store::secrets`); on a team database, this computer's own keyring or
    /// secrets file, named after the team database's identity.
    pub fn secrets(&self) -> Result<Box<dyn SecretStore>> {
        on_either!(self, secrets())
    }
}
