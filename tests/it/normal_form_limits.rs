//! The normal form stays within what the default limits parse: merged `notin` lists are split into
//! lists of at most 1,000 values, and the joined text matches exactly what the selector matches. And
//! the analysis of a selector with a very large number of requirements on one key stays near linear.

use std::collections::HashMap;

use labelsel::{Expression, Limits, Selector};

/// `count` values `{prefix}{i}` from `from`, comma-separated.
fn values(prefix: &str, from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("{prefix}{i}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn node(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn two_notin_lists_of_600_merge_into_lists_the_default_limits_accept() {
    let selector = Selector::new().expression(format!(
        "x notin ({}), x notin ({})",
        values("v", 0, 600),
        values("v", 600, 600)
    ));
    let matcher = selector.compile().unwrap();
    let form = matcher.analyze().normal_form.unwrap();
    assert_eq!(
        form.len(),
        2,
        "{:?}",
        form.iter().map(String::len).collect::<Vec<_>>()
    );
    let text = form.join(",");
    let expr = Expression::parse(&text).unwrap_or_else(|err| panic!("{err}"));
    let lens: Vec<usize> = expr.requirements().map(|r| r.values().len()).collect();
    assert_eq!(lens.iter().sum::<usize>(), 1200);
    assert!(lens.iter().all(|&len| len <= 1000), "{lens:?}");

    for labels in [
        node(&[]),
        node(&[("x", "v0")]),
        node(&[("x", "v599")]),
        node(&[("x", "v600")]),
        node(&[("x", "v1199")]),
        node(&[("x", "v1200")]),
        node(&[("x", "")]),
        node(&[("y", "v0")]),
        node(&[("x", "w"), ("y", "v0")]),
    ] {
        assert_eq!(
            expr.matches(&labels),
            matcher.matches("n", &labels),
            "{labels:?}"
        );
    }
}

#[test]
fn split_lists_keep_the_other_requirements_of_the_key() {
    // Bounds and presence stay; the excluded values the bounds already refuse are dropped.
    let selector = Selector::new().expression(format!(
        "x>5, x notin ({}), x notin ({}), x notin (a,b)",
        values("", 0, 900),
        values("", 900, 900)
    ));
    let matcher = selector.compile().unwrap();
    let form = matcher.analyze().normal_form.unwrap();
    assert_eq!(form[0], "x>5");
    let text = form.join(",");
    let expr = Expression::parse(&text).unwrap_or_else(|err| panic!("{err}"));
    let lists: Vec<usize> = expr
        .requirements()
        .filter(|r| r.values().len() > 1)
        .map(|r| r.values().len())
        .collect();
    // 6..=1799 are excluded and still admitted by `x>5`; `a`, `b` and 0..=5 are refused by it.
    assert_eq!(lists.iter().sum::<usize>(), 1794);
    assert!(lists.iter().all(|&len| len <= 1000), "{lists:?}");
    for value in ["0", "5", "6", "7", "1799", "1800", "a", "99999"] {
        let labels = node(&[("x", value)]);
        assert_eq!(
            expr.matches(&labels),
            matcher.matches("n", &labels),
            "{value}"
        );
    }
}

#[test]
fn exactly_1000_excluded_values_stay_one_list() {
    let selector = Selector::new()
        .expression(format!("x notin ({})", values("v", 0, 500)))
        .expression(format!("x notin ({})", values("v", 500, 500)));
    let form = selector.compile().unwrap().analyze().normal_form.unwrap();
    assert_eq!(form.len(), 1);
    assert!(Expression::parse(&form[0]).is_ok());
}

#[test]
fn many_requirements_on_one_key_analyse_near_linearly() {
    // 128,000 `!=` requirements on one key, 1,000 to an expression (beyond the default limit of
    // 10,000 requirements and 1 MiB for a whole selector, so under raised limits): with every excluded value checked against
    // every requirement of the key this takes minutes; near linear, well under a second.
    let limits = Limits::default()
        .max_selector_requirements(200_000)
        .max_selector_bytes(4 << 20);
    let mut selector = Selector::new();
    for chunk in 0..128 {
        let text = (chunk * 1000..chunk * 1000 + 1000)
            .map(|i| format!("x!=v{i}"))
            .collect::<Vec<_>>()
            .join(",");
        selector = selector.expression(text);
    }
    selector = selector.expression("x>0");
    let matcher = selector.compile_with_limits(&limits).unwrap();
    let analysis = matcher.analyze();
    let form = analysis.normal_form.unwrap();
    // Every `v…` value is refused by `x>0` already: only the bound is left.
    assert_eq!(form, ["x>0"]);

    // Without the bound, the 128,000 values are split into 128 lists of 1,000.
    let mut selector = Selector::new();
    for chunk in 0..128 {
        let text = (chunk * 1000..chunk * 1000 + 1000)
            .map(|i| format!("x!=v{i}"))
            .collect::<Vec<_>>()
            .join(",");
        selector = selector.expression(text);
    }
    let form = selector
        .compile_with_limits(&limits)
        .unwrap()
        .analyze()
        .normal_form
        .unwrap();
    assert_eq!(form.len(), 128);
}
