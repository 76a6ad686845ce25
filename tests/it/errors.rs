//! `ParseError`: what was found, where, what was expected, and how it renders.

use std::error::Error as _;
use std::ops::Range;

use labelsel::{Expression, LabelRule, Limits, ParseError};

#[track_caller]
fn error(input: &str) -> ParseError {
    match Expression::parse(input) {
        Ok(expr) => panic!(
            "{input:?} should be rejected, parsed as {:?}",
            expr.to_string()
        ),
        Err(err) => err,
    }
}

#[track_caller]
fn error_with(input: &str, limits: &Limits) -> ParseError {
    match Expression::parse_with_limits(input, limits) {
        Ok(expr) => panic!(
            "{input:?} should be rejected, parsed as {:?}",
            expr.to_string()
        ),
        Err(err) => err,
    }
}

/// Checks `found()`, `span()` and the one-line message (which ends with the byte offset).
#[track_caller]
fn check(err: &ParseError, found: &str, span: Range<usize>, message: &str) {
    assert_eq!(err.found(), found, "found() of {:?}", err.input());
    assert_eq!(err.span(), span, "span() of {:?}", err.input());
    assert_eq!(err.to_string(), message, "to_string() of {:?}", err.input());
    assert!(
        err.to_string()
            .ends_with(&format!(" at byte {}", err.position())),
        "{err}"
    );
    // The position is the start of the span, or inside it for an invalid key or value.
    assert!(
        span.contains(&err.position()) || err.position() == span.start,
        "{err}"
    );
}

/// Checks that the rendered caret line sits under the span: the characters of the shown source line
/// at the caret columns are the found text (for inputs without tabs or control characters, where one
/// character is one column).
#[track_caller]
fn assert_caret_under_found(err: &ParseError) {
    let rendered = err.render();
    let lines: Vec<&str> = rendered.lines().collect();
    assert_eq!(lines.len(), 4, "{rendered}");
    let source: Vec<char> = lines[2]
        .split_once(" | ")
        .expect("numbered source line")
        .1
        .chars()
        .collect();
    let carets = lines[3].split_once(" | ").expect("caret line").1;
    let column = carets.find('^').expect("a caret");
    let width = carets.len() - column;
    assert_eq!(carets[column..], "^".repeat(width), "{rendered}");
    if err.found().is_empty() {
        assert_eq!(width, 1, "{rendered}");
        assert_eq!(
            column,
            source.len(),
            "caret at the end of the line: {rendered}"
        );
    } else {
        let under: String = source[column..column + width].iter().collect();
        assert_eq!(under, err.found(), "{rendered}");
    }
}

#[test]
fn unexpected_token() {
    let err = error("x=a y");
    check(
        &err,
        "y",
        4..5,
        "expected `,` or end of input, found `y` at byte 4",
    );
    assert_eq!(err.expected(), "`,` or end of input");
    assert!(err.label_error().is_none());

    let err = error("zone IN (a)");
    check(
        &err,
        "IN",
        5..7,
        "expected an operator (`=`, `==`, `!=`, `in`, `notin`, `>` or `<`), `,` or end of input, found `IN` at byte 5",
    );

    check(
        &error("!gpu=a100"),
        "=",
        4..5,
        "expected `,` or end of input, found `=` at byte 4",
    );
    check(
        &error("x>=1"),
        "=",
        2..3,
        "expected a value, `,` or end of input, found `=` at byte 2",
    );
    check(
        &error("x===a"),
        "=",
        3..4,
        "expected a value, `,` or end of input, found `=` at byte 3",
    );
    check(
        &error("x in ((a))"),
        "(",
        6..7,
        "expected a value, `,` or `)`, found `(` at byte 6",
    );
    check(
        &error("x in (a,=)"),
        "=",
        8..9,
        "expected a value or `,`, found `=` at byte 8",
    );
    check(
        &error("x in a"),
        "a",
        5..6,
        "expected `(`, found `a` at byte 5",
    );
    check(
        &error("x,,y"),
        ",",
        2..3,
        "expected a key or `!` after `,`, found `,` at byte 2",
    );
    check(
        &error("(x=a)"),
        "(",
        0..1,
        "expected a key, `!` or end of input, found `(` at byte 0",
    );
    check(
        &error("!!x"),
        "!",
        1..2,
        "expected a key, found `!` at byte 1",
    );
    check(
        &error("x in (xyz abc)"),
        "abc",
        10..13,
        "expected `,` or `)`, found `abc` at byte 10",
    );
    check(
        &error("a notin (b) c"),
        "c",
        12..13,
        "expected `,` or end of input, found `c` at byte 12",
    );
}

