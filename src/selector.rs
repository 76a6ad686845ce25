//! [`Selector`]: the job-spec selector (`match_labels`, `match_expressions`, `match_ids`), its JSON form,
//! and compilation into a [`Matcher`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{ParseError, ParseErrorKind};
use crate::map_only::{deserialize_from_map_only, label_map};
use crate::matcher::Matcher;
use crate::parse::{Limits, parse_in_selector};
use crate::place::Place;
use crate::validate::{validate_key, validate_value};

/// Where a node may run: every part must hold (AND).
///
/// - `match_labels`: each key must be present with exactly that value;
/// - `match_expressions`: each string is a Kubernetes selector string (see [`Expression`](crate::Expression)) that must match;
/// - `match_ids`: the node's id must be one of these; an empty list places no constraint.
///
/// A selector with all three empty matches every node. In JSON every field is optional, `null` reads as
/// empty, the camelCase names `matchLabels`, `matchExpressions` and `matchIds` (or `matchIDs`) are accepted,
/// and an unknown field is an error that names it, so that a misspelt field cannot select the whole fleet.
///
/// ```
/// use labelsel::Selector;
///
/// let selector: Selector = serde_json::from_str(
///     r#"{"matchLabels": {"env": "prod"}, "match_expressions": ["gpu", "!debug"], "match_ids": null}"#,
/// )?;
/// assert_eq!(selector, Selector::new().label("env", "prod").expression("gpu").expression("!debug"));
///
/// let err = serde_json::from_str::<Selector>(r#"{"match_label": {"env": "prod"}}"#).unwrap_err();
/// assert!(err.to_string().starts_with("unknown field `match_label`"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Selector {
    /// Labels every node must carry, with exactly these values.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    /// Kubernetes selector strings every node must match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<String>,
    /// Node ids a node must be one of; empty places no constraint.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_ids: Vec<String>,
}

/// How a [`Selector`] reads from JSON: optional fields, `null` as empty, camelCase aliases, no unknown
/// fields, and only from an object.
#[derive(Deserialize)]
#[serde(remote = "Selector", deny_unknown_fields)]
struct SelectorShape {
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
}

deserialize_from_map_only!(
    Selector,
    SelectorShape,
    "a selector object such as {\"match_labels\": {...}, \"match_expressions\": [...], \"match_ids\": [...]}"
);

/// Reads `null` as the empty value, as Go clients send nil maps and slices.
pub(crate) fn null_as_empty<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

impl Selector {
    /// The empty selector, which matches every node.
    pub fn new() -> Selector {
        Selector::default()
    }

    /// Adds a `match_labels` entry (replacing an earlier value for the same key).
    #[must_use]
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Selector {
        self.match_labels.insert(key.into(), value.into());
        self
    }

    /// Adds a `match_expressions` string.
    #[must_use]
    pub fn expression(mut self, expression: impl Into<String>) -> Selector {
        self.match_expressions.push(expression.into());
        self
    }

    /// Adds a `match_ids` entry.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Selector {
        self.match_ids.push(id.into());
        self
    }

    /// Whether all three parts are empty, so that the selector matches every node.
    ///
    /// ```
    /// assert!(labelsel::Selector::new().is_empty());
    /// assert!(!labelsel::Selector::new().id("node-1").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty()
            && self.match_expressions.is_empty()
            && self.match_ids.is_empty()
    }

    /// Validates every part and compiles the selector into a [`Matcher`].
    ///
    /// `match_labels` keys and values follow the same rules as in expressions. The first problem found is
    /// returned, naming its place (`match_labels["k"]`, `match_expressions[2]`) and carrying the
    /// [`ParseError`] with its span; for a `match_labels` entry, its [`kind`](ParseError::kind) says
    /// whether the key or the value is invalid.
    ///
    /// ```
    /// use labelsel::{Place, Selector};
    ///
    /// let selector = Selector::new().expression("gpu").expression("tier in (a,");
    /// let err = selector.compile().unwrap_err();
    /// assert_eq!(err.place(), &Place::MatchExpression(1));
    /// assert_eq!(err.parse_error().span(), 11..11);
    /// assert_eq!(
    ///     err.to_string(),
    ///     "match_expressions[1]: expected a value or `,`, found end of input at byte 11"
    /// );
    /// ```
    pub fn compile(&self) -> Result<Matcher, SelectorError> {
        self.compile_with_limits(&Limits::default())
    }

    /// [`compile`](Self::compile), parsing each expression with the given [`Limits`].
    ///
    /// ```
    /// use labelsel::{Limits, Selector};
    ///
    /// let selector = Selector::new().expression("a,b,c");
    /// let limits = Limits::default().max_requirements(2);
    /// assert!(selector.compile_with_limits(&limits).is_err());
    /// ```
    pub fn compile_with_limits(&self, limits: &Limits) -> Result<Matcher, SelectorError> {
        compile_parts(
            &self.match_labels,
            &self.match_expressions,
            &self.match_ids,
            &[],
            limits,
        )
    }
}

