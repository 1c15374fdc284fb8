//! The action layer driven headless on a temporary database, as the app and the CLI drive it
//! (issue 24): a round that syncs a mock platform, raises alerts and sends a queued reply; a
//! draft posted through the outbox; the AI draft's switch; the dashboard and the inbox's facets.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{Duration as Days, SecondsFormat, Utc};
use common::TestDb;
use earshot::actions::sync::RoundOptions;
use earshot::actions::{self, ActionError, AiEndpoint, ReplyCreds};
use earshot::model::alerts::AlertKind;
use earshot::model::replies::ReplyState;
use earshot::model::{IncomingReview, Kind, ReviewId, SourceId};
use earshot::platforms::http::HttpConfig;
use earshot::replies;
use earshot::replies::outbox::OutboxConfig;
use earshot::secrets::Secret;
use earshot::secrets::{MemorySecrets, SecretStore};
use earshot::sources::Settings;
use earshot::store::{ReviewFilter, Store};
use earshot::sync::{self, Selection, SyncOptions};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CAFE: &str = "Harbour Lane Café";
const TP_PATH: &str = "/v1/business-units/bu-1/reviews";
const GBP_PATH: &str = "/v4/accounts/11/locations/22/reviews/AbC/reply";
const TOKEN: &str = "reply-token-SECRET";
const REPLY: &str = "Dana, I'm so sorry about the wait and how you were spoken to. Please email \
                     me at joe@joescafe.com so I can make it right. — Joe";

fn options() -> RoundOptions {
    RoundOptions {
        sync: SyncOptions {
            http: HttpConfig {
                timeout: Duration::from_secs(5),
                max_attempts: 2,
                backoff: Duration::from_millis(10),
                max_wait: Duration::from_secs(1),
            },
            ..SyncOptions::default()
        },
        outbox: fast_outbox(),
        env_tokens: false,
    }
}

fn fast_outbox() -> OutboxConfig {
    OutboxConfig {
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        timeout: Duration::from_secs(5),
        no_proxy: true,
        ..OutboxConfig::default()
    }
}

/// A Trustpilot review written an hour ago.
fn tp_review(id: &str, stars: u8, text: &str) -> Value {
    let at = (Utc::now() - Days::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    json!({
        "id": id,
        "stars": stars,
        "title": format!("Review {id}"),
        "text": text,
        "createdAt": at,
        "consumer": {"displayName": format!("Customer {id}")},
        "links": [],
    })
}

/// Trustpilot serving `reviews` on its first page and nothing after.
async fn trustpilot(server: &MockServer, reviews: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .and(query_param("page", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "reviews": reviews, "links": [] })),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "reviews": [] })))
        .mount(server)
        .await;
}

fn add_trustpilot(store: &Store, secrets: &dyn SecretStore, server: &MockServer) -> SourceId {
    let mut settings = Settings::new();
    settings.insert("business_unit_id".into(), "bu-1".into());
    settings.insert("api_key".into(), "tp-key".into());
    settings.insert("base_url".into(), server.uri());
    actions::add_source(store, secrets, CAFE, "trustpilot", None, &settings)
        .unwrap()
        .id
}

/// A one-star Google review whose source answers on `server`; returns the source and review.
fn google_review(store: &mut Store, server: &MockServer) -> (SourceId, ReviewId) {
    let business = store.ensure_business(CAFE).unwrap();
    let settings = json!({"base_url": server.uri(), "account": "11", "location": "22"});
    let source = store
        .ensure_source(business.id, "google-business", "test", &settings)
        .unwrap();
    let review = IncomingReview {
        external_id: "AbC".into(),
        platform: "google".into(),
        kind: Kind::Review,
        author: Some("Dana K.".into()),
        rating: Some(1.0),
        title: None,
        body: "Waited 40 minutes and the barista was rude.".into(),
        url: Some("https://example.com/reviews/AbC".into()),
        language: None,
        created_at: Utc::now() - Days::days(1),
        updated_at: None,
        owner_reply: None,
        raw_json: None,
    };
    store.write_reviews(source, &[review]).unwrap();
    let id = store
        .list_reviews(&ReviewFilter::default())
        .unwrap()
        .into_iter()
        .find(|r| r.external_id == "AbC")
        .unwrap()
        .id;
    (source, id)
}

