//! Unit tests for [`Fleet`]: storage (insert, replace, remove, get, iteration order, slot reuse), the
//! [`NodeLabels`] view, and `select`/`count` for every operator on fleets of 10 nodes (scanned) and of
//! 500 nodes (answered from the bitmap index), checked against hand-written predicates (which the oracle,
//! `support::oracle`, must agree with) and against [`Matcher::matches`] applied node by node.

use std::collections::{BTreeMap, HashMap};

use crate::support::oracle;
use labelsel::{Expression, Fleet, Labels, Matcher, NodeLabels, Selection, Selector};

// ---------------------------------------------------------------------------------------------------
// Static assertions
// ---------------------------------------------------------------------------------------------------

/// A fleet is shared behind an `RwLock` by concurrent readers, so it must be `Send + Sync`.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Fleet>();
    assert_send_sync::<Selection<'static>>();
    assert_send_sync::<NodeLabels<'static>>();
};

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

fn matcher(expression: &str) -> Matcher {
    Selector::new()
        .expression(expression)
        .compile()
        .unwrap_or_else(|e| panic!("{expression:?} should compile: {e}"))
}

fn compile(selector: &Selector) -> Matcher {
    selector
        .compile()
        .unwrap_or_else(|e| panic!("{selector:?} should compile: {e}"))
}

fn all_ids(fleet: &Fleet) -> Vec<String> {
    fleet.iter().map(|(id, _)| id.to_owned()).collect()
}

fn labels_of(fleet: &Fleet, id: &str) -> Vec<(String, String)> {
    fleet
        .get(id)
        .unwrap_or_else(|| panic!("{id} should be in the fleet"))
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Checks `select`, `count`, `Selection::{len, is_empty, contains}` against the expected ids (in
/// insertion order), and that they agree with `Matcher::matches` applied to every node.
#[track_caller]
fn check(fleet: &Fleet, what: &str, matcher: &Matcher, expected: &[String]) {
    let selection = fleet.select(matcher);
    let got: Vec<&str> = selection.iter().collect();
    assert_eq!(got, expected, "select({what}) on {} nodes", fleet.len());
    assert_eq!(selection.len(), expected.len(), "len of select({what})");
    assert_eq!(
        selection.is_empty(),
        expected.is_empty(),
        "is_empty of select({what})"
    );
    assert_eq!(
        fleet.count(matcher),
        expected.len(),
        "count({what}) on {} nodes",
        fleet.len()
    );
    let scanned: Vec<&str> = fleet
        .iter()
        .filter(|(id, labels)| matcher.matches(id, labels))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        scanned, expected,
        "Matcher::matches over fleet.iter() for {what}"
    );
    for (id, _) in fleet.iter() {
        assert_eq!(
            selection.contains(id),
            expected.iter().any(|e| e == id),
            "select({what}).contains({id})"
        );
    }
}

#[track_caller]
fn check_expr(fleet: &Fleet, expression: &str, expected: &[&str]) {
    let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    check(fleet, expression, &matcher(expression), &expected);
}

// ---------------------------------------------------------------------------------------------------
// A generated fleet with a hand-written oracle
// ---------------------------------------------------------------------------------------------------

/// `cpu` values and what they read as for `>` and `<` (Go's `strconv.ParseInt(v, 10, 64)`).
const CPU: &[(&str, Option<i64>)] = &[
    ("8", Some(8)),
    ("08", Some(8)),
    ("+2", Some(2)),
    ("-0", Some(0)),
    ("0", Some(0)),
    ("16", Some(16)),
    ("-3", Some(-3)),
    ("x", None),
    ("8.0", None),
    ("1e3", None),
    ("", None),
    ("99999999999999999999", None),
    ("9223372036854775807", Some(i64::MAX)),
    ("-9223372036854775808", Some(i64::MIN)),
    ("007", Some(7)),
    ("12", Some(12)),
    (" 5", None),
    ("0x10", None),
    ("--1", None),
    ("+-1", None),
    ("-", None),
    ("+", None),
    ("5", Some(5)),
];

/// `zone` values; `8` reads as an integer, the others do not.
const ZONES: &[&str] = &["a", "b", "c", "8"];
const GPUS: &[&str] = &["l4", "h100"];

/// One node of a generated fleet, with the facts the oracle predicates look at.
#[derive(Debug, Clone)]
struct Spec {
    id: String,
    zone: &'static str,
    /// Index into [`CPU`], or `None` when the node has no `cpu` label.
    cpu: Option<usize>,
    gpu: Option<&'static str>,
    /// Whether the node has `debug` with the empty value.
    debug: bool,
    /// `rack` is an integer 0..=8 written plainly; it shares the strings `0` and `8` with `cpu`/`zone`.
    rack: u8,
}

impl Spec {
    fn new(id: impl Into<String>, seed: usize) -> Spec {
        Spec {
            id: id.into(),
            zone: ZONES[seed % ZONES.len()],
            cpu: (seed % 13 != 5).then_some((seed * 7) % CPU.len()),
            gpu: seed.is_multiple_of(5).then(|| GPUS[(seed / 5) % 2]),
            debug: seed % 7 == 3,
            rack: (seed % 9) as u8,
        }
    }

    fn cpu_text(&self) -> Option<&'static str> {
        self.cpu.map(|i| CPU[i].0)
    }

    fn cpu_int(&self) -> Option<i64> {
        self.cpu.and_then(|i| CPU[i].1)
    }

    fn labels(&self) -> Vec<(String, String)> {
        let mut labels = vec![("zone".to_owned(), self.zone.to_owned())];
        if let Some(cpu) = self.cpu_text() {
            labels.push(("cpu".to_owned(), cpu.to_owned()));
        }
        if let Some(gpu) = self.gpu {
            labels.push(("gpu".to_owned(), gpu.to_owned()));
        }
        if self.debug {
            labels.push(("debug".to_owned(), String::new()));
        }
        labels.push(("rack".to_owned(), self.rack.to_string()));
        labels
    }

    fn sorted_labels(&self) -> Vec<(String, String)> {
        let mut labels = self.labels();
        labels.sort();
        labels
    }
}

fn node_id(i: usize) -> String {
    format!("node-{i:04}")
}

fn specs(n: usize) -> Vec<Spec> {
    (0..n).map(|i| Spec::new(node_id(i), i)).collect()
}

fn build(specs: &[Spec]) -> Fleet {
    let mut fleet = Fleet::new();
    for spec in specs {
        assert!(!fleet.insert(&spec.id, spec.labels()), "{} is new", spec.id);
    }
    fleet
}

type Predicate = fn(&Spec) -> bool;

