//! [`Place`]: where in a job-spec selector something was written, for errors, explanations, diagnoses
//! and findings alike.

use std::fmt;

/// A part of a [`Selector`](crate::Selector): where a requirement was written, or where compiling
/// failed.
///
/// `Display` prints the place as in the job spec: `match_labels["env"]`, `match_expressions[1]`,
/// `match_ids`; serde writes the same text, and [`Place::serialize_structured`] an object for JSON
/// that programs read.
///
/// ```
/// use labelsel::Place;
///
/// assert_eq!(Place::MatchExpression(1).to_string(), "match_expressions[1]");
/// assert_eq!(Place::MatchLabel("env".into()).to_string(), "match_labels[\"env\"]");
/// assert_eq!(Place::MatchIds.to_string(), "match_ids");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Place {
    /// The `match_labels` entry with this key.
    MatchLabel(String),
    /// The `match_expressions` string at this index.
    MatchExpression(usize),
    /// The `match_ids` list.
    MatchIds,
    /// The `exclude_ids` list of a placement [`Term`](crate::Term).
    ExcludeIds,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::MatchLabel(key) => write!(f, "match_labels[{key:?}]"),
            Place::MatchExpression(index) => write!(f, "match_expressions[{index}]"),
            Place::MatchIds => f.write_str("match_ids"),
            Place::ExcludeIds => f.write_str("exclude_ids"),
        }
    }
}

impl Place {
    /// Writes the place as a structured object, for `#[serde(serialize_with = ...)]`:
    /// `{"field": "match_labels", "key": "env"}`, `{"field": "match_expressions", "index": 1}`,
    /// `{"field": "match_ids"}` or `{"field": "exclude_ids"}`. Explanations and diagnoses use it;
    /// the plain `Serialize` impl writes the `Display` text.
    ///
    /// ```
    /// use labelsel::Place;
    ///
    /// #[derive(serde::Serialize)]
    /// struct Row {
    ///     #[serde(serialize_with = "Place::serialize_structured")]
    ///     origin: Place,
    /// }
    ///
    /// let row = Row { origin: Place::MatchExpression(1) };
    /// assert_eq!(
    ///     serde_json::to_string(&row)?,
    ///     r#"{"origin":{"field":"match_expressions","index":1}}"#
    /// );
    /// let row = Row { origin: Place::MatchLabel("env".into()) };
    /// assert_eq!(
    ///     serde_json::to_string(&row)?,
    ///     r#"{"origin":{"field":"match_labels","key":"env"}}"#
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn serialize_structured<S: serde::Serializer>(
        place: &Place,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (field, len) = match place {
            Place::MatchLabel(_) => ("match_labels", 2),
            Place::MatchExpression(_) => ("match_expressions", 2),
            Place::MatchIds => ("match_ids", 1),
            Place::ExcludeIds => ("exclude_ids", 1),
        };
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("field", field)?;
        match place {
            Place::MatchLabel(key) => map.serialize_entry("key", key)?,
            Place::MatchExpression(index) => map.serialize_entry("index", index)?,
            Place::MatchIds | Place::ExcludeIds => {}
        }
        map.end()
    }
}

impl serde::Serialize for Place {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
