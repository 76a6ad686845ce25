//! Replays the vectors recorded from the Kubernetes implementation (`labels.Parse`, `String()`,
//! `Matches`): every string must be accepted or rejected alike, print the same canonical text, and give
//! the same verdict on every label set.

use std::collections::{BTreeMap, HashMap};

use labelsel::Expression;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    selector: String,
    ok: bool,
    canonical: Option<String>,
    #[serde(default)]
    labels: Vec<BTreeMap<String, String>>,
    #[serde(default)]
    matches: Vec<bool>,
}

fn replay(file: &str) -> usize {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut failures = Vec::new();
    let mut cases = 0;
    for (number, line) in text.lines().enumerate() {
        let case: Case =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", number + 1));
        cases += 1;
        let place = format!("{file}:{} {:?}", number + 1, case.selector);
        match (Expression::parse(&case.selector), case.ok) {
            (Ok(expr), true) => {
                let canonical = expr.to_string();
                if Some(&canonical) != case.canonical.as_ref() {
                    failures.push(format!(
                        "{place}: canonical {canonical:?}, want {:?}",
                        case.canonical
                    ));
                }
                assert_eq!(case.labels.len(), case.matches.len(), "{place}: bad vector");
                for (labels, &want) in case.labels.iter().zip(&case.matches) {
                    let hashed: HashMap<&str, &str> = labels
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    let got = (expr.matches(labels), expr.matches(&hashed));
                    if got != (want, want) {
                        failures.push(format!(
                            "{place}: matches {labels:?} = {got:?}, want {want}"
                        ));
                    }
                }
            }
            (Ok(expr), false) => {
                failures.push(format!("{place}: accepted as {expr}, want an error"))
            }
            (Err(err), true) => failures.push(format!("{place}: rejected: {err}")),
            (Err(_), false) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases disagree with Kubernetes:\n{}",
        failures.len(),
        failures.join("\n")
    );
    cases
}

#[test]
fn upstream_unit_test_inputs() {
    assert_eq!(replay("k8s-upstream.jsonl"), 267);
}

#[test]
fn generated_cases() {
    assert_eq!(replay("k8s-labels.jsonl"), 3000);
}
