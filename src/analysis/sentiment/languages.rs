//! Sentiment in Spanish, French, German, Italian and Portuguese: a lexicon model per language
//! with the English model's rules (negation, boosters and dampeners, "too", contrast, caps,
//! exclamation marks, emoji, the mixed-review damping), fed by that language's own word lists.
//!
//! The lexicons (`assets/sentiment/lexicon-LANG.tsv`, made by
//! `tools/sentiment/build_lexicons.py` from registry packages; docs/sentiment-data.md says
//! which and under what licence) hold words lower-cased with their accents folded, and the text
//! is folded the same way, so "pésimo" and a hurried "pesimo" read alike. No labelled text in
//! these languages was to be had for training: these are lexicon models, measured by `make eval`.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use super::{
    emoji_valence, is_caps, FxHasher, Token, Word, F_BOOSTER, F_CONTRAST, F_DAMPENER, F_EXCESS,
    F_FACT_NEGATION, F_NEGATION,
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
};

const FRENCH: Rules = Rules {
    negations: "ne n pas jamais rien aucun aucune personne sans ni guere peu",
    fact_negations: "pas sans aucun aucune",
    boosters: "tres trop vraiment tellement super hyper extremement absolument totalement \
               vachement particulierement si",
    dampeners: "assez plutot",
    excess: "trop",
    contrast: "mais cependant pourtant toutefois",
};

// German "zu" is "too" and "to": no excess rule ("zu Hause" is no complaint).
const GERMAN: Rules = Rules {
    negations: "nicht kein keine keinen keinem keiner keines nie niemals nichts ohne weder kaum",
    fact_negations: "nicht kein keine keinen keinem keiner ohne",
    boosters: "sehr total extrem wirklich echt super absolut besonders ausserst richtig voll \
               ganz uberaus unglaublich so",
    dampeners: "ziemlich etwas eher relativ",
    excess: "",
    contrast: "aber jedoch doch trotzdem allerdings",
};

const ITALIAN: Rules = Rules {
    negations: "non mai nessun nessuno nessuna niente nulla senza poco",
    fact_negations: "non senza nessun nessuno nessuna",
    boosters: "molto troppo davvero veramente estremamente super proprio tanto cosi \
               assolutamente particolarmente decisamente",
    dampeners: "abbastanza piuttosto",
    excess: "troppo troppa troppi troppe",
    contrast: "ma pero tuttavia",
};

const PORTUGUESE: Rules = Rules {
    negations: "nao nunca jamais nem nada nenhum nenhuma sem ninguem pouco",
    fact_negations: "nao sem nenhum nenhuma",
    boosters: "muito muita muitos muitas demais super bem bastante extremamente realmente tao \
               totalmente absolutamente mto mt",
    dampeners: "meio",
    excess: "",
    contrast: "mas porem contudo entretanto",
};

pub(super) struct Lexicon {
    words: HashMap<String, Word, BuildHasherDefault<FxHasher>>,
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

fn build(tsv: &str, rules: &Rules) -> Lexicon {
    let mut words: HashMap<String, Word, BuildHasherDefault<FxHasher>> =
        HashMap::with_capacity_and_hasher(tsv.len() / 12, Default::default());
    for line in tsv.lines() {
        if let Some((w, v)) = line.split_once('\t') {
            if let Ok(v) = v.trim().parse::<f64>() {
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
    Lexicon { words }
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
/// "n'est"), folded; emoji as tokens of their own. Punctuation after a word ends its clause
/// or sentence as in English.
pub(super) fn tokenize(lex: &Lexicon, text: &str, out: &mut Vec<Token>) {
    let mut buf = String::new();
    let mut start: Option<usize> = None;
    let push_word = |word: &str, buf: &mut String, out: &mut Vec<Token>| {
        buf.clear();
        fold_into(word, buf);
        let mut t = Token {
            caps: is_caps(word),
            ..Token::default()
        };
        if let Some(w) = lex.words.get(buf.as_str()) {
            t.valence = w.valence;
            t.flags = w.flags;
        }
        out.push(t);
    };
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            push_word(&text[s..i], &mut buf, out);
        }
        match c {
            ',' | ';' | ':' | '.' | '!' | '?' | '…' => {
                if let Some(t) = out.last_mut() {
                    t.clause_end = true;
                    t.sentence_end |= matches!(c, '.' | '!' | '?' | ';' | '…');
                }
            }
            c if !c.is_ascii() => {
                if let Some(v) = emoji_valence(c) {
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
        push_word(&text[s..], &mut buf, out);
    }
}
