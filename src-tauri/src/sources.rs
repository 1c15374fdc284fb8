//! Commands of the Sources screen: the platforms and their settings, connect, test, remove, and
//! Sync now (queued to the background worker; progress arrives as `sync-progress` events).

use std::collections::BTreeMap;

use earshot::actions::{self, TestOutcome};
use earshot::model::SourceId;
use earshot::platforms::ConnectorSpec;
use earshot::store::{Source, Store};
use tauri::{Emitter, State};

use crate::error::{UiError, UiResult};
use crate::state::{on_blocking_pool, with_store, AppState, Background, Request};

/// Every platform with what it needs, for the Connect form.
#[tauri::command]
pub fn source_platforms() -> Vec<ConnectorSpec> {
    earshot::platforms::specs().to_vec()
}

#[tauri::command]
pub async fn list_sources(state: State<'_, AppState>) -> UiResult<Vec<Source>> {
    with_store(&state, |store| Ok(store.sources()?)).await
}

/// Connects a platform; secret settings go to the OS keyring. Returns the new source.
#[tauri::command]
pub async fn add_source(
    state: State<'_, AppState>,
    background: State<'_, Background>,
    business: String,
    platform: String,
    label: Option<String>,
    settings: BTreeMap<String, String>,
) -> UiResult<Source> {
    let source = with_store(&state, move |store| {
        let secrets = store.secrets()?;
        let label = label.as_deref();
        let add = actions::add_source(
            store,
            secrets.as_ref(),
            &business,
            &platform,
            label,
            &settings,
        );
        Ok(add?)
    })
    .await?;
    // A new source syncs at once: the owner wants to see it work.
    background.request(Request::SyncNow(Some(vec![source.id])));
    Ok(source)
}

#[tauri::command]
pub async fn remove_source(state: State<'_, AppState>, id: SourceId) -> UiResult<()> {
    with_store(&state, move |store| {
        // A keyring that cannot be reached leaves the credentials behind, and nothing else.
        actions::remove_source(store, store.secrets()?.as_ref(), id)?;
        Ok(())
    })
    .await
}

/// One live request, nothing stored: says what is wrong in plain words.
#[tauri::command]
pub async fn test_source(state: State<'_, AppState>, id: SourceId) -> UiResult<TestOutcome> {
    let (source, secrets) = with_store(&state, move |store| {
        Ok((store.source(id)?, store.secrets()?))
    })
    .await?;
    Ok(actions::test_source(&source, secrets.as_ref(), None).await?)
}

/// Queues a sync of these sources (all when none are given); returns at once.
#[tauri::command]
pub fn sync_now(background: State<'_, Background>, ids: Option<Vec<SourceId>>) {
    background.request(Request::SyncNow(ids));
}

/// The event carrying Google's consent address while a sign-in waits.
pub const SIGN_IN_URL: &str = "google-sign-in-url";

/// How long the app waits for the owner to finish signing in to Google in the browser.
const SIGN_IN_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Signs a Google Business Profile source in: opens Google's consent page in the owner's browser
/// and waits (up to five minutes) for the answer on the loopback address. The refresh token goes
/// to the OS keyring; then the source syncs.
#[tauri::command]
pub async fn google_sign_in(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    background: State<'_, Background>,
    id: SourceId,
) -> UiResult<()> {
    use tauri_plugin_opener::OpenerExt;
    // A sign-in finished in the browser after the window closed must still reach the keyring.
    let _busy = state.activity.begin();
    let path = state.db_path.clone();
    let sign_in = on_blocking_pool(move || {
        let store = Store::open(&path)?;
        earshot::platforms::sign_in(&store, store.secrets()?.as_ref(), id)
            .map_err(|e| UiError::new(e.code(), e.to_string()))
    })
    .await??;
    // The window shows the address too, for when no browser opens (and for copying it).
    app.emit(SIGN_IN_URL, &sign_in.consent_url)?;
    let _ = app
        .opener()
        .open_url(sign_in.consent_url.clone(), None::<&str>);
    let path = state.db_path.clone();
    on_blocking_pool(move || {
        sign_in
            .finish(Store::open(&path)?.secrets()?.as_ref(), SIGN_IN_WAIT)
            .map_err(|e| UiError::new(e.code(), e.to_string()))
    })
    .await??;
    background.request(Request::SyncNow(Some(vec![id])));
    Ok(())
}

/// The owner confirms a source's addresses after a restore changed them (`id`), or the AI
/// endpoint's (`ai`): their credentials are used again (`earshot sources confirm`).
#[tauri::command]
pub async fn confirm_source(
    state: State<'_, AppState>,
    id: Option<SourceId>,
    ai: bool,
) -> UiResult<()> {
    with_store(&state, move |store| {
        if let Some(id) = id {
            store.confirm_source(id)?;
        }
        if ai {
            store.confirm_settings()?;
        }
        Ok(())
    })
    .await
}
