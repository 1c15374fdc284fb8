//! Alerts on the team store: the SQLite store's `store/alerts.rs` and `store/alert_history.rs`,
//! method for method (same names, signatures and results), in PostgreSQL's own SQL.
//!
//! Raised once for the team: `alerts.dedup_key` is UNIQUE and an alert is inserted with
//! `ON CONFLICT (dedup_key) DO NOTHING RETURNING id`. Two seats checking at the same moment find
//! the same alerts; the second seat's insert waits on the unique index for the first's
//! transaction and then does nothing, so only one seat gets the id back, and only that seat
//! reports and notifies it. A card's "unanswered" update is one conditional UPDATE (`WHERE kind =
//! 'new_negative'`): of two seats, the one whose update found the row still unchanged reminds.
//! The check's high-water marks are shared (the team checks one history) and only move forward.

use postgres::{GenericClient, Row};
use serde_json::Value as Json;

use super::PgStore;
use crate::model::alerts::{
    Alert, AlertFilter, AlertId, AlertKind, AlertState, CredentialExpiry, Item, NewAlert,
};
use crate::model::{BusinessId, Kind, ReviewId, SentimentLabel, SourceId};
use crate::store::reviews::from_unix;
use crate::store::{now_unix, AlertMarks, Result, SentimentDays};

/// `settings` keys of the check's high-water marks, the SQLite store's.
const MARK_REVIEW_ID: &str = "alerts.checked_review_id";
const MARK_CHECKED_AT: &str = "alerts.checked_at";
const MARK_REVISION_ID: &str = "alerts.checked_revision_id";

/// `settings` key prefix of a source's sign-in end (the SQLite store's).
const CREDENTIALS_PREFIX: &str = "credentials.";

const ALERT_COLUMNS: &str = "a.id, a.kind, b.name, a.business_id, a.created_at, \
     (SELECT array_agg(review_id ORDER BY review_id) FROM alert_reviews WHERE alert_id = a.id), \
     a.message, a.state, \
     (SELECT n.notified_at FROM alert_notifications n \
        WHERE n.alert_id = a.id AND n.person = current_user), \
     a.dedup_key, a.details";

fn alert_from_row(r: &Row) -> Alert {
    let kind: String = r.get(1);
    let state: String = r.get(7);
    let details: Option<String> = r.get(10);
    Alert {
        id: r.get(0),
        // Unknown kinds (written by a newer Earshot) read as source health, as on SQLite.
        kind: AlertKind::parse(&kind).unwrap_or(AlertKind::SourceHealth),
        business: r.get(2),
        business_id: r.get(3),
        created_at: from_unix(r.get(4)),
        review_ids: r.get::<_, Option<Vec<i64>>>(5).unwrap_or_default(),
        message: r.get(6),
        state: AlertState::parse(&state).unwrap_or(AlertState::New),
        notified_at: r.get::<_, Option<i64>>(8).map(from_unix),
        dedup_key: r.get(9),
        details: details
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or(Json::Null),
    }
}

const ITEM_COLUMNS: &str = "r.id, r.business_id, b.name, r.platform, r.kind, r.author, r.rating, \
     r.title, r.body, r.created_at, r.replied_at, r.sentiment_label";

/// An item; column 12 is when it was edited (NULL when not read as an edit).
fn item_from_row(r: &Row) -> Item {
    let kind: String = r.get(4);
    let label: Option<String> = r.get(11);
    Item {
        id: r.get(0),
        business_id: r.get(1),
        business: r.get(2),
        platform: r.get(3),
        kind: Kind::parse(&kind).unwrap_or(Kind::Review),
        author: r.get(5),
        rating: r.get(6),
        title: r.get(7),
        body: r.get(8),
        created_at: r.get(9),
        replied_at: r.get(10),
        sentiment: label.as_deref().and_then(SentimentLabel::parse),
        edited_at: r.get(12),
    }
}

