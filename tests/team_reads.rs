//! The dashboard, the PNG report and the owner's own topics on a team database (issue 31): the
//! same answers on the SQLite file and on a real PostgreSQL cluster the test starts itself,
//! through the action layer (`actions::dashboard`, the topic actions) and through the `earshot`
//! binary with `--db postgresql://…`, byte for byte.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use earshot::actions;
use earshot::model::{BusinessId, IncomingReview, Kind, SourceId};
use earshot::store::postgres::cluster;
use earshot::store::{Db, ReplyStore, ReviewFilter};

use crate::common::TestDb;
use crate::team_store::both_stores;

/// The day the dashboard is drawn for: every review below is dated before it.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
}

fn at(days_before_today: i64, hour: i64) -> DateTime<Utc> {
    today().and_hms_opt(0, 0, 0).unwrap().and_utc() - Duration::days(days_before_today)
        + Duration::hours(hour)
}

const TEXTS: [&str; 6] = [
    "Great coffee and friendly staff",
    "Parking was a nightmare, the coffee was cold",
    "Could not find a car park anywhere, slow service",
    "Lovely croissants, easy to park outside",
    "Rude staff and prices too high",
    "The new menu is superb",
];

fn item(
    id: String,
    platform: &str,
    rating: f64,
    created: DateTime<Utc>,
    body: &str,
) -> IncomingReview {
    IncomingReview {
        external_id: id,
        platform: platform.into(),
        kind: Kind::Review,
        author: Some("Guest".into()),
        rating: Some(rating),
        title: None,
        body: body.into(),
        url: None,
        language: None,
        created_at: created,
        updated_at: None,
        owner_reply: None,
        raw_json: None,
    }
}

/// Writes `items` to the `platform` source of `business` on either store.
fn write(db: &mut Db, business: BusinessId, platform: &str, items: &[IncomingReview]) -> SourceId {
    let settings = serde_json::json!({});
    match db {
        Db::Sqlite(ref mut s) => {
            let source = s
                .ensure_source(business, platform, "test", &settings)
                .unwrap();
            s.write_reviews(source, items).unwrap();
            source
        }
        Db::Postgres(p) => {
            let source = p
                .ensure_source(business, platform, "test", &settings)
                .unwrap();
            p.write_reviews(source, items).unwrap();
            source
        }
    }
}

/// `count` reviews of `prefix` over the last `days` days, on Google and Trustpilot.
fn reviews(prefix: &str, count: i64, days: i64, seed: i64) -> Vec<(String, Vec<IncomingReview>)> {
    let mut by_platform: Vec<(String, Vec<IncomingReview>)> = vec![
        ("google".into(), Vec::new()),
        ("trustpilot".into(), Vec::new()),
    ];
    for i in 0..count {
        let k = i + seed;
        let rating = (k * 7 % 5 + 1) as f64;
        let created = at(1 + i * days / count, k % 24);
        let body = format!("{} #{i}", TEXTS[(k % 6) as usize]);
        let (platform, items) = &mut by_platform[(k % 2) as usize];
        items.push(item(
            format!("{prefix}{i}"),
            platform,
            rating,
            created,
            &body,
        ));
    }
    by_platform
}

/// Two own locations and a competitor, a topic of the owner's own, replies (one of them won a
/// review back), alerts checked, and reviews written after the topic was added.
fn fill(db: &mut Db) -> (BusinessId, BusinessId) {
    let north = db.add_business("Harbour North", false).unwrap();
    let south = db.add_business("Harbour South", false).unwrap();
    let rival = db.add_business("Rival Roasters", true).unwrap();
    db.set_business_category(rival.id, Some("cafe")).unwrap();
    for (b, prefix, count, days, seed) in [
        (north.id, "n", 80, 400, 0),
        (south.id, "s", 30, 200, 3),
        (rival.id, "r", 40, 380, 5),
    ] {
        for (platform, items) in reviews(prefix, count, days, seed) {
            write(db, b, &platform, &items);
        }
    }
    let change = actions::save_topic(
        db,
        north.id,
        None,
        "parking",
        "park,car park",
        &mut |_, _| {},
    )
    .unwrap();
    assert!(change.reviews_retagged > 5, "{change:?}");

    // Replies a few hours after the reviews; a 1★ review answered, then re-rated 4★.
    let listed = db
        .list_reviews(&ReviewFilter {
            business_id: Some(north.id),
            limit: Some(1_000),
            ..Default::default()
        })
        .unwrap();
    for r in listed.iter().filter(|r| r.id % 4 == 0) {
        let when = r.created_at.timestamp() + 3_600 * (1 + r.id % 30);
        db.record_manual_reply(r.id, "Thank you for telling us.", when)
            .unwrap();
    }
    let low = listed
        .iter()
        .find(|r| r.rating == Some(1.0) && r.id % 4 != 0 && r.created_at > at(20, 0))
        .expect("a recent 1★ review");
    db.record_manual_reply(
        low.id,
        "Sorry, come back on us.",
        low.created_at.timestamp() + 7_200,
    )
    .unwrap();
    let mut edited = item(
        low.external_id.clone(),
        &low.platform,
        4.0,
        low.created_at,
        "They made it right, and there is parking behind.",
    );
    edited.updated_at = Some(low.created_at + Duration::days(2));
    write(db, north.id, &low.platform, &[edited]);

    // New reviews after the topic, tagged on the way in: a burst of complaints about it, which
    // the topic_surge rule finds in the aspect rollup as it finds a built-in aspect's.
    let late: Vec<_> = (0..15)
        .map(|i| {
            item(
                format!("late{i}"),
                "google",
                1.0,
                at(i % 5, i),
                "Terrible parking, awful, we drove around for ages",
            )
        })
        .collect();
    write(db, north.id, "google", &late);
    let now = today().and_hms_opt(23, 0, 0).unwrap().and_utc();
    earshot::alerts::check(db, now).unwrap();
    (north.id, rival.id)
}

