//! Emptying a database for a restore through the copier (`actions::team_backup`): built on the
//! team store only; a file is restored by SQLite's backup API (`backup.rs`), not by a copy.

use super::Db;
use crate::store::{Result, StoreError};

impl Db {
    /// See `PgStore::empty_for_restore`.
    pub fn empty_for_restore(&self, tables: &[&str]) -> Result<()> {
        match self {
            Db::Sqlite(_) => Err(StoreError::Invalid {
                what: "restore",
                reason: "a database file is restored with `earshot restore`, not emptied by a copy"
                    .into(),
            }),
            Db::Postgres(p) => p.empty_for_restore(tables),
        }
    }
}
