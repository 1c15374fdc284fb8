//! The owner's own topics (issue 27) on the team store (migration 0009): the SQLite store's
//! methods of `store/topics.rs`, same names, signatures and results, in PostgreSQL's SQL.
//!
//! As on a file, a topic's mentions live in each review's `aspects` (jsonb) beside the built-in
//! aspects, so the aspect rollup's triggers follow every re-tag, and saving or removing a topic
//! re-tags the business's reviews in the same transaction. The merge of a review's mentions is
//! done by the server (`aspects - cleared || topics`), a block of rows per statement, so the
//! built-in mentions' numbers are never rewritten through f64. Changes to one business's topics
//! are serialised for the whole team by a transaction advisory lock: two seats editing topics
//! at once re-tag one after the other, each with the other's topic in its matcher.

use postgres::error::SqlState;
use postgres::{GenericClient, Row};

use super::PgStore;
use crate::analysis::aspects;
use crate::analysis::review::scored_text_of;
use crate::analysis::topics::{check_topic, TopicMatcher};
use crate::model::BusinessId;
use crate::store::{now_unix, OwnerTopic, Result, StoreError, TopicId};

/// Reviews read at a time while re-tagging, walked by id (as the SQLite store's block).
const RETAG_BLOCK: i64 = 2_000;
/// Reviews re-tagged between two progress reports.
const PROGRESS_EVERY: u64 = 2_000;
/// The advisory lock class of topic changes (its second key is the business): "topi" in ASCII.
const TOPIC_LOCK: i32 = 0x746f_7069;

const COLUMNS: &str = "id, business_id, name, words";

fn from_row(r: &Row) -> OwnerTopic {
    let words: String = r.get(3);
    OwnerTopic {
        id: r.get(0),
        business_id: r.get(1),
        name: r.get(2),
        // The column's CHECK keeps it a JSON array; anything but strings in it is left out.
        words: serde_json::from_str::<Vec<serde_json::Value>>(&words)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    }
}

fn invalid(reason: String) -> StoreError {
    StoreError::Invalid {
        what: "topic",
        reason,
    }
}

/// The owner's topics of a business, oldest first.
pub(super) fn topics_of(
    client: &mut impl GenericClient,
    business_id: BusinessId,
) -> Result<Vec<OwnerTopic>> {
    let sql = format!("SELECT {COLUMNS} FROM owner_topics WHERE business_id = $1 ORDER BY id");
    Ok(client
        .query(sql.as_str(), &[&business_id])?
        .iter()
        .map(from_row)
        .collect())
}

/// The matcher of a business's topics, `None` when it has none (the write path's fast case).
pub(super) fn matcher_for(topics: &[OwnerTopic]) -> Option<TopicMatcher> {
    (!topics.is_empty())
        .then(|| TopicMatcher::new(topics.iter().map(|t| (t.name.as_str(), t.words.as_slice()))))
}

impl PgStore {
    /// The owner's topics, of one business or of all, by business then oldest first.
    pub fn owner_topics(&self, business_id: Option<BusinessId>) -> Result<Vec<OwnerTopic>> {
        let mut client = self.client();
        match business_id {
            Some(b) => topics_of(&mut *client, b),
            None => {
                let sql = format!("SELECT {COLUMNS} FROM owner_topics ORDER BY business_id, id");
                Ok(client
                    .query(sql.as_str(), &[])?
                    .iter()
                    .map(from_row)
                    .collect())
            }
        }
    }

    pub fn owner_topic(&self, id: TopicId) -> Result<OwnerTopic> {
        let sql = format!("SELECT {COLUMNS} FROM owner_topics WHERE id = $1");
        let row = self.client().query_opt(sql.as_str(), &[&id])?;
        row.map(|r| from_row(&r))
            .ok_or(StoreError::UnknownTopic(id))
    }

