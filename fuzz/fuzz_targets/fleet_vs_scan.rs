//! A sequence of inserts, replaces, removes and bulk inserts on a `Fleet`, checked after every step
//! against a model (a `Vec` of nodes in insertion order, where a replace updates a node in place), then
//! selects: `Fleet::select(..).iter()` must equal a linear scan of `fleet.iter()` with
//! `Matcher::matches`, in the same order, and the scan of the model with the oracle
//! (`tests/it/support/oracle.rs`, which `Matcher::matches` must agree with on every node);
//! `select(..).len()` and `count` must equal its length.
//!
//! The id pool (160 ids) is larger than the fleet size up to which `select` scans instead of using its
//! index (64 nodes), and bulk inserts reach it with a few bytes of input, so both paths run; removes
//! free slots that later inserts reuse, which changes how insertion order is recovered.

#![no_main]

mod common;

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use common::{KEYS, Key, SelectorSpec, VALUES, Value, last_wins, oracle};
use labelsel::{Fleet, LabelSet, Labels};
use libfuzzer_sys::fuzz_target;

const ID_POOL: u16 = 160;
const MAX_OPS: usize = 48;
const MAX_SELECTS: usize = 6;

#[derive(Arbitrary, Debug)]
enum Op {
    /// Inserts or replaces one node.
    Insert {
        id: u8,
        labels: Vec<(Key, Value)>,
    },
    Remove {
        id: u8,
    },
    /// Inserts or replaces `count` nodes with consecutive ids, with labels made from `pattern`.
    Bulk {
        first: u8,
        count: u8,
        pattern: u16,
    },
    /// Removes every `step`-th id starting at `first`.
    Thin {
        first: u8,
        step: u8,
    },
    Select(SelectorSpec),
}

#[derive(Arbitrary, Debug)]
struct Input {
    ops: Vec<Op>,
    selects: Vec<SelectorSpec>,
}

fn id_of(n: u16) -> String {
    format!("n{}", n % ID_POOL)
}

/// One to three labels for the `i`-th node of a bulk insert: varied, but with repeated values so that
/// selectors match more than one node.
fn bulk_labels(i: u16, pattern: u16) -> Vec<(String, String)> {
    let n = usize::from(i);
    let p = usize::from(pattern);
    let count = 1 + (n + p) % 3;
    (0..count)
        .map(|j| {
            let key = KEYS[(p + j * 3 + n % 2) % KEYS.len()];
            let value = VALUES[(p / 4 + n * (j + 1)) % VALUES.len()];
            (key.to_string(), value.to_string())
        })
        .collect()
}

/// The fleet as a list in insertion order; a replace keeps the node's place.
#[derive(Default)]
struct Model {
    nodes: Vec<(String, BTreeMap<String, String>)>,
}

impl Model {
    fn insert(&mut self, id: &str, pairs: &[(String, String)]) -> bool {
        let labels = last_wins(pairs);
        match self.nodes.iter_mut().find(|(i, _)| i == id) {
            Some(node) => {
                node.1 = labels;
                true
            }
            None => {
                self.nodes.push((id.to_string(), labels));
                false
            }
        }
    }

    fn remove(&mut self, id: &str) -> bool {
        let before = self.nodes.len();
        self.nodes.retain(|(i, _)| i != id);
        self.nodes.len() != before
    }
}

