//! Scans the benchmark fleet (`tests/it/support/generate.rs`, 100,000 nodes, seed 7) with each of the 15 selectors:
//! labelsel's `Matcher::matches` over prepared `LabelSet`s and over `HashMap<String, String>`,
//! `Matcher::matches_into` over the same `HashMap`s, and kube-core's `Selector::matches` over `BTreeMap`
//! for the 12 selectors it can express, side by side in one run.
//!
//! `cargo bench --bench match` (add `-- --quick` for a shorter run; `LABELSEL_NODES=N` for another size).

#[path = "../tests/it/support/workload.rs"]
mod workload;

use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use labelsel::{LabelSet, Matcher};
use workload::{KubeSelector, REFERENCE_COUNTS, Workload};

/// The fleet in each of the label forms measured.
struct Fleet {
    ids: Vec<String>,
    prepared: Vec<LabelSet>,
    hashed: Vec<HashMap<String, String>>,
    /// The same maps with a fast hasher instead of std's SipHash.
    fast: Vec<HashMap<String, String, foldhash::fast::RandomState>>,
    btree: Vec<BTreeMap<String, String>>,
}

struct Case {
    name: String,
    matcher: Matcher,
    kube: Option<KubeSelector>,
}

fn scan_prepared(fleet: &Fleet, matcher: &Matcher) -> usize {
    fleet
        .ids
        .iter()
        .zip(&fleet.prepared)
        .filter(|(id, labels)| matcher.matches(id, *labels))
        .count()
}

fn scan_hashed(fleet: &Fleet, matcher: &Matcher) -> usize {
    fleet
        .ids
        .iter()
        .zip(&fleet.hashed)
        .filter(|(id, labels)| matcher.matches(id, *labels))
        .count()
}

fn scan_fast(fleet: &Fleet, matcher: &Matcher) -> usize {
    fleet
        .ids
        .iter()
        .zip(&fleet.fast)
        .filter(|(id, labels)| matcher.matches(id, *labels))
        .count()
}

/// `Matcher::matches_into`: blocks of nodes, one requirement across a block at a time.
fn scan_hashed_in_blocks(fleet: &Fleet, matcher: &Matcher, into: &mut Vec<usize>) -> usize {
    into.clear();
    matcher.matches_into(
        fleet.ids.iter().map(String::as_str).zip(&fleet.hashed),
        into,
    );
    into.len()
}

fn scan_kube(fleet: &Fleet, kube: &KubeSelector) -> usize {
    fleet
        .ids
        .iter()
        .zip(&fleet.btree)
        .filter(|(id, labels)| kube.matches(id, labels))
        .count()
}

fn owned_pairs(node: &workload::Node) -> impl Iterator<Item = (String, String)> + '_ {
    node.labels.iter().map(|(k, v)| (k.clone(), v.clone()))
}

fn median_ms(mut f: impl FnMut() -> usize, runs: usize) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let nodes: usize = std::env::var("LABELSEL_NODES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let workload = Workload::generate(nodes, 7);
    let fleet = Fleet {
        ids: workload.nodes.iter().map(|n| n.id.clone()).collect(),
        prepared: workload
            .nodes
            .iter()
            .map(|n| n.labels.iter().collect())
            .collect(),
        // Both std maps are built the same way, from the node's pairs, each in one pass.
        hashed: workload
            .nodes
            .iter()
            .map(|n| owned_pairs(n).collect())
            .collect(),
        fast: workload
            .nodes
            .iter()
            .map(|n| owned_pairs(n).collect())
            .collect(),
        btree: workload
            .nodes
            .iter()
            .map(|n| owned_pairs(n).collect())
            .collect(),
    };
    let cases: Vec<Case> = workload
        .selectors
        .iter()
        .map(|named| Case {
            name: named.name.clone(),
            matcher: named
                .selector
                .compile()
                .expect("workload selectors compile"),
            kube: KubeSelector::new(&named.selector),
        })
        .collect();

    // Every engine and label form must give the same counts, and on the reference fleet the counts
    // recorded from Kubernetes.
    for case in &cases {
        let count = scan_prepared(&fleet, &case.matcher);
        assert_eq!(scan_hashed(&fleet, &case.matcher), count, "{}", case.name);
        assert_eq!(scan_fast(&fleet, &case.matcher), count, "{}", case.name);
        let mut positions = Vec::new();
        assert_eq!(
            scan_hashed_in_blocks(&fleet, &case.matcher, &mut positions),
            count,
            "{}",
            case.name
        );
        if let Some(kube) = &case.kube {
            assert_eq!(scan_kube(&fleet, kube), count, "kube-core: {}", case.name);
        }
        if nodes == 100_000 {
            let want = REFERENCE_COUNTS.iter().find(|(n, _)| *n == case.name);
            assert_eq!(Some(count), want.map(|w| w.1), "{}", case.name);
        }
    }

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    let mut group = criterion.benchmark_group(format!("scan-{nodes}"));
    for case in &cases {
        group.bench_function(BenchmarkId::new("labelsel-labelset", &case.name), |b| {
            b.iter(|| scan_prepared(&fleet, &case.matcher))
        });
        group.bench_function(BenchmarkId::new("labelsel-hashmap", &case.name), |b| {
            b.iter(|| scan_hashed(&fleet, &case.matcher))
        });
        let mut positions = Vec::with_capacity(fleet.ids.len());
        group.bench_function(
            BenchmarkId::new("labelsel-hashmap-blocks", &case.name),
            |b| b.iter(|| scan_hashed_in_blocks(&fleet, &case.matcher, &mut positions)),
        );
        if let Some(kube) = &case.kube {
            group.bench_function(BenchmarkId::new("kube-core-btreemap", &case.name), |b| {
                b.iter(|| scan_kube(&fleet, kube))
            });
        }
    }
    group.finish();
    criterion.final_summary();

    if std::env::args().any(|arg| arg == "--bench") {
        side_by_side(&fleet, &cases);
    }
}

