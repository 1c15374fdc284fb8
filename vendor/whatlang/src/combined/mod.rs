use crate::alphabets;
use crate::core::{calculate_confidence, Info, InternalQuery};
use crate::trigrams;
use crate::Lang;

#[derive(Debug)]
pub struct RawOutcome {
    pub scores: Vec<(Lang, f64)>,
    // Earshot: read only by the `dev` feature's tools.
    #[cfg_attr(not(feature = "dev"), allow(dead_code))]
    pub alphabet_raw_outcome: alphabets::RawOutcome,
    pub trigram_raw_outcome: trigrams::RawOutcome,
}

pub fn detect(iquery: &InternalQuery) -> Option<Info> {
    let raw_outcome = raw_detect(iquery);

    let count = raw_outcome.trigram_raw_outcome.trigrams_count;
    let mut normalized_scores_iter = raw_outcome.scores.into_iter();

    let opt_lang_score1 = normalized_scores_iter.next();
    let opt_lang_score2 = normalized_scores_iter.next();

    // TODO: Logic is duplicated in alphabets and trigrams. Consider refactoring
    opt_lang_score1.map(|(lang1, score1)| {
        let script = iquery.multi_lang_script.to_script();
        let confidence = if let Some((_, score2)) = opt_lang_score2 {
            calculate_confidence(score1, score2, count)
        } else {
            1.0
        };
        Info::new(script, lang1, confidence)
    })
}

// TODO: optimize!
pub fn raw_detect(iquery: &InternalQuery) -> RawOutcome {
    let alphabet_raw_outcome = alphabets::raw_detect(iquery);
    let trigram_raw_outcome = trigrams::raw_detect(iquery);

    let alphabet_scores = &alphabet_raw_outcome.scores;
    let trigram_scores = &trigram_raw_outcome.scores;

    // Earshot's patch: each language's two scores are read from tables indexed by the language
    // instead of two linear searches per language (some 40 Latin languages, each looked up in
    // both lists). The languages come in the same order (the alphabet's, then the trigrams' it
    // lacked) and each score is the same product and sum, so the sort below sees the same input.
    let langs = Lang::all().len();
    let mut alphabet_of: Vec<Option<f64>> = vec![None; langs];
    let mut trigram_of: Vec<Option<f64>> = vec![None; langs];
    let mut all_langs: Vec<Lang> = Vec::with_capacity(alphabet_scores.len() + trigram_scores.len());
    for &(lang, a) in alphabet_scores {
        if alphabet_of[lang as usize].is_none() {
            alphabet_of[lang as usize] = Some(a);
        }
        all_langs.push(lang);
    }
    let mut listed: Vec<bool> = vec![false; langs];
    for &lang in &all_langs {
        listed[lang as usize] = true;
    }
    for &(lang, t) in trigram_scores {
        if trigram_of[lang as usize].is_none() {
            trigram_of[lang as usize] = Some(t);
        }
        if !listed[lang as usize] {
            listed[lang as usize] = true;
            all_langs.push(lang);
        }
    }

    let count = alphabet_raw_outcome.count;

    let alphabet_weight = calc_alphabet_weight(count);
    let trigram_weight = 1.0 - alphabet_weight;

    let mut scores = Vec::with_capacity(all_langs.len());

    for lang in all_langs {
        let a: f64 = alphabet_of[lang as usize].unwrap_or(0.0);
        let t: f64 = trigram_of[lang as usize].unwrap_or(0.0);

        debug_assert!(a >= 0.0);
        debug_assert!(a <= 1.0);
        debug_assert!(t >= 0.0);
        debug_assert!(t <= 1.0);

        let score = a * alphabet_weight + t * trigram_weight;

        debug_assert!(score >= 0.0);
        debug_assert!(score <= 1.0);

        scores.push((lang, score));
    }

    scores.sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Less));

    RawOutcome {
        scores,
        alphabet_raw_outcome,
        trigram_raw_outcome,
    }
}

