//! Evaluating a [`Matcher`] on the index: [`Fleet::select`], [`Fleet::count`] and [`Selection`].

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use roaring::{MultiOps, RoaringBitmap};

use crate::fleet::Fleet;
use crate::fleet::index::{Holders, KeyIndex};
use crate::fleet::node::NodeLabels;
use crate::fleet::vocab::Vocabulary;
use crate::labels::Labels;
use crate::matcher::{Clause, CompiledValues, Matcher, Subject};
use crate::operator::{Check, parse_integer};

/// Fleets up to this size are scanned rather than looked up in the index.
const SCAN_FLEET: u64 = 64;
/// Once the candidates are this few, the rest of the selector is checked node by node.
const SCAN_CANDIDATES: u64 = 64;
/// What checking one candidate's value for a range costs (about 25 ns), in the units of
/// [`WALK_CONTAINER`] and [`WALK_NODE`] (about 1 ns). Measured on candidates of 200 to 12,400 of
/// 100,000 nodes: the two cost the same at about 200 candidates for a one-sided range, about 400 for
/// a range with two bounds.
const CHECK_NODE: u64 = 24;
/// What a walk over a range's slices costs per slice and container of the candidates, for each bound
/// of the range (the second bound's walk starts from what the first left)...
const WALK_CONTAINER: u64 = 60;
/// ... and per candidate: on numbers spread evenly the slots still undecided halve with each slice,
/// so the candidates cost a few bitmap operations each, whatever the number of slices.
const WALK_NODE: u64 = 10;
/// A range on a key with at most this many distinct values may be answered from their bitmaps (see
/// `Range::few_values`).
const FEW_VALUES: usize = 128;

impl Fleet {
    /// The nodes the matcher accepts, found through the index.
    ///
    /// The `>` and `<` requirements on one key are merged into one range of integers first. Then
    /// `match_ids` and the requirements that need a key present (`=`, `in`, `key`, and the nodes with
    /// an integer for each range's key) become bitmaps that are intersected smallest first; `!=`,
    /// `notin` and `!key` are subtracted; and each range is found by walking the bit slices of its
    /// key's integers from the candidates left, as long as that is estimated to cost less than checking
    /// those candidates. Once the candidates are few, or a range would cost more than checking them, or
    /// the fleet is tiny, the remaining requirements are checked on the candidates' labels instead. The
    /// result equals scanning every node with [`Matcher::matches`].
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
        let Some(Plan { steps, mut ranges }) = self.plan(matcher.clauses()) else {
            return Cow::Owned(RoaringBitmap::new());
        };
        if self.live.len() <= SCAN_FLEET {
            return Cow::Owned(self.check_each(self.live.clone(), &steps, &ranges));
        }
        let mut steps = steps.iter();
        let first = match steps.as_slice().first() {
            Some(step @ (Step::Require(_) | Step::Integers(_))) => {
                steps.next();
                self.passing_nodes(step)
            }
            _ => Cow::Borrowed(&self.live),
        };
        if steps.len() == 0 && ranges.is_empty() {
            return first;
        }
        let mut candidates = first.into_owned();
        while let Some(step) = steps.as_slice().first() {
            if candidates.len() <= SCAN_CANDIDATES {
                return Cow::Owned(self.check_each(candidates, steps.as_slice(), &ranges));
            }
            match step {
                Step::Reject(clause) => self.remove_rejected(&mut candidates, clause),
                required => candidates &= &*self.passing_nodes(required),
            }
            steps.next();
        }

