//! Copying a whole database between the two stores (`earshot migrate`, issue 31): the SQLite
//! side, and the types both sides share.
//!
//! The copier itself (which tables, in which order, what is converted, how the copy is checked)
//! is `actions::migrate`; each store only reads and writes rows of a table it is told about
//! ([`CopiedTable`]: a name and the columns both schemas share), in its own SQL. Rows travel as
//! [`Cell`]s, one per column, in the engine-neutral types of [`ColumnType`].
//!
//! The target is written in one transaction ([`Store::begin_copy`] … [`Store::commit_copy`]): a
//! failure, a difference found by the check or a killed process leaves it as it was. The
//! source is read in one snapshot ([`Store::begin_snapshot`]), so a seat writing meanwhile
//! cannot make the copy and its check disagree.

use rusqlite::types::{Value, ValueRef};
use rusqlite::{params_from_iter, Connection};

use super::reviews::{index_all_rows, search_key_for_copy};
use super::{Result, Store, StoreError};

/// What a column holds, whatever each engine calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// INTEGER on SQLite; bigint or integer on PostgreSQL.
    Int,
    /// REAL; double precision.
    Real,
    Text,
    /// 0/1 INTEGER on SQLite; boolean on PostgreSQL.
    Bool,
    /// JSON: text on SQLite; jsonb (or text) on PostgreSQL, read back as its text.
    Json,
}

/// One value of a copied row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
}

/// A row of a copied table: its cells in the order of [`CopiedTable::columns`].
pub type CopyRow = Vec<Cell>;

/// How a table's rows are told apart and ordered.
#[derive(Debug, Clone, Copy)]
pub enum TableKey {
    /// An integer `id`, the first column: read a page at a time in id order, sampled by id.
    Id,
    /// Other columns (a composite or text key): small tables, read whole in this order.
    Columns(&'static [&'static str]),
}

/// A table as the copy sees it: the columns both stores' schemas have.
#[derive(Debug, Clone, Copy)]
pub struct CopiedTable {
    pub name: &'static str,
    pub columns: &'static [(&'static str, ColumnType)],
    pub key: TableKey,
    /// For a rollup: the counter that is 0 on a row left behind by deletions, which the two
    /// engines keep differently (neither is wrong), so such rows are not compared.
    pub live_when_nonzero: Option<&'static str>,
}

impl CopiedTable {
    /// The column names, comma-separated.
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The ORDER BY list of the key.
    pub fn order_by(&self) -> String {
        match self.key {
            TableKey::Id => "id".to_owned(),
            TableKey::Columns(cols) => cols.join(", "),
        }
    }

    /// `WHERE …` for the live rows (a rollup's), or "" for every row.
    pub fn live_filter(&self) -> String {
        match self.live_when_nonzero {
            Some(c) => format!(" WHERE {c} <> 0"),
            None => String::new(),
        }
    }
}

/// The table a copy statement names must be one of the copier's list, never text from outside:
/// names are spliced into SQL. They are `'static` string constants of `actions::migrate`, and
/// this checks they are plain identifiers all the same.
pub(crate) fn checked_identifiers(table: &CopiedTable) -> Result<()> {
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let key_columns: &[&str] = match table.key {
        TableKey::Id => &["id"],
        TableKey::Columns(c) => c,
    };
    let all_plain = plain(table.name)
        && table.columns.iter().all(|(c, _)| plain(c))
        && key_columns.iter().all(|c| plain(c))
        && table.live_when_nonzero.is_none_or(plain);
    if all_plain {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            what: "copied table",
            reason: format!("{} names something that is not a plain column", table.name),
        })
    }
}

/// The id of a row of a [`TableKey::Id`] table (its first cell).
pub fn row_id(row: &CopyRow) -> Option<i64> {
    match row.first() {
        Some(Cell::Int(id)) => Some(*id),
        _ => None,
    }
}

fn cell_from_sqlite(v: ValueRef<'_>, ty: ColumnType) -> rusqlite::Result<Cell> {
    Ok(match (v, ty) {
        (ValueRef::Null, _) => Cell::Null,
        (ValueRef::Integer(i), ColumnType::Bool) => Cell::Bool(i != 0),
        (ValueRef::Integer(i), ColumnType::Real) => Cell::Real(i as f64),
        (ValueRef::Integer(i), _) => Cell::Int(i),
        (ValueRef::Real(f), _) => Cell::Real(f),
        (ValueRef::Text(t), _) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        (ValueRef::Blob(_), _) => {
            return Err(rusqlite::Error::InvalidColumnType(
                0,
                "a copied column".into(),
                rusqlite::types::Type::Blob,
            ))
        }
    })
}

