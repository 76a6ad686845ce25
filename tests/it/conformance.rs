//! Replays the vectors recorded from the Kubernetes implementation (`labels.Parse`, `String()`,
//! `Matches`) through every engine: every string must be accepted or rejected alike and print the same
//! canonical text, every job-spec selector must compile exactly where the record says so, and every
//! engine must give the recorded verdict on every node.

use crate::support::conformance::{Case, replay, selector_cases, string_cases};

fn assert_all_agree(cases: &[Case]) {
    let failures = replay(cases);
    assert!(
        failures.is_empty(),
        "{} disagreements with Kubernetes in {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn upstream_unit_test_inputs() {
    let cases = string_cases("k8s-upstream.jsonl");
    assert_eq!(cases.len(), 267);
    assert_all_agree(&cases);
}

#[test]
fn generated_cases() {
    let cases = string_cases("k8s-labels.jsonl");
    assert_eq!(cases.len(), 3000);
    assert_all_agree(&cases);
}

/// Selectors of 13 and more requirements, many on the same keys: the canonical text must keep Go's
/// unstable sort order.
#[test]
fn long_selectors_in_go_sort_order() {
    let cases = string_cases("k8s-long.jsonl");
    assert_eq!(cases.len(), 300);
    assert!(cases.iter().all(|case| case.ok));
    assert_all_agree(&cases);
}

#[test]
fn job_spec_selectors() {
    let cases = selector_cases("selectors.jsonl");
    assert_eq!(cases.len(), 500);
    let verdicts: usize = cases
        .iter()
        .filter(|case| case.ok)
        .map(|case| case.nodes.len())
        .sum();
    assert!(verdicts > 1000, "{verdicts} verdicts");
    assert_all_agree(&cases);
}

/// The harness itself notices an engine that disagrees: a case whose recorded verdict is flipped fails.
#[test]
fn a_wrong_verdict_is_reported_for_every_engine() {
    let mut cases = string_cases("k8s-upstream.jsonl");
    cases.retain(|case| case.ok && !case.nodes.is_empty());
    let mut case = cases.swap_remove(0);
    case.nodes[0].1 = !case.nodes[0].1;
    let failures = replay(&[case]);
    assert_eq!(failures.len(), 10, "{failures:#?}");
}

/// The benchmark workload's generator is a port of the script whose fleets the Kubernetes counts were
/// recorded on. Where that script is at hand (`LABELSEL_REFERENCE_GENERATOR` names it; CI sets it), both
/// must write the same fleet and selectors byte for byte; elsewhere the check says it was skipped.
#[test]
fn the_workload_generator_writes_the_reference_workload() {
    use crate::support::workload::generate;

    let Some(script) = std::env::var_os("LABELSEL_REFERENCE_GENERATOR") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set LABELSEL_REFERENCE_GENERATOR"
        );
        eprintln!("skipped: LABELSEL_REFERENCE_GENERATOR does not name the reference generator");
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("reference-workload");
    let status = std::process::Command::new("python3")
        .arg(&script)
        .arg(&dir)
        .args(["--nodes", "2000", "--seed", "7"])
        .status()
        .unwrap_or_else(|e| panic!("running python3 {}: {e}", script.display()));
    assert!(status.success(), "{}: {status}", script.display());
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };

    let fleet: String = generate::fleet(2000, 7)
        .iter()
        .map(|node| generate::to_ndjson_line(node) + "\n")
        .collect();
    assert!(fleet == read("fleet-2000.ndjson"), "the fleets differ");
    let selectors: String = generate::selectors()
        .iter()
        .map(|(name, selector)| format!("{{\"name\":\"{name}\",\"selector\":{selector}}}\n"))
        .collect();
    assert_eq!(selectors, read("selectors.ndjson"));
}
