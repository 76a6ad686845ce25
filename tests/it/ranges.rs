//! Integer ranges on a [`Fleet`]: every `>` and `<` of a key is one range, found by walking the bit
//! slices of the key's integers, or checked node by node when the candidates are few. Whatever
//! the fleet does, each answer here must equal a scan with [`Matcher::matches`] and the oracle
//! (`support::oracle`), in insertion order: many comparisons on one key, ranges with ids and rare
//! values, empty ranges, thresholds at the `i64` extremes, values that are not integers, keys mixing
//! integers of both signs and words through churn, slot reuse, the diagnosis, and random comparison
//! sets.

use crate::support::oracle;
use labelsel::{Fleet, Matcher, Selector};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

fn compile(selector: &Selector) -> Matcher {
    selector
        .compile()
        .unwrap_or_else(|e| panic!("{selector:?} should compile: {e}"))
}

fn expression(expression: &str) -> Selector {
    Selector::new().expression(expression)
}

/// The ids the oracle accepts, in insertion order.
fn oracle_ids(fleet: &Fleet, selector: &Selector) -> Vec<String> {
    let expressions = oracle::parse_expressions(selector);
    fleet
        .iter()
        .filter(|(id, labels)| oracle::parsed_selector_holds(selector, &expressions, id, labels))
        .map(|(id, _)| id.to_owned())
        .collect()
}

/// Checks `select` (ids in insertion order), `count` and `contains` against a scan with
/// `Matcher::matches` and against the oracle; returns the number selected.
#[track_caller]
fn check(fleet: &Fleet, selector: &Selector) -> usize {
    check_as(fleet, selector, selector)
}

/// [`check`], with the oracle consulted on `equivalent` (the same requirements, merged): the oracle
/// takes seconds on a thousand requirements over thousands of nodes in a debug build.
#[track_caller]
fn check_as(fleet: &Fleet, selector: &Selector, equivalent: &Selector) -> usize {
    let matcher = compile(selector);
    let scanned: Vec<&str> = fleet
        .iter()
        .filter(|(id, labels)| matcher.matches(id, labels))
        .map(|(id, _)| id)
        .collect();
    let selection = fleet.select(&matcher);
    let got: Vec<&str> = selection.iter().collect();
    assert_eq!(
        got,
        scanned,
        "select({selector:?}) on {} nodes",
        fleet.len()
    );
    assert_eq!(fleet.count(&matcher), scanned.len(), "count({selector:?})");
    assert_eq!(
        oracle_ids(fleet, equivalent),
        scanned,
        "oracle on {equivalent:?}"
    );
    for (id, _) in fleet.iter().step_by(7) {
        assert_eq!(
            selection.contains(id),
            scanned.contains(&id),
            "select({selector:?}).contains({id})"
        );
    }
    scanned.len()
}

#[track_caller]
fn check_expr(fleet: &Fleet, text: &str) -> usize {
    check(fleet, &expression(text))
}

/// `n` nodes `node-0` .. with distinct `ts` values (a permutation of `0..n`, not in slot order), a
/// `zone` of eight values and a `rack` of `n / 10` values, so that a rack is rare.
fn distinct_fleet(n: usize) -> Fleet {
    let mut fleet = Fleet::new();
    for i in 0..n {
        fleet.insert(&format!("node-{i}"), labels_of(i, n));
    }
    fleet
}

fn labels_of(i: usize, n: usize) -> [(String, String); 3] {
    // 7919 is prime and does not divide the fleet sizes used here, so this permutes 0..n.
    let ts = i * 7919 % n;
    [
        ("ts".to_owned(), ts.to_string()),
        ("zone".to_owned(), format!("zone-{}", i % 8)),
        ("rack".to_owned(), format!("rack-{}", i % (n / 10).max(1))),
    ]
}

fn comparisons(op: char, thresholds: impl Iterator<Item = i64>) -> String {
    thresholds
        .map(|t| format!("ts{op}{t}"))
        .collect::<Vec<_>>()
        .join(",")
}

