//! [`Matcher::explain`]: a verdict for every requirement on one node, with the reason and the node's
//! actual value.

use std::fmt;

use serde::Serialize;

use crate::labels::Labels;
use crate::matcher::{CompiledCheck, Matcher};
use crate::operator::{Check, parse_integer};
use crate::place::Place;

/// Why a requirement passed or failed on a node. The names are stable codes; JSON writes them in
/// snake_case as an object, `{"kind": "value_not_in_set"}`.
///
/// ```
/// use labelsel::Reason;
///
/// let json = serde_json::to_string(&Reason::ValueNotInSet)?;
/// assert_eq!(json, r#"{"kind":"value_not_in_set"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The requirement holds on the node's value.
    Matched,
    /// A `!=`, `notin` or `!key` requirement holds only because the node lacks the key.
    KeyAbsent,
    /// The node's id is listed in `match_ids`.
    IdListed,
    /// The node lacks a key the requirement needs (`=`, `in`, `key`, `>`, `<`).
    KeyMissing,
    /// The node's value is not one of the requirement's values (`=`, `==`, `in`).
    ValueNotInSet,
    /// The node's value is one the requirement forbids (`!=`, `notin`).
    ValueForbidden,
    /// The node has a key the requirement forbids (`!key`).
    KeyForbidden,
    /// The node's value is not a base-10 integer, so `>` and `<` cannot hold.
    NotAnInteger,
    /// The node's integer value is on the wrong side of the threshold.
    ComparisonFailed,
    /// The node's id is not listed in `match_ids`.
    IdNotListed,
    /// The node's id is not listed in a placement term's `exclude_ids`.
    IdNotExcluded,
    /// The node's id is listed in a placement term's `exclude_ids`.
    IdExcluded,
}

impl Reason {
    /// Whether the requirement passed.
    pub fn passed(self) -> bool {
        matches!(
            self,
            Reason::Matched | Reason::KeyAbsent | Reason::IdListed | Reason::IdNotExcluded
        )
    }
}

/// The verdict of one requirement on one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Verdict {
    /// Where the requirement was written; JSON writes it as an object
    /// (`{"field": "match_expressions", "index": 1}`, see [`Place::serialize_structured`]).
    #[serde(serialize_with = "Place::serialize_structured")]
    pub origin: Place,
    /// The requirement's canonical text (`tier in (premium,standard)`, `env=prod`).
    pub requirement: String,
    /// The key it tests (absent for the id constraint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Whether it passed.
    pub passed: bool,
    /// Why.
    pub reason: Reason,
    /// The node's value for the key, or its id for the id constraint; `None` when the key is absent.
    pub actual: Option<String>,
}

/// Every requirement's verdict on one node, in the order the selector was written: `match_labels` by
/// key, then each expression's requirements in its canonical order (sorted by key), then `match_ids`.
///
/// `Display` prints a short text for people: a summary line, then one line per requirement in aligned
/// columns (the verdict, where it was written, the requirement, the node's value or `absent`, and
/// for a failure that a value does not make plain, why); serde gives JSON.
///
/// ```
/// use std::collections::HashMap;
/// use labelsel::{Reason, Selector};
///
/// let matcher = Selector::new()
///     .label("env", "prod")
///     .expression("tier in (premium,standard), !debug")
///     .compile()?;
/// let node = HashMap::from([("env", "prod"), ("tier", "spot")]);
/// let explanation = matcher.explain("node-7", &node);
/// assert!(!explanation.matches);
/// let reasons: Vec<Reason> = explanation.verdicts.iter().map(|v| v.reason).collect();
/// assert_eq!(reasons, [Reason::Matched, Reason::KeyAbsent, Reason::ValueNotInSet]);
/// assert_eq!(
///     explanation.to_string(),
///     "node-7 does not match: 1 of 3 requirements fails\n  \
///      fail  match_expressions[0]  tier in (premium,standard)  \"spot\"  not one of the values\n  \
///      pass  match_labels[\"env\"]   env=prod                    \"prod\"\n  \
///      pass  match_expressions[0]  !debug                      absent\n"
/// );
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Explanation {
    /// The node's id.
    pub id: String,
    /// Whether the node matches: every verdict passed.
    pub matches: bool,
    /// One verdict per requirement (and one for `match_ids` when it is set), as written.
    pub verdicts: Vec<Verdict>,
}

impl Explanation {
    /// The verdicts that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Verdict> {
        self.verdicts.iter().filter(|v| !v.passed)
    }
}

impl Matcher {
    /// Explains the verdict on one node: every requirement is evaluated (not just up to the first
    /// failure) and reported with a [`Reason`], its canonical text, its place in the selector and the
    /// node's actual value. `explanation.matches` always equals [`Matcher::matches`].
    pub fn explain<L: Labels + ?Sized>(&self, id: &str, labels: &L) -> Explanation {
        let verdicts: Vec<Verdict> = self
            .parts()
            .map(|part| {
                let actual = match part.key {
                    Some(key) => labels.get(key),
                    None => Some(id),
                };
                let reason = reason(part.key.is_none(), &part.clause.check, actual);
                Verdict {
                    origin: part.place.clone(),
                    requirement: part.text.to_string(),
                    key: part.key.map(str::to_string),
                    passed: reason.passed(),
                    reason,
                    actual: actual.map(str::to_string),
                }
            })
            .collect();
        Explanation {
            id: id.to_string(),
            matches: verdicts.iter().all(|v| v.passed),
            verdicts,
        }
    }
}

