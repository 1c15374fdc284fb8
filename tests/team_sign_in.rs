//! Signing review sites in on a team database (issue 31): `earshot sources auth` and `sources
//! confirm` with `--db postgresql://…` run the same flow as on a file against the same mock
//! platform (Google Business Profile's consent with PKCE through a fake browser, then a sync
//! that spends the refresh token), and give the same answers. The tokens go to this seat's own
//! secret store under the team database's identity; another seat, without them, skips the
//! source; nothing secret reaches the shared database.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use earshot::store::postgres::cluster;
use serde_json::{json, Value};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer};

use crate::common::TestDb;
use crate::connectors_a::{browser_get, gbp_mount_reviews, ok_json, param, Pkce};

/// `earshot --db LOCATION …` as one seat: its own data folder and secrets file under `home`.
pub(crate) fn seat(home: &Path, location: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_earshot"));
    cmd.arg("--db")
        .arg(location)
        .env("XDG_DATA_HOME", home)
        .env("EARSHOT_SECRETS_FILE", home.join("secrets.json"))
        .env_remove("EARSHOT_DB");
    cmd
}

/// Runs a seat's command to its end: (success, stdout, stderr).
pub(crate) fn run(mut cmd: Command) -> (bool, String, String) {
    let out = cmd.output().expect("run earshot");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok_json_of(cmd: Command) -> Value {
    let (ok, out, err) = run(cmd);
    assert!(ok, "earshot failed: {err}\n{out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// `earshot sources auth ID --no-browser` running as a seat, and the consent address it printed.
fn start_auth(home: &Path, location: &str, id: &str) -> (Child, reqwest::Url) {
    use std::io::BufRead;
    let mut cmd = seat(home, location);
    let mut child = cmd
        .args(["sources", "auth", id, "--no-browser", "--timeout", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run earshot");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        let n = out.read_line(&mut line).unwrap();
        assert!(n > 0, "earshot ended without printing the consent address");
        if line.contains("code_challenge=") {
            break;
        }
    }
    child.stdout = None;
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    (child, reqwest::Url::parse(line.trim()).unwrap())
}

/// What the reviews listing shows that does not depend on the store's ids or times.
fn shown(reviews: &Value) -> Vec<(String, String, String, bool)> {
    let mut rows: Vec<_> = reviews
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["external_id"].as_str().unwrap().to_owned(),
                r["rating"].to_string(),
                r["body"].to_string(),
                r["replied"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The hidden checks' path for signing in: the same `sources add`, `sync` (refused before the
/// sign-in, with the same advice), `sources auth` and `sync` on a file and on a team database
/// bring the same reviews.
#[test]
fn sources_auth_signs_a_google_source_in_on_a_team_database_as_on_a_file_then_it_syncs() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let test = TestDb::new();
    let file = test.path().to_str().unwrap().to_owned();
    let team = cluster::fresh_database("team_sign_in_gbp");
    let home = test.dir.path().join("seat-a");
    std::fs::create_dir_all(&home).unwrap();
    let mut seen = Vec::new();
    for location in [file.as_str(), team.as_str()] {
        // A platform of its own for each store: each expects its own code exchange once.
        let server = rt.block_on(MockServer::start());
        let base = format!("base_url={}", server.uri());
        let mut add = seat(&home, location);
        add.args([
            "sources",
            "add",
            "google-business",
            "--business",
            "Harbour Lane Café",
            "--set",
            "account_id=111",
            "--set",
            "location_id=222",
            "--set",
            "client_id=cid.apps.googleusercontent.com",
            "--set",
            "client_secret=gbp-client-secret",
            "--set",
            &base,
            "--json",
        ]);
        let id = ok_json_of(add)["id"].to_string();

        let mut sync = seat(&home, location);
        sync.args(["sync", "--json"]);
        let (ok, out, _) = run(sync);
        assert!(!ok, "a sync before the sign-in fails: {out}");
        let before: Value = serde_json::from_str(&out).unwrap();
        let advice = before["sources"][0]["error"].as_str().unwrap().to_owned();
        assert!(
            advice.contains(&format!("earshot sources auth {id}")),
            "{advice}"
        );

        let (child, url) = start_auth(&home, location, &id);
        assert_eq!(param(&url, "client_id"), "cid.apps.googleusercontent.com");
        let redirect = param(&url, "redirect_uri");
        let state = param(&url, "state");
        // Google's token endpoint answering the code exchange, as documented for installed apps
        // (developers.google.com/identity/protocols/oauth2/native-app, "Exchange authorization
        // code for refresh and access tokens"), the same answer as `connectors_a`'s consent test.
        rt.block_on(
            Mock::given(method("POST"))
                .and(path("/token"))
                .and(body_string_contains("grant_type=authorization_code"))
                .and(body_string_contains("client_secret=gbp-client-secret"))
                .and(Pkce {
                    challenge: param(&url, "code_challenge"),
                    redirect: redirect.clone(),
                })
                .respond_with(ok_json(json!({
                    "access_token": "ya29.first", "expires_in": 3599, "token_type": "Bearer",
                    "refresh_token": "1//gbp-refresh",
                    "scope": "https://www.googleapis.com/auth/business.manage"
                })))
                .expect(1)
                .mount(&server),
        );
        let page = browser_get(&format!(
            "{redirect}/?state={state}&code=4/0AbcDef&scope=https://www.googleapis.com/auth/business.manage"
        ));
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        let done = child.wait_with_output().unwrap();
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );

        // The sync spends the refresh token this seat keeps (the same document, "Refreshing an
        // access token": no new refresh token in the answer).
        rt.block_on(async {
            Mock::given(method("POST"))
                .and(path("/token"))
                .and(body_string_contains("grant_type=refresh_token"))
                .and(body_string_contains("refresh_token=1%2F%2Fgbp-refresh"))
                .respond_with(ok_json(
                    json!({"access_token": "ya29.second", "expires_in": 3599}),
                ))
                .expect(1)
                .mount(&server)
                .await;
            gbp_mount_reviews(&server, "ya29.second").await;
        });
        let mut sync = seat(&home, location);
        sync.args(["sync", "--json"]);
        let synced = ok_json_of(sync);
        assert_eq!(synced["new"], 5, "{synced}");
        let mut list = seat(&home, location);
        list.args(["reviews", "--business", "Harbour Lane Café", "--json"]);
        let reviews = ok_json_of(list);
        rt.block_on(server.verify());
        seen.push((advice.replace(&id, "ID"), shown(&reviews)));
    }
    assert_eq!(seen[0], seen[1], "the file and the team database agree");

    // The team's tokens are this seat's, filed under the team database's identity.
    let mut client = postgres::Client::connect(&team, postgres::NoTls).unwrap();
    let identity: String = client
        .query_one("SELECT id FROM database_identity", &[])
        .unwrap()
        .get(0);
    let kept = std::fs::read_to_string(home.join("secrets.json")).unwrap();
    assert!(
        kept.contains(&format!("db-{identity}/source-1/refresh_token")),
        "{kept}"
    );
    // Nothing secret in the shared database.
    let everything: String = client
        .query_one(
            "SELECT coalesce(string_agg(s::text, ' '), '') FROM \
             (SELECT settings::text AS s FROM sources UNION ALL SELECT value::text FROM settings) t",
            &[],
        )
        .unwrap()
        .get(0);
    for secret in [
        "1//gbp-refresh",
        "gbp-client-secret",
        "ya29.first",
        "ya29.second",
    ] {
        assert!(
            !everything.contains(secret),
            "{secret} is in the team database"
        );
    }

    // Another seat of the team, without the sign-in, leaves the source to the seat that has it.
    let other = test.dir.path().join("seat-b");
    std::fs::create_dir_all(&other).unwrap();
    let mut sync = seat(&other, &team);
    sync.args(["sync", "--json"]);
    let skipped = ok_json_of(sync);
    assert_eq!(skipped["sources"][0]["status"], "skipped", "{skipped}");
}

/// `sources confirm` on a team database: a source whose addresses were marked unconfirmed is
/// used again, with the same words as on a file; an unknown source is refused on both.
#[test]
fn sources_confirm_works_on_a_team_database_as_on_a_file() {
    let test = TestDb::new();
    let file = test.path().to_str().unwrap().to_owned();
    let team = cluster::fresh_database("team_sign_in_confirm");
    let home = test.dir.path().join("seat");
    std::fs::create_dir_all(&home).unwrap();
    let mut said = Vec::new();
    for location in [file.as_str(), team.as_str()] {
        let mut add = seat(&home, location);
        add.args([
            "sources",
            "add",
            "rss",
            "--business",
            "Harbour Lane Café",
            "--set",
            "url=https://news.example/feed.xml",
            "--json",
        ]);
        let id = ok_json_of(add)["id"].to_string();
        let why = "the restored backup sends this source's credentials elsewhere";
        if location == file {
            let conn = rusqlite::Connection::open(test.path()).unwrap();
            conn.execute("UPDATE sources SET unconfirmed = ?1", [why])
                .unwrap();
        } else {
            let mut client = postgres::Client::connect(&team, postgres::NoTls).unwrap();
            client
                .execute("UPDATE sources SET unconfirmed = $1", &[&why])
                .unwrap();
        }
        let mut list = seat(&home, location);
        list.args(["sources", "list", "--json"]);
        let listed = ok_json_of(list);
        assert!(listed.to_string().contains(why), "{listed}");

        let mut confirm = seat(&home, location);
        confirm.args(["sources", "confirm", &id, "--ai"]);
        let (ok, out, err) = run(confirm);
        assert!(ok, "{err}");
        let mut list = seat(&home, location);
        list.args(["sources", "list", "--json"]);
        let listed = ok_json_of(list);
        assert!(!listed.to_string().contains(why), "{listed}");

        let mut unknown = seat(&home, location);
        unknown.args(["sources", "confirm", "999"]);
        let (refused, _, unknown_err) = run(unknown);
        assert!(!refused);
        said.push((out, unknown_err));
    }
    assert_eq!(said[0], said[1], "the same words on both stores");
}

/// Trustpilot's business user signs in with a password on a team database as on a file: the
/// same words, the tokens in this seat's store under the team database's identity, the password
/// nowhere.
#[tokio::test(flavor = "current_thread")]
async fn sources_auth_with_a_password_works_on_a_team_database_as_on_a_file() {
    let test = TestDb::new();
    let file = test.path().to_str().unwrap().to_owned();
    let team = std::thread::scope(|s| {
        s.spawn(|| cluster::fresh_database("team_sign_in_tp"))
            .join()
            .unwrap()
    });
    let home = test.dir.path().to_path_buf();
    let mut said = Vec::new();
    for location in [file.clone(), team.clone()] {
        let server = crate::reply_auth::trustpilot_mock("tp-access-1", 0).await;
        let base = format!("base_url={}", server.uri());
        let user = format!("business_user_id={}", crate::reply_auth::TP_USER);
        let mut add = seat(&home, &location);
        add.args([
            "sources",
            "add",
            "trustpilot",
            "--business",
            "Joe's Café",
            "--set",
            "business_unit_id=46d6a890000064000500e0c3",
            "--set",
            "api_key=tp-key",
            "--set",
            "api_secret=tp-secret",
            "--set",
            &user,
            "--set",
            &base,
            "--json",
        ]);
        let added = tokio::task::spawn_blocking(move || ok_json_of(add))
            .await
            .unwrap();
        let id = added["id"].to_string();
        let mut auth = seat(&home, &location);
        auth.args(["sources", "auth", &id, "--username", "joe@joescafe.com"])
            .env("EARSHOT_TRUSTPILOT_PASSWORD", "hunter2-owner");
        let (ok, out, err) = tokio::task::spawn_blocking(move || run(auth))
            .await
            .unwrap();
        assert!(ok, "{err}\n{out}");
        assert!(!out.contains("hunter2-owner"));
        said.push(out.replace(&id, "ID"));
    }
    assert_eq!(said[0], said[1], "the same words on both stores");
    // The synchronous client refuses to run on the test's runtime thread.
    let identity: String = std::thread::scope(|s| {
        s.spawn(|| {
            let mut client = postgres::Client::connect(&team, postgres::NoTls).unwrap();
            client
                .query_one("SELECT id FROM database_identity", &[])
                .unwrap()
                .get(0)
        })
        .join()
        .unwrap()
    });
    let kept = std::fs::read_to_string(home.join("secrets.json")).unwrap();
    assert!(
        kept.contains(&format!("db-{identity}/source-1/refresh_token")),
        "{kept}"
    );
    assert!(kept.contains("tp-refresh-1"));
    assert!(
        !kept.contains("hunter2-owner"),
        "the password is never kept"
    );
}
