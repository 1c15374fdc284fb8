//! Integration tests of the core and the built `earshot` binary on real SQLite files.

use crate::common;

use common::TestDb;
use serde_json::Value;

const CAFE: &str = "Joe's Cafe";

fn import(db: &TestDb, file: &std::path::Path, extra: &[&str]) -> common::Run {
    let f = file.to_str().unwrap();
    let mut args = vec!["import", f, "--business", CAFE, "--json"];
    args.extend_from_slice(extra);
    db.earshot(&args)
}

fn cafe_stats(db: &TestDb) -> Value {
    db.earshot(&["stats", "--business", CAFE, "--json"])
        .ok()
        .json()
}

fn basic_csv(db: &TestDb) -> std::path::PathBuf {
    db.file("basic.csv", include_str!("fixtures/reviews_basic.csv"))
}

#[test]
fn import_reports_new_rows_then_a_second_import_changes_nothing() {
    let db = TestDb::new();
    let csv = basic_csv(&db);
    let first = import(&db, &csv, &[]).ok().json();
    assert_eq!(first["new"], 4);
    assert_eq!(first["rejected"], 0);
    let second = import(&db, &csv, &[]).ok().json();
    assert_eq!(second["new"], 0);
    assert_eq!(second["updated"], 0);
    assert_eq!(second["unchanged"], 4);
    let stats = cafe_stats(&db);
    assert_eq!(stats["count"], 4);
}

