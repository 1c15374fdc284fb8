//! Any bytes as a CSV or JSON Lines import file: rows stored or rejected, never a panic.
#![no_main]

use earshot::import::{import_path, ImportOptions};
use earshot::store::Store;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("reviews.csv");
    std::fs::write(&file, data).expect("write input");
    let mut store = Store::open(&dir.path().join("fuzz.db")).expect("open store");
    let opts = ImportOptions {
        business: "Fuzz Café".into(),
        platform: None,
        skip_bad: true,
        ..Default::default()
    };
    let _ = import_path(&mut store, &file, &opts, &mut |_, _| {});
});
