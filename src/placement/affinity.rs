//! The Kubernetes `nodeAffinity` object (`v1.NodeAffinity`) in its JSON shape, and its conversion into a
//! [`Placement`], with the verdicts and scores of the Kubernetes node-affinity helpers
//! (`k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go`) and their strict
//! constructors, `NewNodeSelector` and `NewPreferredSchedulingTerms`.
//!
//! - `requiredDuringSchedulingIgnoredDuringExecution` becomes [`Placement::required`]: absent or
//!   `null` places no constraint; otherwise its non-empty terms, ORed (none left: no node is feasible).
//! - `preferredDuringSchedulingIgnoredDuringExecution` becomes [`Placement::preferred`]: terms of
//!   weight 0 and empty preferences are dropped (a weight-0 term is not even checked), the rest keep
//!   their weights, negative and above 100 included.
//! - `matchExpressions` become selector strings (`In` → `key in (a,b)`, `NotIn` → `key notin (a,b)`,
//!   `Exists` → `key`, `DoesNotExist` → `!key`, `Gt` → `key>n`, `Lt` → `key<n`), checked as
//!   `labels.NewRequirement` checks them.
//! - `matchFields` become node ids (`match_ids`, `exclude_ids`); see [`NodeSelectorTerm`].
//!
//! A broken term (anywhere but in a weight-0 preference) makes the conversion fail with an
//! [`AffinityError`] naming its place in Kubernetes' terms, as the strict constructors fail. The
//! scheduler's filter uses a lazy constructor instead, under which a broken required term is skipped
//! while the valid ones still match; labelsel refuses the whole object.
//!
//! ```
//! use labelsel::{NodeAffinity, Placement};
//!
//! let affinity: NodeAffinity = serde_json::from_str(r#"{
//!     "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
//!         {"matchExpressions": [{"key": "gpu", "operator": "Exists"},
//!                               {"key": "cpu", "operator": "Gt", "values": ["8"]}]}
//!     ]},
//!     "preferredDuringSchedulingIgnoredDuringExecution": [
//!         {"weight": 10, "preference": {"matchExpressions": [
//!             {"key": "zone", "operator": "In", "values": ["a", "b"]}]}}
//!     ]
//! }"#)?;
//! let placer = Placement::try_from(&affinity)?.compile()?;
//! let node = std::collections::BTreeMap::from([("gpu", "l4"), ("cpu", "16"), ("zone", "a")]);
//! assert!(placer.feasible("node-1", &node));
//! assert_eq!(placer.score("node-1", &node), 10);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Placement, Preference, Term};
use crate::map_only::deserialize_from_map_only;
use crate::operator::{self, Operator, parse_integer};
use crate::selector::null_as_empty;
use crate::validate::{LabelError, validate_key, validate_value};

/// A Kubernetes `nodeAffinity` (`v1.NodeAffinity`), in its JSON shape:
/// `{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [...]},
/// "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 5, "preference": {...}}]}`.
///
/// Both fields are optional and `null` reads as absent; an unknown field is an error. Convert it with
/// [`Placement::try_from`].
///
/// ```
/// use labelsel::{NodeAffinity, Placement};
///
/// // No required terms: every node is feasible.
/// let affinity: NodeAffinity = serde_json::from_str("{}")?;
/// assert_eq!(Placement::try_from(&affinity)?, Placement::default());
///
/// // Required terms present but none left: no node is feasible.
/// let affinity: NodeAffinity = serde_json::from_str(
///     r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{}]}}"#,
/// )?;
/// assert_eq!(Placement::try_from(&affinity)?.required, Some(vec![]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeAffinity {
    /// Where the pod may run: `None` places no constraint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_during_scheduling_ignored_during_execution: Option<NodeSelector>,
    /// Where the pod should run: weighted terms that score nodes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preferred_during_scheduling_ignored_during_execution: Vec<PreferredSchedulingTerm>,
}

#[derive(Deserialize)]
#[serde(remote = "NodeAffinity", rename_all = "camelCase", deny_unknown_fields)]
struct NodeAffinityShape {
    #[serde(default)]
    required_during_scheduling_ignored_during_execution: Option<NodeSelector>,
    #[serde(default, deserialize_with = "null_as_empty")]
    preferred_during_scheduling_ignored_during_execution: Vec<PreferredSchedulingTerm>,
}

