//! Hostile selector strings: huge inputs, huge lists, many requirements, keys and values at and past
//! their length limits, every byte value as a character, and long runs of symbols. Each must parse, or
//! fail with the right error at the right span, and quickly: under the default limits the over-limit
//! inputs fail with the limit's error; under raised limits they parse and keep every requirement and
//! value that was written.
//!
//! No clock is read. That the work grows linearly is shown by counts instead: inputs of doubling sizes
//! (up to 1 MiB) all parse with the expected number of requirements and values, the heap bytes a parse
//! allocates (counted by a global allocator) grow in proportion to the input, error messages and caret
//! renderings of huge inputs stay short, and matching performs exactly one label lookup per requirement
//! however long its value list is.

use std::cell::Cell;
use std::collections::HashMap;

use labelsel::{
    Expression, Found, LabelRule, LabelSet, Labels, Limits, ParseError, Place, Selector,
};

use crate::support::alloc::allocated_bytes;

/// Labels that count how often they are looked up.
struct CountingLabels<'a> {
    labels: &'a HashMap<String, String>,
    lookups: Cell<usize>,
}

impl<'a> CountingLabels<'a> {
    fn new(labels: &'a HashMap<String, String>) -> CountingLabels<'a> {
        CountingLabels {
            labels,
            lookups: Cell::new(0),
        }
    }

    fn take(&self) -> usize {
        self.lookups.replace(0)
    }
}

impl Labels for CountingLabels<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.lookups.set(self.lookups.get() + 1);
        self.labels.get(key).map(String::as_str)
    }
}

// ---------------------------------------------------------------------------------------------------
// Helpers

const MIB: usize = 1 << 20;
const DEFAULT_MAX_BYTES: usize = 64 * 1024;

/// Limits that admit 1 MiB of input and this many requirements and values.
fn raised(requirements: usize, values: usize) -> Limits {
    Limits::default()
        .max_input_bytes(MIB)
        .max_requirements(requirements)
        .max_values(values)
}

#[track_caller]
fn parse_ok(input: &str, limits: &Limits) -> Expression {
    match Expression::parse_with_limits(input, limits) {
        Ok(expr) => expr,
        Err(err) => panic!("{} bytes should parse: {err}", input.len()),
    }
}

#[track_caller]
fn parse_err(input: &str, limits: &Limits) -> ParseError {
    match Expression::parse_with_limits(input, limits) {
        Ok(expr) => panic!(
            "{} bytes should be rejected, parsed {} requirements",
            input.len(),
            expr.len()
        ),
        Err(err) => err,
    }
}

/// The error is the input-length limit's, spanning from the character that crosses it to the end.
#[track_caller]
fn assert_too_long(err: &ParseError, input: &str, limit: usize, start: usize) {
    assert_eq!(err.expected(), format!("at most {limit} bytes"));
    assert_eq!(err.span(), start..input.len());
    assert!(err.label_error().is_none());
    assert_eq!(
        err.message(),
        format!(
            "the selector is {} bytes long; at most {limit} are allowed",
            input.len()
        )
    );
}

/// `count` comma-separated requirements `k{i}=v{i}`.
fn requirements(count: usize) -> String {
    let mut out = String::with_capacity(count * 12);
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("k{i}=v{i}"));
    }
    out
}

/// `x in (v0,v1,…)` with `count` distinct values.
fn value_list(count: usize) -> String {
    let mut out = String::with_capacity(count * 8 + 8);
    out.push_str("x in (");
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("v{i}"));
    }
    out.push(')');
    out
}

/// Byte range of the first occurrence of `needle`.
fn find(haystack: &str, needle: &str) -> std::ops::Range<usize> {
    let start = haystack.find(needle).expect("present");
    start..start + needle.len()
}

// ---------------------------------------------------------------------------------------------------
// Input length