#[test]
fn end_of_input() {
    check(
        &error("env in (prod"),
        "",
        12..12,
        "expected `,` or `)`, found end of input at byte 12",
    );
    check(
        &error("x in (a,"),
        "",
        8..8,
        "expected a value or `,`, found end of input at byte 8",
    );
    check(
        &error("x in ("),
        "",
        6..6,
        "expected a value, `,` or `)`, found end of input at byte 6",
    );
    check(
        &error("x in"),
        "",
        4..4,
        "expected `(`, found end of input at byte 4",
    );
    check(
        &error("!"),
        "",
        1..1,
        "expected a key, found end of input at byte 1",
    );
    // The end of input lies after trailing whitespace.
    check(
        &error("x=a,  "),
        "",
        6..6,
        "expected a key or `!` after `,`, found end of input at byte 6",
    );
    check(
        &error("x notin (a \n"),
        "",
        12..12,
        "expected `,` or `)`, found end of input at byte 12",
    );
}

#[test]
fn invalid_key() {
    let err = error("-x=a");
    check(
        &err,
        "-x",
        0..2,
        "invalid key `-x`: the name part of a key must begin and end with a letter or digit, not '-' at byte 0",
    );
    assert_eq!(err.expected(), "a valid label key");
    let label = err.label_error().unwrap();
    assert_eq!(label.offset(), 0);
    assert!(matches!(label.rule(), LabelRule::KeyNameEdge { .. }));

    let err = error("a=1, Example.com/zone in (b)");
    check(
        &err,
        "Example.com/zone",
        5..21,
        "invalid key `Example.com/zone`: the prefix of a key may hold only lowercase letters, digits, '-' and '.', not 'E' at byte 5",
    );

    let err = error("a/b/c=x");
    assert_eq!(
        err.label_error().unwrap().rule(),
        &LabelRule::KeyTooManySlashes
    );
    assert_eq!(err.label_error().unwrap().offset(), 3);
    assert_eq!(err.span(), 0..5);
}

#[test]
fn invalid_value() {
    let err = error("x=a-");
    check(
        &err,
        "a-",
        2..4,
        "invalid value `a-`: a value must be empty or begin and end with a letter or digit, not '-' at byte 3",
    );
    assert_eq!(err.expected(), "a valid label value");
    assert_eq!(err.label_error().unwrap().offset(), 1);

    let err = error("x in (ok, a/b)");
    check(
        &err,
        "a/b",
        10..13,
        "invalid value `a/b`: a value may hold only letters, digits, '-', '_' and '.', not '/' at byte 11",
    );
    assert_eq!(err.label_error().unwrap().offset(), 1);

    let long = "v".repeat(64);
    let err = error(&format!("x!={long}"));
    assert_eq!(err.found(), long);
    assert_eq!(err.span(), 3..67);
    assert_eq!(
        err.label_error().unwrap().rule(),
        &LabelRule::ValueTooLong { len: 64 }
    );
}

#[test]
fn bad_threshold() {
    let err = error("x>1.5");
    check(
        &err,
        "1.5",
        2..5,
        "expected a non-negative base-10 integer (up to 63 digits) that fits in 64 bits after `>` or `<`, found `1.5` at byte 2",
    );
    assert_eq!(
        err.expected(),
        "a non-negative base-10 integer (up to 63 digits) that fits in 64 bits"
    );
    assert!(err.label_error().is_none());

    check(
        &error("cpu<-1"),
        "-1",
        4..6,
        "expected a non-negative base-10 integer (up to 63 digits) that fits in 64 bits after `>` or `<`, found `-1` at byte 4",
    );
    check(
        &error("x>9223372036854775808"),
        "9223372036854775808",
        2..21,
        "expected a non-negative base-10 integer (up to 63 digits) that fits in 64 bits after `>` or `<`, found `9223372036854775808` at byte 2",
    );
}

