//! [`ParseError`]: what went wrong in a selector string, where, and what was expected there.

use std::fmt;
use std::ops::Range;

use crate::validate::LabelError;

/// A selector string that could not be parsed or validated.
///
/// The error keeps the input, so it can say what it found and show where: [`span`](Self::span) is the
/// byte range of the offending token (empty at the end of input or where a missing value was expected),
/// [`found`](Self::found) its text, and [`expected`](Self::expected) what would have been accepted there.
/// `{}` prints one line; `{:#}` (or [`render`](Self::render)) prints the input with a caret under the span.
///
/// ```
/// let err = labelsel::Expression::parse("!gpu=a100").unwrap_err();
/// assert_eq!(err.span(), 4..5);
/// assert_eq!(err.found(), "=");
/// assert_eq!(err.to_string(), "expected `,` or end of input, found `=` at byte 4");
/// assert_eq!(
///     format!("{err:#}"),
///     "error: expected `,` or end of input, found `=`\n  |\n1 | !gpu=a100\n  |     ^"
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ParseError {
    input: Box<str>,
    span: Range<usize>,
    kind: ParseErrorKind,
}

/// What kind of problem a [`ParseError`] reports: match on it rather than on the message, which may
/// improve.
///
/// ```
/// use labelsel::{Expected, Expression, ParseErrorKind};
///
/// let err = Expression::parse("a in (x").unwrap_err();
/// assert_eq!(err.kind(), &ParseErrorKind::Unexpected(Expected::CommaOrClose));
/// let err = Expression::parse("a>b").unwrap_err();
/// assert_eq!(err.kind(), &ParseErrorKind::InvalidThreshold);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// A token the grammar does not allow here.
    Unexpected(Expected),
    /// A key that breaks the Kubernetes key rules.
    InvalidKey(LabelError),
    /// A value that breaks the Kubernetes value rules.
    InvalidValue(LabelError),
    /// The value of `>` or `<` is not a non-negative base-10 integer that fits in an `i64`.
    InvalidThreshold,
    /// The input is longer than the limit.
    InputTooLong {
        /// The most bytes allowed.
        limit: usize,
    },
    /// The input holds more requirements than the limit.
    TooManyRequirements {
        /// The most requirements allowed.
        limit: usize,
    },
    /// An `in`/`notin` list holds more values than the limit.
    TooManyValues {
        /// The most values allowed in one list.
        limit: usize,
    },
}

/// What the grammar would have accepted where it stopped ([`ParseErrorKind::Unexpected`]).
///
/// ```
/// use labelsel::{Expected, Expression, ParseErrorKind};
///
/// let err = Expression::parse("!").unwrap_err();
/// assert_eq!(err.kind(), &ParseErrorKind::Unexpected(Expected::Key));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// At the start of the input.
    FirstRequirement,
    /// After a requirement.
    CommaOrEnd,
    /// After a `,` between requirements.
    RequirementAfterComma,
    /// After `!`.
    Key,
    /// After a key that is followed by something.
    Operator,
    /// After `=`, `==`, `!=`, `>` or `<`.
    Value,
    /// After `in` or `notin`.
    OpenParen,
    /// After `(`.
    ListStart,
    /// After a `,` inside a value list.
    ListItem,
    /// After a value inside a value list.
    CommaOrClose,
}

impl Expected {
    /// What was expected, in words: the `expected ...` part of the message.
    ///
    /// ```
    /// assert_eq!(labelsel::Expected::CommaOrClose.describe(), "`,` or `)`");
    /// ```
    pub fn describe(self) -> &'static str {
        match self {
            Expected::FirstRequirement => "a key, `!` or end of input",
            Expected::CommaOrEnd => "`,` or end of input",
            Expected::RequirementAfterComma => "a key or `!` after `,`",
            Expected::Key => "a key",
            Expected::Operator => {
                "an operator (`=`, `==`, `!=`, `in`, `notin`, `>` or `<`), `,` or end of input"
            }
            Expected::Value => "a value, `,` or end of input",
            Expected::OpenParen => "`(`",
            Expected::ListStart => "a value, `,` or `)`",
            Expected::ListItem => "a value or `,`",
            Expected::CommaOrClose => "`,` or `)`",
        }
    }
}

/// Longest token text an error message quotes in full.
const QUOTE_LIMIT: usize = 48;

impl ParseError {
    pub(crate) fn new(input: &str, span: Range<usize>, kind: ParseErrorKind) -> ParseError {
        ParseError {
            input: input.into(),
            span,
            kind,
        }
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }

    /// The input that was parsed.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Byte range of the offending token in the input; empty at the end of input or where a missing
    /// value was expected.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The text of the offending token (empty at the end of input).
    pub fn found(&self) -> &str {
        self.input.get(self.span.clone()).unwrap_or("")
    }

