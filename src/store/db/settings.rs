//! Settings on either store.

use serde::{de::DeserializeOwned, Serialize};

use super::Db;
use crate::store::Result;

impl Db {
    /// The value stored under `key`, or `None` when it was never set.
    pub fn setting<T: DeserializeOwned + Send>(&self, key: &str) -> Result<Option<T>> {
        on_either!(self, setting(key))
    }

    /// Stores `value` under `key`, replacing what was there.
    pub fn set_setting<T: Serialize + Sync + ?Sized>(&self, key: &str, value: &T) -> Result<()> {
        on_either!(self, set_setting(key, value))
    }
}
