//! The team store's first figures (issue 31): an import into PostgreSQL through the same action
//! as `earshot import` (CSV reading, analysis on worker threads, COPY-fed batches), then the
//! dashboard's headline figures, an inbox page and full-text searches (p50 and p95), on a
//! throwaway cluster this program starts and removes (Debian's PostgreSQL 15, default settings:
//! fsync on).
//!
//! Beside the wall time, the server's own CPU time for the import (every process of the cluster,
//! exited ones included, from /proc): on a machine shared with other builds wall time is noisy,
//! and the server's work per review is what sets how fast an import can go on a server of N
//! cores. The import writes over `EARSHOT_IMPORT_CONNECTIONS` connections (default 2).
//!
//! Usage: cargo run --release --example bench_pg -- [--sizes 100000] [--out target/bench-pg.json]
//!        [--keep]  (leaves the databases for EXPLAIN; the cluster still goes at the end)

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use earshot::import::ImportOptions;
use earshot::store::postgres::cluster::ThrowawayCluster;
use earshot::store::{Db, DbLocation, ReviewFilter};
use serde_json::json;

const QUERY_RUNS: usize = 40;
const SEARCHES: &[&str] = &[
    "coffee",
    "cold latte",
    "rude staff",
    "refund",
    "waited forever",
];
const BUSINESS: &str = "Bench Café";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sizes = vec![100_000usize];
    let mut out = std::path::PathBuf::from("target/bench-pg.json");
    let mut keep = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--sizes" => {
                sizes = args[i + 1]
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
                i += 1;
            }
            "--out" => {
                out = args[i + 1].clone().into();
                i += 1;
            }
            "--keep" => keep = true,
            other => anyhow::bail!("unknown argument {other}"),
        }
        i += 1;
    }
    let cluster = ThrowawayCluster::start(&[])?;
    let dir = tempfile::tempdir()?;
    let mut results = Vec::new();
    for n in sizes {
        let csv = dir.path().join(format!("reviews-{n}.csv"));
        write_csv(&csv, n)?;
        let url = cluster.create_database(&format!("bench_{n}"))?;
        let mut db = Db::open(&DbLocation::Postgres(url.clone()))?;
        let opts = ImportOptions {
            business: BUSINESS.into(),
            ..Default::default()
        };
        let server = ServerCpu::of(&url)?;
        let before = server.seconds()?;
        let t = Instant::now();
        let report = earshot::actions::import_into(
            &mut db,
            std::slice::from_ref(&csv),
            &opts,
            None,
            &mut |_, _| {},
        )?;
        let import_s = t.elapsed().as_secs_f64();
        let server_cpu_s = server.seconds()? - before;
        let _ = std::fs::remove_file(&csv);
        anyhow::ensure!(
            report.counts.new == n as u64,
            "imported {:?}",
            report.counts
        );
        let business = db.business_by_name(BUSINESS)?.id;
        let stats = time(|| db.stats(business).map(drop))?;
        let page = ReviewFilter {
            business_id: Some(business),
            limit: Some(50),
            ..Default::default()
        };
        let inbox = time(|| db.list_reviews(&page).map(drop))?;
        let mut search_ms = Vec::new();
        for q in SEARCHES {
            let f = ReviewFilter {
                search: Some((*q).into()),
                ..page.clone()
            };
            search_ms.extend(samples(|| db.list_reviews(&f).map(drop))?);
        }
        let search = percentiles(&mut search_ms);
        let size: i64 = db_size(&url)?;
        let row = json!({
            "reviews": n,
            "connections": std::env::var("EARSHOT_IMPORT_CONNECTIONS").unwrap_or_else(|_| "2".into()),
            "import_s": round3(import_s),
            "import_reviews_per_s": (n as f64 / import_s).round(),
            "server_cpu_s": round3(server_cpu_s),
            "server_cpu_us_per_review": round3(server_cpu_s * 1e6 / n as f64),
            "database_mb": size / (1 << 20),
            "load_average": std::fs::read_to_string("/proc/loadavg")?
                .split(' ').next().unwrap_or_default().to_owned(),
            "stats_ms": stats,
            "inbox_page_ms": inbox,
            "search_ms": search,
        });
        println!("{row}");
        results.push(row);
        drop(db);
        if !keep {
            drop_database(&url)?;
        }
    }
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&results)?)?;
    Ok(())
}

/// The server's CPU time: its postmaster and every process it started, the exited ones
/// (autovacuum workers, the import's own connections) included through the postmaster's
/// children's times.
struct ServerCpu {
    postmaster: u32,
}

