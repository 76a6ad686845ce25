//! Tests for [`Matcher::analyze`] (conflicts, redundant requirements, normal form) and [`Fleet::lint`]
//! (unknown keys and values, with suggestions).
//!
//! * One test per analysis rule and per lint rule, including selectors that only look contradictory.
//! * Properties over random selectors drawn from a small alphabet, built from requirements so they
//!   always compile: the analysis calls a selector unsatisfiable exactly when no label set satisfies
//!   it; the normal form matches the same label sets as the matcher; every requirement reported
//!   redundant (and all of them together) can be removed without changing a verdict. Label sets are
//!   random, and also built key by key from a pool holding the selector alphabet's values, integers in
//!   several spellings and a fresh string: for this alphabet, a key's requirements can hold together
//!   exactly when some pool value (or the key's absence) satisfies them.

use std::collections::BTreeMap;

use labelsel::{
    Analysis, Expression, Finding, FindingKind, Fleet, Matcher, Place, Selector, Severity,
};
use proptest::prelude::*;
use proptest::sample::select;

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

fn compile(selector: &Selector) -> Matcher {
    selector
        .compile()
        .unwrap_or_else(|e| panic!("{selector:?} should compile: {e}"))
}

fn analyze(expression: &str) -> Analysis {
    compile(&Selector::new().expression(expression)).analyze()
}

fn of_kind(analysis: &Analysis, kind: FindingKind) -> Vec<&Finding> {
    analysis
        .findings
        .iter()
        .filter(|f| f.kind == kind)
        .collect()
}

/// The expression is unsatisfiable, with exactly one conflict naming these requirements.
#[track_caller]
fn assert_conflict(expression: &str, conflicting: &[&str]) {
    let analysis = analyze(expression);
    assert!(!analysis.is_satisfiable(), "{expression}: {analysis}");
    assert!(analysis.has_errors(), "{expression}");
    assert_eq!(analysis.normal_form, None, "{expression}");
    assert_eq!(analysis.findings.len(), 1, "{expression}: {analysis}");
    let finding = &analysis.findings[0];
    assert_eq!(finding.kind, FindingKind::Unsatisfiable);
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!(finding.requirements, conflicting, "{expression}");
    assert_eq!(finding.origins.len(), conflicting.len());
}

/// The expression is satisfiable, without errors, with this normal form.
#[track_caller]
fn assert_satisfiable(expression: &str, normal_form: &str) {
    let analysis = analyze(expression);
    assert!(analysis.is_satisfiable(), "{expression}: {analysis}");
    assert!(!analysis.has_errors(), "{expression}: {analysis}");
    assert_eq!(
        analysis.normal_form_text().as_deref(),
        Some(normal_form),
        "{expression}"
    );
    assert!(Expression::parse(normal_form).is_ok(), "{normal_form}");
}

/// The expression has exactly one redundant requirement, implied by `by`.
#[track_caller]
fn assert_redundant(expression: &str, redundant: &str, by: &str) {
    let analysis = analyze(expression);
    let found = of_kind(&analysis, FindingKind::Redundant);
    assert_eq!(found.len(), 1, "{expression}: {analysis}");
    assert_eq!(found[0].severity, Severity::Warning);
    assert_eq!(found[0].requirements, [redundant, by], "{expression}");
    assert!(!analysis.has_errors());
}

#[track_caller]
fn assert_no_redundancy(expression: &str) {
    let analysis = analyze(expression);
    assert!(analysis.findings.is_empty(), "{expression}: {analysis}");
}

fn fleet(nodes: &[&[(&str, &str)]]) -> Fleet {
    let mut fleet = Fleet::new();
    for (i, labels) in nodes.iter().enumerate() {
        fleet.insert(&format!("n{i}"), labels.iter().copied());
    }
    fleet
}

fn lint(fleet: &Fleet, expression: &str) -> Vec<Finding> {
    fleet.lint(&compile(&Selector::new().expression(expression)))
}

// ---------------------------------------------------------------------------------------------------
// Unsatisfiable
// ---------------------------------------------------------------------------------------------------

#[test]
fn presence_conflicts_with_absence() {
    assert_conflict("gpu, !gpu", &["gpu", "!gpu"]);
    assert_conflict("gpu=l4, !gpu", &["gpu=l4", "!gpu"]);
    assert_conflict("!x, x>1", &["!x", "x>1"]);
    assert_conflict("x<4, !x", &["x<4", "!x"]);
}

#[test]
fn different_exact_values_conflict() {
    assert_conflict("env=a, env=b", &["env=a", "env=b"]);
    assert_conflict(
        "env in (a,b), env in (c,d)",
        &["env in (a,b)", "env in (c,d)"],
    );
}

#[test]
fn a_value_set_emptied_by_exclusions_conflicts() {
    assert_conflict(
        "env in (a), env notin (a)",
        &["env in (a)", "env notin (a)"],
    );
    assert_conflict("env=, env!=", &["env=", "env!="]);
    assert_conflict(
        "env in (), env notin (,a)",
        &["env in ()", "env notin (,a)"],
    );
}

