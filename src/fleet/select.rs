//! Evaluating a [`Matcher`] on the index: [`Fleet::select`], [`Fleet::count`] and [`Selection`].

use std::borrow::Cow;
use std::fmt;
use std::ops::Bound;

use roaring::{MultiOps, RoaringBitmap};

use crate::fleet::Fleet;
use crate::fleet::index::KeyIndex;
use crate::matcher::{Clause, CompiledValues, Matcher, Subject};
use crate::operator::Check;

/// Fleets up to this size are scanned rather than looked up in the index.
const SCAN_FLEET: u64 = 64;
/// Once the candidates are this few, the rest of the selector is checked node by node.
const SCAN_CANDIDATES: u64 = 64;

impl Fleet {
    /// The nodes the matcher accepts, found through the index.
    ///
    /// `match_ids` and the requirements that need a key present (`=`, `in`, `key`, `>`, `<`) become
    /// bitmaps that are intersected smallest first; `!=`, `notin` and `!key` are subtracted. When few
    /// candidates remain, or the fleet is tiny, the remaining requirements are checked on the nodes'
    /// labels instead. The result equals scanning every node with [`Matcher::matches`].
    ///
    /// ```
    /// use labelsel::{Fleet, Selector};
    ///
    /// let mut fleet = Fleet::new();
    /// for (id, cpu) in [("n1", "4"), ("n2", "16"), ("n3", "32"), ("n4", "x")] {
    ///     fleet.insert(id, [("cpu", cpu)]);
    /// }
    /// let matcher = Selector::new().expression("cpu>8").compile()?;
    /// assert_eq!(fleet.select(&matcher).iter().collect::<Vec<_>>(), ["n2", "n3"]);
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn select(&self, matcher: &Matcher) -> Selection<'_> {
        Selection {
            fleet: self,
            slots: self.evaluate(matcher).into_owned(),
        }
    }

    /// How many nodes the matcher accepts; the same as `select(matcher).len()`.
    ///
    /// ```
    /// use labelsel::{Fleet, Selector};
    ///
    /// let mut fleet = Fleet::new();
    /// fleet.insert("n1", [("zone", "a")]);
    /// fleet.insert("n2", [("zone", "b")]);
    /// assert_eq!(fleet.count(&Selector::new().expression("zone!=a").compile()?), 1);
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn count(&self, matcher: &Matcher) -> usize {
        self.evaluate(matcher).len() as usize
    }

    /// The nodes the matcher accepts: borrowed from the index when one bitmap answers it (a single
    /// `=`, `key` or the empty selector), else computed.
    pub(super) fn evaluate(&self, matcher: &Matcher) -> Cow<'_, RoaringBitmap> {
        if self.live.len() <= SCAN_FLEET {
            return Cow::Owned(self.scan(matcher, &self.live));
        }
        let clauses = matcher.clauses();
        let mut required: Vec<Cow<'_, RoaringBitmap>> = clauses
            .iter()
            .filter(|clause| !clause.check.matches_absent_key())
            .map(|clause| self.nodes_with(clause))
            .collect();
        required.sort_by_key(|nodes| nodes.len());
        let mut negative = clauses
            .iter()
            .filter(|c| c.check.matches_absent_key())
            .peekable();

        let mut required = required.into_iter();
        let first = required.next().unwrap_or(Cow::Borrowed(&self.live));
        if required.len() == 0 && negative.peek().is_none() {
            return first;
        }
        let mut candidates = first.into_owned();
        for nodes in required {
            if candidates.len() <= SCAN_CANDIDATES {
                return Cow::Owned(self.scan(matcher, &candidates));
            }
            candidates &= &*nodes;
        }
        for clause in negative {
            if candidates.len() <= SCAN_CANDIDATES {
                return Cow::Owned(self.scan(matcher, &candidates));
            }
            self.remove_rejected(&mut candidates, clause);
        }
        Cow::Owned(candidates)
    }

    /// Removes from `candidates` the nodes a `!=`, `notin` or `!key` clause rejects, one value's bitmap at
    /// a time, without building their union.
    fn remove_rejected(&self, candidates: &mut RoaringBitmap, clause: &Clause) {
        let Subject::Label(key) = &clause.subject else {
            *candidates -= &*self.nodes_with(clause);
            return;
        };
        let Some(key) = self.keys.id(key).and_then(|k| self.index.key(k)) else {
            return;
        };
        match &clause.check {
            Check::NotIn(values) => {
                let values = values.iter().filter_map(|v| self.values.id(v));
                for nodes in values.filter_map(|value| key.values.get(&value)) {
                    *candidates -= nodes;
                }
            }
            _ => *candidates -= &key.present,
        }
    }

    /// The candidates the matcher accepts, checked one by one on their labels.
    fn scan(&self, matcher: &Matcher, candidates: &RoaringBitmap) -> RoaringBitmap {
        candidates
            .iter()
            .filter(|&slot| matcher.matches(&self.node(slot).id, &self.labels_in(slot)))
            .collect()
    }

    /// For a clause that needs its key: the nodes that pass it. For `!=`/`notin`: the nodes that have one
    /// of its values; for `!key`: the nodes that have the key (the nodes these clauses reject). For
    /// `match_ids`: the nodes listed.
    pub(super) fn nodes_with(&self, clause: &Clause) -> Cow<'_, RoaringBitmap> {
        let Subject::Label(key) = &clause.subject else {
            let (Check::In(ids) | Check::NotIn(ids)) = &clause.check else {
                return Cow::Borrowed(&self.live);
            };
            return Cow::Owned(
                ids.iter()
                    .filter_map(|id| self.slots.get(id).copied())
                    .collect(),
            );
        };
        let Some(key) = self.keys.id(key).and_then(|k| self.index.key(k)) else {
            return Cow::Owned(RoaringBitmap::new());
        };
        match &clause.check {
            Check::In(values) | Check::NotIn(values) => self.nodes_with_values(key, values),
            Check::Exists | Check::Absent => Cow::Borrowed(&key.present),
            Check::Greater(threshold) => {
                union_of_integers(key, (Bound::Excluded(*threshold), Bound::Unbounded))
            }
            Check::Less(threshold) => {
                union_of_integers(key, (Bound::Unbounded, Bound::Excluded(*threshold)))
            }
        }
    }

    fn nodes_with_values<'a>(
        &self,
        key: &'a KeyIndex,
        values: &CompiledValues,
    ) -> Cow<'a, RoaringBitmap> {
        let mut found = values
            .iter()
            .filter_map(|value| self.values.id(value))
            .filter_map(|value| key.values.get(&value));
        match (found.next(), found.next()) {
            (None, _) => Cow::Owned(RoaringBitmap::new()),
            (Some(only), None) => Cow::Borrowed(only),
            (Some(first), Some(second)) => {
                Cow::Owned([first, second].into_iter().chain(found).union())
            }
        }
    }
}

