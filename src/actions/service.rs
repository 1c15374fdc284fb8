//! The background watcher as a systemd user service: `earshot service install` / `uninstall`,
//! and Settings → Background watcher in the app (issue 28, "Headless").
//!
//! Installing writes `~/.config/systemd/user/earshot-watch.service` (under `$XDG_CONFIG_HOME`
//! when set) whose `ExecStart` is this binary's absolute path, `watch`, and the database when it
//! is not the default one, then asks `systemctl --user` to reload, enable and start it. Where
//! there is no `systemctl` (macOS, Windows, a container, a distribution without systemd) nothing
//! is written: the answer says plainly what to run instead (a cron `@reboot` line, or
//! `earshot watch` in a terminal). The unit holds no secret: credentials stay in the keyring
//! (or the opted-in secrets file, whose path it names).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

/// The unit's file name, and the name `systemctl --user` knows it by.
pub const UNIT_NAME: &str = "earshot-watch.service";

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("cannot find your home folder to put the service in; set XDG_CONFIG_HOME")]
    NoConfigDir,
    /// The app installs the command-line tool's watcher, which it could not find.
    #[error(
        "the `earshot` command-line tool was not found beside the app nor on your PATH; install \
         it (see the README, \"Command line\"), then try again"
    )]
    NoCli,
    #[error("cannot tell where the database {path} is: {source}")]
    DbPath {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot remove {path}: {source}")]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`systemctl --user {args}` failed: {message}")]
    Systemctl { args: String, message: String },
}

impl ServiceError {
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::NoConfigDir
            | ServiceError::Write { .. }
            | ServiceError::Remove { .. }
            | ServiceError::DbPath { .. } => "service_file",
            ServiceError::NoCli => "no_cli",
            ServiceError::Systemctl { .. } => "systemctl",
        }
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// Whether the watcher is set up, and what the owner can do about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceStatus {
    /// The unit file exists.
    pub installed: bool,
    /// `systemctl --user is-active` says it runs; `None` without systemd.
    pub running: Option<bool>,
    /// Whether `systemctl` was found, so install can start it.
    pub systemd: bool,
    pub unit_path: Option<String>,
    /// What to do instead where there is no systemd, or what install did; plain words.
    pub advice: Option<String>,
}

/// Where the unit goes: `$XDG_CONFIG_HOME/systemd/user/`, else `~/.config/systemd/user/`.
pub fn unit_path() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")))?;
    Some(config.join("systemd").join("user").join(UNIT_NAME))
}

/// The database every Earshot opens when none is named (the OS data directory), ignoring
/// `$EARSHOT_DB`: a service does not see the shell's environment, so any other path is written
/// into the unit.
fn platform_default_db() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("earshot").join("earshot.db"))
}

/// One word of an `ExecStart` line, quoted as systemd reads it (systemd.service(5), "Command
/// lines"; `%` is a specifier there and is doubled, systemd.unit(5) "Specifiers").
fn systemd_word(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%");
    if escaped.is_empty() || escaped.chars().any(|c| c.is_whitespace() || c == '\'') {
        format!("\"{escaped}\"")
    } else {
        escaped
    }
}

/// The command the service runs: `EXE [--db PATH] watch`.
pub fn watch_command(exe: &Path, db: &Path) -> Vec<String> {
    let mut words = vec![exe.display().to_string()];
    if platform_default_db().as_deref() != Some(db) {
        words.push("--db".into());
        words.push(db.display().to_string());
    }
    words.push("watch".into());
    words
}

/// The unit's text. `Restart=on-failure` brings the watcher back after a crash; a clean stop
/// (SIGTERM from `systemctl stop`) stays stopped. No network target to wait for: a user manager
/// has none, and a round without a network fails politely and is tried again on schedule.
pub fn unit_text(exe: &Path, db: &Path) -> String {
    // The opted-in secrets file (no keyring on this machine) must be the same for the service.
    let secrets_file = std::env::var_os("EARSHOT_SECRETS_FILE").filter(|p| !p.is_empty());
    unit_text_with(
        "# Written by `earshot service install`; `earshot service uninstall` removes it.",
        exe,
        db,
        secrets_file.as_deref(),
    )
}