#[test]
fn match_labels_conflict_with_an_expression() {
    let matcher = compile(&Selector::new().label("env", "prod").expression("env!=prod"));
    let analysis = matcher.analyze();
    assert_eq!(analysis.findings.len(), 1);
    let finding = &analysis.findings[0];
    assert_eq!(
        finding.origins,
        [Place::MatchLabel("env".into()), Place::MatchExpression(0)]
    );
    assert_eq!(finding.requirements, ["env=prod", "env!=prod"]);
    assert!(finding.suggestions.is_empty());
    assert_eq!(
        finding.to_string(),
        "error: unsatisfiable: match_labels[\"env\"] env=prod conflicts with match_expressions[0] env!=prod"
    );
    assert_eq!(
        analysis.to_string(),
        "error: unsatisfiable: match_labels[\"env\"] env=prod conflicts with match_expressions[0] env!=prod\n\
         normal form: none, the selector is unsatisfiable\n"
    );
}

#[test]
fn an_empty_integer_range_conflicts() {
    assert_conflict("x>5, x<3", &["x>5", "x<3"]);
    assert_conflict("x>5, x<6", &["x>5", "x<6"]);
    assert_conflict("x>5, x<5", &["x>5", "x<5"]);
}

#[test]
fn a_threshold_no_integer_exceeds_conflicts_alone() {
    assert_conflict("x>9223372036854775807", &["x>9223372036854775807"]);
    let analysis = analyze("x>9223372036854775807");
    assert_eq!(
        analysis.findings[0].message,
        "unsatisfiable: match_expressions[0] x>9223372036854775807 can never hold"
    );
}

#[test]
fn values_outside_the_integer_range_conflict() {
    assert_conflict("env in (a,b), env>3", &["env in (a,b)", "env>3"]);
    assert_conflict("x in (1,2), x>3", &["x in (1,2)", "x>3"]);
    assert_conflict("x=10, x<9", &["x=10", "x<9"]);
}

#[test]
fn a_conflict_is_narrowed_to_a_pair_when_a_pair_suffices() {
    // Requirements of other keys and ones that take no part are left out.
    assert_conflict(
        "env in (a,b), gpu, env=a, zone!=z, env!=a",
        &["env=a", "env!=a"],
    );
    assert_conflict("x>1, x>2, x in (1,2,3), x<3", &["x>2", "x<3"]);
}

#[test]
fn a_conflict_needing_three_requirements_names_three() {
    assert_conflict(
        "env in (a,b), env in (b,c), env in (a,c)",
        &["env in (a,b)", "env in (b,c)", "env in (a,c)"],
    );
    assert_conflict(
        "env in (a,b), env!=a, env!=b",
        &["env in (a,b)", "env!=a", "env!=b"],
    );
    assert_conflict("x in (1,5), x>3, x<5", &["x in (1,5)", "x>3", "x<5"]);
    let analysis = analyze("env in (a,b), env!=a, env!=b");
    assert_eq!(
        analysis.findings[0].message,
        "unsatisfiable: match_expressions[0] env in (a,b), match_expressions[0] env!=a and \
         match_expressions[0] env!=b cannot all hold"
    );
}

#[test]
fn each_conflicting_key_gets_a_finding_in_written_order() {
    let matcher = compile(
        &Selector::new()
            .expression("zone=a, zone=b")
            .expression("gpu, !gpu"),
    );
    let analysis = matcher.analyze();
    let requirements: Vec<&[String]> = analysis
        .findings
        .iter()
        .map(|f| f.requirements.as_slice())
        .collect();
    assert_eq!(
        requirements,
        [&["zone=a", "zone=b"][..], &["gpu", "!gpu"][..]]
    );
}

#[test]
fn an_unsatisfiable_selector_gets_no_redundancy_findings() {
    let analysis = analyze("gpu, gpu=a, gpu=b, zone, zone=a");
    assert!(of_kind(&analysis, FindingKind::Redundant).is_empty());
    assert_eq!(of_kind(&analysis, FindingKind::Unsatisfiable).len(), 1);
}

#[test]
fn match_ids_alone_is_satisfiable() {
    let matcher = compile(&Selector::new().id("n1").expression("gpu"));
    let analysis = matcher.analyze();
    assert!(analysis.is_satisfiable());
    assert_eq!(analysis.normal_form_text().as_deref(), Some("gpu"));
    let ids_only = compile(&Selector::new().id("n1")).analyze();
    assert_eq!(ids_only.normal_form, Some(vec![]));
    assert_eq!(
        ids_only.to_string(),
        "no findings\nnormal form: (no label requirements)\n"
    );
}

// ---------------------------------------------------------------------------------------------------
// Not contradictory
// ---------------------------------------------------------------------------------------------------

#[test]
fn two_exclusions_are_not_contradictory() {
    assert_satisfiable("x!=a, x!=b", "x notin (a,b)");
}

