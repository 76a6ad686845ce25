//! The Kubernetes `nodeAffinity` conversion (`NodeAffinity` → `Placement`) replayed on every case
//! recorded from `k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go` with its
//! strict constructors (`tests/data/affinity.jsonl`): decode errors, refusals, and every node's
//! feasibility and score through `Placer::feasible`, `Placer::score`, `Placer::explain`,
//! `Fleet::ranked` and `Fleet::place`; then the JSON shape and the error paths.

use std::collections::BTreeMap;

use labelsel::{
    AffinityError, Fleet, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    Placement, Placer, PreferredSchedulingTerm, Term,
};
use serde::Deserialize;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------------
// The recorded cases
// ---------------------------------------------------------------------------------------------------

/// A node of a case: Kubernetes' `metadata.name` (the node id) and `metadata.labels`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Node {
    name: String,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
}

impl Node {
    fn labels(&self) -> BTreeMap<String, String> {
        self.labels.clone().unwrap_or_default()
    }
}

#[derive(Debug, Deserialize)]
struct Expected {
    decode_error: Option<String>,
    required_error: Option<String>,
    preferred_error: Option<String>,
    #[serde(default)]
    required: Vec<bool>,
    #[serde(default)]
    scores: Vec<i64>,
}

/// One line, with the affinity and the nodes still raw JSON, so that decoding them is under test.
#[derive(Debug, Deserialize)]
struct RawCase {
    id: String,
    #[serde(default)]
    affinity: Option<Value>,
    nodes: Value,
    expected: Expected,
}

fn cases() -> Vec<RawCase> {
    let path = format!("{}/tests/data/affinity.jsonl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .enumerate()
        .map(|(number, line)| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}:{}: {e}", number + 1))
        })
        .collect()
}

/// The affinity (absent or `null`: none) and the nodes, decoded as labelsel decodes them.
fn decode(case: &RawCase) -> Result<(NodeAffinity, Vec<Node>), String> {
    let affinity = match &case.affinity {
        None | Some(Value::Null) => NodeAffinity::default(),
        Some(json) => serde_json::from_value(json.clone()).map_err(|e| format!("affinity: {e}"))?,
    };
    let nodes = serde_json::from_value(case.nodes.clone()).map_err(|e| format!("nodes: {e}"))?;
    Ok((affinity, nodes))
}

/// The placement compiled, or why it was refused (the conversion's error, or the compiler's).
fn placer(affinity: &NodeAffinity) -> Result<Placer, String> {
    let placement = Placement::try_from(affinity).map_err(|e| format!("conversion: {e}"))?;
    placement.compile().map_err(|e| format!("compile: {e}"))
}

fn only_required(affinity: &NodeAffinity) -> NodeAffinity {
    NodeAffinity {
        required_during_scheduling_ignored_during_execution: affinity
            .required_during_scheduling_ignored_during_execution
            .clone(),
        ..NodeAffinity::default()
    }
}

fn only_preferred(affinity: &NodeAffinity) -> NodeAffinity {
    NodeAffinity {
        preferred_during_scheduling_ignored_during_execution: affinity
            .preferred_during_scheduling_ignored_during_execution
            .clone(),
        ..NodeAffinity::default()
    }
}

/// What the replay saw.
#[derive(Debug, Default)]
struct Counts {
    cases: usize,
    decode_errors: usize,
    refused: usize,
    refused_at_compile: usize,
    accepted: usize,
    /// Feasibility verdicts compared with Kubernetes' (every engine counted once per node).
    feasibility: usize,
    /// Scores compared with Kubernetes'.
    scores: usize,
    /// Fleets whose ranking was compared.
    fleets: usize,
}

/// Filler nodes added to a second fleet of each group, so that the index (not only the scan of tiny
/// fleets) answers; their expected verdicts come from `Placer::feasible` and `Placer::score`, which are
/// checked against Kubernetes on the recorded nodes.
const FILLERS: usize = 80;

