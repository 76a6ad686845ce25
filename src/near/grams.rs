//! The count filter of a [`NearIndex`](super::NearIndex): the grams of its strings, unordered
//! pairs and triples of adjacent characters, and the posting lists of the strings holding each.

use std::collections::HashMap;
use std::ops::Range;

use super::Sketch;

/// A posting list holding more than this fraction of the entries a search looks at is skipped when
/// the count filter can spare it (see [`Grams`]): each skipped list lowers the count a string must
/// reach by one, and the longest lists cost the most to count and tell the least.
pub(super) const LONG_LIST: usize = 8;

/// The codes of the characters grams are made of (see [`Alphabet`]): the marks padding a string
/// before its first character and after its last, the code every infrequent character shares, and the
/// most codes an alphabet has.
const START: u32 = 0;
const END: u32 = 1;
const OTHER: u32 = 2;
const CODES: u32 = 64;

/// The copies among at most this many grams are numbered by looking back at the ones before, among
/// more by sorting them.
const FEW_GRAMS: usize = 64;

/// The grams of a [`Grams`] index: the unordered pairs, or triples, of adjacent characters of a string
/// padded with a mark before its first character and one after its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gram {
    Pair,
    Triple,
}

impl Gram {
    /// The number of characters in a gram, which is also the most grams of a string one edit destroys.
    pub(super) fn size(self) -> usize {
        match self {
            Gram::Pair => 2,
            Gram::Triple => 3,
        }
    }

    /// The number of grams over `codes` codes: the multisets of `size` codes, each numbered by
    /// [`pair_number`] or [`triple_number`].
    fn count(self, codes: u32) -> u32 {
        match self {
            Gram::Pair => codes * (codes + 1) / 2,
            Gram::Triple => codes * (codes + 1) * (codes + 2) / 6,
        }
    }
}

/// The number of the pair of codes `low <= high` among the pairs of codes up to `high`: the pairs
/// of lower highs come first, `high (high + 1) / 2` of them.
fn pair_number(low: u32, high: u32) -> u32 {
    high * (high + 1) / 2 + low
}

/// The number of the triple of codes `low <= middle <= high` among the triples of codes up to
/// `high`: the triples of lower highs come first, `high (high + 1) (high + 2) / 6` of them, then
/// those of the same high by the number of their low pair.
fn triple_number(low: u32, middle: u32, high: u32) -> u32 {
    high * (high + 1) * (high + 2) / 6 + pair_number(low, middle)
}

/// The codes of the characters of grams: the [`CODES`] less three most frequent characters of the
/// vocabulary each have one of their own (above the marks and [`OTHER`]), the others share `OTHER`.
#[derive(Debug, Clone)]
pub(super) struct Alphabet {
    /// The code of each ASCII character.
    ascii: [u8; 128],
    /// The codes of the other characters with one of their own.
    others: HashMap<char, u8>,
    /// The number of codes given, marks and `OTHER` included.
    codes: u32,
}

impl Default for Alphabet {
    fn default() -> Alphabet {
        Alphabet {
            ascii: [OTHER as u8; 128],
            others: HashMap::new(),
            codes: OTHER + 1,
        }
    }
}

impl Alphabet {
    /// Gives the most frequent characters of `texts` codes of their own.
    fn of<'a>(texts: impl Iterator<Item = &'a str>) -> Alphabet {
        let mut ascii = [0usize; 128];
        let mut others: HashMap<char, usize> = HashMap::new();
        for c in texts.flat_map(str::chars) {
            match ascii.get_mut(c as usize) {
                Some(count) => *count += 1,
                None => *others.entry(c).or_default() += 1,
            }
        }
        let mut frequent: Vec<(usize, char)> = (0u8..128)
            .map(|c| (ascii[usize::from(c)], char::from(c)))
            .chain(others.into_iter().map(|(c, count)| (count, c)))
            .filter(|&(count, _)| count > 0)
            .collect();
        // The most frequent first, then in order of code point.
        frequent.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut alphabet = Alphabet::default();
        for (code, (_, c)) in (OTHER as u8 + 1..CODES as u8).zip(frequent) {
            match alphabet.ascii.get_mut(c as usize) {
                Some(slot) => *slot = code,
                None => {
                    alphabet.others.insert(c, code);
                }
            }
            alphabet.codes = u32::from(code) + 1;
        }
        alphabet
    }

    /// The code of a character.
    fn code(&self, c: char) -> u32 {
        let code = match self.ascii.get(c as usize) {
            Some(&code) => code,
            None => self.others.get(&c).copied().unwrap_or(OTHER as u8),
        };
        u32::from(code)
    }
}