/// Every operator, alone and combined, with what it must select.
fn cases() -> Vec<(&'static str, Predicate)> {
    vec![
        // `=`, `==`, `in`
        ("zone=a", |s| s.zone == "a"),
        ("zone==b", |s| s.zone == "b"),
        ("zone in (a,c)", |s| s.zone == "a" || s.zone == "c"),
        ("zone in (a,nosuch)", |s| s.zone == "a"),
        ("zone in (nosuch,other)", |_| false),
        ("zone=nosuch", |_| false),
        ("gpu=l4", |s| s.gpu == Some("l4")),
        ("gpu in (l4,h100)", |s| s.gpu.is_some()),
        ("cpu=8", |s| s.cpu_text() == Some("8")),
        ("cpu==08", |s| s.cpu_text() == Some("08")),
        ("cpu in (8,08)", |s| {
            matches!(s.cpu_text(), Some("8" | "08"))
        }),
        ("cpu=8.0", |s| s.cpu_text() == Some("8.0")),
        ("cpu in (x,16,007)", |s| {
            matches!(s.cpu_text(), Some("x" | "16" | "007"))
        }),
        ("cpu=", |s| s.cpu_text() == Some("")),
        ("debug=", |s| s.debug),
        ("debug in ()", |s| s.debug),
        ("debug in (x)", |_| false),
        ("rack=8", |s| s.rack == 8),
        // `!=`, `notin`
        ("zone!=a", |s| s.zone != "a"),
        ("zone notin (a,b)", |s| s.zone != "a" && s.zone != "b"),
        ("zone!=nosuch", |_| true),
        ("zone notin (nosuch)", |_| true),
        ("gpu!=l4", |s| s.gpu != Some("l4")),
        ("gpu notin (l4,h100)", |s| s.gpu.is_none()),
        ("cpu!=8", |s| s.cpu_text() != Some("8")),
        ("cpu notin (8,08,x)", |s| {
            !matches!(s.cpu_text(), Some("8" | "08" | "x"))
        }),
        ("debug!=", |s| !s.debug),
        ("debug notin ()", |s| !s.debug),
        // `key`, `!key`
        ("gpu", |s| s.gpu.is_some()),
        ("!gpu", |s| s.gpu.is_none()),
        ("debug", |s| s.debug),
        ("!debug", |s| !s.debug),
        ("cpu", |s| s.cpu.is_some()),
        ("!cpu", |s| s.cpu.is_none()),
        ("zone", |_| true),
        ("!zone", |_| false),
        // `>`, `<`
        ("cpu>7", |s| s.cpu_int().is_some_and(|v| v > 7)),
        ("cpu>07", |s| s.cpu_int().is_some_and(|v| v > 7)),
        ("cpu>8", |s| s.cpu_int().is_some_and(|v| v > 8)),
        ("cpu<8", |s| s.cpu_int().is_some_and(|v| v < 8)),
        ("cpu<1", |s| s.cpu_int().is_some_and(|v| v < 1)),
        ("cpu<0", |s| s.cpu_int().is_some_and(|v| v < 0)),
        ("cpu>0", |s| s.cpu_int().is_some_and(|v| v > 0)),
        ("cpu<3", |s| s.cpu_int().is_some_and(|v| v < 3)),
        ("cpu>2", |s| s.cpu_int().is_some_and(|v| v > 2)),
        ("cpu>9223372036854775806", |s| s.cpu_int() == Some(i64::MAX)),
        ("cpu>9223372036854775807", |_| false),
        ("cpu<9223372036854775807", |s| {
            s.cpu_int().is_some_and(|v| v < i64::MAX)
        }),
        ("cpu<0000000000000000000000", |s| {
            s.cpu_int().is_some_and(|v| v < 0)
        }),
        ("cpu>1, cpu<13", |s| {
            s.cpu_int().is_some_and(|v| v > 1 && v < 13)
        }),
        ("rack>5", |s| s.rack > 5),
        ("rack<3", |s| s.rack < 3),
        ("zone>5", |s| s.zone == "8"),
        ("zone<8", |_| false),
        ("zone<9, rack<3", |s| s.zone == "8" && s.rack < 3),
        ("debug>0", |_| false),
        ("debug<1", |_| false),
        ("gpu>0", |_| false),
        // Keys no node has.
        ("nokey", |_| false),
        ("!nokey", |_| true),
        ("nokey=x", |_| false),
        ("nokey in (a,b)", |_| false),
        ("nokey!=x", |_| true),
        ("nokey notin (a)", |_| true),
        ("nokey>1", |_| false),
        ("nokey<1", |_| false),
        // Combinations.
        ("zone in (a,b), !gpu", |s| {
            (s.zone == "a" || s.zone == "b") && s.gpu.is_none()
        }),
        ("zone!=c, cpu>0, !debug", |s| {
            s.zone != "c" && s.cpu_int().is_some_and(|v| v > 0) && !s.debug
        }),
        ("cpu, zone notin (a), gpu notin (h100)", |s| {
            s.cpu.is_some() && s.zone != "a" && s.gpu != Some("h100")
        }),
        ("gpu, cpu<10", |s| {
            s.gpu.is_some() && s.cpu_int().is_some_and(|v| v < 10)
        }),
        ("zone=a, zone=b", |_| false),
        ("zone=a, rack>2, rack<7, !debug, gpu!=h100", |s| {
            s.zone == "a" && s.rack > 2 && s.rack < 7 && !s.debug && s.gpu != Some("h100")
        }),
        ("!gpu, !debug, zone!=b, cpu notin (8)", |s| {
            s.gpu.is_none() && !s.debug && s.zone != "b" && s.cpu_text() != Some("8")
        }),
        ("zone, rack, !nokey", |_| true),
        ("", |_| true),
    ]
}

/// Checks every case of [`cases`] and the fleet's contents against the specs (in insertion order).
#[track_caller]
fn check_all(fleet: &Fleet, specs: &[Spec]) {
    assert_eq!(fleet.len(), specs.len());
    assert_eq!(fleet.is_empty(), specs.is_empty());
    let ids: Vec<String> = specs.iter().map(|s| s.id.clone()).collect();
    assert_eq!(all_ids(fleet), ids, "fleet.iter() order");
    for ((id, labels), spec) in fleet.iter().zip(specs) {
        assert_eq!(id, spec.id);
        let labels: Vec<(String, String)> = labels
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(labels, spec.sorted_labels(), "labels of {id}");
        assert_eq!(labels_of(fleet, id), spec.sorted_labels());
    }
    for (expression, predicate) in cases() {
        let expected: Vec<String> = specs
            .iter()
            .filter(|s| predicate(s))
            .map(|s| s.id.clone())
            .collect();
        // The hand-written predicate and the oracle agree, so both stand behind `expected`.
        let expr = Expression::parse(expression).unwrap();
        for spec in specs {
            let labels: BTreeMap<String, String> = spec.labels().into_iter().collect();
            assert_eq!(
                oracle::expression_holds(&expr, &labels),
                predicate(spec),
                "oracle vs predicate: {expression} on {}",
                spec.id
            );
        }
        check(fleet, expression, &matcher(expression), &expected);
    }
}

