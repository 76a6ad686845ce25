//! The selector pushed down to SQL, checked against the in-memory engines: every recorded case gives
//! Kubernetes' verdict in SQLite and in PostgreSQL; the workload's 15 selectors and random selectors
//! over random churn give the same ids in the same order as [`Fleet::select`]; the statements are
//! parameterised and served by the indexes; and every way a store can fail is one clear line.
//!
//! SQLite runs everywhere; PostgreSQL where `LABELSEL_TEST_DATABASE_URL` names a server (see
//! `support::database`).

use std::collections::BTreeMap;

use crate::fleet_properties::{Labels, Op, id, op, selector};
use crate::support::conformance::{Case, Node, selector_cases, string_cases};
use crate::support::database::{postgres_url, sqlite_path};
use crate::support::workload::Workload;
use labelsel::{Dialect, Fleet, Matcher, Selector, SqlFleet, SqlParam, SqliteFleet, StoreError};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// The stores a test runs on: SQLite always (in a file, as users keep it), PostgreSQL when a server
/// is configured; each with a name for messages.
fn stores(test: &str) -> Vec<(&'static str, SqlFleet)> {
    let path = sqlite_path(test);
    let url = format!("sqlite:{}", path.display());
    let mut stores = vec![(
        "SQLite",
        SqlFleet::open(&url).expect("a new SQLite file opens"),
    )];
    if let Some(url) = postgres_url(test) {
        let store = SqlFleet::open(&url).unwrap_or_else(|e| panic!("{e}"));
        stores.push(("PostgreSQL", store));
    }
    stores
}

// ---------------------------------------------------------------------------------------------------
// The recorded cases
// ---------------------------------------------------------------------------------------------------

/// Each store's verdict on the nodes of a case: the nodes are loaded (ids repeat in some cases, so
/// as [`Fleet`] sees them: groups of distinct ids, one load each), the selector selects, and a node's
/// verdict is whether its id came back. `None` when the store refuses a node it cannot hold (a NUL
/// character in PostgreSQL), which it must say.
fn store_verdicts(store: &mut SqlFleet, matcher: &Matcher, nodes: &[&Node]) -> Option<Vec<bool>> {
    let mut verdicts = vec![false; nodes.len()];
    let mut placed = vec![false; nodes.len()];
    while let Some(first) = placed.iter().position(|p| !p) {
        let mut members: Vec<usize> = Vec::new();
        for i in first..nodes.len() {
            if !placed[i] && !members.iter().any(|&m| nodes[m].id == nodes[i].id) {
                placed[i] = true;
                members.push(i);
            }
        }
        let group = members.iter().map(|&i| (&nodes[i].id, &nodes[i].labels));
        match store.load(group) {
            Ok(_) => {}
            Err(StoreError::Unstorable { detail, .. }) if detail.contains("NUL") => return None,
            Err(e) => panic!("{e}"),
        }
        let selected = store.select(matcher).unwrap_or_else(|e| panic!("{e}"));
        let counted = store.count(matcher).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            counted as usize,
            selected.len(),
            "count and select disagree"
        );
        for &i in &members {
            verdicts[i] = selected.contains(&nodes[i].id);
        }
    }
    Some(verdicts)
}

