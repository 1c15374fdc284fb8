//! The app on a team database (issue 31): which database this seat opens, Settings → Team
//! database's login and "Test connection", and the live link that tells an open seat of another
//! seat's changes (`LISTEN earshot`), reconnecting with backoff when the server goes away.
//!
//! What is kept where:
//! - The choice (server, database, person, and whether it is in use) is this seat's own: a small
//!   JSON file beside the seat's database file ([`choice_path`]). Not in the database file itself:
//!   the app reads it before it opens any database, and opening a large file may start a slow
//!   upgrade the window wants to announce first. Not in the team database: it says how to reach it.
//! - The password is in this computer's password store (the OS keyring, or the opted-in secrets
//!   file), filed under [`TEAM_LOGINS`] and the URL without its password; never in the choice's
//!   file, the database, a log or a message.
//! - Notification preferences stay in the seat's own file: a team's alerts are raised once for the
//!   team, and each seat notifies its own person as they chose ([`team_notification_plan`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::alerts::{self, NotificationPrefs, Plan};
use crate::model::alerts::{Alert, AlertId};
use crate::secrets::{Secret, SecretError, SecretStore};
use crate::store::postgres::listener::{self, LinkEvent};
use crate::store::postgres::{is_postgres_url, redacted, Change, PgStore, Role};
use crate::store::{AlertStore, StoreError};

/// The name the team logins' passwords are filed under in the password store (as a database's
/// identity names its credentials), one entry per team URL.
pub const TEAM_LOGINS: &str = "team-logins";

/// The slot of the password store the passwords use (no platform source has id 0).
pub const PASSWORD_SLOT: i64 = 0;

/// The live link's timing: the core listener's (`store::postgres::listener`).
pub use crate::store::postgres::listener::{LISTEN_TICK, RECONNECT_AT_MOST, RECONNECT_FIRST};

/// Why a team-database step of the app failed.
#[derive(Debug, thiserror::Error)]
pub enum TeamSeatError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secrets(#[from] SecretError),
    /// A field of the login that cannot make a database address.
    #[error("{what}: {reason}")]
    Invalid { what: &'static str, reason: String },
    /// The choice's file could not be read or written.
    #[error("{path}: {error}")]
    File {
        path: PathBuf,
        #[source]
        error: std::io::Error,
    },
    /// The app was started on a team database (`--db` or `EARSHOT_DB`): Settings cannot change it.
    #[error(
        "Earshot was started on {0} (by EARSHOT_DB or --db); start it without them to choose here"
    )]
    FixedAtStart(String),
}

impl TeamSeatError {
    /// A stable code for the UI.
    pub fn code(&self) -> &'static str {
        match self {
            TeamSeatError::Store(e) => e.code(),
            TeamSeatError::Secrets(_) => "keyring",
            TeamSeatError::Invalid { .. } => "invalid_team_login",
            TeamSeatError::File { .. } => "team_choice_file",
            TeamSeatError::FixedAtStart(_) => "team_database_fixed",
        }
    }
}

pub type Result<T, E = TeamSeatError> = std::result::Result<T, E>;

/// Where a team database is and who signs in, without the password: what Settings shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamLogin {
    /// The server's name or address.
    pub host: String,
    /// `None`: PostgreSQL's default, 5432.
    pub port: Option<u16>,
    pub database: String,
    /// The person's sign-in name on the server.
    pub person: String,
}

impl TeamLogin {
    /// The login after trimming, or why it cannot name a database. The fields go into a URL
    /// as they are, so characters that would change the URL's meaning are refused.
    pub fn checked(&self) -> Result<TeamLogin> {
        let field = |what: &'static str, value: &str| -> Result<String> {
            let value = value.trim();
            if value.is_empty() {
                return Err(TeamSeatError::Invalid {
                    what,
                    reason: "it is empty".into(),
                });
            }
            if let Some(c) = value
                .chars()
                .find(|c| c.is_whitespace() || c.is_control() || "@/:?#%[]\\'\"".contains(*c))
            {
                return Err(TeamSeatError::Invalid {
                    what,
                    reason: format!("it may not hold {c:?}"),
                });
            }
            Ok(value.to_owned())
        };
        Ok(TeamLogin {
            host: field("server", &self.host)?,
            port: self.port,
            database: field("database", &self.database)?,
            person: field("person", &self.person)?,
        })
    }

    /// `postgresql://person@host[:port]/database`: the URL without a password, which messages,
    /// the footer and the password store's entry name use.
    pub fn url(&self) -> String {
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        format!(
            "postgresql://{}@{}{port}/{}",
            self.person, self.host, self.database
        )
    }

    /// The URL to connect with: [`TeamLogin::url`] with the password, percent-encoded so any
    /// character may be in it. Never shown, logged or written down.
    pub fn url_with_password(&self, password: Option<&Secret>) -> String {
        let Some(password) = password.filter(|p| !p.expose().is_empty()) else {
            return self.url();
        };
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        format!(
            "postgresql://{}:{}@{}{port}/{}",
            self.person,
            percent_encoding::utf8_percent_encode(password.expose(), USERINFO),
            self.host,
            self.database
        )
    }

    /// The login a URL names (a password in it is dropped): what `EARSHOT_DB` holds, shown in
    /// Settings. `None` when it is not a `postgresql://user@host[:port]/database` URL.
    pub fn from_url(url: &str) -> Option<TeamLogin> {
        if !is_postgres_url(url) {
            return None;
        }
        let shown = redacted(url);
        let (_, rest) = shown.split_once("://")?;
        let (person, rest) = rest.split_once('@')?;
        let (server, database) = rest.split_once('/')?;
        let database = database.split('?').next().unwrap_or_default();
        let (host, port) = match server.rsplit_once(':') {
            Some((host, port)) => (host, Some(port.parse().ok()?)),
            None => (server, None),
        };
        TeamLogin {
            host: host.to_owned(),
            port,
            database: database.to_owned(),
            person: person.to_owned(),
        }
        .checked()
        .ok()
    }
}

