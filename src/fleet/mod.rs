//! [`Fleet`]: many nodes, interned and indexed, so that a selector is answered with bitmap operations
//! instead of a scan.

mod diagnose;
mod index;
mod node;
mod place;
mod rollout;
mod select;
mod slices;
mod spread;
mod vocab;

use std::collections::HashMap;

use roaring::RoaringBitmap;

use crate::near::LintCache;

use self::index::Index;
use self::index::bitmap_bytes;
use self::node::Node;
use self::vocab::{Vocabulary, hash_map_bytes, shrink_sparse};

pub use self::diagnose::{Diagnosis, RequirementDiagnosis};
pub use self::node::NodeLabels;
pub use self::place::{Placed, Ranked};
pub use self::rollout::Rollout;
use self::select::InsertionOrder;
pub use self::select::Selection;
pub use self::spread::Spread;

/// The nodes of a fleet with an inverted index over their labels.
///
/// Keys and values are interned as `u32` ids; each node keeps its labels as sorted id pairs; the index
/// holds, per key, a bitmap of the nodes that have it, a bitmap per value, and the integer values in
/// order for `>` and `<`. [`select`](Fleet::select) evaluates a [`Matcher`](crate::Matcher) with bitmap
/// unions, intersections and differences, and returns the matching nodes in insertion order.
///
/// Updates keep the index exact: [`insert`](Fleet::insert) replaces a node with the same id (keeping
/// its place in the order), [`remove`](Fleet::remove) drops it, and removed slots are reused.
///
/// Memory comes back: the interned keys and values are counted, and a string no node holds any more is
/// freed with its id (ids are reused), as are the index entries of keys and values no node has; hash
/// tables left mostly empty shrink. A fleet that churns (nodes with unique hostnames or timestamps
/// inserted, relabelled, removed) stays within what its largest population needed, and removing every
/// node gives back every allocation. A `Fleet` is `Send + Sync`: share it behind an `RwLock` for
/// concurrent readers.
///
/// ```
/// use labelsel::{Fleet, Selector};
///
/// let mut fleet = Fleet::new();
/// fleet.insert("node-a", [("zone", "us-east-1a"), ("gpu", "nvidia-l4")]);
/// fleet.insert("node-b", [("zone", "us-east-1b")]);
/// fleet.insert("node-c", [("zone", "us-east-1a"), ("debug", "")]);
///
/// let matcher = Selector::new().expression("zone=us-east-1a, !debug").compile()?;
/// let selection = fleet.select(&matcher);
/// assert_eq!(selection.len(), 1);
/// assert_eq!(selection.iter().collect::<Vec<_>>(), ["node-a"]);
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    keys: Vocabulary,
    values: Vocabulary,
    /// Node storage by slot; `None` marks a free slot.
    nodes: Vec<Option<Node>>,
    /// Free slots, reused before the storage grows.
    free: Vec<u32>,
    /// Slot of each node id.
    slots: HashMap<Box<str>, u32>,
    /// Slots that hold a node.
    live: RoaringBitmap,
    index: Index,
    /// Insertion counter; a node keeps the number of its first insertion.
    next_seq: u64,
    /// Whether a slot was reused since the fleet was last empty, so that slot order may differ from
    /// insertion order.
    slots_reused: bool,
    /// The near-match indexes of the vocabulary that [`lint`](Fleet::lint) built; cleared by every
    /// update.
    lint_cache: LintCache,
}

impl Fleet {
    /// An empty fleet.
    pub fn new() -> Fleet {
        Fleet::default()
    }

