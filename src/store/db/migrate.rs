//! Copying a whole database between the two stores (`earshot migrate`) on either store: each
//! method is its store's own (`store/migrate.rs`, `store/postgres/migrate.rs`).

use super::Db;
use crate::store::migrate::{CopiedTable, CopyRow};
use crate::store::Result;

impl Db {
    pub fn copy_row_count(&self, table: &CopiedTable) -> Result<u64> {
        on_either!(self, copy_row_count(table))
    }

    pub fn copy_rows(&self, table: &CopiedTable, after: i64, limit: usize) -> Result<Vec<CopyRow>> {
        on_either!(self, copy_rows(table, after, limit))
    }

    pub fn copy_rows_with_ids(&self, table: &CopiedTable, ids: &[i64]) -> Result<Vec<CopyRow>> {
        on_either!(self, copy_rows_with_ids(table, ids))
    }

    pub fn copy_sample_ids(&self, table: &CopiedTable, n: usize) -> Result<Vec<i64>> {
        on_either!(self, copy_sample_ids(table, n))
    }

    pub fn begin_snapshot(&self) -> Result<()> {
        on_either!(self, begin_snapshot())
    }

    pub fn end_snapshot(&self) -> Result<()> {
        on_either!(self, end_snapshot())
    }

    pub fn begin_copy(&self) -> Result<()> {
        on_either!(self, begin_copy())
    }

    pub fn copy_in(&self, table: &CopiedTable, rows: &[CopyRow]) -> Result<()> {
        on_either!(self, copy_in(table, rows))
    }

    /// What the target derives from the copied rows before the check: the SQLite store's
    /// search index and rollups (its write path keeps them, not triggers), the team store's
    /// identities (its triggers kept the rollups and the generated search document).
    pub fn finish_copy(&self, tables: &[&CopiedTable]) -> Result<()> {
        match self {
            Db::Sqlite(s) => s.finish_copy(),
            Db::Postgres(p) => crate::store::postgres::off_runtime(|| p.finish_copy(tables)),
        }
    }

    pub fn commit_copy(&self) -> Result<()> {
        on_either!(self, commit_copy())
    }

    pub fn abandon_copy(&self) -> Result<()> {
        on_either!(self, abandon_copy())
    }
}
