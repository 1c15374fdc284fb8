//! Commands of the owner's own topics (issue 27): list, save (add or change) and remove, each
//! the same `earshot::actions` function `earshot topics` calls. Saving re-tags the business's
//! reviews, with progress on a channel, and tells the views the figures changed.

use earshot::actions::{self, TopicChange};
use earshot::model::BusinessId;
use earshot::store::{OwnerTopic, TopicId};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, State};

use crate::error::UiResult;
use crate::events::REVIEWS_CHANGED;
use crate::state::{with_db, AppState};

/// Reviews tagged so far, of all the business's reviews.
#[derive(Debug, Clone, Serialize)]
pub struct TaggingProgress {
    pub done: u64,
    pub total: u64,
}

/// The owner's topics, of one business or of all.
#[derive(Debug, Clone, Serialize)]
pub struct TopicList {
    pub topics: Vec<OwnerTopic>,
}

#[tauri::command]
pub async fn list_topics(
    state: State<'_, AppState>,
    business: Option<BusinessId>,
) -> UiResult<TopicList> {
    with_db(&state, move |store| {
        Ok(TopicList {
            topics: actions::list_topics(store, business)?,
        })
    })
    .await
}

/// Adds a topic (no `id`) or changes one; `words` as the owner typed them, comma-separated.
#[tauri::command]
pub async fn save_topic(
    app: AppHandle,
    state: State<'_, AppState>,
    business: BusinessId,
    id: Option<TopicId>,
    name: String,
    words: String,
    on_progress: Channel<TaggingProgress>,
) -> UiResult<TopicChange> {
    let change = with_db(&state, move |store| {
        // A closed channel (the window went away) must not stop the tagging.
        let mut progress = |done, total| {
            let _ = on_progress.send(TaggingProgress { done, total });
        };
        Ok(actions::save_topic(
            store,
            business,
            id,
            &name,
            &words,
            &mut progress,
        )?)
    })
    .await?;
    app.emit(REVIEWS_CHANGED, ())?;
    Ok(change)
}

#[tauri::command]
pub async fn remove_topic(
    app: AppHandle,
    state: State<'_, AppState>,
    id: TopicId,
) -> UiResult<TopicChange> {
    let change = with_db(&state, move |store| {
        Ok(actions::remove_topic(store, id, &mut |_, _| {})?)
    })
    .await?;
    app.emit(REVIEWS_CHANGED, ())?;
    Ok(change)
}
