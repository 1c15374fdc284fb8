//! Google's OAuth flow for installed apps (RFC 8252) for Google Business Profile and YouTube
//! sources: PKCE (RFC 7636) and a loopback redirect to 127.0.0.1 on a random port, through the
//! common sign-in machinery ([`crate::platforms::oauth`]). [`start`] prepares the consent address
//! and listens; the caller shows or opens it; [`SignIn::finish`] waits for the browser's answer,
//! trades the code for tokens and keeps the refresh token in the secret store (never the
//! database). The CLI (`earshot sources auth`) and the app's Sources screen share it; `start`
//! also starts the sign-in of any other platform that has one ([`crate::platforms::sign_in`]).

use crate::platforms::oauth::{self, Flow, Redirect};
use crate::secrets::SecretStore;
use crate::sources::{settings_of, Result, SourceError};
use crate::store::Source;

use crate::platforms::oauth::SignIn;

/// Google's consent page; the source's `auth_url` (or its overridden base's `/auth`) wins.
const GOOGLE_AUTH_URL: &str = "https://accounts.google.com/o/oauth2/v2/auth";
/// Reading and answering Business Profile reviews.
pub const GBP_SCOPE: &str = "https://www.googleapis.com/auth/business.manage";
/// Answering YouTube comments (`comments.insert`, `comments.update`, `comments.delete`).
pub const YOUTUBE_SCOPE: &str = "https://www.googleapis.com/auth/youtube.force-ssl";

fn config(msg: impl Into<String>) -> SourceError {
    SourceError::Config(msg.into())
}

/// Google's flow for a Business Profile or YouTube source: checks its OAuth client and builds
/// the flow.
pub(crate) fn flow(source: &Source, secrets: &dyn SecretStore) -> Result<Flow> {
    let id = source.id;
    let (scope, scope_refused) = match source.connector.as_str() {
        "youtube" => (
            YOUTUBE_SCOPE,
            "access to YouTube was not granted (its box was left unticked); sign in again and \
             allow it",
        ),
        _ => (
            GBP_SCOPE,
            "access to Business Profile was not granted (its box was left unticked); sign in \
             again and allow it",
        ),
    };
    let settings = settings_of(&source.settings);
    let setting = |k: &str| settings.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let client_id = setting("client_id")
        .ok_or_else(|| {
            config(format!(
                "source {id} has no client_id; set the OAuth client's id (an OAuth client of \
                 type \"Desktop app\"; see `earshot sources add {} --help`)",
                source.connector
            ))
        })?
        .to_string();
    let client_secret = secrets
        .get(id, "client_secret")
        .map_err(|e| SourceError::Secrets(e.to_string()))?
        .ok_or_else(|| {
            config(format!(
                "no client_secret is stored for source {id}; remove it and connect it again \
                 with the OAuth client's secret"
            ))
        })?;
    let base = setting("base_url").map(|b| b.trim_end_matches('/').to_string());
    let auth_url = setting("auth_url")
        .map(str::to_owned)
        .or_else(|| base.as_ref().map(|b| format!("{b}/auth")))
        .unwrap_or_else(|| GOOGLE_AUTH_URL.to_string());
    // Resolved as the connector and the outbox resolve it.
    let token_url = super::token_url(setting("token_url"), base.as_deref());
    Ok(Flow {
        who: "Google",
        auth_url,
        token_url,
        client_id,
        client_secret: Some(client_secret),
        scope: scope.to_string(),
        needs_scope: scope,
        scope_refused,
        redirect: Redirect::Loopback("http://127.0.0.1:0".into()),
        pkce: true,
        needs_refresh: Some(
            "Google sent no refresh token; remove Earshot's access at \
             https://myaccount.google.com/permissions and sign in again",
        ),
        extra: &[("access_type", "offline"), ("prompt", "consent")],
        hint: "check the source's client_id and client_secret (an OAuth client of type \
               \"Desktop app\") and try again"
            .into(),
    })
}

/// Starts Google's flow for `source`.
pub(crate) fn begin(source: &Source, secrets: &dyn SecretStore) -> Result<SignIn> {
    oauth::begin(source.id, source.label.clone(), flow(source, secrets)?)
}
