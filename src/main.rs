//! The `earshot` command-line tool: the same core as the desktop app, scriptable and headless.

mod cli;

fn main() -> std::process::ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            // `{:#}` prints the whole chain of context on one line: what failed and why.
            eprintln!("earshot: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
