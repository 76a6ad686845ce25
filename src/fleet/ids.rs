//! [`IdTable`]: the number each string is stored under (a node's slot, an interned string's id), in a
//! hash table that holds the numbers alone.
//!
//! The strings live in the caller's own table (the nodes, the interned terms); the hash table hashes
//! and compares them through a lookup the caller passes in (`text_of`), so an entry costs four bytes
//! and a control byte rather than a second pointer to the string and its own copy of the key. Like [`ShardedMap`](crate::fleet::shared::ShardedMap) it is split by hash into
//! `Arc`'d shards of at most about [`SHARD_ENTRIES`] entries, so a clone shares them and a write copies
//! one shard.

use std::hash::BuildHasher;
use std::hash::RandomState;
use std::sync::Arc;

use hashbrown::HashTable;

use crate::fleet::shared::{ARC_COUNTS, SHARD_ENTRIES, is_sparse};

/// The number of each string, hashed with std's keyed hasher.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdTable {
    shards: Vec<Arc<HashTable<u32>>>,
    len: usize,
    hasher: RandomState,
}

impl IdTable {
    /// The number of strings.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the table is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn hash(&self, text: &str) -> u64 {
        self.hasher.hash_one(text)
    }

    /// The number of `text`; `text_of` gives the string of each number the table holds.
    pub(crate) fn get<'t>(&self, text: &str, text_of: impl Fn(u32) -> &'t str) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let hash = self.hash(text);
        self.shards[shard_of(self.shards.len(), hash)]
            .find(hash, |&number| text_of(number) == text)
            .copied()
    }

    /// Records that `text`, which the table does not hold, is stored under `number`; `text_of` gives
    /// the string of each number the table holds.
    pub(crate) fn insert<'t>(&mut self, text: &str, number: u32, text_of: impl Fn(u32) -> &'t str) {
        let hasher = self.hasher.clone();
        let rehash = |&number: &u32| hasher.hash_one(text_of(number));
        if self.shards.is_empty() {
            self.shards.push(Arc::default());
        }
        let hash = self.hash(text);
        let shard = shard_of(self.shards.len(), hash);
        Arc::make_mut(&mut self.shards[shard]).insert_unique(hash, number, rehash);
        self.len += 1;
        if self.len > self.shards.len() * SHARD_ENTRIES {
            self.reshard(self.shards.len() * 2, &rehash);
        }
    }

    /// Removes `text`, returning its number. An emptied table gives back every allocation; a sparse
    /// one shrinks. `text_of` gives the string of each number the table holds.
    pub(crate) fn remove<'t>(
        &mut self,
        text: &str,
        text_of: impl Fn(u32) -> &'t str,
    ) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let hash = self.hash(text);
        let shard = shard_of(self.shards.len(), hash);
        self.shards[shard].find(hash, |&number| text_of(number) == text)?;
        let hasher = self.hasher.clone();
        let rehash = |&number: &u32| hasher.hash_one(text_of(number));
        let table = Arc::make_mut(&mut self.shards[shard]);
        let (number, _) = table
            .find_entry(hash, |&number| text_of(number) == text)
            .ok()?
            .remove();
        if is_sparse(table.len(), table.capacity()) {
            table.shrink_to(table.len() * 2, rehash);
        }
        self.len -= 1;
        if self.len == 0 {
            self.shards = Vec::new();
        } else if self.shards.len() > 1 && self.len * 8 < self.shards.len() * SHARD_ENTRIES {
            self.reshard(self.shards.len() / 2, &rehash);
        }
        Some(number)
    }

    /// Replaces every number `n` by `renumbered[n]`; the strings stay where they hash.
    pub(crate) fn renumber(&mut self, renumbered: &[u32]) {
        for shard in &mut self.shards {
            for number in Arc::make_mut(shard).iter_mut() {
                *number = renumbered[*number as usize];
            }
        }
    }

    /// Spreads the numbers over `count` shards (a power of two).
    fn reshard(&mut self, count: usize, rehash: &impl Fn(&u32) -> u64) {
        let mut shards: Vec<HashTable<u32>> = (0..count).map(|_| HashTable::new()).collect();
        for shard in std::mem::take(&mut self.shards) {
            for number in shard.iter() {
                let hash = rehash(number);
                shards[shard_of(count, hash)].insert_unique(hash, *number, rehash);
            }
        }
        self.shards = shards.into_iter().map(Arc::new).collect();
    }

    /// Heap bytes of the shards' tables, with the `Arc` counts. Shards a clone shares count in full.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.shards.capacity() * std::mem::size_of::<Arc<HashTable<u32>>>()
            + self
                .shards
                .iter()
                .map(|shard| {
                    ARC_COUNTS + std::mem::size_of::<HashTable<u32>>() + shard.allocation_size()
                })
                .sum::<usize>()
    }
}

/// The shard of a hash among `count` (a power of two): bits from the middle of the hash, since a
/// shard's table places entries by the low bits and filters them by the top seven.
fn shard_of(count: usize, hash: u64) -> usize {
    (hash >> 32) as usize & (count - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_found_through_the_lookup_across_reshards() {
        let ids: Vec<String> = (0..20_000).map(|i| format!("node-{i}")).collect();
        let id_of = |slot: u32| ids[slot as usize].as_str();
        let mut table = IdTable::default();
        for (slot, id) in ids.iter().enumerate() {
            assert_eq!(table.get(id, id_of), None);
            table.insert(id, slot as u32, id_of);
        }
        assert!(table.shards.len() > 1);
        let snapshot = table.clone();
        for (slot, id) in ids.iter().enumerate().step_by(3) {
            assert_eq!(table.remove(id, id_of), Some(slot as u32));
            assert_eq!(table.remove(id, id_of), None);
        }
        for (slot, id) in ids.iter().enumerate() {
            let kept = (slot % 3 != 0).then_some(slot as u32);
            assert_eq!(table.get(id, id_of), kept);
            assert_eq!(snapshot.get(id, id_of), Some(slot as u32));
        }
        assert_eq!(table.len() + ids.len().div_ceil(3), ids.len());
        for id in &ids {
            table.remove(id, id_of);
        }
        assert!(table.is_empty());
        assert_eq!(table.heap_bytes(), 0);
        assert_eq!(snapshot.len(), ids.len());
    }
}
