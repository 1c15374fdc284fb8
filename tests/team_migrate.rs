//! `earshot migrate --to URL` (issue 31): a database file with reviews in several languages,
//! edits (revisions), sources, alerts, replies, templates, rules and settings, made with the
//! real binary, copied into a team database on the throwaway cluster, checked there (the
//! binary's own check, then `stats`, `reviews` and searches answering the same on both), and
//! copied back into a new file that holds what the original held. A target that already holds
//! reviews is refused and left as it was.

use std::path::Path;
use std::process::{Command, Output};

use earshot::actions::migrate::{Handling, TABLES};
use earshot::store::migrate::Cell;
use earshot::store::postgres::cluster;
use earshot::store::{Db, DbLocation};
use serde_json::Value;

use crate::common::TestDb;

/// Runs the real binary on `db` (a file path or a URL), with the test's private folders.
fn earshot(test: &TestDb, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("XDG_DATA_HOME", test.dir.path())
        .env("EARSHOT_SECRETS_FILE", test.dir.path().join("secrets.json"))
        .env_remove("EARSHOT_DB")
        .output()
        .unwrap()
}

fn ok(test: &TestDb, db: &str, args: &[&str]) -> String {
    let out = earshot(test, db, args);
    assert!(
        out.status.success(),
        "earshot --db {db} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(test: &TestDb, db: &str, args: &[&str]) -> Value {
    let out = ok(test, db, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

/// Reviews in English, French, German and Spanish over three months, every rating, on two
/// platforms; `edited` changes the text of every fifth (a revision each when imported again).
fn reviews_csv(edited: bool) -> String {
    let texts = [
        "Great coffee and friendly staff, the croissants were perfect",
        "The coffee was cold and the service slow, we waited forever",
        "Le café était froid et le service très lent, croissants rassis",
        "Un accueil chaleureux et des croissants délicieux",
        "Der Kaffee war kalt und die Bedienung unfreundlich",
        "Wunderbarer Kuchen, sehr freundliches Personal",
        "El café estaba frío y el servicio muy lento",
        "Croissants riquísimos y un personal encantador",
    ];
    let mut csv = String::from("external_id,platform,author,rating,title,body,created_at,url\n");
    for i in 0..96u32 {
        let rating = match i % 6 {
            5 => String::new(),
            r => (r + 1).to_string(),
        };
        let mut body = format!("{} (visit {i})", texts[(i % 8) as usize]);
        if edited && i % 5 == 0 {
            body.push_str(" — updated: they called us back");
        }
        csv.push_str(&format!(
            "m{i},{},Guest {i},{rating},,\"{body}\",2025-{:02}-{:02}T{:02}:{:02}:00Z,\n",
            ["google", "yelp"][(i % 2) as usize],
            4 + i / 32,
            1 + i % 28,
            i % 24,
            i % 60,
        ));
    }
    csv
}

/// What a table holds on a store, every row in key order (the same reading the copy's check
/// does), JSON text compared by value. A rollup's sums of floats are rounded: each store adds
/// them in its own order.
fn table_rows(db: &Db, name: &str) -> Vec<Vec<String>> {
    let entry = TABLES.iter().find(|t| t.table.name == name).unwrap();
    let rollup = entry.copy == Handling::Rollup;
    db.copy_rows(&entry.table, i64::MIN, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Cell::Text(t) => serde_json::from_str::<Value>(t)
                        .map_or_else(|_| t.clone(), |v| v.to_string()),
                    Cell::Real(f) if rollup => format!("{f:.9}"),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_file_goes_to_a_team_database_and_back_with_every_row_and_figure() {
    let test = TestDb::new();
    let file = test.path().display().to_string();
    let first = test.file("reviews.csv", &reviews_csv(false));
    let second = test.file("reviews_edited.csv", &reviews_csv(true));
    let basic = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reviews_basic.csv");

    // The single seat's file: two businesses, imports, edits, alerts, replies, rules, settings.
    ok(
        &test,
        &file,
        &["businesses", "add", "Harbour Café", "--category", "cafe"],
    );
    ok(
        &test,
        &file,
        &["businesses", "add", "Rival Roasters", "--competitor"],
    );
    for (csv, business) in [
        (first.as_path(), "Harbour Café"),
        (second.as_path(), "Harbour Café"),
        (basic.as_path(), "Rival Roasters"),
    ] {
        ok(
            &test,
            &file,
            &["import", csv.to_str().unwrap(), "--business", business],
        );
    }
    ok(&test, &file, &["alerts", "check"]);
    ok(
        &test,
        &file,
        &[
            "alerts",
            "rules",
            "set",
            "watch_word",
            "--param",
            "words=refund, lawyer",
        ],
    );
    ok(
        &test,
        &file,
        &[
            "reply",
            "template",
            "Thanks",
            "Thank you {first_name}!",
            "--min-stars",
            "4",
        ],
    );
    ok(
        &test,
        &file,
        &[
            "topics",
            "add",
            "pastries",
            "--business",
            "Harbour Café",
            "--words",
            "croissant,kuchen",
        ],
    );
    let listed = json(
        &test,
        &file,
        &[
            "reviews",
            "--business",
            "Harbour Café",
            "--limit",
            "500",
            "--json",
        ],
    );
    let ids: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].to_string())
        .collect();
    ok(
        &test,
        &file,
        &[
            "reply",
            "save",
            "--review",
            &ids[0],
            "Sorry about the wait, come back soon.",
        ],
    );
    ok(
        &test,
        &file,
        &[
            "reply",
            "mark-replied",
            "--review",
            &ids[1],
            "Thank you, we answered by phone.",
        ],
    );

    let original = Db::open(&DbLocation::File(test.path().to_owned())).unwrap();
    for name in [
        "reviews",
        "review_revisions",
        "alerts",
        "alert_reviews",
        "replies",
        "reply_templates",
        "alert_rules",
        "sources",
        "owner_topics",
    ] {
        assert!(
            !table_rows(&original, name).is_empty(),
            "the fixture has {name}"
        );
    }
    let languages: std::collections::BTreeSet<String> = table_rows(&original, "reviews")
        .iter()
        .map(|r| r[11].clone())
        .collect();
    assert!(languages.len() >= 4, "several languages: {languages:?}");
    drop(original);

    // To the team database.
    let url = cluster::fresh_database("migrate_there");
    let report = json(&test, &file, &["migrate", "--to", &url, "--json"]);
    let rows_of = |report: &Value, name: &str| {
        report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .map(|t| t["rows"].as_u64().unwrap())
    };
    assert_eq!(rows_of(&report, "reviews"), Some(100), "{report}");
    assert!(
        rows_of(&report, "review_revisions").unwrap() >= 19,
        "{report}"
    );
    assert_eq!(rows_of(&report, "businesses"), Some(2), "{report}");
    // The owner's topic goes with the reviews, now that the team store has topics; on the way
    // there nothing is left behind.
    assert_eq!(rows_of(&report, "owner_topics"), Some(1), "{report}");
    assert_eq!(report["not_copied"], serde_json::json!([]), "{report}");
    let checked = &report["checked"];
    assert_eq!(checked["reviews_compared"], 100, "{report}");
    assert_eq!(checked["businesses_compared"], 2, "{report}");
    assert!(
        checked["rollup_rows_compared"].as_u64().unwrap() > 0,
        "{report}"
    );
    assert!(
        report["notes"][0]
            .as_str()
            .unwrap()
            .contains("sources auth"),
        "{report}"
    );

    // The team database answers as the file does.
    let same_answers = |a: &str, b: &str| {
        for business in ["Harbour Café", "Rival Roasters"] {
            for args in [
                vec!["stats", "--business", business, "--json"],
                vec![
                    "reviews",
                    "--business",
                    business,
                    "--limit",
                    "500",
                    "--json",
                ],
                vec![
                    "reviews",
                    "--business",
                    business,
                    "--search",
                    "croissants",
                    "--json",
                ],
                vec![
                    "reviews",
                    "--business",
                    business,
                    "--unanswered",
                    "--max-rating",
                    "2",
                    "--json",
                ],
                vec!["alerts", "--all", "--json"],
                vec!["replies", "list", "--json"],
                vec!["reply", "templates", "--json"],
            ] {
                assert_eq!(
                    json(&test, a, &args),
                    json(&test, b, &args),
                    "{args:?} on {a} and {b}"
                );
            }
        }
    };
    same_answers(&file, &url);
    let found = json(
        &test,
        &url,
        &[
            "reviews",
            "--business",
            "Harbour Café",
            "--search",
            "croissants",
            "--json",
        ],
    );
    assert!(!found.as_array().unwrap().is_empty());

    // A target that holds reviews is refused, and nothing is written to it.
    let again = earshot(&test, &file, &["migrate", "--to", &url]);
    assert!(!again.status.success());
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("already holds 100 reviews"), "{said}");
    assert!(said.contains("nothing was written"), "{said}");
    assert_eq!(
        json(
            &test,
            &url,
            &["stats", "--business", "Harbour Café", "--json"]
        )["count"],
        96
    );

    // Back to a new file: the same rows as the original.
    let back = test.dir.path().join("back.db").display().to_string();
    let text = ok(&test, &url, &["migrate", "--to", &back]);
    assert!(text.contains("Checked, all equal"), "{text}");
    let original = Db::open(&DbLocation::File(test.path().to_owned())).unwrap();
    let returned = Db::open(&DbLocation::File(back.clone().into())).unwrap();
    for entry in TABLES
        .iter()
        .filter(|t| matches!(t.copy, Handling::Rows | Handling::Rollup))
    {
        let name = entry.table.name;
        assert_eq!(
            table_rows(&original, name),
            table_rows(&returned, name),
            "{name}"
        );
    }
    drop((original, returned));
    same_answers(&file, &back);

    // Between two files, or two team databases, is not what migrate does.
    let other = test.dir.path().join("other.db").display().to_string();
    let out = earshot(&test, &file, &["migrate", "--to", &other]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("earshot backup"));

    // New ids on the team database follow the copied ones.
    ok(&test, &url, &["businesses", "add", "Third Place"]);
    let businesses = json(&test, &url, &["businesses", "list", "--json"]);
    assert!(
        businesses
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["name"] == "Third Place" && b["id"] == 3),
        "{businesses}"
    );
}

/// `n` reviews of one business over a year, for the larger copy.
fn many_reviews_csv(n: u32) -> String {
    let mut csv = String::from("external_id,platform,author,rating,body,created_at\n");
    let texts = [
        "Lovely breakfast and quick service",
        "Cold coffee, slow staff, never again",
        "Le petit déjeuner était parfait",
        "Der Kuchen war trocken",
    ];
    for i in 0..n {
        csv.push_str(&format!(
            "b{i},google,Guest {i},{},\"{} {i}\",2025-{:02}-{:02}T{:02}:00:00Z\n",
            i % 5 + 1,
            texts[(i % 4) as usize],
            1 + i % 12,
            1 + i % 28,
            i % 24,
        ));
    }
    csv
}

/// A copy that fails part-way (a damaged review, after businesses and sources were copied)
/// leaves the team database as it was, and a rerun after the repair copies everything. Past
/// 1,000 rows, reviews are checked by a sample chosen evenly by id. A team reply waiting for a
/// manager's approval becomes the owner's draft in a file, and the check knows it.
#[test]
fn a_failed_copy_leaves_the_target_empty_and_a_rerun_copies_a_larger_file() {
    let test = TestDb::new();
    let file = test.path().display().to_string();
    let csv = test.file("many.csv", &many_reviews_csv(1_500));
    ok(
        &test,
        &file,
        &["import", csv.to_str().unwrap(), "--business", "Big Café"],
    );
    ok(
        &test,
        &file,
        &[
            "reply",
            "save",
            "--review",
            "7",
            "Thank you for the kind words.",
        ],
    );
    let conn = rusqlite::Connection::open(test.path()).unwrap();
    conn.execute(
        "UPDATE reviews SET content_hash = 'damaged' WHERE id = 1400",
        [],
    )
    .unwrap();

    let url = cluster::fresh_database("migrate_failed");
    let failed = earshot(&test, &file, &["migrate", "--to", &url, "--json"]);
    assert!(!failed.status.success());
    let said = String::from_utf8_lossy(&failed.stderr);
    assert!(said.contains("reviews.content_hash"), "{said}");
    assert_eq!(
        json(&test, &url, &["businesses", "list", "--json"]),
        serde_json::json!([]),
        "nothing of the failed copy stays"
    );

    conn.execute("UPDATE reviews SET content_hash = 7 WHERE id = 1400", [])
        .unwrap();
    drop(conn);
    // A run killed part-way leaves all or nothing, and a rerun then copies everything.
    let killed_url = cluster::fresh_database("migrate_killed");
    let mut run = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["--db", &file, "migrate", "--to", &killed_url, "--json"])
        .env("XDG_DATA_HOME", test.dir.path())
        .env_remove("EARSHOT_DB")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    let _ = run.kill();
    let _ = run.wait();
    let reviews = TABLES.iter().find(|t| t.table.name == "reviews").unwrap();
    let killed = Db::open(&DbLocation::parse(Path::new(&killed_url))).unwrap();
    let left = killed.copy_row_count(&reviews.table).unwrap();
    assert!(
        left == 0 || left == 1_500,
        "a killed run left {left} reviews"
    );
    eprintln!("a run killed after 600 ms left {left} of 1,500 reviews");
    drop(killed);
    if left == 0 {
        json(&test, &file, &["migrate", "--to", &killed_url, "--json"]);
    }

    let started = std::time::Instant::now();
    let report = json(&test, &file, &["migrate", "--to", &url, "--json"]);
    eprintln!(
        "1,500 reviews to the team database, copied and checked: {:?}",
        started.elapsed()
    );
    assert_eq!(
        report["checked"]["sampled_tables"],
        serde_json::json!(["reviews"])
    );
    assert_eq!(report["checked"]["reviews_compared"], 200, "{report}");
    let stats = |db: &str| json(&test, db, &["stats", "--business", "Big Café", "--json"]);
    assert_eq!(stats(&file), stats(&url));

    // A staff member's reply waits for a manager on the team database.
    let mut team = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    team.execute(
        "UPDATE replies SET state = 'awaiting_approval' WHERE review_id = 7",
        &[],
    )
    .unwrap();
    let back = test.dir.path().join("back.db").display().to_string();
    let started = std::time::Instant::now();
    let report = json(&test, &url, &["migrate", "--to", &back, "--json"]);
    eprintln!(
        "1,500 reviews back into a file, copied and checked: {:?}",
        started.elapsed()
    );
    assert_eq!(report["checked"]["reviews_compared"], 200, "{report}");
    let replies = json(&test, &back, &["replies", "list", "--json"]);
    assert_eq!(replies[0]["state"], "draft", "{replies}");
    assert_eq!(stats(&back), stats(&url));
    let found = |db: &str| {
        json(
            &test,
            db,
            &[
                "reviews",
                "--business",
                "Big Café",
                "--search",
                "kuchen",
                "--json",
            ],
        )
    };
    assert_eq!(found(&back), found(&file));
}

