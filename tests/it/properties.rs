//! Property tests for the parser, the canonical text and matching.
//!
//! * `parse` never panics, and its errors point inside the input, on arbitrary strings and on
//!   selector-like token soup.
//! * Every accepted string round-trips: parsing its canonical text gives an equal expression with the
//!   same canonical text.
//! * Selectors rendered from random requirements (random whitespace, `in(`/`in (`, empty list slots,
//!   repeated keys) parse to exactly the requirements, order and canonical text that the Kubernetes
//!   rules (grammar and canonical `String()` of `labels.Parse`) predict.
//! * Matching agrees with the oracle (`support::oracle`, the Kubernetes matching table applied to
//!   `requirements()` alone), over label maps drawn from a small alphabet so that hits are frequent.
//! * The oracle itself follows the golden cases of the matching table and every verdict recorded from Kubernetes, and
//!   its `go_parse_int` reads exactly what `str::parse::<i64>` reads.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};

use crate::support::conformance::{selector_cases, string_cases};
use crate::support::oracle;
use labelsel::{Expression, Operator, Requirement};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestRunner};

const CASES: u32 = 512;

/// Modest case counts so that the file runs in about a second in debug builds. Failures are not
/// persisted to files (proptest cannot place them next to an integration test); the shrunk input is
/// in the failure message, and belongs in a regression test.
fn config() -> Config {
    Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------------
// Alphabets
// ---------------------------------------------------------------------------------------------------

/// Valid label keys, including the words that are keywords only in operator position.
const KEYS: &[&str] = &[
    "a",
    "b",
    "x",
    "A",
    "0",
    "a-b",
    "a.b",
    "a_b",
    "in",
    "notin",
    "exists",
    "example.com/a",
    "app.kubernetes.io/name",
];

/// Valid label values for `=`, `==`, `!=`, `in` and `notin` (the empty value included).
const VALUES: &[&str] = &[
    "",
    "a",
    "b",
    "A",
    "in",
    "notin",
    "0",
    "1",
    "2",
    "02",
    "10",
    "a.b",
    "a-b",
    "9223372036854775807",
];

/// Valid thresholds for `>` and `<`: non-negative integers that are also valid label values.
const THRESHOLDS: &[&str] = &[
    "0",
    "1",
    "2",
    "01",
    "02",
    "10",
    "007",
    "9223372036854775807",
];

/// Label values on the node side, which are never validated: integer-like text that Go's `ParseInt`
/// (and `str::parse::<i64>`) reads or refuses.
const LABEL_VALUES: &[&str] = &[
    "",
    "a",
    "b",
    "A",
    "in",
    "0",
    "1",
    "2",
    "02",
    "10",
    "+2",
    "-0",
    "-5",
    "1.5",
    " 2",
    "0x10",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "a.b",
    "é",
];

/// Extra node keys that no generated selector uses, or that are not valid keys at all.
const LABEL_ONLY_KEYS: &[&str] = &["c", "a/b/c", "", "IN"];

/// Whitespace between tokens: what the lexer skips, and nothing.
const WS: &[&str] = &["", "", "", " ", "  ", "\t", "\r", "\n", " \r\n "];
/// Whitespace where at least one byte is required (between a key and `in`/`notin`).
const WS1: &[&str] = &[" ", "\t", "\n", "\r", " \t "];

/// Tokens for selector-like soup: everything the lexer knows, whitespace it does and does not skip,
/// NUL, non-ASCII, and bytes that end up inside identifiers.
const SOUP_TOKENS: &[&str] = &[
    "a",
    "b",
    "x",
    "in",
    "notin",
    "IN",
    "exists",
    "example.com/",
    "app.kubernetes.io/name",
    "02",
    "1",
    "-1",
    "+2",
    "9223372036854775808",
    "=",
    "==",
    "!=",
    "!",
    "(",
    ")",
    ",",
    ">",
    "<",
    ">=",
    " ",
    " ",
    " ",
    "\t",
    "\r",
    "\n",
    "\u{b}",
    "\u{c}",
    "\u{a0}",
    "\0",
    "é",
    "日本",
    "/",
    "-",
    ".",
    "_",
    "'",
    "\"",
    "|",
];

// ---------------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------------

fn soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        6 => select(SOUP_TOKENS).prop_map(String::from),
        1 => "[a-zA-Z0-9._/-]{1,4}",
    ];
    prop::collection::vec(token, 0..14).prop_map(|tokens| tokens.concat())
}

