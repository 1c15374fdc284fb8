//! Replies end to end (issue 6): the outbox against mock platforms on 127.0.0.1 (success, a
//! permanent refusal, retried 5xx, a double click, a crash between send and record), drafts,
//! templates, copy-and-open and the `earshot reply` commands.

use crate::common;

use std::time::Duration;

use chrono::{Duration as Days, Utc};
use common::TestDb;
use earshot::model::replies::ReplyState;
use earshot::model::{IncomingReview, Kind, OwnerReply};
use earshot::replies::outbox::{
    plan_delete, plan_edit, plan_post, Outbox, OutboxConfig, StaticCredentials, Target,
    MAY_HAVE_BEEN_POSTED,
};
use earshot::replies::{self, ReplyError};
use earshot::secrets::Secret;
use earshot::secrets::{MemorySecrets, SecretStore, StoredReplyCredentials};
use earshot::store::{ReviewFilter, Store};
use reqwest::Method;
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

/// Posts the test reply to a Google Business Profile that refuses it once, with a 403 whose
/// message is `message`; returns the reply as recorded and whether the review counts as replied.
async fn post_refused_with(db: &TestDb, message: &str) -> (earshot::model::replies::Reply, bool) {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
            "code": 403, "message": message, "status": "PERMISSION_DENIED"}})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let id = review_on(&mut store, "google-business", gbp_settings(&server), "AbC");
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    let replied = store.review(id).unwrap().replied;
    (reply, replied)
}

#[tokio::test]
async fn a_permanent_refusal_is_recorded_with_the_platforms_reason_and_not_retried() {
    let db = TestDb::new();
    let (reply, replied) = post_refused_with(&db, "The caller does not have permission").await;
    assert_eq!(reply.state, ReplyState::Failed);
    assert_eq!(
        reply.last_error.as_deref(),
        Some("HTTP 403: The caller does not have permission")
    );
    assert!(!replied);
}

/// A platform that quotes the request in its refusal must not put the token into the reply's
/// recorded reason (kept in the database, shown in the app and by `earshot reply`).
#[tokio::test]
async fn a_refusal_that_echoes_the_token_is_recorded_without_it() {
    let db = TestDb::new();
    let echo = format!("Bearer {TOKEN} may not reply to this review");
    let (reply, _) = post_refused_with(&db, &echo).await;
    assert_eq!(reply.state, ReplyState::Failed);
    assert_eq!(
        reply.last_error.as_deref(),
        Some("HTTP 403: Bearer [hidden] may not reply to this review")
    );
    let bytes = std::fs::read(db.path()).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains(TOKEN));
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
        .expect(2)
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

    // The text it replaced is kept.
    let earlier = store.reply_revisions(gbp).unwrap();
    assert_eq!(earlier.len(), 1);
    assert_eq!(
        (earlier[0].reply_id, earlier[0].body.as_str()),
        (first.id, REPLY)
    );
    assert_eq!(
        second.posted_at, first.posted_at,
        "the first post's time stays"
    );

    // On X a reply is a post in the thread: a new draft is another reply, and an edit is
    // refused plainly, with no request.
    let x = review_on(&mut store, "x", json!({"base_url": server.uri()}), "1790");
    replies::save_draft(&store, x, REPLY).unwrap();
    let one = outbox.post_review(x, None).await.unwrap();
    replies::save_draft(&store, x, &edited).unwrap();
    let two = outbox.post_review(x, None).await.unwrap();
    assert_ne!(one.id, two.id, "a second reply in the thread");
    assert_eq!(two.state, ReplyState::Posted);
    let err = outbox
        .edit_review_reply(x, "Changed my mind", None)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("X does not let anyone change a posted reply"),
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
    assert_eq!(manual.origin, earshot::model::replies::ReplyOrigin::Manual);
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

// ---------------------------------------------------------------------------------------------
// Bluesky, App Store Connect signing, Google sign-in renewal, edits on every platform

/// The outbox's credentials from a secret store, as the app and the CLI give them.
fn stored(secrets: &MemorySecrets) -> StoredReplyCredentials<'_> {
    StoredReplyCredentials(secrets)
}