/// The copy's store methods on both stores: counts, pages in id order that put the table
/// back together, a sample spread from the lowest id to the highest and read back by id, and
/// a copy abandoned part-way that leaves nothing.
#[test]
fn the_copy_methods_read_page_sample_and_roll_back_alike_on_both_stores() {
    let test = TestDb::new();
    let csv = test.file("many.csv", &many_reviews_csv(300));
    let table = |name: &str| TABLES.iter().find(|t| t.table.name == name).unwrap().table;
    let (reviews, businesses) = (table("reviews"), table("businesses"));
    let mut sampled = Vec::new();
    for mut db in crate::team_store::both_stores(&test, "copy_methods") {
        let at = db.location();
        let opts = earshot::import::ImportOptions {
            business: "Paged Café".into(),
            ..Default::default()
        };
        earshot::actions::import_into(
            &mut db,
            std::slice::from_ref(&csv),
            &opts,
            Some(100),
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(db.copy_row_count(&reviews).unwrap(), 300, "{at}");

        let mut paged = Vec::new();
        let mut after = i64::MIN;
        loop {
            let page = db.copy_rows(&reviews, after, 7).unwrap();
            let Some(last) = page.last().and_then(earshot::store::migrate::row_id) else {
                break;
            };
            assert!(page.len() <= 7, "{at}");
            after = last;
            paged.extend(page);
        }
        assert_eq!(
            paged,
            db.copy_rows(&reviews, i64::MIN, usize::MAX).unwrap(),
            "{at}"
        );
        assert_eq!(paged.len(), 300, "{at}");

        let ids = db.copy_sample_ids(&reviews, 20).unwrap();
        assert_eq!(ids.len(), 20, "{at}");
        assert_eq!(ids.first(), Some(&1), "{at}");
        assert_eq!(ids.last(), Some(&300), "{at}");
        let rows = db.copy_rows_with_ids(&reviews, &ids).unwrap();
        let read_ids: Vec<i64> = rows
            .iter()
            .filter_map(earshot::store::migrate::row_id)
            .collect();
        assert_eq!(read_ids, ids, "{at}");
        sampled.push(ids);

        let mut extra = db.copy_rows(&businesses, i64::MIN, usize::MAX).unwrap();
        extra[0][0] = Cell::Int(99);
        extra[0][1] = Cell::Text("Abandoned Café".into());
        db.begin_copy().unwrap();
        db.copy_in(&businesses, &extra).unwrap();
        assert_eq!(db.copy_row_count(&businesses).unwrap(), 2, "{at}");
        db.abandon_copy().unwrap();
        assert_eq!(db.copy_row_count(&businesses).unwrap(), 1, "{at}");
    }
    assert_eq!(sampled[0], sampled[1], "the same ids chosen on both stores");
}
