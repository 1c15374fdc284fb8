//! The reply coach: reads a draft reply beside the review it answers and says what a careful
//! owner would want to know before posting — too long for the platform, canned, no apology,
//! defensive, shouting, someone's personal data, no private channel offered, promotional.
//!
//! Warnings, never blocks: the owner may have reasons the rules cannot see, so the coach explains
//! and the owner decides. Every check is a pure function of the draft and a [`CheckContext`]
//! (the review, the owner's own contact details and the replies already posted), so the composer
//! can call it on each keystroke without a database, and the rules are tested with plain strings.
//!
//! The rules are word and phrase lists rather than a model: they are predictable, they can say
//! *which* words triggered them (the message quotes them), and they run in microseconds. They are
//! tuned against false positives first — a warning on a good reply teaches the owner to ignore the
//! coach — so each list holds phrases that are rarely innocent, and checks that only make sense
//! for a complaint (`no_apology`, `no_offline_offer`, `promotional`) stay quiet on praise.

use std::collections::HashSet;

use serde::Serialize;

use crate::model::SentimentLabel;

/// What a warning is about. The `code` is stable: the UI and scripts match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    TooLong,
    Canned,
    NoApology,
    Defensive,
    Shouting,
    PersonalData,
    NoOfflineOffer,
    Promotional,
    Link,
    AiPromise,
}

impl WarningCode {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::TooLong => "too_long",
            WarningCode::Canned => "canned",
            WarningCode::NoApology => "no_apology",
            WarningCode::Defensive => "defensive",
            WarningCode::Shouting => "shouting",
            WarningCode::PersonalData => "personal_data",
            WarningCode::NoOfflineOffer => "no_offline_offer",
            WarningCode::Promotional => "promotional",
            WarningCode::Link => "link",
            WarningCode::AiPromise => "ai_promise",
        }
    }
}

/// One thing the coach noticed, with the reason in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
}

/// How a platform measures a reply's length, and its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "unit", content = "max", rename_all = "snake_case")]
pub enum Limit {
    /// UTF-8 bytes (Google Business Profile documents its limit in bytes).
    Bytes(usize),
    /// Unicode scalar values, which is what most platforms mean by "characters".
    Chars(usize),
    /// X's weighted count: most CJK and emoji count 2, every link counts 23.
    Weighted(usize),
    /// User-perceived characters (extended grapheme clusters): Bluesky's unit, so an emoji
    /// built from several code points (a family, a flag) counts once.
    Graphemes(usize),
}

/// Limit for platforms we know nothing about: long enough for a considered reply, short enough
/// that a reply longer than this is worth a second look anywhere.
pub const DEFAULT_LIMIT: Limit = Limit::Chars(4000);

/// The reply length limit of a display platform: the one its home names
/// ([`crate::platforms::Platform::reply_limit`], from `/work/shared/PLATFORMS.md` and the docs
/// cited there), else [`DEFAULT_LIMIT`].
pub fn reply_limit(platform: &str) -> Limit {
    crate::platforms::reply_limit(platform).unwrap_or(DEFAULT_LIMIT)
}

/// Length of `text` in the limit's own unit.
pub fn measure(text: &str, limit: Limit) -> usize {
    match limit {
        Limit::Bytes(_) => text.len(),
        Limit::Chars(_) => text.chars().count(),
        Limit::Weighted(_) => x_weighted_len(text),
        Limit::Graphemes(_) => {
            unicode_segmentation::UnicodeSegmentation::graphemes(text, true).count()
        }
    }
}

/// What a link counts for on X, whatever its length (t.co wrapping).
const X_URL_WEIGHT: usize = 23;

/// X's weighted length (twitter-text v3): code points in the Latin and general-punctuation ranges
/// count 1, everything else (CJK, most emoji) 2, and each link 23. Emoji built from several code
/// points (ZWJ sequences, flags) are over-counted slightly, which errs on the safe side.
pub fn x_weighted_len(text: &str) -> usize {
    let mut total = 0;
    let mut first = true;
    for word in text.split(' ') {
        if !first {
            total += 1;
        }
        first = false;
        if word.starts_with("http://") || word.starts_with("https://") {
            total += X_URL_WEIGHT;
            continue;
        }
        total += word
            .chars()
            .map(|c| match c as u32 {
                0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247 => 1,
                _ => 2,
            })
            .sum::<usize>();
    }
    total
}

/// The review a draft answers, as far as the coach needs it.
#[derive(Debug, Clone, Default)]
pub struct ReviewContext<'a> {
    pub rating: Option<f64>,
    pub sentiment: Option<SentimentLabel>,
    pub body: &'a str,
    pub author: Option<&'a str>,
}

impl ReviewContext<'_> {
    /// A complaint: one or two stars, or a three-star or unrated item that reads negative.
    pub fn is_complaint(&self) -> bool {
        match self.rating {
            Some(r) if r <= 2.5 => true,
            Some(r) if r >= 3.5 => false,
            _ => self.sentiment == Some(SentimentLabel::Negative),
        }
    }

    /// Clear praise: four or five stars, or an unrated item that reads positive.
    pub fn is_praise(&self) -> bool {
        match self.rating {
            Some(r) => r >= 3.5,
            None => self.sentiment == Some(SentimentLabel::Positive),
        }
    }
}

/// Everything a check may look at besides the draft.
#[derive(Debug, Clone, Default)]
pub struct CheckContext<'a> {
    /// Display platform (`google`, `x`…); picks the length limit.
    pub platform: &'a str,
    /// The review being answered; without it, only the checks that need no review run.
    pub review: Option<ReviewContext<'a>>,
    /// The owner's own public contact details (e-mail, phone), which a reply may offer.
    pub owner_contacts: &'a [String],
    /// Replies the business already posted, for the `canned` check.
    pub posted: Option<&'a PostedReplies>,
    /// The AI draft this text started from, when it did: a promise in the text that the AI
    /// wrote, not the owner, is pointed out (`ai_promise`).
    pub ai_draft: Option<&'a str>,
}

