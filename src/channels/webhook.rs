//! Webhooks: a POST of JSON. The generic body carries the alert and its reviews as data; Slack's
//! and Discord's are one plain-text field with their own escapes, so a review can neither format
//! the message nor mention anyone.

use serde_json::json;

use super::{Channel, Message, SendError, WebhookFormat};

/// Discord refuses `content` longer than this many characters.
const DISCORD_MAX_CHARS: usize = 2000;

/// Slack truncates `text` past 40,000 characters; stay well below.
const SLACK_MAX_CHARS: usize = 30_000;

pub(super) async fn send(
    channel: &Channel,
    http: &reqwest::Client,
    message: &Message,
) -> Result<(), SendError> {
    let format = channel
        .settings
        .get("format")
        .and_then(|f| f.as_str())
        .and_then(WebhookFormat::parse)
        .unwrap_or(WebhookFormat::Generic);
    let body = body(format, message);
    let resp = http
        .post(&channel.target)
        .json(&body)
        .send()
        .await
        .map_err(|e| {
            SendError::transient(format!("the webhook did not answer: {}", e.without_url()))
        })?;
    check_answer(resp, "the webhook").await
}

/// The JSON a webhook of `format` gets.
pub fn body(format: WebhookFormat, message: &Message) -> serde_json::Value {
    match format {
        WebhookFormat::Generic => json!({
            "source": "earshot",
            "title": message.title,
            "text": message.body,
            "urgent": message.urgent,
            "url": message.click,
            "alerts": message.alerts,
            "reviews": message.reviews,
        }),
        WebhookFormat::Slack => {
            let text = format!("{}\n{}", message.title, message.body);
            json!({
                "text": super::truncate_chars(&slack_escape(&text), SLACK_MAX_CHARS),
                "mrkdwn": false,
            })
        }
        WebhookFormat::Discord => {
            let text = format!("{}\n{}", message.title, message.body);
            json!({
                "content": discord_content(&text),
                "allowed_mentions": { "parse": [] },
            })
        }
    }
}

/// Slack's three control characters, escaped as its documentation asks: a review's `<…>` cannot
/// become a link or a mention.
pub fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Discord's markdown escaped with backslashes, cut to its limit (never inside an escape).
pub fn discord_content(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut chars = 0;
    for c in s.chars() {
        let escape = matches!(
            c,
            '\\' | '*'
                | '_'
                | '~'
                | '`'
                | '|'
                | '>'
                | '#'
                | '['
                | ']'
                | '('
                | ')'
                | '-'
                | '<'
                | ':'
        );
        let width = if escape { 2 } else { 1 };
        if chars + width > DISCORD_MAX_CHARS - 1 {
            out.push('…');
            break;
        }
        if escape {
            out.push('\\');
        }
        out.push(c);
        chars += width;
    }
    out
}

/// Ok for a 2xx; otherwise an error quoting a bounded, single-line part of the answer.
pub(super) async fn check_answer(mut resp: reqwest::Response, who: &str) -> Result<(), SendError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let mut answer = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = super::MAX_ANSWER_BYTES.saturating_sub(answer.len());
        answer.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if answer.len() >= super::MAX_ANSWER_BYTES {
            break;
        }
    }
    let text: String = String::from_utf8_lossy(&answer)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let text = super::truncate_chars(&text, 200);
    let message = if text.is_empty() {
        format!("{who} answered {status}")
    } else {
        format!("{who} answered {status}: {text}")
    };
    // 408 and 429 pass; other 4xx are a wrong URL or a refused body, which retrying won't fix.
    let code = status.as_u16();
    if status.is_client_error() && code != 408 && code != 429 {
        Err(SendError::permanent(message))
    } else {
        Err(SendError::transient(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_and_discord_bodies_keep_review_text_from_becoming_markup() {
        assert_eq!(
            slack_escape("<!channel> & <https://x|y>"),
            "&lt;!channel&gt; &amp; &lt;https://x|y&gt;"
        );
        assert_eq!(
            discord_content("**bold** @everyone"),
            "\\*\\*bold\\*\\* @everyone"
        );
        let long = "a".repeat(5000);
        assert!(discord_content(&long).chars().count() <= DISCORD_MAX_CHARS);
    }
}