/// The feasible nodes of `fleet_nodes` (id, labels) sorted by (score descending, insertion order).
fn expected_ranking(
    fleet_nodes: &[(String, BTreeMap<String, String>, bool, i64)],
) -> Vec<(String, i64)> {
    let mut want: Vec<(usize, String, i64)> = fleet_nodes
        .iter()
        .enumerate()
        .filter(|(_, (_, _, feasible, _))| *feasible)
        .map(|(position, (id, _, _, score))| (position, id.clone(), *score))
        .collect();
    want.sort_by_key(|(position, _, score)| (std::cmp::Reverse(*score), *position));
    want.into_iter().map(|(_, id, score)| (id, score)).collect()
}

/// `Fleet::ranked`, `Fleet::place(1)` and `Fleet::place(all)` on a fleet of these nodes, against the
/// expected ranking.
fn check_fleet(
    name: &str,
    placer: &Placer,
    fleet_nodes: &[(String, BTreeMap<String, String>, bool, i64)],
    failures: &mut Vec<String>,
) {
    let mut fleet = Fleet::new();
    for (id, labels, _, _) in fleet_nodes {
        fleet.insert(id, labels);
    }
    assert_eq!(
        fleet.len(),
        fleet_nodes.len(),
        "{name}: ids must be distinct"
    );
    let want = expected_ranking(fleet_nodes);
    let as_pairs = |placed: Vec<labelsel::Placed<'_>>| -> Vec<(String, i64)> {
        placed
            .into_iter()
            .map(|p| (p.id.to_string(), p.score))
            .collect()
    };
    let ranked = as_pairs(fleet.ranked(placer).collect());
    if ranked != want {
        failures.push(format!(
            "{name}: Fleet::ranked gives {ranked:?}, want {want:?}"
        ));
    }
    for k in [1, fleet_nodes.len()] {
        let placed = as_pairs(fleet.place(placer, k));
        let top: Vec<(String, i64)> = want.iter().take(k).cloned().collect();
        if placed != top {
            failures.push(format!(
                "{name}: Fleet::place(k = {k}) gives {placed:?}, want {top:?}"
            ));
        }
    }
}

/// One fleet per group of distinct names (names repeat and may be empty in a case), once as recorded
/// and once with filler nodes after the recorded ones.
fn check_fleets(
    id: &str,
    placer: &Placer,
    nodes: &[Node],
    expected: &Expected,
    counts: &mut Counts,
    failures: &mut Vec<String>,
) {
    let mut placed = vec![false; nodes.len()];
    while let Some(first) = placed.iter().position(|p| !p) {
        let mut members: Vec<(String, BTreeMap<String, String>, bool, i64)> = Vec::new();
        for i in first..nodes.len() {
            if !placed[i] && !members.iter().any(|m| m.0 == nodes[i].name) {
                placed[i] = true;
                members.push((
                    nodes[i].name.clone(),
                    nodes[i].labels(),
                    expected.required[i],
                    expected.scores[i],
                ));
            }
        }
        let group = members.iter().map(|m| m.0.as_str()).collect::<Vec<_>>();
        check_fleet(&format!("{id} fleet {group:?}"), placer, &members, failures);

        let mut padded = members.clone();
        for filler in 0..FILLERS {
            let (_, model, _, _) = &members[filler % members.len()];
            // Copies of the members' labels, with one key dropped or the values changed.
            let labels: BTreeMap<String, String> = match filler % 3 {
                0 => model.clone(),
                1 => model
                    .iter()
                    .skip(1)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                _ => model
                    .keys()
                    .map(|k| (k.clone(), format!("{}", filler % 20)))
                    .collect(),
            };
            let id = format!("filler-{filler}");
            let (feasible, score) = (placer.feasible(&id, &labels), placer.score(&id, &labels));
            padded.push((id, labels, feasible, score));
        }
        check_fleet(
            &format!("{id} padded fleet {group:?}"),
            placer,
            &padded,
            failures,
        );
        counts.fleets += 2;
    }
}

