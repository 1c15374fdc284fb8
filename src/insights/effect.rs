//! "What works for you" (issue 29): did the owner's replies win unhappy customers back, and which
//! of the owner's habits come before a recovery.
//!
//! **Unhappy**: a review (not a mention) rated 1–2★ when it was answered (its rating at the reply,
//! read from the rating history the store keeps), or, without stars, one that reads negative.
//! **Recovered**: after the reply, the rating rose (the customer edited the review up), or the
//! same customer (same name on the same platform) came back within [`COMEBACK_DAYS`] with a
//! better review. An unanswered unhappy review "recovers" the same ways counted from when it was
//! written, which is what the "replying at all" comparison sets the replies against.
//!
//! **Habits** are the reply coach's own checks run on the stored reply text
//! ([`crate::replies::coach::check`]): an apology (no `no_apology` warning), an offer to talk
//! offline (no `no_offline_offer`), both, a personal reply (no `canned` warning against the
//! replies posted before it), and the reply's delay and length in buckets.
//!
//! **Honest counts.** Each comparison gives both groups' replies and recoveries and their review
//! ids. Below [`MIN_GROUP`] replies in either group it says "too few to tell". Otherwise a
//! difference is called one only when a two-sided Fisher exact test on the 2×2 table gives
//! p < [`SIGNIFICANCE`]: an exact test suits the small counts a café has, and 5% is the
//! convention an owner's accountant would recognise. With many habits tested at once one may
//! pass by chance now and then; the sentences say "came before", never "caused".

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::replies::{AuthoredReview, ComplaintHistory};
use crate::model::{BusinessId, ReviewId, SentimentLabel};
use crate::replies::coach::{self, CheckContext, PostedReplies, ReviewContext, WarningCode};
use crate::store::{RequestStore, Result};

/// Fewer replies than this on either side of a comparison: too few to tell. Five is the usual
/// floor for an expected cell count in a 2×2 table; below it one customer moves the rate by 20
/// points or more.
pub const MIN_GROUP: usize = 5;

/// A difference counts when the two-sided Fisher exact test's p-value is below this.
pub const SIGNIFICANCE: f64 = 0.05;

/// How long after the reply a better review by the same customer counts as them coming back:
/// half a year covers a regular's next visits; later than that, the reply is unlikely to be why,
/// and another customer of the same name more likely.
pub const COMEBACK_DAYS: i64 = 180;

/// Replies posted before a reply that the "template or personal" check compares it with: the
/// ones the owner had written recently, as the composer's coach compares a draft with the last
/// replies posted. Bounded so a franchise's history stays linear.
const CANNED_WINDOW: usize = 200;

/// Delay buckets, in hours: `[from, to)`.
const DELAYS: &[(&str, &str, f64, f64)] = &[
    ("under_6h", "within 6 hours", 0.0, 6.0),
    ("6h_to_1d", "6 to 24 hours", 6.0, 24.0),
    ("1d_to_3d", "1 to 3 days", 24.0, 72.0),
    ("over_3d", "over 3 days", 72.0, f64::INFINITY),
];

/// Length buckets, in words: `[from, to)`.
const LENGTHS: &[(&str, &str, usize, usize)] = &[
    ("short", "under 20 words", 0, 20),
    ("medium", "20 to 60 words", 20, 60),
    ("long", "over 60 words", 60, usize::MAX),
];

/// The key a customer's name is matched by: trimmed, case folded, inner spaces collapsed.
pub fn author_key(author: &str) -> String {
    author
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The rating in force at `at`: the first revision replaced after `at` held it, else the current
/// one does (a revision keeps the text that was replaced at its `recorded_at`).
pub fn rating_at(at: i64, current: Option<f64>, earlier: &[(Option<f64>, i64)]) -> Option<f64> {
    earlier
        .iter()
        .filter(|(_, replaced_at)| *replaced_at > at)
        .min_by_key(|(_, replaced_at)| *replaced_at)
        .map_or(current, |(r, _)| *r)
}

/// Whether the review was an unhappy customer's at `at` (the reply, or when it was written).
pub fn unhappy_at(h: &ComplaintHistory, at: i64) -> bool {
    match rating_at(at, h.rating, &h.earlier) {
        Some(r) => r <= 2.0,
        None => h.negative,
    }
}

/// How a review recovered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovery {
    pub review_id: ReviewId,
    pub platform: String,
    /// `rating_rose` (the review was edited up) or `came_back` (a better, later review).
    pub how: &'static str,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// The later review, when the customer came back.
    pub later_review_id: Option<ReviewId>,
    /// Whether the review had been answered.
    pub answered: bool,
}