/// Checks a draft and returns its warnings, at most one per code, in a stable order.
pub fn check(draft: &str, ctx: &CheckContext<'_>) -> Vec<Warning> {
    if draft.trim().is_empty() {
        return Vec::new();
    }
    let text = Text::new(draft);
    let review = ctx.review.as_ref();
    let complaint = review.is_some_and(ReviewContext::is_complaint);
    let praise = review.is_some_and(ReviewContext::is_praise);
    let mut out = Vec::new();
    out.extend(too_long(draft, ctx.platform));
    if let Some(posted) = ctx.posted {
        out.extend(canned(&text, posted));
    }
    if complaint {
        out.extend(no_apology(&text));
    }
    out.extend(defensive(&text, praise));
    out.extend(shouting(draft));
    out.extend(personal_data(&text, review, ctx.owner_contacts));
    if complaint {
        out.extend(no_offline_offer(&text));
        out.extend(promotional(&text));
    }
    out.extend(link(draft, ctx.owner_contacts));
    if let Some(ai) = ctx.ai_draft {
        out.extend(ai_promise(draft, ai));
    }
    out.sort_by_key(|w| w.code);
    out
}

fn warn(code: WarningCode, message: String) -> Option<Warning> {
    Some(Warning { code, message })
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/// A draft cut into lower-case words, with a space-joined form for phrase search.
struct Text {
    /// Lower-case words (letters, digits, apostrophes, and `@ . + - #` inside a word, so e-mail
    /// addresses, phone numbers and order numbers stay whole).
    words: Vec<String>,
    /// `" w1 w2 … "`, punctuation-free, for phrase lookups on word boundaries.
    joined: String,
}

impl Text {
    fn new(s: &str) -> Text {
        let words = raw_words(s)
            .into_iter()
            .map(|w| w.to_lowercase())
            .collect::<Vec<_>>();
        let plain: Vec<String> = words
            .iter()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric() || *c == '\'')
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect();
        Text {
            joined: format!(" {} ", plain.join(" ")),
            words,
        }
    }

    /// The first phrase of `list` found in the text. A phrase ending in `*` matches any word it
    /// starts (`apologi*` finds "apologise" and "apologies").
    fn find<'p>(&self, list: &[&'p str]) -> Option<&'p str> {
        list.iter().copied().find(|p| self.has(p))
    }

    fn has(&self, phrase: &str) -> bool {
        self.joined.contains(&needle(phrase))
    }

    /// Like `has`, but an occurrence right after a negation ("not our fault", "wasn't sorry")
    /// does not count: it says the opposite of the phrase.
    fn has_unnegated(&self, phrase: &str) -> bool {
        self.has_unnegated_by(phrase, NEGATIONS)
    }

    /// Like `has_unnegated`, with its own list of negations.
    fn has_unnegated_by(&self, phrase: &str, negations: &[&str]) -> bool {
        self.joined.match_indices(&needle(phrase)).any(|(at, _)| {
            let before = self.joined[..at].split(' ').rev().take(2);
            !before.into_iter().any(|w| negations.contains(&w))
        })
    }

    /// Every phrase of `list` found, in list order.
    fn find_all<'p>(&self, list: &[&'p str]) -> Vec<&'p str> {
        list.iter().copied().filter(|p| self.has(p)).collect()
    }
}

/// What `phrase` looks like inside `Text::joined`: whole words, or a word's start for `word*`.
fn needle(phrase: &str) -> String {
    match phrase.strip_suffix('*') {
        Some(prefix) => format!(" {prefix}"),
        None => format!(" {phrase} "),
    }
}

