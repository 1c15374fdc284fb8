//! Replies that really post (issue 25): each platform's reply path against a 127.0.0.1 mock that
//! refuses what the real one refuses (an expired token → 401, a missing scope → 403, with the
//! platform's documented error body), and posts only with the credentials the platform requires.

use crate::common;

use std::time::Duration;

use chrono::{Duration as Days, Utc};
use common::TestDb;
use earshot::model::replies::ReplyState;
use earshot::model::{IncomingReview, Kind};
use earshot::replies;
use earshot::replies::outbox::{Outbox, OutboxConfig};
use earshot::secrets::Secret;
use earshot::secrets::{MemorySecrets, SecretStore, StoredReplyCredentials};
use earshot::store::{ReviewFilter, Store};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

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
    drafted_with(store, connector, settings, external_id, None)
}

/// [`drafted`], with the item as the platform sent it (Bluesky replies need its `cid`).
fn drafted_with(
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
        raw_json: raw.map(|r| r.to_string()),
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

// ---------------------------------------------------------------------------------------------
// X: OAuth 2.0 authorization code with PKCE as a public client; the newest refresh token kept.

/// A token request's form field.
fn form_field(request: &Request, name: &str) -> Option<String> {
    let body = String::from_utf8_lossy(&request.body);
    reqwest::Url::parse(&format!("http://form/?{body}"))
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Matches a public client's code exchange: the PKCE verifier hashes to the consent's
/// challenge, the client id is in the form, and there is no client secret or Basic header.
struct PublicPkce {
    challenge: String,
    client_id: &'static str,
}

impl Match for PublicPkce {
    fn matches(&self, request: &Request) -> bool {
        use base64::Engine;
        use sha2::{Digest, Sha256};
        let Some(verifier) = form_field(request, "code_verifier") else {
            return false;
        };
        let hashed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        hashed == self.challenge
            && form_field(request, "grant_type").as_deref() == Some("authorization_code")
            && form_field(request, "client_id").as_deref() == Some(self.client_id)
            && form_field(request, "client_secret").is_none()
            && !request.headers.contains_key("authorization")
    }
}

/// Matches a form field's exact value.
struct Field(&'static str, &'static str);

impl Match for Field {
    fn matches(&self, request: &Request) -> bool {
        form_field(request, self.0).as_deref() == Some(self.1)
    }
}

fn param(url: &reqwest::Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// What a browser does with the redirect: one GET, the whole answer back.
fn browser_get(url: &str) -> String {
    use std::io::{Read, Write};
    let u = reqwest::Url::parse(url).unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", u.port().unwrap())).unwrap();
    let target = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    };
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

const X_CLIENT: &str = "X-native-client-id";
const MENTION_ID: &str = "1790000000000000001";

/// X's token answer with `offline.access` (docs.x.com/fundamentals/authentication/oauth-2-0/
/// user-access-token: "token_type", "expires_in": 7200, "access_token", "scope", "refresh_token").
fn x_tokens(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "token_type": "bearer", "expires_in": 7200, "access_token": access,
        "scope": "tweet.read tweet.write users.read offline.access", "refresh_token": refresh}))
}

/// `POST /2/tweets` that takes only `Bearer {token}` (201, docs.x.com/x-api/posts/
/// creation-of-a-post), refuses an app-only token with X's "Unsupported Authentication" 403
/// and any other token with its 401 problem body.
async fn x_posts(server: &MockServer, token: &str, posts: u64) {
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .and(body_json(
            json!({"text": REPLY, "reply": {"in_reply_to_tweet_id": MENTION_ID}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": {
            "id": "1790000000000000999", "text": REPLY,
            "edit_history_tweet_ids": ["1790000000000000999"]}})))
        .with_priority(1)
        .expect(posts)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(header("authorization", "Bearer AAAA-app-only"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "title": "Unsupported Authentication",
            "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this \
                       endpoint.  Supported authentication types are [OAuth 1.0a User Context, \
                       OAuth 2.0 User Context].",
            "type": "https://api.twitter.com/2/problems/unsupported-authentication",
            "status": 403})))
        .with_priority(2)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "title": "Unauthorized", "type": "about:blank", "status": 401,
            "detail": "Unauthorized"})))
        .mount(server)
        .await;
}

fn x_settings(server: &MockServer) -> Value {
    json!({"query": "@joescafe", "client_id": X_CLIENT, "base_url": server.uri(),
           "auth_url": format!("{}/i/oauth2/authorize", server.uri()),
           "redirect_uri": "http://127.0.0.1:0/callback"})
}

#[tokio::test]
async fn an_x_sign_in_is_pkce_as_a_public_client_and_its_token_posts_the_reply() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    let mut store = db.store();
    let (id, source) = drafted(&mut store, "x", x_settings(&server), MENTION_ID);
    let secrets = std::sync::Arc::new(MemorySecrets::default());
    put(&secrets, source, "bearer_token", "AAAA-app-only");

    let sign_in = earshot::platforms::sign_in(&store, secrets.as_ref(), source).unwrap();
    let consent = reqwest::Url::parse(&sign_in.consent_url).unwrap();
    assert_eq!(consent.path(), "/i/oauth2/authorize");
    assert_eq!(param(&consent, "client_id"), X_CLIENT);
    assert_eq!(
        param(&consent, "scope"),
        "tweet.read tweet.write users.read offline.access"
    );
    assert_eq!(param(&consent, "code_challenge_method"), "S256");
    let redirect = param(&consent, "redirect_uri");
    assert!(
        redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/callback"),
        "{redirect}"
    );
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .and(PublicPkce {
            challenge: param(&consent, "code_challenge"),
            client_id: X_CLIENT,
        })
        .and(Field("code", "x-code-1"))
        .and(Field(
            "redirect_uri",
            Box::leak(redirect.clone().into_boxed_str()),
        ))
        .respond_with(x_tokens("x-access-1", "x-refresh-1"))
        .expect(1)
        .mount(&server)
        .await;
    let state = param(&consent, "state");
    let browser =
        std::thread::spawn(move || browser_get(&format!("{redirect}?state={state}&code=x-code-1")));
    let kept_in = secrets.clone();
    tokio::task::spawn_blocking(move || sign_in.finish(kept_in.as_ref(), Duration::from_secs(10)))
        .await
        .unwrap()
        .unwrap();
    assert!(browser.join().unwrap().contains("signed in to X"));
    assert_eq!(
        kept(&secrets, source, "refresh_token").as_deref(),
        Some("x-refresh-1")
    );

    x_posts(&server, "x-access-1", 1).await;
    let creds = StoredReplyCredentials(secrets.as_ref());
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
    assert_eq!(reply.external_id.as_deref(), Some("1790000000000000999"));
}

