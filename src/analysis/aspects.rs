//! Aspects: what customers talk about (service, staff, wait time, price, coffee…), each mention
//! with the sentiment of the clause it stands in.
//!
//! A built-in lexicon per business category names the aspects and the words that evoke them; the
//! general aspects apply to every business. Scoring per clause rather than per review is what
//! makes "great coffee, rude staff" count positive for coffee and negative for staff: the text is
//! cut at sentence ends and at contrast or list joints (",", ";", "but", "although"…), and each
//! clause is scored on its own. Pure functions: text in, aspects out.
//!
//! The lexicons below are English; the same aspects' words in Spanish, French, German, Italian
//! and Portuguese live in [`super::aspect_languages`], and a text is matched against the
//! lexicons of its own language only. Words are compared folded (lower case, no accents:
//! [`super::topics::fold`]), so "Atención" and "atencion" are one word.

use std::borrow::Cow;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::{aspect_languages, sentiment};

/// One aspect found in a text, with the mean sentiment of the clauses that mention it.
#[derive(Debug, Clone, PartialEq)]
pub struct AspectMention {
    pub aspect: &'static str,
    pub sentiment: f64,
}

/// (aspect, terms). A term ending in `*` matches any word it starts; a term with a space matches
/// two consecutive words.
pub(super) type Lexicon = &'static [(&'static str, &'static [&'static str])];

const GENERAL: Lexicon = &[
    (
        "service",
        &[
            "service",
            "served",
            "serving",
            "server*",
            "customer service",
        ],
    ),
    (
        "staff",
        &[
            "staff",
            "barista*",
            "waiter*",
            "waitress*",
            "employee*",
            "team",
            "manager*",
            "owner*",
            "cashier*",
            "receptionist*",
            "rude",
            "friendly",
        ],
    ),
    (
        "wait time",
        &[
            "wait*",
            "queue*",
            "slow",
            "forever",
            "took ages",
            "long time",
            "minutes",
        ],
    ),
    (
        "price",
        &[
            "price*",
            "pricey",
            "expensive",
            "overpriced",
            "cheap",
            "value",
            "cost*",
            "afford*",
            "worth",
        ],
    ),
    (
        "cleanliness",
        &[
            "clean*",
            "dirty",
            "filthy",
            "sticky",
            "spotless",
            "hygiene",
            "toilet*",
            "bathroom*",
            "smell*",
        ],
    ),
    (
        "quality",
        &[
            "quality",
            "fresh",
            "stale",
            "taste*",
            "tasty",
            "delicious",
            "bland",
        ],
    ),
    (
        "atmosphere",
        &[
            "atmosphere",
            "vibe*",
            "cosy",
            "cozy",
            "music",
            "noisy",
            "noise",
            "loud",
            "decor",
            "view",
            "seating",
            "crowded",
        ],
    ),
    (
        "location",
        &[
            "location",
            "located",
            "parking",
            "park",
            "area",
            "neighbourhood",
            "neighborhood",
        ],
    ),
    (
        "booking",
        &["booking*", "book", "booked", "reservation*", "appointment*"],
    ),
    (
        "delivery",
        &[
            "deliver*",
            "courier",
            "shipping",
            "shipped",
            "arrived late",
            "tracking",
        ],
    ),
    (
        "order accuracy",
        &[
            "wrong order",
            "order wrong",
            "got my order",
            "missing item*",
            "forgot",
        ],
    ),
];

const CAFE: Lexicon = &[
    (
        "coffee",
        &[
            "coffee*",
            "latte*",
            "espresso*",
            "cappuccino*",
            "flat white",
            "americano*",
            "brew*",
            "tea",
            "oat milk",
        ],
    ),
    (
        "food",
        &[
            "food",
            "pastr*",
            "croissant*",
            "bun*",
            "cake*",
            "sandwich*",
            "toast",
            "breakfast",
            "brunch",
            "lunch",
            "muffin*",
            "scone*",
            "bagel*",
        ],
    ),
    (
        "wifi",
        &["wifi", "wi-fi", "internet", "laptop*", "work remotely"],
    ),
];