/// The padded pairs and triples (see [`Gram`]) of each string and of each name part after a `prefix/`,
/// with the entries holding each listed: the count filter in front of the sketches.
///
/// A string is read as the multiset of its grams: `ab`, padded `^ab$`, has the pairs `{^,a}`, `{a,b}`
/// and `{b,$}` (as many as characters plus one) and the triples `{^,a,b}` and `{a,b,$}` (as many as
/// characters). An edit destroys at most `g` of the grams of size `g` of the string it edits (the rest
/// stay, and it only adds others): a substitution or a deletion the `g` grams holding the character,
/// an insertion between `x` and `y` the `g - 1` holding both, and a transposition of `ab` only the two
/// holding one of `a` and `b` but not the other (a gram holding both is unordered, so unchanged). An
/// alignment of optimal-string-alignment distance `k` is `k` such edits, made one after the other;
/// each lowers the grams the edited string shares with the query (as multisets) by at most `g`, so a
/// string within `k` of a query with `n` grams shares at least `n - g k` of them. The count filter
/// counts the grams each string shares with the query by going through the lists of the query's grams,
/// and lets through only the strings whose count leaves them possibly within the radius, with the
/// least radius the count allows as their bound. There are many more triples than pairs (over
/// letters and digits, ten times as many occur), so their lists are shorter, but more of them are lost
/// to each edit: the threshold `n - g k` stays positive for pairs up to a radius of about half the
/// query's length, for triples only up to a third.
///
/// Each gram is keyed with the number of copies of it before it in the string (the first `{a,b}`, the
/// second, ...), so that a list holds an entry at most once and the number of lists that hold it is the
/// size of the multiset intersection. Characters are read through an [`Alphabet`], which may give
/// infrequent ones the same code: the bound holds for the strings of codes it reads, since an edit of
/// the characters is an edit of their codes (or none). A list not counted (the longest ones, see
/// [`LONG_LIST`]) takes at most one from any string's count, so the threshold drops by one for each:
/// the filter is exact as long as the threshold stays at least one, and otherwise the search tries
/// pairs after triples (a pair is lost to fewer edits), then falls back on the pass over the sketches.
/// Entries are numbered in order of their length in characters, so that only the entries of a length
/// within the radius of the query's (a range of numbers) are counted.
///
/// A name part is an entry of its own: a string with the query's `prefix/` is as near to it as its name
/// part is to the query's (a prefix both share changes no distance), and is found by the name part,
/// which its prefix's grams do not crowd.
#[derive(Debug, Clone, Default)]
pub(super) struct Grams {
    pub(super) alphabet: Alphabet,
    /// Each entry in order of length: the forward position of its string times two, plus one for the
    /// string's name part.
    pub(super) entries: Vec<u32>,
    /// Each length in characters some entry has, ascending, with the number of its first entry.
    pub(super) lengths: Vec<(u32, u32)>,
    /// The entries holding each pair.
    pairs: Postings,
    /// The entries holding each triple.
    triples: Postings,
}

