//! The selector-string grammar: a nom lexer and a one-token-lookahead parser that follows `Parse` in
//! `k8s.io/apimachinery/pkg/labels/selector.go` (Kubernetes 1.35 and later) exactly, and builds an
//! [`Expression`]'s storage.
//!
//! The lexer splits the input into identifiers and the symbols `= == != ! ( ) , > <`, skipping
//! space, tab, CR and LF; an identifier is any other run of bytes, NUL included. `in` and `notin` are
//! keywords only where an operator is expected. The parser keeps one copy of the input and records keys
//! and values as byte spans into it, so a parse costs one copy, one array of requirements when there
//! are two or more, and, when some list holds more than four values, one array of values. Each token is lexed once; the work is linear in the
//! input, apart from sorting each value list and the requirements.

use std::ops::Range;

use nom::branch::alt;
use nom::bytes::complete::{tag, take, take_till1};
use nom::character::complete::multispace0;
use nom::combinator::{eof, map_opt, value};
use nom::{IResult, Parser as _};

use std::str::FromStr;

use crate::error::{Expected, ParseError, ParseErrorKind};
use crate::expr::{Expression, Form, INLINE_VALUES, List, Slot, Slots, Span, Threshold};
use crate::go_sort;
use crate::operator::parse_integer;
use crate::validate::{validate_key, validate_value};

/// Bounds on what a parse accepts, so that hostile input costs bounded time and memory.
///
/// The defaults are at most 64 KiB of input, 1,000 requirements, and 1,000 values in one `in`/`notin`
/// list (empty slots such as `(a,,b)` add the single value `""` and are not counted). Input beyond a
/// limit is rejected with an error that names the limit; it is never truncated.
///
/// A [`Selector`](crate::Selector) (or a placement term) may hold many expressions, so it is bounded
/// as a whole too: at most 1 MiB of `match_labels` and expressions together, 10,000 requirements in
/// all, and 100,000 ids in `match_ids`. Within these, compiling, matching, analysis, lint and
/// diagnosis take time and memory near linear in the selector's size.
///
/// The canonical text can be longer than the input by one byte per `in`/`notin` requirement written
/// without a space before `(`, so an input close to the length limit may print a canonical text that
/// only parses again under a limit that admits its length.
///
/// ```
/// use labelsel::{Expression, Limits};
///
/// let limits = Limits::default().max_values(2);
/// let err = Expression::parse_with_limits("zone in (a,b,c)", &limits).unwrap_err();
/// assert_eq!(err.span(), 13..14);
/// assert_eq!(err.expected(), "at most 2 values in one list");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    max_input_bytes: usize,
    max_requirements: usize,
    max_values: usize,
    max_selector_bytes: usize,
    max_selector_requirements: usize,
    max_ids: usize,
}

/// The default [`Limits::max_values`]: the most values in one `in`/`notin` list.
pub(crate) const DEFAULT_MAX_VALUES: usize = 1000;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_bytes: 64 * 1024,
            max_requirements: 1000,
            max_values: DEFAULT_MAX_VALUES,
            max_selector_bytes: 1024 * 1024,
            max_selector_requirements: 10_000,
            max_ids: 100_000,
        }
    }
}

impl Limits {
    /// Sets the longest input accepted, in bytes (capped at `u32::MAX`).
    #[must_use]
    pub fn max_input_bytes(mut self, bytes: usize) -> Limits {
        self.max_input_bytes = bytes.min(u32::MAX as usize);
        self
    }

    /// Sets the most requirements one input may hold.
    #[must_use]
    pub fn max_requirements(mut self, count: usize) -> Limits {
        self.max_requirements = count;
        self
    }

    /// Sets the most values one `in` or `notin` list may name.
    #[must_use]
    pub fn max_values(mut self, count: usize) -> Limits {
        self.max_values = count;
        self
    }

