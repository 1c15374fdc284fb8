#!/usr/bin/env python3
"""Compares two `eval --dump` files item by item: the check that a change meant only to make
scoring faster leaves every item's language and score as they were.

    ./target/release/examples/eval --sets tests/fixtures/eval --sets target/eval-data \
        --sets target/dev-sets --dump target/analyses-new.tsv
    python3 tools/sentiment/compare_analyses.py target/analyses-old.tsv target/analyses-new.tsv

Prints, per set, the items, how many changed language and how many changed score, and the first
few changed items; exits 1 when any item changed.
"""

import sys
from collections import defaultdict


def read(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t", 4)
            if len(parts) < 5:
                continue
            set_name, row, language, score, text = parts
            rows[(set_name, int(row))] = (language, score, text)
    return rows


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    old, new = read(sys.argv[1]), read(sys.argv[2])
    if old.keys() != new.keys():
        sys.exit("the two files hold different items: were they made with the same --sets?")
    items = defaultdict(int)
    language_changed = defaultdict(int)
    score_changed = defaultdict(int)
    examples = []
    for key in sorted(old):
        set_name = key[0]
        items[set_name] += 1
        (old_lang, old_score, text), (new_lang, new_score, _) = old[key], new[key]
        if old_lang != new_lang:
            language_changed[set_name] += 1
        if old_score != new_score:
            score_changed[set_name] += 1
        if (old_lang, old_score) != (new_lang, new_score) and len(examples) < 20:
            examples.append(f"  {key[0]}:{key[1]} {old_lang} {old_score} -> {new_lang} {new_score}: {text[:100]}")
    print(f"{'set':<32} {'items':>6} {'language':>9} {'score':>6}")
    for set_name in sorted(items):
        print(f"{set_name:<32} {items[set_name]:>6} {language_changed[set_name]:>9} {score_changed[set_name]:>6}")
    total, lang, score = sum(items.values()), sum(language_changed.values()), sum(score_changed.values())
    print(f"{'all':<32} {total:>6} {lang:>9} {score:>6}")
    print("\n".join(examples))
    sys.exit(1 if lang or score else 0)


if __name__ == "__main__":
    main()
