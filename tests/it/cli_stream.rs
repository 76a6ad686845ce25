//! The command's streaming path and the inputs it reads: a one-shot `select` over a fleet file or
//! stdin in every output format (the same answer, in fleet order, whatever form the fleet is written
//! in, and the library's answer); endless and oversized input refused; YAML selector, placement and
//! affinity files.

use std::collections::BTreeMap;
use std::fs::File;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::command::{MANIFEST_DIR, Run, run as labelsel, temp_dir, write_file};
use crate::support::workload::generate;
use labelsel::{Fleet, Selector};

fn dir(test: &str) -> std::path::PathBuf {
    temp_dir("cli_stream", test)
}

/// A generated fleet of `nodes` nodes as NDJSON, a JSON array and a Kubernetes `List` (kind after
/// items, as kubectl prints it), written in `dir`; with the nodes.
fn fleet_files(dir: &std::path::Path, nodes: usize) -> (Vec<generate::GeneratedNode>, [String; 3]) {
    let nodes = generate::fleet(nodes, 5);
    let ndjson: String = nodes
        .iter()
        .map(|n| generate::to_ndjson_line(n) + "\n")
        .collect();
    let objects: Vec<Value> = nodes
        .iter()
        .map(|n| json!({"id": n.id, "labels": n.labels}))
        .collect();
    let items: Vec<Value> = nodes
        .iter()
        .map(|n| json!({"kind": "Node", "metadata": {"name": n.id, "labels": n.labels}}))
        .collect();
    let list = json!({"apiVersion": "v1", "items": items, "kind": "List"});
    let files = [
        write_file(dir, "fleet.ndjson", &ndjson),
        write_file(
            dir,
            "fleet.json",
            &serde_json::to_string_pretty(&objects).unwrap(),
        ),
        write_file(
            dir,
            "nodelist.json",
            &serde_json::to_string_pretty(&list).unwrap(),
        ),
    ];
    (nodes, files)
}

#[test]
fn a_streamed_select_prints_the_librarys_answer_in_every_output_and_every_fleet_form() {
    let dir = dir("every_output");
    let (nodes, files) = fleet_files(&dir, 400);
    let mut fleet = Fleet::new();
    for node in &nodes {
        fleet.insert(&node.id, &node.labels);
    }
    let selector = "gpu, topology.kubernetes.io/region in (us-east-1, us-west-2)";
    let matcher = Selector::new().expression(selector).compile().unwrap();
    let ids: Vec<&str> = fleet.select(&matcher).iter().collect();
    assert!(ids.len() > 3, "the selector matches a few nodes: {ids:?}");
    let by_id: BTreeMap<&str, &generate::GeneratedNode> =
        nodes.iter().map(|n| (n.id.as_str(), n)).collect();

    let ids_text: String = ids.iter().map(|id| format!("{id}\n")).collect();
    let ndjson: String = ids
        .iter()
        .map(|id| generate::to_ndjson_line(by_id[id]) + "\n")
        .collect();
    let expected: [(&[&str], String); 5] = [
        (&[], ids_text.clone()),
        (&["-o", "name"], ids_text),
        (&["--count"], format!("{}\n", ids.len())),
        (&["-o", "ndjson"], ndjson),
        (
            &["-o", "json"],
            serde_json::to_string_pretty(&json!({"count": ids.len(), "ids": ids})).unwrap() + "\n",
        ),
    ];
    let tables: [&[&str]; 3] = [
        &["-o", "wide"],
        &["-L", "tier", "-L", "topology.kubernetes.io/zone"],
        &["--show-labels"],
    ];
    for (flags, stdout) in &expected {
        for file in &files {
            let mut args = vec!["select", "-f", file.as_str(), "-e", selector];
            args.extend(*flags);
            let run = labelsel(&args, "");
            assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{args:?}");
            assert_eq!(&run.stdout, stdout, "{args:?}");
        }
    }
    // The same from stdin, and the tables the same whatever the form; a table's rows are the ids,
    // in fleet order, under a header.
    let contents: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    for flags in tables.iter().chain(expected.iter().map(|(flags, _)| flags)) {
        let outputs: Vec<Run> = files
            .iter()
            .map(|file| {
                let mut args = vec!["select", "-f", file.as_str(), "-e", selector];
                args.extend(*flags);
                labelsel(&args, "")
            })
            .chain(contents.iter().map(|text| {
                let mut args = vec!["select", "-f", "-", "-e", selector];
                args.extend(*flags);
                labelsel(&args, text)
            }))
            .collect();
        for output in &outputs {
            assert_eq!(output.code, 0, "{flags:?}: {output:#?}");
            assert_eq!(output.stdout, outputs[0].stdout, "{flags:?}");
        }
    }
    for flags in tables {
        let mut args = vec!["select", "-f", files[0].as_str(), "-e", selector];
        args.extend(flags);
        let run = labelsel(&args, "");
        let names: Vec<&str> = run
            .stdout
            .lines()
            .map(|line| line.split(' ').next().unwrap_or_default())
            .collect();
        assert_eq!(names[0], "NAME", "{flags:?}");
        assert_eq!(names[1..], ids[..], "{flags:?}");
    }
}

