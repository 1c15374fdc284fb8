//! The exports platforms give their owners (a Google Takeout, Play Console's monthly review
//! CSVs, Trustpilot's review export): the trait each platform's home implements for its own
//! ([`crate::platforms::Platform::exports`]), and the first bytes a format is recognised by.
//!
//! The import names no platform: it asks the registry which exports there are ([`exports`]),
//! recognises a file by asking each in turn, and writes what the chosen one collected. Adding
//! an export is a module in its platform's home and one line in that platform's `exports`.

use std::path::PathBuf;

use super::{inputs, Collected, ImportOptions, Result};

/// What an export is called and how it is described: data, like a platform's spec.
#[derive(Debug, Clone, Copy)]
pub struct ExportSpec {
    /// The name `--format` takes and `--json` reports (`trustpilot-csv`).
    pub name: &'static str,
    /// Other names `--format` takes for it, lower case, words joined by `-`.
    pub aliases: &'static [&'static str],
    /// What the owner calls it.
    pub label: &'static str,
    /// What its files are and how the owner gets them: one item of the CLI's list of the files
    /// Earshot recognises (wrapped lines indented by four spaces).
    pub help: &'static str,
    /// What a file or folder holding none of it lacked, in a list of such ("Trustpilot export").
    pub looked_for: &'static str,
    /// What the places it holds reviews of are called in a report ("Apps", "Locations").
    pub targets_word: &'static str,
}

/// One export a platform gives owners to download, read by the import.
pub trait ExportFormat: Sync {
    /// Its names and descriptions.
    fn spec(&self) -> &'static ExportSpec;

    /// Whether a file that starts with `head` is of this format.
    fn sniff(&self, head: &Head) -> bool;

    /// Why a file that starts with `head` is refused although it looks like this format's near
    /// miss (a Maps Takeout beside a Business Profile one): the error's code and the words after
    /// "{path} is ".
    fn refuse(&self, _head: &Head) -> Option<(&'static str, String)> {
        None
    }

    /// Reads every file of this format in `paths` (files, folders, ZIPs); a file that cannot be
    /// read is a bad entry, nothing is written here.
    fn collect(&self, paths: &[PathBuf], opts: &ImportOptions) -> Result<Collected>;
}

/// Every export the registry's platforms declare, in registry order.
pub fn exports() -> impl Iterator<Item = &'static dyn ExportFormat> {
    crate::platforms::REGISTRY
        .iter()
        .flat_map(|p| p.exports().iter().copied())
}

/// A file's first bytes as the formats read them: the start of a JSON text without its white
/// space, or the first line of any other text in lower case.
pub struct Head {
    json: Option<String>,
    header: Option<String>,
}

impl Head {
    /// The first bytes of a file ([`inputs::SNIFF_BYTES`] of them say enough).
    pub fn of(bytes: &[u8]) -> Head {
        let head = &bytes[..bytes.len().min(inputs::SNIFF_BYTES)];
        // A multi-byte character cut at the end of the head is no reason to give up.
        let even = head.len() & !1;
        let text = match inputs::decode_text(head).or_else(|_| inputs::decode_text(&head[..even])) {
            Ok(t) => t,
            Err(_) => String::from_utf8_lossy(head).into_owned(),
        };
        let start = text.trim_start_matches('\u{feff}').trim_start();
        if start.starts_with('{') || start.starts_with('[') {
            let compact = start.chars().filter(|c| !c.is_whitespace()).collect();
            return Head {
                json: Some(compact),
                header: None,
            };
        }
        let header = start.lines().next().unwrap_or_default();
        Head {
            json: None,
            header: Some(header.to_ascii_lowercase()),
        }
    }

    /// The start of a JSON text, white space removed, where the file is JSON.
    pub fn json(&self) -> Option<&str> {
        self.json.as_deref()
    }

    /// The first line in lower case, where the file is not JSON.
    pub fn header(&self) -> Option<&str> {
        self.header.as_deref()
    }
}
