//! The owner's own topics ("the new menu", "parking", "Sarah's class"): a name and a few words or
//! phrases each, found in reviews in any language and counted beside the built-in aspects.
//!
//! A topic found in a review becomes one more entry of the review's aspect mentions (see
//! [`super::aspects::to_json`]), under the topic's name, with the sentiment of the clauses that
//! mention it. Everything that reads aspects (the rollup, the dashboard's topics, rising
//! complaints, the `topic_surge` alert, the inbox's filter) then reads the owner's topics too,
//! with no second path to keep in step.
//!
//! Matching folds case and accents on both sides ("Menú" finds "menu"), cuts words at anything
//! that is not a letter or a digit (so "Sarah's class" is "sarah s class"), matches a phrase as
//! consecutive words in one clause, and stems simply: a word matches its own inflections ("menu"
//! finds "menus", "park" finds "parking", "pizza" finds "pizze"), and a word ending in `*` matches
//! any word it starts. Text in a script written without spaces (Chinese, Japanese, Thai) is
//! searched for the phrase as it is. Pure functions: no database.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use super::aspects::{self, AspectMention};

/// Endings a word may add to a topic's word and still be the same word: plurals, verb forms and
/// agent nouns of the languages Earshot reads (English, Spanish, French, German, Italian,
/// Portuguese). Kept short on purpose: "tea" must not find "team".
const INFLECTIONS: &[&str] = &[
    "s", "es", "d", "ed", "ing", "er", "ers", "e", "en", "n", "x", "ern", "ne", "nes",
];

/// A topic word shorter than this only matches itself: "ice" may find "iced", "a" never "and".
const MIN_STEM_CHARS: usize = 3;

/// Most phrases a topic may have, and most characters in one: enough for the owner's words,
/// bounded so one topic cannot slow every review's analysis.
pub const MAX_PHRASES: usize = 30;
pub const MAX_PHRASE_CHARS: usize = 80;

/// Names of the owner's topics, as the `'static` strings aspect mentions carry. A topic's name
/// is interned once for the life of the process (an owner has a handful), so a mention of it
/// is as cheap to count as a built-in aspect's and the rollup code has one shape for both.
static NAMES: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);

fn intern(name: &str) -> &'static str {
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.get(name).copied() {
        return n;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}

/// Lower case without accents: the form both the text and the topics' words are compared in.
/// Letters outside the Latin alphabets are only lower-cased.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match fold_char(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

/// The unaccented form of a lower-case Latin letter with a diacritic.
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ś' | 'š' | 'ş' => "s",
        'ź' | 'ż' | 'ž' => "z",
        'ď' | 'đ' => "d",
        'ť' | 'ţ' => "t",
        'ř' | 'ŕ' => "r",
        'ğ' => "g",
        'ł' => "l",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => return None,
    })
}

/// The words of folded text: runs of letters and digits.
pub fn words_of(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Whether text is in a script written without spaces between words, where a phrase is looked
/// for as it is rather than word by word.
fn unspaced_script(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(u32::from(c),
            0x0E00..=0x0E7F      // Thai
            | 0x3040..=0x30FF    // Hiragana, Katakana
            | 0x3400..=0x4DBF    // CJK extension A
            | 0x4E00..=0x9FFF) // CJK unified ideographs
    })
}

/// One word of a topic's phrase.
#[derive(Debug, Clone, PartialEq)]
struct TopicWord {
    stem: String,
    /// Written with a trailing `*`: any word it starts matches.
    prefix: bool,
}

impl TopicWord {
    fn matches(&self, word: &str) -> bool {
        if word == self.stem {
            return true;
        }
        let Some(rest) = word.strip_prefix(self.stem.as_str()) else {
            return self.same_but_final_vowel(word);
        };
        self.prefix || (self.stem.chars().count() >= MIN_STEM_CHARS && INFLECTIONS.contains(&rest))
    }

    /// Romance plurals change the final vowel: "pizza" and "pizze", "cornetto" and "cornetti",
    /// "pastel" and "pasteles" (the latter through [`INFLECTIONS`]).
    fn same_but_final_vowel(&self, word: &str) -> bool {
        const VOWELS: &[char] = &['a', 'e', 'i', 'o'];
        if self.prefix || self.stem.chars().count() < 4 {
            return false;
        }
        let Some(root) = self.stem.strip_suffix(VOWELS) else {
            return false;
        };
        word.strip_prefix(root).is_some_and(|end| {
            let end = end.strip_suffix('s').unwrap_or(end);
            end.len() == 1 && end.starts_with(VOWELS)
        })
    }
}

