//! End-to-end tests of the `labelsel` command with fleets in databases: `load` fills SQLite (always) and
//! PostgreSQL (where `LABELSEL_TEST_DATABASE_URL` names a server), every command given `--db` answers
//! exactly as it does given the same fleet with `--fleet`, `sql` prints statements that run as they
//! stand, and every way a database can fail is one line on stderr and exit 2.

use std::path::{Path, PathBuf};

use crate::support::command::{self, MANIFEST_DIR, Run, write_file};
use crate::support::database::{postgres_url, sqlite_path};

/// The fleet embedded in the binary, read here from the same file.
const DEMO_FLEET_PATH: &str = "data/demo-fleet.ndjson";
const DEMO_NODES: usize = 300;

/// Nodes whose values test the edges of the SQL: integers with a sign, leading zeros, out of the `i64`
/// range or not integers at all, an empty value, a quote, non-ASCII text, no labels. An array, as a
/// fleet file may hold.
const EDGE_NODES: &str = r#"[
  {"id": "edge-plus", "labels": {"cpu": "+5", "env": "prod", "x": "y"}},
  {"id": "edge-zeros", "labels": {"cpu": "007", "x": "z", "tier": "premium"}},
  {"id": "edge-negative", "labels": {"cpu": "-3", "gpu": "nvidia-h100"}},
  {"id": "edge-huge", "labels": {"cpu": "99999999999999999999"}},
  {"id": "edge-max", "labels": {"cpu": "9223372036854775807", "owner": "o'brien"}},
  {"id": "edge-float", "labels": {"cpu": "4.5", "note": "ünïcödé \"quoted\""}},
  {"id": "edge-empty", "labels": {"gpu": "", "tier": ""}}
]"#;

/// Two more nodes as a Kubernetes node list, the third form a fleet file may hold.
const NODE_LIST: &str = r#"{"kind": "NodeList", "items": [
  {"metadata": {"name": "k8s-node-a", "labels": {"env": "prod", "cpu": "16", "gpu": "nvidia-l4"}}},
  {"metadata": {"name": "k8s-node-bare"}}
]}"#;

/// How many nodes the test fleet holds: the demo fleet's, the edge nodes and the node list's.
const FLEET_NODES: usize = DEMO_NODES + 7 + 2;

/// A placement over the demo fleet's labels.
const PLACEMENT: &str = r#"{
    "required": [{"match_labels": {"env": "prod"}}, {"match_expressions": ["gpu"]}],
    "preferred": [{"weight": 10, "selector": {"match_expressions": ["tier=premium"]}},
                  {"weight": -5, "selector": {"match_expressions": ["tier=spot"]}}]
}"#;

/// Pending jobs over the demo fleet's labels.
const JOBS: &str = r#"{"id": "gpu", "selector": {"match_expressions": ["gpu"]}}
{"id": "big", "selector": {"match_expressions": ["cpu>32"]}}
{"id": "prod-premium", "selector": {"match_labels": {"env": "prod", "tier": "premium"}}}
"#;

/// A job-spec selector file.
const JOB: &str = r#"{"match_labels": {"env": "prod"}, "match_expressions": ["gpu-count>1"]}"#;

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

fn labelsel(args: &[&str]) -> Run {
    run_with_stdin(args, "")
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Run {
    command::run(args, stdin)
}

/// A fresh directory for one test's files.
fn temp_dir(test: &str) -> PathBuf {
    command::temp_dir("cli_db", test)
}

/// The test fleet in `dir`: the demo fleet's NDJSON, then the edge nodes as an array, then a node
/// list.
fn fleet_file(dir: &Path) -> String {
    let demo = std::fs::read_to_string(Path::new(MANIFEST_DIR).join(DEMO_FLEET_PATH))
        .expect("the demo fleet is readable");
    write_file(
        dir,
        "fleet.json",
        &format!("{demo}{EDGE_NODES}\n{NODE_LIST}\n"),
    )
}

/// The URL of a new SQLite database for this test.
fn sqlite_url(test: &str) -> String {
    format!("sqlite:{}", sqlite_path(test).display())
}

/// `labelsel load --db URL --fleet FLEET`, which must succeed saying how many nodes it loaded and
/// print nothing on stdout.
#[track_caller]
fn load(url: &str, fleet: &str, nodes: usize) {
    let run = labelsel(&["load", "--db", url, "--fleet", fleet]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "", "{run:#?}");
    assert_eq!(
        run.stderr,
        format!("labelsel: loaded {nodes} nodes into {url}\n"),
        "{run:#?}"
    );
}

/// Asserts that `run` failed with exit 2, saying so in one `error:` line on stderr that holds every
/// one of `needles`, and printing nothing on stdout.
#[track_caller]
fn assert_one_line_error(run: &Run, needles: &[&str]) {
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.stdout, "", "{run:#?}");
    assert_eq!(run.stderr.lines().count(), 1, "not one line: {run:#?}");
    assert!(run.stderr.starts_with("error: "), "{run:#?}");
    for needle in needles {
        assert!(run.stderr.contains(needle), "no {needle:?} in: {run:#?}");
    }
}