/// Writes one review of `connector` with the platform's JSON kept (Bluesky needs its `cid`).
fn item_on(
    store: &mut Store,
    connector: &str,
    settings: Value,
    external_id: &str,
    raw: Option<Value>,
) -> (i64, i64) {
    let business = store.ensure_business("Joe's Café").unwrap();
    let platform = earshot::platform::connector(connector).unwrap().platform;
    let source = store
        .ensure_source(business.id, connector, "test", &settings)
        .unwrap();
    let mut item = incoming(
        external_id,
        platform,
        1.0,
        "@joescafe the oat latte was cold again",
    );
    item.raw_json = raw.map(|r| r.to_string());
    store.write_reviews(source, &[item]).unwrap();
    (review_id(store, external_id), source)
}

const MENTION: &str = "at://did:plc:kim/app.bsky.feed.post/3kq2";
const OUR_POST: &str = "at://did:plc:joe/app.bsky.feed.post/3l7x";

#[tokio::test]
async fn a_bluesky_reply_logs_in_with_the_app_password_and_joins_the_mentions_thread() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .and(body_json(
            json!({"identifier": "joescafe.bsky.social", "password": "abcd-efgh-ijkl-mnop"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessJwt": "jwt-access", "refreshJwt": "jwt-refresh",
            "handle": "joescafe.bsky.social", "did": "did:plc:joe"})))
        .expect(1)
        .mount(&server)
        .await;
    let root = json!({"uri": "at://did:plc:op/app.bsky.feed.post/1", "cid": "bafyRoot"});
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .and(header("authorization", "Bearer jwt-access"))
        .and(BodyCheck(|b: &Value| {
            b["repo"] == "did:plc:joe"
                && b["collection"] == "app.bsky.feed.post"
                && b["record"]["$type"] == "app.bsky.feed.post"
                && b["record"]["text"] == REPLY
                && b["record"]["createdAt"]
                    .as_str()
                    .is_some_and(|t| t.ends_with('Z'))
                && b["record"]["reply"]["parent"] == json!({"uri": MENTION, "cid": "bafyMention"})
                && b["record"]["reply"]["root"]
                    == json!({"uri": "at://did:plc:op/app.bsky.feed.post/1", "cid": "bafyRoot"})
        }))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"uri": OUR_POST, "cid": "bafyOurs"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    // The mention is itself a reply in someone's thread: ours joins that thread.
    let raw = json!({"uri": MENTION, "cid": "bafyMention",
                     "author": {"handle": "kim.bsky.social"},
                     "record": {"text": "@joescafe the oat latte was cold again",
                                "reply": {"root": root, "parent": root}},
                     "indexedAt": "2024-05-01T18:04:12.345Z"});
    let settings = json!({"query": "joe's cafe", "handle": "@joescafe.bsky.social",
                          "base_url": server.uri()});
    let (id, source) = item_on(&mut store, "bluesky", settings, MENTION, Some(raw));
    let secrets = MemorySecrets::default();
    secrets
        .set(source, "app_password", &Secret::new("abcd-efgh-ijkl-mnop"))
        .unwrap();
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = stored(&secrets);
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
    assert_eq!(reply.external_id.as_deref(), Some(OUR_POST));
    assert!(store.review(id).unwrap().replied);
    // The app password never reaches the database.
    drop(store);
    let bytes = std::fs::read(db.path()).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("abcd-efgh-ijkl-mnop"));
}

/// A request body matcher from a closure.
struct BodyCheck<F: Fn(&Value) -> bool + Send + Sync>(F);

impl<F: Fn(&Value) -> bool + Send + Sync> wiremock::Match for BodyCheck<F> {
    fn matches(&self, request: &wiremock::Request) -> bool {
        serde_json::from_slice(&request.body).is_ok_and(|b| (self.0)(&b))
    }
}