#[test]
fn a_streamed_select_of_nothing_exits_1_and_a_bad_node_half_way_exits_2_after_the_nodes_before_it()
{
    let dir = dir("exit_codes");
    let (_, files) = fleet_files(&dir, 50);
    for flags in [&[][..], &["--count"], &["-o", "json"], &["-o", "wide"]] {
        let mut args = vec!["select", "-f", files[0].as_str(), "-l", "env=nowhere"];
        args.extend(flags);
        let run = labelsel(&args, "");
        assert_eq!(
            (run.code, run.stderr.as_str()),
            (1, ""),
            "{args:?}: {run:#?}"
        );
    }
    let fleet = write_file(
        &dir,
        "bad.ndjson",
        "{\"id\": \"a\", \"labels\": {\"x\": \"1\"}}\n{\"id\": \"b\", \"labels\": {\"x\": \"1\"}}\n{\"id\": \"a\"}\n",
    );
    let run = labelsel(&["select", "-f", &fleet, "-e", "x"], "");
    assert_eq!((run.code, run.stdout.as_str()), (2, "a\nb\n"), "{run:#?}");
    assert_eq!(
        run.stderr,
        format!("error: {fleet}:3:1: node id \"a\" appears twice (first on line 1)\n")
    );
    // A count or JSON says nothing until the fleet has read whole.
    for flags in [&["--count"][..], &["-o", "json"]] {
        let mut args = vec!["select", "-f", fleet.as_str(), "-e", "x"];
        args.extend(flags);
        let run = labelsel(&args, "");
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{args:?}");
    }
}

