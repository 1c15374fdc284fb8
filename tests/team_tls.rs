//! TLS to the team database (issue 31): the URL's `sslmode` and `sslrootcert` honoured as psql
//! honours them, against a throwaway cluster started with `ssl=on` and a certificate for
//! `localhost` signed by an authority the test made (`cluster::with_tls`), and against the shared
//! cluster, which has no TLS.

use std::path::Path;

use earshot::store::postgres::{cluster, PgStore};

use crate::common::TestDb;

/// A password no message may ever show.
const PASSWORD: &str = "Sup3rSecretPassw0rd";

/// `url` (a database on the TLS cluster, host 127.0.0.1) with `host` instead, the password, and
/// the query `query`.
fn address(url: &str, host: &str, query: &str) -> String {
    let url = url.replace("postgres@127.0.0.1", &format!("postgres:{PASSWORD}@{host}"));
    format!("{url}?{query}")
}

fn authority() -> String {
    let ca = cluster::with_tls().authority_certificate().unwrap();
    ca.to_str().unwrap().to_owned()
}

/// Opening fails with a TLS error whose message contains `expected` and never the password.
fn refused(url: &str, expected: &str) -> String {
    let err = PgStore::open(url).unwrap_err();
    let message = err.to_string();
    assert_eq!(err.code(), "db_tls", "{message}");
    assert!(message.contains(expected), "{message}");
    assert!(!message.contains(PASSWORD), "{message}");
    message
}

#[test]
fn require_and_prefer_encrypt_and_disable_does_not() {
    let url = cluster::fresh_tls_database("tls_modes");
    for (query, encrypted) in [
        ("sslmode=require", true),
        ("sslmode=prefer", true),
        ("application_name=default_is_prefer", true),
        ("sslmode=allow", true),
        ("sslmode=disable", false),
    ] {
        let store = PgStore::open(&address(&url, "127.0.0.1", query))
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(store.is_encrypted().unwrap(), encrypted, "{query}");
        // The footer's location carries no password.
        assert!(!store.location().contains(PASSWORD), "{}", store.location());
    }
}

#[test]
fn verify_full_checks_the_authority_and_the_name() {
    let url = cluster::fresh_tls_database("tls_verify");
    let ca = authority();
    let with_ca = format!("sslmode=verify-full&sslrootcert={ca}");

    // The certificate is for localhost, signed by the test's authority: both checks pass.
    let store = PgStore::open(&address(&url, "localhost", &with_ca)).unwrap();
    assert!(store.is_encrypted().unwrap());

    // Without the authority, the computer's own do not know it.
    let message = refused(
        &address(&url, "localhost", "sslmode=verify-full"),
        "not signed by an authority this computer trusts (unknown issuer)",
    );
    assert!(message.contains("sslrootcert=PATH"), "{message}");

    // The right authority, the wrong name: verify-full refuses, verify-ca does not check names.
    refused(
        &address(&url, "127.0.0.1", &with_ca),
        "the server's certificate is not issued for the host in the address",
    );
    let store = PgStore::open(&address(
        &url,
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={ca}"),
    ))
    .unwrap();
    assert!(store.is_encrypted().unwrap());

    // As libpq, `require` given an authority checks it: here one that did not sign the server's.
    let other = Path::new(&ca).with_file_name("server.crt");
    refused(
        &address(
            &url,
            "127.0.0.1",
            &format!("sslmode=require&sslrootcert={}", other.display()),
        ),
        "unknown issuer",
    );

    // An authority file that is not there is named.
    refused(
        &address(
            &url,
            "localhost",
            "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
        ),
        "cannot read the certificate authority file /nonexistent/ca.pem",
    );
}

#[test]
fn a_server_without_tls_refuses_require_and_prefer_falls_back() {
    let url = cluster::fresh_database("tls_plain_server");
    for mode in ["require", "verify-ca", "verify-full"] {
        let message = refused(
            &address(&url, "127.0.0.1", &format!("sslmode={mode}")),
            "the server does not accept encrypted connections",
        );
        assert!(message.contains(&format!("sslmode={mode}")), "{message}");
    }
    let store = PgStore::open(&address(&url, "127.0.0.1", "sslmode=prefer")).unwrap();
    assert!(!store.is_encrypted().unwrap());
}