/// The selector flags and views `select` is checked with: every operator, integer comparisons on the
/// edge values, ids, every output and view, nothing matching, an empty selector.
fn select_cases(job: &str) -> Vec<Vec<&str>> {
    let cases: Vec<Vec<&str>> = vec![
        vec!["-e", "gpu"],
        vec!["-e", "!gpu"],
        vec!["-e", "x!=y"],
        vec!["-e", "tier!=premium", "-e", "gpu"],
        vec!["-e", "cpu>4"],
        vec!["-e", "cpu<8"],
        vec!["-e", "cpu>0", "-e", "cpu<10"],
        vec!["-e", "cpu<1"],
        vec!["-e", "cpu>4", "-l", "env=prod"],
        vec!["-e", "gpu-count>3", "-e", "memory-gb<100"],
        vec!["-l", "tier in (premium,spot)"],
        vec!["-e", "tier notin (standard)", "-e", "disk"],
        vec!["-l", "env=prod,gpu=nvidia-h100"],
        vec!["-e", "gpu in ()"],
        vec![
            "--id",
            "node-us-east-1-000002",
            "--id",
            "edge-plus",
            "--id",
            "k8s-node-bare",
            "--id",
            "no-such-node",
        ],
        vec!["--id", "edge-float", "-e", "cpu"],
        vec!["-e", "gpu", "--count"],
        vec!["--count"],
        vec!["-e", ""],
        vec!["-e", "nothing=here"],
        vec!["-e", "nothing=here", "--count"],
        vec!["-e", "nothing=here", "-o", "json"],
        vec!["-e", "nothing=here", "-o", "ndjson"],
        vec!["-e", "gpu", "--output", "json"],
        vec!["-e", "cpu>4", "-o", "ndjson"],
        vec!["-o", "ndjson"],
        vec!["-e", "gpu", "-o", "name"],
        vec!["--count", "-o", "json", "-e", "env=prod"],
        vec!["-e", "gpu", "--count-by", "tier"],
        vec!["--count-by", "cpu", "-o", "json"],
        vec!["--count-by", "note"],
        vec!["-e", "nothing=here", "--count-by", "tier"],
        vec!["-e", "env=prod", "--rollout", "42"],
        vec![
            "-e",
            "env=prod",
            "--rollout",
            "42",
            "--canary",
            "10",
            "-o",
            "json",
        ],
        vec!["--rollout", "7", "--batch", "25", "-o", "ndjson"],
        vec!["-e", "nothing=here", "--rollout", "7"],
        vec!["--selector", job],
        vec!["--selector", job, "--count"],
    ];
    cases
        .into_iter()
        .map(|flags| {
            let mut args = vec!["select"];
            args.extend(flags);
            args
        })
        .collect()
}

/// The other commands that read a fleet, each with its flags.
fn other_cases<'a>(placement: &'a str, jobs: &'a str) -> Vec<Vec<&'a str>> {
    vec![
        vec!["explain", "--node", "node-us-east-1-000002", "-e", "gpu"],
        vec![
            "explain",
            "--node",
            "edge-plus",
            "-e",
            "cpu>4",
            "-e",
            "x!=y",
        ],
        vec![
            "explain",
            "--node",
            "k8s-node-bare",
            "-e",
            "!gpu",
            "-o",
            "json",
        ],
        vec!["explain", "--node", "no-such-node", "-e", "gpu"],
        vec!["diagnose", "-e", "gpu", "-l", "env=prod"],
        vec!["diagnose", "-e", "cpu>4", "-o", "json"],
        vec!["lint", "-e", "teir=premium"],
        vec!["lint", "-e", "tier=premum", "-o", "json"],
        vec!["place", "--placement", placement, "--top", "5"],
        vec![
            "place",
            "--placement",
            placement,
            "--explain",
            "edge-negative",
        ],
        vec!["jobs", "--jobs", jobs],
        vec!["jobs", "--jobs", jobs, "--node", "node-us-east-1-000002"],
        vec!["jobs", "--jobs", jobs, "--node", "edge-empty", "-o", "json"],
    ]
}

