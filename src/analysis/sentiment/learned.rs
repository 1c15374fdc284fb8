//! The English learned model: a logistic regression over hashed word unigrams and bigrams,
//! trained offline on 50,000 labelled IMDB reviews by `tools/sentiment/train.py`, which writes
//! `assets/sentiment/learned-en.bin` (origin, licence and figures: `docs/sentiment-data.md`).
//!
//! It reads the polarity of a whole text, which the lexicon rules miss where a verdict is made of
//! plain words ("the plot goes nowhere") or spread over a long review; it has no neutral class, so
//! `sentiment.rs` lets it settle only which side of 0 a text leans to, never its label (`blend`).
//!
//! The features must be exactly the ones `train.py` makes; that file says how they are read, and
//! `tests/fixtures/sentiment-learned-en.tsv` (written by it) is the check both agree. Reading a text
//! is one pass over its bytes with no allocation: each word's FNV-1a hash is kept for the next,
//! whose bigram mixes the two.

use std::sync::OnceLock;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// Words that put the rest of their clause under negation (besides any word ending in "n't").
const NEGATIONS: &[&[u8]] = &[
    b"not", b"no", b"never", b"nor", b"cannot", b"nothing", b"none", b"nobody", b"neither",
    b"without", b"hardly", b"barely",
];

/// The weights stay i16 (512 KB, half what f32 would take, so more of them stay in cache during
/// a bulk import); a text's sum is exact in integers and scaled once.
struct Weights {
    bias: f64,
    scale: f64,
    mask: u64,
    /// The i16 weights as the file holds them (little-endian), read in place: the file is
    /// compiled in, so nothing needs copying.
    weights: &'static [u8],
}

fn weights() -> &'static Weights {
    static WEIGHTS: OnceLock<Weights> = OnceLock::new();
    WEIGHTS.get_or_init(|| parse(include_bytes!("../../../assets/sentiment/learned-en.bin")))
}

/// The file is built by `train.py` and compiled in, so a malformed one is a build mistake: panic.
fn parse(bytes: &'static [u8]) -> Weights {
    assert_eq!(
        &bytes[..4],
        b"ESLR",
        "learned-en.bin: not a learned model file"
    );
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
    let f32_at = |i: usize| f32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
    assert_eq!(u32_at(4), 1, "learned-en.bin: unknown version");
    let bits = u32_at(8);
    let (bias, scale) = (f32_at(12), f32_at(16));
    let body = &bytes[20..];
    assert_eq!(body.len(), 2 << bits, "learned-en.bin: wrong size");
    Weights {
        bias: f64::from(bias),
        scale: f64::from(scale),
        mask: (1u64 << bits) - 1,
        weights: body,
    }
}

fn fnv(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(FNV_PRIME))
}

/// FNV-1a over the bytes with ASCII letters lowercased.
fn fnv_lower(h: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(h, |h, b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(FNV_PRIME)
    })
}

/// A bigram's hash from its two words' hashes: cheaper than hashing the pair's bytes.
fn pair_hash(prev: u64, word: u64) -> u64 {
    (prev.wrapping_mul(GOLDEN) ^ word).wrapping_mul(FNV_PRIME)
}

/// The bucket of a hash: its high half folded in, so a bigram's bucket depends on all of both
/// words' hashes.
fn bucket(h: u64, mask: u64) -> usize {
    ((h ^ (h >> 32)) & mask) as usize
}

fn is_word_byte(b: u8) -> bool {
    b >= 0x80 || b == b'\'' || b.is_ascii_alphanumeric()
}

fn is_clause_end(b: u8) -> bool {
    matches!(
        b,
        b'.' | b',' | b'!' | b'?' | b';' | b':' | b'(' | b')' | b'"' | b'\n'
    )
}

/// Calls `each` with every feature's 64-bit hash, in the order `train.py` makes them.
fn features(text: &str, mut each: impl FnMut(u64)) {
    let bytes = text.as_bytes();
    let (mut i, n) = (0, bytes.len());
    let (mut negated, mut fresh) = (false, true);
    // The previous word's plain hash (a bigram needs it within one clause: `fresh` says).
    let mut prev: Option<u64> = None;
    // Lowercased copy of a word, for the negation check only (words longer than this are none).
    let mut word = [0u8; 8];
    while i < n {
        let b = bytes[i];
        if !is_word_byte(b) {
            if is_clause_end(b) {
                (negated, fresh) = (false, true);
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < n && is_word_byte(bytes[i]) {
            i += 1;
        }
        let mut w = &bytes[start..i];
        while let [b'\'', rest @ ..] = w {
            w = rest;
        }
        while let [rest @ .., b'\''] = w {
            w = rest;
        }
        if w.is_empty() {
            continue;
        }
        let h = fnv_lower(FNV_OFFSET, w);
        each(if negated {
            fnv_lower(fnv(FNV_OFFSET, b"!"), w)
        } else {
            h
        });
        if let (Some(p), false) = (prev, fresh) {
            each(pair_hash(p, h));
        }
        prev = Some(h);
        fresh = false;
        if !negated {
            negated = is_negation(w, &mut word);
        }
    }
}

fn is_negation(w: &[u8], buf: &mut [u8; 8]) -> bool {
    let lower = |b: &u8| b.to_ascii_lowercase();
    if w.len() >= 3
        && w[w.len() - 3..]
            .iter()
            .map(lower)
            .eq(b"n't".iter().copied())
    {
        return true;
    }
    if w.len() > buf.len() {
        return false;
    }
    for (d, s) in buf.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    NEGATIONS.contains(&&buf[..w.len()])
}

/// Probability in 0..1 that `text` is positive; 0.5 for a text with no words.
pub fn probability(text: &str) -> f64 {
    let m = weights();
    let (mut sum, mut count) = (0i64, 0u32);
    features(text, |h| {
        let at = 2 * bucket(h, m.mask);
        sum += i64::from(i16::from_le_bytes([m.weights[at], m.weights[at + 1]]));
        count += 1;
    });
    if count == 0 {
        return 0.5;
    }
    let z = m.bias + sum as f64 * m.scale / f64::from(count).sqrt();
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `train.py` wrote, for a handful of texts, their feature buckets and the probability it
    /// computes with the shipped weights: the Rust reading must give the same.
    #[test]
    fn agrees_with_the_training_script() {
        let fixture = include_str!("../../../tests/fixtures/sentiment-learned-en.tsv");
        let m = weights();
        let mut checked = 0;
        for line in fixture.lines().filter(|l| !l.starts_with('#')) {
            let mut parts = line.split('\t');
            let (text, buckets, p) = (
                parts.next().expect("text"),
                parts.next().expect("buckets"),
                parts.next().expect("probability"),
            );
            let want: Vec<u64> = buckets
                .split(',')
                .filter(|b| !b.is_empty())
                .map(|b| b.parse().expect("bucket"))
                .collect();
            let mut got = Vec::new();
            features(text, |h| got.push(bucket(h, m.mask) as u64));
            got.sort_unstable();
            assert_eq!(got, want, "features of {text:?}");
            let p: f64 = p.parse().expect("probability");
            let ours = probability(text);
            assert!((ours - p).abs() < 1e-6, "{text:?}: {ours} vs {p}");
            checked += 1;
        }
        assert!(checked >= 5, "the fixture holds {checked} texts");
    }

    #[test]
    fn clear_verdicts_take_their_side() {
        assert!(probability("Don't waste your time here.") < 0.5);
        assert!(probability("Best pizza in town!") > 0.5);
        assert_eq!(probability(" ... "), 0.5);
    }
}
