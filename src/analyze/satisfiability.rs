//! Whether the requirements on one key can hold together, and which of them conflict.

use super::SEARCH_LIMIT;
use crate::matcher::{CompiledCheck, CompiledValues, Part};
use crate::operator::{Check, Operator, parse_integer, requirement_text};

/// Whether the check fails on a node that lacks the key.
pub(super) fn needs_key(check: &CompiledCheck) -> bool {
    !check.matches_absent_key()
}

/// The values of the smallest `=`/`in` set among the checks; a present value must be one of them.
pub(super) fn smallest_value_set<'a>(
    checks: impl Iterator<Item = &'a CompiledCheck>,
) -> Option<&'a CompiledValues> {
    checks
        .filter_map(|check| match check {
            Check::In(set) => Some(set),
            _ => None,
        })
        .min_by_key(|values| values.len())
}

/// Whether some label set satisfies every one of these requirements on one key.
///
/// Without `=`/`in`, a present value only has to avoid finitely many excluded strings, and every
/// integer has endless spellings (`2`, `02`, `002`), so only an empty integer range leaves nothing.
pub(super) fn satisfiable(tests: &[Part<'_>]) -> bool {
    let checks = || tests.iter().map(|test| &test.clause.check);
    if !checks().any(needs_key) {
        return true;
    }
    if checks().any(|check| matches!(check, Check::Absent)) {
        return false;
    }
    match smallest_value_set(checks()) {
        Some(values) => values
            .iter()
            .any(|value| checks().all(|check| check.holds(Some(value)))),
        None => Bounds::of(checks()).admit_an_integer(),
    }
}

/// The fewest requirements of one key found to conflict, in the order written, or `None` when they
/// can all hold.
pub(super) fn conflict<'a>(tests: &[Part<'a>]) -> Option<Vec<Part<'a>>> {
    if satisfiable(tests) {
        return None;
    }
    if tests.len() > SEARCH_LIMIT {
        return Some(tests.to_vec());
    }
    let core = conflicting_single(tests)
        .or_else(|| conflicting_pair(tests))
        .unwrap_or_else(|| narrowed(tests));
    Some(core)
}

fn conflicting_single<'a>(tests: &[Part<'a>]) -> Option<Vec<Part<'a>>> {
    tests
        .iter()
        .find(|test| !satisfiable(&[**test]))
        .map(|test| vec![*test])
}

fn conflicting_pair<'a>(tests: &[Part<'a>]) -> Option<Vec<Part<'a>>> {
    tests.iter().enumerate().find_map(|(i, first)| {
        tests[i + 1..]
            .iter()
            .find(|second| !satisfiable(&[*first, **second]))
            .map(|second| vec![*first, *second])
    })
}

/// Drops, one at a time, every requirement without which the rest still conflict: what remains
/// conflicts, and dropping any one of it would not.
pub(super) fn narrowed<'a>(tests: &[Part<'a>]) -> Vec<Part<'a>> {
    let mut core = tests.to_vec();
    let mut i = 0;
    while i < core.len() {
        let mut without = core.clone();
        without.remove(i);
        if satisfiable(&without) {
            i += 1;
        } else {
            core = without;
        }
    }
    core
}

/// The open integer interval left by `>` and `<` requirements.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Bounds {
    /// The greatest `>` threshold.
    above: Option<i64>,
    /// The least `<` threshold.
    below: Option<i64>,
}

impl Bounds {
    pub(super) fn of<'a>(checks: impl Iterator<Item = &'a CompiledCheck>) -> Bounds {
        checks.fold(Bounds::default(), |bounds, check| match *check {
            Check::Greater(n) => Bounds {
                above: Some(bounds.above.map_or(n, |above| above.max(n))),
                ..bounds
            },
            Check::Less(n) => Bounds {
                below: Some(bounds.below.map_or(n, |below| below.min(n))),
                ..bounds
            },
            _ => bounds,
        })
    }

    /// Whether a present value passes every `>` and `<` requirement the bounds summarise.
    pub(super) fn admit(self, value: &str) -> bool {
        if self.above.is_none() && self.below.is_none() {
            return true;
        }
        parse_integer(value)
            .is_some_and(|v| self.above.is_none_or(|n| v > n) && self.below.is_none_or(|n| v < n))
    }

    /// Whether an `i64` lies strictly inside the bounds.
    fn admit_an_integer(self) -> bool {
        let lowest = self
            .above
            .map_or(i128::from(i64::MIN), |n| i128::from(n) + 1);
        let highest = self
            .below
            .map_or(i128::from(i64::MAX), |n| i128::from(n) - 1);
        lowest <= highest
    }

    /// The bounds as requirements on `key`: `key>n`, `key<n`, or neither.
    pub(super) fn requirements(self, key: &str) -> impl Iterator<Item = String> + use<> {
        let bound =
            move |operator, n: i64| requirement_text(key, operator, [n.to_string().as_str()]);
        let above = self.above.map(|n| bound(Operator::GreaterThan, n));
        let below = self.below.map(|n| bound(Operator::LessThan, n));
        above.into_iter().chain(below)
    }
}
