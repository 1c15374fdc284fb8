//! `earshot sources …` and `earshot sync`: connect platforms and fetch from them.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{TimeZone, Utc};
use clap::{Args, Subcommand};
use earshot::actions::{self, sync::RoundOptions, RoundReport};
use earshot::model::SourceId;
use earshot::platforms::http::HttpConfig;
use earshot::platforms::ConnectorSpec;
use earshot::replies::outbox::OutboxConfig;
use earshot::secrets::SecretStore;
use earshot::sources::{self, Settings};
use earshot::store::{Db, DbLocation, Source};
use earshot::sync::{self, Selection, SourceReport, SyncEvent, SyncOptions};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::output::print_json;

#[derive(Args, Debug)]
pub struct SourcesArgs {
    #[command(subcommand)]
    command: SourcesCmd,
}

#[derive(Subcommand, Debug)]
enum SourcesCmd {
    /// Connect a platform to a business: `sources add yelp --business "Joe's" --set business_id=…`.
    /// `sources add PLATFORM --help` lists what PLATFORM needs.
    #[command(disable_help_flag = true)]
    Add(AddArgs),
    /// List sources with their status, last and next sync, and item count.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Make one live request to a source and say what is wrong, if anything.
    Test {
        id: SourceId,
        #[arg(long)]
        json: bool,
        /// Seconds to wait for the platform.
        #[arg(long, default_value_t = 20)]
        timeout: u64,
    },
    /// Remove a source, the items it brought in, and its stored credentials.
    Remove {
        id: SourceId,
        #[arg(long)]
        json: bool,
    },
    /// Sign a source in where the platform asks the owner in a browser (Google Business
    /// Profile; YouTube, X and Mastodon to post replies): prints the address to open, waits for
    /// the answer on 127.0.0.1 (or asks for the code the platform shows) and keeps the sign-in
    /// in the OS keyring, never in the database.
    Auth {
        id: SourceId,
        /// Only print the address; do not try to open a browser (e.g. over SSH).
        #[arg(long)]
        no_browser: bool,
        /// Seconds to wait for the browser's answer.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
        /// Trustpilot: the Trustpilot Business login e-mail (asked for when not given). The
        /// password is read from standard input, or from EARSHOT_TRUSTPILOT_PASSWORD; it goes to
        /// Trustpilot once and is never kept.
        #[arg(long)]
        username: Option<String>,
    },
    /// Confirm a source's platform and addresses after a restore changed them, so its
    /// credentials are used again (`--ai`: the AI endpoint in the settings).
    Confirm {
        /// The source to confirm.
        #[arg(required_unless_present = "ai")]
        id: Option<SourceId>,
        /// Confirm the AI endpoint a restore changed.
        #[arg(long)]
        ai: bool,
    },
    /// The platforms Earshot can connect, with their settings.
    Platforms {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The platform; without one, the platforms Earshot knows are listed.
    platform: Option<String>,
    /// The business (yours or a competitor) the source is about.
    #[arg(long)]
    business: Option<String>,
    /// A setting, `key=value`; repeat for each. Secrets go to the OS keyring.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// A secret setting (`api_key`…) whose value is read from standard input (one line per
    /// secret, in order) or asked for without echo, so it never shows in the process list or
    /// the shell's history. Repeat for each.
    #[arg(long = "set-secret", value_name = "KEY")]
    set_secret: Vec<String>,
    /// A name for the source (default: the platform and its target).
    #[arg(long)]
    label: Option<String>,
    #[arg(long)]
    json: bool,
    /// Show what the platform needs.
    #[arg(short = 'h', long = "help")]
    help: bool,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// Sync only this source (repeat for several); default: every source.
    #[arg(long = "source", value_name = "ID")]
    sources: Vec<SourceId>,
    /// Only the sources whose scheduled time has come.
    #[arg(long, conflicts_with = "sources")]
    due: bool,
    #[arg(long)]
    json: bool,
    /// Seconds to wait for each request.
    #[arg(long, default_value_t = 20)]
    timeout: u64,
    /// Sources synced at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
}

/// `earshot sources …` on a database of either kind. On a team database the sources and their
/// non-secret settings are shared, their secrets stay in this computer's keyring: a seat that
/// signs a source in (`auth`) keeps the tokens in its own keyring, named by the team database's
/// identity, and so is the seat that syncs that source.
pub fn run(location: &DbLocation, args: SourcesArgs) -> Result<ExitCode> {
    let open = || super::open_db(location);
    match args.command {
        SourcesCmd::Add(a) => add(open, a),
        SourcesCmd::List { json } => list(&open()?, json),
        SourcesCmd::Test { id, json, timeout } => test(&open()?, id, json, timeout),
        SourcesCmd::Remove { id, json } => remove(&open()?, id, json),
        SourcesCmd::Auth {
            id,
            no_browser,
            timeout,
            username,
        } => auth(&open()?, id, no_browser, timeout, username),
        SourcesCmd::Confirm { id, ai } => confirm(&open()?, id, ai),
        SourcesCmd::Platforms { json } => platforms(json),
    }
}

/// `sources confirm`: the owner has checked where a restored source (or the AI endpoint) sends
/// its credentials.
fn confirm(store: &Db, id: Option<SourceId>, ai: bool) -> Result<ExitCode> {
    if let Some(id) = id {
        let source = store.source(id)?;
        store.confirm_source(id)?;
        println!(
            "Confirmed source {id} ({} {:?}, settings {}): its credentials are used again.",
            source.connector, source.label, source.settings
        );
    }
    if ai {
        store.confirm_settings()?;
        println!("Confirmed the addresses in the settings (the AI endpoint).");
    }
    Ok(ExitCode::SUCCESS)
}

fn add(open: impl FnOnce() -> Result<Db>, a: AddArgs) -> Result<ExitCode> {
    let Some(platform) = a.platform.as_deref() else {
        print!("{}", platforms_text());
        println!("\nUsage: earshot sources add PLATFORM --business NAME --set KEY=VALUE …");
        println!("       earshot sources add PLATFORM --help");
        return Ok(if a.help {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        });
    };
    let spec = sources::spec(platform).with_context(|| {
        format!(
            "unknown platform `{platform}`; one of: {}",
            names().join(", ")
        )
    })?;
    if a.help {
        print!("{}", platform_help(spec));
        return Ok(ExitCode::SUCCESS);
    }
    let business = a
        .business
        .as_deref()
        .context("say which business this source is about: --business NAME")?;
    let mut given = Settings::new();
    for kv in &a.set {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("`--set {kv}`: write it as key=value"))?;
        let k = k.trim();
        if earshot::platforms::all_settings(spec).any(|s| s.secret && s.key == k) {
            eprintln!(
                "note: {k} given with --set shows in the process list and your shell's history; \
                 `--set-secret {k}` reads it from standard input or a prompt instead"
            );
        }
        given.insert(k.to_string(), v.to_string());
    }
    for key in &a.set_secret {
        let key = key.trim();
        if !earshot::platforms::all_settings(spec).any(|s| s.secret && s.key == key) {
            let secret: Vec<&str> = earshot::platforms::all_settings(spec)
                .filter(|s| s.secret)
                .map(|s| s.key)
                .collect();
            anyhow::bail!(
                "`--set-secret {key}`: {} has no secret setting by that name (its secrets: {}); \
                 give other settings with --set",
                spec.label,
                if secret.is_empty() {
                    "none".to_string()
                } else {
                    secret.join(", ")
                }
            );
        }
        let value = super::secret_input::read_secret(key)?;
        given.insert(key.to_string(), value.expose().to_string());
    }
    let store = open()?;
    let secret_store = store.secrets()?;
    let source = actions::add_source_to(
        &store,
        secret_store.as_ref(),
        business,
        spec.name,
        a.label.as_deref(),
        &given,
    )?;
    let id = source.id;
    if a.json {
        print_json(&SourceRow::from(&source))?;
    } else {
        println!(
            "Added source {id}: {} for {} — run `earshot sync --source {id}` to fetch now.",
            source.label, source.business
        );
        let secret_keys: Vec<&str> = spec
            .settings
            .iter()
            .filter(|s| s.secret && given.contains_key(s.key))
            .map(|s| s.key)
            .collect();
        if !secret_keys.is_empty() {
            println!(
                "Kept {} in {}, not in the database.",
                secret_keys.join(", "),
                secret_store.describe()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn names() -> Vec<&'static str> {
    earshot::platforms::specs().iter().map(|s| s.name).collect()
}

fn platforms_text() -> String {
    let mut out = String::from("Platforms:\n");
    for s in earshot::platforms::specs() {
        let what = match s.feed {
            earshot::platforms::Feed::Reviews => "reviews",
            earshot::platforms::Feed::Mentions => "mentions",
            earshot::platforms::Feed::File => "a file",
        };
        out.push_str(&format!("  {:<18} {} ({what})\n", s.name, s.label));
    }
    out
}

fn platform_help(spec: &ConnectorSpec) -> String {
    let mut out = format!(
        "{} — earshot sources add {} --business NAME --set KEY=VALUE … --set-secret KEY …\n\n",
        spec.label, spec.name
    );
    if !spec.help.is_empty() {
        out.push_str(&wrap(spec.help, 96));
        out.push_str("\n\n");
    }
    out.push_str(&guide_text(&spec.guide));
    out.push_str("Settings:\n");
    for s in earshot::platforms::all_settings(spec) {
        let mut flags = Vec::new();
        if s.required {
            flags.push("required".to_string());
        }
        if s.secret {
            flags.push(format!(
                "secret: give it with --set-secret {}; kept in the OS keyring",
                s.key
            ));
        }
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" ({})", flags.join(", "))
        };
        out.push_str(&format!("  {:<20} {}{flags}\n", s.key, s.label));
        out.push_str(&format!("  {:<20} {}\n", "", s.help));
    }
    if !spec.default_base_url.is_empty() {
        out.push_str(&format!("\nDefault base_url: {}\n", spec.default_base_url));
    }
    out.push_str("\nOptions:\n  --business NAME      the business this source is about\n  --label TEXT         a name for the source\n  --json               print the new source as JSON\n");
    out
}

/// The platform's honest guide: cost, approval, steps, the way in without the API.
fn guide_text(g: &earshot::platforms::Guide) -> String {
    let indented = |text: &str| wrap(text, 92).replace('\n', "\n    ");
    let mut out = format!("Access: {}.\n", g.access.label());
    out.push_str(&format!("What it costs:\n    {}\n", indented(g.cost)));
    out.push_str(&format!("What it needs:\n    {}\n", indented(g.approval)));
    out.push_str("Steps:\n");
    for (n, step) in g.steps.iter().enumerate() {
        let step = wrap(step, 91).replace('\n', "\n     ");
        out.push_str(&format!("  {}. {step}\n", n + 1));
    }
    out.push_str(&format!(
        "Without the API:\n    {}\n\n",
        indented(g.without_api)
    ));
    out
}

fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}

