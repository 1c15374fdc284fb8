//! The files an export consists of, wherever they are: one file, a folder (walked), a ZIP (read
//! in place, entry by entry), the parts of a split Takeout (`takeout-…-001.zip`, `-002.zip`:
//! naming one finds the others beside it), or several of these at once. Also the text decoding
//! the exports need (Play's CSVs are UTF-16LE with a BOM), and line numbers of a text held
//! whole. The platforms' export readers build on these; which format a file is, each format says
//! for itself ([`super::ExportFormat::sniff`]).
//!
//! Only what could hold reviews is read: photos and videos of a Takeout are skipped by name
//! without being decompressed.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{ImportError, Result};

/// How many bytes tell a format.
pub(crate) const SNIFF_BYTES: usize = 8 * 1024;

/// A file bigger than this is no review export (a Takeout's reviews come ~20 to a file).
const MAX_FILE_BYTES: u64 = 256 << 20;

/// How deep a folder is walked: a Takeout's reviews sit five levels down.
const MAX_DEPTH: usize = 12;

/// Extensions that are never reviews (a Takeout holds the location's photos and videos).
const SKIPPED_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "heic", "mp4", "mov", "avi", "html", "htm", "pdf", "xlsx",
];

fn io(path: &Path) -> impl Fn(std::io::Error) -> ImportError + '_ {
    move |error| ImportError::Io {
        path: path.to_owned(),
        error,
    }
}

/// The first bytes of a file.
pub(super) fn head(path: &Path) -> Result<Vec<u8>> {
    let file = File::open(path).map_err(io(path))?;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    file.take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(io(path))?;
    Ok(head)
}

/// Whether a file is a ZIP archive (by its signature, not its name).
pub(super) fn is_zip(path: &Path) -> Result<bool> {
    if !path.is_file() {
        return Ok(false);
    }
    let head = head(path)?;
    Ok(head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06"))
}

/// Text in UTF-8 or UTF-16 (either order, with a BOM, or little-endian without one as Play's
/// files are sometimes re-saved), without its BOM. `Err` says why it is not text.
pub(crate) fn decode_text(bytes: &[u8]) -> std::result::Result<String, String> {
    let utf16 = |bytes: &[u8], little: bool| {
        let units = bytes.chunks_exact(2).map(|c| {
            if little {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<std::result::Result<String, _>>()
            .map_err(|_| "it is not valid UTF-16 text".to_string())
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if looks_utf16le(bytes) {
        return utf16(bytes, true);
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| "it is not UTF-8 or UTF-16 text".to_string())
}

/// ASCII-heavy UTF-16LE without a BOM: NULs in most odd positions of the first bytes.
fn looks_utf16le(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(256) & !1];
    let pairs = head.len() / 2;
    pairs >= 4 && head.chunks_exact(2).filter(|c| c[1] == 0).count() * 4 >= pairs * 3
}

/// The paths to read: each given one, and beside a part of a split Takeout
/// (`takeout-…-001.zip`) its other parts.
fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        out.push(p.clone());
        let Some(prefix) = split_part_prefix(p) else {
            continue;
        };
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
        let Ok(list) = std::fs::read_dir(dir.unwrap_or(Path::new("."))) else {
            continue;
        };
        let mut parts: Vec<PathBuf> = list
            .flatten()
            .map(|e| e.path())
            .filter(|q| split_part_prefix(q).as_deref() == Some(prefix.as_str()))
            .collect();
        parts.sort();
        out.extend(parts);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    out
}

/// `takeout-20260201T101010Z-001.zip` → `takeout-20260201T101010Z`.
fn split_part_prefix(p: &Path) -> Option<String> {
    let name = p.file_name()?.to_str()?;
    let stem = name.strip_suffix(".zip").or(name.strip_suffix(".ZIP"))?;
    let (prefix, part) = stem.rsplit_once('-')?;
    (!prefix.is_empty() && part.len() >= 3 && part.bytes().all(|b| b.is_ascii_digit()))
        .then(|| prefix.to_owned())
}

fn wanted(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    !SKIPPED_EXTENSIONS.contains(&ext) && !lower.rsplit('/').next().unwrap_or("").starts_with('.')
}

/// Calls `f(name, bytes)` for every file that could hold reviews in `paths`: files, folders
/// (walked), ZIPs (their entries), with a split Takeout's other parts. Names of ZIP entries are
/// `archive.zip/inner/path`, so the folder names inside say which account and location.
pub(crate) fn scan(paths: &[PathBuf], f: &mut dyn FnMut(&str, &[u8])) -> Result<()> {
    for p in expand(paths) {
        visit(&p, 0, f)?;
    }
    Ok(())
}

fn visit(path: &Path, depth: usize, f: &mut dyn FnMut(&str, &[u8])) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(io(path))?;
    if meta.is_dir() {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        let mut children: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io(path))?
            .flatten()
            .map(|e| e.path())
            .collect();
        children.sort();
        for c in children {
            let name = c.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') {
                continue;
            }
            visit(&c, depth + 1, f)?;
        }
        return Ok(());
    }
    if is_zip(path)? {
        return visit_zip(path, f);
    }
    let name = path.to_string_lossy().replace('\\', "/");
    if !wanted(&name) || meta.len() > MAX_FILE_BYTES {
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(io(path))?;
    f(&name, &bytes);
    Ok(())
}

fn visit_zip(path: &Path, f: &mut dyn FnMut(&str, &[u8])) -> Result<()> {
    let bad = |e: zip::result::ZipError| super::not_reviews(path, format!("a broken ZIP ({e})"));
    let file = File::open(path).map_err(io(path))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(bad)?;
    let outer = path.to_string_lossy().replace('\\', "/");
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(bad)?;
        if entry.is_dir() {
            continue;
        }
        let inner = entry.name().map_err(bad)?.replace('\\', "/");
        if !wanted(&inner) || entry.size() > MAX_FILE_BYTES {
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| super::not_reviews(path, format!("{inner} cannot be unpacked ({e})")))?;
        f(&format!("{outer}/{inner}"), &bytes);
    }
    Ok(())
}

