//! The Kubernetes structured selector (`metav1.LabelSelector`) and its conversion into a [`Selector`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::map_only::{deserialize_from_map_only, label_map};
use crate::operator::{self, Operator};
use crate::selector::{Selector, null_as_empty};
use crate::validate::{LabelError, validate_key, validate_value};

/// A Kubernetes `metav1.LabelSelector`, in its JSON shape:
/// `{"matchLabels": {...}, "matchExpressions": [{"key": ..., "operator": ..., "values": [...]}]}`.
///
/// Convert it with [`Selector::try_from`]; the conversion follows `LabelSelectorAsSelector`: operators
/// `In`, `NotIn`, `Exists` and `DoesNotExist` (capitalised), at least one value for `In`/`NotIn`, none
/// for `Exists`/`DoesNotExist`, and valid keys and values.
///
/// ```
/// use labelsel::{LabelSelector, Selector};
///
/// let kube: LabelSelector = serde_json::from_str(
///     r#"{"matchLabels": {"app": "web"},
///         "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["spot", "batch"]}]}"#,
/// )?;
/// let selector = Selector::try_from(&kube)?;
/// assert_eq!(selector.match_expressions, ["tier notin (spot,batch)"]);
/// assert!(selector.compile().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// Labels every object must carry with exactly these values.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    /// Requirements every object must meet.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// How a [`LabelSelector`] reads from JSON: optional fields, `null` as empty, no unknown fields, and
/// only from an object.
#[derive(Deserialize)]
#[serde(
    remote = "LabelSelector",
    rename_all = "camelCase",
    deny_unknown_fields
)]
struct LabelSelectorShape {
    #[serde(default, deserialize_with = "label_map")]
    match_labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    match_expressions: Vec<LabelSelectorRequirement>,
}

deserialize_from_map_only!(
    LabelSelector,
    LabelSelectorShape,
    "a label selector object such as {\"matchLabels\": {...}, \"matchExpressions\": [...]}"
);

/// One `matchExpressions` entry of a [`LabelSelector`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LabelSelectorRequirement {
    /// The label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// The values; `null` reads as none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

#[derive(Deserialize)]
#[serde(remote = "LabelSelectorRequirement", deny_unknown_fields)]
struct LabelSelectorRequirementShape {
    key: String,
    operator: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    values: Vec<String>,
}

deserialize_from_map_only!(
    LabelSelectorRequirement,
    LabelSelectorRequirementShape,
    "a requirement object such as {\"key\": ..., \"operator\": \"In\", \"values\": [...]}"
);

/// A [`LabelSelector`] that has no [`Selector`] equivalent, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConversionError {
    /// The operator is not one of the four a `LabelSelector` allows.
    #[error(
        "matchExpressions[{index}].operator: {operator:?} is not a label selector operator; use In, NotIn, Exists or DoesNotExist"
    )]
    UnknownOperator {
        /// Index of the requirement in `matchExpressions`.
        index: usize,
        /// The operator as written.
        operator: String,
    },
    /// `In` or `NotIn` without values.
    #[error("matchExpressions[{index}].values: {operator} needs at least one value")]
    MissingValues {
        /// Index of the requirement in `matchExpressions`.
        index: usize,
        /// The operator.
        operator: &'static str,
    },
    /// `Exists` or `DoesNotExist` with values.
    #[error("matchExpressions[{index}].values: {operator} takes no values, but {count} are given")]
    UnexpectedValues {
        /// Index of the requirement in `matchExpressions`.
        index: usize,
        /// The operator.
        operator: &'static str,
        /// How many values were given.
        count: usize,
    },
    /// The key breaks the Kubernetes key rules.
    #[error("matchExpressions[{index}].key: invalid key {key:?}: {error}")]
    InvalidKey {
        /// Index of the requirement in `matchExpressions`.
        index: usize,
        /// The key.
        key: String,
        /// The rule it breaks.
        error: LabelError,
    },
    /// A value breaks the Kubernetes value rules.
    #[error("matchExpressions[{index}].values[{position}]: invalid value {value:?}: {error}")]
    InvalidValue {
        /// Index of the requirement in `matchExpressions`.
        index: usize,
        /// Index of the value in `values`.
        position: usize,
        /// The value.
        value: String,
        /// The rule it breaks.
        error: LabelError,
    },
}

impl TryFrom<&LabelSelector> for Selector {
    type Error = ConversionError;

    /// Converts each requirement into a selector string; `matchLabels` carries over unchanged and is
    /// validated when the selector is compiled.
    fn try_from(kube: &LabelSelector) -> Result<Selector, ConversionError> {
        let match_expressions = kube
            .match_expressions
            .iter()
            .enumerate()
            .map(|(index, req)| requirement_text(index, req))
            .collect::<Result<_, _>>()?;
        Ok(Selector {
            match_labels: kube.match_labels.clone(),
            match_expressions,
            match_ids: Vec::new(),
        })
    }
}

impl TryFrom<LabelSelector> for Selector {
    type Error = ConversionError;

    fn try_from(kube: LabelSelector) -> Result<Selector, ConversionError> {
        Selector::try_from(&kube)
    }
}

/// The selector string of one requirement, after checking everything that could change its meaning.
fn requirement_text(
    index: usize,
    req: &LabelSelectorRequirement,
) -> Result<String, ConversionError> {
    let (name, operator) = match req.operator.as_str() {
        "In" => ("In", Operator::In),
        "NotIn" => ("NotIn", Operator::NotIn),
        "Exists" => ("Exists", Operator::Exists),
        "DoesNotExist" => ("DoesNotExist", Operator::DoesNotExist),
        _ => {
            return Err(ConversionError::UnknownOperator {
                index,
                operator: req.operator.clone(),
            });
        }
    };
    validate_key(&req.key).map_err(|error| ConversionError::InvalidKey {
        index,
        key: req.key.clone(),
        error,
    })?;
    let takes_values = matches!(operator, Operator::In | Operator::NotIn);
    match (takes_values, req.values.len()) {
        (false, 0) | (true, 1..) => {}
        (false, count) => {
            return Err(ConversionError::UnexpectedValues {
                index,
                operator: name,
                count,
            });
        }
        (true, 0) => {
            return Err(ConversionError::MissingValues {
                index,
                operator: name,
            });
        }
    }
    for (position, value) in req.values.iter().enumerate() {
        validate_value(value).map_err(|error| ConversionError::InvalidValue {
            index,
            position,
            value: value.clone(),
            error,
        })?;
    }
    let values = req.values.iter().map(String::as_str);
    Ok(operator::requirement_text(&req.key, operator, values))
}