fn cell_to_sqlite(c: &Cell) -> Value {
    match c {
        Cell::Null => Value::Null,
        Cell::Int(i) => Value::Integer(*i),
        Cell::Real(f) => Value::Real(*f),
        Cell::Text(t) => Value::Text(t.clone()),
        Cell::Bool(b) => Value::Integer(i64::from(*b)),
    }
}

fn read_rows(
    conn: &Connection,
    table: &CopiedTable,
    sql: &str,
    args: &[Value],
) -> Result<Vec<CopyRow>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, ty))| cell_from_sqlite(r.get_ref(i)?, *ty))
            .collect::<rusqlite::Result<CopyRow>>()
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The daily rollup of the copied reviews, as the write path sums a batch's new rows
/// (`BatchRollups`, and the triggers of migration 0003 take out the same): removed reviews not
/// counted, stars rounded half away from zero, days floored also before 1970.
const ROLLUP_COPIED_REVIEWS: &str = "
    INSERT INTO review_daily (business_id, platform, kind, day, count, rated, rating_sum,
        r1, r2, r3, r4, r5, negative, neutral, positive, replied, unanswered_negative)
    SELECT business_id, platform, kind,
        (created_at / 86400) - (created_at < 0 AND created_at % 86400 != 0),
        count(*), count(rating), coalesce(sum(rating), 0.0),
        sum(rating IS NOT NULL AND CAST(round(rating) AS INTEGER) = 1),
        sum(rating IS NOT NULL AND CAST(round(rating) AS INTEGER) = 2),
        sum(rating IS NOT NULL AND CAST(round(rating) AS INTEGER) = 3),
        sum(rating IS NOT NULL AND CAST(round(rating) AS INTEGER) = 4),
        sum(rating IS NOT NULL AND CAST(round(rating) AS INTEGER) = 5),
        sum(sentiment_label IS 'negative'), sum(sentiment_label IS 'neutral'),
        sum(sentiment_label IS 'positive'), sum(replied_at IS NOT NULL),
        sum(replied_at IS NULL AND (coalesce(rating <= 2, 0)
            OR (kind = 'mention' AND sentiment_label IS 'negative')))
    FROM reviews WHERE removed_at IS NULL
    GROUP BY 1, 2, 3, 4";

/// The aspect rollup of the copied reviews, as `BatchRollups::add_aspect` sums new mentions
/// (a removed review's mentions stay counted, as on every write path of this store).
const ASPECT_ROLLUP_COPIED_REVIEWS: &str = "
    INSERT INTO aspect_daily (business_id, aspect, day, mentions, negative, positive, sentiment_sum)
    SELECT r.business_id, m.key,
        (r.created_at / 86400) - (r.created_at < 0 AND r.created_at % 86400 != 0),
        count(*), sum(m.value ->> 1 = -1), sum(m.value ->> 1 = 1), sum(m.value ->> 0)
    FROM reviews r, json_each(r.aspects) AS m
    WHERE r.aspects IS NOT NULL
    GROUP BY 1, 2, 3";

