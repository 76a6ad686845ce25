//! The parsed selector: how an [`Expression`] stores its [`Requirement`]s, prints its canonical text
//! and matches labels. Parsing lives in `parse`, which builds this storage.

use std::fmt;
use std::hash::{Hash, Hasher};

use crate::labels::Labels;
use crate::operator::{Check, Operator, RequirementText, ValueSet};

/// A parsed and validated selector string: requirements that must all hold (AND).
///
/// Requirements are kept in the Kubernetes order: sorted by key exactly as Go's `sort.Sort` leaves them
/// (stable up to 12 requirements; from 13 on, requirements that share a key come out in the order Go's
/// pattern-defeating quicksort leaves them), each with its values sorted and deduplicated. `Display`
/// prints the canonical Kubernetes text (`String()` of `labels.Parse`), which parses back to an equal
/// expression.
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
    /// Requirements, in the Kubernetes order.
    pub(crate) slots: Slots,
    /// Values of the `in`/`notin` lists that hold more than [`INLINE_VALUES`], each run sorted and
    /// deduplicated.
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
    pub(crate) form: Form,
}

/// A stored requirement's operator with exactly the values that operator takes, so that a `>` always
/// has its threshold and a `=` its one value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Form {
    /// `key`.
    Exists,
    /// `!key`.
    DoesNotExist,
    /// `key=v`.
    Equals(Span),
    /// `key==v`.
    DoubleEquals(Span),
    /// `key!=v`.
    NotEquals(Span),
    /// `key in (..)`.
    In(List),
    /// `key notin (..)`.
    NotIn(List),
    /// `key>n`.
    GreaterThan(Threshold),
    /// `key<n`.
    LessThan(Threshold),
}

/// How many values of an `in`/`notin` list are held in the requirement itself, so that typical
/// selectors need no separate array of values.
pub(crate) const INLINE_VALUES: usize = 4;

/// The values of an `in`/`notin` requirement: one or more, sorted and deduplicated.
#[derive(Clone, Copy, Debug)]
pub(crate) enum List {
    /// Up to [`INLINE_VALUES`] values.
    Inline {
        spans: [Span; INLINE_VALUES],
        len: u8,
    },
    /// More values: `Expression::values[start..end]`.
    Spilled { start: u32, end: u32 },
}

/// The threshold of `>`/`<`: as written (for the canonical text) and as a number.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Threshold {
    pub(crate) text: Span,
    pub(crate) value: i64,
}

impl Expression {
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

    /// The requirements, in canonical order (sorted by key).
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

/// The values of one requirement, as a [`Check`] reads them: spans of the expression's text, sorted.
#[derive(Clone, Copy)]
pub(crate) struct Values<'a> {
    text: &'a str,
    spans: &'a [Span],
}

impl<'a> Values<'a> {
    pub(crate) fn iter(
        self,
    ) -> impl ExactSizeIterator<Item = &'a str> + DoubleEndedIterator + Clone {
        self.spans.iter().map(move |span| span.of(self.text))
    }
}

impl ValueSet for Values<'_> {
    fn contains(&self, value: &str) -> bool {
        if self.spans.len() <= INLINE_VALUES {
            self.spans.iter().any(|span| span.of(self.text) == value)
        } else {
            self.spans
                .binary_search_by(|span| span.of(self.text).cmp(value))
                .is_ok()
        }
    }
}

impl<'a> Requirement<'a> {
    /// The label key the requirement tests.
    pub fn key(&self) -> &'a str {
        self.slot.key.of(&self.expr.text)
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        match self.slot.form {
            Form::Exists => Operator::Exists,
            Form::DoesNotExist => Operator::DoesNotExist,
            Form::Equals(_) => Operator::Equals,
            Form::DoubleEquals(_) => Operator::DoubleEquals,
            Form::NotEquals(_) => Operator::NotEquals,
            Form::In(_) => Operator::In,
            Form::NotIn(_) => Operator::NotIn,
            Form::GreaterThan(_) => Operator::GreaterThan,
            Form::LessThan(_) => Operator::LessThan,
        }
    }

    /// The values, sorted byte-wise and deduplicated: one for `=`, `==`, `!=`, `>` and `<` (the
    /// threshold as written), one or more for `in` and `notin` (`x in ()` has the single value `""`), none
    /// for `key` and `!key`.
    pub fn values(
        &self,
    ) -> impl ExactSizeIterator<Item = &'a str> + DoubleEndedIterator + Clone + use<'a> {
        self.stored_values().iter()
    }

    fn stored_values(&self) -> Values<'a> {
        let slot: &'a Slot = self.slot;
        let spans: &'a [Span] = match &slot.form {
            Form::Exists | Form::DoesNotExist => &[],
            Form::Equals(span) | Form::DoubleEquals(span) | Form::NotEquals(span) => {
                std::slice::from_ref(span)
            }
            Form::In(list) | Form::NotIn(list) => match list {
                List::Inline { spans, len } => &spans[..usize::from(*len)],
                List::Spilled { start, end } => &self.expr.values[*start as usize..*end as usize],
            },
            Form::GreaterThan(threshold) | Form::LessThan(threshold) => {
                std::slice::from_ref(&threshold.text)
            }
        };
        Values {
            text: &self.expr.text,
            spans,
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
        match self.slot.form {
            Form::GreaterThan(threshold) | Form::LessThan(threshold) => Some(threshold.value),
            _ => None,
        }
    }

    /// Whether `value` is one of the requirement's values.
    ///
    /// ```
    /// let expr = labelsel::Expression::parse("zone in (a, b)")?;
    /// let req = expr.requirements().next().unwrap();
    /// assert!(req.contains("b") && !req.contains("c"));
    /// # Ok::<(), labelsel::ParseError>(())
    /// ```
    pub fn contains(&self, value: &str) -> bool {
        self.stored_values().contains(value)
    }

    /// What the requirement asks of its key's value: the operator mapped onto the matching table.
    pub(crate) fn check(&self) -> Check<Values<'a>> {
        let values = self.stored_values();
        match self.slot.form {
            Form::Equals(_) | Form::DoubleEquals(_) | Form::In(_) => Check::In(values),
            Form::NotEquals(_) | Form::NotIn(_) => Check::NotIn(values),
            Form::Exists => Check::Exists,
            Form::DoesNotExist => Check::Absent,
            Form::GreaterThan(threshold) => Check::Greater(threshold.value),
            Form::LessThan(threshold) => Check::Less(threshold.value),
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
        self.check().holds(labels.get(self.key()))
    }
}

impl fmt::Display for Requirement<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        RequirementText {
            key: self.key(),
            operator: self.operator(),
            values: self.values(),
        }
        .fmt(f)
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
