//! Follow-ups (issue 29, migration 0018): the asks to a customer to update their review.
//!
//! [`Store::begin_follow_up`] is the one place that decides whether an ask may go out: one per
//! review unless the owner asks again (a new `round`), and a failed e-mail may be tried again in
//! its own round. It writes the row before anything is sent, in one immediate transaction, so two
//! processes (or a rerun after a crash) never both send.

use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};

use super::reviews::from_unix;
use super::{Result, Store};
use crate::model::replies::{FollowUp, FollowUpMethod, FollowUpState, NewFollowUp};
use crate::model::{BusinessId, ReviewId};

const COLUMNS: &str = "id, review_id, round, method, recipient, body, state, rating_at_ask, \
     asked_at, sent_at, last_error";

fn from_row(r: &Row<'_>) -> rusqlite::Result<FollowUp> {
    let method: String = r.get(3)?;
    let state: String = r.get(6)?;
    Ok(FollowUp {
        id: r.get(0)?,
        review_id: r.get(1)?,
        round: r.get(2)?,
        method: FollowUpMethod::parse(&method).unwrap_or(FollowUpMethod::ByHand),
        recipient: r.get(4)?,
        body: r.get(5)?,
        state: FollowUpState::parse(&state).unwrap_or(FollowUpState::Failed),
        rating_at_ask: r.get(7)?,
        asked_at: from_unix(r.get(8)?),
        sent_at: r.get::<_, Option<i64>>(9)?.map(from_unix),
        last_error: r.get(10)?,
    })
}

/// What [`Store::begin_follow_up`] decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Begun {
    /// The row is written (`sending` for an e-mail, `prepared` by hand): go ahead.
    Go(FollowUp),
    /// The review was already asked (and not asked again): nothing to do.
    Already(FollowUp),
}

impl Store {
    /// Every follow-up of a review, first ask first.
    pub fn follow_ups_of_review(&self, review_id: ReviewId) -> Result<Vec<FollowUp>> {
        let sql = format!("SELECT {COLUMNS} FROM follow_ups WHERE review_id = ?1 ORDER BY round");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([review_id], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The latest follow-up of each review of a business (or of every business), latest ask first.
    pub fn latest_follow_ups(&self, business_id: Option<BusinessId>) -> Result<Vec<FollowUp>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM follow_ups f
             WHERE f.round = (SELECT max(round) FROM follow_ups g WHERE g.review_id = f.review_id)
               AND (?1 IS NULL OR f.review_id IN (SELECT id FROM reviews WHERE business_id = ?1))
             ORDER BY f.asked_at DESC, f.id DESC"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([business_id], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records an ask before it is made. Without `again`, a review already asked is left alone
    /// ([`Begun::Already`]) unless its last ask failed, which is tried again in a new round.
    pub fn begin_follow_up(&self, new: &NewFollowUp, again: bool, now: i64) -> Result<Begun> {
        // Immediate: the check and the write see the same rows, whoever else asks at once.
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let sql = format!(
            "SELECT {COLUMNS} FROM follow_ups WHERE review_id = ?1 ORDER BY round DESC LIMIT 1"
        );
        let latest = tx
            .prepare_cached(&sql)?
            .query_row([new.review_id], from_row)
            .optional()?;
        if let Some(l) = &latest {
            if !again && l.state != FollowUpState::Failed {
                return Ok(Begun::Already(l.clone()));
            }
        }
        let round = latest.map_or(1, |l| l.round + 1);
        let state = match new.method {
            FollowUpMethod::Email => FollowUpState::Sending,
            FollowUpMethod::ByHand => FollowUpState::Prepared,
        };
        tx.prepare_cached(
            "INSERT INTO follow_ups (review_id, round, method, recipient, body, state,
                 rating_at_ask, asked_at, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL)",
        )?
        .execute(params![
            new.review_id,
            round,
            new.method.as_str(),
            new.recipient,
            new.body,
            state.as_str(),
            new.rating_at_ask,
            now
        ])?;
        let id = tx.last_insert_rowid();
        let row = tx
            .prepare_cached(&format!("SELECT {COLUMNS} FROM follow_ups WHERE id = ?1"))?
            .query_row([id], from_row)?;
        tx.commit()?;
        Ok(Begun::Go(row))
    }

    /// Records how an e-mail ask went: sent, or failed with the reason.
    pub fn finish_follow_up(&self, id: i64, error: Option<&str>, now: i64) -> Result<FollowUp> {
        let state = if error.is_some() {
            FollowUpState::Failed
        } else {
            FollowUpState::Sent
        };
        self.conn
            .prepare_cached(
                "UPDATE follow_ups SET state = ?2, last_error = ?3,
                     sent_at = CASE WHEN ?3 IS NULL THEN ?4 ELSE sent_at END
                 WHERE id = ?1",
            )?
            .execute(params![id, state.as_str(), error, now])?;
        let sql = format!("SELECT {COLUMNS} FROM follow_ups WHERE id = ?1");
        Ok(self.conn.prepare_cached(&sql)?.query_row([id], from_row)?)
    }
}
