//! A throwaway PostgreSQL cluster: `initdb` and `pg_ctl` on a free port in a folder of its own,
//! stopped and deleted when dropped. What the tests and the bench run the team store against, so
//! nothing depends on a server set up by hand (nor on the package's own cluster on 5432).
//!
//! initdb refuses to run as root: as root the commands run as the `postgres` user
//! (`runuser -u postgres --`) in a folder handed to that user. The binaries are PostgreSQL 15's
//! from Debian's package unless `EARSHOT_PG_BIN` names another folder.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// Where Debian's `postgresql` package (15.x on Debian 12) puts initdb and pg_ctl.
const DEBIAN_PG_BIN: &str = "/usr/lib/postgresql/15/bin";

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cannot run {command}: {error}")]
    Spawn {
        command: String,
        error: std::io::Error,
    },
    #[error("{command} failed: {output}")]
    Failed { command: String, output: String },
    #[error("cannot prepare the cluster's folder {path}: {error}")]
    Folder {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// A running cluster; stopped (immediately: nothing in it is worth keeping) and deleted on drop.
#[derive(Debug)]
pub struct ThrowawayCluster {
    dir: PathBuf,
    port: u16,
    bin: PathBuf,
    as_postgres_user: bool,
}

impl ThrowawayCluster {
    /// Makes and starts a cluster: user `postgres`, trust authentication, listening on
    /// 127.0.0.1 only. `settings` are extra `-c name=value` server settings.
    pub fn start(settings: &[&str]) -> Result<ThrowawayCluster, ClusterError> {
        static STARTED: AtomicU32 = AtomicU32::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("earshot-pg-{}-{n}", std::process::id()));
        let folder = |path: &Path| {
            let path = path.to_owned();
            move |error| ClusterError::Folder { path, error }
        };
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(folder(&dir))?;
        let as_postgres_user = is_root();
        let mut cluster = ThrowawayCluster {
            dir,
            port: 0,
            bin: std::env::var_os("EARSHOT_PG_BIN")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(DEBIAN_PG_BIN)),
            as_postgres_user,
        };
        if as_postgres_user {
            cluster.run("chown", &["postgres:", path_str(&cluster.dir)], false)?;
        }
        let data = cluster.data_dir();
        cluster.run(
            "initdb",
            &[
                "-D",
                path_str(&data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            true,
        )?;
        // A port free now; another process may take it before the server binds it, so a
        // failed start tries another.
        let mut last = None;
        for _ in 0..3 {
            cluster.port = free_port().map_err(folder(&cluster.dir))?;
            let mut options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1",
                cluster.port,
                path_str(&cluster.dir)
            );
            for s in settings {
                options.push_str(" -c ");
                options.push_str(s);
            }
            let log = cluster.dir.join("server.log");
            match cluster.run(
                "pg_ctl",
                &[
                    "-D",
                    path_str(&data),
                    "-o",
                    &options,
                    "-l",
                    path_str(&log),
                    "-w",
                    "start",
                ],
                true,
            ) {
                Ok(()) => return Ok(cluster),
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("three attempts were made"))
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `name` on this cluster, as `--db` takes it.
    pub fn url(&self, name: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Makes a new, empty database and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, postgres::Error> {
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)?;
        admin.batch_execute(&format!("CREATE DATABASE \"{name}\""))?;
        Ok(self.url(name))
    }

    /// Runs one of the cluster's programs (or `chown`), as the `postgres` user when `as_owner`
    /// and this process is root.
    fn run(&self, program: &str, args: &[&str], as_owner: bool) -> Result<(), ClusterError> {
        let path = if program == "chown" {
            PathBuf::from(program)
        } else {
            self.bin.join(program)
        };
        let mut cmd = if as_owner && self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        cmd.args(args).current_dir(&self.dir);
        let command = format!("{} {}", path.display(), args.join(" "));
        let out = cmd.output().map_err(|error| ClusterError::Spawn {
            command: command.clone(),
            error,
        })?;
        if out.status.success() {
            return Ok(());
        }
        let mut output = String::from_utf8_lossy(&out.stderr).into_owned();
        if let Ok(log) = std::fs::read_to_string(self.dir.join("server.log")) {
            output.push_str(&log);
        }
        Err(ClusterError::Failed { command, output })
    }

    fn stop(&self) {
        let data = self.data_dir();
        let _ = self.run(
            "pg_ctl",
            &["-D", path_str(&data), "-m", "immediate", "-w", "stop"],
            true,
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for ThrowawayCluster {
    fn drop(&mut self) {
        self.stop();
    }
}

static SHARED: OnceLock<ThrowawayCluster> = OnceLock::new();

/// One cluster for a whole test run, made on first use and stopped when the process exits
/// (a static is never dropped; `atexit` stops it). Each test asks for a database of its own
/// ([`fresh_database`]), so tests run in parallel without seeing each other's rows and the run
/// pays for one initdb, not one a test.
pub fn shared() -> &'static ThrowawayCluster {
    SHARED.get_or_init(|| {
        // Throwaway data: no fsync, so tests do not wait on the disk.
        let cluster = ThrowawayCluster::start(&["fsync=off", "full_page_writes=off"])
            .unwrap_or_else(|e| panic!("cannot start a throwaway PostgreSQL cluster: {e}"));
        extern "C" fn stop_shared() {
            if let Some(c) = SHARED.get() {
                c.stop();
            }
        }
        // SAFETY: registers a plain function with no arguments, as atexit requires.
        unsafe {
            libc::atexit(stop_shared);
        }
        cluster
    })
}

/// A new, empty database on the shared cluster, named after `label` and a counter; its URL.
pub fn fresh_database(label: &str) -> String {
    static MADE: AtomicU32 = AtomicU32::new(0);
    let n = MADE.fetch_add(1, Ordering::Relaxed);
    let clean: String = label
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    shared()
        .create_database(&format!("t{n}_{clean}"))
        .unwrap_or_else(|e| panic!("cannot create a test database: {e}"))
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() == 0 }
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}
