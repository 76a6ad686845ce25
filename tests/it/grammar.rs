//! Table tests for the selector grammar and canonical text (`Parse` and `String()` in
//! `k8s.io/apimachinery/pkg/labels/selector.go`).
//!
//! `good(input, canonical)` parses `input`, checks its canonical text, and checks that the canonical text
//! parses back to an equal expression with the same text. `bad(input, expected, span)` checks that `input`
//! is rejected, with `err.expected()` and `err.span()` as given.

use std::ops::Range;

use labelsel::{Expression, Operator};

const FIRST: &str = "a key, `!` or end of input";
const COMMA_OR_END: &str = "`,` or end of input";
const AFTER_COMMA: &str = "a key or `!` after `,`";
const KEY: &str = "a key";
const OPERATOR: &str =
    "an operator (`=`, `==`, `!=`, `in`, `notin`, `>` or `<`), `,` or end of input";
const VALUE: &str = "a value, `,` or end of input";
const OPEN_PAREN: &str = "`(`";
const LIST_START: &str = "a value, `,` or `)`";
const LIST_ITEM: &str = "a value or `,`";
const COMMA_OR_CLOSE: &str = "`,` or `)`";
const INVALID_KEY: &str = "a valid label key";
const INVALID_VALUE: &str = "a valid label value";
const THRESHOLD: &str = "a non-negative base-10 integer (up to 63 digits) that fits in 64 bits";

#[track_caller]
fn good(input: &str, canonical: &str) {
    let expr = match Expression::parse(input) {
        Ok(expr) => expr,
        Err(e) => panic!("failed to parse {input:?}: {e}"),
    };
    assert_eq!(expr.to_string(), canonical, "canonical text of {input:?}");
    let again = match Expression::parse(canonical) {
        Ok(expr) => expr,
        Err(e) => panic!("canonical text {canonical:?} of {input:?} does not re-parse: {e}"),
    };
    assert_eq!(again, expr, "re-parsing {canonical:?} (from {input:?})");
    assert_eq!(
        again.to_string(),
        canonical,
        "canonical text is a fixed point"
    );
    let via_from_str: Expression = input
        .parse()
        .expect("FromStr agrees with Expression::parse");
    assert_eq!(via_from_str, expr, "FromStr of {input:?}");
}

#[track_caller]
fn bad(input: &str, expected: &str, span: Range<usize>) {
    let err = match Expression::parse(input) {
        Ok(expr) => panic!(
            "{input:?} should be rejected, parsed as {:?}",
            expr.to_string()
        ),
        Err(err) => err,
    };
    assert_eq!(err.expected(), expected, "expected() for {input:?}: {err}");
    assert_eq!(err.span(), span, "span() for {input:?}: {err}");
    assert_eq!(err.input(), input);
}

/// Key, operator, values and threshold of each requirement, in canonical order.
type Parts<'a> = Vec<(&'a str, Operator, Vec<&'a str>, Option<i64>)>;

#[track_caller]
fn parts(input: &str) -> Parts<'static> {
    let expr = Expression::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    let expr: &'static Expression = Box::leak(Box::new(expr));
    let parts: Parts<'static> = expr
        .requirements()
        .map(|r| (r.key(), r.operator(), r.values().collect(), r.threshold()))
        .collect();
    assert_eq!(parts.len(), expr.len());
    parts
}

#[test]
fn every_operator() {
    good("x=a", "x=a");
    good("x==a", "x==a");
    good("x!=a", "x!=a");
    good("x in (a)", "x in (a)");
    good("x notin (a)", "x notin (a)");
    good("x", "x");
    good("!x", "!x");
    good("x>1", "x>1");
    good("x<1", "x<1");
}

