//! Replies end to end (issue 6): the outbox against mock platforms on 127.0.0.1 (success, a
//! permanent refusal, retried 5xx, a double click, a crash between send and record), drafts,
//! templates, copy-and-open and the `earshot reply` commands.

mod common;

use std::time::Duration;

use chrono::{Duration as Days, Utc};
use common::TestDb;
use earshot::model::{IncomingReview, Kind, OwnerReply};
use earshot::replies::outbox::{
    Outbox, OutboxConfig, Secret, StaticCredentials, MAY_HAVE_BEEN_POSTED,
};
use earshot::replies::{self, ReplyError, ReplyState};
use earshot::store::{ReviewFilter, Store};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "test-token";

fn incoming(external_id: &str, platform: &str, rating: f64, body: &str) -> IncomingReview {
    IncomingReview {
        external_id: external_id.into(),
        platform: platform.into(),
        kind: Kind::Review,
        author: Some("Dana K.".into()),
        rating: Some(rating),
        title: None,
        body: body.into(),
        url: Some(format!("https://example.com/reviews/{external_id}")),
        language: None,
        created_at: Utc::now() - Days::days(1),
        updated_at: None,
        owner_reply: None,
        raw_json: None,
    }
}

/// A one-star review from `connector`, whose source points at `base_url`; returns its id.
fn review_on(store: &mut Store, connector: &str, settings: Value, external_id: &str) -> i64 {
    let business = store.ensure_business("Joe's Café").unwrap();
    let platform = earshot::platform::connector(connector).unwrap().platform;
    let source = store
        .ensure_source(business.id, connector, "test", &settings)
        .unwrap();
    store
        .write_reviews(
            source,
            &[incoming(
                external_id,
                platform,
                1.0,
                "Waited 40 minutes and the barista was rude.",
            )],
        )
        .unwrap();
    review_id(store, external_id)
}

fn review_id(store: &Store, external_id: &str) -> i64 {
    store
        .list_reviews(&ReviewFilter::default())
        .unwrap()
        .into_iter()
        .find(|r| r.external_id == external_id)
        .unwrap()
        .id
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

fn creds() -> StaticCredentials {
    StaticCredentials(Secret::new(TOKEN))
}

const REPLY: &str = "Dana, I'm so sorry about the wait and how you were spoken to. Please email \
                     me at joe@joescafe.com so I can make it right. — Joe";

const GBP_PATH: &str = "/v4/accounts/11/locations/22/reviews/AbC/reply";

fn gbp_settings(server: &MockServer) -> Value {
    json!({"base_url": server.uri(), "account": "11", "location": "22"})
}

#[tokio::test]
async fn a_posted_reply_is_recorded_and_the_review_counts_as_replied() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(json!({ "comment": REPLY })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"comment": REPLY, "updateTime": "2024-05-02T10:00:00Z"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(&mut store, "google-business", gbp_settings(&server), "AbC");
    assert!(!store.review(id).unwrap().replied);
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Posted);
    assert_eq!(reply.attempts, 1);
    assert!(reply.posted_at.is_some());
    assert!(
        store.draft(id).unwrap().is_none(),
        "the draft became the reply"
    );
    let review = store.review(id).unwrap();
    assert!(review.replied);
    assert_eq!(review.replied_at, reply.posted_at);
    // The review is no longer "unanswered".
    let unanswered = store
        .list_reviews(&ReviewFilter {
            unanswered: true,
            ..Default::default()
        })
        .unwrap();
    assert!(unanswered.iter().all(|r| r.id != id));
}

#[tokio::test]
async fn a_permanent_refusal_is_recorded_with_the_platforms_reason_and_not_retried() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
            "code": 403, "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED"}})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(&mut store, "google-business", gbp_settings(&server), "AbC");
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    assert_eq!(
        reply.last_error.as_deref(),
        Some("HTTP 403: The caller does not have permission")
    );
    assert!(!store.review(id).unwrap().replied);
}

#[tokio::test]
async fn a_5xx_is_retried_with_backoff_and_then_succeeds() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .respond_with(ResponseTemplate::new(503).set_body_string("backend unavailable"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(&mut store, "google-business", gbp_settings(&server), "AbC");
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Posted);
    assert_eq!(reply.attempts, 3);
    assert_eq!(reply.last_error, None);
}

