//! Reviews on PostgreSQL: the batch write path fed by COPY, and the listing, count and search.
//!
//! A batch is gathered in memory by [`PgReviewWriter::write`] and written at
//! [`PgReviewWriter::commit`] in one transaction. A batch whose items are all new (an import's
//! first run, most sync pages) is copied straight into `reviews` (`COPY … FROM STDIN (FORMAT
//! binary)`); any other goes through a temporary table and one set-based merge (revisions of
//! edited texts, then an upsert on `(source_id, external_id)` that leaves unchanged rows alone).
//! The rollup follows by the statement-level triggers of migration 0001, the search document is
//! a generated column: no per-row round trip, which is what makes COPY fast. A crash keeps whole
//! batches or nothing; a rerun finds every row unchanged.
//!
//! An import's writer ([`PgStore::import_writer`]) hands its batches to several connections,
//! so the server's cores share the work (its CPU, not the client's, sets an import's pace:
//! docs/scale.md); the ids still follow the file's order.

use std::collections::VecDeque;
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, Row};
use rustc_hash::{FxHashMap, FxHashSet};

use super::PgStore;
use crate::analysis::aspects;
use crate::analysis::review::{self as analysis, scored_text_of, ReviewAnalysis};
use crate::analysis::topics::TopicMatcher;
use crate::model::{
    BusinessId, IncomingReview, Kind, Review, ReviewId, SentimentLabel, SourceId, WriteCounts,
};
use crate::store::reviews::from_unix;
use crate::store::{now_unix, OwnerTopic, Result, ReviewFilter, ReviewOrder, StoreError};

/// Default page size of a listing when the caller names none (as the SQLite store's).
const DEFAULT_LIMIT: u32 = 100;

/// How many connections an import writes its batches over when [`IMPORT_CONNECTIONS_VAR`] does
/// not say: each batch's server work (search document, indexes, key checks) runs on a core of
/// the server, so more connections help as far as the server has cores. Two suit the smallest
/// server (and this project's 2-core build machine, where the client's analysis takes the rest).
const IMPORT_CONNECTIONS: usize = 2;

/// The environment variable that sets how many connections an import writes over (1: the
/// store's own connection only); for a server with more cores, and the bench's scaling runs.
pub const IMPORT_CONNECTIONS_VAR: &str = "EARSHOT_IMPORT_CONNECTIONS";

/// The staging table a batch is copied into; dropped with the session, emptied at commit.
const STAGING: &str = "CREATE TEMP TABLE IF NOT EXISTS staged_reviews (
     seq bigint, id bigint, source_id bigint, business_id bigint, external_id text, platform text,
     kind text, author text, rating float8, title text, body text, url text, language text,
     created_at bigint, updated_at bigint, sentiment float8, sentiment_label text,
     content_hash bigint, aspects text, raw_json text, replied_at bigint
 ) ON COMMIT DELETE ROWS";

const COPY_STAGED: &str = "COPY staged_reviews (seq, id, source_id, business_id, external_id,
     platform, kind, author, rating, title, body, url, language, created_at, updated_at,
     sentiment, sentiment_label, content_hash, aspects, raw_json, replied_at)
     FROM STDIN (FORMAT binary)";

/// The column types of [`COPY_STAGED`], in order.
const STAGED_TYPES: [Type; 21] = [
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::FLOAT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::INT8,
    Type::FLOAT8,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
];

/// The batch's last copy of each item: a file may repeat one, and an upsert may touch a row
/// once per statement.
const LATEST: &str = "SELECT DISTINCT ON (source_id, external_id) * FROM staged_reviews
     ORDER BY source_id, external_id, seq DESC";

/// Files the text an edit replaces, before the upsert overwrites it ($1: now).
fn revisions_sql() -> String {
    format!(
        "INSERT INTO review_revisions (review_id, rating, title, body, updated_at, recorded_at)
         SELECT r.id, r.rating, r.title, r.body, r.updated_at, $1
         FROM ({LATEST}) s JOIN reviews r
           ON r.source_id = s.source_id AND r.external_id = s.external_id
         WHERE r.content_hash <> s.content_hash
           AND (r.rating IS DISTINCT FROM s.rating OR r.title IS DISTINCT FROM s.title
                OR r.body <> s.body)"
    )
}

/// Inserts new items in the order they came (ids follow, as in the SQLite store), updates edited
/// or returning ones, leaves unchanged ones alone; counts (new, updated). $1: now.
///
/// Stored items are left out of the insert, not only by the conflict's WHERE: an `INSERT … ON
/// CONFLICT` computes each row's generated search document (two `to_tsvector`) and takes an
/// identity value before it finds the conflict, which made a rerun of an import cost half its
/// first run and left a gap in the ids for each edit.
///
/// `with_ids`: the batch carries ids reserved in file order (an import over several connections),
/// which new rows take.
fn upsert_sql(with_ids: bool) -> String {
    let id = if with_ids { "id, " } else { "" };
    // A reserved id of 0 marks an item that was stored when the ids were reserved
    // (`reserve_ids`); if it is gone by now, it takes a fresh id.
    let id_value = if with_ids {
        "CASE WHEN id > 0 THEN id ELSE nextval(pg_get_serial_sequence('reviews', 'id')) END, "
    } else {
        ""
    };
    // Stored items are updated by an UPDATE and only the rest inserted: an `INSERT … ON
    // CONFLICT DO UPDATE` takes an identity value for every row it proposes, conflicting or not,
    // so each edited review used to leave a gap, and the next new review's id was higher than
    // the file's. Both statements see the same snapshot, so they touch different rows; a row
    // another seat inserts meanwhile still meets the conflict clause.
    format!(
        "WITH latest AS MATERIALIZED ({LATEST}),
         updated AS (
             UPDATE reviews r SET
                 platform = s.platform, kind = s.kind, author = s.author, rating = s.rating,
                 title = s.title, body = s.body, url = s.url, language = s.language,
                 created_at = s.created_at, updated_at = s.updated_at, fetched_at = $1,
                 removed_at = NULL, sentiment = s.sentiment, sentiment_label = s.sentiment_label,
                 content_hash = s.content_hash, aspects = s.aspects::jsonb,
                 replied_at = CASE WHEN r.replied_at IS NULL OR r.replied_at > s.replied_at
                                   THEN coalesce(s.replied_at, r.replied_at)
                                   ELSE r.replied_at END
             FROM latest s
             WHERE r.source_id = s.source_id AND r.external_id = s.external_id
               AND (r.content_hash <> s.content_hash OR r.removed_at IS NOT NULL)
             RETURNING 1
         ),
         written AS (
             INSERT INTO reviews AS r ({id}source_id, business_id, platform, external_id, kind,
                 author, rating, title, body, url, language, created_at, updated_at, fetched_at,
                 sentiment, sentiment_label, content_hash, aspects, raw_json, replied_at)
             SELECT {id_value}source_id, business_id, platform, external_id, kind, author, rating,
                 title, body, url, language, created_at, updated_at, $1, sentiment,
                 sentiment_label, content_hash, aspects::jsonb, raw_json, replied_at
             FROM latest s
             WHERE NOT EXISTS (SELECT 1 FROM reviews u
                 WHERE u.source_id = s.source_id AND u.external_id = s.external_id)
             ORDER BY seq
             ON CONFLICT (source_id, external_id) DO UPDATE SET
                 platform = excluded.platform, kind = excluded.kind, author = excluded.author,
                 rating = excluded.rating, title = excluded.title, body = excluded.body,
                 url = excluded.url, language = excluded.language,
                 created_at = excluded.created_at, updated_at = excluded.updated_at,
                 fetched_at = excluded.fetched_at, removed_at = NULL,
                 sentiment = excluded.sentiment, sentiment_label = excluded.sentiment_label,
                 content_hash = excluded.content_hash, aspects = excluded.aspects,
                 replied_at = CASE WHEN r.replied_at IS NULL
                                    OR r.replied_at > excluded.replied_at
                               THEN coalesce(excluded.replied_at, r.replied_at)
                               ELSE r.replied_at END
             WHERE r.content_hash <> excluded.content_hash OR r.removed_at IS NOT NULL
             RETURNING (xmax = 0) AS inserted
         )
         SELECT count(*) FILTER (WHERE inserted),
                count(*) FILTER (WHERE NOT inserted) + (SELECT count(*) FROM updated)
         FROM written"
    )
}

