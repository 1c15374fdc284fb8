#!/usr/bin/env python3
"""A development set for tuning the English lexicon rules (issue 27), apart from every eval set.

The Booking.com sample (tests/fixtures/booking-hotel-reviews-sample.csv, CC0) splits each review
into what the guest liked (`Positive_Review`) and what they did not (`Negative_Review`): each half
is a short review text labelled by its field. Only the EVEN rows are taken (row 0 = the first
review), the half that `make eval` already reserves for choosing tuning values; the odd rows stay
the check. Empty halves and the "nothing"/"none" answers (no complaint, not a negative text) are
left out.

    python3 tools/sentiment/dev_set.py target/dev-sets/en-dev-booking-halves.tsv
    ./target/release/examples/eval tests/fixtures/booking-hotel-reviews-sample.csv --sets target/dev-sets

Writes `label <TAB> 0 <TAB> text` (no VADER column: 0).
"""
import csv
import os
import sys

EMPTY = {
    "", "no positive", "no negative", "nothing", "none", "n a", "na", "nothing at all",
    "nothing really", "no complaints", "everything", "all", "nil", "not applicable",
}


def main(out):
    rows = list(csv.DictReader(open("tests/fixtures/booking-hotel-reviews-sample.csv", encoding="utf-8")))
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for i, row in enumerate(rows):
            if i % 2:
                continue
            for field, label in (("Positive_Review", "pos"), ("Negative_Review", "neg")):
                text = " ".join(row[field].split())
                if text.lower().strip(" .!") in EMPTY or len(text.split()) < 2:
                    continue
                f.write(f"{label}\t0\t{text}\n")
                n += 1
    print(f"{out}: {n} items")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/dev-sets/en-dev-booking-halves.tsv")
