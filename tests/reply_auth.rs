//! Replies that really post (issue 25): each platform's reply path against a 127.0.0.1 mock that
//! refuses what the real one refuses (an expired token → 401, a missing scope → 403, with the
//! platform's documented error body), and posts only with the credentials the platform requires.

use crate::common;

use std::time::Duration;

use chrono::{Duration as Days, Utc};
use common::TestDb;
use earshot::model::{IncomingReview, Kind};
use earshot::replies::outbox::{Outbox, OutboxConfig, Secret};
use earshot::replies::{self, ReplyState};
use earshot::secrets::{MemorySecrets, SecretStore, StoredReplyCredentials};
use earshot::store::{ReviewFilter, Store};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REPLY: &str = "Dana, I'm so sorry about the wait. Please email me at joe@joescafe.com so \
                     I can make it right. — Joe";

fn fast_config() -> OutboxConfig {
    OutboxConfig {
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        timeout: Duration::from_secs(5),
        no_proxy: true,
        ..Default::default()
    }
}

/// One item of `connector` whose source has `settings`, with a draft ready; returns the review's
/// and the source's ids.
fn drafted(store: &mut Store, connector: &str, settings: Value, external_id: &str) -> (i64, i64) {
    let business = store.ensure_business("Joe's Café").unwrap();
    let platform = earshot::platform::connector(connector).unwrap().platform;
    let source = store
        .ensure_source(business.id, connector, "test", &settings)
        .unwrap();
    let item = IncomingReview {
        external_id: external_id.into(),
        platform: platform.into(),
        kind: Kind::Review,
        author: Some("Dana K.".into()),
        rating: Some(1.0),
        title: None,
        body: "Waited 40 minutes and the barista was rude.".into(),
        url: None,
        language: None,
        created_at: Utc::now() - Days::days(1),
        updated_at: None,
        owner_reply: None,
        raw_json: None,
    };
    store.write_reviews(source, &[item]).unwrap();
    let id = store
        .list_reviews(&ReviewFilter::default())
        .unwrap()
        .into_iter()
        .find(|r| r.external_id == external_id)
        .unwrap()
        .id;
    replies::save_draft(store, id, REPLY).unwrap();
    (id, source)
}

fn put(secrets: &MemorySecrets, source: i64, key: &str, value: &str) {
    secrets.set(source, key, &Secret::new(value)).unwrap();
}

fn kept(secrets: &MemorySecrets, source: i64, key: &str) -> Option<String> {
    secrets
        .get(source, key)
        .unwrap()
        .map(|s| s.expose().to_string())
}

/// Google's answer to a request with an expired or revoked access token (the shape every Google
/// API returns; developers.google.com/android-publisher/errors, and the AIP-193 error model).
fn google_401() -> ResponseTemplate {
    ResponseTemplate::new(401).set_body_json(json!({"error": {
        "code": 401,
        "message": "Request had invalid authentication credentials. Expected OAuth 2 access \
                    token, login cookie or other valid authentication credential.",
        "status": "UNAUTHENTICATED"}}))
}

// ---------------------------------------------------------------------------------------------
// Google Play: a service-account token minted for a reply when the kept one is too old, and on a
// 401.

const PLAY_KEY: &str = r"-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC2HZNyd/zc12TY
6btnvd+cb3YoAN9KmegjlQKPcNvUl7OyEAUiTCaV0AeFaO+8BgKH5njgmpAx/wK3
OgWngocJFueTml5HpxoKzWOxBEtWrNf2wiYK/Peau4hG1KUeS2lGvz8VldQFdlu5
vaqIVbhnc8hF7lbtY0jSya5uSlV4R3MuhEtxJWgQgcLKebNM1VynYC9Zf2ut5JC2
5hfOYZtytBXGp8ZjDnZosjoOL5Lwm29rJlg5/wRIIkK87dYe5M+QvqSsQ9aVOyZH
PEB57ChPrppuMgUsScWkgHTWRc9IrlTAEMfHHD5Yaat6sEDY4nqL1dNtr9cQ044n
v7xV7GAFAgMBAAECggEABoumlokoffmB5ufzs+VXqaQ573Mkk2ZXuRusdWJdjFUN
gNthi9uH0X+iHZHpd+0RXzgR5SS5BQsA2nwL4vrmhpWbqir0s4eWgIfkSuL4IDvj
ITvWKTPxZE7UNZOEAcQ9Gu1Zw5lYfv/DiTf/bpoCIDnBm33XAv48ClN0YQNr8gAz
4SRVBztfJbfLP7D002vIH+B8LyiJgE9WoOk38KZ/UvVabgcuhQci15rOffbpdpTr
/AnudJnBgkmjDwwHffzJ1cWztioe/QAipE2td5jNE+PZWUE1HyKyzdt2Ki3g7n4E
K6gwnjexczKh9XaUI7jJGMNYe4Q+rCliT11hxUicAQKBgQDjm7raiGWFd286guEU
qT0w8uIaqSUUTl9+YX29WwK/V2W8CzCljEA0xGs7iOkLjJilU8aPssWlZWNfzq9A
dIgpbI2EICDd94SOHOAkGOiTU1CisUZdRWnc219QkLR5xeL/lk1rNu7GWJ4kNdxD
7Lzjoihwp4FzN2xg/yMEG5dWBQKBgQDM1R03Wu5ARZx0Axq1v0vs7I92mHkin+5k
Fu6lWMAUFSVxp7o77rLh+b1Iqp4+MbQmo12OU1wjDTlxHuyiYSJcSRXZidFxdP+c
9EGCPQLbSDwkSUboXgJsHx9KrOtdZ4VS6pRve9/n9Axk+CYj6BRULUiccd+vETR6
uvxYTFUCAQKBgQDR4BSBVApA8quWyX5gvdmV3DDPoq51NftqHt2CEHzNEPrXVX4q
+NNvlLrIb+tsYd2TfVd3w8HqTD5A5uXEym+PuvAXKEUGSClrnYa04l77EnUlP9AB
S3NdWs9eC8DPFMDHKsICnem47ZgNDbkozRAz2p/tmReNtUpzem/AZuy6PQKBgQCR
4ibQyf5t4CYxqhRX5UraDxGOUcHUmztaJcsKEE+c/gKRE/hbvwHAV/Ir0vipKxU3
f5qeR1iTzlNe8btvWubx+0uIh9OXjtCOpJgTfgiOzL+oyFesH2hyQSg0MzveZmBa
UaAuVnd96B77upDPefcgjK/uXFwHf6V007/t00+oAQKBgC06/eaKHSuPn7S3Mdg/
lO4rVYBMDCJ6uKxRRkSReFG2lnpk48CntVwy2zmzZpVTOKC6LvDmkov57PJL1xpJ
eq1ISIx2VwvvVZN4cAmpiIysvGYRYCDti4I6kbo5tOVfEcfEOL0dV4NLt4v0b5BT
A4XRyT7dzW/Urw6/+xoqDUnQ
-----END PRIVATE KEY-----";

