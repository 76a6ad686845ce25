//! Replays the vectors recorded from the Kubernetes implementation (`labels.Parse`, `String()`,
//! `Matches`): every string must be accepted or rejected alike, print the same canonical text, and give
//! the same verdict on every label set; every job-spec selector must compile exactly where the record
//! says so and give the recorded verdict on every node.

use std::collections::{BTreeMap, HashMap};

use labelsel::{Expression, LabelSet, Selector};
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

fn read(file: &str) -> String {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn replay(file: &str) -> usize {
    let text = read(file);
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

#[derive(Deserialize)]
struct SelectorCase {
    selector: serde_json::Value,
    ok: bool,
    nodes: Vec<Node>,
    matches: Vec<bool>,
}

#[derive(Deserialize)]
struct Node {
    id: String,
    labels: BTreeMap<String, String>,
}

#[test]
fn job_spec_selectors() {
    let text = read("selectors.jsonl");
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut verdicts = 0;
    for (number, line) in text.lines().enumerate() {
        let case: SelectorCase = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("selectors.jsonl:{}: {e}", number + 1));
        cases += 1;
        let place = format!("selectors.jsonl:{} {}", number + 1, case.selector);
        let compiled = serde_json::from_value::<Selector>(case.selector.clone())
            .map_err(|e| e.to_string())
            .and_then(|selector| selector.compile().map_err(|e| e.to_string()));
        let matcher = match (compiled, case.ok) {
            (Ok(matcher), true) => matcher,
            (Err(_), false) => continue,
            (Ok(_), false) => {
                failures.push(format!("{place}: compiled, want an error"));
                continue;
            }
            (Err(e), true) => {
                failures.push(format!("{place}: {e}"));
                continue;
            }
        };
        assert_eq!(case.nodes.len(), case.matches.len(), "{place}: bad vector");
        for (node, &want) in case.nodes.iter().zip(&case.matches) {
            verdicts += 1;
            let hashed: HashMap<String, String> = node.labels.clone().into_iter().collect();
            let prepared: LabelSet = node.labels.iter().collect();
            let got = [
                matcher.matches(&node.id, &node.labels),
                matcher.matches(&node.id, &hashed),
                matcher.matches(&node.id, &prepared),
            ];
            if got != [want; 3] {
                failures.push(format!("{place}: node {} = {got:?}, want {want}", node.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements with Kubernetes:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!((cases, verdicts > 1000), (500, true));
}
