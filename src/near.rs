//! An index of a vocabulary for near matches, the cache of such indexes a [`Fleet`] keeps for
//! [`Fleet::lint`], and the edit distance both use. What counts as near enough to suggest is
//! `analyze::suggest`'s rule; this module finds the candidates.
//!
//! The strings are kept sorted, which makes them an implicit trie: neighbours share their longest
//! common prefix. A search walks them in order with the rows of the optimal-string-alignment table
//! between the query and each string's prefix, reusing the rows of the prefix a string shares with the
//! one before, and skips every string of a prefix as soon as a row shows that no string starting with
//! it can be within the radius (a row's least entry never decreases by more than the transpositions
//! it allows, so a least entry above the radius stays above it). This is exact for the OSA distance,
//! which a BK-tree is not (OSA breaks the triangle inequality): no candidate within the radius is
//! missed, and what it yields is scored again by the one rule in `suggest`.
//!
//! The walk suits vocabularies whose strings share prefixes (`rack-0042`, `node-us-east-1-000123`);
//! on unrelated words a radius of a third of the query lets almost every short prefix through. So each
//! string is also kept with a sketch: its length in characters and the set of its characters (hashed
//! into 64 bits), whole and of its name part, which give two lower bounds on the distance: the
//! difference of the lengths, and the number of characters one has that the other lacks (an edit adds
//! at most one character and removes at most one, a transposition neither; merged bits only lower the
//! count); and, kept apart and compared only where those leave a string near, how many characters it
//! holds of each of 16 classes, which bounds the distance by how far the counts of one exceed the
//! other's in all (each edit adds at most one and takes at most one). A string with the query's own
//! `prefix/` is bounded by its name part alone, since a prefix both share changes no distance (and its
//! shared characters would let every string of a long prefix through). A search passes over the
//! sketches once (a few nanoseconds a string) for all the radii it tries; at each, when they leave at
//! most half the strings, those are measured directly, and the walk runs only when they leave more.
//!
//! [`Fleet`]: crate::Fleet
//! [`Fleet::lint`]: crate::Fleet::lint

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// A search measures the strings its sketches leave directly when they are at most this many, or half
/// the vocabulary; beyond (the strings are alike, as generated names are), it walks the sorted strings.
const DIRECT_CHECKS: usize = 256;

/// A string's length in characters and the characters it holds, each as bit `code point % 64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Sketch {
    chars: u32,
    set: u64,
}

impl Sketch {
    fn of(text: &str) -> Sketch {
        text.chars().fold(Sketch::default(), |sketch, c| Sketch {
            chars: sketch.chars + 1,
            set: sketch.set | 1 << (c as u32 % 64),
        })
    }

    /// A lower bound on the edit distance between the two strings: an insertion or a deletion
    /// changes the length by one and adds or removes at most one character; a substitution adds at
    /// most one character and removes at most one; a transposition changes neither.
    #[inline]
    fn distance_at_least(self, other: Sketch) -> u32 {
        let only_self = (self.set & !other.set).count_ones();
        let only_other = (other.set & !self.set).count_ones();
        self.chars
            .abs_diff(other.chars)
            .max(only_self)
            .max(only_other)
    }
}

/// How many characters a string holds of each class `code point % 16` (counts stop at 255): kept
/// apart from the [`Sketch`]es, and compared only where those leave a string within the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Counts([u8; 16]);

impl Counts {
    fn of(text: &str) -> Counts {
        let mut counts = [0u8; 16];
        for c in text.chars() {
            let count = &mut counts[c as usize % 16];
            *count = count.saturating_add(1);
        }
        Counts(counts)
    }

    /// A lower bound on the edit distance: each edit adds at most one to one class and takes at most
    /// one from one class (a transposition neither), so `k` edits leave the classes of one string at
    /// most `k` above the other's in all, and at most `k` below. Counts that stopped at 255 only
    /// lower the bound.
    #[inline]
    fn distance_at_least(&self, other: &Counts) -> u32 {
        let (mut more, mut fewer) = (0u32, 0u32);
        for (&mine, &theirs) in self.0.iter().zip(&other.0) {
            more += u32::from(mine.saturating_sub(theirs));
            fewer += u32::from(theirs.saturating_sub(mine));
        }
        more.max(fewer)
    }
}

