//! Which column of an owner's CSV holds which of Earshot's fields (issue 32): the proposal made
//! from the headers' words, the owner's own choices on top of it, the preview the app shows
//! before an import, the template it offers, and the ids made for files that have none.
//!
//! An owner's file comes from a spreadsheet, a booking system or another tool, with headers such
//! as "Date", "Stars" or "Review" rather than Earshot's `created_at, rating, body`. The proposal
//! matches headers by meaning (a list of synonyms per field, compared case- and space-blind), and
//! the owner corrects it in the app or with `--map FIELD=COLUMN`. The mapping is resolved once per
//! file into the column indices the reader already uses (`earshot::ColumnMap`), so an import
//! reads rows exactly as fast with a mapping as without one.
//!
//! Decision: a file without an id column still imports. Each review gets an id made from a hash
//! of its business, platform, author, date and text, so a rerun of the same file (or an
//! overlapping later one) finds the same reviews and doubles nothing. A review whose text was
//! edited gets a new id: without an id in the file there is nothing else to know it by.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{detect, not_reviews, Format, ImportError, Result};

/// One of Earshot's fields as the app shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Field {
    /// The column name of Earshot's own CSV (`created_at`).
    pub name: &'static str,
    /// What the owner calls it.
    pub label: &'static str,
    /// Whether an import needs a column for it.
    pub required: bool,
    /// The headers that mean it, normalised ([`normalise`]), best first.
    #[serde(skip)]
    synonyms: &'static [&'static str],
}

/// Earshot's fields in the order of its CSV, then the optional extras.
pub const FIELDS: &[Field] = &[
    Field {
        name: "external_id",
        label: "Review id (made up when the file has none)",
        required: false,
        synonyms: &[
            "externalid",
            "reviewid",
            "id",
            "reviewnumber",
            "reviewno",
            "reference",
            "ref",
        ],
    },
    Field {
        name: "platform",
        label: "Platform (Google, Yelp…)",
        required: false,
        synonyms: &["platform", "source", "site", "website", "channel", "origin"],
    },
    Field {
        name: "author",
        label: "Reviewer's name",
        required: false,
        synonyms: &[
            "author",
            "reviewer",
            "reviewername",
            "name",
            "customer",
            "customername",
            "user",
            "username",
            "guest",
            "guestname",
        ],
    },
    Field {
        name: "rating",
        label: "Stars (1 to 5)",
        required: false,
        synonyms: &[
            "rating",
            "stars",
            "starrating",
            "score",
            "star",
            "rate",
            "reviewrating",
            "reviewstars",
        ],
    },
    Field {
        name: "title",
        label: "Title",
        required: false,
        synonyms: &["title", "reviewtitle", "subject", "headline", "summary"],
    },
    Field {
        name: "body",
        label: "Review text",
        required: false,
        synonyms: &[
            "body",
            "review",
            "reviewtext",
            "text",
            "comment",
            "comments",
            "content",
            "message",
            "feedback",
            "reviewbody",
            "reviewcontent",
        ],
    },
    Field {
        name: "created_at",
        label: "Date",
        required: true,
        synonyms: &[
            "createdat",
            "date",
            "reviewdate",
            "posted",
            "postedat",
            "postedon",
            "dateposted",
            "created",
            "datetime",
            "time",
            "timestamp",
            "reviewcreated",
            "reviewcreatedutc",
        ],
    },
    Field {
        name: "url",
        label: "Link to the review",
        required: false,
        synonyms: &["url", "link", "reviewurl", "reviewlink", "permalink"],
    },
    Field {
        name: "kind",
        label: "Review or post",
        required: false,
        synonyms: &["kind"],
    },
    Field {
        name: "language",
        label: "Language",
        required: false,
        synonyms: &["language", "lang", "locale"],
    },
];

/// The field named `name` (Earshot's column name, in any case).
pub fn field(name: &str) -> Option<&'static Field> {
    let name = name.trim().to_ascii_lowercase();
    FIELDS.iter().find(|f| f.name == name)
}

/// A header as the proposal compares it: lower case, letters and digits only, without a BOM
/// ("Review ID", "review_id" and "ReviewId" are all `reviewid`).
fn normalise(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The owner's choices: for a field (by its column name), the header of the column that holds
/// it, or `None` for "no column". Fields not named here take the proposal ([`propose`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ColumnMapping {
    pub columns: BTreeMap<String, Option<String>>,
}

