//! The requirements of one key merged into the fewest canonical requirements.

use std::collections::BTreeSet;

use super::satisfiability::{Bounds, needs_key, smallest_value_set};
use crate::matcher::{CompiledCheck, Part};
use crate::operator::{Check, Operator, requirement_text};
use crate::parse::DEFAULT_MAX_VALUES;

/// The satisfiable requirements of one key merged into the fewest canonical requirements:
/// `!key`; or `key=v` / `key in (..)`; or `key` or the bounds `key>n`, `key<m`, then the values still
/// excluded; or only the excluded values.
pub(super) fn merged(key: &str, tests: &[Part<'_>]) -> Vec<String> {
    let checks: Vec<&CompiledCheck> = tests.iter().map(|test| &test.clause.check).collect();
    if !checks.iter().any(|check| needs_key(check)) {
        if checks.iter().any(|check| matches!(check, Check::Absent)) {
            return vec![requirement_text(key, Operator::DoesNotExist, [])];
        }
        return excluded(key, &checks);
    }
    if let Some(values) = smallest_value_set(checks.iter().copied()) {
        let admitted: BTreeSet<&str> = values
            .iter()
            .filter(|value| checks.iter().all(|check| check.holds(Some(value))))
            .collect();
        let admitted: Vec<&str> = admitted.into_iter().collect();
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

/// Every `!=`/`notin` value merged, without the values the other requirements already refuse, into
/// one requirement, or into several `notin` lists of at most [`DEFAULT_MAX_VALUES`] values each (their
/// AND excludes the same values), so that no list is longer than the default limits accept.
///
/// Near linear: the other requirements are summarised once (the strongest `>` and `<`, each distinct
/// `in` set, whether the key must be absent), so each excluded value costs a few checks however many
/// requirements the key has.
pub(super) fn excluded(key: &str, checks: &[&CompiledCheck]) -> Vec<String> {
    let bounds = Bounds::of(checks.iter().copied());
    let absent = checks.iter().any(|check| matches!(check, Check::Absent));
    let mut sets: Vec<&CompiledCheck> = checks
        .iter()
        .copied()
        .filter(|check| matches!(check, Check::In(_)))
        .collect();
    sets.dedup_by(|a, b| a == b);
    let holds = |value: &str| {
        !absent && bounds.admit(value) && sets.iter().all(|check| check.holds(Some(value)))
    };
    let values: BTreeSet<&str> = checks
        .iter()
        .filter_map(|check| match check {
            Check::NotIn(set) => Some(set.iter()),
            _ => None,
        })
        .flatten()
        .filter(|value| holds(value))
        .collect();
    let values: Vec<&str> = values.into_iter().collect();
    values
        .chunks(DEFAULT_MAX_VALUES)
        .filter_map(|chunk| value_list(key, Operator::NotEquals, Operator::NotIn, chunk))
        .collect()
}

/// `key=v` (or `key!=v`) for one value, `key in (a,b)` (or `notin`) for more, nothing for none; the
/// values sorted and distinct.
fn value_list(key: &str, single: Operator, list: Operator, values: &[&str]) -> Option<String> {
    let operator = match values.len() {
        0 => return None,
        1 => single,
        _ => list,
    };
    Some(requirement_text(key, operator, values.iter().copied()))
}
