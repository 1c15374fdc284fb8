//! Alert channels and their deliveries on the team store: the SQLite store's `store/channels.rs`,
//! method for method (same names, signatures and results), in PostgreSQL's own SQL.
//!
//! A channel is the team's (a shared inbox, the team chat's webhook): one delivery row per
//! (channel, alert), added with `ON CONFLICT DO NOTHING` by whichever seat runs first. A seat
//! claims a due row in one statement whose inner `SELECT … FOR UPDATE SKIP LOCKED` picks a row no
//! other seat holds, so of two seats delivering at once exactly one sends each message; a row
//! another seat has just sent no longer matches `state = 'pending'` when re-read under the lock.
//! No secret is read or written here: an e-mail channel's password stays in the keyring of each
//! seat that sends.

use postgres::Row;
use serde_json::Value as Json;

use super::PgStore;
use crate::channels::{Channel, ChannelId, ChannelKind, Delivery, NewChannel};
use crate::model::alerts::{AlertId, AlertKind, QuietHours};
use crate::store::reviews::from_unix;
use crate::store::{Claimed, Result};

const CHANNEL_COLUMNS: &str = "c.id, c.kind, c.target, c.settings, c.kinds, c.quiet_start, \
     c.quiet_end, c.digest_hour, c.created_at, \
     (SELECT count(*) FROM alert_deliveries d WHERE d.channel_id = c.id AND d.state = 'sent'), \
     (SELECT count(*) FROM alert_deliveries d WHERE d.channel_id = c.id \
        AND d.state IN ('pending', 'sending')), \
     (SELECT count(*) FROM alert_deliveries d WHERE d.channel_id = c.id AND d.state = 'failed'), \
     (SELECT max(sent_at) FROM alert_deliveries d WHERE d.channel_id = c.id), \
     (SELECT d.last_error FROM alert_deliveries d WHERE d.channel_id = c.id \
        AND d.last_error IS NOT NULL ORDER BY coalesce(d.claimed_at, 0) DESC LIMIT 1), \
     c.unconfirmed";

/// An hour column (0–23, checked by the table) as the model's `u8`.
fn hour(v: Option<i32>) -> Option<u8> {
    v.and_then(|h| u8::try_from(h).ok())
}

fn channel_from_row(r: &Row) -> Channel {
    let kind: String = r.get(1);
    let settings: String = r.get(3);
    let kinds: Option<String> = r.get(4);
    let quiet = (hour(r.get(5)), hour(r.get(6)));
    Channel {
        id: r.get(0),
        kind: ChannelKind::parse(&kind).unwrap_or(ChannelKind::Webhook),
        target: r.get(2),
        settings: serde_json::from_str(&settings).unwrap_or(Json::Null),
        kinds: kinds.map(|k| k.split(',').filter_map(AlertKind::parse).collect()),
        quiet_hours: match quiet {
            (Some(start_hour), Some(end_hour)) => Some(QuietHours {
                start_hour,
                end_hour,
            }),
            _ => None,
        },
        digest_hour: hour(r.get(7)),
        created_at: from_unix(r.get(8)),
        sent: r.get(9),
        pending: r.get(10),
        failed: r.get(11),
        last_sent_at: r.get::<_, Option<i64>>(12).map(from_unix),
        last_error: r.get(13),
        unconfirmed: r.get(14),
    }
}

fn claimed_from_row(r: &Row) -> Claimed {
    Claimed {
        alert_id: r.get(0),
        attempts: u32::try_from(r.get::<_, i32>(1)).unwrap_or(0),
    }
}

/// The channel's kinds as the table keeps them: comma-separated, `NULL` for every kind.
fn kinds_text(kinds: Option<&Vec<AlertKind>>) -> Option<String> {
    kinds.map(|ks| ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","))
}

