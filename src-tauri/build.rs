//! Declares the app's own commands to Tauri's permission system, so each one must be granted in
//! `capabilities/default.json` like a plugin command (least privilege, STYLE.md §10). Without an app
//! manifest every app command would be callable by any webview.

const COMMANDS: &[&str] = &[
    "dashboard",
    "pending_upgrade",
    "list_reviews",
    "load_demo",
    "leave_demo",
    "demo_state",
    "choose_import_file",
    "open_link",
    "import_file",
    "preview_import",
    "save_import_template",
    "source_platforms",
    "list_sources",
    "add_source",
    "remove_source",
    "confirm_source",
    "test_source",
    "sync_now",
    "google_sign_in",
    "sign_in_with_code",
    "sign_in_with_password",
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
    "list_alert_channels",
    "add_alert_channel",
    "test_alert_channel",
    "remove_alert_channel",
    "watcher_status",
    "install_watcher",
    "uninstall_watcher",
    "team_database",
    "save_team_database",
    "test_team_database",
    "use_team_database",
    "confirm_alert_channel",
    "ui_prefs",
    "set_ui_prefs",
    "replies_effect",
    "follow_up",
    "follow_up_status",
    "list_topics",
    "save_topic",
    "remove_topic",
    "requests_overview",
    "set_request_link",
    "request_qr_preview",
    "save_request_card",
    "choose_customers_file",
    "import_customers",
    "send_review_requests",
    "set_request_settings",
];

/// The speech libraries WebKitGTK links that get a stand-in (speech/standin.c), each with the
/// voice it claims to be (`None`: it exports nothing). Measured in each of the app's three
/// processes (the app, WebKit's web and network processes) with the 1M-review dashboard open,
/// PSS: time_awb 1.2 MB, the grapheme lexicon 1.1, rms 1.0, slt 0.9, awb 0.9; almost all of it
/// tables the loader relocates, so private to each process. flite itself, its English lexicon
/// and the kal voices are small and stay real.
const SPEECH_STANDINS: &[(&str, Option<&str>)] = &[
    ("libflite_cmu_time_awb.so.1", Some("cmu_time_awb")),
    ("libflite_cmu_grapheme_lex.so.1", None),
    ("libflite_cmu_us_rms.so.1", Some("cmu_us_rms")),
    ("libflite_cmu_us_slt.so.1", Some("cmu_us_slt")),
    ("libflite_cmu_us_awb.so.1", Some("cmu_us_awb")),
];

/// Compiles the stand-ins into `OUT_DIR/speech` and points the app at them: the binary's RPATH
/// (an old-style one, which the loader also searches for libraries's own dependencies, unlike
/// RUNPATH) finds them for the app's process, and `EARSHOT_SPEECH_STANDINS` tells window.rs
/// where they are for WebKit's processes. Both are relative to the binary (`$ORIGIN`), so a
/// binary installed elsewhere looks only in a folder next to it that does not exist, and loads
/// the real libraries. Where flite is missing (a WebKit built without speech), nothing is done.
fn build_speech_standins() {
    println!("cargo:rerun-if-changed=speech/standin.c");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // OUT_DIR is <profile>/build/<package>-<hash>/out, and the binary lands in <profile>.
    let Some(relative) = out_dir.ancestors().nth(3).and_then(|profile| {
        out_dir
            .join("speech")
            .strip_prefix(profile)
            .ok()
            .map(|p| p.to_owned())
    }) else {
        println!("cargo:warning=speech stand-ins skipped: unexpected OUT_DIR {out_dir:?}");
        return;
    };
    let dir = out_dir.join("speech");
    std::fs::create_dir_all(&dir).expect("create OUT_DIR/speech");
    let compiler = cc::Build::new().get_compiler();
    for (file, voice) in SPEECH_STANDINS {
        let mut cc = compiler.to_command();
        cc.args(["-shared", "-fPIC", "-O2", "-o"])
            .arg(dir.join(file))
            .arg(format!("-Wl,-soname,{file}"))
            .arg("speech/standin.c");
        if let Some(voice) = voice {
            cc.arg(format!("-DVOICE={voice}"))
                .arg("-l:libflite_cmu_us_kal.so.1");
        }
        let built = cc.status().map(|s| s.success()).unwrap_or(false);
        if !built {
            println!("cargo:warning=speech stand-ins skipped: {file} did not build (no flite?)");
            let _ = std::fs::remove_dir_all(&dir);
            return;
        }
    }
    let relative = relative.to_str().expect("OUT_DIR is UTF-8");
    println!("cargo:rustc-link-arg-bins=-Wl,--disable-new-dtags,-rpath,$ORIGIN/{relative}");
    println!("cargo:rustc-env=EARSHOT_SPEECH_STANDINS={relative}");
}

fn main() {
    build_speech_standins();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