#[tokio::test]
async fn an_expired_x_token_is_refreshed_and_the_rotated_refresh_token_is_kept() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .and(Field("grant_type", "refresh_token"))
        .and(Field("refresh_token", "x-refresh-1"))
        .and(Field("client_id", X_CLIENT))
        .respond_with(x_tokens("x-access-2", "x-refresh-2"))
        .expect(1)
        .mount(&server)
        .await;
    x_posts(&server, "x-access-2", 1).await;
    let mut store = db.store();
    let (id, source) = drafted(&mut store, "x", x_settings(&server), MENTION_ID);
    let secrets = MemorySecrets::default();
    put(&secrets, source, "access_token", "x-access-1");
    let spent = Utc::now().timestamp() - 60;
    put(
        &secrets,
        source,
        "access_token_expires_at",
        &spent.to_string(),
    );
    put(&secrets, source, "refresh_token", "x-refresh-1");
    let creds = StoredReplyCredentials(&secrets);
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
    assert_eq!(reply.attempts, 1);
    // X rotated it: the old one no longer works, so only the new one is kept.
    assert_eq!(
        kept(&secrets, source, "refresh_token").as_deref(),
        Some("x-refresh-2")
    );
    assert_eq!(
        kept(&secrets, source, "access_token").as_deref(),
        Some("x-access-2")
    );
}

#[tokio::test]
async fn an_x_source_with_only_the_app_bearer_token_says_to_sign_in_and_sends_nothing() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    x_posts(&server, "x-access-1", 0).await;
    let mut store = db.store();
    let (id, source) = drafted(&mut store, "x", x_settings(&server), MENTION_ID);
    let secrets = MemorySecrets::default();
    put(&secrets, source, "bearer_token", "AAAA-app-only");
    let creds = StoredReplyCredentials(&secrets);
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    let why = reply.last_error.unwrap();
    assert!(why.contains("sources auth"), "{why}");
    assert!(server.received_requests().await.unwrap().is_empty());

    // Sent anyway (a token given in the environment), the app-only token is refused by X.
    let app_only = earshot::replies::outbox::StaticCredentials(Secret::new("AAAA-app-only"));
    let reply = Outbox::new(&store, &app_only, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    let why = reply.last_error.unwrap();
    assert!(why.contains("Application-Only is forbidden"), "{why}");
    assert!(why.contains("not the Bearer token"), "{why}");
}

// ---------------------------------------------------------------------------------------------
// YouTube: Google's installed-app sign-in with youtube.force-ssl; the API key only reads.

const YT_COMMENT: &str = "UgzYtThread1";

/// `comments.insert` that takes only `Bearer {token}` (developers.google.com/youtube/v3/docs/
/// comments/insert), answers a token without `youtube.force-ssl` with Google's 403
/// ACCESS_TOKEN_SCOPE_INSUFFICIENT body and anything else with 401 "Login Required".
async fn youtube_comments(server: &MockServer, token: &str, posts: u64) {
    Mock::given(method("POST"))
        .and(path("/youtube/v3/comments"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .and(body_json(
            json!({"snippet": {"parentId": YT_COMMENT, "textOriginal": REPLY}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "youtube#comment", "etag": "e1", "id": "UgzYtReply1",
            "snippet": {"parentId": YT_COMMENT, "textOriginal": REPLY}})))
        .with_priority(1)
        .expect(posts)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/youtube/v3/comments"))
        .and(header("authorization", "Bearer ya29.business-only"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
            "code": 403,
            "message": "Request had insufficient authentication scopes.",
            "errors": [{"message": "Insufficient Permission", "domain": "global",
                        "reason": "insufficientPermissions"}],
            "status": "PERMISSION_DENIED",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                         "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com",
                         "metadata": {"service": "youtube.googleapis.com"}}]}})))
        .with_priority(2)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/youtube/v3/comments"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "code": 401,
            "message": "Request is missing required authentication credential. Expected OAuth \
                        2 access token, login cookie or other valid authentication credential.",
            "errors": [{"message": "Login Required.", "domain": "global", "reason": "required",
                        "location": "Authorization", "locationType": "header"}],
            "status": "UNAUTHENTICATED"}})))
        .mount(server)
        .await;
}

fn youtube_settings(server: &MockServer) -> Value {
    json!({"channel_id": "UCjoescafe", "client_id": "yt.apps.googleusercontent.com",
           "base_url": server.uri()})
}

