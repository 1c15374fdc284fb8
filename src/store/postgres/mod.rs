//! The team store: the same concepts as the SQLite store, on a PostgreSQL database that several
//! seats share (issue 31). The only other module with SQL, beside `store/`'s SQLite files.
//!
//! [`PgStore::open`] connects, refuses a schema newer than this build knows and applies the
//! numbered migrations of `postgres/migrations/` it lacks, in one transaction under an
//! advisory lock: two seats opening a new database at once migrate it once. The client is the
//! synchronous `postgres` crate, as the SQLite store is synchronous: the action layer calls
//! either store the same way, from the CLI's main thread or the app's blocking pool.
//!
//! One file per concept, as in the SQLite store: businesses and sources here, reviews (the
//! COPY-fed write path, the listing and the search) in `reviews`, the headline figures in
//! `stats`.

mod alerts;
mod channels;
mod claims;
#[cfg(unix)]
pub mod cluster;
mod demo;
mod follow_ups;
mod insights;
pub mod listener;
mod migrate;
mod replies;
mod requests;
mod restore;
mod reviews;
mod seat;
mod settings;
mod sources;
mod stats;
mod team;
mod tls;
mod topics;
mod trust;

use std::sync::{Mutex, MutexGuard, PoisonError};

use postgres::{Client, Row};

use super::{now_unix, Result, StoreError};
use crate::model::{Business, BusinessId, SourceId};

pub use claims::SyncClaim;
pub use reviews::PgReviewWriter;
pub use seat::SignedInPerson;
pub use team::{team_password, Change, Member, Role};

/// The migrations of the PostgreSQL store, in order; its schema version is how many are applied.
/// Numbered on their own: the two stores' schemas differ where each engine does better.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_foundation",
        include_str!("migrations/0001_foundation.sql"),
    ),
    (
        "0002_settings",
        include_str!("migrations/0002_settings.sql"),
    ),
    (
        "0003_sources_sync",
        include_str!("migrations/0003_sources_sync.sql"),
    ),
    ("0004_alerts", include_str!("migrations/0004_alerts.sql")),
    ("0005_replies", include_str!("migrations/0005_replies.sql")),
    (
        "0006_insights",
        include_str!("migrations/0006_insights.sql"),
    ),
    ("0007_people", include_str!("migrations/0007_people.sql")),
    ("0008_scale", include_str!("migrations/0008_scale.sql")),
    (
        "0009_owner_topics",
        include_str!("migrations/0009_owner_topics.sql"),
    ),
    (
        "0010_requests_and_follow_ups",
        include_str!("migrations/0010_requests_and_follow_ups.sql"),
    ),
    (
        "0011_deliveries_and_notified",
        include_str!("migrations/0011_deliveries_and_notified.sql"),
    ),
    (
        "0012_import_speed",
        include_str!("migrations/0012_import_speed.sql"),
    ),
    (
        "0013_review_assignment",
        include_str!("migrations/0013_review_assignment.sql"),
    ),
];

/// The schema version this build writes on PostgreSQL.
pub const PG_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The advisory lock key that serialises migrations between seats ("earshot" in ASCII).
const MIGRATION_LOCK: i64 = 0x0065_6172_7368_6f74;

/// Runs a team-store call off any tokio runtime running on this thread. The `postgres` client
/// drives a runtime of its own and panics when called where one already runs, which is where
/// the outbox's `async` code (inside `actions::block_on`) and the sync's tasks call their store. There the call hops to
/// a short-lived scoped thread (tens of microseconds, beside a network round trip to the
/// database); elsewhere it runs here.
pub(crate) fn off_runtime<T: Send>(call: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return call();
    }
    std::thread::scope(|s| {
        s.spawn(call)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// A value (a team store, a connection) dropped off any tokio runtime however its owner ends:
/// an `async` round holds its store across awaits and may itself be dropped mid-way (a watcher
/// stopping after its grace), and the `postgres` client closes on a runtime of its own, which
/// panics where one already runs ([`off_runtime`]).
pub(crate) struct DropOffRuntime<T: Send>(Option<T>);

impl<T: Send> DropOffRuntime<T> {
    pub(crate) fn new(value: T) -> Self {
        DropOffRuntime(Some(value))
    }

    /// The value, its drop now the caller's.
    pub(crate) fn into_inner(mut self) -> T {
        self.0.take().expect("held until dropped")
    }
}

impl<T: Send> std::ops::Deref for DropOffRuntime<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0.as_ref().expect("held until dropped")
    }
}

