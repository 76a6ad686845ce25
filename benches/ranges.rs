//! Integer ranges on a fleet of 100,000 nodes with distinct `ts` values (a permutation of
//! `0..100000`, so that value order is not slot order), a `zone` of 8 values and a `rack` of 500:
//! the thousand-comparison selector of the issue "A fleet that lives for months", ranges of every width,
//! ranges with a common and a rare value, and a plain scan with `Matcher::matches` for comparison.
//!
//! A second group, `cardinality-*`, counts `ts>half` and a 10% middle range as the number of distinct
//! `ts` values grows 10 → 100 → 1,000 → 10,000 → 100,000 on a fleet of the same size, on a key whose
//! values are all integers and on one where every tenth node has a word instead (`tsx`), each against
//! a scan of the same selector; a table of the ratios (medians of a few timed runs of each) follows.
//! `LABELSEL_RANGES_MILLION=1` adds 1,000,000 distinct values on a fleet of 1,000,000 nodes.
//!
//! `cargo bench --bench ranges` (add `-- --quick` for a shorter run). `LABELSEL_RANGE_NODES` sets the
//! fleet size (default `100000`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use labelsel::{Fleet, Matcher, Selector};

fn main() {
    let n: u64 = std::env::var("LABELSEL_RANGE_NODES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let mut fleet = Fleet::new();
    for i in 0..n {
        let (ts, zone, rack) = (
            (i * 7919 % n).to_string(),
            format!("zone-{}", i % 8),
            format!("rack-{}", i % 500),
        );
        fleet.insert(
            &format!("node-{i}"),
            [("ts", ts), ("zone", zone), ("rack", rack)],
        );
    }
    let thousand: Vec<String> = (0..1000).map(|t| format!("ts>{t}")).collect();
    let thousand = thousand.join(",");
    let half = n / 2 - 1;
    let cases: Vec<(&str, Selector)> = vec![
        ("ts>0..ts>999", Selector::new().expression(&thousand)),
        (
            "ts>0..ts>999+1-id",
            Selector::new().expression(&thousand).id("node-4242"),
        ),
        ("ts>half", Selector::new().expression(format!("ts>{half}"))),
        (
            "ts<1pct",
            Selector::new().expression(format!("ts<{}", n / 100)),
        ),
        (
            "ts>99pct",
            Selector::new().expression(format!("ts>{}", n / 100)),
        ),
        (
            "ts-middle-10pct",
            Selector::new().expression(format!("ts>{},ts<{}", n / 2, n / 2 + n / 10 + 1)),
        ),
        (
            "zone+ts>half",
            Selector::new().expression(format!("zone=zone-3,ts>{half}")),
        ),
        (
            "rack+ts>half",
            Selector::new().expression(format!("rack=rack-7,ts>{half}")),
        ),
    ];
    let cases: Vec<(&str, Matcher)> = cases
        .into_iter()
        .map(|(name, selector)| (name, selector.compile().expect("bench selectors compile")))
        .collect();

    // The index must agree with a scan, in order.
    for (name, matcher) in &cases {
        let scanned = fleet
            .iter()
            .filter(|(id, labels)| matcher.matches(id, labels))
            .map(|(id, _)| id);
        assert!(fleet.select(matcher).iter().eq(scanned), "{name}");
    }

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    let criterion = &mut criterion;
    let mut group = criterion.benchmark_group(format!("ranges-{n}"));
    for (name, matcher) in &cases {
        group.bench_function(BenchmarkId::new("count", name), |b| {
            b.iter(|| fleet.count(black_box(matcher)))
        });
    }
    let (_, half) = &cases[2];
    group.bench_function(BenchmarkId::new("scan", "ts>half"), |b| {
        b.iter(|| {
            fleet
                .iter()
                .filter(|(id, labels)| half.matches(id, labels))
                .count()
        })
    });
    group.finish();
    drop(fleet);

    let mut sizes: Vec<(u64, u64)> = [10, 100, 1000, 10_000, 100_000]
        .into_iter()
        .map(|distinct| (distinct, n.max(distinct)))
        .collect();
    if std::env::var_os("LABELSEL_RANGES_MILLION").is_some_and(|v| v == "1") {
        sizes.push((1_000_000, 1_000_000));
    }
    let mut table = Vec::new();
    for (distinct, nodes) in sizes {
        table.extend(cardinality(criterion, distinct, nodes));
    }
    println!("\nrange counts against a scan of the same selector (medians of 7 runs):");
    println!(
        "{:>9} {:>9}  {:<18} {:>10} {:>10} {:>8}",
        "distinct", "nodes", "case", "count", "scan", "faster"
    );
    for row in table {
        println!(
            "{:>9} {:>9}  {:<18} {:>10.1?} {:>10.1?} {:>7.1}x",
            row.distinct,
            row.nodes,
            row.case,
            row.count,
            row.scan,
            row.scan.as_secs_f64() / row.count.as_secs_f64()
        );
    }
    criterion.final_summary();
}

/// One line of the table of ratios.
struct Row {
    distinct: u64,
    nodes: u64,
    case: &'static str,
    count: Duration,
    scan: Duration,
}

/// `nodes` nodes whose `ts` takes `distinct` values (node `i` has `p(i) % distinct` for a permutation
/// `p` of the slots), `tsx` the same except a word on every tenth node: `ts>half`, a 10% middle
/// range, and both on `tsx`, counted on the index and by a scan.
fn cardinality(criterion: &mut Criterion, distinct: u64, nodes: u64) -> Vec<Row> {
    let mut fleet = Fleet::new();
    for i in 0..nodes {
        let ts = (i * 7919 % nodes % distinct).to_string();
        let tsx = if i % 10 == 3 {
            "none".to_owned()
        } else {
            ts.clone()
        };
        fleet.insert(&format!("node-{i}"), [("ts", ts), ("tsx", tsx)]);
    }
    let half = distinct / 2 - 1;
    let (from, to) = (distinct / 2, distinct / 2 + distinct / 10 + 1);
    let cases: Vec<(&'static str, Matcher)> = [
        ("ts>half", format!("ts>{half}")),
        ("ts-middle-10pct", format!("ts>{from},ts<{to}")),
        ("tsx>half", format!("tsx>{half}")),
        ("tsx-middle-10pct", format!("tsx>{from},tsx<{to}")),
    ]
    .into_iter()
    .map(|(name, text)| {
        let matcher = Selector::new().expression(&text).compile();
        (name, matcher.expect("bench selectors compile"))
    })
    .collect();
    let scan = |matcher: &Matcher| {
        fleet
            .iter()
            .filter(|(id, labels)| matcher.matches(id, labels))
            .count()
    };
    for (name, matcher) in &cases {
        assert_eq!(fleet.count(matcher), scan(matcher), "{name} at {distinct}");
    }

    let mut group = criterion.benchmark_group(format!("cardinality-{distinct}-of-{nodes}"));
    for (name, matcher) in &cases {
        group.bench_function(BenchmarkId::new("count", name), |b| {
            b.iter(|| fleet.count(black_box(matcher)))
        });
    }
    let (_, half) = &cases[0];
    group.bench_function(BenchmarkId::new("scan", "ts>half"), |b| {
        b.iter(|| scan(black_box(half)))
    });
    group.finish();

    cases
        .iter()
        .map(|(case, matcher)| Row {
            distinct,
            nodes,
            case,
            count: median(|| fleet.count(black_box(matcher))),
            scan: median(|| scan(black_box(matcher))),
        })
        .collect()
}

/// The median time of seven runs of `f`.
fn median(mut f: impl FnMut() -> usize) -> Duration {
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort_unstable();
    times[times.len() / 2]
}
