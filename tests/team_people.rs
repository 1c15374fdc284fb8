//! People and roles on a team database, enforced by PostgreSQL itself (issue 31): each test
//! signs in as the invited person's own login with the `postgres` crate and tries hand-written
//! SQL, expecting the server's refusal; the CLI's `team` commands round-trip; two connections
//! hear each other's changes within a second.
//!
//! Roles are the whole server's and every test shares one throwaway cluster, so each test
//! invites people under names of its own.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use earshot::store::postgres::{cluster, PgStore, Role};
use earshot::store::{Db, DbLocation, ReviewFilter};
use postgres::{Client, NoTls};

use crate::common::TestDb;

/// The URL of the same database signed in as `user` (the test cluster trusts 127.0.0.1, so the
/// password is not checked there: what is tested is what the role may do).
fn as_user(url: &str, user: &str) -> String {
    url.replacen(
        "postgresql://postgres@",
        &format!("postgresql://{user}@"),
        1,
    )
}

/// Two businesses with a review each (the team store's `replies` table, migration 0005, holds
/// the state staff drafts are kept in).
fn two_businesses(url: &str) -> (i64, i64) {
    let store = PgStore::open(url).unwrap();
    let mut owner = Client::connect(url, NoTls).unwrap();
    let mut review_of = |name: &str| -> i64 {
        let b = store.ensure_business(name).unwrap();
        let source = store
            .ensure_source(b.id, "file", "import:google", &serde_json::json!({}))
            .unwrap();
        owner
            .query_one(
                "INSERT INTO reviews (source_id, business_id, platform, external_id, kind, body,
                                      created_at, fetched_at, content_hash)
                 VALUES ($1, $2, 'google', 'x1', 'review', 'Fine', 1700000000, 1700000000, 1)
                 RETURNING id",
                &[&source, &b.id],
            )
            .unwrap()
            .get(0)
    };
    (review_of("Harbour Café"), review_of("Hilltop Café"))
}

fn refused(result: Result<u64, postgres::Error>) -> String {
    match result {
        Ok(n) => panic!("the server allowed it ({n} rows)"),
        Err(e) => e
            .as_db_error()
            .map(|d| d.message().to_owned())
            .unwrap_or_else(|| e.to_string()),
    }
}

