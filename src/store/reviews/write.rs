//! The write path of reviews: every review enters here, idempotently.
//!
//! Every review enters through [`Store::write_reviews`] (imports) or [`Store::write_page`] (syncs,
//! which also store the cursor that follows the page). Both run one transaction per call: a crash
//! keeps whole batches or nothing, and a rerun finds what is stored and changes nothing. Edits are
//! detected by a content hash; the previous text is kept as a revision. A batch's new rows enter
//! the full-text index and the daily rollups when it commits (set-based, and summed as they are
//! written: batch_rollups.rs); edits, removals and deletions follow by trigger.

use std::rc::Rc;

use rusqlite::{
    params, params_from_iter, CachedStatement, Connection, OptionalExtension, Statement, ToSql,
};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{key_holds_id, search_key, SEARCH_KEY_ID_MASK};
use crate::analysis::review::{self as analysis, ReviewAnalysis, ReviewSentiment};
use crate::analysis::topics::TopicMatcher;
use crate::model::{fnv1a, BusinessId, IncomingReview, ReviewId, SourceId, WriteCounts};
use crate::store::batch_rollups::BatchRollups;
use crate::store::topics;
use crate::store::{now_unix, Result, Store, StoreError};
#[cfg(test)]
use rusqlite::types::Value;

/// Adds the batch's new rows to the full-text index, in rowid (search key) order. FTS5 writes
/// its in-memory terms out as a new segment whenever a rowid is lower than the one before, and
/// a batch in id order is not in search key order (a day's reviews come at any time of it): in
/// id order a 1M-row import wrote a tiny segment every other row, then merged them, and took
/// 100 s instead of 51. The `+` keeps SQLite sorting the batch's rows should the search key
/// ever have an index again (migration 0009 dropped it): walking a whole index for the order
/// would read every review. Indexes the rows with ids in (?1, ?2].
const INDEX_ROWS: &str = "INSERT INTO reviews_fts (rowid, title, body, author)
     SELECT search_key, title, body, author FROM reviews WHERE id > ?1 AND id <= ?2
     ORDER BY +search_key";

/// Rows a statement of [`index_all_rows`] adds: sorted in memory, and each a segment of the
/// index at most.
const INDEX_ALL_ROWS_BLOCK: i64 = 20_000;

/// Fills an empty full-text index from every review, a block of ids at a time in search key
/// order, as an import's batches are indexed (see INDEX_ROWS).
pub(in crate::store) fn index_all_rows(tx: &Connection) -> Result<()> {
    index_all_rows_in_blocks(tx, INDEX_ALL_ROWS_BLOCK)
}

fn index_all_rows_in_blocks(tx: &Connection, block: i64) -> Result<()> {
    let max_id: ReviewId =
        tx.query_row("SELECT coalesce(max(id), 0) FROM reviews", [], |r| r.get(0))?;
    // Merged later, as an import's batches are (SearchMerges::DEFERRED).
    let stored = SearchMerges::defer(tx)?;
    let mut stmt = tx.prepare_cached(INDEX_ROWS)?;
    let mut after = 0;
    while after < max_id {
        stmt.execute([after, after + block])?;
        after += block;
    }
    stored.set(tx)
}

/// Everything the write path stores about reviews (rows but their fetch time, revisions,
/// aspects, both rollups, the search index's content), one line per row, in a stable order:
/// tests compare two ways of writing the same items with it.
#[cfg(test)]
impl Store {
    pub(crate) fn stored_content(&self) -> Result<Vec<String>> {
        stored_content(self)
    }
}

#[cfg(test)]
fn stored_content(store: &Store) -> Result<Vec<String>> {
    const QUERIES: &[&str] = &[
        "SELECT 'r', id, source_id, business_id, platform, external_id, kind, author, rating, title,
             body, url, language, created_at, updated_at, removed_at, sentiment, sentiment_label,
             replied_at, content_hash, search_key FROM reviews ORDER BY id",
        "SELECT 'v', review_id, rating, title, body, updated_at FROM review_revisions ORDER BY id",
        "SELECT 'a', r.id, m.key, m.value FROM reviews r, json_each(r.aspects) m ORDER BY 2, 3",
        "SELECT 'd', * FROM review_daily WHERE count != 0 ORDER BY 2, 3, 4, 5",
        "SELECT 'ad', * FROM aspect_daily WHERE mentions != 0 ORDER BY 2, 3, 4",
        "SELECT 'f', rowid, title, body, author FROM reviews_fts ORDER BY rowid",
        "SELECT 's', id, business_id, connector, label FROM sources ORDER BY id",
    ];
    let mut out = Vec::new();
    for sql in QUERIES {
        let mut stmt = store.conn.prepare(sql)?;
        let n = stmt.column_count();
        let rows = stmt.query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, Value>(i).map(|v| format!("{v:?}")))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map(|v| v.join("|"))
        })?;
        out.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    }
    Ok(out)
}

/// An item to write, with the source it came from and its analysis when made beforehand.
type Tagged<'a> = (SourceId, &'a IncomingReview, Option<&'a ReviewAnalysis>);

/// Writes reviews in batches, one transaction each (see [`Store::review_writer`]). The
/// transaction opens with the first item written after a commit. An error rolls the open
/// batch back: nothing of it is stored, and the writer starts a new batch if used again.
/// Dropping the writer with a batch open rolls it back too.
pub struct ReviewWriter<'s> {
    store: &'s Store,
    /// [`INSERT_REVIEW`], prepared once for the writer: taking it from the statement cache
    /// and giving it back for every row was 4% of an import's writer.
    insert: Option<CachedStatement<'s>>,
    /// Whether each batch leaves the search index's segments unmerged ([`SearchMerges::DEFERRED`]).
    defer_search_merges: bool,
    batch: Option<OpenBatch>,
}

/// How many unmerged segments an import lets a level of the search index hold before it merges
/// them into one (its `crisismerge`). A search reads every segment, once per word: at 10 million
/// reviews the 550 segments of an import that never merged made a two-word search 25 ms (p95,
/// `make bench`), each word's newest matches sought in every segment; merging 64 at a time
/// leaves 46 there, and the search p95 is 6.6 ms. Each batch's segment is then merged once more during the import
/// (about what `Store::merge_search_index` would do afterwards), and not before it holds 64
/// batches, so an import of up to 1.28 million reviews pays nothing. (Issue 31.)
const IMPORT_CRISIS_SEGMENTS: i64 = 64;

