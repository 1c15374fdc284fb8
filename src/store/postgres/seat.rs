//! What one seat asks of the team database about itself (issue 31, the app on a team database):
//! who it is signed in as and with what role, for Settings → Team database's "Test connection".

use serde::Serialize;

use super::{PgStore, Role};
use crate::store::Result;

/// The person a connection is signed in as.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignedInPerson {
    /// The login role's name (`current_user`).
    pub name: String,
    /// Their role on the team (`team_members`); `None` for a login Earshot did not invite.
    pub role: Option<Role>,
    /// Whether the login owns the database or is a superuser: who set the team up, not bound by
    /// the team's row-level security (see `docs/team.md`, "People and roles").
    pub runs_the_database: bool,
}

impl PgStore {
    /// Who this connection is signed in as, and their role.
    pub fn signed_in(&self) -> Result<SignedInPerson> {
        let row = self.client().query_one(
            "SELECT current_user::text,
                    (SELECT m.role FROM team_members m WHERE m.name = current_user),
                    coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user), false)
                    OR coalesce((SELECT pg_get_userbyid(d.datdba) = current_user
                                 FROM pg_database d WHERE d.datname = current_database()), false)",
            &[],
        )?;
        Ok(SignedInPerson {
            name: row.get(0),
            role: row.get::<_, Option<&str>>(1).and_then(Role::parse),
            runs_the_database: row.get(2),
        })
    }
}