#[tokio::test]
async fn a_refused_bluesky_login_is_recorded_and_nothing_is_posted() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "AuthenticationRequired",
            "message": "Invalid identifier or password"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let mut store = db.store();
    let raw = json!({"uri": MENTION, "cid": "bafyMention", "record": {"text": "hi"}});
    let settings = json!({"handle": "joescafe.bsky.social", "base_url": server.uri()});
    let (id, source) = item_on(&mut store, "bluesky", settings, MENTION, Some(raw));
    let secrets = MemorySecrets::default();
    secrets
        .set(source, "app_password", &Secret::new("wrong-pass-word"))
        .unwrap();
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = stored(&secrets);
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    let why = reply.last_error.unwrap();
    assert!(why.contains("Invalid identifier or password"), "{why}");
    assert!(why.contains("app password"), "{why}");
    assert!(!why.contains("wrong-pass-word"));
}

#[tokio::test]
async fn a_bluesky_reply_is_deleted_by_its_record_key() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"uri": OUR_POST, "cid": "bafyOurs"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.deleteRecord"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(
            json!({"repo": "did:plc:joe", "collection": "app.bsky.feed.post", "rkey": "3l7x"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let raw = json!({"uri": MENTION, "cid": "bafyMention", "record": {"text": "hi"}});
    // A ready-made token (EARSHOT_TOKEN_BLUESKY in scripts) writes to the handle's repository.
    let settings = json!({"handle": "joescafe.bsky.social", "base_url": server.uri()});
    let (id, _) = item_on(&mut store, "bluesky", settings, MENTION, Some(raw));
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    outbox.post_review(id, None).await.unwrap();
    let deleted = outbox.delete_review_reply(id).await.unwrap();
    assert_eq!(deleted.state, ReplyState::Deleted);
    assert!(!store.review(id).unwrap().replied);
}

#[tokio::test]
async fn a_bluesky_mention_synced_without_its_cid_asks_for_a_sync_instead_of_posting() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let mut store = db.store();
    let settings = json!({"handle": "joescafe.bsky.social", "base_url": server.uri()});
    let (id, _) = item_on(&mut store, "bluesky", settings, MENTION, None);
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = creds();
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    assert!(reply
        .last_error
        .unwrap()
        .contains("sync the Bluesky source"));
}

const ASC_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpISS06RwdLkJOqGe
ASDpLoRV07DKZ8VjQ6STwgnccUShRANCAAQfAPI1tXBl/gQr3U9OJKGJVpq3wTYl
rllcs7eYzWgcJJfApXxFHhO7UfGO1ONcGQ/GD/hzL6rttVLMXYF2+TyQ
-----END PRIVATE KEY-----
";

const ASC_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHwDyNbVwZf4EK91PTiShiVaat8E2
Ja5ZXLO3mM1oHCSXwKV8RR4Tu1HxjtTjXBkPxg/4cy+q7bVSzF2Bdvk8kA==
-----END PUBLIC KEY-----
";

/// Accepts only a Bearer JWT signed ES256 with the test key, for key id `KEY123ABCD` and the
/// issuer, addressed to App Store Connect.
struct AppleJwt;

impl wiremock::Match for AppleJwt {
    fn matches(&self, request: &wiremock::Request) -> bool {
        let Some(token) = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let Ok(head) = jsonwebtoken::decode_header(token) else {
            return false;
        };
        if head.alg != jsonwebtoken::Algorithm::ES256 || head.kid.as_deref() != Some("KEY123ABCD") {
            return false;
        }
        let key = jsonwebtoken::DecodingKey::from_ec_pem(ASC_PUBLIC.as_bytes()).unwrap();
        let mut check = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        check.set_audience(&["appstoreconnect-v1"]);
        check.set_issuer(&["57246542-96fe-1a63-e053-0824d011072a"]);
        jsonwebtoken::decode::<Value>(token, &key, &check).is_ok()
    }
}