#[test]
fn an_exclusion_with_absence_is_not_contradictory() {
    assert_satisfiable("x notin (a), !x", "!x");
}

#[test]
fn existence_with_an_exclusion_is_not_contradictory() {
    assert_satisfiable("x, x!=a", "x,x!=a");
}

#[test]
fn a_range_holding_one_integer_is_not_contradictory() {
    assert_satisfiable("x>1, x<3", "x>1,x<3");
    // `02` and `+2` are other spellings of 2, so excluding `2` leaves the range non-empty.
    assert_satisfiable("x>1, x<3, x!=2", "x>1,x<3,x!=2");
}

#[test]
fn absence_alone_is_not_contradictory() {
    assert_satisfiable("!x", "!x");
}

#[test]
fn an_empty_selector_is_satisfiable() {
    assert_satisfiable("", "");
}

// ---------------------------------------------------------------------------------------------------
// Redundant
// ---------------------------------------------------------------------------------------------------

#[test]
fn existence_is_implied_by_an_exact_value() {
    assert_redundant("gpu, gpu=l4", "gpu", "gpu=l4");
    assert_redundant("x>2, x", "x", "x>2");
}

#[test]
fn a_wider_value_set_is_implied_by_a_narrower_one() {
    assert_redundant("env in (a,b), env=a", "env in (a,b)", "env=a");
}

#[test]
fn an_exclusion_is_implied_by_an_exact_value() {
    assert_redundant("env=a, env!=b", "env!=b", "env=a");
}

#[test]
fn a_narrower_exclusion_is_implied_by_a_wider_one() {
    assert_redundant("x notin (a), x notin (a,b)", "x notin (a)", "x notin (a,b)");
}

#[test]
fn an_exclusion_is_implied_by_absence() {
    assert_redundant("x notin (a), !x", "x notin (a)", "!x");
}

#[test]
fn a_weaker_bound_is_implied_by_a_stronger_one() {
    assert_redundant("x>3, x>5", "x>3", "x>5");
    assert_redundant("x<3, x<5", "x<5", "x<3");
    assert_redundant("x>5, x!=3", "x!=3", "x>5");
    assert_redundant("x in (4,6), x>3", "x>3", "x in (4,6)");
}

#[test]
fn of_two_duplicates_the_later_is_redundant() {
    assert_redundant("x=a, x=a", "x=a", "x=a");
    let analysis = analyze("x=a, x in (a)");
    assert_eq!(analysis.findings[0].requirements, ["x in (a)", "x=a"]);
    let matcher = compile(&Selector::new().label("env", "prod").expression("env=prod"));
    let analysis = matcher.analyze();
    assert_eq!(analysis.findings.len(), 1);
    assert_eq!(
        analysis.findings[0].origins,
        [Place::MatchExpression(0), Place::MatchLabel("env".into())]
    );
    assert_eq!(
        analysis.findings[0].to_string(),
        "warning: redundant: match_expressions[0] env=prod is implied by match_labels[\"env\"] env=prod"
    );
}

#[test]
fn redundant_requirements_are_named_with_one_that_stays() {
    let analysis = analyze("x notin (a), x notin (a,b), x notin (a,b,c)");
    let pairs: Vec<&[String]> = analysis
        .findings
        .iter()
        .map(|f| f.requirements.as_slice())
        .collect();
    assert_eq!(
        pairs,
        [
            &["x notin (a)", "x notin (a,b,c)"][..],
            &["x notin (a,b)", "x notin (a,b,c)"][..]
        ]
    );
}

#[test]
fn repeats_are_named_with_their_first_occurrence_or_what_implies_it() {
    let pairs = |expression: &str| -> Vec<Vec<String>> {
        let analysis = analyze(expression);
        analysis
            .findings
            .iter()
            .map(|f| f.requirements.clone())
            .collect()
    };
    assert_eq!(pairs("x=a, x=a, x=a"), [["x=a", "x=a"], ["x=a", "x=a"]]);
    let origins: Vec<Vec<Place>> = compile(
        &Selector::new()
            .expression("x=a")
            .expression("x=a")
            .expression("x=a"),
    )
    .analyze()
    .findings
    .iter()
    .map(|f| f.origins.clone())
    .collect();
    assert_eq!(
        origins,
        [
            [Place::MatchExpression(1), Place::MatchExpression(0)],
            [Place::MatchExpression(2), Place::MatchExpression(0)]
        ]
    );
    assert_eq!(
        pairs("x notin (a), x notin (a), x notin (a,b)"),
        [
            ["x notin (a)", "x notin (a,b)"],
            ["x notin (a)", "x notin (a,b)"]
        ]
    );
}

#[test]
fn requirements_that_only_together_narrow_the_key_are_not_redundant() {
    assert_no_redundancy("env in (a,b), env!=b");
    assert_no_redundancy("x>1, x<5");
    assert_no_redundancy("x, x!=a");
    assert_no_redundancy("x!=a, x!=b");
    assert_no_redundancy("a=1, b=1");
}

