//! Placement on the index: [`Fleet::place`] and [`Fleet::ranked`], exact over the whole fleet.

use std::collections::BTreeMap;
use std::fmt;

use roaring::{MultiOps, RoaringBitmap};

use crate::fleet::Fleet;
use crate::fleet::select::InsertionOrder;
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
    /// required terms' selections; each preference splits the nodes into those that gain its weight and
    /// those that do not, so nodes fall into one bitmap per score; the best scores are then walked until
    /// `k` nodes are found. No node is scored one by one.
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
        Ranked {
            fleet: self,
            buckets: self.score_buckets(placer).into_iter(),
            current: None,
        }
    }

    /// The feasible nodes grouped by score, best score first.
    fn score_buckets(&self, placer: &Placer) -> Vec<(i64, RoaringBitmap)> {
        let feasible = match placer.required() {
            None => self.live.clone(),
            Some(terms) => terms.iter().map(|term| self.evaluate(term)).union(),
        };
        let mut buckets: BTreeMap<i64, RoaringBitmap> = BTreeMap::new();
        if !feasible.is_empty() {
            buckets.insert(0, feasible);
        }
        for (weight, term) in placer.preferred() {
            if *weight == 0 || buckets.is_empty() {
                continue;
            }
            let winners = self.evaluate(term);
            if winners.is_empty() {
                continue;
            }
            let mut split: BTreeMap<i64, RoaringBitmap> = BTreeMap::new();
            for (score, nodes) in buckets {
                let won = &nodes & &winners;
                let missed = nodes - &winners;
                for (score, part) in [(score + i64::from(*weight), won), (score, missed)] {
                    if !part.is_empty() {
                        *split.entry(score).or_default() |= part;
                    }
                }
            }
            buckets = split;
        }
        buckets.into_iter().rev().collect()
    }
}

/// The feasible nodes of a fleet, best first: what [`Fleet::ranked`] returns.
pub struct Ranked<'f> {
    fleet: &'f Fleet,
    /// The scores not reached yet, best first, with their nodes.
    buckets: std::vec::IntoIter<(i64, RoaringBitmap)>,
    /// The score being walked and its nodes in fleet order.
    current: Option<(i64, InsertionOrder<'static>)>,
}

impl<'f> Iterator for Ranked<'f> {
    type Item = Placed<'f>;

    fn next(&mut self) -> Option<Placed<'f>> {
        loop {
            if let Some((score, order)) = &mut self.current
                && let Some(slot) = order.next()
            {
                let id = &*self.fleet.node(slot).id;
                return Some(Placed { id, score: *score });
            }
            let (score, nodes) = self.buckets.next()?;
            self.current = Some((score, InsertionOrder::owned(self.fleet, nodes)));
        }
    }
}

/// Shows the scores still to walk, not the nodes.
impl fmt::Debug for Ranked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scores: Vec<i64> = self.buckets.as_slice().iter().map(|(s, _)| *s).collect();
        f.debug_struct("Ranked")
            .field("current_score", &self.current.as_ref().map(|(s, _)| *s))
            .field("scores_left", &scores)
            .finish_non_exhaustive()
    }
}
