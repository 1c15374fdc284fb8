//! Review assignment on both stores (issue 31): `earshot assign ID --to NAME` on a database file
//! (a name as typed) as on a team database (a person of the team), `assigned_to` in every
//! review's JSON, and `reviews --assigned-to NAME` / `--unassigned` on both.

use std::path::Path;
use std::process::{Command, Output};

use earshot::import::ImportOptions;
use earshot::store::postgres::{cluster, Role};
use earshot::store::{Db, ReviewFilter};

use crate::common::TestDb;
use crate::team_store::both_stores;

/// Group roles and logins belong to the whole cluster: a name no other test invites.
const PERSON: &str = "assign_sam";

fn basic_csv() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reviews_basic.csv")
}

fn import(db: &mut Db, business: &str) {
    let opts = ImportOptions {
        business: business.into(),
        ..Default::default()
    };
    earshot::actions::import_into(db, &[basic_csv()], &opts, Some(50), &mut |_, _| {})
        .unwrap_or_else(|e| panic!("import into {}: {e}", db.location()));
}

/// The person of the command-line test.
const CLI_PERSON: &str = "assign_cli_sam";

/// On a team database the person must be on the team; a file takes any name.
fn add_person(db: &Db, name: &str) {
    if let Db::Postgres(_) = db {
        db.team_init().unwrap();
        db.invite(name, Role::Staff, None, "a-password-for-sam")
            .unwrap();
    }
}

#[test]
fn a_review_is_assigned_listed_by_person_and_unassigned_on_both_stores() {
    let test = TestDb::new();
    let mut answers = Vec::new();
    for mut db in both_stores(&test, "assign") {
        let at = db.location();
        import(&mut db, "Assigned Café");
        add_person(&db, PERSON);
        let cafe = db.business_by_name("Assigned Café").unwrap();
        let all = ReviewFilter {
            business_id: Some(cafe.id),
            ..Default::default()
        };
        let listed = db.list_reviews(&all).unwrap();
        assert_eq!(listed.len(), 4, "{at}");
        assert!(listed.iter().all(|r| r.assigned_to.is_none()), "{at}");
        let g2 = listed.iter().find(|r| r.external_id == "g2").unwrap().id;

        earshot::actions::team::assign(&db, g2, Some(PERSON)).unwrap();
        assert_eq!(db.review_assignee(g2).unwrap().as_deref(), Some(PERSON));
        let json = serde_json::to_value(db.list_reviews(&all).unwrap()).unwrap();
        let assigned: Vec<(String, serde_json::Value)> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                // Every object carries the field, null when nobody.
                assert!(r.as_object().unwrap().contains_key("assigned_to"), "{r}");
                (
                    r["external_id"].as_str().unwrap().to_owned(),
                    r["assigned_to"].clone(),
                )
            })
            .collect();

        let mine = ReviewFilter {
            assigned_to: Some(PERSON.into()),
            ..all.clone()
        };
        let theirs = db.list_reviews(&mine).unwrap();
        assert_eq!(theirs.len(), 1, "{at}");
        assert_eq!(theirs[0].external_id, "g2", "{at}");
        assert_eq!(db.count_reviews(&mine).unwrap(), 1, "{at}");
        let nobodys = ReviewFilter {
            unassigned: true,
            ..all.clone()
        };
        assert_eq!(db.list_reviews(&nobodys).unwrap().len(), 3, "{at}");
        assert_eq!(db.count_reviews(&nobodys).unwrap(), 3, "{at}");
        // With a search, and across businesses.
        let searched = ReviewFilter {
            search: Some("latte".into()),
            ..mine.clone()
        };
        assert_eq!(db.list_reviews(&searched).unwrap().len(), 1, "{at}");
        let everywhere = ReviewFilter {
            business_id: None,
            ..mine.clone()
        };
        assert_eq!(db.list_reviews(&everywhere).unwrap().len(), 1, "{at}");

        // A re-import (the review edited on the platform or not) keeps the assignment.
        import(&mut db, "Assigned Café");
        assert_eq!(db.review_assignee(g2).unwrap().as_deref(), Some(PERSON));

        // `--to ''` and `--nobody` both hand it back.
        assert_eq!(
            earshot::actions::team::assign(&db, g2, Some("  ")).unwrap(),
            None
        );
        assert_eq!(db.review_assignee(g2).unwrap(), None, "{at}");
        assert!(db.list_reviews(&mine).unwrap().is_empty(), "{at}");

        let err = earshot::actions::team::assign(&db, 999_999, Some(PERSON)).unwrap_err();
        assert_eq!(err.code(), "unknown_review", "{at}: {err}");
        answers.push(assigned);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(
        answers[0],
        [
            ("y2".to_owned(), serde_json::Value::Null),
            ("y1".to_owned(), serde_json::Value::Null),
            ("g2".to_owned(), serde_json::json!(PERSON)),
            ("g1".to_owned(), serde_json::Value::Null),
        ]
    );
}

