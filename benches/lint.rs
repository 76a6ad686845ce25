//! `Fleet::lint` against a growing vocabulary (issue #15, "Lint scales with the vocabulary"): 1,000,
//! 10,000 and 100,000 distinct keys, and as many distinct values of one key (`zone`), all pseudo-random
//! words of 8 to 15 characters, a quarter of the keys under one of eight `team-N.example.com/`
//! prefixes. Cases:
//!
//! * `misspelt key`: an existing key with two letters swapped (its nearest is one transposition away);
//! * `fresh key`: a random word no key is near, so the search goes to the full limit (the worst case);
//! * `in (1,000 unknown)`: `zone in (...)` of 1,000 misspelt values, one finding;
//! * `1,000 × zone=typo`: 1,000 requirements with one misspelt value each, 1,000 suggestions;
//! * `1,000 × zone in (known)`: 1,000 requirements whose values all exist.
//!
//! Each is timed on a fleet whose indexes are built (`warm`), and right after a change (`cold`: the
//! lint builds the index it needs). The brute force it replaced compared the query with every key or
//! value (`scan`, timed here for one query with a copy of that code) and copied the key's values into a
//! set per requirement (`copy`, timed too); the `brute force` column adds them up as the old lint did.
//!
//! `cargo bench --bench lint` (`-- --quick` for a shorter criterion run). `LABELSEL_LINT_MILLION=1`
//! adds 1,000,000 (about 2 GB and a few minutes).

use std::collections::{BTreeSet, HashSet};
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use labelsel::{Fleet, Matcher, Selector};

fn main() {
    let mut sizes = vec![1_000, 10_000, 100_000];
    if std::env::var("LABELSEL_LINT_MILLION").is_ok_and(|v| v == "1") {
        sizes.push(1_000_000);
    }
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    let mut rows = Vec::new();
    for &n in &sizes {
        rows.extend(measure(n, &mut criterion));
    }
    criterion.final_summary();

    println!();
    println!(
        "{:>9}  {:<24} {:>11} {:>11} {:>13} {:>10}",
        "distinct", "case", "warm ms", "cold ms", "brute ms", "brute÷warm"
    );
    for row in rows {
        println!(
            "{:>9}  {:<24} {:>11.3} {:>11.3} {:>13.1} {:>9.0}x",
            row.n,
            row.case,
            ms(row.warm),
            ms(row.cold),
            ms(row.brute),
            row.brute.as_secs_f64() / row.warm.as_secs_f64()
        );
    }
}

struct Row {
    n: usize,
    case: &'static str,
    warm: Duration,
    cold: Duration,
    brute: Duration,
}

fn measure(n: usize, criterion: &mut Criterion) -> Vec<Row> {
    let mut random = Random(n as u64);
    let keys = distinct(n, &mut random, true);
    let values = distinct(n, &mut random, false);
    let mut key_fleet = Fleet::new();
    for (i, key) in keys.iter().enumerate() {
        key_fleet.insert(&format!("n{i}"), [(key.as_str(), "x")]);
    }
    let mut value_fleet = Fleet::new();
    for (i, value) in values.iter().enumerate() {
        value_fleet.insert(&format!("n{i}"), [("zone", value.as_str())]);
    }

    let known: HashSet<&str> = keys.iter().chain(&values).map(String::as_str).collect();
    let misspelt_key = misspelt(&keys[n / 2], &known);
    let fresh_key = loop {
        let word = random.word();
        if !known.contains(word.as_str()) {
            break word;
        }
    };
    let typos: Vec<String> = (0..1_000)
        .map(|i| misspelt(&values[i * n / 1_000], &known))
        .collect();
    let each = |expressions: Vec<String>| {
        compile(
            expressions
                .into_iter()
                .fold(Selector::new(), |selector, e| selector.expression(e)),
        )
    };
    let known_values: Vec<String> = (0..1_000)
        .map(|i| format!("zone in ({})", values[i * n / 1_000]))
        .collect();
    let cases: Vec<(&'static str, bool, Matcher)> = vec![
        (
            "misspelt key",
            true,
            each(vec![format!("{misspelt_key}=x")]),
        ),
        ("fresh key", true, each(vec![format!("{fresh_key}=x")])),
        (
            "in (1,000 unknown)",
            false,
            each(vec![format!("zone in ({})", typos.join(","))]),
        ),
        (
            "1,000 × zone=typo",
            false,
            each(typos.iter().map(|typo| format!("zone={typo}")).collect()),
        ),
        ("1,000 × zone in (known)", false, each(known_values)),
    ];

    // The index suggests what the scan does.
    let findings = key_fleet.lint(&cases[0].2);
    let expected = brute::nearest(&misspelt_key, keys.iter().map(String::as_str));
    assert_eq!(findings[0].suggestions, expected, "{misspelt_key}");
    assert!(!expected.is_empty());
    let findings = value_fleet.lint(&cases[3].2);
    let expected = brute::nearest(&typos[0], values.iter().map(String::as_str));
    assert_eq!(findings[0].suggestions, expected, "{}", typos[0]);

    // The parts of the brute force: one scan, one copy of the vocabulary into a set.
    let runs = if n >= 1_000_000 { 3 } else { 7 };
    let scan_key = |query: &str| {
        median(runs, || {
            brute::nearest(query, keys.iter().map(String::as_str))
        })
    };
    let scan_value = median(runs, || {
        brute::nearest(&typos[0], values.iter().map(String::as_str))
    });
    let copy_keys = median(runs, || {
        keys.iter().map(String::as_str).collect::<BTreeSet<&str>>()
    });
    let copy_values = median(runs, || {
        values
            .iter()
            .map(String::as_str)
            .collect::<BTreeSet<&str>>()
    });
    let brute = [
        copy_keys + scan_key(&misspelt_key),
        copy_keys + scan_key(&fresh_key),
        copy_values + scan_value * 1_000,
        (copy_values + scan_value) * 1_000,
        copy_values * 1_000,
    ];

    let mut group = criterion.benchmark_group(format!("lint-{n}"));
    let mut rows = Vec::new();
    for ((case, on_keys, matcher), brute) in cases.iter().zip(brute) {
        let fleet = if *on_keys {
            &mut key_fleet
        } else {
            &mut value_fleet
        };
        let runs = runs * 3;
        let cold = median_after(runs, fleet, matcher);
        let warm = median(runs, || fleet.lint(matcher));
        group.bench_function(BenchmarkId::new("index", case), |b| {
            b.iter(|| fleet.lint(black_box(matcher)))
        });
        rows.push(Row {
            n,
            case,
            warm,
            cold,
            brute,
        });
    }
    if n <= 100_000 {
        group.bench_function(BenchmarkId::new("scan", "misspelt key"), |b| {
            b.iter(|| brute::nearest(black_box(&misspelt_key), keys.iter().map(String::as_str)))
        });
    }
    group.finish();
    rows
}

