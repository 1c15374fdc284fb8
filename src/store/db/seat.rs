//! What the app's screens call on either store beyond the concepts' own files: marking a
//! review read in the inbox (a review's earlier versions come from `RequestStore::revisions`).

use super::Db;
use crate::model::ReviewId;
use crate::store::Result;

impl Db {
    pub fn mark_read(&self, id: ReviewId) -> Result<()> {
        on_either!(self, mark_read(id))
    }
}
