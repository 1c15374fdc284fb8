//! People, roles and the live link: a team database's alone. On a file each says plainly that
//! it needs a team database. (Review assignment works on both: `assignment.rs`.)

use super::Db;
use crate::model::BusinessId;
use crate::store::postgres::{Member, PgStore, Role};
use crate::store::{Result, StoreError};

impl Db {
    /// The team store, for `what` (said to the person, e.g. "Inviting people"); on a file,
    /// [`StoreError::NeedsTeamDatabase`].
    pub fn team(&self, what: &'static str) -> Result<&PgStore> {
        match self {
            Db::Postgres(p) => Ok(p),
            Db::Sqlite(_) => Err(StoreError::NeedsTeamDatabase(what)),
        }
    }

    pub fn team_init(&self) -> Result<()> {
        self.team("Setting up a team")?.team_init()
    }

    pub fn invite(
        &self,
        name: &str,
        role: Role,
        businesses: Option<&[BusinessId]>,
        password: &str,
    ) -> Result<Member> {
        self.team("Inviting people")?
            .invite(name, role, businesses, password)
    }

    pub fn members(&self) -> Result<Vec<Member>> {
        self.team("Listing the team")?.members()
    }

    pub fn remove_member(&self, name: &str) -> Result<()> {
        self.team("Removing people")?.remove_member(name)
    }

    pub fn set_member_role(&self, name: &str, role: Role) -> Result<Member> {
        self.team("Changing a person's role")?
            .set_member_role(name, role)
    }
}