/// The lower bound of the sketches, and of the counts when the sketches leave it within `limit`.
#[inline]
fn distance_at_least(
    (sketch, counts): (Sketch, &Counts),
    (other, other_counts): (Sketch, &Counts),
    limit: u32,
) -> u32 {
    let bound = sketch.distance_at_least(other);
    if bound > limit {
        return bound;
    }
    bound.max(counts.distance_at_least(other_counts))
}

/// A set of strings sorted for near-match search, whole and by their name part (after a `prefix/`),
/// and also read backwards.
///
/// A string within `k` of the query splits into two pieces, each aligned with one half of the query,
/// whose distances add up to at most `k + 1` (a transposition across the split counts on both sides):
/// one of them is within `(k + 1) / 2`. The forward search keeps only the strings that start within
/// that of the query's first half, the backward search (on reversed strings) those that end within it
/// of its second half; together they find every string within `k`, and neither has to visit every
/// short prefix, as a search within `k` of the whole query would.
#[derive(Debug, Clone, Default)]
pub(crate) struct NearIndex {
    forward: Sorted,
    backward: Sorted,
    /// The sketch of each string in forward order, whole and of its name part.
    sketches: Vec<(Sketch, Sketch)>,
    /// The counts of each string in forward order, whole and of its name part.
    counts: Vec<(Counts, Counts)>,
    /// The number of each string's `prefix/` in forward order (0 for none), and the numbers by prefix.
    prefix_numbers: Vec<u32>,
    prefixes: HashMap<Box<str>, u32>,
    /// Whether some string has a `prefix/`, so that its name part differs from it.
    prefixed: bool,
}

/// Strings in byte order, concatenated, with the order of their name parts.
#[derive(Debug, Clone, Default)]
struct Sorted {
    /// The strings, concatenated in byte order.
    text: String,
    /// Where each string ends in `text`; each starts where the one before ends.
    ends: Vec<usize>,
    /// The position of each string in the forward order (the backward order's strings are reversed).
    forward: Vec<usize>,
    /// The positions of the strings in the order of their name parts.
    by_name: Vec<usize>,
}

impl Sorted {
    /// Sorts `strings` (each with its forward position), `name` giving the name part of each.
    fn new(mut strings: Vec<(String, usize)>, name: fn(&str) -> &str) -> Sorted {
        strings.sort_unstable();
        let mut sorted = Sorted {
            text: String::with_capacity(strings.iter().map(|(s, _)| s.len()).sum()),
            ends: Vec::with_capacity(strings.len()),
            forward: strings.iter().map(|&(_, forward)| forward).collect(),
            by_name: (0..strings.len()).collect(),
        };
        for (string, _) in &strings {
            sorted.text.push_str(string);
            sorted.ends.push(sorted.text.len());
        }
        sorted
            .by_name
            .sort_by(|&a, &b| name(&strings[a].0).cmp(name(&strings[b].0)));
        sorted
    }

    /// The string at a position.
    fn get(&self, position: usize) -> &str {
        let start = position
            .checked_sub(1)
            .and_then(|before| self.ends.get(before))
            .copied()
            .unwrap_or(0);
        let end = self.ends.get(position).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or_default()
    }

    /// Adds to `found` the forward position of every string within `radius` of `query` that starts
    /// within `(radius + 1) / 2` of the query's first half, comparing the whole strings or, with
    /// `name`, their name parts.
    fn search(
        &self,
        query: &str,
        radius: usize,
        name: Option<fn(&str) -> &str>,
        found: &mut Vec<usize>,
    ) {
        let mut search = Search::new(query, radius);
        let forward = |position: usize| self.forward.get(position).copied();
        match name {
            None => search.walk(
                self.ends.len(),
                |at| self.get(at),
                |at| found.extend(forward(at)),
            ),
            Some(name) => {
                let position = |at: usize| self.by_name.get(at).copied().unwrap_or(0);
                search.walk(
                    self.by_name.len(),
                    |at| name(self.get(position(at))),
                    |at| found.extend(forward(position(at))),
                )
            }
        }
    }
}