#[test]
fn every_recorded_case_agrees_with_kubernetes() {
    let mut counts = Counts::default();
    let mut failures = Vec::new();
    for case in cases() {
        counts.cases += 1;
        let id = case.id.as_str();
        let expected = &case.expected;
        let decoded = decode(&case);

        if let Some(recorded) = &expected.decode_error {
            counts.decode_errors += 1;
            match &decoded {
                Err(_) => {}
                Ok((affinity, _)) => {
                    if let Ok(placer) = placer(affinity) {
                        failures.push(format!(
                            "{id}: decoded and compiled {placer:?}; Kubernetes' decoder says {recorded}"
                        ));
                    }
                }
            }
            continue;
        }
        let (affinity, nodes) = match decoded {
            Ok(decoded) => decoded,
            Err(e) => {
                failures.push(format!("{id}: {e}, but Kubernetes decodes it"));
                continue;
            }
        };
        assert_eq!(nodes.len(), expected.required.len(), "{id}");
        assert_eq!(nodes.len(), expected.scores.len(), "{id}");

        // Each side on its own: an error on one side does not change the other side's answers.
        match (placer(&only_required(&affinity)), &expected.required_error) {
            (Ok(placer), None) => {
                for (i, node) in nodes.iter().enumerate() {
                    let got = placer.feasible(&node.name, &node.labels());
                    if got != expected.required[i] {
                        failures.push(format!(
                            "{id}: required alone: node {i} ({:?}) feasible {got}, want {}",
                            node.name, expected.required[i]
                        ));
                    }
                    counts.feasibility += 1;
                }
            }
            (Err(_), Some(_)) => {}
            (Ok(_), Some(error)) => {
                failures.push(format!(
                    "{id}: required side accepted; Kubernetes says {error}"
                ));
            }
            (Err(e), None) => failures.push(format!("{id}: required side refused: {e}")),
        }
        match (
            placer(&only_preferred(&affinity)),
            &expected.preferred_error,
        ) {
            (Ok(placer), None) => {
                for (i, node) in nodes.iter().enumerate() {
                    let got = placer.score(&node.name, &node.labels());
                    if got != expected.scores[i] {
                        failures.push(format!(
                            "{id}: preferred alone: node {i} ({:?}) score {got}, want {}",
                            node.name, expected.scores[i]
                        ));
                    }
                    counts.scores += 1;
                }
            }
            (Err(_), Some(_)) => {}
            (Ok(_), Some(error)) => {
                failures.push(format!(
                    "{id}: preferred side accepted; Kubernetes says {error}"
                ));
            }
            (Err(e), None) => failures.push(format!("{id}: preferred side refused: {e}")),
        }

        // The whole affinity: refused when either side is broken, else every engine agrees.
        let refusal_expected =
            expected.required_error.is_some() || expected.preferred_error.is_some();
        let placer = match (placer(&affinity), refusal_expected) {
            (Err(e), true) => {
                counts.refused += 1;
                if e.starts_with("compile") {
                    counts.refused_at_compile += 1;
                }
                // The strict conversion reports the required side first.
                let err = Placement::try_from(&affinity);
                if let (Err(err), Some(_)) = (&err, &expected.required_error)
                    && !err
                        .path()
                        .starts_with("requiredDuringSchedulingIgnoredDuringExecution.")
                {
                    failures.push(format!(
                        "{id}: the first error should be a required one: {err}"
                    ));
                }
                continue;
            }
            (Ok(placer), false) => placer,
            (Ok(_), true) => {
                failures.push(format!(
                    "{id}: accepted; Kubernetes says {:?} / {:?}",
                    expected.required_error, expected.preferred_error
                ));
                continue;
            }
            (Err(e), false) => {
                failures.push(format!("{id}: refused: {e}"));
                continue;
            }
        };
        counts.accepted += 1;
        for (i, node) in nodes.iter().enumerate() {
            let labels = node.labels();
            let (feasible, score) = (expected.required[i], expected.scores[i]);
            let explanation = placer.explain(&node.name, &labels);
            let got = [
                ("feasible", placer.feasible(&node.name, &labels) == feasible),
                ("score", placer.score(&node.name, &labels) == score),
                ("explain.feasible", explanation.feasible == feasible),
                ("explain.score", explanation.score == score),
            ];
            for (what, agrees) in got {
                if !agrees {
                    failures.push(format!(
                        "{id}: node {i} ({:?}): {what} disagrees (want feasible {feasible}, score {score})",
                        node.name
                    ));
                }
            }
            counts.feasibility += 2;
            counts.scores += 2;
        }
        check_fleets(id, &placer, &nodes, expected, &mut counts, &mut failures);
    }
    eprintln!("{counts:?}");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every case seen; every recorded error refused by the conversion itself (none left to the
    // compiler); and enough verdicts compared that the replay cannot pass vacuously.
    assert_eq!(counts.cases, 500, "{counts:?}");
    assert_eq!(counts.decode_errors, 7, "{counts:?}");
    assert_eq!(counts.refused, 79, "{counts:?}");
    assert_eq!(counts.refused_at_compile, 0, "{counts:?}");
    assert_eq!(counts.accepted, 414, "{counts:?}");
    assert!(counts.feasibility >= 7_500, "{counts:?}");
    assert!(counts.scores >= 7_500, "{counts:?}");
    assert!(counts.fleets >= 900, "{counts:?}");
}

// ---------------------------------------------------------------------------------------------------
// The JSON shape
// ---------------------------------------------------------------------------------------------------

fn affinity(json: &str) -> NodeAffinity {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn convert(json: &str) -> Placement {
    Placement::try_from(affinity(json)).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn refuse(json: &str) -> AffinityError {
    match Placement::try_from(affinity(json)) {
        Ok(placement) => panic!("{json} converted to {placement:?}"),
        Err(e) => e,
    }
}

fn required(terms: &str) -> String {
    format!(
        r#"{{"requiredDuringSchedulingIgnoredDuringExecution": {{"nodeSelectorTerms": [{terms}]}}}}"#
    )
}

fn preferred(terms: &str) -> String {
    format!(r#"{{"preferredDuringSchedulingIgnoredDuringExecution": [{terms}]}}"#)
}

fn expressions(requirements: &str) -> String {
    format!(r#"{{"matchExpressions": [{requirements}]}}"#)
}

fn fields(requirements: &str) -> String {
    format!(r#"{{"matchFields": [{requirements}]}}"#)
}

#[test]
fn the_kubernetes_shape_reads_with_nulls_as_empty() {
    let json = r#"{
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "gpu", "operator": "Exists", "values": null}], "matchFields": null}
        ]},
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 3, "preference": {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}},
            {"preference": {"matchExpressions": [{"key": "a", "operator": "Exists"}]}},
            {"weight": null, "preference": null}
        ]
    }"#;
    let want = NodeAffinity {
        required_during_scheduling_ignored_during_execution: Some(NodeSelector {
            node_selector_terms: vec![NodeSelectorTerm {
                match_expressions: vec![NodeSelectorRequirement {
                    key: "gpu".into(),
                    operator: "Exists".into(),
                    values: vec![],
                }],
                match_fields: vec![],
            }],
        }),
        preferred_during_scheduling_ignored_during_execution: vec![
            PreferredSchedulingTerm {
                weight: 3,
                preference: NodeSelectorTerm {
                    match_expressions: vec![],
                    match_fields: vec![NodeSelectorRequirement {
                        key: "metadata.name".into(),
                        operator: "In".into(),
                        values: vec!["n1".into()],
                    }],
                },
            },
            PreferredSchedulingTerm {
                weight: 0,
                preference: NodeSelectorTerm {
                    match_expressions: vec![NodeSelectorRequirement {
                        key: "a".into(),
                        operator: "Exists".into(),
                        values: vec![],
                    }],
                    match_fields: vec![],
                },
            },
            PreferredSchedulingTerm::default(),
        ],
    };
    let got = affinity(json);
    assert_eq!(got, want);
    // Serialising gives the same shape back.
    let again: NodeAffinity = serde_json::from_str(&serde_json::to_string(&got).unwrap()).unwrap();
    assert_eq!(again, got);
    // `null` or missing lists and selectors read as empty or absent.
    assert_eq!(affinity("{}"), NodeAffinity::default());
    assert_eq!(
        affinity(
            r#"{"requiredDuringSchedulingIgnoredDuringExecution": null, "preferredDuringSchedulingIgnoredDuringExecution": null}"#
        ),
        NodeAffinity::default()
    );
    assert_eq!(
        affinity(
            r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": null}}"#
        ),
        affinity(r#"{"requiredDuringSchedulingIgnoredDuringExecution": {}}"#)
    );
}

