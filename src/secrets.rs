//! Credentials: API keys, tokens and passwords for sources, kept in the OS keyring (Secret
//! Service on Linux), never in the database, logs or error messages.
//!
//! Where no keyring is available (a headless machine, a desktop without a Secret Service), Earshot
//! says so and stores nothing, unless the owner opts in to a file only they can read by setting
//! `EARSHOT_SECRETS_FILE`. Tests use [`MemorySecrets`].
//!
//! Credentials are named after the database they belong to ([`entry_name`]): each database has a
//! random identity (`Store::database_id`), so two databases never share a credential and a file
//! restored from elsewhere finds none of the owner's (issue 33). `Store::secrets` opens the store
//! for a database and holds back what waits for the owner's confirmation.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::model::SourceId;

/// The environment variable that opts in to a credentials file instead of the keyring.
pub const SECRETS_FILE_VAR: &str = "EARSHOT_SECRETS_FILE";

/// The keyring service name entries are filed under.
const SERVICE: &str = "earshot";

/// A credential that is never printed: `Debug` shows only that it exists.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// `text` with every credential in `secrets` replaced by `[hidden]`: for error messages that
/// quote a platform's answer, since some platforms echo the key they were sent. Values shorter
/// than 6 characters are left alone: they are not credentials, and hiding them would garble
/// ordinary words.
pub fn redact(text: &str, secrets: &[Secret]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        let v = s.expose().trim();
        if v.chars().count() >= 6 && out.contains(v) {
            out = out.replace(v, "[hidden]");
        }
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "no keyring is available on this computer ({0}). Earshot keeps credentials only in the \
         OS keyring unless you choose otherwise: to keep them in a file that only your user can \
         read, set {SECRETS_FILE_VAR}=/path/to/earshot-secrets.json and try again"
    )]
    NoKeyring(String),
    #[error("the keyring refused: {0}")]
    Keyring(String),
    #[error("the credentials file {path}: {error}")]
    File { path: PathBuf, error: String },
    /// The database holds this credential back until the owner confirms an address.
    #[error("{0}")]
    Withheld(String),
}

/// Where secrets of sources are kept.
pub trait SecretStore: Send + Sync {
    fn get(&self, source: SourceId, key: &str) -> Result<Option<Secret>, SecretError>;
    fn set(&self, source: SourceId, key: &str, value: &Secret) -> Result<(), SecretError>;
    fn delete(&self, source: SourceId, key: &str) -> Result<(), SecretError>;

    /// Deletes every secret of the source. `keys` names them all (the caller knows which
    /// settings are secret: the platform registry's `secret_keys`), for stores that cannot list
    /// what they hold, such as the OS keyring.
    fn delete_all(&self, source: SourceId, keys: &[&str]) -> Result<(), SecretError> {
        for key in keys {
            self.delete(source, key)?;
        }
        Ok(())
    }

    /// Where secrets go, for `sources list` and the Settings screen.
    fn describe(&self) -> String;
}

/// The name a credential is filed under: `db-{database}/source-{source}/{key}`, the database's
/// identity first. An empty `database` gives the names used before databases had one
/// (`source-{source}/{key}`), which [`move_to_database`] moves from.
pub fn entry_name(database: &str, source: SourceId, key: &str) -> String {
    if database.is_empty() {
        format!("source-{source}/{key}")
    } else {
        format!("db-{database}/source-{source}/{key}")
    }
}

/// The store for the credentials of the database named `database` (its identity): the
/// credentials file when the owner opted in, the OS keyring otherwise.
pub fn open_for_database(database: &str) -> Box<dyn SecretStore> {
    match std::env::var_os(SECRETS_FILE_VAR).filter(|v| !v.is_empty()) {
        Some(path) => Box::new(FileSecrets::new(PathBuf::from(path)).for_database(database)),
        None => Box::new(Keyring::for_database(database)),
    }
}

/// Moves the credentials of `sources` from the names used before databases had an identity to
/// the names of `database`, in the default store; how many moved. What a database upgraded to
/// schema 10 runs once (`Store::secrets`); an error (no keyring) leaves every name as it was.
pub fn move_to_database(
    database: &str,
    sources: &[SourceId],
    keys: &[&str],
) -> Result<usize, SecretError> {
    move_names(
        open_for_database("").as_ref(),
        open_for_database(database).as_ref(),
        sources,
        keys,
    )
}

