//! Placement on the index: [`Fleet::place`] and [`Fleet::ranked`], exact over the whole fleet.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use roaring::{MultiOps, RoaringBitmap};

use crate::fleet::Fleet;
use crate::placement::Placer;

/// A node [`Fleet::place`] chose, with its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Placed<'a> {
    /// The node's id.
    pub id: &'a str,
    /// The sum of the weights of the preferred terms the node matches.
    pub score: i64,
}

impl Fleet {
    /// The `k` best feasible nodes: highest score first, ties in fleet (insertion) order. Exact over the
    /// whole fleet, not a sample, and computed on the bitmaps: the feasible set is the union of the
    /// required terms' selections, and each preference's winners are a selection too. The scores are
    /// walked from the best down; a score's nodes (those winning exactly the preferences that sum to it)
    /// are computed only when the walk reaches it, and the walk stops once `k` nodes are found. No node
    /// is scored one by one.
    ///
    /// The result equals scoring every node with [`Placer::feasible`] and [`Placer::score`] and sorting
    /// by (score descending, fleet order).
    ///
    /// ```
    /// use labelsel::{Fleet, Placement, Preference, Term};
    ///
    /// let mut fleet = Fleet::new();
    /// fleet.insert("a", [("tier", "spot"), ("gpu", "l4")]);
    /// fleet.insert("b", [("tier", "premium")]);
    /// fleet.insert("c", [("tier", "premium"), ("gpu", "h100")]);
    /// fleet.insert("d", [("tier", "standard"), ("debug", "")]);
    ///
    /// let term = |text: &str| Term { match_expressions: vec![text.into()], ..Default::default() };
    /// let placer = Placement {
    ///     required: Some(vec![term("!debug")]),
    ///     preferred: vec![
    ///         Preference { weight: 10, selector: term("gpu") },
    ///         Preference { weight: -5, selector: term("tier=spot") },
    ///     ],
    /// }
    /// .compile()?;
    /// let best: Vec<(&str, i64)> = fleet.place(&placer, 2).iter().map(|p| (p.id, p.score)).collect();
    /// assert_eq!(best, [("c", 10), ("a", 5)]);
    /// # Ok::<(), labelsel::PlacementError>(())
    /// ```
    pub fn place(&self, placer: &Placer, k: usize) -> Vec<Placed<'_>> {
        self.ranked(placer).take(k).collect()
    }

    /// Every feasible node, best first (score descending, ties in fleet order), lazily: the nodes of a
    /// score are put in order only when the walk reaches that score.
    ///
    /// ```
    /// use labelsel::{Fleet, Placement};
    ///
    /// let mut fleet = Fleet::new();
    /// fleet.insert("a", [("zone", "x")]);
    /// fleet.insert("b", [("zone", "y")]);
    /// let placer = Placement::default().compile()?; // every node feasible, every score 0
    /// let ids: Vec<&str> = fleet.ranked(&placer).map(|placed| placed.id).collect();
    /// assert_eq!(ids, ["a", "b"]);
    /// # Ok::<(), labelsel::PlacementError>(())
    /// ```
    pub fn ranked(&self, placer: &Placer) -> Ranked<'_> {
        let feasible: Cow<'_, RoaringBitmap> = match placer.required() {
            None => Cow::Borrowed(&self.live),
            Some([term]) => self.evaluate(term),
            Some(terms) => {
                let selections: Vec<Cow<'_, RoaringBitmap>> =
                    terms.iter().map(|term| self.evaluate(term)).collect();
                Cow::Owned(selections.iter().map(|nodes| &**nodes).union())
            }
        };
        // Preferences that no feasible node can win change no score.
        let preferences: Vec<(i64, Cow<'_, RoaringBitmap>)> = placer
            .preferred()
            .iter()
            .filter(|(weight, _)| *weight != 0)
            .map(|(weight, term)| (i64::from(*weight), self.evaluate(term)))
            .filter(|(_, winners)| !winners.is_disjoint(&feasible))
            .collect();
        let plan = if preferences.len() <= LAZY_PREFERENCES {
            Plan::lazy(feasible, preferences)
        } else {
            Plan::Eager(eager_buckets(feasible.into_owned(), &preferences).into_iter())
        };
        Ranked {
            fleet: self,
            plan,
            current: None,
        }
    }
}

/// Up to this many preferences, the scores are walked lazily, best first, computing a score's nodes only
/// when the walk reaches it (the walk considers every subset of the preferences); beyond it, every score's
/// nodes are computed up front.
const LAZY_PREFERENCES: usize = 6;

