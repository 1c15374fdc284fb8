//! Upgrades from every released schema, and what opening refuses (issues 24 and 33).
//!
//! Each `tests/fixtures/schema_vN.sql` is a frozen database of version N with a few rows
//! (app-services' `MigratedDatabaseFile`): opened with today's code it must come up at the
//! current version with its rows intact and a schema exactly a new database's. A file whose
//! schema is not the migrations' own is refused before anything is written to it.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::trust::schema_differences;
use super::{Store, StoreError, SCHEMA_VERSION};

/// Every frozen schema, by version. A new migration that ships adds its fixture here.
const FIXTURES: &[(i64, &str)] = &[
    (1, include_str!("../../tests/fixtures/schema_v1.sql")),
    (2, include_str!("../../tests/fixtures/schema_v2.sql")),
    (3, include_str!("../../tests/fixtures/schema_v3.sql")),
    (4, include_str!("../../tests/fixtures/schema_v4.sql")),
    (5, include_str!("../../tests/fixtures/schema_v5.sql")),
    (6, include_str!("../../tests/fixtures/schema_v6.sql")),
    (7, include_str!("../../tests/fixtures/schema_v7.sql")),
    (8, include_str!("../../tests/fixtures/schema_v8.sql")),
    (9, include_str!("../../tests/fixtures/schema_v9.sql")),
    (10, include_str!("../../tests/fixtures/schema_v10.sql")),
    (11, include_str!("../../tests/fixtures/schema_v11.sql")),
    (12, include_str!("../../tests/fixtures/schema_v12.sql")),
    (13, include_str!("../../tests/fixtures/schema_v13.sql")),
    (14, include_str!("../../tests/fixtures/schema_v14.sql")),
    (15, include_str!("../../tests/fixtures/schema_v15.sql")),
    (16, include_str!("../../tests/fixtures/schema_v16.sql")),
    (17, include_str!("../../tests/fixtures/schema_v17.sql")),
    (18, include_str!("../../tests/fixtures/schema_v18.sql")),
    (19, include_str!("../../tests/fixtures/schema_v19.sql")),
    (20, include_str!("../../tests/fixtures/schema_v20.sql")),
    (21, include_str!("../../tests/fixtures/schema_v21.sql")),
    (22, include_str!("../../tests/fixtures/schema_v22.sql")),
];

