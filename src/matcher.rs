//! [`Matcher`]: a compiled selector, evaluated against node labels without allocating.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{Hash, Hasher};

use crate::expr::Expression;
use crate::labels::Labels;
use crate::operator::{Check, Operator, RequirementText, ValueSet};
use crate::place::Place;

/// Value sets up to this size are searched linearly; larger ones are hashed.
const SMALL_SET: usize = 8;

/// Nodes evaluated together by [`Matcher::matches_into`] (fewer than 32: one bit each in a `u32`).
const SCAN_BLOCK: usize = 16;

/// A compiled [`Selector`](crate::Selector): immutable, `Send + Sync`, and cheap to share behind an `Arc`.
///
/// Every key and value was validated when it was compiled; matching only looks labels up and compares.
/// Each part of the selector (every requirement, and `match_ids` when it is set) is a clause: a subject
/// (a label key, or the node's id) and a check on its value. Clauses are evaluated in the order most
/// likely to reject first: the id, then checks that need a key present (exact values first, then sets,
/// existence and comparisons), then checks that pass on an absent key. The verdict is the same in any
/// order.
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
///
/// Two matchers are equal (and hash alike) when they were compiled from the same parts written the same
/// way; the [`SelectorIndex`](crate::SelectorIndex) checks jobs with equal selectors once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Matcher {
    /// What matching reads, in evaluation order.
    clauses: Box<[Clause]>,
    /// What only explanations read, one per clause (same index).
    sources: Box<[Source]>,
    /// Clause indices in the order written: `match_labels` by key, then each expression's requirements in
    /// canonical order, then `match_ids`.
    written: Box<[u32]>,
}

/// One part of a compiled selector, as matching reads it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Clause {
    pub(crate) subject: Subject,
    pub(crate) check: CompiledCheck,
}

/// What a clause tests.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Subject {
    /// The value of this label key.
    Label(Box<str>),
    /// The node's id (`match_ids`).
    Id,
}

impl Subject {
    /// The value the clause tests on a node.
    #[inline(always)]
    fn value<'a, L: Labels + ?Sized>(&self, id: &'a str, labels: &'a L) -> Option<&'a str> {
        match self {
            Subject::Label(key) => labels.get(key),
            Subject::Id => Some(id),
        }
    }
}

/// A check with its values compiled for fast lookup.
pub(crate) type CompiledCheck = Check<CompiledValues>;

/// Where a clause comes from, for explanations.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Source {
    pub(crate) place: Place,
    /// The requirement's canonical text (`env=prod`, `tier in (a,b)`, `id in match_ids (3 ids)`).
    pub(crate) text: Box<str>,
}

/// One part of a compiled selector with where it was written: what explanations, diagnoses and the
/// analysis read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Part<'m> {
    /// The label key tested, or `None` for the node's id.
    pub(crate) key: Option<&'m str>,
    pub(crate) clause: &'m Clause,
    pub(crate) place: &'m Place,
    pub(crate) text: &'m str,
    /// Rank in the order written.
    pub(crate) position: u32,
}

impl CompiledCheck {
    /// Evaluation rank: lower runs first. Checks that fail on an absent key reject most nodes, and exact
    /// comparisons are cheapest; checks that pass on an absent key run last.
    fn rank(&self) -> u8 {
        match self {
            Check::In(CompiledValues::One(_)) => 0,
            Check::In(_) => 1,
            Check::Exists => 2,
            Check::Greater(_) | Check::Less(_) => 3,
            Check::NotIn(_) => 4,
            Check::Absent => 5,
        }
    }
}

/// The values of an `=`/`in`/`!=`/`notin` check (or the listed ids), stored by size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CompiledValues {
    One(Box<str>),
    /// At most [`SMALL_SET`] values, searched linearly.
    Small(Box<[Box<str>]>),
    /// More values (long `in` lists, `match_ids`), hashed.
    Large(HashSet<Box<str>>),
}

impl CompiledValues {
    /// Stores distinct values.
    fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> CompiledValues {
        let mut values: Vec<Box<str>> = values.into_iter().map(Box::from).collect();
        match values.len() {
            1 => CompiledValues::One(values.swap_remove(0)),
            n if n <= SMALL_SET => CompiledValues::Small(values.into_boxed_slice()),
            _ => CompiledValues::Large(values.into_iter().collect()),
        }
    }

    /// Every value, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + Clone {
        let (few, many) = match self {
            CompiledValues::One(one) => (std::slice::from_ref(one), None),
            CompiledValues::Small(values) => (&values[..], None),
            CompiledValues::Large(values) => (&[][..], Some(values)),
        };
        few.iter()
            .chain(many.into_iter().flatten())
            .map(|value| &**value)
    }

    /// How many values there are.
    pub(crate) fn len(&self) -> usize {
        match self {
            CompiledValues::One(_) => 1,
            CompiledValues::Small(values) => values.len(),
            CompiledValues::Large(values) => values.len(),
        }
    }
}

