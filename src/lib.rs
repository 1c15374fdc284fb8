//! Earshot's core: everything the CLI and the desktop shell do, with no knowledge of either.
//!
//! - [`model`]: the domain types.
//! - [`actions`]: every action the app or the CLI offers, one function each.
//! - [`alerts`]: the alert rules, the check that raises alerts, and the notification plan.
//! - [`store`]: the SQLite store, the only module with SQL.
//! - [`import`]: streaming CSV / JSON Lines import.
//! - [`demo`]: a deterministic demo business.
//! - [`backup`]: rotated online backups and checked restores.
//! - [`analysis`]: pure functions over text and numbers (sentiment, aspects, trends).
//! - [`insights`]: trends, topics, comparison and projection, from the rollups.
//! - [`report`]: the dashboard as a picture (SVG, rasterised to PNG).
//! - [`platform`]: display platform names and labels.
//! - [`platforms`]: one home per platform (read, reply, limits) and the registry listing them.
//! - [`replies`]: the reply composer's coach, templates, drafts and outbox.
//! - [`requests`]: asking customers for reviews, fairly: links, QR cards, sends, what followed.
//! - [`sources`]: one connector per platform, mapping its JSON to the model.
//! - [`sync`]: the engine that runs sources on their schedule, page by page, transactionally.
//! - [`secrets`]: credentials in the OS keyring, never in the database.

pub mod actions;
pub mod alerts;
pub mod analysis;
pub mod backup;
pub mod channels;
pub mod demo;
pub mod export;
pub mod import;
pub mod insights;
pub mod model;
pub mod platform;
pub mod platforms;
pub mod replies;
pub mod report;
pub mod requests;
pub mod secrets;
pub mod sources;
pub mod store;
pub mod sync;
