//! The team store (issue 31): the same import, listing, search and figures on the SQLite file
//! and on a real PostgreSQL cluster that the test starts itself (initdb and pg_ctl on a free
//! port in a temporary folder; `earshot::store::postgres::cluster`), through the same action
//! and store calls. Each store's answers are checked, then compared with the other's.

use std::path::{Path, PathBuf};

use earshot::import::ImportOptions;
use earshot::model::{Review, WriteCounts};
use earshot::store::postgres::cluster;
use earshot::store::{Db, DbLocation, ReviewFilter, ReviewOrder};

use crate::common::TestDb;

/// Both stores, empty: a database file, and a fresh database on the shared throwaway cluster.
pub(crate) fn both_stores(test: &TestDb, label: &str) -> Vec<Db> {
    let file = Db::open(&DbLocation::File(test.path().to_owned())).unwrap();
    let url = cluster::fresh_database(label);
    let team = Db::open(&DbLocation::parse(Path::new(&url))).unwrap();
    assert!(matches!(team, Db::Postgres(_)));
    vec![file, team]
}

/// Reviews made up for these tests: 240 over 60 days, four platforms, every rating and some
/// unrated mentions-like rows, English and French text, words to search for.
fn generated_csv(test: &TestDb) -> PathBuf {
    let mut csv = String::from("external_id,platform,author,rating,title,body,created_at,url\n");
    let platforms = ["google", "yelp", "tripadvisor", "trustpilot"];
    let texts = [
        "Great coffee and friendly staff",
        "The coffee was cold and the service slow",
        "Le café était froid et le service très lent",
        "Wonderful croissants, we waited a little",
        "Terrible wait, rude waiter, never again",
        "Un accueil chaleureux et des croissants délicieux",
    ];
    for i in 0..240u32 {
        let rating = match i % 7 {
            6 => String::new(),
            r => (r % 5 + 1).to_string(),
        };
        let day = 1 + i / 4 % 28;
        let month = 3 + i / 120;
        csv.push_str(&format!(
            "gen{i},{},Guest {i},{rating},,\"{} #{i}\",2025-{month:02}-{day:02}T{:02}:{:02}:00Z,\n",
            platforms[(i % 4) as usize],
            texts[(i % 6) as usize],
            i % 24,
            i % 60,
        ));
    }
    test.file("generated.csv", &csv)
}

fn import(db: &mut Db, path: &Path, business: &str) -> WriteCounts {
    let opts = ImportOptions {
        business: business.into(),
        ..Default::default()
    };
    earshot::actions::import_into(db, &[path.to_owned()], &opts, Some(50), &mut |_, _| {})
        .unwrap_or_else(|e| panic!("import into {}: {e}", db.location()))
        .counts
}

/// What a listing says, store-independently: ids differ between stores, the rest must not.
fn shown(reviews: &[Review]) -> Vec<String> {
    reviews
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{:?}|{}|{}|{:?}",
                r.external_id, r.platform, r.rating, r.created_at, r.body, r.sentiment_label
            )
        })
        .collect()
}

