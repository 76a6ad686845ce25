//! The benchmark workload: the seeded fleet of `generate` and its 15 named selectors, with the match
//! counts the Kubernetes implementation gives on 100,000 nodes (seed 7), and their kube-core
//! translations. Shared by tests and benches (`#[path]`-included).

#![allow(dead_code, unreachable_pub)] // Each includer uses a different part; nothing is exported.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::path::Path;

use labelsel::{Expression, Operator, Selector};

#[path = "generate.rs"]
pub mod generate;

pub use generate::GeneratedNode as Node;

/// Match counts recorded from the Kubernetes implementation on 100,000 nodes, seed 7.
pub const REFERENCE_COUNTS: [(&str, usize); 15] = [
    ("os-linux", 96957),
    ("region-eq", 29940),
    ("region-in", 65048),
    ("gpu-exists", 28132),
    ("no-debug", 96959),
    ("rack-eq", 17),
    ("team-notin", 19040),
    ("cpu-gt", 39399),
    ("prod-gpu", 4124),
    ("scheduler-typical", 23200),
    ("many-terms", 10057),
    ("ids-only", 7),
    ("ids-and-labels", 40),
    ("none-match", 0),
    ("empty", 100000),
];

/// One of the workload's selectors, with its name.
#[derive(Debug, Clone)]
pub struct NamedSelector {
    pub name: String,
    pub selector: Selector,
}

/// The generated fleet and selectors.
pub struct Workload {
    pub nodes: Vec<Node>,
    pub selectors: Vec<NamedSelector>,
}

impl Workload {
    /// Generates the workload with `nodes` nodes and the given seed, in memory.
    pub fn generate(nodes: usize, seed: u64) -> Workload {
        let selectors = generate::selectors()
            .into_iter()
            .map(|(name, json)| NamedSelector {
                name: name.to_string(),
                selector: serde_json::from_str(&json)
                    .unwrap_or_else(|e| panic!("selector {name}: {e}")),
            })
            .collect();
        Workload {
            nodes: generate::fleet(nodes, seed),
            selectors,
        }
    }

    /// Writes the fleet as NDJSON, one node a line, as the `labelsel` command reads it.
    pub fn write_fleet(&self, path: &Path) {
        let file = std::fs::File::create(path)
            .unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
        let mut out = std::io::BufWriter::new(file);
        for node in &self.nodes {
            writeln!(out, "{}", generate::to_ndjson_line(node)).expect("writing the fleet");
        }
        out.flush().expect("writing the fleet");
    }
}

/// A selector as kube-core expresses it: its label selector, plus the id set checked beside it
/// (kube-core has no ids). `None` when the selector uses `>` or `<`, which kube-core cannot express.
pub struct KubeSelector {
    pub selector: kube_core::Selector,
    pub ids: Option<HashSet<String>>,
}

impl KubeSelector {
    pub fn new(selector: &Selector) -> Option<KubeSelector> {
        use kube_core::Expression as K;
        let mut expressions: Vec<K> = selector
            .match_labels
            .iter()
            .map(|(k, v)| K::Equal(k.clone(), v.clone()))
            .collect();
        for text in &selector.match_expressions {
            let expr = Expression::parse(text).ok()?;
            for req in expr.requirements() {
                let key = req.key().to_string();
                let values = || req.values().map(str::to_string).collect::<BTreeSet<_>>();
                let first = || req.values().next().unwrap_or_default().to_string();
                expressions.push(match req.operator() {
                    Operator::In => K::In(key, values()),
                    Operator::NotIn => K::NotIn(key, values()),
                    Operator::Equals | Operator::DoubleEquals => K::Equal(key, first()),
                    Operator::NotEquals => K::NotEqual(key, first()),
                    Operator::Exists => K::Exists(key),
                    Operator::DoesNotExist => K::DoesNotExist(key),
                    Operator::GreaterThan | Operator::LessThan => return None,
                });
            }
        }
        let ids =
            (!selector.match_ids.is_empty()).then(|| selector.match_ids.iter().cloned().collect());
        Some(KubeSelector {
            selector: expressions.into_iter().collect(),
            ids,
        })
    }

    pub fn matches(&self, id: &str, labels: &BTreeMap<String, String>) -> bool {
        use kube_core::SelectorExt;
        self.ids.as_ref().is_none_or(|ids| ids.contains(id)) && self.selector.matches(labels)
    }
}
