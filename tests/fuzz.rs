//! Bounded fuzzing on the stable toolchain, run by `cargo test`: every connector's body parser
//! and the CSV / JSON Lines import take thousands of mutated inputs (bit flips, cuts, splices,
//! deep nesting, invalid UTF-8, huge numbers, absurd dates and ratings) and must answer each
//! with a value or a clear error, never a panic. The mutator is seeded, so a failure replays.
//! `fuzz/` holds the same targets for cargo-fuzz (libFuzzer) for longer runs; see SECURITY.md.

use crate::common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use earshot::sources::parse::{self, parse_body};

/// Iterations per connector; `EARSHOT_FUZZ_ITERS` raises it for a longer local run.
fn iterations(default: usize) -> usize {
    std::env::var("EARSHOT_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const DICTIONARY: &[&str] = &[
    "null",
    "true",
    "-1",
    "0",
    "1e309",
    "99999999999999999999999",
    "\"\"",
    "[]",
    "{}",
    "\"ONE\"",
    "\"FIVE\"",
    "\"STAR_RATING_UNSPECIFIED\"",
    "\"9999-99-99T99:99:99Z\"",
    "\"0000-00-00 00:00:00\"",
    "\"2024-05-01T18:04:11+0000\"",
    "-9223372036854775808",
    "\"<script>alert(1)</script>\"",
    "\"javascript:alert(1)\"",
    "\"\\ud800\"",
    "\"&#0;&#x110000;\"",
    "<b>",
    "</",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "\u{202e}",
    "\u{0}",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let len = data.len().max(1);
        match rng.below(9) {
            0 => {
                let i = rng.below(len);
                if i < data.len() {
                    data[i] ^= 1 << rng.below(8);
                }
            }
            1 => data.truncate(rng.below(len)),
            2 => {
                let i = rng.below(len).min(data.len());
                let word = DICTIONARY[rng.below(DICTIONARY.len())];
                data.splice(i..i, word.bytes());
            }
            3 => {
                // Replace a JSON scalar-ish run with a dictionary word.
                let i = rng.below(len).min(data.len());
                let j = (i + rng.below(12)).min(data.len());
                let word = DICTIONARY[rng.below(DICTIONARY.len())];
                data.splice(i..j, word.bytes());
            }
            4 => {
                let depth = 1 + rng.below(400);
                let i = rng.below(len).min(data.len());
                let open: Vec<u8> = std::iter::repeat_n(b'[', depth).collect();
                data.splice(i..i, open);
            }
            5 => {
                let i = rng.below(len).min(data.len());
                data.insert(i, [0xff, 0xfe, 0xc0, 0x80, 0xed][rng.below(5)]);
            }
            6 => {
                // Duplicate a slice (long strings, repeated keys).
                let i = rng.below(len).min(data.len());
                let j = (i + rng.below(64)).min(data.len());
                let chunk = data[i..j].repeat(1 + rng.below(50));
                data.splice(i..i, chunk);
            }
            7 => {
                let i = rng.below(len).min(data.len());
                data.splice(i..i, std::iter::repeat_n(b'9', 1 + rng.below(400)));
            }
            _ => {
                let i = rng.below(len).min(data.len());
                let j = (i + rng.below(32)).min(data.len());
                data.drain(i..j);
            }
        }
    }
    data
}