#[test]
fn one_mebibyte_selector_parses_under_a_raised_limit_and_fails_under_the_default() {
    // Requirements, padded with spaces to exactly 1 MiB.
    let mut input = requirements(70_000);
    assert!(input.len() < MIB);
    input.push_str(&" ".repeat(MIB - input.len()));
    assert_eq!(input.len(), MIB);

    let expr = parse_ok(&input, &raised(70_000, 1000));
    assert_eq!(expr.len(), 70_000);
    let node: HashMap<String, String> = (0..70_000)
        .map(|i| (format!("k{i}"), format!("v{i}")))
        .collect();
    assert!(expr.matches(&node));

    let err = parse_err(&input, &Limits::default());
    assert_too_long(&err, &input, DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES);
    // The one-line message quotes at most 48 characters of the offending text.
    assert!(err.to_string().len() < 200, "{err}");
    // The caret rendering shows a window of the line, not the whole megabyte.
    assert!(err.render().len() < 600, "{}", err.render());

    // One byte past a raised limit.
    let longer = format!("{input} ");
    let err = parse_err(&longer, &raised(70_000, 1000));
    assert_too_long(&err, &longer, MIB, MIB);
    assert_eq!(err.found(), " ");
}

#[test]
fn the_length_limit_span_starts_with_the_character_that_crosses_it() {
    let limits = Limits::default().max_input_bytes(10);
    assert!(Expression::parse_with_limits("abcdefghij", &limits).is_ok());
    // `é` takes bytes 9 and 10: the span starts at 9, on the character boundary.
    let input = "abcdefghié";
    let err = parse_err(input, &limits);
    assert_too_long(&err, input, 10, 9);
    assert_eq!(err.found(), "é");

    let input = format!("{}é", "a".repeat(DEFAULT_MAX_BYTES - 1));
    let err = parse_err(&input, &Limits::default());
    assert_too_long(&err, &input, DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES - 1);

    let exact = "a".repeat(DEFAULT_MAX_BYTES - 64) + "/" + &"b".repeat(63);
    assert_eq!(exact.len(), DEFAULT_MAX_BYTES);
    let err = parse_err(&exact, &Limits::default());
    // Exactly at the length limit is not too long; the key's prefix is.
    assert_eq!(
        err.label_error().map(|e| e.rule().clone()),
        Some(LabelRule::KeyPrefixTooLong {
            len: DEFAULT_MAX_BYTES - 64
        })
    );
}

#[test]
fn huge_runs_of_one_symbol_fail_at_the_first_token_that_breaks_the_grammar() {
    let limits = raised(1000, 1000);
    let cases: [(String, std::ops::Range<usize>, &str); 8] = [
        ("(".repeat(MIB), 0..1, "a key, `!` or end of input"),
        (")".repeat(MIB), 0..1, "a key, `!` or end of input"),
        (",".repeat(MIB), 0..1, "a key, `!` or end of input"),
        ("=".repeat(MIB), 0..2, "a key, `!` or end of input"),
        ("!".repeat(MIB), 1..2, "a key"),
        (
            format!("a{}", ",".repeat(MIB - 1)),
            2..3,
            "a key or `!` after `,`",
        ),
        (
            format!("x in {}", "(".repeat(MIB - 5)),
            6..7,
            "a value, `,` or `)`",
        ),
        (
            format!("x in (a{}", " ".repeat(MIB - 7)),
            MIB..MIB,
            "`,` or `)`",
        ),
    ];
    for (input, span, expected) in cases {
        assert_eq!(input.len(), MIB);
        let err = parse_err(&input, &limits);
        assert_eq!(err.span(), span, "{err}");
        assert_eq!(err.expected(), expected, "{err}");
        assert!(err.to_string().len() < 200, "{err}");
        assert!(err.render().len() < 600, "{}", err.render());
        // The default limit refuses it before looking at the grammar.
        let err = parse_err(&input, &Limits::default());
        assert_too_long(&err, &input, DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES);
    }

    // Whitespace alone is the empty expression, at any length.
    let blank = " \t\r\n".repeat(MIB / 4);
    assert!(parse_ok(&blank, &limits).is_empty());
}

// ---------------------------------------------------------------------------------------------------
// Values

