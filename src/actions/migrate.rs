//! `earshot migrate --to URL` (issue 31): copies a single-seat database file into a team's
//! PostgreSQL database, or a team database into a new file, then checks the copy.
//!
//! The copy is a list of tables ([`TABLES`]), one entry each, in foreign-key order: the columns
//! both schemas have, ids kept, and what each engine does differently said per column
//! ([`ColumnType`]: booleans, JSON kept as jsonb on the team store) or per table (values a file
//! cannot hold). What a store derives from the rows is not copied but made again by the target
//! itself: the SQLite search key and full-text index, the PostgreSQL search document, both daily
//! rollups (checked equal instead). Each store reads and writes rows in its own SQL
//! (`store/migrate.rs`, `store/postgres/migrate.rs`); this module decides what goes where.
//!
//! The target is written in one transaction and checked before that transaction commits: a
//! failure, a difference, or a killed process leaves it as it was, and a target that already
//! holds data is refused before anything is written. The source is read in one snapshot.
//!
//! Credentials are not in either database (keyrings name them after the database's identity:
//! `Db::secrets`, migration 0003 on PostgreSQL, 0010 on SQLite). The target keeps its own
//! identity, and each computer adds its keys again: see [`CREDENTIALS_NOTE`].

use serde::Serialize;

use crate::store::migrate::{row_id, Cell, ColumnType, CopiedTable, CopyRow, TableKey};
use crate::store::{Db, StoreError};

use ColumnType::{Bool, Int, Json, Real, Text};

/// What happens to a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// Copied row for row, ids kept, on both stores.
    Rows,
    /// Kept by each store from the reviews (triggers on PostgreSQL, the write path on SQLite):
    /// not copied, its rows compared after the copy.
    Rollup,
    /// Only the team store has it: not copied to a file, and said so (`why`).
    TeamOnly(&'static str),
}

/// A table of the copy.
#[derive(Debug, Clone, Copy)]
pub struct TableEntry {
    pub table: CopiedTable,
    pub copy: Handling,
    /// Values a database file cannot hold, and what they become there: (column, team value,
    /// file value).
    pub on_file: &'static [(&'static str, &'static str, &'static str)],
}

const fn rows(
    name: &'static str,
    columns: &'static [(&'static str, ColumnType)],
    key: TableKey,
) -> TableEntry {
    TableEntry {
        table: CopiedTable {
            name,
            columns,
            key,
            live_when_nonzero: None,
        },
        copy: Handling::Rows,
        on_file: &[],
    }
}

const fn with_copy(entry: TableEntry, copy: Handling) -> TableEntry {
    TableEntry { copy, ..entry }
}

