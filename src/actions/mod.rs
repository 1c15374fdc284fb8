//! The action layer: every action the desktop app or the `earshot` CLI offers, as one function.
//!
//! A Tauri command and a CLI arm each convert their arguments, call one function here and map the
//! error, so the app and the CLI cannot drift apart (they once did: `earshot sync` raised no
//! alerts while the app's round did, and only the app checked that AI drafts were on). Each
//! function takes the store, or the database path when it opens connections of its own, plus
//! what it needs from outside: the secret store, the time, HTTP settings. Nothing here prints,
//! shows a dialog or knows of Tauri; `tests/actions.rs` drives these functions headless.
//!
//! One file per area: [`sync`] (the round), [`replies`] (post, edit, delete, AI draft),
//! [`dashboard`] (the first screen and the inbox's filters), [`data`] (import, backup, restore),
//! [`demo`] (the demo café in a database of its own),
//! [`alerts`] (check, the Alerts screen), [`sources`] (add, test, remove, sign in), [`watch`] (the
//! schedule of rounds, the app's and `earshot watch`'s), [`service`] (the watcher as a systemd user
//! service), [`prefs`] (how the window behaves), [`win_back`] (what replies work, follow-ups),
//! [`topics`] (the owner's own topics), [`requests`] (asking customers for reviews).

pub mod alerts;
pub mod dashboard;
pub mod data;
pub mod demo;
pub mod migrate;
pub mod prefs;
pub mod replies;
pub mod requests;
pub mod service;
pub mod sources;
pub mod sync;
pub mod team;
pub mod team_backup;
pub mod team_composer;
pub mod team_notify;
pub mod team_seat;
pub mod team_service;
pub mod topics;
pub mod watch;
pub mod win_back;

pub use alerts::{alerts_with_reviews, check_alerts, check_alerts_since, AlertWithReviews};
pub use dashboard::{dashboard, inbox_facets, Dashboard, InboxFacets};
pub use data::{
    backup_now, import, import_into, list_backups, preview_import, restore, write_import_template,
};
pub use demo::{demo_db_path, open_demo, DemoOpened};
pub use prefs::{set_ui_prefs, ui_prefs, UiPrefs};
pub use replies::{
    ai_draft, approve_reply, delete_reply, edit_reply, post_reply, AiDraft, AiEndpoint, ReplyCreds,
};
pub use service::{ServiceError, ServiceStatus};
pub use sources::{
    add_source, add_source_to, begin_sign_in, remove_source, remove_source_from,
    sign_in_with_password, test_source, PendingSignIns, Removed, SignInStarted, TestOutcome,
};
pub use sync::{sync_round, sync_round_at, sync_round_keeping, sync_round_with, RoundReport};
pub use topics::{list_topics, remove_topic, save_topic, TopicChange};
pub use watch::{watch, WatchOptions};

use crate::secrets::SecretError;

/// Why an action failed. Each variant keeps its module's error, so callers can match on the
/// cause and [`ActionError::code`] gives the UI and scripts a stable code.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Reply(#[from] crate::replies::ReplyError),
    #[error(transparent)]
    Alert(#[from] crate::alerts::AlertError),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
    #[error(transparent)]
    AddSource(#[from] crate::sources::AddError),
    #[error(transparent)]
    Round(#[from] crate::sync::RoundError),
    /// The background watcher's service could not be set up or removed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// A platform refused or could not finish a sign-in.
    #[error(transparent)]
    Source(#[from] crate::sources::SourceError),
    /// The OS keyring (or the opted-in secrets file) could not be read.
    #[error(transparent)]
    Secrets(#[from] SecretError),
    /// Asking a customer to update their review (issue 29).
    #[error(transparent)]
    FollowUp(#[from] crate::replies::follow_up::FollowUpError),
    /// An HTTP client could not be started (a broken TLS setup, not a platform's answer).
    #[error("cannot start the HTTP client: {0}")]
    Http(String),
    /// The async runtime an action needs could not be started.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
    /// Review requests (issue 29): links, the customer list, sending.
    #[error(transparent)]
    Request(#[from] crate::requests::RequestError),
    /// AI drafts are used only after the owner turned them on.
    #[error("AI drafts are off. Turn them on in Settings → AI drafts.")]
    AiOff,
}

impl ActionError {
    /// A stable code for the UI and scripts, so they never parse English.
    pub fn code(&self) -> &'static str {
        match self {
            ActionError::Store(e) => e.code(),
            ActionError::Reply(e) => e.code(),
            ActionError::Alert(e) => e.code(),
            ActionError::Import(e) => e.code(),
            ActionError::Backup(e) => e.code(),
            ActionError::AddSource(_) => "source",
            ActionError::Source(e) => e.code(),
            ActionError::Round(crate::sync::RoundError::Store(e)) => e.code(),
            ActionError::Round(crate::sync::RoundError::Alerts(e)) => e.code(),
            ActionError::Service(e) => e.code(),
            ActionError::Secrets(_) => "keyring",
            ActionError::FollowUp(e) => e.code(),
            ActionError::Http(_) => "network",
            ActionError::Runtime(_) => "internal",
            ActionError::AiOff => "ai_off",
            ActionError::Request(e) => e.code(),
        }
    }
}

pub type Result<T, E = ActionError> = std::result::Result<T, E>;

/// Runs a future that borrows the store to completion on a runtime of its own, on this thread.
/// The outbox and the AI draft hold `&Store` across their awaits, which a multi-threaded runtime
/// cannot move between workers: the app calls these actions on its blocking pool, the CLI on its
/// main thread.
pub fn block_on<T>(f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ActionError::Runtime(e.to_string()))?
        .block_on(f)
}