// ---------------------------------------------------------------------------------------------------
// Empty fleet, insert, get, contains, len
// ---------------------------------------------------------------------------------------------------

#[test]
fn a_new_fleet_is_empty() {
    let fleet = Fleet::new();
    assert!(fleet.is_empty());
    assert_eq!(fleet.len(), 0);
    assert_eq!(fleet.iter().count(), 0);
    assert!(fleet.get("node-1").is_none());
    assert!(!fleet.contains("node-1"));
    let everything = fleet.select(&compile(&Selector::new()));
    assert!(everything.is_empty());
    assert_eq!(everything.len(), 0);
    assert_eq!(everything.iter().count(), 0);
    assert!(!everything.contains("node-1"));
    assert_eq!(fleet.count(&matcher("!zone")), 0);
    assert_eq!(fleet.count(&matcher("zone!=a")), 0);

    let default = Fleet::default();
    assert!(default.is_empty());
    assert_eq!(default.count(&compile(&Selector::new())), 0);
}

#[test]
fn insert_get_contains_len() {
    let mut fleet = Fleet::new();
    assert!(!fleet.insert("node-1", [("zone", "a"), ("gpu", "l4")]));
    assert!(!fleet.insert("node-2", [("zone", "b")]));
    assert!(!fleet.insert("node-3", [("zone", "a"), ("debug", "")]));
    assert_eq!(fleet.len(), 3);
    assert!(!fleet.is_empty());
    assert!(fleet.contains("node-1"));
    assert!(fleet.contains("node-2"));
    assert!(fleet.contains("node-3"));
    assert!(!fleet.contains("node-4"));
    assert!(!fleet.contains("node"));
    assert!(!fleet.contains(""));

    assert_eq!(
        labels_of(&fleet, "node-1"),
        [("gpu".into(), "l4".into()), ("zone".into(), "a".into())]
    );
    assert_eq!(labels_of(&fleet, "node-2"), [("zone".into(), "b".into())]);
    assert_eq!(
        labels_of(&fleet, "node-3"),
        [("debug".into(), String::new()), ("zone".into(), "a".into())]
    );
    assert!(fleet.get("node-4").is_none());
    assert_eq!(all_ids(&fleet), ["node-1", "node-2", "node-3"]);
}

#[test]
fn insert_accepts_any_pairs_of_strings() {
    let mut fleet = Fleet::new();
    fleet.insert("array", [("k", "v")]);
    fleet.insert("owned", vec![("k".to_string(), "v".to_string())]);
    fleet.insert("hashmap", HashMap::from([("k", "v")]));
    let map = BTreeMap::from([("k".to_string(), "v".to_string())]);
    fleet.insert("btreemap-ref", &map);
    fleet.insert("none", std::iter::empty::<(&str, &str)>());
    assert_eq!(fleet.len(), 5);
    check_expr(
        &fleet,
        "k=v",
        &["array", "owned", "hashmap", "btreemap-ref"],
    );
    check_expr(&fleet, "!k", &["none"]);
    assert!(fleet.get("none").unwrap().is_empty());
    assert_eq!(fleet.get("none").unwrap().len(), 0);
}

#[test]
fn ids_are_arbitrary_strings() {
    let mut fleet = Fleet::new();
    fleet.insert("", [("k", "empty-id")]);
    fleet.insert("with space", [("k", "space")]);
    fleet.insert("ünïcode", [("k", "unicode")]);
    assert_eq!(all_ids(&fleet), ["", "with space", "ünïcode"]);
    assert!(fleet.contains(""));
    assert_eq!(fleet.get("").unwrap().get("k"), Some("empty-id"));
    let m = compile(&Selector::new().id("").id("ünïcode"));
    check(&fleet, "ids", &m, &["".into(), "ünïcode".into()]);
    assert!(fleet.remove(""));
    assert!(!fleet.contains(""));
    check(&fleet, "ids after removal", &m, &["ünïcode".into()]);
}

#[test]
fn duplicate_keys_in_one_insert_last_wins() {
    let mut fleet = Fleet::new();
    fleet.insert(
        "n1",
        [("zone", "a"), ("cpu", "4"), ("zone", "b"), ("cpu", "16")],
    );
    fleet.insert("n2", [("zone", "c"), ("zone", "a")]);
    fleet.insert("n3", [("zone", "a"), ("zone", "a")]);
    let n1 = fleet.get("n1").unwrap();
    assert_eq!(n1.len(), 2);
    assert_eq!(n1.get("zone"), Some("b"));
    assert_eq!(n1.get("cpu"), Some("16"));
    assert_eq!(labels_of(&fleet, "n3"), [("zone".into(), "a".into())]);

    check_expr(&fleet, "zone=a", &["n2", "n3"]);
    check_expr(&fleet, "zone=b", &["n1"]);
    check_expr(&fleet, "zone=c", &[]);
    check_expr(&fleet, "cpu>8", &["n1"]);
    check_expr(&fleet, "cpu<8", &[]);
    check_expr(&fleet, "cpu=4", &[]);
    check_expr(&fleet, "zone notin (a)", &["n1"]);

    // Also when replacing.
    assert!(fleet.insert("n1", [("cpu", "1"), ("zone", "c"), ("cpu", "2")]));
    assert_eq!(fleet.get("n1").unwrap().get("cpu"), Some("2"));
    check_expr(&fleet, "cpu>8", &[]);
    check_expr(&fleet, "cpu<2", &[]);
    check_expr(&fleet, "cpu<3", &["n1"]);
    check_expr(&fleet, "zone=c", &["n1"]);
}

#[test]
fn duplicate_keys_last_wins_on_a_large_fleet() {
    let mut fleet = Fleet::new();
    for i in 0..200 {
        let id = node_id(i);
        let first = if i % 2 == 0 { "even" } else { "odd" };
        let last = if i % 3 == 0 { "three" } else { "other" };
        fleet.insert(&id, [("kind", first), ("n", "1"), ("kind", last)]);
    }
    let expected =
        |p: fn(usize) -> bool| -> Vec<String> { (0..200).filter(|&i| p(i)).map(node_id).collect() };
    check(&fleet, "kind=even", &matcher("kind=even"), &[]);
    check(&fleet, "kind=odd", &matcher("kind=odd"), &[]);
    check(
        &fleet,
        "kind=three",
        &matcher("kind=three"),
        &expected(|i| i % 3 == 0),
    );
    check(
        &fleet,
        "kind!=three",
        &matcher("kind!=three"),
        &expected(|i| i % 3 != 0),
    );
    check(
        &fleet,
        "kind notin (even,odd)",
        &matcher("kind notin (even,odd)"),
        &expected(|_| true),
    );
}

