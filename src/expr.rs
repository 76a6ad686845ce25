//! The parsed selector: [`Expression`], its [`Requirement`]s and their [`Operator`]s, canonical printing
//! and matching.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::error::ParseError;
use crate::labels::Labels;
use crate::parse::{self, Limits};

/// A parsed and validated selector string: requirements that must all hold (AND).
///
/// Requirements are kept in the Kubernetes order: stably sorted by key, each with its values sorted and
/// deduplicated. `Display` prints the canonical Kubernetes text (`String()` of `labels.Parse`), which
/// parses back to an equal expression.
///
/// An expression is stored compactly: one copy of the input text, and requirements that point into it:
/// held inline when there is one, else in one array, plus one array of values when some `in`/`notin`
/// list holds more than four values.
///
/// ```
/// use std::collections::HashMap;
/// use labelsel::Expression;
///
/// let expr = Expression::parse("tier in (premium, standard), !debug, env != dev")?;
/// assert_eq!(expr.to_string(), "!debug,env!=dev,tier in (premium,standard)");
///
/// let node = HashMap::from([("tier", "premium"), ("zone", "a")]);
/// assert!(expr.matches(&node)); // `env != dev` holds when `env` is absent
/// # Ok::<(), labelsel::ParseError>(())
/// ```
#[derive(Clone, Default)]
pub struct Expression {
    /// The input text; every span points into it.
    pub(crate) text: Box<str>,
    /// Requirements, stably sorted by key.
    pub(crate) slots: Slots,
    /// Values of the `in`/`notin` requirements that hold more than four, each run sorted and deduplicated.
    pub(crate) values: Vec<Span>,
}

/// A byte range of [`Expression::text`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    pub(crate) const EMPTY: Span = Span { start: 0, end: 0 };

    pub(crate) fn new(start: usize, end: usize) -> Span {
        // The parser refuses inputs longer than `u32::MAX` bytes before it makes any span.
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub(crate) fn of(self, text: &str) -> &str {
        &text[self.start as usize..self.end as usize]
    }
}

/// The requirements of an [`Expression`]; a single one is held inline, so that a one-requirement
/// expression costs a single allocation (its text).
#[derive(Clone, Debug, Default)]
pub(crate) enum Slots {
    #[default]
    Empty,
    One(Slot),
    Many(Vec<Slot>),
}

impl Slots {
    pub(crate) fn as_slice(&self) -> &[Slot] {
        match self {
            Slots::Empty => &[],
            Slots::One(slot) => std::slice::from_ref(slot),
            Slots::Many(slots) => slots,
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [Slot] {
        match self {
            Slots::Empty => &mut [],
            Slots::One(slot) => std::slice::from_mut(slot),
            Slots::Many(slots) => slots,
        }
    }

    /// Appends a requirement; on the second one, makes room for `capacity()` requirements at once.
    pub(crate) fn push(&mut self, slot: Slot, capacity: impl FnOnce() -> usize) {
        match self {
            Slots::Many(slots) => slots.push(slot),
            Slots::Empty => *self = Slots::One(slot),
            Slots::One(first) => {
                let mut slots = Vec::with_capacity(capacity().max(2));
                slots.push(*first);
                slots.push(slot);
                *self = Slots::Many(slots);
            }
        }
    }
}

/// One requirement as stored in an [`Expression`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    pub(crate) key: Span,
    pub(crate) operator: Operator,
    pub(crate) values: SlotValues,
}

/// How many values of an `in`/`notin` list are held in the requirement itself, so that typical
/// selectors need no separate array of values.
pub(crate) const INLINE_VALUES: usize = 4;

/// The values of a stored requirement; which variant is used follows from the operator.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SlotValues {
    /// `key`, `!key`.
    None,
    /// `=`, `==`, `!=` (one value), and `in`/`notin` with up to [`INLINE_VALUES`] values, sorted.
    Inline {
        spans: [Span; INLINE_VALUES],
        len: u8,
    },
    /// `in`/`notin` with more values, sorted: `Expression::values[start..end]`.
    Many { start: u32, end: u32 },
    /// `>`/`<`: the threshold as written and as a number.
    Integer { text: Span, value: i64 },
}

impl SlotValues {
    pub(crate) fn single(span: Span) -> SlotValues {
        let mut spans = [Span::EMPTY; INLINE_VALUES];
        spans[0] = span;
        SlotValues::Inline { spans, len: 1 }
    }
}

