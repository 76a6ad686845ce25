//! Storage that a clone shares: [`Chunks`], a vector kept in reference-counted chunks, and
//! [`ShardedMap`], a hash map kept in reference-counted shards. Cloning either costs one reference
//! count per chunk or shard, not a copy of the contents; the first write to a chunk or shard that a
//! clone still shares copies that one chunk or shard (copy on write), and later writes to it do not.
//!
//! This is what makes a [`Fleet`](crate::Fleet) snapshot cheap: the node table, the tables of ids and
//! the interned strings are kept in these, so a clone of a fleet of a million nodes copies a few
//! thousand pointers, and a writer that goes on changing its fleet copies only the chunks and shards it
//! touches.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Elements per chunk of a [`Chunks`]: small enough that copying one on a write is cheap (a few
/// microseconds), large enough that a clone of a million elements costs only 4,096 reference counts.
const CHUNK: usize = 256;

/// A vector kept in chunks of [`CHUNK`] elements, each behind an `Arc`. A chunk whose elements are all
/// default can be dropped (see [`drop_chunk_of`](Chunks::drop_chunk_of)); reading in it gives `None`.
#[derive(Debug, Clone)]
pub(crate) struct Chunks<T> {
    chunks: Vec<Option<Arc<Vec<T>>>>,
    len: usize,
}

impl<T> Default for Chunks<T> {
    fn default() -> Chunks<T> {
        Chunks {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Clone + Default> Chunks<T> {
    /// The number of elements, counting those in dropped chunks.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The element at `at`; `None` past the end or in a dropped chunk.
    pub(crate) fn get(&self, at: usize) -> Option<&T> {
        self.chunks.get(at / CHUNK)?.as_ref()?.get(at % CHUNK)
    }

    /// The element at `at` to change, copying its chunk first if a clone shares it, and bringing a
    /// dropped chunk back with default elements. `None` past the end.
    pub(crate) fn get_mut(&mut self, at: usize) -> Option<&mut T> {
        if at >= self.len {
            return None;
        }
        let last = self.len.div_ceil(CHUNK) - 1;
        let chunk_len = if at / CHUNK == last {
            self.len - last * CHUNK
        } else {
            CHUNK
        };
        let chunk =
            self.chunks[at / CHUNK].get_or_insert_with(|| Arc::new(vec![T::default(); chunk_len]));
        Arc::make_mut(chunk).get_mut(at % CHUNK)
    }

    /// Appends an element.
    pub(crate) fn push(&mut self, element: T) {
        if self.len.is_multiple_of(CHUNK) {
            let mut chunk = Vec::with_capacity(CHUNK);
            chunk.push(element);
            self.chunks.push(Some(Arc::new(chunk)));
        } else {
            let at = self.len;
            let chunk = self.chunks[at / CHUNK]
                .get_or_insert_with(|| Arc::new(vec![T::default(); at % CHUNK]));
            Arc::make_mut(chunk).push(element);
        }
        self.len += 1;
    }

    /// Removes and returns the last element (the default when its chunk was dropped).
    pub(crate) fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        let at = self.len;
        let element = match &mut self.chunks[at / CHUNK] {
            Some(chunk) => Arc::make_mut(chunk).pop().unwrap_or_default(),
            None => T::default(),
        };
        if self.len == 0 {
            self.chunks = Vec::new();
        } else if at.is_multiple_of(CHUNK) {
            self.chunks.pop();
        }
        Some(element)
    }

    /// Drops the chunk that holds `at`: the caller knows its elements are all default, and reading
    /// them gives `None` from now on.
    pub(crate) fn drop_chunk_of(&mut self, at: usize) {
        if let Some(chunk) = self.chunks.get_mut(at / CHUNK) {
            *chunk = None;
        }
    }

    /// The range of positions of the chunk that holds `at`.
    pub(crate) fn chunk_range(&self, at: usize) -> std::ops::Range<usize> {
        let start = at / CHUNK * CHUNK;
        start..(start + CHUNK).min(self.len)
    }

    /// The elements with their positions, skipping dropped chunks.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, &T)> + '_ {
        self.chunks
            .iter()
            .enumerate()
            .filter_map(|(number, chunk)| Some((number * CHUNK, chunk.as_ref()?)))
            .flat_map(|(start, chunk)| {
                chunk
                    .iter()
                    .enumerate()
                    .map(move |(at, element)| (start + at, element))
            })
    }

    /// Heap bytes held: the table of chunks and each chunk (its `Arc` counts and its capacity), not
    /// what the elements point to. Chunks a clone shares count in full.
    pub(crate) fn heap_bytes(&self) -> usize {
        let chunks: usize = self
            .chunks
            .iter()
            .flatten()
            .map(|chunk| ARC_COUNTS + chunk.capacity() * std::mem::size_of::<T>())
            .sum();
        self.chunks.capacity() * std::mem::size_of::<Option<Arc<Vec<T>>>>()
            + chunks
            + self.chunks.iter().flatten().count() * std::mem::size_of::<Vec<T>>()
    }
}

/// The two counts in front of the value of every `Arc` allocation.
pub(crate) const ARC_COUNTS: usize = 2 * std::mem::size_of::<usize>();

/// Entries per shard of a [`ShardedMap`] before the shards double: a shard copied on a write holds at
/// most this many entries.
pub(crate) const SHARD_ENTRIES: usize = 2048;

/// A hash map split by hash into a power of two of shards, each behind an `Arc`. The shards double
/// when they hold [`SHARD_ENTRIES`] each on average and halve when they hold an eighth of that, so a
/// copied shard stays small and a small map is one shard.
#[derive(Debug, Clone)]
pub(crate) struct ShardedMap<K, V> {
    shards: Vec<Arc<HashMap<K, V>>>,
    len: usize,
}

impl<K, V> Default for ShardedMap<K, V> {
    fn default() -> ShardedMap<K, V> {
        ShardedMap {
            shards: Vec::new(),
            len: 0,
        }
    }
}

impl<K: Hash + Eq + Clone, V: Clone> ShardedMap<K, V> {
    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn shard_of<Q: Hash + ?Sized>(&self, key: &Q) -> usize {
        shard_of(self.shards.len(), key)
    }