#[test]
fn one_hundred_thousand_values_in_one_list() {
    let input = value_list(100_000);
    assert!(input.len() < MIB);
    let expr = parse_ok(&input, &raised(1000, 100_000));
    assert_eq!(expr.len(), 1);
    let req = expr.requirements().next().unwrap();
    assert_eq!(req.values().len(), 100_000);
    // Sorted byte-wise and distinct.
    assert!(req.values().zip(req.values().skip(1)).all(|(a, b)| a < b));
    assert!(req.contains("v0") && req.contains("v99999") && !req.contains("v100000"));
    // The canonical text holds every value once, and parses back to an equal expression.
    let canonical = expr.to_string();
    assert_eq!(canonical.len(), input.len());
    assert_eq!(parse_ok(&canonical, &raised(1000, 100_000)), expr);

    // Matching looks the key up once, however long the list.
    let node = HashMap::from([("x".to_string(), "v99999".to_string())]);
    let counting = CountingLabels::new(&node);
    assert!(expr.matches(&counting));
    assert_eq!(counting.take(), 1);
    let other = HashMap::from([("x".to_string(), "v100000".to_string())]);
    assert!(!expr.matches(&other));

    // One value past a raised limit: the span is that value.
    let err = parse_err(&input, &raised(1000, 99_999));
    assert_eq!(err.expected(), "at most 99999 values in one list");
    assert_eq!(err.found(), "v99999");
    assert_eq!(err.span(), input.len() - 7..input.len() - 1);
    assert!(err.label_error().is_none());

    // Under the default limits the input is refused for its length first.
    let err = parse_err(&input, &Limits::default());
    assert_too_long(&err, &input, DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES);
}

#[test]
fn the_default_value_limit_counts_written_values() {
    let at_limit = value_list(1000);
    let expr = parse_ok(&at_limit, &Limits::default());
    assert_eq!(expr.requirements().next().unwrap().values().len(), 1000);

    let over = value_list(1001);
    let err = parse_err(&over, &Limits::default());
    assert_eq!(err.expected(), "at most 1000 values in one list");
    assert_eq!(err.found(), "v1000");
    assert_eq!(err.span(), find(&over, ",v1000)").start + 1..over.len() - 1);

    // Repeats count as written, even though they are deduplicated.
    let repeated = format!("x in ({})", vec!["a"; 1001].join(","));
    let err = parse_err(&repeated, &Limits::default());
    assert_eq!(err.span(), repeated.len() - 2..repeated.len() - 1);
    let repeated = format!("x in ({})", vec!["a"; 100_000].join(","));
    let expr = parse_ok(&repeated, &raised(1000, 100_000));
    assert_eq!(expr.to_string(), "x in (a)");

    // An invalid value is reported where it is written, even at the end of a huge list.
    let mut bad = value_list(100_000);
    bad.insert_str(bad.len() - 1, ",-bad");
    let err = parse_err(&bad, &raised(1000, 100_001));
    assert_eq!(err.found(), "-bad");
    assert_eq!(err.expected(), "a valid label value");
    assert_eq!(
        err.label_error().map(|e| e.rule().clone()),
        Some(LabelRule::ValueEdge { found: Found('-') })
    );
}

#[test]
fn one_hundred_thousand_commas_in_a_list_are_one_empty_value() {
    let input = format!("x in ({})", ",".repeat(100_000));
    // Empty slots are not counted against the value limit: a limit of one value is enough.
    let expr = parse_ok(
        &input,
        &Limits::default().max_input_bytes(MIB).max_values(1),
    );
    assert_eq!(expr.to_string(), "x in ()");
    let req = expr.requirements().next().unwrap();
    assert_eq!(req.values().collect::<Vec<_>>(), [""]);
    let node = HashMap::from([("x", "")]);
    assert!(expr.matches(&node));

    let err = parse_err(&input, &Limits::default());
    assert_too_long(&err, &input, DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES);

    // Just under the default length limit, the commas parse with the default limits.
    let fits = format!("x in ({})", ",".repeat(DEFAULT_MAX_BYTES - 7));
    assert_eq!(fits.len(), DEFAULT_MAX_BYTES);
    assert_eq!(parse_ok(&fits, &Limits::default()).to_string(), "x in ()");

    // Commas around values add the empty value once.
    let mixed = format!(
        "x notin ({}a{}b{})",
        ",".repeat(30_000),
        ",".repeat(30_000),
        ",".repeat(30_000)
    );
    let expr = parse_ok(&mixed, &raised(1000, 2));
    assert_eq!(expr.to_string(), "x notin (,a,b)");
}

// ---------------------------------------------------------------------------------------------------
// Requirements

