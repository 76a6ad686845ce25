//! Arbitrary bytes → `NodeReader`: it must not panic, must yield nodes and then at most one error, and
//! must give the same nodes and the same error however the bytes are split into reads (one byte at a
//! time, or a few). The nodes it read, written back as NDJSON, as a JSON array and as a Kubernetes
//! `NodeList`, must read back as the same nodes in the same order; and a record bound smaller than the
//! input must end reading with an error, never a panic.

#![no_main]

use std::collections::BTreeMap;
use std::io::Read;

use labelsel::{NodeReader, ReadLimits};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

type Node = (String, BTreeMap<String, String>);

/// Gives at most `step` bytes a read.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// Every node, then the error (as text) if there is one.
fn read(input: impl Read, limits: ReadLimits) -> (Vec<Node>, Option<String>) {
    let mut nodes = Vec::new();
    for node in NodeReader::with_limits(input, limits) {
        match node {
            Ok(node) => nodes.push((node.id, node.labels)),
            Err(error) => {
                let text = error.to_string();
                assert!(!text.contains('\n'), "one line: {text}");
                assert!(error.line() >= 1 && error.column() >= 1, "{text}");
                return (nodes, Some(text));
            }
        }
    }
    (nodes, None)
}

fuzz_target!(|data: &[u8]| {
    let whole = read(data, ReadLimits::default());
    for step in [1, 3, 7] {
        let trickled = read(Trickle { bytes: data, step }, ReadLimits::default());
        assert_eq!(trickled, whole, "reads of {step} bytes");
    }
    let small = ReadLimits::default().max_record_bytes(data.len() / 2);
    let (bounded, _) = read(data, small);
    assert!(bounded.len() <= whole.0.len());
    assert_eq!(bounded[..], whole.0[..bounded.len()]);

    let nodes = whole.0;
    let objects: Vec<Value> = nodes
        .iter()
        .map(|(id, labels)| json!({"id": id, "labels": labels}))
        .collect();
    let items: Vec<Value> = nodes
        .iter()
        .map(|(id, labels)| json!({"metadata": {"name": id, "labels": labels}}))
        .collect();
    let ndjson: String = objects.iter().map(|o| o.to_string() + "\n").collect();
    let array = Value::Array(objects).to_string();
    let list = json!({"items": items, "kind": "NodeList"}).to_string();
    for (form, text) in [("NDJSON", ndjson), ("array", array), ("NodeList", list)] {
        let (again, error) = read(text.as_bytes(), ReadLimits::default());
        assert_eq!(error, None, "{form}: {text}");
        assert_eq!(again, nodes, "{form}: {text}");
    }
});