/// The recovery of one unhappy review after `since` (its reply, or its writing), if any: the
/// rating rising wins over a later review, being the review itself.
pub fn recovery(h: &ComplaintHistory, since: i64, later: &[&AuthoredReview]) -> Option<Recovery> {
    let before = rating_at(since, h.rating, &h.earlier);
    let rose = h.earlier.iter().any(|(_, at)| *at > since);
    if let (true, Some(b), Some(a)) = (rose, before, h.rating) {
        if a > b {
            return Some(Recovery {
                review_id: h.review_id,
                platform: h.platform.clone(),
                how: "rating_rose",
                before: Some(b),
                after: Some(a),
                later_review_id: None,
                answered: h.replied_at.is_some(),
            });
        }
    }
    let until = since + COMEBACK_DAYS * 86_400;
    let better = |l: &AuthoredReview| match (before, l.rating) {
        (Some(b), Some(a)) => a > b,
        (None, Some(a)) => a >= 4.0,
        (_, None) => l.positive,
    };
    let back = later.iter().find(|l| {
        l.review_id != h.review_id
            && l.platform == h.platform
            && l.created_at > since
            && l.created_at <= until
            && better(l)
    })?;
    Some(Recovery {
        review_id: h.review_id,
        platform: h.platform.clone(),
        how: "came_back",
        before,
        after: back.rating,
        later_review_id: Some(back.review_id),
        answered: h.replied_at.is_some(),
    })
}

/// One answered unhappy review with the habits of its reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnsweredComplaint {
    pub review_id: ReviewId,
    pub platform: String,
    pub delay_hours: f64,
    pub words: usize,
    pub apology: bool,
    pub offline_offer: bool,
    pub personal: bool,
    pub recovered: bool,
}

/// The habits of a reply to an unhappy review, as the coach reads them. `earlier` are replies the
/// owner posted before this one (for "template or personal").
pub fn habits_of(
    reply: &str,
    platform: &str,
    rating: Option<f64>,
    earlier: &PostedReplies,
) -> (bool, bool, bool) {
    let ctx = CheckContext {
        platform,
        review: Some(ReviewContext {
            rating,
            // Unhappy by definition: the complaint-only checks run.
            sentiment: Some(SentimentLabel::Negative),
            body: "",
            author: None,
        }),
        owner_contacts: &[],
        posted: Some(earlier),
        ai_draft: None,
    };
    let warnings = coach::check(reply, &ctx);
    let has = |c: WarningCode| warnings.iter().any(|w| w.code == c);
    (
        !has(WarningCode::NoApology),
        !has(WarningCode::NoOfflineOffer),
        !has(WarningCode::Canned),
    )
}

/// A group of replies and how many of them came before a recovery.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Group {
    pub replies: usize,
    pub recovered: usize,
    /// `recovered / replies`; `None` for an empty group.
    pub rate: Option<f64>,
    /// The reviews behind the figure, and those that recovered.
    pub review_ids: Vec<ReviewId>,
    pub recovered_review_ids: Vec<ReviewId>,
}

impl Group {
    fn of<'a>(items: impl IntoIterator<Item = (&'a ReviewId, bool)>) -> Group {
        let mut g = Group::default();
        for (id, recovered) in items {
            g.replies += 1;
            g.review_ids.push(*id);
            if recovered {
                g.recovered += 1;
                g.recovered_review_ids.push(*id);
            }
        }
        g.rate = (g.replies > 0).then(|| round3(g.recovered as f64 / g.replies as f64));
        g
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// What a comparison found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Either group has fewer than [`MIN_GROUP`] replies.
    TooFew,
    /// Replies with the habit recovered more often, p < [`SIGNIFICANCE`].
    MoreOften,
    /// …less often, p < [`SIGNIFICANCE`].
    LessOften,
    /// Enough replies, no difference the test can tell from chance.
    NoClearDifference,
}