#[tokio::test]
async fn a_youtube_sign_in_asks_google_for_youtube_force_ssl_with_pkce() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    let mut store = db.store();
    let (_, source) = drafted(&mut store, "youtube", youtube_settings(&server), YT_COMMENT);
    let secrets = MemorySecrets::default();
    put(&secrets, source, "client_secret", "yt-client-secret");
    let sign_in = earshot::platforms::sign_in(&store, &secrets, source).unwrap();
    let consent = reqwest::Url::parse(&sign_in.consent_url).unwrap();
    assert_eq!(consent.path(), "/auth");
    assert_eq!(
        param(&consent, "scope"),
        "https://www.googleapis.com/auth/youtube.force-ssl"
    );
    assert_eq!(param(&consent, "code_challenge_method"), "S256");
    assert_eq!(param(&consent, "access_type"), "offline");
    assert!(param(&consent, "redirect_uri").starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn a_youtube_source_with_only_the_api_key_says_to_sign_in_and_sends_nothing() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    youtube_comments(&server, "ya29.youtube", 0).await;
    let mut store = db.store();
    let (id, source) = drafted(&mut store, "youtube", youtube_settings(&server), YT_COMMENT);
    let secrets = MemorySecrets::default();
    put(&secrets, source, "api_key", "AIza-read-only");
    let creds = StoredReplyCredentials(&secrets);
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    let why = reply.last_error.unwrap();
    assert!(
        why.contains("sources auth") && why.contains("API key only reads"),
        "{why}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_youtube_reply_renews_the_channels_token_from_the_sign_in() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(Field("grant_type", "refresh_token"))
        .and(Field("refresh_token", "1//yt-refresh"))
        .and(Field("client_secret", "yt-client-secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            // developers.google.com/identity/protocols/oauth2/native-app#offline
            json!({"access_token": "ya29.youtube", "expires_in": 3599, "token_type": "Bearer",
                   "scope": "https://www.googleapis.com/auth/youtube.force-ssl"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    youtube_comments(&server, "ya29.youtube", 1).await;
    let mut store = db.store();
    let (id, source) = drafted(&mut store, "youtube", youtube_settings(&server), YT_COMMENT);
    let secrets = MemorySecrets::default();
    put(&secrets, source, "api_key", "AIza-read-only");
    put(&secrets, source, "client_secret", "yt-client-secret");
    put(&secrets, source, "refresh_token", "1//yt-refresh");
    let creds = StoredReplyCredentials(&secrets);
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
    assert_eq!(reply.external_id.as_deref(), Some("UgzYtReply1"));
    let end: i64 = kept(&secrets, source, "access_token_expires_at")
        .unwrap()
        .parse()
        .unwrap();
    assert!(end > Utc::now().timestamp() + 3000);
}

#[tokio::test]
async fn a_youtube_token_without_the_youtube_scope_is_refused_with_googles_reason() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    youtube_comments(&server, "ya29.youtube", 0).await;
    let mut store = db.store();
    let (id, source) = drafted(&mut store, "youtube", youtube_settings(&server), YT_COMMENT);
    let secrets = MemorySecrets::default();
    put(&secrets, source, "access_token", "ya29.business-only");
    let later = Utc::now().timestamp() + 3000;
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
    assert_eq!(reply.state, ReplyState::Failed);
    let why = reply.last_error.unwrap();
    assert!(why.contains("insufficient authentication scopes"), "{why}");
    assert!(why.contains("sign in again"), "{why}");
}

// ---------------------------------------------------------------------------------------------
// Mastodon: Earshot registers itself on the owner's instance, then the authorization-code flow
// (PKCE and a loopback redirect from 4.3.0, the out-of-band code before), read write:statuses.

const TOOT: &str = "109372843234567890";
const MASTO_TOKEN: &str = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0";

/// Matches the app registration Earshot must send: its name, the scopes it needs and a
/// redirect that is the loopback or the out-of-band URN.
struct Registration {
    loopback: bool,
}

impl Match for Registration {
    fn matches(&self, request: &Request) -> bool {
        let redirect = form_field(request, "redirect_uris").unwrap_or_default();
        form_field(request, "client_name").as_deref() == Some("Earshot")
            && form_field(request, "scopes").as_deref() == Some("read write:statuses")
            && if self.loopback {
                redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/callback")
            } else {
                redirect == "urn:ietf:wg:oauth:2.0:oob"
            }
    }
}

/// A Mastodon instance: `/api/v1/apps` (docs.joinmastodon.org/methods/apps/#create, sample
/// answer), `/oauth/token` taking the registered client's code (`/methods/oauth/#token`),
/// `/api/v1/statuses` taking only `Bearer MASTO_TOKEN`; a token without write:statuses gets
/// 403 "This action is outside the authorized scopes" and none 401 "The access token is
/// invalid" (`/api/guidelines/#errors`, `/spec/oauth/`). `sign_ins` registrations and code
/// exchanges are expected, `posts` replies. From 4.3.0 (`pkce`) it describes its
/// OAuth server at `/.well-known/oauth-authorization-server` (`/spec/oauth/#authorization-server-metadata`).
async fn mastodon_instance(pkce: bool, sign_ins: u64, posts: u64) -> MockServer {
    let server = MockServer::start().await;
    if pkce {
        Mock::given(method("GET"))
            .and(path("/.well-known/oauth-authorization-server"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issuer": format!("{}/", server.uri()),
                "authorization_endpoint": format!("{}/oauth/authorize", server.uri()),
                "token_endpoint": format!("{}/oauth/token", server.uri()),
                "revocation_endpoint": format!("{}/oauth/revoke", server.uri()),
                "scopes_supported": ["read", "write", "write:statuses", "read:search"],
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": ["authorization_code", "client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                          "client_secret_post"]})))
            .mount(&server)
            .await;
    } else {
        Mock::given(method("GET"))
            .and(path("/.well-known/oauth-authorization-server"))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": "Not Found"})))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/api/v1/apps"))
        .and(Registration { loopback: pkce })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "563419", "name": "Earshot", "website": null,
            "scopes": ["read", "write:statuses"],
            "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
            "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
            "client_secret_expires_at": 0})))
        .expect(sign_ins)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(Field("grant_type", "authorization_code"))
        .and(Field("code", "masto-code"))
        .and(Field(
            "client_id",
            "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
        ))
        .and(Field(
            "client_secret",
            "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": MASTO_TOKEN, "token_type": "Bearer",
            "scope": "read write:statuses", "created_at": 1573979017})))
        .expect(sign_ins)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(header(
            "authorization",
            format!("Bearer {MASTO_TOKEN}").as_str(),
        ))
        .and(body_json(
            json!({"status": REPLY, "in_reply_to_id": TOOT, "visibility": "public"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "109372843234567999", "in_reply_to_id": TOOT, "visibility": "public",
            "content": "<p>…</p>", "created_at": "2026-12-07T02:00:00.000Z"})))
        .with_priority(1)
        .expect(posts)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(header("authorization", "Bearer read-search-only"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"error": "This action is outside the authorized scopes"})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "The access token is invalid"})),
        )
        .mount(&server)
        .await;
    server
}

