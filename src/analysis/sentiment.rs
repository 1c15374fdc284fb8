//! Sentiment of a review or mention from its text alone, offline: a VADER-style lexicon model
//! (Hutto & Gilbert 2014) with review phrasing on top.
//!
//! Each word takes its valence from the VADER lexicon (`vader_lexicon.tsv`, MIT, see
//! `VADER-LICENSE.txt`) or from the review words below that VADER lacks; the rules then adjust
//! it — boosters and dampeners before it ("very", "a bit"), negation in the three words before it
//! ("not good", "never again"), ALL-CAPS emphasis, "but" (the clause after it counts more),
//! exclamation marks — and common review phrases ("would not recommend", "above and beyond") score
//! as one unit. The sum is squashed into −1..1. Emoji and emoticons are words with a valence.
//!
//! English only: text confidently in another language is left unscored (`None`) rather than
//! guessed. Everything here is a pure function of the text.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::SentimentLabel;

pub struct Sentiment {
    pub score: f64,
    pub label: SentimentLabel,
}

/// Scores within this distance of 0 are neutral. Wider than VADER's 0.05 so that lukewarm text
/// ("it was fine", "okay, nothing special") reads neutral; wider still pushed too many clear
/// 4–5★ reviews to neutral on the evaluation set (see `make eval`).
const NEUTRAL_BAND: f64 = 0.2;

pub fn label_for(score: f64) -> SentimentLabel {
    if score <= -NEUTRAL_BAND {
        SentimentLabel::Negative
    } else if score >= NEUTRAL_BAND {
        SentimentLabel::Positive
    } else {
        SentimentLabel::Neutral
    }
}

/// VADER's constants: booster increment, negation scalar, caps increment, normalisation alpha.
const BOOST: f64 = 0.293;
const NEGATE: f64 = -0.74;
const CAPS: f64 = 0.733;
const ALPHA: f64 = 15.0;
/// How much more a negative word weighs than a positive one of the same valence.
const NEGATIVITY: f64 = 1.15;
/// Up to this many sentiment-bearing words alpha stays VADER's; beyond, it grows with them.
const ALPHA_WORDS: f64 = 6.0;

/// Review words VADER does not know (or knows too weakly), on its −4..4 scale.
const REVIEW_WORDS: &[(&str, f64)] = &[
    ("cold", -1.0),
    ("stale", -1.8),
    ("overpriced", -2.0),
    ("pricey", -0.8),
    ("expensive", -0.9),
    ("slow", -1.4),
    ("tasty", 2.2),
    ("yummy", 2.2),
    ("cozy", 1.8),
    ("cosy", 1.8),
    ("spotless", 2.2),
    ("immaculate", 2.2),
    ("filthy", -2.8),
    ("smelly", -1.9),
    ("smelled", -1.0),
    ("lukewarm", -1.3),
    ("burnt", -1.6),
    ("soggy", -1.7),
    ("greasy", -1.2),
    ("bland", -1.4),
    ("tasteless", -1.9),
    ("crowded", -0.8),
    ("cramped", -1.2),
    ("noisy", -1.2),
    ("loud", -0.8),
    ("dated", -0.9),
    ("tiny", -0.6),
    ("quiet", 0.6),
    ("spacious", 1.5),
    ("professional", 1.4),
    ("attentive", 1.8),
    ("courteous", 1.8),
    ("knowledgeable", 1.4),
    ("recommended", 1.5),
    ("unhelpful", -1.9),
    ("understaffed", -1.6),
    ("overwhelmed", -1.2),
    ("inedible", -2.6),
    ("undercooked", -1.8),
    ("overcooked", -1.6),
    ("mouldy", -2.4),
    ("moldy", -2.4),
    ("cockroach", -2.8),
    ("cockroaches", -2.8),
    ("bedbugs", -3.0),
    ("refund", -0.8),
    ("complaint", -1.2),
    ("forever", -0.4),
    ("ages", -0.3),
    ("sticky", -1.0),
    ("stained", -1.5),
    ("broken", -1.8),
    ("faulty", -1.8),
    ("leaking", -1.5),
    ("mould", -2.0),
    ("mold", -2.0),
    ("superb", 3.0),
    ("fab", 2.0),
    ("gem", 2.0),
    ("go-to", 1.5),
    ("disappoint", -2.0),
    ("disappoints", -2.0),
    ("meh", -0.8),
    ("overrated", -1.6),
    ("scam", -2.8),
    ("ripoff", -2.5),
    ("worth", 0.8),
    ("wonderful", 2.7),
    ("comfy", 1.8),
];

