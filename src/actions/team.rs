//! The team's people (issue 31): set up the roles, invite, list, change and remove people, hand a
//! review to someone, and hear the team's changes. Each works on a team database only (on a file
//! the store says so: [`crate::store::StoreError::NeedsTeamDatabase`]), but handing a review to
//! someone, which works on a file too, with a name as typed.

use std::time::Duration;

use crate::model::{BusinessId, ReviewId};
use crate::store::postgres::listener::{self, LinkEvent};
use crate::store::postgres::team_password;
use crate::store::postgres::{Change, Member, Role};
use crate::store::{Db, Result};

/// A person just invited, and the password generated for them (shown once, stored nowhere)
/// when none was given.
#[derive(Debug)]
pub struct Invited {
    pub member: Member,
    pub generated_password: Option<String>,
}

/// Creates the group roles and secures every table (the database's owner runs it once).
pub fn team_init(db: &Db) -> Result<()> {
    db.team_init()
}

/// Invites `name` as `role`, limited to the businesses named (every business when none), with
/// `password` or a generated one.
pub fn invite(
    db: &Db,
    name: &str,
    role: Role,
    business_names: &[String],
    password: Option<&str>,
) -> Result<Invited> {
    let team = db.team("Inviting people")?;
    let ids: Vec<BusinessId> = business_names
        .iter()
        .map(|b| team.business_by_name(b).map(|b| b.id))
        .collect::<Result<_>>()?;
    let limited = (!ids.is_empty()).then_some(ids.as_slice());
    let generated_password = match password {
        Some(_) => None,
        None => Some(team_password()?),
    };
    let password = password
        .or(generated_password.as_deref())
        .unwrap_or_default();
    let member = db.invite(name, role, limited, password)?;
    Ok(Invited {
        member,
        generated_password,
    })
}

pub fn members(db: &Db) -> Result<Vec<Member>> {
    db.members()
}

pub fn remove(db: &Db, name: &str) -> Result<()> {
    db.remove_member(name)
}

pub fn set_role(db: &Db, name: &str, role: Role) -> Result<Member> {
    db.set_member_role(name, role)
}

/// Hands review `review_id` to the person `to`, or to nobody (`None`, or a name of nothing but
/// spaces: `--to ''`). Who it is assigned to now.
pub fn assign(db: &Db, review_id: ReviewId, to: Option<&str>) -> Result<Option<String>> {
    let to = to.map(str::trim).filter(|name| !name.is_empty());
    db.assign_review(review_id, to)?;
    Ok(to.map(str::to_owned))
}

/// Hears the team's changes through the core's reconnecting listener, on a connection of its
/// own, until `on_change` says stop (returns false): each batch as it arrives, and an empty one
/// on connecting, so a caller that wants none stops at once. `on_lost` is told each time the
/// link goes away (why, and when the next try is); what was said while it was down is not heard.
pub fn listen(
    db: &Db,
    on_change: &mut dyn FnMut(&[Change]) -> bool,
    on_lost: &mut dyn FnMut(&str, Duration),
) -> Result<()> {
    let team = db.team("Hearing the team's changes")?;
    listener::listen(&mut || team.open_again(), &|| false, &mut |event, _| {
        Ok(match event {
            LinkEvent::Connected { .. } => on_change(&[]),
            LinkEvent::Changes(changes) => on_change(&changes),
            LinkEvent::Lost { reason, retry_in } => {
                on_lost(&reason, retry_in);
                true
            }
        })
    })
}
