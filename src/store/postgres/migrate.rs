//! Copying a whole database between the two stores (`earshot migrate`, issue 31): the team
//! store's side, in PostgreSQL's own SQL. The same methods as the SQLite store's
//! (`store/migrate.rs`), which says what each does; what differs is how:
//!
//! - Rows go in by `COPY … FROM STDIN (FORMAT binary)`, a page at a time, into a temporary
//!   table of the copy's engine-neutral types, then one `INSERT … SELECT` into the table that
//!   casts each column to its declared type (jsonb, integer, boolean: read from the catalogue),
//!   ids kept (`OVERRIDING SYSTEM VALUE`). One statement a page, so the rollup triggers
//!   (statement-level, over transition tables) add a page's reviews in one upsert, and the
//!   search document is the generated column's work, as for any write.
//! - Each identity is moved past the highest copied id (`setval`) before the commit, so the
//!   next review a seat stores does not collide with a copied one.

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::Row;

use super::PgStore;
use crate::store::migrate::{
    checked_identifiers, even_points, Cell, ColumnType, CopiedTable, CopyRow, TableKey,
};
use crate::store::{Result, StoreError};

/// How a column is read so that every engine type comes back as the copy's own.
fn read_expression(column: &str, ty: ColumnType) -> String {
    match ty {
        ColumnType::Int => format!("{column}::bigint"),
        ColumnType::Real => format!("{column}::float8"),
        ColumnType::Text | ColumnType::Bool => column.to_owned(),
        ColumnType::Json => format!("{column}::text"),
    }
}

fn staged_type(ty: ColumnType) -> (&'static str, Type) {
    match ty {
        ColumnType::Int => ("bigint", Type::INT8),
        ColumnType::Real => ("float8", Type::FLOAT8),
        ColumnType::Text | ColumnType::Json => ("text", Type::TEXT),
        ColumnType::Bool => ("boolean", Type::BOOL),
    }
}

/// The key order, text compared byte by byte (`COLLATE "C"`) as SQLite compares it: a server's
/// own collation (en_US…) would list rows in another order than the file, and the check
/// compares them in order.
fn order_by(table: &CopiedTable) -> String {
    match table.key {
        TableKey::Id => "id".to_owned(),
        TableKey::Columns(keys) => keys
            .iter()
            .map(|k| match table.columns.iter().find(|(c, _)| c == k) {
                Some((_, ColumnType::Text)) => format!("{k} COLLATE \"C\""),
                _ => (*k).to_owned(),
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn select_list(table: &CopiedTable) -> String {
    table
        .columns
        .iter()
        .map(|(c, ty)| read_expression(c, *ty))
        .collect::<Vec<_>>()
        .join(", ")
}

fn cells_of(table: &CopiedTable, row: &Row) -> Result<CopyRow> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, ty))| {
            Ok(match ty {
                ColumnType::Int => row.try_get::<_, Option<i64>>(i)?.map(Cell::Int),
                ColumnType::Real => row.try_get::<_, Option<f64>>(i)?.map(Cell::Real),
                ColumnType::Text | ColumnType::Json => {
                    row.try_get::<_, Option<String>>(i)?.map(Cell::Text)
                }
                ColumnType::Bool => row.try_get::<_, Option<bool>>(i)?.map(Cell::Bool),
            }
            .unwrap_or(Cell::Null))
        })
        .collect()
}

/// One row's cells typed by their columns, as COPY writes them (a NULL too has its column's
/// type): one vector a type, each as long as the row, so a row's values are borrowed from them
/// without an allocation a cell.
#[derive(Default)]
struct TypedRow<'a> {
    ints: Vec<Option<i64>>,
    reals: Vec<Option<f64>>,
    texts: Vec<Option<&'a str>>,
    bools: Vec<Option<bool>>,
}

