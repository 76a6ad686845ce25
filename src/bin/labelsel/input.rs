//! Reading fleets (any stream of JSON nodes, arrays of nodes and Kubernetes node lists, read by
//! [`crate::nodes`], from a file, stdin or the embedded demo) and jobs files (NDJSON), and assembling
//! selectors and nodes from JSON files and command-line flags.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{IsTerminal, Read};

use indicatif::{ProgressBar, ProgressStyle};
use labelsel::{Fleet, LabelSet, NodeAffinity, Placement, Selector, SelectorIndex};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::nodes::{
    NodeRecord, TopLevel, describe_json_error, element_offset, line_column, skip_whitespace,
};
use crate::report::Failure;

/// A few hundred nodes generated with the benchmark workload's rules (NDJSON, one node a line).
const DEMO_FLEET: &str = include_str!("../../../data/demo-fleet.ndjson");

/// Fleets larger than this show a progress bar while they load (on a terminal).
const PROGRESS_BYTES: usize = 4 << 20;

/// Where a fleet comes from.
pub(crate) enum FleetSource<'a> {
    Demo,
    Stdin,
    File(&'a str),
}

impl<'a> FleetSource<'a> {
    pub(crate) fn from_arg(arg: &'a str) -> FleetSource<'a> {
        if arg == "-" {
            FleetSource::Stdin
        } else {
            FleetSource::File(arg)
        }
    }

    fn name(&self) -> &str {
        match self {
            FleetSource::Demo => "demo fleet",
            FleetSource::Stdin => "<stdin>",
            FleetSource::File(path) => path,
        }
    }
}

/// What is wrong with a node id, if anything: ids are printed one a line and looked up by name, so
/// an empty id or one holding a control character (a newline, a tab, NUL, ...) is refused.
fn node_id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("is empty")
    } else if id.chars().any(char::is_control) {
        Some("holds a control character")
    } else {
        None
    }
}

/// Refuses a node id given on the command line with `flag` (`--id`, `--node`) that no fleet can hold.
pub(crate) fn check_node_id(flag: &str, id: &str) -> Result<(), Failure> {
    match node_id_problem(id) {
        Some(problem) => Err(Failure::new(format!(
            "{flag} {id:?}: the node id {problem}"
        ))),
        None => Ok(()),
    }
}

/// Reads a fleet: any stream of JSON values (NDJSON, pretty-printed or concatenated objects), each a
/// node object, an array of them or a Kubernetes node list. Errors name `FILE:LINE:COLUMN`; a node
/// inside an array or list is also named by its number there.
pub(crate) fn load_fleet(source: FleetSource<'_>) -> Result<Fleet, Failure> {
    let text: Cow<'static, str> = match &source {
        FleetSource::Demo => Cow::Borrowed(DEMO_FLEET),
        FleetSource::Stdin => Cow::Owned(read_stdin("the fleet")?),
        FleetSource::File(path) => Cow::Owned(
            std::fs::read_to_string(path)
                .map_err(|e| Failure::new(format!("cannot read fleet file {path}: {e}")))?,
        ),
    };
    // A byte-order mark, as some editors write, is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let name = source.name();
    let at = |offset: usize| {
        let (line, column) = line_column(text, offset);
        format!("{name}:{line}:{column}")
    };
    let mut fleet = Fleet::new();
    let mut add = |record: NodeRecord, place: &dyn Fn() -> String| {
        if let Some(problem) = node_id_problem(&record.id) {
            return Err(Failure::new(format!(
                "{}: node id {:?} {problem}",
                place(),
                record.id
            )));
        }
        if fleet.contains(&record.id) {
            return Err(Failure::new(format!(
                "{}: node id {:?} appears twice",
                place(),
                record.id
            )));
        }
        fleet.insert(&record.id, record.labels);
        Ok(())
    };
    let progress = progress_bar(text.len());
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<TopLevel>();
    for number in 0.. {
        let start = skip_whitespace(text, stream.byte_offset());
        let Some(value) = stream.next() else { break };
        let value = value.map_err(|e| Failure::new(describe_json_error(name, text, start, &e)))?;
        // The place of the `index`th node of the array or list at `start`.
        let element = |key: Option<&str>, index: usize| {
            at(element_offset(text, start, key, index).unwrap_or(start))
        };
        match value {
            TopLevel::Node(record) => add(record, &|| at(start))?,
            TopLevel::Array(records) => {
                for (index, record) in records.into_iter().enumerate() {
                    add(record, &|| {
                        format!("{}: node {} of the array", element(None, index), index + 1)
                    })?;
                }
            }
            TopLevel::List { kind, items } => {
                for (index, record) in items.into_iter().enumerate() {
                    add(record, &|| {
                        format!(
                            "{}: node {} of the {kind}",
                            element(Some("items"), index),
                            index + 1
                        )
                    })?;
                }
            }
        }
        if number % 4096 == 0 {
            progress.set_position(stream.byte_offset() as u64);
        }
    }
    progress.finish_and_clear();
    Ok(fleet)
}

