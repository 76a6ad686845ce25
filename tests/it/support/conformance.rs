//! The conformance harness: the vectors recorded from the Kubernetes implementation (`tests/data/`),
//! read into one shape, and every engine's verdicts on a case's nodes, so that every recorded case
//! reaches every engine and the engines cannot drift apart.

use std::collections::{BTreeMap, HashMap};

use super::oracle;
use labelsel::{Expression, Fleet, LabelSet, Matcher, Placement, Selector, SelectorIndex, Term};
use serde::Deserialize;

/// One recorded case, whatever file it comes from.
pub struct Case {
    /// `file:line` and the selector, for messages.
    pub name: String,
    /// The selector as written: a selector string (then `expression` is it) or a job-spec selector.
    pub selector: Result<Selector, String>,
    /// For a selector string: the string itself.
    pub expression: Option<String>,
    /// Whether Kubernetes accepts the selector.
    pub ok: bool,
    /// For an accepted selector string: Kubernetes' canonical text.
    pub canonical: Option<String>,
    /// The nodes the case was recorded on, with Kubernetes' verdict on each.
    pub nodes: Vec<(Node, bool)>,
}

/// A node of a case.
#[derive(Debug, Clone, Deserialize)]
pub struct Node {
    pub id: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct StringCase {
    selector: String,
    ok: bool,
    canonical: Option<String>,
    #[serde(default)]
    labels: Vec<BTreeMap<String, String>>,
    #[serde(default)]
    matches: Vec<bool>,
}

#[derive(Deserialize)]
struct SelectorCase {
    selector: serde_json::Value,
    ok: bool,
    nodes: Vec<Node>,
    matches: Vec<bool>,
}

fn read(file: &str) -> String {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The cases of a file of selector strings (`k8s-*.jsonl`); node `i` of a case has the id `node-i`.
pub fn string_cases(file: &str) -> Vec<Case> {
    read(file)
        .lines()
        .enumerate()
        .map(|(number, line)| {
            let case: StringCase =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", number + 1));
            assert_eq!(
                case.labels.len(),
                case.matches.len(),
                "{file}:{}",
                number + 1
            );
            let nodes = case
                .labels
                .into_iter()
                .enumerate()
                .map(|(i, labels)| {
                    let id = format!("node-{i}");
                    (Node { id, labels }, false)
                })
                .zip(case.matches)
                .map(|((node, _), want)| (node, want))
                .collect();
            Case {
                name: format!("{file}:{} {:?}", number + 1, case.selector),
                selector: Ok(Selector::new().expression(case.selector.clone())),
                expression: Some(case.selector),
                ok: case.ok,
                canonical: case.canonical,
                nodes,
            }
        })
        .collect()
}

/// The cases of the job-spec selector file (`selectors.jsonl`).
pub fn selector_cases(file: &str) -> Vec<Case> {
    read(file)
        .lines()
        .enumerate()
        .map(|(number, line)| {
            let case: SelectorCase =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", number + 1));
            if case.ok {
                assert_eq!(
                    case.nodes.len(),
                    case.matches.len(),
                    "{file}:{}",
                    number + 1
                );
            }
            Case {
                name: format!("{file}:{} {}", number + 1, case.selector),
                selector: serde_json::from_value(case.selector).map_err(|e| e.to_string()),
                expression: None,
                ok: case.ok,
                canonical: None,
                nodes: case.nodes.into_iter().zip(case.matches).collect(),
            }
        })
        .collect()
}

/// The selector applied part by part with the interpreter (`Expression::matches`), without the
/// compiled matcher: the interpreter's verdict on every expression, and the oracle's on `match_labels`
/// and `match_ids` (its verdict on the selector without expressions).
fn interpreted(selector: &Selector, expressions: &[Expression], node: &Node) -> bool {
    oracle::parsed_selector_holds(selector, &[], &node.id, &node.labels)
        && expressions.iter().all(|expr| expr.matches(&node.labels))
}

/// Nodes added to each fleet so that it is large enough for the index (tiny fleets are scanned).
const FILLERS: usize = 80;

/// Every engine's verdict on each node, by engine name: the interpreter, `Matcher::matches` over
/// `BTreeMap`, `HashMap` and `LabelSet`, the batch scan, `Fleet::select`, `Fleet::count` (as the number
/// of nodes selected), `explain(..).matches`, a placement's `Placer::feasible` and the reverse index's
/// `SelectorIndex::matching`.
pub fn verdicts(
    selector: &Selector,
    matcher: &Matcher,
    nodes: &[&Node],
) -> Vec<(&'static str, Vec<bool>)> {
    let expressions: Vec<Expression> = selector
        .match_expressions
        .iter()
        .map(|text| Expression::parse(text).expect("the selector compiled"))
        .collect();
    let hashed: Vec<HashMap<String, String>> = nodes
        .iter()
        .map(|node| node.labels.clone().into_iter().collect())
        .collect();
    let prepared: Vec<LabelSet> = nodes
        .iter()
        .map(|node| node.labels.iter().collect())
        .collect();
    let each = |f: &dyn Fn(usize, &Node) -> bool| -> Vec<bool> {
        nodes
            .iter()
            .enumerate()
            .map(|(i, node)| f(i, node))
            .collect()
    };

    let mut batch = Vec::new();
    matcher.matches_into(
        nodes
            .iter()
            .zip(&prepared)
            .map(|(node, labels)| (node.id.as_str(), labels)),
        &mut batch,
    );
    let (selected, counted) = fleet_verdicts(matcher, nodes);
    // The selector as the one required term of a placement, and as a job among others in the reverse
    // index (beside a job that matches every node and one that matches none).
    let term = Term {
        match_labels: selector.match_labels.clone(),
        match_expressions: selector.match_expressions.clone(),
        match_ids: selector.match_ids.clone(),
        ..Term::default()
    };
    let placer = Placement {
        required: Some(vec![term]),
        preferred: Vec::new(),
    }
    .compile()
    .expect("the selector compiled, so the term does");
    let nowhere = Placement {
        required: Some(Vec::new()),
        preferred: Vec::new(),
    };
    let mut index = SelectorIndex::new();
    index.insert(
        "everything",
        Selector::new().compile().expect("empty selector"),
    );
    index.insert("case", matcher.clone());
    index.insert("nothing", nowhere.compile().expect("no terms"));
    vec![
        (
            "interpreter",
            each(&|_, node| interpreted(selector, &expressions, node)),
        ),
        (
            "Matcher over BTreeMap",
            each(&|_, node| matcher.matches(&node.id, &node.labels)),
        ),
        (
            "Matcher over HashMap",
            each(&|i, node| matcher.matches(&node.id, &hashed[i])),
        ),
        (
            "Matcher over LabelSet",
            each(&|i, node| matcher.matches(&node.id, &prepared[i])),
        ),
        ("Matcher::matches_into", each(&|i, _| batch.contains(&i))),
        ("Fleet::select", selected),
        ("Fleet::count", counted),
        (
            "explain",
            each(&|_, node| matcher.explain(&node.id, &node.labels).matches),
        ),
        (
            "Placer::feasible",
            each(&|_, node| placer.feasible(&node.id, &node.labels)),
        ),
        (
            "SelectorIndex::matching",
            each(&|_, node| index.matching(&node.id, &node.labels).contains(&"case")),
        ),
    ]
}

/// `Fleet::select` on fleets of the nodes (ids repeat in some cases, so each fleet holds one node of
/// each id, with filler nodes beside them), and `Fleet::count` checked against it: the count verdicts
/// are the selected ones when the counts agree, else all flipped so that the difference shows.
fn fleet_verdicts(matcher: &Matcher, nodes: &[&Node]) -> (Vec<bool>, Vec<bool>) {
    let mut selected = vec![false; nodes.len()];
    let mut counts_agree = true;
    let mut placed = vec![false; nodes.len()];
    while let Some(first) = placed.iter().position(|p| !p) {
        let mut fleet = Fleet::new();
        let mut members = Vec::new();
        for i in first..nodes.len() {
            if !placed[i] && !fleet.contains(&nodes[i].id) {
                fleet.insert(&nodes[i].id, &nodes[i].labels);
                placed[i] = true;
                members.push(i);
            }
        }
        for filler in 0..FILLERS {
            let id = format!("filler-{filler}");
            if !fleet.contains(&id) {
                // Fillers carry the members' keys with other values, or none at all.
                let labels: Vec<(&str, String)> = members
                    .iter()
                    .flat_map(|&i| nodes[i].labels.keys())
                    .map(|key| (key.as_str(), format!("filler-{}", filler % 3)))
                    .take(filler % 4)
                    .collect();
                fleet.insert(&id, labels);
            }
        }
        let selection = fleet.select(matcher);
        counts_agree &= fleet.count(matcher) == selection.len();
        for &i in &members {
            selected[i] = selection.contains(&nodes[i].id);
        }
    }
    let counted = if counts_agree {
        selected.clone()
    } else {
        selected.iter().map(|v| !v).collect()
    };
    (selected, counted)
}

/// Replays cases through every engine; returns the disagreements with Kubernetes, one line each.
pub fn replay(cases: &[Case]) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        let name = &case.name;
        if let Some(text) = &case.expression {
            match (Expression::parse(text), case.ok) {
                (Ok(expr), true) => {
                    let canonical = expr.to_string();
                    if Some(&canonical) != case.canonical.as_ref() {
                        failures.push(format!(
                            "{name}: canonical {canonical:?}, want {:?}",
                            case.canonical
                        ));
                    }
                }
                (Ok(expr), false) => failures.push(format!("{name}: accepted as {expr}")),
                (Err(err), true) => failures.push(format!("{name}: rejected: {err}")),
                (Err(_), false) => {}
            }
        }
        let compiled = case
            .selector
            .clone()
            .and_then(|selector| Ok((selector.compile().map_err(|e| e.to_string())?, selector)));
        let (matcher, selector) = match (compiled, case.ok) {
            (Ok(compiled), true) => compiled,
            (Err(_), false) => continue,
            (Ok(_), false) => {
                failures.push(format!("{name}: compiled, want an error"));
                continue;
            }
            (Err(e), true) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let nodes: Vec<&Node> = case.nodes.iter().map(|(node, _)| node).collect();
        let want: Vec<bool> = case.nodes.iter().map(|(_, want)| *want).collect();
        for (engine, got) in verdicts(&selector, &matcher, &nodes) {
            if got != want {
                failures.push(format!("{name}: {engine} gives {got:?}, want {want:?}"));
            }
        }
    }
    failures
}