/// Phrases scored as one unit, matched on lower-case words.
const PHRASES: &[(&[&str], f64)] = &[
    (&["would", "not", "recommend"], -2.5),
    (&["wouldn't", "recommend"], -2.5),
    (&["do", "not", "recommend"], -2.5),
    (&["don't", "recommend"], -2.5),
    (&["not", "recommend"], -2.3),
    (&["never", "again"], -2.5),
    (&["never", "coming", "back"], -2.7),
    (&["never", "going", "back"], -2.7),
    (&["won't", "be", "back"], -2.5),
    (&["will", "not", "be", "back"], -2.5),
    (&["won't", "be", "returning"], -2.5),
    (&["not", "coming", "back"], -2.5),
    (&["will", "be", "back"], 2.0),
    (&["will", "definitely", "be", "back"], 2.6),
    (&["coming", "back"], 1.2),
    (&["waste", "of", "money"], -2.8),
    (&["waste", "of", "time"], -2.6),
    (&["rip", "off"], -2.6),
    (&["highly", "recommend"], 3.0),
    (&["highly", "recommended"], 3.0),
    (&["above", "and", "beyond"], 2.8),
    (&["five", "stars"], 2.5),
    (&["5", "stars"], 2.5),
    (&["one", "star"], -2.3),
    (&["1", "star"], -2.3),
    (&["zero", "stars"], -2.8),
    (&["took", "forever"], -2.0),
    (&["waited", "forever"], -2.0),
    (&["not", "worth"], -2.0),
    (&["worth", "every", "penny"], 2.6),
    (&["worth", "the", "wait"], 1.8),
    (&["worth", "it"], 1.6),
    (&["value", "for", "money"], 1.6),
    (&["good", "value"], 1.8),
    (&["poor", "value"], -2.0),
    (&["not", "great"], -1.5),
    (&["not", "bad"], 0.8),
    (&["no", "problem"], 0.8),
    (&["no", "problems"], 0.8),
    (&["no", "complaints"], 1.5),
    (&["no", "real", "complaints"], 1.5),
    (&["nothing", "to", "complain"], 1.5),
    (&["nothing", "special"], -0.8),
    (&["could", "be", "better"], -1.0),
    (&["could", "have", "been", "better"], -1.0),
    (&["could", "be", "improved"], -0.8),
    (&["needs", "improvement"], -1.2),
    (&["a", "must"], 1.8),
    (&["go", "to", "place"], 1.5),
    (&["made", "my", "day"], 2.5),
    (&["a", "joke"], -1.8),
    (&["fell", "apart"], -1.6),
    (&["went", "wrong"], -1.6),
    (&["got", "it", "wrong"], -1.6),
    (&["got", "my", "order", "wrong"], -1.8),
    (&["no", "one"], -0.4),
    (&["nobody", "came"], -1.6),
];

const BOOSTERS: &[&str] = &[
    "absolutely",
    "amazingly",
    "completely",
    "considerably",
    "decidedly",
    "deeply",
    "enormously",
    "entirely",
    "especially",
    "exceptionally",
    "extremely",
    "fabulously",
    "greatly",
    "highly",
    "hugely",
    "incredibly",
    "intensely",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "super",
    "thoroughly",
    "totally",
    "tremendously",
    "truly",
    "unbelievably",
    "unusually",
    "utterly",
    "very",
    "way",
    "most",
    "more",
    "too",
];

const DAMPENERS: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "kinda",
    "less",
    "little",
    "marginally",
    "occasionally",
    "partly",
    "scarcely",
    "slightly",
    "somewhat",
    "sorta",
    "bit",
    "fairly",
    "rather",
];

const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "none",
    "nobody",
    "nothing",
    "neither",
    "nor",
    "nowhere",
    "without",
    "cannot",
    "cant",
    "can't",
    "dont",
    "don't",
    "didnt",
    "didn't",
    "doesnt",
    "doesn't",
    "isnt",
    "isn't",
    "wasnt",
    "wasn't",
    "werent",
    "weren't",
    "wont",
    "won't",
    "wouldnt",
    "wouldn't",
    "shouldnt",
    "shouldn't",
    "couldnt",
    "couldn't",
    "arent",
    "aren't",
    "aint",
    "ain't",
    "hasnt",
    "hasn't",
    "havent",
    "haven't",
    "hadnt",
    "hadn't",
    "neednt",
    "needn't",
    "lack",
    "lacked",
    "lacking",
    // Scraped text often loses the apostrophe and splits the word: "didn t", "wasn t".
    "didn",
    "wasn",
    "weren",
    "isn",
    "aren",
    "doesn",
    "don",
    "couldn",
    "wouldn",
    "shouldn",
    "hasn",
    "haven",
    "hadn",
    "ain",
];

