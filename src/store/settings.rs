//! Small owner preferences and bookkeeping values, one JSON value per key in `settings`.
//!
//! Used for what has no table of its own: notification preferences, the alert check's
//! high-water marks. Values are JSON so a setting can grow fields without a migration. An
//! address in a value is checked like a source's (https, or http to this computer).

use rusqlite::OptionalExtension;
use serde::{de::DeserializeOwned, Serialize};

use super::trust::{check_endpoint_settings, invalid_endpoint};
use super::{Result, Store, StoreError};

impl Store {
    /// The value stored under `key`, or `None` when it was never set.
    pub fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let raw: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        raw.map(|s| {
            serde_json::from_str(&s).map_err(|e| StoreError::Invalid {
                what: "setting",
                reason: format!("{key}: {e}"),
            })
        })
        .transpose()
    }

    /// Stores `value` under `key`, replacing what was there. An address in it (`base_url`,
    /// `auth_url`, `token_url`: the AI endpoint) must be https or loopback http.
    pub fn set_setting<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<()> {
        let json = serde_json::to_string(value).map_err(|e| StoreError::Invalid {
            what: "setting",
            reason: format!("{key}: {e}"),
        })?;
        let parsed: serde_json::Value =
            serde_json::from_str(&json).map_err(|e| StoreError::Invalid {
                what: "setting",
                reason: format!("{key}: {e}"),
            })?;
        check_endpoint_settings(&parsed).map_err(invalid_endpoint)?;
        self.conn
            .prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(rusqlite::params![key, json])?;
        Ok(())
    }
}