    /// The value of `key`.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.len == 0 {
            return None;
        }
        self.shards[self.shard_of(key)].get(key)
    }

    /// Whether `key` has a value.
    pub(crate) fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get(key).is_some()
    }

    /// The value of `key` to change, copying its shard first if a clone shares it.
    pub(crate) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.shard_to_change(key)?.get_mut(key)
    }

    /// The shard that holds `key`, copied first if a clone shares it; `None` (and nothing copied)
    /// when no shard holds it.
    fn shard_to_change<Q>(&mut self, key: &Q) -> Option<&mut HashMap<K, V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.len == 0 {
            return None;
        }
        let shard = self.shard_of(key);
        let shard = &mut self.shards[shard];
        shard.contains_key(key).then(|| Arc::make_mut(shard))
    }

    /// Sets the value of `key`, returning the one it replaces.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        if self.shards.is_empty() {
            self.shards.push(Arc::default());
        }
        let shard = self.shard_of(&key);
        let replaced = Arc::make_mut(&mut self.shards[shard]).insert(key, value);
        if replaced.is_none() {
            self.len += 1;
            if self.len > self.shards.len() * SHARD_ENTRIES {
                self.reshard(self.shards.len() * 2);
            }
        }
        replaced
    }

    /// Removes `key`, returning its value. An emptied map gives back every allocation; a sparse one
    /// shrinks.
    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let map = self.shard_to_change(key)?;
        let removed = map.remove(key);
        shrink_sparse(map);
        self.len -= 1;
        if self.len == 0 {
            self.shards = Vec::new();
        } else if self.shards.len() > 1 && self.len * 8 < self.shards.len() * SHARD_ENTRIES {
            self.reshard(self.shards.len() / 2);
        }
        removed
    }

    /// Spreads the entries over `count` shards (a power of two).
    fn reshard(&mut self, count: usize) {
        let mut shards: Vec<HashMap<K, V>> = (0..count).map(|_| HashMap::new()).collect();
        for shard in std::mem::take(&mut self.shards) {
            let entries = Arc::try_unwrap(shard).unwrap_or_else(|shared| (*shared).clone());
            for (key, value) in entries {
                shards[shard_of(count, &key)].insert(key, value);
            }
        }
        self.shards = shards.into_iter().map(Arc::new).collect();
    }

    /// The entries, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        self.shards.iter().flat_map(|shard| shard.iter())
    }

    /// The keys, in no particular order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &K> + '_ {
        self.iter().map(|(key, _)| key)
    }

    /// The values, in no particular order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.iter().map(|(_, value)| value)
    }

    /// Every value to change, copying every shard a clone shares.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> + '_ {
        self.shards
            .iter_mut()
            .flat_map(|shard| Arc::make_mut(shard).values_mut())
    }

    /// Heap bytes of the shards' tables (by their buckets, with the `Arc` counts), not what the
    /// entries point to. Shards a clone shares count in full.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.shards.capacity() * std::mem::size_of::<Arc<HashMap<K, V>>>()
            + self
                .shards
                .iter()
                .map(|shard| {
                    ARC_COUNTS + std::mem::size_of::<HashMap<K, V>>() + hash_map_bytes(shard)
                })
                .sum::<usize>()
    }
}

