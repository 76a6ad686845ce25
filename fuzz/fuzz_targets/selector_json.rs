//! Arbitrary bytes → `serde_json::from_slice::<Selector>`: it must not panic. A selector that
//! deserialises must serialise to JSON that reads back as an equal selector, and `compile` must return
//! `Ok` or `Err` without panicking. An `Ok` matcher must evaluate (and explain) an empty label set and a
//! small fixed one without panicking, with `explain` agreeing with `matches`; an `Err` must name a part
//! of the selector that exists and carry a span inside that part's text.

#![no_main]

use std::collections::HashMap;

use labelsel::{LabelSet, ParseErrorKind, Place, Selector};
use libfuzzer_sys::fuzz_target;

/// Labels the seed corpus uses, integer-like values, and an empty value.
const NODE: &[(&str, &str)] = &[
    ("a", "1"),
    ("b", ""),
    ("in", "in"),
    ("tier", "1e3"),
    ("cpu", "16"),
    ("x", "+2"),
    ("topology.kubernetes.io/region", "us-east-1"),
    (
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        "100",
    ),
];

fuzz_target!(|data: &[u8]| {
    let Ok(selector) = serde_json::from_slice::<Selector>(data) else {
        return;
    };

    let json = serde_json::to_vec(&selector).expect("a selector serialises");
    let again: Selector = match serde_json::from_slice(&json) {
        Ok(again) => again,
        Err(err) => panic!(
            "{selector:?} serialised as {:?}, which does not read back: {err}",
            String::from_utf8_lossy(&json)
        ),
    };
    assert_eq!(again, selector, "JSON round trip");
    let pretty = serde_json::to_string_pretty(&selector).expect("a selector serialises");
    assert_eq!(
        serde_json::from_str::<Selector>(&pretty).ok(),
        Some(selector.clone())
    );

    match selector.compile() {
        Ok(matcher) => {
            let empty = LabelSet::default();
            let node: LabelSet = NODE.iter().copied().collect();
            let map: HashMap<&str, &str> = NODE.iter().copied().collect();
            let ids = ["", "n1"]
                .into_iter()
                .chain(selector.match_ids.first().map(String::as_str));
            for id in ids {
                for labels in [&empty, &node] {
                    let verdict = matcher.matches(id, labels);
                    let explanation = matcher.explain(id, labels);
                    assert_eq!(
                        explanation.matches, verdict,
                        "{selector:?} on {id:?} {labels:?}"
                    );
                    let _ = explanation.to_string();
                }
                assert_eq!(matcher.matches(id, &map), matcher.matches(id, &node));
            }
            assert_eq!(
                matcher.is_empty(),
                selector.is_empty() || {
                    // Expressions that are blank add no requirement.
                    selector.match_labels.is_empty()
                        && selector.match_ids.is_empty()
                        && matcher.explain("", &empty).verdicts.is_empty()
                }
            );
        }
        Err(err) => {
            let text: &str = match err.place() {
                Place::MatchLabel(key) => match err.parse_error().kind() {
                    ParseErrorKind::InvalidKey(_) => {
                        assert!(selector.match_labels.contains_key(key), "{err}");
                        key
                    }
                    _ => &selector.match_labels[key],
                },
                Place::MatchExpression(index) => &selector.match_expressions[*index],
                other => panic!("unexpected place {other:?}"),
            };
            let parse_error = err.parse_error();
            assert_eq!(parse_error.input(), text, "{err}");
            let span = parse_error.span();
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "span {span:?} of {text:?}"
            );
            let _ = (err.to_string(), format!("{err:#}"), parse_error.render());
        }
    }
});
