//! Property tests for the compiled [`Matcher`] and for [`LabelSet`].
//!
//! * A compiled matcher agrees with the oracle's verdict on the selector (`support::oracle`:
//!   `match_labels` as equality, each parsed expression by the Kubernetes table, `match_ids` as a set), over
//!   `HashMap`, `BTreeMap` and `LabelSet` labels alike. Selectors and labels are drawn from a small
//!   alphabet so that hits are frequent; expression strings are built from requirements so they always
//!   parse, with every operator, the empty value, `x in ()` and `>`/`<`.
//! * A `LabelSet` built from random pairs answers `get` like a `BTreeMap` built from the same pairs (the
//!   last duplicate wins), iterates sorted, and equals one built from the pairs in another order.

use std::collections::{BTreeMap, HashMap};

use crate::support::oracle;
use labelsel::{Expression, LabelSet, Labels, Selector};
use proptest::prelude::*;
use proptest::sample::select;

/// About 256 cases per property keeps the file fast in debug builds. Failures are not persisted to
/// files (there is no place next to an integration test for them); the shrunk input is in the message.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(256)
    }
}

// ---------------------------------------------------------------------------------------------------
// Alphabets
// ---------------------------------------------------------------------------------------------------

/// Valid keys; few, so that selectors and nodes often talk about the same ones.
const KEYS: &[&str] = &["a", "b", "zone", "example.com/gpu"];

/// Valid values for `=`, `==`, `!=`, `in`, `notin`, including the empty value and numbers.
const VALUES: &[&str] = &["", "1", "2", "x", "10"];

/// Node label values: the selector values plus integers in forms only the label side accepts, and
/// strings that are not integers at all.
const NODE_VALUES: &[&str] = &[
    "",
    "1",
    "2",
    "x",
    "10",
    "0",
    "-1",
    "+2",
    "02",
    "-0",
    "3.0",
    " 2",
    "99999999999999999999",
];

/// Thresholds for `>` and `<`, some with leading zeros.
const THRESHOLDS: &[&str] = &["0", "1", "2", "01", "10", "9"];

const IDS: &[&str] = &["n1", "n2", "n3"];
const NODE_IDS: &[&str] = &["n1", "n2", "n3", "n4", ""];

// ---------------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------------

fn key() -> impl Strategy<Value = &'static str> {
    select(KEYS)
}

fn value() -> impl Strategy<Value = &'static str> {
    select(VALUES)
}

fn space() -> impl Strategy<Value = &'static str> {
    select(&["", "", "", " ", "  ", "\t"][..])
}

/// One requirement as selector text; always valid.
fn requirement() -> impl Strategy<Value = String> {
    let list = || prop::collection::vec(value(), 0..4);
    prop_oneof![
        (key(), select(&["=", "==", "!="][..]), value(), space())
            .prop_map(|(k, op, v, s)| format!("{k}{s}{op}{s}{v}")),
        (key(), select(&["in", "notin"][..]), list(), space())
            .prop_map(|(k, op, vs, s)| format!("{k} {op}{s}({s}{}{s})", vs.join(","))),
        (key(), space()).prop_map(|(k, s)| format!("{s}{k}")),
        (key(), space()).prop_map(|(k, s)| format!("!{s}{k}")),
        (key(), select(&[">", "<"][..]), select(THRESHOLDS), space())
            .prop_map(|(k, op, t, s)| format!("{k}{s}{op}{s}{t}")),
        // The literal empty list, which means "present with the empty value".
        key().prop_map(|k| format!("{k} in ()")),
    ]
}

/// An expression string: zero (the empty string) or more comma-separated requirements.
fn expression() -> impl Strategy<Value = String> {
    prop::collection::vec(requirement(), 0..4).prop_map(|reqs| reqs.join(","))
}

fn selector() -> impl Strategy<Value = Selector> {
    (
        prop::collection::btree_map(
            key().prop_map(String::from),
            value().prop_map(String::from),
            0..3,
        ),
        prop::collection::vec(expression(), 0..4),
        prop_oneof![
            2 => Just(Vec::new()),
            1 => prop::collection::vec(select(IDS).prop_map(String::from), 1..4),
        ],
    )
        .prop_map(|(match_labels, match_expressions, match_ids)| Selector {
            match_labels,
            match_expressions,
            match_ids,
        })
}

/// Node labels as pairs, possibly with a key repeated (the last one wins in every map).
fn node_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            key().prop_map(String::from),
            select(NODE_VALUES).prop_map(String::from),
        ),
        0..6,
    )
}

