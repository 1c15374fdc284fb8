//! `earshot team init|invite|members|remove|role|listen` and `earshot assign`: the people of a
//! team database (issue 31). On a database file each says that teams need a team database.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use earshot::actions::team;
use earshot::store::postgres::{Change, Role};
use earshot::store::Db;

use super::output::print_json;
use super::secret_input::read_secret;

#[derive(Args, Debug)]
pub struct TeamArgs {
    #[command(subcommand)]
    cmd: TeamCmd,
}

#[derive(Subcommand, Debug)]
enum TeamCmd {
    /// Set up the roles and their rights on this team database (as the database's owner).
    Init,
    /// Give a person a sign-in: owner, manager or staff, optionally for some businesses only.
    Invite {
        /// The person's sign-in name (lower-case letters, digits, '_', '.', '-').
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A business they work for (repeat for several); every business when not given.
        #[arg(long = "business", value_name = "NAME")]
        businesses: Vec<String>,
        /// Read their password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Everyone on the team, their role and businesses.
    Members {
        #[arg(long)]
        json: bool,
    },
    /// Take a person off the team and remove their sign-in.
    Remove { name: String },
    /// Change a person's role.
    Role {
        name: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Print each change the team makes (new reviews, alerts, replies) as it happens.
    Listen {
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
        /// Stop after this many changes (for scripts and tests).
        #[arg(long)]
        count: Option<usize>,
    },
}

#[derive(Args, Debug)]
pub struct AssignArgs {
    /// The review's id (as `earshot reviews --json` shows it).
    review_id: i64,
    /// The person who answers it: on a team database one of the team (`team members`), on a
    /// database file any name. `--to ''` assigns it to nobody.
    #[arg(long, required_unless_present = "nobody")]
    to: Option<String>,
    /// Assign it to nobody.
    #[arg(long, conflicts_with = "to")]
    nobody: bool,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(&s.to_lowercase())
        .ok_or_else(|| format!("{s:?} is not a role: owner, manager or staff"))
}

pub fn run(db: &Db, args: TeamArgs) -> Result<ExitCode> {
    match args.cmd {
        TeamCmd::Init => {
            team::team_init(db)?;
            println!(
                "The team is set up on {}: invite people with `earshot team invite NAME --role \
                 owner|manager|staff`.",
                db.location()
            );
        }
        TeamCmd::Invite {
            name,
            role,
            businesses,
            password_stdin,
        } => {
            let given = if password_stdin {
                Some(read_secret("password")?)
            } else {
                None
            };
            let invited = team::invite(
                db,
                &name,
                role,
                &businesses,
                given.as_ref().map(|s| s.expose()),
            )?;
            let m = &invited.member;
            println!(
                "Invited {} as {} for {}.",
                m.name,
                m.role.as_str(),
                businesses_text(&m.businesses)
            );
            if let Some(password) = &invited.generated_password {
                // Shown once: Earshot keeps no copy.
                println!("Their password (shown only now; give it to them privately): {password}");
            }
        }
        TeamCmd::Members { json } => {
            let members = team::members(db)?;
            if json {
                print_json(&members)?;
            } else if members.is_empty() {
                println!("Nobody is invited yet: `earshot team invite NAME --role staff`.");
            } else {
                for m in &members {
                    println!(
                        "{:<20} {:<8} {}",
                        m.name,
                        m.role.as_str(),
                        businesses_text(&m.businesses)
                    );
                }
            }
        }
        TeamCmd::Remove { name } => {
            team::remove(db, &name)?;
            println!("Removed {name} from the team; their sign-in no longer works.");
        }
        TeamCmd::Role { name, role } => {
            let m = team::set_role(db, &name, role)?;
            println!("{} is now {}.", m.name, m.role.as_str());
        }
        TeamCmd::Listen { json, count } => {
            let mut heard = 0usize;
            let mut out = std::io::stdout();
            let mut failed = None;
            let mut on_change = |changes: &[Change]| {
                for c in changes {
                    let line = if json {
                        serde_json::to_string(c).unwrap_or_default()
                    } else {
                        format!(
                            "{} {} (business {}, {} new)",
                            c.kind,
                            c.id,
                            c.business_id.map_or("-".into(), |b| b.to_string()),
                            c.count
                        )
                    };
                    if let Err(e) = writeln!(out, "{line}").and_then(|_| out.flush()) {
                        failed = Some(e);
                        return false;
                    }
                    heard += 1;
                }
                count.is_none_or(|n| heard < n)
            };
            // The link reconnects by itself; stdout stays the changes' alone.
            let mut on_lost = |reason: &str, retry_in: Duration| {
                eprintln!(
                    "earshot: lost the team database's link ({reason}); trying again in {:.1} s",
                    retry_in.as_secs_f64()
                );
            };
            team::listen(db, &mut on_change, &mut on_lost)?;
            if let Some(e) = failed {
                // A closed pipe (`| head`) ends the listening; anything else is an error.
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    bail!("writing a change: {e}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn assign(db: &Db, args: AssignArgs) -> Result<ExitCode> {
    let to = if args.nobody {
        None
    } else {
        args.to.as_deref()
    };
    match team::assign(db, args.review_id, to)? {
        Some(name) => println!("Review {} is assigned to {name}.", args.review_id),
        None => println!("Review {} is assigned to nobody.", args.review_id),
    }
    Ok(ExitCode::SUCCESS)
}

fn businesses_text(businesses: &Option<Vec<String>>) -> String {
    match businesses {
        None => "every business".into(),
        Some(names) => names.join(", "),
    }
}