// ---------------------------------------------------------------------------------------------------
// Normal form
// ---------------------------------------------------------------------------------------------------

#[test]
fn normal_form_keeps_the_values_left_after_exclusions() {
    assert_satisfiable("env in (a,b), env!=b", "env=a");
    assert_satisfiable("env in (c,a,b), env notin (b)", "env in (a,c)");
}

#[test]
fn normal_form_drops_existence_implied_by_a_value_set() {
    assert_satisfiable("gpu, gpu in (l4,t4)", "gpu in (l4,t4)");
}

#[test]
fn normal_form_keeps_the_tightest_bounds() {
    assert_satisfiable("x>1, x>3", "x>3");
    assert_satisfiable("x<9, x>1, x<5, x>01", "x>1,x<5");
}

#[test]
fn normal_form_keeps_only_exclusions_inside_the_range() {
    assert_satisfiable("x>2, x!=a, x!=5, x notin (1,7), x<7", "x>2,x<7,x!=5");
}

#[test]
fn normal_form_filters_a_value_set_by_the_range() {
    assert_satisfiable("x in (1,02,5,a), x>1", "x in (02,5)");
}

#[test]
fn normal_form_merges_absence_and_exclusions() {
    assert_satisfiable("!x, x!=a, x notin (b,c)", "!x");
    assert_satisfiable("x!=a, x notin (b,a)", "x notin (a,b)");
}

#[test]
fn normal_form_keeps_the_empty_value() {
    assert_satisfiable("x in (), x", "x=");
    assert_satisfiable("x in (,a,b), x!=b", "x in (,a)");
    assert_satisfiable("x notin ()", "x!=");
}

#[test]
fn normal_form_is_sorted_by_key_and_joins_match_labels() {
    let matcher = compile(
        &Selector::new()
            .label("zone", "a")
            .expression("b, zone in (a,b), !debug")
            .expression("a>1"),
    );
    let analysis = matcher.analyze();
    assert_eq!(
        analysis.normal_form,
        Some(vec![
            "a>1".to_string(),
            "b".to_string(),
            "!debug".to_string(),
            "zone=a".to_string()
        ])
    );
    assert_eq!(
        analysis.to_string(),
        "warning: redundant: match_expressions[0] zone in (a,b) is implied by match_labels[\"zone\"] zone=a\n\
         normal form: a>1,b,!debug,zone=a\n"
    );
}

#[test]
fn analysis_serializes_to_json() {
    let matcher = compile(&Selector::new().label("env", "prod").expression("env!=prod"));
    let json = serde_json::to_value(matcher.analyze()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "findings": [{
                "severity": "error",
                "kind": "unsatisfiable",
                "message": "unsatisfiable: match_labels[\"env\"] env=prod conflicts with match_expressions[0] env!=prod",
                "origins": [
                    {"field": "match_labels", "key": "env"},
                    {"field": "match_expressions", "index": 0},
                ],
                "requirements": ["env=prod", "env!=prod"],
                "suggestions": [],
                "unknown": [],
            }],
            "normal_form": null,
        })
    );
}

// ---------------------------------------------------------------------------------------------------
// Lint
// ---------------------------------------------------------------------------------------------------

#[test]
fn an_unknown_key_a_requirement_needs_is_an_error() {
    let fleet = fleet(&[&[("tier", "a"), ("env", "prod")]]);
    let matcher = compile(&Selector::new().expression("env=prod").expression("teir=a"));
    let findings = fleet.lint(&matcher);
    assert_eq!(findings.len(), 1);
    let finding = &findings[0];
    assert_eq!(
        (finding.severity, finding.kind),
        (Severity::Error, FindingKind::UnknownKey)
    );
    assert_eq!(finding.origins, [Place::MatchExpression(1)]);
    assert_eq!(finding.requirements, ["teir=a"]);
    assert_eq!(finding.suggestions, ["tier"]);
    assert_eq!(finding.unknown, ["teir"]);
    assert_eq!(
        finding.to_string(),
        "error: unknown key teir in match_expressions[1] (teir=a); did you mean tier?"
    );
    for expression in ["teir", "teir in (a,b)", "teir>1", "teir<1"] {
        assert_eq!(lint(&fleet, expression)[0].severity, Severity::Error);
    }
}

#[test]
fn an_unknown_key_of_an_exclusion_or_absence_is_a_warning() {
    let fleet = fleet(&[&[("tier", "a")]]);
    for expression in ["teir!=a", "teir notin (a,b)", "!teir"] {
        let findings = lint(&fleet, expression);
        assert_eq!(findings.len(), 1, "{expression}");
        assert_eq!(findings[0].severity, Severity::Warning, "{expression}");
        assert_eq!(findings[0].kind, FindingKind::UnknownKey);
        assert_eq!(findings[0].suggestions, ["tier"]);
    }
    assert_eq!(
        lint(&fleet, "!teir")[0].to_string(),
        "warning: unknown key teir in match_expressions[0] (!teir), so it holds on every node; \
         did you mean tier?"
    );
}

