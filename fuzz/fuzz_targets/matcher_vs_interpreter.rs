//! A structured selector and a few nodes: when the selector compiles, the compiled `Matcher` must give
//! the oracle's verdict (`tests/it/support/oracle.rs`: `match_labels` as equalities, each parsed
//! `match_expressions` string by the Kubernetes table, `match_ids` as a set), on a `LabelSet`, a
//! `HashMap` and a `BTreeMap` of the same labels alike; so must the interpreter (`Expression::matches`,
//! `Requirement::matches`) on each expression and requirement. Expressions written only from plain words
//! are also judged by the oracle as they were written, which must give the verdict on the parsed
//! expression. When the selector does not compile, the error must name the first part that is invalid
//! on its own.

#![no_main]

mod common;

use std::collections::{BTreeMap, HashMap};

use arbitrary::Arbitrary;
use common::{Built, MAX_NODES, NodeSpec, SelectorSpec, last_wins, oracle};
use labelsel::{Expression, LabelSet, Place, Selector, validate_key, validate_value};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    selector: SelectorSpec,
    nodes: Vec<NodeSpec>,
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
    let expressions = oracle::parse_expressions(&selector);

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

        let expected = oracle::parsed_selector_holds(&selector, &expressions, id, &hash);
        for (name, verdict) in [
            (
                "LabelSet",
                oracle::parsed_selector_holds(&selector, &expressions, id, &set),
            ),
            (
                "BTreeMap<String, String>",
                oracle::parsed_selector_holds(&selector, &expressions, id, &tree),
            ),
        ] {
            assert_eq!(
                verdict, expected,
                "oracle on {name} vs HashMap: {selector:?} {pairs:?}"
            );
        }
        for (name, verdict) in [
            ("LabelSet", matcher.matches(id, &set)),
            ("HashMap<String, String>", matcher.matches(id, &hash)),
            ("BTreeMap<String, String>", matcher.matches(id, &tree)),
            ("HashMap<&str, &str>", matcher.matches(id, &borrowed)),
            ("&LabelSet", matcher.matches(id, &&set)),
        ] {
            assert_eq!(
                verdict, expected,
                "Matcher on {name} vs oracle: {selector:?} on {id:?} {pairs:?}"
            );
        }

        for (expr, meant) in expressions.iter().zip(&written) {
            let by_oracle = oracle::expression_holds(expr, &tree);
            for (name, verdict) in [
                ("BTreeMap<String, String>", expr.matches(&tree)),
                ("HashMap<String, String>", expr.matches(&hash)),
                ("LabelSet", expr.matches(&set)),
            ] {
                assert_eq!(
                    verdict, by_oracle,
                    "interpreter on {name} vs oracle: {expr:?} on {pairs:?}"
                );
            }
            for req in expr.requirements() {
                let values: Vec<&str> = req.values().collect();
                assert_eq!(
                    req.matches(&tree),
                    oracle::requirement_holds(req.key(), req.operator(), &values, &tree),
                    "{req:?} of {expr:?} on {pairs:?}"
                );
            }
            if meant.iter().all(|w| w.faithful) {
                assert_eq!(expr.len(), meant.len(), "{expr:?} from {meant:?}");
                let as_written = meant.iter().all(|w| w.holds(&tree));
                assert_eq!(
                    by_oracle, as_written,
                    "{expr:?} on {pairs:?}; as written: {meant:?}"
                );
            }
        }
    }
});