/// Every table of either schema, parents before children. Not listed, on purpose:
/// `database_identity` (each database keeps its own, see [`CREDENTIALS_NOTE`]), the SQLite
/// full-text index (`reviews_fts`, made again from the reviews), and bookkeeping of one store
/// only (`earshot_schema`; a source's sync lease, which on PostgreSQL is an advisory lock).
pub const TABLES: &[TableEntry] = &[
    rows(
        "businesses",
        &[
            ("id", Int),
            ("name", Text),
            ("is_competitor", Bool),
            ("category", Text),
            ("created_at", Int),
        ],
        TableKey::Id,
    ),
    rows(
        "sources",
        &[
            ("id", Int),
            ("business_id", Int),
            ("connector", Text),
            ("label", Text),
            ("settings", Json),
            ("cursor", Text),
            ("status", Text),
            ("last_error", Text),
            ("last_sync_at", Int),
            ("next_sync_at", Int),
            ("consecutive_failures", Int),
            ("created_at", Int),
            ("unconfirmed", Text),
            ("platform_rating", Real),
            ("platform_review_count", Int),
            ("platform_rating_at", Int),
        ],
        TableKey::Id,
    ),
    // Not `search_key` (SQLite's full-text rowid) nor `search` (PostgreSQL's generated
    // document): each target makes its own. `assigned_to` is a name on both (a team member's
    // login on a team database, free text in a file).
    rows(
        "reviews",
        &[
            ("id", Int),
            ("source_id", Int),
            ("business_id", Int),
            ("platform", Text),
            ("external_id", Text),
            ("kind", Text),
            ("author", Text),
            ("rating", Real),
            ("title", Text),
            ("body", Text),
            ("url", Text),
            ("language", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("fetched_at", Int),
            ("removed_at", Int),
            ("sentiment", Real),
            ("sentiment_label", Text),
            ("replied_at", Int),
            ("read_at", Int),
            ("content_hash", Int),
            ("aspects", Json),
            ("raw_json", Text),
            ("assigned_to", Text),
        ],
        TableKey::Id,
    ),
    rows(
        "review_revisions",
        &[
            ("id", Int),
            ("review_id", Int),
            ("rating", Real),
            ("title", Text),
            ("body", Text),
            ("updated_at", Int),
            ("recorded_at", Int),
        ],
        TableKey::Id,
    ),
    TableEntry {
        // A reply a staff member wrote on a team database waits for a manager there; on a file
        // nobody approves, so it is the owner's draft.
        on_file: &[("state", "awaiting_approval", "draft")],
        ..rows(
            "replies",
            &[
                ("id", Int),
                ("review_id", Int),
                ("origin", Text),
                ("state", Text),
                ("body", Text),
                ("external_id", Text),
                ("idempotency_key", Text),
                ("attempts", Int),
                ("last_error", Text),
                ("created_at", Int),
                ("updated_at", Int),
                ("posted_at", Int),
                ("retry_at", Int),
                ("drafted_by", Text),
                ("approved_by", Text),
                ("sent_by", Text),
            ],
            TableKey::Id,
        )
    },
    rows(
        "reply_revisions",
        &[
            ("id", Int),
            ("reply_id", Int),
            ("body", Text),
            ("replaced_at", Int),
        ],
        TableKey::Id,
    ),
    rows(
        "reply_templates",
        &[
            ("id", Int),
            ("name", Text),
            ("min_rating", Int),
            ("max_rating", Int),
            ("aspect", Text),
            ("body", Text),
        ],
        TableKey::Id,
    ),
    // JSON kept as text on both stores (details, params, settings below): the exact string.
    rows(
        "alerts",
        &[
            ("id", Int),
            ("business_id", Int),
            ("kind", Text),
            ("dedup_key", Text),
            ("created_at", Int),
            ("computed_at", Int),
            ("message", Text),
            ("state", Text),
            ("notified_at", Int),
            ("details", Text),
        ],
        TableKey::Id,
    ),
    rows(
        "alert_reviews",
        &[("alert_id", Int), ("review_id", Int)],
        TableKey::Columns(&["alert_id", "review_id"]),
    ),
    rows(
        "alert_rules",
        &[("kind", Text), ("enabled", Bool), ("params", Text)],
        TableKey::Columns(&["kind"]),
    ),
    rows(
        "alert_channels",
        &[
            ("id", Int),
            ("kind", Text),
            ("target", Text),
            ("settings", Text),
            ("kinds", Text),
            ("quiet_start", Int),
            ("quiet_end", Int),
            ("digest_hour", Int),
            ("created_at", Int),
            ("unconfirmed", Text),
        ],
        TableKey::Id,
    ),
    rows(
        "alert_deliveries",
        &[
            ("channel_id", Int),
            ("alert_id", Int),
            ("state", Text),
            ("attempts", Int),
            ("next_at", Int),
            ("claimed_at", Int),
            ("sent_at", Int),
            ("last_error", Text),
        ],
        TableKey::Columns(&["channel_id", "alert_id"]),
    ),
    rows(
        "settings",
        &[("key", Text), ("value", Text)],
        TableKey::Columns(&["key"]),
    ),
    // The owner's topics (team store migration 0009), requests and follow-ups (0010).
    rows(
        "owner_topics",
        &[
            ("id", Int),
            ("business_id", Int),
            ("name", Text),
            ("words", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        TableKey::Id,
    ),
    rows(
        "follow_ups",
        &[
            ("id", Int),
            ("review_id", Int),
            ("round", Int),
            ("method", Text),
            ("recipient", Text),
            ("body", Text),
            ("state", Text),
            ("rating_at_ask", Real),
            ("asked_at", Int),
            ("sent_at", Int),
            ("last_error", Text),
        ],
        TableKey::Id,
    ),
    rows(
        "customers",
        &[
            ("id", Int),
            ("business_id", Int),
            ("name", Text),
            ("email", Text),
            ("phone", Text),
            ("visited_at", Int),
            ("opt_out", Bool),
            ("name_key", Text),
            ("contact_key", Text),
            ("imported_at", Int),
        ],
        TableKey::Id,
    ),
    rows(
        "review_requests",
        &[
            ("id", Int),
            ("business_id", Int),
            ("customer_id", Int),
            ("platform", Text),
            ("via", Text),
            ("state", Text),
            ("link", Text),
            ("created_at", Int),
            ("sent_at", Int),
            ("error", Text),
        ],
        TableKey::Id,
    ),
    rows(
        "request_links",
        &[
            ("business_id", Int),
            ("platform", Text),
            ("url", Text),
            ("set_at", Int),
        ],
        TableKey::Columns(&["business_id", "platform"]),
    ),
    TableEntry {
        table: CopiedTable {
            name: "review_daily",
            columns: &[
                ("business_id", Int),
                ("platform", Text),
                ("kind", Text),
                ("day", Int),
                ("count", Int),
                ("rated", Int),
                ("rating_sum", Real),
                ("r1", Int),
                ("r2", Int),
                ("r3", Int),
                ("r4", Int),
                ("r5", Int),
                ("negative", Int),
                ("neutral", Int),
                ("positive", Int),
                ("replied", Int),
                ("unanswered_negative", Int),
            ],
            key: TableKey::Columns(&["business_id", "platform", "kind", "day"]),
            live_when_nonzero: Some("count"),
        },
        copy: Handling::Rollup,
        on_file: &[],
    },
    TableEntry {
        table: CopiedTable {
            name: "aspect_daily",
            columns: &[
                ("business_id", Int),
                ("aspect", Text),
                ("day", Int),
                ("mentions", Int),
                ("negative", Int),
                ("positive", Int),
                ("sentiment_sum", Real),
            ],
            key: TableKey::Columns(&["business_id", "aspect", "day"]),
            live_when_nonzero: Some("mentions"),
        },
        copy: Handling::Rollup,
        on_file: &[],
    },
    with_copy(
        rows(
            "team_members",
            &[("name", Text), ("role", Text), ("created_at", Int)],
            TableKey::Columns(&["name"]),
        ),
        Handling::TeamOnly("a database file has one person; invite the team again with `earshot team invite` if you move back"),
    ),
];

/// Why the copy does not carry credentials, and what each computer does about it.
///
/// Credentials are named after a database's identity in each computer's keyring. The target
/// keeps its own identity rather than taking the source's: with one identity the file and the
/// team database would share every keyring entry under the same source ids, so removing a
/// source or signing in again on one would silently change the other's credentials, and a
/// file restored over either would find them (issue 33's rule: two databases never share a
/// credential). And taking it would help one computer only: every other seat's keyring holds
/// nothing under either name. So each computer that syncs or sends replies adds its keys again.
pub const CREDENTIALS_NOTE: &str = "Credentials are not copied (they stay in each computer's \
     keyring, never in a database): on each computer that syncs or sends replies, add each \
     source's keys again for the new database with `earshot sources auth ID` (or `sources add` \
     with `--set-secret`).";

/// Rows read and written at a time.
const PAGE: usize = 5_000;

/// Reviews (and rows of other large tables) compared field by field, chosen evenly by id.
pub const SAMPLE: usize = 200;

/// A table with at most this many rows is compared whole.
const COMPARED_WHOLE: u64 = 1_000;

/// What a run copied and checked: `earshot migrate --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Migrated {
    pub from: String,
    pub to: String,
    pub tables: Vec<TableCount>,
    pub not_copied: Vec<NotCopied>,
    pub checked: Checked,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableCount {
    pub name: &'static str,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotCopied {
    pub name: &'static str,
    pub rows: u64,
    pub reason: String,
}

/// What the check compared; all of it was equal, or the run failed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checked {
    /// Tables whose row counts were compared.
    pub tables: usize,
    /// Rows compared field by field (every row of small tables, a sample of large ones).
    pub rows_compared: u64,
    /// Reviews among them.
    pub reviews_compared: u64,
    /// Tables larger than 1,000 rows, of which [`SAMPLE`] rows chosen evenly by id were
    /// compared (every row of the others).
    pub sampled_tables: Vec<&'static str>,
    /// Rows of the daily rollups compared (kept by each store, not copied).
    pub rollup_rows_compared: u64,
    /// Businesses whose dashboard figures (`stats`) were compared.
    pub businesses_compared: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "`earshot migrate` copies between a database file and a team database (`--to \
         postgresql://…` from a file, or `--to FILE` from a team database); both are {0}"
    )]
    SameKind(&'static str),
    #[error(
        "{target} already holds {rows} {what}: `earshot migrate` copies into an empty database \
         only, and nothing was written. Copy into a new team database (`createdb`) or a new file"
    )]
    TargetNotEmpty {
        target: String,
        rows: u64,
        what: String,
    },
    #[error(
        "the copy differs from the original in {table}: {source_rows} rows there, {target_rows} \
         in the copy; nothing was written"
    )]
    CountDiffers {
        table: &'static str,
        source_rows: u64,
        target_rows: u64,
    },
    #[error(
        "the copy differs from the original in {table}, {row}, {field}: {source_value} there, \
         {target_value} in the copy; nothing was written"
    )]
    RowDiffers {
        table: &'static str,
        row: String,
        field: &'static str,
        source_value: String,
        target_value: String,
    },
    #[error(
        "the dashboard figures of {business} differ after the copy ({field}); nothing was written"
    )]
    StatsDiffer { business: String, field: String },
}

