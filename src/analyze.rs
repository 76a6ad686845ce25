//! [`Matcher::analyze`] and [`Fleet::lint`]: static checks of a compiled selector.
//!
//! The analysis needs no nodes: it finds requirements that can never hold together, requirements
//! that another one already implies, and a normal form that merges the requirements of each key. The
//! lint compares the selector's keys and values with the vocabulary of a fleet and suggests the
//! nearest ones that exist.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use crate::fleet::Fleet;
use crate::matcher::{Check, Matcher, Origin, Test};

/// Requirements on one key up to this many are searched pair by pair for a conflicting pair; beyond
/// that, a conflict is narrowed down one requirement at a time.
const PAIR_SEARCH: usize = 128;

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
pub struct Analysis {
    /// The problems found, in the order the first requirement each names was written.
    pub findings: Vec<Finding>,
    /// The label requirements merged per key: one canonical requirement a string, sorted by key, so
    /// that the strings joined with `,` parse as an [`Expression`](crate::Expression) that matches
    /// exactly the label sets the selector's labels and expressions match. `match_ids` is not part of
    /// it. `None` when the selector is unsatisfiable.
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
    /// ```
    /// use labelsel::Expression;
    ///
    /// let matcher = labelsel::Selector::new().expression("x>1, x>3, x notin (2,7)").compile()?;
    /// let text = matcher.analyze().normal_form_text().unwrap();
    /// assert_eq!(text, "x>3,x!=7");
    /// assert!(Expression::parse(&text).is_ok());
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

/// One problem found by [`Matcher::analyze`] or [`Fleet::lint`].
///
/// `Display` prints one line: the severity, then the message.
///
/// ```
/// use labelsel::{FindingKind, Origin, Selector, Severity};
///
/// let matcher = Selector::new().label("env", "prod").expression("env!=prod").compile()?;
/// let finding = &matcher.analyze().findings[0];
/// assert_eq!((finding.severity, finding.kind), (Severity::Error, FindingKind::Unsatisfiable));
/// assert_eq!(
///     finding.origins,
///     [Origin::MatchLabel("env".into()), Origin::MatchExpression(0)]
/// );
/// assert_eq!(finding.requirements, ["env=prod", "env!=prod"]);
/// assert_eq!(
///     finding.to_string(),
///     "error: unsatisfiable: match_labels[\"env\"] env=prod conflicts with match_expressions[0] env!=prod"
/// );
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// What kind of problem it is.
    pub kind: FindingKind,
    /// The whole message, for people, without the severity.
    pub message: String,
    /// Where each requirement involved was written, in the same order as `requirements`.
    pub origins: Vec<Origin>,
    /// The canonical text of each requirement involved: for a conflict, the conflicting ones in the
    /// order written; for a redundant requirement, that one and then the one that implies it.
    pub requirements: Vec<String>,
    /// Existing keys or values close to an unknown one, nearest first.
    pub suggestions: Vec<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.message)
    }
}

/// How serious a [`Finding`] is. `Display` prints `error` or `warning`.
///
/// ```
/// assert_eq!(labelsel::Severity::Warning.to_string(), "warning");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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

/// What kind of problem a [`Finding`] reports. The names are stable codes, also in JSON.
///
/// ```
/// use labelsel::{FindingKind, Selector};
///
/// let matcher = Selector::new().expression("env=a, env=b").compile()?;
/// assert_eq!(matcher.analyze().findings[0].kind, FindingKind::Unsatisfiable);
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum FindingKind {
    /// Requirements that no label set satisfies together, so the selector matches no node.
    Unsatisfiable,
    /// A requirement that another requirement implies; removing it changes nothing.
    Redundant,
    /// A key no node of the fleet has.
    UnknownKey,
    /// A value no node of the fleet has for that key.
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
        let conflicts: Vec<Vec<&Test>> = keys
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
        let mut tests: Vec<&Test> = matcher.tests().iter().collect();
        tests.sort_by_key(|test| test.source.position);
        tests
            .into_iter()
            .flat_map(|test| {
                if known_keys.contains(&*test.key) {
                    unknown_values(self, test)
                } else {
                    vec![unknown_key(test, &known_keys)]
                }
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------------
// Grouping and reporting
// ---------------------------------------------------------------------------------------------------

/// The requirements of each key, keys sorted, each key's requirements in the order written.
fn requirements_by_key(matcher: &Matcher) -> BTreeMap<&str, Vec<&Test>> {
    let mut keys: BTreeMap<&str, Vec<&Test>> = BTreeMap::new();
    for test in matcher.tests() {
        keys.entry(&test.key).or_default().push(test);
    }
    for tests in keys.values_mut() {
        tests.sort_by_key(|test| test.source.position);
    }
    keys
}

/// The requirements whose canonical text was not written before, in the order written. A repeated text
/// is the same requirement, so the searches for conflicts and implications skip it.
fn first_occurrences<'a>(tests: &[&'a Test]) -> Vec<&'a Test> {
    let mut seen: HashSet<&str> = HashSet::new();
    tests
        .iter()
        .copied()
        .filter(|test| seen.insert(&test.source.text))
        .collect()
}

