//! End-to-end tests of the `labelsel` command-line tool: every subcommand run as a process, its text
//! and JSON output checked against the library (the demo fleet and the benchmark workload scanned with
//! `Selector::compile` + `Matcher::matches`), its exit codes, and its error messages on bad input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::support::command::{self, Run, command, write_file};
use crate::support::conformance::Node;
use crate::support::workload::Workload;
use labelsel::{Expression, Fleet, Place, Placement, Rollout, Selector};
use predicates::prelude::*;
use serde_json::{Value, json};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
/// The fleet embedded in the binary, read here from the same file.
const DEMO_FLEET_PATH: &str = "data/demo-fleet.ndjson";
const DEMO_NODES: usize = 300;

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/// Runs `labelsel ARGS` with `stdin` as its standard input. Every run also checks that the output,
/// captured through pipes, holds no colour escapes.
fn run_with_stdin(args: &[&str], stdin: &str) -> Run {
    let run = command::run(args, stdin);
    assert!(
        !run.stdout.contains("\x1b[") && !run.stderr.contains("\x1b["),
        "colour escape in the output of labelsel {args:?} (not a terminal): {run:#?}"
    );
    run
}

fn labelsel(args: &[&str]) -> Run {
    run_with_stdin(args, "")
}

/// What a command run without `--fleet` says first on stderr.
const DEMO_NOTICE: &str =
    "labelsel: no --fleet given; using the embedded demo fleet of 300 nodes\n";
/// What `select` says on stderr when the selector has no requirement at all.
const EMPTY_SELECTOR_WARNING: &str = "labelsel: the selector is empty, so every node matches\n";

/// The stderr of a run on the demo fleet after its notice, which must come first, exactly once.
#[track_caller]
fn stderr_without_demo_notice(run: &Run) -> &str {
    let rest = run
        .stderr
        .strip_prefix(DEMO_NOTICE)
        .unwrap_or_else(|| panic!("no demo-fleet notice first on stderr: {run:#?}"));
    assert!(!rest.contains(DEMO_NOTICE), "the notice twice: {run:#?}");
    rest
}

/// A fresh directory for one test's files.
fn temp_dir(test: &str) -> PathBuf {
    command::temp_dir("cli", test)
}

fn parse_ndjson(text: &str) -> Vec<Node> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1))
        })
        .collect()
}

/// The demo fleet's nodes, read from `data/demo-fleet.ndjson`, in file order.
fn demo_nodes() -> &'static [Node] {
    static NODES: OnceLock<Vec<Node>> = OnceLock::new();
    NODES.get_or_init(|| {
        let path = Path::new(MANIFEST_DIR).join(DEMO_FLEET_PATH);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let nodes = parse_ndjson(&text);
        assert_eq!(nodes.len(), DEMO_NODES, "the demo fleet's size");
        nodes
    })
}

/// The first demo node that satisfies `pred`.
fn demo_node_where(what: &str, pred: impl Fn(&Node) -> bool) -> &'static Node {
    demo_nodes()
        .iter()
        .find(|node| pred(node))
        .unwrap_or_else(|| panic!("the demo fleet has a node {what}"))
}

fn label<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.labels.get(key).map(String::as_str)
}

/// The ids of the nodes the selector matches, in order, by compiling it and testing every node.
fn scan(nodes: &[Node], selector: &Selector) -> Vec<String> {
    let matcher = selector
        .compile()
        .unwrap_or_else(|e| panic!("{selector:?} compiles: {e}"));
    nodes
        .iter()
        .filter(|node| matcher.matches(&node.id, &node.labels))
        .map(|node| node.id.clone())
        .collect()
}

fn library_fleet(nodes: &[Node]) -> Fleet {
    let mut fleet = Fleet::new();
    for node in nodes {
        fleet.insert(&node.id, &node.labels);
    }
    fleet
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// Where the caret run sits under the snippet line that shows `source`: its byte offset within
/// `source` and its width.
#[track_caller]
fn caret_under(stderr: &str, source: &str) -> (usize, usize) {
    let lines = lines(stderr);
    let shown = format!("| {source}");
    let at = lines
        .iter()
        .position(|line| line.ends_with(&shown))
        .unwrap_or_else(|| panic!("no snippet line showing {source:?} in:\n{stderr}"));
    let start = lines[at].len() - source.len();
    let carets = lines
        .get(at + 1)
        .unwrap_or_else(|| panic!("no line under the snippet in:\n{stderr}"));
    let first = carets
        .find('^')
        .unwrap_or_else(|| panic!("no caret under {source:?} in:\n{stderr}"));
    assert!(first >= start, "caret left of the input in:\n{stderr}");
    let width = carets[first..].chars().take_while(|&c| c == '^').count();
    (first - start, width)
}

// ---------------------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------------------

#[test]
fn check_prints_the_canonical_text_of_each_expression_on_its_line() {
    let inputs = [
        "tier in (premium, standard), !debug",
        "cpu > 8",
        "x notin (b, a, b)",
        "env==prod",
        "a in ()",
    ];
    let mut args = vec!["check"];
    args.extend(inputs);
    let run = labelsel(&args);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stderr, "");
    assert_eq!(
        lines(&run.stdout),
        [
            "!debug,tier in (premium,standard)",
            "cpu>8",
            "x notin (a,b)",
            "env==prod",
            "a in ()"
        ]
    );
    for (input, line) in inputs.iter().zip(lines(&run.stdout)) {
        assert_eq!(
            Expression::parse(input).unwrap().to_string(),
            line,
            "{input}"
        );
    }
}

#[test]
fn check_shows_the_invalid_input_with_a_caret_under_the_span_and_what_was_expected() {
    let cases = [
        ("env in (prod", 12..12, "`,` or `)`"),
        ("!gpu=a100", 4..5, "`,` or end of input"),
        ("env in (prod) extra,x", 14..19, "`,` or end of input"),
        ("tier in (a,", 11..11, "a value or `,`"),
    ];
    for (input, span, expected) in cases {
        let run = labelsel(&["check", input]);
        assert_eq!(run.code, 2, "{run:#?}");
        assert_eq!(run.stdout, "", "nothing on stdout for {input:?}");
        let error = Expression::parse(input).unwrap_err();
        assert_eq!(error.span(), span, "{input}");
        assert_eq!(error.expected(), expected, "{input}");
        assert!(
            run.stderr.contains(&format!("error: {}", error.message())),
            "{run:#?}"
        );
        assert!(
            run.stderr.contains(&format!("^ expected {expected}")),
            "{run:#?}"
        );
        assert!(run.stderr.contains("argument 1"), "{run:#?}");
        assert_eq!(
            caret_under(&run.stderr, input),
            (span.start, span.len().max(1)),
            "caret for {input:?} in:\n{}",
            run.stderr
        );
    }
}

