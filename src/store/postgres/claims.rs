//! Coordination by the engine (issue 31): one seat syncs a given source at a time.
//!
//! A claim is a session-level advisory lock keyed by the source: taken without waiting
//! (`pg_try_advisory_lock`), held by the seat's connection while it syncs, released when the
//! claim is dropped, and released by the server itself when the seat's connection ends (a
//! crashed or unplugged laptop), so no lease has to expire before another seat takes over. A
//! `FOR UPDATE SKIP LOCKED` row claim would hold a transaction open for a whole sync (minutes,
//! over HTTP), which blocks vacuum and ties a connection to one transaction.

use super::PgStore;
use crate::model::SourceId;
use crate::store::Result;

/// Advisory lock keys of sync claims: this base plus the source id, apart from the migration
/// lock (`MIGRATION_LOCK`, below 2^56) and from any other use of advisory locks.
const SYNC_CLAIM_BASE: i64 = 1 << 60;

/// A seat's claim to sync one source; released on drop.
#[derive(Debug)]
pub struct SyncClaim<'s> {
    store: &'s PgStore,
    source_id: SourceId,
}

impl PgStore {
    /// Claims the sync of `source_id` for this seat: `None` when another seat syncs it now.
    pub fn claim_sync(&self, source_id: SourceId) -> Result<Option<SyncClaim<'_>>> {
        Ok(self.hold_sync(source_id)?.then_some(SyncClaim {
            store: self,
            source_id,
        }))
    }

    /// [`PgStore::claim_sync`] without a guard, for a run that writes its pages on the claiming
    /// connection itself (a guard borrowing the store would forbid that): whether this seat now
    /// holds it. Given back by [`PgStore::release_sync`], or by the server when the connection
    /// ends.
    pub fn hold_sync(&self, source_id: SourceId) -> Result<bool> {
        let key = SYNC_CLAIM_BASE + source_id;
        Ok(self
            .client()
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])?
            .get(0))
    }

    /// Gives back a claim taken by [`PgStore::hold_sync`].
    pub fn release_sync(&self, source_id: SourceId) -> Result<()> {
        let key = SYNC_CLAIM_BASE + source_id;
        self.client()
            .execute("SELECT pg_advisory_unlock($1)", &[&key])?;
        Ok(())
    }
}

impl Drop for SyncClaim<'_> {
    fn drop(&mut self) {
        // A failed unlock means the connection is gone, and the server released it then.
        let _ = self.store.release_sync(self.source_id);
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster;
    use super::*;

    /// Of two seats, one holds a source's sync; the other gets it once the first lets go, or
    /// once the first seat's connection is gone (a crash), with no lease to wait out. Other
    /// sources stay free meanwhile.
    #[test]
    fn one_seat_syncs_a_source_at_a_time_and_a_lost_seat_lets_go() {
        let url = cluster::fresh_database("claims");
        let laptop = PgStore::open(&url).unwrap();
        let office = PgStore::open(&url).unwrap();
        let claim = laptop.claim_sync(7).unwrap().expect("free at first");
        assert!(
            office.claim_sync(7).unwrap().is_none(),
            "held by the laptop"
        );
        assert!(
            office.claim_sync(8).unwrap().is_some(),
            "another source is free"
        );
        drop(claim);
        let office_claim = office.claim_sync(7).unwrap().expect("released on drop");
        assert!(laptop.claim_sync(7).unwrap().is_none());
        // The office seat crashes while it holds the claim: its connection ends.
        std::mem::forget(office_claim);
        drop(office);
        let mut taken = None;
        for _ in 0..50 {
            taken = laptop.claim_sync(7).unwrap();
            if taken.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(
            taken.is_some(),
            "the server let go of the lost seat's claim"
        );
    }
}