/// Findings paired with the position of the first requirement they name, sorted by it.
fn in_written_order(findings: impl Iterator<Item = (u32, Finding)>) -> Vec<Finding> {
    let mut findings: Vec<(u32, Finding)> = findings.collect();
    findings.sort_by_key(|(position, _)| *position);
    findings.into_iter().map(|(_, finding)| finding).collect()
}

/// How a message names a requirement: where it was written, then its text.
fn named(test: &Test) -> String {
    format!("{} {}", test.source.origin, test.source.text)
}

fn finding(severity: Severity, kind: FindingKind, message: String, tests: &[&Test]) -> Finding {
    Finding {
        severity,
        kind,
        message,
        origins: tests
            .iter()
            .map(|test| test.source.origin.clone())
            .collect(),
        requirements: tests
            .iter()
            .map(|test| test.source.text.to_string())
            .collect(),
        suggestions: Vec::new(),
    }
}

fn unsatisfiable(core: &[&Test]) -> (u32, Finding) {
    let names: Vec<String> = core.iter().map(|test| named(test)).collect();
    let message = match names.as_slice() {
        [] => "unsatisfiable".to_string(),
        [one] => format!("unsatisfiable: {one} can never hold"),
        [first, second] => format!("unsatisfiable: {first} conflicts with {second}"),
        [rest @ .., last] => format!(
            "unsatisfiable: {} and {last} cannot all hold",
            rest.join(", ")
        ),
    };
    let position = core.first().map_or(0, |test| test.source.position);
    let finding = finding(Severity::Error, FindingKind::Unsatisfiable, message, core);
    (position, finding)
}

fn redundancy(test: &Test, by: &Test) -> (u32, Finding) {
    let message = format!("redundant: {} is implied by {}", named(test), named(by));
    let finding = finding(
        Severity::Warning,
        FindingKind::Redundant,
        message,
        &[test, by],
    );
    (test.source.position, finding)
}

// ---------------------------------------------------------------------------------------------------
// Satisfiability
// ---------------------------------------------------------------------------------------------------

/// Whether the check fails on a node that lacks the key.
fn needs_key(check: &Check) -> bool {
    matches!(
        check,
        Check::In(_) | Check::Exists | Check::Greater(_) | Check::Less(_)
    )
}

/// The values of the smallest `=`/`in` set among the checks; a present value must be one of them.
fn smallest_value_set<'a>(checks: impl Iterator<Item = &'a Check>) -> Option<&'a [Box<str>]> {
    checks
        .filter_map(|check| match check {
            Check::In(set) => Some(set.values()),
            _ => None,
        })
        .min_by_key(|values| values.len())
}

/// Whether some label set satisfies every one of these requirements on one key.
///
/// Without `=`/`in`, a present value only has to avoid finitely many excluded strings, and every
/// integer has endless spellings (`2`, `02`, `002`), so only an empty integer range leaves nothing.
fn satisfiable(tests: &[&Test]) -> bool {
    let checks = || tests.iter().map(|test| &test.check);
    if !checks().any(needs_key) {
        return true;
    }
    if checks().any(|check| matches!(check, Check::Absent)) {
        return false;
    }
    match smallest_value_set(checks()) {
        Some(values) => values
            .iter()
            .any(|value| checks().all(|check| check.holds(Some(value)))),
        None => Bounds::of(checks()).admit_an_integer(),
    }
}