#[test]
fn check_with_valid_and_invalid_expressions_prints_the_valid_ones_and_exits_2() {
    let run = labelsel(&["check", "gpu", "env in (prod", "b,a", "x>", "cpu<4"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(lines(&run.stdout), ["gpu", "a,b", "cpu<4"]);
    assert_eq!(run.stderr.matches("error:").count(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("argument 2"), "{}", run.stderr);
    assert!(run.stderr.contains("argument 4"), "{}", run.stderr);
    for valid in ["argument 1", "argument 3", "argument 5"] {
        assert!(
            !run.stderr.contains(valid),
            "{valid} is valid: {}",
            run.stderr
        );
    }
    assert_eq!(caret_under(&run.stderr, "env in (prod"), (12, 1));
    assert_eq!(caret_under(&run.stderr, "x>"), (2, 1));
}

#[test]
fn check_json_gives_canonical_text_or_the_error_parts() {
    let inputs = ["b,a", "env in (prod", "!gpu=a100", "cpu > 8"];
    let mut args = vec!["check", "--output", "json"];
    args.extend(inputs);
    let run = labelsel(&args);
    assert_eq!(run.code, 2, "{run:#?}");
    let results = run.json();
    let results = results.as_array().expect("a JSON array");
    assert_eq!(results.len(), inputs.len());
    assert_eq!(results[0], json!({"input": "b,a", "canonical": "a,b"}));
    assert_eq!(
        results[3],
        json!({"input": "cpu > 8", "canonical": "cpu>8"})
    );
    assert_eq!(
        results[1],
        json!({
            "input": "env in (prod",
            "error": {
                "message": "expected `,` or `)`, found end of input",
                "span": [12, 12],
                "found": null,
                "expected": "`,` or `)`",
            }
        })
    );
    assert_eq!(results[2]["error"]["span"], json!([4, 5]));
    assert_eq!(results[2]["error"]["found"], "=");
    for (input, result) in inputs.iter().zip(results) {
        assert_eq!(result["input"], *input);
        match Expression::parse(input) {
            Ok(expr) => {
                assert_eq!(result["canonical"], expr.to_string());
                assert!(result.get("error").is_none(), "{result}");
            }
            Err(error) => {
                let span = error.span();
                assert_eq!(
                    result["error"],
                    json!({
                        "message": error.message(),
                        "span": [span.start, span.end],
                        // null at the end of the input.
                        "found": if error.span().start == input.len() {
                            Value::Null
                        } else {
                            error.found().into()
                        },
                        "expected": error.expected(),
                    })
                );
                assert!(result.get("canonical").is_none(), "{result}");
            }
        }
    }

    let all_valid = labelsel(&["check", "--output", "json", "gpu", "b,a"]);
    assert_eq!(all_valid.code, 0, "{all_valid:#?}");
    assert_eq!(
        all_valid.json(),
        json!([{"input": "gpu", "canonical": "gpu"}, {"input": "b,a", "canonical": "a,b"}])
    );
}

// ---------------------------------------------------------------------------------------------------
// select
// ---------------------------------------------------------------------------------------------------

#[test]
fn select_on_the_demo_fleet_prints_the_ids_a_scan_finds_in_fleet_order() {
    let expected = scan(
        demo_nodes(),
        &Selector::new().expression("gpu").expression("!debug"),
    );
    assert!(
        !expected.is_empty() && expected.len() < DEMO_NODES,
        "a discriminating selector"
    );

    let run = labelsel(&["select", "-e", "gpu", "-e", "!debug"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(stderr_without_demo_notice(&run), "");
    assert_eq!(lines(&run.stdout), expected);

    let count = labelsel(&["select", "-e", "gpu", "-e", "!debug", "--count"]);
    assert_eq!(count.code, 0, "{count:#?}");
    assert_eq!(count.stdout, format!("{}\n", expected.len()));
}

#[test]
fn select_exits_1_when_nothing_matches() {
    let run = labelsel(&["select", "-e", "env=nowhere"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:#?}");
    // The hint to run diagnose is for a terminal; a script sees only the exit status.
    assert_eq!(stderr_without_demo_notice(&run), "");

    let count = labelsel(&["select", "-e", "env=nowhere", "--count"]);
    assert_eq!(
        (count.code, count.stdout.as_str()),
        (1, "0\n"),
        "{count:#?}"
    );

    let json = labelsel(&["select", "-e", "env=nowhere", "--output", "json"]);
    assert_eq!(json.code, 1, "{json:#?}");
    assert_eq!(json.json(), json!({"count": 0, "ids": []}));
}

#[test]
fn select_json_gives_the_count_and_the_ids_in_fleet_order() {
    let selector = Selector::new()
        .label("env", "prod")
        .expression("cpu>16, disk notin (hdd)");
    let expected = scan(demo_nodes(), &selector);
    assert!(expected.len() > 1);

    let args = [
        "select",
        "-l",
        "env=prod",
        "-e",
        "cpu>16, disk notin (hdd)",
        "--output",
        "json",
    ];
    let run = labelsel(&args);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.json(),
        json!({"count": expected.len(), "ids": expected})
    );

    let mut count_args = args.to_vec();
    count_args.push("--count");
    let count = labelsel(&count_args);
    assert_eq!(count.code, 0, "{count:#?}");
    assert_eq!(count.json(), json!({"count": expected.len()}));
}

#[test]
fn select_reads_a_job_spec_selector_file_with_snake_case_or_camel_case_fields() {
    let dir = temp_dir("select_selector_file");
    let ids: Vec<&str> = demo_nodes()
        .iter()
        .step_by(7)
        .map(|node| node.id.as_str())
        .collect();
    let selector = Selector::new()
        .label("env", "prod")
        .expression("tier in (premium, standard)")
        .expression("!debug");
    let with_ids = ids
        .iter()
        .fold(selector.clone(), |selector, id| selector.id(*id));
    let expected = scan(demo_nodes(), &with_ids);
    assert!(
        !expected.is_empty() && expected.len() < scan(demo_nodes(), &selector).len(),
        "the ids narrow the selection"
    );

    let spellings = [
        json!({
            "match_labels": {"env": "prod"},
            "match_expressions": ["tier in (premium, standard)", "!debug"],
            "match_ids": ids,
        }),
        json!({
            "matchLabels": {"env": "prod"},
            "matchExpressions": ["tier in (premium, standard)", "!debug"],
            "matchIds": ids,
        }),
        json!({
            "matchLabels": {"env": "prod"},
            "match_expressions": ["tier in (premium, standard)", "!debug"],
            "matchIDs": ids,
        }),
    ];
    for (i, spelling) in spellings.iter().enumerate() {
        let path = write_file(&dir, &format!("job-{i}.json"), &spelling.to_string());
        let run = labelsel(&["select", "--selector", &path]);
        assert_eq!(run.code, 0, "{spelling}: {run:#?}");
        assert_eq!(lines(&run.stdout), expected, "{spelling}");
    }

    // Nulls read as empty, and the flags add to the file's selector.
    let path = write_file(
        &dir,
        "nulls.json",
        r#"{"match_labels": {"env": "prod"}, "match_expressions": null, "match_ids": null}"#,
    );
    let run = labelsel(&["select", "--selector", &path, "-e", "gpu", "--count"]);
    let expected = scan(
        demo_nodes(),
        &Selector::new().label("env", "prod").expression("gpu"),
    );
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, format!("{}\n", expected.len()));
}

#[test]
fn selector_files_may_be_kubernetes_structured_label_selectors() {
    let dir = temp_dir("kube_label_selector");
    let kube = write_file(
        &dir,
        "kube.json",
        r#"{"matchLabels": {"env": "prod"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["premium", "standard"]},
                                 {"key": "debug", "operator": "DoesNotExist"}]}"#,
    );
    let run = labelsel(&["select", "--selector", &kube]);
    let native = labelsel(&[
        "select",
        "-l",
        "env=prod",
        "-e",
        "tier in (premium,standard)",
        "-e",
        "!debug",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, native.stdout);
    // check lists what the conversion wrote.
    let run = labelsel(&["check", "--selector", &kube]);
    assert_eq!(
        lines(&run.stdout),
        ["env=prod", "tier in (premium,standard)", "!debug"]
    );
    // A bad entry is named by the file and its place.
    let bad = write_file(
        &dir,
        "bad.json",
        r#"{"matchExpressions": [{"key": "gpu", "operator": "Exists"}, {"key": "tier", "operator": "in", "values": ["a"]}]}"#,
    );
    let run = labelsel(&["select", "--selector", &bad]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(
        run.stderr.trim_end(),
        format!(
            "error: {bad}: not a valid Kubernetes label selector: matchExpressions[1].operator: \
             \"in\" is not a label selector operator; use In, NotIn, Exists or DoesNotExist"
        )
    );
    let misspelt = write_file(
        &dir,
        "misspelt.json",
        r#"{"matchExpressions": [{"key": "tier", "operator": "In", "value": ["a"]}]}"#,
    );
    let run = labelsel(&["select", "--selector", &misspelt]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains(&format!("{misspelt}:1:"))
            && run.stderr.contains("unknown field `value`"),
        "{run:#?}"
    );
    // In a jobs file too, line by line.
    let jobs = write_file(
        &dir,
        "jobs.ndjson",
        "{\"id\": \"a\", \"selector\": {\"matchExpressions\": [{\"key\": \"gpu\", \"operator\": \"Exists\"}]}}\n\
         {\"id\": \"b\", \"selector\": {\"match_expressions\": [\"!gpu\"]}}\n",
    );
    let gpu = demo_node_where("with a gpu", |node| label(node, "gpu").is_some());
    let run = labelsel(&["jobs", "--jobs", &jobs, "--node", &gpu.id]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(lines(&run.stdout), ["a"]);
    let jobs = write_file(
        &dir,
        "bad-jobs.ndjson",
        "{\"id\": \"a\", \"selector\": {}}\n\
         {\"id\": \"b\", \"selector\": {\"matchExpressions\": [{\"key\": \"gpu\", \"operator\": \"In\"}]}}\n",
    );
    let run = labelsel(&["jobs", "--jobs", &jobs, "--node", &gpu.id]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains(&format!(
            "{jobs}:2: selector: not a valid Kubernetes label selector: \
             matchExpressions[0].values: In needs at least one value"
        )),
        "{run:#?}"
    );
}

#[test]
fn an_explicit_empty_match_ids_is_warned_about() {
    const WARNING: &str =
        "match_ids is an empty list, which places no constraint: every node passes it";
    let dir = temp_dir("empty_match_ids");
    let job = write_file(
        &dir,
        "job.json",
        r#"{"match_labels": {"env": "prod"}, "match_ids": []}"#,
    );
    let fleet = ["--fleet", DEMO_FLEET_PATH];
    let run = labelsel(&[&["select", "--selector", &job, "--count"][..], &fleet].concat());
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stderr, format!("labelsel: {job}: {WARNING}\n"));
    // --id fills the list: nothing to warn about.
    let id = &demo_nodes()[0].id;
    let run = labelsel(&[&["select", "--selector", &job, "--id", id][..], &fleet].concat());
    assert_eq!(run.stderr, "", "{run:#?}");
    // lint: a warning finding, exit 0.
    let run = labelsel(&["lint", "--selector", &job]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        lines(&run.stdout),
        [
            format!("warning: unconstrained: {job}: {WARNING}"),
            "normal form: env=prod".to_string()
        ]
    );
    let run = labelsel(&["lint", "--selector", &job, "-o", "json"]);
    let findings = run.json()["findings"].clone();
    assert_eq!(findings[0]["severity"], "warning");
    assert_eq!(findings[0]["kind"], "empty_match_ids");
    assert_eq!(findings[0]["origins"], json!([{"field": "match_ids"}]));
    // A placement term.
    let placement = write_file(
        &dir,
        "placement.json",
        r#"{"required": [{"match_labels": {"env": "prod"}, "match_ids": []}],
            "preferred": [{"weight": 1, "selector": {"matchIds": []}}]}"#,
    );
    let run = labelsel(
        &[
            &["place", "--placement", &placement, "--top", "1"][..],
            &fleet,
        ]
        .concat(),
    );
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.stderr,
        format!(
            "labelsel: {placement} required[0]: {WARNING}\n\
             labelsel: {placement} preferred[0].selector: {WARNING}\n"
        )
    );
}

#[test]
fn select_reads_the_selector_from_stdin() {
    let expected = scan(
        demo_nodes(),
        &Selector::new()
            .label("kubernetes.io/arch", "arm64")
            .expression("memory-gb<64"),
    );
    assert!(!expected.is_empty());
    let stdin = r#"{"matchLabels": {"kubernetes.io/arch": "arm64"}, "match_expressions": ["memory-gb<64"]}"#;
    let run = run_with_stdin(&["select", "--selector", "-"], stdin);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(lines(&run.stdout), expected);
}

/// A small fleet with a blank line, extra fields, null and missing labels.
const SMALL_FLEET_NDJSON: &str = r#"{"id":"n1","labels":{"zone":"a","gpu":"l4"}}
{"id":"n2","labels":{"zone":"b"},"extra":1}

{"id":"n3","labels":null}
{"id":"n4"}
{"id":"n5","labels":{"zone":"a","cpu":"12"}}
"#;

const SMALL_FLEET_ARRAY: &str = r#"
  [{"id":"n1","labels":{"zone":"a","gpu":"l4"}},
   {"id":"n2","labels":{"zone":"b"},"extra":1},
   {"id":"n3","labels":null},
   {"id":"n4"},
   {"id":"n5","labels":{"zone":"a","cpu":"12"}}]
"#;

#[test]
fn select_reads_a_fleet_file_as_ndjson_or_as_a_json_array() {
    let dir = temp_dir("select_fleet_file");
    let ndjson = write_file(&dir, "fleet.ndjson", SMALL_FLEET_NDJSON);
    let array = write_file(&dir, "fleet.json", SMALL_FLEET_ARRAY);
    let cases: [(&[&str], &[&str]); 5] = [
        (&["-e", "zone!=b"], &["n1", "n3", "n4", "n5"]),
        (&["-e", "zone=a"], &["n1", "n5"]),
        (&["-e", "!zone"], &["n3", "n4"]),
        (&["-e", "cpu>10"], &["n5"]),
        (&[], &["n1", "n2", "n3", "n4", "n5"]),
    ];
    for fleet in [&ndjson, &array] {
        for (selector, expected) in cases {
            let mut args = vec!["select", "--fleet", fleet.as_str()];
            args.extend(selector);
            let run = labelsel(&args);
            assert_eq!(run.code, 0, "{args:?}: {run:#?}");
            assert_eq!(lines(&run.stdout), expected, "{args:?}");
        }
        let none = labelsel(&["select", "--fleet", fleet, "-e", "gpu=t4", "--count"]);
        assert_eq!((none.code, none.stdout.as_str()), (1, "0\n"), "{none:#?}");
    }

    // The demo fleet rewritten as a JSON array selects the same nodes as the embedded one.
    let nodes: Vec<Value> = demo_nodes()
        .iter()
        .map(|node| json!({"id": node.id, "labels": node.labels}))
        .collect();
    let demo_array = write_file(&dir, "demo.json", &Value::Array(nodes).to_string());
    let embedded = labelsel(&["select", "-e", "gpu", "-e", "!debug"]);
    let from_array = labelsel(&[
        "select",
        "--fleet",
        &demo_array,
        "-e",
        "gpu",
        "-e",
        "!debug",
    ]);
    let from_ndjson = labelsel(&[
        "select",
        "--fleet",
        DEMO_FLEET_PATH,
        "-e",
        "gpu",
        "-e",
        "!debug",
    ]);
    assert_eq!(from_array.code, 0, "{from_array:#?}");
    assert!(!embedded.stdout.is_empty());
    assert_eq!(from_array.stdout, embedded.stdout);
    assert_eq!(from_ndjson.stdout, embedded.stdout);
}

#[test]
fn select_reads_the_fleet_from_stdin() {
    for fleet in [SMALL_FLEET_NDJSON, SMALL_FLEET_ARRAY] {
        let run = run_with_stdin(&["select", "--fleet", "-", "-e", "zone=a"], fleet);
        assert_eq!(run.code, 0, "{run:#?}");
        assert_eq!(lines(&run.stdout), ["n1", "n5"]);
    }
    let run = run_with_stdin(
        &["select", "--fleet", "-", "--count"],
        &std::fs::read_to_string(Path::new(MANIFEST_DIR).join(DEMO_FLEET_PATH)).unwrap(),
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, "300\n"), "{run:#?}");
}

#[test]
fn select_takes_labels_and_ids_from_flags() {
    let expected = scan(
        demo_nodes(),
        &Selector::new()
            .label("env", "prod")
            .label("tier", "premium")
            .expression("gpu"),
    );
    assert!(!expected.is_empty());
    let run = labelsel(&[
        "select",
        "-l",
        "env=prod",
        "-l",
        "tier=premium",
        "-e",
        "gpu",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(lines(&run.stdout), expected);

    // Ids given in reverse come out in fleet order; an id not in the fleet is ignored.
    let nodes = demo_nodes();
    let (first, second, third) = (&*nodes[3].id, &*nodes[50].id, &*nodes[299].id);
    let run = labelsel(&[
        "select",
        "--id",
        third,
        "--id",
        "node-not-in-the-fleet",
        "--id",
        second,
        "--id",
        first,
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(lines(&run.stdout), [first, second, third]);

    // Ids and labels together: only the listed nodes that also carry the label.
    let env = label(&nodes[3], "env").expect("nodes have an env");
    let other = demo_node_where("with another env", |node| {
        label(node, "env").is_some_and(|e| e != env)
    });
    let run = labelsel(&[
        "select",
        "--id",
        first,
        "--id",
        &other.id,
        "-l",
        &format!("env={env}"),
    ]);
    assert_eq!((run.code, lines(&run.stdout)), (0, vec![first]));

    let run = labelsel(&["select", "--id", "node-not-in-the-fleet"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:#?}");
}

#[test]
fn select_label_flags_are_selector_strings_as_kubectls() {
    // `-l gpu` is kubectl's existence test, `-l 'a=b,c!=d'` a whole selector.
    for (flags, selector) in [
        (vec!["-l", "gpu"], Selector::new().expression("gpu")),
        (
            vec!["-l", "env=prod,tier=premium"],
            Selector::new()
                .label("env", "prod")
                .label("tier", "premium"),
        ),
        (
            vec!["-l", "env in (prod, staging)", "-l", "!debug"],
            Selector::new()
                .expression("env in (prod, staging)")
                .expression("!debug"),
        ),
    ] {
        let expected = scan(demo_nodes(), &selector);
        assert!(!expected.is_empty() && expected.len() < DEMO_NODES);
        let mut args = vec!["select"];
        args.extend(&flags);
        let run = labelsel(&args);
        assert_eq!(run.code, 0, "{flags:?}: {run:#?}");
        assert_eq!(lines(&run.stdout), expected, "{flags:?}");
    }
}

#[test]
fn label_flags_narrow_the_selector_file_and_never_replace_its_labels() {
    let dir = temp_dir("label_flags_narrow");
    let job = write_file(&dir, "job.json", r#"{"match_labels": {"env": "prod"}}"#);
    let prod = scan(demo_nodes(), &Selector::new().label("env", "prod"));
    assert!(!prod.is_empty());

    // The job asks for env=prod: -l env=staging cannot turn it into a staging job.
    let run = labelsel(&["select", "--selector", &job, "-l", "env=staging"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:#?}");
    let run = labelsel(&["select", "--selector", &job, "-l", "env=prod", "--count"]);
    assert_eq!(run.stdout, format!("{}\n", prod.len()), "{run:#?}");

    // -l narrows like -e does.
    let narrowed = scan(
        demo_nodes(),
        &Selector::new().label("env", "prod").expression("gpu"),
    );
    assert!(narrowed.len() < prod.len());
    for flag in ["-l", "-e"] {
        let run = labelsel(&["select", "--selector", &job, flag, "gpu"]);
        assert_eq!(run.code, 0, "{flag}: {run:#?}");
        assert_eq!(lines(&run.stdout), narrowed, "{flag}");
    }

    // Contradicting flags: lint says unsatisfiable rather than "no findings".
    for args in [
        vec!["lint", "-l", "env=prod", "-l", "env=staging"],
        vec!["lint", "--selector", &job, "-l", "env=staging"],
    ] {
        let run = labelsel(&args);
        assert_eq!(run.code, 1, "{args:?}: {run:#?}");
        assert!(
            run.stdout.starts_with("error: unsatisfiable"),
            "{args:?}: {run:#?}"
        );
        assert!(run.stdout.contains("env=staging"), "{args:?}: {run:#?}");
    }
    // explain shows the file's label and the flag's selector side by side.
    let node = demo_node_where("with env=prod", |node| label(node, "env") == Some("prod"));
    let run = labelsel(&[
        "explain",
        "--node",
        &node.id,
        "--selector",
        &job,
        "-l",
        "env=staging",
    ]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout
            .contains("fail  match_expressions[0]  env=staging"),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains(r#"pass  match_labels["env"]   env=prod"#),
        "{run:#?}"
    );
}

#[test]
fn id_flags_narrow_the_selector_files_match_ids() {
    let dir = temp_dir("id_flags_narrow");
    let nodes = demo_nodes();
    let (a, b, c) = (&*nodes[3].id, &*nodes[50].id, &*nodes[99].id);
    let job = write_file(&dir, "job.json", &json!({"match_ids": [a, b]}).to_string());
    // Only the ids in both lists remain: --id cannot add a node the job does not list.
    let run = labelsel(&["select", "--selector", &job, "--id", b, "--id", c]);
    assert_eq!((run.code, lines(&run.stdout)), (0, vec![b]), "{run:#?}");
    let run = labelsel(&["select", "--selector", &job]);
    assert_eq!((run.code, lines(&run.stdout)), (0, vec![a, b]), "{run:#?}");

    // No id in common: refused rather than read as "any node".
    let run = labelsel(&["select", "--selector", &job, "--id", c]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:#?}");
    assert!(run.stderr.contains("none of the --id"), "{}", run.stderr);
}

#[test]
fn select_rejects_a_selector_with_an_unknown_field_naming_it() {
    let dir = temp_dir("select_unknown_field");
    let path = write_file(&dir, "job.json", r#"{"match_label": {"env": "prod"}}"#);
    let run = labelsel(&["select", "--selector", &path]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains(&path), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown field `match_label`"),
        "{}",
        run.stderr
    );

    let run = run_with_stdin(
        &["select", "--selector", "-"],
        r#"{"matchExpression": ["gpu"]}"#,
    );
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("<stdin>"), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown field `matchExpression`"),
        "{}",
        run.stderr
    );

    let path = write_file(&dir, "array.json", r#"["gpu"]"#);
    let run = labelsel(&["select", "--selector", &path]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains("not a selector object"),
        "{}",
        run.stderr
    );
}

#[test]
fn select_rejects_a_bad_expression_naming_its_place_with_a_caret() {
    let dir = temp_dir("select_bad_expression");
    let path = write_file(
        &dir,
        "job.json",
        r#"{"match_expressions": ["gpu", "tier in (a,"]}"#,
    );
    let run = labelsel(&["select", "--selector", &path]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("match_expressions[1]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("^ expected a value or `,`"),
        "{}",
        run.stderr
    );
    assert_eq!(caret_under(&run.stderr, "tier in (a,"), (11, 1));

    // Flag expressions come after the file's.
    let path = write_file(
        &dir,
        "good.json",
        r#"{"match_expressions": ["gpu", "!debug"]}"#,
    );
    // A flag's expression is named by the flag and its number, not by its index after the file's.
    let run = labelsel(&["select", "--selector", &path, "-e", "env in (prod) x"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("--> -e argument 1:"), "{}", run.stderr);
    assert!(!run.stderr.contains("match_expressions"), "{}", run.stderr);
    assert_eq!(caret_under(&run.stderr, "env in (prod) x"), (14, 1));

    let run = labelsel(&["select", "-e", "gpu", "-e", "cpu>x"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("--> -e argument 2:"), "{}", run.stderr);
    assert!(!run.stderr.contains("match_expressions"), "{}", run.stderr);

    // -l selectors are counted apart from -e expressions, and follow them.
    let run = labelsel(&[
        "select",
        "--selector",
        &path,
        "-l",
        "env=prod",
        "-e",
        "gpu",
        "-l",
        "tier in (a",
    ]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("--> -l argument 2:"), "{}", run.stderr);
    assert_eq!(caret_under(&run.stderr, "tier in (a"), (10, 1));
}

#[test]
fn select_rejects_bad_match_labels_keys_and_values() {
    let dir = temp_dir("select_bad_match_labels");
    let path = write_file(&dir, "job.json", r#"{"match_labels": {"bad key": "x"}}"#);
    let run = labelsel(&["select", "--selector", &path]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains(r#"match_labels key "bad key""#),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("invalid key `bad key`"),
        "{}",
        run.stderr
    );

    // -l is a selector string, its errors named by the flag and its number.
    let run = labelsel(&["select", "--label=-env=prod"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("--> -l argument 1:"), "{}", run.stderr);
    assert!(run.stderr.contains("invalid key `-env`"), "{}", run.stderr);

    let run = labelsel(&["select", "-l", "env=a", "-l", "env=a b"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("--> -l argument 2:"), "{}", run.stderr);
    assert_eq!(caret_under(&run.stderr, "env=a b"), (6, 1));
}

// ---------------------------------------------------------------------------------------------------
// select --count-by, --rollout
// ---------------------------------------------------------------------------------------------------

/// The spread of the matching demo nodes over `key`, by scanning: `value count` lines sorted by
/// value (the empty value as `""`), then `(none) N`.
fn scan_spread_lines(selector: &Selector, key: &str) -> Vec<String> {
    let matching = scan(demo_nodes(), selector);
    let mut values: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut missing = 0;
    for node in demo_nodes()
        .iter()
        .filter(|node| matching.contains(&node.id))
    {
        match label(node, key) {
            Some(value) => *values.entry(value).or_default() += 1,
            None => missing += 1,
        }
    }
    let mut lines: Vec<String> = values
        .into_iter()
        .map(|(value, n)| {
            let value = if value.is_empty() { "\"\"" } else { value };
            format!("{value} {n}")
        })
        .collect();
    lines.push(format!("(none) {missing}"));
    lines
}

#[test]
fn select_count_by_prints_a_line_per_value_and_the_missing_count() {
    let zone = "topology.kubernetes.io/zone";
    let cases: [(&[&str], Selector, &str); 3] = [
        (&["-e", "gpu"], Selector::new().expression("gpu"), zone),
        (&[], Selector::new(), "gpu"),
        (
            &["-l", "env=prod"],
            Selector::new().expression("env=prod"),
            "owner",
        ),
    ];
    for (args, selector, key) in cases {
        let expected = scan_spread_lines(&selector, key);
        let mut argv = vec!["select"];
        argv.extend(args);
        argv.extend(["--count-by", key]);
        let run = labelsel(&argv);
        assert_eq!(run.code, 0, "{run:#?}");
        let warning = if selector.is_empty() {
            EMPTY_SELECTOR_WARNING
        } else {
            ""
        };
        assert_eq!(stderr_without_demo_notice(&run), warning, "{argv:?}");
        assert_eq!(lines(&run.stdout), expected, "{argv:?}");
    }
    // Every node lacks a key no node has.
    let run = labelsel(&["select", "--count-by", "no-such-key"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, format!("(none) {DEMO_NODES}\n"));
}

#[test]
fn select_count_by_json_gives_the_key_the_count_the_values_and_the_missing_count() {
    let selector = Selector::new().label("env", "prod");
    let matching = scan(demo_nodes(), &selector);
    let mut values = serde_json::Map::new();
    let mut missing = 0;
    for node in demo_nodes()
        .iter()
        .filter(|node| matching.contains(&node.id))
    {
        match label(node, "gpu") {
            Some(value) => {
                let n = values.get(value).and_then(Value::as_u64).unwrap_or(0);
                values.insert(value.to_string(), json!(n + 1));
            }
            None => missing += 1,
        }
    }
    assert!(values.len() > 1 && missing > 0, "a key some nodes lack");
    let run = labelsel(&[
        "select",
        "-l",
        "env=prod",
        "--count-by",
        "gpu",
        "--output",
        "json",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.json(),
        json!({"key": "gpu", "count": matching.len(), "values": values, "missing": missing})
    );
    // Values come sorted in the JSON text too.
    let text = run.stdout;
    let at: Vec<usize> = values
        .keys()
        .map(|v| text.find(&format!("\"{v}\"")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
}

#[test]
fn select_count_by_of_no_match_exits_1() {
    let run = labelsel(&["select", "-e", "env=nowhere", "--count-by", "gpu"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (1, "(none) 0\n"),
        "{run:#?}"
    );
    let json = labelsel(&[
        "select",
        "-e",
        "env=nowhere",
        "--count-by",
        "gpu",
        "--output",
        "json",
    ]);
    assert_eq!(json.code, 1, "{json:#?}");
    assert_eq!(
        json.json(),
        json!({"key": "gpu", "count": 0, "values": {}, "missing": 0})
    );
}

#[test]
fn select_count_by_writes_the_empty_value_as_two_quotes() {
    let dir = temp_dir("count_by_empty_value");
    let fleet = write_file(
        &dir,
        "nodes.ndjson",
        concat!(
            r#"{"id": "a", "labels": {"debug": ""}}"#,
            "\n",
            r#"{"id": "b", "labels": {"debug": "yes"}}"#,
            "\n",
            r#"{"id": "c", "labels": {"debug": ""}}"#,
            "\n",
            r#"{"id": "d", "labels": {}}"#,
            "\n",
        ),
    );
    let run = labelsel(&["select", "--fleet", &fleet, "--count-by", "debug"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "\"\" 2\nyes 1\n(none) 1\n");
    let json = labelsel(&[
        "select",
        "--fleet",
        &fleet,
        "--count-by",
        "debug",
        "--output",
        "json",
    ]);
    assert_eq!(
        json.json(),
        json!({"key": "debug", "count": 4, "values": {"": 2, "yes": 1}, "missing": 1})
    );
}

#[test]
fn select_rollout_prints_the_matching_ids_in_the_librarys_rollout_order() {
    let selector = Selector::new().label("env", "prod");
    let matching = scan(demo_nodes(), &selector);
    for seed in [0u64, 42, u64::MAX] {
        let expected = Rollout::from_ids(seed, matching.iter().map(String::as_str));
        let seed_text = seed.to_string();
        let run = labelsel(&["select", "-l", "env=prod", "--rollout", &seed_text]);
        assert_eq!(run.code, 0, "{run:#?}");
        assert_eq!(stderr_without_demo_notice(&run), "");
        assert_eq!(lines(&run.stdout), expected.ids(), "seed {seed}");

        let json = labelsel(&[
            "select",
            "-l",
            "env=prod",
            "--rollout",
            &seed_text,
            "--output",
            "json",
        ]);
        assert_eq!(json.code, 0, "{json:#?}");
        assert_eq!(
            json.json(),
            json!({"seed": seed, "count": matching.len(), "ids": expected.ids()})
        );
    }
    // Another seed, another order.
    let a = labelsel(&["select", "--rollout", "1"]).stdout;
    let b = labelsel(&["select", "--rollout", "2"]).stdout;
    assert_ne!(a, b);
    assert_eq!(lines(&a).len(), DEMO_NODES);
}

#[test]
fn select_rollout_with_canary_prints_the_rounded_up_prefix() {
    let matching = scan(demo_nodes(), &Selector::new().expression("gpu"));
    let expected = Rollout::from_ids(7, matching.iter().map(String::as_str));
    let mut previous: Vec<String> = Vec::new();
    for percent in [0u32, 1, 5, 50, 100] {
        let text = percent.to_string();
        let run = labelsel(&["select", "-e", "gpu", "--rollout", "7", "--canary", &text]);
        assert_eq!(
            run.code, 0,
            "a node matches even when the canary is empty: {run:#?}"
        );
        let canary = lines(&run.stdout);
        let len = (matching.len() * percent as usize).div_ceil(100);
        assert_eq!(canary, &expected.ids()[..len], "{percent}%");
        assert!(canary.starts_with(&previous.iter().map(String::as_str).collect::<Vec<_>>()));
        previous = canary.iter().map(|id| id.to_string()).collect();

        let json = labelsel(&[
            "select",
            "-e",
            "gpu",
            "--rollout",
            "7",
            "--canary",
            &text,
            "--output",
            "json",
        ]);
        assert_eq!(
            json.json(),
            json!({
                "seed": 7,
                "count": matching.len(),
                "canary_percent": percent,
                "ids": &expected.ids()[..len],
            })
        );
    }
    // 1% of the matches is less than one node, rounded up to one.
    assert!(matching.len() < 100);
    let run = labelsel(&["select", "-e", "gpu", "--rollout", "7", "--canary", "1"]);
    assert_eq!(lines(&run.stdout).len(), 1);
}

#[test]
fn select_rollout_with_batch_separates_batches_with_an_empty_line() {
    let matching = scan(demo_nodes(), &Selector::new().label("tier", "premium"));
    let expected = Rollout::from_ids(3, matching.iter().map(String::as_str));
    let run = labelsel(&[
        "select",
        "-l",
        "tier=premium",
        "--rollout",
        "3",
        "--batch",
        "7",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    let batches: Vec<Vec<&str>> = run
        .stdout
        .strip_suffix('\n')
        .expect("ends with a newline")
        .split("\n\n")
        .map(|batch| batch.split('\n').collect())
        .collect();
    let wanted: Vec<Vec<&str>> = expected.batches(7).map(<[&str]>::to_vec).collect();
    assert!(wanted.len() > 2, "several batches");
    assert_eq!(batches, wanted);

    // With --canary, the canary is what is batched.
    let run = labelsel(&[
        "select",
        "-l",
        "tier=premium",
        "--rollout",
        "3",
        "--canary",
        "50",
        "--batch",
        "4",
        "--output",
        "json",
    ]);
    let wanted: Vec<&[&str]> = expected.canary(50).chunks(4).collect();
    assert_eq!(
        run.json(),
        json!({"seed": 3, "count": matching.len(), "canary_percent": 50, "batches": wanted})
    );

    // A batch larger than the selection is one batch.
    let run = labelsel(&[
        "select",
        "-l",
        "tier=premium",
        "--rollout",
        "3",
        "--batch",
        "100000",
    ]);
    assert_eq!(lines(&run.stdout), expected.ids());
}

#[test]
fn select_rollout_of_no_match_prints_nothing_and_exits_1() {
    let run = labelsel(&[
        "select",
        "-e",
        "env=nowhere",
        "--rollout",
        "1",
        "--batch",
        "2",
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:#?}");
    let json = labelsel(&[
        "select",
        "-e",
        "env=nowhere",
        "--rollout",
        "1",
        "--output",
        "json",
    ]);
    assert_eq!(json.code, 1, "{json:#?}");
    assert_eq!(json.json(), json!({"seed": 1, "count": 0, "ids": []}));
}

#[test]
fn select_rollout_does_not_depend_on_the_order_of_the_fleet_file() {
    let dir = temp_dir("rollout_file_order");
    let text = std::fs::read_to_string(Path::new(MANIFEST_DIR).join(DEMO_FLEET_PATH)).unwrap();
    let mut reversed: Vec<&str> = text.lines().collect();
    reversed.reverse();
    let forward = write_file(&dir, "forward.ndjson", &text);
    let backward = write_file(&dir, "backward.ndjson", &reversed.join("\n"));
    let args = |fleet: &str| {
        labelsel(&[
            "select",
            "--fleet",
            fleet,
            "-e",
            "!debug",
            "--rollout",
            "99",
            "--batch",
            "10",
        ])
    };
    let (a, b) = (args(&forward), args(&backward));
    assert_eq!(a.code, 0, "{a:#?}");
    assert_eq!(a.stdout, b.stdout);
    // And the fleet order itself does differ.
    let plain = |fleet: &str| labelsel(&["select", "--fleet", fleet]).stdout;
    assert_ne!(plain(&forward), plain(&backward));
}

#[test]
fn select_rejects_bad_count_by_and_rollout_flags_with_exit_2() {
    let cases: [(&[&str], &str); 12] = [
        (&["--count", "--count-by", "gpu"], "--count"),
        (&["--count", "--rollout", "1"], "--count"),
        (&["--count-by", "gpu", "--rollout", "1"], "--rollout"),
        (&["--canary", "5"], "--rollout"),
        (&["--batch", "5"], "--rollout"),
        (&["--rollout", "1", "--batch", "0"], "at least 1"),
        (&["--rollout", "1", "--batch=-3"], "--batch"),
        (&["--rollout", "1", "--canary", "101"], "101"),
        (&["--rollout", "1", "--canary", "2.5"], "--canary"),
        (&["--rollout", "x"], "--rollout"),
        (&["--rollout", "18446744073709551616"], "--rollout"),
        (&["--count-by", "bad key"], "not a label key"),
    ];
    for (args, message) in cases {
        let mut argv = vec!["select"];
        argv.extend(args);
        let run = labelsel(&argv);
        assert_eq!(run.code, 2, "{argv:?}: {run:#?}");
        assert_eq!(run.stdout, "", "{argv:?}");
        assert!(run.stderr.contains(message), "{argv:?}: {}", run.stderr);
    }
}

// ---------------------------------------------------------------------------------------------------
// Malformed fleets
// ---------------------------------------------------------------------------------------------------

#[test]
fn a_fleet_line_that_is_not_json_is_named_by_its_number() {
    let dir = temp_dir("fleet_bad_json");
    let path = write_file(
        &dir,
        "fleet.ndjson",
        "{\"id\":\"a\",\"labels\":{}}\n{\"id\":\"b\",\"labels\":{}}\n{\"id\":\"c\",\n{\"id\":\"d\"}\n",
    );
    let run = labelsel(&["select", "--fleet", &path]);
    assert_eq!(run.code, 2, "{run:#?}");
    // select streams: the nodes before the error are out already, and the error ends the output.
    assert_eq!(run.stdout, "a\nb\n");
    // A stream: the value that starts on line 3 runs into line 4, where the error is found.
    assert!(
        run.stderr.contains(&format!("{path}:4:1: not valid JSON")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("starts at line 3, column 1"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_fleet_line_that_is_not_a_node_object_is_named_by_its_number() {
    let dir = temp_dir("fleet_not_a_node");
    // Blank lines count: the node without an id is on line 4.
    let path = write_file(
        &dir,
        "fleet.ndjson",
        "{\"id\":\"a\",\"labels\":{\"x\":\"1\"}}\n\n{\"id\":\"b\"}\n{\"labels\":{\"x\":\"2\"}}\n",
    );
    let run = labelsel(&["select", "--fleet", &path]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains(&format!("{path}:4:")), "{}", run.stderr);
    assert!(run.stderr.contains("missing field `id`"), "{}", run.stderr);

    let path = write_file(&dir, "numbers.ndjson", "{\"id\":\"a\"}\n42\n");
    let run = labelsel(&["select", "--fleet", &path]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains(&format!("{path}:2:")), "{}", run.stderr);

    let path = write_file(
        &dir,
        "labels.ndjson",
        "{\"id\":\"a\",\"labels\":{\"cpu\":4}}\n",
    );
    let run = labelsel(&["select", "--fleet", &path]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains(&format!("{path}:1:")), "{}", run.stderr);

    let path = write_file(&dir, "array.json", r#"[{"id":"a"},{"labels":{}}]"#);
    let run = labelsel(&["select", "--fleet", &path]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains(&format!(
            "{path}:1:25: node 2 of the array: missing field `id`"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_fleet_with_a_duplicate_id_is_rejected() {
    let dir = temp_dir("fleet_duplicate");
    let path = write_file(
        &dir,
        "fleet.ndjson",
        "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"a\",\"labels\":{\"x\":\"1\"}}\n",
    );
    let run = labelsel(&["select", "--fleet", &path]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.stdout, "a\nb\n", "the nodes before the error");
    assert!(
        run.stderr.contains(&format!(
            "{path}:3:1: node id \"a\" appears twice (first on line 1)"
        )),
        "{}",
        run.stderr
    );

    let path = write_file(&dir, "fleet.json", r#"[{"id":"a"},{"id":"b"},{"id":"b"}]"#);
    let run = labelsel(&["select", "--fleet", &path]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains("node id \"b\" appears twice"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_empty_fleet_file_is_an_empty_fleet() {
    let dir = temp_dir("fleet_empty");
    for (name, contents) in [
        ("empty.ndjson", ""),
        ("blank.ndjson", "\n  \n"),
        ("empty.json", "[]"),
    ] {
        let path = write_file(&dir, name, contents);
        let run = labelsel(&["select", "--fleet", &path]);
        assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{name}: {run:#?}");
        assert_eq!(run.stderr, EMPTY_SELECTOR_WARNING, "{name}");
        let count = labelsel(&["select", "--fleet", &path, "--count"]);
        assert_eq!((count.code, count.stdout.as_str()), (1, "0\n"), "{name}");
        let diagnosis = labelsel(&["diagnose", "--fleet", &path, "-e", "gpu"]);
        // Nothing matches: 1, as select.
        assert_eq!(diagnosis.code, 1, "{name}: {diagnosis:#?}");
        assert!(
            diagnosis.stdout.starts_with("0 of 0 nodes match"),
            "{diagnosis:#?}"
        );
    }
}

#[test]
fn a_missing_fleet_file_is_named() {
    let dir = temp_dir("fleet_missing");
    let path = dir.join("no-such-fleet.ndjson");
    let path = path.to_str().unwrap();
    for command in ["select", "diagnose", "lint"] {
        let run = labelsel(&[command, "--fleet", path, "-e", "gpu"]);
        assert_eq!(run.code, 2, "{command}: {run:#?}");
        assert_eq!(run.stdout, "", "{command}");
        assert!(
            run.stderr
                .contains(&format!("cannot read fleet file {path}")),
            "{command}: {}",
            run.stderr
        );
    }
    let run = labelsel(&["explain", "--fleet", path, "--node", "a", "-e", "gpu"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains(path), "{}", run.stderr);

    let missing_selector = dir.join("no-such-job.json");
    let missing_selector = missing_selector.to_str().unwrap();
    let run = labelsel(&["select", "--selector", missing_selector]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr
            .contains(&format!("cannot read selector file {missing_selector}")),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------------
// explain
// ---------------------------------------------------------------------------------------------------

#[test]
fn explain_a_matching_node_prints_every_pass_and_exits_0() {
    let node = demo_node_where("with a gpu, env=prod and no debug", |node| {
        label(node, "gpu").is_some()
            && label(node, "env") == Some("prod")
            && label(node, "debug").is_none()
    });
    let gpu = label(node, "gpu").unwrap();
    let run = labelsel(&[
        "explain", "--node", &node.id, "-e", "gpu", "-e", "!debug", "-l", "env=prod",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        lines(&run.stdout),
        [
            format!("{} matches: all 3 requirements pass", node.id),
            format!("  pass  match_expressions[0]  gpu       {gpu:?}"),
            "  pass  match_expressions[1]  !debug    absent".to_string(),
            "  pass  match_expressions[2]  env=prod  \"prod\"".to_string(),
        ]
    );
}

#[test]
fn explain_a_non_matching_node_prints_the_failures_with_actual_values_and_exits_1() {
    let node = demo_node_where("without gpu or debug, tier not premium", |node| {
        label(node, "gpu").is_none()
            && label(node, "debug").is_none()
            && label(node, "tier").is_some_and(|tier| tier != "premium")
    });
    let tier = label(node, "tier").unwrap();
    let run = labelsel(&[
        "explain",
        "--node",
        &node.id,
        "-e",
        "tier=premium",
        "-e",
        "!debug",
        "-e",
        "gpu",
    ]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(
        lines(&run.stdout),
        [
            format!("{} does not match: 2 of 3 requirements fail", node.id),
            format!("  fail  match_expressions[0]  tier=premium  {tier:?}  not one of the values"),
            "  fail  match_expressions[2]  gpu           absent".to_string(),
            "  pass  match_expressions[1]  !debug        absent".to_string(),
        ]
    );

    let cpu = label(node, "cpu").expect("nodes have a cpu");
    let run = labelsel(&["explain", "--node", &node.id, "-e", "cpu>100000"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout
            .contains(&format!("fail  match_expressions[0]  cpu>100000  {cpu:?}")),
        "{}",
        run.stdout
    );
}

#[test]
fn explain_an_unknown_node_exits_2() {
    let run = labelsel(&["explain", "--node", "node-not-in-the-fleet", "-e", "gpu"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains(r#"no node with id "node-not-in-the-fleet""#),
        "{}",
        run.stderr
    );
}

#[test]
fn explain_an_unknown_node_suggests_the_nearest_ids() {
    let id = &demo_nodes()[5].id;
    // One character dropped: one edit away.
    let typo = format!("{}{}", &id[..id.len() - 2], &id[id.len() - 1..]);
    let run = labelsel(&["explain", "--node", &typo, "-e", "gpu"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.stdout, "");
    let error = stderr_without_demo_notice(&run);
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(
        error.contains(&format!(
            "no node with id {typo:?} in the fleet; did you mean "
        )),
        "{error}"
    );
    assert!(error.contains(&format!("{id:?}")), "{error}");
    // Nothing near: no suggestion.
    let run = labelsel(&["explain", "--node", "zzz", "-e", "gpu"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        stderr_without_demo_notice(&run).ends_with("no node with id \"zzz\" in the fleet\n"),
        "{run:#?}"
    );
}

#[test]
fn explain_suggests_the_nearest_ids_of_a_large_fleet() {
    let dir = temp_dir("explain_large_fleet");
    let fleet: String = (0..50_000)
        .map(|i| format!("{{\"id\": \"node-us-east-1-{i:06}\", \"labels\": {{\"k\": \"v\"}}}}\n"))
        .collect();
    let path = write_file(&dir, "fleet.ndjson", &fleet);
    let run = labelsel(&[
        "explain",
        "-f",
        &path,
        "--node",
        "node-us-east-1-04999x",
        "-e",
        "k",
    ]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr
            .contains("did you mean \"node-us-east-1-049990\", \"node-us-east-1-049991\""),
        "{run:#?}"
    );
}

#[test]
fn explain_several_nodes_in_turn_exits_0_only_when_all_match() {
    let with = demo_node_where("with a gpu", |node| label(node, "gpu").is_some());
    let without = demo_node_where("without a gpu", |node| label(node, "gpu").is_none());
    // Repeated, or comma-separated.
    for nodes in [
        vec!["--node", &with.id, "--node", &without.id],
        vec!["--node", &*format!("{},{}", with.id, without.id)],
    ] {
        let mut args = vec!["explain", "-e", "gpu"];
        args.extend(&nodes);
        let run = labelsel(&args);
        assert_eq!(run.code, 1, "{run:#?}");
        let text = lines(&run.stdout);
        assert_eq!(
            text,
            [
                format!("{} matches: its 1 requirement passes", with.id),
                format!(
                    "  pass  match_expressions[0]  gpu  {:?}",
                    label(with, "gpu").unwrap()
                ),
                String::new(),
                format!("{} does not match: 1 of 1 requirements fails", without.id),
                "  fail  match_expressions[0]  gpu  absent".to_string(),
            ]
        );
    }
    // Every node matches: 0.
    let run = labelsel(&[
        "explain", "-e", "gpu", "--node", &with.id, "--node", &with.id,
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    // JSON: an array of the explanations, in the order given; one --node is one object.
    let run = labelsel(&[
        "explain",
        "-e",
        "gpu",
        "-o",
        "json",
        "--node",
        &without.id,
        "--node",
        &with.id,
    ]);
    assert_eq!(run.code, 1, "{run:#?}");
    let all = run.json();
    let ids: Vec<&str> = all
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [without.id.as_str(), with.id.as_str()]);
    assert_eq!(all[0]["matches"], false);
    assert_eq!(all[1]["matches"], true);
    assert_eq!(all[1]["verdicts"][0]["reason"], json!({"kind": "matched"}));
    let run = labelsel(&["explain", "-e", "gpu", "-o", "json", "--node", &with.id]);
    assert_eq!(run.json()["id"], with.id.as_str());
    // One unknown id among them: an error, nothing printed.
    let run = labelsel(&["explain", "-e", "gpu", "--node", &with.id, "--node", "nope"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.stdout, "");
}

#[test]
fn explain_aligns_its_columns_and_shows_values_for_passes() {
    let dir = temp_dir("explain_columns");
    let fleet = write_file(
        &dir,
        "fleet.ndjson",
        r#"{"id": "n1", "labels": {"env": "prod", "tier": "spot", "cpu": "4.5"}}"#,
    );
    let job = write_file(
        &dir,
        "job.json",
        r#"{"match_labels": {"env": "prod"}, "match_expressions": ["tier in (premium,standard), !debug", "cpu>2"], "match_ids": ["n1"]}"#,
    );
    let run = labelsel(&["explain", "-f", &fleet, "--selector", &job, "--node", "n1"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(
        lines(&run.stdout),
        [
            "n1 does not match: 2 of 5 requirements fail",
            "  fail  match_expressions[0]  tier in (premium,standard)  \"spot\"  not one of the values",
            "  fail  match_expressions[1]  cpu>2                       \"4.5\"  not an integer",
            "  pass  match_labels[\"env\"]   env=prod                    \"prod\"",
            "  pass  match_expressions[0]  !debug                      absent",
            "  pass  match_ids             id in match_ids (1 id)      \"n1\"",
        ]
    );
}

#[test]
fn explain_json_gives_each_verdict_with_its_reason_code() {
    let node = demo_node_where("without gpu or debug, tier not premium", |node| {
        label(node, "gpu").is_none()
            && label(node, "debug").is_none()
            && label(node, "tier").is_some_and(|tier| tier != "premium")
    });
    let env = label(node, "env").unwrap();
    let tier = label(node, "tier").unwrap();
    let env_label = format!("env={env}");
    let args = [
        "explain",
        "--node",
        &node.id,
        "--output",
        "json",
        "-l",
        &env_label,
        "-e",
        "tier in (premium), !debug",
        "-e",
        "gpu",
        "-e",
        "cpu>100000",
        "--id",
        &node.id,
    ];
    let run = labelsel(&args);
    assert_eq!(run.code, 1, "{run:#?}");
    let explanation = run.json();
    assert_eq!(explanation["id"], node.id.as_str());
    assert_eq!(explanation["matches"], false);
    let verdicts = explanation["verdicts"].as_array().expect("verdicts");
    let reasons: Vec<&str> = verdicts
        .iter()
        .map(|v| v["reason"]["kind"].as_str().expect("a reason code"))
        .collect();
    assert_eq!(
        reasons,
        // Within an expression, requirements come in canonical (key) order: `!debug` before `tier`.
        // The `-l` selector follows the `-e` expressions, whatever the order of the flags.
        [
            "key_absent",
            "value_not_in_set",
            "key_missing",
            "comparison_failed",
            "matched",
            "id_listed"
        ]
    );
    let passed: Vec<bool> = verdicts.iter().map(|v| v["passed"] == true).collect();
    assert_eq!(passed, [true, false, false, false, true, true]);
    assert_eq!(
        verdicts[4]["origin"],
        json!({"field": "match_expressions", "index": 3})
    );
    assert_eq!(
        verdicts[1],
        json!({
            "origin": {"field": "match_expressions", "index": 0},
            "requirement": "tier in (premium)",
            "key": "tier",
            "passed": false,
            "reason": {"kind": "value_not_in_set"},
            "actual": tier,
        })
    );
    assert_eq!(verdicts[0]["actual"], Value::Null);
    assert_eq!(verdicts[5]["origin"], json!({"field": "match_ids"}));

    // The same as the library's explanation.
    let matcher = Selector::new()
        .expression("tier in (premium), !debug")
        .expression("gpu")
        .expression("cpu>100000")
        .expression(&env_label)
        .id(&node.id)
        .compile()
        .unwrap();
    assert_eq!(
        explanation,
        serde_json::to_value(matcher.explain(&node.id, &node.labels)).unwrap()
    );

    // A matching node, and an id that is not listed.
    let run = labelsel(&[
        "explain", "--node", &node.id, "--output", "json", "-e", "!debug",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.json()["matches"], true);
    let other = &demo_nodes()[0].id;
    assert_ne!(other, &node.id);
    let run = labelsel(&[
        "explain", "--node", &node.id, "--output", "json", "--id", other,
    ]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(
        run.json()["verdicts"][0]["reason"],
        json!({"kind": "id_not_listed"})
    );
}

// ---------------------------------------------------------------------------------------------------
// diagnose
// ---------------------------------------------------------------------------------------------------

#[test]
fn diagnose_text_has_the_match_count_and_a_row_per_requirement() {
    let run = labelsel(&[
        "diagnose",
        "-e",
        "tier=premium",
        "-e",
        "gpu",
        "-l",
        "env=prod",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    let parts = [
        (
            "match_expressions[0]  tier=premium",
            Selector::new().expression("tier=premium"),
        ),
        (
            "match_expressions[1]  gpu",
            Selector::new().expression("gpu"),
        ),
        (
            "match_expressions[2]  env=prod",
            Selector::new().expression("env=prod"),
        ),
    ];
    let whole = Selector::new()
        .expression("tier=premium")
        .expression("gpu")
        .expression("env=prod");
    let matching = scan(demo_nodes(), &whole).len();
    let text = lines(&run.stdout);
    assert_eq!(text[0], format!("{matching} of {DEMO_NODES} nodes match"));
    assert!(
        text[1].contains("requirement") && text[1].contains("without it"),
        "{}",
        text[1]
    );
    for (i, (name, alone)) in parts.iter().enumerate() {
        let row = text
            .iter()
            .find(|line| line.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{}", run.stdout));
        let numbers: Vec<usize> = row[row.find(name).unwrap() + name.len()..]
            .split_whitespace()
            .map(|n| n.parse().unwrap_or_else(|e| panic!("{row:?}: {e}")))
            .collect();
        // The selector without this part: the other two.
        let mut without = Selector::new();
        for (j, (_, other)) in parts.iter().enumerate() {
            if j != i {
                without.match_labels.extend(other.match_labels.clone());
                without
                    .match_expressions
                    .extend(other.match_expressions.clone());
            }
        }
        let rejects = DEMO_NODES - scan(demo_nodes(), alone).len();
        let matching_without = scan(demo_nodes(), &without).len();
        assert_eq!(
            numbers,
            [rejects, matching_without - matching, matching_without],
            "{row}"
        );
    }
}

#[test]
fn diagnose_explains_its_columns_and_exits_1_when_nothing_matches() {
    let run = labelsel(&["diagnose", "-e", "tier=premium", "-e", "gpu"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stdout.contains(
            "(rejects: the nodes this requirement turns down; alone: the nodes only it turns down,\n  \
             which dropping it would gain; without it: the nodes that would match without it)"
        ),
        "{}",
        run.stdout
    );
    let run = labelsel(&["diagnose", "-e", "env=nowhere"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout
            .starts_with(&format!("0 of {DEMO_NODES} nodes match\n"))
    );
    // The exit statuses are documented in the help.
    let help = labelsel(&["diagnose", "--help"]);
    assert!(
        help.stdout.contains("1 when it matches none"),
        "{}",
        help.stdout
    );
}

/// A place as the command's JSON writes it: `{"field": "match_expressions", "index": 1}`.
fn place_json(place: &Place) -> Value {
    Place::serialize_structured(place, serde_json::value::Serializer).unwrap()
}

#[test]
fn diagnose_json_matches_select_count_and_the_library() {
    let nodes = demo_nodes();
    let ids = [
        nodes[1].id.as_str(),
        nodes[2].id.as_str(),
        nodes[40].id.as_str(),
    ];
    let selectors: [Vec<&str>; 4] = [
        vec!["-e", "tier=premium", "-e", "gpu", "-l", "env=prod"],
        vec![
            "-e",
            "cpu>16, memory-gb<512",
            "-e",
            "disk notin (hdd)",
            "-e",
            "!maintenance",
        ],
        vec![
            "-e", "!debug", "--id", ids[0], "--id", ids[1], "--id", ids[2],
        ],
        vec!["-e", "env=nowhere", "-e", "gpu"],
    ];
    let fleet = library_fleet(nodes);
    for selector in &selectors {
        let mut args = vec!["diagnose", "--output", "json"];
        args.extend(selector);
        let run = labelsel(&args);
        let diagnosis = run.json();
        // 0 when the selector matches some node, 1 when none, as select.
        let code = if diagnosis["matching"] == 0 { 1 } else { 0 };
        assert_eq!(run.code, code, "{args:?}: {run:#?}");

        let mut count_args = vec!["select", "--count"];
        count_args.extend(selector);
        let count = labelsel(&count_args);
        let count: usize = count.stdout.trim().parse().expect("a count");
        assert_eq!(diagnosis["matching"], count, "{selector:?}");
        assert_eq!(diagnosis["nodes"], DEMO_NODES, "{selector:?}");

        let requirements = diagnosis["requirements"].as_array().expect("requirements");
        assert!(!requirements.is_empty());
        for requirement in requirements {
            let without = requirement["matching_without"].as_u64().expect("a number");
            assert!(without as usize >= count, "{selector:?}: {requirement}");
        }

        // The same as the library's diagnosis: the `-e` expressions, then the `-l` selectors, in
        // match_expressions.
        let mut library = Selector::new();
        for flag in ["-e", "-l", "--id"] {
            for pair in selector.chunks(2).filter(|pair| pair[0] == flag) {
                library = match pair {
                    ["-e" | "-l", expr] => library.expression(*expr),
                    ["--id", id] => library.id(*id),
                    _ => unreachable!("{pair:?}"),
                };
            }
        }
        let matcher = library.compile().unwrap();
        let library = fleet.diagnose(&matcher);
        let mut want = serde_json::to_value(&library).unwrap();
        // The command writes each origin as an object.
        for (row, requirement) in want["requirements"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .zip(&library.requirements)
        {
            row["origin"] = place_json(&requirement.origin);
        }
        assert_eq!(diagnosis, want, "{selector:?}");
    }
}

// ---------------------------------------------------------------------------------------------------
// lint
// ---------------------------------------------------------------------------------------------------

#[test]
fn lint_an_unsatisfiable_selector_exits_1_naming_both_requirements() {
    let run = labelsel(&["lint", "-e", "env=a", "-e", "env!=a"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(
        lines(&run.stdout),
        [
            "error: unsatisfiable: match_expressions[0] env=a conflicts with match_expressions[1] env!=a",
            "normal form: none, the selector is unsatisfiable",
        ]
    );

    // A -l selector goes after the -e expressions.
    let run = labelsel(&["lint", "-l", "cpu=4", "-e", "cpu>8"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stdout.contains("unsatisfiable"), "{}", run.stdout);
    assert!(
        run.stdout.contains("match_expressions[1] cpu=4"),
        "{}",
        run.stdout
    );
}

#[test]
fn lint_a_redundant_requirement_is_a_warning_and_exits_0() {
    let run = labelsel(&["lint", "-e", "gpu", "-e", "gpu in (nvidia-l4, nvidia-t4)"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        lines(&run.stdout),
        [
            "warning: redundant: match_expressions[0] gpu is implied by match_expressions[1] gpu in (nvidia-l4,nvidia-t4)",
            "normal form: gpu in (nvidia-l4,nvidia-t4)",
        ]
    );

    let run = labelsel(&["lint", "-e", "gpu, !debug"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        lines(&run.stdout),
        ["no findings", "normal form: !debug,gpu"]
    );
}

#[test]
fn lint_with_a_fleet_suggests_the_nearest_known_keys_and_values() {
    let run = labelsel(&["lint", "--fleet", DEMO_FLEET_PATH, "-e", "teir=premium"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout.contains(
            "error: unknown key teir in match_expressions[0] (teir=premium); did you mean tier?"
        ),
        "{}",
        run.stdout
    );

    let run = labelsel(&["lint", "--fleet", DEMO_FLEET_PATH, "-e", "tier=premum"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout.contains("unknown value premum"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("did you mean premium?"),
        "{}",
        run.stdout
    );

    // Without the fleet there is nothing to compare the key with.
    let run = labelsel(&["lint", "-e", "teir=premium"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.stdout.starts_with("no findings"), "{}", run.stdout);

    // The fleet can come from stdin too.
    let run = run_with_stdin(&["lint", "--fleet", "-", "-e", "zon=a"], SMALL_FLEET_NDJSON);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stdout.contains("did you mean zone?"), "{}", run.stdout);
}

#[test]
fn lint_json_gives_the_findings_and_the_normal_form() {
    let run = labelsel(&["lint", "--output", "json", "-e", "env=a", "-e", "env!=a"]);
    assert_eq!(run.code, 1, "{run:#?}");
    let analysis = run.json();
    assert_eq!(analysis["normal_form"], Value::Null);
    let findings = analysis["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{analysis}");
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(findings[0]["kind"], "unsatisfiable");
    assert_eq!(
        findings[0]["origins"],
        json!([
            {"field": "match_expressions", "index": 0},
            {"field": "match_expressions", "index": 1},
        ])
    );
    assert_eq!(findings[0]["requirements"], json!(["env=a", "env!=a"]));
    let matcher = Selector::new()
        .expression("env=a")
        .expression("env!=a")
        .compile()
        .unwrap();
    assert_eq!(analysis, serde_json::to_value(matcher.analyze()).unwrap());

    let run = labelsel(&[
        "lint",
        "--output",
        "json",
        "--fleet",
        DEMO_FLEET_PATH,
        "-e",
        "teir=premium",
        "-e",
        "gpu, gpu=nvidia-l4",
    ]);
    assert_eq!(run.code, 1, "{run:#?}");
    let analysis = run.json();
    assert_eq!(
        analysis["normal_form"],
        json!(["gpu=nvidia-l4", "teir=premium"])
    );
    let findings = analysis["findings"].as_array().expect("findings");
    let unknown = findings
        .iter()
        .find(|f| f["kind"] == "unknown_key")
        .unwrap_or_else(|| panic!("an unknown_key finding in {analysis}"));
    assert_eq!(unknown["severity"], "error");
    assert_eq!(
        unknown["origins"],
        json!([{"field": "match_expressions", "index": 0}])
    );
    assert_eq!(unknown["suggestions"], json!(["tier"]));
    assert_eq!(unknown["requirements"], json!(["teir=premium"]));
    let redundant = findings
        .iter()
        .find(|f| f["kind"] == "redundant")
        .unwrap_or_else(|| panic!("a redundant finding in {analysis}"));
    assert_eq!(redundant["severity"], "warning");
    assert_eq!(redundant["requirements"], json!(["gpu", "gpu=nvidia-l4"]));

    let matcher = Selector::new()
        .expression("teir=premium")
        .expression("gpu, gpu=nvidia-l4")
        .compile()
        .unwrap();
    let mut expected = matcher.analyze();
    expected
        .findings
        .extend(library_fleet(demo_nodes()).lint(&matcher));
    assert_eq!(analysis, serde_json::to_value(expected).unwrap());
}

// ---------------------------------------------------------------------------------------------------
// Help, usage and colour
// ---------------------------------------------------------------------------------------------------

#[test]
fn help_of_the_tool_and_of_each_command_shows_an_example() {
    let top = command().arg("--help").assert().success();
    let top = String::from_utf8(top.get_output().stdout.clone()).unwrap();
    assert!(top.contains("Examples:"), "{top}");
    for name in ["check", "select", "explain", "diagnose", "lint"] {
        assert!(
            top.contains(&format!("labelsel {name} ")),
            "{name} in:\n{top}"
        );
    }

    for name in ["check", "select", "explain", "diagnose", "lint"] {
        command()
            .args([name, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"))
            .stdout(predicate::str::contains(format!("  labelsel {name} ")))
            .stdout(predicate::str::contains("\x1b[").not());
        // `help COMMAND` says the same.
        let run = labelsel(&["help", name]);
        assert_eq!(run.code, 0, "{run:#?}");
        assert!(
            run.stdout.contains(&format!("  labelsel {name} ")),
            "{}",
            run.stdout
        );
    }
}

/// Splits a shell command line made of plain words and `'single-quoted'` words.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            ' ' if !quoted => words.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    assert!(!quoted, "unbalanced quote in {line:?}");
    words.extend(word);
    words
}

#[test]
fn the_examples_in_the_help_run() {
    let dir = temp_dir("help_examples");
    let job = write_file(
        &dir,
        "job.json",
        r#"{"match_labels": {"env": "prod"}, "match_expressions": ["gpu"]}"#,
    );
    let placement = write_file(&dir, "placement.json", PLACEMENT);
    let affinity = write_file(&dir, "affinity.json", AFFINITY);
    let jobs = write_file(&dir, "jobs.ndjson", HELP_JOBS);
    let mut help = labelsel(&["--help"]).stdout;
    for name in [
        "check", "select", "explain", "diagnose", "lint", "place", "jobs",
    ] {
        help.push_str(&labelsel(&[name, "--help"]).stdout);
    }
    let (mut examples, mut piped_examples) = (0, 0);
    for line in help.lines() {
        let line = line.trim_start();
        let piped = line.strip_prefix("cat job.json | ");
        let Some(example) = piped.unwrap_or(line).strip_prefix("labelsel ") else {
            continue;
        };
        examples += 1;
        let words: Vec<String> = shell_words(example)
            .into_iter()
            .map(|word| match word.as_str() {
                "nodes.ndjson" => DEMO_FLEET_PATH.to_string(),
                "job.json" => job.clone(),
                "placement.json" => placement.clone(),
                "affinity.json" => affinity.clone(),
                "jobs.ndjson" => jobs.clone(),
                _ => word,
            })
            .collect();
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        // `cat job.json | labelsel ... --selector -`
        let stdin = if piped.is_some() {
            piped_examples += 1;
            std::fs::read_to_string(&job).unwrap()
        } else {
            String::new()
        };
        let run = run_with_stdin(&args, &stdin);
        assert!(
            run.code == 0 || run.code == 1,
            "the help example `{line}` fails: {run:#?}"
        );
        assert!(!run.stdout.is_empty(), "`{line}` prints nothing");
    }
    assert_eq!((examples, piped_examples), (29, 1), "examples in:\n{help}");
}

#[test]
fn usage_errors_exit_2() {
    command()
        .args(["select", "--output", "yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("yaml"));
    command()
        .arg("check")
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty());
    command()
        .args(["explain", "-e", "gpu"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--node"));
    command().assert().code(2);
}

#[test]
fn no_colour_escapes_when_not_on_a_terminal() {
    // `labelsel` itself asserts this on every run; these are the outputs most likely to be styled.
    let runs = [
        labelsel(&["check", "env in (prod", "gpu"]),
        labelsel(&["select", "-l", "env=a b"]),
        labelsel(&["select", "-e", "tier in (a,"]),
        labelsel(&["select", "--oops"]),
        labelsel(&["--help"]),
        labelsel(&["lint", "-e", "env=a", "-e", "env!=a"]),
    ];
    for run in &runs {
        assert!(
            run.stdout.contains("error")
                || run.stderr.contains("error")
                || run.stdout.contains("Usage"),
            "{run:#?}"
        );
        assert!(
            !format!("{}{}", run.stdout, run.stderr).contains('\x1b'),
            "{run:#?}"
        );
    }
    assert!(
        runs[0].stderr.starts_with("error: expected"),
        "{:#?}",
        runs[0]
    );
}

// ---------------------------------------------------------------------------------------------------
// The benchmark workload
// ---------------------------------------------------------------------------------------------------

#[test]
fn select_counts_on_the_workload_fleet_equal_a_library_scan() {
    let workload = Workload::generate(3_000, 7);
    assert_eq!(workload.nodes.len(), 3_000);
    assert_eq!(workload.selectors.len(), 15);
    let nodes: Vec<Node> = workload
        .nodes
        .iter()
        .map(|node| Node {
            id: node.id.clone(),
            labels: node.labels.clone(),
        })
        .collect();
    let dir = temp_dir("workload");
    let fleet_path = Path::new(&dir).join("fleet-3000.ndjson");
    workload.write_fleet(&fleet_path);
    let fleet_path = fleet_path.to_str().unwrap();

    let mut some_match = 0;
    let mut none_match = 0;
    for named in &workload.selectors {
        let expected = scan(&nodes, &named.selector);
        let file = write_file(
            &dir,
            &format!("{}.json", named.name),
            &serde_json::to_string(&named.selector).unwrap(),
        );

        let run = labelsel(&[
            "select",
            "--fleet",
            fleet_path,
            "--selector",
            &file,
            "--count",
        ]);
        let matches_all = named.selector.compile().is_ok_and(|m| m.is_empty());
        let warning = if matches_all {
            EMPTY_SELECTOR_WARNING
        } else {
            ""
        };
        assert_eq!(run.stderr, warning, "{}", named.name);
        assert_eq!(
            run.stdout,
            format!("{}\n", expected.len()),
            "{}",
            named.name
        );
        let code = if expected.is_empty() { 1 } else { 0 };
        assert_eq!(run.code, code, "{}: {run:#?}", named.name);

        let run = labelsel(&[
            "select",
            "--fleet",
            fleet_path,
            "--selector",
            &file,
            "--output",
            "json",
        ]);
        assert_eq!(run.code, code, "{}: {run:#?}", named.name);
        assert_eq!(
            run.json(),
            json!({"count": expected.len(), "ids": expected}),
            "{}",
            named.name
        );

        if expected.is_empty() {
            none_match += 1;
        } else {
            some_match += 1;
        }
    }
    assert!(
        some_match > 0 && none_match > 0,
        "both exit codes are exercised"
    );
}

#[test]
fn fleet_and_selector_files_may_start_with_a_byte_order_mark() {
    let dir = temp_dir("byte_order_mark");
    let fleet = write_file(
        &dir,
        "fleet.ndjson",
        "\u{feff}{\"id\":\"a\",\"labels\":{\"x\":\"1\"}}\n",
    );
    let array = write_file(
        &dir,
        "fleet.json",
        "\u{feff}[{\"id\":\"b\",\"labels\":{\"x\":\"1\"}}]",
    );
    let selector = write_file(
        &dir,
        "selector.json",
        "\u{feff}{\"match_expressions\":[\"x\"]}",
    );
    let run = labelsel(&["select", "--fleet", &fleet, "--selector", &selector]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "a\n"), "{run:#?}");
    let run = labelsel(&["select", "--fleet", &array, "-e", "x"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "b\n"), "{run:#?}");
}

#[test]
fn duplicate_ids_in_a_json_array_name_the_node_counting_from_one() {
    let run = run_with_stdin(
        &["select", "--fleet", "-"],
        r#"[{"id":"a"},{"id":"b"},{"id":"b"}]"#,
    );
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr
            .contains("node 3 of the array: node id \"b\" appears twice"),
        "{run:#?}"
    );
}

#[test]
fn fleet_and_selector_cannot_both_read_stdin() {
    let run = run_with_stdin(&["select", "--fleet", "-", "--selector", "-"], "{}");
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr
            .contains("--fleet - and --selector - cannot both read stdin"),
        "{run:#?}"
    );
}

// ---------------------------------------------------------------------------------------------------
// place
// ---------------------------------------------------------------------------------------------------

/// A native placement over the demo fleet's labels.
const PLACEMENT: &str = r#"{
    "required": [{"match_labels": {"env": "prod"}}, {"match_expressions": ["gpu"]}],
    "preferred": [{"weight": 10, "selector": {"match_expressions": ["tier=premium"]}},
                  {"weight": 4, "selector": {"match_expressions": ["disk=nvme"]}},
                  {"weight": -5, "selector": {"match_expressions": ["tier=spot"]}}]
}"#;

/// A Kubernetes node affinity over the demo fleet's labels.
const AFFINITY: &str = r#"{
    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "cpu", "operator": "Gt", "values": ["16"]}]}]},
    "preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 3, "preference": {"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}]}}]
}"#;

#[test]
fn place_prints_every_feasible_node_best_first_as_the_library_ranks_them() {
    let dir = temp_dir("place_ranks");
    let placement_path = write_file(&dir, "placement.json", PLACEMENT);
    let placement: Placement = serde_json::from_str(PLACEMENT).unwrap();
    let placer = placement.compile().unwrap();
    let fleet = library_fleet(demo_nodes());
    let want: Vec<String> = fleet
        .ranked(&placer)
        .map(|p| format!("{} {}", p.id, p.score))
        .collect();
    assert!(
        want.len() > 10,
        "the demo placement should leave many nodes"
    );

    let run = labelsel(&["place", "--placement", &placement_path]);
    assert_eq!(
        (run.code, stderr_without_demo_notice(&run)),
        (0, ""),
        "{run:#?}"
    );
    assert_eq!(lines(&run.stdout), want);

    let run = labelsel(&["place", "--placement", &placement_path, "--top", "3"]);
    assert_eq!(lines(&run.stdout), want[..3]);

    let run = labelsel(&[
        "place",
        "--placement",
        &placement_path,
        "--top",
        "2",
        "--output",
        "json",
    ]);
    let json = run.json();
    let best = fleet.place(&placer, 2);
    assert_eq!(
        json,
        serde_json::json!([
            {"id": best[0].id, "score": best[0].score},
            {"id": best[1].id, "score": best[1].score},
        ])
    );
}

#[test]
fn place_reads_kubernetes_node_affinity() {
    let dir = temp_dir("place_affinity");
    let affinity = write_file(&dir, "affinity.json", AFFINITY);
    let run = labelsel(&["place", "--affinity", &affinity]);
    assert_eq!(run.code, 0, "{run:#?}");
    let nodes = demo_nodes();
    for line in lines(&run.stdout) {
        let (id, score) = line.split_once(' ').unwrap();
        let node = nodes.iter().find(|n| n.id == id).unwrap();
        let cpu: i64 = label(node, "cpu").unwrap().parse().unwrap();
        assert!(cpu > 16, "{line}");
        let want = if label(node, "env") == Some("prod") {
            "3"
        } else {
            "0"
        };
        assert_eq!(score, want, "{line}");
    }
    let feasible = nodes
        .iter()
        .filter(|n| label(n, "cpu").and_then(|c| c.parse::<i64>().ok()) > Some(16))
        .count();
    assert_eq!(lines(&run.stdout).len(), feasible);
}

#[test]
fn place_exits_1_when_no_node_is_feasible_and_explains_a_node() {
    let dir = temp_dir("place_none");
    let none = write_file(&dir, "none.json", r#"{"required": []}"#);
    let run = labelsel(&["place", "--placement", &none]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:#?}");

    let placement = write_file(&dir, "placement.json", PLACEMENT);
    let node = demo_node_where("without env=prod or gpu", |n| {
        label(n, "env") != Some("prod") && label(n, "gpu").is_none()
    });
    let run = labelsel(&["place", "--placement", &placement, "--explain", &node.id]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout.starts_with(&format!(
            "{} is not feasible: none of 2 required terms matches",
            node.id
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("required[1] fails:"), "{}", run.stdout);

    let run = labelsel(&[
        "place",
        "--placement",
        &placement,
        "--explain",
        &node.id,
        "--output",
        "json",
    ]);
    assert_eq!(run.json()["feasible"], false);
}

#[test]
fn place_refuses_bad_input_with_exit_2_naming_the_place() {
    let dir = temp_dir("place_bad");
    let bad = write_file(
        &dir,
        "bad.json",
        r#"{"required": [{}, {"match_expressions": ["tier in (a"]}]}"#,
    );
    let run = labelsel(&["place", "--placement", &bad]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains("required[1].match_expressions[0]"),
        "{}",
        run.stderr
    );

    let misspelt = write_file(&dir, "misspelt.json", r#"{"requierd": []}"#);
    let run = labelsel(&["place", "--placement", &misspelt]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown field `requierd`"),
        "{}",
        run.stderr
    );

    let affinity = write_file(
        &dir,
        "affinity.json",
        r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "cpu", "operator": "Gt", "values": ["x"]}]}]}}"#,
    );
    let run = labelsel(&["place", "--affinity", &affinity]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("matchExpressions[0]"), "{}", run.stderr);

    let placement = write_file(&dir, "placement.json", PLACEMENT);
    for args in [
        vec!["place"],
        vec!["place", "--placement", &placement, "--affinity", &affinity],
        vec!["place", "--placement", &placement, "--top", "x"],
        vec!["place", "--placement", "-", "--fleet", "-"],
        vec![
            "place",
            "--placement",
            &placement,
            "--explain",
            "no-such-node",
        ],
    ] {
        let run = labelsel(&args);
        assert_eq!(run.code, 2, "{args:?}: {run:#?}");
        assert!(!run.stderr.is_empty(), "{args:?}");
    }
}

// ---------------------------------------------------------------------------------------------------
// jobs
// ---------------------------------------------------------------------------------------------------

/// The jobs file the help examples run with: one job every node satisfies, one for GPU nodes.
const HELP_JOBS: &str = r#"{"id": "any-node", "selector": {}}
{"id": "gpu-training", "selector": {"match_expressions": ["gpu"]}}
"#;

/// Pending jobs over the demo fleet's vocabulary: selective ones (a rack, node ids, an instance type in
/// a zone, a team's prod nodes, a GPU model with a count), broad negations, comparisons, one job no
/// node satisfies and one every node does.
fn demo_jobs() -> Vec<(String, Selector)> {
    let nodes = demo_nodes();
    let mut jobs = vec![
        ("everything".to_string(), Selector::new()),
        ("gpu".to_string(), Selector::new().expression("gpu")),
        (
            "h100-big".to_string(),
            Selector::new()
                .label("gpu", "nvidia-h100")
                .expression("gpu-count>3"),
        ),
        (
            "team-000-prod".to_string(),
            Selector::new()
                .label("team", "team-000")
                .label("env", "prod"),
        ),
        ("no-debug".to_string(), Selector::new().expression("!debug")),
        (
            "not-spot".to_string(),
            Selector::new().expression("tier notin (spot)"),
        ),
        (
            "not-maintenance".to_string(),
            Selector::new().expression("maintenance!=true"),
        ),
        (
            "big-cpu".to_string(),
            Selector::new().expression("cpu>32,memory-gb<1024"),
        ),
        (
            "mars".to_string(),
            Selector::new().expression("topology.kubernetes.io/region=mars-north-1"),
        ),
        (
            "two-regions".to_string(),
            Selector::new()
                .expression("topology.kubernetes.io/region in (us-east-1,eu-west-1)")
                .expression("!maintenance"),
        ),
        (
            "ids".to_string(),
            Selector::new().id(&nodes[7].id).id(&nodes[100].id),
        ),
        (
            "ids-prod".to_string(),
            Selector::new()
                .id(&nodes[1].id)
                .id(&nodes[2].id)
                .id(&nodes[3].id)
                .label("env", "prod"),
        ),
    ];
    for (n, node) in nodes.iter().step_by(37).enumerate() {
        let rack = label(node, "rack").expect("demo nodes have a rack");
        jobs.push((format!("rack-{n}"), Selector::new().label("rack", rack)));
        let (Some(kind), Some(zone)) = (
            label(node, "node.kubernetes.io/instance-type"),
            label(node, "topology.kubernetes.io/zone"),
        ) else {
            panic!("demo nodes have an instance type and a zone");
        };
        jobs.push((
            format!("type-in-zone-{n}"),
            Selector::new()
                .label("node.kubernetes.io/instance-type", kind)
                .label("topology.kubernetes.io/zone", zone),
        ));
    }
    jobs
}

/// The jobs as a jobs file: one `{"id", "selector"}` a line.
fn jobs_ndjson(jobs: &[(String, Selector)]) -> String {
    jobs.iter()
        .map(|(id, selector)| format!("{}\n", json!({ "id": id, "selector": selector })))
        .collect()
}

/// The ids of the jobs whose compiled selector matches the node, in job order: a scan of every job.
fn scan_jobs(jobs: &[(String, Selector)], id: &str, labels: &impl labelsel::Labels) -> Vec<String> {
    jobs.iter()
        .filter(|(_, selector)| {
            selector
                .compile()
                .unwrap_or_else(|e| panic!("{selector:?} compiles: {e}"))
                .matches(id, labels)
        })
        .map(|(job, _)| job.clone())
        .collect()
}

#[test]
fn jobs_of_a_fleet_node_equal_a_scan_of_every_jobs_matcher_in_file_order() {
    let dir = temp_dir("jobs_node");
    let jobs = demo_jobs();
    let path = write_file(&dir, "jobs.ndjson", &jobs_ndjson(&jobs));
    let mut checked = 0;
    for node in demo_nodes().iter().step_by(13).chain([&demo_nodes()[7]]) {
        let want = scan_jobs(&jobs, &node.id, &node.labels);
        assert!(want.contains(&"everything".to_string()));
        let run = labelsel(&["jobs", "--jobs", &path, "--node", &node.id]);
        assert_eq!(
            (run.code, stderr_without_demo_notice(&run)),
            (0, ""),
            "{run:#?}"
        );
        assert_eq!(lines(&run.stdout), want, "{}", node.id);

        let run = labelsel(&[
            "jobs", "--jobs", &path, "--node", &node.id, "--output", "json",
        ]);
        assert_eq!(run.code, 0, "{run:#?}");
        assert_eq!(run.json(), json!({ "node": node.id, "jobs": want }));
        checked += 1;
    }
    assert!(checked > 20);
    // The node-id jobs are found for the node they list.
    let run = labelsel(&["jobs", "--jobs", &path, "--node", &demo_nodes()[7].id]);
    assert!(lines(&run.stdout).contains(&"ids"), "{run:#?}");
}

#[test]
fn jobs_of_every_fleet_node_count_what_a_scan_finds_in_fleet_order() {
    let dir = temp_dir("jobs_fleet");
    let jobs = demo_jobs();
    let path = write_file(&dir, "jobs.ndjson", &jobs_ndjson(&jobs));
    let want: Vec<String> = demo_nodes()
        .iter()
        .map(|node| {
            let count = scan_jobs(&jobs, &node.id, &node.labels).len();
            format!("{} {count}", node.id)
        })
        .collect();
    assert_eq!(want.len(), DEMO_NODES);

    let run = labelsel(&["jobs", "--jobs", &path]);
    assert_eq!(
        (run.code, stderr_without_demo_notice(&run)),
        (0, ""),
        "{run:#?}"
    );
    assert_eq!(lines(&run.stdout), want);

    // The same fleet from a file, and from stdin.
    let fleet = Path::new(MANIFEST_DIR).join(DEMO_FLEET_PATH);
    let fleet = fleet.to_str().unwrap();
    let run = labelsel(&["jobs", "--jobs", &path, "--fleet", fleet]);
    assert_eq!(lines(&run.stdout), want);
    let fleet_text = std::fs::read_to_string(fleet).unwrap();
    let run = run_with_stdin(&["jobs", "--jobs", &path, "--fleet", "-"], &fleet_text);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(lines(&run.stdout), want);

    let run = labelsel(&["jobs", "--jobs", &path, "--output", "json"]);
    let expected: Vec<Value> = demo_nodes()
        .iter()
        .map(|node| {
            let count = scan_jobs(&jobs, &node.id, &node.labels).len();
            json!({ "id": node.id, "jobs": count })
        })
        .collect();
    assert_eq!((run.code, run.json()), (0, Value::Array(expected)));
}

#[test]
fn jobs_of_a_node_described_with_labels_read_no_fleet() {
    let dir = temp_dir("jobs_labels");
    let jobs = demo_jobs();
    let path = write_file(&dir, "jobs.ndjson", &jobs_ndjson(&jobs));
    let node = demo_node_where("with a GPU", |n| label(n, "gpu").is_some());
    let flags: Vec<String> = node
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();

    // The demo node's labels under its own id: the same jobs as looking it up.
    let mut args = vec!["jobs", "--jobs", &path, "--node", &node.id];
    for flag in &flags {
        args.extend(["-l", flag]);
    }
    let run = labelsel(&args);
    let looked_up = labelsel(&["jobs", "--jobs", &path, "--node", &node.id]);
    assert_eq!((run.code, &run.stdout), (0, &looked_up.stdout), "{run:#?}");
    assert_eq!(lines(&run.stdout), scan_jobs(&jobs, &node.id, &node.labels));

    // Under a new id, which no fleet holds: its labels decide, and no id-listing job matches.
    args[4] = "brand-new-node";
    let run = labelsel(&args);
    assert_eq!(run.code, 0, "{run:#?}");
    let want = scan_jobs(&jobs, "brand-new-node", &node.labels);
    assert_eq!(lines(&run.stdout), want);
    assert!(want.contains(&"gpu".to_string()));

    // A few labels only, in JSON.
    let run = labelsel(&[
        "jobs",
        "--jobs",
        &path,
        "--node",
        "n1",
        "-l",
        "gpu=nvidia-h100",
        "-l",
        "gpu-count=8",
        "--output",
        "json",
    ]);
    let labels = BTreeMap::from([("gpu", "nvidia-h100"), ("gpu-count", "8")]);
    assert_eq!(
        (run.code, run.json()),
        (
            0,
            json!({ "node": "n1", "jobs": scan_jobs(&jobs, "n1", &labels) })
        )
    );
    assert!(
        run.json()["jobs"]
            .as_array()
            .unwrap()
            .contains(&json!("h100-big"))
    );

    // The jobs from stdin.
    let run = run_with_stdin(
        &["jobs", "--jobs", "-", "--node", "n1", "-l", "gpu=nvidia-l4"],
        HELP_JOBS,
    );
    assert_eq!(
        (run.code, lines(&run.stdout)),
        (0, vec!["any-node", "gpu-training"]),
        "{run:#?}"
    );
}

#[test]
fn jobs_exits_1_when_no_job_is_satisfied() {
    let dir = temp_dir("jobs_none");
    let mars = write_file(
        &dir,
        "mars.ndjson",
        r#"{"id": "mars", "selector": {"match_expressions": ["topology.kubernetes.io/region=mars-north-1"]}}"#,
    );
    let run = labelsel(&["jobs", "--jobs", &mars, "--node", &demo_nodes()[0].id]);
    assert_eq!(
        (
            run.code,
            run.stdout.as_str(),
            stderr_without_demo_notice(&run)
        ),
        (1, "", ""),
        "{run:#?}"
    );
    let run = labelsel(&[
        "jobs", "--jobs", &mars, "--node", "n", "-l", "env=prod", "--output", "json",
    ]);
    assert_eq!(
        (run.code, run.json()),
        (1, json!({"node": "n", "jobs": []}))
    );

    // Every node is listed with 0.
    let run = labelsel(&["jobs", "--jobs", &mars]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(lines(&run.stdout).len(), DEMO_NODES);
    assert!(
        lines(&run.stdout).iter().all(|line| line.ends_with(" 0")),
        "{}",
        run.stdout
    );

    // No jobs at all, blank lines only.
    let empty = write_file(&dir, "empty.ndjson", "\n  \n");
    let run = labelsel(&["jobs", "--jobs", &empty, "--node", &demo_nodes()[0].id]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:#?}");
}

#[test]
fn jobs_refuses_bad_lines_naming_the_line() {
    let dir = temp_dir("jobs_bad_lines");
    let cases = [
        (
            "{\"id\": \"a\", \"selector\": {}}\n\n{\"id\": \"b\", \"selector\": {}\n",
            "bad.ndjson:3:26: not valid JSON: the input ends in the middle of an object",
        ),
        (
            "{\"id\": \"a\", \"selector\": {}}\n{\"id\": \"b\"}\n",
            "bad.ndjson:2:11: not a job object ({\"id\": ..., \"selector\": {...}}): missing field `selector`",
        ),
        (
            "{\"id\": \"a\", \"selector\": {\"match_label\": {}}}\n",
            "unknown field `match_label`",
        ),
        (
            "{\"id\": \"a\", \"selector\": {}}\n{\"id\": \"b\", \"selector\": {}}\n\n{\"id\": \"a\", \"selector\": {\"match_expressions\": [\"gpu\"]}}\n",
            "bad.ndjson:4: job id \"a\" appears twice (first on line 1)",
        ),
        (
            "{\"id\": \"\", \"selector\": {}}\n",
            "bad.ndjson:1: a job id must not be empty",
        ),
    ];
    for (text, message) in cases {
        let path = write_file(&dir, "bad.ndjson", text);
        let run = labelsel(&["jobs", "--jobs", &path, "--node", &demo_nodes()[0].id]);
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{text}: {run:#?}");
        assert!(run.stderr.contains(message), "{text}: {}", run.stderr);
    }
    let run = labelsel(&["jobs", "--jobs", "no-such-jobs.ndjson"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot read jobs file no-such-jobs.ndjson"),
        "{}",
        run.stderr
    );
}

#[test]
fn jobs_refuses_a_selector_that_does_not_compile_with_its_line_and_a_caret() {
    let dir = temp_dir("jobs_bad_selector");
    let mut text = jobs_ndjson(&demo_jobs()[..5]);
    text.push('\n'); // line 6 is blank
    text.push_str(r#"{"id": "bad", "selector": {"match_expressions": ["gpu", "tier in (a"]}}"#);
    let path = write_file(&dir, "jobs.ndjson", &text);
    let run = labelsel(&["jobs", "--jobs", &path]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:#?}");
    assert!(
        run.stderr
            .contains(&format!("{path}:7 match_expressions[1]")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("expected `,` or `)`"), "{}", run.stderr);
    assert_eq!(caret_under(&run.stderr, "tier in (a"), (10, 1));

    // A bad match_labels key, from stdin.
    let run = run_with_stdin(
        &["jobs", "--jobs", "-", "--node", "n", "-l", "a=b"],
        "\n{\"id\": \"x\", \"selector\": {\"match_labels\": {\"a b\": \"c\"}}}\n",
    );
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains("<stdin>:2 match_labels key \"a b\""),
        "{}",
        run.stderr
    );
    assert_eq!(caret_under(&run.stderr, "a b"), (0, 3));
}

#[test]
fn jobs_refuses_bad_flags_with_exit_2() {
    let dir = temp_dir("jobs_bad_flags");
    let jobs = write_file(&dir, "jobs.ndjson", HELP_JOBS);
    let fleet = Path::new(MANIFEST_DIR).join(DEMO_FLEET_PATH);
    let fleet = fleet.to_str().unwrap();
    let cases: [(Vec<&str>, &str); 8] = [
        (
            vec!["jobs", "--jobs", &jobs, "--node", "n", "-l", "gpu"],
            "expected KEY=VALUE",
        ),
        (
            vec![
                "jobs", "--jobs", &jobs, "--node", "n", "-l", "a=1", "-l", "a=2",
            ],
            "the node already has a=1",
        ),
        (vec!["jobs", "--jobs", &jobs, "-l", "a=1"], "--node"),
        (
            vec![
                "jobs", "--jobs", &jobs, "--node", "n", "-l", "a=1", "--fleet", fleet,
            ],
            "cannot be used with",
        ),
        (
            vec!["jobs", "--jobs", "-", "--fleet", "-"],
            "cannot both read stdin",
        ),
        (
            vec!["jobs", "--jobs", &jobs, "--node", "no-such-node"],
            "no node with id \"no-such-node\"",
        ),
        (vec!["jobs", "--node", "n"], "--jobs"),
        (vec!["jobs", "--jobs", &jobs, "--output", "yaml"], "yaml"),
    ];
    for (args, message) in cases {
        let run = labelsel(&args);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (2, ""),
            "{args:?}: {run:#?}"
        );
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
    // `labelsel jobs --help` shows its examples.
    let run = labelsel(&["jobs", "--help"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("  labelsel jobs --jobs jobs.ndjson "),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------------
// Output errors, notices on stderr, node ids and labels the loader refuses
// ---------------------------------------------------------------------------------------------------

/// The binary as a plain process, for the tests that give it a stdout of their own.
fn process(args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_labelsel"));
    cmd.args(args)
        .current_dir(MANIFEST_DIR)
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    cmd
}

/// Commands that write something (text and JSON), each with the exit status it has when its output
/// is read to the end.
fn writing_commands(jobs: &str) -> Vec<(Vec<String>, i32)> {
    let commands: [(&[&str], i32); 13] = [
        (&["check", "gpu", "env in (a, b)", "!debug"], 0),
        (&["check", "--output", "json", "gpu"], 0),
        (&["select", "-e", "!no-such-key"], 0),
        (&["select", "-e", "!no-such-key", "--output", "json"], 0),
        (
            &[
                "select",
                "-e",
                "!no-such-key",
                "--rollout",
                "7",
                "--batch",
                "3",
            ],
            0,
        ),
        (&["select", "--count", "-e", "env=nowhere"], 1),
        (&["diagnose", "-e", "gpu", "-l", "env=prod"], 0),
        (&["lint", "-e", "env=a", "-e", "env!=a"], 1),
        (&["place", "--placement", "-"], 0),
        (&["jobs", "--jobs", jobs], 0),
        (
            &[
                "select",
                "-e",
                "!no-such-key",
                "-o",
                "wide",
                "--show-labels",
            ],
            0,
        ),
        (&["completions", "bash"], 0),
        (&["man"], 0),
    ];
    commands
        .iter()
        .map(|(args, code)| (args.iter().map(|a| a.to_string()).collect(), *code))
        .collect()
}

fn everything_jobs_file(test: &str) -> String {
    let dir = temp_dir(test);
    write_file(
        &dir,
        "jobs.ndjson",
        r#"{"id": "everything", "selector": {}}"#,
    )
}

#[test]
fn a_full_disk_is_an_error_with_exit_2_and_one_line_on_stderr() {
    let jobs = everything_jobs_file("output_full_disk");
    for (args, _) in writing_commands(&jobs) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let full = std::fs::File::create("/dev/full").expect("/dev/full opens for writing");
        let mut cmd = process(&args);
        cmd.stdout(std::process::Stdio::from(full));
        if args.contains(&"--placement") {
            cmd.stdin(std::process::Stdio::piped());
        }
        let mut child = cmd.spawn().expect("labelsel starts");
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            stdin.write_all(PLACEMENT.as_bytes()).unwrap();
        }
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|line| !line.starts_with("labelsel: no --fleet given"))
            .collect();
        assert_eq!(errors.len(), 1, "{args:?}: {stderr}");
        assert!(
            errors[0].starts_with("labelsel: cannot write the output: "),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn help_and_version_on_a_full_disk_are_an_error_too() {
    for args in [&["--help"][..], &["select", "--help"], &["--version"]] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full opens for writing");
        let output = process(args)
            .stdout(std::process::Stdio::from(full))
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("labelsel: cannot write the output: ")
                && stderr.lines().count() == 1,
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_pipe_closed_early_ends_quietly_with_the_commands_status() {
    let jobs = everything_jobs_file("output_closed_pipe");
    for (args, code) in writing_commands(&jobs) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut cmd = process(&args);
        cmd.stdout(std::process::Stdio::piped());
        if args.contains(&"--placement") {
            cmd.stdin(std::process::Stdio::piped());
        }
        let mut child = cmd.spawn().expect("labelsel starts");
        // Closed before the command has written anything, as `| head -0` would.
        drop(child.stdout.take());
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            stdin.write_all(PLACEMENT.as_bytes()).unwrap();
        }
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("cannot write"), "{args:?}: {stderr}");
    }

    // A selector of 300 ids, the reader gone after the first line.
    let mut child = process(&["select", "-e", "!no-such-key"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    assert_eq!(first.trim_end(), demo_nodes()[0].id);
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, DEMO_NOTICE);
}

#[test]
fn the_demo_fleet_is_announced_once_on_stderr_and_a_given_fleet_is_not() {
    let jobs = everything_jobs_file("demo_notice");
    let node = &demo_nodes()[0].id;
    let demo_runs: [&[&str]; 6] = [
        &["select", "-e", "gpu"],
        &["select", "-e", "gpu", "--count", "--output", "json"],
        &["explain", "--node", node, "-e", "gpu"],
        &["diagnose", "-e", "gpu"],
        &["place", "--placement", "-"],
        &["jobs", "--jobs", &jobs],
    ];
    for args in demo_runs {
        let run = run_with_stdin(args, PLACEMENT);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {run:#?}");
        assert_eq!(run.stderr, DEMO_NOTICE, "{args:?}");
    }
    let quiet_runs: [&[&str]; 5] = [
        &["select", "--fleet", DEMO_FLEET_PATH, "-e", "gpu"],
        &[
            "explain",
            "--fleet",
            DEMO_FLEET_PATH,
            "--node",
            node,
            "-e",
            "gpu",
        ],
        &["check", "gpu"],
        &["lint", "-e", "gpu"],
        // A node described by its labels reads no fleet.
        &["jobs", "--jobs", &jobs, "--node", "n", "-l", "a=b"],
    ];
    for args in quiet_runs {
        let run = labelsel(args);
        assert_eq!(run.code, 0, "{args:?}: {run:#?}");
        assert_eq!(run.stderr, "", "{args:?}");
    }
}

#[test]
fn fleet_node_ids_that_are_empty_or_hold_control_characters_are_refused_naming_the_line() {
    let dir = temp_dir("fleet_bad_ids");
    let cases = [
        (
            r#"{"id": "a\nb"}"#,
            r#"node id "a\nb" holds a control character"#,
        ),
        (
            r#"{"id": "a\tb"}"#,
            r#"node id "a\tb" holds a control character"#,
        ),
        (
            r#"{"id": "a\u0000"}"#,
            r#"node id "a\0" holds a control character"#,
        ),
        (
            r#"{"id": "\u007f"}"#,
            r#"node id "\u{7f}" holds a control character"#,
        ),
        (r#"{"id": ""}"#, r#"node id "" is empty"#),
    ];
    for (line, message) in cases {
        let path = write_file(
            &dir,
            "nodes.ndjson",
            &format!("{{\"id\": \"ok-1\"}}\n\n{line}\n{{\"id\": \"ok-2\"}}\n"),
        );
        let run = labelsel(&["select", "--fleet", &path, "-e", "!x"]);
        // The node before the bad one is out already.
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (2, "ok-1\n"),
            "{line}: {run:#?}"
        );
        assert!(
            run.stderr.contains(&format!("{path}:3:1: {message}")),
            "{line}: {}",
            run.stderr
        );

        let path = write_file(&dir, "nodes.json", &format!("[{{\"id\": \"ok\"}}, {line}]"));
        let run = labelsel(&["select", "--fleet", &path, "-e", "!x"]);
        assert_eq!(run.code, 2, "{line}: {run:#?}");
        assert!(
            run.stderr
                .contains(&format!("{path}:1:16: node 2 of the array: {message}")),
            "{line}: {}",
            run.stderr
        );
    }
    // Ids with spaces or non-ASCII letters are fine.
    let path = write_file(
        &dir,
        "fine.ndjson",
        "{\"id\": \"rack 1/node é\"}\n{\"id\": \"x\"}\n",
    );
    let run = labelsel(&["select", "--fleet", &path, "-e", "!x"]);
    assert_eq!(
        (run.code, lines(&run.stdout)),
        (0, vec!["rack 1/node é", "x"])
    );
}

#[test]
fn command_line_node_ids_that_are_empty_or_hold_control_characters_are_refused() {
    let jobs = everything_jobs_file("flag_bad_ids");
    for (id, problem) in [
        ("", "the node id is empty"),
        ("a\nb", "the node id holds a control character"),
        ("a\tb", "the node id holds a control character"),
    ] {
        let shown = format!("{id:?}");
        let runs: [(&[&str], &str); 7] = [
            (&["select", "--id", id], "--id"),
            (&["select", "--id", "node-1", "--id", id, "--count"], "--id"),
            (&["diagnose", "--id", id], "--id"),
            (&["lint", "--id", id], "--id"),
            (&["explain", "--node", id, "-e", "gpu"], "--node"),
            (
                &["jobs", "--jobs", &jobs, "--node", id, "-l", "a=b"],
                "--node",
            ),
            (&["place", "--placement", "-", "--explain", id], "--explain"),
        ];
        for (args, flag) in runs {
            let run = run_with_stdin(args, PLACEMENT);
            assert_eq!(
                (run.code, run.stdout.as_str()),
                (2, ""),
                "{args:?}: {run:#?}"
            );
            assert!(
                run.stderr.contains(&format!("{flag} {shown}: {problem}")),
                "{args:?}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn select_warns_that_an_empty_selector_matches_every_node() {
    let dir = temp_dir("select_empty_selector");
    let empty = write_file(&dir, "empty.json", "{}");
    let runs: [&[&str]; 4] = [
        &["select", "-e", ""],
        &["select", "-e", " ", "-l", ""],
        &["select", "--selector", &empty, "--count"],
        &["select", "--fleet", DEMO_FLEET_PATH],
    ];
    for args in runs {
        let run = labelsel(args);
        assert_eq!(run.code, 0, "{args:?}: {run:#?}");
        let stderr = if args.contains(&"--fleet") {
            run.stderr.as_str()
        } else {
            stderr_without_demo_notice(&run)
        };
        assert_eq!(stderr, EMPTY_SELECTOR_WARNING, "{args:?}");
        if args.contains(&"--count") {
            assert_eq!(run.stdout, format!("{DEMO_NODES}\n"));
        } else {
            assert_eq!(run.stdout.lines().count(), DEMO_NODES);
        }
    }
    // A selector with a requirement, even one every node passes, is not empty.
    let run = labelsel(&["select", "-e", "!no-such-key", "--count"]);
    assert_eq!(stderr_without_demo_notice(&run), "");
}

#[test]
fn select_of_no_node_gives_no_hint_when_stderr_is_not_a_terminal() {
    for args in [
        &["select", "-e", "env=nowhere"][..],
        &["select", "-e", "env=nowhere", "--rollout", "1"],
        &["select", "--fleet", DEMO_FLEET_PATH, "-l", "env=nowhere"],
    ] {
        let run = labelsel(args);
        assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{args:?}");
        assert!(!run.stderr.contains("diagnose"), "{args:?}: {run:#?}");
    }
}

#[test]
fn a_label_key_given_twice_in_a_fleet_file_is_refused_naming_the_key_and_the_line() {
    let dir = temp_dir("fleet_duplicate_label_key");
    let path = write_file(
        &dir,
        "nodes.ndjson",
        "{\"id\": \"m\", \"labels\": {\"k\": \"v\"}}\n{\"id\": \"n\", \"labels\": {\"k\": \"v\", \"k\": \"w\"}}\n",
    );
    let run = labelsel(&["select", "--fleet", &path, "-l", "k=w"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:#?}");
    assert!(run.stderr.contains(&format!("{path}:2:")), "{}", run.stderr);
    assert!(
        run.stderr.contains(r#"label key "k" appears twice"#),
        "{}",
        run.stderr
    );

    let path = write_file(
        &dir,
        "nodes.json",
        "[{\"id\": \"m\"},\n {\"id\": \"n\", \"labels\": {\"k\": \"v\", \"j\": \"x\", \"k\": \"v\"}}]",
    );
    let run = labelsel(&["lint", "--fleet", &path, "-e", "k"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains(&format!(
            "{path}:2:53: node 2 of the array: label key \"k\" appears twice"
        )),
        "{}",
        run.stderr
    );

    // The same key on different nodes, and null labels, are fine.
    let path = write_file(
        &dir,
        "fine.ndjson",
        "{\"id\": \"m\", \"labels\": {\"k\": \"v\"}}\n{\"id\": \"n\", \"labels\": null}\n{\"id\": \"o\", \"labels\": {\"k\": \"w\", \"j\": \"w\"}}\n",
    );
    let run = labelsel(&["select", "--fleet", &path, "-e", "k"]);
    assert_eq!(
        (run.code, lines(&run.stdout)),
        (0, vec!["m", "o"]),
        "{run:#?}"
    );
    let run = run_with_stdin(
        &["select", "--fleet", "-", "-e", "k"],
        r#"{"id": "n", "labels": 7}"#,
    );
    assert_eq!(run.code, 2, "{run:#?}");
}

// ---------------------------------------------------------------------------------------------------
// Fleet inputs: JSON streams, arrays and Kubernetes lists
// ---------------------------------------------------------------------------------------------------

/// The small fleet's nodes as JSON objects, `labels` left out for n4 and null for n3.
fn small_fleet_objects() -> Vec<Value> {
    SMALL_FLEET_NDJSON
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The small fleet as `kubectl get nodes -o json` prints it: a `List` of `Node`s with
/// `metadata.name` and `metadata.labels`.
fn small_fleet_kubernetes_list(kind: &str) -> Value {
    let items: Vec<Value> = small_fleet_objects()
        .into_iter()
        .map(|node| {
            let mut metadata = json!({
                "name": node["id"],
                "uid": "0b6c",
                "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
            });
            if let Some(labels) = node.get("labels") {
                metadata["labels"] = labels.clone();
            }
            json!({
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": metadata,
                "spec": {"podCIDR": "10.244.0.0/24"},
                "status": {"capacity": {"cpu": 4}},
            })
        })
        .collect();
    json!({
        "apiVersion": "v1",
        "items": items,
        "kind": kind,
        "metadata": {"resourceVersion": ""},
    })
}

#[test]
fn select_reads_json_streams_pretty_objects_and_kubernetes_node_lists() {
    let dir = temp_dir("fleet_streams");
    let objects = small_fleet_objects();
    let pretty: String = objects
        .iter()
        .map(|node| serde_json::to_string_pretty(node).unwrap() + "\n")
        .collect();
    let concatenated: String = objects.iter().map(Value::to_string).collect();
    let pretty_array = serde_json::to_string_pretty(&objects).unwrap();
    let node_list = serde_json::to_string_pretty(&small_fleet_kubernetes_list("NodeList")).unwrap();
    let list = serde_json::to_string_pretty(&small_fleet_kubernetes_list("List")).unwrap();
    // `kubectl get node NAME -o json`, one node after another.
    let kube_nodes: String = small_fleet_kubernetes_list("List")["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| serde_json::to_string_pretty(node).unwrap() + "\n")
        .collect();
    // A stream may mix the forms: an array, then a list, then a node object.
    let mixed = format!(
        "{}\n{}\n{}\n",
        Value::Array(objects[..2].to_vec()),
        json!({"kind": "NodeList", "items": [
            {"metadata": {"name": "n3", "labels": null}},
            {"kind": "Node", "metadata": {"name": "n4"}},
        ]}),
        serde_json::to_string_pretty(&objects[4]).unwrap(),
    );
    let cases: [(&[&str], &[&str]); 4] = [
        (&["-e", "zone!=b"], &["n1", "n3", "n4", "n5"]),
        (&["-e", "zone=a"], &["n1", "n5"]),
        (&["-e", "!zone"], &["n3", "n4"]),
        (&["-e", "cpu>10"], &["n5"]),
    ];
    for (name, contents) in [
        ("pretty.json", pretty.as_str()),
        ("concatenated.json", &concatenated),
        ("pretty-array.json", &pretty_array),
        ("nodelist.json", &node_list),
        ("list.json", &list),
        ("kube-nodes.json", &kube_nodes),
        ("mixed.json", &mixed),
    ] {
        let path = write_file(&dir, name, contents);
        for (selector, expected) in cases {
            let mut args = vec!["select", "--fleet", path.as_str()];
            args.extend(selector);
            let run = labelsel(&args);
            assert_eq!(run.code, 0, "{name} {args:?}: {run:#?}");
            assert_eq!(lines(&run.stdout), expected, "{name} {args:?}");
            assert_eq!(run.stderr, "", "{name}");
        }
        // The same from stdin, with -f.
        let run = run_with_stdin(&["select", "-f", "-", "-e", "zone=a"], contents);
        assert_eq!(
            (run.code, lines(&run.stdout)),
            (0, vec!["n1", "n5"]),
            "{name}: {run:#?}"
        );
    }

    // The demo fleet pretty-printed, as `jq .` prints NDJSON, selects what the embedded one does.
    let jq_pretty: String = demo_nodes()
        .iter()
        .map(|node| {
            serde_json::to_string_pretty(&json!({"id": node.id, "labels": node.labels})).unwrap()
                + "\n"
        })
        .collect();
    let path = write_file(&dir, "demo-pretty.json", &jq_pretty);
    let embedded = labelsel(&["select", "-e", "gpu", "-e", "!debug"]);
    let pretty_run = labelsel(&["select", "-f", &path, "-e", "gpu", "-e", "!debug"]);
    assert_eq!(pretty_run.code, 0, "{pretty_run:#?}");
    assert!(!embedded.stdout.is_empty());
    assert_eq!(pretty_run.stdout, embedded.stdout);
}

#[test]
fn fleet_errors_name_the_file_line_and_column_and_no_rust_type() {
    let dir = temp_dir("fleet_stream_errors");
    let cases: [(&str, &str, &str); 9] = [
        // A label value that is not a string names its key.
        (
            "{\n  \"id\": \"a\",\n  \"labels\": {\n    \"cpu\": 4\n  }\n}\n",
            ":4:12: ",
            r#"the value of label "cpu" must be a string, not 4: write "4""#,
        ),
        (
            "{\"id\": \"a\", \"labels\": {\"debug\": true}}\n",
            ":1:36: ",
            r#"the value of label "debug" must be a string, not true"#,
        ),
        // A value that is no node at all says what a node is.
        (
            "{\"id\": \"a\"}\n42\n",
            ":2:",
            r#"expected a node object {"id": ..., "labels": {...}}"#,
        ),
        (
            "[\"a\"]\n",
            ":1:",
            r#"expected a node object {"id": ..., "labels": {...}}"#,
        ),
        (
            "{\"id\": 7}\n",
            ":1:",
            r#""id" must be a string, not 7: write "7""#,
        ),
        // A second pretty-printed object with the id of the first is named where it starts.
        (
            "{\n  \"id\": \"a\"\n}\n{\n  \"id\": \"a\"\n}\n",
            ":4:1: ",
            r#"node id "a" appears twice"#,
        ),
        // Kubernetes lists: the node is named by its place and its number in the list.
        (
            "{\"kind\": \"NodeList\", \"items\": [\n  {\"metadata\": {\"name\": \"x\"}},\n  {\"metadata\": {\"name\": \"x\"}}\n]}\n",
            ":3:3: ",
            r#"node 2 of the NodeList: node id "x" appears twice"#,
        ),
        (
            "{\"kind\": \"List\", \"items\": [{\"kind\": \"Node\", \"metadata\": {\"uid\": \"1\"}}]}",
            ":1:",
            "missing field `metadata.name`",
        ),
        (
            "{\"kind\": \"PodList\", \"items\": []}",
            ":1:",
            "a Kubernetes PodList holds no nodes",
        ),
    ];
    for (contents, place, message) in cases {
        let path = write_file(&dir, "fleet.json", contents);
        // A count prints nothing until the whole fleet is read.
        let run = labelsel(&["select", "--fleet", &path, "-e", "!x", "--count"]);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (2, ""),
            "{contents}: {run:#?}"
        );
        assert!(
            run.stderr.contains(&format!("{path}{place}")),
            "{contents}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(message), "{contents}: {}", run.stderr);
        for rust in [
            "struct",
            "NodeRecord",
            "TopLevel",
            "StringOr",
            "Labels",
            "map<",
        ] {
            assert!(!run.stderr.contains(rust), "{contents}: {}", run.stderr);
        }
    }
    // A truncated pretty object: the error says where the input ends.
    let run = run_with_stdin(&["select", "--fleet", "-"], "{\n  \"id\": \"a\",\n");
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr
            .contains("<stdin>:3:1: not valid JSON: the input ends in the middle of a value"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------------
// check - and check --selector
// ---------------------------------------------------------------------------------------------------

#[test]
fn check_reads_expressions_from_stdin_one_a_line() {
    let stdin = "tier in (b, a)\n\n   \ngpu,!debug\n";
    let run = run_with_stdin(&["check", "-"], stdin);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(lines(&run.stdout), ["tier in (a,b)", "!debug,gpu"]);
    assert_eq!(run.stderr, "");

    // An error names the line (blank lines count) and keeps the order of the output.
    let run = run_with_stdin(&["check", "-"], "a=b\n\nx in (\n!d\n");
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(lines(&run.stdout), ["a=b", "!d"]);
    assert!(run.stderr.contains("<stdin> line 3"), "{}", run.stderr);
    assert_eq!(caret_under(&run.stderr, "x in ("), (6, 1));

    let run = run_with_stdin(&["check", "-", "-o", "json"], "a=b\nx in (\n");
    assert_eq!(run.code, 2, "{run:#?}");
    let results = run.json();
    assert_eq!(
        results[0],
        json!({"input": "a=b", "canonical": "a=b", "line": 1})
    );
    assert_eq!(results[1]["line"], 2);
    assert_eq!(results[1]["error"]["span"], json!([6, 6]));

    // Arguments and stdin mix; stdin is read once.
    let run = run_with_stdin(&["check", "gpu", "-"], "cpu>8\n");
    assert_eq!((run.code, lines(&run.stdout)), (0, vec!["gpu", "cpu>8"]));
    let run = run_with_stdin(&["check", "-", "-"], "gpu\n");
    assert_eq!(run.code, 2, "{run:#?}");
}

#[test]
fn check_selector_checks_every_label_and_expression_of_a_job_spec_file() {
    let dir = temp_dir("check_selector");
    let good = write_file(
        &dir,
        "good.json",
        r#"{"matchLabels": {"env": "prod", "tier": ""}, "match_expressions": ["gpu, !debug", "cpu > 8"]}"#,
    );
    let run = labelsel(&["check", "--selector", &good]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        lines(&run.stdout),
        ["env=prod", "tier=", "!debug,gpu", "cpu>8"]
    );

    // Every error is reported, each with the file and its place.
    let bad = write_file(
        &dir,
        "bad.json",
        r#"{"match_labels": {"Bad/Key/x": "v", "env": "a b"}, "match_expressions": ["gpu", "tier in (a"]}"#,
    );
    let run = labelsel(&["check", "--selector", &bad]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(lines(&run.stdout), ["gpu"]);
    for place in [
        r#"match_labels["Bad/Key/x"]"#,
        r#"match_labels["env"]"#,
        "match_expressions[1]",
    ] {
        assert!(
            run.stderr.contains(&format!("{bad} {place}")),
            "{place}: {}",
            run.stderr
        );
    }
    assert_eq!(caret_under(&run.stderr, "tier in (a"), (10, 1));
    let run = labelsel(&["check", "--selector", &bad, "--output", "json"]);
    let results = run.json();
    let places: Vec<&Value> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["place"])
        .collect();
    assert_eq!(
        places,
        [
            &json!({"field": "match_labels", "key": "Bad/Key/x"}),
            &json!({"field": "match_labels", "key": "env"}),
            &json!({"field": "match_expressions", "index": 0}),
            &json!({"field": "match_expressions", "index": 1}),
        ]
    );
    assert_eq!(results[1]["input"], "a b");
    assert_eq!(results[2]["canonical"], "gpu");

    // From stdin, and a file that is not a selector.
    let run = run_with_stdin(
        &["check", "--selector", "-"],
        r#"{"match_expressions": ["a="]}"#,
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, "a=\n"), "{run:#?}");
    let run = run_with_stdin(&["check", "--selector", "-"], r#"{"match_label": {}}"#);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("match_label"), "{}", run.stderr);
    // Expressions and --selector do not mix.
    assert_eq!(labelsel(&["check", "--selector", &good, "gpu"]).code, 2);
}

// ---------------------------------------------------------------------------------------------------
// select --output ndjson / name, -o, -f
// ---------------------------------------------------------------------------------------------------

#[test]
fn select_output_ndjson_prints_the_matching_nodes_as_a_fleet() {
    let selector = Selector::new().expression("gpu").expression("!debug");
    let expected = scan(demo_nodes(), &selector);
    let run = labelsel(&["select", "-e", "gpu", "-e", "!debug", "-o", "ndjson"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let printed = parse_ndjson(&run.stdout);
    let ids: Vec<&str> = printed.iter().map(|node| node.id.as_str()).collect();
    assert_eq!(ids, expected);
    for node in &printed {
        let demo = demo_nodes().iter().find(|n| n.id == node.id).unwrap();
        assert_eq!(node.labels, demo.labels, "{}", node.id);
    }
    // Each line is one compact object, keys sorted, as a fleet file holds it.
    let first = run.stdout.lines().next().unwrap();
    let value: Value = serde_json::from_str(first).unwrap();
    assert_eq!(value.as_object().unwrap().len(), 2);
    let keys: Vec<&String> = value["labels"].as_object().unwrap().keys().collect();
    assert!(keys.is_sorted(), "{first}");
    assert!(first.starts_with(r#"{"id":"#), "{first}");

    // The output is a fleet again: filtering it once more gives the same nodes.
    let again = run_with_stdin(&["select", "-f", "-", "-o", "ndjson"], &run.stdout);
    assert_eq!((again.code, &again.stdout), (0, &run.stdout), "{again:#?}");
    let narrowed = run_with_stdin(&["select", "-f", "-", "-l", "env=prod"], &run.stdout);
    let both = labelsel(&["select", "-e", "gpu", "-e", "!debug", "-l", "env=prod"]);
    assert_eq!(narrowed.stdout, both.stdout);

    // Nodes without labels print an empty object; no match prints nothing and exits 1.
    let run = run_with_stdin(
        &["select", "-f", "-", "-e", "!zone", "-o", "ndjson"],
        SMALL_FLEET_NDJSON,
    );
    assert_eq!(
        (run.code, lines(&run.stdout)),
        (
            0,
            vec![r#"{"id":"n3","labels":{}}"#, r#"{"id":"n4","labels":{}}"#]
        )
    );
    let run = labelsel(&["select", "-e", "env=nowhere", "-o", "ndjson"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));

    // Under --rollout, the nodes come in rollout order.
    let ids = labelsel(&["select", "-e", "gpu", "--rollout", "7", "--canary", "10"]);
    let nodes = labelsel(&[
        "select",
        "-e",
        "gpu",
        "--rollout",
        "7",
        "--canary",
        "10",
        "-o",
        "ndjson",
    ]);
    let rollout_ids: Vec<String> = parse_ndjson(&nodes.stdout)
        .into_iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(rollout_ids, lines(&ids.stdout));

    // A count is not a list of nodes.
    for args in [
        &["select", "-e", "gpu", "--count", "-o", "ndjson"][..],
        &["select", "-e", "gpu", "--count-by", "env", "-o", "name"],
    ] {
        let run = labelsel(args);
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{args:?}");
        assert!(
            run.stderr.contains("does not go with"),
            "{args:?}: {run:#?}"
        );
    }
}

#[test]
fn select_output_name_prints_the_ids_and_short_flags_work_everywhere() {
    let text = labelsel(&["select", "-e", "gpu", "-e", "!debug"]);
    let name = labelsel(&["select", "-e", "gpu", "-e", "!debug", "-o", "name"]);
    assert_eq!((name.code, &name.stdout), (0, &text.stdout));
    let batches = labelsel(&["select", "-e", "gpu", "--rollout", "3", "--batch", "4"]);
    let batches_name = labelsel(&[
        "select",
        "-e",
        "gpu",
        "--rollout",
        "3",
        "--batch",
        "4",
        "--output",
        "name",
    ]);
    assert_eq!(batches.stdout, batches_name.stdout);

    // -o for --output and -f for --fleet, on every command that has them.
    let dir = temp_dir("short_flags");
    let jobs = write_file(&dir, "jobs.ndjson", HELP_JOBS);
    let placement = write_file(&dir, "placement.json", PLACEMENT);
    let node = &demo_nodes()[0].id;
    let pairs: [(Vec<&str>, Vec<&str>); 7] = [
        (
            vec!["check", "gpu", "-o", "json"],
            vec!["check", "gpu", "--output", "json"],
        ),
        (
            vec!["select", "-f", DEMO_FLEET_PATH, "-e", "gpu", "-o", "json"],
            vec![
                "select",
                "--fleet",
                DEMO_FLEET_PATH,
                "-e",
                "gpu",
                "--output",
                "json",
            ],
        ),
        (
            vec![
                "explain",
                "-f",
                DEMO_FLEET_PATH,
                "--node",
                node,
                "-e",
                "gpu",
                "-o",
                "json",
            ],
            vec![
                "explain",
                "--fleet",
                DEMO_FLEET_PATH,
                "--node",
                node,
                "-e",
                "gpu",
                "--output",
                "json",
            ],
        ),
        (
            vec!["diagnose", "-f", DEMO_FLEET_PATH, "-e", "gpu", "-o", "json"],
            vec![
                "diagnose",
                "--fleet",
                DEMO_FLEET_PATH,
                "-e",
                "gpu",
                "--output",
                "json",
            ],
        ),
        (
            vec!["lint", "-f", DEMO_FLEET_PATH, "-e", "teir=a", "-o", "json"],
            vec![
                "lint",
                "--fleet",
                DEMO_FLEET_PATH,
                "-e",
                "teir=a",
                "--output",
                "json",
            ],
        ),
        (
            vec![
                "place",
                "-f",
                DEMO_FLEET_PATH,
                "--placement",
                &placement,
                "-o",
                "json",
            ],
            vec![
                "place",
                "--fleet",
                DEMO_FLEET_PATH,
                "--placement",
                &placement,
                "--output",
                "json",
            ],
        ),
        (
            vec!["jobs", "--jobs", &jobs, "-f", DEMO_FLEET_PATH, "-o", "json"],
            vec![
                "jobs",
                "--jobs",
                &jobs,
                "--fleet",
                DEMO_FLEET_PATH,
                "--output",
                "json",
            ],
        ),
    ];
    for (short, long) in pairs {
        let (short_run, long_run) = (labelsel(&short), labelsel(&long));
        assert!(short_run.code < 2, "{short:?}: {short_run:#?}");
        assert_eq!(short_run.code, long_run.code, "{short:?}");
        assert_eq!(short_run.stdout, long_run.stdout, "{short:?}");
        assert_eq!(short_run.stderr, "", "{short:?}");
        short_run.json();
    }
}

/// An expression over the length limit is refused with a short error, never a panic.
#[test]
fn an_over_limit_expression_is_refused_without_a_panic() {
    let long = "a".repeat(70_000);
    let run = labelsel(&["check", &long]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.contains("at most 65536 are allowed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.len() < 4_000,
        "{} bytes of stderr",
        run.stderr.len()
    );
    let run = labelsel(&["select", "-e", &format!("x in ({long}")]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}