/// A database file made from a fixture's SQL, as the version that shipped it left it.
fn database_from(dir: &Path, version: i64, sql: &str) -> PathBuf {
    let path = dir.join(format!("v{version}.db"));
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    path
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn every_released_schema_has_a_frozen_fixture() {
    let versions: Vec<i64> = FIXTURES.iter().map(|(v, _)| *v).collect();
    // Every version before this build's has shipped; this build's own is frozen too once its
    // migration is written, so the next one upgrades from it.
    let released: Vec<i64> = (1..=SCHEMA_VERSION).collect();
    assert_eq!(versions, released);
}

#[test]
fn every_frozen_schema_is_the_one_its_migrations_made() {
    let dir = tempfile::tempdir().unwrap();
    for (version, sql) in FIXTURES {
        let path = database_from(dir.path(), *version, sql);
        let conn = Connection::open(&path).unwrap();
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(found, *version);
        assert_eq!(
            schema_differences(&conn, *version).unwrap(),
            Vec::<String>::new(),
            "schema_v{version}.sql"
        );
    }
}

#[test]
fn every_frozen_schema_upgrades_with_its_rows_to_a_new_databases_schema() {
    let dir = tempfile::tempdir().unwrap();
    for (version, sql) in FIXTURES {
        let path = database_from(dir.path(), *version, sql);
        let before = Connection::open(&path).unwrap();
        let counts_before: Vec<i64> = ROW_COUNTS
            .iter()
            .map(|q| before.query_row(q, [], |r| r.get(0)).unwrap())
            .collect();
        drop(before);

        let store = Store::open(&path).unwrap_or_else(|e| panic!("v{version}: {e}"));
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.integrity_check().unwrap(), ["ok"], "v{version}");
        assert_eq!(
            schema_differences(&store.conn, SCHEMA_VERSION).unwrap(),
            Vec::<String>::new(),
            "v{version} after the upgrade"
        );
        let counts_after: Vec<i64> = ROW_COUNTS.iter().map(|q| count(&store, q)).collect();
        assert_eq!(counts_after, counts_before, "v{version}: rows lost");

        // What the app shows from them: the listing, a search, the figures, replies, alerts.
        let listed = store.list_reviews(&Default::default()).unwrap();
        assert_eq!(listed.len() as i64, counts_before[2], "v{version}");
        let found = store
            .list_reviews(&super::ReviewFilter {
                search: Some("rude coffee".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(found.len(), 1, "v{version}: search");
        assert!(
            found[0].body.starts_with("Cold coffee, rude staff"),
            "v{version}: {}",
            found[0].body
        );
        let of_business_1 = listed.iter().filter(|r| r.business_id == 1).count();
        assert_eq!(
            store.stats(1).unwrap().count as usize,
            of_business_1,
            "v{version}"
        );
        assert!(
            store
                .replies_of_review(found[0].id)
                .unwrap()
                .iter()
                .all(|r| !r.body.is_empty()),
            "v{version}"
        );
        // The upgrade gave the database an identity, and its credentials wait to move to it.
        assert_eq!(store.database_id().unwrap().len(), 32);
        assert!(!store.moved_old_credentials_for_tests(), "v{version}");
        assert!(store
            .sources()
            .unwrap()
            .iter()
            .all(|s| s.unconfirmed.is_none()));
    }
}

/// Issue 25: the platform's own figures kept on a source survive the upgrade; older sources
/// have none until their next sync.
#[test]
fn platform_figures_survive_and_older_sources_have_none() {
    let dir = tempfile::tempdir().unwrap();
    for (version, sql) in FIXTURES.iter().filter(|(v, _)| *v >= 11) {
        let path = database_from(dir.path(), *version, sql);
        let store = Store::open(&path).unwrap();
        let tp = store.source(2).unwrap();
        if *version >= 12 {
            assert_eq!(tp.platform_rating, Some(4.3));
            assert_eq!(tp.platform_review_count, Some(1289));
            assert_eq!(tp.platform_rating_at, Some(1_714_750_000));
        } else {
            assert_eq!(tp.platform_rating, None);
            assert_eq!(tp.platform_rating_at, None);
        }
    }
}

/// Rows of each table a fixture fills (counts that must survive every upgrade).
const ROW_COUNTS: &[&str] = &[
    "SELECT count(*) FROM businesses",
    "SELECT count(*) FROM sources",
    "SELECT count(*) FROM reviews",
    "SELECT count(*) FROM review_revisions",
    "SELECT count(*) FROM replies",
    "SELECT count(*) FROM reply_templates",
    "SELECT count(*) FROM alerts",
    "SELECT count(*) FROM alert_reviews",
    "SELECT count(*) FROM settings",
    "SELECT coalesce(sum(count), 0) FROM review_daily",
];

#[test]
fn two_databases_get_different_identities() {
    let dir = tempfile::tempdir().unwrap();
    let a = Store::open(&dir.path().join("a.db")).unwrap();
    let b = Store::open(&dir.path().join("b.db")).unwrap();
    assert_ne!(a.database_id().unwrap(), b.database_id().unwrap());
    // A new database has nothing under the old names to move.
    assert!(a.moved_old_credentials_for_tests());
}

/// A current database with `extra` run on it by a plain connection (as someone editing the file
/// would), and its bytes.
fn altered_database(dir: &Path, extra: &str) -> (PathBuf, Vec<u8>) {
    let path = dir.join("altered.db");
    let store = Store::open(&path).unwrap();
    store.ensure_business("Joe's").unwrap();
    drop(store);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(extra).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

/// Issue 33: a trigger, a view, a table or an index the migrations did not make, or one of
/// theirs changed or dropped, and the file is refused on open, untouched.
#[test]
fn a_database_with_anything_the_migrations_did_not_make_is_refused_and_left_untouched() {
    for (extra, named) in [
        (
            "CREATE TRIGGER keep_address AFTER UPDATE OF settings ON sources BEGIN
                 UPDATE sources SET settings = old.settings WHERE id = old.id;
             END;",
            "trigger keep_address",
        ),
        (
            "CREATE VIEW everything AS SELECT * FROM sources",
            "view everything",
        ),
        ("CREATE TABLE notes (x)", "table notes"),
        ("CREATE INDEX by_label ON sources (label)", "index by_label"),
        (
            "DROP TRIGGER review_daily_delete;
             CREATE TRIGGER review_daily_delete AFTER DELETE ON reviews BEGIN SELECT 1; END;",
            "trigger review_daily_delete",
        ),
        (
            "DROP INDEX reviews_by_business_time",
            "index reviews_by_business_time",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (path, bytes) = altered_database(dir.path(), extra);
        let err = Store::open(&path).unwrap_err();
        assert_eq!(err.code(), "foreign_schema", "{named}: {err}");
        let message = err.to_string();
        assert!(message.contains(named), "{message}");
        assert!(message.contains("left untouched"), "{message}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{named}: file changed"
        );
        assert!(!dir.path().join("altered.db-wal").exists());
        let reason = super::verify_database_file(&path).unwrap_err();
        assert!(reason.contains(named), "{reason}");
    }
}

/// An older database with a foreign trigger is refused before its upgrade runs, too.
#[test]
fn an_older_database_with_a_foreign_trigger_is_refused_before_its_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_from(dir.path(), 9, FIXTURES[8].1);
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER undo AFTER UPDATE ON sources BEGIN SELECT 1; END;
             PRAGMA journal_mode = DELETE;",
        )
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::ForeignSchema { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

/// Connections run with SQLite's defensive mode on and `trusted_schema` off.
#[test]
fn connections_are_defensive_and_do_not_trust_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("d.db")).unwrap();
    let trusted: i64 = store
        .conn
        .query_row("PRAGMA trusted_schema", [], |r| r.get(0))
        .unwrap();
    assert_eq!(trusted, 0);
    let err = store
        .conn
        .execute_batch("PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = sql;")
        .unwrap_err();
    assert!(err.to_string().contains("sqlite_"), "{err}");
    // FTS5's own tables are read-only to SQL.
    assert!(store
        .conn
        .execute("DELETE FROM reviews_fts_data", [])
        .is_err());
}

/// Addresses where credentials go are https, or http to this computer, wherever the store
/// writes them.
#[test]
fn an_http_address_to_another_computer_is_refused_where_settings_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("e.db")).unwrap();
    let b = store.ensure_business("Joe's").unwrap();
    let bad = serde_json::json!({"base_url": "http://attacker.example"});
    let err = store
        .add_source(b.id, "trustpilot", "tp", &bad)
        .unwrap_err();
    assert!(err.to_string().contains("plain http"), "{err}");
    let good = serde_json::json!({"base_url": "http://127.0.0.1:9"});
    let id = store.add_source(b.id, "trustpilot", "tp", &good).unwrap();
    assert!(store
        .set_source_settings(id, &serde_json::json!({"token_url": "http://10.0.0.1/t"}))
        .is_err());
    assert!(store
        .set_source_settings(id, &serde_json::json!({"auth_url": "file:///etc/passwd"}))
        .is_err());
    assert!(store
        .set_setting(
            "replies.ai",
            &serde_json::json!({"enabled": true, "base_url": "http://192.168.1.5:11434"})
        )
        .is_err());
    store
        .set_setting(
            "replies.ai",
            &serde_json::json!({"enabled": true, "base_url": "https://api.openai.com"}),
        )
        .unwrap();
}

/// One stored before the rule (or written by hand) is not used: the source waits, and its
/// credentials are held back.
#[test]
fn a_stored_http_address_to_another_computer_gets_no_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("f.db")).unwrap();
    let b = store.ensure_business("Joe's").unwrap();
    let id = store
        .add_source(b.id, "trustpilot", "tp", &serde_json::json!({}))
        .unwrap();
    store
        .conn
        .execute(
            "UPDATE sources SET settings = '{\"base_url\":\"http://attacker.example\"}'",
            [],
        )
        .unwrap();
    let source = store.source(id).unwrap();
    assert!(source.unconfirmed.unwrap().contains("plain http"));
    let memory = crate::secrets::MemorySecrets::default();
    memory
        .set(id, "api_key", &crate::secrets::Secret::new("tp-key-123456"))
        .unwrap();
    let guarded = store.guard_secrets(Box::new(memory)).unwrap();
    assert!(guarded.get(id, "api_key").is_err());
}