/// The fewest requirements of one key found to conflict, in the order written, or `None` when they
/// can all hold.
fn conflict<'a>(tests: &[&'a Test]) -> Option<Vec<&'a Test>> {
    if satisfiable(tests) {
        return None;
    }
    let core = conflicting_single(tests)
        .or_else(|| conflicting_pair(tests))
        .unwrap_or_else(|| narrowed(tests));
    Some(core)
}

fn conflicting_single<'a>(tests: &[&'a Test]) -> Option<Vec<&'a Test>> {
    tests
        .iter()
        .find(|test| !satisfiable(&[**test]))
        .map(|test| vec![*test])
}

fn conflicting_pair<'a>(tests: &[&'a Test]) -> Option<Vec<&'a Test>> {
    if tests.len() > PAIR_SEARCH {
        return None;
    }
    tests.iter().enumerate().find_map(|(i, first)| {
        tests[i + 1..]
            .iter()
            .find(|second| !satisfiable(&[*first, **second]))
            .map(|second| vec![*first, *second])
    })
}

/// Drops, one at a time, every requirement without which the rest still conflict: what remains
/// conflicts, and dropping any one of it would not.
fn narrowed<'a>(tests: &[&'a Test]) -> Vec<&'a Test> {
    let mut core = tests.to_vec();
    let mut i = 0;
    while i < core.len() {
        let mut without = core.clone();
        without.remove(i);
        if satisfiable(&without) {
            i += 1;
        } else {
            core = without;
        }
    }
    core
}

/// The open integer interval left by `>` and `<` requirements.
#[derive(Debug, Clone, Copy, Default)]
struct Bounds {
    /// The greatest `>` threshold.
    above: Option<i64>,
    /// The least `<` threshold.
    below: Option<i64>,
}

impl Bounds {
    fn of<'a>(checks: impl Iterator<Item = &'a Check>) -> Bounds {
        checks.fold(Bounds::default(), |bounds, check| match *check {
            Check::Greater(n) => Bounds {
                above: Some(bounds.above.map_or(n, |above| above.max(n))),
                ..bounds
            },
            Check::Less(n) => Bounds {
                below: Some(bounds.below.map_or(n, |below| below.min(n))),
                ..bounds
            },
            _ => bounds,
        })
    }

    /// Whether an `i64` lies strictly inside the bounds.
    fn admit_an_integer(self) -> bool {
        let lowest = self
            .above
            .map_or(i128::from(i64::MIN), |n| i128::from(n) + 1);
        let highest = self
            .below
            .map_or(i128::from(i64::MAX), |n| i128::from(n) - 1);
        lowest <= highest
    }

    /// The bounds as requirements on `key`: `key>n`, `key<n`, or neither.
    fn requirements(self, key: &str) -> impl Iterator<Item = String> {
        let above = self.above.map(|n| format!("{key}>{n}"));
        let below = self.below.map(|n| format!("{key}<{n}"));
        above.into_iter().chain(below)
    }
}

// ---------------------------------------------------------------------------------------------------
// Redundancy
// ---------------------------------------------------------------------------------------------------

/// Whether every label set that satisfies `a` satisfies `b` (on the same key). Never wrong when it
/// says yes; a requirement that can never hold alone is not recognised as implying everything.
fn implies(a: &Check, b: &Check) -> bool {
    match (a, b) {
        (Check::In(values), _) => values.values().iter().all(|v| b.holds(Some(v))),
        (Check::Absent, _) => b.holds(None),
        // `a` holds on an absent key or only on present values; `b` fails only on its own values.
        (_, Check::NotIn(excluded)) => excluded.values().iter().all(|v| !a.holds(Some(v))),
        (Check::Exists | Check::Greater(_) | Check::Less(_), Check::Exists) => true,
        (Check::Greater(n), Check::Greater(m)) => m <= n,
        (Check::Less(n), Check::Less(m)) => m >= n,
        _ => false,
    }
}