// ---------------------------------------------------------------------------------------------------
// Many comparisons on one key
// ---------------------------------------------------------------------------------------------------

/// A thousand `>` on one key over 3,000 distinct values. Unioned one by one, as before, this is two
/// million bitmap unions, which takes many seconds in a debug build; merged, it is one range.
#[test]
fn a_thousand_comparisons_on_one_key_equal_a_scan() {
    let fleet = distinct_fleet(3000);
    let greater = comparisons('>', 0..1000);
    assert_eq!(greater.len(), 6889, "the expression of the issue");
    assert_eq!(
        check_as(&fleet, &expression(&greater), &expression("ts>999")),
        2000
    );

    let less = comparisons('<', 2000..3000);
    assert_eq!(
        check_as(&fleet, &expression(&less), &expression("ts<2000")),
        2000
    );
    // An expression holds at most 1,000 requirements: more come in more expressions.
    let both = Selector::new().expression(&greater).expression(&less);
    assert_eq!(check_as(&fleet, &both, &expression("ts>999,ts<2000")), 1000);

    // In any order, and in both directions at once: 2t % 1300 is at most 1298.
    let selector = Selector::new()
        .expression(comparisons('>', (0..1000).rev()))
        .expression(comparisons('<', (1500..2500).rev()))
        .expression(comparisons('>', (0..1000).map(|t| t * 2 % 1300)));
    let merged = expression("ts>1298,ts<1500");
    assert_eq!(check_as(&fleet, &selector, &merged), 201);
}

#[test]
fn a_thousand_comparisons_with_one_id() {
    let fleet = distinct_fleet(3000);
    let greater = expression(&comparisons('>', 0..1000));
    // `node-1` has ts 7919 % 3000 = 1919; `node-3` has 23757 % 3000 = 2757; `node-2` has 838.
    for (id, matches) in [
        ("node-1", 1),
        ("node-3", 1),
        ("node-2", 0),
        ("node-9999", 0),
    ] {
        let selector = greater.clone().id(id);
        let merged = expression("ts>999").id(id);
        assert_eq!(check_as(&fleet, &selector, &merged), matches, "{id}");
    }
    let ids: Vec<String> = (0..300).map(|i| format!("node-{}", i * 10)).collect();
    let with_ids = |selector: &Selector| ids.iter().fold(selector.clone(), |s, id| s.id(id));
    check_as(
        &fleet,
        &with_ids(&greater),
        &with_ids(&expression("ts>999")),
    );
}

// ---------------------------------------------------------------------------------------------------
// Ranges with other requirements
// ---------------------------------------------------------------------------------------------------

#[test]
fn ranges_with_ids_and_rare_values() {
    let fleet = distinct_fleet(2000);
    for text in [
        // Rare value: 10 nodes of 2,000.
        "rack=rack-7,ts>1000",
        "rack=rack-7,ts<1000",
        "rack=rack-7,ts>10,ts<1990",
        "rack in (rack-7,rack-8,rack-9),ts>500",
        // A common value: an eighth of the fleet.
        "zone=zone-3,ts>1000",
        "zone=zone-3,ts>5",
        "zone=zone-3,ts<5",
        "zone=zone-3,ts>100,ts<1900",
        "zone in (zone-1,zone-2),ts>1500",
        // Negative requirements with ranges.
        "zone!=zone-3,ts>1000",
        "zone notin (zone-1,zone-2,zone-3),ts<1990",
        "!gpu,ts>5",
        "ts,ts>5,ts<10",
        "ts>5,!ts",
        "ts<0",
        // Ranges alone, narrow and wide, at each side.
        "ts>1998",
        "ts<1",
        "ts>0",
        "ts<1999",
        "ts<2000",
        "ts>999,ts<1001",
        "ts>500,ts<1500",
        // A key no node has.
        "cpu>0",
        "zone=zone-3,cpu<5",
    ] {
        check_expr(&fleet, text);
    }
    for ids in [1, 10, 63, 64, 65, 200, 2000] {
        let selector = (0..ids)
            .map(|i| format!("node-{}", i * 7 % 2000))
            .fold(expression("ts>100,ts<1900"), |s, id| s.id(id));
        check(&fleet, &selector);
        check(&fleet, &selector.clone().expression("zone=zone-1"));
    }
    let excluded = Selector::new()
        .expression("ts>1000")
        .label("zone", "zone-2");
    check(&fleet, &excluded);
}