const RESTAURANT: Lexicon = &[
    (
        "food",
        &[
            "food", "dish*", "meal*", "menu", "portion*", "starter*", "dessert*", "steak*",
            "pizza*", "pasta", "burger*", "taco*", "fries", "salad*",
        ],
    ),
    ("drinks", &["drink*", "wine*", "beer*", "cocktail*", "bar"]),
];

const HOTEL: Lexicon = &[
    (
        "room",
        &[
            "room*",
            "bed*",
            "pillow*",
            "shower*",
            "aircon",
            "air conditioning",
            "towel*",
            "balcony",
        ],
    ),
    ("breakfast", &["breakfast", "buffet"]),
    (
        "check-in",
        &[
            "check in",
            "check-in",
            "checkin",
            "check out",
            "check-out",
            "reception",
            "front desk",
        ],
    ),
    ("noise", &["noise", "noisy", "thin walls", "street noise"]),
];

const APP: Lexicon = &[
    (
        "stability",
        &["crash*", "bug*", "freez*", "glitch*", "broken", "error*"],
    ),
    (
        "usability",
        &[
            "interface",
            "ui",
            "design",
            "confusing",
            "easy to use",
            "intuitive",
            "navigation",
        ],
    ),
    (
        "account",
        &["login", "log in", "sign in", "password", "account*"],
    ),
    ("ads", &["ad", "ads", "advert*", "subscription*", "paywall"]),
    (
        "performance",
        &["battery", "lag*", "loading", "performance"],
    ),
];

const RETAIL: Lexicon = &[
    (
        "product",
        &[
            "product*",
            "item*",
            "stock",
            "selection",
            "range",
            "size*",
            "fit",
        ],
    ),
    ("returns", &["return*", "refund*", "exchange*", "receipt"]),
    ("checkout", &["checkout", "till", "payment", "card"]),
];

/// The English lexicons that apply to a category; unknown or missing categories get the
/// general one.
fn lexicons(category: Option<&str>) -> Vec<Lexicon> {
    english_lexicons(category_key(category))
}

fn english_lexicons(key: &str) -> Vec<Lexicon> {
    let specific: Option<Lexicon> = match key {
        "cafe" => Some(CAFE),
        "restaurant" => Some(RESTAURANT),
        "hotel" => Some(HOTEL),
        "app" => Some(APP),
        "retail" => Some(RETAIL),
        _ => None,
    };
    let mut out = vec![GENERAL];
    out.extend(specific);
    out
}

/// The lexicon family of a business category (free text the owner typed).
fn category_key(category: Option<&str>) -> &'static str {
    match category.map(str::to_ascii_lowercase).as_deref() {
        Some("cafe" | "café" | "coffee" | "bakery") => "cafe",
        Some("restaurant" | "bar" | "pub" | "takeaway") => "restaurant",
        Some("hotel" | "b&b" | "hostel" | "guesthouse") => "hotel",
        Some("app" | "software" | "game") => "app",
        Some("retail" | "shop" | "store" | "ecommerce") => "retail",
        _ => "general",
    }
}

/// The matcher built from one lexicon combination, built once per category.
struct Matcher {
    /// What a whole word evokes, alone or with the word after it: one lookup a word. FxHash, as
    /// the sentiment model's table: every word of every clause of an import is looked up here,
    /// and SipHash made that 1.6% of the import's instructions. The keys are the lexicons'
    /// constants, so no text chooses what collides.
    words: FxHashMap<&'static str, WordTerms>,
    /// (prefix, aspect) by the prefix's first byte: a word is tried against the few prefixes
    /// that start like it, not all fifty.
    prefixes: Vec<Vec<(&'static str, &'static str)>>,
}

