//! Selectors where the fleet lives, side by side with memory, on the benchmark workload (100,000 nodes,
//! seed 7): load time and size in SQLite and PostgreSQL, then each of the 15 workload selectors timed
//! in memory (`Fleet::select`), in SQLite (`SqliteFleet::select`) and in PostgreSQL
//! (`PgFleet::select`, one round trip over loopback), with whether PostgreSQL's plan uses the GIN index;
//! and what hand-written SQL answers for two of them.
//!
//! `cargo bench --bench sql` (`-- --quick` for fewer runs). PostgreSQL is measured when
//! `LABELSEL_TEST_DATABASE_URL` names a server (`source .ci/postgres` starts one); the bench uses the
//! schema `labelsel_bench` there, and drops it at the end.

#[path = "../tests/it/support/workload.rs"]
mod workload;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use labelsel::{Dialect, Fleet, Matcher, PgFleet, SqliteFleet};
use workload::{REFERENCE_COUNTS, Workload};

fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1e3)
}

fn us(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1e6)
}

fn mib(bytes: i64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The PostgreSQL store in a fresh schema of the test server, and a plain client to it.
fn postgres() -> Option<(PgFleet, postgres::Client, String)> {
    let base = std::env::var("LABELSEL_TEST_DATABASE_URL").ok()?;
    let mut client = postgres::Client::connect(&base, postgres::NoTls).expect("connects");
    client
        .batch_execute("DROP SCHEMA IF EXISTS labelsel_bench CASCADE; CREATE SCHEMA labelsel_bench")
        .expect("creates the schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-csearch_path%3Dlabelsel_bench");
    let store = PgFleet::connect(&url).expect("connects");
    let client = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    Some((store, client, base))
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    let runs = if quick { 5 } else { 21 };
    let workload = Workload::generate(100_000, 7);
    let nodes = || workload.nodes.iter().map(|node| (&node.id, &node.labels));
    let cases: Vec<(String, Matcher)> = workload
        .selectors
        .iter()
        .map(|named| {
            (
                named.name.clone(),
                named.selector.compile().expect("compiles"),
            )
        })
        .collect();

    let start = Instant::now();
    let mut fleet = Fleet::new();
    for (id, labels) in nodes() {
        fleet.insert(id, labels);
    }
    let memory_load = start.elapsed();

    let path = std::env::temp_dir().join("labelsel-bench-sql.db");
    let _ = std::fs::remove_file(&path);
    let mut sqlite = SqliteFleet::open(&path).expect("opens");
    let start = Instant::now();
    sqlite.load(nodes()).expect("loads");
    let sqlite_load = start.elapsed();
    let sqlite_bytes = std::fs::metadata(&path).map_or(0, |m| m.len() as i64);

    let mut pg = postgres();
    if let Some((store, client, _)) = &mut pg {
        let start = Instant::now();
        store.load(nodes()).expect("loads");
        let pg_load = start.elapsed();
        let sizes = client
            .query_one(
                "SELECT pg_table_size('labelsel_nodes'), pg_relation_size('labelsel_nodes_labels'), \
                 pg_indexes_size('labelsel_nodes')",
                &[],
            )
            .expect("sizes");
        let (table, gin, indexes): (i64, i64, i64) = (sizes.get(0), sizes.get(1), sizes.get(2));
        println!(
            "PostgreSQL: load {} s; table {}, GIN index {}, all indexes {}",
            format_args!("{:.2}", pg_load.as_secs_f64()),
            mib(table),
            mib(gin),
            mib(indexes)
        );
    } else {
        println!("PostgreSQL: skipped (LABELSEL_TEST_DATABASE_URL is not set)");
    }
    println!(
        "SQLite: load {:.2} s; file {}",
        sqlite_load.as_secs_f64(),
        mib(sqlite_bytes)
    );
    println!(
        "memory: build {:.2} s; heap {}",
        memory_load.as_secs_f64(),
        mib(fleet.heap_bytes() as i64)
    );

    // Every engine gives the recorded Kubernetes counts and the same ids in order.
    for (name, matcher) in &cases {
        let want: Vec<&str> = fleet.select(matcher).iter().collect();
        let recorded = REFERENCE_COUNTS
            .iter()
            .find(|(n, _)| n == name)
            .map(|w| w.1);
        assert_eq!(Some(want.len()), recorded, "{name}");
        assert_eq!(
            sqlite.select(matcher).expect("selects"),
            want,
            "SQLite: {name}"
        );
        if let Some((store, _, _)) = &mut pg {
            assert_eq!(
                store.select(matcher).expect("selects"),
                want,
                "PostgreSQL: {name}"
            );
        }
    }

    println!();
    println!(
        "{:<16} {:>8} {:>10} {:>11} {:>11} {:>9} {:>9}  PostgreSQL plan",
        "selector",
        "matches",
        "memory µs",
        "SQLite ms",
        "Postgres ms",
        "SQLite÷mem",
        "Postgres÷mem"
    );
    for (name, matcher) in &cases {
        let count = fleet.count(matcher);
        let memory = median(runs, || fleet.select(matcher).len());
        let lite = median(runs, || sqlite.select(matcher).expect("selects").len());
        let (postgres_ms, postgres_ratio, plan) = match &mut pg {
            Some((store, client, _)) => {
                let time = median(runs, || store.select(matcher).expect("selects").len());
                let explain = format!("EXPLAIN {}", matcher.to_sql(Dialect::Postgres).inline());
                let plan: Vec<String> = client
                    .query(explain.as_str(), &[])
                    .expect("explains")
                    .iter()
                    .map(|row| row.get(0))
                    .collect();
                let plan = plan.join(" ");
                let served = if plan.contains("Index Scan on labelsel_nodes_labels") {
                    "GIN index"
                } else if plan.contains("Index Scan") {
                    "btree index"
                } else {
                    "sequential scan"
                };
                (
                    ms(time),
                    format!("{:.0}x", time.as_secs_f64() / memory.as_secs_f64()),
                    served,
                )
            }
            None => ("-".into(), "-".into(), "-"),
        };
        println!(
            "{name:<16} {count:>8} {:>10} {:>11} {postgres_ms:>11} {:>9} {postgres_ratio:>10}  {plan}",
            us(memory),
            ms(lite),
            format!("{:.0}x", lite.as_secs_f64() / memory.as_secs_f64()),
        );
    }

    // A hot replica built from each store, and a broad selector counted rather than fetched.
    println!();
    let start = Instant::now();
    let replica = Fleet::load_from(&mut sqlite).expect("reads");
    println!(
        "Fleet::load_from: SQLite {:.2} s ({} nodes)",
        start.elapsed().as_secs_f64(),
        replica.len()
    );
    if let Some((store, _, _)) = &mut pg {
        let start = Instant::now();
        let replica = Fleet::load_from(store).expect("reads");
        println!(
            "Fleet::load_from: PostgreSQL {:.2} s ({} nodes)",
            start.elapsed().as_secs_f64(),
            replica.len()
        );
    }
    for (name, matcher) in cases
        .iter()
        .filter(|(name, _)| name == "os-linux" || name == "empty")
    {
        let lite = median(runs, || sqlite.count(matcher).expect("counts"));
        let postgres = match &mut pg {
            Some((store, _, _)) => ms(median(runs, || store.count(matcher).expect("counts"))),
            None => "-".into(),
        };
        println!(
            "count {name}: SQLite {} ms, PostgreSQL {postgres} ms",
            ms(lite)
        );
    }

    // What SQL written by hand answers: text comparisons, and `<>` dropping nodes without the key.
    if let Some((_, client, _)) = &mut pg {
        println!();
        let hand = [
            (
                "gpu!=nvidia-h100",
                "SELECT count(*) FROM labelsel_nodes WHERE labels->>'gpu' <> 'nvidia-h100'",
            ),
            (
                "cpu>8",
                "SELECT count(*) FROM labelsel_nodes WHERE labels->>'cpu' > '8'",
            ),
        ];
        for (expression, sql) in hand {
            let matcher = labelsel::Selector::new()
                .expression(expression)
                .compile()
                .unwrap();
            let by_hand: i64 = client.query_one(sql, &[]).expect("counts").get(0);
            println!(
                "{expression}: by hand {by_hand} rows ({sql}); labelsel {}",
                fleet.count(&matcher)
            );
        }
    }

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    let mut group = criterion.benchmark_group("sql-100000");
    for (name, matcher) in cases.iter().filter(|(name, _)| name == "rack-eq") {
        group.bench_function(BenchmarkId::new("memory", name), |b| {
            b.iter(|| fleet.select(matcher).len())
        });
        group.bench_function(BenchmarkId::new("sqlite", name), |b| {
            b.iter(|| sqlite.select(matcher).expect("selects").len())
        });
        if let Some((store, _, _)) = &mut pg {
            group.bench_function(BenchmarkId::new("postgres", name), |b| {
                b.iter(|| store.select(matcher).expect("selects").len())
            });
        }
    }
    group.finish();
    criterion.final_summary();

    drop(sqlite);
    let _ = std::fs::remove_file(&path);
    if let Some((_, _, base)) = pg {
        let mut client = postgres::Client::connect(&base, postgres::NoTls).expect("connects");
        let _ = client.batch_execute("DROP SCHEMA labelsel_bench CASCADE");
    }
}
