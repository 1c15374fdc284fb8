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
    /// The test authority that signed the server's certificate, on a cluster started with TLS.
    authority: Option<PathBuf>,
}

impl ThrowawayCluster {
    /// Makes and starts a cluster: user `postgres`, trust authentication, listening on
    /// 127.0.0.1 only. `settings` are extra `-c name=value` server settings.
    pub fn start(settings: &[&str]) -> Result<ThrowawayCluster, ClusterError> {
        Self::start_inner(settings, false)
    }

    /// As [`start`](Self::start), with `ssl=on` and a certificate for `localhost` signed by an
    /// authority made for this cluster alone ([`authority_certificate`](Self::authority_certificate)):
    /// what the TLS tests connect to with each `sslmode`. Plain connections are still accepted.
    pub fn start_with_tls(settings: &[&str]) -> Result<ThrowawayCluster, ClusterError> {
        Self::start_inner(settings, true)
    }

    fn start_inner(settings: &[&str], tls: bool) -> Result<ThrowawayCluster, ClusterError> {
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
            authority: None,
        };
        let mut settings: Vec<String> = settings.iter().map(|s| s.to_string()).collect();
        if tls {
            settings.extend(cluster.make_certificates()?);
        }
        if as_postgres_user {
            cluster.run("chown", &["-R", "postgres:", path_str(&cluster.dir)], false)?;
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
        if tls {
            cluster.restrict_tls_logins()?;
        }
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
            for s in &settings {
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

    /// Makes a test authority and a server certificate for `localhost` it signs (only that
    /// name: a test connecting to 127.0.0.1 sees a name mismatch), with `openssl`; the server
    /// settings that use them.
    fn make_certificates(&mut self) -> Result<Vec<String>, ClusterError> {
        let tls = self.dir.join("tls");
        std::fs::create_dir_all(&tls).map_err(|error| ClusterError::Folder {
            path: tls.clone(),
            error,
        })?;
        let file = |name: &str| tls.join(name).to_string_lossy().into_owned();
        let (ca_key, ca_cert) = (file("ca.key"), file("ca.crt"));
        let (key, csr, cert, ext) = (
            file("server.key"),
            file("server.csr"),
            file("server.crt"),
            file("server.ext"),
        );
        // P-256 keys: made in milliseconds, where RSA keys take a second on a busy machine.
        let new_key = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let mut args = vec!["req", "-x509"];
        args.extend(new_key);
        args.extend(["-keyout", &ca_key, "-out", &ca_cert, "-days", "2"]);
        args.extend(["-subj", "/CN=Earshot test authority"]);
        self.run("openssl", &args, false)?;
        let mut args = vec!["req"];
        args.extend(new_key);
        args.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=localhost"]);
        self.run("openssl", &args, false)?;
        std::fs::write(
            &ext,
            "subjectAltName = DNS:localhost\n\
             basicConstraints = critical, CA:FALSE\n\
             keyUsage = critical, digitalSignature\n\
             extendedKeyUsage = serverAuth\n",
        )
        .map_err(|error| ClusterError::Folder {
            path: tls.clone(),
            error,
        })?;
        self.run(
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_cert,
                "-CAkey",
                &ca_key,
                "-CAcreateserial",
                "-out",
                &cert,
                "-days",
                "2",
                "-extfile",
                &ext,
            ],
            false,
        )?;
        // A seat's own certificate, for the server's `cert` sign-in (its name is the login).
        let (client_key, client_csr, client_cert, client_ext) = (
            file("client.key"),
            file("client.csr"),
            file("client.crt"),
            file("client.ext"),
        );
        let subject = format!("/CN={TLS_CERTIFICATE_LOGIN}");
        let mut args = vec!["req"];
        args.extend(new_key);
        args.extend([
            "-keyout",
            &client_key,
            "-out",
            &client_csr,
            "-subj",
            &subject,
        ]);
        self.run("openssl", &args, false)?;
        std::fs::write(
            &client_ext,
            "basicConstraints = critical, CA:FALSE\n\
             keyUsage = critical, digitalSignature\n\
             extendedKeyUsage = clientAuth\n",
        )
        .map_err(|error| ClusterError::Folder {
            path: tls.clone(),
            error,
        })?;
        self.run(
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                &client_csr,
                "-CA",
                &ca_cert,
                "-CAkey",
                &ca_key,
                "-CAcreateserial",
                "-out",
                &client_cert,
                "-days",
                "2",
                "-extfile",
                &client_ext,
            ],
            false,
        )?;
        // The server refuses a key that others may read, and so does the client (as libpq).
        use std::os::unix::fs::PermissionsExt;
        for private in [&key, &client_key] {
            std::fs::set_permissions(private, std::fs::Permissions::from_mode(0o600)).map_err(
                |error| ClusterError::Folder {
                    path: tls.clone(),
                    error,
                },
            )?;
        }
        self.authority = Some(PathBuf::from(&ca_cert));
        Ok(vec![
            "ssl=on".to_owned(),
            format!("ssl_cert_file={cert}"),
            format!("ssl_key_file={key}"),
            // The authority whose certificates the `cert` sign-in accepts.
            format!("ssl_ca_file={ca_cert}"),
        ])
    }

