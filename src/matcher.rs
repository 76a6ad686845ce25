//! [`Matcher`]: a compiled selector, evaluated against node labels without allocating.

use std::collections::{BTreeMap, HashSet};

use crate::expr::{Expression, Operator};
use crate::labels::Labels;

/// Value sets up to this size are searched linearly; larger ones by binary search.
const SMALL_SET: usize = 8;

/// Nodes evaluated together by [`Matcher::matches_into`] (at most 32: one bit each in a `u32`).
const SCAN_BLOCK: usize = 16;

/// A compiled [`Selector`](crate::Selector): immutable, `Send + Sync`, and cheap to share behind an `Arc`.
///
/// Every key and value was validated when it was compiled; matching only looks labels up and compares.
/// Requirements are kept as specialised tests and evaluated in the order most likely to reject first:
/// the id constraint, then tests that need a key present (exact values first, then sets, existence and
/// comparisons), then tests that pass on an absent key. The verdict is the same in any order.
///
/// ```
/// use labelsel::{LabelSet, Selector};
///
/// let matcher = Selector::new()
///     .label("env", "prod")
///     .expression("gpu-count > 3, !debug")
///     .compile()?;
/// let node: LabelSet = [("env", "prod"), ("gpu-count", "8")].into_iter().collect();
/// assert!(matcher.matches("node-1", &node));
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The ids a node must have one of; `None` places no constraint.
    ids: Option<HashSet<Box<str>>>,
    /// Every requirement, in evaluation order.
    tests: Box<[Test]>,
}

/// One requirement on one key.
#[derive(Debug, Clone)]
pub(crate) struct Test {
    pub(crate) key: Box<str>,
    pub(crate) check: Check,
    /// Where the requirement was written, for explanations.
    pub(crate) source: Source,
}

/// Where a requirement of a compiled selector comes from.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub(crate) origin: Origin,
    /// The requirement's canonical text (`env=prod`, `tier in (a,b)`).
    pub(crate) text: Box<str>,
    /// Rank in the order written: `match_labels` first, then each expression's requirements.
    pub(crate) position: u32,
}

/// The part of a [`Selector`](crate::Selector) a requirement comes from.
///
/// `Display` prints the place as in the job spec: `match_labels["env"]`, `match_expressions[1]`,
/// `match_ids`.
///
/// ```
/// use labelsel::Origin;
/// assert_eq!(Origin::MatchExpression(1).to_string(), "match_expressions[1]");
/// assert_eq!(Origin::MatchLabel("env".into()).to_string(), "match_labels[\"env\"]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// The `match_labels` entry with this key.
    MatchLabel(String),
    /// The `match_expressions` string at this index.
    MatchExpression(usize),
    /// The `match_ids` list.
    MatchIds,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::MatchLabel(key) => write!(f, "match_labels[{key:?}]"),
            Origin::MatchExpression(index) => write!(f, "match_expressions[{index}]"),
            Origin::MatchIds => f.write_str("match_ids"),
        }
    }
}

impl serde::Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Check {
    /// The key is present and its value is in the set (`=`, `==`, `in`).
    In(ValueSet),
    /// The key is present.
    Exists,
    /// The key is present with a base-10 integer value above the threshold.
    Greater(i64),
    /// The key is present with a base-10 integer value below the threshold.
    Less(i64),
    /// The key is absent, or its value is not in the set (`!=`, `notin`).
    NotIn(ValueSet),
    /// The key is absent.
    Absent,
}

impl Check {
    /// Evaluation rank: lower runs first. Tests that fail on an absent key reject most nodes, and exact
    /// comparisons are cheapest; tests that pass on an absent key run last.
    fn rank(&self) -> u8 {
        match self {
            Check::In(ValueSet::One(_)) => 0,
            Check::In(_) => 1,
            Check::Exists => 2,
            Check::Greater(_) | Check::Less(_) => 3,
            Check::NotIn(_) => 4,
            Check::Absent => 5,
        }
    }

    /// Whether the check passes on a node without the key (`!=`, `notin`, `!key`).
    pub(crate) fn matches_absent_key(&self) -> bool {
        matches!(self, Check::NotIn(_) | Check::Absent)
    }

