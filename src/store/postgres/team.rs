//! People and roles on the team store, enforced by PostgreSQL itself (issue 31; the GRANTs and
//! row-level security are `migrations/0007_people.sql`'s), review assignment, and the live link
//! (`LISTEN earshot`).
//!
//! A person is a LOGIN role in one of the group roles `earshot_owner`, `earshot_manager`,
//! `earshot_staff`; `team_members` records what Earshot shows of them (role, businesses). The
//! password is never stored by Earshot: PostgreSQL gets a SCRAM-SHA-256 verifier computed here, so
//! not even the server's statement log sees it.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use serde::{Deserialize, Serialize};

use super::PgStore;
use crate::model::{BusinessId, ReviewId};
use crate::store::{now_unix, Result, StoreError};

/// Run after every migration and by `team init`: triggers, GRANTs and policies on every table
/// there is.
pub(super) const SECURE_TABLES: &str =
    "SELECT earshot_attach_notify(); SELECT earshot_secure_tables(); \
     SELECT earshot_secure_person_tables();";

/// What a person may do; each is a PostgreSQL group role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, and people.
    Owner,
    /// Reply, settings, sources, sync.
    Manager,
    /// Read, and draft replies a manager approves.
    Staff,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Manager, Role::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Staff => "staff",
        }
    }

    /// The PostgreSQL group role that holds this role's GRANTs.
    pub fn group(self) -> &'static str {
        match self {
            Role::Owner => "earshot_owner",
            Role::Manager => "earshot_manager",
            Role::Staff => "earshot_staff",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A person of the team, as `team members` lists them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// The login role's name: what the person signs in with.
    pub name: String,
    pub role: Role,
    /// The names of the businesses they work for; `None`: every business.
    pub businesses: Option<Vec<String>>,
    /// When they were invited (Unix seconds).
    pub created_at: i64,
}

/// A change another seat (or this one) committed: the payload of a notification on `earshot`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// `review`, `alert` or `reply`.
    pub kind: String,
    pub business_id: Option<BusinessId>,
    /// The newest row the change wrote.
    pub id: i64,
    /// How many rows the statement wrote for this business.
    pub count: i64,
}

/// A person of `team_members` as [`member_of`] reads them: the businesses by name as the
/// signed-in person sees them.
const MEMBER_SELECT: &str = "SELECT m.name, m.role, m.created_at, m.businesses IS NULL,
        coalesce((SELECT array_agg(b.name ORDER BY lower(b.name))
                  FROM businesses b WHERE b.id = ANY (m.businesses)), '{}')
     FROM team_members m";

fn member_of(r: &postgres::Row) -> Member {
    Member {
        name: r.get(0),
        role: Role::parse(r.get(1)).unwrap_or(Role::Staff),
        created_at: r.get(2),
        businesses: if r.get(3) { None } else { Some(r.get(4)) },
    }
}

