//! Trustpilot Business's review export (CSV). Trustpilot documents neither its menu path nor
//! its columns; the header here is the one several public projects consume (cited in
//! `EXPORTS-AND-AUTH.md` A3): `Review ID, Review Created (UTC), Review Consumer User ID, Review
//! Title, Review Content, Review Stars, Source Of Review, Review Language, Domain URL, Webshop
//! Name, Business Unit ID, Tags, Company Reply Date (UTC), Location Name, Location ID`, with the
//! variants seen (`Review Id`, `Business Reply Date (UTC)`, `Review Username`). Headers are
//! matched by name in any case; dates are `2026-01-02 10:00:00` (UTC by the column's name), ISO
//! or a plain day.
//!
//! The export carries the date of the company's reply but no reply text in any sample found, so
//! a reply date becomes a reply that says so (response rate and time count it) until an API sync
//! brings the text; a reply-text column, should an export have one, is used. Ids are Trustpilot's
//! review ids, the API connector's. XLSX exports are not read: save the sheet as CSV.
//!
//! The import finds it through [`super::Trustpilot`]'s `exports`; its generic half (reading the
//! files wherever they are, writing the reviews) is [`crate::import`]'s.

use std::path::PathBuf;

use crate::import::{
    collect_csv, parse_date, parse_rating, read_csv, Collected, CsvRow, Entry, ExportFormat,
    ExportSpec, Head, ImportOptions, Result, Target,
};
use crate::model::{IncomingReview, Kind, OwnerReply};

/// What a reply known only by its date says, until a sync brings its text.
pub const REPLY_WITHOUT_TEXT: &str =
    "(Replied on Trustpilot; the export holds the reply's date, not its text.)";

const ID: &[&str] = &["review id", "reviewid", "review_id", "id"];
const CREATED: &[&str] = &[
    "review created (utc)",
    "review created",
    "review date",
    "created at",
    "created_at",
    "date",
];
const TITLE: &[&str] = &["review title", "title"];
const CONTENT: &[&str] = &["review content", "review text", "content", "text"];
const STARS: &[&str] = &["review stars", "stars", "rating"];
const LANGUAGE: &[&str] = &["review language", "language"];
const AUTHOR: &[&str] = &[
    "review username",
    "review consumer name",
    "consumer name",
    "reviewer name",
    "review consumer display name",
];
const REPLY_DATE: &[&str] = &[
    "company reply date (utc)",
    "business reply date (utc)",
    "reply date (utc)",
    "company reply date",
    "business reply date",
];
const REPLY_TEXT: &[&str] = &[
    "company reply text",
    "company reply content",
    "company reply",
    "business reply text",
    "business reply content",
    "business reply",
    "reply text",
    "reply content",
];
const UNIT: &[&str] = &["business unit id"];

/// Trustpilot Business's review export (`--format trustpilot-csv`).
pub struct ReviewExport;

impl ExportFormat for ReviewExport {
    fn spec(&self) -> &'static ExportSpec {
        &ExportSpec {
            name: "trustpilot-csv",
            aliases: &["trustpilot"],
            label: "Trustpilot review export",
            help: "Trustpilot's review export, CSV (Trustpilot Business → Reviews → Export)",
            looked_for: "Trustpilot export",
            targets_word: "Business units",
        }
    }

    fn sniff(&self, head: &Head) -> bool {
        head.header().is_some_and(|h| {
            h.contains("review stars")
                || h.contains("review created (utc)")
                || (h.contains("review id") && h.contains("review content"))
        })
    }

    /// Every Trustpilot export CSV in `paths`.
    fn collect(&self, paths: &[PathBuf], _opts: &ImportOptions) -> Result<Collected> {
        collect_csv(
            paths,
            self,
            read_file,
            "it holds no Trustpilot review export (a CSV with Review ID, Review Created (UTC), \
             Review Stars)",
        )
    }
}

fn target(unit: &str) -> Target {
    Target {
        connector: super::SPEC.name,
        platform: super::SPEC.platform,
        setting: "business_unit_id",
        key: if unit.is_empty() { "export" } else { unit }.to_owned(),
    }
}

fn read_file(name: &str, bytes: &[u8]) -> Vec<Entry> {
    read_csv(
        name,
        bytes,
        |h| {
            h.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_ascii_lowercase()
        },
        |headers| {
            let col = |names: &[&str]| {
                names
                    .iter()
                    .find_map(|n| headers.iter().position(|h| h == n))
            };
            let cols = Columns {
                id: col(ID),
                created: col(CREATED),
                title: col(TITLE),
                content: col(CONTENT),
                stars: col(STARS),
                language: col(LANGUAGE),
                author: col(AUTHOR),
                reply_date: col(REPLY_DATE),
                reply_text: col(REPLY_TEXT),
                unit: col(UNIT),
            };
            if cols.id.is_none() || cols.created.is_none() {
                return Err("its header lacks Review ID or Review Created (UTC)".into());
            }
            Ok(cols)
        },
        target,
        |cols, row| {
            let unit = row.at(cols.unit).unwrap_or_default().to_owned();
            (unit, cols.review(row))
        },
    )
}

struct Columns {
    id: Option<usize>,
    created: Option<usize>,
    title: Option<usize>,
    content: Option<usize>,
    stars: Option<usize>,
    language: Option<usize>,
    author: Option<usize>,
    reply_date: Option<usize>,
    reply_text: Option<usize>,
    unit: Option<usize>,
}

impl Columns {
    fn review(&self, row: &CsvRow<'_>) -> std::result::Result<IncomingReview, String> {
        let get = |c: Option<usize>| row.at(c);
        let id = get(self.id).ok_or("Review ID is empty")?.to_owned();
        let created = parse_date(get(self.created).ok_or("Review Created (UTC) is empty")?)?;
        let rating = get(self.stars).map(parse_rating).transpose()?;
        let replied_at = get(self.reply_date).map(parse_date).transpose()?;
        let reply_text = get(self.reply_text);
        let owner_reply = match (reply_text, replied_at) {
            (Some(body), at) => Some(OwnerReply {
                body: body.to_owned(),
                replied_at: at,
            }),
            (None, Some(at)) => Some(OwnerReply {
                body: REPLY_WITHOUT_TEXT.to_owned(),
                replied_at: Some(at),
            }),
            (None, None) => None,
        };
        Ok(IncomingReview {
            url: Some(format!("https://www.trustpilot.com/reviews/{id}")),
            external_id: id,
            platform: super::SPEC.platform.into(),
            kind: Kind::Review,
            author: get(self.author).map(str::to_owned),
            rating,
            title: get(self.title).map(str::to_owned),
            body: get(self.content).unwrap_or_default().to_owned(),
            language: get(self.language).map(str::to_owned),
            created_at: created,
            updated_at: None,
            owner_reply,
            raw_json: Some(row.raw()),
        })
    }
}
