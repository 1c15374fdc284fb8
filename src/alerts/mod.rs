//! Alerts: the rules that warn the owner, the check that runs them, and the notification plan.
//!
//! The rules themselves are pure functions in [`rules`] over plain rows the store hands over, so
//! each is tested on synthetic streams without a database; [`check`] is the only place that joins
//! them to the store. An alert is raised once: its `dedup_key` names the data that raised it
//! (`new_negative:<review id>`, `spike:<business>:<hour>`…) and the store ignores a second insert
//! of the same key, so repeated checks, overlapping syncs and restarts never duplicate anything.
//! An alert is dated by the data that raised it, never by when the check ran, so a first check
//! over years of history files each alert where it happened.
//!
//! Issue 28 added the rules over day series and kept state ([`rules::surge`] and the modules next
//! to it): every statistical alert carries `details.evidence` (the review ids, the window and
//! baseline figures, the test and its statistic), and their defaults are tail probabilities of
//! one in a million against each series' own trailing rate, so ordinary weeks stay quiet at any
//! volume. A review has one card: its "unanswered" state updates its "new negative" card.
//!
//! What the shell needs is here too: [`check`] returns the newly raised alerts,
//! [`notify::notification_plan`] decides what to show now and what to hold back (quiet hours,
//! pause, daily digest), and the store answers the tray ([`Store::unread_alert_count`]).

pub mod notify;
pub mod rules;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value as Json;

use crate::model::{BusinessId, ReviewId};
use crate::store::{AlertStore, Store, StoreError};

pub use notify::{notification_plan, Notification, NotificationPrefs, Plan};

use crate::model::alerts::{Alert, AlertFilter, AlertId, AlertKind, AlertState, NewAlert};

/// An alert raised at check time about something older than this is stored as already seen: it is
/// history, not news. A week because owners read their reviews at least weekly, so anything older
/// has either been dealt with on the platform or is past the point where a fast answer matters;
/// it stays in the list (and its links to the reviews), it just does not ring the bell. Without
/// this, the first check over a three-year import would notify about every bad review since 2023.
pub const BACKFILL_SEEN_AFTER: Duration = Duration::days(7);

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "no alert rule named {0:?}; the rules are new_negative, unanswered, rating_drop, spike, \
         watch_word, competitor, source_health, topic_surge, review_bomb, silence, removed and \
         credentials_expiring"
    )]
    UnknownRule(String),
    #[error("the {kind} rule has no setting {key:?}; its settings are: {known}")]
    UnknownParam {
        kind: &'static str,
        key: String,
        known: String,
    },
    #[error("invalid value {value:?} for {kind} {key}: {reason}")]
    InvalidParam {
        kind: &'static str,
        key: String,
        value: String,
        reason: String,
    },
    #[error("no alert with id {0}; list them with `earshot alerts --all`")]
    UnknownAlert(AlertId),
}

impl AlertError {
    /// A stable code for the UI and scripts, so they never parse English.
    pub fn code(&self) -> &'static str {
        match self {
            AlertError::Store(e) => e.code(),
            AlertError::UnknownRule(_) => "unknown_alert_rule",
            AlertError::UnknownParam { .. } => "unknown_alert_param",
            AlertError::InvalidParam { .. } => "invalid_alert_param",
            AlertError::UnknownAlert(_) => "unknown_alert",
        }
    }
}

pub type Result<T, E = AlertError> = std::result::Result<T, E>;

// ---------------------------------------------------------------------------------------------
// Rules: which are on, and their settings.

/// The type of one rule setting, for validation of what the owner types.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ParamType {
    Number {
        min: f64,
        max: f64,
    },
    /// A list of words or phrases; typed as a comma-separated list.
    Words,
}

struct ParamSpec {
    key: &'static str,
    ty: ParamType,
    default: fn() -> Json,
    help: &'static str,
}

/// Default watch words: what turns a bad review into a legal or health matter.
pub const DEFAULT_WATCH_WORDS: &[&str] = &[
    "food poisoning",
    "refund",
    "scam",
    "lawyer",
    "health department",
];

macro_rules! num {
    ($key:expr, $min:expr, $max:expr, $default:expr, $help:expr) => {
        ParamSpec {
            key: $key,
            ty: ParamType::Number {
                min: $min,
                max: $max,
            },
            default: || serde_json::json!($default),
            help: $help,
        }
    };
}