#[test]
fn every_operator_parts() {
    use Operator::*;
    assert_eq!(parts("x=a"), [("x", Equals, vec!["a"], None)]);
    assert_eq!(parts("x==a"), [("x", DoubleEquals, vec!["a"], None)]);
    assert_eq!(parts("x!=a"), [("x", NotEquals, vec!["a"], None)]);
    assert_eq!(parts("x in (b,a)"), [("x", In, vec!["a", "b"], None)]);
    assert_eq!(parts("x notin (b,a)"), [("x", NotIn, vec!["a", "b"], None)]);
    assert_eq!(parts("x"), [("x", Exists, vec![], None)]);
    assert_eq!(parts("!x"), [("x", DoesNotExist, vec![], None)]);
    assert_eq!(parts("x>7"), [("x", GreaterThan, vec!["7"], Some(7))]);
    assert_eq!(parts("x<7"), [("x", LessThan, vec!["7"], Some(7))]);
    assert_eq!(parts("x="), [("x", Equals, vec![""], None)]);
    assert_eq!(parts("x in ()"), [("x", In, vec![""], None)]);
}

#[test]
fn operator_names() {
    let names: Vec<String> = [
        Operator::In,
        Operator::NotIn,
        Operator::Equals,
        Operator::DoubleEquals,
        Operator::NotEquals,
        Operator::Exists,
        Operator::DoesNotExist,
        Operator::GreaterThan,
        Operator::LessThan,
    ]
    .iter()
    .map(|op| op.to_string())
    .collect();
    assert_eq!(
        names,
        ["in", "notin", "=", "==", "!=", "exists", "!", "gt", "lt"]
    );
}

#[test]
fn empty_and_blank_inputs() {
    for input in ["", " ", "\t", "\r", "\n", " \t\r\n ", "\r\n\r\n"] {
        good(input, "");
        let expr = Expression::parse(input).unwrap();
        assert!(expr.is_empty(), "{input:?}");
        assert_eq!(expr.len(), 0);
        assert_eq!(expr.requirements().count(), 0);
        assert_eq!(expr, Expression::default());
    }
}

#[test]
fn whitespace_is_space_tab_cr_lf() {
    good(" x = a , y = b , z = c ", "x=a,y=b,z=c");
    good("foo  in\t (abc)", "foo in (abc)");
    good("\rx", "x");
    good("x notin\n (abc)", "x notin (abc)");
    good("x\r\n=\r\na", "x=a");
    good("\t!\tx\t", "!x");
    good("x in(a)", "x in (a)");
    good("x in ( a , b )", "x in (a,b)");
    good("x\n>\n1", "x>1");
    good(
        "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
        "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)",
    );
}

#[test]
fn vertical_tab_form_feed_and_nbsp_are_identifier_bytes() {
    bad("x\x0b=a", INVALID_KEY, 0..2);
    bad("x\x0c=a", INVALID_KEY, 0..2);
    bad("\x0bx", INVALID_KEY, 0..2);
    bad("\x0c", INVALID_KEY, 0..1);
    bad("x=a\x0b", INVALID_VALUE, 2..4);
    bad("x=a\u{a0}", INVALID_VALUE, 2..5);
    bad("\u{a0}x", INVALID_KEY, 0..3);
}

#[test]
fn identifiers_end_at_symbols() {
    good("ab=cd", "ab=cd");
    good("ab!=cd", "ab!=cd");
    good("ab>12", "ab>12");
    good("ab<12", "ab<12");
    good("a,b", "a,b");
    good("ab in(cd)", "ab in (cd)");
    good("ab in (cd,ef)", "ab in (cd,ef)");
    bad("x(a)", OPERATOR, 1..2);
    bad("x)", OPERATOR, 1..2);
    bad("x!y", OPERATOR, 1..2);
    bad("x=a)", COMMA_OR_END, 3..4);
    bad("x=a(", COMMA_OR_END, 3..4);
    bad("x=a!", COMMA_OR_END, 3..4);
    // An identifier is not ended by other punctuation; it is then an invalid key or value.
    bad("x:y", INVALID_KEY, 0..3);
    bad("x=a|b", INVALID_VALUE, 2..5);
    bad("x='a'", INVALID_VALUE, 2..5);
    bad("x=\"\"", INVALID_VALUE, 2..4);
}

#[test]
fn in_needs_whitespace_before_it_but_not_after() {
    bad("xin (a)", OPERATOR, 4..5);
    bad("xnotin (a)", OPERATOR, 7..8);
    good("x in(a)", "x in (a)");
    good("x notin(a)", "x notin (a)");
    bad("x in,", OPEN_PAREN, 4..5);
}

