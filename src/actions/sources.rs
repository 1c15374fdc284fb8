//! Source actions: connect a platform, test it with one live request, remove it.

use std::time::Duration;

use serde::Serialize;

use crate::model::SourceId;
use crate::platforms::http::{Http, HttpConfig};
use crate::secrets::SecretStore;
use crate::sources::{self, Settings};
use crate::store::{Source, Store};

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
