//! `earshot replies effect|follow-up|follow-ups` (issue 29): which replies won unhappy customers
//! back, and asking a customer to update their review. Thin arms over `earshot::actions::win_back`.

use std::process::ExitCode;

use anyhow::Result;
use chrono::Utc;
use clap::{Args, Subcommand};
use earshot::actions::win_back;
use earshot::insights::effect::{Bucket, Effect, Group};
use earshot::model::replies::ReplyState;
use earshot::replies::follow_up::FollowUpAsk;
use earshot::store::{Db, ReplyStore};

use super::output::print_json;

#[derive(Args, Debug)]
pub struct RepliesArgs {
    #[command(subcommand)]
    cmd: RepliesCmd,
}

#[derive(Subcommand, Debug)]
enum RepliesCmd {
    /// Every reply, oldest first, with who drafted, approved and sent it: drafts, the outbox
    /// (queued, awaiting approval, posting), posted, failed and deleted replies.
    List {
        #[arg(long)]
        business: Option<String>,
        /// Only replies in this state: draft, awaiting_approval, queued, posting, posted,
        /// failed or deleted.
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Did your replies win unhappy customers back, and which habits came before it: an
    /// apology, an offer to talk offline, a fast reply, a personal one.
    Effect {
        #[arg(long)]
        business: String,
        #[arg(long)]
        platform: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Ask the customer of an answered review whether they would update it: by e-mail through
    /// your e-mail alert channel (--email), or a note to send yourself. Once per review.
    FollowUp {
        /// The review's id (as `earshot reviews` lists it).
        review_id: i64,
        /// The customer's e-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Prepare the note for you to send (copy it, or open the mailto: link) instead.
        #[arg(long)]
        by_hand: bool,
        /// Ask again although this review was asked before.
        #[arg(long)]
        again: bool,
        /// The e-mail alert channel to send through (default: the first e-mail channel).
        #[arg(long)]
        channel: Option<i64>,
        /// Show what would be sent; record and send nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// The reviews you asked to update, latest first, and whether they changed since.
    FollowUps {
        #[arg(long)]
        business: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(db: &mut Db, args: RepliesArgs) -> Result<ExitCode> {
    match args.cmd {
        RepliesCmd::List {
            business,
            state,
            json,
        } => return list(db, business, state, json),
        RepliesCmd::Effect {
            business,
            platform,
            json,
        } => {
            let b = db.business_by_name(&business)?;
            let e = win_back::replies_effect(db, b.id, platform.as_deref())?;
            if json {
                print_json(&e)?;
            } else {
                print_effect(&e);
            }
        }
        RepliesCmd::FollowUp {
            review_id,
            email,
            by_hand,
            again,
            channel,
            dry_run,
            json,
        } => {
            let secrets = db.secrets()?;
            let ask = FollowUpAsk {
                review_id,
                email,
                by_hand,
                again,
                dry_run,
                channel,
                body: None,
            };
            let out = win_back::follow_up(db, secrets.as_ref(), &ask, Utc::now())?;
            if json {
                print_json(&out)?;
            } else {
                println!("{}", out.says);
                if matches!(out.status, "prepared" | "dry_run") {
                    println!(
                        "\nSubject: {}\n\n{}\n\n{}",
                        out.subject, out.body, out.mailto
                    );
                }
            }
        }
        RepliesCmd::FollowUps { business, json } => {
            let id = match business {
                Some(b) => Some(db.business_by_name(&b)?.id),
                None => None,
            };
            let list = win_back::follow_ups(db, id)?;
            if json {
                print_json(&list)?;
            } else if list.is_empty() {
                println!("No follow-ups yet.");
            } else {
                for s in list {
                    println!("review {:>6}  {}", s.review_id, s.says);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn list(db: &Db, business: Option<String>, state: Option<String>, json: bool) -> Result<ExitCode> {
    let business_id = match business {
        Some(b) => Some(db.business_by_name(&b)?.id),
        None => None,
    };
    let state = match state {
        Some(s) => Some(ReplyState::parse(&s).ok_or_else(|| {
            anyhow::anyhow!(
                "no reply state {s:?}: use draft, awaiting_approval, queued, posting, posted, \
                 failed or deleted"
            )
        })?),
        None => None,
    };
    let replies = ReplyStore::list_replies(db, business_id, state)?;
    if json {
        print_json(&replies)?;
    } else if replies.is_empty() {
        println!("No replies yet.");
    } else {
        for r in &replies {
            let who = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
            println!(
                "reply {:>6}  review {:>6}  {:<17}  drafted by {}, approved by {}, sent by {}{}",
                r.id,
                r.review_id,
                r.state.as_str(),
                who(&r.drafted_by),
                who(&r.approved_by),
                who(&r.sent_by),
                r.last_error
                    .as_deref()
                    .map(|e| format!("  ({e})"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn rate(g: &Group) -> String {
    g.rate
        .map_or_else(|| "—".into(), |r| format!("{:.0}%", r * 100.0))
}

fn bucket_line(b: &Bucket) {
    println!(
        "  {:<16} {:>7} {:>9} {:>6}{}",
        b.label,
        b.group.replies,
        b.group.recovered,
        rate(&b.group),
        if b.too_few { "  too few to tell" } else { "" }
    );
}

fn print_effect(e: &Effect) {
    println!("{}\n", e.says);
    println!(
        "Unhappy reviews: {}; answered: {}; recovered after a reply: {} (rating raised {}, came \
         back {}).",
        e.unhappy, e.answered.replies, e.answered.recovered, e.rating_rose, e.came_back
    );
    println!(
        "\n{:<48} {:>13} {:>13} {:>8}",
        "habit", "with", "without", "p"
    );
    for h in &e.habits {
        println!(
            "{:<48} {:>13} {:>13} {:>8}",
            h.label,
            format!("{}/{} {}", h.with.recovered, h.with.replies, rate(&h.with)),
            format!(
                "{}/{} {}",
                h.without.recovered,
                h.without.replies,
                rate(&h.without)
            ),
            h.p_value
                .map_or_else(|| "too few".into(), |p| format!("{p:.3}"))
        );
    }
    println!("\nBy reply delay:   replies recovered   rate");
    e.delays.iter().for_each(bucket_line);
    println!("\nBy reply length:  replies recovered   rate");
    e.lengths.iter().for_each(bucket_line);
    if !e.platforms.is_empty() {
        println!("\nBy platform:      answered recovered   rate  unhappy came back");
        for p in &e.platforms {
            println!(
                "  {:<16} {:>7} {:>9} {:>6} {:>8} {:>9}",
                p.platform_label,
                p.answered.replies,
                p.answered.recovered,
                rate(&p.answered),
                p.unhappy,
                p.came_back
            );
        }
    }
    println!("\n{}", e.significance);
    for h in &e.habits {
        println!("- {}", h.says);
    }
}
