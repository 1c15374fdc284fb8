//! Sources: the connected feeds reviews come from, with their sync cursor and health.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::trust::{check_endpoint_settings, invalid_endpoint};
use super::{now_unix, Result, Store, StoreError};
use crate::model::{BusinessId, SourceId};

/// Health of a source, as the Sources screen and `sources list` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceStatus {
    New,
    Ok,
    Error,
    Paused,
}

impl SourceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceStatus::New => "new",
            SourceStatus::Ok => "ok",
            SourceStatus::Error => "error",
            SourceStatus::Paused => "paused",
        }
    }

    pub(crate) fn parse(s: &str) -> SourceStatus {
        match s {
            "ok" => SourceStatus::Ok,
            "error" => SourceStatus::Error,
            "paused" => SourceStatus::Paused,
            _ => SourceStatus::New,
        }
    }
}

/// A connected feed as stored. `settings` holds non-secret values only.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub id: SourceId,
    pub business_id: BusinessId,
    pub business: String,
    pub connector: String,
    pub label: String,
    pub settings: serde_json::Value,
    pub cursor: Option<String>,
    pub status: SourceStatus,
    pub last_error: Option<String>,
    pub last_sync_at: Option<i64>,
    pub next_sync_at: Option<i64>,
    pub consecutive_failures: i64,
    pub items: i64,
    /// Why the source gets no credentials until the owner confirms it: a restore gave it other
    /// addresses than this database had, or an address is not https (see `store::trust`). A
    /// sync skips it with this reason.
    pub unconfirmed: Option<String>,
    /// The business's overall rating as the platform shows it, where it reports one (issue 25).
    pub platform_rating: Option<f64>,
    /// How many reviews the platform counts for the business, where it says.
    pub platform_review_count: Option<i64>,
    /// When those two were read (Unix seconds); `None` until a sync read them.
    pub platform_rating_at: Option<i64>,
}

/// The column of [`COLUMNS`] that counts a source's reviews.
const ITEMS_COLUMN: &str = "(SELECT count(*) FROM reviews r WHERE r.source_id = s.id)";

const COLUMNS: &str = "s.id, s.business_id, b.name, s.connector, s.label, s.settings, s.cursor, \
     s.status, s.last_error, s.last_sync_at, s.next_sync_at, s.consecutive_failures, \
     (SELECT count(*) FROM reviews r WHERE r.source_id = s.id), s.unconfirmed, \
     s.platform_rating, s.platform_review_count, s.platform_rating_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Source> {
    let settings: String = r.get(5)?;
    let status: String = r.get(7)?;
    let settings: serde_json::Value =
        serde_json::from_str(&settings).unwrap_or(serde_json::Value::Null);
    let unconfirmed: Option<String> = r.get(13)?;
    Ok(Source {
        unconfirmed: super::trust::source_withheld(unconfirmed.as_deref(), &settings),
        id: r.get(0)?,
        business_id: r.get(1)?,
        business: r.get(2)?,
        connector: r.get(3)?,
        label: r.get(4)?,
        settings,
        cursor: r.get(6)?,
        status: SourceStatus::parse(&status),
        last_error: r.get(8)?,
        last_sync_at: r.get(9)?,
        next_sync_at: r.get(10)?,
        consecutive_failures: r.get(11)?,
        items: r.get(12)?,
        platform_rating: r.get(14)?,
        platform_review_count: r.get(15)?,
        platform_rating_at: r.get(16)?,
    })
}

/// Why `sources add` refuses a second source with the same business, platform and label (the
/// SQLite and the team store's words alike).
pub(crate) fn source_exists(label: &str, id: SourceId) -> StoreError {
    StoreError::Invalid {
        what: "source",
        reason: format!(
            "this business already has the source {label:?} (id {id}); pass --label to add a second one"
        ),
    }
}

impl Store {
    /// The source of the business with this connector and label, if there is one.
    fn source_named(
        &self,
        business_id: BusinessId,
        connector: &str,
        label: &str,
    ) -> Result<Option<SourceId>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM sources WHERE business_id = ?1 AND connector = ?2 AND label = ?3",
                params![business_id, connector, label],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Adds a source, or returns the existing one with the same business, connector and label.
    pub fn ensure_source(
        &self,
        business_id: BusinessId,
        connector: &str,
        label: &str,
        settings: &serde_json::Value,
    ) -> Result<SourceId> {
        match self.source_named(business_id, connector, label)? {
            Some(id) => Ok(id),
            None => self.insert_source(business_id, connector, label, settings),
        }
    }

