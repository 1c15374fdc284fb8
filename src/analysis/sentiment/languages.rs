//! Sentiment in Spanish, French, German, Italian and Portuguese: a lexicon model per language
//! with the English model's rules (negation, boosters and dampeners, "too", contrast, caps,
//! exclamation marks, emoji, the mixed-review damping), fed by that language's own word lists.
//!
//! The lexicons (`assets/sentiment/lexicon-LANG.tsv`, made by
//! `tools/sentiment/build_lexicons.py` from registry packages; docs/sentiment-data.md says
//! which and under what licence) hold words lower-cased with their accents folded, and the text
//! is folded the same way, so "pésimo" and a hurried "pesimo" read alike. No labelled text in
//! these languages was to be had for training: these are lexicon models, measured by `make eval`.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::{
    complaints, emoji_valence, is_caps, Token, Word, WordTable, F_BOOSTER, F_CONTRAST, F_DAMPENER,
    F_EXCESS, F_FACT_NEGATION, F_NEGATION,
};

/// A language's function words for the rules, written folded (no accents), space-separated.
struct Rules {
    /// Flip the valence of a word of the lexicon in the three words after them.
    negations: &'static str,
    /// In front of a plain fact, a complaint: "sin agua caliente", "kein WLAN".
    fact_negations: &'static str,
    boosters: &'static str,
    dampeners: &'static str,
    /// "Too" in front of a plain fact: "trop cher" is in the lexicon, "trop loin" is not.
    excess: &'static str,
    /// "But": what comes after counts more.
    contrast: &'static str,
    /// Endings to undo, in order, for a word the lexicon lacks: the lexicons hold mostly one form
    /// of each word (Spanish "malo" but not "mala", "malos"; German "schlecht" but not
    /// "schlechte", "schlechten"), so "la comida estaba mala" read as nothing. Each pair is an
    /// ending and what replaces it; the first form found wins.
    endings: &'static [(&'static str, &'static str)],
    /// Words the lexicon holds for their accented spelling that, written without the accent, are
    /// another word of no opinion: German "schön" is praise, "schon" (already) is everywhere.
    /// The lexicon folds accents off, so they are told apart by the text as written.
    accented: &'static [&'static str],
    /// Complaint cues (`complaints`), folded: the words that ask "why" (two words: "por que"),
    /// which make a complaint of a sentence ending in "?"; the time units that make a wait of a
    /// number in front ("3 horas"); and the words before the number or after the unit that make
    /// it a distance or a promise instead ("a 5 minutos del centro", "en 10 minutos").
    why: &'static [&'static str],
    time_units: &'static str,
    before_distance: &'static str,
    after_distance: &'static str,
}

// "poco"/"peu"/"pouco" in front of praise deny it ("poco amable" is unfriendly): negations.
const SPANISH: Rules = Rules {
    negations: "no nunca jamas tampoco ni nada nadie ningun ninguna ninguno sin poco",
    fact_negations: "no sin ningun ninguna ninguno",
    boosters: "muy mucho mucha muchisimo muchisima bastante super tan realmente extremadamente \
               increiblemente totalmente absolutamente sumamente demasiado demasiada",
    dampeners: "algo",
    excess: "demasiado demasiada demasiados demasiadas",
    contrast: "pero aunque sino",
    endings: &[
        ("as", "o"),
        ("os", "o"),
        ("a", "o"),
        ("es", ""),
        ("s", ""),
        // Superlatives: "buenísimo", "malísimas" → "bueno", "malo".
        ("isimo", "o"),
        ("isima", "o"),
        ("isimos", "o"),
        ("isimas", "o"),
        // Verbs: "odio"/"odié"/"odia"/"odiado" → "odiar", "adoro" → "adorar", "sufriendo" →
        // "sufrir".
        ("iendo", "er"),
        ("iendo", "ir"),
        ("ando", "ar"),
        ("ado", "ar"),
        ("ada", "ar"),
        ("aba", "ar"),
        ("an", "ar"),
        ("o", "ar"),
        ("e", "ar"),
        ("a", "ar"),
        ("o", "er"),
        ("e", "er"),
        ("ido", "er"),
        ("o", "ir"),
        ("ido", "ir"),
    ],
    accented: &[],
    why: &["por que"],
    time_units: "horas hora minutos minuto min mins hrs h",
    before_distance: "a en dentro",
    after_distance: "de del a andando caminando",
};

