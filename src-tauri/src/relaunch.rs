//! Back to a lean tray after the window closes.
//!
//! Closing the window destroys the webview, which ends WebKit's web process, but two things stay:
//! WebKit's network process belongs to the web context, which lives as long as the process that
//! made it, and the WebKit and GTK code the app mapped stays resident. Measured on the 1M-review
//! benchmark database: 139.5 MB (PSS, all processes) in the tray after a close, against 59 MB for
//! the same app started in the tray, which never loads WebKit (issue 8: under 60 MB).
//!
//! So once the window has closed and no work is running, the app replaces itself with a start in
//! the tray: `exec` of its own executable with `--minimized` and the arguments it was started
//! with. The process id stays, WebKit's helper processes are ended first (nothing would reap them
//! after the exec), and the tray comes back as the new image starts. Nothing is lost: everything the app knows lives in the database
//! (sources, cursors, alerts, paused notifications), and the outbox and syncs are crash-safe by
//! design. Open builds the window again, as after any start in the tray.
//!
//! Work the window started (an import, a reply being posted, a backup) and background sync rounds
//! hold an [`Activity`] guard; the restart waits until none is held.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use crate::window;

/// The argument the login item and a restart in the tray start the app with: no window, only the
/// tray.
pub const MINIMIZED: &str = "--minimized";

/// How often a pending restart looks again whether the work is done and the window still closed.
/// The first look also waits this long, so a close followed at once by Open keeps the process.
const POLL: Duration = Duration::from_millis(750);

/// Set (to anything) to keep the process after a close, as before this module: for debugging
/// WebKit, or an owner who prefers it.
const KEEP_PROCESS_ENV: &str = "EARSHOT_KEEP_PROCESS";

/// Counts the work in flight that a restart must not cut short.
#[derive(Default)]
pub struct Activity {
    running: AtomicUsize,
    restart_pending: AtomicBool,
}

/// Held while a piece of work runs; dropping it ends the work.
pub struct Busy(Arc<Activity>);

impl Activity {
    pub fn begin(self: &Arc<Self>) -> Busy {
        self.running.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(self))
    }

    /// Activity that ends when released or after `limit`, whichever comes first.
    pub fn hold_at_most(self: &Arc<Self>, limit: Duration) -> Hold {
        let hold = Hold(Arc::new(Mutex::new(Some(self.begin()))));
        let expiry = hold.clone();
        std::thread::spawn(move || {
            std::thread::sleep(limit);
            expiry.release();
        });
        hold
    }

    fn idle(&self) -> bool {
        self.running.load(Ordering::SeqCst) == 0
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Activity that ends when released or after a time limit, whichever comes first: for waits
/// whose end may never be reported (a notification's click).
#[derive(Clone)]
pub struct Hold(Arc<Mutex<Option<Busy>>>);

impl Hold {
    pub fn release(&self) {
        if let Ok(mut busy) = self.0.lock() {
            busy.take();
        }
    }
}

/// Called when the last window has closed: restarts the app in the tray once `activity` (the
/// app's work in flight) is idle.
pub fn after_window_closed<R: Runtime>(app: &AppHandle<R>, activity: Arc<Activity>) {
    if !cfg!(unix) || std::env::var_os(KEEP_PROCESS_ENV).is_some() {
        return;
    }
    if activity.restart_pending.swap(true, Ordering::SeqCst) {
        return;
    }
    let app = app.clone();
    std::thread::spawn(move || loop {
        std::thread::sleep(POLL);
        if app.get_webview_window(window::MAIN).is_some() {
            // Opened again before the work finished: the process stays.
            activity.restart_pending.store(false, Ordering::SeqCst);
            return;
        }
        if activity.idle() {
            let on_main = app.clone();
            let held = Arc::clone(&activity);
            let scheduled = app.run_on_main_thread(move || {
                // Checked again where no command or tray action can start in between.
                if on_main.get_webview_window(window::MAIN).is_none() && held.idle() {
                    restart_in_tray();
                }
                held.restart_pending.store(false, Ordering::SeqCst);
            });
            if scheduled.is_err() {
                activity.restart_pending.store(false, Ordering::SeqCst);
            }
            return;
        }
    });
}

/// The arguments of a start in the tray: the ones this process was started with (the database
/// above all), with `--minimized` once.
fn tray_arguments(args: impl IntoIterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut kept: Vec<_> = args.into_iter().filter(|a| a != MINIMIZED).collect();
    kept.push(MINIMIZED.into());
    kept
}

/// Replaces this process with a start in the tray. Returns only when that fails (the executable
/// was removed by an upgrade, say), and then the app simply stays as it is.
fn restart_in_tray() {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let exe = match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => {
                eprintln!("earshot-desktop: staying in the tray as is: no executable path: {e}");
                return;
            }
        };
        let args = tray_arguments(std::env::args_os().skip(1));
        end_webkit_helpers();
        let mut command = std::process::Command::new(&exe);
        command.args(&args);
        // The environment of the first start, not this one's (window.rs set variables for
        // WebKit, which the new image sets again).
        window::restore_environment(&mut command, window::first_start_environment());
        let error = command.exec();
        eprintln!(
            "earshot-desktop: staying in the tray as is: cannot restart {}: {error}",
            exe.display()
        );
    }
}