/// The real binary with `--db 'postgresql://…?sslmode=…'`: encrypted as asked (the server's log
/// says so for the command's own connection), refused plainly by a server without TLS, and the
/// password never printed.
#[test]
fn the_cli_connects_encrypted_and_says_plainly_when_it_cannot() {
    let test = TestDb::new();
    let url = cluster::fresh_tls_database("tls_cli");
    let basic = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reviews_basic.csv");
    let run = |db: &str, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--db")
            .arg(db)
            .args(args)
            .env_remove("EARSHOT_DB")
            .env("XDG_DATA_HOME", test.dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains(PASSWORD), "{stderr}");
        (out, stderr)
    };

    let required = address(
        &url,
        "127.0.0.1",
        "sslmode=require&application_name=earshot_tls_cli_import",
    );
    let (out, stderr) = run(
        &required,
        &[
            "import",
            basic.to_str().unwrap(),
            "--business",
            "Encrypted Café",
            "--json",
        ],
    );
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["new"], 4, "{report}");

    let verified = address(
        &url,
        "localhost",
        &format!(
            "sslmode=verify-full&sslrootcert={}&application_name=earshot_tls_cli_reviews",
            authority()
        ),
    );
    let (out, stderr) = run(
        &verified,
        &["reviews", "--business", "Encrypted Café", "--json"],
    );
    assert!(out.status.success(), "{stderr}");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 4, "{listed}");

    let log = cluster::with_tls().server_log();
    for name in ["earshot_tls_cli_import", "earshot_tls_cli_reviews"] {
        let authorized: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("connection authorized") && l.contains(name))
            .collect();
        assert!(!authorized.is_empty(), "no connection of {name} in:\n{log}");
        for line in authorized {
            assert!(line.contains("SSL enabled"), "{line}");
        }
    }

    // No authority given: the computer's own do not know the test's.
    let (out, stderr) = run(
        &address(&url, "localhost", "sslmode=verify-full"),
        &["reviews", "--business", "Encrypted Café", "--json"],
    );
    assert!(!out.status.success());
    assert!(stderr.contains("unknown issuer"), "{stderr}");

    // A server without TLS: `require` is refused, and the message says why.
    let plain = cluster::fresh_database("tls_cli_plain");
    let (out, stderr) = run(
        &address(&plain, "127.0.0.1", "sslmode=require"),
        &["reviews", "--business", "Encrypted Café", "--json"],
    );
    assert!(!out.status.success());
    assert!(
        stderr.contains("the server does not accept encrypted connections"),
        "{stderr}"
    );
    assert!(stderr.contains("postgres@127.0.0.1"), "{stderr}");
}

/// A person of a team signs in with a password (SCRAM) over TLS, as on a server off the machine;
/// the TLS cluster accepts that login only so. SCRAM's channel binding ties the password
/// exchange to this TLS connection (`channel_binding=require` fails without it).
#[test]
fn a_person_signs_in_with_a_password_over_tls_bound_to_the_channel() {
    let url = cluster::fresh_tls_database("tls_password");
    drop(PgStore::open(&url).unwrap());
    let login = cluster::TLS_PASSWORD_LOGIN;
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "CREATE ROLE {login} LOGIN SUPERUSER PASSWORD '{PASSWORD}'"
        ))
        .unwrap();
    let person = |password: &str, query: &str| {
        let at = url.replace(
            "postgres@127.0.0.1",
            &format!("{login}:{password}@localhost"),
        );
        format!("{at}?{query}")
    };
    let verified = format!(
        "sslmode=verify-full&sslrootcert={}&channel_binding=require",
        authority()
    );
    let store = PgStore::open(&person(PASSWORD, &verified)).unwrap();
    assert!(store.is_encrypted().unwrap());

    // Without TLS the server refuses this login; a wrong password is refused too. Neither
    // message shows a password.
    for (password, query) in [
        (PASSWORD, "sslmode=disable"),
        ("wrong-password", "sslmode=require"),
    ] {
        let err = PgStore::open(&person(password, query)).unwrap_err();
        let message = err.to_string();
        assert_eq!(err.code(), "db_open", "{message}");
        assert!(!message.contains(PASSWORD), "{message}");
        assert!(!message.contains("wrong-password"), "{message}");
    }
}

/// A server that signs seats in by their own certificate (`sslcert`, `sslkey`): the seat with
/// it gets in, one without it does not, and a key others may read is refused before it is sent.
#[test]
fn a_seat_signs_in_with_a_certificate_of_its_own() {
    let url = cluster::fresh_tls_database("tls_client_cert");
    drop(PgStore::open(&url).unwrap());
    let login = cluster::TLS_CERTIFICATE_LOGIN;
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE ROLE {login} LOGIN SUPERUSER"))
        .unwrap();
    let ca = authority();
    let folder = Path::new(&ca).parent().unwrap();
    let (cert, key) = (folder.join("client.crt"), folder.join("client.key"));
    let seat = |query: &str| {
        let at = url.replace("postgres@127.0.0.1", &format!("{login}@localhost"));
        format!("{at}?sslmode=verify-full&sslrootcert={ca}{query}")
    };
    let with_cert = format!("&sslcert={}&sslkey={}", cert.display(), key.display());
    let store = PgStore::open(&seat(&with_cert)).unwrap();
    assert!(store.is_encrypted().unwrap());

    let err = PgStore::open(&seat("")).unwrap_err();
    assert_eq!(err.code(), "db_open", "{err}");

    // The same key, readable by others.
    let test = TestDb::new();
    let shared_key = test.dir.path().join("client.key");
    std::fs::copy(&key, &shared_key).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shared_key, std::fs::Permissions::from_mode(0o644)).unwrap();
    refused(
        &seat(&format!(
            "&sslcert={}&sslkey={}",
            cert.display(),
            shared_key.display()
        )),
        "may be read by others (mode 644); make it yours alone: chmod 600",
    );
}
