//! The selector-string grammar: a nom lexer and a one-token-lookahead parser that follows
//! `k8s.io/apimachinery/pkg/labels` exactly (see the Kubernetes semantics reference, §1).
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

use crate::error::{ErrorKind, Expected, ParseError};
use crate::expr::{
    Expression, INLINE_VALUES, Operator, Slot, SlotValues, Slots, Span, parse_integer,
};
use crate::validate::{validate_key, validate_value};

/// Bounds on what a parse accepts, so that hostile input costs bounded time and memory.
///
/// The defaults are at most 64 KiB of input, 1,000 requirements, and 1,000 values in one `in`/`notin`
/// list (empty slots such as `(a,,b)` add the single value `""` and are not counted). Input beyond a
/// limit is rejected with an error that names the limit; it is never truncated.
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
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_bytes: 64 * 1024,
            max_requirements: 1000,
            max_values: 1000,
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
}

/// Parses and validates `input` into an expression.
pub(crate) fn parse(input: &str, limits: &Limits) -> Result<Expression, ParseError> {
    if input.len() > limits.max_input_bytes {
        let limit = limits.max_input_bytes;
        // The span starts with the character that crosses the limit.
        let start = input.floor_char_boundary(limit);
        return Err(ParseError::new(
            input,
            start..input.len(),
            ErrorKind::InputTooLong { limit },
        ));
    }
    let mut parser = Parser {
        lexer: Lexer::new(input),
        limits,
        slots: Slots::Empty,
        values: Vec::new(),
    };
    parser
        .selector()
        .map_err(|Failure { span, kind }| ParseError::new(input, span, kind))?;
    let Parser {
        mut slots, values, ..
    } = parser;
    let key = |slot: &Slot| slot.key.of(input);
    let sorted = slots.as_mut_slice();
    if !sorted.is_sorted_by(|a, b| key(a) <= key(b)) {
        sorted.sort_by(|a, b| key(a).cmp(key(b)));
    }
    Ok(Expression {
        text: input.into(),
        slots,
        values,
    })
}

/// A parse failure before the input is attached to it.
struct Failure {
    span: Range<usize>,
    kind: ErrorKind,
}

fn unexpected(at: Lexeme, expected: Expected) -> Failure {
    Failure {
        span: at.range(),
        kind: ErrorKind::Unexpected(expected),
    }
}

struct Parser<'a, 'l> {
    lexer: Lexer<'a>,
    limits: &'l Limits,
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
    fn finish(mut self, values: &mut Vec<Span>, input: &str) -> SlotValues {
        match self.spilled_at {
            None => {
                let len = sort_and_dedup(&mut self.inline[..self.len], input);
                SlotValues::Inline {
                    spans: self.inline,
                    len: len as u8,
                }
            }
            Some(at) => {
                let len = sort_and_dedup(&mut values[at..], input);
                if len <= INLINE_VALUES {
                    self.inline[..len].copy_from_slice(&values[at..at + len]);
                    values.truncate(at);
                    SlotValues::Inline {
                        spans: self.inline,
                        len: len as u8,
                    }
                } else {
                    values.truncate(at + len);
                    SlotValues::Many {
                        start: at as u32,
                        end: (at + len) as u32,
                    }
                }
            }
        }
    }
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
        if self.slots.as_slice().len() >= self.limits.max_requirements {
            return Err(Failure {
                span: token.range(),
                kind: ErrorKind::TooManyRequirements {
                    limit: self.limits.max_requirements,
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
            kind: ErrorKind::InvalidKey(e),
        })?;
        let key = token.span();

        let (operator, values) = if negated {
            (Operator::DoesNotExist, SlotValues::None)
        } else if matches!(self.lexer.peek().token, Token::End | Token::Comma) {
            (Operator::Exists, SlotValues::None)
        } else {
            let op = self.lexer.next();
            let operator = match (op.token, op.text(self.lexer.input)) {
                (Token::Ident, "in") => Operator::In,
                (Token::Ident, "notin") => Operator::NotIn,
                (Token::Equals, _) => Operator::Equals,
                (Token::DoubleEquals, _) => Operator::DoubleEquals,
                (Token::NotEquals, _) => Operator::NotEquals,
                (Token::Greater, _) => Operator::GreaterThan,
                (Token::Less, _) => Operator::LessThan,
                _ => return Err(unexpected(op, Expected::Operator)),
            };
            let values = match operator {
                Operator::In | Operator::NotIn => self.value_list()?,
                _ => self.single_value(operator, op.end)?,
            };
            (operator, values)
        };
        let (input, limit) = (self.lexer.input, self.limits.max_requirements);
        // Every requirement after the first follows a comma, so this is room for all of them.
        let room = || (input.bytes().filter(|&b| b == b',').count() + 1).min(limit);
        self.slots.push(
            Slot {
                key,
                operator,
                values,
            },
            room,
        );
        Ok(())
    }

    /// The value after `=`, `==`, `!=`, `>` or `<`; absent (before `,` or the end) means `""`.
    fn single_value(
        &mut self,
        operator: Operator,
        operator_end: usize,
    ) -> Result<SlotValues, Failure> {
        let span = if matches!(self.lexer.peek().token, Token::End | Token::Comma) {
            Span::new(operator_end, operator_end)
        } else {
            let token = self.lexer.next();
            if !matches!(token.token, Token::Ident) {
                return Err(unexpected(token, Expected::Value));
            }
            token.span()
        };
        let text = span.of(self.lexer.input);
        let range = span.start as usize..span.end as usize;
        if matches!(operator, Operator::GreaterThan | Operator::LessThan) {
            // Kubernetes wants an i64 that is also a valid label value: no sign, at most 63 digits.
            return match parse_integer(text).filter(|_| validate_value(text).is_ok()) {
                Some(value) => Ok(SlotValues::Integer { text: span, value }),
                None => Err(Failure {
                    span: range,
                    kind: ErrorKind::InvalidThreshold,
                }),
            };
        }
        validate_value(text).map_err(|e| Failure {
            span: range,
            kind: ErrorKind::InvalidValue(e),
        })?;
        Ok(SlotValues::single(span))
    }

    /// `"(" list ")"` after `in` / `notin`. The list is identifiers and commas, never two identifiers in
    /// a row; a leading or trailing comma, a run of commas, or `()` adds the value `""`.
    fn value_list(&mut self) -> Result<SlotValues, Failure> {
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
                                kind: ErrorKind::TooManyValues {
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
                kind: ErrorKind::InvalidValue(e),
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
