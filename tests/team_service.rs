//! `earshot service install` on a team database (issue 31): the unit runs the watcher of the
//! team database, named without its password; the password goes where the app keeps a seat's
//! team password, and the command the unit runs opens the team database.

use earshot::store::postgres::cluster;

use crate::common::TestDb;
use crate::team_sign_in::{run, seat};

#[test]
fn service_install_on_a_team_database_writes_no_password_and_its_watcher_opens_the_team_database() {
    let test = TestDb::new();
    let home = test.dir.path();
    let team = cluster::fresh_database("team_service");
    // The throwaway cluster trusts 127.0.0.1, so a password in the URL is accepted and unused:
    // what matters here is where it goes.
    let password = "s3cret-team-pw";
    let with_password = team.replacen(
        "postgresql://postgres@",
        &format!("postgresql://postgres:{password}@"),
        1,
    );
    let bin = crate::watch::fake_systemctl(home);
    let config = home.join("config");
    let mut install = seat(home, &with_password);
    install
        .args(["service", "install", "--json"])
        .env("PATH", &bin)
        .env("XDG_CONFIG_HOME", &config);
    let (ok, out, err) = run(install);
    assert!(ok, "{err}\n{out}");
    assert!(!out.contains(password), "{out}");
    let installed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(installed["installed"], true, "{installed}");

    let unit = std::fs::read_to_string(config.join("systemd/user/earshot-watch.service")).unwrap();
    assert!(!unit.contains(password), "no password in the unit:\n{unit}");
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .unwrap();
    let words: Vec<&str> = exec.split(' ').collect();
    assert_eq!(words[1..], ["--db", team.as_str(), "watch"], "{unit}");
    // The password is in this seat's password store, where the app keeps it.
    let kept = std::fs::read_to_string(home.join("secrets.json")).unwrap();
    assert!(kept.contains("team-logins"), "{kept}");
    assert!(kept.contains(password), "{kept}");
    // The unit passes the secrets file on, as it does for a file's watcher.
    assert!(unit.contains("EARSHOT_SECRETS_FILE="), "{unit}");

    // What the unit runs, once: it opens the team database and does a round.
    let mut watch = std::process::Command::new(words[0]);
    watch
        .args(&words[1..])
        .args(["--once", "--json"])
        .env("XDG_DATA_HOME", home)
        .env("EARSHOT_SECRETS_FILE", home.join("secrets.json"))
        .env_remove("EARSHOT_DB");
    let (ok, out, err) = run(watch);
    assert!(ok, "{err}\n{out}");
    assert!(!out.contains(password) && !err.contains(password));
}
