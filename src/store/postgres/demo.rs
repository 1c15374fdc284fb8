//! What the demo writes on the team store beyond an import: the SQLite store's
//! `review_by_external_id` and `write_batch` (see `demo.rs`), so `earshot demo` loads the same
//! rows into a team database through the team store's own review writer.

use super::PgStore;
use crate::model::{IncomingReview, ReviewId, SourceId, WriteCounts};
use crate::store::Result;

impl PgStore {
    /// The review a source holds under a platform id, if any: the demo asks before it plays a
    /// customer's edit, so loading it again never edits a review twice.
    pub fn review_by_external_id(
        &self,
        source_id: SourceId,
        external_id: &str,
    ) -> Result<Option<ReviewId>> {
        Ok(self
            .client()
            .query_opt(
                "SELECT id FROM reviews WHERE source_id = $1 AND external_id = $2",
                &[&source_id, &external_id],
            )?
            .map(|r| r.get(0)))
    }

    /// Writes items that may belong to several sources in one batch of the review writer (one
    /// transaction, the analysis made as it goes), as the SQLite store's `write_batch`.
    pub fn write_batch(&self, items: &[(SourceId, IncomingReview)]) -> Result<WriteCounts> {
        let mut writer = self.review_writer();
        for (source_id, item) in items {
            writer.write(*source_id, item, None)?;
        }
        writer.commit()
    }
}
