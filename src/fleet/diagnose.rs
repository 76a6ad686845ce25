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
/// `Display` prints a table, a legend of its columns and, for the requirements that alone turn nodes
/// down, what dropping each would gain; serde gives JSON.
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
    /// nodes it rejects, the nodes only it rejects, and the nodes that would match without it.
    ///
    /// One pass over the requirements with bitmap operations, fast enough to run on every failed
    /// placement, in memory that does not grow with their number: it keeps the nodes that failed no
    /// requirement so far, those that failed exactly one, and for each requirement the nodes whose
    /// first failure it was (each node is in at most one of these sets, so together they hold at most
    /// the fleet). A node rejected by that requirement alone is one of them that fails no other.
    pub fn diagnose(&self, matcher: &Matcher) -> Diagnosis {
        // Nodes that failed no requirement so far, and nodes that failed exactly one.
        let mut passed_all = self.live.clone();
        let mut failed_one = RoaringBitmap::new();
        // Per requirement in the order written: where it was written, its text, the nodes it rejects,
        // and the nodes whose first failure it was.
        let mut parts: Vec<(&Place, &str, u64, RoaringBitmap)> = Vec::new();
        for part in matcher.parts() {
            let check = &part.clause.check;
            let with = self.nodes_with(part.clause);
            // The nodes this requirement rejects: those without the value it needs, or those with
            // the value it excludes.
            let rejected: Cow<'_, RoaringBitmap> = if check.matches_absent_key() {
                with
            } else {
                Cow::Owned(&self.live - &*with)
            };
            let first_failure = &passed_all & &*rejected;
            failed_one -= &*rejected;
            failed_one |= &first_failure;
            passed_all -= &*rejected;
            parts.push((part.place, part.text, rejected.len(), first_failure));
        }
        let matching = passed_all.len() as usize;
        let requirements = parts
            .into_iter()
            .map(|(origin, text, rejects, first_failure)| {
                let alone = first_failure.intersection_len(&failed_one) as usize;
                RequirementDiagnosis {
                    origin: origin.clone(),
                    requirement: text.to_string(),
                    rejects: rejects as usize,
                    rejects_alone: alone,
                    matching_without: matching + alone,
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
        writeln!(
            f,
            "  (rejects: the nodes this requirement turns down; alone: the nodes only it turns down,"
        )?;
        writeln!(
            f,
            "  which dropping it would gain; without it: the nodes that would match without it)"
        )?;
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