#[test]
fn ten_thousand_requirements() {
    let input = requirements(10_000);
    assert!(input.len() > DEFAULT_MAX_BYTES);
    let expr = parse_ok(&input, &raised(10_000, 1000));
    assert_eq!(expr.len(), 10_000);
    // Sorted by key in the canonical order; every one kept.
    let keys: Vec<&str> = expr.requirements().map(|r| r.key()).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(parse_ok(&expr.to_string(), &raised(10_000, 1000)), expr);

    // Matching evaluates each requirement once, with one lookup each.
    let node: HashMap<String, String> = (0..10_000)
        .map(|i| (format!("k{i}"), format!("v{i}")))
        .collect();
    let counting = CountingLabels::new(&node);
    assert!(expr.matches(&counting));
    assert_eq!(counting.take(), 10_000);

    // One past a raised limit: the span is the first token of the requirement that does not fit.
    let err = parse_err(&input, &raised(9_999, 1000));
    assert_eq!(err.expected(), "at most 9999 requirements");
    assert_eq!(err.found(), "k9999");
    assert_eq!(
        err.span(),
        find(&input, ",k9999=").start + 1..input.len() - 6
    );

    // Under the default limits: the length limit first; below it, the requirement limit.
    let err = parse_err(&input, &Limits::default());
    assert_too_long(&err, &input, DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES);
    let err = parse_err(&input, &Limits::default().max_input_bytes(MIB));
    assert_eq!(err.expected(), "at most 1000 requirements");
    assert_eq!(
        err.span(),
        find(&input, ",k1000=").start + 1..find(&input, ",k1000=").end - 1
    );

    // A requirement that starts with `!` is refused at the `!`.
    let negated = vec!["!a"; 1001].join(",");
    let err = parse_err(&negated, &Limits::default());
    assert_eq!(err.found(), "!");
    assert_eq!(err.span(), negated.len() - 2..negated.len() - 1);
    // Repeated requirements are all kept (as Kubernetes keeps them).
    let repeated = vec!["a"; 1000].join(",");
    assert_eq!(parse_ok(&repeated, &Limits::default()).len(), 1000);
}

#[test]
fn a_compiled_selector_of_ten_thousand_requirements_looks_each_key_up_once() {
    // Ten expressions of 1,000 requirements each: every one within the default limits.
    let mut selector = Selector::new();
    for e in 0..10 {
        let text: Vec<String> = (0..1000)
            .map(|i| format!("k{}=v{}", e * 1000 + i, e * 1000 + i))
            .collect();
        selector = selector.expression(text.join(","));
    }
    let matcher = selector.compile().unwrap();
    let node: HashMap<String, String> = (0..10_000)
        .map(|i| (format!("k{i}"), format!("v{i}")))
        .collect();
    let counting = CountingLabels::new(&node);
    assert!(matcher.matches("n", &counting));
    assert_eq!(counting.take(), 10_000);
    let explanation = matcher.explain("n", &counting);
    assert_eq!(counting.take(), 10_000);
    assert!(explanation.matches);
    assert_eq!(explanation.verdicts.len(), 10_000);
    let set: LabelSet = node.iter().collect();
    assert!(matcher.matches("n", &set));

    // One expression over the limit names its place.
    let err = Selector::new()
        .expression("a")
        .expression(vec!["b"; 1001].join(","))
        .compile()
        .unwrap_err();
    assert_eq!(err.place(), &Place::MatchExpression(1));
    assert_eq!(err.parse_error().expected(), "at most 1000 requirements");
    assert_eq!(err.parse_error().span(), 2000..2001);
}

// ---------------------------------------------------------------------------------------------------
// Key and value lengths