/// The search index's merge settings (FTS5's `automerge` and `crisismerge`): after each write,
/// merge that many segments of a level at a time, a little a write, and every segment of a
/// level at once when it holds `crisismerge`. Setting a value first writes out the terms of the
/// open transaction under the settings it replaces.
#[derive(Debug, Clone, Copy, PartialEq)]
struct SearchMerges {
    automerge: i64,
    crisismerge: i64,
}

impl SearchMerges {
    /// The settings inside an import's batch: no merge until a level holds
    /// [`IMPORT_CRISIS_SEGMENTS`] segments (each batch writes one, so 1.28 million reviews), then
    /// that level at once; the stored ones are set again before the batch commits. Merging as
    /// it went (automerge) took a tenth of a 1M-review import's single writer, and each segment
    /// was merged again and again as the levels filled. An import of up to a million reviews
    /// merges nothing and is searched about as fast (a p95 of 1 ms at 1M, `make bench`); a
    /// bigger one merges each batch's segment once. The app's next background round or
    /// `earshot sync` merges the rest (`Store::merge_search_index`), and any ordinary write
    /// merges a level that reaches the stored `crisismerge`. No setting is ever committed but
    /// the stored one, so a killed import leaves nothing to restore.
    const DEFERRED: SearchMerges = SearchMerges {
        automerge: 0,
        crisismerge: IMPORT_CRISIS_SEGMENTS,
    };

    /// What FTS5 uses for a setting never stored (`FTS5_DEFAULT_AUTOMERGE`, `_CRISISMERGE`).
    const FTS5_DEFAULTS: SearchMerges = SearchMerges {
        automerge: 4,
        crisismerge: 16,
    };

    /// The settings the database holds (migration 0006 stores `automerge`), read rather than
    /// assumed, so putting them back never overrides what a migration chose.
    fn stored(conn: &Connection) -> Result<SearchMerges> {
        let value = |key: &str, default: i64| -> Result<i64> {
            let stored: Option<i64> = conn
                .query_row(
                    "SELECT v FROM reviews_fts_config WHERE k = ?1",
                    [key],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(stored.unwrap_or(default))
        };
        Ok(SearchMerges {
            automerge: value("automerge", Self::FTS5_DEFAULTS.automerge)?,
            crisismerge: value("crisismerge", Self::FTS5_DEFAULTS.crisismerge)?,
        })
    }

    fn set(self, conn: &Connection) -> Result<()> {
        let mut stmt =
            conn.prepare_cached("INSERT INTO reviews_fts (reviews_fts, rank) VALUES (?1, ?2)")?;
        stmt.execute(params!["automerge", self.automerge])?;
        stmt.execute(params!["crisismerge", self.crisismerge])?;
        Ok(())
    }

    /// Sets [`SearchMerges::DEFERRED`] in the open transaction; returns the stored settings,
    /// to set again before it commits.
    fn defer(conn: &Connection) -> Result<SearchMerges> {
        let stored = SearchMerges::stored(conn)?;
        SearchMerges::DEFERRED.set(conn)?;
        Ok(stored)
    }
}

/// The state of the open transaction.
struct OpenBatch {
    now: i64,
    /// Ids this batch gives its new rows. They are the ones SQLite would pick (above the
    /// current maximum: INTEGER PRIMARY KEY without AUTOINCREMENT), chosen here so the search
    /// key, which includes the id, is written with the row, and so the FTS index and the
    /// rollups can take the new rows in one set-based statement each at the end.
    next_id: ReviewId,
    /// New rows up to this id are in the FTS index and the rollups.
    indexed_up_to: ReviewId,
    /// What the rows and aspect mentions written since then add to the rollups.
    rollups: BatchRollups,
    /// A file may repeat an item within a batch. Its second write is an update, whose
    /// triggers take the old row out of the index and the rollups: the new rows must be in
    /// them first (regression: "database disk image is malformed" from FTS5). Kept as
    /// [`item_key`]s: a clash of two keys only brings that work forward, which is always right,
    /// and the set no longer copies every external id (3% of an import's writer).
    /// FxHash, as for every map the writer touches a row (see `rustc-hash` in Cargo.toml).
    new_in_batch: FxHashSet<u64>,
    /// The business each source feeds, looked up once a batch: a file's platforms are its
    /// sources, and their rows come interleaved (a lookup a row was 2% of an import).
    owners: FxHashMap<SourceId, Rc<Owner>>,
    /// The search index's stored merge settings, set again before the commit, when this batch
    /// runs with [`SearchMerges::DEFERRED`] (an import's).
    stored_merges: Option<SearchMerges>,
    counts: WriteCounts,
}

impl ReviewWriter<'_> {
    /// The store, for what an import does between items (such as adding a source), inside
    /// the open batch.
    pub fn store(&self) -> &Store {
        self.store
    }

    /// Writes one item into the open batch, opening one if needed, and says what changed
    /// (counted again by [`ReviewWriter::commit`]).
    pub fn write(
        &mut self,
        source_id: SourceId,
        item: &IncomingReview,
        analysed: Option<&ReviewAnalysis>,
    ) -> Result<WriteCounts> {
        let written = self.write_in_batch(source_id, item, analysed);
        if written.is_err() {
            self.rollback();
        }
        written
    }

    fn write_in_batch(
        &mut self,
        source_id: SourceId,
        item: &IncomingReview,
        analysed: Option<&ReviewAnalysis>,
    ) -> Result<WriteCounts> {
        if self.batch.is_none() {
            self.store.conn.execute_batch("BEGIN")?;
            let opened = self.open_batch();
            let (max_id, stored_merges) = match opened {
                Ok(opened) => opened,
                Err(e) => {
                    let _ = self.store.conn.execute_batch("ROLLBACK");
                    return Err(e);
                }
            };
            self.batch = Some(OpenBatch {
                now: now_unix(),
                next_id: max_id + 1,
                indexed_up_to: max_id,
                rollups: BatchRollups::default(),
                new_in_batch: FxHashSet::default(),
                owners: FxHashMap::default(),
                stored_merges,
                counts: WriteCounts::default(),
            });
        }
        let store = self.store;
        let conn = &store.conn;
        let Some(b) = self.batch.as_mut() else {
            unreachable!("a batch was opened above")
        };
        let insert = match &mut self.insert {
            Some(insert) => insert,
            None => self.insert.insert(conn.prepare_cached(INSERT_REVIEW)?),
        };
        let owner = match b.owners.get(&source_id) {
            Some(o) => Rc::clone(o),
            None => {
                let o = Rc::new(owner_of_source(conn, source_id)?);
                b.owners.insert(source_id, Rc::clone(&o));
                o
            }
        };
        validate(item)?;
        // Only an analysis made for this business's category stands for this review.
        let analysed = analysed.filter(|a| a.category == owner.category);
        let key = item_key(source_id, &item.external_id);
        if b.new_in_batch.contains(&key) {
            index_new_rows(conn, b.indexed_up_to, &mut b.rollups)?;
            b.indexed_up_to = b.next_id - 1;
        }
        let new_row = NewRow {
            id: b.next_id,
            now: b.now,
        };
        let c = write_one(
            conn,
            insert,
            source_id,
            &owner,
            item,
            analysed,
            new_row,
            &mut b.rollups,
        )?;
        if c.new > 0 {
            b.new_in_batch.insert(key);
        }
        b.next_id += c.new as i64;
        b.counts.add(c);
        Ok(c)
    }

