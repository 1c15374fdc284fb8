//! A deterministic, realistic demo: a café and its competitor over three years.
//!
//! The owner sees the product working before connecting anything. The data has what a real café's
//! reviews have: seasonal volume (busier summers and weekends), several platforms, unrated mentions
//! next to rated reviews, replies to part of them after a realistic delay, and one bad week — a
//! burst of complaints about long waits — shortly before today, so the alerts, trends and
//! "rising complaints" have something true to show. Everything comes from a seeded generator, so
//! the same `today` gives the same rows, and a rerun changes nothing.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use crate::model::{
    Business, BusinessId, IncomingReview, Kind, OwnerReply, ReviewId, SourceId, WriteCounts,
};
use crate::store::{Db, Result, Store};

pub const OWN_BUSINESS: &str = "Harbour Lane Café";
pub const COMPETITOR: &str = "The Daily Grind";

/// Length of the demo history.
const DAYS: i64 = 3 * 365;
/// The bad week starts this many days before today: inside the last 30 days, so it shows in the
/// current period's figures and in "rising complaints".
const BAD_WEEK_STARTS_DAYS_AGO: i64 = 18;
const BAD_WEEK_EXTRA_ITEMS: usize = 46;

#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub businesses: Vec<String>,
    pub reviews: u64,
    pub mentions: u64,
    pub replies: u64,
    pub new: u64,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Small, fast, seedable generator (SplitMix64): the demo must not depend on a crate's algorithm