const FRENCH: Rules = Rules {
    negations: "ne n pas jamais rien aucun aucune personne sans ni guere peu",
    fact_negations: "pas sans aucun aucune",
    boosters: "tres trop vraiment tellement super hyper extremement absolument totalement \
               vachement particulierement si",
    dampeners: "assez plutot",
    excess: "trop",
    contrast: "mais cependant pourtant toutefois",
    endings: &[
        ("euses", "eux"),
        ("euse", "eux"),
        ("ives", "if"),
        ("ive", "if"),
        ("elles", "el"),
        ("elle", "el"),
        ("aux", "al"),
        ("es", ""),
        ("s", ""),
        ("e", ""),
        // Verbs: "déteste"/"détesté"/"détestent" → "détester", "j'adorais" → "adorer".
        ("ent", "er"),
        ("ais", "er"),
        ("ait", "er"),
        ("ee", "er"),
        ("e", "er"),
        ("es", "er"),
    ],
    accented: &[],
    why: &["pourquoi"],
    time_units: "heures heure minutes minute min mins h",
    before_distance: "a dans en",
    after_distance: "de du des a",
};

// German "zu" is "too" and "to": no excess rule ("zu Hause" is no complaint).
const GERMAN: Rules = Rules {
    negations:
        "nicht nich kein keine keinen keinem keiner keines nie niemals nichts ohne weder kaum",
    fact_negations: "nicht nich kein keine keinen keinem keiner ohne",
    boosters: "sehr total extrem wirklich echt super absolut besonders ausserst richtig voll \
               ganz uberaus unglaublich so",
    dampeners: "ziemlich etwas eher relativ",
    excess: "",
    contrast: "aber jedoch doch trotzdem allerdings",
    endings: &[
        ("en", ""),
        ("er", ""),
        ("es", ""),
        ("em", ""),
        ("e", ""),
        ("n", ""),
        ("s", ""),
        // Verbs: "ich liebe"/"er hasst"/"du hasst" → "lieben", "hassen".
        ("e", "en"),
        ("st", "en"),
        ("t", "en"),
    ],
    accented: &["schon"],
    why: &["warum", "wieso", "weshalb"],
    time_units: "stunden stunde minuten minute min std h",
    before_distance: "in nach innerhalb",
    after_distance: "zu vom von entfernt mit",
};

const ITALIAN: Rules = Rules {
    negations: "non mai nessun nessuno nessuna niente nulla senza poco",
    fact_negations: "non senza nessun nessuno nessuna",
    boosters: "molto troppo davvero veramente estremamente super proprio tanto cosi \
               assolutamente particolarmente decisamente",
    dampeners: "abbastanza piuttosto",
    excess: "troppo troppa troppi troppe",
    contrast: "ma pero tuttavia",
    endings: &[
        ("che", "co"),
        ("chi", "co"),
        ("a", "o"),
        ("e", "o"),
        ("i", "o"),
        ("i", "e"),
        // Superlatives: "bruttissimo" → "brutto".
        ("issimo", "o"),
        ("issima", "o"),
        ("issimi", "o"),
        ("issime", "o"),
        // Verbs: "amo"/"ama"/"amano"/"amiamo"/"amando" → "amare", "odio" → "odiare",
        // "soffrendo" → "soffrire".
        ("endo", "ere"),
        ("endo", "ire"),
        ("iamo", "are"),
        ("ando", "are"),
        ("ano", "are"),
        ("ato", "are"),
        ("ata", "are"),
        ("o", "are"),
        ("a", "are"),
        ("o", "ere"),
        ("e", "ere"),
        ("o", "ire"),
        ("e", "ire"),
    ],
    accented: &[],
    why: &["perche"],
    time_units: "ore ora minuti minuto min h",
    before_distance: "a tra fra in entro",
    after_distance: "da dal dalla dai a",
};

const PORTUGUESE: Rules = Rules {
    negations: "nao nunca jamais nem nada nenhum nenhuma sem ninguem pouco",
    fact_negations: "nao sem nenhum nenhuma",
    boosters: "muito muita muitos muitas demais super bem bastante extremamente realmente tao \
               totalmente absolutamente mto mt",
    dampeners: "meio",
    excess: "",
    contrast: "mas porem contudo entretanto",
    endings: &[
        ("as", "o"),
        ("os", "o"),
        ("a", "o"),
        ("ns", "m"),
        ("oes", "ao"),
        ("es", ""),
        ("s", ""),
        // Superlatives: "lindíssimo", "chatíssima" → "lindo", "chato".
        ("issimo", "o"),
        ("issima", "o"),
        ("issimos", "o"),
        ("issimas", "o"),
        // Verbs: "amo"/"amei"/"amou"/"ama"/"amando"/"amava" → "amar", "odeio" → "odiar",
        // "sofrendo" → "sofrer".
        ("endo", "er"),
        ("indo", "ir"),
        ("eio", "iar"),
        ("ando", "ar"),
        ("ado", "ar"),
        ("ada", "ar"),
        ("ava", "ar"),
        ("am", "ar"),
        ("ei", "ar"),
        ("ou", "ar"),
        ("o", "ar"),
        ("a", "ar"),
        ("o", "er"),
        ("i", "er"),
        ("eu", "er"),
        ("o", "ir"),
        ("i", "ir"),
        ("iu", "ir"),
    ],
    accented: &[],
    why: &["por que"],
    time_units: "horas hora minutos minuto min h",
    before_distance: "a em dentro",
    after_distance: "de do da a andando caminhando",
};