#[test]
fn staff_can_neither_post_nor_read_another_business_even_with_hand_written_sql() {
    let url = cluster::fresh_database("people_rls");
    let (harbour_review, hilltop_review) = two_businesses(&url);
    let owner = PgStore::open(&url).unwrap();
    owner.team_init().unwrap();
    let harbour = owner.business_by_name("Harbour Café").unwrap();
    owner
        .invite("rls_staff", Role::Staff, Some(&[harbour.id]), "pw-staff")
        .unwrap();
    owner
        .invite("rls_manager", Role::Manager, None, "pw-manager")
        .unwrap();

    let mut staff = Client::connect(&as_user(&url, "rls_staff"), NoTls).unwrap();
    // Reads: only the business they are given, through every table and every path.
    let count = |c: &mut Client, sql: &str| -> i64 { c.query_one(sql, &[]).unwrap().get(0) };
    assert_eq!(count(&mut staff, "SELECT count(*) FROM businesses"), 1);
    assert_eq!(count(&mut staff, "SELECT count(*) FROM reviews"), 1);
    assert_eq!(count(&mut staff, "SELECT count(*) FROM sources"), 1);
    let mut superuser = Client::connect(&url, NoTls).unwrap();
    let harbour_days = count(
        &mut superuser,
        &format!(
            "SELECT count(*) FROM review_daily WHERE business_id = {}",
            harbour.id
        ),
    );
    assert_eq!(
        count(&mut staff, "SELECT count(*) FROM review_daily"),
        harbour_days
    );
    assert_eq!(
        count(
            &mut staff,
            &format!("SELECT count(*) FROM reviews WHERE id = {hilltop_review}")
        ),
        0,
        "the other business's review is invisible even by id"
    );
    // Drafts: allowed for their business, awaiting approval; never queued, never elsewhere.
    staff
        .execute(
            "INSERT INTO replies (review_id, state, body, created_at, updated_at) VALUES ($1, 'awaiting_approval', 'Thanks', 0, 0)",
            &[&harbour_review],
        )
        .unwrap();
    let why = refused(staff.execute(
        "INSERT INTO replies (review_id, state, body, created_at, updated_at) VALUES ($1, 'queued', 'Thanks', 0, 0)",
        &[&harbour_review],
    ));
    assert!(why.contains("row-level security"), "{why}");
    let why = refused(staff.execute(
        "INSERT INTO replies (review_id, state, body, created_at, updated_at) VALUES ($1, 'awaiting_approval', 'Hi', 0, 0)",
        &[&hilltop_review],
    ));
    assert!(why.contains("row-level security"), "{why}");
    let why = refused(staff.execute("UPDATE replies SET state = 'queued'", &[]));
    assert!(why.contains("row-level security"), "{why}");
    let why = refused(staff.execute("UPDATE reviews SET read_at = 1", &[]));
    assert!(why.contains("permission denied"), "{why}");
    let why = refused(staff.execute("DELETE FROM reviews", &[]));
    assert!(why.contains("permission denied"), "{why}");
    let why = refused(staff.execute("INSERT INTO settings (key, value) VALUES ('x', '1')", &[]));
    assert!(why.contains("permission denied"), "{why}");
    let why = refused(staff.execute(
        "UPDATE team_members SET businesses = NULL WHERE name = current_user",
        &[],
    ));
    assert!(why.contains("permission denied"), "{why}");

    // The same person through Earshot's own store: it opens (no migration to run) and lists
    // only their business's reviews.
    let staff_db = Db::open(&DbLocation::parse(Path::new(&as_user(&url, "rls_staff")))).unwrap();
    let everything = ReviewFilter {
        limit: Some(100),
        ..Default::default()
    };
    assert_eq!(staff_db.list_reviews(&everything).unwrap().len(), 1);
    assert_eq!(staff_db.businesses().unwrap().len(), 1);

    // A manager sees every business and queues the draft for sending.
    let mut manager = Client::connect(&as_user(&url, "rls_manager"), NoTls).unwrap();
    assert_eq!(count(&mut manager, "SELECT count(*) FROM reviews"), 2);
    let queued = manager
        .execute(
            "UPDATE replies SET state = 'queued' WHERE state = 'awaiting_approval'",
            &[],
        )
        .unwrap();
    assert_eq!(queued, 1);
    manager
        .execute("INSERT INTO settings (key, value) VALUES ('x', '1')", &[])
        .unwrap();
    let why = refused(manager.execute("DELETE FROM team_members", &[]));
    assert!(why.contains("permission denied"), "{why}");
    // Staff cannot touch a queued reply any more.
    assert_eq!(
        staff
            .execute("UPDATE replies SET body = 'changed'", &[])
            .unwrap(),
        0
    );

    // A table a later migration adds is covered once the tables are secured again (what
    // PgStore::migrate does after each migration), without editing the people migration.
    superuser
        .batch_execute(
            "CREATE TABLE later_notes (id bigint PRIMARY KEY,
                                       business_id bigint REFERENCES businesses(id));
             INSERT INTO later_notes SELECT id, id FROM businesses;
             SELECT earshot_secure_tables();",
        )
        .unwrap();
    assert_eq!(count(&mut staff, "SELECT count(*) FROM later_notes"), 1);
    assert_eq!(count(&mut manager, "SELECT count(*) FROM later_notes"), 2);

    // A person of this team is nobody on another database of the same server: they see none
    // of its rows, though their group role has its GRANTs there.
    let other = cluster::fresh_database("people_rls_other");
    two_businesses(&other);
    PgStore::open(&other).unwrap().team_init().unwrap();
    let mut stranger = Client::connect(&as_user(&other, "rls_manager"), NoTls).unwrap();
    assert_eq!(count(&mut stranger, "SELECT count(*) FROM reviews"), 0);
    assert_eq!(count(&mut stranger, "SELECT count(*) FROM businesses"), 0);
}

#[test]
fn an_open_seat_hears_another_seats_insert_within_a_second() {
    let url = cluster::fresh_database("people_notify");
    let (harbour_review, _) = two_businesses(&url);
    let listener = PgStore::open(&url).unwrap();
    listener.listen().unwrap();
    let writer = Client::connect(&url, NoTls);
    let mut writer = writer.unwrap();
    let started = Instant::now();
    writer
        .execute(
            "INSERT INTO reviews (source_id, business_id, platform, external_id, kind, body,
                                  created_at, fetched_at, content_hash)
             SELECT source_id, business_id, platform, 'x2', kind, 'More', created_at,
                    fetched_at, 2 FROM reviews WHERE id = $1",
            &[&harbour_review],
        )
        .unwrap();
    let changes = listener.next_changes(Duration::from_secs(1)).unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].kind, "review");
    assert_eq!(changes[0].count, 1);
    assert!(changes[0].id > harbour_review);

    // A reply's change is heard too, with its review's business.
    writer
        .execute(
            "INSERT INTO replies (review_id, state, body, created_at, updated_at) VALUES ($1, 'draft', 'Thanks', 0, 0)",
            &[&harbour_review],
        )
        .unwrap();
    // Its insert is heard, then its update.
    let changes = listener.next_changes(Duration::from_secs(1)).unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].kind, "reply");
    writer
        .execute("UPDATE replies SET state = 'queued'", &[])
        .unwrap();
    let changes = listener.next_changes(Duration::from_secs(1)).unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].kind, "reply");
    let business: i64 = writer
        .query_one(
            "SELECT business_id FROM reviews WHERE id = $1",
            &[&harbour_review],
        )
        .unwrap()
        .get(0);
    assert_eq!(changes[0].business_id, Some(business));
    // Nothing else is pending.
    assert!(listener
        .next_changes(Duration::from_millis(100))
        .unwrap()
        .is_empty());
}