fn platforms(json: bool) -> Result<ExitCode> {
    if json {
        print_json(earshot::platforms::specs())?;
    } else {
        print!("{}", platforms_text());
    }
    Ok(ExitCode::SUCCESS)
}

/// A source as `sources list --json` prints it.
#[derive(Serialize)]
struct SourceRow {
    id: SourceId,
    business: String,
    platform: String,
    label: String,
    /// `new`, `ok`, `error` or `paused`.
    status: String,
    /// The last error in plain words, when the status is not ok.
    error: Option<String>,
    last_sync: Option<String>,
    next_sync: Option<String>,
    items: i64,
    consecutive_failures: i64,
    settings: serde_json::Value,
    /// Why the source waits for the owner's confirmation (`sources confirm ID`), if it does.
    unconfirmed: Option<String>,
    /// The business's overall rating as the platform shows it; null where it reports none.
    platform_rating: Option<f64>,
    /// How many reviews the platform counts for the business; null where it does not say.
    platform_review_count: Option<i64>,
    /// When those were read (RFC 3339); null until a sync read them.
    platform_rating_at: Option<String>,
}

impl From<&Source> for SourceRow {
    fn from(s: &Source) -> Self {
        SourceRow {
            id: s.id,
            business: s.business.clone(),
            platform: s.connector.clone(),
            label: s.label.clone(),
            status: s.status.as_str().to_string(),
            error: s.last_error.clone(),
            last_sync: s.last_sync_at.map(time),
            next_sync: s.next_sync_at.map(time),
            items: s.items,
            consecutive_failures: s.consecutive_failures,
            settings: s.settings.clone(),
            unconfirmed: s.unconfirmed.clone(),
            platform_rating: s.platform_rating,
            platform_review_count: s.platform_review_count,
            platform_rating_at: s.platform_rating_at.map(time),
        }
    }
}

