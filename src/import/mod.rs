//! Imports of review files: Earshot's own CSV and JSON Lines, and the exports the platforms
//! already give owners (each declared by its platform's home, [`export::ExportFormat`]).
//!
//! One module per format (convention 13), each recognising its files by content and turning them
//! into [`IncomingReview`]s; this module holds what they share: the options and the report, the
//! detection that asks each format in turn, and the writer that batches reviews into the store.
//! It names no platform: the registry says which exports there are. Earshot's
//! own files stream through a threaded pipeline (`earshot.rs`) because they can hold millions of
//! rows; the platforms' exports are a business's history (thousands of reviews), so they are read
//! and checked whole before anything is written: a malformed file stops the import with nothing
//! written.
//!
//! Reviews from a platform's export carry the external ids the API connectors use. One the
//! business holds already (a sync brought it) is updated where it is; the others go into a
//! one-off import source, from which an API sync takes over each review it lists
//! ([`Store::adopt_imported`]). Either way a later sync updates the imported review instead of
//! adding it a second time, and an owner reply in the export becomes the review's platform
//! reply, with its time.
//!
//! Decision: a rerun of an export changes nothing, and an older export imported after a newer one
//! (or after a sync) never overwrites a newer version of a review.

mod earshot;
pub mod export;
pub(crate) mod inputs;
pub mod mapping;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::model::{IncomingReview, SourceId, WriteCounts};
use crate::store::{ReviewSink, Store, StoreError};

pub use earshot::COLUMNS;
pub use export::{exports, ExportFormat, ExportSpec, Head};
pub use mapping::{preview, template_csv, ColumnMapping, ImportPreview};

/// Rows per transaction. Large enough that commit cost vanishes (fsyncs are per commit), small
/// enough that SQLite's dirty pages and the full-text index's buffer of a batch stay bounded.
/// Rows are written as they are analysed, not held until the batch is full.
pub const BATCH_SIZE: usize = 20_000;

/// Dates outside this range are typing errors or epoch mix-ups, not reviews.
const EARLIEST_YEAR: i32 = 1990;
const LATEST_YEAR: i32 = 2100;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{path} is not a CSV or JSON Lines file of reviews, nor an export Earshot recognises: \
         {reason}. Earshot reads {}, and CSV or JSON Lines with the columns external_id, \
         platform, author, rating, title, body, created_at, url",
        export_labels()
    )]
    NotReviews { path: PathBuf, reason: String },
    /// A file an export's format recognises as its near miss ([`ExportFormat::refuse`]).
    #[error("{path} is {reason}")]
    Refused {
        path: PathBuf,
        code: &'static str,
        reason: String,
    },
    #[error("{path}: no location matches {wanted:?}; the export holds {}", found.join(", "))]
    UnknownLocation {
        path: PathBuf,
        wanted: String,
        found: Vec<String>,
    },
    /// The words are the app's as much as the CLI's: no flag is named here (the CLI adds its
    /// `--skip-bad` hint, the app offers a button that skips the bad rows).
    #[error(
        "line {line}: {reason}. The import stopped at this row, and nothing of the batch holding \
         it was saved ({committed} rows were saved before it). Fix the row, or skip the rows with \
         problems and import the rest"
    )]
    BadRow {
        line: u64,
        reason: String,
        committed: u64,
        counts: WriteCounts,
    },
    /// A review of a platform's export that cannot be read; nothing of the export was written.
    #[error(
        "{place}: {reason}. Nothing of this import was saved. Skip the reviews with problems to \
         import the rest"
    )]
    BadEntry {
        place: String,
        reason: String,
        counts: WriteCounts,
    },
    /// A column choice that does not fit the file (a column it lacks, a field Earshot does
    /// not know).
    #[error("{path}: {reason}")]
    Mapping { path: PathBuf, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ImportError {
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Io { .. } => "io",
            ImportError::NotReviews { .. } => "not_reviews",
            ImportError::Refused { code, .. } => code,
            ImportError::UnknownLocation { .. } => "unknown_location",
            ImportError::Mapping { .. } => "bad_mapping",
            ImportError::BadRow { .. } | ImportError::BadEntry { .. } => "bad_row",
            ImportError::Store(e) => e.code(),
        }
    }

    /// What was written before the import stopped, for the ones that stop on a bad row.
    pub fn counts(&self) -> Option<WriteCounts> {
        match self {
            ImportError::BadRow { counts, .. } | ImportError::BadEntry { counts, .. } => {
                Some(*counts)
            }
            _ => None,
        }
    }
}