impl Grams {
    /// Indexes each of `strings` (in forward order, with their name parts and their sketches, whole
    /// and of the name part) and the name part of each that has a prefix. `None` when the entries or
    /// their grams are too many to number in 32 bits.
    pub(super) fn new(
        strings: &[&str],
        names: &[&str],
        sketches: &[(Sketch, Sketch)],
    ) -> Option<Grams> {
        let alphabet = Alphabet::of(strings.iter().copied());
        let mut entries: Vec<(u32, u32)> = Vec::with_capacity(strings.len());
        for (position, ((string, name), sketch)) in
            strings.iter().zip(names).zip(sketches).enumerate()
        {
            let entry = u32::try_from(position).ok()?.checked_mul(2)?;
            entries.push((sketch.0.chars, entry));
            if name.len() < string.len() {
                entries.push((sketch.1.chars, entry + 1));
            }
        }
        entries.sort_unstable();
        let mut lengths: Vec<(u32, u32)> = Vec::new();
        // An entry has a pair more than characters, and as many triples.
        let chars: usize = entries.iter().map(|&(length, _)| length as usize).sum();
        let (mut pairs, mut triples) = (
            Lists::new(
                Gram::Pair,
                alphabet.codes,
                chars + entries.len(),
                entries.len(),
            ),
            Lists::new(Gram::Triple, alphabet.codes, chars, entries.len()),
        );
        let (mut codes, mut keys) = (Vec::new(), Vec::new());
        for (number, &(length, entry)) in entries.iter().enumerate() {
            let number = u32::try_from(number).ok()?;
            if lengths.last().is_none_or(|&(last, _)| last < length) {
                lengths.push((length, number));
            }
            let texts = if entry & 1 == 0 { strings } else { names };
            let text = texts
                .get((entry >> 1) as usize)
                .copied()
                .unwrap_or_default();
            padded_codes(&alphabet, text, &mut codes);
            gram_keys(Gram::Pair, &codes, &mut keys);
            pairs.add(&keys)?;
            gram_keys(Gram::Triple, &codes, &mut keys);
            triples.add(&keys)?;
        }
        Some(Grams {
            alphabet,
            entries: entries.into_iter().map(|(_, entry)| entry).collect(),
            lengths,
            pairs: pairs.postings()?,
            triples: triples.postings()?,
        })
    }

    /// The numbers of the entries whose length in characters is within `limit` of `chars`.
    pub(super) fn window(&self, chars: u32, limit: u32) -> Range<usize> {
        let first_of = |length: u32| {
            let at = self.lengths.partition_point(|&(other, _)| other < length);
            self.lengths
                .get(at)
                .map_or(self.entries.len(), |&(_, first)| first as usize)
        };
        let end = chars
            .checked_add(limit)
            .and_then(|last| last.checked_add(1))
            .map_or(self.entries.len(), first_of);
        first_of(chars.saturating_sub(limit))..end
    }

    /// The postings of `gram`.
    pub(super) fn of(&self, gram: Gram) -> &Postings {
        match gram {
            Gram::Pair => &self.pairs,
            Gram::Triple => &self.triples,
        }
    }
}

/// The numbers of the entries holding each keyed gram (see [`gram_keys`]), ascending.
#[derive(Debug, Clone, Default)]
pub(super) struct Postings {
    /// The key of each list (its gram, and the copy in the low 32 bits), ascending, with where the
    /// list starts in `postings`; it ends where the next starts.
    keys: Vec<(u64, u32)>,
    /// The lists one after the other.
    postings: Vec<u32>,
}

impl Postings {
    /// The entries of `window` that hold the keyed gram.
    pub(super) fn list(&self, (gram, copy): (u32, u32), window: &Range<usize>) -> &[u32] {
        let key = u64::from(gram) << 32 | u64::from(copy);
        let list = self
            .keys
            .binary_search_by_key(&key, |&(key, _)| key)
            .ok()
            .and_then(|at| {
                let start = self.keys.get(at)?.1 as usize;
                let end = self
                    .keys
                    .get(at + 1)
                    .map_or(self.postings.len(), |&(_, end)| end as usize);
                self.postings.get(start..end)
            })
            .unwrap_or_default();
        let start = list.partition_point(|&number| (number as usize) < window.start);
        let end = list.partition_point(|&number| (number as usize) < window.end);
        list.get(start..end).unwrap_or_default()
    }
}

