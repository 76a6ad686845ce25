//! `SelectorIndex`, the reverse index: which jobs a node satisfies. Fixed cases for guards, the
//! residue, placements, replacement and removal; and properties over random job sets with replacements
//! and removals: `matching` equals checking every job of a plain model in insertion order, and
//! `changed` equals the difference of the two full answers.

use std::collections::BTreeMap;

use crate::support::alloc::live_bytes;
use labelsel::{Job, Placement, Preference, Selector, SelectorIndex, Term};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

fn job(expressions: &[&str]) -> Job {
    let mut selector = Selector::new();
    for expression in expressions {
        selector = selector.expression(*expression);
    }
    Job::from(selector.compile().unwrap())
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn term(expression: &str) -> Term {
    Term {
        match_expressions: vec![expression.to_string()],
        ..Term::default()
    }
}

#[test]
fn a_node_finds_the_jobs_it_satisfies_in_insertion_order() {
    let mut index = SelectorIndex::new();
    index.insert("rack", job(&["rack=r1"]));
    index.insert("ids", Selector::new().id("n1").id("n2").compile().unwrap());
    index.insert("gpu", job(&["gpu in (h100,a100), gpu-count>3"]));
    index.insert("no-debug", job(&["!debug"]));
    index.insert("everything", job(&[]));
    index.insert("cpu", job(&["cpu>8"]));
    let node = labels(&[
        ("rack", "r1"),
        ("gpu", "h100"),
        ("gpu-count", "8"),
        ("cpu", "4"),
    ]);
    assert_eq!(
        index.matching("n2", &node),
        ["rack", "ids", "gpu", "no-debug", "everything"]
    );
    let node = labels(&[("debug", ""), ("cpu", "16")]);
    assert_eq!(index.matching("n9", &node), ["everything", "cpu"]);
}

#[test]
fn replacing_a_job_keeps_its_place_and_removing_frees_it() {
    let mut index = SelectorIndex::new();
    index.insert("a", job(&["x"]));
    index.insert("b", job(&["x"]));
    index.insert("c", job(&["x"]));
    assert!(index.insert("a", job(&["x", "y"])));
    let node = labels(&[("x", ""), ("y", "")]);
    assert_eq!(index.matching("n", &node), ["a", "b", "c"]);
    assert!(index.remove("b"));
    assert!(!index.remove("b"));
    index.insert("d", job(&["y"])); // reuses b's slot, comes last
    assert_eq!(index.matching("n", &node), ["a", "c", "d"]);
    assert_eq!(index.len(), 3);
    let ids: Vec<&str> = index.iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["a", "c", "d"]);
    assert!(index.get("d").is_some() && index.get("b").is_none());
}

#[test]
fn a_selector_that_does_not_compile_is_refused_and_the_index_unchanged() {
    let mut index = SelectorIndex::new();
    index.insert("ok", job(&["x"]));
    let err = index
        .insert_selector("ok", &Selector::new().expression("x in ("))
        .unwrap_err();
    assert!(
        err.to_string().starts_with("match_expressions[0]: "),
        "{err}"
    );
    assert_eq!(index.len(), 1);
    assert_eq!(index.matching("n", &labels(&[("x", "1")])), ["ok"]);
}

#[test]
fn placements_are_indexed_under_each_required_term() {
    let mut index = SelectorIndex::new();
    let placement = |required: Option<Vec<Term>>| Placement {
        required,
        preferred: vec![Preference {
            weight: 3,
            selector: term("zone=a"),
        }],
    };
    index
        .insert_placement(
            "either",
            &placement(Some(vec![term("rack=r1"), term("gpu")])),
        )
        .unwrap();
    index
        .insert_placement("anywhere", &placement(None))
        .unwrap();
    index
        .insert_placement("nowhere", &placement(Some(vec![])))
        .unwrap();
    index
        .insert_placement(
            "negation",
            &placement(Some(vec![term("rack=r1"), term("!gpu")])),
        )
        .unwrap();
    assert_eq!(
        index.matching("n", &labels(&[("gpu", "l4")])),
        ["either", "anywhere"]
    );
    assert_eq!(
        index.matching("n", &labels(&[("rack", "r1")])),
        ["either", "anywhere", "negation"]
    );
    assert_eq!(index.matching("n", &labels(&[])), ["anywhere", "negation"]);
}