impl MigrateError {
    pub fn code(&self) -> &'static str {
        match self {
            MigrateError::Store(e) => e.code(),
            MigrateError::SameKind(_) => "invalid",
            MigrateError::TargetNotEmpty { .. } => "target_not_empty",
            MigrateError::CountDiffers { .. }
            | MigrateError::RowDiffers { .. }
            | MigrateError::StatsDiffer { .. } => "copy_differs",
        }
    }
}

/// Which way a run goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    ToTeam,
    ToFile,
}

/// Where a run is: the table being copied, rows copied so far, rows to copy in all.
pub type Progress<'a> = dyn FnMut(&str, u64, u64) + 'a;

/// Copies `source` into `target` (one a file, the other a team database), then checks it:
/// counts per table, every row of small tables and [`SAMPLE`] rows of large ones field by
/// field, the daily rollups, and each business's dashboard figures. Nothing is written when
/// the target holds data or the check finds a difference.
pub fn migrate(
    source: &Db,
    target: &Db,
    progress: &mut Progress<'_>,
) -> Result<Migrated, MigrateError> {
    let direction = match (source, target) {
        (Db::Sqlite(_), Db::Postgres(_)) => Direction::ToTeam,
        (Db::Postgres(_), Db::Sqlite(_)) => Direction::ToFile,
        (Db::Sqlite(_), Db::Sqlite(_)) => {
            return Err(MigrateError::SameKind(
                "files (a copy of a file is `earshot backup`)",
            ))
        }
        (Db::Postgres(_), Db::Postgres(_)) => {
            return Err(MigrateError::SameKind(
                "team databases (a copy of one is the server's `pg_dump`)",
            ))
        }
    };
    copy_in_snapshot(source, target, direction, IntoTarget::Empty, progress)
}

