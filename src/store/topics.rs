//! The owner's own topics (`owner_topics`, migration 0016) and the re-tagging of a business's
//! reviews when they change.
//!
//! A topic's mentions live in the review's row with the built-in aspects (`reviews.aspects`),
//! so the rollup triggers of 0007 keep `aspect_daily` right through every re-tag. Saving or
//! removing a topic and re-tagging the reviews is one transaction: a crash keeps the old topic
//! with its old tags or the new one with its new tags, and running it again changes nothing.
//! The JSON is edited in SQL (`json_each`, `json_group_object`), which keeps the built-in
//! mentions' numbers as they were written: a rewrite through f64 could change a last digit,
//! and the rollup sums them.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use super::{now_unix, Result, Store, StoreError};
use crate::analysis::aspects;
use crate::analysis::review::scored_text_of;
use crate::analysis::topics::{check_topic, TopicMatcher};
use crate::analysis::trends::AspectCounts;
use crate::model::BusinessId;

/// Row id of an owner's topic.
pub type TopicId = i64;

/// One of the owner's own topics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerTopic {
    pub id: TopicId,
    pub business_id: BusinessId,
    pub name: String,
    /// The words and phrases that evoke it (its name evokes it too).
    pub words: Vec<String>,
}

/// Reviews re-tagged between two progress reports.
const PROGRESS_EVERY: u64 = 2_000;
/// Reviews read at a time while re-tagging: the walk goes by id, never holding a statement
/// open over the rows it updates.
const RETAG_BLOCK: i64 = 2_000;

const COLUMNS: &str = "id, business_id, name, words";

fn from_row(r: &Row<'_>) -> rusqlite::Result<OwnerTopic> {
    let words: String = r.get(3)?;
    Ok(OwnerTopic {
        id: r.get(0)?,
        business_id: r.get(1)?,
        name: r.get(2)?,
        // The column's CHECK keeps it a JSON array; anything but strings in it is left out.
        words: serde_json::from_str::<Vec<serde_json::Value>>(&words)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    })
}

fn invalid(reason: String) -> StoreError {
    StoreError::Invalid {
        what: "topic",
        reason,
    }
}