/// On a file a name is free text; on a team database a name that is not on the team is refused.
#[test]
fn a_file_takes_any_name_and_a_team_database_only_its_people() {
    let test = TestDb::new();
    for mut db in both_stores(&test, "assign_names") {
        import(&mut db, "Named Café");
        let id = db
            .list_reviews(&ReviewFilter::default())
            .unwrap()
            .first()
            .unwrap()
            .id;
        let done = earshot::actions::team::assign(&db, id, Some(" Maria Gómez "));
        match db {
            Db::Sqlite(_) => assert_eq!(done.unwrap().as_deref(), Some("Maria Gómez")),
            Db::Postgres(_) => {
                assert!(done.is_err());
                assert_eq!(db.review_assignee(id).unwrap(), None);
            }
        }
    }
}

fn earshot(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("EARSHOT_DB")
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The binary: the same `assign` and `reviews` answers on a file and with `--db postgresql://…`.
#[test]
fn the_assign_and_reviews_commands_answer_alike_on_a_file_and_a_team_database() {
    let test = TestDb::new();
    let file = test.path().to_str().unwrap().to_owned();
    let url = cluster::fresh_database("assign_cli");
    let mut outputs = Vec::new();
    for db in [file.as_str(), url.as_str()] {
        let csv = basic_csv();
        ok(&earshot(
            db,
            &["import", csv.to_str().unwrap(), "--business", "CLI Café"],
        ));
        if db == url {
            let team = Db::open(&earshot::store::DbLocation::parse(Path::new(&url))).unwrap();
            add_person(&team, CLI_PERSON);
        }
        let reviews = |extra: &[&str]| {
            let mut args = vec!["reviews", "--business", "CLI Café", "--json"];
            args.extend(extra);
            let listed: serde_json::Value = serde_json::from_str(&ok(&earshot(db, &args))).unwrap();
            listed
        };
        let listed = reviews(&[]);
        let g2 = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["external_id"] == "g2")
            .unwrap()["id"]
            .to_string();
        let mut said = vec![ok(&earshot(db, &["assign", &g2, "--to", CLI_PERSON]))];
        let mine = reviews(&["--assigned-to", CLI_PERSON]);
        assert_eq!(mine.as_array().unwrap().len(), 1, "{db}: {mine}");
        assert_eq!(mine[0]["assigned_to"], CLI_PERSON);
        assert_eq!(reviews(&["--unassigned"]).as_array().unwrap().len(), 3);
        let text = ok(&earshot(
            db,
            &[
                "reviews",
                "--business",
                "CLI Café",
                "--assigned-to",
                CLI_PERSON,
            ],
        ));
        assert!(
            text.contains(&format!("(assigned to {CLI_PERSON})")),
            "{text}"
        );
        said.push(text);
        said.push(ok(&earshot(db, &["assign", &g2, "--to", ""])));
        said.push(ok(&earshot(db, &["assign", &g2, "--to", CLI_PERSON])));
        said.push(ok(&earshot(db, &["assign", &g2, "--nobody"])));
        assert!(reviews(&["--assigned-to", CLI_PERSON])
            .as_array()
            .unwrap()
            .is_empty());
        let everyone = reviews(&[]);
        assert!(
            everyone
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["assigned_to"].is_null()),
            "{everyone}"
        );
        outputs.push((said, everyone));
    }
    assert_eq!(outputs[0], outputs[1]);
    assert!(outputs[0].0[0].ends_with(&format!("is assigned to {CLI_PERSON}.\n")));
    assert!(outputs[0].0[2].ends_with("is assigned to nobody.\n"));
}

/// On the team database too a person's list is read from the index of assigned reviews
/// (PostgreSQL migration 0013), not from every review of the business: 20,000 reviews, three
/// of them assigned.
#[test]
fn a_persons_list_on_a_team_database_is_read_from_the_index_of_assigned_reviews() {
    let url = cluster::fresh_database("assign_plan");
    let store = earshot::store::postgres::PgStore::open(&url).unwrap();
    let business = store.ensure_business("Busy Café").unwrap();
    let source = store
        .ensure_source(business.id, "file", "import", &serde_json::json!({}))
        .unwrap();
    drop(store);
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .execute(
            "INSERT INTO reviews (source_id, business_id, platform, external_id, kind, body,
                                  created_at, fetched_at, content_hash)
             SELECT $1, $2, 'google', 'r' || i, 'review', 'fine', 1700000000 + i * 60,
                    1700000000, i
             FROM generate_series(1, 20000) AS i",
            &[&source, &business.id],
        )
        .unwrap();
    client
        .batch_execute(
            "UPDATE reviews SET assigned_to = 'sam' WHERE external_id IN ('r7', 'r700', 'r7000');
             ANALYZE reviews",
        )
        .unwrap();
    let plan: Vec<String> = client
        .query(
            "EXPLAIN SELECT id FROM reviews WHERE business_id = $1 AND assigned_to = 'sam' \
             AND removed_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 50",
            &[&business.id],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("reviews_by_assignee"), "{plan}");
}
