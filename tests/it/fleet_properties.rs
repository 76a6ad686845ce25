//! Property tests for [`Fleet`]: random sequences of inserts, replacements and removals (from a pool of
//! 150 ids, with a small alphabet of keys and values so that selectors hit often) are applied both to a
//! fleet and to a plain model, a `Vec` of `(id, BTreeMap)` in insertion order. After the sequence, and at
//! checkpoints along it, the fleet must hold what the model holds, in the same order, and for random
//! selectors `select`, `count` and `Selection::contains` must equal the model filtered with the oracle
//! (`support::oracle`). Sequences grow fleets past 64 nodes (where the bitmap index answers), shrink them
//! below (where nodes are scanned), and remove most nodes before inserting again (slot reuse).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::oracle;
use labelsel::{Fleet, Matcher, Selector};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

/// Fast in debug builds: 64 cases of up to ~300 operations each. Failures are not persisted to files;
/// the shrunk input is in the failure message.
fn config() -> Config {
    Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------------
// Alphabets
// ---------------------------------------------------------------------------------------------------

/// Ids are `node-0` .. `node-149`; selectors may also name the ids `node-150` .. `node-159`, which are
/// never inserted.
pub(crate) const ID_POOL: usize = 150;
const ID_NAMES: usize = ID_POOL + 10;

pub(crate) fn id(i: usize) -> String {
    format!("node-{i}")
}

/// Node label keys. `cpu` and `mem` mostly hold integer-like values, the others mostly words.
const KEYS: &[&str] = &["zone", "tier", "cpu", "mem", "gpu", "debug"];
/// Word values (and `8`, an integer among words).
const WORDS: &[&str] = &["a", "b", "c", "", "8"];
/// Integer-like values: equal numbers written differently, signs, and values that are not `i64`s.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "5",
    "8",
    "08",
    "+2",
    "-0",
    "-3",
    "10",
    "007",
    "x",
    "",
    "99999999999999999999",
    "9223372036854775807",
    "-9223372036854775808",
];

/// Selector keys: every node key and one no node has.
const SELECTOR_KEYS: &[&str] = &["zone", "tier", "cpu", "mem", "gpu", "debug", "nokey"];
/// Selector values: valid label values only (no sign), and one no node has.
const SELECTOR_VALUES: &[&str] = &[
    "a", "b", "c", "", "0", "1", "2", "5", "8", "08", "10", "007", "x", "nosuch",
];
/// `>`/`<` thresholds: digits only, as Kubernetes requires.
const THRESHOLDS: &[&str] = &[
    "0",
    "1",
    "2",
    "4",
    "5",
    "7",
    "8",
    "08",
    "9",
    "10",
    "007",
    "9223372036854775807",
];

// ---------------------------------------------------------------------------------------------------
// Operations and the model
// ---------------------------------------------------------------------------------------------------

pub(crate) type Labels = Vec<(String, String)>;

#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// `insert` the id from the pool: a new node, or a replacement if it is present.
    Insert(usize, Labels),
    /// Replace the labels of the node at this position (modulo the length) of the model.
    Replace(usize, Labels),
    /// Remove the node at this position (modulo the length) of the model.
    Remove(usize),
    /// Remove this id, which may be absent.
    RemoveId(usize),
    /// Remove every node except one in `keep_one_in` (by model position).
    RemoveMost { keep_one_in: usize, offset: usize },
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Model {
    nodes: Vec<(String, BTreeMap<String, String>)>,
}

impl Model {
    fn position(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|(i, _)| i == id)
    }

    /// Insert or replace in place; the last duplicate key wins, as when collecting into a map.
    pub(crate) fn insert(&mut self, id: &str, labels: &Labels) -> bool {
        let map: BTreeMap<String, String> = labels.iter().cloned().collect();
        match self.position(id) {
            Some(at) => {
                self.nodes[at].1 = map;
                true
            }
            None => {
                self.nodes.push((id.to_owned(), map));
                false
            }
        }
    }

    fn remove(&mut self, id: &str) -> bool {
        match self.position(id) {
            Some(at) => {
                self.nodes.remove(at);
                true
            }
            None => false,
        }
    }
}