    /// Sets the most bytes a whole selector (or placement term) may hold in its `match_labels` keys
    /// and values and its expressions together (default 1 MiB).
    ///
    /// ```
    /// use labelsel::{Limits, ParseErrorKind, Place, Selector};
    ///
    /// let selector = Selector::new().expression("zone=a").expression("tier=premium");
    /// let error = selector
    ///     .compile_with_limits(&Limits::default().max_selector_bytes(10))
    ///     .unwrap_err();
    /// assert_eq!(error.place(), &Place::MatchExpression(1));
    /// assert_eq!(error.parse_error().kind(), &ParseErrorKind::SelectorTooLong { limit: 10 });
    /// assert_eq!(error.parse_error().span(), 4..12); // from the byte that crosses the limit
    /// ```
    #[must_use]
    pub fn max_selector_bytes(mut self, bytes: usize) -> Limits {
        self.max_selector_bytes = bytes;
        self
    }

    /// Sets the most requirements a whole selector (or placement term) may hold, `match_labels`
    /// entries and the requirements of all its expressions together (default 10,000).
    ///
    /// ```
    /// use labelsel::{Limits, ParseErrorKind, Selector};
    ///
    /// let selector = Selector::new().expression("a, b").expression("c, d");
    /// let error = selector
    ///     .compile_with_limits(&Limits::default().max_selector_requirements(3))
    ///     .unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "match_expressions[1]: too many requirements in the selector; at most 3 in all are \
    ///      allowed at byte 3"
    /// );
    /// assert!(matches!(
    ///     error.parse_error().kind(),
    ///     ParseErrorKind::TooManySelectorRequirements { limit: 3 }
    /// ));
    /// ```
    #[must_use]
    pub fn max_selector_requirements(mut self, count: usize) -> Limits {
        self.max_selector_requirements = count;
        self
    }

    /// Sets the most ids `match_ids` (or a placement term's `exclude_ids`) may list (default
    /// 100,000).
    ///
    /// ```
    /// use labelsel::{Limits, Place, Selector};
    ///
    /// let selector = Selector::new().id("a").id("b").id("c");
    /// let error = selector.compile_with_limits(&Limits::default().max_ids(2)).unwrap_err();
    /// assert_eq!(error.place(), &Place::MatchIds);
    /// assert_eq!(error.parse_error().input(), "c"); // the first id past the limit
    /// ```
    #[must_use]
    pub fn max_ids(mut self, count: usize) -> Limits {
        self.max_ids = count;
        self
    }

    /// The most bytes of a whole selector: see [`max_selector_bytes`](Limits::max_selector_bytes).
    pub(crate) fn selector_bytes(&self) -> usize {
        self.max_selector_bytes
    }

    /// The most requirements of a whole selector.
    pub(crate) fn selector_requirements(&self) -> usize {
        self.max_selector_requirements
    }

    /// The most ids of a `match_ids` or `exclude_ids` list.
    pub(crate) fn ids(&self) -> usize {
        self.max_ids
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
        parse(input, &Limits::default(), usize::MAX)
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
        parse(input, limits, usize::MAX)
    }
}

/// Parses one expression of a selector that has room for `requirements_left` more requirements under
/// its whole-selector limit.
pub(crate) fn parse_in_selector(
    input: &str,
    limits: &Limits,
    requirements_left: usize,
) -> Result<Expression, ParseError> {
    parse(input, limits, requirements_left)
}

/// `"a=1, b".parse::<Expression>()` is [`Expression::parse`].
impl FromStr for Expression {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Expression, ParseError> {
        Expression::parse(s)
    }
}

/// Parses and validates `input` into an expression, with room for `requirements_left` requirements
/// under the whole selector's limit.
fn parse(input: &str, limits: &Limits, requirements_left: usize) -> Result<Expression, ParseError> {
    if input.len() > limits.max_input_bytes {
        let limit = limits.max_input_bytes;
        // The span starts with the character that crosses the limit.
        let start = input.floor_char_boundary(limit);
        return Err(ParseError::new(
            input,
            start..input.len(),
            ParseErrorKind::InputTooLong { limit },
        ));
    }
    let mut parser = Parser {
        lexer: Lexer::new(input),
        limits,
        requirements_left,
        slots: Slots::Empty,
        values: Vec::new(),
    };
    parser
        .selector()
        .map_err(|Failure { span, kind }| ParseError::new(input, span, kind))?;
    let Parser {
        mut slots, values, ..
    } = parser;
    // Kubernetes sorts with Go's `sort.Sort(ByKey(..))`, which is not stable: reproduce its order.
    let key = |slot: &Slot| slot.key.of(input);
    go_sort::sort_by(slots.as_mut_slice(), |a, b| key(a) < key(b));
    Ok(Expression {
        text: input.into(),
        slots,
        values,
    })
}

