//! A Google Takeout of Google Business Profile: the ZIP Google e-mails (or its split parts, or
//! the unpacked folder), laid out as
//! `Takeout/Google Business Profile/account-<a>/location-<l>/reviews*.json` beside the
//! location's `data.json` and `additionalData.json`.
//!
//! Google publishes no schema for the archive; the layout and fields follow the exports and
//! parsers cited in `EXPORTS-AND-AUTH.md` A1 (proofql's takeout importer, Northorium's real
//! export). A reviews file is `{"reviews": [Review…]}`, each a cut-down Business Profile API v4
//! review: `name` (`accounts/<a>/locations/<l>/reviews/<r>`), `reviewer.displayName`,
//! `starRating` (`ONE`…`FIVE`), `comment` (absent for star-only reviews), `createTime`,
//! `updateTime` and `reviewReply.{comment, updateTime}`. Each review is mapped by the API
//! connector's own parser, so it gets the very id, platform and text a sync would give it.
//!
//! Files are recognised by content, not name (a renamed `reviews.json` still counts), and every
//! page of every location is read. The same location can sit under two `account-*` folders: its
//! reviews are counted once, the newest `updateTime` winning (in `write_export`).
//!
//! The import finds it through [`super::business::GoogleBusiness`]'s `exports`; a Google Maps
//! Takeout, its near miss, is refused with a pointer here ([`super::maps_takeout`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

use super::business as google_business;
use crate::import::{
    inputs, not_reviews, Collected, Entry, ExportFormat, ExportSpec, Head, ImportError,
    ImportOptions, LocationFound, Result, Target,
};

/// How an owner gets the export, for the refusal of a Maps Takeout.
pub const HOW_TO_GET: &str = "takeout.google.com → Deselect all → tick \"Google Business \
     Profile\" → Next step → Create export, then import the ZIP Google e-mails (or all of its \
     parts, or the unpacked folder)";

/// A Google Takeout of Google Business Profile (`--format google-takeout`).
pub struct Takeout;

impl ExportFormat for Takeout {
    fn spec(&self) -> &'static ExportSpec {
        &ExportSpec {
            name: "google-takeout",
            aliases: &[
                    "takeout",
                    "google-business",
                    "google-business-profile",
                    "google-business-takeout",
                    "gbp",
                ],
            label: "Google Takeout of Google Business Profile",
            help: "a Google Takeout of Google Business Profile: the ZIP, all parts of a split one, or the\n    \
                 unpacked folder (takeout.google.com → Deselect all → Google Business Profile → Create \
                 export)",
            looked_for: "Google Business Profile reviews",
            targets_word: "Locations",
        }
    }

    fn sniff(&self, head: &Head) -> bool {
        head.json().is_some_and(|compact| {
            let reviews_list = compact.contains("\"reviews\":[");
            let gbp_review = compact.contains("/locations/") && compact.contains("/reviews/")
                || compact.contains("\"starRating\":")
                || compact.contains("\"reviewReply\":");
            reviews_list && gbp_review && !super::maps_takeout::is_maps_reviews(compact)
        })
    }

    fn refuse(&self, head: &Head) -> Option<(&'static str, String)> {
        head.json()
            .is_some_and(super::maps_takeout::is_maps_reviews)
            .then(|| {
                (
                    "maps_takeout",
                    format!(
                        "a Google Maps Takeout: the reviews you wrote about other places, not \
                         the reviews of your business. Export Google Business Profile instead: \
                         {HOW_TO_GET}"
                    ),
                )
            })
    }

    fn collect(&self, paths: &[PathBuf], opts: &ImportOptions) -> Result<Collected> {
        collect(paths, opts)
    }
}

/// What is known of a location of the export.
#[derive(Default)]
struct Location {
    title: Option<String>,
    reviews: BTreeSet<String>,
}

