//! The library's fleet reader: `NodeReader` over every format (JSON streams, arrays, Kubernetes lists,
//! single nodes), every error with its line and column, the bound on one record, `DuplicateIds` and
//! `Fleet::from_reader`; a property test that one fleet written in four forms reads back the same,
//! whatever sizes the reads come in; and the memory of streaming a large generated fleet, read from
//! the test crate's counting allocator.

use std::collections::BTreeMap;
use std::io::Read;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::alloc::live_bytes;
use crate::support::workload::generate::{self, GeneratedNode};
use labelsel::{DuplicateIds, Fleet, NodeReader, ReadError, ReadErrorKind, ReadLimits, Selector};

/// A node as read: its id and labels.
type Node = (String, BTreeMap<String, String>);

/// Every node of `input`; panics on an error.
#[track_caller]
fn read(input: &[u8]) -> Vec<Node> {
    NodeReader::new(input)
        .map(|node| {
            let node =
                node.unwrap_or_else(|e| panic!("{e} in {:?}", String::from_utf8_lossy(input)));
            (node.id, node.labels)
        })
        .collect()
}

/// The first error reading `input` under `limits`, after its nodes read without one; panics if
/// there is none. The reader yields nothing after it.
#[track_caller]
fn error_with(input: &[u8], limits: ReadLimits) -> ReadError {
    let mut reader = NodeReader::with_limits(input, limits);
    for node in reader.by_ref() {
        if let Err(error) = node {
            assert!(reader.next().is_none(), "more after {error}");
            return error;
        }
    }
    panic!("no error in {:?}", String::from_utf8_lossy(input))
}

#[track_caller]
fn error(input: &[u8]) -> ReadError {
    error_with(input, ReadLimits::default())
}

fn node(id: &str, labels: &[(&str, &str)]) -> Node {
    let labels = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (id.to_string(), labels)
}

/// The small fleet every format below writes.
fn small_fleet() -> Vec<Node> {
    vec![
        node("n1", &[("zone", "a"), ("cpu", "4")]),
        node("n2", &[("zone", "b")]),
        node("n3", &[]),
        node("n4", &[]),
    ]
}

/// The small fleet as node objects: n3's labels `null`, n4's left out.
fn small_objects() -> Vec<Value> {
    vec![
        json!({"id": "n1", "labels": {"zone": "a", "cpu": "4"}}),
        json!({"id": "n2", "labels": {"zone": "b"}, "extra": [1, {"x": "]"}]}),
        json!({"id": "n3", "labels": null}),
        json!({"id": "n4"}),
    ]
}

/// A Kubernetes `Node` as kubectl prints it, with fields the reader ignores.
fn kube_node(object: &Value) -> Value {
    let mut metadata = json!({"name": object["id"], "uid": "0b6c", "annotations": {"a": "b"}});
    if let Some(labels) = object.get("labels") {
        metadata["labels"] = labels.clone();
    }
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": metadata,
        "status": {"images": [{"names": ["items", "[", "{"]}]},
    })
}

