//! Platform names: the connector names the CLI takes and the display platform each one yields.
//!
//! A connector name (`google-business`) says how Earshot talks to a platform; the display platform
//! (`google`) says where the customer wrote. Two connectors can feed one display platform, and
//! trends group by the display platform.

/// Every connector the CLI accepts, with its display platform and whether replies can be posted.
pub const CONNECTORS: &[Connector] = &[
    Connector {
        name: "google-business",
        platform: "google",
        label: "Google Business Profile",
        can_reply: true,
    },
    Connector {
        name: "google-places",
        platform: "google",
        label: "Google (public)",
        can_reply: false,
    },
    Connector {
        name: "yelp",
        platform: "yelp",
        label: "Yelp",
        can_reply: false,
    },
    Connector {
        name: "facebook",
        platform: "facebook",
        label: "Facebook",
        can_reply: true,
    },
    Connector {
        name: "trustpilot",
        platform: "trustpilot",
        label: "Trustpilot",
        can_reply: true,
    },
    Connector {
        name: "app-store",
        platform: "app-store",
        label: "App Store",
        can_reply: false,
    },
    Connector {
        name: "app-store-connect",
        platform: "app-store",
        label: "App Store Connect",
        can_reply: true,
    },
    Connector {
        name: "google-play",
        platform: "google-play",
        label: "Google Play",
        can_reply: true,
    },
    Connector {
        name: "x",
        platform: "x",
        label: "X",
        can_reply: true,
    },
    Connector {
        name: "youtube",
        platform: "youtube",
        label: "YouTube",
        can_reply: true,
    },
    Connector {
        name: "reddit",
        platform: "reddit",
        label: "Reddit",
        can_reply: false,
    },
    Connector {
        name: "mastodon",
        platform: "mastodon",
        label: "Mastodon",
        can_reply: true,
    },
    Connector {
        name: "bluesky",
        platform: "bluesky",
        label: "Bluesky",
        // A post in the mention's thread, written with an app-password session.
        can_reply: true,
    },
    Connector {
        name: "hackernews",
        platform: "hackernews",
        label: "Hacker News",
        can_reply: false,
    },
    Connector {
        name: "rss",
        platform: "rss",
        label: "RSS / Atom",
        can_reply: false,
    },
    Connector {
        name: "file",
        platform: "file",
        label: "File import",
        can_reply: false,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connector {
    pub name: &'static str,
    pub platform: &'static str,
    pub label: &'static str,
    pub can_reply: bool,
}

pub fn connector(name: &str) -> Option<&'static Connector> {
    CONNECTORS.iter().find(|c| c.name == name)
}

/// A display platform name from what a file or a person wrote: lower case, trimmed, with a few
/// common spellings folded (`Google Maps` → `google`), anything else kept as written.
pub fn normalise_platform(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let folded = match lower.as_str() {
        "google maps" | "google-maps" | "googlemaps" | "google business" | "google-business"
        | "google-places" | "gbp" => "google",
        "twitter" | "x.com" | "x/twitter" => "x",
        "apple" | "app store" | "appstore" | "ios" | "app-store-connect" => "app-store",
        "play" | "play store" | "google play" | "googleplay" | "android" => "google-play",
        "hn" | "hacker news" | "hacker-news" => "hackernews",
        "booking" | "booking.com" => "booking",
        "tripadvisor" | "trip advisor" => "tripadvisor",
        other => other,
    };
    folded.to_string()
}

/// Human label of a display platform for the UI and text output.
pub fn platform_label(platform: &str) -> String {
    match platform {
        "google" => "Google".into(),
        "google-play" => "Google Play".into(),
        "app-store" => "App Store".into(),
        "hackernews" => "Hacker News".into(),
        "rss" => "RSS".into(),
        "x" => "X".into(),
        other => {
            let mut c = other.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_spellings_fold_to_one_platform() {
        assert_eq!(normalise_platform(" Google Maps "), "google");
        assert_eq!(normalise_platform("Twitter"), "x");
        assert_eq!(normalise_platform("Yelp"), "yelp");
        assert_eq!(normalise_platform("SomethingNew"), "somethingnew");
    }

    #[test]
    fn every_connector_is_found_by_name() {
        for c in CONNECTORS {
            assert_eq!(connector(c.name), Some(c));
        }
        assert!(connector("myspace").is_none());
    }
}