/// Replays every accepted case of `cases` through each store; panics with every disagreement.
fn replay_in_stores(test: &str, cases: &[Case]) {
    for (engine, mut store) in stores(test) {
        let mut failures = Vec::new();
        let (mut replayed, mut unstorable) = (0, 0);
        for case in cases.iter().filter(|case| case.ok) {
            let selector = case
                .selector
                .clone()
                .expect("an accepted case has a selector");
            let matcher = selector
                .compile()
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
            let nodes: Vec<&Node> = case.nodes.iter().map(|(node, _)| node).collect();
            let want: Vec<bool> = case.nodes.iter().map(|(_, want)| *want).collect();
            let Some(got) = store_verdicts(&mut store, &matcher, &nodes) else {
                let nul = |text: &str| text.contains('\0');
                assert!(
                    nodes.iter().any(|node| {
                        nul(&node.id) || node.labels.iter().any(|(k, v)| nul(k) || nul(v))
                    }),
                    "{}: {engine} refused nodes without a NUL",
                    case.name
                );
                unstorable += 1;
                continue;
            };
            if got != want {
                failures.push(format!(
                    "{}: {engine} gives {got:?}, want {want:?}",
                    case.name
                ));
            }
            replayed += 1;
        }
        assert!(replayed > 0);
        if unstorable > 0 {
            eprintln!("{test}: {engine} refused the nodes of {unstorable} cases, which hold NUL");
        }
        assert!(
            failures.is_empty(),
            "{} disagreements with Kubernetes in {engine}:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

#[test]
fn upstream_cases_in_sql() {
    replay_in_stores("upstream", &string_cases("k8s-upstream.jsonl"));
}

#[test]
fn generated_cases_in_sql() {
    replay_in_stores("generated", &string_cases("k8s-labels.jsonl"));
}

#[test]
fn long_selectors_in_sql() {
    replay_in_stores("long", &string_cases("k8s-long.jsonl"));
}

#[test]
fn job_spec_selectors_in_sql() {
    replay_in_stores("job_specs", &selector_cases("selectors.jsonl"));
}

// ---------------------------------------------------------------------------------------------------
// The workload
// ---------------------------------------------------------------------------------------------------

/// The workload's 15 selectors on 3,000 generated nodes: the same ids in the same order in memory and
/// in each store, before and after churn (replacements keep their place, removed nodes inserted
/// again go last), and `Fleet::load_from` rebuilds the same fleet.
#[test]
fn workload_selectors_give_the_in_memory_ids_in_order() {
    let workload = Workload::generate(3_000, 7);
    let matchers: Vec<(String, Matcher)> = workload
        .selectors
        .iter()
        .map(|named| {
            (
                named.name.clone(),
                named.selector.compile().expect("compiles"),
            )
        })
        .collect();
    let mut fleet = Fleet::new();
    for node in &workload.nodes {
        fleet.insert(&node.id, &node.labels);
    }
    for (engine, mut store) in stores("workload") {
        let nodes = workload.nodes.iter().map(|node| (&node.id, &node.labels));
        assert_eq!(store.load(nodes).unwrap(), 3_000);
        let mut fleet = fleet.clone();
        for round in 0..2 {
            for (name, matcher) in &matchers {
                let want: Vec<&str> = fleet.select(matcher).iter().collect();
                let got = store.select(matcher).unwrap();
                assert_eq!(got, want, "{engine}, round {round}: {name}");
                assert_eq!(store.count(matcher).unwrap() as usize, want.len());
            }
            // Churn: relabel every 7th node, remove every 11th, insert some of those again.
            for (n, node) in workload.nodes.iter().enumerate() {
                if n % 7 == 0 {
                    let mut labels = node.labels.clone();
                    labels.insert("cpu".into(), format!("{}", n % 97));
                    labels.remove("zone");
                    assert_eq!(
                        store.insert(&node.id, &labels).unwrap(),
                        fleet.insert(&node.id, &labels)
                    );
                }
                if n % 11 == 0 {
                    assert_eq!(store.remove(&node.id).unwrap(), fleet.remove(&node.id));
                }
                if n % 33 == 0 {
                    assert!(!store.insert(&node.id, &node.labels).unwrap());
                    fleet.insert(&node.id, &node.labels);
                }
            }
        }
        assert_eq!(store.len().unwrap() as usize, fleet.len());
        let replica = Fleet::load_from(&mut store).unwrap();
        let contents = |fleet: &Fleet| -> Vec<(String, Vec<(String, String)>)> {
            fleet
                .iter()
                .map(|(id, labels)| {
                    let labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string()));
                    (id.to_string(), labels.collect())
                })
                .collect()
        };
        assert_eq!(contents(&replica), contents(&fleet), "{engine}: load_from");
    }
}

// ---------------------------------------------------------------------------------------------------
// Random fleets and selectors
// ---------------------------------------------------------------------------------------------------

/// Applies an operation to the fleet and the store alike; their answers must agree.
fn apply(
    engine: &str,
    fleet: &mut Fleet,
    store: &mut SqlFleet,
    op: &Op,
) -> Result<(), TestCaseError> {
    let insert = |fleet: &mut Fleet, store: &mut SqlFleet, id: &str, labels: &Labels| {
        let pairs = || labels.iter().map(|(k, v)| (k, v));
        let replaced = store.insert(id, pairs()).unwrap();
        prop_assert_eq!(
            replaced,
            fleet.insert(id, pairs()),
            "{}: insert {}",
            engine,
            id
        );
        Ok(())
    };
    let ids: Vec<String> = fleet.iter().map(|(id, _)| id.to_string()).collect();
    match op {
        Op::Insert(i, labels) => insert(fleet, store, &id(*i), labels)?,
        Op::Replace(at, labels) if !ids.is_empty() => {
            insert(fleet, store, &ids[at % ids.len()], labels)?
        }
        Op::Remove(at) if !ids.is_empty() => {
            let id = &ids[at % ids.len()];
            prop_assert!(store.remove(id).unwrap() && fleet.remove(id));
        }
        Op::RemoveId(i) => {
            let id = id(*i);
            prop_assert_eq!(store.remove(&id).unwrap(), fleet.remove(&id));
        }
        Op::RemoveMost {
            keep_one_in,
            offset,
        } => {
            for (at, id) in ids.iter().enumerate() {
                if at % keep_one_in != offset % keep_one_in {
                    prop_assert!(store.remove(id).unwrap() && fleet.remove(id));
                }
            }
        }
        Op::Replace(..) | Op::Remove(_) => {}
    }
    Ok(())
}

/// Random operations (keys absent, empty values, integers written as `+2`, `007`, `-0`, and values
/// out of the `i64` range) applied to a fleet and to each store, then random selectors: the same ids
/// in the same order, and the same counts.
#[test]
fn random_selectors_over_random_churn_agree_with_memory() {
    let mut stores = stores("random");
    let strategy = (vec(op(5), 1..120), vec(selector(), 6));
    for (engine, store) in &mut stores {
        // A round trip per operation: fewer cases against a server.
        let cases = if *engine == "SQLite" { 48 } else { 16 };
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        // The runner takes a `Fn`: the store is borrowed for each case.
        let store = std::cell::RefCell::new(store);
        let result = runner.run(&strategy, |(ops, selectors)| {
            let store = &mut **store.borrow_mut();
            store.load(Vec::<(String, Labels)>::new()).unwrap();
            let mut fleet = Fleet::new();
            for op in &ops {
                apply(engine, &mut fleet, store, op)?;
            }
            for selector in &selectors {
                let Ok(matcher) = selector.compile() else {
                    continue;
                };
                let want: Vec<&str> = fleet.select(&matcher).iter().collect();
                let got = store.select(&matcher).unwrap();
                prop_assert_eq!(&got, &want, "{}: {:?}", engine, selector);
                prop_assert_eq!(store.count(&matcher).unwrap() as usize, want.len());
            }
            Ok(())
        });
        if let Err(error) = result {
            panic!("{engine}: {error}");
        }
    }
}

/// Integer comparisons read exactly what `i64::from_str` (Go's `ParseInt`) reads, at the edges.
#[test]
fn integer_comparisons_read_exactly_the_i64_values() {
    let values = [
        "0",
        "-0",
        "+0",
        "7",
        "+7",
        "-7",
        "007",
        "-007",
        "0000000000000000000000000000007",
        "",
        "+",
        "-",
        "+-1",
        "1e3",
        "1.0",
        " 1",
        "1 ",
        "0x10",
        "١",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "09223372036854775807",
        "-09223372036854775808",
        "99999999999999999999",
        "12a",
    ];
    let thresholds = [
        "0",
        "6",
        "7",
        "8",
        "9223372036854775806",
        "9223372036854775807",
    ];
    let mut fleet = Fleet::new();
    for (n, value) in values.iter().enumerate() {
        fleet.insert(&format!("node-{n}"), [("n", *value)]);
    }
    for (engine, mut store) in stores("integers") {
        store
            .load(
                values
                    .iter()
                    .enumerate()
                    .map(|(n, v)| (format!("node-{n}"), [("n", *v)])),
            )
            .unwrap();
        for threshold in thresholds {
            for operator in [">", "<"] {
                let expression = format!("n{operator}{threshold}");
                let matcher = Selector::new().expression(&expression).compile().unwrap();
                let want: Vec<&str> = fleet.select(&matcher).iter().collect();
                assert_eq!(
                    store.select(&matcher).unwrap(),
                    want,
                    "{engine}: {expression}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The statements
// ---------------------------------------------------------------------------------------------------

/// Values are parameters, never text: a value that would end a string literal stays a parameter.
#[test]
fn values_are_parameters_not_text() {
    let matcher = Selector::new()
        .expression("owner in (robert, bobby-tables), team!=x")
        .id("node'; DROP TABLE labelsel_nodes; --")
        .compile()
        .unwrap();
    for dialect in [Dialect::Postgres, Dialect::Sqlite] {
        let statement = matcher.to_sql(dialect);
        assert!(!statement.text().contains("robert"), "{}", statement.text());
        assert!(!statement.text().contains("DROP"), "{}", statement.text());
        let values = match dialect {
            Dialect::Sqlite => vec!["bobby-tables".into(), "robert".into()],
            _ => vec![
                r#"{"owner":"bobby-tables"}"#.into(),
                r#"{"owner":"robert"}"#.into(),
            ],
        };
        assert!(statement.params().contains(&SqlParam::TextList(values)));
        // Written in for reading, the quote is doubled.
        assert!(
            statement
                .inline()
                .contains("'node''; DROP TABLE labelsel_nodes; --'")
        );
    }
}

/// The inlined statements run as they stand, with the parameterised ones' answers (an id with a
/// quote included).
#[test]
fn inlined_statements_run_and_agree() {
    let nodes = [
        ("a", vec![("zone", "x"), ("cpu", "16")]),
        ("o'brien", vec![("zone", "y"), ("cpu", "4")]),
        ("c", vec![("zone", "y"), ("cpu", "2")]),
        ("d", vec![]),
    ];
    let matcher = Selector::new()
        .expression("zone in (x, y), cpu>3, !gpu")
        .id("a")
        .id("o'brien")
        .id("d")
        .compile()
        .unwrap();
    let mut store = SqliteFleet::open_in_memory().unwrap();
    store.load(nodes.clone()).unwrap();
    assert_eq!(store.select(&matcher).unwrap(), ["a", "o'brien"]);
    let inline = matcher.to_sql(Dialect::Sqlite).inline();
    assert!(!inline.contains("?1"), "{inline}");
    let path = sqlite_path("inline");
    let mut file = SqliteFleet::open(&path).unwrap();
    file.load(nodes.clone()).unwrap();
    drop(file);
    // The inlined statement, run by SQLite itself on the file.
    let connection = rusqlite::Connection::open(&path).unwrap();
    let ids: Vec<String> = connection
        .prepare(&inline)
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids, ["a", "o'brien"]);
    let _ = std::fs::remove_file(path);

    if let Some(url) = postgres_url("inline") {
        let mut pg = SqlFleet::open(&url).unwrap();
        pg.load(nodes).unwrap();
        assert_eq!(pg.select(&matcher).unwrap(), ["a", "o'brien"]);
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let inline = matcher.to_sql(Dialect::Postgres).inline();
        let rows = client.query(inline.as_str(), &[]).unwrap();
        let ids: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
        assert_eq!(ids, ["a", "o'brien"], "{inline}");
    }
}

/// PostgreSQL answers a selective requirement from the GIN index (`rack==rack-0042` on 3,000 nodes),
/// with containment and existence as index conditions.
#[test]
fn postgres_serves_selective_requirements_from_the_index() {
    let Some(url) = postgres_url("explain") else {
        return;
    };
    let workload = Workload::generate(3_000, 7);
    let mut store = SqlFleet::open(&url).unwrap();
    store
        .load(workload.nodes.iter().map(|node| (&node.id, &node.labels)))
        .unwrap();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for expression in [
        "rack==rack-0042",
        "rack in (rack-0042, rack-0043)",
        "gpu, !debug",
    ] {
        let matcher = Selector::new().expression(expression).compile().unwrap();
        let inline = matcher.to_sql(Dialect::Postgres).inline();
        let plan: Vec<String> = client
            .query(format!("EXPLAIN {inline}").as_str(), &[])
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        let plan = plan.join("\n");
        assert!(
            plan.contains("Bitmap Index Scan on labelsel_nodes_labels"),
            "{expression}:\n{plan}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// The stores' rules and errors
// ---------------------------------------------------------------------------------------------------

/// A load replaces everything, keeps a repeated id's first place and last labels; a replaced node
/// keeps its place; a node removed and inserted again goes last.
#[test]
fn order_follows_the_in_memory_rules() {
    let everything = Selector::new().compile().unwrap();
    for (engine, mut store) in stores("order") {
        store.load([("old", vec![("k", "v")])]).unwrap();
        let nodes = [
            ("a", vec![("zone", "1")]),
            ("b", vec![("zone", "2")]),
            ("a", vec![("zone", "3")]),
            ("c", vec![("zone", "4"), ("zone", "5")]),
        ];
        assert_eq!(store.load(nodes).unwrap(), 3, "{engine}");
        assert_eq!(
            store.select(&everything).unwrap(),
            ["a", "b", "c"],
            "{engine}"
        );
        let labels = store
            .labels_of(&["a".into(), "c".into(), "zz".into()])
            .unwrap();
        let want: BTreeMap<String, Vec<(String, String)>> = [
            ("a".to_string(), vec![("zone".to_string(), "3".to_string())]),
            ("c".to_string(), vec![("zone".to_string(), "5".to_string())]),
        ]
        .into();
        assert_eq!(labels, want, "{engine}");
        assert!(store.insert("a", [("zone", "9")]).unwrap());
        assert!(store.remove("b").unwrap());
        assert!(!store.insert("b", [("zone", "2")]).unwrap());
        assert!(!store.remove("zz").unwrap());
        assert_eq!(
            store.select(&everything).unwrap(),
            ["a", "c", "b"],
            "{engine}"
        );
        assert_eq!(store.len().unwrap(), 3);
    }
}

/// Reopening finds the fleet; a database of someone else's tables is refused and left alone; reading
/// a database with no fleet says how to make one.
#[test]
fn stores_know_their_own_schema() {
    let path = sqlite_path("schema");
    let url = format!("sqlite:{}", path.display());
    SqlFleet::open(&url)
        .unwrap()
        .load([("a", Vec::<(&str, &str)>::new())])
        .unwrap();
    assert_eq!(SqlFleet::open_existing(&url).unwrap().len().unwrap(), 1);
    let _ = std::fs::remove_file(&path);

    let missing = format!("sqlite:{}", sqlite_path("schema-missing").display());
    let error = SqlFleet::open_existing(&missing).unwrap_err();
    assert!(matches!(error, StoreError::Connect { .. }), "{error}");
    assert!(!std::path::Path::new(&missing["sqlite:".len()..]).exists());

    if let Some(url) = postgres_url("schema") {
        let error = SqlFleet::open_existing(&url).unwrap_err();
        assert!(matches!(error, StoreError::NoFleet { .. }), "{error}");
        assert!(error.to_string().contains("labelsel load --db"), "{error}");
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client
            .batch_execute("CREATE TABLE labelsel_nodes (name text)")
            .unwrap();
        let error = SqlFleet::open(&url).unwrap_err();
        assert!(matches!(error, StoreError::Foreign { .. }), "{error}");
        let message = error.to_string();
        assert!(
            message.contains("labelsel_nodes") && !message.contains('\n'),
            "{message}"
        );
        client
            .batch_execute(
                "DROP TABLE labelsel_nodes; CREATE TABLE labelsel_meta (name text, value text); \
                 INSERT INTO labelsel_meta VALUES ('schema', 'labelsel fleet 0')",
            )
            .unwrap();
        let error = SqlFleet::open(&url).unwrap_err();
        assert!(error.to_string().contains("labelsel fleet 0"), "{error}");
    }
}

/// Every failure to reach a database is one line that names it (without its password).
#[test]
fn connection_failures_are_one_line() {
    let cases = [
        ("mysql://db/fleet", "postgresql://"),
        (
            "postgresql://user:secret@127.0.0.1:1/fleet",
            "cannot connect",
        ),
        ("postgresql://user@[::1/fleet", "postgresql://"),
        ("sqlite:", "needs a file path"),
        ("sqlite:/nonexistent-directory/fleet.db", "cannot connect"),
    ];
    for (url, expected) in cases {
        let message = SqlFleet::open(url).unwrap_err().to_string();
        assert!(message.contains(expected), "{url}: {message}");
        assert!(!message.contains('\n'), "{url}: {message}");
        assert!(!message.contains("secret"), "{url}: {message}");
    }
    if let Some(url) = postgres_url("login") {
        let wrong = url.replacen("postgresql://postgres", "postgresql://nobody-here", 1);
        let message = SqlFleet::open(&wrong).unwrap_err().to_string();
        assert!(message.contains("nobody-here"), "{message}");
    }
}