// Function that calculates weight of alphabet score depending on number of characters in the given
// text. The longer text the less significant alphabet weight is (and the more significant is
// trigram weight).
//
// y = -(x/300) + 2/3
// where:
//   x - number of characters
//   y = alphabet weight
//
//
//          alphabet weight
//          ^
//          |
//     2/3 -* (0; 2/3)
//          | \_
//          |   \_
//          |     \_
//          |       \_
//          |         \  (100; 1/3)
//     1/3 -|          *------------
//          |
//          +----------|------------> count
//         0          100
//
fn calc_alphabet_weight(count: usize) -> f64 {
    let weight = -(count as f64 / 300.0) + 2.0 / 3.0;
    weight.clamp(1.0 / 3.0, 2.0 / 3.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_calc_alphabet_weight() {
        assert_eq!(calc_alphabet_weight(0), 2.0 / 3.0);
        assert_eq!(calc_alphabet_weight(50), 0.5);
        assert_eq!(calc_alphabet_weight(100), 1.0 / 3.0);
        assert_eq!(calc_alphabet_weight(200), 1.0 / 3.0);
    }

    /// whatlang's own merging of the two lists (a linear search per language), the reference
    /// Earshot's tables are compared with.
    fn merged_by_search(iquery: &InternalQuery) -> Vec<(Lang, f64)> {
        let alphabet_scores = alphabets::raw_detect(iquery).scores;
        let trigram_raw_outcome = trigrams::raw_detect(iquery);
        let trigram_scores = &trigram_raw_outcome.scores;
        let mut all_langs: Vec<Lang> = alphabet_scores.iter().map(|x| x.0).collect();
        trigram_scores.iter().for_each(|(lang, _)| {
            if !all_langs.contains(lang) {
                all_langs.push(*lang);
            }
        });
        let alphabet_weight = calc_alphabet_weight(alphabets::raw_detect(iquery).count);
        let trigram_weight = 1.0 - alphabet_weight;
        let mut scores = vec![];
        for lang in all_langs {
            let a = alphabet_scores
                .iter()
                .find(|(l, _)| l == &lang)
                .map_or(0.0, |x| x.1);
            let t = trigram_scores
                .iter()
                .find(|(l, _)| l == &lang)
                .map_or(0.0, |x| x.1);
            scores.push((lang, a * alphabet_weight + t * trigram_weight));
        }
        scores.sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Less));
        scores
    }

    /// Earshot's patch: the scores merged through tables are the reference's, bit for bit and in
    /// the same order, on text in each language Earshot scores, mixed text, emoji and noise.
    #[test]
    fn merged_scores_equal_the_linear_searches() {
        use crate::core::{FilterList, Text};
        use crate::scripts::grouping::MultiLangScript;
        let texts = [
            "The coffee was cold and the service slow.",
            "El desayuno estaba frío pero el personal fue amable",
            "Le personnel était très aimable et la chambre propre",
            "Das Essen war kalt und der Kellner unfreundlich",
            "Il servizio è stato pessimo, non tornerò",
            "O atendimento foi péssimo, nunca mais volto",
            "Great pizza but el servicio fue lento 😡",
            "😍😍😍 !!!",
            "ok",
            "jajajaja @user http://t.co/x #fail",
            "Прекрасный отель, очень чистый номер",
        ];
        for text in texts {
            let filter_list = FilterList::default();
            for script in [MultiLangScript::Latin, MultiLangScript::Cyrillic] {
                let iquery = InternalQuery {
                    text: Text::new(text),
                    filter_list: &filter_list,
                    multi_lang_script: script,
                };
                let ours: Vec<(Lang, u64)> = raw_detect(&iquery)
                    .scores
                    .iter()
                    .map(|&(l, s)| (l, s.to_bits()))
                    .collect();
                let reference: Vec<(Lang, u64)> = merged_by_search(&iquery)
                    .iter()
                    .map(|&(l, s)| (l, s.to_bits()))
                    .collect();
                assert_eq!(ours, reference, "{text}");
            }
        }
    }
}
