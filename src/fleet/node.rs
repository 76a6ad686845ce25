//! How a fleet stores one node, and [`NodeLabels`], the view of its labels.

use std::sync::Arc;

use crate::fleet::vocab::Vocabulary;
use crate::labels::Labels;

/// One stored node.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    /// The id, shared with the fleet's table of ids.
    pub(crate) id: Arc<str>,
    /// `(key id, value id)` pairs, sorted by the key's text.
    pub(crate) labels: Box<[(u32, u32)]>,
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
    pub(crate) labels: &'f [(u32, u32)],
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
            .map(move |&(k, v)| (keys.term(k), values.term(v)))
    }
}

impl Labels for NodeLabels<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.labels
            .binary_search_by(|&(k, _)| self.keys.term(k).cmp(key))
            .ok()
            .map(|at| self.values.term(self.labels[at].1))
    }
}

impl std::fmt::Debug for NodeLabels<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