#[test]
fn empty_threshold() {
    check(
        &error("x>"),
        "",
        2..2,
        "expected a non-negative base-10 integer (up to 63 digits) that fits in 64 bits after `>` or `<`, found nothing at byte 2",
    );
    check(
        &error("x<,y"),
        "",
        2..2,
        "expected a non-negative base-10 integer (up to 63 digits) that fits in 64 bits after `>` or `<`, found nothing at byte 2",
    );
    let err = error("x>");
    assert_eq!(
        err.expected(),
        "a non-negative base-10 integer (up to 63 digits) that fits in 64 bits"
    );
}

#[test]
fn limit_on_input_bytes() {
    let limits = Limits::default().max_input_bytes(3);
    assert!(Expression::parse_with_limits("abc", &limits).is_ok());
    let err = error_with("abcd", &limits);
    check(
        &err,
        "d",
        3..4,
        "the selector is 4 bytes long; at most 3 are allowed at byte 3",
    );
    assert_eq!(err.expected(), "at most 3 bytes");
    assert!(err.label_error().is_none());
    // The length is checked before the grammar: the input is not truncated and then parsed.
    let err = error_with("((((((", &limits);
    assert_eq!(err.expected(), "at most 3 bytes");
    assert_eq!(err.span(), 3..6);

    // The default is 64 KiB.
    let blank = " ".repeat(64 * 1024);
    assert!(Expression::parse(&blank).unwrap().is_empty());
    let err = error(&format!("{blank} "));
    assert_eq!(err.expected(), "at most 65536 bytes");
    assert_eq!(err.span(), 65536..65537);
}

#[test]
fn limit_on_requirements() {
    let limits = Limits::default().max_requirements(2);
    assert!(Expression::parse_with_limits("a,b", &limits).is_ok());
    let err = error_with("a,b,c", &limits);
    check(
        &err,
        "c",
        4..5,
        "too many requirements; at most 2 are allowed at byte 4",
    );
    assert_eq!(err.expected(), "at most 2 requirements");
    let err = error_with("a, b, !cc", &limits);
    assert_eq!(err.span(), 6..7);
    assert_eq!(err.found(), "!");

    let none = Limits::default().max_requirements(0);
    assert!(Expression::parse_with_limits("  ", &none).is_ok());
    assert_eq!(error_with("abc", &none).span(), 0..3);

    // The default is 1000.
    let thousand = vec!["k"; 1000].join(",");
    assert_eq!(Expression::parse(&thousand).unwrap().len(), 1000);
    let err = error(&format!("{thousand},zz"));
    assert_eq!(err.expected(), "at most 1000 requirements");
    assert_eq!(err.span(), 2000..2002);
}

#[test]
fn limit_on_values() {
    let limits = Limits::default().max_values(2);
    assert!(Expression::parse_with_limits("x in (a,b)", &limits).is_ok());
    assert!(Expression::parse_with_limits("x in (a,b),y notin (c,d)", &limits).is_ok());
    // Empty slots add `""` and are not counted.
    assert!(Expression::parse_with_limits("x in (,a,,b,)", &limits).is_ok());
    let err = error_with("x in (a,b,c)", &limits);
    check(
        &err,
        "c",
        10..11,
        "too many values in one list; at most 2 are allowed at byte 10",
    );
    assert_eq!(err.expected(), "at most 2 values in one list");
    let err = error_with("x notin (a, b, cde)", &limits);
    assert_eq!(err.span(), 15..18);

    let none = Limits::default().max_values(0);
    assert!(Expression::parse_with_limits("x in (),y=a", &none).is_ok());
    assert_eq!(error_with("x in (a)", &none).span(), 6..7);

    // The default is 1000.
    let values: Vec<String> = (0..1000).map(|i| format!("v{i}")).collect();
    let input = format!("x in ({})", values.join(","));
    let expr = Expression::parse(&input).unwrap();
    assert_eq!(expr.requirements().next().unwrap().values().len(), 1000);
    let input = format!("x in ({},w)", values.join(","));
    let err = error(&input);
    assert_eq!(err.expected(), "at most 1000 values in one list");
    assert_eq!(err.found(), "w");
    assert_eq!(err.span(), input.len() - 2..input.len() - 1);
}

