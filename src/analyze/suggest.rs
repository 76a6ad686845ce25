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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osa_distance_counts_each_kind_of_edit_once() {
        assert_eq!(osa_distance("tier", "tier", 3), Some(0));
        assert_eq!(osa_distance("tier", "teir", 3), Some(1)); // transposition
        assert_eq!(osa_distance("tier", "tir", 3), Some(1)); // deletion
        assert_eq!(osa_distance("tier", "tiers", 3), Some(1)); // insertion
        assert_eq!(osa_distance("tier", "tiar", 3), Some(1)); // substitution
        assert_eq!(osa_distance("tier", "tear", 3), Some(2));
        assert_eq!(osa_distance("ca", "abc", 3), Some(3)); // no substring edited twice
        assert_eq!(osa_distance("", "abc", 3), Some(3));
    }

    #[test]
    fn osa_distance_gives_up_beyond_the_limit() {
        assert_eq!(osa_distance("tier", "zone", 2), None);
        assert_eq!(osa_distance("a", "abcd", 2), None); // lengths alone exceed it
        assert_eq!(osa_distance("région", "region", 1), Some(1)); // counted in characters
    }

    #[test]
    fn the_limit_is_a_third_of_the_query_name() {
        assert_eq!(close_within_limit("ab", "xy"), None); // limit 1
        assert_eq!(close_within_limit("ab", "ax"), Some(1));
        assert_eq!(
            close_within_limit("example.com/gpuu", "example.com/gpu"),
            Some(1)
        );
        // A long shared prefix does not widen the limit: the name part `ab` allows one edit.
        assert_eq!(close_within_limit("example.com/ab", "example.com/xy"), None);
    }

    #[test]
    fn nearest_orders_by_distance_then_whole_matches_then_byte_order() {
        // `acme.io/teir` is at distance 0 by its name part; `tear` and `tier` at 1, in byte order.
        let candidates = ["tier", "tear", "acme.io/teir", "zone"];
        assert_eq!(
            nearest("teir", candidates.into_iter()),
            ["acme.io/teir", "tear", "tier"]
        );
        // At the same distance, a whole match comes before a name-part match.
        assert_eq!(
            nearest("gpuu", ["acme.io/gpu", "gpu"].into_iter()),
            ["gpu", "acme.io/gpu"]
        );
        assert!(nearest("tier", ["tier"].into_iter()).is_empty());
        assert!(nearest("zzzzzz", candidates.into_iter()).is_empty());
    }
}
