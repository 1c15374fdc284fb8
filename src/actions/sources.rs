//! Source actions: connect a platform, test it with one live request, remove it, and sign it
//! in where the platform needs the owner: a browser consent, a code the owner pastes (Mastodon
//! before 4.3), or a login the owner types (Trustpilot's business user). The app and
//! `earshot sources auth` call these the same way; a password or a code is passed through to
//! the platform once and kept nowhere, the tokens it gives go to the secret store.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

use crate::model::SourceId;
use crate::platforms::http::{Http, HttpConfig};
use crate::platforms::oauth::SignIn;
use crate::secrets::{Secret, SecretStore};
use crate::sources::{self, Settings};
use crate::store::{Db, Source, Store};

use super::{ActionError, Result};

/// Connects `platform` to the business named `business` (created if new); secret settings go to
/// `secrets`, never the database. Returns the new source.
pub fn add_source(
    store: &Store,
    secrets: &dyn SecretStore,
    business: &str,
    platform: &str,
    label: Option<&str>,
    settings: &Settings,
) -> Result<Source> {
    let business = store.ensure_business(business)?;
    let id = sources::add_source(store, secrets, business.id, platform, label, settings)?;
    Ok(store.source(id)?)
}

/// [`add_source`] on either store (a team database keeps the settings, this computer the
/// secrets).
pub fn add_source_to(
    db: &Db,
    secrets: &dyn SecretStore,
    business: &str,
    platform: &str,
    label: Option<&str>,
    settings: &Settings,
) -> Result<Source> {
    let business = db.ensure_business(business)?;
    let id = sources::add_source_to(db, secrets, business.id, platform, label, settings)?;
    Ok(db.source(id)?)
}

/// What one live request to a source found.
#[derive(Debug, Clone, Serialize)]
pub struct TestOutcome {
    pub ok: bool,
    /// Items on the first page, when it worked.
    pub items: Option<usize>,
    /// What is wrong, in plain words.
    pub error: Option<String>,
    pub error_code: Option<&'static str>,
}

/// Makes one request to `source` (no retry, nothing stored) and says what is wrong, if anything.
/// Takes the source already read, so the future holds no store and runs on any runtime.
pub async fn test_source(
    source: &Source,
    secrets: &dyn SecretStore,
    timeout: Option<Duration>,
) -> Result<TestOutcome> {
    let defaults = HttpConfig::default();
    let http = Http::new(HttpConfig {
        timeout: timeout.unwrap_or(defaults.timeout),
        max_attempts: 1,
        ..defaults
    })
    .map_err(|e| ActionError::Http(e.to_string()))?;
    Ok(match sources::test_source(source, secrets, &http).await {
        Ok(n) => TestOutcome {
            ok: true,
            items: Some(n),
            error: None,
            error_code: None,
        },
        Err(e) => TestOutcome {
            ok: false,
            items: None,
            error: Some(e.to_string()),
            error_code: Some(e.code()),
        },
    })
}

/// A removed source, and why its credentials may have stayed behind.
#[derive(Debug, Clone)]
pub struct Removed {
    pub source: Source,
    /// Set when the keyring could not be reached to delete the credentials.
    pub secrets_warning: Option<String>,
}

/// Removes a source, the items it brought in and its stored credentials.
pub fn remove_source(store: &Store, secrets: &dyn SecretStore, id: SourceId) -> Result<Removed> {
    let source = store.source(id)?;
    store.remove_source(id)?;
    // A keyring that cannot be reached leaves nothing else behind.
    let secrets_warning = secrets
        .delete_all(id, &crate::platforms::secret_keys())
        .err()
        .map(|e| e.to_string());
    Ok(Removed {
        source,
        secrets_warning,
    })
}

/// [`remove_source`] on either store; the credentials go from this computer only (another
/// seat of a team keeps its own copy until it removes it).
pub fn remove_source_from(db: &Db, secrets: &dyn SecretStore, id: SourceId) -> Result<Removed> {
    let source = db.source(id)?;
    db.remove_source(id)?;
    let secrets_warning = secrets
        .delete_all(id, &crate::platforms::secret_keys())
        .err()
        .map(|e| e.to_string());
    Ok(Removed {
        source,
        secrets_warning,
    })
}

