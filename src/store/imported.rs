//! Reviews that came from a platform's export file before the platform's API source existed.
//!
//! An export's reviews carry the API's own external ids, but reviews are unique per source, so
//! a review imported into a one-off import source (connector `file`, no path) and later listed
//! by the API source would be stored twice. The sync hands each page to
//! [`Store::adopt_imported`] first, which moves such a review into the API source; the page's
//! write then finds it there and updates it. Moving a review keeps its id, its replies (with
//! their times) and its revisions, and changes no rollup (they count by business and platform).

use rusqlite::{params, OptionalExtension};

use super::{Result, Store};
use crate::model::{BusinessId, IncomingReview, SourceId};

/// Where a business holds a review of a platform, and its version: its last update (else its
/// creation) or its first reply, whichever is later, in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportedReview {
    pub source_id: SourceId,
    pub version: i64,
}

/// The business's one-off import sources (connector `file` without a path to read again) that
/// hold a review of the platform with the external id. Walks the business's few sources, each a
/// probe of the `(source_id, external_id)` index.
const IMPORTED_IDS: &str = "SELECT r.id FROM sources s
     JOIN reviews r ON r.source_id = s.id AND r.external_id = ?3
     WHERE s.business_id = ?1 AND s.id != ?4 AND s.connector = 'file'
       AND coalesce(json_extract(s.settings, '$.path'), '') = '' AND r.platform = ?2";

impl Store {
    /// Where the business holds a review of `platform` with `external_id`, in any source.
    pub fn imported_review(
        &self,
        business_id: BusinessId,
        platform: &str,
        external_id: &str,
    ) -> Result<Option<ImportedReview>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT r.source_id,
                        max(coalesce(r.updated_at, r.created_at), coalesce(r.replied_at, 0))
                 FROM sources s
                 JOIN reviews r ON r.source_id = s.id AND r.external_id = ?3
                 WHERE s.business_id = ?1 AND r.platform = ?2
                 ORDER BY s.connector = 'file' LIMIT 1",
            )?
            .query_row(params![business_id, platform, external_id], |r| {
                Ok(ImportedReview {
                    source_id: r.get(0)?,
                    version: r.get(1)?,
                })
            })
            .optional()?)
    }

    /// Moves into `source_id` the reviews of `items` that the same business holds in a one-off
    /// import source and `source_id` does not hold yet; says how many moved.
    pub fn adopt_imported(&mut self, source_id: SourceId, items: &[IncomingReview]) -> Result<u64> {
        let business_id: Option<BusinessId> = self
            .conn
            .query_row(
                "SELECT business_id FROM sources WHERE id = ?1",
                [source_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(business_id) = business_id else {
            return Ok(0);
        };
        // Cheap when there is nothing to adopt: a business without import sources answers
        // every probe from the sources table alone.
        let has_imports: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sources WHERE business_id = ?1 AND connector = 'file'
                 AND coalesce(json_extract(settings, '$.path'), '') = '')",
            [business_id],
            |r| r.get(0),
        )?;
        if !has_imports || items.is_empty() {
            return Ok(0);
        }
        let tx = self.conn.transaction()?;
        let mut moved = 0;
        {
            let mut find = tx.prepare_cached(IMPORTED_IDS)?;
            let mut held = tx.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM reviews WHERE source_id = ?1 AND external_id = ?2)",
            )?;
            let mut adopt = tx.prepare_cached("UPDATE reviews SET source_id = ?2 WHERE id = ?1")?;
            for item in items {
                let already: bool =
                    held.query_row(params![source_id, item.external_id], |r| r.get(0))?;
                if already {
                    continue;
                }
                let found: Option<i64> = find
                    .query_row(
                        params![business_id, item.platform, item.external_id, source_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(id) = found {
                    adopt.execute(params![id, source_id])?;
                    moved += 1;
                }
            }
        }
        tx.commit()?;
        Ok(moved)
    }
}
