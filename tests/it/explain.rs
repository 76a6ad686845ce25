//! `Matcher::explain` (one test per reason code, the order and places of verdicts, the flag on passes
//! that hold only because a key is absent) and `Fleet::diagnose` (its counts against scans, by example
//! and as a property over random fleets and selectors, where every verdict must also be the oracle's).

use std::collections::BTreeMap;

use crate::support::oracle;
use labelsel::{Fleet, Place, Reason, Selector};
use proptest::prelude::*;

/// The single verdict of a one-requirement selector on a node.
fn verdict(expression: &str, node: &[(&str, &str)]) -> (Reason, bool, Option<String>) {
    let matcher = Selector::new().expression(expression).compile().unwrap();
    let labels: BTreeMap<&str, &str> = node.iter().copied().collect();
    let explanation = matcher.explain("node", &labels);
    assert_eq!(explanation.verdicts.len(), 1, "{expression}");
    assert_eq!(explanation.matches, matcher.matches("node", &labels));
    let v = &explanation.verdicts[0];
    assert_eq!(v.passed, v.reason.passed());
    (v.reason, v.passed, v.actual.clone())
}

/// A one-requirement expression, a node, and the verdict expected: reason, passed, actual value.
type ReasonCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    Reason,
    bool,
    Option<String>,
);

#[test]
fn every_reason_code() {
    let some = |s: &str| Some(s.to_string());
    let cases: [ReasonCase; 16] = [
        ("tier=a", &[("tier", "a")], Reason::Matched, true, some("a")),
        (
            "tier in (a,b)",
            &[("tier", "b")],
            Reason::Matched,
            true,
            some("b"),
        ),
        ("tier", &[("tier", "")], Reason::Matched, true, some("")),
        (
            "tier!=a",
            &[("tier", "b")],
            Reason::Matched,
            true,
            some("b"),
        ),
        ("tier!=a", &[], Reason::KeyAbsent, true, None),
        ("tier notin (a)", &[], Reason::KeyAbsent, true, None),
        ("!tier", &[], Reason::KeyAbsent, true, None),
        ("tier=a", &[], Reason::KeyMissing, false, None),
        ("tier", &[("zone", "a")], Reason::KeyMissing, false, None),
        ("cpu>4", &[], Reason::KeyMissing, false, None),
        (
            "tier in (a,b)",
            &[("tier", "c")],
            Reason::ValueNotInSet,
            false,
            some("c"),
        ),
        (
            "tier notin (a,b)",
            &[("tier", "a")],
            Reason::ValueForbidden,
            false,
            some("a"),
        ),
        (
            "!tier",
            &[("tier", "")],
            Reason::KeyForbidden,
            false,
            some(""),
        ),
        (
            "cpu>4",
            &[("cpu", "many")],
            Reason::NotAnInteger,
            false,
            some("many"),
        ),
        (
            "cpu<4",
            &[("cpu", "08")],
            Reason::ComparisonFailed,
            false,
            some("08"),
        ),
        ("cpu>4", &[("cpu", "+5")], Reason::Matched, true, some("+5")),
    ];
    for (expression, node, reason, passed, actual) in cases {
        assert_eq!(
            verdict(expression, node),
            (reason, passed, actual),
            "{expression} on {node:?}"
        );
    }
}

#[test]
fn id_constraint_verdicts() {
    let matcher = Selector::new().id("n1").id("n2").compile().unwrap();
    let labels: BTreeMap<&str, &str> = BTreeMap::new();
    let listed = matcher.explain("n2", &labels);
    let unlisted = matcher.explain("n3", &labels);
    assert!(listed.matches && !unlisted.matches);
    let (l, u) = (&listed.verdicts[0], &unlisted.verdicts[0]);
    assert_eq!((l.reason, &l.origin), (Reason::IdListed, &Place::MatchIds));
    assert_eq!(
        (u.reason, u.actual.as_deref()),
        (Reason::IdNotListed, Some("n3"))
    );
    assert_eq!(u.requirement, "id in match_ids (2 ids)");
    assert_eq!(u.key, None);
}