/// One generated requirement, before rendering.
#[derive(Debug, Clone)]
enum Spec {
    Exists(&'static str),
    DoesNotExist(&'static str),
    /// `=`, `==`, `!=` with a value (maybe empty), or `>`/`<` with a threshold.
    Single(&'static str, Operator, &'static str),
    /// `in`/`notin` with the tokens between the parentheses: `Some(value)` is an identifier (never
    /// empty), `None` is a comma; two identifiers are never adjacent.
    List(&'static str, Operator, Vec<Option<&'static str>>),
}

impl Spec {
    /// The requirement the Kubernetes parser builds: key, operator, values sorted and deduplicated.
    fn expected(&self) -> (String, Operator, Vec<String>) {
        match self {
            Spec::Exists(k) => (k.to_string(), Operator::Exists, vec![]),
            Spec::DoesNotExist(k) => (k.to_string(), Operator::DoesNotExist, vec![]),
            Spec::Single(k, op, v) => (k.to_string(), *op, vec![v.to_string()]),
            Spec::List(k, op, items) => {
                let mut values: Vec<String> =
                    items.iter().flatten().map(|v| v.to_string()).collect();
                // `()`, a leading comma, a trailing comma or two commas in a row add the value "".
                let empty_slot = items.is_empty()
                    || items.first() == Some(&None)
                    || items.last() == Some(&None)
                    || items.windows(2).any(|w| w[0].is_none() && w[1].is_none());
                if empty_slot {
                    values.push(String::new());
                }
                values.sort();
                values.dedup();
                (k.to_string(), *op, values)
            }
        }
    }
}

/// The canonical text of one expected requirement, as `Requirement.String()` prints it.
fn canonical_of((key, op, values): &(String, Operator, Vec<String>)) -> String {
    let joined = values.join(",");
    match op {
        Operator::Exists => key.clone(),
        Operator::DoesNotExist => format!("!{key}"),
        Operator::In => format!("{key} in ({joined})"),
        Operator::NotIn => format!("{key} notin ({joined})"),
        Operator::Equals => format!("{key}={joined}"),
        Operator::DoubleEquals => format!("{key}=={joined}"),
        Operator::NotEquals => format!("{key}!={joined}"),
        Operator::GreaterThan => format!("{key}>{joined}"),
        Operator::LessThan => format!("{key}<{joined}"),
    }
}

fn spec() -> impl Strategy<Value = Spec> {
    let key = select(KEYS);
    let list_item = prop_oneof![
        3 => select(VALUES).prop_filter("an identifier is never empty", |v| !v.is_empty()).prop_map(Some),
        1 => Just(None),
    ];
    prop_oneof![
        2 => key.clone().prop_map(Spec::Exists),
        2 => key.clone().prop_map(Spec::DoesNotExist),
        4 => (
            key.clone(),
            select(&[Operator::Equals, Operator::DoubleEquals, Operator::NotEquals][..]),
            select(VALUES),
        )
            .prop_map(|(k, op, v)| Spec::Single(k, op, v)),
        3 => (
            key.clone(),
            select(&[Operator::GreaterThan, Operator::LessThan][..]),
            select(THRESHOLDS),
        )
            .prop_map(|(k, op, v)| Spec::Single(k, op, v)),
        4 => (
            key,
            select(&[Operator::In, Operator::NotIn][..]),
            prop::collection::vec(list_item, 0..6),
        )
            .prop_map(|(k, op, items)| {
                // Two identifiers in a row are an error; separate them with a comma.
                let mut tokens: Vec<Option<&'static str>> = Vec::new();
                for item in items {
                    if item.is_some() && matches!(tokens.last(), Some(Some(_))) {
                        tokens.push(None);
                    }
                    tokens.push(item);
                }
                Spec::List(k, op, tokens)
            }),
    ]
}

/// Renders requirements as a selector string, with whitespace drawn from `ws` (cyclically).
fn render(specs: &[Spec], ws: &[(usize, usize)]) -> String {
    let mut turn = 0;
    let mut space = |required: bool| {
        let (i, j) = ws[turn % ws.len()];
        turn += 1;
        if required {
            WS1[j % WS1.len()]
        } else {
            WS[i % WS.len()]
        }
    };
    let mut out = String::new();
    out.push_str(space(false));
    for (n, spec) in specs.iter().enumerate() {
        if n > 0 {
            out.push_str(space(false));
            out.push(',');
            out.push_str(space(false));
        }
        match spec {
            Spec::Exists(k) => out.push_str(k),
            Spec::DoesNotExist(k) => {
                out.push('!');
                out.push_str(space(false));
                out.push_str(k);
            }
            Spec::Single(k, op, v) => {
                let symbol = match op {
                    Operator::Equals => "=",
                    Operator::DoubleEquals => "==",
                    Operator::NotEquals => "!=",
                    Operator::GreaterThan => ">",
                    Operator::LessThan => "<",
                    other => unreachable!("{other:?} is not a single-value operator"),
                };
                out.push_str(k);
                out.push_str(space(false));
                out.push_str(symbol);
                out.push_str(space(false));
                out.push_str(v);
            }
            Spec::List(k, op, items) => {
                out.push_str(k);
                out.push_str(space(true));
                out.push_str(if *op == Operator::In { "in" } else { "notin" });
                out.push_str(space(false));
                out.push('(');
                for item in items {
                    out.push_str(space(false));
                    out.push_str(item.unwrap_or(","));
                }
                out.push_str(space(false));
                out.push(')');
            }
        }
    }
    out.push_str(space(false));
    out
}

/// Random requirements rendered to text; the text is always a valid selector.
fn structured() -> impl Strategy<Value = (String, Vec<Spec>)> {
    (
        prop::collection::vec(spec(), 0..6),
        prop::collection::vec((any::<usize>(), any::<usize>()), 1..24),
    )
        .prop_map(|(specs, ws)| (render(&specs, &ws), specs))
}

/// A structured selector with a few edits: a soup token inserted, a character deleted, or a character
/// replaced by a soup token. Mostly near-misses that reach deep error paths; some are still accepted.
fn mutated() -> impl Strategy<Value = String> {
    let edit = (any::<prop::sample::Index>(), 0..3u8, select(SOUP_TOKENS));
    (structured(), prop::collection::vec(edit, 1..4)).prop_map(|((mut text, _), edits)| {
        for (at, kind, token) in edits {
            let bounds: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let i = *at.get(&bounds);
            let next = text[i..].chars().next().map_or(0, char::len_utf8);
            match kind {
                0 => text.insert_str(i, token),
                1 => text.replace_range(i..i + next, ""),
                _ => text.replace_range(i..i + next, token),
            }
        }
        text
    })
}

/// Any of the four kinds of input: arbitrary strings, soup, edited and valid structured selectors.
fn any_input() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        2 => soup(),
        2 => mutated(),
        2 => structured().prop_map(|(text, _)| text),
    ]
}