/// Loads the test fleet into `url`, then checks that every command answers with `--db url` exactly
/// (stdout, stderr and exit status) as with `--fleet FILE`.
fn db_answers_as_the_file(test: &str, url: &str) {
    let dir = temp_dir(test);
    let fleet = fleet_file(&dir);
    let job = write_file(&dir, "job.json", JOB);
    let placement = write_file(&dir, "placement.json", PLACEMENT);
    let jobs = write_file(&dir, "jobs.ndjson", JOBS);
    load(url, &fleet, FLEET_NODES);

    let mut cases = select_cases(&job);
    cases.extend(other_cases(&placement, &jobs));
    let (mut matched, mut unmatched) = (0, 0);
    for args in &cases {
        // `--fleet`/`--db` right after the command's name.
        let with = |flag: &'static str, source: &str| {
            let mut with = args.clone();
            with.splice(1..1, [flag, source]);
            labelsel(&with)
        };
        let from_file = with("--fleet", &fleet);
        let from_db = with("--db", url);
        assert_eq!(
            (from_db.code, &from_db.stdout, &from_db.stderr),
            (from_file.code, &from_file.stdout, &from_file.stderr),
            "labelsel {args:?} with --db {url} (left) and with --fleet (right): {from_db:#?}"
        );
        assert!(
            from_db.code == 0 || from_db.code == 1 || args[0] == "explain",
            "{args:?}: {from_db:#?}"
        );
        assert!(!from_db.stderr.contains("demo fleet"), "{from_db:#?}");
        match from_db.code {
            0 => matched += 1,
            1 => unmatched += 1,
            _ => {}
        }
    }
    // The cases are not all trivially the same.
    assert!(
        matched > 30 && unmatched > 5,
        "{matched} matched, {unmatched} not"
    );

    // The edge values compare as integers, or not at all.
    let run = labelsel(&[
        "select",
        "--db",
        url,
        "-e",
        "cpu>4",
        "--id",
        "edge-plus",
        "--id",
        "edge-zeros",
        "--id",
        "edge-negative",
        "--id",
        "edge-huge",
        "--id",
        "edge-max",
        "--id",
        "edge-float",
    ]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "edge-plus\nedge-zeros\nedge-max\n"),
        "{run:#?}"
    );
    // The nodes come back with every label, as a fleet file holds them.
    let run = labelsel(&["select", "--db", url, "--id", "edge-float", "-o", "ndjson"]);
    assert_eq!(
        run.stdout,
        "{\"id\":\"edge-float\",\"labels\":{\"cpu\":\"4.5\",\"note\":\"ünïcödé \\\"quoted\\\"\"}}\n",
        "{run:#?}"
    );
}

// ---------------------------------------------------------------------------------------------------
// load, and the commands with --db
// ---------------------------------------------------------------------------------------------------

#[test]
fn every_command_answers_from_sqlite_as_from_the_fleet_file() {
    let url = sqlite_url("cli_db_answers");
    db_answers_as_the_file("answers_sqlite", &url);
}

#[test]
fn every_command_answers_from_postgres_as_from_the_fleet_file() {
    let Some(url) = postgres_url("cli_db_answers") else {
        return;
    };
    db_answers_as_the_file("answers_postgres", &url);
}

