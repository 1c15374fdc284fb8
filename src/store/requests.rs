//! Review requests (issue 29): the owner's customer list, the review links set by hand, and the
//! record of each request. The rules (who is eligible, what counts as a response) live in
//! [`crate::requests`]; this file only keeps the rows, and keeps the one promise that needs the
//! database: a request is recorded in the same statement that checks the customer may be asked,
//! so two runs (or two processes) never both ask the same person.

use rusqlite::{params, Row};

use super::{Result, Store};
use crate::model::BusinessId;
use crate::requests::{Customer, NewCustomer, RequestRow, ReviewSeen, Via};

const CUSTOMER_COLUMNS: &str = "c.id, c.name, c.email, c.phone, c.visited_at, c.opt_out,
    (SELECT max(q.created_at) FROM review_requests q
     WHERE q.customer_id = c.id AND q.state <> 'failed')";

fn customer_from_row(r: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        phone: r.get(3)?,
        visited_at: r.get(4)?,
        opt_out: r.get(5)?,
        last_asked_at: r.get(6)?,
    })
}

/// What an import of the customer list changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CustomersImported {
    pub added: usize,
    pub updated: usize,
}

impl Store {
    /// Sets the review link of one of the business's profiles by hand.
    pub fn set_request_link(
        &self,
        business: BusinessId,
        platform: &str,
        url: &str,
        now: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO request_links (business_id, platform, url, set_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (business_id, platform) DO UPDATE SET url = excluded.url,
                 set_at = excluded.set_at",
            params![business, platform, url, now],
        )?;
        Ok(())
    }

    /// The links set by hand for the business, as (display platform, URL).
    pub fn request_links(&self, business: BusinessId) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT platform, url FROM request_links WHERE business_id = ?1 ORDER BY platform",
        )?;
        let rows = stmt.query_map([business], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds or updates the customers in one transaction: all of them or none. A customer
    /// already on the list (same e-mail, else phone, else name) keeps what the new row leaves
    /// empty, the later visit, and an opt-out for good.
    pub fn import_customers(
        &self,
        business: BusinessId,
        customers: &[NewCustomer],
        now: i64,
    ) -> Result<CustomersImported> {
        let tx = self.conn.unchecked_transaction()?;
        let mut out = CustomersImported::default();
        {
            let mut exists = tx.prepare_cached(
                "SELECT count(*) FROM customers WHERE business_id = ?1 AND contact_key = ?2",
            )?;
            let mut upsert = tx.prepare_cached(
                "INSERT INTO customers (business_id, name, email, phone, visited_at, opt_out,
                     name_key, contact_key, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (business_id, contact_key) DO UPDATE SET
                     name = excluded.name, name_key = excluded.name_key,
                     email = coalesce(excluded.email, email),
                     phone = coalesce(excluded.phone, phone),
                     visited_at = max(coalesce(excluded.visited_at, visited_at),
                                      coalesce(visited_at, excluded.visited_at)),
                     opt_out = max(opt_out, excluded.opt_out),
                     imported_at = excluded.imported_at",
            )?;
            for c in customers {
                let known: i64 =
                    exists.query_row(params![business, c.contact_key], |r| r.get(0))?;
                upsert.execute(params![
                    business,
                    c.name,
                    c.email,
                    c.phone,
                    c.visited_at,
                    c.opt_out,
                    c.name_key,
                    c.contact_key,
                    now
                ])?;
                if known > 0 {
                    out.updated += 1;
                } else {
                    out.added += 1;
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// The business's customers, by name, each with when they were last asked.
    pub fn customers(&self, business: BusinessId) -> Result<Vec<Customer>> {
        let sql = format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers c WHERE c.business_id = ?1
             ORDER BY c.name COLLATE NOCASE, c.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([business], customer_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records a request to `customer` before it goes out, in one statement that also checks
    /// the customer may be asked: not opted out, and not asked since `asked_since` (a request
    /// that failed does not count). `None` when they may not, so nothing is sent. The row is
    /// `sending` for an e-mail (then [`Store::finish_request`]) and `prepared` for a text the
    /// owner sends by hand.
    #[allow(clippy::too_many_arguments)]
    pub fn claim_request(
        &self,
        business: BusinessId,
        customer: i64,
        platform: &str,
        via: Via,
        link: &str,
        asked_since: i64,
        now: i64,
    ) -> Result<Option<i64>> {
        let state = if via == Via::Email {
            "sending"
        } else {
            "prepared"
        };
        let n = self
            .conn
            .prepare_cached(
                "INSERT INTO review_requests (business_id, customer_id, platform, via, state, link,
                 created_at)
             SELECT ?1, c.id, ?3, ?4, ?5, ?6, ?8 FROM customers c
             WHERE c.id = ?2 AND c.business_id = ?1 AND c.opt_out = 0
               AND NOT EXISTS (SELECT 1 FROM review_requests q
                               WHERE q.customer_id = c.id AND q.state <> 'failed'
                                 AND q.created_at > ?7)",
            )?
            .execute(params![
                business,
                customer,
                platform,
                via.as_str(),
                state,
                link,
                asked_since,
                now
            ])?;
        Ok((n == 1).then(|| self.conn.last_insert_rowid()))
    }

    /// Records how a claimed e-mail went: `sent`, or `failed` with the reason.
    pub fn finish_request(&self, id: i64, error: Option<&str>, now: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE review_requests
                 SET state = CASE WHEN ?2 IS NULL THEN 'sent' ELSE 'failed' END,
                     sent_at = CASE WHEN ?2 IS NULL THEN ?3 END, error = ?2
                 WHERE id = ?1 AND state = 'sending'",
            )?
            .execute(params![id, error, now])?;
        Ok(())
    }

    /// Every request of the business, oldest first, with the customer's folded name.
    pub fn review_requests(&self, business: BusinessId) -> Result<Vec<RequestRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT q.id, q.customer_id, c.name_key, q.platform, q.via, q.state, q.created_at,
                    q.error
             FROM review_requests q JOIN customers c ON c.id = q.customer_id
             WHERE q.business_id = ?1 ORDER BY q.created_at, q.id",
        )?;
        let rows = stmt.query_map([business], |r| {
            Ok(RequestRow {
                id: r.get(0)?,
                customer_id: r.get(1)?,
                name_key: r.get(2)?,
                platform: r.get(3)?,
                via: r.get(4)?,
                state: r.get(5)?,
                created_at: r.get(6)?,
                error: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The business's reviews (not mentions) written at or after `since`, oldest first: what
    /// attribution matches requests against.
    pub fn reviews_written_since(
        &self,
        business: BusinessId,
        since: i64,
    ) -> Result<Vec<ReviewSeen>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, author, rating, created_at, platform FROM reviews
             WHERE business_id = ?1 AND created_at >= ?2 AND kind = 'review'
             ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map(params![business, since], |r| {
            Ok(ReviewSeen {
                id: r.get(0)?,
                author: r.get(1)?,
                rating: r.get(2)?,
                created_at: r.get(3)?,
                platform: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