#[test]
fn an_unknown_key_suggests_keys_with_that_name_after_a_prefix() {
    let fleet = fleet(&[&[
        ("topology.kubernetes.io/zone", "a"),
        ("topology.kubernetes.io/region", "r"),
    ]]);
    assert_eq!(
        lint(&fleet, "zone=a")[0].suggestions,
        ["topology.kubernetes.io/zone"]
    );
    assert_eq!(
        lint(&fleet, "topology.kubernetes.io/regoin")[0].suggestions,
        ["topology.kubernetes.io/region"]
    );
    assert_eq!(
        lint(&fleet, "example.com/zone")[0].suggestions,
        ["topology.kubernetes.io/zone"]
    );
}

#[test]
fn suggestions_are_the_nearest_few_in_a_fixed_order() {
    let fleet = fleet(&[&[
        ("zones", "1"),
        ("zone2", "1"),
        ("zona", "1"),
        ("zone1", "1"),
        ("topology.kubernetes.io/zone", "1"),
        ("ozne", "1"),
        ("gpu", "1"),
    ]]);
    let finding = &lint(&fleet, "zone")[0];
    // Distance 0 on the name part, then distance 1 (`ozne` is one transposition away) in byte order.
    assert_eq!(
        finding.suggestions,
        ["topology.kubernetes.io/zone", "ozne", "zona"]
    );
    assert_eq!(
        finding.message,
        "unknown key zone in match_expressions[0] (zone); did you mean topology.kubernetes.io/zone, \
         ozne or zona?"
    );
}

#[test]
fn an_unknown_key_far_from_every_key_gets_no_suggestion() {
    let fleet = fleet(&[&[("tier", "a")]]);
    let finding = &lint(&fleet, "accelerator=h100")[0];
    assert!(finding.suggestions.is_empty());
    assert_eq!(
        finding.to_string(),
        "error: unknown key accelerator in match_expressions[0] (accelerator=h100)"
    );
    // Longer names allow more edits: a third of the length.
    let fleet = self::fleet(&[&[("accelerator", "a")]]);
    assert_eq!(lint(&fleet, "acclerater")[0].suggestions, ["accelerator"]);
    assert!(lint(&fleet, "acc")[0].suggestions.is_empty());
}

#[test]
fn every_key_is_unknown_to_an_empty_fleet() {
    let findings = lint(&Fleet::new(), "tier=a, !debug");
    let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
    assert_eq!(severities, [Severity::Warning, Severity::Error]);
    assert!(findings.iter().all(|f| f.suggestions.is_empty()));
}

#[test]
fn keys_only_removed_nodes_had_are_unknown() {
    let mut fleet = fleet(&[&[("tier", "a")], &[("gpu", "l4")]]);
    fleet.remove("n1");
    let findings = lint(&fleet, "gpu");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].kind, FindingKind::UnknownKey);
}

#[test]
fn a_value_set_with_no_known_value_is_an_error() {
    let fleet = fleet(&[&[("env", "prod")], &[("env", "staging")]]);
    let findings = lint(&fleet, "env=prdo");
    assert_eq!(findings.len(), 1);
    let finding = &findings[0];
    assert_eq!(
        (finding.severity, finding.kind),
        (Severity::Error, FindingKind::UnknownValue)
    );
    assert_eq!(finding.suggestions, ["prod"]);
    assert_eq!(
        finding.to_string(),
        "error: unknown value prdo for env in match_expressions[0] (env=prdo); did you mean prod?"
    );
    assert_eq!(finding.unknown, ["prdo"]);
    // Several unknown values: one finding, quoting the requirement once, suggesting for each.
    let both = lint(&fleet, "env in (stagign,prdo)");
    assert_eq!(both.len(), 1);
    assert_eq!(both[0].severity, Severity::Error);
    assert_eq!(both[0].unknown, ["prdo", "stagign"]);
    assert_eq!(both[0].suggestions, ["prod", "staging"]);
    assert_eq!(both[0].requirements, ["env in (prdo,stagign)"]);
    assert_eq!(
        both[0].to_string(),
        "error: unknown values prdo and stagign for env in match_expressions[0] \
         (env in (prdo,stagign)); did you mean prod or staging?"
    );
}

#[test]
fn many_unknown_values_are_named_up_to_five_and_counted() {
    let fleet = fleet(&[&[("env", "prod")]]);
    let values: Vec<String> = (0..8).map(|i| format!("v{i}")).collect();
    let findings = lint(&fleet, &format!("env notin ({})", values.join(",")));
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, Severity::Warning);
    assert_eq!(findings[0].unknown, values);
    assert_eq!(
        findings[0].message,
        "unknown values v0, v1, v2, v3, v4 and 3 more for env in match_expressions[0] \
         (env notin (v0,v1,v2,v3,v4,v5,v6,v7)), so they exclude no node"
    );
}

