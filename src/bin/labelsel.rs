//! `labelsel EXPR...`: prints the ids of the nodes of the bundled demo fleet that every selector
//! expression matches, in fleet order.
//!
//! Exit status: 0 when at least one node matches, 1 when none does, 2 on a bad expression.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::process::ExitCode;

use labelsel::Expression;
use serde::Deserialize;

/// A few hundred nodes generated with the benchmark workload's rules (NDJSON, one node a line).
const DEMO_FLEET: &str = include_str!("../../data/demo-fleet.ndjson");

const USAGE: &str = "usage: labelsel [--count] EXPR...

Prints the ids of the demo fleet's nodes that match every selector expression.
Example: labelsel 'gpu' '!debug' 'topology.kubernetes.io/region in (us-east-1, eu-west-1)'";

#[derive(Deserialize)]
struct Node {
    id: String,
    labels: BTreeMap<String, String>,
}

fn main() -> ExitCode {
    let mut count_only = false;
    let mut expressions = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--count" => count_only = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => match Expression::parse(&arg) {
                Ok(expr) => expressions.push(expr),
                Err(err) => {
                    eprintln!("{err:#}");
                    return ExitCode::from(2);
                }
            },
        }
    }

    let mut out = io::stdout().lock();
    let mut matched = 0usize;
    for (number, line) in DEMO_FLEET.lines().enumerate() {
        let node: Node = match serde_json::from_str(line) {
            Ok(node) => node,
            Err(err) => {
                eprintln!("error: demo fleet line {}: {err}", number + 1);
                return ExitCode::from(2);
            }
        };
        if expressions.iter().all(|expr| expr.matches(&node.labels)) {
            matched += 1;
            if !count_only && writeln!(out, "{}", node.id).is_err() {
                return ExitCode::from(2);
            }
        }
    }
    if count_only && writeln!(out, "{matched}").is_err() {
        return ExitCode::from(2);
    }
    if matched > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
