//! Nodes loaded into a `Fleet` and into an SQLite store alike, a few inserted, replaced and removed
//! after, then selectors: `SqliteFleet::select` must return `Fleet::select`'s ids in the same order,
//! and `count` its length, for every selector that compiles; the PostgreSQL statement for the same
//! selector must be written without a panic, every placeholder with its parameter.
//!
//! The store is opened once per process and reloaded for each input.

#![no_main]

mod common;

use std::cell::RefCell;

use arbitrary::Arbitrary;
use common::{NodeSpec, SelectorSpec};
use labelsel::{Dialect, Fleet, SqliteFleet};
use libfuzzer_sys::fuzz_target;

const MAX_CHANGES: usize = 8;
const MAX_SELECTS: usize = 6;

#[derive(Arbitrary, Debug)]
enum Change {
    Insert(NodeSpec),
    Remove(common::Id),
}

#[derive(Arbitrary, Debug)]
struct Input {
    nodes: Vec<NodeSpec>,
    changes: Vec<Change>,
    selects: Vec<SelectorSpec>,
}

thread_local! {
    static STORE: RefCell<SqliteFleet> =
        RefCell::new(SqliteFleet::open_in_memory().expect("SQLite opens in memory"));
}

fuzz_target!(|input: Input| {
    STORE.with_borrow_mut(|store| {
        let nodes: Vec<(String, Vec<(String, String)>)> = input
            .nodes
            .iter()
            .take(common::MAX_NODES)
            .map(|node| (node.id.0.clone(), node.pairs()))
            .collect();
        let mut fleet = Fleet::new();
        for (id, labels) in &nodes {
            fleet.insert(id, labels.iter().map(|(k, v)| (k, v)));
        }
        let loaded = store.load(nodes.iter().map(|(id, labels)| (id, labels.clone())));
        assert_eq!(loaded.expect("loads") as usize, fleet.len());
        for change in input.changes.iter().take(MAX_CHANGES) {
            match change {
                Change::Insert(node) => {
                    let pairs = node.pairs();
                    let replaced = store.insert(&node.id.0, pairs.iter().map(|(k, v)| (k, v)));
                    let expected = fleet.insert(&node.id.0, pairs.iter().map(|(k, v)| (k, v)));
                    assert_eq!(replaced.expect("inserts"), expected, "insert {:?}", node.id);
                }
                Change::Remove(id) => {
                    let removed = store.remove(&id.0).expect("removes");
                    assert_eq!(removed, fleet.remove(&id.0), "remove {id:?}");
                }
            }
        }
        for spec in input.selects.iter().take(MAX_SELECTS) {
            let selector = spec.build().selector;
            let Ok(matcher) = selector.compile() else {
                continue;
            };
            let want: Vec<&str> = fleet.select(&matcher).iter().collect();
            let got = store.select(&matcher).expect("selects");
            assert_eq!(got, want, "SQLite vs Fleet::select for {selector:?}");
            assert_eq!(store.count(&matcher).expect("counts") as usize, want.len());
            let statement = matcher.to_sql(Dialect::Postgres);
            let inline = statement.inline();
            for n in 1..=statement.params().len() {
                assert!(!inline.contains(&format!("${n}::")), "placeholder ${n} left in {inline}");
            }
        }
    });
});
