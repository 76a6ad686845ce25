//! [`Fleet::lint`]: keys and values no node has, with the nearest ones that exist.

use super::satisfiability::needs_key;
use super::suggest::{nearest, nearest_to_any};
use super::{Finding, FindingKind, Severity, finding};
use crate::fleet::Fleet;
use crate::matcher::{Matcher, Part};
use crate::near::NearIndex;
use crate::operator::Check;

/// The most unknown values of one requirement a message names, and looks for suggestions for; the
/// others are counted (`and 995 more`) and listed in [`Finding::unknown`].
const NAMED_VALUES: usize = 5;

impl Fleet {
    /// Checks a selector's keys and values against what the fleet's nodes carry, in the order the
    /// requirements were written:
    ///
    /// * a key no node has is an error when the requirement needs the key (`=`, `in`, `key`, `>`, `<`:
    ///   nothing can match) and a warning for `!=`, `notin` and `!key` (which then hold on every node);
    /// * values no node has for their key, one finding per requirement: an error when no value of an
    ///   `=`/`in` requirement is known, a warning when some are, and a warning for `!=`/`notin` (which
    ///   then excludes no node). The message names the first few unknown values in byte order and
    ///   counts the others (`and 995 more`); [`Finding::unknown`] lists them all. Each requirement is
    ///   quoted once, so the output grows with the selector, not with its values squared.
    ///
    /// Each finding suggests up to three existing keys or values, nearest first: within an edit distance
    /// (with transpositions) of a third of the length of the name, at least 1, comparing whole keys and
    /// also the name parts after a `prefix/` (so `zone` suggests `topology.kubernetes.io/zone`). For
    /// several unknown values, the suggestions are the nearest to any of those the message names.
    ///
    /// Whether a key or value is known is a lookup in the fleet's index. Suggestions are searched in
    /// an index of the keys, or of one key's values, sorted so that strings sharing a prefix are
    /// compared once for it: a suggestion costs microseconds against a million keys where comparing
    /// with every key took a second. The fleet builds an index when a lint first needs it (once for
    /// the keys, once per key for its values; as long as sorting the strings takes) and keeps it until
    /// the next [`insert`](Fleet::insert) or [`remove`](Fleet::remove), so repeated lints of a fleet
    /// that does not change pay for it once. Clones share the indexes built before they were made.
    ///
    /// ```
    /// use labelsel::{Fleet, Selector, Severity};
    ///
    /// let mut fleet = Fleet::new();
    /// fleet.insert("n1", [("tier", "a"), ("env", "prod")]);
    /// fleet.insert("n2", [("tier", "b"), ("env", "staging")]);
    /// let matcher = Selector::new()
    ///     .expression("env in (prod,stagign,prdo)")
    ///     .expression("teir=a")
    ///     .compile()?;
    /// let findings = fleet.lint(&matcher);
    /// assert_eq!(findings.len(), 2);
    /// assert_eq!(findings[0].severity, Severity::Warning); // `prod` is known
    /// assert_eq!(findings[0].unknown, ["prdo", "stagign"]);
    /// assert_eq!(
    ///     findings[0].to_string(),
    ///     "warning: unknown values prdo and stagign for env in match_expressions[0] \
    ///      (env in (prdo,prod,stagign)); did you mean prod or staging?"
    /// );
    /// assert_eq!(findings[1].severity, Severity::Error);
    /// assert_eq!(findings[1].suggestions, ["tier"]);
    /// assert_eq!(
    ///     findings[1].to_string(),
    ///     "error: unknown key teir in match_expressions[1] (teir=a); did you mean tier?"
    /// );
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn lint(&self, matcher: &Matcher) -> Vec<Finding> {
        matcher
            .parts()
            .filter_map(|part| match part.key {
                // Ids are not labels: `match_ids` has nothing to lint.
                None => None,
                Some(key) if self.knows_key(key) => unknown_values(self, key, part),
                Some(key) => Some(unknown_key(self, key, part)),
            })
            .collect()
    }
}

fn unknown_key(fleet: &Fleet, key: &str, test: Part<'_>) -> Finding {
    let (severity, consequence) = if needs_key(&test.clause.check) {
        (Severity::Error, "")
    } else {
        (Severity::Warning, ", so it holds on every node")
    };
    let keys = fleet
        .lint_cache()
        .keys(|| NearIndex::new(fleet.known_keys()));
    let suggestions = nearest(key, &keys);
    let message = format!(
        "unknown key {key} in {}{consequence}{}",
        written_at(test),
        did_you_mean(&suggestions)
    );
    Finding {
        suggestions,
        unknown: vec![key.to_string()],
        ..finding(severity, FindingKind::UnknownKey, message, &[test])
    }
}

/// The values of an `=`/`in`/`!=`/`notin` requirement that no node has for the key, in one finding.
fn unknown_values(fleet: &Fleet, key: &str, test: Part<'_>) -> Option<Finding> {
    let (Check::In(set) | Check::NotIn(set)) = &test.clause.check else {
        return None;
    };
    let mut unknown: Vec<&str> = set
        .iter()
        .filter(|value| !fleet.knows_value(key, value))
        .collect();
    if unknown.is_empty() {
        return None;
    }
    unknown.sort_unstable();
    let one = unknown.len() == 1;
    let (severity, consequence) = match test.clause.check {
        Check::NotIn(_) if one => (Severity::Warning, ", so it excludes no node"),
        Check::NotIn(_) => (Severity::Warning, ", so they exclude no node"),
        _ if unknown.len() == set.len() => (Severity::Error, ""),
        _ => (Severity::Warning, ""),
    };
    let named = &unknown[..unknown.len().min(NAMED_VALUES)];
    let values = fleet
        .lint_cache()
        .values(key, || NearIndex::new(fleet.known_values(key)));
    let suggestions = nearest_to_any(named, &values);
    let message = format!(
        "unknown value{} {} for {key} in {}{consequence}{}",
        if one { "" } else { "s" },
        listed(named, unknown.len()),
        written_at(test),
        did_you_mean(&suggestions)
    );
    Some(Finding {
        suggestions,
        unknown: unknown.iter().map(|value| value.to_string()).collect(),
        ..finding(severity, FindingKind::UnknownValue, message, &[test])
    })
}

/// `a`, `a and b`, `a, b and c`, or `a, b, c, d, e and 995 more` when `named` are the first of `total`.
fn listed(named: &[&str], total: usize) -> String {
    let mut shown: Vec<&str> = named.iter().map(|value| shown(value)).collect();
    let more = format!("{} more", total - named.len());
    if total > named.len() {
        shown.push(&more);
    }
    match shown.as_slice() {
        [rest @ .., last] if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => shown.concat(),
    }
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