deserialize_from_map_only!(
    NodeAffinity,
    NodeAffinityShape,
    "a node affinity object such as {\"requiredDuringSchedulingIgnoredDuringExecution\": {...}, \"preferredDuringSchedulingIgnoredDuringExecution\": [...]}"
);

/// A Kubernetes `v1.NodeSelector`: `{"nodeSelectorTerms": [...]}`, terms ORed.
///
/// A missing or `null` list reads as empty. Empty terms are dropped when converting, and a selector with
/// no term left matches no node.
///
/// ```
/// use labelsel::NodeSelector;
///
/// let selector: NodeSelector = serde_json::from_str(r#"{"nodeSelectorTerms": null}"#)?;
/// assert!(selector.node_selector_terms.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelector {
    /// The terms; a node must match at least one.
    pub node_selector_terms: Vec<NodeSelectorTerm>,
}

#[derive(Deserialize)]
#[serde(remote = "NodeSelector", rename_all = "camelCase", deny_unknown_fields)]
struct NodeSelectorShape {
    #[serde(default, deserialize_with = "null_as_empty")]
    node_selector_terms: Vec<NodeSelectorTerm>,
}

deserialize_from_map_only!(
    NodeSelector,
    NodeSelectorShape,
    "a node selector object such as {\"nodeSelectorTerms\": [...]}"
);

/// A Kubernetes `v1.NodeSelectorTerm`: `matchExpressions` on the node's labels and `matchFields` on its
/// fields, all ANDed. A term with neither is empty and is dropped when converting.
///
/// `matchFields` allow `In` and `NotIn` with exactly one value each; key and value are not validated.
/// A named node's only field is `metadata.name`, and any other key reads as `""`; a node whose name is
/// empty ignores `matchFields` altogether. They convert into [`Term::match_ids`] and
/// [`Term::exclude_ids`] (the node id is the node's name):
///
/// | requirement | named nodes that pass | becomes |
/// |---|---|---|
/// | `metadata.name In [v]` | the one named `v` | `match_ids` ∩ {`v`, `""`} |
/// | `metadata.name NotIn [v]`, `v` ≠ `""` | all but `v` | `exclude_ids` ∪ {`v`} |
/// | `metadata.name NotIn [""]`, other key `In [""]`, other key `NotIn [x]`, `x` ≠ `""` | all | nothing |
/// | other key `In [x]`, `x` ≠ `""`, other key `NotIn [""]` | none | `match_ids` ∩ {`""`} |
///
/// The id `""` stays in every allowed set because the unnamed node passes every field requirement.
///
/// ```
/// use labelsel::{NodeSelectorTerm, Placement};
///
/// let term: NodeSelectorTerm = serde_json::from_str(
///     r#"{"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["node-7"]}]}"#,
/// )?;
/// assert!(!term.is_empty());
/// let affinity = labelsel::NodeAffinity {
///     required_during_scheduling_ignored_during_execution: Some(labelsel::NodeSelector {
///         node_selector_terms: vec![term],
///     }),
///     ..Default::default()
/// };
/// let required = Placement::try_from(&affinity)?.required.unwrap();
/// assert_eq!(required[0].exclude_ids, ["node-7"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelectorTerm {
    /// Requirements on the node's labels.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<NodeSelectorRequirement>,
    /// Requirements on the node's fields (`metadata.name`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_fields: Vec<NodeSelectorRequirement>,
}

impl NodeSelectorTerm {
    /// Whether the term has neither `matchExpressions` nor `matchFields`; Kubernetes drops such terms.
    ///
    /// ```
    /// assert!(labelsel::NodeSelectorTerm::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.match_expressions.is_empty() && self.match_fields.is_empty()
    }
}

#[derive(Deserialize)]
#[serde(
    remote = "NodeSelectorTerm",
    rename_all = "camelCase",
    deny_unknown_fields
)]
struct NodeSelectorTermShape {
    #[serde(default, deserialize_with = "null_as_empty")]
    match_expressions: Vec<NodeSelectorRequirement>,
    #[serde(default, deserialize_with = "null_as_empty")]
    match_fields: Vec<NodeSelectorRequirement>,
}

deserialize_from_map_only!(
    NodeSelectorTerm,
    NodeSelectorTermShape,
    "a node selector term object such as {\"matchExpressions\": [...], \"matchFields\": [...]}"
);

