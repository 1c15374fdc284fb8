//! Earshot's own files: CSV and JSON Lines with the columns `external_id, platform, author,
//! rating, title, body, created_at, url` (plus optional `kind` and `language`).
//!
//! The file is read record by record and written in batches, one transaction each, so memory
//! stays flat however large the file is and a rerun of the same file changes nothing. A bad row is
//! reported with its line number (counting LF, CRLF and lone CR line ends alike, and a quoted
//! field's own line breaks); by default the import stops there and nothing of the failing batch
//! is written (earlier batches stay, and a rerun after the fix finds them unchanged), with
//! `skip_bad` such rows are counted and skipped.

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::{mpsc, Mutex};

use super::{
    not_reviews, parse_date, parse_rating, BatchWriter, Format as ImportFormat, ImportError,
    ImportOptions, ImportReport, Result,
};
use crate::analysis::review::{self as review_analysis, ReviewAnalysis};
use crate::model::{IncomingReview, Kind, SourceId};
use crate::platform::normalise_platform;
use crate::store::Store;
use rustc_hash::FxHashMap;

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

/// Imports one Earshot CSV or JSON Lines file; `format` overrides the sniffing of its first
/// bytes.
pub(super) fn import_file(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    batch_size: usize,
    into_source: Option<SourceId>,
    format: Option<ImportFormat>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport> {
    let io = |error| ImportError::Io {
        path: path.to_owned(),
        error,
    };
    let mut file = File::open(path).map_err(io)?;
    let total = file.metadata().map_err(io)?.len();
    let sniffed = sniff(&mut file, path)?;
    let format = match format {
        Some(ImportFormat::Jsonl) => Format::JsonLines,
        Some(_) => Format::Csv,
        None => sniffed,
    };
    let counter = CountingReader {
        inner: file,
        read: 0,
        breaks: LineBreaks::default(),
    };
    // The header is read here, so a file that is not reviews fails before anything starts.
    let rows = match format {
        Format::Csv => {
            let mut rdr = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(counter);
            let headers = rdr
                .headers()
                .map_err(|e| not_reviews(path, e.to_string()))?
                .clone();
            let columns = ColumnMap::from_headers(&headers, path)?;
            RowReader::Csv(rdr, columns)
        }
        Format::JsonLines => {
            let mut counter = counter;
            counter.breaks.off = true;
            RowReader::JsonLines(BufReader::new(counter))
        }
    };

    let business = store.ensure_business(&opts.business)?;
    // Checkpoints on their own thread while the import writes (store::checkpoints): a 1M-review
    // import, three interleaved pairs, 11.77 s against 13.75 s.
    let _checkpoints = store.background_checkpoints();
    let mut writer = BatchWriter::new(
        store.import_writer(),
        business.id,
        opts.skip_bad,
        into_source,
    );
    writer.report.business = business.name.clone();
    let named = match format {
        Format::Csv => ImportFormat::Csv,
        Format::JsonLines => ImportFormat::Jsonl,
    };
    writer.report.format = named.name();
    writer.report.format_label = named.label();
    let default_platform = opts.platform.as_deref().map(normalise_platform);
    let stages = Stages {
        default_platform: default_platform.as_deref(),
        // A file source may belong to another business than the one named; the store then
        // analyses again with the right category (see `ReviewWriter::write`).
        category: business.category.as_deref(),
        workers: analysis_workers(),
    };
    let batch_size = batch_size.max(1);
    stages.run(rows, path, &mut |chunk| {
        for (i, row) in chunk.rows.iter().enumerate() {
            if let Some(next) = chunk.rows.get(i + 1) {
                prefetch_text(next);
            }
            writer.report.rows += 1;
            writer.push(row.line, &row.review)?;
            if writer.pending >= batch_size {
                writer.flush()?;
                progress(chunk.read, total);
            }
        }
        Ok(())
    })?;
    writer.flush()?;
    progress(total, total);
    Ok(writer.report)
}

/// Asks the CPU to bring a row's text into its cache before the writer binds it. The strings
/// were made and read on the other threads, so the writer's copy of them missed the cache:
/// copying them into SQLite was 5% of the import's single writer, which sets its pace. The
/// next row's text arrives while the current row is written (several microseconds).
fn prefetch_text(row: &AnalysedRow) {
    let Ok((item, analysis)) = &row.review else {
        return;
    };
    let optional = [
        &item.author,
        &item.title,
        &item.url,
        &item.language,
        &item.raw_json,
        &analysis.aspects_json,
    ];
    let texts = [&item.external_id, &item.platform, &item.body]
        .into_iter()
        .chain(optional.into_iter().flatten());
    for text in texts {
        prefetch(text.as_bytes());
    }
}

/// A hint, never a fault: prefetching reads nothing and changes nothing observable.
fn prefetch(bytes: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    for line in bytes.chunks(64) {
        // SAFETY: a prefetch is a hint to the cache; it does not dereference the pointer (any
        // address is allowed) and SSE is part of every x86-64 CPU.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                line.as_ptr().cast(),
            );
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = bytes;
}

/// Rows handed to an analysis worker at a time: enough to make the hand-over cost nothing next
/// to the analysis (tens of microseconds a row), few enough that workers share the work evenly.
const CHUNK_ROWS: usize = 256;

/// Chunks between the file reader and the writer at most (read, being analysed, or waiting for
/// their turn to be written), so memory stays flat however far the reader could run ahead.
/// Enough for the analysis to go on while the writer commits a batch (its search index and
/// rollups, a tenth of a second or more at 1M reviews) instead of stopping once 16 chunks were
/// done: 1M reviews, three interleaved runs, median 7.91 s against 8.43 s (96 chunks: 8.10 s),
/// with peak memory 73 MB against 64 MB.
const CHUNKS_IN_FLIGHT: usize = 48;

/// Analysis threads: one per core. The single writer sets an import's pace (busy 90–96% of a
/// 1M import on two cores); the analysis and the reader share what it leaves. One thread fewer,
/// so the writer keeps a core to itself, measured the same (1M, four pairs, within the noise).
fn analysis_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8))
}

