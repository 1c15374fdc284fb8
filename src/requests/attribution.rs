//! What followed the requests: a review whose author matches a customer who was asked, written
//! within the window after the ask (30 days by default), counts as that request's response.
//! Pure: requests and reviews in, figures and the review ids behind them out.
//!
//! Names are all there is to match on (platforms show no e-mail), so the match is careful
//! rather than eager: the names are folded (case, accents, punctuation) and must be the same,
//! or the review shows the first name and the last name's initial as Yelp and Google sometimes
//! do ("Dana K." for Dana Kowalski). A first name alone never matches: "Dana" could be anyone.
//! Each review answers at most one request, and each request gets at most one review (the
//! first). Reviews before the first ask are not "the rest": the comparison is over the same
//! span of time.

use serde::Serialize;

use super::{RequestRow, ReviewSeen};

/// A name folded for matching: lower case, accents dropped (for the common Latin letters),
/// words of letters and digits joined by one space.
pub fn name_key(name: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

/// The letter without its accent, for the Latin letters customer names mostly use.
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'ł' => 'l',
        'ś' | 'š' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// Whether a review's author (folded) is the customer (folded): the same name, or first name
/// and the last name's initial.
pub fn names_match(customer: &str, author: &str) -> bool {
    if customer.is_empty() || author.is_empty() {
        return false;
    }
    if customer == author {
        return true;
    }
    let c: Vec<&str> = customer.split(' ').collect();
    let a: Vec<&str> = author.split(' ').collect();
    match (c.as_slice(), a.as_slice()) {
        ([first, .., last], [a_first, initial]) if initial.chars().count() == 1 => {
            first == a_first && last.starts_with(initial)
        }
        _ => false,
    }
}

/// The figures `requests stats` and the app show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestStats {
    /// Requests that went out (e-mails sent, texts and links prepared for the owner to send).
    pub sent: usize,
    /// Requests recorded whose e-mail's outcome is unknown (a run stopped mid-send): counted
    /// as asked, never sent again.
    pub unconfirmed: usize,
    /// E-mails the server refused (those customers may be asked again).
    pub failed: usize,
    /// Requests that a review followed within the window.
    pub responses: usize,
    /// `responses / sent`, when anything was sent.
    pub response_rate: Option<f64>,
    /// Average rating of the reviews that followed a request.
    pub responses_rating: Option<f64>,
    /// Average rating of the business's other reviews since the first request.
    pub others_rating: Option<f64>,
    /// How many other reviews that average is over.
    pub others: usize,
    pub window_days: u32,
    /// Each response: the request and the review behind it.
    pub matched: Vec<Matched>,
}

/// One request and the review that answered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matched {
    pub request_id: i64,
    pub customer_id: i64,
    pub review_id: i64,
    pub platform: String,
    pub rating: Option<f64>,
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (n, sum) = xs.fold((0usize, 0.0), |(n, s), x| (n + 1, s + x));
    (n > 0).then(|| (sum / n as f64 * 100.0).round() / 100.0)
}

/// Matches requests to the reviews that followed them. `requests` oldest first; `reviews`
/// those since the first request, oldest first.
pub fn attribute(
    requests: &[RequestRow],
    reviews: &[ReviewSeen],
    window_days: u32,
) -> RequestStats {
    let window = i64::from(window_days) * 86_400;
    let asked: Vec<&RequestRow> = requests.iter().filter(|r| r.asked()).collect();
    let mut used_reviews = std::collections::HashSet::new();
    let mut matched = Vec::new();
    for request in &asked {
        let found = reviews.iter().find(|review| {
            !used_reviews.contains(&review.id)
                && review.created_at >= request.created_at
                && review.created_at <= request.created_at + window
                && review
                    .author
                    .as_deref()
                    .is_some_and(|a| names_match(&request.name_key, &name_key(a)))
        });
        if let Some(review) = found {
            used_reviews.insert(review.id);
            matched.push(Matched {
                request_id: request.id,
                customer_id: request.customer_id,
                review_id: review.id,
                platform: review.platform.clone(),
                rating: review.rating,
            });
        }
    }
    let first_ask = asked.first().map(|r| r.created_at);
    let others: Vec<&ReviewSeen> = reviews
        .iter()
        .filter(|r| first_ask.is_some_and(|t| r.created_at >= t) && !used_reviews.contains(&r.id))
        .collect();
    let sent = requests
        .iter()
        .filter(|r| r.state == "sent" || r.state == "prepared")
        .count();
    RequestStats {
        sent,
        unconfirmed: requests.iter().filter(|r| r.state == "sending").count(),
        failed: requests.iter().filter(|r| r.state == "failed").count(),
        responses: matched.len(),
        response_rate: (sent > 0)
            .then(|| (matched.len() as f64 / sent as f64 * 1000.0).round() / 1000.0),
        responses_rating: mean(matched.iter().filter_map(|m| m.rating)),
        others_rating: mean(others.iter().filter_map(|r| r.rating)),
        others: others.len(),
        window_days,
        matched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_accents_and_punctuation() {
        assert_eq!(name_key("  José  O'Brien-Núñez "), "jose o brien nunez");
        assert_eq!(name_key("DANA kowalski"), "dana kowalski");
    }

    #[test]
    fn a_review_matches_the_full_name_or_first_name_and_initial_never_a_first_name_alone() {
        let dana = name_key("Dana Kowalski");
        assert!(names_match(&dana, &name_key("dana kowalski")));
        assert!(names_match(&dana, &name_key("Dana K.")));
        assert!(!names_match(&dana, &name_key("Dana")));
        assert!(!names_match(&dana, &name_key("Dana M.")));
        assert!(!names_match(&dana, &name_key("Dan Kowalski")));
        assert!(!names_match("", ""));
    }

    fn request(id: i64, name: &str, at: i64, state: &str) -> RequestRow {
        RequestRow {
            id,
            customer_id: id,
            name_key: name_key(name),
            platform: "google".into(),
            via: "email".into(),
            state: state.into(),
            created_at: at,
            error: None,
        }
    }

    fn review(id: i64, author: &str, at: i64, rating: f64) -> ReviewSeen {
        ReviewSeen {
            id,
            author: Some(author.into()),
            rating: Some(rating),
            created_at: at,
            platform: "google".into(),
        }
    }

    #[test]
    fn a_review_within_the_window_after_the_ask_is_its_response_once() {
        let day = 86_400;
        let requests = [
            request(1, "Dana Kowalski", 0, "sent"),
            request(2, "Lee Park", 0, "sent"),
            request(3, "Ann Fox", 0, "failed"),
            request(4, "Bo Yu", 0, "sending"),
        ];
        let reviews = [
            review(10, "Dana K.", 3 * day, 5.0),
            review(11, "Dana Kowalski", 4 * day, 4.0), // a second review: not a second response
            review(12, "Lee Park", 31 * day, 2.0),     // after the window
            review(13, "Ann Fox", day, 1.0),           // her request failed: she was not asked
            review(14, "Someone Else", day, 3.0),
        ];
        let stats = attribute(&requests, &reviews, 30);
        assert_eq!(stats.sent, 2);
        assert_eq!(stats.unconfirmed, 1);
        assert_eq!(stats.failed, 1);
        assert_eq!(stats.responses, 1);
        assert_eq!(stats.matched[0].review_id, 10);
        assert_eq!(stats.responses_rating, Some(5.0));
        assert_eq!(stats.others, 4);
        assert_eq!(stats.others_rating, Some(2.5));
        assert_eq!(stats.response_rate, Some(0.5));
    }
}