fn seed_for(connector: &str) -> &'static str {
    match connector {
        "yelp" => {
            r#"{"reviews":[{"id":"xAG4","url":"https://www.yelp.com/biz/x","text":"Best tacos in town, the…","rating":5,"time_created":"2024-05-01 18:04:11","user":{"name":"Lee"}}],"total":1}"#
        }
        "trustpilot" => {
            r#"{"reviews":[{"id":"5f","stars":2,"title":"Late","text":"Parcel late","createdAt":"2024-05-01T18:04:11Z","consumer":{"displayName":"Jo"},"companyReply":{"text":"Sorry","createdAt":"2024-05-02T08:00:00Z"}}]}"#
        }
        "hackernews" => {
            r#"{"hits":[{"objectID":"40212345","created_at_i":1714586651,"author":"pg","comment_text":"<p>Joe&#x27;s</p>","story_title":"Cafés"}],"nbPages":1,"page":0}"#
        }
        "mastodon" => {
            r#"[{"id":"1123","url":"https://ex.social/@kim/1123","created_at":"2024-05-01T18:04:11.000Z","content":"<p>Great pie <a href=\"x\">#joescafe</a></p>","spoiler_text":"","account":{"acct":"kim@ex.social"}}]"#
        }
        "x" => {
            r#"{"data":[{"id":"1790","text":"@joescafe nice","created_at":"2024-05-01T18:04:11.000Z","author_id":"2244"}],"includes":{"users":[{"id":"2244","username":"kim"}]},"meta":{"result_count":1,"next_token":"b26v"}}"#
        }
        "youtube" => {
            r#"{"items":[{"id":"Ugz","snippet":{"videoId":"dQw","canReply":true,"topLevelComment":{"id":"Ugz","snippet":{"authorDisplayName":"@sam","textDisplay":"Loved it","publishedAt":"2024-05-01T18:04:11Z","updatedAt":"2024-05-01T18:04:11Z"}}}}],"nextPageToken":"p2"}"#
        }
        "reddit" => {
            r#"{"kind":"Listing","data":{"after":null,"children":[{"kind":"t3","data":{"name":"t3_abc","title":"Joe's Cafe?","selftext":"hi","author":"u1","created_utc":1714586651.0,"permalink":"/r/pdx/comments/abc/x/"}}]}}"#
        }
        "bluesky" => {
            r#"{"cursor":"c","posts":[{"uri":"at://did:plc:abc/app.bsky.feed.post/3kq","author":{"handle":"kim.bsky.social"},"record":{"text":"nice","createdAt":"2024-05-01T18:04:11.000Z"},"indexedAt":"2024-05-01T18:04:12.345Z"}]}"#
        }
        "rss" => {
            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>B</title><item><guid>1</guid><title>A &lt;b&gt;t&lt;/b&gt;</title><link>https://www.google.com/url?url=https://e.com/a</link><description>x</description><pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate></item></channel></rss>"#
        }
        "google-places" => {
            r#"{"rating":4.4,"reviews":[{"name":"places/p/reviews/r1","rating":5,"text":{"text":"Great","languageCode":"en"},"originalText":{"text":"Génial","languageCode":"fr"},"authorAttribution":{"displayName":"Ana"},"publishTime":"2024-04-30T11:26:55Z","googleMapsUri":"https://maps.google.com/x"}]}"#
        }
        "app-store" => {
            r#"{"feed":{"entry":[{"im:name":{"label":"App"}},{"author":{"name":{"label":"pat"}},"updated":{"label":"2024-05-01T11:04:11-07:00"},"im:rating":{"label":"4"},"id":{"label":"1104"},"title":{"label":"Nice"},"content":{"label":"Works","attributes":{"type":"text"}},"link":{"attributes":{"href":"https://itunes.apple.com/us/review?id=1"}}}]}}"#
        }
        "app-store-connect" => {
            r#"{"data":[{"type":"customerReviews","id":"01","attributes":{"rating":4,"title":"Nice","body":"Works","reviewerNickname":"pat","createdDate":"2024-05-01T11:04:11-07:00"},"relationships":{"response":{"data":{"type":"customerReviewResponses","id":"r1"}}}}],"included":[{"type":"customerReviewResponses","id":"r1","attributes":{"responseBody":"Thanks","lastModifiedDate":"2024-05-02T10:00:00-07:00"}}],"links":{"next":"https://x/v1?cursor=A"}}"#
        }
        "google-play" => {
            r#"{"reviews":[{"reviewId":"gp:AOqp","authorName":"Alex","comments":[{"userComment":{"text":"Crashes\tAt login","starRating":1,"reviewerLanguage":"en","lastModified":{"seconds":"1714561451","nanos":713000000}}},{"developerComment":{"text":"Fixed","lastModified":{"seconds":"1714600000"}}}]}],"tokenPagination":{"nextPageToken":"t2"}}"#
        }
        "facebook" => {
            r#"{"data":[{"id":"100_9","message":"Lost my scarf","created_time":"2024-05-02T10:00:00+0000","from":{"id":"55","name":"Lee"},"comments":{"data":[{"id":"9_c1","message":"Same!","created_time":"2024-05-02T11:00:00+0000","from":{"id":"56","name":"Kim"},"parent":{"id":"100_9"}}]}}],"paging":{"cursors":{"after":"A"},"next":"https://x"}}"#
        }
        "google-business" => {
            r#"{"reviews":[{"reviewId":"AbC","reviewer":{"displayName":"Sam"},"starRating":"FOUR","comment":"Slow coffee.","createTime":"2024-05-01T09:12:03.123Z","updateTime":"2024-05-02T10:00:00Z","reviewReply":{"comment":"Thanks!","updateTime":"2024-05-03T08:00:00Z"}}],"averageRating":4,"totalReviewCount":1,"nextPageToken":"p2"}"#
        }
        _ => "{}",
    }
}

