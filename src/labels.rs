//! The [`Labels`] trait: how the engine reads a node's labels.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// A node's labels, as the engine reads them: a lookup from key to value.
///
/// A key that is present with the empty value is present (`x=` matches it, `!x` does not). Implemented for
/// `HashMap` and `BTreeMap` with `String` or `&str` keys and values, and for references to any
/// implementation. Implement it for your own node type to match it without copying its labels.
///
/// # Which label type to use
///
/// Matching costs little more than the key lookups it makes, one per requirement, so the label type
/// decides the speed of a scan. Over `HashMap<String, String>` with std's default hasher (SipHash, built
/// to resist hash flooding) hashing the key is most of the work; a `HashMap<String, String, S>` with a
/// fast [`BuildHasher`] (foldhash's or rustc-hash's, say) makes each lookup cheaper; a [`LabelSet`],
/// prepared once per node, needs no hashing at all; and a [`Fleet`](crate::Fleet) answers a selector for
/// a whole fleet from its index without visiting the nodes. `cargo bench --bench match` measures each of
/// them side by side on the same 100,000 nodes.
///
/// ```
/// use labelsel::{Expression, Labels};
///
/// struct Node {
///     zone: String,
/// }
///
/// impl Labels for Node {
///     fn get(&self, key: &str) -> Option<&str> {
///         (key == "zone").then_some(self.zone.as_str())
///     }
/// }
///
/// let expr = Expression::parse("zone in (a, b)")?;
/// assert!(expr.matches(&Node { zone: "b".into() }));
/// # Ok::<(), labelsel::ParseError>(())
/// ```
pub trait Labels {
    /// The value of `key`, or `None` when the node lacks the key.
    fn get(&self, key: &str) -> Option<&str>;
}

impl<L: Labels + ?Sized> Labels for &L {
    fn get(&self, key: &str) -> Option<&str> {
        (**self).get(key)
    }
}

impl<S: BuildHasher> Labels for HashMap<String, String, S> {
    fn get(&self, key: &str) -> Option<&str> {
        HashMap::get(self, key).map(String::as_str)
    }
}

impl<S: BuildHasher> Labels for HashMap<&str, &str, S> {
    fn get(&self, key: &str) -> Option<&str> {
        HashMap::get(self, key).copied()
    }
}

impl Labels for BTreeMap<String, String> {
    fn get(&self, key: &str) -> Option<&str> {
        BTreeMap::get(self, key).map(String::as_str)
    }
}

impl Labels for BTreeMap<&str, &str> {
    fn get(&self, key: &str) -> Option<&str> {
        BTreeMap::get(self, key).copied()
    }
}

/// A node's labels prepared once for fast repeated matching: one contiguous allocation holding the
/// entries sorted by key and their text.
///
/// Build it from any `(key, value)` pairs; when a key repeats, the last value wins, as when collecting
/// into a map. Lookups are a binary search over the sorted keys, with no hashing. Building one panics
/// only if its text exceeds 4 GiB.
///
/// ```
/// use labelsel::{Expression, LabelSet, Labels};
///
/// let node: LabelSet = [("zone", "us-east-1a"), ("gpu", "nvidia-l4"), ("zone", "us-east-1b")]
///     .into_iter()
///     .collect();
/// assert_eq!(node.len(), 2);
/// assert_eq!(node.get("zone"), Some("us-east-1b"));
/// assert!(Expression::parse("gpu, zone in (us-east-1b)")?.matches(&node));
/// # Ok::<(), labelsel::ParseError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct LabelSet {
    /// `count: u32`, then `count` entries of (key start, value start, value end) as `u32`s, then the
    /// text of every key and value. All numbers are little-endian; offsets index `data`. The empty set
    /// holds no bytes at all, so that equal sets have equal bytes.
    data: Box<[u8]>,
}

/// Bytes of one entry: key start, value start (the key's end), value end.
const ENTRY_BYTES: usize = 12;
const HEADER_BYTES: usize = 4;