fn mastodon_settings(server: &MockServer) -> Value {
    json!({"instance": "mastodon.example", "tag": "joescafe", "base_url": server.uri()})
}

/// Starts the sign-in off the async runtime (it registers Earshot over the network).
async fn start_sign_in(
    db: &TestDb,
    secrets: &std::sync::Arc<MemorySecrets>,
    source: i64,
) -> earshot::platforms::oauth::SignIn {
    let (path, secrets) = (db.path().to_path_buf(), secrets.clone());
    tokio::task::spawn_blocking(move || {
        let store = Store::open(&path).unwrap();
        earshot::platforms::sign_in(&store, secrets.as_ref(), source).unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_mastodon_sign_in_registers_earshot_uses_pkce_from_4_3_and_its_token_replies() {
    let db = TestDb::new();
    let server = mastodon_instance(true, 1, 1).await;
    let mut store = db.store();
    let (id, source) = drafted(&mut store, "mastodon", mastodon_settings(&server), TOOT);
    let secrets = std::sync::Arc::new(MemorySecrets::default());
    let sign_in = start_sign_in(&db, &secrets, source).await;
    assert!(!sign_in.out_of_band());
    let consent = reqwest::Url::parse(&sign_in.consent_url).unwrap();
    assert_eq!(consent.path(), "/oauth/authorize");
    assert_eq!(param(&consent, "scope"), "read write:statuses");
    assert_eq!(param(&consent, "code_challenge_method"), "S256");
    assert_eq!(
        kept(&secrets, source, "app_client_id").as_deref(),
        Some("TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM")
    );
    let redirect = param(&consent, "redirect_uri");
    let state = param(&consent, "state");
    let browser = std::thread::spawn(move || {
        browser_get(&format!("{redirect}?code=masto-code&state={state}"))
    });
    let kept_in = secrets.clone();
    tokio::task::spawn_blocking(move || sign_in.finish(kept_in.as_ref(), Duration::from_secs(10)))
        .await
        .unwrap()
        .unwrap();
    assert!(browser.join().unwrap().contains("signed in to Mastodon"));
    // The verifier went with the code.
    let exchange = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.url.path() == "/oauth/token")
        .unwrap();
    assert!(form_field(&exchange, "code_verifier").is_some());

    let creds = StoredReplyCredentials(secrets.as_ref());
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
    assert_eq!(reply.external_id.as_deref(), Some("109372843234567999"));
}

#[tokio::test]
async fn an_older_mastodon_gets_the_out_of_band_code_and_no_pkce() {
    let db = TestDb::new();
    let server = mastodon_instance(false, 1, 0).await;
    let mut store = db.store();
    let (_, source) = drafted(&mut store, "mastodon", mastodon_settings(&server), TOOT);
    let secrets = std::sync::Arc::new(MemorySecrets::default());
    let sign_in = start_sign_in(&db, &secrets, source).await;
    assert!(sign_in.out_of_band());
    let consent = reqwest::Url::parse(&sign_in.consent_url).unwrap();
    assert_eq!(param(&consent, "redirect_uri"), "urn:ietf:wg:oauth:2.0:oob");
    assert!(!sign_in.consent_url.contains("code_challenge"));
    let kept_in = secrets.clone();
    tokio::task::spawn_blocking(move || {
        sign_in.finish_with_code(kept_in.as_ref(), " masto-code\n")
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        kept(&secrets, source, "access_token").as_deref(),
        Some(MASTO_TOKEN)
    );
}

/// Issue 25: the app offers the out-of-band sign-in too. The Sign in button starts it through
/// the action (the sign-in waits in the app's list), the code the owner pastes into the source
/// card finishes it: the token goes to the secret store, the code nowhere.
#[tokio::test]
async fn the_app_finishes_an_older_mastodons_sign_in_with_the_code_the_owner_pastes() {
    let db = TestDb::new();
    let server = mastodon_instance(false, 1, 0).await;
    let mut store = db.store();
    let (_, source) = drafted(&mut store, "mastodon", mastodon_settings(&server), TOOT);
    let secrets = std::sync::Arc::new(MemorySecrets::default());
    let pending = std::sync::Arc::new(earshot::actions::PendingSignIns::default());
    let (path, kept_in, waiting) = (db.path().to_path_buf(), secrets.clone(), pending.clone());
    let started = tokio::task::spawn_blocking(move || {
        let store = Store::open(&path).unwrap();
        let (started, loopback) =
            earshot::actions::begin_sign_in(&store, kept_in.as_ref(), &waiting, source).unwrap();
        assert!(
            loopback.is_none(),
            "nothing to wait for on a loopback address"
        );
        started
    })
    .await
    .unwrap();
    assert!(started.needs_code);
    let consent = reqwest::Url::parse(&started.consent_url).unwrap();
    assert_eq!(param(&consent, "redirect_uri"), "urn:ietf:wg:oauth:2.0:oob");

    let (kept_in, waiting) = (secrets.clone(), pending.clone());
    tokio::task::spawn_blocking(move || {
        waiting.finish_with_code(kept_in.as_ref(), source, " masto-code\n")
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        kept(&secrets, source, "access_token").as_deref(),
        Some(MASTO_TOKEN)
    );
    // The sign-in was used up: a second code has nothing to finish.
    let e = pending
        .finish_with_code(secrets.as_ref(), source, "masto-code")
        .unwrap_err();
    assert!(e.to_string().contains("press Sign in again"), "{e}");
    let bytes = std::fs::read(db.path()).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains(MASTO_TOKEN));
}

#[tokio::test]
async fn a_mastodon_token_made_for_search_alone_is_refused_with_the_instances_reason() {
    let db = TestDb::new();
    let server = mastodon_instance(true, 0, 0).await;
    let mut store = db.store();
    let (id, source) = drafted(&mut store, "mastodon", mastodon_settings(&server), TOOT);
    let secrets = MemorySecrets::default();
    let creds = StoredReplyCredentials(&secrets);
    // Not signed in: nothing is sent, and the reason says what to do.
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    assert!(reply.last_error.unwrap().contains("sources auth"));

    put(&secrets, source, "access_token", "read-search-only");
    let (id2, _) = drafted(
        &mut store,
        "mastodon",
        mastodon_settings(&server),
        "109372843234567891",
    );
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id2, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    let why = reply.last_error.unwrap();
    assert!(why.contains("outside the authorized scopes"), "{why}");
    assert!(why.contains("allow write:statuses"), "{why}");
}

// ---------------------------------------------------------------------------------------------
// Trustpilot: the business user's token from the password grant (with the owner's own API key
// and secret, from a desktop), renewed with the refresh token; the reply names the business user.

const TP_REVIEW: &str = "507f191e810c19729de860ea";
pub(crate) const TP_USER: &str = "507f1f77bcf86cd799439011";

/// `Basic base64(key:secret)`, as Trustpilot's token endpoint requires.
fn tp_basic() -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("tp-key:tp-secret")
    )
}

/// Trustpilot's token endpoints (developers.trustpilot.com/grant-type-password: the answer's
/// `expires_in` is a string) and the reply endpoint (`POST /v1/private/reviews/{id}/reply`,
/// 201), which answers Apigee's "Access Token expired" 401 to any other token.
pub(crate) async fn trustpilot_mock(token: &str, posts: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/v1/oauth/oauth-business-users-for-applications/accesstoken",
        ))
        .and(header("authorization", tp_basic().as_str()))
        .and(Field("grant_type", "password"))
        .and(Field("username", "joe@joescafe.com"))
        .and(Field("password", "hunter2-owner"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tp-access-1", "refresh_token": "tp-refresh-1",
            "expires_in": "359999"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(
            "/v1/oauth/oauth-business-users-for-applications/refresh",
        ))
        .and(header("authorization", tp_basic().as_str()))
        .and(Field("grant_type", "refresh_token"))
        .and(Field("refresh_token", "tp-refresh-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tp-access-2", "refresh_token": "tp-refresh-2",
            "expires_in": "359999"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/private/reviews/{TP_REVIEW}/reply")))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .and(body_json(
            json!({"authorBusinessUserId": TP_USER, "message": REPLY}),
        ))
        .respond_with(ResponseTemplate::new(201))
        .with_priority(1)
        .expect(posts)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/private/reviews/{TP_REVIEW}/reply")))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"fault": {
            "faultstring": "Access Token expired",
            "detail": {"errorcode": "keymanagement.service.access_token_expired"}}})))
        .mount(&server)
        .await;
    server
}