    #[inline(always)]
    pub(crate) fn holds(&self, value: Option<&str>) -> bool {
        match self {
            Check::In(set) => value.is_some_and(|v| set.contains(v)),
            Check::Exists => value.is_some(),
            Check::Greater(threshold) => value
                .and_then(crate::expr::parse_integer)
                .is_some_and(|v| v > *threshold),
            Check::Less(threshold) => value
                .and_then(crate::expr::parse_integer)
                .is_some_and(|v| v < *threshold),
            Check::NotIn(set) => !value.is_some_and(|v| set.contains(v)),
            Check::Absent => value.is_none(),
        }
    }
}

/// The values of an `=`/`in`/`!=`/`notin` test, stored by size.
#[derive(Debug, Clone)]
pub(crate) enum ValueSet {
    One(Box<str>),
    /// At most [`SMALL_SET`] values, searched linearly.
    Small(Box<[Box<str>]>),
    /// More values, sorted, searched by binary search.
    Large(Box<[Box<str>]>),
}

impl ValueSet {
    fn new<'a>(values: impl ExactSizeIterator<Item = &'a str>) -> ValueSet {
        let mut values: Vec<Box<str>> = values.map(Box::from).collect();
        match values.len() {
            1 => ValueSet::One(values.swap_remove(0)),
            n if n <= SMALL_SET => ValueSet::Small(values.into_boxed_slice()),
            _ => {
                // Requirement values come sorted and deduplicated from the parser.
                debug_assert!(values.is_sorted());
                ValueSet::Large(values.into_boxed_slice())
            }
        }
    }

    /// Every value, in no particular order.
    pub(crate) fn values(&self) -> &[Box<str>] {
        match self {
            ValueSet::One(one) => std::slice::from_ref(one),
            ValueSet::Small(values) | ValueSet::Large(values) => values,
        }
    }

    #[inline(always)]
    fn contains(&self, value: &str) -> bool {
        match self {
            ValueSet::One(one) => **one == *value,
            ValueSet::Small(values) => values.iter().any(|v| **v == *value),
            ValueSet::Large(values) => values.binary_search_by(|v| (**v).cmp(value)).is_ok(),
        }
    }
}

impl Matcher {
    /// Compiles validated parts; `Selector::compile` validates them first.
    pub(crate) fn new(
        match_labels: &BTreeMap<String, String>,
        expressions: &[Expression],
        match_ids: &[String],
    ) -> Matcher {
        let labels = match_labels.iter().map(|(key, value)| {
            let text = format!("{key}={value}");
            (
                key.as_str(),
                Check::In(ValueSet::One(value.as_str().into())),
                Origin::MatchLabel(key.clone()),
                text,
            )
        });
        let requirements = expressions.iter().enumerate().flat_map(|(index, expr)| {
            expr.requirements().map(move |req| {
                let check = match req.operator() {
                    Operator::In | Operator::Equals | Operator::DoubleEquals => {
                        Check::In(ValueSet::new(req.values()))
                    }
                    Operator::NotIn | Operator::NotEquals => {
                        Check::NotIn(ValueSet::new(req.values()))
                    }
                    Operator::Exists => Check::Exists,
                    Operator::DoesNotExist => Check::Absent,
                    Operator::GreaterThan => Check::Greater(req.threshold().unwrap_or(i64::MAX)),
                    Operator::LessThan => Check::Less(req.threshold().unwrap_or(i64::MIN)),
                };
                (
                    req.key(),
                    check,
                    Origin::MatchExpression(index),
                    req.to_string(),
                )
            })
        });
        let mut tests: Vec<Test> = labels
            .chain(requirements)
            .enumerate()
            .map(|(position, (key, check, origin, text))| Test {
                key: key.into(),
                check,
                source: Source {
                    origin,
                    text: text.into(),
                    position: position as u32,
                },
            })
            .collect();
        tests.sort_by_key(|test| test.check.rank());
        let ids = (!match_ids.is_empty())
            .then(|| match_ids.iter().map(|id| id.as_str().into()).collect());
        Matcher {
            ids,
            tests: tests.into_boxed_slice(),
        }
    }

    /// Whether the node with this id and these labels satisfies every part of the selector.
    ///
    /// ```
    /// use std::collections::HashMap;
    ///
    /// let matcher = labelsel::Selector::new().id("node-7").expression("zone!=a").compile()?;
    /// let labels: HashMap<String, String> = HashMap::new();
    /// assert!(matcher.matches("node-7", &labels)); // `zone!=a` holds when `zone` is absent
    /// assert!(!matcher.matches("node-8", &labels));
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    #[inline]
    pub fn matches<L: Labels + ?Sized>(&self, id: &str, labels: &L) -> bool {
        if let Some(ids) = &self.ids
            && !ids.contains(id)
        {
            return false;
        }
        for test in self.tests.iter() {
            if !test.check.holds(labels.get(&test.key)) {
                return false;
            }
        }
        true
    }

