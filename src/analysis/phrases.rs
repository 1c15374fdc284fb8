//! Key phrases mined from a business's own reviews: the two-word phrases customers repeat
//! ("oat milk", "card machine"), which extend the built-in aspect lexicon with the business's own
//! vocabulary. Counting bigrams of content words is crude but explainable, fast, and needs no
//! model; a phrase counts once per review so one long rant cannot dominate.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

/// Words too common to carry a topic.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "but", "by", "can", "could", "did", "do", "does", "for", "from", "get",
    "got", "had", "has", "have", "he", "her", "here", "him", "his", "how", "i", "i'm", "if", "in",
    "into", "is", "it", "it's", "its", "just", "me", "more", "most", "my", "no", "not", "of", "on",
    "one", "only", "or", "our", "out", "over", "really", "she", "so", "some", "than", "that",
    "the", "their", "them", "then", "there", "they", "this", "to", "too", "two", "up", "us",
    "very", "was", "we", "well", "were", "what", "when", "which", "while", "who", "will", "with",
    "would", "you", "your", "even", "much", "many", "always", "never", "every", "went", "go",
    "came",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phrase {
    pub phrase: String,
    pub reviews: usize,
}

/// A phrase must recur in at least this many reviews to be listed.
pub const MIN_REVIEWS: usize = 3;

/// The most repeated two-word phrases across `texts`, most frequent first, at most `limit`.
pub fn key_phrases<S: AsRef<str>>(texts: &[S], limit: usize) -> Vec<Phrase> {
    let stop: HashSet<&str> = STOP_WORDS.iter().copied().collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    for text in texts {
        seen.clear();
        let lower = text.as_ref().to_lowercase();
        for clause in lower.split(|c: char| ".,;:!?\n()\"".contains(c)) {
            let words: Vec<&str> = clause
                .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
                .filter(|w| !w.is_empty())
                .collect();
            for pair in words.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                let content = |w: &str| {
                    !stop.contains(w) && w.chars().any(char::is_alphabetic) && w.len() > 2
                };
                if content(a) && content(b) {
                    let phrase = format!("{a} {b}");
                    if seen.insert(phrase.clone()) {
                        *counts.entry(phrase).or_default() += 1;
                    }
                }
            }
        }
    }
    let mut out: Vec<Phrase> = counts
        .into_iter()
        .filter(|(_, n)| *n >= MIN_REVIEWS)
        .map(|(phrase, reviews)| Phrase { phrase, reviews })
        .collect();
    out.sort_by(|a, b| {
        b.reviews
            .cmp(&a.reviews)
            .then_with(|| a.phrase.cmp(&b.phrase))
    });
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_content_bigrams_are_key_phrases() {
        let texts = [
            "The oat milk was off.",
            "Love the oat milk latte",
            "Oat milk again! And the card machine was broken.",
            "card machine broken, cash only",
            "The card machine never works",
        ];
        let p = key_phrases(&texts, 5);
        assert_eq!(
            p[0],
            Phrase {
                phrase: "card machine".into(),
                reviews: 3
            }
        );
        assert_eq!(
            p[1],
            Phrase {
                phrase: "oat milk".into(),
                reviews: 3
            }
        );
        assert!(p.iter().all(|x| x.phrase != "the oat"));
    }

    #[test]
    fn a_phrase_counts_once_per_review() {
        let texts = ["long wait long wait long wait", "fine", "ok"];
        assert!(key_phrases(&texts, 5).is_empty());
    }
}