impl ColumnMapping {
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// Adds `FIELD=COLUMN` (the CLI's `--map`); `FIELD=` says the field has no column.
    pub fn add_arg(&mut self, arg: &str) -> std::result::Result<(), String> {
        let (name, column) = arg
            .split_once('=')
            .ok_or_else(|| format!("{arg:?} is not FIELD=COLUMN (e.g. body=Comment)"))?;
        let f = field(name).ok_or_else(|| {
            let names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
            format!("{name:?} is not a field; one of {}", names.join(", "))
        })?;
        let column = column.trim();
        self.columns.insert(
            f.name.to_owned(),
            (!column.is_empty()).then(|| column.to_owned()),
        );
        Ok(())
    }

    /// Which column (by position) holds each field of [`FIELDS`], in that order: the owner's
    /// choices, then the proposal for the rest. A column named here that the file lacks, or a
    /// field Earshot does not know, is an error in words.
    pub(crate) fn resolve(
        &self,
        headers: &[String],
    ) -> std::result::Result<Vec<Option<usize>>, String> {
        for name in self.columns.keys() {
            if field(name).is_none() {
                let names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
                return Err(format!(
                    "{name:?} is not a field; one of {}",
                    names.join(", ")
                ));
            }
        }
        let mut chosen: Vec<Option<usize>> = vec![None; FIELDS.len()];
        let mut decided = vec![false; FIELDS.len()];
        for (k, f) in FIELDS.iter().enumerate() {
            let Some(choice) = self.columns.get(f.name) else {
                continue;
            };
            decided[k] = true;
            if let Some(column) = choice {
                let want = column.trim().trim_start_matches('\u{feff}');
                let at = headers
                    .iter()
                    .position(|h| h.trim().trim_start_matches('\u{feff}') == want)
                    .or_else(|| {
                        headers.iter().position(|h| {
                            h.trim()
                                .trim_start_matches('\u{feff}')
                                .eq_ignore_ascii_case(want)
                        })
                    })
                    .ok_or_else(|| {
                        format!(
                            "the file has no column {want:?} (for {}); its columns are {}",
                            f.label,
                            quoted(headers)
                        )
                    })?;
                chosen[k] = Some(at);
            }
        }
        let taken: Vec<usize> = chosen.iter().flatten().copied().collect();
        for (k, at) in propose_indices(headers, &taken).into_iter().enumerate() {
            if !decided[k] {
                chosen[k] = at;
            }
        }
        Ok(chosen)
    }
}

/// The columns' headers for a message: `"Date", "Comment"`.
fn quoted(headers: &[String]) -> String {
    if headers.is_empty() {
        return "none".into();
    }
    let q: Vec<String> = headers.iter().map(|h| format!("{:?}", h.trim())).collect();
    q.join(", ")
}

/// For each field of [`FIELDS`], the column whose header means it, leaving out `taken`: an exact
/// Earshot name first (so Earshot's own files map as they always did), then each synonym in
/// order, each column used once.
fn propose_indices(headers: &[String], taken: &[usize]) -> Vec<Option<usize>> {
    let norm: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    let mut used: Vec<bool> = (0..headers.len()).map(|i| taken.contains(&i)).collect();
    let mut out = vec![None; FIELDS.len()];
    // Exact names first for every field, then synonyms: a file with `id` and `external_id`
    // gives the id to `external_id` whatever the order of the fields.
    for (k, f) in FIELDS.iter().enumerate() {
        let exact = normalise(f.name);
        if let Some(i) = (0..norm.len()).find(|&i| !used[i] && norm[i] == exact) {
            out[k] = Some(i);
            used[i] = true;
        }
    }
    for (k, f) in FIELDS.iter().enumerate() {
        if out[k].is_some() {
            continue;
        }
        for syn in f.synonyms {
            if let Some(i) = (0..norm.len()).find(|&i| !used[i] && norm[i] == *syn) {
                out[k] = Some(i);
                used[i] = true;
                break;
            }
        }
    }
    out
}

/// The proposal for a file's headers: each field with the header of its column, if any.
pub fn propose(headers: &[String]) -> Vec<FieldChoice> {
    choices(headers, &propose_indices(headers, &[]))
}