#[tokio::test]
async fn an_app_store_reply_is_posted_with_a_jwt_signed_from_the_stored_key() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    let body = |text: &str| {
        json!({"data": {"type": "customerReviewResponses",
                        "attributes": {"responseBody": text},
                        "relationships": {"review": {"data": {
                            "type": "customerReviews", "id": "00000029-1f2e"}}}}})
    };
    Mock::given(method("POST"))
        .and(path("/v1/customerReviewResponses"))
        .and(AppleJwt)
        .and(body_json(body(REPLY)))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": {
            "type": "customerReviewResponses", "id": "resp-1",
            "attributes": {"responseBody": REPLY, "state": "PENDING_PUBLISH"}}})))
        .expect(1)
        .mount(&server)
        .await;
    let edited = "Dana, the fix is out in 2.4.1: thank you for telling us. — Joe";
    // Apple's "create or update": posting again overwrites the one response (a new id).
    Mock::given(method("POST"))
        .and(path("/v1/customerReviewResponses"))
        .and(AppleJwt)
        .and(body_json(body(edited)))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": {
            "type": "customerReviewResponses", "id": "resp-2"}})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let settings = json!({"app_id": "1234567890", "issuer_id": "57246542-96fe-1a63-e053-0824d011072a",
                          "key_id": "KEY123ABCD", "base_url": server.uri()});
    let (id, source) = item_on(
        &mut store,
        "app-store-connect",
        settings,
        "00000029-1f2e",
        None,
    );
    let secrets = MemorySecrets::default();
    secrets
        .set(source, "private_key", &Secret::new(ASC_KEY))
        .unwrap();
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = stored(&secrets);
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
    assert_eq!(reply.external_id.as_deref(), Some("resp-1"));
    let edit = outbox.edit_review_reply(id, edited, None).await.unwrap();
    assert_eq!((edit.id, edit.body.as_str()), (reply.id, edited));
    assert_eq!(edit.external_id.as_deref(), Some("resp-2"));
}

fn google_settings(server: &MockServer) -> Value {
    json!({"base_url": server.uri(), "account_id": "11", "location_id": "22",
           "client_id": "cid.apps.googleusercontent.com"})
}

fn google_secrets(source: i64, access: Option<&str>) -> MemorySecrets {
    let s = MemorySecrets::default();
    s.set(source, "refresh_token", &Secret::new("1//refresh-me"))
        .unwrap();
    s.set(source, "client_secret", &Secret::new("GOCSPX-secret"))
        .unwrap();
    if let Some(a) = access {
        s.set(source, "access_token", &Secret::new(a)).unwrap();
    }
    s
}

fn google_token_endpoint() -> Mock {
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(wiremock::matchers::body_string_contains(
            "grant_type=refresh_token",
        ))
        .and(wiremock::matchers::body_string_contains(
            "refresh_token=1%2F%2Frefresh-me",
        ))
        .and(wiremock::matchers::body_string_contains(
            "client_secret=GOCSPX-secret",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "ya29.fresh", "expires_in": 3599, "token_type": "Bearer"})))
}

