//! The team's live link as every hearer uses it (issue 31): `earshot team listen` runs the core's
//! reconnecting listener (`store::postgres::listener`), the same as `earshot watch` and the app,
//! so a server that drops its connection no longer ends it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use earshot::store::postgres::{cluster, PgStore};
use postgres::{Client, NoTls};

/// Waits until a session of this database other than `not` is listening (its last statement
/// `LISTEN earshot`); its process id.
fn wait_for_a_listener(admin: &mut Client, not: i32) -> i32 {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let pid: Option<i32> = admin
            .query_opt(
                "SELECT pid FROM pg_stat_activity
                 WHERE datname = current_database() AND query = 'LISTEN earshot'
                   AND pid <> pg_backend_pid() AND pid <> $1",
                &[&not],
            )
            .unwrap()
            .map(|row| row.get(0));
        if let Some(pid) = pid {
            return pid;
        }
        assert!(Instant::now() < until, "nobody listened in time");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn insert_review(writer: &mut Client, source: i64, business: i64, external_id: &str) {
    writer
        .execute(
            "INSERT INTO reviews (source_id, business_id, platform, external_id, kind, body,
                                  created_at, fetched_at, content_hash)
             VALUES ($1, $2, 'google', $3, 'review', 'Cold coffee', 1700000000, 1700000000, 1)",
            &[&source, &business, &external_id],
        )
        .unwrap();
}

#[test]
fn team_listen_hears_on_after_the_server_drops_its_connection() {
    let url = cluster::fresh_database("listen_cli");
    let store = PgStore::open(&url).unwrap();
    let business = store.ensure_business("Harbour Café").unwrap();
    let source = store
        .ensure_source(business.id, "file", "import:google", &serde_json::json!({}))
        .unwrap();
    drop(store);

    let mut child = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["--db", &url, "team", "listen", "--json", "--count", "2"])
        .env_remove("EARSHOT_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut admin = Client::connect(&url, NoTls).unwrap();

    let first_listener = wait_for_a_listener(&mut admin, 0);
    insert_review(&mut admin, source, business.id, "x1");
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["kind"], "review");

    // The server drops every other connection: the listener's, and the command's own.
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap();
    let dropped = Instant::now();
    wait_for_a_listener(&mut admin, first_listener);
    eprintln!("listening again {:?} after the drop", dropped.elapsed());
    insert_review(&mut admin, source, business.id, "x2");
    let second: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(second["kind"], "review");
    assert!(second["id"].as_i64() > first["id"].as_i64());

    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("trying again in 0.5 s"), "{stderr}");
    assert!(lines.next().is_none(), "only the two changes on stdout");
}

/// A database another seat upgraded past this Earshot while it listened is no loss to wait
/// out: when the link comes back to a newer schema, `team listen` says so and ends with an
/// error, rather than trying again every 30 s for ever.
#[test]
fn team_listen_ends_with_the_error_when_the_schema_became_newer_than_this_earshot() {
    let url = cluster::fresh_database("listen_newer_schema");
    drop(PgStore::open(&url).unwrap());
    let mut admin = Client::connect(&url, NoTls).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["--db", &url, "team", "listen"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let listening = wait_for_a_listener(&mut admin, 0);
    admin
        .execute(
            "INSERT INTO earshot_schema VALUES ($1, 'from the future', 0)",
            &[&(earshot::store::postgres::PG_SCHEMA_VERSION as i32 + 1)],
        )
        .unwrap();
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&listening])
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > until {
            child.kill().unwrap();
            panic!("team listen kept trying a database newer than itself");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("newer"), "{stderr}");
}