fn choices(headers: &[String], at: &[Option<usize>]) -> Vec<FieldChoice> {
    FIELDS
        .iter()
        .zip(at)
        .map(|(f, at)| FieldChoice {
            field: *f,
            column: at.and_then(|i| headers.get(i)).map(|h| h.trim().to_owned()),
        })
        .collect()
}

/// A field and the column chosen for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChoice {
    #[serde(flatten)]
    pub field: Field,
    pub column: Option<String>,
}

/// Rows the app shows of a file before importing it.
pub const PREVIEW_ROWS: usize = 5;

/// Characters of a cell the preview keeps: enough to recognise a column, little to send.
const PREVIEW_CELL_CHARS: usize = 160;

/// What the app shows of a file before importing it.
#[derive(Debug, Clone, Serialize)]
pub struct ImportPreview {
    /// The format recognised ([`Format::name`]) and what the owner calls it.
    pub format: &'static str,
    pub format_label: &'static str,
    /// Whether the owner chooses columns: a CSV of Earshot's kind. A platform's export and
    /// JSON Lines name their own fields.
    pub mappable: bool,
    pub headers: Vec<String>,
    /// The first rows, each cell cut to a readable length (untrusted text: the UI sets it with
    /// `textContent`).
    pub rows: Vec<Vec<String>>,
    /// Every field with the proposed column.
    pub fields: Vec<FieldChoice>,
    /// No column holds an id: ids will be made from each review's content.
    pub generated_ids: bool,
    /// Required fields without a column: the import cannot start until the owner picks one.
    pub missing: Vec<&'static str>,
}

