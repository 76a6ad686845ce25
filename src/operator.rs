//! What each operator asks of a label value: the one definition of the Kubernetes matching table,
//! shared by the interpreter ([`Expression::matches`](crate::Expression::matches)), the compiled
//! [`Matcher`](crate::Matcher), explanations and the analysis; and the one writer of a requirement's
//! canonical text.

use std::fmt;

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
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The values a [`Check`] compares a label value with.
pub(crate) trait ValueSet {
    /// Whether `value` is one of the values.
    fn contains(&self, value: &str) -> bool;
}

/// What a requirement asks of the value of its key, `None` standing for a node without the key.
///
/// Every operator maps to one of these (`=`, `==` and `in` to `In`; `!=` and `notin` to `NotIn`), so
/// this is the whole matching table, written once: `!=`, `notin` and `!key` hold when the key is absent;
/// `>` and `<` hold only for a value that is a base-10 `i64`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Check<S> {
    /// The key is present and its value is in the set (`=`, `==`, `in`).
    In(S),
    /// The key is absent, or its value is not in the set (`!=`, `notin`).
    NotIn(S),
    /// The key is present.
    Exists,
    /// The key is absent.
    Absent,
    /// The key is present with a base-10 integer value above the threshold.
    Greater(i64),
    /// The key is present with a base-10 integer value below the threshold.
    Less(i64),
}

impl<S: ValueSet> Check<S> {
    /// Whether the check holds for the key's value (`None`: the node lacks the key).
    #[inline(always)]
    pub(crate) fn holds(&self, value: Option<&str>) -> bool {
        match self {
            Check::In(set) => value.is_some_and(|v| set.contains(v)),
            Check::NotIn(set) => !value.is_some_and(|v| set.contains(v)),
            Check::Exists => value.is_some(),
            Check::Absent => value.is_none(),
            Check::Greater(threshold) => value
                .and_then(parse_integer)
                .is_some_and(|v| v > *threshold),
            Check::Less(threshold) => value
                .and_then(parse_integer)
                .is_some_and(|v| v < *threshold),
        }
    }

    /// Whether the check holds on a node that lacks the key (`!=`, `notin`, `!key`).
    pub(crate) fn matches_absent_key(&self) -> bool {
        self.holds(None)
    }
}

impl<S> Check<S> {
    /// The same check over other storage of its values.
    pub(crate) fn map<T>(self, f: impl FnOnce(S) -> T) -> Check<T> {
        match self {
            Check::In(set) => Check::In(f(set)),
            Check::NotIn(set) => Check::NotIn(f(set)),
            Check::Exists => Check::Exists,
            Check::Absent => Check::Absent,
            Check::Greater(threshold) => Check::Greater(threshold),
            Check::Less(threshold) => Check::Less(threshold),
        }
    }
}

/// Reads a label value as Go's `strconv.ParseInt(v, 10, 64)` does: an optional sign, then decimal
/// digits, within the range of an `i64`.
pub(crate) fn parse_integer(value: &str) -> Option<i64> {
    value.parse().ok()
}

/// A requirement's canonical text: `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key>n`, `key<n`,
/// `key in (a,b)` or `key notin (a,b)`, with the values in the order given.
///
/// This is the one place requirement text is written: [`Requirement`](crate::Requirement)'s `Display`,
/// the compiled matcher's explanations, the normal form and the Kubernetes conversion all use it.
pub(crate) struct RequirementText<'a, V> {
    pub(crate) key: &'a str,
    pub(crate) operator: Operator,
    pub(crate) values: V,
}

/// [`RequirementText`] as a `String`.
pub(crate) fn requirement_text<'a>(
    key: &'a str,
    operator: Operator,
    values: impl IntoIterator<Item = &'a str> + Clone,
) -> String {
    RequirementText {
        key,
        operator,
        values,
    }
    .to_string()
}

