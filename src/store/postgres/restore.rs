//! What restoring a backup into a team database needs of the team store (`actions::team_backup`):
//! who may replace everything, and emptying the team's data inside the copy's one transaction.

use super::PgStore;
use crate::store::Result;

impl PgStore {
    /// The team database's own name on its server (`current_database()`): what its backups on a
    /// seat are named after.
    pub fn database_name(&self) -> Result<String> {
        Ok(self
            .client()
            .query_one("SELECT current_database()::text", &[])?
            .get(0))
    }

    /// The login this seat is signed in as (`current_user`): who a refusal names.
    pub fn current_login(&self) -> Result<String> {
        Ok(self
            .client()
            .query_one("SELECT current_user::text", &[])?
            .get(0))
    }

    /// Whether this login may replace the whole team database: a superuser, or a member of the
    /// role that owns its tables (whoever set the team up; `team init`). A restore empties every
    /// table and moves identities on, which the group roles' GRANTs (no TRUNCATE, no sequence
    /// writes) do not allow to anyone else, on purpose.
    pub fn may_replace_everything(&self) -> Result<bool> {
        Ok(self
            .client()
            .query_one(
                "SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)
                     OR coalesce(pg_has_role(current_user, c.relowner, 'MEMBER'), false)
                 FROM pg_class c
                 WHERE c.oid = 'reviews'::regclass",
                &[],
            )?
            .get(0))
    }

    /// Empties `tables` (the copy's tables and the rollups; the team's people stay) in the open
    /// copy transaction (`begin_copy`), with whatever refers to them (`CASCADE`: a person's
    /// alert marks go with the alerts), and gives the database a new identity: the seats' keys
    /// were kept under the old one for the replaced sources, and a restored source id may be
    /// another platform or address, so no seat's credentials go to it until added again.
    /// Nothing of it shows until the copy commits; a failure leaves the database as it was.
    pub fn empty_for_restore(&self, tables: &[&str]) -> Result<()> {
        for name in tables {
            if !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                return Err(crate::store::StoreError::Invalid {
                    what: "table name",
                    reason: (*name).to_owned(),
                });
            }
        }
        let mut client = self.client();
        client.batch_execute(&format!("TRUNCATE {} CASCADE", tables.join(", ")))?;
        client.batch_execute(
            "UPDATE database_identity
             SET id = gen_random_uuid()::text, created_at = extract(epoch FROM now())::bigint",
        )?;
        Ok(())
    }
}