pub(super) struct Lexicon {
    words: WordTable,
    /// `Rules::endings` by the last byte of the ending, each list in the rules' order: a word
    /// tries only the endings it can end with, and the first form found is the same one.
    endings_by_last: [Vec<(&'static str, &'static str)>; 128],
    accented: &'static [&'static str],
    rules: &'static Rules,
}

impl Lexicon {
    /// The word as written, or else another form of it (`Rules::endings`); `scratch` is reused.
    fn get(&self, folded: &str, scratch: &mut String) -> Option<&Word> {
        if let Some(w) = self.words.get(folded) {
            return Some(w);
        }
        let &last = folded.as_bytes().last()?;
        // The endings are ASCII: a word ending in another character has none of them.
        let endings = self.endings_by_last.get(usize::from(last))?;
        for (ending, replacement) in endings {
            let Some(stem) = folded.strip_suffix(ending) else {
                continue;
            };
            // A stem of one letter is too short to be sure of ("mas" is not "mo"), and so is
            // a bare stem of two; two letters and an ending are a word ("feas" is "feo",
            // "amo" is "amar").
            let stem_len = stem.chars().count();
            if stem_len < 2 || (stem_len < 3 && replacement.is_empty()) {
                continue;
            }
            scratch.clear();
            scratch.push_str(stem);
            scratch.push_str(replacement);
            if let Some(w) = self.words.get(scratch.as_str()) {
                return Some(w);
            }
        }
        None
    }
}

/// The model for an ISO 639-1 code, or `None` for a language without one.
pub(super) fn lexicon(language: &str) -> Option<&'static Lexicon> {
    static ES: OnceLock<Lexicon> = OnceLock::new();
    static FR: OnceLock<Lexicon> = OnceLock::new();
    static DE: OnceLock<Lexicon> = OnceLock::new();
    static IT: OnceLock<Lexicon> = OnceLock::new();
    static PT: OnceLock<Lexicon> = OnceLock::new();
    Some(match language {
        "es" => ES.get_or_init(|| {
            build(
                include_str!("../../../assets/sentiment/lexicon-es.tsv"),
                &SPANISH,
            )
        }),
        "fr" => FR.get_or_init(|| {
            build(
                include_str!("../../../assets/sentiment/lexicon-fr.tsv"),
                &FRENCH,
            )
        }),
        "de" => DE.get_or_init(|| {
            build(
                include_str!("../../../assets/sentiment/lexicon-de.tsv"),
                &GERMAN,
            )
        }),
        "it" => IT.get_or_init(|| {
            build(
                include_str!("../../../assets/sentiment/lexicon-it.tsv"),
                &ITALIAN,
            )
        }),
        "pt" => PT.get_or_init(|| {
            build(
                include_str!("../../../assets/sentiment/lexicon-pt.tsv"),
                &PORTUGUESE,
            )
        }),
        _ => return None,
    })
}

/// How much more a word of complaint weighs than the lexicon says. The source lexicons lean to
/// praise (more positive entries, and weak praise on many plain words), so a complaint with a
/// polite word in it came out positive: on the development tweets, negatives read as positive
/// outnumbered positives read as negative nearly two to one in Italian and German. 1.25 hears
/// 2–3 more negatives in a hundred at no cost in binary accuracy; 1.5 and 2 trade accuracy for
/// more (UMSAB train + val, `target/dev-sets`).
const COMPLAINT_WEIGHT: f64 = 1.25;

