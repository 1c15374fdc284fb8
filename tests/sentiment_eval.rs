//! The sentiment model on a slice of the public Booking.com sample (CC0, see
//! tests/fixtures/booking-hotel-reviews-sample.README.md) and on hand-written edge cases. The full
//! figures come from `make eval`.

use earshot::analysis::sentiment::{analyze, score};
use earshot::model::SentimentLabel;

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
fn a_slice_of_real_reviews_is_mostly_labelled_like_its_stars() {
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
    let (mut right, mut total) = (0, 0);
    for row in reader.records().take(250) {
        let row = row.unwrap();
        let stars = (row[sc].parse::<f64>().unwrap() / 2.0).round();
        if stars == 3.0 {
            continue;
        }
        let want = if stars <= 2.0 {
            SentimentLabel::Negative
        } else {
            SentimentLabel::Positive
        };
        let got = analyze(&review_text(&row[pos], &row[neg])).map(|s| s.label);
        total += 1;
        right += usize::from(got == Some(want));
    }
    let accuracy = right as f64 / total as f64;
    assert!(total > 150, "{total}");
    assert!(
        accuracy >= 0.8,
        "accuracy on the slice: {accuracy:.3} ({right}/{total})"
    );
}

#[test]
fn hand_written_edge_cases() {
    use SentimentLabel::*;
    let cases = [
        (
            "Best brunch in town, the staff went above and beyond!",
            Positive,
        ),
        ("NEVER AGAIN. Cold food and a rude waiter.", Negative),
        (
            "The coffee wasn't good and the cake wasn't fresh.",
            Negative,
        ),
        ("Not bad at all, we'll be back.", Positive),
        (
            "Great location but the room was filthy and smelled of smoke.",
            Negative,
        ),
        (
            "Filthy lobby but the room itself was lovely and the staff were great.",
            Positive,
        ),
        ("Waited 40 minutes for two coffees. Not great.", Negative),
        ("👍👍", Positive),
        ("😡😡 worst service", Negative),
        ("Highly recommend the cinnamon buns :)", Positive),
        ("Total rip off, would not recommend.", Negative),
        ("We had a table by the window.", Neutral),
    ];
    for (text, want) in cases {
        let got = analyze(text).map(|s| s.label);
        assert_eq!(got, Some(want), "{text}: {}", score(text));
    }
    assert!(analyze("Le service était très lent et le café était froid, vraiment décevant, nous ne reviendrons pas.").is_none());
}