/// One item as it is staged: the review's columns with its analysis.
struct Staged {
    source_id: SourceId,
    business_id: BusinessId,
    external_id: String,
    platform: String,
    kind: &'static str,
    author: Option<String>,
    rating: Option<f64>,
    title: Option<String>,
    body: String,
    url: Option<String>,
    language: Option<String>,
    created_at: i64,
    updated_at: Option<i64>,
    sentiment: Option<f64>,
    sentiment_label: Option<&'static str>,
    content_hash: i64,
    aspects: Option<String>,
    raw_json: Option<String>,
    replied_at: Option<i64>,
    /// The owner's reply as the platform shows it, kept in `replies` as on a file.
    owner_reply: Option<String>,
}

/// The business a source feeds, its category (which picks the aspect lexicon) and the owner's
/// own topics of it (migration 0009), which new and edited reviews are tagged with on the way
/// in, as on a file.
struct Owner {
    business_id: BusinessId,
    category: Option<String>,
    /// The topics as read, to tell at commit whether another seat changed them since.
    topics_read: Vec<OwnerTopic>,
    topics: Option<TopicMatcher>,
}

/// Writes reviews in batches, one transaction each, as the SQLite store's `ReviewWriter` does:
/// items are taken one at a time and written when [`PgReviewWriter::commit`] is called.
/// Dropping the writer with items gathered writes nothing of them; batches already handed to
/// the import's other connections are written before the drop returns.
pub struct PgReviewWriter<'s> {
    store: &'s PgStore,
    staged: Vec<Staged>,
    owners: FxHashMap<SourceId, Owner>,
    /// How many connections the batches are written over (1: the store's own, batch by batch).
    connections: usize,
    /// The other connections, opened at the first commit of an import over more than one.
    parallel: Option<Parallel>,
}

impl PgStore {
    /// A writer of review batches (a sync's pages, a few items): each batch is written on the
    /// store's own connection before `commit` returns.
    pub fn review_writer(&self) -> PgReviewWriter<'_> {
        PgReviewWriter {
            store: self,
            staged: Vec::new(),
            owners: FxHashMap::default(),
            connections: 1,
            parallel: None,
        }
    }

    /// An import's writer: its batches are written over [`IMPORT_CONNECTIONS`] connections at once
    /// (or what [`IMPORT_CONNECTIONS_VAR`] says), ids in the order the items came.
    /// `commit` returns what the batches finished so far changed, [`PgReviewWriter::finish`]
    /// the rest.
    pub fn import_writer(&self) -> PgReviewWriter<'_> {
        let connections = std::env::var(IMPORT_CONNECTIONS_VAR)
            .ok()
            .and_then(|n| n.trim().parse::<usize>().ok())
            .unwrap_or(IMPORT_CONNECTIONS)
            .clamp(1, 64);
        PgReviewWriter {
            connections,
            ..self.review_writer()
        }
    }

    /// Writes a batch of items for one source in one transaction and says what changed.
    pub fn write_reviews(
        &self,
        source_id: SourceId,
        items: &[IncomingReview],
    ) -> Result<WriteCounts> {
        let mut writer = self.review_writer();
        for item in items {
            writer.write(source_id, item, None)?;
        }
        writer.commit()
    }
}

impl<'s> PgReviewWriter<'s> {
    /// The store, for what an import does between items (such as adding a source).
    pub fn store(&self) -> &'s PgStore {
        self.store
    }

    /// Takes one item into the open batch. Its analysis is made now when none was made
    /// beforehand for its business's category.
    pub fn write(
        &mut self,
        source_id: SourceId,
        item: &IncomingReview,
        analysed: Option<&ReviewAnalysis>,
    ) -> Result<WriteCounts> {
        crate::store::reviews::validate(item)?;
        if !self.owners.contains_key(&source_id) {
            let row = self.store.client().query_opt(
                "SELECT s.business_id, b.category FROM sources s
                 JOIN businesses b ON b.id = s.business_id WHERE s.id = $1",
                &[&source_id],
            )?;
            let row = row.ok_or(StoreError::UnknownSource(source_id))?;
            let business_id = row.get(0);
            let topics_read = super::topics::topics_of(&mut *self.store.client(), business_id)?;
            let owner = Owner {
                business_id,
                category: row.get(1),
                topics: super::topics::matcher_for(&topics_read),
                topics_read,
            };
            self.owners.insert(source_id, owner);
        }
        let owner = &self.owners[&source_id];
        let hash = analysed.map_or_else(|| item.content_hash(), |a| a.content_hash);
        let mut own = None;
        let analysed = match analysed.filter(|a| a.category == owner.category) {
            Some(a) => a,
            None => own.insert(analysis::analyse_hashed(
                item,
                owner.category.as_deref(),
                hash,
            )),
        };
        // The owner's topics are added here, in the writer, as the SQLite writer does: an
        // import's worker threads analyse without them, and a business without topics pays
        // nothing.
        let analysed = match &owner.topics {
            Some(topics) => {
                let mut a = analysed.clone();
                a.add_owner_topics(item, topics);
                own.insert(a)
            }
            None => analysed,
        };
        let now = now_unix();
        self.staged.push(Staged {
            source_id,
            business_id: owner.business_id,
            external_id: item.external_id.clone(),
            platform: item.platform.clone(),
            kind: item.kind.as_str(),
            author: item.author.clone(),
            rating: item.rating,
            title: item.title.clone(),
            body: item.body.clone(),
            url: item.url.clone(),
            language: analysed
                .sentiment
                .language
                .map(str::to_owned)
                .or_else(|| item.language.clone()),
            created_at: item.created_at.timestamp(),
            updated_at: item.updated_at.map(|t| t.timestamp()),
            sentiment: analysed.sentiment.score,
            sentiment_label: analysed.sentiment.label,
            content_hash: hash,
            aspects: analysed.aspects_json.clone(),
            raw_json: item.raw_json.clone(),
            replied_at: item
                .owner_reply
                .as_ref()
                .map(|r| r.replied_at.map_or(now, |t| t.timestamp())),
            owner_reply: item.owner_reply.as_ref().map(|r| r.body.clone()),
        });
        Ok(WriteCounts::default())
    }

    /// Writes the gathered items in one transaction; returns what they changed. An import's
    /// writer over several connections hands the batch over and returns what the batches
    /// finished meanwhile changed (an error of one of them comes back here or from
    /// [`PgReviewWriter::finish`]).
    pub fn commit(&mut self) -> Result<WriteCounts> {
        if self.connections > 1 {
            let staged = std::mem::take(&mut self.staged);
            if staged.is_empty() {
                return Ok(WriteCounts::default());
            }
            return self.hand_over(staged);
        }
        self.commit_with_cursor(None)
    }

    /// Waits for the batches other connections are writing; what they changed since the last
    /// `commit` said. Nothing to wait for on a writer of one connection.
    pub fn finish(&mut self) -> Result<WriteCounts> {
        match &mut self.parallel {
            Some(parallel) => parallel.wait_all(),
            None => Ok(WriteCounts::default()),
        }
    }

    /// [`PgReviewWriter::commit`], storing a sync's cursor for the source in the same
    /// transaction (`Some((source, cursor))`), so a crash between pages resumes from the last
    /// page stored; the cursor is written even when the page was empty. Always on the store's
    /// own connection, before it returns.
    pub fn commit_with_cursor(&mut self, cursor: Option<(SourceId, &str)>) -> Result<WriteCounts> {
        let mut staged = std::mem::take(&mut self.staged);
        // The next batch reads each source's business afresh.
        let owners = std::mem::take(&mut self.owners);
        if staged.is_empty() {
            if let Some((source, cursor)) = cursor {
                self.store.set_source_cursor(source, Some(cursor))?;
            }
            return Ok(WriteCounts::default());
        }
        let mut client = self.store.client();
        write_batch(&mut client, &mut staged, &owners, None, cursor)
    }

    /// Hands a batch to the next free connection of the import (waiting for one when all are
    /// busy) with ids reserved now, in the order the batches come.
    fn hand_over(&mut self, staged: Vec<Staged>) -> Result<WriteCounts> {
        // The next batch reads each source's business afresh (its owner's topics too).
        let owners = std::mem::take(&mut self.owners);
        if self.parallel.is_none() {
            self.parallel = Some(Parallel::open(&self.store.url, self.connections)?);
        }
        let Some(parallel) = self.parallel.as_mut() else {
            unreachable!("opened above")
        };
        let keys: FxHashSet<(SourceId, String)> = staged
            .iter()
            .map(|s| (s.source_id, s.external_id.clone()))
            .collect();
        // An item that is also in a batch still being written waits for it: the later copy
        // must be written last (an edit further down the file), as on one connection.
        let mut counts = WriteCounts::default();
        if parallel
            .in_flight
            .iter()
            .any(|(_, k)| !k.is_disjoint(&keys))
        {
            counts.add(parallel.wait_all()?);
        }
        let ids = reserve_ids(&mut self.store.client(), &staged)?;
        counts.add(parallel.send(staged, owners, ids, keys)?);
        Ok(counts)
    }
}