impl NearIndex {
    /// Indexes the distinct strings of `strings`.
    pub(crate) fn new<'a>(strings: impl IntoIterator<Item = &'a str>) -> NearIndex {
        let mut strings: Vec<&str> = strings.into_iter().collect();
        strings.sort_unstable();
        strings.dedup();
        let prefixed = strings.iter().any(|s| name_part(s).len() < s.len());
        let reversed = strings
            .iter()
            .enumerate()
            .map(|(forward, s)| (s.chars().rev().collect(), forward))
            .collect();
        let sketches = strings
            .iter()
            .map(|s| (Sketch::of(s), Sketch::of(name_part(s))))
            .collect();
        let counts = strings
            .iter()
            .map(|s| (Counts::of(s), Counts::of(name_part(s))))
            .collect();
        let mut prefixes: HashMap<Box<str>, u32> = HashMap::new();
        let prefix_numbers = strings
            .iter()
            .map(|s| match prefix(s) {
                "" => 0,
                prefix => {
                    let next = prefixes.len() as u32 + 1;
                    *prefixes.entry(prefix.into()).or_insert(next)
                }
            })
            .collect();
        let forward = strings
            .into_iter()
            .enumerate()
            .map(|(forward, s)| (s.to_string(), forward))
            .collect();
        NearIndex {
            forward: Sorted::new(forward, name_part),
            backward: Sorted::new(reversed, reversed_name_part),
            sketches,
            counts,
            prefix_numbers,
            prefixes,
            prefixed,
        }
    }

    /// The strings within `radius` of `query`, or whose name part is within `radius` of the query's,
    /// by the optimal-string-alignment distance (in characters); each once, in byte order. Every
    /// string within the radius is found; the caller scores them.
    #[cfg(test)]
    fn within(&self, query: &str, radius: usize) -> Vec<&str> {
        self.bounds(query, radius).within(radius)
    }

    /// The lower bounds the sketches give on the distance between `query` and each string, computed
    /// once for a search that widens its radius step by step up to `limit` (a bound beyond the limit
    /// may be lower than the sketches could show, but stays beyond it).
    ///
    /// A string with the query's own `prefix/` is bounded by its name part alone: stripping a prefix
    /// both share changes no edit distance, so its whole string is exactly as near as its name part.
    /// (The shared characters of a long prefix would otherwise let most of its strings through.)
    pub(crate) fn bounds<'i, 'q>(&'i self, query: &'q str, limit: usize) -> Bounds<'i, 'q> {
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        let query_name = name_part(query);
        // Name parts matter only where some string or the query has a prefix: otherwise each name part
        // is its whole string.
        let by_name = self.prefixed || query_name.len() < query.len();
        // The number of the query's prefix among the strings' (0 when it has none or no string has it).
        let query_prefix = self.prefixes.get(prefix(query)).copied().unwrap_or(0);
        let whole = (Sketch::of(query), &Counts::of(query));
        let name = (Sketch::of(query_name), &Counts::of(query_name));
        let lower = self
            .sketches
            .iter()
            .zip(&self.counts)
            .zip(&self.prefix_numbers)
            .map(|((&(string_whole, string_name), counts), &string_prefix)| {
                let string_whole = (string_whole, &counts.0);
                let string_name = (string_name, &counts.1);
                if !by_name {
                    return clamp(distance_at_least(whole, string_whole, limit));
                }
                let by_name_part = distance_at_least(name, string_name, limit);
                if query_prefix != 0 && string_prefix == query_prefix {
                    return clamp(by_name_part);
                }
                clamp(distance_at_least(whole, string_whole, limit).min(by_name_part))
            })
            .collect();
        Bounds {
            index: self,
            query,
            query_name,
            by_name,
            lower,
        }
    }

    /// [`within`](NearIndex::within) by walking the sorted strings.
    fn walk(&self, query: &str, radius: usize) -> Vec<&str> {
        let mut found: Vec<usize> = Vec::new();
        let reversed: String = query.chars().rev().collect();
        self.forward.search(query, radius, None, &mut found);
        self.backward.search(&reversed, radius, None, &mut found);
        // Name parts matter only where some string or the query has a prefix: otherwise each name part
        // is its whole string, already searched.
        let query_name = name_part(query);
        if self.prefixed || query_name.len() < query.len() {
            let reversed_name = reversed_name_part(&reversed);
            self.forward
                .search(query_name, radius, Some(name_part), &mut found);
            self.backward
                .search(reversed_name, radius, Some(reversed_name_part), &mut found);
        }
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .map(|position| self.forward.get(position))
            .collect()
    }
}

