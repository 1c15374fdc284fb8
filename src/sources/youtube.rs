//! YouTube connector. (Being written: the spec is final, fetch is not yet.)

use super::{ConnectorSpec, Ctx, Feed, Page, PageRequest, Result, SourceError};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "youtube",
    label: "YouTube",
    feed: Feed::Mentions,
    help: "",
    default_base_url: "",
    settings: &[],
    interval_minutes: 15,
    lists_everything: false,
    min_interval_ms: 200,
};

pub async fn fetch(_ctx: &Ctx<'_>, _req: &PageRequest) -> Result<Page> {
    Err(SourceError::Config(
        "YouTube is not available in this version of Earshot yet".into(),
    ))
}
