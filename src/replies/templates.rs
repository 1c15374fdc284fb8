//! Reply templates: a starting point per star band and aspect, filled with the review's details.
//!
//! Fields are `{first_name}`, `{business}`, `{aspect}`, `{owner_name}`, `{sign_off}`,
//! `{contact}` and `{platform}`. A template is chosen by the review's star band, then by aspect
//! (a template written for "wait time" beats a general one), and among equals by the review's id,
//! so consecutive reviews get different wording rather than the same paragraph — the coach's
//! `canned` check would otherwise fire on the owner's own templates.
//!
//! Rendering is pure: the caller gathers the review, its aspects and the owner's profile. The
//! defaults below are seeded into `reply_templates` on first use and can be edited like any other.

use serde::{Deserialize, Serialize};

use super::{ReplyError, Result};

use crate::model::replies::ReplyTemplate;

/// The fields a template may use; anything else in braces is refused when a template is saved.
pub const FIELDS: &[&str] = &[
    "first_name",
    "business",
    "aspect",
    "owner_name",
    "sign_off",
    "contact",
    "platform",
];

/// What a template is filled with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fill {
    pub first_name: Option<String>,
    pub business: String,
    /// The aspect the reply should name: the most negative one for a complaint, the most positive
    /// for praise.
    pub aspect: Option<String>,
    pub owner_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub platform: String,
}

