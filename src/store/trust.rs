//! Trust: what a database file must prove before Earshot uses it, and what it may unlock.
//!
//! A database file can come from anyone: a backup the owner restores may have been made, or
//! edited, elsewhere (issue 33). So a file is trusted only as far as it proves itself:
//!
//! - **Its schema is exactly the one the migrations make.** Every table, index, trigger and view
//!   is compared with the list the migrations produce on a blank database (computed once per
//!   process, for every version), and a file with anything else, or anything missing, is refused
//!   before it is written to. A foreign trigger could otherwise undo the owner's changes or copy
//!   data where a later query reads it. Connections also run with `trusted_schema` off and
//!   SQLite's defensive mode on (see `Store::harden`).
//! - **Credentials belong to one database.** Each database has a random identity (migration
//!   0010), and the secret store names credentials after it (`secrets::entry_name`), so two
//!   databases never share a credential and a file made elsewhere finds none of the owner's.
//! - **An address that changed waits for the owner.** A restore compares each source's platform
//!   and addresses, and the settings' addresses (the AI endpoint), with the database it replaces;
//!   what differs is marked unconfirmed, and the secret store this module hands out
//!   ([`Store::secrets`]) refuses its credentials until the owner confirms it.
//! - **Addresses are https, or http to this computer.** [`check_endpoint`] is applied where
//!   settings are written in the store (the CLI, the app and a restore all pass here) and where
//!   credentials are handed out.
//!
//! What this module must not do: read or write any secret value itself (it only gates the
//! secret store), or slow the write path: every check runs when a file is opened or restored.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde_json::Value;

use super::{Result, Store, StoreError, EDITS_DEFINITIONS, MIGRATIONS};
use crate::model::SourceId;
use crate::secrets::{self, Secret, SecretError, SecretStore};

/// The secret store's slot for credentials of the whole app rather than a source (the AI
/// endpoint's key, `replies::ai::KEY_SOURCE`): held back while a setting's address waits for
/// confirmation.
pub const APP_WIDE_CREDENTIALS: SourceId = 0;

/// Settings that name where requests go, and so where credentials are sent: only https, or http
/// to this computer (see [`check_endpoint`]).
pub const ENDPOINT_SETTINGS: &[&str] = &["base_url", "auth_url", "token_url"];

/// Tables SQLite itself adds to a file the owner ran `ANALYZE` on: statistics only, no code.
const SQLITE_STATISTICS: &[&str] = &["sqlite_stat1", "sqlite_stat4"];

/// The suffixes of FTS5's own tables behind a full-text index.
const FTS5_SHADOW_SUFFIXES: &[&str] = &["_data", "_idx", "_content", "_docsize", "_config"];

/// Whether `url` may receive requests (and credentials): https anywhere, or http to a loopback
/// address (127.0.0.0/8, ::1, `localhost`) for a local model or a test server. An empty value
/// means "the platform's own address" and passes. The error is a plain-words reason.
pub fn check_endpoint(url: &str) -> std::result::Result<(), String> {
    let url = url.trim();
    if url.is_empty() {
        return Ok(());
    }
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not an address ({e})"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&parsed) => Ok(()),
        "http" => Err(format!(
            "{url} is plain http to another computer: use https (http is accepted only for this \
             computer: localhost, 127.0.0.1 or ::1)"
        )),
        other => Err(format!("{url} is a {other}: address; use https")),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // An IPv6 host is written in brackets; IPv4 ones arrive normalised (`127.1` is 127.0.0.1).
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks every address field of a settings object (a source's settings, a JSON setting).
pub fn check_endpoint_settings(settings: &Value) -> std::result::Result<(), String> {
    for key in ENDPOINT_SETTINGS {
        if let Some(url) = settings.get(key).and_then(Value::as_str) {
            check_endpoint(url).map_err(|reason| format!("{key}: {reason}"))?;
        }
    }
    Ok(())
}

pub(super) fn invalid_endpoint(reason: String) -> StoreError {
    StoreError::Invalid {
        what: "address",
        reason,
    }
}

/// The fields of a settings object that say where requests go: the endpoint settings, and any
/// other address a connector reads (`url`, `instance`, `…_url`, `…host`). A restore compares
/// them with the database it replaces.
fn addresses(settings: &Value) -> BTreeMap<String, String> {
    let Some(map) = settings.as_object() else {
        return BTreeMap::new();
    };
    map.iter()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            k == "url" || k == "instance" || k.ends_with("_url") || k.ends_with("host")
        })
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The schema a file must have.

/// One object of a schema as `sqlite_schema` lists it, its SQL with comments and spacing
/// normalised (an edit to a comment inside a migration's CREATE is not a different schema).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SchemaObject {
    kind: String,
    name: String,
    table: String,
    sql: Option<String>,
}