/// Where the package installs the command-line tool (Linux .deb and .rpm).
pub const PACKAGED_CLI: &str = "/usr/bin/earshot";

/// The unit the Linux package ships in `/usr/lib/systemd/user/`, not enabled: the watcher of
/// the default database by the packaged tool. It is [`unit_text`]'s text for that tool and
/// database line for line (only the first comment differs, a test checks), so `earshot service
/// install` on a packaged machine writes the same unit into the owner's folder, where it takes
/// precedence, and `service uninstall` leaves the shipped one as it came.
pub fn packaged_unit_text() -> String {
    let db = platform_default_db().unwrap_or_else(|| PathBuf::from("earshot.db"));
    unit_text_with(
        "# Shipped by the Earshot package and not enabled: `earshot service install` (or the \
         app's Settings) turns the watcher on.",
        Path::new(PACKAGED_CLI),
        &db,
        None,
    )
}

fn unit_text_with(
    header: &str,
    exe: &Path,
    db: &Path,
    secrets_file: Option<&std::ffi::OsStr>,
) -> String {
    let exec: Vec<String> = watch_command(exe, db)
        .iter()
        .map(|w| systemd_word(w))
        .collect();
    let secrets_file = secrets_file
        .map(|p| {
            format!(
                "Environment={}\n",
                systemd_word(&format!("EARSHOT_SECRETS_FILE={}", p.to_string_lossy()))
            )
        })
        .unwrap_or_default();
    format!(
        "{header}\n\
         [Unit]\n\
         Description=Earshot: sync reviews, raise alerts and send them, post queued replies\n\
         \n\
         [Service]\n\
         Type=simple\n\
         ExecStart={}\n\
         {secrets_file}\
         Restart=on-failure\n\
         RestartSec=30\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n",
        exec.join(" ")
    )
}

/// Whether `systemctl` can be run (found on `PATH` and answers `--version`).
fn has_systemctl() -> bool {
    Command::new("systemctl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn systemctl(args: &[&str]) -> Result<()> {
    let out = Command::new("systemctl")
        .arg("--user")
        .args(args)
        .output()
        .map_err(|e| ServiceError::Systemctl {
            args: args.join(" "),
            message: e.to_string(),
        })?;
    if out.status.success() {
        return Ok(());
    }
    let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
    Err(ServiceError::Systemctl {
        args: args.join(" "),
        message: if message.is_empty() {
            format!("exit status {}", out.status)
        } else {
            message
        },
    })
}

/// What to do where there is no systemd.
fn without_systemd(exe: &Path, db: &Path) -> String {
    let command = watch_command(exe, db)
        .iter()
        .map(|w| shell_word(w))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "systemd was not found, so nothing was started. Run the watcher another way: add the \
         line `@reboot {command}` to your crontab (`crontab -e`), or run `{command}` in a \
         terminal and leave it open."
    )
}

