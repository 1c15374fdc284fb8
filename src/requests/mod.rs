//! Review requests (issue 29, part 3): ask the customers on the owner's list for a review, fairly.
//!
//! What it owns: the review link of each of the owner's profiles (built by each platform's home
//! from a source's settings, [`crate::platforms::Platform::review_link`], or set by hand), its QR
//! code and printable card ([`card`]), the customer list from a CSV ([`customers`]), the message
//! and its tone checks ([`message`]), sending ([`send`]) and what followed ([`attribution`]).
//!
//! Fair by design, and the reason for most decisions here: every customer on the list is asked
//! the same way, with the same words and the same link, whatever Earshot knows of their visit
//! (no review gating: Google's and the FTC's rules forbid asking only the happy ones, and an
//! honest picture is what the owner needs). Nothing about sentiment, ratings or the visit picks
//! who is asked; the only reasons not to ask are the customer's own (they opted out), the
//! owner's period between two asks (90 days by default), and having no address to ask at.
//! A platform whose rules forbid asking (Yelp) gets its link and QR code but no requests.

pub mod attribution;
pub mod card;
pub mod customers;
pub mod message;
pub mod send;

use serde::{Deserialize, Serialize};

use crate::model::{Business, BusinessId};
use crate::platforms::AskingRule;
use crate::store::{ReplyStore, RequestStore, StoreError};

/// The settings key of [`RequestSettings`].
pub const SETTINGS_KEY: &str = "review_requests";

/// How the owner asks: the period between two asks of one customer, how long after an ask a
/// review counts as its answer, and the words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestSettings {
    /// Nobody is asked twice within this many days (issue 29: 90 by default).
    pub period_days: u32,
    /// A review by a customer up to this many days after their ask counts as its answer.
    pub window_days: u32,
    /// The e-mail's subject, with fields `{name}`, `{business}`, `{link}`.
    pub subject: String,
    /// The e-mail's body (plain text), same fields.
    pub body: String,
    /// The SMS text, same fields.
    pub sms: String,
}

/// A customer is asked at most once in this many days unless the owner says otherwise: a
/// season, long enough not to pester a regular.
pub const DEFAULT_PERIOD_DAYS: u32 = 90;
/// Reviews rarely come more than a few weeks after an ask; later ones are more likely the
/// customer's own idea.
pub const DEFAULT_WINDOW_DAYS: u32 = 30;

impl Default for RequestSettings {
    fn default() -> Self {
        RequestSettings {
            period_days: DEFAULT_PERIOD_DAYS,
            window_days: DEFAULT_WINDOW_DAYS,
            subject: "How was your visit to {business}?".into(),
            body: "Hello {name},\n\nThank you for choosing {business}. Would you tell others \
                   how it went, good or bad, in a short review? It takes a minute:\n\n{link}\n\n\
                   Every honest review helps us do better.\n\n{business}\n\nIf you would rather \
                   not hear from us about reviews, just reply and say so."
                .into(),
            sms: "Hello {name}, thank you for choosing {business}. Would you tell others how it \
                  went, good or bad? {link} (Reply STOP and we won't ask again.)"
                .into(),
        }
    }
}

impl RequestSettings {
    /// The stored settings, or the defaults.
    pub fn load<S: ReplyStore>(store: &S) -> Result<RequestSettings> {
        Ok(store.setting(SETTINGS_KEY)?.unwrap_or_default())
    }

    /// Checks and stores them: periods of at least a day, words that name the link.
    pub fn save<S: ReplyStore>(&self, store: &S) -> Result<()> {
        if self.period_days == 0 || self.window_days == 0 {
            return Err(RequestError::Invalid(
                "the period between asks and the response window are at least one day".into(),
            ));
        }
        for (what, text) in [("e-mail", &self.body), ("SMS", &self.sms)] {
            if !text.contains("{link}") {
                return Err(RequestError::Invalid(format!(
                    "the {what} text must contain {{link}}, or the customer has nowhere to go"
                )));
            }
        }
        store.set_setting(SETTINGS_KEY, self)?;
        Ok(())
    }
}

/// A customer on the owner's list, as the app and `requests customers --json` show them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Unix seconds.
    pub visited_at: Option<i64>,
    pub opt_out: bool,
    /// When they were last asked (a request that failed does not count), Unix seconds.
    pub last_asked_at: Option<i64>,
}

/// A customer row to store, made by [`customers::parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomer {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub visited_at: Option<i64>,
    pub opt_out: bool,
    /// The name folded for matching a review's author ([`attribution::name_key`]).
    pub name_key: String,
    /// Who they are on the list: e-mail, else phone digits, else the folded name.
    pub contact_key: String,
}