/// How long a WebKit helper gets to end after SIGTERM before the restart goes ahead anyway.
#[cfg(unix)]
const HELPER_EXIT_WAIT: Duration = Duration::from_secs(2);

/// Ends WebKit's helper processes (the network process outlives the webview) and reaps them.
/// They are this process's children: after the exec nothing would reap them (GLib's child
/// watches go with the old image), and each would stay a zombie until Quit.
#[cfg(unix)]
fn end_webkit_helpers() {
    for pid in webkit_children(std::process::id()) {
        // SAFETY: plain syscalls on a pid this process spawned and has not reaped.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = std::time::Instant::now() + HELPER_EXIT_WAIT;
        loop {
            let mut status = 0;
            // 0: still running. The pid, or -1 once GLib's own watch has reaped it: gone.
            let reaped = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if reaped != 0 || std::time::Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The WebKit processes whose parent is `parent`, from /proc.
#[cfg(unix)]
fn webkit_children(parent: u32) -> Vec<libc::pid_t> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<libc::pid_t>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            parent_in_stat(&stat) == Some(parent)
                && String::from_utf8_lossy(&cmdline).contains("WebKit")
        })
        .collect()
}

/// The parent pid in a /proc/PID/stat line: the second field after the command, which is in
/// parentheses and may itself hold spaces and parentheses.
fn parent_in_stat(stat: &str) -> Option<u32> {
    let after_command = &stat[stat.rfind(')')? + 1..];
    after_command.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[std::ffi::OsString]) -> Vec<&str> {
        v.iter().map(|a| a.to_str().unwrap()).collect()
    }

    #[test]
    fn a_restart_keeps_the_database_and_adds_minimized_once() {
        let args = tray_arguments(["--db".into(), "/tmp/x.db".into()]);
        assert_eq!(strings(&args), ["--db", "/tmp/x.db", "--minimized"]);
        let again = tray_arguments(args);
        assert_eq!(strings(&again), ["--db", "/tmp/x.db", "--minimized"]);
    }

    #[test]
    fn the_parent_is_read_past_a_command_holding_parentheses() {
        let stat = "4242 (Web Content (x)) S 4100 4242 4100 0 -1 4194560";
        assert_eq!(parent_in_stat(stat), Some(4100));
        assert_eq!(parent_in_stat("garbage"), None);
    }

    #[test]
    fn work_in_flight_holds_the_restart() {
        let activity = Arc::new(Activity::default());
        assert!(activity.idle());
        let import = activity.begin();
        let sync = activity.begin();
        drop(import);
        assert!(!activity.idle());
        drop(sync);
        assert!(activity.idle());
    }

    #[test]
    fn a_hold_ends_when_released_or_when_its_time_is_up() {
        let activity = Arc::new(Activity::default());
        let clicked = activity.hold_at_most(Duration::from_secs(600));
        assert!(!activity.idle());
        clicked.release();
        clicked.release();
        assert!(activity.idle());
        let _never_closed = activity.hold_at_most(Duration::from_millis(10));
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !activity.idle() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(activity.idle());
    }
}