/// A login name Earshot creates: lower-case letters, digits, `_`, `.` and `-`, starting with a
/// letter, at most 63 bytes (PostgreSQL's identifier length), and not one of the group roles.
fn check_login_name(name: &str) -> Result<()> {
    let invalid = |reason: &str| StoreError::Invalid {
        what: "person's name",
        reason: reason.to_owned(),
    };
    if name.is_empty() || name.len() > 63 {
        return Err(invalid("it must be 1 to 63 characters"));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(invalid("it must start with a lower-case letter"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
    {
        return Err(invalid(
            "use lower-case letters, digits, '_', '.' and '-' only",
        ));
    }
    if name.starts_with("earshot_") || name.starts_with("pg_") || name == "postgres" {
        return Err(invalid("that name is reserved"));
    }
    Ok(())
}

/// A new password: 24 random bytes, URL-safe base64 (32 characters, typed into a URL as is).
pub fn team_password() -> Result<String> {
    use base64::Engine;
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Invalid {
        what: "password",
        reason: format!("no randomness from the system: {e}"),
    })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn unknown_member(name: &str) -> StoreError {
    StoreError::Invalid {
        what: "person",
        reason: format!("nobody called {name:?} is on the team; `earshot team members` lists them"),
    }
}

impl PgStore {
    /// Makes the group roles (once for the whole server; they may exist from another database)
    /// and secures every table. Run by the database's owner, with the right to create roles.
    pub fn team_init(&self) -> Result<()> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        // Group roles belong to the server, not one database: another team database on the
        // same server may have made them, or be making them at this moment.
        for role in Role::ALL {
            tx.batch_execute(&format!(
                "DO $$ BEGIN CREATE ROLE {} NOLOGIN;
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
                role.group()
            ))?;
        }
        // Owners are not made members of the other groups: the staff's restrictive reply
        // policies apply to every member of earshot_staff, and would bind owners too.
        tx.batch_execute(SECURE_TABLES)?;
        tx.commit()?;
        Ok(())
    }

    /// Whether `team init` has run on this server.
    pub fn team_ready(&self) -> Result<bool> {
        Ok(self
            .client()
            .query_opt(
                "SELECT 1 FROM pg_roles WHERE rolname = 'earshot_staff'",
                &[],
            )?
            .is_some())
    }

    /// Creates `name`'s login in `role`'s group with `password` (sent as a verifier, never as
    /// text) and records the person, limited to `businesses` unless `None`.
    pub fn invite(
        &self,
        name: &str,
        role: Role,
        businesses: Option<&[BusinessId]>,
        password: &str,
    ) -> Result<Member> {
        check_login_name(name)?;
        if !self.team_ready()? {
            return Err(StoreError::Invalid {
                what: "team",
                reason: "the team is not set up yet; run `earshot team init` first".into(),
            });
        }
        if let Some(ids) = businesses {
            for &id in ids {
                self.business(id)?;
            }
        }
        let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let taken = tx
            .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&name])?
            .is_some();
        if taken {
            return Err(StoreError::Invalid {
                what: "person's name",
                reason: format!("{name:?} is already a sign-in name on this server"),
            });
        }
        // CREATE ROLE takes no parameters: the server quotes the name and the verifier itself.
        let create: String = tx
            .query_one(
                "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', $1::text, $2::text, $3::text)
                     || CASE WHEN $4 THEN ' CREATEROLE' ELSE '' END",
                &[&name, &verifier, &role.group(), &(role == Role::Owner)],
            )?
            .get(0);
        tx.batch_execute(&create)?;
        tx.execute(
            "INSERT INTO team_members (name, role, businesses, created_at) VALUES ($1, $2, $3, $4)",
            &[&name, &role.as_str(), &businesses, &now_unix()],
        )?;
        tx.commit()?;
        drop(client);
        self.member(name)
    }

    /// The person called `name`.
    pub fn member(&self, name: &str) -> Result<Member> {
        let sql = format!("{MEMBER_SELECT} WHERE m.name = $1");
        self.client()
            .query_opt(sql.as_str(), &[&name])?
            .map(|r| member_of(&r))
            .ok_or_else(|| unknown_member(name))
    }

    /// Everyone on the team, by name; the businesses by name as the signed-in person sees them.
    pub fn members(&self) -> Result<Vec<Member>> {
        let sql = format!("{MEMBER_SELECT} ORDER BY m.name");
        let rows = self.client().query(sql.as_str(), &[])?;
        Ok(rows.iter().map(member_of).collect())
    }

    /// Removes `name` from the team and drops their login. Only a person Earshot invited: any
    /// other role on the server is not Earshot's to drop.
    pub fn remove_member(&self, name: &str) -> Result<()> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let removed = tx.execute("DELETE FROM team_members WHERE name = $1", &[&name])?;
        if removed == 0 {
            return Err(unknown_member(name));
        }
        let drop_role: String = tx
            .query_one(
                "SELECT format('DROP ROLE IF EXISTS %I', $1::text)",
                &[&name],
            )?
            .get(0);
        tx.batch_execute(&drop_role)?;
        tx.execute(
            "UPDATE reviews SET assigned_to = NULL WHERE assigned_to = $1",
            &[&name],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Moves `name` to `role`'s group.
    pub fn set_member_role(&self, name: &str, role: Role) -> Result<Member> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let updated = tx.execute(
            "UPDATE team_members SET role = $2 WHERE name = $1",
            &[&name, &role.as_str()],
        )?;
        if updated == 0 {
            return Err(unknown_member(name));
        }
        for other in Role::ALL.into_iter().filter(|r| *r != role) {
            let revoke: String = tx
                .query_one(
                    "SELECT format('REVOKE %I FROM %I', $1::text, $2::text)",
                    &[&other.group(), &name],
                )?
                .get(0);
            tx.batch_execute(&revoke)?;
        }
        let grant: String = tx
            .query_one(
                "SELECT format('GRANT %I TO %I', $1::text, $2::text)
                     || format('; ALTER ROLE %I ', $2::text)
                     || CASE WHEN $3 THEN 'CREATEROLE' ELSE 'NOCREATEROLE' END",
                &[&role.group(), &name, &(role == Role::Owner)],
            )?
            .get(0);
        tx.batch_execute(&grant)?;
        tx.commit()?;
        drop(client);
        self.member(name)
    }

    /// Hands review `review_id` to `to` (a person on the team), or to nobody.
    pub fn assign_review(&self, review_id: ReviewId, to: Option<&str>) -> Result<()> {
        if let Some(name) = to {
            self.member(name)?;
        }
        let updated = self.client().execute(
            "UPDATE reviews SET assigned_to = $2 WHERE id = $1",
            &[&review_id, &to],
        )?;
        if updated == 0 {
            return Err(StoreError::UnknownReview(review_id));
        }
        Ok(())
    }

    /// Who review `review_id` is assigned to.
    pub fn review_assignee(&self, review_id: ReviewId) -> Result<Option<String>> {
        let row = self.client().query_opt(
            "SELECT assigned_to FROM reviews WHERE id = $1",
            &[&review_id],
        )?;
        row.map(|r| r.get(0))
            .ok_or(StoreError::UnknownReview(review_id))
    }

    /// Starts hearing the team's changes on this connection (see [`PgStore::next_changes`]).
    pub fn listen(&self) -> Result<()> {
        self.client().batch_execute("LISTEN earshot")?;
        Ok(())
    }

    /// The changes heard since the last call, waiting up to `timeout` for the first one. Needs
    /// [`PgStore::listen`] first; a payload that is not Earshot's is skipped.
    pub fn next_changes(&self, timeout: Duration) -> Result<Vec<Change>> {
        let mut client = self.client();
        let mut notifications = client.notifications();
        // Wait for the first, then take what else has already arrived.
        let mut heard: Vec<_> = notifications
            .timeout_iter(timeout)
            .next()?
            .into_iter()
            .collect();
        let mut pending = notifications.iter();
        while let Some(n) = pending.next()? {
            heard.push(n);
        }
        Ok(heard
            .iter()
            .filter_map(|n| serde_json::from_str::<Change>(n.payload()).ok())
            .collect())
    }
}
