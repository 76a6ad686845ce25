//! Reading fleets (with the library's [`NodeReader`], from a file, stdin or the embedded demo, with a
//! progress bar on a terminal) and jobs files (NDJSON), and assembling selectors and nodes from JSON
//! files and command-line flags.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{IsTerminal, Read};

use indicatif::{ProgressBar, ProgressStyle};
use labelsel::{
    DuplicateIds, Fleet, LabelSelector, LabelSet, NodeAffinity, NodeReader, NodeRecord, Placement,
    ReadError, Selector, SelectorIndex, node_id_problem,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::report::Failure;

/// A few hundred nodes generated with the benchmark workload's rules (NDJSON, one node a line).
const DEMO_FLEET: &str = include_str!("../../../data/demo-fleet.ndjson");

/// Fleets larger than this show a progress bar while they are read (on a terminal).
const PROGRESS_BYTES: u64 = 4 << 20;

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

    /// The fleet's bytes, counted into a progress bar labelled `doing` (drawn on a terminal, for a
    /// large file or stdin, when `progress`).
    fn open(
        &self,
        doing: &'static str,
        progress: bool,
    ) -> Result<Progress<Box<dyn Read>>, Failure> {
        let (reader, size): (Box<dyn Read>, Option<u64>) = match self {
            FleetSource::Demo => (Box::new(DEMO_FLEET.as_bytes()), Some(0)),
            FleetSource::Stdin => (Box::new(std::io::stdin().lock()), None),
            FleetSource::File(path) => {
                let file = std::fs::File::open(path)
                    .map_err(|e| Failure::new(format!("cannot read fleet file {path}: {e}")))?;
                // A pipe or a device has no size worth showing.
                let size = file
                    .metadata()
                    .ok()
                    .filter(|m| m.is_file())
                    .map(|m| m.len());
                (Box::new(file), size)
            }
        };
        let bar = if progress {
            progress_bar(size, doing)
        } else {
            ProgressBar::hidden()
        };
        Ok(Progress { reader, bar })
    }

    /// The nodes, in order, each with a usable id seen once; errors name `FILE:LINE:COLUMN`.
    fn nodes(
        &self,
        doing: &'static str,
        progress: bool,
    ) -> Result<impl Iterator<Item = Result<NodeRecord, Failure>>, Failure> {
        let name = self.name().to_string();
        let mut ids = DuplicateIds::new();
        let reader = NodeReader::new(self.open(doing, progress)?);
        Ok(reader.map(move |node| {
            let node = node.and_then(|node| ids.check(&node).map(|()| node));
            node.map_err(|error| read_failure(&name, &error))
        }))
    }
}

/// A fleet reading error as one line: `FILE:LINE:COLUMN: message`.
fn read_failure(name: &str, error: &ReadError) -> Failure {
    Failure::new(format!("{name}:{error}"))
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

/// Reads a fleet into memory, with the library's reader: any stream of JSON values (NDJSON,
/// pretty-printed or concatenated objects), each a node object, an array of them or a Kubernetes
/// node list. Errors name `FILE:LINE:COLUMN`; a node inside an array or list is also named by its
/// number there.
pub(crate) fn load_fleet(source: FleetSource<'_>) -> Result<Fleet, Failure> {
    let input = source.open("loading fleet", true)?;
    Fleet::from_reader(input).map_err(|error| read_failure(source.name(), &error))
}

/// Passes each node of the fleet to `each` as it is read, in order, without keeping the fleet: only
/// each id's fingerprint stays, to refuse an id given twice. The progress bar is drawn only when
/// `progress` (not while the output goes to the same terminal).
pub(crate) fn for_each_node(
    source: FleetSource<'_>,
    progress: bool,
    mut each: impl FnMut(NodeRecord) -> Result<(), Failure>,
) -> Result<(), Failure> {
    for node in source.nodes("reading fleet", progress)? {
        each(node?)?;
    }
    Ok(())
}

/// Every node of a fleet, read and checked whole before any of it goes anywhere (an error half-way
/// through a database load could not be undone).
pub(crate) fn checked_nodes(source: FleetSource<'_>) -> Result<Vec<NodeRecord>, Failure> {
    source.nodes("checking fleet", true)?.collect()
}

/// How many nodes the demo fleet has: it is NDJSON, one node a line.
pub(crate) fn demo_nodes() -> usize {
    DEMO_FLEET
        .lines()
        .filter(|line| !line.trim().is_empty())
        .count()
}

/// A reader that moves a progress bar by the bytes read through it, and clears the bar when it is
/// dropped (at the end, at an error or early).
struct Progress<R> {
    reader: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.reader.read(buf)?;
        self.bar.inc(read as u64);
        Ok(read)
    }
}

