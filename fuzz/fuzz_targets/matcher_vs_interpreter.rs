//! A structured selector and a few nodes: when the selector compiles, the compiled `Matcher` must give
//! the verdict of interpreting the selector part by part (`match_labels` as equalities, each
//! `match_expressions` string with `Expression::matches`, `match_ids` as a set), on a `LabelSet`, a
//! `HashMap` and a `BTreeMap` of the same labels alike. Expressions written only from plain words are also
//! checked against what they were written to mean, and each parsed requirement against the Kubernetes
//! table applied to its key, operator and values. When the selector does not compile, the error must
//! name the first part that is invalid on its own.

#![no_main]

mod common;

use std::collections::{BTreeMap, HashMap};

use arbitrary::Arbitrary;
use common::{
    Built, MAX_NODES, NodeSpec, SelectorSpec, go_parse_int, last_wins, parsed_expressions,
};
use labelsel::{
    Expression, LabelSet, Labels, Operator, Place, Requirement, Selector, validate_key,
    validate_value,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    selector: SelectorSpec,
    nodes: Vec<NodeSpec>,
}

/// The Kubernetes table, applied to a parsed requirement's parts.
fn table<L: Labels + ?Sized>(req: &Requirement<'_>, labels: &L) -> bool {
    let value = labels.get(req.key());
    let listed = |v: &str| req.values().any(|w| w == v);
    let compare = |holds: fn(i64, i64) -> bool| {
        let threshold = req.threshold().expect("`>` and `<` have a threshold");
        value
            .and_then(go_parse_int)
            .is_some_and(|v| holds(v, threshold))
    };
    match req.operator() {
        Operator::In | Operator::Equals | Operator::DoubleEquals => value.is_some_and(listed),
        Operator::NotIn | Operator::NotEquals => !value.is_some_and(listed),
        Operator::Exists => value.is_some(),
        Operator::DoesNotExist => value.is_none(),
        Operator::GreaterThan => compare(|v, t| v > t),
        Operator::LessThan => compare(|v, t| v < t),
    }
}

/// The selector interpreted part by part.
fn interpret<L: Labels + ?Sized>(
    selector: &Selector,
    expressions: &[Expression],
    id: &str,
    labels: &L,
) -> bool {
    let listed = selector.match_ids.is_empty() || selector.match_ids.iter().any(|i| i == id);
    let labelled = selector
        .match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v.as_str()));
    listed && labelled && expressions.iter().all(|e| e.matches(labels))
}

/// The first part of the selector that is invalid on its own, in the order `compile` checks them.
fn first_invalid(selector: &Selector) -> Option<Place> {
    for (key, value) in &selector.match_labels {
        if validate_key(key).is_err() || validate_value(value).is_err() {
            return Some(Place::MatchLabel(key.clone()));
        }
    }
    selector
        .match_expressions
        .iter()
        .position(|text| Expression::parse(text).is_err())
        .map(Place::MatchExpression)
}

fuzz_target!(|input: Input| {
    let Built { selector, written } = input.selector.build();
    let matcher = match selector.compile() {
        Ok(matcher) => {
            assert_eq!(first_invalid(&selector), None, "{selector:?} compiled");
            matcher
        }
        Err(err) => {
            assert_eq!(Some(err.place().clone()), first_invalid(&selector), "{err}");
            if let Place::MatchExpression(index) = err.place() {
                let text = &selector.match_expressions[*index];
                assert_eq!(
                    Some(err.parse_error()),
                    Expression::parse(text).err().as_ref()
                );
            }
            let _ = (err.to_string(), format!("{err:#}"));
            return;
        }
    };
    let expressions = parsed_expressions(&selector);

    for node in input.nodes.iter().take(MAX_NODES) {
        let id = node.id.0.as_str();
        let pairs = node.pairs();
        let set: LabelSet = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let hash: HashMap<String, String> = pairs.iter().cloned().collect();
        let tree: BTreeMap<String, String> = last_wins(&pairs);
        let borrowed: HashMap<&str, &str> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();

        // The label set holds what the map holds.
        assert_eq!(set.len(), tree.len(), "{pairs:?}");
        assert!(
            set.iter()
                .eq(tree.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            "{pairs:?}: {set:?}"
        );

        let expected = interpret(&selector, &expressions, id, &hash);
        assert_eq!(
            interpret(&selector, &expressions, id, &set),
            expected,
            "interpreter on LabelSet vs HashMap: {selector:?} {pairs:?}"
        );
        for (name, verdict) in [
            ("LabelSet", matcher.matches(id, &set)),
            ("HashMap<String, String>", matcher.matches(id, &hash)),
            ("BTreeMap<String, String>", matcher.matches(id, &tree)),
            ("HashMap<&str, &str>", matcher.matches(id, &borrowed)),
            ("&LabelSet", matcher.matches(id, &&set)),
        ] {
            assert_eq!(
                verdict, expected,
                "Matcher on {name} vs interpreter: {selector:?} on {id:?} {pairs:?}"
            );
        }

        for (expr, meant) in expressions.iter().zip(&written) {
            let verdict = expr.matches(&tree);
            let by_table = expr.requirements().all(|req| table(&req, &tree));
            assert_eq!(verdict, by_table, "{expr:?} on {pairs:?}");
            if meant.iter().all(|w| w.faithful) {
                assert_eq!(expr.len(), meant.len(), "{expr:?} from {meant:?}");
                let by_model = meant.iter().all(|w| w.holds(&tree));
                assert_eq!(
                    verdict, by_model,
                    "{expr:?} on {pairs:?}; as written: {meant:?}"
                );
            }
        }
    }
});