#[test]
fn a_value_set_with_some_known_values_warns_about_the_others() {
    let fleet = fleet(&[&[("env", "prod")], &[("env", "staging")]]);
    let findings = lint(&fleet, "env in (prod,stagign)");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, Severity::Warning);
    assert_eq!(findings[0].kind, FindingKind::UnknownValue);
    assert_eq!(findings[0].suggestions, ["staging"]);
    assert_eq!(findings[0].unknown, ["stagign"]);
}

#[test]
fn an_unknown_excluded_value_is_a_warning() {
    let fleet = fleet(&[&[("env", "prod")]]);
    let findings = lint(&fleet, "env!=prdo");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, Severity::Warning);
    assert_eq!(
        findings[0].to_string(),
        "warning: unknown value prdo for env in match_expressions[0] (env!=prdo), so it excludes no \
         node; did you mean prod?"
    );
}

#[test]
fn an_unknown_empty_value_is_shown_quoted() {
    let fleet = fleet(&[&[("env", "prod")]]);
    let findings = lint(&fleet, "env=");
    assert_eq!(
        findings[0].message,
        "unknown value \"\" for env in match_expressions[0] (env=)"
    );
}

#[test]
fn known_keys_and_values_give_no_findings() {
    let fleet = fleet(&[&[("env", "prod"), ("cpu", "8"), ("debug", "")]]);
    for expression in [
        "env=prod",
        "env in (prod)",
        "env!=prod",
        "cpu>4",
        "cpu<2",
        "debug",
        "!debug",
        "debug=",
    ] {
        assert_eq!(lint(&fleet, expression), [], "{expression}");
    }
}

#[test]
fn lint_findings_follow_the_order_written() {
    let fleet = fleet(&[&[("env", "prod"), ("tier", "a")]]);
    let matcher = compile(
        &Selector::new()
            .label("tier", "b")
            .expression("zone, env=prdo")
            .expression("!teir"),
    );
    let texts: Vec<String> = fleet
        .lint(&matcher)
        .iter()
        .map(|f| f.requirements[0].clone())
        .collect();
    assert_eq!(texts, ["tier=b", "env=prdo", "zone", "!teir"]);
}

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

/// About 256 cases per property; the shrunk input is in the failure message.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(256)
    }
}

/// Few keys, so that requirements often share one.
const KEYS: &[&str] = &["a", "b", "example.com/c"];

/// Values for `=`, `!=`, `in` and `notin`, the empty value and integers included.
const VALUES: &[&str] = &["", "1", "2", "x", "10", "y"];

/// Thresholds for `>` and `<`, one with a leading zero.
const THRESHOLDS: &[&str] = &["0", "1", "2", "01", "5", "9"];

/// Label values that satisfy every satisfiable requirement set of one key drawn from the alphabet
/// above: its values, a fresh string, each integer from -1 to 10 that a range can need, and spellings
/// of them no requirement excludes (`007`).
fn pool() -> Vec<String> {
    let mut pool: Vec<String> = VALUES.iter().map(|v| v.to_string()).collect();
    pool.push("fresh".into());
    pool.push("-1".into());
    for n in 0..=10 {
        pool.push(n.to_string());
        pool.push(format!("00{n}"));
    }
    pool.push("+3".into());
    pool.sort();
    pool.dedup();
    pool
}

type Labelling = BTreeMap<String, String>;

fn requirement() -> BoxedStrategy<String> {
    let key = || select(KEYS);
    let value = || select(VALUES);
    let list = || prop::collection::vec(value(), 0..4).prop_map(|values| values.join(","));
    // Comparisons weigh more, so that a key often has several bounds.
    prop_oneof![
        2 => (key(), select(&["=", "==", "!="][..]), value()).prop_map(|(k, op, v)| format!("{k}{op}{v}")),
        2 => (key(), select(&["in", "notin"][..]), list()).prop_map(|(k, op, l)| format!("{k} {op} ({l})")),
        1 => key().prop_map(str::to_string),
        1 => key().prop_map(|k| format!("!{k}")),
        3 => (key(), select(&[">", "<"][..]), select(THRESHOLDS))
            .prop_map(|(k, op, t)| format!("{k}{op}{t}")),
    ]
    .boxed()
}

/// Requirements on two keys that seldom conflict (`!=`, `notin`, `key`, `>`, `<`), so that selectors
/// are mostly satisfiable and often hold requirements that imply others.
fn loose_requirement() -> BoxedStrategy<String> {
    let key = || select(&KEYS[..2]);
    let list = || prop::collection::vec(select(VALUES), 1..4).prop_map(|values| values.join(","));
    prop_oneof![
        (key(), list()).prop_map(|(k, l)| format!("{k} notin ({l})")),
        (key(), select(VALUES)).prop_map(|(k, v)| format!("{k}!={v}")),
        key().prop_map(str::to_string),
        (key(), select(&[">", "<"][..]), select(THRESHOLDS))
            .prop_map(|(k, op, t)| format!("{k}{op}{t}")),
    ]
    .boxed()
}