/// The reviews of every location (or of the one `--location` names).
fn collect(paths: &[PathBuf], opts: &ImportOptions) -> Result<Collected> {
    let mut locations: BTreeMap<String, Location> = BTreeMap::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut files = Vec::new();
    inputs::scan(paths, &mut |name, bytes| {
        let folder = location_folder(name);
        let file = name.rsplit('/').next().unwrap_or(name);
        let is_reviews_name = file.starts_with("reviews") && file.ends_with(".json");
        let sniffed = Takeout.sniff(&Head::of(bytes));
        let parent = name.rsplit('/').nth(1).unwrap_or_default();
        if let (Some(l), true) = (&folder, parent.starts_with("location-")) {
            if file == "data.json" || file == "additionalData.json" {
                if let Some(title) = parse_json(bytes).ok().as_ref().and_then(title_of) {
                    let loc = locations.entry(l.clone()).or_default();
                    // The listing name (additionalData) is what the owner sees; data.json's
                    // title is the fallback.
                    if loc.title.is_none() || file == "additionalData.json" {
                        loc.title = Some(title);
                    }
                }
                return;
            }
        }
        if !(sniffed || is_reviews_name && folder.is_some()) {
            return;
        }
        files.push(name.to_owned());
        let fallback_target = target(folder.as_deref().unwrap_or("unknown"));
        let value = match parse_json(bytes) {
            Ok(v) => v,
            Err(reason) => {
                entries.push(Entry {
                    place: name.to_owned(),
                    line: 0,
                    target: fallback_target,
                    review: Err(reason),
                });
                return;
            }
        };
        let list = match value.get("reviews") {
            Some(Value::Array(list)) => list.as_slice(),
            None | Some(Value::Null) => &[],
            Some(_) => {
                entries.push(Entry {
                    place: name.to_owned(),
                    line: 0,
                    target: fallback_target,
                    review: Err("its \"reviews\" is not a list".into()),
                });
                return;
            }
        };
        for (i, raw) in list.iter().enumerate() {
            let location = raw
                .get("name")
                .and_then(Value::as_str)
                .and_then(location_of_name)
                .or_else(|| folder.clone())
                .unwrap_or_else(|| "unknown".into());
            let review = google_business::parse_reviews(&serde_json::json!({ "reviews": [raw] }))
                .map_err(|e| e.to_string())
                .and_then(|mut v| v.pop().ok_or_else(|| "no review".to_string()));
            if let Ok(r) = &review {
                locations
                    .entry(location.clone())
                    .or_default()
                    .reviews
                    .insert(r.external_id.clone());
            }
            entries.push(Entry {
                place: format!("{name}, review {}", i + 1),
                line: i as u64 + 1,
                target: target(&location),
                review,
            });
        }
    })?;
    let first = paths.first().cloned().unwrap_or_default();
    if files.is_empty() {
        return Err(not_reviews(
            &first,
            "it holds no Google Business Profile reviews (Takeout/Google Business Profile/\
             account-…/location-…/reviews.json)"
                .into(),
        ));
    }
    // Locations named only by a data.json, with no reviews file, are not worth listing.
    locations.retain(|_, l| !l.reviews.is_empty());
    let chosen: Option<String> = match &opts.location {
        None => None,
        Some(wanted) => {
            let w = wanted.trim();
            let w_id = location_of_name(w).unwrap_or_else(|| w.to_owned());
            let hit = locations.iter().find(|(id, l)| {
                id.eq_ignore_ascii_case(&w_id)
                    || l.title
                        .as_deref()
                        .is_some_and(|t| t.trim().eq_ignore_ascii_case(w))
            });
            match hit {
                Some((id, _)) => Some(id.clone()),
                None => {
                    return Err(ImportError::UnknownLocation {
                        path: first,
                        wanted: wanted.clone(),
                        found: locations
                            .iter()
                            .map(|(id, l)| match &l.title {
                                Some(t) => format!("{t} (location {id})"),
                                None => format!("location {id}"),
                            })
                            .collect(),
                    })
                }
            }
        }
    };
    if let Some(id) = &chosen {
        entries.retain(|e| &e.target.key == id);
    }
    Ok(Collected {
        entries,
        files,
        locations: locations
            .into_iter()
            .map(|(id, l)| LocationFound {
                imported: chosen.as_ref().is_none_or(|c| *c == id),
                reviews: l.reviews.len() as u64,
                name: l.title,
                id,
            })
            .collect(),
    })
}

fn target(location: &str) -> Target {
    Target {
        connector: google_business::SPEC.name,
        platform: google_business::SPEC.platform,
        setting: "location_id",
        key: location.to_owned(),
    }
}

fn parse_json(bytes: &[u8]) -> std::result::Result<Value, String> {
    let text = inputs::decode_text(bytes)?;
    serde_json::from_str(&text).map_err(|e| format!("malformed JSON ({e})"))
}

/// `…/account-1/location-987/reviews.json` → `987`.
fn location_folder(name: &str) -> Option<String> {
    name.split('/')
        .rev()
        .find_map(|seg| seg.strip_prefix("location-"))
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
}

/// `accounts/1/locations/987/reviews/x` (or `locations/987`) → `987`.
fn location_of_name(name: &str) -> Option<String> {
    let mut segs = name.split('/');
    while let Some(s) = segs.next() {
        if s == "locations" {
            return segs.next().filter(|l| !l.is_empty()).map(str::to_owned);
        }
    }
    None
}

/// A location's name: `additionalData.json`'s LISTING_NAME attribute, or `data.json`'s `title`.
fn title_of(v: &Value) -> Option<String> {
    let text = |v: &Value| {
        v.as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    if let Some(t) = v.get("title").and_then(text) {
        return Some(t);
    }
    if let Some(t) = v.get("locationName").and_then(text) {
        return Some(t);
    }
    find_listing_name(v)
}

/// The first `listingName.text` (or `listingName` string) anywhere in the value.
fn find_listing_name(v: &Value) -> Option<String> {
    match v {
        Value::Object(map) => {
            if let Some(l) = map.get("listingName") {
                let t = l.get("text").unwrap_or(l);
                if let Some(s) = t.as_str().filter(|s| !s.trim().is_empty()) {
                    return Some(s.trim().to_owned());
                }
            }
            map.values().find_map(find_listing_name)
        }
        Value::Array(a) => a.iter().find_map(find_listing_name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_come_from_names_and_folders() {
        assert_eq!(
            location_of_name("accounts/1/locations/987/reviews/x").as_deref(),
            Some("987")
        );
        assert_eq!(
            location_folder(
                "a.zip/Takeout/Google Business Profile/account-1/location-55/reviews.json"
            )
            .as_deref(),
            Some("55")
        );
        let extra: Value = serde_json::from_str(
            r#"{"attributes":[{"id":{"attributeType":"LISTING_NAME"},"values":[{"datum":{"listingName":{"text":"Harbour Lane Café"}}}]}]}"#,
        )
        .unwrap();
        assert_eq!(title_of(&extra).as_deref(), Some("Harbour Lane Café"));
    }
}
