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
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