#[test]
fn in_and_notin_as_keys_and_values() {
    good("in in (in)", "in in (in)");
    good("notin notin (notin)", "notin notin (notin)");
    good("in=in", "in=in");
    good("notin=in", "notin=in");
    good("x=notin", "x=notin");
    good("x==in", "x==in");
    good("x!=notin", "x!=notin");
    good("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)");
    good("in", "in");
    good("notin", "notin");
    good("!in", "!in");
    good("in,notin", "in,notin");
    good("in notin (in)", "in notin (in)");
    good("exists", "exists");
    assert_eq!(
        parts("in in (in)"),
        [("in", Operator::In, vec!["in"], None)]
    );
    assert_eq!(parts("in"), [("in", Operator::Exists, vec![], None)]);
    bad("x in in", OPEN_PAREN, 5..7);
    bad("x in", OPEN_PAREN, 4..4);
    bad("x notin", OPEN_PAREN, 7..7);
    bad("x in a", OPEN_PAREN, 5..6);
    bad("x in = a", OPEN_PAREN, 5..6);
}

#[test]
fn keywords_are_case_sensitive() {
    bad("x IN (a)", OPERATOR, 2..4);
    bad("x In (a)", OPERATOR, 2..4);
    bad("x NotIn (a)", OPERATOR, 2..7);
    bad("x NOTIN (a)", OPERATOR, 2..7);
    bad("x exists", OPERATOR, 2..8);
    bad("x y", OPERATOR, 2..3);
    good("IN", "IN");
    good("NotIn=In", "NotIn=In");
}

#[test]
fn symbols_split_greedily() {
    bad("x===a", VALUE, 3..4);
    bad("x!==a", VALUE, 3..4);
    bad("x>=1", VALUE, 2..3);
    bad("x<=1", VALUE, 2..3);
    bad("x<>1", VALUE, 2..3);
    bad("x>>1", VALUE, 2..3);
    bad("x=!a", VALUE, 2..3);
    bad("x=(a)", VALUE, 2..3);
    bad("x=)", VALUE, 2..3);
    bad("x= =", VALUE, 3..4);
    bad("x!!=a", OPERATOR, 1..2);
    bad("!!x", KEY, 1..2);
    bad("!", KEY, 1..1);
    bad("! ", KEY, 2..2);
    bad("!=x", FIRST, 0..2);
    bad("==x", FIRST, 0..2);
    bad("!(x)", KEY, 1..2);
    bad("!,x", KEY, 1..2);
    // After `!key` only `,` or the end may follow.
    bad("!x=a", COMMA_OR_END, 2..3);
    bad("!x==a", COMMA_OR_END, 2..4);
    bad("!x!=a", COMMA_OR_END, 2..4);
    bad("!x in (a)", COMMA_OR_END, 3..5);
    bad("!x>1", COMMA_OR_END, 2..3);
    bad("!x y", COMMA_OR_END, 3..4);
}

#[test]
fn empty_values() {
    good("x=", "x=");
    good("x==", "x==");
    good("x!=", "x!=");
    good("x= ,y=", "x=,y=");
    good("x = , y == , z != ", "x=,y==,z!=");
    good("y=,!x", "!x,y=");
    assert_eq!(parts("x!="), [("x", Operator::NotEquals, vec![""], None)]);
    assert_eq!(
        parts("x=="),
        [("x", Operator::DoubleEquals, vec![""], None)]
    );
}

