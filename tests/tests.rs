//! Earshot's integration tests as one binary (ripgrep's `tests/tests.rs` layout): one link instead
//! of a dozen on a 2-core machine, and one shared harness in `common`. Each module is a file beside
//! this one; `cargo test --test tests MODULE::` runs one of them.

mod common;

mod alerts;
mod cli;
mod connectors_a;
mod connectors_b;
mod fuzz;
mod replies;
mod reply_auth;
mod report;
mod sentiment_eval;
mod sync;
