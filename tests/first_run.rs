//! The first run (issue 32): the demo café lives in a database of its own beside the owner's, and
//! loading it never touches the owner's database.

use crate::common;

use chrono::NaiveDate;
use common::TestDb;
use earshot::actions;
use earshot::demo::{COMPETITOR, OWN_BUSINESS};
use earshot::store::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

/// Every file of the owner's database (with its -wal and -shm), as bytes.
fn owner_files(db: &TestDb) -> Vec<(String, Option<Vec<u8>>)> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let p = format!("{}{suffix}", db.path.display());
            let bytes = std::fs::read(&p).ok();
            (p, bytes)
        })
        .collect()
}

#[test]
fn the_demo_opens_its_own_database_and_leaves_the_owners_untouched() {
    let db = TestDb::new();
    {
        let store = db.store();
        store.add_business("Joe's Bakery", false).unwrap();
    }
    let before = owner_files(&db);

    let opened = actions::open_demo(&db.path, today()).unwrap();

    assert_ne!(opened.db_path, db.path);
    assert_eq!(opened.db_path.parent(), db.path.parent());
    assert_eq!(opened.summary.businesses, [OWN_BUSINESS, COMPETITOR]);
    assert!(opened.summary.reviews > 1000, "{:?}", opened.summary);
    assert_eq!(owner_files(&db), before, "the owner's database changed");

    let demo = Store::open(&opened.db_path).unwrap();
    let names: Vec<String> = demo
        .businesses()
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert!(names.iter().any(|n| n == OWN_BUSINESS), "{names:?}");
    assert!(!names.iter().any(|n| n == "Joe's Bakery"), "{names:?}");

    let owner = db.store();
    let names: Vec<String> = owner
        .businesses()
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert_eq!(names, ["Joe's Bakery"]);
    assert!(owner.is_empty().unwrap());
}

#[test]
fn the_demo_opens_beside_an_owners_database_that_does_not_exist_yet_without_creating_it() {
    let db = TestDb::new();
    let opened = actions::open_demo(&db.path, today()).unwrap();
    assert!(opened.db_path.exists());
    assert!(
        !db.path.exists(),
        "the owner's database was created by the demo"
    );
}

#[test]
fn loading_the_demo_again_changes_nothing() {
    let db = TestDb::new();
    let first = actions::open_demo(&db.path, today()).unwrap();
    let again = actions::open_demo(&db.path, today()).unwrap();
    assert_eq!(again.db_path, first.db_path);
    assert_eq!(again.summary.new, 0);
    assert_eq!(again.summary.reviews, first.summary.reviews);
}
