use hashbrown::HashMap;

#[cfg(test)]
use super::utils::get_trigrams_with_positions;
use super::utils::ranked_trigrams;
use super::{LangProfile, LangProfileList};
use super::{Trigram, MAX_TOTAL_DISTANCE, MAX_TRIGRAM_DISTANCE};
use super::{ARABIC_LANGS, CYRILLIC_LANGS, DEVANAGARI_LANGS, HEBREW_LANGS, LATIN_LANGS};
use crate::core::{calculate_confidence, FilterList, Info, InternalQuery, Text};
use crate::scripts::grouping::MultiLangScript;
use crate::Lang;

#[derive(Debug)]
pub struct RawOutcome {
    pub trigrams_count: usize,
    // Earshot: read only by the `dev` feature's tools.
    #[cfg_attr(not(feature = "dev"), allow(dead_code))]
    pub raw_distances: Vec<(Lang, u32)>,
    pub scores: Vec<(Lang, f64)>,
}

#[inline]
pub fn detect(iquery: &InternalQuery) -> Option<Info> {
    let raw_outcome = raw_detect(iquery);
    let RawOutcome {
        trigrams_count,
        scores,
        ..
    } = raw_outcome;

    let mut raw_scores_iter = scores.into_iter();

    let opt_lang_score1 = raw_scores_iter.next();
    let opt_lang_score2 = raw_scores_iter.next();

    // TODO: Logic is duplicated in alphabets. Consider refactoring
    opt_lang_score1.map(|(lang1, score1)| {
        let script = iquery.multi_lang_script.to_script();
        let confidence = if let Some((_, score2)) = opt_lang_score2 {
            calculate_confidence(score1, score2, trigrams_count)
        } else {
            1.0
        };
        Info::new(script, lang1, confidence)
    })
}

#[inline]
pub fn raw_detect(iquery: &InternalQuery) -> RawOutcome {
    let lang_profile_list = script_to_lang_profile_list(iquery.multi_lang_script);
    calculate_scores_in_profiles(&iquery.text, iquery.filter_list, lang_profile_list)
}

fn script_to_lang_profile_list(script: MultiLangScript) -> LangProfileList {
    use MultiLangScript as MLS;
    match script {
        MLS::Latin => LATIN_LANGS,
        MLS::Cyrillic => CYRILLIC_LANGS,
        MLS::Arabic => ARABIC_LANGS,
        MLS::Devanagari => DEVANAGARI_LANGS,
        MLS::Hebrew => HEBREW_LANGS,
    }
}

#[inline]
fn calculate_scores_in_profiles(
    text: &Text,
    filter_list: &FilterList,
    lang_profile_list: LangProfileList,
) -> RawOutcome {
    let mut lang_distances: Vec<(Lang, u32)> = vec![];

    // Earshot's patch: the ranked trigrams come packed in a vector (`ranked_trigrams`), the same
    // ranks `get_trigrams_with_positions` gives, without a hash map of `Trigram`s.
    let trigram_positions =
        SCRATCH.with(|all| ranked_trigrams(&text.lowercase(), &mut all.borrow_mut()));
    let unique_trigrams_count = trigram_positions.len();

    // Earshot's patch: the distances come from an index of the profiles by trigram, so each
    // of the text's trigrams is looked up once instead of every profile trigram of every
    // language being looked up in the text (about 11,000 hash lookups a call for Latin). The
    // sums are the same integers, so the outcome is identical to `calculate_distance`'s.
    let distances = profile_index(lang_profile_list).distances(&trigram_positions);
    for (&(lang, _), dist) in lang_profile_list.iter().zip(distances) {
        if !filter_list.is_allowed(lang) {
            continue;
        }
        lang_distances.push(((lang), dist));
    }

    // Sort languages by distance
    lang_distances.sort_unstable_by_key(|(_, dist)| *dist);

    let max_dist = unique_trigrams_count as u32 * MAX_TRIGRAM_DISTANCE;

    let raw_scores = lang_distances
        .iter()
        .map(|&(lang, distance)| (lang, distance_to_raw_score(distance, max_dist)))
        .collect();

    RawOutcome {
        trigrams_count: unique_trigrams_count,
        scores: raw_scores,
        raw_distances: lang_distances,
    }
}

