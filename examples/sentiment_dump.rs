//! For choosing how the English learned model and the lexicon combine (`tools/sentiment/blend.py`):
//! prints, for every item of the given labelled sets (`label <TAB> vader <TAB> text`), the set's
//! file name, the label, the lexicon's score (0 when unscored), the language the text was read in
//! and the learned model's probability, tab-separated. Development sets only: never tune on eval sets.
//!
//!     cargo run --release --example sentiment_dump -- target/dev-sets/*.tsv > target/blend.tsv

use earshot::analysis::sentiment;

fn main() -> anyhow::Result<()> {
    let mut out = String::new();
    for path in std::env::args().skip(1) {
        let name = std::path::Path::new(&path)
            .file_stem()
            .map_or(String::new(), |s| s.to_string_lossy().into_owned());
        for line in std::fs::read_to_string(&path)?.lines() {
            let mut parts = line.splitn(3, '\t');
            let (Some(label), Some(_), Some(text)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let (scored, language) = sentiment::analyze_with_language(text);
            // English is scored by `score`'s reading before the learned model blends in.
            let lexicon = match language {
                None | Some("en") => sentiment::score(text),
                Some(_) => scored.map_or(0.0, |s| s.score),
            };
            let p = sentiment::learned::probability(text);
            out.push_str(&format!(
                "{name}\t{label}\t{}\t{}\t{p:.6}\t{}\n",
                lexicon,
                language.unwrap_or("-"),
                text.split_ascii_whitespace().count(),
            ));
        }
    }
    print!("{out}");
    Ok(())
}