fn node_id() -> impl Strategy<Value = &'static str> {
    select(NODE_IDS)
}

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// The compiled matcher gives the oracle's verdict over every kind of label map.
    #[test]
    fn matcher_agrees_with_the_oracle(
        selector in selector(),
        pairs in node_pairs(),
        id in node_id(),
    ) {
        let matcher = selector.compile().map_err(|e| TestCaseError::fail(format!("{selector:?}: {e}")))?;
        let hashed: HashMap<String, String> = pairs.iter().cloned().collect();
        let tree: BTreeMap<String, String> = pairs.iter().cloned().collect();
        let prepared: LabelSet = pairs.iter().map(|(k, v)| (k, v)).collect();

        let want = oracle::selector_holds(&selector, id, &tree);
        prop_assert_eq!(oracle::selector_holds(&selector, id, &hashed), want, "oracle over HashMap");
        prop_assert_eq!(oracle::selector_holds(&selector, id, &prepared), want, "oracle over LabelSet");

        prop_assert_eq!(matcher.matches(id, &hashed), want, "HashMap: {:?} {:?}", selector, hashed);
        prop_assert_eq!(matcher.matches(id, &tree), want, "BTreeMap: {:?} {:?}", selector, tree);
        prop_assert_eq!(matcher.matches(id, &prepared), want, "LabelSet: {:?} {:?}", selector, prepared);
        prop_assert_eq!(matcher.clone().matches(id, &prepared), want, "clone");
    }

    /// Scanning many nodes in blocks finds exactly the nodes `matches` accepts, across block edges.
    #[test]
    fn matches_into_equals_matches_on_every_node(
        selector in selector(),
        nodes in proptest::collection::vec((node_id(), node_pairs()), 0..70),
    ) {
        let matcher = selector.compile().map_err(|e| TestCaseError::fail(format!("{selector:?}: {e}")))?;
        let maps: Vec<(&str, HashMap<String, String>)> = nodes
            .iter()
            .map(|(id, pairs)| (*id, pairs.iter().cloned().collect()))
            .collect();
        let want: Vec<usize> = (0..maps.len())
            .filter(|&i| matcher.matches(maps[i].0, &maps[i].1))
            .collect();
        let mut got = vec![usize::MAX];
        matcher.matches_into(maps.iter().map(|(id, labels)| (*id, labels)), &mut got);
        prop_assert_eq!(got[0], usize::MAX, "appends, keeping what was there");
        prop_assert_eq!(&got[1..], &want[..]);
    }

    /// A node that certainly satisfies `match_labels` and `match_ids` is judged by its expressions alone,
    /// so the expression part is exercised on nodes the other parts let through.
    #[test]
    fn matcher_agrees_when_labels_and_id_are_satisfied(
        selector in selector(),
        extra in node_pairs(),
        pick in any::<prop::sample::Index>(),
    ) {
        let matcher = selector.compile().map_err(|e| TestCaseError::fail(format!("{selector:?}: {e}")))?;
        let mut pairs = extra;
        pairs.extend(selector.match_labels.iter().map(|(k, v)| (k.clone(), v.clone())));
        let id = if selector.match_ids.is_empty() {
            "n9"
        } else {
            selector.match_ids[pick.index(selector.match_ids.len())].as_str()
        };
        let tree: BTreeMap<String, String> = pairs.iter().cloned().collect();
        let hashed: HashMap<String, String> = pairs.iter().cloned().collect();
        let prepared: LabelSet = pairs.iter().map(|(k, v)| (k, v)).collect();
        let want = oracle::parse_expressions(&selector)
            .iter()
            .all(|expr| oracle::expression_holds(expr, &tree));
        prop_assert_eq!(oracle::selector_holds(&selector, id, &tree), want);
        prop_assert_eq!(matcher.matches(id, &tree), want, "BTreeMap: {:?} {:?}", selector, tree);
        prop_assert_eq!(matcher.matches(id, &hashed), want, "HashMap");
        prop_assert_eq!(matcher.matches(id, &prepared), want, "LabelSet");
    }

    /// The matcher is empty exactly when nothing constrains a node, and then it matches every node.
    #[test]
    fn matcher_is_empty_exactly_without_constraints(
        selector in selector(),
        pairs in node_pairs(),
        id in node_id(),
    ) {
        let matcher = selector.compile().unwrap();
        let unconstrained = selector.match_labels.is_empty()
            && selector.match_ids.is_empty()
            && selector.match_expressions.iter().all(|t| Expression::parse(t).unwrap().is_empty());
        prop_assert_eq!(matcher.is_empty(), unconstrained);
        prop_assert_eq!(selector.is_empty(), selector == Selector::new());
        if matcher.is_empty() {
            let prepared: LabelSet = pairs.iter().map(|(k, v)| (k, v)).collect();
            prop_assert!(matcher.matches(id, &prepared));
        }
    }

    /// A selector survives a JSON round trip and compiles to a matcher with the same verdicts.
    #[test]
    fn json_round_trip_keeps_the_verdict(
        selector in selector(),
        pairs in node_pairs(),
        id in node_id(),
    ) {
        let json = serde_json::to_string(&selector).unwrap();
        let back: Selector = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &selector);
        let prepared: LabelSet = pairs.iter().map(|(k, v)| (k, v)).collect();
        prop_assert_eq!(
            back.compile().unwrap().matches(id, &prepared),
            selector.compile().unwrap().matches(id, &prepared)
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// LabelSet
// ---------------------------------------------------------------------------------------------------

/// Keys from a small alphabet (so duplicates are common) mixed with arbitrary strings, non-ASCII included.
fn any_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(&["", "a", "ab", "b", "B", "a-b", "a.b", "a/b", "zöne", "日本", "🦀", "a\0"][..]).prop_map(String::from),
        1 => ".{0,6}",
    ]
}