pub type Result<T, E = ImportError> = std::result::Result<T, E>;

/// The file formats an import reads: Earshot's own, and the exports the platforms declare.
/// Detection picks one by content; `--format` names one.
#[derive(Clone, Copy)]
pub enum Format {
    /// Earshot's CSV (`external_id, platform, …`).
    Csv,
    /// Earshot's JSON Lines.
    Jsonl,
    /// A platform's export.
    Export(&'static dyn ExportFormat),
}

impl std::fmt::Debug for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl PartialEq for Format {
    fn eq(&self, other: &Format) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Format {}

impl Format {
    /// Every format: Earshot's two, then the platforms' exports in registry order.
    pub fn all() -> Vec<Format> {
        [Format::Csv, Format::Jsonl]
            .into_iter()
            .chain(exports().map(Format::Export))
            .collect()
    }

    /// The name `--format` takes and `--json` reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Export(e) => e.spec().name,
        }
    }

    /// What the owner calls it.
    pub fn label(self) -> &'static str {
        match self {
            Format::Csv => "Earshot CSV",
            Format::Jsonl => "Earshot JSON Lines",
            Format::Export(e) => e.spec().label,
        }
    }

    /// A format by its name or a common alias, in any case.
    pub fn parse(s: &str) -> Option<Format> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        match s.as_str() {
            "csv" | "earshot-csv" => return Some(Format::Csv),
            "jsonl" | "json-lines" | "ndjson" | "earshot-jsonl" => return Some(Format::Jsonl),
            _ => {}
        }
        exports()
            .find(|e| e.spec().name == s || e.spec().aliases.contains(&s.as_str()))
            .map(Format::Export)
    }
}

/// The exports Earshot reads, for messages: "a, b and c".
fn export_labels() -> String {
    let labels: Vec<&str> = exports().map(|e| e.spec().label).collect();
    match labels.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}, {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => "no platform's export".to_string(),
    }
}

/// What the CLI's `earshot import --help` says of the files Earshot recognises.
pub fn formats_help() -> String {
    let mut out = String::from("Files Earshot recognises by their content:\n");
    for e in exports() {
        out.push_str(&format!("  - {}\n", e.spec().help));
    }
    out.push_str(
        "  - Earshot CSV or JSON Lines with external_id, platform, author, rating, title, body,\n    \
         created_at, url",
    );
    out
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The business the reviews are about; created as the owner's own when missing.
    pub business: String,
    /// Platform for rows whose `platform` column is missing or empty (Earshot's files).
    pub platform: Option<String>,
    /// Skip bad rows instead of stopping at the first.
    pub skip_bad: bool,
    /// The format, instead of recognising it by content.
    pub format: Option<Format>,
    /// Of a Takeout holding several locations, the one to import (its name or id); all of them
    /// when none.
    pub location: Option<String>,
    /// What becomes of a review whose text or fields are over the caps (`model::limits`).
    pub long_text: LongText,
    /// Which column holds which field, for a CSV whose headers are not Earshot's own; fields
    /// not named take the proposal from the headers (`mapping::propose`).
    pub mapping: ColumnMapping,
}

/// What an import does with a review over the caps of [`crate::model::limits`] (issue 33).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LongText {
    /// Keep it with its text cut to the cap, and count it (`truncated` in the report).
    #[default]
    Truncate,
    /// Leave it out and count it as rejected, with the reason.
    Reject,
}

impl LongText {
    pub fn parse(s: &str) -> Option<LongText> {
        match s.trim().to_ascii_lowercase().as_str() {
            "truncate" | "cut" => Some(LongText::Truncate),
            "reject" | "skip" => Some(LongText::Reject),
            _ => None,
        }
    }
}

