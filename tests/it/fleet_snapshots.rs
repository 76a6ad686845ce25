//! Snapshots of a [`Fleet`]: a clone shares the fleet's storage, and either side may go on being
//! written to without the other seeing it. Model-based: random inserts, replacements and removals are
//! applied to the fleet and to a model (see `fleet_properties`), snapshots are taken along the way, and
//! writing sometimes moves to a snapshot; at the end every fleet, written to or not, must answer as
//! its own model does. Then the renumbering of slots after churn, and what a snapshot costs in memory.

use crate::fleet_properties::{
    Labels, Model, Op, apply, check, compile_all, labels, op, run_property, selectors,
};
use crate::support::alloc::live_bytes;
use labelsel::{Fleet, Selector};
use proptest::collection::vec;
use proptest::prelude::*;

/// What happens next to the fleets: an update of the one being written to, a snapshot of it, or a
/// switch of writing to an earlier snapshot (the fleet written to so far is kept as it is).
#[derive(Debug, Clone)]
enum Step {
    Update(Op),
    Snapshot,
    WriteTo(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        20 => op(1).prop_map(Step::Update),
        1 => Just(Step::Snapshot),
        1 => any::<usize>().prop_map(Step::WriteTo),
    ]
}

#[test]
fn snapshots_keep_their_answers_while_either_side_is_written() {
    let fill = vec(labels(), 80..120);
    run_property(
        (fill, vec(step(), 50..400), selectors()),
        |(fill, steps, selectors)| {
            let matchers = compile_all(&selectors)?;
            let (mut fleet, mut model) = (Fleet::new(), Model::default());
            for (i, labels) in fill.into_iter().enumerate() {
                apply(&mut fleet, &mut model, &Op::Insert(i, labels))?;
            }
            let mut kept: Vec<(Fleet, Model)> = Vec::new();
            for step in &steps {
                match step {
                    Step::Update(op) => apply(&mut fleet, &mut model, op)?,
                    Step::Snapshot => kept.push((fleet.clone(), model.clone())),
                    Step::WriteTo(at) if !kept.is_empty() => {
                        let at = at % kept.len();
                        let (snapshot, frozen) =
                            std::mem::replace(&mut kept[at], (fleet.clone(), model.clone()));
                        (fleet, model) = (snapshot, frozen);
                    }
                    Step::WriteTo(_) => {}
                }
            }
            check(&fleet, &model, &matchers)?;
            for (snapshot, frozen) in &kept {
                check(snapshot, frozen, &matchers)?;
            }
            Ok(())
        },
    );
}

/// Node `i` of the churn: a hostname of its own, a shared zone and an integer.
fn churn_labels(i: usize) -> Labels {
    vec![
        ("hostname".to_string(), format!("host-{i}")),
        ("zone".to_string(), format!("zone-{}", i % 3)),
        ("cpu".to_string(), (i % 40).to_string()),
    ]
}

/// Enough churn that the empty slots outnumber the nodes many times over, so slots are renumbered
/// several times; a snapshot taken before keeps its answers, and both keep insertion order.
#[test]
fn renumbered_slots_keep_insertion_order_and_answers() {
    let selectors: Vec<Selector> = [
        "zone=zone-1",
        "cpu>20",
        "zone!=zone-2,cpu<10",
        "hostname in (host-3,host-40000,host-39999)",
        "",
    ]
    .into_iter()
    .map(|expression| Selector::new().expression(expression))
    .chain([Selector::new().id("node-5").id("node-39990")])
    .collect();
    let matchers = compile_all(&selectors).expect("the selectors compile");

    let (mut fleet, mut model) = (Fleet::new(), Model::default());
    let mut snapshot = None;
    // 500 nodes stay; 40,000 more come and go, 300 at a time, with replacements of the kept ones.
    for i in 0..500 {
        apply(&mut fleet, &mut model, &Op::Insert(i, churn_labels(i)))
            .expect("insert agrees with the model");
    }
    let mut next = 500;
    while next < 40_500 {
        let batch: Vec<String> = (next..next + 300).map(|i| format!("node-{i}")).collect();
        for (offset, id) in batch.iter().enumerate() {
            let labels = churn_labels(next + offset);
            assert!(!fleet.insert(id, labels.iter().map(|(k, v)| (k, v))));
        }
        if next == 20_300 {
            // Mid-churn: the model of a snapshot holds the kept nodes and this batch.
            snapshot = Some((fleet.clone(), model_with(&model, &batch, next)));
        }
        for id in &batch {
            assert!(fleet.remove(id));
        }
        let kept = next % 500;
        apply(
            &mut fleet,
            &mut model,
            &Op::Replace(kept, churn_labels(next)),
        )
        .expect("replace agrees with the model");
        next += 300;
    }
    check(&fleet, &model, &matchers).expect("the churned fleet answers as its model");
    let (snapshot, frozen) = snapshot.expect("a snapshot was taken");
    check(&snapshot, &frozen, &matchers).expect("the snapshot answers as its model");
}

/// The model plus the batch of churned nodes that start at `first`, in insertion order.
fn model_with(model: &Model, batch: &[String], first: usize) -> Model {
    let mut model = model.clone();
    for (offset, id) in batch.iter().enumerate() {
        model.insert(id, &churn_labels(first + offset));
    }
    model
}

/// A snapshot of 20,000 nodes shares their storage: cloning allocates a small fraction of what the
/// fleet holds, and one update after it copies only the chunks, shards and bitmaps it touches.
/// (Live bytes from the test crate's counting allocator, on this thread.)
#[test]
fn a_snapshot_shares_the_fleet_and_a_write_copies_little() {
    let start = live_bytes();
    let mut fleet = Fleet::new();
    for i in 0..20_000 {
        fleet.insert(&format!("node-{i}"), churn_labels(i));
    }
    let held = live_bytes() - start;

    let before = live_bytes();
    let snapshot = fleet.clone();
    let cloned = live_bytes() - before;
    assert!(
        cloned * 50 < held,
        "a snapshot allocated {cloned} bytes of a fleet holding {held}"
    );

    fleet.insert("node-7", churn_labels(1_000_007));
    fleet.remove("node-8");
    // What the two updates copy is the node table's chunk, a shard of the ids and of the strings, and
    // for each key they touch its presence bitmap, the shard of the value changed and its slices: a
    // bounded part of the index, not a copy of the fleet.
    let written = live_bytes() - before;
    assert!(
        written * 5 < held,
        "a snapshot and two updates allocated {written} bytes of a fleet holding {held}"
    );
    let labels = snapshot.get("node-7").expect("the snapshot has node-7");
    assert_eq!(labelsel::Labels::get(&labels, "hostname"), Some("host-7"));
    assert!(snapshot.contains("node-8") && !fleet.contains("node-8"));
}