/// The first name to greet a reviewer by: the first word of the display name, without a leading
/// `@`; handles that are clearly user names (digits, underscores) get no name at all.
pub fn first_name(author: Option<&str>) -> Option<String> {
    let word = author?.split_whitespace().next()?.trim_start_matches('@');
    let word = word.trim_end_matches(|c: char| !c.is_alphanumeric());
    if word.len() < 2
        || word.chars().any(|c| c.is_ascii_digit() || c == '_')
        || !word
            .chars()
            .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
    {
        return None;
    }
    let mut chars = word.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// Fills a template. Fields with no value get a neutral wording that still reads naturally
/// ("Hi there", "the team at …", "send us a private message").
pub fn render(body: &str, fill: &Fill) -> String {
    let owner = fill
        .owner_name
        .clone()
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| format!("The {} team", fill.business));
    let contact = match (&fill.contact_email, &fill.contact_phone) {
        (Some(e), _) if !e.trim().is_empty() => format!("email me at {}", e.trim()),
        (_, Some(p)) if !p.trim().is_empty() => format!("call us on {}", p.trim()),
        _ => "send us a private message".to_string(),
    };
    let values = [
        (
            "first_name",
            fill.first_name.clone().unwrap_or_else(|| "there".into()),
        ),
        ("business", fill.business.clone()),
        (
            "aspect",
            fill.aspect.clone().unwrap_or_else(|| "your visit".into()),
        ),
        ("owner_name", owner.clone()),
        ("sign_off", format!("— {owner}")),
        ("contact", contact),
        ("platform", crate::platform::platform_label(&fill.platform)),
    ];
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    // Unknown fields stay visible so the owner sees and fixes them.
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Refuses a template with an empty name or body, an unknown field or an impossible band.
pub fn validate(t: &ReplyTemplate) -> Result<()> {
    let invalid = |reason: String| ReplyError::InvalidTemplate {
        name: t.name.clone(),
        reason,
    };
    if t.name.trim().is_empty() {
        return Err(invalid("the name is empty".into()));
    }
    if t.body.trim().is_empty() {
        return Err(invalid("the text is empty".into()));
    }
    for bound in [t.min_rating, t.max_rating].into_iter().flatten() {
        if !(1..=5).contains(&bound) {
            return Err(invalid(format!("star bounds are 1 to 5, not {bound}")));
        }
    }
    if let (Some(lo), Some(hi)) = (t.min_rating, t.max_rating) {
        if lo > hi {
            return Err(invalid(format!("the band {lo}–{hi} is empty")));
        }
    }
    for field in fields_in(&t.body) {
        if !FIELDS.contains(&field) {
            return Err(invalid(format!(
                "{{{field}}} is not a field; use one of {}",
                FIELDS
                    .iter()
                    .map(|f| format!("{{{f}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

fn fields_in(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

/// Picks the template for a review: those whose star band holds the rating (unrated items count
/// as 3), preferring one written for an aspect the review mentions, then general ones. A template
/// that names `{aspect}` is only picked when the review has one. `seed` (the review id) rotates
/// among equally good templates.
pub fn choose<'t>(
    templates: &'t [ReplyTemplate],
    rating: Option<f64>,
    aspects: &[String],
    seed: i64,
) -> Option<&'t ReplyTemplate> {
    let stars = rating.map_or(3, |r| r.round() as i64);
    let in_band = |t: &&ReplyTemplate| {
        t.min_rating.is_none_or(|lo| stars >= lo) && t.max_rating.is_none_or(|hi| stars <= hi)
    };
    let usable = |t: &&ReplyTemplate| !t.body.contains("{aspect}") || !aspects.is_empty();
    let specific: Vec<&ReplyTemplate> = templates
        .iter()
        .filter(in_band)
        .filter(|t| t.aspect.as_ref().is_some_and(|a| aspects.contains(a)))
        .collect();
    let pool = if specific.is_empty() {
        templates
            .iter()
            .filter(in_band)
            .filter(|t| t.aspect.is_none())
            .filter(usable)
            .collect()
    } else {
        specific
    };
    if pool.is_empty() {
        return None;
    }
    Some(pool[seed.unsigned_abs() as usize % pool.len()])
}

fn t(name: &str, min: i64, max: i64, aspect: Option<&str>, body: &str) -> ReplyTemplate {
    ReplyTemplate {
        id: 0,
        name: name.into(),
        min_rating: Some(min),
        max_rating: Some(max),
        aspect: aspect.map(str::to_owned),
        body: body.into(),
    }
}

/// The built-in templates: two or three per band so neighbouring replies differ, each already
/// written to pass the coach (an apology and a private channel on complaints, no sales talk).
pub fn defaults() -> Vec<ReplyTemplate> {
    vec![
        t(
            "praise",
            4,
            5,
            None,
            "Hi {first_name}, thank you for taking the time to write this. It means a lot to \
             everyone at {business}, and we hope to see you again soon. {sign_off}",
        ),
        t(
            "praise-aspect",
            4,
            5,
            None,
            "Thank you, {first_name}! I'm so glad the {aspect} made your day; I'll make sure \
             the team hears it. {sign_off}",
        ),
        t(
            "praise-short",
            4,
            5,
            None,
            "Hi {first_name}, what a lovely review to read. Thank you for choosing {business}! \
             {sign_off}",
        ),
        t(
            "mixed",
            3,
            3,
            None,
            "Hi {first_name}, thank you for the honest review. I'm sorry {business} didn't \
             quite get it right this time. If you're willing to tell me more, please {contact}; \
             I'd like to hear what would have made it five stars. {sign_off}",
        ),
        t(
            "mixed-aspect",
            3,
            3,
            None,
            "Thanks for the fair review, {first_name}. I'm sorry the {aspect} let you down, and \
             we're looking at it now. Please {contact} if you'd like to tell me more. {sign_off}",
        ),
        t(
            "complaint",
            1,
            2,
            None,
            "Hi {first_name}, I'm sorry. This isn't the experience we want anyone to have at \
             {business}, and thank you for telling us. I'd like to make it right: please \
             {contact} so we can talk it through. {sign_off}",
        ),
        t(
            "complaint-aspect",
            1,
            2,
            None,
            "Hi {first_name}, I'm sorry about the {aspect}; that's not the standard we hold \
             ourselves to. I've shared your review with the team. Please {contact} so I can \
             put this right personally. {sign_off}",
        ),
        t(
            "complaint-wait",
            1,
            2,
            Some("wait time"),
            "Hi {first_name}, I'm sorry you had to wait so long. That's on us, not you, and \
             we're changing how we staff our busiest hours. I'd like to make it up to you: \
             please {contact}. {sign_off}",
        ),
        t(
            "complaint-staff",
            1,
            2,
            Some("staff"),
            "{first_name}, I'm sorry about how you were treated. Everyone who walks into \
             {business} should feel welcome, and I'm following up with the team myself. \
             Please {contact} so I can hear the whole story. {sign_off}",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SentimentLabel;
    use crate::replies::coach::{self, CheckContext, ReviewContext};

    fn fill() -> Fill {
        Fill {
            first_name: Some("Dana".into()),
            business: "Joe's Café".into(),
            aspect: Some("coffee".into()),
            owner_name: Some("Joe".into()),
            contact_email: Some("joe@joescafe.com".into()),
            contact_phone: None,
            platform: "google".into(),
        }
    }

    #[test]
    fn fields_are_filled_and_unknown_ones_stay_visible() {
        let out = render(
            "Hi {first_name}, thanks for the {aspect}! {sign_off} {nope} {",
            &fill(),
        );
        assert_eq!(out, "Hi Dana, thanks for the coffee! — Joe {nope} {");
    }

    #[test]
    fn missing_values_read_naturally() {
        let f = Fill {
            business: "Joe's Café".into(),
            platform: "google".into(),
            ..Default::default()
        };
        let out = render("Hi {first_name}, please {contact}. {sign_off}", &f);
        assert_eq!(
            out,
            "Hi there, please send us a private message. — The Joe's Café team"
        );
    }

    #[test]
    fn first_names_come_from_display_names_not_handles() {
        assert_eq!(first_name(Some("Dana K.")).as_deref(), Some("Dana"));
        assert_eq!(first_name(Some("@sam")).as_deref(), Some("Sam"));
        assert_eq!(first_name(Some("xX_gamer_99")), None);
        assert_eq!(first_name(Some("J")), None);
        assert_eq!(first_name(None), None);
    }

    #[test]
    fn a_template_with_an_unknown_field_is_refused() {
        let mut bad = defaults()[0].clone();
        bad.body = "Hi {firstname}".into();
        let err = validate(&bad).unwrap_err();
        assert_eq!(err.code(), "invalid_template");
        assert!(err.to_string().contains("{firstname}"));
        for d in defaults() {
            validate(&d).unwrap();
        }
    }

    #[test]
    fn an_aspect_template_beats_a_general_one_in_its_band() {
        let all = defaults();
        let pick = choose(&all, Some(1.0), &["wait time".into()], 7).unwrap();
        assert_eq!(pick.name, "complaint-wait");
        let pick = choose(&all, Some(5.0), &[], 7).unwrap();
        assert!(pick.name.starts_with("praise") && pick.name != "praise-aspect");
        let pick = choose(&all, Some(3.0), &[], 1).unwrap();
        assert_eq!(pick.name, "mixed");
    }

    #[test]
    fn neighbouring_reviews_get_different_templates() {
        let all = defaults();
        let a = choose(&all, Some(5.0), &["coffee".into()], 1).unwrap();
        let b = choose(&all, Some(5.0), &["coffee".into()], 2).unwrap();
        assert_ne!(a.name, b.name);
    }

    /// The defaults must pass the coach themselves, or every first reply starts with a warning.
    #[test]
    fn every_default_template_passes_the_coach() {
        for t in defaults() {
            let rating = t.max_rating.unwrap() as f64;
            let text = render(&t.body, &fill());
            let ctx = CheckContext {
                platform: "google",
                review: Some(ReviewContext {
                    rating: Some(rating),
                    sentiment: Some(if rating <= 2.0 {
                        SentimentLabel::Negative
                    } else {
                        SentimentLabel::Positive
                    }),
                    body: "The coffee was cold and we waited ages.",
                    author: Some("Dana"),
                }),
                ..Default::default()
            };
            let w = coach::check(&text, &ctx);
            assert!(w.is_empty(), "{}: {text}\n{w:?}", t.name);
        }
    }
}
