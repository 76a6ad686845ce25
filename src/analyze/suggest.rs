//! The nearest existing keys or values to a misspelt one: edit distance with transpositions, and the
//! name part after a key's prefix. The rules are here, once; [`NearIndex`] only finds the candidates.

use super::SUGGESTIONS;
use crate::near::{NearIndex, name_part, osa_distance};

/// The strings of `index` close to `query`, nearest first (whole matches before name-part matches at
/// the same distance, then byte order), at most [`SUGGESTIONS`](super::SUGGESTIONS).
pub(super) fn nearest(query: &str, index: &NearIndex) -> Vec<String> {
    nearest_to_any(&[query], index)
}

/// The strings of `index` close to any of `queries`, each scored by the query it is closest to, in the
/// order of [`nearest`], at most [`SUGGESTIONS`](super::SUGGESTIONS).
pub(super) fn nearest_to_any(queries: &[&str], index: &NearIndex) -> Vec<String> {
    let mut scored: Vec<(usize, bool, &str)> = queries
        .iter()
        .flat_map(|query| scored(query, index))
        .collect();
    // The closest score of each candidate first, then one of each.
    scored.sort_unstable_by(|a, b| a.2.cmp(b.2).then(a.cmp(b)));
    scored.dedup_by(|later, first| later.2 == first.2);
    best(scored)
}

/// The first few of `index` by their closeness to `query`, with their scores: among the strings
/// within the limit of [`close_within_limit`], those at the nearest distance found and those one edit
/// farther (see [`near_the_nearest`]).
///
/// The index is searched with a radius growing from 0 to the limit, and the search stops at the first
/// radius with enough candidates within it, or one edit beyond the nearest candidate: every string it
/// has not found is farther, so the first few are final. Stopping one edit beyond the nearest keeps a
/// misspelt word's search at the radius of its mistake, where the index leaves few candidates (and
/// filters them cheaply), instead of widening it to a third of the word, where it leaves many.
fn scored<'i>(query: &str, index: &'i NearIndex) -> Vec<(usize, bool, &'i str)> {
    let limit = limit(query);
    let mut bounds = index.bounds(query, limit);
    let mut scored = Vec::new();
    for radius in 0..=limit {
        scored = score(query, bounds.within(radius).into_iter());
        let nearest = scored.iter().map(|&(distance, _, _)| distance).min();
        if scored.len() >= SUGGESTIONS || nearest.is_some_and(|nearest| radius > nearest) {
            break;
        }
    }
    near_the_nearest(&mut scored);
    scored.sort_unstable();
    scored.truncate(SUGGESTIONS);
    scored
}

/// Keeps the candidates at most one edit farther than the nearest: `tier` and `tear` for `teir`, not
/// also every word three edits away.
fn near_the_nearest(scored: &mut Vec<(usize, bool, &str)>) {
    if let Some(nearest) = scored.iter().map(|&(distance, _, _)| distance).min() {
        scored.retain(|&(distance, _, _)| distance <= nearest + 1);
    }
}

/// Each candidate but `query` itself that is close to it, with its distance and whether by name part.
fn score<'a>(
    query: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Vec<(usize, bool, &'a str)> {
    candidates
        .filter(|candidate| *candidate != query)
        .filter_map(|candidate| {
            closeness(query, candidate).map(|(distance, by_name)| (distance, by_name, candidate))
        })
        .collect()
}

/// The first [`SUGGESTIONS`](super::SUGGESTIONS) by distance, whole before name part, byte order.
fn best(mut scored: Vec<(usize, bool, &str)>) -> Vec<String> {
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

/// The edit distance, when it is at most a third of the length of the query's name part (at least 1):
/// measured on the name, so that a long shared prefix does not let every sibling key through.
fn close_within_limit(query: &str, candidate: &str) -> Option<usize> {
    osa_distance(query, candidate, limit(query))
}

/// The largest distance at which a string is close to `query`: a third of the length of its name
/// part, at least 1.
fn limit(query: &str) -> usize {
    (name_part(query).chars().count() / 3).max(1)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The suggestions by comparing `query` with every candidate: what [`nearest`] must equal.
    fn nearest_by_scan<'a>(query: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
        best(scan(query, candidates))
    }

    /// Every candidate close to `query`, as far as one edit beyond the nearest.
    fn scan<'a>(
        query: &str,
        candidates: impl Iterator<Item = &'a str>,
    ) -> Vec<(usize, bool, &'a str)> {
        let mut scored = score(query, candidates);
        near_the_nearest(&mut scored);
        scored
    }

    /// The index of `strings`, with grams, however few they are.
    fn index<'a>(strings: impl IntoIterator<Item = &'a str>) -> NearIndex {
        NearIndex::with_grams(strings, true)
    }

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
        let candidates = index(["tier", "tear", "acme.io/teir", "zone"]);
        assert_eq!(
            nearest("teir", &candidates),
            ["acme.io/teir", "tear", "tier"]
        );
        // At the same distance, a whole match comes before a name-part match.
        assert_eq!(
            nearest("gpuu", &index(["acme.io/gpu", "gpu"])),
            ["gpu", "acme.io/gpu"]
        );
        assert!(nearest("tier", &index(["tier"])).is_empty());
        assert!(nearest("zzzzzz", &candidates).is_empty());
    }

    #[test]
    fn nearest_to_any_scores_each_candidate_by_its_closest_query() {
        let candidates = index(["prod", "staging", "stage", "dev"]);
        assert_eq!(
            nearest_to_any(&["prdo", "stagign"], &candidates),
            ["prod", "staging"]
        );
        // `stage` is 2 from `stagign` but 1 from `stags`.
        assert_eq!(
            nearest_to_any(&["stagign", "stags"], &candidates),
            ["stage", "staging"]
        );
        assert!(nearest_to_any(&[], &candidates).is_empty());
    }

    /// Strings from a small alphabet (with `/`, `.` and a two-byte character), so that many are close
    /// and some have a prefix.
    fn word() -> impl Strategy<Value = String> {
        proptest::string::string_regex("([ab]{0,3}/)?[abcé.-]{0,9}").expect("a valid pattern")
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(512) })]

        /// The indexed search suggests exactly what comparing with every candidate suggests.
        #[test]
        fn nearest_equals_the_scan(
            vocabulary in proptest::collection::btree_set(word(), 0..60),
            queries in proptest::collection::vec(word(), 1..8),
        ) {
            // With grams and without (as an index of few strings has none).
            let indexes = [true, false]
                .map(|grams| NearIndex::with_grams(vocabulary.iter().map(String::as_str), grams));
            for indexed in &indexes {
                for query in &queries {
                    let expected = nearest_by_scan(query, vocabulary.iter().map(String::as_str));
                    prop_assert_eq!(nearest(query, indexed), expected, "{}", query);
                }
            }
            // Several queries at once: the nearest of all their candidates, each by its closest query.
            let queries: Vec<&str> = queries.iter().map(String::as_str).collect();
            let mut all: Vec<(usize, bool, &str)> = queries
                .iter()
                .flat_map(|query| scan(query, vocabulary.iter().map(String::as_str)))
                .collect();
            all.sort_unstable();
            let mut seen = std::collections::HashSet::new();
            all.retain(|scored| seen.insert(scored.2));
            for indexed in &indexes {
                prop_assert_eq!(nearest_to_any(&queries, indexed), best(all.clone()));
            }
        }
    }
}