    /// The ids a node must have one of, if any.
    pub(crate) fn id_constraint(&self) -> Option<&HashSet<Box<str>>> {
        self.ids.as_ref()
    }

    /// How explanations and diagnoses name the id constraint.
    pub(crate) fn id_requirement_text(&self) -> String {
        let count = self.ids.as_ref().map_or(0, HashSet::len);
        let plural = if count == 1 { "" } else { "s" };
        format!("id in match_ids ({count} id{plural})")
    }

    /// The requirements in the order written: `match_labels` by key, then each expression's
    /// requirements in canonical order.
    pub(crate) fn tests_in_written_order(&self) -> Vec<&Test> {
        let mut tests: Vec<&Test> = self.tests.iter().collect();
        tests.sort_by_key(|test| test.source.position);
        tests
    }

    /// The requirements, in evaluation order.
    pub(crate) fn tests(&self) -> &[Test] {
        &self.tests
    }

    /// Scans many nodes and appends the positions (0-based, in iteration order) of those that match to
    /// `into`; the result equals calling [`matches`](Self::matches) on each node.
    ///
    /// Nodes are evaluated a block at a time, one requirement across the whole block before the next,
    /// so that the label lookups of different nodes overlap in memory instead of waiting for each other.
    /// Over maps that live all over the heap (such as `HashMap<String, String>` per node) this is much
    /// faster than a loop over `matches`. Nothing is allocated beyond what `into` needs.
    ///
    /// ```
    /// use std::collections::HashMap;
    ///
    /// let nodes: Vec<(String, HashMap<String, String>)> = (0..40)
    ///     .map(|i| (format!("node-{i}"), HashMap::from([("cpu".to_string(), i.to_string())])))
    ///     .collect();
    /// let matcher = labelsel::Selector::new().expression("cpu>36").compile()?;
    /// let mut matching = Vec::new();
    /// matcher.matches_into(nodes.iter().map(|(id, labels)| (id.as_str(), labels)), &mut matching);
    /// assert_eq!(matching, [37, 38, 39]);
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn matches_into<'a, L, I>(&self, nodes: I, into: &mut Vec<usize>)
    where
        L: Labels + ?Sized + 'a,
        I: IntoIterator<Item = (&'a str, &'a L)>,
    {
        let mut nodes = nodes.into_iter();
        let mut first = 0;
        loop {
            let mut block: [Option<(&'a str, &'a L)>; SCAN_BLOCK] = [None; SCAN_BLOCK];
            let mut len = 0;
            for (slot, node) in block.iter_mut().zip(nodes.by_ref()) {
                *slot = Some(node);
                len += 1;
            }
            let alive = self.block_matches(&block[..len]);
            into.extend(
                (0..len)
                    .filter(|i| alive & (1 << i) != 0)
                    .map(|i| first + i),
            );
            if len < SCAN_BLOCK {
                return;
            }
            first += SCAN_BLOCK;
        }
    }

    /// The nodes of a block that match, as a bit mask.
    fn block_matches<'a, L: Labels + ?Sized + 'a>(
        &self,
        block: &[Option<(&'a str, &'a L)>],
    ) -> u32 {
        let mut alive: u32 = 0;
        for (i, node) in block.iter().enumerate() {
            if let Some((id, _)) = node
                && self.ids.as_ref().is_none_or(|ids| ids.contains(*id))
            {
                alive |= 1 << i;
            }
        }
        for test in self.tests.iter() {
            if alive == 0 {
                break;
            }
            // All lookups first, so that they run side by side; then all checks.
            let mut values: [Option<&'a str>; SCAN_BLOCK] = [None; SCAN_BLOCK];
            for (i, node) in block.iter().enumerate() {
                if alive & (1 << i) != 0
                    && let Some((_, labels)) = *node
                {
                    values[i] = labels.get(&test.key);
                }
            }
            for (i, value) in values.iter().enumerate().take(block.len()) {
                if alive & (1 << i) != 0 && !test.check.holds(*value) {
                    alive &= !(1 << i);
                }
            }
        }
        alive
    }

    /// Whether the matcher places no constraint at all, so that it matches every node.
    ///
    /// ```
    /// assert!(labelsel::Selector::new().expression("").compile()?.is_empty());
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_none() && self.tests.is_empty()
    }
}
