//! [`Matcher::analyze`] and [`Fleet::lint`]: static checks of a compiled selector.
//!
//! The analysis needs no nodes: it finds requirements that can never hold together, requirements
//! that another one already implies, and a normal form that merges the requirements of each key. The
//! lint compares the selector's keys and values with the vocabulary of a fleet and suggests the
//! nearest ones that exist.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::Serialize;

use crate::matcher::{Matcher, Part};
use crate::place::Place;

mod lint;
mod normal_form;
mod redundancy;
mod satisfiability;
mod suggest;

use self::normal_form::merged;
use self::redundancy::redundancies;
use self::satisfiability::conflict;

/// The most distinct requirements on one key that are searched for the smallest conflicting set and for
/// requirements implied by others: both searches grow with the square of their number. Beyond it (only
/// hostile or generated selectors get there), a conflict names every requirement of the key and only
/// exact repeats are reported as redundant, so the analysis stays near linear in the selector's size.
const SEARCH_LIMIT: usize = 64;

/// The most suggestions offered for one unknown key or value.
const SUGGESTIONS: usize = 3;

/// What [`Matcher::analyze`] found in a selector: conflicts, redundant requirements, and the label
/// requirements merged into a normal form.
///
/// `Display` lists the findings, one a line, then the normal form; serde gives JSON.
///
/// ```
/// use labelsel::{FindingKind, Selector};
///
/// let matcher = Selector::new()
///     .expression("gpu, gpu in (l4,t4)")
///     .expression("env in (a,b), env!=b")
///     .compile()?;
/// let analysis = matcher.analyze();
/// assert!(analysis.is_satisfiable());
/// assert_eq!(analysis.findings[0].kind, FindingKind::Redundant);
/// assert_eq!(
///     analysis.normal_form,
///     Some(vec!["env=a".to_string(), "gpu in (l4,t4)".to_string()])
/// );
/// assert_eq!(
///     analysis.to_string(),
///     "warning: redundant: match_expressions[0] gpu is implied by match_expressions[0] gpu in (l4,t4)\n\
///      normal form: env=a,gpu in (l4,t4)\n"
/// );
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Analysis {
    /// The problems found, in the order the first requirement each names was written.
    pub findings: Vec<Finding>,
    /// The label requirements merged per key: one canonical requirement a string, sorted by key, so
    /// that the strings joined with `,` parse as an [`Expression`](crate::Expression) that matches
    /// exactly the label sets the selector's labels and expressions match. `match_ids` is not part of
    /// it. `None` when the selector is unsatisfiable.
    ///
    /// No `notin` list is longer than the default [`Limits`](crate::Limits) accept (1,000 values):
    /// when the merged `!=`/`notin` values of a key are more, they are split into several `notin`
    /// requirements of at most 1,000 values each, in order, whose AND excludes the same values. An
    /// `in` list only shrinks when merged, so it is longer than 1,000 values only when an expression
    /// compiled under raised limits wrote one. The other default limits bound the input, not the
    /// normal form: a selector whose normal form holds more than 1,000 requirements, or is longer than
    /// 64 KiB, needs limits that admit it (see [`normal_form_text`](Self::normal_form_text)).
    pub normal_form: Option<Vec<String>>,
}

impl Analysis {
    /// Whether some label set can satisfy the selector: no finding is a conflict.
    ///
    /// ```
    /// let matcher = labelsel::Selector::new().expression("x>5, x<6").compile()?;
    /// assert!(!matcher.analyze().is_satisfiable());
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn is_satisfiable(&self) -> bool {
        !self
            .findings
            .iter()
            .any(|finding| finding.kind == FindingKind::Unsatisfiable)
    }

    /// Whether any finding is an error.
    ///
    /// ```
    /// let matcher = labelsel::Selector::new().expression("gpu, gpu=l4").compile()?;
    /// let analysis = matcher.analyze();
    /// assert!(!analysis.findings.is_empty());
    /// assert!(!analysis.has_errors()); // a redundant requirement is only a warning
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|finding| finding.severity == Severity::Error)
    }

    /// The normal form as one selector string, or `None` when the selector is unsatisfiable.
    ///
    /// It parses with [`Expression::parse`](crate::Expression::parse) when it is at most 64 KiB long
    /// and holds at most 1,000 requirements and no `in` list of more than 1,000 values (written under
    /// raised limits); otherwise parse it with
    /// [`Expression::parse_with_limits`](crate::Expression::parse_with_limits) and
    /// [`Limits`](crate::Limits) that admit it. `!=`/`notin` values are split into lists of at most
    /// 1,000:
    ///
    /// ```
    /// use labelsel::Expression;
    ///
    /// let matcher = labelsel::Selector::new().expression("x>1, x>3, x notin (2,7)").compile()?;
    /// let text = matcher.analyze().normal_form_text().unwrap();
    /// assert_eq!(text, "x>3,x!=7");
    /// assert!(Expression::parse(&text).is_ok());
    ///
    /// let list = |from: usize| (from..from + 600).map(|i| format!("v{i}")).collect::<Vec<_>>().join(",");
    /// let matcher = labelsel::Selector::new()
    ///     .expression(format!("x notin ({}), x notin ({})", list(0), list(600)))
    ///     .compile()?;
    /// let form = matcher.analyze().normal_form.unwrap();
    /// assert_eq!(form.len(), 2); // 1,000 values, then 200
    /// let expr = Expression::parse(&form.join(",")).unwrap();
    /// assert_eq!(expr.len(), 2);
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn normal_form_text(&self) -> Option<String> {
        self.normal_form.as_ref().map(|form| form.join(","))
    }
}