#[test]
fn key_names_and_values_of_63_and_64_bytes() {
    let name63 = format!("a{}z", "-".repeat(61));
    let name64 = format!("a{}z", "-".repeat(62));
    assert_eq!((name63.len(), name64.len()), (63, 64));

    // Keys.
    let expr = parse_ok(&name63, &Limits::default());
    assert_eq!(expr.requirements().next().unwrap().key(), name63);
    let input = format!("{name64}=v");
    let err = parse_err(&input, &Limits::default());
    assert_eq!(err.span(), 0..64);
    assert_eq!(err.expected(), "a valid label key");
    let label = err.label_error().expect("a key rule");
    assert_eq!(label.rule(), &LabelRule::KeyNameTooLong { len: 64 });
    assert_eq!(label.offset(), 63);

    // Values, after every operator that takes one.
    for op in ["=", "==", "!="] {
        let ok = format!("k{op}{name63}");
        assert_eq!(parse_ok(&ok, &Limits::default()).to_string(), ok, "{op}");
        let input = format!("k {op} {name64}");
        let err = parse_err(&input, &Limits::default());
        let start = 3 + op.len();
        assert_eq!(err.span(), start..start + 64, "{op}");
        assert_eq!(err.expected(), "a valid label value");
        let label = err.label_error().expect("a value rule");
        assert_eq!(label.rule(), &LabelRule::ValueTooLong { len: 64 });
        assert_eq!(label.offset(), 63);
    }
    let list = format!("k in (a, {name63}, b)");
    assert!(
        parse_ok(&list, &Limits::default())
            .requirements()
            .next()
            .unwrap()
            .contains(&name63)
    );
    let list = format!("k notin (a, {name64}, b)");
    let err = parse_err(&list, &Limits::default());
    assert_eq!(err.span(), 12..76);
    assert_eq!(
        err.label_error().map(|e| e.rule().clone()),
        Some(LabelRule::ValueTooLong { len: 64 })
    );

    // Thresholds: 63 digits are a valid label value but no `i64`; 64 digits are neither.
    let digits63 = "0".repeat(62) + "7";
    assert_eq!(
        parse_ok(&format!("k>{digits63}"), &Limits::default())
            .requirements()
            .next()
            .unwrap()
            .threshold(),
        Some(7)
    );
    let err = parse_err(&format!("k<0{digits63}"), &Limits::default());
    assert_eq!(err.span(), 2..66);
    assert!(err.expected().starts_with("a non-negative base-10 integer"));
    assert!(err.label_error().is_none());

    // In `match_labels`.
    assert!(Selector::new().label(&name63, &name63).compile().is_ok());
    let err = Selector::new().label(&name64, "v").compile().unwrap_err();
    assert_eq!(err.place(), &Place::MatchLabel(name64.clone()));
    assert_eq!(err.parse_error().span(), 0..64);
    let err = Selector::new().label("k", &name64).compile().unwrap_err();
    assert_eq!(err.place(), &Place::MatchLabel("k".into()));
    assert_eq!(
        err.parse_error().label_error().map(|e| e.rule().clone()),
        Some(LabelRule::ValueTooLong { len: 64 })
    );

    // A key or value of a mebibyte is refused for its length, and reported briefly.
    let huge = "k".repeat(MIB - 2);
    for input in [huge.clone(), format!("k={}", &huge[..MIB - 2])] {
        let err = parse_err(&input, &raised(1000, 1000));
        let rule = err.label_error().expect("a label rule").rule().clone();
        assert!(
            matches!(rule, LabelRule::KeyNameTooLong { len } | LabelRule::ValueTooLong { len } if len == MIB - 2),
            "{rule:?}"
        );
        assert!(err.to_string().len() < 200, "{err}");
        assert!(err.render().len() < 600);
    }
}

/// A DNS subdomain of exactly `len` bytes: 9-letter parts between dots, ending in a letter.
fn prefix(len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        if out.len() % 10 == 9 && out.len() + 1 < len {
            out.push('.');
        } else {
            out.push(char::from(b'a' + (out.len() % 26) as u8));
        }
    }
    out
}

#[test]
fn key_prefixes_of_253_and_254_bytes() {
    let p253 = prefix(253);
    let p254 = prefix(254);
    assert_eq!((p253.len(), p254.len()), (253, 254));
    assert!(!p254.ends_with('.'));

    let name63 = "n".repeat(63);
    let key = format!("{p253}/{name63}");
    let input = format!("{key} in (a,b)");
    let expr = parse_ok(&input, &Limits::default());
    assert_eq!(expr.requirements().next().unwrap().key(), key);
    assert_eq!(expr.to_string(), input);

    for input in [
        format!("{p254}/n"),
        format!("!{p254}/n"),
        format!("a,{p254}/n=v"),
    ] {
        let err = parse_err(&input, &Limits::default());
        let start = input.find(&p254).unwrap();
        assert_eq!(err.span(), start..start + 256, "{input}");
        assert_eq!(err.expected(), "a valid label key");
        let label = err.label_error().expect("a key rule");
        assert_eq!(label.rule(), &LabelRule::KeyPrefixTooLong { len: 254 });
        assert_eq!(label.offset(), 253);
    }
    // A long prefix with a long name: the prefix is checked first.
    let err = parse_err(&format!("{p254}/{}", "n".repeat(64)), &Limits::default());
    assert_eq!(
        err.label_error().unwrap().rule(),
        &LabelRule::KeyPrefixTooLong { len: 254 }
    );
    let err = parse_err(&format!("{p253}/{}", "n".repeat(64)), &Limits::default());
    assert_eq!(
        err.label_error().unwrap().rule(),
        &LabelRule::KeyNameTooLong { len: 64 }
    );
    assert_eq!(err.label_error().unwrap().offset(), 254 + 63);

    assert!(
        Selector::new()
            .label(format!("{p253}/n"), "v")
            .compile()
            .is_ok()
    );
    let err = Selector::new()
        .label(format!("{p254}/n"), "v")
        .compile()
        .unwrap_err();
    assert_eq!(err.place(), &Place::MatchLabel(format!("{p254}/n")));
}

