//! What the app's screens call on either store beyond the concepts' own files: marking a
//! review read in the inbox (a review's earlier versions come from `RequestStore::revisions`).

use super::Db;
use crate::model::ReviewId;
use crate::store::Result;

impl Db {
    pub fn mark_read(&self, id: ReviewId) -> Result<()> {
        match self {
            Db::Sqlite(s) => s.mark_read(id),
            Db::Postgres(p) => p.mark_read(id),
        }
    }
}