fn tp_settings(server: &MockServer) -> Value {
    json!({"business_unit_id": "46d6a890000064000500e0c3", "business_user_id": TP_USER,
           "base_url": server.uri()})
}

#[tokio::test]
async fn a_trustpilot_business_user_signs_in_with_the_password_grant_and_replies() {
    let db = TestDb::new();
    let server = trustpilot_mock("tp-access-1", 1).await;
    let mut store = db.store();
    let (id, source) = drafted(&mut store, "trustpilot", tp_settings(&server), TP_REVIEW);
    let secrets = std::sync::Arc::new(MemorySecrets::default());
    put(&secrets, source, "api_key", "tp-key");
    put(&secrets, source, "api_secret", "tp-secret");
    let (path, kept_in) = (db.path().to_path_buf(), secrets.clone());
    tokio::task::spawn_blocking(move || {
        earshot::platforms::trustpilot::sign_in_with_password(
            &Store::open(&path).unwrap(),
            kept_in.as_ref(),
            source,
            "joe@joescafe.com",
            &Secret::new("hunter2-owner"),
        )
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        kept(&secrets, source, "refresh_token").as_deref(),
        Some("tp-refresh-1")
    );
    let end: i64 = kept(&secrets, source, "access_token_expires_at")
        .unwrap()
        .parse()
        .unwrap();
    assert!(end > Utc::now().timestamp() + 99 * 3600, "100 hours");
    let creds = StoredReplyCredentials(secrets.as_ref());
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
}

#[tokio::test]
async fn an_expired_trustpilot_token_is_refreshed_and_without_a_sign_in_nothing_is_sent() {
    let db = TestDb::new();
    let server = trustpilot_mock("tp-access-2", 1).await;
    let mut store = db.store();
    let (id, source) = drafted(&mut store, "trustpilot", tp_settings(&server), TP_REVIEW);
    let secrets = MemorySecrets::default();
    put(&secrets, source, "api_key", "tp-key");
    let creds = StoredReplyCredentials(&secrets);
    // The API key alone reads but cannot reply.
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    assert!(reply
        .last_error
        .unwrap()
        .contains("business_user_id and api_secret"));
    assert!(server.received_requests().await.unwrap().is_empty());

    put(&secrets, source, "api_secret", "tp-secret");
    put(&secrets, source, "access_token", "tp-access-1");
    let spent = Utc::now().timestamp() - 10;
    put(
        &secrets,
        source,
        "access_token_expires_at",
        &spent.to_string(),
    );
    put(&secrets, source, "refresh_token", "tp-refresh-1");
    let (id2, _) = drafted(&mut store, "trustpilot", tp_settings(&server), TP_REVIEW);
    assert_eq!(id, id2);
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, Some("second try"))
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
    assert_eq!(
        kept(&secrets, source, "refresh_token").as_deref(),
        Some("tp-refresh-2")
    );
}