impl<T: Send> std::ops::DerefMut for DropOffRuntime<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.as_mut().expect("held until dropped")
    }
}

impl<T: Send> Drop for DropOffRuntime<T> {
    fn drop(&mut self) {
        if let Some(value) = self.0.take() {
            off_runtime(move || drop(value));
        }
    }
}

/// Whether `location` (what `--db` or `EARSHOT_DB` holds) names a PostgreSQL database rather
/// than a file.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgresql://") || location.starts_with("postgres://")
}

/// `url` without its password, for messages and the footer: user, host, port, database and
/// the parameters but a `password=` one.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (address, query) = match rest.split_once('?') {
        Some((address, query)) => (address, Some(query)),
        None => (rest, None),
    };
    // The user information ends at the authority's last '@': a password typed with a raw '@'
    // in it must not leave its tail behind as a host.
    let authority_end = address.find('/').unwrap_or(address.len());
    let address = match address[..authority_end].rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{user}@{host}{}", &address[authority_end..])
        }
        None => address.to_owned(),
    };
    let mut shown = format!("{scheme}://{address}");
    if let Some(query) = query {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| pair.split('=').next() != Some("password"))
            .collect();
        if !kept.is_empty() {
            shown.push('?');
            shown.push_str(&kept.join("&"));
        }
    }
    shown
}

/// An open team database.
pub struct PgStore {
    /// The `postgres` client takes `&mut self` for every call; the store's methods take `&self`
    /// like the SQLite store's, so callers treat both alike. Never held across a call. A mutex,
    /// not a `RefCell`, so the store is `Sync`: a call made where a tokio runtime runs (the
    /// outbox's awaits) must hop to another thread, since the client drives a runtime of its
    /// own (see `store/db/replies.rs`).
    client: Mutex<Client>,
    location: String,
    /// The address as given, password included, kept in memory only: an import opens more
    /// connections to it to write its batches in parallel (`PgReviewWriter`).
    url: Box<str>,
    /// `earshot migrate`'s target: each copied table's columns and declared types, read from
    /// the catalogue at its first page rather than at every page (`copy_in`).
    copy_types: Mutex<migrate::DeclaredTypes>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("location", &self.location)
            .finish()
    }
}

impl PgStore {
    /// Another connection to the same database, as the same person: a connection of its own
    /// for work that must not wait behind this one's calls (the live link's listening).
    pub fn open_again(&self) -> Result<PgStore> {
        PgStore::open(&self.url)
    }

    /// Whether the connection has ended (the server closed it, or it broke): a store kept
    /// between rounds is opened again then.
    pub fn is_closed(&self) -> bool {
        self.client().is_closed()
    }

