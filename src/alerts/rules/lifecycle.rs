//! `removed` and `credentials_expiring`: things that happen to the owner's data rather than in
//! it. A review the owner had can vanish (the platform removed it, or the author deleted it; the
//! sync marks it `removed_at` rather than deleting it, so its text is still there to show), and
//! a sign-in that cannot renew itself stops working on a known day.

use serde_json::json;

use super::{by, excerpt, finding, platform_label, quote, stars, text_of, Finding, EXCERPT_CHARS};
use crate::alerts::AlertKind;
use crate::model::alerts::{CredentialExpiry, Item};

/// `removed`: one alert per review that disappeared from its platform, dated by when the sync
/// noticed. `removed` pairs each item with that time.
pub fn removed(items: &[(Item, i64)]) -> Vec<Finding> {
    items
        .iter()
        .map(|(i, at)| {
            let rating = i
                .rating
                .map(|r| format!("{} ", stars(r)))
                .unwrap_or_default();
            let message = format!(
                "A {rating}review on {}{} is no longer there: {}",
                platform_label(&i.platform),
                by(i),
                quote(&excerpt(&text_of(i), EXCERPT_CHARS))
            );
            finding(
                AlertKind::Removed,
                i.business_id,
                format!("removed:{}", i.id),
                *at,
                message,
                vec![i.id],
                json!({ "rating": i.rating, "platform": i.platform,
                        "written_at": crate::model::rfc3339(&super::time(i.created_at)) }),
            )
        })
        .collect()
}

/// `credentials_expiring`: a kept sign-in that cannot renew itself and ends within `days` of
/// `now` (or has ended). Renewable ones (a refresh token, a service account) renew themselves.
pub fn credentials_expiring(creds: &[CredentialExpiry], days: f64, now: i64) -> Vec<Finding> {
    let lead = (days * 86_400.0) as i64;
    creds
        .iter()
        .filter(|c| !c.renewable && c.expires_at - lead <= now)
        .map(|c| {
            let end = super::time(c.expires_at);
            let when = if c.expires_at <= now {
                format!("stopped working on {}", end.format("%-d %b %Y"))
            } else {
                format!("stops working on {} UTC", end.format("%-d %b %Y, %H:%M"))
            };
            let message = format!(
                "The sign-in of source {} ({}) {when}. Sign in again with `earshot sources \
                 auth {}` or on the Review sites screen.",
                c.source_id, c.label, c.source_id
            );
            finding(
                AlertKind::CredentialsExpiring,
                c.business_id,
                format!("credentials_expiring:{}:{}", c.source_id, c.expires_at),
                now.min(c.expires_at),
                message,
                Vec::new(),
                json!({ "source_id": c.source_id, "connector": c.connector,
                        "expires_at": crate::model::rfc3339(&end) }),
            )
        })
        .collect()
}
