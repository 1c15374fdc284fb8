//! `earshot package-files`: what the Linux package ships beside the binaries (issue 30), made by
//! the binary itself. The man pages and completions cover every subcommand an owner can type and
//! nothing hidden; the unit is the one `earshot service install` writes for the packaged tool.

use crate::common::TestDb;

fn package_files(db: &TestDb) -> std::path::PathBuf {
    let out = db.dir.path().join("package-files");
    db.earshot(&["package-files", "--out", out.to_str().unwrap()])
        .ok();
    out
}

fn read(path: std::path::PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_man_pages_cover_every_subcommand_and_say_where_the_data_lives() {
    let db = TestDb::new();
    let out = package_files(&db);
    let main = read(out.join("man1/earshot.1"));
    // clap_mangen repeats its two-line roff preamble before each section it renders: harmless.
    assert!(main.contains("\n.TH earshot 1 "), "{}", &main[..200]);
    for section in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "SUBCOMMANDS",
        "FILES",
        "ENVIRONMENT",
    ] {
        assert!(
            main.contains(&format!(".SH {section}")),
            "no {section} in earshot.1"
        );
    }
    assert!(main.contains("earshot.db") && main.contains("EARSHOT_DB"));
    for sub in [
        "import", "reviews", "stats", "demo", "watch", "service", "sources",
    ] {
        assert!(
            main.contains(&format!("earshot\\-{sub}(1)")),
            "earshot.1 lacks {sub}"
        );
        let page = read(out.join(format!("man1/earshot-{sub}.1")));
        assert!(page.contains(".SH SYNOPSIS"), "earshot-{sub}.1");
    }
    // Nested subcommands get their own page too (`earshot service install`).
    assert!(out.join("man1/earshot-service-install.1").is_file());
    let names: Vec<String> = std::fs::read_dir(out.join("man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains("package-files")),
        "the hidden subcommand has a man page: {names:?}"
    );
}

#[test]
fn the_completions_know_the_subcommands_but_not_the_hidden_one() {
    let db = TestDb::new();
    let out = package_files(&db);
    for file in ["earshot.bash", "_earshot", "earshot.fish"] {
        let text = read(out.join("completions").join(file));
        assert!(
            text.contains("import") && text.contains("sources"),
            "{file}"
        );
        assert!(
            !text.contains("package-files"),
            "{file} offers the hidden subcommand"
        );
    }
    let help = db.earshot(&["--help"]).ok().stdout();
    assert!(!help.contains("package-files"), "{help}");
}

#[test]
fn the_shipped_unit_watches_the_default_database_with_the_packaged_tool() {
    let db = TestDb::new();
    let out = package_files(&db);
    let unit = read(out.join("systemd/earshot-watch.service"));
    assert_eq!(
        unit,
        earshot::actions::service::packaged_unit_text(),
        "the file is the library's text"
    );
    assert!(
        unit.contains("\nExecStart=/usr/bin/earshot watch\n"),
        "{unit}"
    );
    assert!(
        unit.contains("\n[Install]\nWantedBy=default.target\n"),
        "{unit}"
    );
    // No secrets file of the machine that built the package leaks into what it ships.
    assert!(!unit.contains("EARSHOT_SECRETS_FILE"), "{unit}");
}