#[test]
fn connector_parsers_never_panic_on_mutated_bodies() {
    let n = iterations(1500);
    let connectors: Vec<&str> = parse::parsed().collect();
    for (k, connector) in connectors.iter().enumerate() {
        let seed = seed_for(connector).as_bytes();
        // The seed itself parses: the fuzzing starts from a valid document.
        let parsed =
            parse_body(connector, seed).unwrap_or_else(|e| panic!("{connector} seed: {e}"));
        assert!(!parsed.is_empty(), "{connector} seed gave no items");
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (k as u64 + 1));
        for i in 0..n {
            let input = mutate(&mut rng, seed);
            let outcome = catch_unwind(AssertUnwindSafe(|| parse_body(connector, &input)));
            match outcome {
                Err(_) => panic!(
                    "{connector} panicked on iteration {i}: {:?}",
                    String::from_utf8_lossy(&input)
                ),
                Ok(Ok(items)) => {
                    for it in items {
                        // What a parser lets through is what the store accepts.
                        assert!(
                            it.rating.is_none_or(|r| (1.0..=5.0).contains(&r)),
                            "{connector}: rating {:?}",
                            it.rating
                        );
                        assert!(
                            !it.external_id.is_empty() || *connector == "rss",
                            "{connector}: empty id"
                        );
                    }
                }
                Ok(Err(e)) => {
                    let msg = e.to_string();
                    assert!(
                        !msg.is_empty() && msg.len() < 2000,
                        "{connector}: unreadable error {msg:?}"
                    );
                }
            }
        }
    }
}

/// The import fuzzing starts from one valid file of each kind.
const IMPORT_CSV_SEED: &str = "external_id,platform,author,rating,title,body,created_at,url\n\
    a1,google,Ana,5,,\"Best bun, hands down\",2026-01-03,https://example.com/r/1\n\
    a2,yelp,Bo,2,Slow,\"Waited 20 minutes, \"\"busy\"\" they said\",2026-01-04T10:00:00Z,\n";
const IMPORT_JSONL_SEED: &str = "{\"external_id\":\"j1\",\"platform\":\"google\",\"rating\":4,\"body\":\"Nice\",\"created_at\":\"2026-01-03\"}\n\
    {\"external_id\":\"j2\",\"platform\":\"reddit\",\"kind\":\"mention\",\"body\":\"hm <script>x</script>\",\"created_at\":\"2026-01-05T10:00:00Z\"}\n";

/// `make fuzz` starts libFuzzer from the same documents as the tests above: with
/// `EARSHOT_FUZZ_SEEDS=DIR` this writes them as `DIR/connector_body/<connector>` (the first byte
/// picks the parser, as in `fuzz/fuzz_targets/connector_body.rs`) and `DIR/import_file/seed.csv`
/// and `seed.jsonl`. Without the variable it writes nothing.
#[test]
fn seeds_for_cargo_fuzz() {
    let Some(dir) = std::env::var_os("EARSHOT_FUZZ_SEEDS") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let bodies = dir.join("connector_body");
    std::fs::create_dir_all(&bodies).unwrap();
    for (k, connector) in parse::parsed().enumerate() {
        let mut input = vec![k as u8];
        input.extend_from_slice(seed_for(connector).as_bytes());
        std::fs::write(bodies.join(connector), input).unwrap();
    }
    let files = dir.join("import_file");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("seed.csv"), IMPORT_CSV_SEED).unwrap();
    std::fs::write(files.join("seed.jsonl"), IMPORT_JSONL_SEED).unwrap();
}

#[test]
fn import_never_panics_on_mutated_files_and_stores_only_valid_rows() {
    let n = iterations(150);
    let db = common::TestDb::new();
    let mut store = db.store();
    let mut rng = Rng(42);
    for (name, seed) in [("f.csv", IMPORT_CSV_SEED), ("f.jsonl", IMPORT_JSONL_SEED)] {
        for i in 0..n {
            let input = mutate(&mut rng, seed.as_bytes());
            let path = db.dir.path().join(name);
            std::fs::write(&path, &input).unwrap();
            let opts = earshot::import::ImportOptions {
                business: "Fuzz Café".into(),
                platform: None,
                skip_bad: i % 2 == 0,
                ..Default::default()
            };
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                earshot::import::import_path(&mut store, &path, &opts, &mut |_, _| {})
            }));
            if outcome.is_err() {
                panic!(
                    "import panicked on {name} iteration {i}: {:?}",
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }
    let conn = rusqlite::Connection::open(db.path()).unwrap();
    let bad: i64 = conn
        .query_row(
            "SELECT count(*) FROM reviews WHERE (rating IS NOT NULL AND (rating < 1 OR rating > 5))
             OR created_at < 631152000 OR created_at > 4102444800",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0, "an absurd rating or date was stored");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}
