//! Google: four platforms (Business Profile, Places, Play and YouTube) and what they share: one
//! token helper, used to read and to reply alike, and the installed-app sign-in ([`sign_in`]).
//!
//! Business Profile trades the owner's refresh token for an access token; Play signs a
//! service-account assertion; both post the form to the same token endpoint, resolved the same
//! way for the connector, the outbox and the sign-in ([`token_url`]).

pub mod business;
pub mod places;
pub mod play;
pub mod sign_in;
pub mod youtube;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use crate::platforms::http::{Http, Pace, Refusal};
use crate::secrets::Secret;
use crate::sources::{Result, SourceError};

/// Google's OAuth token endpoint.
pub(crate) const TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

/// Where tokens come from: the `token_url` setting, else the overridden base's `/token` (one
/// test server or proxy serves both), else Google's endpoint.
pub(crate) fn token_url(token_url: Option<&str>, base_url: Option<&str>) -> String {
    match (token_url, base_url) {
        (Some(u), _) => u.to_string(),
        (None, Some(b)) => format!("{}/token", b.trim_end_matches('/')),
        (None, None) => TOKEN_URL.to_string(),
    }
}

/// Posts a form to Google's token endpoint and returns the access token: the one Google token
/// helper. Refusals become [`SourceError::Auth`] with `hint` saying what to do; nothing secret is
/// quoted by this function (callers hide what they sent from what Google echoes).
pub(crate) async fn token(
    http: &Http,
    pace: &Pace,
    url: &str,
    form: &[(&str, &str)],
    hint: &str,
) -> Result<Secret> {
    let reply = http
        .send(pace, |c| c.post(url).form(form))
        .await
        .map_err(|e| match e {
            SourceError::Rejected { status, detail } | SourceError::Auth { status, detail } => {
                SourceError::Auth {
                    status,
                    detail: format!("Google's sign-in answered \"{detail}\"; {hint}"),
                }
            }
            other => other,
        })?;
    let body: Value = reply.json()?;
    match body.get("access_token").and_then(Value::as_str) {
        Some(t) if !t.is_empty() => Ok(Secret::new(t)),
        _ => Err(SourceError::Auth {
            status: reply.status,
            detail: format!("Google's sign-in sent no access token; {hint}"),
        }),
    }
}

/// Trades the source's refresh token (from the installed-app sign-in) for a new access token,
/// and keeps it with its end for the next post: Business Profile and YouTube replies. Errors say
/// how to sign in again.
pub(crate) async fn renew_sign_in(
    spec: &crate::platforms::ConnectorSpec,
    http: &Http,
    creds: &dyn crate::replies::outbox::ReplyCredentials,
    source_id: crate::model::SourceId,
    settings: &Value,
) -> crate::replies::Result<Secret> {
    use crate::platforms::{missing, oauth, setting, stored_secret};
    use crate::replies::ReplyError;
    let fail = |m: String| ReplyError::Outbox(m);
    let again = format!(
        "sign in to Google again (Sources → Sign in with Google, or `earshot sources auth \
         {source_id}`)"
    );
    let refresh = stored_secret(creds, source_id, oauth::REFRESH)?.ok_or_else(|| {
        fail(format!(
            "the Google sign-in has expired and cannot be renewed; {again}"
        ))
    })?;
    let client_id =
        setting(settings, &["client_id"]).ok_or_else(|| missing(spec, "OAuth client id"))?;
    let client_secret = stored_secret(creds, source_id, "client_secret")?.ok_or_else(|| {
        fail(format!(
            "no OAuth client secret is stored for the {} source; add it again, then {again}",
            spec.label
        ))
    })?;
    let url = token_url(
        setting(settings, &["token_url"]),
        setting(settings, &["base_url"]),
    );
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.expose()),
        ("client_id", client_id),
        ("client_secret", client_secret.expose()),
    ];
    let tokens = oauth::request(http, &url, &form, None, "Google", &again)
        .await
        .map_err(|e| {
            let e = e.redacted(&[refresh.clone(), client_secret.clone()]);
            fail(format!("Google did not renew the sign-in: {e}"))
        })?;
    tokens.keep(creds, source_id);
    Ok(tokens.access)
}

/// Google's daily quotas (YouTube, Play, Business Profile): a 403 naming a spent quota,
/// which resets at midnight Pacific time.
pub(crate) fn daily_quota(status: u16, body: &Value) -> Option<Refusal> {
    if status != 403 {
        return None;
    }
    let reasons = body
        .pointer("/error/errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("reason").and_then(Value::as_str));
    reasons
        .into_iter()
        .any(|r| QUOTA_REASONS.contains(&r))
        .then_some(Refusal::QuotaSpent {
            resets_at: next_pacific_midnight,
            resets: "Google's daily quota is used up; it resets at midnight Pacific time",
        })
}

/// The reasons Google gives for a spent quota.
const QUOTA_REASONS: &[&str] = &["quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded"];

/// Midnight in Los Angeles after `now`: when Google's daily quotas reset.
fn next_pacific_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono_tz::America::Los_Angeles;
    let local = now.with_timezone(&Los_Angeles);
    let tomorrow = local.date_naive().succ_opt().unwrap_or(local.date_naive());
    Los_Angeles
        .from_local_datetime(&tomorrow.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now + chrono::Duration::hours(24))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_endpoint_follows_the_source_like_the_sign_in_does() {
        assert_eq!(token_url(None, None), TOKEN_URL);
        assert_eq!(
            token_url(None, Some("http://127.0.0.1:9/")),
            "http://127.0.0.1:9/token"
        );
        assert_eq!(
            token_url(Some("http://b/t"), Some("http://a")),
            "http://b/t"
        );
    }
}
