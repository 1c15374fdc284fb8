//! Win them back (issue 29, parts 1 and 2): "What works for you" — which replies won unhappy
//! customers back — and follow-ups asking a customer to update their review. The app's commands
//! and `earshot replies effect|follow-up|follow-ups` call these.

use chrono::{DateTime, Utc};

use crate::insights::effect::{self, Effect};
use crate::model::BusinessId;
use crate::replies::follow_up::{self, FollowUpAsk, FollowUpOutcome, FollowUpStatus};
use crate::secrets::SecretStore;
use crate::store::RequestStore;

use super::Result;

/// The replies' effect for a business, optionally on one platform (any spelling the CLI takes).
pub fn replies_effect<S: RequestStore>(
    store: &S,
    business_id: BusinessId,
    platform: Option<&str>,
) -> Result<Effect> {
    let platform = platform.map(crate::platform::normalise_platform);
    Ok(effect::effect(store, business_id, platform.as_deref())?)
}

/// Asks the customer of an answered review to update it (see [`follow_up::follow_up`]).
pub fn follow_up<S: RequestStore>(
    store: &mut S,
    secrets: &dyn SecretStore,
    ask: &FollowUpAsk,
    now: DateTime<Utc>,
) -> Result<FollowUpOutcome> {
    super::block_on(async { Ok(follow_up::follow_up(store, secrets, ask, now).await?) })
}

/// Every review asked, latest ask first; optionally of one business.
pub fn follow_ups<S: RequestStore>(
    store: &S,
    business_id: Option<BusinessId>,
) -> Result<Vec<FollowUpStatus>> {
    Ok(follow_up::list(store, business_id)?)
}

/// One review's follow-up state, for the review screen.
pub fn follow_up_status<S: RequestStore>(
    store: &S,
    review_id: i64,
) -> Result<Option<FollowUpStatus>> {
    Ok(follow_up::status(store, review_id)?)
}
