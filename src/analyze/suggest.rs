//! The nearest existing keys or values to a misspelt one: edit distance with transpositions, and the
//! name part after a key's prefix.

use super::SUGGESTIONS;

/// The candidates close to `query`, nearest first (whole matches before name-part matches at the same
/// distance, then byte order), at most [`SUGGESTIONS`](super::SUGGESTIONS).
pub(super) fn nearest<'a>(query: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(usize, bool, &str)> = candidates
        .filter(|candidate| *candidate != query)
        .filter_map(|candidate| {
            closeness(query, candidate).map(|(distance, by_name)| (distance, by_name, candidate))
        })
        .collect();
    scored.sort_unstable();
    scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, _, candidate)| candidate.to_string())
        .collect()
}

/// The smaller of the distances between the whole strings and between their name parts (after a
/// `prefix/`), each only when within the limit; the flag tells the name-part distance.
fn closeness(query: &str, candidate: &str) -> Option<(usize, bool)> {
    let whole = close_within_limit(query, candidate).map(|distance| (distance, false));
    let (query_name, candidate_name) = (name_part(query), name_part(candidate));
    let by_name = (query_name.len() < query.len() || candidate_name.len() < candidate.len())
        .then(|| close_within_limit(query_name, candidate_name))
        .flatten()
        .map(|distance| (distance, true));
    whole.into_iter().chain(by_name).min()
}

/// The part of a key after its `prefix/`, or the whole key.
fn name_part(key: &str) -> &str {
    key.rsplit_once('/').map_or(key, |(_, name)| name)
}

/// The edit distance, when it is at most a third of the length of the query's name part (at least 1):
/// measured on the name, so that a long shared prefix does not let every sibling key through.
fn close_within_limit(query: &str, candidate: &str) -> Option<usize> {
    let limit = (name_part(query).chars().count() / 3).max(1);
    osa_distance(query, candidate, limit)
}

/// The optimal-string-alignment distance: insertions, deletions, substitutions and transpositions of
/// adjacent characters each count 1, no substring edited twice. `None` when it exceeds `limit`.
fn osa_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // Rows i-2, i-1 and i of the distance table between prefixes of `a` and `b`.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut distance = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                distance = distance.min(before[j - 2] + 1);
            }
            current[j] = distance;
        }
        if current.iter().min().is_some_and(|&least| least > limit) {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous
        .last()
        .copied()
        .filter(|&distance| distance <= limit)
}