#[test]
fn misspelt_or_misshapen_json_is_an_error() {
    let bad = [
        // Unknown fields, at every level, and snake_case names.
        r#"{"requiredDuringScheduling": {"nodeSelectorTerms": []}}"#,
        r#"{"required_during_scheduling_ignored_during_execution": null}"#,
        r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"terms": []}}"#,
        r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchLabels": {}}]}}"#,
        r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "Exists", "value": []}]}]}}"#,
        r#"{"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "selector": {}}]}"#,
        // Arrays where objects belong (serde would read them by position).
        r#"[]"#,
        r#"{"requiredDuringSchedulingIgnoredDuringExecution": []}"#,
        r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [[]]}}"#,
        r#"{"preferredDuringSchedulingIgnoredDuringExecution": [[1, {}]]}"#,
        // Weights Kubernetes' decoder refuses: not integral, a string, beyond i32.
        r#"{"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1.5, "preference": {}}]}"#,
        r#"{"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 10.0, "preference": {}}]}"#,
        r#"{"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": "5", "preference": {}}]}"#,
        r#"{"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 2147483648, "preference": {}}]}"#,
        r#"{"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": -2147483649, "preference": {}}]}"#,
        // Values not a list of strings; terms not a list.
        r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "In", "values": "x"}]}]}}"#,
        r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "In", "values": [1]}]}]}}"#,
        r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": {}}}"#,
        // A requirement without key or operator.
        r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchFields": [{"operator": "In", "values": ["x"]}]}]}}"#,
    ];
    for json in bad {
        assert!(
            serde_json::from_str::<NodeAffinity>(json).is_err(),
            "{json} should not deserialise"
        );
    }
    let err = serde_json::from_str::<NodeAffinity>("[]").unwrap_err();
    assert!(err.to_string().contains("a node affinity object"), "{err}");
}

