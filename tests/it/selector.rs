//! Unit tests for [`Selector`]: its JSON shape (names, aliases, `null`, unknown and duplicate fields, wrong
//! types, serialisation), the builder, `compile()` errors and where they point, [`Matcher`] semantics, and
//! [`LabelSet`].

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::error::Error as _;
use std::hash::{Hash, Hasher};

use labelsel::{Expression, LabelRule, LabelSet, Labels, Matcher, Place, Selector, SelectorError};

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/// `Matcher` is immutable and meant to be shared across threads and cloned.
const _: fn() = || {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Matcher>();
    assert_send_sync_clone::<Selector>();
    assert_send_sync_clone::<SelectorError>();
    assert_send_sync_clone::<LabelSet>();
};

/// An expression or node id, node labels, and the expected verdict.
type Case = (&'static str, &'static [(&'static str, &'static str)], bool);

fn parse(json: &str) -> Selector {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json} should deserialise: {e}"))
}

fn reject(json: &str) -> String {
    match serde_json::from_str::<Selector>(json) {
        Ok(selector) => panic!("{json} should be rejected, got {selector:?}"),
        Err(e) => e.to_string(),
    }
}

fn compile(selector: &Selector) -> Matcher {
    selector
        .compile()
        .unwrap_or_else(|e| panic!("{selector:?} should compile: {e}"))
}

fn compile_err(selector: &Selector) -> SelectorError {
    match selector.compile() {
        Ok(matcher) => panic!("{selector:?} should not compile, got {matcher:?}"),
        Err(e) => e,
    }
}

fn set(pairs: &[(&str, &str)]) -> LabelSet {
    pairs.iter().copied().collect()
}

fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

fn labels_full() -> Selector {
    Selector {
        match_labels: BTreeMap::from([
            ("env".to_string(), "prod".to_string()),
            ("tier".to_string(), "compute".to_string()),
        ]),
        match_expressions: vec!["gpu".to_string(), "!debug".to_string()],
        match_ids: vec!["node-1".to_string(), "node-2".to_string()],
    }
}

// ---------------------------------------------------------------------------------------------------
// JSON: field names and aliases
// ---------------------------------------------------------------------------------------------------

#[test]
fn snake_case_field_names() {
    let selector = parse(
        r#"{"match_labels": {"env": "prod", "tier": "compute"},
            "match_expressions": ["gpu", "!debug"],
            "match_ids": ["node-1", "node-2"]}"#,
    );
    assert_eq!(selector, labels_full());
}

#[test]
fn camel_case_aliases() {
    let selector = parse(
        r#"{"matchLabels": {"env": "prod", "tier": "compute"},
            "matchExpressions": ["gpu", "!debug"],
            "matchIds": ["node-1", "node-2"]}"#,
    );
    assert_eq!(selector, labels_full());
}

