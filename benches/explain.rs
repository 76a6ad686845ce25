//! `Matcher::explain` on single nodes and `Fleet::diagnose` on the benchmark fleet (generated in
//! `tests/it/support/generate.rs`, 100,000 nodes, seed 7), for each of the 15 selectors.
//!
//! `cargo bench --bench explain` (add `-- --quick` for a shorter run).

#[path = "../tests/it/support/workload.rs"]
mod workload;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use labelsel::{Fleet, LabelSet};
use workload::Workload;

fn main() {
    let workload = Workload::generate(100_000, 7);
    let mut fleet = Fleet::new();
    for node in &workload.nodes {
        fleet.insert(&node.id, &node.labels);
    }
    let node = &workload.nodes[0];
    let prepared: LabelSet = node.labels.iter().collect();

    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    let mut explain = criterion.benchmark_group("explain-one-node");
    for named in &workload.selectors {
        let matcher = named
            .selector
            .compile()
            .expect("workload selectors compile");
        explain.bench_function(BenchmarkId::from_parameter(&named.name), |b| {
            b.iter(|| matcher.explain(black_box(&node.id), &prepared))
        });
    }
    explain.finish();
    let mut diagnose = criterion.benchmark_group("diagnose-100000");
    for named in &workload.selectors {
        let matcher = named
            .selector
            .compile()
            .expect("workload selectors compile");
        diagnose.bench_function(BenchmarkId::from_parameter(&named.name), |b| {
            b.iter(|| fleet.diagnose(&matcher))
        });
    }
    diagnose.finish();
    criterion.final_summary();
}