/// One habit: the replies with it against those without.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HabitEffect {
    /// `apology`, `offline_offer`, `apology_and_offer`, `within_a_day`, `personal`, `replied`.
    pub habit: &'static str,
    /// In words: "an apology".
    pub label: &'static str,
    pub with: Group,
    pub without: Group,
    /// The two-sided Fisher exact test's p-value; `None` when too few to tell.
    pub p_value: Option<f64>,
    pub verdict: Verdict,
    pub says: String,
}

/// Replies in one delay or length bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    pub bucket: &'static str,
    pub label: &'static str,
    #[serde(flatten)]
    pub group: Group,
    /// Fewer than [`MIN_GROUP`] replies: its rate says little.
    pub too_few: bool,
}

/// One platform's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformEffect {
    pub platform: String,
    pub platform_label: String,
    /// Answered unhappy reviews, and those that recovered.
    #[serde(flatten)]
    pub answered: Group,
    /// Unhappy reviewers who came back with a better review (answered or not), of all unhappy.
    pub unhappy: usize,
    pub came_back: usize,
}

/// Everything "What works for you" shows, and `earshot replies effect --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    pub business: String,
    pub business_id: BusinessId,
    /// The platform asked for, or `None` for all.
    pub platform: Option<String>,
    pub min_group: usize,
    pub significance: String,
    pub comeback_days: i64,
    /// Every unhappy review (answered or not).
    pub unhappy: usize,
    /// The answered ones, and those of them that recovered.
    pub answered: Group,
    /// Answered and recovered, by how: the rating rose, the customer came back.
    pub rating_rose: usize,
    pub came_back: usize,
    /// Unhappy reviewers (answered or not) who came back with a better review, of all unhappy.
    pub came_back_share: Option<f64>,
    /// Each recovery, answered ones first, newest first.
    pub recoveries: Vec<Recovery>,
    pub platforms: Vec<PlatformEffect>,
    /// Replying at all, then each habit of the replies.
    pub habits: Vec<HabitEffect>,
    pub delays: Vec<Bucket>,
    pub lengths: Vec<Bucket>,
    /// The headline in words.
    pub says: String,
}

/// `ln(k!)` for `k` in `0..=n`.
fn log_factorials(n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n + 1);
    let mut acc = 0.0;
    out.push(0.0);
    for k in 1..=n {
        acc += (k as f64).ln();
        out.push(acc);
    }
    out
}

/// Two-sided Fisher exact test of a 2×2 table `[[a, b], [c, d]]` (rows: with/without the habit;
/// columns: recovered/not): the probability, with the margins fixed, of a table at most as likely
/// as the one seen.
pub fn fisher_exact(a: usize, b: usize, c: usize, d: usize) -> f64 {
    let n = a + b + c + d;
    let lf = log_factorials(n);
    let (row1, col1) = (a + b, a + c);
    let row2 = c + d;
    let p_of = |x: usize| -> f64 {
        // P(X = x) for the hypergeometric: C(col1, x) C(n − col1, row1 − x) / C(n, row1).
        let (y, z, w) = (row1 - x, col1 - x, row2 + x - col1);
        (lf[row1] + lf[row2] + lf[col1] + lf[n - col1] - lf[n] - lf[x] - lf[y] - lf[z] - lf[w])
            .exp()
    };
    let lo = col1.saturating_sub(row2);
    let hi = row1.min(col1);
    let seen = p_of(a);
    // A relative tolerance, as R's fisher.test uses, so equal probabilities are not lost to
    // rounding.
    let p: f64 = (lo..=hi)
        .map(p_of)
        .filter(|p| *p <= seen * (1.0 + 1e-7))
        .sum();
    p.min(1.0)
}

fn pct(g: &Group) -> String {
    g.rate
        .map_or_else(|| "—".into(), |r| format!("{:.0}%", r * 100.0))
}

fn of_n(g: &Group) -> String {
    format!("{} of {} ({})", g.recovered, g.replies, pct(g))
}