impl<'a, V> fmt::Display for RequirementText<'a, V>
where
    V: IntoIterator<Item = &'a str> + Clone,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (infix, close) = match self.operator {
            Operator::Exists => return f.write_str(self.key),
            Operator::DoesNotExist => {
                f.write_str("!")?;
                return f.write_str(self.key);
            }
            Operator::In => (" in (", true),
            Operator::NotIn => (" notin (", true),
            Operator::Equals => ("=", false),
            Operator::DoubleEquals => ("==", false),
            Operator::NotEquals => ("!=", false),
            Operator::GreaterThan => (">", false),
            Operator::LessThan => ("<", false),
        };
        f.write_str(self.key)?;
        f.write_str(infix)?;
        let mut values = self.values.clone().into_iter();
        if let Some(first) = values.next() {
            f.write_str(first)?;
        }
        for value in values {
            f.write_str(",")?;
            f.write_str(value)?;
        }
        if close { f.write_str(")") } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl ValueSet for &[&str] {
        fn contains(&self, value: &str) -> bool {
            <[&str]>::contains(self, &value)
        }
    }

    /// One row of the matching table: the check, the key's value, whether the check holds.
    type Row<'a> = (Check<&'a [&'a str]>, Option<&'a str>, bool);

    /// The Kubernetes table, row by row.
    #[test]
    fn the_matching_table() {
        let set: &[&str] = &["a", "b"];
        let rows: [Row<'_>; 18] = [
            (Check::In(set), Some("a"), true),
            (Check::In(set), Some("c"), false),
            (Check::In(set), None, false),
            (Check::NotIn(set), Some("a"), false),
            (Check::NotIn(set), Some("c"), true),
            (Check::NotIn(set), None, true),
            (Check::Exists, Some(""), true),
            (Check::Exists, None, false),
            (Check::Absent, Some(""), false),
            (Check::Absent, None, true),
            (Check::Greater(8), Some("9"), true),
            (Check::Greater(8), Some("8"), false),
            (Check::Greater(8), Some("+9"), true),
            (Check::Greater(8), Some("9.0"), false),
            (Check::Greater(8), None, false),
            (Check::Less(8), Some("-9223372036854775808"), true),
            (Check::Less(8), Some("-9223372036854775809"), false),
            (Check::Less(8), None, false),
        ];
        for (check, value, holds) in rows {
            assert_eq!(check.holds(value), holds, "{check:?} on {value:?}");
        }
    }

    #[test]
    fn the_absent_key_column_follows_the_table() {
        let set: &[&str] = &["a"];
        let absent: Vec<bool> = [
            Check::In(set),
            Check::NotIn(set),
            Check::Exists,
            Check::Absent,
            Check::Greater(0),
            Check::Less(0),
        ]
        .iter()
        .map(Check::matches_absent_key)
        .collect();
        assert_eq!(absent, [false, true, false, true, false, false]);
    }

    #[test]
    fn integers_read_as_go_reads_them() {
        assert_eq!(parse_integer("007"), Some(7));
        assert_eq!(parse_integer("+7"), Some(7));
        assert_eq!(parse_integer("-0"), Some(0));
        assert_eq!(parse_integer("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_integer("9223372036854775808"), None);
        for not_an_integer in ["", "+", "-", "1e3", "0x10", " 1", "1_000", "++1"] {
            assert_eq!(parse_integer(not_an_integer), None, "{not_an_integer:?}");
        }
    }

    #[test]
    fn requirement_text_for_every_operator() {
        let text = |operator, values: &[&str]| {
            RequirementText {
                key: "k",
                operator,
                values: values.iter().copied(),
            }
            .to_string()
        };
        assert_eq!(text(Operator::Exists, &[]), "k");
        assert_eq!(text(Operator::DoesNotExist, &[]), "!k");
        assert_eq!(text(Operator::Equals, &["v"]), "k=v");
        assert_eq!(text(Operator::DoubleEquals, &["v"]), "k==v");
        assert_eq!(text(Operator::NotEquals, &[""]), "k!=");
        assert_eq!(text(Operator::GreaterThan, &["8"]), "k>8");
        assert_eq!(text(Operator::LessThan, &["8"]), "k<8");
        assert_eq!(text(Operator::In, &["a", "b"]), "k in (a,b)");
        assert_eq!(text(Operator::NotIn, &[""]), "k notin ()");
    }
}