        if candidates.len() <= SCAN_CANDIDATES {
            return Cow::Owned(self.check_each(candidates, &[], &ranges));
        }
        // The ranges with the fewest slices first, each walked on the candidates left by those before
        // it, unless checking those candidates one by one costs less.
        ranges.sort_by_key(|range| range.index.slices.slice_count());
        let mut rest = Vec::new();
        for range in ranges {
            if candidates.len() > SCAN_CANDIDATES && range.walk_is_cheaper(&candidates) {
                candidates = range.within(Some(&candidates));
            } else {
                rest.push(range);
            }
        }
        Cow::Owned(self.check_each(candidates, &[], &rest))
    }

    /// What evaluating the clauses takes: the requirements that need a key present (and `match_ids`,
    /// and the nodes with an integer for each range's key) by their estimated number of nodes, then
    /// those that pass on an absent key; and one merged range per key compared with `>` or `<`. `None`
    /// when no node can match: a range holds no integer, no node has an integer for a range's key, or a
    /// key or value that must be present is on no node.
    fn plan<'f, 'm>(&'f self, clauses: &'m [Clause]) -> Option<Plan<'f, 'm>> {
        let mut required: Vec<(u64, Step<'f, 'm>)> = Vec::new();
        let mut rejected: Vec<Step<'f, 'm>> = Vec::new();
        let mut bounds: BTreeMap<&'m str, (i64, i64)> = BTreeMap::new();
        for clause in clauses {
            let check = &clause.check;
            let key = match &clause.subject {
                _ if check.matches_absent_key() => {
                    rejected.push(Step::Reject(clause));
                    continue;
                }
                Subject::Id => {
                    let estimate = match check {
                        Check::In(ids) => ids.len() as u64,
                        _ => self.live.len(),
                    };
                    required.push((estimate, Step::Require(clause)));
                    continue;
                }
                Subject::Label(key) => &**key,
            };
            let full = (i64::MIN, i64::MAX);
            match check {
                Check::Greater(threshold) => {
                    let low = &mut bounds.entry(key).or_insert(full).0;
                    *low = (*low).max(threshold.checked_add(1)?);
                }
                Check::Less(threshold) => {
                    let high = &mut bounds.entry(key).or_insert(full).1;
                    *high = (*high).min(threshold.checked_sub(1)?);
                }
                _ => {
                    let index = self.key_index(key)?;
                    let estimate = match check {
                        // At least the size of their union, without building it.
                        Check::In(values) => values
                            .iter()
                            .filter_map(|value| self.values.id(value))
                            .filter_map(|value| index.values.get(&value))
                            .map(Holders::len)
                            .sum(),
                        _ => index.present.len(),
                    };
                    required.push((estimate, Step::Require(clause)));
                }
            }
        }
        let mut ranges = Vec::with_capacity(bounds.len());
        for (key, (low, high)) in bounds {
            let key_id = self.keys.id(key)?;
            let index = self.index.key(key_id)?;
            if low > high {
                return None;
            }
            let integers = index.slices.integers();
            required.push((integers.len(), Step::Integers(integers)));
            ranges.push(Range {
                key_id,
                index,
                values: &self.values,
                low,
                high,
            });
        }
        if required.iter().any(|(estimate, _)| *estimate == 0) {
            return None;
        }
        required.sort_by_key(|(estimate, _)| *estimate);
        let mut steps: Vec<Step<'f, 'm>> = required.into_iter().map(|(_, step)| step).collect();
        steps.extend(rejected);
        Some(Plan { steps, ranges })
    }

    /// The nodes that pass a step. `evaluate` asks only for the steps that need their key present (it
    /// subtracts the others one value at a time, in `remove_rejected`).
    fn passing_nodes<'f>(&'f self, step: &Step<'f, '_>) -> Cow<'f, RoaringBitmap> {
        match step {
            Step::Require(clause) => self.nodes_with(clause),
            Step::Integers(nodes) => Cow::Borrowed(nodes),
            Step::Reject(clause) => Cow::Owned(&self.live - &*self.nodes_with(clause)),
        }
    }

    /// The candidates that pass every step and are in every range, checked one by one on their labels.
    fn check_each(
        &self,
        mut candidates: RoaringBitmap,
        steps: &[Step<'_, '_>],
        ranges: &[Range<'_>],
    ) -> RoaringBitmap {
        if !steps.is_empty() || !ranges.is_empty() {
            candidates.retain(|slot| {
                let (id, labels) = (self.node(slot).id(), self.labels_in(slot));
                steps.iter().all(|step| step.holds(id, &labels))
                    && ranges.iter().all(|range| range.holds(&labels))
            });
        }
        candidates
    }

    fn key_index(&self, key: &str) -> Option<&KeyIndex> {
        self.keys.id(key).and_then(|k| self.index.key(k))
    }

    /// Removes from `candidates` the nodes a `!=`, `notin` or `!key` clause rejects, one value's bitmap at
    /// a time, without building their union.
    fn remove_rejected(&self, candidates: &mut RoaringBitmap, clause: &Clause) {
        let Subject::Label(key) = &clause.subject else {
            *candidates -= &*self.nodes_with(clause);
            return;
        };
        let Some(key) = self.key_index(key) else {
            return;
        };
        match &clause.check {
            Check::NotIn(values) => {
                let values = values.iter().filter_map(|v| self.values.id(v));
                for holders in values.filter_map(|value| key.values.get(&value)) {
                    holders.remove_from(candidates);
                }
            }
            _ => *candidates -= &key.present,
        }
    }

    /// For a clause that needs its key: the nodes that pass it. For `!=`/`notin`: the nodes that have one
    /// of its values; for `!key`: the nodes that have the key (the nodes these clauses reject). For
    /// `match_ids`: the nodes listed.
    pub(super) fn nodes_with(&self, clause: &Clause) -> Cow<'_, RoaringBitmap> {
        let Subject::Label(key) = &clause.subject else {
            let (Check::In(ids) | Check::NotIn(ids)) = &clause.check else {
                return Cow::Borrowed(&self.live);
            };
            return Cow::Owned(ids.iter().filter_map(|id| self.slot_of(id)).collect());
        };
        let Some((key_id, index)) = self
            .keys
            .id(key)
            .and_then(|k| Some((k, self.index.key(k)?)))
        else {
            return Cow::Owned(RoaringBitmap::new());
        };
        let (low, high) = match &clause.check {
            Check::In(values) | Check::NotIn(values) => {
                return self.nodes_with_values(index, values);
            }
            Check::Exists | Check::Absent => return Cow::Borrowed(&index.present),
            Check::Greater(threshold) => (threshold.checked_add(1), Some(i64::MAX)),
            Check::Less(threshold) => (Some(i64::MIN), threshold.checked_sub(1)),
        };
        let (Some(low), Some(high)) = (low, high) else {
            return Cow::Owned(RoaringBitmap::new());
        };
        let range = Range {
            key_id,
            index,
            values: &self.values,
            low,
            high,
        };
        Cow::Owned(range.within(None))
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
            (Some(only), None) => only.bitmap(),
            (Some(first), Some(second)) => {
                Cow::Owned(union([first, second].into_iter().chain(found)))
            }
        }
    }
}

