//! Command-line parsing and dispatch. Each subcommand lives in its own file and calls the core;
//! text goes to stdout for people, `--json` goes to stdout alone for scripts, errors to stderr.

mod alerts;
mod backup;
mod businesses;
mod channels;
mod export;
mod import;
mod insights;
mod migrate;
mod output;
mod package_files;
mod replies;
mod reply;
mod report;
mod requests;
mod reviews;
mod secret_input;
mod sources;
mod team;
mod topics;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use earshot::store::{default_db_path, Db, DbLocation, SlowUpgrade, Store};

#[derive(Parser, Debug)]
#[command(
    name = "earshot",
    version,
    about = "Keep your business within earshot of what customers say online"
)]
pub struct Cli {
    /// The database file (default: the OS data directory, or $EARSHOT_DB), or a team's
    /// PostgreSQL database as a `postgresql://` URL.
    #[arg(long, global = true, value_name = "PATH|URL")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Your business and the competitors you watch.
    #[command(subcommand)]
    Businesses(businesses::BusinessesCmd),
    /// Import reviews from a CSV or JSON Lines file.
    Import(import::ImportArgs),
    /// Export reviews as CSV (`--csv PATH`), in the columns `import` reads.
    Export(export::ExportArgs),
    /// The dashboard as a picture: `--png PATH` (1280 px wide) and/or `--svg PATH`.
    Report(report::ReportArgs),
    /// List reviews and mentions, newest first.
    Reviews(reviews::ReviewsArgs),
    /// Headline figures of a business.
    Stats(reviews::StatsArgs),
    /// Load a demo café and its competitor with three years of reviews.
    Demo(reviews::DemoArgs),
    /// Figures by day, week or month: volume, rating, sentiment, replies.
    Trends(insights::TrendsArgs),
    /// What customers talk about, and which complaints are rising; `topics add|edit|list|remove`
    /// for topics of your own.
    Topics(topics::TopicsArgs),
    /// Your business beside competitors on the same periods.
    Compare(insights::CompareArgs),
    /// Where the rating is heading, and the five-star reviews it takes to reach a target.
    Project(insights::ProjectArgs),
    /// Score the sentiment of a text.
    Sentiment(insights::SentimentArgs),
    /// Back up the database now (kept: 7 daily, 4 weekly), or list backups.
    Backup(backup::BackupArgs),
    /// Replace the database with a backup, after checking the backup.
    Restore(backup::RestoreArgs),
    /// Alerts about negative reviews, spikes and rating drops; `alerts check` raises them.
    Alerts(alerts::AlertsArgs),
    /// Check, draft, save and post replies; copy and mark replied where there is no reply API.
    Reply(reply::ReplyArgs),
    /// What your replies achieve (`effect`), and asking customers to update their review
    /// (`follow-up`, `follow-ups`).
    Replies(replies::RepliesArgs),
    /// Ask customers for reviews, fairly: links, QR codes and cards, the customer list, send,
    /// what followed.
    Requests(requests::RequestsArgs),
    /// Connected platforms: add, list, test, remove.
    Sources(sources::SourcesArgs),
    /// Fetch new reviews and mentions from every source now (or `--source ID`).
    Sync(sources::SyncArgs),
    /// Run the app's rounds without a window until stopped: sync on schedule, raise alerts,
    /// send them to your channels, post queued replies.
    Watch(watch::WatchArgs),
    /// Run `earshot watch` in the background as a systemd user service: install, uninstall,
    /// status.
    Service(watch::ServiceArgs),
    /// The people of a team database: init, invite, members, remove, role, listen.
    Team(team::TeamArgs),
    /// Hand a review to a person of the team: `earshot assign ID --to NAME`.
    Assign(team::AssignArgs),
    /// Copy this database file into a team database (`--to postgresql://…`), or a team
    /// database into a new file (`--to FILE`), and check the copy.
    Migrate(migrate::MigrateArgs),
    /// Writes the man pages, shell completions and systemd unit the Linux package ships.
    #[command(hide = true)]
    PackageFiles(package_files::PackageFilesArgs),
}