/// One phrase of a topic, as its words, or as folded text for an unspaced script.
#[derive(Debug, Clone, PartialEq)]
enum Phrase {
    Words(Vec<TopicWord>),
    Text(String),
}

impl Phrase {
    fn parse(phrase: &str) -> Option<Phrase> {
        let folded = fold(phrase.trim());
        if unspaced_script(&folded) {
            let text: String = folded.split_whitespace().collect::<Vec<_>>().join(" ");
            return (!text.is_empty()).then_some(Phrase::Text(text));
        }
        let words: Vec<TopicWord> = folded
            .split(|c: char| !c.is_alphanumeric() && c != '*')
            .filter_map(|w| {
                let prefix = w.ends_with('*');
                let stem = w.trim_matches('*');
                (!stem.is_empty()).then(|| TopicWord {
                    stem: stem.to_owned(),
                    prefix,
                })
            })
            .collect();
        (!words.is_empty()).then_some(Phrase::Words(words))
    }

    fn found_in(&self, folded_clause: &str, words: &[&str]) -> bool {
        match self {
            Phrase::Text(t) => folded_clause.contains(t.as_str()),
            Phrase::Words(p) => words
                .windows(p.len())
                .any(|w| w.iter().zip(p).all(|(word, tw)| tw.matches(word))),
        }
    }
}

/// An owner's topic as the matcher uses it.
#[derive(Debug, Clone)]
struct CompiledTopic {
    name: &'static str,
    phrases: Vec<Phrase>,
}

/// The owner's topics of one business, ready to find in text.
#[derive(Debug, Clone, Default)]
pub struct TopicMatcher {
    topics: Vec<CompiledTopic>,
}

impl TopicMatcher {
    /// From (name, words) pairs. The name is a phrase of its topic too: a topic called
    /// "parking" needs no words to be found.
    pub fn new<'a>(topics: impl IntoIterator<Item = (&'a str, &'a [String])>) -> TopicMatcher {
        let topics = topics
            .into_iter()
            .map(|(name, words)| CompiledTopic {
                name: intern(name),
                phrases: std::iter::once(name)
                    .chain(words.iter().map(String::as_str))
                    .filter_map(Phrase::parse)
                    .collect(),
            })
            .collect();
        TopicMatcher { topics }
    }

    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }

    /// The names of the topics, in the order given.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.topics.iter().map(|t| t.name)
    }

    /// The topics `text` mentions, each with the mean sentiment of the clauses that mention it
    /// ([`aspects::clause_sentiment`] in `language`; `whole` is the review's own score).
    pub fn mentions(
        &self,
        text: &str,
        language: Option<&str>,
        whole: Option<f64>,
    ) -> Vec<AspectMention> {
        let mut found: Vec<(&'static str, f64, u32)> = Vec::new();
        if self.topics.is_empty() {
            return Vec::new();
        }
        for clause in aspects::clauses(text) {
            let folded = fold(clause);
            let words: Vec<&str> = words_of(&folded).collect();
            let mut score = None;
            for t in &self.topics {
                if !t.phrases.iter().any(|p| p.found_in(&folded, &words)) {
                    continue;
                }
                let s = *score
                    .get_or_insert_with(|| aspects::clause_sentiment(clause, language, whole));
                match found.iter_mut().find(|(n, _, _)| *n == t.name) {
                    Some(e) => {
                        e.1 += s;
                        e.2 += 1;
                    }
                    None => found.push((t.name, s, 1)),
                }
            }
        }
        found
            .into_iter()
            .map(|(aspect, sum, n)| AspectMention {
                aspect,
                sentiment: sum / f64::from(n),
            })
            .collect()
    }
}

/// Why a topic's name or words cannot be used, in words for the owner.
pub fn check_topic(name: &str, words: &[String]) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a topic needs a name".into());
    }
    if name.chars().count() > MAX_PHRASE_CHARS {
        return Err(format!(
            "a topic's name is at most {MAX_PHRASE_CHARS} characters"
        ));
    }
    if Phrase::parse(name).is_none() && words.iter().all(|w| Phrase::parse(w).is_none()) {
        return Err(format!(
            "\"{name}\" has no letters or digits to look for; give it a few words"
        ));
    }
    if aspects::is_built_in(name) {
        return Err(format!(
            "\"{name}\" is one of Earshot's own topics already; give yours another name \
             (for example \"{name} at the bar\")"
        ));
    }
    if words.len() > MAX_PHRASES {
        return Err(format!(
            "a topic has at most {MAX_PHRASES} words or phrases"
        ));
    }
    if let Some(w) = words.iter().find(|w| w.chars().count() > MAX_PHRASE_CHARS) {
        return Err(format!(
            "\"{w}\" is too long: a word or phrase is at most {MAX_PHRASE_CHARS} characters"
        ));
    }
    Ok(())
}

