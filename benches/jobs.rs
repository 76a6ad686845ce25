//! The reverse index of pending jobs on the benchmark workload (`tests/it/support/generate.rs`, 100,000
//! nodes, seed 7): `SelectorIndex::matching` for a sample of 200 nodes against checking every job's
//! compiled `Matcher` on the node's `LabelSet` (the fastest scan), side by side in one run; both must
//! give the same job ids in the same order for every sampled node before anything is timed. Then the
//! cost of building the index (time and heap bytes per job), and how `matching` grows with the number
//! of jobs.
//!
//! The jobs are drawn from the fleet's actual labels with a seeded xorshift, mostly selective as pending
//! jobs are: a rack, one to three node ids, an instance type in a zone, a team's prod nodes, a GPU model
//! with a count; and 1% broad negation-only jobs (`!debug`, `tier notin (spot)`, `maintenance!=true`)
//! that no label can guard, so the index checks them for every node.
//!
//! `cargo bench --bench jobs` (add `-- --quick` for a shorter run). The growth table covers 10,000 and
//! 100,000 jobs; set `LABELSEL_JOBS_MILLION=1` (or pass `-- --million`) to add 1,000,000 jobs, which
//! takes about a minute more and a few GB of memory. With `--million`, criterion's other flags are not
//! parsed, except `--quick`; use the variable to combine it with them.

#[path = "../tests/it/support/workload.rs"]
mod workload;

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeSet;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use labelsel::{LabelSet, Matcher, Selector, SelectorIndex};
use workload::{Node, Workload};

/// Counts the heap bytes allocated and freed by the whole process, to measure what a structure keeps.
struct CountingAllocator;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static FREED: AtomicUsize = AtomicUsize::new(0);

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[allow(unsafe_code)] // A global allocator cannot be written without it.
// SAFETY: every call is forwarded to the system allocator unchanged, with the caller's arguments;
// counting only adds to atomic integers, which neither allocates nor touches the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREED.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: as above; `ptr` was allocated by this allocator, so by `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        // On failure the old block stays allocated and nothing changes.
        if !moved.is_null() {
            FREED.fetch_add(layout.size(), Ordering::Relaxed);
            ALLOCATED.fetch_add(new_size, Ordering::Relaxed);
        }
        moved
    }
}

/// The heap bytes `f`'s result keeps: allocated minus freed while it runs (the process does nothing
/// else meanwhile).
fn retained_bytes<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let live = || ALLOCATED.load(Ordering::Relaxed) - FREED.load(Ordering::Relaxed);
    let before = live();
    let out = f();
    (live().saturating_sub(before), out)
}

/// xorshift64: deterministic draws without a dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The fleet's actual labels the jobs are drawn from.
struct Vocabulary<'a> {
    racks: Vec<&'a str>,
    ids: Vec<&'a str>,
    /// (instance type, zone) pairs some node has.
    types_in_zones: Vec<(&'a str, &'a str)>,
    /// Teams with a prod node.
    prod_teams: Vec<&'a str>,
    gpus: Vec<&'a str>,
}