/// Applies the caps to a review read from a file: `Ok(true)` when it was cut (and is kept), an
/// error in words when it is left out (an id over its cap, or anything over a cap when the
/// owner chose [`LongText::Reject`]). `cut_already` says the reader cut a field on the way in.
pub(crate) fn apply_caps(
    review: &mut IncomingReview,
    cut_already: bool,
    long_text: LongText,
) -> std::result::Result<bool, String> {
    use crate::model::limits::{self, Capped};
    let cut = match limits::cap_review(review)? {
        Capped::Cut(field) => Some(field),
        Capped::Whole if cut_already => Some("text"),
        Capped::Whole => None,
    };
    match (cut, long_text) {
        (None, _) => Ok(false),
        (Some(_), LongText::Truncate) => Ok(true),
        (Some(field), LongText::Reject) => Err(format!(
            "the {field} is longer than Earshot keeps (text {}, title {}, author {}); \
             rejected as asked (--long-text truncate keeps it cut to the limit)",
            limits::describe(limits::MAX_TEXT_BYTES),
            limits::describe(limits::MAX_TITLE_BYTES),
            limits::describe(limits::MAX_AUTHOR_BYTES),
        )),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    pub line: u64,
    pub reason: String,
    /// Which file and review, for the platforms' exports (whose "line" counts reviews).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

/// A location (or app, or business unit) an export holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocationFound {
    pub id: String,
    pub name: Option<String>,
    pub reviews: u64,
    /// Whether this import took its reviews (`--location` picks one).
    pub imported: bool,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub business: String,
    /// The format's name (see [`Format::name`]).
    pub format: &'static str,
    /// What the owner calls it (see [`Format::label`]), for the app's words.
    pub format_label: &'static str,
    pub rows: u64,
    #[serde(flatten)]
    pub counts: WriteCounts,
    pub rejected_rows: Vec<RejectedRow>,
    /// Reviews kept with their text or fields cut to the caps (`model::limits`).
    pub truncated: u64,
    /// Files of the export that held reviews.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The locations (Takeout), apps (Play) or business units (Trustpilot) found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<LocationFound>,
    /// Reviews the export holds twice (a location under two accounts, a review in two monthly
    /// files) that were imported once, the newest version.
    #[serde(skip_serializing_if = "is_zero")]
    pub duplicates: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// How many rejected rows a report keeps word for word; the rest are only counted.
const MAX_REPORTED_REJECTS: usize = 1_000;

/// Imports one file or folder, whatever its format. `progress` is called after each batch with
/// bytes (or reviews) done and the total.
pub fn import_path(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport> {
    import_path_batched(store, path, opts, BATCH_SIZE, progress)
}

/// [`import_path`] with a chosen number of rows per transaction (for tuning and for tests that
/// need many commit points in a small file).
pub fn import_path_batched(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    batch_size: usize,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport> {
    import_paths_batched(store, &[path.to_owned()], opts, batch_size, progress)
}

/// Imports several paths as one export: the parts of a split Takeout, several Play CSVs.
pub fn import_paths(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &ImportOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport> {
    import_paths_batched(store, paths, opts, BATCH_SIZE, progress)
}

/// [`import_paths`] with a chosen number of rows per transaction.
pub fn import_paths_batched(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &ImportOptions,
    batch_size: usize,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport> {
    let Some(first) = paths.first() else {
        return Err(not_reviews(Path::new(""), "no file was given".into()));
    };
    let format = match opts.format {
        Some(f) => f,
        None => detect(paths)?,
    };
    match format {
        Format::Csv | Format::Jsonl => {
            if paths.len() > 1 || first.is_dir() {
                return Err(not_reviews(
                    first,
                    "Earshot's CSV and JSON Lines are imported one file at a time".into(),
                ));
            }
            earshot::import_file(store, first, opts, batch_size, None, Some(format), progress)
        }
        Format::Export(export) if !opts.mapping.is_empty() => Err(ImportError::Mapping {
            path: first.clone(),
            reason: format!(
                "it is {}, which names its own fields; choosing columns is for CSV files",
                export.spec().label
            ),
        }),
        Format::Export(export) => {
            let collected = export.collect(paths, opts)?;
            write_export(store, format, collected, opts, batch_size, progress)
        }
    }
}

/// Where an Earshot CSV or JSON Lines file is imported: the owner's database file or a team's
/// PostgreSQL database (issue 31). The reading, the analysis on worker threads and the batching
/// are the same; only the writer differs.
pub(crate) trait ImportTarget {
    type Sink<'a>: ReviewSink
    where
        Self: 'a;
    fn ensure_business(&self, name: &str) -> Result<crate::model::Business, StoreError>;
    /// The writer of the import's batches.
    fn import_sink(&mut self) -> Self::Sink<'_>;
    /// Work kept running beside the import while the value lives (SQLite's checkpoints).
    fn background_checkpoints(&self) -> Option<crate::store::BackgroundCheckpoints> {
        None
    }
}

impl ImportTarget for Store {
    type Sink<'a> = crate::store::ReviewWriter<'a>;

    fn ensure_business(&self, name: &str) -> Result<crate::model::Business, StoreError> {
        Store::ensure_business(self, name)
    }

    fn import_sink(&mut self) -> Self::Sink<'_> {
        self.import_writer()
    }

    fn background_checkpoints(&self) -> Option<crate::store::BackgroundCheckpoints> {
        Some(Store::background_checkpoints(self))
    }
}

impl ImportTarget for crate::store::postgres::PgStore {
    type Sink<'a> = crate::store::postgres::PgReviewWriter<'a>;

    fn ensure_business(&self, name: &str) -> Result<crate::model::Business, StoreError> {
        crate::store::postgres::PgStore::ensure_business(self, name)
    }

    fn import_sink(&mut self) -> Self::Sink<'_> {
        self.import_writer()
    }
}

/// [`import_paths_batched`] into a database of either kind. A team database takes Earshot's
/// CSV and JSON Lines for now; a platform's export (which matches reviews the database already
/// holds from other sources) comes with the rest of the team store.
pub fn import_paths_into(
    db: &mut crate::store::Db,
    paths: &[PathBuf],
    opts: &ImportOptions,
    batch_size: usize,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport> {
    let pg = match db {
        crate::store::Db::Sqlite(store) => {
            return import_paths_batched(store, paths, opts, batch_size, progress)
        }
        crate::store::Db::Postgres(pg) => pg,
    };
    let Some(first) = paths.first() else {
        return Err(not_reviews(Path::new(""), "no file was given".into()));
    };
    let format = match opts.format {
        Some(f) => f,
        None => detect(paths)?,
    };
    match format {
        Format::Csv | Format::Jsonl if paths.len() == 1 && !first.is_dir() => {
            let report =
                earshot::import_file(pg, first, opts, batch_size, None, Some(format), progress)?;
            // A bulk load leaves the planner's statistics behind until autovacuum catches up:
            // the first inbox page after a 100k import sorted every row (54 ms) instead of
            // walking the business's time index.
            pg.analyze()?;
            Ok(report)
        }
        Format::Csv | Format::Jsonl => Err(not_reviews(
            first,
            "Earshot's CSV and JSON Lines are imported one file at a time".into(),
        )),
        Format::Export(export) => Err(not_reviews(
            first,
            format!(
                "it is {}; a team database takes Earshot's CSV and JSON Lines for now (import                  the export into a database file meanwhile)",
                export.spec().label
            ),
        )),
    }
}

/// Imports a file into one source (a `file` source the sync engine reads), whatever platforms
/// its rows name.
pub fn import_path_into_source(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    source: SourceId,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport> {
    earshot::import_file(store, path, opts, BATCH_SIZE, Some(source), None, progress)
}

/// Recognises the format of what `paths` hold by content, asking each platform's export in
/// registry order; a near miss one of them refuses (a Google Maps Takeout) is refused here.
pub fn detect(paths: &[PathBuf]) -> Result<Format> {
    let first = &paths[0];
    let refused = |(code, reason): (&'static str, String)| ImportError::Refused {
        path: first.clone(),
        code,
        reason,
    };
    if paths.len() == 1 && first.is_file() && !inputs::is_zip(first)? {
        // One plain file: its first bytes say.
        let head = Head::of(&inputs::head(first)?);
        return match tell(&head).map_err(refused)? {
            Some(export) => Ok(Format::Export(export)),
            None if head.json().is_some() => Ok(Format::Jsonl),
            None => Ok(Format::Csv),
        };
    }
    // A ZIP, several files or a folder: what its files hold. An export found wins over a near
    // miss, whatever the order of the files.
    let all: Vec<&'static dyn ExportFormat> = exports().collect();
    let mut seen = vec![false; all.len()];
    let mut refusal = None;
    inputs::scan(paths, &mut |_name, data| match tell(&Head::of(data)) {
        Ok(Some(export)) => {
            if let Some(i) = all.iter().position(|e| e.spec().name == export.spec().name) {
                seen[i] = true;
            }
        }
        Ok(None) => {}
        Err(why) => {
            refusal.get_or_insert(why);
        }
    })?;
    if let Some(i) = seen.iter().position(|s| *s) {
        return Ok(Format::Export(all[i]));
    }
    if let Some(why) = refusal {
        return Err(refused(why));
    }
    let looked_for: Vec<&str> = all.iter().map(|e| e.spec().looked_for).collect();
    let looked_for = match looked_for.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => "no export".to_string(),
    };
    Err(not_reviews(first, format!("it holds no {looked_for}")))
}

/// Which export a file's first bytes belong to, asking each in registry order (`None`: none of
/// them, so Earshot's own CSV or JSON Lines); `Err` is a near miss one refuses.
fn tell(head: &Head) -> Result<Option<&'static dyn ExportFormat>, (&'static str, String)> {
    for export in exports() {
        if let Some(why) = export.refuse(head) {
            return Err(why);
        }
        if export.sniff(head) {
            return Ok(Some(export));
        }
    }
    Ok(None)
}

/// The store source an export's reviews belong to: a location, an app, a business unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// The API connector that reads the same reviews.
    pub connector: &'static str,
    /// The reviews' display platform (the connector's).
    pub platform: &'static str,
    /// The setting of the connector that names this target, and its value here.
    pub setting: &'static str,
    pub key: String,
}

/// A review read from an export, not yet written.
pub struct Entry {
    /// Where it is, for messages: `file, review 3` or `file, line 5`.
    pub place: String,
    pub line: u64,
    pub target: Target,
    pub review: Result<IncomingReview, String>,
}

impl Entry {
    /// Which of two copies of a review is newer: its last update (else its creation) or its
    /// owner reply, whichever is later (a reply does not change a Google review's updateTime).
    fn version(&self) -> Option<i64> {
        self.review.as_ref().ok().map(|r| {
            let text = r.updated_at.unwrap_or(r.created_at).timestamp();
            let reply = r
                .owner_reply
                .as_ref()
                .and_then(|o| o.replied_at)
                .map_or(0, |t| t.timestamp());
            text.max(reply)
        })
    }
}

/// What a format's reader found in an export.
#[derive(Default)]
pub struct Collected {
    pub entries: Vec<Entry>,
    pub files: Vec<String>,
    pub locations: Vec<LocationFound>,
}

/// Writes an export's reviews: the newest copy of each, into the source that holds it already
/// or else its target's; nothing when a review cannot be read (unless `skip_bad`).
fn write_export(
    store: &mut Store,
    format: Format,
    collected: Collected,
    opts: &ImportOptions,
    batch_size: usize,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport> {
    let Collected {
        entries,
        files,
        locations,
    } = collected;
    let mut report = ImportReport {
        format: format.name(),
        format_label: format.label(),
        files,
        locations,
        ..Default::default()
    };
    // The newest copy of each review; bad ones stop the import before anything is written.
    let mut newest: FxHashMap<(Target, String), usize> = FxHashMap::default();
    let mut keep: Vec<Option<Entry>> = Vec::with_capacity(entries.len());
    for mut entry in entries {
        report.rows += 1;
        // The caps of `model::limits`, as for Earshot's own files (issue 33).
        let capped = entry
            .review
            .as_mut()
            .map(|r| apply_caps(r, false, opts.long_text));
        match capped {
            Ok(Ok(true)) => report.truncated += 1,
            Ok(Err(reason)) => {
                report.counts.rejected += 1;
                if report.rejected_rows.len() < MAX_REPORTED_REJECTS {
                    report.rejected_rows.push(RejectedRow {
                        line: entry.line,
                        reason,
                        place: Some(entry.place.clone()),
                    });
                }
                continue;
            }
            _ => {}
        }
        match &entry.review {
            Err(reason) if opts.skip_bad => {
                report.counts.rejected += 1;
                if report.rejected_rows.len() < MAX_REPORTED_REJECTS {
                    report.rejected_rows.push(RejectedRow {
                        line: entry.line,
                        reason: reason.clone(),
                        place: Some(entry.place.clone()),
                    });
                }
            }
            Err(reason) => {
                return Err(ImportError::BadEntry {
                    place: entry.place.clone(),
                    reason: reason.clone(),
                    counts: WriteCounts::default(),
                })
            }
            Ok(review) => {
                let key = (entry.target.clone(), review.external_id.clone());
                match newest.get(&key) {
                    Some(&i) => {
                        report.duplicates += 1;
                        let older = keep[i].as_ref().and_then(Entry::version);
                        if entry.version() >= older {
                            keep[i] = Some(entry);
                        }
                    }
                    None => {
                        newest.insert(key, keep.len());
                        keep.push(Some(entry));
                    }
                }
            }
        }
    }
    let entries: Vec<Entry> = keep.into_iter().flatten().collect();

    let business = store.ensure_business(&opts.business)?;
    report.business = business.name.clone();
    let total = entries.len() as u64;
    let mut targets: FxHashMap<Target, SourceId> = FxHashMap::default();
    let mut writer = BatchWriter::new(store.review_writer(), business.id, false, None);
    for (done, entry) in entries.iter().enumerate() {
        let Ok(review) = &entry.review else { continue };
        let source = match targets.get(&entry.target) {
            Some(id) => *id,
            None => {
                let id = target_source(writer.writer.store(), business.id, &entry.target)?;
                targets.insert(entry.target.clone(), id);
                id
            }
        };
        // A review synced or imported before stays in its source; an older copy of it
        // (an earlier export, after a sync) leaves the newer one alone.
        let held = writer.writer.store().imported_review(
            business.id,
            &review.platform,
            &review.external_id,
        )?;
        let source = match held {
            Some(h) if h.version > entry.version().unwrap_or(i64::MIN) => {
                report.counts.unchanged += 1;
                continue;
            }
            Some(h) => h.source_id,
            None => source,
        };
        writer.writer.write(source, review, None)?;
        writer.pending += 1;
        if writer.pending >= batch_size.max(1) {
            writer.flush()?;
            progress(done as u64 + 1, total);
        }
    }
    writer.flush()?;
    progress(total, total);
    report.counts.add(writer.report.counts);
    Ok(report)
}

/// The one-off import source an export's target writes into (a `file` source without a path,
/// which no sync reads). Not the platform's API source, even when the business has one: a full
/// API listing marks what it does not list as removed, and an export's history is not the API's
/// to remove. The API source takes over each review it lists ([`Store::adopt_imported`]), and a
/// review it synced already is updated where it is (see `write_export`).
fn target_source(store: &Store, business_id: i64, target: &Target) -> Result<SourceId> {
    let label = format!("import:{}:{}", target.connector, target.key);
    let settings = serde_json::json!({
        "platform": target.platform,
        "connector": target.connector,
        target.setting: target.key,
    });
    Ok(store.ensure_source(business_id, "file", &label, &settings)?)
}

pub(crate) fn not_reviews(path: &Path, reason: String) -> ImportError {
    ImportError::NotReviews {
        path: path.to_owned(),
        reason,
    }
}

/// The CSV exports whose files each name their own target (an app's package, a business unit)
/// are gathered alike: every file `format` recognises is read with `read`, and each target with
/// reviews becomes a location, in key order. One function so that such formats cannot drift
/// apart in how they count, order or refuse files; `none_found` says what was looked for when
/// no file matched.
pub(crate) fn collect_csv(
    paths: &[PathBuf],
    format: &dyn ExportFormat,
    read: fn(&str, &[u8]) -> Vec<Entry>,
    none_found: &str,
) -> Result<Collected> {
    let mut out = Collected::default();
    let mut targets: FxHashMap<String, rustc_hash::FxHashSet<String>> = FxHashMap::default();
    inputs::scan(paths, &mut |name, bytes| {
        if !format.sniff(&Head::of(bytes)) {
            return;
        }
        out.files.push(name.to_owned());
        for entry in read(name, bytes) {
            if let Ok(r) = &entry.review {
                targets
                    .entry(entry.target.key.clone())
                    .or_default()
                    .insert(r.external_id.clone());
            }
            out.entries.push(entry);
        }
    })?;
    if out.files.is_empty() {
        return Err(not_reviews(
            paths.first().map_or(Path::new(""), |p| p.as_path()),
            none_found.into(),
        ));
    }
    let mut targets: Vec<_> = targets.into_iter().collect();
    targets.sort_by(|a, b| a.0.cmp(&b.0));
    out.locations = targets
        .into_iter()
        .map(|(id, reviews)| LocationFound {
            id,
            name: None,
            reviews: reviews.len() as u64,
            imported: true,
        })
        .collect();
    Ok(out)
}

/// One CSV file of such an export, read row by row into entries: the text decoded (UTF-16 with
/// a BOM too), the header folded with `fold` and checked by `columns` (its error refuses the
/// whole file as one bad entry at line 1), blank rows skipped, each other row turned by `row`
/// into the key of its target and its review, placed by its line in the file. One function so
/// that the exports cannot drift apart in how they place, skip or refuse rows.
pub(crate) fn read_csv<C>(
    name: &str,
    bytes: &[u8],
    fold: fn(&str) -> String,
    columns: impl FnOnce(&[String]) -> Result<C, String>,
    target: fn(&str) -> Target,
    mut row: impl FnMut(&C, &CsvRow<'_>) -> (String, Result<IncomingReview, String>),
) -> Vec<Entry> {
    let bad = |reason: String| {
        vec![Entry {
            place: name.to_owned(),
            line: 1,
            target: target(""),
            review: Err(reason),
        }]
    };
    let text = match inputs::decode_text(bytes) {
        Ok(t) => t,
        Err(reason) => return bad(reason),
    };
    let lines = inputs::Lines::of(&text);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(fold).collect(),
        Err(e) => return bad(format!("unreadable CSV header ({e})")),
    };
    let cols = match columns(&headers) {
        Ok(c) => c,
        Err(reason) => return bad(reason),
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        let (line, review, key) = match rec {
            Ok(rec) => {
                if rec.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let line = lines.at(rec.position().map_or(0, |p| p.byte()));
                let (key, review) = row(
                    &cols,
                    &CsvRow {
                        headers: &headers,
                        rec: &rec,
                    },
                );
                (line, review, key)
            }
            Err(e) => {
                let line = lines.at(e.position().map_or(0, |p| p.byte()));
                (line, Err(format!("unreadable CSV ({e})")), String::new())
            }
        };
        out.push(Entry {
            place: format!("{name}, line {line}"),
            line,
            target: target(&key),
            review,
        });
    }
    out
}

/// A record of an export CSV with its folded header.
pub(crate) struct CsvRow<'a> {
    headers: &'a [String],
    rec: &'a csv::StringRecord,
}

impl<'a> CsvRow<'a> {
    /// The trimmed value of a (folded) column name, `None` when absent or empty.
    pub(crate) fn get(&self, column: &str) -> Option<&'a str> {
        self.at(self.headers.iter().position(|h| h == column))
    }

    /// The trimmed value of the column at `index`, `None` when absent or empty.
    pub(crate) fn at(&self, index: Option<usize>) -> Option<&'a str> {
        index
            .and_then(|i| self.rec.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The record as a JSON object of column → value, kept as the review's raw JSON.
    pub(crate) fn raw(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .headers
            .iter()
            .zip(self.rec.iter())
            .map(|(h, v)| (h.clone(), serde_json::Value::String(v.to_owned())))
            .collect();
        serde_json::Value::Object(map).to_string()
    }
}

/// A rating on 1–5; empty means unrated. Fractions (4.5) are allowed, other scales are not guessed.
pub fn parse_rating(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let r: f64 = t
        .parse()
        .map_err(|_| format!("rating {t:?} is not a number"))?;
    if !r.is_finite() || !(1.0..=5.0).contains(&r) {
        return Err(format!("rating {t} is outside 1–5"));
    }
    Ok(r)
}

/// RFC 3339 (`2024-05-01T09:12:03Z`, any offset), a plain date (`2024-05-01`, midnight UTC), or a
/// naive `2024-05-01 09:12:03` (or `2024-05-01T09:12:03`) taken as UTC.
pub fn parse_date(s: &str) -> Result<DateTime<Utc>, String> {
    let t = s.trim();
    let parsed = DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
        })
        .or_else(|| {
            ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
                .map(|d| d.and_utc())
        })
        .ok_or_else(|| format!("created_at {t:?} is not a date (use RFC 3339 or YYYY-MM-DD)"))?;
    let year = chrono::Datelike::year(&parsed);
    if !(EARLIEST_YEAR..=LATEST_YEAR).contains(&year) {
        return Err(format!("created_at {t} is not a plausible review date"));
    }
    Ok(parsed)
}

/// Writes valid rows as they come, committing a batch at a time, and counts what it did.
struct BatchWriter<W> {
    writer: W,
    business_id: i64,
    sources: FxHashMap<String, SourceId>,
    /// Rows written into the open transaction.
    pending: usize,
    report: ImportReport,
    skip_bad: bool,
    fixed_source: Option<SourceId>,
}

impl<W: ReviewSink> BatchWriter<W> {
    fn new(writer: W, business_id: i64, skip_bad: bool, fixed_source: Option<SourceId>) -> Self {
        BatchWriter {
            writer,
            business_id,
            sources: FxHashMap::default(),
            pending: 0,
            report: ImportReport::default(),
            skip_bad,
            fixed_source,
        }
    }

    /// Counts a row left out for a reason that does not stop the import (over the caps).
    fn reject(&mut self, line: u64, reason: &str) {
        self.report.counts.rejected += 1;
        if self.report.rejected_rows.len() < MAX_REPORTED_REJECTS {
            self.report.rejected_rows.push(RejectedRow {
                line,
                reason: reason.to_owned(),
                place: None,
            });
        }
    }

    fn push(
        &mut self,
        line: u64,
        row: &Result<(IncomingReview, crate::analysis::review::ReviewAnalysis), String>,
    ) -> Result<()> {
        match row {
            Ok((item, analysis)) => {
                let source = self.source_for(&item.platform)?;
                self.writer.write(source, item, Some(analysis))?;
                self.pending += 1;
                Ok(())
            }
            Err(reason) if self.skip_bad => {
                self.report.counts.rejected += 1;
                if self.report.rejected_rows.len() < MAX_REPORTED_REJECTS {
                    self.report.rejected_rows.push(RejectedRow {
                        line,
                        reason: reason.clone(),
                        place: None,
                    });
                }
                Ok(())
            }
            Err(reason) => {
                // Batches still being written elsewhere finish first: they count as committed.
                self.settle()?;
                let c = self.report.counts;
                Err(ImportError::BadRow {
                    line,
                    reason: reason.clone(),
                    committed: c.new + c.updated + c.unchanged,
                    counts: c,
                })
            }
        }
    }

    /// Each platform in a file is its own source, so the same id on two platforms is two reviews.
    /// A new source is added in the open batch, and goes with it if the batch is rolled back.
    fn source_for(&mut self, platform: &str) -> Result<SourceId> {
        if let Some(id) = self.fixed_source {
            return Ok(id);
        }
        if let Some(id) = self.sources.get(platform) {
            return Ok(*id);
        }
        let label = format!("import:{platform}");
        let settings = serde_json::json!({ "platform": platform });
        let id = self
            .writer
            .ensure_source(self.business_id, "file", &label, &settings)?;
        self.sources.insert(platform.to_owned(), id);
        Ok(id)
    }

    fn flush(&mut self) -> Result<()> {
        if self.pending == 0 {
            return Ok(());
        }
        let counts = self.writer.commit()?;
        self.report.counts.add(counts);
        self.pending = 0;
        Ok(())
    }

    /// Waits for the batches the sink still writes on other connections (a team database's
    /// import) and counts them.
    fn settle(&mut self) -> Result<()> {
        let counts = self.writer.finish()?;
        self.report.counts.add(counts);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_outside_one_to_five_are_refused_not_rescaled() {
        assert_eq!(parse_rating("4"), Ok(4.0));
        assert_eq!(parse_rating(" 4.5 "), Ok(4.5));
        assert!(parse_rating("7").unwrap_err().contains("outside 1–5"));
        assert!(parse_rating("0").is_err());
        assert!(parse_rating("NaN").is_err());
        assert!(parse_rating("five").unwrap_err().contains("not a number"));
    }

    #[test]
    fn dates_accept_rfc3339_and_plain_days() {
        assert_eq!(
            parse_date("2024-05-01").unwrap().to_rfc3339(),
            "2024-05-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_date("2024-05-01T11:04:11-07:00")
                .unwrap()
                .to_rfc3339(),
            "2024-05-01T18:04:11+00:00"
        );
        assert_eq!(
            parse_date("2026-01-02 10:00:00").unwrap().to_rfc3339(),
            "2026-01-02T10:00:00+00:00"
        );
        assert!(parse_date("01/05/2024").is_err());
        assert!(parse_date("0001-01-01").unwrap_err().contains("plausible"));
    }

    /// What detection makes of a file's first bytes: an export's name, a refusal's code, or
    /// Earshot's own format's.
    fn told(bytes: &[u8]) -> &'static str {
        let head = Head::of(bytes);
        match tell(&head) {
            Ok(Some(export)) => export.spec().name,
            Ok(None) if head.json().is_some() => "jsonl",
            Ok(None) => "csv",
            Err((code, _)) => code,
        }
    }

    #[test]
    fn formats_are_told_by_their_first_bytes() {
        assert_eq!(
            told(br#"{"type": "FeatureCollection", "features": []}"#),
            "maps_takeout"
        );
        assert_eq!(
            told(br#"{ "reviews": [ { "name": "accounts/1/locations/2/reviews/x" } ] }"#),
            "google-takeout"
        );
        assert_eq!(told(br#"{"external_id": "a"}"#), "jsonl");
        assert_eq!(
            told(b"Review ID,Review Created (UTC),Review Stars\n"),
            "trustpilot-csv"
        );
        assert_eq!(told(b"external_id,created_at\n"), "csv");
        let mut play = b"\xFF\xFE".to_vec();
        play.extend(
            "Package Name,Star Rating\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        assert_eq!(told(&play), "google-play-csv");
    }

    #[test]
    fn every_format_is_found_by_its_name() {
        for f in Format::all() {
            assert_eq!(Format::parse(f.name()), Some(f));
        }
        assert_eq!(
            Format::parse("Google_Play").unwrap().name(),
            "google-play-csv"
        );
        assert_eq!(Format::parse("maps"), None);
    }
}