fn build(tsv: &str, rules: &'static Rules) -> Lexicon {
    let mut words = WordTable::with_capacity_and_hasher(tsv.len() / 12, Default::default());
    for line in tsv.lines() {
        if let Some((w, v)) = line.split_once('\t') {
            if let Ok(v) = v.trim().parse::<f64>() {
                let v = if v < 0.0 { v * COMPLAINT_WEIGHT } else { v };
                words.entry(w.to_string()).or_default().valence = v;
            }
        }
    }
    let mut flag = |list: &str, f: u8| {
        for w in list.split_whitespace() {
            words.entry(w.to_string()).or_default().flags |= f;
        }
    };
    flag(rules.negations, F_NEGATION);
    flag(rules.fact_negations, F_FACT_NEGATION);
    flag(rules.boosters, F_BOOSTER);
    flag(rules.dampeners, F_DAMPENER);
    flag(rules.excess, F_EXCESS);
    flag(rules.contrast, F_CONTRAST);
    // As in English, negations and dampeners carry no valence of their own ("nada", "peu").
    for w in words.values_mut() {
        if w.flags & (F_NEGATION | F_DAMPENER | F_CONTRAST) != 0 {
            w.valence = 0.0;
        }
    }
    let mut endings_by_last: [Vec<(&'static str, &'static str)>; 128] =
        std::array::from_fn(|_| Vec::new());
    for &(ending, replacement) in rules.endings {
        let last = ending.as_bytes()[ending.len() - 1];
        assert!(last.is_ascii(), "the endings are ASCII: {ending}");
        endings_by_last[usize::from(last)].push((ending, replacement));
    }
    Lexicon {
        words,
        endings_by_last,
        accented: rules.accented,
        rules,
    }
}

/// Lower-case without accents, as the lexicons are written ("Pésimo" → "pesimo", "Größe" →
/// "grosse"), appended to `out`.
pub(super) fn fold_into(word: &str, out: &mut String) {
    for c in word.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        for c in c.to_lowercase() {
            match c {
                'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
                'ç' => out.push('c'),
                'è' | 'é' | 'ê' | 'ë' => out.push('e'),
                'ì' | 'í' | 'î' | 'ï' => out.push('i'),
                'ñ' => out.push('n'),
                'ò' | 'ó' | 'ô' | 'õ' | 'ö' => out.push('o'),
                'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
                'ý' | 'ÿ' => out.push('y'),
                'ß' => out.push_str("ss"),
                c => out.push(c),
            }
        }
    }
}

/// Words split at anything that is not a letter or digit (apostrophes too: "l'hôtel",
/// "n'est"), folded; emoji and emoticons as tokens of their own. Punctuation after a word ends
/// its clause or sentence as in English. Handles and links are names, not words ("@Vodafone_IT",
/// "http"): "@Buongiorno" praises nothing. HTML entities, as posts fetched from an API carry
/// them ("&lt;3"), are read as the characters they stand for.
pub(super) fn tokenize(lex: &Lexicon, text: &str, out: &mut Vec<Token>) {
    let mut buf = String::new();
    let mut scratch = String::new();
    let mut decoded: String;
    let mut asked = false;
    let mut cues = Cues::default();
    for raw in text.split_whitespace() {
        if super::is_handle_or_link(raw) || raw.trim_end_matches(['.', ',', '…']) == "http" {
            continue;
        }
        let raw = if raw.contains('&') {
            decoded = crate::sources::text::decode_entities(raw);
            decoded.as_str()
        } else {
            raw
        };
        if let Some(v) = emoticon_drawn_out(raw.trim_end_matches([',', '.', '!', '?', ';', '…']))
        {
            close_clause(out);
            out.push(Token {
                valence: v,
                ..Token::default()
            });
            continue;
        }
        tokenize_words(lex, raw, out, &mut buf, &mut scratch, &mut asked, &mut cues);
    }
}

/// What the complaint cues remember from one word to the next, across the text's spaces: the
/// two words before, folded, and the wait a number and its unit made ("a 5 minutos del centro":
/// the unit's next word turns it into a distance).
#[derive(Default)]
struct Cues {
    before: [String; 2],
    duration_at: Option<usize>,
}

