//! How a fleet stores one node, and [`NodeLabels`], the view of its labels.
//!
//! A node is one allocation: a [`Node`] packs its id and the ids of its labels' keys and values into a
//! single string, in about three bytes a label where `(u32, u32)` pairs take eight. Numbers are
//! written in base 64, least significant digit first, one byte a digit: the low six bits hold the
//! digit and bit 6 says that another digit follows. Every such byte is below `0x80`, so the packed
//! text is ASCII around the id's own UTF-8, a `str` that needs no check, and the id is a slice of it.

use crate::fleet::vocab::Vocabulary;
use crate::labels::Labels;

/// Bit 6 of a digit byte: another digit of the same number follows.
const MORE: u8 = 0x40;
/// The six bits of a digit.
const DIGIT: u8 = 0x3F;

/// One stored node: the length of its id in bytes, the id, then each label's key id and value id,
/// sorted by the text of the keys (see the module docs for how numbers are written).
#[derive(Debug, Clone)]
pub(crate) struct Node(Box<str>);

impl Node {
    /// Packs a node; `labels` are `(key id, value id)` pairs sorted by the text of their keys.
    pub(crate) fn new(id: &str, labels: &[(u32, u32)]) -> Node {
        let size = digits(id.len() as u32)
            + id.len()
            + labels
                .iter()
                .map(|&(key, value)| digits(key) + digits(value))
                .sum::<usize>();
        let mut text = String::with_capacity(size);
        push_number(&mut text, id.len() as u32);
        text.push_str(id);
        for &(key, value) in labels {
            push_number(&mut text, key);
            push_number(&mut text, value);
        }
        debug_assert_eq!(text.len(), size);
        Node(text.into_boxed_str())
    }

    /// The node's id.
    pub(crate) fn id(&self) -> &str {
        let (length, start) = read_number(self.0.as_bytes(), 0);
        &self.0[start..start + length as usize]
    }

    /// The node's labels, as ids.
    pub(crate) fn labels(&self) -> PackedLabels<'_> {
        let (length, start) = read_number(self.0.as_bytes(), 0);
        PackedLabels(&self.0.as_bytes()[start + length as usize..])
    }

    /// Heap bytes held: the packed text.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.0.len()
    }
}

/// The labels of a [`Node`] as packed `(key id, value id)` pairs, sorted by the text of their keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PackedLabels<'n>(&'n [u8]);

impl<'n> PackedLabels<'n> {
    /// The number of labels: each ends two numbers, and each number ends at a byte without
    /// [`MORE`].
    pub(crate) fn len(self) -> usize {
        self.0.iter().filter(|&&byte| byte & MORE == 0).count() / 2
    }

    /// Whether there are no labels.
    pub(crate) fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    /// The `(key id, value id)` pairs, in order.
    pub(crate) fn iter(self) -> PackedIter<'n> {
        PackedIter {
            bytes: self.0,
            at: 0,
            left: self.len(),
        }
    }

    /// The value id of the key with id `key`.
    pub(crate) fn value_of(self, key: u32) -> Option<u32> {
        let mut at = 0;
        while at < self.0.len() {
            let (label_key, after_key) = read_number(self.0, at);
            let (value, after_value) = read_number(self.0, after_key);
            if label_key == key {
                return Some(value);
            }
            at = after_value;
        }
        None
    }
}

/// The pairs of [`PackedLabels`], read one after another.
#[derive(Debug, Clone)]
pub(crate) struct PackedIter<'n> {
    bytes: &'n [u8],
    at: usize,
    left: usize,
}

impl Iterator for PackedIter<'_> {
    type Item = (u32, u32);

    fn next(&mut self) -> Option<(u32, u32)> {
        if self.left == 0 {
            return None;
        }
        let (key, after_key) = read_number(self.bytes, self.at);
        let (value, after_value) = read_number(self.bytes, after_key);
        self.at = after_value;
        self.left -= 1;
        Some((key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for PackedIter<'_> {}

/// The number of digits `number` is written in.
fn digits(number: u32) -> usize {
    let bits = (u32::BITS - number.leading_zeros()).max(1);
    bits.div_ceil(6) as usize
}

/// Writes `number`, least significant digit first.
fn push_number(text: &mut String, mut number: u32) {
    loop {
        let digit = (number as u8) & DIGIT;
        number >>= 6;
        if number == 0 {
            text.push(char::from(digit));
            return;
        }
        text.push(char::from(digit | MORE));
    }
}

/// The number written from byte `at`, and the position after it.
fn read_number(bytes: &[u8], mut at: usize) -> (u32, usize) {
    let mut number = 0;
    let mut shift = 0;
    loop {
        let byte = bytes[at];
        at += 1;
        number |= u32::from(byte & DIGIT) << shift;
        if byte & MORE == 0 {
            return (number, at);
        }
        shift += 6;
    }
}

/// The labels of a node held by a [`Fleet`](crate::Fleet): a view over interned ids that implements
/// [`Labels`], so expressions and matchers evaluate on it directly.
///
/// ```
/// use labelsel::{Fleet, Labels};
///
/// let mut fleet = Fleet::new();
/// fleet.insert("node-1", [("zone", "a"), ("gpu", "l4")]);
/// let labels = fleet.get("node-1").unwrap();
/// assert_eq!(labels.get("zone"), Some("a"));
/// assert_eq!(labels.iter().collect::<Vec<_>>(), [("gpu", "l4"), ("zone", "a")]);
/// ```
#[derive(Clone, Copy)]
pub struct NodeLabels<'f> {
    pub(crate) keys: &'f Vocabulary,
    pub(crate) values: &'f Vocabulary,
    pub(crate) labels: PackedLabels<'f>,
}

impl<'f> NodeLabels<'f> {
    /// The number of labels.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the node has no labels.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The labels as `(key, value)` pairs, sorted by key.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&'f str, &'f str)> + 'f {
        let (keys, values) = (self.keys, self.values);
        self.labels
            .iter()
            .map(move |(k, v)| (keys.term(k), values.term(v)))
    }
}

impl Labels for NodeLabels<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        // A key no node has is not interned, and none of these labels has it.
        let key = self.keys.id(key)?;
        self.labels
            .value_of(key)
            .map(|value| self.values.term(value))
    }
}

impl std::fmt::Debug for NodeLabels<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn digits_count_six_bits_each() {
        assert_eq!(digits(0), 1);
        assert_eq!(digits(63), 1);
        assert_eq!(digits(64), 2);
        assert_eq!(digits(4095), 2);
        assert_eq!(digits(4096), 3);
        assert_eq!(digits(u32::MAX), 6);
    }

    proptest! {
        #[test]
        fn a_packed_node_reads_back(
            id in "\\PC{0,40}",
            labels in proptest::collection::vec((any::<u32>(), any::<u32>()), 0..20),
        ) {
            let node = Node::new(&id, &labels);
            prop_assert_eq!(node.id(), id.as_str());
            prop_assert_eq!(node.labels().len(), labels.len());
            prop_assert_eq!(node.labels().is_empty(), labels.is_empty());
            prop_assert_eq!(node.labels().iter().collect::<Vec<_>>(), labels.clone());
            for &(key, _) in &labels {
                let first = labels.iter().find(|&&(k, _)| k == key).map(|&(_, v)| v);
                prop_assert_eq!(node.labels().value_of(key), first);
            }
            prop_assert_eq!(node.labels().value_of(u32::MAX), labels.iter().find(|&&(k, _)| k == u32::MAX).map(|&(_, v)| v));
        }
    }
}