/// What a copy does with what the target already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntoTarget {
    /// Refuses a target holding any row of a copied table (`earshot migrate`).
    Empty,
    /// Empties the target's copied tables and rollups first, in the copy's transaction (a
    /// restore into a team database, [`replace_team`]).
    Replace,
}

/// Replaces the team database `target`'s data with the file `source`'s (a backup being
/// restored): the same copy and check as [`migrate`], in the same one transaction, after
/// emptying every copied table and rollup of the target (its people stay) and giving it a new
/// identity (`PgStore::empty_for_restore`). A difference, a failure or a killed process leaves
/// the team database as it was. Who may do it is the caller's check.
pub fn replace_team(
    source: &Db,
    target: &Db,
    progress: &mut Progress<'_>,
) -> Result<Migrated, MigrateError> {
    if !matches!((source, target), (Db::Sqlite(_), Db::Postgres(_))) {
        return Err(MigrateError::SameKind(
            "not a file restored into a team database",
        ));
    }
    copy_in_snapshot(
        source,
        target,
        Direction::ToTeam,
        IntoTarget::Replace,
        progress,
    )
}

/// [`copy_and_check`] while `source` holds one snapshot (the copy and its check read the same
/// data), the target's transaction abandoned on any failure.
fn copy_in_snapshot(
    source: &Db,
    target: &Db,
    direction: Direction,
    into: IntoTarget,
    progress: &mut Progress<'_>,
) -> Result<Migrated, MigrateError> {
    source.begin_snapshot()?;
    let copied = copy_and_check(source, target, direction, into, progress);
    if copied.is_err() {
        // The error says what went wrong; a failed rollback would change nothing of it (the
        // server or the file rolls back an unfinished transaction on its own).
        let _ = target.abandon_copy();
    }
    let _ = source.end_snapshot();
    copied
}

