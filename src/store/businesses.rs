//! Businesses: the owner's own and the competitors they watch.

use rusqlite::{params, OptionalExtension, Row};

use super::{now_unix, Result, Store, StoreError};
use crate::model::{Business, BusinessId};

const COLUMNS: &str = "id, name, is_competitor, category";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Business> {
    Ok(Business {
        id: r.get(0)?,
        name: r.get(1)?,
        is_competitor: r.get(2)?,
        category: r.get(3)?,
    })
}

impl Store {
    /// Adds a business; a name already taken (case-insensitively) is an error.
    pub fn add_business(&self, name: &str, is_competitor: bool) -> Result<Business> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid {
                what: "business name",
                reason: "it is empty".into(),
            });
        }
        if self.find_business(name)?.is_some() {
            return Err(StoreError::DuplicateBusiness(name.to_owned()));
        }
        self.conn.execute(
            "INSERT INTO businesses (name, is_competitor, created_at) VALUES (?1, ?2, ?3)",
            params![name, is_competitor, now_unix()],
        )?;
        self.business(self.conn.last_insert_rowid())
    }

    /// The business with this name, created as the owner's own when missing.
    pub fn ensure_business(&self, name: &str) -> Result<Business> {
        match self.find_business(name)? {
            Some(b) => Ok(b),
            None => self.add_business(name, false),
        }
    }

    pub fn find_business(&self, name: &str) -> Result<Option<Business>> {
        let sql = format!("SELECT {COLUMNS} FROM businesses WHERE name = ?1");
        Ok(self
            .conn
            .query_row(&sql, [name.trim()], from_row)
            .optional()?)
    }

    /// The business with this name, or an error that says how to add it.
    pub fn business_by_name(&self, name: &str) -> Result<Business> {
        self.find_business(name)?
            .ok_or_else(|| StoreError::UnknownBusiness(name.trim().to_owned()))
    }

    pub fn business(&self, id: BusinessId) -> Result<Business> {
        // Cached: every dashboard figure starts by naming its business.
        let sql = format!("SELECT {COLUMNS} FROM businesses WHERE id = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([id], from_row)
            .optional()?
            .ok_or_else(|| StoreError::UnknownBusiness(format!("#{id}")))
    }

    /// All businesses, the owner's own first, then by name.
    pub fn businesses(&self) -> Result<Vec<Business>> {
        let sql = format!("SELECT {COLUMNS} FROM businesses ORDER BY is_competitor, name");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_business_category(&self, id: BusinessId, category: Option<&str>) -> Result<()> {
        self.conn.execute(
            "UPDATE businesses SET category = ?2 WHERE id = ?1",
            params![id, category],
        )?;
        Ok(())
    }
}