impl<'a> TypedRow<'a> {
    fn fill(&mut self, table: &CopiedTable, row: &'a CopyRow) -> Result<()> {
        let n = table.columns.len();
        if row.len() != n {
            return Err(StoreError::Invalid {
                what: "copied row",
                reason: format!("{} has {n} columns, the row {}", table.name, row.len()),
            });
        }
        self.ints.clear();
        self.ints.resize(n, None);
        self.reals.clear();
        self.reals.resize(n, None);
        self.texts.clear();
        self.texts.resize(n, None);
        self.bools.clear();
        self.bools.resize(n, None);
        for (i, ((name, ty), cell)) in table.columns.iter().zip(row).enumerate() {
            match (ty, cell) {
                (_, Cell::Null) => {}
                (ColumnType::Int, Cell::Int(v)) => self.ints[i] = Some(*v),
                (ColumnType::Int, Cell::Bool(b)) => self.ints[i] = Some(i64::from(*b)),
                (ColumnType::Real, Cell::Real(v)) => self.reals[i] = Some(*v),
                (ColumnType::Real, Cell::Int(v)) => self.reals[i] = Some(*v as f64),
                (ColumnType::Text | ColumnType::Json, Cell::Text(t)) => self.texts[i] = Some(t),
                (ColumnType::Bool, Cell::Bool(b)) => self.bools[i] = Some(*b),
                (ColumnType::Bool, Cell::Int(v)) => self.bools[i] = Some(*v != 0),
                (_, other) => {
                    return Err(StoreError::Invalid {
                        what: "copied row",
                        reason: format!("{}.{name} holds {other:?}", table.name),
                    })
                }
            }
        }
        Ok(())
    }

    fn values(&self, table: &CopiedTable) -> Vec<&(dyn ToSql + Sync)> {
        table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, ty))| -> &(dyn ToSql + Sync) {
                match ty {
                    ColumnType::Int => &self.ints[i],
                    ColumnType::Real => &self.reals[i],
                    ColumnType::Text | ColumnType::Json => &self.texts[i],
                    ColumnType::Bool => &self.bools[i],
                }
            })
            .collect()
    }
}

/// The columns of each table `earshot migrate` copied into this database, with their declared
/// types, by table name.
pub(super) type DeclaredTypes = std::collections::HashMap<&'static str, Vec<(String, String)>>;

impl PgStore {
    /// How many rows `table` holds (a rollup: its live rows).
    pub fn copy_row_count(&self, table: &CopiedTable) -> Result<u64> {
        checked_identifiers(table)?;
        let sql = format!("SELECT count(*) FROM {}{}", table.name, table.live_filter());
        let n: i64 = self.client().query_one(sql.as_str(), &[])?.get(0);
        Ok(n.unsigned_abs())
    }

    /// Rows of `table` in key order: for an id table, up to `limit` rows with ids above `after`;
    /// for another, every row.
    pub fn copy_rows(&self, table: &CopiedTable, after: i64, limit: usize) -> Result<Vec<CopyRow>> {
        checked_identifiers(table)?;
        let (cols, name) = (select_list(table), table.name);
        let rows = match table.key {
            TableKey::Id => {
                let sql = format!("SELECT {cols} FROM {name} WHERE id > $1 ORDER BY id LIMIT $2");
                self.client().query(
                    sql.as_str(),
                    &[&after, &(limit.min(i64::MAX as usize) as i64)],
                )?
            }
            TableKey::Columns(_) => {
                let sql = format!(
                    "SELECT {cols} FROM {name}{} ORDER BY {}",
                    table.live_filter(),
                    order_by(table)
                );
                self.client().query(sql.as_str(), &[])?
            }
        };
        rows.iter().map(|r| cells_of(table, r)).collect()
    }

    /// The rows of an id table with these ids, in id order.
    pub fn copy_rows_with_ids(&self, table: &CopiedTable, ids: &[i64]) -> Result<Vec<CopyRow>> {
        checked_identifiers(table)?;
        let sql = format!(
            "SELECT {} FROM {} WHERE id = ANY($1) ORDER BY id",
            select_list(table),
            table.name
        );
        let rows = self.client().query(sql.as_str(), &[&ids])?;
        rows.iter().map(|r| cells_of(table, r)).collect()
    }

