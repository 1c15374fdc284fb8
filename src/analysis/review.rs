//! What Earshot works out about one incoming review before storing it: sentiment and its label,
//! the language when the source did not say, and the aspects with their clause sentiment.
//!
//! It is one pure function of the review and the business category (which picks the aspect
//! lexicon), so an import can run it on worker threads while a single writer stores the rows in
//! file order, and the store runs the very same function for syncs. Keeping it in one place is
//! what makes both paths store identical analyses.

use super::aspects::{self, AspectMention};
use super::sentiment;
use crate::model::IncomingReview;

/// The sentiment of a whole review and, when the source gave none, its detected language.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSentiment {
    /// Compound score in −1..1; `None` when there is nothing to score or the text is in a
    /// language the model does not cover.
    pub score: Option<f64>,
    pub label: Option<&'static str>,
    /// Detected language (ISO 639-1), only looked for when the source did not name one.
    pub language: Option<&'static str>,
}

/// Everything the store writes beside the review's own fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewAnalysis {
    /// The business category the aspects were found with: the store uses this analysis only
    /// for a review of a business with the same category.
    pub category: Option<String>,
    pub sentiment: ReviewSentiment,
    pub aspects: Vec<AspectMention>,
}

/// Analyses one review for a business of `category`.
pub fn analyse(item: &IncomingReview, category: Option<&str>) -> ReviewAnalysis {
    let text = scored_text(item);
    ReviewAnalysis {
        category: category.map(str::to_owned),
        sentiment: sentiment_of_text(&text, item.language.is_none()),
        aspects: aspects::aspects_in(&text, category),
    }
}

/// The sentiment part of [`analyse`] alone (an edit whose text did not change needs no aspects).
pub fn sentiment_of(item: &IncomingReview) -> ReviewSentiment {
    sentiment_of_text(&scored_text(item), item.language.is_none())
}

/// The aspect part of [`analyse`] alone.
pub fn aspects_of(item: &IncomingReview, category: Option<&str>) -> Vec<AspectMention> {
    aspects::aspects_in(&scored_text(item), category)
}

fn sentiment_of_text(text: &str, detect_language: bool) -> ReviewSentiment {
    let language = if detect_language {
        sentiment::detect_language(text)
    } else {
        None
    };
    match sentiment::analyze(text) {
        Some(s) => ReviewSentiment {
            score: Some(s.score),
            label: Some(s.label.as_str()),
            language,
        },
        None => ReviewSentiment {
            score: None,
            label: None,
            language,
        },
    }
}

/// The text sentiment is scored on: title and body together, as a reader sees them.
pub fn scored_text(item: &IncomingReview) -> String {
    match item.title.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => format!("{t}. {}", item.body),
        None => item.body.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn review(title: Option<&str>, body: &str) -> IncomingReview {
        IncomingReview {
            external_id: "1".into(),
            platform: "google".into(),
            kind: Kind::Review,
            author: None,
            rating: Some(4.0),
            title: title.map(str::to_owned),
            body: body.into(),
            url: None,
            language: None,
            created_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
            updated_at: None,
            owner_reply: None,
            raw_json: None,
        }
    }

    #[test]
    fn the_title_is_read_before_the_body() {
        assert_eq!(
            scored_text(&review(Some("Lovely"), "great coffee")),
            "Lovely. great coffee"
        );
        assert_eq!(
            scored_text(&review(Some("  "), "great coffee")),
            "great coffee"
        );
    }

    #[test]
    fn the_parts_agree_with_the_whole() {
        let r = review(Some("Great coffee"), "but the staff were rude and slow.");
        let whole = analyse(&r, Some("cafe"));
        assert_eq!(whole.sentiment, sentiment_of(&r));
        assert_eq!(whole.aspects, aspects_of(&r, Some("cafe")));
        assert_eq!(whole.category.as_deref(), Some("cafe"));
        assert!(whole.aspects.iter().any(|a| a.aspect == "staff"));
    }

    #[test]
    fn a_language_the_source_named_is_not_detected_again() {
        let mut r = review(
            None,
            "The coffee was great and the staff were very friendly.",
        );
        assert_eq!(sentiment_of(&r).language, Some("en"));
        r.language = Some("en".into());
        assert_eq!(sentiment_of(&r).language, None);
    }
}
