//! The owner's words for the code's terms (issue 32), the Rust half of `ui/words.js`.
//!
//! The code says source, sync, item and keyring; an owner reads "review site", "check for new
//! reviews", "reviews and posts" and "your computer's password store". Text the app shows from the
//! core (each platform's guide in the Connect form, its setting labels) is checked against this
//! list by a test, so a platform added later says the same words as the screens.
//!
//! The CLI's command names, flags and JSON fields are contracts and stay (`earshot sources`,
//! `earshot sync`); a sentence may still name such a command in backticks, which is code.
//! "Feed" and "mention" are not refused here: a platform's own button says "RSS feed" (Google
//! Alerts' "Deliver to: RSS feed"), and "posts that mention your words" is plain English.

/// A term of the code and the plain words said instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// What the code calls it.
    pub term: &'static str,
    /// What the owner reads.
    pub say: &'static str,
    /// The whole words (lowercase) that give the term away in text.
    pub jargon: &'static [&'static str],
}

/// The glossary. `ui/words.js` holds the same terms (a test compares them).
pub const GLOSSARY: &[Term] = &[
    Term {
        term: "source",
        say: "review site",
        jargon: &["source", "sources"],
    },
    Term {
        term: "sync",
        say: "check for new reviews",
        jargon: &["sync", "syncs", "synced", "syncing"],
    },
    Term {
        term: "item",
        say: "reviews and posts",
        jargon: &["item", "items"],
    },
    Term {
        term: "keyring",
        say: "your computer's password store",
        jargon: &["keyring", "keyrings"],
    },
    Term {
        term: "SQLite",
        say: "one file on this computer",
        jargon: &["sqlite"],
    },
];

/// The glossary's terms whose jargon `text` uses as a word of prose. Words inside backticks
/// (a CLI command: `earshot sources auth 3`) and parts of identifiers (`sync-state`,
/// `source_id`) are code, not prose.
pub fn jargon_in(text: &str) -> Vec<&'static str> {
    let prose: String = text
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, part)| part)
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<String> = prose
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '/'))
        .map(str::to_lowercase)
        .collect();
    GLOSSARY
        .iter()
        .filter(|t| words.iter().any(|w| t.jargon.contains(&w.as_str())))
        .map(|t| t.term)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms;

    #[test]
    fn jargon_is_found_as_prose_words_only() {
        assert_eq!(jargon_in("Earshot reads it again on every sync."), ["sync"]);
        assert_eq!(jargon_in("Add the source here."), ["source"]);
        assert_eq!(jargon_in("Kept in the keyring"), ["keyring"]);
        assert!(jargon_in("run `earshot sources auth 3` first").is_empty());
        assert!(jargon_in("the sync-state event and source_id").is_empty());
        assert!(jargon_in("Connect it here with your search words.").is_empty());
        for t in GLOSSARY {
            assert!(jargon_in(t.say).is_empty(), "{} says {}", t.term, t.say);
        }
    }

    /// What the Connect form and the welcome show of each platform is in the owner's words.
    #[test]
    fn every_platform_guide_speaks_the_owners_words() {
        let mut found = Vec::new();
        for spec in platforms::specs() {
            let settings = spec
                .settings
                .iter()
                .chain(platforms::COMMON_SETTINGS)
                .flat_map(|s| [s.label, s.help]);
            let texts = [
                spec.label,
                spec.help,
                spec.guide.cost,
                spec.guide.approval,
                spec.guide.without_api,
            ]
            .into_iter()
            .chain(spec.guide.steps.iter().copied())
            .chain(settings);
            for text in texts {
                let terms = jargon_in(text);
                if !terms.is_empty() {
                    found.push(format!("{}: {terms:?} in {text:?}", spec.name));
                }
            }
        }
        assert!(
            found.is_empty(),
            "use the words of src/model/words.rs:\n{}",
            found.join("\n")
        );
    }

    /// The import dialog's column choices are named in the owner's words too.
    #[test]
    fn import_field_labels_speak_the_owners_words() {
        for f in crate::import::mapping::FIELDS {
            assert!(jargon_in(f.label).is_empty(), "{}: {}", f.name, f.label);
            assert!(
                !f.label.to_lowercase().contains("mention"),
                "{}: {}",
                f.name,
                f.label
            );
        }
    }

    /// The UI's glossary (ui/words.js) refuses every word this one does.
    #[test]
    fn the_ui_glossary_holds_the_same_terms() {
        let js = include_str!("../../ui/words.js");
        for t in GLOSSARY {
            for w in t.jargon {
                assert!(
                    js.to_lowercase().contains(&format!("'{w}'")),
                    "ui/words.js does not refuse {w:?} ({})",
                    t.term
                );
            }
        }
    }
}