    /// Adds a node, or replaces the labels of the node with this id (which keeps its place in the
    /// order). When a key repeats, the last value wins. Returns whether a node was replaced.
    ///
    /// # Panics
    ///
    /// When the fleet would hold more than `u32::MAX` nodes or distinct keys or values.
    ///
    /// ```
    /// let mut fleet = labelsel::Fleet::new();
    /// assert!(!fleet.insert("node-1", [("zone", "a")]));
    /// assert!(fleet.insert("node-1", [("zone", "b")]));
    /// assert_eq!(fleet.len(), 1);
    /// ```
    pub fn insert<I, K, V>(&mut self, id: &str, labels: I) -> bool
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.lint_cache.clear();
        let mut pairs: Vec<(u32, u32)> = labels
            .into_iter()
            .map(|(k, v)| (self.keys.intern(k.as_ref()), self.values.intern(v.as_ref())))
            .collect();
        // Stable, so that among repeated keys the last one written stays last and wins.
        pairs.sort_by(|a, b| self.keys.term(a.0).cmp(self.keys.term(b.0)));
        let mut labels: Vec<(u32, u32)> = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            match labels.last_mut() {
                Some(last) if last.0 == key => {
                    // Overwritten: give back the references its interning took.
                    let (_, overwritten) = std::mem::replace(last, (key, value));
                    self.keys.release(key);
                    self.values.release(overwritten);
                }
                _ => labels.push((key, value)),
            }
        }
        let labels = labels.into_boxed_slice();

        if let Some(&slot) = self.slots.get(id) {
            let node = self.nodes[slot as usize]
                .as_mut()
                .expect("an indexed id has a node");
            self.index.remove(slot, &node.labels, &self.values);
            self.index.add(slot, &labels, &self.values);
            let old = std::mem::replace(&mut node.labels, labels);
            // After the new labels took theirs, so that a string both hold keeps its id.
            self.release(&old);
            return true;
        }
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots_reused = true;
                slot
            }
            None => {
                let slot = u32::try_from(self.nodes.len()).expect("more than 4 billion nodes");
                self.nodes.push(None);
                slot
            }
        };
        self.index.add(slot, &labels, &self.values);
        self.live.insert(slot);
        self.slots.insert(id.into(), slot);
        self.nodes[slot as usize] = Some(Node {
            id: id.into(),
            seq: self.next_seq,
            labels,
        });
        self.next_seq += 1;
        false
    }

    /// Removes the node with this id; returns whether there was one.
    ///
    /// ```
    /// let mut fleet = labelsel::Fleet::new();
    /// fleet.insert("node-1", [("zone", "a")]);
    /// assert!(fleet.remove("node-1"));
    /// assert!(!fleet.remove("node-1"));
    /// assert!(fleet.is_empty());
    /// ```
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.slots.remove(id) else {
            return false;
        };
        self.lint_cache.clear();
        if let Some(node) = self.nodes[slot as usize].take() {
            self.index.remove(slot, &node.labels, &self.values);
            self.release(&node.labels);
        }
        self.live.remove(slot);
        if self.live.is_empty() {
            // Give every allocation back; the vocabularies already have.
            self.nodes = Vec::new();
            self.free = Vec::new();
            self.slots = HashMap::new();
            self.live = RoaringBitmap::new();
            self.index.clear();
            self.slots_reused = false;
            return true;
        }
        self.free.push(slot);
        shrink_sparse(&mut self.slots);
        true
    }

    /// Gives back the references a node's labels hold on their keys and values.
    fn release(&mut self, labels: &[(u32, u32)]) {
        for &(key, value) in labels {
            self.keys.release(key);
            self.values.release(value);
        }
    }

    /// The labels of the node with this id.
    pub fn get(&self, id: &str) -> Option<NodeLabels<'_>> {
        let slot = *self.slots.get(id)?;
        Some(self.labels_in(slot))
    }

    /// Whether a node with this id is in the fleet.
    pub fn contains(&self, id: &str) -> bool {
        self.slots.contains_key(id)
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the fleet has no nodes.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Every node, in insertion order, with its labels.
    ///
    /// ```
    /// let mut fleet = labelsel::Fleet::new();
    /// fleet.insert("b", [("k", "1")]);
    /// fleet.insert("a", [("k", "2")]);
    /// let ids: Vec<&str> = fleet.iter().map(|(id, _)| id).collect();
    /// assert_eq!(ids, ["b", "a"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, NodeLabels<'_>)> + '_ {
        InsertionOrder::new(self, &self.live).map(move |slot| {
            let node = self.node(slot);
            (&*node.id, self.labels_in(slot))
        })
    }

    /// Approximate heap bytes held by the fleet: the node table and each node's id and labels, the
    /// table of ids, the free slots, the interned keys and values (their text, tables and free ids) and
    /// the index (bitmaps by their containers, hash tables by their buckets, integer entries). Tables
    /// count by capacity; each allocation counts the bytes requested, not what the allocator rounds
    /// them up to. An empty fleet holds 0 bytes.
    ///
    /// ```
    /// let mut fleet = labelsel::Fleet::new();
    /// assert_eq!(fleet.heap_bytes(), 0);
    /// fleet.insert("node-1", [("zone", "a")]);
    /// assert!(fleet.heap_bytes() > 0);
    /// fleet.remove("node-1");
    /// assert_eq!(fleet.heap_bytes(), 0);
    /// ```
    pub fn heap_bytes(&self) -> usize {
        let nodes: usize = self
            .nodes
            .iter()
            .flatten()
            .map(|node| node.id.len() + std::mem::size_of_val(&*node.labels))
            .sum();
        let id_text: usize = self.slots.keys().map(|id| id.len()).sum();
        nodes
            + self.nodes.capacity() * std::mem::size_of::<Option<Node>>()
            + self.free.capacity() * std::mem::size_of::<u32>()
            + hash_map_bytes(&self.slots)
            + id_text
            + bitmap_bytes(&self.live)
            + self.keys.heap_bytes()
            + self.values.heap_bytes()
            + self.index.heap_bytes()
    }

    /// Whether at least one node has `key`.
    pub(crate) fn knows_key(&self, key: &str) -> bool {
        self.keys.id(key).is_some()
    }

    /// Whether at least one node has `value` for `key`: a lookup of its id under the key.
    pub(crate) fn knows_value(&self, key: &str, value: &str) -> bool {
        let indexed = self.keys.id(key).and_then(|key| self.index.key(key));
        let value = self.values.id(value);
        indexed
            .zip(value)
            .is_some_and(|(indexed, value)| indexed.values.contains_key(&value))
    }

    /// The near-match indexes [`lint`](Fleet::lint) keeps until the fleet changes.
    pub(crate) fn lint_cache(&self) -> &LintCache {
        &self.lint_cache
    }

    /// The keys at least one node has.
    pub(crate) fn known_keys(&self) -> impl Iterator<Item = &str> + '_ {
        // A key is interned exactly while a node has it.
        self.keys.iter()
    }

    /// The values at least one node has for `key`.
    pub(crate) fn known_values(&self, key: &str) -> impl Iterator<Item = &str> + '_ {
        self.keys
            .id(key)
            .and_then(|key| self.index.key(key))
            .into_iter()
            .flat_map(|indexed| indexed.values.keys())
            .map(|&value| self.values.term(value))
    }

    fn node(&self, slot: u32) -> &Node {
        self.nodes[slot as usize]
            .as_ref()
            .expect("a live slot holds a node")
    }

    fn labels_in(&self, slot: u32) -> NodeLabels<'_> {
        NodeLabels {
            keys: &self.keys,
            values: &self.values,
            labels: &self.node(slot).labels,
        }
    }
}