fn label_map() -> impl Strategy<Value = BTreeMap<String, String>> {
    let key = prop_oneof![
        8 => select(KEYS),
        1 => select(LABEL_ONLY_KEYS),
    ];
    let value = prop_oneof![
        2 => select(LABEL_VALUES),
        1 => select(VALUES),
        1 => select(THRESHOLDS),
    ];
    prop::collection::btree_map(
        key.prop_map(String::from),
        value.prop_map(String::from),
        0..6,
    )
}

// ---------------------------------------------------------------------------------------------------
// The oracle (`support::oracle`), with the parser's thresholds checked against it
// ---------------------------------------------------------------------------------------------------

/// The oracle's verdict on one parsed requirement; for `>` and `<`, also checks that `threshold()` is
/// the value text as Go's `ParseInt` reads it.
fn oracle_requirement(
    req: &Requirement<'_>,
    labels: &BTreeMap<String, String>,
) -> Result<bool, TestCaseError> {
    let values: Vec<&str> = req.values().collect();
    if matches!(req.operator(), Operator::GreaterThan | Operator::LessThan) {
        prop_assert_eq!(values.len(), 1, "{:?} has one threshold", req);
        prop_assert_eq!(
            req.threshold(),
            oracle::go_parse_int(values[0]),
            "threshold() disagrees with the value text of {:?}",
            req
        );
    }
    Ok(oracle::requirement_holds(
        req.key(),
        req.operator(),
        &values,
        labels,
    ))
}

