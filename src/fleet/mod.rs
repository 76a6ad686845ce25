//! [`Fleet`]: many nodes, interned and indexed, so that a selector is answered with bitmap operations
//! instead of a scan.

mod diagnose;
mod ids;
mod index;
mod node;
mod place;
mod rollout;
mod select;
mod shared;
mod slices;
mod spread;
mod vocab;

use roaring::RoaringBitmap;

use crate::near::LintCache;

use self::ids::IdTable;
use self::index::Index;
use self::index::bitmap_bytes;
use self::node::Node;
use self::shared::Chunks;
use self::vocab::Vocabulary;

pub use self::diagnose::{Diagnosis, RequirementDiagnosis};
pub use self::node::NodeLabels;
pub use self::place::{Placed, Ranked};
pub use self::rollout::Rollout;
pub use self::select::Selection;
pub use self::spread::Spread;

/// The nodes of a fleet with an inverted index over their labels.
///
/// Keys and values are interned as `u32` ids; each node is one allocation that packs its id and its
/// labels' ids, sorted by key, in about three bytes a label; the tables that find a node by id and a
/// string by text hold bare numbers and compare through the node and string tables. The index
/// holds, per key, a bitmap of the nodes that have it, the nodes of each value, and the integer values
/// bit-sliced for `>` and `<`. [`select`](Fleet::select) evaluates a [`Matcher`](crate::Matcher) with bitmap
/// unions, intersections and differences, and returns the matching nodes in insertion order.
///
/// Updates keep the index exact: [`insert`](Fleet::insert) replaces a node with the same id (keeping
/// its place in the order) and [`remove`](Fleet::remove) drops it. Each node has a slot, numbered in
/// insertion order, so that every selection comes out in insertion order by walking its bitmap; a
/// removed node's slot stays empty until the empty slots outnumber the nodes (and at least 4,096
/// are empty), when the slots are renumbered in one pass over the index. That pass costs about what
/// the removals since the last one did, so its cost per update stays constant.
///
/// Memory comes back: the interned keys and values are counted, and a string no node holds any more is
/// freed with its id (ids are reused), as are the index entries of keys and values no node has; hash
/// tables left mostly empty shrink. A fleet that churns (nodes with unique hostnames or timestamps
/// inserted, relabelled, removed) stays within what its largest population needed, and removing every
/// node gives back every allocation.
///
/// # Snapshots
///
/// `clone` is cheap: the node table, the tables of ids and strings and the index are kept in
/// reference-counted chunks and shards that a clone shares, so a clone of a million nodes copies
/// pointers, not nodes. The first update after a clone copies only the chunks, shards and bitmaps it
/// touches; the clone does not see it. A writer can therefore publish a consistent snapshot after each
/// batch of updates, and readers select on the snapshot they hold without waiting for the writer:
///
/// ```
/// use std::sync::{Arc, RwLock};
/// use labelsel::{Fleet, Selector};
///
/// let published: RwLock<Arc<Fleet>> = RwLock::new(Arc::new(Fleet::new()));
/// let matcher = Selector::new().expression("zone=a").compile()?;
/// std::thread::scope(|scope| {
///     scope.spawn(|| {
///         // The writer owns the fleet and publishes a snapshot after each batch.
///         let mut fleet = Fleet::new();
///         for batch in 0..10 {
///             for i in 0..100 {
///                 let zone = if i % 2 == 0 { "a" } else { "b" };
///                 fleet.insert(&format!("node-{batch}-{i}"), [("zone", zone)]);
///             }
///             *published.write().unwrap() = Arc::new(fleet.clone());
///         }
///     });
///     scope.spawn(|| {
///         // A reader holds the lock only to take the current snapshot.
///         let snapshot = Arc::clone(&published.read().unwrap());
///         let selected = snapshot.count(&matcher);
///         assert_eq!(selected * 2, snapshot.len());
///     });
/// });
/// assert_eq!(published.read().unwrap().count(&matcher), 500);
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
///
/// A `Fleet` is `Send + Sync`.
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
    /// Node storage by slot; `None` marks an empty slot, and a chunk of empty slots is dropped.
    nodes: Chunks<Option<Node>>,
    /// Slot of each node id, found through the ids in `nodes`.
    slots: IdTable,
    /// Slots that hold a node.
    live: RoaringBitmap,
    index: Index,
    /// The near-match indexes of the vocabulary that [`lint`](Fleet::lint) built; a clone shares them
    /// and every update clears them.
    lint_cache: LintCache,
}

