//! Earshot's desktop shell: a Tauri 2 window over the `earshot` core.
//!
//! This crate holds no business logic (STYLE.md §1): `commands.rs` turns IPC calls into core calls,
//! `tray.rs` and `window.rs` manage the tray and the window, `notify.rs` sends the shell's own
//! notifications. The app lives in the tray: closing the window destroys the webview to free its
//! memory, then `relaunch.rs` restarts the app in the tray to free the rest of WebKit's; only the
//! tray's Quit ends the app.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod alerts;
mod appearance;
mod background;
mod channels;
mod commands;
mod error;
mod events;
mod notify;
mod relaunch;
mod replies;
mod report;
mod requests;
mod settings;
mod sources;
mod state;
mod team;
#[cfg(test)]
mod team_tests;
mod topics;
mod tray;
mod win_back;
mod window;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;

use tauri::{Manager, RunEvent};

use relaunch::MINIMIZED;
use state::{AppState, LastNotified, Quitting};

fn main() {
    window::prefer_light_webkit();
    limit_malloc_arenas();
    if let Err(e) = run() {
        // `{:#}` prints the chain of causes on one line.
        eprintln!("earshot-desktop: {e:#}");
        std::process::exit(1);
    }
}

/// glibc gives each thread that allocates its own malloc arena, up to eight per core, and an
/// arena keeps the memory it once held. The app's threads (tokio's workers, GTK's, the background
/// worker's) allocate little and rarely at once; two arenas cost them nothing and left the app's
/// own memory ~1.5 MB smaller with the window open (PSS, 1M-review benchmark database).
/// Before any thread exists, like `prefer_light_webkit`.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of glibc's allocator; called before any other thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// The database: `--db PATH` (as the CLI takes it; tests pass it through tauri-driver), else
/// `EARSHOT_DB`, else the OS data directory.
fn db_path_from_args() -> anyhow::Result<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--db" {
            let path = args.next().context("--db needs a path")?;
            return Ok(PathBuf::from(path));
        }
        if let Some(path) = arg.to_str().and_then(|a| a.strip_prefix("--db=")) {
            return Ok(PathBuf::from(path));
        }
    }
    Ok(earshot::store::default_db_path())
}

/// The app's state at start: on the team database `--db` or `EARSHOT_DB` names, else on the one
/// this seat chose in Settings → Team database (kept beside its file, the password in the
/// password store), else on the file. A chosen team database whose password cannot be read
/// leaves the app on its file, saying why on the terminal.
fn state_at_start(db_path: PathBuf) -> AppState {
    match earshot::store::DbLocation::parse(&db_path) {
        earshot::store::DbLocation::Postgres(url) => AppState::on_team_database(
            earshot::actions::team_seat::seat_file(),
            state::TeamDatabase {
                url,
                from_start: true,
            },
        ),
        earshot::store::DbLocation::File(path) => {
            match earshot::actions::team_seat::chosen_url(&path, team::passwords().as_ref()) {
                Ok(Some(url)) => AppState::on_team_database(
                    path,
                    state::TeamDatabase {
                        url,
                        from_start: false,
                    },
                ),
                Ok(None) => AppState::new(path),
                Err(e) => {
                    eprintln!("earshot-desktop: opening this computer's database: {e}");
                    AppState::new(path)
                }
            }
        }
    }
}