#[tokio::test]
async fn a_platform_that_keeps_failing_ends_failed_after_the_last_attempt() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .respond_with(ResponseTemplate::new(500))
        // Three attempts, then three more when the owner posts again.
        .expect(6)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(&mut store, "google-business", gbp_settings(&server), "AbC");
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let config = OutboxConfig {
        max_attempts: 3,
        ..fast_config()
    };
    let outbox = Outbox::new(&store, &c, config).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    assert!(
        reply
            .last_error
            .as_deref()
            .unwrap()
            .contains("after 3 attempts"),
        "{:?}",
        reply.last_error
    );
    // Posting again retries the failed reply.
    let again = outbox.post_review(id, None).await.unwrap();
    assert_eq!((again.id, again.state), (reply.id, ReplyState::Failed));
}

#[tokio::test]
async fn a_double_click_posts_once() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"data": {"id": "1791", "text": REPLY}}))
                .set_delay(Duration::from_millis(300)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(&mut store, "x", json!({"base_url": server.uri()}), "1790");
    replies::save_draft(&store, id, REPLY).unwrap();
    // Two clicks handled by two connections (the app and the CLI, or two windows).
    let other = db.store();
    let c = creds();
    let first = Outbox::new(&store, &c, fast_config()).unwrap();
    let second = Outbox::new(&other, &c, fast_config()).unwrap();
    let (a, b) = tokio::join!(first.post_review(id, None), second.post_review(id, None));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.id, b.id, "both clicks are the same reply");
    let states = [a.state, b.state];
    assert!(states.contains(&ReplyState::Posted), "{states:?}");
    // A third click after it is posted sends nothing and returns it.
    let c3 = first.post_review(id, None).await.unwrap();
    assert_eq!((c3.id, c3.state), (a.id, ReplyState::Posted));
    assert_eq!(c3.external_id.as_deref(), Some("1791"));
    let earshot_replies: Vec<_> = store
        .replies_of_review(id)
        .unwrap()
        .into_iter()
        .filter(|r| r.state != ReplyState::Draft)
        .collect();
    assert_eq!(earshot_replies.len(), 1);
}

#[tokio::test]
async fn the_same_idempotency_key_never_queues_a_second_reply() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(&mut store, "google-business", gbp_settings(&server), "AbC");
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let a = outbox.post_review(id, Some("click-1")).await.unwrap();
    // The UI retries its call with the same key after the app restarted mid-call.
    let b = outbox.post_review(id, Some("click-1")).await.unwrap();
    assert_eq!((a.id, b.id), (a.id, a.id));
    assert_eq!(b.state, ReplyState::Posted);
}

/// Leaves a queued reply in `posting`, as a run killed between sending and recording would.
fn crash_while_posting(store: &Store, review_id: i64) -> i64 {
    replies::save_draft(store, review_id, REPLY).unwrap();
    let reply = store
        .queue_reply(review_id, "crashed-run")
        .unwrap()
        .unwrap();
    assert!(store.claim_reply(reply.id).unwrap());
    assert_eq!(store.reply(reply.id).unwrap().state, ReplyState::Posting);
    reply.id
}

fn after_crash() -> OutboxConfig {
    OutboxConfig {
        posting_lease: Duration::ZERO,
        ..fast_config()
    }
}

#[tokio::test]
async fn a_reply_left_posting_by_a_crash_is_resent_where_the_api_replaces() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(&mut store, "google-business", gbp_settings(&server), "AbC");
    let reply_id = crash_while_posting(&store, id);
    let c = creds();
    let report = Outbox::new(&store, &c, after_crash())
        .unwrap()
        .run()
        .await
        .unwrap();
    assert_eq!(report.requeued.len(), 1);
    assert_eq!(report.posted.len(), 1);
    assert_eq!(store.reply(reply_id).unwrap().state, ReplyState::Posted);
}

#[tokio::test]
async fn a_reply_left_posting_on_a_create_only_api_is_never_blindly_resent() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "c1"})))
        .expect(0)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(
        &mut store,
        "facebook",
        json!({"base_url": server.uri()}),
        "12_34",
    );
    let reply_id = crash_while_posting(&store, id);
    let c = creds();
    let outbox = Outbox::new(&store, &c, after_crash()).unwrap();
    let report = outbox.run().await.unwrap();
    assert!(report.requeued.is_empty() && report.posted.is_empty());
    let reply = store.reply(reply_id).unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    assert!(reply.last_error.unwrap().starts_with(MAY_HAVE_BEEN_POSTED));
    assert!(!store.review(id).unwrap().replied);
}

