//! Google Play Console's monthly review reports: `reviews_<package>_<YYYYMM>.csv`, one a month,
//! downloaded from Play Console (Download reports → Reviews) or its `pubsite_prod_rev_…` bucket.
//!
//! Layout from Google's help (support.google.com/googleplay/android-developer/answer/6135870) and
//! the real rows cited in `EXPORTS-AND-AUTH.md` A2: UTF-16LE with a BOM, 16 columns — `Package
//! Name, App Version Code, App Version Name, Reviewer Language, Device, Review Submit Date and
//! Time, Review Submit Millis Since Epoch, Review Last Update Date and Time, Review Last Update
//! Millis Since Epoch, Star Rating, Review Title, Review Text, Developer Reply Date and Time,
//! Developer Reply Millis Since Epoch, Developer Reply Text, Review Link`. Columns are found by
//! name, so their order does not matter; UTF-8 files (a report re-saved) are read too.
//!
//! A review appears in the file of the month of its last update, so the same review can be in
//! several files: the newest `Review Last Update` wins, and it updates the stored review in
//! place. Its id is the `reviewId` of its `Review Link`, the id the Play Developer API uses, so a
//! later API sync continues it; star-only ratings have no link and get an id of their own (the
//! API never lists them). Like the API connector, the reviewer's name is unknown here.
//!
//! The import finds it through [`super::play::GooglePlay`]'s `exports`.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::import::{
    collect_csv, parse_date, read_csv, Collected, CsvRow, Entry, ExportFormat, ExportSpec, Head,
    ImportOptions, Result, Target,
};
use crate::model::{fnv1a, IncomingReview, Kind, OwnerReply};
use crate::sources::text::path_segment;

const PACKAGE: &str = "package name";
const RATING: &str = "star rating";

/// Play Console's monthly review CSVs (`--format google-play-csv`).
pub struct ReviewReports;

impl ExportFormat for ReviewReports {
    fn spec(&self) -> &'static ExportSpec {
        &ExportSpec {
            name: "google-play-csv",
            aliases: &["google-play", "play", "play-console"],
            label: "Google Play Console review CSV",
            help: "Google Play Console review CSVs, one file or a folder of them (Play Console → Download\n    \
                 reports → Reviews)",
            looked_for: "Play Console review CSV",
            targets_word: "Apps",
        }
    }

    fn sniff(&self, head: &Head) -> bool {
        head.header().is_some_and(|h| {
            h.contains(PACKAGE)
                && (h.contains(RATING) || h.contains("review link") || h.contains("review text"))
        })
    }

    /// Every Play review CSV in `paths` (a file, a folder, a ZIP).
    fn collect(&self, paths: &[PathBuf], _opts: &ImportOptions) -> Result<Collected> {
        collect_csv(
            paths,
            self,
            read_file,
            "it holds no Google Play Console review CSV (a header starting Package Name, App \
             Version Code, …)",
        )
    }
}

fn target(package: &str) -> Target {
    Target {
        connector: super::play::SPEC.name,
        platform: super::play::SPEC.platform,
        setting: "package_name",
        key: package.to_owned(),
    }
}

/// The reviews of one monthly file; a file that cannot be read is one bad entry.
fn read_file(name: &str, bytes: &[u8]) -> Vec<Entry> {
    read_csv(
        name,
        bytes,
        |h| h.trim().to_ascii_lowercase(),
        |headers| {
            let has = |c: &str| headers.iter().any(|h| h == c);
            if has(PACKAGE) && has(RATING) {
                Ok(())
            } else {
                Err("its header lacks Package Name or Star Rating".into())
            }
        },
        target,
        |(), row| {
            let package = row.get(PACKAGE).unwrap_or_default().to_owned();
            let review = review_of(row, &package);
            (package, review)
        },
    )
}

