//! Settings → Team database (issue 31) and the live link to it. The commands convert arguments
//! and call `earshot::actions::team_seat`; the link runs the core's `listen_until` on a thread of
//! its own and turns what it hears into the window's `reviews-changed` event, the tray's count
//! and this person's own notifications.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use earshot::actions::team_notify;
use earshot::actions::team_seat::{self, Heard, TeamCheck, TeamLogin, TeamSeatError};
use earshot::secrets::{Secret, SecretStore};
use earshot::store::postgres::PgStore;
use earshot::store::{Db, DbLocation, Store};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use crate::error::UiResult;
use crate::events::{REVIEWS_CHANGED, TEAM_LINK};
use crate::state::{on_blocking_pool, AppState, Background, Request, TeamDatabase};

/// This computer's password store for team logins.
pub fn passwords() -> Box<dyn SecretStore> {
    earshot::secrets::open_for_database(team_seat::TEAM_LOGINS)
}

/// What the Team database section shows. Never the password: only whether one is saved.
#[derive(Debug, Serialize)]
pub struct TeamDatabaseView {
    /// The saved server, database and person, if any.
    pub login: Option<TeamLogin>,
    /// Whether the app is on the team database now.
    pub in_use: bool,
    /// Where the app's data is now: the team database's URL without its password, or the file.
    pub location: String,
    pub password_saved: bool,
    /// Set when `EARSHOT_DB` or `--db` named the team database at start (Settings cannot leave it).
    pub fixed_at_start: bool,
    /// Where the password is kept, in words.
    pub passwords_in: String,
    /// The live link's last word: `connected`, or why it is reconnecting.
    pub link: Option<LinkStatus>,
    /// On a team database, this person's notification settings (kept in this seat's own file),
    /// for the Settings screen to offer beside the team card.
    pub your_notifications: Option<earshot::alerts::NotificationPrefs>,
}

/// The live link's state, also sent as the `team-link` event.
#[derive(Debug, Clone, Serialize)]
pub struct LinkStatus {
    pub connected: bool,
    /// Why it is not connected (the database's error, without a password), if it is not.
    pub problem: Option<String>,
    /// Seconds until the next try, when not connected.
    pub retry_in_secs: Option<u64>,
}

/// The running live link, managed by Tauri: set while the app is on a team database.
#[derive(Default)]
pub struct TeamLink {
    stop: Mutex<Option<Arc<AtomicBool>>>,
    status: Arc<Mutex<Option<LinkStatus>>>,
}