/// Why `check` passes or fails on `actual` (a label's value, or the node's id when `on_id`). Whether
/// it passes is `Check::holds`, the verdict matching uses, evaluated once; the reason only says which
/// way.
fn reason(on_id: bool, check: &CompiledCheck, actual: Option<&str>) -> Reason {
    let holds = check.holds(actual);
    match (on_id, check, holds) {
        (true, Check::NotIn(_), true) => return Reason::IdNotExcluded,
        (true, Check::NotIn(_), false) => return Reason::IdExcluded,
        (true, _, true) => return Reason::IdListed,
        (true, _, false) => return Reason::IdNotListed,
        (false, _, true) if actual.is_none() => return Reason::KeyAbsent,
        (false, _, true) => return Reason::Matched,
        (false, _, false) => {}
    }
    match (check, actual) {
        (_, None) => Reason::KeyMissing,
        // `Exists` holds on every present key, so of the two only `Absent` fails here.
        (Check::Absent | Check::Exists, Some(_)) => Reason::KeyForbidden,
        (Check::In(_), Some(_)) => Reason::ValueNotInSet,
        (Check::NotIn(_), Some(_)) => Reason::ValueForbidden,
        (Check::Greater(_) | Check::Less(_), Some(value)) => match parse_integer(value) {
            None => Reason::NotAnInteger,
            Some(_) => Reason::ComparisonFailed,
        },
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = if self.passed { "pass" } else { "fail" };
        write!(f, "{status}  {}  {}", self.origin, self.requirement)?;
        let key = self.key.as_deref().unwrap_or("id");
        let actual = self.actual.as_deref().unwrap_or_default();
        match self.reason {
            Reason::Matched | Reason::IdListed | Reason::IdNotExcluded => Ok(()),
            Reason::KeyAbsent => write!(f, "  (passes because {key} is absent)"),
            Reason::KeyMissing => write!(f, "  the node has no {key} label"),
            Reason::ValueNotInSet => write!(f, "  {key} is {actual:?}, not one of the values"),
            Reason::ValueForbidden => write!(f, "  {key} is {actual:?}, which is excluded"),
            Reason::KeyForbidden => write!(f, "  the node has {key} (= {actual:?})"),
            Reason::NotAnInteger => write!(f, "  {key} is {actual:?}, not an integer"),
            Reason::ComparisonFailed => write!(f, "  {key} is {actual}"),
            Reason::IdNotListed => write!(f, "  {actual:?} is not listed"),
            Reason::IdExcluded => write!(f, "  {actual:?} is excluded"),
        }
    }
}

impl Verdict {
    /// The node's value as the explanation's value column shows it: quoted, or `absent`.
    fn value(&self) -> String {
        match &self.actual {
            Some(actual) => format!("{actual:?}"),
            None => "absent".to_string(),
        }
    }

    /// Why a failure failed, where the value alone does not say it.
    fn note(&self) -> Option<&'static str> {
        match self.reason {
            Reason::ValueNotInSet => Some("not one of the values"),
            Reason::ValueForbidden | Reason::IdExcluded => Some("excluded"),
            Reason::KeyForbidden => Some("the key must be absent"),
            Reason::NotAnInteger => Some("not an integer"),
            Reason::IdNotListed => Some("not listed"),
            _ => None,
        }
    }
}

/// Failures first, then passes, each group in the order written; the columns are aligned.
impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failures = self.failures().count();
        let total = self.verdicts.len();
        if failures == 0 {
            let all = match total {
                0 => "no requirements to check".to_string(),
                1 => "its 1 requirement passes".to_string(),
                n => format!("all {n} requirements pass"),
            };
            writeln!(f, "{} matches: {all}", self.id)?;
        } else {
            let verb = if failures == 1 { "fails" } else { "fail" };
            writeln!(
                f,
                "{} does not match: {failures} of {total} requirements {verb}",
                self.id
            )?;
        }
        let origins: Vec<String> = self.verdicts.iter().map(|v| v.origin.to_string()).collect();
        let origin_width = origins.iter().map(|o| o.chars().count()).max().unwrap_or(0);
        let requirement_width = self
            .verdicts
            .iter()
            .map(|v| v.requirement.chars().count())
            .max()
            .unwrap_or(0);
        let order = (0..total)
            .filter(|&i| !self.verdicts[i].passed)
            .chain((0..total).filter(|&i| self.verdicts[i].passed));
        for i in order {
            let verdict = &self.verdicts[i];
            let status = if verdict.passed { "pass" } else { "fail" };
            write!(
                f,
                "  {status}  {:<origin_width$}  {:<requirement_width$}  {}",
                origins[i],
                verdict.requirement,
                verdict.value()
            )?;
            match verdict.note() {
                Some(note) => writeln!(f, "  {note}")?,
                None => writeln!(f)?,
            }
        }
        Ok(())
    }
}
