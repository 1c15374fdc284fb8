//! The demo café in a database of its own (issue 32).
//!
//! "Load demo data" once wrote Harbour Lane Café into the owner's real database as their own
//! business, with no way to remove it: the owner's real reviews then mixed with two thousand
//! invented ones, and the Connect form offered the café's name. Now the demo lives in a separate
//! file beside the owner's database ([`demo_db_path`]); the app opens that file while the owner
//! looks around and reopens the owner's own when they leave. Nothing here opens the owner's
//! database, so the demo cannot touch it.
//!
//! `earshot demo` (the CLI) still loads the demo into whatever database it is given: scripts and
//! tests point it at a database of their own on purpose.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::demo::DemoSummary;
use crate::store::Store;

use super::Result;

/// What the file name of a demo database ends with: `earshot.db` → `earshot.demo.db`.
const DEMO_SUFFIX: &str = ".demo.db";

/// Where the demo lives for the owner's database `owner`: beside it, named after it
/// (`earshot.db` → `earshot.demo.db`), so two databases in one folder get two demos and the demo
/// can never be the owner's file.
pub fn demo_db_path(owner: &Path) -> PathBuf {
    let stem = owner
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "earshot".into());
    owner.with_file_name(format!("{stem}{DEMO_SUFFIX}"))
}

/// Whether `db` is a demo database (its name says so), as opposed to an owner's.
pub fn is_demo_db(db: &Path) -> bool {
    db.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(DEMO_SUFFIX))
}

/// The demo, opened: where it lives and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct DemoOpened {
    /// The demo database the app now shows.
    pub db_path: PathBuf,
    pub summary: DemoSummary,
}

/// Creates (or brings up to `today`) the demo database beside the owner's database `owner` and
/// fills it with the demo café and its competitor. The owner's database is not opened. Loading
/// again changes nothing for the same `today` (the demo's rows are upserts).
pub fn open_demo(owner: &Path, today: NaiveDate) -> Result<DemoOpened> {
    let db_path = demo_db_path(owner);
    let mut store = Store::open(&db_path)?;
    let summary = crate::demo::load(&mut store, today)?;
    Ok(DemoOpened { db_path, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_named_after_the_owners_database_and_is_never_it() {
        let owner = Path::new("/data/earshot/earshot.db");
        assert_eq!(
            demo_db_path(owner),
            Path::new("/data/earshot/earshot.demo.db")
        );
        assert!(is_demo_db(&demo_db_path(owner)));
        assert!(!is_demo_db(owner));
        // An owner who named their database like a demo still gets another file.
        let odd = Path::new("shop.demo.db");
        assert_ne!(demo_db_path(odd), odd);
    }
}
