//! Issue 32, "import that meets the owner's file": a CSV with its own headers is previewed with a
//! proposed column per field, imported with the owner's choices (`--map`, the app's selects),
//! gets ids made from its content when it has none (so a rerun doubles nothing), and its
//! problems are told in the app's words (no command-line flag), while the CLI keeps its flags.

use std::path::{Path, PathBuf};

use crate::common;
use common::TestDb;
use earshot::import::{ColumnMapping, ImportError, ImportOptions};

const CAFE: &str = "Harbour Lane Café";

fn import(db: &TestDb, file: &Path, extra: &[&str]) -> common::Run {
    let f = file.to_str().unwrap();
    let mut args = vec!["import", f, "--business", CAFE, "--json"];
    args.extend_from_slice(extra);
    db.earshot(&args)
}

fn reviews(db: &TestDb) -> Vec<earshot::model::Review> {
    let store = db.store();
    store
        .list_reviews(&earshot::store::ReviewFilter {
            limit: Some(1_000),
            ..Default::default()
        })
        .unwrap()
}

/// A spreadsheet as an owner keeps one: headers of its own, no id column, no platform column.
const OWN_SHEET: &str = "Date,Name,Stars,Comment\n\
     2024-05-01,Sam P.,5,\"Great coffee, friendly staff.\"\n\
     2024-05-03,Alex,2,Waited 20 minutes for a latte.\n\
     2024-05-04,Jo,4,Nice terrace.\n";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

#[test]
fn the_preview_shows_the_first_five_rows_and_proposes_a_column_for_each_field() {
    let db = TestDb::new();
    let mut sheet = String::from("Review ID,Posted,Reviewer,Score,Review,Site\n");
    for i in 1..=8 {
        sheet.push_str(&format!(
            "r{i},2024-05-0{i},Guest {i},4,Fine <b>{i}</b>,Google\n"
        ));
    }
    let f = db.file("sheet.csv", &sheet);
    let p = earshot::actions::preview_import(&f).unwrap();
    assert!(p.mappable);
    assert_eq!(p.rows.len(), 5);
    assert_eq!(
        p.rows[0][4], "Fine <b>1</b>",
        "cells are sent as written (the UI sets text)"
    );
    let column = |name: &str| {
        p.fields
            .iter()
            .find(|c| c.field.name == name)
            .and_then(|c| c.column.clone())
    };
    assert_eq!(column("external_id").as_deref(), Some("Review ID"));
    assert_eq!(column("created_at").as_deref(), Some("Posted"));
    assert_eq!(column("author").as_deref(), Some("Reviewer"));
    assert_eq!(column("rating").as_deref(), Some("Score"));
    assert_eq!(column("body").as_deref(), Some("Review"));
    assert_eq!(column("platform").as_deref(), Some("Site"));
    assert_eq!(column("title"), None);
    assert!(!p.generated_ids);
    assert!(p.missing.is_empty());

    // A public sample's own headers (Booking.com reviews, CC0; see its README).
    let booking = fixture("booking-hotel-reviews-sample.csv");
    let p = earshot::actions::preview_import(&booking).unwrap();
    assert_eq!(p.rows.len(), 5);
    assert!(p.generated_ids, "the sample has no id column");
    assert_eq!(
        p.fields
            .iter()
            .find(|c| c.field.name == "created_at")
            .and_then(|c| c.column.as_deref()),
        Some("Review_Date")
    );

    // No date column: the import would wait for the owner to choose one.
    let f = db.file("nodate.csv", "Name,Comment\nSam,Nice\n");
    let p = earshot::actions::preview_import(&f).unwrap();
    assert_eq!(p.missing, ["created_at"]);

    // A platform's export names its own fields: nothing to choose.
    let tp = fixture("exports/trustpilot/trustpilot-reviews.csv");
    let p = earshot::actions::preview_import(&tp).unwrap();
    assert!(!p.mappable);
    assert!(p.rows.is_empty() && p.fields.is_empty());
}

#[test]
fn an_owners_spreadsheet_imports_with_the_proposed_columns_and_ids_made_for_it() {
    let db = TestDb::new();
    let f = db.file("sheet.csv", OWN_SHEET);
    let r = import(&db, &f, &["--platform", "google"]).ok().json();
    assert_eq!(
        (r["new"].as_u64(), r["rejected"].as_u64()),
        (Some(3), Some(0))
    );
    let list = reviews(&db);
    let sam = list
        .iter()
        .find(|r| r.author.as_deref() == Some("Sam P."))
        .unwrap();
    assert_eq!(sam.rating, Some(5.0));
    assert_eq!(sam.body, "Great coffee, friendly staff.");
    assert_eq!(sam.platform, "google");
    assert!(sam
        .external_id
        .starts_with(earshot::import::mapping::GENERATED_PREFIX));
}

