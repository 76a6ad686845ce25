//! [`Fleet::lint`]: keys and values no node has, with the nearest ones that exist.

use std::collections::BTreeSet;

use super::satisfiability::needs_key;
use super::suggest::nearest;
use super::{Finding, FindingKind, Severity, finding};
use crate::fleet::Fleet;
use crate::matcher::{Matcher, Part};
use crate::operator::Check;

impl Fleet {
    /// Checks a selector's keys and values against what the fleet's nodes carry, in the order the
    /// requirements were written:
    ///
    /// * a key no node has is an error when the requirement needs the key (`=`, `in`, `key`, `>`, `<`:
    ///   nothing can match) and a warning for `!=`, `notin` and `!key` (which then hold on every node);
    /// * a value no node has for its key, once per value: an error when no value of an `=`/`in`
    ///   requirement is known, a warning when some are, and a warning for `!=`/`notin` (which then
    ///   excludes no node).
    ///
    /// Each finding suggests up to three existing keys or values, nearest first: within an edit distance
    /// (with transpositions) of a third of the length of the name, at least 1, comparing whole keys and
    /// also the name parts after a `prefix/` (so `zone` suggests `topology.kubernetes.io/zone`).
    ///
    /// ```
    /// use labelsel::{Fleet, Selector, Severity};
    ///
    /// let mut fleet = Fleet::new();
    /// fleet.insert("n1", [("tier", "a"), ("env", "prod")]);
    /// let matcher = Selector::new().expression("env=prod").expression("teir=a").compile()?;
    /// let findings = fleet.lint(&matcher);
    /// assert_eq!(findings.len(), 1);
    /// assert_eq!(findings[0].severity, Severity::Error);
    /// assert_eq!(findings[0].suggestions, ["tier"]);
    /// assert_eq!(
    ///     findings[0].to_string(),
    ///     "error: unknown key teir in match_expressions[1] (teir=a); did you mean tier?"
    /// );
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn lint(&self, matcher: &Matcher) -> Vec<Finding> {
        let known_keys: BTreeSet<&str> = self.known_keys().collect();
        matcher
            .parts()
            .flat_map(|part| match part.key {
                // Ids are not labels: `match_ids` has nothing to lint.
                None => Vec::new(),
                Some(key) if known_keys.contains(key) => unknown_values(self, key, part),
                Some(key) => vec![unknown_key(key, part, &known_keys)],
            })
            .collect()
    }
}

fn unknown_key(key: &str, test: Part<'_>, known_keys: &BTreeSet<&str>) -> Finding {
    let (severity, consequence) = if needs_key(&test.clause.check) {
        (Severity::Error, "")
    } else {
        (Severity::Warning, ", so it holds on every node")
    };
    let suggestions = nearest(key, known_keys.iter().copied());
    let message = format!(
        "unknown key {key} in {}{consequence}{}",
        written_at(test),
        did_you_mean(&suggestions)
    );
    Finding {
        suggestions,
        ..finding(severity, FindingKind::UnknownKey, message, &[test])
    }
}

/// One finding per value of an `=`/`in`/`!=`/`notin` requirement that no node has for the key.
fn unknown_values(fleet: &Fleet, key: &str, test: Part<'_>) -> Vec<Finding> {
    let (Check::In(set) | Check::NotIn(set)) = &test.clause.check else {
        return Vec::new();
    };
    let known: BTreeSet<&str> = fleet.known_values(key).collect();
    let unknown: BTreeSet<&str> = set.iter().filter(|value| !known.contains(value)).collect();
    let (severity, consequence) = match test.clause.check {
        Check::NotIn(_) => (Severity::Warning, ", so it excludes no node"),
        _ if unknown.len() == set.len() => (Severity::Error, ""),
        _ => (Severity::Warning, ""),
    };
    unknown
        .into_iter()
        .map(|value| {
            let suggestions = nearest(value, known.iter().copied());
            let message = format!(
                "unknown value {} for {key} in {}{consequence}{}",
                shown(value),
                written_at(test),
                did_you_mean(&suggestions)
            );
            Finding {
                suggestions,
                ..finding(severity, FindingKind::UnknownValue, message, &[test])
            }
        })
        .collect()
}

/// Where a requirement was written, as messages show it: `match_expressions[1] (tier=a)`.
fn written_at(test: Part<'_>) -> String {
    format!("{} ({})", test.place, test.text)
}

/// A value as messages show it: as is, or `""` when empty.
fn shown(value: &str) -> &str {
    if value.is_empty() { "\"\"" } else { value }
}

/// `; did you mean a, b or c?`, or nothing without suggestions.
fn did_you_mean(suggestions: &[String]) -> String {
    let shown: Vec<&str> = suggestions.iter().map(|s| shown(s)).collect();
    match shown.as_slice() {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        [rest @ .., last] => format!("; did you mean {} or {last}?", rest.join(", ")),
    }
}
