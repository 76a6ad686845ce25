//! Snapshots of a fleet that is being written to, on the benchmark workload
//! (`tests/it/support/generate.rs`, seed 7):
//!
//! 1. what a snapshot (`Fleet::clone`) costs;
//! 2. what one update costs with and without a snapshot outstanding (the first write after a snapshot
//!    copies the chunks, shards and bitmaps it touches);
//! 3. a writer relabelling nodes (each update gives a node a new `heartbeat` value, so strings come and
//!    go) while a reader thread counts the 15 workload selectors over and over: updates per second,
//!    selections per second and the longest the reader waited for the lock, first with the fleet
//!    behind an `RwLock` (the reader holds the read lock while it selects), then with the writer
//!    publishing a snapshot after every batch of 1, 10, 100 or 1,000 updates (the reader holds the lock
//!    only to take the current snapshot).
//!
//! `cargo bench --bench snapshot` (add `-- --quick` for shorter runs). `LABELSEL_SNAPSHOT_NODES` sets
//! the fleet size (default `100000`; `1000000` takes about 3 GB and a few minutes to generate).

#[path = "../tests/it/support/workload.rs"]
mod workload;

use std::hint::black_box;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use labelsel::{Fleet, Matcher};
use workload::{Node, Workload};

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    let n: usize = std::env::var("LABELSEL_SNAPSHOT_NODES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let workload = Workload::generate(n, 7);
    let matchers: Vec<Matcher> = workload
        .selectors
        .iter()
        .map(|named| {
            named
                .selector
                .compile()
                .expect("workload selectors compile")
        })
        .collect();
    let mut fleet = Fleet::new();
    for node in &workload.nodes {
        fleet.insert(&node.id, &node.labels);
    }
    println!("{n} nodes, {} heap bytes", fleet.heap_bytes());

    let runs = if quick { 11 } else { 51 };
    let clone = median(runs, || black_box(fleet.clone()));
    println!("\nsnapshot (Fleet::clone): median {clone:?} of {runs}");

    let mut updates = Updates::new(&workload.nodes);
    let alone = median(runs * 10, || updates.apply(&mut fleet));
    let mut after_snapshot = Vec::with_capacity(runs * 10);
    for _ in 0..runs * 10 {
        let snapshot = fleet.clone();
        let start = Instant::now();
        updates.apply(&mut fleet);
        after_snapshot.push(start.elapsed());
        drop(snapshot);
    }
    after_snapshot.sort();
    println!(
        "one update: median {alone:?} with no snapshot outstanding, {:?} right after a snapshot",
        after_snapshot[after_snapshot.len() / 2]
    );

    let seconds = if quick { 1.0 } else { 3.0 };
    println!(
        "\nwriter and one reader for {seconds} s each:\n{:<28} {:>12} {:>14} {:>16}",
        "", "updates/s", "selections/s", "longest wait"
    );
    let locked = locked_fleet(fleet.clone(), &workload.nodes, &matchers, seconds);
    locked.print("RwLock<Fleet>");
    for batch in [1, 10, 100, 1000] {
        let published =
            published_snapshots(fleet.clone(), &workload.nodes, &matchers, seconds, batch);
        published.print(&format!("snapshot every {batch} updates"));
    }
}

fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let kept = f();
            let elapsed = start.elapsed();
            drop(kept);
            elapsed
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Relabels the workload's nodes in a scrambled order, each with a new `heartbeat` value.
struct Updates<'w> {
    nodes: &'w [Node],
    next: usize,
}

impl<'w> Updates<'w> {
    fn new(nodes: &'w [Node]) -> Updates<'w> {
        Updates { nodes, next: 0 }
    }

    fn apply(&mut self, fleet: &mut Fleet) {
        let node = &self.nodes[self.next * 7919 % self.nodes.len()];
        let heartbeat = (1_700_000_000 + self.next).to_string();
        self.next += 1;
        let labels = node
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain([("heartbeat", heartbeat.as_str())]);
        fleet.insert(&node.id, labels);
    }
}

struct Throughput {
    updates: usize,
    selections: usize,
    elapsed: Duration,
    longest_wait: Duration,
}

impl Throughput {
    fn print(&self, name: &str) {
        let per_second = |count: usize| count as f64 / self.elapsed.as_secs_f64();
        println!(
            "{name:<28} {:>12.0} {:>14.0} {:>16?}",
            per_second(self.updates),
            per_second(self.selections),
            self.longest_wait
        );
    }
}

/// A writer calling `write` (which returns how many updates it made) for `seconds`, while a reader
/// thread takes the fleet with `take` (timing the wait), counts every selector and lets it go, over
/// and over.
fn race<G: Deref<Target = Fleet>>(
    seconds: f64,
    matchers: &[Matcher],
    take: impl Fn() -> G + Sync,
    mut write: impl FnMut() -> usize,
) -> Throughput {
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let (mut selections, mut longest_wait) = (0, Duration::ZERO);
            while !stop.load(Ordering::Relaxed) {
                let start = Instant::now();
                let fleet = take();
                longest_wait = longest_wait.max(start.elapsed());
                for matcher in matchers {
                    black_box(fleet.count(matcher));
                }
                selections += matchers.len();
            }
            (selections, longest_wait)
        });
        let start = Instant::now();
        let mut updates = 0;
        while start.elapsed().as_secs_f64() < seconds {
            updates += write();
        }
        let elapsed = start.elapsed();
        stop.store(true, Ordering::Relaxed);
        let (selections, longest_wait) = reader.join().expect("the reader finishes");
        Throughput {
            updates,
            selections,
            elapsed,
            longest_wait,
        }
    })
}

/// The fleet behind an `RwLock`: the writer takes the write lock for every update, the reader holds
/// the read lock while it selects.
fn locked_fleet(fleet: Fleet, nodes: &[Node], matchers: &[Matcher], seconds: f64) -> Throughput {
    let shared = RwLock::new(fleet);
    let mut updates = Updates::new(nodes);
    race(
        seconds,
        matchers,
        || shared.read().expect("no writer panics"),
        || {
            updates.apply(&mut shared.write().expect("no reader panics"));
            1
        },
    )
}

/// The writer owns the fleet and publishes a snapshot after every `batch` updates; the reader holds
/// the lock only to take the current snapshot.
fn published_snapshots(
    mut fleet: Fleet,
    nodes: &[Node],
    matchers: &[Matcher],
    seconds: f64,
    batch: usize,
) -> Throughput {
    let published = RwLock::new(Arc::new(fleet.clone()));
    let mut updates = Updates::new(nodes);
    race(
        seconds,
        matchers,
        || Arc::clone(&published.read().expect("no writer panics")),
        || {
            for _ in 0..batch {
                updates.apply(&mut fleet);
            }
            let snapshot = Arc::new(fleet.clone());
            // The old snapshot is dropped outside the lock, by whoever holds it last.
            let old =
                std::mem::replace(&mut *published.write().expect("no reader panics"), snapshot);
            drop(old);
            batch
        },
    )
}
