//! `make bench`: proves Earshot stays instant at a franchise's scale.
//!
//! For 10k, 100k and 1M deterministic reviews it measures the import (throughput, and peak memory
//! of the `earshot import` process) against a raw baseline — the `sqlite3` tool's `.import` of the
//! same CSV into a plain table — then the dashboard's queries, an inbox page and full-text search
//! (p50 and p95 over repeated runs) on the resulting database. It prints a table and writes
//! `target/bench.json`; figures measured by other steps of `make bench` (the sync and the desktop
//! app) are merged in by `--merge KEY=VALUE`.
//!
//! Usage: cargo run --release --example bench -- [--sizes 10000,100000,1000000] [--out PATH]
//!        cargo run --release --example bench -- --db target/bench/earshot-1000000.db

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::{Duration, NaiveDate, Utc};
use earshot::analysis::trends::Granularity;
use earshot::insights;
use earshot::store::{ReviewFilter, Store};
use serde_json::{json, Value};

/// Timed repetitions per query; p95 of 60 runs is the 57th slowest, stable enough to compare.
const QUERY_RUNS: usize = 60;
const SEARCHES: &[&str] = &[
    "coffee",
    "cold latte",
    "rude staff",
    "refund",
    "waited forever",
];
const BUSINESS: &str = "Bench Café";
const COMPETITOR: &str = "Bench Rival";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sizes = vec![10_000usize, 100_000, 1_000_000];
    let mut out = PathBuf::from("target/bench.json");
    let mut merge: Vec<(String, Value)> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--sizes" => {
                sizes = args[i + 1]
                    .split(',')
                    .map(|s| s.trim().parse())
                    .collect::<Result<_, _>>()?;
                i += 1;
            }
            "--out" => {
                out = PathBuf::from(&args[i + 1]);
                i += 1;
            }
            "--merge" => {
                let (k, v) = args[i + 1]
                    .split_once('=')
                    .ok_or_else(|| anyhow::anyhow!("--merge KEY=VALUE"))?;
                merge.push((
                    k.to_string(),
                    serde_json::from_str(v).unwrap_or(Value::String(v.into())),
                ));
                i += 1;
            }
            "--db" => {
                return queries_only(Path::new(&args[i + 1]));
            }
            other => anyhow::bail!("unknown argument {other}"),
        }
        i += 1;
    }
    if !merge.is_empty() && args.iter().all(|a| a != "--sizes") {
        return merge_into(&out, &merge);
    }

    let work = PathBuf::from("target/bench");
    std::fs::create_dir_all(&work)?;
    let earshot = std::env::current_exe()?
        .parent()
        .and_then(Path::parent)
        .map(|p| p.join("earshot"))
        .filter(|p| p.exists())
        .ok_or_else(|| anyhow::anyhow!("build the earshot binary first (cargo build --release)"))?;

    let mut runs = Vec::new();
    for &n in &sizes {
        eprintln!("bench: {n} reviews");
        runs.push(run_size(&earshot, &work, n)?);
    }
    print_table(&runs);
    let biggest = sizes.iter().copied().max().unwrap_or(0);
    eprintln!("bench: dashboard queries while {biggest} reviews import");
    let load = load_while_importing(&earshot, &work, biggest)?;
    println!(
        "dashboard while importing {biggest}: p50 {} ms, p95 {} ms, max {} ms over {} queries",
        load["p50_ms"], load["p95_ms"], load["max_ms"], load["queries"]
    );
    eprintln!("bench: empty incremental sync of 20 sources");
    let empty_sync = empty_sync_20_sources(&work)?;
    println!("empty sync of 20 sources: {:.3} s", empty_sync);
    let largest = runs.last().cloned().unwrap_or(Value::Null);
    let mut report = json!({
        "machine": { "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) },
        "generated_at": Utc::now().to_rfc3339(),
        "runs": runs,
    });
    for key in [
        "import_reviews_per_s",
        "import_ratio_to_sqlite3",
        "import_peak_rss_mb",
        "dashboard_p95_ms",
        "search_p95_ms",
        "sqlite3_rows_per_s",
        "search_tidy_seconds",
        "import_and_tidy_reviews_per_s",
        "import_and_tidy_ratio_to_sqlite3",
        "search_p95_ms_tidied",
    ] {
        report[key] = largest[key].clone();
    }
    for key in ["first_paint_s", "open_pss_mb", "tray_pss_mb"] {
        report[key] = Value::Null;
    }
    report["empty_sync_20_sources_s"] = json!(round(empty_sync, 3));
    report["load_dashboard_while_importing"] = load.clone();
    report["load_dashboard_p95_ms"] = load["p95_ms"].clone();
    // Keep figures other steps measured before, unless this run replaces them.
    if let Some(old) = std::fs::read(&out)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    {
        for key in ["first_paint_s", "open_pss_mb", "tray_pss_mb"] {
            if !old[key].is_null() {
                report[key] = old[key].clone();
            }
        }
    }
    for (k, v) in merge {
        report[k] = v;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    eprintln!("bench: wrote {}", out.display());
    Ok(())
}

fn merge_into(out: &Path, merge: &[(String, Value)]) -> anyhow::Result<()> {
    let mut report: Value = std::fs::read(out)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| json!({}));
    for (k, v) in merge {
        report[k] = v.clone();
    }
    std::fs::write(out, serde_json::to_string_pretty(&report)?)?;
    Ok(())
}