#[test]
fn changed_reports_gained_and_lost_jobs() {
    let mut index = SelectorIndex::new();
    index.insert("prod", job(&["env=prod"]));
    index.insert("dev", job(&["env=dev"]));
    index.insert("no-debug", job(&["!debug"]));
    index.insert("big", job(&["cpu>8"]));
    let old = labels(&[("env", "dev"), ("cpu", "4")]);
    let new = labels(&[("env", "prod"), ("cpu", "16"), ("debug", "")]);
    let changes = index.changed("n", &old, &new);
    assert_eq!(changes.gained, ["prod", "big"]);
    assert_eq!(changes.lost, ["dev", "no-debug"]);
    let same = index.changed("n", &old, &old);
    assert!(same.gained.is_empty() && same.lost.is_empty());
}

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

const KEYS: &[&str] = &["zone", "tier", "cpu", "gpu", "rack"];
const VALUES: &[&str] = &["a", "b", "c", "", "1", "5", "9"];
const REQUIREMENTS: &[&str] = &[
    "zone=a",
    "zone in (a,b)",
    "rack=c",
    "rack in (a,b,c,1,5)",
    "zone!=b",
    "tier notin (a,c)",
    "gpu",
    "!gpu",
    "cpu>1",
    "cpu<9",
    "tier=c,zone",
];

/// A job: a selector (requirements and ids), or a placement of such terms.
#[derive(Debug, Clone)]
enum Spec {
    Selector(Vec<&'static str>, Vec<usize>),
    Placement(Option<Vec<(Vec<&'static str>, Vec<usize>)>>),
}

fn node_id(i: usize) -> String {
    format!("n{i}")
}

fn term_of(expressions: &[&str], ids: &[usize]) -> Term {
    Term {
        match_expressions: expressions.iter().map(|e| e.to_string()).collect(),
        match_ids: ids.iter().map(|&i| node_id(i)).collect(),
        ..Term::default()
    }
}

impl Spec {
    fn job(&self) -> Job {
        match self {
            Spec::Selector(expressions, ids) => {
                let term = term_of(expressions, ids);
                let selector = Selector {
                    match_expressions: term.match_expressions,
                    match_ids: term.match_ids,
                    ..Selector::default()
                };
                Job::from(selector.compile().unwrap())
            }
            Spec::Placement(required) => {
                let placement = Placement {
                    required: required
                        .as_ref()
                        .map(|terms| terms.iter().map(|(e, ids)| term_of(e, ids)).collect()),
                    preferred: Vec::new(),
                };
                Job::from(placement.compile().unwrap())
            }
        }
    }
}

fn selector_parts() -> impl Strategy<Value = (Vec<&'static str>, Vec<usize>)> {
    (vec(select(REQUIREMENTS), 0..3), vec(0..12usize, 0..2))
}

fn spec() -> impl Strategy<Value = Spec> {
    prop_oneof![
        4 => selector_parts().prop_map(|(e, ids)| Spec::Selector(e, ids)),
        1 => proptest::option::of(vec(selector_parts(), 0..3)).prop_map(Spec::Placement),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Insert(usize, Spec),
    Remove(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..40usize, spec()).prop_map(|(job, spec)| Op::Insert(job, spec)),
        1 => (0..40usize).prop_map(Op::Remove),
    ]
}

fn node() -> impl Strategy<Value = (usize, BTreeMap<String, String>)> {
    (
        0..12usize,
        vec((select(KEYS), select(VALUES)), 0..4).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        }),
    )
}

/// The jobs in insertion order, a replacement keeping its place.
fn apply(index: &mut SelectorIndex, model: &mut Vec<(String, Job)>, op: &Op) {
    match op {
        Op::Insert(job, spec) => {
            let id = format!("j{job}");
            let replaced = index.insert(&id, spec.job());
            match model.iter_mut().find(|(existing, _)| *existing == id) {
                Some(entry) => {
                    assert!(replaced);
                    entry.1 = spec.job();
                }
                None => {
                    assert!(!replaced);
                    model.push((id, spec.job()));
                }
            }
        }
        Op::Remove(job) => {
            let id = format!("j{job}");
            let position = model.iter().position(|(existing, _)| *existing == id);
            assert_eq!(index.remove(&id), position.is_some());
            if let Some(position) = position {
                model.remove(position);
            }
        }
    }
}

fn scan<'m>(
    model: &'m [(String, Job)],
    id: &str,
    labels: &BTreeMap<String, String>,
) -> Vec<&'m str> {
    model
        .iter()
        .filter(|(_, job)| job.matches(id, labels))
        .map(|(job_id, _)| job_id.as_str())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn matching_equals_checking_every_job(
        ops in vec(op(), 0..120),
        nodes in vec(node(), 1..12),
    ) {
        let mut index = SelectorIndex::new();
        let mut model = Vec::new();
        for (step, op) in ops.iter().enumerate() {
            apply(&mut index, &mut model, op);
            if step % 30 == 29 {
                for (id, labels) in &nodes {
                    let id = node_id(*id);
                    prop_assert_eq!(index.matching(&id, labels), scan(&model, &id, labels));
                }
            }
        }
        prop_assert_eq!(index.len(), model.len());
        let ids: Vec<&str> = index.iter().map(|(id, _)| id).collect();
        let want: Vec<&str> = model.iter().map(|(id, _)| id.as_str()).collect();
        prop_assert_eq!(ids, want);
        for (id, labels) in &nodes {
            let id = node_id(*id);
            prop_assert_eq!(index.matching(&id, labels), scan(&model, &id, labels));
        }
    }

    #[test]
    fn changed_equals_the_difference_of_the_full_answers(
        ops in vec(op(), 0..80),
        (id, old) in node(),
        (_, new) in node(),
    ) {
        let mut index = SelectorIndex::new();
        let mut model = Vec::new();
        for op in &ops {
            apply(&mut index, &mut model, op);
        }
        let id = node_id(id);
        let before = scan(&model, &id, &old);
        let after = scan(&model, &id, &new);
        let changes = index.changed(&id, &old, &new);
        let gained: Vec<&str> = after.iter().copied().filter(|j| !before.contains(j)).collect();
        let lost: Vec<&str> = before.iter().copied().filter(|j| !after.contains(j)).collect();
        prop_assert_eq!(changes.gained, gained);
        prop_assert_eq!(changes.lost, lost);
    }
}

