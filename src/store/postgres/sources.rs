//! Sources on the team store: the SQLite store's `store/sources.rs` methods with the same names,
//! signatures and results, in PostgreSQL's SQL. Settings are `jsonb` here and handed back as the
//! same `serde_json::Value` (its maps are sorted either way, so `sources list --json` prints the
//! same bytes on both stores).
//!
//! What differs on purpose: no lease columns. One seat syncs a source at a time by
//! [`PgStore::claim_sync`] (an advisory lock the server frees when the seat's connection dies).

use postgres::types::ToSql;
use postgres::Row;

use super::PgStore;
use crate::model::{BusinessId, IncomingReview, SourceId, WriteCounts};
use crate::secrets::SecretStore;
use crate::store::trust::{check_endpoint_settings, invalid_endpoint, source_withheld};
use crate::store::{now_unix, Result, Source, SourceStatus, StoreError};

/// The column of [`COLUMNS`] that counts a source's reviews.
const ITEMS_COLUMN: &str = "(SELECT count(*) FROM reviews r WHERE r.source_id = s.id)";

const COLUMNS: &str = "s.id, s.business_id, b.name, s.connector, s.label, s.settings::text, \
     s.cursor, s.status, s.last_error, s.last_sync_at, s.next_sync_at, \
     s.consecutive_failures::bigint, \
     (SELECT count(*) FROM reviews r WHERE r.source_id = s.id), s.unconfirmed, \
     s.platform_rating, s.platform_review_count, s.platform_rating_at";

fn source_from_row(r: &Row) -> Source {
    let settings: String = r.get(5);
    let status: String = r.get(7);
    let settings: serde_json::Value =
        serde_json::from_str(&settings).unwrap_or(serde_json::Value::Null);
    let unconfirmed: Option<String> = r.get(13);
    Source {
        unconfirmed: source_withheld(unconfirmed.as_deref(), &settings),
        id: r.get(0),
        business_id: r.get(1),
        business: r.get(2),
        connector: r.get(3),
        label: r.get(4),
        settings,
        cursor: r.get(6),
        status: SourceStatus::parse(&status),
        last_error: r.get(8),
        last_sync_at: r.get(9),
        next_sync_at: r.get(10),
        consecutive_failures: r.get(11),
        items: r.get(12),
        platform_rating: r.get(14),
        platform_review_count: r.get(15),
        platform_rating_at: r.get(16),
    }
}

impl PgStore {
    /// Adds a new source; a source with the same business, platform and label is refused (the
    /// SQLite store's words), so `sources add` run twice does not sync one feed twice.
    pub fn add_source(
        &self,
        business_id: BusinessId,
        connector: &str,
        label: &str,
        settings: &serde_json::Value,
    ) -> Result<SourceId> {
        let existing = self.client().query_opt(
            "SELECT id FROM sources WHERE business_id = $1 AND connector = $2 AND label = $3",
            &[&business_id, &connector, &label],
        )?;
        if let Some(row) = existing {
            return Err(crate::store::sources::source_exists(label, row.get(0)));
        }
        self.ensure_source(business_id, connector, label, settings)
    }

