//! The team's live link: one reconnecting listener on `LISTEN earshot` that every hearer uses
//! (`earshot team listen`, `earshot watch` on a team database, the app's live link through
//! `actions::team_seat::listen_until`). Each used to keep its own loop, with its own tick, its own
//! wait after a lost connection, and one (the CLI's) none at all.
//!
//! Blocking, on the caller's thread (the `postgres` client blocks): a hearer that lives beside
//! an async runtime runs it on a thread of its own. The connection is the listener's own, so a
//! wait for notifications never holds up the seat's other calls.

use std::time::{Duration, Instant};

use super::{Change, PgStore};
use crate::store::{Result, StoreError};

/// How long one wait for notifications lasts before the listener looks at `stop` again.
pub const LISTEN_TICK: Duration = Duration::from_millis(250);

/// The first wait before connecting again after the link failed; each failure in a row doubles
/// it, up to [`RECONNECT_AT_MOST`], and it starts again after a connection that worked.
pub const RECONNECT_FIRST: Duration = Duration::from_millis(500);
pub const RECONNECT_AT_MOST: Duration = Duration::from_secs(30);

/// What the listener hears.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkEvent {
    /// Listening, the first time or `again` after a loss: what was said while the link was down
    /// was not heard, so a hearer that acts on changes reads again.
    Connected { again: bool },
    /// Changes committed by a seat (this one included), as many as arrived together.
    Changes(Vec<Change>),
    /// The connection failed or went away; the next try is after `retry_in`. The reason names
    /// the database without its password (the store's errors never hold it).
    Lost { reason: String, retry_in: Duration },
}

/// Hears the team's changes until `stop` says so or `on_event` returns `Ok(false)`; returns the
/// error of a connection that no retry can mend (a schema newer than this Earshot's, after
/// another seat upgraded it), once the hearer was told it as `Lost`.
///
/// `connect` opens the listening connection (the first time and after each loss).
/// `on_event` gets each event and, when connected, the listening connection, for a read that
/// belongs with the event (the alerts a change raised, the tray's count) without a connection
/// of its own; an error it returns is taken as the connection's, and the link reconnects.
/// `stop` is looked at every [`LISTEN_TICK`] and during the wait before reconnecting.
pub fn listen(
    connect: &mut dyn FnMut() -> Result<PgStore>,
    stop: &dyn Fn() -> bool,
    on_event: &mut dyn FnMut(LinkEvent, Option<&PgStore>) -> Result<bool>,
) -> Result<()> {
    let mut retry_in = RECONNECT_FIRST;
    let mut again = false;
    while !stop() {
        let reason = match connect().and_then(|store| store.listen().map(|()| store)) {
            Ok(store) => {
                retry_in = RECONNECT_FIRST;
                let heard =
                    on_event(LinkEvent::Connected { again }, Some(&store)).and_then(|go_on| {
                        match go_on {
                            true => hear(&store, stop, on_event),
                            false => Ok(()),
                        }
                    });
                again = true;
                match heard {
                    Ok(()) => return Ok(()),
                    Err(e) => e.to_string(),
                }
            }
            Err(e @ StoreError::SchemaTooNew { .. }) => {
                let reason = e.to_string();
                let _ = on_event(LinkEvent::Lost { reason, retry_in }, None);
                return Err(e);
            }
            Err(e) => e.to_string(),
        };
        if !on_event(LinkEvent::Lost { reason, retry_in }, None).unwrap_or(true) {
            return Ok(());
        }
        sleep_unless_stopped(retry_in, stop);
        retry_in = (retry_in * 2).min(RECONNECT_AT_MOST);
    }
    Ok(())
}

/// One connection's life: its changes until `stop` or the hearer is done (`Ok`), or until the
/// connection fails (`Err`).
fn hear(
    store: &PgStore,
    stop: &dyn Fn() -> bool,
    on_event: &mut dyn FnMut(LinkEvent, Option<&PgStore>) -> Result<bool>,
) -> std::result::Result<(), StoreError> {
    while !stop() {
        let changes = store.next_changes(LISTEN_TICK)?;
        if changes.is_empty() {
            continue;
        }
        if !on_event(LinkEvent::Changes(changes), Some(store))? {
            return Ok(());
        }
    }
    Ok(())
}

fn sleep_unless_stopped(wait: Duration, stop: &dyn Fn() -> bool) {
    let until = Instant::now() + wait;
    while !stop() {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(LISTEN_TICK));
    }
}