/// The file's rows, as the reader thread pulls them.
enum RowReader {
    Csv(csv::Reader<CountingReader<File>>, ColumnMap),
    JsonLines(BufReader<CountingReader<File>>),
}

/// A run of rows in file order, read but not yet analysed.
struct ReadChunk {
    seq: u64,
    rows: Vec<(u64, Result<RawRow, String>)>,
    /// Bytes of the file read when the chunk's last row was, for the progress bar.
    read: u64,
}

/// A chunk after analysis: each row valid and analysed, or the reason it was refused.
struct AnalysedChunk {
    seq: u64,
    rows: Vec<AnalysedRow>,
    read: u64,
}

/// Leave to read one more chunk, with the written chunk it replaces (to be freed).
type Ticket = Option<AnalysedChunk>;

struct AnalysedRow {
    line: u64,
    review: Result<(IncomingReview, ReviewAnalysis), String>,
}

/// The import as a pipeline: one thread reads and parses the file, `workers` threads validate
/// and analyse chunks of rows (sentiment, language, aspects: a third of an import's CPU), and the
/// calling thread writes them to the store in file order. Rows reach `write` in exactly the
/// order of the file, so batches, line numbers, stopping at a bad row and crash safety are
/// what a single thread would give.
struct Stages<'a> {
    default_platform: Option<&'a str>,
    category: Option<&'a str>,
    workers: usize,
}