#[test]
fn value_lists() {
    good("x in ()", "x in ()");
    good("x in ( )", "x in ()");
    good("x in (,)", "x in ()");
    good("x in (,,)", "x in ()");
    good("x in (a,,b)", "x in (,a,b)");
    good("x in (a,,)", "x in (,a)");
    good("x in (a,,,)", "x in (,a)");
    good("x in (a,,,,,,)", "x in (,a)");
    good("x in (a,,a,,a,,a,,)", "x in (,a)");
    good("x in (,a)", "x in (,a)");
    good("x in (abc,)", "x in (,abc)");
    good("x in (abc,abc)", "x in (abc)");
    good("x in (b,a,c,a)", "x in (a,b,c)");
    good("x in ( , a , , b , )", "x in (,a,b)");
    good("x notin ()", "x notin ()");
    good("x notin (,)", "x notin ()");
    good("x notin (b,,a)", "x notin (,a,b)");
    assert_eq!(
        parts("x in (b,a,c,a)"),
        [("x", Operator::In, vec!["a", "b", "c"], None)]
    );
    assert_eq!(parts("x in (,)"), [("x", Operator::In, vec![""], None)]);
    assert_eq!(
        parts("x in (a,,b)"),
        [("x", Operator::In, vec!["", "a", "b"], None)]
    );

    bad("x in (xyz abc)", COMMA_OR_CLOSE, 10..13);
    bad("x in (a=b)", COMMA_OR_CLOSE, 7..8);
    bad("x in (a (b))", COMMA_OR_CLOSE, 8..9);
    bad("x in (a,=)", LIST_ITEM, 8..9);
    bad("x in (,=)", LIST_ITEM, 7..8);
    bad("x in (a,!)", LIST_ITEM, 8..9);
    bad("x in (a,(b))", LIST_ITEM, 8..9);
    bad("x in (a", COMMA_OR_CLOSE, 7..7);
    bad("x in (a,", LIST_ITEM, 8..8);
    bad("x in (a, ", LIST_ITEM, 9..9);
    bad("x in (", LIST_START, 6..6);
    bad("x in ( ", LIST_START, 7..7);
    bad("x in ((a))", LIST_START, 6..7);
    bad("x in (=)", LIST_START, 6..7);
    bad("x in (!a)", LIST_START, 6..7);
    bad("x in (a))", COMMA_OR_END, 8..9);
    bad("x in (a) (b)", COMMA_OR_END, 9..10);
    bad("x in (a) y", COMMA_OR_END, 9..10);
}

#[test]
fn commas_between_requirements() {
    good("a,b,c", "a,b,c");
    good("a , b ,c", "a,b,c");
    bad("x,", AFTER_COMMA, 2..2);
    bad("x, ", AFTER_COMMA, 3..3);
    bad("x=a,", AFTER_COMMA, 4..4);
    bad("x in (a),", AFTER_COMMA, 9..9);
    bad("!x,", AFTER_COMMA, 3..3);
    bad("x,,y", AFTER_COMMA, 2..3);
    bad("x, ,y", AFTER_COMMA, 3..4);
    bad("x,=a", AFTER_COMMA, 2..3);
    bad("x,)", AFTER_COMMA, 2..3);
    bad(",x", FIRST, 0..1);
    bad(" ,x", FIRST, 1..2);
    bad(",", FIRST, 0..1);
    bad("=a", FIRST, 0..1);
    bad("x=a y=b", COMMA_OR_END, 4..5);
    bad("x=a or y=b", COMMA_OR_END, 4..6);
}

#[test]
fn parentheses_do_not_group() {
    bad("(x=a)", FIRST, 0..1);
    bad("(x)", FIRST, 0..1);
    bad(")", FIRST, 0..1);
    bad("x=a,(y=b)", AFTER_COMMA, 4..5);
    bad("x=(a)", VALUE, 2..3);
    // No OR: `a||y` is one identifier, an invalid value.
    bad("x=a||y=b", INVALID_VALUE, 2..6);
}

#[test]
fn duplicates_are_kept() {
    good("x=a,x=a", "x=a,x=a");
    good("x=a,x=b", "x=a,x=b");
    good("a,!a", "a,!a");
    good("!a,a", "!a,a");
    good("x,x,x", "x,x,x");
    assert_eq!(Expression::parse("x=a,x=a").unwrap().len(), 2);
    assert_ne!(
        Expression::parse("x=a,x=a").unwrap(),
        Expression::parse("x=a").unwrap()
    );
}

#[test]
fn up_to_twelve_requirements_are_stably_sorted_by_key() {
    good("x=a,a=x", "a=x,x=a");
    good("a=x,x=a", "a=x,x=a");
    good("b=1,a=2,a=1", "a=2,a=1,b=1");
    good("b=2,a=1,b=1,a=2", "a=1,a=2,b=2,b=1");
    good("z,y,x,!y", "x,y,!y,z");
    assert_eq!(
        Expression::parse("x=a,a=x").unwrap(),
        Expression::parse("a=x,x=a").unwrap()
    );
    assert_ne!(
        Expression::parse("a=1,a=2").unwrap(),
        Expression::parse("a=2,a=1").unwrap()
    );
}