/// Ids for a batch written on another connection, reserved now so they follow the file: one for
/// each item not stored yet, given at its first copy in the batch (every copy of an item carries
/// the same id), as a file gives the next rowid to each new review and none to an edit. A stored
/// item gets 0, which the merge never inserts (it updates stored items), or, should the row have
/// gone meanwhile, replaces by a fresh id. Stored means committed: a batch in flight holding one
/// of the items was waited for before this.
fn reserve_ids(client: &mut Client, staged: &[Staged]) -> Result<Vec<i64>> {
    let sources: Vec<i64> = staged.iter().map(|s| s.source_id).collect();
    let external: Vec<&str> = staged.iter().map(|s| s.external_id.as_str()).collect();
    let stored: Vec<bool> = client
        .query_one(
            "SELECT coalesce(array_agg(r.id IS NOT NULL ORDER BY k.n), '{}')
             FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS k(source_id, external_id, n)
             LEFT JOIN reviews r
               ON r.source_id = k.source_id AND r.external_id = k.external_id",
            &[&sources, &external],
        )?
        .get(0);
    let mut first: FxHashMap<(SourceId, &str), usize> = FxHashMap::default();
    let mut new_items = 0;
    let mut slot = Vec::with_capacity(staged.len());
    for (item, stored) in staged.iter().zip(&stored) {
        if *stored {
            slot.push(None);
            continue;
        }
        let at = *first
            .entry((item.source_id, item.external_id.as_str()))
            .or_insert_with(|| {
                new_items += 1;
                new_items - 1
            });
        slot.push(Some(at));
    }
    let reserved: Vec<i64> = client
        .query_one(
            "SELECT coalesce(array_agg(nextval(pg_get_serial_sequence('reviews', 'id')) ORDER BY g), '{}')
             FROM generate_series(1, $1::bigint) AS g",
            &[&(new_items as i64)],
        )?
        .get(0);
    Ok(slot
        .into_iter()
        .map(|at| at.map_or(0, |at| reserved[at]))
        .collect())
}

/// What [`write_batch`] did: (new, updated) rows, as `WriteCounts` of `len` items.
fn counts_of(len: usize, new: u64, updated: u64) -> WriteCounts {
    WriteCounts {
        new,
        updated,
        unchanged: (len as u64).saturating_sub(new + updated),
        rejected: 0,
    }
}