/// Each finding on its line (or `no findings`), then `normal form: ` and the normal form as one
/// selector string, `(no label requirements)`, or `none, the selector is unsatisfiable`.
impl fmt::Display for Analysis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.findings.is_empty() {
            writeln!(f, "no findings")?;
        }
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        match self.normal_form_text() {
            None => writeln!(f, "normal form: none, the selector is unsatisfiable"),
            Some(text) if text.is_empty() => writeln!(f, "normal form: (no label requirements)"),
            Some(text) => writeln!(f, "normal form: {text}"),
        }
    }
}

/// One problem found by [`Matcher::analyze`] or [`Fleet::lint`](crate::Fleet::lint).
///
/// `Display` prints one line: the severity, then the message.
///
/// ```
/// use labelsel::{FindingKind, Place, Selector, Severity};
///
/// let matcher = Selector::new().label("env", "prod").expression("env!=prod").compile()?;
/// let finding = &matcher.analyze().findings[0];
/// assert_eq!((finding.severity, finding.kind), (Severity::Error, FindingKind::Unsatisfiable));
/// assert_eq!(
///     finding.origins,
///     [Place::MatchLabel("env".into()), Place::MatchExpression(0)]
/// );
/// assert_eq!(finding.requirements, ["env=prod", "env!=prod"]);
/// assert_eq!(
///     finding.to_string(),
///     "error: unsatisfiable: match_labels[\"env\"] env=prod conflicts with match_expressions[0] env!=prod"
/// );
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// What kind of problem it is.
    pub kind: FindingKind,
    /// The whole message, for people, without the severity.
    pub message: String,
    /// Where each requirement involved was written, in the same order as `requirements`; in JSON
    /// each an object, as [`Place::serialize_structured`] writes it.
    #[serde(serialize_with = "structured_places")]
    pub origins: Vec<Place>,
    /// The canonical text of each requirement involved: for a conflict, the conflicting ones in the
    /// order written; for a redundant requirement, that one and then the one that implies it.
    pub requirements: Vec<String>,
    /// Existing keys or values close to the unknown ones the message names, nearest first.
    pub suggestions: Vec<String>,
    /// What the fleet does not know, for [`Fleet::lint`](crate::Fleet::lint): the unknown key, or
    /// every unknown value of the requirement in byte order (also those the message leaves out).
    /// Empty for the findings of [`Matcher::analyze`].
    pub unknown: Vec<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.message)
    }
}

/// Writes places as [`Place::serialize_structured`] writes one: `[{"field": "match_expressions",
/// "index": 1}, ...]`.
fn structured_places<S: serde::Serializer>(
    places: &[Place],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    struct Structured<'a>(&'a Place);

    impl Serialize for Structured<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            Place::serialize_structured(self.0, serializer)
        }
    }

    serializer.collect_seq(places.iter().map(Structured))
}

/// How serious a [`Finding`] is. `Display` prints `error` or `warning`, and JSON the same.
///
/// ```
/// assert_eq!(labelsel::Severity::Warning.to_string(), "warning");
/// assert_eq!(serde_json::to_string(&labelsel::Severity::Warning)?, r#""warning""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The selector cannot match as intended: no node can ever match it, or none of the fleet's.
    Error,
    /// The selector works but says something needless or suspicious.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// What kind of problem a [`Finding`] reports. The names are stable codes; in JSON they are
/// snake_case (`unsatisfiable`, `redundant`, `unknown_key`, `unknown_value`), as explanations' reason
/// codes are.
///
/// ```
/// use labelsel::{FindingKind, Selector};
///
/// let matcher = Selector::new().expression("env=a, env=b").compile().unwrap();
/// assert_eq!(matcher.analyze().findings[0].kind, FindingKind::Unsatisfiable);
/// assert_eq!(serde_json::to_string(&FindingKind::UnknownKey)?, r#""unknown_key""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingKind {
    /// Requirements that no label set satisfies together, so the selector matches no node.
    Unsatisfiable,
    /// A requirement that another requirement implies; removing it changes nothing.
    Redundant,
    /// A key no node of the fleet has.
    UnknownKey,
    /// Values no node of the fleet has for that key, in one requirement.
    UnknownValue,
}