impl<R> Drop for Progress<R> {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// A progress bar on stderr labelled with what is being done, for a large input (of `size` bytes,
/// or of unknown size: stdin) read on a terminal; hidden otherwise.
fn progress_bar(size: Option<u64>, doing: &'static str) -> ProgressBar {
    if size.is_some_and(|size| size < PROGRESS_BYTES) || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (bar, template) = match size {
        Some(size) => (
            ProgressBar::new(size),
            "{prefix} {bar:40} {bytes}/{total_bytes} {eta}",
        ),
        None => (
            ProgressBar::no_length(),
            "{prefix} {spinner} {bytes} {bytes_per_sec}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_prefix(doing);
    bar
}

pub(crate) fn read_stdin(what: &str) -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::new(format!("cannot read {what} from stdin: {e}")))?;
    Ok(text)
}

/// The text of a file (named `what` in messages), or of stdin for `-`, and its name for messages;
/// without a leading byte-order mark.
fn read_text(path: &str, what: &str) -> Result<(String, String), Failure> {
    let (name, text) = if path == "-" {
        ("<stdin>", read_stdin(&format!("the {what}"))?)
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::new(format!("cannot read {what} file {path}: {e}")))?;
        (path, text)
    };
    // A byte-order mark, as some editors write, is not part of the JSON.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok((name.to_string(), text))
}

/// How a selector or placement file is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Yaml,
}

/// A selector or placement file (or stdin), read whole: its name for messages, its text and its
/// format.
struct Document {
    name: String,
    text: String,
    format: Format,
}

impl Document {
    /// Reads the file at `path` (named `what` in messages), or stdin for `-`. A `.yaml` or `.yml`
    /// file is YAML, any other file JSON; stdin is JSON when it starts with `{` or `[` (or holds
    /// nothing), else YAML.
    fn read(path: &str, what: &str) -> Result<Document, Failure> {
        let (name, text) = read_text(path, what)?;
        let yaml = if path == "-" {
            let start = text.trim_start();
            !start.is_empty() && !start.starts_with(['{', '['])
        } else {
            std::path::Path::new(path).extension().is_some_and(|ext| {
                ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml")
            })
        };
        let format = if yaml { Format::Yaml } else { Format::Json };
        Ok(Document { name, text, format })
    }

    /// The document as an object of type `T` (named `what` in messages); errors name
    /// `FILE:LINE:COLUMN`.
    fn parse<T: DeserializeOwned>(&self, what: &str) -> Result<T, Failure> {
        match self.format {
            Format::Json => parse_json(&self.name, &self.text, what),
            Format::Yaml => serde_saphyr::from_str_with_options(&self.text, yaml_options())
                .map_err(|e| Failure::new(yaml_error(&self.name, &format!("a {what} object"), &e))),
        }
    }

    /// The document as an untyped value, only to tell shapes apart (the typed parse reports the
    /// errors); `None` if it does not parse.
    fn probe(&self) -> Option<serde_json::Value> {
        match self.format {
            Format::Json => serde_json::from_str(&self.text).ok(),
            Format::Yaml => serde_saphyr::from_str(&self.text).ok(),
        }
    }
}

/// How YAML is read: a plain scalar that YAML would read as a number or a boolean (`4`, `1.10`,
/// `true`, `on`) is refused where a string is expected, as Kubernetes refuses it (its YAML becomes
/// JSON first, where `4` is a number and label values must be strings), rather than taken as its text.
fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.no_schema = true;
    options
}