/// Whether a table of `len` entries and room for `capacity` is so sparse that it should shrink: its
/// capacity is more than eight times its length (and more than 64). Shrinking to about twice the
/// length keeps a table near what its peak contents need, amortised over the removals that made it
/// so sparse. The one rule for every table the fleet shrinks.
pub(crate) fn is_sparse(len: usize, capacity: usize) -> bool {
    capacity > 64 && len * 8 < capacity
}

/// Shrinks a map that [`is_sparse`] to about twice its length.
fn shrink_sparse<K: Eq + Hash, V>(map: &mut HashMap<K, V>) {
    if is_sparse(map.len(), map.capacity()) {
        map.shrink_to(map.len() * 2);
    }
}

/// Approximate heap bytes of a hash map's table (not what its entries point to): std's map keeps
/// at most 7/8 of its buckets full, and each bucket costs an entry and a control byte.
fn hash_map_bytes<K, V>(map: &HashMap<K, V>) -> usize {
    if map.capacity() == 0 {
        return 0;
    }
    let buckets = (map.capacity() * 8 / 7).next_power_of_two();
    buckets * (std::mem::size_of::<(K, V)>() + 1)
}

/// The shard of `key` among `count` (a power of two): the top bits of its [`ShardHash`]. Each shard's
/// own table hashes with std's keyed hasher, so the choice of shard needs only spread keys evenly; a
/// key that collides in it costs a larger shard to copy, never a slower lookup.
fn shard_of<Q: Hash + ?Sized>(count: usize, key: &Q) -> usize {
    if count <= 1 {
        return 0;
    }
    let mut hasher = ShardHash::default();
    key.hash(&mut hasher);
    let bits = count.trailing_zeros();
    (hasher.finish() >> (64 - bits)) as usize
}

/// A fast multiplicative hash (the rotate, xor and multiply of Firefox's hasher) over eight bytes at a
/// time, to pick a shard without a second pass of the keyed hasher.
#[derive(Default)]
struct ShardHash(u64);

