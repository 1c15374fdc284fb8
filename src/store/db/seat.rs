//! What the app's screens call on either store beyond the concepts' own files: marking a
//! review read in the inbox, a review's earlier versions on the Review screen.

use super::Db;
use crate::model::{ReviewId, Revision};
use crate::store::Result;

impl Db {
    pub fn mark_read(&self, id: ReviewId) -> Result<()> {
        match self {
            Db::Sqlite(s) => s.mark_read(id),
            Db::Postgres(p) => p.mark_read(id),
        }
    }

    pub fn revisions(&self, id: ReviewId) -> Result<Vec<Revision>> {
        match self {
            Db::Sqlite(s) => s.revisions(id),
            Db::Postgres(p) => p.revisions(id),
        }
    }
}
