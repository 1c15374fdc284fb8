//! `earshot alerts [check|seen|dismiss|rules]`: list, raise and manage alerts.

use std::process::ExitCode;

use anyhow::{bail, Result};
use chrono::{DateTime, Local, Utc};
use clap::{Args, Subcommand};
use earshot::alerts::{self, RuleSet};
use earshot::model::alerts::{Alert, AlertFilter, AlertKind, AlertState};
use earshot::store::{AlertStore, Db};

use super::output::print_json;

/// Alerts listed by default: enough for a screen, newest first.
const DEFAULT_LIMIT: u32 = 50;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AlertsArgs {
    #[command(subcommand)]
    cmd: Option<AlertsCmd>,
    /// Print JSON: an array of alerts.
    #[arg(long)]
    json: bool,
    /// Include dismissed alerts and list every alert, not just the newest 50.
    #[arg(long)]
    all: bool,
    /// Only unread alerts.
    #[arg(long, conflicts_with = "all")]
    unread: bool,
    /// Only alerts of this kind (new_negative, unanswered, rating_drop, spike, watch_word,
    /// competitor, source_health, topic_surge, review_bomb, silence, removed,
    /// credentials_expiring).
    #[arg(long, value_name = "KIND")]
    kind: Option<String>,
    /// Only alerts about this business.
    #[arg(long, value_name = "NAME")]
    business: Option<String>,
    /// At most this many alerts.
    #[arg(long)]
    limit: Option<u32>,
}