    /// Sets up a batch just begun; returns the highest review id so far, and the stored merge
    /// settings when the batch defers them.
    fn open_batch(&self) -> Result<(ReviewId, Option<SearchMerges>)> {
        let conn = &self.store.conn;
        let stored_merges = if self.defer_search_merges {
            Some(SearchMerges::defer(conn)?)
        } else {
            None
        };
        let max_id =
            conn.query_row("SELECT coalesce(max(id), 0) FROM reviews", [], |r| r.get(0))?;
        Ok((max_id, stored_merges))
    }

    /// Indexes and commits the open batch; returns what it changed (nothing without one).
    pub fn commit(&mut self) -> Result<WriteCounts> {
        self.commit_with_cursor(None)
    }

    /// [`ReviewWriter::commit`] that also stores a source's sync cursor in the same
    /// transaction: a crash between pages resumes from the last stored cursor with nothing
    /// lost or doubled.
    pub fn commit_with_cursor(&mut self, cursor: Option<(SourceId, &str)>) -> Result<WriteCounts> {
        let committed = self.finish(cursor);
        if committed.is_err() {
            self.rollback();
        }
        committed
    }

    fn finish(&mut self, cursor: Option<(SourceId, &str)>) -> Result<WriteCounts> {
        let conn = &self.store.conn;
        let Some(b) = self.batch.as_mut() else {
            if let Some((source_id, cursor)) = cursor {
                owner_of_source(conn, source_id)?;
                set_cursor(conn, source_id, cursor)?;
            }
            return Ok(WriteCounts::default());
        };
        if b.next_id - 1 > b.indexed_up_to || !b.rollups.is_empty() {
            index_new_rows(conn, b.indexed_up_to, &mut b.rollups)?;
        }
        if let Some(stored) = b.stored_merges {
            stored.set(conn)?;
        }
        if let Some((source_id, cursor)) = cursor {
            owner_of_source(conn, source_id)?;
            set_cursor(conn, source_id, cursor)?;
        }
        conn.execute_batch("COMMIT")?;
        let counts = b.counts;
        self.batch = None;
        Ok(counts)
    }

    fn rollback(&mut self) {
        if self.batch.take().is_some() {
            // A failed COMMIT may have ended the transaction already; nothing else to undo.
            let _ = self.store.conn.execute_batch("ROLLBACK");
        }
    }
}

impl Drop for ReviewWriter<'_> {
    fn drop(&mut self) {
        self.rollback();
        self.store.set_wal_checkpoint_bytes(WAL_CHECKPOINT_BYTES);
    }
}

/// How much log makes a commit copy it into the database: SQLite's default of 1,000 pages, at
/// a new store's 16 KiB pages (an older store keeps 4 KiB pages and the same size in bytes)…
const WAL_CHECKPOINT_BYTES: i64 = 16 << 20;
/// …and while a [`ReviewWriter`] is open. A batch rewrites much of the same index pages as the
/// batch before; a checkpoint every few batches copies each such page once, not once a batch.
/// A 1M-review import, four interleaved runs: median 11.4 s against 12.1 s. The log grows to
/// this size on disk and shrinks back (`journal_size_limit`) at the next checkpoint after.
const WRITER_WAL_CHECKPOINT_BYTES: i64 = 128 << 20;

impl Store {
    /// Sets how many bytes of log make a commit checkpoint. Only a speed setting: an error
    /// (a database that is not in WAL mode) changes nothing worth stopping for.
    fn set_wal_checkpoint_bytes(&self, bytes: i64) {
        let pages = self
            .conn
            .pragma_query_value(None, "page_size", |r| r.get::<_, i64>(0))
            .map_or(1_000, |page| bytes / page.max(512));
        let _ = self.conn.pragma_update(None, "wal_autocheckpoint", pages);
    }
}

fn set_cursor(conn: &Connection, source_id: SourceId, cursor: &str) -> Result<()> {
    conn.execute(
        "UPDATE sources SET cursor = ?2 WHERE id = ?1",
        params![source_id, cursor],
    )?;
    Ok(())
}

/// What the store already holds for an incoming item.
struct Existing {
    id: ReviewId,
    hash: i64,
    rating: Option<f64>,
    title: Option<String>,
    body: String,
    updated_at: Option<i64>,
    removed: bool,
    created_at: i64,
    search_key: i64,
}

impl Store {
    /// Writes a batch of items for one source in one transaction and says what changed.
    pub fn write_reviews(
        &mut self,
        source_id: SourceId,
        items: &[IncomingReview],
    ) -> Result<WriteCounts> {
        self.write_page(source_id, items, None)
    }

    /// Writes a sync page and, when given, the cursor that follows it, in one transaction: a crash
    /// between pages resumes from the last stored cursor with nothing lost or doubled.
    pub fn write_page(
        &mut self,
        source_id: SourceId,
        items: &[IncomingReview],
        cursor: Option<&str>,
    ) -> Result<WriteCounts> {
        let tagged: Vec<Tagged<'_>> = items.iter().map(|i| (source_id, i, None)).collect();
        self.write_tagged(&tagged, cursor.map(|c| (source_id, c)))
    }

    /// Writes items that may belong to several sources (an import file naming several platforms)
    /// in one transaction.
    pub fn write_batch(&mut self, items: &[(SourceId, IncomingReview)]) -> Result<WriteCounts> {
        let tagged: Vec<Tagged<'_>> = items.iter().map(|(s, i)| (*s, i, None)).collect();
        self.write_tagged(&tagged, None)
    }

