//! Requirements that another requirement on the same key already implies.

use std::collections::HashMap;

use super::{SEARCH_LIMIT, first_occurrences};
use crate::matcher::{CompiledCheck, Part};
use crate::operator::Check;

/// Whether every label set that satisfies `a` satisfies `b` (on the same key). Never wrong when it
/// says yes; a requirement that can never hold alone is not recognised as implying everything.
pub(super) fn implies(a: &CompiledCheck, b: &CompiledCheck) -> bool {
    match (a, b) {
        (Check::In(values), _) => values.iter().all(|v| b.holds(Some(v))),
        (Check::Absent, _) => b.holds(None),
        // `a` holds on an absent key or only on present values; `b` fails only on its own values.
        (_, Check::NotIn(excluded)) => excluded.iter().all(|v| !a.holds(Some(v))),
        (Check::Exists | Check::Greater(_) | Check::Less(_), Check::Exists) => true,
        (Check::Greater(n), Check::Greater(m)) => m <= n,
        (Check::Less(n), Check::Less(m)) => m >= n,
        _ => false,
    }
}

/// The redundant requirements of one key, each with a requirement that implies it: repeats of an
/// earlier requirement, and requirements another one implies.
///
/// A repeat is named with its first occurrence, or with what implies that one when it is redundant too.
pub(super) fn redundancies<'a>(tests: &[Part<'a>]) -> Vec<(Part<'a>, Part<'a>)> {
    let distinct = first_occurrences(tests);
    let implied = if distinct.len() > SEARCH_LIMIT {
        Vec::new()
    } else {
        implied_by_others(&distinct)
    };
    let first: HashMap<&str, Part<'_>> = distinct.iter().map(|test| (test.text, *test)).collect();
    let repeats: Vec<(Part<'_>, Part<'_>)> = tests
        .iter()
        .filter_map(|test| {
            let first = *first.get(test.text)?;
            if first.position == test.position {
                return None;
            }
            let by = implied
                .iter()
                .find(|(redundant, _)| redundant.position == first.position)
                .map_or(first, |&(_, by)| by);
            Some((*test, by))
        })
        .collect();
    implied.into_iter().chain(repeats).collect()
}

/// The requirements of one key, all different, that another one implies, each with one that implies it.
///
/// A requirement outranks another when it implies it and, if they are equivalent, was written
/// earlier. That order has no cycles, so the requirements nothing outranks are kept and imply every
/// other one; each redundant requirement is named with a kept one that implies it when there is one.
fn implied_by_others<'a>(tests: &[Part<'a>]) -> Vec<(Part<'a>, Part<'a>)> {
    let n = tests.len();
    let implication: Vec<Vec<bool>> = tests
        .iter()
        .map(|a| {
            tests
                .iter()
                .map(|b| implies(&a.clause.check, &b.clause.check))
                .collect()
        })
        .collect();
    let outranks =
        |i: usize, j: usize| i != j && implication[i][j] && (!implication[j][i] || i < j);
    let kept: Vec<bool> = (0..n).map(|j| !(0..n).any(|i| outranks(i, j))).collect();
    (0..n)
        .filter(|&j| !kept[j])
        .filter_map(|j| {
            let by = (0..n)
                .find(|&i| kept[i] && outranks(i, j))
                .or_else(|| (0..n).find(|&i| outranks(i, j)))?;
            Some((tests[j], tests[by]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Selector;

    /// Whether the one requirement `a` implies the one requirement `b` (both on the same key).
    fn implied(a: &str, b: &str) -> bool {
        let check = |text: &str| {
            let matcher = Selector::new().expression(text).compile().unwrap();
            matcher.clauses()[0].check.clone()
        };
        implies(&check(a), &check(b))
    }

    #[test]
    fn value_sets_imply_what_every_value_satisfies() {
        assert!(implied("x=a", "x"));
        assert!(implied("x=a", "x in (a,b)"));
        assert!(implied("x in (a,b)", "x notin (c)"));
        assert!(implied("x in (5,7)", "x>4"));
        assert!(!implied("x in (a,b)", "x=a"));
        assert!(!implied("x in (5,x)", "x>4"));
    }

    #[test]
    fn absence_implies_what_holds_on_an_absent_key() {
        assert!(implied("!x", "x!=a"));
        assert!(implied("!x", "x notin (a,b)"));
        assert!(!implied("!x", "x"));
        assert!(!implied("!x", "x>1"));
    }

    #[test]
    fn exclusions_bounds_and_existence() {
        assert!(implied("x notin (a,b)", "x!=a"));
        assert!(!implied("x!=a", "x notin (a,b)"));
        assert!(implied("x>5", "x>3"));
        assert!(!implied("x>3", "x>5"));
        assert!(implied("x<3", "x<5"));
        assert!(implied("x>5", "x"));
        assert!(implied("x<5", "x"));
        assert!(implied("x>5", "x!=a")); // `a` is no integer, so `x>5` never holds on it
        assert!(!implied("x", "x>0"));
        assert!(!implied("x", "!x"));
    }
}