// ---------------------------------------------------------------------------------------------------
// NodeLabels
// ---------------------------------------------------------------------------------------------------

#[test]
fn node_labels_implements_labels() {
    let mut fleet = Fleet::new();
    fleet.insert(
        "node-1",
        [
            ("zone", "us-east-1a"),
            ("debug", ""),
            ("example.com/gpu", "l4"),
            ("a", "first"),
        ],
    );
    fleet.insert("node-2", [("zone", "us-east-1b")]);
    let labels = fleet.get("node-1").unwrap();

    // Through the trait, as the engine reads it.
    fn read<L: Labels>(labels: &L, key: &str) -> Option<String> {
        labels.get(key).map(str::to_owned)
    }
    assert_eq!(read(&labels, "zone").as_deref(), Some("us-east-1a"));
    assert_eq!(read(&labels, "debug").as_deref(), Some(""));
    assert_eq!(read(&labels, "example.com/gpu").as_deref(), Some("l4"));
    assert_eq!(read(&labels, "a").as_deref(), Some("first"));
    assert_eq!(read(&labels, "gpu"), None);
    assert_eq!(read(&labels, "zon"), None);
    assert_eq!(read(&labels, "zonee"), None);
    assert_eq!(read(&labels, ""), None);
    assert_eq!(read(&labels, "0"), None);
    assert_eq!(read(&labels, "~"), None);
    // A key that only another node has.
    assert_eq!(fleet.get("node-2").unwrap().get("debug"), None);

    assert_eq!(labels.len(), 4);
    assert!(!labels.is_empty());
    let pairs: Vec<(&str, &str)> = labels.iter().collect();
    assert_eq!(
        pairs,
        [
            ("a", "first"),
            ("debug", ""),
            ("example.com/gpu", "l4"),
            ("zone", "us-east-1a"),
        ]
    );
    assert_eq!(labels.iter().len(), 4);
    assert_eq!(
        format!("{labels:?}"),
        r#"{"a": "first", "debug": "", "example.com/gpu": "l4", "zone": "us-east-1a"}"#
    );

    // Expressions and matchers evaluate on it directly.
    assert!(
        Expression::parse("debug, zone=us-east-1a, example.com/gpu in (l4)")
            .unwrap()
            .matches(&labels)
    );
    assert!(!Expression::parse("!debug").unwrap().matches(&labels));
    assert!(Expression::parse("debug=").unwrap().matches(&labels));
    assert!(Expression::parse("gpu!=l4").unwrap().matches(&labels));
    assert!(matcher("zone, debug in ()").matches("node-1", &labels));
    assert!(!matcher("zone=us-east-1b").matches("node-1", &labels));
}

#[test]
fn node_labels_of_a_node_without_labels() {
    let mut fleet = Fleet::new();
    fleet.insert("bare", std::iter::empty::<(&str, &str)>());
    let labels = fleet.get("bare").unwrap();
    assert!(labels.is_empty());
    assert_eq!(labels.len(), 0);
    assert_eq!(labels.iter().count(), 0);
    assert_eq!(labels.get("zone"), None);
    assert_eq!(format!("{labels:?}"), "{}");
    check_expr(&fleet, "!zone", &["bare"]);
    check_expr(&fleet, "zone!=a", &["bare"]);
    check_expr(&fleet, "zone", &[]);
}

#[test]
fn node_labels_sorted_by_key_bytes() {
    let mut fleet = Fleet::new();
    let keys = [
        "b", "B", "a", "a.b", "a-b", "a_b", "A", "ab", "a/b", "1", "z",
    ];
    fleet.insert("n", keys.iter().map(|k| (*k, *k)));
    let labels = fleet.get("n").unwrap();
    let mut sorted = keys.to_vec();
    sorted.sort();
    let got: Vec<&str> = labels.iter().map(|(k, _)| k).collect();
    assert_eq!(got, sorted);
    for key in keys {
        assert_eq!(labels.get(key), Some(key), "get({key})");
    }
    assert_eq!(labels.get("C"), None);
}

// ---------------------------------------------------------------------------------------------------
// Replacement
// ---------------------------------------------------------------------------------------------------

#[test]
fn replace_returns_true_and_keeps_len() {
    let mut fleet = Fleet::new();
    assert!(!fleet.insert("n1", [("zone", "a")]));
    assert!(fleet.insert("n1", [("zone", "b")]));
    assert!(fleet.insert("n1", [("zone", "b")]));
    assert_eq!(fleet.len(), 1);
    assert_eq!(fleet.get("n1").unwrap().get("zone"), Some("b"));
}

#[test]
fn replace_keeps_place_and_updates_index_small() {
    let mut fleet = Fleet::new();
    fleet.insert("n1", [("zone", "a"), ("cpu", "4")]);
    fleet.insert("n2", [("zone", "a"), ("cpu", "8")]);
    fleet.insert("n3", [("zone", "b"), ("cpu", "16")]);

    assert!(fleet.insert("n1", [("zone", "c"), ("gpu", "l4")]));
    assert_eq!(all_ids(&fleet), ["n1", "n2", "n3"]);
    check_expr(&fleet, "zone=a", &["n2"]);
    check_expr(&fleet, "zone=c", &["n1"]);
    check_expr(&fleet, "gpu", &["n1"]);
    check_expr(&fleet, "!cpu", &["n1"]);
    check_expr(&fleet, "cpu<5", &[]);
    check_expr(&fleet, "cpu>1", &["n2", "n3"]);
    check_expr(&fleet, "zone in (a,c)", &["n1", "n2"]);

    // Replace with no labels at all.
    assert!(fleet.insert("n3", std::iter::empty::<(&str, &str)>()));
    assert_eq!(all_ids(&fleet), ["n1", "n2", "n3"]);
    check_expr(&fleet, "zone", &["n1", "n2"]);
    check_expr(&fleet, "!zone", &["n3"]);
    check_expr(&fleet, "cpu>10", &[]);
}

#[test]
fn replace_keeps_place_and_updates_index() {
    for n in [10, 500] {
        let mut specs = specs(n);
        let mut fleet = build(&specs);
        check_all(&fleet, &specs);

        // Replace one node with labels nobody else has.
        let target = specs[3].id.clone();
        let old_zone = specs[3].zone;
        assert!(fleet.insert(&target, [("zone", "z"), ("cpu", "100"), ("fresh", "yes")]));
        assert_eq!(fleet.len(), n);
        assert_eq!(all_ids(&fleet)[3], target);
        check_expr(&fleet, "zone=z", &[&target]);
        check_expr(&fleet, "fresh", &[&target]);
        check_expr(&fleet, "cpu>99, cpu<101", &[&target]);
        assert!(
            !fleet
                .select(&matcher(&format!("zone={old_zone}")))
                .contains(&target)
        );
        assert!(fleet.select(&matcher("!rack")).contains(&target));
        assert_eq!(
            fleet.count(&matcher("!rack")),
            1,
            "only the replaced node lost rack"
        );

        // Replace every third node with another generated node's labels; check everything.
        for (i, spec) in specs.iter_mut().enumerate() {
            if i % 3 == 0 || i == 3 {
                *spec = Spec::new(spec.id.clone(), i + 1000);
                assert!(fleet.insert(&spec.id, spec.labels()));
            }
        }
        check_all(&fleet, &specs);

        // Replace every node with its own labels again: nothing changes.
        for spec in &specs {
            assert!(fleet.insert(&spec.id, spec.labels()));
        }
        check_all(&fleet, &specs);
    }
}