    /// About `n` ids of an id table spread evenly from its lowest id to its highest: one index
    /// seek each.
    pub fn copy_sample_ids(&self, table: &CopiedTable, n: usize) -> Result<Vec<i64>> {
        checked_identifiers(table)?;
        let name = table.name;
        let mut client = self.client();
        let bounds =
            client.query_one(format!("SELECT min(id), max(id) FROM {name}").as_str(), &[])?;
        let (Some(low), Some(high)) = (bounds.get::<_, Option<i64>>(0), bounds.get(1)) else {
            return Ok(Vec::new());
        };
        let seek = client.prepare(&format!(
            "SELECT id FROM {name} WHERE id >= $1 ORDER BY id LIMIT 1"
        ))?;
        let mut ids = Vec::with_capacity(n);
        for wanted in even_points(low, high, n) {
            let id: i64 = client.query_one(&seek, &[&wanted])?.get(0);
            if ids.last() != Some(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Starts reading in one snapshot (repeatable read): seats syncing meanwhile change
    /// neither what the copy reads nor what its check compares.
    pub fn begin_snapshot(&self) -> Result<()> {
        self.client()
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        Ok(())
    }

    pub fn end_snapshot(&self) -> Result<()> {
        self.client().batch_execute("ROLLBACK")?;
        Ok(())
    }

    /// Opens the copy's one transaction.
    pub fn begin_copy(&self) -> Result<()> {
        self.client().batch_execute("BEGIN")?;
        Ok(())
    }

    /// Writes copied rows of `table`: COPY into a staging table, then one insert that casts
    /// each column to its declared type, ids kept.
    pub fn copy_in(&self, table: &CopiedTable, rows: &[CopyRow]) -> Result<()> {
        checked_identifiers(table)?;
        if rows.is_empty() {
            return Ok(());
        }
        let name = table.name;
        let staging = format!("copy_staged_{name}");
        let mut client = self.client();
        let mut known = self.copy_types.lock().unwrap_or_else(|e| e.into_inner());
        let declared = match known.entry(name) {
            std::collections::hash_map::Entry::Occupied(seen) => seen.into_mut(),
            std::collections::hash_map::Entry::Vacant(first_page) => first_page.insert(
                client
                    .query(
                        "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute
                         WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped",
                        &[&name],
                    )?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect(),
            ),
        };
        let mut staged_columns = Vec::new();
        let mut casts = Vec::new();
        let mut types = Vec::new();
        for (column, ty) in table.columns {
            let (staged, copy_type) = staged_type(*ty);
            staged_columns.push(format!("{column} {staged}"));
            types.push(copy_type);
            let target = declared
                .iter()
                .find(|(c, _)| c == column)
                .map(|(_, t)| t.as_str())
                .ok_or_else(|| StoreError::Invalid {
                    what: "copied table",
                    reason: format!("the team database's {name} has no column {column}"),
                })?;
            casts.push(format!("CAST({column} AS {target})"));
        }
        client.batch_execute(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS {staging} ({}) ON COMMIT DROP;
             TRUNCATE {staging}",
            staged_columns.join(", ")
        ))?;
        let sink = client.copy_in(
            format!(
                "COPY {staging} ({}) FROM STDIN (FORMAT binary)",
                table.column_list()
            )
            .as_str(),
        )?;
        let mut copy = BinaryCopyInWriter::new(sink, &types);
        let mut typed = TypedRow::default();
        for row in rows {
            typed.fill(table, row)?;
            copy.write(&typed.values(table))?;
        }
        copy.finish()?;
        let overriding = match table.key {
            TableKey::Id => " OVERRIDING SYSTEM VALUE",
            TableKey::Columns(_) => "",
        };
        client.batch_execute(&format!(
            "INSERT INTO {name} ({}){overriding} SELECT {} FROM {staging} ORDER BY {}",
            table.column_list(),
            casts.join(", "),
            order_by(table)
        ))?;
        Ok(())
    }

    /// Moves each copied table's identity past its highest id, in the copy's transaction.
    pub fn finish_copy(&self, tables: &[&CopiedTable]) -> Result<()> {
        let mut client = self.client();
        for table in tables {
            checked_identifiers(table)?;
            if matches!(table.key, TableKey::Id) {
                let name = table.name;
                client.batch_execute(&format!(
                    "SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id))
                     FROM {name} HAVING max(id) IS NOT NULL"
                ))?;
            }
        }
        Ok(())
    }

    /// Commits the copy, then brings the planner's statistics up to date (a bulk write).
    pub fn commit_copy(&self) -> Result<()> {
        self.client().batch_execute("COMMIT")?;
        self.analyze()
    }

    /// Rolls the copy back; nothing of it stays.
    pub fn abandon_copy(&self) -> Result<()> {
        self.client().batch_execute("ROLLBACK")?;
        Ok(())
    }
}
