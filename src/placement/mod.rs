//! [`Placement`]: where a job may run (required terms, ORed) and where it should (weighted preferred
//! terms), its JSON form, and compilation into a [`Placer`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::map_only::{deserialize_from_map_only, label_map};
use crate::matcher::Matcher;
use crate::parse::Limits;
use crate::selector::{SelectorError, compile_parts, null_as_empty};

mod affinity;
mod placer;

pub use affinity::{
    AffinityError, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    PreferredSchedulingTerm,
};
pub use placer::{PlacementExplanation, Placer, PreferenceVerdict};

/// One term of a [`Placement`]: a job-spec selector (`match_labels`, `match_expressions`, `match_ids`,
/// all ANDed, with the same JSON and the same strictness as [`Selector`](crate::Selector)), plus
/// `exclude_ids`: node ids the term turns down, so that a term says everything a Kubernetes
/// `NodeSelectorTerm` says (`matchFields` on `metadata.name` with `In` and `NotIn`).
///
/// An empty term matches every node, as the empty selector does.
///
/// ```
/// use labelsel::Term;
///
/// let term: Term = serde_json::from_str(
///     r#"{"match_expressions": ["gpu"], "exclude_ids": ["node-7"]}"#,
/// )?;
/// let matcher = term.compile()?;
/// let labels = std::collections::BTreeMap::from([("gpu", "l4")]);
/// assert!(matcher.matches("node-1", &labels));
/// assert!(!matcher.matches("node-7", &labels));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Term {
    /// Labels every node must carry, with exactly these values.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    /// Kubernetes selector strings every node must match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<String>,
    /// Node ids a node must be one of; empty places no constraint.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_ids: Vec<String>,
    /// Node ids the term turns down.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude_ids: Vec<String>,
}

/// How a [`Term`] reads from JSON: as a selector does, with `exclude_ids` (or `excludeIds`) besides.
#[derive(Deserialize)]
#[serde(remote = "Term", deny_unknown_fields)]
struct TermShape {
    #[serde(default, alias = "matchLabels", deserialize_with = "label_map")]
    match_labels: BTreeMap<String, String>,
    #[serde(
        default,
        alias = "matchExpressions",
        deserialize_with = "null_as_empty"
    )]
    match_expressions: Vec<String>,
    #[serde(
        default,
        alias = "matchIds",
        alias = "matchIDs",
        deserialize_with = "null_as_empty"
    )]
    match_ids: Vec<String>,
    #[serde(
        default,
        alias = "excludeIds",
        alias = "excludeIDs",
        deserialize_with = "null_as_empty"
    )]
    exclude_ids: Vec<String>,
}

deserialize_from_map_only!(
    Term,
    TermShape,
    "a term object such as {\"match_labels\": {...}, \"match_expressions\": [...], \"match_ids\": [...], \"exclude_ids\": [...]}"
);

impl Term {
    /// Validates the term and compiles it into a [`Matcher`]; errors name the part of the term that
    /// failed, as [`Selector::compile`](crate::Selector::compile)'s do.
    ///
    /// ```
    /// let term = labelsel::Term { exclude_ids: vec!["n1".into()], ..Default::default() };
    /// assert!(!term.compile()?.matches("n1", &std::collections::BTreeMap::<String, String>::new()));
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn compile(&self) -> Result<Matcher, SelectorError> {
        self.compile_with_limits(&Limits::default())
    }

    /// [`compile`](Self::compile), parsing each expression with the given [`Limits`].
    pub fn compile_with_limits(&self, limits: &Limits) -> Result<Matcher, SelectorError> {
        compile_parts(
            &self.match_labels,
            &self.match_expressions,
            &self.match_ids,
            &self.exclude_ids,
            limits,
        )
    }
}

/// A weighted preferred term of a [`Placement`]: nodes the term matches gain `weight` (negative
/// weights subtract: "avoid spot").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preference {
    /// What a matching node gains.
    pub weight: i32,
    /// The term a node must match to gain it.
    pub selector: Term,
}

/// How a [`Preference`] reads from JSON: both fields required, nothing else.
#[derive(Deserialize)]
#[serde(remote = "Preference", deny_unknown_fields)]
struct PreferenceShape {
    weight: i32,
    selector: Term,
}

deserialize_from_map_only!(
    Preference,
    PreferenceShape,
    "a preference object such as {\"weight\": 5, \"selector\": {...}}"
);