/// Signs source `id` in with the login and password the owner typed, where that is its
/// platform's way in ([`crate::platforms::Platform::password_sign_in`]): the password goes to
/// the platform once and is kept nowhere; the tokens it gives go to `secrets`.
pub fn sign_in_with_password(
    store: &impl crate::platforms::SourceLookup,
    secrets: &dyn SecretStore,
    id: SourceId,
    username: &str,
    password: &Secret,
) -> Result<()> {
    let source = store.source(id)?;
    let platform = crate::platforms::find(&source.connector).ok_or_else(|| {
        sources::SourceError::Config(format!(
            "source {id} has the unknown connector `{}`",
            source.connector
        ))
    })?;
    if username.trim().is_empty() || password.expose().is_empty() {
        return Err(sources::SourceError::Config(format!(
            "give the login e-mail and password of a {} business user",
            source.label
        ))
        .into());
    }
    match platform.password_sign_in(store, secrets, id, username.trim(), password) {
        Some(done) => Ok(done?),
        None => Err(sources::SourceError::Config(format!(
            "{} ({}) does not sign in with a password; use its Sign in button or `earshot \
             sources auth {id}`",
            source.label,
            platform.spec().label
        ))
        .into()),
    }
}

/// How a browser sign-in goes on once its consent page is open.
#[derive(Debug, Clone, Serialize)]
pub struct SignInStarted {
    pub source_id: SourceId,
    /// The platform's consent page, to open in the owner's browser.
    pub consent_url: String,
    /// The platform shows a code for the owner to paste back ([`PendingSignIns::finish_with_code`])
    /// rather than sending the browser back to Earshot.
    pub needs_code: bool,
}

/// Sign-ins waiting for the code the owner pastes, by source: the app keeps one of these
/// between the Sign in button and the code field. Only the newest sign-in of a source waits.
#[derive(Default)]
pub struct PendingSignIns(Mutex<BTreeMap<SourceId, SignIn>>);

impl PendingSignIns {
    /// Finishes the waiting sign-in of source `id` with the code the owner pasted; the tokens go
    /// to `secrets`, the code nowhere.
    pub fn finish_with_code(
        &self,
        secrets: &dyn SecretStore,
        id: SourceId,
        code: &str,
    ) -> Result<()> {
        let pending = self
            .0
            .lock()
            .map_err(|_| ActionError::Runtime("the sign-in list was poisoned".into()))?
            .remove(&id)
            .ok_or_else(|| {
                sources::SourceError::Config(format!(
                    "no sign-in of source {id} waits for a code; press Sign in again"
                ))
            })?;
        Ok(pending.finish_with_code(secrets, code)?)
    }

    fn keep(&self, sign_in: SignIn) -> Result<()> {
        self.0
            .lock()
            .map_err(|_| ActionError::Runtime("the sign-in list was poisoned".into()))?
            .insert(sign_in.source_id, sign_in);
        Ok(())
    }
}

/// Starts the browser sign-in of source `id` ([`crate::platforms::sign_in`]). A sign-in whose
/// platform shows a code to paste waits in `pending` (no [`SignIn`] is returned: the owner's
/// code finishes it); one that comes back to Earshot's loopback address is returned, to be
/// finished with [`SignIn::finish`] (blocking: off the UI thread).
pub fn begin_sign_in(
    store: &(impl crate::platforms::SourceLookup + ?Sized),
    secrets: &dyn SecretStore,
    pending: &PendingSignIns,
    id: SourceId,
) -> Result<(SignInStarted, Option<SignIn>)> {
    let sign_in = crate::platforms::sign_in(store, secrets, id)?;
    let started = SignInStarted {
        source_id: id,
        consent_url: sign_in.consent_url.clone(),
        needs_code: sign_in.out_of_band(),
    };
    if started.needs_code {
        pending.keep(sign_in)?;
        Ok((started, None))
    } else {
        Ok((started, Some(sign_in)))
    }
}
