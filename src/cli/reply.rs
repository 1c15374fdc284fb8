//! `earshot reply check|draft|ai|save|post|edit|copy|mark-replied|delete|templates|template|profile|recovered`:
//! the composer's flow for scripts. Each subcommand is one call into `earshot::replies`.
//!
//! Posting, editing and deleting take a source's credentials from `EARSHOT_TOKEN_<CONNECTOR>`
//! first (scripts and CI, where no keyring is unlocked), then from the secrets stored when the
//! source was added (the OS keyring, or `EARSHOT_SECRETS_FILE`): a Bluesky app password, an App
//! Store Connect key, a Google sign-in.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use earshot::model::SourceId;
use earshot::replies::outbox::{EnvCredentials, Outbox, OutboxConfig, ReplyCredentials, Secret};
use earshot::replies::{self, coach::Warning, Reply, ReplyProfile, ReplyState, ReplyTemplate};
use earshot::secrets::{SecretStore, StoredReplyCredentials};
use earshot::store::Store;
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
    /// Ask an OpenAI-compatible chat endpoint (Ollama on localhost by default) for a draft; the
    /// API key, if any, comes from $EARSHOT_AI_KEY. Prints the draft; nothing is saved or posted.
    Ai {
        #[arg(long)]
        review: i64,
        #[arg(long, default_value = "http://localhost:11434")]
        base_url: String,
        #[arg(long, default_value = "llama3.2")]
        model: String,
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

pub fn run(store: &Store, args: ReplyArgs) -> Result<ExitCode> {
    match args.cmd {
        ReplyCmd::Check {
            platform,
            review,
            text,
            json,
        } => {
            let text = read_text(text)?;
            let warnings = match review {
                Some(id) => replies::check_draft(store, id, &text)?,
                None => {
                    let platform = platform.context("give --platform or --review")?;
                    replies::check_text(&platform, &text)
                }
            };
            print_warnings(&warnings, json)?;
        }
        ReplyCmd::Draft {
            review,
            template,
            json,
        } => {
            let saved = match &template {
                Some(_) => None,
                None => replies::get_draft(store, review)?,
            };
            let (template, text) = match saved {
                Some(d) => (None, d.body),
                None => {
                    let (name, text) =
                        replies::draft_from_template(store, review, template.as_deref())?;
                    (Some(name), text)
                }
            };
            let warnings = replies::check_draft(store, review, &text)?;
            if json {
                print_json(&json!({
                    "review_id": review,
                    "template": template,
                    "text": text,
                    "warnings": warnings,
                }))?;
            } else {
                println!("{text}");
                for w in &warnings {
                    eprintln!("warning [{}]: {}", w.code.as_str(), w.message);
                }
            }
        }
        ReplyCmd::Ai {
            review,
            base_url,
            model,
            json,
        } => {
            let config = earshot::replies::ai::AiConfig {
                base_url,
                model,
                ..Default::default()
            };
            let key = std::env::var("EARSHOT_AI_KEY")
                .ok()
                .filter(|k| !k.is_empty())
                .map(earshot::replies::outbox::Secret::new);
            let text = block_on(replies::ai_draft(store, review, &config, key.as_ref()))?;
            let warnings = replies::check_draft(store, review, &text)?;
            if json {
                print_json(&json!({ "review_id": review, "text": text, "warnings": warnings }))?;
            } else {
                println!("{text}");
                for w in &warnings {
                    eprintln!("warning [{}]: {}", w.code.as_str(), w.message);
                }
            }
        }
        ReplyCmd::Save { review, text, json } => {
            let text = read_text(text)?;
            let saved = replies::save_draft(store, review, &text)?;
            if json {
                print_json(&saved)?;
            } else if saved.is_some() {
                println!("Saved the draft for review {review}.");
            } else {
                println!("Discarded the draft for review {review}.");
            }
        }
        ReplyCmd::Post { review, key, json } => {
            let creds = CliCredentials::open(store)?;
            let reply = block_on(async {
                let outbox = Outbox::new(store, &creds, OutboxConfig::default())?;
                outbox.post_review(review, key.as_deref()).await
            })?;
            if json {
                print_json(&reply)?;
            } else {
                print_outcome(&reply);
            }
            if reply.state == ReplyState::Failed {
                return Ok(ExitCode::FAILURE);
            }
        }
        ReplyCmd::Edit {
            review,
            text,
            key,
            json,
        } => {
            let text = read_text(text)?;
            let creds = CliCredentials::open(store)?;
            let reply = block_on(async {
                let outbox = Outbox::new(store, &creds, OutboxConfig::default())?;
                outbox
                    .edit_review_reply(review, &text, key.as_deref())
                    .await
            })?;
            if json {
                print_json(&reply)?;
            } else if reply.state == ReplyState::Posted {
                println!("Edited the reply to review {review}.");
            } else {
                println!(
                    "The edit of the reply to review {review} is {} (another run is sending it).",
                    reply.state.as_str()
                );
            }
        }
        ReplyCmd::Copy { review, json } => {
            let c = replies::copy_and_open(store, review)?;
            if json {
                print_json(&c)?;
            } else {
                println!("{}", c.text);
                match &c.url {
                    Some(u) => eprintln!("Post it on {}: {u}", c.platform),
                    None => eprintln!("Post it on {} (the review has no link).", c.platform),
                }
                eprintln!("Then: earshot reply mark-replied --review {review}");
            }
        }
        ReplyCmd::MarkReplied { review, text, json } => {
            let reply = replies::mark_replied(store, review, text.as_deref())?;
            if json {
                print_json(&reply)?;
            } else {
                println!("Marked review {review} as replied.");
            }
        }
        ReplyCmd::Delete { review, json } => {
            let creds = CliCredentials::open(store)?;
            let reply = block_on(async {
                let outbox = Outbox::new(store, &creds, OutboxConfig::default())?;
                outbox.delete_review_reply(review).await
            })?;
            if json {
                print_json(&reply)?;
            } else {
                println!("Deleted the reply to review {review}.");
            }
        }
        ReplyCmd::Templates { json } => {
            let list = replies::list_templates(store)?;
            if json {
                print_json(&list)?;
            } else {
                for t in list {
                    let band = match (t.min_rating, t.max_rating) {
                        (Some(lo), Some(hi)) if lo == hi => format!("{lo}★"),
                        (lo, hi) => format!(
                            "{}–{}★",
                            lo.map_or("1".into(), |v| v.to_string()),
                            hi.map_or("5".into(), |v| v.to_string())
                        ),
                    };
                    let aspect = t.aspect.map(|a| format!(", {a}")).unwrap_or_default();
                    println!("{} ({band}{aspect})\n    {}", t.name, t.body);
                }
            }
        }
        ReplyCmd::Template {
            name,
            body,
            min_stars,
            max_stars,
            aspect,
            json,
        } => {
            let t = replies::save_template(
                store,
                &ReplyTemplate {
                    id: 0,
                    name,
                    min_rating: min_stars,
                    max_rating: max_stars,
                    aspect,
                    body,
                },
            )?;
            if json {
                print_json(&t)?;
            } else {
                println!("Saved template {:?}.", t.name);
            }
        }
        ReplyCmd::Profile {
            business,
            owner_name,
            email,
            phone,
            tone,
            json,
        } => {
            let b = store.business_by_name(&business)?;
            let mut p = replies::profile(store, b.id)?;
            let changed =
                owner_name.is_some() || email.is_some() || phone.is_some() || tone.is_some();
            let set = |v: Option<String>, old: Option<String>| match v {
                Some(v) if v.trim().is_empty() => None,
                Some(v) => Some(v),
                None => old,
            };
            p = ReplyProfile {
                owner_name: set(owner_name, p.owner_name),
                contact_email: set(email, p.contact_email),
                contact_phone: set(phone, p.contact_phone),
                tone: set(tone, p.tone),
            };
            if changed {
                replies::set_profile(store, b.id, &p)?;
            }
            if json {
                print_json(&p)?;
            } else {
                let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
                println!("Owner name: {}", show(&p.owner_name));
                println!("Contact e-mail: {}", show(&p.contact_email));
                println!("Contact phone: {}", show(&p.contact_phone));
                println!("Tone: {}", show(&p.tone));
            }
        }
        ReplyCmd::Recovered { business, json } => {
            let b = store.business_by_name(&business)?;
            let list = replies::recovered(store, b.id)?;
            if json {
                print_json(&list)?;
            } else if list.is_empty() {
                println!("No review has been re-rated higher after a reply yet.");
            } else {
                for r in list {
                    println!(
                        "#{}: {:.0}★ → {:.0}★ after the reply of {}",
                        r.review_id,
                        r.before,
                        r.after,
                        earshot::model::rfc3339(&r.replied_at)
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The outbox's credentials on the command line: a token from the environment wins, then the
/// source's stored secrets.
struct CliCredentials {
    stored: Box<dyn SecretStore>,
}

impl CliCredentials {
    fn open(store: &Store) -> Result<CliCredentials> {
        Ok(CliCredentials {
            stored: store.secrets()?,
        })
    }
}

impl ReplyCredentials for CliCredentials {
    fn bearer_token(
        &self,
        source: SourceId,
        connector: &str,
    ) -> std::result::Result<Option<Secret>, earshot::secrets::SecretError> {
        match EnvCredentials.bearer_token(source, connector)? {
            Some(t) => Ok(Some(t)),
            None => StoredReplyCredentials(self.stored.as_ref()).bearer_token(source, connector),
        }
    }

    fn secret(
        &self,
        source: SourceId,
        key: &str,
    ) -> std::result::Result<Option<Secret>, earshot::secrets::SecretError> {
        StoredReplyCredentials(self.stored.as_ref()).secret(source, key)
    }

    fn keep(&self, source: SourceId, key: &str, value: &Secret) {
        StoredReplyCredentials(self.stored.as_ref()).keep(source, key, value);
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
        other => println!(
            "The reply to review {} is {} (another run is posting it).",
            reply.review_id,
            other.as_str()
        ),
    }
}

/// Runs the outbox on a single-threaded runtime: the CLI posts one reply at a time.
fn block_on<T>(f: impl std::future::Future<Output = replies::Result<T>>) -> Result<T> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(rt.block_on(f)?)
}
