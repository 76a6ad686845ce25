//! The requirements of one key merged into the fewest canonical requirements.

use std::collections::BTreeSet;

use super::satisfiability::{Bounds, needs_key, smallest_value_set};
use crate::matcher::{CompiledCheck, Part};
use crate::operator::{Check, Operator, requirement_text};

/// The satisfiable requirements of one key merged into the fewest canonical requirements:
/// `!key`; or `key=v` / `key in (..)`; or `key` or the bounds `key>n`, `key<m`, then the values still
/// excluded; or only the excluded values.
pub(super) fn merged(key: &str, tests: &[Part<'_>]) -> Vec<String> {
    let checks: Vec<&CompiledCheck> = tests.iter().map(|test| &test.clause.check).collect();
    if !checks.iter().any(|check| needs_key(check)) {
        if checks.iter().any(|check| matches!(check, Check::Absent)) {
            return vec![requirement_text(key, Operator::DoesNotExist, [])];
        }
        return excluded(key, &checks).into_iter().collect();
    }
    if let Some(values) = smallest_value_set(checks.iter().copied()) {
        let admitted: BTreeSet<&str> = values
            .iter()
            .filter(|value| checks.iter().all(|check| check.holds(Some(value))))
            .collect();
        return value_list(key, Operator::Equals, Operator::In, &admitted)
            .into_iter()
            .collect();
    }
    let mut merged: Vec<String> = Bounds::of(checks.iter().copied())
        .requirements(key)
        .collect();
    if merged.is_empty() {
        merged.push(requirement_text(key, Operator::Exists, []));
    }
    merged.extend(excluded(key, &checks));
    merged
}

/// Every `!=`/`notin` value merged into one requirement, without the values the other requirements
/// already refuse.
pub(super) fn excluded(key: &str, checks: &[&CompiledCheck]) -> Option<String> {
    let others = || {
        checks
            .iter()
            .filter(|check| !matches!(check, Check::NotIn(_)))
    };
    let values: BTreeSet<&str> = checks
        .iter()
        .filter_map(|check| match check {
            Check::NotIn(set) => Some(set.iter()),
            _ => None,
        })
        .flatten()
        .filter(|value| others().all(|check| check.holds(Some(value))))
        .collect();
    value_list(key, Operator::NotEquals, Operator::NotIn, &values)
}

/// `key=v` (or `key!=v`) for one value, `key in (a,b)` (or `notin`) for more, nothing for none.
fn value_list(
    key: &str,
    single: Operator,
    list: Operator,
    values: &BTreeSet<&str>,
) -> Option<String> {
    let operator = match values.len() {
        0 => return None,
        1 => single,
        _ => list,
    };
    Some(requirement_text(key, operator, values.iter().copied()))
}
