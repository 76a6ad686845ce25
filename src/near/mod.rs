//! An index of a vocabulary for near matches, the cache of such indexes a [`Fleet`] keeps for
//! [`Fleet::lint`], and the edit distance both use. What counts as near enough to suggest is
//! `analyze::suggest`'s rule; this module finds the candidates.
//!
//! A search widens its radius step by step, and every stage that serves a radius is exact: no string
//! within the radius is missed, and what a search yields is scored again by the one rule in `suggest`.
//!
//! First, a count filter over the grams of the strings (see [`Grams`]): the unordered triples, or
//! pairs, of adjacent characters of each string padded at both ends. An edit destroys at most three
//! of a string's triples and two of its pairs, so a string within `k` of a query shares at least
//! `n - 3k` of its `n` triples (and `n - 2k` of its `n` pairs). Posting lists name the strings
//! (numbered in order of length) holding each gram, so that a search counts the grams each string
//! shares with the query over the lists of the query's grams only, and only over the strings whose
//! length is within the radius of the query's. Triples, whose lists are short, serve radii up to
//! about a third of the query; pairs, which fewer edits destroy, up to about half. For a misspelt
//! key among 100,000 random words, or a key no other is near, a search counts some ten thousand
//! entries of the lists over all the radii it tries, where a pass over the sketches visits all
//! 100,000 strings at about ten nanoseconds each. The name part of each string with a `prefix/` is
//! an entry of its own, so that a string with the query's prefix is found by its name part, which
//! its prefix's grams do not crowd.
//!
//! Then the sketches of the strings the count leaves: each string is kept with its length in
//! characters and the set of its characters (hashed into 64 bits), whole and of its name part, which
//! give two lower bounds on the distance: the difference of the lengths, and the number of characters
//! one has that the other lacks (an edit adds at most one character and removes at most one, a
//! transposition neither; merged bits only lower the count); and, kept apart and compared only where
//! those leave a string near, how many characters it holds of each of 16 classes, which bounds the
//! distance by how far the counts of one exceed the other's in all (each edit adds at most one and
//! takes at most one). Last, the strings the sketches leave are measured, in a band of the table
//! around its diagonal.
//!
//! Where the grams cannot bound the radius (a query too short for it, such as one character), or their
//! lists would cost as much to count as the strings are many (generated names, whose strings share
//! most of their grams), one pass over the sketches of every string serves every radius up to the
//! limit. A string with the query's own `prefix/` is bounded there by its name part alone, since a
//! prefix both share changes no distance (and its shared characters would let every string of a long
//! prefix through). When the sketches leave at most half the strings, those are measured directly;
//! when they leave more, the sorted strings are walked.
//!
//! The strings are kept sorted, which makes them an implicit trie: neighbours share their longest
//! common prefix. The walk goes through them in order with the rows of the optimal-string-alignment
//! table between the query and each string's prefix, reusing the rows of the prefix a string shares
//! with the one before, and skips every string of a prefix as soon as a row shows that no string
//! starting with it can be within the radius (a row's least entry never decreases by more than the
//! transpositions it allows, so a least entry above the radius stays above it). This is exact for the
//! OSA distance, which a BK-tree is not (OSA breaks the triangle inequality). It suits vocabularies
//! whose strings share prefixes (`rack-0042`, `node-us-east-1-000123`); on unrelated words a radius of
//! a third of the query lets almost every short prefix through.
//!
//! [`Fleet`]: crate::Fleet
//! [`Fleet::lint`]: crate::Fleet::lint

mod grams;

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use self::grams::{Gram, Grams, LONG_LIST, gram_keys, padded_codes};

/// A search measures the strings its sketches leave directly when they are at most this many, or half
/// the vocabulary; beyond (the strings are alike, as generated names are), it walks the sorted strings.
const DIRECT_CHECKS: usize = 256;