// ---------------------------------------------------------------------------------------------------
// Every byte as a character

/// Bytes that end an identifier: the grammar's whitespace and symbols.
fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

#[test]
fn every_byte_value_as_a_character_inside_a_value() {
    for b in 0..=255u8 {
        let c = char::from(b);
        let value = format!("a{c}b");
        let input = format!("k={value}");
        let result = Expression::parse(&input);
        let what = format!("byte {b:#04x} in {input:?}");
        match c {
            c if is_name_char(c) => {
                let expr = result.unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(expr.to_string(), input, "{what}");
            }
            ',' => assert_eq!(result.map(|e| e.len()), Ok(2), "{what}"),
            c if is_whitespace(c) => {
                let err = result.expect_err(&what);
                assert_eq!((err.span(), err.found()), (4..5, "b"), "{what}");
                assert_eq!(err.expected(), "`,` or end of input", "{what}");
            }
            '=' | '!' | '(' | ')' | '<' | '>' => {
                let err = result.expect_err(&what);
                assert_eq!(err.span(), 3..4, "{what}");
                assert_eq!(err.expected(), "`,` or end of input", "{what}");
            }
            _ => {
                // NUL, other control bytes, `/`, other punctuation, and every non-ASCII character.
                let err = result.expect_err(&what);
                assert_eq!(err.span(), 2..input.len(), "{what}");
                assert_eq!(err.found(), value, "{what}");
                assert_eq!(err.expected(), "a valid label value", "{what}");
                let label = err.label_error().expect("a value rule");
                assert_eq!(
                    label.rule(),
                    &LabelRule::ValueCharacter { found: Found(c) },
                    "{what}"
                );
                assert_eq!(label.offset(), 1, "{what}");
                // Messages and renderings of control and non-ASCII characters do not panic, and
                // show no raw control character.
                let rendered = err.render();
                assert!(
                    !rendered.chars().any(|ch| ch.is_control() && ch != '\n'),
                    "{what}: {rendered:?}"
                );
                let _ = err.to_string();
            }
        }
    }
}

#[test]
fn every_byte_value_as_a_character_inside_a_key() {
    for b in 0..=255u8 {
        let c = char::from(b);
        let input = format!("a{c}b");
        let result = Expression::parse(&input);
        let what = format!("byte {b:#04x} in {input:?}");
        match c {
            c if is_name_char(c) || c == '/' => {
                let expr = result.unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(expr.requirements().next().unwrap().key(), input, "{what}");
            }
            ',' => assert_eq!(result.map(|e| e.len()), Ok(2), "{what}"),
            '=' => assert_eq!(result.map(|e| e.to_string()), Ok(input.clone()), "{what}"),
            c if is_whitespace(c) => {
                let err = result.expect_err(&what);
                assert_eq!((err.span(), err.found()), (2..3, "b"), "{what}");
                assert!(err.expected().starts_with("an operator"), "{what}");
            }
            '!' | '(' | ')' => {
                let err = result.expect_err(&what);
                assert_eq!(err.span(), 1..2, "{what}");
                assert!(err.expected().starts_with("an operator"), "{what}");
            }
            '<' | '>' => {
                let err = result.expect_err(&what);
                assert_eq!((err.span(), err.found()), (2..3, "b"), "{what}");
                assert!(err.expected().starts_with("a non-negative"), "{what}");
            }
            _ => {
                let err = result.expect_err(&what);
                assert_eq!(err.span(), 0..input.len(), "{what}");
                assert_eq!(err.expected(), "a valid label key", "{what}");
                let label = err.label_error().expect("a key rule");
                assert_eq!(
                    label.rule(),
                    &LabelRule::KeyNameCharacter { found: Found(c) },
                    "{what}"
                );
                assert_eq!(label.offset(), 1, "{what}");
                let _ = (err.to_string(), err.render());
            }
        }
        // In a prefix, only lowercase letters, digits, `-` and `.` may appear.
        let prefixed = format!("a{c}b/n");
        if let Ok(expr) = Expression::parse(&prefixed)
            && expr.len() == 1
        {
            assert!(
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'),
                "{what}: {prefixed:?} parsed"
            );
        }
    }
}

