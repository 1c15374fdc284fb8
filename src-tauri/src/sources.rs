//! Commands of the Sources screen: the platforms and their settings, connect, test, remove, and
//! Sync now (queued to the background worker; progress arrives as `sync-progress` events).

use std::collections::BTreeMap;

use earshot::actions::{self, SignInStarted, TestOutcome};
use earshot::model::SourceId;
use earshot::store::{Db, Source};
use tauri::{Emitter, State};

use crate::error::{UiError, UiResult};
use crate::state::{on_blocking_pool, with_db, AppState, Background, Request};

/// Every platform with what it needs and how it signs in, for the Connect form.
#[tauri::command]
pub fn source_platforms() -> Vec<earshot::platforms::PlatformInfo> {
    earshot::platforms::infos()
}

/// Sign-ins waiting for the code the owner pastes, shared by the commands of one app.
pub type PendingSignIns = std::sync::Arc<actions::PendingSignIns>;

#[tauri::command]
pub async fn list_sources(state: State<'_, AppState>) -> UiResult<Vec<Source>> {
    with_db(&state, |db| Ok(db.sources()?)).await
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
    let source = with_db(&state, move |db| {
        let secrets = db.secrets()?;
        let label = label.as_deref();
        let add =
            actions::add_source_to(db, secrets.as_ref(), &business, &platform, label, &settings);
        Ok(add?)
    })
    .await?;
    // A new source syncs at once: the owner wants to see it work.
    background.request(Request::SyncNow(Some(vec![source.id])));
    Ok(source)
}

#[tauri::command]
pub async fn remove_source(state: State<'_, AppState>, id: SourceId) -> UiResult<()> {
    with_db(&state, move |db| {
        // A keyring that cannot be reached leaves the credentials behind, and nothing else.
        actions::remove_source_from(db, db.secrets()?.as_ref(), id)?;
        Ok(())
    })
    .await
}

/// One live request, nothing stored: says what is wrong in plain words.
#[tauri::command]
pub async fn test_source(state: State<'_, AppState>, id: SourceId) -> UiResult<TestOutcome> {
    let (source, secrets) = with_db(&state, move |db| Ok((db.source(id)?, db.secrets()?))).await?;
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

/// Signs a source in through the browser (Google, YouTube, X, Mastodon): opens the platform's
/// consent page in the owner's browser. Where the browser comes back to Earshot it waits (up to
/// five minutes) for the answer; where the platform shows a code instead (Mastodon before 4.3)
/// it returns `needs_code` and [`sign_in_with_code`] finishes. Tokens go to the OS keyring; then
/// the source syncs.
#[tauri::command]
pub async fn google_sign_in(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    pending: State<'_, PendingSignIns>,
    background: State<'_, Background>,
    id: SourceId,
) -> UiResult<SignInStarted> {
    use tauri_plugin_opener::OpenerExt;
    // A sign-in finished in the browser after the window closed must still reach the keyring.
    let _busy = state.activity.begin();
    // The tokens go to this seat's keyring entries of the database open now: on a team
    // database they are named by its identity and the source id is the team's, so this seat
    // syncs the source it signed in.
    let location = state.location();
    let pending = pending.inner().clone();
    let (started, waiting) = on_blocking_pool({
        let location = location.clone();
        move || {
            let db = Db::open(&location)?;
            Ok::<_, UiError>(actions::begin_sign_in(
                &db,
                db.secrets()?.as_ref(),
                &pending,
                id,
            )?)
        }
    })
    .await??;
    // The window shows the address too, for when no browser opens (and for copying it).
    app.emit(SIGN_IN_URL, &started.consent_url)?;
    let _ = app
        .opener()
        .open_url(started.consent_url.clone(), None::<&str>);
    let Some(sign_in) = waiting else {
        return Ok(started);
    };
    on_blocking_pool(move || {
        sign_in
            .finish(Db::open(&location)?.secrets()?.as_ref(), SIGN_IN_WAIT)
            .map_err(|e| UiError::new(e.code(), e.to_string()))
    })
    .await??;
    background.request(Request::SyncNow(Some(vec![id])));
    Ok(started)
}

/// Finishes a sign-in whose platform showed the owner a code to paste (Mastodon before 4.3):
/// the code is traded for tokens once and kept nowhere; the tokens go to the OS keyring.
#[tauri::command]
pub async fn sign_in_with_code(
    state: State<'_, AppState>,
    pending: State<'_, PendingSignIns>,
    background: State<'_, Background>,
    id: SourceId,
    code: String,
) -> UiResult<()> {
    let pending = pending.inner().clone();
    with_db(&state, move |db| {
        Ok(pending.finish_with_code(db.secrets()?.as_ref(), id, &code)?)
    })
    .await?;
    background.request(Request::SyncNow(Some(vec![id])));
    Ok(())
}

/// Signs a source in with the login and password the owner typed (Trustpilot's business user):
/// the password goes to the platform once and is kept nowhere, never in the database.
#[tauri::command]
pub async fn sign_in_with_password(
    state: State<'_, AppState>,
    id: SourceId,
    username: String,
    password: String,
) -> UiResult<()> {
    let password = earshot::secrets::Secret::new(password);
    with_db(&state, move |db| {
        Ok(actions::sign_in_with_password(
            &*db,
            db.secrets()?.as_ref(),
            id,
            &username,
            &password,
        )?)
    })
    .await
}

/// The owner confirms a source's addresses after a restore changed them (`id`), or the AI
/// endpoint's (`ai`): their credentials are used again (`earshot sources confirm`).
#[tauri::command]
pub async fn confirm_source(
    state: State<'_, AppState>,
    id: Option<SourceId>,
    ai: bool,
) -> UiResult<()> {
    with_db(&state, move |db| {
        if let Some(id) = id {
            db.confirm_source(id)?;
        }
        if ai {
            db.confirm_settings()?;
        }
        Ok(())
    })
    .await
}