/// [`Postings`] being built: the list of each key of each entry, entry after entry, and the length of
/// each list. The first copy of gram `g` has list `g`; further copies have lists numbered after every
/// gram's.
#[derive(Debug)]
struct Lists {
    /// The number of grams, whose first copies have the first lists.
    grams: usize,
    /// The list of each further copy of a gram, by the gram and the copy.
    copies: HashMap<(u32, u32), u32>,
    /// The number of entries each list holds.
    sizes: Vec<u32>,
    /// The lists that hold each entry, entry after entry.
    held: Vec<u32>,
    /// Where the lists of each entry end in `held`; they start where the entry before's end.
    ends: Vec<usize>,
}

impl Lists {
    /// No lists yet, of `gram`s over `codes` codes, with room for `keys` keys of `entries` entries.
    fn new(gram: Gram, codes: u32, keys: usize, entries: usize) -> Lists {
        let grams = gram.count(codes) as usize;
        Lists {
            grams,
            copies: HashMap::new(),
            sizes: vec![0; grams],
            held: Vec::with_capacity(keys),
            ends: Vec::with_capacity(entries),
        }
    }

    /// Adds the next entry, with the keys of its grams. `None` when the lists or their entries are
    /// too many to number in 32 bits.
    fn add(&mut self, keys: &[(u32, u32)]) -> Option<()> {
        for &(gram, copy) in keys {
            let list = match copy {
                0 => gram,
                _ => {
                    let next = u32::try_from(self.sizes.len()).ok()?;
                    let list = *self.copies.entry((gram, copy)).or_insert(next);
                    if list == next {
                        self.sizes.push(0);
                    }
                    list
                }
            };
            let size = self.sizes.get_mut(list as usize)?;
            *size = size.checked_add(1)?;
            self.held.push(list);
        }
        self.ends.push(self.held.len());
        Some(())
    }

    /// The lists that hold entries one after the other, in the order of their keys, each filled in
    /// the order of the entries. `None` when they hold too many to address in 32 bits.
    fn postings(self) -> Option<Postings> {
        // Each list that holds entries, by its key: (key, list) for now, (key, start) once laid out.
        // The first copies are in order already; the few others are merged in.
        let mut copies: Vec<(u64, u32)> = self
            .copies
            .iter()
            .map(|(&(gram, copy), &list)| (u64::from(gram) << 32 | u64::from(copy), list))
            .collect();
        copies.sort_unstable();
        let mut copies = copies.into_iter().peekable();
        let mut keys: Vec<(u64, u32)> = Vec::with_capacity(self.sizes.len());
        for (list, _) in (0u32..)
            .zip(&self.sizes)
            .take(self.grams)
            .filter(|&(_, &size)| size > 0)
        {
            let key = u64::from(list) << 32;
            keys.extend(std::iter::from_fn(|| {
                copies.next_if(|&(other, _)| other < key)
            }));
            keys.push((key, list));
        }
        keys.extend(copies);
        // Where the next entry of each list goes.
        let mut next = vec![0u32; self.sizes.len()];
        let mut end = 0u32;
        for (_, list) in &mut keys {
            let size = self.sizes.get(*list as usize).copied().unwrap_or(0);
            if let Some(next) = next.get_mut(*list as usize) {
                *next = end;
            }
            (*list, end) = (end, end.checked_add(size)?);
        }
        let mut postings = vec![0; end as usize];
        let mut start = 0;
        for (number, &end) in self.ends.iter().enumerate() {
            for &list in self.held.get(start..end).unwrap_or_default() {
                if let Some(at) = next.get_mut(list as usize) {
                    if let Some(posting) = postings.get_mut(*at as usize) {
                        *posting = number as u32;
                    }
                    *at += 1;
                }
            }
            start = end;
        }
        Some(Postings { keys, postings })
    }
}