    /// Connects to the database at `url` and brings its schema up to date.
    pub fn open(url: &str) -> Result<PgStore> {
        let location = redacted(url);
        // Encrypted as the URL's `sslmode` and `sslrootcert` ask, as psql reads them.
        let mut client = tls::connect(url, &location)?;
        // The server's notices (a search word that is a stop word in one language, an existing
        // temporary table) are for a person at psql, not for the owner.
        client.batch_execute("SET client_min_messages = warning")?;
        let store = PgStore {
            client: Mutex::new(client),
            location,
            url: url.into(),
            copy_types: Mutex::default(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Where the database is, without its password: what the app's footer shows.
    pub fn location(&self) -> &str {
        &self.location
    }

    pub(crate) fn client(&self) -> MutexGuard<'_, Client> {
        // A panic while it was held left nothing half-done on the server: the transaction,
        // if any, was dropped and rolled back.
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        let row = self
            .client()
            .query_one("SELECT coalesce(max(version), 0) FROM earshot_schema", &[])?;
        Ok(i64::from(row.get::<_, i32>(0)))
    }

    /// Applies the migrations the database lacks, each recorded in `earshot_schema`, all in one
    /// transaction under [`MIGRATION_LOCK`]: a failure leaves the old schema, and a seat that
    /// waited for another's migration finds nothing left to do.
    fn migrate(&self) -> Result<()> {
        // A current schema needs no lock and no CREATE: a person's login (issue 31's roles)
        // may not create tables, and most opens find nothing to do. A newer one is refused here
        // too, before the CREATE below would refuse such a login with a permission error rather
        // than "update Earshot".
        match self.schema_version_found()? {
            Some(found) if found == PG_SCHEMA_VERSION => return Ok(()),
            Some(found) if found > PG_SCHEMA_VERSION => return Err(self.schema_too_new(found)),
            _ => {}
        }
        let mut client = self.client();
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS earshot_schema (
                 version    integer PRIMARY KEY,
                 name       text NOT NULL,
                 applied_at bigint NOT NULL
             )",
        )?;
        let current: i32 = tx
            .query_one("SELECT coalesce(max(version), 0) FROM earshot_schema", &[])?
            .get(0);
        let current = i64::from(current);
        if current > PG_SCHEMA_VERSION {
            return Err(self.schema_too_new(current));
        }
        for (i, &(name, sql)) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let version = i as i32 + 1;
            tx.batch_execute(sql)
                .map_err(|error| StoreError::PgMigration { name, error })?;
            tx.execute(
                "INSERT INTO earshot_schema (version, name, applied_at) VALUES ($1, $2, $3)",
                &[&version, &name, &now_unix()],
            )?;
        }
        // Tables a migration added get the team's triggers, GRANTs and policies (see
        // 0007_people.sql; the policies do nothing before `team init`).
        if current < PG_SCHEMA_VERSION {
            tx.batch_execute(team::SECURE_TABLES)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The database's schema version, read without a lock; `None` before the first migration.
    fn schema_version_found(&self) -> Result<Option<i64>> {
        // Two statements: a query naming a table that does not exist fails while parsed.
        let exists: bool = self
            .client()
            .query_one("SELECT to_regclass('earshot_schema') IS NOT NULL", &[])?
            .get(0);
        if !exists {
            return Ok(None);
        }
        Ok(Some(self.schema_version()?))
    }

    /// The refusal of a schema `found` newer than this Earshot's: "update Earshot".
    fn schema_too_new(&self, found: i64) -> StoreError {
        StoreError::SchemaTooNew {
            path: self.location.clone().into(),
            found,
            known: PG_SCHEMA_VERSION,
        }
    }

    /// Brings the planner's statistics of the reviews and the rollup up to date: after a bulk
    /// write, before autovacuum would.
    pub fn analyze(&self) -> Result<()> {
        self.client()
            .batch_execute("ANALYZE reviews, review_daily, aspect_daily")?;
        Ok(())
    }

    /// Whether the database holds no reviews at all.
    pub fn is_empty(&self) -> Result<bool> {
        let rows = self.client().query("SELECT 1 FROM reviews LIMIT 1", &[])?;
        Ok(rows.is_empty())
    }
}

const BUSINESS_COLUMNS: &str = "id, name, is_competitor, category";

fn business_from_row(r: &Row) -> Business {
    Business {
        id: r.get(0),
        name: r.get(1),
        is_competitor: r.get(2),
        category: r.get(3),
    }
}

impl PgStore {
    /// Adds a business; a name already taken (case-insensitively) is an error.
    pub fn add_business(&self, name: &str, is_competitor: bool) -> Result<Business> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid {
                what: "business name",
                reason: "it is empty".into(),
            });
        }
        let sql = format!(
            "INSERT INTO businesses (name, is_competitor, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (lower(name)) DO NOTHING RETURNING {BUSINESS_COLUMNS}"
        );
        let row = self
            .client()
            .query_opt(sql.as_str(), &[&name, &is_competitor, &now_unix()])?;
        row.map(|r| business_from_row(&r))
            .ok_or_else(|| StoreError::DuplicateBusiness(name.to_owned()))
    }

    /// The business with this name, created as the owner's own when missing. Two seats that
    /// ensure one name at once get the same business (the unique index decides).
    pub fn ensure_business(&self, name: &str) -> Result<Business> {
        if let Some(b) = self.find_business(name)? {
            return Ok(b);
        }
        match self.add_business(name, false) {
            Err(StoreError::DuplicateBusiness(_)) => self.business_by_name(name),
            other => other,
        }
    }

    pub fn find_business(&self, name: &str) -> Result<Option<Business>> {
        let sql =
            format!("SELECT {BUSINESS_COLUMNS} FROM businesses WHERE lower(name) = lower($1)");
        let row = self.client().query_opt(sql.as_str(), &[&name.trim()])?;
        Ok(row.map(|r| business_from_row(&r)))
    }

    /// The business with this name, or an error that says how to add it.
    pub fn business_by_name(&self, name: &str) -> Result<Business> {
        self.find_business(name)?
            .ok_or_else(|| StoreError::UnknownBusiness(name.trim().to_owned()))
    }

    pub fn business(&self, id: BusinessId) -> Result<Business> {
        let sql = format!("SELECT {BUSINESS_COLUMNS} FROM businesses WHERE id = $1");
        let row = self.client().query_opt(sql.as_str(), &[&id])?;
        row.map(|r| business_from_row(&r))
            .ok_or_else(|| StoreError::UnknownBusiness(format!("#{id}")))
    }

    /// All businesses, the owner's own first, then by name.
    pub fn businesses(&self) -> Result<Vec<Business>> {
        let sql = format!(
            "SELECT {BUSINESS_COLUMNS} FROM businesses ORDER BY is_competitor, lower(name), name"
        );
        let rows = self.client().query(sql.as_str(), &[])?;
        Ok(rows.iter().map(business_from_row).collect())
    }

    /// The source of `business_id` with this connector and label, added when missing (an
    /// import's per-platform source). Settings are checked as the SQLite store checks them.
    pub fn ensure_source(
        &self,
        business_id: BusinessId,
        connector: &str,
        label: &str,
        settings: &serde_json::Value,
    ) -> Result<SourceId> {
        let find =
            "SELECT id FROM sources WHERE business_id = $1 AND connector = $2 AND label = $3";
        if let Some(r) = self
            .client()
            .query_opt(find, &[&business_id, &connector, &label])?
        {
            return Ok(r.get(0));
        }
        super::check_endpoint_settings(settings).map_err(|reason| StoreError::Invalid {
            what: "address",
            reason,
        })?;
        self.business(business_id)?;
        let inserted = self.client().query_opt(
            "INSERT INTO sources (business_id, connector, label, settings, created_at)
             VALUES ($1, $2, $3, $4::text::jsonb, $5)
             ON CONFLICT (business_id, connector, label) DO NOTHING RETURNING id",
            &[
                &business_id,
                &connector,
                &label,
                &settings.to_string(),
                &now_unix(),
            ],
        )?;
        match inserted {
            Some(r) => Ok(r.get(0)),
            // Another seat added it meanwhile.
            None => Ok(self
                .client()
                .query_one(find, &[&business_id, &connector, &label])?
                .get(0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_files_and_shown_without_their_password() {
        assert!(is_postgres_url("postgresql://team@db.example/earshot"));
        assert!(is_postgres_url("postgres://db.example/earshot"));
        assert!(!is_postgres_url("/home/me/earshot.db"));
        assert!(!is_postgres_url("postgresql.db"));
        assert_eq!(
            redacted("postgresql://owner:s3cret@db.example:5433/earshot"),
            "postgresql://owner@db.example:5433/earshot"
        );
        assert_eq!(
            redacted("postgresql://db.example/earshot"),
            "postgresql://db.example/earshot"
        );
        assert_eq!(
            redacted("postgresql://owner:p@ss@db.example/earshot?password=s3cret&sslmode=require"),
            "postgresql://owner@db.example/earshot?sslmode=require"
        );
    }

    /// A new database gets the schema once; a second seat opening it finds it current; a
    /// database written by a newer Earshot is refused before anything is written to it.
    #[test]
    fn opening_migrates_once_and_refuses_a_newer_schema() {
        let url = cluster::fresh_database("migrates_once");
        let first = PgStore::open(&url).unwrap();
        assert_eq!(first.schema_version().unwrap(), PG_SCHEMA_VERSION);
        let second = PgStore::open(&url).unwrap();
        assert_eq!(second.schema_version().unwrap(), PG_SCHEMA_VERSION);
        let applied: i64 = first
            .client()
            .query_one("SELECT count(*) FROM earshot_schema", &[])
            .unwrap()
            .get(0);
        assert_eq!(applied, PG_SCHEMA_VERSION);

        first
            .client()
            .execute(
                "INSERT INTO earshot_schema VALUES ($1, 'from the future', 0)",
                &[&(PG_SCHEMA_VERSION as i32 + 1)],
            )
            .unwrap();
        let err = PgStore::open(&url).unwrap_err();
        assert_eq!(err.code(), "schema_too_new", "{err}");
    }

    /// A person's login (who may not create tables) opening a database a newer Earshot
    /// upgraded is told to update, not refused a permission.
    #[test]
    fn a_persons_login_is_told_of_a_newer_schema_not_refused_a_permission() {
        let url = cluster::fresh_database("newer_schema_staff");
        let owner = PgStore::open(&url).unwrap();
        owner.team_init().unwrap();
        owner
            .invite("newer_schema_sam", Role::Staff, None, "pw-staff")
            .unwrap();
        owner
            .client()
            .execute(
                "INSERT INTO earshot_schema VALUES ($1, 'from the future', 0)",
                &[&(PG_SCHEMA_VERSION as i32 + 1)],
            )
            .unwrap();
        let staff_url = url.replacen("postgres@", "newer_schema_sam:pw-staff@", 1);
        assert_ne!(staff_url, url);
        let err = PgStore::open(&staff_url).unwrap_err();
        assert_eq!(err.code(), "schema_too_new", "{err}");
    }

    #[test]
    fn businesses_are_unique_by_name_whatever_the_case() {
        let store = PgStore::open(&cluster::fresh_database("businesses")).unwrap();
        let cafe = store.ensure_business("Harbour Café").unwrap();
        assert_eq!(store.ensure_business("harbour café").unwrap().id, cafe.id);
        let err = store.add_business("HARBOUR CAFÉ", true).unwrap_err();
        assert_eq!(err.code(), "duplicate_business");
        store.add_business("Rival Roasters", true).unwrap();
        let names: Vec<String> = store
            .businesses()
            .unwrap()
            .into_iter()
            .map(|b| b.name)
            .collect();
        assert_eq!(names, ["Harbour Café", "Rival Roasters"]);
        let source = store
            .ensure_source(cafe.id, "file", "import:google", &serde_json::json!({}))
            .unwrap();
        let again = store
            .ensure_source(cafe.id, "file", "import:google", &serde_json::json!({}))
            .unwrap();
        assert_eq!(source, again);
    }
}