fn time(t: i64) -> String {
    Utc.timestamp_opt(t, 0)
        .single()
        .map_or_else(|| t.to_string(), |d| earshot::model::rfc3339(&d))
}

fn short_time(t: Option<i64>) -> String {
    t.and_then(|t| Utc.timestamp_opt(t, 0).single())
        .map_or_else(|| "—".into(), |d| d.format("%Y-%m-%d %H:%M").to_string())
}

fn list(store: &Db, json: bool) -> Result<ExitCode> {
    let all = store.sources()?;
    if json {
        let rows: Vec<SourceRow> = all.iter().map(SourceRow::from).collect();
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        println!("No sources yet. Connect one with `earshot sources add PLATFORM --business NAME --set …`");
        println!("(`earshot sources add --help` lists the platforms).");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>4}  {:<22} {:<34} {:<8} {:>7}  {:<16}  {:<16}",
        "id", "business", "source", "status", "items", "last sync", "next sync"
    );
    for s in &all {
        println!(
            "{:>4}  {:<22} {:<34} {:<8} {:>7}  {:<16}  {:<16}",
            s.id,
            clip(&s.business, 22),
            clip(&s.label, 34),
            s.status.as_str(),
            s.items,
            short_time(s.last_sync_at),
            short_time(s.next_sync_at)
        );
        if let Some(e) = s
            .last_error
            .as_deref()
            .filter(|_| s.status.as_str() != "ok")
        {
            println!("      ↳ {e}");
        }
        if let Some(said) = earshot::insights::platform_says(s) {
            println!("      ↳ {said}");
        }
        if let Some(why) = &s.unconfirmed {
            println!(
                "      ↳ waits for your confirmation: {why} (`earshot sources confirm {}`)",
                s.id
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

#[derive(Serialize)]
struct TestResult {
    source_id: SourceId,
    ok: bool,
    items_on_first_page: Option<usize>,
    error: Option<String>,
    error_code: Option<&'static str>,
}

fn test(store: &Db, id: SourceId, json: bool, timeout: u64) -> Result<ExitCode> {
    let source = store.source(id)?;
    let secret_store = store.secrets()?;
    let timeout = std::time::Duration::from_secs(timeout.max(1));
    let outcome = runtime()?.block_on(actions::test_source(
        &source,
        secret_store.as_ref(),
        Some(timeout),
    ))?;
    if json {
        print_json(&TestResult {
            source_id: id,
            ok: outcome.ok,
            items_on_first_page: outcome.items,
            error: outcome.error.clone(),
            error_code: outcome.error_code,
        })?;
    } else if let Some(n) = outcome.items {
        println!("{}: connected — {n} items on the first page.", source.label);
    } else {
        eprintln!(
            "{}: {}",
            source.label,
            outcome.error.as_deref().unwrap_or("failed")
        );
    }
    Ok(if outcome.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn remove(store: &Db, id: SourceId, json: bool) -> Result<ExitCode> {
    let removed = actions::remove_source_from(store, store.secrets()?.as_ref(), id)?;
    let source = &removed.source;
    if json {
        print_json(&serde_json::json!({
            "removed": id,
            "label": source.label,
            "items": source.items,
            "secrets_warning": removed.secrets_warning,
        }))?;
    } else {
        println!(
            "Removed source {id} ({}) and its {} items.",
            source.label, source.items
        );
        if let Some(n) = &removed.secrets_warning {
            eprintln!("Note: its credentials could not be removed: {n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `earshot sync`: the app's round (`earshot::actions::sync_round`): syncs the sources, raises
/// alerts over what arrived and sends the replies waiting in the outbox. The notifications the
/// round plans are left for the app to show.
pub fn sync_cmd(db: &DbLocation, a: SyncArgs) -> Result<ExitCode> {
    let (selection, total, secret_store) = selection(db, &a)?;
    let opts = RoundOptions {
        sync: SyncOptions {
            http: HttpConfig {
                timeout: std::time::Duration::from_secs(a.timeout.max(1)),
                ..HttpConfig::default()
            },
            concurrency: a.concurrency.max(1),
            ..SyncOptions::default()
        },
        outbox: OutboxConfig::default(),
        env_tokens: true,
    };
    let bar = sync_progress(total, a.json);
    let sink_bar = bar.clone();
    let events: sync::EventSink = Arc::new(move |e: &SyncEvent| match e {
        SyncEvent::Started { label, .. } => sink_bar.set_message(label.clone()),
        SyncEvent::Page { pages, new, .. } => {
            sink_bar.set_message(format!("page {pages}, {new} new"))
        }
        SyncEvent::Finished(_) => sink_bar.inc(1),
    });
    let now = chrono::Local::now().fixed_offset();
    let done = runtime()?.block_on(actions::sync_round_at(
        db,
        secret_store,
        selection,
        &opts,
        events,
        now,
    ))?;
    bar.finish_and_clear();
    let reports = &done.round.sources;
    let failed = done.failed_sources();
    if a.json {
        print_json(&serde_json::json!({
            "sources": reports,
            "ok": failed == 0,
            "new": done.new_items(),
            "updated": reports.iter().map(|r| r.updated).sum::<u64>(),
            "removed": reports.iter().map(|r| r.removed).sum::<u64>(),
            "failed": failed,
            "new_alerts": done.round.new_alerts,
            "unread_alerts": done.round.unread_alerts,
            "replies": done.replies,
            "replies_error": done.replies_error,
        }))?;
    } else {
        if total == 0 {
            println!(
                "Nothing to sync: no platform is connected yet (imported files are not read \
                 again). Connect one with `earshot sources add`."
            );
        }
        reports.iter().for_each(print_report);
        print_round_extras(&done);
        if failed > 0 {
            eprintln!(
                "{failed} of {} sources failed; see `earshot sources list`.",
                reports.len()
            );
        }
    }
    // Exit 1 without another error message: the lines above said what failed.
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The sources `earshot sync` takes, how many will be synced, and this seat's secret store for
/// the database. The database is opened (and migrated, or refused) and the ids checked before
/// any request goes out.
fn selection(db: &DbLocation, a: &SyncArgs) -> Result<(Selection, usize, Arc<dyn SecretStore>)> {
    let store = super::open_db(db)?;
    let secrets: Arc<dyn SecretStore> = Arc::from(store.secrets()?);
    let syncable = |list: Vec<Source>| list.iter().filter(|s| sync::is_syncable(s)).count();
    Ok(if !a.sources.is_empty() {
        for id in &a.sources {
            store.source(*id)?;
        }
        (Selection::Ids(a.sources.clone()), a.sources.len(), secrets)
    } else if a.due {
        let due = store.due_sources(Utc::now().timestamp())?;
        (Selection::Due, syncable(due), secrets)
    } else {
        (Selection::All, syncable(store.sources()?), secrets)
    })
}

/// A progress bar on a terminal; hidden for `--json` and when standard error is not a terminal.
fn sync_progress(total: usize, json: bool) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(total as u64);
    b.set_style(
        ProgressStyle::with_template("Syncing [{bar:30}] {pos}/{len} sources  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    b.enable_steady_tick(std::time::Duration::from_millis(200));
    b
}

fn print_report(r: &SourceReport) {
    if r.status != "ok" {
        println!(
            "{:>4}  {}: {}",
            r.source_id,
            r.label,
            r.error.as_deref().unwrap_or("failed")
        );
        return;
    }
    let removed = if r.removed > 0 {
        format!(", {} removed", r.removed)
    } else {
        String::new()
    };
    let skipped = if r.skipped > 0 {
        format!(", {} unreadable entries skipped", r.skipped)
    } else {
        String::new()
    };
    let truncated = if r.truncated > 0 {
        format!(", {} over-long texts cut", r.truncated)
    } else {
        String::new()
    };
    let more = match (&r.limit, r.complete) {
        (Some(limit), _) => format!(" (stopped at {limit}; the rest continues on the next sync)"),
        (None, true) => String::new(),
        (None, false) => " (more to fetch: continues on the next sync)".to_string(),
    };
    println!(
        "{:>4}  {}: {} new, {} updated, {} unchanged{removed}{skipped}{truncated}{more}",
        r.source_id, r.label, r.new, r.updated, r.unchanged
    );
}

/// What the round did besides syncing: alerts raised, queued replies sent.
fn print_round_extras(done: &RoundReport) {
    let plural = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let raised = done.round.new_alerts.len();
    if raised > 0 {
        println!(
            "{raised} new alert{}; `earshot alerts` lists them.",
            plural(raised, "", "s")
        );
    }
    let (posted, failed) = (done.replies.posted.len(), done.replies.failed.len());
    if posted > 0 {
        println!("Posted {posted} queued repl{}.", plural(posted, "y", "ies"));
    }
    if failed > 0 {
        eprintln!(
            "{failed} queued repl{} could not be posted; `earshot reply post --review ID` says why.",
            plural(failed, "y", "ies")
        );
    }
    if let Some(e) = &done.replies_error {
        eprintln!("The queued replies were not sent: {e}");
    }
    let sent = done.channels.sent;
    if sent > 0 {
        println!(
            "Sent {sent} alert message{} to your channels.",
            plural(sent, "", "s")
        );
    }
    if done.channels.retrying + done.channels.failed > 0 {
        eprintln!(
            "Some alert messages could not be sent; `earshot alerts channels list` says why."
        );
    }
    if let Some(e) = &done.channels_error {
        eprintln!("The alert channels were not served: {e}");
    }
}

// ---------------------------------------------------------------------------------------------
// `sources auth`: the platform's sign-in (a browser consent with PKCE, a pasted code, or a typed
// login), shared with the app through `earshot::platforms::sign_in`.

fn auth(
    db: &Db,
    id: SourceId,
    no_browser: bool,
    timeout: u64,
    username: Option<String>,
) -> Result<ExitCode> {
    use std::io::Write;

    // On a team database the tokens go to this seat's keyring, named by the team database's
    // identity: the source id is the team's, and this seat is the one that syncs it.
    let secret_store = db.secrets()?;
    let platform = earshot::platforms::find(&db.source(id)?.connector);
    if platform.is_some_and(|p| p.signs_in_with_password()) {
        return password_auth(db, secret_store.as_ref(), id, username);
    }
    let sign_in = earshot::platforms::sign_in(db, secret_store.as_ref(), id)?;
    println!(
        "To let Earshot read and answer for {}, open this address in your browser, sign in with \
         the account that manages the business and allow access:\n\
         \n{}\n",
        sign_in.label, sign_in.consent_url
    );
    std::io::stdout().flush()?;
    if !no_browser {
        open_browser(&sign_in.consent_url);
    }
    let label = sign_in.label.clone();
    if sign_in.out_of_band() {
        eprint!("Paste the code the page shows, then press Enter: ");
        let mut code = String::new();
        std::io::stdin().read_line(&mut code)?;
        sign_in.finish_with_code(secret_store.as_ref(), &code)?;
    } else {
        eprintln!(
            "Waiting for the browser's answer on {} (Ctrl+C stops)…",
            sign_in.redirect
        );
        sign_in.finish(
            secret_store.as_ref(),
            std::time::Duration::from_secs(timeout.max(1)),
        )?;
    }
    println!(
        "Signed in: source {id} ({label}) can sync and post replies now — `earshot sync --source \
         {id}`. The sign-in is kept in {}, not in the database.",
        secret_store.describe()
    );
    Ok(ExitCode::SUCCESS)
}

/// A sign-in with the owner's login (Trustpilot's business user): typed once, for tokens Earshot
/// keeps; the password is never kept.
fn password_auth(
    store: &Db,
    secrets: &dyn earshot::secrets::SecretStore,
    id: SourceId,
    username: Option<String>,
) -> Result<ExitCode> {
    use std::io::{BufRead, Write};
    let line = |prompt: &str| -> Result<String> {
        eprint!("{prompt}");
        std::io::stderr().flush()?;
        let mut s = String::new();
        std::io::stdin().lock().read_line(&mut s)?;
        Ok(s.trim_end_matches(['\r', '\n']).to_string())
    };
    let username = match username {
        Some(u) => u,
        None => line("Login e-mail: ")?,
    };
    // EARSHOT_TRUSTPILOT_PASSWORD is the first name this took (scripts use it).
    let password = match std::env::var("EARSHOT_SIGN_IN_PASSWORD")
        .or_else(|_| std::env::var("EARSHOT_TRUSTPILOT_PASSWORD"))
    {
        Ok(p) if !p.is_empty() => p,
        _ => line("Password (sent to the platform once, never kept): ")?,
    };
    earshot::actions::sign_in_with_password(
        store,
        secrets,
        id,
        &username,
        &earshot::secrets::Secret::new(password),
    )?;
    println!(
        "Signed in: source {id} can post replies now. The tokens are kept in {} (renewed for 30 \
         days; sign in again after that), the password nowhere.",
        secrets.describe()
    );
    Ok(ExitCode::SUCCESS)
}

/// Opens the address in the default browser; failure is fine: the address is printed.
fn open_browser(url: &str) {
    use std::process::{Command, Stdio};
    let mut cmd = if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut c = Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler");
        c
    } else {
        Command::new("xdg-open")
    };
    let _ = cmd
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}
