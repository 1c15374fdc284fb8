//! Pure analysis functions: no database, no I/O, so each is tested on plain values.

pub mod aspect_languages;
pub mod aspects;
pub mod phrases;
pub mod review;
pub mod sentiment;
pub mod topics;
pub mod trends;
