//! A request's words: the owner's template filled for one customer, the tone checks it gets
//! before anything is sent, and the `mailto:` and `sms:` links for asking by hand.
//!
//! The fairness checks come first: a template that asks only the happy customers ("if you
//! enjoyed your visit…", "if not, contact us first") or that offers something for a review is
//! review gating or an incentive, which Google, Trustpilot and the FTC forbid. They are
//! warnings, like the reply coach's (whose shouting and personal-data checks run too): the
//! owner decides, but sees why before sending to the whole list. Fields are filled as plain
//! text; e-mails are `text/plain`, so nothing in a name becomes markup.

use serde::Serialize;

use crate::replies::coach::{self, CheckContext, WarningCode};

/// One thing to reconsider in the words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToneWarning {
    /// `gating`, `incentive`, `no_link`, or one of the reply coach's codes (`shouting`…).
    pub code: &'static str,
    pub message: String,
}

/// Words that ask only the satisfied customers, or steer what they write.
const GATING: &[&str] = &[
    "if you were happy",
    "if you were satisfied",
    "if you enjoyed",
    "if you loved",
    "if you liked",
    "happy customers",
    "satisfied customers",
    "if not,",
    "if you weren't",
    "if you were not",
    "contact us first",
    "before leaving a review",
    "before you review",
    "5 stars",
    "5-star",
    "five stars",
    "five-star",
    "positive review",
    "good review",
    "great review",
    "glowing review",
];

/// Words that offer something in return for a review.
const INCENTIVE: &[&str] = &[
    "discount",
    "% off",
    "free coffee",
    "free drink",
    "free meal",
    "for free",
    "gift card",
    "voucher",
    "coupon",
    "prize",
    "chance to win",
    "in exchange",
    "reward",
];

/// The checks on a template (fields not yet filled).
pub fn fairness_warnings(template: &str) -> Vec<ToneWarning> {
    let lower = template.to_lowercase();
    let found = |list: &[&'static str]| -> Vec<&'static str> {
        list.iter().copied().filter(|p| lower.contains(p)).collect()
    };
    let mut out = Vec::new();
    let gating = found(GATING);
    if !gating.is_empty() {
        out.push(ToneWarning {
            code: "gating",
            message: format!(
                "\"{}\" asks only the happy customers or steers the rating: ask everyone the \
                 same way for an honest review (Google and the FTC forbid review gating)",
                gating.join("\", \"")
            ),
        });
    }
    let incentive = found(INCENTIVE);
    if !incentive.is_empty() {
        out.push(ToneWarning {
            code: "incentive",
            message: format!(
                "\"{}\" sounds like something in return for a review, which the platforms \
                 forbid: ask without one",
                incentive.join("\", \"")
            ),
        });
    }
    if !template.contains("{link}") {
        out.push(ToneWarning {
            code: "no_link",
            message: "the words do not contain {link}: the customer would not know where to \
                      write"
                .into(),
        });
    }
    out
}

/// The fairness checks and the reply coach's tone checks that make sense for a request
/// (shouting, defensive words, someone's personal data). Not its link check: a request exists
/// to carry one.
pub fn check(template: &str) -> Vec<ToneWarning> {
    let mut out = fairness_warnings(template);
    let ctx = CheckContext::default();
    for w in coach::check(template, &ctx) {
        if matches!(w.code, WarningCode::Link | WarningCode::TooLong) {
            continue;
        }
        out.push(ToneWarning {
            code: w.code.as_str(),
            message: w.message,
        });
    }
    out
}

/// What fills a template for one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields<'a> {
    /// The customer's name as the owner's list has it; the first name greets them.
    pub name: &'a str,
    pub business: &'a str,
    pub link: &'a str,
}

/// The template filled in: `{name}` is the first name ("there" when the list has none that
/// reads as one), `{business}` and `{link}` as given.
pub fn render(template: &str, f: &Fields<'_>) -> String {
    let name =
        crate::replies::templates::first_name(Some(f.name)).unwrap_or_else(|| "there".to_string());
    template
        .replace("{name}", &name)
        .replace("{business}", f.business)
        .replace("{link}", f.link)
}

/// Percent-encodes everything but RFC 3986's unreserved characters, as `mailto:` (RFC 6068)
/// and `sms:` (RFC 5724) bodies need: a space is `%20`, never `+`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `mailto:` link that opens the owner's mail program with the request written.
pub fn mailto(to: &str, subject: &str, body: &str) -> String {
    format!(
        "mailto:{}?subject={}&body={}",
        encode(to).replace("%40", "@"),
        encode(subject),
        encode(body)
    )
}

/// An `sms:` link that opens the phone's messages with the text written.
pub fn sms(phone: &str, body: &str) -> String {
    format!(
        "sms:{}?body={}",
        encode(phone).replace("%2B", "+"),
        encode(body)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gating_and_incentives_are_pointed_out_and_fair_words_pass() {
        let gated =
            check("If you enjoyed your visit, leave us 5 stars! If not, contact us first. {link}");
        assert_eq!(gated[0].code, "gating", "{gated:?}");
        assert!(gated[0].message.contains("if you enjoyed"), "{gated:?}");
        let paid = check("Review us and get a 10% off voucher: {link}");
        assert_eq!(paid[0].code, "incentive", "{paid:?}");
        assert_eq!(check("Tell us how it went? {link}"), vec![]);
        assert_eq!(check("Tell us how it went?")[0].code, "no_link");
        assert!(check("PLEASE REVIEW US NOW AT {link} THANK YOU SO MUCH")
            .iter()
            .any(|w| w.code == "shouting"));
    }

    #[test]
    fn fields_are_filled_with_the_first_name_and_links_are_encoded() {
        let f = Fields {
            name: "dana kowalski",
            business: "Joe's Café",
            link: "https://g.page/r/x/review",
        };
        assert_eq!(
            render("Hi {name}, {business}: {link}", &f),
            "Hi Dana, Joe's Café: https://g.page/r/x/review"
        );
        let nameless = Fields { name: "42", ..f };
        assert!(render("Hi {name}", &nameless).starts_with("Hi there"));
        assert_eq!(
            mailto("a@b.example", "How was it?", "Hi & bye\n"),
            "mailto:a@b.example?subject=How%20was%20it%3F&body=Hi%20%26%20bye%0A"
        );
        assert_eq!(sms("+15550100", "a b"), "sms:+15550100?body=a%20b");
    }
}