/// Compares two groups and says what it means in words.
pub fn compare(
    habit: &'static str,
    label: &'static str,
    with: Group,
    without: Group,
) -> HabitEffect {
    let (verdict, p_value) = if with.replies < MIN_GROUP || without.replies < MIN_GROUP {
        (Verdict::TooFew, None)
    } else {
        let p = fisher_exact(
            with.recovered,
            with.replies - with.recovered,
            without.recovered,
            without.replies - without.recovered,
        );
        let v = if p >= SIGNIFICANCE {
            Verdict::NoClearDifference
        } else if with.rate > without.rate {
            Verdict::MoreOften
        } else {
            Verdict::LessOften
        };
        (v, Some((p * 10_000.0).round() / 10_000.0))
    };
    let (subject, won) = if habit == "replied" {
        (
            "Unhappy customers you answered".to_string(),
            "were won back",
        )
    } else {
        (format!("Replies with {label}"), "won customers back")
    };
    let says = match verdict {
        Verdict::TooFew => format!(
            "Too few to tell for {label}: {} with, {} without (at least {MIN_GROUP} of each are \
             needed).",
            with.replies, without.replies
        ),
        Verdict::MoreOften => format!(
            "{subject} {won} more often: {} against {} without.",
            of_n(&with),
            of_n(&without)
        ),
        Verdict::LessOften => format!(
            "{subject} {won} less often: {} against {} without.",
            of_n(&with),
            of_n(&without)
        ),
        Verdict::NoClearDifference => format!(
            "No clear difference for {label}: {} with, {} without; a gap this size can happen by \
             chance.",
            of_n(&with),
            of_n(&without)
        ),
    };
    HabitEffect {
        habit,
        label,
        with,
        without,
        p_value,
        verdict,
        says,
    }
}

fn buckets<T: Copy>(
    answered: &[AnsweredComplaint],
    table: &[(&'static str, &'static str, T, T)],
    inside: impl Fn(&AnsweredComplaint, T, T) -> bool,
) -> Vec<Bucket> {
    table
        .iter()
        .map(|&(bucket, label, from, to)| {
            let group = Group::of(
                answered
                    .iter()
                    .filter(|a| inside(a, from, to))
                    .map(|a| (&a.review_id, a.recovered)),
            );
            Bucket {
                bucket,
                label,
                too_few: group.replies < MIN_GROUP,
                group,
            }
        })
        .collect()
}

/// The habit comparisons of the answered unhappy reviews, after "replying at all".
pub fn habit_effects(answered: &[AnsweredComplaint], replied: HabitEffect) -> Vec<HabitEffect> {
    type Has = fn(&AnsweredComplaint) -> bool;
    let habits: [(&'static str, &'static str, Has); 5] = [
        (
            "apology_and_offer",
            "an apology and an offer to talk offline",
            |a| a.apology && a.offline_offer,
        ),
        ("apology", "an apology", |a| a.apology),
        ("offline_offer", "an offer to talk offline", |a| {
            a.offline_offer
        }),
        ("within_a_day", "a reply within a day", |a| {
            a.delay_hours < 24.0
        }),
        (
            "personal",
            "a personal reply (not a copy of an earlier one)",
            |a| a.personal,
        ),
    ];
    let mut out = vec![replied];
    for (habit, label, has) in habits {
        let split = |want: bool| {
            Group::of(
                answered
                    .iter()
                    .filter(|a| has(a) == want)
                    .map(|a| (&a.review_id, a.recovered)),
            )
        };
        out.push(compare(habit, label, split(true), split(false)));
    }
    out
}

/// The headline: how many unhappy customers were won back, and the clearest habit.
fn headline(e: &Effect) -> String {
    if e.unhappy == 0 {
        return "No unhappy reviews yet: nothing to learn from.".into();
    }
    if e.answered.replies == 0 {
        return format!(
            "{} unhappy review{}, none answered yet: answer some and this shows what wins customers back.",
            e.unhappy,
            if e.unhappy == 1 { "" } else { "s" }
        );
    }
    let mut s = format!(
        "{} of the {} unhappy reviews you answered recovered ({}).",
        e.answered.recovered,
        e.answered.replies,
        pct(&e.answered)
    );
    match e
        .habits
        .iter()
        .filter(|h| h.habit != "replied" && h.verdict == Verdict::MoreOften)
        .min_by(|a, b| {
            a.p_value
                .unwrap_or(1.0)
                .total_cmp(&b.p_value.unwrap_or(1.0))
        }) {
        Some(h) => s.push_str(&format!(" What works for you: {}.", h.label)),
        None if e.habits.iter().all(|h| h.verdict == Verdict::TooFew) => {
            s.push_str(" Too few replies yet to tell which habits help.")
        }
        None => s.push_str(" No habit stands out from chance yet."),
    }
    s
}

