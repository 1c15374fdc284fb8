//! Declares the app's own commands to Tauri's permission system, so each one must be granted in
//! `capabilities/default.json` like a plugin command (least privilege, STYLE.md §10). Without an app
//! manifest every app command would be callable by any webview.

const COMMANDS: &[&str] = &[
    "dashboard",
    "list_reviews",
    "load_demo",
    "choose_import_file",
    "import_file",
    "source_platforms",
    "list_sources",
    "add_source",
    "remove_source",
    "test_source",
    "sync_now",
    "google_sign_in",
    "count_reviews",
    "inbox_facets",
    "mark_read",
    "review_detail",
    "check_reply",
    "save_reply_draft",
    "fill_template",
    "post_reply",
    "copy_reply",
    "mark_replied",
    "list_alerts",
    "set_alert_state",
    "unread_alert_count",
    "settings_overview",
    "add_business",
    "save_reply_profile",
    "set_alert_rule",
    "set_notification_prefs",
    "save_template",
    "delete_template",
    "backup_now",
    "restore_backup",
    "export_reviews_csv",
    "export_dashboard_png",
    "ai_draft",
    "delete_reply",
    "edit_reply",
    "save_ai_settings",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