/// Reads the headers and first `rows` rows of the file at `path` and proposes a mapping. For a
/// platform's export, a JSON Lines file or a folder, only the format is said.
pub fn preview(path: &Path, rows: usize) -> Result<ImportPreview> {
    let format = detect(&[path.to_owned()])?;
    let mut out = ImportPreview {
        format: format.name(),
        format_label: format.label(),
        mappable: false,
        headers: Vec::new(),
        rows: Vec::new(),
        fields: Vec::new(),
        generated_ids: false,
        missing: Vec::new(),
    };
    if format != Format::Csv || !path.is_file() {
        return Ok(out);
    }
    let io = |error| ImportError::Io {
        path: path.to_owned(),
        error,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::Read::take(file, PREVIEW_BYTES));
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| not_reviews(path, e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    let mut record = csv::StringRecord::new();
    while out.rows.len() < rows {
        match rdr.read_record(&mut record) {
            Ok(true) => out.rows.push(record.iter().map(cut_cell).collect()),
            // The end, or a row the preview cannot show: the import reports it with its line.
            Ok(false) | Err(_) => break,
        }
    }
    let at = propose_indices(&headers, &[]);
    out.fields = choices(&headers, &at);
    out.generated_ids = at[0].is_none();
    out.missing = FIELDS
        .iter()
        .zip(&at)
        .filter(|(f, at)| f.required && at.is_none())
        .map(|(f, _)| f.name)
        .collect();
    out.headers = headers;
    out.mappable = true;
    Ok(out)
}

/// Bytes of a file the preview reads at most, so a file of a few enormous rows stays quick.
const PREVIEW_BYTES: u64 = 4 * 1024 * 1024;

fn cut_cell(s: &str) -> String {
    match s.char_indices().nth(PREVIEW_CELL_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// A CSV the owner can fill in: Earshot's columns and two example rows.
pub fn template_csv() -> String {
    let mut out = super::COLUMNS.join(",");
    out.push('\n');
    out.push_str(
        "g-0001,google,Sam P.,5,Lovely morning,\"Great coffee, friendly staff.\",2024-05-01,\n\
         g-0002,yelp,Alex,2,,\"Waited 20 minutes for a latte.\",2024-05-03 14:30:00,\n",
    );
    out
}

/// The id of a review from a file without ids: a hash of what identifies it, so the same row
/// imported again (or found again in a later file) gets the same id and changes nothing.
/// The parts are separated by a byte no text field holds, so moving text between fields
/// changes the id.
pub(crate) fn generated_id(
    business: &str,
    platform: &str,
    author: Option<&str>,
    created_at: i64,
    title: Option<&str>,
    body: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        business.trim(),
        platform,
        author.map_or("", str::trim),
        &created_at.to_string(),
        title.map_or("", str::trim),
        body.trim(),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    let digest = h.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{GENERATED_PREFIX}{hex}")
}

/// Generated ids start with this, so they are told from a platform's.
pub const GENERATED_PREFIX: &str = "row-";

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    fn proposed(h: &[&str]) -> BTreeMap<&'static str, String> {
        propose(&headers(h))
            .into_iter()
            .filter_map(|c| c.column.map(|col| (c.field.name, col)))
            .collect()
    }

    #[test]
    fn earshot_headers_map_to_themselves() {
        let p = proposed(super::super::COLUMNS);
        for c in super::super::COLUMNS {
            assert_eq!(p.get(c).map(String::as_str), Some(*c));
        }
    }

    #[test]
    fn common_headers_are_proposed_case_and_space_blind() {
        let p = proposed(&[
            "Review ID",
            "Posted",
            "STARS",
            "Reviewer",
            "Comment",
            "Site",
            "review_url",
        ]);
        assert_eq!(p["external_id"], "Review ID");
        assert_eq!(p["created_at"], "Posted");
        assert_eq!(p["rating"], "STARS");
        assert_eq!(p["author"], "Reviewer");
        assert_eq!(p["body"], "Comment");
        assert_eq!(p["platform"], "Site");
        assert_eq!(p["url"], "review_url");
        assert!(!p.contains_key("title"));
    }

    #[test]
    fn an_exact_name_wins_over_a_synonym_and_each_column_is_used_once() {
        let p = proposed(&["id", "external_id", "Date", "Time", "Name", "Review"]);
        assert_eq!(p["external_id"], "external_id");
        assert_eq!(p["created_at"], "Date", "the better synonym first");
        assert_eq!(p["author"], "Name");
        assert_eq!(p["body"], "Review");
        assert_eq!(p.values().filter(|v| *v == "Time").count(), 0);
    }

    #[test]
    fn the_owners_choices_override_the_proposal_and_none_means_no_column() {
        let h = headers(&["Date", "Comment", "Notes", "Stars"]);
        let mut m = ColumnMapping::default();
        m.add_arg("body=notes").unwrap();
        m.add_arg("rating=").unwrap();
        let at = m.resolve(&h).unwrap();
        let idx = |name: &str| at[FIELDS.iter().position(|f| f.name == name).unwrap()];
        assert_eq!(idx("body"), Some(2));
        assert_eq!(idx("rating"), None);
        assert_eq!(idx("created_at"), Some(0));
        assert!(m
            .add_arg("stars=Stars")
            .unwrap_err()
            .contains("not a field"));
        let mut bad = ColumnMapping::default();
        bad.add_arg("body=Text").unwrap();
        let err = bad.resolve(&h).unwrap_err();
        assert!(
            err.contains("no column \"Text\"") && err.contains("\"Comment\""),
            "{err}"
        );
    }

    #[test]
    fn generated_ids_are_stable_and_depend_on_each_part() {
        let a = generated_id("Café", "google", Some("Ann"), 100, None, "Nice");
        assert_eq!(
            a,
            generated_id("Café ", "google", Some(" Ann"), 100, None, "Nice")
        );
        assert!(a.starts_with(GENERATED_PREFIX) && a.len() == GENERATED_PREFIX.len() + 16);
        for other in [
            generated_id("Other", "google", Some("Ann"), 100, None, "Nice"),
            generated_id("Café", "yelp", Some("Ann"), 100, None, "Nice"),
            generated_id("Café", "google", None, 100, None, "Nice"),
            generated_id("Café", "google", Some("Ann"), 101, None, "Nice"),
            generated_id("Café", "google", Some("Ann"), 100, Some("Nice"), ""),
        ] {
            assert_ne!(a, other);
        }
    }

    #[test]
    fn the_template_is_a_file_the_import_reads() {
        let t = template_csv();
        let mut rdr = csv::Reader::from_reader(t.as_bytes());
        let h: Vec<String> = rdr.headers().unwrap().iter().map(str::to_owned).collect();
        assert!(ColumnMapping::default()
            .resolve(&h)
            .unwrap()
            .iter()
            .take(8)
            .all(Option::is_some));
        assert_eq!(rdr.records().count(), 2);
    }
}