/// Validates the parts of a selector or placement term and compiles them into a [`Matcher`], within
/// the limits on each expression and on the whole (bytes, requirements, ids).
pub(crate) fn compile_parts(
    match_labels: &BTreeMap<String, String>,
    match_expressions: &[String],
    match_ids: &[String],
    exclude_ids: &[String],
    limits: &Limits,
) -> Result<Matcher, SelectorError> {
    // What the whole selector has used so far of its byte and requirement limits.
    let (mut bytes, mut requirements) = (0usize, 0usize);
    for (key, value) in match_labels {
        let place = || Place::MatchLabel(key.clone());
        validate_key(key).map_err(|e| SelectorError {
            place: place(),
            error: ParseError::new(key, 0..key.len(), ParseErrorKind::InvalidKey(e)),
        })?;
        validate_value(value).map_err(|e| SelectorError {
            place: place(),
            error: ParseError::new(value, 0..value.len(), ParseErrorKind::InvalidValue(e)),
        })?;
        requirements += 1;
        if requirements > limits.selector_requirements() {
            let kind = ParseErrorKind::TooManySelectorRequirements {
                limit: limits.selector_requirements(),
            };
            return Err(SelectorError {
                place: place(),
                error: ParseError::new(key, 0..key.len(), kind),
            });
        }
        bytes += key.len() + value.len();
        if bytes > limits.selector_bytes() {
            let kind = ParseErrorKind::SelectorTooLong {
                limit: limits.selector_bytes(),
            };
            return Err(SelectorError {
                place: place(),
                error: ParseError::new(value, 0..value.len(), kind),
            });
        }
    }
    let mut expressions = Vec::with_capacity(match_expressions.len());
    for (index, text) in match_expressions.iter().enumerate() {
        let place = Place::MatchExpression(index);
        if bytes + text.len() > limits.selector_bytes() {
            // The span starts with the character that crosses the limit.
            let start = text.floor_char_boundary(limits.selector_bytes().saturating_sub(bytes));
            let kind = ParseErrorKind::SelectorTooLong {
                limit: limits.selector_bytes(),
            };
            return Err(SelectorError {
                place,
                error: ParseError::new(text, start..text.len(), kind),
            });
        }
        bytes += text.len();
        let left = limits.selector_requirements().saturating_sub(requirements);
        let expression = parse_in_selector(text, limits, left)
            .map_err(|error| SelectorError { place, error })?;
        requirements += expression.len();
        expressions.push(expression);
    }
    for (ids, place) in [
        (match_ids, Place::MatchIds),
        (exclude_ids, Place::ExcludeIds),
    ] {
        if let Some(first_past) = ids.get(limits.ids()) {
            let kind = ParseErrorKind::TooManyIds {
                limit: limits.ids(),
            };
            return Err(SelectorError {
                place,
                error: ParseError::new(first_past, 0..first_past.len(), kind),
            });
        }
    }
    Ok(Matcher::new(
        match_labels,
        &expressions,
        match_ids,
        exclude_ids,
    ))
}

/// A [`Selector`] that failed to compile: where, and the parse error there.
///
/// `{}` prints `place: message at byte N`; `{:#}` prints the place, then the offending text with a caret
/// under the span.
///
/// ```
/// let err = labelsel::Selector::new().label("env", "a b").compile().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "match_labels[\"env\"]: invalid value `a b`: a value may hold only letters, digits, '-', '_' and '.', not ' ' at byte 1"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    place: Place,
    error: ParseError,
}

impl SelectorError {
    /// The part of the selector that failed.
    pub fn place(&self) -> &Place {
        &self.place
    }

    /// The error in that part; its span indexes the expression string, or the label key or value.
    pub fn parse_error(&self) -> &ParseError {
        &self.error
    }
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(f, "in {}:\n{:#}", self.place, self.error)
        } else {
            write!(f, "{}: {}", self.place, self.error)
        }
    }
}

/// The message already holds the parse error's, so `source` is `None`: an error chain prints each thing
/// once. [`parse_error`](SelectorError::parse_error) gives it.
impl std::error::Error for SelectorError {}
