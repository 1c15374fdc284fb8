//! `earshot watch` (the app's rounds on schedule, without a window, until SIGTERM or Ctrl-C) and
//! `earshot service install|uninstall|status` (the watcher as a systemd user service). Both only
//! convert arguments and print: the schedule is `earshot::actions::watch`, the unit
//! `earshot::actions::service`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use earshot::actions::{
    self, service, sync::RoundOptions, team_service, RoundReport, WatchOptions,
};
use earshot::platforms::http::HttpConfig;
use earshot::secrets::SecretStore;
use earshot::store::DbLocation;
use earshot::sync::SyncOptions;

use super::output::print_json;

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// Run one round and exit.
    #[arg(long)]
    once: bool,
    /// Sync every source at least this often, in seconds, instead of each source's own schedule
    /// (a platform's pause and the wait after failures still hold).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    interval: Option<u64>,
    /// One JSON line per round on stdout, nothing else.
    #[arg(long)]
    json: bool,
    /// Seconds to wait for each request.
    #[arg(long, default_value_t = 20)]
    timeout: u64,
}

#[derive(Args, Debug)]
pub struct ServiceArgs {
    #[command(subcommand)]
    command: ServiceCmd,
}

#[derive(Subcommand, Debug)]
enum ServiceCmd {
    /// Run `earshot watch` as a systemd user service (started now and at every login).
    Install {
        #[arg(long)]
        json: bool,
    },
    /// Stop the service and remove it.
    Uninstall {
        #[arg(long)]
        json: bool,
    },
    /// Whether the service is installed and running.
    Status {
        #[arg(long)]
        json: bool,
    },
}

