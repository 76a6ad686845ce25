//! [`ParseError`]: what went wrong in a selector string, where, and what was expected there.

use std::fmt;
use std::ops::Range;

use crate::render::{KEEP_AFTER, KEEP_BEFORE, Position};
use crate::validate::LabelError;

/// A selector string that could not be parsed or validated.
///
/// The error keeps the input (or, for a huge one, a window of it), so it can say what it found and show
/// where: [`span`](Self::span) is the
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
///
/// # What an error keeps
///
/// An error keeps a copy of its input when the input is at most 64 KiB long (the default length
/// limit) and not over the parse's length limit; then [`input`](Self::input) is the whole input and
/// every method answers exactly. Otherwise, and always for [`ParseErrorKind::InputTooLong`], it keeps
/// only a window of about 1.5 KiB around the start of the span, on character boundaries, with the
/// input's length and the span's line and column, so that an error about a 128 MiB input costs about
/// as much memory as one about a short input. Then [`input`](Self::input) is that window, starting at
/// byte [`input_offset`](Self::input_offset) of the input; [`span`](Self::span),
/// [`position`](Self::position) and the messages still count bytes in the whole input, `{:#}` shows
/// the same window of the line, and [`found`](Self::found) is the offending text up to the window's
/// end (at least 1 KiB of it).
///
/// ```
/// use labelsel::{Expression, ParseErrorKind};
///
/// let input = "a".repeat(1 << 20);
/// let err = Expression::parse(&input).unwrap_err();
/// assert!(matches!(err.kind(), ParseErrorKind::InputTooLong { .. }));
/// assert_eq!(err.span(), 65536..1 << 20);
/// assert_eq!(err.input_len(), 1 << 20);
/// assert!(err.input().len() < 2048);
/// assert_eq!(&input[err.input_offset()..][..err.input().len()], err.input());
/// assert!(err.found().len() < 2048);
/// assert!(err.to_string().starts_with("the selector is 1048576 bytes long"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What the error keeps of its input, boxed so that a `Result` carrying the error stays small.
    kept: Box<Kept>,
    span: Range<usize>,
    kind: ParseErrorKind,
}