/// How a requirement tests the value of its key.
///
/// `Display` prints the operator's Kubernetes name (`selection.Operator`): `in`, `notin`, `=`, `==`,
/// `!=`, `exists`, `!`, `gt`, `lt`.
///
/// ```
/// use labelsel::{Expression, Operator};
///
/// let expr = Expression::parse("cpu>8")?;
/// let req = expr.requirements().next().unwrap();
/// assert_eq!(req.operator(), Operator::GreaterThan);
/// assert_eq!(req.operator().to_string(), "gt");
/// # Ok::<(), labelsel::ParseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// `key in (a,b)`: the key is present and its value is one of the values.
    In,
    /// `key notin (a,b)`: the key is absent, or its value is none of the values.
    NotIn,
    /// `key=a`: the key is present with that value.
    Equals,
    /// `key==a`: the same as `=`, kept apart so that the canonical text prints it as written.
    DoubleEquals,
    /// `key!=a`: the key is absent, or its value differs.
    NotEquals,
    /// `key`: the key is present, with any value.
    Exists,
    /// `!key`: the key is absent.
    DoesNotExist,
    /// `key>5`: the value is a base-10 integer greater than the threshold.
    GreaterThan,
    /// `key<5`: the value is a base-10 integer less than the threshold.
    LessThan,
}

impl Operator {
    /// The operator's Kubernetes name, as printed by `Display`.
    ///
    /// ```
    /// assert_eq!(labelsel::Operator::NotIn.name(), "notin");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
            Operator::GreaterThan => "gt",
            Operator::LessThan => "lt",
        }
    }

    /// Whether the operator holds for a node that lacks the key (`!=`, `notin`, `!key`).
    ///
    /// ```
    /// use labelsel::Operator;
    /// assert!(Operator::NotEquals.matches_absent_key());
    /// assert!(!Operator::GreaterThan.matches_absent_key());
    /// ```
    pub fn matches_absent_key(self) -> bool {
        matches!(
            self,
            Operator::NotIn | Operator::NotEquals | Operator::DoesNotExist
        )
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Expression {
    /// Parses and validates a selector string with the default [`Limits`].
    ///
    /// The empty string (or one of only whitespace) is the empty expression, which matches every node.
    ///
    /// ```
    /// use labelsel::Expression;
    ///
    /// let expr = Expression::parse("gpu, gpu-count > 3")?;
    /// assert_eq!(expr.len(), 2);
    ///
    /// let err = Expression::parse("tier in (a").unwrap_err();
    /// assert_eq!(err.span(), 10..10);
    /// assert_eq!(err.expected(), "`,` or `)`");
    /// # Ok::<(), labelsel::ParseError>(())
    /// ```
    pub fn parse(input: &str) -> Result<Expression, ParseError> {
        parse::parse(input, &Limits::default())
    }

    /// Parses and validates a selector string with the given limits.
    ///
    /// ```
    /// use labelsel::{Expression, Limits};
    ///
    /// let limits = Limits::default().max_requirements(2);
    /// assert!(Expression::parse_with_limits("a,b", &limits).is_ok());
    /// assert!(Expression::parse_with_limits("a,b,c", &limits).is_err());
    /// ```
    pub fn parse_with_limits(input: &str, limits: &Limits) -> Result<Expression, ParseError> {
        parse::parse(input, limits)
    }

    /// The number of requirements.
    pub fn len(&self) -> usize {
        self.slots.as_slice().len()
    }

    /// Whether there are no requirements, so that the expression matches every node.
    ///
    /// ```
    /// assert!(labelsel::Expression::parse(" ")?.is_empty());
    /// # Ok::<(), labelsel::ParseError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.slots.as_slice().is_empty()
    }

    /// The requirements, in canonical order (stably sorted by key).
    ///
    /// ```
    /// let expr = labelsel::Expression::parse("zone=a,app")?;
    /// let keys: Vec<&str> = expr.requirements().map(|r| r.key()).collect();
    /// assert_eq!(keys, ["app", "zone"]);
    /// # Ok::<(), labelsel::ParseError>(())
    /// ```
    pub fn requirements(&self) -> impl ExactSizeIterator<Item = Requirement<'_>> + '_ {
        self.slots
            .as_slice()
            .iter()
            .map(move |slot| Requirement { expr: self, slot })
    }

    /// Whether every requirement holds for the labels.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    ///
    /// let expr = labelsel::Expression::parse("cpu>8,!debug")?;
    /// let node = BTreeMap::from([("cpu".to_string(), "16".to_string())]);
    /// assert!(expr.matches(&node));
    /// # Ok::<(), labelsel::ParseError>(())
    /// ```
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        self.requirements().all(|req| req.matches(labels))
    }
}

impl FromStr for Expression {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Expression, ParseError> {
        Expression::parse(s)
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, req) in self.requirements().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            fmt::Display::fmt(&req, f)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression")
            .field(&self.to_string())
            .finish()
    }
}

/// Two expressions are equal when they hold the same requirements in the same order, however they were
/// written.
impl PartialEq for Expression {
    fn eq(&self, other: &Expression) -> bool {
        self.len() == other.len() && self.requirements().eq(other.requirements())
    }
}

impl Eq for Expression {}

impl Hash for Expression {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for req in self.requirements() {
            req.hash(state);
        }
    }
}

/// One requirement of an [`Expression`]: a key, an operator and its values.
///
/// ```
/// use labelsel::{Expression, Operator};
///
/// let expr = Expression::parse("zone notin (b, a, b)")?;
/// let req = expr.requirements().next().unwrap();
/// assert_eq!(req.key(), "zone");
/// assert_eq!(req.operator(), Operator::NotIn);
/// assert_eq!(req.values().collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(req.to_string(), "zone notin (a,b)");
/// # Ok::<(), labelsel::ParseError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Requirement<'a> {
    expr: &'a Expression,
    slot: &'a Slot,
}

