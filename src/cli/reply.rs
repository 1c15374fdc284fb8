//! `earshot reply check|draft|ai|save|post|edit|copy|mark-replied|delete|templates|template|profile|recovered`:
//! the composer's flow for scripts. Each subcommand is one call into `earshot::replies` or, for what
//! the app does too (post, edit, delete, AI draft), into `earshot::actions`.
//!
//! Posting, editing and deleting take a source's credentials from `EARSHOT_TOKEN_<CONNECTOR>`
//! first (scripts and CI, where no keyring is unlocked), then from the secrets stored when the
//! source was added (the OS keyring, or `EARSHOT_SECRETS_FILE`): a Bluesky app password, an App
//! Store Connect key, a Google sign-in.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use earshot::actions::{self, ActionError, AiEndpoint, ReplyCreds};
use earshot::model::replies::{Reply, ReplyState, ReplyTemplate};
use earshot::replies::ai::AiConfig;
use earshot::replies::outbox::OutboxConfig;
use earshot::replies::{self, coach::Warning, ReplyProfile};
use earshot::secrets::Secret;
use earshot::store::Db;
use serde_json::json;

use super::output::print_json;

#[derive(Args, Debug)]
pub struct ReplyArgs {
    #[command(subcommand)]
    cmd: ReplyCmd,
}

