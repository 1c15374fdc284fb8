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

use super::mapping::{generated_id, ColumnMapping, FIELDS};
use super::{
    not_reviews, parse_date, parse_rating, BatchWriter, Format as ImportFormat, ImportError,
    ImportOptions, ImportReport, ImportTarget, Result,
};
use crate::analysis::review::{self as review_analysis, ReviewAnalysis};
use crate::model::{IncomingReview, Kind, SourceId};
use crate::platform::normalise_platform;
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
pub(super) fn import_file<T: ImportTarget>(
    target: &mut T,
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
    let counter = CountingReader::new(
        file,
        match format {
            Format::Csv => Syntax::Csv,
            Format::JsonLines => Syntax::JsonLines,
        },
    );
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
            // A header cut on the way in names no column the import knows: nothing to keep.
            let end = rdr.position().byte();
            let _ = rdr.get_mut().take_cut(end);
            let columns = ColumnMap::from_headers(&headers, path, &opts.mapping)?;
            RowReader::Csv(rdr, columns)
        }
        Format::JsonLines if !opts.mapping.is_empty() => {
            return Err(ImportError::Mapping {
                path: path.to_owned(),
                reason: "a JSON Lines file names its own fields; choosing columns is for CSV \
                         files"
                    .into(),
            })
        }
        Format::JsonLines => {
            let mut counter = counter;
            counter.breaks.off = true;
            RowReader::JsonLines(BufReader::new(counter))
        }
    };

    let business = target.ensure_business(&opts.business)?;
    // Checkpoints on their own thread while the import writes (store::checkpoints): a 1M-review
    // import, three interleaved pairs, 11.77 s against 13.75 s.
    let _checkpoints = target.background_checkpoints();
    let mut writer = BatchWriter::new(
        target.import_sink(),
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
    let generate_ids = matches!(&rows, RowReader::Csv(_, c) if c.generate_ids);
    let stages = Stages {
        default_platform: default_platform.as_deref(),
        id_seed: generate_ids.then_some(business.name.as_str()),
        // A file source may belong to another business than the one named; the store then
        // analyses again with the right category (see `ReviewWriter::write`).
        category: business.category.as_deref(),
        workers: analysis_workers(),
        long_text: opts.long_text,
    };
    let batch_size = batch_size.max(1);
    stages.run(rows, path, &mut |chunk| {
        for (i, row) in chunk.rows.iter().enumerate() {
            if let Some(next) = chunk.rows.get(i + 1) {
                prefetch_text(next);
            }
            writer.report.rows += 1;
            if row.too_long {
                // Over the caps, left out as the owner chose (issue 33): counted, never a stop.
                if let Err(reason) = &row.review {
                    writer.reject(row.line, reason);
                }
                continue;
            }
            if row.truncated {
                writer.report.truncated += 1;
            }
            writer.push(row.line, &row.review)?;
            if writer.pending >= batch_size {
                writer.flush()?;
                progress(chunk.read, total);
            }
        }
        Ok(())
    })?;
    writer.flush()?;
    writer.settle()?;
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

/// Bytes of rows a chunk holds at most, so long rows cannot make the chunks in flight large.
/// Honest rows (a few hundred bytes) fill CHUNK_ROWS long before this.
const CHUNK_BYTES: u64 = 512 * 1024;

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
    /// Kept with a field cut to its cap.
    truncated: bool,
    /// Left out for being over the caps: counted as rejected, the import goes on.
    too_long: bool,
}