/// A bound stored in a byte: radii beyond 254 are never searched.
fn clamp(bound: u32) -> u8 {
    u8::try_from(bound).unwrap_or(u8::MAX)
}

/// The sketches' lower bounds on the distance between one query and every string of a [`NearIndex`],
/// from [`NearIndex::bounds`].
pub(crate) struct Bounds<'i, 'q> {
    index: &'i NearIndex,
    query: &'q str,
    query_name: &'q str,
    by_name: bool,
    /// By forward position.
    lower: Vec<u8>,
}

impl<'i> Bounds<'i, '_> {
    /// [`NearIndex::within`]: the strings whose bound is within `radius` are measured directly when
    /// they are at most [`DIRECT_CHECKS`] or half the strings; beyond, the sorted strings are walked.
    pub(crate) fn within(&self, radius: usize) -> Vec<&'i str> {
        let bound = u8::try_from(radius).unwrap_or(u8::MAX);
        let most = DIRECT_CHECKS.max(self.lower.len() / 2);
        let left: Vec<usize> = self
            .lower
            .iter()
            .enumerate()
            .filter(|&(_, &lower)| lower <= bound)
            .map(|(position, _)| position)
            .take(most + 1)
            .collect();
        if left.len() > most {
            return self.index.walk(self.query, radius);
        }
        left.into_iter()
            .map(|position| self.index.forward.get(position))
            .filter(|string| {
                osa_distance(self.query, string, radius).is_some()
                    || (self.by_name
                        && osa_distance(self.query_name, name_part(string), radius).is_some())
            })
            .collect()
    }
}

/// The name part of a reversed key: the reversed name part of the key.
fn reversed_name_part(reversed: &str) -> &str {
    reversed.split_once('/').map_or(reversed, |(name, _)| name)
}

/// The state of one search: the query's characters, the radius, the table rows of the current path.
struct Search {
    query: Vec<char>,
    radius: usize,
    /// The length of the query's first half, and how near to it a string's start must be.
    half: usize,
    near_start: usize,
    /// The characters of the string prefix the rows are for.
    path: Vec<char>,
    /// Row `d` (between the first `d` characters of `path` and each prefix of the query) at
    /// `d * (query.len() + 1)`; rows up to `path.len()` are current.
    rows: Vec<usize>,
    /// By depth: whether some prefix of the path up to it is within `near_start` of the first half.
    started: Vec<bool>,
}

impl Search {
    fn new(query: &str, radius: usize) -> Search {
        let query: Vec<char> = query.chars().collect();
        let rows = (0..=query.len()).collect();
        let (half, near_start) = (query.len() / 2, radius.div_ceil(2));
        Search {
            radius,
            half,
            near_start,
            path: Vec::new(),
            rows,
            started: vec![half <= near_start],
            query,
        }
    }