use crate::secrets::SecretStore;

impl Store {
    fn moved_old_credentials_for_tests(&self) -> bool {
        self.conn
            .query_row(
                "SELECT moved_old_credentials FROM database_identity",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }
}

/// A store with business 1 and a Trustpilot source 1 at `base`, and the AI endpoint at `ai`.
fn store_with_endpoints(path: &Path, base: &str, ai: &str) -> Store {
    let store = Store::open(path).unwrap();
    let b = store.ensure_business("Joe's").unwrap();
    store
        .add_source(
            b.id,
            "trustpilot",
            "tp",
            &serde_json::json!({"business_unit_id": "bu-1", "base_url": base}),
        )
        .unwrap();
    store
        .set_setting(
            "replies.ai",
            &serde_json::json!({"enabled": true, "base_url": ai, "model": "m"}),
        )
        .unwrap();
    store
}

/// The owner's own backup restores with everything trusted as before: same identity, no
/// source held back.
#[test]
fn restoring_the_owners_own_backup_keeps_its_identity_and_trust() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_endpoints(
        &dir.path().join("own.db"),
        "https://api.trustpilot.com",
        "http://localhost:11434",
    );
    let id = store.database_id().unwrap();
    let backup = dir.path().join("backup.db");
    store.backup_to(&backup).unwrap();
    store.restore_from(&backup).unwrap();
    assert_eq!(store.database_id().unwrap(), id);
    assert!(store.source(1).unwrap().unconfirmed.is_none());
    assert_eq!(store.settings_unconfirmed().unwrap(), None);
}