impl<'a> Requirement<'a> {
    /// The label key the requirement tests.
    pub fn key(&self) -> &'a str {
        self.slot.key.of(&self.expr.text)
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.slot.operator
    }

    /// The values, sorted byte-wise and deduplicated: one for `=`, `==`, `!=`, `>` and `<`, one or more for
    /// `in` and `notin` (`x in ()` has the single value `""`), none for `key` and `!key`.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &'a str> + DoubleEndedIterator + 'a {
        let text: &'a str = &self.expr.text;
        self.spans().iter().map(move |span| span.of(text))
    }

    fn spans(&self) -> &'a [Span] {
        let slot: &'a Slot = self.slot;
        match &slot.values {
            SlotValues::None => &[],
            SlotValues::Inline { spans, len } => &spans[..usize::from(*len)],
            SlotValues::Integer { text, .. } => std::slice::from_ref(text),
            SlotValues::Many { start, end } => &self.expr.values[*start as usize..*end as usize],
        }
    }

    /// The threshold of a `>` or `<` requirement.
    ///
    /// ```
    /// let expr = labelsel::Expression::parse("cpu<016")?;
    /// assert_eq!(expr.requirements().next().unwrap().threshold(), Some(16));
    /// # Ok::<(), labelsel::ParseError>(())
    /// ```
    pub fn threshold(&self) -> Option<i64> {
        match self.slot.values {
            SlotValues::Integer { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Whether `value` is one of the requirement's values.
    pub fn contains(&self, value: &str) -> bool {
        let text: &str = &self.expr.text;
        let spans = self.spans();
        if let SlotValues::Many { .. } = self.slot.values {
            spans
                .binary_search_by(|span| span.of(text).cmp(value))
                .is_ok()
        } else {
            spans.iter().any(|span| span.of(text) == value)
        }
    }

    /// Whether the requirement holds for the labels, following the Kubernetes table: `!=`, `notin` and
    /// `!key` hold when the key is absent; `>` and `<` never hold for a value that is not a base-10 `i64`.
    ///
    /// ```
    /// use std::collections::HashMap;
    ///
    /// let expr = labelsel::Expression::parse("env!=prod")?;
    /// let req = expr.requirements().next().unwrap();
    /// assert!(req.matches(&HashMap::<String, String>::new()));
    /// # Ok::<(), labelsel::ParseError>(())
    /// ```
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        let value = labels.get(self.key());
        match self.slot.operator {
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::In | Operator::Equals | Operator::DoubleEquals => {
                value.is_some_and(|v| self.contains(v))
            }
            Operator::NotIn | Operator::NotEquals => !value.is_some_and(|v| self.contains(v)),
            Operator::GreaterThan => compare(value, self.threshold(), |v, t| v > t),
            Operator::LessThan => compare(value, self.threshold(), |v, t| v < t),
        }
    }
}

fn compare(value: Option<&str>, threshold: Option<i64>, holds: fn(i64, i64) -> bool) -> bool {
    match (value.and_then(parse_integer), threshold) {
        (Some(value), Some(threshold)) => holds(value, threshold),
        _ => false,
    }
}

/// Reads a label value as Go's `strconv.ParseInt(v, 10, 64)` does: an optional sign, then decimal digits.
pub(crate) fn parse_integer(value: &str) -> Option<i64> {
    value.parse().ok()
}

impl fmt::Display for Requirement<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.key();
        let (infix, list) = match self.slot.operator {
            Operator::Exists => return f.write_str(key),
            Operator::DoesNotExist => return write!(f, "!{key}"),
            Operator::In => (" in (", true),
            Operator::NotIn => (" notin (", true),
            Operator::Equals => ("=", false),
            Operator::DoubleEquals => ("==", false),
            Operator::NotEquals => ("!=", false),
            Operator::GreaterThan => (">", false),
            Operator::LessThan => ("<", false),
        };
        f.write_str(key)?;
        f.write_str(infix)?;
        for (i, value) in self.values().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(value)?;
        }
        if list { f.write_str(")") } else { Ok(()) }
    }
}

impl fmt::Debug for Requirement<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Requirement")
            .field("key", &self.key())
            .field("operator", &self.operator())
            .field("values", &self.values().collect::<Vec<_>>())
            .finish()
    }
}

/// Requirements are equal when key, operator and values are equal. The threshold of `>`/`<` is compared
/// as written, so `x>1` and `x>01` differ, as their canonical texts do.
impl PartialEq for Requirement<'_> {
    fn eq(&self, other: &Requirement<'_>) -> bool {
        self.key() == other.key()
            && self.operator() == other.operator()
            && self.values().eq(other.values())
    }
}

impl Eq for Requirement<'_> {}

impl Hash for Requirement<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
        self.operator().hash(state);
        for value in self.values() {
            value.hash(state);
        }
    }
}
