//! `earshot backup` and `earshot restore` on a team database (issue 31): a team's backup is a
//! portable Earshot file (made and checked by `earshot migrate`'s copier) that restores as a
//! seat's own file and into another team database with the same figures; a restore into a team
//! database is the owner's only, keeps what it replaces, gives the database a new identity, and
//! changes nothing when refused.

use std::path::{Path, PathBuf};

use earshot::store::postgres::{cluster, PgStore, Role};
use serde_json::Value;

use crate::common::TestDb;
use crate::team_sign_in::{run, seat};

fn json_of(home: &Path, location: &str, args: &[&str]) -> Value {
    let mut cmd = seat(home, location);
    cmd.args(args);
    let (ok, out, err) = run(cmd);
    assert!(ok, "earshot {args:?}: {err}\n{out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn text_of(home: &Path, location: &str, args: &[&str]) -> String {
    let mut cmd = seat(home, location);
    cmd.args(args);
    let (ok, out, err) = run(cmd);
    assert!(ok, "earshot {args:?}: {err}\n{out}");
    out
}

/// What the owner looks at: the businesses, both cafés' figures and one's reviews.
fn what_it_shows(home: &Path, location: &str) -> (String, Value, Value, usize) {
    let businesses = text_of(home, location, &["businesses", "list"]);
    let ours = json_of(
        home,
        location,
        &["stats", "--business", "Harbour Lane Café", "--json"],
    );
    let theirs = json_of(
        home,
        location,
        &["stats", "--business", "The Daily Grind", "--json"],
    );
    let reviews = json_of(
        home,
        location,
        &[
            "reviews",
            "--business",
            "Harbour Lane Café",
            "--limit",
            "100000",
            "--json",
        ],
    );
    (businesses, ours, theirs, reviews.as_array().unwrap().len())
}

fn identity(url: &str) -> String {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client
        .query_one("SELECT id FROM database_identity", &[])
        .unwrap()
        .get(0)
}

#[test]
fn a_team_backup_restores_as_a_file_and_into_another_team_database() {
    let test = TestDb::new();
    let home = test.dir.path();
    let team = cluster::fresh_database("team_backup_from");
    json_of(home, &team, &["demo", "--until", "2026-11-30", "--json"]);
    let original = what_it_shows(home, &team);

    // The backup: a file in this seat's backup folder, named after the team database.
    let made = json_of(home, &team, &["backup", "--json"]);
    let path = PathBuf::from(made["path"].as_str().unwrap());
    assert!(path.is_file(), "{made}");
    assert!(
        path.starts_with(home) && path.to_string_lossy().contains("/backups/team-"),
        "{made}"
    );
    let listed = json_of(home, &team, &["backup", "--list", "--json"]);
    assert_eq!(listed[0]["path"], made["path"], "{listed}");

    // It restores as a seat's own file, with the same figures.
    let file = test.path().to_str().unwrap().to_owned();
    json_of(home, &file, &["demo", "--until", "2020-01-31", "--json"]);
    json_of(home, &file, &["restore", path.to_str().unwrap(), "--json"]);
    assert_eq!(what_it_shows(home, &file), original, "restored as a file");

    // And into another team database that holds other data: replaced, all of it.
    let other = cluster::fresh_database("team_backup_into");
    json_of(home, &other, &["demo", "--until", "2021-06-30", "--json"]);
    let owner = PgStore::open(&other).unwrap();
    owner.team_init().unwrap();
    owner
        .invite("restore_manager", Role::Manager, None, "pw-manager")
        .unwrap();
    drop(owner);
    let before = what_it_shows(home, &other);
    let identity_before = identity(&other);

    // A manager may not replace the team's data; nothing changes.
    let as_manager = other.replacen("postgresql://postgres@", "postgresql://restore_manager@", 1);
    let mut refused = seat(home, &as_manager);
    refused.args(["restore", path.to_str().unwrap()]);
    let (ok, _, why) = run(refused);
    assert!(!ok);
    assert!(why.contains("only the owner"), "{why}");
    // Nor is a file that is not an Earshot backup restored.
    let junk = home.join("junk.db");
    std::fs::write(&junk, "not a database").unwrap();
    let mut bad = seat(home, &other);
    bad.args(["restore", junk.to_str().unwrap()]);
    let (ok, _, why) = run(bad);
    assert!(!ok);
    assert!(why.contains("not a usable Earshot backup"), "{why}");
    assert_eq!(
        what_it_shows(home, &other),
        before,
        "refusals change nothing"
    );
    assert_eq!(identity(&other), identity_before);

    let restored = json_of(home, &other, &["restore", path.to_str().unwrap(), "--json"]);
    assert_eq!(what_it_shows(home, &other), original, "{restored}");
    let replaced_reviews = restored["replaced"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "reviews")
        .unwrap()["rows"]
        .as_u64()
        .unwrap();
    assert!(replaced_reviews > 0, "{restored}");
    let kept = PathBuf::from(restored["previous_kept_at"].as_str().unwrap());
    assert!(kept.is_file(), "the replaced data is kept: {restored}");
    assert_ne!(identity(&other), identity_before, "a new identity");
    // The team's people stay.
    let members = text_of(home, &other, &["team", "members"]);
    assert!(members.contains("restore_manager"), "{members}");

    // The kept file undoes it.
    json_of(home, &other, &["restore", kept.to_str().unwrap(), "--json"]);
    assert_eq!(what_it_shows(home, &other), before, "undone");
}