impl Matcher {
    /// Analyzes the selector without any nodes.
    ///
    /// * **Conflicts** (errors): per key, requirements that cannot hold together: presence against
    ///   `!key`, `=`/`in` values all excluded by other `=`/`in`/`!=`/`notin` requirements or outside the
    ///   `>`/`<` range, or an integer range with no integer in it. Each finding names the fewest
    ///   conflicting requirements it can find: one, a pair when a pair suffices, or more.
    /// * **Redundant requirements** (warnings), only when the selector is satisfiable: a requirement
    ///   another single requirement implies (`gpu` by `gpu=l4`, `env!=b` by `env=a`, `x>3` by `x>5`).
    ///   Of two equivalent requirements the later is redundant. All of them can be removed together.
    /// * **The normal form**: see [`Analysis::normal_form`].
    ///
    /// `match_ids` takes no part: a non-empty list is always satisfiable.
    ///
    /// ```
    /// let matcher = labelsel::Selector::new().expression("env in (a,b), env>3").compile()?;
    /// let analysis = matcher.analyze();
    /// assert_eq!(analysis.normal_form, None);
    /// assert_eq!(
    ///     analysis.findings[0].message,
    ///     "unsatisfiable: match_expressions[0] env in (a,b) conflicts with match_expressions[0] env>3"
    /// );
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn analyze(&self) -> Analysis {
        let keys = requirements_by_key(self);
        let conflicts: Vec<Vec<Part<'_>>> = keys
            .values()
            .filter_map(|tests| conflict(&first_occurrences(tests)))
            .collect();
        if !conflicts.is_empty() {
            return Analysis {
                findings: in_written_order(conflicts.iter().map(|core| unsatisfiable(core))),
                normal_form: None,
            };
        }
        let redundant = keys.values().flat_map(|tests| redundancies(tests));
        let normal_form = keys
            .iter()
            .flat_map(|(key, tests)| merged(key, tests))
            .collect();
        Analysis {
            findings: in_written_order(redundant.map(|(test, by)| redundancy(test, by))),
            normal_form: Some(normal_form),
        }
    }
}

/// The requirements of each key, keys sorted, each key's requirements in the order written.
fn requirements_by_key(matcher: &Matcher) -> BTreeMap<&str, Vec<Part<'_>>> {
    let mut keys: BTreeMap<&str, Vec<Part<'_>>> = BTreeMap::new();
    for part in matcher.parts() {
        if let Some(key) = part.key {
            keys.entry(key).or_default().push(part);
        }
    }
    keys
}

/// The requirements whose canonical text was not written before, in the order written. A repeated text
/// is the same requirement, so the searches for conflicts and implications skip it.
fn first_occurrences<'a>(tests: &[Part<'a>]) -> Vec<Part<'a>> {
    let mut seen: HashSet<&str> = HashSet::new();
    tests
        .iter()
        .copied()
        .filter(|test| seen.insert(test.text))
        .collect()
}

/// Findings paired with the position of the first requirement they name, sorted by it.
fn in_written_order(findings: impl Iterator<Item = (u32, Finding)>) -> Vec<Finding> {
    let mut findings: Vec<(u32, Finding)> = findings.collect();
    findings.sort_by_key(|(position, _)| *position);
    findings.into_iter().map(|(_, finding)| finding).collect()
}

/// How a message names a requirement: where it was written, then its text.
fn named(test: Part<'_>) -> String {
    format!("{} {}", test.place, test.text)
}

fn finding(severity: Severity, kind: FindingKind, message: String, tests: &[Part<'_>]) -> Finding {
    Finding {
        severity,
        kind,
        message,
        origins: tests.iter().map(|test| test.place.clone()).collect(),
        requirements: tests.iter().map(|test| test.text.to_string()).collect(),
        suggestions: Vec::new(),
        unknown: Vec::new(),
    }
}

fn unsatisfiable(core: &[Part<'_>]) -> (u32, Finding) {
    let names: Vec<String> = core.iter().map(|test| named(*test)).collect();
    let message = match names.as_slice() {
        [] => "unsatisfiable".to_string(),
        [one] => format!("unsatisfiable: {one} can never hold"),
        [first, second] => format!("unsatisfiable: {first} conflicts with {second}"),
        [rest @ .., last] => format!(
            "unsatisfiable: {} and {last} cannot all hold",
            rest.join(", ")
        ),
    };
    let position = core.first().map_or(0, |test| test.position);
    let finding = finding(Severity::Error, FindingKind::Unsatisfiable, message, core);
    (position, finding)
}

fn redundancy(test: Part<'_>, by: Part<'_>) -> (u32, Finding) {
    let message = format!("redundant: {} is implied by {}", named(test), named(by));
    let finding = finding(
        Severity::Warning,
        FindingKind::Redundant,
        message,
        &[test, by],
    );
    (test.position, finding)
}