    /// Adds a topic to a business (`id` `None`) or changes one (its name, its words), and
    /// re-tags the business's reviews, all in one transaction. `progress` gets (reviews done,
    /// reviews in all). Returns the topic and how many reviews' tags changed.
    pub fn save_owner_topic(
        &self,
        business_id: BusinessId,
        id: Option<TopicId>,
        name: &str,
        words: &[String],
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(OwnerTopic, u64)> {
        let name = name.trim();
        check_topic(name, words).map_err(invalid)?;
        let business = self.business(business_id)?;
        let words_json = serde_json::to_string(words).map_err(|e| invalid(e.to_string()))?;
        let taken_message = || format!("{} already has a topic named \"{name}\"", business.name);
        let mut client = self.client();
        let mut tx = client.transaction()?;
        lock_topics(&mut tx, business_id)?;
        let taken: Option<TopicId> = tx
            .query_opt(
                "SELECT id FROM owner_topics
                 WHERE business_id = $1 AND earshot_nocase(name) = earshot_nocase($2)",
                &[&business_id, &name],
            )?
            .map(|r| r.get(0));
        if taken.is_some() && taken != id {
            return Err(invalid(taken_message()));
        }
        let now = now_unix();
        let mut cleared: Vec<String> = Vec::new();
        let written = match id {
            Some(id) => {
                let old = tx
                    .query_opt(
                        &format!("SELECT {COLUMNS} FROM owner_topics WHERE id = $1"),
                        &[&id],
                    )?
                    .map(|r| from_row(&r))
                    .filter(|t| t.business_id == business_id)
                    .ok_or(StoreError::UnknownTopic(id))?;
                cleared.push(old.name);
                tx.execute(
                    "UPDATE owner_topics SET name = $2, words = $3, updated_at = $4 WHERE id = $1",
                    &[&id, &name, &words_json, &now],
                )
                .map(|_| id)
            }
            None => tx
                .query_one(
                    "INSERT INTO owner_topics (business_id, name, words, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $4) RETURNING id",
                    &[&business_id, &name, &words_json, &now],
                )
                .map(|r| r.get(0)),
        };
        let id = match written {
            Ok(id) => id,
            // The lock makes this rare: a name written by hand-typed SQL in between.
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                return Err(invalid(taken_message()))
            }
            Err(e) => return Err(e.into()),
        };
        let changed = retag(&mut tx, business_id, cleared, progress)?;
        let topic = tx
            .query_one(
                &format!("SELECT {COLUMNS} FROM owner_topics WHERE id = $1"),
                &[&id],
            )
            .map(|r| from_row(&r))?;
        tx.commit()?;
        Ok((topic, changed))
    }

    /// Removes a topic and its mentions from the business's reviews, in one transaction.
    /// Returns the topic removed and how many reviews' tags changed.
    pub fn remove_owner_topic(
        &self,
        id: TopicId,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(OwnerTopic, u64)> {
        let topic = self.owner_topic(id)?;
        let mut client = self.client();
        let mut tx = client.transaction()?;
        lock_topics(&mut tx, topic.business_id)?;
        let deleted = tx.execute("DELETE FROM owner_topics WHERE id = $1", &[&id])?;
        if deleted == 0 {
            // Another seat removed it first.
            return Err(StoreError::UnknownTopic(id));
        }
        let changed = retag(
            &mut tx,
            topic.business_id,
            vec![topic.name.clone()],
            progress,
        )?;
        tx.commit()?;
        Ok((topic, changed))
    }
}

/// A batch of reviews being written for a business holds this until its transaction ends: a
/// change to the business's topics waits for it, and it for a change under way.
pub(super) fn lock_topics_shared(
    tx: &mut postgres::Transaction<'_>,
    business_id: BusinessId,
) -> Result<()> {
    tx.execute(
        "SELECT pg_advisory_xact_lock_shared($1, $2)",
        &[&TOPIC_LOCK, &(business_id as i32)],
    )?;
    Ok(())
}

/// One change to a business's topics at a time for the whole team, until the transaction ends.
fn lock_topics(tx: &mut postgres::Transaction<'_>, business_id: BusinessId) -> Result<()> {
    // The two-key form: the business id's low 32 bits are enough to tell businesses apart
    // (a collision only makes two businesses' changes wait for each other).
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&TOPIC_LOCK, &(business_id as i32)],
    )?;
    Ok(())
}

