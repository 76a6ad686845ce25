//! Writes the benchmark workload's fleet to stdout, generated node by node (never held whole), to
//! measure reading large fleets with the `labelsel` command:
//!
//! ```sh
//! cargo run --release --example write_fleet -- 1000000 ndjson > /tmp/fleet.ndjson
//! cargo run --release --example write_fleet -- 1000000 array > /tmp/fleet-array.json
//! cargo run --release --example write_fleet -- 1000000 nodelist > /tmp/fleet-nodelist.json
//! ```
//!
//! Arguments: the number of nodes (default 100,000), the form (`ndjson`, the default; `array`, one
//! node a line; `nodelist`, a Kubernetes `List` of `Node`s one a line, `kind` after `items` as kubectl
//! prints it) and the seed (default 7). `ndjson` writes the same bytes as the generator whose
//! Kubernetes match counts the tests check.

#[path = "../tests/it/support/generate.rs"]
mod generate;

use std::io::{BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let nodes = args
        .first()
        .map_or(Ok(100_000), |n| n.replace('_', "").parse::<usize>());
    let form = args.get(1).map_or("ndjson", String::as_str);
    let seed = args.get(2).map_or(Ok(7), |s| s.parse::<u64>());
    let (Ok(nodes), Ok(seed)) = (nodes, seed) else {
        eprintln!("usage: write_fleet [NODES] [ndjson|array|nodelist] [SEED]");
        return ExitCode::from(2);
    };
    let (open, separator, close) = match form {
        "ndjson" => ("", "\n", "\n"),
        "array" => ("[\n", ",\n", "\n]\n"),
        "nodelist" => (
            "{\"apiVersion\":\"v1\",\"items\":[\n",
            ",\n",
            "\n],\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}\n",
        ),
        other => {
            eprintln!("write_fleet: no form {other:?}; give ndjson, array or nodelist");
            return ExitCode::from(2);
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let written = (|| -> std::io::Result<()> {
        out.write_all(open.as_bytes())?;
        for (i, node) in generate::nodes(seed).take(nodes).enumerate() {
            if i > 0 {
                out.write_all(separator.as_bytes())?;
            }
            let line = generate::to_ndjson_line(&node);
            if form == "nodelist" {
                // {"id":ID,"labels":{...}} as a Node: the same id and labels under metadata.
                let rest = line.strip_prefix("{\"id\":").unwrap_or(&line);
                let (id, labels) = rest.split_once(",\"labels\":").unwrap_or((rest, "{}}"));
                let labels = labels.strip_suffix('}').unwrap_or(labels);
                write!(
                    out,
                    "{{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{{\"name\":{id},\"labels\":{labels}}}}}"
                )?;
            } else {
                out.write_all(line.as_bytes())?;
            }
        }
        out.write_all(close.as_bytes())?;
        out.flush()
    })();
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("write_fleet: {e}");
            ExitCode::from(2)
        }
    }
}
