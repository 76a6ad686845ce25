//! Matching verdicts (the table of `Requirement.Matches` in `k8s.io/apimachinery/pkg/labels/selector.go`), with every kind of label map the crate accepts.

use std::collections::{BTreeMap, HashMap};

use crate::support::oracle;
use labelsel::{Expression, Labels};

/// Checks the verdict of `selector` on `labels` through `HashMap<String, String>`, `HashMap<&str, &str>`,
/// `BTreeMap<String, String>`, `BTreeMap<&str, &str>`, a reference, a trait object, and (for single
/// requirements) `Requirement::matches`; and that the oracle (`support::oracle`) gives it too.
#[track_caller]
fn check(selector: &str, labels: &[(&str, &str)], expected: bool) {
    let expr = Expression::parse(selector).unwrap_or_else(|e| panic!("{selector:?}: {e}"));
    let hash_owned: HashMap<String, String> = labels
        .iter()
        .map(|&(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let hash_borrowed: HashMap<&str, &str> = labels.iter().copied().collect();
    let btree_owned: BTreeMap<String, String> = labels
        .iter()
        .map(|&(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let btree_borrowed: BTreeMap<&str, &str> = labels.iter().copied().collect();
    assert_eq!(
        hash_owned.len(),
        labels.len(),
        "duplicate keys in the test table"
    );

    let place = format!("{selector:?} on {labels:?}");
    assert_eq!(
        expr.matches(&hash_owned),
        expected,
        "HashMap<String, String>: {place}"
    );
    assert_eq!(
        expr.matches(&hash_borrowed),
        expected,
        "HashMap<&str, &str>: {place}"
    );
    assert_eq!(
        expr.matches(&btree_owned),
        expected,
        "BTreeMap<String, String>: {place}"
    );
    assert_eq!(
        expr.matches(&btree_borrowed),
        expected,
        "BTreeMap<&str, &str>: {place}"
    );
    assert_eq!(
        expr.matches(&&btree_borrowed),
        expected,
        "&BTreeMap: {place}"
    );
    let dynamic: &dyn Labels = &hash_owned;
    assert_eq!(expr.matches(dynamic), expected, "dyn Labels: {place}");
    assert_eq!(
        oracle::expression_holds(&expr, &btree_owned),
        expected,
        "oracle: {place}"
    );
    if expr.len() == 1 {
        let req = expr.requirements().next().unwrap();
        assert_eq!(
            req.matches(&hash_borrowed),
            expected,
            "Requirement::matches: {place}"
        );
    }
}

/// One row of an operator's table: key absent, present with a matching value, present with another
/// value, present with the empty value.
#[track_caller]
fn row(
    selector: &str,
    matching: &str,
    other: &str,
    absent: bool,
    hit: bool,
    miss: bool,
    empty: bool,
) {
    check(selector, &[], absent);
    check(selector, &[("y", matching)], absent);
    check(selector, &[("x", matching)], hit);
    check(selector, &[("x", matching), ("y", other)], hit);
    check(selector, &[("x", other)], miss);
    check(selector, &[("x", "")], empty);
}

#[test]
fn equals() {
    row("x=a", "a", "b", false, true, false, false);
    row("x = a", "a", "aa", false, true, false, false);
}

#[test]
fn double_equals() {
    row("x==a", "a", "b", false, true, false, false);
}

#[test]
fn not_equals() {
    row("x!=a", "a", "b", true, false, true, true);
}

#[test]
fn in_list() {
    row("x in (a)", "a", "b", false, true, false, false);
    row("x in (a,b,c)", "b", "d", false, true, false, false);
    for value in ["a", "b", "c", "d", "e", "f", "g"] {
        check("x in (g,f,e,d,c,b,a)", &[("x", value)], true);
        check("x notin (g,f,e,d,c,b,a)", &[("x", value)], false);
    }
    for value in ["", "A", "aa", "h", "0"] {
        check("x in (g,f,e,d,c,b,a)", &[("x", value)], false);
        check("x notin (g,f,e,d,c,b,a)", &[("x", value)], true);
    }
}

#[test]
fn notin_list() {
    row("x notin (a)", "a", "b", true, false, true, true);
    row("x notin (a,b,c)", "c", "d", true, false, true, true);
}

#[test]
fn exists() {
    row("x", "a", "b", false, true, true, true);
}

#[test]
fn does_not_exist() {
    row("!x", "a", "b", true, false, false, false);
}

#[test]
fn greater_than() {
    row("x>1", "2", "1", false, true, false, false);
    check("x>1", &[("x", "0")], false);
    check("x>0", &[("x", "9223372036854775807")], true);
    check(
        "x>9223372036854775806",
        &[("x", "9223372036854775807")],
        true,
    );
    check(
        "x>9223372036854775807",
        &[("x", "9223372036854775807")],
        false,
    );
    check("x>01", &[("x", "2")], true);
    check("x>01", &[("x", "1")], false);
}

#[test]
fn less_than() {
    row("x<1", "0", "1", false, true, false, false);
    check("x<1", &[("x", "2")], false);
    check("x<0", &[("x", "-9223372036854775808")], true);
    check(
        "x<9223372036854775807",
        &[("x", "9223372036854775806")],
        true,
    );
    check("x<010", &[("x", "9")], true);
}

#[test]
fn empty_value_requirements() {
    // `x=` matches an empty value, not an absent key; `x!=` the reverse.
    row("x=", "", "a", false, true, false, true);
    row("x==", "", "a", false, true, false, true);
    row("x!=", "", "a", true, false, true, false);
}

#[test]
fn in_empty_list_is_equals_empty() {
    let cases: [&[(&str, &str)]; 5] = [
        &[],
        &[("x", "")],
        &[("x", "a")],
        &[("y", "")],
        &[("x", " ")],
    ];
    for labels in cases {
        for (list, single) in [
            ("x in ()", "x="),
            ("x notin ()", "x!="),
            ("x in (,)", "x="),
            ("x notin ( , )", "x!="),
        ] {
            let a = Expression::parse(list).unwrap();
            let b = Expression::parse(single).unwrap();
            let map: HashMap<&str, &str> = labels.iter().copied().collect();
            assert_eq!(
                a.matches(&map),
                b.matches(&map),
                "{list:?} vs {single:?} on {labels:?}"
            );
        }
    }
    check("x in ()", &[("x", "")], true);
    check("x in ()", &[], false);
    check("x in ()", &[("x", "a")], false);
    check("x notin ()", &[], true);
    check("x notin ()", &[("x", "")], false);
    check("x notin ()", &[("x", "a")], true);
}

#[test]
fn lists_with_an_empty_slot() {
    check("x in (,a)", &[("x", "")], true);
    check("x in (,a)", &[("x", "a")], true);
    check("x in (,a)", &[("x", "b")], false);
    check("x in (a,,b)", &[("x", "")], true);
    check("x notin (a,,b)", &[("x", "")], false);
    check("x notin (a,,b)", &[("x", "c")], true);
    check("x notin (a,,b)", &[], true);
}

#[test]
fn negative_operators_hold_for_absent_keys() {
    for selector in [
        "x!=a",
        "x notin (a)",
        "x notin (a,b)",
        "!x",
        "x!=",
        "x notin ()",
    ] {
        check(selector, &[], true);
        check(selector, &[("y", "a"), ("X", "a"), ("xx", "a")], true);
    }
    for selector in ["x=a", "x==a", "x in (a)", "x", "x>1", "x<1", "x="] {
        check(selector, &[], false);
        check(selector, &[("y", "a"), ("X", "a"), ("xx", "a")], false);
    }
}

#[test]
fn comparison_is_exact_and_case_sensitive() {
    check("x=A", &[("x", "a")], false);
    check("X=a", &[("x", "a")], false);
    check("x=a", &[("x", "a ")], false);
    check("x=a", &[("x", " a")], false);
    check("x in (a)", &[("x", "A")], false);
    check("x!=A", &[("x", "a")], true);
    check("p.io/x=a", &[("x", "a")], false);
    check("p.io/x=a", &[("p.io/x", "a")], true);
}

#[test]
fn label_values_are_not_validated() {
    // Labels come from the node; only the selector is validated.
    check("x", &[("x", "not a/valid value!")], true);
    check("x!=a", &[("x", "-")], true);
    check("x notin (a)", &[("x", "é")], true);
    check("x in (a)", &[("x", "a\0")], false);
}

#[test]
fn integer_parsing_on_the_label_side() {
    // (label value, verdict of `x>1`, verdict of `x<3`)
    let table: &[(&str, bool, bool)] = &[
        ("2", true, true),
        ("02", true, true),
        ("+2", true, true),
        ("-0", false, true),
        ("-5", false, true),
        ("0", false, true),
        ("1", false, true),
        ("3", true, false),
        ("1.5", false, false),
        ("2.0", false, false),
        (" 2", false, false),
        ("2 ", false, false),
        ("0x10", false, false),
        ("1_0", false, false),
        ("1e1", false, false),
        ("", false, false),
        ("a", false, false),
        ("+", false, false),
        ("-", false, false),
        ("--2", false, false),
        ("+-2", false, false),
        ("２", false, false),
        ("٣", false, false),
        ("9223372036854775807", true, false),
        ("9223372036854775808", false, false),
        ("-9223372036854775808", false, true),
        ("-9223372036854775809", false, false),
        ("99999999999999999999999", false, false),
    ];
    for &(value, gt, lt) in table {
        check("x>1", &[("x", value)], gt);
        check("x<3", &[("x", value)], lt);
        check("x>1,x<3", &[("x", value)], gt && lt);
    }
    check("x<1", &[("x", "-0")], true);
    check("x>0", &[("x", "-0")], false);
    check("x<0", &[("x", "-0")], false);
}

#[test]
fn comparisons_are_strict() {
    check("x>1", &[("x", "1")], false);
    check("x<1", &[("x", "1")], false);
    check("x>0", &[("x", "0")], false);
    check("x<0", &[("x", "0")], false);
}

#[test]
fn requirements_are_anded() {
    check("x=a,y=b", &[("x", "a")], false);
    check("x=a,y=b", &[("y", "b")], false);
    check("x=a,y=b", &[("x", "a"), ("y", "b")], true);
    check("x=a,y=b", &[("x", "a"), ("y", "c")], false);
    check(
        "env in (prod,staging),gpu,!debug,cpu>8",
        &[("env", "prod"), ("gpu", "h100"), ("cpu", "16")],
        true,
    );
    check(
        "env in (prod,staging),gpu,!debug,cpu>8",
        &[
            ("env", "prod"),
            ("gpu", "h100"),
            ("cpu", "16"),
            ("debug", ""),
        ],
        false,
    );
    check(
        "env in (prod,staging),gpu,!debug,cpu>8",
        &[("env", "prod"), ("gpu", "h100"), ("cpu", "8")],
        false,
    );
}

#[test]
fn contradictions_never_match() {
    let label_sets: [&[(&str, &str)]; 5] = [
        &[],
        &[("x", "")],
        &[("x", "a")],
        &[("x", "b")],
        &[("y", "a")],
    ];
    for labels in label_sets {
        check("x,!x", labels, false);
        check("x=a,x=b", labels, false);
        check("x>5,x<3", labels, false);
    }
}

#[test]
fn presence_idiom() {
    // `k,k notin (v)`: the key must be present and not `v`.
    check("k,k notin (v)", &[], false);
    check("k,k notin (v)", &[("k", "v")], false);
    check("k,k notin (v)", &[("k", "w")], true);
    check("k,k notin (v)", &[("k", "")], true);
}

#[test]
fn empty_expression_matches_everything() {
    let label_sets: [&[(&str, &str)]; 4] = [
        &[],
        &[("x", "")],
        &[("x", "a"), ("y", "b")],
        &[("-weird key-", "\0")],
    ];
    for input in ["", "   ", "\n\t"] {
        for labels in label_sets {
            check(input, labels, true);
        }
    }
    assert!(Expression::default().matches(&HashMap::<String, String>::new()));
}

#[test]
fn custom_labels_impl() {
    struct Node {
        zone: String,
    }
    impl Labels for Node {
        fn get(&self, key: &str) -> Option<&str> {
            (key == "zone").then_some(self.zone.as_str())
        }
    }
    let node = Node { zone: "b".into() };
    assert!(Expression::parse("zone in (a,b)").unwrap().matches(&node));
    assert!(!Expression::parse("zone in (a,c)").unwrap().matches(&node));
    assert!(Expression::parse("!gpu").unwrap().matches(&node));
    assert!(!Expression::parse("gpu").unwrap().matches(&node));
}

#[test]
fn each_requirement_matches_on_its_own() {
    let expr = Expression::parse("x=a,!y,z notin (c)").unwrap();
    let labels = HashMap::from([("x", "a"), ("y", "b"), ("z", "d")]);
    let verdicts: Vec<(String, bool)> = expr
        .requirements()
        .map(|r| (r.to_string(), r.matches(&labels)))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("x=a".to_string(), true),
            ("!y".to_string(), false),
            ("z notin (c)".to_string(), true),
        ]
    );
    assert!(!expr.matches(&labels));
}

#[test]
fn lists_of_every_size() {
    for n in 1..=12 {
        let names: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
        let list = names.iter().rev().cloned().collect::<Vec<_>>().join(",");
        for name in &names {
            check(&format!("x in ({list})"), &[("x", name)], true);
            check(&format!("x notin ({list})"), &[("x", name)], false);
        }
        for other in ["", "v", "v99", "w0", "V0"] {
            check(&format!("x in ({list})"), &[("x", other)], false);
            check(&format!("x notin ({list})"), &[("x", other)], true);
        }
        check(&format!("x in ({list},)"), &[("x", "")], true);
    }
}

#[test]
fn several_lists_keep_their_own_values() {
    let selector = "x in (e,d,c,b,a),y in (f,g,h,i,j),z in (a,a,a,a,a,a),w notin (k,l,m,n,o,p)";
    let all = [("x", "c"), ("y", "j"), ("z", "a"), ("w", "a")];
    check(selector, &all, true);
    check(
        selector,
        &[("x", "f"), ("y", "j"), ("z", "a"), ("w", "a")],
        false,
    );
    check(
        selector,
        &[("x", "c"), ("y", "a"), ("z", "a"), ("w", "a")],
        false,
    );
    check(
        selector,
        &[("x", "c"), ("y", "j"), ("z", "b"), ("w", "a")],
        false,
    );
    check(
        selector,
        &[("x", "c"), ("y", "j"), ("z", "a"), ("w", "p")],
        false,
    );
}