/// Inserts one alert unless its key is taken (by this seat or another), and links its reviews
/// either way. The id when this call created it.
fn insert_alert(c: &mut impl GenericClient, a: &NewAlert, now: i64) -> Result<Option<AlertId>> {
    let details = (!a.details.is_null()).then(|| a.details.to_string());
    let new_id: Option<AlertId> = c
        .query_opt(
            "INSERT INTO alerts (business_id, kind, dedup_key, created_at, computed_at, message,
                                 state, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
            &[
                &a.business_id,
                &a.kind.as_str(),
                &a.dedup_key,
                &a.created_at,
                &now,
                &a.message,
                &a.state.as_str(),
                &details,
            ],
        )?
        .map(|r| r.get(0));
    if !a.review_ids.is_empty() {
        let id: AlertId = match new_id {
            Some(id) => id,
            None => c
                .query_one(
                    "SELECT id FROM alerts WHERE dedup_key = $1",
                    &[&a.dedup_key],
                )?
                .get(0),
        };
        c.execute(
            "INSERT INTO alert_reviews (alert_id, review_id)
             SELECT $1, id FROM reviews WHERE id = ANY($2)
             ON CONFLICT DO NOTHING",
            &[&id, &a.review_ids],
        )?;
    }
    Ok(new_id)
}

/// The SQLite store's `follow_up`: an `unanswered` alert updates its review's `new_negative`
/// card. The update is conditional on the card still being `new_negative`, so when two seats
/// follow up the same card, the second finds nothing to update and reminds nobody.
fn follow_up(
    c: &mut impl GenericClient,
    a: &NewAlert,
    remind: bool,
    now: i64,
) -> Result<Option<Option<AlertId>>> {
    let Some(review) = a.dedup_key.strip_prefix("unanswered:") else {
        return Ok(None);
    };
    let card_key = format!("new_negative:{review}");
    let Some(card) = c.query_opt(
        "SELECT id, state FROM alerts WHERE dedup_key = $1",
        &[&card_key],
    )?
    else {
        return Ok(None);
    };
    let (id, state): (AlertId, String) = (card.get(0), card.get(1));
    let again = remind && a.state == AlertState::New && state != AlertState::Dismissed.as_str();
    let details = (!a.details.is_null()).then(|| a.details.to_string());
    let updated = c.execute(
        "UPDATE alerts SET kind = $2, message = $3, details = $4, created_at = $5,
                computed_at = $6,
                state = CASE WHEN $7 THEN 'new' ELSE state END,
                notified_at = CASE WHEN $7 THEN NULL ELSE notified_at END
         WHERE id = $1 AND kind = 'new_negative'",
        &[
            &id,
            &a.kind.as_str(),
            &a.message,
            &details,
            &a.created_at,
            &now,
            &again,
        ],
    )?;
    if updated == 0 {
        // Updated by an earlier check, on this seat or another: nothing more to do.
        return Ok(Some(None));
    }
    if again {
        c.execute(
            "DELETE FROM alert_deliveries WHERE alert_id = $1 AND state = 'sent'",
            &[&id],
        )?;
        // Every person is told of the reminder, not only this seat's (migration 0011).
        c.execute("SELECT earshot_renotify($1)", &[&id])?;
    }
    Ok(Some(again.then_some(id)))
}