    /// Walks `len` strings sorted in byte order, `item` giving each, and calls `found` with the
    /// position of each one within the radius of the query.
    fn walk<'s>(
        &mut self,
        len: usize,
        item: impl Fn(usize) -> &'s str,
        mut found: impl FnMut(usize),
    ) {
        let mut position = 0;
        while position < len {
            let string = item(position);
            match self.descend(string) {
                None => {
                    if self.distance() <= self.radius {
                        found(position);
                    }
                    position += 1;
                }
                Some(depth) => {
                    // No string starting with these `depth` characters is within the radius.
                    let bytes: usize = self.path[..depth].iter().map(|c| c.len_utf8()).sum();
                    let prefix = string.get(..bytes).unwrap_or(string);
                    position = first_without(position, len, |at| item(at).starts_with(prefix));
                }
            }
        }
    }

    /// Moves the path to `string`, computing the rows it does not share with the path before; stops at
    /// the first row that no string continuing the path can pass and returns its depth: its least
    /// entry is beyond the radius, or, before the path started near the query's first half, its least
    /// entry over that half is beyond `near_start`.
    fn descend(&mut self, string: &str) -> Option<usize> {
        let mut chars = string.chars();
        let mut shared = 0;
        let mut next = None;
        for c in chars.by_ref() {
            if self.path.get(shared) == Some(&c) {
                shared += 1;
            } else {
                next = Some(c);
                break;
            }
        }
        self.path.truncate(shared);
        self.started.truncate(shared + 1);
        for c in next.into_iter().chain(chars) {
            self.path.push(c);
            let (least, least_in_half, at_half) = self.push_row();
            let started =
                self.started.last().copied().unwrap_or(false) || at_half <= self.near_start;
            self.started.push(started);
            let passes = if started {
                least <= self.radius
            } else {
                least_in_half <= self.near_start
            };
            if !passes {
                return Some(self.path.len());
            }
        }
        None
    }

    /// Computes the row of the last character of the path; returns its least entry, its least entry
    /// up to the query's first half, and its entry there.
    fn push_row(&mut self) -> (usize, usize, usize) {
        let width = self.query.len() + 1;
        let depth = self.path.len();
        self.rows.resize((depth + 1) * width, 0);
        let (done, row) = self.rows.split_at_mut(depth * width);
        let previous = &done[(depth - 1) * width..];
        let before = depth
            .checked_sub(2)
            .map(|two_up| &done[two_up * width..(two_up + 1) * width]);
        let c = self.path[depth - 1];
        let c_before = depth.checked_sub(2).map(|i| self.path[i]);
        row[0] = depth;
        let (mut least, mut least_in_half) = (depth, depth);
        for j in 1..width {
            let q = self.query[j - 1];
            let mut distance = (previous[j - 1] + usize::from(c != q))
                .min(previous[j] + 1)
                .min(row[j - 1] + 1);
            if let (Some(before), Some(c_before)) = (before, c_before)
                && j > 1
                && c == self.query[j - 2]
                && c_before == q
            {
                distance = distance.min(before[j - 2] + 1);
            }
            row[j] = distance;
            least = least.min(distance);
            if j <= self.half {
                least_in_half = least_in_half.min(distance);
            }
        }
        (least, least_in_half, row[self.half])
    }

    /// The distance between the whole path and the whole query.
    fn distance(&self) -> usize {
        let width = self.query.len() + 1;
        self.rows
            .get(self.path.len() * width + width - 1)
            .copied()
            .unwrap_or(usize::MAX)
    }
}

/// The first position after `from` (and before `len`) where `shares` is false, given that it holds
/// at `from` and on a run after it: galloping, then bisecting.
fn first_without(from: usize, len: usize, shares: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut step) = (from, 1);
    // `low` shares; find a `high` that does not (or the end).
    let mut high = loop {
        let probe = from.saturating_add(step);
        if probe >= len {
            break len;
        }
        if !shares(probe) {
            break probe;
        }
        low = probe;
        step = step.saturating_mul(2);
    };
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if shares(middle) {
            low = middle;
        } else {
            high = middle;
        }
    }
    high
}

/// The `prefix/` of a key, with its slash; empty for a key without one.
fn prefix(key: &str) -> &str {
    &key[..key.len() - name_part(key).len()]
}

/// The part of a key after its `prefix/`, or the whole key.
pub(crate) fn name_part(key: &str) -> &str {
    key.rsplit_once('/').map_or(key, |(_, name)| name)
}

/// The optimal-string-alignment distance: insertions, deletions, substitutions and transpositions of
/// adjacent characters each count 1, no substring edited twice. `None` when it exceeds `limit`.
pub(crate) fn osa_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
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

/// The near-match indexes of a fleet's vocabulary, built when a lint first needs them and dropped
/// whenever the fleet changes.
///
/// The key index is built by the first lint that meets an unknown key; the index of a key's values by
/// the first that meets an unknown value of that key. Both are shared (behind an `Arc`) by clones of
/// the fleet until either changes.
#[derive(Debug, Default)]
pub(crate) struct LintCache {
    keys: OnceLock<Arc<NearIndex>>,
    values: Mutex<HashMap<Box<str>, Arc<NearIndex>>>,
}

impl LintCache {
    /// Forgets every index: the vocabulary changed.
    pub(crate) fn clear(&mut self) {
        *self = LintCache::default();
    }

    /// The index of the keys, built by `build` the first time.
    pub(crate) fn keys(&self, build: impl FnOnce() -> NearIndex) -> Arc<NearIndex> {
        Arc::clone(self.keys.get_or_init(|| Arc::new(build())))
    }