async fn google_accepts_the_reply(server: &MockServer) {
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(json!({ "comment": REPLY })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"comment": REPLY, "updateTime": "2026-05-02T10:00:00Z"})),
        )
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_round_syncs_raises_alerts_and_sends_the_queued_replies() {
    let server = MockServer::start().await;
    trustpilot(
        &server,
        vec![
            tp_review("r1", 1, "Cold coffee and a forty minute wait."),
            tp_review("r2", 5, "Lovely flat white."),
        ],
    )
    .await;
    google_accepts_the_reply(&server).await;
    let db = TestDb::new();
    let secrets = Arc::new(MemorySecrets::default());
    let mut store = db.store();
    let tp = add_trustpilot(&store, secrets.as_ref(), &server);
    let (google, queued) = google_review(&mut store, &server);
    secrets
        .set(google, "reply_token", &Secret::new(TOKEN))
        .unwrap();
    replies::save_draft(&store, queued, REPLY).unwrap();
    store.queue_reply(queued, "queued-1").unwrap().unwrap();
    drop(store);

    let now = Utc::now().fixed_offset();
    let stored: Arc<dyn SecretStore> = secrets.clone();
    let done = actions::sync_round(
        db.path(),
        stored,
        Selection::Ids(vec![tp]),
        &options(),
        sync::no_events(),
        now,
    )
    .await
    .unwrap();

    assert_eq!(done.new_items(), 2);
    assert_eq!(done.failed_sources(), 0);
    let store = db.store();
    let one_star = store
        .list_reviews(&ReviewFilter::default())
        .unwrap()
        .into_iter()
        .find(|r| r.external_id == "r1")
        .unwrap();
    assert!(
        done.round
            .new_alerts
            .iter()
            .any(|a| a.kind == AlertKind::NewNegative && a.review_ids == [one_star.id]),
        "the synced 1★ review raised its alert: {:?}",
        done.round.new_alerts
    );
    assert!(done.round.unread_alerts >= 1);
    assert_eq!(done.replies_error, None);
    assert_eq!(done.replies.posted.len(), 1, "{:?}", done.replies);
    assert_eq!(done.replies.posted[0].review_id, queued);
    let thread = store.replies_of_review(queued).unwrap();
    assert!(thread.iter().any(|r| r.state == ReplyState::Posted));
}

#[tokio::test(flavor = "current_thread")]
async fn a_draft_is_posted_through_the_outbox_once() {
    let server = MockServer::start().await;
    google_accepts_the_reply(&server).await;
    let db = TestDb::new();
    let mut store = db.store();
    let secrets = MemorySecrets::default();
    let (google, review) = google_review(&mut store, &server);
    secrets
        .set(google, "reply_token", &Secret::new(TOKEN))
        .unwrap();
    replies::save_draft(&store, review, REPLY).unwrap();
    let creds = ReplyCreds::stored(&secrets);
    let posted = actions::post_reply(&store, &creds, fast_outbox(), review, Some("click-1"))
        .await
        .unwrap();
    assert_eq!(posted.state, ReplyState::Posted);
    // A second click with the same key sends nothing (the mock expects one request).
    let again = actions::post_reply(&store, &creds, fast_outbox(), review, Some("click-1"))
        .await
        .unwrap();
    assert_eq!(again.id, posted.id);
    assert!(store.review(review).unwrap().replied_at.is_some());
}

#[tokio::test(flavor = "current_thread")]
async fn the_saved_ai_endpoint_is_refused_while_ai_drafts_are_off() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"message": {"role": "assistant", "content": "We were fully staffed."}}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let db = TestDb::new();
    let mut store = db.store();
    let secrets = MemorySecrets::default();
    let (_, review) = google_review(&mut store, &server);

    let off = actions::ai_draft(&store, &secrets, review, AiEndpoint::Saved).await;
    assert!(matches!(off, Err(ActionError::AiOff)), "{off:?}");
    assert_eq!(off.unwrap_err().code(), "ai_off");

    let mut settings = replies::ai_settings(&store).unwrap();
    settings.enabled = true;
    settings.base_url = format!("{}/v1", server.uri());
    replies::set_ai_settings(&store, &settings).unwrap();
    // The saved settings carry no proxy choice; the mock is on 127.0.0.1, so name it directly.
    let config = earshot::replies::ai::AiConfig {
        no_proxy: true,
        ..settings.config()
    };
    let drafted = actions::ai_draft(
        &store,
        &secrets,
        review,
        AiEndpoint::Given { config, key: None },
    )
    .await
    .unwrap();
    assert_eq!(drafted.text, "We were fully staffed.");
    assert!(!drafted.warnings.is_empty(), "the coach checks the draft");
    assert!(replies::get_draft(&store, review).unwrap().is_none());
}