fn tokenize_words(
    lex: &Lexicon,
    raw: &str,
    out: &mut Vec<Token>,
    buf: &mut String,
    scratch: &mut String,
    asked: &mut bool,
    cues: &mut Cues,
) {
    let mut push_word = |word: &str, buf: &mut String, out: &mut Vec<Token>| {
        buf.clear();
        fold_into(word, buf);
        let rules = lex.rules;
        let wait = complaints::wait_in_words(
            &cues.before[1],
            &cues.before[0],
            buf,
            rules.time_units,
            rules.before_distance,
        );
        if let Some(at) = cues.duration_at.take() {
            if complaints::has_word(rules.after_distance, buf) {
                out[at].valence = 0.0;
                out[at].complaint = false;
            }
        }
        let asks_why = complaints::asks_why(rules.why, &cues.before[0], buf);
        cues.before.swap(0, 1);
        cues.before[0].clear();
        cues.before[0].push_str(buf);
        if wait {
            // The number's token becomes the wait; the unit adds none.
            if let Some(t) = out.last_mut() {
                t.valence = complaints::DURATION_VALENCE;
                t.complaint = true;
                cues.duration_at = Some(out.len() - 1);
            }
            return;
        }
        let mut t = Token {
            caps: is_caps(word),
            asks_why,
            ..Token::default()
        };
        if let Some(w) = lex.get(buf.as_str(), scratch) {
            t.valence = w.valence;
            t.flags = w.flags;
            if word.is_ascii() && lex.accented.contains(&buf.as_str()) {
                t.valence = 0.0;
            }
        } else if is_laughter(buf) {
            t.valence = LAUGHTER;
        } else if let Some(w) = elongated(lex, buf, scratch) {
            t.valence = w.valence;
            t.flags = w.flags;
        } else if let Some(v) = english_loanword(buf) {
            t.valence = v;
        }
        out.push(t);
    };
    let mut start: Option<usize> = None;
    for (i, c) in raw.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            push_word(&raw[s..i], buf, out);
        }
        match c {
            ',' | ';' | ':' | '.' | '!' | '?' | '…' => {
                let Some(t) = out.last_mut() else { continue };
                let first_question = c == '?' && !t.sentence_end && !*asked;
                t.question |= c == '?';
                t.clause_end = true;
                t.sentence_end |= matches!(c, '.' | '!' | '?' | ';' | '…');
                if first_question {
                    *asked = true;
                    out.push(Token {
                        valence: QUESTION,
                        clause_end: true,
                        sentence_end: true,
                        ..Token::default()
                    });
                }
            }
            c if !c.is_ascii() => {
                if let Some(v) = emoji_valence(c) {
                    close_clause(out);
                    out.push(Token {
                        valence: v,
                        ..Token::default()
                    });
                }
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push_word(&raw[s..], buf, out);
    }
}

/// A post that asks leans to complaint: "Why is my order still not here?", "¿Y el wifi?". On the
/// development tweets a question was a negative post more than twice as often as a positive one,
/// in each of the five languages. The lean is the text's first question's alone and small: a
/// plain question ("¿Abren los domingos?") stays neutral, and any word of opinion outweighs it;
/// only a post that says nothing else falls on the side of complaint. -0.5 and -1.0 did alike on
/// the development tweets (+0.5 to +2 points of accuracy, +1 to +5 of negatives heard).
const QUESTION: f64 = -0.5;

/// An emoji or emoticon says how the writer feels about all that came before: it stands apart,
/// as punctuation does, so no "no" or "muy" reaches it ("no me gusta 😡" is no praise).
fn close_clause(out: &mut [Token]) {
    if let Some(t) = out.last_mut() {
        t.clause_end = true;
    }
}

/// A word drawn out for emphasis ("Lindooo", "bueniiisimo", "schöööön"): a letter three times
/// or more, read with that letter once, or else twice ("cooool" is "cool"), as the lexicon
/// writes it. The emphasis itself is not scored: the lexicon's valence is kept.
fn elongated<'a>(lex: &'a Lexicon, folded: &str, scratch: &mut String) -> Option<&'a Word> {
    let b = folded.as_bytes();
    if !b.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
        return None;
    }
    let mut squeezed = String::with_capacity(folded.len());
    for keep in [1, 2] {
        squeezed.clear();
        let mut run = 0;
        let mut last = None;
        for c in folded.chars() {
            run = if Some(c) == last { run + 1 } else { 1 };
            last = Some(c);
            if run <= keep {
                squeezed.push(c);
            }
        }
        if let Some(w) = lex.get(&squeezed, scratch) {
            return Some(w);
        }
    }
    None
}

/// English words in a post in another language ("happy", "love", "nice", "shit", "fail"),
/// as posts in every language borrow them, and the words French and the others share with
/// English ("violence", "pollution", "élégance"), read with the English lexicon's valence when
/// the language's own lexicon lacks them. Not the false friends: words of four letters or more
/// that mean something else in one of the five languages (German "Gift" is poison, "Kind" a
/// child, "gross" big; French and Italian "dire" is to say, "champs" fields), nor the English
/// lexicon's weak words (below 1.0), which are mostly plain words.
fn english_loanword(folded: &str) -> Option<f64> {
    const FALSE_FRIENDS: &str = "dire champs champ grace hago sete gross kind well fallen hell \
                                 gift bald fond favor original natural pita also fast brave \
                                 chance mist rate pretender";
    if folded.len() < 4 || !folded.is_ascii() {
        return None;
    }
    let w = super::model().words.get(folded)?;
    if w.valence.abs() < 1.0 || FALSE_FRIENDS.split_whitespace().any(|f| f == folded) {
        return None;
    }
    Some(w.valence)
}

/// Laughter written out is a friendly tone in every language, VADER's "haha" and "lol".
const LAUGHTER: f64 = 1.8;