#[test]
fn match_ids_upper_case_alias() {
    let selector = parse(r#"{"matchIDs": ["node-1", "node-2"]}"#);
    assert_eq!(selector.match_ids, ["node-1", "node-2"]);
    assert!(selector.match_labels.is_empty());
    assert!(selector.match_expressions.is_empty());
}

#[test]
fn each_name_fills_only_its_own_field() {
    for name in ["match_labels", "matchLabels"] {
        let selector = parse(&format!(r#"{{"{name}": {{"a": "1"}}}}"#));
        assert_eq!(selector, Selector::new().label("a", "1"), "{name}");
    }
    for name in ["match_expressions", "matchExpressions"] {
        let selector = parse(&format!(r#"{{"{name}": ["a=1"]}}"#));
        assert_eq!(selector, Selector::new().expression("a=1"), "{name}");
    }
    for name in ["match_ids", "matchIds", "matchIDs"] {
        let selector = parse(&format!(r#"{{"{name}": ["n"]}}"#));
        assert_eq!(selector, Selector::new().id("n"), "{name}");
    }
}

#[test]
fn names_may_be_mixed_across_fields() {
    let selector = parse(
        r#"{"match_labels": {"env": "prod", "tier": "compute"},
            "matchExpressions": ["gpu", "!debug"],
            "matchIDs": ["node-1", "node-2"]}"#,
    );
    assert_eq!(selector, labels_full());
}

#[test]
fn expression_and_id_order_is_kept() {
    let selector =
        parse(r#"{"match_expressions": ["z", "a", "m"], "match_ids": ["n3", "n1", "n2"]}"#);
    assert_eq!(selector.match_expressions, ["z", "a", "m"]);
    assert_eq!(selector.match_ids, ["n3", "n1", "n2"]);
}

// ---------------------------------------------------------------------------------------------------
// JSON: null and missing fields
// ---------------------------------------------------------------------------------------------------

#[test]
fn null_reads_as_empty_for_every_field_and_alias() {
    for name in [
        "match_labels",
        "matchLabels",
        "match_expressions",
        "matchExpressions",
        "match_ids",
        "matchIds",
        "matchIDs",
    ] {
        let selector = parse(&format!(r#"{{"{name}": null}}"#));
        assert!(selector.is_empty(), "{name}: {selector:?}");
        assert_eq!(selector, Selector::new(), "{name}");
    }
}

#[test]
fn null_fields_beside_filled_ones() {
    let selector =
        parse(r#"{"match_labels": null, "match_expressions": ["gpu"], "match_ids": null}"#);
    assert_eq!(selector, Selector::new().expression("gpu"));
    let selector =
        parse(r#"{"matchLabels": {"a": "1"}, "matchExpressions": null, "matchIDs": null}"#);
    assert_eq!(selector, Selector::new().label("a", "1"));
    let selector =
        parse(r#"{"match_labels": null, "match_expressions": null, "match_ids": ["n"]}"#);
    assert_eq!(selector, Selector::new().id("n"));
}

#[test]
fn all_null_is_empty() {
    let selector = parse(r#"{"match_labels": null, "match_expressions": null, "match_ids": null}"#);
    assert!(selector.is_empty());
    assert!(compile(&selector).is_empty());
}

#[test]
fn missing_fields_read_as_empty() {
    let selector = parse(r#"{"match_expressions": ["gpu"]}"#);
    assert!(selector.match_labels.is_empty());
    assert!(selector.match_ids.is_empty());
    assert_eq!(selector.match_expressions, ["gpu"]);

    let selector = parse(r#"{"match_labels": {"a": "1"}}"#);
    assert!(selector.match_expressions.is_empty());
    assert!(selector.match_ids.is_empty());

    let selector = parse(r#"{"match_ids": ["n"]}"#);
    assert!(selector.match_labels.is_empty());
    assert!(selector.match_expressions.is_empty());
}

#[test]
fn empty_object_is_the_empty_selector_and_matches_every_node() {
    let selector = parse("{}");
    assert!(selector.is_empty());
    assert_eq!(selector, Selector::new());
    assert_eq!(selector, Selector::default());
    let matcher = compile(&selector);
    assert!(matcher.is_empty());
    let nodes = [
        set(&[]),
        set(&[("a", "1")]),
        set(&[("env", "prod"), ("debug", "")]),
        set(&[("weird key", "weird value")]),
    ];
    for id in ["", "node-1", "x"] {
        for node in &nodes {
            assert!(matcher.matches(id, node), "{id} {node:?}");
        }
    }
    assert!(matcher.matches("n", &HashMap::<String, String>::new()));
    assert!(matcher.matches("n", &BTreeMap::<String, String>::new()));
}

#[test]
fn empty_values_are_the_empty_selector() {
    let selector = parse(r#"{"match_labels": {}, "match_expressions": [], "match_ids": []}"#);
    assert!(selector.is_empty());
    assert_eq!(selector, Selector::new());
}

#[test]
fn null_selector_is_rejected() {
    let message = reject("null");
    assert!(message.contains("invalid type: null"), "{message}");
}

// ---------------------------------------------------------------------------------------------------
// JSON: unknown fields
// ---------------------------------------------------------------------------------------------------

#[test]
fn unknown_fields_are_rejected_naming_the_field() {
    for field in [
        "match_label",
        "matchlabel",
        "matchlabels",
        "selector",
        "MATCH_LABELS",
        "match_expression",
        "matchExpression",
        "match_id",
        "matchids",
        "MatchIds",
        "match_IDs",
        "labels",
        "",
    ] {
        for value in [r#"{"env": "prod"}"#, "null", "[]", r#""x""#] {
            let json = format!(r#"{{"{field}": {value}}}"#);
            let message = reject(&json);
            assert!(
                message.starts_with(&format!("unknown field `{field}`")),
                "{json}: {message}"
            );
        }
    }
}

#[test]
fn unknown_field_message_lists_the_accepted_names() {
    let message = reject(r#"{"match_label": {"env": "prod"}}"#);
    for name in [
        "`match_labels`",
        "`matchLabels`",
        "`match_expressions`",
        "`matchExpressions`",
        "`match_ids`",
        "`matchIds`",
        "`matchIDs`",
    ] {
        assert!(message.contains(name), "{name} missing from {message}");
    }
}

#[test]
fn unknown_field_beside_valid_fields_is_rejected() {
    for json in [
        r#"{"match_labels": {"a": "1"}, "match_label": {"b": "2"}}"#,
        r#"{"match_label": {"b": "2"}, "match_labels": {"a": "1"}}"#,
        r#"{"match_expressions": ["gpu"], "match_ids": ["n"], "extra": 1}"#,
    ] {
        let message = reject(json);
        assert!(message.starts_with("unknown field `"), "{json}: {message}");
    }
}

#[test]
fn misspelt_field_cannot_select_the_whole_fleet() {
    // The failure mode the strictness guards against: a typo that would leave an empty selector.
    let message = reject(r#"{"matchLabel": {"env": "prod"}}"#);
    assert!(message.contains("`matchLabel`"), "{message}");
}

// ---------------------------------------------------------------------------------------------------
// JSON: wrong types
// ---------------------------------------------------------------------------------------------------

#[test]
fn wrong_types_are_rejected() {
    for (json, needle) in [
        (
            r#"{"match_labels": []}"#,
            "invalid type: sequence, expected a map",
        ),
        (r#"{"match_labels": "a=1"}"#, "invalid type: string"),
        (r#"{"match_labels": 1}"#, "invalid type: integer"),
        (
            r#"{"match_labels": {"a": null}}"#,
            "invalid type: null, expected a string",
        ),
        (
            r#"{"match_labels": {"a": 1}}"#,
            "invalid type: integer `1`, expected a string",
        ),
        (r#"{"match_labels": {"a": true}}"#, "invalid type: boolean"),
        (
            r#"{"match_labels": {"a": ["1"]}}"#,
            "invalid type: sequence",
        ),
        (r#"{"matchLabels": {"a": {}}}"#, "invalid type: map"),
        (
            r#"{"match_expressions": "gpu"}"#,
            "invalid type: string \"gpu\", expected a sequence",
        ),
        (
            r#"{"match_expressions": {"gpu": true}}"#,
            "invalid type: map",
        ),
        (
            r#"{"match_expressions": [null]}"#,
            "invalid type: null, expected a string",
        ),
        (r#"{"match_expressions": [1]}"#, "invalid type: integer"),
        (
            r#"{"matchExpressions": [["gpu"]]}"#,
            "invalid type: sequence",
        ),
        (r#"{"match_ids": "node-1"}"#, "expected a sequence"),
        (
            r#"{"match_ids": [1]}"#,
            "invalid type: integer `1`, expected a string",
        ),
        (r#"{"match_ids": [null]}"#, "invalid type: null"),
        (r#"{"matchIDs": {"n": 1}}"#, "invalid type: map"),
        (r#""x""#, "expected a selector object"),
        ("1", "expected a selector object"),
        ("true", "expected a selector object"),
    ] {
        let message = reject(json);
        assert!(message.contains(needle), "{json}: {message}");
    }
}

#[test]
fn malformed_json_is_rejected() {
    for json in ["", "{", r#"{"match_labels": {"a": "1"}"#, "{,}"] {
        assert!(serde_json::from_str::<Selector>(json).is_err(), "{json:?}");
    }
}

#[test]

fn json_array_is_not_a_selector() {
    // `"selector": []` deserialises today to the empty selector (every field defaults), which selects
    // the whole fleet: the failure mode that `deny_unknown_fields` is there to prevent. An array
    // `[{"a": "b"}]` is also read positionally as `match_labels`.
    for json in ["[]", r#"[{"a": "b"}]"#, r#"[{}, ["gpu"], ["n"]]"#] {
        assert!(
            serde_json::from_str::<Selector>(json).is_err(),
            "{json} should be rejected"
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// JSON: a field given twice
// ---------------------------------------------------------------------------------------------------

#[test]
fn a_field_given_twice_is_an_error() {
    for (json, field) in [
        (
            r#"{"match_labels": {}, "match_labels": {}}"#,
            "match_labels",
        ),
        (r#"{"match_labels": {}, "matchLabels": {}}"#, "match_labels"),
        (
            r#"{"matchLabels": {"a": "1"}, "match_labels": {"b": "2"}}"#,
            "match_labels",
        ),
        (r#"{"matchLabels": {}, "matchLabels": {}}"#, "match_labels"),
        (
            r#"{"match_labels": null, "matchLabels": {"a": "1"}}"#,
            "match_labels",
        ),
        (
            r#"{"match_expressions": [], "matchExpressions": ["gpu"]}"#,
            "match_expressions",
        ),
        (
            r#"{"matchExpressions": ["a"], "match_expressions": ["b"]}"#,
            "match_expressions",
        ),
        (r#"{"match_ids": ["a"], "matchIds": ["b"]}"#, "match_ids"),
        (r#"{"match_ids": ["a"], "matchIDs": ["b"]}"#, "match_ids"),
        (r#"{"matchIds": [], "matchIDs": ["a"]}"#, "match_ids"),
        (r#"{"matchIDs": null, "matchIDs": null}"#, "match_ids"),
    ] {
        let message = reject(json);
        // serde names the field by its canonical (Rust) name, whichever spelling was repeated.
        assert!(
            message.starts_with(&format!("duplicate field `{field}`")),
            "{json}: {message}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// Serialisation
// ---------------------------------------------------------------------------------------------------

#[test]
fn empty_selector_serialises_to_an_empty_object() {
    assert_eq!(serde_json::to_string(&Selector::new()).unwrap(), "{}");
}

#[test]
fn empty_fields_are_skipped() {
    let json = serde_json::to_string(&Selector::new().label("a", "1")).unwrap();
    assert_eq!(json, r#"{"match_labels":{"a":"1"}}"#);
    let json = serde_json::to_string(&Selector::new().expression("gpu")).unwrap();
    assert_eq!(json, r#"{"match_expressions":["gpu"]}"#);
    let json = serde_json::to_string(&Selector::new().id("n")).unwrap();
    assert_eq!(json, r#"{"match_ids":["n"]}"#);
}

#[test]
fn serialisation_uses_snake_case_names_and_sorted_labels() {
    let selector = parse(
        r#"{"matchLabels": {"tier": "compute", "env": "prod"},
            "matchExpressions": ["gpu", "!debug"],
            "matchIDs": ["node-1", "node-2"]}"#,
    );
    assert_eq!(
        serde_json::to_string(&selector).unwrap(),
        r#"{"match_labels":{"env":"prod","tier":"compute"},"match_expressions":["gpu","!debug"],"match_ids":["node-1","node-2"]}"#
    );
}

#[test]
fn json_round_trip() {
    let selectors = [
        Selector::new(),
        labels_full(),
        Selector::new().label("k", ""),
        Selector::new().expression("").expression("x in ()"),
        Selector::new().id("").id("node-1").id("node-1"),
        // Selectors that would not compile still round-trip: validation is compile's job.
        Selector::new()
            .label("bad key", "bad value")
            .expression("in (")
            .id("é"),
    ];
    for selector in selectors {
        let text = serde_json::to_string(&selector).unwrap();
        let back: Selector = serde_json::from_str(&text).unwrap();
        assert_eq!(back, selector, "{text}");
        let value = serde_json::to_value(&selector).unwrap();
        let back: Selector = serde_json::from_value(value).unwrap();
        assert_eq!(back, selector);
    }
}

#[test]
fn from_json_value_obeys_the_same_rules() {
    let value = serde_json::json!({"matchIDs": ["n"], "match_labels": null});
    let selector: Selector = serde_json::from_value(value).unwrap();
    assert_eq!(selector, Selector::new().id("n"));
    let value = serde_json::json!({"match_label": {"a": "1"}});
    let err = serde_json::from_value::<Selector>(value).unwrap_err();
    assert!(
        err.to_string().starts_with("unknown field `match_label`"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------------
// Builder and is_empty
// ---------------------------------------------------------------------------------------------------

#[test]
fn builder_builds_the_struct() {
    let built = Selector::new()
        .label("env", "prod")
        .label("tier", "compute")
        .expression("gpu")
        .expression("!debug")
        .id("node-1")
        .id("node-2");
    assert_eq!(built, labels_full());
}

#[test]
fn builder_label_replaces_an_earlier_value() {
    let selector = Selector::new()
        .label("a", "1")
        .label("b", "2")
        .label("a", "3");
    assert_eq!(
        selector.match_labels,
        BTreeMap::from([
            ("a".to_string(), "3".to_string()),
            ("b".to_string(), "2".to_string())
        ])
    );
}

#[test]
fn builder_keeps_expression_and_id_order_and_repeats() {
    let selector = Selector::new()
        .expression("b")
        .expression("a")
        .expression("b")
        .id("n2")
        .id("n1")
        .id("n2");
    assert_eq!(selector.match_expressions, ["b", "a", "b"]);
    assert_eq!(selector.match_ids, ["n2", "n1", "n2"]);
}

#[test]
fn builder_accepts_owned_and_borrowed_strings() {
    let key = String::from("env");
    let selector = Selector::new()
        .label(key.clone(), "prod")
        .label("tier", String::from("compute"))
        .expression(String::from("gpu"))
        .id(&*String::from("n"));
    assert_eq!(
        selector.match_labels.get(&key).map(String::as_str),
        Some("prod")
    );
    assert_eq!(selector.match_expressions, ["gpu"]);
    assert_eq!(selector.match_ids, ["n"]);
}

#[test]
fn is_empty_tells_whether_every_part_is_empty() {
    assert!(Selector::new().is_empty());
    assert!(Selector::default().is_empty());
    assert!(!Selector::new().label("a", "1").is_empty());
    assert!(!Selector::new().expression("a").is_empty());
    assert!(!Selector::new().id("n").is_empty());
    // An empty expression string is still a listed expression.
    assert!(!Selector::new().expression("").is_empty());
    // A label with an empty value is still a constraint.
    assert!(!Selector::new().label("a", "").is_empty());
}

// ---------------------------------------------------------------------------------------------------
// compile(): errors and where they point
// ---------------------------------------------------------------------------------------------------

#[test]
fn bad_expression_points_at_its_index_and_carries_the_parse_error() {
    let texts = ["gpu", "tier in (a,b)", "env in (prod", "zone=a"];
    let mut selector = Selector::new();
    for text in texts {
        selector = selector.expression(text);
    }
    let err = compile_err(&selector);
    assert_eq!(err.place(), &Place::MatchExpression(2));
    assert_eq!(
        err.parse_error(),
        &Expression::parse("env in (prod").unwrap_err()
    );
    assert_eq!(err.parse_error().span(), 12..12);
    assert_eq!(err.parse_error().input(), "env in (prod");
    assert_eq!(err.parse_error().expected(), "`,` or `)`");
}

#[test]
fn each_bad_expression_index_is_reported() {
    let bad = ["!gpu=a100", "a/b/c=x", "x>-1", "in (a)", "x in (a", "a=b c"];
    for (position, text) in bad.iter().enumerate() {
        let mut selector = Selector::new();
        for i in 0..=position {
            selector = selector.expression(if i == position { *text } else { "ok" });
        }
        let err = compile_err(&selector);
        assert_eq!(err.place(), &Place::MatchExpression(position), "{text}");
        let direct = Expression::parse(text).unwrap_err();
        assert_eq!(err.parse_error(), &direct, "{text}");
        assert_eq!(err.parse_error().span(), direct.span(), "{text}");
    }
}

#[test]
fn parse_error_span_points_inside_the_expression() {
    let err = compile_err(&Selector::new().expression("a").expression("!gpu=a100"));
    assert_eq!(err.place(), &Place::MatchExpression(1));
    assert_eq!(err.parse_error().span(), 4..5);
    assert_eq!(err.parse_error().found(), "=");

    let err = compile_err(&Selector::new().expression("zone=a, a/b/c=x"));
    assert_eq!(err.place(), &Place::MatchExpression(0));
    let label_error = err.parse_error().label_error().expect("a key error");
    assert_eq!(label_error.rule(), &LabelRule::KeyTooManySlashes);
    assert!(
        err.parse_error().span().start >= 8,
        "{:?}",
        err.parse_error().span()
    );
}

#[test]
fn the_first_bad_expression_wins() {
    let err = compile_err(
        &Selector::new()
            .expression("ok")
            .expression("x in (")
            .expression("!!")
            .expression("also bad ("),
    );
    assert_eq!(err.place(), &Place::MatchExpression(1));
    assert_eq!(err.parse_error().input(), "x in (");
}

#[test]
fn bad_label_key_points_at_the_key() {
    for (key, rule) in [
        ("a/b/c", LabelRule::KeyTooManySlashes),
        ("", LabelRule::KeyNameEmpty),
        ("/a", LabelRule::KeyPrefixEmpty),
    ] {
        let err = compile_err(&Selector::new().label(key, "v"));
        assert_eq!(err.place(), &Place::MatchLabel(key.to_string()), "{key:?}");
        assert_eq!(err.parse_error().input(), key);
        assert_eq!(err.parse_error().span(), 0..key.len());
        assert_eq!(err.parse_error().label_error().unwrap().rule(), &rule);
        assert_eq!(err.parse_error().expected(), "a valid label key");
    }
    for key in [
        "-a",
        "a b",
        "zöne",
        "a,b",
        "a=b",
        "Example.com/a",
        &"k".repeat(64),
    ] {
        let err = compile_err(&Selector::new().label(key, "v"));
        assert_eq!(err.place(), &Place::MatchLabel(key.to_string()), "{key:?}");
        assert_eq!(err.parse_error().found(), key);
        assert!(err.parse_error().label_error().is_some(), "{key:?}");
    }
}

#[test]
fn bad_label_value_points_at_the_value_under_its_key() {
    for value in ["a b", "-a", "a-", "a,b", "(a)", "é", "a=b", &"v".repeat(64)] {
        let err = compile_err(&Selector::new().label("env", value));
        assert_eq!(
            err.place(),
            &Place::MatchLabel("env".to_string()),
            "{value:?}"
        );
        assert_eq!(err.parse_error().input(), value);
        assert_eq!(err.parse_error().span(), 0..value.len());
        assert_eq!(err.parse_error().expected(), "a valid label value");
        assert!(err.parse_error().label_error().is_some(), "{value:?}");
    }
    let err = compile_err(&Selector::new().label("env", "v".repeat(64)));
    assert_eq!(
        err.parse_error().label_error().unwrap().rule(),
        &LabelRule::ValueTooLong { len: 64 }
    );
}

#[test]
fn valid_labels_compile() {
    for (key, value) in [
        ("k", ""),
        ("example.com/k", "v"),
        ("app.kubernetes.io/name", "My_App-1.0"),
        ("K_8", "0"),
    ] {
        let selector = Selector::new().label(key, value);
        assert!(selector.compile().is_ok(), "{key}={value}");
    }
    assert!(
        Selector::new()
            .label("k".repeat(63), "v".repeat(63))
            .compile()
            .is_ok()
    );
}

#[test]
fn labels_are_checked_before_expressions() {
    let err = compile_err(
        &Selector::new()
            .expression("x in (")
            .label("env", "bad value"),
    );
    assert_eq!(err.place(), &Place::MatchLabel("env".to_string()));
    let err = compile_err(&Selector::new().expression("!!").label("a/b/c", "v"));
    assert_eq!(err.place(), &Place::MatchLabel("a/b/c".to_string()));
}

#[test]
fn labels_are_checked_in_key_order_key_before_value() {
    // `match_labels` is a map sorted by key: "-a" < "b" < "c" byte-wise.
    let selector = Selector::new()
        .label("c", "bad value")
        .label("b", "-v")
        .label("-a", "-w");
    let err = compile_err(&selector);
    assert_eq!(err.place(), &Place::MatchLabel("-a".to_string()));

    let selector = Selector::new().label("c", "bad value").label("b", "-v");
    let err = compile_err(&selector);
    assert_eq!(err.place(), &Place::MatchLabel("b".to_string()));
    assert_eq!(err.parse_error().input(), "-v");

    // Within one entry, the key is checked first.
    let err = compile_err(&Selector::new().label("a b", "c d"));
    assert_eq!(err.place(), &Place::MatchLabel("a b".to_string()));
}

#[test]
fn match_ids_are_not_validated() {
    // Node ids are not labels: any string is accepted.
    let selector = Selector::new().id("").id("not a label value!").id("ノード");
    let matcher = compile(&selector);
    assert!(matcher.matches("ノード", &set(&[])));
    assert!(matcher.matches("", &set(&[])));
    assert!(!matcher.matches("node", &set(&[])));
}

#[test]
fn empty_and_blank_expressions_compile_to_no_constraint() {
    for text in ["", " ", "\t\n "] {
        let matcher = compile(&Selector::new().expression(text));
        assert!(matcher.is_empty(), "{text:?}");
        assert!(matcher.matches("n", &set(&[])));
    }
}

// ---------------------------------------------------------------------------------------------------
// SelectorError: Display, {:#}, source
// ---------------------------------------------------------------------------------------------------

#[test]
fn selector_error_display_for_an_expression() {
    let err = compile_err(&Selector::new().expression("gpu").expression("tier in (a,"));
    assert_eq!(
        err.to_string(),
        "match_expressions[1]: expected a value or `,`, found end of input at byte 11"
    );
    assert_eq!(
        format!("{err:#}"),
        "in match_expressions[1]:\nerror: expected a value or `,`, found end of input\n  |\n1 | tier in (a,\n  |            ^"
    );
}

#[test]
fn selector_error_display_for_a_label_key() {
    let err = compile_err(&Selector::new().label("a/b/c", "x"));
    assert_eq!(
        err.to_string(),
        "match_labels[\"a/b/c\"]: invalid key `a/b/c`: a key may hold at most one '/', between its DNS prefix and its name at byte 3"
    );
    assert_eq!(
        format!("{err:#}"),
        "in match_labels[\"a/b/c\"]:\nerror: invalid key `a/b/c`: a key may hold at most one '/', between its DNS prefix and its name\n  |\n1 | a/b/c\n  | ^^^^^"
    );
}

#[test]
fn selector_error_display_for_a_label_value() {
    let err = compile_err(&Selector::new().label("env", "a b"));
    assert_eq!(
        err.to_string(),
        "match_labels[\"env\"]: invalid value `a b`: a value may hold only letters, digits, '-', '_' and '.', not ' ' at byte 1"
    );
    assert_eq!(
        format!("{err:#}"),
        "in match_labels[\"env\"]:\nerror: invalid value `a b`: a value may hold only letters, digits, '-', '_' and '.', not ' '\n  |\n1 | a b\n  | ^^^"
    );
}

#[test]
fn selector_error_display_is_prefixed_parse_error_display() {
    let err = compile_err(
        &Selector::new()
            .expression("a")
            .expression("b")
            .expression("!gpu=a100"),
    );
    assert_eq!(
        err.to_string(),
        format!("match_expressions[2]: {}", err.parse_error())
    );
    assert_eq!(
        format!("{err:#}"),
        format!("in match_expressions[2]:\n{:#}", err.parse_error())
    );
}

#[test]
fn place_display() {
    assert_eq!(
        Place::MatchExpression(0).to_string(),
        "match_expressions[0]"
    );
    assert_eq!(
        Place::MatchExpression(17).to_string(),
        "match_expressions[17]"
    );
    assert_eq!(
        Place::MatchLabel("k".into()).to_string(),
        "match_labels[\"k\"]"
    );
    // Keys are quoted and escaped, so that odd keys stay readable.
    assert_eq!(
        Place::MatchLabel("a\"b\n".into()).to_string(),
        "match_labels[\"a\\\"b\\n\"]"
    );
}

#[test]
fn selector_error_says_its_parse_error_once() {
    let err = compile_err(&Selector::new().expression("x in ("));
    // The message holds the parse error's; an error chain must not print it a second time.
    assert!(err.source().is_none());
    assert!(err.to_string().ends_with(&err.parse_error().to_string()));
    assert_eq!(err.parse_error().input(), "x in (");
    // Usable as a boxed error.
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err.clone());
    assert_eq!(boxed.to_string(), err.to_string());
}

#[test]
fn selector_error_equality_and_clone() {
    let a = compile_err(&Selector::new().expression("x in ("));
    let b = compile_err(&Selector::new().expression("x in ("));
    assert_eq!(a, b);
    assert_eq!(a.clone(), a);
    let c = compile_err(&Selector::new().expression("y").expression("x in ("));
    assert_ne!(a, c);
}

// ---------------------------------------------------------------------------------------------------
// Matcher semantics
// ---------------------------------------------------------------------------------------------------

#[test]
fn the_three_parts_are_anded() {
    let matcher = compile(
        &Selector::new()
            .label("env", "prod")
            .expression("gpu")
            .id("node-1"),
    );
    for env in [false, true] {
        for gpu in [false, true] {
            for id_ok in [false, true] {
                let mut pairs = vec![("zone", "a")];
                if env {
                    pairs.push(("env", "prod"));
                }
                if gpu {
                    pairs.push(("gpu", "l4"));
                }
                let id = if id_ok { "node-1" } else { "node-2" };
                assert_eq!(
                    matcher.matches(id, &set(&pairs)),
                    env && gpu && id_ok,
                    "env={env} gpu={gpu} id={id}"
                );
            }
        }
    }
}

#[test]
fn every_expression_string_must_match() {
    let matcher = compile(&Selector::new().expression("a").expression("b=1, c!=2"));
    assert!(matcher.matches("n", &set(&[("a", ""), ("b", "1")])));
    assert!(matcher.matches("n", &set(&[("a", ""), ("b", "1"), ("c", "3")])));
    assert!(!matcher.matches("n", &set(&[("a", ""), ("b", "1"), ("c", "2")])));
    assert!(!matcher.matches("n", &set(&[("b", "1")])));
    assert!(!matcher.matches("n", &set(&[("a", "")])));
}

#[test]
fn match_labels_are_exact_and_need_presence() {
    let matcher = compile(&Selector::new().label("env", "prod").label("empty", ""));
    assert!(matcher.matches("n", &set(&[("env", "prod"), ("empty", "")])));
    assert!(
        !matcher.matches("n", &set(&[("env", "prod")])),
        "empty value needs the key"
    );
    assert!(
        !matcher.matches("n", &set(&[("env", "Prod"), ("empty", "")])),
        "case-sensitive"
    );
    assert!(!matcher.matches("n", &set(&[("env", "prod "), ("empty", "")])));
    assert!(!matcher.matches("n", &set(&[("ENV", "prod"), ("empty", "")])));
    assert!(!matcher.matches("n", &set(&[("env", "prod"), ("empty", "x")])));
}

#[test]
fn empty_match_ids_place_no_constraint() {
    let matcher = compile(&Selector::new().label("a", "1"));
    for id in ["", "node-1", "anything at all"] {
        assert!(matcher.matches(id, &set(&[("a", "1")])), "{id:?}");
        assert!(!matcher.matches(id, &set(&[("a", "2")])), "{id:?}");
    }
    assert!(!matcher.is_empty());
}

#[test]
fn ids_are_matched_exactly() {
    let matcher = compile(&Selector::new().id("node-1").id("node-3"));
    assert!(!matcher.is_empty());
    let labels = set(&[]);
    assert!(matcher.matches("node-1", &labels));
    assert!(matcher.matches("node-3", &labels));
    for id in [
        "node-2", "node-10", "node-", "Node-1", "NODE-1", " node-1", "node-1 ", "",
    ] {
        assert!(!matcher.matches(id, &labels), "{id:?}");
    }
}

#[test]
fn repeated_ids_are_harmless() {
    let matcher = compile(&Selector::new().id("n").id("n"));
    assert!(matcher.matches("n", &set(&[])));
    assert!(!matcher.matches("m", &set(&[])));
}

#[test]
fn the_empty_id_can_be_required() {
    let matcher = compile(&Selector::new().id(""));
    assert!(matcher.matches("", &set(&[])));
    assert!(!matcher.matches("n", &set(&[])));
}

#[test]
fn not_equals_and_notin_hold_on_absent_keys() {
    for text in [
        "zone!=a",
        "zone notin (a)",
        "zone notin (a,b)",
        "zone notin ()",
        "zone!=",
        "!zone",
    ] {
        let matcher = compile(&Selector::new().expression(text));
        assert!(matcher.matches("n", &set(&[])), "{text} on {{}}");
        assert!(
            matcher.matches("n", &set(&[("other", "a")])),
            "{text} on other key"
        );
    }
    for text in [
        "zone=a",
        "zone==a",
        "zone in (a)",
        "zone in ()",
        "zone=",
        "zone",
        "zone>1",
        "zone<1",
    ] {
        let matcher = compile(&Selector::new().expression(text));
        assert!(!matcher.matches("n", &set(&[])), "{text} on {{}}");
    }
}

#[test]
fn operators_on_present_keys() {
    let cases: &[Case] = &[
        ("x=a", &[("x", "a")], true),
        ("x=a", &[("x", "A")], false),
        ("x==a", &[("x", "a")], true),
        ("x!=a", &[("x", "a")], false),
        ("x!=a", &[("x", "b")], true),
        ("x=", &[("x", "")], true),
        ("x=", &[("x", "a")], false),
        ("x!=", &[("x", "")], false),
        ("x!=", &[("x", "a")], true),
        ("x in ()", &[("x", "")], true),
        ("x in ()", &[("x", "a")], false),
        ("x notin ()", &[("x", "")], false),
        ("x in (a,b)", &[("x", "b")], true),
        ("x in (a,b)", &[("x", "c")], false),
        ("x in (,a)", &[("x", "")], true),
        ("x notin (a,b)", &[("x", "b")], false),
        ("x notin (a,b)", &[("x", "c")], true),
        ("x", &[("x", "")], true),
        ("!x", &[("x", "")], false),
        ("x,!x", &[("x", "")], false),
        ("x=a,x=b", &[("x", "a")], false),
        ("k,k notin (v)", &[("k", "w")], true),
        ("k,k notin (v)", &[("k", "v")], false),
    ];
    for (text, pairs, want) in cases {
        let matcher = compile(&Selector::new().expression(*text));
        assert_eq!(
            matcher.matches("n", &set(pairs)),
            *want,
            "{text} on {pairs:?}"
        );
    }
}

#[test]
fn greater_and_less_than() {
    let cases: &[(&str, &str, bool)] = &[
        ("x>1", "2", true),
        ("x>1", "1", false),
        ("x>1", "0", false),
        ("x>1", "02", true),
        ("x>1", "+2", true),
        ("x>1", "-5", false),
        ("x>1", "9223372036854775807", true),
        ("x>1", "9223372036854775808", false),
        ("x>1", "1.5", false),
        ("x>1", " 2", false),
        ("x>1", "2 ", false),
        ("x>1", "0x10", false),
        ("x>1", "", false),
        ("x>1", "a", false),
        ("x<1", "0", true),
        ("x<1", "-0", true),
        ("x<1", "-5", true),
        ("x<1", "1", false),
        ("x<1", "2", false),
        ("x<1", "-9223372036854775808", true),
        ("x<1", "-9223372036854775809", false),
        ("x<1", "", false),
        ("x<1", "zero", false),
        ("x>0", "1", true),
        ("x<0", "-1", true),
        ("x>010", "11", true),
        ("x>010", "10", false),
        ("x>9223372036854775806", "9223372036854775807", true),
    ];
    for (text, value, want) in cases {
        let matcher = compile(&Selector::new().expression(*text));
        assert_eq!(
            matcher.matches("n", &set(&[("x", value)])),
            *want,
            "{text} on x={value:?}"
        );
        // Compiled and interpreted evaluation agree.
        let expr = Expression::parse(text).unwrap();
        assert_eq!(
            expr.matches(&set(&[("x", value)])),
            *want,
            "{text} (Expression) on x={value:?}"
        );
    }
}

#[test]
fn large_value_lists() {
    // More values than the linear-search threshold, written out of order.
    let values: Vec<String> = (0..20).rev().map(|i| format!("v{i}")).collect();
    let list = values.join(",");
    let in_matcher = compile(&Selector::new().expression(format!("x in ({list})")));
    let notin_matcher = compile(&Selector::new().expression(format!("x notin ({list})")));
    for i in 0..20 {
        let node = set(&[("x", &format!("v{i}"))]);
        assert!(in_matcher.matches("n", &node), "v{i}");
        assert!(!notin_matcher.matches("n", &node), "v{i}");
    }
    for other in ["v20", "v", "", "V1", "v01"] {
        let node = set(&[("x", other)]);
        assert!(!in_matcher.matches("n", &node), "{other:?}");
        assert!(notin_matcher.matches("n", &node), "{other:?}");
    }
    assert!(!in_matcher.matches("n", &set(&[])));
    assert!(notin_matcher.matches("n", &set(&[])));
}

#[test]
fn small_value_lists() {
    for n in 2..=9 {
        let list: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
        let matcher = compile(&Selector::new().expression(format!("x in ({})", list.join(","))));
        for value in &list {
            assert!(matcher.matches("n", &set(&[("x", value)])), "{n}: {value}");
        }
        assert!(!matcher.matches("n", &set(&[("x", "w")])), "{n}");
    }
}

#[test]
fn matches_the_same_over_every_label_type() {
    let matcher = compile(
        &Selector::new()
            .label("env", "prod")
            .expression("tier in (a,b), zone!=z, !debug, cpu>4")
            .id("n1"),
    );
    let cases: &[Case] = &[
        ("n1", &[("env", "prod"), ("tier", "a"), ("cpu", "8")], true),
        ("n2", &[("env", "prod"), ("tier", "a"), ("cpu", "8")], false),
        ("n1", &[("env", "prod"), ("tier", "a"), ("cpu", "4")], false),
        (
            "n1",
            &[("env", "prod"), ("tier", "b"), ("cpu", "5"), ("zone", "y")],
            true,
        ),
        (
            "n1",
            &[("env", "prod"), ("tier", "b"), ("cpu", "5"), ("zone", "z")],
            false,
        ),
        (
            "n1",
            &[("env", "prod"), ("tier", "b"), ("cpu", "5"), ("debug", "")],
            false,
        ),
        ("n1", &[("tier", "b"), ("cpu", "5")], false),
    ];
    for (id, pairs, want) in cases {
        let owned: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let borrowed: HashMap<&str, &str> = pairs.iter().copied().collect();
        let tree: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let tree_borrowed: BTreeMap<&str, &str> = pairs.iter().copied().collect();
        let prepared = set(pairs);
        assert_eq!(matcher.matches(id, &owned), *want, "HashMap {id} {pairs:?}");
        assert_eq!(
            matcher.matches(id, &borrowed),
            *want,
            "HashMap<&str> {id} {pairs:?}"
        );
        assert_eq!(matcher.matches(id, &tree), *want, "BTreeMap {id} {pairs:?}");
        assert_eq!(
            matcher.matches(id, &tree_borrowed),
            *want,
            "BTreeMap<&str> {id} {pairs:?}"
        );
        assert_eq!(
            matcher.matches(id, &prepared),
            *want,
            "LabelSet {id} {pairs:?}"
        );
        assert_eq!(
            matcher.matches(id, &&prepared),
            *want,
            "&LabelSet {id} {pairs:?}"
        );
        let dynamic: &dyn Labels = &prepared;
        assert_eq!(
            matcher.matches(id, dynamic),
            *want,
            "dyn Labels {id} {pairs:?}"
        );
    }
}

#[test]
fn matcher_is_empty_only_without_constraints() {
    assert!(compile(&Selector::new()).is_empty());
    assert!(compile(&Selector::new().expression("").expression("  ")).is_empty());
    assert!(!compile(&Selector::new().label("a", "")).is_empty());
    assert!(!compile(&Selector::new().expression("a")).is_empty());
    assert!(!compile(&Selector::new().expression("a!=b")).is_empty());
    assert!(!compile(&Selector::new().id("n")).is_empty());
    assert!(!compile(&Selector::new().id("")).is_empty());
}

#[test]
fn contradictory_selector_matches_nothing_but_is_not_empty() {
    let matcher = compile(&Selector::new().label("k", "v").expression("k notin (v)"));
    assert!(!matcher.is_empty());
    for node in [
        set(&[]),
        set(&[("k", "v")]),
        set(&[("k", "w")]),
        set(&[("k", "")]),
    ] {
        assert!(!matcher.matches("n", &node), "{node:?}");
    }
}

#[test]
fn cloned_and_shared_matchers_agree() {
    let matcher = compile(
        &Selector::new()
            .label("a", "1")
            .expression("b notin (x)")
            .id("n"),
    );
    let clone = matcher.clone();
    let nodes = [
        set(&[("a", "1")]),
        set(&[("a", "1"), ("b", "x")]),
        set(&[("a", "2")]),
    ];
    for node in &nodes {
        for id in ["n", "m"] {
            assert_eq!(
                matcher.matches(id, node),
                clone.matches(id, node),
                "{id} {node:?}"
            );
        }
    }
    let shared = std::sync::Arc::new(matcher);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let shared = std::sync::Arc::clone(&shared);
            std::thread::spawn(move || {
                (
                    shared.matches("n", &set(&[("a", "1")])),
                    shared.matches("m", &set(&[("a", "1")])),
                )
            })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), (true, false));
    }
}

#[test]
fn compiled_from_json_matches() {
    let selector = parse(
        r#"{"matchLabels": {"region": "us-east", "tier": "compute"},
            "matchExpressions": ["tier in (premium,compute)", "environment!=prod", "gpu", "!debug"],
            "matchIDs": ["node-edge-us-west-01", "node-2"]}"#,
    );
    let matcher = compile(&selector);
    let good = set(&[("region", "us-east"), ("tier", "compute"), ("gpu", "l4")]);
    assert!(matcher.matches("node-2", &good));
    assert!(!matcher.matches("node-3", &good));
    let prod = set(&[
        ("region", "us-east"),
        ("tier", "compute"),
        ("gpu", "l4"),
        ("environment", "prod"),
    ]);
    assert!(!matcher.matches("node-2", &prod));
    let debug = set(&[
        ("region", "us-east"),
        ("tier", "compute"),
        ("gpu", "l4"),
        ("debug", "1"),
    ]);
    assert!(!matcher.matches("node-2", &debug));
}

// ---------------------------------------------------------------------------------------------------
// LabelSet
// ---------------------------------------------------------------------------------------------------

#[test]
fn label_set_iterates_sorted_by_key_bytes() {
    let node = set(&[
        ("b", "2"),
        ("a_b", "5"),
        ("a/b", "4"),
        ("a", "1"),
        ("A", "0"),
        ("a.b", "3"),
        ("a-b", "6"),
        ("0", "z"),
    ]);
    let keys: Vec<&str> = node.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["0", "A", "a", "a-b", "a.b", "a/b", "a_b", "b"]);
    assert_eq!(node.get("a/b"), Some("4"));
    assert_eq!(node.get("a-b"), Some("6"));
    assert_eq!(node.len(), 8);
    assert_eq!(node.iter().len(), 8);
}

#[test]
fn label_set_last_duplicate_wins() {
    let node = set(&[
        ("zone", "a"),
        ("gpu", "l4"),
        ("zone", "b"),
        ("cpu", "8"),
        ("zone", "c"),
    ]);
    assert_eq!(node.len(), 3);
    assert_eq!(node.get("zone"), Some("c"));
    assert_eq!(
        node.iter().collect::<Vec<_>>(),
        [("cpu", "8"), ("gpu", "l4"), ("zone", "c")]
    );
    // The overwritten values are not kept anywhere.
    assert_eq!(node, set(&[("cpu", "8"), ("gpu", "l4"), ("zone", "c")]));
    // Adjacent duplicates, and a duplicate that resets to the empty value.
    let node = set(&[("k", "1"), ("k", "2"), ("k", "")]);
    assert_eq!(node.len(), 1);
    assert_eq!(node.get("k"), Some(""));
}

#[test]
fn label_set_agrees_with_maps_on_duplicates() {
    let pairs = [("a", "1"), ("b", "2"), ("a", "3"), ("c", "4"), ("b", "5")];
    let node = set(&pairs);
    let tree: BTreeMap<&str, &str> = pairs.iter().copied().collect();
    let hashed: HashMap<&str, &str> = pairs.iter().copied().collect();
    assert_eq!(
        node.iter().collect::<Vec<_>>(),
        tree.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>()
    );
    for key in ["a", "b", "c", "d"] {
        assert_eq!(node.get(key), tree.get(key).copied(), "{key}");
        assert_eq!(node.get(key), hashed.get(key).copied(), "{key}");
    }
}

#[test]
fn empty_label_set() {
    let node = set(&[]);
    assert_eq!(node.len(), 0);
    assert!(node.is_empty());
    assert_eq!(node.get(""), None);
    assert_eq!(node.get("a"), None);
    assert_eq!(node.iter().count(), 0);
    assert_eq!(node.iter().len(), 0);
    assert_eq!(format!("{node:?}"), "{}");

    let default = LabelSet::default();
    assert_eq!(default.len(), 0);
    assert!(default.is_empty());
    assert_eq!(default.get("a"), None);
    assert_eq!(default.iter().count(), 0);
    assert_eq!(format!("{default:?}"), "{}");
}

#[test]

fn default_label_set_equals_an_empty_collected_one() {
    let collected: LabelSet = std::iter::empty::<(&str, &str)>().collect();
    let default = LabelSet::default();
    assert_eq!(default, collected);
    assert_eq!(hash_of(&default), hash_of(&collected));
}

#[test]
fn label_set_get_on_missing_keys() {
    let node = set(&[("ab", "1"), ("b", "2"), ("d", "3")]);
    for missing in ["", "a", "abc", "Ab", "c", "e", "0", "~", "ab ", " ab", "é"] {
        assert_eq!(node.get(missing), None, "{missing:?}");
    }
    assert_eq!(node.get("ab"), Some("1"));
    assert_eq!(node.get("b"), Some("2"));
    assert_eq!(node.get("d"), Some("3"));
}

#[test]
fn label_set_get_finds_every_key_at_every_size() {
    for n in 0..40 {
        let pairs: Vec<(String, String)> = (0..n)
            .map(|i| (format!("k{i:02}"), format!("v{i}")))
            .collect();
        let node: LabelSet = pairs.iter().rev().cloned().collect();
        assert_eq!(node.len(), n);
        for (k, v) in &pairs {
            assert_eq!(node.get(k), Some(v.as_str()), "{n}: {k}");
        }
        assert_eq!(node.get("k"), None);
        assert_eq!(node.get("k99"), None);
        assert_eq!(node.get(""), None);
    }
}

#[test]
fn label_set_empty_key_and_empty_value() {
    let node = set(&[("", "e"), ("x", "")]);
    assert_eq!(node.get(""), Some("e"));
    assert_eq!(node.get("x"), Some(""));
    assert_eq!(node.iter().collect::<Vec<_>>(), [("", "e"), ("x", "")]);
    // A key present with the empty value is present.
    let matcher = compile(&Selector::new().expression("x"));
    assert!(matcher.matches("n", &node));
    let matcher = compile(&Selector::new().expression("!x"));
    assert!(!matcher.matches("n", &node));
}

#[test]
fn label_set_non_ascii_keys_and_values() {
    let node = set(&[
        ("zöne", "ä"),
        ("日本", "東京"),
        ("zone", "a"),
        ("🦀", "🦀🦀"),
        ("z", ""),
    ]);
    assert_eq!(node.len(), 5);
    assert_eq!(node.get("zöne"), Some("ä"));
    assert_eq!(node.get("日本"), Some("東京"));
    assert_eq!(node.get("🦀"), Some("🦀🦀"));
    assert_eq!(node.get("zone"), Some("a"));
    assert_eq!(node.get("zö"), None);
    assert_eq!(node.get("日"), None);
    let keys: Vec<&str> = node.iter().map(|(k, _)| k).collect();
    // Sorted byte-wise (which for UTF-8 is code point order).
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted);
    assert_eq!(keys, ["z", "zone", "zöne", "日本", "🦀"]);
}

#[test]
fn label_set_equality_and_hash_ignore_insertion_order() {
    let a = set(&[("a", "1"), ("b", "2"), ("c", "3")]);
    let b = set(&[("c", "3"), ("a", "1"), ("b", "2")]);
    let c = set(&[("b", "2"), ("c", "0"), ("a", "1"), ("c", "3")]);
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!(hash_of(&a), hash_of(&b));
    assert_eq!(hash_of(&a), hash_of(&c));

    let different_value = set(&[("a", "1"), ("b", "2"), ("c", "4")]);
    let different_key = set(&[("a", "1"), ("b", "2"), ("d", "3")]);
    let fewer = set(&[("a", "1"), ("b", "2")]);
    // Same concatenated text, split differently between key and value.
    let shifted = set(&[("a1", ""), ("b", "2"), ("c", "3")]);
    for other in [&different_value, &different_key, &fewer, &shifted] {
        assert_ne!(&a, other);
    }

    let mut seen = std::collections::HashSet::new();
    assert!(seen.insert(a.clone()));
    assert!(!seen.insert(b));
    assert!(seen.insert(fewer));
    assert_eq!(seen.len(), 2);
}

#[test]
fn label_set_debug_is_a_sorted_map() {
    let node = set(&[("b", "2"), ("a", "1"), ("q", "\"")]);
    assert_eq!(format!("{node:?}"), r#"{"a": "1", "b": "2", "q": "\""}"#);
}

#[test]
fn label_set_from_owned_and_mixed_pairs() {
    let owned: LabelSet = vec![("a".to_string(), "1".to_string())]
        .into_iter()
        .collect();
    let mixed: LabelSet = vec![("a".to_string(), "1")].into_iter().collect();
    let borrowed_owned: LabelSet = [(String::from("a"), String::from("1"))]
        .iter()
        .map(|(k, v)| (k, v))
        .collect();
    let map = BTreeMap::from([("a".to_string(), "1".to_string())]);
    let from_map: LabelSet = map.iter().collect();
    assert_eq!(owned, set(&[("a", "1")]));
    assert_eq!(mixed, owned);
    assert_eq!(borrowed_owned, owned);
    assert_eq!(from_map, owned);
}

#[test]
fn label_set_clone_is_equal_and_independent_of_its_source() {
    let node = {
        let pairs = vec![("k".to_string(), "v".to_string())];
        let node: LabelSet = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        drop(pairs);
        node
    };
    let clone = node.clone();
    assert_eq!(clone, node);
    assert_eq!(clone.get("k"), Some("v"));
}

#[test]
fn label_set_through_the_labels_trait() {
    fn lookup<L: Labels + ?Sized>(labels: &L, key: &str) -> Option<String> {
        labels.get(key).map(str::to_string)
    }
    let node = set(&[("a", "1")]);
    assert_eq!(lookup(&node, "a").as_deref(), Some("1"));
    assert_eq!(lookup(&node, "b"), None);
    assert_eq!(lookup(&&node, "a").as_deref(), Some("1"));
}

/// A key given twice in `match_labels` is an error naming it, not the last value silently.
#[test]
fn duplicate_match_labels_keys_are_refused() {
    let err = serde_json::from_str::<Selector>(r#"{"match_labels": {"a": "1", "a": "2"}}"#)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("duplicate label key \"a\""), "{err}");
    let err = serde_json::from_str::<labelsel::Term>(r#"{"matchLabels": {"b": "", "b": ""}}"#)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("duplicate label key \"b\""), "{err}");
    let err =
        serde_json::from_str::<labelsel::LabelSelector>(r#"{"matchLabels": {"c": "1", "c": "1"}}"#)
            .unwrap_err()
            .to_string();
    assert!(err.starts_with("duplicate label key \"c\""), "{err}");
    // Distinct keys, `null` and absence still read.
    let selector: Selector =
        serde_json::from_str(r#"{"match_labels": {"a": "1", "b": "2"}}"#).unwrap();
    assert_eq!(selector.match_labels.len(), 2);
    let selector: Selector = serde_json::from_str(r#"{"match_labels": null}"#).unwrap();
    assert!(selector.match_labels.is_empty());
    let err = serde_json::from_str::<Selector>(r#"{"match_labels": {"a": 1}}"#).unwrap_err();
    assert!(err.to_string().contains("expected a string"), "{err}");
}
