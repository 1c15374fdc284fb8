//! What the outbox sends in `Authorization`, made from what the owner stored for the source.
//!
//! Most reply APIs take a ready-made bearer token ([`ReplyCredentials::bearer_token`]). Three
//! make their own:
//! - **Bluesky** logs in with the owner's handle and *app password*
//!   (`com.atproto.server.createSession`) and writes with the session's `accessJwt` to the
//!   session's DID. The session is not kept: replies are rare and a session costs one request.
//! - **App Store Connect** signs a short-lived ES256 JWT with the team's `.p8` key, the same way
//!   the connector does ([`crate::sources::app_store_connect::sign`]).
//! - **Google Business Profile** uses the access token the sign-in or the last sync kept; with
//!   none kept, or when Google answers 401 (access tokens live an hour), [`renew_google`] trades
//!   the refresh token for a new one once and keeps it.
//!
//! A ready-made token, when one is given (`EARSHOT_TOKEN_BLUESKY`, a JWT signed elsewhere), is
//! used where the stored secrets are missing, so scripts can post without a keyring. Nothing
//! here quotes a secret: platform answers are passed through [`crate::secrets::redact`].

use reqwest::Method;
use serde_json::{json, Value};

use super::outbox::{missing, platform_reason, setting, ReplyApi, ReplyCredentials};
use super::{ReplyError, Result};
use crate::model::SourceId;
use crate::secrets::{redact, Secret};

/// Google's token endpoint; a source's `token_url`, or its overridden base's `/token`, wins
/// (resolved as the connector and the sign-in resolve it).
const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

/// The credentials a request goes with.
#[derive(Debug)]
pub struct Auth {
    pub token: Secret,
    /// The account the request writes as, where the API names it: Bluesky's repository (the
    /// session's DID, or the source's handle with a ready-made token).
    pub account: Option<String>,
}

impl Auth {
    fn bearer(token: Secret) -> Auth {
        Auth {
            token,
            account: None,
        }
    }
}

fn fail(msg: impl Into<String>) -> ReplyError {
    ReplyError::Outbox(msg.into())
}

fn none_stored(api: ReplyApi) -> ReplyError {
    fail(format!(
        "no {} credentials are stored; connect the account again",
        api.label()
    ))
}

/// The credentials for a request to `api` on behalf of the source; `base` is where the
/// request goes (Bluesky logs in at the same PDS).
pub async fn authorise<C: ReplyCredentials>(
    http: &reqwest::Client,
    creds: &C,
    api: ReplyApi,
    source_id: SourceId,
    settings: &Value,
    base: &str,
) -> Result<Auth> {
    let connector = api.connector();
    match api {
        ReplyApi::Bluesky => {
            let handle = setting(settings, &["handle"]).map(|h| h.trim().trim_start_matches('@'));
            match (handle, creds.secret(source_id, "app_password")?) {
                (Some(handle), Some(password)) => {
                    bluesky_session(http, base, handle, &password).await
                }
                (handle, _) => match creds.bearer_token(source_id, connector)? {
                    Some(token) => Ok(Auth {
                        token,
                        account: handle.map(str::to_owned),
                    }),
                    None => Err(fail(
                        "no Bluesky app password is stored for this source; add the source again \
                         with your handle and an app password (Bluesky → Settings → Privacy and \
                         security → App passwords)",
                    )),
                },
            }
        }
        ReplyApi::AppStoreConnect => match creds.secret(source_id, "private_key")? {
            Some(pem) => {
                let issuer =
                    setting(settings, &["issuer_id"]).ok_or_else(|| missing(api, "issuer id"))?;
                let key_id =
                    setting(settings, &["key_id"]).ok_or_else(|| missing(api, "key id"))?;
                let jwt = crate::sources::app_store_connect::sign(
                    issuer,
                    key_id,
                    pem.expose(),
                    chrono::Utc::now(),
                )
                .map_err(|e| fail(format!("App Store Connect: {e}")))?;
                Ok(Auth::bearer(Secret::new(jwt)))
            }
            None => creds
                .bearer_token(source_id, connector)?
                .map(Auth::bearer)
                .ok_or_else(|| none_stored(api)),
        },
        ReplyApi::GoogleBusiness => match creds.bearer_token(source_id, connector)? {
            Some(token) => Ok(Auth::bearer(token)),
            // Signed in, but no access token kept yet (or the keyring lost it): renew now.
            None => renew_google(http, creds, source_id, settings)
                .await
                .map(Auth::bearer),
        },
        _ => creds
            .bearer_token(source_id, connector)?
            .map(Auth::bearer)
            .ok_or_else(|| none_stored(api)),
    }
}