/// Re-tags every review of a business with its current topics: the mentions of every topic it
/// has and of the names in `cleared` (a topic renamed or removed) are taken out, and the current
/// topics' mentions put in. Only rows whose mentions change are written (a block per
/// statement); the rollup follows by trigger. Returns how many rows changed.
fn retag(
    tx: &mut postgres::Transaction<'_>,
    business_id: BusinessId,
    mut cleared: Vec<String>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64> {
    let matcher = matcher_for(&topics_of(tx, business_id)?).unwrap_or_default();
    cleared.extend(matcher.names().map(str::to_owned));
    cleared.sort_unstable();
    cleared.dedup();
    let total = tx
        .query_one(
            "SELECT count(*) FROM reviews WHERE business_id = $1",
            &[&business_id],
        )?
        .get::<_, i64>(0) as u64;
    progress(0, total);
    let read = tx.prepare(
        "SELECT id, title, body, language, sentiment, coalesce(aspects ?| $4::text[], false)
         FROM reviews WHERE business_id = $1 AND id > $2 ORDER BY id LIMIT $3",
    )?;
    // The new mentions of a block: the stored ones without the cleared names, with the topics'
    // mentions found; NULL when none is left, as on a file. Rows that stay as they were are
    // not written (no trigger work, no new row version).
    let write = tx.prepare(
        "WITH found AS (
             SELECT r.id, nullif((coalesce(r.aspects, '{}'::jsonb) - $2::text[])
                                 || coalesce(f.topics::jsonb, '{}'::jsonb), '{}'::jsonb) AS merged
             FROM unnest($1::bigint[], $3::text[]) AS f(id, topics)
             JOIN reviews r ON r.id = f.id
         )
         UPDATE reviews r SET aspects = found.merged FROM found
         WHERE r.id = found.id AND r.aspects IS DISTINCT FROM found.merged",
    )?;
    let (mut after, mut done, mut changed) = (0_i64, 0_u64, 0_u64);
    loop {
        let rows = tx.query(&read, &[&business_id, &after, &RETAG_BLOCK, &cleared])?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.get(0);
        let (mut ids, mut topics): (Vec<i64>, Vec<Option<String>>) = (Vec::new(), Vec::new());
        for r in &rows {
            done += 1;
            if done % PROGRESS_EVERY == 0 {
                progress(done, total);
            }
            let title: Option<String> = r.get(1);
            let body: String = r.get(2);
            let language: Option<String> = r.get(3);
            let sentiment: Option<f64> = r.get(4);
            let had: bool = r.get(5);
            let text = scored_text_of(title.as_deref(), &body);
            let found = matcher.mentions(&text, language.as_deref(), sentiment);
            if found.is_empty() && !had {
                continue;
            }
            ids.push(r.get(0));
            topics.push(aspects::to_json(&found));
        }
        if !ids.is_empty() {
            changed += tx.execute(&write, &[&ids, &cleared, &topics])?;
        }
    }
    progress(total, total);
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IncomingReview;
    use crate::store::postgres::cluster;

    const TEXTS: [&str; 4] = [
        "Parking was a nightmare, the coffee was great.",
        "We parked right outside. Lovely staff.",
        "The new menu is superb, and the car park is huge.",
        "Nothing to say about anything.",
    ];

    fn store_with_reviews(label: &str) -> (String, PgStore, BusinessId) {
        let url = cluster::fresh_database(label);
        let store = PgStore::open(&url).unwrap();
        let cafe = store.ensure_business("Joe's Cafe").unwrap();
        let source = store
            .ensure_source(cafe.id, "file", "import", &serde_json::json!({}))
            .unwrap();
        let items: Vec<IncomingReview> = (0..40)
            .map(|i| {
                let at = chrono::DateTime::from_timestamp(1_700_000_000 + i * 86_400, 0);
                IncomingReview::example(format!("r{i}"), TEXTS[i as usize % 4].into(), at.unwrap())
            })
            .collect();
        store.write_reviews(source, &items).unwrap();
        (url, store, cafe.id)
    }

    /// (aspect, mentions) per aspect.
    type Counts = Vec<(String, i64)>;

    /// The counts from the rollup, and the same counted from the rows' own mentions.
    fn rollup_and_rows(store: &PgStore) -> (Counts, Counts) {
        let read = |sql: &str| -> Counts {
            store
                .client()
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect()
        };
        (
            read(
                "SELECT aspect, sum(mentions)::bigint FROM aspect_daily
                 GROUP BY aspect HAVING sum(mentions) <> 0 ORDER BY 1",
            ),
            read(
                "SELECT m.key, count(*) FROM reviews r CROSS JOIN LATERAL jsonb_each(r.aspects) m
                 GROUP BY 1 ORDER BY 1",
            ),
        )
    }

    fn mentions_of(store: &PgStore, topic: &str) -> i64 {
        rollup_and_rows(store)
            .0
            .iter()
            .find(|(a, _)| a == topic)
            .map_or(0, |c| c.1)
    }

    /// As the SQLite store's test: a topic added, saved again, renamed and removed re-tags the
    /// reviews, the rollup stays the rows' own count, and the built-in aspects are untouched.
    #[test]
    fn adding_editing_and_removing_a_topic_retags_the_reviews_and_keeps_the_rollup_right() {
        let (_, store, b) = store_with_reviews("topics_retag");
        let before = rollup_and_rows(&store);
        let mut reports = Vec::new();
        let (topic, changed) = store
            .save_owner_topic(b, None, "parking", &["park".into()], &mut |d, t| {
                reports.push((d, t))
            })
            .unwrap();
        // "park" is in three texts of four (parking, parked, car park).
        assert_eq!(changed, 30);
        assert_eq!(reports.last(), Some(&(40, 40)));
        assert_eq!(mentions_of(&store, "parking"), 30);
        let (rollup, rows) = rollup_and_rows(&store);
        assert_eq!(rollup, rows);
        assert!(before.0.iter().all(|a| rollup.contains(a)), "{rollup:?}");

        let (_, again) = store
            .save_owner_topic(
                b,
                Some(topic.id),
                "parking",
                &["park".into()],
                &mut |_, _| {},
            )
            .unwrap();
        assert_eq!(again, 0, "saving again changes nothing");

        store
            .save_owner_topic(
                b,
                Some(topic.id),
                "the new menu",
                &["new menu".into()],
                &mut |_, _| {},
            )
            .unwrap();
        assert_eq!(mentions_of(&store, "parking"), 0);
        assert_eq!(mentions_of(&store, "the new menu"), 10);

        let e = store
            .save_owner_topic(b, None, "THE NEW MENU", &[], &mut |_, _| {})
            .unwrap_err();
        assert!(e.to_string().contains("already has a topic"), "{e}");
        let e = store
            .save_owner_topic(b, None, "Service", &[], &mut |_, _| {})
            .unwrap_err();
        assert!(e.to_string().contains("Earshot's own topics"), "{e}");

        let (removed, changed) = store.remove_owner_topic(topic.id, &mut |_, _| {}).unwrap();
        assert_eq!((removed.name.as_str(), changed), ("the new menu", 10));
        assert_eq!(rollup_and_rows(&store), before);
        assert!(matches!(
            store.remove_owner_topic(topic.id, &mut |_, _| {}),
            Err(StoreError::UnknownTopic(_))
        ));
    }

    /// Two seats adding topics to one business at once: the changes take turns (the advisory
    /// lock), so each re-tag sees the other's topic and both topics' mentions are kept; the same
    /// name from two seats at once is added once, the other seat told it is taken.
    #[test]
    fn two_seats_changing_one_businesss_topics_at_once_keep_both_topics_tags() {
        let (url, store, b) = store_with_reviews("topics_two_seats");
        let other = PgStore::open(&url).unwrap();
        let (first, second) = std::thread::scope(|s| {
            let one = s.spawn(|| {
                store.save_owner_topic(b, None, "parking", &["park".into()], &mut |_, _| {})
            });
            let two = s.spawn(|| {
                other.save_owner_topic(b, None, "car park", &["car park".into()], &mut |_, _| {})
            });
            (one.join().unwrap(), two.join().unwrap())
        });
        first.unwrap();
        second.unwrap();
        assert_eq!(mentions_of(&store, "parking"), 30);
        assert_eq!(mentions_of(&store, "car park"), 10);
        let (rollup, rows) = rollup_and_rows(&store);
        assert_eq!(rollup, rows);

        let results: Vec<_> = std::thread::scope(|s| {
            let seats = [&store, &other].map(|seat| {
                s.spawn(move || seat.save_owner_topic(b, None, "menu", &[], &mut |_, _| {}))
            });
            seats.map(|h| h.join().unwrap()).into_iter().collect()
        });
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(
            refused.to_string().contains("already has a topic"),
            "{refused}"
        );
        assert_eq!(store.owner_topics(Some(b)).unwrap().len(), 3);
    }

    /// A review written by a seat after another seat added or changed a topic is tagged with the
    /// topics as they are when its batch commits.
    #[test]
    fn a_review_written_after_another_seat_added_a_topic_is_tagged() {
        let (url, store, b) = store_with_reviews("topics_writer");
        let other = PgStore::open(&url).unwrap();
        let source = other
            .ensure_source(b, "file", "import", &serde_json::json!({}))
            .unwrap();
        let mut writer = other.review_writer();
        let at = |d: i64| chrono::DateTime::from_timestamp(1_710_000_000 + d * 86_400, 0).unwrap();
        let item = |id: &str, d| {
            IncomingReview::example(id.into(), "Sarah's spin class was brilliant".into(), at(d))
        };
        writer.write(source, &item("n1", 0), None).unwrap();
        writer.commit().unwrap();
        store
            .save_owner_topic(
                b,
                None,
                "Sarah's class",
                &["spin class".into()],
                &mut |_, _| {},
            )
            .unwrap();
        // The same writer, its next batch: it reads the business's topics afresh.
        writer.write(source, &item("n2", 1), None).unwrap();
        writer.commit().unwrap();
        assert_eq!(mentions_of(&store, "Sarah's class"), 2);

        // A batch taken in before another seat renames the topic and committed after it: the
        // commit finds the topics changed and tags the batch with the new name, as the re-tag
        // did the stored reviews.
        writer.write(source, &item("n3", 2), None).unwrap();
        let topic = store.owner_topics(Some(b)).unwrap().remove(0);
        store
            .save_owner_topic(
                b,
                Some(topic.id),
                "spin",
                &["spin class".into()],
                &mut |_, _| {},
            )
            .unwrap();
        writer.commit().unwrap();
        assert_eq!(mentions_of(&store, "Sarah's class"), 0);
        assert_eq!(mentions_of(&store, "spin"), 3);
        let (rollup, rows) = rollup_and_rows(&store);
        assert_eq!(rollup, rows);
    }
}