/// A parse failure before the input is attached to it.
struct Failure {
    span: Range<usize>,
    kind: ParseErrorKind,
}

fn unexpected(at: Lexeme, expected: Expected) -> Failure {
    Failure {
        span: at.range(),
        kind: ParseErrorKind::Unexpected(expected),
    }
}

struct Parser<'a, 'l> {
    lexer: Lexer<'a>,
    limits: &'l Limits,
    /// Requirements the whole selector still has room for.
    requirements_left: usize,
    slots: Slots,
    values: Vec<Span>,
}

/// The values of the `in`/`notin` list being parsed: held inline up to [`INLINE_VALUES`], then
/// moved to the end of `Parser::values`.
struct ListBuilder {
    inline: [Span; INLINE_VALUES],
    len: usize,
    /// Where the list starts in `Parser::values` once it has spilled there.
    spilled_at: Option<usize>,
}

impl ListBuilder {
    fn new() -> ListBuilder {
        ListBuilder {
            inline: [Span::EMPTY; INLINE_VALUES],
            len: 0,
            spilled_at: None,
        }
    }

    fn push(&mut self, span: Span, values: &mut Vec<Span>, input: &str) {
        match self.spilled_at {
            None if self.len < INLINE_VALUES => {
                self.inline[self.len] = span;
                self.len += 1;
            }
            None => {
                if values.capacity() == 0 {
                    // A list of n values holds at least n - 1 commas, so this is room for all lists.
                    values.reserve(input.bytes().filter(|&b| matches!(b, b',' | b'(')).count());
                }
                self.spilled_at = Some(values.len());
                values.extend_from_slice(&self.inline);
                values.push(span);
            }
            Some(_) => values.push(span),
        }
    }

    /// The values pushed so far, in the order written.
    fn written<'v>(&'v self, values: &'v [Span]) -> &'v [Span] {
        match self.spilled_at {
            None => &self.inline[..self.len],
            Some(at) => &values[at..],
        }
    }

    /// Sorts and deduplicates the values, and stores them inline when few enough remain.
    fn finish(mut self, values: &mut Vec<Span>, input: &str) -> List {
        match self.spilled_at {
            None => {
                let len = sort_and_dedup(&mut self.inline[..self.len], input);
                List::Inline {
                    spans: self.inline,
                    len: len as u8,
                }
            }
            Some(at) => {
                let len = sort_and_dedup(&mut values[at..], input);
                if len <= INLINE_VALUES {
                    self.inline[..len].copy_from_slice(&values[at..at + len]);
                    values.truncate(at);
                    List::Inline {
                        spans: self.inline,
                        len: len as u8,
                    }
                } else {
                    values.truncate(at + len);
                    List::Spilled {
                        start: at as u32,
                        end: (at + len) as u32,
                    }
                }
            }
        }
    }
}

/// How many requirements a valid selector string holds: one more than its commas outside parentheses.
/// For the room to reserve before the second requirement; an invalid input only reserves too much.
fn requirements_in(input: &str) -> usize {
    let mut depth = 0usize;
    let mut commas = 0;
    for byte in input.bytes() {
        match byte {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => commas += 1,
            _ => {}
        }
    }
    commas + 1
}

/// Sorts spans by their text and moves the distinct ones to the front; returns how many there are.
fn sort_and_dedup(spans: &mut [Span], input: &str) -> usize {
    spans.sort_unstable_by(|a, b| a.of(input).cmp(b.of(input)));
    let mut kept = 0;
    for i in 0..spans.len() {
        if kept == 0 || spans[i].of(input) != spans[kept - 1].of(input) {
            spans[kept] = spans[i];
            kept += 1;
        }
    }
    kept
}

