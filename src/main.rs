//! The `earshot` command-line tool: the same core as the desktop app, scriptable and headless.

mod cli;

/// mimalloc instead of glibc's malloc for the command-line tool. An import's rows are parsed on
/// one thread, analysed on others and freed on the reader again: with glibc, malloc and free were
/// about half of the file reader's time, and the two cores the import shares had none to spare
/// (issue 8). The desktop app keeps the system allocator: its window's memory is a target of its
/// own, and mimalloc holds on to freed memory longer.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
