//! What Earshot works out about one incoming review before storing it: sentiment and its label,
//! the language when the source did not say, and the aspects with their clause sentiment.
//!
//! It is one pure function of the review and the business category (which picks the aspect
//! lexicon), so an import can run it on worker threads while a single writer stores the rows in
//! file order, and the store runs the very same function for syncs. Keeping it in one place is
//! what makes both paths store identical analyses.

use super::aspects::{self, AspectMention};
use super::sentiment;
use super::topics::TopicMatcher;
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
    /// `aspects` as the review's row keeps them ([`aspects::to_json`]).
    pub aspects_json: Option<String>,
    /// [`IncomingReview::content_hash`], which the store compares and keeps: worked out here so
    /// an import hashes on its worker threads, not in its single writer.
    pub content_hash: i64,
}

/// Analyses one review for a business of `category`.
pub fn analyse(item: &IncomingReview, category: Option<&str>) -> ReviewAnalysis {
    analyse_hashed(item, category, item.content_hash())
}

/// [`analyse`] for a caller that hashed the item already: the store's write path, which needs
/// the hash to find an item's stored row before it knows whether to analyse it.
pub fn analyse_hashed(
    item: &IncomingReview,
    category: Option<&str>,
    content_hash: i64,
) -> ReviewAnalysis {
    let text = scored_text(item);
    let (sentiment, language) = sentiment::analyze_with_language(&text);
    let whole = sentiment.as_ref().map(|s| s.score);
    let aspects = aspects_in_its_language(&text, language, item, category, whole);
    ReviewAnalysis {
        category: category.map(str::to_owned),
        sentiment: review_sentiment(item, sentiment, language),
        aspects_json: aspects::to_json(&aspects),
        aspects,
        content_hash,
    }
}

/// The sentiment part of [`analyse`] alone (an edit whose text did not change needs no aspects).
pub fn sentiment_of(item: &IncomingReview) -> ReviewSentiment {
    let (sentiment, language) = sentiment::analyze_with_language(&scored_text(item));
    review_sentiment(item, sentiment, language)
}

/// The aspect part of [`analyse`] alone.
pub fn aspects_of(item: &IncomingReview, category: Option<&str>) -> Vec<AspectMention> {
    let text = scored_text(item);
    let (sentiment, language) = sentiment::analyze_with_language(&text);
    let whole = sentiment.map(|s| s.score);
    aspects_in_its_language(&text, language, item, category, whole)
}

/// The language the aspects of a review are looked for in: the detected one, else the one the
/// source named, else none (too short to tell: read as English).
pub fn aspect_language<'a>(detected: Option<&'a str>, item: &'a IncomingReview) -> Option<&'a str> {
    detected.or(item.language.as_deref())
}

/// Aspects are looked for in the languages with lexicons (English, and the ones of
/// `aspect_languages`), and in text too short to tell (read as English).
fn aspects_in_its_language(
    text: &str,
    detected: Option<&str>,
    item: &IncomingReview,
    category: Option<&str>,
    whole: Option<f64>,
) -> Vec<AspectMention> {
    let language = aspect_language(detected, item);
    aspects::aspects_in_language(text, category, language, whole)
}

impl ReviewAnalysis {
    /// Adds the mentions of the owner's own topics ([`TopicMatcher`]) to the aspects, and to
    /// the JSON the row keeps: the write path calls it for a business that has topics.
    pub fn add_owner_topics(&mut self, item: &IncomingReview, topics: &TopicMatcher) {
        if topics.is_empty() {
            return;
        }
        let text = scored_text(item);
        let language = aspect_language(self.sentiment.language, item);
        let found = topics.mentions(&text, language, self.sentiment.score);
        if found.is_empty() {
            return;
        }
        // A topic named like a built-in aspect is refused when it is made; should one exist
        // anyway, the built-in mention stands and the topic's is not counted twice.
        for m in found {
            if !self.aspects.iter().any(|a| a.aspect == m.aspect) {
                self.aspects.push(m);
            }
        }
        self.aspects_json = aspects::to_json(&self.aspects);
    }
}

/// The detected language is kept only when the source did not name one.
fn review_sentiment(
    item: &IncomingReview,
    sentiment: Option<sentiment::Sentiment>,
    language: Option<&'static str>,
) -> ReviewSentiment {
    ReviewSentiment {
        score: sentiment.as_ref().map(|s| s.score),
        label: sentiment.map(|s| s.label.as_str()),
        language: language.filter(|_| item.language.is_none()),
    }
}

/// The text sentiment is scored on: title and body together, as a reader sees them.
pub fn scored_text(item: &IncomingReview) -> String {
    scored_text_of(item.title.as_deref(), &item.body)
}

/// [`scored_text`] from a stored review's title and body.
pub fn scored_text_of(title: Option<&str>, body: &str) -> String {
    match title.filter(|t| !t.trim().is_empty()) {
        Some(t) => format!("{t}. {body}"),
        None => body.to_owned(),
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

    /// The language is decided once, for the whole review, and picks the lexicons: a French
    /// review has its aspects in French (issue 27), a Dutch one none (no Dutch lexicons), an
    /// English review has them in every clause.
    #[test]
    fn aspects_follow_the_language_of_the_whole_review() {
        let french = review(
            None,
            "Le café était froid et le service très lent, je ne reviendrai pas.",
        );
        let a = analyse(&french, Some("cafe"));
        assert_eq!(a.sentiment.language, Some("fr"));
        // Scored in French since issue 27: a complaint.
        assert!(
            a.sentiment.score.is_some_and(|s| s < 0.0),
            "{:?}",
            a.sentiment.score
        );
        for aspect in ["coffee", "service", "wait time"] {
            assert!(
                a.aspects.iter().any(|m| m.aspect == aspect),
                "{aspect}: {:?}",
                a.aspects
            );
        }
        assert_eq!(aspects_of(&french, Some("cafe")), a.aspects);
        let dutch = review(
            None,
            "De koffie was koud en de bediening was erg traag, wij komen niet meer terug.",
        );
        let a = analyse(&dutch, Some("cafe"));
        assert!(a.aspects.is_empty(), "{:?}", a.aspects);

        let english = review(None, "The service was slow. Coffee superb, staff lovely.");
        let a = analyse(&english, Some("cafe"));
        assert_eq!(a.sentiment.language, Some("en"));
        for aspect in ["service", "coffee", "staff"] {
            assert!(
                a.aspects.iter().any(|m| m.aspect == aspect),
                "{aspect}: {:?}",
                a.aspects
            );
        }
    }

    /// Issue 27: the owner's topics join the aspects, and the JSON the row keeps.
    #[test]
    fn owner_topics_join_the_aspects_and_their_json() {
        let r = review(None, "The new menu is wonderful, but the coffee was cold.");
        let mut a = analyse(&r, Some("cafe"));
        let words = vec!["new menu".to_owned()];
        let m = TopicMatcher::new([("the new menu", words.as_slice())]);
        a.add_owner_topics(&r, &m);
        assert!(
            a.aspects
                .iter()
                .any(|x| x.aspect == "the new menu" && x.sentiment > 0.0),
            "{:?}",
            a.aspects
        );
        assert!(a.aspects.iter().any(|x| x.aspect == "coffee"));
        assert!(a
            .aspects_json
            .as_deref()
            .is_some_and(|j| j.contains("\"the new menu\":")));
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
