//! The sentiment model on a slice of the public Booking.com sample (CC0, see
//! tests/fixtures/booking-hotel-reviews-sample.README.md) and on hand-written edge cases. The full
//! figures come from `make eval`.

use earshot::analysis::sentiment::{analyze, score};
use earshot::model::SentimentLabel;

/// What the guest liked, then what they did not, as Booking.com shows a review (examples/eval.rs).
fn review_text(positive: &str, negative: &str) -> String {
    let part = |s: &str, empty: &str| {
        let t = s.trim();
        (!t.is_empty() && !t.eq_ignore_ascii_case(empty)).then(|| t.to_string())
    };
    [part(positive, "No Positive"), part(negative, "No Negative")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(". ")
}

#[test]
fn the_first_hundred_real_reviews_are_mostly_labelled_like_their_stars() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/booking-hotel-reviews-sample.csv"
    );
    let mut reader = csv::Reader::from_path(path).unwrap();
    let h = reader.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (pos, neg, sc) = (
        col("Positive_Review"),
        col("Negative_Review"),
        col("Reviewer_Score"),
    );
    let (mut right, mut total, mut negatives) = (0, 0, 0);
    for row in reader.records().take(100) {
        let row = row.unwrap();
        let stars = (row[sc].parse::<f64>().unwrap() / 2.0).round();
        // 3★ reviews have no right binary answer.
        if stars == 3.0 {
            continue;
        }
        let want = if stars <= 2.0 {
            negatives += 1;
            SentimentLabel::Negative
        } else {
            SentimentLabel::Positive
        };
        let got = analyze(&review_text(&row[pos], &row[neg])).map(|s| s.label);
        total += 1;
        right += usize::from(got == Some(want));
    }
    let accuracy = right as f64 / total as f64;
    assert!(
        total >= 70 && negatives >= 5,
        "{total} reviews, {negatives} negative"
    );
    assert!(
        accuracy >= 0.85,
        "accuracy on the first 100 reviews: {accuracy:.3} ({right}/{total})"
    );
}

#[test]
fn hand_written_edge_cases() {
    use SentimentLabel::*;
    let cases = [
        // Phrases and intensifiers.
        (
            "Best brunch in town, the staff went above and beyond!",
            Positive,
        ),
        ("Highly recommend the cinnamon buns :)", Positive),
        ("Total rip off, would not recommend.", Negative),
        ("Waste of money. Never coming back.", Negative),
        ("Five stars, worth every penny", Positive),
        ("Extremely slow service", Negative),
        // Negation.
        (
            "The coffee wasn't good and the cake wasn't fresh.",
            Negative,
        ),
        ("Not bad at all, we'll be back.", Positive),
        ("Waited 40 minutes for two coffees. Not great.", Negative),
        (
            "The heating did not work and there were no towels",
            Negative,
        ),
        ("Couldn't fault a thing, lovely stay", Positive),
        // Contrast: the clause after "but" decides.
        (
            "Great location but the room was filthy and smelled of smoke.",
            Negative,
        ),
        (
            "Filthy lobby but the room itself was lovely and the staff were great.",
            Positive,
        ),
        // Emoji, emoticons, capitals, exclamation marks.
        ("👍👍", Positive),
        ("😡😡 worst service", Negative),
        ("Pizza was cold :(", Negative),
        ("NEVER AGAIN. Cold food and a rude waiter.", Negative),
        ("Amazing!!!", Positive),
        // Neutral: facts, and lukewarm or balanced text.
        ("We had a table by the window.", Neutral),
        ("It was okay, nothing special.", Neutral),
    ];
    for (text, want) in cases {
        let got = analyze(text).map(|s| s.label);
        assert_eq!(got, Some(want), "{text}: {}", score(text));
    }
    // Another language is left unscored; nothing at all too.
    assert!(analyze(
        "Le service était très lent et le café était froid, vraiment décevant, nous ne \
         reviendrons pas."
    )
    .is_none());
    assert!(analyze("").is_none());
}