impl LabelSet {
    /// The number of labels.
    pub fn len(&self) -> usize {
        self.word(0) as usize
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        let key = key.as_bytes();
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let middle = low + (high - low) / 2;
            let (start, value_start, value_end) = self.entry(middle);
            let candidate = self.data.get(start..value_start)?;
            // Most probes differ in the first byte: decide those without a call to `memcmp`.
            let order = match (candidate.first(), key.first()) {
                (Some(a), Some(b)) if a != b => a.cmp(b),
                _ => candidate.cmp(key),
            };
            match order {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(self.text(value_start, value_end)),
            }
        }
        None
    }

    /// The labels as `(key, value)` pairs, sorted by key.
    ///
    /// ```
    /// let node: labelsel::LabelSet = [("b", "2"), ("a", "1")].into_iter().collect();
    /// assert_eq!(node.iter().collect::<Vec<_>>(), [("a", "1"), ("b", "2")]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        (0..self.len()).map(move |i| {
            let (start, value_start, value_end) = self.entry(i);
            (
                self.text(start, value_start),
                self.text(value_start, value_end),
            )
        })
    }

    fn word(&self, at: usize) -> u32 {
        self.data
            .get(at..)
            .and_then(|rest| rest.first_chunk::<4>())
            .map_or(0, |bytes| u32::from_le_bytes(*bytes))
    }

    fn entry(&self, index: usize) -> (usize, usize, usize) {
        let at = HEADER_BYTES + index * ENTRY_BYTES;
        let Some(entry) = self
            .data
            .get(at..)
            .and_then(|rest| rest.first_chunk::<ENTRY_BYTES>())
        else {
            return (0, 0, 0);
        };
        let word =
            |i: usize| u32::from_le_bytes([entry[i], entry[i + 1], entry[i + 2], entry[i + 3]]);
        (word(0) as usize, word(4) as usize, word(8) as usize)
    }

    #[allow(unsafe_code)] // The one unchecked read; see the SAFETY note.
    fn text(&self, start: usize, end: usize) -> &str {
        let bytes = &self.data[start..end];
        debug_assert!(std::str::from_utf8(bytes).is_ok());
        // SAFETY: every text range recorded in an entry was copied whole from a `&str` (see
        // `from_iter`), so it holds valid UTF-8; `data` is never mutated after construction.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for LabelSet {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> LabelSet {
        let mut pairs: Vec<(K, V)> = iter.into_iter().collect();
        // Stable, so that among equal keys the last one written stays last and wins below.
        pairs.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        let kept = last_of_each_key(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
        if kept.is_empty() {
            return LabelSet::default();
        }
        let text_len: usize = kept.iter().map(|(k, v)| k.len() + v.len()).sum();
        let size = HEADER_BYTES + kept.len() * ENTRY_BYTES + text_len;
        let offset = |n: usize| -> [u8; 4] {
            u32::try_from(n)
                .expect("a label set larger than 4 GiB")
                .to_le_bytes()
        };
        let mut data = Vec::with_capacity(size);
        data.extend_from_slice(&offset(kept.len()));
        let mut text_at = HEADER_BYTES + kept.len() * ENTRY_BYTES;
        for (key, value) in &kept {
            data.extend_from_slice(&offset(text_at));
            data.extend_from_slice(&offset(text_at + key.len()));
            data.extend_from_slice(&offset(text_at + key.len() + value.len()));
            text_at += key.len() + value.len();
        }
        for (key, value) in &kept {
            data.extend_from_slice(key.as_bytes());
            data.extend_from_slice(value.as_bytes());
        }
        LabelSet {
            data: data.into_boxed_slice(),
        }
    }
}

impl Labels for LabelSet {
    fn get(&self, key: &str) -> Option<&str> {
        LabelSet::get(self, key)
    }
}

impl std::fmt::Debug for LabelSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// From pairs sorted by key (stably, so that repeats of a key stay in the order written), the last pair
/// of each key: the value a map would keep.
pub(crate) fn last_of_each_key<K: PartialEq, V>(
    sorted: impl Iterator<Item = (K, V)>,
) -> Vec<(K, V)> {
    let mut kept: Vec<(K, V)> = Vec::with_capacity(sorted.size_hint().0);
    for (key, value) in sorted {
        match kept.last_mut() {
            Some(last) if last.0 == key => last.1 = value,
            _ => kept.push((key, value)),
        }
    }
    kept
}