#[test]
fn replace_after_slot_reuse_keeps_place() {
    let mut fleet = Fleet::new();
    for id in ["a", "b", "c", "d"] {
        fleet.insert(id, [("k", id)]);
    }
    assert!(fleet.remove("b"));
    fleet.insert("e", [("k", "e")]); // reuses b's slot
    assert_eq!(all_ids(&fleet), ["a", "c", "d", "e"]);
    assert!(fleet.insert("e", [("k", "x")]));
    assert!(fleet.insert("a", [("k", "x")]));
    assert_eq!(all_ids(&fleet), ["a", "c", "d", "e"]);
    check_expr(&fleet, "k=x", &["a", "e"]);
    check_expr(&fleet, "k notin (x)", &["c", "d"]);
}

// ---------------------------------------------------------------------------------------------------
// Removal and slot reuse
// ---------------------------------------------------------------------------------------------------

#[test]
fn remove_returns_whether_there_was_a_node() {
    let mut fleet = Fleet::new();
    assert!(!fleet.remove("n1"));
    fleet.insert("n1", [("zone", "a")]);
    fleet.insert("n2", [("zone", "a")]);
    assert!(!fleet.remove("n3"));
    assert!(fleet.remove("n1"));
    assert!(!fleet.remove("n1"));
    assert_eq!(fleet.len(), 1);
    assert!(!fleet.contains("n1"));
    assert!(fleet.get("n1").is_none());
    assert_eq!(all_ids(&fleet), ["n2"]);
    check_expr(&fleet, "zone=a", &["n2"]);
    let by_id = compile(&Selector::new().id("n1"));
    check(&fleet, "id n1", &by_id, &[]);
    assert!(!fleet.select(&compile(&Selector::new())).contains("n1"));
}

#[test]
fn removed_slot_is_reused_in_insertion_order_small() {
    let mut fleet = Fleet::new();
    for (id, zone) in [("a", "x"), ("b", "y"), ("c", "x"), ("d", "y"), ("e", "x")] {
        fleet.insert(id, [("zone", zone)]);
    }
    assert!(fleet.remove("b"));
    assert!(fleet.remove("d"));
    check_expr(&fleet, "zone=y", &[]);
    fleet.insert("f", [("zone", "y")]);
    fleet.insert("g", [("zone", "x")]);
    fleet.insert("h", [("zone", "y")]);
    assert_eq!(fleet.len(), 6);
    assert_eq!(all_ids(&fleet), ["a", "c", "e", "f", "g", "h"]);
    check_expr(&fleet, "zone=x", &["a", "c", "e", "g"]);
    check_expr(&fleet, "zone=y", &["f", "h"]);
    check_expr(&fleet, "", &["a", "c", "e", "f", "g", "h"]);
    // The removed ids come back at the end.
    fleet.insert("b", [("zone", "x")]);
    assert_eq!(all_ids(&fleet), ["a", "c", "e", "f", "g", "h", "b"]);
    check_expr(&fleet, "zone=x", &["a", "c", "e", "g", "b"]);
    assert_eq!(
        fleet.get("b").unwrap().iter().collect::<Vec<_>>(),
        [("zone", "x")]
    );
}

#[test]
fn removal_and_reuse_keep_index_and_order() {
    for n in [10, 500] {
        let mut specs = specs(n);
        let mut fleet = build(&specs);

        // Remove every third node.
        let removed: Vec<Spec> = specs.iter().step_by(3).cloned().collect();
        for spec in &removed {
            assert!(fleet.remove(&spec.id));
            assert!(!fleet.contains(&spec.id));
        }
        specs.retain(|s| !removed.iter().any(|r| r.id == s.id));
        check_all(&fleet, &specs);
        for spec in &removed {
            assert!(fleet.get(&spec.id).is_none());
            assert!(!fleet.remove(&spec.id));
        }

        // New nodes take the freed slots but come last in every order.
        for i in 0..removed.len() + 7 {
            let spec = Spec::new(format!("new-{i:04}"), i * 3 + 1);
            assert!(!fleet.insert(&spec.id, spec.labels()));
            specs.push(spec);
        }
        check_all(&fleet, &specs);

        // Some removed ids come back, at the end.
        for spec in removed.iter().take(4) {
            assert!(!fleet.insert(&spec.id, spec.labels()));
            specs.push(spec.clone());
        }
        check_all(&fleet, &specs);

        // Remove and insert interleaved.
        for round in 0..3 {
            let victim = specs.remove(round * 2 % specs.len());
            assert!(fleet.remove(&victim.id));
            let spec = Spec::new(format!("round-{round}"), round + 77);
            fleet.insert(&spec.id, spec.labels());
            specs.push(spec);
            check_all(&fleet, &specs);
        }
    }
}

#[test]
fn remove_most_then_grow_past_64_again() {
    let mut specs = specs(300);
    let mut fleet = build(&specs);
    // Keep only 20 nodes, scattered across the slots.
    let kept: Vec<Spec> = specs.iter().step_by(15).cloned().collect();
    for spec in &specs {
        if !kept.iter().any(|k| k.id == spec.id) {
            assert!(fleet.remove(&spec.id));
        }
    }
    specs = kept;
    check_all(&fleet, &specs);
    // Grow back past 64 nodes (reusing slots, then appending new ones).
    for i in 0..400 {
        let spec = Spec::new(format!("again-{i:04}"), i + 5);
        fleet.insert(&spec.id, spec.labels());
        specs.push(spec);
        if i == 50 || i == 280 {
            check_all(&fleet, &specs);
        }
    }
    check_all(&fleet, &specs);
}