/// One platform's answered unhappy reviews (with whether each recovered), its unhappy reviews and
/// how many of those customers came back.
type PlatformTally = (Vec<(ReviewId, bool)>, usize, usize);

/// The figures from the store's rows: pure, so tests build histories by hand.
/// `replies_in_order` are the business's posted replies oldest first (review, time, text).
pub fn effect_of(
    business: (&str, BusinessId),
    platform: Option<&str>,
    histories: &[ComplaintHistory],
    authored: &[AuthoredReview],
    replies_in_order: &[(ReviewId, i64, String)],
) -> Effect {
    // The customers' later reviews, by (platform, name).
    let mut by_author: HashMap<(&str, String), Vec<&AuthoredReview>> = HashMap::new();
    for a in authored {
        by_author
            .entry((a.platform.as_str(), author_key(&a.author)))
            .or_default()
            .push(a);
    }
    let later_of = |h: &ComplaintHistory| -> Vec<&AuthoredReview> {
        h.author
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .and_then(|a| by_author.get(&(h.platform.as_str(), author_key(a))))
            .cloned()
            .unwrap_or_default()
    };
    // Where each reply stands among the replies posted, for its "earlier replies" window.
    let position: HashMap<ReviewId, usize> = replies_in_order
        .iter()
        .enumerate()
        .map(|(i, (id, _, _))| (*id, i))
        .rev() // the first reply of a review wins
        .collect();

    let mut unhappy = 0;
    let mut came_back_any = 0;
    let mut answered = Vec::new();
    let mut unanswered_ids = Vec::new();
    let mut recoveries = Vec::new();
    let mut per_platform: HashMap<String, PlatformTally> = HashMap::new();
    for h in histories {
        let since = h.replied_at.unwrap_or(h.created_at);
        if !unhappy_at(h, since) {
            continue;
        }
        unhappy += 1;
        let later = later_of(h);
        let rec = recovery(h, since, &later);
        let recovered = rec.is_some();
        let entry = per_platform.entry(h.platform.clone()).or_default();
        entry.1 += 1;
        if rec.as_ref().is_some_and(|r| r.how == "came_back") {
            came_back_any += 1;
            entry.2 += 1;
        }
        match (h.replied_at, h.reply.as_deref()) {
            (Some(replied_at), Some(text)) => {
                let pos = position.get(&h.review_id).copied().unwrap_or(0);
                let window = PostedReplies::new(
                    replies_in_order[pos.saturating_sub(CANNED_WINDOW)..pos]
                        .iter()
                        .map(|(_, _, t)| t.as_str()),
                );
                let rating = rating_at(replied_at, h.rating, &h.earlier);
                let (apology, offline_offer, personal) =
                    habits_of(text, &h.platform, rating, &window);
                entry.0.push((h.review_id, recovered));
                answered.push(AnsweredComplaint {
                    review_id: h.review_id,
                    platform: h.platform.clone(),
                    delay_hours: (replied_at - h.created_at).max(0) as f64 / 3600.0,
                    words: text.split_whitespace().count(),
                    apology,
                    offline_offer,
                    personal,
                    recovered,
                });
            }
            // Answered with a text Earshot never saw (a Trustpilot export): it counts as
            // answered for the platform and "replying at all", not for the habits.
            (Some(_), None) => entry.0.push((h.review_id, recovered)),
            (None, _) => unanswered_ids.push((h.review_id, recovered)),
        }
        if let Some(r) = rec {
            recoveries.push((h.replied_at.unwrap_or(i64::MIN), r));
        }
    }
    // Answered first, the latest reply first.
    recoveries.sort_by_key(|(at, r)| (std::cmp::Reverse(r.answered), std::cmp::Reverse(*at)));
    let recoveries: Vec<Recovery> = recoveries.into_iter().map(|(_, r)| r).collect();

    let mut all_answered: Vec<(ReviewId, bool)> = per_platform
        .values()
        .flat_map(|(a, _, _)| a.iter().copied())
        .collect();
    all_answered.sort();
    let answered_group = Group::of(all_answered.iter().map(|(id, r)| (id, *r)));
    let replied = compare(
        "replied",
        "a reply",
        answered_group.clone(),
        Group::of(unanswered_ids.iter().map(|(id, r)| (id, *r))),
    );
    let mut platforms: Vec<PlatformEffect> = per_platform
        .into_iter()
        .map(|(p, (ids, unhappy, came_back))| PlatformEffect {
            platform_label: crate::platform::platform_label(&p),
            platform: p,
            answered: Group::of(ids.iter().map(|(id, r)| (id, *r))),
            unhappy,
            came_back,
        })
        .collect();
    platforms.sort_by(|a, b| b.unhappy.cmp(&a.unhappy).then(a.platform.cmp(&b.platform)));
    let rating_rose = recoveries
        .iter()
        .filter(|r| r.answered && r.how == "rating_rose")
        .count();
    let came_back = recoveries
        .iter()
        .filter(|r| r.answered && r.how == "came_back")
        .count();
    let mut e = Effect {
        business: business.0.to_string(),
        business_id: business.1,
        platform: platform.map(str::to_string),
        min_group: MIN_GROUP,
        significance: format!(
            "two-sided Fisher exact test, p < {SIGNIFICANCE}; at least {MIN_GROUP} replies on each side"
        ),
        comeback_days: COMEBACK_DAYS,
        unhappy,
        answered: answered_group,
        rating_rose,
        came_back,
        came_back_share: (unhappy > 0).then(|| round3(came_back_any as f64 / unhappy as f64)),
        recoveries,
        platforms,
        habits: habit_effects(&answered, replied),
        delays: buckets(&answered, DELAYS, |a, from, to| {
            a.delay_hours >= from && a.delay_hours < to
        }),
        lengths: buckets(&answered, LENGTHS, |a, from, to| a.words >= from && a.words < to),
        says: String::new(),
    };
    e.says = headline(&e);
    e
}