impl PgStore {
    /// Stores a new channel; returns its id.
    pub fn add_alert_channel(&self, c: &NewChannel, now: i64) -> Result<ChannelId> {
        let hours = |h: Option<u8>| h.map(i32::from);
        Ok(self
            .client()
            .query_one(
                "INSERT INTO alert_channels (kind, target, settings, kinds, quiet_start,
                                             quiet_end, digest_hour, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &c.kind.as_str(),
                    &c.target,
                    &c.settings.to_string(),
                    &kinds_text(c.kinds.as_ref()),
                    &hours(c.quiet_hours.map(|q| q.start_hour)),
                    &hours(c.quiet_hours.map(|q| q.end_hour)),
                    &hours(c.digest_hour),
                    &now,
                ],
            )?
            .get(0))
    }

    /// Every channel with its delivery figures, oldest first.
    pub fn alert_channels(&self) -> Result<Vec<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM alert_channels c ORDER BY c.id");
        Ok(self
            .client()
            .query(&sql, &[])?
            .iter()
            .map(channel_from_row)
            .collect())
    }

    pub fn alert_channel(&self, id: ChannelId) -> Result<Option<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM alert_channels c WHERE c.id = $1");
        Ok(self
            .client()
            .query_opt(&sql, &[&id])?
            .as_ref()
            .map(channel_from_row))
    }

    /// Confirms a channel a restore changed: it is sent to again, with its password.
    pub fn confirm_alert_channel(&self, id: ChannelId) -> Result<bool> {
        let n = self.client().execute(
            "UPDATE alert_channels SET unconfirmed = NULL WHERE id = $1",
            &[&id],
        )?;
        Ok(n == 1)
    }

    /// Removes a channel and its deliveries; `false` when there was none.
    pub fn remove_alert_channel(&self, id: ChannelId) -> Result<bool> {
        let n = self
            .client()
            .execute("DELETE FROM alert_channels WHERE id = $1", &[&id])?;
        Ok(n == 1)
    }

    /// Adds a pending delivery to `channel` for every alert not dismissed whose data is at least
    /// as recent as `since` and whose kind the channel wants; alerts that already have one (from
    /// this seat or another) are left alone. Returns how many rows were added.
    pub fn queue_alert_deliveries(
        &self,
        channel: &Channel,
        since: i64,
        next_at: i64,
    ) -> Result<usize> {
        let kinds: Option<Vec<&str>> = channel
            .kinds
            .as_ref()
            .map(|ks| ks.iter().map(|k| k.as_str()).collect());
        Ok(self.client().execute(
            "INSERT INTO alert_deliveries (channel_id, alert_id, state, next_at)
             SELECT $1, a.id, 'pending', $3 FROM alerts a
             WHERE a.created_at >= $2 AND a.state <> 'dismissed'
               AND ($4::text[] IS NULL OR a.kind = ANY($4))
             ON CONFLICT (channel_id, alert_id) DO NOTHING",
            &[&channel.id, &since, &next_at, &kinds],
        )? as usize)
    }

    /// Claims the next due delivery of a channel (`pending` → `sending`, one more attempt) in one
    /// statement; `None` when nothing is due or other seats hold every due row.
    pub fn claim_alert_delivery(&self, channel: ChannelId, now: i64) -> Result<Option<Claimed>> {
        Ok(self
            .client()
            .query_opt(
                "UPDATE alert_deliveries d SET state = 'sending', attempts = d.attempts + 1,
                     claimed_at = $2
                 WHERE d.state = 'pending' AND (d.channel_id, d.alert_id) = (
                     SELECT x.channel_id, x.alert_id FROM alert_deliveries x
                     WHERE x.channel_id = $1 AND x.state = 'pending' AND x.next_at <= $2
                       AND NOT EXISTS (SELECT 1 FROM alerts a
                                       WHERE a.id = x.alert_id AND a.state = 'dismissed')
                     ORDER BY x.alert_id LIMIT 1
                     FOR UPDATE SKIP LOCKED)
                 RETURNING d.alert_id, d.attempts",
                &[&channel, &now],
            )?
            .as_ref()
            .map(claimed_from_row))
    }

    /// Claims every due delivery of a channel at once, for one digest message; rows another
    /// seat holds are skipped (that seat sends them).
    pub fn claim_alert_digest(&self, channel: ChannelId, now: i64) -> Result<Vec<Claimed>> {
        let mut out: Vec<Claimed> = self
            .client()
            .query(
                "UPDATE alert_deliveries d SET state = 'sending', attempts = d.attempts + 1,
                     claimed_at = $2
                 FROM (SELECT x.channel_id, x.alert_id FROM alert_deliveries x
                       WHERE x.channel_id = $1 AND x.state = 'pending' AND x.next_at <= $2
                         AND NOT EXISTS (SELECT 1 FROM alerts a
                                         WHERE a.id = x.alert_id AND a.state = 'dismissed')
                       FOR UPDATE SKIP LOCKED) due
                 WHERE d.channel_id = due.channel_id AND d.alert_id = due.alert_id
                   AND d.state = 'pending'
                 RETURNING d.alert_id, d.attempts",
                &[&channel, &now],
            )?
            .iter()
            .map(claimed_from_row)
            .collect();
        out.sort_by_key(|c| c.alert_id);
        Ok(out)
    }

    /// Records that claimed deliveries went out.
    pub fn record_alert_sent(&self, channel: ChannelId, alerts: &[AlertId], at: i64) -> Result<()> {
        self.client().execute(
            "UPDATE alert_deliveries SET state = 'sent', sent_at = $3, last_error = NULL
             WHERE channel_id = $1 AND alert_id = ANY($2) AND state = 'sending'",
            &[&channel, &alerts, &at],
        )?;
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
        self.client().execute(
            "UPDATE alert_deliveries
             SET state = CASE WHEN $4::bigint IS NULL THEN 'failed' ELSE 'pending' END,
                 next_at = coalesce($4, next_at), last_error = $3
             WHERE channel_id = $1 AND alert_id = ANY($2) AND state = 'sending'",
            &[&channel, &alerts, &error, &retry_at],
        )?;
        Ok(())
    }

    /// Deliveries claimed before `before` and never recorded: the seat that claimed them stopped
    /// mid-send, so they may have arrived. Marked failed, never sent again. Returns how many.
    pub fn abandon_stale_alert_deliveries(&self, before: i64) -> Result<usize> {
        Ok(self.client().execute(
            "UPDATE alert_deliveries SET state = 'failed',
                 last_error = 'interrupted while sending: it may or may not have arrived'
             WHERE state = 'sending' AND claimed_at < $1",
            &[&before],
        )? as usize)
    }

    /// A channel's deliveries, newest alert first.
    pub fn alert_deliveries(&self, channel: ChannelId) -> Result<Vec<Delivery>> {
        Ok(self
            .client()
            .query(
                "SELECT alert_id, state, attempts, last_error FROM alert_deliveries
                 WHERE channel_id = $1 ORDER BY alert_id DESC",
                &[&channel],
            )?
            .iter()
            .map(|r| Delivery {
                alert_id: r.get(0),
                state: r.get(1),
                attempts: u32::try_from(r.get::<_, i32>(2)).unwrap_or(0),
                last_error: r.get(3),
            })
            .collect())
    }
}