/// A YAML error as one line for people: `FILE:LINE:COLUMN: not OBJECT: message`, the message
/// without the parser's own position and source snippet.
fn yaml_error(name: &str, object: &str, error: &serde_saphyr::Error) -> String {
    let (line, column) = error
        .location()
        .map_or((1, 1), |at| (at.line().max(1), at.column().max(1)));
    if let serde_saphyr::Error::QuotingRequired { value, .. } = error.without_snippet() {
        return format!(
            "{name}:{line}:{column}: not {object}: found {value}, which YAML reads as a number or a \
             boolean, expected a string: quote it (\"{value}\")"
        );
    }
    let rendered = error.without_snippet().to_string();
    let message = rendered.lines().next().unwrap_or_default();
    let message = message
        .strip_suffix(&format!(" at line {line}, column {column}"))
        .or_else(|| message.strip_suffix(&format!(" at line {line} column {column}")))
        .unwrap_or(message);
    // In the words of the JSON errors, without the parser's option names.
    let message = match message.strip_prefix("duplicate mapping key: ") {
        Some(rest) => {
            let key = rest
                .split(", set DuplicateKeyPolicy")
                .next()
                .unwrap_or(rest);
            format!("duplicate key {key:?}")
        }
        None => message.to_string(),
    };
    // Without the parser's advice in Rust types (`; use Option<String>`).
    let message = message.split("; use Option<").next().unwrap_or_default();
    let message = match message.strip_prefix("cannot deserialize null into ") {
        Some(expected) => format!("found null, expected a {expected}"),
        None => message.to_string(),
    };
    format!("{name}:{line}:{column}: not {object}: {message}")
}

/// `text`, the whole of file `name`, as a JSON object of type `T` (named `what` in messages).
fn parse_json<T: DeserializeOwned>(name: &str, text: &str, what: &str) -> Result<T, Failure> {
    let object = format!("a {what} object");
    serde_json::from_str(text).map_err(|e| Failure::new(json_error(name, 1, &object, &e)))
}

/// A JSON error in a selector, placement or jobs file as one line for people: `FILE:LINE:COLUMN:`,
/// then what is wrong in JSON's words (an array, an object), without serde's own position; `object`
/// says what the text should be (`a selector object`), and the text starts at line `first_line` of
/// the file.
fn json_error(name: &str, first_line: usize, object: &str, error: &serde_json::Error) -> String {
    let line = first_line + error.line().saturating_sub(1);
    let column = error.column().max(1);
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    let message = if let Some(what) = message.strip_prefix("EOF while parsing ") {
        format!("not valid JSON: the input ends in the middle of {what}")
    } else if message == "trailing characters" {
        format!("more JSON after the end of {object}; the file holds one")
    } else if error.is_syntax() {
        format!("not valid JSON: {message}")
    } else {
        let message = match message.strip_prefix("invalid type: ") {
            Some(rest) => format!("found {rest}"),
            None => message.to_string(),
        };
        // serde's names for JSON's arrays and objects.
        let message = message
            .replace("found sequence", "found an array")
            .replace("found map", "found an object")
            .replace("expected a sequence", "expected an array")
            .replace("expected a map", "expected an object");
        format!("not {object}: {message}")
    };
    format!("{name}:{line}:{column}: {message}")
}

/// A selector file, read.
pub(crate) struct SelectorFile {
    /// Its name for messages (`<stdin>` for stdin).
    pub(crate) name: String,
    pub(crate) selector: Selector,
    /// Whether it says `"match_ids": []`, which places no constraint.
    pub(crate) empty_match_ids: bool,
}

impl SelectorFile {
    /// The warning about an explicit empty `match_ids`, when the file has one.
    pub(crate) fn empty_match_ids_warning(&self) -> Option<String> {
        self.empty_match_ids
            .then(|| format!("{}: {EMPTY_MATCH_IDS}", self.name))
    }
}

/// What an explicit empty `match_ids` list means, for warnings and lint.
pub(crate) const EMPTY_MATCH_IDS: &str =
    "match_ids is an empty list, which places no constraint: every node passes it";

/// Whether a JSON object says `"match_ids": []` (or a camelCase alias of it).
fn says_empty_match_ids(object: &serde_json::Value) -> bool {
    ["match_ids", "matchIds", "matchIDs"].iter().any(|field| {
        object
            .get(field)
            .and_then(|v| v.as_array())
            .is_some_and(Vec::is_empty)
    })
}

/// Whether a JSON object is a Kubernetes structured `LabelSelector`: its `matchExpressions` holds
/// objects (`{"key", "operator", "values"}`) rather than selector strings.
fn is_label_selector(object: &serde_json::Value) -> bool {
    object
        .get("matchExpressions")
        .and_then(|v| v.as_array())
        .is_some_and(|entries| entries.iter().any(serde_json::Value::is_object))
}

/// A Kubernetes `LabelSelector` converted into a [`Selector`]; `at` names where it was read.
fn converted(at: &str, selector: &LabelSelector) -> Result<Selector, Failure> {
    Selector::try_from(selector)
        .map_err(|e| Failure::new(format!("{at}: not a valid Kubernetes label selector: {e}")))
}