#[tokio::test]
async fn a_live_run_holding_a_reply_is_not_taken_for_a_crashed_one() {
    let db = TestDb::new();
    let mut store = db.store();
    let id = review_on(
        &mut store,
        "facebook",
        json!({"base_url": "http://127.0.0.1:9"}),
        "12_34",
    );
    let reply_id = crash_while_posting(&store, id);
    let c = creds();
    // Default lease: the reply was claimed a moment ago, so another run leaves it alone.
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    outbox.run().await.unwrap();
    assert_eq!(store.reply(reply_id).unwrap().state, ReplyState::Posting);
    let again = outbox.post_review(id, None).await.unwrap();
    assert_eq!(again.state, ReplyState::Posting);
}

#[tokio::test]
async fn a_crashed_reply_that_a_sync_has_since_seen_is_recorded_as_posted() {
    let db = TestDb::new();
    let mut store = db.store();
    let id = review_on(
        &mut store,
        "facebook",
        json!({"base_url": "http://127.0.0.1:9"}),
        "12_34",
    );
    let reply_id = crash_while_posting(&store, id);
    // The next sync finds the Page's reply under the comment.
    let business = store.find_business("Joe's Café").unwrap().unwrap();
    let source = store
        .ensure_source(business.id, "facebook", "test", &json!({}))
        .unwrap();
    let mut seen = incoming(
        "12_34",
        "facebook",
        1.0,
        "Waited 40 minutes and the barista was rude.",
    );
    seen.owner_reply = Some(OwnerReply {
        body: REPLY.replace("  ", " "),
        replied_at: Some(Utc::now()),
    });
    store.write_reviews(source, &[seen]).unwrap();
    let c = creds();
    Outbox::new(&store, &c, after_crash())
        .unwrap()
        .run()
        .await
        .unwrap();
    assert_eq!(store.reply(reply_id).unwrap().state, ReplyState::Posted);
}

#[tokio::test]
async fn a_timeout_on_a_create_only_api_is_not_retried() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"data": {"id": "1791"}}))
                .set_delay(Duration::from_secs(3)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(&mut store, "x", json!({"base_url": server.uri()}), "1790");
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let config = OutboxConfig {
        timeout: Duration::from_millis(300),
        ..fast_config()
    };
    let reply = Outbox::new(&store, &c, config)
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    assert!(reply.last_error.unwrap().starts_with(MAY_HAVE_BEEN_POSTED));
}

#[tokio::test]
async fn an_edit_replaces_the_reply_where_the_api_allows_and_is_refused_elsewhere() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    let edited = format!("{REPLY} (Update: the new rota starts Monday.)");
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(body_json(json!({ "comment": REPLY })))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(body_json(json!({ "comment": edited })))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": {"id": "9"}})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    // The outbox and the test write through separate connections, as the app's do.
    let conn = db.store();
    let c = creds();
    let outbox = Outbox::new(&conn, &c, fast_config()).unwrap();
    let gbp = review_on(&mut store, "google-business", gbp_settings(&server), "AbC");
    replies::save_draft(&store, gbp, REPLY).unwrap();
    let first = outbox.post_review(gbp, None).await.unwrap();
    replies::save_draft(&store, gbp, &edited).unwrap();
    let second = outbox.post_review(gbp, None).await.unwrap();
    assert_eq!(second.id, first.id, "the reply is edited in place");
    assert_eq!(
        (second.state, second.body.as_str()),
        (ReplyState::Posted, edited.as_str())
    );

    let x = review_on(&mut store, "x", json!({"base_url": server.uri()}), "1790");
    replies::save_draft(&store, x, REPLY).unwrap();
    outbox.post_review(x, None).await.unwrap();
    replies::save_draft(&store, x, &edited).unwrap();
    let err = outbox.post_review(x, None).await.unwrap_err();
    assert!(
        err.to_string().contains("does not let Earshot edit"),
        "{err}"
    );
}