fn copy_and_check(
    source: &Db,
    target: &Db,
    direction: Direction,
    into: IntoTarget,
    progress: &mut Progress<'_>,
) -> Result<Migrated, MigrateError> {
    let copied: Vec<&TableEntry> = TABLES.iter().filter(|t| t.copy == Handling::Rows).collect();
    let mut not_copied = Vec::new();
    for entry in TABLES {
        let reason = match (entry.copy, direction) {
            (Handling::TeamOnly(why), Direction::ToFile) => why.to_owned(),
            _ => continue,
        };
        not_copied.push(NotCopied {
            name: entry.table.name,
            rows: source.copy_row_count(&entry.table)?,
            reason,
        });
    }

    target.begin_copy()?;
    let mut counts = Vec::new();
    for entry in &copied {
        counts.push(source.copy_row_count(&entry.table)?);
    }
    match into {
        IntoTarget::Empty => refuse_a_target_with_data(target, &copied)?,
        IntoTarget::Replace => {
            let emptied: Vec<&str> = TABLES
                .iter()
                .filter(|t| matches!(t.copy, Handling::Rows | Handling::Rollup))
                .map(|t| t.table.name)
                .collect();
            target.empty_for_restore(&emptied)?;
        }
    }

    let total: u64 = counts.iter().sum();
    let mut done = 0;
    let mut tables = Vec::new();
    for (entry, &rows) in copied.iter().zip(&counts) {
        progress(entry.table.name, done, total);
        copy_table(source, target, entry, direction, |n| {
            done += n;
            progress(entry.table.name, done, total);
        })?;
        tables.push(TableCount {
            name: entry.table.name,
            rows,
        });
    }
    let copied_tables: Vec<&CopiedTable> = copied.iter().map(|e| &e.table).collect();
    target.finish_copy(&copied_tables)?;

    let checked = check(source, target, direction, &copied)?;
    target.commit_copy()?;

    let mut notes = vec![CREDENTIALS_NOTE.to_owned()];
    if direction == Direction::ToFile {
        notes.push("Replies waiting for a manager's approval are drafts in the file.".to_owned());
    }
    Ok(Migrated {
        from: source.location(),
        to: target.location(),
        tables,
        not_copied,
        checked,
        notes,
    })
}

/// A target that holds anything the copy would write is refused: ids are kept, so rows already
/// there would collide or mix with the copy. Reviews are named first, being what people know.
fn refuse_a_target_with_data(target: &Db, copied: &[&TableEntry]) -> Result<(), MigrateError> {
    let by_reviews_first = copied
        .iter()
        .filter(|e| e.table.name == "reviews")
        .chain(copied.iter().filter(|e| e.table.name != "reviews"));
    for entry in by_reviews_first {
        let rows = target.copy_row_count(&entry.table)?;
        if rows > 0 {
            let what = match entry.table.name {
                "reviews" => "reviews".to_owned(),
                other => format!("rows of {other}"),
            };
            return Err(MigrateError::TargetNotEmpty {
                target: target.location(),
                rows,
                what,
            });
        }
    }
    Ok(())
}

fn copy_table(
    source: &Db,
    target: &Db,
    entry: &TableEntry,
    direction: Direction,
    mut copied: impl FnMut(u64),
) -> Result<(), MigrateError> {
    let table = &entry.table;
    match table.key {
        TableKey::Id => {
            let mut after = i64::MIN;
            loop {
                let mut page = source.copy_rows(table, after, PAGE)?;
                let Some(last) = page.last().and_then(row_id) else {
                    break;
                };
                after = last;
                convert(entry, direction, &mut page);
                target.copy_in(table, &page)?;
                copied(page.len() as u64);
            }
        }
        TableKey::Columns(_) => {
            let mut all = source.copy_rows(table, i64::MIN, usize::MAX)?;
            convert(entry, direction, &mut all);
            for page in all.chunks(PAGE) {
                target.copy_in(table, page)?;
                copied(page.len() as u64);
            }
        }
    }
    Ok(())
}

