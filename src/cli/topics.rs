//! `earshot topics`: what customers talk about (the built-in aspects and the owner's own
//! topics, rising complaints, repeated phrases), and `topics add|edit|list|remove` for the
//! owner's own topics (issue 27).

use std::process::ExitCode;

use anyhow::{bail, Result};
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use earshot::actions::{self, TopicChange};
use earshot::analysis::trends::{day_of_date, Granularity};
use earshot::insights::{self, owner_topics::OwnerTopicSummary};
use earshot::store::{Db, OwnerTopic};
use serde::Serialize;

use super::output::{count_bar, print_json};

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |v| format!("{:.0}%", v * 100.0))
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TopicsArgs {
    #[command(subcommand)]
    command: Option<TopicsCmd>,
    #[arg(long)]
    business: Option<String>,
    /// Only mentions from this date on.
    #[arg(long)]
    since: Option<NaiveDate>,
    /// Treat this day as today (rising complaints compare the 30 days before it with the 90
    /// days before those).
    #[arg(long)]
    today: Option<NaiveDate>,
    /// The periods of your own topics' trend: day, week or month.
    #[arg(long, default_value = "month")]
    by: Granularity,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum TopicsCmd {
    /// Add a topic of your own: its name, and the words or phrases that mean it. Your reviews
    /// are tagged with it at once, and new ones as they come.
    Add {
        #[arg(long)]
        business: String,
        /// What you call it ("the new menu", "parking", "Sarah's class").
        name: String,
        /// Words or phrases, separated by commas ("new menu,seasonal menu,menu"); any language,
        /// case and accents aside; a word also finds its plurals ("menus"), and a word ending
        /// in * any word it starts ("vegan*"). The name itself is always looked for.
        #[arg(long, default_value = "")]
        words: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a topic's name or words (by its id from `topics list`, or its name).
    Edit {
        topic: String,
        #[arg(long)]
        business: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// The new list of words, replacing the old one.
        #[arg(long)]
        words: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Your topics, with their mentions and sentiment.
    List {
        #[arg(long)]
        business: Option<String>,
        /// Treat this day as today.
        #[arg(long)]
        today: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Remove a topic (by its id from `topics list`, or its name) and its tags on the reviews.
    Remove {
        topic: String,
        #[arg(long)]
        business: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// On either store: a file, or a team database with `--db postgresql://…` (the owner's own
/// topics too, re-tagging the business's reviews on the team's server).
pub fn run(store: &mut Db, mut a: TopicsArgs) -> Result<ExitCode> {
    let Some(command) = a.command.take() else {
        return overview(store, &a);
    };
    match command {
        TopicsCmd::Add {
            business,
            name,
            words,
            json,
        } => {
            let b = store.business_by_name(&business)?;
            let change = retagging(json, |progress| {
                actions::save_topic(store, b.id, None, &name, &words, progress)
            })?;
            report_change(&change, "Added", json)
        }
        TopicsCmd::Edit {
            topic,
            business,
            name,
            words,
            json,
        } => {
            let t = find_topic(store, &topic, business.as_deref())?;
            let name = name.unwrap_or_else(|| t.name.clone());
            let words = words.unwrap_or_else(|| t.words.join(","));
            let change = retagging(json, |progress| {
                actions::save_topic(store, t.business_id, Some(t.id), &name, &words, progress)
            })?;
            report_change(&change, "Changed", json)
        }
        TopicsCmd::List {
            business,
            today,
            json,
        } => list(store, business.as_deref(), today, json),
        TopicsCmd::Remove {
            topic,
            business,
            json,
        } => {
            let t = find_topic(store, &topic, business.as_deref())?;
            let change = retagging(json, |progress| {
                actions::remove_topic(store, t.id, progress)
            })?;
            report_change(&change, "Removed", json)
        }
    }
}

/// Runs a change that re-tags reviews, with a bar on a terminal.
fn retagging(
    json: bool,
    change: impl FnOnce(&mut dyn FnMut(u64, u64)) -> actions::Result<TopicChange>,
) -> Result<TopicChange> {
    let bar = count_bar(json, "Tagging reviews", "reviews");
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let change = change(&mut progress)?;
    bar.finish_and_clear();
    Ok(change)
}

fn report_change(c: &TopicChange, verb: &str, json: bool) -> Result<ExitCode> {
    if json {
        print_json(c)?;
    } else {
        let words = if c.topic.words.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.topic.words.join(", "))
        };
        println!(
            "{verb} topic #{} \"{}\"{words} for {}; {} reviews tagged anew.",
            c.topic.id, c.topic.name, c.business, c.reviews_retagged
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A topic by id or by name (within `business` when given).
fn find_topic(store: &Db, topic: &str, business: Option<&str>) -> Result<OwnerTopic> {
    let business_id = match business {
        Some(b) => Some(store.business_by_name(b)?.id),
        None => None,
    };
    let all = store.owner_topics(business_id)?;
    if let Ok(id) = topic.trim().parse::<i64>() {
        if let Some(t) = all.iter().find(|t| t.id == id) {
            return Ok(t.clone());
        }
    }
    let named: Vec<&OwnerTopic> = all
        .iter()
        .filter(|t| t.name.eq_ignore_ascii_case(topic.trim()))
        .collect();
    match named.as_slice() {
        [one] => Ok((*one).clone()),
        [] => bail!("no topic {topic:?}; `earshot topics list` shows them"),
        _ => bail!("several businesses have a topic {topic:?}; say which with --business"),
    }
}

/// One of `topics list --json`'s entries: the topic with its business's name and figures.
#[derive(Serialize)]
struct ListedTopic {
    business: String,
    #[serde(flatten)]
    summary: OwnerTopicSummary,
}

fn list(
    store: &Db,
    business: Option<&str>,
    today: Option<NaiveDate>,
    json: bool,
) -> Result<ExitCode> {
    let today = today.unwrap_or_else(|| Utc::now().date_naive());
    let businesses = match business {
        Some(b) => vec![store.business_by_name(b)?],
        None => store.businesses()?,
    };
    let mut listed = Vec::new();
    for b in businesses {
        let summaries = insights::owner_topics::summaries(
            store,
            b.id,
            None,
            day_of_date(today) + 1,
            Granularity::Month,
        )?;
        listed.extend(summaries.into_iter().map(|summary| ListedTopic {
            business: b.name.clone(),
            summary,
        }));
    }
    if json {
        print_json(&listed)?;
        return Ok(ExitCode::SUCCESS);
    }
    if listed.is_empty() {
        println!(
            "No topics of your own yet. Add one: earshot topics add --business NAME \"the new menu\" --words \"new menu,seasonal menu\""
        );
    }
    for t in &listed {
        let s = &t.summary;
        println!(
            "#{:<3} {:<20} {:<18} {:>5} mentions, {:>4} negative   words: {}",
            s.id,
            t.business,
            s.name,
            s.mentions,
            pct(Some(s.negative_share)),
            s.words.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `earshot topics --business NAME`: the aspects and the owner's topics, rising complaints and
/// repeated phrases.
fn overview(store: &Db, a: &TopicsArgs) -> Result<ExitCode> {
    let Some(business) = a.business.as_deref() else {
        bail!(
            "name the business with --business, or use `earshot topics add|edit|list|remove` for your own topics"
        );
    };
    let b = store.business_by_name(business)?;
    let today = a.today.unwrap_or_else(|| Utc::now().date_naive());
    let t = insights::topics(store, b.id, a.since, today, a.by)?;
    if a.json {
        print_json(&t)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("What customers talk about at {}:", t.business);
    for x in &t.aspects {
        println!(
            "  {:<16} {:>6} mentions, {:>4} negative{}",
            x.aspect,
            x.mentions,
            pct(Some(x.negative_share)),
            if x.owner_topic { "   (your topic)" } else { "" }
        );
    }
    for o in t.owner_topics.iter().filter(|o| o.mentions == 0) {
        println!("  {:<16} {:>6} mentions   (your topic)", o.name, 0);
    }
    if t.rising.is_empty() {
        println!("No rising complaints in the last 30 days.");
    } else {
        println!("Rising complaints (last 30 days against the 90 before):");
        for r in &t.rising {
            println!(
                "  {:<16} {} negative, was {} (reviews {:?})",
                r.complaint.aspect,
                pct(Some(r.complaint.recent_negative_share)),
                pct(Some(r.complaint.previous_negative_share)),
                r.review_ids
            );
        }
    }
    if !t.phrases.is_empty() {
        let list: Vec<String> = t
            .phrases
            .iter()
            .map(|p| format!("{} ({})", p.phrase, p.reviews))
            .collect();
        println!("Phrases customers repeat: {}", list.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