/// Emoji valences (VADER reads emoji through their names; a table is faster and enough).
const EMOJI: &[(char, f64)] = &[
    ('😀', 2.0),
    ('😃', 2.0),
    ('😄', 2.2),
    ('😁', 2.2),
    ('😊', 2.2),
    ('🙂', 1.2),
    ('😍', 3.0),
    ('🥰', 3.0),
    ('😋', 2.2),
    ('👍', 1.8),
    ('👏', 2.0),
    ('🙌', 2.0),
    ('❤', 2.8),
    ('💕', 2.6),
    ('💯', 2.0),
    ('⭐', 1.5),
    ('🌟', 2.0),
    ('✨', 1.2),
    ('🔥', 1.5),
    ('🎉', 2.0),
    ('☕', 0.0),
    ('😞', -2.0),
    ('😟', -1.8),
    ('😠', -2.5),
    ('😡', -3.0),
    ('🤬', -3.2),
    ('😤', -2.0),
    ('😢', -2.2),
    ('😭', -2.4),
    ('🙁', -1.5),
    ('☹', -1.8),
    ('👎', -2.0),
    ('🤮', -3.0),
    ('🤢', -2.6),
    ('💩', -2.4),
    ('😒', -1.6),
    ('🙄', -1.6),
    ('😩', -2.0),
    ('😫', -2.0),
    ('💔', -2.4),
    ('😑', -0.8),
    ('😐', -0.4),
];

struct Model {
    words: HashMap<&'static str, f64>,
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let mut words = HashMap::with_capacity(8_000);
        for line in include_str!("vader_lexicon.tsv").lines() {
            if let Some((w, v)) = line.split_once('\t') {
                if let Ok(v) = v.trim().parse::<f64>() {
                    words.entry(w).or_insert(v);
                }
            }
        }
        for (w, v) in REVIEW_WORDS {
            words.insert(*w, *v);
        }
        Model { words }
    })
}

/// One word of the text: as written (for emoticons and caps) and lower-cased without the
/// punctuation around it.
struct Token<'a> {
    raw: &'a str,
    word: String,
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    text.split_whitespace()
        .map(|raw| {
            let trimmed = raw.trim_matches(|c: char| {
                !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-') || c == '—'
            });
            let word = trimmed.replace('’', "'").to_lowercase();
            Token { raw, word }
        })
        .collect()
}

