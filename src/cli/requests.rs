//! `earshot requests …`: ask customers for reviews, fairly (issue 29). Each arm converts its
//! arguments and calls one function of `earshot::actions::requests`, the same the app calls.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use chrono::Utc;
use clap::{Args, Subcommand};
use earshot::actions::requests as act;
use earshot::requests::send::SendOptions;
use earshot::requests::{RequestSettings, Via};
use earshot::store::Db;

use super::output::{print_json, rating};

#[derive(Args, Debug)]
pub struct RequestsArgs {
    #[command(subcommand)]
    cmd: RequestsCmd,
}

#[derive(Subcommand, Debug)]
enum RequestsCmd {
    /// The review link of each of your profiles (from your sources), or set one with --url.
    Link {
        #[arg(long, value_name = "NAME")]
        business: String,
        /// Only this platform's (google, yelp, facebook, trustpilot, app-store, google-play).
        #[arg(long, value_name = "P")]
        platform: Option<String>,
        /// Set the platform's link by hand (an https:// address).
        #[arg(long, value_name = "URL", requires = "platform")]
        url: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The link as a QR code (--png, --svg) and a printable A6 card (--pdf).
    Qr {
        #[arg(long, value_name = "NAME")]
        business: String,
        #[arg(long, value_name = "P")]
        platform: String,
        #[arg(long, value_name = "PATH")]
        png: Option<PathBuf>,
        #[arg(long, value_name = "PATH")]
        svg: Option<PathBuf>,
        /// The card for the counter or the receipt: your name, "Tell us how we did", the code.
        #[arg(long, value_name = "PATH")]
        pdf: Option<PathBuf>,
    },
    /// Your customer list: import a CSV (name, email, phone, visited_at, opt_out) or list it.
    #[command(subcommand)]
    Customers(CustomersCmd),
    /// Ask every customer on the list who may be asked, the same way.
    Send(SendArgs),
    /// Requests sent, the reviews that followed, and their rating against the rest.
    Stats {
        #[arg(long, value_name = "NAME")]
        business: String,
        #[arg(long)]
        json: bool,
    },
    /// How you ask: days between two asks of one customer, the response window, the words.
    Settings(SettingsArgs),
}

#[derive(Subcommand, Debug)]
enum CustomersCmd {
    /// Import a CSV with a header row: name, email, phone, visited_at, opt_out. A bad row stops
    /// the import with its line; importing the list again updates, never doubles.
    Import {
        file: PathBuf,
        #[arg(long, value_name = "NAME")]
        business: String,
        #[arg(long)]
        json: bool,
    },
    /// The list, with when each customer was last asked.
    List {
        #[arg(long, value_name = "NAME")]
        business: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
struct SendArgs {
    #[arg(long, value_name = "NAME")]
    business: String,
    #[arg(long, value_name = "P")]
    platform: String,
    /// email (sent through your SMTP account), sms or mailto (prepared for you to send).
    #[arg(long, default_value = "email", value_name = "HOW")]
    via: String,
    /// Show who would be asked and the words; send and record nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
    /// smtp://HOST:PORT or smtps://HOST:PORT (default: your e-mail alert channel's account).
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// The sender address with --server.
    #[arg(long, value_name = "ADDRESS")]
    from: Option<String>,
    /// The login with --server; asks for the password (or reads --password-stdin).
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Args, Debug)]
struct SettingsArgs {
    /// Nobody is asked twice within this many days (default 90).
    #[arg(long, value_name = "DAYS")]
    period_days: Option<u32>,
    /// A review up to this many days after the ask counts as its response (default 30).
    #[arg(long, value_name = "DAYS")]
    window_days: Option<u32>,
    /// The e-mail's subject; fields {name}, {business}, {link}.
    #[arg(long)]
    subject: Option<String>,
    /// The e-mail's text (plain); must contain {link}.
    #[arg(long)]
    body: Option<String>,
    /// The SMS text; must contain {link}.
    #[arg(long)]
    sms: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn run(db: &Db, args: RequestsArgs) -> Result<ExitCode> {
    let now = Utc::now().timestamp();
    match args.cmd {
        RequestsCmd::Link {
            business,
            platform,
            url,
            json,
        } => {
            let links = match (&platform, &url) {
                (Some(p), Some(u)) => vec![act::set_request_link(db, &business, p, u, now)?],
                (Some(p), None) => {
                    let b = db.business_by_name(&business)?;
                    vec![earshot::requests::link(db, &b, p)?]
                }
                _ => act::request_links(db, &business)?,
            };
            if json {
                print_json(&links)?;
            } else if links.is_empty() {
                println!(
                    "No review links yet: connect a profile (`earshot sources add …`) or set one \
                     with --platform P --url URL."
                );
            }
            if !json {
                for l in &links {
                    println!("{:<12} {}", l.label, l.url);
                    if let Some(rule) = l.rule {
                        let (earshot::platforms::AskingRule::Forbidden(why)
                        | earshot::platforms::AskingRule::Note(why)) = rule;
                        println!("{:<12} {why}", "");
                    }
                }
            }
        }
        RequestsCmd::Qr {
            business,
            platform,
            png,
            svg,
            pdf,
        } => {
            let files = act::QrFiles {
                png: png.as_deref(),
                svg: svg.as_deref(),
                pdf: pdf.as_deref(),
            };
            let link = act::write_request_qr(db, &business, &platform, &files)?;
            for p in [&png, &svg, &pdf].into_iter().flatten() {
                println!("Wrote {} ({})", p.display(), link.url);
            }
        }
        RequestsCmd::Customers(CustomersCmd::Import {
            file,
            business,
            json,
        }) => {
            let done = act::import_customers(db, &business, &file, now)?;
            if json {
                print_json(&done)?;
            } else {
                println!(
                    "Imported the customer list: {} added, {} updated.",
                    done.added, done.updated
                );
            }
        }
        RequestsCmd::Customers(CustomersCmd::List { business, json }) => {
            let list = act::customers(db, &business)?;
            if json {
                print_json(&list)?;
            } else {
                for c in &list {
                    let asked = c
                        .last_asked_at
                        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                        .map_or("never asked".into(), |t| {
                            format!("asked {}", t.format("%Y-%m-%d"))
                        });
                    println!(
                        "{:<24} {:<28} {:<16} {}{}",
                        c.name,
                        c.email.as_deref().unwrap_or(""),
                        c.phone.as_deref().unwrap_or(""),
                        asked,
                        if c.opt_out { ", opted out" } else { "" }
                    );
                }
            }
        }
        RequestsCmd::Send(a) => return send(db, a, now),
        RequestsCmd::Stats { business, json } => {
            let s = act::request_stats(db, &business)?;
            if json {
                print_json(&s)?;
            } else {
                println!("Requests sent:           {}", s.sent);
                println!(
                    "Reviews that followed:   {} (within {} days)",
                    s.responses, s.window_days
                );
                if let Some(r) = s.response_rate {
                    println!("Response rate:           {:.0}%", r * 100.0);
                }
                println!("Their rating:            {}", rating(s.responses_rating));
                println!(
                    "Other reviews' rating:   {} ({} since the first request)",
                    rating(s.others_rating),
                    s.others
                );
                if s.unconfirmed > 0 {
                    println!(
                        "Outcome unknown:         {} (a run stopped while sending; not sent again)",
                        s.unconfirmed
                    );
                }
                if s.failed > 0 {
                    println!("Refused by the server:   {}", s.failed);
                }
            }
        }
        RequestsCmd::Settings(a) => {
            let mut s = RequestSettings::load(db)?;
            let changed = a.period_days.is_some()
                || a.window_days.is_some()
                || a.subject.is_some()
                || a.body.is_some()
                || a.sms.is_some();
            s.period_days = a.period_days.unwrap_or(s.period_days);
            s.window_days = a.window_days.unwrap_or(s.window_days);
            s.subject = a.subject.unwrap_or(s.subject);
            s.body = a.body.unwrap_or(s.body);
            s.sms = a.sms.unwrap_or(s.sms);
            if changed {
                act::set_request_settings(db, &s)?;
            }
            let warnings = earshot::requests::message::check(&s.body);
            if a.json {
                print_json(&serde_json::json!({"settings": s, "warnings": warnings}))?;
            } else {
                println!(
                    "Asked at most once every {} days; a review within {} days counts.",
                    s.period_days, s.window_days
                );
                println!("Subject: {}\n\n{}\n\nSMS: {}", s.subject, s.body, s.sms);
                for w in warnings {
                    println!("Consider: {}", w.message);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn send(db: &Db, a: SendArgs, now: i64) -> Result<ExitCode> {
    let Some(via) = Via::parse(&a.via) else {
        bail!("--via {:?}: say email, sms or mailto", a.via);
    };
    let password = if a.password_stdin || a.user.is_some() {
        Some(super::secret_input::read_secret("SMTP password")?)
    } else {
        None
    };
    let mail = act::MailOverride {
        server: a.server,
        from: a.from,
        user: a.user,
        password,
    };
    let options = SendOptions {
        platform: a.platform,
        via,
        dry_run: a.dry_run,
    };
    let secrets = db.secrets()?;
    let bar = super::output::count_bar(a.json, "Asking", "customers");
    let report = act::send_requests(
        db,
        secrets.as_ref(),
        &a.business,
        &options,
        &mail,
        now,
        &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    )?;
    bar.finish_and_clear();
    if a.json {
        print_json(&report)?;
    } else {
        for w in &report.warnings {
            eprintln!("Consider: {}", w.message);
        }
        let s = report.skipped;
        if report.dry_run {
            println!(
                "Would ask {} customer{} for a {} review at {}.",
                report.eligible,
                if report.eligible == 1 { "" } else { "s" },
                report.platform,
                report.link
            );
            if let Some(m) = report.messages.first() {
                println!(
                    "\nTo {}:\n{}{}",
                    m.to,
                    m.subject
                        .as_deref()
                        .map(|s| format!("Subject: {s}\n\n"))
                        .unwrap_or_default(),
                    m.text
                );
            }
        } else if via == Via::Email {
            println!(
                "Sent {} request{}.",
                report.sent,
                if report.sent == 1 { "" } else { "s" }
            );
        } else {
            for m in &report.messages {
                println!("{} ({}): {}", m.name, m.to, m.open.as_deref().unwrap_or(""));
            }
            println!("Prepared {} for you to send.", report.messages.len());
        }
        println!(
            "Not asked: {} opted out, {} asked in the last period, {} without an address.",
            s.opted_out, s.recently_asked, s.no_address
        );
        for f in &report.failed {
            println!("Not sent to {}: {}", f.to, f.error);
        }
    }
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
