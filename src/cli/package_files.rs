//! `earshot package-files --out DIR` (hidden): what the Linux package ships beside the binaries,
//! made from this build's own definitions so none of it can drift: the man pages and the bash,
//! zsh and fish completions from the clap command line, and the systemd user unit from the one
//! `earshot service install` writes. `packaging/build.sh` runs it on the release binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use earshot::actions::service;

#[derive(Args, Debug)]
pub struct PackageFilesArgs {
    /// The folder to write into (`man1/`, `completions/`, `systemd/` are made in it).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: PackageFilesArgs) -> Result<ExitCode> {
    let man = args.out.join("man1");
    let completions = args.out.join("completions");
    let systemd = args.out.join("systemd");
    for dir in [&man, &completions, &systemd] {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // One page per subcommand (`earshot-import.1`, …, as git's are; hidden ones are left out),
    // then `earshot.1` again with the sections an owner looks for: where the data lives, and
    // what the environment changes.
    clap_mangen::generate_to(super::Cli::command(), &man)
        .with_context(|| format!("writing the man pages into {}", man.display()))?;
    write_main_page(&man.join("earshot.1"))?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut shipped_command(), "earshot", &completions)
            .with_context(|| format!("writing the {shell} completions"))?;
    }
    write(
        &systemd.join(service::UNIT_NAME),
        &service::packaged_unit_text(),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The command line as an owner types it: without the hidden subcommands (this one), which
/// clap_mangen leaves out by itself but clap_complete's bash script would offer.
fn shipped_command() -> clap::Command {
    let full = super::Cli::command();
    clap::Command::new("earshot")
        .version(env!("CARGO_PKG_VERSION"))
        .about(full.get_about().cloned().unwrap_or_default())
        .subcommand_required(true)
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|c| !c.is_hide_set()).cloned())
}

/// `earshot(1)`: clap's sections, plus FILES and ENVIRONMENT.
fn write_main_page(path: &Path) -> Result<()> {
    use clap_mangen::roff::{bold, roman, Roff};
    let man = clap_mangen::Man::new(super::Cli::command());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    let mut extra = Roff::default();
    extra.control("SH", ["FILES"]);
    for (file, what) in FILES {
        extra.control("TP", []);
        extra.text([bold(*file)]);
        extra.text([roman(*what)]);
    }
    extra.control("SH", ["ENVIRONMENT"]);
    for (var, what) in ENVIRONMENT {
        extra.control("TP", []);
        extra.text([bold(*var)]);
        extra.text([roman(*what)]);
    }
    extra.control("SH", ["SEE ALSO"]);
    extra.text([roman(
        "earshot-import(1), earshot-sources(1), earshot-watch(1), earshot-service(1), \
         systemctl(1)",
    )]);
    extra.to_writer(&mut page)?;
    man.render_version_section(&mut page)?;
    fs::write(path, page).with_context(|| format!("writing {}", path.display()))
}

const FILES: &[(&str, &str)] = &[
    (
        "~/.local/share/earshot/earshot.db",
        "The database (under $XDG_DATA_HOME when set), with its backups in backups/ beside it. \
         Removing or upgrading the package leaves it where it is.",
    ),
    (
        "~/.local/share/earshot/earshot.demo.db",
        "The demo the app opens beside your own database.",
    ),
    (
        "/usr/lib/systemd/user/earshot-watch.service",
        "The background watcher, shipped but not enabled; `earshot service install` turns it on \
         (writing ~/.config/systemd/user/earshot-watch.service).",
    ),
];

const ENVIRONMENT: &[(&str, &str)] = &[
    ("EARSHOT_DB", "The database to open when --db is not given."),
    (
        "EARSHOT_SECRETS_FILE",
        "Keep sign-ins and keys in this file (readable by you alone) where the system keyring \
         is not available.",
    ),
];

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
