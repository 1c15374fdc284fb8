//! Alert channels and their deliveries on either store (issue 31): what `crate::channels` reads
//! and writes, as one small trait at the seam, implemented by the SQLite [`Store`] (the app, the
//! file's sync round and `earshot watch` keep passing theirs, monomorphised as before) and by
//! [`Db`] (the CLI and the team database's round). Each method is the store's own method of the
//! same name, written in its engine's SQL; the macro only spells the delegation once.
//!
//! Delivering is `async` (it awaits each send), and the `postgres` client drives a runtime of its
//! own and panics where one already runs, so `Db`'s PostgreSQL arms hop off the runtime, as
//! every `Db` forward does (`on_either!`, `store/db/mod.rs`).

use super::Db;
use crate::channels::{Channel, ChannelId, Delivery, NewChannel};
use crate::model::alerts::{Alert, AlertId};
use crate::model::{Review, ReviewId};
use crate::store::{Claimed, Result, Store};

macro_rules! channel_store {
    ($( fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        /// What alert channels need of a store; see the module's note.
        pub trait ChannelStore {
            $( fn $name(&self $(, $arg: $ty)*) -> Result<$ret>; )*
            /// Whether several seats share this store's deliveries (a team database): a seat
            /// then leaves an e-mail channel whose password it does not hold to a seat that
            /// does, rather than failing its deliveries.
            fn is_shared(&self) -> bool {
                false
            }
        }

        impl ChannelStore for Store {
            $( fn $name(&self $(, $arg: $ty)*) -> Result<$ret> { Store::$name(self $(, $arg)*) } )*
        }

        impl ChannelStore for Db {
            $(
                fn $name(&self $(, $arg: $ty)*) -> Result<$ret> {
                    on_either!(self, $name($($arg),*))
                }
            )*
            fn is_shared(&self) -> bool {
                matches!(self, Db::Postgres(_))
            }
        }
    };
}

channel_store! {
    fn add_alert_channel(&self, c: &NewChannel, now: i64) -> ChannelId;
    fn alert_channels(&self) -> Vec<Channel>;
    fn alert_channel(&self, id: ChannelId) -> Option<Channel>;
    fn confirm_alert_channel(&self, id: ChannelId) -> bool;
    fn remove_alert_channel(&self, id: ChannelId) -> bool;
    fn queue_alert_deliveries(&self, channel: &Channel, since: i64, next_at: i64) -> usize;
    fn claim_alert_delivery(&self, channel: ChannelId, now: i64) -> Option<Claimed>;
    fn claim_alert_digest(&self, channel: ChannelId, now: i64) -> Vec<Claimed>;
    fn record_alert_sent(&self, channel: ChannelId, alerts: &[AlertId], at: i64) -> ();
    fn record_alert_failure(&self, channel: ChannelId, alerts: &[AlertId], error: &str, retry_at: Option<i64>) -> ();
    fn abandon_stale_alert_deliveries(&self, before: i64) -> usize;
    fn alert_deliveries(&self, channel: ChannelId) -> Vec<Delivery>;
    fn alert(&self, id: AlertId) -> Option<Alert>;
    fn alerts_by_ids(&self, ids: &[AlertId]) -> Vec<Alert>;
    fn review(&self, id: ReviewId) -> Review;
}