/// Puts in `codes` the codes of the characters of `text` padded with the marks (see [`Alphabet`]).
pub(super) fn padded_codes(alphabet: &Alphabet, text: &str, codes: &mut Vec<u32>) {
    codes.clear();
    codes.push(START);
    codes.extend(text.chars().map(|c| alphabet.code(c)));
    codes.push(END);
}

/// Puts in `keys` the key of each gram of the padded `codes` of a string (see [`Grams`]): the number
/// of the gram, and the number of copies of the same gram before it, so that no two are equal.
pub(super) fn gram_keys(gram: Gram, codes: &[u32], keys: &mut Vec<(u32, u32)>) {
    keys.clear();
    match gram {
        Gram::Pair => keys.extend(codes.windows(2).map(|pair| {
            let (a, b) = (pair[0], pair[1]);
            (pair_number(a.min(b), a.max(b)), 0)
        })),
        Gram::Triple => keys.extend(codes.windows(3).map(|triple| {
            let (a, b, c) = (triple[0], triple[1], triple[2]);
            let (low, high) = (a.min(b), a.max(b));
            let (low, middle, high) = (low.min(c), high.min(c).max(low), high.max(c));
            (triple_number(low, middle, high), 0)
        })),
    }
    number_copies(keys);
}

/// Numbers the copies of each gram of `keys`.
fn number_copies(keys: &mut [(u32, u32)]) {
    if keys.len() <= FEW_GRAMS {
        // A gram is looked for among the ones before only when a bit of a 6-bit hash of it is set.
        let mut seen = 0u64;
        for at in 0..keys.len() {
            let (before, rest) = keys.split_at_mut(at);
            let Some((gram, copy)) = rest.first_mut() else {
                break;
            };
            let bit = 1 << (u64::from(*gram).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58);
            if seen & bit != 0 {
                let copies = before.iter().filter(|&&(other, _)| other == *gram).count();
                *copy = u32::try_from(copies).unwrap_or(u32::MAX);
            }
            seen |= bit;
        }
        return;
    }
    keys.sort_unstable();
    let mut previous = None;
    let mut copies = 0u32;
    for (gram, copy) in keys.iter_mut() {
        copies = if previous == Some(*gram) {
            copies.saturating_add(1)
        } else {
            0
        };
        previous = Some(*gram);
        *copy = copies;
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::near::tests::full_table;

    /// The keys two strings' grams share (each character with a code of its own): the size of the
    /// intersection of their gram multisets.
    fn shared(gram: Gram, a: &str, b: &str) -> usize {
        let alphabet = Alphabet::of([a, b].into_iter());
        let [a_keys, b_keys] = [a, b].map(|text| keys(gram, &alphabet, text));
        a_keys.iter().filter(|key| b_keys.contains(key)).count()
    }

    /// The keys of the grams of `text`.
    fn keys(gram: Gram, alphabet: &Alphabet, text: &str) -> Vec<(u32, u32)> {
        let (mut codes, mut keys) = (Vec::new(), Vec::new());
        padded_codes(alphabet, text, &mut codes);
        gram_keys(gram, &codes, &mut keys);
        keys
    }

    /// The number of grams of `text`.
    pub(in crate::near) fn grams(gram: Gram, text: &str) -> usize {
        keys(gram, &Alphabet::default(), text).len()
    }

    #[test]
    fn grams_are_padded_unordered_and_numbered() {
        let pairs = |a, b| shared(Gram::Pair, a, b);
        assert_eq!(pairs("", ""), 1);
        assert_eq!(pairs("ab", "ba"), 1); // `{a,b}`, not the ends
        assert_eq!(pairs("abab", "abab"), 5);
        assert_eq!(pairs("abab", "ab"), 3); // the first `{a,b}` and both ends
        assert_eq!(pairs("région", "region"), 5); // `é` is one character
        let triples = |a, b| shared(Gram::Triple, a, b);
        assert_eq!(grams(Gram::Triple, ""), 0);
        assert_eq!(grams(Gram::Triple, "a"), 1);
        assert_eq!(triples("abc", "acb"), 2); // `{a,b,c}` twice: `abc`, and `bc$` as `cb$`
        assert_eq!(triples("aaaa", "aaaa"), 4);
        assert_eq!(triples("aaaa", "aa"), 2); // `{^,a,a}`, `{a,a,$}`
        // Many grams: numbered by sorting.
        let long = "ab".repeat(50);
        assert_eq!(shared(Gram::Pair, &long, &long), 101);
        // `{^,a,b}`, `{a,b,$}`, and all but one `{a,a,b}` of the 49 in `abab...`.
        assert_eq!(shared(Gram::Triple, &long, &long[1..]), 99);
    }

    #[test]
    fn grams_are_numbered_one_to_one() {
        for codes in [OTHER + 1, 42, CODES] {
            let mut pairs = vec![false; Gram::Pair.count(codes) as usize];
            let mut triples = vec![false; Gram::Triple.count(codes) as usize];
            for high in 0..codes {
                for middle in 0..=high {
                    let pair = &mut pairs[pair_number(middle, high) as usize];
                    assert!(!*pair);
                    *pair = true;
                    for low in 0..=middle {
                        let triple = &mut triples[triple_number(low, middle, high) as usize];
                        assert!(!*triple);
                        *triple = true;
                    }
                }
            }
            assert!(pairs.into_iter().chain(triples).all(|numbered| numbered));
        }
    }

    #[test]
    fn infrequent_characters_share_a_code() {
        // 26 letters, 10 digits, and 40 characters from `À`, each of them less frequent.
        let text: String = ('a'..='z')
            .chain('0'..='9')
            .flat_map(|c| [c, c])
            .chain('À'..='ç')
            .collect();
        let alphabet = Alphabet::of([text.as_str()].into_iter());
        assert_eq!(alphabet.code('0'), OTHER + 1);
        assert_eq!(alphabet.code('a'), OTHER + 11);
        let codes: std::collections::BTreeSet<u32> =
            text.chars().map(|c| alphabet.code(c)).collect();
        assert_eq!(codes.len() as u32, CODES - OTHER);
        assert_eq!(alphabet.code('ç'), OTHER);
        assert_eq!(alphabet.code('?'), OTHER);
        // Merged characters make grams alike: they share more, never fewer.
        assert_eq!(
            keys(Gram::Pair, &alphabet, "çæ"),
            [
                (pair_number(START, OTHER), 0),
                (pair_number(OTHER, OTHER), 0),
                (pair_number(END, OTHER), 0)
            ]
        );
        assert_eq!(
            keys(Gram::Triple, &alphabet, "çæ"),
            [
                (triple_number(START, OTHER, OTHER), 0),
                (triple_number(END, OTHER, OTHER), 0)
            ]
        );
        assert_eq!(alphabet.codes, CODES);
        // An alphabet has only the codes its characters need.
        assert_eq!(Alphabet::of(["abba", "c"].into_iter()).codes, OTHER + 4);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::with_cases(1024)
        })]

        /// What the count filter rests on: an edit destroys at most `g` grams of size `g`, so strings
        /// at distance `k` share all but `g k` of the grams of each.
        #[test]
        fn strings_within_k_share_all_but_g_k_grams(a in "[abé]{0,9}", b in "[abé]{0,9}") {
            for gram in [Gram::Pair, Gram::Triple] {
                let lost = gram.size() * full_table(&a, &b);
                let most = grams(gram, &a).max(grams(gram, &b));
                proptest::prop_assert!(shared(gram, &a, &b) + lost >= most, "{:?}", gram);
            }
        }

    }
}
