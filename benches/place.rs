//! Placement on the benchmark workload (`tests/it/support/generate.rs`, 100,000 nodes, seed 7):
//! `Fleet::place` for the top 10, 100 and 1,000 nodes of placements with 1–3 required terms and 3–4
//! weighted preferences (one negative), against kube-core evaluating every term on every node, summing
//! the weights and selecting the top k, side by side in one run; the results must be identical.
//!
//! Then, for the spread and rollout of a whole fleet: `Selection::count_by` over keys of 4 to 5,000
//! values and `Selection::rollout` of 100,000 nodes, against counting and ordering node by node.
//!
//! `cargo bench --bench place` (add `-- --quick` for a shorter run).

#[path = "../tests/it/support/workload.rs"]
mod workload;

use std::cmp::Reverse;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use labelsel::{Fleet, Placement, Placer, Preference, Selector, Term};
use workload::{KubeSelector, Node, Workload};

/// A placement's terms as selector strings: required terms (ORed), then (weight, term) preferences.
struct Case {
    name: &'static str,
    required: &'static [&'static str],
    preferred: &'static [(i32, &'static str)],
}

const CASES: [Case; 3] = [
    Case {
        name: "1-term",
        required: &["kubernetes.io/os=linux,kubernetes.io/arch=amd64,!maintenance"],
        preferred: &[
            (20, "gpu"),
            (10, "tier=premium"),
            (5, "disk=nvme"),
            (-15, "tier=spot"),
        ],
    },
    Case {
        name: "2-terms",
        required: &[
            "topology.kubernetes.io/region in (us-east-1,eu-west-1),env=prod",
            "gpu in (nvidia-h100,nvidia-a100)",
        ],
        preferred: &[(8, "disk in (nvme,ssd)"), (4, "owner"), (-6, "tier=spot")],
    },
    Case {
        name: "3-terms",
        required: &[
            "env=prod,tier=premium",
            "team in (team-000,team-001,team-002)",
            "topology.kubernetes.io/zone=us-west-2a,!debug",
        ],
        preferred: &[
            (7, "kubernetes.io/arch=arm64"),
            (3, "env=prod"),
            (2, "disk!=hdd"),
            (-9, "debug"),
        ],
    },
];

fn term(text: &str) -> Term {
    Term {
        match_expressions: vec![text.to_string()],
        ..Term::default()
    }
}

fn placer(case: &Case) -> Placer {
    Placement {
        required: Some(case.required.iter().map(|text| term(text)).collect()),
        preferred: case
            .preferred
            .iter()
            .map(|(weight, text)| Preference {
                weight: *weight,
                selector: term(text),
            })
            .collect(),
    }
    .compile()
    .expect("bench placements compile")
}

/// The same placement in kube-core: one selector per term.
struct KubePlacement {
    required: Vec<KubeSelector>,
    preferred: Vec<(i64, KubeSelector)>,
}

fn kube(case: &Case) -> KubePlacement {
    let selector = |text: &str| {
        KubeSelector::new(&Selector::new().expression(text)).expect("kube-core expresses it")
    };
    KubePlacement {
        required: case.required.iter().map(|text| selector(text)).collect(),
        preferred: case
            .preferred
            .iter()
            .map(|(weight, text)| (i64::from(*weight), selector(text)))
            .collect(),
    }
}

/// Every term on every node, weights summed, the top k by (score descending, fleet order).
fn kube_place(nodes: &[Node], placement: &KubePlacement, k: usize) -> Vec<(String, i64)> {
    let mut feasible: Vec<(Reverse<i64>, usize)> = nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| {
            placement
                .required
                .iter()
                .any(|term| term.matches(&node.id, &node.labels))
        })
        .map(|(position, node)| {
            let score: i64 = placement
                .preferred
                .iter()
                .filter(|(_, term)| term.matches(&node.id, &node.labels))
                .map(|(weight, _)| weight)
                .sum();
            (Reverse(score), position)
        })
        .collect();
    if k < feasible.len() {
        feasible.select_nth_unstable(k);
        feasible.truncate(k);
    }
    feasible.sort_unstable();
    feasible
        .into_iter()
        .map(|(Reverse(score), position)| (nodes[position].id.clone(), score))
        .collect()
}

