//! The one error type the UI sees: `{ code, message }`.
//!
//! `code` is stable (`schema_too_new`, `bad_row`, …) so `ui/api.js` can branch on it without parsing
//! English; `message` is the core's own sentence, written for the owner. Nothing else crosses the IPC
//! boundary, and core errors never carry secrets, so the message is safe to show.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct UiError {
    pub code: &'static str,
    pub message: String,
}

impl UiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        UiError {
            code,
            message: message.into(),
        }
    }
}

impl From<earshot::store::StoreError> for UiError {
    fn from(e: earshot::store::StoreError) -> Self {
        UiError::new(e.code(), e.to_string())
    }
}

impl From<earshot::import::ImportError> for UiError {
    fn from(e: earshot::import::ImportError) -> Self {
        UiError::new(e.code(), e.to_string())
    }
}

impl From<tauri::Error> for UiError {
    fn from(e: tauri::Error) -> Self {
        UiError::new("shell", e.to_string())
    }
}

pub type UiResult<T> = Result<T, UiError>;

impl From<earshot::replies::ReplyError> for UiError {
    fn from(e: earshot::replies::ReplyError) -> Self {
        UiError::new(e.code(), e.to_string())
    }
}

impl From<earshot::channels::ChannelError> for UiError {
    fn from(e: earshot::channels::ChannelError) -> Self {
        UiError::new(e.code(), e.to_string())
    }
}

impl From<earshot::secrets::SecretError> for UiError {
    fn from(e: earshot::secrets::SecretError) -> Self {
        UiError::new("secrets", e.to_string())
    }
}

impl From<earshot::alerts::AlertError> for UiError {
    fn from(e: earshot::alerts::AlertError) -> Self {
        UiError::new(e.code(), e.to_string())
    }
}

impl From<earshot::backup::BackupError> for UiError {
    fn from(e: earshot::backup::BackupError) -> Self {
        UiError::new(e.code(), e.to_string())
    }
}

impl From<earshot::actions::ActionError> for UiError {
    fn from(e: earshot::actions::ActionError) -> Self {
        UiError::new(e.code(), e.to_string())
    }
}

impl From<earshot::actions::ServiceError> for UiError {
    fn from(e: earshot::actions::ServiceError) -> Self {
        UiError::new(e.code(), e.to_string())
    }
}

impl From<earshot::actions::team_seat::TeamSeatError> for UiError {
    fn from(e: earshot::actions::team_seat::TeamSeatError) -> Self {
        UiError::new(e.code(), e.to_string())
    }
}
