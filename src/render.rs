//! Shows a span of an input under a caret line, for error messages read by people.

use std::fmt::Write;
use std::ops::Range;

/// Lines longer than this many characters are shown as a window around the span.
const WIDE_LINE: usize = 120;
/// Characters shown on each side of the span in a window.
const CONTEXT: usize = 40;

/// Appends the line of `input` holding `span.start`, numbered, and a line of carets under the span,
/// with no newline after the carets.
///
/// Tabs and other control characters are shown as one column each so the carets stay aligned.
pub(crate) fn caret(input: &str, span: Range<usize>, out: &mut String) {
    let start = input.floor_char_boundary(span.start);
    let line_start = input[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = input[start..].find('\n').map_or(input.len(), |i| start + i);
    let line_number = input.as_bytes()[..start]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    let end = input.floor_char_boundary(span.end.clamp(start, line_end));

    let line: Vec<char> = input[line_start..line_end].chars().map(visible).collect();
    let column = input[line_start..start].chars().count();
    let mut width = input[start..end].chars().count().max(1);

    let (shown, caret_column) = if line.len() > WIDE_LINE {
        width = width.min(CONTEXT);
        let from = column.saturating_sub(CONTEXT);
        let to = (column + width + CONTEXT).min(line.len());
        let mut shown: String = line[from..to].iter().collect();
        let mut caret_column = column - from;
        if from > 0 {
            shown.insert(0, '…');
            caret_column += 1;
        }
        if to < line.len() {
            shown.push('…');
        }
        (shown, caret_column)
    } else {
        (line.iter().collect(), column)
    };

    let number = line_number.to_string();
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