#[test]
fn every_byte_value_at_the_edges_of_a_value_and_alone() {
    for b in 0..=255u8 {
        let c = char::from(b);
        if !(is_name_char(c) || c.is_ascii_punctuation() || c.is_control() || !c.is_ascii()) {
            continue;
        }
        if is_whitespace(c) || "=!(),<>".contains(c) {
            continue;
        }
        for value in [format!("{c}"), format!("{c}a"), format!("a{c}")] {
            let input = format!("k={value}");
            let result = Expression::parse(&input);
            if c.is_ascii_alphanumeric() {
                assert!(result.is_ok(), "{input:?}");
                continue;
            }
            let err = result.expect_err(&input);
            assert_eq!(err.span(), 2..input.len(), "{input:?}");
            let rule = err.label_error().expect("a value rule").rule().clone();
            if is_name_char(c) {
                assert_eq!(rule, LabelRule::ValueEdge { found: Found(c) }, "{input:?}");
            } else {
                assert_eq!(
                    rule,
                    LabelRule::ValueCharacter { found: Found(c) },
                    "{input:?}"
                );
            }
        }
    }
    // A NUL byte is an ordinary identifier byte, not the end of the input.
    let err = Expression::parse("a=b\0,c").unwrap_err();
    assert_eq!(err.span(), 2..4);
    assert_eq!(
        err.label_error().unwrap().rule(),
        &LabelRule::ValueCharacter { found: Found('\0') }
    );
    // Multi-byte characters beyond Latin-1: reported as one character, whole.
    for c in ['€', '𝄞', '\u{feff}', '\u{202e}'] {
        let input = format!("k in (ok, a{c}b)");
        let err = Expression::parse(&input).unwrap_err();
        assert_eq!(err.found(), format!("a{c}b"));
        assert_eq!(
            err.label_error().unwrap().rule(),
            &LabelRule::ValueCharacter { found: Found(c) }
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// Linear growth, by counts

/// A mix of every kind of requirement, `units` times, with distinct keys of a fixed width, so that
/// twice the units make twice the text.
fn mixed(units: usize) -> String {
    let mut parts = Vec::with_capacity(units * 6);
    for i in 0..units {
        parts.push(format!("a{i:05} in (x{i:05},y,z, w{i:05})"));
        parts.push(format!("!b{i:05}"));
        parts.push(format!("c{i:05}"));
        parts.push(format!("d{i:05} != v"));
        parts.push(format!("e{i:05}>{i:05}"));
        parts.push(format!("f{i:05} notin (,p,q,r,s,t)"));
    }
    parts.join(", ")
}

#[test]
fn parse_work_grows_linearly_with_the_input() {
    let limits = raised(usize::MAX, usize::MAX);
    let mut previous: Option<(usize, usize)> = None;
    // 512 to 8,192 units: inputs of about 50 KiB to 850 KiB.
    for units in [512, 1024, 2048, 4096, 8192] {
        let input = mixed(units);
        assert!(input.len() <= MIB, "{}", input.len());
        let (bytes, expr) = allocated_bytes(|| parse_ok(&input, &limits));
        assert_eq!(expr.len(), 6 * units);
        let values: usize = expr.requirements().map(|r| r.values().len()).sum();
        assert_eq!(values, units * (4 + 1 + 1 + 6));
        // The copy of the input, the requirements and the values, and sort space: a fixed multiple
        // of the input's length.
        assert!(
            bytes <= 16 * input.len(),
            "{units} units: {bytes} bytes allocated for {} bytes of input",
            input.len()
        );
        if let Some((last_len, last_bytes)) = previous {
            assert_eq!(input.len(), 2 * last_len + 2);
            assert!(
                bytes <= 2 * last_bytes + 4096,
                "{units} units: {bytes} bytes, after {last_bytes} for half as many"
            );
        }
        previous = Some((input.len(), bytes));

        // Failing at the very end costs about the same as succeeding.
        let broken = format!("{input},");
        let (error_bytes, err) = allocated_bytes(|| parse_err(&broken, &limits));
        assert_eq!(err.span(), broken.len()..broken.len());
        assert!(
            error_bytes <= bytes + 2 * broken.len(),
            "{error_bytes} vs {bytes}"
        );
    }
}