/// How a request reaches the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// Sent by Earshot through the owner's SMTP account.
    Email,
    /// A text the owner sends from their phone (with an `sms:` link).
    Sms,
    /// A `mailto:` link the owner opens in their own mail program.
    Mailto,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Email => "email",
            Via::Sms => "sms",
            Via::Mailto => "mailto",
        }
    }

    pub fn parse(s: &str) -> Option<Via> {
        match s.trim() {
            "email" | "e-mail" => Some(Via::Email),
            "sms" | "text" => Some(Via::Sms),
            "mailto" => Some(Via::Mailto),
            _ => None,
        }
    }
}

/// One stored request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRow {
    pub id: i64,
    pub customer_id: i64,
    #[serde(skip)]
    pub name_key: String,
    pub platform: String,
    pub via: String,
    /// `sending` (recorded, outcome unknown: counts as asked), `sent`, `failed`, `prepared`.
    pub state: String,
    pub created_at: i64,
    pub error: Option<String>,
}

impl RequestRow {
    /// Whether the customer was (or may have been) asked: everything but a refused send.
    pub fn asked(&self) -> bool {
        self.state != "failed"
    }
}

/// A review as attribution sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSeen {
    pub id: i64,
    pub author: Option<String>,
    pub rating: Option<f64>,
    pub created_at: i64,
    pub platform: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretError),
    #[error("{0}")]
    Invalid(String),
    #[error(
        "{business} has no {label} review link yet: connect its {label} profile (Sources), or \
         set the link by hand with `earshot requests link --business {business:?} --platform \
         {platform} --url URL`"
    )]
    NoLink {
        business: String,
        platform: String,
        label: String,
    },
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("the customer list has {} bad row(s); nothing was imported:\n{}", .0.len(), .0.join("\n"))]
    BadRows(Vec<String>),
    #[error(
        "no e-mail account to send from: add an e-mail alert channel (`earshot alerts channels \
         add email …`, or Settings → Alerts beyond the desktop), or give --server and --from"
    )]
    NoMailAccount,
    #[error("cannot write {path}: {error}")]
    Write {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error("cannot read {path}: {error}")]
    Read {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error("cannot draw the QR code: {0}")]
    Qr(String),
}

impl RequestError {
    /// A stable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::Store(e) => e.code(),
            RequestError::Secrets(_) => "keyring",
            RequestError::Invalid(_) => "invalid",
            RequestError::NoLink { .. } => "no_review_link",
            RequestError::Forbidden(_) => "asking_forbidden",
            RequestError::BadRows(_) => "bad_rows",
            RequestError::NoMailAccount => "no_mail_account",
            RequestError::Write { .. } | RequestError::Read { .. } => "io",
            RequestError::Qr(_) => "qr",
        }
    }
}

pub type Result<T, E = RequestError> = std::result::Result<T, E>;

/// The review link of one of the business's profiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileLink {
    /// The display platform (`google`, `app-store`).
    pub platform: String,
    pub label: String,
    pub url: String,
    /// `source` (built from a connected source's settings) or `by_hand`.
    pub from: &'static str,
    /// The platform's rule on asking, where it has one.
    pub rule: Option<AskingRule>,
}

impl ProfileLink {
    /// Whether requests may be sent to it.
    pub fn may_ask(&self) -> bool {
        !matches!(self.rule, Some(AskingRule::Forbidden(_)))
    }
}

/// The display platform a person or a script named (`google`, `google-places`, `Google Maps`),
/// when it is one of the registry's.
pub fn profile_platform(name: &str) -> Result<String> {
    let platform = crate::platform::normalise_platform(name);
    let known = crate::platforms::REGISTRY
        .iter()
        .any(|p| p.spec().platform == platform);
    if known && platform != "file" {
        Ok(platform)
    } else {
        let mut reviewed: Vec<&str> = crate::platforms::specs()
            .iter()
            .filter(|s| s.feed == crate::platforms::Feed::Reviews)
            .map(|s| s.platform)
            .collect();
        reviewed.dedup();
        Err(RequestError::Invalid(format!(
            "no platform {name:?}; review links are for {}",
            reviewed.join(", ")
        )))
    }
}

/// A platform's rule on asking (the first connector of that display platform that has one).
fn rule_of(platform: &str) -> Option<AskingRule> {
    crate::platforms::REGISTRY
        .iter()
        .filter(|p| p.spec().platform == platform)
        .find_map(|p| p.asking_rule())
}

