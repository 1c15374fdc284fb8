//! Alerts, their links to reviews, the rules' settings, and the reads the rule engine needs.
//!
//! An alert is inserted at most once: `dedup_key` is UNIQUE and inserts use `ON CONFLICT DO
//! NOTHING`, so two syncs or two processes racing to raise the same alert store one. A repeated
//! raise still links any reviews the first one lacked (a spike that keeps growing gathers its new
//! items into the same alert) but is not reported as new, so it is never notified twice.
//!
//! The rule engine reads raw rows only where it needs individual items (new reviews by id, busy
//! hours, a spike's items, all on the primary key or `reviews_by_business_time`) and the daily
//! rollup for everything else.

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde_json::Value as Json;

use super::{now_unix, Result, Store};
use crate::model::alerts::Item;
use crate::model::alerts::{Alert, AlertFilter, AlertId, AlertKind, AlertState, NewAlert};
use crate::model::{BusinessId, Kind, ReviewId, SentimentLabel};

/// `settings` keys of the check's high-water marks.
const MARK_REVIEW_ID: &str = "alerts.checked_review_id";
const MARK_CHECKED_AT: &str = "alerts.checked_at";
const MARK_REVISION_ID: &str = "alerts.checked_revision_id";

/// Where the last check stopped: the highest review id it read, the time it ran (Unix seconds)
/// and the highest revision id (edits) it read. `None` before the first check, which then reads
/// the whole history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertMarks {
    pub review_id: Option<i64>,
    pub checked_at: Option<i64>,
    pub revision_id: Option<i64>,
}

const ALERT_COLUMNS: &str = "a.id, a.kind, b.name, a.business_id, a.created_at, \
     (SELECT group_concat(review_id) FROM alert_reviews WHERE alert_id = a.id), \
     a.message, a.state, a.notified_at, a.dedup_key, a.details";

fn alert_from_row(r: &Row<'_>) -> rusqlite::Result<Alert> {
    let kind: String = r.get(1)?;
    let state: String = r.get(7)?;
    let ids: Option<String> = r.get(5)?;
    let mut review_ids: Vec<ReviewId> = ids
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect();
    review_ids.sort_unstable();
    let details: Option<String> = r.get(10)?;
    Ok(Alert {
        id: r.get(0)?,
        // Unknown kinds (written by a newer Earshot) read as source health rather than failing
        // the whole list.
        kind: AlertKind::parse(&kind).unwrap_or(AlertKind::SourceHealth),
        business: r.get(2)?,
        business_id: r.get(3)?,
        created_at: super::reviews::from_unix(r.get(4)?),
        review_ids,
        message: r.get(6)?,
        state: AlertState::parse(&state).unwrap_or(AlertState::New),
        notified_at: r.get::<_, Option<i64>>(8)?.map(super::reviews::from_unix),
        dedup_key: r.get(9)?,
        details: details
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or(Json::Null),
    })
}

pub(super) const ITEM_COLUMNS: &str =
    "r.id, r.business_id, b.name, r.platform, r.kind, r.author, r.rating, \
     r.title, r.body, r.created_at, r.replied_at, r.sentiment_label";

pub(super) fn item_from_row(r: &Row<'_>) -> rusqlite::Result<Item> {
    let kind: String = r.get(4)?;
    let label: Option<String> = r.get(11)?;
    Ok(Item {
        id: r.get(0)?,
        business_id: r.get(1)?,
        business: r.get(2)?,
        platform: r.get(3)?,
        kind: Kind::parse(&kind).unwrap_or(Kind::Review),
        author: r.get(5)?,
        rating: r.get(6)?,
        title: r.get(7)?,
        body: r.get(8)?,
        created_at: r.get(9)?,
        replied_at: r.get(10)?,
        sentiment: label.as_deref().and_then(SentimentLabel::parse),
        edited_at: r.get(12)?,
    })
}