#[test]
fn every_requirement_gets_a_verdict_in_the_order_written() {
    let matcher = Selector::new()
        .label("env", "prod")
        .expression("zone=a, !debug")
        .expression("gpu")
        .id("n1")
        .compile()
        .unwrap();
    let labels = BTreeMap::from([("env", "dev"), ("debug", "")]);
    let explanation = matcher.explain("n2", &labels);
    let listed: Vec<(String, &str, Reason)> = explanation
        .verdicts
        .iter()
        .map(|v| (v.origin.to_string(), v.requirement.as_str(), v.reason))
        .collect();
    assert_eq!(
        listed,
        [
            (
                "match_labels[\"env\"]".to_string(),
                "env=prod",
                Reason::ValueNotInSet
            ),
            (
                "match_expressions[0]".to_string(),
                "!debug",
                Reason::KeyForbidden
            ),
            (
                "match_expressions[0]".to_string(),
                "zone=a",
                Reason::KeyMissing
            ),
            (
                "match_expressions[1]".to_string(),
                "gpu",
                Reason::KeyMissing
            ),
            (
                "match_ids".to_string(),
                "id in match_ids (1 id)",
                Reason::IdNotListed
            ),
        ]
    );
    assert_eq!(explanation.failures().count(), 5);
    let text = explanation.to_string();
    assert!(
        text.starts_with("n2 does not match: 5 of 5 requirements fail\n"),
        "{text}"
    );
    assert!(text.contains("\"dev\"  not one of the values"), "{text}");
}

#[test]
fn explanations_serialise_with_stable_codes() {
    let matcher = Selector::new().expression("tier!=spot").compile().unwrap();
    let labels: BTreeMap<&str, &str> = BTreeMap::new();
    let json = serde_json::to_value(matcher.explain("n1", &labels)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "id": "n1",
            "matches": true,
            "verdicts": [{
                "origin": {"field": "match_expressions", "index": 0},
                "requirement": "tier!=spot",
                "key": "tier",
                "passed": true,
                "reason": {"kind": "key_absent"},
                "actual": null
            }]
        })
    );
}

fn small_fleet() -> Fleet {
    let mut fleet = Fleet::new();
    let nodes: [(&str, &[(&str, &str)]); 6] = [
        ("n1", &[("tier", "premium"), ("gpu", "l4"), ("env", "prod")]),
        (
            "n2",
            &[("tier", "standard"), ("gpu", "l4"), ("env", "prod")],
        ),
        ("n3", &[("tier", "standard"), ("env", "prod")]),
        ("n4", &[("tier", "premium"), ("env", "dev")]),
        (
            "n5",
            &[
                ("tier", "premium"),
                ("gpu", "t4"),
                ("env", "prod"),
                ("debug", ""),
            ],
        ),
        ("n6", &[]),
    ];
    for (id, labels) in nodes {
        fleet.insert(id, labels.iter().copied());
    }
    fleet
}