/// Every rule's settings with their defaults. The defaults are the product's opinion of a useful,
/// quiet alert; each is explained where it is used in [`rules`].
fn param_specs(kind: AlertKind) -> &'static [ParamSpec] {
    const NEW_NEGATIVE: &[ParamSpec] = &[num!(
        "max_stars",
        1.0,
        5.0,
        2,
        "a review at or below this many stars is negative"
    )];
    const UNANSWERED: &[ParamSpec] = &[
        num!(
            "hours",
            1.0,
            24.0 * 60.0,
            24,
            "hours a negative review may wait for a reply"
        ),
        num!(
            "max_stars",
            1.0,
            5.0,
            2,
            "a review at or below this many stars is negative"
        ),
        num!(
            "remind",
            0.0,
            1.0,
            0,
            "1: notify again when it is still unanswered; 0: only update its card"
        ),
    ];
    const RATING_DROP: &[ParamSpec] = &[
        num!("drop", 0.05, 4.0, 0.3, "stars the recent average must fall"),
        num!("recent_days", 7.0, 365.0, 30, "days in the recent average"),
        num!(
            "baseline_days",
            14.0,
            730.0,
            90,
            "days before them that it is compared with"
        ),
        num!(
            "min_reviews",
            3.0,
            1000.0,
            10,
            "rated reviews needed in each period"
        ),
        num!(
            "min_z",
            0.0,
            10.0,
            2.5,
            "how sure the drop is not chance (standard errors)"
        ),
    ];
    const SPIKE: &[ParamSpec] = &[
        num!(
            "min_items",
            2.0,
            100_000.0,
            5,
            "never a spike below this many reviews and posts in an hour"
        ),
        num!(
            "min_ratio",
            1.0,
            1000.0,
            3,
            "times the usual hourly pace an hour must reach"
        ),
        num!(
            "max_p",
            1e-12,
            0.05,
            1e-6,
            "chance of such an hour by luck, below which it is a spike"
        ),
        num!(
            "baseline_days",
            7.0,
            365.0,
            28,
            "days of history that set the usual pace"
        ),
        num!(
            "window_days",
            1.0,
            60.0,
            7,
            "days in the window where complaints or praise may surge"
        ),
        num!(
            "window_baseline_days",
            14.0,
            730.0,
            90,
            "days before that window that set its usual rate"
        ),
        num!(
            "window_min_items",
            2.0,
            100_000.0,
            5,
            "never a surge below this many complaints (or praises) in the window"
        ),
    ];
    const TOPIC_SURGE: &[ParamSpec] = &[
        num!(
            "window_days",
            3.0,
            90.0,
            14,
            "days in the window where a topic's complaints may surge"
        ),
        num!(
            "baseline_days",
            14.0,
            730.0,
            90,
            "days before that window that set the topic's usual rate"
        ),
        num!(
            "min_mentions",
            2.0,
            100_000.0,
            5,
            "never a surge below this many negative remarks in the window"
        ),
        num!(
            "max_p",
            1e-12,
            0.05,
            1e-6,
            "chance of such a window by luck, below which it is a surge"
        ),
    ];
    const REVIEW_BOMB: &[ParamSpec] = &[
        num!(
            "max_stars",
            1.0,
            5.0,
            2,
            "a rating at or below this many stars is low"
        ),
        // A few hours and eight strangers: a bad day at a small place (six complaints from six
        // new customers, one every two hours) is a bad week's start, not a bombing; a bombing
        // comes in a pile.
        num!(
            "hours",
            1.0,
            168.0,
            6,
            "hours in which the low ratings arrive"
        ),
        num!(
            "min_reviews",
            3.0,
            100_000.0,
            8,
            "never a bombing below this many low ratings from first-time reviewers"
        ),
        num!(
            "max_p",
            1e-12,
            0.05,
            1e-6,
            "chance of such a burst by luck, below which it is a bombing"
        ),
        num!(
            "baseline_days",
            14.0,
            730.0,
            90,
            "days of history that set the usual rate of low ratings"
        ),
    ];
    const SILENCE: &[ParamSpec] = &[
        num!(
            "baseline_days",
            14.0,
            730.0,
            90,
            "days before the quiet spell that set a source's usual rate"
        ),
        num!(
            "window_days",
            7.0,
            180.0,
            28,
            "days in the window whose volume may fall far below usual"
        ),
        num!(
            "min_items",
            5.0,
            100_000.0,
            20,
            "reviews and posts the usual pace needs before a quiet spell can be judged"
        ),
        num!(
            "max_p",
            1e-12,
            0.05,
            1e-6,
            "chance of such a quiet spell by luck, below which it is silence"
        ),
    ];
    const CREDENTIALS: &[ParamSpec] = &[num!(
        "days",
        1.0,
        60.0,
        5,
        "days before a sign-in that cannot renew itself ends"
    )];
    const WATCH_WORD: &[ParamSpec] = &[ParamSpec {
        key: "words",
        ty: ParamType::Words,
        default: || serde_json::json!(DEFAULT_WATCH_WORDS),
        help: "words and phrases to watch for (comma-separated)",
    }];
    const COMPETITOR: &[ParamSpec] = &[
        num!(
            "window_days",
            7.0,
            36_500.0,
            90,
            "days in the averages compared"
        ),
        num!(
            "margin",
            0.0,
            2.0,
            0.05,
            "stars by which the competitor must lead"
        ),
        num!(
            "min_reviews",
            3.0,
            1000.0,
            10,
            "rated reviews each needs in the window"
        ),
    ];
    match kind {
        AlertKind::NewNegative => NEW_NEGATIVE,
        AlertKind::Unanswered => UNANSWERED,
        AlertKind::RatingDrop => RATING_DROP,
        AlertKind::Spike => SPIKE,
        AlertKind::WatchWord => WATCH_WORD,
        AlertKind::Competitor => COMPETITOR,
        AlertKind::SourceHealth | AlertKind::Removed => &[],
        AlertKind::TopicSurge => TOPIC_SURGE,
        AlertKind::ReviewBomb => REVIEW_BOMB,
        AlertKind::Silence => SILENCE,
        AlertKind::CredentialsExpiring => CREDENTIALS,
    }
}

