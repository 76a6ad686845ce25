//! [`Fleet::diagnose`]: for each requirement of a selector, how many nodes it turns down and how many
//! more would match without it, computed on the index.

use std::borrow::Cow;
use std::fmt;

use roaring::RoaringBitmap;
use serde::Serialize;

use crate::fleet::Fleet;
use crate::matcher::Matcher;
use crate::place::Place;

/// How a selector fares on a fleet, requirement by requirement.
///
/// `Display` prints a table and, for the requirements that alone turn nodes down, what dropping each
/// would gain; serde gives JSON.
///
/// ```
/// use labelsel::{Fleet, Selector};
///
/// let mut fleet = Fleet::new();
/// fleet.insert("n1", [("tier", "premium"), ("gpu", "l4")]);
/// fleet.insert("n2", [("tier", "standard"), ("gpu", "l4")]);
/// fleet.insert("n3", [("tier", "standard")]);
/// let matcher = Selector::new().expression("tier=premium, gpu").compile()?;
/// let diagnosis = fleet.diagnose(&matcher);
/// assert_eq!((diagnosis.nodes, diagnosis.matching), (3, 1));
/// let tier = &diagnosis.requirements[1];
/// assert_eq!(tier.requirement, "tier=premium");
/// assert_eq!((tier.rejects, tier.rejects_alone, tier.matching_without), (2, 1, 2));
/// assert!(diagnosis
///     .to_string()
///     .contains("drop `tier=premium` (match_expressions[0]) to gain 1 node"));
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Diagnosis {
    /// Nodes in the fleet.
    pub nodes: usize,
    /// Nodes the whole selector matches.
    pub matching: usize,
    /// One entry per requirement (and one for `match_ids` when it is set), as written.
    pub requirements: Vec<RequirementDiagnosis>,
}

/// How one requirement fares on a fleet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RequirementDiagnosis {
    /// Where the requirement was written.
    pub origin: Place,
    /// Its canonical text.
    pub requirement: String,
    /// Nodes it turns down.
    pub rejects: usize,
    /// Nodes it alone turns down: every other requirement accepts them.
    pub rejects_alone: usize,
    /// Nodes the selector would match without it.
    pub matching_without: usize,
}

impl Fleet {
    /// Diagnoses a selector on this fleet: the number of matching nodes and, per requirement, the
    /// nodes it rejects, the nodes only it rejects, and the nodes that would match without it. Computed
    /// with bitmap intersections (prefix and suffix intersections, so linear in the number of
    /// requirements), fast enough to run on every failed placement.
    pub fn diagnose(&self, matcher: &Matcher) -> Diagnosis {
        // Each requirement with the nodes that pass it, in the order written, the id constraint last.
        let parts: Vec<(&Place, &str, Cow<'_, RoaringBitmap>)> = matcher
            .parts()
            .map(|part| {
                let check = &part.clause.check;
                let passing = if check.matches_absent_key() {
                    Cow::Owned(&self.live - &*self.nodes_with(part.clause))
                } else {
                    self.nodes_with(part.clause)
                };
                (part.place, part.text, passing)
            })
            .collect();

        // before[i]: nodes passing parts 0..i; after[i]: nodes passing parts i..n.
        let mut before = vec![self.live.clone()];
        for part in &parts {
            let last = before.last().expect("starts with the live nodes");
            before.push(last & &*part.2);
        }
        let mut after = vec![self.live.clone(); parts.len() + 1];
        for i in (0..parts.len()).rev() {
            after[i] = &after[i + 1] & &*parts[i].2;
        }
        let matching = before[parts.len()].len() as usize;
        let requirements = parts
            .iter()
            .enumerate()
            .map(|(i, (origin, text, passing))| {
                let without = before[i].intersection_len(&after[i + 1]) as usize;
                RequirementDiagnosis {
                    origin: (*origin).clone(),
                    requirement: text.to_string(),
                    rejects: self.len() - passing.len() as usize,
                    rejects_alone: without - matching,
                    matching_without: without,
                }
            })
            .collect();
        Diagnosis {
            nodes: self.len(),
            matching,
            requirements,
        }
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} of {} nodes match", self.matching, self.nodes)?;
        if self.requirements.is_empty() {
            return Ok(());
        }
        let width = self
            .requirements
            .iter()
            .map(|r| r.origin.to_string().len() + r.requirement.len() + 2)
            .max()
            .unwrap_or(0)
            .max(11);
        writeln!(
            f,
            "  {:<width$} {:>9} {:>9} {:>11}",
            "requirement", "rejects", "alone", "without it"
        )?;
        for r in &self.requirements {
            let name = format!("{}  {}", r.origin, r.requirement);
            writeln!(
                f,
                "  {name:<width$} {:>9} {:>9} {:>11}",
                r.rejects, r.rejects_alone, r.matching_without
            )?;
        }
        let mut gains: Vec<&RequirementDiagnosis> = self
            .requirements
            .iter()
            .filter(|r| r.rejects_alone > 0)
            .collect();
        gains.sort_by_key(|r| std::cmp::Reverse(r.rejects_alone));
        for r in gains {
            let plural = if r.rejects_alone == 1 { "" } else { "s" };
            writeln!(
                f,
                "drop `{}` ({}) to gain {} node{plural}",
                r.requirement, r.origin, r.rejects_alone
            )?;
        }
        Ok(())
    }
}