/// Up to 12 requirements Go's `sort.Sort` is an insertion sort (stable); from 13 on it is pdqsort, and
/// requirements that share a key come out in the order it leaves them, as Kubernetes prints them.
#[test]
fn from_thirteen_requirements_same_key_order_is_go_sort_order() {
    // Twelve: stable.
    good(
        "b,b,b,b,b,b,b,b,b,a=0,a=1,a=2",
        "a=0,a=1,a=2,b,b,b,b,b,b,b,b,b",
    );
    // Thirteen: Kubernetes prints `a=0,a=2,a=1`.
    good(
        "b,b,b,b,b,b,b,b,b,b,a=0,a=1,a=2",
        "a=0,a=2,a=1,b,b,b,b,b,b,b,b,b,b",
    );
    // Already sorted input is still run through Go's algorithm, which may move equal keys.
    let sorted: Vec<String> = (0..13).map(|i| format!("k={i}")).collect();
    let expr = Expression::parse(&sorted.join(",")).unwrap();
    let mut values: Vec<&str> = expr.requirements().flat_map(|r| r.values()).collect();
    values.sort_by_key(|v| v.parse::<u32>().unwrap());
    assert_eq!(values.len(), 13, "every requirement is kept");
}

#[test]
fn keys_and_values_sort_byte_wise() {
    good(
        "a_b=1,a/b=1,a.b=1,a-b=1,a=1,A=1,0=1",
        "0=1,A=1,a=1,a-b=1,a.b=1,a/b=1,a_b=1",
    );
    good("b,B,a,A", "A,B,a,b");
    good("x in (b,B,a_b,a.b,a-b,a,0)", "x in (0,B,a,a-b,a.b,a_b,b)");
    good("x notin (aa,a,ab,Z)", "x notin (Z,a,aa,ab)");
    good("ab=1,a=1,abc=1", "a=1,ab=1,abc=1");
}

#[test]
fn greater_and_less_thresholds() {
    good("x>01", "x>01");
    good("x<007", "x<007");
    good("x>0", "x>0");
    good("x > 1", "x>1");
    good("x>9223372036854775807", "x>9223372036854775807");
    good("x<9223372036854775807", "x<9223372036854775807");
    assert_eq!(
        parts("x>01,y<9223372036854775807,z>0"),
        [
            ("x", Operator::GreaterThan, vec!["01"], Some(1)),
            (
                "y",
                Operator::LessThan,
                vec!["9223372036854775807"],
                Some(i64::MAX)
            ),
            ("z", Operator::GreaterThan, vec!["0"], Some(0)),
        ]
    );
    // `x>1` and `x>01` print differently, so they are different expressions.
    assert_ne!(
        Expression::parse("x>1").unwrap(),
        Expression::parse("x>01").unwrap()
    );
    // Only `>` and `<` have a threshold.
    assert_eq!(parts("x=1")[0].3, None);
    assert_eq!(parts("x in (1)")[0].3, None);

    bad("x>9223372036854775808", THRESHOLD, 2..21);
    bad("x<99999999999999999999", THRESHOLD, 2..22);
    bad("x>", THRESHOLD, 2..2);
    bad("x<", THRESHOLD, 2..2);
    bad("x>,y", THRESHOLD, 2..2);
    bad("x>1.5", THRESHOLD, 2..5);
    bad("x>-1", THRESHOLD, 2..4);
    bad("x<-0", THRESHOLD, 2..4);
    bad("x>+1", THRESHOLD, 2..4);
    bad("x>-9223372036854775808", THRESHOLD, 2..22);
    bad("x>a", THRESHOLD, 2..3);
    bad("x>-a", THRESHOLD, 2..4);
    bad("x>0x10", THRESHOLD, 2..6);
    bad("x>1_000", THRESHOLD, 2..7);
    bad("x>1e3", THRESHOLD, 2..5);
    bad("x>in", THRESHOLD, 2..4);
    // Sixty-four digits parse as an i64 but are not a valid label value.
    bad(&format!("x>{}1", "0".repeat(63)), THRESHOLD, 2..66);
    good(
        &format!("x>{}1", "0".repeat(62)),
        &format!("x>{}1", "0".repeat(62)),
    );
    bad("x>(1)", VALUE, 2..3);
    bad("x<1 2", COMMA_OR_END, 4..5);
}