#[tokio::test]
async fn an_expired_google_token_is_renewed_once_and_the_reply_posted() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(header("authorization", "Bearer ya29.expired"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "code": 401, "message": "Request had invalid authentication credentials.",
            "status": "UNAUTHENTICATED"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(header("authorization", "Bearer ya29.fresh"))
        .and(body_json(json!({ "comment": REPLY })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
        .expect(1)
        .mount(&server)
        .await;
    google_token_endpoint().expect(1).mount(&server).await;
    let mut store = db.store();
    let (id, source) = item_on(
        &mut store,
        "google-business",
        google_settings(&server),
        "AbC",
        None,
    );
    let secrets = google_secrets(source, Some("ya29.expired"));
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = stored(&secrets);
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
    // The renewed token is kept for the next reply.
    assert_eq!(
        secrets
            .get(source, "access_token")
            .unwrap()
            .unwrap()
            .expose(),
        "ya29.fresh"
    );
}

#[tokio::test]
async fn a_google_sign_in_with_no_access_token_kept_is_renewed_before_posting() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(header("authorization", "Bearer ya29.fresh"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
        .expect(1)
        .mount(&server)
        .await;
    google_token_endpoint().expect(1).mount(&server).await;
    let mut store = db.store();
    let (id, source) = item_on(
        &mut store,
        "google-business",
        google_settings(&server),
        "AbC",
        None,
    );
    let secrets = google_secrets(source, None);
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = stored(&secrets);
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
}

#[tokio::test]
async fn a_revoked_google_sign_in_says_to_sign_in_again_and_renews_only_once() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "code": 401, "message": "Request had invalid authentication credentials."}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "Token has been expired or revoked."})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let (id, source) = item_on(
        &mut store,
        "google-business",
        google_settings(&server),
        "AbC",
        None,
    );
    let secrets = google_secrets(source, Some("ya29.expired"));
    replies::save_draft(&store, id, REPLY).unwrap();
    let c = stored(&secrets);
    let outbox = Outbox::new(&store, &c, fast_config()).unwrap();
    let reply = outbox.post_review(id, None).await.unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    let why = reply.last_error.unwrap();
    assert!(why.starts_with("HTTP 401"), "{why}");
    assert!(
        why.contains("invalid_grant") && why.contains("sign in to Google again"),
        "{why}"
    );
    assert!(
        !why.contains("refresh-me") && !why.contains("GOCSPX"),
        "{why}"
    );
}

/// Posts `REPLY` on a platform through the mock and returns the review's id.
async fn posted_on<C: earshot::secrets::ReplyCredentials>(
    store: &mut Store,
    outbox: &Outbox<'_, C>,
    connector: &str,
    settings: Value,
    external_id: &str,
) -> i64 {
    let id = review_on(store, connector, settings, external_id);
    replies::save_draft(store, id, REPLY).unwrap();
    let r = outbox.post_review(id, None).await.unwrap();
    assert_eq!(r.state, ReplyState::Posted, "{:?}", r.last_error);
    id
}

const EDITED: &str = "Dana, I'm sorry about the wait. We have a second barista on weekends now; \
                      email me at joe@joescafe.com and your next coffee is on us. — Joe";