/// The job-spec selector of a JSON file, or of stdin for `-`: a selector object
/// (`{"match_labels", "match_expressions", "match_ids"}`) or a Kubernetes structured
/// `LabelSelector` (`{"matchLabels", "matchExpressions": [{"key", "operator", "values"}]}`),
/// converted.
pub(crate) fn read_selector(path: &str) -> Result<SelectorFile, Failure> {
    let document = Document::read(path, "selector")?;
    // Only to tell the shapes apart; the typed parse below reports errors (and duplicate keys).
    let probe = document.probe();
    let selector = match &probe {
        Some(object) if is_label_selector(object) => {
            let kube: LabelSelector = document.parse("Kubernetes label selector")?;
            converted(&document.name, &kube)?
        }
        _ => document.parse("selector")?,
    };
    Ok(SelectorFile {
        empty_match_ids: probe.as_ref().is_some_and(says_empty_match_ids),
        name: document.name,
        selector,
    })
}

/// A placement from a JSON file (or stdin): native (`--placement`) or a Kubernetes `nodeAffinity`
/// object (`--affinity`), converted; with a warning for each term that says `"match_ids": []`.
pub(crate) fn load_placement(
    placement: Option<&str>,
    affinity: Option<&str>,
) -> Result<(Placement, Vec<String>), Failure> {
    match (placement, affinity) {
        (Some(path), None) => {
            let document = Document::read(path, "placement")?;
            let placement = document.parse("placement")?;
            let name = &document.name;
            let probe = document.probe().unwrap_or_default();
            let required = probe["required"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate();
            let required = required.map(|(i, term)| (format!("required[{i}]"), term));
            let preferred = probe["preferred"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate();
            let preferred =
                preferred.map(|(i, term)| (format!("preferred[{i}].selector"), &term["selector"]));
            let warnings = required
                .chain(preferred)
                .filter(|(_, term)| says_empty_match_ids(term))
                .map(|(place, _)| format!("{name} {place}: {EMPTY_MATCH_IDS}"))
                .collect();
            Ok((placement, warnings))
        }
        (None, Some(path)) => {
            let affinity: NodeAffinity =
                Document::read(path, "nodeAffinity")?.parse("nodeAffinity")?;
            let placement = Placement::try_from(&affinity)
                .map_err(|e| Failure::new(format!("{path}: the node affinity is invalid: {e}")))?;
            Ok((placement, Vec::new()))
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
    /// The warning about the file's explicit empty `match_ids`, when it has one and no `--id` flag
    /// fills the list.
    pub(crate) empty_match_ids: Option<String>,
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
    let (mut selector, mut empty_match_ids) = match path {
        None => (Selector::new(), None),
        Some(path) => {
            let file = read_selector(path)?;
            let warning = file.empty_match_ids_warning();
            (file.selector, warning)
        }
    };
    let from_file = selector.match_expressions.len();
    selector
        .match_expressions
        .extend(expressions.iter().chain(labels).cloned());
    if !ids.is_empty() {
        if selector.match_ids.is_empty() {
            selector.match_ids = ids.to_vec();
            empty_match_ids = None;
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
        empty_match_ids,
    })
}

/// One line of a jobs file. Other fields are ignored.
#[derive(Deserialize)]
struct JobRecord {
    id: String,
    selector: Selector,
}

/// One line of a jobs file whose selector is a Kubernetes structured `LabelSelector`.
#[derive(Deserialize)]
struct KubeJobRecord {
    id: String,
    selector: LabelSelector,
}

/// A line of a jobs file: its job's id and selector, a Kubernetes `LabelSelector` converted. `at` is
/// `FILE:LINE`.
fn job_record(name: &str, number: usize, at: &str, line: &str) -> Result<JobRecord, Failure> {
    let object = r#"a job object ({"id": ..., "selector": {...}})"#;
    let error = |e: serde_json::Error| Failure::new(json_error(name, number, object, &e));
    let probe: Option<serde_json::Value> = serde_json::from_str(line).ok();
    match probe {
        Some(job) if is_label_selector(&job["selector"]) => {
            let record: KubeJobRecord = serde_json::from_str(line).map_err(error)?;
            Ok(JobRecord {
                selector: converted(&format!("{at}: selector"), &record.selector)?,
                id: record.id,
            })
        }
        _ => serde_json::from_str(line).map_err(error),
    }
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
        let record = job_record(name, number + 1, &at, line)?;
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