/// `earshot watch`, on a database file or a team's (`--db postgresql://…`: this seat's keyring
/// holds the keys and passwords it sends with).
pub fn watch(location: &DbLocation, a: WatchArgs) -> Result<ExitCode> {
    // A team database named without a password (the unit `service install` writes) is opened
    // with the one this seat keeps for it, where the app keeps it.
    let location = &match location {
        DbLocation::Postgres(url) => DbLocation::Postgres(team_service::with_saved_password(
            url,
            team_service::team_passwords().as_ref(),
        )),
        file => file.clone(),
    };
    // The database is opened (and migrated, or refused) before the first round, so a wrong
    // path fails at once rather than in every round.
    let opened = super::open_db(location)?;
    let secrets: Arc<dyn SecretStore> = Arc::from(opened.secrets()?);
    let shown = opened.location();
    drop(opened);
    let opts = WatchOptions {
        round: RoundOptions {
            sync: SyncOptions {
                http: HttpConfig {
                    timeout: Duration::from_secs(a.timeout.max(1)),
                    ..HttpConfig::default()
                },
                ..SyncOptions::default()
            },
            env_tokens: true,
            ..RoundOptions::default()
        },
        interval: a.interval.map(Duration::from_secs),
        once: a.once,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let json = a.json;
    if !json {
        let every = match opts.interval {
            Some(d) => format!("syncing every source every {} s", d.as_secs()),
            None => "syncing each source on its own schedule".to_string(),
        };
        if !a.once {
            eprintln!("Watching {shown} ({every}); Ctrl-C stops.");
        }
    }
    let mut failed_rounds = 0u64;
    let mut last_failed = false;
    let on_round = |done: actions::Result<RoundReport>| {
        let at = earshot::model::rfc3339(&chrono::Utc::now());
        match done {
            Ok(r) => {
                last_failed = r.failed_sources() > 0;
                if json {
                    print_line(&round_line(&at, &r));
                } else {
                    print_round(&at, &r);
                }
            }
            Err(e) => {
                failed_rounds += 1;
                last_failed = true;
                if json {
                    print_line(&serde_json::json!({
                        "at": at, "ok": false, "error": e.to_string(), "error_code": e.code(),
                    }));
                } else {
                    eprintln!("{at}  the round failed: {e}");
                }
            }
        }
    };
    let rounds = runtime.block_on(actions::watch::watch_at(
        location,
        secrets,
        &opts,
        on_round,
        stop_signal(),
    ));
    if !json && !a.once {
        eprintln!(
            "Stopped after {rounds} round{}.",
            if rounds == 1 { "" } else { "s" }
        );
    }
    // `--once` says by its exit status whether the round went well, as `earshot sync` does; a
    // watcher stopped by a signal ends well whatever its last round did.
    Ok(if a.once && (last_failed || failed_rounds > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Resolves on SIGTERM (systemd's stop) or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            // Without handlers the default action (ending the process) still stops it.
            _ => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// One round as one compact JSON line.
fn round_line(at: &str, r: &RoundReport) -> serde_json::Value {
    serde_json::json!({
        "at": at,
        "ok": r.failed_sources() == 0,
        "sources": r.round.sources,
        "new": r.new_items(),
        "updated": r.round.sources.iter().map(|s| s.updated).sum::<u64>(),
        "removed": r.round.sources.iter().map(|s| s.removed).sum::<u64>(),
        "failed": r.failed_sources(),
        "new_alerts": r.round.new_alerts,
        "unread_alerts": r.round.unread_alerts,
        "channels": r.channels,
        "channels_error": r.channels_error,
        "replies": r.replies,
        "replies_error": r.replies_error,
    })
}

fn print_line(v: &serde_json::Value) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    // A closed stdout (the reader went away) must not stop the watcher.
    let _ = writeln!(out, "{v}");
    let _ = out.flush();
}

/// A line per round for a person: only what happened.
fn print_round(at: &str, r: &RoundReport) {
    let synced = r
        .round
        .sources
        .iter()
        .filter(|s| s.status != "busy")
        .count();
    let mut parts = vec![format!(
        "{synced} source{} synced",
        if synced == 1 { "" } else { "s" }
    )];
    let (new, changed) = (r.new_items(), r.changed_items());
    if new + changed > 0 {
        parts.push(format!("{new} new, {changed} changed"));
    }
    if !r.round.new_alerts.is_empty() {
        parts.push(format!("{} new alerts", r.round.new_alerts.len()));
    }
    if r.channels.sent > 0 {
        parts.push(format!("{} alert messages sent", r.channels.sent));
    }
    if !r.replies.posted.is_empty() {
        parts.push(format!("{} queued replies posted", r.replies.posted.len()));
    }
    println!("{at}  {}", parts.join(", "));
    for s in r.round.sources.iter().filter(|s| s.status == "error") {
        eprintln!(
            "{at}  {}: {}",
            s.label,
            s.error.as_deref().unwrap_or("failed")
        );
    }
    if let Some(e) = &r.channels_error {
        eprintln!("{at}  the alert channels were not served: {e}");
    }
    if let Some(e) = &r.replies_error {
        eprintln!("{at}  the queued replies were not sent: {e}");
    }
}

/// `earshot service …` on either store: on a team database the unit runs the watcher of the
/// team database, named without its password (`actions::team_service`).
pub fn service(location: &DbLocation, a: ServiceArgs) -> Result<ExitCode> {
    let (status, json) = match (a.command, location) {
        (ServiceCmd::Install { json }, DbLocation::File(db)) => (install_file_watcher(db)?, json),
        (ServiceCmd::Install { json }, DbLocation::Postgres(url)) => {
            let passwords = team_service::team_passwords();
            let done = team_service::install_team_watcher(url, passwords.as_ref())
                .map_err(|e| anyhow::anyhow!(e))?;
            (done, json)
        }
        (ServiceCmd::Uninstall { json }, _) => (service::uninstall()?, json),
        (ServiceCmd::Status { json }, _) => (service::status(), json),
    };
    print_status(status, json)
}

fn install_file_watcher(db: &Path) -> Result<service::ServiceStatus> {
    Ok(service::install_watcher(db)?)
}

fn print_status(status: service::ServiceStatus, json: bool) -> Result<ExitCode> {
    if json {
        print_json(&status)?;
        return Ok(ExitCode::SUCCESS);
    }
    let unit = status.unit_path.as_deref().unwrap_or(service::UNIT_NAME);
    match (status.installed, status.running) {
        (true, Some(true)) => println!("The background watcher is installed ({unit}) and running."),
        (true, Some(false)) => {
            println!("The background watcher is installed ({unit}) but not running.")
        }
        (true, None) => println!("The background watcher's unit is written ({unit})."),
        (false, _) => println!("No background watcher is installed."),
    }
    if let Some(advice) = &status.advice {
        println!("{advice}");
    }
    Ok(ExitCode::SUCCESS)
}