/// The import as a pipeline: one thread reads and parses the file, `workers` threads validate
/// and analyse chunks of rows (sentiment, language, aspects: a third of an import's CPU), and the
/// calling thread writes them to the store in file order. Rows reach `write` in exactly the
/// order of the file, so batches, line numbers, stopping at a bad row and crash safety are
/// what a single thread would give.
struct Stages<'a> {
    default_platform: Option<&'a str>,
    /// The business whose name goes into generated ids, when the file has no id column.
    id_seed: Option<&'a str>,
    category: Option<&'a str>,
    workers: usize,
    long_text: super::LongText,
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
            .map(|(line, row)| {
                let (mut truncated, mut too_long) = (false, false);
                let review = row
                    .and_then(|r| {
                        if r.cut == Some(Cut::Row) {
                            too_long = true;
                            return Err(row_too_long());
                        }
                        let field_cut = r.cut == Some(Cut::Field);
                        let mut item = r.into_review(self.default_platform, self.id_seed)?;
                        // Only a readable row is measured: its own faults come first.
                        match super::apply_caps(&mut item, field_cut, self.long_text) {
                            Ok(cut) => truncated = cut,
                            Err(reason) => {
                                too_long = true;
                                return Err(reason);
                            }
                        }
                        Ok(item)
                    })
                    .map(|item| {
                        let analysis = review_analysis::analyse(&item, self.category);
                        (item, analysis)
                    });
                AnalysedRow {
                    line,
                    review,
                    truncated,
                    too_long,
                }
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

/// The rows the reader thread gathers for the writer, each with its line: a chunk goes when it
/// holds [`CHUNK_ROWS`] rows or [`CHUNK_BYTES`] of the file, once a ticket says the writer has
/// room for it. A chunk of long rows goes early, so the chunks in flight hold at most
/// CHUNKS_IN_FLIGHT × CHUNK_BYTES of text (plus one row each). The same for either layout.
struct Chunks<'a> {
    out: &'a mpsc::SyncSender<ReadChunk>,
    tickets: &'a mpsc::Receiver<Ticket>,
    seq: u64,
    rows: Vec<(u64, Result<RawRow, String>)>,
    /// Bytes of the file the chunk's rows came from.
    bytes: u64,
}

impl<'a> Chunks<'a> {
    fn new(out: &'a mpsc::SyncSender<ReadChunk>, tickets: &'a mpsc::Receiver<Ticket>) -> Self {
        Chunks {
            out,
            tickets,
            seq: 0,
            rows: Vec::with_capacity(CHUNK_ROWS),
            bytes: 0,
        }
    }

    /// Adds a row that took `bytes` of the file, `read` bytes having been read so far; sends
    /// the chunk when it is full. False when the writer has stopped: read no further.
    fn push(&mut self, row: (u64, Result<RawRow, String>), bytes: u64, read: u64) -> bool {
        self.rows.push(row);
        self.bytes += bytes;
        if self.rows.len() >= CHUNK_ROWS || self.bytes >= CHUNK_BYTES {
            return self.send(read);
        }
        true
    }

    /// Sends the rows gathered so far, after waiting for a ticket; false when the writer has
    /// stopped.
    fn send(&mut self, read: u64) -> bool {
        match self.tickets.recv() {
            Ok(written) => drop(written),
            Err(_) => return false,
        }
        let rows = std::mem::replace(&mut self.rows, Vec::with_capacity(CHUNK_ROWS));
        self.bytes = 0;
        let sent = self.out.send(ReadChunk {
            seq: self.seq,
            rows,
            read,
        });
        self.seq += 1;
        sent.is_ok()
    }

    /// Sends the last, part-filled chunk at the end of the file.
    fn finish(mut self, read: u64) {
        if !self.rows.is_empty() {
            self.send(read);
        }
    }
}

/// The reader thread: parses the file into chunks of rows. Stops early, without error, when
/// the writer has stopped (a bad row, a store error).
fn read_chunks(
    rows: RowReader,
    path: &Path,
    out: &mpsc::SyncSender<ReadChunk>,
    tickets: &mpsc::Receiver<Ticket>,
) -> Result<()> {
    let mut chunks = Chunks::new(out, tickets);
    match rows {
        RowReader::Csv(mut rdr, columns) => {
            let mut record = csv::StringRecord::new();
            loop {
                let before = rdr.position().byte();
                let result = rdr.read_record(&mut record);
                let end = rdr.position().byte();
                let cut = rdr.get_mut().take_cut(end);
                let row = match result {
                    Ok(false) => break,
                    Ok(true) => {
                        let at = record.position().map_or(before, |p| p.byte());
                        let mut row = columns.row(&record);
                        row.cut = cut;
                        (rdr.get_mut().breaks.line_at(at), Ok(row))
                    }
                    Err(e) => {
                        let at = e.position().map_or(before, |p| p.byte());
                        let row = match e.kind() {
                            // Cut mid-row: the row's length is what is wrong with it.
                            _ if cut == Some(Cut::Row) => Ok(RawRow::cut_row()),
                            csv::ErrorKind::Utf8 { .. } => {
                                Err("the text is not valid UTF-8".to_string())
                            }
                            _ => Err(format!("unreadable CSV ({e})")),
                        };
                        (rdr.get_mut().breaks.line_at(at), row)
                    }
                };
                if !chunks.push(row, end.saturating_sub(before), rdr.get_ref().read) {
                    return Ok(());
                }
            }
            chunks.finish(rdr.get_ref().read);
        }
        RowReader::JsonLines(mut rdr) => {
            let io = |error| ImportError::Io {
                path: path.to_owned(),
                error,
            };
            let mut buf = Vec::new();
            let mut line = 0u64;
            let mut consumed = 0u64;
            loop {
                buf.clear();
                // A line over the row cap was cut on the way in, so `buf` stays bounded.
                if buf.capacity() > 4 * MAX_ROW_BYTES {
                    buf.shrink_to(MAX_ROW_BYTES);
                }
                let n = rdr.read_until(b'\n', &mut buf).map_err(io)?;
                if n == 0 {
                    break;
                }
                line += 1;
                consumed += n as u64;
                let cut = rdr.get_mut().take_cut(consumed);
                if cut.is_none() && buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let row = match cut {
                    Some(Cut::Row) => Ok(RawRow::cut_row()),
                    _ => RawRow::from_json(&buf).map(|mut r| {
                        r.cut = cut;
                        r
                    }),
                };
                if !chunks.push((line, row), n as u64, rdr.get_ref().read) {
                    return Ok(());
                }
            }
            chunks.finish(rdr.get_ref().read);
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

/// The most bytes of one field (CSV) or string (JSON) the reader hands the parser; the rest of
/// it is dropped on the way in. Twice the text cap, so a JSON string full of escapes still
/// decodes to more than the cap and is cut (and counted) there.
const MAX_FIELD_BYTES: usize = 2 * crate::model::limits::MAX_TEXT_BYTES;

/// The most bytes of one row (CSV record or JSON line) the reader hands the parser; a longer
/// row is dropped to its end and refused. Room for every field at its cap.
const MAX_ROW_BYTES: usize = 1024 * 1024;

/// The reader's own buffer of the file.
const RAW_BUFFER: usize = 64 * 1024;

/// The words for a row over [`MAX_ROW_BYTES`].
fn row_too_long() -> String {
    format!(
        "the row is longer than {}, more than any review; left out",
        crate::model::limits::describe(MAX_ROW_BYTES)
    )
}

/// What the reader cut of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cut {
    /// A field (or JSON string) past [`MAX_FIELD_BYTES`]; the row is kept, cut.
    Field,
    /// The row past [`MAX_ROW_BYTES`]; it is refused.
    Row,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Csv,
    JsonLines,
}

/// Where the reader is in the syntax: the same states the csv crate's parser (RFC 4180 with
/// doubled quotes, which is how the import builds it) and a JSON string go through, so the
/// reader knows where a field ends without parsing the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    CsvStart,
    CsvUnquoted,
    CsvQuoted,
    /// A `"` inside a quoted field: its end, or the first of a doubled quote.
    CsvQuoteInQuoted,
    JsonOut,
    JsonString,
    JsonEscape,
    /// The hex digits of a `\uXXXX`, this many to go.
    JsonUnicode(u8),
}

/// What a byte ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    None,
    Field,
    Row,
}

impl Lex {
    fn step(self, b: u8) -> (Lex, Bound) {
        use Lex::*;
        match (self, b) {
            (CsvStart | CsvUnquoted | CsvQuoteInQuoted, b',') => (CsvStart, Bound::Field),
            (CsvStart | CsvUnquoted | CsvQuoteInQuoted, b'\r' | b'\n') => (CsvStart, Bound::Row),
            (CsvStart, b'"') => (CsvQuoted, Bound::None),
            (CsvStart | CsvUnquoted, _) => (CsvUnquoted, Bound::None),
            (CsvQuoted, b'"') => (CsvQuoteInQuoted, Bound::None),
            (CsvQuoted, _) => (CsvQuoted, Bound::None),
            (CsvQuoteInQuoted, b'"') => (CsvQuoted, Bound::None),
            (CsvQuoteInQuoted, _) => (CsvUnquoted, Bound::None),
            // JSON allows no raw line break in a string: a line ends a row wherever it comes.
            (_, b'\n') => (JsonOut, Bound::Row),
            (JsonOut, b'"') => (JsonString, Bound::None),
            (JsonOut, _) => (JsonOut, Bound::None),
            (JsonString, b'"') => (JsonOut, Bound::Field),
            (JsonString, b'\\') => (JsonEscape, Bound::None),
            (JsonString, _) => (JsonString, Bound::None),
            (JsonEscape, b'u') => (JsonUnicode(4), Bound::None),
            (JsonEscape | JsonUnicode(0 | 1), _) => (JsonString, Bound::None),
            (JsonUnicode(n), _) => (JsonUnicode(n - 1), Bound::None),
        }
    }

    /// Inside a field's text, where a cut may fall.
    fn in_text(self) -> bool {
        matches!(self, Lex::CsvUnquoted | Lex::CsvQuoted | Lex::JsonString)
    }
}

/// How many bytes at the start of `bytes` are plain text in state `lex`: bytes that change no
/// state, end nothing and are no line break, so they can be copied as they are.
fn plain_run(lex: Lex, bytes: &[u8]) -> usize {
    let special = match lex {
        Lex::CsvQuoted => memchr::memchr3(b'"', b'\r', b'\n', bytes),
        Lex::CsvUnquoted => memchr::memchr3(b',', b'\r', b'\n', bytes),
        Lex::JsonString => memchr::memchr3(b'"', b'\\', b'\n', bytes),
        _ => return 0,
    };
    special.unwrap_or(bytes.len())
}

/// Reads the file for the parser, bounding what one field and one row can hold (issue 33): a
/// field past [`MAX_FIELD_BYTES`] is cut at a character boundary and the rest of it dropped
/// (its quote closed again), a row past [`MAX_ROW_BYTES`] dropped to its end; each cut is noted
/// at its offset ([`CountingReader::take_cut`]) so the row can be counted as cut or refused. A
/// 300 MB review costs the parser 128 KiB, however it is quoted.
///
/// Counts bytes as the file is read, for the progress bar, and notes the line breaks in what
/// the CSV parser reads (dropped ones included), for the line numbers of its rows. One pass
/// over each byte, with no allocation.
struct CountingReader<R> {
    inner: R,
    /// Bytes read from the file.
    read: u64,
    /// Bytes handed to the parser: the offsets it reports.
    out: u64,
    breaks: LineBreaks,
    raw: Box<[u8]>,
    pos: usize,
    len: usize,
    lex: Lex,
    /// Bytes of the current field and row handed on.
    field: usize,
    row: usize,
    /// Dropping bytes to the end of the field or row.
    dropping: Option<Cut>,
    /// The cut fell inside a quoted CSV field: a `"` goes before the field's end.
    owe_quote: bool,
    /// The last dropped byte was a CR (a dropped CRLF is one line break).
    dropped_cr: bool,
    /// Parser offsets of the cuts not yet claimed by a row.
    cuts: VecDeque<(u64, Cut)>,
}

impl<R: Read> CountingReader<R> {
    fn new(inner: R, syntax: Syntax) -> CountingReader<R> {
        CountingReader {
            inner,
            read: 0,
            out: 0,
            breaks: LineBreaks {
                off: syntax == Syntax::JsonLines,
                ..LineBreaks::default()
            },
            raw: vec![0; RAW_BUFFER].into_boxed_slice(),
            pos: 0,
            len: 0,
            lex: match syntax {
                Syntax::Csv => Lex::CsvStart,
                Syntax::JsonLines => Lex::JsonOut,
            },
            field: 0,
            row: 0,
            dropping: None,
            owe_quote: false,
            dropped_cr: false,
            cuts: VecDeque::new(),
        }
    }

    /// The most severe cut before parser offset `end` (a row that ends there), claimed.
    fn take_cut(&mut self, end: u64) -> Option<Cut> {
        let mut worst = None;
        while let Some(&(at, cut)) = self.cuts.front() {
            if at >= end {
                break;
            }
            worst = worst.max(Some(cut));
            self.cuts.pop_front();
        }
        worst
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut w = 0;
        while w < buf.len() {
            if self.pos == self.len {
                if w > 0 {
                    break;
                }
                let n = self.inner.read(&mut self.raw)?;
                if n == 0 {
                    break;
                }
                self.read += n as u64;
                self.pos = 0;
                self.len = n;
            }
            if self.dropping.is_none() {
                // Text far from the caps goes across in runs: only its special bytes take the
                // byte-by-byte path below (most of a review's bytes are plain text).
                let end = self
                    .len
                    .min(self.pos + (buf.len() - w))
                    .min(self.pos + MAX_FIELD_BYTES.saturating_sub(self.field))
                    .min(self.pos + MAX_ROW_BYTES.saturating_sub(self.row));
                let run = plain_run(self.lex, &self.raw[self.pos..end]);
                if run > 0 {
                    buf[w..w + run].copy_from_slice(&self.raw[self.pos..self.pos + run]);
                    w += run;
                    self.pos += run;
                    self.field += run;
                    self.row += run;
                    self.breaks.after_cr = false;
                    continue;
                }
            }
            let b = self.raw[self.pos];
            let (next, bound) = self.lex.step(b);
            if let Some(cut) = self.dropping {
                let resume = match bound {
                    Bound::Row => true,
                    Bound::Field => cut == Cut::Field,
                    Bound::None => false,
                };
                if !resume {
                    if (b == b'\r' || (b == b'\n' && !self.dropped_cr)) && !self.breaks.off {
                        self.breaks.dropped(self.out + w as u64);
                    }
                    self.dropped_cr = b == b'\r';
                    self.lex = next;
                    self.pos += 1;
                    continue;
                }
                if self.owe_quote {
                    buf[w] = b'"';
                    w += 1;
                    self.owe_quote = false;
                    self.breaks.after_cr = false;
                    continue;
                }
                self.dropping = None;
            } else if (self.row >= MAX_ROW_BYTES && bound != Bound::Row)
                || (self.field >= MAX_FIELD_BYTES
                    && self.lex.in_text()
                    && next == self.lex
                    && bound == Bound::None
                    && b & 0xC0 != 0x80)
            {
                let cut = if self.row >= MAX_ROW_BYTES {
                    Cut::Row
                } else {
                    Cut::Field
                };
                self.cuts.push_back((self.out + w as u64, cut));
                self.dropping = Some(cut);
                self.owe_quote = self.lex == Lex::CsvQuoted;
                // A CRLF split by the cut is still one line break.
                self.dropped_cr = self.breaks.after_cr;
                continue;
            }
            buf[w] = b;
            if (b == b'\r' || b == b'\n') && !self.breaks.off {
                self.breaks.kept(self.out + w as u64, b);
            }
            self.breaks.after_cr = b == b'\r';
            w += 1;
            self.pos += 1;
            match bound {
                Bound::None if next == Lex::JsonString && self.lex == Lex::JsonOut => {
                    self.field = 0
                }
                Bound::None => self.field += 1,
                Bound::Field => self.field = 0,
                Bound::Row => {
                    self.field = 0;
                    self.row = 0;
                }
            }
            if bound != Bound::Row {
                self.row += 1;
            }
            self.lex = next;
        }
        self.out += w as u64;
        Ok(w)
    }
}

/// The line of a CSV record, from its byte offset. The csv crate's own line count is one short
/// after a CRLF (it notes a record's start between the CR and the LF, and counts only LFs), so a
/// bad row of a file written by Excel or Python was reported a line early (issue 26). Here a CR
/// ends a line, and so does an LF that does not follow a CR: LF, CRLF and lone-CR files count
/// alike, and a quoted field's line breaks count toward the rows after it.
///
/// Only the breaks the parser has read but not yet asked about are kept: no more than its
/// buffer's bytes, and one entry for all the breaks of a run of dropped bytes (a 300 MB field
/// of short lines is one entry, not millions).
#[derive(Debug, Default)]
struct LineBreaks {
    /// Offsets of the breaks read and not yet counted, with their length (2 for a CRLF, 0 for
    /// breaks in dropped bytes) and how many breaks the entry stands for.
    pending: VecDeque<(u64, u8, u64)>,
    /// Breaks before the last offset asked about.
    counted: u64,
    /// Whether the byte before the next one read is a CR.
    after_cr: bool,
    /// JSON Lines counts its own lines: off, nothing is kept.
    off: bool,
}

impl LineBreaks {
    /// A CR or LF the parser gets at offset `at` (the reader notes them as it copies, so the
    /// bytes are gone through once); `after_cr` says whether the byte before it was a CR.
    fn kept(&mut self, at: u64, b: u8) {
        match b {
            b'\n' if self.after_cr => {
                // The LF of a CRLF: one break with the CR before it.
                if let Some(last) = self.pending.back_mut() {
                    if last.0 + 1 == at {
                        last.1 = 2;
                    }
                }
            }
            _ => self.pending.push_back((at, 1, 1)),
        }
    }

    /// A line break in bytes the reader dropped at parser offset `at` (inside a record).
    fn dropped(&mut self, at: u64) {
        match self.pending.back_mut() {
            Some(last) if last.0 == at && last.1 == 0 => last.2 += 1,
            _ => self.pending.push_back((at, 0, 1)),
        }
    }

    /// The 1-based line of a record the parser says starts at `offset`; offsets are asked in
    /// increasing order. The parser may note a record's start before the blank lines it then
    /// skips (no record starts with a line break), so breaks right at the start count too.
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut start = offset;
        while let Some(&(at, len, breaks)) = self.pending.front() {
            if at > start {
                break;
            }
            // A break ending past the start (the start noted on a CRLF's LF) moves it too.
            self.counted += breaks;
            start = start.max(at + u64::from(len));
            self.pending.pop_front();
        }
        self.counted + 1
    }
}

