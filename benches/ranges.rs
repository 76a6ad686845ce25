//! Integer ranges on a fleet of 100,000 nodes with distinct `ts` values (a permutation of
//! `0..100000`, so that value order is not slot order), a `zone` of 8 values and a `rack` of 500:
//! the thousand-comparison selector of the issue "A fleet that lives for months", ranges of every width,
//! ranges with a common and a rare value, and a plain scan with `Matcher::matches` for comparison.
//!
//! `cargo bench --bench ranges` (add `-- --quick` for a shorter run). `LABELSEL_RANGE_NODES` sets the
//! fleet size (default `100000`).

use std::hint::black_box;
use std::time::Duration;

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
    criterion.final_summary();
}
