//! A CSV or JSON Lines file as a source: each sync imports the file again, which changes only
//! what changed in it (the import is idempotent). The engine calls the importer directly; this
//! module describes the settings.

use crate::platforms::{BoxFuture, Platform};
use crate::platforms::{ConnectorSpec, Feed};
use crate::sources::{Ctx, Page, PageRequest, Result, SourceError};

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::NoAccount,
    cost: "Free.",
    approval: "None.",
    steps: &[
        "Export your reviews from another tool or platform as CSV or JSON Lines.",
        "Connect it here with the file's path; Earshot reads it again each time it checks for new reviews.",
    ],
    without_api: "This is the way in without an API: files exported from other tools. One-off exports (Google Takeout, Play reports, Trustpilot) go through `earshot import`.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "file",
    platform: "file",
    browser_sign_in: false,
    label: "File import",
    feed: Feed::File,
    help: "A CSV or JSON Lines file with the columns external_id, platform, author, rating, title, \
           body, created_at, url — an export from another tool, say. Earshot reads it again each time it checks for new reviews.",
    guide: GUIDE,
    default_base_url: "",
    settings: &[
        crate::platforms::s("path", "File", "Where the file is on this computer.", true, false),
        crate::platforms::s("platform", "Platform", "For rows that do not name one (google, yelp, …).", false, false),
    ],
    interval_minutes: 60,
    lists_everything: false,
    min_interval_ms: 0,
    review_hosts: crate::platforms::LinkHosts::Unfixed,
};

pub async fn fetch(ctx: &Ctx<'_>, _req: &PageRequest) -> Result<Page> {
    let path = ctx.require("path")?;
    if !std::path::Path::new(path).exists() {
        return Err(SourceError::Config(format!(
            "the file {path} does not exist"
        )));
    }
    // The engine imports files itself; a test request only checks the file is there.
    Ok(Page::default())
}

/// A file source, as the registry knows it.
pub struct File;

impl Platform for File {
    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }
}
