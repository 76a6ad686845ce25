//! [`Placer`]: a compiled [`Placement`](crate::Placement): feasibility, score and explanation for one
//! node.

use std::fmt;

use serde::Serialize;

use crate::explain::Explanation;
use crate::labels::Labels;
use crate::matcher::Matcher;

/// A compiled [`Placement`](crate::Placement): immutable and `Send + Sync`.
///
/// ```
/// use labelsel::{Placement, Preference, Term};
///
/// let term = |text: &str| Term { match_expressions: vec![text.into()], ..Default::default() };
/// let placement = Placement {
///     required: Some(vec![term("env=prod"), term("gpu")]),
///     preferred: vec![Preference { weight: 3, selector: term("zone=a") }],
/// };
/// let placer = placement.compile()?;
/// let node = std::collections::HashMap::from([("gpu", "l4"), ("zone", "a")]);
/// assert!(placer.feasible("node-1", &node)); // the second term matches
/// assert_eq!(placer.score("node-1", &node), 3);
/// # Ok::<(), labelsel::PlacementError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Placer {
    /// Terms ORed; `None` makes every node feasible.
    required: Option<Vec<Matcher>>,
    /// Weighted terms.
    preferred: Vec<(i32, Matcher)>,
}

impl Placer {
    pub(crate) fn new(required: Option<Vec<Matcher>>, preferred: Vec<(i32, Matcher)>) -> Placer {
        Placer {
            required,
            preferred,
        }
    }

    /// The required terms, or `None` when every node is feasible.
    pub(crate) fn required(&self) -> Option<&[Matcher]> {
        self.required.as_deref()
    }

    /// The preferred terms with their weights.
    pub(crate) fn preferred(&self) -> &[(i32, Matcher)] {
        &self.preferred
    }

    /// Whether the node may run the job: it matches at least one required term, or there are none.
    ///
    /// ```
    /// let placer = labelsel::Placement { required: Some(vec![]), preferred: vec![] }.compile()?;
    /// assert!(!placer.feasible("n1", &std::collections::BTreeMap::<String, String>::new()));
    /// # Ok::<(), labelsel::PlacementError>(())
    /// ```
    pub fn feasible<L: Labels + ?Sized>(&self, id: &str, labels: &L) -> bool {
        self.required
            .as_ref()
            .is_none_or(|terms| terms.iter().any(|term| term.matches(id, labels)))
    }

    /// The node's score: the sum of the weights of the preferred terms it matches, whether or not it is
    /// feasible.
    ///
    /// ```
    /// use labelsel::{Placement, Preference, Term};
    ///
    /// let term = |text: &str| Term { match_expressions: vec![text.into()], ..Default::default() };
    /// let placer = Placement {
    ///     required: None,
    ///     preferred: vec![
    ///         Preference { weight: i32::MAX, selector: term("a") },
    ///         Preference { weight: i32::MAX, selector: term("b") },
    ///     ],
    /// }
    /// .compile()?;
    /// let node = std::collections::BTreeMap::from([("a", ""), ("b", "")]);
    /// assert_eq!(placer.score("n", &node), 2 * i64::from(i32::MAX)); // no overflow
    /// # Ok::<(), labelsel::PlacementError>(())
    /// ```
    pub fn score<L: Labels + ?Sized>(&self, id: &str, labels: &L) -> i64 {
        self.preferred
            .iter()
            .filter(|(_, term)| term.matches(id, labels))
            .map(|(weight, _)| i64::from(*weight))
            .sum()
    }

