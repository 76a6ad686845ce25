//! Shows a span of an input under a caret line, for error messages read by people.
//!
//! The work is split so that an error need not keep its whole input: [`locate`] scans the input once,
//! when the error is made, for the line number and the columns the caret needs; [`caret`] then draws
//! from a bounded window of the input, so rendering costs time proportional to that window, never to
//! the whole line.

use std::fmt::Write;
use std::ops::Range;

/// Lines longer than this many characters are shown as a window around the span.
const WIDE_LINE: usize = 120;
/// Characters shown on each side of the span in a window.
const CONTEXT: usize = 40;
/// How many characters of the line after the span's start [`locate`] counts: enough to tell whether
/// the line is wide and whether a window of it reaches its end.
const LOOKAHEAD: usize = WIDE_LINE + 2 * CONTEXT + 1;
/// Bytes of input kept before the span's start so that [`caret`] can draw its line: a line that is
/// not wide has at most `WIDE_LINE` characters, of at most 4 bytes each.
pub(crate) const KEEP_BEFORE: usize = 4 * WIDE_LINE + 32;
/// Bytes of input kept from the span's start on (at least [`KEEP_BEFORE`]); also the longest text of
/// the offending token an error that keeps only a window can give.
pub(crate) const KEEP_AFTER: usize = 1024;

/// Where a span's start lies in its line, counted once in the whole input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    /// The 1-based line number.
    line: usize,
    /// Characters between the start of the line and the span's start.
    column: usize,
    /// Characters in the line, counted up to `LOOKAHEAD` past the span's start.
    line_chars: usize,
}

/// Scans `input` for the line and columns of byte `start` (a character boundary).
pub(crate) fn locate(input: &str, start: usize) -> Position {
    let start = input.floor_char_boundary(start);
    let before = &input.as_bytes()[..start];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = input[line_start..start].chars().count();
    let after = input[start..]
        .chars()
        .take_while(|&c| c != '\n')
        .take(LOOKAHEAD)
        .count();
    Position {
        line,
        column,
        line_chars: column + after,
    }
}

/// Appends the line of the input holding the span's start, numbered, and a line of carets under the
/// span, with no newline after the carets.
///
/// `text` is a window of the input holding the span's start at byte `span.start`, `KEEP_BEFORE`
/// bytes before it (or the start of the input) and `LOOKAHEAD` characters after it (or the end of the
/// input); `position` is [`locate`]'s answer for the whole input. Tabs and other control characters
/// are shown as one column each so the carets stay aligned.
pub(crate) fn caret(text: &str, span: Range<usize>, position: Position, out: &mut String) {
    let Position {
        line,
        column,
        line_chars,
    } = position;
    let start = text.floor_char_boundary(span.start);
    // The characters of the line from the span's start on, as far as they are needed.
    let ahead: Vec<(usize, char)> = text[start..]
        .char_indices()
        .take_while(|&(_, c)| c != '\n')
        .take(LOOKAHEAD)
        .map(|(i, c)| (start + i, c))
        .collect();
    let end = span.end.max(start);
    let mut width = ahead.iter().take_while(|&&(i, _)| i < end).count().max(1);

    let (from, to) = if line_chars > WIDE_LINE {
        width = width.min(CONTEXT);
        let from = column.saturating_sub(CONTEXT);
        (from, (column + width + CONTEXT).min(line_chars))
    } else {
        (0, line_chars)
    };
    // Characters before the span's start, nearest first, as far back as `from`.
    let behind: Vec<char> = text[..start].chars().rev().take(column - from).collect();
    let mut shown: String = behind.iter().rev().copied().map(visible).collect();
    shown.extend(ahead.iter().take(to - column).map(|&(_, c)| visible(c)));
    let mut caret_column = column - from;
    if line_chars > WIDE_LINE {
        if from > 0 {
            shown.insert(0, '…');
            caret_column += 1;
        }
        if to < line_chars {
            shown.push('…');
        }
    }

    let number = line.to_string();
    let gutter = " ".repeat(number.len());
    let _ = writeln!(out, "{gutter} |");
    let _ = writeln!(out, "{number} | {shown}");
    let _ = write!(
        out,
        "{gutter} | {}{}",
        " ".repeat(caret_column),
        "^".repeat(width)
    );
}

fn visible(c: char) -> char {
    match c {
        '\t' | '\r' => ' ',
        c if c.is_control() => '\u{fffd}',
        c => c,
    }
}
