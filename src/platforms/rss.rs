//! Any RSS, Atom or JSON feed (Google Alerts included): one request per sync, every entry a
//! mention. Google Alerts wraps links in `https://www.google.com/url?…&url=<real>`; the real
//! address is kept, for display and to tell entries apart. Titles and summaries carry HTML.

use reqwest::Url;

use crate::model::{IncomingReview, Kind};
use crate::platforms::{BodyParser, BoxFuture, Platform};
use crate::platforms::{ConnectorSpec, Feed};
use crate::sources::text::{html_to_text, time_mark};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::NoAccount,
    cost: "Free.",
    approval: "None.",
    steps: &[
        "For Google Alerts: create an alert at google.com/alerts and choose \"Deliver to: RSS feed\".",
        "Copy the feed's address (or any news or blog feed's) and connect it here.",
    ],
    without_api: "This is the feed way in: any RSS or Atom feed, Google Alerts included.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "rss",
    platform: "rss",
    browser_sign_in: false,
    label: "RSS / Atom",
    feed: Feed::Mentions,
    help: "Any news or blog feed. For Google Alerts: create an alert at google.com/alerts, choose \
           \"Deliver to: RSS feed\", and paste the feed's address here.",
    guide: GUIDE,
    default_base_url: "",
    settings: &[crate::platforms::s(
        "url",
        "Feed address",
        "The feed's URL (https://…/feed.xml, a Google Alerts feed, …).",
        true,
        false,
    )],
    interval_minutes: 15,
    lists_everything: false,
    min_interval_ms: 1000,
    review_hosts: crate::platforms::LinkHosts::Unfixed,
};

/// Feeds are documents, not APIs: anything larger than this is not a feed of mentions.
const MAX_FEED_BYTES: usize = 16 * 1024 * 1024;

/// The address to fetch: `url`, with its scheme and host replaced by `base_url` when one is set
/// (a proxy or a test server).
fn feed_url(ctx: &Ctx<'_>) -> Result<String> {
    let url = ctx.require("url")?;
    let parsed = Url::parse(url)
        .map_err(|e| SourceError::Config(format!("the feed address is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(SourceError::Config(
            "the feed address must start with http:// or https://".into(),
        ));
    }
    match ctx.get("base_url") {
        Some(base) => {
            let mut rest = parsed.path().to_string();
            if let Some(q) = parsed.query() {
                rest.push('?');
                rest.push_str(q);
            }
            Ok(format!("{}{}", base.trim_end_matches('/'), rest))
        }
        None => Ok(url.to_string()),
    }
}

pub async fn fetch(ctx: &Ctx<'_>, _req: &PageRequest) -> Result<Page> {
    let url = feed_url(ctx)?;
    let reply = ctx.send(|c| c.get(&url)).await?;
    if reply.body.len() > MAX_FEED_BYTES {
        return Err(SourceError::BadResponse(
            "the feed is larger than 16 MB".into(),
        ));
    }
    let (items, skipped) = parse_entries(&reply.body, "rss")?;
    ctx.skip(skipped);
    let high = items.iter().map(|i| time_mark(&i.created_at)).max();
    Ok(Page {
        items,
        next: None,
        high,
    })
}

/// Parses a feed document into mentions.
pub fn parse_feed(body: &[u8]) -> Result<Vec<IncomingReview>> {
    parse_entries(body, "rss").map(|(items, _)| items)
}

/// Parses a feed document into mentions of `platform` (other platforms' feeds, such as
/// Reddit's search feed, read the same way), with how many entries were left out because they
/// carry no date. Only a body that is not a feed at all is an error.
pub fn parse_entries(body: &[u8], platform: &str) -> Result<(Vec<IncomingReview>, usize)> {
    // Ids of entries without one come from their link or title, never a random UUID, so the
    // same entry keeps its id from one sync to the next.
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|links, title, _| {
            links
                .first()
                .map(|l| unwrap_google_redirect(&l.href))
                .or_else(|| title.as_ref().map(|t| t.content.clone()))
                .unwrap_or_default()
        })
        .build();
    let feed = parser.parse(body).map_err(|e| {
        SourceError::BadResponse(format!("it is not an RSS, Atom or JSON feed ({e})"))
    })?;
    let mut out = Vec::with_capacity(feed.entries.len());
    let mut skipped = 0;
    for e in feed.entries {
        let link = e.links.first().map(|l| unwrap_google_redirect(&l.href));
        let title = e
            .title
            .as_ref()
            .map(|t| html_to_text(&t.content))
            .filter(|t| !t.is_empty());
        let body = e
            .summary
            .as_ref()
            .map(|s| html_to_text(&s.content))
            .or_else(|| {
                e.content
                    .as_ref()
                    .and_then(|c| c.body.as_deref())
                    .map(html_to_text)
            })
            .filter(|b| !b.is_empty())
            .or_else(|| title.clone())
            .unwrap_or_default();
        let Some(created) = e.published.or(e.updated) else {
            // An entry without a date cannot be placed in time; feeds that omit dates on every
            // entry are rare, and guessing "now" would make old news look new.
            skipped += 1;
            continue;
        };
        let id = if e.id.is_empty() {
            stable_id(&title, &body)
        } else {
            unwrap_google_redirect(&e.id)
        };
        let mut it = item(platform, id, Kind::Mention, body, created);
        it.title = title;
        it.url = link.filter(|l| l.starts_with("http://") || l.starts_with("https://"));
        it.author = e
            .authors
            .first()
            .map(|a| a.name.clone())
            .filter(|n| !n.is_empty());
        if e.published.is_some() && e.updated.is_some() && e.updated != e.published {
            it.updated_at = e.updated;
        }
        out.push(it);
    }
    Ok((out, skipped))
}

