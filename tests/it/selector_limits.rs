//! The limits on a whole selector: its bytes, its requirements and its ids, each named by the part
//! that crosses it; and what a selector at the limits costs to analyse and diagnose.

use labelsel::{Fleet, Limits, ParseErrorKind, Place, Placement, Selector, Term};

/// Ten expressions of 1,000 requirements each on one key, and one more: the 10,001st requirement is
/// refused where it is written.
#[test]
fn requirements_are_counted_across_expressions() {
    let expression = |e: usize| {
        (0..1000)
            .map(|i| format!("x!=v{e}-{i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut selector = Selector::new();
    for e in 0..10 {
        selector = selector.expression(expression(e));
    }
    let matcher = selector
        .compile()
        .expect("10,000 requirements are within the default");
    let analysis = matcher.analyze();
    assert!(analysis.is_satisfiable());

    let error = selector.clone().label("extra", "1").compile().unwrap_err();
    // match_labels are counted first, so the last expression's last requirement is the one too many.
    assert_eq!(error.place(), &Place::MatchExpression(9));
    assert_eq!(
        error.parse_error().kind(),
        &ParseErrorKind::TooManySelectorRequirements { limit: 10_000 }
    );
    let text = expression(9);
    let last = text.rfind(',').unwrap() + 1;
    assert_eq!(error.parse_error().span().start, last);
    assert!(
        error.to_string().contains("at most 10000 in all"),
        "{error}"
    );
}

/// A selector of more than 1 MiB is refused at the byte that crosses the limit, before that
/// expression is parsed; every expression on its own is within the per-expression limit.
#[test]
fn bytes_are_counted_across_labels_and_expressions() {
    // One requirement of 1,000 values of 60 bytes: about 60 KB.
    let values: Vec<String> = (0..1000).map(|i| format!("{i:0>60}")).collect();
    let chunk = format!("x in ({})", values.join(","));
    let mut selector = Selector::new().label("k", "v");
    for _ in 0..18 {
        selector = selector.expression(chunk.clone());
    }
    let error = selector.compile().unwrap_err();
    let per_expression = chunk.len();
    // 2 bytes of labels, then 17 full expressions fit (1,037,104 bytes); the 18th crosses 1 MiB.
    assert_eq!(error.place(), &Place::MatchExpression(17));
    let used = 2 + 17 * per_expression;
    assert_eq!(
        error.parse_error().span(),
        (1024 * 1024 - used)..per_expression
    );
    assert_eq!(
        error.parse_error().kind(),
        &ParseErrorKind::SelectorTooLong { limit: 1024 * 1024 }
    );
    // Raised, it compiles.
    let limits = Limits::default().max_selector_bytes(2 * 1024 * 1024);
    assert!(selector.compile_with_limits(&limits).is_ok());
}

/// `match_ids` and a placement term's `exclude_ids` are bounded; the error quotes the first id past
/// the limit.
#[test]
fn ids_are_bounded() {
    let ids: Vec<String> = (0..100_001).map(|i| format!("node-{i}")).collect();
    let selector = Selector {
        match_ids: ids.clone(),
        ..Selector::new()
    };
    let error = selector.compile().unwrap_err();
    assert_eq!(error.place(), &Place::MatchIds);
    assert_eq!(error.parse_error().input(), "node-100000");
    assert!(
        error.to_string().contains("too many ids; at most 100000"),
        "{error}"
    );

    let term = Term {
        exclude_ids: ids,
        ..Term::default()
    };
    let placement = Placement {
        required: Some(vec![term]),
        preferred: Vec::new(),
    };
    let error = placement.compile().unwrap_err().to_string();
    assert!(error.contains("exclude_ids"), "{error}");
    assert!(error.contains("too many ids"), "{error}");
}

/// At the limits, a diagnosis keeps memory for the fleet, not for each requirement: 10,000
/// requirements over 2,000 nodes answer, with the counts a scan gives.
#[test]
fn a_diagnosis_at_the_limits_answers() {
    let mut fleet = Fleet::new();
    for n in 0..2000 {
        fleet.insert(&format!("n{n}"), [("x", format!("v0-{}", n % 1500))]);
    }
    let expression = |e: usize| {
        (0..1000)
            .map(|i| format!("x!=v{e}-{i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut selector = Selector::new();
    for e in 0..10 {
        selector = selector.expression(expression(e));
    }
    let matcher = selector.compile().unwrap();
    let diagnosis = fleet.diagnose(&matcher);
    assert_eq!(diagnosis.requirements.len(), 10_000);
    // Nodes n1000..n1499 hold x=v0-1000 .. v0-1499 and match (x!=v0-i only covers i < 1000).
    assert_eq!(diagnosis.matching, fleet.count(&matcher));
    assert_eq!(diagnosis.matching, 500);
    // Each of the first expression's requirements alone rejects the nodes holding its value.
    let first = &diagnosis.requirements[0];
    assert_eq!(first.rejects, first.rejects_alone);
    assert_eq!(
        first.matching_without,
        diagnosis.matching + first.rejects_alone
    );
}
