//! Commands of Settings' "Where alerts reach you" card: list, add, test and remove the alert
//! channels (e-mail, webhook, ntfy). Each calls the same `earshot::channels` function the CLI
//! calls. Sending runs on the blocking pool with a runtime of its own: the store is not `Sync`,
//! so a send that holds it cannot run on Tauri's shared runtime.

use earshot::channels::{self, Channel, ChannelId, ChannelSpec};
use earshot::secrets::Secret;
use tauri::State;

use crate::error::{UiError, UiResult};
use crate::state::{with_db, AppState};
use earshot::store::ChannelStore;

/// Every channel with what it sent, what waits and its last error.
#[tauri::command]
pub async fn list_alert_channels(state: State<'_, AppState>) -> UiResult<Vec<Channel>> {
    with_db(&state, |store| Ok(store.alert_channels()?)).await
}

/// Adds a channel; an e-mail password goes to the keyring, never the database.
#[tauri::command]
pub async fn add_alert_channel(
    state: State<'_, AppState>,
    spec: ChannelSpec,
    password: Option<String>,
) -> UiResult<Channel> {
    let password = password.filter(|p| !p.is_empty()).map(Secret::new);
    with_db(&state, move |store| {
        let secrets = store.secrets()?;
        Ok(channels::add_channel(
            store,
            secrets.as_ref(),
            &spec,
            password.as_ref(),
            chrono::Utc::now(),
        )?)
    })
    .await
}

/// Sends a test message to a channel now.
#[tauri::command]
pub async fn test_alert_channel(state: State<'_, AppState>, id: ChannelId) -> UiResult<()> {
    with_db(&state, move |store| {
        let secrets = store.secrets()?;
        let http = channels::http_client()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| UiError::new("internal", format!("cannot start a runtime: {e}")))?;
        Ok(rt.block_on(channels::test_channel(store, secrets.as_ref(), &http, id))?)
    })
    .await
}

/// Confirms a channel a restore changed (it sends elsewhere than the replaced database's did):
/// alerts go to it again.
#[tauri::command]
pub async fn confirm_alert_channel(state: State<'_, AppState>, id: ChannelId) -> UiResult<()> {
    with_db(&state, move |store| {
        Ok(channels::confirm_channel(store, id)?)
    })
    .await
}

/// Removes a channel, its deliveries and its password.
#[tauri::command]
pub async fn remove_alert_channel(state: State<'_, AppState>, id: ChannelId) -> UiResult<()> {
    with_db(&state, move |store| {
        let secrets = store.secrets()?;
        Ok(channels::remove_channel(store, secrets.as_ref(), id)?)
    })
    .await
}