    /// A writer that takes items one at a time into an open transaction and commits when
    /// told: an import writes each row as soon as it is analysed, instead of gathering a
    /// batch first and leaving the analysis threads idle while the batch is written.
    pub fn review_writer(&mut self) -> ReviewWriter<'_> {
        self.set_wal_checkpoint_bytes(WRITER_WAL_CHECKPOINT_BYTES);
        ReviewWriter {
            store: self,
            insert: None,
            defer_search_merges: false,
            batch: None,
        }
    }

    /// [`Store::review_writer`] for a file's import: its batches leave the search index's
    /// segments for a later write to merge (see [`SearchMerges::DEFERRED`]).
    pub fn import_writer(&mut self) -> ReviewWriter<'_> {
        let mut writer = self.review_writer();
        writer.defer_search_merges = true;
        writer
    }

    fn write_tagged(
        &mut self,
        items: &[Tagged<'_>],
        cursor: Option<(SourceId, &str)>,
    ) -> Result<WriteCounts> {
        let mut writer = self.review_writer();
        for (source_id, item, analysed) in items {
            writer.write(*source_id, item, *analysed)?;
        }
        writer.commit_with_cursor(cursor)
    }

    /// Marks as removed the items of a source that a full listing no longer returns.
    pub fn mark_removed_except(
        &mut self,
        source_id: SourceId,
        present_external_ids: &[String],
    ) -> Result<u64> {
        let tx = self.conn.transaction()?;
        tx.execute_batch("CREATE TEMP TABLE IF NOT EXISTS present (id TEXT PRIMARY KEY)")?;
        tx.execute("DELETE FROM temp.present", [])?;
        {
            let mut ins = tx.prepare("INSERT OR IGNORE INTO temp.present (id) VALUES (?1)")?;
            for id in present_external_ids {
                ins.execute([id])?;
            }
        }
        let n = tx.execute(
            "UPDATE reviews SET removed_at = ?2 WHERE source_id = ?1 AND removed_at IS NULL
             AND external_id NOT IN (SELECT id FROM temp.present)",
            params![source_id, now_unix()],
        )?;
        tx.commit()?;
        Ok(n as u64)
    }
}

/// Adds the rows with ids above `after` to the FTS index, set-based, and what was written since
/// to the rollups.
fn index_new_rows(tx: &Connection, after: ReviewId, rollups: &mut BatchRollups) -> Result<()> {
    tx.prepare_cached(INDEX_ROWS)?
        .execute([after, ReviewId::MAX])?;
    rollups.write(tx)
}

/// A source's item as a 64-bit hash of its source and external id.
fn item_key(source_id: SourceId, external_id: &str) -> u64 {
    fnv1a(&[&source_id.to_le_bytes(), external_id.as_bytes()])
}

/// The id a new row would take, and the batch's time.
#[derive(Clone, Copy)]
struct NewRow {
    id: ReviewId,
    now: i64,
}

/// The business a source feeds, its category (which picks the aspect lexicon) and the owner's
/// own topics of it (issue 27), which new and edited reviews are tagged with on the way in.
#[derive(Clone)]
struct Owner {
    business_id: BusinessId,
    category: Option<String>,
    topics: Option<TopicMatcher>,
}

