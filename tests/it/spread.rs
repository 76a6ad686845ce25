//! `Selection::count_by` (the spread of a selection over one key's values) and `Selection::rollout`
//! (rendezvous-hashed rollout order): fixed cases, the hash's fixed vectors, and properties over random
//! fleets, including fleets whose slots were freed and reused.
//!
//! `count_by` is checked against a scan of the selected nodes' labels; the rollout order against its
//! definition (sorted by `(Rollout::hash(seed, id), id)`), and for stability when a node is added or
//! removed, for independence from insertion order, and for being a permutation of the selection.

use std::collections::{BTreeMap, BTreeSet};

use labelsel::{Fleet, Labels, Rollout, Selection, Selector, Spread};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;

/// Modest case counts: the machine running the tests has two cores.
fn config() -> Config {
    Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    }
}

fn everything(fleet: &Fleet) -> Selection<'_> {
    fleet.select(
        &Selector::new()
            .compile()
            .expect("the empty selector compiles"),
    )
}

fn select_by<'f>(fleet: &'f Fleet, expression: &str) -> Selection<'f> {
    let matcher = Selector::new()
        .expression(expression)
        .compile()
        .unwrap_or_else(|e| panic!("{expression:?} compiles: {e}"));
    fleet.select(&matcher)
}

/// The spread of `selection` over `key`, by reading every selected node's labels: the values with their
/// counts, sorted, and the number of nodes without the key.
fn scan_spread(
    fleet: &Fleet,
    selection: &Selection<'_>,
    key: &str,
) -> (Vec<(String, usize)>, usize) {
    let mut values: BTreeMap<String, usize> = BTreeMap::new();
    let mut missing = 0;
    for id in selection.iter() {
        let labels = fleet.get(id).expect("a selected node is in the fleet");
        match labels.get(key) {
            Some(value) => *values.entry(value.to_string()).or_default() += 1,
            None => missing += 1,
        }
    }
    (values.into_iter().collect(), missing)
}

#[track_caller]
fn assert_spread_is_the_scan(fleet: &Fleet, selection: &Selection<'_>, key: &str) {
    let spread = selection.count_by(key);
    let (values, missing) = scan_spread(fleet, selection, key);
    let got: Vec<(String, usize)> = spread
        .values()
        .iter()
        .map(|&(value, count)| (value.to_string(), count))
        .collect();
    assert_eq!(got, values, "values of {key:?}");
    assert_eq!(spread.missing(), missing, "nodes without {key:?}");
    assert_eq!(spread.total(), selection.len());
    assert_eq!(spread.present() + spread.missing(), spread.total());
    assert_eq!(spread.key(), key);
    for (value, count) in &values {
        assert_eq!(spread.get(value), *count, "get({value:?})");
    }
}

/// The rollout order by its definition: sorted by (hash, id).
fn by_definition(seed: u64, ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<&str> = ids.to_vec();
    ids.sort_by_key(|id| (Rollout::hash(seed, id), *id));
    ids.into_iter().map(str::to_string).collect()
}

