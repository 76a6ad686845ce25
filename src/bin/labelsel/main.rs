//! `labelsel`: check, select, explain, diagnose and lint Kubernetes label selectors from a terminal or
//! a script.
//!
//! Exit status: `select` and `explain` exit 0 when a node matches and 1 when none does; `lint` exits 1
//! when it finds an error; every command exits 2 on bad input.

mod input;
mod report;

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use labelsel::{Expression, Fleet, Matcher};
use serde_json::json;

use crate::input::{FleetSource, load_fleet, load_selector};
use crate::report::Failure;

const EXAMPLES: &str = "\
Examples:
  labelsel check 'tier in (premium, standard), !debug'
  labelsel select -e 'gpu' -e '!debug'
  labelsel select --fleet nodes.ndjson --selector job.json --count
  labelsel explain --node node-us-east-1-000007 -e 'gpu-count>3' -l env=prod
  labelsel diagnose -e 'topology.kubernetes.io/region in (us-east-1)' -e 'tier=premium'
  labelsel lint --fleet nodes.ndjson -e 'teir=prdo'

Without --fleet, select, explain and diagnose use an embedded demo fleet of 300 nodes.";

/// Kubernetes label selectors for schedulers: check, select, explain, diagnose and lint.
#[derive(Parser)]
#[command(name = "labelsel", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate selector expressions and print each one's canonical text.
    #[command(
        after_help = "Example:\n  labelsel check 'env in (prod, qa)' 'cpu>8,!debug'\n\n\
        Exits 2 if any expression is invalid, showing where and what was expected."
    )]
    Check {
        /// Selector expressions, such as 'tier in (a,b),!debug'.
        #[arg(required = true, value_name = "EXPR")]
        expressions: Vec<String>,
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Print the ids of the nodes a selector matches, in fleet order.
    #[command(after_help = "Examples:\n  labelsel select -e 'gpu' -e '!debug'\n  \
        labelsel select --fleet nodes.ndjson --selector job.json --id node-7 --count\n  \
        cat job.json | labelsel select --selector - --output json\n\n\
        Exits 0 when a node matches, 1 when none does, 2 on an error.")]
    Select {
        #[command(flatten)]
        fleet: FleetArgs,
        #[command(flatten)]
        selector: SelectorArgs,
        /// Print only the number of matching nodes.
        #[arg(long)]
        count: bool,
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Show every requirement's verdict on one node, with the node's actual values.
    #[command(
        after_help = "Example:\n  labelsel explain --node node-us-east-1-000001 -e 'gpu' -l env=prod\n\n\
        Exits 0 when the node matches, 1 when it does not, 2 on an error."
    )]
    Explain {
        #[command(flatten)]
        fleet: FleetArgs,
        /// The id of the node to explain.
        #[arg(long, value_name = "ID")]
        node: String,
        #[command(flatten)]
        selector: SelectorArgs,
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Count the matches and, per requirement, the nodes it turns down and what dropping it would gain.
    #[command(after_help = "Example:\n  labelsel diagnose -e 'tier=premium' -e 'gpu' -l env=prod")]
    Diagnose {
        #[command(flatten)]
        fleet: FleetArgs,
        #[command(flatten)]
        selector: SelectorArgs,
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Find unsatisfiable and redundant requirements; with --fleet, unknown keys and values too.
    #[command(after_help = "Examples:\n  labelsel lint -e 'env=a' -e 'env!=a'\n  \
        labelsel lint --fleet nodes.ndjson -e 'teir=premium'\n\n\
        Exits 1 when it finds an error, 2 on bad input.")]
    Lint {
        /// Fleet whose keys and values the selector is checked against (NDJSON or a JSON array; - for
        /// stdin). Without it, only the selector itself is analysed.
        #[arg(long, value_name = "FILE")]
        fleet: Option<String>,
        #[command(flatten)]
        selector: SelectorArgs,
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
}

#[derive(Args)]
struct FleetArgs {
    /// Nodes as NDJSON ({"id": ..., "labels": {...}} a line) or a JSON array of such objects; - reads
    /// stdin. Default: the embedded demo fleet.
    #[arg(long, value_name = "FILE")]
    fleet: Option<String>,
}

#[derive(Args)]
struct SelectorArgs {
    /// A job-spec selector object ({"match_labels", "match_expressions", "match_ids"}); - reads stdin.
    #[arg(long, value_name = "FILE")]
    selector: Option<String>,
    /// A selector expression to add to match_expressions (repeatable).
    #[arg(short = 'e', long = "expression", value_name = "EXPR")]
    expressions: Vec<String>,
    /// A KEY=VALUE label to add to match_labels (repeatable).
    #[arg(short = 'l', long = "label", value_name = "KEY=VALUE")]
    labels: Vec<String>,
    /// A node id to add to match_ids (repeatable).
    #[arg(long = "id", value_name = "ID")]
    ids: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            failure.print();
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<u8, Failure> {
    match &command {
        Command::Select {
            fleet, selector, ..
        }
        | Command::Explain {
            fleet, selector, ..
        }
        | Command::Diagnose {
            fleet, selector, ..
        } => one_reader_of_stdin(fleet.fleet.as_deref(), selector)?,
        Command::Lint {
            fleet, selector, ..
        } => one_reader_of_stdin(fleet.as_deref(), selector)?,
        Command::Check { .. } => {}
    }
    match command {
        Command::Check {
            expressions,
            output,
        } => check(&expressions, output),
        Command::Select {
            fleet,
            selector,
            count,
            output,
        } => select(&fleet, &selector, count, output),
        Command::Explain {
            fleet,
            node,
            selector,
            output,
        } => explain(&fleet, &node, &selector, output),
        Command::Diagnose {
            fleet,
            selector,
            output,
        } => diagnose(&fleet, &selector, output),
        Command::Lint {
            fleet,
            selector,
            output,
        } => lint(fleet.as_deref(), &selector, output),
    }
}

fn check(expressions: &[String], output: Output) -> Result<u8, Failure> {
    let mut results = Vec::new();
    let mut failed = false;
    for (index, text) in expressions.iter().enumerate() {
        match Expression::parse(text) {
            Ok(expr) => {
                results.push(json!({"input": text, "canonical": expr.to_string()}));
                if output == Output::Text {
                    println!("{expr}");
                }
            }
            Err(error) => {
                failed = true;
                results.push(json!({
                    "input": text,
                    "error": {
                        "message": error.message(),
                        "span": [error.span().start, error.span().end],
                        "found": error.found(),
                        "expected": error.expected(),
                    }
                }));
                let origin = format!("argument {}", index + 1);
                report::print_parse_error(&origin, &error);
            }
        }
    }
    if output == Output::Json {
        print_json(&results)?;
    }
    Ok(if failed { 2 } else { 0 })
}

fn select(
    fleet: &FleetArgs,
    selector: &SelectorArgs,
    count_only: bool,
    output: Output,
) -> Result<u8, Failure> {
    let matcher = compile(selector)?;
    let fleet = fleet_or_demo(fleet)?;
    let selection = fleet.select(&matcher);
    let count = selection.len();
    match (output, count_only) {
        (Output::Json, true) => print_json(&json!({ "count": count }))?,
        (Output::Json, false) => {
            let ids: Vec<&str> = selection.iter().collect();
            print_json(&json!({ "count": count, "ids": ids }))?;
        }
        (Output::Text, true) => print_lines(std::iter::once(count.to_string()))?,
        (Output::Text, false) => print_lines(selection.iter())?,
    }
    Ok(if count > 0 { 0 } else { 1 })
}

fn explain(
    fleet: &FleetArgs,
    node: &str,
    selector: &SelectorArgs,
    output: Output,
) -> Result<u8, Failure> {
    let matcher = compile(selector)?;
    let fleet = fleet_or_demo(fleet)?;
    let labels = fleet
        .get(node)
        .ok_or_else(|| Failure::new(format!("no node with id {node:?} in the fleet")))?;
    let explanation = matcher.explain(node, &labels);
    match output {
        Output::Json => print_json(&explanation)?,
        Output::Text => print_lines(std::iter::once(explanation.to_string().trim_end()))?,
    }
    Ok(if explanation.matches { 0 } else { 1 })
}

fn diagnose(fleet: &FleetArgs, selector: &SelectorArgs, output: Output) -> Result<u8, Failure> {
    let matcher = compile(selector)?;
    let fleet = fleet_or_demo(fleet)?;
    let diagnosis = fleet.diagnose(&matcher);
    match output {
        Output::Json => print_json(&diagnosis)?,
        Output::Text => print_lines(std::iter::once(diagnosis.to_string().trim_end()))?,
    }
    Ok(0)
}

fn lint(fleet: Option<&str>, selector: &SelectorArgs, output: Output) -> Result<u8, Failure> {
    let matcher = compile(selector)?;
    let mut analysis = matcher.analyze();
    if let Some(path) = fleet {
        let fleet = load_fleet(FleetSource::from_arg(path))?;
        analysis.findings.extend(fleet.lint(&matcher));
    }
    match output {
        Output::Json => print_json(&analysis)?,
        Output::Text => print_lines(std::iter::once(analysis.to_string().trim_end()))?,
    }
    Ok(if analysis.has_errors() { 1 } else { 0 })
}

fn compile(args: &SelectorArgs) -> Result<Matcher, Failure> {
    let selector = load_selector(
        args.selector.as_deref(),
        &args.expressions,
        &args.labels,
        &args.ids,
    )?;
    selector.compile().map_err(Failure::from)
}

/// Refuses `--fleet -` with `--selector -`: only one of them can read stdin.
fn one_reader_of_stdin(fleet: Option<&str>, selector: &SelectorArgs) -> Result<(), Failure> {
    if fleet == Some("-") && selector.selector.as_deref() == Some("-") {
        return Err(Failure::new(
            "--fleet - and --selector - cannot both read stdin; give one of them a file",
        ));
    }
    Ok(())
}

fn fleet_or_demo(args: &FleetArgs) -> Result<Fleet, Failure> {
    load_fleet(match &args.fleet {
        Some(path) => FleetSource::from_arg(path),
        None => FleetSource::Demo,
    })
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::new(format!("writing JSON: {e}")))?;
    print_lines(std::iter::once(text))
}

/// Writes lines to stdout; a closed pipe (as with `| head`) ends the output quietly.
fn print_lines<T: std::fmt::Display>(lines: impl Iterator<Item = T>) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return Ok(());
        }
    }
    let _ = out.flush();
    Ok(())
}
