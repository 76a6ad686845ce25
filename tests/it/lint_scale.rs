//! [`Fleet::lint`] at scale (issue #15, "Lint scales with the vocabulary, and its output with the
//! selector"):
//!
//! * known values are looked up, not copied: linting many requirements whose values exist allocates
//!   nothing per value (counted by the test allocator, never timed);
//! * a requirement with many unknown values is one finding that quotes it once and names the first
//!   few, so the output grows linearly with the selector;
//! * suggestions come from an index the fleet builds once and drops when it changes: they follow every
//!   insert and remove, a churned fleet lints like a fresh one holding the same nodes, and clones and
//!   threads lint alike.
//!
//! That the indexed suggestions equal a comparison with every candidate is a property test next to the
//! index (`src/analyze/suggest.rs`), where the scan is kept as its oracle.

use std::collections::BTreeMap;

use labelsel::{Finding, FindingKind, Fleet, Matcher, Selector, Severity};
use proptest::prelude::*;

use crate::support::alloc::{allocated_bytes, allocations};

fn compile(selector: Selector) -> Matcher {
    selector.compile().expect("the selector compiles")
}

fn lint(fleet: &Fleet, expression: &str) -> Vec<Finding> {
    fleet.lint(&compile(Selector::new().expression(expression)))
}

/// A fleet of `n` nodes, node `i` with `zone=zone-{i:05}`.
fn zones(n: usize) -> Fleet {
    let mut fleet = Fleet::new();
    for i in 0..n {
        fleet.insert(&format!("n{i}"), [("zone", format!("zone-{i:05}"))]);
    }
    fleet
}

#[test]
fn requirements_whose_values_exist_allocate_nothing_per_value() {
    let fleet = zones(5_000);
    let selector = (0..1_000).fold(Selector::new(), |selector, i| {
        selector.expression(format!("zone in (zone-{i:05},zone-{:05})", i + 1_000))
    });
    let matcher = compile(selector);
    let (count, findings) = allocations(|| fleet.lint(&matcher));
    assert_eq!(findings, []);
    // Copying the key's 5,000 values per requirement made millions.
    assert!(count < 16, "{count} allocations");
}

#[test]
fn many_unknown_values_of_a_requirement_are_one_finding() {
    let fleet = zones(10_000);
    let unknown: Vec<String> = (0..1_000).map(|i| format!("zone-{i:05}a")).collect();
    let expression = format!("zone in ({})", unknown.join(","));
    let findings = lint(&fleet, &expression);
    assert_eq!(findings.len(), 1);
    let finding = &findings[0];
    assert_eq!(
        (finding.severity, finding.kind),
        (Severity::Error, FindingKind::UnknownValue)
    );
    assert_eq!(finding.unknown, unknown);
    assert_eq!(finding.requirements, [expression.as_str()]);
    // Each named value is one insertion from a known one; the nearest of all, in byte order.
    assert_eq!(
        finding.suggestions,
        ["zone-00000", "zone-00001", "zone-00002"]
    );
    let named = "zone-00000a, zone-00001a, zone-00002a, zone-00003a, zone-00004a and 995 more";
    assert_eq!(
        finding.message,
        format!(
            "unknown values {named} for zone in match_expressions[0] ({expression}); \
             did you mean zone-00000, zone-00001 or zone-00002?"
        )
    );
}

#[test]
fn the_output_grows_linearly_with_the_selector() {
    let fleet = zones(100);
    let mut selector = Selector::new();
    let mut written = 0;
    for requirement in 0..20 {
        let values: Vec<String> = (0..500).map(|v| format!("r{requirement}-{v}")).collect();
        let expression = format!(
            "zone notin ({}), zone in (zone-00001,{})",
            values.join(","),
            values.join(",")
        );
        written += expression.len();
        selector = selector.expression(expression);
    }
    let findings = fleet.lint(&compile(selector));
    assert_eq!(findings.len(), 40);
    assert!(findings.iter().all(|f| f.severity == Severity::Warning));
    let text: usize = findings.iter().map(|f| f.to_string().len()).sum();
    let json = serde_json::to_string(&findings)
        .expect("findings serialize")
        .len();
    // Each requirement is quoted once in the text; the JSON also lists it and its unknown values, each
    // in quotes.
    assert!(
        text < written + 200 * findings.len(),
        "{text} bytes for {written}"
    );
    assert!(
        json < 4 * written + 400 * findings.len(),
        "{json} bytes for {written}"
    );
}

#[test]
fn a_misspelt_key_among_twenty_thousand_gets_the_nearest() {
    let mut fleet = Fleet::new();
    for i in 0..20_000 {
        fleet.insert(&format!("n{i}"), [(format!("label-{i:05}"), "x")]);
    }
    let findings = lint(&fleet, "lable-00042=x");
    // One transposition, then one more substitution, in byte order.
    assert_eq!(
        findings[0].suggestions,
        ["label-00042", "label-00002", "label-00012"]
    );
    assert_eq!(findings[0].unknown, ["lable-00042"]);
}