#[test]
fn render_single_line() {
    let err = error("!gpu=a100");
    let want = "error: expected `,` or end of input, found `=`\n  |\n1 | !gpu=a100\n  |     ^";
    assert_eq!(err.render(), want);
    assert_eq!(format!("{err:#}"), want);

    let err = error("x=abc-");
    assert_eq!(
        err.render(),
        "error: invalid value `abc-`: a value must be empty or begin and end with a letter or digit, not '-'\n  |\n1 | x=abc-\n  |   ^^^^"
    );
    assert_eq!(
        error("env in (prod,").render(),
        "error: expected a value or `,`, found end of input\n  |\n1 | env in (prod,\n  |              ^"
    );
}

#[test]
fn render_multi_line() {
    let input = "app=web,\ntier in (a,\n  b c)";
    let err = error(input);
    check(
        &err,
        "c",
        25..26,
        "expected `,` or `)`, found `c` at byte 25",
    );
    let want = "error: expected `,` or `)`, found `c`\n  |\n3 |   b c)\n  |     ^";
    assert_eq!(err.render(), want);
    assert_eq!(format!("{err:#}"), want);

    // End of input on the second line.
    let err = error("x in (a,\n  b");
    assert_eq!(err.span(), 12..12);
    assert_eq!(
        err.render(),
        "error: expected `,` or `)`, found end of input\n  |\n2 |   b\n  |    ^"
    );

    // CR LF line ends: the CR is not shown on the line of the error.
    let err = error("x=a,\r\ny=-b");
    assert_eq!(err.span(), 8..10);
    assert_eq!(
        err.render(),
        "error: invalid value `-b`: a value must be empty or begin and end with a letter or digit, not '-'\n  |\n2 | y=-b\n  |   ^^"
    );

    // A two-digit line number widens the gutter.
    let err = error(&format!("{}x=-a", "\n".repeat(9)));
    assert_eq!(err.span(), 11..13);
    assert_eq!(
        err.render(),
        "error: invalid value `-a`: a value must be empty or begin and end with a letter or digit, not '-'\n   |\n10 | x=-a\n   |   ^^"
    );
}

#[test]
fn render_counts_columns_in_characters() {
    // A tab shows as one space.
    let err = error("x in (a,\tb\tc)");
    assert_eq!(err.span(), 11..12);
    assert_eq!(
        err.render(),
        "error: expected `,` or `)`, found `c`\n  |\n1 | x in (a, b c)\n  |            ^"
    );
    // `é` is two bytes but one column.
    let err = error("x in (é, b c)");
    assert_eq!(err.span(), 12..13);
    assert_eq!(
        err.render(),
        "error: expected `,` or `)`, found `c`\n  |\n1 | x in (é, b c)\n  |            ^"
    );
    // A non-ASCII token gets one caret per character.
    let err = error("x=日本");
    assert_eq!(err.span(), 2..8);
    assert!(
        err.render().ends_with("\n1 | x=日本\n  |   ^^"),
        "{}",
        err.render()
    );
}

#[test]
fn caret_is_under_the_found_text() {
    for input in [
        "x=a y",
        "a,\nb,\n  c=-d",
        "x in (a b)",
        "x in (a,\n\n  =)",
        "one=1,\ntwo in (2,\nthree",
        "x>\n  1.5",
        "!\nx=a",
        "k=v,\n,",
        "a\n\nb\n\n-c",
        "x in (é, b c)",
        "x=日本",
    ] {
        let err = error(input);
        assert_caret_under_found(&err);
        assert_eq!(format!("{err:#}"), err.render());
    }
}