/// One `matchExpressions` or `matchFields` entry of a [`NodeSelectorTerm`] (`v1.NodeSelectorRequirement`):
/// `{"key": ..., "operator": ..., "values": [...]}`.
///
/// `key` and `operator` are required; `values` may be missing or `null` (no values). Operators are
/// `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt` and `Lt`, exactly so spelt; `matchFields` take only
/// `In` and `NotIn`.
///
/// ```
/// let req: labelsel::NodeSelectorRequirement =
///     serde_json::from_str(r#"{"key": "cpu", "operator": "Gt", "values": ["8"]}"#)?;
/// assert_eq!(req.values, ["8"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NodeSelectorRequirement {
    /// The label key, or the field (`metadata.name`).
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt` or `Lt`.
    pub operator: String,
    /// The values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

#[derive(Deserialize)]
#[serde(remote = "NodeSelectorRequirement", deny_unknown_fields)]
struct NodeSelectorRequirementShape {
    key: String,
    operator: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    values: Vec<String>,
}

deserialize_from_map_only!(
    NodeSelectorRequirement,
    NodeSelectorRequirementShape,
    "a node selector requirement object such as {\"key\": ..., \"operator\": \"In\", \"values\": [...]}"
);

/// A Kubernetes `v1.PreferredSchedulingTerm`: `{"weight": 5, "preference": {...}}`.
///
/// A missing or `null` weight reads as 0, and a missing or `null` preference as the empty term, as
/// Kubernetes decodes them; both make the conversion drop the term. The weight must be an integer within
/// `i32` (JSON `1.5`, `"5"` and `2147483648` are errors).
///
/// ```
/// let term: labelsel::PreferredSchedulingTerm = serde_json::from_str(
///     r#"{"weight": -5, "preference": {"matchExpressions": [{"key": "spot", "operator": "Exists"}]}}"#,
/// )?;
/// assert_eq!(term.weight, -5);
/// assert!(serde_json::from_str::<labelsel::PreferredSchedulingTerm>(r#"{"weight": 1.5}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PreferredSchedulingTerm {
    /// What a matching node gains; 0 drops the term.
    pub weight: i32,
    /// The term a node must match.
    pub preference: NodeSelectorTerm,
}

#[derive(Deserialize)]
#[serde(remote = "PreferredSchedulingTerm", deny_unknown_fields)]
struct PreferredSchedulingTermShape {
    #[serde(default, deserialize_with = "null_as_empty")]
    weight: i32,
    #[serde(default, deserialize_with = "null_as_empty")]
    preference: NodeSelectorTerm,
}

deserialize_from_map_only!(
    PreferredSchedulingTerm,
    PreferredSchedulingTermShape,
    "a preferred scheduling term object such as {\"weight\": 5, \"preference\": {...}}"
);