#[test]
fn suggestions_follow_inserts_and_removes() {
    let mut fleet = Fleet::new();
    fleet.insert("a", [("tier", "gold")]);
    assert_eq!(lint(&fleet, "teir")[0].suggestions, ["tier"]);
    assert_eq!(lint(&fleet, "tier=gol")[0].suggestions, ["gold"]);
    fleet.insert("b", [("tear", "x"), ("tier", "golf")]);
    assert_eq!(lint(&fleet, "teir")[0].suggestions, ["tear", "tier"]);
    assert_eq!(lint(&fleet, "tier=gol")[0].suggestions, ["gold", "golf"]);
    fleet.remove("a");
    assert_eq!(lint(&fleet, "teir")[0].suggestions, ["tear", "tier"]);
    assert_eq!(lint(&fleet, "tier=gol")[0].suggestions, ["golf"]);
    fleet.insert("b", [("tier", "gold")]);
    assert_eq!(lint(&fleet, "teir")[0].suggestions, ["tier"]);
    assert_eq!(lint(&fleet, "tier=gol")[0].suggestions, ["gold"]);
}

#[test]
fn the_index_is_built_once_until_the_fleet_changes() {
    let mut fleet = zones(5_000);
    let matcher = compile(Selector::new().expression("zone=zone-0004x, zoen"));
    let (first, findings) = allocated_bytes(|| fleet.lint(&matcher));
    let (again, same) = allocated_bytes(|| fleet.lint(&matcher));
    assert_eq!(findings, same);
    assert!(again * 4 < first, "{again} bytes after {first}");
    fleet.insert("n0", [("zone", "zone-00000")]); // the same labels: still a change
    let (rebuilt, same) = allocated_bytes(|| fleet.lint(&matcher));
    assert_eq!(findings, same);
    assert!(rebuilt > 2 * again, "{rebuilt} bytes after {again}");
}

#[test]
fn clones_and_threads_lint_alike() {
    fn shared<T: Send + Sync + Clone>(_: &T) {}
    let fleet = zones(1_000);
    shared(&fleet);
    let matcher = compile(Selector::new().expression("zone in (zone-0001, zone-00002), zon"));
    let expected = fleet.lint(&matcher);
    assert_eq!(expected.len(), 2);
    let results: Vec<Vec<Finding>> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| fleet.lint(&matcher)))
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().expect("lint does not panic"))
            .collect()
    });
    assert!(results.iter().all(|findings| *findings == expected));

    // A clone shares what was built, until one of them changes.
    let mut clone = fleet.clone();
    assert_eq!(clone.lint(&matcher), expected);
    clone.insert("extra", [("zon", "x"), ("zone", "zone-0001")]);
    assert_eq!(clone.lint(&matcher).len(), 0);
    assert_eq!(fleet.lint(&matcher), expected);
}

/// Keys and values a few edits apart, with a prefix, so that suggestions overlap and change.
const KEYS: &[&str] = &["tier", "tear", "acme.io/tier", "zone", "zona"];
const VALUES: &[&str] = &["gold", "bold", "gild", "a", "b", ""];
const PROBES: &[&str] = &[
    "teir in (glod,gold,b,c)",
    "zoen",
    "x.io/tier notin (bol,a)",
    "zone=gol",
    "acme.io/tear!=",
];

fn labels() -> impl Strategy<Value = BTreeMap<&'static str, &'static str>> {
    proptest::collection::btree_map(
        proptest::sample::select(KEYS),
        proptest::sample::select(VALUES),
        0..3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(64) })]

    /// Linting between updates (so that indexes are built, then dropped) leaves a fleet that lints
    /// exactly like a fresh one holding the same nodes.
    #[test]
    fn a_churned_fleet_lints_like_a_fresh_one(
        updates in proptest::collection::vec((0..6usize, proptest::option::of(labels())), 1..30),
    ) {
        let probes: Vec<Matcher> = PROBES
            .iter()
            .map(|probe| compile(Selector::new().expression(*probe)))
            .collect();
        let mut fleet = Fleet::new();
        for (node, labels) in updates {
            let id = format!("n{node}");
            match labels {
                Some(labels) => fleet.insert(&id, labels),
                None => fleet.remove(&id),
            };
            let mut fresh = Fleet::new();
            for (id, labels) in fleet.iter() {
                fresh.insert(id, labels.iter());
            }
            for matcher in &probes {
                prop_assert_eq!(fleet.lint(matcher), fresh.lint(matcher));
            }
        }
    }
}
