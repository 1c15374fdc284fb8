//! Shared test harness: a temp directory with a real SQLite file, and a runner for the built
//! `earshot` binary pointed at it. Dropping the harness removes the database with its -wal/-shm.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TestDb {
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("earshot.db");
        TestDb { dir, path }
    }

    pub fn store(&self) -> earshot::store::Store {
        earshot::store::Store::open(&self.path).expect("open store")
    }

    /// Writes a file into the test's directory and returns its path.
    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, contents).expect("write fixture");
        p
    }

    /// Runs `earshot --db <this db> args…` with a private data directory.
    pub fn earshot(&self, args: &[&str]) -> Run {
        Run(self.command().args(args).output().expect("run earshot"))
    }

    /// `earshot --db <this db>` with a private data directory, for a test that adds arguments
    /// and environment of its own, or runs it in the background.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_earshot"));
        cmd.arg("--db")
            .arg(&self.path)
            .env("XDG_DATA_HOME", self.dir.path())
            // No keyring in tests: credentials go to the opt-in file inside the test's folder.
            .env("EARSHOT_SECRETS_FILE", self.dir.path().join("secrets.json"))
            .env_remove("EARSHOT_DB");
        cmd
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

pub struct Run(pub Output);

impl Run {
    pub fn ok(self) -> Run {
        assert!(
            self.0.status.success(),
            "earshot failed: {}\nstdout: {}",
            self.stderr(),
            self.stdout()
        );
        self
    }
    pub fn fails(self) -> Run {
        assert!(
            !self.0.status.success(),
            "earshot should have failed; stdout: {}",
            self.stdout()
        );
        self
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout()))
    }
}
