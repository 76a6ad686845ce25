//! The inverted index: for each key, the nodes that have it, the nodes per value, and the integer
//! values in order for `>` and `<`.

use std::collections::{BTreeMap, HashMap};

use roaring::RoaringBitmap;

use crate::fleet::vocab::Vocabulary;
use crate::operator::parse_integer;

/// Everything indexed about one key.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyIndex {
    /// Slots of the nodes that have the key.
    pub(crate) present: RoaringBitmap,
    /// Slots of the nodes per value id.
    pub(crate) values: HashMap<u32, RoaringBitmap>,
    /// The value ids that read as base-10 integers, by their number (`8` and `08` share one).
    pub(crate) integers: BTreeMap<i64, Vec<u32>>,
}

/// The index of a fleet, by key id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    keys: Vec<KeyIndex>,
}

impl Index {
    pub(crate) fn key(&self, key: u32) -> Option<&KeyIndex> {
        self.keys.get(key as usize)
    }

    /// Records that the node in `slot` has these labels.
    pub(crate) fn add(&mut self, slot: u32, labels: &[(u32, u32)], values: &Vocabulary) {
        for &(key, value) in labels {
            if self.keys.len() <= key as usize {
                self.keys.resize_with(key as usize + 1, KeyIndex::default);
            }
            let entry = &mut self.keys[key as usize];
            entry.present.insert(slot);
            let nodes = entry.values.entry(value).or_insert_with(|| {
                if let Some(number) = parse_integer(values.term(value)) {
                    entry.integers.entry(number).or_default().push(value);
                }
                RoaringBitmap::new()
            });
            nodes.insert(slot);
        }
    }

    /// Forgets that the node in `slot` has these labels; values no node has any more are dropped.
    pub(crate) fn remove(&mut self, slot: u32, labels: &[(u32, u32)], values: &Vocabulary) {
        for &(key, value) in labels {
            let Some(entry) = self.keys.get_mut(key as usize) else {
                continue;
            };
            entry.present.remove(slot);
            let Some(nodes) = entry.values.get_mut(&value) else {
                continue;
            };
            nodes.remove(slot);
            if nodes.is_empty() {
                entry.values.remove(&value);
                if let Some(number) = parse_integer(values.term(value))
                    && let Some(ids) = entry.integers.get_mut(&number)
                {
                    ids.retain(|&id| id != value);
                    if ids.is_empty() {
                        entry.integers.remove(&number);
                    }
                }
            }
        }
    }

    /// Approximate heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        let map_entry = std::mem::size_of::<(u32, RoaringBitmap)>() + 1;
        self.keys
            .iter()
            .map(|key| {
                std::mem::size_of::<KeyIndex>()
                    + key.present.serialized_size()
                    + key.values.capacity() * map_entry
                    + key
                        .values
                        .values()
                        .map(RoaringBitmap::serialized_size)
                        .sum::<usize>()
                    + key.integers.len() * 48
            })
            .sum()
    }
}
