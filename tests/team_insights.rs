//! What an owner reads on a team database (issue 31): businesses, trends, the comparison with
//! competitors, the projection, what customers talk about (topics) and the CSV export give the same answers on the SQLite file and on a real
//! PostgreSQL cluster the test starts itself, through the same insight functions and through the
//! `earshot` binary with `--db postgresql://…`, output for output.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use earshot::analysis::trends::Granularity;
use earshot::import::ImportOptions;
use earshot::insights;
use earshot::store::postgres::cluster;
use earshot::store::Db;

use crate::common::TestDb;
use crate::team_store::both_stores;

/// 300 reviews over five months for one business and 90 for its competitor: every rating, some
/// unrated, texts that name aspects (coffee, staff, service, prices, wait) with both polarities.
fn generated_csv(test: &TestDb, name: &str, count: u32, seed: u32) -> PathBuf {
    let mut csv = String::from("external_id,platform,author,rating,title,body,created_at,url\n");
    let platforms = ["google", "yelp", "tripadvisor"];
    let texts = [
        "Great coffee and friendly staff",
        "The coffee was cold and the service slow",
        "Prices are too high for what you get",
        "Wonderful croissants, the wait was short",
        "Terrible wait, rude staff, never again",
        "Lovely atmosphere, good value for money",
        "Le café était froid et le service très lent",
    ];
    for i in 0..count {
        let k = i + seed;
        let rating = match k % 9 {
            8 => String::new(),
            r => (r % 5 + 1).to_string(),
        };
        let day = 1 + k % 28;
        let month = 1 + i * 5 / count;
        csv.push_str(&format!(
            "{name}{i},{},Guest {i},{rating},,\"{} #{i}\",2025-{month:02}-{day:02}T{:02}:{:02}:00Z,\n",
            platforms[(k % 3) as usize],
            texts[(k % 7) as usize],
            k % 24,
            k % 60,
        ));
    }
    test.file(&format!("{name}.csv"), &csv)
}

fn import(db: &mut Db, path: &Path, business: &str) {
    let opts = ImportOptions {
        business: business.into(),
        ..Default::default()
    };
    earshot::actions::import_into(db, &[path.to_owned()], &opts, Some(64), &mut |_, _| {})
        .unwrap_or_else(|e| panic!("import into {}: {e}", db.location()));
}

/// Everything the insight functions answer about the data, as one JSON value.
fn answers(db: &Db, today: NaiveDate) -> serde_json::Value {
    let own = db.business_by_name("Harbour Café").unwrap();
    let rival = db.business_by_name("Rival Roasters").unwrap();
    let mut out = serde_json::Map::new();
    for by in [Granularity::Day, Granularity::Week, Granularity::Month] {
        for platform in [None, Some("google")] {
            let t = insights::trends(db, own.id, by, platform, true).unwrap();
            out.insert(
                format!("trends {by:?} {platform:?}"),
                serde_json::to_value(t).unwrap(),
            );
        }
    }
    let c = insights::compare(db, &[own.id, rival.id], today).unwrap();
    out.insert("compare".into(), serde_json::to_value(c).unwrap());
    for target in [None, Some(4.5), Some(2.0)] {
        let p = insights::projection(db, own.id, None, target, today, 90).unwrap();
        out.insert(
            format!("projection {target:?}"),
            serde_json::to_value(p).unwrap(),
        );
    }
    for since in [None, NaiveDate::from_ymd_opt(2025, 3, 1)] {
        let t = insights::topics(db, own.id, since, today, Granularity::Week).unwrap();
        out.insert(
            format!("topics {since:?}"),
            serde_json::to_value(t).unwrap(),
        );
    }
    for period in [30, 90, 365] {
        let o = insights::overview(db, own.id, today, period).unwrap();
        out.insert(
            format!("overview {period}"),
            serde_json::to_value(o).unwrap(),
        );
    }
    let facets = earshot::actions::inbox_facets(db).unwrap();
    out.insert("facets".into(), serde_json::to_value(facets).unwrap());
    let s = insights::summary(db, own.id, today).unwrap();
    out.insert("summary".into(), serde_json::to_value(s).unwrap());
    out.insert(
        "businesses".into(),
        serde_json::to_value(db.businesses().unwrap()).unwrap(),
    );
    serde_json::Value::Object(out)
}

#[test]
fn trends_comparison_projection_and_topics_agree_on_both_stores() {
    let test = TestDb::new();
    let own_csv = generated_csv(&test, "own", 300, 0);
    let rival_csv = generated_csv(&test, "rival", 90, 4);
    let today = NaiveDate::from_ymd_opt(2025, 5, 20).unwrap();
    let mut results = Vec::new();
    for mut db in both_stores(&test, "insights_agree") {
        db.add_business("Harbour Café", false).unwrap();
        let rival = db.add_business("Rival Roasters", true).unwrap();
        db.set_business_category(rival.id, Some("cafe")).unwrap();
        import(&mut db, &own_csv, "Harbour Café");
        import(&mut db, &rival_csv, "Rival Roasters");
        let a = answers(&db, today);
        let summary = &a["summary"];
        // Up to `today`: the reviews dated after it in May are not counted yet.
        let counted = summary["all_time"]["count"].as_i64().unwrap();
        assert!(
            (250..300).contains(&counted),
            "{counted} on {}",
            db.location()
        );
        assert!(
            summary["top_aspects"].as_array().unwrap().len() >= 3,
            "the texts name aspects: {summary}"
        );
        assert_eq!(a["compare"]["businesses"].as_array().unwrap().len(), 2);
        assert!(a["projection Some(4.5)"]["current_rating"].is_number());
        results.push((db.location(), a));
    }
    let (file, on_file) = &results[0];
    let (team, on_team) = &results[1];
    for (key, value) in on_file.as_object().unwrap() {
        let mut differences = Vec::new();
        differ(key, value, &on_team[key], &mut differences);
        assert!(
            differences.is_empty(),
            "between {file} and {team}: {differences:#?}"
        );
    }
}

