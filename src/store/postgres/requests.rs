//! Review requests on the team store: the SQLite store's `store/requests.rs` (the owner's
//! customers, the review links set by hand, the record of each request), method for method, in
//! PostgreSQL's SQL.
//!
//! What differs, and why: **a customer is asked once for the team.** On a file one statement
//! checks and records a request, and SQLite runs one writer at a time. PostgreSQL runs two seats'
//! statements at once, and a single `INSERT … WHERE NOT EXISTS` reads a snapshot taken before
//! the other seat's row is committed, so both would ask. [`PgStore::claim_request`] therefore
//! locks the customer's row first (`FOR UPDATE`), then checks and records in a second
//! statement: its fresh snapshot sees whatever the seat that held the lock wrote. The lock lasts
//! two statements; the e-mail goes out after the commit, as on a file.

use postgres::Row;

use super::PgStore;
use crate::model::BusinessId;
use crate::requests::{Customer, NewCustomer, RequestRow, ReviewSeen, Via};
use crate::store::{CustomersImported, Result};

const CUSTOMER_COLUMNS: &str = "c.id, c.name, c.email, c.phone, c.visited_at, c.opt_out,
    (SELECT max(q.created_at) FROM review_requests q
     WHERE q.customer_id = c.id AND q.state <> 'failed')";

fn customer_from_row(r: &Row) -> Customer {
    Customer {
        id: r.get(0),
        name: r.get(1),
        email: r.get(2),
        phone: r.get(3),
        visited_at: r.get(4),
        opt_out: r.get(5),
        last_asked_at: r.get(6),
    }
}

impl PgStore {
    /// Sets the review link of one of the business's profiles by hand.
    pub fn set_request_link(
        &self,
        business: BusinessId,
        platform: &str,
        url: &str,
        now: i64,
    ) -> Result<()> {
        self.client().execute(
            "INSERT INTO request_links (business_id, platform, url, set_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (business_id, platform) DO UPDATE SET url = excluded.url,
                 set_at = excluded.set_at",
            &[&business, &platform, &url, &now],
        )?;
        Ok(())
    }