fn union_of_integers(key: &KeyIndex, range: (Bound<i64>, Bound<i64>)) -> Cow<'_, RoaringBitmap> {
    Cow::Owned(
        key.integers
            .range(range)
            .flat_map(|(_, values)| values)
            .filter_map(|value| key.values.get(value))
            .union(),
    )
}

/// The nodes a [`Fleet::select`] found: their number at once, their ids in insertion order.
///
/// ```
/// use labelsel::{Fleet, Selector};
///
/// let mut fleet = Fleet::new();
/// fleet.insert("b", [("tier", "spot")]);
/// fleet.insert("a", [("tier", "standard")]);
/// let selection = fleet.select(&Selector::new().compile()?);
/// assert_eq!(selection.len(), 2);
/// assert!(selection.contains("a"));
/// assert_eq!(selection.iter().collect::<Vec<_>>(), ["b", "a"]);
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Clone)]
pub struct Selection<'f> {
    fleet: &'f Fleet,
    slots: RoaringBitmap,
}

impl<'f> Selection<'f> {
    /// The number of nodes selected.
    pub fn len(&self) -> usize {
        self.slots.len() as usize
    }

    /// Whether no node was selected.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Whether the node with this id was selected.
    pub fn contains(&self, id: &str) -> bool {
        self.fleet
            .slots
            .get(id)
            .is_some_and(|&slot| self.slots.contains(slot))
    }

    /// The fleet and the selected slots, for the other views of a selection (`spread`, `rollout`).
    pub(super) fn parts(&self) -> (&'f Fleet, &RoaringBitmap) {
        (self.fleet, &self.slots)
    }

    /// The ids of the selected nodes, in the order they were first inserted into the fleet.
    pub fn iter(&self) -> impl Iterator<Item = &'f str> + '_ {
        let fleet = self.fleet;
        InsertionOrder::new(fleet, &self.slots).map(move |slot| &*fleet.node(slot).id)
    }
}

/// Shows the number of nodes selected and the first few ids, not the whole fleet.
impl fmt::Debug for Selection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 8;
        let first: Vec<&str> = self.iter().take(SHOWN).collect();
        f.debug_struct("Selection")
            .field("len", &self.len())
            .field("first", &first)
            .finish_non_exhaustive()
    }
}

/// Slots of a bitmap in insertion order: the bitmap's own order while no slot has been reused, else
/// sorted by insertion number.
pub(crate) enum InsertionOrder<'a> {
    /// Slot order is insertion order.
    InSlotOrder(roaring::bitmap::Iter<'a>),
    /// Slot order is insertion order, in a bitmap the iterator owns.
    OwnedInSlotOrder(roaring::bitmap::IntoIter),
    /// Slots sorted by insertion number.
    Sorted(std::vec::IntoIter<(u64, u32)>),
}

impl<'a> InsertionOrder<'a> {
    pub(crate) fn new(fleet: &Fleet, slots: &'a RoaringBitmap) -> InsertionOrder<'a> {
        if !fleet.slots_reused {
            return InsertionOrder::InSlotOrder(slots.iter());
        }
        InsertionOrder::sorted(fleet, slots)
    }

    /// The same over a bitmap the iterator takes.
    pub(crate) fn owned(fleet: &Fleet, slots: RoaringBitmap) -> InsertionOrder<'static> {
        if !fleet.slots_reused {
            return InsertionOrder::OwnedInSlotOrder(slots.into_iter());
        }
        InsertionOrder::sorted(fleet, &slots)
    }

    /// The slots sorted by insertion number.
    fn sorted(fleet: &Fleet, slots: &RoaringBitmap) -> InsertionOrder<'static> {
        let mut order: Vec<(u64, u32)> = slots
            .iter()
            .map(|slot| (fleet.node(slot).seq, slot))
            .collect();
        order.sort_unstable();
        InsertionOrder::Sorted(order.into_iter())
    }
}

impl Iterator for InsertionOrder<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            InsertionOrder::InSlotOrder(slots) => slots.next(),
            InsertionOrder::OwnedInSlotOrder(slots) => slots.next(),
            InsertionOrder::Sorted(order) => order.next().map(|(_, slot)| slot),
        }
    }
}
