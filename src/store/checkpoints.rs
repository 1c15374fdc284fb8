//! Checkpoints on a thread of their own while a long write runs (an import).
//!
//! A checkpoint copies the log into the database and then waits for the disk (`fsync`): in a
//! 1M-review import the writer spent 0.76 s in 27 of them, blocked while the analysis threads
//! had nothing to hand it. This thread copies what the writer has committed every tenth of a
//! second, so when the writer's own checkpoint comes (every 128 MiB of log, see
//! `reviews::WRITER_WAL_CHECKPOINT_BYTES`) little is left to copy and wait for. The writer's own
//! checkpoint stays: only a checkpoint that finds every frame copied lets the log start again
//! from its beginning, and one running beside a busy writer never does (session 10 tried that
//! alone, and the log grew to 1.1 GB).

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How often the thread copies the committed log into the database.
const EVERY: Duration = Duration::from_millis(100);

/// The running thread; dropping this stops it (at once) and waits for it.
pub struct BackgroundCheckpoints {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl BackgroundCheckpoints {
    /// Starts checkpointing the database at `path`. Only a speed measure: a database it cannot
    /// open, or a checkpoint that fails or finds the lock taken, is left to the writer's own.
    pub(super) fn start(path: &Path) -> BackgroundCheckpoints {
        let (stop, stopped) = mpsc::channel::<()>();
        let path = path.to_owned();
        let thread = std::thread::Builder::new()
            .name("checkpoints".into())
            .spawn(move || {
                let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let Ok(conn) = Connection::open_with_flags(&path, flags) else {
                    return;
                };
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    // PASSIVE: copies what no reader still needs, never waits for the writer.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .ok();
        BackgroundCheckpoints {
            stop: Some(stop),
            thread,
        }
    }
}

impl Drop for BackgroundCheckpoints {
    fn drop(&mut self) {
        // Closing the channel wakes the thread at once.
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crate::model::IncomingReview;
    use crate::store::Store;

    /// The database file is written only by checkpoints. While a review writer is open its own
    /// come every 128 MiB of log, so a couple of thousand reviews reach the file only through
    /// this thread.
    #[test]
    fn committed_reviews_reach_the_database_file_before_the_writer_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoints.db");
        let mut store = Store::open(&path).unwrap();
        let business = store.ensure_business("Cafe").unwrap();
        let source = store
            .ensure_source(business.id, "file", "import", &serde_json::json!({}))
            .unwrap();
        store
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();

        let checkpoints = store.background_checkpoints();
        let mut writer = store.review_writer();
        for i in 0..2_000 {
            let item = IncomingReview {
                author: Some(format!("Customer {i}")),
                ..IncomingReview::example(
                    format!("r{i}"),
                    format!("Visit number {i}: good coffee, friendly staff."),
                    chrono::DateTime::from_timestamp(1_700_000_000 + i * 60, 0).unwrap(),
                )
            };
            writer.write(source, &item, None).unwrap();
        }
        writer.commit().unwrap();
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        while size() <= before && Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(size() > before, "{} bytes, {before} before", size());
        drop(writer);
        drop(checkpoints);
        assert_eq!(store.count_reviews(&Default::default()).unwrap(), 2_000);
    }
}
