//! Parse, match and print the selectors of Kubernetes' published benchmark figures, then print
//! labelsel's medians beside Go's: beside the figures measured side by side with Go on a machine of
//! this kind, and beside the published ones.
//!
//! `cargo bench --bench parse` (add `-- --quick` for a shorter run).

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use labelsel::{Expression, LabelSet};

/// Go's `labels.Parse` medians in ns, measured side by side with labelsel on a 2-core machine of this
/// kind: Go 1.27, `k8s.io/apimachinery` at its head, interleaved rounds of both programs.
const GO_MEASURED: [(&str, f64); 5] = [
    ("app=nginx", 1220.0),
    ("environment in (production, qa)", 2025.0),
    ("partition", 747.0),
    (
        "app=nginx,environment in (production,qa),tier notin (frontend,backend),partition",
        6087.0,
    ),
    ("env in (prod, staging), gpu, !debug, cpu > 8", 4737.0),
];

/// Selector, and Kubernetes' published `labels.Parse`, `Matches` and `String()` times in ns on a
/// 2-vCPU machine (not measured here: the ratios against them are indicative only).
const REFERENCE: [(&str, f64, f64, f64); 5] = [
    ("app=nginx", 1676.0, 17.9, 65.5),
    ("app=nginx,tier=frontend,env=prod", 4850.0, 42.5, 304.0),
    (
        "environment in (production,qa),tier notin (frontend,backend),partition,!canary",
        7618.0,
        58.3,
        579.0,
    ),
    (
        "app.kubernetes.io/name=nginx,app.kubernetes.io/instance in (a,b,c)",
        6504.0,
        40.5,
        293.0,
    ),
    ("x>1,y<100", 3088.0, 70.7, 171.0),
];

/// An 11-label node, as in the reference measurement.
fn node() -> HashMap<String, String> {
    [
        ("app", "nginx"),
        ("tier", "frontend"),
        ("env", "prod"),
        ("environment", "production"),
        ("partition", "p1"),
        ("app.kubernetes.io/name", "nginx"),
        ("app.kubernetes.io/instance", "b"),
        ("x", "2"),
        ("y", "99"),
        ("zone", "us-east-1a"),
        ("team", "team-007"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (input, ..) in REFERENCE {
        group.bench_function(input, |b| b.iter(|| Expression::parse(black_box(input))));
    }
    group.finish();
}

fn matches(c: &mut Criterion) {
    let labels = node();
    let mut group = c.benchmark_group("matches");
    for (input, ..) in REFERENCE {
        let expr = Expression::parse(input).unwrap();
        group.bench_function(input, |b| b.iter(|| black_box(&expr).matches(&labels)));
    }
    group.finish();
}

fn print(c: &mut Criterion) {
    let mut group = c.benchmark_group("to_string");
    for (input, ..) in REFERENCE {
        let expr = Expression::parse(input).unwrap();
        group.bench_function(input, |b| b.iter(|| black_box(&expr).to_string()));
    }
    group.finish();
}

/// Median time per call over 15 batches of about 20 ms each.
fn median_ns<T>(mut f: impl FnMut() -> T) -> f64 {
    let start = Instant::now();
    let mut calibration = 0u64;
    while start.elapsed() < Duration::from_millis(20) {
        black_box(f());
        calibration += 1;
    }
    let mut batches: Vec<f64> = (0..15)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calibration {
                black_box(f());
            }
            start.elapsed().as_nanos() as f64 / calibration as f64
        })
        .collect();
    batches.sort_by(f64::total_cmp);
    batches[batches.len() / 2]
}

/// labelsel's medians beside the Go figures, as ratios (Go time / labelsel time). Matching is timed
/// over the node as a `HashMap<String, String>` and as a prepared `LabelSet`.
fn side_by_side() {
    let labels = node();
    let prepared: LabelSet = labels.iter().collect();
    println!(
        "\nlabelsel::Expression::parse vs Go labels.Parse measured side by side; ratio = Go / labelsel"
    );
    println!(
        "{:<80} {:>9} {:>9} {:>7}",
        "selector", "Go ns", "parse ns", "ratio"
    );
    for (input, go_parse) in GO_MEASURED {
        let parse = median_ns(|| Expression::parse(black_box(input)));
        println!(
            "{input:<80} {go_parse:>9.0} {parse:>9.1} {:>6.1}x",
            go_parse / parse
        );
    }
    println!("\nlabelsel vs Kubernetes' published figures (indicative); ratio = Go / labelsel");
    println!(
        "{:<80} {:>9} {:>7} {:>9} {:>7} {:>9} {:>7} {:>9} {:>7}",
        "selector",
        "parse ns",
        "ratio",
        "match/hm",
        "ratio",
        "match/ls",
        "ratio",
        "print ns",
        "ratio"
    );
    for (input, go_parse, go_match, go_print) in REFERENCE {
        let expr = Expression::parse(input).unwrap();
        let parse = median_ns(|| Expression::parse(black_box(input)));
        let hashed = median_ns(|| black_box(&expr).matches(&labels));
        let set = median_ns(|| black_box(&expr).matches(&prepared));
        let printed = median_ns(|| black_box(&expr).to_string());
        println!(
            "{input:<80} {parse:>9.1} {:>6.1}x {hashed:>9.1} {:>6.1}x {set:>9.1} {:>6.1}x \
             {printed:>9.1} {:>6.1}x",
            go_parse / parse,
            go_match / hashed,
            go_match / set,
            go_print / printed
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = parse, matches, print
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo test --benches` runs each benchmark once as a test; the comparison is for `cargo bench`.
    if std::env::args().any(|arg| arg == "--bench") {
        side_by_side();
    }
}