/// A word for a POSIX shell: single-quoted when it holds anything but plain characters.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The `earshot` command-line tool the service runs: this program when it is the tool, else the
/// tool beside it (a package that ships both), else the first on `PATH` (the app's case).
pub fn cli_binary() -> Option<PathBuf> {
    let name = format!("earshot{}", std::env::consts::EXE_SUFFIX);
    let this = std::env::current_exe().ok()?.canonicalize().ok()?;
    if this.file_name().is_some_and(|n| n == name.as_str()) {
        return Some(this);
    }
    let beside = this.parent().map(|d| d.join(&name));
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(&name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    beside
        .into_iter()
        .chain(on_path)
        .find(|p| p.is_file())
        .and_then(|p| p.canonicalize().ok())
}

/// What `earshot service install` and the app's Install button do: the watcher of database `db`
/// run by [`cli_binary`], installed with [`install`].
pub fn install_watcher(db: &Path) -> Result<ServiceStatus> {
    let exe = cli_binary().ok_or(ServiceError::NoCli)?;
    let db = std::path::absolute(db).map_err(|source| ServiceError::DbPath {
        path: db.to_path_buf(),
        source,
    })?;
    install(&exe, &db)
}

/// Writes the unit, reloads systemd, enables and starts it. Installing again rewrites the unit
/// (a moved binary or database) and restarts it. Without systemd nothing is written, and the
/// answer's `advice` says what to run instead.
pub fn install(exe: &Path, db: &Path) -> Result<ServiceStatus> {
    let path = unit_path().ok_or(ServiceError::NoConfigDir)?;
    if !has_systemctl() {
        return Ok(ServiceStatus {
            installed: path.exists(),
            running: None,
            systemd: false,
            unit_path: Some(path.display().to_string()),
            advice: Some(without_systemd(exe, db)),
        });
    }
    let reinstall = path.exists();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| ServiceError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(&path, unit_text(exe, db)).map_err(|source| ServiceError::Write {
        path: path.clone(),
        source,
    })?;
    systemctl(&["daemon-reload"])?;
    systemctl(&["enable", "--now", UNIT_NAME])?;
    if reinstall {
        // `enable --now` leaves a watcher that already ran on the old text: restart it.
        systemctl(&["restart", UNIT_NAME])?;
    }
    let mut done = status();
    done.advice = Some(format!(
        "The watcher runs now and starts whenever you log in; `journalctl --user -u {UNIT_NAME}` \
         shows what it did."
    ));
    Ok(done)
}

/// Stops and disables the service where systemd is, and removes the unit. Nothing installed is
/// not an error.
pub fn uninstall() -> Result<ServiceStatus> {
    let path = unit_path().ok_or(ServiceError::NoConfigDir)?;
    let systemd = has_systemctl();
    if systemd && path.exists() {
        systemctl(&["disable", "--now", UNIT_NAME])?;
    }
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => return Err(ServiceError::Remove { path, source }),
    }
    if systemd {
        systemctl(&["daemon-reload"])?;
    }
    Ok(status())
}

/// Whether the unit is installed and, where systemd is, running.
pub fn status() -> ServiceStatus {
    let path = unit_path();
    let installed = path.as_deref().is_some_and(Path::exists);
    let systemd = has_systemctl();
    let running = systemd.then(|| systemctl(&["is-active", "--quiet", UNIT_NAME]).is_ok());
    ServiceStatus {
        installed,
        running,
        systemd,
        unit_path: path.map(|p| p.display().to_string()),
        advice: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_start_words_are_quoted_the_way_systemd_reads_them() {
        assert_eq!(systemd_word("/usr/bin/earshot"), "/usr/bin/earshot");
        assert_eq!(systemd_word("/home/a b/100%.db"), "\"/home/a b/100%%.db\"");
        assert_eq!(systemd_word("say \"hi\""), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn the_packaged_unit_is_the_one_service_install_writes_for_the_packaged_tool() {
        let db = platform_default_db().unwrap();
        let shipped = packaged_unit_text();
        let written = unit_text_with("# written", Path::new(PACKAGED_CLI), &db, None);
        let body = |t: &str| t.lines().skip(1).map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(body(&shipped), body(&written));
        assert!(
            shipped.starts_with("# Shipped by the Earshot package"),
            "{shipped}"
        );
        // The default database is not named: the service opens whatever the owner's default is.
        assert!(
            shipped.contains("\nExecStart=/usr/bin/earshot watch\n"),
            "{shipped}"
        );
    }

    #[test]
    fn the_cron_line_quotes_what_a_shell_would_split() {
        assert_eq!(shell_word("/usr/bin/earshot"), "/usr/bin/earshot");
        assert_eq!(shell_word("/home/a b/it's.db"), "'/home/a b/it'\\''s.db'");
    }
}