/// "jajaja", "jejeje", "ahahah", "hahaha", "hihi" (one consonant, h or j, between vowels, at
/// least twice), Brazilian "kkkk" and "rsrs", French "mdr"/"ptdr", "lol", "xd". Folded.
fn is_laughter(word: &str) -> bool {
    let b = word.as_bytes();
    if matches!(
        word,
        "lol" | "mdr" | "ptdr" | "xd" | "xdd" | "xddd" | "lmao"
    ) {
        return true;
    }
    if b.len() >= 3 && b.iter().all(|&c| c == b'k') {
        return true;
    }
    if b.len() >= 4 && b.chunks(2).all(|p| p == b"rs") {
        return true;
    }
    if b.len() < 4 {
        return false;
    }
    let consonant = if b.contains(&b'j') { b'j' } else { b'h' };
    let mut consonants = 0;
    let mut previous_consonant = false;
    for &c in b {
        if c == consonant {
            // "hh" in a hurried "hahahha" is still laughter; a word is not ("hija" has two
            // different consonants and fails below).
            consonants += usize::from(!previous_consonant);
            previous_consonant = true;
        } else if matches!(c, b'a' | b'e' | b'i') {
            previous_consonant = false;
        } else {
            return false;
        }
    }
    consonants >= 2
}

/// An emoticon, its mouth drawn out or not (":((((((", ":DDD", ":)))))" are ":(", ":D", ":)").
fn emoticon_drawn_out(raw: &str) -> Option<f64> {
    // Most chunks are words, letters and digits only: no emoticon ("xD" is read as laughter).
    if raw.chars().all(char::is_alphanumeric) {
        return None;
    }
    if let Some(v) = emoticon(raw) {
        return Some(v);
    }
    let last = raw.chars().next_back()?;
    if !raw.is_ascii() || !matches!(last, '(' | ')' | 'D' | 'P' | 'p' | '/') {
        return None;
    }
    let mouth = raw.trim_end_matches(last);
    if mouth.is_empty() || raw.len() - mouth.len() < 2 {
        return None;
    }
    emoticon(&raw[..mouth.len() + 1])
}

/// Emoticons, with VADER's valences ("<3" 1.9, ":(" −1.9); a few that tweets in these
/// languages use and VADER lacks ("-.-", "u.u": annoyance, sadness).
fn emoticon(raw: &str) -> Option<f64> {
    Some(match raw {
        ":)" | ":-)" | "(:" | "=)" | ":))" | ":)))" | "c:" | ":3" => 2.0,
        ":D" | ":-D" | "=D" | ":DD" => 2.3,
        ";)" | ";-)" | ";D" => 1.2,
        ":P" | ":p" | ":-P" | ":-p" | ";P" | ";p" => 1.2,
        "<3" | "<33" | "<333" => 1.9,
        "^^" | "^_^" | "^.^" => 1.8,
        ":(" | ":-(" | "):" | "=(" | ":((" | ":(((" | ";(" => -1.9,
        ":'(" | ":'-(" | "T_T" | "u.u" | "U.U" | "ç_ç" | "ç__ç" => -2.2,
        ":/" | ":-/" | ":S" | ":s" | "-.-" | "-_-" | "¬¬" | "¬_¬" | "ಠ_ಠ" => -1.4,
        ">:(" | "D:" => -2.0,
        _ => return None,
    })
}

/// The languages with a model, in the order a tie between them is settled when nothing else tells
/// them apart (the order of their reviews' share at Earshot's owners is unknown: alphabetical),
/// each with its commonest little words (lower case, accents kept): articles, "is"/"was", "very", "and", "not".
/// They carry no opinion; they only tell close languages apart in a short text ("O atendimento
/// foi péssimo" is Portuguese, though Italian also has "pessimo").
const MODELLED: [(&str, &str); 5] = [
    (
        "de",
        "der die das ein eine ist war sehr und nicht mit für zu im auf ich wir es du mich mir dich dir mein nicht kein keine auch noch schon jetzt",
    ),
    (
        "es",
        "el la los las un una es fue muy de del que y en con para por pero lo al su yo te mi tu nos qué está estoy también ya",
    ),
    (
        "fr",
        "le la les un une est était très de du des que et à en avec pour pas mais au ce je tu nous vous c'est suis",
    ),
    (
        "it",
        "il lo la gli le un una è era molto di del della che con per non ma al ho io mi ti ci sono anche già",
    ),
    (
        "pt",
        "o a os as um uma é foi muito de do da que com para não mas no na ao eu você voce tá tô meu minha também já",
    ),
];

/// `MODELLED`'s little words as a set per language, in its order: one lookup a word, where
/// running through the list compared each word with some thirty.
fn common_words() -> &'static [HashSet<&'static str>] {
    static SETS: OnceLock<Vec<HashSet<&'static str>>> = OnceLock::new();
    SETS.get_or_init(|| {
        MODELLED
            .iter()
            .map(|(_, common)| common.split(' ').collect())
            .collect()
    })
}

