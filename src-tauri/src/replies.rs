//! Commands of the Review screen and its reply composer: each is one call into `earshot::replies`
//! or `earshot::actions` (the same functions `earshot reply …` calls).

use earshot::actions::{self, AiEndpoint, ReplyCreds};
use earshot::model::replies::{Reply, ReplyTemplate};
use earshot::model::{ReviewId, Revision};
use earshot::replies::coach::Warning;
use earshot::replies::outbox::{self, OutboxConfig};
use earshot::replies::{self, Composer, CopyAndOpen};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use crate::error::UiResult;
use crate::events::REVIEWS_CHANGED;
use earshot::store::{ReplyStore, RequestStore};

use crate::state::{with_db, AppState};

/// The Review screen in one round trip: the composer's view, the revisions and the templates.
#[derive(Debug, Serialize)]
pub struct ReviewDetail {
    #[serde(flatten)]
    pub composer: Composer,
    pub revisions: Vec<Revision>,
    pub templates: Vec<ReplyTemplate>,
    /// Whether the owner turned AI drafts on (the composer then offers "Draft with AI").
    pub ai_enabled: bool,
    /// Whether the platform lets a posted reply be deleted through its API.
    pub can_delete: bool,
    /// Whether the platform lets a posted reply's text be changed through its API.
    pub can_edit: bool,
    /// The customer asked to update the review, and whether it changed since (issue 29).
    pub follow_up: Option<earshot::replies::follow_up::FollowUpStatus>,
}

#[tauri::command]
pub async fn review_detail(state: State<'_, AppState>, review: ReviewId) -> UiResult<ReviewDetail> {
    with_db(&state, move |db| {
        let composer = actions::team_composer::composer_of(db, review)?;
        // Opening a review is reading it.
        db.mark_read(review)?;
        let (connector, _) = db.review_source_settings(review)?;
        let api = outbox::replier(&connector);
        Ok(ReviewDetail {
            can_delete: api.is_some_and(|a| a.can_delete()),
            can_edit: api.is_some_and(outbox::can_edit),
            ai_enabled: replies::ai_settings(db)?.enabled,
            revisions: db.revisions(review)?,
            follow_up: actions::win_back::follow_up_status(db, review)?,
            templates: replies::list_templates(db)?,
            composer,
        })
    })
    .await
}

/// The coach's warnings for the draft as typed.
#[tauri::command]
pub async fn check_reply(
    state: State<'_, AppState>,
    review: ReviewId,
    text: String,
    ai_draft: Option<String>,
) -> UiResult<Vec<Warning>> {
    with_db(&state, move |db| {
        Ok(replies::check_draft_from(
            db,
            review,
            &text,
            ai_draft.as_deref(),
        )?)
    })
    .await
}

/// Saves the draft (an empty text discards it).
#[tauri::command]
pub async fn save_reply_draft(
    state: State<'_, AppState>,
    review: ReviewId,
    text: String,
) -> UiResult<Option<Reply>> {
    with_db(&state, move |db| {
        Ok(replies::save_draft(db, review, &text)?)
    })
    .await
}

/// A template filled in for this review; the UI puts it in the draft for the owner to edit.
#[tauri::command]
pub async fn fill_template(
    state: State<'_, AppState>,
    review: ReviewId,
    template: String,
) -> UiResult<String> {
    with_db(&state, move |db| {
        Ok(replies::draft_from_template(db, review, Some(&template))?.1)
    })
    .await
}

/// Posts the saved draft through the platform's API (the outbox: at most once, retried on 5xx).
#[tauri::command]
pub async fn post_reply(
    app: AppHandle,
    state: State<'_, AppState>,
    review: ReviewId,
    key: Option<String>,
) -> UiResult<Reply> {
    // The outbox borrows the store across its awaits, so it runs to completion here on the
    // blocking pool rather than on the async runtime's workers.
    let reply = with_db(&state, move |db| {
        let secrets = db.secrets()?;
        let creds = ReplyCreds::stored(secrets.as_ref());
        let post = actions::post_reply(db, &creds, OutboxConfig::default(), review, key.as_deref());
        Ok(tauri::async_runtime::block_on(post)?)
    })
    .await?;
    app.emit(REVIEWS_CHANGED, ())?;
    Ok(reply)
}

/// Deletes the posted reply on the platform (where its API allows) and records it deleted.
#[tauri::command]
pub async fn delete_reply(
    app: AppHandle,
    state: State<'_, AppState>,
    review: ReviewId,
) -> UiResult<Reply> {
    let reply = with_db(&state, move |db| {
        let secrets = db.secrets()?;
        let creds = ReplyCreds::stored(secrets.as_ref());
        let delete = actions::delete_reply(db, &creds, OutboxConfig::default(), review);
        Ok(tauri::async_runtime::block_on(delete)?)
    })
    .await?;
    app.emit(REVIEWS_CHANGED, ())?;
    Ok(reply)
}

/// Changes the text of the reply posted from Earshot (where the platform's API allows), through
/// the outbox: recorded first, sent once, the earlier text kept in the reply's history.
#[tauri::command]
pub async fn edit_reply(
    app: AppHandle,
    state: State<'_, AppState>,
    review: ReviewId,
    text: String,
    key: Option<String>,
) -> UiResult<Reply> {
    let reply = with_db(&state, move |db| {
        let secrets = db.secrets()?;
        let creds = ReplyCreds::stored(secrets.as_ref());
        let config = OutboxConfig::default();
        let edit = actions::edit_reply(db, &creds, config, review, &text, key.as_deref());
        Ok(tauri::async_runtime::block_on(edit)?)
    })
    .await;
    // A refused edit changes the thread too (the reason, the text back in the draft).
    app.emit(REVIEWS_CHANGED, ())?;
    reply
}

/// The draft's text and the review's page, for platforms without a reply API.
#[tauri::command]
pub async fn copy_reply(state: State<'_, AppState>, review: ReviewId) -> UiResult<CopyAndOpen> {
    with_db(&state, move |db| Ok(replies::copy_and_open(db, review)?)).await
}

/// Records a reply the owner posted by hand (the draft's text when none is given).
#[tauri::command]
pub async fn mark_replied(
    app: AppHandle,
    state: State<'_, AppState>,
    review: ReviewId,
    text: Option<String>,
) -> UiResult<Reply> {
    let reply = with_db(&state, move |db| {
        Ok(replies::mark_replied(db, review, text.as_deref())?)
    })
    .await?;
    app.emit(REVIEWS_CHANGED, ())?;
    Ok(reply)
}

/// A draft from the owner's AI endpoint (Settings → AI drafts; refused while they are off), for
/// the owner to edit. Nothing is saved or posted. The hosted endpoint's key comes from the OS
/// keyring.
#[tauri::command]
pub async fn ai_draft(state: State<'_, AppState>, review: ReviewId) -> UiResult<String> {
    with_db(&state, move |db| {
        let secrets = db.secrets()?;
        let draft = actions::ai_draft(db, secrets.as_ref(), review, AiEndpoint::Saved);
        Ok(tauri::async_runtime::block_on(draft)?.text)
    })
    .await
}