impl Stages<'_> {
    fn run(
        &self,
        rows: RowReader,
        path: &Path,
        write: &mut dyn FnMut(&AnalysedChunk) -> Result<()>,
    ) -> Result<()> {
        let (read_tx, read_rx) = mpsc::sync_channel::<ReadChunk>(CHUNKS_IN_FLIGHT);
        let read_rx = Mutex::new(read_rx);
        let (done_tx, done_rx) = mpsc::sync_channel::<AnalysedChunk>(CHUNKS_IN_FLIGHT);
        // The reader takes a ticket per chunk and the writer gives it back once the chunk is
        // written: this bounds every queue and the reordering below together. A ticket given
        // back carries the written chunk, which the reader frees: freeing rows and analyses
        // made on other threads was a tenth of the writer's time, and the writer sets the
        // import's pace.
        let (ticket_tx, ticket_rx) = mpsc::sync_channel::<Ticket>(CHUNKS_IN_FLIGHT);
        for _ in 0..CHUNKS_IN_FLIGHT {
            let _ = ticket_tx.send(None);
        }
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || read_chunks(rows, path, &read_tx, &ticket_rx));
            for _ in 0..self.workers {
                let done_tx = done_tx.clone();
                let read_rx = &read_rx;
                scope.spawn(move || loop {
                    // The lock is held only to take the next chunk.
                    let next = read_rx.lock().map_or(None, |rx| rx.recv().ok());
                    let Some(chunk) = next else { break };
                    if done_tx.send(self.analyse(chunk)).is_err() {
                        break;
                    }
                });
            }
            drop(done_tx);
            let written = write_in_order(&done_rx, &ticket_tx, write);
            // Whatever happened, let the reader and the workers see the end and stop.
            drop(done_rx);
            drop(ticket_tx);
            let read = reader
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            // A read error ends the import as it would single-threaded: the chunks read
            // before it are written, the batch they fill is not committed.
            written.and(read)
        })
    }

    fn analyse(&self, chunk: ReadChunk) -> AnalysedChunk {
        let rows = chunk
            .rows
            .into_iter()
            .map(|(line, row)| AnalysedRow {
                line,
                review: row
                    .and_then(|r| r.into_review(self.default_platform))
                    .map(|item| {
                        let analysis = review_analysis::analyse(&item, self.category);
                        (item, analysis)
                    }),
            })
            .collect();
        AnalysedChunk {
            seq: chunk.seq,
            rows,
            read: chunk.read,
        }
    }
}

/// Hands analysed chunks to `write` in the order they were read (workers finish out of order).
fn write_in_order(
    done: &mpsc::Receiver<AnalysedChunk>,
    tickets: &mpsc::SyncSender<Ticket>,
    write: &mut dyn FnMut(&AnalysedChunk) -> Result<()>,
) -> Result<()> {
    let mut waiting: BTreeMap<u64, AnalysedChunk> = BTreeMap::new();
    let mut next = 0u64;
    while let Ok(chunk) = done.recv() {
        waiting.insert(chunk.seq, chunk);
        while let Some(chunk) = waiting.remove(&next) {
            write(&chunk)?;
            next += 1;
            let _ = tickets.send(Some(chunk));
        }
    }
    Ok(())
}

/// The reader thread: parses the file into chunks of rows. Stops early, without error, when
/// the writer has stopped (a bad row, a store error).
fn read_chunks(
    rows: RowReader,
    path: &Path,
    out: &mpsc::SyncSender<ReadChunk>,
    tickets: &mpsc::Receiver<Ticket>,
) -> Result<()> {
    let mut seq = 0u64;
    let mut chunk = Vec::with_capacity(CHUNK_ROWS);
    let mut send = |rows: &mut Vec<(u64, Result<RawRow, String>)>, read: u64| {
        match tickets.recv() {
            Ok(written) => drop(written),
            Err(_) => return false,
        }
        let full = std::mem::replace(rows, Vec::with_capacity(CHUNK_ROWS));
        let sent = out.send(ReadChunk {
            seq,
            rows: full,
            read,
        });
        seq += 1;
        sent.is_ok()
    };
    match rows {
        RowReader::Csv(mut rdr, columns) => {
            let mut record = csv::StringRecord::new();
            loop {
                let before = rdr.position().byte();
                let row = match rdr.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let at = record.position().map_or(before, |p| p.byte());
                        (rdr.get_mut().breaks.line_at(at), Ok(columns.row(&record)))
                    }
                    Err(e) => {
                        let at = e.position().map_or(before, |p| p.byte());
                        let reason = match e.kind() {
                            csv::ErrorKind::Utf8 { .. } => {
                                "the text is not valid UTF-8".to_string()
                            }
                            _ => format!("unreadable CSV ({e})"),
                        };
                        (rdr.get_mut().breaks.line_at(at), Err(reason))
                    }
                };
                chunk.push(row);
                if chunk.len() >= CHUNK_ROWS && !send(&mut chunk, rdr.get_ref().read) {
                    return Ok(());
                }
            }
            if !chunk.is_empty() {
                send(&mut chunk, rdr.get_ref().read);
            }
        }
        RowReader::JsonLines(mut rdr) => {
            let io = |error| ImportError::Io {
                path: path.to_owned(),
                error,
            };
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
                chunk.push((line, RawRow::from_json(&buf)));
                if chunk.len() >= CHUNK_ROWS && !send(&mut chunk, rdr.get_ref().read) {
                    return Ok(());
                }
            }
            if !chunk.is_empty() {
                send(&mut chunk, rdr.get_ref().read);
            }
        }
    }
    Ok(())
}