    /// What would have been accepted at the span, in words.
    ///
    /// ```
    /// let err = labelsel::Expression::parse("zone IN (a)").unwrap_err();
    /// assert_eq!(
    ///     err.expected(),
    ///     "an operator (`=`, `==`, `!=`, `in`, `notin`, `>` or `<`), `,` or end of input"
    /// );
    /// ```
    pub fn expected(&self) -> String {
        match &self.kind {
            ParseErrorKind::Unexpected(expected) => expected.describe().to_string(),
            ParseErrorKind::InvalidKey(_) => "a valid label key".to_string(),
            ParseErrorKind::InvalidValue(_) => "a valid label value".to_string(),
            ParseErrorKind::InvalidThreshold => {
                "a non-negative base-10 integer (up to 63 digits) that fits in 64 bits".to_string()
            }
            ParseErrorKind::InputTooLong { limit } => format!("at most {limit} bytes"),
            ParseErrorKind::TooManyRequirements { limit } => {
                format!("at most {limit} requirements")
            }
            ParseErrorKind::TooManyValues { limit } => {
                format!("at most {limit} values in one list")
            }
        }
    }

    /// The rule a key or value breaks, when that is the problem.
    ///
    /// ```
    /// use labelsel::LabelRule;
    ///
    /// let err = labelsel::Expression::parse("a/b/c=x").unwrap_err();
    /// assert_eq!(err.label_error().unwrap().rule(), &LabelRule::KeyTooManySlashes);
    /// ```
    pub fn label_error(&self) -> Option<&LabelError> {
        match &self.kind {
            ParseErrorKind::InvalidKey(e) | ParseErrorKind::InvalidValue(e) => Some(e),
            _ => None,
        }
    }

    /// The byte offset the one-line `Display` names: where the offending character of an invalid key or
    /// value is (or where it grows too long), else the start of the span.
    ///
    /// ```
    /// let err = labelsel::Expression::parse("a/b/c=x").unwrap_err();
    /// assert_eq!((err.span(), err.position()), (0..5, 3));
    /// assert!(err.to_string().ends_with("at byte 3"));
    /// ```
    pub fn position(&self) -> usize {
        match &self.kind {
            ParseErrorKind::InvalidKey(e) | ParseErrorKind::InvalidValue(e) => self
                .input
                .floor_char_boundary((self.span.start + e.offset()).min(self.span.end)),
            _ => self.span.start,
        }
    }

    /// What went wrong, without the position: the first part of the one-line `Display`.
    ///
    /// ```
    /// let err = labelsel::Expression::parse("x in (a").unwrap_err();
    /// assert_eq!(err.message(), "expected `,` or `)`, found end of input");
    /// ```
    pub fn message(&self) -> String {
        let mut message = String::new();
        self.write_message(&mut message)
            .expect("writing to a String cannot fail");
        message
    }

    /// The input with a caret under the span, preceded by the message: what `{:#}` prints.
    ///
    /// ```
    /// let err = labelsel::Expression::parse("env in (prod,").unwrap_err();
    /// assert_eq!(
    ///     err.render(),
    ///     "error: expected a value or `,`, found end of input\n  |\n1 | env in (prod,\n  |              ^"
    /// );
    /// ```
    pub fn render(&self) -> String {
        let mut out = String::from("error: ");
        self.write_message(&mut out)
            .expect("writing to a String cannot fail");
        out.push('\n');
        crate::render::caret(&self.input, self.span.clone(), &mut out);
        out
    }

    fn write_message(&self, f: &mut impl fmt::Write) -> fmt::Result {
        let found = Quoted(self.found());
        match &self.kind {
            ParseErrorKind::Unexpected(expected) => {
                write!(f, "expected {}, found ", expected.describe())?;
                if self.span.is_empty() {
                    f.write_str("end of input")
                } else {
                    write!(f, "{found}")
                }
            }
            ParseErrorKind::InvalidKey(e) => write!(f, "invalid key {found}: {e}"),
            ParseErrorKind::InvalidValue(e) => write!(f, "invalid value {found}: {e}"),
            ParseErrorKind::InvalidThreshold => {
                f.write_str("expected a non-negative base-10 integer (up to 63 digits) that fits in 64 bits after `>` or `<`, found ")?;
                if self.span.is_empty() {
                    f.write_str("nothing")
                } else {
                    write!(f, "{found}")
                }
            }
            ParseErrorKind::InputTooLong { limit } => write!(
                f,
                "the selector is {} bytes long; at most {limit} are allowed",
                self.input.len()
            ),
            ParseErrorKind::TooManyRequirements { limit } => {
                write!(f, "too many requirements; at most {limit} are allowed")
            }
            ParseErrorKind::TooManyValues { limit } => write!(
                f,
                "too many values in one list; at most {limit} are allowed"
            ),
        }
    }
}

/// A token's text in backticks, escaped, and shortened when long.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        match text.char_indices().nth(QUOTE_LIMIT) {
            None => write!(f, "`{}`", text.escape_debug()),
            Some((cut, _)) => write!(
                f,
                "`{}…` ({} bytes)",
                text[..cut].escape_debug(),
                text.len()
            ),
        }
    }
}

/// `{}` writes one line: the message and the byte offset ([`ParseError::position`]). `{:#}` writes
/// [`ParseError::render`].
impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            return f.write_str(&self.render());
        }
        write!(f, "{} at byte {}", self.message(), self.position())
    }
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseError")
            .field("input", &self.input)
            .field("span", &self.span)
            .field("kind", &self.kind)
            .field("message", &self.to_string())
            .finish()
    }
}

/// The message already says what [`label_error`](ParseError::label_error) holds, so `source` is
/// `None`: an error chain prints each thing once.
impl std::error::Error for ParseError {}
