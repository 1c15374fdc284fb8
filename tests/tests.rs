//! Earshot's integration tests as one binary (ripgrep's `tests/tests.rs` layout): one link instead
//! of a dozen on a 2-core machine, and one shared harness in `common`. Each module is a file beside
//! this one; `cargo test --test tests MODULE::` runs one of them.

mod common;

mod actions;
mod alert_history;
mod alerts;
mod bounds;
mod channels;
mod cli;
mod connectors_a;
mod connectors_b;
mod first_run;
mod fuzz;
mod import_mapping;
mod imports;
mod outlook;
mod package_files;
mod platform_figures;
mod replies;
mod reply_auth;
mod report;
mod requests;
mod sentiment_eval;
mod sync;
mod team_alerts;
mod team_assign;
mod team_backup;
mod team_channels;
mod team_connections;
mod team_demo;
mod team_insights;
mod team_listen;
mod team_migrate;
mod team_notify;
mod team_people;
mod team_reads;
mod team_replies;
mod team_requests;
mod team_seat;
mod team_service;
mod team_sign_in;
mod team_store;
mod team_sync;
mod team_tls;
mod topics;
mod watch;
mod win_back;

/// With `autotests = false` a new file in tests/ that nobody names here would never build nor
/// run, and nothing would say so: this fails instead.
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let this = std::fs::read_to_string(dir.join("tests.rs")).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "tests") {
            assert!(
                this.contains(&format!("mod {module};")),
                "tests/{name} is not named in tests/tests.rs, so it never runs"
            );
        }
    }
}