fn is_caps(raw: &str) -> bool {
    let letters: Vec<char> = raw.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

/// Sentiment of `text`, or `None` when there is nothing to score or the text is in a language
/// the model does not cover.
pub fn analyze(text: &str) -> Option<Sentiment> {
    if text.trim().is_empty() {
        return None;
    }
    if detect_language(text).is_some_and(|l| l != "en") {
        return None;
    }
    let score = score(text);
    Some(Sentiment {
        score,
        label: label_for(score),
    })
}

/// The compound score in −1..1 (no language check).
pub fn score(text: &str) -> f64 {
    let m = model();
    let toks = tokens(text);
    let shouting_everywhere = {
        let caps = toks.iter().filter(|t| is_caps(t.raw)).count();
        caps * 2 > toks.len()
    };
    let mut valences: Vec<f64> = vec![0.0; toks.len()];
    let mut i = 0;
    while i < toks.len() {
        // A phrase scores as one unit on its first word and silences the rest.
        if let Some((len, v)) = phrase_at(&toks, i) {
            valences[i] = v;
            i += len;
            continue;
        }
        let t = &toks[i];
        let base = m
            .words
            .get(t.word.as_str())
            .or_else(|| m.words.get(t.raw))
            .copied()
            .or_else(|| emoji_valence(t.raw));
        let Some(mut v) = base else {
            i += 1;
            continue;
        };
        if BOOSTERS.contains(&t.word.as_str()) || DAMPENERS.contains(&t.word.as_str()) {
            // A booster is not itself sentiment ("so", "too" are in the lexicon as nothing).
            i += 1;
            continue;
        }
        if is_caps(t.raw) && !shouting_everywhere {
            v += CAPS * v.signum();
        }
        // Boosters and dampeners up to three words before, weaker with distance.
        for (dist, j) in (i.saturating_sub(3)..i).rev().enumerate() {
            let w = toks[j].word.as_str();
            let scale = [1.0, 0.95, 0.9][dist];
            if BOOSTERS.contains(&w) {
                v += BOOST * scale * v.signum();
            } else if DAMPENERS.contains(&w) {
                v -= BOOST * scale * v.signum();
            }
        }
        // Negation in the three words before flips and weakens it.
        if (i.saturating_sub(3)..i).any(|j| is_negation(&toks[j].word)) {
            v *= NEGATE;
        }
        valences[i] = v;
        i += 1;
    }
    // "but": within its sentence, what comes after weighs more than what came before.
    let mut start = 0;
    for end in 0..toks.len() {
        let last = end + 1 == toks.len() || toks[end].raw.ends_with(['.', '!', '?', ';']);
        if !last {
            continue;
        }
        let sentence = start..end + 1;
        if let Some(b) = toks[sentence.clone()]
            .iter()
            .rposition(|t| t.word == "but" || t.word == "however")
            .map(|b| b + start)
        {
            for k in sentence {
                if k < b {
                    valences[k] *= 0.5;
                } else if k > b {
                    valences[k] *= 1.5;
                }
            }
        }
        start = end + 1;
    }
    // Negativity bias: in a review, a complaint weighs more than the same amount of praise.
    let mut sum: f64 = valences
        .iter()
        .map(|v| if *v < 0.0 { v * NEGATIVITY } else { *v })
        .sum();
    if sum != 0.0 {
        let bangs = text.matches('!').count().min(4) as f64;
        sum += bangs * 0.292 * sum.signum();
    }
    // VADER's squash saturates on long texts: many words of both kinds add up to ±1 whichever
    // side is a little larger. Scaling alpha with the number of sentiment words keeps a long,
    // balanced review near the middle and a long one-sided review near the end.
    let bearing = valences.iter().filter(|v| **v != 0.0).count() as f64;
    let alpha = ALPHA * (bearing / ALPHA_WORDS).max(1.0);
    let compound = sum / (sum * sum + alpha).sqrt();
    (compound.clamp(-1.0, 1.0) * 1000.0).round() / 1000.0
}

fn is_negation(w: &str) -> bool {
    NEGATIONS.contains(&w) || w.ends_with("n't")
}

fn phrase_at(toks: &[Token<'_>], i: usize) -> Option<(usize, f64)> {
    PHRASES
        .iter()
        .filter(|(words, _)| {
            i + words.len() <= toks.len() && words.iter().zip(&toks[i..]).all(|(w, t)| t.word == *w)
        })
        .max_by_key(|(words, _)| words.len())
        .map(|(words, v)| (words.len(), *v))
}

fn emoji_valence(raw: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut found = false;
    for c in raw.chars() {
        if let Some((_, v)) = EMOJI.iter().find(|(e, _)| *e == c) {
            total += v;
            found = true;
        }
    }
    found.then_some(total)
}

/// Common English words: a text made mostly of them is English without asking the detector.
const ENGLISH_COMMON: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "is", "was", "were", "are", "be", "been", "it", "this",
    "that", "to", "of", "in", "on", "at", "for", "with", "we", "i", "my", "our", "you", "they",
    "not", "very", "so", "had", "have", "has", "from", "as", "there", "their", "me", "he", "she",
    "his", "her", "too", "all", "just", "would", "will", "no", "if", "again", "food", "staff",
    "service", "place", "good", "great", "room", "hotel", "coffee",
];

/// ISO 639-1 code of the text's language ("en", "fr"…), or `None` when too short or unsure.
pub fn detect_language(text: &str) -> Option<&'static str> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() < 4 {
        return None;
    }
    let common = words
        .iter()
        .filter(|w| ENGLISH_COMMON.contains(&w.as_str()))
        .count();
    // English text is a quarter or more function words; skip the detector's cost then.
    if common * 5 >= words.len() {
        return Some("en");
    }
    let info = whatlang::detect(text)?;
    if !info.is_reliable() {
        return None;
    }
    Some(iso_639_1(info.lang()))
}

