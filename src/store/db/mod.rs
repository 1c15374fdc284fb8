//! Either store behind one type: the embedded SQLite file (one seat, the default) or a team's
//! PostgreSQL database (issue 31).
//!
//! An enum, not a trait object: each arm calls its store's own method, so the SQLite store keeps
//! its fast paths (its own SQL, its statement cache, its search key) and nothing about it is
//! bent to what both engines share; a caller that only ever has a file keeps taking `&Store`.
//! Methods appear here as the action layer moves onto both stores, concept by concept.

/// How every `Db` method reaches its store: the method of the same name on whichever store `db`
/// holds, each written in its engine's own SQL. The one forwarding rule for every concept's
/// `impl Db` (and `Db`'s impls of the concepts' traits), so none forgets the hop below.
///
/// The PostgreSQL arm runs through [`off_runtime`](crate::store::postgres::off_runtime): the
/// `postgres` client drives a runtime of its own and panics where one already runs, and the
/// round, the outbox, deliveries and requests call their store from `async` code. Off a runtime
/// the hop is one thread-local read, so it is taken everywhere rather than reasoned about per
/// call. The SQLite arm never needs it.
///
/// `on_either!(on_this_thread: …)` skips the hop, for the few calls whose arguments cannot cross
/// threads (a progress callback that is not `Send`); those are never made inside a runtime.
macro_rules! on_either {
    ($db:expr, $method:ident($($arg:expr),* $(,)?)) => {
        match $db {
            Db::Sqlite(s) => s.$method($($arg),*),
            Db::Postgres(p) => $crate::store::postgres::off_runtime(|| p.$method($($arg),*)),
        }
    };
    (on_this_thread: $db:expr, $method:ident($($arg:expr),* $(,)?)) => {
        match $db {
            Db::Sqlite(s) => s.$method($($arg),*),
            Db::Postgres(p) => p.$method($($arg),*),
        }
    };
}

mod alerts;
mod assignment;
mod channels;
mod demo;
mod insights;
mod migrate;
mod replies;
mod requests;
mod restore;
mod seat;
mod settings;
mod sources;
mod team;
mod topics;
mod trust;

pub use alerts::AlertStore;
pub use channels::ChannelStore;
pub use replies::ReplyStore;
pub use requests::RequestStore;
pub use topics::TopicStore;

use std::path::{Path, PathBuf};

use super::postgres::{is_postgres_url, PgReviewWriter, PgStore};
use super::{Result, ReviewFilter, ReviewWriter, Stats, Store, StoreError};
use crate::analysis::review::ReviewAnalysis;
use crate::model::{Business, BusinessId, IncomingReview, Review, SourceId, WriteCounts};

/// Where the database is: what `--db`, `EARSHOT_DB` or the app's setting names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbLocation {
    File(PathBuf),
    /// A `postgresql://` or `postgres://` URL (it may hold a password: never print it; see
    /// [`crate::store::postgres::redacted`]).
    Postgres(String),
}

impl DbLocation {
    /// A URL names a PostgreSQL database; anything else is a file path.
    pub fn parse(location: &Path) -> DbLocation {
        match location.to_str().filter(|s| is_postgres_url(s)) {
            Some(url) => DbLocation::Postgres(url.to_owned()),
            None => DbLocation::File(location.to_owned()),
        }
    }
}

/// An open database of either kind.
// One `Db` is opened per command and lives on its stack for the command's length: the team
// store's few hundred bytes (its client, URL and TLS settings) cost nothing there, and boxing it
// would add an indirection to every store call for no memory anyone would notice.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Db {
    Sqlite(Store),
    Postgres(PgStore),
}

impl Db {
    /// Opens the database at `location`, bringing its schema up to date.
    pub fn open(location: &DbLocation) -> Result<Db> {
        Ok(match location {
            DbLocation::File(path) => Db::Sqlite(Store::open(path)?),
            DbLocation::Postgres(url) => Db::Postgres(PgStore::open(url)?),
        })
    }

    /// The SQLite store, for an action not yet built on the team store: on a team database,
    /// [`StoreError::NotOnTeamDatabase`] naming `what` (said to the person, e.g. "Sending review
    /// requests"). Each concept's `impl Db` lives in a file of its own beside this one.
    pub fn sqlite(&self, what: &'static str) -> Result<&Store> {
        match self {
            Db::Sqlite(s) => Ok(s),
            Db::Postgres(_) => Err(StoreError::NotOnTeamDatabase(what)),
        }
    }