/// A [`NodeAffinity`] that Kubernetes' strict constructors refuse, and where: the first problem found,
/// with its path in Kubernetes' terms
/// (`requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchExpressions[0].values`,
/// `preferredDuringSchedulingIgnoredDuringExecution[2].preference.matchFields[0].operator`). Indices
/// count every term as written, dropped ones included.
///
/// ```
/// use labelsel::{AffinityError, NodeAffinity, Placement};
///
/// let affinity: NodeAffinity = serde_json::from_str(r#"{
///     "preferredDuringSchedulingIgnoredDuringExecution": [
///         {"weight": 1, "preference": {"matchExpressions": [
///             {"key": "cpu", "operator": "Gt", "values": ["1.5"]}]}}
///     ]
/// }"#)?;
/// let err = Placement::try_from(&affinity).unwrap_err();
/// assert!(matches!(err, AffinityError::NotAnInteger { .. }));
/// assert_eq!(
///     err.path(),
///     "preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].values[0]"
/// );
/// assert_eq!(
///     err.to_string(),
///     "preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].values[0]: \
///      Gt needs a base-10 integer (an i64), not \"1.5\""
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AffinityError {
    /// A `matchExpressions` operator that is not one of the six.
    #[error(
        "{path}: {operator:?} is not a node selector operator; use In, NotIn, Exists, DoesNotExist, Gt or Lt"
    )]
    UnknownOperator {
        /// Where: `….matchExpressions[j].operator`.
        path: String,
        /// The operator as written.
        operator: String,
    },
    /// A `matchFields` operator other than `In` and `NotIn`.
    #[error("{path}: {operator:?} is not allowed in matchFields; use In or NotIn")]
    UnsupportedFieldOperator {
        /// Where: `….matchFields[j].operator`.
        path: String,
        /// The operator as written.
        operator: String,
    },
    /// The key breaks the Kubernetes label key rules.
    #[error("{path}: invalid label key {key:?}: {error}")]
    InvalidKey {
        /// Where: `….matchExpressions[j].key`.
        path: String,
        /// The key.
        key: String,
        /// The rule it breaks.
        error: LabelError,
    },
    /// `In` or `NotIn` in `matchExpressions` without values.
    #[error("{path}: {operator} needs at least one value")]
    MissingValues {
        /// Where: `….matchExpressions[j].values`.
        path: String,
        /// `In` or `NotIn`.
        operator: &'static str,
    },
    /// `Exists` or `DoesNotExist` with values.
    #[error("{path}: {operator} takes no values, but {count} are given")]
    UnexpectedValues {
        /// Where: `….matchExpressions[j].values`.
        path: String,
        /// `Exists` or `DoesNotExist`.
        operator: &'static str,
        /// How many values were given.
        count: usize,
    },
    /// `Gt` or `Lt` without exactly one value, or a `matchFields` requirement without exactly one.
    #[error("{path}: {operator} takes exactly one value, but {count} are given")]
    ValueCount {
        /// Where: `….matchExpressions[j].values` or `….matchFields[j].values`.
        path: String,
        /// `Gt`, `Lt`, or (in `matchFields`) `In` or `NotIn`.
        operator: &'static str,
        /// How many values were given.
        count: usize,
    },
    /// A `Gt` or `Lt` value that is not a base-10 `i64`.
    #[error("{path}: {operator} needs a base-10 integer (an i64), not {value:?}")]
    NotAnInteger {
        /// Where: `….matchExpressions[j].values[k]`.
        path: String,
        /// `Gt` or `Lt`.
        operator: &'static str,
        /// The value.
        value: String,
    },
    /// A value that breaks the Kubernetes label value rules (a `Gt`/`Lt` threshold too: `-5` and `+5`
    /// are refused, as a label value must begin with a letter or digit).
    #[error("{path}: invalid label value {value:?}: {error}")]
    InvalidValue {
        /// Where: `….matchExpressions[j].values[k]`.
        path: String,
        /// The value.
        value: String,
        /// The rule it breaks.
        error: LabelError,
    },
}

impl AffinityError {
    /// Where the problem is, in Kubernetes' path terms.
    ///
    /// ```
    /// use labelsel::{NodeAffinity, Placement};
    ///
    /// let affinity: NodeAffinity = serde_json::from_str(r#"{
    ///     "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
    ///         {}, {"matchFields": [{"key": "metadata.name", "operator": "Exists"}]}
    ///     ]}
    /// }"#)?;
    /// let err = Placement::try_from(&affinity).unwrap_err();
    /// assert_eq!(
    ///     err.path(),
    ///     "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchFields[0].operator"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &str {
        match self {
            AffinityError::UnknownOperator { path, .. }
            | AffinityError::UnsupportedFieldOperator { path, .. }
            | AffinityError::InvalidKey { path, .. }
            | AffinityError::MissingValues { path, .. }
            | AffinityError::UnexpectedValues { path, .. }
            | AffinityError::ValueCount { path, .. }
            | AffinityError::NotAnInteger { path, .. }
            | AffinityError::InvalidValue { path, .. } => path,
        }
    }
}

const REQUIRED: &str = "requiredDuringSchedulingIgnoredDuringExecution";
const PREFERRED: &str = "preferredDuringSchedulingIgnoredDuringExecution";

impl TryFrom<&NodeAffinity> for Placement {
    type Error = AffinityError;