fn run_size(earshot: &Path, work: &Path, n: usize) -> anyhow::Result<Value> {
    let csv = work.join(format!("reviews-{n}.csv"));
    if !csv.exists() {
        write_csv(&csv, n, 0x5eed + n as u64)?;
    }
    let rival_csv = work.join(format!("rival-{n}.csv"));
    if !rival_csv.exists() {
        write_csv(&rival_csv, n / 10, 0xbeef + n as u64)?;
    }
    let db = work.join(format!("earshot-{n}.db"));
    remove_db(&db);

    // The import, as a person runs it: the release binary, timed with its peak memory.
    let (secs, peak_kb) = timed_child(Command::new(earshot).arg("--db").arg(&db).args([
        "import",
        csv.to_str().unwrap_or_default(),
        "--business",
        BUSINESS,
        "--json",
    ]))?;
    let import_rate = n as f64 / secs;
    timed_child(Command::new(earshot).arg("--db").arg(&db).args([
        "import",
        rival_csv.to_str().unwrap_or_default(),
        "--business",
        COMPETITOR,
        "--json",
    ]))?;

    // The baseline: sqlite3's own CSV import into a plain table, same file, same disk.
    let raw_db = work.join(format!("sqlite3-{n}.db"));
    remove_db(&raw_db);
    let (raw_secs, _) = timed_child(
        Command::new("sqlite3")
            .arg(&raw_db)
            .arg(format!(".import --csv {} raw", csv.display())),
    )?;
    remove_db(&raw_db);

    // Queries as the import leaves the database: its search index segments unmerged.
    let store = Store::open(&db)?;
    let (queries, search) = time_queries(&store)?;
    let dashboard_p95 = worst_p95(&queries);
    let all_search = all_wall(&search);
    // Then the merge the import left for the app's next background round (or `earshot sync`),
    // timed as part of the import's cost, and the searches again after it.
    let tidy_started = Instant::now();
    store.merge_search_index(std::time::Duration::from_secs(3600))?;
    let tidy_secs = tidy_started.elapsed().as_secs_f64();
    let search_tidied = time_searches(&store)?;
    let all_search_tidied = all_wall(&search_tidied);
    let db_mb = std::fs::metadata(&db)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0);
    Ok(json!({
        "reviews": n,
        "import_seconds": round(secs, 3),
        "import_reviews_per_s": round(import_rate, 0),
        "import_peak_rss_mb": round(peak_kb as f64 / 1024.0, 1),
        "sqlite3_import_seconds": round(raw_secs, 3),
        "sqlite3_rows_per_s": round(n as f64 / raw_secs, 0),
        "import_ratio_to_sqlite3": round(secs / raw_secs, 2),
        "search_tidy_seconds": round(tidy_secs, 3),
        "import_and_tidy_reviews_per_s": round(n as f64 / (secs + tidy_secs), 0),
        "import_and_tidy_ratio_to_sqlite3": round((secs + tidy_secs) / raw_secs, 2),
        "database_mb": round(db_mb, 1),
        "queries": summarise(&queries),
        "dashboard_p95_ms": round(dashboard_p95, 2),
        "search": summarise(&search),
        "search_p50_ms": round(pct(&all_search, 0.50), 2),
        "search_p95_ms": round(pct(&all_search, 0.95), 2),
        "search_p95_ms_tidied": round(pct(&all_search_tidied, 0.95), 2),
    }))
}

