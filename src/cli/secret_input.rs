//! Secrets typed or piped in, never given as arguments: an argument is visible to every local
//! user in the process list (`/proc/PID/cmdline`) and stays in the shell's history (issue 33).
//!
//! With standard input a pipe or a file, each secret is one line of it, in the order asked; on a
//! terminal the owner is prompted with echo off. Echo is turned off with termios directly (libc
//! is already a dependency of the secrets file) rather than the `rpassword` crate or an `stty`
//! child process: a few lines, no new dependency, and nothing else to find on PATH.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{bail, Context, Result};
use earshot::secrets::Secret;

/// Reads the secret `what` (the setting's name, for the prompt and errors): a line of standard
/// input when it is not a terminal, else typed at a prompt that does not echo.
pub fn read_secret(what: &str) -> Result<Secret> {
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        eprint!("{what} (not shown): ");
        std::io::stderr().flush().ok();
        let line = without_echo(|| read_line(&stdin));
        eprintln!();
        line?
    } else {
        read_line(&stdin)?
    };
    let value = line.trim_end_matches(['\r', '\n']);
    if value.trim().is_empty() {
        bail!("no value was given for {what} on standard input");
    }
    Ok(Secret::new(value))
}

fn read_line(stdin: &std::io::Stdin) -> Result<String> {
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading a secret from standard input")?;
    Ok(line)
}

/// Runs `f` with the terminal's echo off, and turns it back on whatever `f` returns.
#[cfg(unix)]
fn without_echo<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    // SAFETY: termios is plain data; tcgetattr fills it for fd 0, which is a terminal here.
    let mut term: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut term) } != 0 {
        bail!("cannot hide what is typed here; pipe the secret in on standard input instead");
    }
    let saved = term;
    term.c_lflag &= !libc::ECHO;
    term.c_lflag |= libc::ECHONL;
    // SAFETY: the same fd and a termios tcgetattr filled.
    if unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &term) } != 0 {
        bail!("cannot hide what is typed here; pipe the secret in on standard input instead");
    }
    let out = f();
    // SAFETY: as above; restores what the terminal had.
    unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &saved) };
    out
}

#[cfg(not(unix))]
fn without_echo<T>(_f: impl FnOnce() -> Result<T>) -> Result<T> {
    bail!("cannot hide what is typed here; pipe the secret in on standard input instead")
}