std::thread_local! {
    /// Every trigram of the text, for `ranked_trigrams` to sort: kept from call to call.
    static SCRATCH: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Hashing of a packed trigram by MurmurHash3's finaliser: two multiplications instead of the
/// default hasher's rounds. Mixed, because the table picks a slot from the hash's low bits and a
/// packed trigram's low bits are its last character alone.
#[derive(Default)]
struct PackedHasher(u64);

impl std::hash::Hasher for PackedHasher {
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Where each trigram stands in the profiles of one script's languages.
struct ProfileIndex {
    /// Packed trigram to its run in `places`.
    runs: HashMap<u64, (u32, u32), std::hash::BuildHasherDefault<PackedHasher>>,
    /// (language index in the profile list, position in its profile), grouped by trigram.
    places: Vec<(u16, u16)>,
    /// Length of each language's profile, in list order.
    lengths: Vec<u32>,
}

impl ProfileIndex {
    fn new(list: LangProfileList) -> ProfileIndex {
        let mut positions: HashMap<u64, Vec<(u16, u16)>> = HashMap::new();
        for (l, &(_, profile)) in list.iter().enumerate() {
            for (i, &trigram) in profile.iter().enumerate() {
                positions
                    .entry(trigram.packed())
                    .or_default()
                    .push((l as u16, i as u16));
            }
        }
        let mut runs = HashMap::default();
        let mut places = Vec::new();
        for (trigram, found) in positions {
            runs.insert(trigram, (places.len() as u32, found.len() as u32));
            places.extend(found);
        }
        let lengths = list.iter().map(|(_, p)| p.len() as u32).collect();
        ProfileIndex {
            runs,
            places,
            lengths,
        }
    }

    /// `calculate_distance` for every language of the list, in list order: a profile trigram
    /// missing from the text costs MAX_TRIGRAM_DISTANCE, one present costs the difference of
    /// its positions, so the total is the all-missing cost minus what each present one saves.
    fn distances(&self, text_trigrams: &[(u64, u32)]) -> Vec<u32> {
        let max = i64::from(MAX_TRIGRAM_DISTANCE);
        let mut totals: Vec<i64> = self.lengths.iter().map(|&n| i64::from(n) * max).collect();
        for (trigram, &n) in text_trigrams.iter().map(|(t, n)| (t, n)) {
            if let Some(&(start, len)) = self.runs.get(trigram) {
                let found = &self.places[start as usize..(start + len) as usize];
                for &(l, i) in found {
                    totals[usize::from(l)] -= max - (i64::from(n) - i64::from(i)).abs();
                }
            }
        }
        let count = text_trigrams.len() as u32;
        totals
            .into_iter()
            .map(|total| {
                let mut total_dist = total as u32;
                if MAX_TRIGRAM_DISTANCE > count {
                    let delta = MAX_TRIGRAM_DISTANCE - count;
                    total_dist -= delta * MAX_TRIGRAM_DISTANCE;
                }
                total_dist.clamp(0, MAX_TOTAL_DISTANCE)
            })
            .collect()
    }
}

/// The index of a script's profile list, built on first use (one per script, kept for the
/// life of the process).
fn profile_index(list: LangProfileList) -> &'static ProfileIndex {
    use once_cell::sync::Lazy;
    static LATIN: Lazy<ProfileIndex> = Lazy::new(|| ProfileIndex::new(LATIN_LANGS));
    static CYRILLIC: Lazy<ProfileIndex> = Lazy::new(|| ProfileIndex::new(CYRILLIC_LANGS));
    static ARABIC: Lazy<ProfileIndex> = Lazy::new(|| ProfileIndex::new(ARABIC_LANGS));
    static DEVANAGARI: Lazy<ProfileIndex> = Lazy::new(|| ProfileIndex::new(DEVANAGARI_LANGS));
    static HEBREW: Lazy<ProfileIndex> = Lazy::new(|| ProfileIndex::new(HEBREW_LANGS));
    match list {
        l if std::ptr::eq(l, LATIN_LANGS) => &LATIN,
        l if std::ptr::eq(l, CYRILLIC_LANGS) => &CYRILLIC,
        l if std::ptr::eq(l, ARABIC_LANGS) => &ARABIC,
        l if std::ptr::eq(l, DEVANAGARI_LANGS) => &DEVANAGARI,
        _ => &HEBREW,
    }
}

#[allow(dead_code)] // kept as the reference the tests compare the index with
#[inline]
fn calculate_distance(lang_trigrams: LangProfile, text_trigrams: &HashMap<Trigram, u32>) -> u32 {
    let mut total_dist = 0u32;

    for (i, &trigram) in lang_trigrams.iter().enumerate() {
        let dist = match text_trigrams.get(&trigram) {
            Some(&n) => (n as i32 - i as i32).unsigned_abs(),
            None => MAX_TRIGRAM_DISTANCE,
        };
        total_dist += dist;
    }

    let count = text_trigrams.len() as u32;

    if MAX_TRIGRAM_DISTANCE > count {
        let delta = MAX_TRIGRAM_DISTANCE - count;
        total_dist -= delta * MAX_TRIGRAM_DISTANCE;
    }

    total_dist.clamp(0, MAX_TOTAL_DISTANCE)
}

#[inline]
fn distance_to_raw_score(distance: u32, max_distance: u32) -> f64 {
    let similarity = max_distance - distance;
    similarity as f64 / max_distance as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ranked_trigrams` of a text, sorted by trigram to compare with the map's entries.
    fn ranked(text: &str) -> Vec<(u64, u32)> {
        let mut ranked = ranked_trigrams(&Text::new(text).lowercase(), &mut Vec::new());
        ranked.sort_unstable();
        ranked
    }

    /// The original ranking's map, packed and sorted by trigram.
    fn packed(positions: &HashMap<Trigram, u32>) -> Vec<(u64, u32)> {
        let mut packed: Vec<(u64, u32)> = positions.iter().map(|(t, &n)| (t.packed(), n)).collect();
        packed.sort_unstable();
        packed
    }

    /// Earshot's patch: the index gives exactly the distances of the original computation, and
    /// the ranking by sorting exactly the original ranks.
    #[test]
    fn indexed_distances_equal_the_original_ones() {
        let texts = [
            "Die Ordnung muss für immer in diesem Codebase bleiben",
            "service felt a bit slow",
            "Waited forever for a flat white",
            "Le personnel était très aimable et la chambre propre",
            "El desayuno estaba frío pero el personal fue amable",
            "Прекрасный отель, очень чистый номер",
            "ok",
            "the the the the the the the the the the the the the the the the the",
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor \
             incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud \
             exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure \
             dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur \
             Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt.",
        ];
        for list in [LATIN_LANGS, CYRILLIC_LANGS, ARABIC_LANGS, DEVANAGARI_LANGS, HEBREW_LANGS] {
            for text in texts {
                let positions = get_trigrams_with_positions(&Text::new(text).lowercase())
                    .trigram_positions;
                let original: Vec<u32> = list
                    .iter()
                    .map(|&(_, profile)| calculate_distance(profile, &positions))
                    .collect();
                let ranked = ranked(text);
                assert_eq!(ranked, packed(&positions), "{text}");
                assert_eq!(profile_index(list).distances(&ranked), original, "{text}");
            }
        }
        // And on random texts of every length up to well past the 600 trigrams kept.
        let alphabet: Vec<char> = "aeioun tsrlhdcmé ñüöçßàпрнаיםاہकी ".chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..400 {
            let len = (round * 7) % 1500;
            let text: String = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            let positions =
                get_trigrams_with_positions(&Text::new(&text).lowercase()).trigram_positions;
            let ranked = ranked(&text);
            assert_eq!(ranked, packed(&positions), "{text}");
            for list in [LATIN_LANGS, CYRILLIC_LANGS, ARABIC_LANGS, DEVANAGARI_LANGS, HEBREW_LANGS] {
                let original: Vec<u32> = list
                    .iter()
                    .map(|&(_, profile)| calculate_distance(profile, &positions))
                    .collect();
                assert_eq!(profile_index(list).distances(&ranked), original, "{text}");
            }
        }
    }

    #[test]
    fn test_when_german_is_given() {
        let text = "Die Ordnung muss für immer in diesem Codebase bleiben";
        let iq = InternalQuery {
            text: Text::new(text),
            filter_list: &FilterList::default(),
            multi_lang_script: MultiLangScript::Latin,
        };
        let raw_outcome = raw_detect(&iq);

        assert_eq!(raw_outcome.trigrams_count, 50);

        let &(first_lang, first_score) = raw_outcome.scores.first().unwrap();
        let &(_last_lang, last_score) = raw_outcome.scores.last().unwrap();

        assert_eq!(first_lang, Lang::Deu);

        assert!(first_score >= 0.0);
        assert!(first_score <= 1.0);

        assert!(last_score >= 0.0);
        assert!(last_score <= 1.0);
    }
}
