//! The inverted index: for each key, the nodes that have it, the nodes per value, and the integer
//! values bit-sliced for `>` and `<`.

use std::borrow::Cow;
use std::sync::Arc;

use roaring::RoaringBitmap;

use crate::fleet::shared::{ARC_COUNTS, Chunks, ShardedMap};
use crate::fleet::slices::IntegerSlices;
use crate::fleet::vocab::Vocabulary;
use crate::operator::parse_integer;

/// Everything indexed about one key.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyIndex {
    /// Slots of the nodes that have the key.
    pub(crate) present: RoaringBitmap,
    /// The nodes per value id.
    pub(crate) values: ShardedMap<u32, Holders>,
    /// The nodes whose value reads as a base-10 integer, bit-sliced by their number (`8` and `08`
    /// are one number). Behind its own `Arc`, as a write after a snapshot touches most slices of a
    /// number anyway, and copying the key's entry need not copy them.
    pub(crate) slices: Arc<IntegerSlices>,
}

/// The nodes that hold one value of a key. A value one node holds (a hostname, a timestamp) is kept
/// as its slot alone: a bitmap of one costs a hundred bytes or more, and copying a shard of such values
/// after a snapshot would allocate for each. The bitmap of many is boxed, so that an entry of the value
/// map is 24 bytes rather than 32.
#[derive(Debug, Clone)]
pub(crate) enum Holders {
    One(u32),
    Many(Box<RoaringBitmap>),
}

impl Holders {
    /// The number of nodes.
    pub(crate) fn len(&self) -> u64 {
        match self {
            Holders::One(_) => 1,
            Holders::Many(nodes) => nodes.len(),
        }
    }

    /// The nodes as a bitmap, built for a single node.
    pub(crate) fn bitmap(&self) -> Cow<'_, RoaringBitmap> {
        match self {
            Holders::One(slot) => Cow::Owned(RoaringBitmap::from_iter([*slot])),
            Holders::Many(nodes) => Cow::Borrowed(nodes),
        }
    }

    /// How many of the nodes are in `slots`.
    pub(crate) fn intersection_len(&self, slots: &RoaringBitmap) -> u64 {
        match self {
            Holders::One(slot) => u64::from(slots.contains(*slot)),
            Holders::Many(nodes) => nodes.intersection_len(slots),
        }
    }

    /// Takes the nodes out of `candidates`.
    pub(crate) fn remove_from(&self, candidates: &mut RoaringBitmap) {
        match self {
            Holders::One(slot) => {
                candidates.remove(*slot);
            }
            Holders::Many(nodes) => *candidates -= &**nodes,
        }
    }

    /// Adds a node.
    fn insert(&mut self, slot: u32) {
        match self {
            Holders::One(only) if *only == slot => {}
            Holders::One(only) => {
                *self = Holders::Many(Box::new(RoaringBitmap::from_iter([*only, slot])));
            }
            Holders::Many(nodes) => {
                nodes.insert(slot);
            }
        }
    }

    /// Removes a node; whether none is left.
    fn remove(&mut self, slot: u32) -> bool {
        match self {
            Holders::One(only) => *only == slot,
            Holders::Many(nodes) => {
                nodes.remove(slot);
                match (nodes.len(), nodes.min()) {
                    (0, _) => true,
                    (1, Some(last)) => {
                        *self = Holders::One(last);
                        false
                    }
                    _ => false,
                }
            }
        }
    }

    /// The same nodes after renumbering (see [`renumber`]).
    fn renumbered(&self, renumbered: &[u32]) -> Holders {
        match self {
            Holders::One(slot) => Holders::One(renumbered[*slot as usize]),
            Holders::Many(nodes) => Holders::Many(Box::new(renumber(nodes, renumbered))),
        }
    }

    /// Heap bytes held beyond the entry itself.
    fn heap_bytes(&self) -> usize {
        match self {
            Holders::One(_) => 0,
            Holders::Many(nodes) => std::mem::size_of::<RoaringBitmap>() + bitmap_bytes(nodes),
        }
    }
}