/// What the target is given for the source's rows: JSON kept as jsonb on the team store comes
/// back from it reformatted (`{"a": 1}`) and goes into a file compact, as the file's own writer
/// makes it; values a file cannot hold become what they mean there.
fn convert(entry: &TableEntry, direction: Direction, rows: &mut [CopyRow]) {
    if direction != Direction::ToFile {
        return;
    }
    let columns = entry.table.columns;
    for row in rows {
        for (cell, (name, ty)) in row.iter_mut().zip(columns) {
            let Cell::Text(text) = cell else { continue };
            if *ty == Json {
                if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
                    *text = value.to_string();
                }
            }
            for (column, team_value, file_value) in entry.on_file {
                if column == name && text == team_value {
                    *text = (*file_value).to_owned();
                }
            }
        }
    }
}

fn check(
    source: &Db,
    target: &Db,
    direction: Direction,
    copied: &[&TableEntry],
) -> Result<Checked, MigrateError> {
    let mut checked = Checked::default();
    for entry in copied {
        let table = &entry.table;
        let source_rows = source.copy_row_count(table)?;
        let target_rows = target.copy_row_count(table)?;
        if source_rows != target_rows {
            return Err(MigrateError::CountDiffers {
                table: table.name,
                source_rows,
                target_rows,
            });
        }
        checked.tables += 1;
        let (mut theirs, ours) = match table.key {
            TableKey::Id if source_rows > COMPARED_WHOLE => {
                checked.sampled_tables.push(table.name);
                let ids = source.copy_sample_ids(table, SAMPLE)?;
                (
                    source.copy_rows_with_ids(table, &ids)?,
                    target.copy_rows_with_ids(table, &ids)?,
                )
            }
            _ => (
                source.copy_rows(table, i64::MIN, usize::MAX)?,
                target.copy_rows(table, i64::MIN, usize::MAX)?,
            ),
        };
        convert(entry, direction, &mut theirs);
        compare_rows(table, &theirs, &ours, false)?;
        checked.rows_compared += theirs.len() as u64;
        if table.name == "reviews" {
            checked.reviews_compared = theirs.len() as u64;
        }
    }
    for entry in TABLES.iter().filter(|e| e.copy == Handling::Rollup) {
        let table = &entry.table;
        let theirs = source.copy_rows(table, i64::MIN, usize::MAX)?;
        let ours = target.copy_rows(table, i64::MIN, usize::MAX)?;
        if theirs.len() != ours.len() {
            return Err(MigrateError::CountDiffers {
                table: table.name,
                source_rows: theirs.len() as u64,
                target_rows: ours.len() as u64,
            });
        }
        compare_rows(table, &theirs, &ours, true)?;
        checked.tables += 1;
        checked.rollup_rows_compared += theirs.len() as u64;
    }
    for business in source.businesses()? {
        // Plain numbers and strings: serialising them cannot fail, and a Null on both sides
        // would compare nothing.
        let as_json = |stats| serde_json::to_value(stats).expect("the figures serialise");
        let theirs = as_json(source.stats(business.id)?);
        let ours = as_json(target.stats(business.id)?);
        if theirs != ours {
            return Err(MigrateError::StatsDiffer {
                business: business.name,
                field: first_difference(&theirs, &ours),
            });
        }
        checked.businesses_compared += 1;
    }
    Ok(checked)
}

/// The rows of one table on both sides, in the same key order, field by field. Sums kept by
/// each engine (`sums_of_floats`: the rollups) may differ in their last bits by the order they
/// were added in.
fn compare_rows(
    table: &CopiedTable,
    theirs: &[CopyRow],
    ours: &[CopyRow],
    sums_of_floats: bool,
) -> Result<(), MigrateError> {
    for (i, source_row) in theirs.iter().enumerate() {
        let row = row_name(table, source_row);
        let Some(target_row) = ours.get(i) else {
            return Err(MigrateError::RowDiffers {
                table: table.name,
                row,
                field: "the row",
                source_value: "present".into(),
                target_value: "missing".into(),
            });
        };
        for (((name, ty), a), b) in table.columns.iter().zip(source_row).zip(target_row) {
            if !same(*ty, a, b, sums_of_floats) {
                return Err(MigrateError::RowDiffers {
                    table: table.name,
                    row,
                    field: name,
                    source_value: shown(a),
                    target_value: shown(b),
                });
            }
        }
    }
    if ours.len() > theirs.len() {
        return Err(MigrateError::RowDiffers {
            table: table.name,
            row: row_name(table, &ours[theirs.len()]),
            field: "the row",
            source_value: "missing".into(),
            target_value: "present".into(),
        });
    }
    Ok(())
}