/// The same commands, with the same data, print the same text and JSON on a file and with
/// `--db postgresql://…`.
#[test]
fn the_cli_reads_what_an_owner_reads_on_a_team_database() {
    let test = TestDb::new();
    let url = cluster::fresh_database("insights_cli");
    let own_csv = generated_csv(&test, "own", 200, 1);
    let rival_csv = generated_csv(&test, "rival", 60, 3);
    let run = |db: &str, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--db")
            .arg(db)
            .args(args)
            .env("XDG_DATA_HOME", test.dir.path())
            .env_remove("EARSHOT_DB")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "earshot {args:?} on {db}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let file = test.path().to_str().unwrap().to_owned();
    for db in [&file, &url] {
        run(db, &["businesses", "add", "Harbour Café", "--json"]);
        run(
            db,
            &[
                "businesses",
                "add",
                "Rival Roasters",
                "--competitor",
                "--category",
                "cafe",
            ],
        );
        for (csv, business) in [(&own_csv, "Harbour Café"), (&rival_csv, "Rival Roasters")] {
            let csv = csv.to_str().unwrap();
            run(db, &["import", csv, "--business", business, "--json"]);
        }
    }
    let commands: &[&[&str]] = &[
        &["businesses", "list"],
        &["businesses", "list", "--json"],
        &["trends", "--business", "Harbour Café"],
        &[
            "trends",
            "--business",
            "Harbour Café",
            "--json",
            "--reply-times",
        ],
        &[
            "trends",
            "--business",
            "Harbour Café",
            "--by",
            "week",
            "--platform",
            "Google",
        ],
        &[
            "trends",
            "--business",
            "Harbour Café",
            "--by",
            "day",
            "--json",
        ],
        &[
            "compare",
            "--business",
            "Harbour Café",
            "--with",
            "Rival Roasters",
            "--today",
            "2025-05-20",
        ],
        &[
            "compare",
            "--business",
            "Harbour Café",
            "--with",
            "Rival Roasters",
            "--today",
            "2025-05-20",
            "--json",
        ],
        &[
            "project",
            "--business",
            "Harbour Café",
            "--target",
            "4.5",
            "--today",
            "2025-05-20",
        ],
        &[
            "project",
            "--business",
            "Harbour Café",
            "--target",
            "4.5",
            "--today",
            "2025-05-20",
            "--json",
        ],
        &[
            "project",
            "--business",
            "Harbour Café",
            "--platform",
            "yelp",
            "--days",
            "30",
            "--today",
            "2025-05-20",
            "--json",
        ],
        &[
            "topics",
            "--business",
            "Harbour Café",
            "--today",
            "2025-05-20",
        ],
        &[
            "topics",
            "--business",
            "Harbour Café",
            "--today",
            "2025-05-20",
            "--json",
        ],
        &[
            "topics",
            "--business",
            "Rival Roasters",
            "--since",
            "2025-03-01",
            "--today",
            "2025-05-20",
            "--by",
            "week",
            "--json",
        ],
        // The owner's own topics: none yet, said the same way (tests/team_reads.rs adds some).
        &["topics", "list"],
        &["export", "--csv", "-"],
        &["export", "--csv", "-", "--business", "Rival Roasters"],
    ];
    for args in commands {
        let on_file = run(&file, args);
        let on_team = run(&url, args);
        assert!(!on_file.trim().is_empty(), "{args:?}");
        assert_eq!(on_file, on_team, "earshot {args:?}");
    }
    let listed: serde_json::Value =
        serde_json::from_str(&run(&url, &["businesses", "list", "--json"])).unwrap();
    assert_eq!(listed[1]["name"], "Rival Roasters");
    assert_eq!(listed[1]["is_competitor"], true);
    assert_eq!(listed[1]["category"], "cafe");
}

/// Where two answers differ, leaf by leaf (path, on the file, on the team database).
fn differ(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            for (k, v) in x {
                differ(&format!("{path}.{k}"), v, &y[k], out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differ(&format!("{path}[{i}]"), v, w, out);
            }
        }
        // A figure rounded to three places may land a step apart: the two engines add a day's
        // sentiments in different orders, and a sum at a rounding boundary can fall either way.
        (Value::Number(x), Value::Number(y))
            if (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() <= 0.0011 => {}
        _ if a != b => out.push(format!("{path}: {a} / {b}")),
        _ => {}
    }
}
