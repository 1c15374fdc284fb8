//! Confirming addresses a restore changed, on either store.

use super::Db;
use crate::model::SourceId;
use crate::store::Result;

impl Db {
    /// Confirms a source's addresses: its credentials are used again.
    pub fn confirm_source(&self, id: SourceId) -> Result<()> {
        on_either!(self, confirm_source(id))
    }

    /// Confirms the addresses in the settings (the AI endpoint).
    pub fn confirm_settings(&self) -> Result<()> {
        on_either!(self, confirm_settings())
    }
}