/// Applies one operation to both; the return values of `insert` and `remove` must agree.
pub(crate) fn apply(fleet: &mut Fleet, model: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    match op {
        Op::Insert(i, labels) => {
            let id = id(*i);
            let replaced = model.insert(&id, labels);
            prop_assert_eq!(
                fleet.insert(&id, labels.iter().map(|(k, v)| (k, v))),
                replaced,
                "insert {}",
                id
            );
        }
        Op::Replace(at, labels) => {
            if !model.nodes.is_empty() {
                let id = model.nodes[at % model.nodes.len()].0.clone();
                prop_assert!(model.insert(&id, labels));
                prop_assert!(
                    fleet.insert(&id, labels.iter().map(|(k, v)| (k, v))),
                    "replace {}",
                    id
                );
            }
        }
        Op::Remove(at) => {
            if !model.nodes.is_empty() {
                let id = model.nodes[at % model.nodes.len()].0.clone();
                prop_assert!(model.remove(&id));
                prop_assert!(fleet.remove(&id), "remove {}", id);
            }
        }
        Op::RemoveId(i) => {
            let id = id(*i);
            let removed = model.remove(&id);
            prop_assert_eq!(fleet.remove(&id), removed, "remove {}", id);
        }
        Op::RemoveMost {
            keep_one_in,
            offset,
        } => {
            let doomed: Vec<String> = model
                .nodes
                .iter()
                .enumerate()
                .filter(|(at, _)| at % keep_one_in != offset % keep_one_in)
                .map(|(_, (id, _))| id.clone())
                .collect();
            for id in doomed {
                prop_assert!(model.remove(&id));
                prop_assert!(fleet.remove(&id), "remove {}", id);
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------------

fn label() -> impl Strategy<Value = (String, String)> {
    (select(KEYS), select(WORDS), select(NUMBERS), 0u8..4).prop_map(|(key, word, number, pick)| {
        let numeric = key == "cpu" || key == "mem";
        // Mostly the key's own kind of value, sometimes the other kind.
        let value = match (numeric, pick == 0) {
            (true, false) | (false, true) => number,
            (true, true) | (false, false) => word,
        };
        (key.to_owned(), value.to_owned())
    })
}

/// Up to six labels; keys may repeat.
pub(crate) fn labels() -> impl Strategy<Value = Labels> {
    vec(label(), 0..6)
}

/// One operation; `bulk` weighs `RemoveMost` against 650 for the others together (about 115 nodes at
/// equilibrium without bulk removals).
pub(crate) fn op(bulk: u32) -> impl Strategy<Value = Op> {
    prop_oneof![
        400 => (0..ID_POOL, labels()).prop_map(|(i, labels)| Op::Insert(i, labels)),
        150 => (any::<usize>(), labels()).prop_map(|(at, labels)| Op::Replace(at, labels)),
        50 => any::<usize>().prop_map(Op::Remove),
        50 => (0..ID_NAMES).prop_map(Op::RemoveId),
        bulk => (2usize..10, any::<usize>())
            .prop_map(|(keep_one_in, offset)| Op::RemoveMost { keep_one_in, offset }),
    ]
}

fn requirement() -> impl Strategy<Value = String> {
    let key = || select(SELECTOR_KEYS);
    let value = || select(SELECTOR_VALUES);
    let values = || vec(select(SELECTOR_VALUES), 0..4);
    let threshold = || select(THRESHOLDS);
    prop_oneof![
        (key(), value()).prop_map(|(k, v)| format!("{k}={v}")),
        (key(), value()).prop_map(|(k, v)| format!("{k}=={v}")),
        (key(), value()).prop_map(|(k, v)| format!("{k}!={v}")),
        (key(), values()).prop_map(|(k, vs)| format!("{k} in ({})", vs.join(","))),
        (key(), values()).prop_map(|(k, vs)| format!("{k} notin ({})", vs.join(","))),
        key().prop_map(str::to_owned),
        key().prop_map(|k| format!("!{k}")),
        (key(), threshold()).prop_map(|(k, t)| format!("{k}>{t}")),
        (key(), threshold()).prop_map(|(k, t)| format!("{k}<{t}")),
    ]
}

/// One to three requirements joined by commas.
fn expression() -> impl Strategy<Value = String> {
    vec(requirement(), 1..4).prop_map(|reqs| reqs.join(","))
}

pub(crate) fn selector() -> impl Strategy<Value = Selector> {
    let match_labels = prop_oneof![
        3 => Just(Vec::new()),
        1 => vec((select(SELECTOR_KEYS), select(SELECTOR_VALUES)), 1..3),
    ];
    let match_ids = prop_oneof![
        3 => Just(Vec::new()),
        1 => vec(0..ID_NAMES, 1..100),
    ];
    (match_labels, vec(expression(), 0..3), match_ids).prop_map(|(labels, expressions, ids)| {
        let mut selector = Selector::new();
        for (k, v) in labels {
            selector = selector.label(k, v);
        }
        for e in expressions {
            selector = selector.expression(e);
        }
        for i in ids {
            selector = selector.id(id(i));
        }
        selector
    })
}

pub(crate) fn selectors() -> impl Strategy<Value = Vec<Selector>> {
    vec(selector(), 8)
}

// ---------------------------------------------------------------------------------------------------
// Checking the fleet against the model
// ---------------------------------------------------------------------------------------------------

/// How many checkpoints saw a fleet larger than 64 nodes, and how many a smaller non-empty one.
#[derive(Default)]
struct Seen {
    large: AtomicUsize,
    small: AtomicUsize,
}

impl Seen {
    fn note(&self, len: usize) {
        if len > 64 {
            self.large.fetch_add(1, Ordering::Relaxed);
        } else if len > 0 {
            self.small.fetch_add(1, Ordering::Relaxed);
        }
    }
}

pub(crate) fn check(
    fleet: &Fleet,
    model: &Model,
    matchers: &[(Selector, Matcher)],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(fleet.len(), model.nodes.len());
    prop_assert_eq!(fleet.is_empty(), model.nodes.is_empty());

    // Contents and order.
    let got: Vec<(&str, Vec<(&str, &str)>)> = fleet
        .iter()
        .map(|(id, labels)| (id, labels.iter().collect()))
        .collect();
    let want: Vec<(&str, Vec<(&str, &str)>)> = model
        .nodes
        .iter()
        .map(|(id, labels)| {
            let pairs = labels.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            (id.as_str(), pairs.collect())
        })
        .collect();
    prop_assert_eq!(got, want);

    for i in 0..ID_NAMES {
        let id = id(i);
        let node = model.nodes.iter().find(|(n, _)| *n == id);
        prop_assert_eq!(fleet.contains(&id), node.is_some(), "contains {}", id);
        match (fleet.get(&id), node) {
            (Some(labels), Some((_, want))) => {
                let pairs: Vec<(&str, &str)> = labels.iter().collect();
                let want: Vec<(&str, &str)> =
                    want.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                prop_assert_eq!(pairs, want, "get {}", id);
                for key in SELECTOR_KEYS {
                    prop_assert_eq!(
                        labelsel::Labels::get(&labels, key),
                        node.and_then(|(_, m)| m.get(*key)).map(String::as_str),
                        "get({}).get({})",
                        id,
                        key
                    );
                }
            }
            (None, None) => {}
            (got, _) => prop_assert!(false, "get {}: {:?}, model {:?}", id, got, node),
        }
    }

    // Selections.
    for (selector, matcher) in matchers {
        let expressions = oracle::parse_expressions(selector);
        let expected: Vec<&str> = model
            .nodes
            .iter()
            .filter(|(id, labels)| {
                oracle::parsed_selector_holds(selector, &expressions, id, labels)
            })
            .map(|(id, _)| id.as_str())
            .collect();
        let selection = fleet.select(matcher);
        let got: Vec<&str> = selection.iter().collect();
        prop_assert_eq!(
            &got,
            &expected,
            "select({:?}) on {} nodes",
            selector,
            fleet.len()
        );
        prop_assert_eq!(selection.len(), expected.len(), "len {:?}", selector);
        prop_assert_eq!(
            selection.is_empty(),
            expected.is_empty(),
            "is_empty {:?}",
            selector
        );
        prop_assert_eq!(fleet.count(matcher), expected.len(), "count {:?}", selector);
        for i in 0..ID_NAMES {
            let id = id(i);
            prop_assert_eq!(
                selection.contains(&id),
                expected.contains(&id.as_str()),
                "select({:?}).contains({})",
                selector,
                id
            );
        }
    }
    Ok(())
}

pub(crate) fn compile_all(
    selectors: &[Selector],
) -> Result<Vec<(Selector, Matcher)>, TestCaseError> {
    selectors
        .iter()
        .map(|selector| match selector.compile() {
            Ok(matcher) => Ok((selector.clone(), matcher)),
            Err(e) => Err(TestCaseError::fail(format!(
                "generated selector {selector:?} should compile: {e}"
            ))),
        })
        .collect()
}

/// Runs the ops, checking every `every` operations, after the last one, and at the given extra
/// positions (after the op with that index).
fn run(
    ops: &[Op],
    selectors: &[Selector],
    every: usize,
    extra: &[usize],
    seen: &Seen,
) -> Result<(), TestCaseError> {
    let matchers = compile_all(selectors)?;
    let mut fleet = Fleet::new();
    let mut model = Model::default();
    for (step, op) in ops.iter().enumerate() {
        apply(&mut fleet, &mut model, op)?;
        if (step + 1) % every == 0 || extra.contains(&step) {
            seen.note(fleet.len());
            check(&fleet, &model, &matchers)?;
        }
    }
    seen.note(fleet.len());
    check(&fleet, &model, &matchers)
}

pub(crate) fn run_property<S: Strategy>(
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(config());
    match runner.run(&strategy, test) {
        Ok(()) => {}
        Err(TestError::Fail(reason, input)) => {
            panic!("{reason}\nminimal failing input: {input:#?}")
        }
        Err(e) => panic!("{e}"),
    }
}

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

/// Random operations from the start, up to ~300 of them.
#[test]
fn fleet_agrees_with_model_on_random_operations() {
    let seen = Seen::default();
    run_property((vec(op(2), 20..300), selectors()), |(ops, selectors)| {
        run(&ops, &selectors, 25, &[], &seen)
    });
    // With ~100 nodes at equilibrium, both evaluation paths must have been exercised.
    assert!(
        seen.large.load(Ordering::Relaxed) > 0,
        "no fleet of more than 64 nodes"
    );
    assert!(
        seen.small.load(Ordering::Relaxed) > 0,
        "no fleet of at most 64 nodes"
    );
}

/// Fill past 64 nodes, remove most of them, then insert, replace and remove again: freed slots are
/// reused while the order stays insertion order.
#[test]
fn fleet_agrees_with_model_after_removing_most_and_refilling() {
    let seen = Seen::default();
    let phases = (
        vec(labels(), 70..ID_POOL),
        2usize..12,
        any::<usize>(),
        vec(op(2), 30..200),
        selectors(),
    );
    run_property(phases, |(fill, keep_one_in, offset, rest, selectors)| {
        let mut ops: Vec<Op> = fill
            .into_iter()
            .enumerate()
            .map(|(i, labels)| Op::Insert(i, labels))
            .collect();
        let filled = ops.len() - 1;
        ops.push(Op::RemoveMost {
            keep_one_in,
            offset,
        });
        let emptied = ops.len() - 1;
        ops.extend(rest);
        run(&ops, &selectors, 20, &[filled, emptied], &seen)
    });
    assert!(
        seen.large.load(Ordering::Relaxed) > 0,
        "no fleet of more than 64 nodes"
    );
    assert!(
        seen.small.load(Ordering::Relaxed) > 0,
        "no fleet of at most 64 nodes"
    );
}

/// Fill, empty the fleet completely, fill again with ids in another order.
#[test]
fn fleet_agrees_with_model_after_emptying() {
    let seen = Seen::default();
    let phases = (
        vec((0..ID_POOL, labels()), 0..150),
        vec(op(2), 0..150),
        selectors(),
    );
    run_property(phases, |(fill, rest, selectors)| {
        let mut ops: Vec<Op> = fill
            .into_iter()
            .map(|(i, labels)| Op::Insert(i, labels))
            .collect();
        // Remove every node (keep one in one million: position 999_999 never exists).
        ops.push(Op::RemoveMost {
            keep_one_in: 1_000_000,
            offset: 999_999,
        });
        let emptied = ops.len() - 1;
        ops.extend(rest);
        run(&ops, &selectors, 30, &[emptied], &seen)
    });
    assert!(
        seen.large.load(Ordering::Relaxed) > 0,
        "no fleet of more than 64 nodes"
    );
}