#[tokio::test]
async fn an_edit_updates_the_reply_itself_on_facebook_youtube_and_mastodon() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    // Posting: each platform answers with the reply's own id.
    Mock::given(method("POST"))
        .and(path("/12_34/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "12_99"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/youtube/v3/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "Ugz.reply"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1124"})))
        .mount(&server)
        .await;
    // Editing: Graph API POST to the comment, YouTube comments.update, Mastodon PUT.
    Mock::given(method("POST"))
        .and(path("/12_99"))
        .and(wiremock::matchers::body_string_contains("message=Dana%2C"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/youtube/v3/comments"))
        .and(wiremock::matchers::query_param("part", "snippet"))
        .and(body_json(
            json!({"id": "Ugz.reply", "snippet": {"textOriginal": EDITED}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "Ugz.reply"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/statuses/1124"))
        .and(body_json(json!({"status": EDITED})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1124"})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let conn = db.store();
    let c = creds();
    let outbox = Outbox::new(&conn, &c, fast_config()).unwrap();
    let base = json!({"base_url": server.uri()});
    for (connector, external_id, reply_id) in [
        ("facebook", "12_34", "12_99"),
        ("youtube", "Ugz", "Ugz.reply"),
        ("mastodon", "1123", "1124"),
    ] {
        let id = posted_on(&mut store, &outbox, connector, base.clone(), external_id).await;
        let edited = outbox.edit_review_reply(id, EDITED, None).await.unwrap();
        assert_eq!(edited.state, ReplyState::Posted, "{connector}");
        assert_eq!(edited.body, EDITED, "{connector}");
        assert_eq!(edited.external_id.as_deref(), Some(reply_id), "{connector}");
        let earlier = store.reply_revisions(id).unwrap();
        assert_eq!(earlier.len(), 1, "{connector}");
        assert_eq!(earlier[0].body, REPLY);
        // Asking for the same edit again sends nothing.
        let again = outbox.edit_review_reply(id, EDITED, None).await.unwrap();
        assert_eq!(again.id, edited.id);
        assert_eq!(store.reply_revisions(id).unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_refused_edit_leaves_the_posted_text_and_keeps_the_new_one_as_the_draft() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(body_json(json!({ "comment": REPLY })))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(body_json(json!({ "comment": EDITED })))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "code": 400, "message": "Request contains an invalid argument.",
            "status": "INVALID_ARGUMENT"}})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let c = creds();
    let conn = db.store();
    let outbox = Outbox::new(&conn, &c, fast_config()).unwrap();
    let id = posted_on(
        &mut store,
        &outbox,
        "google-business",
        gbp_settings(&server),
        "AbC",
    )
    .await;
    let err = outbox
        .edit_review_reply(id, EDITED, None)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("HTTP 400: Request contains an invalid argument."),
        "{err}"
    );
    let thread = store.replies_of_review(id).unwrap();
    let posted = thread
        .iter()
        .find(|r| r.state == ReplyState::Posted)
        .unwrap();
    assert_eq!(
        posted.body, REPLY,
        "the platform still shows the first text"
    );
    assert!(posted
        .last_error
        .as_deref()
        .unwrap()
        .contains("the edit was not saved"));
    assert!(store.reply_revisions(id).unwrap().is_empty());
    assert_eq!(store.draft(id).unwrap().unwrap().body, EDITED);
    assert!(store.review(id).unwrap().replied);
}

#[tokio::test]
async fn an_edit_that_meets_a_5xx_is_retried_and_recorded_once_it_lands() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/statuses/1124"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/statuses/1124"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1124"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1124"})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let c = creds();
    let conn = db.store();
    let outbox = Outbox::new(&conn, &c, fast_config()).unwrap();
    let id = posted_on(
        &mut store,
        &outbox,
        "mastodon",
        json!({"base_url": server.uri()}),
        "1123",
    )
    .await;
    // A 502 on a create-only post could mean "published"; an edit by id is safe to resend.
    let edited = outbox.edit_review_reply(id, EDITED, None).await.unwrap();
    assert_eq!((edited.state, edited.attempts), (ReplyState::Posted, 3));
}

#[tokio::test]
async fn a_double_click_on_save_edit_sends_the_edit_once() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(body_json(json!({ "comment": REPLY })))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(body_json(json!({ "comment": EDITED })))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(300)))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let c = creds();
    let (one, two) = (db.store(), db.store());
    let first = Outbox::new(&one, &c, fast_config()).unwrap();
    let second = Outbox::new(&two, &c, fast_config()).unwrap();
    let id = posted_on(
        &mut store,
        &first,
        "google-business",
        gbp_settings(&server),
        "AbC",
    )
    .await;
    let (a, b) = tokio::join!(
        first.edit_review_reply(id, EDITED, Some("click-1")),
        second.edit_review_reply(id, EDITED, Some("click-2"))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.id, b.id);
    assert_eq!(store.reply(a.id).unwrap().state, ReplyState::Posted);
    assert_eq!(store.reply_revisions(id).unwrap().len(), 1);
}

#[tokio::test]
async fn replies_on_x_and_mastodon_are_deleted_by_their_own_id() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": {"id": "1791"}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1124"})))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/2/tweets/1791"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"deleted": true}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/statuses/1124"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1124"})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let c = creds();
    let conn = db.store();
    let outbox = Outbox::new(&conn, &c, fast_config()).unwrap();
    let base = json!({"base_url": server.uri()});
    for (connector, external_id) in [("x", "1790"), ("mastodon", "1123")] {
        let id = posted_on(&mut store, &outbox, connector, base.clone(), external_id).await;
        let deleted = outbox.delete_review_reply(id).await.unwrap();
        assert_eq!(deleted.state, ReplyState::Deleted, "{connector}");
    }
}