/// Loading replaces the fleet, from a file or stdin; a bad fleet file is reported as `--fleet` reports
/// it and leaves the fleet in the database as it was.
fn load_replaces_the_fleet_and_a_bad_file_changes_nothing(test: &str, url: &str) {
    let dir = temp_dir(test);
    let demo = Path::new(MANIFEST_DIR).join(DEMO_FLEET_PATH);
    load(url, demo.to_str().expect("UTF-8 path"), DEMO_NODES);
    let count = || labelsel(&["select", "--db", url, "--count"]);
    assert_eq!(count().stdout, "300\n");

    let small = r#"{"id":"n1","labels":{"zone":"a"}}
{"id":"n2","labels":null}
"#;
    let run = run_with_stdin(&["load", "--db", url, "-f", "-"], small);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr),
        (0, "", format!("labelsel: loaded 2 nodes into {url}\n"))
    );
    assert_eq!(count().stdout, "2\n");
    let run = labelsel(&["select", "--db", url, "-o", "ndjson"]);
    assert_eq!(
        run.stdout,
        "{\"id\":\"n1\",\"labels\":{\"zone\":\"a\"}}\n{\"id\":\"n2\",\"labels\":{}}\n"
    );

    for (name, contents, error) in [
        (
            "duplicate.ndjson",
            "{\"id\":\"a\"}\n[{\"id\":\"b\"},{\"id\":\"a\"}]\n",
            ":2:13: node 2 of the array: node id \"a\" appears twice",
        ),
        (
            "truncated.ndjson",
            "{\"id\":\"a\"}\n{\"id\":",
            ":2:6: not valid JSON",
        ),
        (
            "empty-id.json",
            "{\"kind\":\"NodeList\",\"items\":[{\"metadata\":{\"name\":\"\"}}]}",
            ":1:29: node 1 of the NodeList: node id \"\" is empty",
        ),
        (
            "not-a-node.ndjson",
            "{\"id\":\"a\",\"labels\":{\"cpu\":4}}\n",
            ":1:27: not a node object: the value of label \"cpu\" must be a string",
        ),
    ] {
        let path = write_file(&dir, name, contents);
        let run = labelsel(&["load", "--db", url, "--fleet", &path]);
        assert_one_line_error(&run, &[&format!("{path}{error}")]);
        // The same error as `select --fleet` gives.
        let read = labelsel(&["select", "--fleet", &path]);
        assert_eq!(run.stderr, read.stderr);
        assert_eq!(count().stdout, "2\n", "{name} changed the fleet");
    }
    let run = labelsel(&["load", "--db", url, "--fleet", "no/such/fleet.ndjson"]);
    assert_one_line_error(&run, &["cannot read fleet file no/such/fleet.ndjson"]);
    assert_eq!(count().stdout, "2\n");
}

#[test]
fn sqlite_load_replaces_the_fleet_and_a_bad_file_changes_nothing() {
    let url = sqlite_url("cli_db_replace");
    load_replaces_the_fleet_and_a_bad_file_changes_nothing("replace_sqlite", &url);
}

#[test]
fn postgres_load_replaces_the_fleet_and_a_bad_file_changes_nothing() {
    let Some(url) = postgres_url("cli_db_replace") else {
        return;
    };
    load_replaces_the_fleet_and_a_bad_file_changes_nothing("replace_postgres", &url);
}

#[test]
fn load_creates_the_sqlite_file_and_select_creates_none() {
    let path = sqlite_path("cli_db_creates");
    let url = format!("sqlite:{}", path.display());
    // Reading a database that does not exist is an error, and creates nothing.
    let run = labelsel(&["select", "--db", &url, "-e", "gpu"]);
    assert_one_line_error(&run, &["cannot connect to", &url]);
    assert!(!path.exists());
    // An empty file is an SQLite database without a fleet.
    std::fs::write(&path, "").unwrap();
    for args in [
        &["select", "--db", &url, "-e", "gpu"][..],
        &["diagnose", "--db", &url, "-e", "gpu"],
        &["lint", "--db", &url, "-e", "gpu"],
    ] {
        let run = labelsel(args);
        assert_one_line_error(
            &run,
            &[&format!(
                "{url} holds no labelsel fleet; create one with `labelsel load --db {url}"
            )],
        );
    }
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0, "a reader wrote");
    std::fs::remove_file(&path).unwrap();
    load(&url, DEMO_FLEET_PATH, DEMO_NODES);
    assert!(path.exists());
}

#[test]
fn load_refuses_an_in_memory_database() {
    let run = labelsel(&[
        "load",
        "--db",
        "sqlite::memory:",
        "--fleet",
        DEMO_FLEET_PATH,
    ]);
    assert_one_line_error(&run, &["sqlite::memory:", "sqlite:PATH"]);
}

// ---------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------