impl PgStore {
    /// Raises one alert unless its key was raised before (by any seat); the new id or `None`.
    pub fn raise_alert(&self, alert: &NewAlert) -> Result<Option<AlertId>> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let id = insert_alert(&mut tx, alert, now_unix())?;
        tx.commit()?;
        Ok(id)
    }

    /// Raises a check's alerts and moves the team's high-water marks, in one transaction (see
    /// the SQLite store's `raise_alerts`). Marks only move forward: a seat whose check started
    /// before another's finished never takes the team's marks back.
    pub fn raise_alerts(
        &mut self,
        alerts: &[NewAlert],
        marks: &AlertMarks,
        now: i64,
        remind: bool,
    ) -> Result<Vec<Option<AlertId>>> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let mut ids: Vec<Option<AlertId>> = Vec::with_capacity(alerts.len());
        let mut inserted = std::collections::HashSet::new();
        for a in alerts {
            let followed = if a.kind == AlertKind::Unanswered {
                follow_up(&mut tx, a, remind, now)?
            } else {
                None
            };
            ids.push(match followed {
                Some(Some(id)) if inserted.contains(&id) => None,
                Some(id) => id,
                None => {
                    let id = insert_alert(&mut tx, a, now)?;
                    inserted.extend(id);
                    id
                }
            });
        }
        for (key, value) in [
            (MARK_REVIEW_ID, marks.review_id),
            (MARK_CHECKED_AT, marks.checked_at),
            (MARK_REVISION_ID, marks.revision_id),
        ] {
            let Some(value) = value else { continue };
            // The same JSON text as the SQLite store writes (a number), never moved back.
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2::bigint::text)
                 ON CONFLICT (key) DO UPDATE SET value =
                     greatest(settings.value::bigint, excluded.value::bigint)::text",
                &[&key, &value],
            )?;
        }
        tx.commit()?;
        Ok(ids)
    }

    /// The check's high-water marks, shared by the team.
    pub fn alert_marks(&self) -> Result<AlertMarks> {
        Ok(AlertMarks {
            review_id: self.setting(MARK_REVIEW_ID)?,
            checked_at: self.setting(MARK_CHECKED_AT)?,
            revision_id: self.setting(MARK_REVISION_ID)?,
        })
    }

    /// Alerts matching the filter, newest first.
    pub fn alerts(&self, f: &AlertFilter) -> Result<Vec<Alert>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN businesses b ON b.id = a.business_id
             WHERE ($1::bigint IS NULL OR a.business_id = $1)
               AND ($2::text IS NULL OR a.kind = $2)
               AND CASE WHEN $3::text IS NOT NULL THEN a.state = $3
                        WHEN NOT $4 THEN a.state <> 'dismissed' ELSE true END
               AND (NOT $5 OR (a.state = 'new' AND NOT EXISTS (
                   SELECT 1 FROM alert_notifications n
                   WHERE n.alert_id = a.id AND n.person = current_user)))
             ORDER BY a.created_at DESC, a.id DESC LIMIT $6 OFFSET $7"
        );
        let limit = f.limit.map(i64::from);
        let offset = f.limit.and(f.offset).map(i64::from).unwrap_or(0);
        let rows = self.client().query(
            &sql,
            &[
                &f.business_id,
                &f.kind.map(AlertKind::as_str),
                &f.state.map(AlertState::as_str),
                &f.include_dismissed,
                &f.unnotified,
                &limit,
                &offset,
            ],
        )?;
        Ok(rows.iter().map(alert_from_row).collect())
    }

    pub fn alert(&self, id: AlertId) -> Result<Option<Alert>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN businesses b ON b.id = a.business_id
             WHERE a.id = $1"
        );
        Ok(self
            .client()
            .query_opt(&sql, &[&id])?
            .as_ref()
            .map(alert_from_row))
    }

    /// These alerts, oldest first.
    pub fn alerts_by_ids(&self, ids: &[AlertId]) -> Result<Vec<Alert>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN businesses b ON b.id = a.business_id
             WHERE a.id = ANY($1) ORDER BY a.created_at, a.id"
        );
        Ok(self
            .client()
            .query(&sql, &[&ids])?
            .iter()
            .map(alert_from_row)
            .collect())
    }

    /// Sets an alert's state; `false` when there is no such alert. Dismissing drops its
    /// deliveries still waiting, as on SQLite.
    pub fn set_alert_state(&self, id: AlertId, state: AlertState) -> Result<bool> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let n = tx.execute(
            "UPDATE alerts SET state = $2 WHERE id = $1",
            &[&id, &state.as_str()],
        )?;
        if state == AlertState::Dismissed {
            tx.execute(
                "DELETE FROM alert_deliveries WHERE alert_id = $1 AND state = 'pending'",
                &[&id],
            )?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    /// Alerts still unread.
    pub fn unread_alert_count(&self) -> Result<i64> {
        Ok(self
            .client()
            .query_one("SELECT count(*) FROM alerts WHERE state = 'new'", &[])?
            .get(0))
    }

    /// Records that these alerts were shown to this seat's person at `at`: each person is told
    /// of an alert once, by their own seat (`alert_notifications`, migration 0011); a first mark
    /// is kept.
    pub fn mark_alerts_notified(&self, ids: &[AlertId], at: i64) -> Result<()> {
        self.client().execute(
            "INSERT INTO alert_notifications (alert_id, person, notified_at)
             SELECT id, current_user, $2 FROM alerts WHERE id = ANY($1)
             ON CONFLICT (alert_id, person) DO NOTHING",
            &[&ids, &at],
        )?;
        Ok(())
    }

    /// Marks `unanswered` alerts seen once their review has a reply.
    pub fn settle_answered_alerts(&self) -> Result<usize> {
        Ok(self.client().execute(
            "UPDATE alerts SET state = 'seen'
             WHERE kind = 'unanswered' AND state = 'new' AND EXISTS (
                 SELECT 1 FROM alert_reviews ar JOIN reviews r ON r.id = ar.review_id
                 WHERE ar.alert_id = alerts.id AND r.replied_at IS NOT NULL)",
            &[],
        )? as usize)
    }

    /// Stored rule settings: (kind, enabled, params JSON).
    pub fn alert_rules(&self) -> Result<Vec<(String, bool, Json)>> {
        let rows = self.client().query(
            "SELECT kind, enabled, params FROM alert_rules ORDER BY kind",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                let params: String = r.get(2);
                (
                    r.get(0),
                    r.get(1),
                    serde_json::from_str(&params).unwrap_or(Json::Null),
                )
            })
            .collect())
    }

    pub fn set_alert_rule(&self, kind: &str, enabled: bool, params: &Json) -> Result<()> {
        self.client().execute(
            "INSERT INTO alert_rules (kind, enabled, params) VALUES ($1, $2, $3)
             ON CONFLICT (kind) DO UPDATE SET enabled = excluded.enabled,
                 params = excluded.params",
            &[&kind, &enabled, &params.to_string()],
        )?;
        Ok(())
    }

    /// The highest review id stored (0 when none).
    pub fn max_review_id(&self) -> Result<i64> {
        Ok(self
            .client()
            .query_one("SELECT coalesce(max(id), 0) FROM reviews", &[])?
            .get(0))
    }

    /// The owner's own reviews and mentions with ids in `(after, until]`, by id, at most
    /// `limit`.
    pub fn alert_items_after(&self, after: i64, until: i64, limit: u32) -> Result<Vec<Item>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS}, NULL::bigint FROM reviews r
             JOIN businesses b ON b.id = r.business_id
             WHERE r.id > $1 AND r.id <= $2 AND r.removed_at IS NULL AND NOT b.is_competitor
             ORDER BY r.id LIMIT $3"
        );
        let rows = self
            .client()
            .query(&sql, &[&after, &until, &i64::from(limit)])?;
        Ok(rows.iter().map(item_from_row).collect())
    }

    /// The highest revision id stored (0 when none).
    pub fn max_revision_id(&self) -> Result<i64> {
        Ok(self
            .client()
            .query_one("SELECT coalesce(max(id), 0) FROM review_revisions", &[])?
            .get(0))
    }

    /// The owner's reviews edited with revision ids in `(after, until]`, among ids up to
    /// `max_id`, with when the edit happened.
    pub fn edited_items(&self, after: i64, until: i64, max_id: i64) -> Result<Vec<Item>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS}, coalesce(r.updated_at, e.recorded_at)
             FROM (SELECT review_id, max(recorded_at) AS recorded_at FROM review_revisions
                   WHERE id > $1 AND id <= $2 GROUP BY review_id) e
             JOIN reviews r ON r.id = e.review_id JOIN businesses b ON b.id = r.business_id
             WHERE r.id <= $3 AND r.removed_at IS NULL AND NOT b.is_competitor
             ORDER BY r.id"
        );
        let rows = self.client().query(&sql, &[&after, &until, &max_id])?;
        Ok(rows.iter().map(item_from_row).collect())
    }

    /// The owner's unreplied reviews written in `(from, to]` with ids up to `max_id`.
    pub fn unanswered_items(&self, from: i64, to: i64, max_id: i64) -> Result<Vec<Item>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS}, NULL::bigint FROM reviews r
             JOIN businesses b ON b.id = r.business_id
             WHERE NOT b.is_competitor
               AND r.created_at > $1 AND r.created_at <= $2 AND r.id <= $3
               AND r.kind = 'review' AND r.replied_at IS NULL AND r.removed_at IS NULL
             ORDER BY r.id"
        );
        let rows = self.client().query(&sql, &[&from, &to, &max_id])?;
        Ok(rows.iter().map(item_from_row).collect())
    }

    /// (hour since the epoch, items) for hours from `from_hour` with at least `min_items`; items
    /// stamped exactly midnight UTC left out, as on SQLite.
    pub fn busy_hours(
        &self,
        business_id: BusinessId,
        from_hour: i64,
        min_items: i64,
    ) -> Result<Vec<(i64, i64)>> {
        // SQLite's integer division truncates towards zero, as PostgreSQL's does.
        let rows = self.client().query(
            "SELECT created_at / 3600 AS h, count(*) FROM reviews
             WHERE business_id = $1 AND created_at >= $2 AND removed_at IS NULL
               AND created_at % 86400 <> 0
             GROUP BY h HAVING count(*) >= $3 ORDER BY h",
            &[&business_id, &from_hour.saturating_mul(3600), &min_items],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// (day, items) of a business from `from_day`, from the rollup.
    pub fn daily_counts(&self, business_id: BusinessId, from_day: i64) -> Result<Vec<(i64, i64)>> {
        let rows = self.client().query(
            "SELECT day, sum(count)::bigint FROM review_daily WHERE business_id = $1 AND day >= $2
             GROUP BY day ORDER BY day",
            &[&business_id, &from_day],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Ids of a business's items written in `[from, to)`, as counted by `busy_hours`.
    pub fn review_ids_in(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
    ) -> Result<Vec<ReviewId>> {
        self.ids(
            "SELECT id FROM reviews
             WHERE business_id = $1 AND created_at >= $2 AND created_at < $3
               AND removed_at IS NULL AND created_at % 86400 <> 0
             ORDER BY created_at, id",
            &[&business_id, &from, &to],
        )
    }

    fn ids(&self, sql: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<Vec<i64>> {
        Ok(self
            .client()
            .query(sql, params)?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    // -- The statistical and lifecycle rules' reads (the SQLite store's alert_history.rs).

    /// Negative and positive items per day of a business, from the rollup.
    pub fn sentiment_days(&self, business_id: BusinessId) -> Result<SentimentDays> {
        let rows = self.client().query(
            "SELECT day, sum(negative)::bigint, sum(positive)::bigint FROM review_daily
             WHERE business_id = $1 GROUP BY day HAVING sum(count) > 0 ORDER BY day",
            &[&business_id],
        )?;
        let mut out = SentimentDays::default();
        for r in &rows {
            let day: i64 = r.get(0);
            out.first_day.get_or_insert(day);
            out.negative.push((day, r.get(1)));
            out.positive.push((day, r.get(2)));
        }
        Ok(out)
    }

    /// (negative, positive) items of a business written in `[from, to)`.
    pub fn sentiment_split(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
    ) -> Result<(i64, i64)> {
        let r = self.client().query_one(
            "SELECT count(*) FILTER (WHERE sentiment_label = 'negative'),
                    count(*) FILTER (WHERE sentiment_label = 'positive')
             FROM reviews WHERE business_id = $1 AND created_at >= $2 AND created_at < $3
               AND removed_at IS NULL",
            &[&business_id, &from, &to],
        )?;
        Ok((r.get(0), r.get(1)))
    }

    /// Ids of a business's items in `[from, to)` with sentiment `label`.
    pub fn review_ids_with_sentiment(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
        label: &str,
    ) -> Result<Vec<ReviewId>> {
        self.ids(
            "SELECT id FROM reviews WHERE business_id = $1 AND created_at >= $2 AND created_at < $3
               AND removed_at IS NULL AND sentiment_label = $4 ORDER BY created_at, id",
            &[&business_id, &from, &to, &label],
        )
    }

    /// Ids of a business's reviews in `[from, to)` rated at or below `max_stars`.
    pub fn low_rated_ids(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
        max_stars: f64,
    ) -> Result<Vec<ReviewId>> {
        self.ids(
            "SELECT id FROM reviews WHERE business_id = $1 AND created_at >= $2 AND created_at < $3
               AND removed_at IS NULL AND rating <= $4 ORDER BY created_at, id",
            &[&business_id, &from, &to, &max_stars],
        )
    }

    /// `(aspect, day, negative mentions)` of a business, by aspect then day. The team store has
    /// no `aspect_daily` rollup yet: this groups the reviews' `aspects` (one business's rows, on
    /// `reviews_by_business_time`), the same figures the SQLite rollup keeps.
    pub fn aspect_negative_days(&self, business_id: BusinessId) -> Result<Vec<(String, i64, i64)>> {
        let rows = self.client().query(
            "SELECT m.key, earshot_day(r.created_at) AS day,
                    count(*) FILTER (WHERE (m.value ->> 1)::double precision = -1)
             FROM reviews r, jsonb_each(r.aspects) AS m
             WHERE r.business_id = $1 AND r.aspects IS NOT NULL
               AND jsonb_typeof(r.aspects) = 'object' AND r.removed_at IS NULL
             GROUP BY m.key, day ORDER BY m.key, day",
            &[&business_id],
        )?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    /// Ids of a business's items in `[from, to)` that mention `aspect` negatively.
    pub fn aspect_negative_ids(
        &self,
        business_id: BusinessId,
        aspect: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<ReviewId>> {
        self.ids(
            "SELECT id FROM reviews WHERE business_id = $1 AND created_at >= $2 AND created_at < $3
               AND removed_at IS NULL AND aspects IS NOT NULL
               AND (aspects -> $4 ->> 1)::double precision = -1
             ORDER BY created_at, id",
            &[&business_id, &from, &to, &aspect],
        )
    }

    /// `(id, created_at)` of a business's reviews rated at or below `max_stars`, by time.
    pub fn low_ratings(
        &self,
        business_id: BusinessId,
        max_stars: f64,
    ) -> Result<Vec<(ReviewId, i64)>> {
        let rows = self.client().query(
            "SELECT id, created_at FROM reviews WHERE business_id = $1 AND removed_at IS NULL
               AND rating <= $2 ORDER BY created_at, id",
            &[&business_id, &max_stars],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// `(id, platform, author)` of a business's reviews written up to `until`, oldest first.
    pub fn authors_until(
        &self,
        business_id: BusinessId,
        until: i64,
    ) -> Result<Vec<(ReviewId, String, Option<String>)>> {
        let rows = self.client().query(
            "SELECT id, platform, author FROM reviews WHERE business_id = $1 AND created_at <= $2
             ORDER BY created_at, id",
            &[&business_id, &until],
        )?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    /// Sources that sync from a platform (not imports of files).
    pub fn synced_sources(&self) -> Result<Vec<(SourceId, BusinessId, String)>> {
        let rows = self.client().query(
            "SELECT s.id, s.business_id, s.connector FROM sources s
             JOIN businesses b ON b.id = s.business_id
             WHERE NOT b.is_competitor AND s.connector NOT IN ('file', 'import', 'csv', 'jsonl')
               AND s.status <> 'paused' ORDER BY s.id",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    /// `(day, items)` a source brought, by day.
    pub fn source_days(&self, source_id: SourceId) -> Result<Vec<(i64, i64)>> {
        let rows = self.client().query(
            "SELECT earshot_day(created_at) AS d, count(*) FROM reviews
             WHERE source_id = $1 AND removed_at IS NULL GROUP BY d ORDER BY d",
            &[&source_id],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// The owner's reviews removed from their platform at or after `since`, with when.
    pub fn removed_items(&self, since: i64) -> Result<Vec<(Item, i64)>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS}, NULL::bigint, r.removed_at FROM reviews r
             JOIN businesses b ON b.id = r.business_id
             WHERE r.removed_at IS NOT NULL AND r.removed_at >= $1 AND NOT b.is_competitor
             ORDER BY r.removed_at, r.id"
        );
        let rows = self.client().query(&sql, &[&since])?;
        Ok(rows.iter().map(|r| (item_from_row(r), r.get(13))).collect())
    }

    /// Every recorded sign-in end of the owner's sources (never a token).
    pub fn credential_expiries(&self) -> Result<Vec<CredentialExpiry>> {
        let rows = self.client().query(
            "SELECT s.id, s.business_id, s.connector, s.label,
                    (st.value::jsonb ->> 'expires_at')::bigint,
                    coalesce((st.value::jsonb ->> 'renewable')::boolean, false)
             FROM settings st JOIN sources s ON st.key = $1 || s.id
             WHERE st.value::jsonb ->> 'expires_at' IS NOT NULL ORDER BY s.id",
            &[&CREDENTIALS_PREFIX],
        )?;
        Ok(rows
            .iter()
            .map(|r| CredentialExpiry {
                source_id: r.get(0),
                business_id: r.get(1),
                connector: r.get(2),
                label: r.get(3),
                expires_at: r.get(4),
                renewable: r.get(5),
            })
            .collect())
    }
}
