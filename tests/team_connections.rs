//! How many connections a seat opens to the team database (issue 31): a sync's source is
//! claimed and written on one connection (not a claiming connection beside a writing one), and
//! the round's other steps share one. Counted by the server itself (`pg_stat_database.sessions`).

use std::process::Command;
use std::time::Duration;

use earshot::store::postgres::cluster;
use postgres::{Client, NoTls};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestDb;

const KEY: &str = "tp-key-CONN-4242";

/// The sessions the server has counted for this database so far (the ended ones' counts are
/// flushed when they end; `pg_stat_clear_snapshot` so a second read is not the first's).
fn sessions(admin: &mut Client) -> i64 {
    admin
        .batch_execute("SELECT pg_stat_clear_snapshot()")
        .unwrap();
    admin
        .query_one(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()",
            &[],
        )
        .unwrap()
        .get(0)
}

fn earshot(test: &TestDb, location: &str, args: &[&str]) -> Value {
    // `EARSHOT_MEASURE_BIN` runs another build (the one before a change) for a comparison.
    let bin = std::env::var("EARSHOT_MEASURE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_earshot").to_owned());
    let out = Command::new(bin)
        .arg("--db")
        .arg(location)
        .args(args)
        .env("XDG_DATA_HOME", test.dir.path())
        .env("EARSHOT_SECRETS_FILE", test.dir.path().join("secrets.json"))
        .env_remove("EARSHOT_DB")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "earshot {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_sync_on_a_team_database_opens_one_connection_per_source_and_one_for_the_rest() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    let units = ["bu-1", "bu-2"];
    for unit in units {
        let at = format!("/v1/business-units/{unit}/reviews");
        let reviews = json!([crate::sync::tp_review(
            &format!("{unit}-r1"),
            5,
            "Lovely flat white",
            3
        )]);
        rt.block_on(
            Mock::given(method("GET"))
                .and(path(at.as_str()))
                .and(query_param("page", "1"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({ "reviews": reviews, "links": [] })),
                )
                .mount(&server),
        );
        rt.block_on(
            Mock::given(method("GET"))
                .and(path(at.as_str()))
                .and(query_param("page", "2"))
                .respond_with(
                    ResponseTemplate::new(200).set_body_json(json!({ "reviews": [], "links": [] })),
                )
                .mount(&server),
        );
    }
    let test = TestDb::new();
    let team = cluster::fresh_database("team_connections");
    let base_url = format!("base_url={}", server.uri());
    let api_key = format!("api_key={KEY}");
    for unit in units {
        let unit = format!("business_unit_id={unit}");
        earshot(
            &test,
            &team,
            &[
                "sources",
                "add",
                "trustpilot",
                "--business",
                "Harbour Lane Café",
                "--set",
                &unit,
                "--set",
                &api_key,
                "--set",
                &base_url,
                "--json",
            ],
        );
    }
    let mut admin = Client::connect(&team, NoTls).unwrap();
    let before = sessions(&mut admin);
    let synced = earshot(&test, &team, &["sync", "--json"]);
    assert_eq!(synced["new"], 2, "{synced}");
    std::thread::sleep(Duration::from_millis(1200));
    let opened = sessions(&mut admin) - before;
    eprintln!("`earshot sync` of 2 sources on a team database opened {opened} connections");
    // The command's own, one per source, one for the round's reads, alerts, outbox and
    // deliveries.
    assert!(opened <= 4, "{opened} connections");
}

/// `earshot watch`'s rounds (`sync_round_keeping`) keep the team database's connection from one
/// round to the next; rounds each opening their own (`sync_round_at`) open one apiece.
#[test]
fn a_watchers_rounds_keep_one_connection() {
    use earshot::actions::sync::RoundOptions;
    use earshot::actions::{sync_round_at, sync_round_keeping};
    use earshot::secrets::MemorySecrets;
    use earshot::store::{Db, DbLocation};
    use earshot::sync::{no_events, Selection};
    use std::sync::Arc;

    let team = cluster::fresh_database("team_kept_connection");
    let location = DbLocation::Postgres(team.clone());
    let mut admin = Client::connect(&team, NoTls).unwrap();
    let secrets: Arc<dyn earshot::secrets::SecretStore> = Arc::new(MemorySecrets::default());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let opts = RoundOptions::default();
    let now = || chrono::Local::now().fixed_offset();
    // The first open migrates: done before counting.
    drop(Db::open(&location).unwrap());

    let before = sessions(&mut admin);
    for _ in 0..3 {
        let secrets = Arc::clone(&secrets);
        let round = sync_round_at(
            &location,
            secrets,
            Selection::Ids(Vec::new()),
            &opts,
            no_events(),
            now(),
        );
        rt.block_on(round).unwrap();
    }
    std::thread::sleep(Duration::from_millis(1200));
    let each_its_own = sessions(&mut admin) - before;

    let before = sessions(&mut admin);
    let mut kept = None;
    for _ in 0..3 {
        let secrets = Arc::clone(&secrets);
        let round = sync_round_keeping(
            &location,
            &mut kept,
            secrets,
            Selection::Ids(Vec::new()),
            &opts,
            no_events(),
            now(),
        );
        rt.block_on(round).unwrap();
    }
    assert!(matches!(kept, Some(Db::Postgres(_))));
    drop(kept);
    std::thread::sleep(Duration::from_millis(1200));
    let kept_one = sessions(&mut admin) - before;
    eprintln!(
        "3 send-only rounds: {each_its_own} connections each opening its own, {kept_one} kept"
    );
    assert_eq!(each_its_own, 3);
    assert_eq!(kept_one, 1);
}
