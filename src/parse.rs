//! The selector-string grammar: a nom lexer and a one-token-lookahead parser that follows
//! `k8s.io/apimachinery/pkg/labels` exactly (see the Kubernetes semantics reference, §1).
//!
//! The lexer splits the input into identifiers and the symbols `= == != ! ( ) , > <`, skipping
//! space, tab, CR and LF; an identifier is any other run of bytes, NUL included. `in` and `notin` are
//! keywords only where an operator is expected. The parser keeps one copy of the input and records keys
//! and values as byte spans into it, so a parse costs one copy, one array of requirements and, when some
//! list holds several values, one array of values. Each token is lexed once; the work is linear in the
//! input, apart from sorting each value list and the requirements.

use std::ops::Range;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::{char, multispace0};
use nom::combinator::{eof, map, value};
use nom::{IResult, Parser as _};

use crate::error::{ErrorKind, Expected, ParseError};
use crate::expr::{Expression, Operator, Slot, SlotValues, Span, parse_integer};
use crate::validate::{validate_key, validate_value};

/// Bounds on what a parse accepts, so that hostile input costs bounded time and memory.
///
/// The defaults are at most 64 KiB of input, 1,000 requirements, and 1,000 values in one `in`/`notin`
/// list (empty slots such as `(a,,b)` add the single value `""` and are not counted). Input beyond a
/// limit is rejected with an error that names the limit; it is never truncated.
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
    pub fn max_input_bytes(mut self, bytes: usize) -> Limits {
        self.max_input_bytes = bytes.min(u32::MAX as usize);
        self
    }

    /// Sets the most requirements one input may hold.
    pub fn max_requirements(mut self, count: usize) -> Limits {
        self.max_requirements = count;
        self
    }

    /// Sets the most values one `in` or `notin` list may name.
    pub fn max_values(mut self, count: usize) -> Limits {
        self.max_values = count;
        self
    }
}