/// Hashes the values in sorted order, so that equal sets hash alike however they are stored.
impl Hash for CompiledValues {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut values: Vec<&str> = self.iter().collect();
        if let CompiledValues::Large(_) = self {
            values.sort_unstable();
        }
        values.hash(state);
    }
}

impl ValueSet for CompiledValues {
    #[inline(always)]
    fn contains(&self, value: &str) -> bool {
        match self {
            CompiledValues::One(one) => **one == *value,
            CompiledValues::Small(values) => values.iter().any(|v| **v == *value),
            CompiledValues::Large(values) => values.contains(value),
        }
    }
}

impl Matcher {
    /// Compiles validated parts; `Selector::compile` validates them first.
    pub(crate) fn new(
        match_labels: &BTreeMap<String, String>,
        expressions: &[Expression],
        match_ids: &[String],
        exclude_ids: &[String],
    ) -> Matcher {
        let labels = match_labels.iter().map(|(key, value)| {
            let text = RequirementText {
                key,
                operator: Operator::Equals,
                values: [value.as_str()],
            };
            let check = Check::In(CompiledValues::One(value.as_str().into()));
            (
                Subject::Label(key.as_str().into()),
                check,
                Place::MatchLabel(key.clone()),
                text.to_string(),
            )
        });
        let requirements = expressions.iter().enumerate().flat_map(|(index, expr)| {
            expr.requirements().map(move |req| {
                let check = req.check().map(|values| CompiledValues::new(values.iter()));
                (
                    Subject::Label(req.key().into()),
                    check,
                    Place::MatchExpression(index),
                    req.to_string(),
                )
            })
        });
        let id_clause = |ids: &[String], place: Place| {
            (!ids.is_empty()).then(|| {
                let ids: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
                let plural = if ids.len() == 1 { "" } else { "s" };
                let (check, text) = match place {
                    Place::ExcludeIds => (Check::NotIn as fn(_) -> _, "id not in exclude_ids"),
                    _ => (Check::In as fn(_) -> _, "id in match_ids"),
                };
                let text = format!("{text} ({} id{plural})", ids.len());
                (Subject::Id, check(CompiledValues::new(ids)), place, text)
            })
        };
        let ids = id_clause(match_ids, Place::MatchIds);
        let excluded = id_clause(exclude_ids, Place::ExcludeIds);
        let mut parts: Vec<(u32, Clause, Source)> = labels
            .chain(requirements)
            .chain(ids)
            .chain(excluded)
            .enumerate()
            .map(|(position, (subject, check, place, text))| {
                let source = Source {
                    place,
                    text: text.into(),
                };
                (position as u32, Clause { subject, check }, source)
            })
            .collect();
        parts.sort_by_key(|(_, clause, _)| match clause.subject {
            Subject::Id => 0,
            Subject::Label(_) => 1 + clause.check.rank(),
        });
        let mut written = vec![0; parts.len()];
        for (index, (position, _, _)) in parts.iter().enumerate() {
            written[*position as usize] = index as u32;
        }
        let (clauses, sources): (Vec<Clause>, Vec<Source>) = parts
            .into_iter()
            .map(|(_, clause, source)| (clause, source))
            .unzip();
        Matcher {
            clauses: clauses.into_boxed_slice(),
            sources: sources.into_boxed_slice(),
            written: written.into_boxed_slice(),
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
        self.clauses
            .iter()
            .all(|clause| clause.check.holds(clause.subject.value(id, labels)))
    }

    /// The clauses, in evaluation order.
    pub(crate) fn clauses(&self) -> &[Clause] {
        &self.clauses
    }

    /// Every part with where it was written, in the order written. Computed at compile time: no sort
    /// here.
    pub(crate) fn parts(&self) -> impl ExactSizeIterator<Item = Part<'_>> + '_ {
        self.written.iter().enumerate().map(|(position, &index)| {
            let (clause, source) = (&self.clauses[index as usize], &self.sources[index as usize]);
            Part {
                key: match &clause.subject {
                    Subject::Label(key) => Some(key),
                    Subject::Id => None,
                },
                clause,
                place: &source.place,
                text: &source.text,
                position: position as u32,
            }
        })
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

    /// The nodes of a block (all `Some` up to its length) that match, as a bit mask.
    fn block_matches<'a, L: Labels + ?Sized + 'a>(
        &self,
        block: &[Option<(&'a str, &'a L)>],
    ) -> u32 {
        let mut alive: u32 = (1 << block.len()) - 1;
        for clause in self.clauses.iter() {
            if alive == 0 {
                break;
            }
            // All lookups first, so that they run side by side; then all checks.
            let mut values: [Option<&'a str>; SCAN_BLOCK] = [None; SCAN_BLOCK];
            for (i, node) in block.iter().enumerate() {
                if alive & (1 << i) != 0
                    && let Some((id, labels)) = *node
                {
                    values[i] = clause.subject.value(id, labels);
                }
            }
            for (i, value) in values.iter().enumerate().take(block.len()) {
                if alive & (1 << i) != 0 && !clause.check.holds(*value) {
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
        self.clauses.is_empty()
    }
}