/// Writes one batch in one transaction on `client`: straight into `reviews` when none of its
/// items is stored yet and none repeats, else through the staging merge. `ids`: ids reserved in
/// file order for the batch's items (an import over several connections).
///
/// Two writers may find the same new item at once (two seats importing one file, or a batch
/// that raced another): the second's COPY fails on the unique key after the first commits, and
/// the batch is written again by the merge, which finds the row there. A deadlock (two
/// transactions' row locks, which the rollup's key order makes unlikely) is retried too.
fn write_batch(
    client: &mut Client,
    staged: &mut [Staged],
    owners: &FxHashMap<SourceId, Owner>,
    ids: Option<&[i64]>,
    cursor: Option<(SourceId, &str)>,
) -> Result<WriteCounts> {
    // Ids reserved for every item (none 0) say none was stored when they were reserved
    // (`reserve_ids` looked): no second look. A row stored since meets the unique key, and the
    // batch goes through the merge as for any race.
    let mut straight =
        keys_are_distinct(staged) && ids.is_none_or(|ids| ids.iter().all(|&i| i > 0));
    let mut attempts = 0;
    loop {
        match try_batch(client, staged, owners, ids, cursor, straight) {
            Ok((new, updated)) => return Ok(counts_of(staged.len(), new, updated)),
            Err(StoreError::Postgres(e)) if attempts < 3 && retry_by_merge(&e) => {
                straight = false;
                attempts += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Whether a failed batch is written again through the merge: the unique key met a row another
/// writer committed meanwhile, or the server broke a deadlock by failing this transaction.
fn retry_by_merge(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(&SqlState::UNIQUE_VIOLATION)
            | Some(&SqlState::T_R_DEADLOCK_DETECTED)
            | Some(&SqlState::T_R_SERIALIZATION_FAILURE)
    )
}

/// Whether no item of the batch repeats another (a file may repeat one; the merge keeps the
/// last copy).
fn keys_are_distinct(staged: &[Staged]) -> bool {
    let mut seen = FxHashSet::default();
    staged
        .iter()
        .all(|s| seen.insert((s.source_id, s.external_id.as_str())))
}

/// One attempt at [`write_batch`]: (new, updated).
fn try_batch(
    client: &mut Client,
    staged: &mut [Staged],
    owners: &FxHashMap<SourceId, Owner>,
    ids: Option<&[i64]>,
    cursor: Option<(SourceId, &str)>,
    straight: bool,
) -> Result<(u64, u64)> {
    let now = now_unix();
    let mut tx = client.transaction()?;
    // Again on a retry: the same tags come out when the topics are as the first attempt found.
    retag_if_topics_changed(&mut tx, owners, staged)?;
    if let Some((source, cursor)) = cursor {
        tx.execute(
            "UPDATE sources SET cursor = $2 WHERE id = $1",
            &[&source, &cursor],
        )?;
    }
    let counted = if straight && (ids.is_some() || none_stored(&mut tx, staged)?) {
        copy_new(&mut tx, staged, ids, now)?;
        (staged.len() as u64, 0)
    } else {
        merge(&mut tx, staged, ids, now)?
    };
    write_owner_replies(&mut tx, staged)?;
    tx.commit()?;
    Ok(counted)
}

/// Whether none of the batch's items is in `reviews` yet: one probe of the unique key an item.
fn none_stored(
    tx: &mut postgres::Transaction<'_>,
    staged: &[Staged],
) -> std::result::Result<bool, postgres::Error> {
    let sources: Vec<i64> = staged.iter().map(|s| s.source_id).collect();
    let external: Vec<&str> = staged.iter().map(|s| s.external_id.as_str()).collect();
    let any: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM unnest($1::bigint[], $2::text[]) AS k(source_id, external_id)
                 JOIN reviews r USING (source_id, external_id))",
            &[&sources, &external],
        )?
        .get(0);
    Ok(!any)
}

/// The columns [`copy_new`] writes, ids first when reserved.
const NEW_COLUMNS: &str = "source_id, business_id, platform, external_id, kind, author, rating,
     title, body, url, language, created_at, updated_at, fetched_at, sentiment, sentiment_label,
     content_hash, aspects, raw_json, replied_at";

/// The column types of [`NEW_COLUMNS`], in order, after the id's.
const NEW_TYPES: [Type; 21] = [
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::FLOAT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::FLOAT8,
    Type::TEXT,
    Type::INT8,
    Type::JSONB,
    Type::TEXT,
    Type::INT8,
];

/// JSON text (the analysis's aspects) sent as `jsonb` in COPY's binary format: a version byte,
/// then the text, which the server parses as it would the text form.
#[derive(Debug)]
struct JsonbText<'a>(&'a str);

impl ToSql for JsonbText<'_> {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(&[1]);
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB
    }

    to_sql_checked!();
}

/// Copies a batch of new items straight into `reviews`, in the order they came: no staging,
/// no sort, no conflict handling (the unique key still refuses a row another writer stored
/// meanwhile, and [`write_batch`] merges then).
fn copy_new(
    tx: &mut postgres::Transaction<'_>,
    staged: &[Staged],
    ids: Option<&[i64]>,
    now: i64,
) -> std::result::Result<(), postgres::Error> {
    let (id_column, types) = match ids {
        Some(_) => ("id, ", &NEW_TYPES[..]),
        None => ("", &NEW_TYPES[1..]),
    };
    let sink = tx.copy_in(
        format!("COPY reviews ({id_column}{NEW_COLUMNS}) FROM STDIN (FORMAT binary)").as_str(),
    )?;
    let mut copy = BinaryCopyInWriter::new(sink, types);
    for (i, s) in staged.iter().enumerate() {
        let id = ids.map_or(0, |ids| ids[i]);
        let aspects = s.aspects.as_deref().map(JsonbText);
        let row: [&(dyn ToSql + Sync); 21] = [
            &id,
            &s.source_id,
            &s.business_id,
            &s.platform,
            &s.external_id,
            &s.kind,
            &s.author,
            &s.rating,
            &s.title,
            &s.body,
            &s.url,
            &s.language,
            &s.created_at,
            &s.updated_at,
            &now,
            &s.sentiment,
            &s.sentiment_label,
            &s.content_hash,
            &aspects,
            &s.raw_json,
            &s.replied_at,
        ];
        copy.write(if ids.is_some() { &row } else { &row[1..] })?;
    }
    copy.finish()?;
    Ok(())
}

/// Writes a batch through the staging table and the set-based merge: revisions of edited
/// texts, then the upsert. (new, updated).
fn merge(
    tx: &mut postgres::Transaction<'_>,
    staged: &[Staged],
    ids: Option<&[i64]>,
    now: i64,
) -> std::result::Result<(u64, u64), postgres::Error> {
    tx.batch_execute(STAGING)?;
    let sink = tx.copy_in(COPY_STAGED)?;
    let mut copy = BinaryCopyInWriter::new(sink, &STAGED_TYPES);
    for (seq, s) in staged.iter().enumerate() {
        let id = ids.map(|ids| ids[seq]);
        let seq = seq as i64;
        let row: [&(dyn ToSql + Sync); 21] = [
            &seq,
            &id,
            &s.source_id,
            &s.business_id,
            &s.external_id,
            &s.platform,
            &s.kind,
            &s.author,
            &s.rating,
            &s.title,
            &s.body,
            &s.url,
            &s.language,
            &s.created_at,
            &s.updated_at,
            &s.sentiment,
            &s.sentiment_label,
            &s.content_hash,
            &s.aspects,
            &s.raw_json,
            &s.replied_at,
        ];
        copy.write(&row)?;
    }
    copy.finish()?;
    tx.execute(revisions_sql().as_str(), &[&now])?;
    let counted = tx.query_one(upsert_sql(ids.is_some()).as_str(), &[&now])?;
    let new = counted.get::<_, i64>(0).unsigned_abs();
    let updated = counted.get::<_, i64>(1).unsigned_abs();
    Ok((new, updated))
}

/// One batch for a connection of the import: its place in the file, its items, their ids.
struct Job {
    seq: u64,
    staged: Vec<Staged>,
    /// The batch's sources' businesses and owner topics as the items were tagged with them.
    owners: FxHashMap<SourceId, Owner>,
    ids: Vec<i64>,
}

/// The import's other connections: a thread each, taking the next batch when free.
struct Parallel {
    jobs: Option<mpsc::SyncSender<Job>>,
    done: mpsc::Receiver<(u64, Result<WriteCounts>)>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// Batches handed over and not yet written, with their items' keys.
    in_flight: VecDeque<(u64, FxHashSet<(SourceId, String)>)>,
    next_seq: u64,
}

impl Parallel {
    fn open(url: &str, connections: usize) -> Result<Parallel> {
        // No queue beyond the connections: a batch waits in the import until one is free, so
        // memory stays at a few batches whatever the file's size.
        let (jobs, queue) = mpsc::sync_channel::<Job>(0);
        let queue = Arc::new(Mutex::new(queue));
        let (report, done) = mpsc::channel();
        let mut threads = Vec::with_capacity(connections);
        for _ in 0..connections {
            // Encrypted as the store's own connection is (the URL's `sslmode`).
            let mut client = super::tls::connect(url, &super::redacted(url))?;
            client.batch_execute("SET client_min_messages = warning")?;
            let queue = Arc::clone(&queue);
            let report = report.clone();
            threads.push(std::thread::spawn(move || loop {
                let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                let Ok(mut job) = job else { return };
                let result = write_batch(
                    &mut client,
                    &mut job.staged,
                    &job.owners,
                    Some(&job.ids),
                    None,
                );
                if report.send((job.seq, result)).is_err() {
                    return;
                }
            }));
        }
        Ok(Parallel {
            jobs: Some(jobs),
            done,
            threads,
            in_flight: VecDeque::new(),
            next_seq: 0,
        })
    }