// ---------------------------------------------------------------------------------------------------
// The conversion
// ---------------------------------------------------------------------------------------------------

fn term(expressions: &[&str]) -> Term {
    Term {
        match_expressions: expressions.iter().map(|e| e.to_string()).collect(),
        ..Term::default()
    }
}

#[test]
fn each_operator_becomes_its_selector_string() {
    let placement = convert(&required(&expressions(
        r#"{"key": "zone", "operator": "In", "values": ["b", "a", "b"]},
           {"key": "example.com/tier", "operator": "NotIn", "values": ["spot"]},
           {"key": "gpu", "operator": "Exists"},
           {"key": "debug", "operator": "DoesNotExist", "values": []},
           {"key": "cpu", "operator": "Gt", "values": ["007"]},
           {"key": "mem", "operator": "Lt", "values": ["9223372036854775807"]},
           {"key": "e", "operator": "In", "values": ["", "x"]}"#,
    )));
    let want = term(&[
        "zone in (b,a,b)",
        "example.com/tier notin (spot)",
        "gpu",
        "!debug",
        "cpu>007",
        "mem<9223372036854775807",
        "e in (,x)",
    ]);
    assert_eq!(placement.required, Some(vec![want]));
    let placer = placement.compile().unwrap();
    let node = BTreeMap::from([
        ("zone", "a"),
        ("gpu", ""),
        ("cpu", "8"),
        ("mem", "+9"),
        ("e", ""),
    ]);
    assert!(placer.feasible("n", &node));
    let node = BTreeMap::from([
        ("zone", "a"),
        ("gpu", ""),
        ("cpu", "7"),
        ("mem", "1"),
        ("e", ""),
    ]);
    assert!(!placer.feasible("n", &node), "7 is not above 007");
}