#[test]
fn a_url_of_no_database_labelsel_reads_is_one_line_naming_the_ones_it_does() {
    for args in [
        &["select", "--db", "mysql://x", "-e", "gpu"][..],
        &["select", "--db", "mysql://x", "--count"],
        &["explain", "--db", "mysql://x", "--node", "n", "-e", "gpu"],
        &["load", "--db", "mysql://x", "--fleet", DEMO_FLEET_PATH],
        &["lint", "--db", "fleet.db", "-e", "gpu"],
    ] {
        let run = labelsel(args);
        assert_one_line_error(&run, &["postgresql://", "sqlite:"]);
    }
}

#[test]
fn a_database_that_cannot_be_reached_is_one_line_and_exit_2() {
    for args in [
        &[
            "select",
            "--db",
            "sqlite:/nonexistent/dir/x.db",
            "-e",
            "gpu",
        ][..],
        &[
            "load",
            "--db",
            "sqlite:/nonexistent/dir/x.db",
            "--fleet",
            DEMO_FLEET_PATH,
        ],
        &[
            "select",
            "--db",
            "postgresql://postgres@127.0.0.1:1/x",
            "-e",
            "gpu",
        ],
        &[
            "place",
            "--db",
            "postgres://postgres@127.0.0.1:1/x",
            "--placement",
            "-",
        ],
        &[
            "load",
            "--db",
            "postgresql://postgres@127.0.0.1:1/x",
            "--fleet",
            DEMO_FLEET_PATH,
        ],
    ] {
        let run = run_with_stdin(args, PLACEMENT);
        assert_one_line_error(&run, &["cannot connect to", args[2]]);
    }
}

#[test]
fn a_password_in_the_url_is_never_shown() {
    let run = labelsel(&[
        "select",
        "--db",
        "postgresql://postgres:s3cret@127.0.0.1:1/x",
        "-e",
        "gpu",
    ]);
    assert_one_line_error(&run, &["postgresql://postgres:***@127.0.0.1:1/x"]);
    assert!(!run.stderr.contains("s3cret"), "{run:#?}");
}

#[test]
fn an_sqlite_file_that_is_not_a_labelsel_fleet_is_left_alone() {
    let dir = temp_dir("foreign_sqlite");
    let not_a_database = write_file(&dir, "notes.txt", "not a database\n");
    let url = format!("sqlite:{not_a_database}");
    for args in [
        &["select", "--db", &url, "-e", "gpu"][..],
        &["load", "--db", &url, "--fleet", DEMO_FLEET_PATH],
    ] {
        assert_one_line_error(&labelsel(args), &[&url, "not a database"]);
    }
    assert_eq!(
        std::fs::read_to_string(&not_a_database).unwrap(),
        "not a database\n"
    );

    // A database with a table of labelsel's name that labelsel did not create.
    let path = sqlite_path("cli_db_foreign");
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute_batch(
            "CREATE TABLE labelsel_nodes (name TEXT); INSERT INTO labelsel_nodes VALUES ('x');",
        )
        .unwrap();
    let url = format!("sqlite:{}", path.display());
    for args in [
        &["select", "--db", &url, "-e", "gpu"][..],
        &["load", "--db", &url, "--fleet", DEMO_FLEET_PATH],
    ] {
        assert_one_line_error(&labelsel(args), &[&url, "labelsel_nodes", "left alone"]);
    }
    let rows: i64 = connection
        .query_row("SELECT count(*) FROM labelsel_nodes", [], |row| row.get(0))
        .unwrap();
    let tables: i64 = connection
        .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
        .unwrap();
    assert_eq!((rows, tables), (1, 1), "the foreign database was changed");
}

#[test]
fn a_postgres_schema_that_is_not_a_labelsel_fleet_is_left_alone() {
    let Some(url) = postgres_url("cli_db_foreign") else {
        return;
    };
    // Reading an empty schema is an error, and creates nothing.
    let run = labelsel(&["select", "--db", &url, "-e", "gpu"]);
    assert_one_line_error(&run, &["holds no labelsel fleet", "labelsel load --db"]);
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let tables = |client: &mut postgres::Client| -> i64 {
        client
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
                &[],
            )
            .unwrap()
            .get(0)
    };
    assert_eq!(tables(&mut client), 0, "select created tables");

    client
        .batch_execute(
            "CREATE TABLE labelsel_nodes (name text); INSERT INTO labelsel_nodes VALUES ('x');",
        )
        .unwrap();
    for args in [
        &["select", "--db", &url, "-e", "gpu"][..],
        &["load", "--db", &url, "--fleet", DEMO_FLEET_PATH],
    ] {
        assert_one_line_error(&labelsel(args), &["labelsel_nodes", "left alone"]);
    }
    let rows: i64 = client
        .query_one("SELECT count(*) FROM labelsel_nodes", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        (rows, tables(&mut client)),
        (1, 1),
        "the schema was changed"
    );
}