#[tokio::test(flavor = "current_thread")]
async fn the_dashboard_and_the_inbox_facets_show_what_a_round_brought() {
    let server = MockServer::start().await;
    trustpilot(
        &server,
        vec![tp_review("r1", 4, "Good coffee, slow service.")],
    )
    .await;
    let db = TestDb::new();
    let empty = actions::dashboard(&db.store(), None, None, Utc::now().date_naive()).unwrap();
    assert!(empty.empty);
    assert!(empty.business.is_none());

    let secrets = Arc::new(MemorySecrets::default());
    add_trustpilot(&db.store(), secrets.as_ref(), &server);
    let stored: Arc<dyn SecretStore> = secrets;
    let now = Utc::now().fixed_offset();
    let opts = options();
    actions::sync_round(
        db.path(),
        stored,
        Selection::All,
        &opts,
        sync::no_events(),
        now,
    )
    .await
    .unwrap();

    let store = db.store();
    let board = actions::dashboard(&store, None, Some(30), Utc::now().date_naive()).unwrap();
    assert!(!board.empty);
    assert_eq!(board.business.as_ref().unwrap().name, CAFE);
    assert_eq!(board.latest.len(), 1);
    assert_eq!(board.stats.as_ref().unwrap().count, 1);
    assert!(board.overview.is_some());

    let facets = actions::inbox_facets(&store).unwrap();
    assert_eq!(facets.businesses.len(), 1);
    assert_eq!(facets.platforms, ["trustpilot"]);
    assert!(!facets.aspects.is_empty());
}

/// Issue 32 (WCAG 2.1.4): the one-letter shortcuts are on until the owner turns them off, and
/// the choice is kept in the database (a backup or another computer carries it).
/// Settings promises "one a day while Earshot runs": the first round of a day makes the day's
/// backup, a second round that day makes none, and a demo's made-up reviews get none.
#[tokio::test(flavor = "current_thread")]
async fn the_first_round_of_a_day_makes_the_days_backup_and_a_demo_gets_none() {
    let db = TestDb::new();
    drop(db.store());
    let round = |path: std::path::PathBuf| async move {
        let secrets: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
        actions::sync_round(
            &path,
            secrets,
            Selection::Due,
            &options(),
            sync::no_events(),
            Utc::now().fixed_offset(),
        )
        .await
        .unwrap()
    };
    let first = round(db.path().to_path_buf()).await;
    assert_eq!(first.backup_error, None);
    let made = first.backup.expect("the day's first round made a backup");
    assert!(made.path.is_file() && made.bytes > 0, "{made:?}");
    assert_eq!(earshot::backup::list(db.path()).unwrap().len(), 1);

    let second = round(db.path().to_path_buf()).await;
    assert_eq!((second.backup, second.backup_error), (None, None));
    assert_eq!(earshot::backup::list(db.path()).unwrap().len(), 1);

    let demo = db.path().with_file_name("earshot.demo.db");
    drop(Store::open(&demo).unwrap());
    let in_demo = round(demo.clone()).await;
    assert_eq!((in_demo.backup, in_demo.backup_error), (None, None));
    assert!(earshot::backup::list(&demo).unwrap().is_empty());
}

#[test]
fn the_letter_keys_preference_starts_on_and_is_kept_when_turned_off() {
    let db = TestDb::new();
    let store = db.store();
    assert!(actions::ui_prefs(&store).unwrap().letter_keys);
    actions::set_ui_prefs(&store, &actions::UiPrefs { letter_keys: false }).unwrap();
    drop(store);
    let store = db.store();
    assert_eq!(
        actions::ui_prefs(&store).unwrap(),
        actions::UiPrefs { letter_keys: false }
    );
}