/// "What works for you" for a business, optionally on one platform.
pub fn effect<S: RequestStore>(
    store: &S,
    business_id: BusinessId,
    platform: Option<&str>,
) -> Result<Effect> {
    let b = store.business(business_id)?;
    let histories = store.complaint_histories(business_id, platform)?;
    let authors: HashSet<String> = histories
        .iter()
        .filter_map(|h| h.author.as_deref())
        .filter(|a| !a.trim().is_empty())
        .map(author_key)
        .collect();
    let authored = store.reviews_by_authors(business_id, &authors)?;
    let replies = store.posted_replies_in_order(business_id)?;
    Ok(effect_of(
        (&b.name, b.id),
        platform,
        &histories,
        &authored,
        &replies,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn history(
        id: ReviewId,
        rating: f64,
        replied_after_h: Option<i64>,
        reply: &str,
    ) -> ComplaintHistory {
        let created_at = id * 10 * DAY;
        ComplaintHistory {
            review_id: id,
            platform: "google".into(),
            author: Some(format!("Customer {id}")),
            rating: Some(rating),
            negative: rating <= 2.0,
            created_at,
            replied_at: replied_after_h.map(|h| created_at + h * 3600),
            reply: replied_after_h.map(|_| reply.to_string()),
            earlier: Vec::new(),
        }
    }

    /// An edit to `to` stars a day after the reply.
    fn edited_up(mut h: ComplaintHistory, to: f64) -> ComplaintHistory {
        let at = h.replied_at.unwrap_or(h.created_at) + DAY;
        h.earlier.push((h.rating, at));
        h.rating = Some(to);
        h
    }

    #[test]
    fn the_rating_at_a_time_is_the_one_replaced_after_it() {
        let earlier = [(Some(1.0), 100), (Some(2.0), 300)];
        assert_eq!(rating_at(50, Some(5.0), &earlier), Some(1.0));
        assert_eq!(rating_at(200, Some(5.0), &earlier), Some(2.0));
        assert_eq!(rating_at(400, Some(5.0), &earlier), Some(5.0));
    }

    #[test]
    fn a_review_edited_up_after_the_reply_recovered_and_one_edited_before_did_not() {
        let h = edited_up(history(1, 1.0, Some(5), "Sorry."), 4.0);
        let r = recovery(&h, h.replied_at.unwrap(), &[]).unwrap();
        assert_eq!(
            (r.how, r.before, r.after),
            ("rating_rose", Some(1.0), Some(4.0))
        );
        // Edited up before the reply: already happy when answered, so not unhappy at all.
        let mut early = history(2, 4.0, Some(48), "Thanks.");
        early.earlier.push((Some(1.0), early.created_at + 3600));
        assert!(!unhappy_at(&early, early.replied_at.unwrap()));
    }

    #[test]
    fn a_customer_who_came_back_better_within_the_window_recovered() {
        let h = history(1, 2.0, Some(5), "Sorry.");
        let since = h.replied_at.unwrap();
        let back = |days: i64, rating: f64, platform: &str| AuthoredReview {
            review_id: 99,
            platform: platform.into(),
            author: "customer 1".into(),
            rating: Some(rating),
            positive: rating >= 4.0,
            created_at: since + days * DAY,
        };
        let good = back(30, 5.0, "google");
        assert_eq!(
            recovery(&h, since, &[&good]).map(|r| (r.how, r.later_review_id)),
            Some(("came_back", Some(99)))
        );
        for not in [
            back(30, 2.0, "google"),
            back(COMEBACK_DAYS + 1, 5.0, "google"),
            back(30, 5.0, "yelp"),
            back(-3, 5.0, "google"),
        ] {
            assert_eq!(recovery(&h, since, &[&not]), None, "{not:?}");
        }
    }

    #[test]
    fn fisher_matches_known_values() {
        // R: fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value = 0.4857
        assert!((fisher_exact(3, 1, 1, 3) - 0.485_714).abs() < 1e-5);
        // R: fisher.test(matrix(c(10, 2, 3, 15), 2))$p.value = 0.0005367
        assert!((fisher_exact(10, 3, 2, 15) - 0.000_536_7).abs() < 1e-6);
        assert!((fisher_exact(0, 5, 0, 5) - 1.0).abs() < 1e-9);
    }

    const GOOD: &str =
        "I'm so sorry, {n}. Please email me at jo@example.com so I can put it right.";
    const BARE: &str = "We were busy that day.";

    #[test]
    fn apology_and_offer_replies_that_recover_more_often_are_what_works() {
        let mut hs = Vec::new();
        let mut replies = Vec::new();
        for i in 1..=24 {
            let good = i % 2 == 0;
            let text = if good {
                GOOD.replace("{n}", &format!("guest {i}"))
            } else {
                format!("{BARE} ({i})")
            };
            let mut h = history(i, 1.0, Some(10), &text);
            // 9 of 12 good replies recover, 1 of 12 bare ones.
            if (good && i % 8 != 0) || (!good && i == 1) {
                h = edited_up(h, 4.0);
            }
            replies.push((i, h.replied_at.unwrap(), text));
            hs.push(h);
        }
        let e = effect_of(("Joe's", 1), None, &hs, &[], &replies);
        assert_eq!(e.unhappy, 24);
        assert_eq!(e.answered.replies, 24);
        let both = e
            .habits
            .iter()
            .find(|h| h.habit == "apology_and_offer")
            .unwrap();
        assert_eq!((both.with.replies, both.with.recovered), (12, 9));
        assert_eq!((both.without.replies, both.without.recovered), (12, 1));
        assert_eq!(both.verdict, Verdict::MoreOften, "{}", both.says);
        assert!(
            both.says.contains("won customers back more often"),
            "{}",
            both.says
        );
        assert!(e.says.contains("What works for you"), "{}", e.says);
        // The evidence: the recovered reviews behind the figure.
        assert_eq!(both.with.recovered_review_ids.len(), 9);
        // Nobody went unanswered: replying at all cannot be compared.
        assert_eq!(e.habits[0].verdict, Verdict::TooFew);
    }

    #[test]
    fn with_too_few_replies_it_says_it_cannot_tell() {
        let hs: Vec<_> = (1..=3)
            .map(|i| edited_up(history(i, 1.0, Some(2), GOOD), 5.0))
            .collect();
        let replies: Vec<_> = hs
            .iter()
            .map(|h| (h.review_id, h.replied_at.unwrap(), GOOD.to_string()))
            .collect();
        let e = effect_of(("Joe's", 1), None, &hs, &[], &replies);
        assert!(e.habits.iter().all(|h| h.verdict == Verdict::TooFew));
        assert!(e.says.contains("Too few replies yet to tell"), "{}", e.says);
        assert!(
            e.habits[1].says.starts_with("Too few to tell"),
            "{}",
            e.habits[1].says
        );
        assert!(e.delays.iter().all(|b| b.too_few));
    }
}