/// Earshot's two layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
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
/// Also notes the line breaks in what the CSV parser reads, for the line numbers of its rows.
struct CountingReader<R> {
    inner: R,
    read: u64,
    breaks: LineBreaks,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.breaks.scan(self.read, &buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// The line of a CSV record, from its byte offset. The csv crate's own line count is one short
/// after a CRLF (it notes a record's start between the CR and the LF, and counts only LFs), so a
/// bad row of a file written by Excel or Python was reported a line early (issue 26). Here a CR
/// ends a line, and so does an LF that does not follow a CR: LF, CRLF and lone-CR files count
/// alike, and a quoted field's line breaks count toward the rows after it.
///
/// Only the breaks the parser has read but not yet asked about are kept: no more than its
/// buffer's bytes.
#[derive(Debug, Default)]
struct LineBreaks {
    /// Offsets of the breaks read and not yet counted, with their length (2 for a CRLF).
    pending: VecDeque<(u64, u8)>,
    /// Breaks before the last offset asked about.
    counted: u64,
    /// Whether the byte before the next one read is a CR.
    after_cr: bool,
    /// JSON Lines counts its own lines: off, nothing is kept.
    off: bool,
}

impl LineBreaks {
    fn scan(&mut self, start: u64, bytes: &[u8]) {
        if self.off {
            return;
        }
        for (i, b) in bytes.iter().enumerate() {
            match b {
                b'\r' => self.pending.push_back((start + i as u64, 1)),
                b'\n' if self.after_cr => {
                    // The LF of a CRLF: one break with the CR before it.
                    if let Some(last) = self.pending.back_mut() {
                        if last.0 + 1 == start + i as u64 {
                            last.1 = 2;
                        }
                    }
                }
                b'\n' => self.pending.push_back((start + i as u64, 1)),
                _ => {}
            }
            self.after_cr = *b == b'\r';
        }
    }

    /// The 1-based line of a record the parser says starts at `offset`; offsets are asked in
    /// increasing order. The parser may note a record's start before the blank lines it then
    /// skips (no record starts with a line break), so breaks right at the start count too.
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut start = offset;
        while let Some(&(at, len)) = self.pending.front() {
            if at > start {
                break;
            }
            // A break ending past the start (the start noted on a CRLF's LF) moves it too.
            self.counted += 1;
            start = start.max(at + u64::from(len));
            self.pending.pop_front();
        }
        self.counted + 1
    }
}

/// Where each known column sits in a CSV header (looked up for each column of each row).
struct ColumnMap {
    index: FxHashMap<&'static str, usize>,
    /// The file is an Earshot export: strip the spreadsheet formula guard from its cells.
    unguard: bool,
}

const OPTIONAL_EXTRA: &[&str] = &["kind", "language"];

impl ColumnMap {
    fn from_headers(headers: &csv::StringRecord, path: &Path) -> Result<ColumnMap> {
        let mut index = FxHashMap::default();
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
        // An Earshot export guards formula-like cells with a leading `'` (crate::export), which
        // comes off again here so that the round trip is exact; another tool's CSV keeps its text.
        let lower: Vec<String> = headers
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let unguard = crate::export::EXPORT_ONLY_COLUMNS
            .iter()
            .all(|c| lower.iter().any(|h| h == c));
        Ok(ColumnMap { index, unguard })
    }

