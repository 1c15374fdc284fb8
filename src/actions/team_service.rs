//! `earshot service install` for a team database (issue 31): the background watcher of a seat
//! on a team database, without a password in its unit.
//!
//! A systemd unit is a file others may read (`systemctl --user cat`, backups of a home folder),
//! so it names the team database by its URL without a password. The password goes where the app
//! keeps this seat's team password (the password store under [`team_seat::TEAM_LOGINS`], the OS
//! keyring or the opted-in secrets file, filed under the login's URL), and `earshot watch` (what
//! the unit runs) puts it back into the URL when it opens the database
//! ([`with_saved_password`]). A seat that saved its login in the app's Settings → Team database
//! has its password there already; one given in `--db postgresql://person:password@…` is saved
//! there by the install.

use std::path::Path;

use super::service::{self, ServiceError, ServiceStatus};
use super::team_seat::{self, TeamLogin, PASSWORD_SLOT};
use crate::secrets::{Secret, SecretError, SecretStore};
use crate::store::postgres::redacted;

#[derive(Debug, thiserror::Error)]
pub enum TeamServiceError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("the team database's password could not be kept for the watcher: {0}")]
    Secrets(#[from] SecretError),
}

impl TeamServiceError {
    pub fn code(&self) -> &'static str {
        match self {
            TeamServiceError::Service(e) => e.code(),
            TeamServiceError::Secrets(_) => "keyring",
        }
    }
}

/// The password store the app keeps team passwords in.
pub fn team_passwords() -> Box<dyn SecretStore> {
    crate::secrets::open_for_database(team_seat::TEAM_LOGINS)
}

/// The name a URL's password is filed under: the login's URL without password or options, as
/// the app files it (`team_seat::save_login`).
fn password_entry(url: &str) -> String {
    TeamLogin::from_url(url)
        .map(|l| l.url())
        .unwrap_or_else(|| redacted(url))
}

/// The password written in `url`, if any.
fn password_in(url: &str) -> Option<Secret> {
    let config: postgres::Config = url.parse().ok()?;
    let password = String::from_utf8(config.get_password()?.to_vec()).ok()?;
    (!password.is_empty()).then(|| Secret::new(password))
}

/// `url` with the password this seat keeps for it put in, when the URL has none and one is kept;
/// else `url` as it is (a store that cannot be read leaves the server to say what is missing).
pub fn with_saved_password(url: &str, passwords: &dyn SecretStore) -> String {
    if redacted(url) != url {
        return url.to_owned();
    }
    let Ok(Some(password)) = passwords.get(PASSWORD_SLOT, &password_entry(url)) else {
        return url.to_owned();
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    let encoded = percent_encoding::utf8_percent_encode(password.expose(), USERINFO);
    format!("{scheme}://{}:{encoded}{}", &rest[..at], &rest[at..])
}

/// Every byte but RFC 3986's unreserved characters is written `%XX` in the URL's password.
const USERINFO: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Installs the watcher of the team database at `url`: a password in `url` goes to `passwords`
/// first, and the unit names the URL without it.
pub fn install_team_watcher(
    url: &str,
    passwords: &dyn SecretStore,
) -> Result<ServiceStatus, TeamServiceError> {
    if let Some(password) = password_in(url) {
        passwords.set(PASSWORD_SLOT, &password_entry(url), &password)?;
    }
    let exe = service::cli_binary().ok_or(ServiceError::NoCli)?;
    Ok(service::install(&exe, Path::new(&redacted(url)))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecrets;

    #[test]
    fn the_saved_password_goes_back_into_a_url_without_one_and_options_stay() {
        let store = MemorySecrets::default();
        let bare = "postgresql://dana@db.example:5433/cafe?sslmode=require";
        assert_eq!(with_saved_password(bare, &store), bare, "nothing kept");
        store
            .set(
                PASSWORD_SLOT,
                "postgresql://dana@db.example:5433/cafe",
                &Secret::new("p@ss word"),
            )
            .unwrap();
        let full = with_saved_password(bare, &store);
        assert_eq!(
            full,
            "postgresql://dana:p%40ss%20word@db.example:5433/cafe?sslmode=require"
        );
        assert_eq!(password_in(&full).unwrap().expose(), "p@ss word");
        assert_eq!(redacted(&full), bare);
        // A URL that carries its own password keeps it.
        let own = "postgresql://dana:other@db.example:5433/cafe";
        assert_eq!(with_saved_password(own, &store), own);
    }
}