// ---------------------------------------------------------------------------------------------
// Bluesky: the handle's DID and PDS are resolved, and the session and the post go to that PDS.

#[tokio::test]
async fn a_bluesky_reply_goes_to_the_accounts_own_pds_found_from_its_handle() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    let pds = format!("{}/pds", server.uri());
    // atproto.com/specs/handle: resolveHandle answers {"did"}; plc.directory serves the
    // document (atproto.com/specs/did) naming the handle and the #atproto_pds service.
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .and(wiremock::matchers::query_param("handle", "joescafe.com"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"did": "did:plc:joe7nxzyoun6zhxrhs"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/did:plc:joe7nxzyoun6zhxrhs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "@context": ["https://www.w3.org/ns/did/v1",
                         "https://w3id.org/security/multikey/v1"],
            "id": "did:plc:joe7nxzyoun6zhxrhs",
            "alsoKnownAs": ["at://joescafe.com"],
            "verificationMethod": [],
            "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                         "serviceEndpoint": pds}]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/pds/xrpc/com.atproto.server.createSession"))
        .and(body_json(
            json!({"identifier": "joescafe.com", "password": "abcd-efgh-ijkl-mnop"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessJwt": "jwt-access", "refreshJwt": "jwt-refresh",
            "handle": "joescafe.com", "did": "did:plc:joe7nxzyoun6zhxrhs"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/pds/xrpc/com.atproto.repo.createRecord"))
        .and(header("authorization", "Bearer jwt-access"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "uri": "at://did:plc:joe7nxzyoun6zhxrhs/app.bsky.feed.post/3l7x",
            "cid": "bafyOurs"})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let mention = "at://did:plc:kim/app.bsky.feed.post/3kq2";
    let settings = json!({"query": "joe's cafe", "handle": "@joescafe.com",
                          "resolver_url": server.uri(), "plc_url": server.uri()});
    let raw = json!({"uri": mention, "cid": "bafyMention", "author": {"handle": "kim.bsky.social"},
                     "record": {"text": "@joescafe.com cold latte"},
                     "indexedAt": "2024-05-01T18:04:12.345Z"});
    let (id, source) = drafted_with(&mut store, "bluesky", settings, mention, Some(raw));
    let secrets = MemorySecrets::default();
    put(&secrets, source, "app_password", "abcd-efgh-ijkl-mnop");
    let creds = StoredReplyCredentials(&secrets);
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
}

// ---------------------------------------------------------------------------------------------
// The composer says plainly what is missing before Earshot can post.

#[test]
fn the_composer_says_what_each_platform_still_needs_before_it_can_post() {
    use earshot::platforms::replier;
    use earshot::replies::missing_with;
    let secrets = MemorySecrets::default();
    let says = |connector: &str, settings: Value| {
        missing_with(replier(connector).unwrap(), 7, &settings, &secrets)
    };
    let x = says("x", json!({"query": "@joescafe"})).unwrap();
    assert!(
        x.contains("OAuth 2.0 Client ID") && x.contains("sources auth 7"),
        "{x}"
    );
    let yt = says("youtube", json!({"channel_id": "UC1"})).unwrap();
    assert!(yt.contains("OAuth client ID and secret"), "{yt}");
    let masto = says("mastodon", json!({"instance": "mastodon.social"})).unwrap();
    assert!(masto.contains("write:statuses"), "{masto}");
    let tp = says("trustpilot", json!({"business_unit_id": "1"})).unwrap();
    assert!(tp.contains("business_user_id"), "{tp}");
    let tp = says(
        "trustpilot",
        json!({"business_unit_id": "1", "business_user_id": "u"}),
    )
    .unwrap();
    assert!(
        tp.contains("API secret") && tp.contains("Trustpilot Business login"),
        "{tp}"
    );
    let play = says("google-play", json!({"package_name": "a.b"})).unwrap();
    assert!(play.contains("service account"), "{play}");
    let bsky = says("bluesky", json!({"query": "joe"})).unwrap();
    assert!(bsky.contains("app password"), "{bsky}");

    // Signed in (or keyed), nothing is missing.
    put(&secrets, 7, "refresh_token", "r");
    put(&secrets, 7, "access_token", "a");
    put(&secrets, 7, "service_account_json", "{}");
    put(&secrets, 7, "app_password", "p");
    for (connector, settings) in [
        ("x", json!({"client_id": "c"})),
        ("youtube", json!({"client_id": "c"})),
        ("mastodon", json!({"instance": "m"})),
        ("trustpilot", json!({"business_user_id": "u"})),
        ("google-play", json!({"package_name": "a.b"})),
        ("bluesky", json!({"handle": "joe.bsky.social"})),
    ] {
        assert_eq!(says(connector, settings), None, "{connector}");
    }
}

#[test]
fn any_one_secret_a_platform_posts_with_is_enough_for_the_composer() {
    // The composer's "what is missing" reads the platform's one list of the secrets it posts
    // with (`credential_keys`, plus a kept access token), the list the team outbox's wait
    // reads: each of them alone satisfies it, and nothing else does.
    use earshot::platforms::replier;
    use earshot::replies::missing_with;
    for (connector, settings) in [
        ("x", json!({"client_id": "c"})),
        ("youtube", json!({"client_id": "c"})),
        ("mastodon", json!({"instance": "m"})),
        ("trustpilot", json!({"business_user_id": "u"})),
        ("google-play", json!({"package_name": "a.b"})),
        (
            "google-business",
            json!({"account_id": "1", "location_id": "2"}),
        ),
        ("bluesky", json!({"handle": "joe.bsky.social"})),
    ] {
        let api = replier(connector).unwrap();
        let none = MemorySecrets::default();
        put(&none, 7, "client_secret", "not a credential");
        assert!(
            missing_with(api, 7, &settings, &none).is_some(),
            "{connector}: nothing held"
        );
        // Bluesky keeps no token: only its app password logs a session in.
        let access = (connector != "bluesky").then_some("access_token");
        for key in api.credential_keys().iter().copied().chain(access) {
            let one = MemorySecrets::default();
            put(&one, 7, key, "s");
            assert_eq!(
                missing_with(api, 7, &settings, &one),
                None,
                "{connector} with {key} alone"
            );
            assert!(
                api.holds_credentials(&|k| matches!(one.get(7, k), Ok(Some(_)))),
                "{connector} with {key} alone"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The command line: `earshot sources auth` signs a Trustpilot business user in, then
// `earshot reply post` posts with the kept token.

/// Runs `earshot` off the async runtime (the mock answers on it), with the test's secrets file.
async fn earshot_cli(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"));
    cmd.arg("--db")
        .arg(db.path())
        .args(args)
        .env("XDG_DATA_HOME", db.dir.path())
        .env("EARSHOT_SECRETS_FILE", db.dir.path().join("secrets.json"))
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("EARSHOT_DB")
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn trustpilot_sources_auth_then_reply_post_from_the_command_line() {
    let db = TestDb::new();
    let server = trustpilot_mock("tp-access-1", 1).await;
    let base = format!("base_url={}", server.uri());
    let user = format!("business_user_id={TP_USER}");
    let added = earshot_cli(
        &db,
        &[
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
        ],
        &[],
    )
    .await;
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let source: Value = serde_json::from_slice(&added.stdout).unwrap();
    let source = source["id"].as_i64().unwrap();
    // A review on that source, with a draft.
    let id = {
        let mut store = db.store();
        let item = IncomingReview {
            external_id: TP_REVIEW.into(),
            platform: "trustpilot".into(),
            kind: Kind::Review,
            author: Some("Dana K.".into()),
            rating: Some(1.0),
            title: None,
            body: "Cold coffee.".into(),
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
            .find(|r| r.external_id == TP_REVIEW)
            .unwrap()
            .id;
        replies::save_draft(&store, id, REPLY).unwrap();
        id
    };

    let signed = earshot_cli(
        &db,
        &[
            "sources",
            "auth",
            &source.to_string(),
            "--username",
            "joe@joescafe.com",
        ],
        &[("EARSHOT_TRUSTPILOT_PASSWORD", "hunter2-owner")],
    )
    .await;
    let stdout = String::from_utf8_lossy(&signed.stdout);
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    assert!(stdout.contains("Signed in"), "{stdout}");
    assert!(!stdout.contains("hunter2-owner"));
    let kept = std::fs::read_to_string(db.dir.path().join("secrets.json")).unwrap();
    assert!(kept.contains("tp-refresh-1"));
    assert!(
        !kept.contains("hunter2-owner"),
        "the password is never kept"
    );

    let posted = earshot_cli(
        &db,
        &["reply", "post", "--review", &id.to_string(), "--json"],
        &[],
    )
    .await;
    assert!(
        posted.status.success(),
        "{}",
        String::from_utf8_lossy(&posted.stderr)
    );
    let reply: Value = serde_json::from_slice(&posted.stdout).unwrap();
    assert_eq!(reply["state"], "posted");
}

#[tokio::test]
async fn an_x_reply_to_someone_who_did_not_mention_the_owner_says_to_reply_on_x() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    // The refusal integrators report for API replies outside a conversation the author started
    // with the account (EXPORTS-AND-AUTH.md B1; X's problem body shape).
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(header("authorization", "Bearer x-user-token"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "detail": "Reply to this conversation is not allowed because you have not been \
                       mentioned or otherwise engaged by the author of the post you are \
                       replying to.",
            "type": "about:blank", "title": "Forbidden", "status": 403})))
        .expect(1)
        .mount(&server)
        .await;
    let mut store = db.store();
    let (id, _) = drafted(&mut store, "x", x_settings(&server), MENTION_ID);
    let creds = earshot::replies::outbox::StaticCredentials(Secret::new("x-user-token"));
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Failed);
    let why = reply.last_error.unwrap();
    assert!(why.contains("open the post on X and reply there"), "{why}");
    assert_eq!(reply.attempts, 1, "a refusal is not retried");
}

#[tokio::test]
async fn x_sources_auth_from_the_command_line_keeps_the_sign_in_in_the_secret_store() {
    use std::io::BufRead;
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .and(Field("grant_type", "authorization_code"))
        .and(Field("client_id", X_CLIENT))
        .respond_with(x_tokens("x-access-cli", "x-refresh-cli"))
        .expect(1)
        .mount(&server)
        .await;
    let source = {
        let mut store = db.store();
        drafted(&mut store, "x", x_settings(&server), MENTION_ID).1
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--db")
        .arg(db.path())
        .args([
            "sources",
            "auth",
            &source.to_string(),
            "--no-browser",
            "--timeout",
            "20",
        ])
        .env("XDG_DATA_HOME", db.dir.path())
        .env("EARSHOT_SECRETS_FILE", db.dir.path().join("secrets.json"))
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("EARSHOT_DB")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let consent = tokio::task::spawn_blocking(move || {
        let mut out = std::io::BufReader::new(stdout);
        let mut line = String::new();
        while !line.contains("code_challenge=") {
            line.clear();
            assert!(out.read_line(&mut line).unwrap() > 0, "no consent address");
        }
        // Keep reading so the rest of its output finds a reader.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        line
    })
    .await
    .unwrap();
    let consent = reqwest::Url::parse(consent.trim()).unwrap();
    let redirect = param(&consent, "redirect_uri");
    let state = param(&consent, "state");
    let page = tokio::task::spawn_blocking(move || {
        browser_get(&format!("{redirect}?state={state}&code=cli-code"))
    })
    .await
    .unwrap();
    assert!(page.contains("signed in to X"), "{page}");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kept = std::fs::read_to_string(db.dir.path().join("secrets.json")).unwrap();
    assert!(
        kept.contains("x-refresh-cli"),
        "the refresh token is in the secret store"
    );
    drop(db.store());
    let bytes = std::fs::read(db.path()).unwrap();
    assert!(
        !String::from_utf8_lossy(&bytes).contains("x-refresh-cli"),
        "never the database"
    );
}

/// X's token endpoint refusing a refresh token another Earshot (the app, while the CLI posts)
/// has just rotated: that other one's new tokens land in the shared secret store first.
struct RotatedElsewhere(std::sync::Arc<MemorySecrets>, i64);

impl wiremock::Respond for RotatedElsewhere {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let later = (Utc::now().timestamp() + 7000).to_string();
        put(&self.0, self.1, "refresh_token", "x-refresh-2");
        put(&self.0, self.1, "access_token", "x-access-2");
        put(&self.0, self.1, "access_token_expires_at", &later);
        // The answer X gives a spent refresh token (RFC 6749 §5.2 shape).
        ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_request",
            "error_description": "Value passed for the token was invalid."}))
    }
}

#[tokio::test]
async fn an_x_refresh_token_rotated_by_another_earshot_meanwhile_uses_the_newer_sign_in() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    let mut store = db.store();
    let (id, source) = drafted(&mut store, "x", x_settings(&server), MENTION_ID);
    let secrets = std::sync::Arc::new(MemorySecrets::default());
    put(&secrets, source, "access_token", "x-access-1");
    put(&secrets, source, "access_token_expires_at", "1");
    put(&secrets, source, "refresh_token", "x-refresh-1");
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .and(Field("refresh_token", "x-refresh-1"))
        .respond_with(RotatedElsewhere(secrets.clone(), source))
        .expect(1)
        .mount(&server)
        .await;
    x_posts(&server, "x-access-2", 1).await;
    let creds = StoredReplyCredentials(secrets.as_ref());
    let reply = Outbox::new(&store, &creds, fast_config())
        .unwrap()
        .post_review(id, None)
        .await
        .unwrap();
    assert_eq!(reply.state, ReplyState::Posted, "{:?}", reply.last_error);
}

/// Issue 25: the app's source card signs a Trustpilot business user in through the same action
/// as `earshot sources auth ID --username`: the password reaches Trustpilot's token endpoint
/// once and is kept nowhere (not the secret store, not the database); a platform that signs in
/// through the browser is refused in words.
#[tokio::test]
async fn the_app_signs_a_trustpilot_business_user_in_and_keeps_no_password() {
    let db = TestDb::new();
    let server = trustpilot_mock("tp-access-1", 0).await;
    let mut store = db.store();
    let (_, source) = drafted(&mut store, "trustpilot", tp_settings(&server), TP_REVIEW);
    let (_, masto) = drafted(
        &mut store,
        "mastodon",
        json!({"instance": "mastodon.example", "tag": "joescafe"}),
        TOOT,
    );
    let secrets = std::sync::Arc::new(MemorySecrets::default());
    put(&secrets, source, "api_key", "tp-key");
    put(&secrets, source, "api_secret", "tp-secret");
    let (path, kept_in) = (db.path().to_path_buf(), secrets.clone());
    let (signed, refused, empty) = tokio::task::spawn_blocking(move || {
        let store = Store::open(&path).unwrap();
        let password = Secret::new("hunter2-owner");
        (
            earshot::actions::sign_in_with_password(
                &store,
                kept_in.as_ref(),
                source,
                " joe@joescafe.com ",
                &password,
            ),
            earshot::actions::sign_in_with_password(
                &store,
                kept_in.as_ref(),
                masto,
                "joe@joescafe.com",
                &password,
            ),
            earshot::actions::sign_in_with_password(
                &store,
                kept_in.as_ref(),
                source,
                "joe@joescafe.com",
                &Secret::new(""),
            ),
        )
    })
    .await
    .unwrap();
    signed.unwrap();
    assert_eq!(
        kept(&secrets, source, "refresh_token").as_deref(),
        Some("tp-refresh-1")
    );
    let e = refused.unwrap_err();
    assert_eq!(e.code(), "config");
    assert!(
        e.to_string().contains("does not sign in with a password"),
        "{e}"
    );
    assert!(empty
        .unwrap_err()
        .to_string()
        .contains("login e-mail and password"));
    for key in earshot::platforms::secret_keys() {
        assert_ne!(
            kept(&secrets, source, key).as_deref(),
            Some("hunter2-owner"),
            "{key}"
        );
    }
    drop(store);
    let bytes = std::fs::read(db.path()).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("hunter2-owner"));
}
