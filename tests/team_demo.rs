//! `earshot demo` on a team database (issue 31): the same demo rows through the team store's own
//! review writer, so the same summary, figures and reviews as on a file, and a rerun changes
//! nothing.

use earshot::store::postgres::cluster;
use serde_json::Value;

use crate::common::TestDb;
use crate::team_sign_in::{run, seat};

fn json_of(home: &std::path::Path, location: &str, args: &[&str]) -> Value {
    let mut cmd = seat(home, location);
    cmd.args(args);
    let (ok, out, err) = run(cmd);
    assert!(ok, "earshot {args:?}: {err}\n{out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// What a review shows that does not depend on the store's ids.
fn reviews_shown(v: &Value) -> Vec<String> {
    let mut rows: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {}",
                r["platform"], r["external_id"], r["rating"], r["replied"], r["body"]
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn the_demo_loads_the_same_on_a_team_database_as_on_a_file() {
    let test = TestDb::new();
    let file = test.path().to_str().unwrap().to_owned();
    let team = cluster::fresh_database("team_demo");
    let home = test.dir.path();
    let mut seen = Vec::new();
    for location in [file.as_str(), team.as_str()] {
        let loaded = json_of(home, location, &["demo", "--until", "2026-11-30", "--json"]);
        assert!(loaded["reviews"].as_u64().unwrap() > 500, "{loaded}");
        let again = json_of(home, location, &["demo", "--until", "2026-11-30", "--json"]);
        assert_eq!(again["new"], 0, "a rerun changes nothing: {again}");
        let stats = json_of(
            home,
            location,
            &["stats", "--business", "Harbour Lane Café", "--json"],
        );
        let reviews = json_of(
            home,
            location,
            &[
                "reviews",
                "--business",
                "The Daily Grind",
                "--limit",
                "100000",
                "--json",
            ],
        );
        let (ok, listed, _) = run({
            let mut c = seat(home, location);
            c.args(["businesses", "list"]);
            c
        });
        assert!(ok);
        seen.push((loaded, stats, reviews_shown(&reviews), listed));
    }
    assert_eq!(seen[0], seen[1], "the file and the team database agree");
}
