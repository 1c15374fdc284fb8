//! ntfy: a POST of the plain text to the topic URL, with `Title`, `Priority`, `Tags` and `Click`
//! headers as ntfy documents them. Header values that are not ASCII (a café's name) are sent as
//! RFC 2047 encoded words, which ntfy decodes. No `Markdown` header: the body stays plain text.

use base64::Engine;

use super::{Channel, Message, SendError};

/// ntfy keeps messages up to 4,096 bytes as text (longer ones become attachments).
const MAX_BODY_BYTES: usize = 4000;

pub(super) async fn send(
    channel: &Channel,
    http: &reqwest::Client,
    message: &Message,
) -> Result<(), SendError> {
    let mut body = message.body.clone();
    if body.len() > MAX_BODY_BYTES {
        let mut cut = MAX_BODY_BYTES - 3;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
        body.push('…');
    }
    let mut req = http
        .post(&channel.target)
        .header("Title", header_value(&message.title))
        .header("Priority", if message.urgent { "high" } else { "default" })
        .header("Content-Type", "text/plain; charset=utf-8")
        .body(body);
    if !message.tags.is_empty() {
        req = req.header("Tags", header_value(&message.tags.join(",")));
    }
    if let Some(click) = &message.click {
        if click.is_ascii() && !click.contains(['\r', '\n']) {
            req = req.header("Click", click.as_str());
        }
    }
    let resp = req.send().await.map_err(|e| {
        SendError::transient(format!(
            "the ntfy server did not answer: {}",
            e.without_url()
        ))
    })?;
    super::webhook::check_answer(resp, "the ntfy server").await
}

/// A header value: printable ASCII as is, anything else as an RFC 2047 encoded word.
pub fn header_value(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.is_ascii() {
        clean
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(clean.as_bytes())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_titles_are_encoded_words_and_newlines_never_reach_a_header() {
        assert_eq!(header_value("Joe's Cafe"), "Joe's Cafe");
        assert_eq!(header_value("a\r\nb"), "a  b");
        assert!(header_value("Joe's Café").starts_with("=?UTF-8?B?"));
    }
}