/// Median of 7 full scans per selector and label form, and the totals as ratios against kube-core.
fn side_by_side(fleet: &Fleet, cases: &[Case]) {
    println!(
        "\nFull scans of {} nodes, median of 7 runs, ms (fast hm: HashMap with foldhash)",
        fleet.ids.len()
    );
    println!(
        "{:<20} {:>8} {:>9} {:>9} {:>9} {:>10} {:>10} {:>8} {:>8} {:>8} {:>8}",
        "selector",
        "matches",
        "labelset",
        "hashmap",
        "fast hm",
        "hm blocks",
        "kube-core",
        "ls x",
        "hm x",
        "fast x",
        "hmb x"
    );
    let mut positions = Vec::with_capacity(fleet.ids.len());
    let (mut all, mut expressible) = (0.0, [0.0f64; 5]);
    for case in cases {
        let count = scan_prepared(fleet, &case.matcher);
        let prepared = median_ms(|| scan_prepared(fleet, &case.matcher), 7);
        let hashed = median_ms(|| scan_hashed(fleet, &case.matcher), 7);
        let fast = median_ms(|| scan_fast(fleet, &case.matcher), 7);
        let blocks = median_ms(
            || scan_hashed_in_blocks(fleet, &case.matcher, &mut positions),
            7,
        );
        all += prepared;
        let kube = case
            .kube
            .as_ref()
            .map(|k| median_ms(|| scan_kube(fleet, k), 7));
        match kube {
            Some(kube) => {
                for (total, time) in expressible
                    .iter_mut()
                    .zip([prepared, hashed, fast, blocks, kube])
                {
                    *total += time;
                }
                println!(
                    "{:<20} {count:>8} {prepared:>9.2} {hashed:>9.2} {fast:>9.2} {blocks:>10.2} \
                     {kube:>10.2} {:>7.1}x {:>7.1}x {:>7.1}x {:>7.1}x",
                    case.name,
                    kube / prepared,
                    kube / hashed,
                    kube / fast,
                    kube / blocks
                );
            }
            None => println!(
                "{:<20} {count:>8} {prepared:>9.2} {hashed:>9.2} {fast:>9.2} {blocks:>10.2} {:>10}",
                case.name, "-"
            ),
        }
    }
    let [prepared, hashed, fast, blocks, kube] = expressible;
    println!(
        "\n12 selectors kube-core can express, ms: labelset {prepared:.1}, hashmap {hashed:.1}, \
         fast hashmap {fast:.1}, hashmap in blocks {blocks:.1}, kube-core {kube:.1}"
    );
    println!(
        "faster than kube-core: labelset {:.1}x, hashmap {:.2}x, fast hashmap {:.2}x, \
         hashmap in blocks {:.2}x",
        kube / prepared,
        kube / hashed,
        kube / fast,
        kube / blocks
    );
    println!(
        "all 15 selectors over LabelSet: {all:.1} ms (Kubernetes' Go implementation, recorded on a \
         machine of this kind: about 350 ms, {:.1}x)",
        350.0 / all
    );
}