impl ShardHash {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for ShardHash {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_push_pop_get_and_share_until_written() {
        let mut chunks: Chunks<u32> = Chunks::default();
        for i in 0..1000 {
            chunks.push(i);
        }
        assert_eq!(chunks.len(), 1000);
        assert_eq!(chunks.get(999), Some(&999));
        assert_eq!(chunks.get(1000), None);
        let snapshot = chunks.clone();
        *chunks.get_mut(3).unwrap() = 77;
        assert_eq!((chunks.get(3), snapshot.get(3)), (Some(&77), Some(&3)));
        // Only the written chunk was copied.
        assert!(Arc::ptr_eq(
            chunks.chunks[1].as_ref().unwrap(),
            snapshot.chunks[1].as_ref().unwrap()
        ));
        assert!(!Arc::ptr_eq(
            chunks.chunks[0].as_ref().unwrap(),
            snapshot.chunks[0].as_ref().unwrap()
        ));
        for i in (0..1000).rev() {
            let expected = if i == 3 { 77 } else { i };
            assert_eq!(chunks.pop(), Some(expected));
        }
        assert_eq!(chunks.pop(), None);
        assert_eq!(chunks.heap_bytes(), 0);
        assert_eq!(snapshot.iter().count(), 1000);
    }

    #[test]
    fn dropped_chunks_read_as_none_and_come_back_with_defaults() {
        let mut chunks: Chunks<Option<u32>> = Chunks::default();
        for i in 0..(CHUNK as u32 * 2 + 10) {
            chunks.push(Some(i));
        }
        assert_eq!(chunks.chunk_range(CHUNK + 5), CHUNK..2 * CHUNK);
        assert_eq!(chunks.chunk_range(2 * CHUNK + 1), 2 * CHUNK..2 * CHUNK + 10);
        chunks.drop_chunk_of(CHUNK + 5);
        assert_eq!(chunks.get(CHUNK + 5), None);
        assert_eq!(chunks.iter().count(), CHUNK + 10);
        *chunks.get_mut(CHUNK + 5).unwrap() = Some(1);
        assert_eq!(chunks.get(CHUNK + 5), Some(&Some(1)));
        assert_eq!(chunks.get(CHUNK + 6), Some(&None));
        // The last, partial chunk dropped and pushed to again.
        chunks.drop_chunk_of(2 * CHUNK);
        chunks.push(Some(5));
        assert_eq!(chunks.len(), 2 * CHUNK + 11);
        assert_eq!(chunks.get(2 * CHUNK + 10), Some(&Some(5)));
        assert_eq!(chunks.get(2 * CHUNK), Some(&None));
    }

    #[test]
    fn sharded_map_grows_shrinks_and_shares_until_written() {
        let mut map: ShardedMap<String, usize> = ShardedMap::default();
        let n = SHARD_ENTRIES * 5;
        for i in 0..n {
            assert_eq!(map.insert(i.to_string(), i), None);
        }
        assert_eq!(map.len(), n);
        assert_eq!(map.shards.len(), 4 * 2);
        assert!((0..n).all(|i| map.get(i.to_string().as_str()) == Some(&i)));
        let snapshot = map.clone();
        *map.get_mut("7").unwrap() = 70;
        assert_eq!((map.get("7"), snapshot.get("7")), (Some(&70), Some(&7)));
        let copied = map
            .shards
            .iter()
            .zip(&snapshot.shards)
            .filter(|(a, b)| !Arc::ptr_eq(a, b))
            .count();
        assert_eq!(copied, 1);
        assert_eq!(map.insert("new".into(), 1), None);
        assert_eq!(map.remove("new"), Some(1));
        for i in 0..n {
            assert!(map.remove(i.to_string().as_str()).is_some());
            if i == n - 10 {
                assert_eq!(map.shards.len(), 1);
            }
        }
        assert_eq!(map.len(), 0);
        assert_eq!(map.heap_bytes(), 0);
        assert_eq!(snapshot.len(), n);
        assert_eq!(snapshot.values().sum::<usize>(), (0..n).sum::<usize>());
    }
}