/// The words of a comma-separated list ("new menu, seasonal menu,menu"), trimmed, without
/// blanks or repeats.
pub fn split_words(list: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in list.split([',', ';', '\n']) {
        let w = w.trim();
        if !w.is_empty() && !out.iter().any(|o| fold(o) == fold(w)) {
            out.push(w.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(topics: &[(&str, &[&str])]) -> TopicMatcher {
        let owned: Vec<(String, Vec<String>)> = topics
            .iter()
            .map(|(n, w)| ((*n).to_owned(), w.iter().map(|s| (*s).to_owned()).collect()))
            .collect();
        TopicMatcher::new(owned.iter().map(|(n, w)| (n.as_str(), w.as_slice())))
    }

    fn names(m: &TopicMatcher, text: &str) -> Vec<&'static str> {
        let mut v: Vec<_> = m
            .mentions(text, Some("en"), None)
            .into_iter()
            .map(|m| m.aspect)
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn folding_removes_case_and_accents() {
        assert_eq!(
            fold("Menú NUEVO, crème brûlée, Straße"),
            "menu nuevo, creme brulee, strasse"
        );
    }

    #[test]
    fn a_phrase_matches_consecutive_words_in_any_case_and_accent() {
        let m = matcher(&[("the new menu", &["new menu", "seasonal menu", "menu"])]);
        assert_eq!(names(&m, "Loved the NEW MENU!"), ["the new menu"]);
        assert_eq!(names(&m, "El menú de temporada"), ["the new menu"]);
        assert!(names(&m, "New staff, same old food.").is_empty());
    }

    #[test]
    fn words_match_their_inflections_but_not_other_words() {
        let m = matcher(&[("parking", &["park"]), ("tea", &[])]);
        assert_eq!(names(&m, "We parked right outside"), ["parking"]);
        assert_eq!(names(&m, "Parking was a nightmare"), ["parking"]);
        assert_eq!(names(&m, "Lovely teas"), ["tea"]);
        assert!(names(&m, "The team was great, the park-and-ride hmm").contains(&"parking"));
        assert!(!names(&m, "The team was great").contains(&"tea"));
        let pizza = matcher(&[("pizza", &[])]);
        assert_eq!(names(&pizza, "Le pizze erano fredde"), ["pizza"]);
    }

    #[test]
    fn an_apostrophe_in_a_name_matches_the_way_people_write_it() {
        let m = matcher(&[("Sarah's class", &["spin class"])]);
        assert_eq!(names(&m, "Sarah's class, twice a week"), ["Sarah's class"]);
        assert!(names(&m, "Sarah's yoga").is_empty());
        assert_eq!(names(&m, "Sarah’s class is the best"), ["Sarah's class"]);
        assert_eq!(names(&m, "The spin classes are packed"), ["Sarah's class"]);
    }

    #[test]
    fn a_star_matches_any_ending() {
        let m = matcher(&[("vegan options", &["vegan*"])]);
        assert_eq!(names(&m, "Veganism is catered for"), ["vegan options"]);
    }

    #[test]
    fn unspaced_scripts_are_searched_as_written() {
        let m = matcher(&[("matcha", &["抹茶"])]);
        assert_eq!(names(&m, "抹茶ラテがとても美味しかった"), ["matcha"]);
    }

    #[test]
    fn each_topic_takes_the_sentiment_of_its_own_clause() {
        let m = matcher(&[("parking", &[]), ("the new menu", &["new menu"])]);
        let found = m.mentions(
            "The new menu is wonderful, but parking was awful.",
            Some("en"),
            None,
        );
        let of = |n: &str| found.iter().find(|x| x.aspect == n).unwrap().sentiment;
        assert!(of("the new menu") > 0.0, "{found:?}");
        assert!(of("parking") < 0.0, "{found:?}");
    }

    #[test]
    fn names_and_words_are_checked_with_reasons() {
        assert!(check_topic("parking", &[]).is_ok());
        assert!(check_topic("  ", &[]).is_err());
        assert!(check_topic("service", &[]).unwrap_err().contains("already"));
        assert!(check_topic("!!!", &[]).is_err());
        assert!(check_topic("x", &["a".repeat(81)]).is_err());
        assert_eq!(
            split_words("new menu, seasonal menu,menu,, Menu"),
            ["new menu", "seasonal menu", "menu"]
        );
    }
}