#[test]
fn every_format_reads_the_same_nodes_in_order() {
    let objects = small_objects();
    let lines = |f: fn(&Value) -> String, sep: &str| -> String {
        objects.iter().map(f).collect::<Vec<_>>().join(sep)
    };
    let items: Vec<Value> = objects.iter().map(kube_node).collect();
    // kubectl prints `items` before `kind`; a list written by hand may give `kind` first.
    let kubectl_list = format!(
        "{{\n    \"apiVersion\": \"v1\",\n    \"items\": {},\n    \"kind\": \"List\",\n    \"metadata\": {{\"resourceVersion\": \"\"}}\n}}\n",
        serde_json::to_string_pretty(&items).unwrap()
    );
    let forms = [
        ("NDJSON", lines(Value::to_string, "\n") + "\n"),
        (
            "NDJSON with CRLF and blank lines",
            lines(Value::to_string, "\r\n\r\n"),
        ),
        (
            "pretty, as jq prints",
            lines(|v| serde_json::to_string_pretty(v).unwrap(), "\n"),
        ),
        ("concatenated", lines(Value::to_string, "")),
        ("array", Value::Array(objects.clone()).to_string()),
        (
            "pretty array",
            serde_json::to_string_pretty(&objects).unwrap(),
        ),
        (
            "arrays, one a line",
            format!("{}\n{}", json!(objects[..1]), json!(objects[1..])),
        ),
        (
            "NodeList, kind first",
            json!({"kind": "NodeList", "items": items}).to_string(),
        ),
        ("List as kubectl prints it", kubectl_list),
        ("list without a kind", json!({"items": items}).to_string()),
        (
            "Nodes one after another",
            lines(|v| kube_node(v).to_string(), "\n"),
        ),
        (
            "mixed",
            format!(
                "{}\n{}\n{}",
                json!([objects[0]]),
                json!({"kind": "NodeList", "items": [items[1], items[2]]}),
                objects[3]
            ),
        ),
        ("byte-order mark", format!("\u{feff}{}", json!(objects))),
        (
            "empty arrays and lists around",
            format!("[]{}\n{{\"items\": []}}\n[ ]", json!(objects)),
        ),
    ];
    for (name, text) in forms {
        let nodes: Vec<Node> = NodeReader::new(text.as_bytes())
            .map(|node| node.map(|node| (node.id, node.labels)))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        assert_eq!(nodes, small_fleet(), "{name}:\n{text}");
    }
    for empty in [
        "",
        "\n \r\n\t",
        "[]",
        "{\"kind\": \"NodeList\", \"items\": []}",
        "\u{feff}",
    ] {
        assert_eq!(read(empty.as_bytes()), [], "{empty:?}");
    }
}

#[test]
fn each_node_knows_the_line_and_column_it_starts_at() {
    let places = |text: &str| -> Vec<(String, u64, u64)> {
        NodeReader::new(text.as_bytes())
            .map(|node| node.map(|node| (node.id, node.line, node.column)).unwrap())
            .collect()
    };
    let at = |id: &str, line, column| (id.to_string(), line, column);
    assert_eq!(
        places("{\"id\": \"a\"}\n\n  {\n  \"id\": \"b\"\n}{\"id\": \"c\"}"),
        [at("a", 1, 1), at("b", 3, 3), at("c", 5, 2)]
    );
    assert_eq!(
        places("[\n  {\"id\": \"a\"},\n  {\"id\": \"b\"}\n]"),
        [at("a", 2, 3), at("b", 3, 3)]
    );
    // A byte-order mark is not a column.
    assert_eq!(places("\u{feff}{\"id\": \"a\"}"), [at("a", 1, 1)]);
    let list = "{\"kind\": \"NodeList\",\n \"items\": [{\"metadata\": {\"name\": \"a\"}},\n   {\"metadata\": {\"name\": \"b\"}}]}";
    assert_eq!(places(list), [at("a", 2, 12), at("b", 3, 4)]);
}