fn insert(fleet: &mut Fleet, model: &mut Model, id: &str, pairs: &[(String, String)]) {
    let replaced = fleet.insert(id, pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    assert_eq!(replaced, model.insert(id, pairs), "insert {id:?} {pairs:?}");
}

fn remove(fleet: &mut Fleet, model: &mut Model, id: &str) {
    assert_eq!(fleet.remove(id), model.remove(id), "remove {id:?}");
}

/// The fleet holds exactly the model's nodes, in the model's order, with the same labels.
fn check_contents(fleet: &Fleet, model: &Model) {
    assert_eq!(fleet.len(), model.nodes.len());
    assert_eq!(fleet.is_empty(), model.nodes.is_empty());
    let ids: Vec<&str> = fleet.iter().map(|(id, _)| id).collect();
    let expected: Vec<&str> = model.nodes.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, expected, "fleet.iter() order");
    for ((id, labels), (_, meant)) in fleet.iter().zip(&model.nodes) {
        let pairs: Vec<(&str, &str)> = labels.iter().collect();
        let meant_pairs: Vec<(&str, &str)> = meant
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(pairs, meant_pairs, "labels of {id:?}");
        assert!(fleet.contains(id));
        let got = fleet.get(id).expect("a listed node can be looked up");
        for (k, v) in meant {
            assert_eq!(got.get(k), Some(v.as_str()), "{id:?}[{k:?}]");
        }
    }
}

fn check_select(fleet: &Fleet, model: &Model, spec: &SelectorSpec) {
    let selector = spec.build().selector;
    let Ok(matcher) = selector.compile() else {
        return;
    };
    let selection = fleet.select(&matcher);
    let selected: Vec<&str> = selection.iter().collect();
    let scanned: Vec<&str> = fleet
        .iter()
        .filter(|(id, labels)| matcher.matches(id, labels))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        selected,
        scanned,
        "select vs scan of fleet.iter(), {selector:?} on {} nodes",
        fleet.len()
    );
    let expressions = oracle::parse_expressions(&selector);
    let modelled: Vec<&str> = model
        .nodes
        .iter()
        .filter(|(id, labels)| {
            let set: LabelSet = labels.iter().collect();
            let verdict = oracle::parsed_selector_holds(&selector, &expressions, id, labels);
            assert_eq!(verdict, matcher.matches(id, labels), "Matcher vs oracle");
            assert_eq!(
                verdict,
                matcher.matches(id, &set),
                "Matcher on a LabelSet vs oracle"
            );
            verdict
        })
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(
        selected,
        modelled,
        "select vs scan of the model, {selector:?} on {} nodes",
        fleet.len()
    );
    assert_eq!(selection.len(), selected.len());
    assert_eq!(selection.is_empty(), selected.is_empty());
    assert_eq!(fleet.count(&matcher), selected.len());
    for (id, _) in &model.nodes {
        assert_eq!(
            selection.contains(id),
            selected.contains(&id.as_str()),
            "contains({id:?})"
        );
    }
    assert!(!selection.contains("not-a-node"));
}

fuzz_target!(|input: Input| {
    let mut fleet = Fleet::new();
    let mut model = Model::default();
    for op in input.ops.iter().take(MAX_OPS) {
        match op {
            Op::Insert { id, labels } => {
                let pairs: Vec<(String, String)> = labels
                    .iter()
                    .take(common::MAX_LABELS)
                    .map(|(k, v)| (k.0.clone(), v.0.clone()))
                    .collect();
                insert(&mut fleet, &mut model, &id_of(u16::from(*id)), &pairs);
            }
            Op::Remove { id } => remove(&mut fleet, &mut model, &id_of(u16::from(*id))),
            Op::Bulk {
                first,
                count,
                pattern,
            } => {
                for i in 0..u16::from(*count) {
                    let pairs = bulk_labels(i, *pattern);
                    insert(
                        &mut fleet,
                        &mut model,
                        &id_of(u16::from(*first) + i),
                        &pairs,
                    );
                }
            }
            Op::Thin { first, step } => {
                let step = u16::from(*step).max(1);
                let mut n = u16::from(*first);
                while n < ID_POOL {
                    remove(&mut fleet, &mut model, &id_of(n));
                    n += step;
                }
            }
            Op::Select(spec) => check_select(&fleet, &model, spec),
        }
        check_contents(&fleet, &model);
    }
    for spec in input.selects.iter().take(MAX_SELECTS) {
        check_select(&fleet, &model, spec);
    }
});