#[tokio::test]
async fn deleting_a_reply_removes_it_on_the_platform_and_reopens_the_review() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(GBP_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(&mut store, "google-business", gbp_settings(&server), "AbC");
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    outbox.post_review(id, None).await.unwrap();
    assert!(store.review(id).unwrap().replied);
    let deleted = outbox.delete_review_reply(id).await.unwrap();
    assert_eq!(deleted.state, ReplyState::Deleted);
    assert!(!store.review(id).unwrap().replied);
}

#[tokio::test]
async fn a_platform_without_a_reply_api_is_copy_and_open_then_mark_replied() {
    let db = TestDb::new();
    let mut store = db.store();
    let id = review_on(&mut store, "yelp", json!({}), "yelp-1");
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let err = Outbox::new(&store, &c, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap_err();
    assert!(matches!(err, ReplyError::NoReplyApi { .. }));
    assert_eq!(err.code(), "no_reply_api");
    let copy = replies::copy_and_open(&store, id).unwrap();
    assert_eq!(copy.text, REPLY);
    assert_eq!(
        copy.url.as_deref(),
        Some("https://example.com/reviews/yelp-1")
    );
    let manual = replies::mark_replied(&store, id, None).unwrap();
    assert_eq!(manual.body, REPLY, "the draft is what was posted");
    assert_eq!(manual.origin, replies::ReplyOrigin::Manual);
    assert!(store.review(id).unwrap().replied);
    assert!(store.draft(id).unwrap().is_none());
}

#[test]
fn a_draft_is_one_row_per_review_however_often_it_is_saved() {
    let db = TestDb::new();
    let mut store = db.store();
    let id = review_on(&mut store, "yelp", json!({}), "yelp-1");
    for text in ["D", "Da", "Dana, I'm sorry"] {
        replies::save_draft(&store, id, text).unwrap();
    }
    let all = store.replies_of_review(id).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        replies::get_draft(&store, id).unwrap().unwrap().body,
        "Dana, I'm sorry"
    );
    assert!(replies::save_draft(&store, id, "  ").unwrap().is_none());
    assert!(store.replies_of_review(id).unwrap().is_empty());
}

#[test]
fn the_composer_offers_a_template_the_coach_is_happy_with() {
    let db = TestDb::new();
    let mut store = db.store();
    let id = review_on(&mut store, "google-business", json!({}), "AbC");
    let business = store.find_business("Joe's Café").unwrap().unwrap();
    replies::set_profile(
        &store,
        business.id,
        &replies::ReplyProfile {
            owner_name: Some("Joe".into()),
            contact_email: Some("joe@joescafe.com".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let c = replies::composer(&store, id).unwrap();
    assert!(c.draft.is_none());
    let template = c.template.clone().unwrap();
    assert!(template.starts_with("complaint"), "{template}");
    assert!(
        c.text.contains("Dana") && c.text.contains("joe@joescafe.com"),
        "{}",
        c.text
    );
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert!(matches!(c.route, replies::ReplyRoute::Post { .. }));
    // Once the same reply is posted elsewhere, reusing it reads as canned.
    let other = review_on(&mut store, "google-business", json!({}), "XyZ");
    replies::mark_replied(&store, other, Some(&c.text)).unwrap();
    let w = replies::check_draft(&store, id, &c.text).unwrap();
    assert_eq!(
        w.iter().map(|w| w.code.as_str()).collect::<Vec<_>>(),
        ["canned"]
    );
}

#[test]
fn a_rating_raised_after_the_reply_counts_as_recovered() {
    let db = TestDb::new();
    let mut store = db.store();
    let id = review_on(&mut store, "yelp", json!({}), "yelp-1");
    let an_hour_ago = Utc::now().timestamp() - 3600;
    store.record_manual_reply(id, REPLY, an_hour_ago).unwrap();
    let business = store.find_business("Joe's Café").unwrap().unwrap();
    assert!(replies::recovered(&store, business.id).unwrap().is_empty());
    let source = store.review(id).unwrap().source_id;
    let mut edited = incoming("yelp-1", "yelp", 4.0, "Owner sorted it out, thank you Joe.");
    edited.updated_at = Some(Utc::now());
    store.write_reviews(source, &[edited]).unwrap();
    let r = replies::recovered(&store, business.id).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].review_id, r[0].before, r[0].after), (id, 1.0, 4.0));
}