#[derive(Subcommand, Debug)]
enum ReplyCmd {
    /// Check a draft reply and print the coach's warnings (exit 0 even with warnings).
    Check {
        /// Platform or connector name (as `earshot sources add` lists them); taken from the review
        /// when --review is given.
        #[arg(long)]
        platform: Option<String>,
        /// The review the draft answers: enables the checks that need it (apology, canned…).
        #[arg(long)]
        review: Option<i64>,
        /// The draft text ("-" reads it from standard input).
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// Show the saved draft of a review, or a draft from a template.
    Draft {
        #[arg(long)]
        review: i64,
        /// Use this template instead of the saved draft or the one that suits the review.
        #[arg(long)]
        template: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Ask an OpenAI-compatible chat endpoint for a draft: the one saved in Settings → AI drafts
    /// (when they are on), or the one named here with --base-url or --model (Ollama on
    /// localhost and llama3.2 fill in what is not given; the API key, if any, comes from
    /// $EARSHOT_AI_KEY). Prints the draft; nothing is saved or posted.
    Ai {
        #[arg(long)]
        review: i64,
        /// The endpoint, e.g. http://localhost:11434.
        #[arg(long)]
        base_url: Option<String>,
        /// The model, e.g. llama3.2.
        #[arg(long)]
        model: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Save (or, with an empty text, discard) the draft of a review.
    Save {
        #[arg(long)]
        review: i64,
        /// The reply text ("-" reads it from standard input).
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// Queue the saved draft and post it through the platform's API.
    Post {
        #[arg(long)]
        review: i64,
        /// Makes a retried call idempotent: the same key never posts twice.
        #[arg(long)]
        key: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Change the text of the reply posted from Earshot, where the platform allows it (Google
    /// Business Profile, Google Play, Trustpilot, App Store Connect, Facebook, YouTube,
    /// Mastodon). The earlier text is kept in the reply's history.
    Edit {
        #[arg(long)]
        review: i64,
        /// The new text ("-" reads it from standard input).
        text: String,
        /// Makes a retried call idempotent: the same key never sends the edit twice.
        #[arg(long)]
        key: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Approve a team member's reply that waits for a manager (on a team database, replies
    /// drafted by staff wait for approval) and send it, or leave it queued for a computer that
    /// holds the platform's key. ID is the reply's id, as `earshot replies list` shows it.
    Approve {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Print the draft and the review's page, for platforms without a reply API.
    Copy {
        #[arg(long)]
        review: i64,
        #[arg(long)]
        json: bool,
    },
    /// Record that you replied on the platform yourself (the saved draft, or this text).
    MarkReplied {
        #[arg(long)]
        review: i64,
        text: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Delete the posted reply on the platform (all with a reply API but Google Play).
    Delete {
        #[arg(long)]
        review: i64,
        #[arg(long)]
        json: bool,
    },
    /// List reply templates (the built-in ones are added on first use).
    Templates {
        #[arg(long)]
        json: bool,
    },
    /// Add or replace a reply template.
    Template {
        name: String,
        /// The text, with fields like {first_name}, {business}, {aspect}, {owner_name}, {contact}.
        body: String,
        #[arg(long)]
        min_stars: Option<i64>,
        #[arg(long)]
        max_stars: Option<i64>,
        /// Only for reviews that mention this aspect ("wait time", "staff"…).
        #[arg(long)]
        aspect: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show or set how replies sign off and which contact they offer.
    Profile {
        #[arg(long)]
        business: String,
        #[arg(long)]
        owner_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// A tone guide for AI drafts ("warm, brief, first person").
        #[arg(long)]
        tone: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Reviews whose rating rose after you replied.
    Recovered {
        #[arg(long)]
        business: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &Db, args: ReplyArgs) -> Result<ExitCode> {
    match args.cmd {
        ReplyCmd::Check {
            platform,
            review,
            text,
            json,
        } => check(store, platform, review, read_text(text)?, json),
        ReplyCmd::Draft {
            review,
            template,
            json,
        } => draft(store, review, template, json),
        ReplyCmd::Ai {
            review,
            base_url,
            model,
            json,
        } => ai(store, review, base_url, model, json),
        ReplyCmd::Save { review, text, json } => save(store, review, &read_text(text)?, json),
        ReplyCmd::Post { review, key, json } => post(store, review, key, json),
        ReplyCmd::Edit {
            review,
            text,
            key,
            json,
        } => edit(store, review, &read_text(text)?, key, json),
        ReplyCmd::Copy { review, json } => copy(store, review, json),
        ReplyCmd::Approve { id, json } => approve(store, id, json),
        ReplyCmd::MarkReplied { review, text, json } => {
            let reply = replies::mark_replied(store, review, text.as_deref())?;
            print_or(json, &reply, || {
                println!("Marked review {review} as replied.")
            })
        }
        ReplyCmd::Delete { review, json } => {
            let reply = with_outbox(store, |creds, config| {
                actions::block_on(actions::delete_reply(store, creds, config, review))
            })?;
            print_or(json, &reply, || {
                println!("Deleted the reply to review {review}.")
            })
        }
        ReplyCmd::Templates { json } => templates(store, json),
        ReplyCmd::Template {
            name,
            body,
            min_stars,
            max_stars,
            aspect,
            json,
        } => {
            let template = ReplyTemplate {
                id: 0,
                name,
                min_rating: min_stars,
                max_rating: max_stars,
                aspect,
                body,
            };
            let t = replies::save_template(store, &template)?;
            print_or(json, &t, || println!("Saved template {:?}.", t.name))
        }
        ReplyCmd::Profile {
            business,
            owner_name,
            email,
            phone,
            tone,
            json,
        } => {
            let given = ReplyProfile {
                owner_name,
                contact_email: email,
                contact_phone: phone,
                tone,
            };
            profile(store, &business, given, json)
        }
        ReplyCmd::Recovered { business, json } => recovered(store, &business, json),
    }
}

/// Prints `value` as JSON with `--json`, else what `text` prints; exits 0.
fn print_or<T: serde::Serialize + ?Sized>(
    json: bool,
    value: &T,
    text: impl FnOnce(),
) -> Result<ExitCode> {
    if json {
        print_json(value)?;
    } else {
        text();
    }
    Ok(ExitCode::SUCCESS)
}

fn check(
    store: &Db,
    platform: Option<String>,
    review: Option<i64>,
    text: String,
    json: bool,
) -> Result<ExitCode> {
    let warnings = match review {
        Some(id) => replies::check_draft(store, id, &text)?,
        None => {
            let platform = platform.context("give --platform or --review")?;
            replies::check_text(&platform, &text)
        }
    };
    print_warnings(&warnings, json)?;
    Ok(ExitCode::SUCCESS)
}

fn draft(store: &Db, review: i64, template: Option<String>, json: bool) -> Result<ExitCode> {
    let saved = match &template {
        Some(_) => None,
        None => replies::get_draft(store, review)?,
    };
    let (template, text) = match saved {
        Some(d) => (None, d.body),
        None => {
            let (name, text) = replies::draft_from_template(store, review, template.as_deref())?;
            (Some(name), text)
        }
    };
    let warnings = replies::check_draft(store, review, &text)?;
    let out = json!({
        "review_id": review,
        "template": template,
        "text": text,
        "warnings": warnings,
    });
    print_or(json, &out, || print_draft(&text, &warnings))
}

/// An AI draft: from the endpoint named by `--base-url`/`--model` when given, else from the
/// owner's saved AI settings (refused while AI drafts are off, as in the app).
fn ai(
    store: &Db,
    review: i64,
    base_url: Option<String>,
    model: Option<String>,
    json: bool,
) -> Result<ExitCode> {
    let env_key = std::env::var("EARSHOT_AI_KEY")
        .ok()
        .filter(|k| !k.is_empty())
        .map(Secret::new);
    let endpoint = if base_url.is_some() || model.is_some() {
        let d = AiConfig::default();
        AiEndpoint::Given {
            config: AiConfig {
                base_url: base_url.unwrap_or(d.base_url),
                model: model.unwrap_or(d.model),
                ..AiConfig::default()
            },
            key: env_key,
        }
    } else {
        AiEndpoint::Saved
    };
    let secrets = store.secrets()?;
    let drafted = actions::block_on(actions::ai_draft(store, secrets.as_ref(), review, endpoint))
        .map_err(|e| match e {
        ActionError::AiOff => anyhow::anyhow!(
            "{e} (or name an endpoint here: `earshot reply ai --review {review} --base-url URL`)"
        ),
        e => e.into(),
    })?;
    print_or(json, &drafted, || {
        print_draft(&drafted.text, &drafted.warnings)
    })
}

fn save(store: &Db, review: i64, text: &str, json: bool) -> Result<ExitCode> {
    let saved = replies::save_draft(store, review, text)?;
    print_or(json, &saved, || {
        if saved.is_some() {
            println!("Saved the draft for review {review}.");
        } else {
            println!("Discarded the draft for review {review}.");
        }
    })
}

/// Runs an outbox action (post, edit, approve, delete) with the command line's credentials: a
/// token in `EARSHOT_TOKEN_<CONNECTOR>` first, then this computer's stored secrets; and the
/// outbox's default timings.
fn with_outbox<T>(
    store: &Db,
    act: impl FnOnce(&ReplyCreds<'_>, OutboxConfig) -> actions::Result<T>,
) -> Result<T> {
    let secrets = store.secrets()?;
    let creds = ReplyCreds::env_then_stored(secrets.as_ref());
    Ok(act(&creds, OutboxConfig::default())?)
}

/// Prints what became of a reply sent now; the command fails when the reply did.
fn print_sent(json: bool, reply: &Reply) -> Result<ExitCode> {
    print_or(json, reply, || print_outcome(reply))?;
    Ok(if reply.state == ReplyState::Failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn post(store: &Db, review: i64, key: Option<String>, json: bool) -> Result<ExitCode> {
    let reply = with_outbox(store, |creds, config| {
        actions::block_on(actions::post_reply(
            store,
            creds,
            config,
            review,
            key.as_deref(),
        ))
    })?;
    print_sent(json, &reply)
}

fn approve(store: &Db, id: i64, json: bool) -> Result<ExitCode> {
    let reply = with_outbox(store, |creds, config| {
        actions::block_on(actions::approve_reply(store, creds, config, id))
    })?;
    print_sent(json, &reply)
}

fn edit(store: &Db, review: i64, text: &str, key: Option<String>, json: bool) -> Result<ExitCode> {
    let reply = with_outbox(store, |creds, config| {
        actions::block_on(actions::edit_reply(
            store,
            creds,
            config,
            review,
            text,
            key.as_deref(),
        ))
    })?;
    print_or(json, &reply, || {
        if reply.state == ReplyState::Posted {
            println!("Edited the reply to review {review}.");
        } else if reply.state == ReplyState::AwaitingApproval {
            println!(
                "The edit of the reply to review {review} waits for a manager's approval \
                 (earshot reply approve {}).",
                reply.id
            );
        } else if let (ReplyState::Queued, Some(waits)) = (reply.state, &reply.last_error) {
            // On a team database, at a seat without the platform's key.
            println!("The edit of the reply to review {review} is queued, {waits}.");
        } else {
            println!(
                "The edit of the reply to review {review} is {} (another run is sending it).",
                reply.state.as_str()
            );
        }
    })
}

fn copy(store: &Db, review: i64, json: bool) -> Result<ExitCode> {
    let c = replies::copy_and_open(store, review)?;
    print_or(json, &c, || {
        println!("{}", c.text);
        match &c.url {
            Some(u) => eprintln!("Post it on {}: {u}", c.platform),
            None => eprintln!("Post it on {} (the review has no link).", c.platform),
        }
        eprintln!("Then: earshot reply mark-replied --review {review}");
    })
}

fn templates(store: &Db, json: bool) -> Result<ExitCode> {
    let list = replies::list_templates(store)?;
    print_or(json, &list, || {
        for t in &list {
            let band = match (t.min_rating, t.max_rating) {
                (Some(lo), Some(hi)) if lo == hi => format!("{lo}★"),
                (lo, hi) => format!(
                    "{}–{}★",
                    lo.map_or("1".into(), |v| v.to_string()),
                    hi.map_or("5".into(), |v| v.to_string())
                ),
            };
            let aspect = t
                .aspect
                .as_ref()
                .map(|a| format!(", {a}"))
                .unwrap_or_default();
            println!("{} ({band}{aspect})\n    {}", t.name, t.body);
        }
    })
}

/// Shows the reply profile, after changing the fields given (an empty value clears one).
fn profile(store: &Db, business: &str, given: ReplyProfile, json: bool) -> Result<ExitCode> {
    let b = store.business_by_name(business)?;
    let old = replies::profile(store, b.id)?;
    let changed = given.owner_name.is_some()
        || given.contact_email.is_some()
        || given.contact_phone.is_some()
        || given.tone.is_some();
    let set = |v: Option<String>, old: Option<String>| match v {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v),
        None => old,
    };
    let p = ReplyProfile {
        owner_name: set(given.owner_name, old.owner_name),
        contact_email: set(given.contact_email, old.contact_email),
        contact_phone: set(given.contact_phone, old.contact_phone),
        tone: set(given.tone, old.tone),
    };
    if changed {
        replies::set_profile(store, b.id, &p)?;
    }
    print_or(json, &p, || {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        println!("Owner name: {}", show(&p.owner_name));
        println!("Contact e-mail: {}", show(&p.contact_email));
        println!("Contact phone: {}", show(&p.contact_phone));
        println!("Tone: {}", show(&p.tone));
    })
}

fn recovered(store: &Db, business: &str, json: bool) -> Result<ExitCode> {
    let b = store.business_by_name(business)?;
    let list = replies::recovered(store, b.id)?;
    print_or(json, &list, || {
        if list.is_empty() {
            println!("No review has been re-rated higher after a reply yet.");
        }
        for r in &list {
            println!(
                "#{}: {:.0}★ → {:.0}★ after the reply of {}",
                r.review_id,
                r.before,
                r.after,
                earshot::model::rfc3339(&r.replied_at)
            );
        }
    })
}

fn print_draft(text: &str, warnings: &[Warning]) {
    println!("{text}");
    for w in warnings {
        eprintln!("warning [{}]: {}", w.code.as_str(), w.message);
    }
}

/// The text argument, or standard input for "-".
fn read_text(text: String) -> Result<String> {
    if text != "-" {
        return Ok(text);
    }
    let mut s = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).context("reading stdin")?;
    Ok(s)
}

fn print_warnings(warnings: &[Warning], json: bool) -> Result<()> {
    if json {
        return print_json(warnings);
    }
    if warnings.is_empty() {
        println!("No warnings.");
    }
    for w in warnings {
        println!("{}: {}", w.code.as_str(), w.message);
    }
    Ok(())
}

fn print_outcome(reply: &Reply) {
    match reply.state {
        ReplyState::Posted => println!("Posted the reply to review {}.", reply.review_id),
        ReplyState::Failed => eprintln!(
            "Could not post the reply to review {}: {}",
            reply.review_id,
            reply.last_error.as_deref().unwrap_or("unknown reason")
        ),
        ReplyState::AwaitingApproval => println!(
            "The reply to review {} waits for a manager's approval (earshot reply approve {}).",
            reply.review_id, reply.id
        ),
        // On a team database: this seat holds no credentials for the platform.
        ReplyState::Queued if reply.last_error.is_some() => println!(
            "The reply to review {} is queued, {}.",
            reply.review_id,
            reply.last_error.as_deref().unwrap_or_default()
        ),
        other => println!(
            "The reply to review {} is {} (another run is posting it).",
            reply.review_id,
            other.as_str()
        ),
    }
}
