//! Replies and the outbox on the team store (issue 31): the reply store's answers on the SQLite
//! file and on a real PostgreSQL cluster the test starts itself, the shared outbox posting a
//! reply once for the whole team when two seats send at once, a seat without a platform's
//! credentials leaving the reply queued for one that holds them, a staff member's reply waiting
//! for a manager's approval, and the `earshot reply` / `earshot replies` commands with
//! `--db postgresql://…` giving what they give on a file. Platforms are wiremock servers on
//! 127.0.0.1.

use std::path::Path;
use std::time::Duration;

use chrono::{Duration as Days, Utc};
use earshot::model::replies::{Reply, ReplyState};
use earshot::model::{IncomingReview, Kind, ReviewId};
use earshot::replies::outbox::{waiting_for_credentials, Outbox, OutboxConfig, StaticCredentials};
use earshot::replies::{self};
use earshot::secrets::{MemorySecrets, Secret, SecretStore, StoredReplyCredentials};
use earshot::store::postgres::cluster;
use earshot::store::{Db, DbLocation, ReplyStore};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestDb;
use crate::team_store::both_stores;

const REPLY: &str = "Dana, I'm so sorry about the wait. Please email me at joe@joescafe.com so I \
                     can make it right. — Joe";

/// Where Google Business Profile takes a reply: `PUT
/// /v4/accounts/{account}/locations/{location}/reviews/{review}/reply` with `{"comment": …}`
/// answered by the stored reply (developers.google.com, My Business API v4,
/// accounts.locations.reviews.updateReply; shared/PLATFORMS.md), as `tests/replies.rs` serves it.
fn gbp_path(external_id: &str) -> String {
    format!("/v4/accounts/11/locations/22/reviews/{external_id}/reply")
}

fn gbp_settings(base_url: &str) -> Value {
    json!({"base_url": base_url, "account": "11", "location": "22"})
}

fn fast_config() -> OutboxConfig {
    OutboxConfig {
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        timeout: Duration::from_secs(5),
        no_proxy: true,
        ..Default::default()
    }
}

/// A runtime for the mock platforms and the outbox's futures. The team store is called from
/// plain test code, outside any runtime, as the CLI calls it.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn creds() -> StaticCredentials {
    StaticCredentials(Secret::new("test-token"))
}

fn incoming(external_id: &str) -> IncomingReview {
    IncomingReview {
        external_id: external_id.into(),
        platform: "google".into(),
        kind: Kind::Review,
        author: Some("Dana K.".into()),
        rating: Some(1.0),
        title: None,
        body: "Waited 40 minutes and the barista was rude.".into(),
        url: Some(format!("https://example.com/reviews/{external_id}")),
        language: None,
        created_at: Utc::now() - Days::days(1),
        updated_at: None,
        owner_reply: None,
        raw_json: None,
    }
}

/// One-star Google reviews of "Joe's Café" from a Google Business Profile source whose API is
/// `base_url`, on either store; their ids in the order given.
fn reviews_on(db: &mut Db, base_url: &str, external_ids: &[&str]) -> Vec<ReviewId> {
    let business = db.ensure_business("Joe's Café").unwrap();
    let items: Vec<IncomingReview> = external_ids.iter().map(|e| incoming(e)).collect();
    let settings = gbp_settings(base_url);
    match &mut *db {
        Db::Sqlite(s) => {
            let source = s
                .ensure_source(business.id, "google-business", "test", &settings)
                .unwrap();
            s.write_reviews(source, &items).unwrap();
        }
        Db::Postgres(p) => {
            let source = p
                .ensure_source(business.id, "google-business", "test", &settings)
                .unwrap();
            p.write_reviews(source, &items).unwrap();
        }
    }
    let listed = db
        .list_reviews(&earshot::store::ReviewFilter::default())
        .unwrap();
    external_ids
        .iter()
        .map(|e| listed.iter().find(|r| r.external_id == *e).unwrap().id)
        .collect()
}

/// The seat's person on each store: the OS user on a file, the login on the cluster.
fn person(db: &Db) -> Option<String> {
    match db {
        Db::Sqlite(_) => earshot::store::person_on_file(),
        Db::Postgres(p) => Some(p.signed_in().unwrap().name),
    }
}