#[test]
fn a_postgres_login_that_is_refused_is_one_line() {
    let Some(url) = postgres_url("cli_db_login") else {
        return;
    };
    // The same server, as a role that does not exist.
    let (scheme, rest) = url.split_once("://").unwrap();
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    let url = format!("{scheme}://labelsel_no_such_role@{host}");
    let run = labelsel(&["select", "--db", &url, "-e", "gpu"]);
    assert_one_line_error(&run, &["refused the login", "labelsel_no_such_role"]);
}

#[test]
fn db_and_fleet_cannot_both_be_given() {
    for args in [
        &["select", "--db", "sqlite:x.db", "--fleet", DEMO_FLEET_PATH][..],
        &[
            "lint",
            "--db",
            "sqlite:x.db",
            "-f",
            DEMO_FLEET_PATH,
            "-e",
            "gpu",
        ],
        &[
            "jobs",
            "--jobs",
            "-",
            "--db",
            "sqlite:x.db",
            "--node",
            "n",
            "-l",
            "a=b",
        ],
    ] {
        let run = labelsel(args);
        assert_eq!(run.code, 2, "{run:#?}");
        assert!(run.stderr.contains("cannot be used with"), "{run:#?}");
        assert_eq!(run.stdout, "");
    }
    // `load` needs both.
    for args in [
        &["load", "--db", "sqlite:x.db"][..],
        &["load", "--fleet", DEMO_FLEET_PATH],
    ] {
        let run = labelsel(args);
        assert_eq!(run.code, 2, "{run:#?}");
        assert!(run.stderr.contains("required"), "{run:#?}");
    }
    assert!(!Path::new(MANIFEST_DIR).join("x.db").exists());
}

// ---------------------------------------------------------------------------------------------------
// sql
// ---------------------------------------------------------------------------------------------------

/// Selectors whose statements are run by hand and checked against `select --db`.
const SQL_SELECTORS: &[&[&str]] = &[
    &["-e", "gpu", "-l", "env=prod"],
    &["-e", "tier in (premium,spot)", "-e", "cpu>4"],
    &["-e", "x!=y", "-e", "cpu<8"],
    &["-e", "!gpu", "--id", "edge-huge", "--id", "k8s-node-bare"],
    &["-e", "nothing=here"],
];

/// `sql --dialect DIALECT` with `flags` (and `--count` when `count`): the statement, which must
/// hold no placeholder.
#[track_caller]
fn statement(dialect: &str, flags: &[&str], count: bool) -> String {
    let mut args = vec!["sql", "--dialect", dialect];
    args.extend_from_slice(flags);
    if count {
        args.push("--count");
    }
    let run = labelsel(&args);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:#?}");
    let placeholder = if dialect == "sqlite" { '?' } else { '$' };
    let bytes = run.stdout.as_bytes();
    assert!(
        !bytes
            .windows(2)
            .any(|w| w[0] == placeholder as u8 && w[1].is_ascii_digit()),
        "a placeholder in {}",
        run.stdout
    );
    run.stdout
}

/// `select --db url` with `flags`: the ids, or with `--count` the number.
fn selected(url: &str, flags: &[&str], count: bool) -> String {
    let mut args = vec!["select", "--db", url];
    args.extend_from_slice(flags);
    if count {
        args.push("--count");
    }
    labelsel(&args).stdout
}