#[test]
fn the_dashboard_and_the_owners_topics_agree_on_both_stores() {
    let test = TestDb::new();
    let mut boards = Vec::new();
    for mut db in both_stores(&test, "reads_dashboard") {
        let (north, rival) = fill(&mut db);
        let mut answers = serde_json::Map::new();
        for (name, business, period) in [
            ("default 30", None, 30),
            ("north 90", Some(north), 90),
            ("north 365", Some(north), 365),
            ("rival 30", Some(rival), 30),
        ] {
            let board = actions::dashboard(&db, business, Some(period), today()).unwrap();
            let mut value = serde_json::to_value(&board).unwrap();
            assert_eq!(value["db_path"], db.location());
            // Where the data is differs by design: a file's path, the server's URL.
            value.as_object_mut().unwrap().remove("db_path");
            // An edit's upsert on PostgreSQL takes an identity value it then does not use, so
            // reviews written after an edit have ids one apart on the two stores: the latest
            // reviews are compared by what they are (source, external id and the rest).
            for r in value["latest"].as_array_mut().unwrap() {
                r.as_object_mut().unwrap().remove("id");
            }
            answers.insert(name.into(), value);
        }
        answers.insert(
            "topics".into(),
            serde_json::to_value(actions::list_topics(&db, None).unwrap()).unwrap(),
        );
        let surges = earshot::store::AlertStore::alerts(
            &db,
            &earshot::model::alerts::AlertFilter {
                kind: Some(earshot::model::alerts::AlertKind::TopicSurge),
                ..Default::default()
            },
        )
        .unwrap();
        let messages: Vec<String> = surges.into_iter().map(|a| a.message).collect();
        answers.insert("topic surges".into(), messages.into());
        let svg = earshot::report::dashboard_document(&db, north, today(), 90).unwrap();
        answers.insert("report".into(), svg.into());
        boards.push((db.location(), answers));
    }
    let (file, on_file) = &boards[0];
    let (team, on_team) = &boards[1];

    let board = &on_file["north 90"];
    let p = &board["portfolio"];
    assert_eq!(p["locations"].as_array().unwrap().len(), 2, "{p}");
    assert_eq!(board["rivals"]["lines"].as_array().unwrap().len(), 2);
    assert_eq!(board["recovered"]["count"], 1, "{}", board["recovered"]);
    assert!(board["heading"]["median_reply_hours"].is_number());
    assert!(
        !board["alerts"].as_array().unwrap().is_empty(),
        "alerts checked"
    );
    let parking = &board["owner_topics"][0];
    assert_eq!(parking["name"], "parking");
    // The fifteen late reviews were tagged as they came in, on both stores (compared below).
    assert!(
        parking["recent_mentions"].as_i64().unwrap() >= 15,
        "{parking}"
    );
    assert!(on_file["rival 30"]["rivals"].is_null());
    // The owner's topic is alerted on as a built-in aspect is (and the same on the team store,
    // compared below).
    let surges = on_file["topic surges"].as_array().unwrap();
    assert!(
        surges.iter().any(|m| m
            .as_str()
            .unwrap()
            .starts_with("Complaints about parking at Harbour North")),
        "{surges:?}"
    );

    for (key, value) in on_file {
        let mut differences = Vec::new();
        differ(key, value, &on_team[key], &mut differences);
        assert!(
            differences.is_empty(),
            "between {file} and {team}: {differences:#?}"
        );
    }
}