impl SchemaObject {
    fn describe(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }
}

fn read_schema(conn: &Connection) -> rusqlite::Result<BTreeSet<SchemaObject>> {
    let mut stmt = conn.prepare("SELECT type, name, tbl_name, sql FROM main.sqlite_schema")?;
    let rows = stmt.query_map([], |r| {
        Ok(SchemaObject {
            kind: r.get(0)?,
            name: r.get(1)?,
            table: r.get(2)?,
            sql: r.get::<_, Option<String>>(3)?.map(|s| normalise_sql(&s)),
        })
    })?;
    rows.collect()
}

/// `sql` without comments, with each run of white space one space and none next to
/// punctuation, quoted text kept as written.
fn normalise_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut space = false;
    let push_space = |out: &mut String, space: &mut bool| {
        if *space && !out.is_empty() {
            out.push(' ');
        }
        *space = false;
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '`' | '[' => {
                push_space(&mut out, &mut space);
                let close = if c == '[' { ']' } else { c };
                out.push(c);
                for q in chars.by_ref() {
                    out.push(q);
                    if q == close {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                for q in chars.by_ref() {
                    if q == '\n' {
                        break;
                    }
                }
                space = true;
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for q in chars.by_ref() {
                    if prev == '*' && q == '/' {
                        break;
                    }
                    prev = q;
                }
                space = true;
            }
            c if c.is_whitespace() => space = true,
            c if "(),;".contains(c) => {
                space = false;
                out.push(c);
            }
            c => {
                if out.ends_with(['(', ',']) {
                    space = false;
                }
                push_space(&mut out, &mut space);
                out.push(c);
            }
        }
    }
    out
}

/// The schema each version has, index = version (0: a new, empty file): the migrations applied
/// one by one to a blank database in memory, once per process.
fn expected_schemas() -> Result<&'static [BTreeSet<SchemaObject>]> {
    static EXPECTED: OnceLock<Vec<BTreeSet<SchemaObject>>> = OnceLock::new();
    if let Some(e) = EXPECTED.get() {
        return Ok(e);
    }
    let conn = Connection::open_in_memory()?;
    let mut all = vec![read_schema(&conn)?];
    for (name, sql) in MIGRATIONS {
        let failed = |error| StoreError::Migration { name, error };
        conn.execute_batch(sql).map_err(failed)?;
        if EDITS_DEFINITIONS.contains(name) {
            let cookie: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
            conn.pragma_update(None, "schema_version", cookie + 1)?;
        }
        all.push(read_schema(&conn).map_err(failed)?);
    }
    Ok(EXPECTED.get_or_init(|| all).as_slice())
}

/// What in the file's schema differs from what the migrations make at `version`, in words;
/// empty when it is exactly theirs.
pub(super) fn schema_differences(conn: &Connection, version: i64) -> Result<Vec<String>> {
    let expected = expected_schemas()?;
    let Some(expected) = usize::try_from(version).ok().and_then(|v| expected.get(v)) else {
        return Ok(vec![format!("schema version {version}")]);
    };
    let found = read_schema(conn)?;
    let fts_tables: Vec<&str> = expected
        .iter()
        .filter(|o| o.sql.as_deref().is_some_and(|s| s.contains("USING fts5")))
        .map(|o| o.name.as_str())
        .collect();
    let key = |o: &SchemaObject| (o.kind.clone(), o.name.clone());
    let expected_by_name: BTreeMap<_, _> = expected.iter().map(|o| (key(o), o)).collect();
    let found_by_name: BTreeMap<_, _> = found.iter().map(|o| (key(o), o)).collect();
    let mut differences = Vec::new();
    for (k, o) in &found_by_name {
        match expected_by_name.get(k) {
            None if o.kind == "table" && SQLITE_STATISTICS.contains(&o.name.as_str()) => {}
            None => differences.push(format!("a {} it should not have", o.describe())),
            Some(e) if is_fts5_shadow(&fts_tables, e) => {}
            Some(e) if e != o => differences.push(format!("a changed {}", o.describe())),
            Some(_) => {}
        }
    }
    for (k, e) in &expected_by_name {
        if !found_by_name.contains_key(k) {
            differences.push(format!("no {}", e.describe()));
        }
    }
    Ok(differences)
}

