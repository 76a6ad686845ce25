//! Placement and the reverse index against scans, on structured input: a small fleet, a placement of
//! terms (selectors with `exclude_ids`) and weights, and a set of jobs with replacements and removals.
//!
//! - `Fleet::ranked` must equal every node scored with `Placer::feasible` / `Placer::score` and sorted
//!   by (score descending, fleet order), and `Fleet::place(k)` its first `k`; bulk nodes push the fleet
//!   past the size where the index answers instead of a scan.
//! - `SelectorIndex::matching` must equal checking every job's matcher in job insertion order, on every
//!   node of the fleet; `changed` between two nodes' labels must equal the difference of the answers; a
//!   selector that does not compile is refused and leaves the index unchanged.

#![no_main]

mod common;

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use common::{Id, NodeSpec, SelectorSpec};
use labelsel::{Fleet, Job, Placement, Placed, Preference, SelectorIndex, Term};
use libfuzzer_sys::fuzz_target;

const MAX_NODES: usize = 24;
const MAX_TERMS: usize = 4;
const MAX_JOBS: usize = 24;

#[derive(Arbitrary, Debug)]
struct TermSpec {
    selector: SelectorSpec,
    excluded: Vec<Id>,
}

impl TermSpec {
    fn term(&self) -> Term {
        let selector = self.selector.build().selector;
        Term {
            match_labels: selector.match_labels,
            match_expressions: selector.match_expressions,
            match_ids: selector.match_ids,
            exclude_ids: self.excluded.iter().take(3).map(|id| id.0.clone()).collect(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum JobOp {
    Insert(u8, SelectorSpec),
    Remove(u8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    nodes: Vec<NodeSpec>,
    /// Copies of each node under other ids, so the fleet outgrows the scanned size.
    copies: u8,
    required: Option<Vec<TermSpec>>,
    preferred: Vec<(i8, TermSpec)>,
    k: u8,
    jobs: Vec<JobOp>,
}

fuzz_target!(|input: Input| {
    let mut fleet = Fleet::new();
    let copies = usize::from(input.copies % 4);
    for node in input.nodes.iter().take(MAX_NODES) {
        let pairs = node.pairs();
        fleet.insert(&node.id.0, pairs.iter().cloned());
        for copy in 0..copies {
            fleet.insert(&format!("{}~{copy}", node.id.0), pairs.iter().cloned());
        }
    }
    let nodes: Vec<(String, BTreeMap<String, String>)> = fleet
        .iter()
        .map(|(id, labels)| {
            let pairs = labels.iter().map(|(k, v)| (k.to_string(), v.to_string()));
            (id.to_string(), pairs.collect())
        })
        .collect();

    check_placement(&input, &fleet, &nodes);
    check_jobs(&input, &nodes);
});

fn check_placement(input: &Input, fleet: &Fleet, nodes: &[(String, BTreeMap<String, String>)]) {
    let placement = Placement {
        required: input
            .required
            .as_ref()
            .map(|terms| terms.iter().take(MAX_TERMS).map(TermSpec::term).collect()),
        preferred: input
            .preferred
            .iter()
            .take(MAX_TERMS)
            .map(|(weight, term)| Preference {
                weight: i32::from(*weight),
                selector: term.term(),
            })
            .collect(),
    };
    let Ok(placer) = placement.compile() else {
        return;
    };
    let mut want: Vec<(usize, Placed<'_>)> = nodes
        .iter()
        .enumerate()
        .filter(|(_, (id, labels))| placer.feasible(id, labels))
        .map(|(position, (id, labels))| {
            let score = placer.score(id, labels);
            (position, Placed { id, score })
        })
        .collect();
    want.sort_by_key(|(position, placed)| (std::cmp::Reverse(placed.score), *position));
    let want: Vec<(&str, i64)> = want.iter().map(|(_, p)| (p.id, p.score)).collect();
    let ranked: Vec<(&str, i64)> = fleet.ranked(&placer).map(|p| (p.id, p.score)).collect();
    assert_eq!(ranked, want, "{placement:?}");
    let k = usize::from(input.k % 32);
    let top: Vec<(&str, i64)> = fleet.place(&placer, k).iter().map(|p| (p.id, p.score)).collect();
    assert_eq!(top, want[..k.min(want.len())], "top {k} of {placement:?}");
}

fn check_jobs(input: &Input, nodes: &[(String, BTreeMap<String, String>)]) {
    let mut index = SelectorIndex::new();
    let mut model: Vec<(String, Job)> = Vec::new();
    for op in input.jobs.iter().take(MAX_JOBS) {
        match op {
            JobOp::Insert(id, spec) => {
                let id = format!("j{}", id % 16);
                let selector = spec.build().selector;
                match selector.compile() {
                    Ok(matcher) => {
                        let replaced = index.insert_selector(&id, &selector).expect("it compiles");
                        match model.iter_mut().find(|(existing, _)| *existing == id) {
                            Some(entry) => {
                                assert!(replaced);
                                entry.1 = Job::from(matcher);
                            }
                            None => {
                                assert!(!replaced);
                                model.push((id, Job::from(matcher)));
                            }
                        }
                    }
                    Err(_) => {
                        assert!(index.insert_selector(&id, &selector).is_err());
                        assert_eq!(index.len(), model.len());
                    }
                }
            }
            JobOp::Remove(id) => {
                let id = format!("j{}", id % 16);
                let position = model.iter().position(|(existing, _)| *existing == id);
                assert_eq!(index.remove(&id), position.is_some());
                if let Some(position) = position {
                    model.remove(position);
                }
            }
        }
    }
    let scan = |id: &str, labels: &BTreeMap<String, String>| -> Vec<String> {
        model
            .iter()
            .filter(|(_, job)| job.matches(id, labels))
            .map(|(job, _)| job.clone())
            .collect()
    };
    for (id, labels) in nodes {
        assert_eq!(index.matching(id, labels), scan(id, labels), "node {id}");
    }
    if let [(id, old), .., (_, new)] = nodes {
        let (before, after) = (scan(id, old), scan(id, new));
        let changes = index.changed(id, old, new);
        let gained: Vec<&String> = after.iter().filter(|j| !before.contains(j)).collect();
        let lost: Vec<&String> = before.iter().filter(|j| !after.contains(j)).collect();
        assert_eq!(changes.gained, gained);
        assert_eq!(changes.lost, lost);
    }
}