#[test]
fn remove_everything_and_start_again() {
    for n in [10, 500] {
        let specs_before = specs(n);
        let mut fleet = build(&specs_before);
        // Remove in an order that is neither insertion order nor its reverse.
        for i in (0..n)
            .filter(|i| i % 2 == 1)
            .chain((0..n).filter(|i| i % 2 == 0))
        {
            assert!(fleet.remove(&node_id(i)));
        }
        assert!(fleet.is_empty());
        assert_eq!(fleet.len(), 0);
        assert_eq!(fleet.iter().count(), 0);
        check_all(&fleet, &[]);
        check_expr(&fleet, "zone", &[]);
        check_expr(&fleet, "cpu>0", &[]);
        check_expr(&fleet, "!nokey", &[]);

        // Start again, with the ids in reverse and different labels.
        let mut specs: Vec<Spec> = (0..n).rev().map(|i| Spec::new(node_id(i), i + 3)).collect();
        specs.truncate(n / 2 + 1);
        for spec in &specs {
            assert!(
                !fleet.insert(&spec.id, spec.labels()),
                "{} is new again",
                spec.id
            );
        }
        check_all(&fleet, &specs);

        // And once more after removing everything again.
        for spec in &specs {
            assert!(fleet.remove(&spec.id));
        }
        assert!(fleet.is_empty());
        let specs = self::specs(n);
        for spec in &specs {
            fleet.insert(&spec.id, spec.labels());
        }
        check_all(&fleet, &specs);
    }
}

// ---------------------------------------------------------------------------------------------------
// select / count per operator
// ---------------------------------------------------------------------------------------------------

#[test]
fn every_operator_on_a_small_fleet() {
    let specs = specs(10);
    check_all(&build(&specs), &specs);
}

#[test]
fn every_operator_on_a_large_fleet() {
    let specs = specs(500);
    check_all(&build(&specs), &specs);
}

#[test]
fn every_operator_around_the_scan_threshold() {
    for n in [63, 64, 65, 66, 129] {
        let specs = specs(n);
        check_all(&build(&specs), &specs);
    }
}

#[test]
fn each_operator_by_hand() {
    let mut fleet = Fleet::new();
    fleet.insert("n1", [("zone", "a"), ("cpu", "4"), ("gpu", "l4")]);
    fleet.insert("n2", [("zone", "b"), ("cpu", "16")]);
    fleet.insert("n3", [("zone", "a"), ("cpu", "x"), ("debug", "")]);
    fleet.insert("n4", [("tier", "spot")]);

    check_expr(&fleet, "zone=a", &["n1", "n3"]);
    check_expr(&fleet, "zone==a", &["n1", "n3"]);
    check_expr(&fleet, "zone in (b)", &["n2"]);
    check_expr(&fleet, "zone in (a,b)", &["n1", "n2", "n3"]);
    check_expr(&fleet, "zone!=a", &["n2", "n4"]);
    check_expr(&fleet, "zone notin (a,b)", &["n4"]);
    check_expr(&fleet, "gpu", &["n1"]);
    check_expr(&fleet, "!gpu", &["n2", "n3", "n4"]);
    check_expr(&fleet, "debug", &["n3"]);
    check_expr(&fleet, "debug=", &["n3"]);
    check_expr(&fleet, "cpu>4", &["n2"]);
    check_expr(&fleet, "cpu>3", &["n1", "n2"]);
    check_expr(&fleet, "cpu<16", &["n1"]);
    check_expr(&fleet, "cpu<17", &["n1", "n2"]);
    check_expr(&fleet, "cpu!=x", &["n1", "n2", "n4"]);
}

#[test]
fn integer_like_values() {
    // Built small and then padded past 64 nodes with nodes that have no `v`, so both paths run.
    let values = [
        ("p", "08"),
        ("q", "+2"),
        ("r", "-0"),
        ("s", "8"),
        ("t", "x8"),
        ("u", "-5"),
        ("w", "2.0"),
        ("y", "0"),
        ("z", "99999999999999999999"),
    ];
    for padding in [0, 200] {
        let mut fleet = Fleet::new();
        for (id, v) in values {
            fleet.insert(id, [("v", v)]);
        }
        for i in 0..padding {
            fleet.insert(&format!("pad-{i}"), [("other", "8")]);
        }
        check_expr(&fleet, "v>7", &["p", "s"]);
        check_expr(&fleet, "v>8", &[]);
        check_expr(&fleet, "v<8", &["q", "r", "u", "y"]);
        check_expr(&fleet, "v<9", &["p", "q", "r", "s", "u", "y"]);
        check_expr(&fleet, "v>1", &["p", "q", "s"]);
        check_expr(&fleet, "v<1", &["r", "u", "y"]);
        check_expr(&fleet, "v<0", &["u"]);
        check_expr(&fleet, "v>0", &["p", "q", "s"]);
        check_expr(&fleet, "v>00", &["p", "q", "s"]);
        check_expr(&fleet, "v<01", &["r", "u", "y"]);
        check_expr(&fleet, "v>2, v<9", &["p", "s"]);
        // `=` compares text, not numbers.
        check_expr(&fleet, "v=8", &["s"]);
        check_expr(&fleet, "v=08", &["p"]);
        check_expr(&fleet, "v in (0)", &["y"]);
        check_expr(
            &fleet,
            "v, v notin (8,0)",
            &["p", "q", "r", "t", "u", "w", "z"],
        );
        assert_eq!(fleet.count(&matcher("v notin (8,0)")), 7 + padding);
        // `other` holds `8` too, and only the padding has it.
        let others: Vec<String> = (0..padding).map(|i| format!("pad-{i}")).collect();
        let others: Vec<&str> = others.iter().map(String::as_str).collect();
        check_expr(&fleet, "other>7", &others);
        check_expr(&fleet, "other<8", &[]);
        check_expr(&fleet, "other=8, v>0", &[]);
    }
}

#[test]
fn a_value_that_is_an_integer_under_one_key_and_text_under_another() {
    // The same strings `8`, `08` and `x` appear under several keys; `>`/`<` look only at the key asked.
    for padding in [0, 150] {
        let mut fleet = Fleet::new();
        fleet.insert("n1", [("cpu", "8"), ("name", "x")]);
        fleet.insert("n2", [("cpu", "x"), ("name", "8")]);
        fleet.insert("n3", [("cpu", "08"), ("name", "08")]);
        fleet.insert("n4", [("cpu", "2"), ("name", "x")]);
        for i in 0..padding {
            fleet.insert(&format!("pad-{i}"), [("pad", "8")]);
        }
        check_expr(&fleet, "cpu>5", &["n1", "n3"]);
        check_expr(&fleet, "name>5", &["n2", "n3"]);
        check_expr(&fleet, "cpu<5", &["n4"]);
        check_expr(&fleet, "name<5", &[]);
        check_expr(&fleet, "cpu>5, name>5", &["n3"]);

        // Remove `8` from `cpu` (n1) only: `name>5` still sees n2's `8`.
        assert!(fleet.insert("n1", [("cpu", "1"), ("name", "x")]));
        check_expr(&fleet, "cpu>5", &["n3"]);
        check_expr(&fleet, "cpu>7", &["n3"]);
        check_expr(&fleet, "name>7", &["n2", "n3"]);
        check_expr(&fleet, "cpu<5", &["n1", "n4"]);

        // Remove `08` from `name` (n3): `cpu` still has `08` on n3.
        assert!(fleet.insert("n3", [("cpu", "08"), ("name", "y")]));
        check_expr(&fleet, "name>5", &["n2"]);
        check_expr(&fleet, "cpu>5", &["n3"]);
        check_expr(&fleet, "name=08", &[]);
        check_expr(&fleet, "cpu=08", &["n3"]);
    }
}