impl ServerCpu {
    fn of(url: &str) -> anyhow::Result<ServerCpu> {
        let mut client = postgres::Client::connect(url, postgres::NoTls)?;
        let backend: i32 = client.query_one("SELECT pg_backend_pid()", &[])?.get(0);
        let stat = std::fs::read_to_string(format!("/proc/{backend}/stat"))?;
        let postmaster = stat_fields(&stat)
            .get(1)
            .ok_or_else(|| anyhow::anyhow!("no parent in /proc/{backend}/stat"))?
            .parse()?;
        Ok(ServerCpu { postmaster })
    }

    fn seconds(&self) -> anyhow::Result<f64> {
        // Clock ticks of 1/100 s (USER_HZ on Linux).
        let ticks = |fields: &[&str], from: usize, to: usize| -> u64 {
            fields[from..to]
                .iter()
                .filter_map(|f| f.parse::<u64>().ok())
                .sum()
        };
        let own = std::fs::read_to_string(format!("/proc/{}/stat", self.postmaster))?;
        // After the command's name: state, ppid, …; utime is field 14, so index 11 here.
        let mut total = ticks(&stat_fields(&own), 11, 15);
        for entry in std::fs::read_dir("/proc")? {
            let Ok(stat) = std::fs::read_to_string(entry?.path().join("stat")) else {
                continue;
            };
            let fields = stat_fields(&stat);
            if fields.get(1) == Some(&self.postmaster.to_string().as_str()) {
                total += ticks(&fields, 11, 13);
            }
        }
        Ok(total as f64 / 100.0)
    }
}

/// The fields of a /proc/PID/stat line after the command's name (which may hold spaces).
fn stat_fields(stat: &str) -> Vec<&str> {
    stat.rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default()
}

/// The database's size on disk (tables, indexes, TOAST).
fn db_size(url: &str) -> anyhow::Result<i64> {
    let mut client = postgres::Client::connect(url, postgres::NoTls)?;
    Ok(client
        .query_one("SELECT pg_database_size(current_database())", &[])?
        .get(0))
}

/// Drops a bench database once measured: a 10M one is tens of GB.
fn drop_database(url: &str) -> anyhow::Result<()> {
    let (server, name) = url.rsplit_once('/').unwrap_or((url, ""));
    let mut client = postgres::Client::connect(&format!("{server}/postgres"), postgres::NoTls)?;
    client.batch_execute(&format!("DROP DATABASE \"{name}\""))?;
    Ok(())
}

/// p50 and p95 of `f` in milliseconds.
fn time(f: impl FnMut() -> earshot::store::Result<()>) -> anyhow::Result<serde_json::Value> {
    Ok(percentiles(&mut samples(f)?))
}

fn samples(mut f: impl FnMut() -> earshot::store::Result<()>) -> anyhow::Result<Vec<f64>> {
    f()?;
    let mut ms = Vec::with_capacity(QUERY_RUNS);
    for _ in 0..QUERY_RUNS {
        let t = Instant::now();
        f()?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(ms)
}

fn percentiles(ms: &mut [f64]) -> serde_json::Value {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    json!({ "p50": round3(at(0.5)), "p95": round3(at(0.95)) })
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Deterministic reviews in Earshot's CSV: three years, four platforms, text from phrase banks
/// (the shape of `examples/bench.rs`'s, smaller banks).
fn write_csv(path: &Path, n: usize) -> anyhow::Result<()> {
    const OPENERS: &[&str] = &[
        "Great coffee and friendly staff.",
        "The latte was cold and the staff seemed rude.",
        "Waited forever for a flat white.",
        "Asked for a refund after a burnt espresso.",
        "Best croissant in town, still warm.",
        "Clean tables, quick service, fair prices.",
    ];
    const FILLERS: &[&str] = &[
        "we came on a Saturday morning with the kids",
        "the barista remembered our order",
        "parking nearby is tricky",
        "they fixed the problem quickly",
        "the queue went out the door",
        "prices went up again this year",
    ];
    const PLATFORMS: &[&str] = &["google", "google", "yelp", "trustpilot"];
    let mut rng: u64 = 7;
    let mut next = move || {
        rng = rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default();
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "external_id,platform,author,rating,title,body,created_at,url"
    )?;
    let mut body = String::new();
    for i in 0..n {
        let platform = PLATFORMS[(next() % PLATFORMS.len() as u64) as usize];
        body.clear();
        body.push_str(OPENERS[(next() % OPENERS.len() as u64) as usize]);
        for _ in 0..(1 + next() % 4) {
            let _ = write!(
                body,
                " {}.",
                FILLERS[(next() % FILLERS.len() as u64) as usize]
            );
        }
        let day = start + chrono::Duration::days((i as i64 * 1095) / n as i64);
        writeln!(
            w,
            "b{i},{platform},Customer {},{},,\"{body}\",{}T{:02}:{:02}:00Z,",
            next() % 5000,
            1 + next() % 5,
            day.format("%Y-%m-%d"),
            7 + next() % 12,
            next() % 60
        )?;
    }
    w.flush()?;
    Ok(())
}