/// Runs `labelsel ARGS` with stdin read from `path`, as `labelsel ARGS < path`.
fn run_with_stdin_from(args: &[&str], path: &str) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_labelsel"))
        .args(args)
        .current_dir(MANIFEST_DIR)
        .stdin(Stdio::from(File::open(path).unwrap()))
        .output()
        .unwrap();
    Run {
        code: output.status.code().expect("exits"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn endless_and_oversized_input_is_refused_naming_where_it_starts() {
    let zero = "/dev/zero";
    if !std::path::Path::new(zero).exists() {
        return;
    }
    for command in [
        &["select", "-e", "x"][..],
        &["diagnose", "-e", "x"],
        &["lint", "-e", "x"],
    ] {
        let mut args = command.to_vec();
        args.extend(["-f", zero]);
        let run = labelsel(&args, "");
        assert_eq!(run.code, 2, "{args:?}: {run:#?}");
        assert_eq!(
            run.stderr,
            "error: /dev/zero:1:1: not valid JSON: expected value\n"
        );
        let mut args = command.to_vec();
        args.extend(["-f", "-"]);
        let run = run_with_stdin_from(&args, zero);
        assert_eq!(run.code, 2, "{args:?}: {run:#?}");
        assert_eq!(
            run.stderr,
            "error: <stdin>:1:1: not valid JSON: expected value\n"
        );
    }
    // A label value of 20 MiB, over the 16 MiB bound on one record.
    let dir = dir("oversized");
    let big = format!(
        "{{\"id\": \"a\"}}\n{{\"id\": \"b\", \"labels\": {{\"x\": \"{}\"}}}}\n",
        "v".repeat(20 << 20)
    );
    let path = write_file(&dir, "big.ndjson", &big);
    let run = labelsel(&["select", "-f", &path, "--count"], "");
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(
        run.stderr,
        format!(
            "error: {path}:2:1: the value that starts here is larger than the limit of 16777216 \
             bytes for one record (a node, or a list's fields besides its items)\n"
        )
    );
}

#[test]
fn selector_files_may_be_yaml_as_kubernetes_manifests_write_them() {
    let dir = dir("yaml_selectors");
    let (_, files) = fleet_files(&dir, 300);
    let fleet = files[0].as_str();
    let json = write_file(
        &dir,
        "job.json",
        r#"{"match_labels": {"env": "prod"}, "match_expressions": ["tier in (premium, standard)", "gpu"]}"#,
    );
    let native = write_file(
        &dir,
        "job.yaml",
        "# a job's selector\nmatch_labels:\n  env: prod\nmatch_expressions:\n  - tier in (premium, standard)\n  - gpu\n",
    );
    let kube = write_file(
        &dir,
        "job.yml",
        "matchLabels:\n  env: prod\nmatchExpressions:\n  - key: tier\n    operator: In\n    values: [premium, standard]\n  - {key: gpu, operator: Exists}\n",
    );
    let expected = labelsel(&["select", "-f", fleet, "--selector", &json], "");
    assert_eq!(expected.code, 0, "{expected:#?}");
    assert!(!expected.stdout.is_empty());
    for selector in [&native, &kube] {
        let run = labelsel(&["select", "-f", fleet, "--selector", selector], "");
        assert_eq!(
            (run.code, &run.stdout),
            (0, &expected.stdout),
            "{selector}: {run:#?}"
        );
    }
    // From stdin, YAML is told from JSON by its first character.
    let yaml = std::fs::read_to_string(&kube).unwrap();
    let run = labelsel(&["select", "-f", fleet, "--selector", "-"], &yaml);
    assert_eq!((run.code, &run.stdout), (0, &expected.stdout), "{run:#?}");
    let run = labelsel(&["check", "--selector", "-"], &yaml);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "env=prod\ntier in (premium,standard)\ngpu\n"),
        "{run:#?}"
    );

    // Errors: FILE:LINE:COLUMN, a key given twice refused, no Rust or parser option names.
    let cases = [
        (
            "twice.yaml",
            "match_labels:\n  env: prod\n  env: dev\n",
            ":3:3: not a selector object: duplicate key \"env\"",
        ),
        (
            "unknown.yaml",
            "match_expressions: [gpu]\nmatch_label: {env: prod}\n",
            ":2:1: not a selector object: unknown field `match_label`",
        ),
        (
            "list.yml",
            "match_labels:\n  env: [prod]\n",
            ":2:8: not a selector object: ",
        ),
        (
            "null.yaml",
            "matchLabels:\n  env: ~\n",
            ":2:8: not a selector object: found null, expected a string",
        ),
        // What YAML reads as a number or a boolean is not a string, as in Kubernetes: quoted, it is.
        (
            "number.yaml",
            "matchLabels:\n  cpu: 4\n",
            ":2:8: not a selector object: found 4, which YAML reads as a number or a boolean, \
             expected a string: quote it (\"4\")",
        ),
        (
            "version.yaml",
            "matchExpressions:\n  - key: version\n    operator: In\n    values: [1.10, \"1.20\"]\n",
            ":4:14: not a Kubernetes label selector object: found 1.10, which YAML reads as a number",
        ),
        (
            "boolean.yaml",
            "matchLabels:\n  spot: on\n",
            ":2:9: not a selector object: found on, which YAML reads as a number or a boolean",
        ),
    ];
    for (name, text, message) in cases {
        let path = write_file(&dir, name, text);
        let run = labelsel(&["select", "-f", fleet, "--selector", &path], "");
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{name}: {run:#?}");
        assert!(
            run.stderr.starts_with(&format!("error: {path}{message}")),
            "{name}: {}",
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1, "{name}: {}", run.stderr);
        assert!(!run.stderr.contains("DuplicateKeyPolicy"), "{}", run.stderr);
        assert!(!run.stderr.contains("Option<"), "{}", run.stderr);
    }
    let path = write_file(&dir, "quoted.yaml", "matchLabels:\n  cpu: \"4\"\n");
    let run = labelsel(&["check", "--selector", &path], "");
    assert_eq!((run.code, run.stdout.as_str()), (0, "cpu=4\n"), "{run:#?}");
    let path = write_file(
        &dir,
        "operator.yaml",
        "matchExpressions:\n  - key: tier\n    operator: in\n    values: [premium]\n",
    );
    let run = labelsel(&["select", "-f", fleet, "--selector", &path], "");
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr
            .contains(r#"matchExpressions[0].operator: "in" is not a label selector operator"#),
        "{}",
        run.stderr
    );
}

#[test]
fn placements_and_node_affinity_may_be_yaml() {
    let dir = dir("yaml_placements");
    let (_, files) = fleet_files(&dir, 300);
    let fleet = files[0].as_str();
    let placement_json = write_file(
        &dir,
        "placement.json",
        r#"{"required": [{"match_labels": {"env": "prod"}}, {"match_expressions": ["gpu"]}],
            "preferred": [{"weight": 10, "selector": {"match_expressions": ["tier=premium"]}}]}"#,
    );
    let placement_yaml = write_file(
        &dir,
        "placement.yaml",
        "required:\n  - match_labels: {env: prod}\n  - match_expressions: [gpu]\npreferred:\n  - weight: 10\n    selector:\n      match_expressions: [tier=premium]\n",
    );
    let affinity_json = write_file(
        &dir,
        "affinity.json",
        r#"{"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
              {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}]},
            "preferredDuringSchedulingIgnoredDuringExecution": [
              {"weight": 5, "preference": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["premium"]}]}}]}"#,
    );
    // As pasted from a pod spec's affinity.nodeAffinity.
    let affinity_yaml = write_file(
        &dir,
        "affinity.yml",
        "requiredDuringSchedulingIgnoredDuringExecution:\n  nodeSelectorTerms:\n    - matchExpressions:\n        - key: gpu\n          operator: Exists\npreferredDuringSchedulingIgnoredDuringExecution:\n  - weight: 5\n    preference:\n      matchExpressions:\n        - key: tier\n          operator: In\n          values:\n            - premium\n",
    );
    for (flag, json, yaml) in [
        ("--placement", &placement_json, &placement_yaml),
        ("--affinity", &affinity_json, &affinity_yaml),
    ] {
        let expected = labelsel(&["place", "-f", fleet, flag, json, "--top", "20"], "");
        assert_eq!(expected.code, 0, "{expected:#?}");
        assert_eq!(expected.stdout.lines().count(), 20);
        let run = labelsel(&["place", "-f", fleet, flag, yaml, "--top", "20"], "");
        assert_eq!(
            (run.code, &run.stdout),
            (0, &expected.stdout),
            "{flag}: {run:#?}"
        );
    }
    let path = write_file(
        &dir,
        "twice.yaml",
        "required:\n  - match_labels:\n      env: prod\n      env: qa\n",
    );
    let run = labelsel(&["place", "-f", fleet, "--placement", &path], "");
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.starts_with(&format!(
            "error: {path}:4:7: not a placement object: duplicate key \"env\""
        )),
        "{}",
        run.stderr
    );
}
