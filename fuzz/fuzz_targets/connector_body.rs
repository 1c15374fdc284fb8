//! Any bytes as any connector's response body: a value or an error, never a panic.
#![no_main]

use earshot::sources::parse::{parse_body, parsed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let connectors: Vec<&str> = parsed().collect();
    let connector = connectors[pick as usize % connectors.len()];
    if let Ok(items) = parse_body(connector, body) {
        for it in items {
            assert!(it.rating.is_none_or(|r| (1.0..=5.0).contains(&r)));
        }
    }
});
