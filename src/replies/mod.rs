//! Replies: the composer's coach, templates and drafts, the outbox that posts, and "copy and
//! open" for platforms without a reply API.
//!
//! - [`coach`]: pure checks of a draft against its review (too long, canned, defensive…).

pub mod coach;
