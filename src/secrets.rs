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
///
/// The file sits in a folder the owner chose, which may be shared with other local users (issue
/// 33), so every step assumes someone else may have placed a file or a link there first:
/// - the whole read-modify-write runs under an advisory lock (`flock` on `NAME.lock` beside it),
///   so two writers (the app and the CLI, two threads) never lose each other's keys;
/// - the file is read without following a symbolic link, and refused when it is a link, is not
///   the user's own, or is readable or writable by anyone else (with what to do about it);
/// - a new version goes to a fresh temporary file in the same folder, created with `O_EXCL` and
///   `O_NOFOLLOW` and mode 600 before a byte is written, synced, renamed over the old one, and
///   the folder synced, so a crash leaves the old file or the new one and a link planted at a
///   temporary name is never written through.
#[derive(Debug)]
pub struct FileSecrets {
    path: PathBuf,
    database: String,
}

/// Tries at a fresh temporary name before giving up: each name is new (process id, time and a
/// counter), so a name already taken means someone is planting files, not bad luck.
const TEMP_TRIES: u32 = 16;

impl FileSecrets {
    pub fn new(path: PathBuf) -> FileSecrets {
        FileSecrets {
            path,
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

    fn folder(&self) -> PathBuf {
        match self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(d) => d.to_path_buf(),
            None => PathBuf::from("."),
        }
    }

    /// Takes the advisory lock every reader and writer of this file holds (the folder is created
    /// first, 0700). Released when the returned file is dropped.
    fn lock(&self) -> Result<std::fs::File, SecretError> {
        let folder = self.folder();
        if !folder.exists() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            builder.create(&folder).map_err(|e| self.err(e))?;
        }
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let lock_path = folder.join(name);
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        no_follow(&mut opts);
        let file = opts.open(&lock_path).map_err(|e| {
            self.err(format!(
                "cannot open its lock file {}: {}",
                lock_path.display(),
                link_words(&e)
            ))
        })?;
        file.lock()
            .map_err(|e| self.err(format!("cannot lock it: {e}")))?;
        Ok(file)
    }

    /// The credentials in the file (none when there is no file yet). Call with the lock held.
    fn read(&self) -> Result<BTreeMap<String, String>, SecretError> {
        use std::io::Read;
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true);
        no_follow(&mut opts);
        let mut file = match opts.open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(self.err(link_words(&e))),
        };
        let meta = file.metadata().map_err(|e| self.err(e))?;
        if !meta.is_file() {
            return Err(self.err("is not a plain file; give a file path"));
        }
        check_private(&meta).map_err(|why| self.err(why))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| self.err(e))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| self.err(format!("is not a credentials file ({e})")))
    }

    /// Replaces the file with `all`. Call with the lock held.
    fn write(&self, all: &BTreeMap<String, String>) -> Result<(), SecretError> {
        let folder = self.folder();
        let body = serde_json::to_vec_pretty(all).expect("strings serialise");
        let name = self.path.file_name().unwrap_or_default().to_string_lossy();
        let mut tries = 0;
        let (tmp, file) = loop {
            let tmp = folder.join(format!(".{name}.{}.tmp", temp_suffix()));
            match create_private(&tmp) {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < TEMP_TRIES => {
                    tries += 1;
                }
                Err(e) => {
                    return Err(self.err(format!(
                        "cannot create a temporary file beside it: {}",
                        link_words(&e)
                    )))
                }
            }
        };
        let written = fill(file, &body)
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .and_then(|()| sync_folder(&folder));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(self.err(e));
        }
        Ok(())
    }
}

/// Adds `O_NOFOLLOW`: opening a symbolic link fails instead of opening what it points to.
fn no_follow(opts: &mut std::fs::OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    let _ = opts;
}

/// An open error in plain words, naming a symbolic link where that is why it failed.
fn link_words(e: &std::io::Error) -> String {
    #[cfg(unix)]
    {
        if e.raw_os_error() == Some(libc::ELOOP) {
            return "it is a symbolic link, and Earshot does not follow links for credentials: \
                    replace the link with the file itself (or choose another path)"
                .into();
        }
    }
    e.to_string()
}

/// Refuses a credentials file another user owns or may read or write, saying what to do.
fn check_private(meta: &std::fs::Metadata) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err(format!(
                "belongs to another user (uid {}), so it may not be yours: move it away and \
                 set your credentials again",
                meta.uid()
            ));
        }
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "can be read or changed by other users on this computer (mode {mode:o}), and \
                 they may have read your keys. Make it yours alone with `chmod 600` on it, then \
                 consider renewing the keys it holds"
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    Ok(())
}