/// What a reply says, store-independently (ids and times differ between stores).
fn shown(r: &Reply) -> String {
    format!(
        "{}|{}|{}|{:?}|{}|{:?}|{}",
        r.origin.as_str(),
        r.state.as_str(),
        r.body,
        r.external_id,
        r.attempts,
        r.last_error,
        r.posted_at.is_some()
    )
}

#[test]
fn drafts_the_queue_edits_and_templates_agree_on_both_stores() {
    let test = TestDb::new();
    let mut seen = Vec::new();
    for mut db in both_stores(&test, "replies_store") {
        let at = db.location();
        let me = person(&db);
        let id = reviews_on(&mut db, "http://127.0.0.1:9", &["AbC"])[0];
        let mut says = Vec::new();

        // One draft row per review, whoever saves it last.
        replies::save_draft(&db, id, "first words").unwrap();
        let draft = replies::save_draft(&db, id, REPLY).unwrap().unwrap();
        assert_eq!(db.replies_of_review(id).unwrap().len(), 1, "{at}");
        assert_eq!(draft.drafted_by, me, "{at}");
        says.push(shown(&draft));

        // Queueing is idempotent by key and by draft; one claim wins.
        let queued = db.queue_reply(id, "click-1").unwrap().unwrap();
        assert_eq!(queued.state, ReplyState::Queued, "{at}");
        assert_eq!(
            db.queue_reply(id, "click-1").unwrap().unwrap().id,
            queued.id
        );
        assert_eq!(
            db.queue_reply(id, "click-2").unwrap().unwrap().id,
            queued.id
        );
        assert_eq!(db.queued_replies().unwrap().len(), 1, "{at}");
        assert!(db.claim_reply(queued.id).unwrap(), "{at}");
        assert!(!db.claim_reply(queued.id).unwrap(), "{at}: claimed twice");
        let posted = db
            .record_reply_posted(queued.id, Some("r-1"), Utc::now().timestamp())
            .unwrap();
        assert_eq!(posted.sent_by, me, "{at}");
        assert!(db.review(id).unwrap().replied, "{at}");
        says.push(shown(&posted));

        // An edit files the old text; an edit the platform refuses goes back to it.
        db.queue_edit(posted.id, "Better words.", "edit-1").unwrap();
        assert_eq!(db.reply_revisions(id).unwrap().len(), 1, "{at}");
        let (back, unsaved) = db.undo_edit(posted.id, "refused").unwrap();
        assert_eq!(unsaved, "Better words.");
        says.push(shown(&back));
        assert!(db.reply_revisions(id).unwrap().is_empty(), "{at}");

        // A failed reply waits for its retry; a due retry queues it again.
        let failed = db
            .record_reply_failed_until(posted.id, "HTTP 503", Some(10))
            .unwrap();
        assert_eq!(db.reply_retry_at(failed.id).unwrap(), Some(10));
        assert_eq!(db.requeue_due_replies(20).unwrap(), 1, "{at}");
        let posted = db
            .record_reply_posted(posted.id, None, Utc::now().timestamp())
            .unwrap();

        // Deleted on the platform: the review counts as unanswered again.
        let deleted = db.record_reply_deleted(posted.id).unwrap();
        assert!(!db.review(id).unwrap().replied, "{at}");
        says.push(shown(&deleted));

        // Replied by hand; the coach sees it among the business's posted replies.
        let manual = replies::mark_replied(&db, id, Some("Thanks, Dana.")).unwrap();
        assert_eq!(
            (manual.drafted_by.clone(), manual.sent_by.clone()),
            (me.clone(), me.clone())
        );
        says.push(shown(&manual));
        let business = db.review(id).unwrap().business_id;
        assert_eq!(
            db.posted_reply_bodies(business, None, 10).unwrap(),
            vec!["Thanks, Dana.".to_string()],
            "{at}"
        );

        // Templates are seeded once, then the owner's own.
        let templates = replies::list_templates(&db).unwrap();
        assert!(!templates.is_empty(), "{at}");
        says.extend(templates.iter().map(|t| t.name.clone()));
        assert_eq!(db.seed_reply_templates(&templates).unwrap(), 0, "{at}");
        let name = templates[0].name.clone();
        replies::delete_template(&db, &name).unwrap();
        assert_eq!(
            replies::list_templates(&db).unwrap().len(),
            templates.len() - 1
        );
        let (_, text) = replies::draft_from_template(&db, id, None).unwrap();
        says.push(text);

        // Nothing waits for approval here: approving says so.
        let refused = db.approve_reply(manual.id).unwrap_err().to_string();
        assert!(
            refused.contains("not waiting for approval"),
            "{at}: {refused}"
        );

        // The list, with who did what.
        let listed = db.list_replies(Some(business), None).unwrap();
        says.extend(listed.iter().map(shown));
        assert_eq!(
            db.list_replies(None, Some(ReplyState::Posted))
                .unwrap()
                .len(),
            1,
            "{at}"
        );
        seen.push(says);
    }
    assert_eq!(seen[0], seen[1], "the file and the team database disagree");
}

