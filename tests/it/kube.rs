//! The Kubernetes `metav1.LabelSelector` shape and its conversion into a [`Selector`]
//! (`LabelSelectorAsSelector` in `k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go`): operators, value-count rules, keys and
//! values, `matchLabels`, the JSON shape, and that converted selectors match as Kubernetes does.

use std::collections::{BTreeMap, HashMap};

use labelsel::{
    ConversionError, Expression, LabelRule, LabelSelector, LabelSelectorRequirement, LabelSet,
    Operator, Place, Selector,
};

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

fn req(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
    LabelSelectorRequirement {
        key: key.to_string(),
        operator: operator.to_string(),
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

fn kube(labels: &[(&str, &str)], expressions: Vec<LabelSelectorRequirement>) -> LabelSelector {
    LabelSelector {
        match_labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        match_expressions: expressions,
    }
}

fn convert(kube: &LabelSelector) -> Selector {
    Selector::try_from(kube).unwrap_or_else(|e| panic!("{kube:?} should convert: {e}"))
}

fn convert_err(kube: &LabelSelector) -> ConversionError {
    match Selector::try_from(kube) {
        Ok(selector) => panic!("{kube:?} should not convert, got {selector:?}"),
        Err(e) => e,
    }
}

fn one(requirement: LabelSelectorRequirement) -> LabelSelector {
    kube(&[], vec![requirement])
}

fn set(pairs: &[(&str, &str)]) -> LabelSet {
    pairs.iter().copied().collect()
}

fn from_json(json: &str) -> LabelSelector {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json} should deserialise: {e}"))
}

/// `LabelSelector` matching written straight from the Kubernetes matching table and conversion, without going
/// through selector strings: matchLabels as equality, then each requirement by its operator.
fn kubernetes_matches(kube: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    kube.match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
        && kube.match_expressions.iter().all(|req| {
            let value = labels.get(&req.key);
            match req.operator.as_str() {
                "In" => value.is_some_and(|v| req.values.contains(v)),
                "NotIn" => !value.is_some_and(|v| req.values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                other => panic!("unexpected operator {other}"),
            }
        })
}

/// Every label map over a small alphabet: each of the keys absent or holding one of the values.
fn all_label_maps(keys: &[&str], values: &[&str]) -> Vec<BTreeMap<String, String>> {
    let mut maps = vec![BTreeMap::new()];
    for key in keys {
        let mut next = Vec::new();
        for map in &maps {
            next.push(map.clone());
            for value in values {
                let mut with = map.clone();
                with.insert(key.to_string(), value.to_string());
                next.push(with);
            }
        }
        maps = next;
    }
    maps
}

// ---------------------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------------------

#[test]
fn each_operator_becomes_its_selector_string() {
    for (requirement, text) in [
        (req("tier", "In", &["a"]), "tier in (a)"),
        (
            req("tier", "In", &["spot", "batch"]),
            "tier in (spot,batch)",
        ),
        (req("tier", "NotIn", &["a"]), "tier notin (a)"),
        (
            req("tier", "NotIn", &["spot", "batch"]),
            "tier notin (spot,batch)",
        ),
        (req("gpu", "Exists", &[]), "gpu"),
        (req("debug", "DoesNotExist", &[]), "!debug"),
        (req("example.com/gpu", "Exists", &[]), "example.com/gpu"),
        (
            req("example.com/gpu", "DoesNotExist", &[]),
            "!example.com/gpu",
        ),
    ] {
        let selector = convert(&one(requirement.clone()));
        assert_eq!(selector.match_expressions, [text], "{requirement:?}");
        assert!(selector.match_labels.is_empty());
        assert!(selector.match_ids.is_empty());
    }
}

#[test]
fn each_operator_parses_to_the_kubernetes_operator() {
    for (requirement, operator) in [
        (req("k", "In", &["a", "b"]), Operator::In),
        (req("k", "NotIn", &["a", "b"]), Operator::NotIn),
        (req("k", "Exists", &[]), Operator::Exists),
        (req("k", "DoesNotExist", &[]), Operator::DoesNotExist),
    ] {
        let selector = convert(&one(requirement.clone()));
        let expr = Expression::parse(&selector.match_expressions[0]).unwrap();
        assert_eq!(expr.len(), 1, "{requirement:?}");
        let parsed = expr.requirements().next().unwrap();
        assert_eq!(parsed.key(), "k");
        assert_eq!(parsed.operator(), operator);
        let mut want: Vec<&str> = requirement.values.iter().map(String::as_str).collect();
        want.sort_unstable();
        assert_eq!(parsed.values().collect::<Vec<_>>(), want);
    }
}

#[test]
fn one_string_per_requirement_in_order() {
    let selector = convert(&kube(
        &[],
        vec![
            req("z", "Exists", &[]),
            req("a", "In", &["1"]),
            req("m", "DoesNotExist", &[]),
            req("a", "NotIn", &["2"]),
        ],
    ));
    assert_eq!(
        selector.match_expressions,
        ["z", "a in (1)", "!m", "a notin (2)"]
    );
}

#[test]
fn values_keep_their_order_and_repeats_but_match_as_a_set() {
    let selector = convert(&one(req("k", "In", &["b", "a", "b", ""])));
    assert_eq!(selector.match_expressions, ["k in (b,a,b,)"]);
    let expr = Expression::parse(&selector.match_expressions[0]).unwrap();
    // Canonical Kubernetes text: sorted, and here also deduplicated.
    assert_eq!(expr.to_string(), "k in (,a,b)");
    let matcher = selector.compile().unwrap();
    for (value, want) in [("a", true), ("b", true), ("", true), ("c", false)] {
        assert_eq!(
            matcher.matches("n", &set(&[("k", value)])),
            want,
            "{value:?}"
        );
    }
    assert!(!matcher.matches("n", &set(&[])));
}

#[test]
fn the_empty_value_is_a_value() {
    let selector = convert(&one(req("k", "In", &[""])));
    assert_eq!(selector.match_expressions, ["k in ()"]);
    let matcher = selector.compile().unwrap();
    assert!(matcher.matches("n", &set(&[("k", "")])));
    assert!(!matcher.matches("n", &set(&[("k", "a")])));
    assert!(!matcher.matches("n", &set(&[])));

    let selector = convert(&one(req("k", "NotIn", &[""])));
    assert_eq!(selector.match_expressions, ["k notin ()"]);
    let matcher = selector.compile().unwrap();
    assert!(!matcher.matches("n", &set(&[("k", "")])));
    assert!(matcher.matches("n", &set(&[("k", "a")])));
    assert!(matcher.matches("n", &set(&[])));
}

#[test]
fn keys_that_are_keywords_elsewhere() {
    for key in ["in", "notin", "exists", "In"] {
        for (operator, values) in [
            ("In", &["in"][..]),
            ("NotIn", &["notin"]),
            ("Exists", &[]),
            ("DoesNotExist", &[]),
        ] {
            let requirement = req(key, operator, values);
            let selector = convert(&one(requirement.clone()));
            let expr = Expression::parse(&selector.match_expressions[0]).unwrap_or_else(|e| {
                panic!("{requirement:?} -> {:?}: {e}", selector.match_expressions)
            });
            assert_eq!(expr.len(), 1, "{requirement:?}");
            assert_eq!(expr.requirements().next().unwrap().key(), key);
            let matcher = selector.compile().unwrap();
            for labels in all_label_maps(&[key], &["in", "notin", "x"]) {
                let prepared: LabelSet = labels.iter().collect();
                assert_eq!(
                    matcher.matches("n", &prepared),
                    kubernetes_matches(&one(requirement.clone()), &labels),
                    "{requirement:?} on {labels:?}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Value-count rules
// ---------------------------------------------------------------------------------------------------

#[test]
fn in_and_notin_need_values() {
    for operator in ["In", "NotIn"] {
        let err = convert_err(&one(req("k", operator, &[])));
        assert_eq!(
            err,
            ConversionError::MissingValues {
                index: 0,
                operator: if operator == "In" { "In" } else { "NotIn" }
            }
        );
        assert_eq!(
            err.to_string(),
            format!("matchExpressions[0].values: {operator} needs at least one value")
        );
    }
}

#[test]
fn null_and_missing_values_are_missing_values() {
    for json in [
        r#"{"matchExpressions": [{"key": "k", "operator": "In", "values": null}]}"#,
        r#"{"matchExpressions": [{"key": "k", "operator": "In"}]}"#,
        r#"{"matchExpressions": [{"key": "k", "operator": "In", "values": []}]}"#,
    ] {
        let kube = from_json(json);
        assert!(kube.match_expressions[0].values.is_empty(), "{json}");
        assert_eq!(
            convert_err(&kube),
            ConversionError::MissingValues {
                index: 0,
                operator: "In"
            },
            "{json}"
        );
    }
    for json in [
        r#"{"matchExpressions": [{"key": "k", "operator": "NotIn", "values": null}]}"#,
        r#"{"matchExpressions": [{"key": "k", "operator": "NotIn"}]}"#,
    ] {
        assert_eq!(
            convert_err(&from_json(json)),
            ConversionError::MissingValues {
                index: 0,
                operator: "NotIn"
            },
            "{json}"
        );
    }
}

#[test]
fn exists_and_does_not_exist_take_no_values() {
    for (operator, values) in [
        ("Exists", &["qux", "norf"][..]),
        ("Exists", &[""]),
        ("DoesNotExist", &["x"]),
        ("DoesNotExist", &["a", "b", "c"]),
    ] {
        let err = convert_err(&one(req("k", operator, values)));
        let want_operator = if operator == "Exists" {
            "Exists"
        } else {
            "DoesNotExist"
        };
        assert_eq!(
            err,
            ConversionError::UnexpectedValues {
                index: 0,
                operator: want_operator,
                count: values.len()
            }
        );
        assert_eq!(
            err.to_string(),
            format!(
                "matchExpressions[0].values: {operator} takes no values, but {} are given",
                values.len()
            )
        );
    }
}

#[test]
fn exists_and_does_not_exist_accept_null_or_empty_values() {
    for json in [
        r#"{"matchExpressions": [{"key": "k", "operator": "Exists", "values": null}]}"#,
        r#"{"matchExpressions": [{"key": "k", "operator": "Exists", "values": []}]}"#,
        r#"{"matchExpressions": [{"key": "k", "operator": "Exists"}]}"#,
    ] {
        assert_eq!(convert(&from_json(json)).match_expressions, ["k"], "{json}");
    }
    let kube = from_json(
        r#"{"matchExpressions": [{"key": "k", "operator": "DoesNotExist", "values": null}]}"#,
    );
    assert_eq!(convert(&kube).match_expressions, ["!k"]);
}

// ---------------------------------------------------------------------------------------------------
// Unknown operators
// ---------------------------------------------------------------------------------------------------

#[test]
fn unknown_operators_are_rejected() {
    for operator in [
        "Gt",
        "Lt",
        "in",
        "notin",
        "exists",
        "IN",
        "NOTIN",
        "",
        " In",
        "In ",
        "=",
        "==",
        "!=",
        "!",
        ">",
        "<",
        "Equals",
        "DoesNotExists",
        "doesnotexist",
        "NotExists",
    ] {
        for values in [&[][..], &["1"]] {
            let err = convert_err(&one(req("k", operator, values)));
            assert_eq!(
                err,
                ConversionError::UnknownOperator {
                    index: 0,
                    operator: operator.to_string()
                },
                "{operator:?}"
            );
        }
    }
}

#[test]
fn unknown_operator_message() {
    let err = convert_err(&one(req("a", "Gt", &["1"])));
    assert_eq!(
        err.to_string(),
        "matchExpressions[0].operator: \"Gt\" is not a label selector operator; use In, NotIn, Exists or DoesNotExist"
    );
    let err = convert_err(&one(req("a", "", &[])));
    assert_eq!(
        err.to_string(),
        "matchExpressions[0].operator: \"\" is not a label selector operator; use In, NotIn, Exists or DoesNotExist"
    );
}

#[test]
fn errors_name_the_index_of_the_first_bad_requirement() {
    let good = || req("a", "In", &["1"]);
    let cases = [
        (
            req("k", "Gt", &["1"]),
            ConversionError::UnknownOperator {
                index: 2,
                operator: "Gt".into(),
            },
        ),
        (
            req("k", "In", &[]),
            ConversionError::MissingValues {
                index: 2,
                operator: "In",
            },
        ),
        (
            req("k", "Exists", &["v"]),
            ConversionError::UnexpectedValues {
                index: 2,
                operator: "Exists",
                count: 1,
            },
        ),
    ];
    for (bad, want) in cases {
        let kube = kube(
            &[],
            vec![
                good(),
                good(),
                bad.clone(),
                req("z", "Lt", &["1"]),
                req("y", "In", &[]),
            ],
        );
        let err = convert_err(&kube);
        assert_eq!(err, want, "{bad:?}");
        assert!(err.to_string().starts_with("matchExpressions[2]."), "{err}");
    }
}

// ---------------------------------------------------------------------------------------------------
// Keys and values
// ---------------------------------------------------------------------------------------------------

#[test]
fn invalid_keys_are_rejected() {
    for key in [
        "",
        "-a",
        "a-",
        "a b",
        "a,b",
        "a=b",
        "!a",
        "a!",
        "(a)",
        "a)",
        "a in (b)",
        "a/b/c",
        "/a",
        "Example.com/a",
        "zöne",
        "a\tb",
        "a\0",
        &"k".repeat(64),
    ] {
        for (operator, values) in [
            ("In", &["v"][..]),
            ("NotIn", &["v"]),
            ("Exists", &[]),
            ("DoesNotExist", &[]),
        ] {
            match convert_err(&one(req(key, operator, values))) {
                ConversionError::InvalidKey {
                    index,
                    key: got,
                    error,
                } => {
                    assert_eq!(index, 0);
                    assert_eq!(got, key);
                    assert_eq!(Err(error), labelsel::validate_key(key), "{key:?}");
                }
                other => panic!("{key:?} {operator}: {other:?}"),
            }
        }
    }
}

#[test]
fn invalid_key_message() {
    let err = convert_err(&one(req("a/b/c", "Exists", &[])));
    assert_eq!(
        err.to_string(),
        "matchExpressions[0].key: invalid key \"a/b/c\": a key may hold at most one '/', between its DNS prefix and its name"
    );
    match err {
        ConversionError::InvalidKey { error, .. } => {
            assert_eq!(error.rule(), &LabelRule::KeyTooManySlashes)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_values_are_rejected_with_their_position() {
    for value in [
        "a,b",
        "a)",
        "(a",
        "a b",
        "-a",
        "a-",
        "a=b",
        "!a",
        "a)(b",
        "é",
        "a\nb",
        ")",
        ",",
        &"v".repeat(64),
    ] {
        for operator in ["In", "NotIn"] {
            let err = convert_err(&kube(
                &[],
                vec![
                    req("ok", "Exists", &[]),
                    req("k", operator, &["good", "", value]),
                ],
            ));
            match err {
                ConversionError::InvalidValue {
                    index,
                    position,
                    value: got,
                    error,
                } => {
                    assert_eq!((index, position), (1, 2), "{value:?}");
                    assert_eq!(got, value);
                    assert_eq!(Err(error), labelsel::validate_value(value), "{value:?}");
                }
                other => panic!("{value:?} {operator}: {other:?}"),
            }
        }
    }
}

#[test]
fn invalid_value_message() {
    let err = convert_err(&one(req("a", "In", &["1", "a,b"])));
    assert_eq!(
        err.to_string(),
        "matchExpressions[0].values[1]: invalid value \"a,b\": a value may hold only letters, digits, '-', '_' and '.', not ','"
    );
}

#[test]
fn values_cannot_inject_requirements() {
    // Each of these, pasted into `k in (...)`, would read as extra requirements or values.
    for value in [
        "a),b in (c",
        "a),!b",
        "a),b",
        "a,b",
        "x) ,gpu",
        "a)",
        "a), k notin (a",
        "a)\n,b",
    ] {
        for operator in ["In", "NotIn"] {
            let result = Selector::try_from(&one(req("k", operator, &[value])));
            assert!(
                matches!(
                    result,
                    Err(ConversionError::InvalidValue {
                        index: 0,
                        position: 0,
                        ..
                    })
                ),
                "{value:?} {operator}: {result:?}"
            );
        }
    }
}

#[test]
fn keys_cannot_inject_requirements() {
    for key in [
        "a,b",
        "a in (x),b",
        "a,!b",
        "b notin (c),a",
        "a=1,b",
        "a)",
        "!a",
    ] {
        for operator in ["In", "NotIn", "Exists", "DoesNotExist"] {
            let values: &[&str] = if operator.ends_with("In") {
                &["v"]
            } else {
                &[]
            };
            let result = Selector::try_from(&one(req(key, operator, values)));
            assert!(
                matches!(result, Err(ConversionError::InvalidKey { index: 0, .. })),
                "{key:?} {operator}: {result:?}"
            );
        }
    }
}

#[test]
fn every_converted_requirement_is_exactly_one_requirement() {
    let keys = ["a", "example.com/a", "a.b-c_d", "A0"];
    let values = ["", "v", "V.1", "a-b_c", "0"];
    for key in keys {
        for operator in ["In", "NotIn"] {
            for n in 1..=values.len() {
                let requirement = req(key, operator, &values[..n]);
                let selector = convert(&one(requirement.clone()));
                let expr = Expression::parse(&selector.match_expressions[0]).unwrap();
                assert_eq!(expr.len(), 1, "{requirement:?}");
                let parsed = expr.requirements().next().unwrap();
                assert_eq!(parsed.key(), key);
                let mut want: Vec<&str> = values[..n].to_vec();
                want.sort_unstable();
                assert_eq!(parsed.values().collect::<Vec<_>>(), want, "{requirement:?}");
            }
        }
    }
}

#[test]
fn key_is_checked_before_the_value_count() {
    // Both problems at once: the key is reported (the operator is checked first of all).
    let err = convert_err(&one(req("-bad", "Exists", &["v"])));
    assert!(matches!(err, ConversionError::InvalidKey { .. }), "{err:?}");
    let err = convert_err(&one(req("-bad", "In", &[])));
    assert!(matches!(err, ConversionError::InvalidKey { .. }), "{err:?}");
    let err = convert_err(&one(req("-bad", "Gt", &[])));
    assert!(
        matches!(err, ConversionError::UnknownOperator { .. }),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------------
// matchLabels
// ---------------------------------------------------------------------------------------------------

#[test]
fn match_labels_carry_over_unchanged() {
    let kube = kube(
        &[("app", "web"), ("k", ""), ("example.com/tier", "Gold")],
        vec![],
    );
    let selector = convert(&kube);
    assert_eq!(selector.match_labels, kube.match_labels);
    assert!(selector.match_expressions.is_empty());
    assert!(selector.match_ids.is_empty());
    let matcher = selector.compile().unwrap();
    assert!(matcher.matches(
        "n",
        &set(&[("app", "web"), ("k", ""), ("example.com/tier", "Gold")])
    ));
    assert!(!matcher.matches("n", &set(&[("app", "web"), ("example.com/tier", "Gold")])));
}

#[test]
fn bad_match_labels_convert_but_fail_to_compile() {
    let selector = convert(&kube(&[("-bad", "v")], vec![req("a", "Exists", &[])]));
    let err = selector.compile().unwrap_err();
    assert_eq!(err.place(), &Place::MatchLabel("-bad".into()));

    let selector = convert(&kube(&[("k", "-bad")], vec![]));
    let err = selector.compile().unwrap_err();
    assert_eq!(err.place(), &Place::MatchLabel("k".into()));
}

#[test]
fn empty_value_in_match_labels_means_present_and_empty() {
    let matcher = convert(&kube(&[("k", "")], vec![])).compile().unwrap();
    assert!(matcher.matches("n", &set(&[("k", "")])));
    assert!(!matcher.matches("n", &set(&[("k", "x")])));
    assert!(!matcher.matches("n", &set(&[])));
}

#[test]
fn by_value_and_by_reference_agree() {
    let kube = kube(
        &[("a", "1")],
        vec![req("b", "NotIn", &["x", "y"]), req("c", "Exists", &[])],
    );
    let by_ref = Selector::try_from(&kube).unwrap();
    let by_value = Selector::try_from(kube.clone()).unwrap();
    assert_eq!(by_ref, by_value);
    let bad = one(req("k", "Gt", &["1"]));
    assert_eq!(Selector::try_from(&bad), Selector::try_from(bad.clone()));
    assert!(Selector::try_from(bad).is_err());
}

// ---------------------------------------------------------------------------------------------------
// JSON shape
// ---------------------------------------------------------------------------------------------------

#[test]
fn json_shape() {
    let kube = from_json(
        r#"{"matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["spot", "batch"]},
                                 {"key": "gpu", "operator": "Exists"}]}"#,
    );
    assert_eq!(
        kube,
        LabelSelector {
            match_labels: BTreeMap::from([("app".into(), "web".into())]),
            match_expressions: vec![
                req("tier", "NotIn", &["spot", "batch"]),
                req("gpu", "Exists", &[])
            ],
        }
    );
}

#[test]
fn null_and_missing_fields_read_as_empty() {
    for json in [
        "{}",
        r#"{"matchLabels": null}"#,
        r#"{"matchExpressions": null}"#,
        r#"{"matchLabels": null, "matchExpressions": null}"#,
        r#"{"matchLabels": {}, "matchExpressions": []}"#,
    ] {
        assert_eq!(from_json(json), LabelSelector::default(), "{json}");
    }
}

#[test]
fn unknown_fields_are_rejected() {
    for (json, field) in [
        (r#"{"match_labels": {"a": "1"}}"#, "match_labels"),
        (r#"{"match_expressions": []}"#, "match_expressions"),
        (r#"{"matchLabel": {"a": "1"}}"#, "matchLabel"),
        (r#"{"selector": {}}"#, "selector"),
        (r#"{"matchIds": ["n"]}"#, "matchIds"),
        (r#"{"matchFields": []}"#, "matchFields"),
        (
            r#"{"matchExpressions": [{"key": "a", "operator": "Exists", "extra": 1}]}"#,
            "extra",
        ),
        (
            r#"{"matchExpressions": [{"key": "a", "operator": "In", "value": ["x"]}]}"#,
            "value",
        ),
        (
            r#"{"matchExpressions": [{"Key": "a", "operator": "Exists"}]}"#,
            "Key",
        ),
        (
            r#"{"matchExpressions": [{"key": "a", "op": "Exists"}]}"#,
            "op",
        ),
    ] {
        let err = serde_json::from_str::<LabelSelector>(json).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("unknown field `{field}`")),
            "{json}: {err}"
        );
    }
}

#[test]

fn json_arrays_are_not_label_selectors() {
    // `[]` reads today as the empty LabelSelector (matches everything), `[{"a": "b"}]` as matchLabels,
    // and `["k", "Exists"]` as a requirement: none is the Kubernetes JSON shape.
    for json in [
        "[]",
        r#"[{"a": "b"}]"#,
        r#"{"matchExpressions": [["k", "Exists"]]}"#,
    ] {
        assert!(
            serde_json::from_str::<LabelSelector>(json).is_err(),
            "{json} should be rejected"
        );
    }
}

#[test]
fn requirement_needs_key_and_operator() {
    for (json, field) in [
        (r#"{"matchExpressions": [{"operator": "Exists"}]}"#, "key"),
        (r#"{"matchExpressions": [{"key": "a"}]}"#, "operator"),
        (r#"{"matchExpressions": [{}]}"#, "key"),
    ] {
        let err = serde_json::from_str::<LabelSelector>(json).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("missing field `{field}`")),
            "{json}: {err}"
        );
    }
}

#[test]
fn wrong_types_are_rejected() {
    for json in [
        r#"{"matchLabels": []}"#,
        r#"{"matchLabels": {"a": 1}}"#,
        r#"{"matchExpressions": {}}"#,
        r#"{"matchExpressions": ["a in (b)"]}"#,
        r#"{"matchExpressions": [{"key": 1, "operator": "Exists"}]}"#,
        r#"{"matchExpressions": [{"key": "a", "operator": null}]}"#,
        r#"{"matchExpressions": [{"key": "a", "operator": "In", "values": "x"}]}"#,
        r#"{"matchExpressions": [{"key": "a", "operator": "In", "values": [null]}]}"#,
        "null",
        r#""a=b""#,
    ] {
        assert!(
            serde_json::from_str::<LabelSelector>(json).is_err(),
            "{json}"
        );
    }
}

#[test]
fn serialises_in_camel_case_and_round_trips() {
    let kube = kube(
        &[("app", "web")],
        vec![req("gpu", "Exists", &[]), req("tier", "In", &["a", "b"])],
    );
    let json = serde_json::to_string(&kube).unwrap();
    assert_eq!(
        json,
        r#"{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"gpu","operator":"Exists"},{"key":"tier","operator":"In","values":["a","b"]}]}"#
    );
    assert_eq!(from_json(&json), kube);
    assert_eq!(
        serde_json::to_string(&LabelSelector::default()).unwrap(),
        "{}"
    );
}

// ---------------------------------------------------------------------------------------------------
// Matching as Kubernetes does
// ---------------------------------------------------------------------------------------------------

#[test]
fn empty_label_selector_matches_everything() {
    for kube in [
        LabelSelector::default(),
        from_json("{}"),
        from_json(r#"{"matchLabels": null}"#),
    ] {
        let selector = convert(&kube);
        assert!(selector.is_empty());
        let matcher = selector.compile().unwrap();
        assert!(matcher.is_empty());
        for labels in all_label_maps(&["a", "k"], &["", "1"]) {
            assert!(matcher.matches("any", &labels), "{labels:?}");
        }
    }
}

#[test]
fn combined_example_matches_nothing_with_k_equal_v() {
    // matchLabels {a:1,k:v} + `k NotIn [v]` + `b Exists` (Kubernetes: `a=1,b,k=v,k notin (v)`).
    let kube = kube(
        &[("a", "1"), ("k", "v")],
        vec![req("k", "NotIn", &["v"]), req("b", "Exists", &[])],
    );
    let selector = convert(&kube);
    assert_eq!(selector.match_expressions, ["k notin (v)", "b"]);
    let matcher = selector.compile().unwrap();
    assert!(!matcher.is_empty());
    let maps = all_label_maps(&["a", "b", "k"], &["", "1", "v"]);
    assert_eq!(maps.len(), 64);
    for labels in &maps {
        let prepared: LabelSet = labels.iter().collect();
        assert!(!matcher.matches("n", &prepared), "{labels:?}");
        assert!(!kubernetes_matches(&kube, labels), "{labels:?}");
    }
    // In particular the most tempting candidate.
    assert!(!matcher.matches("n", &set(&[("a", "1"), ("b", ""), ("k", "v")])));
}

#[test]
fn match_labels_and_expressions_are_anded() {
    let kube = kube(
        &[("app", "web")],
        vec![
            req("tier", "In", &["a", "b"]),
            req("debug", "DoesNotExist", &[]),
        ],
    );
    let matcher = convert(&kube).compile().unwrap();
    assert!(matcher.matches("n", &set(&[("app", "web"), ("tier", "a")])));
    assert!(!matcher.matches("n", &set(&[("tier", "a")])));
    assert!(!matcher.matches("n", &set(&[("app", "web"), ("tier", "c")])));
    assert!(!matcher.matches("n", &set(&[("app", "web"), ("tier", "a"), ("debug", "")])));
}

#[test]
fn notin_matches_absent_keys() {
    let matcher = convert(&one(req("k", "NotIn", &["v"]))).compile().unwrap();
    assert!(matcher.matches("n", &set(&[])));
    assert!(matcher.matches("n", &set(&[("k", "w")])));
    assert!(!matcher.matches("n", &set(&[("k", "v")])));
    // The documented idiom to require presence.
    let matcher = convert(&kube(
        &[],
        vec![req("k", "Exists", &[]), req("k", "NotIn", &["v"])],
    ))
    .compile()
    .unwrap();
    assert!(!matcher.matches("n", &set(&[])));
    assert!(matcher.matches("n", &set(&[("k", "w")])));
}

#[test]
fn converted_selectors_agree_with_the_kubernetes_rules_on_every_small_label_map() {
    let keys = ["a", "b", "k"];
    let values = ["", "1", "v"];
    let selectors = vec![
        kube(&[], vec![]),
        kube(&[("a", "1")], vec![]),
        kube(&[("a", "")], vec![]),
        kube(&[], vec![req("a", "In", &["1", "v"])]),
        kube(&[], vec![req("a", "In", &[""])]),
        kube(&[], vec![req("a", "NotIn", &["1", "v"])]),
        kube(&[], vec![req("a", "NotIn", &[""])]),
        kube(&[], vec![req("a", "Exists", &[])]),
        kube(&[], vec![req("a", "DoesNotExist", &[])]),
        kube(
            &[("a", "1"), ("k", "v")],
            vec![req("k", "NotIn", &["v"]), req("b", "Exists", &[])],
        ),
        kube(
            &[("a", "1")],
            vec![req("b", "NotIn", &["1"]), req("k", "DoesNotExist", &[])],
        ),
        kube(
            &[],
            vec![
                req("a", "Exists", &[]),
                req("a", "NotIn", &["1"]),
                req("b", "In", &["", "v", "1"]),
            ],
        ),
        kube(
            &[("b", "v")],
            vec![req("a", "In", &["1"]), req("a", "In", &["v"])],
        ),
        kube(
            &[],
            vec![req("k", "Exists", &[]), req("k", "DoesNotExist", &[])],
        ),
    ];
    let maps = all_label_maps(&keys, &values);
    for kube in &selectors {
        let matcher = convert(kube).compile().unwrap();
        let mut hits = 0;
        for labels in &maps {
            let want = kubernetes_matches(kube, labels);
            hits += usize::from(want);
            let prepared: LabelSet = labels.iter().collect();
            let hashed: HashMap<String, String> = labels.clone().into_iter().collect();
            assert_eq!(matcher.matches("n", labels), want, "{kube:?} on {labels:?}");
            assert_eq!(
                matcher.matches("n", &prepared),
                want,
                "{kube:?} on {labels:?}"
            );
            assert_eq!(
                matcher.matches("n", &hashed),
                want,
                "{kube:?} on {labels:?}"
            );
        }
        // The reference itself is not trivially constant for the non-contradictory selectors.
        if kube.match_expressions.len() < 2 {
            assert!(hits > 0, "{kube:?}");
        }
    }
}

#[test]
fn conversion_error_is_a_std_error_and_clonable() {
    let err = convert_err(&one(req("k", "Gt", &["1"])));
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err.clone());
    assert_eq!(boxed.to_string(), err.to_string());
    assert_eq!(err.clone(), err);
}