    fn row(&self, rec: &csv::StringRecord) -> RawRow {
        let get = |c: &str| {
            self.index
                .get(c)
                .and_then(|i| rec.get(*i))
                .map(|s| {
                    if self.unguard {
                        crate::export::unguard_cell(s).to_owned()
                    } else {
                        s.to_owned()
                    }
                })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import_path_batched;

    /// Reviews in the shapes an import meets: titles or not, unrated mentions, several
    /// platforms, French and German text, an id repeated with new text (an edit within the
    /// file), and bad rows.
    fn varied_csv(rows: usize, edit: bool) -> String {
        let bodies = [
            "Great coffee and friendly staff, but the music was too loud.",
            "The latte was cold and the barista seemed rude. Waited forever for a flat white.",
            "Le personnel était très aimable et le café délicieux, mais un peu cher.",
            "Der Kaffee war kalt und der Service sehr langsam, leider nicht zu empfehlen.",
            "service felt a bit slow; parking nearby is tricky",
            "Best croissant in town!!! 😍 Would not recommend the sandwiches though.",
            "",
        ];
        let mut csv =
            String::from("external_id,platform,author,rating,title,body,created_at,url\n");
        for i in 0..rows {
            let platform = ["google", "yelp", "facebook", "Trustpilot"][i % 4];
            let rating = if platform == "facebook" {
                String::new()
            } else {
                (1 + i % 5).to_string()
            };
            let title = if i % 3 == 0 { "Lovely morning" } else { "" };
            let mut body = bodies[i % bodies.len()].to_string();
            if edit && i % 5 == 0 {
                body.push_str(" Edited: the staff apologised.");
            }
            let id = if i % 97 == 13 { i - 4 } else { i };
            let day = 1 + i % 28;
            if i % 101 == 50 {
                csv.push_str(&format!(
                    "b{id},{platform},A,9,,bad rating,2024-02-{day:02},\n"
                ));
                continue;
            }
            csv.push_str(&format!(
                "b{id},{platform},Customer {i},{rating},{title},\"{body}\",2024-02-{day:02}T10:{:02}:00Z,https://example.com/{i}\n",
                i % 60
            ));
        }
        csv
    }

    /// The reviews of a file written one batch at a time by the store's own write path, which
    /// analyses each review itself: what the import wrote before it had worker threads.
    fn write_sequentially(store: &mut Store, path: &Path, business: &str, batch: usize) {
        let business = store.ensure_business(business).unwrap();
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(path)
            .unwrap();
        let columns = ColumnMap::from_headers(&rdr.headers().unwrap().clone(), path).unwrap();
        let mut items = Vec::new();
        for rec in rdr.records() {
            let Ok(item) = columns.row(&rec.unwrap()).into_review(None) else {
                continue;
            };
            let settings = serde_json::json!({ "platform": item.platform });
            let label = format!("import:{}", item.platform);
            let source = store
                .ensure_source(business.id, "file", &label, &settings)
                .unwrap();
            items.push((source, item));
        }
        for chunk in items.chunks(batch) {
            store.write_batch(chunk).unwrap();
        }
    }

    /// Issue 8: analysing on worker threads must store exactly what analysing in the writer
    /// did — rows, sentiment, languages, aspects, revisions, both rollups and the search index —
    /// for a first import and for a second one that edits part of the rows.
    #[test]
    fn the_threaded_import_stores_what_the_sequential_write_path_stores() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.csv");
        let second = dir.path().join("second.csv");
        std::fs::write(&first, varied_csv(1_500, false)).unwrap();
        std::fs::write(&second, varied_csv(1_500, true)).unwrap();
        for category in [None, Some("cafe")] {
            let mut threaded = Store::open(&dir.path().join("threaded.db")).unwrap();
            let mut sequential = Store::open(&dir.path().join("sequential.db")).unwrap();
            for store in [&mut threaded, &mut sequential] {
                let b = store.ensure_business("Café").unwrap();
                store.set_business_category(b.id, category).unwrap();
            }
            let opts = ImportOptions {
                business: "Café".into(),
                skip_bad: true,
                ..Default::default()
            };
            for file in [&first, &second] {
                let report =
                    import_path_batched(&mut threaded, file, &opts, 100, &mut |_, _| {}).unwrap();
                assert_eq!(report.counts.rejected, 15, "{:?}", report.rejected_rows);
                write_sequentially(&mut sequential, file, "Café", 100);
            }
            let (t, s) = (
                threaded.stored_content().unwrap(),
                sequential.stored_content().unwrap(),
            );
            assert!(
                t.iter().any(|l| l.starts_with("Text(\"a\")|")),
                "aspects were found"
            );
            assert!(
                t.iter().any(|l| l.starts_with("Text(\"v\")|")),
                "edits kept revisions"
            );
            assert_eq!(t.len(), s.len());
            for (a, b) in t.iter().zip(&s) {
                assert_eq!(a, b);
            }
            drop((threaded, sequential));
            for f in ["threaded.db", "sequential.db"] {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(dir.path().join(format!("{f}{suffix}")));
                }
            }
        }
    }

