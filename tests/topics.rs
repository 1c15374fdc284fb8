//! The owner's own topics (issue 27) through the `earshot` binary: a topic added on a database
//! of imported reviews tags them, is counted with its sentiment and trend in `topics --json`,
//! raises `topic_surge` when its complaints surge, tags new reviews on the way in, and goes
//! with its tags when removed.

use crate::common;

use common::TestDb;
use serde_json::Value;

const GYM: &str = "Riverside Gym";
const TOPIC: &str = "spin classes";
/// The day the checks run as: the surge is in the fortnight before it.
const TODAY: &str = "2026-06-30";
const NOW: &str = "2026-06-30T12:00:00Z";

/// A quiet spring of praise for the gym (one mention of a spin class among it), then a
/// fortnight of complaints about the spin classes. Made-up reviews in the shape of the
/// `earshot import` CSV (README, "Import files").
fn history_csv() -> String {
    let mut csv = String::from("external_id,platform,author,rating,title,body,created_at\n");
    let start = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    for i in 0..20 {
        let day = start + chrono::Duration::days(i * 5);
        let body = if i == 7 {
            "Loved the spin class this morning, great energy."
        } else {
            "Lovely gym, great staff and clean changing rooms."
        };
        csv.push_str(&format!(
            "p{i},google,Member {i},5,,\"{body}\",{day}T10:00:00Z\n"
        ));
    }
    let complaints = [
        "The spin class was terrible, the bikes are broken.",
        "Awful spin class today, the instructor was rude.",
        "The spin classes are awful, always overbooked.",
        "Terrible yoga class, cold room and a rude teacher.",
        "The spin class was horrible and started late again.",
        "Worst spin class I have ever been to, awful music.",
        "The spin class was dreadful, half the bikes broken.",
        "Spin classes are awful now, so disappointing.",
    ];
    for (i, body) in complaints.iter().enumerate() {
        csv.push_str(&format!(
            "n{i},google,Angry {i},1,,\"{body}\",2026-06-{:02}T18:00:00Z\n",
            18 + i
        ));
    }
    csv
}

fn owner_topic(topics: &Value) -> Option<Value> {
    topics["owner_topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == TOPIC)
        .cloned()
}

#[test]
fn an_owner_topic_is_counted_trended_and_alerted_on_like_an_aspect() {
    let db = TestDb::new();
    let csv = db.file("gym.csv", &history_csv());
    db.earshot(&["businesses", "add", GYM]).ok();
    db.earshot(&["import", csv.to_str().unwrap(), "--business", GYM, "--json"])
        .ok();

    let added = db
        .earshot(&[
            "topics",
            "add",
            "--business",
            GYM,
            TOPIC,
            "--words",
            "spin class, yoga class",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(added["topic"]["name"], TOPIC);
    assert_eq!(
        added["topic"]["words"],
        serde_json::json!(["spin class", "yoga class"])
    );
    assert_eq!(added["reviews_retagged"], 9, "{added}");

    let topics = db
        .earshot(&["topics", "--business", GYM, "--today", TODAY, "--json"])
        .ok()
        .json();
    let t = owner_topic(&topics).expect("the topic in owner_topics");
    assert_eq!(t["mentions"], 9, "{t}");
    assert_eq!(t["negative"], 8, "{t}");
    assert_eq!(t["positive"], 1, "{t}");
    assert_eq!(t["recent_mentions"], 8, "{t}");
    // Every month from the first mention to today, with its mentions.
    let trend = t["trend"].as_array().unwrap();
    let months: Vec<(&str, i64)> = trend
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap(),
                p["mentions"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        months,
        [("2026-04", 1), ("2026-05", 0), ("2026-06", 8)],
        "{t}"
    );
    // Also among the aspects, marked as the owner's.
    let aspect = topics["aspects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["aspect"] == TOPIC)
        .cloned()
        .expect("the topic among the aspects");
    assert_eq!(aspect["owner_topic"], true);
    assert_eq!(aspect["mentions"], 9);

    let listed = db.earshot(&["topics", "list", "--json"]).ok().json();
    assert_eq!(listed[0]["business"], GYM);
    assert_eq!(listed[0]["name"], TOPIC);
    assert_eq!(listed[0]["mentions"], 9);

    let raised = db
        .earshot(&["alerts", "check", "--now", NOW, "--json"])
        .ok()
        .json();
    let surge = raised
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "topic_surge" && a["details"]["topic"] == TOPIC)
        .unwrap_or_else(|| panic!("no topic_surge for {TOPIC}: {raised}"));
    assert!(surge["details"]["items"].as_i64().unwrap() >= 5, "{surge}");

    // A new review is tagged on the way in.
    let more = db.file(
        "more.csv",
        "external_id,platform,author,rating,title,body,created_at\n\
         m1,google,Late,2,,\"The yoga classes were cancelled, terrible.\",2026-06-29T08:00:00Z\n",
    );
    db.earshot(&[
        "import",
        more.to_str().unwrap(),
        "--business",
        GYM,
        "--json",
    ])
    .ok();
    let topics = db
        .earshot(&["topics", "--business", GYM, "--today", TODAY, "--json"])
        .ok()
        .json();
    assert_eq!(owner_topic(&topics).unwrap()["mentions"], 10);

    // Removed: the topic and its tags go; the built-in aspects stay.
    let removed = db
        .earshot(&["topics", "remove", TOPIC, "--json"])
        .ok()
        .json();
    assert_eq!(removed["reviews_retagged"], 10);
    let topics = db
        .earshot(&["topics", "--business", GYM, "--today", TODAY, "--json"])
        .ok()
        .json();
    assert!(owner_topic(&topics).is_none());
    let aspects = topics["aspects"].as_array().unwrap();
    assert!(aspects.iter().all(|a| a["aspect"] != TOPIC), "{topics}");
    assert!(aspects.iter().any(|a| a["aspect"] == "staff"), "{topics}");
}

#[test]
fn a_topic_named_like_a_built_in_aspect_or_twice_is_refused_with_a_reason() {
    let db = TestDb::new();
    db.earshot(&["businesses", "add", GYM]).ok();
    let run = db
        .earshot(&["topics", "add", "--business", GYM, "Service"])
        .fails();
    assert!(
        run.stderr().contains("Earshot's own topics"),
        "{}",
        run.stderr()
    );
    db.earshot(&["topics", "add", "--business", GYM, "parking"])
        .ok();
    let run = db
        .earshot(&["topics", "add", "--business", GYM, "Parking"])
        .fails();
    assert!(
        run.stderr().contains("already has a topic"),
        "{}",
        run.stderr()
    );
    let run = db.earshot(&["topics", "remove", "nothing"]).fails();
    assert!(run.stderr().contains("topics list"), "{}", run.stderr());
    let listed = db.earshot(&["topics", "list", "--json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}