/// Checks the library's verdicts against the oracle for one expression and one label map.
fn check_matching(
    text: &str,
    expr: &Expression,
    labels: &BTreeMap<String, String>,
) -> Result<bool, TestCaseError> {
    let want = oracle::expression_holds(expr, labels);
    let hashed: HashMap<&str, &str> = labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    prop_assert_eq!(
        expr.matches(labels),
        want,
        "BTreeMap verdict for {:?} (canonical {:?}) on {:?}",
        text,
        expr.to_string(),
        labels
    );
    prop_assert_eq!(
        expr.matches(&hashed),
        want,
        "HashMap verdict for {:?} on {:?}",
        text,
        labels
    );
    for req in expr.requirements() {
        let one = oracle_requirement(&req, labels)?;
        prop_assert_eq!(
            req.matches(labels),
            one,
            "requirement {:?} of {:?} on {:?}",
            req,
            text,
            labels
        );
    }
    Ok(want)
}

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

/// Parses without panicking; on error, the span lies inside the input on character boundaries and the
/// messages can be formatted.
fn parse_checked(text: &str) -> Result<Option<Expression>, TestCaseError> {
    match Expression::parse(text) {
        Ok(expr) => Ok(Some(expr)),
        Err(err) => {
            let span = err.span();
            prop_assert!(
                span.start <= span.end && span.end <= text.len(),
                "span {:?} outside {:?}",
                span,
                text
            );
            prop_assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "span {:?} splits a character of {:?}",
                span,
                text
            );
            prop_assert_eq!(err.input(), text);
            prop_assert_eq!(err.found(), &text[span.clone()]);
            let line = err.to_string();
            prop_assert!(!line.is_empty());
            prop_assert!(!line.contains('\n'), "one-line message {:?}", line);
            prop_assert!(err.render().starts_with("error: "));
            let _ = (format!("{err:#}"), format!("{err:?}"), err.expected());
            Ok(None)
        }
    }
}