/// The owner's topics of a business, oldest first.
fn topics_of(conn: &Connection, business_id: BusinessId) -> Result<Vec<OwnerTopic>> {
    let sql = format!("SELECT {COLUMNS} FROM owner_topics WHERE business_id = ?1 ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([business_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The matcher of a business's topics, `None` when it has none (the write path's fast case).
pub(in crate::store) fn matcher_of(
    conn: &Connection,
    business_id: BusinessId,
) -> Result<Option<TopicMatcher>> {
    let topics = topics_of(conn, business_id)?;
    if topics.is_empty() {
        return Ok(None);
    }
    Ok(Some(TopicMatcher::new(
        topics.iter().map(|t| (t.name.as_str(), t.words.as_slice())),
    )))
}

/// What a review's mentions become: the stored ones (?1) without the keys listed in ?3 (a JSON
/// array), and the topic mentions ?2; NULL when none is left.
const RETAGGED: &str = "SELECT CASE WHEN count(*) = 0 THEN NULL
         ELSE json_group_object(key, json(value)) END
     FROM (SELECT key, value FROM json_each(?1)
           WHERE key NOT IN (SELECT value FROM json_each(?3))
           UNION ALL SELECT key, value FROM json_each(?2))";

impl Store {
    /// The owner's topics, of one business or of all, by business then oldest first.
    pub fn owner_topics(&self, business_id: Option<BusinessId>) -> Result<Vec<OwnerTopic>> {
        match business_id {
            Some(b) => topics_of(&self.conn, b),
            None => {
                let sql = format!("SELECT {COLUMNS} FROM owner_topics ORDER BY business_id, id");
                let mut stmt = self.conn.prepare(&sql)?;
                let rows = stmt.query_map([], from_row)?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            }
        }
    }

    pub fn owner_topic(&self, id: TopicId) -> Result<OwnerTopic> {
        let sql = format!("SELECT {COLUMNS} FROM owner_topics WHERE id = ?1");
        self.conn
            .query_row(&sql, [id], from_row)
            .optional()?
            .ok_or(StoreError::UnknownTopic(id))
    }

    /// Adds a topic to a business (`id` `None`) or changes one (its name, its words), and
    /// re-tags the business's reviews, all in one transaction. `progress` gets (reviews done,
    /// reviews in all). Returns the topic and how many reviews' tags changed.
    pub fn save_owner_topic(
        &mut self,
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
        let tx = self.conn.transaction()?;
        let taken: Option<TopicId> = tx
            .query_row(
                "SELECT id FROM owner_topics WHERE business_id = ?1 AND name = ?2",
                params![business_id, name],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() && taken != id {
            return Err(invalid(format!(
                "{} already has a topic named \"{name}\"",
                business.name
            )));
        }
        let now = now_unix();
        let mut cleared: Vec<String> = Vec::new();
        let id = match id {
            Some(id) => {
                let old = tx
                    .query_row(
                        &format!("SELECT {COLUMNS} FROM owner_topics WHERE id = ?1"),
                        [id],
                        from_row,
                    )
                    .optional()?
                    .filter(|t| t.business_id == business_id)
                    .ok_or(StoreError::UnknownTopic(id))?;
                cleared.push(old.name);
                tx.execute(
                    "UPDATE owner_topics SET name = ?2, words = ?3, updated_at = ?4 WHERE id = ?1",
                    params![id, name, words_json, now],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO owner_topics (business_id, name, words, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?4)",
                    params![business_id, name, words_json, now],
                )?;
                tx.last_insert_rowid()
            }
        };
        let changed = retag(&tx, business_id, cleared, progress)?;
        let topic = tx.query_row(
            &format!("SELECT {COLUMNS} FROM owner_topics WHERE id = ?1"),
            [id],
            from_row,
        )?;
        tx.commit()?;
        Ok((topic, changed))
    }

    /// One aspect's (or topic's) rollup day by day in `[from_day, to_day)` (`from_day` `None`:
    /// from the first), oldest first: a topic's trend.
    pub fn aspect_days(
        &self,
        business_id: BusinessId,
        aspect: &str,
        from_day: Option<i64>,
        to_day: i64,
    ) -> Result<Vec<(i64, AspectCounts)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT day, mentions, negative, positive, sentiment_sum FROM aspect_daily
             WHERE business_id = ?1 AND aspect = ?2 AND day >= ?3 AND day < ?4 AND mentions > 0
             ORDER BY day",
        )?;
        let rows = stmt.query_map(
            params![business_id, aspect, from_day.unwrap_or(i64::MIN), to_day],
            |r| {
                Ok((
                    r.get(0)?,
                    AspectCounts {
                        aspect: aspect.to_owned(),
                        mentions: r.get(1)?,
                        negative: r.get(2)?,
                        positive: r.get(3)?,
                        sentiment_sum: r.get(4)?,
                    },
                ))
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Removes a topic and its mentions from the business's reviews, in one transaction.
    /// Returns the topic removed and how many reviews' tags changed.
    pub fn remove_owner_topic(
        &mut self,
        id: TopicId,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(OwnerTopic, u64)> {
        let topic = self.owner_topic(id)?;
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM owner_topics WHERE id = ?1", [id])?;
        let changed = retag(&tx, topic.business_id, vec![topic.name.clone()], progress)?;
        tx.commit()?;
        Ok((topic, changed))
    }
}

/// Re-tags every review of a business with its current topics: the mentions of every topic it
/// has and of the names in `cleared` (a topic renamed or removed) are taken out, and the current
/// topics' mentions put in. Only rows whose mentions change are written; the rollup follows by
/// trigger. Returns how many rows changed.
fn retag(
    tx: &Connection,
    business_id: BusinessId,
    mut cleared: Vec<String>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64> {
    let matcher = matcher_of(tx, business_id)?.unwrap_or_default();
    cleared.extend(matcher.names().map(str::to_owned));
    cleared.sort_unstable();
    cleared.dedup();
    // A review mentions a topic when its JSON holds the topic's key: a substring test skips
    // the rows that have nothing to take out without parsing them.
    let keys: Vec<String> = cleared
        .iter()
        .map(|n| format!("{}:", aspects::json_key(n)))
        .collect();
    let cleared_json = serde_json::to_string(&cleared).unwrap_or_else(|_| "[]".into());
    let total: u64 = tx.query_row(
        "SELECT count(*) FROM reviews WHERE business_id = ?1",
        [business_id],
        |r| r.get::<_, i64>(0),
    )? as u64;
    progress(0, total);
    let mut read = tx.prepare_cached(
        "SELECT id, title, body, language, sentiment, aspects FROM reviews
         WHERE business_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
    )?;
    let mut merged = tx.prepare_cached(RETAGGED)?;
    let mut write = tx.prepare_cached("UPDATE reviews SET aspects = ?2 WHERE id = ?1")?;
    /// id, title, body, language, sentiment, aspects.
    type Stored = (
        i64,
        Option<String>,
        String,
        Option<String>,
        Option<f64>,
        Option<String>,
    );
    let (mut after, mut done, mut changed) = (0_i64, 0_u64, 0_u64);
    loop {
        let rows: Vec<Stored> = read
            .query_map(params![business_id, after, RETAG_BLOCK], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.0;
        for (id, title, body, language, sentiment, stored) in rows {
            done += 1;
            if done % PROGRESS_EVERY == 0 {
                progress(done, total);
            }
            let text = scored_text_of(title.as_deref(), &body);
            let found = matcher.mentions(&text, language.as_deref(), sentiment);
            let had = stored
                .as_deref()
                .is_some_and(|s| keys.iter().any(|k| s.contains(k.as_str())));
            if found.is_empty() && !had {
                continue;
            }
            let topics_json = aspects::to_json(&found);
            let new: Option<String> =
                merged.query_row(params![stored, topics_json, cleared_json], |r| r.get(0))?;
            if new != stored {
                write.execute(params![id, new])?;
                changed += 1;
            }
        }
    }
    progress(total, total);
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IncomingReview;
    use chrono::DateTime;

    fn store_with_reviews(dir: &std::path::Path, texts: &[&str]) -> (Store, BusinessId) {
        let mut store = Store::open(&dir.join("topics.db")).unwrap();
        let b = store.add_business("Joe's Cafe", false).unwrap();
        let source = store
            .ensure_source(b.id, "file", "import", &serde_json::json!({}))
            .unwrap();
        let items: Vec<IncomingReview> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                IncomingReview::example(
                    format!("r{i}"),
                    (*t).into(),
                    DateTime::from_timestamp(1_700_000_000 + i as i64 * 86_400, 0).unwrap(),
                )
            })
            .collect();
        store.write_reviews(source, &items).unwrap();
        (store, b.id)
    }

    /// (aspect, mentions, negative) from the rollup, and the same counted from the rows.
    /// (aspect, mentions, negative) per aspect.
    type Counts = Vec<(String, i64, i64)>;

    fn counts(store: &Store) -> (Counts, Counts) {
        let q = |sql: &str| -> Counts {
            store
                .conn
                .prepare(sql)
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        (
            q("SELECT aspect, sum(mentions), sum(negative) FROM aspect_daily
               GROUP BY aspect HAVING sum(mentions) > 0 ORDER BY 1"),
            q("SELECT m.key, count(*), sum(m.value ->> 1 = -1) FROM reviews r, json_each(r.aspects) m
               GROUP BY 1 ORDER BY 1"),
        )
    }

    fn mentions_of(store: &Store, topic: &str) -> i64 {
        counts(store)
            .0
            .iter()
            .find(|(a, _, _)| a == topic)
            .map_or(0, |c| c.1)
    }

    #[test]
    fn adding_editing_and_removing_a_topic_retags_the_reviews_and_keeps_the_rollup_right() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, b) = store_with_reviews(
            dir.path(),
            &[
                "Parking was a nightmare, the coffee was great.",
                "We parked right outside. Lovely staff.",
                "The new menu is superb.",
                "Nothing to say about anything.",
            ],
        );
        let before = counts(&store);
        let mut reports = Vec::new();
        let (topic, changed) = store
            .save_owner_topic(b, None, "parking", &["park".into()], &mut |d, t| {
                reports.push((d, t))
            })
            .unwrap();
        assert_eq!(changed, 2);
        assert_eq!(reports.last(), Some(&(4, 4)));
        assert_eq!(mentions_of(&store, "parking"), 2);
        let (rollup, rows) = counts(&store);
        assert_eq!(rollup, rows);
        // The built-in aspects are as they were.
        assert!(before.0.iter().all(|a| rollup.contains(a)), "{rollup:?}");

        // Saving again changes nothing.
        let (_, again) = store
            .save_owner_topic(
                b,
                Some(topic.id),
                "parking",
                &["park".into()],
                &mut |_, _| {},
            )
            .unwrap();
        assert_eq!(again, 0);

        // Renamed, with other words: the old name's mentions go, the new ones come.
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
        assert_eq!(mentions_of(&store, "the new menu"), 1);

        let (removed, changed) = store.remove_owner_topic(topic.id, &mut |_, _| {}).unwrap();
        assert_eq!((removed.name.as_str(), changed), ("the new menu", 1));
        let after = counts(&store);
        assert_eq!(after.0, before.0);
        assert_eq!(after.1, before.1);
    }

    #[test]
    fn new_reviews_are_tagged_on_the_way_in() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, b) = store_with_reviews(dir.path(), &["Fine."]);
        store
            .save_owner_topic(
                b,
                None,
                "Sarah's class",
                &["spin class".into()],
                &mut |_, _| {},
            )
            .unwrap();
        let source = store
            .ensure_source(b, "file", "import", &serde_json::json!({}))
            .unwrap();
        let item = IncomingReview::example(
            "n1".into(),
            "Sarah’s class was brilliant!".into(),
            DateTime::from_timestamp(1_700_500_000, 0).unwrap(),
        );
        store.write_reviews(source, &[item]).unwrap();
        assert_eq!(mentions_of(&store, "Sarah's class"), 1);
        let (rollup, rows) = counts(&store);
        assert_eq!(rollup, rows);
    }

    #[test]
    fn a_name_taken_or_built_in_is_refused_and_nothing_changes() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, b) = store_with_reviews(dir.path(), &["Parking was hard."]);
        store
            .save_owner_topic(b, None, "Parking", &[], &mut |_, _| {})
            .unwrap();
        let e = store
            .save_owner_topic(b, None, "parking", &[], &mut |_, _| {})
            .unwrap_err();
        assert!(e.to_string().contains("already has a topic"), "{e}");
        let e = store
            .save_owner_topic(b, None, "Service", &[], &mut |_, _| {})
            .unwrap_err();
        assert!(e.to_string().contains("Earshot's own topics"), "{e}");
        assert_eq!(store.owner_topics(Some(b)).unwrap().len(), 1);
        assert!(matches!(
            store.remove_owner_topic(99, &mut |_, _| {}),
            Err(StoreError::UnknownTopic(99))
        ));
    }
}