impl TeamLink {
    /// Starts hearing `url` (stopping a link already running).
    pub fn start<R: Runtime>(&self, app: &AppHandle<R>, url: String) {
        self.stop();
        let stop = Arc::new(AtomicBool::new(false));
        *self.stop.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&stop));
        let app = app.clone();
        let status = Arc::clone(&self.status);
        let owner_db = app.state::<AppState>().owner_db().to_path_buf();
        // A thread, not a task: the `postgres` client blocks, and the link lives as long as
        // the app is on the team database.
        std::thread::spawn(move || {
            team_seat::listen_on(&url, &stop, &mut |heard, listening| {
                heard_from_team(&app, &owner_db, &url, listening, &status, heard)
            });
        });
    }

    /// Stops the link, if one runs (it ends within a `LISTEN_TICK`).
    pub fn stop(&self) {
        if let Some(stop) = self.stop.lock().unwrap_or_else(|e| e.into_inner()).take() {
            stop.store(true, Ordering::SeqCst);
        }
        *self.status.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn status(&self) -> Option<LinkStatus> {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// One thing the link heard: views read again, the tray counts again, and new alerts reach this
/// person as their own preferences (in this seat's file) say.
fn heard_from_team<R: Runtime>(
    app: &AppHandle<R>,
    owner_db: &Path,
    url: &str,
    listening: Option<&PgStore>,
    status: &Mutex<Option<LinkStatus>>,
    heard: Heard,
) {
    let now = match heard {
        Heard::Connected => LinkStatus {
            connected: true,
            problem: None,
            retry_in_secs: None,
        },
        Heard::Lost { reason, retry_in } => {
            eprintln!("earshot-desktop: team database link lost: {reason}");
            LinkStatus {
                connected: false,
                problem: Some(reason),
                retry_in_secs: Some(retry_in.as_secs().max(1)),
            }
        }
        Heard::Changes {
            changes: _,
            new_alerts,
        } => {
            let _ = app.emit(REVIEWS_CHANGED, ());
            if !new_alerts.is_empty() {
                notify_team_alerts(app, owner_db, url);
                show_team_unread(app, listening);
            }
            return;
        }
    };
    if now.connected {
        // Changes made while the link was down were not heard: views read again, and the
        // tray counts the team's alerts (the worker counted the file's at start).
        let _ = app.emit(REVIEWS_CHANGED, ());
        show_team_unread(app, listening);
    }
    let _ = app.emit(TEAM_LINK, &now);
    *status.lock().unwrap_or_else(|e| e.into_inner()) = Some(now);
}

/// The tray shows how many of the team's alerts wait to be looked at, counted on the live
/// link's own connection (not one opened for each count).
fn show_team_unread<R: Runtime>(app: &AppHandle<R>, listening: Option<&PgStore>) {
    if let Some(unread) = listening.and_then(|store| store.unread_alert_count().ok()) {
        crate::tray::show_unread(app, unread);
    }
}

/// Shows this person what the team's alerts owe them now, by their own preferences (this
/// seat's file): new ones, and those quiet hours, a pause or the daily summary held back, which
/// stay unmarked on the team database until shown (`actions::team_notify`). Called when the link
/// hears new alerts and on each tick of the worker, so what was held back shows when its time
/// comes. What was shown is marked for this person only.
pub fn notify_team_alerts<R: Runtime>(app: &AppHandle<R>, owner_db: &Path, url: &str) {
    // The live link and the worker's tick may both ask at once (a round that raised alerts is
    // heard by the link as the tick ends): one at a time, so the second plans after the first
    // marked what it showed and finds nothing to show twice.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Ok(seat) = Store::open(owner_db) else {
        return;
    };
    let prefs = earshot::alerts::notification_prefs(&seat).unwrap_or_default();
    let Ok(team) = Db::open(&DbLocation::Postgres(url.to_owned())) else {
        return;
    };
    let now = chrono::Local::now().fixed_offset();
    let Ok(plan) = team_notify::plan_team_notifications(&team, &prefs, now) else {
        return;
    };
    if plan.notify_now.is_empty() {
        return;
    }
    for n in &plan.notify_now {
        crate::notify::alert(app, n);
    }
    if let Err(e) = team_notify::record_team_notified(&team, &seat, &plan, chrono::Utc::now()) {
        eprintln!("earshot-desktop: could not record notifications: {e}");
    }
    if let Some(last) = plan.notify_now.iter().rev().find_map(|n| n.review_id) {
        app.state::<crate::state::LastNotified>().set(last);
    }
}

/// The section's state, read on the blocking pool (the choice's file, the password store and
/// the seat's file are all blocking reads).
async fn view(state: &AppState, link: &TeamLink) -> UiResult<TeamDatabaseView> {
    let owner_db = state.owner_db().to_path_buf();
    let team = state.team_database();
    let db_path = state.db_path();
    let link = link.status();
    on_blocking_pool(move || {
        let choice = team_seat::load_choice(&owner_db)?;
        let passwords = passwords();
        let fixed_at_start = team.as_ref().is_some_and(|t| t.from_start);
        let login = match &team {
            Some(t) if t.from_start => TeamLogin::from_url(&t.url),
            _ => choice.login,
        };
        let password_saved = match &login {
            Some(l) if !fixed_at_start => team_seat::password_saved(passwords.as_ref(), l)?,
            _ => false,
        };
        Ok(TeamDatabaseView {
            location: match &team {
                Some(t) => earshot::store::postgres::redacted(&t.url),
                None => db_path.display().to_string(),
            },
            in_use: team.is_some(),
            login,
            password_saved,
            fixed_at_start,
            passwords_in: passwords.describe(),
            link,
            your_notifications: match &team {
                Some(_) => Some(earshot::alerts::notification_prefs(&Store::open(
                    &owner_db,
                )?)?),
                None => None,
            },
        })
    })
    .await?
}

/// The section's state.
#[tauri::command]
pub async fn team_database(
    state: State<'_, AppState>,
    link: State<'_, TeamLink>,
) -> UiResult<TeamDatabaseView> {
    view(&state, &link).await
}

/// Saves the server, database and person, and the password when one is typed (kept in the
/// password store; an empty one is not a change).
#[tauri::command]
pub async fn save_team_database(
    state: State<'_, AppState>,
    link: State<'_, TeamLink>,
    login: TeamLogin,
    password: Option<String>,
) -> UiResult<TeamDatabaseView> {
    let owner_db = state.owner_db().to_path_buf();
    let password = password.filter(|p| !p.is_empty()).map(Secret::new);
    on_blocking_pool(move || {
        team_seat::save_login(&owner_db, passwords().as_ref(), &login, password.as_ref())
    })
    .await??;
    view(&state, &link).await
}

/// "Test connection": connects with the typed password (or the saved one) and says who you are.
#[tauri::command]
pub async fn test_team_database(login: TeamLogin, password: Option<String>) -> UiResult<TeamCheck> {
    let login = login.checked()?;
    let check = on_blocking_pool(move || {
        let url = match password.filter(|p| !p.is_empty()) {
            Some(p) => login.url_with_password(Some(&Secret::new(p))),
            None => team_seat::connect_url(passwords().as_ref(), &login)?,
        };
        team_seat::check_connection(&url)
    })
    .await??;
    Ok(check)
}

/// "Use this team database" (`on`) or "Back to this computer's database": switches every
/// command, the worker and the live link, once the team database answered.
#[tauri::command]
pub async fn use_team_database(
    app: AppHandle,
    state: State<'_, AppState>,
    link: State<'_, TeamLink>,
    on: bool,
) -> UiResult<TeamDatabaseView> {
    if let Some(t) = state.team_database().filter(|t| t.from_start) {
        return Err(TeamSeatError::FixedAtStart(earshot::store::postgres::redacted(&t.url)).into());
    }
    let owner_db = state.owner_db().to_path_buf();
    let url = on_blocking_pool(move || -> Result<Option<String>, TeamSeatError> {
        if !on {
            team_seat::set_active(&owner_db, false)?;
            return Ok(None);
        }
        let login =
            team_seat::load_choice(&owner_db)?
                .login
                .ok_or_else(|| TeamSeatError::Invalid {
                    what: "team database",
                    reason: "save the server, database and person first".into(),
                })?;
        let url = team_seat::connect_url(passwords().as_ref(), &login)?;
        // Only a database that answers is used: a wrong password must not leave the app on
        // nothing.
        team_seat::check_connection(&url)?;
        team_seat::set_active(&owner_db, true)?;
        Ok(Some(url))
    })
    .await??;
    match url {
        Some(url) => {
            state.use_team_database(Some(TeamDatabase {
                url: url.clone(),
                from_start: false,
            }));
            link.start(&app, url);
        }
        None => {
            state.use_team_database(None);
            link.stop();
        }
    }
    app.state::<Background>().request(Request::Replan);
    app.emit(REVIEWS_CHANGED, ())?;
    view(&state, &link).await
}
