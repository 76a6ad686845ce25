//! End-to-end tests of the `labelsel` command's outputs for people and shells: `select`'s table
//! (`-o wide`, `-L`, `--show-labels`, also from `--db`), the hints for selectors written as kubectl
//! users write them, `--color`, `completions` and `man`, and the places JSON errors in selector,
//! placement and jobs files name.

use std::path::PathBuf;

use crate::support::command::{self, Run, write_file};

/// Runs `labelsel ARGS` with nothing on stdin.
fn labelsel(args: &[&str]) -> Run {
    command::run(args, "")
}

/// A fresh directory for one test's files.
fn temp_dir(test: &str) -> PathBuf {
    command::temp_dir("cli_output", test)
}

/// Four nodes: one with a zone, one without, one in another environment, one without labels.
const FLEET: &str = r#"{"id": "a", "labels": {"env": "prod", "topology.kubernetes.io/zone": "us-east-1a", "gpu-count": "8"}}
{"id": "node-bb", "labels": {"env": "prod", "gpu-count": "4"}}
{"id": "c", "labels": {"env": "qa", "gpu-count": "8"}}
{"id": "d"}
"#;

fn fleet_file(test: &str) -> String {
    write_file(&temp_dir(test), "nodes.ndjson", FLEET)
}

// ---------------------------------------------------------------------------------------------------
// select's table
// ---------------------------------------------------------------------------------------------------