/// An index of fewer strings has no [`Grams`]: the pass over their sketches costs a search a few tens
/// of microseconds at most, less than building the grams would cost the lint that builds the index.
const FEW_STRINGS: usize = 4096;

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
/// and also read backwards, with their grams and sketches (see the module documentation).
///
/// For the walk, a string within `k` of the query splits into two pieces, each aligned with one half
/// of the query, whose distances add up to at most `k + 1` (a transposition across the split counts on
/// both sides): one of them is within `(k + 1) / 2`. The forward search keeps only the strings that
/// start within that of the query's first half, the backward search (on reversed strings) those that
/// end within it of its second half; together they find every string within `k`, and neither has to
/// visit every short prefix, as a search within `k` of the whole query would.
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
    /// The count filter; `None` for fewer than [`FEW_STRINGS`] strings, or when the strings or their
    /// grams are too many to number in 32 bits.
    grams: Option<Grams>,
}

/// Strings kept in one buffer.
#[derive(Debug, Clone, Default)]
struct Concatenated {
    /// The strings, one after the other.
    text: String,
    /// Where each string ends in `text`; each starts where the one before ends.
    ends: Vec<usize>,
}

impl Concatenated {
    /// None yet, with room for `strings` strings of `bytes` bytes in all.
    fn with_capacity(bytes: usize, strings: usize) -> Concatenated {
        Concatenated {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(strings),
        }
    }

    /// Adds a string after the others.
    fn push(&mut self, string: &str) {
        self.text.push_str(string);
        self.ends.push(self.text.len());
    }

    /// The number of strings.
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The string at a position: from where the one before ends to where it ends.
    fn get(&self, position: usize) -> &str {
        let start = position
            .checked_sub(1)
            .and_then(|before| self.ends.get(before))
            .copied()
            .unwrap_or(0);
        let end = self.ends.get(position).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or_default()
    }
}

/// Strings in byte order, concatenated, with the order of their name parts.
#[derive(Debug, Clone, Default)]
struct Sorted {
    /// The strings, in byte order.
    strings: Concatenated,
    /// The position of each string in the forward order (the backward order's strings are reversed).
    forward: Vec<usize>,
    /// The positions of the strings in the order of their name parts.
    by_name: Vec<usize>,
}

impl Sorted {
    /// The strings of `texts` (concatenated, in forward order) sorted, `name` giving the name part of
    /// each.
    fn new(texts: Concatenated, name: fn(&str) -> &str) -> Sorted {
        let mut forward: Vec<usize> = (0..texts.len()).collect();
        // Strings already in order (the forward ones) are sorted in one pass, and kept as they are.
        forward.sort_unstable_by(|&a, &b| texts.get(a).cmp(texts.get(b)));
        let sorted = if forward
            .iter()
            .enumerate()
            .all(|(at, &position)| at == position)
        {
            texts
        } else {
            let mut sorted = Concatenated::with_capacity(texts.text.len(), texts.len());
            for &position in &forward {
                sorted.push(texts.get(position));
            }
            sorted
        };
        let names: Vec<&str> = (0..sorted.len()).map(|at| name(sorted.get(at))).collect();
        let mut by_name: Vec<usize> = (0..sorted.len()).collect();
        by_name.sort_by(|&a, &b| names[a].cmp(names[b]));
        Sorted {
            strings: sorted,
            forward,
            by_name,
        }
    }

    /// The string at a position.
    fn get(&self, position: usize) -> &str {
        self.strings.get(position)
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
                self.strings.len(),
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
    /// Indexes the distinct strings of `strings`, with their grams when they are at least
    /// [`FEW_STRINGS`].
    pub(crate) fn new<'a>(strings: impl IntoIterator<Item = &'a str>) -> NearIndex {
        NearIndex::build(strings, FEW_STRINGS)
    }