/// Where a job may run and where it should.
///
/// - `required`: terms ORed; a node is feasible when it matches at least one. `None` (absent or `null`
///   in JSON) places no constraint: every node is feasible. An empty list leaves no node feasible, as
///   an OR of nothing.
/// - `preferred`: a node's score is the sum of the weights of the preferred terms it matches, whether
///   or not it is feasible.
///
/// JSON: `{"required": [term, ...], "preferred": [{"weight": 5, "selector": term}, ...]}`, each term a
/// [`Term`]; unknown fields are errors.
///
/// `Placement::try_from` converts a Kubernetes [`NodeAffinity`] (`nodeAffinity`) into a placement with
/// the same verdicts and scores.
///
/// ```
/// use labelsel::Placement;
///
/// let placement: Placement = serde_json::from_str(r#"{
///     "required": [{"match_labels": {"env": "prod"}}, {"match_expressions": ["gpu"]}],
///     "preferred": [{"weight": 10, "selector": {"match_expressions": ["tier=premium"]}},
///                   {"weight": -5, "selector": {"match_expressions": ["tier=spot"]}}]
/// }"#)?;
/// let placer = placement.compile()?;
/// let node = std::collections::BTreeMap::from([("gpu", "l4"), ("tier", "spot")]);
/// assert!(placer.feasible("node-1", &node));
/// assert_eq!(placer.score("node-1", &node), -5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Placement {
    /// Terms ORed; `None` makes every node feasible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<Vec<Term>>,
    /// Weighted terms that score nodes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preferred: Vec<Preference>,
}

/// How a [`Placement`] reads from JSON.
#[derive(Deserialize)]
#[serde(remote = "Placement", deny_unknown_fields)]
struct PlacementShape {
    #[serde(default)]
    required: Option<Vec<Term>>,
    #[serde(default, deserialize_with = "null_as_empty")]
    preferred: Vec<Preference>,
}

deserialize_from_map_only!(
    Placement,
    PlacementShape,
    "a placement object such as {\"required\": [...], \"preferred\": [{\"weight\": 5, \"selector\": {...}}]}"
);

impl Placement {
    /// Validates every term and compiles the placement into a [`Placer`]. The first problem found is
    /// returned, naming its place (`required[1].match_expressions[0]`) with the parse error and its
    /// span.
    ///
    /// ```
    /// use labelsel::{Placement, Term};
    ///
    /// let bad = Term { match_expressions: vec!["gpu in (l4".into()], ..Default::default() };
    /// let placement = Placement { required: Some(vec![Term::default(), bad]), preferred: vec![] };
    /// let err = placement.compile().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "required[1].match_expressions[0]: expected `,` or `)`, found end of input at byte 10"
    /// );
    /// ```
    pub fn compile(&self) -> Result<Placer, PlacementError> {
        self.compile_with_limits(&Limits::default())
    }

    /// [`compile`](Self::compile), parsing each expression with the given [`Limits`].
    pub fn compile_with_limits(&self, limits: &Limits) -> Result<Placer, PlacementError> {
        let required = match &self.required {
            None => None,
            Some(terms) => Some(
                terms
                    .iter()
                    .enumerate()
                    .map(|(index, term)| {
                        term.compile_with_limits(limits)
                            .map_err(|error| PlacementError {
                                term: TermPlace::Required(index),
                                error,
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let preferred = self
            .preferred
            .iter()
            .enumerate()
            .map(|(index, preference)| {
                let matcher = preference
                    .selector
                    .compile_with_limits(limits)
                    .map_err(|error| PlacementError {
                        term: TermPlace::Preferred(index),
                        error,
                    })?;
                Ok((preference.weight, matcher))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Placer::new(required, preferred))
    }
}

/// Which term of a [`Placement`] something is about. `Display` prints `required[1]` or
/// `preferred[0]`.
///
/// ```
/// assert_eq!(labelsel::TermPlace::Preferred(2).to_string(), "preferred[2]");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TermPlace {
    /// The required term at this index.
    Required(usize),
    /// The preferred term at this index.
    Preferred(usize),
}

impl fmt::Display for TermPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TermPlace::Required(index) => write!(f, "required[{index}]"),
            TermPlace::Preferred(index) => write!(f, "preferred[{index}]"),
        }
    }
}

/// A [`Placement`] that failed to compile: which term, and the selector error in it.
///
/// `{}` prints `required[1].match_expressions[0]: message at byte N`; `{:#}` adds the offending text
/// with a caret under the span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementError {
    term: TermPlace,
    error: SelectorError,
}

impl PlacementError {
    /// The term that failed.
    pub fn term(&self) -> TermPlace {
        self.term
    }

    /// The error in that term, with its place in the term and the parse error.
    pub fn selector_error(&self) -> &SelectorError {
        &self.error
    }
}

impl fmt::Display for PlacementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (place, error) = (self.error.place(), self.error.parse_error());
        if f.alternate() {
            write!(f, "in {}.{place}:\n{error:#}", self.term)
        } else {
            write!(f, "{}.{place}: {error}", self.term)
        }
    }
}

/// The message holds the selector error's, so `source` is `None`.
impl std::error::Error for PlacementError {}
