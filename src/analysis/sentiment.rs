//! Placeholder sentiment scorer with the final API; replaced by the lexicon model.

use crate::model::SentimentLabel;

pub struct Sentiment {
    pub score: f64,
    pub label: SentimentLabel,
}

/// Scores below this are negative, above its opposite positive.
const NEUTRAL_BAND: f64 = 0.05;

pub fn label_for(score: f64) -> SentimentLabel {
    if score <= -NEUTRAL_BAND {
        SentimentLabel::Negative
    } else if score >= NEUTRAL_BAND {
        SentimentLabel::Positive
    } else {
        SentimentLabel::Neutral
    }
}

pub fn analyze(text: &str) -> Option<Sentiment> {
    if text.trim().is_empty() {
        return None;
    }
    let lower = text.to_lowercase();
    let pos = ["great", "good", "love", "excellent", "friendly"]
        .iter()
        .filter(|w| lower.contains(*w))
        .count() as f64;
    let neg = ["bad", "awful", "rude", "cold", "slow", "terrible"]
        .iter()
        .filter(|w| lower.contains(*w))
        .count() as f64;
    let score = ((pos - neg) / 3.0).clamp(-1.0, 1.0);
    Some(Sentiment {
        score,
        label: label_for(score),
    })
}

pub fn detect_language(_text: &str) -> Option<&'static str> {
    None
}
