//! The shell's shared state, managed by Tauri and read by commands, the tray and the worker:
//! where the database is (a file, or a team's PostgreSQL database), the work in flight, the handle to the background worker, the last
//! notified review and whether the owner chose Quit.
//!
//! It sits below every other module of the shell and imports none of them but `relaunch`'s
//! activity counter and `error`, so the shell's modules form no import loop.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use earshot::model::{ReviewId, SourceId};
use earshot::store::{Db, DbLocation, Store};
use tokio::sync::mpsc;

use crate::error::{UiError, UiResult};
use crate::relaunch::Activity;

/// Shared by all commands: which database is open. The owner's is resolved once at start from
/// `--db`, `EARSHOT_DB` or the OS data directory, exactly as the CLI does; "Load demo data"
/// switches every command, the tray and the background worker to the demo's own database beside
/// it, and "Leave the demo" switches back (issue 32). A restart always opens the owner's.
pub struct AppState {
    owner_db: PathBuf,
    /// The database commands use now: the owner's, or the demo's while the owner looks around.
    current: RwLock<PathBuf>,
    /// The team database the app is on instead of a file (issue 31), if it is.
    team: RwLock<Option<TeamDatabase>>,
    /// Work in flight, which a restart in the tray waits for (`relaunch.rs`).
    pub activity: Arc<Activity>,
}

impl AppState {
    pub fn new(owner_db: PathBuf) -> AppState {
        AppState {
            current: RwLock::new(owner_db.clone()),
            owner_db,
            team: RwLock::new(None),
            activity: Default::default(),
        }
    }

    /// The state of an app on the team database at `url` (with its password) from the start:
    /// `owner_db` stays the seat's own file, for its preferences and its way back.
    pub fn on_team_database(owner_db: PathBuf, team: TeamDatabase) -> AppState {
        let state = AppState::new(owner_db);
        state.use_team_database(Some(team));
        state
    }

    /// The team database open now, if the app is on one.
    pub fn team_database(&self) -> Option<TeamDatabase> {
        self.team.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Opens the team database for every command from now on, or (`None`) the file again.
    pub fn use_team_database(&self, team: Option<TeamDatabase>) {
        *self.team.write().unwrap_or_else(|e| e.into_inner()) = team;
    }

    /// Where the database open now is: the team's, else the file (the owner's or the demo's).
    pub fn location(&self) -> DbLocation {
        match self.team_database() {
            Some(team) => DbLocation::Postgres(team.url),
            None => DbLocation::File(self.db_path()),
        }
    }

    /// The database open now. Each command reads it once, so a switch never splits a command
    /// across two databases.
    /// The seat's database file for a command that works on a file only: on a team database,
    /// [`not_on_team_database`] (a file path there would be the seat's own file, not the team's
    /// data the screens show).
    pub fn file_path(&self) -> UiResult<PathBuf> {
        if self.team_database().is_some() {
            return Err(not_on_team_database());
        }
        Ok(self.db_path())
    }

    pub fn db_path(&self) -> PathBuf {
        // A poisoned lock still holds a whole path: a PathBuf is replaced, never half-written.
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The owner's own database, whatever is open now.
    pub fn owner_db(&self) -> &Path {
        &self.owner_db
    }

    /// Whether the demo is open instead of the owner's database.
    pub fn in_demo(&self) -> bool {
        self.db_path() != self.owner_db
    }

    /// Opens `db` for every command from now on (the demo's, or the owner's again).
    pub fn switch_to(&self, db: PathBuf) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = db;
    }
}

/// A team database the app is on: where it is, with the password to reach it.
#[derive(Clone)]
pub struct TeamDatabase {
    /// The URL with its password: only ever handed to the database client.
    pub url: String,
    /// Whether it was named at start (`--db`, `EARSHOT_DB`) rather than chosen in Settings:
    /// then Settings cannot leave it.
    pub from_start: bool,
}

impl std::fmt::Debug for TeamDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamDatabase")
            .field("url", &earshot::store::postgres::redacted(&self.url))
            .field("from_start", &self.from_start)
            .finish()
    }
}