/// Line numbers of byte offsets in a text held whole: a CR ends a line, and so does an LF not
/// after a CR (as the streaming import counts, see `earshot::LineBreaks`).
pub(crate) struct Lines {
    breaks: Vec<usize>,
}

impl Lines {
    pub(crate) fn of(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let breaks = bytes
            .iter()
            .enumerate()
            .filter(|(i, b)| **b == b'\r' || (**b == b'\n' && (*i == 0 || bytes[i - 1] != b'\r')))
            .map(|(i, _)| i)
            .collect();
        Lines { breaks }
    }

    /// The 1-based line of the byte at `offset`.
    pub(crate) fn at(&self, offset: u64) -> u64 {
        self.breaks.partition_point(|b| (*b as u64) < offset) as u64 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_and_without_bom_and_utf8_with_bom_decode() {
        let text = "Package Name,Star Rating\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut with_bom = b"\xFF\xFE".to_vec();
        with_bom.extend(&le);
        assert_eq!(decode_text(&with_bom).unwrap(), text);
        let mut be_bom = b"\xFE\xFF".to_vec();
        be_bom.extend(&be);
        assert_eq!(decode_text(&be_bom).unwrap(), text);
        assert_eq!(decode_text(&le).unwrap(), text);
        assert_eq!(decode_text(b"\xEF\xBB\xBFa,b").unwrap(), "a,b");
        let head = super::super::Head::of(&with_bom);
        assert_eq!(head.header(), Some("package name,star rating"));
    }

    #[test]
    fn split_takeout_parts_share_a_prefix() {
        assert_eq!(
            split_part_prefix(Path::new("/x/takeout-20260201T101010Z-001.zip")).as_deref(),
            Some("takeout-20260201T101010Z")
        );
        assert_eq!(split_part_prefix(Path::new("reviews.zip")), None);
    }
}