/// Millis since the epoch, else the date-and-time column.
fn time_of(
    row: &CsvRow<'_>,
    millis: &str,
    date: &str,
) -> std::result::Result<Option<DateTime<Utc>>, String> {
    if let Some(m) = row.get(millis) {
        let ms: i64 = m
            .parse()
            .map_err(|_| format!("{millis:?} {m:?} is not a number of milliseconds"))?;
        return DateTime::from_timestamp_millis(ms)
            .map(Some)
            .ok_or_else(|| format!("{millis:?} {m} is out of range"));
    }
    row.get(date).map(parse_date).transpose()
}

fn review_of(row: &CsvRow<'_>, package: &str) -> std::result::Result<IncomingReview, String> {
    if package.is_empty() {
        return Err("Package Name is empty".into());
    }
    let submitted = time_of(
        row,
        "review submit millis since epoch",
        "review submit date and time",
    )?;
    let updated = time_of(
        row,
        "review last update millis since epoch",
        "review last update date and time",
    )?;
    let created = submitted
        .or(updated)
        .ok_or("the review has no submit time")?;
    let rating = match row.get(RATING) {
        None => None,
        Some(r) => {
            let n: f64 = r
                .parse()
                .map_err(|_| format!("Star Rating {r:?} is not a number"))?;
            if !(1.0..=5.0).contains(&n) {
                return Err(format!("Star Rating {r} is outside 1–5"));
            }
            Some(n)
        }
    };
    let language = row.get("reviewer language").map(str::to_owned);
    let link_id = row.get("review link").and_then(review_id_of_link);
    let external_id = match &link_id {
        Some(id) => id.clone(),
        // Star-only ratings have no link: an id from what identifies them in the report.
        None => {
            let submit = created.timestamp_millis().to_string();
            let h = fnv1a(&[
                package.as_bytes(),
                submit.as_bytes(),
                language.as_deref().unwrap_or("").as_bytes(),
                row.get("device").unwrap_or("").as_bytes(),
            ]);
            format!("play-csv:{h:016x}")
        }
    };
    let reply_body = row.get("developer reply text");
    let owner_reply = match reply_body {
        None => None,
        Some(body) => Some(OwnerReply {
            body: body.to_owned(),
            replied_at: time_of(
                row,
                "developer reply millis since epoch",
                "developer reply date and time",
            )?,
        }),
    };
    Ok(IncomingReview {
        url: link_id.as_ref().map(|id| {
            format!(
                "https://play.google.com/store/apps/details?id={}&reviewId={}",
                path_segment(package),
                path_segment(id)
            )
        }),
        external_id,
        platform: super::play::SPEC.platform.into(),
        kind: Kind::Review,
        author: None,
        rating,
        title: row.get("review title").map(str::to_owned),
        body: row.get("review text").unwrap_or_default().to_owned(),
        language,
        created_at: created,
        // As the API connector does: the last update stands as `updated_at`.
        updated_at: Some(updated.unwrap_or(created).max(created)),
        owner_reply,
        raw_json: Some(row.raw()),
    })
}

/// The `reviewId` (current links) or `reviewid` (old `#ReviewDetailsPlace` links) of a Review
/// Link, percent-decoded.
fn review_id_of_link(link: &str) -> Option<String> {
    let lower = link.to_ascii_lowercase();
    let at = lower.find("reviewid=")? + "reviewid=".len();
    let value = &link[at..];
    let end = value.find(['&', '#']).unwrap_or(value.len());
    let id = percent_decode(value[..end].trim());
    (!id.is_empty()).then_some(id)
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_ids_come_from_old_and_new_links() {
        assert_eq!(
            review_id_of_link("http://play.google.com/console/developers/1/app/2/user-feedback/review-details?reviewId=5b0c-11&corpus=PUBLIC_REVIEWS").as_deref(),
            Some("5b0c-11")
        );
        assert_eq!(
            review_id_of_link("https://play.google.com/apps/publish?account=1#ReviewDetailsPlace:p=org.x&reviewid=gp:AOqpTOE%2Bx").as_deref(),
            Some("gp:AOqpTOE+x")
        );
        assert_eq!(review_id_of_link(""), None);
    }
}