    /// Explains the verdict on one node: each required term's explanation (which matched, or why none
    /// did) and each preference, won or missed, with its weight.
    ///
    /// ```
    /// use labelsel::{Placement, Preference, Term};
    ///
    /// let term = |text: &str| Term { match_expressions: vec![text.into()], ..Default::default() };
    /// let placer = Placement {
    ///     required: Some(vec![term("env=prod")]),
    ///     preferred: vec![Preference { weight: 2, selector: term("zone=a") }],
    /// }
    /// .compile()?;
    /// let node = std::collections::BTreeMap::from([("env", "dev"), ("zone", "a")]);
    /// let explanation = placer.explain("n1", &node);
    /// assert!(!explanation.feasible);
    /// assert_eq!(explanation.score, 2);
    /// assert_eq!(
    ///     explanation.to_string(),
    ///     "n1 is not feasible: none of 1 required term matches; score 2\n\
    ///      \x20 required[0] fails:\n\
    ///      \x20   fail  match_expressions[0]  env=prod  env is \"dev\", not one of the values\n\
    ///      \x20 preferred[0] (weight 2) won\n"
    /// );
    /// # Ok::<(), labelsel::PlacementError>(())
    /// ```
    pub fn explain<L: Labels + ?Sized>(&self, id: &str, labels: &L) -> PlacementExplanation {
        let required = self.required.as_ref().map(|terms| {
            terms
                .iter()
                .map(|term| term.explain(id, labels))
                .collect::<Vec<_>>()
        });
        let preferred: Vec<PreferenceVerdict> = self
            .preferred
            .iter()
            .map(|(weight, term)| {
                let explanation = term.explain(id, labels);
                PreferenceVerdict {
                    weight: *weight,
                    won: explanation.matches,
                    explanation,
                }
            })
            .collect();
        PlacementExplanation {
            id: id.to_string(),
            feasible: required
                .as_ref()
                .is_none_or(|terms| terms.iter().any(|term| term.matches)),
            score: preferred
                .iter()
                .filter(|p| p.won)
                .map(|p| i64::from(p.weight))
                .sum(),
            required,
            preferred,
        }
    }
}

/// What [`Placer::explain`] found on one node.
///
/// `Display` prints the verdict, then each required term (the one that matched, or every one with the
/// requirements that failed) and each preference, won or missed; serde gives JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PlacementExplanation {
    /// The node's id.
    pub id: String,
    /// Whether the node is feasible.
    pub feasible: bool,
    /// The node's score.
    pub score: i64,
    /// Each required term's explanation, in order; `None` when the placement has no required terms.
    pub required: Option<Vec<Explanation>>,
    /// Each preference's verdict, in order.
    pub preferred: Vec<PreferenceVerdict>,
}

/// Whether one preference won on a node, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PreferenceVerdict {
    /// The preference's weight.
    pub weight: i32,
    /// Whether the node matches the preference's term, so that its weight counts.
    pub won: bool,
    /// The term's explanation on the node.
    pub explanation: Explanation,
}

impl fmt::Display for PlacementExplanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = &self.id;
        let score = self.score;
        match &self.required {
            None => writeln!(f, "{id} is feasible: no required terms; score {score}")?,
            Some(terms) => match terms.iter().position(|term| term.matches) {
                Some(index) => writeln!(
                    f,
                    "{id} is feasible: required[{index}] matches; score {score}"
                )?,
                None => {
                    let plural = if terms.len() == 1 { "" } else { "s" };
                    writeln!(
                        f,
                        "{id} is not feasible: none of {} required term{plural} matches; score {score}",
                        terms.len()
                    )?;
                    for (index, term) in terms.iter().enumerate() {
                        writeln!(f, "  required[{index}] fails:")?;
                        for verdict in term.failures() {
                            writeln!(f, "    {verdict}")?;
                        }
                    }
                }
            },
        }
        for (index, preference) in self.preferred.iter().enumerate() {
            let outcome = if preference.won { "won" } else { "missed" };
            writeln!(
                f,
                "  preferred[{index}] (weight {}) {outcome}",
                preference.weight
            )?;
            if !preference.won {
                for verdict in preference.explanation.failures() {
                    writeln!(f, "    {verdict}")?;
                }
            }
        }
        Ok(())
    }
}