#[test]
fn sql_prints_the_statement_with_its_literals_written_in() {
    let text = statement(
        "sqlite",
        &["-e", "tier in (premium,spot)", "-e", "cpu>4"],
        false,
    );
    assert!(text.contains("labelsel_labels"), "{text}");
    assert!(
        text.contains(r#"json_each('["premium","spot"]')"#),
        "{text}"
    );
    assert!(text.contains("> 4"), "{text}");
    let text = statement("postgres", &["-e", "gpu", "-l", "env=prod"], false);
    assert!(
        text.contains("jsonb_build_object('env'::text, 'prod'::text)"),
        "{text}"
    );
    assert_eq!(
        text,
        statement("postgresql", &["-e", "gpu", "-l", "env=prod"], false)
    );
    let count = statement("sqlite", &["-e", "gpu"], true);
    assert!(count.starts_with("SELECT count(*)"), "{count}");
    // A selector file, narrowed by the flags, as elsewhere.
    let dir = temp_dir("sql_selector_file");
    let job = write_file(&dir, "job.json", JOB);
    let text = statement("postgres", &["--selector", &job, "--id", "n-1"], false);
    assert!(
        text.contains("'gpu-count'") && text.contains("'n-1'"),
        "{text}"
    );
}

#[test]
fn sql_needs_a_dialect_and_a_valid_selector() {
    let run = labelsel(&["sql", "-e", "gpu"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("--dialect"), "{run:#?}");
    let run = labelsel(&["sql", "--dialect", "mysql", "-e", "gpu"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("mysql"), "{run:#?}");
    let run = labelsel(&[
        "sql",
        "--dialect",
        "sqlite",
        "-e",
        "gpu",
        "-e",
        "tier in (a,",
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:#?}");
    assert!(run.stderr.contains("-e argument 2"), "{run:#?}");
}

#[test]
fn sql_for_sqlite_runs_as_it_stands_and_finds_what_select_finds() {
    let url = sqlite_url("cli_db_sql");
    let dir = temp_dir("sql_sqlite");
    load(&url, &fleet_file(&dir), FLEET_NODES);
    let path = url.strip_prefix("sqlite:").unwrap();
    let connection = rusqlite::Connection::open(path).unwrap();
    for flags in SQL_SELECTORS {
        let text = statement("sqlite", flags, false);
        let mut prepared = connection.prepare(&text).unwrap();
        let ids: Vec<String> = prepared
            .query_map([], |row| row.get(0))
            .and_then(|rows| rows.collect())
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        let ids: String = ids.iter().map(|id| format!("{id}\n")).collect();
        assert_eq!(ids, selected(&url, flags, false), "{flags:?}");

        let text = statement("sqlite", flags, true);
        let count: i64 = connection
            .query_row(&text, [], |row| row.get(0))
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            format!("{count}\n"),
            selected(&url, flags, true),
            "{flags:?}"
        );
    }
}

#[test]
fn sql_for_postgres_runs_as_it_stands_and_finds_what_select_finds() {
    let Some(url) = postgres_url("cli_db_sql") else {
        return;
    };
    let dir = temp_dir("sql_postgres");
    load(&url, &fleet_file(&dir), FLEET_NODES);
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for flags in SQL_SELECTORS {
        let text = statement("postgres", flags, false);
        let rows = client
            .query(&text, &[])
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        let ids: String = rows
            .iter()
            .map(|row| format!("{}\n", row.get::<_, String>(0)))
            .collect();
        assert_eq!(ids, selected(&url, flags, false), "{flags:?}");

        let text = statement("postgres", flags, true);
        let count: i64 = client
            .query_one(&text, &[])
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .get(0);
        assert_eq!(
            format!("{count}\n"),
            selected(&url, flags, true),
            "{flags:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------------------------------

#[test]
fn help_documents_the_database_urls() {
    for command in [
        "select", "explain", "diagnose", "lint", "place", "jobs", "load",
    ] {
        let run = labelsel(&[command, "--help"]);
        assert_eq!(run.code, 0, "{run:#?}");
        for needle in [
            "--db <URL>",
            "postgresql://USER@HOST[:PORT]/DB",
            "sqlite:PATH",
        ] {
            assert!(
                run.stdout.contains(needle),
                "{command} --help: {needle:?} in {run:#?}"
            );
        }
    }
    let run = labelsel(&["--help"]);
    for needle in ["load", "sql", "--db", "postgresql://USER@HOST[:PORT]/DB"] {
        assert!(run.stdout.contains(needle), "{needle:?} in {run:#?}");
    }
    let run = labelsel(&["sql", "--help"]);
    assert!(
        run.stdout.contains("--dialect <DIALECT>") && run.stdout.contains("labelsel sql --dialect"),
        "{run:#?}"
    );
}
