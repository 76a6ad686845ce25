//! Counts heap allocations: a parse costs at most one allocation per requirement, and matching (by an
//! expression or a compiled matcher) and printing into a buffer with room cost none. Counts are exact, unlike timings, so they can be asserted.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use labelsel::{Expression, LabelSet, Selector};

use crate::support::alloc::allocations;

/// The selectors of the Kubernetes reference figures, with their requirement counts.
const REFERENCE_SELECTORS: [(&str, usize); 5] = [
    ("app=nginx", 1),
    ("app=nginx,tier=frontend,env=prod", 3),
    (
        "environment in (production,qa),tier notin (frontend,backend),partition,!canary",
        4,
    ),
    (
        "app.kubernetes.io/name=nginx,app.kubernetes.io/instance in (a,b,c)",
        2,
    ),
    ("x>1,y<100", 2),
];

#[test]
fn parsing_allocates_at_most_once_per_requirement() {
    for (input, requirements) in REFERENCE_SELECTORS {
        let (count, expr) = allocations(|| Expression::parse(input).unwrap());
        assert_eq!(expr.len(), requirements, "{input}");
        assert!(
            count <= requirements,
            "{input}: {count} allocations for {requirements} requirements"
        );
    }
}

#[test]
fn long_selectors_allocate_a_fixed_number_of_times() {
    let input: String = (0..500)
        .map(|i| format!("k{i} in (a,b,c,d,e{i})"))
        .collect::<Vec<_>>()
        .join(",");
    let (count, expr) = allocations(|| Expression::parse(&input).unwrap());
    assert_eq!(expr.len(), 500);
    // The text, the requirements, the values and the stable sort's scratch space: no growth.
    assert!(count <= 4, "{count} allocations");
}

#[test]
fn matching_and_printing_do_not_allocate() {
    let labels: HashMap<String, String> = [
        ("environment", "production"),
        ("tier", "database"),
        ("partition", "p1"),
        ("app.kubernetes.io/name", "nginx"),
        ("app.kubernetes.io/instance", "b"),
        ("x", "2"),
        ("y", "99"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut buffer = String::with_capacity(256);
    for (input, _) in REFERENCE_SELECTORS {
        let expr = Expression::parse(input).unwrap();
        let (count, _) = allocations(|| expr.matches(&labels));
        assert_eq!(count, 0, "matching {input}");
        buffer.clear();
        let (count, _) = allocations(|| write!(buffer, "{expr}"));
        assert_eq!(count, 0, "printing {input}");
        assert_eq!(buffer, Expression::parse(&buffer).unwrap().to_string());
    }
}

#[test]
fn compiled_matchers_do_not_allocate() {
    let matcher = Selector::new()
        .label("env", "prod")
        .expression("tier in (a,b,c,d,e,f,g,h,i,j,premium), cpu>4, memory-gb<1024")
        .expression("!debug, zone notin (x,y), rack!=r1, gpu")
        .id("node-1")
        .id("node-2")
        .compile()
        .unwrap();
    let pairs = [
        ("env", "prod"),
        ("tier", "premium"),
        ("cpu", "8"),
        ("memory-gb", "64"),
        ("zone", "z"),
        ("rack", "r2"),
        ("gpu", "nvidia-l4"),
    ];
    let prepared: LabelSet = pairs.into_iter().collect();
    let hashed: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let btree: BTreeMap<&str, &str> = pairs.into_iter().collect();
    let nodes: Vec<(&str, &HashMap<String, String>)> = (0..100)
        .map(|i| (if i % 3 == 0 { "node-1" } else { "node-3" }, &hashed))
        .collect();
    let mut matching = Vec::with_capacity(nodes.len());
    let (count, ()) = allocations(|| matcher.matches_into(nodes.iter().copied(), &mut matching));
    assert_eq!((count, matching.len()), (0, 34), "matches_into");
    for id in ["node-1", "node-3"] {
        let want = id == "node-1";
        let (count, got) = allocations(|| matcher.matches(id, &prepared));
        assert_eq!((count, got), (0, want), "LabelSet, {id}");
        let (count, got) = allocations(|| matcher.matches(id, &hashed));
        assert_eq!((count, got), (0, want), "HashMap, {id}");
        let (count, got) = allocations(|| matcher.matches(id, &btree));
        assert_eq!((count, got), (0, want), "BTreeMap, {id}");
    }
}