/// Every byte but RFC 3986's unreserved characters is written `%XX` in the URL's password.
const USERINFO: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// This seat's own database file in the OS data directory (where the app keeps it without
/// `--db` or `EARSHOT_DB`): its preferences and its way back when the app was started on a team
/// database by `EARSHOT_DB=postgresql://…`.
pub fn seat_file() -> PathBuf {
    let base = dirs::data_dir().unwrap_or_else(|| PathBuf::from("."));
    base.join("earshot").join("earshot.db")
}

/// This seat's own database file when Earshot runs on `location`: the file itself, or on a team
/// database the seat's file ([`seat_file`]), where its preferences and its backups of the team's
/// reviews are kept. A team URL is never taken for a path (it may hold a password).
pub fn own_file(location: &crate::store::DbLocation) -> PathBuf {
    match location {
        crate::store::DbLocation::File(path) => path.clone(),
        crate::store::DbLocation::Postgres(_) => seat_file(),
    }
}

/// This seat's choice, as kept in [`choice_path`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamChoice {
    /// The team database last saved in Settings, if any.
    pub login: Option<TeamLogin>,
    /// Whether the app opens it (true) or this computer's own database file (false).
    pub active: bool,
}

/// The file beside the seat's database that holds its [`TeamChoice`]: `earshot.db` keeps it in
/// `earshot.db.team.json`, so two database files in one folder never share one.
pub fn choice_path(seat_db: &Path) -> PathBuf {
    let mut name = seat_db
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "earshot.db".into());
    name.push(".team.json");
    seat_db.with_file_name(name)
}

/// The seat's choice; none saved yet is the default (this computer's file).
pub fn load_choice(seat_db: &Path) -> Result<TeamChoice> {
    let path = choice_path(seat_db);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(TeamChoice::default()),
        Err(error) => return Err(TeamSeatError::File { path, error }),
    };
    serde_json::from_str(&text).map_err(|e| TeamSeatError::File {
        path,
        error: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

fn save_choice(seat_db: &Path, choice: &TeamChoice) -> Result<()> {
    let path = choice_path(seat_db);
    let file_error = |error| TeamSeatError::File {
        path: path.clone(),
        error,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(file_error)?;
    }
    let text = serde_json::to_string_pretty(choice).expect("a choice serialises");
    // Written beside and renamed, so a crash never leaves half a file the next start cannot read.
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, text).map_err(file_error)?;
    std::fs::rename(&partial, &path).map_err(file_error)
}

/// Saves `login` as this seat's team database, and its password when one is given (an empty
/// one forgets it; `None` keeps the saved one). Whether the app uses it is left as it was,
/// except that a login for another database is not used until the person chooses it.
pub fn save_login(
    seat_db: &Path,
    passwords: &dyn SecretStore,
    login: &TeamLogin,
    password: Option<&Secret>,
) -> Result<TeamChoice> {
    let login = login.checked()?;
    let mut choice = load_choice(seat_db)?;
    if choice.login.as_ref() != Some(&login) {
        choice.active = false;
    }
    match password {
        Some(p) if p.expose().is_empty() => passwords.delete(PASSWORD_SLOT, &login.url())?,
        Some(p) => passwords.set(PASSWORD_SLOT, &login.url(), p)?,
        None => {}
    }
    choice.login = Some(login);
    save_choice(seat_db, &choice)?;
    Ok(choice)
}

/// "Use this team database" (`true`) or "Back to this computer's database" (`false`).
pub fn set_active(seat_db: &Path, active: bool) -> Result<TeamChoice> {
    let mut choice = load_choice(seat_db)?;
    if active && choice.login.is_none() {
        return Err(TeamSeatError::Invalid {
            what: "team database",
            reason: "save the server, database and person first".into(),
        });
    }
    choice.active = active;
    save_choice(seat_db, &choice)?;
    Ok(choice)
}

/// Whether a password is saved for `login` (the password itself never leaves the store).
pub fn password_saved(passwords: &dyn SecretStore, login: &TeamLogin) -> Result<bool> {
    Ok(passwords.get(PASSWORD_SLOT, &login.url())?.is_some())
}

/// The URL, with its saved password, of `login`.
pub fn connect_url(passwords: &dyn SecretStore, login: &TeamLogin) -> Result<String> {
    let password = passwords.get(PASSWORD_SLOT, &login.url())?;
    Ok(login.url_with_password(password.as_ref()))
}

/// The team database the app opens at start from the seat's own choice: the URL with its
/// password when the choice is in use, else `None` (the seat's file).
pub fn chosen_url(seat_db: &Path, passwords: &dyn SecretStore) -> Result<Option<String>> {
    match load_choice(seat_db)? {
        TeamChoice {
            login: Some(login),
            active: true,
        } => Ok(Some(connect_url(passwords, &login)?)),
        _ => Ok(None),
    }
}

/// What "Test connection" says: the database, its schema version, who you are on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamCheck {
    /// The URL without its password.
    pub location: String,
    pub schema_version: i64,
    pub person: String,
    /// Their role on the team; `None` for a login that is not on the team's list.
    pub role: Option<Role>,
    /// Whether they own the database (who set the team up).
    pub runs_the_database: bool,
}