    /// The links set by hand for the business, as (display platform, URL), in SQLite's byte
    /// order.
    pub fn request_links(&self, business: BusinessId) -> Result<Vec<(String, String)>> {
        let rows = self.client().query(
            "SELECT platform, url FROM request_links WHERE business_id = $1
             ORDER BY platform COLLATE \"C\"",
            &[&business],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Adds or updates the customers in one transaction: all of them or none, with the file's
    /// merge rules (what the new row leaves empty is kept, the later visit, an opt-out for good).
    /// Whether a row was added or updated is read from the upsert itself: a row the statement
    /// inserted has no `xmax`; one it updated has this transaction's.
    pub fn import_customers(
        &self,
        business: BusinessId,
        customers: &[NewCustomer],
        now: i64,
    ) -> Result<CustomersImported> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let upsert = tx.prepare(
            "INSERT INTO customers (business_id, name, email, phone, visited_at, opt_out,
                 name_key, contact_key, imported_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (business_id, contact_key) DO UPDATE SET
                 name = excluded.name, name_key = excluded.name_key,
                 email = coalesce(excluded.email, customers.email),
                 phone = coalesce(excluded.phone, customers.phone),
                 visited_at = greatest(excluded.visited_at, customers.visited_at),
                 opt_out = customers.opt_out OR excluded.opt_out,
                 imported_at = excluded.imported_at
             RETURNING xmax = 0",
        )?;
        let mut out = CustomersImported::default();
        for c in customers {
            let added: bool = tx
                .query_one(
                    &upsert,
                    &[
                        &business,
                        &c.name,
                        &c.email,
                        &c.phone,
                        &c.visited_at,
                        &c.opt_out,
                        &c.name_key,
                        &c.contact_key,
                        &now,
                    ],
                )?
                .get(0);
            if added {
                out.added += 1;
            } else {
                out.updated += 1;
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// The business's customers, by name (ASCII letters without case, as SQLite's `NOCASE`),
    /// each with when they were last asked.
    pub fn customers(&self, business: BusinessId) -> Result<Vec<Customer>> {
        let sql = format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers c WHERE c.business_id = $1
             ORDER BY translate(c.name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                                'abcdefghijklmnopqrstuvwxyz') COLLATE \"C\", c.id"
        );
        let rows = self.client().query(&sql, &[&business])?;
        Ok(rows.iter().map(customer_from_row).collect())
    }

    /// Records a request to `customer` before it goes out, when the customer may be asked: not
    /// opted out, and not asked since `asked_since` by any seat (a failed request does not
    /// count). `None` when they may not, so nothing is sent. See the module's note for the lock.
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
        let mut client = self.client();
        let mut tx = client.transaction()?;
        // Waits for a seat claiming the same customer; its request is then committed and seen
        // by the next statement's snapshot.
        let askable = tx.query_opt(
            "SELECT id FROM customers WHERE id = $1 AND business_id = $2 AND NOT opt_out
             FOR UPDATE",
            &[&customer, &business],
        )?;
        if askable.is_none() {
            return Ok(None);
        }
        let id = tx
            .query_opt(
                "INSERT INTO review_requests (business_id, customer_id, platform, via, state,
                     link, created_at)
                 SELECT $1, $2, $3, $4, $5, $6, $8
                 WHERE NOT EXISTS (SELECT 1 FROM review_requests q
                                   WHERE q.customer_id = $2 AND q.state <> 'failed'
                                     AND q.created_at > $7)
                 RETURNING id",
                &[
                    &business,
                    &customer,
                    &platform,
                    &via.as_str(),
                    &state,
                    &link,
                    &asked_since,
                    &now,
                ],
            )?
            .map(|r| r.get(0));
        tx.commit()?;
        Ok(id)
    }

    /// Records how a claimed e-mail went: `sent`, or `failed` with the reason.
    pub fn finish_request(&self, id: i64, error: Option<&str>, now: i64) -> Result<()> {
        self.client().execute(
            "UPDATE review_requests
             SET state = CASE WHEN $2::text IS NULL THEN 'sent' ELSE 'failed' END,
                 sent_at = CASE WHEN $2::text IS NULL THEN $3::bigint END, error = $2
             WHERE id = $1 AND state = 'sending'",
            &[&id, &error, &now],
        )?;
        Ok(())
    }

    /// Every request of the business, oldest first, with the customer's folded name.
    pub fn review_requests(&self, business: BusinessId) -> Result<Vec<RequestRow>> {
        let rows = self.client().query(
            "SELECT q.id, q.customer_id, c.name_key, q.platform, q.via, q.state, q.created_at,
                    q.error
             FROM review_requests q JOIN customers c ON c.id = q.customer_id
             WHERE q.business_id = $1 ORDER BY q.created_at, q.id",
            &[&business],
        )?;
        Ok(rows
            .iter()
            .map(|r| RequestRow {
                id: r.get(0),
                customer_id: r.get(1),
                name_key: r.get(2),
                platform: r.get(3),
                via: r.get(4),
                state: r.get(5),
                created_at: r.get(6),
                error: r.get(7),
            })
            .collect())
    }

    /// The business's reviews (not mentions) written at or after `since`, oldest first: what
    /// attribution matches requests against.
    pub fn reviews_written_since(
        &self,
        business: BusinessId,
        since: i64,
    ) -> Result<Vec<ReviewSeen>> {
        let rows = self.client().query(
            "SELECT id, author, rating, created_at, platform FROM reviews
             WHERE business_id = $1 AND created_at >= $2 AND kind = 'review'
             ORDER BY created_at, id",
            &[&business, &since],
        )?;
        Ok(rows
            .iter()
            .map(|r| ReviewSeen {
                id: r.get(0),
                author: r.get(1),
                rating: r.get(2),
                created_at: r.get(3),
                platform: r.get(4),
            })
            .collect())
    }
}