/// Moves every credential of `sources` named in `keys` (every secret setting name there is: the
/// keyring cannot list what it holds) from `from` to `to`: copied, then deleted from `from`.
pub fn move_names(
    from: &dyn SecretStore,
    to: &dyn SecretStore,
    sources: &[SourceId],
    keys: &[&str],
) -> Result<usize, SecretError> {
    let mut moved = 0;
    for &source in sources {
        for &key in keys {
            if let Some(value) = from.get(source, key)? {
                to.set(source, key, &value)?;
                from.delete(source, key)?;
                moved += 1;
            }
        }
    }
    Ok(moved)
}

/// The OS keyring, with names for one database.
#[derive(Debug, Default, Clone)]
pub struct Keyring {
    database: String,
}

impl Keyring {
    pub fn for_database(database: &str) -> Keyring {
        Keyring {
            database: database.to_owned(),
        }
    }

    fn entry(&self, source: SourceId, key: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(SERVICE, &entry_name(&self.database, source, key))
            .map_err(keyring_error)
    }
}

fn keyring_error(e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::NoStorageAccess(inner) => SecretError::NoKeyring(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => SecretError::NoKeyring(inner.to_string()),
        other => SecretError::Keyring(other.to_string()),
    }
}

impl SecretStore for Keyring {
    fn get(&self, source: SourceId, key: &str) -> Result<Option<Secret>, SecretError> {
        match self.entry(source, key)?.get_password() {
            Ok(p) => Ok(Some(Secret::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn set(&self, source: SourceId, key: &str, value: &Secret) -> Result<(), SecretError> {
        self.entry(source, key)?
            .set_password(value.expose())
            .map_err(keyring_error)
    }

    fn delete(&self, source: SourceId, key: &str) -> Result<(), SecretError> {
        match self.entry(source, key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn describe(&self) -> String {
        "the OS keyring".into()
    }
}

/// A JSON file readable only by the owner (mode 600), written whole and renamed into place.
#[derive(Debug)]
pub struct FileSecrets {
    path: PathBuf,
    lock: Mutex<()>,
    database: String,
}

impl FileSecrets {
    pub fn new(path: PathBuf) -> FileSecrets {
        FileSecrets {
            path,
            lock: Mutex::new(()),
            database: String::new(),
        }
    }

    /// The same file, with names for the database `database` (see [`entry_name`]).
    pub fn for_database(mut self, database: &str) -> FileSecrets {
        self.database = database.to_owned();
        self
    }

    fn err(&self, error: impl std::fmt::Display) -> SecretError {
        SecretError::File {
            path: self.path.clone(),
            error: error.to_string(),
        }
    }

    fn read(&self) -> Result<BTreeMap<String, String>, SecretError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| self.err(format!("is not a credentials file ({e})"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(self.err(e)),
        }
    }

    fn write(&self, all: &BTreeMap<String, String>) -> Result<(), SecretError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.err(e))?;
        }
        let tmp = self.path.with_extension("tmp");
        let body = serde_json::to_vec_pretty(all).expect("strings serialise");
        write_private(&tmp, &body).map_err(|e| self.err(e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| self.err(e))
    }
}

/// Creates the file with mode 600 before any byte is written, so a secret is never readable by
/// others even for a moment.
fn write_private(path: &Path, body: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(body)?;
    f.sync_all()
}

impl SecretStore for FileSecrets {
    fn get(&self, source: SourceId, key: &str) -> Result<Option<Secret>, SecretError> {
        let _g = self.lock.lock().expect("secrets lock");
        Ok(self
            .read()?
            .remove(&entry_name(&self.database, source, key))
            .map(Secret))
    }

    fn set(&self, source: SourceId, key: &str, value: &Secret) -> Result<(), SecretError> {
        let _g = self.lock.lock().expect("secrets lock");
        let mut all = self.read()?;
        all.insert(
            entry_name(&self.database, source, key),
            value.expose().to_string(),
        );
        self.write(&all)
    }

    fn delete(&self, source: SourceId, key: &str) -> Result<(), SecretError> {
        let _g = self.lock.lock().expect("secrets lock");
        let mut all = self.read()?;
        if all
            .remove(&entry_name(&self.database, source, key))
            .is_some()
        {
            self.write(&all)?;
        }
        Ok(())
    }

    fn delete_all(&self, source: SourceId, _keys: &[&str]) -> Result<(), SecretError> {
        let _g = self.lock.lock().expect("secrets lock");
        let mut all = self.read()?;
        let prefix = entry_name(&self.database, source, "");
        let before = all.len();
        all.retain(|k, _| !k.starts_with(&prefix));
        if all.len() != before {
            self.write(&all)?;
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("the file {}", self.path.display())
    }
}

/// Secrets in memory, for tests.
#[derive(Debug, Default)]
pub struct MemorySecrets(Mutex<BTreeMap<String, String>>);

impl SecretStore for MemorySecrets {
    fn get(&self, source: SourceId, key: &str) -> Result<Option<Secret>, SecretError> {
        Ok(self
            .0
            .lock()
            .expect("secrets lock")
            .get(&entry_name("", source, key))
            .cloned()
            .map(Secret))
    }

    fn set(&self, source: SourceId, key: &str, value: &Secret) -> Result<(), SecretError> {
        self.0
            .lock()
            .expect("secrets lock")
            .insert(entry_name("", source, key), value.expose().to_string());
        Ok(())
    }

    fn delete(&self, source: SourceId, key: &str) -> Result<(), SecretError> {
        self.0
            .lock()
            .expect("secrets lock")
            .remove(&entry_name("", source, key));
        Ok(())
    }

    fn describe(&self) -> String {
        "memory".into()
    }
}

/// Gives the reply outbox a token that may post replies for a source: an OAuth access token
/// (Google, YouTube, X, Trustpilot business user), a Page token (Facebook) or a signed JWT (App
/// Store Connect). Defined here, beside the stores that usually provide it, so the outbox
/// depends on secrets and not the other way round. [`StoredReplyCredentials`] reads a
/// [`SecretStore`]; tests and scripts use the outbox's `StaticCredentials` or `EnvCredentials`.
pub trait ReplyCredentials {
    /// `Ok(None)` when nothing is stored for this source.
    fn bearer_token(
        &self,
        source_id: SourceId,
        connector: &str,
    ) -> Result<Option<Secret>, SecretError>;

    /// A stored secret a token is made from: Bluesky's `app_password`, App Store Connect's
    /// `private_key`, Google's `refresh_token` and `client_secret`. The default has none, for
    /// implementations that only hand out ready-made tokens.
    fn secret(&self, _source_id: SourceId, _key: &str) -> Result<Option<Secret>, SecretError> {
        Ok(None)
    }

    /// Keeps a renewed token (a refreshed Google access token) for the next post. Failing to keep
    /// it only costs another refresh, so it returns nothing.
    fn keep(&self, _source_id: SourceId, _key: &str, _value: &Secret) {}
}

/// The outbox's credentials from a secret store: the source's reply token, OAuth access token
/// or page token, whichever it has.
pub struct StoredReplyCredentials<'a>(pub &'a dyn SecretStore);

impl ReplyCredentials for StoredReplyCredentials<'_> {
    fn bearer_token(
        &self,
        source_id: SourceId,
        _connector: &str,
    ) -> Result<Option<Secret>, SecretError> {
        for key in ["reply_token", "access_token", "page_token", "user_token"] {
            match self.0.get(source_id, key) {
                Ok(Some(s)) => return Ok(Some(s)),
                Ok(None) => {}
                Err(_) => return Ok(None),
            }
        }
        Ok(None)
    }

    fn secret(&self, source_id: SourceId, key: &str) -> Result<Option<Secret>, SecretError> {
        self.0.get(source_id, key)
    }

    fn keep(&self, source_id: SourceId, key: &str, value: &Secret) {
        let _ = self.0.set(source_id, key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_credentials_a_platform_echoes_and_nothing_else() {
        let keys = [Secret::new("tp-key-SECRET-4242"), Secret::new("abc")];
        assert_eq!(
            redact(
                "Invalid API key tp-key-SECRET-4242 (tp-key-SECRET-4242)",
                &keys
            ),
            "Invalid API key [hidden] ([hidden])"
        );
        // Too short to be a credential: ordinary words stay readable.
        assert_eq!(redact("abc def", &keys), "abc def");
        assert_eq!(redact("nothing here", &[]), "nothing here");
    }

    #[test]
    fn file_secrets_round_trip_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s/secrets.json");
        let f = FileSecrets::new(path.clone());
        f.set(3, "api_key", &Secret::new("k-123")).unwrap();
        f.set(4, "api_key", &Secret::new("k-456")).unwrap();
        assert_eq!(f.get(3, "api_key").unwrap().unwrap().expose(), "k-123");
        assert!(f.get(3, "other").unwrap().is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        f.delete_all(3, &["api_key"]).unwrap();
        assert!(f.get(3, "api_key").unwrap().is_none());
        assert_eq!(f.get(4, "api_key").unwrap().unwrap().expose(), "k-456");
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(…)");
    }
}