/// The review link of each of the business's profiles: set by hand, else built from its
/// sources' settings (the first source of a platform that gives one), in platform order.
pub fn links<S: RequestStore>(store: &S, business: &Business) -> Result<Vec<ProfileLink>> {
    let mut out: Vec<ProfileLink> = Vec::new();
    let by_hand = store.request_links(business.id)?;
    for (platform, url) in by_hand {
        out.push(ProfileLink {
            label: crate::platform::platform_label(&platform),
            rule: rule_of(&platform),
            platform,
            url,
            from: "by_hand",
        });
    }
    for source in store.sources()? {
        if source.business_id != business.id {
            continue;
        }
        let Some(p) = crate::platforms::find(&source.connector) else {
            continue;
        };
        let platform = p.spec().platform;
        if out.iter().any(|l| l.platform == platform) {
            continue;
        }
        if let Some(url) = p.review_link(&source.settings) {
            out.push(ProfileLink {
                platform: platform.to_string(),
                label: crate::platform::platform_label(platform),
                url,
                from: "source",
                rule: rule_of(platform),
            });
        }
    }
    out.sort_by(|a, b| a.platform.cmp(&b.platform));
    Ok(out)
}

/// The link of one profile, or why there is none.
pub fn link<S: RequestStore>(
    store: &S,
    business: &Business,
    platform: &str,
) -> Result<ProfileLink> {
    let platform = profile_platform(platform)?;
    links(store, business)?
        .into_iter()
        .find(|l| l.platform == platform)
        .ok_or_else(|| RequestError::NoLink {
            business: business.name.clone(),
            label: crate::platform::platform_label(&platform),
            platform,
        })
}

/// Sets a profile's link by hand: an https address (what a QR code and a customer's phone
/// open), at most 2,048 characters.
pub fn set_link<S: RequestStore>(
    store: &S,
    business: BusinessId,
    platform: &str,
    url: &str,
    now: i64,
) -> Result<String> {
    let platform = profile_platform(platform)?;
    let parsed = crate::platforms::links::http_url(url.trim())
        .filter(|u| u.scheme() == "https" && u.host_str().is_some())
        .ok_or_else(|| {
            RequestError::Invalid(format!(
                "the review link must be an https:// address, not {url:?}"
            ))
        })?;
    store.set_request_link(business, &platform, parsed.as_str(), now)?;
    Ok(platform)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_are_named_as_people_and_connectors_name_them() {
        assert_eq!(profile_platform("google").unwrap(), "google");
        assert_eq!(profile_platform("google-places").unwrap(), "google");
        assert_eq!(profile_platform("App-Store").unwrap(), "app-store");
        assert!(profile_platform("myspace").is_err());
        assert!(profile_platform("file").is_err());
    }

    #[test]
    fn each_platform_builds_its_review_link_from_a_sources_settings() {
        use serde_json::json;
        let link = |connector: &str, settings: serde_json::Value| {
            crate::platforms::find(connector)
                .unwrap()
                .review_link(&settings)
        };
        assert_eq!(
            link(
                "google-places",
                json!({"place_id": "ChIJN1t_tDeuEmsRUsoyG83frY4"})
            )
            .unwrap(),
            "https://search.google.com/local/writereview?placeid=ChIJN1t_tDeuEmsRUsoyG83frY4"
        );
        assert_eq!(
            link("yelp", json!({"business_id": "WavvLdfdP6g8aZTtbBQHTw"})).unwrap(),
            "https://www.yelp.com/writeareview/biz/WavvLdfdP6g8aZTtbBQHTw"
        );
        assert_eq!(
            link("trustpilot", json!({"domain": "joescafe.example"})).unwrap(),
            "https://www.trustpilot.com/evaluate/joescafe.example"
        );
        assert_eq!(link("trustpilot", json!({"business_unit_id": "5f"})), None);
        assert_eq!(
            link("facebook", json!({"page_id": "1234567890"})).unwrap(),
            "https://www.facebook.com/1234567890/reviews"
        );
        assert_eq!(
            link("app-store", json!({"app_id": "284882215"})).unwrap(),
            "https://apps.apple.com/app/id284882215?action=write-review"
        );
        assert_eq!(
            link("app-store-connect", json!({"app_id": "284882215"})).unwrap(),
            "https://apps.apple.com/app/id284882215?action=write-review"
        );
        assert_eq!(link("app-store", json!({"app_id": "12/../x"})), None);
        assert_eq!(
            link("google-play", json!({"package_name": "com.joes.cafe"})).unwrap(),
            "https://play.google.com/store/apps/details?id=com.joes.cafe&showAllReviews=true"
        );
        // An id never adds a path or a query of its own.
        assert_eq!(
            link("yelp", json!({"business_id": "a/b?c=d"})).unwrap(),
            "https://www.yelp.com/writeareview/biz/a%2Fb%3Fc=d"
        );
        assert_eq!(link("hackernews", json!({"query": "joe"})), None);
    }

    #[test]
    fn default_words_name_the_link_and_ask_for_any_opinion() {
        let s = RequestSettings::default();
        assert!(s.body.contains("{link}") && s.sms.contains("{link}"));
        assert!(message::fairness_warnings(&s.body).is_empty());
        assert!(message::fairness_warnings(&s.sms).is_empty());
    }
}
