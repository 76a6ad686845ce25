//! The independent reference that every engine is checked against: the Kubernetes matching table
//! written out plainly, operator by operator, from a requirement's key, operator and values alone.
//!
//! It uses nothing of the engine's evaluation (`Requirement::matches`, `Expression::matches`,
//! `Matcher`, `Fleet`): only the parser, through `Expression::parse` and the public accessors of the
//! requirements it returns, and a hand-written `strconv.ParseInt(s, 10, 64)` for `>` and `<`. The
//! integration tests use it as `support::oracle`; the fuzz targets include this same file with
//! `#[path]`, so there is one oracle for both. It is itself checked against the recorded Kubernetes
//! verdicts and golden tables in the `properties` module.

// Each includer uses a different part.
#![allow(dead_code)]

use labelsel::{Expression, Labels, Operator, Selector};

/// Go's `strconv.ParseInt(s, 10, 64)`, written out by hand: an optional `+` or `-`, then at least one
/// ASCII digit (leading zeros allowed), and the result must fit in an `i64`; anything else is `None`.
pub fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut magnitude: i128 = 0;
    for b in digits.bytes() {
        magnitude = magnitude * 10 + i128::from(b - b'0');
        if magnitude > i128::from(i64::MAX) + 1 {
            return None;
        }
    }
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// Whether one requirement holds for the labels, by the Kubernetes table (`Requirement.Matches`):
///
/// * `in`, `=`, `==`: the key is present and its value is one of `values`;
/// * `notin`, `!=`: the key is absent, or its value is none of `values`;
/// * `exists` (`key`): the key is present; `!key`: the key is absent;
/// * `>`, `<`: there is exactly one value, the threshold, which [`go_parse_int`] reads; the key is
///   present with a value that [`go_parse_int`] reads; and that value compares as the operator says.
pub fn requirement_holds<L: Labels + ?Sized>(
    key: &str,
    operator: Operator,
    values: &[&str],
    labels: &L,
) -> bool {
    let found = labels.get(key);
    let listed = |value: &str| values.contains(&value);
    match operator {
        Operator::In | Operator::Equals | Operator::DoubleEquals => found.is_some_and(listed),
        Operator::NotIn | Operator::NotEquals => !found.is_some_and(listed),
        Operator::Exists => found.is_some(),
        Operator::DoesNotExist => found.is_none(),
        Operator::GreaterThan | Operator::LessThan => {
            let [threshold] = values else {
                return false;
            };
            let (Some(value), Some(threshold)) =
                (found.and_then(go_parse_int), go_parse_int(threshold))
            else {
                return false;
            };
            if operator == Operator::GreaterThan {
                value > threshold
            } else {
                value < threshold
            }
        }
    }
}

/// Whether every requirement of a parsed expression holds, each by [`requirement_holds`] on its key,
/// operator and values. The empty expression holds for any labels.
pub fn expression_holds<L: Labels + ?Sized>(expr: &Expression, labels: &L) -> bool {
    expr.requirements().all(|req| {
        let values: Vec<&str> = req.values().collect();
        requirement_holds(req.key(), req.operator(), &values, labels)
    })
}

/// The selector's `match_expressions`, each parsed. Panics if one does not parse: callers compile the
/// selector first and consult the oracle only when it compiles.
pub fn parse_expressions(selector: &Selector) -> Vec<Expression> {
    selector
        .match_expressions
        .iter()
        .map(|text| {
            Expression::parse(text)
                .unwrap_or_else(|e| panic!("{text:?} does not parse, so nothing matches it: {e}"))
        })
        .collect()
}

/// Whether the selector holds for node `id` with `labels`, given its expressions already parsed (by
/// [`parse_expressions`]; the selector's own expression strings are not read): every `match_labels`
/// entry is present with exactly that value, every expression holds by [`expression_holds`], and when
/// `match_ids` is not empty it lists `id`.
pub fn parsed_selector_holds<L: Labels + ?Sized>(
    selector: &Selector,
    expressions: &[Expression],
    id: &str,
    labels: &L,
) -> bool {
    selector
        .match_labels
        .iter()
        .all(|(key, value)| labels.get(key) == Some(value.as_str()))
        && expressions
            .iter()
            .all(|expr| expression_holds(expr, labels))
        && (selector.match_ids.is_empty() || selector.match_ids.iter().any(|listed| listed == id))
}

/// Whether the selector holds for node `id` with `labels`: [`parsed_selector_holds`] with the
/// expressions parsed here. Panics if an expression does not parse (see [`parse_expressions`]).
pub fn selector_holds<L: Labels + ?Sized>(selector: &Selector, id: &str, labels: &L) -> bool {
    parsed_selector_holds(selector, &parse_expressions(selector), id, labels)
}