/// Parsing the canonical text gives an equal expression, requirement by requirement (thresholds too),
/// with the same canonical text.
fn check_round_trip(text: &str, expr: &Expression) -> Result<(), TestCaseError> {
    let canonical = expr.to_string();
    let again = match Expression::parse(&canonical) {
        Ok(again) => again,
        Err(err) => {
            return Err(TestCaseError::fail(format!(
                "{text:?} parsed, but its canonical text {canonical:?} does not: {err}"
            )));
        }
    };
    prop_assert_eq!(&again, expr, "re-parse of {:?} from {:?}", canonical, text);
    prop_assert_eq!(
        again.to_string(),
        canonical.as_str(),
        "canonical text of {:?}",
        text
    );
    prop_assert_eq!(again.len(), expr.len());
    for (a, b) in expr.requirements().zip(again.requirements()) {
        prop_assert_eq!(a.key(), b.key());
        prop_assert_eq!(a.operator(), b.operator());
        prop_assert_eq!(
            a.values().collect::<Vec<_>>(),
            b.values().collect::<Vec<_>>()
        );
        prop_assert_eq!(a.threshold(), b.threshold());
    }
    // The canonical text carries no surrounding whitespace.
    prop_assert!(
        !canonical.starts_with(char::is_whitespace) && !canonical.ends_with(char::is_whitespace)
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary Unicode strings: no panic, sane errors, and round-trip whatever is accepted.
    #[test]
    fn parse_never_panics_on_arbitrary_strings(text in any::<String>()) {
        if let Some(expr) = parse_checked(&text)? {
            check_round_trip(&text, &expr)?;
        }
    }

    /// Selector-like soup: no panic, sane errors, and round-trip whatever is accepted.
    #[test]
    fn parse_never_panics_on_selector_soup(text in soup()) {
        if let Some(expr) = parse_checked(&text)? {
            check_round_trip(&text, &expr)?;
        }
    }

    /// Structured selectors with a few edits: no panic, sane errors, round-trip when accepted.
    #[test]
    fn parse_never_panics_on_edited_selectors(text in mutated()) {
        if let Some(expr) = parse_checked(&text)? {
            check_round_trip(&text, &expr)?;
        }
    }

    /// Arbitrary bytes that happen to be UTF-8 after lossy conversion, including lone NULs and
    /// control bytes at every position.
    #[test]
    fn parse_never_panics_on_lossy_bytes(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Some(expr) = parse_checked(&text)? {
            check_round_trip(&text, &expr)?;
        }
    }

    /// Idempotence of the canonical text, over all three kinds of input.
    #[test]
    fn canonical_text_round_trips(text in any_input()) {
        if let Some(expr) = parse_checked(&text)? {
            check_round_trip(&text, &expr)?;
            // Parsing the same text twice gives equal expressions (determinism).
            prop_assert_eq!(Expression::parse(&text).ok(), Some(expr));
        }
    }

    /// Structured selectors always parse, into exactly the requirements the Kubernetes rules predict:
    /// stably sorted by key, values sorted and deduplicated, `""` for empty list slots; and print the
    /// predicted canonical text.
    #[test]
    fn structured_selectors_parse_as_predicted((text, specs) in structured()) {
        let expr = match Expression::parse(&text) {
            Ok(expr) => expr,
            Err(err) => return Err(TestCaseError::fail(format!("{text:?} rejected: {err:#}"))),
        };
        let mut want: Vec<(String, Operator, Vec<String>)> = specs.iter().map(Spec::expected).collect();
        // Stable: same-key requirements keep the order written.
        want.sort_by(|a, b| a.0.cmp(&b.0));
        let got: Vec<(String, Operator, Vec<String>)> = expr
            .requirements()
            .map(|r| (r.key().to_string(), r.operator(), r.values().map(String::from).collect()))
            .collect();
        prop_assert_eq!(&got, &want, "requirements of {:?}", text);
        let canonical: Vec<String> = want.iter().map(canonical_of).collect();
        prop_assert_eq!(expr.to_string(), canonical.join(","), "canonical text of {:?}", text);
        prop_assert_eq!(expr.is_empty(), specs.is_empty());
        for (req, spec) in expr.requirements().zip(want.iter()) {
            let want_threshold = match spec.1 {
                Operator::GreaterThan | Operator::LessThan => Some(spec.2[0].parse::<i64>().unwrap()),
                _ => None,
            };
            prop_assert_eq!(req.threshold(), want_threshold, "threshold of {:?} in {:?}", req, text);
        }
        check_round_trip(&text, &expr)?;
        // Keys are in byte order.
        prop_assert!(expr.requirements().zip(expr.requirements().skip(1)).all(|(a, b)| a.key() <= b.key()));
    }

    /// The absent-key column of the table: `!=`, `notin` and `!key` hold on the empty label set, and
    /// only they do.
    #[test]
    fn absent_keys_follow_the_table((text, _) in structured()) {
        let expr = Expression::parse(&text).expect("structured selectors parse");
        let empty = BTreeMap::new();
        for req in expr.requirements() {
            let absent_passes = matches!(
                req.operator(),
                Operator::NotEquals | Operator::NotIn | Operator::DoesNotExist
            );
            prop_assert_eq!(req.matches(&empty), absent_passes, "{:?}", req);
            prop_assert_eq!(
                oracle_requirement(&req, &empty)?,
                absent_passes,
                "{:?}",
                req
            );
        }
    }
}

/// Matching agrees with the oracle. Run by hand so that it can count how many generated
/// strings parse and how many label maps match, and fail if either property would be vacuous.
#[test]
fn matching_agrees_with_the_oracle() {
    let strategy = (
        prop_oneof![
            4 => structured().prop_map(|(text, _)| text),
            1 => mutated(),
            1 => soup(),
        ],
        prop::collection::vec(label_map(), 1..10),
    );
    let cases = Cell::new(0usize);
    let parsed = Cell::new(0usize);
    let checks = Cell::new(0usize);
    let hits = Cell::new(0usize);
    let nonempty_hits = Cell::new(0usize);
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |(text, maps)| {
        cases.set(cases.get() + 1);
        let Some(expr) = parse_checked(&text)? else {
            return Ok(());
        };
        parsed.set(parsed.get() + 1);
        let again = Expression::parse(&expr.to_string()).expect("canonical text parses");
        for labels in &maps {
            checks.set(checks.get() + 1);
            let verdict = check_matching(&text, &expr, labels)?;
            prop_assert_eq!(
                again.matches(labels),
                verdict,
                "re-parse of {:?} on {:?}",
                text,
                labels
            );
            if verdict {
                hits.set(hits.get() + 1);
                if !expr.is_empty() {
                    nonempty_hits.set(nonempty_hits.get() + 1);
                }
            }
        }
        Ok(())
    });
    if let Err(err) = result {
        panic!("{err}");
    }
    let (cases, parsed, checks, hits) = (cases.get(), parsed.get(), checks.get(), hits.get());
    eprintln!(
        "matching: {cases} cases, {parsed} parsed, {checks} verdicts, {hits} true ({} with requirements)",
        nonempty_hits.get()
    );
    assert!(
        parsed * 2 >= cases,
        "only {parsed} of {cases} generated selectors parsed"
    );
    // Both verdicts must be common, or the comparison says little.
    assert!(
        hits * 20 >= checks,
        "only {hits} of {checks} verdicts were true"
    );
    assert!(
        (checks - hits) * 20 >= checks,
        "only {} of {checks} verdicts were false",
        checks - hits
    );
    assert!(
        nonempty_hits.get() * 50 >= checks,
        "too few non-empty selectors matched"
    );
}

