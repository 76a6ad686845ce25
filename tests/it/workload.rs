//! The benchmark workload: every selector's match count equals the count recorded from the Kubernetes
//! implementation on 100,000 nodes, by a scan and by the fleet index (same nodes, same order), and on a
//! smaller fleet labelsel agrees node by node with kube-core and with the oracle (`support::oracle`), over
//! `BTreeMap`, `HashMap` and `LabelSet` labels.

use std::collections::HashMap;

use crate::support::oracle;
use crate::support::workload::{KubeSelector, REFERENCE_COUNTS, Workload};
use labelsel::{Fleet, LabelSet};

#[test]
fn reference_counts_on_100k_nodes() {
    let workload = Workload::generate(100_000, 7);
    let prepared: Vec<LabelSet> = workload
        .nodes
        .iter()
        .map(|node| node.labels.iter().collect())
        .collect();
    let mut fleet = Fleet::new();
    for node in &workload.nodes {
        fleet.insert(&node.id, &node.labels);
    }
    let mut counts = Vec::new();
    for named in &workload.selectors {
        let matcher = named.selector.compile().unwrap();
        let scanned: Vec<&str> = workload
            .nodes
            .iter()
            .zip(&prepared)
            .filter(|(node, labels)| matcher.matches(&node.id, *labels))
            .map(|(node, _)| node.id.as_str())
            .collect();
        let selection = fleet.select(&matcher);
        assert_eq!(selection.len(), scanned.len(), "{}", named.name);
        assert_eq!(fleet.count(&matcher), scanned.len(), "{}", named.name);
        assert!(
            selection.iter().eq(scanned.iter().copied()),
            "{}",
            named.name
        );
        counts.push((named.name.as_str(), scanned.len()));
    }
    assert_eq!(counts, REFERENCE_COUNTS);
}

#[test]
fn engines_agree_node_by_node_on_a_small_fleet() {
    let workload = Workload::generate(3_000, 7);
    let mut compared_with_kube = 0;
    for named in &workload.selectors {
        let matcher = named.selector.compile().unwrap();
        let expressions = oracle::parse_expressions(&named.selector);
        let kube = KubeSelector::new(&named.selector);
        compared_with_kube += usize::from(kube.is_some());
        let mut count = 0;
        for node in &workload.nodes {
            let hashed: HashMap<&str, &str> = node
                .labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let prepared: LabelSet = node.labels.iter().collect();
            let want = oracle::parsed_selector_holds(
                &named.selector,
                &expressions,
                &node.id,
                &node.labels,
            );
            let got = [
                matcher.matches(&node.id, &node.labels),
                matcher.matches(&node.id, &hashed),
                matcher.matches(&node.id, &prepared),
            ];
            assert_eq!(got, [want; 3], "{} on {}", named.name, node.id);
            if let Some(kube) = &kube {
                assert_eq!(
                    kube.matches(&node.id, &node.labels),
                    want,
                    "kube-core: {}",
                    named.name
                );
            }
            count += usize::from(want);
        }
        // The first 3,000 nodes are the start of the 100,000-node fleet: a sanity bound.
        let reference = REFERENCE_COUNTS
            .iter()
            .find(|(n, _)| *n == named.name)
            .unwrap()
            .1;
        assert!(count <= reference, "{}: {count} > {reference}", named.name);
    }
    assert_eq!(compared_with_kube, 12);
}