/// A progress bar on stderr for large inputs read on a terminal; hidden otherwise.
fn progress_bar(bytes: usize) -> ProgressBar {
    if bytes < PROGRESS_BYTES || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(bytes as u64);
    if let Ok(style) =
        ProgressStyle::with_template("loading fleet {bar:40} {bytes}/{total_bytes} {eta}")
    {
        bar.set_style(style);
    }
    bar
}

pub(crate) fn read_stdin(what: &str) -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::new(format!("cannot read {what} from stdin: {e}")))?;
    Ok(text)
}

/// A JSON object of type `T` (named `what` in messages) from a file, or from stdin for `-`.
fn read_json<T: DeserializeOwned>(path: &str, what: &str) -> Result<T, Failure> {
    let (name, text) = if path == "-" {
        ("<stdin>", read_stdin(&format!("the {what}"))?)
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::new(format!("cannot read {what} file {path}: {e}")))?;
        (path, text)
    };
    // A byte-order mark, as some editors write, is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    serde_json::from_str(text)
        .map_err(|e| Failure::new(format!("{name}: not a {what} object: {e}")))
}

/// The job-spec selector of a JSON file, or of stdin for `-`.
pub(crate) fn read_selector(path: &str) -> Result<Selector, Failure> {
    read_json(path, "selector")
}

/// A placement from a JSON file (or stdin): native (`--placement`) or a Kubernetes `nodeAffinity`
/// object (`--affinity`), converted.
pub(crate) fn load_placement(
    placement: Option<&str>,
    affinity: Option<&str>,
) -> Result<Placement, Failure> {
    match (placement, affinity) {
        (Some(path), None) => read_json(path, "placement"),
        (None, Some(path)) => {
            let affinity: NodeAffinity = read_json(path, "nodeAffinity")?;
            Placement::try_from(&affinity)
                .map_err(|e| Failure::new(format!("{path}: the node affinity is invalid: {e}")))
        }
        _ => Err(Failure::new(
            "give the placement with exactly one of --placement FILE and --affinity FILE",
        )),
    }
}

/// A selector assembled from a file and command-line flags, and where its expressions came from.
pub(crate) struct FlagSelector {
    pub(crate) selector: Selector,
    /// How many of `match_expressions` came from the file; the `-e` flags' follow, then the `-l`
    /// flags'.
    pub(crate) from_file: usize,
    /// How many `-e` flags there are.
    pub(crate) from_e: usize,
}

impl FlagSelector {
    /// Where `match_expressions[index]` came from: the file's own place, or the flag and its number.
    pub(crate) fn origin(&self, index: usize) -> Option<String> {
        if index < self.from_file {
            None
        } else if index < self.from_file + self.from_e {
            Some(format!("-e argument {}", index - self.from_file + 1))
        } else {
            Some(format!(
                "-l argument {}",
                index - self.from_file - self.from_e + 1
            ))
        }
    }
}