fn same(ty: ColumnType, a: &Cell, b: &Cell, sums_of_floats: bool) -> bool {
    match (ty, a, b) {
        (Json, Cell::Text(x), Cell::Text(y)) => {
            match (
                serde_json::from_str::<serde_json::Value>(x),
                serde_json::from_str::<serde_json::Value>(y),
            ) {
                (Ok(x), Ok(y)) => x == y,
                _ => x == y,
            }
        }
        (Real, Cell::Real(x), Cell::Real(y)) if sums_of_floats => {
            (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
        }
        _ => a == b,
    }
}

/// How a row is named in a difference: `id 17`, or its key columns.
fn row_name(table: &CopiedTable, row: &CopyRow) -> String {
    match table.key {
        TableKey::Id => format!("id {}", row_id(row).unwrap_or_default()),
        TableKey::Columns(keys) => keys
            .iter()
            .filter_map(|k| {
                let i = table.columns.iter().position(|(c, _)| c == k)?;
                Some(format!("{k} {}", shown(row.get(i)?)))
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A value in a message; review text is untrusted, so it is quoted and cut short.
fn shown(cell: &Cell) -> String {
    match cell {
        Cell::Null => "nothing".into(),
        Cell::Int(i) => i.to_string(),
        Cell::Real(f) => f.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Text(t) => {
            let cut: String = t.chars().take(60).collect();
            let more = if cut.len() < t.len() { "…" } else { "" };
            format!("{:?}", format!("{cut}{more}"))
        }
    }
}

/// The first field (a path in the JSON) where two values differ.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value) -> String {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if w == v => {}
                    Some(w) => {
                        let inner = first_difference(v, w);
                        return if inner.is_empty() {
                            k.clone()
                        } else {
                            format!("{k}.{inner}")
                        };
                    }
                    None => return k.clone(),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .cloned()
                .unwrap_or_default()
        }
        (Value::Array(x), Value::Array(y)) => match x.iter().zip(y).position(|(v, w)| v != w) {
            Some(i) => {
                let inner = first_difference(&x[i], &y[i]);
                if inner.is_empty() {
                    i.to_string()
                } else {
                    format!("{i}.{inner}")
                }
            }
            None => format!("length {} and {}", x.len(), y.len()),
        },
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parents come before the tables that point at them, so foreign keys hold row by row.
    #[test]
    fn tables_come_in_foreign_key_order() {
        let at = |name: &str| TABLES.iter().position(|t| t.table.name == name).unwrap();
        let parents = [
            ("sources", "businesses"),
            ("reviews", "sources"),
            ("review_revisions", "reviews"),
            ("replies", "reviews"),
            ("reply_revisions", "replies"),
            ("alert_reviews", "alerts"),
            ("alert_reviews", "reviews"),
            ("alert_deliveries", "alert_channels"),
            ("alert_deliveries", "alerts"),
            ("follow_ups", "reviews"),
            ("review_requests", "customers"),
        ];
        for (child, parent) in parents {
            assert!(at(parent) < at(child), "{parent} before {child}");
        }
        for entry in TABLES {
            crate::store::migrate::checked_identifiers(&entry.table).unwrap();
            if matches!(entry.table.key, TableKey::Id) {
                assert_eq!(entry.table.columns[0].0, "id", "{}", entry.table.name);
            }
        }
    }

    #[test]
    fn json_compares_by_value_and_sums_within_rounding() {
        let a = Cell::Text(r#"{"coffee":[-0.6,-1],"wait time":[0.5,1]}"#.into());
        let b = Cell::Text(r#"{"wait time": [0.5, 1], "coffee": [-0.6, -1]}"#.into());
        assert!(same(Json, &a, &b, false));
        assert!(!same(Text, &a, &b, false));
        assert!(same(Real, &Cell::Real(0.3), &Cell::Real(0.1 + 0.2), true));
        assert!(!same(Real, &Cell::Real(0.3), &Cell::Real(0.1 + 0.2), false));
    }

    #[test]
    fn the_first_difference_names_the_field() {
        let a = serde_json::json!({"total": 3, "months": [{"n": 1}, {"n": 2}]});
        let b = serde_json::json!({"total": 3, "months": [{"n": 1}, {"n": 5}]});
        assert_eq!(first_difference(&a, &b), "months.1.n");
    }
}