#[test]
fn a_reply_is_posted_once_through_the_outbox_on_both_stores() {
    let test = TestDb::new();
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("PUT"))
            .and(path(gbp_path("AbC")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
            .expect(2)
            .mount(&server),
    );
    for mut db in both_stores(&test, "replies_outbox") {
        let id = reviews_on(&mut db, &server.uri(), &["AbC"])[0];
        replies::save_draft(&db, id, REPLY).unwrap();
        let c = creds();
        let outbox = Outbox::new(&db, &c, fast_config()).unwrap();
        let posted = rt.block_on(outbox.post_review(id, Some("click"))).unwrap();
        assert_eq!(posted.state, ReplyState::Posted, "{}", db.location());
        assert_eq!(posted.sent_by, person(&db));
        // A double click sends nothing more.
        let again = rt.block_on(outbox.post_review(id, Some("click"))).unwrap();
        assert_eq!(again.id, posted.id);
        assert!(db.review(id).unwrap().replied);
    }
}

/// Two seats (two connections, two threads) run their outbox over the same queue at the same
/// moment, against a platform that answers slowly: every reply is posted exactly once.
#[test]
fn two_seats_sending_at_once_post_each_reply_once_for_the_team() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("PUT"))
            .and(path_regex(
                r"^/v4/accounts/11/locations/22/reviews/[^/]+/reply$",
            ))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"comment": REPLY}))
                    .set_delay(Duration::from_millis(150)),
            )
            .mount(&server),
    );
    let url = cluster::fresh_database("replies_two_seats");
    let ids: Vec<String> = (0..8).map(|i| format!("r{i}")).collect();
    {
        let mut db = Db::open(&DbLocation::parse(Path::new(&url))).unwrap();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        for (i, id) in reviews_on(&mut db, &server.uri(), &refs)
            .into_iter()
            .enumerate()
        {
            replies::save_draft(&db, id, &format!("{REPLY} #{i}")).unwrap();
            db.queue_reply(id, &format!("key-{i}")).unwrap().unwrap();
        }
    }
    let seat = |url: String| {
        std::thread::spawn(move || {
            let db = Db::open(&DbLocation::parse(Path::new(&url))).unwrap();
            let c = creds();
            let outbox = Outbox::new(&db, &c, fast_config()).unwrap();
            runtime().block_on(outbox.run()).unwrap().posted.len()
        })
    };
    let (a, b) = (seat(url.clone()), seat(url.clone()));
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    assert_eq!(a + b, ids.len(), "seat A posted {a}, seat B {b}");
    // Both seats took part (each reply takes 150 ms at the platform; the seats start together).
    assert!(a > 0 && b > 0, "seat A posted {a}, seat B {b}");
    let puts = rt.block_on(server.received_requests()).unwrap();
    assert_eq!(
        puts.len(),
        ids.len(),
        "each reply reached the platform once"
    );
    let db = Db::open(&DbLocation::parse(Path::new(&url))).unwrap();
    let posted = db.list_replies(None, Some(ReplyState::Posted)).unwrap();
    assert_eq!(posted.len(), ids.len());
    assert!(posted
        .iter()
        .all(|r| r.attempts == 1 && r.sent_by.is_some()));
}

