//! Streaming import of CSV and JSON Lines files.
//!
//! Both formats carry the columns `external_id, platform, author, rating, title, body, created_at,
//! url` (plus optional `kind` and `language`). The file is read record by record and written in
//! batches, one transaction each, so memory stays flat however large the file is and a rerun of
//! the same file changes nothing. A bad row is reported with its line number; by default the
//! import stops there and nothing of the failing batch is written (earlier batches stay, and a rerun
//! after the fix finds them unchanged), with `skip_bad` such rows are counted and skipped.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;

use crate::model::{IncomingReview, Kind, SourceId, WriteCounts};
use crate::platform::normalise_platform;
use crate::store::{Store, StoreError};

/// Rows per transaction. Large enough that commit cost vanishes (fsyncs are per commit), small
/// enough that a batch's rows stay a few megabytes in memory.
pub const BATCH_SIZE: usize = 20_000;

/// Dates outside this range are typing errors or epoch mix-ups, not reviews.
const EARLIEST_YEAR: i32 = 1990;
const LATEST_YEAR: i32 = 2100;

/// How many bytes to look at to tell the format.
const SNIFF_BYTES: usize = 8 * 1024;

/// The columns the import understands; `external_id` and `created_at` are required.
pub const COLUMNS: &[&str] = &[
    "external_id",
    "platform",
    "author",
    "rating",
    "title",
    "body",
    "created_at",
    "url",
];

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{path} is not a CSV or JSON Lines file of reviews: {reason}. Expected a CSV with a header \
         row naming the columns external_id, platform, author, rating, title, body, created_at, url \
         (or one JSON object per line with those keys)"
    )]
    NotReviews { path: PathBuf, reason: String },
    #[error(
        "line {line}: {reason}; the import stopped and nothing of the batch holding this row was \
         written ({committed} rows committed before it). Fix the row, or rerun with --skip-bad to \
         skip bad rows"
    )]
    BadRow {
        line: u64,
        reason: String,
        committed: u64,
        counts: WriteCounts,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ImportError {
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Io { .. } => "io",
            ImportError::NotReviews { .. } => "not_reviews",
            ImportError::BadRow { .. } => "bad_row",
            ImportError::Store(e) => e.code(),
        }
    }
}

pub type Result<T, E = ImportError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The business the reviews are about; created as the owner's own when missing.
    pub business: String,
    /// Platform for rows whose `platform` column is missing or empty.
    pub platform: Option<String>,
    /// Skip bad rows instead of stopping at the first.
    pub skip_bad: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub business: String,
    pub format: &'static str,
    pub rows: u64,
    #[serde(flatten)]
    pub counts: WriteCounts,
    pub rejected_rows: Vec<RejectedRow>,
}

/// How many rejected rows a report keeps word for word; the rest are only counted.
const MAX_REPORTED_REJECTS: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

/// Imports one file. `progress` is called after each batch with bytes read and the file size.
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
    import_file(store, path, opts, batch_size, None, progress)
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
    import_file(store, path, opts, BATCH_SIZE, Some(source), progress)
}

fn import_file(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    batch_size: usize,
    into_source: Option<SourceId>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport> {
    let io = |error| ImportError::Io {
        path: path.to_owned(),
        error,
    };
    let mut file = File::open(path).map_err(io)?;
    let total = file.metadata().map_err(io)?.len();
    let format = sniff(&mut file, path)?;
    let counter = CountingReader {
        inner: file,
        read: 0,
    };

    let business = store.ensure_business(&opts.business)?;
    let mut writer = BatchWriter {
        store,
        business_id: business.id,
        sources: HashMap::new(),
        batch: Vec::with_capacity(BATCH_SIZE),
        report: ImportReport {
            business: business.name.clone(),
            format: match format {
                Format::Csv => "csv",
                Format::JsonLines => "jsonl",
            },
            ..Default::default()
        },
        skip_bad: opts.skip_bad,
        fixed_source: into_source,
    };
    let default_platform = opts.platform.as_deref().map(normalise_platform);
    let batch_size = batch_size.max(1);
    let mut on_row =
        |w: &mut BatchWriter<'_>, line: u64, row: Result<RawRow, String>, read: u64| {
            w.report.rows += 1;
            let parsed = row.and_then(|r| r.into_review(default_platform.as_deref()));
            w.push(line, parsed)?;
            if w.batch.len() >= batch_size {
                w.flush()?;
                progress(read, total);
            }
            Ok::<(), ImportError>(())
        };

    match format {
        Format::Csv => {
            let mut rdr = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(counter);
            let headers = rdr
                .headers()
                .map_err(|e| not_reviews(path, e.to_string()))?
                .clone();
            let columns = ColumnMap::from_headers(&headers, path)?;
            let mut record = csv::StringRecord::new();
            loop {
                let line = rdr.position().line() + 1;
                match rdr.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = record.position().map_or(line, |p| p.line());
                        let read = rdr.get_ref().read;
                        on_row(&mut writer, line, Ok(columns.row(&record)), read)?;
                    }
                    Err(e) => {
                        let line = e.position().map_or(line, |p| p.line());
                        let reason = match e.kind() {
                            csv::ErrorKind::Utf8 { .. } => {
                                "the text is not valid UTF-8".to_string()
                            }
                            _ => format!("unreadable CSV ({e})"),
                        };
                        let read = rdr.get_ref().read;
                        on_row(&mut writer, line, Err(reason), read)?;
                    }
                }
            }
        }
        Format::JsonLines => {
            let mut rdr = BufReader::new(counter);
            let mut buf = Vec::new();
            let mut line = 0u64;
            loop {
                buf.clear();
                let n = rdr.read_until(b'\n', &mut buf).map_err(io)?;
                if n == 0 {
                    break;
                }
                line += 1;
                if buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let read = rdr.get_ref().read;
                on_row(&mut writer, line, RawRow::from_json(&buf), read)?;
            }
        }
    }
    writer.flush()?;
    progress(total, total);
    Ok(writer.report)
}