    /// Adds a source the business does not have yet, its settings checked.
    fn insert_source(
        &self,
        business_id: BusinessId,
        connector: &str,
        label: &str,
        settings: &serde_json::Value,
    ) -> Result<SourceId> {
        check_endpoint_settings(settings).map_err(invalid_endpoint)?;
        self.conn.execute(
            "INSERT INTO sources (business_id, connector, label, settings, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                business_id,
                connector,
                label,
                settings.to_string(),
                now_unix()
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Adds a new source; a source with the same business, platform and label is refused, so
    /// `sources add` run twice does not sync one feed twice.
    pub fn add_source(
        &self,
        business_id: BusinessId,
        connector: &str,
        label: &str,
        settings: &serde_json::Value,
    ) -> Result<SourceId> {
        if let Some(id) = self.source_named(business_id, connector, label)? {
            return Err(source_exists(label, id));
        }
        self.insert_source(business_id, connector, label, settings)
    }

    pub fn source(&self, id: SourceId) -> Result<Source> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sources s JOIN businesses b ON b.id = s.business_id WHERE s.id = ?1"
        );
        self.conn
            .query_row(&sql, [id], from_row)
            .optional()?
            .ok_or(StoreError::UnknownSource(id))
    }

    /// A business's sources that hold the platform's own figures (issue 25), for the dashboard
    /// and the comparison. Uncounted (see [`Store::sources_uncounted`]): their `items` is 0.
    pub fn sources_with_platform_figures(&self, business_id: BusinessId) -> Result<Vec<Source>> {
        self.query_sources(
            false,
            "WHERE s.business_id = ?1 AND s.platform_rating_at IS NOT NULL",
            [business_id],
        )
    }

    /// Every source with the count of its reviews (`items`), for the listings that show it and
    /// the sync, which reads a small source whole.
    pub fn sources(&self) -> Result<Vec<Source>> {
        self.query_sources(true, "", [])
    }

    /// Every source without the count of its reviews (`items` is 0). The count is a pass over
    /// the reviews (40 ms at a million), so the work a sync round does on every source (the
    /// expiry of content a platform's terms limit, the sign-ins' expiry times) and the restore
    /// check ask this instead.
    pub fn sources_uncounted(&self) -> Result<Vec<Source>> {
        self.query_sources(false, "", [])
    }

