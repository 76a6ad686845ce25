//! Key and value rules (`IsQualifiedName` and `IsValidLabelValue` of `k8s.io/apimachinery`), through `validate_key` / `validate_value`
//! and through `Expression::parse`.

use std::ops::Range;

use labelsel::{Expression, Found, LabelRule, validate_key, validate_value};

#[track_caller]
fn key_ok(key: &str) {
    if let Err(e) = validate_key(key) {
        panic!("key {key:?} should be valid: {e}");
    }
    let input = format!("{key}=v");
    let expr = Expression::parse(&input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    assert_eq!(expr.requirements().next().unwrap().key(), key);
}

#[track_caller]
fn value_ok(value: &str) {
    if let Err(e) = validate_value(value) {
        panic!("value {value:?} should be valid: {e}");
    }
    let input = format!("k={value}");
    let expr = Expression::parse(&input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    let values: Vec<&str> = expr.requirements().next().unwrap().values().collect();
    assert_eq!(values, [value]);
}

/// Checks that `validate_key` rejects `key` with `rule` at `offset`, and that `Expression::parse` does
/// too when the key is written in a selector (`key=v`, `!key`, `key in (v)`), with the whole key as span.
#[track_caller]
fn key_bad(key: &str, rule: LabelRule, offset: usize) {
    let err = match validate_key(key) {
        Ok(()) => panic!("key {key:?} should be invalid"),
        Err(e) => e,
    };
    assert_eq!(err.rule(), &rule, "rule for key {key:?}");
    assert_eq!(err.offset(), offset, "offset for key {key:?}");
    assert_eq!(err.to_string(), rule.to_string());
    if key.is_empty() {
        return; // The parser never sees an empty key.
    }
    for (input, start) in [
        (format!("{key}=v"), 0),
        (format!("!{key}"), 1),
        (format!("a, {key} in (v)"), 3),
    ] {
        let perr = Expression::parse(&input).expect_err(&input);
        let label = perr
            .label_error()
            .unwrap_or_else(|| panic!("{input:?} should fail on its key: {perr}"));
        assert_eq!(label, &err, "{input:?}");
        assert_eq!(label.rule(), &rule, "{input:?}");
        assert_eq!(label.offset(), offset, "{input:?}");
        assert_eq!(perr.span(), start..start + key.len(), "{input:?}");
        assert_eq!(perr.found(), key);
        assert_eq!(perr.expected(), "a valid label key");
    }
}

/// Checks that `validate_value` rejects `value` with `rule` at `offset`, and that `Expression::parse`
/// does too for `k=value`, `k!=value` and `k in (value)`.
#[track_caller]
fn value_bad(value: &str, rule: LabelRule, offset: usize) {
    let err = match validate_value(value) {
        Ok(()) => panic!("value {value:?} should be invalid"),
        Err(e) => e,
    };
    assert_eq!(err.rule(), &rule, "rule for value {value:?}");
    assert_eq!(err.offset(), offset, "offset for value {value:?}");
    assert_eq!(err.to_string(), rule.to_string());
    for (input, start) in [
        (format!("k={value}"), 2),
        (format!("k != {value}"), 5),
        (format!("k in (a,{value})"), 8),
        (format!("k notin ({value}, a)"), 9),
    ] {
        let perr = Expression::parse(&input).expect_err(&input);
        let label = perr
            .label_error()
            .unwrap_or_else(|| panic!("{input:?} should fail on its value: {perr}"));
        assert_eq!(label.rule(), &rule, "{input:?}");
        assert_eq!(label.offset(), offset, "{input:?}");
        assert_eq!(perr.span(), start..start + value.len(), "{input:?}");
        assert_eq!(perr.found(), value);
        assert_eq!(perr.expected(), "a valid label value");
    }
}

fn span_of(input: &str) -> Range<usize> {
    Expression::parse(input).unwrap_err().span()
}

// One test per rule.

#[test]
fn key_name_empty() {
    key_bad("", LabelRule::KeyNameEmpty, 0);
    key_bad("a/", LabelRule::KeyNameEmpty, 2);
    key_bad("example.com/", LabelRule::KeyNameEmpty, 12);
}

#[test]
fn key_name_too_long() {
    key_bad(&"a".repeat(64), LabelRule::KeyNameTooLong { len: 64 }, 63);
    key_bad(&"a".repeat(100), LabelRule::KeyNameTooLong { len: 100 }, 63);
    key_bad(
        &format!("p.io/{}", "b".repeat(64)),
        LabelRule::KeyNameTooLong { len: 64 },
        5 + 63,
    );
}

#[test]
fn key_name_edge() {
    key_bad("-a", LabelRule::KeyNameEdge { found: Found('-') }, 0);
    key_bad("a-", LabelRule::KeyNameEdge { found: Found('-') }, 1);
    key_bad("_a", LabelRule::KeyNameEdge { found: Found('_') }, 0);
    key_bad("a.", LabelRule::KeyNameEdge { found: Found('.') }, 1);
    key_bad(".", LabelRule::KeyNameEdge { found: Found('.') }, 0);
    key_bad(
        "example.com/-gpu",
        LabelRule::KeyNameEdge { found: Found('-') },
        12,
    );
}

#[test]
fn key_name_character() {
    key_bad("a*b", LabelRule::KeyNameCharacter { found: Found('*') }, 1);
    key_bad(
        "run:tmp",
        LabelRule::KeyNameCharacter { found: Found(':') },
        3,
    );
    key_bad("*", LabelRule::KeyNameCharacter { found: Found('*') }, 0);
    key_bad("a|b", LabelRule::KeyNameCharacter { found: Found('|') }, 1);
    key_bad(
        "x\u{b}",
        LabelRule::KeyNameCharacter {
            found: Found('\u{b}'),
        },
        1,
    );
    key_bad("x\0", LabelRule::KeyNameCharacter { found: Found('\0') }, 1);
    key_bad(
        "p.io/a+b",
        LabelRule::KeyNameCharacter { found: Found('+') },
        6,
    );
}

#[test]
fn key_too_many_slashes() {
    key_bad("a/b/c", LabelRule::KeyTooManySlashes, 3);
    key_bad("a//b", LabelRule::KeyTooManySlashes, 2);
    key_bad("//", LabelRule::KeyTooManySlashes, 1);
    key_bad("/a/", LabelRule::KeyTooManySlashes, 2);
    key_bad("a.io/b/c/d", LabelRule::KeyTooManySlashes, 6);
}

#[test]
fn key_prefix_empty() {
    key_bad("/a", LabelRule::KeyPrefixEmpty, 0);
    key_bad("/", LabelRule::KeyPrefixEmpty, 0);
}

#[test]
fn key_prefix_too_long() {
    key_bad(
        &format!("{}/b", "a".repeat(254)),
        LabelRule::KeyPrefixTooLong { len: 254 },
        253,
    );
}

#[test]
fn key_prefix_empty_part() {
    key_bad("a..b/c", LabelRule::KeyPrefixEmptyPart, 2);
    key_bad(".a/b", LabelRule::KeyPrefixEmptyPart, 0);
    key_bad("a./b", LabelRule::KeyPrefixEmptyPart, 2);
    key_bad("./b", LabelRule::KeyPrefixEmptyPart, 0);
}

#[test]
fn key_prefix_edge() {
    key_bad("-a/b", LabelRule::KeyPrefixEdge { found: Found('-') }, 0);
    key_bad("a-/b", LabelRule::KeyPrefixEdge { found: Found('-') }, 1);
    key_bad("a.-b/c", LabelRule::KeyPrefixEdge { found: Found('-') }, 2);
    key_bad(
        "ab.cd-/e",
        LabelRule::KeyPrefixEdge { found: Found('-') },
        5,
    );
}

#[test]
fn key_prefix_character() {
    key_bad(
        "A/b",
        LabelRule::KeyPrefixCharacter { found: Found('A') },
        0,
    );
    key_bad(
        "Example.com/zone",
        LabelRule::KeyPrefixCharacter { found: Found('E') },
        0,
    );
    key_bad(
        "example.Com/x",
        LabelRule::KeyPrefixCharacter { found: Found('C') },
        8,
    );
    key_bad(
        "a_b/c",
        LabelRule::KeyPrefixCharacter { found: Found('_') },
        1,
    );
    key_bad(
        "a:b/c",
        LabelRule::KeyPrefixCharacter { found: Found(':') },
        1,
    );
}

#[test]
fn value_too_long() {
    value_bad(&"a".repeat(64), LabelRule::ValueTooLong { len: 64 }, 63);
    value_bad(&"9".repeat(80), LabelRule::ValueTooLong { len: 80 }, 63);
}

#[test]
fn value_edge() {
    value_bad("-a", LabelRule::ValueEdge { found: Found('-') }, 0);
    value_bad("a-", LabelRule::ValueEdge { found: Found('-') }, 1);
    value_bad("_", LabelRule::ValueEdge { found: Found('_') }, 0);
    value_bad("a.", LabelRule::ValueEdge { found: Found('.') }, 1);
    value_bad("-1", LabelRule::ValueEdge { found: Found('-') }, 0);
}

#[test]
fn value_character() {
    value_bad("a/b", LabelRule::ValueCharacter { found: Found('/') }, 1);
    value_bad("a||y", LabelRule::ValueCharacter { found: Found('|') }, 1);
    value_bad("*", LabelRule::ValueCharacter { found: Found('*') }, 0);
    value_bad("+1", LabelRule::ValueCharacter { found: Found('+') }, 0);
    value_bad("\"\"", LabelRule::ValueCharacter { found: Found('"') }, 0);
    value_bad("é", LabelRule::ValueCharacter { found: Found('é') }, 0);
}

// Boundaries.

#[test]
fn name_of_63_bytes_is_valid_64_is_not() {
    key_ok(&"a".repeat(63));
    key_ok(&format!("a{}z", "-".repeat(61)));
    key_bad(&"a".repeat(64), LabelRule::KeyNameTooLong { len: 64 }, 63);
    key_ok(&format!("example.com/{}", "n".repeat(63)));
    key_bad(
        &format!("example.com/{}", "n".repeat(64)),
        LabelRule::KeyNameTooLong { len: 64 },
        12 + 63,
    );
}

#[test]
fn value_of_63_bytes_is_valid_64_is_not() {
    value_ok(&"v".repeat(63));
    value_ok(&format!("1{}2", "_".repeat(61)));
    value_bad(&"v".repeat(64), LabelRule::ValueTooLong { len: 64 }, 63);
}

#[test]
fn prefix_of_253_bytes_is_valid_254_is_not() {
    let longest = format!("{}/{}", "a".repeat(253), "b".repeat(63));
    assert_eq!(longest.len(), 317);
    key_ok(&longest);
    // No per-label limit of 63 in the prefix, but dotted prefixes count dots too.
    let dotted = format!(
        "{}.{}.{}.{}/x",
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61)
    );
    assert_eq!(dotted.len(), 253 + 2);
    key_ok(&dotted);
    key_bad(
        &format!("{}/{}", "a".repeat(254), "b".repeat(63)),
        LabelRule::KeyPrefixTooLong { len: 254 },
        253,
    );
    // The prefix is checked before the name.
    key_bad(
        &format!("{}/{}", "a".repeat(254), "b".repeat(64)),
        LabelRule::KeyPrefixTooLong { len: 254 },
        253,
    );
}

#[test]
fn uppercase_and_underscore_allowed_in_name_not_in_prefix() {
    key_ok("Tier_2");
    key_ok("A");
    key_ok("MyName");
    key_ok("my.name");
    key_ok("123-abc");
    key_ok("example.com/My_Name");
    key_ok("0.1.2.domain/99");
    key_bad(
        "Example.com/x",
        LabelRule::KeyPrefixCharacter { found: Found('E') },
        0,
    );
    key_bad(
        "ex_ample.com/x",
        LabelRule::KeyPrefixCharacter { found: Found('_') },
        2,
    );
}

#[test]
fn double_dot_valid_in_name_invalid_in_prefix() {
    key_ok("a..b");
    key_ok("p.io/a..b");
    value_ok("a..b");
    key_bad("a..b/c", LabelRule::KeyPrefixEmptyPart, 2);
}

#[test]
fn non_ascii_is_never_valid() {
    key_bad("é", LabelRule::KeyNameCharacter { found: Found('é') }, 0);
    key_bad("aé", LabelRule::KeyNameCharacter { found: Found('é') }, 1);
    key_bad(
        "ab\u{a0}",
        LabelRule::KeyNameCharacter {
            found: Found('\u{a0}'),
        },
        2,
    );
    key_bad(
        "é.io/a",
        LabelRule::KeyPrefixCharacter { found: Found('é') },
        0,
    );
    key_bad(
        "x.io/日本",
        LabelRule::KeyNameCharacter {
            found: Found('日')
        },
        5,
    );
    value_bad("aé", LabelRule::ValueCharacter { found: Found('é') }, 1);
    value_bad(
        "日本",
        LabelRule::ValueCharacter {
            found: Found('日')
        },
        0,
    );
    // Lengths are bytes: 32 two-byte characters are 64 bytes.
    value_bad(&"é".repeat(32), LabelRule::ValueTooLong { len: 64 }, 63);
    key_bad(&"é".repeat(32), LabelRule::KeyNameTooLong { len: 64 }, 63);
    // Unicode letters and digits are not ASCII alphanumerics.
    key_bad("Ä", LabelRule::KeyNameCharacter { found: Found('Ä') }, 0);
    value_bad("٣", LabelRule::ValueCharacter { found: Found('٣') }, 0);
}

#[test]
fn slash_in_values_is_invalid() {
    value_bad("a/b", LabelRule::ValueCharacter { found: Found('/') }, 1);
    value_bad("/", LabelRule::ValueCharacter { found: Found('/') }, 0);
    value_bad(
        "example.com/x",
        LabelRule::ValueCharacter { found: Found('/') },
        11,
    );
}

#[test]
fn more_than_one_slash_in_keys() {
    key_bad("a/b/c", LabelRule::KeyTooManySlashes, 3);
    // Reported even when the prefix and name would be invalid too.
    key_bad("A_/b/-", LabelRule::KeyTooManySlashes, 4);
}

#[test]
fn valid_values() {
    assert!(validate_value("").is_ok());
    value_ok("a");
    value_ok("0");
    value_ok("MyValue");
    value_ok("my_value");
    value_ok("12345");
    value_ok("us-east-1a");
    value_ok("A.b-C_d");
    value_ok("in");
    value_ok("notin");
}

#[test]
fn valid_keys() {
    key_ok("a");
    key_ok("0");
    key_ok("a-b_c.d");
    key_ok("topology.kubernetes.io/zone");
    key_ok("a/b");
    key_ok("1.2.3/4");
    key_ok("a-b.c-d/e");
    key_ok("in");
    key_ok("exists");
}

#[test]
fn error_messages_name_the_rule() {
    let cases: [(&str, &str); 5] = [
        (
            "-a",
            "the name part of a key must begin and end with a letter or digit, not '-'",
        ),
        (
            "a/b/c",
            "a key may hold at most one '/', between its DNS prefix and its name",
        ),
        ("a/", "the name part of a key must not be empty"),
        (
            "a..b/c",
            "the prefix of a key must be a DNS subdomain like 'example.com', without empty parts between dots",
        ),
        (
            "A/b",
            "the prefix of a key may hold only lowercase letters, digits, '-' and '.', not 'A'",
        ),
    ];
    for (key, message) in cases {
        assert_eq!(
            validate_key(key).unwrap_err().to_string(),
            message,
            "{key:?}"
        );
    }
    assert_eq!(
        validate_key(&"a".repeat(64)).unwrap_err().to_string(),
        "the name part of a key is 64 bytes long; at most 63 are allowed"
    );
    assert_eq!(
        validate_value(&"a".repeat(70)).unwrap_err().to_string(),
        "a value is 70 bytes long; at most 63 are allowed"
    );
    assert_eq!(
        validate_value("a\tb").unwrap_err().to_string(),
        "a value may hold only letters, digits, '-', '_' and '.', not '\\t'"
    );
}

#[test]
fn value_errors_in_lists_point_at_the_value() {
    // The first invalid value as written is reported, with its own span.
    assert_eq!(span_of("x in (a, -b, c-)"), 9..11);
    assert_eq!(span_of("x notin (ok,\tbad/)"), 13..17);
    // A syntax error in the list wins over an invalid value before it.
    let err = Expression::parse("x in (-a b)").unwrap_err();
    assert_eq!(err.span(), 9..10);
    assert!(err.label_error().is_none());
    // A value error in an earlier requirement wins over a syntax error after it.
    let err = Expression::parse("x=-a,,").unwrap_err();
    assert_eq!(err.span(), 2..4);
    assert_eq!(
        err.label_error().unwrap().rule(),
        &LabelRule::ValueEdge { found: Found('-') }
    );
}

#[test]
fn thresholds_that_are_not_valid_values_have_no_label_error() {
    for input in ["x>-1", "x>+1", "x<1.5", "x>"] {
        let err = Expression::parse(input).unwrap_err();
        assert!(err.label_error().is_none(), "{input:?}: {err}");
        assert_eq!(
            err.expected(),
            "a non-negative base-10 integer (up to 63 digits) that fits in 64 bits"
        );
    }
}