    /// Rows reach the writer in file order whatever order the workers finish in, so the line
    /// of a bad row far into a file is still the one reported.
    #[test]
    fn a_bad_row_deep_in_a_threaded_import_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.csv");
        let mut csv = varied_csv(5_000, false)
            .lines()
            .filter(|l| !l.contains("bad rating"))
            .collect::<Vec<_>>()
            .join("\n");
        csv.push_str("\nlate,google,A,7,,seven stars,2024-02-01,\n");
        std::fs::write(&path, &csv).unwrap();
        let mut store = Store::open(&dir.path().join("bad.db")).unwrap();
        let opts = ImportOptions {
            business: "Café".into(),
            ..Default::default()
        };
        let err = import_path_batched(&mut store, &path, &opts, 1_000, &mut |_, _| {}).unwrap_err();
        let lines = csv.lines().count() as u64;
        match err {
            ImportError::BadRow {
                line, committed, ..
            } => {
                assert_eq!(line, lines);
                assert_eq!(committed, 4_000, "whole batches only");
            }
            other => panic!("{other}"),
        }
    }

    /// Issue 26: a CRLF file (Excel, Python's csv module) named its bad row one line early.
    /// The row's line is the same whatever ends the lines, and a quoted field's own line breaks
    /// count toward the rows after it.
    #[test]
    fn a_bad_row_has_its_line_with_lf_crlf_and_cr_line_ends_and_quoted_newlines() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("lines.db")).unwrap();
        let opts = ImportOptions {
            business: "Café".into(),
            skip_bad: true,
            ..Default::default()
        };
        let rows = [
            "external_id,platform,author,rating,title,body,created_at,url",
            "a1,google,Ann,5,,fine,2024-01-01,",
            "a2,google,Bob,7,,seven stars,2024-01-02,",
            "a3,google,Cy,4,,\"two{NL}lines\",2024-01-03,",
            "a4,google,Di,9,,nine,2024-01-04,",
            "",
            "a5,google,Ed,0,,zero,2024-01-05,",
        ];
        for (name, nl) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
            let text = rows.join(nl).replace("{NL}", nl) + nl;
            let path = dir.path().join(format!("{name}.csv"));
            std::fs::write(&path, text).unwrap();
            let report =
                import_path_batched(&mut store, &path, &opts, 100, &mut |_, _| {}).unwrap();
            let lines: Vec<u64> = report.rejected_rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [3, 6, 8], "{name} line ends");
        }
    }
}