/// The lexicon's terms that start with one word.
#[derive(Default)]
struct WordTerms {
    /// Aspects of the word alone ("coffee").
    aspects: Vec<&'static str>,
    /// The second word of a pair ("wait time") and the pair's aspects.
    pairs: Vec<(&'static str, Vec<&'static str>)>,
}

impl Matcher {
    fn new(lexicons: &[Lexicon]) -> Matcher {
        let mut m = Matcher {
            words: FxHashMap::default(),
            prefixes: vec![Vec::new(); 256],
        };
        for lex in lexicons {
            for (aspect, terms) in lex.iter() {
                for term in terms.iter() {
                    if let Some((a, b)) = term.split_once(' ') {
                        let pairs = &mut m.words.entry(a).or_default().pairs;
                        match pairs.iter_mut().find(|(second, _)| *second == b) {
                            Some((_, aspects)) => aspects.push(aspect),
                            None => pairs.push((b, vec![aspect])),
                        }
                    } else if let Some(p) = term.strip_suffix('*') {
                        let first = p.as_bytes().first().copied().unwrap_or(0);
                        m.prefixes[usize::from(first)].push((p, aspect));
                    } else {
                        m.words.entry(term).or_default().aspects.push(aspect);
                    }
                }
            }
        }
        m
    }

    /// Aspects evoked by a run of lower-case words, in no particular order.
    fn aspects(&self, words: &[Cow<'_, str>], out: &mut Vec<&'static str>) {
        for (i, w) in words.iter().enumerate() {
            if let Some(terms) = self.words.get(w.as_ref()) {
                out.extend(&terms.aspects);
                if let Some(next) = words.get(i + 1) {
                    for (second, aspects) in &terms.pairs {
                        if *second == next.as_ref() {
                            out.extend(aspects);
                        }
                    }
                }
            }
            let first = w.as_bytes().first().copied().unwrap_or(0);
            for (p, a) in &self.prefixes[usize::from(first)] {
                if w.starts_with(p) {
                    out.push(a);
                }
            }
        }
    }
}

const CATEGORIES: [&str; 6] = ["general", "cafe", "restaurant", "hotel", "app", "retail"];

/// One matcher per (category, language): English and the languages of
/// [`aspect_languages::LANGUAGES`].
static MATCHERS: LazyLock<FxHashMap<(&'static str, &'static str), Matcher>> = LazyLock::new(|| {
    let mut m = FxHashMap::default();
    for c in CATEGORIES {
        m.insert((c, "en"), Matcher::new(&english_lexicons(c)));
        for l in aspect_languages::LANGUAGES {
            m.insert((c, *l), Matcher::new(&aspect_languages::lexicons(l, c)));
        }
    }
    m
});

/// The matcher for a category in a language; `None` for a language without lexicons.
fn matcher_in(category: Option<&str>, language: &str) -> Option<&'static Matcher> {
    // The map's keys are 'static: the language is looked up as one of them first.
    let language: &'static str = match language {
        "en" => "en",
        other => aspect_languages::LANGUAGES
            .iter()
            .find(|l| **l == other)
            .copied()?,
    };
    MATCHERS.get(&(category_key(category), language))
}

fn matcher(category: Option<&str>) -> &'static Matcher {
    &MATCHERS[&(category_key(category), "en")]
}

/// Words that join two clauses whose sentiment may differ, in English and the other languages
/// the aspects are found in ("pero", "mais", "aber", "ma", "mas"…). Only ASCII words: the cut
/// looks at ASCII letters (a joint with an accent, such as "però", is missed, which only merges
/// two clauses).
const CLAUSE_JOINTS: &[&str] = &[
    "but",
    "although",
    "though",
    "however",
    "whereas",
    "while",
    "yet",
    "pero",
    "aunque",
    "sino",
    "mais",
    "cependant",
    "pourtant",
    "aber",
    "jedoch",
    "doch",
    "sondern",
    "obwohl",
    "ma",
    "tuttavia",
    "mas",
    "embora",
    "contudo",
];