#[test]
fn import_list_search_and_figures_agree_on_both_stores() {
    let test = TestDb::new();
    let generated = generated_csv(&test);
    let basic = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reviews_basic.csv");
    let mut answers: Vec<Vec<String>> = Vec::new();
    for mut db in both_stores(&test, "agree") {
        let at = db.location();
        let first = import(&mut db, &generated, "Harbour Café");
        assert_eq!((first.new, first.updated), (240, 0), "{at}");
        // A rerun doubles nothing.
        let again = import(&mut db, &generated, "Harbour Café");
        assert_eq!(
            (again.new, again.updated, again.unchanged),
            (0, 0, 240),
            "{at}"
        );
        let basic_counts = import(&mut db, &basic, "Harbour Café");
        assert_eq!(basic_counts.new, 4, "{at}");

        let cafe = db.business_by_name("harbour café").unwrap();
        let all = ReviewFilter {
            business_id: Some(cafe.id),
            limit: Some(1_000),
            ..Default::default()
        };
        let listed = db.list_reviews(&all).unwrap();
        assert_eq!(listed.len(), 244, "{at}");
        assert_eq!(db.count_reviews(&all).unwrap(), 244, "{at}");
        // Newest first, (created_at, id) descending.
        assert!(
            listed
                .windows(2)
                .all(|w| (w[0].created_at, w[0].id) > (w[1].created_at, w[1].id)),
            "{at}"
        );
        let oldest = db
            .list_reviews(&ReviewFilter {
                order: ReviewOrder::Oldest,
                limit: Some(3),
                ..all.clone()
            })
            .unwrap();
        assert_eq!(
            oldest[0].external_id, "g1",
            "{at}: the 2024 fixture is oldest"
        );

        let search = |text: &str| ReviewFilter {
            search: Some(text.into()),
            ..all.clone()
        };
        let coffee = db.list_reviews(&search("coffee")).unwrap();
        assert_eq!(coffee.len(), 81, "{at}: {:?}", shown(&coffee));
        assert_eq!(db.count_reviews(&search("coffee")).unwrap(), 81, "{at}");
        let both_words = db.list_reviews(&search("cold COFFEE")).unwrap();
        assert_eq!(both_words.len(), 40, "{at}");
        // Diacritics as written, quotes and operators as words, nothing typed at all.
        assert_eq!(db.list_reviews(&search("café")).unwrap().len(), 40, "{at}");
        assert_eq!(
            db.list_reviews(&search("\"OR\" NEAR(")).unwrap().len(),
            0,
            "{at}"
        );
        assert_eq!(db.list_reviews(&search(" - ")).unwrap().len(), 244, "{at}");

        let low = ReviewFilter {
            max_rating: Some(2.0),
            platform: Some("google".into()),
            since: Some("2025-03-10T00:00:00Z".parse().unwrap()),
            ..all.clone()
        };
        let stats = db.stats(cafe.id).unwrap();
        assert_eq!(stats.count, 244, "{at}");
        let mut answer = shown(&listed);
        answer.extend(shown(&coffee));
        answer.extend(shown(&db.list_reviews(&low).unwrap()));
        answer.push(format!("{}", db.count_reviews(&low).unwrap()));
        answer.push(serde_json::to_string(&stats).unwrap());
        answer.push(format!("{:?}", db.platforms(Some(cafe.id)).unwrap()));
        answers.push(answer);
    }
    assert_eq!(
        answers[0], answers[1],
        "the file and the team database disagree"
    );
}

/// An edit is stored as an update with the earlier text kept, and the figures follow it: on
/// both stores, the same counts.
#[test]
fn an_edited_review_updates_in_place_on_both_stores() {
    let test = TestDb::new();
    let before = test.file(
        "before.csv",
        "external_id,platform,author,rating,title,body,created_at,url\n\
         e1,google,Ana,1,,Cold coffee,2025-01-05T10:00:00Z,\n\
         e2,google,Ben,5,,Lovely cake,2025-01-06T10:00:00Z,\n",
    );
    let after = test.file(
        "after.csv",
        "external_id,platform,author,rating,title,body,created_at,url\n\
         e1,google,Ana,4,,Cold coffee but they made a new one at once,2025-01-05T10:00:00Z,\n\
         e2,google,Ben,5,,Lovely cake,2025-01-06T10:00:00Z,\n",
    );
    for mut db in both_stores(&test, "edit") {
        let at = db.location();
        import(&mut db, &before, "Edit Café");
        let c = import(&mut db, &after, "Edit Café");
        assert_eq!((c.new, c.updated, c.unchanged), (0, 1, 1), "{at}");
        let cafe = db.business_by_name("Edit Café").unwrap();
        let stats = db.stats(cafe.id).unwrap();
        assert_eq!(stats.count, 2, "{at}");
        assert_eq!(stats.average_rating, Some(4.5), "{at}");
        assert_eq!(stats.distribution["1"], 0, "{at}");
        assert_eq!(stats.distribution["4"], 1, "{at}");
        let found = db
            .list_reviews(&ReviewFilter {
                search: Some("once".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(found.len(), 1, "{at}");
    }
}

/// `--db postgresql://…` (and EARSHOT_DB) reaches the team database: import, reviews and stats
/// run on it; a command that does not work there yet says so.
#[test]
fn the_cli_runs_import_reviews_and_stats_on_a_team_database() {
    let test = TestDb::new();
    let url = cluster::fresh_database("cli");
    let basic = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reviews_basic.csv");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .args(args)
            .env("EARSHOT_DB", &url)
            .env("XDG_DATA_HOME", test.dir.path())
            .output()
            .unwrap()
    };
    let out = run(&[
        "import",
        basic.to_str().unwrap(),
        "--business",
        "Team Café",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["new"], 4, "{report}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args([
            "--db",
            &url,
            "reviews",
            "--business",
            "Team Café",
            "--search",
            "latte",
            "--json",
        ])
        .env_remove("EARSHOT_DB")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["external_id"], "g2");

    let out = run(&["stats", "--business", "Team Café", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["count"], 4, "{stats}");

    // Every command works on a team database now (`backup` was the example of one that did
    // not; `team_backup` tests it there).
}