#[test]
fn ranges_on_several_keys() {
    let mut fleet = Fleet::new();
    for i in 0..1500usize {
        fleet.insert(
            &format!("n{i}"),
            [
                ("a", (i % 1000).to_string()),
                ("b", (i * 13 % 1500).to_string()),
                ("c", (i % 7).to_string()),
            ],
        );
    }
    for text in [
        "a>10,b<1400",
        "a>900,b>100",
        "a<100,b<100",
        "a>10,b>10,c>2",
        "c<3,a>500,b<1000",
        "a>10,a<20,b>1000,b<1100",
        "a>1,b>1,c>1,a<999,b<1499,c<6",
    ] {
        check_expr(&fleet, text);
    }
}

// ---------------------------------------------------------------------------------------------------
// Empty ranges and the ends of i64
// ---------------------------------------------------------------------------------------------------

#[test]
fn empty_ranges_select_nothing() {
    let fleet = distinct_fleet(500);
    for text in [
        "ts>5,ts<6",
        "ts>5,ts<5",
        "ts>10,ts<3",
        "ts>9223372036854775807",
        "ts>0,ts>9223372036854775807",
        "ts<0",
        "ts<0,zone=zone-1",
        "ts>9223372036854775806,ts<9223372036854775807",
        "ts>0,ts<1",
        "ts>499",
    ] {
        assert_eq!(check_expr(&fleet, text), 0, "{text}");
    }
    assert_eq!(check_expr(&fleet, "ts>5,ts<7"), 1);
    let none = Selector::new().expression("ts>5,ts<6").id("node-1");
    assert_eq!(check(&fleet, &none), 0);
}

/// Thresholds are written without a sign (`0` to `i64::MAX`); node values may be any `i64`.
#[test]
fn thresholds_at_the_ends_of_i64() {
    let mut fleet = Fleet::new();
    let values = [
        "-9223372036854775808",
        "-9223372036854775807",
        "-1",
        "0",
        "1",
        "9223372036854775806",
        "9223372036854775807",
    ];
    for i in 0..300 {
        fleet.insert(&format!("n{i}"), [("v", values[i % values.len()])]);
    }
    for text in [
        "v>9223372036854775806",
        "v<1,v>0",
        "v>0,v<9223372036854775807",
        "v<9223372036854775806",
    ] {
        check_expr(&fleet, text);
    }
    // Each value is on 42 or 43 nodes (300 = 7 * 42 + 6): the first six on 43.
    assert_eq!(check_expr(&fleet, "v<0"), 3 * 43);
    assert_eq!(check_expr(&fleet, "v<1"), 4 * 43);
    assert_eq!(check_expr(&fleet, "v>0"), 2 * 43 + 42);
    assert_eq!(check_expr(&fleet, "v<9223372036854775807"), 300 - 42);
    assert_eq!(check_expr(&fleet, "v>9223372036854775806"), 42);
    assert_eq!(
        check_expr(&fleet, "v>9223372036854775805,v<9223372036854775807"),
        43
    );
    assert_eq!(check_expr(&fleet, "v>9223372036854775807"), 0);
    // A threshold beyond i64 does not compile.
    assert!(expression("v>9223372036854775808").compile().is_err());
}

// ---------------------------------------------------------------------------------------------------
// Values that are not integers
// ---------------------------------------------------------------------------------------------------