/// For each word length, the first letters of the `CLAUSE_JOINTS` of that length (bit 0: 'a').
/// Every word of a text is checked for a joint, and comparing it with each of the joints was
/// two thirds of `clauses`, 3% of an import's instructions; a word whose length and first
/// letter no joint has (most words) is none, without comparing.
const JOINT_SHAPES: [u32; 16] = {
    let mut shapes = [0u32; 16];
    let mut i = 0;
    while i < CLAUSE_JOINTS.len() {
        let joint = CLAUSE_JOINTS[i].as_bytes();
        assert!(joint.len() < 16 && joint[0].is_ascii_lowercase());
        shapes[joint.len()] |= 1 << (joint[0] - b'a');
        i += 1;
    }
    shapes
};

/// Whether an ASCII word (letters only) is one of `CLAUSE_JOINTS`, in any case.
fn is_clause_joint(word: &str) -> bool {
    let Some(first) = word.bytes().next() else {
        return false;
    };
    let letter = first.to_ascii_lowercase().wrapping_sub(b'a');
    word.len() < JOINT_SHAPES.len()
        && letter < 26
        && JOINT_SHAPES[word.len()] & (1 << letter) != 0
        && CLAUSE_JOINTS.iter().any(|j| j.eq_ignore_ascii_case(word))
}

/// Cuts text into clauses: at sentence ends, commas, semicolons, dashes and contrast words.
pub fn clauses(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let cut_here = matches!(c, b'.' | b'!' | b'?' | b',' | b';' | b'\n' | b':');
        if cut_here {
            push_clause(&text[start..i], &mut out);
            start = i + 1;
        } else if c.is_ascii_alphabetic() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let end = bytes[i..]
                .iter()
                .position(|b| !b.is_ascii_alphabetic())
                .map_or(bytes.len(), |p| i + p);
            let word = &text[i..end];
            if is_clause_joint(word) {
                push_clause(&text[start..i], &mut out);
                start = i;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    push_clause(&text[start.min(text.len())..], &mut out);
    out
}

fn push_clause<'a>(s: &'a str, out: &mut Vec<&'a str>) {
    let t = s.trim();
    if t.chars().any(char::is_alphanumeric) {
        out.push(t);
    }
}

/// The clause's words, folded (lower case, no accents). An apostrophe cuts a word, so French
/// and Italian elisions ("l'attente", "dell'hotel") leave the noun whole.
fn words(clause: &str) -> impl Iterator<Item = Cow<'_, str>> {
    clause
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        // Most words are lower case ASCII already: only the others are copied.
        .map(|w| {
            if w.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
                Cow::Owned(super::topics::fold(w))
            } else {
                Cow::Borrowed(w)
            }
        })
}

/// The sentiment of one clause of a text in `language`, where `whole` is the whole text's
/// score. English clauses are scored on their own; in another language the clause takes the
/// whole text's score, or neutral when the text has none: the sentiment model scores a whole
/// text in its language, not a few words of it. This is the one place a clause is scored, so a
/// model that scores clauses in more languages changes only this function.
pub fn clause_sentiment(clause: &str, language: Option<&str>, whole: Option<f64>) -> f64 {
    match language {
        None | Some("en") => sentiment::score(clause),
        Some(_) => whole.unwrap_or(0.0),
    }
}

/// Whether aspects are found in text of `language` (`None`: too short to tell, read as English).
pub fn has_lexicons(language: Option<&str>) -> bool {
    language.is_none_or(|l| l == "en" || aspect_languages::LANGUAGES.contains(&l))
}

/// Whether `name` is one of the built-in aspects of any category (case and accents aside).
pub fn is_built_in(name: &str) -> bool {
    let folded = super::topics::fold(name.trim());
    CATEGORIES
        .iter()
        .flat_map(|c| english_lexicons(c))
        .any(|l| l.iter().any(|(a, _)| *a == folded))
}

