//! Alert channels and their deliveries (issue 28, migration 0011).
//!
//! A delivery row is the promise that one alert reaches one channel once. Rows are added with
//! `INSERT OR IGNORE` on `(channel_id, alert_id)`, so repeated runs add nothing; a run claims a row
//! in one `UPDATE … RETURNING` (`pending` → `sending`) before anything goes out, so of two
//! processes on the same database (the app and the CLI, or `earshot watch`) exactly one sends it.
//! No secret is read or written here: an e-mail password lives in the secret store.

use rusqlite::{params, OptionalExtension, Row};
use serde_json::Value as Json;

use super::{Result, Store};
use crate::channels::{Channel, ChannelId, ChannelKind, Delivery, NewChannel};
use crate::model::alerts::{AlertId, AlertKind, QuietHours};

const CHANNEL_COLUMNS: &str = "c.id, c.kind, c.target, c.settings, c.kinds, c.quiet_start, \
     c.quiet_end, c.digest_hour, c.created_at, \
     (SELECT count(*) FROM alert_deliveries d WHERE d.channel_id = c.id AND d.state = 'sent'), \
     (SELECT count(*) FROM alert_deliveries d WHERE d.channel_id = c.id \
        AND (d.state = 'pending' OR d.state = 'sending')), \
     (SELECT count(*) FROM alert_deliveries d WHERE d.channel_id = c.id AND d.state = 'failed'), \
     (SELECT max(sent_at) FROM alert_deliveries d WHERE d.channel_id = c.id), \
     (SELECT d.last_error FROM alert_deliveries d WHERE d.channel_id = c.id \
        AND d.last_error IS NOT NULL ORDER BY coalesce(d.claimed_at, 0) DESC LIMIT 1), \
     c.unconfirmed";

fn channel_from_row(r: &Row<'_>) -> rusqlite::Result<Channel> {
    let kind: String = r.get(1)?;
    let settings: String = r.get(3)?;
    let kinds: Option<String> = r.get(4)?;
    let quiet: (Option<u8>, Option<u8>) = (r.get(5)?, r.get(6)?);
    Ok(Channel {
        id: r.get(0)?,
        kind: ChannelKind::parse(&kind).unwrap_or(ChannelKind::Webhook),
        target: r.get(2)?,
        settings: serde_json::from_str(&settings).unwrap_or(Json::Null),
        kinds: kinds.map(|k| k.split(',').filter_map(AlertKind::parse).collect()),
        quiet_hours: match quiet {
            (Some(start_hour), Some(end_hour)) => Some(QuietHours {
                start_hour,
                end_hour,
            }),
            _ => None,
        },
        digest_hour: r.get(7)?,
        created_at: super::reviews::from_unix(r.get(8)?),
        sent: r.get(9)?,
        pending: r.get(10)?,
        failed: r.get(11)?,
        last_sent_at: r.get::<_, Option<i64>>(12)?.map(super::reviews::from_unix),
        last_error: r.get(13)?,
        unconfirmed: r.get(14)?,
    })
}

/// A claimed delivery: the alert, and how many attempts it has had counting this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimed {
    pub alert_id: AlertId,
    pub attempts: u32,
}

