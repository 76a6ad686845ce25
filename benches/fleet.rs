//! The fleet index on the benchmark workload (`tests/it/support/generate.rs`, seed 7): build time,
//! memory per node (also with a hostname label of its own on every node), `Fleet::select` for each of
//! the 15 selectors, and the total over the 12 selectors kube-core can
//! express against kube-core's linear scan, side by side in one run; then how select time grows with the
//! fleet.
//!
//! `cargo bench --bench fleet` (add `-- --quick` for a shorter run). `LABELSEL_FLEET_SIZES` lists the
//! fleet sizes for the growth table (default `10000,100000`; add `1000000` for a million nodes, which
//! takes a few minutes to generate and about 3 GB of memory).

#[path = "../tests/it/support/workload.rs"]
mod workload;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use labelsel::{Fleet, Matcher};
use workload::{KubeSelector, NamedSelector, Node, REFERENCE_COUNTS, Workload};

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

fn build(nodes: &[Node]) -> Fleet {
    let mut fleet = Fleet::new();
    for node in nodes {
        fleet.insert(&node.id, &node.labels);
    }
    fleet
}

/// Heap bytes of a node's labels held as `HashMap<String, String>`: the table (buckets of two `String`
/// headers plus a control byte each, at the load factor std uses) and one allocation per string, rounded
/// as glibc's malloc rounds them (16-byte steps, 32 bytes at least).
fn hashmap_bytes(labels: &BTreeMap<String, String>) -> usize {
    let buckets = (labels.len() * 8 / 7).next_power_of_two().max(4);
    let table = buckets * (2 * std::mem::size_of::<String>() + 1) + 16;
    let chunk = |len: usize| (len + 8).div_ceil(16).max(2) * 16;
    let strings: usize = labels
        .iter()
        .map(|(k, v)| chunk(k.len()) + chunk(v.len()))
        .sum();
    table + strings
}

fn compile(selectors: &[NamedSelector]) -> Vec<(String, Matcher, Option<KubeSelector>)> {
    selectors
        .iter()
        .map(|named| {
            let matcher = named
                .selector
                .compile()
                .expect("workload selectors compile");
            (
                named.name.clone(),
                matcher,
                KubeSelector::new(&named.selector),
            )
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let benching = args.iter().any(|arg| arg == "--bench");
    let workload = Workload::generate(100_000, 7);
    let fleet = build(&workload.nodes);
    let cases = compile(&workload.selectors);

    // The index must agree with a scan, in order, and with the counts recorded from Kubernetes.
    for (name, matcher, _) in &cases {
        let scanned = fleet
            .iter()
            .filter(|(id, labels)| matcher.matches(id, labels))
            .map(|(id, _)| id);
        let selection = fleet.select(matcher);
        assert!(selection.iter().eq(scanned), "{name}");
        let want = REFERENCE_COUNTS
            .iter()
            .find(|(n, _)| n == name)
            .map(|w| w.1);
        assert_eq!(Some(selection.len()), want, "{name}");
    }

    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    let mut group = criterion.benchmark_group("select-100000");
    for (name, matcher, _) in &cases {
        group.bench_function(BenchmarkId::new("fleet", name), |b| {
            b.iter(|| fleet.select(matcher).len())
        });
    }
    group.finish();
    criterion.final_summary();

    if benching {
        side_by_side(&workload, &fleet, &cases);
        growth();
    }
}

fn side_by_side(
    workload: &Workload,
    fleet: &Fleet,
    cases: &[(String, Matcher, Option<KubeSelector>)],
) {
    let nodes = workload.nodes.len();
    let build_time = median(3, || build(&workload.nodes));
    let hashmap: usize = workload
        .nodes
        .iter()
        .map(|n| hashmap_bytes(&n.labels))
        .sum();
    println!("\nFleet of {nodes} nodes: built in {build_time:.2?} (median of 3)");
    println!(
        "memory: {} bytes per node in the fleet, {} bytes per node as HashMap<String, String> ({:.1}x)",
        fleet.heap_bytes() / nodes,
        hashmap / nodes,
        hashmap as f64 / fleet.heap_bytes() as f64
    );
    let mut with_hostnames = Fleet::new();
    for node in &workload.nodes {
        let hostname = ("kubernetes.io/hostname", node.id.as_str());
        let labels = node.labels.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        with_hostnames.insert(&node.id, labels.chain([hostname]));
    }
    println!(
        "with a label of its own on every node (kubernetes.io/hostname = its id): {} bytes per node",
        with_hostnames.heap_bytes() / nodes
    );

    let btree: Vec<(&str, &BTreeMap<String, String>)> = workload
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), &n.labels))
        .collect();
    println!(
        "\n{:<20} {:>9} {:>12} {:>14} {:>9}",
        "selector", "matches", "select µs", "kube-core µs", "ratio"
    );
    let (mut fleet_total, mut kube_total, mut all) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for (name, matcher, kube) in cases {
        let count = fleet.count(matcher);
        let select = median(21, || fleet.select(matcher).len());
        all += select;
        match kube {
            Some(kube) => {
                let scan = median(5, || {
                    btree.iter().filter(|(id, l)| kube.matches(id, l)).count()
                });
                fleet_total += select;
                kube_total += scan;
                println!(
                    "{name:<20} {count:>9} {:>12.1} {:>14.1} {:>8.0}x",
                    micros(select),
                    micros(scan),
                    scan.as_secs_f64() / select.as_secs_f64()
                );
            }
            None => println!(
                "{name:<20} {count:>9} {:>12.1} {:>14} {:>9}",
                micros(select),
                "-",
                "-"
            ),
        }
    }
    println!(
        "\n12 selectors kube-core can express: Fleet::select {:.1} µs in total, kube-core scan {:.1} ms -> {:.0}x",
        micros(fleet_total),
        kube_total.as_secs_f64() * 1e3,
        kube_total.as_secs_f64() / fleet_total.as_secs_f64()
    );
    println!(
        "all 15 selectors: Fleet::select {:.1} µs in total (Kubernetes' Go scan: about 350 ms, {:.0}x)",
        micros(all),
        0.350 / all.as_secs_f64()
    );
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Build time, memory and the total select time of the 15 selectors at each fleet size.
fn growth() {
    let sizes: Vec<usize> = std::env::var("LABELSEL_FLEET_SIZES")
        .unwrap_or_else(|_| "10000,100000".to_string())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    println!(
        "\n{:>9} {:>10} {:>11} {:>16}",
        "nodes", "build ms", "bytes/node", "select-all-15 µs"
    );
    for nodes in sizes {
        let workload = Workload::generate(nodes, 7);
        let start = Instant::now();
        let fleet = build(&workload.nodes);
        let built = start.elapsed();
        let cases = compile(&workload.selectors);
        let total: Duration = cases
            .iter()
            .map(|(_, matcher, _)| median(11, || fleet.select(matcher).len()))
            .sum();
        println!(
            "{nodes:>9} {:>10.0} {:>11} {:>16.1}",
            built.as_secs_f64() * 1e3,
            fleet.heap_bytes() / nodes,
            micros(total)
        );
    }
}