/// Empty slots are renumbered away once they outnumber the nodes by at least this many.
const RENUMBER_SLACK: usize = 4096;

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

        if let Some(slot) = self.slot_of(id) {
            let node = self
                .nodes
                .get_mut(slot as usize)
                .and_then(Option::as_mut)
                .expect("an indexed id has a node");
            let old: LabelIds = node.labels().iter().collect();
            *node = Node::new(id, &labels);
            // Only the labels that changed touch the index, so that relabelling one label of a node
            // after a snapshot copies the index entries of that key alone.
            let (gone, came) = changed_labels(&old, &labels, &self.keys);
            self.index.remove(slot, &gone, &self.values);
            self.index.add(slot, &came, &self.values);
            // After the new labels took theirs, so that a string both hold keeps its id.
            self.release(&old);
            return true;
        }
        let empty = self.nodes.len() - self.slots.len();
        if empty > self.slots.len().max(RENUMBER_SLACK) || self.nodes.len() > u32::MAX as usize {
            self.renumber();
        }
        let slot = u32::try_from(self.nodes.len()).expect("more than 4 billion nodes");
        self.index.add(slot, &labels, &self.values);
        self.live.insert(slot);
        self.nodes.push(Some(Node::new(id, &labels)));
        let nodes = &self.nodes;
        self.slots.insert(id, slot, |slot| node_id(nodes, slot));
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
        let nodes = &self.nodes;
        let Some(slot) = self.slots.remove(id, |slot| node_id(nodes, slot)) else {
            return false;
        };
        self.lint_cache.clear();
        if let Some(node) = self.nodes.get_mut(slot as usize).and_then(Option::take) {
            let labels: LabelIds = node.labels().iter().collect();
            self.index.remove(slot, &labels, &self.values);
            self.release(&labels);
        }
        self.live.remove(slot);
        if self.live.is_empty() {
            // Give every allocation back; the vocabularies and the table of ids already have.
            self.nodes = Chunks::default();
            self.live = RoaringBitmap::new();
            self.index.clear();
            return true;
        }
        let chunk = self.nodes.chunk_range(slot as usize);
        if self
            .live
            .range_cardinality(chunk.start as u32..chunk.end as u32)
            == 0
        {
            self.nodes.drop_chunk_of(slot as usize);
        }
        true
    }

    /// Numbers the nodes' slots afresh, in order and without gaps: the node table, the table of ids
    /// and every bitmap of the index are rewritten.
    fn renumber(&mut self) {
        let mut renumbered = vec![u32::MAX; self.nodes.len()];
        let mut nodes = Chunks::default();
        for (new, old) in self.live.iter().enumerate() {
            let new = new as u32;
            renumbered[old as usize] = new;
            nodes.push(Some(self.node(old).clone()));
        }
        self.nodes = nodes;
        self.slots.renumber(&renumbered);
        self.live = RoaringBitmap::from_sorted_iter(0..self.slots.len() as u32)
            .expect("an ascending range");
        self.index.renumber(&renumbered);
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
        let slot = self.slot_of(id)?;
        Some(self.labels_in(slot))
    }

    /// Whether a node with this id is in the fleet.
    pub fn contains(&self, id: &str) -> bool {
        self.slot_of(id).is_some()
    }

    /// The slot of the node with this id.
    fn slot_of(&self, id: &str) -> Option<u32> {
        self.slots.get(id, |slot| node_id(&self.nodes, slot))
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
        self.live
            .iter()
            .map(move |slot| (self.node(slot).id(), self.labels_in(slot)))
    }

    /// Approximate heap bytes held by the fleet: the node table and each node's id and labels, the
    /// table of ids, the interned keys and values (their text, tables and free ids) and the index
    /// (bitmaps by their containers, hash tables by their buckets). Tables count by capacity; each
    /// allocation counts the bytes requested, not what the allocator rounds them up to. What a clone
    /// shares counts in full in each. An empty fleet holds 0 bytes.
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
        // Each node is one packed string, its id included; the table of ids holds slots.
        let nodes: usize = self
            .nodes
            .iter()
            .filter_map(|(_, node)| node.as_ref())
            .map(Node::heap_bytes)
            .sum();
        nodes
            + self.nodes.heap_bytes()
            + self.slots.heap_bytes()
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
        self.nodes
            .get(slot as usize)
            .and_then(Option::as_ref)
            .expect("a live slot holds a node")
    }

    fn labels_in(&self, slot: u32) -> NodeLabels<'_> {
        NodeLabels {
            keys: &self.keys,
            values: &self.values,
            labels: self.node(slot).labels(),
        }
    }
}

/// The id of the node in `slot`, which must hold one.
fn node_id(nodes: &Chunks<Option<Node>>, slot: u32) -> &str {
    nodes
        .get(slot as usize)
        .and_then(Option::as_ref)
        .expect("a slot in the table of ids holds a node")
        .id()
}

/// A node's labels as `(key id, value id)` pairs, sorted by the text of their keys.
type LabelIds = Vec<(u32, u32)>;

/// The labels of `old` that `new` does not have, and those of `new` that `old` does not have; both
/// sorted by the text of their keys.
fn changed_labels(
    old: &[(u32, u32)],
    new: &[(u32, u32)],
    keys: &Vocabulary,
) -> (LabelIds, LabelIds) {
    let (mut gone, mut came) = (Vec::new(), Vec::new());
    let (mut old, mut new) = (old.iter().peekable(), new.iter().peekable());
    loop {
        match (old.peek(), new.peek()) {
            (Some(&&before), Some(&&after)) => {
                if before.0 == after.0 {
                    if before.1 != after.1 {
                        gone.push(before);
                        came.push(after);
                    }
                    old.next();
                    new.next();
                } else if keys.term(before.0) < keys.term(after.0) {
                    gone.push(before);
                    old.next();
                } else {
                    came.push(after);
                    new.next();
                }
            }
            (Some(_), None) => {
                gone.extend(old);
                break;
            }
            (None, Some(_)) => {
                came.extend(new);
                break;
            }
            (None, None) => break,
        }
    }
    (gone, came)
}
