//! OAuth tokens the reply half keeps between runs, common to the platforms that sign the owner
//! in (Google, X, Mastodon, Trustpilot): what a token endpoint answered, where each part is kept
//! (the secret store, never the database), and whether the kept access token is still fresh.
//!
//! An access token is kept as `access_token` with the time it stops working as
//! `access_token_expires_at` (Unix seconds). A token whose end is not known (kept by an older
//! Earshot, or by a platform that does not say) counts as stale where the platform can mint or
//! renew one, so a reply never goes out with a token older than its lifetime. A refresh token is
//! replaced by every newer one the platform sends (X rotates them), and kept otherwise.

use chrono::Utc;
use serde_json::Value;

use crate::model::SourceId;
use crate::platforms::http::{Http, Pace};
use crate::platforms::stored_secret;
use crate::replies::outbox::ReplyCredentials;
use crate::replies::{ReplyError, Result as ReplyResult};
use crate::secrets::{Secret, SecretStore};
use crate::sources::{Result, SourceError};

/// Where the kept access token's end is recorded.
pub(crate) const EXPIRES_AT: &str = "access_token_expires_at";
pub(crate) const ACCESS: &str = "access_token";
pub(crate) const REFRESH: &str = "refresh_token";

/// A token this close to its end is renewed before a reply rather than sent.
const MARGIN_SECS: i64 = 300;

/// What a token endpoint answered.
pub(crate) struct Tokens {
    pub access: Secret,
    pub refresh: Option<Secret>,
    /// Seconds the access token lives, where the platform says (a number, or Trustpilot's
    /// string `"359999"`).
    pub expires_in: Option<i64>,
    /// The scopes granted, space-separated, where the platform says.
    pub scope: Option<String>,
}

impl Tokens {
    /// Reads a token endpoint's JSON answer (RFC 6749 §5.1); `None` without an access token.
    pub(crate) fn from_json(v: &Value) -> Option<Tokens> {
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let expires_in = v.get("expires_in").and_then(|e| {
            e.as_i64()
                .or_else(|| e.as_str().and_then(|s| s.trim().parse().ok()))
        });
        Some(Tokens {
            access: Secret::new(text("access_token")?),
            refresh: text("refresh_token").map(Secret::new),
            expires_in,
            scope: text("scope").map(str::to_owned),
        })
    }

    /// Whether the granted scopes (when the platform lists them) include `scope`.
    pub(crate) fn grants(&self, scope: &str) -> bool {
        self.scope
            .as_deref()
            .is_none_or(|s| s.split([' ', ',']).any(|g| g == scope))
    }

    /// The secrets to keep: the access token, its end, and the refresh token when one came.
    pub(crate) fn entries(&self, now: i64) -> Vec<(&'static str, Secret)> {
        let mut out = vec![(ACCESS, self.access.clone())];
        if let Some(secs) = self.expires_in {
            out.push((EXPIRES_AT, Secret::new((now + secs).to_string())));
        }
        if let Some(r) = &self.refresh {
            out.push((REFRESH, r.clone()));
        }
        out
    }

    /// Keeps them for the outbox's next post.
    pub(crate) fn keep(&self, creds: &dyn ReplyCredentials, source_id: SourceId) {
        for (key, value) in self.entries(Utc::now().timestamp()) {
            creds.keep(source_id, key, &value);
        }
    }

    /// Keeps them in the secret store after a sign-in; the refresh token must be kept.
    pub(crate) fn store(&self, secrets: &dyn SecretStore, source_id: SourceId) -> Result<()> {
        if self.expires_in.is_none() {
            // A token without a stated end from an earlier sign-in must not outlive this one.
            let _ = secrets.delete(source_id, EXPIRES_AT);
        }
        for (key, value) in self.entries(Utc::now().timestamp()) {
            secrets
                .set(source_id, key, &value)
                .map_err(|e| SourceError::Secrets(format!("the sign-in could not be kept: {e}")))?;
        }
        Ok(())
    }
}

/// The kept access token while it has more than a few minutes left; `None` when there is none,
/// when it is spent, or when its end is unknown.
pub(crate) fn fresh(
    creds: &dyn ReplyCredentials,
    source_id: SourceId,
) -> ReplyResult<Option<Secret>> {
    let Some(end) = stored_secret(creds, source_id, EXPIRES_AT)?
        .and_then(|s| s.expose().trim().parse::<i64>().ok())
    else {
        return Ok(None);
    };
    if end - MARGIN_SECS <= Utc::now().timestamp() {
        return Ok(None);
    }
    stored_secret(creds, source_id, ACCESS)
}

/// Posts a form to a token endpoint (with HTTP Basic client authentication where `basic` is
/// given) and reads the tokens. Sent once: a code or a rotated refresh token works once.
/// Errors name `who` and say `hint`; nothing sent is quoted.
pub(crate) async fn request(
    http: &Http,
    url: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &Secret)>,
    who: &str,
    hint: &str,
) -> Result<Tokens> {
    let reply = http
        .send(&Pace::replies(), |c| {
            let c = c.post(url).form(form);
            match basic {
                Some((user, pass)) => c.basic_auth(user, Some(pass.expose())),
                None => c,
            }
        })
        .await
        .map_err(|e| match e {
            SourceError::Rejected { status, detail } | SourceError::Auth { status, detail } => {
                SourceError::Auth {
                    status,
                    detail: format!("{who}'s sign-in answered \"{detail}\"; {hint}"),
                }
            }
            other => other,
        })?;
    let body: Value = reply.json()?;
    Tokens::from_json(&body).ok_or_else(|| SourceError::Auth {
        status: reply.status,
        detail: format!("{who}'s sign-in sent no access token; {hint}"),
    })
}

/// A sign-in error in the outbox's words, with what was sent hidden.
pub(crate) fn reply_error(e: SourceError, sent: &[Secret], doing: &str) -> ReplyError {
    ReplyError::Outbox(format!("{doing}: {}", e.redacted(sent)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_token_answer_reads_numbers_strings_and_scopes() {
        let t = Tokens::from_json(&json!({"access_token": "a", "refresh_token": "r",
            "expires_in": "359999", "scope": "tweet.read tweet.write"}))
        .unwrap();
        assert_eq!(t.expires_in, Some(359_999));
        assert!(t.grants("tweet.write"));
        assert!(!t.grants("users.read"));
        let keys: Vec<_> = t.entries(10).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, [ACCESS, EXPIRES_AT, REFRESH]);
        assert!(Tokens::from_json(&json!({"error": "invalid_grant"})).is_none());
    }
}
