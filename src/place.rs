//! [`Place`]: where in a job-spec selector something was written, for errors, explanations, diagnoses
//! and findings alike.

use std::fmt;

/// A part of a [`Selector`](crate::Selector): where a requirement was written, or where compiling
/// failed.
///
/// `Display` prints the place as in the job spec: `match_labels["env"]`, `match_expressions[1]`,
/// `match_ids`; serde writes the same text.
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

impl serde::Serialize for Place {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