// --- the CLI ------------------------------------------------------------------------------

fn cli_review(db: &TestDb, connector: &str, settings: Value) -> i64 {
    let mut store = db.store();
    review_on(&mut store, connector, settings, "r-1")
}

#[test]
fn reply_check_prints_codes_as_json_and_exits_zero_with_warnings() {
    let db = TestDb::new();
    let long = "Thank you for the feedback. ".repeat(20);
    let out = db
        .earshot(&[
            "reply",
            "check",
            "--platform",
            "google-play",
            &long,
            "--json",
        ])
        .ok();
    let v = out.json();
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["too_long"]);
    assert!(v[0]["message"].as_str().unwrap().contains("350"));
    let clean = db
        .earshot(&[
            "reply",
            "check",
            "--platform",
            "google",
            "Thanks, Sam!",
            "--json",
        ])
        .ok();
    assert_eq!(clean.json(), json!([]));
}

#[test]
fn reply_check_with_a_review_runs_the_complaint_checks() {
    let db = TestDb::new();
    let id = cli_review(&db, "google-business", json!({}));
    let out = db
        .earshot(&[
            "reply",
            "check",
            "--review",
            &id.to_string(),
            "Actually we were fully staffed that day!!!",
            "--json",
        ])
        .ok();
    let codes: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        codes,
        ["no_apology", "defensive", "shouting", "no_offline_offer"]
    );
    let text = db
        .earshot(&[
            "reply",
            "check",
            "--review",
            &id.to_string(),
            "So sorry! Please email us.",
        ])
        .ok();
    assert_eq!(text.stdout().trim(), "No warnings.");
}

