//! Settings on either store.

use serde::{de::DeserializeOwned, Serialize};

use super::Db;
use crate::store::Result;

impl Db {
    /// The value stored under `key`, or `None` when it was never set.
    pub fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        match self {
            Db::Sqlite(s) => s.setting(key),
            Db::Postgres(p) => p.setting(key),
        }
    }

    /// Stores `value` under `key`, replacing what was there.
    pub fn set_setting<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<()> {
        match self {
            Db::Sqlite(s) => s.set_setting(key, value),
            Db::Postgres(p) => p.set_setting(key, value),
        }
    }
}