/// Inserts one alert unless its key is taken, and links its reviews either way. Returns the id
/// when this call created it.
fn insert_alert(conn: &Connection, a: &NewAlert, now: i64) -> Result<Option<AlertId>> {
    let details = if a.details.is_null() {
        None
    } else {
        Some(a.details.to_string())
    };
    let inserted = conn
        .prepare_cached(
            "INSERT INTO alerts (business_id, kind, dedup_key, created_at, computed_at, message,
                                 state, details)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (dedup_key) DO NOTHING",
        )?
        .execute(params![
            a.business_id,
            a.kind.as_str(),
            a.dedup_key,
            a.created_at,
            now,
            a.message,
            a.state.as_str(),
            details
        ])?;
    let new_id = (inserted == 1).then(|| conn.last_insert_rowid());
    if !a.review_ids.is_empty() {
        let id = match new_id {
            Some(id) => id,
            None => conn
                .prepare_cached("SELECT id FROM alerts WHERE dedup_key = ?1")?
                .query_row([&a.dedup_key], |r| r.get(0))?,
        };
        let mut link = conn.prepare_cached(
            "INSERT OR IGNORE INTO alert_reviews (alert_id, review_id)
             SELECT ?1, id FROM reviews WHERE id = ?2",
        )?;
        for rid in &a.review_ids {
            link.execute(params![id, rid])?;
        }
    }
    Ok(new_id)
}