/// The last day of the generated data (three years from 2023-01-01): the bench's "today", so
/// the dashboard's recent periods hold reviews as an owner's would, whatever the date of the run.
fn data_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default()
}

/// Wall and CPU milliseconds of each run of a query.
#[derive(Default)]
struct Timed {
    wall: Vec<f64>,
    cpu: Vec<f64>,
}

type Timings = BTreeMap<&'static str, Timed>;

/// The app's screens' queries on a bench database, each timed `QUERY_RUNS` times: the
/// dashboard (its `overview` over 30 days and a year, as the app asks it, and the CLI's
/// trends, stats, summary and comparison), inbox pages (the first, a filtered one and one half
/// way down the list, where the scrollbar lands when dragged) and full-text searches.
fn time_queries(store: &Store) -> anyhow::Result<(Timings, Timings)> {
    let own = store.business_by_name(BUSINESS)?.id;
    let rival = store.business_by_name(COMPETITOR)?.id;
    let today = data_today();
    let inbox = ReviewFilter {
        business_id: Some(own),
        ..Default::default()
    };
    let middle = u32::try_from(store.count_reviews(&inbox)? / 2)?;
    let mut queries: Timings = BTreeMap::new();
    for _ in 0..QUERY_RUNS {
        time(&mut queries, "overview_30", || {
            insights::overview(store, own, today, 30).map(drop)
        })?;
        time(&mut queries, "overview_365", || {
            insights::overview(store, own, today, 365).map(drop)
        })?;
        time(&mut queries, "stats", || store.stats(own).map(drop))?;
        time(&mut queries, "trends_month", || {
            insights::trends(store, own, Granularity::Month, None, false).map(drop)
        })?;
        time(&mut queries, "trends_week", || {
            insights::trends(store, own, Granularity::Week, None, false).map(drop)
        })?;
        time(&mut queries, "summary", || {
            insights::summary(store, own, today).map(drop)
        })?;
        time(&mut queries, "compare", || {
            insights::compare(store, &[own, rival], today).map(drop)
        })?;
        time(&mut queries, "inbox_count", || {
            store.count_reviews(&inbox).map(drop)
        })?;
        time(&mut queries, "inbox_page", || {
            store
                .list_reviews(&ReviewFilter {
                    limit: Some(50),
                    ..inbox.clone()
                })
                .map(drop)
        })?;
        time(&mut queries, "inbox_page_middle", || {
            store
                .list_reviews(&ReviewFilter {
                    limit: Some(100),
                    offset: Some(middle),
                    ..inbox.clone()
                })
                .map(drop)
        })?;
        time(&mut queries, "inbox_unanswered_negative", || {
            store
                .list_reviews(&ReviewFilter {
                    max_rating: Some(2.0),
                    unanswered: true,
                    limit: Some(50),
                    ..inbox.clone()
                })
                .map(drop)
        })?;
    }
    Ok((queries, time_searches(store)?))
}

/// The full-text searches of the business's inbox, newest first, each timed `QUERY_RUNS` times.
fn time_searches(store: &Store) -> anyhow::Result<Timings> {
    let inbox = ReviewFilter {
        business_id: Some(store.business_by_name(BUSINESS)?.id),
        ..Default::default()
    };
    let mut search: Timings = BTreeMap::new();
    for _ in 0..QUERY_RUNS {
        for q in SEARCHES {
            time(&mut search, q, || {
                store
                    .list_reviews(&ReviewFilter {
                        search: Some((*q).to_string()),
                        limit: Some(50),
                        ..inbox.clone()
                    })
                    .map(drop)
            })?;
        }
    }
    Ok(search)
}