fn earshot(db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("EARSHOT_DB")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_team_commands_invite_list_change_and_remove_people() {
    let url = cluster::fresh_database("people_cli");
    let (harbour_review, _) = two_businesses(&url);
    ok(&earshot(&url, &["team", "init"], None));
    let said = ok(&earshot(
        &url,
        &[
            "team",
            "invite",
            "cli_ana",
            "--role",
            "staff",
            "--business",
            "harbour café",
        ],
        None,
    ));
    assert!(
        said.contains("Invited cli_ana as staff for Harbour Café"),
        "{said}"
    );
    let password = said
        .lines()
        .find_map(|l| l.split("privately): ").nth(1))
        .expect("a generated password is shown once");
    assert_eq!(password.len(), 32, "{said}");
    ok(&earshot(
        &url,
        &[
            "team",
            "invite",
            "cli_bo",
            "--role",
            "manager",
            "--password-stdin",
        ],
        Some("chosen-by-bo\n"),
    ));
    // Earshot stores no password: no column of its tables holds either.
    let mut superuser = Client::connect(&url, NoTls).unwrap();
    let dump: String = superuser
        .query_one("SELECT string_agg(t::text, ' ') FROM team_members t", &[])
        .unwrap()
        .get(0);
    assert!(
        !dump.contains(password) && !dump.contains("chosen-by-bo"),
        "{dump}"
    );

    let listed: serde_json::Value =
        serde_json::from_str(&ok(&earshot(&url, &["team", "members", "--json"], None))).unwrap();
    assert_eq!(listed[0]["name"], "cli_ana");
    assert_eq!(listed[0]["role"], "staff");
    assert_eq!(listed[0]["businesses"], serde_json::json!(["Harbour Café"]));
    assert_eq!(listed[1]["name"], "cli_bo");
    assert_eq!(listed[1]["businesses"], serde_json::Value::Null);

    // A review handed to a person; an unknown person is refused.
    ok(&earshot(
        &url,
        &["assign", &harbour_review.to_string(), "--to", "cli_ana"],
        None,
    ));
    let store = PgStore::open(&url).unwrap();
    assert_eq!(
        store.review_assignee(harbour_review).unwrap().as_deref(),
        Some("cli_ana")
    );
    let out = earshot(
        &url,
        &["assign", &harbour_review.to_string(), "--to", "nobody_here"],
        None,
    );
    assert!(!out.status.success());

    // The staff login can read as staff; made a manager, it can queue replies.
    ok(&earshot(
        &url,
        &["team", "role", "cli_ana", "manager"],
        None,
    ));
    let mut ana = Client::connect(&as_user(&url, "cli_ana"), NoTls).unwrap();
    ana.execute("INSERT INTO settings (key, value) VALUES ('y', '2')", &[])
        .unwrap();
    drop(ana);

    ok(&earshot(&url, &["team", "remove", "cli_ana"], None));
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&earshot(&url, &["team", "members", "--json"], None))).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert!(
        Client::connect(&as_user(&url, "cli_ana"), NoTls).is_err(),
        "the removed person's login is gone"
    );
    assert_eq!(store.review_assignee(harbour_review).unwrap(), None);
    let out = earshot(&url, &["team", "remove", "cli_ana"], None);
    assert!(!out.status.success());
}

#[test]
fn on_a_database_file_the_team_commands_say_teams_need_a_team_database() {
    let test = TestDb::new();
    let file = test.path().to_str().unwrap().to_owned();
    // `assign` works on a file too (tests/team_assign.rs).
    for args in [&["team", "members"][..], &["team", "init"]] {
        let out = earshot(&file, args, None);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("needs a team database"), "{args:?}: {err}");
    }
}