fn any_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(&["", "1", "x", "ä", "a b"][..]).prop_map(String::from),
        1 => ".{0,6}",
    ]
}

proptest! {
    #![proptest_config(config())]

    /// `get`, `len` and `iter` agree with a `BTreeMap` collected from the same pairs.
    #[test]
    fn label_set_behaves_like_a_btree_map(
        pairs in prop::collection::vec((any_key(), any_value()), 0..12),
        probes in prop::collection::vec(any_key(), 0..8),
    ) {
        let node: LabelSet = pairs.iter().map(|(k, v)| (k, v)).collect();
        let tree: BTreeMap<&str, &str> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

        prop_assert_eq!(node.len(), tree.len());
        prop_assert_eq!(node.is_empty(), tree.is_empty());
        for key in pairs.iter().map(|(k, _)| k).chain(&probes) {
            prop_assert_eq!(node.get(key), tree.get(key.as_str()).copied(), "key {:?}", key);
            prop_assert_eq!(Labels::get(&node, key), tree.get(key.as_str()).copied());
        }
        // The last duplicate wins.
        if let Some((key, value)) = pairs.last() {
            prop_assert_eq!(node.get(key), Some(value.as_str()));
        }

        let listed: Vec<(&str, &str)> = node.iter().collect();
        let expected: Vec<(&str, &str)> = tree.iter().map(|(k, v)| (*k, *v)).collect();
        prop_assert_eq!(&listed, &expected);
        prop_assert_eq!(node.iter().len(), tree.len());
        prop_assert!(listed.windows(2).all(|w| w[0].0 < w[1].0), "strictly sorted: {:?}", listed);
        prop_assert_eq!(format!("{node:?}"), format!("{tree:?}"));
    }

    /// The order of distinct keys does not matter: shuffled input gives an equal set with an equal hash.
    #[test]
    fn label_set_ignores_the_order_of_distinct_keys(
        (map, shuffled) in prop::collection::btree_map(any_key(), any_value(), 0..10).prop_flat_map(|map| {
            let pairs: Vec<(String, String)> = map.clone().into_iter().collect();
            (Just(map), Just(pairs).prop_shuffle())
        }),
    ) {
        use std::hash::{DefaultHasher, Hash, Hasher};
        fn hash_of(set: &LabelSet) -> u64 {
            let mut hasher = DefaultHasher::new();
            set.hash(&mut hasher);
            hasher.finish()
        }
        let sorted: LabelSet = map.iter().collect();
        let unsorted: LabelSet = shuffled.iter().map(|(k, v)| (k, v)).collect();
        prop_assert_eq!(&sorted, &unsorted);
        prop_assert_eq!(hash_of(&sorted), hash_of(&unsorted));
        // Collecting the set's own pairs again gives the same set.
        let again: LabelSet = sorted.iter().collect();
        prop_assert_eq!(&again, &sorted);
    }

    /// Sets with different contents are different.
    #[test]
    fn label_sets_with_different_contents_differ(
        a in prop::collection::btree_map(any_key(), any_value(), 0..5),
        b in prop::collection::btree_map(any_key(), any_value(), 0..5),
    ) {
        let set_a: LabelSet = a.iter().collect();
        let set_b: LabelSet = b.iter().collect();
        prop_assert_eq!(set_a == set_b, a == b);
    }
}