    /// The index of the values of `key`, built by `build` the first time.
    pub(crate) fn values(&self, key: &str, build: impl FnOnce() -> NearIndex) -> Arc<NearIndex> {
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(index) = values.get(key) {
            return Arc::clone(index);
        }
        let index = Arc::new(build());
        values.insert(key.into(), Arc::clone(&index));
        index
    }
}

impl Clone for LintCache {
    fn clone(&self) -> LintCache {
        let values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        LintCache {
            keys: self.keys.clone(),
            values: Mutex::new(values.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_kept_sorted_and_distinct_forwards_and_backwards() {
        let index = NearIndex::new(["b", "a/z", "", "b", "ab"]);
        let order = |sorted: &Sorted| -> Vec<String> {
            (0..sorted.ends.len())
                .map(|p| sorted.get(p).to_string())
                .collect()
        };
        assert_eq!(order(&index.forward), ["", "a/z", "ab", "b"]);
        assert_eq!(order(&index.backward), ["", "b", "ba", "z/a"]);
        assert_eq!(index.backward.forward, [0, 3, 2, 1]);
        assert!(index.prefixed);
        let names: Vec<&str> = index
            .forward
            .by_name
            .iter()
            .map(|&p| index.forward.get(p))
            .collect();
        assert_eq!(names, ["", "ab", "b", "a/z"]);
    }

    #[test]
    fn within_finds_whole_and_name_part_matches() {
        let index = NearIndex::new(["tier", "tear", "acme.io/teir", "zone", "tiers"]);
        assert_eq!(index.within("teir", 0), ["acme.io/teir"]);
        assert_eq!(index.within("teir", 1), ["acme.io/teir", "tear", "tier"]);
        assert_eq!(index.within("x.io/zone", 0), ["zone"]);
        assert!(index.within("zzzzzz", 2).is_empty());
    }

    #[test]
    fn within_counts_characters_and_transpositions() {
        let index = NearIndex::new(["région", "ca", "abc"]);
        assert_eq!(index.within("region", 1), ["région"]);
        // OSA: `ca` → `abc` is 3, not 2 (no substring is edited twice).
        assert!(!index.within("ca", 2).contains(&"abc"));
        assert!(index.within("ca", 3).contains(&"abc"));
    }

    #[test]
    fn sketches_never_overestimate_the_distance() {
        let words = [
            "", "a", "ab", "ba", "abc", "cab", "région", "region", "zone", "zoned", "x.io/y",
            "aaab", "abbb", "aabb", "qa", "aq",
        ];
        for a in words {
            for b in words {
                let exact = (0..=8).find(|&k| osa_distance(a, b, k).is_some());
                let bound = distance_at_least(
                    (Sketch::of(a), &Counts::of(a)),
                    (Sketch::of(b), &Counts::of(b)),
                    u32::MAX,
                );
                assert!(
                    exact.is_some_and(|exact| bound as usize <= exact),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn the_walk_and_the_sketches_find_the_same_strings() {
        let words: Vec<String> = (0..600)
            .map(|i| format!("w{}-{}", i % 37, i * 7919 % 1000))
            .collect();
        let index = NearIndex::new(words.iter().map(String::as_str));
        for query in ["w3-100", "w30-99", "x/w12-5", "zz"] {
            for radius in 0..4 {
                let mut walked = index.walk(query, radius);
                walked.sort_unstable();
                let mut found = index.within(query, radius);
                found.sort_unstable();
                assert_eq!(found, walked, "{query} within {radius}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::with_cases(2048)
        })]

        /// What `bounds` relies on for strings with the query's prefix: stripping a prefix both
        /// strings share changes no distance.
        #[test]
        fn a_shared_prefix_changes_no_distance(
            prefix in "[ab/]{0,4}",
            a in "[abc]{0,6}",
            b in "[abc]{0,6}",
        ) {
            let distance = |x: &str, y: &str| (0..=12).find(|&k| osa_distance(x, y, k).is_some());
            proptest::prop_assert_eq!(
                distance(&format!("{prefix}{a}"), &format!("{prefix}{b}")),
                distance(&a, &b)
            );
        }
    }

    #[test]
    fn skipping_a_prefix_lands_after_its_last_string() {
        let shares = |at: usize| at < 37;
        for from in [0, 5, 36] {
            assert_eq!(first_without(from, 100, shares), 37);
        }
        assert_eq!(first_without(3, 10, |_| true), 10);
    }
}