/// Whether `o` is one of FTS5's own tables behind one of `fts_tables`. FTS5 writes their
/// definitions itself, and a newer SQLite may spell them differently: they are matched by name.
/// Defensive mode keeps them read-only to SQL anyway.
fn is_fts5_shadow(fts_tables: &[&str], o: &SchemaObject) -> bool {
    o.kind == "table"
        && fts_tables.iter().any(|t| {
            o.name
                .strip_prefix(t)
                .is_some_and(|rest| FTS5_SHADOW_SUFFIXES.contains(&rest))
        })
}

/// The error for a file whose schema is not Earshot's.
pub(super) fn foreign_schema(path: &Path, differences: Vec<String>) -> StoreError {
    StoreError::ForeignSchema {
        path: path.to_owned(),
        differences: differences.join(", "),
    }
}

// ---------------------------------------------------------------------------------------------
// Identity, confirmation and the credentials a database may use.

impl Store {
    /// This database's random identity: what its credentials are named after.
    pub fn database_id(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("SELECT id FROM database_identity", [], |r| r.get(0))?)
    }

    /// The secret store for this database's credentials: names carry its identity, and a
    /// source (or the app-wide slot) whose address waits for the owner's confirmation gets
    /// none. The first call after the upgrade that gave the database its identity moves its
    /// credentials from their old names (`keys`: every secret setting name, which the platform
    /// registry knows and the store does not), when a keyring is at hand; without one it tries
    /// again next time and nothing fails. Callers use `platforms::credentials`.
    pub fn secrets_named(&self, keys: &[&str]) -> Result<Box<dyn SecretStore>> {
        let id = self.database_id()?;
        if !self.moved_old_credentials()? {
            let mut sources: Vec<SourceId> =
                self.sources_uncounted()?.iter().map(|s| s.id).collect();
            sources.push(APP_WIDE_CREDENTIALS);
            if secrets::move_to_database(&id, &sources, keys).is_ok() {
                self.conn
                    .execute("UPDATE database_identity SET moved_old_credentials = 1", [])?;
            }
        }
        self.guard_secrets(secrets::open_for_database(&id))
    }

    /// `inner` (a store already named for this database) behind this database's confirmation
    /// gate: what [`Store::secrets`] returns, and what tests wrap around a memory store.
    pub fn guard_secrets(&self, inner: Box<dyn SecretStore>) -> Result<Box<dyn SecretStore>> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|error| StoreError::Open {
            path: self.path.clone(),
            error,
        })?;
        harden(&conn)?;
        conn.busy_timeout(super::BUSY_TIMEOUT)?;
        Ok(Box::new(GuardedSecrets {
            inner,
            db: Mutex::new(conn),
        }))
    }

    fn moved_old_credentials(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT moved_old_credentials FROM database_identity",
            [],
            |r| r.get(0),
        )?)
    }

    /// Confirms a source's addresses after a restore: its credentials are used again.
    pub fn confirm_source(&self, id: SourceId) -> Result<()> {
        let n = self
            .conn
            .execute("UPDATE sources SET unconfirmed = NULL WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::UnknownSource(id));
        }
        Ok(())
    }

    /// Why the app-wide credentials (the AI endpoint's key) wait for confirmation, if they do.
    pub fn settings_unconfirmed(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT ai_unconfirmed FROM database_identity", [], |r| {
                r.get(0)
            })?)
    }

    /// Confirms the addresses in the settings (the AI endpoint) after a restore.
    pub fn confirm_settings(&self) -> Result<()> {
        self.conn
            .execute("UPDATE database_identity SET ai_unconfirmed = NULL", [])?;
        Ok(())
    }

    /// What the database says about where credentials may go: read before a restore replaces
    /// it, and given to the restored file.
    pub(super) fn trust_snapshot(&self) -> Result<TrustSnapshot> {
        let (id, moved, settings_unconfirmed): (String, bool, Option<String>) =
            self.conn.query_row(
                "SELECT id, moved_old_credentials, ai_unconfirmed FROM database_identity",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
        Ok(TrustSnapshot {
            id,
            moved_old_credentials: moved,
            settings_unconfirmed,
            sources: source_addresses(&self.conn)?,
            settings: settings_addresses(&self.conn)?,
            channels: channel_destinations(&self.conn)?,
        })
    }

    /// Gives a just-restored database the identity of the one it replaced, and holds back the
    /// credentials of every source (and of the settings) whose addresses differ from it.
    pub(super) fn adopt_trust(&mut self, replaced: &TrustSnapshot, from: &Path) -> Result<()> {
        let restored_sources = source_addresses(&self.conn)?;
        let restored_settings = settings_addresses(&self.conn)?;
        let restored_channels = channel_destinations(&self.conn)?;
        let file = from.file_name().map_or_else(
            || from.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let tx = self.conn.transaction()?;
        for (id, restored) in &restored_sources {
            let unconfirmed = match replaced.sources.get(id) {
                Some(before)
                    if before.connector == restored.connector
                        && before.addresses == restored.addresses =>
                {
                    before.unconfirmed.clone()
                }
                Some(before) => Some(format!(
                    "the restored file {file} gives this source {} where this computer's \
                     database had {}",
                    restored.describe(),
                    before.describe()
                )),
                None => Some(format!(
                    "the restored file {file} added this source ({})",
                    restored.describe()
                )),
            };
            tx.execute(
                "UPDATE sources SET unconfirmed = ?2 WHERE id = ?1",
                params![id, unconfirmed],
            )?;
        }
        for (id, restored) in &restored_channels {
            let unconfirmed = match replaced.channels.get(id) {
                Some(before) if before.same_destination(restored) => before.unconfirmed.clone(),
                Some(before) => Some(format!(
                    "the restored file {file} sends this channel to {} where this computer's \
                     database sent it to {}",
                    restored.describe(),
                    before.describe()
                )),
                None => Some(format!(
                    "the restored file {file} added this channel ({})",
                    restored.describe()
                )),
            };
            tx.execute(
                "UPDATE alert_channels SET unconfirmed = ?2 WHERE id = ?1",
                params![id, unconfirmed],
            )?;
        }
        let settings_unconfirmed = if restored_settings == replaced.settings {
            replaced.settings_unconfirmed.clone()
        } else {
            Some(format!(
                "the restored file {file} changes the addresses in the settings (the AI \
                 endpoint): {}",
                describe_addresses(&restored_settings)
            ))
        };
        tx.execute(
            "UPDATE database_identity SET id = ?1, moved_old_credentials = ?2,
                 ai_unconfirmed = ?3",
            params![
                replaced.id,
                replaced.moved_old_credentials,
                settings_unconfirmed
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Holds back every credential of a restored database that could not be compared with
    /// the one it replaced (that file was damaged): the owner confirms each source.
    pub fn distrust_all(&self, reason: &str) -> Result<()> {
        self.conn
            .execute("UPDATE sources SET unconfirmed = ?1", [reason])?;
        self.conn
            .execute("UPDATE database_identity SET ai_unconfirmed = ?1", [reason])?;
        self.conn
            .execute("UPDATE alert_channels SET unconfirmed = ?1", [reason])?;
        Ok(())
    }
}

/// A source's platform and addresses, as a restore compares them.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SourceAddresses {
    connector: String,
    addresses: BTreeMap<String, String>,
    unconfirmed: Option<String>,
}

impl SourceAddresses {
    fn describe(&self) -> String {
        if self.addresses.is_empty() {
            format!("{} at its usual address", self.connector)
        } else {
            format!(
                "{} at {}",
                self.connector,
                describe_addresses(&self.addresses)
            )
        }
    }
}

fn describe_addresses(a: &BTreeMap<String, String>) -> String {
    if a.is_empty() {
        return "none".into();
    }
    let parts: Vec<String> = a.iter().map(|(k, v)| format!("{k} {v}")).collect();
    parts.join(", ")
}

/// What a database says about where credentials may go (see [`Store::trust_snapshot`]).
#[derive(Debug, Clone)]
pub(super) struct TrustSnapshot {
    id: String,
    moved_old_credentials: bool,
    settings_unconfirmed: Option<String>,
    sources: BTreeMap<SourceId, SourceAddresses>,
    settings: BTreeMap<String, String>,
    channels: BTreeMap<i64, ChannelDestination>,
}

/// Where an alert channel sends, as a restore compares it: its kind, its target (webhook or
/// ntfy URL, e-mail recipient) and its settings (SMTP server, user and sender, body format).
/// Everything is compared: each of these decides who reads the owner's alerts, or which server
/// gets the e-mail password.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ChannelDestination {
    kind: String,
    target: String,
    settings: Value,
    unconfirmed: Option<String>,
}

impl ChannelDestination {
    fn same_destination(&self, other: &ChannelDestination) -> bool {
        self.kind == other.kind && self.target == other.target && self.settings == other.settings
    }

    fn describe(&self) -> String {
        match self.settings.get("server").and_then(Value::as_str) {
            Some(server) => format!("{} {} through {server}", self.kind, self.target),
            None => format!("{} {}", self.kind, self.target),
        }
    }
}

fn channel_destinations(conn: &Connection) -> Result<BTreeMap<i64, ChannelDestination>> {
    let mut stmt =
        conn.prepare("SELECT id, kind, target, settings, unconfirmed FROM alert_channels")?;
    let rows = stmt.query_map([], |r| {
        let settings: String = r.get(3)?;
        Ok((
            r.get::<_, i64>(0)?,
            ChannelDestination {
                kind: r.get(1)?,
                target: r.get(2)?,
                settings: serde_json::from_str(&settings).unwrap_or(Value::Null),
                unconfirmed: r.get(4)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn source_addresses(conn: &Connection) -> Result<BTreeMap<SourceId, SourceAddresses>> {
    let mut stmt = conn.prepare("SELECT id, connector, settings, unconfirmed FROM sources")?;
    let rows = stmt.query_map([], |r| {
        let settings: String = r.get(2)?;
        let settings: Value = serde_json::from_str(&settings).unwrap_or(Value::Null);
        Ok((
            r.get::<_, SourceId>(0)?,
            SourceAddresses {
                connector: r.get(1)?,
                addresses: addresses(&settings),
                unconfirmed: r.get(3)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The addresses held in the settings table, keyed `setting.field`.
fn settings_addresses(conn: &Connection) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare("SELECT key, value FROM settings")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (key, value) = row?;
        let value: Value = serde_json::from_str(&value).unwrap_or(Value::Null);
        for (field, url) in addresses(&value) {
            out.insert(format!("{key}.{field}"), url);
        }
    }
    Ok(out)
}

/// Why a stored source may not have its credentials now, if it may not: it waits for the
/// owner's confirmation, or one of its addresses is not https or loopback http.
pub(super) fn source_withheld(unconfirmed: Option<&str>, settings: &Value) -> Option<String> {
    if let Some(why) = unconfirmed {
        return Some(why.to_string());
    }
    check_endpoint_settings(settings).err()
}

/// Sets `trusted_schema` off and SQLite's defensive mode on for a connection: functions and
/// virtual tables with side effects cannot run from the schema (a trigger or a view), and the
/// schema and FTS5's own tables cannot be written as ordinary tables. The migrations that edit
/// definitions in place run before defensive mode is turned on (`Store::migrate`).
pub(super) fn harden(conn: &Connection) -> Result<()> {
    use rusqlite::config::DbConfig;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    Ok(())
}

/// Sets `trusted_schema` off only: what a connection runs with until its migrations are done.
pub(super) fn distrust_schema(conn: &Connection) -> Result<()> {
    use rusqlite::config::DbConfig;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    Ok(())
}

pub(super) fn set_defensive(conn: &Connection, on: bool) -> Result<()> {
    use rusqlite::config::DbConfig;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, on)?;
    Ok(())
}

/// A secret store that asks the database, at every read, whether the source may have its
/// credentials now: a restore or a confirmation made while the app runs counts at once.
struct GuardedSecrets {
    inner: Box<dyn SecretStore>,
    db: Mutex<Connection>,
}

impl GuardedSecrets {
    fn withheld(&self, source: SourceId) -> std::result::Result<Option<String>, SecretError> {
        let conn = self
            .db
            .lock()
            .map_err(|_| SecretError::Withheld("the database check failed before".into()))?;
        let read = |e: rusqlite::Error| {
            SecretError::Withheld(format!("the database could not be read to check it ({e})"))
        };
        if source == APP_WIDE_CREDENTIALS {
            let unconfirmed: Option<String> = conn
                .query_row("SELECT ai_unconfirmed FROM database_identity", [], |r| {
                    r.get(0)
                })
                .map_err(read)?;
            if let Some(why) = unconfirmed {
                return Ok(Some(why));
            }
            let mut stmt = conn
                .prepare("SELECT key, value FROM settings")
                .map_err(read)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .map_err(read)?;
            for row in rows {
                let (key, value) = row.map_err(read)?;
                let value: Value = serde_json::from_str(&value).unwrap_or(Value::Null);
                if let Err(why) = check_endpoint_settings(&value) {
                    return Ok(Some(format!("the setting {key}: {why}")));
                }
            }
            return Ok(None);
        }
        let row: Option<(Option<String>, String)> = conn
            .query_row(
                "SELECT unconfirmed, settings FROM sources WHERE id = ?1",
                [source],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(read)?;
        Ok(row.and_then(|(unconfirmed, settings)| {
            let settings: Value = serde_json::from_str(&settings).unwrap_or(Value::Null);
            source_withheld(unconfirmed.as_deref(), &settings)
        }))
    }
}

impl SecretStore for GuardedSecrets {
    fn get(&self, source: SourceId, key: &str) -> std::result::Result<Option<Secret>, SecretError> {
        if let Some(why) = self.withheld(source)? {
            let confirm = if source == APP_WIDE_CREDENTIALS {
                "check the AI endpoint in Settings and confirm it (`earshot sources confirm --ai`)"
                    .to_string()
            } else {
                format!("check it and confirm it (`earshot sources confirm {source}`)")
            };
            return Err(SecretError::Withheld(format!(
                "credentials held back: {why}; {confirm}"
            )));
        }
        self.inner.get(source, key)
    }

    fn set(
        &self,
        source: SourceId,
        key: &str,
        value: &Secret,
    ) -> std::result::Result<(), SecretError> {
        self.inner.set(source, key, value)
    }

    fn delete(&self, source: SourceId, key: &str) -> std::result::Result<(), SecretError> {
        self.inner.delete(source, key)
    }

    fn delete_all(&self, source: SourceId, keys: &[&str]) -> std::result::Result<(), SecretError> {
        self.inner.delete_all(source, keys)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_http_to_this_computer() {
        for ok in [
            "https://api.trustpilot.com",
            "https://example.com:8443/v1",
            "http://127.0.0.1:8080",
            "http://127.8.9.10/x",
            "http://localhost:11434",
            "http://LOCALHOST",
            "http://[::1]:9000/",
            "",
        ] {
            assert_eq!(check_endpoint(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://evil.example",
            "http://192.168.1.5:11434",
            "http://10.0.0.1",
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example",
            "http://[::2]/",
            "file:///etc/passwd",
            "ftp://example.com",
            "javascript:alert(1)",
            "not a url",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sql_is_compared_without_comments_or_spacing() {
        assert_eq!(
            normalise_sql(
                "CREATE TABLE t (\n  a INT, -- the a\n  b TEXT /* b */ DEFAULT 'x  y'\n)"
            ),
            normalise_sql("CREATE TABLE t (a INT,b TEXT DEFAULT 'x  y')")
        );
        assert_ne!(
            normalise_sql("CREATE TABLE t (a INT DEFAULT 'x  y')"),
            normalise_sql("CREATE TABLE t (a INT DEFAULT 'x y')")
        );
        assert_ne!(
            normalise_sql("CREATE TABLE t (a INT)"),
            normalise_sql("CREATE TABLE t (a TEXT)")
        );
    }

    #[test]
    fn every_version_has_an_expected_schema() {
        let expected = expected_schemas().unwrap();
        assert_eq!(expected.len(), MIGRATIONS.len() + 1);
        assert!(expected[0].is_empty());
        let last = expected.last().unwrap();
        for name in [
            "reviews",
            "reviews_fts",
            "reviews_fts_data",
            "database_identity",
        ] {
            assert!(last.iter().any(|o| o.name == name), "{name}");
        }
    }
}
