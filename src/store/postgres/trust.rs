//! Confirming addresses on the team store: the SQLite store's `confirm_source` and
//! `confirm_settings` (see `store/trust.rs`), so `earshot sources confirm` works on a team
//! database too.

use super::PgStore;
use crate::model::SourceId;
use crate::store::{Result, StoreError};

impl PgStore {
    /// Confirms a source's addresses after they were marked unconfirmed (a restore or a copy
    /// that changed them): its credentials are used again.
    pub fn confirm_source(&self, id: SourceId) -> Result<()> {
        let n = self.client().execute(
            "UPDATE sources SET unconfirmed = NULL WHERE id = $1",
            &[&id],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownSource(id));
        }
        Ok(())
    }

    /// Confirms the addresses in the settings (the AI endpoint). A team database holds back no
    /// app-wide credentials: each seat keeps its own AI key in its own keyring, named by the
    /// database's identity, and a team restore gives the database a new identity, so no seat's
    /// key reaches an AI endpoint a restored backup named (nothing checks the addresses
    /// themselves). There is nothing to release: the command answers as on a file.
    pub fn confirm_settings(&self) -> Result<()> {
        Ok(())
    }
}