    /// Converts as the strict constructors `NewNodeSelector` and `NewPreferredSchedulingTerms` build:
    /// empty terms and weight-0 preferences are dropped (the latter unchecked), and any other broken
    /// term is an error. Each `matchExpressions` entry becomes one selector string of the term, in
    /// order. The result compiles with the default [`Limits`](crate::Limits) unless a value list
    /// holds more than 1,000 values or one requirement's text exceeds 64 KiB (Kubernetes has no such
    /// limits; use [`Placement::compile_with_limits`] for them).
    fn try_from(affinity: &NodeAffinity) -> Result<Placement, AffinityError> {
        let required = match &affinity.required_during_scheduling_ignored_during_execution {
            None => None,
            Some(selector) => Some(
                selector
                    .node_selector_terms
                    .iter()
                    .enumerate()
                    .filter(|(_, term)| !term.is_empty())
                    .map(|(index, term)| {
                        convert_term(term, &format!("{REQUIRED}.nodeSelectorTerms[{index}]"))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let preferred = affinity
            .preferred_during_scheduling_ignored_during_execution
            .iter()
            .enumerate()
            .filter(|(_, term)| term.weight != 0 && !term.preference.is_empty())
            .map(|(index, term)| {
                Ok(Preference {
                    weight: term.weight,
                    selector: convert_term(
                        &term.preference,
                        &format!("{PREFERRED}[{index}].preference"),
                    )?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Placement {
            required,
            preferred,
        })
    }
}

impl TryFrom<NodeAffinity> for Placement {
    type Error = AffinityError;

    /// As for `&NodeAffinity`.
    fn try_from(affinity: NodeAffinity) -> Result<Placement, AffinityError> {
        Placement::try_from(&affinity)
    }
}

/// One non-empty term; `path` is the term's own path (`….nodeSelectorTerms[1]`).
fn convert_term(term: &NodeSelectorTerm, path: &str) -> Result<Term, AffinityError> {
    let match_expressions = term
        .match_expressions
        .iter()
        .enumerate()
        .map(|(index, req)| expression_text(req, &format!("{path}.matchExpressions[{index}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut fields = FieldIds::default();
    for (index, req) in term.match_fields.iter().enumerate() {
        fields.add(req, &format!("{path}.matchFields[{index}]"))?;
    }
    let (match_ids, exclude_ids) = fields.into_ids();
    Ok(Term {
        match_labels: Default::default(),
        match_expressions,
        match_ids,
        exclude_ids,
    })
}

/// The selector string of one `matchExpressions` entry, after the checks of `labels.NewRequirement`, in
/// its order: operator (nothing else is checked when it is unknown), key, value count, integer
/// thresholds, label values.
fn expression_text(req: &NodeSelectorRequirement, path: &str) -> Result<String, AffinityError> {
    let (name, operator) = match req.operator.as_str() {
        "In" => ("In", Operator::In),
        "NotIn" => ("NotIn", Operator::NotIn),
        "Exists" => ("Exists", Operator::Exists),
        "DoesNotExist" => ("DoesNotExist", Operator::DoesNotExist),
        "Gt" => ("Gt", Operator::GreaterThan),
        "Lt" => ("Lt", Operator::LessThan),
        _ => {
            return Err(AffinityError::UnknownOperator {
                path: format!("{path}.operator"),
                operator: req.operator.clone(),
            });
        }
    };
    validate_key(&req.key).map_err(|error| AffinityError::InvalidKey {
        path: format!("{path}.key"),
        key: req.key.clone(),
        error,
    })?;
    let count = req.values.len();
    let values_path = || format!("{path}.values");
    match operator {
        Operator::In | Operator::NotIn if count == 0 => {
            return Err(AffinityError::MissingValues {
                path: values_path(),
                operator: name,
            });
        }
        Operator::Exists | Operator::DoesNotExist if count != 0 => {
            return Err(AffinityError::UnexpectedValues {
                path: values_path(),
                operator: name,
                count,
            });
        }
        Operator::GreaterThan | Operator::LessThan => {
            if count != 1 {
                return Err(AffinityError::ValueCount {
                    path: values_path(),
                    operator: name,
                    count,
                });
            }
            if parse_integer(&req.values[0]).is_none() {
                return Err(AffinityError::NotAnInteger {
                    path: format!("{path}.values[0]"),
                    operator: name,
                    value: req.values[0].clone(),
                });
            }
        }
        _ => {}
    }
    for (position, value) in req.values.iter().enumerate() {
        validate_value(value).map_err(|error| AffinityError::InvalidValue {
            path: format!("{path}.values[{position}]"),
            value: value.clone(),
            error,
        })?;
    }
    // The thresholds of `>` and `<` are written as given (`007` stays `007`): the parser reads them
    // with the same rules as `strconv.ParseInt`, and a valid label value has no sign.
    let values = req.values.iter().map(String::as_str);
    Ok(operator::requirement_text(&req.key, operator, values))
}

/// The node ids a term's `matchFields` allow and exclude, ANDed over its requirements.
///
/// `nodeaffinity.go` gives a named node the field set `{metadata.name: name}` (any other key reads as
/// `""`) and lets a node with an empty name ignore `matchFields` entirely. So each requirement either
/// places no constraint, or allows a set of ids that always holds `""`, or excludes one id that is
/// never `""`.
#[derive(Default)]
struct FieldIds {
    /// The intersection of the allowed sets; `None` while no requirement restricts the ids.
    allowed: Option<BTreeSet<String>>,
    /// Every excluded id.
    excluded: BTreeSet<String>,
}

impl FieldIds {
    /// Adds one `matchFields` requirement (`path` is its own path), after Kubernetes' checks: the
    /// operator first (`In` or `NotIn`), then exactly one value. Key and value are not validated.
    fn add(&mut self, req: &NodeSelectorRequirement, path: &str) -> Result<(), AffinityError> {
        let (name, is_in) = match req.operator.as_str() {
            "In" => ("In", true),
            "NotIn" => ("NotIn", false),
            _ => {
                return Err(AffinityError::UnsupportedFieldOperator {
                    path: format!("{path}.operator"),
                    operator: req.operator.clone(),
                });
            }
        };
        let [value] = req.values.as_slice() else {
            return Err(AffinityError::ValueCount {
                path: format!("{path}.values"),
                operator: name,
                count: req.values.len(),
            });
        };
        let by_name = req.key == "metadata.name";
        match (by_name, is_in) {
            // The named node `value`, or the unnamed node.
            (true, true) => self.allow([value.as_str(), ""]),
            // Every named node but `value`; with `value` = "" every named node, as names are non-empty.
            (true, false) => {
                if !value.is_empty() {
                    self.excluded.insert(value.clone());
                }
            }
            // Another key reads as "" on a named node: `In [""]` and `NotIn [x ≠ ""]` hold on every
            // node, `In [x ≠ ""]` and `NotIn [""]` only on the unnamed one.
            (false, _) => {
                if value.is_empty() != is_in {
                    self.allow([""]);
                }
            }
        }
        Ok(())
    }

    /// Intersects the allowed ids with `ids`.
    fn allow<const N: usize>(&mut self, ids: [&str; N]) {
        let ids: BTreeSet<String> = ids.into_iter().map(str::to_string).collect();
        self.allowed = Some(match self.allowed.take() {
            None => ids,
            Some(allowed) => allowed.intersection(&ids).cloned().collect(),
        });
    }

    /// `match_ids` and `exclude_ids`, sorted. Every set [`allow`](Self::allow) is given holds "", so
    /// the allowed ids are never empty, and an empty `match_ids` always means "no id constraint".
    fn into_ids(self) -> (Vec<String>, Vec<String>) {
        let allowed = self.allowed.unwrap_or_default();
        (
            allowed.into_iter().collect(),
            self.excluded.into_iter().collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(key: &str, operator: &str, values: &[&str]) -> NodeSelectorRequirement {
        NodeSelectorRequirement {
            key: key.into(),
            operator: operator.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn fields(reqs: &[NodeSelectorRequirement]) -> (Vec<String>, Vec<String>) {
        let mut ids = FieldIds::default();
        for r in reqs {
            ids.add(r, "p").unwrap();
        }
        ids.into_ids()
    }

    #[test]
    fn field_requirements_map_to_ids() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let name = "metadata.name";
        assert_eq!(fields(&[req(name, "In", &["a"])]), (s(&["", "a"]), s(&[])));
        assert_eq!(fields(&[req(name, "In", &[""])]), (s(&[""]), s(&[])));
        assert_eq!(fields(&[req(name, "NotIn", &["a"])]), (s(&[]), s(&["a"])));
        assert_eq!(fields(&[req(name, "NotIn", &[""])]), (s(&[]), s(&[])));
        assert_eq!(fields(&[req("k", "In", &[""])]), (s(&[]), s(&[])));
        assert_eq!(fields(&[req("k", "NotIn", &["x"])]), (s(&[]), s(&[])));
        assert_eq!(fields(&[req("k", "In", &["x"])]), (s(&[""]), s(&[])));
        assert_eq!(fields(&[req("k", "NotIn", &[""])]), (s(&[""]), s(&[])));
        assert_eq!(
            fields(&[req(name, "In", &["a"]), req(name, "In", &["b"])]),
            (s(&[""]), s(&[]))
        );
        assert_eq!(
            fields(&[req(name, "In", &["a"]), req(name, "NotIn", &["a"])]),
            (s(&["", "a"]), s(&["a"]))
        );
    }
}