    /// Hands a batch to the next free connection; what the batches finished meanwhile changed.
    fn send(
        &mut self,
        staged: Vec<Staged>,
        owners: FxHashMap<SourceId, Owner>,
        ids: Vec<i64>,
        keys: FxHashSet<(SourceId, String)>,
    ) -> Result<WriteCounts> {
        let seq = self.next_seq;
        self.next_seq += 1;
        let job = Job {
            seq,
            staged,
            owners,
            ids,
        };
        let sent = self.jobs.as_ref().map(|jobs| jobs.send(job));
        if !matches!(sent, Some(Ok(()))) {
            // Every connection's thread ended: the error that ended them is in `done`.
            return self.wait_all().and_then(|_| {
                Err(StoreError::Invalid {
                    what: "import",
                    reason: "the team database's writer connections closed".into(),
                })
            });
        }
        self.in_flight.push_back((seq, keys));
        let mut counts = WriteCounts::default();
        while let Ok((seq, result)) = self.done.try_recv() {
            self.in_flight.retain(|(s, _)| *s != seq);
            counts.add(result?);
        }
        Ok(counts)
    }

    /// Waits for every batch handed over; what they changed, or the first error.
    fn wait_all(&mut self) -> Result<WriteCounts> {
        let mut counts = WriteCounts::default();
        let mut first_error = None;
        while !self.in_flight.is_empty() {
            let Ok((seq, result)) = self.done.recv() else {
                break;
            };
            self.in_flight.retain(|(s, _)| *s != seq);
            match result {
                Ok(c) => counts.add(c),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(counts),
        }
    }
}

impl Drop for Parallel {
    /// Lets the batches already handed over finish (each is whole or nothing), then closes the
    /// connections.
    fn drop(&mut self) {
        self.jobs = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Makes the batch's topic mentions those of its businesses' topics as they are now. The
/// writer tagged each item with the topics of when it came; a seat that changed them since has
/// re-tagged the stored reviews, not this batch. Under the topics' shared lock (a change takes
/// it exclusively, `store/postgres/topics.rs`) the topics cannot change again before this
/// transaction commits, so the batch and the stored reviews end up tagged alike. Costs two
/// small statements a business in the batch (the lock, the topics); the items are re-tagged
/// only when the topics changed.
fn retag_if_topics_changed(
    tx: &mut postgres::Transaction<'_>,
    owners: &FxHashMap<SourceId, Owner>,
    staged: &mut [Staged],
) -> Result<()> {
    let mut businesses: Vec<BusinessId> = owners.values().map(|o| o.business_id).collect();
    businesses.sort_unstable();
    businesses.dedup();
    for business_id in businesses {
        super::topics::lock_topics_shared(tx, business_id)?;
        let now = super::topics::topics_of(tx, business_id)?;
        let read: Vec<&OwnerTopic> = owners
            .values()
            .filter(|o| o.business_id == business_id)
            .flat_map(|o| &o.topics_read)
            .collect();
        let unchanged = owners
            .values()
            .filter(|o| o.business_id == business_id)
            .all(|o| o.topics_read == now);
        if unchanged {
            continue;
        }
        // Names of the topics then and now: their mentions are taken out, the current topics'
        // put back in.
        let mut stale: Vec<&str> = read.iter().map(|t| t.name.as_str()).collect();
        stale.extend(now.iter().map(|t| t.name.as_str()));
        let matcher = super::topics::matcher_for(&now).unwrap_or_default();
        for s in staged.iter_mut().filter(|s| s.business_id == business_id) {
            let text = scored_text_of(s.title.as_deref(), &s.body);
            let found = matcher.mentions(&text, s.language.as_deref(), s.sentiment);
            let mut mentions: serde_json::Map<String, serde_json::Value> = s
                .aspects
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or_default();
            mentions.retain(|k, _| !stale.contains(&k.as_str()));
            if let Some(found) = aspects::to_json(&found) {
                let found: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&found).unwrap_or_default();
                mentions.extend(found);
            }
            s.aspects =
                (!mentions.is_empty()).then(|| serde_json::Value::Object(mentions).to_string());
        }
    }
    Ok(())
}

/// Keeps each platform-seen owner reply of the batch in `replies` (one `origin = 'platform'` row
/// a review, its text updated), as the SQLite writer does: the composer's thread, the coach's
/// canned check and the outbox's crash recovery read them. One statement per item that carries
/// a reply (few do), after the merge gave the reviews their ids.
fn write_owner_replies(
    tx: &mut postgres::Transaction<'_>,
    staged: &[Staged],
) -> std::result::Result<(), postgres::Error> {
    let mut with_reply = staged
        .iter()
        .filter_map(|s| Some((s, s.owner_reply.as_ref()?, s.replied_at?)))
        .peekable();
    if with_reply.peek().is_none() {
        return Ok(());
    }
    let insert = tx.prepare(
        "INSERT INTO replies (review_id, origin, state, body, created_at, updated_at, posted_at)
         SELECT id, 'platform', 'posted', $3, $4, $4, $4 FROM reviews
         WHERE source_id = $1 AND external_id = $2
         ON CONFLICT (review_id) WHERE origin = 'platform'
         DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
    )?;
    for (s, body, at) in with_reply {
        tx.execute(&insert, &[&s.source_id, &s.external_id, body, &at])?;
    }
    Ok(())
}

const COLUMNS: &str = "r.id, b.name, r.business_id, r.source_id, r.platform, r.external_id, \
     r.kind, r.author, r.rating, r.title, r.body, r.created_at, r.updated_at, r.url, r.language, \
     r.replied_at, r.sentiment, r.sentiment_label, r.removed_at, r.read_at, r.assigned_to";

fn review_from_row(r: &Row) -> Review {
    let kind: String = r.get(6);
    let label: Option<String> = r.get(17);
    let replied_at: Option<i64> = r.get(15);
    Review {
        id: r.get(0),
        business: r.get(1),
        business_id: r.get(2),
        source_id: r.get(3),
        platform: r.get(4),
        external_id: r.get(5),
        kind: Kind::parse(&kind).unwrap_or(Kind::Review),
        author: r.get(7),
        rating: r.get(8),
        title: r.get(9),
        body: r.get(10),
        created_at: from_unix(r.get(11)),
        updated_at: r.get::<_, Option<i64>>(12).map(from_unix),
        url: r.get(13),
        language: r.get(14),
        replied: replied_at.is_some(),
        replied_at: replied_at.map(from_unix),
        sentiment: r.get(16),
        sentiment_label: label.as_deref().and_then(SentimentLabel::parse),
        removed: r.get::<_, Option<i64>>(18).is_some(),
        unread: r.get::<_, Option<i64>>(19).is_none(),
        assigned_to: r.get(20),
    }
}

/// A filter's conditions and their arguments, shared by the listing and the count so both
/// agree on what matches (as the SQLite store's filter_sql).
struct FilterSql {
    conditions: Vec<String>,
    args: Vec<Box<dyn ToSql + Sync>>,
    /// The search's argument number, when the filter searches.
    search: Option<usize>,
}

impl FilterSql {
    fn arg(&mut self, value: impl ToSql + Sync + 'static) -> String {
        self.args.push(Box::new(value));
        format!("${}", self.args.len())
    }

    fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.args.iter().map(|a| a.as_ref()).collect()
    }
}

/// Whether what a person typed holds a word to search for (else the search is no condition,
/// as in the SQLite store, whose fts_query splits words the same way).
fn has_words(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| !w.is_empty())
}

fn filter_sql(f: &ReviewFilter) -> FilterSql {
    let mut q = FilterSql {
        conditions: Vec::new(),
        args: Vec::new(),
        search: None,
    };
    if let Some(b) = f.business_id {
        let a = q.arg(b);
        q.conditions.push(format!("r.business_id = {a}"));
    }
    if let Some(p) = &f.platform {
        let a = q.arg(p.clone());
        q.conditions.push(format!("r.platform = {a}"));
    }
    if let Some(k) = f.kind {
        let a = q.arg(k.as_str());
        q.conditions.push(format!("r.kind = {a}"));
    }
    if let Some(t) = f.since {
        let a = q.arg(t.timestamp());
        q.conditions.push(format!("r.created_at >= {a}"));
    }
    if let Some(t) = f.until {
        let a = q.arg(t.timestamp());
        q.conditions.push(format!("r.created_at <= {a}"));
    }
    if let Some(v) = f.min_rating {
        let a = q.arg(v);
        q.conditions.push(format!("r.rating >= {a}"));
    }
    if let Some(v) = f.max_rating {
        let a = q.arg(v);
        q.conditions.push(format!("r.rating <= {a}"));
    }
    if let Some(s) = f.sentiment {
        let a = q.arg(s.as_str());
        q.conditions.push(format!("r.sentiment_label = {a}"));
    }
    if f.unanswered {
        q.conditions.push("r.replied_at IS NULL".into());
    }
    if f.answered {
        q.conditions.push("r.replied_at IS NOT NULL".into());
    }
    if f.unread {
        q.conditions.push("r.read_at IS NULL".into());
    }
    if f.removed {
        q.conditions.push("r.removed_at IS NOT NULL".into());
    } else if !f.include_removed {
        q.conditions.push("r.removed_at IS NULL".into());
    }
    if let Some(aspect) = &f.aspect {
        let a = q.arg(aspect.clone());
        q.conditions.push(format!("r.aspects ? {a}"));
    }
    if let Some(name) = &f.assigned_to {
        let a = q.arg(name.clone());
        q.conditions.push(format!("r.assigned_to = {a}"));
    }
    if f.unassigned {
        q.conditions.push("r.assigned_to IS NULL".into());
    }
    if let Some(text) = f.search.as_deref().filter(|t| has_words(t)) {
        let a = q.arg(text.to_owned());
        q.conditions
            .push(format!("r.search @@ earshot_search_query({a})"));
        q.search = Some(q.args.len());
    }
    q
}

impl PgStore {
    /// Lists reviews that match the filter, in the SQLite store's orders: (created_at, id)
    /// newest or oldest first, or best match first.
    pub fn list_reviews(&self, filter: &ReviewFilter) -> Result<Vec<Review>> {
        let mut q = filter_sql(filter);
        let direction = match filter.order {
            ReviewOrder::Oldest => "ASC",
            ReviewOrder::Newest | ReviewOrder::Relevance => "DESC",
        };
        let by_time = format!("r.created_at {direction}, r.id {direction}");
        let order = match (filter.order, q.search) {
            (ReviewOrder::Relevance, Some(n)) => {
                format!("ts_rank(r.search, earshot_search_query(${n})) DESC, {by_time}")
            }
            _ => by_time,
        };
        let limit = q.arg(i64::from(filter.limit.unwrap_or(DEFAULT_LIMIT)));
        let offset = q.arg(i64::from(filter.offset.unwrap_or(0)));
        let sql = format!(
            "SELECT {COLUMNS} FROM reviews r JOIN businesses b ON b.id = r.business_id {}
             ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            q.where_clause()
        );
        let rows = self.client().query(sql.as_str(), &q.params())?;
        Ok(rows.iter().map(review_from_row).collect())
    }

    /// How many reviews match the filter (its `limit`, `offset` and `order` are ignored).
    pub fn count_reviews(&self, filter: &ReviewFilter) -> Result<u64> {
        let q = filter_sql(filter);
        let sql = format!("SELECT count(*) FROM reviews r {}", q.where_clause());
        let n: i64 = self.client().query_one(sql.as_str(), &q.params())?.get(0);
        Ok(n.unsigned_abs())
    }

    /// One review by id.
    pub fn review(&self, id: ReviewId) -> Result<Review> {
        let sql = format!(
            "SELECT {COLUMNS} FROM reviews r JOIN businesses b ON b.id = r.business_id
             WHERE r.id = $1"
        );
        let row = self.client().query_opt(sql.as_str(), &[&id])?;
        row.map(|r| review_from_row(&r))
            .ok_or(StoreError::UnknownReview(id))
    }