/// The language of a short text the detector could not place ("Pésimo servicio", "Sehr
/// schlecht", "Ottimo"), read from the words each language's model knows, or `None`.
///
/// Asked only of text that read as nothing in English (no common English word, no word of the
/// English lexicon), which is where a short complaint in another language used to come out
/// neutral and raise no alert. A language wins by knowing the most of the text's words, at least
/// one of them a word of opinion. Guards, since a short English text can hold a word that means
/// something else elsewhere ("arm chair": German "arm" is poor): the detector's own guess, even
/// an unsure one, must not be English; and one known word is enough only when the detector
/// guesses one of these languages or the text is written with accents or umlauts ("pésimo").
/// `hint` is that guess. A text of four words or more (`short` false) is one the detector saw and
/// doubted: it needs two known words, one of them a little word of the language's grammar (an
/// English tweet of names and hashtags can hold a word of a foreign lexicon, never its grammar).
pub(super) fn short_text_language(
    text: &str,
    hint: Option<&'static str>,
    short: bool,
    toks: &mut Vec<Token>,
) -> Option<&'static str> {
    if hint == Some("en") {
        return None;
    }
    // Handles, hashtags and links are names, not words of a language ("@office_nerd").
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !w.starts_with(['@', '#']) && !w.contains("://") && !w.starts_with("www."))
        .collect();
    let text = words.join(" ");
    let text = text.as_str();
    let accented = text.chars().any(|c| c.is_alphabetic() && !c.is_ascii());
    // Emoji are tokens of every language: only words tell languages apart.
    let emoji = text.chars().filter(|&c| emoji_valence(c).is_some()).count();
    // Lower-cased, accents kept: French "à" is grammar, "a" is English.
    let lowered: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let hint_modelled = hint.is_some_and(|h| MODELLED.iter().any(|(l, _)| *l == h));
    let mut best: Option<(&'static str, usize)> = None;
    for ((language, _), common) in MODELLED.iter().copied().zip(common_words()) {
        let lex = lexicon(language)?;
        toks.clear();
        tokenize(lex, text, toks);
        let common = lowered
            .iter()
            .filter(|w| common.contains(w.as_str()))
            .count();
        let known = toks
            .iter()
            .filter(|t| t.valence != 0.0 || t.flags != 0)
            .count()
            .saturating_sub(emoji)
            + common;
        let opinion = toks.iter().filter(|t| t.valence != 0.0).count() > emoji;
        let trusted = if short {
            known >= 2 || hint_modelled || accented
        } else {
            known >= 2 && common >= 1
        };
        if !opinion || !trusted {
            continue;
        }
        let better = match best {
            None => true,
            Some((_, n)) => known > n || (known == n && hint == Some(language)),
        };
        if better {
            best = Some((language, known));
        }
    }
    best.map(|(language, _)| language)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The score of `text` read in `language`, the language check left out.
    fn score_in(language: &str, text: &str) -> f64 {
        let mut toks = Vec::new();
        tokenize(lexicon(language).unwrap(), text, &mut toks);
        super::super::score_tokens(super::super::model(), text, &mut toks)
    }

    /// `Lexicon::get` trying every ending in the rules' order: the reference the endings
    /// grouped by their last byte are compared with.
    fn get_trying_every_ending<'a>(lex: &'a Lexicon, folded: &str) -> Option<&'a Word> {
        if let Some(w) = lex.words.get(folded) {
            return Some(w);
        }
        for (ending, replacement) in lex.rules.endings {
            let Some(stem) = folded.strip_suffix(ending) else {
                continue;
            };
            let stem_len = stem.chars().count();
            if stem_len < 2 || (stem_len < 3 && replacement.is_empty()) {
                continue;
            }
            if let Some(w) = lex.words.get(&format!("{stem}{replacement}")) {
                return Some(w);
            }
        }
        None
    }

    #[test]
    fn endings_grouped_by_last_letter_find_the_form_every_ending_finds() {
        for (language, _) in MODELLED {
            let lex = lexicon(language).unwrap();
            let mut forms: Vec<String> = [
                "", "a", "é", "ñ", "größe", "😡", "ok", "jajaja", "lindooo", "xyzzy", "caféé",
            ]
            .iter()
            .map(|w| w.to_string())
            .collect();
            // Every word of the lexicon with every ending put on it, and with its last letter
            // taken off: forms that are words and forms that are not.
            for w in lex.words.keys() {
                forms.push(w.clone());
                let mut cut = w.clone();
                cut.pop();
                forms.push(cut);
                for (ending, _) in lex.rules.endings {
                    forms.push(format!("{w}{ending}"));
                }
            }
            let mut scratch = String::new();
            for form in &forms {
                let fast = lex.get(form, &mut scratch).map(|w| w as *const Word);
                let slow = get_trying_every_ending(lex, form).map(|w| w as *const Word);
                assert_eq!(fast, slow, "{language}: {form:?}");
            }
        }
    }

    #[test]
    fn laughter_is_told_from_words() {
        for w in [
            "jajaja", "jaja", "jejeje", "ahahah", "ahah", "hahahha", "hihi", "kkkk", "rsrs", "mdr",
            "xd",
        ] {
            assert!(is_laughter(w), "{w}");
        }
        for w in [
            "hija", "haja", "aha", "hehr", "kk", "rs", "ha", "hojas", "achat",
        ] {
            assert!(!is_laughter(w), "{w}");
        }
        assert!(score_in("es", "jajajaja") > 0.0);
        assert!(score_in("pt", "kkkkkk") > 0.0);
    }

    #[test]
    fn emoticons_and_html_entities_are_read() {
        assert!(score_in("de", "nachtiii &lt;3") > 0.0);
        assert!(score_in("de", "klappt nicht :/") < 0.0);
        assert!(score_in("es", "otra vez lunes -.-") < 0.0);
        assert!(score_in("fr", "à demain :)") > 0.0);
        assert!(score_in("it", "che giornata :(") < 0.0);
        assert!(score_in("de", "meine Tweets :((((((((") < 0.0);
        assert!(score_in("es", "mañana :DDDD") > 0.0);
    }

    #[test]
    fn handles_and_links_are_names_not_words() {
        assert!(score_in("it", "bravo") > 0.0);
        assert_eq!(score_in("it", "@bravo ci vediamo domani"), 0.0);
        assert_eq!(score_in("es", "mira http://bueno.example"), 0.0);
    }

    #[test]
    fn verbs_superlatives_and_short_stems_are_found_in_their_other_forms() {
        for (language, text, sign) in [
            ("es", "Amo este lugar", 1.0),
            ("es", "Odié la espera", -1.0),
            ("pt", "Adorei o jantar", 1.0),
            ("pt", "Amo esse lugar", 1.0),
            ("it", "Amo questo posto", 1.0),
            ("fr", "Je déteste attendre", -1.0),
            ("de", "Ich hasse Warteschlangen", -1.0),
            ("es", "Estoy sufriendo", -1.0),
            ("es", "Camisetas feas", -1.0),
            ("es", "Buenísimo", 1.0),
            ("it", "Bruttissimo", -1.0),
        ] {
            let score = score_in(language, text);
            assert!(score * sign > 0.0, "{text:?} scored {score}");
        }
    }

    #[test]
    fn drawn_out_words_are_read_as_written_once() {
        assert!(score_in("pt", "Lindooooo") > 0.0);
        assert!(score_in("es", "que asquerosooo") < 0.0);
        assert_eq!(score_in("es", "holaaaa"), 0.0);
    }

    #[test]
    fn schon_without_its_umlaut_is_already_not_beautiful() {
        assert!(score_in("de", "Das ist schön") > 0.0);
        assert_eq!(score_in("de", "Das ist schon da"), 0.0);
    }

    #[test]
    fn english_loanwords_are_read_and_false_friends_are_not() {
        assert!(score_in("de", "Bin so happy heute") > 0.0);
        assert!(score_in("it", "che fail") < 0.0);
        assert!(score_in("fr", "encore de la violence") < 0.0);
        // German "Gift" is poison, "Kind" a child: no English praise here.
        assert_eq!(score_in("de", "Das Kind schläft"), 0.0);
        assert!(score_in("de", "Gift im Essen") < 0.0);
    }

    #[test]
    fn a_question_leans_to_complaint_and_a_plain_one_stays_neutral() {
        let plain = score_in("es", "¿Abren los domingos? ¿Y los lunes?");
        assert!(plain < 0.0 && plain > -0.2, "{plain}");
        assert!(score_in("it", "Perché il mio ordine non è ancora arrivato?") < 0.0);
        assert!(score_in("pt", "Quem mais ama esse programa? Lindo demais") > 0.0);
    }

    #[test]
    fn lexicon_corrections_hold() {
        // "caro" is expensive in a complaint, "si"/"tutte"/"sur" are grammar.
        assert!(score_in("es", "Muy caro") < 0.0);
        assert!(score_in("pt", "Muito caro") < 0.0);
        assert_eq!(score_in("it", "si tutte"), 0.0);
        assert_eq!(score_in("fr", "sur la table"), 0.0);
        assert!(score_in("fr", "c'est nul") < 0.0);
        assert!(score_in("pt", "que lindo") > 0.0);
    }
}
