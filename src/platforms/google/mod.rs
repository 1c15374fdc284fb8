//! Google: four platforms (Business Profile, Places, Play and YouTube) and what they share: one
//! token helper, used to read and to reply alike, and the installed-app sign-in ([`sign_in`]).
//!
//! Business Profile trades the owner's refresh token for an access token; Play signs a
//! service-account assertion; both post the form to the same token endpoint, resolved the same
//! way for the connector, the outbox and the sign-in ([`token_url`]).

pub mod business;
mod maps_takeout;
pub mod places;
pub mod play;
pub mod play_export;
pub mod sign_in;
pub mod takeout;
pub mod youtube;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use crate::platforms::http::{Http, Pace, Refusal};
use crate::secrets::Secret;
use crate::sources::{Result, SourceError};

/// Where Google's review pages are (Maps, Search, the short `g.page` links), for Business
/// Profile and Places alike: both show their reviews on the `google` platform.
pub(crate) const REVIEW_HOSTS: crate::platforms::LinkHosts =
    crate::platforms::LinkHosts::Only(&["google.com", "google.*", "g.page", "goo.gl", "g.co"]);

/// Google's OAuth token endpoint.
pub(crate) const TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

/// The `token_url` setting ([`token_url`]) of the sources that get tokens from Google (Business
/// Profile, Play).
pub(crate) const TOKEN_URL_SETTING: crate::platforms::SettingSpec = crate::platforms::s(
    "token_url",
    "Token address",
    "Where access tokens come from; change only for a proxy or a test server. Default: \
     https://oauth2.googleapis.com/token.",
    false,
    false,
);

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
    creds: &dyn crate::secrets::ReplyCredentials,
    source_id: crate::model::SourceId,
    settings: &Value,
) -> crate::replies::Result<Secret> {
    use crate::platforms::{missing, oauth, setting, stored_secret};
    use crate::replies::ReplyError;
    let fail = |m: String| ReplyError::Outbox(m);
    let again = format!(
        "sign in to Google again (Review sites → Sign in with Google, or `earshot sources auth \
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

/// A wrong API key is a 400 from Google ("API key not valid"), but it is a refused credential,
/// not a refused request: the owner has to fix the key. Places and YouTube read with a key.
pub(crate) fn bad_key_is_auth(e: SourceError) -> SourceError {
    match e {
        SourceError::Rejected {
            status: 400,
            detail,
        } if detail.to_lowercase().contains("api key") => SourceError::Auth {
            status: 400,
            detail,
        },
        other => other,
    }
}

/// Google's quota refusals (YouTube, Play, Business Profile), a 403 naming its reason: a spent
/// daily quota (`quotaExceeded`, `dailyLimitExceeded`) resets at midnight Pacific time; a
/// short-term `rateLimitExceeded` (too many requests a minute) passes in minutes, so it pauses
/// the source for [`SHORT_BACKOFF_MINUTES`], not the day.
pub(crate) fn daily_quota(status: u16, body: &Value) -> Option<Refusal> {
    if status != 403 {
        return None;
    }
    let reasons: Vec<&str> = body
        .pointer("/error/errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("reason").and_then(Value::as_str))
        .collect();
    if reasons.iter().any(|r| QUOTA_REASONS.contains(r)) {
        return Some(Refusal::QuotaSpent {
            resets_at: next_pacific_midnight,
            resets: "Google's daily quota is used up; it resets at midnight Pacific time",
        });
    }
    reasons
        .iter()
        .any(|r| SHORT_REASONS.contains(r))
        .then_some(Refusal::QuotaSpent {
            resets_at: after_short_backoff,
            resets: "Google asks Earshot to slow down; it tries again in a few minutes",
        })
}

/// The reasons Google gives for a spent daily quota.
const QUOTA_REASONS: &[&str] = &["quotaExceeded", "dailyLimitExceeded"];

/// The reasons Google gives for a short-term limit (requests per minute or per user).
const SHORT_REASONS: &[&str] = &["rateLimitExceeded", "userRateLimitExceeded"];

/// Minutes a short-term limit pauses a source.
pub(crate) const SHORT_BACKOFF_MINUTES: i64 = 5;

fn after_short_backoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::minutes(SHORT_BACKOFF_MINUTES)
}

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

/// Google's write-a-review form of a place, from a source's `place_id` setting (Places has it;
/// a Business Profile source can be given one): the link Google's own docs build for asking
/// customers, `https://search.google.com/local/writereview?placeid={place id}`. The Places API
/// reports the same form as `googleMapsLinks.writeAReviewUri`, and a Business Profile location
/// as `metadata.newReviewUri`.
pub(crate) fn write_review_link(settings: &Value) -> Option<String> {
    let place = crate::platforms::setting(settings, &["place_id"])?;
    crate::platforms::link_with(
        "https://search.google.com/local/writereview",
        &[],
        &[("placeid", place.trim())],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shapes from YouTube Data API "Errors" (developers.google.com/youtube/v3/docs/errors):
    /// `quotaExceeded` and `rateLimitExceeded` are both 403s under `error.errors[].reason`.
    fn refusal_of(reason: &str) -> Option<Refusal> {
        let body = serde_json::json!({"error": {"code": 403, "message": "m",
            "errors": [{"domain": "youtube.quota", "reason": reason}]}});
        daily_quota(403, &body)
    }

    #[test]
    fn a_short_term_rate_limit_pauses_minutes_and_only_a_spent_quota_waits_for_pacific_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap();
        let Some(Refusal::QuotaSpent { resets_at, .. }) = refusal_of("rateLimitExceeded") else {
            panic!("rateLimitExceeded is a refusal");
        };
        assert_eq!(resets_at(now), now + chrono::Duration::minutes(5));
        let Some(Refusal::QuotaSpent { resets_at, .. }) = refusal_of("quotaExceeded") else {
            panic!("quotaExceeded is a refusal");
        };
        // 10:00 UTC is 02:00 in Los Angeles (PST): the next midnight is 08:00 UTC next day.
        assert_eq!(
            resets_at(now),
            Utc.with_ymd_and_hms(2026, 12, 8, 8, 0, 0).unwrap()
        );
        assert!(refusal_of("forbidden").is_none());
    }

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