    /// Marks a review as read in the inbox.
    pub fn mark_read(&self, id: ReviewId) -> Result<()> {
        self.client().execute(
            "UPDATE reviews SET read_at = $2 WHERE id = $1 AND read_at IS NULL",
            &[&id, &now_unix()],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::postgres::cluster;

    fn item(external_id: &str, rating: Option<f64>, body: &str, day: i64) -> IncomingReview {
        let at = chrono::DateTime::from_timestamp(day * 86_400 + 3_600, 0).unwrap();
        IncomingReview {
            rating,
            ..IncomingReview::example(external_id.into(), body.into(), at)
        }
    }

    /// A store with one business and one import source.
    fn store_with_source(label: &str) -> (PgStore, SourceId) {
        let store = PgStore::open(&cluster::fresh_database(label)).unwrap();
        let cafe = store.ensure_business("Cafe").unwrap();
        let source = store
            .ensure_source(cafe.id, "file", "import", &serde_json::json!({}))
            .unwrap();
        (store, source)
    }

    /// The rollup's live rows, and what the reviews add up to, in one comparable form.
    fn rollup_and_rows(store: &PgStore) -> (Vec<String>, Vec<String>) {
        const FIGURES: &str = "business_id, platform, kind, day, count, rated, rating_sum, r1, r2,
            r3, r4, r5, negative, neutral, positive, replied, unanswered_negative";
        let read = |sql: &str| -> Vec<String> {
            store
                .client()
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| {
                            let t = r.columns()[i].type_();
                            if *t == Type::FLOAT8 {
                                format!("{:.3}", r.get::<_, f64>(i))
                            } else if *t == Type::TEXT {
                                r.get::<_, String>(i)
                            } else {
                                r.get::<_, i64>(i).to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect()
        };
        let rollup = read(&format!(
            "SELECT {FIGURES} FROM review_daily WHERE count <> 0 ORDER BY 1, 2, 3, 4"
        ));
        let rows = read(
            "SELECT business_id, platform, kind, earshot_day(created_at), count(*),
                 count(rating), coalesce(sum(rating), 0),
                 count(*) FILTER (WHERE round(rating::numeric) = 1),
                 count(*) FILTER (WHERE round(rating::numeric) = 2),
                 count(*) FILTER (WHERE round(rating::numeric) = 3),
                 count(*) FILTER (WHERE round(rating::numeric) = 4),
                 count(*) FILTER (WHERE round(rating::numeric) = 5),
                 count(*) FILTER (WHERE sentiment_label = 'negative'),
                 count(*) FILTER (WHERE sentiment_label = 'neutral'),
                 count(*) FILTER (WHERE sentiment_label = 'positive'),
                 count(replied_at),
                 count(*) FILTER (WHERE replied_at IS NULL AND (rating <= 2
                     OR (kind = 'mention' AND sentiment_label = 'negative')))
             FROM reviews WHERE removed_at IS NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
        );
        (rollup, rows)
    }

    /// The rollup is what the rows add up to after every kind of write, including SQL typed by
    /// hand on the server (the triggers keep it, not the application): new rows, a rerun, edits,
    /// a removal, a move to another day, deletions, and a source deleted with its reviews.
    #[test]
    fn the_rollup_follows_every_write_even_hand_written_sql() {
        let (store, source) = store_with_source("rollup");
        let items: Vec<IncomingReview> = (0..60)
            .map(|i| {
                let rating = (i % 6 != 0).then_some(f64::from(i % 5) + 1.0);
                item(
                    &format!("r{i}"),
                    rating,
                    "Cold coffee, slow service",
                    20_000 + i64::from(i % 9),
                )
            })
            .collect();
        let c = store.write_reviews(source, &items).unwrap();
        assert_eq!((c.new, c.updated, c.unchanged), (60, 0, 0));
        let (rollup, rows) = rollup_and_rows(&store);
        assert_eq!(rollup, rows);
        assert!(!rollup.is_empty());
        let c = store.write_reviews(source, &items).unwrap();
        assert_eq!((c.new, c.updated, c.unchanged), (0, 0, 60));

        let mut client = store.client();
        client
            .batch_execute(
                "UPDATE reviews SET rating = 2.5 WHERE external_id = 'r1';
                 UPDATE reviews SET removed_at = 1 WHERE external_id IN ('r2', 'r3');
                 UPDATE reviews SET created_at = created_at - 86400 * 400 WHERE external_id = 'r4';
                 UPDATE reviews SET replied_at = created_at + 60 WHERE external_id = 'r5';
                 UPDATE reviews SET read_at = 1;
                 DELETE FROM reviews WHERE external_id IN ('r6', 'r7');",
            )
            .unwrap();
        drop(client);
        let (rollup, rows) = rollup_and_rows(&store);
        assert_eq!(rollup, rows);

        // A returning review (its platform lists it again) counts again.
        let c = store.write_reviews(source, &items[2..3]).unwrap();
        assert_eq!((c.new, c.updated), (0, 1));
        let (rollup, rows) = rollup_and_rows(&store);
        assert_eq!(rollup, rows);

        store
            .client()
            .execute("DELETE FROM sources WHERE id = $1", &[&source])
            .unwrap();
        let (rollup, rows) = rollup_and_rows(&store);
        assert_eq!(rollup, rows);
        assert!(rollup.is_empty(), "{rollup:?}");

        // A business deleted with its reviews takes its rollup along (no row is taken out of
        // a rollup that is going too).
        let again = store
            .ensure_source(1, "file", "again", &serde_json::json!({}))
            .unwrap();
        store.write_reviews(again, &items[..5]).unwrap();
        store
            .client()
            .execute("DELETE FROM businesses", &[])
            .unwrap();
        let left: i64 = store
            .client()
            .query_one("SELECT count(*) FROM review_daily", &[])
            .unwrap()
            .get(0);
        assert_eq!(left, 0);
    }

    /// No search key packs the id here: a review whose id is past 2^26 (the SQLite store's
    /// limit, SEARCH_KEY_ID_BITS) is found by a search like any other.
    /// Ids follow the file's store: an edited review takes no id, so the next new review gets the
    /// id it gets on a file (SQLite's next rowid), not one past a gap.
    #[test]
    fn an_edit_takes_no_id_and_the_next_review_gets_the_files_id() {
        let (store, source) = store_with_source("ids_after_edit");
        let first = [
            item("a", Some(1.0), "Cold coffee", 20_000),
            item("b", Some(5.0), "Lovely cake", 20_001),
        ];
        let c = store.write_reviews(source, &first).unwrap();
        assert_eq!((c.new, c.updated), (2, 0));
        let edited = [item(
            "a",
            Some(4.0),
            "Cold coffee, but they made a new one",
            20_000,
        )];
        for _ in 0..3 {
            store.write_reviews(source, &edited).unwrap();
        }
        let edited_again = [item("a", Some(5.0), "They made a new one at once", 20_000)];
        let c = store.write_reviews(source, &edited_again).unwrap();
        assert_eq!((c.new, c.updated), (0, 1));
        let c = store
            .write_reviews(source, &[item("c", Some(3.0), "Fine", 20_002)])
            .unwrap();
        assert_eq!((c.new, c.updated), (1, 0));
        let ids: Vec<(String, i64)> = store
            .client()
            .query("SELECT external_id, id FROM reviews ORDER BY id", &[])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        assert_eq!(
            ids,
            [
                ("a".to_owned(), 1),
                ("b".to_owned(), 2),
                ("c".to_owned(), 3)
            ]
        );
    }

    #[test]
    fn reviews_past_two_to_the_26th_are_searched() {
        let (store, source) = store_with_source("big_ids");
        store
            .client()
            .batch_execute("ALTER TABLE reviews ALTER COLUMN id RESTART WITH 67108869")
            .unwrap();
        let items = [
            item("far1", Some(1.0), "The espresso machine was broken", 20_000),
            item("far2", Some(5.0), "Perfect espresso", 20_001),
        ];
        store.write_reviews(source, &items).unwrap();
        let found = store
            .list_reviews(&ReviewFilter {
                search: Some("espresso".into()),
                ..Default::default()
            })
            .unwrap();
        let ids: Vec<ReviewId> = found.iter().map(|r| r.id).collect();
        assert_eq!(ids, [67_108_870, 67_108_869], "newest first");
        assert!(ids.iter().all(|id| *id > 1 << 26));
    }

    /// Words are found in their own language's forms too: an English review that says "waited"
    /// is found by "wait", a French one that says "serveurs" by "serveur"; and as written in
    /// any language.
    #[test]
    fn a_search_finds_a_words_forms_in_the_reviews_language() {
        let (store, source) = store_with_source("languages");
        let mut english = item("en", Some(2.0), "We waited forever for the waiters", 20_000);
        english.language = Some("en".into());
        let mut french = item("fr", Some(2.0), "Les serveurs étaient désagréables", 20_001);
        french.language = Some("fr".into());
        store.write_reviews(source, &[english, french]).unwrap();
        let search = |text: &str| -> Vec<String> {
            store
                .list_reviews(&ReviewFilter {
                    search: Some(text.into()),
                    ..Default::default()
                })
                .unwrap()
                .into_iter()
                .map(|r| r.external_id)
                .collect()
        };
        assert_eq!(search("wait"), ["en"]);
        assert_eq!(search("waited"), ["en"]);
        assert_eq!(search("serveur"), ["fr"]);
        assert_eq!(search("étaient"), ["fr"]);
        assert!(
            search("waited serveurs").is_empty(),
            "every word must occur"
        );
    }

    /// Two seats importing the same items at the same moment store each once: the unique key
    /// decides, whichever commits first.
    #[test]
    fn two_seats_writing_the_same_items_at_once_store_them_once() {
        let (store, source) = store_with_source("two_seats");
        let url = cluster::shared().url(
            &store
                .client()
                .query_one("SELECT current_database()", &[])
                .unwrap()
                .get::<_, String>(0),
        );
        let items: Vec<IncomingReview> = (0..500)
            .map(|i| {
                item(
                    &format!("s{i}"),
                    Some(4.0),
                    "Fine",
                    20_000 + i64::from(i % 30),
                )
            })
            .collect();
        let seats: Vec<_> = (0..2)
            .map(|_| {
                let url = url.clone();
                let items = items.clone();
                std::thread::spawn(move || {
                    let seat = PgStore::open(&url).unwrap();
                    seat.write_reviews(source, &items).unwrap()
                })
            })
            .collect();
        let counts: Vec<WriteCounts> = seats.into_iter().map(|s| s.join().unwrap()).collect();
        assert_eq!(counts.iter().map(|c| c.new).sum::<u64>(), 500, "{counts:?}");
        let stored = store.count_reviews(&ReviewFilter::default()).unwrap();
        assert_eq!(stored, 500);
        let (rollup, rows) = rollup_and_rows(&store);
        assert_eq!(rollup, rows);
    }

    /// An Earshot CSV of `rows` distinct reviews over two platforms, then `edits` of the first
    /// ones again with new text further down (a later copy wins, as on a file).
    fn import_csv(rows: usize, edits: usize) -> String {
        let mut csv = String::from("external_id,platform,author,rating,title,body,created_at\n");
        for i in 0..rows {
            let platform = if i % 3 == 0 { "yelp" } else { "google" };
            csv += &format!(
                "r{i},{platform},Guest {i},{},,\"Cold coffee and a long wait, visit {i}\",2025-0{}-{:02}T10:{:02}:00Z\n",
                1 + i % 5,
                1 + i % 6,
                1 + i % 28,
                i % 60
            );
        }
        for i in 0..edits {
            let platform = if i % 3 == 0 { "yelp" } else { "google" };
            csv += &format!(
                "r{i},{platform},Guest {i},5,,\"Edited: lovely staff after all, visit {i}\",2025-0{}-{:02}T10:{:02}:00Z\n",
                1 + i % 6,
                1 + i % 28,
                i % 60
            );
        }
        csv
    }

    /// An import over several connections (batches of 100 here, two connections by default)
    /// stores what one connection and the SQLite store store: ids in the file's order, a later
    /// copy of an item (an edit in a later batch) written after the first and kept as a revision,
    /// the rollup equal to the rows; a rerun doubles nothing.
    #[test]
    fn an_import_over_several_connections_stores_what_a_file_stores() {
        use crate::import::{import_paths_into, ImportOptions};
        use crate::store::{Db, Store};
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reviews.csv");
        std::fs::write(&file, import_csv(1_000, 101)).unwrap();
        let opts = ImportOptions {
            business: "Cafe".into(),
            ..Default::default()
        };
        let store = PgStore::open(&cluster::fresh_database("parallel_import")).unwrap();
        assert!(store.import_writer().connections > 1);
        let mut team = Db::Postgres(store);
        let mut on_file = Db::Sqlite(Store::open(&dir.path().join("file.db")).unwrap());
        let files = [file];
        for db in [&mut team, &mut on_file] {
            let report = import_paths_into(db, &files, &opts, 100, &mut |_, _| {}).unwrap();
            let c = report.counts;
            assert_eq!((c.new, c.updated, c.unchanged), (1_000, 101, 0), "{c:?}");
        }
        let all = ReviewFilter {
            order: ReviewOrder::Oldest,
            limit: Some(5_000),
            ..Default::default()
        };
        let by_id = |db: &Db| -> Vec<(i64, String, String, Option<f64>)> {
            let mut reviews = db.list_reviews(&all).unwrap();
            reviews.sort_by_key(|r| r.id);
            reviews
                .into_iter()
                .map(|r| (r.id, r.external_id, r.body, r.rating))
                .collect()
        };
        let (team_rows, file_rows) = (by_id(&team), by_id(&on_file));
        assert_eq!(team_rows.len(), 1_000);
        assert!(team_rows[5].2.starts_with("Edited:"), "{:?}", team_rows[5]);
        let external: Vec<&str> = team_rows.iter().map(|r| r.1.as_str()).collect();
        let in_file_order: Vec<String> = (0..1_000).map(|i| format!("r{i}")).collect();
        assert_eq!(external, in_file_order, "ids follow the file");
        // The same ids as on a file too: an edited item took none (`reserve_ids`).
        assert_eq!(team_rows, file_rows);

        let Db::Postgres(store) = &team else {
            unreachable!()
        };
        let revisions: i64 = store
            .client()
            .query_one("SELECT count(*) FROM review_revisions", &[])
            .unwrap()
            .get(0);
        assert_eq!(revisions, 101);
        let (rollup, rows) = rollup_and_rows(store);
        assert_eq!(rollup, rows);

        // A rerun adds no row. (The file holds two copies of the edited items, so each is
        // updated back and forth, on a file too.)
        let mut reruns = Vec::new();
        for db in [&mut team, &mut on_file] {
            let report = import_paths_into(db, &files, &opts, 100, &mut |_, _| {}).unwrap();
            reruns.push(report.counts);
            assert_eq!(db.count_reviews(&ReviewFilter::default()).unwrap(), 1_000);
        }
        assert_eq!(reruns[0], reruns[1]);
        assert_eq!(reruns[0].new, 0);
        assert_eq!(by_id(&team), team_rows);
        // And a review after the rerun gets the id it gets on a file (no reserved id was lost).
        let next = dir.path().join("next.csv");
        std::fs::write(
            &next,
            "external_id,platform,author,rating,title,body,created_at,url\n\
             after,google,Zoe,5,,Back again,2025-03-01T10:00:00Z,\n",
        )
        .unwrap();
        let next = [next];
        for db in [&mut team, &mut on_file] {
            import_paths_into(db, &next, &opts, 100, &mut |_, _| {}).unwrap();
        }
        assert_eq!(by_id(&team), by_id(&on_file));
    }

    /// A bad row deep in a file stops an import over several connections as on one: the batches
    /// before its own are written (the others' included) and counted, its own is not.
    #[test]
    fn a_bad_row_stops_an_import_over_several_connections_after_whole_batches() {
        use crate::import::{import_paths_into, ImportError, ImportOptions};
        use crate::store::Db;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reviews.csv");
        let mut csv = import_csv(1_000, 0);
        csv += "bad,google,Guest,9,,\"Out of range\",2025-01-01T10:00:00Z\n";
        std::fs::write(&file, csv).unwrap();
        let opts = ImportOptions {
            business: "Cafe".into(),
            ..Default::default()
        };
        let mut db = Db::Postgres(PgStore::open(&cluster::fresh_database("parallel_bad")).unwrap());
        let err = import_paths_into(&mut db, &[file], &opts, 150, &mut |_, _| {}).unwrap_err();
        match err {
            ImportError::BadRow {
                line, committed, ..
            } => {
                assert_eq!(line, 1_002);
                assert_eq!(committed, 900, "whole batches only");
            }
            other => panic!("{other}"),
        }
        assert_eq!(db.count_reviews(&ReviewFilter::default()).unwrap(), 900);
    }
}