/// Credentials stay on the computers that sync: a seat without the platform's key leaves the
/// reply queued, says what it waits for, and sends nothing; a seat that holds the key sends it
/// on its next round.
#[test]
fn a_seat_without_the_key_leaves_the_reply_queued_for_one_that_holds_it() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("PUT"))
            .and(path(gbp_path("AbC")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
            .expect(1)
            .mount(&server),
    );
    let url = cluster::fresh_database("replies_no_key");
    let mut db = Db::open(&DbLocation::parse(Path::new(&url))).unwrap();
    let id = reviews_on(&mut db, &server.uri(), &["AbC"])[0];
    replies::save_draft(&db, id, REPLY).unwrap();

    let nothing = MemorySecrets::default();
    let without = StoredReplyCredentials(&nothing);
    let waiting = rt
        .block_on(
            Outbox::new(&db, &without, fast_config())
                .unwrap()
                .post_review(id, None),
        )
        .unwrap();
    assert_eq!(waiting.state, ReplyState::Queued);
    assert_eq!(waiting.attempts, 0, "never claimed");
    assert_eq!(
        waiting.last_error.as_deref(),
        Some(waiting_for_credentials("Google Business Profile").as_str())
    );
    // Another round of the same seat changes nothing.
    let report = rt
        .block_on(Outbox::new(&db, &without, fast_config()).unwrap().run())
        .unwrap();
    assert!(report.posted.is_empty() && report.failed.is_empty());

    let holder = Db::open(&DbLocation::parse(Path::new(&url))).unwrap();
    let c = creds();
    let report = rt
        .block_on(Outbox::new(&holder, &c, fast_config()).unwrap().run())
        .unwrap();
    assert_eq!(report.posted.len(), 1);
    assert_eq!(report.posted[0].last_error, None);
    assert!(db.review(id).unwrap().replied);
}

/// A seat that holds the platform's secret, but whose sign-in the platform refuses, sends and
/// says why the reply failed rather than leaving it for another seat: whether to wait is only
/// whether this seat holds the secret (no renewal before the claim), so the token endpoint is
/// asked once, by the send.
#[test]
fn a_seat_whose_held_sign_in_is_refused_reports_it_and_asks_the_platform_once() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({
                "error": "invalid_grant",
                "error_description": "Token has been expired or revoked."
            })))
            .expect(1)
            .mount(&server),
    );
    rt.block_on(
        Mock::given(method("PUT"))
            .and(path(gbp_path("AbC")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
            .expect(0)
            .mount(&server),
    );
    let url = cluster::fresh_database("replies_refused_sign_in");
    let mut db = Db::open(&DbLocation::parse(Path::new(&url))).unwrap();
    let id = reviews_on(&mut db, &server.uri(), &["AbC"])[0];
    let source = db.review(id).unwrap().source_id;
    let mut settings = gbp_settings(&server.uri());
    settings["client_id"] = json!("client-1");
    db.set_source_settings(source, &settings).unwrap();
    replies::save_draft(&db, id, REPLY).unwrap();

    let held = MemorySecrets::default();
    held.set(source, "refresh_token", &Secret::new("revoked-refresh-1"))
        .unwrap();
    held.set(source, "client_secret", &Secret::new("client-secret-1"))
        .unwrap();
    let c = StoredReplyCredentials(&held);
    let failed = rt
        .block_on(
            Outbox::new(&db, &c, fast_config())
                .unwrap()
                .post_review(id, None),
        )
        .unwrap();
    assert_eq!(failed.state, ReplyState::Failed);
    let error = failed.last_error.unwrap();
    assert_ne!(error, waiting_for_credentials("Google Business Profile"));
    assert!(error.contains("Google"), "{error}");
    assert!(
        !error.contains("revoked-refresh-1") && !error.contains("client-secret-1"),
        "{error}"
    );
}

/// A staff member's reply (a login in the `earshot_staff` group) waits for a manager's
/// approval; the manager's approval sends it, and the list says who drafted, approved and sent.
#[test]
fn a_staff_reply_waits_for_a_managers_approval() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("PUT"))
            .and(path(gbp_path("AbC")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
            .expect(2)
            .mount(&server),
    );
    let url = cluster::fresh_database("replies_approval");
    let mut manager = Db::open(&DbLocation::parse(Path::new(&url))).unwrap();
    let id = reviews_on(&mut manager, &server.uri(), &["AbC"])[0];
    let staff_url = staff_login(&url, "replies_staff_sam");

    let staff = Db::open(&DbLocation::parse(Path::new(&staff_url))).unwrap();
    replies::save_draft(&staff, id, REPLY).unwrap();
    let c = creds();
    let waits = rt
        .block_on(
            Outbox::new(&staff, &c, fast_config())
                .unwrap()
                .post_review(id, Some("sam-1")),
        )
        .unwrap();
    assert_eq!(waits.state, ReplyState::AwaitingApproval);
    assert_eq!(waits.drafted_by.as_deref(), Some("replies_staff_sam"));
    // No round sends it before the approval.
    let report = rt
        .block_on(Outbox::new(&manager, &c, fast_config()).unwrap().run())
        .unwrap();
    assert!(report.posted.is_empty());

    let sent = earshot::actions::block_on(earshot::actions::approve_reply(
        &manager,
        &c,
        fast_config(),
        waits.id,
    ))
    .unwrap();
    assert_eq!(sent.state, ReplyState::Posted);
    assert_eq!(sent.drafted_by.as_deref(), Some("replies_staff_sam"));
    assert_eq!(sent.approved_by.as_deref(), Some("postgres"));
    assert_eq!(sent.sent_by.as_deref(), Some("postgres"));
    let again = manager.approve_reply(waits.id).unwrap_err().to_string();
    assert!(
        again.contains("is posted, not waiting for approval"),
        "{again}"
    );

    // The staff member's edit of the posted reply waits too; the platform keeps the first text
    // until the manager approves it.
    let edit = rt
        .block_on(
            Outbox::new(&staff, &c, fast_config())
                .unwrap()
                .edit_review_reply(id, "Better words, Dana.", None),
        )
        .unwrap();
    assert_eq!(edit.state, ReplyState::AwaitingApproval);
    assert_eq!(manager.reply_revisions(id).unwrap().len(), 1);
    let edited = earshot::actions::block_on(earshot::actions::approve_reply(
        &manager,
        &c,
        fast_config(),
        edit.id,
    ))
    .unwrap();
    assert_eq!(
        (edited.state, edited.body.as_str()),
        (ReplyState::Posted, "Better words, Dana.")
    );
}