fn not_reviews(path: &Path, reason: String) -> ImportError {
    ImportError::NotReviews {
        path: path.to_owned(),
        reason,
    }
}

/// Tells CSV from JSON Lines by the first bytes, and refuses what is neither (binary, not UTF-8).
fn sniff(file: &mut File, path: &Path) -> Result<Format> {
    use std::io::{Seek, SeekFrom};
    let io = |error| ImportError::Io {
        path: path.to_owned(),
        error,
    };
    let mut head = vec![0u8; SNIFF_BYTES];
    let mut n = 0;
    while n < head.len() {
        let k = file.read(&mut head[n..]).map_err(io)?;
        if k == 0 {
            break;
        }
        n += k;
    }
    head.truncate(n);
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    if head.is_empty() {
        return Err(not_reviews(path, "the file is empty".into()));
    }
    if head.contains(&0) {
        return Err(not_reviews(path, "it holds binary data".into()));
    }
    // A multi-byte character may be cut at the end of the sniffed bytes; that is fine.
    if let Err(e) = std::str::from_utf8(&head) {
        if e.error_len().is_some() {
            return Err(not_reviews(path, "it is not UTF-8 text".into()));
        }
    }
    let first = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&head)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'{') => Ok(Format::JsonLines),
        Some(b'[') => Err(not_reviews(
            path,
            "it is a JSON array; write one JSON object per line (JSON Lines)".into(),
        )),
        _ => Ok(Format::Csv),
    }
}

/// Counts bytes as the parser reads them, for the progress bar.
struct CountingReader<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Where each known column sits in a CSV header.
struct ColumnMap {
    index: HashMap<&'static str, usize>,
}

const OPTIONAL_EXTRA: &[&str] = &["kind", "language"];

impl ColumnMap {
    fn from_headers(headers: &csv::StringRecord, path: &Path) -> Result<ColumnMap> {
        let mut index = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let h = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
            if let Some(c) = COLUMNS.iter().chain(OPTIONAL_EXTRA).find(|c| **c == h) {
                index.entry(*c).or_insert(i);
            }
        }
        let missing: Vec<&str> = ["external_id", "created_at"]
            .into_iter()
            .filter(|c| !index.contains_key(c))
            .collect();
        if !missing.is_empty() {
            return Err(not_reviews(
                path,
                format!("its header row lacks the column(s) {}", missing.join(", ")),
            ));
        }
        Ok(ColumnMap { index })
    }

    fn row(&self, rec: &csv::StringRecord) -> RawRow {
        let get = |c: &str| {
            self.index
                .get(c)
                .and_then(|i| rec.get(*i))
                .map(str::to_owned)
                .filter(|s| !s.is_empty())
        };
        RawRow {
            external_id: get("external_id"),
            platform: get("platform"),
            author: get("author"),
            rating: get("rating"),
            title: get("title"),
            body: get("body"),
            created_at: get("created_at"),
            url: get("url"),
            kind: get("kind"),
            language: get("language"),
        }
    }
}