#[test]
fn to_string_names_the_byte_offset() {
    for (input, offset) in [
        ("x=a y", 4),
        ("x in (a", 7),
        ("é=a", 0),
        ("x=é", 2),
        ("x in (ééé b)", 13),
        ("a,\nb c", 5),
        ("x>", 2),
    ] {
        let err = error(input);
        assert_eq!(err.span().start, offset, "{input:?}");
        let message = err.to_string();
        assert!(
            message.ends_with(&format!(" at byte {offset}")),
            "{input:?}: {message}"
        );
        assert!(!message.contains('\n'), "one line: {message:?}");
    }
}

#[test]
fn long_tokens_are_shortened_in_messages() {
    let key = format!("{}-", "a".repeat(60));
    let err = error(&format!("{key}=v"));
    assert_eq!(err.found(), key);
    assert_eq!(
        err.to_string(),
        format!(
            "invalid key `{}…` (61 bytes): the name part of a key must begin and end with a letter or digit, not '-' at byte 60",
            "a".repeat(48)
        )
    );
    // Exactly 48 characters are quoted in full.
    let key = format!("{}-", "b".repeat(47));
    let message = error(&key).to_string();
    assert!(
        message.starts_with(&format!("invalid key `{key}`: ")),
        "{message}"
    );
}

#[test]
fn control_characters_are_escaped() {
    let err = error("x\x0b=a");
    assert_eq!(err.found(), "x\x0b");
    assert_eq!(err.span(), 0..2);
    assert_eq!(
        err.to_string(),
        "invalid key `x\\u{b}`: the name part of a key may hold only letters, digits, '-', '_' and '.', not '\\u{b}' at byte 1"
    );
    // The rendered line replaces the control character, keeping the caret aligned.
    assert!(
        err.render().ends_with("\n1 | x\u{fffd}=a\n  | ^^"),
        "{}",
        err.render()
    );

    let err = error("x=a\0");
    assert_eq!(err.found(), "a\0");
    assert!(
        err.to_string().starts_with("invalid value `a\\0`: "),
        "{err}"
    );
}

#[test]
fn source_debug_and_equality() {
    let err = error("-x");
    // The message holds the rule that was broken, so the error has no source to print again.
    assert!(
        err.to_string()
            .contains("the name part of a key must begin and end with a letter or digit, not '-'")
    );
    assert!(err.source().is_none());
    assert_eq!(
        err.label_error().map(ToString::to_string).as_deref(),
        Some("the name part of a key must begin and end with a letter or digit, not '-'")
    );
    assert!(error("x=-a").label_error().is_some());
    assert!(error("x=a y").label_error().is_none());
    assert!(error("x>a").label_error().is_none());

    let debug = format!("{err:?}");
    assert!(debug.starts_with("ParseError"), "{debug}");
    assert!(debug.contains(&format!("{:?}", err.to_string())), "{debug}");

    assert_eq!(err.clone(), err);
    assert_ne!(error("-x"), error("-y"));
    assert_eq!(err.input(), "-x");
}

#[test]
fn render_shows_a_window_of_a_wide_line() {
    let input = format!("{}-b", "a,".repeat(100));
    let err = error(&input);
    assert_eq!(err.span(), 200..202);
    assert_eq!(err.found(), "-b");
    let rendered = err.render();
    let source = rendered.lines().nth(2).unwrap();
    assert!(source.starts_with("1 | …"), "{rendered}");
    assert!(
        source.chars().count() < 100,
        "the line is shortened: {rendered}"
    );
    assert_caret_under_found(&err);

    let input = format!("{}x in (a b){}", " ".repeat(200), " ".repeat(200));
    let err = error(&input);
    assert_eq!(err.span(), 208..209);
    let rendered = err.render();
    let source = rendered.lines().nth(2).unwrap();
    assert!(
        source.starts_with("1 | …") && source.ends_with('…'),
        "{rendered}"
    );
    assert_caret_under_found(&err);
}

#[test]
fn input_length_limit_span_starts_on_a_character_boundary() {
    let limits = Limits::default().max_input_bytes(3);
    let err = Expression::parse_with_limits("ééé", &limits).unwrap_err();
    assert_eq!(err.span(), 2..6);
    assert_eq!(err.found(), "éé");
}