/// The oracle itself, on the golden cases of the matching table, so that agreement with it means something.
#[test]
fn oracle_follows_the_table() {
    let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    // (selector, node labels, verdict)
    type Golden = (&'static str, &'static [(&'static str, &'static str)], bool);
    let cases: &[Golden] = &[
        ("x!=a", &[], true),
        ("x notin (a)", &[], true),
        ("x in (a)", &[], false),
        ("x=a", &[], false),
        ("x", &[], false),
        ("x>1", &[], false),
        ("x<1", &[], false),
        ("x=", &[("x", "")], true),
        ("x=", &[], false),
        ("x!=", &[], true),
        ("x!=", &[("x", "a")], true),
        ("x!=", &[("x", "")], false),
        ("x in ()", &[("x", "")], true),
        ("x notin ()", &[("x", "")], false),
        ("x=A", &[("x", "a")], false),
        ("X=a", &[("x", "a")], false),
        ("x>1", &[("x", "02")], true),
        ("x>1", &[("x", "+2")], true),
        ("x<1", &[("x", "-0")], true),
        ("x>1", &[("x", "1")], false),
        ("x>1", &[("x", "1.5")], false),
        ("x<1", &[("x", " 2")], false),
        ("x<1", &[("x", "0x10")], false),
        ("x<1", &[("x", "")], false),
        ("x>1", &[("x", "9223372036854775808")], false),
        ("x", &[("x", "")], true),
        ("!x", &[("x", "")], false),
        ("x,!x", &[("x", "a")], false),
        ("x=a,x=b", &[("x", "a")], false),
        ("", &[], true),
    ];
    for &(text, pairs, want) in cases {
        let expr = Expression::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        let labels = labels(pairs);
        assert_eq!(
            oracle::expression_holds(&expr, &labels),
            want,
            "oracle: {text:?} on {pairs:?}"
        );
        assert_eq!(
            expr.matches(&labels),
            want,
            "library: {text:?} on {pairs:?}"
        );
    }
}