impl<'a> Vocabulary<'a> {
    fn of(nodes: &'a [Node]) -> Vocabulary<'a> {
        let mut racks = BTreeSet::new();
        let mut types_in_zones = BTreeSet::new();
        let mut prod_teams = BTreeSet::new();
        let mut gpus = BTreeSet::new();
        for node in nodes {
            let label = |key: &str| node.labels.get(key).map(String::as_str);
            racks.extend(label("rack"));
            if let (Some(kind), Some(zone)) = (
                label("node.kubernetes.io/instance-type"),
                label("topology.kubernetes.io/zone"),
            ) {
                types_in_zones.insert((kind, zone));
            }
            if label("env") == Some("prod") {
                prod_teams.extend(label("team"));
            }
            gpus.extend(label("gpu"));
        }
        Vocabulary {
            racks: racks.into_iter().collect(),
            ids: nodes.iter().map(|node| node.id.as_str()).collect(),
            types_in_zones: types_in_zones.into_iter().collect(),
            prod_teams: prod_teams.into_iter().collect(),
            gpus: gpus.into_iter().collect(),
        }
    }
}

/// The broad jobs: negations only, matching almost every node.
const NEGATIONS: [&str; 3] = ["!debug", "tier notin (spot)", "maintenance!=true"];

/// `count` pending jobs, `job-0000000` on; the first `n` jobs are the same whatever `count` is.
fn draw_jobs(vocabulary: &Vocabulary<'_>, count: usize) -> Vec<(String, Selector)> {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    (0..count)
        .map(|n| {
            let selector = match rng.below(1000) {
                0..10 => Selector::new().expression(*rng.pick(&NEGATIONS)),
                10..310 => {
                    Selector::new().expression(format!("rack={}", rng.pick(&vocabulary.racks)))
                }
                310..510 => {
                    let mut selector = Selector::new();
                    for _ in 0..1 + rng.below(3) {
                        selector = selector.id(*rng.pick(&vocabulary.ids));
                    }
                    selector
                }
                510..710 => {
                    let (kind, zone) = rng.pick(&vocabulary.types_in_zones);
                    Selector::new()
                        .label("node.kubernetes.io/instance-type", *kind)
                        .label("topology.kubernetes.io/zone", *zone)
                }
                710..860 => Selector::new()
                    .label("team", *rng.pick(&vocabulary.prod_teams))
                    .label("env", "prod"),
                _ => Selector::new().expression(format!(
                    "gpu={},gpu-count>{}",
                    rng.pick(&vocabulary.gpus),
                    rng.pick(&[0, 1, 3])
                )),
            };
            (format!("job-{n:07}"), selector)
        })
        .collect()
}

/// The jobs compiled for the scan, with their ids.
fn compile(jobs: &[(String, Selector)]) -> Vec<(String, Matcher)> {
    jobs.iter()
        .map(|(id, selector)| (id.clone(), selector.compile().expect("bench jobs compile")))
        .collect()
}

fn build_index(jobs: &[(String, Selector)]) -> SelectorIndex {
    let mut index = SelectorIndex::new();
    for (id, selector) in jobs {
        index
            .insert_selector(id, selector)
            .expect("bench jobs compile");
    }
    index
}

/// The jobs whose matcher the node satisfies, checking every one, in job order.
fn scan<'a>(jobs: &'a [(String, Matcher)], id: &str, labels: &LabelSet) -> Vec<&'a str> {
    jobs.iter()
        .filter(|(_, matcher)| matcher.matches(id, labels))
        .map(|(job, _)| job.as_str())
        .collect()
}

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

/// Per-node times over the sample: (median node, mean node), in µs.
fn per_node(
    sample: &[(&str, LabelSet)],
    runs: usize,
    mut f: impl FnMut(&str, &LabelSet),
) -> (f64, f64) {
    let mut times: Vec<f64> = sample
        .iter()
        .map(|(id, labels)| median(runs, || f(id, labels)).as_secs_f64() * 1e6)
        .collect();
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    (times[times.len() / 2], mean)
}

/// What one job count measured.
struct Measured {
    jobs: usize,
    /// Building the index with `insert_selector` (compile and index), µs per job.
    insert_us: f64,
    /// Compiling the matchers alone (the scan's build), µs per job.
    compile_us: f64,
    index_bytes: usize,
    matchers_bytes: usize,
    /// (median node, mean node) µs.
    index: (f64, f64),
    scan: (f64, f64),
    /// Median number of jobs a sampled node satisfies.
    matches: usize,
}

/// Builds the index and the matchers for `jobs`, checks that both give the same answer for every
/// sampled node, and times them.
fn measure(jobs: &[(String, Selector)], sample: &[(&str, LabelSet)], timed: bool) -> Measured {
    let start = Instant::now();
    let (index_bytes, index) = retained_bytes(|| build_index(jobs));
    let insert = start.elapsed();
    let start = Instant::now();
    let (matchers_bytes, matchers) = retained_bytes(|| compile(jobs));
    let compiled = start.elapsed();
    assert_eq!(index.len(), jobs.len());

    let mut matches: Vec<usize> = sample
        .iter()
        .map(|(id, labels)| {
            let found = index.matching(id, labels);
            assert_eq!(
                found,
                scan(&matchers, id, labels),
                "{} jobs, node {id}",
                jobs.len()
            );
            found.len()
        })
        .collect();
    matches.sort_unstable();

    let (index_time, scan_time) = if timed {
        (
            per_node(sample, 9, |id, labels| {
                black_box(index.matching(id, labels));
            }),
            per_node(sample, 3, |id, labels| {
                black_box(scan(&matchers, id, labels));
            }),
        )
    } else {
        ((0.0, 0.0), (0.0, 0.0))
    };
    let per_job = |time: Duration| time.as_secs_f64() * 1e6 / jobs.len() as f64;
    Measured {
        jobs: jobs.len(),
        insert_us: per_job(insert),
        compile_us: per_job(compiled),
        index_bytes,
        matchers_bytes,
        index: index_time,
        scan: scan_time,
        matches: matches[matches.len() / 2],
    }
}