/// The median of `runs` lints, each right after a change to the fleet (node `n0` inserted again with
/// its labels), so that each builds the index it needs.
fn median_after(runs: usize, fleet: &mut Fleet, matcher: &Matcher) -> Duration {
    let labels: Vec<(String, String)> = fleet
        .get("n0")
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            fleet.insert("n0", labels.iter().map(|(k, v)| (k, v)));
            let start = Instant::now();
            black_box(fleet.lint(matcher));
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn compile(selector: Selector) -> Matcher {
    selector.compile().expect("bench selectors compile")
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// The median of `runs` timings of `f`.
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

/// `n` distinct words; keys (`prefixed`) a quarter of the time under a `team-N.example.com/` prefix.
fn distinct(n: usize, random: &mut Random, prefixed: bool) -> Vec<String> {
    let mut seen = HashSet::with_capacity(n);
    let mut words = Vec::with_capacity(n);
    while words.len() < n {
        let mut word = random.word();
        if prefixed && random.below(4) == 0 {
            word = format!("team-{}.example.com/{word}", random.below(8));
        }
        if seen.insert(word.clone()) {
            words.push(word);
        }
    }
    words
}

/// `word` with the third and fourth characters of its name swapped, or another letter changed, so that
/// it is unknown.
fn misspelt(word: &str, known: &HashSet<&str>) -> String {
    let start = word.rfind('/').map_or(0, |slash| slash + 1);
    let mut bytes = word.as_bytes().to_vec();
    bytes.swap(start + 2, start + 3);
    if known.contains(&*String::from_utf8_lossy(&bytes)) {
        bytes[start + 4] = if bytes[start + 4] == b'q' { b'r' } else { b'q' };
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// SplitMix64: reproducible words without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A lowercase word of 8 to 15 characters, letters and digits.
    fn word(&mut self) -> String {
        const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let len = 8 + self.below(8) as usize;
        (0..len)
            .map(|i| {
                let range = if i == 0 { 26 } else { LETTERS.len() as u64 };
                LETTERS[self.below(range) as usize] as char
            })
            .collect()
    }
}

/// The lint this bench replaced: the nearest of `candidates` to `query` by comparing it with each.
/// A copy of what `src/analyze/suggest.rs` did before the index, kept only as the baseline.
mod brute {
    pub(crate) fn nearest<'a>(
        query: &str,
        candidates: impl Iterator<Item = &'a str>,
    ) -> Vec<String> {
        let mut scored: Vec<(usize, bool, &str)> = candidates
            .filter(|candidate| *candidate != query)
            .filter_map(|candidate| {
                closeness(query, candidate)
                    .map(|(distance, by_name)| (distance, by_name, candidate))
            })
            .collect();
        scored.sort_unstable();
        scored
            .into_iter()
            .take(3)
            .map(|(_, _, c)| c.to_string())
            .collect()
    }

    fn closeness(query: &str, candidate: &str) -> Option<(usize, bool)> {
        let whole = close_within_limit(query, candidate).map(|distance| (distance, false));
        let (query_name, candidate_name) = (name_part(query), name_part(candidate));
        let by_name = (query_name.len() < query.len() || candidate_name.len() < candidate.len())
            .then(|| close_within_limit(query_name, candidate_name))
            .flatten()
            .map(|distance| (distance, true));
        whole.into_iter().chain(by_name).min()
    }

    fn name_part(key: &str) -> &str {
        key.rsplit_once('/').map_or(key, |(_, name)| name)
    }

    fn close_within_limit(query: &str, candidate: &str) -> Option<usize> {
        let limit = (name_part(query).chars().count() / 3).max(1);
        osa_distance(query, candidate, limit)
    }

    fn osa_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        if a.len().abs_diff(b.len()) > limit {
            return None;
        }
        let mut before: Vec<usize> = vec![0; b.len() + 1];
        let mut previous: Vec<usize> = (0..=b.len()).collect();
        let mut current: Vec<usize> = vec![0; b.len() + 1];
        for i in 1..=a.len() {
            current[0] = i;
            for j in 1..=b.len() {
                let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
                let mut distance = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    distance = distance.min(before[j - 2] + 1);
                }
                current[j] = distance;
            }
            if current.iter().min().is_some_and(|&least| least > limit) {
                return None;
            }
            std::mem::swap(&mut before, &mut previous);
            std::mem::swap(&mut previous, &mut current);
        }
        previous
            .last()
            .copied()
            .filter(|&distance| distance <= limit)
    }
}