#[test]
fn empty_terms_and_weight_zero_preferences_are_dropped() {
    assert_eq!(convert("{}").required, None);
    assert_eq!(convert(&required("")).required, Some(vec![]));
    assert_eq!(
        convert(&required(
            r#"{}, {"matchExpressions": [], "matchFields": null}"#
        ))
        .required,
        Some(vec![])
    );
    let gpu = expressions(r#"{"key": "gpu", "operator": "Exists"}"#);
    assert_eq!(
        convert(&required(&format!("{{}}, {gpu}"))).required,
        Some(vec![term(&["gpu"])])
    );

    // Weight 0 is skipped before it is checked; an empty preference whatever its weight.
    let broken = expressions(r#"{"key": "cpu", "operator": "Gt", "values": ["x"]}"#);
    let placement = convert(&preferred(&format!(
        r#"{{"weight": 0, "preference": {broken}}}, {{"preference": {broken}}},
           {{"weight": 7, "preference": {{}}}}, {{"weight": -3, "preference": {gpu}}}"#
    )));
    assert_eq!(placement.preferred.len(), 1);
    assert_eq!(placement.preferred[0].weight, -3);
    assert_eq!(placement.preferred[0].selector, term(&["gpu"]));
}

/// The anchor node set of the reference cases: (name, labels).
fn anchor_nodes() -> Vec<(&'static str, BTreeMap<&'static str, &'static str>)> {
    vec![
        ("node-a", BTreeMap::from([("zone", "a"), ("cpu", "8")])),
        ("node-b", BTreeMap::from([("zone", "b"), ("cpu", "16")])),
        ("", BTreeMap::from([("zone", "a"), ("cpu", "007")])),
        ("node-d", BTreeMap::new()),
    ]
}

fn feasible(json: &str) -> Vec<bool> {
    let placer = convert(json).compile().unwrap();
    anchor_nodes()
        .iter()
        .map(|(name, labels)| placer.feasible(name, labels))
        .collect()
}

#[test]
fn match_fields_map_to_ids_and_the_unnamed_node_ignores_them() {
    let name_in = r#"{"key": "metadata.name", "operator": "In", "values": ["node-b"]}"#;
    let name_not_in = r#"{"key": "metadata.name", "operator": "NotIn", "values": ["node-b"]}"#;
    let placement = convert(&required(&fields(&format!("{name_in}, {name_not_in}"))));
    let want = Term {
        match_ids: vec![String::new(), "node-b".into()],
        exclude_ids: vec!["node-b".into()],
        ..Term::default()
    };
    assert_eq!(placement.required, Some(vec![want]));

    let case = |requirement: &str| feasible(&required(&fields(requirement)));
    //                                    node-a  node-b   ""    node-d
    assert_eq!(case(name_in), [false, true, true, false]);
    assert_eq!(case(name_not_in), [true, false, true, true]);
    assert_eq!(
        case(&format!("{name_in}, {name_not_in}")),
        [false, false, true, false]
    );
    let name = |op: &str, v: &str| {
        format!(r#"{{"key": "metadata.name", "operator": "{op}", "values": ["{v}"]}}"#)
    };
    let other = |op: &str, v: &str| {
        format!(r#"{{"key": "metadata.namespace", "operator": "{op}", "values": ["{v}"]}}"#)
    };
    assert_eq!(case(&name("In", "")), [false, false, true, false]);
    assert_eq!(case(&name("NotIn", "")), [true; 4]);
    assert_eq!(case(&other("In", "")), [true; 4]);
    assert_eq!(case(&other("NotIn", "x")), [true; 4]);
    assert_eq!(case(&other("In", "x")), [false, false, true, false]);
    assert_eq!(case(&other("NotIn", "")), [false, false, true, false]);
    // Two names ANDed: only the unnamed node is left.
    assert_eq!(
        case(&format!(
            "{}, {}",
            name("In", "node-a"),
            name("In", "node-b")
        )),
        [false, false, true, false]
    );
    // Keys and values of matchFields are never validated.
    assert_eq!(
        case(r#"{"key": "a b!", "operator": "NotIn", "values": ["N1 !!"]}"#),
        [true; 4]
    );
    // With matchExpressions, ANDed.
    let both = format!(
        r#"{{"matchExpressions": [{{"key": "zone", "operator": "In", "values": ["a"]}}], "matchFields": [{name_not_in}]}}"#
    );
    assert_eq!(feasible(&required(&both)), [true, false, true, false]);
}

// ---------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------

#[test]
fn errors_name_the_place_in_kubernetes_terms() {
    let req = "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
    let pref = "preferredDuringSchedulingIgnoredDuringExecution";
    let one = |requirement: &str| refuse(&required(&format!("{{}}, {}", expressions(requirement))));
    let cases: [(AffinityError, &str, &str); 13] = [
        (
            one(r#"{"key": "-a", "operator": "in", "values": []}"#),
            "[1].matchExpressions[0].operator",
            "\"in\" is not a node selector operator",
        ),
        (
            one(r#"{"key": "a/b/c", "operator": "Exists"}"#),
            "[1].matchExpressions[0].key",
            "invalid label key \"a/b/c\"",
        ),
        (
            one(r#"{"key": "", "operator": "Exists"}"#),
            "[1].matchExpressions[0].key",
            "invalid label key \"\"",
        ),
        (
            one(r#"{"key": "zone", "operator": "In"}"#),
            "[1].matchExpressions[0].values",
            "In needs at least one value",
        ),
        (
            one(r#"{"key": "zone", "operator": "NotIn", "values": []}"#),
            "[1].matchExpressions[0].values",
            "NotIn needs at least one value",
        ),
        (
            one(r#"{"key": "gpu", "operator": "Exists", "values": ["x"]}"#),
            "[1].matchExpressions[0].values",
            "Exists takes no values, but 1 are given",
        ),
        (
            one(r#"{"key": "cpu", "operator": "Gt", "values": ["1", "x"]}"#),
            "[1].matchExpressions[0].values",
            "Gt takes exactly one value, but 2 are given",
        ),
        (
            one(r#"{"key": "cpu", "operator": "Lt", "values": ["99999999999999999999"]}"#),
            "[1].matchExpressions[0].values[0]",
            "Lt needs a base-10 integer",
        ),
        (
            one(r#"{"key": "cpu", "operator": "Gt", "values": ["-5"]}"#),
            "[1].matchExpressions[0].values[0]",
            "invalid label value \"-5\"",
        ),
        (
            one(r#"{"key": "cpu", "operator": "Lt", "values": ["+5"]}"#),
            "[1].matchExpressions[0].values[0]",
            "invalid label value \"+5\"",
        ),
        (
            one(r#"{"key": "zone", "operator": "In", "values": ["a", "<x>"]}"#),
            "[1].matchExpressions[0].values[1]",
            "invalid label value \"<x>\"",
        ),
        (
            refuse(&required(&fields(
                r#"{"key": "metadata.name", "operator": "DoesNotExist", "values": []}"#,
            ))),
            "[0].matchFields[0].operator",
            "\"DoesNotExist\" is not allowed in matchFields; use In or NotIn",
        ),
        (
            refuse(&required(&fields(
                r#"{"key": "metadata.name", "operator": "In", "values": ["a", "b"]}"#,
            ))),
            "[0].matchFields[0].values",
            "In takes exactly one value, but 2 are given",
        ),
    ];
    for (err, place, message) in cases {
        let path = format!("{req}{place}");
        assert_eq!(err.path(), path, "{err}");
        let text = err.to_string();
        assert!(text.starts_with(&format!("{path}: ")), "{text}");
        assert!(text.contains(message), "{text} should say {message}");
    }

    let err = refuse(&preferred(&format!(
        r#"{{"weight": 0, "preference": {}}}, {{"weight": 1, "preference": {{}}}},
           {{"weight": 2, "preference": {}}}"#,
        expressions(r#"{"key": "-", "operator": "Exists"}"#),
        fields(r#"{"key": "metadata.name", "operator": "Gt", "values": ["1"]}"#),
    )));
    assert_eq!(
        err.path(),
        format!("{pref}[2].preference.matchFields[0].operator")
    );
    assert!(matches!(
        err,
        AffinityError::UnsupportedFieldOperator { .. }
    ));
    // An error is a std error, for `?` into `Box<dyn Error>`.
    let _: Box<dyn std::error::Error> = Box::new(err);
}

#[test]
fn a_broken_term_refuses_the_whole_side_as_the_strict_constructors_do() {
    let valid = expressions(r#"{"key": "zone", "operator": "In", "values": ["a"]}"#);
    let broken = expressions(r#"{"key": "zone", "operator": "In"}"#);
    let err = refuse(&required(&format!("{valid}, {broken}")));
    assert_eq!(
        err.path(),
        "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchExpressions[0].values"
    );
    // Both sides broken: the required side is reported first.
    let json = format!(
        r#"{{"requiredDuringSchedulingIgnoredDuringExecution": {{"nodeSelectorTerms": [{broken}]}},
            "preferredDuringSchedulingIgnoredDuringExecution": [{{"weight": 1, "preference": {broken}}}]}}"#
    );
    assert!(
        refuse(&json)
            .path()
            .starts_with("requiredDuringSchedulingIgnoredDuringExecution.")
    );
}