/// Parses and validates `input` into an expression.
pub(crate) fn parse(input: &str, limits: &Limits) -> Result<Expression, ParseError> {
    if input.len() > limits.max_input_bytes {
        let limit = limits.max_input_bytes;
        return Err(ParseError::new(
            input,
            limit..input.len(),
            ErrorKind::InputTooLong { limit },
        ));
    }
    let mut parser = Parser {
        lexer: Lexer::new(input),
        limits,
        slots: Vec::new(),
        values: Vec::new(),
    };
    parser
        .selector()
        .map_err(|Failure { span, kind }| ParseError::new(input, span, kind))?;
    let Parser {
        mut slots, values, ..
    } = parser;
    let key = |slot: &Slot| slot.key.of(input);
    if !slots.is_sorted_by(|a, b| key(a) <= key(b)) {
        slots.sort_by(|a, b| key(a).cmp(key(b)));
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

fn unexpected(at: Lexeme<'_>, expected: Expected) -> Failure {
    Failure {
        span: at.range(),
        kind: ErrorKind::Unexpected(expected),
    }
}

struct Parser<'a, 'l> {
    lexer: Lexer<'a>,
    limits: &'l Limits,
    slots: Vec<Slot>,
    values: Vec<Span>,
}

/// How many values of the list being parsed are held, and where.
enum ListState {
    Empty,
    /// A single value, not yet in `Parser::values`.
    One(Span),
    /// Two or more values, at the end of `Parser::values`.
    InValues,
}

impl<'a> Parser<'a, '_> {
    /// `selector := [ requirement ( "," requirement )* ]`, surrounded by optional whitespace.
    fn selector(&mut self) -> Result<(), Failure> {
        let first = self.lexer.peek();
        match first.token {
            Token::End => return Ok(()),
            Token::Ident(_) | Token::Bang => {}
            _ => return Err(unexpected(first, Expected::FirstRequirement)),
        }
        // Every requirement after the first needs a comma, so this is enough for the whole input.
        let commas = self.lexer.input.bytes().filter(|&b| b == b',').count();
        self.slots
            .reserve((commas + 1).min(self.limits.max_requirements));
        loop {
            self.requirement()?;
            let after = self.lexer.next();
            match after.token {
                Token::End => return Ok(()),
                Token::Comma => {
                    let next = self.lexer.peek();
                    if !matches!(next.token, Token::Ident(_) | Token::Bang) {
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
        if self.slots.len() >= self.limits.max_requirements {
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
        let Token::Ident(key) = token.token else {
            return Err(unexpected(token, Expected::Key));
        };
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
            let operator = match op.token {
                Token::Ident("in") => Operator::In,
                Token::Ident("notin") => Operator::NotIn,
                Token::Equals => Operator::Equals,
                Token::DoubleEquals => Operator::DoubleEquals,
                Token::NotEquals => Operator::NotEquals,
                Token::Greater => Operator::GreaterThan,
                Token::Less => Operator::LessThan,
                _ => return Err(unexpected(op, Expected::Operator)),
            };
            let values = match operator {
                Operator::In | Operator::NotIn => self.value_list()?,
                _ => self.single_value(operator, op.end)?,
            };
            (operator, values)
        };
        self.slots.push(Slot {
            key,
            operator,
            values,
        });
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
            if !matches!(token.token, Token::Ident(_)) {
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
        Ok(SlotValues::One(span))
    }

    /// `"(" list ")"` after `in` / `notin`. The list is identifiers and commas, never two identifiers in
    /// a row; a leading or trailing comma, a run of commas, or `()` adds the value `""`.
    fn value_list(&mut self) -> Result<SlotValues, Failure> {
        let open = self.lexer.next();
        if open.token != Token::Open {
            return Err(unexpected(open, Expected::OpenParen));
        }
        let first = self.values.len();
        let mut state = ListState::Empty;
        let mut count = 0;
        let mut has_empty = false;
        let start = self.lexer.peek();
        match start.token {
            Token::Close => {
                self.lexer.next();
                has_empty = true;
            }
            Token::Ident(_) | Token::Comma => loop {
                let token = self.lexer.next();
                match token.token {
                    Token::Ident(_) => {
                        count += 1;
                        if count > self.limits.max_values {
                            return Err(Failure {
                                span: token.range(),
                                kind: ErrorKind::TooManyValues {
                                    limit: self.limits.max_values,
                                },
                            });
                        }
                        self.push_value(&mut state, token.span());
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

        // Values are checked once the list is complete, in the order written, as Kubernetes does.
        let text = self.lexer.input;
        let written: &[Span] = match &state {
            ListState::Empty => &[],
            ListState::One(span) => std::slice::from_ref(span),
            ListState::InValues => &self.values[first..],
        };
        for span in written {
            validate_value(span.of(text)).map_err(|e| Failure {
                span: span.start as usize..span.end as usize,
                kind: ErrorKind::InvalidValue(e),
            })?;
        }
        if has_empty {
            self.push_value(&mut state, Span::new(open.end, open.end));
        }
        Ok(match state {
            ListState::Empty => SlotValues::One(Span::new(open.end, open.end)),
            ListState::One(span) => SlotValues::One(span),
            ListState::InValues => {
                let list = &mut self.values[first..];
                list.sort_unstable_by(|a, b| a.of(text).cmp(b.of(text)));
                let mut kept = 1;
                for i in 1..list.len() {
                    if list[i].of(text) != list[kept - 1].of(text) {
                        list[kept] = list[i];
                        kept += 1;
                    }
                }
                if kept == 1 {
                    let only = self.values[first];
                    self.values.truncate(first);
                    SlotValues::One(only)
                } else {
                    self.values.truncate(first + kept);
                    SlotValues::Many {
                        start: first as u32,
                        end: (first + kept) as u32,
                    }
                }
            }
        })
    }

    fn push_value(&mut self, state: &mut ListState, span: Span) {
        *state = match *state {
            ListState::Empty => ListState::One(span),
            ListState::One(first) => {
                if self.values.capacity() == 0 {
                    // A list of n values holds at least n - 1 commas, so this bounds all the lists.
                    let bound = self
                        .lexer
                        .input
                        .bytes()
                        .filter(|&b| matches!(b, b',' | b'('))
                        .count();
                    self.values.reserve(bound);
                }
                self.values.push(first);
                self.values.push(span);
                ListState::InValues
            }
            ListState::InValues => {
                self.values.push(span);
                ListState::InValues
            }
        };
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    /// A maximal run of bytes that are neither whitespace nor symbols; `in` and `notin` included.
    Ident(&'a str),
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
struct Lexeme<'a> {
    token: Token<'a>,
    start: usize,
    end: usize,
}

impl Lexeme<'_> {
    fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }
}

/// Splits the input into tokens, with one token of lookahead.
struct Lexer<'a> {
    input: &'a str,
    rest: &'a str,
    peeked: Option<Lexeme<'a>>,
}

impl<'a> Lexer<'a> {
    fn new(input: &'a str) -> Lexer<'a> {
        Lexer {
            input,
            rest: input,
            peeked: None,
        }
    }

    fn peek(&mut self) -> Lexeme<'a> {
        match self.peeked {
            Some(lexeme) => lexeme,
            None => {
                let lexeme = self.lex();
                self.peeked = Some(lexeme);
                lexeme
            }
        }
    }

    fn next(&mut self) -> Lexeme<'a> {
        match self.peeked.take() {
            Some(lexeme) => lexeme,
            None => self.lex(),
        }
    }

    fn lex(&mut self) -> Lexeme<'a> {
        let at_token = whitespace(self.rest);
        let start = self.input.len() - at_token.len();
        let (rest, token) = match token(at_token) {
            Ok(lexed) => lexed,
            // `token` accepts every input: a symbol, the start of an identifier, or the end.
            Err(_) => ("", Token::Ident(at_token)),
        };
        self.rest = rest;
        Lexeme {
            token,
            start,
            end: self.input.len() - rest.len(),
        }
    }
}

/// Whitespace between tokens: space, tab, CR and LF, exactly as Kubernetes' `isWhitespace`.
fn whitespace(input: &str) -> &str {
    let skipped: IResult<&str, &str> = multispace0(input);
    skipped.map_or(input, |(rest, _)| rest)
}

/// Bytes that end an identifier: whitespace and the symbols `= ! ( ) , > <`.
fn is_delimiter(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | '=' | '!' | '(' | ')' | ',' | '>' | '<'
    )
}

/// One token at the start of `input`. Two-byte operators are tried first, so symbol runs split as
/// Kubernetes' greedy scanner splits them (`===` is `==` then `=`; `>=` is `>` then `=`).
fn token(input: &str) -> IResult<&str, Token<'_>> {
    alt((
        map(take_till1(is_delimiter), Token::Ident),
        value(Token::Comma, char(',')),
        value(Token::DoubleEquals, tag("==")),
        value(Token::NotEquals, tag("!=")),
        value(Token::Equals, char('=')),
        value(Token::Bang, char('!')),
        value(Token::Open, char('(')),
        value(Token::Close, char(')')),
        value(Token::Greater, char('>')),
        value(Token::Less, char('<')),
        value(Token::End, eof),
    ))
    .parse(input)
}
