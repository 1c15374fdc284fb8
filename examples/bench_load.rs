//! `make bench`, the load step (issue 9): the app stays responsive while a sync of the biggest
//! benchmark file runs.
//!
//! A file source holding the bench's largest CSV (`target/bench/reviews-N.csv`, written by
//! `examples/bench.rs`) is synced by `earshot sync` in its own process, as the app's background
//! sync writes beside its window. Meanwhile this process asks what the app's screens ask, every
//! 20 ms: the dashboard's overview, the inbox's count and its first page. WAL lets readers run
//! beside the writer and the sync writes in bounded transactions, so no reader waits long.
//! Prints the figures and merges them into `target/bench.json` as
//! `load_dashboard_while_syncing` (and `load_sync_p95_ms`).
//!
//! Usage: cargo run --release --example bench_load -- [--reviews N] [--out PATH]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::Utc;
use earshot::insights;
use earshot::store::{ReviewFilter, Store};
use serde_json::{json, Value};

const BUSINESS: &str = "Bench Sync";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut reviews: Option<usize> = None;
    let mut out = PathBuf::from("target/bench.json");
    let mut i = 0;
    while i < args.len() {
        match (args[i].as_str(), args.get(i + 1)) {
            ("--reviews", Some(n)) => reviews = Some(n.parse()?),
            ("--out", Some(p)) => out = PathBuf::from(p),
            (other, _) => anyhow::bail!("unknown argument {other}; see the file's header"),
        }
        i += 2;
    }
    let work = PathBuf::from("target/bench");
    let n = match reviews {
        Some(n) => n,
        None => largest_bench_file(&work)?,
    };
    let csv = work.join(format!("reviews-{n}.csv"));
    anyhow::ensure!(
        csv.exists(),
        "{} is missing: run the bench first (it writes the file)",
        csv.display()
    );
    let earshot = std::env::current_exe()?
        .parent()
        .and_then(Path::parent)
        .map(|p| p.join("earshot"))
        .filter(|p| p.exists())
        .ok_or_else(|| anyhow::anyhow!("build the earshot binary first (cargo build --release)"))?;

    let db = work.join("sync-load.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let store = Store::open(&db)?;
    let business = store.ensure_business(BUSINESS)?;
    let secrets = earshot::secrets::MemorySecrets::default();
    let settings: earshot::sources::Settings = [
        ("path".to_string(), csv.display().to_string()),
        ("platform".to_string(), "google".to_string()),
    ]
    .into_iter()
    .collect();
    earshot::sources::add_source(&store, &secrets, business.id, "file", None, &settings)?;

    eprintln!("bench: the app's queries while a sync of {n} reviews writes");
    let started = Instant::now();
    let mut child = Command::new(&earshot)
        .arg("--db")
        .arg(&db)
        .args(["sync", "--json"])
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let today = Utc::now().date_naive();
    let inbox = ReviewFilter {
        business_id: Some(business.id),
        limit: Some(100),
        ..Default::default()
    };
    let mut times: Vec<f64> = Vec::new();
    while child.try_wait()?.is_none() {
        let t = Instant::now();
        insights::overview(&store, business.id, today, 30)?;
        store.count_reviews(&inbox)?;
        store.list_reviews(&inbox)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let sync_seconds = started.elapsed().as_secs_f64();
    let output = child.wait_with_output()?;
    anyhow::ensure!(output.status.success(), "the sync failed");
    let report: Value = serde_json::from_slice(&output.stdout)?;
    let stored = store.count_reviews(&ReviewFilter {
        business_id: Some(business.id),
        ..Default::default()
    })?;
    times.sort_by(f64::total_cmp);
    let load = json!({
        "reviews": n,
        "stored": stored,
        "new": report["new"],
        "sync_seconds": round(sync_seconds, 2),
        "queries": times.len(),
        "p50_ms": round(pct(&times, 0.50), 3),
        "p95_ms": round(pct(&times, 0.95), 3),
        "max_ms": round(times.last().copied().unwrap_or(0.0), 2),
    });
    println!(
        "app queries while syncing {n} reviews ({:.1} s): p50 {} ms, p95 {} ms, max {} ms over {} \
         rounds (overview + inbox count + first page)",
        sync_seconds, load["p50_ms"], load["p95_ms"], load["max_ms"], load["queries"]
    );
    let mut bench: Value = std::fs::read(&out)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| json!({}));
    bench["load_sync_p95_ms"] = load["p95_ms"].clone();
    bench["load_dashboard_while_syncing"] = load;
    std::fs::write(&out, serde_json::to_string_pretty(&bench)?)?;
    eprintln!("bench: merged the load figures into {}", out.display());
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    Ok(())
}

/// The size of the biggest `reviews-N.csv` the bench left behind.
fn largest_bench_file(work: &Path) -> anyhow::Result<usize> {
    std::fs::read_dir(work)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix("reviews-")?
                .strip_suffix(".csv")?
                .parse::<usize>()
                .ok()
        })
        .max()
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no reviews-N.csv in {}: run the bench first",
                work.display()
            )
        })
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}