/// Adding, renaming and removing a topic re-tags the reviews the same on both stores (the
/// rollup's counts after each step); a name taken, in any ASCII case, is refused on both.
#[test]
fn a_topics_changes_retag_the_team_stores_reviews_and_its_rollup_follows() {
    let test = TestDb::new();
    let mut results = Vec::new();
    for mut db in both_stores(&test, "reads_retag") {
        let (north, _) = fill(&mut db);
        let at_start = mentions(&db, north);
        let t = actions::list_topics(&db, Some(north)).unwrap().remove(0);
        let renamed = actions::save_topic(
            &mut db,
            north,
            Some(t.id),
            "car park",
            "car park,parked",
            &mut |_, _| {},
        )
        .unwrap();
        let after_rename = mentions(&db, north);
        let taken =
            actions::save_topic(&mut db, north, None, "CAR PARK", "", &mut |_, _| {}).unwrap_err();
        assert!(taken.to_string().contains("already has a topic"), "{taken}");
        let removed = actions::remove_topic(&mut db, t.id, &mut |_, _| {}).unwrap();
        let after_remove = mentions(&db, north);
        assert!(!after_remove
            .iter()
            .any(|(a, _)| a == "car park" || a == "parking"));
        results.push((
            db.location(),
            serde_json::json!({
                "start": at_start,
                "renamed": renamed,
                "after_rename": after_rename,
                "removed": removed,
                "after_remove": after_remove,
            }),
        ));
    }
    assert_eq!(
        results[0].1, results[1].1,
        "{} / {}",
        results[0].0, results[1].0
    );
}

/// (aspect, mentions) of a business over all time, from the rollup through the store's reads.
fn mentions(db: &Db, business: BusinessId) -> Vec<(String, i64)> {
    db.aspect_counts(business, i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|c| (c.aspect, c.mentions))
        .collect()
}

/// The same commands print the same text, JSON and pictures on a file and with
/// `--db postgresql://…`: the report, and the owner's own topics from adding to removing.
#[test]
fn the_report_and_topic_commands_give_the_same_output_on_a_team_database() {
    let test = TestDb::new();
    let url = cluster::fresh_database("reads_cli");
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
    let mut csv = String::from("external_id,platform,author,rating,title,body,created_at,url\n");
    for i in 0..120 {
        let day = at(1 + i * 3, i % 24).to_rfc3339();
        csv.push_str(&format!(
            "c{i},{},Guest {i},{},,\"{} #{i}\",{day},\n",
            ["google", "yelp"][(i % 2) as usize],
            i * 7 % 5 + 1,
            TEXTS[(i % 6) as usize],
        ));
    }
    let csv = test.file("cafe.csv", &csv);
    let rival_csv = test.file(
        "rival.csv",
        "external_id,platform,author,rating,title,body,created_at,url\n\
         r1,google,Ann,4,,Nice coffee,2026-03-02T10:00:00Z,\n\
         r2,google,Bob,2,,Slow service,2026-05-12T10:00:00Z,\n",
    );
    let file = test.path().to_str().unwrap().to_owned();
    let today = today().to_string();
    let mut outputs: Vec<Vec<(String, String)>> = Vec::new();
    for db in [&file, &url] {
        let mut seen = Vec::new();
        let mut record = |args: &[&str], out: String| seen.push((args.join(" "), out));
        for args in [
            &["businesses", "add", "Harbour Café", "--json"][..],
            &["businesses", "add", "Rival Roasters", "--competitor"],
            &[
                "import",
                csv.to_str().unwrap(),
                "--business",
                "Harbour Café",
                "--json",
            ],
            &[
                "import",
                rival_csv.to_str().unwrap(),
                "--business",
                "Rival Roasters",
                "--json",
            ],
            &["topics", "list"],
            &[
                "topics",
                "add",
                "--business",
                "Harbour Café",
                "parking",
                "--words",
                "park,car park",
                "--json",
            ],
            &[
                "topics",
                "add",
                "--business",
                "Harbour Café",
                "the new menu",
                "--words",
                "new menu",
            ],
            &["topics", "list", "--today", &today],
            &["topics", "list", "--today", &today, "--json"],
            &["topics", "--business", "Harbour Café", "--today", &today],
            &[
                "topics",
                "--business",
                "Harbour Café",
                "--today",
                &today,
                "--json",
            ],
            &[
                "topics",
                "edit",
                "parking",
                "--words",
                "park,parking lot",
                "--json",
            ],
            &[
                "topics",
                "edit",
                "the new menu",
                "--name",
                "menu",
                "--business",
                "Harbour Café",
            ],
            &[
                "topics",
                "list",
                "--business",
                "Harbour Café",
                "--today",
                &today,
                "--json",
            ],
            &["topics", "remove", "menu", "--json"],
            &["topics", "list", "--today", &today],
        ] {
            let out = run(db, args);
            record(args, out);
        }
        let svg = test
            .dir
            .path()
            .join(format!("report-{}.svg", outputs.len()));
        let png = test
            .dir
            .path()
            .join(format!("report-{}.png", outputs.len()));
        let svg_s = svg.to_str().unwrap();
        let png_s = png.to_str().unwrap();
        for period in ["30", "365"] {
            let said = run(
                db,
                &[
                    "report",
                    "--business",
                    "Harbour Café",
                    "--period",
                    period,
                    "--today",
                    &today,
                    "--svg",
                    svg_s,
                    "--png",
                    png_s,
                ],
            );
            assert!(
                said.contains("Saved the dashboard of Harbour Café"),
                "{said}"
            );
            record(&["report", period], std::fs::read_to_string(&svg).unwrap());
            let picture = std::fs::read(&png).unwrap();
            assert!(picture.starts_with(b"\x89PNG"), "a PNG");
            record(&["report png", period], format!("{} bytes", picture.len()));
        }
        outputs.push(seen);
    }
    for (on_file, on_team) in outputs[0].iter().zip(&outputs[1]) {
        assert!(!on_file.1.trim().is_empty(), "{}", on_file.0);
        assert_eq!(on_file, on_team, "earshot {}", on_file.0);
    }
    let svg = &outputs[1]
        .iter()
        .find(|(a, _)| a == "report 365")
        .unwrap()
        .1;
    assert!(
        svg.contains("Harbour Café") && svg.contains("Rival Roasters"),
        "the competitors' chart"
    );
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
        // sentiments in different orders (as `team_insights` allows).
        (Value::Number(x), Value::Number(y))
            if (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() <= 0.0011 => {}
        _ if a != b => out.push(format!("{path}: {a} / {b}")),
        _ => {}
    }
}