/// A selector without `match_ids`, its expressions made of these requirements.
fn selector_of(requirement: BoxedStrategy<String>) -> impl Strategy<Value = Selector> {
    let expression =
        prop::collection::vec(requirement, 1..5).prop_map(|requirements| requirements.join(", "));
    (
        prop::collection::btree_map(select(KEYS), select(VALUES), 0..2),
        prop::collection::vec(expression, 0..3),
    )
        .prop_map(|(labels, expressions)| Selector {
            match_labels: labels
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            match_expressions: expressions,
            match_ids: Vec::new(),
        })
}

fn selector() -> impl Strategy<Value = Selector> {
    selector_of(requirement())
}

fn labelling() -> impl Strategy<Value = Labelling> {
    let value = select(pool());
    prop::collection::vec(prop::option::of(value), KEYS.len()).prop_map(|values| {
        KEYS.iter()
            .zip(values)
            .filter_map(|(key, value)| Some((key.to_string(), value?)))
            .collect()
    })
}

fn labellings() -> impl Strategy<Value = Vec<Labelling>> {
    prop::collection::vec(labelling(), 16)
}

/// The requirements on `key` alone, as one selector.
fn on_key(selector: &Selector, key: &str) -> Selector {
    let mut texts: Vec<String> = selector
        .match_labels
        .iter()
        .filter(|(k, _)| *k == key)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for expression in &selector.match_expressions {
        let parsed = Expression::parse(expression).expect("generated expressions parse");
        texts.extend(
            parsed
                .requirements()
                .filter(|r| r.key() == key)
                .map(|r| r.to_string()),
        );
    }
    Selector::new().expression(texts.join(","))
}

/// Absence, then each pool value.
fn options() -> Vec<Option<String>> {
    std::iter::once(None)
        .chain(pool().into_iter().map(Some))
        .collect()
}

fn with(base: &Labelling, key: &str, value: &Option<String>) -> Labelling {
    let mut labels = base.clone();
    match value {
        Some(value) => labels.insert(key.to_string(), value.clone()),
        None => labels.remove(key),
    };
    labels
}

/// For each key, the first option that satisfies the selector's requirements on that key, if any.
fn witnesses(selector: &Selector) -> Vec<Option<Option<String>>> {
    KEYS.iter()
        .map(|key| {
            let matcher = compile(&on_key(selector, key));
            options()
                .into_iter()
                .find(|option| matcher.matches("n", &with(&Labelling::new(), key, option)))
        })
        .collect()
}

/// The witnesses together (absent where a key has none), then that label set with each key in turn
/// set to every option: every way one key's verdict can change while the others hold.
fn around(selector: &Selector) -> Vec<Labelling> {
    let mut base = Labelling::new();
    for (key, witness) in KEYS.iter().zip(witnesses(selector)) {
        base = with(&base, key, &witness.flatten());
    }
    let mut sets = vec![base.clone()];
    for key in KEYS {
        sets.extend(options().iter().map(|option| with(&base, key, option)));
    }
    sets
}

/// The selector without one occurrence of the requirement with this text at this origin.
fn without(selector: &Selector, origin: &Place, text: &str) -> Selector {
    let mut selector = selector.clone();
    match origin {
        Place::MatchLabel(key) => {
            selector.match_labels.remove(key);
        }
        Place::MatchExpression(index) => {
            let parsed = Expression::parse(&selector.match_expressions[*index]).expect("parses");
            let mut texts: Vec<String> = parsed.requirements().map(|r| r.to_string()).collect();
            let at = texts
                .iter()
                .position(|t| t == text)
                .expect("requirement is there");
            texts.remove(at);
            selector.match_expressions[*index] = texts.join(",");
        }
        other => panic!("no requirement comes from {other}"),
    }
    selector
}

#[track_caller]
fn assert_same_verdicts(a: &Matcher, b: &Matcher, sets: &[Labelling], what: &str) {
    for labels in sets {
        assert_eq!(
            a.matches("n", labels),
            b.matches("n", labels),
            "{what}: verdicts differ on {labels:?}"
        );
    }
}