    /// [`NearIndex::new`], with grams or without them, however many the strings.
    #[cfg(test)]
    pub(crate) fn with_grams<'a>(
        strings: impl IntoIterator<Item = &'a str>,
        grams: bool,
    ) -> NearIndex {
        NearIndex::build(strings, if grams { 0 } else { usize::MAX })
    }

    /// Indexes the distinct strings of `strings`, with their grams when they are at least
    /// `grams_from`.
    fn build<'a>(strings: impl IntoIterator<Item = &'a str>, grams_from: usize) -> NearIndex {
        let mut strings: Vec<&str> = strings.into_iter().collect();
        strings.sort_unstable();
        strings.dedup();
        // One copy of the strings, in order, which every pass below reads.
        let mut texts =
            Concatenated::with_capacity(strings.iter().map(|s| s.len()).sum(), strings.len());
        for string in strings {
            texts.push(string);
        }
        let mut reversed = Concatenated::with_capacity(texts.text.len(), texts.len());
        let mut string = String::new();
        for position in 0..texts.len() {
            string.clear();
            string.extend(texts.get(position).chars().rev());
            reversed.push(&string);
        }
        let backward = Sorted::new(reversed, reversed_name_part);
        let forward = Sorted::new(texts, name_part);
        let strings: Vec<&str> = (0..forward.strings.len())
            .map(|at| forward.get(at))
            .collect();
        let names: Vec<&str> = strings.iter().map(|s| name_part(s)).collect();
        let prefixed = strings
            .iter()
            .zip(&names)
            .any(|(s, name)| name.len() < s.len());
        let sketches: Vec<(Sketch, Sketch)> = strings
            .iter()
            .zip(&names)
            .map(|(s, name)| (Sketch::of(s), Sketch::of(name)))
            .collect();
        let grams = (strings.len() >= grams_from)
            .then(|| Grams::new(&strings, &names, &sketches))
            .flatten();
        let counts = strings
            .iter()
            .zip(&names)
            .map(|(s, name)| (Counts::of(s), Counts::of(name)))
            .collect();
        let mut prefixes: HashMap<Box<str>, u32> = HashMap::new();
        let prefix_numbers = strings
            .iter()
            .zip(&names)
            .map(
                |(s, name)| match s.get(..s.len() - name.len()).unwrap_or_default() {
                    "" => 0,
                    prefix => {
                        let next = prefixes.len() as u32 + 1;
                        *prefixes.entry(prefix.into()).or_insert(next)
                    }
                },
            )
            .collect();
        NearIndex {
            forward,
            backward,
            sketches,
            counts,
            prefix_numbers,
            prefixes,
            prefixed,
            grams,
        }
    }

    /// The number of strings.
    fn len(&self) -> usize {
        self.forward.strings.len()
    }

    /// The strings within `radius` of `query`, or whose name part is within `radius` of the query's,
    /// by the optimal-string-alignment distance (in characters); each once, in byte order. Every
    /// string within the radius is found; the caller scores them.
    #[cfg(test)]
    fn within(&self, query: &str, radius: usize) -> Vec<&str> {
        self.bounds(query, radius).within(radius)
    }

    /// The bounds of a search for `query` that widens its radius step by step up to `limit` (see
    /// [`Bounds`]).
    pub(crate) fn bounds<'i, 'q>(&'i self, query: &'q str, limit: usize) -> Bounds<'i, 'q> {
        let query_name = name_part(query);
        Bounds {
            index: self,
            query,
            query_name,
            // Name parts matter only where some string or the query has a prefix: otherwise each name
            // part is its whole string.
            by_name: self.prefixed || query_name.len() < query.len(),
            limit: u32::try_from(limit).unwrap_or(u32::MAX),
            covers: None,
            near: Vec::new(),
        }
    }

    /// The strings that `query`, or its name part, may be within `radius` of, by the count filter of
    /// [`Grams`], with a lower bound on the distance of each; ascending, each once. `None` when the
    /// filter cannot tell for the query or its name part.
    fn filtered(&self, query: &str, radius: u32) -> Option<Vec<(usize, u8)>> {
        let grams = self.grams.as_ref()?;
        let query_name = name_part(query);
        let mut near = Vec::new();
        let texts = if query_name.len() < query.len() {
            &[query, query_name][..]
        } else {
            &[query][..]
        };
        for &text in texts {
            let found = self
                .filter(grams, Gram::Triple, text, radius, self.len())
                .or_else(|| self.filter(grams, Gram::Pair, text, radius, self.len()))?;
            near.extend(found);
        }
        // The least bound of each string first, then the string once.
        near.sort_unstable();
        near.dedup_by_key(|&mut (position, _)| position);
        Some(near)
    }

    /// The count filter of [`Grams`] by `gram` for `text`: the forward position of each string that
    /// it or its name part may be within `limit` of, with the greater of the bounds of the grams and of
    /// the sketches. `None` when the grams cannot bound the distance within the limit, or when counting
    /// would go through more than `budget` entries of the lists (`filtered` allows as many as there
    /// are strings: the pass over the sketches is then about as fast).
    fn filter(
        &self,
        grams: &Grams,
        gram: Gram,
        text: &str,
        limit: u32,
        budget: usize,
    ) -> Option<Vec<(usize, u8)>> {
        let sketch = (Sketch::of(text), &Counts::of(text));
        let (mut codes, mut keys) = (Vec::new(), Vec::new());
        padded_codes(&grams.alphabet, text, &mut codes);
        gram_keys(gram, &codes, &mut keys);
        let window = grams.window(sketch.0.chars, limit);
        let postings = grams.of(gram);
        let mut lists: Vec<&[u32]> = keys
            .iter()
            .map(|&key| postings.list(key, &window))
            .collect();
        lists.sort_unstable_by_key(|list| Reverse(list.len()));
        // A string within the limit shares all but at most `lost` of the query's grams (see `Grams`); a
        // list not counted takes at most one more from that. The longest lists are skipped while at
        // least one is left to count.
        let lost = usize::try_from(limit).ok()?.checked_mul(gram.size())?;
        let spare = keys.len().checked_sub(lost)?.checked_sub(1)?;
        let long = window.len() / LONG_LIST;
        let skipped = lists
            .iter()
            .take(spare)
            .take_while(|list| list.len() > long)
            .count();
        let counted = lists.get(skipped..).unwrap_or_default();
        if counted.iter().map(|list| list.len()).sum::<usize>() > budget {
            return None;
        }
        // So a string within the limit holds at least `least` (one or more) of the counted grams.
        // Count how many each entry of the window holds (stopping at 255), and note each as it reaches
        // `least`.
        let least = u8::try_from(counted.len().saturating_sub(lost)).unwrap_or(u8::MAX);
        let mut shared = vec![0u8; window.len()];
        let mut reached: Vec<u32> = Vec::new();
        for &number in counted.iter().copied().flatten() {
            if let Some(count) = shared.get_mut((number as usize).wrapping_sub(window.start)) {
                let before = *count;
                *count = before.saturating_add(1);
                if before.wrapping_add(1) == least {
                    reached.push(number);
                }
            }
        }
        // A string within distance `k` lacks at most `size * k` of the counted grams: `k` is at least
        // what it lacks over the size (nothing is known of a count that stopped at 255).
        let mut near = Vec::new();
        for number in reached {
            let count = shared
                .get((number as usize).wrapping_sub(window.start))
                .copied()
                .unwrap_or(0);
            let by_grams = match count {
                u8::MAX => 0,
                count => counted
                    .len()
                    .saturating_sub(usize::from(count))
                    .div_ceil(gram.size()),
            };
            let by_grams = u32::try_from(by_grams).unwrap_or(u32::MAX);
            let Some(&entry) = grams.entries.get(number as usize) else {
                continue;
            };
            let position = (entry >> 1) as usize;
            let (Some(&(whole, name)), Some(counts)) =
                (self.sketches.get(position), self.counts.get(position))
            else {
                continue;
            };
            let other = if entry & 1 == 0 {
                (whole, &counts.0)
            } else {
                (name, &counts.1)
            };
            let lower = by_grams.max(distance_at_least(sketch, other, limit));
            if lower <= limit {
                near.push((position, clamp(lower)));
            }
        }
        Some(near)
    }

    /// The lower bounds the sketches give on the distance between `query` and each string, in one pass
    /// over them all; the strings whose bound is within `limit`.
    ///
    /// A string with the query's own `prefix/` is bounded by its name part alone: stripping a prefix
    /// both share changes no edit distance, so its whole string is exactly as near as its name part.
    /// (The shared characters of a long prefix would otherwise let most of its strings through.)
    fn sketch_pass(&self, query: &str, limit: u32) -> Vec<(usize, u8)> {
        let query_name = name_part(query);
        let by_name = self.prefixed || query_name.len() < query.len();
        // The number of the query's prefix among the strings' (0 when it has none or no string has it).
        let query_prefix = self.prefixes.get(prefix(query)).copied().unwrap_or(0);
        let whole = (Sketch::of(query), &Counts::of(query));
        let name = (Sketch::of(query_name), &Counts::of(query_name));
        let within = clamp(limit);
        self.sketches
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
            .enumerate()
            .filter(|&(_, lower)| lower <= within)
            .collect()
    }

    /// The strings within `radius` of `query`, found by walking the sorted strings.
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