/// A staff member of the team, invited as `earshot team invite NAME --role staff` does (all
/// businesses); their connection URL (the test cluster trusts its loopback connections).
fn staff_login(url: &str, name: &str) -> String {
    let owner = earshot::store::postgres::PgStore::open(url).unwrap();
    owner.team_init().unwrap();
    owner
        .invite(
            name,
            earshot::store::postgres::Role::Staff,
            None,
            "pw-staff",
        )
        .unwrap();
    url.replacen("postgres@", &format!("{name}@"), 1)
}

/// `earshot reply save|draft|templates|post|edit|delete|mark-replied|check|copy|template|profile|
/// recovered` and `earshot replies list` give the
/// same JSON with `--db postgresql://…` as on a file (ids, times and people aside); on the team
/// database, `replies list` names the login as drafter and sender, and a seat without the key
/// leaves its reply queued and says so.
#[test]
fn the_reply_commands_give_the_same_answers_on_a_team_database() {
    let test = TestDb::new();
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("PUT"))
            .and(path_regex(
                r"^/v4/accounts/11/locations/22/reviews/[^/]+/reply$",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
            .expect(4)
            .mount(&server),
    );
    rt.block_on(
        Mock::given(method("DELETE"))
            .and(path_regex(
                r"^/v4/accounts/11/locations/22/reviews/[^/]+/reply$",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .expect(2)
            .mount(&server),
    );
    let url = cluster::fresh_database("replies_cli");
    let mut answers = Vec::new();
    for mut db in [
        Db::open(&DbLocation::File(test.path().to_owned())).unwrap(),
        Db::open(&DbLocation::parse(Path::new(&url))).unwrap(),
    ] {
        let ids = reviews_on(&mut db, &server.uri(), &["AbC", "XyZ"]);
        let location = match &db {
            Db::Sqlite(_) => test.path().display().to_string(),
            Db::Postgres(_) => url.clone(),
        };
        drop(db);
        let dir = test.dir.path().to_owned();
        let (one, two) = (ids[0].to_string(), ids[1].to_string());
        let out = {
            let run = |args: &[&str], token: bool| -> Value {
                let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"));
                cmd.arg("--db")
                    .arg(&location)
                    .args(args)
                    .env("XDG_DATA_HOME", &dir)
                    .env("EARSHOT_SECRETS_FILE", dir.join("secrets.json"))
                    .env("NO_PROXY", "127.0.0.1")
                    .env_remove("EARSHOT_DB")
                    .env_remove("EARSHOT_TOKEN_GOOGLE_BUSINESS");
                if token {
                    cmd.env("EARSHOT_TOKEN_GOOGLE_BUSINESS", "env-token");
                }
                let out = cmd.output().unwrap();
                assert!(
                    out.status.success(),
                    "{location} {args:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                serde_json::from_slice(&out.stdout).unwrap()
            };
            vec![
                run(&["reply", "save", "--review", &one, REPLY, "--json"], false),
                run(&["reply", "draft", "--review", &one, "--json"], false),
                run(&["reply", "templates", "--json"], false),
                run(&["reply", "draft", "--review", &two, "--json"], false),
                run(&["reply", "post", "--review", &one, "--json"], true),
                run(
                    &["reply", "edit", "--review", &one, "Better words.", "--json"],
                    true,
                ),
                run(&["reply", "delete", "--review", &one, "--json"], true),
                run(
                    &[
                        "reply",
                        "mark-replied",
                        "--review",
                        &two,
                        "By hand.",
                        "--json",
                    ],
                    false,
                ),
                run(&["replies", "list", "--json"], false),
                run(&["replies", "list", "--state", "posted", "--json"], false),
                run(
                    &[
                        "reply",
                        "check",
                        "--review",
                        &two,
                        "SORRY!!! Call me.",
                        "--json",
                    ],
                    false,
                ),
                run(
                    &["reply", "save", "--review", &two, "Copy me.", "--json"],
                    false,
                ),
                run(&["reply", "copy", "--review", &two, "--json"], false),
                run(
                    &[
                        "reply",
                        "template",
                        "Short",
                        "Thank you, {first_name}.",
                        "--min-stars",
                        "1",
                        "--max-stars",
                        "2",
                        "--json",
                    ],
                    false,
                ),
                run(
                    &[
                        "reply",
                        "draft",
                        "--review",
                        &two,
                        "--template",
                        "Short",
                        "--json",
                    ],
                    false,
                ),
                run(
                    &[
                        "reply",
                        "profile",
                        "--business",
                        "Joe's Café",
                        "--owner-name",
                        "Joe",
                        "--json",
                    ],
                    false,
                ),
                run(
                    &["reply", "recovered", "--business", "Joe's Café", "--json"],
                    false,
                ),
            ]
        };
        answers.push(out);
    }
    let listed = &answers[1][8];
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    for r in listed.as_array().unwrap() {
        assert_eq!(r["drafted_by"], "postgres", "{r}");
        assert_eq!(r["sent_by"], "postgres", "{r}");
        assert_eq!(r["approved_by"], Value::Null, "{r}");
    }
    let [file, team] = [&answers[0], &answers[1]].map(|a| {
        a.iter()
            .map(|v| {
                let mut v = v.clone();
                strip(&mut v);
                v
            })
            .collect::<Vec<_>>()
    });
    assert_eq!(
        file, team,
        "the file and the team database answer differently"
    );
}

/// Removes what differs between stores by nature: ids, times and the person's name.
fn strip(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(strip),
        Value::Object(map) => {
            for key in [
                "id",
                "review_id",
                "created_at",
                "updated_at",
                "posted_at",
                "drafted_by",
                "sent_by",
                "approved_by",
                "idempotency_key",
            ] {
                map.remove(key);
            }
            map.values_mut().for_each(strip);
        }
        _ => {}
    }
}

/// On a team database, a seat without the platform's key (no `EARSHOT_TOKEN_…`, no stored
/// credentials there) leaves `reply post`'s reply queued, exits 0 and says what it waits for.
#[test]
fn reply_post_on_a_seat_without_the_key_says_it_waits_for_one() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server),
    );
    let url = cluster::fresh_database("replies_cli_no_key");
    let id = {
        let mut db = Db::open(&DbLocation::parse(Path::new(&url))).unwrap();
        let id = reviews_on(&mut db, &server.uri(), &["AbC"])[0];
        replies::save_draft(&db, id, REPLY).unwrap();
        id.to_string()
    };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["--db", &url, "reply", "post", "--review", &id])
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("EARSHOT_DB")
        .env_remove("EARSHOT_TOKEN_GOOGLE_BUSINESS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(
            "is queued, waiting for a computer that holds the Google Business Profile key"
        ),
        "{stdout}"
    );
}

