//! The tray icon: Open (re)creates the window, Sync now, pausing notifications, Quit. Its
//! tooltip and label show how many alerts wait to be looked at. With no tray host (a bare X
//! server in tests) the icon is invisible but harmless.

use std::sync::atomic::Ordering;

use chrono::{Duration, Local, Utc};
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::events::OPEN_REVIEW;
use crate::state::{AppState, Background, LastNotified, Quitting, Request};
use crate::window;

const TRAY_ID: &str = "earshot";
const OPEN: &str = "open";
const SYNC_NOW: &str = "sync-now";
const PAUSE_HOUR: &str = "pause-hour";
const PAUSE_TOMORROW: &str = "pause-tomorrow";
const RESUME: &str = "resume";
const AT_LOGIN: &str = "start-at-login";
const QUIT: &str = "quit";

pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, "Open Earshot", true, None::<&str>)?;
    let sync_now = MenuItem::with_id(app, SYNC_NOW, "Sync now", true, None::<&str>)?;
    let pause_hour = MenuItem::with_id(
        app,
        PAUSE_HOUR,
        "Pause alerts for 1 hour",
        true,
        None::<&str>,
    )?;
    let pause_tomorrow = MenuItem::with_id(
        app,
        PAUSE_TOMORROW,
        "Pause alerts until tomorrow",
        true,
        None::<&str>,
    )?;
    let resume = MenuItem::with_id(app, RESUME, "Resume alerts", true, None::<&str>)?;
    let enabled = {
        use tauri_plugin_autostart::ManagerExt;
        app.autolaunch().is_enabled().unwrap_or(false)
    };
    let at_login =
        CheckMenuItem::with_id(app, AT_LOGIN, "Start at login", true, enabled, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let sep1 = PredefinedMenuItem::separator(app)?;
    let sep2 = PredefinedMenuItem::separator(app)?;
    let sep3 = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &sync_now,
            &sep1,
            &pause_hour,
            &pause_tomorrow,
            &resume,
            &sep2,
            &at_login,
            &sep3,
            &quit,
        ],
    )?;
    let at_login_item = at_login.clone();

    let mut tray = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Earshot")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(move |app, event| match event.id.as_ref() {
            OPEN => open_window(app),
            SYNC_NOW => app.state::<Background>().request(Request::SyncNow(None)),
            PAUSE_HOUR => pause(app, Some(Utc::now() + Duration::hours(1))),
            PAUSE_TOMORROW => pause(app, Some(tomorrow_morning())),
            RESUME => pause(app, None),
            AT_LOGIN => toggle_start_at_login(app, &at_login_item),
            QUIT => {
                // Marks the exit as chosen, so `RunEvent::ExitRequested` lets it through.
                app.state::<Quitting>().0.store(true, Ordering::SeqCst);
                app.exit(0);
            }
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            // A left click opens the window, as people expect from a tray icon.
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                open_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

fn open_window(app: &AppHandle) {
    if let Err(e) = window::open(app) {
        eprintln!("earshot-desktop: cannot open the window: {e}");
        return;
    }
    if let Some(review) = app.state::<LastNotified>().take() {
        let _ = app.emit(OPEN_REVIEW, review);
    }
}

/// Turns the login item on or off; the check mark shows what is really set afterwards.
fn toggle_start_at_login(app: &AppHandle, item: &CheckMenuItem<tauri::Wry>) {
    use tauri_plugin_autostart::ManagerExt;
    let auto = app.autolaunch();
    let result = match auto.is_enabled() {
        Ok(true) => auto.disable(),
        _ => auto.enable(),
    };
    if let Err(e) = result {
        eprintln!("earshot-desktop: cannot change start at login: {e}");
    }
    let _ = item.set_checked(auto.is_enabled().unwrap_or(false));
}

/// 8 in the morning tomorrow, local time.
fn tomorrow_morning() -> chrono::DateTime<Utc> {
    let tomorrow = Local::now().date_naive() + Duration::days(1);
    tomorrow
        .and_hms_opt(8, 0, 0)
        .and_then(|t| t.and_local_timezone(Local).earliest())
        .map_or_else(
            || Utc::now() + Duration::hours(12),
            |t| t.with_timezone(&Utc),
        )
}

/// Pauses notifications until `until`, or resumes them (`None`); alerts keep being raised and
/// shown in the app, only the pop-ups wait. The owner's notifications, even while the demo is open.
fn pause(app: &AppHandle, until: Option<chrono::DateTime<Utc>>) {
    let db = app.state::<AppState>().owner_db().to_path_buf();
    let result = earshot::store::Store::open(&db)
        .map_err(earshot::alerts::AlertError::from)
        .and_then(|store| {
            let mut prefs = earshot::alerts::notification_prefs(&store)?;
            prefs.paused_until = until;
            earshot::alerts::set_notification_prefs(&store, &prefs)
        });
    match result {
        Ok(()) => app.state::<Background>().request(Request::Replan),
        Err(e) => eprintln!("earshot-desktop: cannot pause alerts: {e}"),
    }
}

/// Shows the number of unread alerts on the tray (tooltip everywhere, a label where the tray
/// host shows one).
pub fn show_unread<R: Runtime>(app: &AppHandle<R>, unread: i64) {
    crate::notify::tray_unread(unread);
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let (tooltip, title) = match unread {
        0 => ("Earshot — nothing new".to_string(), None),
        1 => ("Earshot — 1 new alert".to_string(), Some("1".to_string())),
        n => (format!("Earshot — {n} new alerts"), Some(n.to_string())),
    };
    let _ = tray.set_tooltip(Some(tooltip));
    let _ = tray.set_title(title);
}