    /// Sources matching `filter` (a WHERE clause over `s`, or nothing), with or without the
    /// count of each one's reviews.
    fn query_sources(
        &self,
        counted: bool,
        filter: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Source>> {
        debug_assert!(COLUMNS.contains(ITEMS_COLUMN));
        let columns = if counted {
            COLUMNS.to_string()
        } else {
            COLUMNS.replace(ITEMS_COLUMN, "0")
        };
        let sql = format!(
            "SELECT {columns} FROM sources s JOIN businesses b ON b.id = s.business_id {filter} \
             ORDER BY s.id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params, from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Removes a source and every review it brought in (the rollups follow by trigger).
    pub fn remove_source(&self, id: SourceId) -> Result<()> {
        let n = self
            .conn
            .execute("DELETE FROM sources WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::UnknownSource(id));
        }
        Ok(())
    }

    /// Sources whose next sync is due at `now` (never synced ones included), paused or not.
    pub fn due_sources(&self, now: i64) -> Result<Vec<Source>> {
        self.query_sources(
            true,
            "WHERE s.next_sync_at IS NULL OR s.next_sync_at <= ?1",
            [now],
        )
    }

    /// Records that a platform's limit pauses the source until `until` (Unix seconds): not a
    /// failure of the source, so it does not count toward a health alert.
    pub fn record_sync_paused(&self, id: SourceId, message: &str, until: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE sources SET status = 'paused', last_error = ?2, next_sync_at = ?3 WHERE id = ?1",
            params![id, message, until],
        )?;
        Ok(())
    }

    /// Replaces a source's non-secret settings.
    pub fn set_source_settings(&self, id: SourceId, settings: &serde_json::Value) -> Result<()> {
        check_endpoint_settings(settings).map_err(invalid_endpoint)?;
        let n = self.conn.execute(
            "UPDATE sources SET settings = ?2 WHERE id = ?1",
            params![id, settings.to_string()],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownSource(id));
        }
        Ok(())
    }

    /// Sets a source's cursor outside a page write (a run that ends with an empty page).
    pub fn set_source_cursor(&self, id: SourceId, cursor: Option<&str>) -> Result<()> {
        self.conn.execute(
            "UPDATE sources SET cursor = ?2 WHERE id = ?1",
            params![id, cursor],
        )?;
        Ok(())
    }

    /// Records the outcome of a sync attempt: ok clears the error, an error counts a failure.
    /// Takes `id`'s sync lease for `holder` until `until` (Unix seconds) in one statement:
    /// only when no other process holds an unexpired one (the app and `earshot watch` on one
    /// database never sync a source at once). Taking it again as the same holder renews it; a
    /// lease a killed process left is taken over once it expires. `false` when another holds it.
    pub fn take_sync_lease(
        &self,
        id: SourceId,
        holder: &str,
        now: i64,
        until: i64,
    ) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE sources SET lease_holder = ?2, lease_until = ?4
                 WHERE id = ?1 AND (lease_until IS NULL OR lease_until < ?3 OR lease_holder = ?2)",
            )?
            .execute(params![id, holder, now, until])?;
        Ok(n == 1)
    }

    /// Who holds `id`'s sync lease, if anyone (an expired lease included).
    pub fn sync_lease_holder(&self, id: SourceId) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT lease_holder FROM sources WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// Takes over `id`'s lease from `dead`, a holder known to be gone, in one statement; `false`
    /// when the lease has meanwhile changed hands.
    pub fn take_over_sync_lease(
        &self,
        id: SourceId,
        dead: &str,
        holder: &str,
        until: i64,
    ) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE sources SET lease_holder = ?3, lease_until = ?4
                 WHERE id = ?1 AND lease_holder = ?2",
            )?
            .execute(params![id, dead, holder, until])?;
        Ok(n == 1)
    }

    /// Gives back a lease `holder` took; one another process has since taken over stays.
    pub fn release_sync_lease(&self, id: SourceId, holder: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE sources SET lease_holder = NULL, lease_until = NULL
                 WHERE id = ?1 AND lease_holder = ?2",
            )?
            .execute(params![id, holder])?;
        Ok(())
    }

    pub fn record_sync_outcome(
        &self,
        id: SourceId,
        error: Option<&str>,
        next_sync_at: Option<i64>,
    ) -> Result<()> {
        let now = now_unix();
        match error {
            None => self.conn.execute(
                "UPDATE sources SET status = 'ok', last_error = NULL, last_sync_at = ?2,
                 next_sync_at = ?3, consecutive_failures = 0 WHERE id = ?1",
                params![id, now, next_sync_at],
            )?,
            Some(e) => self.conn.execute(
                "UPDATE sources SET status = 'error', last_error = ?2, next_sync_at = ?3,
                 consecutive_failures = consecutive_failures + 1 WHERE id = ?1",
                params![id, e, next_sync_at],
            )?,
        };
        Ok(())
    }
}

impl Store {
    /// Keeps what the platform showed for the source's business, read at `at` (Unix seconds).
    pub fn set_platform_figures(
        &self,
        id: SourceId,
        headline: &crate::model::Headline,
        at: i64,
    ) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE sources SET platform_rating = ?2, platform_review_count = ?3,
             platform_rating_at = ?4 WHERE id = ?1",
            params![id, headline.rating, headline.review_count, at],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownSource(id));
        }
        Ok(())
    }

    /// Forgets what a platform's terms do not let Earshot keep past `before` (Unix seconds):
    /// the source's reviews fetched (or seen again) before it, and its platform figures read
    /// before it. Rollups and the search index follow by trigger, replies and revisions by
    /// cascade. Returns how many reviews went.
    pub fn expire_source_content(&mut self, id: SourceId, before: i64) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "DELETE FROM reviews WHERE source_id = ?1 AND fetched_at < ?2",
            params![id, before],
        )?;
        tx.execute(
            "UPDATE sources SET platform_rating = NULL, platform_review_count = NULL,
             platform_rating_at = NULL WHERE id = ?1 AND platform_rating_at < ?2",
            params![id, before],
        )?;
        tx.commit()?;
        Ok(n as u64)
    }

    /// Marks the source's reviews with these ids as fetched at `at`: the platform sent them
    /// again, so a copy kept under a time limit counts from now.
    pub fn touch_fetched(&mut self, id: SourceId, external_ids: &[&str], at: i64) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE reviews SET fetched_at = ?3 WHERE source_id = ?1 AND external_id = ?2",
            )?;
            for e in external_ids {
                stmt.execute(params![id, e, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