/// Values that do not read as an `i64` never pass `>` or `<`, also when a range is built from the
/// integers outside it.
#[test]
fn values_that_are_not_integers_never_match() {
    let texts = [
        "x",
        "",
        "1e3",
        "8.0",
        " 5",
        "0x10",
        "--1",
        "+",
        "9223372036854775808",
    ];
    for every in [1, 10, 400, 2001] {
        let mut fleet = distinct_fleet(2000);
        // Replace a few nodes' `ts` with text, and some with other spellings of an integer.
        for i in (0..2000).step_by(every) {
            let text = texts[i % texts.len()];
            fleet.insert(&format!("node-{i}"), [("ts", text), ("zone", "zone-0")]);
        }
        for i in (3..2000).step_by(every + 3) {
            let spelled = format!("+0{}", i * 7919 % 2000);
            fleet.insert(&format!("node-{i}"), [("ts", spelled.as_str())]);
        }
        for text in [
            "ts>0",
            "ts<0",
            "ts<1999",
            "ts>5,ts<1995",
            "ts>0,ts>1,ts>2,ts>3,ts>4,ts>5,ts>6,ts>7,ts>8,ts>9",
            "zone=zone-0,ts>3",
            "ts>1000,ts<1010",
            "ts!=x,ts>10",
        ] {
            check_expr(&fleet, text);
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Updates, slot reuse, diagnosis
// ---------------------------------------------------------------------------------------------------

#[test]
fn ranges_after_replacing_removing_and_reusing_slots() {
    let mut fleet = distinct_fleet(1200);
    for i in (0..1200).step_by(3) {
        fleet.remove(&format!("node-{i}"));
    }
    for i in (1..1200).step_by(5) {
        fleet.insert(&format!("node-{i}"), [("ts", (5000 + i).to_string())]);
    }
    for i in 0..300 {
        fleet.insert(&format!("new-{i}"), [("ts", (i * 3).to_string())]);
    }
    for text in [
        "ts>100",
        "ts<100",
        "ts>5000",
        "ts>100,ts<1100",
        comparisons('>', 0..1000).as_str(),
        "zone=zone-1,ts>10",
    ] {
        check_expr(&fleet, text);
    }
}

/// The `ts` value of node `i` in round `round`: mostly an integer of either sign, sometimes spelled
/// with a sign or leading zeros, an end of `i64`, a number beyond it, or a word.
fn mixed_value(i: usize, round: usize) -> String {
    let n = (i * 7919 + round * 101) % 6000;
    let number = n as i64 - 3000;
    match (i * 31 + round * 17) % 20 {
        0..=9 => number.to_string(),
        10 => format!("+{n}"),
        11 => "-0".to_owned(),
        12 => format!("00{n}"),
        13 => "9223372036854775807".to_owned(),
        14 => "-9223372036854775808".to_owned(),
        15 => "9223372036854775808".to_owned(),
        16 => "-9223372036854775809".to_owned(),
        17 => "x".to_owned(),
        18 => String::new(),
        _ => "1e3".to_owned(),
    }
}

/// A fleet large enough that ranges are walked on the bit slices rather than checked node by node,
/// whose `ts` mixes integers of both signs, other spellings of them (`+5`, `-0`, `007`), the ends of
/// `i64`, numbers beyond them and words; relabelled between those kinds, removed and re-inserted
/// over rounds, each answer must equal a scan and the oracle.
#[test]
fn ranges_over_mixed_values_through_churn() {
    let n = 4000;
    let labels = |i: usize, round: usize| {
        [
            ("ts".to_owned(), mixed_value(i, round)),
            ("zone".to_owned(), format!("zone-{}", i % 8)),
            ("rack".to_owned(), format!("rack-{}", i % 400)),
        ]
    };
    let mut fleet = Fleet::new();
    for i in 0..n {
        fleet.insert(&format!("node-{i}"), labels(i, 0));
    }
    let texts = [
        "ts>0",
        "ts<0",
        "ts<1",
        "ts>2999",
        "ts>100,ts<200",
        "ts<3000",
        "ts>5,ts<5000",
        "ts>9223372036854775806",
        "ts<9223372036854775807",
        "ts>0,ts<9223372036854775807",
        "zone=zone-1,ts>10",
        "zone!=zone-1,ts<10",
        "rack=rack-3,ts<0",
        "rack in (rack-1,rack-2,rack-3,rack-4),ts>1,ts<2000",
        "ts!=x,ts<100",
    ];
    for round in 0..4 {
        if round > 0 {
            for i in (round..n).step_by(3) {
                fleet.insert(&format!("node-{i}"), labels(i, round));
            }
            let removed: Vec<usize> = (round..n).step_by(7).collect();
            for &i in &removed {
                fleet.remove(&format!("node-{i}"));
            }
            for &i in removed.iter().step_by(2) {
                fleet.insert(&format!("node-{i}"), labels(i, round + 10));
            }
        }
        let negative = check_expr(&fleet, "ts<0");
        assert!(
            negative > 1000,
            "round {round}: {negative} negative numbers"
        );
        for text in texts {
            check_expr(&fleet, text);
        }
    }
}

/// The diagnosis builds each comparison's nodes on its own, from whichever side of the threshold is
/// smaller: its counts must equal counting on the labels.
#[test]
fn diagnosis_of_comparisons_counts_like_a_scan() {
    for mixed in [false, true] {
        let mut fleet = distinct_fleet(1000);
        if mixed {
            fleet.insert("node-4", [("ts", "x")]);
            fleet.insert("node-5", [("ts", "08")]);
        }
        let text = "ts>3,ts<990,ts>500,ts<20";
        let diagnosis = fleet.diagnose(&compile(&expression(text)));
        for (requirement, diagnosed) in text.split(',').zip(&diagnosis.requirements) {
            let single = compile(&expression(requirement));
            let rejects = fleet
                .iter()
                .filter(|(id, labels)| !single.matches(id, labels))
                .count();
            assert_eq!(diagnosed.requirement, requirement);
            assert_eq!(diagnosed.rejects, rejects, "{requirement}, mixed: {mixed}");
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Random comparison sets against the oracle
// ---------------------------------------------------------------------------------------------------

/// Node `ts` values: the node's own number (distinct), a small integer, another spelling of one, an
/// extreme, or text.
#[derive(Debug, Clone)]
enum Value {
    Own,
    Small(i64),
    Spelled(&'static str),
    Text(&'static str),
}

const SPELLED: &[&str] = &[
    "+3",
    "03",
    "-0",
    "+0",
    "-9223372036854775808",
    "9223372036854775807",
    "-9223372036854775807",
];
const TEXT: &[&str] = &["x", "", "3.0", "1e2", "9223372036854775808", "-"];
/// Thresholds are written without a sign; these are the largest.
const THRESHOLDS: &[&str] = &["9223372036854775806", "9223372036854775807"];

fn value(text: bool) -> impl Strategy<Value = Value> {
    let text_weight = if text { 1 } else { 0 };
    prop_oneof![
        6 => Just(Value::Own),
        3 => (-20i64..20).prop_map(Value::Small),
        1 => select(SPELLED).prop_map(Value::Spelled),
        text_weight => select(TEXT).prop_map(Value::Text),
    ]
}

fn threshold() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (0i64..400).prop_map(|t| t.to_string()),
        2 => (0i64..25).prop_map(|t| t.to_string()),
        1 => select(THRESHOLDS).prop_map(str::to_owned),
    ]
}

fn comparison() -> impl Strategy<Value = String> {
    (
        select(&["ts", "ts", "ts", "n"][..]),
        any::<bool>(),
        threshold(),
    )
        .prop_map(|(key, greater, t)| format!("{key}{}{t}", if greater { '>' } else { '<' }))
}

/// Other requirements a comparison set may come with.
const OTHERS: &[&str] = &[
    "zone=a",
    "zone in (a,b)",
    "zone!=a",
    "ts",
    "!gpu",
    "gpu",
    "ts!=3",
    "ts notin (0,1,2)",
];

#[derive(Debug, Clone)]
struct Case {
    /// Per node: its `ts` value (or none), whether it has `gpu`, its zone.
    nodes: Vec<(Option<Value>, bool, u8)>,
    /// Removed before selecting (positions), so that slots are reused by the re-inserted ones.
    removed: Vec<usize>,
    comparisons: Vec<String>,
    others: Vec<&'static str>,
    ids: Vec<usize>,
}

fn case() -> impl Strategy<Value = Case> {
    let node = |text| {
        (
            proptest::option::weighted(0.9, value(text)),
            any::<bool>(),
            0u8..4,
        )
    };
    any::<bool>()
        .prop_flat_map(move |text| {
            (
                vec(node(text), 0..400),
                vec(any::<usize>(), 0..40),
                vec(comparison(), 1..8),
                vec(select(OTHERS), 0..3),
                prop_oneof![3 => Just(Vec::new()), 1 => vec(0usize..450, 1..120)],
            )
        })
        .prop_map(|(nodes, removed, comparisons, others, ids)| Case {
            nodes,
            removed,
            comparisons,
            others,
            ids,
        })
}

fn build(case: &Case) -> Fleet {
    let mut fleet = Fleet::new();
    let n = case.nodes.len();
    let insert = |fleet: &mut Fleet, i: usize| {
        let (value, gpu, zone) = &case.nodes[i];
        let mut labels = vec![
            (
                "zone".to_owned(),
                ["a", "b", "c", "3"][*zone as usize].to_owned(),
            ),
            ("n".to_owned(), (i % 50).to_string()),
        ];
        if *gpu {
            labels.push(("gpu".to_owned(), "l4".to_owned()));
        }
        let ts = value.as_ref().map(|value| match value {
            Value::Own => i.to_string(),
            Value::Small(v) => v.to_string(),
            Value::Spelled(s) | Value::Text(s) => (*s).to_owned(),
        });
        labels.extend(ts.map(|ts| ("ts".to_owned(), ts)));
        fleet.insert(&format!("node-{i}"), labels);
    };
    for i in 0..n {
        insert(&mut fleet, i);
    }
    if n > 0 {
        let removed: Vec<usize> = case.removed.iter().map(|r| r % n).collect();
        for &i in &removed {
            fleet.remove(&format!("node-{i}"));
        }
        // Half of them come back, into reused slots, at the end of the order.
        for &i in removed.iter().step_by(2) {
            insert(&mut fleet, i);
        }
    }
    fleet
}

proptest! {
    #![proptest_config(Config { cases: 128, failure_persistence: None, ..Config::default() })]

    #[test]
    fn random_comparison_sets_agree_with_the_oracle(case in case()) {
        let fleet = build(&case);
        let mut selector = Selector::new().expression(case.comparisons.join(","));
        for other in &case.others {
            selector = selector.expression(*other);
        }
        for id in &case.ids {
            selector = selector.id(format!("node-{id}"));
        }
        let matcher = compile(&selector);
        let expected = oracle_ids(&fleet, &selector);
        let selection = fleet.select(&matcher);
        let got: Vec<&str> = selection.iter().collect();
        prop_assert_eq!(&got, &expected, "select({:?}) on {} nodes", selector, fleet.len());
        prop_assert_eq!(fleet.count(&matcher), expected.len());
        // The same comparisons one per expression, so that they are merged across expressions too.
        let split = case
            .comparisons
            .iter()
            .fold(Selector::new(), |s, c| s.expression(c.as_str()));
        let split_matcher = compile(&split);
        let expected = oracle_ids(&fleet, &split);
        let got: Vec<&str> = fleet.select(&split_matcher).iter().collect();
        prop_assert_eq!(&got, &expected, "select({:?})", split);
    }
}