/// Splits on anything that cannot be inside a word, keeping the characters that make e-mails,
/// phone numbers and order numbers one token; trailing punctuation is trimmed.
fn raw_words(s: &str) -> Vec<String> {
    let s = s.replace(['\u{2019}', '\u{2018}'], "'");
    s.split(|c: char| !(c.is_alphanumeric() || "'@.+-#_%".contains(c)))
        .map(|w| w.trim_matches(|c: char| ".-'+_".contains(c)))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn quote_list(found: &[&str]) -> String {
    found
        .iter()
        .map(|p| format!("\"{}\"", p.trim_end_matches('*')))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// too_long

fn too_long(draft: &str, platform: &str) -> Option<Warning> {
    let limit = reply_limit(platform);
    let (max, unit) = match limit {
        Limit::Bytes(n) => (n, "bytes"),
        Limit::Chars(n) => (n, "characters"),
        Limit::Weighted(n) => (n, "characters (as X counts them)"),
        Limit::Graphemes(n) => (n, "characters"),
    };
    let len = measure(draft.trim(), limit);
    if len <= max {
        return None;
    }
    let label = crate::platform::platform_label(if platform.is_empty() {
        "this platform"
    } else {
        platform
    });
    warn(
        WarningCode::TooLong,
        format!(
            "{label} accepts replies up to {max} {unit}; this one is {len}. Cut {} to post it.",
            len - max
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// canned

/// Words per shingle: three-word runs catch a reused sentence but not shared stock phrases like
/// "thank you".
const SHINGLE: usize = 3;

/// Jaccard similarity of shingle sets at which two replies read as the same reply. Two fills of
/// one template that differ in a name and an aspect score about 0.6–0.7; independently written
/// replies to similar reviews stay under 0.3.
const CANNED_SIMILARITY: f64 = 0.55;

/// Drafts shorter than this many words are compared whole: "Thanks!" on a five-star review is
/// normal, but the very same short line pasted again and again is what "canned" means.
const CANNED_MIN_WORDS: usize = 8;

/// How many identical posts of a short reply make it canned.
const CANNED_SHORT_REPEATS: usize = 2;

/// The replies a business already posted, prepared once for many checks (the composer checks on
/// every keystroke; the shingles of hundreds of replies are built once).
#[derive(Debug, Clone, Default)]
pub struct PostedReplies {
    replies: Vec<Posted>,
}

#[derive(Debug, Clone)]
struct Posted {
    normalised: String,
    shingles: HashSet<u64>,
}

impl PostedReplies {
    pub fn new<S: AsRef<str>>(bodies: impl IntoIterator<Item = S>) -> PostedReplies {
        let replies = bodies
            .into_iter()
            .map(|b| {
                let words = plain_words(b.as_ref());
                Posted {
                    normalised: words.join(" "),
                    shingles: shingles(&words),
                }
            })
            .filter(|p| !p.normalised.is_empty())
            .collect();
        PostedReplies { replies }
    }

    pub fn len(&self) -> usize {
        self.replies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.replies.is_empty()
    }
}

fn plain_words(s: &str) -> Vec<String> {
    Text::new(s)
        .joined
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn shingles(words: &[String]) -> HashSet<u64> {
    use std::hash::{Hash, Hasher};
    words
        .windows(SHINGLE.min(words.len().max(1)))
        .map(|w| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            w.hash(&mut h);
            h.finish()
        })
        .collect()
}

/// |A ∩ B| / |A ∪ B| of two shingle sets.
fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn canned(text: &Text, posted: &PostedReplies) -> Option<Warning> {
    let words: Vec<String> = text.joined.split_whitespace().map(str::to_owned).collect();
    let similar = if words.len() < CANNED_MIN_WORDS {
        let normalised = words.join(" ");
        let same = posted
            .replies
            .iter()
            .filter(|p| p.normalised == normalised)
            .count();
        if same < CANNED_SHORT_REPEATS {
            return None;
        }
        same
    } else {
        let mine = shingles(&words);
        let n = posted
            .replies
            .iter()
            .filter(|p| jaccard(&mine, &p.shingles) >= CANNED_SIMILARITY)
            .count();
        if n == 0 {
            return None;
        }
        n
    };
    let times = if similar == 1 {
        "a reply you already posted".to_string()
    } else {
        format!("{similar} replies you already posted")
    };
    warn(
        WarningCode::Canned,
        format!(
            "This is nearly the same as {times}; customers and readers notice copy-paste. \
             Mention something specific from this review."
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// no_apology

/// Words that apologise for or acknowledge a bad experience.
const APOLOGY: &[&str] = &[
    "sorry",
    "apologi*",
    "apologe*",
    "regret*",
    "our fault",
    "my fault",
    "our mistake",
    "my mistake",
    "we messed up",
    "i messed up",
    "dropped the ball",
    "got it wrong",
    "fell short",
    "fall short",
    "unacceptable",
    "not acceptable",
    "shouldn't have happened",
    "should not have happened",
    "should never have happened",
    "not the experience",
    "not what we",
    "not up to",
    "below our standard*",
    "below the standard*",
    "frustrat*",
    "disappoint*",
    "we understand",
    "i understand",
    "completely understand",
    "can understand",
    "totally understand",
    "you're right",
    "you are right",
    "fair point",
    "thank you for letting us know",
    "thanks for letting us know",
    "thank you for letting me know",
    "thanks for letting me know",
    "thank you for telling us",
    "thank you for flagging",
    "thanks for flagging",
    "thank you for raising",
    "thanks for raising",
    "thank you for bringing",
    "thanks for bringing",
    "thank you for pointing",
    "thanks for pointing",
    "we hear you",
    "i hear you",
    "that's not okay",
    "that is not okay",
    "not ok",
    "inexcusable",
];

/// Words that turn an apology round when they stand just before it ("it was not our fault").
/// "can't" and "cannot" are left out: "I can't apologise enough" is an apology.
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "isn't", "wasn't", "aren't", "weren't", "don't", "didn't", "nothing",
];

fn no_apology(text: &Text) -> Option<Warning> {
    if APOLOGY.iter().any(|p| text.has_unnegated(p)) {
        return None;
    }
    warn(
        WarningCode::NoApology,
        "This answers a complaint without an apology or acknowledgement. A short \"I'm sorry we \
         got this wrong\" before any explanation shows the customer, and everyone reading, that \
         you heard them."
            .into(),
    )
}

// ---------------------------------------------------------------------------------------------
// defensive

/// Phrases that argue with or blame the customer. Each reads as a rebuttal in public whatever
/// the facts; the owner can state the facts without them.
const DEFENSIVE: &[&str] = &[
    "you should have",
    "you should've",
    "you shouldn't have",
    "you could have",
    "you could've",
    "you failed to",
    "you neglected to",
    "you refused to",
    "you chose to",
    "you didn't bother",
    "you did not bother",
    "if you had told",
    "if you had asked",
    "if you had read",
    "if you had checked",
    "if you had called",
    "if you had mentioned",
    "you were told",
    "you were informed",
    "as you were told",
    "you need to understand",
    "you must understand",
    "you have to understand",
    "you are wrong",
    "you're wrong",
    "you are mistaken",
    "you're mistaken",
    "that's not true",
    "that is not true",
    "that isn't true",
    "simply not true",
    "not what happened",
    "that never happened",
    "this never happened",
    "our policy clearly",
    "policy clearly",
    "clearly states",
    "clearly stated",
    "clearly posted",
    "clearly marked",
    "as stated",
    "as clearly",
    "per our policy",
    "it's not our fault",
    "it is not our fault",
    "not our fault",
    "not our problem",
    "we did nothing wrong",
    "nothing wrong on our part",
    "with all due respect",
    "frankly",
    "to be honest you",
    "lying",
    "liar",
    "fake review",
    "you people",
    "read the menu",
    "read the sign",
    "read the description",
    "calm down",
];

/// "Actually" corrects the reader; on praise it is harmless ("we actually roast in-house").
const DEFENSIVE_ON_COMPLAINT: &[&str] = &["actually", "in fact", "for the record"];

fn defensive(text: &Text, praise: bool) -> Option<Warning> {
    let mut found = text.find_all(DEFENSIVE);
    if !praise {
        found.extend(text.find_all(DEFENSIVE_ON_COMPLAINT));
    }
    if found.is_empty() {
        return None;
    }
    warn(
        WarningCode::Defensive,
        format!(
            "{} can read as arguing with or blaming the customer. Readers side with the \
             reviewer; say what you will do instead.",
            capitalise(&quote_list(&found))
        ),
    )
}

fn capitalise(s: &str) -> String {
    // The list starts with a quote mark; upper-case the first letter after it.
    let mut out = String::with_capacity(s.len());
    let mut done = false;
    for c in s.chars() {
        if !done && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            done = true;
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// shouting

/// Consecutive all-capital words that read as shouting. Two ("NOT OK") can be emphasis or an
/// acronym pair; three is a raised voice.
const CAPS_RUN: usize = 3;

/// Share of capital letters over which a whole reply reads as shouting.
const CAPS_SHARE: f64 = 0.6;

/// Letters a reply needs before the share above means anything ("OK" alone is not shouting).
const CAPS_MIN_LETTERS: usize = 12;

/// Repeated marks: "!!!" or "?!?" reads as shouting; a single "!" or a friendly "!!" does not.
const MARKS_RUN: usize = 3;

fn shouting(draft: &str) -> Option<Warning> {
    let mut reasons = Vec::new();
    if let Some(run) = caps_run(draft) {
        reasons.push(format!("\"{run}\" is in capitals"));
    } else {
        let letters: Vec<char> = draft.chars().filter(|c| c.is_alphabetic()).collect();
        let upper = letters.iter().filter(|c| c.is_uppercase()).count();
        if letters.len() >= CAPS_MIN_LETTERS && upper as f64 / letters.len() as f64 > CAPS_SHARE {
            reasons.push("most of it is in capitals".into());
        }
    }
    if let Some(marks) = marks_run(draft) {
        reasons.push(format!("\"{marks}\""));
    }
    if reasons.is_empty() {
        return None;
    }
    warn(
        WarningCode::Shouting,
        format!(
            "This reads as shouting ({}). Calm, ordinary sentences come across as more \
             confident.",
            reasons.join(", ")
        ),
    )
}

fn is_caps_word(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

fn caps_run(draft: &str) -> Option<String> {
    // Single letters ("I", "A") neither make nor break a run.
    let words: Vec<&str> = draft
        .split(|c: char| c.is_whitespace() || ",;:—–".contains(c))
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .collect();
    let mut start = 0;
    let mut len = 0;
    for (i, w) in words.iter().enumerate() {
        if is_caps_word(w) {
            if len == 0 {
                start = i;
            }
            len += 1;
            if len >= CAPS_RUN {
                // Report the whole run for the message.
                let end = words[i..].iter().take_while(|w| is_caps_word(w)).count() + i;
                return Some(
                    words[start..end]
                        .join(" ")
                        .trim_matches(|c: char| !c.is_alphanumeric())
                        .to_string(),
                );
            }
        } else {
            len = 0;
        }
    }
    None
}

fn marks_run(draft: &str) -> Option<String> {
    let mut run = String::new();
    for c in draft.chars() {
        if c == '!' || c == '?' {
            run.push(c);
            if run.contains('!') && run.chars().count() >= MARKS_RUN {
                // Keep scanning to the end of the run for an exact quote.
                continue;
            }
        } else {
            if run.contains('!') && run.chars().count() >= MARKS_RUN {
                return Some(run);
            }
            run.clear();
        }
    }
    (run.contains('!') && run.chars().count() >= MARKS_RUN).then_some(run)
}

// ---------------------------------------------------------------------------------------------
// personal_data

/// Words that, just before an e-mail or phone number, say it is the owner's channel being offered
/// ("email me at", "call us on", "contact our manager", "our number is").
const OWNER_CUES: &[&str] = &[
    "us", "me", "our", "my", "contact", "reach", "email", "e-mail", "mail", "call", "ring", "text",
    "phone", "write", "message", "dm", "directly", "manager", "owner", "team", "office",
];

/// "you at", "you on": the detail after it is the customer's ("we'll call you on …").
const YOU_LINKS: &[&str] = &["at", "on", "via"];

/// "your email", "her number": the detail after it is the customer's.
const DETAIL_NOUNS: &[&str] = &[
    "email", "e-mail", "mail", "address", "number", "phone", "mobile", "cell", "details", "contact",
];

/// Free-mail domains. An address on a business's own domain offered without a cue is almost always
/// the business's; one on a free-mail domain may be anyone's, so it needs a cue.
const FREEMAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "web.de",
    "yahoo.co.uk",
    "hotmail.co.uk",
    "btinternet.com",
    "mail.com",
];

/// How many words before a contact detail say whose it is.
const CUE_WINDOW: usize = 4;

/// Words that introduce an order, booking or account reference.
const ORDER_WORDS: &[&str] = &[
    "order",
    "booking",
    "reservation",
    "invoice",
    "receipt",
    "account",
    "ticket",
    "confirmation",
    "tracking",
    "ref",
    "reference",
    "case",
    "card",
];

/// Filler between an order word and its number ("order no. 123", "booking ref: AB12").
const ORDER_FILLER: &[&str] = &[
    "#",
    "no",
    "nr",
    "number",
    "num",
    "id",
    "ref",
    "reference",
    "code",
];

fn personal_data(
    text: &Text,
    review: Option<&ReviewContext<'_>>,
    owner_contacts: &[String],
) -> Option<Warning> {
    let review_text = review.map_or(String::new(), |r| r.body.to_lowercase());
    let review_digits: String = review_text.chars().filter(char::is_ascii_digit).collect();
    let owner_digits: Vec<String> = owner_contacts
        .iter()
        .map(|c| c.chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|d| d.len() >= 7)
        .collect();
    let owner_emails: Vec<String> = owner_contacts
        .iter()
        .filter(|c| c.contains('@'))
        .map(|c| c.trim().to_lowercase())
        .collect();
    let mut found: Vec<&'static str> = Vec::new();
    let words = &text.words;
    for (i, w) in words.iter().enumerate() {
        let before = &words[i.saturating_sub(CUE_WINDOW)..i];
        if is_email(w) {
            let email = w.trim_matches(|c: char| !c.is_alphanumeric());
            let mine = owner_emails.iter().any(|o| o == email);
            let owner_domain = !FREEMAIL.iter().any(|d| email.ends_with(&format!("@{d}")));
            let theirs = review_text.contains(email) || whose(before) == Whose::Customer;
            let offered = match whose(before) {
                Whose::Owner => true,
                Whose::Customer => false,
                Whose::Unknown => owner_domain,
            };
            if theirs || !(mine || offered) {
                push_once(&mut found, "an e-mail address");
            }
        } else if let Some(digits) = phone_digits(words, i) {
            let mine = owner_digits
                .iter()
                .any(|o| o.ends_with(&digits) || digits.ends_with(o));
            let theirs = review_digits.contains(&digits) || whose(before) == Whose::Customer;
            let order = before.iter().any(|b| {
                ORDER_WORDS.contains(&b.trim_end_matches(['.', ':']).trim_start_matches('#'))
            });
            if order {
                push_once(&mut found, "an order or booking number");
            } else if theirs || (!mine && whose(before) != Whose::Owner) {
                push_once(&mut found, "a phone number");
            }
        } else if is_order_ref(words, i) {
            push_once(&mut found, "an order or booking number");
        }
    }
    if found.is_empty() {
        return None;
    }
    warn(
        WarningCode::PersonalData,
        format!(
            "This reply shows {} of the customer in public. Keep their details out of the reply \
             and continue in a private message; your own contact address is fine to offer.",
            found.join(" and ")
        ),
    )
}

fn push_once(found: &mut Vec<&'static str>, what: &'static str) {
    if !found.contains(&what) {
        found.push(what);
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Whose {
    Owner,
    Customer,
    Unknown,
}

/// Whose contact detail follows these words. The nearest cue wins, so "we'll call you on" is the
/// customer's and "email us at" the owner's; a bare "you" ("so we can help you:") says nothing.
fn whose(before: &[String]) -> Whose {
    let clean = |w: &String| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
            .to_string()
    };
    let words: Vec<String> = before.iter().map(clean).collect();
    for k in (0..words.len()).rev() {
        let w = words[k].as_str();
        let next = words.get(k + 1).map(String::as_str);
        match w {
            "you" | "yours" if next.is_some_and(|n| YOU_LINKS.contains(&n)) => {
                return Whose::Customer
            }
            "your" | "his" | "her" | "their" | "customer's"
                if next.is_none_or(|n| DETAIL_NOUNS.contains(&n)) =>
            {
                return Whose::Customer
            }
            _ if OWNER_CUES.contains(&w) => return Whose::Owner,
            _ => {}
        }
    }
    Whose::Unknown
}

fn is_email(w: &str) -> bool {
    let Some((local, domain)) = w.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && local.chars().any(char::is_alphanumeric)
}

/// Digits in a phone number: at least this many, so years, prices and times never qualify.
const PHONE_MIN_DIGITS: usize = 7;
/// International numbers are at most 15 digits (E.164); longer runs are card or account numbers.
const PHONE_MAX_DIGITS: usize = 15;

/// The digits of a phone number starting at word `i`, joining the following number groups
/// ("555 123 4567", "(555) 123-4567", "+44 20 7946 0958").
fn phone_digits(words: &[String], i: usize) -> Option<String> {
    let numeric = |w: &str| {
        !w.is_empty()
            && w.chars().all(|c| c.is_ascii_digit() || "+-.()".contains(c))
            && w.chars().any(|c| c.is_ascii_digit())
    };
    if !numeric(&words[i]) || is_iso_date(&words[i]) {
        return None;
    }
    // Only the first group of a number starts one.
    if i > 0 && numeric(&words[i - 1]) {
        return None;
    }
    let digits: String = words[i..]
        .iter()
        .take_while(|w| numeric(w))
        .flat_map(|w| w.chars().filter(char::is_ascii_digit))
        .collect();
    (PHONE_MIN_DIGITS..=PHONE_MAX_DIGITS)
        .contains(&digits.len())
        .then_some(digits)
}

/// "2024-05-01": eight digits, but a date, not a phone number.
fn is_iso_date(w: &str) -> bool {
    let parts: Vec<&str> = w.split('-').collect();
    parts.len() == 3
        && [4, 2, 2] == [parts[0].len(), parts[1].len(), parts[2].len()]
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// A year ("in 2019"), which follows words like "account" without being a reference.
fn is_year(w: &str) -> bool {
    w.len() == 4 && w.parse::<u32>().is_ok_and(|y| (1900..=2100).contains(&y))
}

/// An order or booking reference at word `i`: "order #12345", "booking ref AB1234", "#88231".
fn is_order_ref(words: &[String], i: usize) -> bool {
    let has_digit = |w: &str| w.chars().filter(char::is_ascii_digit).count() >= 3;
    let w = words[i].as_str();
    // A bare "#12345" is an order number on almost every till and web shop.
    if let Some(rest) = w.strip_prefix('#') {
        return rest.len() >= 4
            && rest.chars().all(|c| c.is_ascii_alphanumeric())
            && has_digit(rest);
    }
    if !has_digit(w) || w.contains('@') || is_year(w) {
        return false;
    }
    // Walk back over filler to an order word.
    let mut j = i;
    let mut steps = 0;
    while j > 0 && steps < 3 {
        j -= 1;
        steps += 1;
        let prev = words[j].trim_matches(|c: char| !c.is_alphanumeric());
        if ORDER_WORDS.contains(&prev) {
            return true;
        }
        if !ORDER_FILLER.contains(&prev) && words[j] != "#" {
            return false;
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// no_offline_offer

/// Offers to continue in private: a named channel, or an invitation to talk.
const OFFLINE_OFFER: &[&str] = &[
    "contact*",
    "reach out",
    "reach us",
    "reach me",
    "get in touch",
    "email",
    "e-mail",
    "mail us",
    "mail me",
    "call",
    "give us a ring",
    "give me a ring",
    "phone us",
    "phone me",
    "dm",
    "dms",
    "direct message",
    "private message",
    "message us",
    "message me",
    "send us a message",
    "send me a message",
    "inbox",
    "speak with you",
    "speak to you",
    "talk with you",
    "talk to you",
    "chat with you",
    "hear from you",
    "ask for me",
    "ask for the manager",
    "drop us a line",
    "drop me a line",
    "write to us",
    "write to me",
    "make this right",
    "make it right",
    "make it up to you",
    "put this right",
    "put it right",
    "come back in and ask",
    "stop by and ask",
];

fn no_offline_offer(text: &Text) -> Option<Warning> {
    if text.find(OFFLINE_OFFER).is_some() || text.words.iter().any(|w| is_email(w)) {
        return None;
    }
    warn(
        WarningCode::NoOfflineOffer,
        "Offer to take this to a private channel (\"Please email me at …\" or \"call us on …\"): \
         the details get sorted out in private, and readers see that you follow up."
            .into(),
    )
}

// ---------------------------------------------------------------------------------------------
// promotional

/// Sales language: in answer to a complaint it reads as not listening.
const PROMOTIONAL: &[&str] = &[
    "promo code",
    "promo",
    "promotion",
    "coupon*",
    "discount code",
    "voucher code",
    "use code",
    "use the code",
    "check out our",
    "try our new",
    "our new menu",
    "our new range",
    "our new collection",
    "follow us",
    "like us on",
    "like our page",
    "subscribe",
    "sign up",
    "newsletter",
    "visit our website",
    "visit our site",
    "don't miss",
    "do not miss",
    "limited time",
    "special offer",
    "buy one get one",
    "bogo",
    "shop now",
    "book now",
    "order now",
    "link in bio",
    "happy hour",
];

fn promotional(text: &Text) -> Option<Warning> {
    let mut found = text.find_all(PROMOTIONAL);
    // "20% off" and "% off" in any form.
    if text
        .words
        .windows(2)
        .any(|w| w[0].ends_with('%') && w[1] == "off")
    {
        found.push("% off");
    }
    if found.is_empty() {
        return None;
    }
    warn(
        WarningCode::Promotional,
        format!(
            "{} reads as advertising in answer to a complaint. Leave offers out of the public \
             reply; if you want to make amends, do it privately.",
            capitalise(&quote_list(&found))
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// link

/// The links in a reply, as written (`https://…`, `http://…`, `www.…`), trailing punctuation off.
fn links(draft: &str) -> Vec<&str> {
    draft
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| "()[]<>\"'.,;:!?".contains(c)))
        .filter(|w| {
            let l = w.to_ascii_lowercase();
            l.starts_with("http://") || l.starts_with("https://") || l.starts_with("www.")
        })
        .collect()
}

/// A link's host, lower case, without `www.`.
fn link_host(link: &str) -> String {
    let l = link.to_ascii_lowercase();
    let rest = l.split_once("://").map_or(l.as_str(), |(_, r)| r);
    let host = rest.split(['/', '?', '#', ':']).next().unwrap_or("");
    host.strip_prefix("www.").unwrap_or(host).to_string()
}

/// A link in a public reply: where does it lead? A review (or an AI draft that followed one)
/// can slip in an address the owner never meant to send customers to (issue 33), and platforms
/// often hold replies with links back. Links to the owner's own domain (that of the contact
/// e-mail in the reply profile) are theirs and pass.
fn link(draft: &str, owner_contacts: &[String]) -> Option<Warning> {
    let own: Vec<String> = owner_contacts
        .iter()
        .filter_map(|c| c.trim().rsplit_once('@'))
        .map(|(_, domain)| domain.to_ascii_lowercase())
        .collect();
    let foreign: Vec<&str> = links(draft)
        .into_iter()
        .filter(|l| {
            let host = link_host(l);
            !own.iter()
                .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        })
        .collect();
    let first = foreign.first()?;
    warn(
        WarningCode::Link,
        format!(
            "The reply has a link ({first}). Check where it leads before you post: a link that \
             came from a review or an AI draft may send your customers anywhere, and some \
             platforms hold replies with links back."
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// ai_promise

/// Words that commit the business to something: money back, something free, a discount.
const PROMISES: &[&str] = &[
    "refund*",
    "money back",
    "reimburs*",
    "compensat*",
    // Not "free" alone: "feel free to call" is in half of all replies.
    "a free",
    "for free",
    "free of charge",
    "on the house",
    "no charge",
    "complimentary",
    "discount*",
    "voucher*",
    "gift card",
    "coupon*",
    "waive*",
    "replacement",
    "% off",
];

/// Words before a promise that take it back ("we cannot refund"): unlike an apology, "can't"
/// before a promise is a refusal.
const PROMISE_NEGATIONS: &[&str] = &[
    "not", "no", "never", "cannot", "can't", "won't", "unable", "don't", "didn't", "isn't",
];

/// The sentences of `text`, lower case with single spaces, for comparing an edited draft with
/// the AI's.
fn sentences(text: &str) -> Vec<String> {
    text.split(['.', '!', '?', '\n'])
        .map(|s| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// A promise the AI wrote and the owner did not: a [`PROMISES`] phrase in a sentence of the text
/// that is, word for word, a sentence of the AI draft the text started from. A sentence the
/// owner wrote or rewrote is theirs, and so are its promises. A review can ask the model for a
/// refund (issue 33), and a promise made in public is hard to take back.
fn ai_promise(draft: &str, ai: &str) -> Option<Warning> {
    let ai_sentences = sentences(ai);
    let mut found: Vec<&str> = Vec::new();
    for sentence in sentences(draft) {
        if !ai_sentences.contains(&sentence) {
            continue;
        }
        let words = Text::new(&sentence);
        let off = words
            .words
            .windows(2)
            .any(|w| w[0].ends_with('%') && w[1] == "off");
        for p in PROMISES {
            let promised = match *p {
                "% off" => off,
                p => words.has_unnegated_by(p, PROMISE_NEGATIONS),
            };
            if promised && !found.contains(p) {
                found.push(p);
            }
        }
    }
    if found.is_empty() {
        return None;
    }
    warn(
        WarningCode::AiPromise,
        format!(
            "The AI draft promises {} and you did not write that yourself. Make sure you mean to \
             offer it in public, or take it out.",
            quote_list(&found)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use WarningCode::*;

    fn one_star<'a>(body: &'a str) -> ReviewContext<'a> {
        ReviewContext {
            rating: Some(1.0),
            sentiment: Some(SentimentLabel::Negative),
            body,
            author: Some("Dana K."),
        }
    }

    fn five_star<'a>(body: &'a str) -> ReviewContext<'a> {
        ReviewContext {
            rating: Some(5.0),
            sentiment: Some(SentimentLabel::Positive),
            body,
            author: Some("Sam"),
        }
    }

    const COMPLAINT: &str = "Waited 40 minutes for a flat white and the barista was rude when I \
                             asked. My order #48213 was wrong too. Call me on 503-555-0147.";
    const PRAISE: &str = "Best croissants in town and the staff are lovely. Will be back!";

    fn codes(draft: &str, ctx: &CheckContext<'_>) -> Vec<WarningCode> {
        check(draft, ctx).into_iter().map(|w| w.code).collect()
    }

    /// (what the case shows, review, draft, the codes expected — exactly).
    type Case = (
        &'static str,
        Option<ReviewContext<'static>>,
        &'static str,
        &'static [WarningCode],
    );

    fn cases() -> Vec<Case> {
        vec![
            // Good replies: no warning at all.
            (
                "a warm, specific reply to praise",
                Some(five_star(PRAISE)),
                "Thank you, Sam! The croissants are Maria's pride, so I'll pass this on. See you \
                 soon. — Joe",
                &[],
            ),
            (
                "a model reply to a complaint",
                Some(one_star(COMPLAINT)),
                "Dana, I'm so sorry about the wait and the way you were spoken to; that's not \
                 how we treat people. I'd like to make it right: please email me at \
                 joe@joescafe.com and I'll sort out your order personally. — Joe, owner",
                &[],
            ),
            (
                "an owner offering their own gmail address with a cue",
                Some(one_star(COMPLAINT)),
                "I apologise, Dana. Please reach me at joescafe.pdx@gmail.com so I can fix this.",
                &[],
            ),
            (
                "an owner offering the shop's phone number",
                Some(one_star(COMPLAINT)),
                "We're sorry we let you down. Please call us on (503) 555-0199 and ask for Joe.",
                &[],
            ),
            (
                "praise answered with a friendly double exclamation and an acronym",
                Some(five_star(PRAISE)),
                "Thanks so much!! Our BBQ nights are back in June, hope to see you there.",
                &[],
            ),
            (
                "\"actually\" on praise is just conversation",
                Some(five_star(PRAISE)),
                "We actually bake them at 5am every day — thank you for noticing, Sam!",
                &[],
            ),
            (
                "dates and years are not phone or order numbers",
                Some(one_star(COMPLAINT)),
                "Sorry, Dana. Since 2019 we have never had a wait like the one on 2024-05-01; \
                 please contact me so I can hear more.",
                &[],
            ),
            // no_apology / no_offline_offer
            (
                "a complaint answered with an explanation only",
                Some(one_star(COMPLAINT)),
                "Saturday mornings are our busiest time and we had two baristas in that day.",
                &[NoApology, NoOfflineOffer],
            ),
            (
                "a complaint answered with \"not our fault\": a denial, not an apology",
                Some(one_star(COMPLAINT)),
                "That was not our fault, the order said no milk.",
                &[NoApology, Defensive, NoOfflineOffer],
            ),
            (
                "a complaint answered with an apology that cannot be big enough",
                Some(one_star(COMPLAINT)),
                "Dana, I can't apologise enough for the wait. Please email me at joe@joescafe.com.",
                &[],
            ),
            (
                "a complaint answered with an apology but nowhere to continue",
                Some(one_star(COMPLAINT)),
                "Dana, I'm sorry about the wait. We have added a third barista on weekends.",
                &[NoOfflineOffer],
            ),
            // defensive
            (
                "blaming the customer",
                Some(one_star(COMPLAINT)),
                "Sorry you feel that way, but you should have told the barista at the time. Our \
                 policy clearly states remakes are at the counter. Contact us if needed.",
                &[Defensive],
            ),
            (
                "calling the review untrue",
                Some(one_star(COMPLAINT)),
                "That's not true. We were fully staffed and nobody was rude. Actually you left \
                 before your drink was ready. Email us.",
                &[NoApology, Defensive],
            ),
            // shouting
            (
                "a run of capitals and a wall of exclamation marks",
                Some(one_star(COMPLAINT)),
                "We are SORRY but WE DO NOT ACCEPT abuse of our staff!!! Please contact us.",
                &[Shouting],
            ),
            (
                "a reply written entirely in capitals",
                Some(five_star(PRAISE)),
                "THANK YOU SO MUCH, COME BACK SOON",
                &[Shouting],
            ),
            // personal_data
            (
                "repeating the customer's phone number from the review",
                Some(one_star(COMPLAINT)),
                "Sorry Dana, we'll call you on 503-555-0147 today.",
                &[PersonalData],
            ),
            (
                "quoting the customer's order number",
                Some(one_star(COMPLAINT)),
                "Sorry Dana — I checked order #48213 and it was made wrong. Please email us.",
                &[PersonalData],
            ),
            (
                "naming the customer's e-mail address",
                Some(one_star("Never got my refund. dana.k@gmail.com")),
                "We're sorry. We sent the refund to your email dana.k@gmail.com yesterday; do \
                 get in touch if it hasn't arrived.",
                &[PersonalData],
            ),
            (
                "an order reference with filler words",
                Some(one_star(COMPLAINT)),
                "Apologies! Your booking ref no. AB4471 has been refunded. Reach out any time.",
                &[PersonalData],
            ),
            // promotional
            (
                "a discount code in answer to a complaint",
                Some(one_star(COMPLAINT)),
                "So sorry, Dana. Use code SORRY20 for 20% off next time, and follow us on \
                 Instagram for news! Contact me if anything else comes up.",
                &[Promotional],
            ),
            (
                "advertising a new menu in answer to a complaint",
                Some(one_star(COMPLAINT)),
                "Sorry to hear this. Check out our new autumn menu — email us anytime.",
                &[Promotional],
            ),
            (
                "promotion on praise is not flagged",
                Some(five_star(PRAISE)),
                "Thank you Sam! Check out our new autumn menu next time you're in.",
                &[],
            ),
        ]
    }

    #[test]
    fn every_case_gets_exactly_its_warnings() {
        let mut failures = Vec::new();
        for (what, review, draft, expected) in cases() {
            let ctx = CheckContext {
                platform: "google",
                review,
                ..Default::default()
            };
            let got = codes(draft, &ctx);
            if got != expected {
                failures.push(format!(
                    "{what}: expected {expected:?}, got {got:?}\n  {:#?}",
                    check(draft, &ctx)
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn links_are_pointed_out_unless_they_are_the_owners_own() {
        // Issue 33: the coach said nothing about a link in a reply.
        let ctx = CheckContext {
            platform: "google",
            ..Default::default()
        };
        let w = check(
            "Thanks for the feedback! Details at https://evil.example/claim?x=1.",
            &ctx,
        );
        assert_eq!(w.iter().map(|w| w.code).collect::<Vec<_>>(), [Link]);
        assert!(w[0].message.contains("https://evil.example/claim?x=1"));
        assert!(codes("See www.Evil.example for more", &ctx).contains(&Link));
        assert!(!codes("Thanks, we loved having you", &ctx).contains(&Link));
        let contacts = ["hello@joescafe.com".to_string()];
        let own = CheckContext {
            owner_contacts: &contacts,
            ..ctx.clone()
        };
        assert!(!codes("Our menu: https://www.joescafe.com/menu", &own).contains(&Link));
        assert!(!codes("Our menu: https://order.joescafe.com", &own).contains(&Link));
        assert!(codes("Our menu: https://joescafe.com.evil.example", &own).contains(&Link));
    }

    #[test]
    fn promises_the_ai_wrote_are_pointed_out_and_the_owners_own_are_not() {
        let review = one_star("Cold food and rude staff. I want my money back.");
        let ai = "I'm so sorry about your visit. We will refund your meal in full. Your next \
                  coffee is on the house! Please email me at joe@joescafe.com.";
        let ctx = CheckContext {
            platform: "google",
            review: Some(review.clone()),
            ai_draft: Some(ai),
            ..Default::default()
        };
        // Posted as the AI wrote it: both promises are pointed out.
        let w = check(ai, &ctx);
        let promise = w.iter().find(|w| w.code == AiPromise).expect("ai_promise");
        assert!(
            promise.message.contains("\"refund\""),
            "{}",
            promise.message
        );
        assert!(
            promise.message.contains("\"on the house\""),
            "{}",
            promise.message
        );
        // The owner took the refund out: only what is left is mentioned.
        let edited = "I'm so sorry about your visit. Your next coffee is on the house. Please \
                      email me at joe@joescafe.com.";
        assert!(edited.contains("Your next coffee is on the house"));
        let w = check(edited, &ctx);
        let promise = w.iter().find(|w| w.code == AiPromise).expect("ai_promise");
        assert!(!promise.message.contains("refund"), "{}", promise.message);
        // A promise the owner typed themselves is theirs to make.
        let own = "I'm so sorry about your visit. We will refund half of your meal. Please email \
                   me at joe@joescafe.com.";
        assert!(!codes(own, &ctx).contains(&AiPromise));
        // And without an AI draft, nothing is an AI promise.
        let typed = CheckContext {
            ai_draft: None,
            ..ctx.clone()
        };
        assert!(!codes(ai, &typed).contains(&AiPromise));
        // "No refund" is not a promise.
        let no = "I'm sorry, we cannot refund it, but please email me at joe@joescafe.com.";
        let ctx_no = CheckContext {
            ai_draft: Some(no),
            ..ctx.clone()
        };
        assert!(!codes(no, &ctx_no).contains(&AiPromise));
    }

    #[test]
    fn codes_serialise_as_stable_snake_case_names() {
        for (code, name) in [
            (TooLong, "too_long"),
            (Canned, "canned"),
            (NoApology, "no_apology"),
            (Defensive, "defensive"),
            (Shouting, "shouting"),
            (PersonalData, "personal_data"),
            (NoOfflineOffer, "no_offline_offer"),
            (Promotional, "promotional"),
            (Link, "link"),
            (AiPromise, "ai_promise"),
        ] {
            assert_eq!(code.as_str(), name);
            assert_eq!(serde_json::to_value(code).unwrap(), name);
        }
    }

    #[test]
    fn each_platform_measures_length_its_own_way() {
        // 4096 bytes on Google: 1 400 three-byte characters are over though far under 4096 chars.
        let euro = "€".repeat(1_400);
        assert_eq!(measure(&euro, reply_limit("google")), 4_200);
        assert!(codes(
            &euro,
            &CheckContext {
                platform: "google",
                ..Default::default()
            }
        )
        .contains(&TooLong));
        // X: a link is 23 whatever its length, CJK counts double.
        assert_eq!(
            x_weighted_len("hi https://example.com/a/very/long/path/indeed"),
            3 + 23
        );
        assert_eq!(x_weighted_len("ありがとう"), 10);
        let tweet = format!("{} https://joescafe.com/menu", "a".repeat(256));
        assert_eq!(x_weighted_len(&tweet), 280);
        // Unknown platforms get the default limit.
        assert_eq!(reply_limit("myspace"), DEFAULT_LIMIT);
    }

    #[test]
    fn a_template_reused_with_another_name_reads_as_canned() {
        let posted = PostedReplies::new([
            "Hi Jo, thank you so much for the kind words about our coffee! We're so glad you \
             enjoyed your visit and we hope to see you again soon. Joe",
            "Thanks Kim, we love hearing that the pastries hit the spot.",
        ]);
        let ctx = CheckContext {
            platform: "google",
            review: Some(five_star(PRAISE)),
            posted: Some(&posted),
            ..Default::default()
        };
        let draft = "Hi Sam, thank you so much for the kind words about our croissants! We're so \
                     glad you enjoyed your visit and we hope to see you again soon. Joe";
        let w = check(draft, &ctx);
        assert_eq!(w.iter().map(|w| w.code).collect::<Vec<_>>(), [Canned]);
        assert!(w[0].message.contains("a reply you already posted"));
        // A reply written for this review is not.
        let fresh = "Sam, you made Maria's morning — the croissants are her grandmother's \
                     recipe. Come say hi at the counter next time!";
        assert!(check(fresh, &ctx).is_empty());
    }

    #[test]
    fn a_short_line_is_canned_only_once_it_has_been_pasted_repeatedly() {
        let once = PostedReplies::new(["Thank you for your review!"]);
        let twice = PostedReplies::new(["Thank you for your review!", "thank you for your review"]);
        let draft = "Thank you for your review!";
        let ctx = |posted| CheckContext {
            platform: "google",
            review: Some(five_star(PRAISE)),
            posted: Some(posted),
            ..Default::default()
        };
        assert!(check(draft, &ctx(&once)).is_empty());
        let w = check(draft, &ctx(&twice));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code, Canned);
        assert!(w[0].message.contains("2 replies"));
    }

    #[test]
    fn messages_quote_the_words_that_triggered_them() {
        let ctx = CheckContext {
            platform: "google",
            review: Some(one_star(COMPLAINT)),
            ..Default::default()
        };
        let w = check("Sorry, but you should have asked. Please contact us.", &ctx);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].message.starts_with("\"You should have\""),
            "{}",
            w[0].message
        );
        let w = check("SO SORRY WE MESSED UP. Email me.", &ctx);
        assert!(
            w[0].message.contains("\"SO SORRY WE MESSED UP\""),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn an_owner_contact_from_the_profile_is_never_personal_data() {
        let contacts = vec![
            "hello@joescafe.com".to_string(),
            "+1 503 555 0199".to_string(),
        ];
        let ctx = CheckContext {
            platform: "google",
            review: Some(one_star(COMPLAINT)),
            owner_contacts: &contacts,
            ..Default::default()
        };
        // No cue words at all, but both details are the owner's own.
        let draft = "So sorry, Dana. hello@joescafe.com or 503-555-0199 reaches me directly.";
        assert!(check(draft, &ctx).is_empty(), "{:?}", check(draft, &ctx));
    }

    #[test]
    fn an_empty_draft_has_no_warnings() {
        let ctx = CheckContext {
            platform: "google",
            review: Some(one_star(COMPLAINT)),
            ..Default::default()
        };
        assert!(check("   ", &ctx).is_empty());
    }

    #[test]
    fn without_a_review_only_review_free_checks_run() {
        let ctx = CheckContext {
            platform: "google",
            ..Default::default()
        };
        // No apology, no offer — but there is no review to say it is a complaint.
        assert!(check("We had two baristas in that day.", &ctx).is_empty());
        assert_eq!(
            codes("You should have asked!!!", &ctx),
            [Defensive, Shouting]
        );
    }

    #[test]
    fn a_three_star_review_counts_as_a_complaint_only_when_it_reads_negative() {
        let mut r = one_star("Fine coffee, awful wait.");
        r.rating = Some(3.0);
        assert!(r.is_complaint());
        r.sentiment = Some(SentimentLabel::Neutral);
        assert!(!r.is_complaint());
        r.rating = None;
        r.sentiment = Some(SentimentLabel::Negative);
        assert!(r.is_complaint());
    }
}
