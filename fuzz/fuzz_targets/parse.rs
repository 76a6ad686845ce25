//! Arbitrary bytes → `Expression::parse`: it must not panic; every accepted string must round-trip
//! through its canonical text, and the re-parsed expression must give the same verdicts.

#![no_main]

use std::collections::BTreeMap;

use labelsel::Expression;
use libfuzzer_sys::fuzz_target;

/// A few fixed nodes: empty, an empty value, integer-like values Go's `ParseInt` reads or refuses, and
/// the keys the seed corpus uses most.
const NODES: &[&[(&str, &str)]] = &[
    &[],
    &[("x", ""), ("a", "")],
    &[("x", "a"), ("y", "b"), ("z", "c"), ("a", "1")],
    &[
        ("x", "02"),
        ("a", "+2"),
        ("b", "-0"),
        ("c", "1.5"),
        ("in", "in"),
    ],
    &[
        ("app", "nginx"),
        ("env", "prod"),
        ("tier", "frontend"),
        ("app.kubernetes.io/name", "nginx"),
        ("cpu", "16"),
        ("foo", "bar"),
        ("notin", "notin"),
    ],
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let expr = match Expression::parse(text) {
        Ok(expr) => expr,
        Err(err) => {
            let span = err.span();
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "span {span:?} of {text:?}"
            );
            // Formatting the error (with its caret line) must not panic either.
            let _ = (err.to_string(), err.render());
            return;
        }
    };
    let canonical = expr.to_string();
    let again = match Expression::parse(&canonical) {
        Ok(again) => again,
        Err(err) => panic!("{text:?} parsed, but its canonical text {canonical:?} does not: {err}"),
    };
    assert_eq!(again, expr, "re-parse of {canonical:?} from {text:?}");
    assert_eq!(again.to_string(), canonical, "canonical text of {text:?}");
    for node in NODES {
        let labels: BTreeMap<&str, &str> = node.iter().copied().collect();
        assert_eq!(
            again.matches(&labels),
            expr.matches(&labels),
            "verdicts of {text:?} and {canonical:?} on {labels:?}"
        );
    }
});