/// The owner's topics are a business's data like its reviews (migration 0009's table secured by
/// `earshot_secure_tables()`): staff given one business see only its topics and may not add
/// one; a manager adds one and the re-tag reaches every review of the business.
#[test]
fn staff_see_only_their_businesss_topics_and_a_manager_changes_them() {
    use earshot::store::postgres::{PgStore, Role};
    let url = cluster::fresh_database("reads_roles");
    let owner = PgStore::open(&url).unwrap();
    let mut ids = Vec::new();
    for (name, prefix) in [("Harbour Café", "h"), ("Hilltop Café", "t")] {
        let b = owner.ensure_business(name).unwrap();
        let source = owner
            .ensure_source(b.id, "file", "import", &serde_json::json!({}))
            .unwrap();
        let items: Vec<_> = (0..6)
            .map(|i| {
                item(
                    format!("{prefix}{i}"),
                    "google",
                    3.0,
                    at(i, 1),
                    TEXTS[i as usize],
                )
            })
            .collect();
        owner.write_reviews(source, &items).unwrap();
        owner
            .save_owner_topic(b.id, None, "parking", &["park".into()], &mut |_, _| {})
            .unwrap();
        ids.push(b.id);
    }
    owner.team_init().unwrap();
    owner
        .invite("reads_staff", Role::Staff, Some(&ids[..1]), "pw-staff")
        .unwrap();
    owner
        .invite("reads_manager", Role::Manager, None, "pw-manager")
        .unwrap();
    let as_user = |user: &str| {
        url.replacen(
            "postgresql://postgres@",
            &format!("postgresql://{user}@"),
            1,
        )
    };

    let staff = PgStore::open(&as_user("reads_staff")).unwrap();
    let seen = staff.owner_topics(None).unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].business_id, ids[0]);
    let refused = staff
        .save_owner_topic(ids[0], None, "the new menu", &[], &mut |_, _| {})
        .unwrap_err();
    // The server's own words are the error's source (the CLI prints them after it).
    let mut chain = refused.to_string();
    let mut cause = std::error::Error::source(&refused);
    while let Some(c) = cause {
        chain.push_str(&format!(": {c}"));
        cause = c.source();
    }
    assert!(chain.contains("permission denied"), "{chain}");

    let manager = PgStore::open(&as_user("reads_manager")).unwrap();
    assert_eq!(manager.owner_topics(None).unwrap().len(), 2);
    let (topic, retagged) = manager
        .save_owner_topic(
            ids[1],
            None,
            "the new menu",
            &["new menu".into()],
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!((topic.name.as_str(), retagged), ("the new menu", 1));
    let menu = manager
        .aspect_counts(ids[1], i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .find(|c| c.aspect == "the new menu")
        .map(|c| c.mentions);
    assert_eq!(menu, Some(1));
}
