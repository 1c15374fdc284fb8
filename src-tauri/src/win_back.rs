//! Commands of "What works for you" and the review's "Ask them to update" (issue 29): each is one
//! call into `earshot::actions::win_back`, the functions `earshot replies …` calls.

use earshot::actions::win_back;
use earshot::insights::effect::Effect;
use earshot::model::{BusinessId, Review, ReviewId};
use earshot::replies::follow_up::{FollowUpAsk, FollowUpOutcome, FollowUpStatus};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use crate::error::{UiError, UiResult};
use crate::events::REVIEWS_CHANGED;
use crate::state::{with_db, AppState};
use earshot::store::AlertStore;

/// Recovered reviews sent with the view to draw as cards; the rest are links by id.
const SHOWN_RECOVERIES: usize = 30;

/// The view in one round trip: the figures, the recovered reviews to show, and the follow-ups.
#[derive(Debug, Serialize)]
pub struct EffectView {
    pub effect: Effect,
    pub reviews: Vec<Review>,
    pub follow_ups: Vec<FollowUpStatus>,
}

#[tauri::command]
pub async fn replies_effect(
    state: State<'_, AppState>,
    business: Option<BusinessId>,
    platform: Option<String>,
) -> UiResult<EffectView> {
    with_db(&state, move |store| {
        let id = match business {
            Some(id) => id,
            None => store
                .businesses()?
                .into_iter()
                .find(|b| !b.is_competitor)
                .map(|b| b.id)
                .ok_or_else(|| UiError::new("no_business", "There is no business yet."))?,
        };
        let effect = win_back::replies_effect(store, id, platform.as_deref())?;
        let mut reviews = Vec::new();
        for r in effect.recoveries.iter().take(SHOWN_RECOVERIES) {
            reviews.push(store.review(r.review_id)?);
            if let Some(later) = r.later_review_id {
                reviews.push(store.review(later)?);
            }
        }
        Ok(EffectView {
            follow_ups: win_back::follow_ups(store, Some(id))?,
            effect,
            reviews,
        })
    })
    .await
}

/// Asks the customer to update their review: sends the e-mail, or records the note the owner
/// sends by hand and, with `open_mail`, opens it in their mail app (a `mailto:` link).
#[tauri::command]
pub async fn follow_up(
    app: AppHandle,
    state: State<'_, AppState>,
    ask: FollowUpAsk,
    open_mail: Option<bool>,
) -> UiResult<FollowUpOutcome> {
    let out = with_db(&state, move |store| {
        let secrets = store.secrets()?;
        Ok(win_back::follow_up(
            store,
            secrets.as_ref(),
            &ask,
            chrono::Utc::now(),
        )?)
    })
    .await?;
    if open_mail.unwrap_or(false) && out.status == "prepared" {
        use tauri_plugin_opener::OpenerExt;
        app.opener()
            .open_url(out.mailto.as_str(), None::<&str>)
            .map_err(|e| UiError::new("open_failed", format!("The mail app did not open: {e}")))?;
    }
    if out.follow_up.is_some() && out.status != "dry_run" {
        app.emit(REVIEWS_CHANGED, ())?;
    }
    Ok(out)
}

/// One review's follow-up state.
#[tauri::command]
pub async fn follow_up_status(
    state: State<'_, AppState>,
    review: ReviewId,
) -> UiResult<Option<FollowUpStatus>> {
    with_db(&state, move |store| {
        Ok(win_back::follow_up_status(store, review)?)
    })
    .await
}