/// The nodes of all these values: the bitmaps unioned at once, the single nodes added after.
fn union<'a>(holders: impl Iterator<Item = &'a Holders>) -> RoaringBitmap {
    let mut ones = Vec::new();
    let mut nodes = holders
        .filter_map(|holders| match holders {
            Holders::One(slot) => {
                ones.push(*slot);
                None
            }
            Holders::Many(nodes) => Some(&**nodes),
        })
        .union();
    ones.sort_unstable();
    nodes.extend(ones);
    nodes
}

/// How to evaluate a selector on the index.
struct Plan<'f, 'm> {
    /// The steps with a bitmap, the most selective first.
    steps: Vec<Step<'f, 'm>>,
    /// The `>` and `<` requirements, one range per key.
    ranges: Vec<Range<'f>>,
}

/// One requirement of a selector, as the index evaluates it.
enum Step<'f, 'm> {
    /// A clause that fails on an absent key (`=`, `in`, `key`), or `match_ids`: intersected.
    Require(&'m Clause),
    /// The nodes with an integer for the key of a range: intersected, so that the range is decided on
    /// fewer candidates. Checked on a node by the range itself.
    Integers(&'f RoaringBitmap),
    /// A clause that holds on an absent key (`!=`, `notin`, `!key`, `exclude_ids`): subtracted.
    Reject(&'m Clause),
}

impl Step<'_, '_> {
    /// Whether the node with this id and these labels passes the step.
    fn holds(&self, id: &str, labels: &NodeLabels<'_>) -> bool {
        match self {
            Step::Require(clause) | Step::Reject(clause) => {
                let value = match &clause.subject {
                    Subject::Label(key) => labels.get(key),
                    Subject::Id => Some(id),
                };
                clause.check.holds(value)
            }
            // A range of the same key follows, and needs an integer.
            Step::Integers(_) => true,
        }
    }
}

/// The integers from `low` to `high` (inclusive, never empty) of one key: where all its `>` and `<`
/// requirements hold.
struct Range<'f> {
    key_id: u32,
    index: &'f KeyIndex,
    /// The fleet's values, to read the values of a key with few of them.
    values: &'f Vocabulary,
    low: i64,
    high: i64,
}

impl Range<'_> {
    /// Whether the node's value for the key is an integer in the range.
    fn holds(&self, labels: &NodeLabels<'_>) -> bool {
        labels
            .labels
            .value_of(self.key_id)
            .map(|value| labels.values.term(value))
            .and_then(parse_integer)
            .is_some_and(|value| self.low <= value && value <= self.high)
    }

    /// Whether walking the slices from the candidates is estimated to cost less than checking each
    /// candidate's value: see [`WALK_CONTAINER`] and [`WALK_NODE`].
    fn walk_is_cheaper(&self, candidates: &RoaringBitmap) -> bool {
        let containers = u64::from(candidates.statistics().n_containers);
        let walk =
            self.walked_slices() * containers * WALK_CONTAINER + candidates.len() * WALK_NODE;
        walk < candidates.len() * CHECK_NODE
    }

    /// How many slices a walk reads at most: those of each bound that is not an end of `i64` (a
    /// bound there needs no walk of its own).
    fn walked_slices(&self) -> u64 {
        let bounds = u64::from(self.low != i64::MIN) + u64::from(self.high != i64::MAX);
        bounds * self.index.slices.slice_count() as u64
    }

    /// The nodes (of `candidates`, if given) whose value is an integer in the range: by walking the
    /// slices, or for a key of few values by the union of the bitmaps of its values in the range when
    /// they are fewer than the slices a walk would read (a walk does a few operations a slice).
    fn within(&self, candidates: Option<&RoaringBitmap>) -> RoaringBitmap {
        let range = self.low..=self.high;
        if let Some(nodes) = self.few_values() {
            return match candidates {
                Some(candidates) => nodes & candidates,
                None => nodes,
            };
        }
        match candidates {
            Some(candidates) => self.index.slices.within_candidates(range, candidates),
            None => self.index.slices.within(range),
        }
    }

    /// For a key of at most [`FEW_VALUES`] values: from the bitmaps of its integer values, those in
    /// the range unioned, or, when fewer are outside it, the nodes with an integer less those outside;
    /// unless the bitmaps to read outnumber twice the slices a walk reads.
    fn few_values(&self) -> Option<RoaringBitmap> {
        let values = &self.index.values;
        if values.len() > FEW_VALUES {
            return None;
        }
        let (mut inside, mut outside): (Vec<&Holders>, Vec<&Holders>) = (Vec::new(), Vec::new());
        for (&value, holders) in values.iter() {
            match parse_integer(self.values.term(value)) {
                Some(number) if self.low <= number && number <= self.high => inside.push(holders),
                Some(_) => outside.push(holders),
                None => {}
            }
        }
        let fewer = inside.len().min(outside.len()) as u64;
        if fewer > 2 * self.walked_slices() {
            return None;
        }
        Some(if inside.len() <= outside.len() {
            union(inside.into_iter())
        } else {
            self.index.slices.integers() - union(outside.into_iter())
        })
    }
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
            .slot_of(id)
            .is_some_and(|slot| self.slots.contains(slot))
    }

    /// The fleet and the selected slots, for the other views of a selection (`spread`, `rollout`).
    pub(super) fn parts(&self) -> (&'f Fleet, &RoaringBitmap) {
        (self.fleet, &self.slots)
    }

    /// The ids of the selected nodes, in the order they were first inserted into the fleet.
    pub fn iter(&self) -> impl Iterator<Item = &'f str> + '_ {
        let fleet = self.fleet;
        self.slots.iter().map(move |slot| fleet.node(slot).id())
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