#[tokio::test]
async fn reply_edit_changes_the_posted_reply_from_the_command_line() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&server)
        .await;
    let id = review_on(
        &mut db.store(),
        "google-business",
        gbp_settings(&server),
        "AbC",
    );
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--db")
            .arg(db.path())
            .args(args)
            .env("XDG_DATA_HOME", db.dir.path())
            .env("EARSHOT_SECRETS_FILE", db.dir.path().join("secrets.json"))
            .env("EARSHOT_TOKEN_GOOGLE_BUSINESS", TOKEN)
            .output()
            .unwrap();
        common::Run(out)
    };
    let review = id.to_string();
    run(&["reply", "save", "--review", &review, REPLY]).ok();
    run(&["reply", "post", "--review", &review]).ok();
    let edited = run(&["reply", "edit", "--review", &review, EDITED, "--json"])
        .ok()
        .json();
    assert_eq!(edited["state"], "posted");
    assert_eq!(edited["body"], EDITED);
    // X has no edit: said plainly, with a non-zero exit.
    let x = review_on(
        &mut db.store(),
        "x",
        json!({"base_url": server.uri()}),
        "1790",
    );
    let out = run(&["reply", "edit", "--review", &x.to_string(), "new"]).fails();
    assert!(
        out.stderr().contains("X does not let anyone change"),
        "{}",
        out.stderr()
    );
}

// ---------------------------------------------------------------------------------------------
// Request shapes of each platform's reply API, planned without a server

/// The reply half of a registered platform.
fn api(connector: &str) -> &'static dyn earshot::platforms::Replier {
    earshot::platforms::replier(connector).expect("a platform with a reply API")
}

#[test]
fn plan_each_platform_gets_its_own_request_shape() {
    let s = json!({"account": "accounts/11", "location": "locations/22",
                   "package_name": "com.joes.app", "business_user_id": "bu1"});
    let p = plan_post(
        api("google-business"),
        "http://h/",
        &Target::new("AbC", &s),
        "Thanks",
    )
    .unwrap();
    assert_eq!(p.method, Method::PUT);
    assert_eq!(
        p.url,
        "http://h/v4/accounts/11/locations/22/reviews/AbC/reply"
    );
    assert_eq!(p.json, Some(json!({"comment": "Thanks"})));
    let p = plan_post(api("facebook"), "http://h", &Target::new("12_34", &s), "Hi").unwrap();
    assert_eq!(p.url, "http://h/12_34/comments");
    assert_eq!(p.form, Some(vec![("message".into(), "Hi".into())]));
    let p = plan_post(
        api("google-play"),
        "http://h",
        &Target::new("gp:AO", &s),
        "Hi",
    )
    .unwrap();
    assert_eq!(
        p.url,
        "http://h/androidpublisher/v3/applications/com.joes.app/reviews/gp:AO:reply"
    );
    let p = plan_post(
        api("app-store-connect"),
        "http://h",
        &Target::new("00ab", &s),
        "Hi",
    )
    .unwrap();
    assert_eq!(
        p.json
            .unwrap()
            .pointer("/data/relationships/review/data/id"),
        Some(&json!("00ab"))
    );
    let p = plan_post(api("x"), "http://h", &Target::new("1790", &s), "Hi").unwrap();
    assert_eq!(
        p.json,
        Some(json!({"text": "Hi", "reply": {"in_reply_to_tweet_id": "1790"}}))
    );
    let p = plan_post(api("youtube"), "http://h", &Target::new("Ugz", &s), "Hi").unwrap();
    assert_eq!(p.url, "http://h/youtube/v3/comments?part=snippet");
    let p = plan_post(
        api("mastodon"),
        "http://h",
        &Target::new("1123", &s),
        "Thanks!",
    )
    .unwrap();
    assert_eq!(p.url, "http://h/api/v1/statuses");
    assert_eq!(p.json.as_ref().unwrap()["in_reply_to_id"], "1123");
    let p = plan_post(api("trustpilot"), "http://h", &Target::new("5f", &s), "Hi").unwrap();
    assert_eq!(p.json.unwrap()["authorBusinessUserId"], "bu1");
}