#[test]
fn reply_draft_save_and_templates_work_from_the_command_line() {
    let db = TestDb::new();
    let id = cli_review(&db, "google-business", json!({})).to_string();
    db.earshot(&[
        "reply",
        "profile",
        "--business",
        "Joe's Café",
        "--owner-name",
        "Joe",
        "--email",
        "joe@joescafe.com",
    ])
    .ok();
    let templates = db.earshot(&["reply", "templates", "--json"]).ok().json();
    assert!(templates
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "complaint"));
    let draft = db
        .earshot(&[
            "reply",
            "draft",
            "--review",
            &id,
            "--template",
            "complaint",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(draft["template"], "complaint");
    let text = draft["text"].as_str().unwrap();
    assert!(
        text.starts_with("Hi Dana,") && text.ends_with("— Joe"),
        "{text}"
    );
    assert_eq!(draft["warnings"], json!([]));
    db.earshot(&[
        "reply",
        "save",
        "--review",
        &id,
        "My own words, sorry Dana. Email me.",
    ])
    .ok();
    let saved = db
        .earshot(&["reply", "draft", "--review", &id, "--json"])
        .ok()
        .json();
    assert_eq!(saved["text"], "My own words, sorry Dana. Email me.");
    assert_eq!(saved["template"], Value::Null);
    let bad = db
        .earshot(&["reply", "draft", "--review", &id, "--template", "nope"])
        .fails();
    assert!(bad.stderr().contains("no reply template named \"nope\""));
}

#[test]
fn reply_post_without_an_api_points_to_mark_replied_which_answers_the_review() {
    let db = TestDb::new();
    let id = cli_review(&db, "yelp", json!({})).to_string();
    db.earshot(&["reply", "save", "--review", &id, REPLY]).ok();
    let post = db.earshot(&["reply", "post", "--review", &id]).fails();
    assert!(post.stderr().contains("mark-replied"), "{}", post.stderr());
    let copy = db
        .earshot(&["reply", "copy", "--review", &id, "--json"])
        .ok()
        .json();
    assert_eq!(copy["text"], REPLY);
    db.earshot(&["reply", "mark-replied", "--review", &id]).ok();
    let unanswered = db
        .earshot(&[
            "reviews",
            "--business",
            "Joe's Café",
            "--unanswered",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(unanswered, json!([]));
}

#[tokio::test]
async fn reply_post_sends_through_the_platform_with_the_token_from_the_environment() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(header("authorization", "Bearer env-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
        .expect(1)
        .mount(&server)
        .await;
    let id = {
        let mut store = db.store();
        review_on(&mut store, "google-business", gbp_settings(&server), "AbC").to_string()
    };
    db.earshot(&["reply", "save", "--review", &id, REPLY]).ok();
    let path = db.path().to_owned();
    let dir = db.dir.path().to_owned();
    let run = move |args: Vec<String>| {
        std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--db")
            .arg(&path)
            .args(args)
            .env("XDG_DATA_HOME", &dir)
            .env("EARSHOT_TOKEN_GOOGLE_BUSINESS", "env-token")
            .env("NO_PROXY", "127.0.0.1")
            .env_remove("EARSHOT_DB")
            .output()
            .unwrap()
    };
    let args: Vec<String> = ["reply", "post", "--review", &id, "--json"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let out = tokio::task::spawn_blocking(move || run(args))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["state"], "posted");
    assert_eq!(reply["origin"], "earshot");
}

#[tokio::test]
async fn an_ai_draft_comes_from_the_chat_endpoint_with_the_rules_and_is_never_posted() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-local"))
        .and(wiremock::matchers::body_partial_json(json!({"model": "llama3.2", "stream": false})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": format!("\"{REPLY}\"")}}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(&mut store, "google-business", json!({}), "AbC");
    let business = store.find_business("Joe's Café").unwrap().unwrap();
    replies::set_profile(
        &store,
        business.id,
        &replies::ReplyProfile {
            contact_email: Some("joe@joescafe.com".into()),
            tone: Some("warm and brief".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let config = earshot::replies::ai::AiConfig {
        base_url: server.uri(),
        no_proxy: true,
        ..Default::default()
    };
    let text = replies::ai_draft(&store, id, &config, Some(&Secret::new("sk-local")))
        .await
        .unwrap();
    assert_eq!(text, REPLY);
    // The system message carried the complaint rule, the contact and the tone guide.
    let sent: Value = server.received_requests().await.unwrap()[0]
        .body_json()
        .unwrap();
    let system = sent["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("apologise") && system.contains("joe@joescafe.com"));
    assert!(system.contains("warm and brief"));
    assert!(sent["messages"][1]["content"]
        .as_str()
        .unwrap()
        .contains("Waited 40 minutes"));
    // Nothing was saved or queued.
    assert!(store.replies_of_review(id).unwrap().is_empty());
}

#[tokio::test]
async fn an_ai_endpoint_that_refuses_says_why() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"error": {"message": "model \"llama3.2\" not found, try pulling it first"}}),
        ))
        .mount(&server)
        .await;
    let db = TestDb::new();
    let mut store = db.store();
    let id = review_on(&mut store, "yelp", json!({}), "y");
    let config = earshot::replies::ai::AiConfig {
        base_url: format!("{}/v1", server.uri()),
        no_proxy: true,
        ..Default::default()
    };
    let err = replies::ai_draft(&store, id, &config, None)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("not found, try pulling it"),
        "{err}"
    );
}

#[tokio::test]
async fn reply_ai_prints_a_draft_with_the_coachs_warnings_and_saves_nothing() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"message": {"role": "assistant", "content": "We were fully staffed."}}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let id = cli_review(&db, "google-business", json!({})).to_string();
    let (path, dir, uri) = (db.path().to_owned(), db.dir.path().to_owned(), server.uri());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--db")
            .arg(&path)
            .args(["reply", "ai", "--review", &id, "--base-url", &uri, "--json"])
            .env("XDG_DATA_HOME", &dir)
            .env("NO_PROXY", "127.0.0.1")
            .env_remove("EARSHOT_DB")
            .env_remove("EARSHOT_AI_KEY")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["text"], "We were fully staffed.");
    let codes: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["no_apology", "no_offline_offer"]);
    let store = db.store();
    assert!(store
        .replies_of_review(v["review_id"].as_i64().unwrap())
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_mastodon_reply_is_a_public_status_in_the_mentions_thread() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(
            json!({ "status": REPLY, "in_reply_to_id": "1123", "visibility": "public" }),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "1124", "content": REPLY})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(
        &mut store,
        "mastodon",
        json!({"instance": "ex.social", "tag": "cafe", "base_url": server.uri()}),
        "1123",
    );
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Posted);
    assert!(store.review(id).unwrap().replied);
}