/// Issue 28, one review one card: an `unanswered` alert for a review that already has its
/// `new_negative` card updates that card (its kind, message, details and date become the
/// unanswered state) instead of raising a second one. With `remind`, the card is unread again
/// and its notifications and channel messages go out once more (unless the owner dismissed it,
/// or it is history, `a.state` not `new`); without, it changes quietly.
///
/// `Ok(None)` when there is no card to update (the alert is then raised on its own key);
/// `Ok(Some(None))` when the card was updated quietly or had been updated before;
/// `Ok(Some(Some(id)))` when it was updated and is news again.
fn follow_up(
    conn: &Connection,
    a: &NewAlert,
    remind: bool,
    now: i64,
) -> Result<Option<Option<AlertId>>> {
    let Some(review) = a.dedup_key.strip_prefix("unanswered:") else {
        return Ok(None);
    };
    let card_key = format!("new_negative:{review}");
    let card: Option<(AlertId, String, String)> = conn
        .prepare_cached("SELECT id, kind, state FROM alerts WHERE dedup_key = ?1")?
        .query_row([&card_key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((id, kind, state)) = card else {
        return Ok(None);
    };
    if kind != AlertKind::NewNegative.as_str() {
        // Updated by an earlier check: nothing more to do.
        return Ok(Some(None));
    }
    let again = remind && a.state == AlertState::New && state != AlertState::Dismissed.as_str();
    conn.prepare_cached(
        "UPDATE alerts SET kind = ?2, message = ?3, details = ?4, created_at = ?5,
                computed_at = ?6,
                state = CASE WHEN ?7 THEN 'new' ELSE state END,
                notified_at = CASE WHEN ?7 THEN NULL ELSE notified_at END
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        a.kind.as_str(),
        a.message,
        (!a.details.is_null()).then(|| a.details.to_string()),
        a.created_at,
        now,
        again
    ])?;
    if again {
        // Sent before: the reminder goes to the channels once more.
        conn.prepare_cached("DELETE FROM alert_deliveries WHERE alert_id = ?1 AND state = 'sent'")?
            .execute([id])?;
    }
    Ok(Some(again.then_some(id)))
}

impl Store {
    /// Raises one alert (the sync engine's `source_health`, for instance): stored unless an alert
    /// with the same `dedup_key` exists. Returns the new id, or `None` when it was already raised.
    pub fn raise_alert(&self, alert: &NewAlert) -> Result<Option<AlertId>> {
        let tx = self.conn.unchecked_transaction()?;
        let id = insert_alert(&tx, alert, now_unix())?;
        tx.commit()?;
        Ok(id)
    }

    /// Raises a check's alerts and moves its high-water marks, in one transaction: a crash leaves
    /// either both or neither, so nothing is skipped and nothing is raised twice. Returns, for each
    /// alert in order, its new id, or `None` when it had been raised before.
    ///
    /// An `unanswered` alert whose review has its `new_negative` card updates the card instead
    /// (see [`follow_up`]); `remind` says whether that is news again.
    pub fn raise_alerts(
        &mut self,
        alerts: &[NewAlert],
        marks: &AlertMarks,
        now: i64,
        remind: bool,
    ) -> Result<Vec<Option<AlertId>>> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut ids: Vec<Option<AlertId>> = Vec::with_capacity(alerts.len());
        let mut inserted = std::collections::HashSet::new();
        for a in alerts {
            let followed = if a.kind == AlertKind::Unanswered {
                follow_up(&tx, a, remind, now)?
            } else {
                None
            };
            ids.push(match followed {
                // A card raised by this same batch is news once, not twice.
                Some(Some(id)) if inserted.contains(&id) => None,
                Some(id) => id,
                None => {
                    let id = insert_alert(&tx, a, now)?;
                    inserted.extend(id);
                    id
                }
            });
        }
        let mut set = tx.prepare_cached(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?;
        if let Some(id) = marks.review_id {
            set.execute(params![MARK_REVIEW_ID, id.to_string()])?;
        }
        if let Some(t) = marks.checked_at {
            set.execute(params![MARK_CHECKED_AT, t.to_string()])?;
        }
        if let Some(id) = marks.revision_id {
            set.execute(params![MARK_REVISION_ID, id.to_string()])?;
        }
        drop(set);
        tx.commit()?;
        Ok(ids)
    }

    /// The check's high-water marks.
    pub fn alert_marks(&self) -> Result<AlertMarks> {
        Ok(AlertMarks {
            review_id: self.setting(MARK_REVIEW_ID)?,
            checked_at: self.setting(MARK_CHECKED_AT)?,
            revision_id: self.setting(MARK_REVISION_ID)?,
        })
    }

    /// Alerts matching the filter, newest first.
    pub fn alerts(&self, f: &AlertFilter) -> Result<Vec<Alert>> {
        let mut sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN businesses b ON b.id = a.business_id \
             WHERE 1"
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(b) = f.business_id {
            args.push(b.into());
            sql.push_str(&format!(" AND a.business_id = ?{}", args.len()));
        }
        if let Some(k) = f.kind {
            args.push(k.as_str().to_owned().into());
            sql.push_str(&format!(" AND a.kind = ?{}", args.len()));
        }
        if let Some(s) = f.state {
            args.push(s.as_str().to_owned().into());
            sql.push_str(&format!(" AND a.state = ?{}", args.len()));
        } else if !f.include_dismissed {
            sql.push_str(" AND a.state != 'dismissed'");
        }
        if f.unnotified {
            sql.push_str(" AND a.state = 'new' AND a.notified_at IS NULL");
        }
        sql.push_str(" ORDER BY a.created_at DESC, a.id DESC");
        if let Some(l) = f.limit {
            sql.push_str(&format!(" LIMIT {l}"));
            if let Some(o) = f.offset {
                sql.push_str(&format!(" OFFSET {o}"));
            }
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), alert_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn alert(&self, id: AlertId) -> Result<Option<Alert>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN businesses b ON b.id = a.business_id \
             WHERE a.id = ?1"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], alert_from_row)
            .optional()?)
    }

    /// These alerts, oldest first.
    pub fn alerts_by_ids(&self, ids: &[AlertId]) -> Result<Vec<Alert>> {
        let (Some(&lo), Some(&hi)) = (ids.iter().min(), ids.iter().max()) else {
            return Ok(Vec::new());
        };
        // A check's new alerts have consecutive ids: one range scan on the primary key reads
        // them all, instead of a query per alert (120k of them on a first check of a big import).
        let wanted: std::collections::HashSet<AlertId> = ids.iter().copied().collect();
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN businesses b ON b.id = a.business_id \
             WHERE a.id BETWEEN ?1 AND ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([lo, hi], alert_from_row)?;
        let mut out = Vec::with_capacity(ids.len());
        for a in rows {
            let a = a?;
            if wanted.contains(&a.id) {
                out.push(a);
            }
        }
        out.sort_by_key(|a| (a.created_at, a.id));
        Ok(out)
    }

    /// Sets an alert's state; `false` when there is no such alert.
    ///
    /// Dismissing an alert also drops its deliveries still waiting (a digest, quiet hours, a
    /// retry): a dismissed alert never reaches a channel (issue 28).
    pub fn set_alert_state(&self, id: AlertId, state: AlertState) -> Result<bool> {
        let tx = self.conn.unchecked_transaction()?;
        let n = tx
            .prepare_cached("UPDATE alerts SET state = ?2 WHERE id = ?1")?
            .execute(params![id, state.as_str()])?;
        if state == AlertState::Dismissed {
            tx.prepare_cached(
                "DELETE FROM alert_deliveries WHERE alert_id = ?1 AND state = 'pending'",
            )?
            .execute([id])?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    /// Alerts still unread: what the tray icon shows.
    pub fn unread_alert_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM alerts WHERE state = 'new'")?
            .query_row([], |r| r.get(0))?)
    }

    /// Records that these alerts were shown as a notification (at `at`, Unix seconds), so they
    /// are never shown again.
    pub fn mark_alerts_notified(&self, ids: &[AlertId], at: i64) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE alerts SET notified_at = ?2 WHERE id = ?1 AND notified_at IS NULL",
            )?;
            for id in ids {
                stmt.execute(params![id, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks `unanswered` alerts seen once their review has a reply: the owner dealt with it.
    pub fn settle_answered_alerts(&self) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE alerts SET state = 'seen'
             WHERE kind = 'unanswered' AND state = 'new' AND EXISTS (
                 SELECT 1 FROM alert_reviews ar JOIN reviews r ON r.id = ar.review_id
                 WHERE ar.alert_id = alerts.id AND r.replied_at IS NOT NULL)",
            [],
        )?)
    }

    /// Stored rule settings: (kind, enabled, params JSON). Kinds never changed are absent.
    pub fn alert_rules(&self) -> Result<Vec<(String, bool, Json)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, enabled, params FROM alert_rules ORDER BY kind")?;
        let rows = stmt.query_map([], |r| {
            let params: String = r.get(2)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                serde_json::from_str(&params).unwrap_or(Json::Null),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_alert_rule(&self, kind: &str, enabled: bool, params: &Json) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO alert_rules (kind, enabled, params) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind) DO UPDATE SET enabled = excluded.enabled,
                     params = excluded.params",
            )?
            .execute(params![kind, enabled, params.to_string()])?;
        Ok(())
    }

    /// The highest review id stored (0 when none).
    pub fn max_review_id(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM reviews", [], |r| r.get(0))?)
    }

    /// The owner's own (not competitors') reviews and mentions with ids in `(after, until]`,
    /// by id, at most `limit`: one page of the check's scan.
    pub fn alert_items_after(&self, after: i64, until: i64, limit: u32) -> Result<Vec<Item>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS}, NULL FROM reviews r JOIN businesses b ON b.id = r.business_id
             WHERE r.id > ?1 AND r.id <= ?2 AND r.removed_at IS NULL AND b.is_competitor = 0
             ORDER BY r.id LIMIT ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![after, until, limit], item_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The highest revision id stored (0 when none): edits are recorded as revisions.
    pub fn max_revision_id(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(id), 0) FROM review_revisions",
            [],
            |r| r.get(0),
        )?)
    }

    /// The owner's reviews edited (a revision recorded) with revision ids in `(after, until]`,
    /// among reviews with ids up to `max_id`, with when the edit happened.
    pub fn edited_items(&self, after: i64, until: i64, max_id: i64) -> Result<Vec<Item>> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS}, coalesce(r.updated_at, e.recorded_at)
             FROM (SELECT review_id, max(recorded_at) AS recorded_at FROM review_revisions
                   WHERE id > ?1 AND id <= ?2 GROUP BY review_id) e
             JOIN reviews r ON r.id = e.review_id JOIN businesses b ON b.id = r.business_id
             WHERE r.id <= ?3 AND r.removed_at IS NULL AND b.is_competitor = 0
             ORDER BY r.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![after, until, max_id], item_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The owner's unreplied reviews written in `(from, to]` with ids up to `max_id`: those whose
    /// reply deadline passed since the last check. Naming the owner's businesses as a list makes
    /// the times a range of each one's time index (there is no time index of all reviews).
    pub fn unanswered_items(&self, from: i64, to: i64, max_id: i64) -> Result<Vec<Item>> {
        let mut stmt = self.conn.prepare_cached(&unanswered_items_sql())?;
        let rows = stmt.query_map(params![from, to, max_id], item_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// (hour since the epoch, items) for hours from `from_hour` with at least `min_items` items.
    ///
    /// Items stamped exactly midnight UTC are left out: that is what a date without a time
    /// becomes on import, and a day's worth of them would look like a midnight spike.
    pub fn busy_hours(
        &self,
        business_id: BusinessId,
        from_hour: i64,
        min_items: i64,
    ) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT created_at / 3600 AS h, count(*) FROM reviews
             WHERE business_id = ?1 AND created_at >= ?2 AND removed_at IS NULL
               AND created_at % 86400 != 0
             GROUP BY h HAVING count(*) >= ?3 ORDER BY h",
        )?;
        let rows = stmt.query_map(
            params![business_id, from_hour.saturating_mul(3600), min_items],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// (day, items) of a business from `from_day`, from the rollup.
    pub fn daily_counts(&self, business_id: BusinessId, from_day: i64) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT day, sum(count) FROM review_daily WHERE business_id = ?1 AND day >= ?2
             GROUP BY day ORDER BY day",
        )?;
        let rows = stmt.query_map(params![business_id, from_day], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Ids of a business's items written in `[from, to)`, as counted by [`Store::busy_hours`].
    pub fn review_ids_in(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
    ) -> Result<Vec<ReviewId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM reviews
             WHERE business_id = ?1 AND created_at >= ?2 AND created_at < ?3
               AND removed_at IS NULL AND created_at % 86400 != 0
             ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map(params![business_id, from, to], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// [`Store::unanswered_items`]' query.
fn unanswered_items_sql() -> String {
    format!(
        "SELECT {ITEM_COLUMNS}, NULL FROM reviews r JOIN businesses b ON b.id = r.business_id
         WHERE r.business_id IN (SELECT id FROM businesses WHERE is_competitor = 0)
           AND r.created_at > ?1 AND r.created_at <= ?2 AND r.id <= ?3
           AND r.kind = 'review' AND r.replied_at IS NULL AND r.removed_at IS NULL
         ORDER BY r.id"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reply-deadline check reads a range of each owned business's time index, not every
    /// review (there is no time index of all reviews: migrations 0008 and 0009).
    #[test]
    fn unanswered_items_read_a_range_of_each_business_time_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).unwrap();
        let plan = store.query_plan(&unanswered_items_sql(), params![0, 86_400, 10]);
        assert!(
            plan.iter().any(|l| l.contains("reviews_by_business_time")
                && l.contains("created_at>? AND created_at<?")),
            "{plan:?}"
        );
    }
}