impl<'a> Parser<'a, '_> {
    /// `selector := [ requirement ( "," requirement )* ]`, surrounded by optional whitespace.
    fn selector(&mut self) -> Result<(), Failure> {
        let first = self.lexer.peek();
        match first.token {
            Token::End => return Ok(()),
            Token::Ident | Token::Bang => {}
            _ => return Err(unexpected(first, Expected::FirstRequirement)),
        }
        loop {
            self.requirement()?;
            let after = self.lexer.next();
            match after.token {
                Token::End => return Ok(()),
                Token::Comma => {
                    let next = self.lexer.peek();
                    if !matches!(next.token, Token::Ident | Token::Bang) {
                        return Err(unexpected(next, Expected::RequirementAfterComma));
                    }
                }
                _ => return Err(unexpected(after, Expected::CommaOrEnd)),
            }
        }
    }

    /// `requirement := "!" KEY | KEY | KEY op VALUE | KEY ("in" | "notin") "(" list ")"`.
    fn requirement(&mut self) -> Result<(), Failure> {
        let mut token = self.lexer.next();
        let count = self.slots.as_slice().len();
        if count >= self.limits.max_requirements {
            return Err(Failure {
                span: token.range(),
                kind: ParseErrorKind::TooManyRequirements {
                    limit: self.limits.max_requirements,
                },
            });
        }
        if count >= self.requirements_left {
            return Err(Failure {
                span: token.range(),
                kind: ParseErrorKind::TooManySelectorRequirements {
                    limit: self.limits.max_selector_requirements,
                },
            });
        }
        let negated = token.token == Token::Bang;
        if negated {
            token = self.lexer.next();
        }
        if token.token != Token::Ident {
            return Err(unexpected(token, Expected::Key));
        }
        let key = token.text(self.lexer.input);
        // As in Kubernetes, the key is checked before anything that follows it.
        validate_key(key).map_err(|e| Failure {
            span: token.range(),
            kind: ParseErrorKind::InvalidKey(e),
        })?;
        let key = token.span();

        let form = if negated {
            Form::DoesNotExist
        } else if matches!(self.lexer.peek().token, Token::End | Token::Comma) {
            Form::Exists
        } else {
            let op = self.lexer.next();
            match (op.token, op.text(self.lexer.input)) {
                (Token::Ident, "in") => Form::In(self.value_list()?),
                (Token::Ident, "notin") => Form::NotIn(self.value_list()?),
                (Token::Equals, _) => Form::Equals(self.single_value(op.end)?),
                (Token::DoubleEquals, _) => Form::DoubleEquals(self.single_value(op.end)?),
                (Token::NotEquals, _) => Form::NotEquals(self.single_value(op.end)?),
                (Token::Greater, _) => Form::GreaterThan(self.threshold(op.end)?),
                (Token::Less, _) => Form::LessThan(self.threshold(op.end)?),
                _ => return Err(unexpected(op, Expected::Operator)),
            }
        };
        let (input, limit) = (
            self.lexer.input,
            self.limits.max_requirements.min(self.requirements_left),
        );
        let room = || requirements_in(input).min(limit);
        self.slots.push(Slot { key, form }, room);
        Ok(())
    }

    /// The value after `=`, `==`, `!=`, `>` or `<`, as written; absent (before `,` or the end) means `""`.
    fn value_after(&mut self, operator_end: usize) -> Result<Span, Failure> {
        if matches!(self.lexer.peek().token, Token::End | Token::Comma) {
            return Ok(Span::new(operator_end, operator_end));
        }
        let token = self.lexer.next();
        if token.token != Token::Ident {
            return Err(unexpected(token, Expected::Value));
        }
        Ok(token.span())
    }

    /// The validated value after `=`, `==` or `!=`.
    fn single_value(&mut self, operator_end: usize) -> Result<Span, Failure> {
        let span = self.value_after(operator_end)?;
        validate_value(span.of(self.lexer.input)).map_err(|e| Failure {
            span: span.start as usize..span.end as usize,
            kind: ParseErrorKind::InvalidValue(e),
        })?;
        Ok(span)
    }

    /// The threshold after `>` or `<`: as Kubernetes wants it, an `i64` that is also a valid label
    /// value, so no sign and at most 63 digits.
    fn threshold(&mut self, operator_end: usize) -> Result<Threshold, Failure> {
        let span = self.value_after(operator_end)?;
        let text = span.of(self.lexer.input);
        match parse_integer(text).filter(|_| validate_value(text).is_ok()) {
            Some(value) => Ok(Threshold { text: span, value }),
            None => Err(Failure {
                span: span.start as usize..span.end as usize,
                kind: ParseErrorKind::InvalidThreshold,
            }),
        }
    }

    /// `"(" list ")"` after `in` / `notin`. The list is identifiers and commas, never two identifiers in
    /// a row; a leading or trailing comma, a run of commas, or `()` adds the value `""`.
    fn value_list(&mut self) -> Result<List, Failure> {
        let open = self.lexer.next();
        if open.token != Token::Open {
            return Err(unexpected(open, Expected::OpenParen));
        }
        let input = self.lexer.input;
        let mut list = ListBuilder::new();
        let mut count = 0;
        let mut has_empty = false;
        let start = self.lexer.peek();
        match start.token {
            Token::Close => {
                self.lexer.next();
                has_empty = true;
            }
            Token::Ident | Token::Comma => loop {
                let token = self.lexer.next();
                match token.token {
                    Token::Ident => {
                        count += 1;
                        if count > self.limits.max_values {
                            return Err(Failure {
                                span: token.range(),
                                kind: ParseErrorKind::TooManyValues {
                                    limit: self.limits.max_values,
                                },
                            });
                        }
                        list.push(token.span(), &mut self.values, input);
                        let next = self.lexer.peek();
                        match next.token {
                            Token::Comma => {}
                            Token::Close => {
                                self.lexer.next();
                                break;
                            }
                            _ => return Err(unexpected(next, Expected::CommaOrClose)),
                        }
                    }
                    Token::Comma => {
                        if count == 0 {
                            has_empty = true;
                        }
                        match self.lexer.peek().token {
                            Token::Close => {
                                self.lexer.next();
                                has_empty = true;
                                break;
                            }
                            Token::Comma => has_empty = true,
                            _ => {}
                        }
                    }
                    _ => return Err(unexpected(token, Expected::ListItem)),
                }
            },
            _ => return Err(unexpected(start, Expected::ListStart)),
        }

        // Values are checked once the list is complete, so grammar errors come first as in Kubernetes;
        // the first invalid value in the order written is reported (Kubernetes reports them all).
        for span in list.written(&self.values) {
            validate_value(span.of(input)).map_err(|e| Failure {
                span: span.start as usize..span.end as usize,
                kind: ParseErrorKind::InvalidValue(e),
            })?;
        }
        if has_empty {
            list.push(Span::new(open.end, open.end), &mut self.values, input);
        }
        Ok(list.finish(&mut self.values, input))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    /// A maximal run of bytes that are neither whitespace nor symbols; `in` and `notin` included.
    Ident,
    Comma,
    Open,
    Close,
    Bang,
    Equals,
    DoubleEquals,
    NotEquals,
    Greater,
    Less,
    End,
}

