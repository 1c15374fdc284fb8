//! Hacker News through Algolia: `GET /api/v1/search_by_date`, keyless, `page` paging, newest
//! first. Only about 1,000 hits are reachable per query, so incremental runs window by
//! `created_at_i` from the last run's newest.

use serde::Deserialize;
use serde_json::Value;

use crate::model::{IncomingReview, Kind};
use crate::platforms::http::parse_json;
use crate::platforms::{shaped, BodyParser, BoxFuture, Platform};
use crate::platforms::{ConnectorSpec, Feed};
use crate::sources::text::{html_to_text, unix_time};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::NoAccount,
    cost: "Free.",
    approval: "None.",
    steps: &["Connect it here with your business or product name."],
    without_api: "No API key is needed: Earshot uses Hacker News's public search.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "hackernews",
    platform: "hackernews",
    browser_sign_in: false,
    label: "Hacker News",
    feed: Feed::Mentions,
    help: "No account needed: Earshot searches Hacker News stories and comments for your query \
           (your business or product name).",
    guide: GUIDE,
    default_base_url: "https://hn.algolia.com",
    settings: &[crate::platforms::s(
        "query",
        "Search for",
        "Words to look for, such as your business or product name.",
        true,
        false,
    )],
    interval_minutes: 5,
    lists_everything: false,
    // ~10,000 requests an hour per address.
    min_interval_ms: 400,
    review_hosts: crate::platforms::LinkHosts::Only(&["news.ycombinator.com"]),
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    #[serde(default)]
    hits: Vec<Value>,
    #[serde(default)]
    nb_pages: Option<u64>,
    #[serde(default)]
    page: Option<u64>,
}

#[derive(Deserialize)]
struct Hit {
    #[serde(rename = "objectID")]
    object_id: String,
    #[serde(default)]
    created_at_i: Option<Value>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    comment_text: Option<String>,
    #[serde(default)]
    story_text: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    story_title: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let query = ctx.require("query")?;
    let page: u64 = req
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let url = format!("{}/api/v1/search_by_date", ctx.base_url());
    let mut params = vec![
        ("query", query.to_string()),
        ("tags", "(story,comment)".to_string()),
        ("hitsPerPage", "100".to_string()),
        ("page", page.to_string()),
    ];
    if let Some(w) = req.watermark.as_deref().filter(|_| !req.full) {
        // `>=`: a hit in the same second as the last run's newest is fetched again and found
        // unchanged, rather than missed.
        params.push(("numericFilters", format!("created_at_i>={w}")));
    }
    let reply = ctx.send(|c| c.get(&url).query(&params)).await?;
    let body: Body = reply.json()?;
    let items = parse_hits(&body.hits)?;
    let high = items
        .iter()
        .map(|i| i.created_at.timestamp())
        .max()
        .map(|t| t.to_string());
    let current = body.page.unwrap_or(page);
    let more = !body.hits.is_empty() && body.nb_pages.is_some_and(|n| current + 1 < n);
    Ok(Page {
        items,
        next: more.then(|| (current + 1).to_string()),
        high,
    })
}

pub fn parse_hits(hits: &[Value]) -> Result<Vec<IncomingReview>> {
    hits.iter()
        .map(|raw| {
            let h: Hit = shaped(raw, "a Hacker News hit")?;
            let created = h
                .created_at_i
                .as_ref()
                .and_then(unix_time)
                .or_else(|| {
                    h.created_at
                        .as_deref()
                        .and_then(crate::sources::text::parse_time)
                })
                .ok_or_else(|| SourceError::BadResponse("a hit has no time".into()))?;
            let (title, body) = match (&h.comment_text, &h.title) {
                (Some(c), _) => (h.story_title.clone(), html_to_text(c)),
                (None, Some(t)) => (
                    Some(t.clone()),
                    h.story_text
                        .as_deref()
                        .map(html_to_text)
                        .unwrap_or_default(),
                ),
                (None, None) => (h.story_title.clone(), String::new()),
            };
            let mut it = item(
                "hackernews",
                h.object_id.clone(),
                Kind::Mention,
                if body.is_empty() {
                    title.clone().unwrap_or_default()
                } else {
                    body
                },
                created,
            );
            it.title = title;
            it.author = h.author;
            it.url = Some(format!(
                "https://news.ycombinator.com/item?id={}",
                h.object_id
            ));
            let _ = h.url;
            it.raw_json = Some(raw.to_string());
            Ok(it)
        })
        .collect()
}

/// Hacker News, as the registry knows it.
pub struct HackerNews;

impl Platform for HackerNews {
    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| parse_hits(&crate::platforms::list(&parse_json(body)?, "hits")))
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["hn", "hacker news", "hacker-news"]
    }

    fn display_label(&self) -> Option<&'static str> {
        Some("Hacker News")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_hits_become_plain_text_mentions() {
        let v: Value = serde_json::from_str(
            r#"[{"objectID":"40212345","created_at_i":1714586651,"author":"pg","comment_text":"<p>Joe&#x27;s Cafe is <i>great</i>","story_title":"Best cafes"}]"#,
        )
        .unwrap();
        let items = parse_hits(v.as_array().unwrap()).unwrap();
        let m = &items[0];
        assert_eq!(m.kind, Kind::Mention);
        assert_eq!(m.body, "Joe's Cafe is great");
        assert_eq!(m.rating, None);
        assert_eq!(
            m.url.as_deref(),
            Some("https://news.ycombinator.com/item?id=40212345")
        );
        assert_eq!(m.created_at.timestamp(), 1714586651);
    }
}
