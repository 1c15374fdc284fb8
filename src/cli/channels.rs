//! `earshot alerts channels add|list|test|remove` and `earshot alerts deliver`: where alerts
//! reach the owner beyond the desktop (issue 28). Each arm converts its arguments and calls one
//! function of `earshot::channels`, the same the app calls, on a database file or a team's
//! database (`--db postgresql://…`), where the channels are the team's and an e-mail password
//! stays in the keyring of each seat that sends.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use chrono::{Local, Utc};
use clap::{Args, Subcommand};
use earshot::channels::{self, Channel, ChannelSpec};
use earshot::model::alerts::QuietHours;
use earshot::secrets::Secret;
use earshot::store::{ChannelStore, Db};

use super::output::print_json;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ChannelsArgs {
    #[command(subcommand)]
    cmd: Option<ChannelsCmd>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum ChannelsCmd {
    /// Add a channel: `add webhook URL`, `add ntfy TOPIC_URL` or `add email --to … --server …`.
    Add {
        #[command(subcommand)]
        what: AddCmd,
    },
    /// List channels with what they sent and their last error.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Send a test message to a channel now.
    Test { id: i64 },
    /// Remove a channel (and its password from the keyring).
    Remove { id: i64 },
    /// Confirm a channel a restore changed (another URL, server or recipient than this
    /// computer's database had): it is sent to again, with its password.
    Confirm { id: i64 },
}

/// Settings every channel takes.
#[derive(Args, Debug)]
struct Common {
    /// Only these alert kinds, comma-separated (default: all), e.g. new_negative,spike.
    #[arg(long, value_name = "KIND,…", value_delimiter = ',')]
    kinds: Vec<String>,
    /// Local hours when nothing is sent, e.g. 22-7; what comes in waits until they end.
    #[arg(long, value_name = "FROM-TO")]
    quiet_hours: Option<String>,
    /// One message a day at this local hour (0-23) gathering the day's alerts.
    #[arg(long, value_name = "HOUR")]
    digest_hour: Option<u8>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum AddCmd {
    /// A webhook: generic JSON, or Slack's or Discord's body (chosen by the URL or --format).
    Webhook {
        url: String,
        /// generic, slack or discord.
        #[arg(long)]
        format: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// An ntfy topic URL (https://ntfy.sh/TOPIC or your own server).
    Ntfy {
        topic_url: String,
        #[command(flatten)]
        common: Common,
    },
    /// E-mail through your own SMTP account.
    Email {
        #[arg(long, value_name = "ADDRESS")]
        to: String,
        /// smtp://HOST:PORT (STARTTLS whenever offered) or smtps://HOST:PORT (TLS).
        #[arg(long, value_name = "URL")]
        server: String,
        /// Sender address (default: the --to address).
        #[arg(long, value_name = "ADDRESS")]
        from: Option<String>,
        /// User name to log in with; asks for the password (or reads --password-stdin).
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        common: Common,
    },
}

pub fn run(store: &Db, args: ChannelsArgs) -> Result<ExitCode> {
    match args.cmd {
        None => list(store, args.json),
        Some(ChannelsCmd::List { json }) => list(store, json || args.json),
        Some(ChannelsCmd::Add { what }) => add(store, what),
        Some(ChannelsCmd::Test { id }) => {
            let secrets = store.secrets()?;
            let http = channels::http_client()?;
            runtime()?.block_on(channels::test_channel(store, secrets.as_ref(), &http, id))?;
            println!("Sent a test message to channel {id}.");
            Ok(ExitCode::SUCCESS)
        }
        Some(ChannelsCmd::Remove { id }) => {
            let secrets = store.secrets()?;
            channels::remove_channel(store, secrets.as_ref(), id)?;
            println!("Removed channel {id}.");
            Ok(ExitCode::SUCCESS)
        }
        Some(ChannelsCmd::Confirm { id }) => {
            channels::confirm_channel(store, id)?;
            println!("Confirmed channel {id}: alerts go to it again.");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `earshot alerts deliver`: sends pending alerts to every channel now.
pub fn deliver(store: &mut Db, json: bool) -> Result<ExitCode> {
    let secrets = store.secrets()?;
    let http = channels::http_client()?;
    let report = runtime()?.block_on(channels::deliver(
        store,
        secrets.as_ref(),
        &http,
        Local::now().fixed_offset(),
    ))?;
    if json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Sent {} message{} ({} alert{}).",
        report.sent,
        if report.sent == 1 { "" } else { "s" },
        report.alerts_sent,
        if report.alerts_sent == 1 { "" } else { "s" }
    );
    if report.retrying > 0 {
        println!("{} will be tried again later.", report.retrying);
    }
    if report.failed > 0 {
        println!(
            "{} failed for good; `earshot alerts channels list` shows why.",
            report.failed
        );
    }
    if !report.unconfirmed_channels.is_empty() {
        println!(
            "Channels paused until you confirm them after a restore: {:?} (`earshot alerts \
             channels list` says why).",
            report.unconfirmed_channels
        );
    }
    if !report.waiting_channels.is_empty() {
        println!(
            "E-mail channels waiting for a computer that holds their password: {:?} (this \
             one has none in its keyring).",
            report.waiting_channels
        );
    }
    if !report.quiet_channels.is_empty() {
        println!(
            "Channels in their quiet hours: {:?} (their alerts wait).",
            report.quiet_channels
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn add(store: &Db, what: AddCmd) -> Result<ExitCode> {
    let (mut spec, common, password) = match what {
        AddCmd::Webhook {
            url,
            format,
            common,
        } => (
            ChannelSpec {
                kind: "webhook".into(),
                target: url,
                format,
                ..ChannelSpec::default()
            },
            common,
            None,
        ),
        AddCmd::Ntfy { topic_url, common } => (
            ChannelSpec {
                kind: "ntfy".into(),
                target: topic_url,
                ..ChannelSpec::default()
            },
            common,
            None,
        ),
        AddCmd::Email {
            to,
            server,
            from,
            user,
            password_stdin,
            common,
        } => {
            let password = if password_stdin {
                Some(read_password_stdin()?)
            } else if user.is_some() {
                Some(prompt_password()?)
            } else {
                None
            };
            (
                ChannelSpec {
                    kind: "email".into(),
                    target: to,
                    server: Some(server),
                    from,
                    user,
                    ..ChannelSpec::default()
                },
                common,
                password,
            )
        }
    };
    spec.kinds = common.kinds;
    spec.digest_hour = common.digest_hour;
    spec.quiet_hours = common.quiet_hours.as_deref().map(parse_quiet).transpose()?;
    let secrets = store.secrets()?;
    let channel = channels::add_channel(
        store,
        secrets.as_ref(),
        &spec,
        password.as_ref(),
        Utc::now(),
    )?;
    if common.json {
        print_json(&channel)?;
    } else {
        println!("Added channel {}: {}.", channel.id, channel.describe());
        println!(
            "Send it a test with `earshot alerts channels test {}`.",
            channel.id
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_quiet(s: &str) -> Result<QuietHours> {
    let Some((a, b)) = s.split_once('-') else {
        bail!("--quiet-hours {s:?} is not FROM-TO, e.g. 22-7");
    };
    let hour = |h: &str| -> Result<u8> {
        let h: u8 = h
            .trim()
            .parse()
            .with_context(|| format!("--quiet-hours {s:?}"))?;
        if h > 23 {
            bail!("--quiet-hours {s:?}: hours are 0 to 23");
        }
        Ok(h)
    };
    Ok(QuietHours {
        start_hour: hour(a)?,
        end_hour: hour(b)?,
    })
}

fn read_password_stdin() -> Result<Secret> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        bail!("--password-stdin read an empty password");
    }
    Ok(Secret::new(p))
}

/// Asks for the password on the terminal without echoing it (`stty -echo`), never as a flag.
fn prompt_password() -> Result<Secret> {
    if !std::io::stdin().is_terminal() {
        bail!("--user needs a password: pass --password-stdin and pipe it in");
    }
    eprint!("SMTP password (not shown): ");
    std::io::stderr().flush().ok();
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if !stty("-echo") {
        bail!("cannot hide what is typed here; pass --password-stdin and pipe the password in");
    }
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    stty("echo");
    eprintln!();
    read.context("reading the password")?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        bail!("no password typed");
    }
    Ok(Secret::new(p))
}

fn list(store: &Db, json: bool) -> Result<ExitCode> {
    let list = store.alert_channels()?;
    if json {
        print_json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!(
            "No channels. Add one with `earshot alerts channels add webhook URL`, \
             `… add ntfy TOPIC_URL` or `… add email --to ADDRESS --server smtp://HOST:PORT`."
        );
        return Ok(ExitCode::SUCCESS);
    }
    for c in &list {
        print_channel(c);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_channel(c: &Channel) {
    println!("{:>4}  {}", c.id, c.describe());
    let kinds = match &c.kinds {
        None => "all alerts".to_string(),
        Some(ks) => ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","),
    };
    let mut extra = String::new();
    if let Some(q) = c.quiet_hours {
        extra.push_str(&format!(", quiet {}-{}", q.start_hour, q.end_hour));
    }
    if let Some(h) = c.digest_hour {
        extra.push_str(&format!(", daily digest at {h}:00"));
    }
    println!(
        "      {kinds}{extra}; sent {}, waiting {}, failed {}",
        c.sent, c.pending, c.failed
    );
    if let Some(e) = &c.last_error {
        println!("      last error: {e}");
    }
    if let Some(why) = &c.unconfirmed {
        println!(
            "      paused: {why}; check it, then `earshot alerts channels confirm {}`",
            c.id
        );
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}
