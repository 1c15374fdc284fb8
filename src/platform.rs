//! Platform names: display platforms, their labels and the spellings files use for them.
//! The connectors themselves are listed once, in [`crate::platforms::REGISTRY`].
//!
//! A connector name (Google Business Profile's) says how Earshot talks to a platform; the display platform
//! (`google`) says where the customer wrote. Two connectors can feed one display platform, and
//! trends group by the display platform.

use crate::platforms::ConnectorSpec;

/// The connector named `name`, with its display platform and label (see [`crate::platforms`]).
pub fn connector(name: &str) -> Option<&'static ConnectorSpec> {
    crate::platforms::find(name).map(|p| p.spec())
}

/// A display platform name from what a file or a person wrote: lower case, trimmed, with a few
/// common spellings folded (`Google Maps` → `google`), anything else kept as written.
pub fn normalise_platform(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let known = crate::platforms::REGISTRY
        .iter()
        .find(|p| p.spec().name == lower || p.aliases().iter().any(|a| *a == lower));
    if let Some(p) = known {
        return p.spec().platform.to_string();
    }
    // Sites Earshot imports from but has no connector for.
    let folded = match lower.as_str() {
        "booking" | "booking.com" => "booking",
        "tripadvisor" | "trip advisor" => "tripadvisor",
        other => other,
    };
    folded.to_string()
}

/// Human label of a display platform for the UI and text output: the one its home gives
/// ([`crate::platforms::Platform::display_label`]), else the name with a capital letter.
pub fn platform_label(platform: &str) -> String {
    let named = crate::platforms::REGISTRY
        .iter()
        .filter(|p| p.spec().platform == platform)
        .find_map(|p| p.display_label());
    if let Some(label) = named {
        return label.to_string();
    }
    let mut c = platform.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_spellings_fold_to_one_platform() {
        assert_eq!(normalise_platform(" Google Maps "), "google");
        assert_eq!(normalise_platform("SomethingNew"), "somethingnew");
    }
}