/// The selector of a JSON file (or stdin), narrowed by the flags: every `-e` expression and every `-l`
/// selector string is added to `match_expressions`, and the `--id` flags (any of which a node may be)
/// narrow `match_ids`. Nothing a flag gives can widen or replace what the file says.
pub(crate) fn load_selector(
    path: Option<&str>,
    expressions: &[String],
    labels: &[String],
    ids: &[String],
) -> Result<FlagSelector, Failure> {
    for id in ids {
        check_node_id("--id", id)?;
    }
    let mut selector = match path {
        None => Selector::new(),
        Some(path) => read_json(path, "selector")?,
    };
    let from_file = selector.match_expressions.len();
    selector
        .match_expressions
        .extend(expressions.iter().chain(labels).cloned());
    if !ids.is_empty() {
        if selector.match_ids.is_empty() {
            selector.match_ids = ids.to_vec();
        } else {
            // Both lists constrain the node: it must be in each, so in their intersection.
            let flags: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
            let file_ids = selector.match_ids.len();
            selector.match_ids.retain(|id| flags.contains(id.as_str()));
            if selector.match_ids.is_empty() {
                // An empty list would place no constraint; refuse rather than widen.
                return Err(Failure::new(format!(
                    "--id: the selector's match_ids ({file_ids} id{}) hold none of the --id \
                     flags, so no node could match",
                    if file_ids == 1 { "" } else { "s" }
                )));
            }
        }
    }
    Ok(FlagSelector {
        selector,
        from_file,
        from_e: expressions.len(),
    })
}

/// One line of a jobs file. Other fields are ignored.
#[derive(Deserialize)]
struct JobRecord {
    id: String,
    selector: Selector,
}

/// The jobs of an NDJSON file (or stdin for `-`), one `{"id": ..., "selector": {...}}` a line, indexed
/// in file order. Blank lines are skipped; a malformed line, an empty or duplicate id and a selector
/// that does not compile are errors naming the line.
pub(crate) fn load_jobs(path: &str) -> Result<SelectorIndex, Failure> {
    let (name, text) = if path == "-" {
        ("<stdin>", read_stdin("the jobs")?)
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::new(format!("cannot read jobs file {path}: {e}")))?;
        (path, text)
    };
    // A byte-order mark, as some editors write, is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut index = SelectorIndex::new();
    // Each job id's line, for the message about a duplicate.
    let mut lines: HashMap<String, usize> = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{name}:{}", number + 1);
        let record: JobRecord = serde_json::from_str(line).map_err(|e| {
            Failure::new(format!(
                "{at}: not a job object ({{\"id\": ..., \"selector\": {{...}}}}): {e}"
            ))
        })?;
        if record.id.is_empty() {
            return Err(Failure::new(format!("{at}: a job id must not be empty")));
        }
        if let Some(first) = lines.get(&record.id) {
            return Err(Failure::new(format!(
                "{at}: job id {:?} appears twice (first on line {first})",
                record.id
            )));
        }
        index
            .insert_selector(&record.id, &record.selector)
            .map_err(|error| Failure::JobSelector { at, error })?;
        lines.insert(record.id, number + 1);
    }
    Ok(index)
}

/// A node's labels from `-l KEY=VALUE` flags; each key at most once.
pub(crate) fn node_labels(labels: &[String]) -> Result<LabelSet, Failure> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for label in labels {
        let (key, value) = label.split_once('=').ok_or_else(|| {
            Failure::new(format!(
                "-l {label:?}: expected KEY=VALUE, such as -l env=prod"
            ))
        })?;
        if let Some(first) = seen.insert(key, value) {
            return Err(Failure::new(format!(
                "-l {label:?}: the node already has {key}={first}; give each key once"
            )));
        }
    }
    Ok(seen.into_iter().collect())
}