/// Where each known column sits in a CSV header (looked up for each column of each row),
/// resolved once per file from the headers and the owner's mapping (`mapping.rs`).
struct ColumnMap {
    index: FxHashMap<&'static str, usize>,
    /// The file is an Earshot export: strip the spreadsheet formula guard from its cells.
    unguard: bool,
    /// No column holds an id: each review's is made from its content.
    generate_ids: bool,
}

impl ColumnMap {
    fn from_headers(
        headers: &csv::StringRecord,
        path: &Path,
        mapping: &ColumnMapping,
    ) -> Result<ColumnMap> {
        let names: Vec<String> = headers.iter().map(str::to_owned).collect();
        let at = mapping
            .resolve(&names)
            .map_err(|reason| ImportError::Mapping {
                path: path.to_owned(),
                reason,
            })?;
        let mut index = FxHashMap::default();
        for (f, at) in FIELDS.iter().zip(at) {
            if let Some(i) = at {
                index.insert(f.name, i);
            }
        }
        if !index.contains_key("created_at") {
            let shown: Vec<String> = names
                .iter()
                .map(|h| format!("{:?}", h.trim_start_matches('\u{feff}').trim()))
                .collect();
            return Err(not_reviews(
                path,
                format!(
                    "its header row lacks a date column (created_at); its columns are {}",
                    shown.join(", ")
                ),
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
        let generate_ids = !index.contains_key("external_id");
        Ok(ColumnMap {
            index,
            unguard,
            generate_ids,
        })
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
        RawRow::from_fields(get)
    }
}

/// One row as text, before validation.
#[derive(Debug, Default)]
struct RawRow {
    /// Whether the reader cut a field of this row, or the whole row, on the way in.
    cut: Option<Cut>,
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
    /// A row cut for its length: refused for that alone, whatever else it holds.
    fn cut_row() -> RawRow {
        RawRow {
            cut: Some(Cut::Row),
            ..RawRow::default()
        }
    }

    /// A row from its fields by their column names (a CSV header, a JSON key): the one place
    /// the layouts' columns are named.
    fn from_fields(get: impl Fn(&str) -> Option<String>) -> RawRow {
        RawRow {
            cut: None,
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
        Ok(RawRow::from_fields(get))
    }

    /// The review of a row; `id_seed` (the business's name) makes its id from its content when
    /// the file has no id column (`mapping::generated_id`).
    fn into_review(
        self,
        default_platform: Option<&str>,
        id_seed: Option<&str>,
    ) -> Result<IncomingReview, String> {
        let external_id = self
            .external_id
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        if external_id.is_none() && id_seed.is_none() {
            return Err("external_id is missing".into());
        }
        let platform = self
            .platform
            .as_deref()
            .map(normalise_platform)
            .filter(|p| !p.is_empty())
            .or_else(|| default_platform.map(str::to_owned))
            .ok_or(
                "platform is missing (add a platform column, or choose the platform for rows \
                 that do not name one)",
            )?;
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
        let external_id = match (external_id, id_seed) {
            (Some(id), _) => id,
            (None, business) => generated_id(
                business.unwrap_or_default(),
                &platform,
                self.author.as_deref(),
                created_at.timestamp(),
                self.title.as_deref(),
                self.body.as_deref().unwrap_or_default(),
            ),
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
    use crate::store::Store;

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
        let columns = ColumnMap::from_headers(
            &rdr.headers().unwrap().clone(),
            path,
            &ColumnMapping::default(),
        )
        .unwrap();
        let mut items = Vec::new();
        for rec in rdr.records() {
            let Ok(item) = columns.row(&rec.unwrap()).into_review(None, None) else {
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

    /// Reads `data` through the bounding reader and the csv parser: each record's fields, the
    /// cut the reader noted for it, and its line.
    fn bounded_csv(data: &[u8]) -> Vec<(Vec<String>, Option<Cut>, u64)> {
        let reader = CountingReader::new(data, Syntax::Csv);
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(reader);
        let mut out = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            let before = rdr.position().byte();
            if !rdr.read_record(&mut record).unwrap() {
                break;
            }
            let end = rdr.position().byte();
            let cut = rdr.get_mut().take_cut(end);
            let at = record.position().map_or(before, |p| p.byte());
            let line = rdr.get_mut().breaks.line_at(at);
            out.push((record.iter().map(str::to_owned).collect(), cut, line));
        }
        out
    }

    #[test]
    fn a_long_quoted_field_is_cut_at_a_character_and_the_rows_after_it_keep_their_lines() {
        // Doubled quotes, CRLFs and two-byte characters inside the long field.
        let unit = "é \"\"q\"\" x\r\n";
        let long = unit.repeat(3 * MAX_FIELD_BYTES / unit.len());
        let data = format!("a,\"{long}\",z\r\nb,short,y\r\nc,\"\"\"quoted\"\"\",w\n");
        let rows = bounded_csv(data.as_bytes());
        assert_eq!(rows.len(), 3);
        let (fields, cut, line) = &rows[0];
        assert_eq!((cut, *line), (&Some(Cut::Field), 1));
        assert_eq!(fields[0], "a");
        assert_eq!(fields[2], "z", "the field after the cut one is whole");
        let kept = &fields[1];
        assert!(kept.len() <= MAX_FIELD_BYTES && kept.len() > MAX_FIELD_BYTES / 2);
        assert!(long.replace("\"\"", "\"").starts_with(kept.as_str()));
        let lines_in_long = long.matches('\n').count() as u64;
        assert_eq!(
            rows[1],
            (
                vec!["b".into(), "short".into(), "y".into()],
                None,
                2 + lines_in_long
            )
        );
        assert_eq!(rows[2].0[1], "\"quoted\"");
        assert_eq!(rows[2].1, None);
    }

    #[test]
    fn an_unquoted_long_field_and_a_long_row_are_cut() {
        let long = "x".repeat(MAX_FIELD_BYTES + 10);
        let wide = vec!["y".repeat(MAX_FIELD_BYTES - 1); 12].join(",");
        let data = format!("1,{long},2\n{wide}\n3,ok\n");
        let rows = bounded_csv(data.as_bytes());
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].0, ["1", &long[..MAX_FIELD_BYTES], "2"]);
        assert_eq!(rows[0].1, Some(Cut::Field));
        assert_eq!(rows[1].1, Some(Cut::Row));
        assert!(rows[1].0.iter().map(String::len).sum::<usize>() <= MAX_ROW_BYTES);
        assert_eq!(rows[2], (vec!["3".into(), "ok".into()], None, 3));
    }

    #[test]
    fn a_long_json_string_is_cut_outside_its_escapes_and_stays_valid_json() {
        let unit = r#"caf\u00e9 \"q\" \\ é "#;
        let long = unit.repeat(3 * MAX_FIELD_BYTES / unit.len());
        let data = format!(
            "{{\"external_id\":\"1\",\"body\":\"{long}\",\"rating\":5}}\n{{\"external_id\":\"2\"}}\n"
        );
        let mut rdr = BufReader::new(CountingReader::new(data.as_bytes(), Syntax::JsonLines));
        let mut buf = Vec::new();
        let mut consumed = 0u64;
        let mut rows = Vec::new();
        loop {
            buf.clear();
            let n = rdr.read_until(b'\n', &mut buf).unwrap();
            if n == 0 {
                break;
            }
            consumed += n as u64;
            let cut = rdr.get_mut().take_cut(consumed);
            let v: serde_json::Value = serde_json::from_slice(&buf).expect("valid JSON");
            rows.push((v, cut));
        }
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].1, Some(Cut::Field));
        assert_eq!(
            rows[0].0["rating"], 5,
            "the fields after the cut string are whole"
        );
        let body = rows[0].0["body"].as_str().unwrap();
        assert!(body.starts_with("café \"q\" \\ é "));
        assert!(body.len() < MAX_FIELD_BYTES);
        assert_eq!(
            (rows[1].0["external_id"].as_str(), rows[1].1),
            (Some("2"), None)
        );
    }

    #[test]
    fn text_within_the_caps_passes_the_reader_byte_for_byte_whatever_the_read_sizes() {
        let csv = varied_csv(400, true) + "q,\"a \"\"b\"\"\r\nc\",\r\nlone\rcr,\"\"\n";
        let jsonl = "{\"body\":\"caf\\u00e9 \\\"x\\\" \\\\\",\"n\":[1,2]}\n{}\r\n";
        for (data, syntax) in [(csv.as_str(), Syntax::Csv), (jsonl, Syntax::JsonLines)] {
            for size in [1, 2, 7, 64, 8192] {
                let mut reader = CountingReader::new(data.as_bytes(), syntax);
                let mut out = Vec::new();
                let mut buf = vec![0u8; size];
                loop {
                    let n = reader.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    out.extend_from_slice(&buf[..n]);
                }
                assert_eq!(out, data.as_bytes(), "{syntax:?}, reads of {size}");
                assert!(reader.cuts.is_empty());
            }
        }
    }

    #[test]
    fn cuts_come_out_the_same_whatever_the_read_sizes() {
        let long = "é \"\"q\"\"\r\n".repeat(MAX_FIELD_BYTES / 5);
        let wide = vec!["y".repeat(MAX_FIELD_BYTES - 1); 12].join(",");
        let csv = format!("a,\"{long}\",z\r\n{wide}\nb,\"{long}\"\n");
        let json = format!(
            "{{\"a\":\"{}\",\"b\":1}}\n{{}}\n",
            "\\u00e9x".repeat(MAX_FIELD_BYTES)
        );
        for (data, syntax) in [(csv, Syntax::Csv), (json, Syntax::JsonLines)] {
            let read_all = |size: usize| {
                let mut reader = CountingReader::new(data.as_bytes(), syntax);
                let mut out = Vec::new();
                let mut buf = vec![0u8; size];
                loop {
                    let n = reader.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    out.extend_from_slice(&buf[..n]);
                }
                (out, reader.cuts, reader.breaks.pending)
            };
            let whole = read_all(64 * 1024);
            assert!(!whole.1.is_empty(), "{syntax:?} was cut");
            for size in [1, 2, 3, 1000] {
                assert!(read_all(size) == whole, "{syntax:?}, reads of {size}");
            }
        }
    }
}