#[test]
fn plan_edits_update_the_reply_itself_or_replace_the_reviews_one_reply() {
    let s = json!({"account": "11", "location": "22"});
    let t = Target::new("AbC", &s);
    let p = plan_edit(api("google-business"), "http://h", &t, None, "New").unwrap();
    assert_eq!(
        (p.method, p.url.as_str()),
        (
            Method::PUT,
            "http://h/v4/accounts/11/locations/22/reviews/AbC/reply"
        )
    );
    let p = plan_edit(api("facebook"), "http://h", &t, Some("12_99"), "New").unwrap();
    assert_eq!((p.method, p.url.as_str()), (Method::POST, "http://h/12_99"));
    assert_eq!(p.form, Some(vec![("message".into(), "New".into())]));
    let p = plan_edit(api("mastodon"), "http://h", &t, Some("1124"), "New").unwrap();
    assert_eq!(
        (p.method, p.url.as_str()),
        (Method::PUT, "http://h/api/v1/statuses/1124")
    );
    let p = plan_edit(api("youtube"), "http://h", &t, Some("Ugz.r"), "New").unwrap();
    assert_eq!(
        p.json,
        Some(json!({"id": "Ugz.r", "snippet": {"textOriginal": "New"}}))
    );
    // Every edit may be sent again after a timeout.
    assert!(p.replaces);
    for name in ["x", "bluesky"] {
        let err = plan_edit(api(name), "http://h", &t, Some("1"), "New").unwrap_err();
        assert!(
            err.to_string().contains("does not let anyone change"),
            "{err}"
        );
    }
    let err = plan_edit(api("mastodon"), "http://h", &t, None, "New").unwrap_err();
    assert!(
        err.to_string().contains("does not know this reply's id"),
        "{err}"
    );
}

#[test]
fn plan_deletes_go_to_the_reply_where_it_has_an_id_and_google_play_has_none() {
    let s = json!({});
    let d = |api, id| plan_delete(api, "http://h", "rev", id, &s);
    assert_eq!(
        d(api("x"), Some("1791")).unwrap().url,
        "http://h/2/tweets/1791"
    );
    assert_eq!(
        d(api("youtube"), Some("Ugz.r")).unwrap().url,
        "http://h/youtube/v3/comments?id=Ugz.r"
    );
    let p = d(
        api("bluesky"),
        Some("at://did:plc:joe/app.bsky.feed.post/3l7x"),
    )
    .unwrap();
    assert_eq!(p.url, "http://h/xrpc/com.atproto.repo.deleteRecord");
    assert_eq!(p.json.unwrap()["rkey"], "3l7x");
    assert!(d(api("google-play"), None).is_err());
    assert!(!api("google-play").can_delete());
    for name in [
        "google-business",
        "facebook",
        "trustpilot",
        "app-store-connect",
        "youtube",
        "x",
        "mastodon",
        "bluesky",
    ] {
        assert!(api(name).can_delete(), "{name}");
    }
}

#[test]
fn plan_deletes_clear_the_one_reply_where_a_review_has_one() {
    let s = json!({ "account": "1", "location": "2" });
    let d = |api, id| plan_delete(api, "http://h/", id, None, &s).unwrap();
    let p = d(api("google-business"), "3");
    assert_eq!(p.method, Method::DELETE);
    assert_eq!(p.url, "http://h/v4/accounts/1/locations/2/reviews/3/reply");
    let p = d(api("trustpilot"), "5f1a");
    assert_eq!(p.method, Method::DELETE);
    assert_eq!(p.url, "http://h/v1/private/reviews/5f1a/reply");
}

#[test]
fn plan_a_source_without_the_ids_a_platform_needs_is_explained() {
    let err = plan_post(
        api("google-play"),
        "http://h",
        &Target::new("x", &json!({})),
        "Hi",
    )
    .unwrap_err();
    assert!(err.to_string().contains("package name"), "{err}");
    // A full resource name as the external id needs no settings.
    let p = plan_post(
        api("google-business"),
        "http://h",
        &Target::new("accounts/1/locations/2/reviews/3", &json!({})),
        "Hi",
    )
    .unwrap();
    assert_eq!(p.url, "http://h/v4/accounts/1/locations/2/reviews/3/reply");
}