#[test]
fn diagnosis_by_example() {
    let fleet = small_fleet();
    let matcher = Selector::new()
        .label("env", "prod")
        .expression("tier=premium, !debug")
        .expression("gpu")
        .compile()
        .unwrap();
    let diagnosis = fleet.diagnose(&matcher);
    assert_eq!((diagnosis.nodes, diagnosis.matching), (6, 1));
    let rows: Vec<(&str, usize, usize, usize)> = diagnosis
        .requirements
        .iter()
        .map(|r| {
            (
                r.requirement.as_str(),
                r.rejects,
                r.rejects_alone,
                r.matching_without,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("env=prod", 2, 0, 1),
            ("!debug", 1, 1, 2),
            ("tier=premium", 3, 1, 2),
            ("gpu", 3, 0, 1),
        ]
    );
    let text = diagnosis.to_string();
    assert!(text.starts_with("1 of 6 nodes match\n"), "{text}");
    assert!(
        text.contains("drop `!debug` (match_expressions[0]) to gain 1 node"),
        "{text}"
    );
}

#[test]
fn diagnosis_of_ids_and_of_the_empty_selector() {
    let fleet = small_fleet();
    let everything = fleet.diagnose(&Selector::new().compile().unwrap());
    assert_eq!((everything.matching, everything.requirements.len()), (6, 0));
    let ids = fleet.diagnose(
        &Selector::new()
            .id("n1")
            .id("n9")
            .expression("gpu")
            .compile()
            .unwrap(),
    );
    let rows: Vec<(&str, usize, usize)> = ids
        .requirements
        .iter()
        .map(|r| (r.requirement.as_str(), r.rejects, r.matching_without))
        .collect();
    assert_eq!(rows, [("gpu", 3, 1), ("id in match_ids (2 ids)", 5, 3)]);
    assert_eq!(ids.matching, 1);
}

const KEYS: &[&str] = &["a", "b", "c"];
const VALUES: &[&str] = &["", "1", "2", "x"];

fn requirement() -> impl Strategy<Value = String> {
    let key = proptest::sample::select(KEYS);
    let value = proptest::sample::select(VALUES);
    (key, value, 0..8usize).prop_map(|(k, v, op)| match op {
        0 => format!("{k}={v}"),
        1 => format!("{k}!={v}"),
        2 => format!("{k} in ({v},x)"),
        3 => format!("{k} notin ({v})"),
        4 => k.to_string(),
        5 => format!("!{k}"),
        6 => format!("{k}>1"),
        _ => format!("{k}<2"),
    })
}

fn node() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    proptest::collection::vec(
        (
            proptest::sample::select(KEYS),
            proptest::sample::select(VALUES),
        ),
        0..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Every count of a diagnosis equals the count found by scanning the nodes with the requirements.
    #[test]
    fn diagnosis_counts_equal_scans(
        nodes in proptest::collection::vec(node(), 0..90),
        requirements in proptest::collection::vec(requirement(), 0..5),
        ids in proptest::collection::vec(0..100usize, 0..4),
    ) {
        let mut fleet = Fleet::new();
        for (i, labels) in nodes.iter().enumerate() {
            fleet.insert(&format!("n{i}"), labels.iter().copied());
        }
        let mut selector = Selector::new();
        for text in &requirements {
            selector = selector.expression(text.clone());
        }
        for id in &ids {
            selector = selector.id(format!("n{id}"));
        }
        let matcher = selector.compile().unwrap();
        let diagnosis = fleet.diagnose(&matcher);
        let explanations: Vec<_> = fleet.iter().map(|(id, labels)| matcher.explain(id, &labels)).collect();
        // Each verdict is the oracle's: one per requirement of each expression, then one for the ids.
        let expressions = oracle::parse_expressions(&selector);
        let ids_only = Selector { match_ids: selector.match_ids.clone(), ..Selector::new() };
        for ((id, labels), explanation) in fleet.iter().zip(&explanations) {
            let mut want: Vec<bool> = expressions
                .iter()
                .flat_map(|expr| expr.requirements())
                .map(|req| {
                    let values: Vec<&str> = req.values().collect();
                    oracle::requirement_holds(req.key(), req.operator(), &values, &labels)
                })
                .collect();
            if !selector.match_ids.is_empty() {
                want.push(oracle::parsed_selector_holds(&ids_only, &[], id, &labels));
            }
            let got: Vec<bool> = explanation.verdicts.iter().map(|v| v.passed).collect();
            prop_assert_eq!(got, want, "verdicts on {}: {:?}", id, explanation);
            prop_assert_eq!(
                explanation.matches,
                oracle::parsed_selector_holds(&selector, &expressions, id, &labels),
                "verdict on {}",
                id
            );
        }
        prop_assert_eq!(diagnosis.nodes, fleet.len());
        prop_assert_eq!(diagnosis.matching, fleet.count(&matcher));
        prop_assert_eq!(diagnosis.matching, explanations.iter().filter(|e| e.matches).count());
        for (i, row) in diagnosis.requirements.iter().enumerate() {
            let failing = |e: &labelsel::Explanation| !e.verdicts[i].passed;
            let others_pass = |e: &labelsel::Explanation| {
                e.verdicts.iter().enumerate().all(|(j, v)| j == i || v.passed)
            };
            if let Some(first) = explanations.first() {
                prop_assert_eq!(&row.requirement, &first.verdicts[i].requirement);
            }
            prop_assert_eq!(row.rejects, explanations.iter().filter(|e| failing(e)).count());
            prop_assert_eq!(row.rejects_alone, explanations.iter().filter(|e| failing(e) && others_pass(e)).count());
            prop_assert_eq!(row.matching_without, explanations.iter().filter(|e| others_pass(e)).count());
        }
    }
}