fn run() -> anyhow::Result<()> {
    let state = state_at_start(db_path_from_args()?);
    let team_url = state.team_database().map(|t| t.url);
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        // Started at login with --minimized: the app lives in the tray until opened.
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![MINIMIZED]),
        ))
        .manage(state)
        .manage(team::TeamLink::default())
        .manage(Quitting(AtomicBool::new(false)))
        .manage(sources::PendingSignIns::default())
        .invoke_handler(tauri::generate_handler![
            commands::dashboard,
            commands::pending_upgrade,
            commands::list_reviews,
            commands::load_demo,
            commands::leave_demo,
            commands::demo_state,
            commands::choose_import_file,
            commands::open_link,
            commands::import_file,
            commands::preview_import,
            commands::save_import_template,
            sources::source_platforms,
            sources::list_sources,
            sources::add_source,
            sources::remove_source,
            sources::confirm_source,
            sources::test_source,
            sources::sync_now,
            sources::google_sign_in,
            sources::sign_in_with_code,
            sources::sign_in_with_password,
            commands::count_reviews,
            commands::inbox_facets,
            commands::mark_read,
            replies::review_detail,
            replies::check_reply,
            replies::save_reply_draft,
            replies::fill_template,
            replies::post_reply,
            replies::copy_reply,
            replies::mark_replied,
            replies::ai_draft,
            replies::delete_reply,
            replies::edit_reply,
            alerts::list_alerts,
            alerts::set_alert_state,
            alerts::unread_alert_count,
            settings::settings_overview,
            settings::add_business,
            settings::save_reply_profile,
            settings::set_alert_rule,
            settings::set_notification_prefs,
            settings::save_template,
            settings::delete_template,
            settings::backup_now,
            settings::restore_backup,
            settings::export_reviews_csv,
            settings::watcher_status,
            settings::install_watcher,
            settings::uninstall_watcher,
            team::team_database,
            team::save_team_database,
            team::test_team_database,
            team::use_team_database,
            report::export_dashboard_png,
            settings::save_ai_settings,
            settings::ui_prefs,
            settings::set_ui_prefs,
            channels::list_alert_channels,
            channels::add_alert_channel,
            channels::test_alert_channel,
            channels::remove_alert_channel,
            channels::confirm_alert_channel,
            win_back::replies_effect,
            win_back::follow_up,
            win_back::follow_up_status,
            topics::list_topics,
            topics::save_topic,
            topics::remove_topic,
            requests::requests_overview,
            requests::set_request_link,
            requests::request_qr_preview,
            requests::save_request_card,
            requests::choose_customers_file,
            requests::import_customers,
            requests::send_review_requests,
            requests::set_request_settings,
        ])
        .setup(move |app| {
            // Background sync runs unless EARSHOT_NO_AUTO_SYNC is set (the smoke test's fixed
            // databases); Sync now works either way.
            let auto = std::env::var_os("EARSHOT_NO_AUTO_SYNC").is_none();
            let worker = background::start(app.handle(), auto);
            app.manage(worker);
            app.manage(LastNotified::default());
            if let Some(url) = team_url.clone() {
                app.state::<team::TeamLink>().start(app.handle(), url);
            }
            tray::install(app.handle())?;
            #[cfg(target_os = "linux")]
            appearance::watch(app.handle());
            // The window is not created from the config (`"create": false`) but here, so a
            // start in the tray (--minimized, at login) never starts WebKit at all: no web or
            // network process, and none of WebKit's memory in the app's own process.
            if !std::env::args().any(|a| a == MINIMIZED) {
                window::open(app.handle())?;
            }
            Ok(())
        })
        .build(tauri::generate_context!())?;

    app.run(|app, event| {
        if let RunEvent::ExitRequested { code, api, .. } = event {
            // `code` is None when the last window closed; Some when `exit()` was called.
            let chosen = app.state::<Quitting>().0.load(Ordering::SeqCst);
            if code.is_none() && !chosen {
                api.prevent_exit();
                let activity = Arc::clone(&app.state::<AppState>().activity);
                relaunch::after_window_closed(app, activity);
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    /// A command the window calls must be in build.rs's list (which makes its permission) and
    /// allowed by the capability, or Tauri refuses the call in the real app while every test
    /// of the command itself passes: the in-app sign-ins of issue 25 shipped that way once.
    #[test]
    fn every_command_is_declared_and_allowed() {
        let main = include_str!("main.rs");
        let build = include_str!("../build.rs");
        let caps = include_str!("../capabilities/default.json");
        let start = main.find("generate_handler![").expect("the handler list") + 17;
        let end = start + main[start..].find(']').expect("its end");
        let names: Vec<&str> = main[start..end]
            .split(',')
            .filter_map(|item| item.trim().rsplit("::").next())
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .collect();
        assert!(names.len() > 20, "{names:?}");
        for name in names {
            assert!(
                build.contains(&format!("\"{name}\"")),
                "{name} is not in build.rs's COMMANDS"
            );
            let allowed = format!("\"allow-{}\"", name.replace('_', "-"));
            assert!(
                caps.contains(&allowed),
                "{allowed} is not in the capability"
            );
        }
    }
}