fn summarise(m: &Timings) -> Value {
    m.iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                json!({
                    "p50_ms": pct(&v.wall, 0.50),
                    "p95_ms": pct(&v.wall, 0.95),
                    "cpu_p50_ms": pct(&v.cpu, 0.50),
                    "cpu_p95_ms": pct(&v.cpu, 0.95),
                }),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The slowest query's p95 (wall): the dashboard figure the target is about.
fn worst_p95(m: &Timings) -> f64 {
    m.values().map(|v| pct(&v.wall, 0.95)).fold(0.0, f64::max)
}

fn all_wall(m: &Timings) -> Vec<f64> {
    m.values().flat_map(|v| v.wall.iter().copied()).collect()
}

/// `--db PATH`: times the queries on a database `make bench` built before (no import), and
/// prints each query's p50/p95 as JSON: how a change to a query is measured at 1M reviews
/// without importing them again.
fn queries_only(db: &Path) -> anyhow::Result<()> {
    let store = Store::open(db)?;
    let (queries, search) = time_queries(&store)?;
    let all_search = all_wall(&search);
    let report = json!({
        "database": db.display().to_string(),
        "reviews": store.count_reviews(&ReviewFilter::default())?,
        "queries": summarise(&queries),
        "dashboard_p95_ms": worst_p95(&queries),
        "search": summarise(&search),
        "search_p50_ms": pct(&all_search, 0.50),
        "search_p95_ms": pct(&all_search, 0.95),
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// Runs one query and records its wall time and the CPU time of this thread, in ms. On a
/// machine shared with other work the wall time includes waiting for a core; the CPU time says
/// what the query itself costs.
fn time<F: FnMut() -> earshot::store::Result<()>>(
    into: &mut Timings,
    name: &'static str,
    mut f: F,
) -> anyhow::Result<()> {
    let cpu = thread_cpu_ms();
    let t = Instant::now();
    f()?;
    let wall = t.elapsed().as_secs_f64() * 1000.0;
    let timed = into.entry(name).or_default();
    timed.wall.push(wall);
    timed.cpu.push(thread_cpu_ms() - cpu);
    Ok(())
}

fn thread_cpu_ms() -> f64 {
    // SAFETY: an all-zero timespec is valid, and clock_gettime only writes it.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: ts is a live local; CLOCK_THREAD_CPUTIME_ID is always available on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}

fn pct(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let idx = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    round(v[idx], 3)
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Runs a child to completion; returns wall seconds and its peak resident set in KiB.
fn timed_child(cmd: &mut Command) -> anyhow::Result<(f64, i64)> {
    // Each timed command starts with nothing of the one before still being written back:
    // on this 2-core machine a deleted 1M database or the last import's pages, flushed during
    // the next import, slowed it by up to a fifth.
    // SAFETY: sync takes no arguments and cannot fail.
    unsafe { libc::sync() };
    let t = Instant::now();
    let child = cmd.stdout(std::process::Stdio::null()).spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet reaped; status and usage point to live locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = t.elapsed().as_secs_f64();
    anyhow::ensure!(r == pid, "wait4 failed");
    anyhow::ensure!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed"
    );
    std::mem::forget(child);
    Ok((secs, usage.ru_maxrss))
}

/// Deterministic CSV in the import format: three years of reviews on three platforms, text from
/// phrase banks sized like real reviews (10–60 words), a tenth of them unrated mentions.
fn write_csv(path: &Path, n: usize, seed: u64) -> anyhow::Result<()> {
    const OPENERS: &[&str] = &[
        "Great coffee and friendly staff.",
        "The latte was cold and the staff seemed rude.",
        "Waited forever for a flat white.",
        "Lovely place to work, the wifi is fast.",
        "Overpriced sandwiches but a nice view.",
        "Best croissant in town, still warm.",
        "Asked for a refund after a burnt espresso.",
        "Clean tables, quick service, fair prices.",
        "Music too loud, could not hear my friend.",
        "The new seasonal menu is delicious.",
    ];
    const FILLERS: &[&str] = &[
        "We came on a Saturday morning with the kids",
        "the barista remembered our order",
        "parking nearby is tricky",
        "the cinnamon buns sold out by ten",
        "they fixed the problem quickly",
        "it was busier than usual",
        "the oat milk costs extra",
        "we will be back next week",
        "the queue went out the door",
        "service felt a bit slow",
        "the toilets could be cleaner",
        "prices went up again this year",
    ];
    const PLATFORMS: &[&str] = &[
        "google",
        "google",
        "google",
        "yelp",
        "trustpilot",
        "facebook",
    ];
    let mut rng = seed;
    let mut next = move || {
        rng = rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default();
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "external_id,platform,author,rating,title,body,created_at,url"
    )?;
    let mut body = String::new();
    for i in 0..n {
        let platform = PLATFORMS[(next() % PLATFORMS.len() as u64) as usize];
        let mention = platform == "facebook";
        let rating = if mention {
            String::new()
        } else {
            (1 + next() % 5).to_string()
        };
        body.clear();
        body.push_str(OPENERS[(next() % OPENERS.len() as u64) as usize]);
        for _ in 0..(1 + next() % 5) {
            let _ = write!(
                body,
                " {}.",
                FILLERS[(next() % FILLERS.len() as u64) as usize]
            );
        }
        let day = start + Duration::days((i as i64 * 1095) / n as i64);
        writeln!(
            w,
            "b{i},{platform},Customer {},{rating},,\"{body}\",{}T{:02}:{:02}:00Z,https://example.com/r/{i}",
            next() % 5000,
            day.format("%Y-%m-%d"),
            7 + next() % 12,
            next() % 60
        )?;
    }
    w.flush()?;
    Ok(())
}

fn print_table(runs: &[Value]) {
    println!(
        "{:>9} {:>12} {:>9} {:>9} {:>14} {:>10} {:>10} {:>13} {:>11}",
        "reviews",
        "import/s",
        "vs sqlite3",
        "merge s",
        "with merge/s",
        "peak MB",
        "db MB",
        "dashboard p95",
        "search p95"
    );
    for r in runs {
        println!(
            "{:>9} {:>12} {:>9}x {:>9} {:>14} {:>10} {:>10} {:>10} ms {:>8} ms",
            r["reviews"],
            r["import_reviews_per_s"],
            r["import_ratio_to_sqlite3"],
            r["search_tidy_seconds"],
            r["import_and_tidy_reviews_per_s"],
            r["import_peak_rss_mb"],
            r["database_mb"],
            r["dashboard_p95_ms"],
            r["search_p95_ms"]
        );
    }
}

/// An incremental sync of 20 sources when nothing is new: Trustpilot, Yelp, Hacker News and
/// Mastodon sources (yours and competitors') against mock platforms on 127.0.0.1, synced once to
/// fill them, then timed over five empty runs. Returns the median in seconds.
fn empty_sync_20_sources(work: &Path) -> anyhow::Result<f64> {
    use std::sync::Arc;
    use wiremock::matchers::{method, path_regex, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let server = rt.block_on(MockServer::start());
    let day = |d: i64| {
        (Utc::now() - Duration::days(d))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let tp: Vec<Value> = (0..20)
        .map(|i| {
            json!({"id": format!("tp{i}"), "stars": 1 + i % 5, "text": "Good coffee, slow service",
                        "createdAt": day(i), "consumer": {"displayName": "A"}})
        })
        .collect();
    let yelp: Vec<Value> = (0..3)
        .map(|i| {
            json!({"id": format!("y{i}"), "rating": 4, "text": "Nice brunch…",
                        "time_created": "2026-05-01 10:00:00", "user": {"name": "B"}})
        })
        .collect();
    let hn: Vec<Value> = (0..10)
        .map(|i| {
            json!({"objectID": format!("{}", 4000 + i), "created_at_i": 1_777_000_000 + i,
                        "author": "c", "comment_text": "<p>Their espresso is great</p>"})
        })
        .collect();
    let masto: Vec<Value> = (0..10)
        .map(|i| json!({"id": format!("{}", 11_000 + i), "created_at": day(i), "content": "<p>#cafe great</p>",
                        "account": {"acct": "d@ex.social"}}))
        .collect();
    rt.block_on(async {
        let mount = |m: Mock| m.mount(&server);
        mount(
            Mock::given(method("GET"))
                .and(path_regex("^/v1/business-units/.*/reviews$"))
                .and(query_param("page", "1"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "reviews": tp }))),
        )
        .await;
        mount(
            Mock::given(method("GET"))
                .and(path_regex("^/v1/business-units/.*/reviews$"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "reviews": [] }))),
        )
        .await;
        mount(
            Mock::given(method("GET"))
                .and(path_regex("^/v3/businesses/.*/reviews$"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({ "reviews": yelp, "total": 3 })),
                ),
        )
        .await;
        mount(
            Mock::given(method("GET"))
                .and(path_regex("^/api/v1/search_by_date$"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({ "hits": hn, "nbPages": 1, "page": 0 })),
                ),
        )
        .await;
        mount(
            Mock::given(method("GET"))
                .and(path_regex("^/api/v1/timelines/tag/.*$"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!(masto))),
        )
        .await;
    });

    let db = work.join("sync.db");
    remove_db(&db);
    let store = Store::open(&db)?;
    let secrets = Arc::new(earshot::secrets::MemorySecrets::default());
    let base = server.uri();
    let platforms: [(&str, &[(&str, &str)]); 4] = [
        (
            "trustpilot",
            &[("business_unit_id", "bu"), ("api_key", "k")],
        ),
        ("yelp", &[("business_id", "biz"), ("api_key", "k")]),
        ("hackernews", &[("query", "cafe")]),
        ("mastodon", &[("instance", "ex.social"), ("tag", "cafe")]),
    ];
    for i in 0..20 {
        let business = store.ensure_business(if i % 2 == 0 { BUSINESS } else { COMPETITOR })?;
        let (platform, settings) = platforms[i % 4];
        let mut s: earshot::sources::Settings = settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        s.insert("base_url".into(), base.clone());
        earshot::sources::add_source(
            &store,
            secrets.as_ref(),
            business.id,
            platform,
            Some(&format!("bench {i}")),
            &s,
        )?;
    }
    drop(store);
    let opts = earshot::sync::SyncOptions::default();
    let run = || -> anyhow::Result<f64> {
        let secrets: Arc<dyn earshot::secrets::SecretStore> = secrets.clone();
        let t = Instant::now();
        let reports = rt.block_on(earshot::sync::run(
            &db,
            secrets,
            earshot::sync::Selection::All,
            &opts,
            earshot::sync::no_events(),
        ))?;
        let secs = t.elapsed().as_secs_f64();
        if let Some(bad) = reports.iter().find(|r| !r.ok) {
            anyhow::bail!("bench source {} failed: {:?}", bad.label, bad.error);
        }
        Ok(secs)
    };
    run()?; // fills the sources
    let mut times: Vec<f64> = (0..5).map(|_| run()).collect::<anyhow::Result<_>>()?;
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// Issue 9's load test: the dashboard's queries, asked every 20 ms by a reader (as the app's
/// window does) while `earshot import` writes the size's whole file again under a new business
/// into the same database. WAL lets readers run beside the writer; bounded transactions keep
/// each wait short. Returns `{queries, p50_ms, p95_ms, max_ms, import_seconds}`.
fn load_while_importing(earshot: &Path, work: &Path, n: usize) -> anyhow::Result<Value> {
    let db = work.join(format!("earshot-{n}.db"));
    let csv = work.join(format!("reviews-{n}.csv"));
    let store = Store::open(&db)?;
    let own = store.business_by_name(BUSINESS)?.id;
    let started = Instant::now();
    let mut child = Command::new(earshot)
        .arg("--db")
        .arg(&db)
        .args([
            "import",
            csv.to_str().unwrap_or_default(),
            "--business",
            "Bench Load",
            "--json",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let mut times: Vec<f64> = Vec::new();
    while child.try_wait()?.is_none() {
        let t = Instant::now();
        store.stats(own)?;
        store.list_reviews(&ReviewFilter {
            business_id: Some(own),
            limit: Some(50),
            ..Default::default()
        })?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let import_seconds = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    Ok(json!({
        "queries": times.len(),
        "p50_ms": pct(&times, 0.50),
        "p95_ms": pct(&times, 0.95),
        "max_ms": round(times.last().copied().unwrap_or(0.0), 2),
        "import_seconds": round(import_seconds, 2),
    }))
}
