//! Bluesky replies: the AT Protocol records the outbox writes, built without a network.
//!
//! A reply is a new `app.bsky.feed.post` record in the owner's repository, written with
//! `com.atproto.repo.createRecord`. It names two posts by *strong reference* (`uri` + `cid`):
//! the `parent` it answers — the mention — and the `root` of the thread, which is the mention
//! itself unless the mention was already a reply, in which case it is that thread's root. Both
//! come from the post view the connector keeps as the review's `raw_json` (`uri`, `cid`,
//! `record.reply.root`), so posting needs no extra lookup. Deleting is
//! `com.atproto.repo.deleteRecord` with the repository and record key read from the reply's own
//! `at://` URI, which the outbox records as the reply's platform id.
//!
//! Posts are never edited: the AppView ignores updates to a post record, so Earshot does not
//! offer it (delete and post again instead).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

/// The collection of posts.
pub const POST_COLLECTION: &str = "app.bsky.feed.post";

/// `at://{repo}/{collection}/{rkey}` split into its parts.
pub fn split_uri(uri: &str) -> Option<(&str, &str, &str)> {
    let rest = uri.strip_prefix("at://")?;
    let mut parts = rest.splitn(3, '/');
    let repo = parts.next().filter(|s| !s.is_empty())?;
    let collection = parts.next().filter(|s| !s.is_empty())?;
    let rkey = parts.next().filter(|s| !s.is_empty() && !s.contains('/'))?;
    Some((repo, collection, rkey))
}

/// A `{uri, cid}` pair when both are non-empty strings.
fn strong_ref(v: &Value) -> Option<Value> {
    let uri = v.get("uri")?.as_str().filter(|s| !s.is_empty())?;
    let cid = v.get("cid")?.as_str().filter(|s| !s.is_empty())?;
    Some(json!({ "uri": uri, "cid": cid }))
}

/// The `reply` field of a post answering the mention `uri`, from the post view the connector
/// kept. Errors say what is missing in words.
pub fn reply_refs(uri: &str, raw_json: Option<&str>) -> Result<Value, String> {
    let resync = "sync the Bluesky source again so Earshot has the post's details, then post";
    let view: Value = raw_json
        .and_then(|r| serde_json::from_str(r).ok())
        .ok_or_else(|| format!("Earshot kept no details of this Bluesky post; {resync}"))?;
    if view.get("uri").and_then(Value::as_str) != Some(uri) {
        return Err(format!(
            "the stored details belong to another Bluesky post; {resync}"
        ));
    }
    let parent = strong_ref(&view)
        .ok_or_else(|| format!("the post's content id (cid) is missing; {resync}"))?;
    // A mention that is itself a reply keeps its thread's root; ours joins that thread.
    let root = view
        .pointer("/record/reply/root")
        .and_then(strong_ref)
        .unwrap_or_else(|| parent.clone());
    Ok(json!({ "root": root, "parent": parent }))
}

/// The `app.bsky.feed.post` record of a reply.
pub fn post_record(text: &str, reply: Value, now: DateTime<Utc>) -> Value {
    json!({
        "$type": POST_COLLECTION,
        "text": text,
        "createdAt": now.to_rfc3339_opts(SecondsFormat::Millis, true),
        "reply": reply,
    })
}

/// The `com.atproto.repo.createRecord` input writing `record` to `repo` (a DID or handle).
pub fn create_input(repo: &str, record: Value) -> Value {
    json!({ "repo": repo, "collection": POST_COLLECTION, "record": record })
}

/// The `com.atproto.repo.deleteRecord` input removing the post at `uri`.
pub fn delete_input(uri: &str) -> Option<Value> {
    let (repo, collection, rkey) = split_uri(uri)?;
    (collection == POST_COLLECTION)
        .then(|| json!({ "repo": repo, "collection": collection, "rkey": rkey }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MENTION: &str = "at://did:plc:kim/app.bsky.feed.post/3kq2";

    #[test]
    fn a_top_level_mention_is_both_root_and_parent() {
        let raw = json!({"uri": MENTION, "cid": "bafyMention",
                         "record": {"text": "Joe's pie is great"}})
        .to_string();
        let refs = reply_refs(MENTION, Some(&raw)).unwrap();
        let me = json!({"uri": MENTION, "cid": "bafyMention"});
        assert_eq!(refs, json!({"root": me, "parent": me}));
    }

    #[test]
    fn a_mention_that_is_itself_a_reply_keeps_its_threads_root() {
        let root = json!({"uri": "at://did:plc:op/app.bsky.feed.post/1", "cid": "bafyRoot"});
        let raw = json!({"uri": MENTION, "cid": "bafyMention",
                         "record": {"text": "@joescafe cold again",
                                    "reply": {"root": root,
                                              "parent": {"uri": "at://x/app.bsky.feed.post/2",
                                                         "cid": "bafyMid"}}}})
        .to_string();
        let refs = reply_refs(MENTION, Some(&raw)).unwrap();
        assert_eq!(refs["root"], root);
        assert_eq!(refs["parent"]["cid"], "bafyMention");
    }

    #[test]
    fn a_post_without_its_cid_cannot_be_answered_and_says_to_sync() {
        let raw = json!({"uri": MENTION}).to_string();
        let err = reply_refs(MENTION, Some(&raw)).unwrap_err();
        assert!(err.contains("cid") && err.contains("sync"), "{err}");
        assert!(reply_refs(MENTION, None).unwrap_err().contains("sync"));
        let other = json!({"uri": "at://did:plc:x/app.bsky.feed.post/9", "cid": "b"}).to_string();
        assert!(reply_refs(MENTION, Some(&other)).is_err());
    }

    #[test]
    fn the_record_is_a_post_with_text_time_and_reply() {
        let now = DateTime::parse_from_rfc3339("2024-05-01T18:04:11Z")
            .unwrap()
            .with_timezone(&Utc);
        let r = post_record("Thanks, Kim!", json!({"root": 1, "parent": 1}), now);
        assert_eq!(r["$type"], "app.bsky.feed.post");
        assert_eq!(r["createdAt"], "2024-05-01T18:04:11.000Z");
        let input = create_input("did:plc:joe", r);
        assert_eq!(input["repo"], "did:plc:joe");
        assert_eq!(input["collection"], "app.bsky.feed.post");
    }

    #[test]
    fn deleting_reads_repo_and_record_key_from_the_replys_uri() {
        assert_eq!(
            delete_input("at://did:plc:joe/app.bsky.feed.post/3l7x").unwrap(),
            json!({"repo": "did:plc:joe", "collection": "app.bsky.feed.post", "rkey": "3l7x"})
        );
        assert_eq!(
            delete_input("at://did:plc:joe/app.bsky.feed.like/3l7x"),
            None
        );
        assert_eq!(delete_input("https://bsky.app/profile/joe"), None);
    }
}
