//! A whole response body through a connector's parser, without a request: what the fuzz
//! targets and the hostile-input tests feed. Each platform's parser (its
//! [`crate::platforms::Platform::body_parser`]) picks the list out of the body the way its
//! `fetch` does.

use super::{Result, SourceError};
use crate::model::IncomingReview;

/// Parses `body` as `connector`'s platform would send it. Connectors with no body parser
/// answer with a configuration error.
pub fn parse_body(connector: &str, body: &[u8]) -> Result<Vec<IncomingReview>> {
    match crate::platforms::find(connector).and_then(|p| p.body_parser()) {
        Some(parse) => parse(body),
        None => Err(SourceError::Config(format!(
            "no body parser for `{connector}`"
        ))),
    }
}

/// The connectors [`parse_body`] covers, in registry order.
pub fn parsed() -> impl Iterator<Item = &'static str> {
    crate::platforms::REGISTRY
        .iter()
        .filter(|p| p.body_parser().is_some())
        .map(|p| p.spec().name)
}