fn iso_639_1(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Eng => "en",
        Fra => "fr",
        Deu => "de",
        Spa => "es",
        Ita => "it",
        Por => "pt",
        Nld => "nl",
        Swe => "sv",
        Dan => "da",
        Nob => "no",
        Fin => "fi",
        Pol => "pl",
        Rus => "ru",
        Ukr => "uk",
        Tur => "tr",
        Jpn => "ja",
        Cmn => "zh",
        Kor => "ko",
        Ara => "ar",
        Heb => "he",
        Hin => "hi",
        Ell => "el",
        Ces => "cs",
        Hun => "hu",
        Ron => "ro",
        other => other.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(text: &str) -> SentimentLabel {
        analyze(text)
            .map(|s| s.label)
            .unwrap_or(SentimentLabel::Neutral)
    }

    #[test]
    fn plain_praise_and_complaints() {
        use SentimentLabel::*;
        let cases = [
            (
                "Lovely flat white and the friendliest staff in town.",
                Positive,
            ),
            ("Rude staff, cold coffee and a dirty table.", Negative),
            ("The eggs were cold and the toast was burnt.", Negative),
            ("Spotless rooms, comfy beds, great breakfast.", Positive),
            ("Overpriced and bland. Waste of money.", Negative),
            ("We ordered two coffees and a croissant.", Neutral),
        ];
        for (text, want) in cases {
            assert_eq!(label(text), want, "{text}: {}", score(text));
        }
    }

    #[test]
    fn negation_flips_the_words_after_it() {
        assert!(score("The coffee was not good.") < 0.0);
        assert!(score("The staff weren't friendly at all.") < 0.0);
        assert!(score("Not bad at all, actually.") > 0.0);
        assert_eq!(label("Never again."), SentimentLabel::Negative);
        assert_eq!(
            label("I would not recommend this place."),
            SentimentLabel::Negative
        );
    }

    #[test]
    fn intensifiers_and_dampeners_move_the_score() {
        assert!(score("The service was extremely good") > score("The service was good"));
        assert!(score("The service was slightly good") < score("The service was good"));
        assert!(score("very rude") < score("rude"));
    }

    #[test]
    fn the_clause_after_but_weighs_more() {
        assert!(score("The food was great but the service was awful") < 0.0);
        assert!(score("The service was awful but the food was great") > 0.0);
    }

    #[test]
    fn emoji_emoticons_caps_and_exclamations() {
        assert!(score("Dinner 😡") < 0.0);
        assert!(score("Dinner 😍👍") > 0.0);
        assert!(score("Dinner :(") < 0.0);
        assert!(score("Dinner :)") > 0.0);
        assert!(score("The food was AWFUL") < score("The food was awful"));
        assert!(score("Great coffee!!!") > score("Great coffee"));
    }

    #[test]
    fn review_phrases_count_as_one() {
        assert_eq!(
            label("The team went above and beyond for us"),
            SentimentLabel::Positive
        );
        assert_eq!(
            label("Took forever to get a table"),
            SentimentLabel::Negative
        );
        assert_eq!(
            label("Highly recommend the brunch"),
            SentimentLabel::Positive
        );
        assert_eq!(label("Total rip off"), SentimentLabel::Negative);
    }

    #[test]
    fn mixed_reviews_score_between_praise_and_complaint() {
        let mixed =
            score("Good coffee, a bit pricey. Seats by the window are nice but it gets crowded.");
        let praise = score("Good coffee, lovely seats by the window, friendly staff.");
        let complaint = score("Bad coffee, overpriced, and it gets crowded.");
        assert!(
            complaint < mixed && mixed < praise,
            "{complaint} {mixed} {praise}"
        );
        assert_eq!(
            label("The coffee was okay, nothing special."),
            SentimentLabel::Neutral
        );
    }

    #[test]
    fn other_languages_are_unscored_not_guessed() {
        assert!(
            analyze("Le café était froid et le service très lent, je ne reviendrai pas.").is_none()
        );
        assert!(analyze("Das Essen war kalt und der Service unfreundlich, nie wieder.").is_none());
        assert_eq!(
            detect_language("Le café était froid et le service très lent."),
            Some("fr")
        );
        assert_eq!(
            detect_language("The coffee was cold and the service slow."),
            Some("en")
        );
        // Short and emoji-only texts are scored as English.
        assert!(analyze("👍").is_some());
        assert!(analyze("Great!").is_some());
        assert!(analyze("   ").is_none());
    }

    #[test]
    fn scores_stay_in_range_for_extreme_text() {
        let long = "terrible awful worst ".repeat(500);
        let s = score(&long);
        assert!((-1.0..=1.0).contains(&s) && s < -0.9);
        assert_eq!(score("nothing here"), 0.0);
    }
}