#[test]
fn generated_ids_are_stable_so_a_rerun_or_an_overlapping_file_doubles_nothing() {
    let db = TestDb::new();
    let f = db.file("sheet.csv", OWN_SHEET);
    import(&db, &f, &["--platform", "google"]).ok();
    let ids: Vec<String> = reviews(&db).into_iter().map(|r| r.external_id).collect();

    let again = import(&db, &f, &["--platform", "google"]).ok().json();
    assert_eq!(
        (again["new"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(3))
    );

    // The next month's sheet repeats a row (with its date written another way) and adds one.
    let later = db.file(
        "later.csv",
        "date,name,stars,comment\n\
         2024-05-04T00:00:00Z,Jo,4,Nice terrace.\n\
         2024-06-01,Kim,3,Fine.\n",
    );
    let r = import(&db, &later, &["--platform", "google"]).ok().json();
    assert_eq!(
        (r["new"].as_u64(), r["unchanged"].as_u64()),
        (Some(1), Some(1))
    );
    let mut after: Vec<String> = reviews(&db).into_iter().map(|r| r.external_id).collect();
    assert_eq!(after.len(), 4);
    after.retain(|id| ids.contains(id));
    assert_eq!(
        after.len(),
        3,
        "the first import's ids are the same after the others"
    );

    // The same sheet for another business is another set of reviews.
    let other = db
        .earshot(&[
            "import",
            f.to_str().unwrap(),
            "--business",
            "Other Café",
            "--platform",
            "google",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(other["new"].as_u64(), Some(3));
}

#[test]
fn map_picks_the_columns_the_owner_names_and_leaves_a_field_without_one() {
    let db = TestDb::new();
    let f = db.file(
        "notes.csv",
        "When,Who,Score,Text,Notes,Where\n\
         2024-05-01,Sam,5,staff note,Lovely cake,Yelp\n\
         2024-05-02,Alex,1,staff note,Cold soup,Yelp\n",
    );
    let r = import(
        &db,
        &f,
        &[
            "--map",
            "body=Notes",
            "--map",
            "created_at=when",
            "--map",
            "author=Who",
            "--map",
            "platform=Where",
            "--map",
            "rating=",
        ],
    )
    .ok()
    .json();
    assert_eq!(r["new"].as_u64(), Some(2));
    let list = reviews(&db);
    let sam = list
        .iter()
        .find(|r| r.author.as_deref() == Some("Sam"))
        .unwrap();
    assert_eq!(sam.body, "Lovely cake");
    assert_eq!(sam.platform, "yelp");
    assert_eq!(sam.rating, None, "rating= uses no column");

    // Through the action the app calls, with the mapping it sends.
    let db2 = TestDb::new();
    let mut store = db2.store();
    let mapping: ColumnMapping = serde_json::from_value(serde_json::json!({
        "body": "Notes", "created_at": "When", "platform": "Where", "rating": "Score",
        "external_id": null,
    }))
    .unwrap();
    let opts = ImportOptions {
        business: CAFE.into(),
        mapping,
        ..Default::default()
    };
    let report = earshot::actions::import(
        &mut store,
        std::slice::from_ref(&f),
        &opts,
        None,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(report.counts.new, 2);
}

#[test]
fn a_map_naming_a_column_the_file_lacks_is_refused_naming_the_columns_it_has() {
    let db = TestDb::new();
    let f = db.file("sheet.csv", OWN_SHEET);
    let err = import(&db, &f, &["--map", "body=Review text"])
        .fails()
        .stderr();
    assert!(
        err.contains("no column \"Review text\"") && err.contains("\"Comment\""),
        "{err}"
    );
    let err = import(&db, &f, &["--map", "stars=Stars"]).fails().stderr();
    assert!(err.contains("not a field"), "{err}");
    assert_eq!(reviews(&db).len(), 0);

    let mut store = db.store();
    let mut mapping = ColumnMapping::default();
    mapping.add_arg("body=Nope").unwrap();
    let opts = ImportOptions {
        business: CAFE.into(),
        mapping,
        ..Default::default()
    };
    let e = earshot::actions::import(&mut store, &[f], &opts, None, &mut |_, _| {}).unwrap_err();
    assert_eq!(e.code(), "bad_mapping");
}

#[test]
fn a_bad_row_is_told_in_the_apps_words_and_the_cli_adds_its_flag() {
    let db = TestDb::new();
    let f = db.file(
        "bad.csv",
        "Date,Name,Stars,Comment\n2024-05-01,Sam,5,Fine\n2024-05-02,Alex,7,Seven stars\n",
    );
    let mut store = db.store();
    let opts = ImportOptions {
        business: CAFE.into(),
        platform: Some("google".into()),
        ..Default::default()
    };
    let e = earshot::actions::import(
        &mut store,
        std::slice::from_ref(&f),
        &opts,
        None,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(e, ImportError::BadRow { line: 3, .. }), "{e}");
    assert_eq!(e.code(), "bad_row");
    let words = e.to_string();
    assert!(
        !words.contains("--"),
        "no command-line flag in the app: {words}"
    );
    assert!(words.contains("skip the rows with problems"), "{words}");
    drop(store);

    let err = import(&db, &f, &["--platform", "google"]).fails().stderr();
    assert!(
        err.contains("line 3") && err.contains("--skip-bad"),
        "{err}"
    );
    let r = import(&db, &f, &["--platform", "google", "--skip-bad"])
        .ok()
        .json();
    assert_eq!(
        (r["new"].as_u64(), r["rejected"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn the_template_is_a_file_the_import_reads() {
    let db = TestDb::new();
    let path = db.dir.path().join("template.csv");
    earshot::actions::write_import_template(&path).unwrap();
    let p = earshot::actions::preview_import(&path).unwrap();
    assert!(p.mappable && p.missing.is_empty() && !p.generated_ids);
    let r = import(&db, &path, &[]).ok().json();
    assert_eq!(
        (r["new"].as_u64(), r["rejected"].as_u64()),
        (Some(2), Some(0))
    );
}
