//! Choosing where a job is posted in the [`SelectorIndex`](super::SelectorIndex): the guard, a
//! requirement the job cannot match without, as selective as the job offers.

use std::collections::{HashMap, HashSet};

use super::Job;
use crate::matcher::{Clause, Matcher, Subject};
use crate::operator::Check;

/// Where a job is posted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Guard {
    /// Checked for every node: the job has no positive requirement.
    Residue,
    /// Visited by the node with this id.
    Id(Box<str>),
    /// Visited by nodes that have this key.
    Present(Box<str>),
    /// Visited by nodes that have this key with this value.
    Value(Box<str>, Box<str>),
}

/// The guards of a job. A selector is posted under the guards of its most selective positive
/// requirement (all values of an `in` list, or all listed ids), or in the residue; a placement under
/// a guard of each required term (in the residue if a term has none, or if it has no required terms;
/// nowhere if its required list is empty, as it matches no node).
pub(super) fn guards_of(
    job: &Job,
    vocabulary: &HashMap<Box<str>, HashMap<Box<str>, u32>>,
) -> Vec<Guard> {
    let matchers: &[Matcher] = match job {
        Job::Selector(matcher) => std::slice::from_ref(matcher),
        Job::Placement(placer) => match placer.required() {
            None => return vec![Guard::Residue],
            Some(terms) => terms,
        },
    };
    let mut guards: Vec<Guard> = Vec::new();
    for matcher in matchers {
        match most_selective(matcher, vocabulary) {
            Some(term_guards) => guards.extend(term_guards),
            None => return vec![Guard::Residue],
        }
    }
    let mut seen = HashSet::new();
    guards.retain(|guard| seen.insert(guard.clone()));
    guards
}

/// The guards of the matcher's most selective positive clause, or `None` when it has none.
fn most_selective(
    matcher: &Matcher,
    vocabulary: &HashMap<Box<str>, HashMap<Box<str>, u32>>,
) -> Option<Vec<Guard>> {
    matcher
        .clauses()
        .iter()
        .filter_map(|clause| costed_guards(clause, vocabulary))
        .min_by(|(a, _), (b, _)| a.total_cmp(b))
        .map(|(_, guards)| guards)
}

/// A positive clause's guards with their cost, an estimate of the share of nodes that carry one of
/// them: a listed id almost none; an `=`/`in` clause its number of values over the number of values
/// the jobs name for the key (keys with many values, such as racks, are rare per value); a key's
/// presence the most. `None` for a clause that holds on an absent key.
fn costed_guards(
    clause: &Clause,
    vocabulary: &HashMap<Box<str>, HashMap<Box<str>, u32>>,
) -> Option<(f64, Vec<Guard>)> {
    match (&clause.subject, &clause.check) {
        (Subject::Id, Check::In(ids)) => Some((
            ids.len() as f64 * 1e-6,
            ids.iter().map(|id| Guard::Id(id.into())).collect(),
        )),
        (Subject::Label(key), Check::In(values)) => {
            let known = vocabulary.get(key).map_or(0, HashMap::len);
            let guards = values
                .iter()
                .map(|value| Guard::Value(key.clone(), value.into()))
                .collect();
            Some((values.len() as f64 / (1 + known) as f64, guards))
        }
        (Subject::Label(key), Check::Exists | Check::Greater(_) | Check::Less(_)) => {
            Some((1.0, vec![Guard::Present(key.clone())]))
        }
        _ => None,
    }
}

/// The `=`/`in` value sets of a job's label requirements, by key.
pub(super) fn value_sets(job: &Job) -> impl Iterator<Item = (&str, impl Iterator<Item = &str>)> {
    let matchers: &[Matcher] = match job {
        Job::Selector(matcher) => std::slice::from_ref(matcher),
        Job::Placement(placer) => placer.required().unwrap_or_default(),
    };
    matchers
        .iter()
        .flat_map(|matcher| matcher.clauses())
        .filter_map(|clause| match (&clause.subject, &clause.check) {
            (Subject::Label(key), Check::In(values)) => Some((&**key, values.iter())),
            _ => None,
        })
}
