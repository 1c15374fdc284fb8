//! For choosing how the English learned model and the lexicon combine (`tools/sentiment/blend.py`):
//! prints, for every item of the given labelled sets (`label <TAB> vader <TAB> text`), the set's
//! file name, the label, the lexicon's score (0 when unscored), the language the text was read in
//! and the learned model's probability, tab-separated. Development sets only: never tune on eval sets.
//!
//!     cargo run --release --example sentiment_dump -- target/blend/*.tsv > target/blend/dump.tsv
//!     cargo run --release --example sentiment_dump -- --time tests/fixtures/eval/en-uci-sentences.tsv

use earshot::analysis::sentiment;

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--time") {
        return time(&args[1..]);
    }
    let mut out = String::new();
    for path in args.drain(..) {
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

/// `--time FILE…`: µs per item for the whole English scoring (`analyze`) and for the learned
/// model's share of it (`learned::probability`), over several passes.
fn time(paths: &[String]) -> anyhow::Result<()> {
    let mut texts = Vec::new();
    for path in paths {
        for line in std::fs::read_to_string(path)?.lines() {
            if let Some(text) = line.splitn(3, '\t').nth(2) {
                texts.push(text.to_string());
            }
        }
    }
    sentiment::analyze("warm up");
    const PASSES: u32 = 5;
    let per_item = |f: &dyn Fn(&str)| {
        let started = std::time::Instant::now();
        for _ in 0..PASSES {
            for t in &texts {
                f(std::hint::black_box(t));
            }
        }
        started.elapsed().as_secs_f64() * 1e6 / f64::from(PASSES) / texts.len() as f64
    };
    let analyze = per_item(&|t| {
        std::hint::black_box(sentiment::analyze(t));
    });
    let learned = per_item(&|t| {
        std::hint::black_box(sentiment::learned::probability(t));
    });
    println!(
        "{} items: analyze {analyze:.3} µs, learned model alone {learned:.3} µs per item",
        texts.len()
    );
    Ok(())
}
