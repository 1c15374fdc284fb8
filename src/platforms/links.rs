//! Where a platform's review pages are: the hosts a review's link may open on straight away.
//!
//! A review's `url` comes from a stranger's platform or an imported file, so "View on Google"
//! must not lead to any other site. Each platform declares its hosts in its spec
//! ([`crate::platforms::ConnectorSpec::review_hosts`]); the UI reads them from the spec listing
//! it loads anyway, and the shell's opener checks the same rules here before it opens a link
//! without asking. A link to any other host is shown in full first, and leaves the app only when
//! the owner chooses to (see `ui/format.js` `linkTarget` and the shell's `open_link`).
//!
//! Decision: a pattern is a host (it and its subdomains match: `maps.google.com` for
//! `google.com`) or `name.*`, the name under a country domain (`google.de`, `google.co.uk`,
//! `google.com.au`). Nothing looser: `google.com.evil.net` and `evil.net/google.com` never match.

use serde::Serialize;

/// The hosts a platform's review links may point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum LinkHosts {
    /// These hosts and their subdomains (see the module docs for `name.*`).
    Only(&'static [&'static str]),
    /// No fixed host: each Mastodon instance, each news site, an imported file. Every link of
    /// such a platform shows its address before it opens.
    Unfixed,
}

/// Domains reserved for examples (RFC 2606): nobody can own them, so the demo's links open.
pub const RESERVED_HOSTS: &[&str] = &["example.com", "example.net", "example.org", "example"];

impl LinkHosts {
    /// Whether `host` (lower case) is one of these hosts or under one.
    pub fn allows(&self, host: &str) -> bool {
        match self {
            LinkHosts::Only(patterns) => host_matches(host, patterns),
            LinkHosts::Unfixed => false,
        }
    }
}

/// Whether `host` or a domain it lies under (`maps.google.com` → `google.com`) matches one of
/// `patterns`.
pub fn host_matches(host: &str, patterns: &[&str]) -> bool {
    let host = host.trim_end_matches('.');
    let mut domain = Some(host);
    while let Some(d) = domain {
        if patterns.iter().any(|p| pattern_matches(d, p)) {
            return true;
        }
        domain = d.split_once('.').map(|(_, rest)| rest);
    }
    false
}

/// `d` against one pattern: the same name, or `name.*` with a country domain.
fn pattern_matches(d: &str, pattern: &str) -> bool {
    let Some(name) = pattern.strip_suffix(".*") else {
        return d == pattern;
    };
    let Some(rest) = d.strip_prefix(name).and_then(|r| r.strip_prefix('.')) else {
        return false;
    };
    let cc = rest
        .strip_prefix("com.")
        .or_else(|| rest.strip_prefix("co."))
        .unwrap_or(rest);
    cc.len() == 2 && cc.bytes().all(|b| b.is_ascii_lowercase())
}

/// Whether a pattern is one this module reads: a lower-case host name, or `name.*`.
pub fn well_formed(pattern: &str) -> bool {
    let name = pattern.strip_suffix(".*").unwrap_or(pattern);
    !name.is_empty()
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

/// The address of `url` when it is a plain http(s) link (at most 2,048 characters), else `None`.
pub fn http_url(url: &str) -> Option<reqwest::Url> {
    if url.len() > 2048 {
        return None;
    }
    let u = reqwest::Url::parse(url).ok()?;
    matches!(u.scheme(), "http" | "https").then_some(u)
}

/// Whether `url` opens without the owner seeing its address first: an http(s) link to a host
/// some platform declares for its review pages (or a reserved example domain).
pub fn opens_directly(url: &str) -> bool {
    let Some(host) = http_url(url).and_then(|u| u.host_str().map(str::to_ascii_lowercase)) else {
        return false;
    };
    host_matches(&host, RESERVED_HOSTS)
        || crate::platforms::specs()
            .iter()
            .any(|s| s.review_hosts.allows(&host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_themselves_their_subdomains_and_country_domains_only() {
        let google = &["google.com", "google.*", "g.page"];
        for ok in [
            "google.com",
            "maps.google.com",
            "google.de",
            "www.google.co.uk",
            "google.com.au",
            "g.page",
        ] {
            assert!(host_matches(ok, google), "{ok}");
        }
        for bad in [
            "notgoogle.com",
            "google.com.evil.com",
            "www.google.evil.com",
            "google.bad.io",
            "google.co.uk.evil.net",
            "evil.com",
        ] {
            assert!(!host_matches(bad, google), "{bad}");
        }
    }

    #[test]
    fn only_declared_hosts_open_without_showing_the_address() {
        assert!(opens_directly("https://www.yelp.ca/biz/harbour-lane"));
        assert!(opens_directly("https://example.com/google/harbour-lane/1"));
        assert!(!opens_directly("https://evil.com/www.google.com"));
        assert!(!opens_directly("http://facebook.com@evil.com/"));
        assert!(!opens_directly("https://ex.social/@kim/1123"));
        assert!(!opens_directly("javascript:alert(1)"));
        assert!(!opens_directly("file:///etc/passwd"));
    }
}