    /// [`Db::sqlite`], for an action that needs the store mutably.
    pub fn sqlite_mut(&mut self, what: &'static str) -> Result<&mut Store> {
        match self {
            Db::Sqlite(s) => Ok(s),
            Db::Postgres(_) => Err(StoreError::NotOnTeamDatabase(what)),
        }
    }

    /// Where the data is, for the footer and messages (a URL without its password).
    pub fn location(&self) -> String {
        match self {
            Db::Sqlite(s) => s.path().display().to_string(),
            Db::Postgres(p) => p.location().to_owned(),
        }
    }

    pub fn ensure_business(&self, name: &str) -> Result<Business> {
        on_either!(self, ensure_business(name))
    }

    pub fn business_by_name(&self, name: &str) -> Result<Business> {
        on_either!(self, business_by_name(name))
    }

    pub fn business(&self, id: BusinessId) -> Result<Business> {
        on_either!(self, business(id))
    }

    pub fn businesses(&self) -> Result<Vec<Business>> {
        on_either!(self, businesses())
    }

    pub fn list_reviews(&self, filter: &ReviewFilter) -> Result<Vec<Review>> {
        on_either!(self, list_reviews(filter))
    }

    pub fn count_reviews(&self, filter: &ReviewFilter) -> Result<u64> {
        on_either!(self, count_reviews(filter))
    }

    pub fn stats(&self, business_id: BusinessId) -> Result<Stats> {
        on_either!(self, stats(business_id))
    }

    pub fn platforms(&self, business_id: Option<BusinessId>) -> Result<Vec<String>> {
        on_either!(self, platforms(business_id))
    }

    pub fn is_empty(&self) -> Result<bool> {
        on_either!(self, is_empty())
    }
}

/// What an import writes its rows through, on either store: a writer of batches, one
/// transaction each, that can add a source between rows (a file's new platform).
pub trait ReviewSink {
    /// Takes one item into the open batch.
    fn write(
        &mut self,
        source_id: SourceId,
        item: &IncomingReview,
        analysed: Option<&ReviewAnalysis>,
    ) -> Result<WriteCounts>;
    /// Writes the open batch; what it changed (a writer over several connections: what the
    /// batches finished so far changed).
    fn commit(&mut self) -> Result<WriteCounts>;
    /// Waits for batches still being written elsewhere; what they changed. Nothing to wait for
    /// where `commit` writes before it returns.
    fn finish(&mut self) -> Result<WriteCounts> {
        Ok(WriteCounts::default())
    }
    /// The source of `business_id` with this connector and label, added when missing.
    fn ensure_source(
        &self,
        business_id: BusinessId,
        connector: &str,
        label: &str,
        settings: &serde_json::Value,
    ) -> Result<SourceId>;
}

impl ReviewSink for ReviewWriter<'_> {
    fn write(
        &mut self,
        source_id: SourceId,
        item: &IncomingReview,
        analysed: Option<&ReviewAnalysis>,
    ) -> Result<WriteCounts> {
        ReviewWriter::write(self, source_id, item, analysed)
    }

    fn commit(&mut self) -> Result<WriteCounts> {
        ReviewWriter::commit(self)
    }

    fn ensure_source(
        &self,
        business_id: BusinessId,
        connector: &str,
        label: &str,
        settings: &serde_json::Value,
    ) -> Result<SourceId> {
        self.store()
            .ensure_source(business_id, connector, label, settings)
    }
}

impl ReviewSink for PgReviewWriter<'_> {
    fn write(
        &mut self,
        source_id: SourceId,
        item: &IncomingReview,
        analysed: Option<&ReviewAnalysis>,
    ) -> Result<WriteCounts> {
        PgReviewWriter::write(self, source_id, item, analysed)
    }

    fn commit(&mut self) -> Result<WriteCounts> {
        PgReviewWriter::commit(self)
    }

    fn finish(&mut self) -> Result<WriteCounts> {
        PgReviewWriter::finish(self)
    }

    fn ensure_source(
        &self,
        business_id: BusinessId,
        connector: &str,
        label: &str,
        settings: &serde_json::Value,
    ) -> Result<SourceId> {
        self.store()
            .ensure_source(business_id, connector, label, settings)
    }
}