fn owned(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------------
// count_by: fixed cases
// ---------------------------------------------------------------------------------------------------

fn zoned_fleet() -> Fleet {
    let mut fleet = Fleet::new();
    fleet.insert("n1", [("zone", "b"), ("gpu", "l4")]);
    fleet.insert("n2", [("zone", "a"), ("gpu", "l4")]);
    fleet.insert("n3", [("zone", "b"), ("gpu", "t4")]);
    fleet.insert("n4", [("gpu", "l4")]);
    fleet.insert("n5", [("zone", "c")]);
    fleet.insert("n6", [("zone", ""), ("gpu", "a100")]);
    fleet
}

#[test]
fn count_by_counts_each_value_of_the_selected_nodes_and_the_missing_ones() {
    let fleet = zoned_fleet();
    let selection = select_by(&fleet, "gpu");
    let spread = selection.count_by("zone");
    assert_eq!(spread.values(), [("", 1), ("a", 1), ("b", 2)]);
    assert_eq!(spread.missing(), 1);
    assert_eq!((spread.present(), spread.total()), (4, 5));
    assert_eq!(spread.get("c"), 0, "c is only on an unselected node");
    assert_eq!(spread.get("nowhere"), 0);
    assert_spread_is_the_scan(&fleet, &selection, "zone");
    assert_spread_is_the_scan(&fleet, &selection, "gpu");
}

#[test]
fn count_by_a_key_no_node_has_counts_every_selected_node_missing() {
    let fleet = zoned_fleet();
    let spread = everything(&fleet).count_by("rack");
    assert_eq!(spread.values(), []);
    assert_eq!((spread.missing(), spread.total()), (6, 6));
    // A key interned only as a value.
    let spread = everything(&fleet).count_by("l4");
    assert_eq!((spread.values().len(), spread.missing()), (0, 6));
}

#[test]
fn count_by_on_an_empty_selection_or_an_empty_fleet_is_all_zero() {
    let fleet = zoned_fleet();
    let none = select_by(&fleet, "zone=nowhere");
    let spread = none.count_by("zone");
    assert_eq!(
        (spread.values().len(), spread.missing(), spread.total()),
        (0, 0, 0)
    );
    assert_eq!(spread.to_string(), "(none) 0\n");

    let empty = Fleet::new();
    let spread = everything(&empty).count_by("zone");
    assert_eq!(
        (spread.values().len(), spread.missing(), spread.total()),
        (0, 0, 0)
    );
}

#[test]
fn count_by_text_and_json_forms() {
    let fleet = zoned_fleet();
    let spread: Spread<'_> = everything(&fleet).count_by("zone");
    assert_eq!(spread.to_string(), "\"\" 1\na 1\nb 2\nc 1\n(none) 1\n");
    let json = serde_json::to_string(&spread).unwrap();
    assert_eq!(
        json,
        r#"{"key":"zone","count":6,"values":{"":1,"a":1,"b":2,"c":1},"missing":1}"#
    );
}

#[test]
fn count_by_follows_replacements_and_removals_with_reused_slots() {
    let mut fleet = Fleet::new();
    for i in 0..200 {
        let zone = ["a", "b", "c"][i % 3];
        fleet.insert(&format!("n{i}"), [("zone", zone), ("tier", "x")]);
    }
    for i in (0..200).step_by(2) {
        fleet.remove(&format!("n{i}"));
    }
    for i in 0..50 {
        // Reuses the freed slots; some with the key, some without.
        if i % 2 == 0 {
            fleet.insert(&format!("m{i}"), [("zone", "d"), ("tier", "x")]);
        } else {
            fleet.insert(&format!("m{i}"), [("tier", "y")]);
        }
    }
    fleet.insert("n1", [("zone", "z")]); // a replacement
    for expression in ["", "tier=x", "tier", "!tier", "zone in (a,d)", "zone!=b"] {
        let selection = select_by(&fleet, expression);
        for key in ["zone", "tier", "nokey"] {
            assert_spread_is_the_scan(&fleet, &selection, key);
        }
    }
    // Only live nodes count: 100 of the first 200, the 50 inserted after.
    let spread = everything(&fleet).count_by("zone");
    assert_eq!(spread.total(), 100 + 50);
    assert_eq!(spread.get("d"), 25);
    assert_eq!(spread.missing(), 25);
}

#[test]
fn count_by_on_the_workload_fleet_equals_a_scan() {
    let workload = crate::support::workload::Workload::generate(3_000, 7);
    let mut fleet = Fleet::new();
    for node in &workload.nodes {
        fleet.insert(&node.id, &node.labels);
    }
    let fleet = &fleet;
    for expression in ["", "gpu", "tier=premium", "env in (prod,staging), !debug"] {
        let selection = select_by(fleet, expression);
        for key in ["topology.kubernetes.io/zone", "gpu", "team", "debug"] {
            assert_spread_is_the_scan(fleet, &selection, key);
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// count_by: random fleets
// ---------------------------------------------------------------------------------------------------

const KEYS: &[&str] = &["zone", "tier", "gpu", "rack"];
const VALUES: &[&str] = &["a", "b", "c", "", "1", "08"];
const ID_POOL: usize = 120;

#[derive(Debug, Clone)]
enum Op {
    Insert(usize, Vec<(&'static str, &'static str)>),
    Remove(usize),
    /// Remove every node whose index is below the bound (so many slots are freed at once).
    RemoveBelow(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let labels = vec((select(KEYS), select(VALUES)), 0..5);
    prop_oneof![
        6 => (0..ID_POOL, labels).prop_map(|(id, labels)| Op::Insert(id, labels)),
        2 => (0..ID_POOL).prop_map(Op::Remove),
        1 => (0..ID_POOL).prop_map(Op::RemoveBelow),
    ]
}

fn apply(fleet: &mut Fleet, ops: &[Op]) {
    for op in ops {
        match op {
            Op::Insert(id, labels) => {
                fleet.insert(&format!("node-{id}"), labels.iter().copied());
            }
            Op::Remove(id) => {
                fleet.remove(&format!("node-{id}"));
            }
            Op::RemoveBelow(bound) => {
                for id in 0..*bound {
                    fleet.remove(&format!("node-{id}"));
                }
            }
        }
    }
}

fn selector_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (select(KEYS), select(VALUES)).prop_map(|(k, v)| format!("{k}={v}")),
        (select(KEYS), select(VALUES)).prop_map(|(k, v)| format!("{k}!={v}")),
        select(KEYS).prop_map(str::to_string),
        select(KEYS).prop_map(|k| format!("!{k}")),
        (select(KEYS), select(KEYS)).prop_map(|(a, b)| format!("{a},!{b}")),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn count_by_equals_a_scan_of_the_selected_nodes(
        ops in vec(op(), 0..250),
        selectors in vec(selector_text(), 1..4),
    ) {
        let mut fleet = Fleet::new();
        // Checked halfway too, so that a fleet is checked before and after slots are reused.
        let (first, second) = ops.split_at(ops.len() / 2);
        for part in [first, second] {
            apply(&mut fleet, part);
            for text in &selectors {
                let selection = select_by(&fleet, text);
                for key in KEYS.iter().chain(&["absent"]) {
                    assert_spread_is_the_scan(&fleet, &selection, key);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// rollout: the hash
// ---------------------------------------------------------------------------------------------------

/// Written down literally (computed by an independent implementation of the documented algorithm), so
/// that any change to the hash, which would reorder every rollout, fails here.
#[test]
fn the_rollout_hash_has_fixed_values() {
    let vectors: [(u64, &str, u64); 6] = [
        (0, "", 0x813f_0174_a236_7c13),
        (0, "node-1", 0x0679_b6a4_61b2_01a9),
        (1, "node-1", 0x13ef_5874_c6a7_5742),
        (42, "node-us-east-1-000007", 0x7774_bbd8_72cb_14c3),
        (u64::MAX, "a", 0x77f5_e5a7_2d77_836c),
        (7, "ñode", 0x8616_bd80_3dce_5ecb),
    ];
    for (seed, id, expected) in vectors {
        assert_eq!(
            Rollout::hash(seed, id),
            expected,
            "hash({seed}, {id:?}) = {:#018x}",
            Rollout::hash(seed, id)
        );
    }
}

#[test]
fn the_rollout_hash_is_usable_in_constants() {
    const HASH: u64 = Rollout::hash(0, "");
    assert_eq!(HASH, 0x813f_0174_a236_7c13);
}

// ---------------------------------------------------------------------------------------------------
// rollout: fixed cases
// ---------------------------------------------------------------------------------------------------

fn numbered_fleet(ids: impl IntoIterator<Item = usize>) -> Fleet {
    let mut fleet = Fleet::new();
    for i in ids {
        let tier = if i % 3 == 0 { "spot" } else { "standard" };
        fleet.insert(&format!("node-{i:03}"), [("tier", tier)]);
    }
    fleet
}

#[test]
fn rollout_is_the_selection_sorted_by_hash_then_id() {
    let fleet = numbered_fleet(0..150);
    for expression in ["", "tier=spot", "tier!=spot"] {
        let selection = select_by(&fleet, expression);
        let ids: Vec<&str> = selection.iter().collect();
        for seed in [0, 1, 42, u64::MAX] {
            let rollout = selection.rollout(seed);
            assert_eq!(rollout.seed(), seed);
            assert_eq!(owned(rollout.ids()), by_definition(seed, &ids));
            assert_eq!(
                rollout.ids(),
                Rollout::from_ids(seed, ids.iter().copied()).ids()
            );
            assert_eq!(rollout.iter().collect::<Vec<_>>(), rollout.ids());
            assert_eq!((&rollout).into_iter().count(), selection.len());
        }
    }
    // Different seeds give different orders.
    let all = everything(&fleet);
    assert_ne!(all.rollout(1).ids(), all.rollout(2).ids());
}

#[test]
fn canary_rounds_up_and_is_a_prefix() {
    let fleet = numbered_fleet(0..7);
    let rollout = everything(&fleet).rollout(5);
    let lens: Vec<usize> = [0, 1, 14, 15, 50, 99, 100, 101, u32::MAX]
        .into_iter()
        .map(|percent| rollout.canary_len(percent))
        .collect();
    // 7 × p / 100 rounded up: 0, 0.07, 0.98, 1.05, 3.5, 6.93, 7; above 100 is 100.
    assert_eq!(lens, [0, 1, 1, 2, 4, 7, 7, 7, 7]);
    for percent in 0..=120 {
        let canary = rollout.canary(percent);
        assert_eq!(canary.len(), rollout.canary_len(percent));
        assert!(rollout.ids().starts_with(canary));
        assert_eq!(
            [canary, rollout.after_canary(percent)].concat(),
            rollout.ids()
        );
        if percent > 0 {
            assert!(!canary.is_empty(), "{percent}%");
        }
    }

    let empty = Fleet::new();
    let rollout = everything(&empty).rollout(5);
    assert!(rollout.is_empty());
    assert_eq!(
        (rollout.canary(50), rollout.after_canary(50)),
        (&[][..], &[][..])
    );
    assert_eq!(rollout.batches(3).count(), 0);
}

#[test]
fn canary_of_a_large_rollout_is_exactly_the_rounded_up_share() {
    let fleet = numbered_fleet(0..1000);
    let rollout = everything(&fleet).rollout(9);
    assert_eq!(rollout.canary_len(1), 10);
    assert_eq!(rollout.canary_len(33), 330);
    let ids: Vec<String> = (0..1001).map(|i| format!("x{i}")).collect();
    let rollout = Rollout::from_ids(9, ids.iter().map(String::as_str));
    assert_eq!(rollout.canary_len(1), 11); // 10.01 rounds up
}

#[test]
fn batches_are_consecutive_chunks_and_size_0_gives_none() {
    let fleet = numbered_fleet(0..23);
    let rollout = everything(&fleet).rollout(3);
    for size in 1..=30 {
        let batches: Vec<&[&str]> = rollout.batches(size).collect();
        assert_eq!(batches.concat(), rollout.ids(), "size {size}");
        assert_eq!(batches.len(), 23usize.div_ceil(size));
        let (last, full) = batches.split_last().unwrap();
        assert!(full.iter().all(|batch| batch.len() == size));
        assert!(!last.is_empty() && last.len() <= size);
        assert_eq!(batches[0], &rollout.ids()[..size.min(23)]);
    }
    assert_eq!(rollout.batches(0).count(), 0);
    for (rank, &id) in rollout.ids().iter().enumerate() {
        assert_eq!(rollout.rank(id), Some(rank));
    }
    assert_eq!(rollout.rank("node-999"), None);
}

#[test]
fn rollout_debug_shows_a_few_ids_not_all() {
    let fleet = numbered_fleet(0..100);
    let debug = format!("{:?}", everything(&fleet).rollout(1));
    assert!(
        debug.starts_with("Rollout { seed: 1, len: 100, first: ["),
        "{debug}"
    );
    assert_eq!(debug.matches("node-").count(), 8, "{debug}");
}

// ---------------------------------------------------------------------------------------------------
// rollout: properties
// ---------------------------------------------------------------------------------------------------

/// Distinct ids (of mixed forms and lengths) and a seed.
fn ids_and_seed() -> impl Strategy<Value = (Vec<String>, u64)> {
    let id = "[a-z0-9][a-z0-9.-]{0,20}";
    (proptest::collection::btree_set(id, 1..120), any::<u64>())
        .prop_map(|(ids, seed)| (ids.into_iter().collect(), seed))
}

fn fleet_of(ids: &[String]) -> Fleet {
    let mut fleet = Fleet::new();
    for (n, id) in ids.iter().enumerate() {
        fleet.insert(id, [("n", (n % 5).to_string())]);
    }
    fleet
}

/// The canary of `percent` before and after one node changed: apart from `changed`, one is a prefix of
/// the other, and they differ by at most one node (the boundary moves by at most one place, since the
/// canary's size is a share of the new total).
fn assert_canary_moves_by_at_most_one(before: &[&str], after: &[&str], changed: &str) {
    let before: Vec<&str> = before.iter().copied().filter(|&id| id != changed).collect();
    let after: Vec<&str> = after.iter().copied().filter(|&id| id != changed).collect();
    let (short, long) = if before.len() <= after.len() {
        (&before, &after)
    } else {
        (&after, &before)
    };
    assert!(long.starts_with(short), "{before:?} vs {after:?}");
    assert!(long.len() - short.len() <= 1, "{before:?} vs {after:?}");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rollout_is_a_permutation_of_the_selection((ids, seed) in ids_and_seed(), text in selector_text()) {
        let mut fleet = Fleet::new();
        for (n, id) in ids.iter().enumerate() {
            fleet.insert(id, [(KEYS[n % 4], VALUES[n % 6])]);
        }
        let selection = select_by(&fleet, &text);
        let rollout = selection.rollout(seed);
        let mut in_order: Vec<&str> = rollout.ids().to_vec();
        in_order.sort_unstable();
        let mut selected: Vec<&str> = selection.iter().collect();
        selected.sort_unstable();
        prop_assert_eq!(in_order, selected);
    }

    #[test]
    fn rollout_does_not_depend_on_insertion_order_or_slot_reuse(
        (ids, seed) in ids_and_seed(),
        shuffle in any::<u64>(),
    ) {
        let fleet = fleet_of(&ids);
        // The same ids in another order, into a fleet whose slots were freed and reused.
        let mut other = Fleet::new();
        for n in 0..40 {
            other.insert(&format!("tmp-{n}"), [("n", "x")]);
        }
        let mut shuffled = ids.clone();
        shuffled.sort_by_key(|id| Rollout::hash(shuffle, id));
        for (n, id) in shuffled.iter().enumerate() {
            other.insert(id, [("m", n.to_string())]);
            if n % 3 == 0 {
                other.remove(&format!("tmp-{}", n / 3));
            }
        }
        for n in 0..40 {
            other.remove(&format!("tmp-{n}"));
        }
        let here = everything(&fleet).rollout(seed);
        let there = everything(&other).rollout(seed);
        prop_assert_eq!(here.ids(), there.ids());
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        prop_assert_eq!(owned(here.ids()), by_definition(seed, &ids));
    }

    #[test]
    fn removing_a_node_moves_no_other_node(
        (ids, seed) in ids_and_seed(),
        pick in any::<prop::sample::Index>(),
        percents in vec(0u32..=100, 1..4),
    ) {
        let mut fleet = fleet_of(&ids);
        let before: Vec<String> = owned(everything(&fleet).rollout(seed).ids());
        let removed = pick.get(&ids).clone();
        let canaries_before: Vec<Vec<String>> = {
            let all = everything(&fleet);
            let rollout = all.rollout(seed);
            percents.iter().map(|&p| owned(rollout.canary(p))).collect()
        };
        fleet.remove(&removed);
        let all = everything(&fleet);
        let after = all.rollout(seed);
        let expected: Vec<String> = before.iter().filter(|id| **id != removed).cloned().collect();
        prop_assert_eq!(owned(after.ids()), expected);
        for (&percent, canary) in percents.iter().zip(&canaries_before) {
            let canary: Vec<&str> = canary.iter().map(String::as_str).collect();
            assert_canary_moves_by_at_most_one(&canary, after.canary(percent), &removed);
        }
    }

    #[test]
    fn adding_a_node_moves_no_other_node(
        (ids, seed) in ids_and_seed(),
        added in "[a-z0-9]{1,12}-new",
        percents in vec(0u32..=100, 1..4),
    ) {
        let mut fleet = fleet_of(&ids);
        let all = everything(&fleet);
        let before = all.rollout(seed);
        let before_ids = owned(before.ids());
        let canaries_before: Vec<Vec<String>> =
            percents.iter().map(|&p| owned(before.canary(p))).collect();
        drop(all);
        fleet.insert(&added, [("n", "new")]);
        let all = everything(&fleet);
        let after = all.rollout(seed);
        let without: Vec<String> = owned(after.ids()).into_iter().filter(|id| *id != added).collect();
        prop_assert_eq!(without, before_ids);
        prop_assert!(after.ids().contains(&added.as_str()));
        for (&percent, canary) in percents.iter().zip(&canaries_before) {
            let canary: Vec<&str> = canary.iter().map(String::as_str).collect();
            assert_canary_moves_by_at_most_one(&canary, after.canary(percent), &added);
        }
    }

    /// A prefix of any fixed length changes by at most the one node: the nodes that were in the first
    /// `k` are still in the first `k` (or `k - 1` when the removed node was among them) but for one
    /// node at the boundary.
    #[test]
    fn batches_change_only_by_the_removed_node_and_one_at_each_boundary(
        (ids, seed) in ids_and_seed(),
        pick in any::<prop::sample::Index>(),
        size in 1usize..20,
    ) {
        let removed = pick.get(&ids).clone();
        let before = Rollout::from_ids(seed, ids.iter().map(String::as_str));
        let after = Rollout::from_ids(
            seed,
            ids.iter().map(String::as_str).filter(|&id| id != removed),
        );
        let rank = before.rank(&removed).expect("the removed id was in the rollout");
        for (n, (old, new)) in before.batches(size).zip(after.batches(size)).enumerate() {
            let old: BTreeSet<&str> = old.iter().copied().filter(|&id| id != removed).collect();
            let new: BTreeSet<&str> = new.iter().copied().collect();
            if (n + 1) * size <= rank {
                // Batches wholly before the removed node are unchanged.
                prop_assert_eq!(&old, &new);
            } else {
                // Later ones gain at most the next batch's first node.
                prop_assert!(old.difference(&new).count() <= 1);
                prop_assert!(new.difference(&old).count() <= 1);
            }
        }
    }
}