/// The redundant requirements of one key, each with a requirement that implies it: repeats of an
/// earlier requirement, and requirements another one implies.
///
/// A repeat is named with its first occurrence, or with what implies that one when it is redundant too.
fn redundancies<'a>(tests: &[&'a Test]) -> Vec<(&'a Test, &'a Test)> {
    let distinct = first_occurrences(tests);
    let implied = implied_by_others(&distinct);
    let first: HashMap<&str, &Test> = distinct
        .iter()
        .map(|test| (&*test.source.text, *test))
        .collect();
    let repeats: Vec<(&Test, &Test)> = tests
        .iter()
        .filter_map(|test| {
            let first = *first.get(&*test.source.text)?;
            if first.source.position == test.source.position {
                return None;
            }
            let by = implied
                .iter()
                .find(|(redundant, _)| redundant.source.position == first.source.position)
                .map_or(first, |&(_, by)| by);
            Some((*test, by))
        })
        .collect();
    implied.into_iter().chain(repeats).collect()
}

/// The requirements of one key, all different, that another one implies, each with one that implies it.
///
/// A requirement outranks another when it implies it and, if they are equivalent, was written
/// earlier. That order has no cycles, so the requirements nothing outranks are kept and imply every
/// other one; each redundant requirement is named with a kept one that implies it when there is one.
fn implied_by_others<'a>(tests: &[&'a Test]) -> Vec<(&'a Test, &'a Test)> {
    let n = tests.len();
    let implication: Vec<Vec<bool>> = tests
        .iter()
        .map(|a| tests.iter().map(|b| implies(&a.check, &b.check)).collect())
        .collect();
    let outranks =
        |i: usize, j: usize| i != j && implication[i][j] && (!implication[j][i] || i < j);
    let kept: Vec<bool> = (0..n).map(|j| !(0..n).any(|i| outranks(i, j))).collect();
    (0..n)
        .filter(|&j| !kept[j])
        .filter_map(|j| {
            let by = (0..n)
                .find(|&i| kept[i] && outranks(i, j))
                .or_else(|| (0..n).find(|&i| outranks(i, j)))?;
            Some((tests[j], tests[by]))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// Normal form
// ---------------------------------------------------------------------------------------------------

/// The satisfiable requirements of one key merged into the fewest canonical requirements:
/// `!key`; or `key=v` / `key in (..)`; or `key` or the bounds `key>n`, `key<m`, then the values still
/// excluded; or only the excluded values.
fn merged(key: &str, tests: &[&Test]) -> Vec<String> {
    let checks: Vec<&Check> = tests.iter().map(|test| &test.check).collect();
    if !checks.iter().any(|check| needs_key(check)) {
        if checks.iter().any(|check| matches!(check, Check::Absent)) {
            return vec![format!("!{key}")];
        }
        return excluded(key, &checks).into_iter().collect();
    }
    if let Some(values) = smallest_value_set(checks.iter().copied()) {
        let admitted: BTreeSet<&str> = values
            .iter()
            .map(|value| &**value)
            .filter(|value| checks.iter().all(|check| check.holds(Some(value))))
            .collect();
        return value_list(key, "=", "in", &admitted).into_iter().collect();
    }
    let mut merged: Vec<String> = Bounds::of(checks.iter().copied())
        .requirements(key)
        .collect();
    if merged.is_empty() {
        merged.push(key.to_string());
    }
    merged.extend(excluded(key, &checks));
    merged
}

/// Every `!=`/`notin` value merged into one requirement, without the values the other requirements
/// already refuse.
fn excluded(key: &str, checks: &[&Check]) -> Option<String> {
    let others = || {
        checks
            .iter()
            .filter(|check| !matches!(check, Check::NotIn(_)))
    };
    let values: BTreeSet<&str> = checks
        .iter()
        .filter_map(|check| match check {
            Check::NotIn(set) => Some(set.values()),
            _ => None,
        })
        .flatten()
        .map(|value| &**value)
        .filter(|value| others().all(|check| check.holds(Some(value))))
        .collect();
    value_list(key, "!=", "notin", &values)
}

/// `key=v` (or `key!=v`) for one value, `key in (a,b)` (or `notin`) for more, nothing for none.
fn value_list(key: &str, single: &str, list: &str, values: &BTreeSet<&str>) -> Option<String> {
    match values.len() {
        0 => None,
        1 => values.first().map(|value| format!("{key}{single}{value}")),
        _ => {
            let joined: Vec<&str> = values.iter().copied().collect();
            Some(format!("{key} {list} ({})", joined.join(",")))
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Lint
// ---------------------------------------------------------------------------------------------------

fn unknown_key(test: &Test, known_keys: &BTreeSet<&str>) -> Finding {
    let (severity, consequence) = if needs_key(&test.check) {
        (Severity::Error, "")
    } else {
        (Severity::Warning, ", so it holds on every node")
    };
    let suggestions = nearest(&test.key, known_keys.iter().copied());
    let message = format!(
        "unknown key {} in {} ({}){consequence}{}",
        test.key,
        test.source.origin,
        test.source.text,
        did_you_mean(&suggestions)
    );
    Finding {
        suggestions,
        ..finding(severity, FindingKind::UnknownKey, message, &[test])
    }
}

/// One finding per value of an `=`/`in`/`!=`/`notin` requirement that no node has for the key.
fn unknown_values(fleet: &Fleet, test: &Test) -> Vec<Finding> {
    let (Check::In(set) | Check::NotIn(set)) = &test.check else {
        return Vec::new();
    };
    let known: BTreeSet<&str> = fleet.known_values(&test.key).collect();
    let unknown: BTreeSet<&str> = set
        .values()
        .iter()
        .map(|value| &**value)
        .filter(|value| !known.contains(value))
        .collect();
    let (severity, consequence) = match test.check {
        Check::NotIn(_) => (Severity::Warning, ", so it excludes no node"),
        _ if unknown.len() == set.values().len() => (Severity::Error, ""),
        _ => (Severity::Warning, ""),
    };
    unknown
        .into_iter()
        .map(|value| {
            let suggestions = nearest(value, known.iter().copied());
            let message = format!(
                "unknown value {} for {} in {} ({}){consequence}{}",
                shown(value),
                test.key,
                test.source.origin,
                test.source.text,
                did_you_mean(&suggestions)
            );
            Finding {
                suggestions,
                ..finding(severity, FindingKind::UnknownValue, message, &[test])
            }
        })
        .collect()
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

/// The candidates close to `query`, nearest first (whole matches before name-part matches at the same
/// distance, then byte order), at most [`SUGGESTIONS`].
fn nearest<'a>(query: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(usize, bool, &str)> = candidates
        .filter(|candidate| *candidate != query)
        .filter_map(|candidate| {
            closeness(query, candidate).map(|(distance, by_name)| (distance, by_name, candidate))
        })
        .collect();
    scored.sort_unstable();
    scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, _, candidate)| candidate.to_string())
        .collect()
}

/// The smaller of the distances between the whole strings and between their name parts (after a
/// `prefix/`), each only when within the limit; the flag tells the name-part distance.
fn closeness(query: &str, candidate: &str) -> Option<(usize, bool)> {
    let whole = close_within_limit(query, candidate).map(|distance| (distance, false));
    let (query_name, candidate_name) = (name_part(query), name_part(candidate));
    let by_name = (query_name.len() < query.len() || candidate_name.len() < candidate.len())
        .then(|| close_within_limit(query_name, candidate_name))
        .flatten()
        .map(|distance| (distance, true));
    whole.into_iter().chain(by_name).min()
}

/// The part of a key after its `prefix/`, or the whole key.
fn name_part(key: &str) -> &str {
    key.rsplit_once('/').map_or(key, |(_, name)| name)
}

/// The edit distance, when it is at most a third of the length of the query's name part (at least 1):
/// measured on the name, so that a long shared prefix does not let every sibling key through.
fn close_within_limit(query: &str, candidate: &str) -> Option<usize> {
    let limit = (name_part(query).chars().count() / 3).max(1);
    osa_distance(query, candidate, limit)
}

/// The optimal-string-alignment distance: insertions, deletions, substitutions and transpositions of
/// adjacent characters each count 1, no substring edited twice. `None` when it exceeds `limit`.
fn osa_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // Rows i-2, i-1 and i of the distance table between prefixes of `a` and `b`.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut distance = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                distance = distance.min(before[j - 2] + 1);
            }
            current[j] = distance;
        }
        if current.iter().min().is_some_and(|&least| least > limit) {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous
        .last()
        .copied()
        .filter(|&distance| distance <= limit)
}