/// staying the same across versions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// Poisson by inversion; rates here are small (a few a day).
    fn poisson(&mut self, lambda: f64) -> usize {
        let l = (-lambda).exp();
        let (mut k, mut p) = (0, 1.0);
        loop {
            p *= self.unit();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
}

struct Profile {
    name: &'static str,
    seed: u64,
    /// Items per day at the yearly average.
    daily_rate: f64,
    /// Star weights for 1..5.
    stars: [f64; 5],
    /// Share of negative reviews that get an owner reply, and of the others.
    reply_negative: f64,
    reply_other: f64,
}

const PROFILES: [Profile; 2] = [
    Profile {
        name: OWN_BUSINESS,
        seed: 0x00ea_5407,
        daily_rate: 1.75,
        stars: [0.05, 0.05, 0.10, 0.28, 0.52],
        reply_negative: 0.75,
        reply_other: 0.35,
    },
    Profile {
        name: COMPETITOR,
        seed: 0x0c0f_fee5,
        daily_rate: 0.8,
        stars: [0.07, 0.07, 0.14, 0.34, 0.38],
        reply_negative: 0.3,
        reply_other: 0.1,
    },
];

/// (platform, kind, share of volume). Mentions never carry stars.
const CHANNELS: &[(&str, Kind, f64)] = &[
    ("google", Kind::Review, 0.50),
    ("yelp", Kind::Review, 0.18),
    ("trustpilot", Kind::Review, 0.07),
    ("facebook", Kind::Mention, 0.10),
    ("x", Kind::Mention, 0.10),
    ("reddit", Kind::Mention, 0.05),
];

const FIRST: &[&str] = &[
    "Sam", "Priya", "Lee", "Ana", "Tom", "Grace", "Omar", "Mia", "Jonas", "Chloe", "Ravi", "Sofia",
    "Ben", "Hannah", "Diego", "Ellie", "Marcus", "Yuki", "Fatima", "Noah", "Isla", "Kofi", "Zoe",
    "Liam", "Aisha", "Pat", "Erin", "Luca", "Nina", "Owen",
];
/// Surnames as Google shows them: enough of them that two customers rarely share a name, so a
/// customer "coming back" in "What works for you" is the same person (1,800 names).
const LAST: &[&str] = &[
    "Adams", "Ahmed", "Baker", "Bennett", "Brown", "Campbell", "Carter", "Chen", "Clarke", "Cohen",
    "Davies", "Dubois", "Evans", "Fischer", "Garcia", "Green", "Hall", "Harris", "Hughes", "Ito",
    "Jackson", "Jensen", "Johnson", "Jones", "Kaur", "Kelly", "Khan", "Kim", "King", "Kowalski",
    "Lee", "Lewis", "Lopez", "Martin", "Moore", "Morris", "Murphy", "Nguyen", "Novak", "O'Brien",
    "Okafor", "Patel", "Perez", "Price", "Roberts", "Rossi", "Santos", "Schmidt", "Scott", "Silva",
    "Singh", "Smith", "Taylor", "Thomas", "Turner", "Walker", "Wang", "Watson", "White", "Wood",
];

const POSITIVE: &[&str] = &[
    "The flat white is the best in town.",
    "Lovely staff, always a smile at the counter.",
    "Cinnamon buns are fresh and still warm in the morning.",
    "Quick service even when it is busy.",
    "Cosy spot to work for an hour, the wifi is reliable.",
    "Fair prices for the quality.",
    "Spotless tables and clean toilets.",
    "Great coffee and friendly baristas.",
    "The avocado toast was delicious.",
    "Beautiful view of the harbour from the window seats.",
    "They remembered my order, which made my day.",
    "Excellent oat milk latte, not too sweet.",
];
const NEUTRAL: &[&str] = &[
    "Decent coffee, nothing special.",
    "It was fine, a bit crowded at lunch.",
    "Average pastries, okay prices.",
    "Service was okay but the music was loud.",
    "Good location, the seating is a bit cramped.",
];
const NEGATIVE: &[&str] = &[
    "The coffee was burnt and bitter.",
    "Rude staff at the till, did not even say hello.",
    "Overpriced for a small cup.",
    "The tables were sticky and the floor was dirty.",
    "My sandwich was stale.",
    "They got my order wrong twice.",
    "Far too noisy to have a conversation.",
    "The croissant was dry and the tea was lukewarm.",
];
const WAIT_COMPLAINTS: &[&str] = &[
    "Waited 40 minutes for two coffees. Never again.",
    "The wait was ridiculous, the queue went out the door and nobody seemed in charge.",
    "Slow service all week, 30 minutes for a takeaway latte.",
    "Long wait, cold food by the time it came. Very disappointing.",
    "We waited forever and the staff looked overwhelmed. Not good.",
    "Terrible wait times since the new till system, sort it out please.",
];
const MENTION_POSITIVE: &[&str] = &[
    "Morning flat white at {b} hits different",
    "Anyone else obsessed with the cinnamon buns at {b}?",
    "{b} is my favourite place to work remotely, great wifi and kind staff",
    "Best coffee near the harbour is still {b}",
];
const MENTION_NEUTRAL: &[&str] = &[
    "Is {b} open on bank holidays?",
    "Meeting friends at {b} later",
    "Does {b} have oat milk?",
];
const MENTION_NEGATIVE: &[&str] = &[
    "{b} took 35 minutes for a latte today, what is going on",
    "Avoid {b} at lunch, the wait is awful",
    "Disappointed by {b} today, cold coffee and rude service",
];
const TITLES_POSITIVE: &[&str] = &[
    "Lovely café",
    "Great coffee",
    "Our new favourite",
    "Perfect morning stop",
];
const TITLES_NEGATIVE: &[&str] = &[
    "Disappointing",
    "Not what it used to be",
    "Too slow",
    "Avoid at lunch",
];
/// Replies to complaints, in the owner's several moods: the first two apologise and offer to talk
/// offline, the others leave out one or both, so "What works for you" has habits to compare.
const REPLIES_NEGATIVE: &[&str] = &[
    "Hi {n}, I'm sorry we let you down. That is not the standard we aim for. Please email us at hello@harbourlane.cafe so we can put it right. — Jo, owner",
    "Thank you for telling us, {n}, and I apologise for the wait. We have added a second barista at peak times. I'd love to make it up to you next visit. — Jo",
    "Thanks for the feedback, {n}. We were very busy that day. — Jo",
    "Sorry to hear this, {n}. — Jo",
    "Hi {n}, we always do our best with the staff we have. — Jo",
];

/// Words only the careful replies of [`REPLIES_NEGATIVE`] (the first two) hold.
const CAREFUL_MARKS: &[&str] = &["hello@harbourlane.cafe", "make it up to you"];

/// How often a demo complaint answered with a careful reply recovers (the customer edits the
/// review up, or comes back with a better one), and one answered otherwise: invented shares, set
/// so the demo's "What works for you" has something to show.
const RECOVERY_CAREFUL: f64 = 0.5;
const RECOVERY_OTHER: f64 = 0.05;

const RETURN_VISITS: &[&str] = &[
    "Came back after my last visit and what a difference. Friendly staff and a great flat white.",
    "Gave them another try after the owner got in touch. Much better this time, thank you!",
    "Back again: quick service and the cinnamon buns were lovely.",
];
const EDITED_UP: &[&str] = &[
    "Update: the owner got in touch and put things right. Thank you, Jo.",
    "Edit: they sorted it out quickly and kindly. Happy to give them another go.",
];
const REPLIES_POSITIVE: &[&str] = &[
    "Thank you so much, {n}! See you again soon. — Jo",
    "Thanks {n}, the team will be thrilled to read this. — Jo",
    "So glad you enjoyed it, {n}. Thanks for taking the time to write! — Jo",
];

/// Where the demo loads: a database file's store (the app's demo file, `earshot demo`) or a
/// team database (`earshot --db postgresql://… demo`). Each method is the store's own method of
/// the same name, so the team store's rows come through its own review writer, as a sync's do.
pub trait DemoTarget {
    fn find_business(&self, name: &str) -> Result<Option<Business>>;
    fn add_business(&self, name: &str, is_competitor: bool) -> Result<Business>;
    fn set_business_category(&self, id: BusinessId, category: Option<&str>) -> Result<()>;
    fn review_by_external_id(
        &self,
        source: SourceId,
        external_id: &str,
    ) -> Result<Option<ReviewId>>;
    fn ensure_source(
        &self,
        business: BusinessId,
        connector: &str,
        label: &str,
        settings: &serde_json::Value,
    ) -> Result<SourceId>;
    fn write_batch(&mut self, items: &[(SourceId, IncomingReview)]) -> Result<WriteCounts>;
}

/// Both stores' impls are the same forwarding: one macro, so they cannot drift apart.
macro_rules! demo_target {
    ($ty:ty) => {
        impl DemoTarget for $ty {
            fn find_business(&self, name: &str) -> Result<Option<Business>> {
                <$ty>::find_business(self, name)
            }
            fn add_business(&self, name: &str, is_competitor: bool) -> Result<Business> {
                <$ty>::add_business(self, name, is_competitor)
            }
            fn set_business_category(&self, id: BusinessId, category: Option<&str>) -> Result<()> {
                <$ty>::set_business_category(self, id, category)
            }
            fn review_by_external_id(
                &self,
                source: SourceId,
                external_id: &str,
            ) -> Result<Option<ReviewId>> {
                <$ty>::review_by_external_id(self, source, external_id)
            }
            fn ensure_source(
                &self,
                business: BusinessId,
                connector: &str,
                label: &str,
                settings: &serde_json::Value,
            ) -> Result<SourceId> {
                <$ty>::ensure_source(self, business, connector, label, settings)
            }
            fn write_batch(&mut self, items: &[(SourceId, IncomingReview)]) -> Result<WriteCounts> {
                <$ty>::write_batch(self, items)
            }
        }
    };
}
demo_target!(Store);
demo_target!(Db);

/// Loads the demo businesses and their reviews, ending on `today`. Running it twice with the same
/// `today` changes nothing.
pub fn load(store: &mut impl DemoTarget, today: NaiveDate) -> Result<DemoSummary> {
    let from = today - Duration::days(DAYS);
    let mut summary = DemoSummary {
        businesses: Vec::new(),
        reviews: 0,
        mentions: 0,
        replies: 0,
        new: 0,
        from,
        to: today,
    };
    for profile in &PROFILES {
        let business = match store.find_business(profile.name)? {
            Some(b) => b,
            None => store.add_business(profile.name, profile.name == COMPETITOR)?,
        };
        store.set_business_category(business.id, Some("cafe"))?;
        summary.businesses.push(business.name.clone());
        let (items, edits) = generate_with_recoveries(profile, today);
        // A customer's edit is played after the batch, once: a review already stored (the demo
        // loaded before) takes its edited version directly, which changes nothing.
        let mut later = Vec::new();
        let mut items = items;
        for after in edits {
            let source = demo_source(store, business.id, &after.platform)?;
            match store.review_by_external_id(source, &after.external_id)? {
                Some(_) => {
                    if let Some(i) = items
                        .iter_mut()
                        .find(|i| i.external_id == after.external_id)
                    {
                        *i = after;
                    }
                }
                None => later.push((source, after)),
            }
        }
        let mut batch: Vec<(SourceId, IncomingReview)> = Vec::with_capacity(items.len());
        for item in items {
            let source = demo_source(store, business.id, &item.platform)?;
            match item.kind {
                Kind::Review => summary.reviews += 1,
                Kind::Mention => summary.mentions += 1,
            }
            summary.replies += u64::from(item.owner_reply.is_some());
            batch.push((source, item));
        }
        summary.new += store.write_batch(&batch)?.new;
        if !later.is_empty() {
            store.write_batch(&later)?;
        }
    }
    Ok(summary)
}

fn demo_source(store: &impl DemoTarget, business: BusinessId, platform: &str) -> Result<SourceId> {
    let label = format!("demo:{platform}");
    let settings = serde_json::json!({ "platform": platform, "demo": true });
    store.ensure_source(business, "file", &label, &settings)
}

/// What a recovered demo complaint did after the reply.
#[derive(Debug, Clone, PartialEq)]
enum Recovery {
    /// The customer edited the review: this is its new version.
    Edited(IncomingReview),
    /// The customer came back with this review.
    CameBack(IncomingReview),
}

/// The items of one business, oldest first.
#[cfg(test)]
fn generate(p: &Profile, today: NaiveDate) -> Vec<IncomingReview> {
    generate_with_recoveries(p, today).0
}

/// The items of one business, oldest first, and the edits that follow some replies (the
/// customers who came back are among the items).
fn generate_with_recoveries(
    p: &Profile,
    today: NaiveDate,
) -> (Vec<IncomingReview>, Vec<IncomingReview>) {
    let mut rng = Rng(p.seed);
    let from = today - Duration::days(DAYS);
    let own = p.name == OWN_BUSINESS;
    let mut items = Vec::new();
    let (mut edits, mut returns) = (Vec::new(), Vec::new());
    let mut seq = 0u32;
    for d in 0..=DAYS {
        let day = from + Duration::days(d);
        let rate = p.daily_rate * seasonal_factor(day) * (0.8 + 0.4 * d as f64 / DAYS as f64);
        let days_ago = DAYS - d;
        let bad_week =
            own && (BAD_WEEK_STARTS_DAYS_AGO - 6..=BAD_WEEK_STARTS_DAYS_AGO).contains(&days_ago);
        let mut n = rng.poisson(rate);
        if bad_week {
            n += BAD_WEEK_EXTRA_ITEMS / 7;
        }
        for _ in 0..n {
            seq += 1;
            let it = item(p, &mut rng, day, seq, bad_week, today);
            if own {
                match recovery(&it, seq, today) {
                    Some(Recovery::Edited(after)) => edits.push(after),
                    Some(Recovery::CameBack(later)) => returns.push(later),
                    None => {}
                }
            }
            items.push(it);
        }
    }
    items.extend(returns);
    items.sort_by_key(|i| i.created_at);
    (items, edits)
}

/// Whether an answered complaint recovers, and how: from a generator of its own (seeded by the
/// item), so the rest of the demo stays what it was.
fn recovery(it: &IncomingReview, seq: u32, today: NaiveDate) -> Option<Recovery> {
    let reply = it.owner_reply.as_ref()?;
    let replied_at = reply.replied_at?;
    if it.rating.is_none_or(|r| r > 2.0) {
        return None;
    }
    let mut rng = Rng(0x00ba_c4ed ^ u64::from(seq).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    // The careful replies are the ones that offer a private channel (see REPLIES_NEGATIVE).
    let careful = CAREFUL_MARKS.iter().any(|m| reply.body.contains(m));
    let share = if careful {
        RECOVERY_CAREFUL
    } else {
        RECOVERY_OTHER
    };
    if rng.unit() >= share {
        return None;
    }
    let later = replied_at + Duration::days(2 + rng.below(40) as i64);
    if later.date_naive() >= today {
        return None;
    }
    let stars = 4.0 + rng.below(2) as f64;
    if rng.unit() < 0.5 {
        let mut after = it.clone();
        after.rating = Some(stars);
        after.body = format!("{} {}", rng.pick(EDITED_UP), it.body);
        after.updated_at = Some(later);
        return Some(Recovery::Edited(after));
    }
    let mut back = it.clone();
    back.external_id = format!("{}-back", it.external_id);
    back.rating = Some(stars);
    back.title = it.title.as_ref().map(|_| "Much better".to_string());
    back.body = rng.pick(RETURN_VISITS).to_string();
    back.url = it.url.as_ref().map(|u| format!("{u}-back"));
    back.created_at = later;
    back.owner_reply = None;
    Some(Recovery::CameBack(back))
}

/// Busier in summer (peak around late July) and at weekends.
fn seasonal_factor(day: NaiveDate) -> f64 {
    use chrono::Datelike;
    let doy = f64::from(day.ordinal());
    let summer = 1.0 + 0.35 * ((doy - 115.0) / 365.0 * std::f64::consts::TAU).sin();
    let weekend = match day.weekday() {
        chrono::Weekday::Sat | chrono::Weekday::Sun => 1.35,
        _ => 0.9,
    };
    summer * weekend
}

fn item(
    p: &Profile,
    rng: &mut Rng,
    day: NaiveDate,
    seq: u32,
    bad_week: bool,
    today: NaiveDate,
) -> IncomingReview {
    let channel = {
        let mut x = rng.unit();
        let mut chosen = &CHANNELS[0];
        for c in CHANNELS {
            if x < c.2 {
                chosen = c;
                break;
            }
            x -= c.2;
        }
        chosen
    };
    let (platform, kind) = (channel.0, channel.1);
    // A star on 1..5 drawn from the profile; the bad week is mostly 1–2 stars about waiting.
    let stars = if bad_week && rng.unit() < 0.8 {
        1 + rng.below(2)
    } else {
        let mut x = rng.unit();
        let mut s = 5;
        for (i, w) in p.stars.iter().enumerate() {
            if x < *w {
                s = i + 1;
                break;
            }
            x -= w;
        }
        s
    };
    let wait_complaint = bad_week && stars <= 2;
    let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
    let first_name = name.split(' ').next().unwrap_or("there").to_string();
    let hour = 7 + rng.below(12) as u32;
    let minute = rng.below(60) as u32;
    let created = Utc.from_utc_datetime(
        &day.and_hms_opt(hour, minute, rng.below(60) as u32)
            .unwrap_or_default(),
    );

    let (title, body) = match kind {
        Kind::Review => {
            let mut sentences: Vec<&str> = Vec::new();
            let bank = match stars {
                1 | 2 => NEGATIVE,
                3 => NEUTRAL,
                _ => POSITIVE,
            };
            if wait_complaint {
                sentences.push(*rng.pick(WAIT_COMPLAINTS));
            }
            let n = 1 + rng.below(3);
            for _ in 0..n {
                let s = *rng.pick(bank);
                if !sentences.contains(&s) {
                    sentences.push(s);
                }
            }
            if stars == 3 && rng.unit() < 0.5 {
                sentences.push(*rng.pick(POSITIVE));
            }
            let title = (platform != "google").then(|| {
                if stars <= 2 {
                    rng.pick(TITLES_NEGATIVE)
                } else {
                    rng.pick(TITLES_POSITIVE)
                }
                .to_string()
            });
            (title, sentences.join(" "))
        }
        Kind::Mention => {
            let bank = if wait_complaint || stars <= 2 {
                MENTION_NEGATIVE
            } else if stars == 3 {
                MENTION_NEUTRAL
            } else {
                MENTION_POSITIVE
            };
            (None, rng.pick(bank).replace("{b}", p.name))
        }
    };

    let negative = stars <= 2;
    let reply_share = if negative {
        p.reply_negative
    } else {
        p.reply_other
    };
    // The most recent bad reviews are still waiting for an answer: that is the owner's to-do list.
    let recent = (today - day).num_days() < 4;
    let owner_reply = (kind == Kind::Review && !recent && rng.unit() < reply_share).then(|| {
        let bank = if negative {
            REPLIES_NEGATIVE
        } else {
            REPLIES_POSITIVE
        };
        let delay_minutes = 60 + rng.below(if negative { 36 * 60 } else { 4 * 24 * 60 }) as i64;
        OwnerReply {
            body: rng.pick(bank).replace("{n}", &first_name),
            replied_at: Some(created + Duration::minutes(delay_minutes)),
        }
    });

    let slug: String = p
        .name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    IncomingReview {
        external_id: format!("{platform}-{seq:05}"),
        platform: platform.to_string(),
        kind,
        author: Some(if platform == "x" || platform == "reddit" {
            format!("@{}{}", first_name.to_lowercase(), seq % 97)
        } else {
            name
        }),
        rating: (kind == Kind::Review).then_some(stars as f64),
        title,
        body,
        url: Some(format!("https://example.com/{platform}/{slug}/{seq}")),
        language: Some("en".into()),
        created_at: created,
        updated_at: None,
        owner_reply,
        raw_json: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn the_same_day_gives_the_same_demo() {
        let a = generate(&PROFILES[0], today());
        let b = generate(&PROFILES[0], today());
        assert_eq!(a, b);
    }

    #[test]
    fn the_demo_has_enough_history_and_a_bad_week() {
        let own = generate(&PROFILES[0], today());
        let rival = generate(&PROFILES[1], today());
        assert!(
            own.len() + rival.len() >= 2_000,
            "{} items",
            own.len() + rival.len()
        );
        let bad_week_start = Utc.from_utc_datetime(
            &(today() - Duration::days(BAD_WEEK_STARTS_DAYS_AGO))
                .and_hms_opt(0, 0, 0)
                .unwrap(),
        );
        let waits = own
            .iter()
            .filter(|i| i.created_at >= bad_week_start && i.body.to_lowercase().contains("wait"))
            .count();
        assert!(waits >= 20, "only {waits} wait complaints in the bad week");
        assert!(own
            .iter()
            .all(|i| i.kind == Kind::Review || i.rating.is_none()));
    }
}