/// The part of a [`ParseError`]'s input it keeps, and what it worked out on the whole input.
#[derive(Clone, PartialEq, Eq)]
struct Kept {
    /// The whole input, or the window of it around the span's start.
    text: Box<str>,
    /// Where `text` starts in the input.
    offset: usize,
    /// The input's length in bytes.
    input_len: usize,
    /// [`ParseError::position`], worked out on the whole input.
    position: usize,
    /// The span's line and columns, for [`ParseError::render`].
    place: Position,
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
    /// The selector's `match_labels` and expressions hold more bytes in all than the limit; the span
    /// starts at the byte of this part that crosses it.
    SelectorTooLong {
        /// The most bytes allowed in the whole selector.
        limit: usize,
    },
    /// The selector holds more requirements in all than the limit.
    TooManySelectorRequirements {
        /// The most requirements allowed in the whole selector.
        limit: usize,
    },
    /// `match_ids` (or `exclude_ids`) lists more ids than the limit; the input is the first id past
    /// it.
    TooManyIds {
        /// The most ids allowed.
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
/// Most characters of the kept input that `Debug` shows.
const DEBUG_LIMIT: usize = 120;
/// Longest input an error keeps whole (the default length limit); beyond it, a window.
const KEEP_WHOLE: usize = 64 * 1024;

impl ParseError {
    pub(crate) fn new(input: &str, span: Range<usize>, kind: ParseErrorKind) -> ParseError {
        let start = input.floor_char_boundary(span.start);
        let position = match &kind {
            ParseErrorKind::InvalidKey(e) | ParseErrorKind::InvalidValue(e) => {
                input.floor_char_boundary((span.start + e.offset()).min(span.end))
            }
            _ => span.start,
        };
        let keep_all =
            input.len() <= KEEP_WHOLE && !matches!(kind, ParseErrorKind::InputTooLong { .. });
        let (from, to) = if keep_all {
            (0, input.len())
        } else {
            let from = input.floor_char_boundary(start.saturating_sub(KEEP_BEFORE));
            let to = input.ceil_char_boundary(start.saturating_add(KEEP_AFTER));
            (from, to)
        };
        ParseError {
            kept: Box::new(Kept {
                text: input[from..to].into(),
                offset: from,
                input_len: input.len(),
                position,
                place: crate::render::locate(input, start),
            }),
            span,
            kind,
        }
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }

    /// The input that was parsed, when the error keeps all of it; otherwise the window of it the
    /// error keeps, which starts at byte [`input_offset`](Self::input_offset) (see
    /// [what an error keeps](Self#what-an-error-keeps)).
    ///
    /// ```
    /// let err = labelsel::Expression::parse("a in (x").unwrap_err();
    /// assert_eq!(err.input(), "a in (x");
    /// assert_eq!((err.input_offset(), err.input_len()), (0, 7));
    /// ```
    pub fn input(&self) -> &str {
        &self.kept.text
    }

    /// Where [`input`](Self::input) starts in the input that was parsed: 0 when the error keeps the
    /// whole input.
    ///
    /// ```
    /// let input = format!("{}x", " ".repeat(100_000));
    /// let err = labelsel::Expression::parse(&input).unwrap_err();
    /// assert_eq!(err.span(), 65536..100_001);
    /// assert!(err.input_offset() > 0);
    /// assert_eq!(err.input(), &input[err.input_offset()..][..err.input().len()]);
    /// ```
    pub fn input_offset(&self) -> usize {
        self.kept.offset
    }

    /// The length in bytes of the input that was parsed, whether or not the error keeps all of it.
    ///
    /// ```
    /// let err = labelsel::Expression::parse("a in (x").unwrap_err();
    /// assert_eq!(err.input_len(), 7);
    /// ```
    pub fn input_len(&self) -> usize {
        self.kept.input_len
    }

    /// Byte range of the offending token in the input; empty at the end of input or where a missing
    /// value was expected.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The text of the offending token (empty at the end of input). When the error keeps only a window
    /// of its input ([what an error keeps](Self#what-an-error-keeps)), a token that runs past the
    /// window's end is cut there: at least its first 1 KiB is kept, and [`span`](Self::span) gives its
    /// full length.
    pub fn found(&self) -> &str {
        let start = self.span.start.saturating_sub(self.kept.offset);
        let end = self
            .span
            .end
            .saturating_sub(self.kept.offset)
            .min(self.kept.text.len());
        self.kept.text.get(start..end.max(start)).unwrap_or("")
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
            ParseErrorKind::SelectorTooLong { limit } => {
                format!("at most {limit} bytes in the whole selector")
            }
            ParseErrorKind::TooManySelectorRequirements { limit } => {
                format!("at most {limit} requirements in the whole selector")
            }
            ParseErrorKind::TooManyIds { limit } => format!("at most {limit} ids"),
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
        self.kept.position
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
        let start = self.span.start.saturating_sub(self.kept.offset);
        let end = self.span.end.saturating_sub(self.kept.offset);
        crate::render::caret(&self.kept.text, start..end, self.kept.place, &mut out);
        out
    }

    fn write_message(&self, f: &mut impl fmt::Write) -> fmt::Result {
        let found = Quoted(self.found(), self.span.len());
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
                self.kept.input_len
            ),
            ParseErrorKind::TooManyRequirements { limit } => {
                write!(f, "too many requirements; at most {limit} are allowed")
            }
            ParseErrorKind::TooManyValues { limit } => write!(
                f,
                "too many values in one list; at most {limit} are allowed"
            ),
            ParseErrorKind::SelectorTooLong { limit } => write!(
                f,
                "the selector's labels and expressions hold more than {limit} bytes in all"
            ),
            ParseErrorKind::TooManySelectorRequirements { limit } => write!(
                f,
                "too many requirements in the selector; at most {limit} in all are allowed"
            ),
            ParseErrorKind::TooManyIds { limit } => {
                write!(f, "too many ids; at most {limit} are allowed")
            }
        }
    }
}

/// A token's text in backticks, escaped, and shortened when long: the text kept, and the token's full
/// length in bytes (more than the text's when the text was cut).
struct Quoted<'a>(&'a str, usize);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Quoted(text, len) = *self;
        match text.char_indices().nth(QUOTE_LIMIT) {
            None if text.len() >= len => write!(f, "`{}`", text.escape_debug()),
            None => write!(f, "`{}…` ({len} bytes)", text.escape_debug()),
            Some((cut, _)) => write!(
                f,
                "`{}…` ({} bytes)",
                text[..cut].escape_debug(),
                len.max(text.len())
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

/// The kept input for `Debug`: in full when short, else its first characters and its length, so that
/// a debug print stays short whatever the input.
struct Excerpt<'a>(&'a str);

impl fmt::Debug for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        match text.char_indices().nth(DEBUG_LIMIT) {
            None => write!(f, "{text:?}"),
            Some((cut, _)) => write!(f, "{:?}… ({} bytes)", &text[..cut], text.len()),
        }
    }
}

/// `Debug` shows the kept input shortened to its first 120 characters, never all of a long one.
impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseError")
            .field("input", &Excerpt(&self.kept.text))
            .field("input_offset", &self.kept.offset)
            .field("input_len", &self.kept.input_len)
            .field("span", &self.span)
            .field("kind", &self.kind)
            .field("message", &self.to_string())
            .finish()
    }
}

/// The message already says what [`label_error`](ParseError::label_error) holds, so `source` is
/// `None`: an error chain prints each thing once.
impl std::error::Error for ParseError {}