/// The strings of a [`NearIndex`] that may be near one query, with lower bounds on their distances,
/// for a search that widens its radius step by step, from [`NearIndex::bounds`].
///
/// Each radius the search widens to is filtered anew by [`Grams`] (the window of lengths and the
/// threshold of the count depend on it, and a small radius costs far less than the limit); where the
/// grams cannot tell, one pass over the sketches of every string serves every radius up to the limit.
pub(crate) struct Bounds<'i, 'q> {
    index: &'i NearIndex,
    query: &'q str,
    query_name: &'q str,
    by_name: bool,
    /// The largest radius the search will widen to.
    limit: u32,
    /// The radius `near` holds every string within (with others); `None` before the first search.
    covers: Option<u32>,
    /// The forward position of each string whose bound is within `covers`, ascending, with the bound.
    near: Vec<(usize, u8)>,
}

impl<'i> Bounds<'i, '_> {
    /// The strings within `radius` of the query: those whose bound is within it are measured
    /// directly when they are at most [`DIRECT_CHECKS`] or half the strings; beyond, the sorted
    /// strings are walked.
    pub(crate) fn within(&mut self, radius: usize) -> Vec<&'i str> {
        let wanted = u32::try_from(radius).unwrap_or(u32::MAX);
        if self.covers.is_none_or(|covers| covers < wanted) {
            match self.index.filtered(self.query, wanted) {
                Some(near) => (self.near, self.covers) = (near, Some(wanted)),
                None => {
                    let limit = self.limit.max(wanted);
                    self.near = self.index.sketch_pass(self.query, limit);
                    self.covers = Some(limit);
                }
            }
        }
        let bound = u8::try_from(radius).unwrap_or(u8::MAX);
        let most = DIRECT_CHECKS.max(self.index.len() / 2);
        let left: Vec<usize> = self
            .near
            .iter()
            .filter(|&&(_, lower)| lower <= bound)
            .map(|&(position, _)| position)
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
///
/// Only the cells of the table within `limit` of its diagonal are computed: a cell is at least the
/// difference of the lengths of its two prefixes, so the others are beyond the limit. They, and every
/// value beyond the limit, are held as `limit + 1`, which changes no value within it.
pub(crate) fn osa_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // No distance exceeds the longer length.
    let limit = limit.min(a.len().max(b.len()));
    let far = limit + 1;
    // Rows i-2, i-1 and i of the distance table between prefixes of `a` and `b`.
    let mut before: Vec<usize> = vec![far; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).map(|j| j.min(far)).collect();
    let mut current: Vec<usize> = vec![far; b.len() + 1];
    for i in 1..=a.len() {
        // The band of row i, and the cells either side of it that the next rows read.
        let (low, high) = ((i.saturating_sub(limit)).max(1), (i + limit).min(b.len()));
        current[0] = i.min(far);
        if low > 1 {
            current[low - 1] = far;
        }
        if high < b.len() {
            current[high + 1] = far;
        }
        for j in low..=high {
            let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut distance = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                distance = distance.min(before[j - 2] + 1);
            }
            current[j] = distance.min(far);
        }
        if current[low - 1..=high].iter().all(|&value| value > limit) {
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
            (0..sorted.strings.len())
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
        for grams in [true, false] {
            let index =
                NearIndex::with_grams(["tier", "tear", "acme.io/teir", "zone", "tiers"], grams);
            assert_eq!(index.within("teir", 0), ["acme.io/teir"]);
            assert_eq!(index.within("teir", 1), ["acme.io/teir", "tear", "tier"]);
            assert_eq!(index.within("x.io/zone", 0), ["zone"]);
            assert!(index.within("zzzzzz", 2).is_empty());
        }
    }

    #[test]
    fn within_counts_characters_and_transpositions() {
        for grams in [true, false] {
            let index = NearIndex::with_grams(["région", "ca", "abc"], grams);
            assert_eq!(index.within("region", 1), ["région"]);
            // OSA: `ca` → `abc` is 3, not 2 (no substring is edited twice).
            assert!(!index.within("ca", 2).contains(&"abc"));
            assert!(index.within("ca", 3).contains(&"abc"));
        }
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
    fn the_walk_the_grams_and_the_sketches_find_the_same_strings() {
        let words: Vec<String> = (0..600)
            .map(|i| format!("w{}-{}", i % 37, i * 7919 % 1000))
            .collect();
        for grams in [true, false] {
            let index = NearIndex::with_grams(words.iter().map(String::as_str), grams);
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

    /// The optimal-string-alignment distance by the whole table, with no limit: what `osa_distance`
    /// must agree with.
    pub(super) fn full_table(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        // Row `i` starts at `i`; row 0 counts up.
        let mut table: Vec<Vec<usize>> = (0..=a.len())
            .map(|i| (0..=b.len()).map(|j| if i == 0 { j } else { i }).collect())
            .collect();
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let mut distance = (table[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]))
                    .min(table[i - 1][j] + 1)
                    .min(table[i][j - 1] + 1);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    distance = distance.min(table[i - 2][j - 2] + 1);
                }
                table[i][j] = distance;
            }
        }
        table[a.len()][b.len()]
    }

    #[test]
    fn the_grams_count_entries_of_a_length_within_the_limit() {
        let index =
            NearIndex::with_grams(["tier", "tear", "acme.io/teir", "zone", "tiers", "t"], true);
        let grams = index.grams.as_ref().expect("few strings");
        // Every string, and the name part of `acme.io/teir`, by length.
        let lengths: Vec<u32> = grams.lengths.iter().map(|&(length, _)| length).collect();
        assert_eq!(lengths, [1, 4, 5, 12]);
        assert_eq!(grams.entries.len(), 7);
        assert_eq!(grams.window(4, 1), 1..6);
        assert_eq!(grams.window(4, 0), 1..5);
        assert_eq!(grams.window(0, u32::MAX), 0..7);
        // `teir` within 1 by pairs: the name part of `acme.io/teir` at 0; `tier` and `tear` may be
        // within 1 (`tear` is 2 away, but shares three of its five pairs).
        let near = |gram, text, limit| {
            let mut near = index.filter(grams, gram, text, limit, usize::MAX)?;
            near.sort_unstable();
            Some(
                near.into_iter()
                    .map(|(position, lower)| (index.forward.get(position), lower))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            near(Gram::Pair, "teir", 1).expect("long enough"),
            [("acme.io/teir", 0), ("tear", 1), ("tier", 1)]
        );
        // Four triples tell less: sharing one is enough to be within 1 (`tear` shares `{^,t,e}`).
        assert_eq!(
            near(Gram::Triple, "teir", 1).expect("long enough"),
            [("acme.io/teir", 0), ("tear", 1), ("tier", 1), ("tiers", 1)]
        );
        // Four triples cannot bound a distance within 2, nor two pairs a distance within 1: the
        // sketches decide.
        assert!(near(Gram::Triple, "teir", 2).is_none());
        assert!(near(Gram::Pair, "t", 1).is_none());
        // Nor does it count more than its budget.
        assert!(index.filter(grams, Gram::Pair, "teir", 1, 2).is_none());
    }

    #[test]
    fn huge_strings_are_indexed_and_searched() {
        let huge = "ab".repeat(100_000);
        for grams in [true, false] {
            let index = NearIndex::with_grams([huge.as_str(), "abab", "x/abab"], grams);
            assert_eq!(index.within("abba", 1), ["abab", "x/abab"]);
            let query = "ba".repeat(1_000);
            assert!(index.within(&query, 3).is_empty());
            assert!(index.within(&huge[1..], 0).is_empty());
        }
    }

    /// Strings from a small alphabet with a two-byte character, so that many are near, some with a
    /// `prefix/`, some empty or of one character.
    fn word() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::string::string_regex("([aé]{0,3}/)?[abé-]{0,8}").expect("a valid pattern")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::with_cases(1024)
        })]

        /// The band of the table gives the distance of the whole table, within any limit.
        #[test]
        fn osa_distance_is_the_distance_of_the_whole_table(
            a in "[abé]{0,12}",
            b in "[abé]{0,12}",
            limit in 0usize..14,
        ) {
            let exact = full_table(&a, &b);
            proptest::prop_assert_eq!(osa_distance(&a, &b, limit), (exact <= limit).then_some(exact));
            proptest::prop_assert_eq!(osa_distance(&a, &b, usize::MAX), Some(exact));
        }

        /// The count filter misses no string that the query, or its name part, is within the limit of
        /// (whole or by the string's name part), and bounds none above its distance.
        #[test]
        fn the_count_filter_misses_nothing_within_the_limit(
            vocabulary in proptest::collection::btree_set(word(), 0..60),
            query in word(),
            limit in 0u32..5,
        ) {
            let index = NearIndex::with_grams(vocabulary.iter().map(String::as_str), true);
            let grams = index.grams.as_ref().expect("few strings");
            for text in [query.as_str(), name_part(&query)] {
                let exact: Vec<usize> = vocabulary
                    .iter()
                    .map(|string| full_table(text, string).min(full_table(text, name_part(string))))
                    .collect();
                for gram in [Gram::Pair, Gram::Triple] {
                    let Some(near) = index.filter(grams, gram, text, limit, usize::MAX) else {
                        // Only when too few grams are left to bound the distance within the limit.
                        let (count, size) = (grams::tests::grams(gram, text), gram.size());
                        proptest::prop_assert!(count <= size * limit as usize);
                        continue;
                    };
                    for (position, &exact) in exact.iter().enumerate() {
                        if exact <= limit as usize {
                            // The string may come whole and by its name part: the lesser bound counts.
                            let lower = near
                                .iter()
                                .filter(|&&(at, _)| at == position)
                                .map(|&(_, lower)| lower)
                                .min();
                            proptest::prop_assert!(
                                lower.is_some_and(|lower| usize::from(lower) <= exact),
                                "{:?} {:?} #{} at {}: {:?}", gram, text, position, exact, lower
                            );
                        }
                    }
                }
            }
        }

        /// Whichever way the bounds were found, `within` finds exactly the strings within each radius
        /// as a search widens it.
        #[test]
        fn within_finds_exactly_the_strings_within_the_radius(
            vocabulary in proptest::collection::btree_set(word(), 0..60),
            query in word(),
            limit in 0usize..5,
        ) {
            let index = NearIndex::with_grams(vocabulary.iter().map(String::as_str), true);
            let mut bounds = index.bounds(&query, limit);
            let mut passed = Bounds {
                near: index.sketch_pass(&query, limit as u32),
                covers: Some(limit as u32),
                ..index.bounds(&query, limit)
            };
            for radius in 0..=limit {
                let expected: Vec<&str> = vocabulary
                    .iter()
                    .map(String::as_str)
                    .filter(|string| {
                        full_table(&query, string) <= radius
                            || full_table(name_part(&query), name_part(string)) <= radius
                    })
                    .collect();
                proptest::prop_assert_eq!(&bounds.within(radius), &expected);
                proptest::prop_assert_eq!(&passed.within(radius), &expected);
            }
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