/// `earshot reply post` by a staff seat leaves the reply awaiting approval; the manager finds it
/// in `replies list --state awaiting_approval` and `earshot reply approve ID` sends it. On a file
/// nothing waits, and approving says so.
#[test]
fn reply_approve_sends_a_staff_reply_from_the_command_line() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("PUT"))
            .and(path(gbp_path("AbC")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
            .expect(1)
            .mount(&server),
    );
    let url = cluster::fresh_database("replies_cli_approve");
    let id = {
        let mut db = Db::open(&DbLocation::parse(Path::new(&url))).unwrap();
        reviews_on(&mut db, &server.uri(), &["AbC"])[0].to_string()
    };
    let staff_url = staff_login(&url, "replies_staff_kim");
    let run = |db: &str, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .args(["--db", db])
            .args(args)
            .env("NO_PROXY", "127.0.0.1")
            .env("EARSHOT_TOKEN_GOOGLE_BUSINESS", "env-token")
            .env_remove("EARSHOT_DB")
            .output()
            .unwrap()
    };
    let json = |out: std::process::Output| -> Value {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    json(run(
        &staff_url,
        &["reply", "save", "--review", &id, REPLY, "--json"],
    ));
    let waits = json(run(
        &staff_url,
        &["reply", "post", "--review", &id, "--json"],
    ));
    assert_eq!(waits["state"], "awaiting_approval", "{waits}");
    let out = run(&staff_url, &["reply", "post", "--review", &id]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("waits for a manager's approval"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let listed = json(run(
        &url,
        &["replies", "list", "--state", "awaiting_approval", "--json"],
    ));
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["drafted_by"], "replies_staff_kim");
    let reply_id = listed[0]["id"].to_string();
    let sent = json(run(&url, &["reply", "approve", &reply_id, "--json"]));
    assert_eq!(sent["state"], "posted", "{sent}");
    assert_eq!(sent["approved_by"], "postgres");
    assert_eq!(sent["sent_by"], "postgres");
    assert_eq!(sent["drafted_by"], "replies_staff_kim");

    // (`demo` was here as a command built on a file only; it works on a team database now,
    // `team_demo` tests it.)

    let test = TestDb::new();
    let out = test.earshot(&["reply", "approve", "1"]);
    assert!(!out.0.status.success());
    assert!(
        out.stderr().contains("no reply with id 1"),
        "{}",
        out.stderr()
    );
}

/// A reply the owner wrote on the platform, seen by an import or a sync, is kept as the
/// review's `platform` reply on both stores (once, its text updated when it changes), and
/// counts the review as answered.
#[test]
fn a_reply_seen_on_the_platform_is_kept_once_on_both_stores() {
    let test = TestDb::new();
    let mut seen = Vec::new();
    for mut db in both_stores(&test, "replies_seen") {
        let id = reviews_on(&mut db, "http://127.0.0.1:9", &["AbC"])[0];
        let business = db.review(id).unwrap().business_id;
        let answered = |text: &str| IncomingReview {
            owner_reply: Some(earshot::model::OwnerReply {
                body: text.into(),
                replied_at: Some(Utc::now() - Days::hours(2)),
            }),
            ..incoming("AbC")
        };
        let source = db.review(id).unwrap().source_id;
        for text in ["Sorry, Dana.", "Sorry, Dana. Fixed now."] {
            match &mut db {
                Db::Sqlite(s) => s.write_reviews(source, &[answered(text)]).map(|_| ()),
                Db::Postgres(p) => p.write_reviews(source, &[answered(text)]).map(|_| ()),
            }
            .unwrap();
        }
        let replies = db.replies_of_review(id).unwrap();
        assert_eq!(replies.len(), 1, "{}", db.location());
        assert!(db.review(id).unwrap().replied);
        assert_eq!(
            db.posted_reply_bodies(business, None, 10).unwrap(),
            vec!["Sorry, Dana. Fixed now.".to_string()]
        );
        seen.push(replies.iter().map(shown).collect::<Vec<_>>());
    }
    assert_eq!(seen[0], seen[1]);
}