#[test]
fn shared_values_removed_from_every_node_are_gone_for_comparisons() {
    for padding in [0, 300] {
        let mut fleet = Fleet::new();
        for i in 0..padding {
            // Padding nodes keep `cpu` present so that `cpu>..` has many candidates.
            fleet.insert(&format!("pad-{i}"), [("cpu", "1"), ("zone", "a")]);
        }
        let shared = ["s1", "s2", "s3", "s4"];
        for id in shared {
            fleet.insert(id, [("cpu", "8"), ("zone", "b")]);
        }
        fleet.insert("t1", [("cpu", "08"), ("zone", "b")]);
        fleet.insert("t2", [("cpu", "16"), ("zone", "c")]);
        check_expr(&fleet, "cpu>7", &["s1", "s2", "s3", "s4", "t1", "t2"]);
        check_expr(&fleet, "cpu>8", &["t2"]);
        check_expr(&fleet, "cpu=8", &shared);

        // Remove `8` from some nodes: it stays for the others.
        assert!(fleet.remove("s1"));
        assert!(fleet.insert("s2", [("cpu", "3"), ("zone", "b")]));
        check_expr(&fleet, "cpu>7", &["s3", "s4", "t1", "t2"]);
        check_expr(
            &fleet,
            "cpu<8",
            &{
                let mut ids: Vec<String> = (0..padding).map(|i| format!("pad-{i}")).collect();
                ids.push("s2".into());
                ids
            }
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        );

        // Remove it from every node (by removal and by replacement): comparisons no longer see it.
        assert!(fleet.remove("s3"));
        assert!(fleet.insert("s4", [("zone", "b")]));
        check_expr(&fleet, "cpu>7", &["t1", "t2"]);
        check_expr(&fleet, "cpu=8", &[]);
        check_expr(&fleet, "cpu in (8,16)", &["t2"]);
        check_expr(&fleet, "cpu>4, cpu<10", &["t1"]);
        // Remove `08` too: nothing equal to 8 is left.
        assert!(fleet.remove("t1"));
        check_expr(&fleet, "cpu>4, cpu<10", &[]);
        check_expr(&fleet, "cpu>7", &["t2"]);
        check_expr(&fleet, "zone=b", &["s2", "s4"]);
        // Remove `16`, then the zones `b`.
        assert!(fleet.insert("t2", [("zone", "c")]));
        check_expr(&fleet, "cpu>1", &["s2"]);
        assert!(fleet.remove("s2"));
        assert!(fleet.remove("s4"));
        check_expr(&fleet, "cpu>1", &[]);
        check_expr(&fleet, "zone=b", &[]);
        check_expr(&fleet, "zone in (b,c)", &["t2"]);
        assert_eq!(fleet.count(&matcher("zone notin (b)")), padding + 1);

        // Bring `8` back on a new node: comparisons see it again.
        fleet.insert("back", [("cpu", "8")]);
        check_expr(&fleet, "cpu>7", &["back"]);
        check_expr(&fleet, "cpu=8", &["back"]);
    }
}

// ---------------------------------------------------------------------------------------------------
// match_labels, match_ids, the empty selector
// ---------------------------------------------------------------------------------------------------

#[test]
fn match_labels() {
    for n in [10, 500] {
        let specs = specs(n);
        let fleet = build(&specs);
        let expect = |p: &dyn Fn(&Spec) -> bool| -> Vec<String> {
            specs
                .iter()
                .filter(|s| p(s))
                .map(|s| s.id.clone())
                .collect()
        };
        let m = compile(&Selector::new().label("zone", "a"));
        check(&fleet, "labels zone=a", &m, &expect(&|s| s.zone == "a"));
        let m = compile(&Selector::new().label("zone", "a").label("gpu", "l4"));
        check(
            &fleet,
            "labels zone=a,gpu=l4",
            &m,
            &expect(&|s| s.zone == "a" && s.gpu == Some("l4")),
        );
        let m = compile(&Selector::new().label("debug", ""));
        check(&fleet, "labels debug=''", &m, &expect(&|s| s.debug));
        let m = compile(&Selector::new().label("cpu", "08"));
        check(
            &fleet,
            "labels cpu=08",
            &m,
            &expect(&|s| s.cpu_text() == Some("08")),
        );
        let m = compile(&Selector::new().label("zone", "nosuch"));
        check(&fleet, "labels zone=nosuch", &m, &[]);
        let m = compile(&Selector::new().label("nokey", "a"));
        check(&fleet, "labels nokey=a", &m, &[]);
        // With expressions.
        let m = compile(
            &Selector::new()
                .label("zone", "b")
                .expression("!gpu")
                .expression("rack>2"),
        );
        check(
            &fleet,
            "labels zone=b + !gpu + rack>2",
            &m,
            &expect(&|s| s.zone == "b" && s.gpu.is_none() && s.rack > 2),
        );
    }
}

#[test]
fn match_ids() {
    for n in [10, 500] {
        let specs = specs(n);
        let fleet = build(&specs);
        let expect = |p: &dyn Fn(usize, &Spec) -> bool| -> Vec<String> {
            specs
                .iter()
                .enumerate()
                .filter(|(i, s)| p(*i, s))
                .map(|(_, s)| s.id.clone())
                .collect()
        };

        // Ids given out of order and repeated; the selection is in insertion order.
        let m = compile(
            &Selector::new()
                .id(node_id(7))
                .id(node_id(2))
                .id("ghost")
                .id(node_id(7)),
        );
        check(
            &fleet,
            "ids 7,2,ghost",
            &m,
            &expect(&|i, _| i == 2 || i == 7),
        );
        assert!(!fleet.select(&m).contains("ghost"));

        // Only ids not in the fleet.
        let m = compile(&Selector::new().id("ghost").id(node_id(n)));
        check(&fleet, "ids not in fleet", &m, &[]);

        // Ids with expressions and labels.
        let mut selector = Selector::new().expression("!gpu");
        for i in (0..n + 20).filter(|i| i % 2 == 0) {
            selector = selector.id(node_id(i));
        }
        let m = compile(&selector);
        check(
            &fleet,
            "even ids + !gpu",
            &m,
            &expect(&|i, s| i % 2 == 0 && s.gpu.is_none()),
        );
        let m = compile(&selector.clone().label("zone", "a"));
        check(
            &fleet,
            "even ids + !gpu + zone=a",
            &m,
            &expect(&|i, s| i % 2 == 0 && s.gpu.is_none() && s.zone == "a"),
        );
        let m = compile(&selector.clone().expression("cpu>2"));
        check(
            &fleet,
            "even ids + !gpu + cpu>2",
            &m,
            &expect(&|i, s| i % 2 == 0 && s.gpu.is_none() && s.cpu_int().is_some_and(|v| v > 2)),
        );

        // All ids: same as no constraint.
        let mut everyone = Selector::new();
        for spec in &specs {
            everyone = everyone.id(spec.id.clone());
        }
        check(
            &fleet,
            "all ids",
            &compile(&everyone),
            &expect(&|_, _| true),
        );
        let m = compile(&everyone.expression("zone!=a"));
        check(
            &fleet,
            "all ids + zone!=a",
            &m,
            &expect(&|_, s| s.zone != "a"),
        );
    }
}