/// `https://www.google.com/url?rct=j&sa=t&url=<real>&ct=ga&usg=…` → `<real>`; other links as
/// they are.
pub fn unwrap_google_redirect(href: &str) -> String {
    let Ok(u) = Url::parse(href) else {
        return href.to_string();
    };
    let google = u
        .host_str()
        .is_some_and(|h| h == "google.com" || h.ends_with(".google.com"));
    if google && u.path() == "/url" {
        if let Some((_, real)) = u.query_pairs().find(|(k, _)| k == "url" || k == "q") {
            return real.into_owned();
        }
    }
    href.to_string()
}

fn stable_id(title: &Option<String>, body: &str) -> String {
    // FNV-1a: the same text gives the same id on every run and every build of Earshot.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in title
        .as_deref()
        .unwrap_or("")
        .bytes()
        .chain([0])
        .chain(body.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("rss-{h:016x}")
}

/// RSS and Atom feeds, as the registry knows it.
pub struct Rss;

impl Platform for Rss {
    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(parse_feed)
    }

    fn display_label(&self) -> Option<&'static str> {
        Some("RSS")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALERTS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
  <id>tag:google.com,2005:reader/user/0/state/com.google/alerts/1</id>
  <title>Google Alert - Harbour Lane Café</title>
  <updated>2026-11-20T10:00:00Z</updated>
  <entry>
    <id>tag:google.com,2013:googlealerts/feed:1234</id>
    <title type="html">Best &lt;b&gt;Harbour Lane Café&lt;/b&gt; buns in town</title>
    <link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news.example.com/buns&amp;ct=ga&amp;cd=1&amp;usg=AOv"/>
    <published>2026-11-20T09:00:00Z</published>
    <updated>2026-11-20T09:00:00Z</updated>
    <content type="html">The &lt;b&gt;Harbour Lane Café&lt;/b&gt; bakes the best cardamom buns &amp;amp; coffee.</content>
  </entry>
</feed>"#;

    #[test]
    fn google_alerts_entries_are_unwrapped_and_plain() {
        let items = parse_feed(ALERTS.as_bytes()).unwrap();
        assert_eq!(items.len(), 1);
        let m = &items[0];
        assert_eq!(m.url.as_deref(), Some("https://news.example.com/buns"));
        assert_eq!(
            m.title.as_deref(),
            Some("Best Harbour Lane Café buns in town")
        );
        assert_eq!(
            m.body,
            "The Harbour Lane Café bakes the best cardamom buns & coffee."
        );
        assert_eq!(m.kind, Kind::Mention);
        assert_eq!(m.rating, None);
    }

    #[test]
    fn rss_items_without_guid_keep_a_stable_id() {
        let rss = r#"<rss version="2.0"><channel><title>Blog</title>
          <item><title>Coffee crawl</title><link>https://blog.example/crawl</link>
          <description>&lt;p&gt;We loved it&lt;/p&gt;</description>
          <pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate></item></channel></rss>"#;
        let a = parse_feed(rss.as_bytes()).unwrap();
        let b = parse_feed(rss.as_bytes()).unwrap();
        assert_eq!(a[0].external_id, b[0].external_id);
        assert_eq!(a[0].external_id, "https://blog.example/crawl");
        assert_eq!(a[0].body, "We loved it");
    }

    #[test]
    fn not_a_feed_is_a_clear_error() {
        let e = parse_feed(b"{\"hello\": 1}").unwrap_err();
        assert!(e.to_string().contains("not an RSS"), "{e}");
        let e = parse_feed(b"<html><body>nope</body></html>").unwrap_err();
        assert!(e.to_string().contains("not an RSS"), "{e}");
    }
}