/// A file from elsewhere takes the replaced database's identity, and what points elsewhere
/// waits for the owner: the changed source, and the settings whose AI endpoint changed.
#[test]
fn a_restored_file_with_other_addresses_waits_for_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_endpoints(
        &dir.path().join("own.db"),
        "https://api.trustpilot.com",
        "http://localhost:11434",
    );
    let id = store.database_id().unwrap();
    let crafted = dir.path().join("crafted.db");
    {
        let theirs = store_with_endpoints(
            &crafted,
            "http://127.0.0.1:4444",
            "https://ai.attacker.example",
        );
        let b = theirs.ensure_business("Other").unwrap();
        theirs
            .add_source(
                b.id,
                "rss",
                "feed",
                &serde_json::json!({"url": "https://x.example/f"}),
            )
            .unwrap();
    }
    store.restore_from(&crafted).unwrap();
    assert_eq!(
        store.database_id().unwrap(),
        id,
        "the replaced database's identity"
    );
    let why = store.source(1).unwrap().unconfirmed.unwrap();
    assert!(why.contains("http://127.0.0.1:4444"), "{why}");
    assert!(why.contains("https://api.trustpilot.com"), "{why}");
    assert!(store
        .source(2)
        .unwrap()
        .unconfirmed
        .unwrap()
        .contains("added this source"));
    let ai = store.settings_unconfirmed().unwrap().unwrap();
    assert!(ai.contains("ai.attacker.example"), "{ai}");

    // The gate refuses both until the owner confirms them.
    let memory = crate::secrets::MemorySecrets::default();
    memory
        .set(1, "api_key", &crate::secrets::Secret::new("tp-key-123456"))
        .unwrap();
    memory
        .set(0, "ai_api_key", &crate::secrets::Secret::new("sk-123456"))
        .unwrap();
    let guarded = store.guard_secrets(Box::new(memory)).unwrap();
    assert!(guarded.get(1, "api_key").is_err());
    assert!(guarded.get(0, "ai_api_key").is_err());
    store.confirm_source(1).unwrap();
    store.confirm_settings().unwrap();
    assert_eq!(
        guarded.get(1, "api_key").unwrap().unwrap().expose(),
        "tp-key-123456"
    );
    assert!(guarded.get(0, "ai_api_key").unwrap().is_some());
}

/// A backup of an older version restores and is brought to the current schema.
#[test]
fn an_older_backup_restores_and_is_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("own.db")).unwrap();
    let id = store.database_id().unwrap();
    // SQLite's backup API copies into a WAL database only between equal page sizes: a backup
    // of a 16 KiB-page database, as `backup_to` makes them.
    let old = dir.path().join("v9-backup.db");
    Connection::open(&old)
        .unwrap()
        .execute_batch(&format!("PRAGMA page_size = 16384; {}", FIXTURES[8].1))
        .unwrap();
    store.restore_from(&old).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.database_id().unwrap(), id);
    assert_eq!(store.list_reviews(&Default::default()).unwrap().len(), 4);
    // The file's sources were not in the database it replaced: each waits.
    assert!(store
        .sources()
        .unwrap()
        .iter()
        .all(|s| s.unconfirmed.is_some()));
}

