//! A structured selector and a few nodes: when the selector compiles, `Matcher::explain` must agree with
//! `Matcher::matches` (`explanation.matches` equals the verdict, and some verdict fails exactly when
//! the node does not match), and each verdict must be the right one: one per `match_labels` entry (in
//! key order), then one per requirement of each expression (in canonical order), then one for
//! `match_ids` when it is set, each with its canonical text, key, the node's actual value, a reason
//! that agrees with `passed`, and `passed` equal to the oracle's verdict on that part
//! (`tests/it/support/oracle.rs`), as the whole verdict must be. The explanation must
//! not depend on how the labels are stored, and printing it (as text and JSON) must not panic.

#![no_main]

mod common;

use std::collections::{BTreeMap, HashMap};

use arbitrary::Arbitrary;
use common::{MAX_NODES, NodeSpec, SelectorSpec, last_wins, oracle};
use labelsel::{LabelSet, Place, Reason};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    selector: SelectorSpec,
    nodes: Vec<NodeSpec>,
}

fuzz_target!(|input: Input| {
    let selector = input.selector.build().selector;
    let Ok(matcher) = selector.compile() else {
        return;
    };
    let expressions = oracle::parse_expressions(&selector);

    for node in input.nodes.iter().take(MAX_NODES) {
        let id = node.id.0.as_str();
        let pairs = node.pairs();
        let tree: BTreeMap<String, String> = last_wins(&pairs);
        let set: LabelSet = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let hash: HashMap<&str, &str> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();

        let matches = matcher.matches(id, &tree);
        let explanation = matcher.explain(id, &tree);
        assert_eq!(
            explanation.matches, matches,
            "{selector:?} on {id:?} {pairs:?}"
        );
        assert_eq!(
            matches,
            oracle::parsed_selector_holds(&selector, &expressions, id, &tree),
            "Matcher vs oracle: {selector:?} on {id:?} {pairs:?}"
        );
        assert_eq!(
            explanation.verdicts.iter().any(|v| !v.passed),
            !matches,
            "a failing verdict exactly when the node does not match: {explanation:#?}"
        );
        assert_eq!(explanation.failures().count(), {
            explanation.verdicts.iter().filter(|v| !v.passed).count()
        });
        assert_eq!(explanation.id, id);
        assert_eq!(matcher.explain(id, &set), explanation, "on a LabelSet");
        assert_eq!(matcher.explain(id, &hash), explanation, "on a HashMap");

        // The verdicts, one by one, in the order the selector was written.
        let mut verdicts = explanation.verdicts.iter();
        for (key, value) in &selector.match_labels {
            let v = verdicts.next().expect("a verdict per match_labels entry");
            assert_eq!(v.origin, Place::MatchLabel(key.clone()));
            assert_eq!(v.requirement, format!("{key}={value}"));
            assert_eq!(v.key.as_deref(), Some(key.as_str()));
            assert_eq!(v.actual.as_deref(), tree.get(key).map(String::as_str));
            assert_eq!(v.passed, tree.get(key) == Some(value), "{v:?}");
        }
        for (index, expr) in expressions.iter().enumerate() {
            for req in expr.requirements() {
                let v = verdicts.next().expect("a verdict per requirement");
                assert_eq!(v.origin, Place::MatchExpression(index), "{v:?}");
                assert_eq!(v.requirement, req.to_string());
                assert_eq!(v.key.as_deref(), Some(req.key()));
                assert_eq!(v.actual.as_deref(), tree.get(req.key()).map(String::as_str));
                let values: Vec<&str> = req.values().collect();
                assert_eq!(
                    v.passed,
                    oracle::requirement_holds(req.key(), req.operator(), &values, &tree),
                    "{v:?}"
                );
            }
        }
        if !selector.match_ids.is_empty() {
            let v = verdicts.next().expect("a verdict for match_ids");
            assert_eq!(v.origin, Place::MatchIds);
            assert_eq!(v.key, None);
            assert_eq!(v.actual.as_deref(), Some(id));
            assert_eq!(v.passed, selector.match_ids.iter().any(|i| i == id));
        }
        assert_eq!(
            verdicts.next(),
            None,
            "no verdict beyond the selector's parts"
        );

        for v in &explanation.verdicts {
            assert_eq!(v.passed, v.reason.passed(), "{v:?}");
            let absent = matches!(v.reason, Reason::KeyAbsent | Reason::KeyMissing);
            if v.origin != Place::MatchIds {
                assert_eq!(absent, v.actual.is_none(), "{v:?}");
            }
        }

        let text = explanation.to_string();
        assert_eq!(
            text.starts_with(&format!("{id} matches: ")),
            matches,
            "{text}"
        );
        assert_eq!(
            text.starts_with(&format!("{id} does not match: ")),
            !matches,
            "{text}"
        );
        let json = serde_json::to_string(&explanation).expect("an explanation serialises");
        assert!(json.starts_with('{'));
    }
});