/// Jobs with equal selectors are checked once; replacing and removing keep every job's answer.
#[test]
fn jobs_with_equal_selectors_share_one_check() {
    let mut index = SelectorIndex::new();
    for id in ["a", "b", "c"] {
        index.insert(id, job(&["!debug"]));
    }
    index.insert("d", job(&["zone=x"]));
    assert!(
        format!("{index:?}").contains("distinct_selectors: 2"),
        "{index:?}"
    );
    let node = labels(&[("zone", "x")]);
    assert_eq!(index.matching("n", &node), ["a", "b", "c", "d"]);
    index.insert("b", job(&["zone=x"])); // b moves to d's selector
    index.remove("a");
    assert_eq!(index.matching("n", &labels(&[])), ["c"]);
    assert_eq!(index.matching("n", &node), ["b", "c", "d"]);
    index.remove("c");
    assert!(
        format!("{index:?}").contains("distinct_selectors: 1"),
        "{index:?}"
    );
}

/// A scheduler's index churns for months: jobs with selectors of their own (a value no other job
/// names) come and go by the thousand. Through the renumbering of slots that removals bring about,
/// answers stay in insertion order and equal to a scan, and removing every job gives back every
/// allocation, the values the selectors named included.
#[test]
fn churn_renumbers_slots_keeps_the_order_and_gives_the_heap_back() {
    let start = live_bytes();
    let mut index = SelectorIndex::new();
    let mut model: Vec<(String, Job)> = Vec::new();
    let spec = |i: usize| job(&[&format!("run=run-{i}"), "!debug"]);
    let mut next = 0;
    for round in 0..4 {
        for _ in 0..6_000 {
            let id = format!("job-{next}");
            index.insert(&id, spec(next));
            model.push((id, spec(next)));
            next += 1;
        }
        // Remove all but every seventh, oldest first in odd rounds and newest first in even ones.
        let mut kept = Vec::new();
        let ids: Vec<String> = model.iter().map(|(id, _)| id.clone()).collect();
        let order: Box<dyn Iterator<Item = (usize, &String)>> = if round % 2 == 0 {
            Box::new(ids.iter().enumerate().rev())
        } else {
            Box::new(ids.iter().enumerate())
        };
        for (at, id) in order {
            if at % 7 == 0 {
                kept.push(id.clone());
            } else {
                assert!(index.remove(id));
            }
        }
        model.retain(|(id, _)| kept.contains(id));
        // A node of every run kept, and one of none: answers in insertion order.
        let ids: Vec<&str> = index.iter().map(|(id, _)| id).collect();
        let want: Vec<&str> = model.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, want);
        for (id, _) in model.iter().step_by(97) {
            let run = id.trim_start_matches("job-");
            let node = labels(&[("run", &format!("run-{run}"))]);
            assert_eq!(index.matching("n", &node), scan(&model, "n", &node));
        }
        assert!(index.matching("n", &labels(&[("debug", "")])).is_empty());
    }
    for (id, _) in &model {
        assert!(index.remove(id));
    }
    assert!(index.is_empty());
    drop(model);
    assert_eq!(live_bytes(), start, "bytes left after removing every job");
}