/// A restore refuses a file with an address that is not https or loopback http.
#[test]
fn a_backup_with_an_http_address_to_another_computer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let store = store_with_endpoints(&path, "https://api.trustpilot.com", "http://localhost:1");
    store
        .conn
        .execute(
            "UPDATE sources SET settings = '{\"base_url\":\"http://attacker.example\"}'",
            [],
        )
        .unwrap();
    drop(store);
    let reason = super::verify_database_file(&path).unwrap_err();
    assert!(reason.contains("plain http"), "{reason}");
}

#[test]
fn alert_channels_of_schema_v13_survive_and_are_trusted_as_before() {
    // Migration 0014 (issue 33) adds only the confirmation a restore may ask for: channels
    // already on this computer stay confirmed.
    let dir = tempfile::tempdir().unwrap();
    let path = database_from(
        dir.path(),
        13,
        include_str!("../../tests/fixtures/schema_v13.sql"),
    );
    let store = Store::open(&path).unwrap();
    let channels = store.alert_channels().unwrap();
    assert_eq!(channels.len(), 1);
    assert!(channels.iter().all(|c| c.unconfirmed.is_none()));
    assert_eq!(channels[0].target, "https://ntfy.sh/joes-cafe-alerts");
    assert_eq!(count(&store, "SELECT count(*) FROM alert_deliveries"), 1);
}

#[test]
fn a_follow_up_of_schema_v15_survives_and_still_shows_on_its_review() {
    // Migration 0015 (issue 29): the asks remembered stay, so no customer is asked twice.
    let dir = tempfile::tempdir().unwrap();
    let path = database_from(
        dir.path(),
        15,
        include_str!("../../tests/fixtures/schema_v15.sql"),
    );
    let store = Store::open(&path).unwrap();
    let asks = store.follow_ups_of_review(2).unwrap();
    assert_eq!(asks.len(), 1);
    assert_eq!(asks[0].recipient.as_deref(), Some("ben@example.com"));
    assert_eq!(asks[0].state, crate::model::replies::FollowUpState::Sent);
}

/// Issue 27: the owner's topics of schema v16 survive every later upgrade with their words.
#[test]
fn owner_topics_of_schema_v16_survive() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_from(
        dir.path(),
        16,
        include_str!("../../tests/fixtures/schema_v16.sql"),
    );
    let store = Store::open(&path).unwrap();
    let topics = store.owner_topics(Some(1)).unwrap();
    assert_eq!(topics.len(), 1);
    assert_eq!(topics[0].name, "the new menu");
    assert_eq!(topics[0].words, ["new menu", "seasonal menu"]);
}

/// Issue 29: the customer list, a link set by hand and the requests survive; a request whose
/// outcome was unknown still counts as asked.
#[test]
fn review_requests_of_schema_v17_survive_and_keep_their_customers_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_from(
        dir.path(),
        17,
        include_str!("../../tests/fixtures/schema_v17.sql"),
    );
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.request_links(1).unwrap(),
        [(
            "google".to_string(),
            "https://g.page/r/joes-cafe/review".to_string()
        )]
    );
    let customers = store.customers(1).unwrap();
    assert_eq!(customers.len(), 2);
    assert_eq!(customers[0].last_asked_at, Some(1714650200));
    assert!(customers[1].opt_out);
    let requests = store.review_requests(1).unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.asked()));
}

/// Issue 31: reviews of schema v20 come up assigned to nobody; an assignment of schema v21
/// survives, and the person's list finds it.
#[test]
fn review_assignments_start_empty_and_those_of_schema_v21_survive() {
    let dir = tempfile::tempdir().unwrap();
    let v20 = database_from(
        dir.path(),
        20,
        include_str!("../../tests/fixtures/schema_v20.sql"),
    );
    let store = Store::open(&v20).unwrap();
    let listed = store.list_reviews(&Default::default()).unwrap();
    assert!(!listed.is_empty());
    assert!(listed.iter().all(|r| r.assigned_to.is_none()));

    let v21 = database_from(
        dir.path(),
        21,
        include_str!("../../tests/fixtures/schema_v21.sql"),
    );
    let store = Store::open(&v21).unwrap();
    assert_eq!(store.review_assignee(2).unwrap().as_deref(), Some("Sam"));
    let sams = store
        .list_reviews(&super::ReviewFilter {
            assigned_to: Some("Sam".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(sams.iter().map(|r| r.id).collect::<Vec<_>>(), [2]);
}