/// Connects to `url` (bringing its schema up to date, as opening it for work would) and says
/// who this seat is on it.
pub fn check_connection(url: &str) -> Result<TeamCheck> {
    let store = PgStore::open(url)?;
    let person = store.signed_in()?;
    Ok(TeamCheck {
        location: store.location().to_owned(),
        schema_version: store.schema_version()?,
        person: person.name,
        role: person.role,
        runs_the_database: person.runs_the_database,
    })
}

/// What the live link tells the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    /// Connected (again): changes made while the link was down were not heard, so views should
    /// read again.
    Connected,
    /// Changes committed by a seat (this one included), with the alerts among them as stored
    /// (read on the listening connection, so a notification can say what they are).
    Changes {
        changes: Vec<Change>,
        new_alerts: Vec<Alert>,
    },
    /// The connection failed or went away; the next try is after `retry_in`. The reason names the
    /// database without its password (the store's errors never hold it).
    Lost { reason: String, retry_in: Duration },
}

/// The ids of the alerts `changes` wrote. A change names the newest row of its statement and how
/// many it wrote; an alert is raised by a statement of its own, so the ids are the `count` up to
/// `id` (ids another seat's statement took in between are read too, and are new alerts as well).
pub fn alert_ids(changes: &[Change]) -> Vec<AlertId> {
    let mut ids: Vec<AlertId> = changes
        .iter()
        .filter(|c| c.kind == "alert")
        .flat_map(|c| (c.id - c.count.max(1) + 1)..=c.id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Hears the team database at `url` until `stop` is set, through the core's reconnecting
/// listener ([`listener::listen`]: reconnects after [`RECONNECT_FIRST`], doubling up to
/// [`RECONNECT_AT_MOST`], and back to the first after a connection that worked; looks at `stop`
/// every [`LISTEN_TICK`]). Runs on a thread of its own (the `postgres` client blocks).
pub fn listen_until(url: &str, stop: &AtomicBool, on_heard: &mut dyn FnMut(Heard)) {
    listen_on(url, stop, &mut |heard, _| on_heard(heard));
}

/// [`listen_until`], handing `on_heard` the listening connection too while connected: a read
/// that follows what was heard (the tray's count of the team's alerts) is made on it, not on a
/// connection opened for it.
pub fn listen_on(url: &str, stop: &AtomicBool, on_heard: &mut dyn FnMut(Heard, Option<&PgStore>)) {
    // A lasting failure (a newer schema) ends the link; `on_heard` was told why as `Lost`.
    let _ = listener::listen(
        &mut || PgStore::open(url),
        &|| stop.load(Ordering::SeqCst),
        &mut |event, store| {
            let heard = match event {
                LinkEvent::Connected { .. } => Heard::Connected,
                LinkEvent::Lost { reason, retry_in } => Heard::Lost { reason, retry_in },
                LinkEvent::Changes(changes) => {
                    let ids = alert_ids(&changes);
                    let new_alerts = match store {
                        Some(store) if !ids.is_empty() => AlertStore::alerts_by_ids(store, &ids)?,
                        _ => Vec::new(),
                    };
                    Heard::Changes {
                        changes,
                        new_alerts,
                    }
                }
            };
            on_heard(heard, store);
            Ok(true)
        },
    );
}

/// The notifications this seat shows for alerts the team raised, by its own person's
/// preferences (`prefs`, from the seat's own file). Each seat decides for its own person:
/// the team's shared `notified_at` (which a seat that notified its person would set for
/// everyone) is not read, so every seat plans as if none had notified yet. For alerts held back
/// by quiet hours, a pause or the daily summary and shown later, the app plans with
/// [`super::team_notify`] instead, which reads the person's own marks (`alert_notifications`).
pub fn team_notification_plan(
    prefs: &NotificationPrefs,
    now: DateTime<FixedOffset>,
    new_alerts: &[Alert],
) -> Plan {
    let unseen: Vec<Alert> = new_alerts
        .iter()
        .cloned()
        .map(|mut a| {
            a.notified_at = None;
            a
        })
        .collect();
    alerts::notification_plan(prefs, now, &unseen)
}
