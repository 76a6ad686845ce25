//! `Placement`, `Placer` and `Fleet::place`: the JSON form, compile errors that name the term, the
//! OR of required terms and the sum of weights, explanations, and a property test that `Fleet::place`
//! and `Fleet::ranked` equal a node-by-node scan sorted by (score descending, fleet order), also after
//! updates that reuse slots.

use std::collections::BTreeMap;

use labelsel::{Fleet, Placed, Placement, Placer, Preference, Term, TermPlace};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

fn term(expression: &str) -> Term {
    Term {
        match_expressions: vec![expression.to_string()],
        ..Term::default()
    }
}

fn placement(json: &str) -> Placement {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// JSON and compilation
// ---------------------------------------------------------------------------------------------------

#[test]
fn absent_or_null_required_makes_every_node_feasible_and_empty_required_none() {
    let node = labels(&[("zone", "a")]);
    for json in [r#"{}"#, r#"{"required": null}"#, r#"{"preferred": []}"#] {
        let placer = placement(json).compile().unwrap();
        assert!(placer.feasible("n", &node), "{json}");
    }
    let placer = placement(r#"{"required": []}"#).compile().unwrap();
    assert!(!placer.feasible("n", &node));
    // An empty term matches every node, as the empty selector does.
    let placer = placement(r#"{"required": [{}]}"#).compile().unwrap();
    assert!(placer.feasible("n", &node));
}

#[test]
fn terms_read_as_selectors_do_with_exclude_ids_besides() {
    let parsed = placement(
        r#"{"required": [{"matchLabels": {"env": "prod"}, "match_expressions": null, "excludeIds": ["n2"]}],
            "preferred": [{"weight": -3, "selector": {"match_ids": ["n1"]}}]}"#,
    );
    let want = Placement {
        required: Some(vec![Term {
            match_labels: [("env".to_string(), "prod".to_string())].into(),
            exclude_ids: vec!["n2".to_string()],
            ..Term::default()
        }]),
        preferred: vec![Preference {
            weight: -3,
            selector: Term {
                match_ids: vec!["n1".to_string()],
                ..Term::default()
            },
        }],
    };
    assert_eq!(parsed, want);
    let round_trip: Placement =
        serde_json::from_str(&serde_json::to_string(&parsed).unwrap()).unwrap();
    assert_eq!(round_trip, parsed);
}

#[test]
fn misspelt_or_misshapen_json_is_an_error() {
    for (json, fragment) in [
        (r#"{"requierd": []}"#, "unknown field `requierd`"),
        (
            r#"{"required": [{"match_label": {}}]}"#,
            "unknown field `match_label`",
        ),
        (
            r#"{"preferred": [{"weight": 1}]}"#,
            "missing field `selector`",
        ),
        (
            r#"{"preferred": [{"weight": 1.5, "selector": {}}]}"#,
            "invalid type",
        ),
        (
            r#"{"preferred": [{"weight": 2147483648, "selector": {}}]}"#,
            "invalid value",
        ),
        (
            r#"{"preferred": [{"selector": {}}]}"#,
            "missing field `weight`",
        ),
        (r#"[]"#, "expected a placement object"),
        (r#"{"required": [[]]}"#, "expected a term object"),
    ] {
        let err = serde_json::from_str::<Placement>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(fragment), "{json}: {err}");
    }
}

#[test]
fn compile_errors_name_the_term_and_the_part() {
    let placement = Placement {
        required: Some(vec![term("gpu"), term("tier in (a,")]),
        preferred: vec![],
    };
    let err = placement.compile().unwrap_err();
    assert_eq!(err.term(), TermPlace::Required(1));
    assert_eq!(
        err.to_string(),
        "required[1].match_expressions[0]: expected a value or `,`, found end of input at byte 11"
    );
    assert_eq!(
        format!("{err:#}"),
        "in required[1].match_expressions[0]:\nerror: expected a value or `,`, found end of input\n  |\n1 | tier in (a,\n  |            ^"
    );

    let placement = Placement {
        required: None,
        preferred: vec![Preference {
            weight: 1,
            selector: Term {
                match_labels: [("-bad".to_string(), "x".to_string())].into(),
                ..Term::default()
            },
        }],
    };
    let err = placement.compile().unwrap_err();
    assert_eq!(err.term(), TermPlace::Preferred(0));
    assert!(
        err.to_string()
            .starts_with("preferred[0].match_labels[\"-bad\"]: invalid key `-bad`"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------------
// Feasibility, scores and explanations
// ---------------------------------------------------------------------------------------------------

#[test]
fn required_terms_are_ored_and_preferences_summed_on_any_node() {
    let placer = Placement {
        required: Some(vec![term("env=prod"), term("gpu")]),
        preferred: vec![
            Preference {
                weight: 10,
                selector: term("gpu"),
            },
            Preference {
                weight: -5,
                selector: term("tier=spot"),
            },
            Preference {
                weight: 0,
                selector: term("zone"),
            },
        ],
    }
    .compile()
    .unwrap();
    /// A node's labels, whether it is feasible, its score.
    type Case<'a> = (&'a [(&'a str, &'a str)], bool, i64);
    let cases: [Case<'_>; 4] = [
        (&[("env", "prod")], true, 0),
        (&[("gpu", "l4"), ("tier", "spot")], true, 5),
        (&[("tier", "spot")], false, -5),
        (&[("env", "dev"), ("zone", "a")], false, 0),
    ];
    for (pairs, feasible, score) in cases {
        let node = labels(pairs);
        assert_eq!(placer.feasible("n", &node), feasible, "{pairs:?}");
        assert_eq!(placer.score("n", &node), score, "{pairs:?}");
        let explanation = placer.explain("n", &node);
        assert_eq!((explanation.feasible, explanation.score), (feasible, score));
    }
}

#[test]
fn exclude_ids_turn_nodes_down_by_id() {
    let placer = Placement {
        required: Some(vec![Term {
            exclude_ids: vec!["n2".into(), "n3".into()],
            ..Term::default()
        }]),
        preferred: vec![],
    }
    .compile()
    .unwrap();
    let node = labels(&[]);
    assert!(placer.feasible("n1", &node));
    assert!(!placer.feasible("n2", &node));
    let explanation = placer.explain("n2", &node);
    let text = explanation.to_string();
    assert!(
        text.contains("fail  exclude_ids  id not in exclude_ids (2 ids)  \"n2\" is excluded"),
        "{text}"
    );
}

#[test]
fn explanation_names_the_term_that_made_a_node_feasible() {
    let placer = Placement {
        required: Some(vec![term("env=prod"), term("gpu")]),
        preferred: vec![Preference {
            weight: 4,
            selector: term("zone=a"),
        }],
    }
    .compile()
    .unwrap();
    let explanation = placer.explain("n1", &labels(&[("gpu", "l4"), ("zone", "b")]));
    assert_eq!(
        explanation.to_string(),
        "n1 is feasible: required[1] matches; score 0\n  preferred[0] (weight 4) missed\n    \
         fail  match_expressions[0]  zone=a  zone is \"b\", not one of the values\n"
    );
    let json = serde_json::to_value(&explanation).unwrap();
    assert_eq!(json["feasible"], true);
    assert_eq!(json["preferred"][0]["won"], false);
    assert_eq!(json["required"][1]["matches"], true);
}

// ---------------------------------------------------------------------------------------------------
// Fleet::place against a scan
// ---------------------------------------------------------------------------------------------------

/// Every feasible node scored one by one, sorted by (score descending, fleet order).
fn scan<'f>(fleet: &'f Fleet, placer: &Placer) -> Vec<Placed<'f>> {
    let mut placed: Vec<(usize, Placed<'f>)> = fleet
        .iter()
        .enumerate()
        .filter(|(_, (id, labels))| placer.feasible(id, labels))
        .map(|(position, (id, labels))| {
            let score = placer.score(id, &labels);
            (position, Placed { id, score })
        })
        .collect();
    placed.sort_by_key(|(position, placed)| (std::cmp::Reverse(placed.score), *position));
    placed.into_iter().map(|(_, placed)| placed).collect()
}

#[test]
fn place_takes_the_best_in_fleet_order_on_ties() {
    let mut fleet = Fleet::new();
    for (id, zone) in [("a", "x"), ("b", "y"), ("c", "x"), ("d", "y"), ("e", "z")] {
        fleet.insert(id, [("zone", zone)]);
    }
    let placer = Placement {
        required: Some(vec![term("zone in (x,y)")]),
        preferred: vec![Preference {
            weight: 1,
            selector: term("zone=y"),
        }],
    }
    .compile()
    .unwrap();
    fn ids<'f>(placed: Vec<Placed<'f>>) -> Vec<(&'f str, i64)> {
        placed.iter().map(|p| (p.id, p.score)).collect()
    }
    assert_eq!(ids(fleet.place(&placer, 3)), [("b", 1), ("d", 1), ("a", 0)]);
    assert_eq!(ids(fleet.place(&placer, 0)), []);
    assert_eq!(ids(fleet.place(&placer, 99)), ids(scan(&fleet, &placer)));
    assert_eq!(fleet.ranked(&placer).count(), 4);
}

const KEYS: &[&str] = &["zone", "tier", "cpu", "gpu"];
const VALUES: &[&str] = &["a", "b", "c", "", "1", "5", "9"];
const REQUIREMENTS: &[&str] = &[
    "zone=a",
    "zone in (a,b)",
    "zone!=b",
    "tier notin (a,c)",
    "gpu",
    "!gpu",
    "cpu>1",
    "cpu<9",
    "tier=c,zone",
];

fn arbitrary_term() -> impl Strategy<Value = Term> {
    (
        vec(select(REQUIREMENTS), 0..3),
        vec(0..30usize, 0..3),
        vec(0..30usize, 0..2),
    )
        .prop_map(|(expressions, ids, excluded)| Term {
            match_expressions: expressions.into_iter().map(str::to_string).collect(),
            match_ids: ids.into_iter().map(|i| format!("n{i}")).collect(),
            exclude_ids: excluded.into_iter().map(|i| format!("n{i}")).collect(),
            ..Term::default()
        })
}

fn arbitrary_placement() -> impl Strategy<Value = Placement> {
    (
        proptest::option::of(vec(arbitrary_term(), 0..3)),
        // Up to 6 preferences the scores are walked lazily, beyond it computed up front: both are drawn.
        vec((-6..12i32, arbitrary_term()), 0..10),
    )
        .prop_map(|(required, preferred)| Placement {
            required,
            preferred: preferred
                .into_iter()
                .map(|(weight, selector)| Preference { weight, selector })
                .collect(),
        })
}

/// A node: an id from `n0`..`n29` and a few labels.
fn arbitrary_node() -> impl Strategy<Value = (usize, Vec<(&'static str, &'static str)>)> {
    (0..30usize, vec((select(KEYS), select(VALUES)), 0..4))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    /// Inserts (and replacements), then removals, then more inserts, so slots are reused; after each
    /// phase `place` for several k and `ranked` equal the scan.
    #[test]
    fn place_equals_a_sorted_scan(
        placement in arbitrary_placement(),
        first in vec(arbitrary_node(), 0..120),
        removed in vec(0..30usize, 0..20),
        second in vec(arbitrary_node(), 0..40),
        k in 0..40usize,
    ) {
        let placer = placement.compile().expect("generated placements compile");
        let mut fleet = Fleet::new();
        let mut phases = Vec::new();
        for (id, pairs) in &first {
            fleet.insert(&format!("n{id}"), pairs.iter().copied());
        }
        phases.push(fleet.clone());
        for id in &removed {
            fleet.remove(&format!("n{id}"));
        }
        phases.push(fleet.clone());
        for (id, pairs) in &second {
            fleet.insert(&format!("n{id}"), pairs.iter().copied());
        }
        phases.push(fleet);
        for fleet in &phases {
            let want = scan(fleet, &placer);
            let ranked: Vec<Placed<'_>> = fleet.ranked(&placer).collect();
            prop_assert_eq!(&ranked, &want);
            let top: Vec<Placed<'_>> = want.iter().copied().take(k).collect();
            prop_assert_eq!(fleet.place(&placer, k), top);
        }
    }
}