/// The aspects an English text talks about, each with the mean sentiment of its clauses.
///
/// The caller decides the language, once for the whole text (see `review::analyse`, which
/// calls [`aspects_in_language`]). Asking again for every clause made the language detector
/// run several times a review, and dropped an English clause now and then that the detector,
/// on a few words, took for another language.
pub fn aspects_in(text: &str, category: Option<&str>) -> Vec<AspectMention> {
    aspects_with(matcher(category), text, sentiment::score)
}

/// The aspects a text in `language` talks about (`None`: too short to tell, read as English),
/// each with the mean [`clause_sentiment`] of its clauses; `whole` is the text's own score.
/// Nothing for a language without lexicons.
pub fn aspects_in_language(
    text: &str,
    category: Option<&str>,
    language: Option<&str>,
    whole: Option<f64>,
) -> Vec<AspectMention> {
    match matcher_in(category, language.unwrap_or("en")) {
        Some(m) => aspects_with(m, text, |clause| clause_sentiment(clause, language, whole)),
        None => Vec::new(),
    }
}

fn aspects_with(m: &Matcher, text: &str, score_clause: impl Fn(&str) -> f64) -> Vec<AspectMention> {
    let mut acc: Vec<(&'static str, f64, u32)> = Vec::new();
    let mut found = Vec::new();
    // One buffer for every clause's words, not one allocation a clause.
    let mut clause_words = Vec::new();
    for clause in clauses(text) {
        found.clear();
        clause_words.clear();
        clause_words.extend(words(clause));
        m.aspects(&clause_words, &mut found);
        if found.is_empty() {
            continue;
        }
        let score = score_clause(clause);
        found.sort_unstable();
        found.dedup();
        for a in &found {
            match acc.iter_mut().find(|(x, _, _)| x == a) {
                Some(e) => {
                    e.1 += score;
                    e.2 += 1;
                }
                None => acc.push((a, score, 1)),
            }
        }
    }
    acc.into_iter()
        .map(|(aspect, sum, n)| AspectMention {
            aspect,
            sentiment: sum / f64::from(n),
        })
        .collect()
}

/// −1, 0 or 1 for a sentiment score, with the sentiment model's own thresholds.
pub fn polarity(score: f64) -> i8 {
    match sentiment::label_for(score) {
        crate::model::SentimentLabel::Negative => -1,
        crate::model::SentimentLabel::Neutral => 0,
        crate::model::SentimentLabel::Positive => 1,
    }
}

/// Mentions as the store keeps them in a review's row (`reviews.aspects`, migration 0007): a JSON
/// object from aspect to `[sentiment, polarity]`, `None` for none. Written with the rest of the
/// analysis, so an import's single writer only binds it.
pub fn to_json(mentions: &[AspectMention]) -> Option<String> {
    if mentions.is_empty() {
        return None;
    }
    let mut json = String::with_capacity(24 * mentions.len() + 2);
    json.push('{');
    for (i, m) in mentions.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        push_json_key(&mut json, m.aspect);
        // The shortest decimal that reads back as the same f64: the rollup triggers subtract
        // exactly what the write path added.
        let sentiment = if m.sentiment.is_finite() {
            m.sentiment
        } else {
            0.0
        };
        json.push_str(":[");
        json.push_str(ryu::Buffer::new().format_finite(sentiment));
        json.push_str(match polarity(sentiment) {
            -1 => ",-1]",
            1 => ",1]",
            _ => ",0]",
        });
    }
    json.push('}');
    Some(json)
}

/// `aspect` as a key of [`to_json`]'s object, quoted and escaped.
pub fn json_key(aspect: &str) -> String {
    let mut key = String::with_capacity(aspect.len() + 2);
    push_json_key(&mut key, aspect);
    key
}

