//! Review assignment on a file (issue 31): who a review is handed to, as on a team database
//! (`postgres/team.rs`). One seat has no logins, so the person is a name as typed.

use rusqlite::{params, OptionalExtension};

use super::{Result, Store, StoreError};
use crate::model::ReviewId;

impl Store {
    /// Hands review `review_id` to `to`, or to nobody.
    pub fn assign_review(&self, review_id: ReviewId, to: Option<&str>) -> Result<()> {
        let updated = self.conn.execute(
            "UPDATE reviews SET assigned_to = ?2 WHERE id = ?1",
            params![review_id, to],
        )?;
        if updated == 0 {
            return Err(StoreError::UnknownReview(review_id));
        }
        Ok(())
    }

    /// Who review `review_id` is assigned to.
    pub fn review_assignee(&self, review_id: ReviewId) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT assigned_to FROM reviews WHERE id = ?1",
                [review_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(StoreError::UnknownReview(review_id))
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{ReviewFilter, Store};

    /// A person's list reads the partial index of assigned reviews, not the business's reviews.
    #[test]
    fn a_persons_list_is_read_from_the_index_of_assigned_reviews() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("e.db")).unwrap();
        let filter = ReviewFilter {
            business_id: Some(1),
            assigned_to: Some("Sam".into()),
            ..Default::default()
        };
        let sql = "SELECT r.id FROM reviews r WHERE r.business_id = ?1 AND r.assigned_to = ?2 \
                   AND r.removed_at IS NULL ORDER BY r.created_at DESC, r.id DESC LIMIT 50";
        let plan = store
            .query_plan(sql, rusqlite::params![1, "Sam"])
            .join("\n");
        assert!(plan.contains("reviews_by_assignee"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        assert!(store.list_reviews(&filter).unwrap().is_empty());
    }
}