/// A new file at `path` with mode 600, created only if nothing (not even a link) is there.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    no_follow(&mut opts);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

fn fill(mut file: std::fs::File, body: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    file.write_all(body)?;
    file.sync_all()
}

/// Makes a rename in `folder` durable: without it a crash may bring back the old file.
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(folder)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

/// A temporary name's unique part: process id, nanoseconds and a counter.
fn temp_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(
        "{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl SecretStore for FileSecrets {
    fn get(&self, source: SourceId, key: &str) -> Result<Option<Secret>, SecretError> {
        let _lock = self.lock()?;
        Ok(self
            .read()?
            .remove(&entry_name(&self.database, source, key))
            .map(Secret))
    }

    fn set(&self, source: SourceId, key: &str, value: &Secret) -> Result<(), SecretError> {
        let _lock = self.lock()?;
        let mut all = self.read()?;
        all.insert(
            entry_name(&self.database, source, key),
            value.expose().to_string(),
        );
        self.write(&all)
    }

    fn delete(&self, source: SourceId, key: &str) -> Result<(), SecretError> {
        let _lock = self.lock()?;
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
        let _lock = self.lock()?;
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

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_old_temporary_name_is_never_written_through() {
        // Issue 33: the file was written through `secrets.tmp`, opened without O_EXCL, so a link
        // there sent every key to the file it pointed at, and the rename made secrets.json
        // that link.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let leak = dir.path().join("attacker-readable.txt");
        std::fs::write(&leak, "").unwrap();
        std::os::unix::fs::symlink(&leak, dir.path().join("secrets.tmp")).unwrap();
        let f = FileSecrets::new(path.clone());
        f.set(1, "api_key", &Secret::new("k-planted-1")).unwrap();
        assert_eq!(std::fs::read_to_string(&leak).unwrap(), "");
        assert!(!std::fs::symlink_metadata(&path).unwrap().is_symlink());
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            f.get(1, "api_key").unwrap().unwrap().expose(),
            "k-planted-1"
        );
        // And the new temporary file refuses any name already there, a link above all.
        let taken = dir.path().join("taken.tmp");
        std::os::unix::fs::symlink(&leak, &taken).unwrap();
        let e = create_private(&taken).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&leak).unwrap(), "");
    }

    #[cfg(unix)]
    #[test]
    fn a_credentials_file_that_is_a_link_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.json");
        std::fs::write(&target, "{}").unwrap();
        let path = dir.path().join("secrets.json");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let f = FileSecrets::new(path.clone());
        let e = f
            .set(1, "api_key", &Secret::new("k-never-there"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("symbolic link"), "{e}");
        assert!(!e.contains("k-never-there"), "{e}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "{}");
        assert!(std::fs::symlink_metadata(&path).unwrap().is_symlink());
        assert!(f.get(1, "api_key").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_credentials_file_others_can_read_is_refused_with_what_to_do() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        std::fs::write(&path, r#"{"source-1/api_key": "k-exposed"}"#).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let f = FileSecrets::new(path.clone());
        let e = f.get(1, "api_key").unwrap_err().to_string();
        assert!(e.contains("mode 644") && e.contains("chmod 600"), "{e}");
        assert!(!e.contains("k-exposed"), "{e}");
        // Writing does not quietly keep the exposed file either.
        assert!(f.set(2, "api_key", &Secret::new("k-new")).is_err());
        assert_eq!(mode(&path), 0o644);
        // Once the owner makes it private, it is read as before.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(f.get(1, "api_key").unwrap().unwrap().expose(), "k-exposed");
    }

    #[test]
    fn concurrent_writers_each_keep_their_keys() {
        // Issue 33: two processes (the app and the CLI) each read the file, added their key
        // and wrote it back; the later write dropped the earlier key. Each thread here has its
        // own FileSecrets, as two processes would.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let threads: Vec<_> = (0..6)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let f = FileSecrets::new(path);
                    for k in 0..15 {
                        f.set(t, &format!("key{k}"), &Secret::new(format!("v{t}-{k}")))
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let f = FileSecrets::new(path.clone());
        for t in 0..6 {
            for k in 0..15 {
                assert_eq!(
                    f.get(t, &format!("key{k}")).unwrap().unwrap().expose(),
                    format!("v{t}-{k}")
                );
            }
        }
        // No temporary file is left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(…)");
    }
}