#[test]
fn nul_is_an_ordinary_identifier_byte() {
    // Kubernetes treats NUL as the end of the input; this crate deliberately does not.
    bad("x\0=a", INVALID_KEY, 0..2);
    bad("\0x", INVALID_KEY, 0..2);
    bad("\0", INVALID_KEY, 0..1);
    bad(" \0 ", INVALID_KEY, 1..2);
    bad("x=a\0", INVALID_VALUE, 2..4);
    bad("x=a,\0", INVALID_KEY, 4..5);
    bad("x in (a,\0)", INVALID_VALUE, 8..9);
    bad("x\0", INVALID_KEY, 0..2);
}

#[test]
fn keys_are_case_sensitive() {
    good("X=a,x=a", "X=a,x=a");
    assert_ne!(
        Expression::parse("x=a").unwrap(),
        Expression::parse("X=a").unwrap()
    );
    assert_ne!(
        Expression::parse("x=a").unwrap(),
        Expression::parse("x=A").unwrap()
    );
}

#[test]
fn equality_and_hash_ignore_spelling_but_not_operator() {
    use std::collections::HashSet;
    let a = Expression::parse(" x in ( b , a ) ,y").unwrap();
    let b = Expression::parse("y,x in (a,b,a)").unwrap();
    assert_eq!(a, b);
    let set: HashSet<Expression> = [a, b].into_iter().collect();
    assert_eq!(set.len(), 1);
    assert_ne!(
        Expression::parse("x=a").unwrap(),
        Expression::parse("x==a").unwrap()
    );
    assert_ne!(
        Expression::parse("x=a").unwrap(),
        Expression::parse("x in (a)").unwrap()
    );
}

#[test]
fn prefixed_keys() {
    good(
        "app.kubernetes.io/name=nginx,app.kubernetes.io/instance in (c,a,b)",
        "app.kubernetes.io/instance in (a,b,c),app.kubernetes.io/name=nginx",
    );
    good("!example.com/debug", "!example.com/debug");
    good("k8s.io/x>3", "k8s.io/x>3");
}

#[test]
fn key_errors_come_before_operator_errors() {
    bad("-x===a", INVALID_KEY, 0..2);
    bad("-x IN (a)", INVALID_KEY, 0..2);
    bad("!-x=a", INVALID_KEY, 1..3);
    bad("x=a,-y", INVALID_KEY, 4..6);
}

#[test]
fn value_lists_of_every_size() {
    // Lists are written in reverse with every value twice; they print sorted and deduplicated.
    for n in 1..=12 {
        let names: Vec<String> = (0..n).map(|i| format!("v{i:02}")).collect();
        let written: Vec<&str> = names
            .iter()
            .rev()
            .chain(names.iter())
            .map(String::as_str)
            .collect();
        let sorted = names.join(",");
        good(
            &format!("x in ({})", written.join(",")),
            &format!("x in ({sorted})"),
        );
        good(
            &format!("x notin ({},)", written.join(",")),
            &format!("x notin (,{sorted})"),
        );
        let expr = Expression::parse(&format!("x in ({})", written.join(", "))).unwrap();
        let values: Vec<&str> = expr.requirements().next().unwrap().values().collect();
        assert_eq!(values, names, "{n} values");
    }
}

#[test]
fn several_lists_in_one_expression() {
    good(
        "x in (e,d,c,b,a),y in (f,g,h,i,j),z in (a,a,a,a,a,a),w in (k,l,m,n,o,p)",
        "w in (k,l,m,n,o,p),x in (a,b,c,d,e),y in (f,g,h,i,j),z in (a)",
    );
    good(
        "z in (a,a,a,a,a,a),y in (f,g,h,i,j),x in (b,b,b,b,b,c),v in (,,q,,)",
        "v in (,q),x in (b,c),y in (f,g,h,i,j),z in (a)",
    );
    good(
        "a in (1,2,3,4,5,6),b=x,c in (9,8,7,6,5,4),d notin (1)",
        "a in (1,2,3,4,5,6),b=x,c in (4,5,6,7,8,9),d notin (1)",
    );
}