impl Store {
    /// How many rows `table` holds (a rollup: its live rows).
    pub fn copy_row_count(&self, table: &CopiedTable) -> Result<u64> {
        checked_identifiers(table)?;
        let sql = format!("SELECT count(*) FROM {}{}", table.name, table.live_filter());
        let n: i64 = self.conn.query_row(&sql, [], |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }

    /// Rows of `table` in key order: for an id table, up to `limit` rows with ids above `after`;
    /// for another, every row.
    pub fn copy_rows(&self, table: &CopiedTable, after: i64, limit: usize) -> Result<Vec<CopyRow>> {
        checked_identifiers(table)?;
        let (cols, name) = (table.column_list(), table.name);
        match table.key {
            TableKey::Id => {
                let sql = format!("SELECT {cols} FROM {name} WHERE id > ?1 ORDER BY id LIMIT ?2");
                let args = [
                    Value::Integer(after),
                    Value::Integer(limit.min(i64::MAX as usize) as i64),
                ];
                read_rows(&self.conn, table, &sql, &args)
            }
            TableKey::Columns(_) => {
                let sql = format!(
                    "SELECT {cols} FROM {name}{} ORDER BY {}",
                    table.live_filter(),
                    table.order_by()
                );
                read_rows(&self.conn, table, &sql, &[])
            }
        }
    }

    /// The rows of an id table with these ids, in id order.
    pub fn copy_rows_with_ids(&self, table: &CopiedTable, ids: &[i64]) -> Result<Vec<CopyRow>> {
        checked_identifiers(table)?;
        let sql = format!(
            "SELECT {} FROM {} WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
            table.column_list(),
            table.name
        );
        let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        read_rows(&self.conn, table, &sql, &[Value::Text(ids)])
    }

    /// About `n` ids of an id table spread evenly from its lowest id to its highest: one index
    /// seek each, whatever the table's size.
    pub fn copy_sample_ids(&self, table: &CopiedTable, n: usize) -> Result<Vec<i64>> {
        checked_identifiers(table)?;
        let name = table.name;
        let (low, high): (Option<i64>, Option<i64>) =
            self.conn
                .query_row(&format!("SELECT min(id), max(id) FROM {name}"), [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
        let (Some(low), Some(high)) = (low, high) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT id FROM {name} WHERE id >= ?1 ORDER BY id LIMIT 1"
        ))?;
        let mut ids = Vec::with_capacity(n);
        for wanted in super::migrate::even_points(low, high, n) {
            let id: i64 = stmt.query_row([wanted], |r| r.get(0))?;
            if ids.last() != Some(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Starts reading in one snapshot: what the copy reads and what its check compares stay
    /// the same while other seats or the app write.
    pub fn begin_snapshot(&self) -> Result<()> {
        self.conn.execute_batch("BEGIN DEFERRED")?;
        // The snapshot starts with the first read, so read now.
        self.conn
            .query_row("SELECT count(*) FROM businesses", [], |r| {
                r.get::<_, i64>(0)
            })?;
        Ok(())
    }

    pub fn end_snapshot(&self) -> Result<()> {
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }

    /// Opens the copy's one transaction, taking the write lock now.
    pub fn begin_copy(&self) -> Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(())
    }

    /// Writes copied rows of `table` with one prepared insert. A review gets this store's own
    /// search key from its id and time (the full-text index's rowid, which the copy does not
    /// carry: it is filled by [`Store::finish_copy`]).
    pub fn copy_in(&self, table: &CopiedTable, rows: &[CopyRow]) -> Result<()> {
        checked_identifiers(table)?;
        let reviews = table.name == "reviews";
        let mut cols = table.column_list();
        let mut n = table.columns.len();
        let position = |name: &str| table.columns.iter().position(|(c, _)| *c == name);
        let (id_at, created_at) = (position("id"), position("created_at"));
        if reviews {
            cols.push_str(", search_key");
            n += 1;
        }
        let marks = (1..=n)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("INSERT INTO {} ({cols}) VALUES ({marks})", table.name);
        let mut insert = self.conn.prepare_cached(&sql)?;
        let mut values: Vec<Value> = Vec::with_capacity(n);
        for row in rows {
            values.clear();
            values.extend(row.iter().map(cell_to_sqlite));
            if reviews {
                let (Some(Cell::Int(id)), Some(Cell::Int(at))) = (
                    id_at.and_then(|i| row.get(i)),
                    created_at.and_then(|i| row.get(i)),
                ) else {
                    return Err(StoreError::Invalid {
                        what: "copied review",
                        reason: "it has no id or creation time".into(),
                    });
                };
                values.push(Value::Integer(search_key_for_copy(&self.conn, *id, *at)?));
            }
            insert.execute(params_from_iter(values.iter()))?;
        }
        Ok(())
    }

    /// What this store derives from the copied rows, in the copy's transaction: the full-text
    /// index and both daily rollups (on this store the write path, not triggers, adds new rows
    /// to them).
    pub fn finish_copy(&self) -> Result<()> {
        index_all_rows(&self.conn)?;
        self.conn.execute_batch(ROLLUP_COPIED_REVIEWS)?;
        self.conn.execute_batch(ASPECT_ROLLUP_COPIED_REVIEWS)?;
        Ok(())
    }

    pub fn commit_copy(&self) -> Result<()> {
        self.conn.execute_batch("COMMIT")?;
        Ok(())
    }

    /// Rolls the copy back; nothing of it stays.
    pub fn abandon_copy(&self) -> Result<()> {
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }
}

/// `n` points from `low` to `high` (both included), evenly spaced.
pub(crate) fn even_points(low: i64, high: i64, n: usize) -> impl Iterator<Item = i64> {
    let n = n.max(1) as i128;
    let (low, span) = (i128::from(low), i128::from(high) - i128::from(low));
    (0..n).map(move |i| {
        let step = if n == 1 { 0 } else { span * i / (n - 1) };
        (low + step) as i64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_points_span_the_ids_and_include_both_ends() {
        assert_eq!(even_points(1, 9, 5).collect::<Vec<_>>(), [1, 3, 5, 7, 9]);
        assert_eq!(even_points(4, 4, 3).collect::<Vec<_>>(), [4, 4, 4]);
        assert_eq!(even_points(1, 100, 1).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn a_table_name_that_is_not_a_plain_identifier_is_refused() {
        const BAD: CopiedTable = CopiedTable {
            name: "reviews; DROP TABLE reviews",
            columns: &[("id", ColumnType::Int)],
            key: TableKey::Id,
            live_when_nonzero: None,
        };
        assert_eq!(checked_identifiers(&BAD).unwrap_err().code(), "invalid");
    }
}