fn push_json_key(json: &mut String, aspect: &str) {
    // The lexicons' names need no escapes; anything else goes through serde_json.
    if aspect.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        json.push('"');
        json.push_str(aspect);
        json.push('"');
    } else {
        json.push_str(&serde_json::Value::from(aspect).to_string());
    }
}

/// Every aspect name the lexicons know, for the UI's filters.
pub fn known_aspects(category: Option<&str>) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = lexicons(category)
        .iter()
        .flat_map(|l| l.iter().map(|(a, _)| *a))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The joint check's shortcut (length and first letter) says what comparing with every
    /// joint says: each joint in any case is one, words that share a joint's shape are not.
    #[test]
    fn the_joint_shortcut_agrees_with_comparing_every_joint() {
        let full = |w: &str| CLAUSE_JOINTS.iter().any(|j| j.eq_ignore_ascii_case(w));
        let mut words: Vec<String> = CLAUSE_JOINTS
            .iter()
            .flat_map(|j| [j.to_string(), j.to_ascii_uppercase(), format!("{j}s")])
            .collect();
        words.extend(
            [
                "Butter",
                "bit",
                "YES",
                "Ma",
                "m",
                "pear",
                "the",
                "zebra",
                "a",
                "abcdefghijklmnopqrst",
            ]
            .map(String::from),
        );
        for w in &words {
            assert_eq!(is_clause_joint(w), full(w), "{w}");
        }
        assert_eq!(
            clauses("Great coffee BUT rude staff, however the cake was fine"),
            [
                "Great coffee",
                "BUT rude staff",
                "however the cake was fine"
            ]
        );
    }

    #[test]
    fn stored_mentions_are_json_that_reads_back_exactly() {
        let mentions = [
            AspectMention {
                aspect: "wait time",
                sentiment: -0.1 - 0.2,
            },
            AspectMention {
                aspect: "a \"quoted\\ name",
                sentiment: 1.0 / 3.0,
            },
            AspectMention {
                aspect: "staff",
                sentiment: 1e-9,
            },
        ];
        let json = to_json(&mentions).unwrap();
        let read: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&json).unwrap();
        assert_eq!(read.len(), 3, "{json}");
        for m in &mentions {
            let pair = read[m.aspect].as_array().unwrap();
            assert_eq!(pair[0].as_f64(), Some(m.sentiment), "{json}");
            assert_eq!(
                pair[1].as_i64(),
                Some(i64::from(polarity(m.sentiment))),
                "{json}"
            );
            assert!(json.contains(&format!("{}:", json_key(m.aspect))), "{json}");
        }
        assert_eq!(to_json(&[]), None);
    }

    fn find(ms: &[AspectMention], a: &str) -> Option<f64> {
        ms.iter().find(|m| m.aspect == a).map(|m| m.sentiment)
    }

    #[test]
    fn each_aspect_takes_the_sentiment_of_its_own_clause() {
        let ms = aspects_in("Great coffee, rude staff.", Some("cafe"));
        assert!(find(&ms, "coffee").unwrap() > 0.0, "{ms:?}");
        assert!(find(&ms, "staff").unwrap() < 0.0, "{ms:?}");
    }

    #[test]
    fn contrast_words_split_clauses() {
        assert_eq!(
            clauses("the food was great but the service was awful"),
            vec!["the food was great", "but the service was awful"]
        );
        let ms = aspects_in(
            "The food was great but the service was awful",
            Some("restaurant"),
        );
        assert!(find(&ms, "food").unwrap() > 0.0);
        assert!(find(&ms, "service").unwrap() < 0.0);
    }

    #[test]
    fn prefixes_and_pairs_match_word_forms() {
        let ms = aspects_in("We waited forever for a flat white.", Some("cafe"));
        assert!(find(&ms, "wait time").is_some());
        assert!(find(&ms, "coffee").is_some());
    }

    #[test]
    fn category_lexicons_apply_only_to_their_category() {
        assert!(find(
            &aspects_in("The app crashes on login.", Some("app")),
            "stability"
        )
        .is_some());
        assert!(find(&aspects_in("The app crashes on login.", None), "stability").is_none());
    }

    #[test]
    fn text_without_aspects_yields_none() {
        assert!(aspects_in("Hmm.", None).is_empty());
        assert!(aspects_in("", None).is_empty());
    }

    /// Issue 27: a review in Spanish, French, German, Italian or Portuguese counts under the
    /// same aspects as an English one.
    #[test]
    fn aspects_are_found_in_spanish_french_german_italian_and_portuguese() {
        type Case = (
            &'static str,
            &'static str,
            Option<&'static str>,
            &'static [&'static str],
        );
        let cases: &[Case] = &[
            (
                "es",
                "El servicio fue lentísimo y el camarero muy antipático, aunque el café estaba rico.",
                Some("cafe"),
                &["service", "staff", "coffee"],
            ),
            (
                "es",
                "Precio razonable, pero los baños estaban sucios.",
                None,
                &["price", "cleanliness"],
            ),
            (
                "fr",
                "L'attente était interminable et le personnel désagréable.",
                None,
                &["wait time", "staff"],
            ),
            (
                "fr",
                "Chambre propre mais très bruyante, le petit-déjeuner était correct.",
                Some("hotel"),
                &["room", "cleanliness", "noise", "breakfast"],
            ),
            (
                "de",
                "Die Bedienung war unfreundlich und die Preise sind überteuert.",
                None,
                &["service", "staff", "price"],
            ),
            (
                "de",
                "Sehr sauberes Zimmer, aber das Frühstück war enttäuschend.",
                Some("hotel"),
                &["cleanliness", "room", "breakfast"],
            ),
            (
                "it",
                "Il servizio è stato lento e il cameriere scortese.",
                Some("restaurant"),
                &["service", "wait time", "staff"],
            ),
            (
                "it",
                "Pizza ottima, prezzi onesti, bagno pulito.",
                Some("restaurant"),
                &["food", "price", "cleanliness"],
            ),
            (
                "pt",
                "O atendimento foi péssimo e a espera demorou uma hora.",
                None,
                &["service", "wait time"],
            ),
            (
                "pt",
                "Comida deliciosa, mas o preço é caro demais.",
                Some("restaurant"),
                &["food", "quality", "price"],
            ),
        ];
        for (language, text, category, wanted) in cases {
            let ms = aspects_in_language(text, *category, Some(language), Some(-0.4));
            for a in *wanted {
                assert!(find(&ms, a).is_some(), "{language} {a}: {text} → {ms:?}");
            }
            // Without a clause scorer in that language, each mention takes the review's score.
            assert!(ms.iter().all(|m| m.sentiment == -0.4), "{ms:?}");
        }
    }

    #[test]
    fn another_languages_words_do_not_tag_english_text() {
        let ms = aspects_in_language("A very personal touch.", None, Some("en"), None);
        assert!(find(&ms, "staff").is_none(), "{ms:?}");
        let ms = aspects_in_language("Het personeel was traag.", None, Some("nl"), None);
        assert!(ms.is_empty(), "no Dutch lexicons: {ms:?}");
        assert!(has_lexicons(Some("pt")) && has_lexicons(None) && !has_lexicons(Some("nl")));
    }

    #[test]
    fn an_apostrophe_leaves_the_noun_whole() {
        let ms = aspects_in_language("Beaucoup trop d'attente.", None, Some("fr"), None);
        assert!(find(&ms, "wait time").is_some(), "{ms:?}");
    }

    #[test]
    fn built_in_names_are_known_in_any_case() {
        assert!(is_built_in("Service") && is_built_in("wait time") && is_built_in("coffee"));
        assert!(!is_built_in("parking") && !is_built_in("the new menu"));
    }

    #[test]
    fn known_aspects_include_general_and_category() {
        let a = known_aspects(Some("hotel"));
        assert!(a.contains(&"room") && a.contains(&"service"));
    }
}