    /// Makes [`TLS_PASSWORD_LOGIN`] sign in as a person of a team does, with a password (SCRAM),
    /// and [`TLS_CERTIFICATE_LOGIN`] with a certificate of its own, both over TLS only. Every
    /// other login keeps trust authentication.
    fn restrict_tls_logins(&self) -> Result<(), ClusterError> {
        let hba = self.data_dir().join("pg_hba.conf");
        let folder = |error| ClusterError::Folder {
            path: hba.clone(),
            error,
        };
        let rules = std::fs::read_to_string(&hba).map_err(folder)?;
        // The first matching line decides: these go before initdb's trust lines.
        let ours = format!(
            "hostssl all {TLS_PASSWORD_LOGIN} 127.0.0.1/32 scram-sha-256\n\
             hostnossl all {TLS_PASSWORD_LOGIN} 127.0.0.1/32 reject\n\
             hostssl all {TLS_CERTIFICATE_LOGIN} 127.0.0.1/32 cert\n\
             hostnossl all {TLS_CERTIFICATE_LOGIN} 127.0.0.1/32 reject\n"
        );
        std::fs::write(&hba, ours + &rules).map_err(folder)
    }

    /// The authority that signed the server's certificate (a PEM file), on a cluster started
    /// with [`start_with_tls`](Self::start_with_tls).
    pub fn authority_certificate(&self) -> Option<&Path> {
        self.authority.as_deref()
    }

    /// What the server has logged so far.
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
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
        let path = if matches!(program, "chown" | "openssl") {
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
    fresh_database_on(shared(), label)
}

fn fresh_database_on(cluster: &ThrowawayCluster, label: &str) -> String {
    static MADE: AtomicU32 = AtomicU32::new(0);
    let n = MADE.fetch_add(1, Ordering::Relaxed);
    let clean: String = label
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    cluster
        .create_database(&format!("t{n}_{clean}"))
        .unwrap_or_else(|e| panic!("cannot create a test database: {e}"))
}

static WITH_TLS: OnceLock<ThrowawayCluster> = OnceLock::new();

/// On a cluster started with TLS, the login that must sign in with its password over TLS (a
/// test creates it): how a person of a team reaches a server off the machine.
pub const TLS_PASSWORD_LOGIN: &str = "earshot_tls_person";

/// On a cluster started with TLS, the login that must sign in with a certificate of its own
/// (a test creates it): `client.crt` and `client.key` beside
/// [`ThrowawayCluster::authority_certificate`], issued to this name by the test authority.
pub const TLS_CERTIFICATE_LOGIN: &str = "earshot_tls_seat";

/// A second cluster for a test run, with TLS on ([`ThrowawayCluster::start_with_tls`]) and every
/// connection logged (the log says whether each was encrypted). Only the TLS tests start it; the
/// shared cluster stays as every other test knows it.
pub fn with_tls() -> &'static ThrowawayCluster {
    WITH_TLS.get_or_init(|| {
        let cluster = ThrowawayCluster::start_with_tls(&[
            "fsync=off",
            "full_page_writes=off",
            "log_connections=on",
        ])
        .unwrap_or_else(|e| panic!("cannot start a throwaway PostgreSQL cluster with TLS: {e}"));
        extern "C" fn stop_with_tls() {
            if let Some(c) = WITH_TLS.get() {
                c.stop();
            }
        }
        // SAFETY: registers a plain function with no arguments, as atexit requires.
        unsafe {
            libc::atexit(stop_with_tls);
        }
        cluster
    })
}

/// A new, empty database on the TLS cluster ([`with_tls`]); its URL (without `sslmode`).
pub fn fresh_tls_database(label: &str) -> String {
    fresh_database_on(with_tls(), label)
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