/// What a command that needs the database file says on a team database: a plain sentence the
/// screen shows in place of its content (`ui/api.js` knows the code).
pub fn not_on_team_database() -> UiError {
    UiError::new(
        "not_on_team_database",
        "This part of Earshot does not work on a team database yet. To use it, go back to this computer's database in Settings → Team database.",
    )
}

/// Opens the database open now (a file, or the team's) on the blocking pool and runs `f` with it
/// there, as [`with_store`] does for a file: what a command whose action works on both stores
/// uses. A team database is one connection per command, as a file is one `Store` per command:
/// a local server answers a connection in milliseconds, and nothing is held between commands.
pub async fn with_db<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Db) -> UiResult<T> + Send + 'static,
) -> UiResult<T> {
    let location = state.location();
    let busy = state.activity.begin();
    on_blocking_pool(move || {
        let _busy = busy;
        f(&mut Db::open(&location)?)
    })
    .await?
}

/// Opens the store on the blocking pool and runs `f` with it there, off the async runtime's
/// worker threads (opening may wait on another writer's lock; queries may scan). The work counts
/// as activity, so closing the window during an import lets the import finish first.
///
/// Every call opens its own `Store`: opening is a few pragmas (sub-millisecond), WAL lets the
/// dashboard read while an import writes, and there is no connection lock for a long import to
/// hold against the UI.
///
/// On a team database this is [`not_on_team_database`]: the commands that still call it have
/// actions built on the file only.
pub async fn with_store<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Store) -> UiResult<T> + Send + 'static,
) -> UiResult<T> {
    let path = state.file_path()?;
    let busy = state.activity.begin();
    on_blocking_pool(move || {
        let _busy = busy;
        f(&mut Store::open(&path)?)
    })
    .await?
}

/// [`with_store`] on the preferences that stay this seat's own (its person's notification
/// settings): on a team database, the seat's own file, which the live link reads them from
/// (`team.rs`); elsewhere the database open now, as before.
pub async fn with_seat_preferences<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Store) -> UiResult<T> + Send + 'static,
) -> UiResult<T> {
    if state.team_database().is_none() {
        return with_store(state, f).await;
    }
    let path = state.owner_db().to_path_buf();
    let busy = state.activity.begin();
    on_blocking_pool(move || {
        let _busy = busy;
        f(&mut Store::open(&path)?)
    })
    .await?
}

/// Runs `f` on the blocking pool (file and database work, a wait on the browser) and gives
/// back what it returned; a task that panicked is an internal error.
pub async fn on_blocking_pool<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> UiResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| UiError::new("internal", format!("background task failed: {e}")))
}

/// Set when the owner chose Quit; any other exit request (the last window closed) is refused so
/// the app stays in the tray.
pub struct Quitting(pub AtomicBool);

/// The review of the last single-review notification: opening the window from the tray shortly
/// after goes straight to it (Linux notifications cannot report clicks through the plugin).
#[derive(Default)]
pub struct LastNotified(AtomicI64);

impl LastNotified {
    pub fn set(&self, id: ReviewId) {
        self.0.store(id, Ordering::SeqCst);
    }

    pub fn take(&self) -> Option<ReviewId> {
        match self.0.swap(0, Ordering::SeqCst) {
            0 => None,
            id => Some(id),
        }
    }
}

/// A request to the background worker (`background.rs`).
#[derive(Debug)]
pub enum Request {
    /// Sync these sources now (all of them when `None`).
    SyncNow(Option<Vec<SourceId>>),
    /// Re-plan notifications (after a pause ends or the preferences change) without syncing;
    /// also sent after the open database changed (the demo opened or closed).
    Replan,
}

/// The handle commands and the tray use to reach the background worker.
pub struct Background {
    tx: mpsc::UnboundedSender<Request>,
}

impl Background {
    pub fn new(tx: mpsc::UnboundedSender<Request>) -> Background {
        Background { tx }
    }

    pub fn request(&self, r: Request) {
        // The worker lives as long as the app; a send can only fail during shutdown.
        let _ = self.tx.send(r);
    }
}