/// A token and its byte range in the input.
#[derive(Clone, Copy, Debug)]
struct Lexeme {
    token: Token,
    start: usize,
    end: usize,
}

impl Lexeme {
    fn text(self, input: &str) -> &str {
        &input[self.start..self.end]
    }

    fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }
}

/// Splits the input into tokens, with one token of lookahead.
///
/// The lexer works on bytes: every byte that ends a token is ASCII, so token boundaries are always
/// character boundaries of the input.
struct Lexer<'a> {
    input: &'a str,
    rest: &'a [u8],
    peeked: Option<Lexeme>,
}

impl<'a> Lexer<'a> {
    fn new(input: &'a str) -> Lexer<'a> {
        Lexer {
            input,
            rest: input.as_bytes(),
            peeked: None,
        }
    }

    fn peek(&mut self) -> Lexeme {
        match self.peeked {
            Some(lexeme) => lexeme,
            None => {
                let lexeme = self.lex();
                self.peeked = Some(lexeme);
                lexeme
            }
        }
    }

    fn next(&mut self) -> Lexeme {
        match self.peeked.take() {
            Some(lexeme) => lexeme,
            None => self.lex(),
        }
    }

    fn lex(&mut self) -> Lexeme {
        let at_token = whitespace(self.rest);
        let (rest, token) = match token(at_token) {
            Ok(lexed) => lexed,
            // `token` accepts every input: a symbol, the start of an identifier, or the end.
            Err(_) => (&at_token[at_token.len()..], Token::Ident),
        };
        self.rest = rest;
        let (start, end) = (self.offset(at_token), self.offset(rest));
        Lexeme { token, start, end }
    }

    fn offset(&self, rest: &[u8]) -> usize {
        self.input.len() - rest.len()
    }
}

/// Whitespace between tokens: space, tab, CR and LF, exactly as Kubernetes' `isWhitespace`.
fn whitespace(input: &[u8]) -> &[u8] {
    let skipped: IResult<&[u8], &[u8]> = multispace0(input);
    skipped.map_or(input, |(rest, _)| rest)
}

/// Bytes that end an identifier: whitespace and the symbols `= ! ( ) , > <`.
const DELIMITERS: [bool; 256] = {
    let mut table = [false; 256];
    let delimiters = b" \t\r\n=!(),><";
    let mut i = 0;
    while i < delimiters.len() {
        table[delimiters[i] as usize] = true;
        i += 1;
    }
    table
};

/// One token at the start of `input`. Two-byte operators are tried first, so symbol runs split as
/// Kubernetes' greedy scanner splits them (`===` is `==` then `=`; `>=` is `>` then `=`).
fn token(input: &[u8]) -> IResult<&[u8], Token> {
    alt((
        value(Token::Ident, take_till1(|b| DELIMITERS[usize::from(b)])),
        value(Token::DoubleEquals, tag("==")),
        value(Token::NotEquals, tag("!=")),
        map_opt(take(1usize), |symbol: &[u8]| match symbol {
            b"," => Some(Token::Comma),
            b"=" => Some(Token::Equals),
            b"!" => Some(Token::Bang),
            b"(" => Some(Token::Open),
            b")" => Some(Token::Close),
            b">" => Some(Token::Greater),
            b"<" => Some(Token::Less),
            _ => None,
        }),
        value(Token::End, eof),
    ))
    .parse(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans_of(input: &str) -> Vec<Span> {
        let mut spans = Vec::new();
        let mut start = 0;
        for (i, byte) in input.bytes().chain([b',']).enumerate() {
            if byte == b',' {
                spans.push(Span::new(start, i));
                start = i + 1;
            }
        }
        spans
    }

    #[test]
    fn sort_and_dedup_keeps_each_value_once_in_byte_order() {
        let input = "b,a,b,,B,a";
        let mut spans = spans_of(input);
        let kept = sort_and_dedup(&mut spans, input);
        let values: Vec<&str> = spans[..kept].iter().map(|s| s.of(input)).collect();
        assert_eq!(values, ["", "B", "a", "b"]);
    }

    #[test]
    fn sort_and_dedup_of_nothing_and_of_one() {
        assert_eq!(sort_and_dedup(&mut [], ""), 0);
        let mut one = spans_of("x");
        assert_eq!(sort_and_dedup(&mut one, "x"), 1);
    }

    #[test]
    fn requirement_count_skips_list_commas() {
        assert_eq!(requirements_in(""), 1);
        assert_eq!(requirements_in("a in (x,y,z), b, c notin (1,2)"), 3);
        assert_eq!(requirements_in("a in (x,(y)),b"), 2);
        assert_eq!(requirements_in(")),a,b"), 3);
    }
}