#[test]
fn every_error_names_its_line_column_and_kind_and_no_rust_type() {
    use ReadErrorKind::*;
    let cases: &[(&[u8], u64, u64, ReadErrorKind, &str)] = &[
        // A value that runs into the next one is named where the error is found, and where it starts.
        (
            b"{\"id\":\"a\"}\n{\"id\":\"c\",\n{\"id\":\"d\"}\n",
            3,
            1,
            Syntax,
            "not valid JSON: key must be a string (in the value that starts at line 2, column 1)",
        ),
        (b"{\n  \"id\": \"a\",\n", 3, 1, Syntax, "not valid JSON: the input ends in the middle of a value"),
        (b"{\"id\": \"a\"} x", 1, 13, Syntax, "not valid JSON: expected value"),
        (b"[{\"id\": \"a\"} {\"id\": \"b\"}]", 1, 14, Syntax, "expected `,` or `]` after a node"),
        (b"[{\"id\": \"a\"},]", 1, 14, Syntax, "not valid JSON: trailing comma"),
        (b"[,]", 1, 2, Syntax, "not valid JSON: expected a value"),
        (b"[{\"id\": \"a\"},\n", 2, 1, Syntax, "the input ends inside the array that starts at line 1, column 1"),
        (b"{\"items\": [{\"id\": \"a\"}]", 1, 24, Syntax, "the input ends inside the list that starts at line 1, column 1"),
        // UTF-8: the line, the column and the byte.
        (b"{\"id\": \"a\"}\n{\"id\": \"b\xff\"}", 2, 10, InvalidUtf8, "not valid UTF-8: byte 0xFF (byte 21 of the input)"),
        (b"\xef\xbb{}", 1, 1, InvalidUtf8, "part of a byte-order mark"),
        // Not a node.
        (b"42", 1, 2, NotANode, r#"expected a node object {"id": ..., "labels": {...}}"#),
        (b"[\"a\"]", 1, 4, NotANode, r#"node 1 of the array: invalid type: string "a", expected a node object"#),
        (b"{\"labels\": {}}", 1, 14, NotANode, "not a node object: missing field `id`"),
        (b"{\"id\": 7}", 1, 8, NotANode, r#""id" must be a string, not 7: write "7""#),
        (b"{\"id\": \"a\", \"id\": \"b\"}", 1, 16, NotANode, "duplicate field `id`"),
        (
            b"{\n  \"id\": \"a\",\n  \"labels\": {\"cpu\": 4}\n}",
            3,
            21,
            NotANode,
            r#"not a node object: the value of label "cpu" must be a string, not 4: write "4""#,
        ),
        (b"{\"id\": \"a\", \"labels\": {\"gpu\": null}}", 1, 34, NotANode, r#"the value of label "gpu" must be a string, not null"#),
        (b"{\"id\": \"a\", \"labels\": {\"gpu\": [\"l4\"]}}", 1, 36, NotANode, r#"the value of label "gpu" must be a string, not an array"#),
        (
            b"[{\"id\": \"m\"},\n {\"id\": \"n\", \"labels\": {\"k\": \"v\", \"j\": \"x\", \"k\": \"v\"}}]",
            2,
            53,
            NotANode,
            r#"node 2 of the array: label key "k" appears twice"#,
        ),
        (b"{\"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}", 1, 42, NotANode, "a Kubernetes Pod, not a Node"),
        (b"[[{\"id\": \"a\"}]]", 1, 2, NotANode, "node 1 of the array: invalid type: an array, expected a node object"),
        (b"{\"kind\": \"PodList\", \"items\": [{}]}", 1, 1, NotANode, "a Kubernetes PodList holds no nodes"),
        // kubectl's order: the kind comes after the items, and is checked there.
        (b"{\"items\": [], \"kind\": \"PodList\"}", 1, 1, NotANode, "a Kubernetes PodList holds no nodes"),
        (b"{\"items\": [], \"items\": []}", 1, 1, NotANode, "not a Kubernetes list: duplicate field `items`"),
        (
            b"{\"kind\": \"NodeList\", \"items\": [\n  {\"metadata\": {\"name\": \"x\"}},\n  {\"metadata\": {}}\n]}",
            3,
            18,
            NotANode,
            "node 2 of the NodeList: missing field `metadata.name`",
        ),
        // Ids.
        (b"{\"id\": \"ok\"}\n\n{\"id\": \"a\\nb\"}", 3, 1, InvalidId, r#"node id "a\nb" holds a control character"#),
        (b"[{\"id\": \"ok\"}, {\"id\": \"\\u0000\"}]", 1, 16, InvalidId, r#"node 2 of the array: node id "\0" holds a control character"#),
        (b"{\"items\": [{\"metadata\": {\"name\": \"\"}}]}", 1, 12, InvalidId, r#"node 1 of the list: node id "" is empty"#),
    ];
    // Every case checked before any failure is reported, so that one run shows them all.
    let mut wrong = Vec::new();
    for &(input, line, column, kind, message) in cases {
        let text = String::from_utf8_lossy(input);
        let error = error(input);
        if (error.line(), error.column(), error.kind()) != (line, column, kind)
            || !error.message().contains(message)
        {
            wrong.push(format!("{text:?}: {:?} {error}", error.kind()));
        }
        assert_eq!(
            error.to_string(),
            format!("{}:{}: {}", error.line(), error.column(), error.message())
        );
        assert!(!error.to_string().contains('\n'), "{error}");
        for rust in [
            "struct",
            "RawNode",
            "NodeRecord",
            "ListFields",
            "Labels",
            "map<",
            "Option",
        ] {
            assert!(!error.message().contains(rust), "{text}: {error}");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_record_over_the_limit_is_refused_where_it_starts() {
    let limits = ReadLimits::default().max_record_bytes(100);
    let big = format!(
        "{{\"id\": \"b\", \"labels\": {{\"note\": \"{}\"}}}}",
        "x".repeat(200)
    );
    let fits = "{\"id\": \"a\"}";
    let ndjson = format!("{fits}\n\n{big}\n");
    let error = error_with(ndjson.as_bytes(), limits.clone());
    assert_eq!(
        (error.line(), error.column(), error.kind()),
        (3, 1, ReadErrorKind::TooLarge)
    );
    assert_eq!(
        error.message(),
        "the value that starts here is larger than the limit of 100 bytes for one record (a node, \
         or a list's fields besides its items)"
    );
    let array = format!("[{fits},\n {big}]");
    let error = error_with(array.as_bytes(), limits.clone());
    assert_eq!((error.line(), error.column()), (2, 2));
    assert!(
        error
            .message()
            .starts_with("node 2 of the array: the value"),
        "{error}"
    );
    // A list's items are records of their own; its other fields together are one.
    let list = format!("{{\"kind\": \"List\", \"items\": [{fits}, {fits:?}]}}");
    assert_eq!(
        error_with(list.as_bytes(), limits.clone()).kind(),
        ReadErrorKind::NotANode
    );
    let list = format!(
        "{{\"metadata\": {{\"x\": \"{}\"}}, \"items\": []}}",
        "y".repeat(200)
    );
    assert_eq!(
        error_with(list.as_bytes(), limits.clone()).kind(),
        ReadErrorKind::TooLarge
    );
    // A syntax error inside the first bytes of a long value is named as such.
    let broken = format!("{{\"id\": \"a\" \"labels\": \"{}\"}}", "z".repeat(200));
    assert_eq!(
        error_with(broken.as_bytes(), limits).kind(),
        ReadErrorKind::Syntax
    );
}

/// An endless input: `prefix`, then `fill` over and over.
struct Endless {
    prefix: Vec<u8>,
    fill: u8,
    read: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let from_prefix = self.prefix.len().min(buf.len());
        buf[..from_prefix].copy_from_slice(&self.prefix[..from_prefix]);
        self.prefix.drain(..from_prefix);
        buf[from_prefix..].fill(self.fill);
        self.read += buf.len() as u64;
        Ok(buf.len())
    }
}

#[test]
fn endless_input_stops_at_the_limit_and_holds_no_more_than_it() {
    // /dev/zero: the first NUL is not JSON.
    let mut reader = NodeReader::new(Endless {
        prefix: Vec::new(),
        fill: 0,
        read: 0,
    });
    let error = reader.next().unwrap().unwrap_err();
    assert_eq!(
        (error.line(), error.column(), error.kind()),
        (1, 1, ReadErrorKind::Syntax)
    );
    assert!(reader.next().is_none());

    // A label value that never ends, after a good node.
    const LIMIT: usize = 1 << 20;
    let prefix = b"{\"id\": \"a\"}\n{\"id\": \"b\", \"labels\": {\"x\": \"".to_vec();
    let before = live_bytes();
    let mut input = Endless {
        prefix,
        fill: b'a',
        read: 0,
    };
    let mut reader =
        NodeReader::with_limits(&mut input, ReadLimits::default().max_record_bytes(LIMIT));
    assert_eq!(reader.next().unwrap().unwrap().id, "a");
    let error = reader.next().unwrap().unwrap_err();
    assert_eq!((error.line(), error.kind()), (2, ReadErrorKind::TooLarge));
    // What the reader still holds: its buffer of one record and its read buffer.
    let held = live_bytes() - before;
    assert!(held < (LIMIT + (256 << 10)) as isize, "{held} bytes held");
    drop(reader);
    assert!(input.read < 2 * LIMIT as u64, "read {} bytes", input.read);
}

#[test]
fn duplicate_ids_are_refused_naming_both_lines() {
    let input = b"{\"id\": \"a\"}\n{\"id\": \"b\"}\n[{\"id\": \"c\"}, {\"id\": \"b\"}]\n";
    let error = Fleet::from_reader(&input[..]).unwrap_err();
    assert_eq!(
        (error.line(), error.column(), error.kind()),
        (3, 15, ReadErrorKind::DuplicateId)
    );
    assert_eq!(
        error.message(),
        r#"node 2 of the array: node id "b" appears twice (first on line 2)"#
    );
    let mut ids = DuplicateIds::new();
    let checked: Vec<bool> = NodeReader::new(&input[..])
        .map(|node| ids.check(&node.unwrap()).is_ok())
        .collect();
    assert_eq!(checked, [true, true, true, false]);
    assert_eq!(ids.len(), 3);
}

#[test]
fn a_fleet_from_a_reader_holds_what_inserting_the_nodes_gives() {
    let nodes = generate::fleet(500, 11);
    let ndjson: String = nodes
        .iter()
        .map(|n| generate::to_ndjson_line(n) + "\n")
        .collect();
    let read = Fleet::from_reader(ndjson.as_bytes()).unwrap();
    let mut inserted = Fleet::new();
    for node in &nodes {
        inserted.insert(&node.id, &node.labels);
    }
    assert_eq!(read.len(), inserted.len());
    for (_, selector) in generate::selectors() {
        let selector: Selector = serde_json::from_str(&selector).unwrap();
        let matcher = selector.compile().unwrap();
        assert_eq!(
            read.select(&matcher).iter().collect::<Vec<_>>(),
            inserted.select(&matcher).iter().collect::<Vec<_>>(),
            "{selector:?}"
        );
    }
}

/// A reader that gives at most `step` bytes a read, so that every value crosses chunk boundaries.
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

/// The four forms of a fleet: NDJSON, pretty-printed objects, a pretty array, and a Kubernetes list
/// with `kind` after `items` (as kubectl prints it).
fn forms(nodes: &[Node]) -> [(&'static str, String); 4] {
    let objects: Vec<Value> = nodes
        .iter()
        .map(|(id, labels)| json!({"id": id, "labels": labels}))
        .collect();
    let items: Vec<Value> = nodes
        .iter()
        .map(|(id, labels)| json!({"kind": "Node", "metadata": {"name": id, "labels": labels}}))
        .collect();
    [
        (
            "NDJSON",
            objects.iter().map(|o| o.to_string() + "\n").collect(),
        ),
        (
            "pretty",
            objects
                .iter()
                .map(|o| serde_json::to_string_pretty(o).unwrap() + "\n")
                .collect(),
        ),
        ("array", serde_json::to_string_pretty(&objects).unwrap()),
        (
            "NodeList",
            format!(
                "{{\"apiVersion\": \"v1\", \"items\": {}, \"kind\": \"NodeList\"}}",
                serde_json::to_string_pretty(&items).unwrap()
            ),
        ),
    ]
}

/// Ids and label text with what a scanner could trip on: quotes, backslashes, brackets, braces,
/// `items`, commas, non-ASCII letters and escapes.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9.-]{1,12}",
        Just("items".to_string()),
        "[\"\\\\\\[\\]{},: a-zé€\u{1F600}]{1,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn one_fleet_in_four_forms_reads_back_the_same_in_any_chunks(
        fleet in vec((text(), btree_map(text(), text(), 0..6)), 0..12),
        step in 1usize..40,
    ) {
        // Ids made unique and free of control characters, as a fleet's are.
        let nodes: Vec<Node> = fleet
            .into_iter()
            .enumerate()
            .map(|(i, (id, labels))| (format!("{id}#{i}"), labels))
            .collect();
        for (name, text) in forms(&nodes) {
            let read = Fleet::from_reader(text.as_bytes()).map(|fleet| fleet.len());
            prop_assert_eq!(read.ok(), Some(nodes.len()), "{}", name);
            for input in [
                Box::new(text.as_bytes()) as Box<dyn Read>,
                Box::new(Trickle { bytes: text.as_bytes(), step }),
            ] {
                let back: Result<Vec<Node>, String> = NodeReader::new(input)
                    .map(|node| node.map(|node| (node.id, node.labels)).map_err(|e| e.to_string()))
                    .collect();
                prop_assert_eq!(back.as_ref(), Ok(&nodes), "{}:\n{}", name, text);
            }
        }
    }

    #[test]
    fn any_bytes_read_to_nodes_or_one_error_alike_in_any_chunks(
        bytes in vec(prop_oneof![
            Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), Just(b'"'), Just(b'\\'), Just(b','),
            Just(b':'), Just(b'\n'), Just(b' '), Just(b'a'), Just(b'1'), any::<u8>(),
        ], 0..64),
        step in 1usize..8,
    ) {
        let whole: Vec<Result<Node, String>> = NodeReader::new(&bytes[..])
            .map(|node| node.map(|node| (node.id, node.labels)).map_err(|e| e.to_string()))
            .collect();
        let trickled: Vec<Result<Node, String>> = NodeReader::new(Trickle { bytes: &bytes, step })
            .map(|node| node.map(|node| (node.id, node.labels)).map_err(|e| e.to_string()))
            .collect();
        prop_assert_eq!(&whole, &trickled);
        prop_assert!(whole.iter().filter(|node| node.is_err()).count() <= 1);
        prop_assert!(whole.last().is_none_or(|_| whole[..whole.len() - 1].iter().all(Result::is_ok)));
    }
}

/// A fleet generated as it is read: `nodes` nodes of the benchmark workload, as NDJSON or as one
/// Kubernetes `NodeList`, never held whole.
struct GeneratedFleet<I> {
    nodes: I,
    left: usize,
    list: bool,
    started: bool,
    pending: Vec<u8>,
    at: usize,
}

impl<I: Iterator<Item = GeneratedNode>> GeneratedFleet<I> {
    fn new(nodes: I, count: usize, list: bool) -> GeneratedFleet<I> {
        GeneratedFleet {
            nodes,
            left: count,
            list,
            started: false,
            pending: Vec::new(),
            at: 0,
        }
    }

    /// The next piece of text, empty at the end.
    fn refill(&mut self) {
        self.pending.clear();
        self.at = 0;
        if !self.started {
            self.started = true;
            if self.list {
                self.pending
                    .extend_from_slice(b"{\"apiVersion\": \"v1\", \"items\": [\n");
            }
        }
        if self.left == 0 {
            if self.list {
                self.pending
                    .extend_from_slice(b"], \"kind\": \"NodeList\"}\n");
                self.list = false;
            }
            return;
        }
        self.left -= 1;
        let Some(node) = self.nodes.next() else {
            return;
        };
        let line = generate::to_ndjson_line(&node);
        if self.list {
            let item = json!({"metadata": {"name": node.id, "labels": node.labels}});
            self.pending.extend_from_slice(item.to_string().as_bytes());
            if self.left > 0 {
                self.pending.push(b',');
            }
        } else {
            self.pending.extend_from_slice(line.as_bytes());
        }
        self.pending.push(b'\n');
    }
}

impl<I: Iterator<Item = GeneratedNode>> Read for GeneratedFleet<I> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            self.refill();
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Streams `count` generated nodes through the reader and a matcher, as a one-shot `select` does, and
/// returns how many matched and the most live heap bytes seen between nodes (the reader's buffers and
/// the node in hand), counted from before the reader was made.
fn stream_peak(count: usize, list: bool) -> (usize, isize) {
    let matcher = Selector::new()
        .expression("topology.kubernetes.io/zone=us-east-1a, gpu")
        .compile()
        .unwrap();
    let start = live_bytes();
    let mut peak = 0;
    let mut matched = 0;
    let mut read = 0;
    let reader = NodeReader::new(GeneratedFleet::new(generate::nodes(3), count, list));
    for node in reader {
        let node = node.unwrap();
        read += 1;
        matched += usize::from(matcher.matches(&node.id, &node.labels));
        peak = peak.max(live_bytes() - start);
    }
    assert_eq!(read, count);
    (matched, peak)
}

#[test]
fn streaming_a_large_fleet_holds_one_record_whatever_its_size() {
    // The bound: the reader's 64 KiB read buffer, its record buffer (a few hundred bytes here), the
    // node in hand, and the generator's own line; none of it grows with the fleet.
    const BOUND: isize = 256 << 10;
    for list in [false, true] {
        let (_, small_peak) = stream_peak(2_000, list);
        let (matched, peak) = stream_peak(200_000, list);
        assert!(
            matched > 0,
            "the selector matches some of the generated nodes"
        );
        assert!(peak < BOUND, "list {list}: {peak} bytes live at the peak");
        assert!(
            peak < small_peak + (16 << 10),
            "list {list}: {peak} bytes for 200,000 nodes against {small_peak} for 2,000"
        );
    }
}