fn owner_of_source(tx: &Connection, source_id: SourceId) -> Result<Owner> {
    let (business_id, category) = tx
        .prepare_cached(
            "SELECT s.business_id, b.category FROM sources s JOIN businesses b ON b.id = s.business_id
         WHERE s.id = ?1",
        )?
        .query_row([source_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(StoreError::UnknownSource(source_id))?;
    Ok(Owner {
        business_id,
        category,
        topics: topics::matcher_of(tx, business_id)?,
    })
}

/// Rejects what the schema would reject, with a message that names the field (both stores).
pub(in crate::store) fn validate(item: &IncomingReview) -> Result<()> {
    let invalid = |reason: String| StoreError::Invalid {
        what: "review",
        reason,
    };
    if item.external_id.trim().is_empty() {
        return Err(invalid("external_id is empty".into()));
    }
    if let Some(r) = item.rating {
        if !(1.0..=5.0).contains(&r) {
            return Err(invalid(format!(
                "rating {r} of {} is outside 1–5",
                item.external_id
            )));
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_one(
    tx: &Connection,
    insert: &mut Statement<'_>,
    source_id: SourceId,
    owner: &Owner,
    item: &IncomingReview,
    analysed: Option<&ReviewAnalysis>,
    new_row: NewRow,
    rollups: &mut BatchRollups,
) -> Result<WriteCounts> {
    let now = new_row.now;
    // Hashed on an import's worker threads with the rest of the analysis.
    let hash = analysed.map_or_else(|| item.content_hash(), |a| a.content_hash);
    // An import's items come analysed and are mostly new: the insert is tried first, and the
    // stored row read only when the item is there already (one statement a new row instead
    // of two). A sync's items come unanalysed and are mostly known: the row is read first, so
    // an unchanged item is never analysed.
    if analysed.is_some()
        && insert_new(
            tx, insert, source_id, owner, item, analysed, new_row, hash, rollups,
        )?
    {
        return Ok(WriteCounts {
            new: 1,
            ..WriteCounts::default()
        });
    }
    let existing = tx
        .prepare_cached(
            "SELECT id, content_hash, rating, title, body, updated_at, removed_at IS NOT NULL,
                    created_at, search_key
             FROM reviews WHERE source_id = ?1 AND external_id = ?2",
        )?
        .query_row(params![source_id, item.external_id], |r| {
            Ok(Existing {
                id: r.get(0)?,
                hash: r.get(1)?,
                rating: r.get(2)?,
                title: r.get(3)?,
                body: r.get(4)?,
                updated_at: r.get(5)?,
                removed: r.get(6)?,
                created_at: r.get(7)?,
                search_key: r.get(8)?,
            })
        })
        .optional()?;

    let mut counts = WriteCounts::default();
    match existing {
        Some(old) if old.hash == hash && !old.removed => {
            counts.unchanged = 1;
        }
        Some(old) => {
            let text_changed = old.rating != item.rating
                || old.title.as_deref() != item.title.as_deref()
                || old.body != item.body;
            if text_changed {
                tx.prepare_cached(
                    "INSERT INTO review_revisions (review_id, rating, title, body, updated_at, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![old.id, old.rating, old.title, old.body, old.updated_at, now])?;
            }
            // Changed text needs its aspects again too: analysed once for both.
            let mut own = None;
            let analysed = if text_changed {
                Some(analysis_of(item, owner, analysed, hash, &mut own))
            } else {
                analysed
            };
            let scored = sentiment_of(item, analysed);
            // A review still of the same second keeps its key (no other review takes a key
            // held by its review): only a moved time looks for one again.
            let created_at = item.created_at.timestamp();
            let key = if created_at == old.created_at {
                old.search_key
            } else {
                search_key_of(tx, old.id, created_at)?
            };
            let row = RowColumns::new(old.id, item, &scored, now, hash, key);
            tx.prepare_cached(
                "UPDATE reviews SET platform = ?2, kind = ?3, author = ?4, rating = ?5, title = ?6,
                 body = ?7, url = ?8, language = ?9, created_at = ?10, updated_at = ?11,
                 fetched_at = ?12, removed_at = NULL, sentiment = ?13, sentiment_label = ?14,
                 content_hash = ?15, search_key = ?16 WHERE id = ?1",
            )?
            .execute(row.params())?;
            write_owner_reply(tx, old.id, item, now)?;
            if text_changed {
                // The update trigger moves the rollup from the old mentions to the new ones.
                tx.prepare_cached("UPDATE reviews SET aspects = ?2 WHERE id = ?1")?
                    .execute(params![
                        old.id,
                        analysed.and_then(|a| a.aspects_json.as_deref())
                    ])?;
            }
            counts.updated = 1;
        }
        None => {
            insert_new(
                tx, insert, source_id, owner, item, analysed, new_row, hash, rollups,
            )?;
            counts.new = 1;
        }
    }
    Ok(counts)
}

/// The columns an item sets on its review row, inserted or updated, bound as ?1-?16 by both
/// statements: what an item stores cannot differ between its first write and an edit.
struct RowColumns<'a> {
    id: ReviewId,
    item: &'a IncomingReview,
    kind: &'static str,
    language: Option<&'a str>,
    created_at: i64,
    updated_at: Option<i64>,
    fetched_at: i64,
    scored: &'a ReviewSentiment,
    content_hash: i64,
    search_key: i64,
}

impl<'a> RowColumns<'a> {
    fn new(
        id: ReviewId,
        item: &'a IncomingReview,
        scored: &'a ReviewSentiment,
        now: i64,
        content_hash: i64,
        search_key: i64,
    ) -> Self {
        let created_at = item.created_at.timestamp();
        RowColumns {
            id,
            item,
            kind: item.kind.as_str(),
            language: scored.language.or(item.language.as_deref()),
            created_at,
            updated_at: item.updated_at.map(|t| t.timestamp()),
            fetched_at: now,
            scored,
            content_hash,
            search_key,
        }
    }

    /// id, platform, kind, author, rating, title, body, url, language, created_at, updated_at,
    /// fetched_at, sentiment, sentiment_label, content_hash, search_key.
    fn params(&self) -> [&dyn ToSql; 16] {
        [
            &self.id,
            &self.item.platform,
            &self.kind,
            &self.item.author,
            &self.item.rating,
            &self.item.title,
            &self.item.body,
            &self.item.url,
            &self.language,
            &self.created_at,
            &self.updated_at,
            &self.fetched_at,
            &self.scored.score,
            &self.scored.label,
            &self.content_hash,
            &self.search_key,
        ]
    }
}

/// The search key review `id` created at `created_at` is stored with (see SEARCH_KEY_ID_BITS).
///
/// Below 2^26 it is the id's own key. No other review can hold it but a review past 2^26 that
/// took it while it was free (the review at this id was of another second then): that one moves
/// to another free key of its second, since a key that holds its id is how a search finds a
/// review below 2^26. Past 2^26, a free key of the second (`free_high_key`).
pub(in crate::store) fn search_key_of(
    tx: &Connection,
    id: ReviewId,
    created_at: i64,
) -> Result<i64> {
    let own = search_key(id, created_at);
    if !key_holds_id(id) {
        return free_high_key(tx, id, own, None);
    }
    let holder = tx
        .prepare_cached("SELECT id FROM reviews WHERE search_key = ?1 AND id > 67108863")?
        .query_row([own], |r| r.get::<_, ReviewId>(0))
        .optional()?;
    if let Some(other) = holder {
        let moved = free_high_key(tx, other, own, Some(own))?;
        // The update trigger moves its entry in the full-text index.
        tx.prepare_cached("UPDATE reviews SET search_key = ?2 WHERE id = ?1")?
            .execute(params![other, moved])?;
    }
    Ok(own)
}

/// The search key of a review copied in with its id (`earshot migrate`). The copy writes
/// reviews in id order, so while it writes one below 2^26 no review past 2^26 is there to hold
/// its key: the id's own key, with none of [`search_key_of`]'s lookups.
pub(in crate::store) fn search_key_for_copy(
    tx: &Connection,
    id: ReviewId,
    created_at: i64,
) -> Result<i64> {
    let own = search_key(id, created_at);
    if key_holds_id(id) {
        Ok(own)
    } else {
        free_high_key(tx, id, own, None)
    }
}

/// The first key of `wanted`'s second, from `wanted`'s low bits up, that no review but `id`
/// holds and that is not `taken`: held by the review at the id those bits name (its key holds
/// its id), or by another review past 2^26 (migration 0020's index). Keys stay in order of
/// their second, which is all a search's newest first asks of them.
fn free_high_key(tx: &Connection, id: ReviewId, wanted: i64, taken: Option<i64>) -> Result<i64> {
    let second = wanted & !SEARCH_KEY_ID_MASK;
    let mut low = wanted & SEARCH_KEY_ID_MASK;
    for _ in 0..=SEARCH_KEY_ID_MASK {
        let key = second | low;
        let held: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM reviews WHERE id = ?1 AND search_key = ?2)
                     OR EXISTS (SELECT 1 FROM reviews
                                WHERE search_key = ?2 AND id > 67108863 AND id <> ?3)",
            )?
            .query_row(params![low, key, id], |r| r.get(0))?;
        if !held && Some(key) != taken {
            return Ok(key);
        }
        low = (low + 1) & SEARCH_KEY_ID_MASK;
    }
    Err(StoreError::Invalid {
        what: "review time",
        reason: format!("2^26 reviews were created at the second {}", second >> 26),
    })
}

/// A new review: [`RowColumns::params`] as ?1-?16, then the columns only an insert sets.
const INSERT_REVIEW: &str = "INSERT INTO reviews (id, platform, kind, author, rating, title,
     body, url, language, created_at, updated_at, fetched_at, sentiment, sentiment_label,
     content_hash, search_key, source_id, business_id, external_id, raw_json, replied_at, aspects)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
     ?19, ?20, ?21, ?22)
     ON CONFLICT (source_id, external_id) DO NOTHING";

/// Inserts an item as a new review with id `new_id`, with its owner reply and aspects; false
/// (and nothing written) when the source holds the item already.
#[allow(clippy::too_many_arguments)]
fn insert_new(
    tx: &Connection,
    insert: &mut Statement<'_>,
    source_id: SourceId,
    owner: &Owner,
    item: &IncomingReview,
    analysed: Option<&ReviewAnalysis>,
    new_row: NewRow,
    hash: i64,
    rollups: &mut BatchRollups,
) -> Result<bool> {
    let NewRow { id: new_id, now } = new_row;
    let mut own = None;
    let analysed = analysis_of(item, owner, analysed, hash, &mut own);
    let scored = &analysed.sentiment;
    // Below 2^26 the key is the id's own (no statement); past it, a free key of its second.
    let key = if key_holds_id(new_id) {
        search_key(new_id, item.created_at.timestamp())
    } else {
        search_key_of(tx, new_id, item.created_at.timestamp())?
    };
    let row = RowColumns::new(new_id, item, scored, now, hash, key);
    let replied_at = item.owner_reply.as_ref().map(|r| reply_time(r, now));
    let only_on_insert: [&dyn ToSql; 6] = [
        &source_id,
        &owner.business_id,
        &item.external_id,
        &item.raw_json,
        &replied_at,
        &analysed.aspects_json,
    ];
    let inserted = insert.execute(params_from_iter(
        row.params().into_iter().chain(only_on_insert),
    ))?;
    if inserted == 0 {
        return Ok(false);
    }
    // The row carries its aspect mentions (`aspects`, migration 0007); the rollup counts them
    // here and the triggers take them out again on an edit or a delete.
    let day = row.created_at.div_euclid(86_400);
    rollups.add_item(
        owner.business_id,
        &item.platform,
        row.kind,
        day,
        item.rating,
        scored.label,
        replied_at.is_some(),
    );
    write_owner_reply(tx, new_id, item, now)?;
    for m in &analysed.aspects {
        rollups.add_aspect(owner.business_id, m.aspect, day, m.sentiment);
    }
    Ok(true)
}

/// The analysis made beforehand, or one made now into `own`: sentiment, language and aspects
/// from one reading of the text (`analysis::analyse`), not one reading for each. A business
/// with topics of its own gets their mentions added here, in the writer: an import's worker
/// threads analyse without them, and a business without topics pays nothing.
fn analysis_of<'a>(
    item: &IncomingReview,
    owner: &Owner,
    analysed: Option<&'a ReviewAnalysis>,
    content_hash: i64,
    own: &'a mut Option<ReviewAnalysis>,
) -> &'a ReviewAnalysis {
    match (analysed, &owner.topics) {
        (Some(a), None) => a,
        (Some(a), Some(topics)) => {
            let mut a = a.clone();
            a.add_owner_topics(item, topics);
            own.insert(a)
        }
        (None, topics) => {
            let mut a = analysis::analyse_hashed(item, owner.category.as_deref(), content_hash);
            if let Some(topics) = topics {
                a.add_owner_topics(item, topics);
            }
            own.insert(a)
        }
    }
}