const JOBS: usize = 100_000;
const SAMPLE: usize = 200;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let benching = args.iter().any(|arg| arg == "--bench");
    let million_flag = args.iter().any(|arg| arg == "--million");
    let million = million_flag || std::env::var("LABELSEL_JOBS_MILLION").is_ok_and(|v| v == "1");

    let workload = Workload::generate(100_000, 7);
    let nodes = &workload.nodes;
    let vocabulary = Vocabulary::of(nodes);
    let sample: Vec<(&str, LabelSet)> = nodes
        .iter()
        .step_by(nodes.len() / SAMPLE)
        .map(|node| (node.id.as_str(), node.labels.iter().collect()))
        .collect();
    assert_eq!(sample.len(), SAMPLE);

    let jobs = draw_jobs(&vocabulary, if million { 1_000_000 } else { JOBS });
    let main_jobs = &jobs[..JOBS];
    let index = build_index(main_jobs);
    let matchers = compile(main_jobs);
    // Both must give the same ids in the same order for every sampled node before any timing.
    for (id, labels) in &sample {
        assert_eq!(
            index.matching(id, labels),
            scan(&matchers, id, labels),
            "node {id}"
        );
    }

    // Criterion on two sampled nodes: one with a GPU (many candidate jobs), one without.
    let gpu_node = sample
        .iter()
        .find(|(_, labels)| labels.get("gpu").is_some())
        .expect("the sample has a GPU node");
    let plain_node = sample
        .iter()
        .find(|(_, labels)| labels.get("gpu").is_none())
        .expect("the sample has a node without a GPU");
    let criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let mut criterion = if million_flag {
        // Criterion would refuse the unknown flag; honour `--quick` by hand.
        if args.iter().any(|arg| arg == "--quick") {
            criterion
                .sample_size(10)
                .warm_up_time(Duration::from_millis(100))
                .measurement_time(Duration::from_millis(300))
        } else {
            criterion
        }
    } else {
        criterion.configure_from_args()
    };
    let mut group = criterion.benchmark_group("jobs-100000");
    for (kind, (id, labels)) in [("gpu-node", gpu_node), ("plain-node", plain_node)] {
        group.bench_function(BenchmarkId::new("index-matching", kind), |b| {
            b.iter(|| black_box(index.matching(id, labels)).len())
        });
        group.bench_function(BenchmarkId::new("scan-every-matcher", kind), |b| {
            b.iter(|| black_box(scan(&matchers, id, labels)).len())
        });
    }
    group.finish();
    criterion.final_summary();
    drop((index, matchers));

    if !benching {
        return;
    }
    let main = measure(main_jobs, &sample, true);
    println!(
        "\n100,000 pending jobs, 100,000-node fleet (seed 7), {SAMPLE} sampled nodes, each timed alone \
         (median of 9 runs for the index, 3 for the scan); ratio = scan / index"
    );
    println!(
        "{:<34} {:>16} {:>22} {:>8}",
        "per node", "index µs", "scan every Matcher µs", "ratio"
    );
    let row = |what: &str, index: f64, scan: f64| {
        println!(
            "{what:<34} {index:>16.1} {scan:>22.1} {:>7.0}x",
            scan / index
        );
    };
    row("matching, median node", main.index.0, main.scan.0);
    row("matching, mean over nodes", main.index.1, main.scan.1);
    println!(
        "{:<34} {:>16}",
        "jobs a node satisfies, median", main.matches
    );
    println!(
        "{:<34} {:>16.2} {:>22.2}",
        "build, µs per job", main.insert_us, main.compile_us
    );
    println!(
        "{:<34} {:>16} {:>22}",
        "heap bytes per job",
        main.index_bytes / main.jobs,
        main.matchers_bytes / main.jobs
    );
    println!(
        "(build: insert_selector, compiling and indexing, vs compiling the matchers alone; bytes: \
         the index with its matchers and ids vs a Vec of (id, Matcher))"
    );

    let mut sizes = vec![10_000, JOBS];
    if million {
        sizes.push(1_000_000);
    }
    println!(
        "\nAs the jobs grow (the first N of one draw), {SAMPLE} sampled nodes; µs per node, medians"
    );
    println!(
        "{:>9} {:>14} {:>10} {:>8} {:>10} {:>12} {:>8}",
        "jobs", "insert µs/job", "bytes/job", "matches", "index µs", "scan µs", "ratio"
    );
    for size in sizes {
        let m = if size == JOBS {
            &main
        } else {
            &measure(&jobs[..size], &sample, true)
        };
        println!(
            "{:>9} {:>14.2} {:>10} {:>8} {:>10.1} {:>12.1} {:>7.0}x",
            m.jobs,
            m.insert_us,
            m.index_bytes / m.jobs,
            m.matches,
            m.index.0,
            m.scan.0,
            m.scan.0 / m.index.0
        );
    }
}
