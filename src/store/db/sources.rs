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
        match self {
            Db::Sqlite(s) => s.add_source(business_id, connector, label, settings),
            Db::Postgres(p) => p.add_source(business_id, connector, label, settings),
        }
    }

    pub fn source(&self, id: SourceId) -> Result<Source> {
        match self {
            Db::Sqlite(s) => s.source(id),
            Db::Postgres(p) => p.source(id),
        }
    }

    pub fn sources(&self) -> Result<Vec<Source>> {
        match self {
            Db::Sqlite(s) => s.sources(),
            Db::Postgres(p) => p.sources(),
        }
    }

    pub fn sources_uncounted(&self) -> Result<Vec<Source>> {
        match self {
            Db::Sqlite(s) => s.sources_uncounted(),
            Db::Postgres(p) => p.sources_uncounted(),
        }
    }

    pub fn due_sources(&self, now: i64) -> Result<Vec<Source>> {
        match self {
            Db::Sqlite(s) => s.due_sources(now),
            Db::Postgres(p) => p.due_sources(now),
        }
    }

    pub fn remove_source(&self, id: SourceId) -> Result<()> {
        match self {
            Db::Sqlite(s) => s.remove_source(id),
            Db::Postgres(p) => p.remove_source(id),
        }
    }

    pub fn set_source_settings(&self, id: SourceId, settings: &serde_json::Value) -> Result<()> {
        match self {
            Db::Sqlite(s) => s.set_source_settings(id, settings),
            Db::Postgres(p) => p.set_source_settings(id, settings),
        }
    }

    pub fn record_sync_paused(&self, id: SourceId, message: &str, until: i64) -> Result<()> {
        match self {
            Db::Sqlite(s) => s.record_sync_paused(id, message, until),
            Db::Postgres(p) => p.record_sync_paused(id, message, until),
        }
    }

    pub fn record_sync_outcome(
        &self,
        id: SourceId,
        error: Option<&str>,
        next_sync_at: Option<i64>,
    ) -> Result<()> {
        match self {
            Db::Sqlite(s) => s.record_sync_outcome(id, error, next_sync_at),
            Db::Postgres(p) => p.record_sync_outcome(id, error, next_sync_at),
        }
    }

    pub fn set_platform_figures(&self, id: SourceId, headline: &Headline, at: i64) -> Result<()> {
        match self {
            Db::Sqlite(s) => s.set_platform_figures(id, headline, at),
            Db::Postgres(p) => p.set_platform_figures(id, headline, at),
        }
    }

    pub fn expire_source_content(&mut self, id: SourceId, before: i64) -> Result<u64> {
        match self {
            Db::Sqlite(s) => s.expire_source_content(id, before),
            Db::Postgres(p) => p.expire_source_content(id, before),
        }
    }

    pub fn touch_fetched(&mut self, id: SourceId, external_ids: &[&str], at: i64) -> Result<()> {
        match self {
            Db::Sqlite(s) => s.touch_fetched(id, external_ids, at),
            Db::Postgres(p) => p.touch_fetched(id, external_ids, at),
        }
    }

    pub fn write_page(
        &mut self,
        source_id: SourceId,
        items: &[IncomingReview],
        cursor: Option<&str>,
    ) -> Result<WriteCounts> {
        match self {
            Db::Sqlite(s) => s.write_page(source_id, items, cursor),
            Db::Postgres(p) => p.write_page(source_id, items, cursor),
        }
    }

    pub fn mark_removed_except(
        &mut self,
        source_id: SourceId,
        present_external_ids: &[String],
    ) -> Result<u64> {
        match self {
            Db::Sqlite(s) => s.mark_removed_except(source_id, present_external_ids),
            Db::Postgres(p) => p.mark_removed_except(source_id, present_external_ids),
        }
    }

    pub fn adopt_imported(&mut self, source_id: SourceId, items: &[IncomingReview]) -> Result<u64> {
        match self {
            Db::Sqlite(s) => s.adopt_imported(source_id, items),
            Db::Postgres(p) => p.adopt_imported(source_id, items),
        }
    }

    /// This seat's secret store for the database's credentials: on a file, behind its
    /// confirmation gate (`Store::secrets`); on a team database, this computer's own keyring or
    /// secrets file, named after the team database's identity.
    pub fn secrets(&self) -> Result<Box<dyn SecretStore>> {
        match self {
            Db::Sqlite(s) => s.secrets(),
            Db::Postgres(p) => p.secrets(),
        }
    }
}
