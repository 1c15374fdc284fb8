//! The tray icon: Open (re)creates the window, Quit ends the app. With no tray host (a bare X
//! server in tests) the icon is invisible but harmless.

use std::sync::atomic::Ordering;

use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager};

use crate::{window, Quitting};

const OPEN: &str = "open";
const QUIT: &str = "quit";

pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, "Open Earshot", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;

    let mut tray = TrayIconBuilder::with_id("earshot")
        .tooltip("Earshot")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            OPEN => report(window::open(app)),
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
                report(window::open(tray.app_handle()));
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

fn report(r: tauri::Result<()>) {
    if let Err(e) = r {
        eprintln!("earshot-desktop: cannot open the window: {e}");
    }
}