#[test]
fn match_ids_after_removal_and_reuse() {
    for n in [10, 500] {
        let specs = specs(n);
        let mut fleet = build(&specs);
        let mut selector = Selector::new();
        for i in 0..n {
            selector = selector.id(node_id(i));
        }
        let m = compile(&selector);
        // Remove the first half; new ids take their slots but are not in the id list.
        for i in 0..n / 2 {
            assert!(fleet.remove(&node_id(i)));
        }
        for (i, spec) in specs.iter().take(n / 2).enumerate() {
            fleet.insert(&format!("other-{i}"), spec.labels());
        }
        let expected: Vec<String> = (n / 2..n).map(node_id).collect();
        check(&fleet, "original ids", &m, &expected);
        // A removed id that comes back is selected again, last.
        fleet.insert(&node_id(0), [("zone", "a")]);
        let mut expected = expected;
        expected.push(node_id(0));
        check(&fleet, "original ids after re-insert", &m, &expected);
    }
}

#[test]
fn the_empty_selector_selects_everything() {
    for n in [10, 500] {
        let specs = specs(n);
        let mut fleet = build(&specs);
        let empty = compile(&Selector::new());
        assert!(empty.is_empty());
        let ids: Vec<String> = specs.iter().map(|s| s.id.clone()).collect();
        check(&fleet, "empty selector", &empty, &ids);
        check(&fleet, "empty expression", &matcher(""), &ids);
        assert_eq!(fleet.count(&empty), n);

        // Also after removal and slot reuse.
        for i in (0..n).step_by(2) {
            fleet.remove(&node_id(i));
        }
        fleet.insert("late-1", [("zone", "q")]);
        fleet.insert("late-2", std::iter::empty::<(&str, &str)>());
        let mut ids: Vec<String> = (0..n).filter(|i| i % 2 == 1).map(node_id).collect();
        ids.push("late-1".into());
        ids.push("late-2".into());
        check(&fleet, "empty selector after reuse", &empty, &ids);
        assert_eq!(all_ids(&fleet), ids);
    }
}

#[test]
fn selectors_on_keys_and_values_no_node_has() {
    for n in [10, 500] {
        let specs = specs(n);
        let fleet = build(&specs);
        let ids: Vec<String> = specs.iter().map(|s| s.id.clone()).collect();
        for none in [
            "nokey",
            "nokey=a",
            "nokey==a",
            "nokey in (a,b)",
            "nokey>0",
            "nokey<100",
            "zone=nosuch",
            "zone in (nosuch)",
            "zone in ()",
            "gpu=a100",
            "zone=a, nokey",
        ] {
            check(&fleet, none, &matcher(none), &[]);
        }
        for all in [
            "!nokey",
            "nokey!=a",
            "nokey notin (a,b)",
            "zone!=nosuch",
            "zone notin (nosuch,other)",
            "gpu!=a100",
            "!nokey, nokey notin (x)",
        ] {
            check(&fleet, all, &matcher(all), &ids);
        }
        // A key and value that exist, but never together.
        check(&fleet, "gpu=a", &matcher("gpu=a"), &[]);
        check(&fleet, "zone=l4", &matcher("zone=l4"), &[]);
    }
}

#[test]
fn selection_contains() {
    for n in [10, 500] {
        let specs = specs(n);
        let mut fleet = build(&specs);
        fleet.remove(&node_id(1));
        let m = matcher("rack<9");
        let selection = fleet.select(&m);
        assert!(selection.contains(&node_id(0)));
        assert!(!selection.contains(&node_id(1)), "removed node");
        assert!(selection.contains(&node_id(n - 1)));
        assert!(!selection.contains(&node_id(n)), "never inserted");
        assert!(!selection.contains("ghost"));
        assert!(!selection.contains(""));
        assert_eq!(selection.len(), n - 1);

        let m = matcher("zone=a");
        let selection = fleet.select(&m);
        for spec in &specs {
            let expected = spec.zone == "a" && spec.id != node_id(1);
            assert_eq!(selection.contains(&spec.id), expected, "{}", spec.id);
        }
        // A clone of the selection answers the same.
        let copy = selection.clone();
        assert_eq!(
            copy.iter().collect::<Vec<_>>(),
            selection.iter().collect::<Vec<_>>()
        );
        assert_eq!(copy.len(), selection.len());
    }
}

// ---------------------------------------------------------------------------------------------------
// Clone, heap_bytes
// ---------------------------------------------------------------------------------------------------

#[test]
fn a_clone_is_independent() {
    let specs = specs(100);
    let mut fleet = build(&specs);
    let copy = fleet.clone();
    for i in 0..50 {
        fleet.remove(&node_id(i));
    }
    fleet.insert(&node_id(99), [("zone", "zz")]);
    check_all(&copy, &specs);
    assert_eq!(fleet.len(), 50);
    check_expr(&fleet, "zone=zz", &[&node_id(99)]);
    check_expr(&copy, "zone=zz", &[]);
}

#[test]
fn heap_bytes_grows_with_nodes() {
    let mut fleet = Fleet::new();
    let empty = fleet.heap_bytes();
    fleet.insert("node-0", [("zone", "a")]);
    let one = fleet.heap_bytes();
    assert!(one > empty, "{one} > {empty}");
    let mut last = one;
    for (step, n) in [10usize, 100, 1000].into_iter().enumerate() {
        for i in fleet.len()..n {
            fleet.insert(
                &node_id(i),
                [
                    ("zone", ZONES[i % 4].to_owned()),
                    ("serial", format!("s-{i}")),
                ],
            );
        }
        let now = fleet.heap_bytes();
        assert!(now > last, "step {step}: {now} > {last}");
        last = now;
    }
    // A thousand nodes with a unique value each take at least their ids and values.
    assert!(last > 1000 * ("node-0000".len() + "s-000".len()), "{last}");
}
