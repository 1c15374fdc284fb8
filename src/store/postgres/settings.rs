//! Settings on the team store: the SQLite store's `settings`, one JSON value per key, with the
//! same address check (see `store/settings.rs`).

use serde::{de::DeserializeOwned, Serialize};

use super::PgStore;
use crate::store::trust::{check_endpoint_settings, invalid_endpoint};
use crate::store::{Result, StoreError};

impl PgStore {
    /// The value stored under `key`, or `None` when it was never set.
    pub fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let row = self
            .client()
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])?;
        row.map(|r| {
            let raw: String = r.get(0);
            serde_json::from_str(&raw).map_err(|e| StoreError::Invalid {
                what: "setting",
                reason: format!("{key}: {e}"),
            })
        })
        .transpose()
    }

    /// Stores `value` under `key`, replacing what was there; an address in it must be https or
    /// loopback http, as on the SQLite store.
    pub fn set_setting<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<()> {
        let invalid = |e: serde_json::Error| StoreError::Invalid {
            what: "setting",
            reason: format!("{key}: {e}"),
        };
        let parsed = serde_json::to_value(value).map_err(invalid)?;
        check_endpoint_settings(&parsed).map_err(invalid_endpoint)?;
        let json = serde_json::to_string(value).map_err(invalid)?;
        self.client().execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &json],
        )?;
        Ok(())
    }
}