#[derive(Subcommand, Debug)]
enum AlertsCmd {
    /// Evaluate every rule now and print what was raised (over the whole history the first time).
    Check {
        #[arg(long)]
        json: bool,
        /// Evaluate as if it were this time (RFC 3339), to replay or test; default: now.
        #[arg(long, value_name = "TIME")]
        now: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// Evaluate every rule over the history from this date (YYYY-MM-DD, UTC) or time
        /// (RFC 3339), not only what arrived since the last check; alerts already raised are
        /// not raised again.
        #[arg(long, value_name = "DATE", value_parser = parse_since)]
        since: Option<DateTime<Utc>>,
    },
    /// Mark alerts as seen.
    Seen {
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Dismiss alerts (hidden unless --all).
    Dismiss {
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Show the rules, or change one with `rules set`.
    Rules(RulesArgs),
    /// Where alerts reach you beyond the desktop: e-mail, webhooks, ntfy.
    Channels(super::channels::ChannelsArgs),
    /// Send pending alerts to every channel now.
    Deliver {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
struct RulesArgs {
    #[command(subcommand)]
    cmd: Option<RulesCmd>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum RulesCmd {
    /// Turn a rule on or off and change its settings.
    Set {
        /// The rule: new_negative, unanswered, rating_drop, spike, watch_word, competitor,
        /// source_health, topic_surge, review_bomb, silence, removed, credentials_expiring.
        kind: String,
        #[arg(long, value_name = "true|false")]
        enabled: Option<bool>,
        /// A setting as key=value (repeatable), e.g. --param hours=12 or
        /// --param "words=refund, scam, lawyer".
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &mut Db, args: AlertsArgs) -> Result<ExitCode> {
    match args.cmd {
        None => list(store, &args),
        Some(AlertsCmd::Check { json, now, since }) => check(
            store,
            json,
            now.map_or_else(Utc::now, |t| t.with_timezone(&Utc)),
            since,
        ),
        Some(AlertsCmd::Seen { ids }) => set_state(store, &ids, AlertState::Seen),
        Some(AlertsCmd::Dismiss { ids }) => set_state(store, &ids, AlertState::Dismissed),
        Some(AlertsCmd::Channels(c)) => super::channels::run(store, c),
        Some(AlertsCmd::Deliver { json }) => super::channels::deliver(store, json),
        Some(AlertsCmd::Rules(r)) => match r.cmd {
            None => show_rules(&alerts::load_rules(store)?, r.json),
            Some(RulesCmd::Set {
                kind,
                enabled,
                params,
                json,
            }) => {
                let mut pairs = Vec::new();
                for p in params {
                    let Some((k, v)) = p.split_once('=') else {
                        bail!("--param {p:?} is not KEY=VALUE");
                    };
                    pairs.push((k.trim().to_owned(), v.to_owned()));
                }
                let rule = alerts::set_rule(store, &kind, enabled, &pairs)?;
                if json {
                    print_json(&rule)?;
                } else {
                    println!("Updated the {} rule.", rule.kind);
                    print_rule(&rule);
                }
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}

fn list(store: &Db, args: &AlertsArgs) -> Result<ExitCode> {
    let kind = match args.kind.as_deref() {
        Some(k) => {
            Some(AlertKind::parse(k).ok_or_else(|| alerts::AlertError::UnknownRule(k.to_owned()))?)
        }
        None => None,
    };
    let business_id = match args.business.as_deref() {
        Some(name) => Some(store.business_by_name(name)?.id),
        None => None,
    };
    let filter = AlertFilter {
        business_id,
        kind,
        state: args.unread.then_some(AlertState::New),
        include_dismissed: args.all,
        limit: args
            .limit
            .or(if args.all { None } else { Some(DEFAULT_LIMIT) }),
        ..AlertFilter::default()
    };
    let list = store.alerts(&filter)?;
    if args.json {
        print_json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!("No alerts. Run `earshot alerts check` after importing or syncing reviews.");
        return Ok(ExitCode::SUCCESS);
    }
    for a in &list {
        print_alert(a);
    }
    let unread = store.unread_alert_count()?;
    println!(
        "\n{unread} unread. Mark one read with `earshot alerts seen ID`, hide it with `earshot alerts dismiss ID`."
    );
    Ok(ExitCode::SUCCESS)
}

fn print_alert(a: &Alert) {
    let mark = match a.state {
        AlertState::New => "●",
        AlertState::Seen => " ",
        AlertState::Dismissed => "×",
    };
    let when = a.created_at.with_timezone(&Local).format("%Y-%m-%d %H:%M");
    let business = a.business.as_deref().unwrap_or("");
    println!(
        "{mark} {:>5}  {when}  {:<13} {business}",
        a.id,
        a.kind.as_str()
    );
    println!("         {}", a.message);
}

/// `--since`: a date (midnight UTC) or an RFC 3339 time.
fn parse_since(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"))
}

fn check(
    store: &mut Db,
    json: bool,
    now: DateTime<Utc>,
    since: Option<DateTime<Utc>>,
) -> Result<ExitCode> {
    let raised = earshot::actions::check_alerts_since(store, now, since)?;
    if json {
        print_json(&raised)?;
        return Ok(ExitCode::SUCCESS);
    }
    let fresh: Vec<&Alert> = raised
        .iter()
        .filter(|a| a.state == AlertState::New)
        .collect();
    let history = raised.len() - fresh.len();
    if fresh.is_empty() {
        println!("No new alerts.");
    } else {
        println!(
            "{} new alert{}:",
            fresh.len(),
            if fresh.len() == 1 { "" } else { "s" }
        );
        for a in &fresh {
            print_alert(a);
        }
    }
    if history > 0 {
        println!(
            "{history} older alert{} (more than {} days old) filed as already seen; \
             `earshot alerts --all` lists them.",
            if history == 1 { "" } else { "s" },
            alerts::BACKFILL_SEEN_AFTER.num_days()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn set_state(store: &Db, ids: &[i64], state: AlertState) -> Result<ExitCode> {
    for id in ids {
        alerts::set_state(store, *id, state)?;
    }
    let what = match state {
        AlertState::Seen => "seen",
        AlertState::Dismissed => "dismissed",
        AlertState::New => "unread",
    };
    let n = ids.len();
    println!(
        "Marked {n} alert{} {what}. {} unread.",
        if n == 1 { "" } else { "s" },
        store.unread_alert_count()?
    );
    Ok(ExitCode::SUCCESS)
}

fn show_rules(rules: &RuleSet, json: bool) -> Result<ExitCode> {
    if json {
        print_json(rules)?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in &rules.0 {
        print_rule(r);
    }
    println!(
        "\nChange one with `earshot alerts rules set KIND [--enabled true|false] [--param key=value]`."
    );
    Ok(ExitCode::SUCCESS)
}

fn print_rule(r: &alerts::Rule) {
    let on = if r.enabled { "on " } else { "off" };
    println!("{on}  {:<14} {}", r.kind.as_str(), r.kind.title());
    for (k, v) in &r.params {
        let value = match v {
            serde_json::Value::Array(a) => a
                .iter()
                .filter_map(|w| w.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        let help = r.help.get(k).map(String::as_str).unwrap_or("");
        println!("       {k} = {value}    ({help})");
    }
}