/// One row as text, before validation.
#[derive(Debug, Default)]
struct RawRow {
    external_id: Option<String>,
    platform: Option<String>,
    author: Option<String>,
    rating: Option<String>,
    title: Option<String>,
    body: Option<String>,
    created_at: Option<String>,
    url: Option<String>,
    kind: Option<String>,
    language: Option<String>,
}

impl RawRow {
    fn from_json(line: &[u8]) -> Result<RawRow, String> {
        let text =
            std::str::from_utf8(line).map_err(|_| "the text is not valid UTF-8".to_string())?;
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("malformed JSON ({e})"))?;
        let obj = value.as_object().ok_or("the line is not a JSON object")?;
        // Numbers are accepted where text is expected (ids, ratings) and the reverse.
        let get = |k: &str| match obj.get(k) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) if s.is_empty() => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => {
                Some(v.to_string())
            }
            Some(v) => Some(v.to_string()),
        };
        Ok(RawRow {
            external_id: get("external_id"),
            platform: get("platform"),
            author: get("author"),
            rating: get("rating"),
            title: get("title"),
            body: get("body"),
            created_at: get("created_at"),
            url: get("url"),
            kind: get("kind"),
            language: get("language"),
        })
    }

    fn into_review(self, default_platform: Option<&str>) -> Result<IncomingReview, String> {
        let external_id = self
            .external_id
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .ok_or("external_id is missing")?;
        let platform = self
            .platform
            .as_deref()
            .map(normalise_platform)
            .filter(|p| !p.is_empty())
            .or_else(|| default_platform.map(str::to_owned))
            .ok_or("platform is missing (add the column or pass --platform)")?;
        let rating = self.rating.as_deref().map(parse_rating).transpose()?;
        let created_at = self
            .created_at
            .as_deref()
            .ok_or("created_at is missing")
            .map_err(str::to_owned)
            .and_then(parse_date)?;
        let kind = match self.kind.as_deref().map(str::trim) {
            None => Kind::Review,
            Some(k) => Kind::parse(&k.to_ascii_lowercase())
                .ok_or_else(|| format!("kind {k:?} is neither review nor mention"))?,
        };
        Ok(IncomingReview {
            external_id,
            platform,
            kind,
            author: self.author.map(|s| s.trim().to_owned()),
            rating,
            title: self.title,
            body: self.body.unwrap_or_default(),
            url: self.url.map(|s| s.trim().to_owned()),
            language: self.language,
            created_at,
            updated_at: None,
            owner_reply: None,
            raw_json: None,
        })
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
/// naive `2024-05-01 09:12:03` taken as UTC.
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
            NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|d| d.and_utc())
        })
        .ok_or_else(|| format!("created_at {t:?} is not a date (use RFC 3339 or YYYY-MM-DD)"))?;
    let year = chrono::Datelike::year(&parsed);
    if !(EARLIEST_YEAR..=LATEST_YEAR).contains(&year) {
        return Err(format!("created_at {t} is not a plausible review date"));
    }
    Ok(parsed)
}

/// Collects valid rows and writes them a batch at a time.
struct BatchWriter<'a> {
    store: &'a mut Store,
    business_id: i64,
    sources: HashMap<String, SourceId>,
    batch: Vec<(SourceId, IncomingReview)>,
    report: ImportReport,
    skip_bad: bool,
    fixed_source: Option<SourceId>,
}

impl BatchWriter<'_> {
    fn push(&mut self, line: u64, row: Result<IncomingReview, String>) -> Result<()> {
        match row {
            Ok(item) => {
                let source = self.source_for(&item.platform)?;
                self.batch.push((source, item));
                Ok(())
            }
            Err(reason) if self.skip_bad => {
                self.report.counts.rejected += 1;
                if self.report.rejected_rows.len() < MAX_REPORTED_REJECTS {
                    self.report.rejected_rows.push(RejectedRow { line, reason });
                }
                Ok(())
            }
            Err(reason) => {
                let c = self.report.counts;
                Err(ImportError::BadRow {
                    line,
                    reason,
                    committed: c.new + c.updated + c.unchanged,
                    counts: c,
                })
            }
        }
    }

    /// Each platform in a file is its own source, so the same id on two platforms is two reviews.
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
            .store
            .ensure_source(self.business_id, "file", &label, &settings)?;
        self.sources.insert(platform.to_owned(), id);
        Ok(id)
    }

    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let counts = self.store.write_batch(&self.batch)?;
        self.report.counts.add(counts);
        self.batch.clear();
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
        assert!(parse_date("01/05/2024").is_err());
        assert!(parse_date("0001-01-01").unwrap_err().contains("plausible"));
    }
}