/// Opens the store; a damaged database is reported with the newest good backup to restore.
fn open_store(path: &std::path::Path) -> Result<Store> {
    announce_slow_upgrade(path);
    match Store::open(path) {
        Ok(s) => Ok(s),
        Err(e @ earshot::store::StoreError::NotADatabase { .. }) => {
            let hint = match earshot::backup::newest_good(path) {
                Some(b) => format!(
                    "the newest good backup is from {}; restore it with `earshot restore {}`",
                    b.date,
                    b.path.display()
                ),
                None => "no backup was found beside it".to_string(),
            };
            Err(anyhow::anyhow!("{e}; {hint}"))
        }
        Err(e) => Err(e).with_context(|| format!("opening {}", path.display())),
    }
}

/// Says on a terminal that opening the database will first upgrade every review, once, so a
/// wait of seconds at a million reviews does not look like a hang.
fn announce_slow_upgrade(path: &std::path::Path) {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return;
    }
    if let Some(u) = Store::slow_upgrade(path).filter(SlowUpgrade::worth_announcing) {
        eprintln!(
            "Upgrading {} for this version of Earshot ({} reviews, schema {} to {}): once, a few \
             seconds a million reviews…",
            path.display(),
            u.reviews,
            u.from_version,
            u.to_version
        );
    }
}

/// Opens the database at `--db` or `EARSHOT_DB` of either kind (a file, or a team's
/// `postgresql://` URL).
fn open_db(location: &DbLocation) -> Result<Db> {
    match location {
        DbLocation::File(path) => Ok(Db::Sqlite(open_store(path)?)),
        DbLocation::Postgres(url) => Db::open(location).with_context(|| {
            format!(
                "opening the team database {}",
                earshot::store::postgres::redacted(url)
            )
        }),
    }
}

pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    let path = cli.db.clone().unwrap_or_else(default_db_path);
    let location = DbLocation::parse(&path);
    // Every command works on either store: each opens a `Db` (or takes the location, where it
    // opens the database itself).
    let open_any = || open_db(&location);
    match cli.command {
        Command::Businesses(cmd) => businesses::run(&open_any()?, cmd),
        Command::Import(args) => import::run(&mut open_any()?, args),
        Command::Export(args) => export::run(&open_any()?, args),
        Command::Report(args) => report::run(&open_any()?, args),
        Command::Reviews(args) => reviews::list(&open_any()?, args),
        Command::Stats(args) => reviews::stats(&open_any()?, args),
        Command::Demo(args) => reviews::demo(&mut open_any()?, args),
        Command::Trends(args) => insights::trends(&open_any()?, args),
        Command::Topics(args) => topics::run(&mut open_any()?, args),
        Command::Compare(args) => insights::compare(&open_any()?, args),
        Command::Project(args) => insights::project(&open_any()?, args),
        Command::Sentiment(args) => insights::sentiment(args),
        Command::Backup(args) => backup::backup_any(&location, args),
        Command::Restore(args) => backup::restore_any(&location, args),
        Command::Alerts(args) => alerts::run(&mut open_any()?, args),
        Command::Reply(args) => reply::run(&open_any()?, args),
        Command::Replies(args) => replies::run(&mut open_any()?, args),
        Command::Requests(args) => requests::run(&open_any()?, args),
        Command::Sources(args) => sources::run(&location, args),
        Command::Sync(args) => sources::sync_cmd(&location, args),
        Command::Watch(args) => watch::watch(&location, args),
        Command::Service(args) => watch::service(&location, args),
        Command::Team(args) => team::run(&open_any()?, args),
        Command::Assign(args) => team::assign(&open_any()?, args),
        Command::Migrate(args) => migrate::run(&location, args),
        Command::PackageFiles(args) => package_files::run(args),
    }
}