/// The oracle gives the verdict Kubernetes recorded on every node of every accepted case in
/// `tests/data/` (the engines are checked against the same vectors in `conformance`).
#[test]
fn oracle_follows_the_recorded_kubernetes_verdicts() {
    let mut cases = Vec::new();
    for file in ["k8s-upstream.jsonl", "k8s-labels.jsonl", "k8s-long.jsonl"] {
        cases.extend(string_cases(file));
    }
    cases.extend(selector_cases("selectors.jsonl"));
    let mut verdicts = [0usize; 2];
    let mut failures = Vec::new();
    for case in &cases {
        let Ok(selector) = &case.selector else {
            continue;
        };
        if !case.ok || selector.compile().is_err() {
            continue;
        }
        let expressions = oracle::parse_expressions(selector);
        for (node, want) in &case.nodes {
            let got = oracle::parsed_selector_holds(selector, &expressions, &node.id, &node.labels);
            if got != *want {
                failures.push(format!(
                    "{}: {:?} gives {got}, want {want}",
                    case.name, node.labels
                ));
            }
            verdicts[usize::from(*want)] += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        verdicts[0] > 1000 && verdicts[1] > 1000,
        "too few recorded verdicts: {verdicts:?} (false, true)"
    );
}

/// `go_parse_int` reads exactly what `str::parse::<i64>` reads (both follow Go's `ParseInt` for base
/// 10: an optional sign, decimal digits, in range), on the edge cases and on generated strings.
#[test]
fn go_parse_int_reads_what_go_reads() {
    let cases: &[(&str, Option<i64>)] = &[
        ("0", Some(0)),
        ("007", Some(7)),
        ("+2", Some(2)),
        ("-0", Some(0)),
        ("-3", Some(-3)),
        ("9223372036854775807", Some(i64::MAX)),
        ("-9223372036854775808", Some(i64::MIN)),
        ("+09223372036854775807", Some(i64::MAX)),
        ("9223372036854775808", None),
        ("-9223372036854775809", None),
        ("99999999999999999999", None),
        ("", None),
        ("+", None),
        ("-", None),
        ("--1", None),
        ("+-1", None),
        (" 5", None),
        ("5 ", None),
        ("1.5", None),
        ("1e3", None),
        ("0x10", None),
        ("1_000", None),
        ("٣", None),
    ];
    for &(text, want) in cases {
        assert_eq!(oracle::go_parse_int(text), want, "{text:?}");
    }
    let mut runner = TestRunner::new(config());
    let strings = prop_oneof![
        "[+-]{0,2}[0-9]{0,21}",
        "[+-]?0{0,30}[1-9][0-9]{17,19}",
        any::<String>(),
    ];
    let result = runner.run(&strings, |text| {
        prop_assert_eq!(
            oracle::go_parse_int(&text),
            text.parse::<i64>().ok(),
            "{:?}",
            text
        );
        Ok(())
    });
    if let Err(err) = result {
        panic!("{err}");
    }
}