/// The review's sentiment: the one analysed beforehand, or worked out now.
fn sentiment_of(item: &IncomingReview, analysed: Option<&ReviewAnalysis>) -> ReviewSentiment {
    match analysed {
        Some(a) => a.sentiment.clone(),
        None => analysis::sentiment_of(item),
    }
}

/// When a platform-seen reply was written; platforms that do not say get the time Earshot saw it.
fn reply_time(reply: &crate::model::OwnerReply, now: i64) -> i64 {
    reply.replied_at.map_or(now, |t| t.timestamp())
}

/// Keeps the platform-seen owner reply in `replies` and the cached first-reply time current.
fn write_owner_reply(
    tx: &Connection,
    review_id: ReviewId,
    item: &IncomingReview,
    now: i64,
) -> Result<()> {
    let Some(reply) = &item.owner_reply else {
        return Ok(());
    };
    let at = reply.replied_at.map_or(now, |t| t.timestamp());
    tx.prepare_cached(
        "INSERT INTO replies (review_id, origin, state, body, created_at, updated_at, posted_at)
         VALUES (?1, 'platform', 'posted', ?2, ?3, ?3, ?3)
         ON CONFLICT (review_id) WHERE origin = 'platform'
         DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
    )?
    .execute(params![review_id, reply.body, at])?;
    tx.prepare_cached(
        "UPDATE reviews SET replied_at = ?2 WHERE id = ?1 AND (replied_at IS NULL OR replied_at > ?2)",
    )?
    .execute(params![review_id, at])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    use crate::model::Kind;
    use crate::store::ReviewFilter;
    use chrono::{DateTime, Utc};

    /// The aspect rollup is what the rows' mentions (migration 0007) add up to after new
    /// reviews, an edit that changes what a review talks about, one moved to another day, and
    /// the source's removal, which leaves nothing counted.
    #[test]
    fn the_aspect_rollup_follows_edits_moves_and_deletes_of_the_rows() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, source) = store_with_source(dir.path());
        let at = |day: i64| DateTime::from_timestamp(day * 86_400 + 3_600, 0).unwrap();
        let texts = [
            "The staff were rude and the prices far too high.",
            "Lovely staff, fair price, the service was quick.",
            "Slow service today. Staff seemed stressed.",
        ];
        let items: Vec<IncomingReview> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                IncomingReview::example(format!("r{i}"), (*t).into(), at(20_000 + i as i64 % 2))
            })
            .collect();
        store.write_reviews(source, &items).unwrap();
        // Per aspect and day: mentions, negative, positive, sentiment sum.
        type AspectDays = Vec<(String, i64, i64, i64, i64, f64)>;
        let aspect_days = |store: &Store, sql: &str| -> AspectDays {
            store
                .conn
                .prepare(sql)
                .unwrap()
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let rollup = |store: &Store| {
            aspect_days(
                store,
                "SELECT aspect, day, mentions, negative, positive, sentiment_sum
                 FROM aspect_daily WHERE mentions != 0 ORDER BY 1, 2",
            )
        };
        let from_rows = |store: &Store| {
            aspect_days(
                store,
                "SELECT m.key, r.created_at / 86400, count(*), sum(m.value ->> 1 = -1),
                        sum(m.value ->> 1 = 1), sum(m.value ->> 0)
                 FROM reviews r, json_each(r.aspects) m GROUP BY 1, 2 ORDER BY 1, 2",
            )
        };
        let same = |a: &AspectDays, b: &AspectDays| {
            assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
            for (x, y) in a.iter().zip(b) {
                assert_eq!(
                    (&x.0, x.1, x.2, x.3, x.4),
                    (&y.0, y.1, y.2, y.3, y.4),
                    "{a:?} vs {b:?}"
                );
                assert!((x.5 - y.5).abs() < 1e-9, "{a:?} vs {b:?}");
            }
        };
        let before = rollup(&store);
        assert!(
            before.iter().any(|r| r.0 == "staff" && r.2 == 2),
            "{before:?}"
        );
        same(&before, &from_rows(&store));

        // r0 now praises the service instead; r2 moves two days on, unchanged in text.
        let edited = [
            IncomingReview::example(
                "r0".into(),
                "Service was friendly and fast this time.".into(),
                at(20_000),
            ),
            IncomingReview {
                created_at: at(20_002),
                ..items[2].clone()
            },
        ];
        let counts = store.write_reviews(source, &edited).unwrap();
        assert_eq!(counts.updated, 2);
        let after = rollup(&store);
        assert_ne!(after, before);
        assert!(
            after.iter().any(|r| r.0 == "service" && r.1 == 20_002),
            "{after:?}"
        );
        same(&after, &from_rows(&store));
        let now_about: Vec<String> = store
            .review_aspects(1)
            .unwrap()
            .into_iter()
            .map(|a| a.0)
            .collect();
        assert!(now_about.contains(&"service".to_string()), "{now_about:?}");
        assert!(!now_about.contains(&"price".to_string()), "{now_about:?}");

        store.remove_source(source).unwrap();
        let left: (i64, i64, i64, f64) = store
            .conn
            .query_row(
                "SELECT count(*), coalesce(sum(abs(mentions) + abs(negative) + abs(positive)), 0),
                        0, coalesce(max(abs(sentiment_sum)), 0) FROM aspect_daily",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(left.1, 0, "{left:?}");
        // The triggers subtract the very values the write path added: the JSON keeps every bit.
        assert_eq!(left.3, 0.0, "{left:?}");
    }

    #[test]
    fn the_log_grows_further_between_checkpoints_only_while_a_review_writer_is_open() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, source) = store_with_source(dir.path());
        let pages = |s: &Store| -> i64 {
            s.conn
                .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))
                .unwrap()
        };
        assert_eq!(pages(&store), 1_000);
        {
            let mut writer = store.review_writer();
            assert_eq!(pages(writer.store()), (128 << 20) / (16 << 10));
            let item = IncomingReview::example("w1".into(), "Fine".into(), Utc::now());
            writer.write(source, &item, None).unwrap();
            writer.commit().unwrap();
        }
        assert_eq!(pages(&store), (16 << 20) / (16 << 10));
    }

    /// Regression: a batch whose rows were not in search key order (a day's reviews at any
    /// time of day) made FTS5 write a segment for every row out of order, and merge them.
    #[test]
    fn a_batch_out_of_time_order_is_indexed_in_one_segment() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, source) = store_with_source(dir.path());
        let day = chrono::DateTime::parse_from_rfc3339("2025-03-01T00:00:00Z").unwrap();
        let items: Vec<IncomingReview> = (0..400i64)
            .map(|i| IncomingReview {
                author: Some(format!("Customer {i}")),
                ..IncomingReview::example(
                    format!("r{i}"),
                    format!("Coffee number {i} was fine"),
                    // Minutes jump back and forth through the day.
                    (day + chrono::Duration::minutes((i * 337) % 1440)).to_utc(),
                )
            })
            .collect();
        // Without merges every segment written stays, with at least one row of the index's
        // data table each.
        store
            .conn
            .execute_batch(
                "INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('automerge', 0);
                 INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('crisismerge', 100000);",
            )
            .unwrap();
        store.write_reviews(source, &items).unwrap();
        let leaves: i64 = store
            .conn
            .query_row("SELECT count(*) FROM reviews_fts_data", [], |r| r.get(0))
            .unwrap();
        assert!(leaves < 20, "{leaves} rows in reviews_fts_data");
        let found = store
            .list_reviews(&ReviewFilter {
                search: Some("number".into()),
                limit: Some(1000),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(found.len(), 400);
    }

    /// How many segments the full-text index is in (FTS5's `%_idx` table names each one).
    fn segments(store: &Store) -> i64 {
        store
            .conn
            .query_row(
                "SELECT count(DISTINCT segid) FROM reviews_fts_idx",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// An import's batches leave their search index segments unmerged, and only the stored
    /// merge settings are ever committed; `merge_search_index` merges them later, and the
    /// index finds the same reviews before and after.
    #[test]
    fn an_import_leaves_its_segments_for_a_later_merge() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, source) = store_with_source(dir.path());
        let day = chrono::DateTime::parse_from_rfc3339("2025-03-01T00:00:00Z").unwrap();
        let settings = |store: &Store| -> Vec<(String, i64)> {
            let mut stmt = store
                .conn
                .prepare(
                    "SELECT k, v FROM reviews_fts_config
                     WHERE k IN ('automerge', 'crisismerge') ORDER BY k",
                )
                .unwrap();
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            rows.collect::<rusqlite::Result<_>>().unwrap()
        };
        let stored = vec![
            ("automerge".to_string(), 8),
            ("crisismerge".to_string(), 16),
        ];
        let batches = 12;
        {
            let mut writer = store.import_writer();
            for b in 0..batches {
                for i in 0..20i64 {
                    let item = IncomingReview::example(
                        format!("r{b}-{i}"),
                        format!("Flat white number {i} of batch {b}"),
                        (day + chrono::Duration::minutes(b * 60 + i)).to_utc(),
                    );
                    writer.write(source, &item, None).unwrap();
                }
                writer.commit().unwrap();
                assert_eq!(settings(writer.store()), stored, "after batch {b}");
            }
        }
        assert_eq!(
            segments(&store),
            batches,
            "one segment a batch, none merged"
        );
        let search = ReviewFilter {
            search: Some("flat white".into()),
            limit: Some(1000),
            ..Default::default()
        };
        let found = |store: &Store| -> Vec<ReviewId> {
            let listed = store.list_reviews(&search).unwrap();
            listed.into_iter().map(|r| r.id).collect()
        };
        let before = found(&store);
        assert_eq!(before.len(), 240);

        let budget = std::time::Duration::from_secs(60);
        assert!(store.merge_search_index(budget).unwrap());
        assert!(segments(&store) < 4, "{} segments", segments(&store));
        assert_eq!(found(&store), before);
        assert!(!store.merge_search_index(budget).unwrap(), "nothing left");
        assert_eq!(settings(&store), stored);
        store
            .conn
            .execute_batch("INSERT INTO reviews_fts (reviews_fts) VALUES ('integrity-check')")
            .unwrap();
    }

    /// Issue 31: an import of more batches than [`IMPORT_CRISIS_SEGMENTS`] merges the first
    /// level's segments once it holds that many, so a search at 10 million reviews reads tens of
    /// segments, not hundreds; the index stays whole and finds every review.
    #[test]
    fn a_big_import_merges_its_segments_sixty_four_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, source) = store_with_source(dir.path());
        let day = chrono::DateTime::parse_from_rfc3339("2025-03-01T00:00:00Z").unwrap();
        let batches = IMPORT_CRISIS_SEGMENTS + 6;
        {
            let mut writer = store.import_writer();
            for b in 0..batches {
                for i in 0..3i64 {
                    let item = IncomingReview::example(
                        format!("r{b}-{i}"),
                        format!("Cortado number {i} of batch {b}"),
                        (day + chrono::Duration::minutes(b * 10 + i)).to_utc(),
                    );
                    writer.write(source, &item, None).unwrap();
                }
                writer.commit().unwrap();
                if b + 1 < IMPORT_CRISIS_SEGMENTS {
                    assert_eq!(segments(writer.store()), b + 1, "none merged yet");
                }
            }
        }
        // The 64th batch's segment made the first level full: its 64 became one.
        assert_eq!(segments(&store), 1 + (batches - IMPORT_CRISIS_SEGMENTS));
        let found = store
            .list_reviews(&ReviewFilter {
                search: Some("cortado".into()),
                limit: Some(1000),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(found.len() as i64, batches * 3);
        assert!(found.windows(2).all(|w| w[0].created_at >= w[1].created_at));
        store
            .conn
            .execute_batch("INSERT INTO reviews_fts (reviews_fts) VALUES ('integrity-check')")
            .unwrap();
    }

    /// The settings an import puts back are the ones the database held, whatever they are: a
    /// later migration that changes them is not undone by the next import.
    #[test]
    fn an_import_puts_back_the_merge_settings_the_database_held() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, source) = store_with_source(dir.path());
        store
            .conn
            .execute_batch("INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('automerge', 2)")
            .unwrap();
        let held = SearchMerges::stored(&store.conn).unwrap();
        assert_eq!(
            held,
            SearchMerges {
                automerge: 2,
                crisismerge: SearchMerges::FTS5_DEFAULTS.crisismerge
            }
        );
        let day = chrono::DateTime::parse_from_rfc3339("2025-03-01T00:00:00Z").unwrap();
        let mut writer = store.import_writer();
        for b in 0..3i64 {
            let item = IncomingReview::example(
                format!("r{b}"),
                format!("Flat white {b}"),
                (day + chrono::Duration::hours(b)).to_utc(),
            );
            writer.write(source, &item, None).unwrap();
            writer.commit().unwrap();
        }
        drop(writer);
        assert_eq!(SearchMerges::stored(&store.conn).unwrap(), held);
    }

    /// The writer an import streams rows into: what it commits stays, an error or a drop
    /// rolls back only the open batch, and a writer used again after an error starts afresh.
    #[test]
    fn a_review_writer_commits_batches_and_rolls_back_only_the_open_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("writer.db")).unwrap();
        let business = store.ensure_business("Cafe").unwrap();
        let source = store
            .ensure_source(business.id, "file", "import", &serde_json::json!({}))
            .unwrap();
        let item = |id: &str, rating: f64| IncomingReview {
            external_id: id.into(),
            platform: "google".into(),
            kind: Kind::Review,
            author: None,
            rating: Some(rating),
            title: None,
            body: format!("Review {id}, the coffee was good"),
            url: None,
            language: None,
            created_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            updated_at: None,
            owner_reply: None,
            raw_json: None,
        };
        let stored = |store: &Store| {
            store
                .list_reviews(&ReviewFilter {
                    limit: Some(100),
                    ..Default::default()
                })
                .unwrap()
                .into_iter()
                .map(|r| r.external_id)
                .collect::<std::collections::BTreeSet<_>>()
        };
        {
            let mut w = store.review_writer();
            w.write(source, &item("a", 5.0), None).unwrap();
            w.write(source, &item("b", 4.0), None).unwrap();
            assert_eq!(w.commit().unwrap().new, 2);
            w.write(source, &item("c", 3.0), None).unwrap();
            // A rating out of range fails the row: the open batch ("c") goes, "a" and "b" stay.
            assert!(w.write(source, &item("bad", 9.0), None).is_err());
            w.write(source, &item("d", 2.0), None).unwrap();
            assert_eq!(w.commit().unwrap().new, 1);
            w.write(source, &item("e", 1.0), None).unwrap();
            // Dropped with "e" uncommitted.
        }
        let ids = stored(&store);
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["a", "b", "d"]);
        // The rollup and the full-text index hold exactly the committed rows.
        assert_eq!(store.stats(business.id).unwrap().count, 3);
        let found = store
            .list_reviews(&ReviewFilter {
                search: Some("coffee".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_string()]);
    }

    /// Migration 0006 makes the index anew and fills it from the reviews a block at a time:
    /// the result is the index FTS5's own rebuild makes, whatever the block size.
    #[test]
    fn the_search_index_filled_by_blocks_is_the_one_a_rebuild_makes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("blocks.db")).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        crate::demo::load(&mut store, today).unwrap();
        // Each term, each column it is in, and in how many reviews (the index keeps no more).
        let index = |store: &Store| -> Vec<(String, String, i64)> {
            store
                .conn
                .execute_batch(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms
                     USING fts5vocab(main, reviews_fts, col)",
                )
                .unwrap();
            let mut stmt = store
                .conn
                .prepare("SELECT term, col, doc FROM temp.terms ORDER BY term, col")
                .unwrap();
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap();
            rows.collect::<rusqlite::Result<_>>().unwrap()
        };
        store
            .conn
            .execute_batch("INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild')")
            .unwrap();
        let rebuilt = index(&store);
        assert!(rebuilt.len() > 100, "{} terms", rebuilt.len());
        for block in [7, 20_000] {
            store
                .conn
                .execute_batch("INSERT INTO reviews_fts (reviews_fts) VALUES ('delete-all')")
                .unwrap();
            index_all_rows_in_blocks(&store.conn, block).unwrap();
            assert_eq!(index(&store), rebuilt, "blocks of {block}");
            store
                .conn
                .execute_batch("INSERT INTO reviews_fts (reviews_fts) VALUES ('integrity-check')")
                .unwrap();
        }
    }
}
