//! The inverted index: for each key, the nodes that have it, the nodes per value, and the integer
//! values bit-sliced for `>` and `<`.

use std::collections::HashMap;

use roaring::RoaringBitmap;

use crate::fleet::slices::IntegerSlices;
use crate::fleet::vocab::{Vocabulary, hash_map_bytes, shrink_sparse};
use crate::operator::parse_integer;

/// Everything indexed about one key.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyIndex {
    /// Slots of the nodes that have the key.
    pub(crate) present: RoaringBitmap,
    /// Slots of the nodes per value id.
    pub(crate) values: HashMap<u32, RoaringBitmap>,
    /// The nodes whose value reads as a base-10 integer, bit-sliced by their number (`8` and `08`
    /// are one number).
    pub(crate) slices: IntegerSlices,
}

/// The index of a fleet, by key id. A key no node has any more has an empty, unallocated entry (its id
/// is free in the vocabulary, to be reused), and a value no node has under a key has no bitmap.
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
            entry.values.entry(value).or_default().insert(slot);
            if let Some(number) = parse_integer(values.term(value)) {
                entry.slices.add(slot, number);
            }
        }
    }

    /// Forgets that the node in `slot` has these labels; values no node has any more under a key are
    /// dropped, and so is everything about a key no node has any more. `values` must still hold the
    /// labels' values.
    pub(crate) fn remove(&mut self, slot: u32, labels: &[(u32, u32)], values: &Vocabulary) {
        for &(key, value) in labels {
            let Some(entry) = self.keys.get_mut(key as usize) else {
                continue;
            };
            entry.present.remove(slot);
            if entry.present.is_empty() {
                // No node has the key: so none has any of its values.
                *entry = KeyIndex::default();
                continue;
            }
            if let Some(number) = parse_integer(values.term(value)) {
                entry.slices.remove(slot, number);
            }
            let Some(nodes) = entry.values.get_mut(&value) else {
                continue;
            };
            nodes.remove(slot);
            if nodes.is_empty() {
                entry.values.remove(&value);
                shrink_sparse(&mut entry.values);
            }
        }
    }

    /// Gives back every allocation; for a fleet left without nodes.
    pub(crate) fn clear(&mut self) {
        *self = Index::default();
    }

    /// Approximate heap bytes held: the table of keys (by capacity), and per key its bitmaps, its
    /// value map's buckets and its integer slices.
    pub(crate) fn heap_bytes(&self) -> usize {
        let keys = self.keys.capacity() * std::mem::size_of::<KeyIndex>();
        let entries: usize = self
            .keys
            .iter()
            .map(|key| {
                bitmap_bytes(&key.present)
                    + hash_map_bytes(&key.values)
                    + key.values.values().map(bitmap_bytes).sum::<usize>()
                    + key.slices.heap_bytes()
            })
            .sum();
        keys + entries
    }
}

/// Approximate heap bytes of a bitmap: its table of containers (32 bytes a container: a 16-bit key and
/// the store; grown by pushes, so at least 4 and a power of two) and each container's store (an
/// array's capacity of 16-bit values, 8 KiB a bitset, a run container's runs).
pub(crate) fn bitmap_bytes(bitmap: &RoaringBitmap) -> usize {
    if bitmap.is_empty() {
        return 0;
    }
    let stats = bitmap.statistics();
    let table = (stats.n_containers as usize).next_power_of_two().max(4);
    // `n_bytes_array_containers` counts 4 bytes a value of capacity, the values are 2 bytes;
    // `n_bytes_bitset_containers` counts the 65,536 bits of a bitset, not its 8,192 bytes.
    table * 32
        + stats.n_bytes_array_containers as usize / 2
        + stats.n_bitset_containers as usize * 8192
        + stats.n_bytes_run_containers as usize
}