fn service_account_json() -> String {
    json!({
        "type": "service_account", "project_id": "harbour-lane",
        "private_key_id": "kid-play-1", "private_key": PLAY_KEY,
        "client_email": "earshot@harbour-lane.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"
    })
    .to_string()
}

const PLAY_REPLY: &str = "/androidpublisher/v3/applications/com.harbourlane.app/reviews/gp:1:reply";

/// A Play mock: the token endpoint mints `ya29.fresh` for a JWT-bearer assertion (`mints`
/// times), `:reply` accepts only that token (`posts` times) and answers 401 to any other.
async fn play_mock(mints: u64, posts: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(wiremock::matchers::body_string_contains(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            // developers.google.com/identity/protocols/oauth2/service-account#httprest
            json!({"access_token": "ya29.fresh", "expires_in": 3599, "token_type": "Bearer"}),
        ))
        .expect(mints)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PLAY_REPLY))
        .and(header("authorization", "Bearer ya29.fresh"))
        .and(body_json(json!({ "replyText": REPLY })))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            // developers.google.com/android-publisher/api-ref/rest/v3/reviews/reply
            json!({"result": {"replyText": REPLY, "lastEdited": {"seconds": "1714600000"}}}),
        ))
        .with_priority(1)
        .expect(posts)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PLAY_REPLY))
        .respond_with(google_401())
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_play_reply_mints_a_fresh_token_when_the_kept_one_is_older_than_its_hour() {
    let db = TestDb::new();
    let server = play_mock(1, 1).await;
    let mut store = db.store();
    let settings = json!({"package_name": "com.harbourlane.app", "base_url": server.uri()});
    let (id, source) = drafted(&mut store, "google-play", settings, "gp:1");
    let secrets = MemorySecrets::default();
    put(
        &secrets,
        source,
        "service_account_json",
        &service_account_json(),
    );
    // What the last sync kept, two hours ago.
    put(&secrets, source, "access_token", "ya29.spent");
    let two_hours_ago = Utc::now().timestamp() - 7200 + 3600;
    put(
        &secrets,
        source,
        "access_token_expires_at",
        &two_hours_ago.to_string(),
    );
    let creds = StoredReplyCredentials(&secrets);
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
    assert_eq!(
        reply.attempts, 1,
        "no request went out with the spent token"
    );
    assert_eq!(
        kept(&secrets, source, "access_token").as_deref(),
        Some("ya29.fresh")
    );
    let end: i64 = kept(&secrets, source, "access_token_expires_at")
        .unwrap()
        .parse()
        .unwrap();
    assert!(end > Utc::now().timestamp() + 3000);
}

#[tokio::test]
async fn a_play_token_refused_with_401_is_minted_again_and_the_reply_posts() {
    let db = TestDb::new();
    let server = play_mock(1, 1).await;
    let mut store = db.store();
    let settings = json!({"package_name": "com.harbourlane.app", "base_url": server.uri()});
    let (id, source) = drafted(&mut store, "google-play", settings, "gp:1");
    let secrets = MemorySecrets::default();
    put(
        &secrets,
        source,
        "service_account_json",
        &service_account_json(),
    );
    // Within its hour by the clock, but Google no longer takes it.
    put(&secrets, source, "access_token", "ya29.revoked");
    let later = Utc::now().timestamp() + 1800;
    put(
        &secrets,
        source,
        "access_token_expires_at",
        &later.to_string(),
    );
    let creds = StoredReplyCredentials(&secrets);
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
    assert_eq!(
        kept(&secrets, source, "access_token").as_deref(),
        Some("ya29.fresh")
    );
}

#[tokio::test]
async fn a_play_reply_without_a_key_and_a_spent_token_is_refused_with_what_to_do() {
    let db = TestDb::new();
    let server = play_mock(0, 0).await;
    let mut store = db.store();
    let settings = json!({"package_name": "com.harbourlane.app", "base_url": server.uri()});
    let (id, source) = drafted(&mut store, "google-play", settings, "gp:1");
    let secrets = MemorySecrets::default();
    put(&secrets, source, "access_token", "ya29.spent");
    let creds = StoredReplyCredentials(&secrets);
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    let why = reply.last_error.unwrap();
    assert!(why.contains("service account key"), "{why}");
    assert!(!why.contains("ya29.spent"), "{why}");
}