/// One rule as the owner sees and edits it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub kind: AlertKind,
    pub enabled: bool,
    /// Every setting of the rule, defaults filled in.
    pub params: BTreeMap<String, Json>,
    /// One line per setting saying what it means.
    pub help: BTreeMap<String, String>,
}

impl Rule {
    fn default_for(kind: AlertKind) -> Rule {
        let specs = param_specs(kind);
        Rule {
            kind,
            enabled: true,
            params: specs
                .iter()
                .map(|s| (s.key.to_owned(), (s.default)()))
                .collect(),
            help: specs
                .iter()
                .map(|s| (s.key.to_owned(), s.help.to_owned()))
                .collect(),
        }
    }

    /// A number setting; the default when the stored value is missing or not a number.
    pub fn number(&self, key: &str) -> f64 {
        self.params
            .get(key)
            .and_then(Json::as_f64)
            .or_else(|| {
                param_specs(self.kind)
                    .iter()
                    .find(|s| s.key == key)
                    .and_then(|s| (s.default)().as_f64())
            })
            .unwrap_or(0.0)
    }

    /// A word-list setting.
    pub fn words(&self, key: &str) -> Vec<String> {
        self.params
            .get(key)
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|w| w.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Every rule, in [`AlertKind::ALL`] order, with the owner's changes over the defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct RuleSet(pub Vec<Rule>);

impl RuleSet {
    pub fn defaults() -> RuleSet {
        RuleSet(AlertKind::ALL.into_iter().map(Rule::default_for).collect())
    }

    pub fn get(&self, kind: AlertKind) -> &Rule {
        self.0
            .iter()
            .find(|r| r.kind == kind)
            .expect("a RuleSet holds every kind")
    }

    pub fn enabled(&self, kind: AlertKind) -> bool {
        self.get(kind).enabled
    }
}

/// The rules as stored: defaults, overlaid with what the owner changed. Unknown stored keys are
/// ignored (a newer Earshot may have written them).
pub fn load_rules<S: AlertStore + ?Sized>(store: &S) -> Result<RuleSet> {
    let mut set = RuleSet::defaults();
    for (kind, enabled, params) in store.alert_rules()? {
        let Some(kind) = AlertKind::parse(&kind) else {
            continue;
        };
        let Some(rule) = set.0.iter_mut().find(|r| r.kind == kind) else {
            continue;
        };
        rule.enabled = enabled;
        if let Json::Object(map) = params {
            for (k, v) in map {
                if rule.params.contains_key(&k) {
                    rule.params.insert(k, v);
                }
            }
        }
    }
    Ok(set)
}

/// Changes a rule: turns it on or off and sets parameters given as text (`hours=12`,
/// `words=refund, scam`). Everything is validated before anything is stored.
pub fn set_rule<S: AlertStore + ?Sized>(
    store: &S,
    kind: &str,
    enabled: Option<bool>,
    params: &[(String, String)],
) -> Result<Rule> {
    let kind = AlertKind::parse(kind.trim()).ok_or_else(|| AlertError::UnknownRule(kind.into()))?;
    let mut rule = load_rules(store)?.get(kind).clone();
    if let Some(e) = enabled {
        rule.enabled = e;
    }
    let specs = param_specs(kind);
    for (key, value) in params {
        let spec = specs.iter().find(|s| s.key == key).ok_or_else(|| {
            let known: Vec<&str> = specs.iter().map(|s| s.key).collect();
            AlertError::UnknownParam {
                kind: kind.as_str(),
                key: key.clone(),
                known: if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                },
            }
        })?;
        let invalid = |reason: String| AlertError::InvalidParam {
            kind: kind.as_str(),
            key: key.clone(),
            value: value.clone(),
            reason,
        };
        let parsed = match spec.ty {
            ParamType::Number { min, max } => {
                let n: f64 = value
                    .trim()
                    .parse()
                    .map_err(|_| invalid("not a number".into()))?;
                if !(min..=max).contains(&n) {
                    return Err(invalid(format!("must be between {min} and {max}")));
                }
                serde_json::json!(n)
            }
            ParamType::Words => {
                let words: Vec<String> = value
                    .split(',')
                    .map(|w| w.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|w| !w.is_empty())
                    .collect();
                serde_json::json!(words)
            }
        };
        rule.params.insert(key.clone(), parsed);
    }
    let params: serde_json::Map<String, Json> = rule
        .params
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    store.set_alert_rule(kind.as_str(), rule.enabled, &Json::Object(params))?;
    Ok(rule)
}

// ---------------------------------------------------------------------------------------------
// The check.

/// Rows read per page when scanning new reviews, so a first check over a million reviews holds a
/// page in memory, not the history.
const SCAN_PAGE: u32 = 5_000;

/// Evaluates every enabled rule and raises what is new; returns the alerts raised by this call,
/// oldest first (those already `seen` included, so a caller can report them; notify only `new`).
///
/// The first check reads the whole history; later checks read only reviews stored since the last
/// one (a high-water mark on the review id, kept in `settings`, so late arrivals with old dates
/// are still seen), plus the reviews whose reply deadline passed since the last check. Rating
/// rules read the daily rollup, which is small, in full each time. Everything raised by one check
/// is stored with the new marks in one transaction.
pub fn check<S: AlertStore + ?Sized>(store: &mut S, now: DateTime<Utc>) -> Result<Vec<Alert>> {
    check_since(store, now, None)
}

/// [`check`], evaluating every rule over the history from `since` (all of it when `None` on a
/// first check) rather than only what arrived since the last check: `earshot alerts check
/// --since DATE`. Alerts already raised keep their keys, so nothing is raised twice.
pub fn check_since<S: AlertStore + ?Sized>(
    store: &mut S,
    now: DateTime<Utc>,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<Alert>> {
    let now_ts = now.timestamp();
    let since_ts = since.map(|s| s.timestamp());
    let set = load_rules(store)?;
    let marks = store.alert_marks()?;
    let until_id = store.max_review_id()?;
    let mut found: Vec<rules::Finding> = Vec::new();

    let new_neg = set.get(AlertKind::NewNegative);
    let unanswered = set.get(AlertKind::Unanswered);
    let watch = set.get(AlertKind::WatchWord);
    let matcher = rules::WatchWords::new(&watch.words("words"));
    let unanswered_hours = unanswered.number("hours");
    let deadline = (unanswered_hours * 3600.0) as i64;

    // Reviews stored since the last check: per-item rules, and where a spike may be.
    let mut earliest_new: BTreeMap<BusinessId, i64> = BTreeMap::new();
    let mut after = if since_ts.is_some() {
        i64::MIN
    } else {
        marks.review_id.unwrap_or(i64::MIN)
    };
    loop {
        let page = store.alert_items_after(after, until_id, SCAN_PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for item in page
            .iter()
            .filter(|i| since_ts.is_none_or(|s| i.created_at >= s))
        {
            let e = earliest_new
                .entry(item.business_id)
                .or_insert(item.created_at);
            *e = (*e).min(item.created_at);
        }
        if new_neg.enabled {
            found.extend(rules::new_negative(&page, new_neg.number("max_stars")));
        }
        if watch.enabled {
            found.extend(rules::watch_words(&page, &matcher));
        }
        if unanswered.enabled {
            found.extend(rules::unanswered(
                &page,
                unanswered.number("max_stars"),
                deadline,
                now_ts,
            ));
        }
    }
    // Reviews edited since the last check (a 4★ changed to 1★, a watch word added): the
    // per-item rules again, dated by the edit. Their keys are per review, so an edit of a review
    // that already raised its alert raises nothing new.
    let until_revision = store.max_revision_id()?;
    if let Some(mark) = marks.review_id {
        let edited = store.edited_items(marks.revision_id.unwrap_or(0), until_revision, mark)?;
        if new_neg.enabled {
            found.extend(rules::new_negative(&edited, new_neg.number("max_stars")));
        }
        if watch.enabled {
            found.extend(rules::watch_words(&edited, &matcher));
        }
        if unanswered.enabled {
            found.extend(rules::unanswered(
                &edited,
                unanswered.number("max_stars"),
                deadline,
                now_ts,
            ));
        }
    }
    // Older reviews whose reply deadline passed since the last check.
    if unanswered.enabled {
        if let (Some(last_check), Some(mark)) = (marks.checked_at, marks.review_id) {
            let due = store.unanswered_items(last_check - deadline, now_ts - deadline, mark)?;
            found.extend(rules::unanswered(
                &due,
                unanswered.number("max_stars"),
                deadline,
                now_ts,
            ));
        }
    }

    let businesses = store.businesses()?;
    let own: Vec<_> = businesses.iter().filter(|b| !b.is_competitor).collect();

    let spike = set.get(AlertKind::Spike);
    if spike.enabled {
        let params = rules::SpikeParams::from_rule(spike);
        for (&business_id, &earliest) in &earliest_new {
            let Some(b) = own.iter().find(|b| b.id == business_id) else {
                continue;
            };
            // Look back far enough to find where a spike that is still going began, so it keeps
            // its first hour as its key.
            let from_hour = earliest.div_euclid(3600) - rules::SPIKE_RUN_LOOKBACK_HOURS;
            let hours = store.busy_hours(business_id, from_hour, params.min_items)?;
            if hours.is_empty() {
                continue;
            }
            let first_day = hours[0].0.div_euclid(24) - params.baseline_days - 1;
            let days = store.daily_counts(business_id, first_day)?;
            for run in rules::spikes(&hours, &days, &params) {
                let (from, to) = (run.start * 3600, run.end * 3600);
                let ids = store.review_ids_in(business_id, from, to)?;
                let (neg, pos) = store.sentiment_split(business_id, from, to)?;
                found.push(rules::spike_finding(
                    b,
                    &run,
                    rules::Direction::of(neg, pos),
                    ids,
                ));
            }
        }
    }
    // Removals noticed since the last check (a day's margin for clocks), all on a first check
    // or a replay.
    let removed_since = match (since_ts, marks.checked_at) {
        (None, Some(last)) => last - REMOVED_MARGIN_SECS,
        _ => i64::MIN,
    };
    statistical_rules(
        store,
        &set,
        &own,
        &earliest_new,
        removed_since,
        &mut found,
        now_ts,
    )?;

    let drop = set.get(AlertKind::RatingDrop);
    let competitor = set.get(AlertKind::Competitor);
    if drop.enabled || competitor.enabled {
        let mut ratings = BTreeMap::new();
        for b in &businesses {
            ratings.insert(b.id, rules::day_ratings(&store.daily_rows(b.id, None)?));
        }
        if drop.enabled {
            let params = rules::DropParams::from_rule(drop);
            for b in &own {
                for mut f in rules::rating_drops(b, &ratings[&b.id], now_ts, &params) {
                    // The evidence names the low ratings of the window that fell.
                    let end = f.alert.created_at + 1;
                    let from = end - params.recent_days * 86_400;
                    let ids = store.low_rated_ids(b.id, from, end, DROP_EVIDENCE_MAX_STARS)?;
                    f.alert.details["evidence"]["review_ids"] = serde_json::json!(ids);
                    found.push(f);
                }
            }
        }
        if competitor.enabled {
            let params = rules::CompetitorParams::from_rule(competitor);
            for b in &own {
                for c in businesses.iter().filter(|c| c.is_competitor) {
                    found.extend(rules::competitor_passes(
                        b,
                        c,
                        &ratings[&b.id],
                        &ratings[&c.id],
                        now_ts,
                        &params,
                    ));
                }
            }
        }
    }

    if let Some(s) = since_ts {
        found.retain(|f| f.alert.created_at >= s);
    }
    let cutoff = (now - BACKFILL_SEEN_AFTER).timestamp();
    let mut new: Vec<NewAlert> = found
        .into_iter()
        .map(|f| {
            let mut a = f.alert;
            if a.created_at < cutoff && !f.ongoing {
                a.state = AlertState::Seen;
            }
            a
        })
        .collect();
    one_card_per_review(&mut new);
    new.sort_by(|a, b| (a.created_at, &a.dedup_key).cmp(&(b.created_at, &b.dedup_key)));

    let marks = crate::store::AlertMarks {
        review_id: Some(until_id.max(marks.review_id.unwrap_or(0))),
        checked_at: Some(now_ts.max(marks.checked_at.unwrap_or(i64::MIN))),
        revision_id: Some(until_revision.max(marks.revision_id.unwrap_or(0))),
    };
    let remind = unanswered.number("remind") >= 0.5;
    let ids = store.raise_alerts(&new, &marks, now_ts, remind)?;
    // One review, one card: an unanswered alert that updated its review's card in this batch is
    // reported as that card's state (when the card was raised by this same check).
    let follow_ups: BTreeMap<String, NewAlert> = new
        .iter()
        .filter(|a| a.kind == AlertKind::Unanswered)
        .filter_map(|a| {
            let review = a.dedup_key.strip_prefix("unanswered:")?;
            Some((format!("new_negative:{review}"), a.clone()))
        })
        .collect();
    // A reply settles an "unanswered" alert: the owner has dealt with it, so it stops counting
    // as unread.
    store.settle_answered_alerts()?;
    // Built from what was inserted rather than read back: a first check of a large import raises
    // a hundred thousand alerts, and reading each again would double its time.
    let names: BTreeMap<BusinessId, &str> =
        businesses.iter().map(|b| (b.id, b.name.as_str())).collect();
    Ok(new
        .into_iter()
        .zip(ids)
        .filter_map(|(a, id)| {
            let id = id?;
            let a = match follow_ups.get(&a.dedup_key) {
                Some(f) => NewAlert {
                    kind: f.kind,
                    created_at: f.created_at,
                    message: f.message.clone(),
                    details: f.details.clone(),
                    dedup_key: a.dedup_key,
                    ..a
                },
                None => a,
            };
            Some(Alert {
                id,
                kind: a.kind,
                business: a
                    .business_id
                    .and_then(|b| names.get(&b).map(|n| (*n).to_owned())),
                business_id: a.business_id,
                created_at: DateTime::from_timestamp(a.created_at, 0).unwrap_or_default(),
                review_ids: {
                    let mut r = a.review_ids;
                    r.sort_unstable();
                    r
                },
                message: a.message,
                state: a.state,
                notified_at: None,
                dedup_key: a.dedup_key,
                details: a.details,
            })
        })
        .collect())
}

/// One review, one card (issue 28): when one check finds a review both newly negative and past
/// its reply deadline, and the deadline passed *before* what made it news (an old review edited
/// down to 1★ today), the card is the news, noting that it has no reply; the unanswered state is
/// not a later change of it. When the deadline passes after, the store updates the card
/// ([`Store::raise_alerts`]).
fn one_card_per_review(new: &mut Vec<NewAlert>) {
    let news: BTreeMap<String, i64> = new
        .iter()
        .filter(|a| a.kind == AlertKind::NewNegative)
        .filter_map(|a| {
            let review = a.dedup_key.strip_prefix("new_negative:")?;
            Some((review.to_owned(), a.created_at))
        })
        .collect();
    let mut folded: BTreeMap<String, Json> = BTreeMap::new();
    new.retain(|a| {
        if a.kind != AlertKind::Unanswered {
            return true;
        }
        let Some(review) = a.dedup_key.strip_prefix("unanswered:") else {
            return true;
        };
        match news.get(review) {
            Some(&at) if at > a.created_at => {
                folded.insert(review.to_owned(), a.details["hours"].clone());
                false
            }
            _ => true,
        }
    });
    for a in new.iter_mut().filter(|a| a.kind == AlertKind::NewNegative) {
        let Some(review) = a.dedup_key.strip_prefix("new_negative:") else {
            continue;
        };
        if let Some(hours) = folded.get(review) {
            a.details["unanswered_hours"] = hours.clone();
        }
    }
}

/// How far before the last check the `removed` rule looks again: the sync stamps a removal with
/// the wall clock, the check runs at its own `now`, and a day covers any gap between them.
const REMOVED_MARGIN_SECS: i64 = 86_400;

/// Ratings at or below this are the "low ratings" a rating drop's evidence names.
const DROP_EVIDENCE_MAX_STARS: f64 = 2.0;

/// The rules over day series and kept state (issue 28): spikes of complaints or praise by the
/// week, topic surges, review bombing, silence, removed reviews and expiring sign-ins. Each reads
/// the whole history from the rollups (small), so a first check files every past alert where it
/// happened, and later checks raise only what is new (the keys are per rule and window).
fn statistical_rules<S: AlertStore + ?Sized>(
    store: &S,
    set: &RuleSet,
    own: &[&crate::model::Business],
    earliest_new: &BTreeMap<BusinessId, i64>,
    removed_since: i64,
    found: &mut Vec<rules::Finding>,
    now: i64,
) -> Result<()> {
    let today = now.div_euclid(86_400);
    let spike = set.get(AlertKind::Spike);
    let topic = set.get(AlertKind::TopicSurge);
    let bomb = set.get(AlertKind::ReviewBomb);
    for b in own {
        let series = store.sentiment_days(b.id)?;
        let Some(first_day) = series.first_day else {
            continue;
        };
        if spike.enabled {
            let window = rules::trend::spike_window(spike);
            // Hourly spikes already raised (this check or before) are the same burst seen
            // closer up: a week holding one does not raise a second card.
            let mut hourly: Vec<i64> = found
                .iter()
                .filter(|f| f.alert.kind == AlertKind::Spike && f.alert.business_id == Some(b.id))
                .map(|f| f.alert.created_at)
                .collect();
            hourly.extend(
                store
                    .alerts(&AlertFilter {
                        business_id: Some(b.id),
                        kind: Some(AlertKind::Spike),
                        include_dismissed: true,
                        ..AlertFilter::default()
                    })?
                    .iter()
                    .filter(|a| a.details.get("peak_per_hour").is_some())
                    .map(|a| a.created_at.timestamp()),
            );
            for (direction, days, label) in [
                (rules::Direction::Complaints, &series.negative, "negative"),
                (rules::Direction::Praise, &series.positive, "positive"),
            ] {
                for s in rules::surge::surges(days, first_day, today, &window) {
                    let (from, to) = (s.start * 86_400, (s.last_day + 1) * 86_400);
                    if hourly.iter().any(|t| *t >= from && *t < to) {
                        continue;
                    }
                    let ids =
                        store.review_ids_with_sentiment(b.id, from, (s.end + 1) * 86_400, label)?;
                    found.push(rules::trend::directional_spike(b, direction, &s, ids, now));
                }
            }
        }
        if topic.enabled {
            let window = rules::trend::topic_window(topic);
            let rows = store.aspect_negative_days(b.id)?;
            let mut by_topic: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
            for (aspect, day, n) in &rows {
                by_topic.entry(aspect).or_default().push((*day, *n));
            }
            for (aspect, days) in by_topic {
                for s in rules::surge::surges(&days, first_day, today, &window) {
                    let ids = store.aspect_negative_ids(
                        b.id,
                        aspect,
                        s.start * 86_400,
                        (s.end + 1) * 86_400,
                    )?;
                    found.push(rules::trend::topic_surge(b, aspect, &s, ids, now));
                }
            }
        }
        // A bombing is news only where new reviews arrived (on a first check, all of them);
        // looking back as far as a spike still going on keeps its first rating as its key.
        let bomb_from = earliest_new.get(&b.id).map(|t| {
            t - rules::SPIKE_RUN_LOOKBACK_HOURS * 3600 - bomb.number("hours") as i64 * 3600
        });
        if let (true, Some(bomb_from)) = (bomb.enabled, bomb_from) {
            let p = rules::bomb::BombParams::from_rule(bomb);
            let low = store.low_ratings(b.id, p.max_stars)?;
            let picked: Vec<usize> = rules::bomb::candidates(&low, &p)
                .into_iter()
                .filter(|&i| low[i].1 >= bomb_from)
                .collect();
            let mut candidates = Vec::new();
            if let Some(&last) = picked.last() {
                // Which authors had written before: one pass over the business's reviews.
                let wanted: std::collections::HashSet<ReviewId> =
                    picked.iter().map(|&i| low[i].0).collect();
                let mut seen: std::collections::HashSet<(String, String)> = Default::default();
                let mut first_time: BTreeMap<ReviewId, bool> = BTreeMap::new();
                for (id, platform, author) in store.authors_until(b.id, low[last].1)? {
                    let author = author
                        .map(|a| a.trim().to_owned())
                        .filter(|a| !a.is_empty());
                    let fresh = match &author {
                        Some(a) => !seen.contains(&(platform.clone(), a.clone())),
                        None => true,
                    };
                    if wanted.contains(&id) {
                        first_time.insert(id, fresh);
                    }
                    if let Some(a) = author {
                        seen.insert((platform, a));
                    }
                }
                for i in picked {
                    let (id, at) = low[i];
                    candidates.push(rules::bomb::LowRating {
                        id,
                        at,
                        first_time: first_time.get(&id).copied().unwrap_or(true),
                    });
                }
            }
            let all: Vec<i64> = low.iter().map(|l| l.1).collect();
            found.extend(rules::bomb::review_bombs(
                b,
                &candidates,
                &all,
                first_day * 86_400,
                now,
                &p,
            ));
        }
    }
    let silence = set.get(AlertKind::Silence);
    if silence.enabled {
        let p = rules::silence::SilenceParams::from_rule(silence);
        for (source, business, connector) in store.synced_sources()? {
            let Some(b) = own.iter().find(|b| b.id == business) else {
                continue;
            };
            let days = store.source_days(source)?;
            found.extend(rules::silence::silences(
                b, source, &connector, &days, now, &p,
            ));
        }
    }
    if set.enabled(AlertKind::Removed) {
        found.extend(rules::lifecycle::removed(
            &store.removed_items(removed_since)?,
        ));
    }
    let creds = set.get(AlertKind::CredentialsExpiring);
    if creds.enabled {
        found.extend(rules::lifecycle::credentials_expiring(
            &store.credential_expiries()?,
            creds.number("days"),
            now,
        ));
    }
    Ok(())
}

/// Marks an alert seen or dismissed (or new again).
pub fn set_state<S: AlertStore + ?Sized>(store: &S, id: AlertId, state: AlertState) -> Result<()> {
    if store.set_alert_state(id, state)? {
        Ok(())
    } else {
        Err(AlertError::UnknownAlert(id))
    }
}

/// The owner's notification preferences; defaults when never set.
pub fn notification_prefs(store: &Store) -> Result<NotificationPrefs> {
    Ok(store
        .setting::<NotificationPrefs>(notify::PREFS_KEY)?
        .unwrap_or_default())
}

pub fn set_notification_prefs(store: &Store, prefs: &NotificationPrefs) -> Result<()> {
    store.set_setting(notify::PREFS_KEY, prefs)?;
    Ok(())
}

/// Records that a plan's notifications were shown: their alerts are marked notified (so they are
/// never shown twice, even after a restart) and a digest is remembered as today's.
pub fn record_sent(store: &Store, plan: &Plan, now: DateTime<Utc>) -> Result<()> {
    let ids: Vec<AlertId> = plan
        .notify_now
        .iter()
        .flat_map(|n| n.alert_ids.iter().copied())
        .collect();
    store.mark_alerts_notified(&ids, now.timestamp())?;
    if plan.is_digest {
        let mut prefs = notification_prefs(store)?;
        prefs.last_digest_at = Some(now);
        set_notification_prefs(store, &prefs)?;
    }
    Ok(())
}
