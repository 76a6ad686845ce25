//! What a `ParseError` keeps of its input: all of an ordinary input, a bounded window of a huge or
//! over-limit one, so that an error about a 8 MiB input costs kilobytes and renders in a few lines.
//! The caret rendering from the kept window is compared with a reference rendering of the whole
//! input (the algorithm the crate used before it kept windows).

use std::ops::Range;

use labelsel::{Expression, Limits, ParseError, ParseErrorKind};
use proptest::prelude::*;

use crate::support::alloc::allocated_bytes;

const MIB: usize = 1 << 20;

/// The caret rendering of the whole input, as the crate drew it when errors kept their whole input.
fn reference_caret(input: &str, span: Range<usize>) -> String {
    const WIDE_LINE: usize = 120;
    const CONTEXT: usize = 40;
    let visible = |c: char| match c {
        '\t' | '\r' => ' ',
        c if c.is_control() => '\u{fffd}',
        c => c,
    };
    let start = input.floor_char_boundary(span.start);
    let line_start = input[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = input[start..].find('\n').map_or(input.len(), |i| start + i);
    let line_number = input[..start].matches('\n').count() + 1;
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
    format!(
        "{gutter} |\n{number} | {shown}\n{gutter} | {}{}",
        " ".repeat(caret_column),
        "^".repeat(width)
    )
}

/// The rendering after the `error: message` line.
fn caret_part(err: &ParseError) -> String {
    let rendered = err.render();
    rendered.split_once('\n').expect("two parts").1.to_string()
}

#[track_caller]
fn parse_err(input: &str, limits: &Limits) -> ParseError {
    Expression::parse_with_limits(input, limits).expect_err("should be rejected")
}

/// The kept text is the input's bytes at the kept offset.
#[track_caller]
fn assert_window_of(err: &ParseError, input: &str) {
    assert_eq!(err.input_len(), input.len());
    let from = err.input_offset();
    assert_eq!(&input[from..from + err.input().len()], err.input());
}

#[test]
fn an_over_limit_input_of_8_mib_costs_kilobytes() {
    let input = format!("x in ({})", "v,".repeat(4 * MIB));
    assert!(input.len() > 8 * MIB);
    let (bytes, err) = allocated_bytes(|| parse_err(&input, &Limits::default()));
    assert!(bytes < 4096, "the error allocated {bytes} bytes");
    assert!(matches!(
        err.kind(),
        ParseErrorKind::InputTooLong { limit: 65536 }
    ));
    assert_eq!(err.span(), 65536..input.len());
    assert_window_of(&err, &input);
    assert!(err.input().len() < 2048);
    assert!(err.found().len() >= 1024 && err.found().len() < 2048);
    assert!(input[65536..].starts_with(err.found()));
    assert_eq!(err.position(), 65536);
    assert_eq!(
        err.message(),
        format!(
            "the selector is {} bytes long; at most 65536 are allowed",
            input.len()
        )
    );

    // Rendering, the one-line message and `Debug` are short, and so is their work.
    let (bytes, rendered) = allocated_bytes(|| err.render());
    assert!(rendered.len() < 400, "{rendered}");
    assert!(bytes < 16_384, "render allocated {bytes} bytes");
    assert_eq!(caret_part(&err), reference_caret(&input, err.span()));
    assert_eq!(format!("{err:#}"), rendered);
    let (bytes, line) = allocated_bytes(|| err.to_string());
    assert!(line.len() < 200 && bytes < 4096, "{line}: {bytes} bytes");
    let debug = format!("{err:?}");
    assert!(debug.len() < 1000, "{debug}");
    assert!(debug.contains(&format!("{:?}", err.to_string())), "{debug}");

    // The clone is as small.
    let (bytes, copy) = allocated_bytes(|| err.clone());
    assert!(bytes < 2048, "{bytes}");
    assert_eq!(copy, err);
}

#[test]
fn a_huge_input_under_a_raised_limit_keeps_a_window_around_the_span() {
    let limits = Limits::default()
        .max_input_bytes(8 * MIB)
        .max_values(8 * MIB);
    // An invalid value near the end of a 4 MiB list, on the third line.
    let mut input = String::from("a,\nb,\nx in (");
    input.push_str(&"v,".repeat(2 * MIB));
    let bad = input.len();
    input.push_str("-bad)");
    let err = parse_err(&input, &limits);
    // The parse itself allocates its value array; the error keeps a window, not the input.
    let (bytes, copy) = allocated_bytes(|| err.clone());
    assert!(bytes < 4096, "the error holds {bytes} bytes");
    assert_eq!(copy, err);
    assert_eq!(err.span(), bad..bad + 4);
    assert_eq!(err.found(), "-bad");
    assert_eq!(err.position(), bad);
    assert!(
        err.to_string().ends_with(&format!("at byte {bad}")),
        "{err}"
    );
    assert_window_of(&err, &input);
    assert!(err.input_offset() > 0);
    assert_eq!(caret_part(&err), reference_caret(&input, err.span()));
    assert!(err.render().contains("\n3 | …"), "{}", err.render());
}

#[test]
fn an_input_within_the_default_limit_is_kept_whole() {
    let input = format!("{}x in (a b)", " ".repeat(65_536 - 10));
    assert_eq!(input.len(), 65_536);
    let err = parse_err(&input, &Limits::default());
    assert_eq!(err.input(), input);
    assert_eq!(err.input_offset(), 0);
    assert_eq!(err.found(), "b");
    assert_eq!(caret_part(&err), reference_caret(&input, err.span()));
}

#[test]
fn a_small_over_limit_input_keeps_all_of_it() {
    let limits = Limits::default().max_input_bytes(3);
    let err = parse_err("ééé", &limits);
    assert_eq!((err.input(), err.input_offset()), ("ééé", 0));
    assert_eq!(err.found(), "éé");
    assert_eq!(caret_part(&err), reference_caret("ééé", 2..6));
}

#[test]
fn a_huge_token_is_cut_in_found_but_counted_in_full_in_the_message() {
    let limits = Limits::default().max_input_bytes(MIB);
    let token = "-".repeat(100_000);
    let input = format!("x={token}");
    let err = parse_err(&input, &limits);
    assert_eq!(err.span(), 2..input.len());
    assert!(token.starts_with(err.found()) && err.found().len() >= 1024);
    assert!(
        err.to_string()
            .contains(&format!("…` ({} bytes)", token.len())),
        "{err}"
    );
    assert_eq!(caret_part(&err), reference_caret(&input, err.span()));
}

/// Text with long runs, newlines, tabs, control and multi-byte characters.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a".to_string()),
        Just("é".to_string()),
        Just("日本".to_string()),
        Just("\n".to_string()),
        Just("\t".to_string()),
        Just("\u{1}".to_string()),
        Just(",".to_string()),
        Just("(".to_string()),
        Just(" in ".to_string()),
        Just("=".to_string()),
        Just("-".to_string()),
        (1usize..300).prop_map(|n| "k".repeat(n)),
        (1usize..300).prop_map(|n| " ".repeat(n)),
        (1usize..100).prop_map(|n| "ü".repeat(n)),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Whatever is kept, the rendering equals the reference rendering of the whole input, and the
    /// span, position and found text agree with the whole input.
    #[test]
    fn the_window_renders_as_the_whole_input_did(
        text in text(),
        limit in 1usize..4000,
        padded in any::<bool>(),
    ) {
        // Padding past 64 KiB makes the error keep a window even within the limit.
        let (input, limits) = if padded {
            let input = format!("{}{text}", "a,\n".repeat(23_000));
            (input, Limits::default().max_input_bytes(MIB).max_values(10_000))
        } else {
            (text, Limits::default().max_input_bytes(limit).max_values(10_000))
        };
        if let Err(err) = Expression::parse_with_limits(&input, &limits) {
            let span = err.span();
            prop_assert_eq!(caret_part(&err), reference_caret(&input, span.clone()));
            prop_assert_eq!(err.input_len(), input.len());
            let from = err.input_offset();
            prop_assert_eq!(&input[from..from + err.input().len()], err.input());
            prop_assert!(input[span.clone()].starts_with(err.found()));
            if span.len() <= 1024 {
                prop_assert_eq!(err.found(), &input[span]);
            }
        }
    }
}