fn labelsel_place(fleet: &Fleet, placer: &Placer, k: usize) -> Vec<(String, i64)> {
    fleet
        .place(placer, k)
        .into_iter()
        .map(|placed| (placed.id.to_string(), placed.score))
        .collect()
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

const TOP: [usize; 3] = [10, 100, 1000];

fn main() {
    let benching = std::env::args().any(|arg| arg == "--bench");
    let workload = Workload::generate(100_000, 7);
    let mut fleet = Fleet::new();
    for node in &workload.nodes {
        fleet.insert(&node.id, &node.labels);
    }
    let cases: Vec<(&Case, Placer, KubePlacement)> = CASES
        .iter()
        .map(|case| (case, placer(case), kube(case)))
        .collect();

    // Both engines must give the same nodes and scores, in the same order.
    for (case, placer, kube_placement) in &cases {
        for k in TOP {
            let want = kube_place(&workload.nodes, kube_placement, k);
            assert_eq!(
                labelsel_place(&fleet, placer, k),
                want,
                "{} top {k}",
                case.name
            );
        }
    }

    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    let mut group = criterion.benchmark_group("place-100000");
    for (case, placer, _) in &cases {
        for k in TOP {
            group.bench_function(BenchmarkId::new(case.name, k), |b| {
                b.iter(|| black_box(fleet.place(placer, k)).len())
            });
        }
    }
    group.finish();
    criterion.final_summary();

    if benching {
        println!("\nTop k of 100,000 nodes, medians; ratio = kube-core / labelsel");
        println!(
            "{:<10} {:>6} {:>12} {:>15} {:>10}",
            "placement", "k", "labelsel µs", "kube-core µs", "ratio"
        );
        for (case, placer, kube_placement) in &cases {
            for k in TOP {
                let ours = median(21, || {
                    black_box(fleet.place(placer, k));
                });
                let theirs = median(5, || {
                    black_box(kube_place(&workload.nodes, kube_placement, k));
                });
                println!(
                    "{:<10} {k:>6} {:>12.1} {:>15.1} {:>9.0}x",
                    case.name,
                    ours.as_secs_f64() * 1e6,
                    theirs.as_secs_f64() * 1e6,
                    theirs.as_secs_f64() / ours.as_secs_f64()
                );
            }
        }
        spread_and_rollout(&fleet, &workload.nodes);
    }
}

/// `count_by` and `rollout` on the whole fleet, beside the same answers computed node by node.
fn spread_and_rollout(fleet: &Fleet, nodes: &[Node]) {
    let everything = Selector::new()
        .compile()
        .expect("the empty selector compiles");
    let selection = fleet.select(&everything);
    println!("\nSpread and rollout of all 100,000 nodes, medians");
    println!(
        "{:<40} {:>12} {:>16} {:>8}",
        "what", "labelsel µs", "node by node µs", "ratio"
    );
    for key in ["gpu", "topology.kubernetes.io/zone", "team", "rack"] {
        let ours = median(21, || {
            black_box(selection.count_by(key));
        });
        let theirs = median(5, || {
            let mut counts: std::collections::HashMap<Option<&str>, usize> = Default::default();
            for node in nodes {
                *counts
                    .entry(node.labels.get(key).map(String::as_str))
                    .or_default() += 1;
            }
            black_box(counts);
        });
        let spread = selection.count_by(key);
        println!(
            "{:<40} {:>12.1} {:>16.1} {:>7.0}x",
            format!("count_by({key}), {} values", spread.values().len()),
            ours.as_secs_f64() * 1e6,
            theirs.as_secs_f64() * 1e6,
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
    let ours = median(7, || {
        black_box(selection.rollout(42));
    });
    println!(
        "{:<40} {:>12.1}",
        "rollout(42) of 100,000 nodes",
        ours.as_secs_f64() * 1e6
    );
}