proptest! {
    #![proptest_config(config())]

    /// Unsatisfiable exactly when some key's requirements have no witness: an unsatisfiable verdict is
    /// never wrong (no label set matches), and a satisfiable one has a matching label set.
    #[test]
    fn unsatisfiable_exactly_when_nothing_matches(selector in selector(), random in labellings()) {
        let matcher = compile(&selector);
        let analysis = matcher.analyze();
        let every_key_satisfiable = witnesses(&selector).iter().all(Option::is_some);
        prop_assert_eq!(analysis.is_satisfiable(), every_key_satisfiable, "{}", analysis);
        prop_assert_eq!(analysis.normal_form.is_some(), analysis.is_satisfiable());
        let sets: Vec<Labelling> = around(&selector).into_iter().chain(random).collect();
        if analysis.is_satisfiable() {
            prop_assert!(matcher.matches("n", &sets[0]), "{:?} should match", sets[0]);
        } else {
            for labels in &sets {
                prop_assert!(!matcher.matches("n", labels), "{} matches {:?}", analysis, labels);
            }
            for finding in &analysis.findings {
                prop_assert_eq!(finding.kind, FindingKind::Unsatisfiable);
            }
        }
    }

    /// The requirements a conflict names cannot hold together, and without any one of them the others can.
    #[test]
    fn conflicts_name_a_minimal_conflicting_set(selector in selector()) {
        let analysis = compile(&selector).analyze();
        let holds_together = |texts: &[String]| {
            witnesses(&Selector::new().expression(texts.join(","))).iter().all(Option::is_some)
        };
        for finding in of_kind(&analysis, FindingKind::Unsatisfiable) {
            let named = &finding.requirements;
            prop_assert!(!holds_together(named), "{}", finding);
            for i in 0..named.len() {
                let mut others = named.clone();
                others.remove(i);
                prop_assert!(holds_together(&others), "{} without {}", finding, named[i]);
            }
        }
    }

    /// The normal form, parsed as an expression, matches the same label sets as the matcher: as a
    /// whole, and key by key over every option.
    #[test]
    fn normal_form_matches_what_the_matcher_matches(selector in selector(), random in labellings()) {
        let matcher = compile(&selector);
        let Some(text) = matcher.analyze().normal_form_text() else {
            return Ok(());
        };
        let normal = Expression::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        let sets: Vec<Labelling> = around(&selector).into_iter().chain(random).collect();
        for labels in &sets {
            prop_assert_eq!(normal.matches(labels), matcher.matches("n", labels), "{} on {:?}", text, labels);
        }
        for key in KEYS {
            let on_key_matcher = compile(&on_key(&selector, key));
            let normal_on_key = compile(&on_key(&Selector::new().expression(text.clone()), key));
            let singles: Vec<Labelling> = options().iter().map(|o| with(&Labelling::new(), key, o)).collect();
            assert_same_verdicts(&on_key_matcher, &normal_on_key, &singles, &text);
        }
        let parts: Vec<Expression> = matcher.analyze().normal_form.unwrap_or_default().iter().map(|part| Expression::parse(part).expect("each part parses")).collect();
        prop_assert!(parts.iter().all(|part| part.len() == 1), "{}", text);
        prop_assert!(parts.is_sorted_by_key(|part| part.requirements().next().map(|r| r.key().to_string())), "{}", text);
    }

    /// Removing a requirement reported redundant, or all of them at once, changes no verdict.
    #[test]
    fn redundant_requirements_can_be_removed(
        selector in prop_oneof![selector(), selector_of(loose_requirement())],
        random in labellings(),
    ) {
        let matcher = compile(&selector);
        let analysis = matcher.analyze();
        let sets: Vec<Labelling> = around(&selector).into_iter().chain(random).collect();
        let mut pruned = selector.clone();
        for finding in of_kind(&analysis, FindingKind::Redundant) {
            let (origin, text) = (&finding.origins[0], &finding.requirements[0]);
            let alone = compile(&without(&selector, origin, text));
            assert_same_verdicts(&matcher, &alone, &sets, &finding.message);
            pruned = without(&pruned, origin, text);
        }
        assert_same_verdicts(&matcher, &compile(&pruned), &sets, "all redundant requirements removed");
    }

    /// Lint never fails and names only requirements of the selector.
    #[test]
    fn lint_names_requirements_of_the_selector(selector in selector(), nodes in labellings()) {
        let mut fleet = Fleet::new();
        for (i, labels) in nodes.iter().enumerate() {
            fleet.insert(&format!("n{i}"), labels);
        }
        let matcher = compile(&selector);
        let explained: Vec<String> = matcher.explain("n", &Labelling::new()).verdicts.into_iter().map(|v| v.requirement).collect();
        for finding in fleet.lint(&matcher) {
            prop_assert!(explained.contains(&finding.requirements[0]), "{}", finding);
            prop_assert!(finding.suggestions.len() <= 3);
        }
    }
}

/// Many long lists on one key: beyond the search limit the analysis stays cheap, still finds the
/// conflict (naming every requirement of the key) and still reports exact repeats.
#[test]
fn many_long_lists_on_one_key_are_analysed_without_the_quadratic_searches() {
    let mut selector = Selector::new();
    for list in 0..100 {
        let values: Vec<String> = (0..400).map(|v| format!("v{list}-{v}")).collect();
        selector = selector.expression(format!("zone in ({})", values.join(",")));
    }
    let analysis = selector.compile().unwrap().analyze();
    assert!(!analysis.is_satisfiable());
    assert_eq!(analysis.findings.len(), 1);
    assert_eq!(analysis.findings[0].requirements.len(), 100);

    let mut repeated = Selector::new();
    for _ in 0..3 {
        for n in 0..70 {
            repeated = repeated.expression(format!("x notin (a{n},b{n})"));
        }
    }
    let analysis = repeated.compile().unwrap().analyze();
    assert!(analysis.is_satisfiable());
    assert_eq!(
        analysis.findings.len(),
        140,
        "the second and third of each of the 70 requirements"
    );
}