/// The index of a fleet, by key id. A key no node has any more has no entry (its id is free in the
/// vocabulary, to be reused), and a value no node has under a key has no bitmap and no integer entry
/// under it.
///
/// Each key's entry is behind an `Arc`, in [`Chunks`], and its values in a [`ShardedMap`]: a clone of
/// the index shares them, and an update after a clone copies the entries of the keys it touches (their
/// presence bitmaps and the shards of the values it changes), not the whole index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    keys: Chunks<Option<Arc<KeyIndex>>>,
}

impl Index {
    pub(crate) fn key(&self, key: u32) -> Option<&KeyIndex> {
        self.keys.get(key as usize)?.as_deref()
    }

    /// Records that the node in `slot` has these labels.
    pub(crate) fn add(&mut self, slot: u32, labels: &[(u32, u32)], values: &Vocabulary) {
        for &(key, value) in labels {
            while self.keys.len() <= key as usize {
                self.keys.push(None);
            }
            let entry = self
                .keys
                .get_mut(key as usize)
                .expect("grown to hold the key")
                .get_or_insert_with(Arc::default);
            let entry = Arc::make_mut(entry);
            entry.present.insert(slot);
            if let Some(number) = parse_integer(values.term(value)) {
                Arc::make_mut(&mut entry.slices).add(slot, number);
            }
            match entry.values.get_mut(&value) {
                Some(holders) => holders.insert(slot),
                None => {
                    entry.values.insert(value, Holders::One(slot));
                }
            }
        }
    }

    /// Forgets that the node in `slot` has these labels; values no node has any more under a key are
    /// dropped, and so is everything about a key no node has any more. `values` must still hold the
    /// labels' values.
    pub(crate) fn remove(&mut self, slot: u32, labels: &[(u32, u32)], values: &Vocabulary) {
        for &(key, value) in labels {
            let Some(held) = self.keys.get_mut(key as usize) else {
                continue;
            };
            let Some(entry) = held.as_mut().map(Arc::make_mut) else {
                continue;
            };
            entry.present.remove(slot);
            if entry.present.is_empty() {
                // No node has the key: so none has any of its values.
                *held = None;
                continue;
            }
            if let Some(number) = parse_integer(values.term(value)) {
                Arc::make_mut(&mut entry.slices).remove(slot, number);
            }
            let Some(holders) = entry.values.get_mut(&value) else {
                continue;
            };
            if holders.remove(slot) {
                entry.values.remove(&value);
            }
        }
    }

    /// Moves every node from its slot `s` to slot `renumbered[s]`, which must keep their order.
    pub(crate) fn renumber(&mut self, renumbered: &[u32]) {
        for at in 0..self.keys.len() {
            let Some(key) = self.keys.get_mut(at).and_then(Option::as_mut) else {
                continue;
            };
            let key = Arc::make_mut(key);
            key.present = renumber(&key.present, renumbered);
            for holders in key.values.values_mut() {
                *holders = holders.renumbered(renumbered);
            }
            key.slices = Arc::new(key.slices.renumbered(renumbered));
        }
    }

    /// Gives back every allocation; for a fleet left without nodes.
    pub(crate) fn clear(&mut self) {
        *self = Index::default();
    }

    /// Approximate heap bytes held: the table of keys, and per key its entry, its bitmaps, its value
    /// map's shards and its integer entries. What a clone shares counts in full.
    pub(crate) fn heap_bytes(&self) -> usize {
        let entries: usize = self
            .keys
            .iter()
            .filter_map(|(_, key)| key.as_deref())
            .map(|key| {
                ARC_COUNTS
                    + std::mem::size_of::<KeyIndex>()
                    + bitmap_bytes(&key.present)
                    + key.values.heap_bytes()
                    + key.values.values().map(Holders::heap_bytes).sum::<usize>()
                    + ARC_COUNTS
                    + key.slices.heap_bytes()
            })
            .sum();
        self.keys.heap_bytes() + entries
    }
}

/// The bitmap of `renumbered[s]` for each slot `s` of `slots`; `renumbered` keeps the slots' order.
pub(crate) fn renumber(slots: &RoaringBitmap, renumbered: &[u32]) -> RoaringBitmap {
    slots.iter().map(|slot| renumbered[slot as usize]).collect()
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