/// Logs in to Bluesky with an app password: the session's `accessJwt` and DID.
async fn bluesky_session(
    http: &reqwest::Client,
    base: &str,
    handle: &str,
    password: &Secret,
) -> Result<Auth> {
    let url = format!(
        "{}/xrpc/com.atproto.server.createSession",
        base.trim_end_matches('/')
    );
    let body = json!({ "identifier": handle, "password": password.expose() });
    let answer = send_for_json(http, Method::POST, &url, |r| r.json(&body), password)
        .await
        .map_err(|e| {
            fail(format!(
                "Bluesky did not log in: {e}; check the handle, and use an app password, not the \
                 account password"
            ))
        })?;
    let text = |k: &str| {
        answer
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let token = text("accessJwt").ok_or_else(|| fail("Bluesky's login answer had no token"))?;
    Ok(Auth {
        token: Secret::new(token),
        account: text("did").or_else(|| Some(handle.to_string())),
    })
}

/// Trades the source's Google refresh token for a new access token and keeps it for the next
/// post. Errors say how to sign in again.
pub async fn renew_google<C: ReplyCredentials>(
    http: &reqwest::Client,
    creds: &C,
    source_id: SourceId,
    settings: &Value,
) -> Result<Secret> {
    let again = format!(
        "sign in to Google again (Sources → Sign in with Google, or `earshot sources auth \
         {source_id}`)"
    );
    let refresh = creds.secret(source_id, "refresh_token")?.ok_or_else(|| {
        fail(format!(
            "the Google sign-in has expired and cannot be renewed; {again}"
        ))
    })?;
    let client_id = setting(settings, &["client_id"])
        .ok_or_else(|| missing(ReplyApi::GoogleBusiness, "OAuth client id"))?;
    let client_secret = creds.secret(source_id, "client_secret")?.ok_or_else(|| {
        fail(format!(
            "no OAuth client secret is stored for the Google source; add it again, then {again}"
        ))
    })?;
    let url = token_url(settings);
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.expose()),
        ("client_id", client_id),
        ("client_secret", client_secret.expose()),
    ];
    let hidden = Secret::new(format!("{}\n{}", refresh.expose(), client_secret.expose()));
    let answer = send_for_json(http, Method::POST, &url, |r| r.form(&form), &hidden)
        .await
        .map_err(|e| fail(format!("Google did not renew the sign-in ({e}); {again}")))?;
    let token = answer
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(Secret::new)
        .ok_or_else(|| fail(format!("Google's answer had no access token; {again}")))?;
    creds.keep(source_id, "access_token", &token);
    Ok(token)
}

/// The Google token endpoint for a source: its `token_url`, else its `base_url`'s `/token`, else
/// Google's.
pub fn token_url(settings: &Value) -> String {
    match (
        setting(settings, &["token_url"]),
        setting(settings, &["base_url"]),
    ) {
        (Some(u), _) => u.to_string(),
        (None, Some(b)) => format!("{}/token", b.trim_end_matches('/')),
        (None, None) => GOOGLE_TOKEN_URL.to_string(),
    }
}

/// One request whose answer is JSON; a refusal is the platform's reason with `secret` (and each
/// of its lines) hidden.
async fn send_for_json(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    secret: &Secret,
) -> std::result::Result<Value, String> {
    let hide: Vec<Secret> = secret.expose().lines().map(Secret::new).collect();
    let resp = build(http.request(method, url))
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    let status = resp.status().as_u16();
    let body = resp.text().await.map_err(|e| format!("no answer: {e}"))?;
    if !(200..300).contains(&status) {
        return Err(redact(&platform_reason(status, &body), &hide));
    }
    serde_json::from_str(&body).map_err(|_| format!("HTTP {status}: the answer was not JSON"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_endpoint_follows_the_source_like_the_sign_in_does() {
        assert_eq!(token_url(&json!({})), GOOGLE_TOKEN_URL);
        assert_eq!(
            token_url(&json!({"base_url": "http://127.0.0.1:9/"})),
            "http://127.0.0.1:9/token"
        );
        assert_eq!(
            token_url(&json!({"base_url": "http://a", "token_url": "http://b/t"})),
            "http://b/t"
        );
    }
}