impl Store {
    /// Stores a new channel; returns its id.
    pub fn add_alert_channel(&self, c: &NewChannel, now: i64) -> Result<ChannelId> {
        let kinds = c
            .kinds
            .as_ref()
            .map(|ks| ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","));
        self.conn
            .prepare_cached(
                "INSERT INTO alert_channels (kind, target, settings, kinds, quiet_start, quiet_end,
                                             digest_hour, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                c.kind.as_str(),
                c.target,
                c.settings.to_string(),
                kinds,
                c.quiet_hours.map(|q| q.start_hour),
                c.quiet_hours.map(|q| q.end_hour),
                c.digest_hour,
                now
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Every channel with its delivery figures, oldest first.
    pub fn alert_channels(&self) -> Result<Vec<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM alert_channels c ORDER BY c.id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], channel_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn alert_channel(&self, id: ChannelId) -> Result<Option<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM alert_channels c WHERE c.id = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], channel_from_row)
            .optional()?)
    }

    /// Confirms a channel a restore changed: it is sent to again, with its password.
    pub fn confirm_alert_channel(&self, id: ChannelId) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached("UPDATE alert_channels SET unconfirmed = NULL WHERE id = ?1")?
            .execute([id])?;
        Ok(n == 1)
    }

    /// Removes a channel and its deliveries; `false` when there was none.
    pub fn remove_alert_channel(&self, id: ChannelId) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached("DELETE FROM alert_channels WHERE id = ?1")?
            .execute([id])?;
        Ok(n == 1)
    }

    /// Adds a pending delivery to `channel` for every alert not dismissed whose data is at least
    /// as recent as `since` (Unix seconds) and whose kind the channel wants; alerts that already
    /// have one are left alone. `next_at` is when the new rows may go (now, or the next digest).
    /// Returns how many rows were added.
    pub fn queue_alert_deliveries(
        &self,
        channel: &Channel,
        since: i64,
        next_at: i64,
    ) -> Result<usize> {
        let kinds = channel
            .kinds
            .as_ref()
            .map(|ks| ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","));
        Ok(self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO alert_deliveries (channel_id, alert_id, state, next_at)
                 SELECT ?1, a.id, 'pending', ?3 FROM alerts a
                 WHERE a.created_at >= ?2 AND a.state != 'dismissed'
                   AND (?4 IS NULL OR instr(',' || ?4 || ',', ',' || a.kind || ',') > 0)",
            )?
            .execute(params![channel.id, since, next_at, kinds])?)
    }

    /// Claims the next due delivery of a channel (`pending` → `sending`, one more attempt) in one
    /// statement; `None` when nothing is due or another process took it.
    pub fn claim_alert_delivery(&self, channel: ChannelId, now: i64) -> Result<Option<Claimed>> {
        Ok(self
            .conn
            .prepare_cached(
                "UPDATE alert_deliveries SET state = 'sending', attempts = attempts + 1,
                     claimed_at = ?2
                 WHERE channel_id = ?1 AND state = 'pending' AND alert_id = (
                     SELECT alert_id FROM alert_deliveries
                     WHERE channel_id = ?1 AND state = 'pending' AND next_at <= ?2
                       AND alert_id NOT IN (SELECT id FROM alerts WHERE state = 'dismissed')
                     ORDER BY alert_id LIMIT 1)
                 RETURNING alert_id, attempts",
            )?
            .query_row(params![channel, now], |r| {
                Ok(Claimed {
                    alert_id: r.get(0)?,
                    attempts: r.get(1)?,
                })
            })
            .optional()?)
    }

    /// Claims every due delivery of a channel at once, for one digest message.
    pub fn claim_alert_digest(&self, channel: ChannelId, now: i64) -> Result<Vec<Claimed>> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE alert_deliveries SET state = 'sending', attempts = attempts + 1, claimed_at = ?2
             WHERE channel_id = ?1 AND state = 'pending' AND next_at <= ?2
               AND alert_id NOT IN (SELECT id FROM alerts WHERE state = 'dismissed')
             RETURNING alert_id, attempts",
        )?;
        let rows = stmt.query_map(params![channel, now], |r| {
            Ok(Claimed {
                alert_id: r.get(0)?,
                attempts: r.get(1)?,
            })
        })?;
        let mut out: Vec<Claimed> = rows.collect::<rusqlite::Result<_>>()?;
        out.sort_by_key(|c| c.alert_id);
        Ok(out)
    }

    /// Records that claimed deliveries went out.
    pub fn record_alert_sent(&self, channel: ChannelId, alerts: &[AlertId], at: i64) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE alert_deliveries SET state = 'sent', sent_at = ?3, last_error = NULL
                 WHERE channel_id = ?1 AND alert_id = ?2 AND state = 'sending'",
            )?;
            for a in alerts {
                stmt.execute(params![channel, a, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a failed attempt: back to `pending` until `retry_at`, or `failed` for good when
    /// `retry_at` is `None`.
    pub fn record_alert_failure(
        &self,
        channel: ChannelId,
        alerts: &[AlertId],
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE alert_deliveries
                 SET state = CASE WHEN ?4 IS NULL THEN 'failed' ELSE 'pending' END,
                     next_at = coalesce(?4, next_at), last_error = ?3
                 WHERE channel_id = ?1 AND alert_id = ?2 AND state = 'sending'",
            )?;
            for a in alerts {
                stmt.execute(params![channel, a, error, retry_at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Deliveries claimed before `before` and never recorded: the process that claimed them
    /// stopped mid-send, so they may have arrived. They are marked failed, never sent again
    /// (a duplicate is worse than a visible failure). Returns how many.
    pub fn abandon_stale_alert_deliveries(&self, before: i64) -> Result<usize> {
        Ok(self
            .conn
            .prepare_cached(
                "UPDATE alert_deliveries SET state = 'failed',
                     last_error = 'interrupted while sending: it may or may not have arrived'
                 WHERE state = 'sending' AND claimed_at < ?1",
            )?
            .execute([before])?)
    }

    /// A channel's deliveries, newest alert first: what the app shows under a failing channel.
    pub fn alert_deliveries(&self, channel: ChannelId) -> Result<Vec<Delivery>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT alert_id, state, attempts, last_error FROM alert_deliveries
             WHERE channel_id = ?1 ORDER BY alert_id DESC",
        )?;
        let rows = stmt.query_map([channel], |r| {
            Ok(Delivery {
                alert_id: r.get(0)?,
                state: r.get(1)?,
                attempts: r.get(2)?,
                last_error: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
