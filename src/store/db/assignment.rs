//! Review assignment on either store (issue 31): `earshot assign` and who a review is handed to.

use super::Db;
use crate::model::ReviewId;
use crate::store::Result;

impl Db {
    /// Hands review `review_id` to `to`, or to nobody. On a team database `to` must be a person
    /// on the team; on a file it is a name as typed.
    pub fn assign_review(&self, review_id: ReviewId, to: Option<&str>) -> Result<()> {
        on_either!(self, assign_review(review_id, to))
    }

    /// Who review `review_id` is assigned to.
    pub fn review_assignee(&self, review_id: ReviewId) -> Result<Option<String>> {
        on_either!(self, review_assignee(review_id))
    }
}