    pub fn source(&self, id: SourceId) -> Result<Source> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sources s JOIN businesses b ON b.id = s.business_id WHERE s.id = $1"
        );
        let row = self.client().query_opt(sql.as_str(), &[&id])?;
        row.map(|r| source_from_row(&r))
            .ok_or(StoreError::UnknownSource(id))
    }

    /// Every source with the count of its reviews (`items`).
    pub fn sources(&self) -> Result<Vec<Source>> {
        self.query_sources(true, "", &[])
    }

    /// Every source without the count of its reviews (`items` is 0).
    pub fn sources_uncounted(&self) -> Result<Vec<Source>> {
        self.query_sources(false, "", &[])
    }

    /// A business's sources that hold the platform's own figures; uncounted.
    pub fn sources_with_platform_figures(&self, business_id: BusinessId) -> Result<Vec<Source>> {
        self.query_sources(
            false,
            "WHERE s.business_id = $1 AND s.platform_rating_at IS NOT NULL",
            &[&business_id],
        )
    }

    /// Sources whose next sync is due at `now` (never synced ones included), paused or not.
    pub fn due_sources(&self, now: i64) -> Result<Vec<Source>> {
        self.query_sources(
            true,
            "WHERE s.next_sync_at IS NULL OR s.next_sync_at <= $1",
            &[&now],
        )
    }

    fn query_sources(
        &self,
        counted: bool,
        filter: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Source>> {
        let columns = if counted {
            COLUMNS.to_string()
        } else {
            COLUMNS.replace(ITEMS_COLUMN, "0::bigint")
        };
        let sql = format!(
            "SELECT {columns} FROM sources s JOIN businesses b ON b.id = s.business_id {filter} \
             ORDER BY s.id"
        );
        let rows = self.client().query(sql.as_str(), params)?;
        Ok(rows.iter().map(source_from_row).collect())
    }

    /// Removes a source and every review it brought in (the rollup follows by trigger).
    pub fn remove_source(&self, id: SourceId) -> Result<()> {
        let n = self
            .client()
            .execute("DELETE FROM sources WHERE id = $1", &[&id])?;
        if n == 0 {
            return Err(StoreError::UnknownSource(id));
        }
        Ok(())
    }

    /// Replaces a source's non-secret settings.
    pub fn set_source_settings(&self, id: SourceId, settings: &serde_json::Value) -> Result<()> {
        check_endpoint_settings(settings).map_err(invalid_endpoint)?;
        let n = self.client().execute(
            "UPDATE sources SET settings = $2::text::jsonb WHERE id = $1",
            &[&id, &settings.to_string()],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownSource(id));
        }
        Ok(())
    }

    /// Sets a source's cursor outside a page write.
    pub fn set_source_cursor(&self, id: SourceId, cursor: Option<&str>) -> Result<()> {
        self.client().execute(
            "UPDATE sources SET cursor = $2 WHERE id = $1",
            &[&id, &cursor],
        )?;
        Ok(())
    }

    /// Records that a platform's limit pauses the source until `until` (Unix seconds).
    pub fn record_sync_paused(&self, id: SourceId, message: &str, until: i64) -> Result<()> {
        self.client().execute(
            "UPDATE sources SET status = 'paused', last_error = $2, next_sync_at = $3 WHERE id = $1",
            &[&id, &message, &until],
        )?;
        Ok(())
    }

    /// Records the outcome of a sync attempt: ok clears the error, an error counts a failure.
    pub fn record_sync_outcome(
        &self,
        id: SourceId,
        error: Option<&str>,
        next_sync_at: Option<i64>,
    ) -> Result<()> {
        match error {
            None => self.client().execute(
                "UPDATE sources SET status = 'ok', last_error = NULL, last_sync_at = $2,
                 next_sync_at = $3, consecutive_failures = 0 WHERE id = $1",
                &[&id, &now_unix(), &next_sync_at],
            )?,
            Some(e) => self.client().execute(
                "UPDATE sources SET status = 'error', last_error = $2, next_sync_at = $3,
                 consecutive_failures = consecutive_failures + 1 WHERE id = $1",
                &[&id, &e, &next_sync_at],
            )?,
        };
        Ok(())
    }

    /// Keeps what the platform showed for the source's business, read at `at` (Unix seconds).
    pub fn set_platform_figures(
        &self,
        id: SourceId,
        headline: &crate::model::Headline,
        at: i64,
    ) -> Result<()> {
        let n = self.client().execute(
            "UPDATE sources SET platform_rating = $2, platform_review_count = $3,
             platform_rating_at = $4 WHERE id = $1",
            &[&id, &headline.rating, &headline.review_count, &at],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownSource(id));
        }
        Ok(())
    }

    /// Forgets what a platform's terms do not let Earshot keep past `before`; how many reviews
    /// went. The rollup follows by trigger, revisions by cascade.
    pub fn expire_source_content(&mut self, id: SourceId, before: i64) -> Result<u64> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let n = tx.execute(
            "DELETE FROM reviews WHERE source_id = $1 AND fetched_at < $2",
            &[&id, &before],
        )?;
        tx.execute(
            "UPDATE sources SET platform_rating = NULL, platform_review_count = NULL,
             platform_rating_at = NULL WHERE id = $1 AND platform_rating_at < $2",
            &[&id, &before],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Marks the source's reviews with these ids as fetched at `at`: one statement.
    pub fn touch_fetched(&mut self, id: SourceId, external_ids: &[&str], at: i64) -> Result<()> {
        self.client().execute(
            "UPDATE reviews SET fetched_at = $3 WHERE source_id = $1 AND external_id = ANY($2)",
            &[&id, &external_ids, &at],
        )?;
        Ok(())
    }

    /// Writes a sync's page and the cursor that follows it in one transaction.
    pub fn write_page(
        &mut self,
        source_id: SourceId,
        items: &[IncomingReview],
        cursor: Option<&str>,
    ) -> Result<WriteCounts> {
        let mut writer = self.review_writer();
        for item in items {
            writer.write(source_id, item, None)?;
        }
        writer.commit_with_cursor(cursor.map(|c| (source_id, c)))
    }

    /// Marks as removed the items of a source that a full listing no longer returns: one
    /// statement over the listed ids.
    pub fn mark_removed_except(
        &mut self,
        source_id: SourceId,
        present_external_ids: &[String],
    ) -> Result<u64> {
        Ok(self.client().execute(
            "UPDATE reviews SET removed_at = $2 WHERE source_id = $1 AND removed_at IS NULL
             AND NOT (external_id = ANY($3))",
            &[&source_id, &now_unix(), &present_external_ids],
        )?)
    }

    /// Moves into `source_id` the reviews of `items` that the same business holds in a one-off
    /// import source (connector `file` without a path) and `source_id` does not hold yet, as the
    /// SQLite store's `adopt_imported` does; one statement.
    pub fn adopt_imported(&mut self, source_id: SourceId, items: &[IncomingReview]) -> Result<u64> {
        if items.is_empty() {
            return Ok(0);
        }
        let platforms: Vec<&str> = items.iter().map(|i| i.platform.as_str()).collect();
        let ids: Vec<&str> = items.iter().map(|i| i.external_id.as_str()).collect();
        Ok(self.client().execute(
            "UPDATE reviews r SET source_id = $1
             FROM sources own, sources imp, unnest($2::text[], $3::text[]) AS i(platform, external_id)
             WHERE own.id = $1 AND imp.business_id = own.business_id AND imp.id <> $1
               AND imp.connector = 'file' AND coalesce(imp.settings->>'path', '') = ''
               AND r.source_id = imp.id AND r.platform = i.platform
               AND r.external_id = i.external_id
               AND NOT EXISTS (SELECT 1 FROM reviews h
                               WHERE h.source_id = $1 AND h.external_id = i.external_id)",
            &[&source_id, &platforms, &ids],
        )?)
    }

    /// This team database's random identity: what each seat names its credentials after.
    pub fn database_id(&self) -> Result<String> {
        Ok(self
            .client()
            .query_one("SELECT id FROM database_identity", &[])?
            .get(0))
    }

    /// The secret store of this seat for the team database's credentials: this computer's OS
    /// keyring (or its secrets file), names carrying the database's identity. Nothing secret is
    /// in the shared database; a seat that lacks a source's key skips that source's sync.
    pub fn secrets(&self) -> Result<Box<dyn SecretStore>> {
        Ok(crate::secrets::open_for_database(&self.database_id()?))
    }
}