#[test]
fn quoted_fields_with_commas_newlines_and_any_utf8_survive_the_import() {
    let db = TestDb::new();
    import(&db, &basic_csv(&db), &[]).ok();
    let reviews = db
        .earshot(&["reviews", "--business", CAFE, "--json"])
        .ok()
        .json();
    let by_id = |id: &str| {
        reviews
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["external_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_id("g2")["body"],
        "Waited 40 minutes.\nThe latte was cold, too."
    );
    assert_eq!(by_id("y1")["author"], "Chloé, Z.");
    assert_eq!(
        by_id("y1")["body"],
        "Crème brûlée à tomber 😍 — \"best\" in town"
    );
    assert_eq!(by_id("y1")["created_at"], "2024-06-10T16:04:11Z");
    assert_eq!(by_id("g2")["created_at"], "2024-05-02T00:00:00Z");
    assert_eq!(by_id("y2")["rating"], Value::Null);
    assert_eq!(by_id("g1")["rating"], 5.0);
}

#[test]
fn reviews_json_has_the_documented_fields_newest_first() {
    let db = TestDb::new();
    import(&db, &basic_csv(&db), &[]).ok();
    let reviews = db
        .earshot(&["reviews", "--business", CAFE, "--json"])
        .ok()
        .json();
    let list = reviews.as_array().unwrap();
    assert_eq!(list.len(), 4);
    for field in [
        "id",
        "business",
        "platform",
        "external_id",
        "author",
        "rating",
        "title",
        "body",
        "created_at",
        "url",
        "replied",
        "sentiment",
        "sentiment_label",
    ] {
        assert!(list[0].get(field).is_some(), "missing {field}");
    }
    let dates: Vec<&str> = list
        .iter()
        .map(|r| r["created_at"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert_eq!(list[0]["business"], CAFE);
    assert_eq!(list[0]["replied"], false);
}

#[test]
fn review_filters_narrow_by_platform_rating_dates_and_search() {
    let db = TestDb::new();
    import(&db, &basic_csv(&db), &[]).ok();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["reviews", "--business", CAFE, "--json"];
        a.extend_from_slice(args);
        let v = db.earshot(&a).ok().json();
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["external_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&["--platform", "yelp"]), vec!["y2", "y1"]);
    assert_eq!(ids(&["--min-rating", "4"]), vec!["y1", "g1"]);
    assert_eq!(ids(&["--max-rating", "2"]), vec!["g2"]);
    assert_eq!(
        ids(&["--since", "2024-05-02", "--until", "2024-06-10"]),
        vec!["y1", "g2"]
    );
    assert_eq!(ids(&["--search", "latte"]), vec!["g2"]);
    assert_eq!(
        ids(&["--search", "creme brulee"]),
        vec!["y1"],
        "diacritics fold in search"
    );
    assert_eq!(
        ids(&["--search", "OR \"NEAR("]),
        Vec::<String>::new(),
        "query syntax is inert"
    );
    assert_eq!(ids(&["--limit", "1"]).len(), 1);
    assert_eq!(ids(&["--unanswered"]).len(), 4);
}

#[test]
fn an_edited_review_updates_in_place_and_keeps_a_revision() {
    let db = TestDb::new();
    import(&db, &basic_csv(&db), &[]).ok();
    let edited = include_str!("fixtures/reviews_basic.csv")
        .replace("g2,google,Ben,2,Slow", "g2,google,Ben,4,Better now");
    let f = db.file("edited.csv", &edited);
    let r = import(&db, &f, &[]).ok().json();
    assert_eq!(
        (
            r["new"].as_u64(),
            r["updated"].as_u64(),
            r["unchanged"].as_u64()
        ),
        (Some(0), Some(1), Some(3))
    );
    let store = db.store();
    let list = store.list_reviews(&Default::default()).unwrap();
    assert_eq!(list.len(), 4);
    let g2 = list.iter().find(|r| r.external_id == "g2").unwrap();
    assert_eq!(g2.rating, Some(4.0));
    let revs = store.revisions(g2.id).unwrap();
    assert_eq!(revs.len(), 1);
    assert_eq!(revs[0].rating, Some(2.0));
    assert_eq!(revs[0].title.as_deref(), Some("Slow"));
}

#[test]
fn a_bad_row_stops_the_import_with_its_line_and_writes_nothing_of_its_batch() {
    let db = TestDb::new();
    let f = db.file(
        "bad.csv",
        "external_id,platform,author,rating,title,body,created_at,url\n\
         a1,google,Ann,5,,fine,2024-01-01,\n\
         a2,google,Bob,7,,seven stars,2024-01-02,\n\
         a3,google,Cy,4,,ok,2024-01-03,\n",
    );
    let run = import(&db, &f, &[]).fails();
    let err = run.stderr();
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("rating 7"), "{err}");
    let stats = cafe_stats(&db);
    assert_eq!(stats["count"], 0, "nothing of the failing batch is written");
}

#[test]
fn skip_bad_skips_and_reports_each_bad_row() {
    let db = TestDb::new();
    let f = db.file(
        "bad.csv",
        "external_id,platform,author,rating,title,body,created_at,url\n\
         a1,google,Ann,5,,fine,2024-01-01,\n\
         ,google,Bob,4,,no id,2024-01-02,\n\
         a3,google,Cy,4,,bad date,yesterday,\n\
         a4,google,Di,3,,ok,2024-01-04,\n",
    );
    let run = import(&db, &f, &["--skip-bad"]).ok();
    let report = run.json();
    assert_eq!(report["new"], 2);
    assert_eq!(report["rejected"], 2);
    let err = run.stderr();
    assert!(
        err.contains("line 3") && err.contains("external_id is missing"),
        "{err}"
    );
    assert!(
        err.contains("line 4") && err.contains("not a date"),
        "{err}"
    );
}

#[test]
fn json_lines_import_accepts_numbers_and_strings() {
    let db = TestDb::new();
    let f = db.file(
        "r.jsonl",
        "{\"external_id\": 17, \"platform\": \"trustpilot\", \"author\": \"Jo\", \"rating\": \"2\", \"body\": \"Late <b>delivery</b>\", \"created_at\": \"2024-05-01T18:04:11Z\"}\n\
         \n\
         {\"external_id\": \"18\", \"platform\": \"trustpilot\", \"rating\": 5, \"title\": \"Great\", \"body\": \"On time\", \"created_at\": \"2024-05-02\", \"url\": null}\n",
    );
    let r = import(&db, &f, &[]).ok().json();
    assert_eq!(r["new"], 2);
    let list = db
        .earshot(&["reviews", "--business", CAFE, "--json"])
        .ok()
        .json();
    assert_eq!(list[1]["external_id"], "17");
    assert_eq!(
        list[1]["body"], "Late <b>delivery</b>",
        "text is stored as written"
    );
}

#[test]
fn malformed_json_line_is_reported_with_its_line_number() {
    let db = TestDb::new();
    let f = db.file(
        "r.jsonl",
        "{\"external_id\": \"1\", \"platform\": \"x\", \"created_at\": \"2024-05-01\"}\n{\"external_id\": \"2\", \n",
    );
    let err = import(&db, &f, &[]).fails().stderr();
    assert!(
        err.contains("line 2") && err.contains("malformed JSON"),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_csv_or_jsonl_gets_one_clear_error() {
    let db = TestDb::new();
    let png = db.dir.path().join("photo.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let err = import(&db, &png, &[]).fails().stderr();
    assert!(err.contains("is not a CSV or JSON Lines file"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    let prose = db.file("notes.txt", "Dear diary,\nthe coffee was fine.\n");
    let err = import(&db, &prose, &[]).fails().stderr();
    assert!(
        // Issue 32: an id column is no longer needed (ids are made from the content); a date is.
        err.contains("lacks a date column (created_at)") && err.contains("\"Dear diary\""),
        "{err}"
    );
}

#[test]
fn platform_flag_fills_rows_without_a_platform() {
    let db = TestDb::new();
    let f = db.file(
        "p.csv",
        "external_id,rating,body,created_at\n1,4,nice,2024-01-01\n",
    );
    import(&db, &f, &[]).fails();
    let r = import(&db, &f, &["--platform", "Google Maps"]).ok().json();
    assert_eq!(r["new"], 1);
    let list = db
        .earshot(&["reviews", "--business", CAFE, "--json"])
        .ok()
        .json();
    assert_eq!(list[0]["platform"], "google");
}

#[test]
fn stats_json_has_count_average_distribution_and_months() {
    let db = TestDb::new();
    import(&db, &basic_csv(&db), &[]).ok();
    let s = cafe_stats(&db);
    assert_eq!(s["business"], CAFE);
    assert_eq!(s["count"], 4);
    // Ratings 5, 2, 4 and one unrated: the average ignores the unrated one.
    assert_eq!(s["average_rating"], 3.67);
    assert_eq!(
        s["distribution"],
        serde_json::json!({"1":0,"2":1,"3":0,"4":1,"5":1})
    );
    assert_eq!(
        s["by_month"],
        serde_json::json!([
            {"month":"2024-05","count":2,"average_rating":3.5},
            {"month":"2024-06","count":2,"average_rating":4.0}
        ])
    );
}

#[test]
fn stats_of_a_business_without_ratings_has_a_null_average() {
    let db = TestDb::new();
    db.earshot(&["businesses", "add", "Quiet Shop"]).ok();
    let s = db
        .earshot(&["stats", "--business", "Quiet Shop", "--json"])
        .ok()
        .json();
    assert_eq!(s["count"], 0);
    assert_eq!(s["average_rating"], Value::Null);
}

#[test]
fn businesses_add_and_list_with_competitors() {
    let db = TestDb::new();
    db.earshot(&["businesses", "add", "Mine"]).ok();
    db.earshot(&["businesses", "add", "Rival", "--competitor"])
        .ok();
    let err = db.earshot(&["businesses", "add", "mine"]).fails().stderr();
    assert!(err.contains("already exists"), "{err}");
    let list = db.earshot(&["businesses", "list", "--json"]).ok().json();
    assert_eq!(list[0]["name"], "Mine");
    assert_eq!(list[0]["is_competitor"], false);
    assert_eq!(list[1]["name"], "Rival");
    assert_eq!(list[1]["is_competitor"], true);
}

#[test]
fn unknown_business_is_a_clear_error_on_stderr_with_nothing_on_stdout() {
    let db = TestDb::new();
    let run = db
        .earshot(&["stats", "--business", "Nobody", "--json"])
        .fails();
    assert!(run.stdout().is_empty());
    assert!(
        run.stderr().contains("no business named \"Nobody\""),
        "{}",
        run.stderr()
    );
}

#[test]
fn demo_loads_two_businesses_with_thousands_of_items_and_is_repeatable() {
    let db = TestDb::new();
    let first = db
        .earshot(&["demo", "--until", "2026-11-22", "--json"])
        .ok()
        .json();
    let total = first["reviews"].as_u64().unwrap() + first["mentions"].as_u64().unwrap();
    assert!(total >= 2_000, "{total}");
    assert!(first["replies"].as_u64().unwrap() > 100);
    assert_eq!(first["new"].as_u64(), Some(total));
    let again = db
        .earshot(&["demo", "--until", "2026-11-22", "--json"])
        .ok()
        .json();
    assert_eq!(again["new"], 0);
    let list = db.earshot(&["businesses", "list", "--json"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let own = list[0]["name"].as_str().unwrap();
    let s = db
        .earshot(&["stats", "--business", own, "--json"])
        .ok()
        .json();
    assert!(s["by_month"].as_array().unwrap().len() >= 36);
    let replied = db
        .earshot(&["reviews", "--business", own, "--limit", "500", "--json"])
        .ok()
        .json();
    assert!(replied
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["replied"] == true));
}

#[test]
fn newer_schema_is_refused_and_left_untouched() {
    let db = TestDb::new();
    {
        let conn = rusqlite::Connection::open(db.path()).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 999;")
            .unwrap();
    }
    let before = std::fs::read(db.path()).unwrap();
    let err = db.earshot(&["businesses", "list"]).fails().stderr();
    assert!(err.contains("newer version of Earshot"), "{err}");
    assert_eq!(
        std::fs::read(db.path()).unwrap(),
        before,
        "the file is untouched"
    );
    assert!(!db.dir.path().join("earshot.db-wal").exists());
}

#[test]
fn a_database_from_schema_v1_opens_with_its_rows_intact() {
    let db = TestDb::new();
    {
        let conn = rusqlite::Connection::open(db.path()).unwrap();
        conn.execute_batch(include_str!("fixtures/schema_v1.sql"))
            .unwrap();
    }
    let store = db.store();
    assert_eq!(
        store.schema_version().unwrap(),
        earshot::store::SCHEMA_VERSION
    );
    let list = store.list_reviews(&Default::default()).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].body, "Cold coffee, rude staff.");
    let s = store.stats(1).unwrap();
    assert_eq!(s.count, 2);
    // Migration 0006 made the search index anew and filled it from the stored reviews.
    let found = store
        .list_reviews(&earshot::store::ReviewFilter {
            search: Some("rude coffee".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, list[0].id);
}

#[test]
fn the_database_lives_in_the_os_data_directory_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["businesses", "add", "Here"])
        .env("XDG_DATA_HOME", dir.path())
        .env_remove("EARSHOT_DB")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("earshot/earshot.db").exists());
}

/// `sources add PLATFORM --help` gives the honest guide from the platform's spec: what it
/// costs, what it needs, the steps, and the way in without the API.
#[test]
fn sources_add_help_gives_each_platforms_honest_guide() {
    let dir = tempfile::tempdir().unwrap();
    let help = |platform: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .args(["sources", "add", platform, "--help"])
            .env("EARSHOT_DB", dir.path().join("e.db"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .replace("\n    ", " ")
            .replace("\n     ", " ")
    };
    for name in ["bluesky", "reddit", "yelp", "google-business", "x"] {
        let text = help(name);
        for heading in [
            "What it costs:",
            "What it needs:",
            "Steps:",
            "  1. ",
            "Without the API:",
        ] {
            assert!(text.contains(heading), "{name}: {heading}\n{text}");
        }
    }
    assert!(help("reddit").contains("November 2025"));
    assert!(help("bluesky").contains("January 2025"));
    assert!(help("yelp").contains("300 calls a day"));
    // Each platform says what it asks of the owner first (issue 32).
    assert!(help("yelp").contains("Access: needs a developer key."));
    assert!(help("google-business").contains("Access: needs approval."));
    assert!(help("reddit").contains("Access: no account needed."));
}

#[test]
fn earshot_db_variable_chooses_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("custom.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["businesses", "add", "There"])
        .env("EARSHOT_DB", &db)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(db.exists());
}

/// business, platform, kind, day, count, rated, rating sum, stars, sentiment, replied,
/// unanswered negatives.
type RollupRow = (i64, String, String, i64, i64, i64, f64, i64, i64, i64, i64);

/// The rollup the dashboard reads must equal a straight computation over the rows, after
/// imports, edits, removals and deletions.
#[test]
fn rollups_equal_a_straight_sql_computation_after_imports_edits_and_deletions() {
    let db = TestDb::new();
    db.earshot(&["demo", "--until", "2026-11-22"]).ok();
    import(&db, &basic_csv(&db), &[]).ok();
    let edited =
        include_str!("fixtures/reviews_basic.csv").replace("g1,google,Ana,5", "g1,google,Ana,1");
    import(&db, &db.file("e.csv", &edited), &[]).ok();
    let mut store = db.store();
    let sources = store.sources().unwrap();
    let yelp_import = sources
        .iter()
        .find(|s| s.label == "import:yelp")
        .unwrap()
        .id;
    store
        .mark_removed_except(yelp_import, &["y1".to_string()])
        .unwrap();
    let demo_x = sources.iter().find(|s| s.label == "demo:x").unwrap().id;
    store.remove_source(demo_x).unwrap();

    let conn = rusqlite::Connection::open(db.path()).unwrap();
    let rollup: Vec<RollupRow> = conn
        .prepare(
            "SELECT business_id, platform, kind, day, count, rated, rating_sum, r1 + 10 * r5,
                    negative + 10 * positive, replied, unanswered_negative
             FROM review_daily WHERE count != 0 ORDER BY 1, 2, 3, 4",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let raw: Vec<RollupRow> = conn
        .prepare(
            "SELECT business_id, platform, kind, created_at / 86400 AS day, count(*), count(rating),
                    coalesce(sum(rating), 0),
                    sum(round(rating) = 1) + 10 * sum(round(rating) = 5),
                    sum(sentiment_label IS 'negative') + 10 * sum(sentiment_label IS 'positive'),
                    count(replied_at),
                    count(*) FILTER (WHERE replied_at IS NULL
                        AND (rating <= 2 OR (kind = 'mention' AND sentiment_label = 'negative')))
             FROM reviews WHERE removed_at IS NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get::<_, Option<i64>>(7)?.unwrap_or(0), r.get(8)?, r.get(9)?, r.get(10)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rollup.len(), raw.len());
    for (a, b) in rollup.iter().zip(&raw) {
        assert_eq!(
            (a.0, &a.1, &a.2, a.3, a.4, a.5),
            (b.0, &b.1, &b.2, b.3, b.4, b.5)
        );
        assert!((a.6 - b.6).abs() < 1e-6, "{a:?} vs {b:?}");
        assert_eq!(
            (a.7, a.8, a.9, a.10),
            (b.7, b.8, b.9, b.10),
            "{a:?} vs {b:?}"
        );
    }

    // The aspect rollup too: business, aspect, day, mentions, negative, positive, sentiment sum.
    type AspectRow = (i64, String, i64, i64, i64, i64, f64);
    let aspect_rows = |sql: &str| -> Vec<AspectRow> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let rollup = aspect_rows(
        "SELECT business_id, aspect, day, mentions, negative, positive, sentiment_sum
         FROM aspect_daily WHERE mentions != 0 ORDER BY 1, 2, 3",
    );
    let raw = aspect_rows(
        "SELECT r.business_id, m.key, (r.created_at / 86400) - (r.created_at < 0 AND r.created_at % 86400 != 0),
                count(*), sum(m.value ->> 1 = -1), sum(m.value ->> 1 = 1), sum(m.value ->> 0)
         FROM reviews r, json_each(r.aspects) m GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    );
    assert!(!raw.is_empty());
    assert_eq!(rollup.len(), raw.len());
    for (a, b) in rollup.iter().zip(&raw) {
        assert_eq!(
            (a.0, &a.1, a.2, a.3, a.4, a.5),
            (b.0, &b.1, b.2, b.3, b.4, b.5)
        );
        assert!((a.6 - b.6).abs() < 1e-6, "{a:?} vs {b:?}");
    }
    assert!(store
        .list_reviews(&Default::default())
        .unwrap()
        .iter()
        .all(|r| r.platform != "x"));
}

#[test]
fn trends_json_has_periods_with_rating_sentiment_and_response_figures() {
    let db = TestDb::new();
    import(&db, &basic_csv(&db), &[]).ok();
    let t = db
        .earshot(&["trends", "--business", CAFE, "--by", "month", "--json"])
        .ok()
        .json();
    let p = t.as_array().unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(p[0]["period"], "2024-05");
    assert_eq!(p[0]["count"], 2);
    assert_eq!(p[0]["average_rating"], 3.5);
    assert_eq!(p[1]["running_rating"], 3.67);
    for f in ["negative_share", "response_rate"] {
        assert!(p[0].get(f).is_some(), "missing {f}");
    }
    let weeks = db
        .earshot(&["trends", "--business", CAFE, "--by", "week", "--json"])
        .ok()
        .json();
    assert_eq!(weeks[0]["period"], "2024-W18");
    let days = db
        .earshot(&[
            "trends",
            "--business",
            CAFE,
            "--by",
            "day",
            "--platform",
            "yelp",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(days.as_array().unwrap().len(), 2);
    assert_eq!(days[0]["period"], "2024-06-10");
}

#[test]
fn topics_compare_and_project_answer_on_the_demo() {
    let db = TestDb::new();
    db.earshot(&["demo", "--until", "2026-11-22"]).ok();
    let own = "Harbour Lane Café";
    let t = db
        .earshot(&[
            "topics",
            "--business",
            own,
            "--today",
            "2026-11-22",
            "--json",
        ])
        .ok()
        .json();
    let aspects: Vec<&str> = t["aspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["aspect"].as_str().unwrap())
        .collect();
    assert!(
        aspects.contains(&"coffee") && aspects.contains(&"wait time"),
        "{aspects:?}"
    );
    assert!(
        !t["rising"].as_array().unwrap().is_empty(),
        "the bad week shows as rising complaints"
    );
    assert!(!t["rising"][0]["review_ids"].as_array().unwrap().is_empty());
    let c = db
        .earshot(&[
            "compare",
            "--business",
            own,
            "--with",
            "The Daily Grind",
            "--today",
            "2026-11-22",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(c["businesses"].as_array().unwrap().len(), 2);
    assert_eq!(c["businesses"][1]["is_competitor"], true);
    let last = c["by_month"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["values"].as_array().unwrap().len(), 2);
    let p = db
        .earshot(&["project", "--business", own, "--target", "4.5", "--json"])
        .ok()
        .json();
    assert!(p["five_stars_needed"].as_u64().unwrap() > 0);
}

#[test]
fn sentiment_command_prints_score_and_label() {
    let db = TestDb::new();
    let s = db
        .earshot(&["sentiment", "Terrible service, rude staff", "--json"])
        .ok()
        .json();
    assert_eq!(s["label"], "negative");
    assert!(s["score"].as_f64().unwrap() < 0.0);
    let s = db
        .earshot(&["sentiment", "Lovely coffee and friendly staff!", "--json"])
        .ok()
        .json();
    assert_eq!(s["label"], "positive");
}

#[test]
fn backup_then_restore_brings_back_the_data_and_keeps_the_replaced_database() {
    let db = TestDb::new();
    import(&db, &basic_csv(&db), &[]).ok();
    let made = db.earshot(&["backup", "--json"]).ok().json();
    let backup_file = made["path"].as_str().unwrap().to_string();
    assert!(std::path::Path::new(&backup_file).exists());
    // Later changes, then a restore: back to the four reviews of the backup.
    db.earshot(&["demo", "--until", "2026-11-22"]).ok();
    let r = db.earshot(&["restore", &backup_file, "--json"]).ok().json();
    assert!(std::path::Path::new(r["previous_kept_at"].as_str().unwrap()).exists());
    let s = cafe_stats(&db);
    assert_eq!(s["count"], 4);
    let list = db.earshot(&["businesses", "list", "--json"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 1);
}

/// Two databases kept in one folder share its `backups/` folder: each lists, rotates and restores
/// only its own backups.
#[test]
fn two_databases_in_one_folder_keep_their_backups_apart() {
    let db = TestDb::new();
    import(&db, &basic_csv(&db), &[]).ok();
    // A second database beside the first (its own temp dir only holds its secrets).
    let shop = TestDb {
        dir: tempfile::tempdir().unwrap(),
        path: db.dir.path().join("shop.db"),
    };
    shop.earshot(&["demo", "--until", "2026-11-22"]).ok();
    let ours = db.earshot(&["backup", "--json"]).ok().json();
    let theirs = shop.earshot(&["backup", "--json"]).ok().json();
    let (ours, theirs) = (
        ours["path"].as_str().unwrap(),
        theirs["path"].as_str().unwrap(),
    );
    assert_ne!(
        ours, theirs,
        "same-day backups of two databases must not overwrite each other"
    );
    assert!(std::path::Path::new(ours).exists() && std::path::Path::new(theirs).exists());
    let listed = |t: &TestDb| -> Vec<String> {
        let v = t.earshot(&["backup", "--list", "--json"]).ok().json();
        v.as_array()
            .unwrap()
            .iter()
            .map(|b| b["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(listed(&db), vec![ours.to_string()]);
    assert_eq!(listed(&shop), vec![theirs.to_string()]);
    // Restoring each from its own backup gives each its own data back.
    db.earshot(&["restore", ours]).ok();
    assert_eq!(cafe_stats(&db)["count"], 4);
}

#[test]
fn a_bad_backup_is_refused_and_nothing_is_replaced() {
    let db = TestDb::new();
    import(&db, &basic_csv(&db), &[]).ok();
    let junk = db.file(
        "junk.db",
        "this is not a database at all, just text that goes on and on",
    );
    let err = db
        .earshot(&["restore", junk.to_str().unwrap()])
        .fails()
        .stderr();
    assert!(
        err.contains("not a usable Earshot backup") && err.contains("nothing was replaced"),
        "{err}"
    );
    let s = cafe_stats(&db);
    assert_eq!(s["count"], 4);
}

#[test]
fn a_damaged_database_is_reported_with_the_newest_good_backup_which_restores_it() {
    let db = TestDb::new();
    import(&db, &basic_csv(&db), &[]).ok();
    let made = db.earshot(&["backup", "--json"]).ok().json();
    let backup_file = made["path"].as_str().unwrap().to_string();
    // Overwrite the header: SQLite no longer recognises the file.
    let mut bytes = std::fs::read(db.path()).unwrap();
    bytes[..16].copy_from_slice(b"garbage-garbage!");
    std::fs::write(db.path(), &bytes).unwrap();
    let _ = std::fs::remove_file(db.dir.path().join("earshot.db-wal"));
    let err = db.earshot(&["stats", "--business", CAFE]).fails().stderr();
    assert!(
        err.contains("not an Earshot database or is damaged"),
        "{err}"
    );
    assert!(
        err.contains("newest good backup") && err.contains(&backup_file),
        "{err}"
    );
    db.earshot(&["restore", &backup_file]).ok();
    let s = cafe_stats(&db);
    assert_eq!(s["count"], 4);
}

/// Issue 9: kill the import (SIGKILL) at many points; every reopen passes the integrity check and
/// holds whole batches only, and a rerun completes the work with no duplicates.
#[test]
fn an_import_killed_at_any_point_loses_no_committed_batch_and_a_rerun_completes_it() {
    use std::time::{Duration, Instant};
    const ROWS: usize = 6_000;
    const BATCH: usize = 300;
    let db = TestDb::new();
    let mut csv = String::from("external_id,platform,author,rating,title,body,created_at,url\n");
    for i in 0..ROWS {
        csv.push_str(&format!(
            "k{i},google,A{i},{},,\"Review {i}, the coffee was fine, the staff friendly.\",2024-01-{:02},\n",
            1 + i % 5,
            1 + i % 28
        ));
    }
    let file = db.file("big.csv", &csv);
    let count = |db: &TestDb| -> usize {
        // Reopen as the app does (a kill before the first migration leaves an empty file).
        drop(db.store());
        let conn = rusqlite::Connection::open(db.path()).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM reviews", [], |r| r.get(0))
            .unwrap();
        let rolled: i64 = conn
            .query_row(
                "SELECT coalesce(sum(count), 0) FROM review_daily",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, rolled, "the rollup matches the rows after a kill");
        n as usize
    };
    let mut last = 0;
    let mut killed = 0;
    for delay_ms in [5u64, 40, 90, 160, 240, 330, 450, 600] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--db")
            .arg(db.path())
            .args([
                "import",
                file.to_str().unwrap(),
                "--business",
                CAFE,
                "--batch-size",
            ])
            .arg(BATCH.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(delay_ms) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL on Unix
            killed += 1;
        }
        child.wait().unwrap();
        let n = count(&db);
        assert!(n % BATCH == 0 || n == ROWS, "half a batch was written: {n}");
        assert!(n >= last, "committed rows were lost: {n} < {last}");
        last = n;
    }
    assert!(killed > 0, "no run was killed mid-import");
    let r = import(&db, &file, &[]).ok().json();
    assert_eq!(
        r["new"].as_u64().unwrap() as usize + r["unchanged"].as_u64().unwrap() as usize,
        ROWS
    );
    assert_eq!(
        count(&db),
        ROWS,
        "a rerun completes the work with no duplicates"
    );
}

/// Issue 24: `earshot sync` runs the app's round, so a new 1★ review it brings raises its
/// `new_negative` alert at once; `earshot alerts` lists it with no `alerts check` in between.
#[test]
fn sync_raises_the_alert_of_a_new_one_star_review_without_alerts_check() {
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const TP_PATH: &str = "/v1/business-units/bu-1/reviews";
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    let written = (chrono::Utc::now() - chrono::Duration::hours(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let review = serde_json::json!({
        "id": "tp-1",
        "stars": 1,
        "title": "Never again",
        "text": "Cold food and nobody came to the table for forty minutes.",
        "createdAt": written,
        "consumer": {"displayName": "Sam"},
        "links": [],
    });
    rt.block_on(async {
        Mock::given(method("GET"))
            .and(path(TP_PATH))
            .and(query_param("page", "1"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({ "reviews": [review], "links": [] })),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(TP_PATH))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({ "reviews": [] })),
            )
            .mount(&server)
            .await;
    });
    let db = TestDb::new();
    db.earshot(&[
        "sources",
        "add",
        "trustpilot",
        "--business",
        CAFE,
        "--set",
        "business_unit_id=bu-1",
        "--set",
        "api_key=tp-key",
        "--set",
        &format!("base_url={}", server.uri()),
    ])
    .ok();
    assert_eq!(
        db.earshot(&["alerts", "--json"]).ok().json(),
        serde_json::json!([])
    );

    let synced = db.earshot(&["sync", "--json"]).ok().json();
    assert_eq!(synced["new"], 1);

    let reviews = db
        .earshot(&["reviews", "--business", CAFE, "--json"])
        .ok()
        .json();
    let review_id = reviews[0]["id"].as_i64().unwrap();
    let alerts = db.earshot(&["alerts", "--json"]).ok().json();
    let alerts = alerts.as_array().unwrap();
    let negative: Vec<&Value> = alerts
        .iter()
        .filter(|a| a["kind"] == "new_negative")
        .collect();
    assert_eq!(negative.len(), 1, "{alerts:?}");
    assert_eq!(negative[0]["review_ids"], serde_json::json!([review_id]));
    assert_eq!(negative[0]["state"], "new");
    assert_eq!(negative[0]["business"], CAFE);
    // The sync said so too, for scripts.
    assert_eq!(synced["new_alerts"][0]["kind"], "new_negative");
}

/// Runs `earshot --db DB args…` with `input` on standard input (a pipe, not a terminal).
fn earshot_with_stdin(db: &TestDb, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--db")
        .arg(&db.path)
        .args(args)
        .env("XDG_DATA_HOME", db.dir.path())
        .env("EARSHOT_SECRETS_FILE", db.dir.path().join("secrets.json"))
        .env_remove("EARSHOT_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run earshot");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_secret_piped_to_set_secret_reaches_the_secrets_file_and_never_the_arguments() {
    // Issue 33: secrets could only be given as `--set api_key=…`, which every local user sees
    // in the process list and the shell keeps in its history.
    let db = TestDb::new();
    let key = "tp-piped-key-4711";
    let args = [
        "sources",
        "add",
        "trustpilot",
        "--business",
        CAFE,
        "--set",
        "business_unit_id=bu-1",
        "--set-secret",
        "api_key",
        "--json",
    ];
    assert!(args.iter().all(|a| !a.contains(key)));
    let out = earshot_with_stdin(&db, &args, &format!("{key}\n"));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stdout.contains(key) && !stderr.contains(key),
        "{stdout}{stderr}"
    );
    let source: Value = serde_json::from_str(&stdout).unwrap();
    let id = source["id"].as_i64().unwrap();
    let kept: Value =
        serde_json::from_str(&std::fs::read_to_string(db.dir.path().join("secrets.json")).unwrap())
            .unwrap();
    let database = db.store().database_id().unwrap();
    assert_eq!(
        kept[format!("db-{database}/source-{id}/api_key")],
        key,
        "{kept}"
    );
    // Nothing of it in the database.
    for file in ["earshot.db", "earshot.db-wal"] {
        let bytes = std::fs::read(db.dir.path().join(file)).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains(key), "{file}");
    }

    // Nothing piped: refused, nothing added.
    let out = earshot_with_stdin(
        &db,
        &[
            "sources",
            "add",
            "trustpilot",
            "--business",
            CAFE,
            "--set",
            "business_unit_id=bu-2",
            "--set-secret",
            "api_key",
        ],
        "",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no value was given for api_key"));
    // A name that is not one of the platform's secrets is refused before anything is read.
    let out = earshot_with_stdin(
        &db,
        &[
            "sources",
            "add",
            "trustpilot",
            "--business",
            CAFE,
            "--set-secret",
            "business_unit_id",
        ],
        "bu-3\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no secret setting by that name"));
    assert_eq!(db.store().sources().unwrap().len(), 1);
}