#[test]
fn wide_is_a_table_of_the_keys_the_selector_tests_then_the_label_columns() {
    let fleet = fleet_file("wide");
    let run = labelsel(&[
        "select",
        "-f",
        &fleet,
        "-e",
        "gpu-count>3",
        "-l",
        "env=prod",
        "-o",
        "wide",
        "-L",
        "topology.kubernetes.io/zone",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.stdout,
        "NAME      GPU-COUNT   ENV    ZONE\n\
         a         8           prod   us-east-1a\n\
         node-bb   4           prod\n",
        "{run:#?}"
    );
    // A -L key the selector tests already has its one column.
    let run = labelsel(&[
        "select", "-f", &fleet, "-l", "env=prod", "-o", "wide", "-L", "env",
    ]);
    assert_eq!(
        run.stdout, "NAME      ENV\na         prod\nnode-bb   prod\n",
        "{run:#?}"
    );
}

#[test]
fn label_columns_and_show_labels_make_the_text_output_a_table() {
    let fleet = fleet_file("label_columns");
    // Two keys with the name part `zone` are headed by their whole keys; -L takes a list too.
    let run = labelsel(&[
        "select",
        "-f",
        &fleet,
        "-l",
        "env=prod",
        "-L",
        "zone,topology.kubernetes.io/zone",
        "--show-labels",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.stdout,
        "NAME      ZONE   TOPOLOGY.KUBERNETES.IO/ZONE   LABELS\n\
         a                us-east-1a                    \
         env=prod,gpu-count=8,topology.kubernetes.io/zone=us-east-1a\n\
         node-bb                                        env=prod,gpu-count=4\n",
        "{run:#?}"
    );
    // Repeated -L, a key given twice, and a node without labels.
    let run = labelsel(&[
        "select",
        "-f",
        &fleet,
        "-e",
        "!gpu-count",
        "-L",
        "env",
        "--label-columns",
        "env",
        "--show-labels",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "NAME   ENV   LABELS\nd            <none>\n");
    // Nothing matches: no header either, exit 1.
    let run = labelsel(&["select", "-f", &fleet, "-l", "env=none", "--show-labels"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:#?}");
}

#[test]
fn a_rollout_in_batches_has_a_header_on_each_batch() {
    let fleet = fleet_file("table_batches");
    let run = labelsel(&[
        "select",
        "-f",
        &fleet,
        "-e",
        "gpu-count",
        "-o",
        "wide",
        "--rollout",
        "7",
        "--batch",
        "2",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{run:#?}");
    assert!(lines[0].starts_with("NAME      GPU-COUNT"), "{run:#?}");
    assert_eq!((lines[3], lines[4]), ("", lines[0]), "{run:#?}");
}

#[test]
fn label_columns_where_there_is_no_table_are_refused() {
    let fleet = fleet_file("label_columns_refused");
    for (args, message) in [
        (
            &["-L", "env", "-o", "json"][..],
            "-L adds columns to the table, which --output json does not print",
        ),
        (
            &["--show-labels", "-o", "ndjson"],
            "--show-labels adds columns to the table, which --output ndjson does not print",
        ),
        (&["-L", "env", "-o", "name"], "--output name does not print"),
        (
            &["-o", "wide", "--count-by", "env"],
            "--output wide lists the matching nodes, so it does not go with --count-by",
        ),
        (&["-o", "wide", "--count"], "does not go with --count"),
        (&["-L", "env", "--count"], "cannot be used with '--count'"),
        (&["-L", "bad key"], "-L \"bad key\" is not a label key"),
    ] {
        let mut full = vec!["select", "-f", &fleet, "-e", "gpu-count"];
        full.extend(args);
        let run = labelsel(&full);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (2, ""),
            "{full:?}: {run:#?}"
        );
        assert!(run.stderr.contains(message), "{full:?}: {run:#?}");
    }
}

#[test]
fn the_table_from_a_database_is_the_table_from_the_file() {
    let dir = temp_dir("table_db");
    let fleet = write_file(&dir, "nodes.ndjson", FLEET);
    let url = format!("sqlite:{}", dir.join("fleet.db").display());
    let run = labelsel(&["load", "--db", &url, "--fleet", &fleet]);
    assert_eq!(run.code, 0, "{run:#?}");
    for args in [
        &[
            "-e",
            "gpu-count>3",
            "-o",
            "wide",
            "-L",
            "topology.kubernetes.io/zone",
        ][..],
        &["-e", "gpu-count", "--show-labels", "-L", "env"],
        &[
            "-e",
            "gpu-count",
            "-o",
            "wide",
            "--rollout",
            "3",
            "--batch",
            "2",
        ],
    ] {
        let from_file = labelsel(&[&["select", "-f", &fleet][..], args].concat());
        let from_db = labelsel(&[&["select", "--db", &url][..], args].concat());
        assert_eq!(from_file.code, 0, "{args:?}: {from_file:#?}");
        assert!(from_file.stdout.starts_with("NAME"), "{from_file:#?}");
        assert_eq!(
            (from_db.code, &from_db.stdout),
            (0, &from_file.stdout),
            "{args:?}: {from_db:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// Hints for selectors written as kubectl users write them
// ---------------------------------------------------------------------------------------------------

#[test]
fn common_mistakes_get_a_hint_after_the_caret() {
    let fleet = fleet_file("hints");
    let cases = [
        (
            "-l",
            "gpu-count>=8",
            "hint: selectors have `>` and `<` only, with integers: use `gpu-count>7` for \
             gpu-count>=8",
        ),
        (
            "-e",
            "env=prod, cpu<=16",
            "hint: selectors have `>` and `<` only, with integers: use `cpu<17` for cpu<=16",
        ),
        ("-l", "!env=prod", "hint: use `env!=prod`"),
        ("-e", "gpu, !debug=true", "hint: use `debug!=true`"),
        (
            "-l",
            "'env=prod'",
            "hint: selectors have no quoting: drop the quotes",
        ),
        (
            "-l",
            "env=\"prod\"",
            "hint: selectors have no quoting: drop the quotes",
        ),
        (
            "-e",
            "env=prod || env=qa",
            "hint: requirements are ANDed; there is no OR: run select twice or use a placement \
             with several required terms",
        ),
        (
            "-l",
            "env=prod or env=qa",
            "hint: requirements are ANDed; there is no OR",
        ),
        (
            "-e",
            "env in (prod or qa)",
            "hint: the values of an `in` list are separated by commas: `env in (prod, qa)`",
        ),
    ];
    for (flag, selector, hint) in cases {
        let run = labelsel(&["select", "-f", &fleet, flag, selector]);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (2, ""),
            "{selector}: {run:#?}"
        );
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert!(lines[0].starts_with("error: "), "{selector}: {run:#?}");
        // The caret error first, then the hint, the last line.
        assert!(
            lines
                .iter()
                .any(|line| line.contains(&format!("{flag} argument 1"))),
            "{selector}: {run:#?}"
        );
        let last = lines.last().copied().unwrap_or_default();
        assert!(last.starts_with(hint), "{selector}: {run:#?}");
        assert_eq!(lines.iter().filter(|l| l.starts_with("hint:")).count(), 1);
    }
    // check gives the same hints.
    let run = labelsel(&["check", "cpu>=8"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("hint: selectors have `>` and `<` only"));
    // Another error has none.
    for selector in ["tier in (a,", "a=b=c", "cpu>x"] {
        let run = labelsel(&["select", "-f", &fleet, "-e", selector]);
        assert_eq!(run.code, 2, "{run:#?}");
        assert!(!run.stderr.contains("hint:"), "{selector}: {run:#?}");
    }
}

// ---------------------------------------------------------------------------------------------------
// --color
// ---------------------------------------------------------------------------------------------------

#[test]
fn color_always_colours_errors_findings_and_verdicts_and_never_colours_nothing() {
    let fleet = fleet_file("colour");
    let runs: [&[&str]; 6] = [
        &["lint", "-e", "env=a", "-e", "env=b"],
        &["lint", "-f", &fleet, "-e", "gpu-count>1, gpu-count>2"],
        &[
            "explain",
            "-f",
            &fleet,
            "--node",
            "a",
            "-e",
            "gpu-count>3",
            "-l",
            "env=qa",
        ],
        &["check", "env in (a"],
        &["select", "-f", &fleet, "-l", "cpu>=8"],
        &["--help"],
    ];
    for args in runs {
        for (flag, coloured) in [
            (&["--color", "always"][..], true),
            (&["--color=always"], true),
            (&["--color", "never"], false),
            (&["--color", "auto"], false),
            (&[], false),
        ] {
            let run = labelsel(&[args, flag].concat());
            let output = format!("{}{}", run.stdout, run.stderr);
            assert_eq!(
                output.contains("\x1b["),
                coloured,
                "{args:?} {flag:?}: {run:#?}"
            );
            assert!(run.code < 3, "{run:#?}");
        }
    }
    // The colours: red errors, yellow warnings, green passes, red failures.
    let run = labelsel(&["--color", "always", "lint", "-e", "env=a", "-e", "env=b"]);
    assert!(
        run.stdout
            .starts_with("\x1b[1m\x1b[31merror\x1b[0m: unsatisfiable"),
        "{run:#?}"
    );
    let run = labelsel(&["lint", "-e", "x>1, x>2", "--color", "always"]);
    assert!(
        run.stdout.starts_with("\x1b[1m\x1b[33mwarning\x1b[0m: "),
        "{run:#?}"
    );
    let run = labelsel(&[
        "explain",
        "--color",
        "always",
        "-f",
        &fleet,
        "--node",
        "a",
        "-e",
        "gpu-count>3",
        "-l",
        "env=qa",
    ]);
    assert!(
        run.stdout.contains("\n  \x1b[1m\x1b[31mfail\x1b[0m  "),
        "{run:#?}"
    );
    assert!(
        run.stdout.contains("\n  \x1b[1m\x1b[32mpass\x1b[0m  "),
        "{run:#?}"
    );
    // Not a choice.
    let run = labelsel(&["--color", "sometimes", "check", "a"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("sometimes"), "{run:#?}");
}

// ---------------------------------------------------------------------------------------------------
// completions and man
// ---------------------------------------------------------------------------------------------------

#[test]
fn completions_for_every_shell_name_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = labelsel(&["completions", shell]);
        assert_eq!(
            (run.code, run.stderr.as_str()),
            (0, ""),
            "{shell}: {run:#?}"
        );
        for word in ["select", "label-columns", "show-labels", "color"] {
            assert!(run.stdout.contains(word), "{shell} lacks {word}: {run:#?}");
        }
    }
    let run = labelsel(&["completions", "tcsh"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:#?}");
    assert!(run.stderr.contains("tcsh"), "{run:#?}");
}

#[test]
fn man_prints_a_roff_page_for_labelsel_and_each_command() {
    let run = labelsel(&["man"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:#?}");
    // clap_mangen's page opens with groff's definition of the quote, then the title.
    let title = run
        .stdout
        .lines()
        .find(|line| line.starts_with('.') && !line.starts_with(".ie") && !line.starts_with(".el"));
    assert!(
        title.is_some_and(|line| line.starts_with(".TH labelsel 1")),
        "{run:#?}"
    );
    assert!(run.stdout.contains("select"), "{run:#?}");
    let run = labelsel(&["man", "select"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.stdout.contains("\n.TH labelsel-select 1"), "{run:#?}");
    assert!(run.stdout.contains("show\\-labels"), "{run:#?}");
    let run = labelsel(&["man", "selekt"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:#?}");
    assert!(
        run.stderr
            .contains("man \"selekt\": no such command; give one of check, select"),
        "{run:#?}"
    );
}

// ---------------------------------------------------------------------------------------------------
// Places in JSON errors
// ---------------------------------------------------------------------------------------------------

#[test]
fn json_errors_in_selector_placement_and_jobs_files_name_file_line_and_column() {
    let dir = temp_dir("json_places");
    let cases: [(&str, &str, &str, &str); 8] = [
        (
            "--selector",
            "job.json",
            "{\n  \"match_labels\": {\"a\": 1}\n}",
            ":2:25: not a selector object: found integer `1`, expected a string",
        ),
        (
            "--selector",
            "job.json",
            "{\n  \"match_expressions\": \"gpu\"\n}",
            ":2:28: not a selector object: found string \"gpu\", expected an array",
        ),
        (
            "--selector",
            "job.json",
            "{\"match_labels\": ",
            ":1:17: not valid JSON: the input ends in the middle of a value",
        ),
        (
            "--selector",
            "job.json",
            "{}\n{}",
            ":2:1: more JSON after the end of a selector object; the file holds one",
        ),
        (
            "--placement",
            "placement.json",
            "[1]",
            ":1:1: not a placement object: found an array, expected a placement object",
        ),
        (
            "--placement",
            "placement.json",
            "{\"required\": [{\"match_labels\": 3}]}",
            ":1:32: not a placement object: found integer `3`, expected an object of label keys",
        ),
        (
            "--affinity",
            "affinity.json",
            "{\"required\": []}",
            ":1:11: not a nodeAffinity object: unknown field `required`",
        ),
        (
            "--jobs",
            "jobs.ndjson",
            "{\"id\": \"a\", \"selector\": {}}\n\n{\"id\": \"b\", \"selector\": {\"match_ids\": \"x\"}}\n",
            ":3:41: not a job object ({\"id\": ..., \"selector\": {...}}): found string \"x\", \
             expected an array",
        ),
    ];
    for (flag, name, text, message) in cases {
        let path = write_file(&dir, name, text);
        let command = match flag {
            "--selector" => "select",
            "--jobs" => "jobs",
            _ => "place",
        };
        let run = labelsel(&[command, flag, &path, "-f", "data/demo-fleet.ndjson"]);
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{text}: {run:#?}");
        let expected = format!("error: {path}{message}");
        assert!(run.stderr.starts_with(&expected), "{text}: {run:#?}");
        assert_eq!(run.stderr.lines().count(), 1, "{text}: {run:#?}");
        for word in ["struct", "sequence", " map", "serde", " at line "] {
            assert!(!run.stderr.contains(word), "{text}: {run:#?}");
        }
    }
}