/// How a [`Ranked`] finds the nodes of each score.
enum Plan<'f> {
    /// Every subset of the preferences, grouped by the score it gives and best score first; a subset's
    /// nodes are those that win exactly its preferences.
    Lazy {
        feasible: Cow<'f, RoaringBitmap>,
        preferences: Vec<(i64, Cow<'f, RoaringBitmap>)>,
        scores: std::vec::IntoIter<(i64, Vec<u32>)>,
    },
    /// The nodes of every score, computed up front, best score first.
    Eager(std::vec::IntoIter<(i64, RoaringBitmap)>),
}

impl<'f> Plan<'f> {
    fn lazy(
        feasible: Cow<'f, RoaringBitmap>,
        preferences: Vec<(i64, Cow<'f, RoaringBitmap>)>,
    ) -> Plan<'f> {
        let mut scores: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
        for subset in 0..1u32 << preferences.len() {
            let score = preferences
                .iter()
                .enumerate()
                .filter(|(i, _)| subset & (1 << i) != 0)
                .map(|(_, (weight, _))| weight)
                .sum();
            scores.entry(score).or_default().push(subset);
        }
        let scores: Vec<(i64, Vec<u32>)> = scores.into_iter().rev().collect();
        Plan::Lazy {
            feasible,
            preferences,
            scores: scores.into_iter(),
        }
    }

    /// The next score, best first, that some feasible node has, with its nodes.
    fn next_score(&mut self) -> Option<(i64, RoaringBitmap)> {
        match self {
            Plan::Eager(buckets) => buckets.next(),
            Plan::Lazy {
                feasible,
                preferences,
                scores,
            } => loop {
                let (score, subsets) = scores.next()?;
                let nodes: RoaringBitmap = subsets
                    .iter()
                    .map(|&subset| winning_exactly(feasible, preferences, subset))
                    .union();
                if !nodes.is_empty() {
                    return Some((score, nodes));
                }
            },
        }
    }
}

/// The feasible nodes that win exactly the preferences in `subset` (a bit per preference).
fn winning_exactly(
    feasible: &RoaringBitmap,
    preferences: &[(i64, Cow<'_, RoaringBitmap>)],
    subset: u32,
) -> RoaringBitmap {
    let (won, lost): (Vec<_>, Vec<_>) = preferences
        .iter()
        .enumerate()
        .partition(|(i, _)| subset & (1 << i) != 0);
    let mut nodes = feasible.clone();
    for (_, (_, winners)) in won {
        nodes &= &**winners;
        if nodes.is_empty() {
            return nodes;
        }
    }
    for (_, (_, winners)) in lost {
        nodes -= &**winners;
    }
    nodes
}

/// The feasible nodes grouped by score, best score first: each preference splits every group into
/// the nodes that win it and those that do not.
fn eager_buckets(
    feasible: RoaringBitmap,
    preferences: &[(i64, Cow<'_, RoaringBitmap>)],
) -> Vec<(i64, RoaringBitmap)> {
    let mut buckets: BTreeMap<i64, RoaringBitmap> = BTreeMap::from([(0, feasible)]);
    for (weight, winners) in preferences {
        let mut split: BTreeMap<i64, RoaringBitmap> = BTreeMap::new();
        for (score, nodes) in buckets {
            let won = &nodes & &**winners;
            let missed = nodes - &**winners;
            for (score, part) in [(score + weight, won), (score, missed)] {
                if !part.is_empty() {
                    *split.entry(score).or_default() |= part;
                }
            }
        }
        buckets = split;
    }
    buckets.into_iter().rev().collect()
}

/// The feasible nodes of a fleet, best first: what [`Fleet::ranked`] returns.
pub struct Ranked<'f> {
    fleet: &'f Fleet,
    plan: Plan<'f>,
    /// The score being walked and its nodes in fleet order.
    current: Option<(i64, roaring::bitmap::IntoIter)>,
}

impl<'f> Iterator for Ranked<'f> {
    type Item = Placed<'f>;

    fn next(&mut self) -> Option<Placed<'f>> {
        loop {
            if let Some((score, order)) = &mut self.current
                && let Some(slot) = order.next()
            {
                let id = self.fleet.node(slot).id();
                return Some(Placed { id, score: *score });
            }
            let (score, nodes) = self.plan.next_score()?;
            self.current = Some((score, nodes.into_iter()));
        }
    }
}

/// Shows the score being walked, not the nodes.
impl fmt::Debug for Ranked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ranked")
            .field("current_score", &self.current.as_ref().map(|(s, _)| *s))
            .finish_non_exhaustive()
    }
}
