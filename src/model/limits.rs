//! The most Earshot keeps of one review (issue 33), on the way in from an import or a sync
//! alike: a stranger's 300 MB "review" costs no more memory, disk or analysis time than a long
//! honest one.
//!
//! Decision: the caps sit far above what any platform allows (Google 4,096 characters, Yelp
//! 5,000, the App Store 6,000, Trustpilot's titles a hundred or so), so an honest review is never
//! cut; what is over them is cut at a character boundary and counted, never silently. Checks
//! are length comparisons on the strings already made, and a cut truncates in place: nothing is
//! allocated for a review within the caps (the import checks every row of millions).

use super::IncomingReview;

/// The text of a review or of its owner reply: 64 KiB, ten times the longest a platform takes.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// A review's title: a few hundred characters of any script.
pub const MAX_TITLE_BYTES: usize = 1024;

/// An author's name.
pub const MAX_AUTHOR_BYTES: usize = 512;

/// A review's address on its platform; a longer one is dropped (a cut address leads nowhere).
pub const MAX_URL_BYTES: usize = 4096;

/// A review's id on its platform, or its platform's name: a longer one is refused (a cut id
/// could merge two reviews).
pub const MAX_ID_BYTES: usize = 512;

/// A language code (`en`, `pt-BR`); a longer one is dropped.
pub const MAX_LANGUAGE_BYTES: usize = 35;

/// The platform's original JSON kept beside a review; a larger one is not kept (it is only for
/// re-parsing later, and a cut one would not parse).
pub const MAX_RAW_JSON_BYTES: usize = 256 * 1024;

/// What [`cap_review`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capped {
    /// Every field within its cap.
    Whole,
    /// This field (the first over its cap) and perhaps others were cut or dropped.
    Cut(&'static str),
}

/// Cuts each field of `review` to its cap, in place. An id or platform name over its cap cannot
/// be cut safely: that is an error in words, and the review is left out.
pub fn cap_review(review: &mut IncomingReview) -> Result<Capped, String> {
    if review.external_id.len() > MAX_ID_BYTES {
        return Err(format!(
            "the id is longer than {MAX_ID_BYTES} bytes; Earshot keeps no such review"
        ));
    }
    if review.platform.len() > MAX_ID_BYTES {
        return Err(format!(
            "the platform name is longer than {MAX_ID_BYTES} bytes"
        ));
    }
    let mut cut: Option<&'static str> = None;
    let mut note = |field: &'static str| {
        cut.get_or_insert(field);
    };
    if truncate_at(&mut review.body, MAX_TEXT_BYTES) {
        note("text");
    }
    if let Some(t) = review.title.as_mut() {
        if truncate_at(t, MAX_TITLE_BYTES) {
            note("title");
        }
    }
    if let Some(a) = review.author.as_mut() {
        if truncate_at(a, MAX_AUTHOR_BYTES) {
            note("author");
        }
    }
    if let Some(r) = review.owner_reply.as_mut() {
        if truncate_at(&mut r.body, MAX_TEXT_BYTES) {
            note("owner reply");
        }
    }
    if review.url.as_ref().is_some_and(|u| u.len() > MAX_URL_BYTES) {
        review.url = None;
        note("url");
    }
    if review
        .language
        .as_ref()
        .is_some_and(|l| l.len() > MAX_LANGUAGE_BYTES)
    {
        review.language = None;
        note("language");
    }
    if review
        .raw_json
        .as_ref()
        .is_some_and(|j| j.len() > MAX_RAW_JSON_BYTES)
    {
        review.raw_json = None;
        note("original JSON");
    }
    Ok(cut.map_or(Capped::Whole, Capped::Cut))
}

/// Cuts `s` to at most `max` bytes at a character boundary; whether it cut.
pub fn truncate_at(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut at = max;
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    s.truncate(at);
    true
}

/// The plain words for a cap, in KiB or bytes.
pub fn describe(bytes: usize) -> String {
    if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn review(body: String) -> IncomingReview {
        IncomingReview {
            external_id: "r1".into(),
            platform: "google".into(),
            kind: Kind::Review,
            author: Some("Ana".into()),
            rating: Some(5.0),
            title: None,
            body,
            url: None,
            language: None,
            created_at: chrono::Utc::now(),
            updated_at: None,
            owner_reply: None,
            raw_json: None,
        }
    }

    #[test]
    fn a_review_within_the_caps_is_left_whole() {
        let mut r = review("Great coffee.".into());
        assert_eq!(cap_review(&mut r), Ok(Capped::Whole));
        assert_eq!(r.body, "Great coffee.");
    }

    #[test]
    fn long_text_is_cut_at_a_character_boundary_and_a_long_id_refused() {
        // "é" is two bytes: the cap falls inside one.
        let mut r = review("é".repeat(MAX_TEXT_BYTES));
        r.author = Some("a".repeat(MAX_AUTHOR_BYTES + 1));
        assert_eq!(cap_review(&mut r), Ok(Capped::Cut("text")));
        assert!(r.body.len() <= MAX_TEXT_BYTES && r.body.len() > MAX_TEXT_BYTES - 2);
        assert_eq!(r.author.as_ref().map(String::len), Some(MAX_AUTHOR_BYTES));
        let mut r = review(String::new());
        r.external_id = "x".repeat(MAX_ID_BYTES + 1);
        assert!(cap_review(&mut r).unwrap_err().contains("id is longer"));
    }
}
