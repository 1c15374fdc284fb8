//! Reply actions: post, edit and delete through the outbox, and the AI draft.
//!
//! The credentials the outbox uses are built in one place, [`ReplyCreds`]: the app reads the
//! secrets stored when a source was added; the CLI first takes a token from
//! `EARSHOT_TOKEN_<CONNECTOR>` (scripts and CI, where no keyring is unlocked).

use crate::model::replies::Reply;
use crate::model::{ReviewId, SourceId};
use crate::replies::coach::Warning;
use crate::replies::outbox::{EnvCredentials, Outbox, OutboxConfig};
use crate::replies::{self, ai};
use crate::secrets::{ReplyCredentials, Secret};
use crate::secrets::{SecretError, SecretStore, StoredReplyCredentials};
use crate::store::ReplyStore;

use super::{ActionError, Result};

/// The outbox's credentials: the secrets stored with each source, after a token from the
/// environment when `env_tokens` is set (the CLI).
pub struct ReplyCreds<'a> {
    pub stored: &'a dyn SecretStore,
    pub env_tokens: bool,
}

impl<'a> ReplyCreds<'a> {
    /// The app's credentials: stored secrets only.
    pub fn stored(stored: &'a dyn SecretStore) -> ReplyCreds<'a> {
        ReplyCreds {
            stored,
            env_tokens: false,
        }
    }

    /// The CLI's: `EARSHOT_TOKEN_<CONNECTOR>` first, then the stored secrets.
    pub fn env_then_stored(stored: &'a dyn SecretStore) -> ReplyCreds<'a> {
        ReplyCreds {
            stored,
            env_tokens: true,
        }
    }
}

impl ReplyCredentials for ReplyCreds<'_> {
    fn bearer_token(
        &self,
        source: SourceId,
        connector: &str,
    ) -> std::result::Result<Option<Secret>, SecretError> {
        if self.env_tokens {
            if let Some(t) = EnvCredentials.bearer_token(source, connector)? {
                return Ok(Some(t));
            }
        }
        StoredReplyCredentials(self.stored).bearer_token(source, connector)
    }

    fn secret(
        &self,
        source: SourceId,
        key: &str,
    ) -> std::result::Result<Option<Secret>, SecretError> {
        StoredReplyCredentials(self.stored).secret(source, key)
    }

    fn keep(&self, source: SourceId, key: &str, value: &Secret) {
        StoredReplyCredentials(self.stored).keep(source, key, value);
    }
}

/// Queues the review's saved draft and posts it (at most once, retried on 5xx): the composer's
/// Post button and `earshot reply post`.
pub async fn post_reply<S: ReplyStore + ?Sized, C: ReplyCredentials>(
    store: &S,
    creds: &C,
    config: OutboxConfig,
    review: ReviewId,
    key: Option<&str>,
) -> Result<Reply> {
    let outbox = Outbox::new(store, creds, config)?;
    Ok(outbox.post_review(review, key).await?)
}

/// Changes the text of the reply posted from Earshot, where the platform's API allows.
pub async fn edit_reply<S: ReplyStore + ?Sized, C: ReplyCredentials>(
    store: &S,
    creds: &C,
    config: OutboxConfig,
    review: ReviewId,
    text: &str,
    key: Option<&str>,
) -> Result<Reply> {
    let outbox = Outbox::new(store, creds, config)?;
    Ok(outbox.edit_review_reply(review, text, key).await?)
}

/// Deletes the posted reply on the platform, where its API allows, and records it deleted.
pub async fn delete_reply<S: ReplyStore + ?Sized, C: ReplyCredentials>(
    store: &S,
    creds: &C,
    config: OutboxConfig,
    review: ReviewId,
) -> Result<Reply> {
    let outbox = Outbox::new(store, creds, config)?;
    Ok(outbox.delete_review_reply(review).await?)
}

/// Approves a team member's reply waiting for a manager and sends it (`earshot reply approve`),
/// or leaves it queued for a seat that holds the platform's credentials.
pub async fn approve_reply<S: ReplyStore + ?Sized, C: ReplyCredentials>(
    store: &S,
    creds: &C,
    config: OutboxConfig,
    reply: i64,
) -> Result<Reply> {
    let outbox = Outbox::new(store, creds, config)?;
    Ok(outbox.approve(reply).await?)
}

/// Which AI endpoint drafts a reply.
pub enum AiEndpoint {
    /// The owner's saved one (Settings → AI drafts): refused while AI drafts are off; the key
    /// of a hosted endpoint comes from the secret store.
    Saved,
    /// One named for this call (`earshot reply ai --base-url …`): the caller's explicit choice.
    Given {
        config: ai::AiConfig,
        key: Option<Secret>,
    },
}

/// A draft from the AI endpoint with the coach's warnings; nothing is saved or posted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AiDraft {
    pub review_id: ReviewId,
    pub text: String,
    pub warnings: Vec<Warning>,
}

/// Asks the AI endpoint for a draft of a reply to `review`, for the owner to edit.
pub async fn ai_draft<S: ReplyStore + ?Sized>(
    store: &S,
    secrets: &dyn SecretStore,
    review: ReviewId,
    endpoint: AiEndpoint,
) -> Result<AiDraft> {
    let (config, key) = match endpoint {
        AiEndpoint::Saved => {
            let settings = replies::ai_settings(store)?;
            if !settings.enabled {
                return Err(ActionError::AiOff);
            }
            (
                settings.config(),
                secrets.get(ai::KEY_SOURCE, ai::KEY_NAME)?,
            )
        }
        AiEndpoint::Given { config, key } => (config, key),
    };
    let text = replies::ai_draft(store, review, &config, key.as_ref()).await?;
    // All of it is the AI's words: its promises are pointed out.
    let warnings = replies::check_draft_from(store, review, &text, Some(&text))?;
    Ok(AiDraft {
        review_id: review,
        text,
        warnings,
    })
}
