//! `labelsel`: check, select, explain, diagnose and lint Kubernetes label selectors, place jobs, and
//! find the pending jobs a node satisfies, from a terminal or a script; load a fleet into PostgreSQL or
//! SQLite (`load`), read it from there (`--db`), and print the SQL a selector runs as (`sql`).
//!
//! Exit status: `select` and `diagnose` exit 0 when a node matches and 1 when none does; `explain`
//! exits 0 when every node named matches and 1 when any does not; `place` exits 0
//! when a node is feasible and 1 when none is; `jobs` exits 0 when a job is satisfied and 1 when none
//! is; `lint` exits 1 when it finds an error; every command exits 2 on bad input, on a database error
//! and when its output cannot be written (a closed pipe, as with `| head`, ends the output quietly
//! instead).

mod db;
mod hints;
mod input;
mod near;
mod report;
mod style;
mod table;

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use labelsel::{
    Dialect, Expression, Fleet, LabelSet, Labels, Matcher, ParseError, Place, Placed, Placer,
    Rollout, Selector, SelectorIndex,
};
use serde_json::json;

use crate::input::{
    EMPTY_MATCH_IDS, FleetSource, check_node_id, demo_nodes, for_each_node, load_fleet, load_jobs,
    load_placement, load_selector, node_labels, read_selector, read_stdin,
};
use crate::report::{Failure, notice};
use crate::style::Colour;
use crate::table::Table;

const EXAMPLES: &str = "\
Examples:
  labelsel check 'tier in (premium, standard), !debug'
  labelsel select -e 'gpu' -e '!debug'
  labelsel select --fleet nodes.ndjson --selector job.json --count
  labelsel explain --node node-us-east-1-000007 -e 'gpu-count>3' -l env=prod
  labelsel diagnose -e 'topology.kubernetes.io/region in (us-east-1)' -e 'tier=premium'
  labelsel lint --fleet nodes.ndjson -e 'teir=prdo'
  labelsel place --placement placement.json --top 5
  labelsel jobs --jobs jobs.ndjson --node node-us-east-1-000007

Without --fleet, select, explain, diagnose, place and jobs use an embedded demo fleet of 300 nodes, and
say so on stderr.

With --db URL instead of --fleet, they (and lint) read a fleet that `labelsel load` put in
PostgreSQL or SQLite, URL being postgresql://USER@HOST[:PORT]/DB or sqlite:PATH; select runs its
selector in the database, as the statement `labelsel sql` prints.

-e EXPR, -l SELECTOR and --id ID only narrow a --selector file's selector: each -e and -l must also
hold, and --id keeps only the listed nodes.";

/// Kubernetes label selectors for schedulers: check, select, explain, diagnose, lint, place and match
/// pending jobs.
#[derive(Parser)]
#[command(name = "labelsel", version, after_help = EXAMPLES)]
struct Cli {
    /// When to colour errors, lint findings and explain verdicts: auto (on a terminal, unless
    /// NO_COLOR is set), always or never.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value_t = Colour::Auto
    )]
    color: Colour,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate selector expressions and print each one's canonical text.
    #[command(
        after_help = "Examples:\n  labelsel check 'env in (prod, qa)' 'cpu>8,!debug'\n  \
        grep -v '^#' selectors.txt | labelsel check -\n  \
        labelsel check --selector job.json\n\n\
        Prints each expression's canonical text on its line (for --selector, each match_labels \
        entry as KEY=VALUE, then each expression). Every invalid one is shown with where it is \
        (argument N, <stdin> line N, FILE match_expressions[N]) and a caret under the error; \
        JSON gives each one's input and canonical text or error, with \"line\" or \"place\" for \
        stdin and --selector.\n\n\
        Exits 2 if any expression is invalid."
    )]
    Check {
        /// Selector expressions, such as 'tier in (a,b),!debug'; - reads one a line from stdin (blank
        /// lines skipped).
        #[arg(
            required_unless_present = "selector",
            conflicts_with = "selector",
            value_name = "EXPR"
        )]
        expressions: Vec<String>,
        /// Check a job-spec selector file (JSON, or YAML for .yaml/.yml) instead: every match_labels
        /// entry and every match_expressions string; - reads stdin.
        #[arg(long, value_name = "FILE")]
        selector: Option<String>,
        #[arg(short = 'o', long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Print the ids of the nodes a selector matches, in fleet order.
    #[command(after_help = "Examples:\n  labelsel select -e 'gpu' -e '!debug'\n  \
        labelsel select --fleet nodes.ndjson --selector job.json --id node-7 --count\n  \
        cat job.json | labelsel select --selector - --output json\n  \
        labelsel select -f nodes.ndjson -e gpu -o ndjson\n  \
        labelsel select -l env=prod -e 'gpu-count>3' -o wide -L topology.kubernetes.io/zone\n  \
        labelsel select -e 'gpu' --count-by topology.kubernetes.io/zone\n  \
        labelsel select -l env=prod --rollout 42 --canary 5 --batch 4\n\n\
        -o wide prints a table, as kubectl get nodes -o wide does: NAME, then a column for each \
        key the selector tests, then a column for each -L KEY (-L KEY1,KEY2 or -L repeated), then \
        with --show-labels a LABELS column of every label, KEY=VALUE,... sorted by key (<none> \
        for none). A column is headed by its key's name part in upper case (ZONE for \
        topology.kubernetes.io/zone; the whole key when two share a name part); a node without the \
        key has an empty cell. With -L or --show-labels, the text output is the same table without \
        the selector's columns (kubectl get nodes -L KEY --show-labels).\n\n\
        --count-by KEY prints a `VALUE COUNT` line for each value of KEY among the matching nodes, \
        sorted by value (the empty value written \"\"), then `(none) COUNT` for the matching nodes \
        without KEY. JSON: {\"key\", \"count\", \"values\": {VALUE: COUNT}, \"missing\"}.\n\n\
        --rollout SEED prints the matching ids in rollout order: sorted by a fixed 64-bit hash of \
        (SEED, id), so the same SEED and nodes give the same order on every machine and version, and \
        adding or removing a node moves no other. --canary PERCENT prints only the first \
        ceil(PERCENT% of the matches) ids (at least one when PERCENT > 0). --batch N prints them in \
        batches of N ids with an empty line between batches (awk -v RS= 'NR==2' prints batch 2). \
        JSON: {\"seed\", \"count\", \"ids\"}, with \"canary_percent\" under --canary and \
        \"batches\" (lists of ids) instead of \"ids\" under --batch.\n\n\
        A selector with no requirement at all (-e '') matches every node, and says so on stderr. When \
        no node matches, nothing is printed; on a terminal, a hint on stderr points to diagnose.\n\n\
        Exits 0 when a node matches (even if a 0% canary prints none), 1 when none does, 2 on an \
        error.")]
    Select {
        #[command(flatten)]
        fleet: FleetArgs,
        #[command(flatten)]
        selector: SelectorArgs,
        /// Print only the number of matching nodes.
        #[arg(long)]
        count: bool,
        /// Print how many matching nodes have each value of KEY, and how many lack KEY.
        #[arg(long, value_name = "KEY", conflicts_with_all = ["count", "rollout"])]
        count_by: Option<String>,
        /// Print the matching ids in the stable pseudo-random rollout order drawn with SEED (a u64).
        #[arg(long, value_name = "SEED", conflicts_with = "count")]
        rollout: Option<u64>,
        /// With --rollout: print only the canary, the first PERCENT percent (0-100) of the order,
        /// rounded up.
        #[arg(
            long,
            value_name = "PERCENT",
            requires = "rollout",
            value_parser = clap::value_parser!(u32).range(0..=100)
        )]
        canary: Option<u32>,
        /// With --rollout: print the ids in batches of N (N >= 1), an empty line between batches.
        #[arg(
            long,
            value_name = "N",
            requires = "rollout",
            value_parser = batch_size
        )]
        batch: Option<usize>,
        /// A column of each node's value of label KEY in a table, as kubectl's -L (repeatable, or
        /// KEY1,KEY2); with the text output, prints the table.
        #[arg(
            short = 'L',
            long = "label-columns",
            value_name = "KEY",
            value_delimiter = ',',
            conflicts_with_all = ["count", "count_by"]
        )]
        label_columns: Vec<String>,
        /// A LABELS column of each node's labels (KEY=VALUE,... sorted by key) in a table, as
        /// kubectl's --show-labels; with the text output, prints the table.
        #[arg(long, conflicts_with_all = ["count", "count_by"])]
        show_labels: bool,
        /// text: ids, one a line (a table with -L or --show-labels); wide: a table of NAME and a
        /// column per key the selector tests; json: one object; ndjson: the matching nodes, one
        /// {"id", "labels"} object a line; name: ids only, as text.
        #[arg(short = 'o', long, value_enum, default_value_t = SelectOutput::Text)]
        output: SelectOutput,
    },
    /// Show every requirement's verdict on one or more nodes, with the nodes' actual values.
    #[command(
        after_help = "Examples:\n  labelsel explain --node node-us-east-1-000001 -e 'gpu' -l env=prod\n  \
        labelsel explain --node node-us-east-1-000001,node-us-east-1-000002 -e 'gpu' -o json\n\n\
        Prints, for each node in turn, a summary line and one line per requirement, failures first: \
        the verdict, where the requirement was written, the requirement, and the node's value (or \
        absent). JSON gives one explanation object for one --node, an array of them for several. \
        An id that is not in the fleet is an error naming the nearest ids.\n\n\
        Exits 0 when every node named matches, 1 when any does not, 2 on an error."
    )]
    Explain {
        #[command(flatten)]
        fleet: FleetArgs,
        /// The id of a node to explain (repeatable, or --node ID1,ID2); each is explained in turn.
        #[arg(long, value_name = "ID", required = true, value_delimiter = ',')]
        node: Vec<String>,
        #[command(flatten)]
        selector: SelectorArgs,
        #[arg(short = 'o', long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Count the matches and, per requirement, the nodes it turns down and what dropping it would gain.
    #[command(
        after_help = "Example:\n  labelsel diagnose -e 'tier=premium' -e 'gpu' -l env=prod\n\n\
        The columns: rejects, the nodes this requirement turns down; alone, the nodes only it turns \
        down (dropping it would gain exactly these); without it, the nodes that would match without \
        it. JSON: {\"nodes\", \"matching\", \"requirements\": [{\"origin\", \"requirement\", \
        \"rejects\", \"rejects_alone\", \"matching_without\"}]}.\n\n\
        Exits 0 when the selector matches some node, 1 when it matches none (as select does), 2 on \
        an error."
    )]
    Diagnose {
        #[command(flatten)]
        fleet: FleetArgs,
        #[command(flatten)]
        selector: SelectorArgs,
        #[arg(short = 'o', long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Rank the feasible nodes of a placement, best score first (ties in fleet order), over the whole
    /// fleet.
    #[command(
        after_help = "Examples:\n  labelsel place --placement placement.json --top 10\n  \
        labelsel place --fleet nodes.ndjson --affinity affinity.json --output json\n  \
        labelsel place --placement placement.json --explain node-us-east-1-000007\n\n\
        A placement is {\"required\": [term, ...], \"preferred\": [{\"weight\": N, \"selector\": term}, ...]}, \
        each term a selector object with optional \"exclude_ids\"; --affinity reads a Kubernetes \
        nodeAffinity object instead. Prints one \"ID SCORE\" line per node; JSON is \
        [{\"id\": ..., \"score\": ...}].\n\n\
        Exits 0 when a node is feasible (with --explain: when that node is), 1 when none is, 2 on an \
        error."
    )]
    Place {
        #[command(flatten)]
        fleet: FleetArgs,
        /// A placement object, JSON or (for .yaml/.yml) YAML; - reads stdin.
        #[arg(long, value_name = "FILE", required_unless_present = "affinity")]
        placement: Option<String>,
        /// A Kubernetes nodeAffinity object (JSON, or YAML for .yaml/.yml), converted with Kubernetes'
        /// verdicts and scores; - reads stdin.
        #[arg(long, value_name = "FILE", conflicts_with = "placement")]
        affinity: Option<String>,
        /// Print only the K best nodes (default: every feasible node).
        #[arg(long, value_name = "K", conflicts_with = "explain")]
        top: Option<usize>,
        /// Explain one node instead: which required term made it feasible or why none did, and each
        /// preference won or missed.
        #[arg(long, value_name = "NODE")]
        explain: Option<String>,
        #[arg(short = 'o', long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Print the pending jobs a node satisfies, or how many jobs each node of a fleet satisfies.
    #[command(after_help = "Examples:\n  \
        labelsel jobs --jobs jobs.ndjson --node node-us-east-1-000007\n  \
        labelsel jobs --jobs jobs.ndjson --node new-node -l env=prod -l gpu=nvidia-h100\n  \
        labelsel jobs --jobs jobs.ndjson --fleet nodes.ndjson\n  \
        labelsel jobs --jobs jobs.ndjson --node node-us-west-2-000000 --output json\n\n\
        The jobs file is NDJSON, one {\"id\": ..., \"selector\": {...}} a line, the selector a \
        job-spec selector object as select --selector reads it; other fields are ignored, blank \
        lines are skipped, and job ids must be unique. The jobs are indexed, so one node's jobs are \
        found without testing every job.\n\n\
        With --node ID and -l KEY=VALUE flags, the node is described on the command line: its labels \
        are exactly the -l flags (a key at most once) and no fleet is read. With --node ID alone, the \
        node is looked up in --fleet (default: the demo fleet). Either way, the ids of the jobs the \
        node satisfies are printed one a line, in file order; JSON: {\"node\": ID, \"jobs\": [ID, \
        ...]}.\n\n\
        Without --node, every node of --fleet (default: the demo fleet) gets an `ID COUNT` line, in \
        fleet order, COUNT being the number of jobs it satisfies; JSON: [{\"id\": ..., \"jobs\": \
        COUNT}, ...].\n\n\
        Exits 0 when a job is satisfied (by the node, or by some node of the fleet), 1 when none is, \
        2 on an error: a malformed line, a duplicate job id or a selector that does not compile is \
        named by its line number.")]
    Jobs {
        /// Pending jobs as NDJSON ({"id": ..., "selector": {...}} a line); - reads stdin.
        #[arg(long, value_name = "FILE")]
        jobs: String,
        #[command(flatten)]
        fleet: FleetArgs,
        /// The node whose jobs to print; without -l it is looked up in the fleet. Without --node,
        /// every node of the fleet is counted.
        #[arg(long, value_name = "ID")]
        node: Option<String>,
        /// A KEY=VALUE label of the node given by --node (repeatable); with -l, no fleet is read.
        #[arg(
            short = 'l',
            long = "label",
            value_name = "KEY=VALUE",
            requires = "node",
            conflicts_with_all = ["fleet", "db"]
        )]
        labels: Vec<String>,
        #[arg(short = 'o', long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Find unsatisfiable and redundant requirements; with --fleet or --db, unknown keys and values
    /// too.
    #[command(after_help = "Examples:\n  labelsel lint -e 'env=a' -e 'env!=a'\n  \
        labelsel lint --fleet nodes.ndjson -e 'teir=premium'\n\n\
        Exits 1 when it finds an error, 2 on bad input.")]
    Lint {
        /// Fleet whose keys and values the selector is checked against (read as select --fleet reads
        /// it; - for stdin). Without it (or --db), only the selector itself is analysed.
        #[arg(short = 'f', long, value_name = "FILE")]
        fleet: Option<String>,
        /// A fleet in a database to check against instead, filled by `labelsel load`:
        /// `postgresql://USER@HOST[:PORT]/DB` or `sqlite:PATH`.
        #[arg(long, value_name = "URL", conflicts_with = "fleet")]
        db: Option<String>,
        #[command(flatten)]
        selector: SelectorArgs,
        #[arg(short = 'o', long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Load a fleet file into PostgreSQL or SQLite, replacing the fleet there, for --db.
    #[command(after_help = "Examples:\n  \
        labelsel load --db sqlite:fleet.db --fleet nodes.ndjson\n  \
        kubectl get nodes -o json | labelsel load --db postgresql://labelsel@db.internal/fleets -f -\n  \
        labelsel select --db sqlite:fleet.db -e 'gpu' --count\n\n\
        URL is postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (or postgres://...; \
        ?options=-csearch_path%3DSCHEMA puts the fleet in SCHEMA) or sqlite:PATH (the file is \
        created if missing). The tables labelsel_meta, labelsel_nodes and, in SQLite, \
        labelsel_labels are created where there are none; a database with tables of these names \
        that labelsel did not create is left alone, and so is one with another labelsel schema.\n\n\
        The fleet file is read as select --fleet reads it, with the same errors, and checked whole \
        before the database is touched; then its nodes replace the database's fleet in one \
        transaction, in file order, so a failure changes nothing. Says `loaded N nodes into URL` \
        on stderr.\n\n\
        Exits 0 when the fleet is loaded, 2 on an error (a bad fleet file, no server, a refused \
        login, a database that is not a labelsel fleet).")]
    Load {
        /// The database: `postgresql://USER@HOST[:PORT]/DB` or `sqlite:PATH`.
        #[arg(long, value_name = "URL")]
        db: String,
        /// The nodes, read as select --fleet reads them; - reads stdin.
        #[arg(short = 'f', long, value_name = "FILE")]
        fleet: String,
    },
    /// Print the SQL statement that selects a selector's nodes from a fleet loaded by `labelsel load`.
    #[command(after_help = "Examples:\n  \
        labelsel sql --dialect postgres -e 'gpu' -l env=prod\n  \
        labelsel sql --dialect sqlite --selector job.json --count\n  \
        labelsel sql --dialect sqlite -e 'cpu>8' | sqlite3 fleet.db\n\n\
        The statement is the one select --db runs, with the selector's values written in as quoted \
        literals, so that it runs as it stands in psql or sqlite3 (or under EXPLAIN): it returns \
        the ids of the matching nodes in fleet order, or with --count their number.\n\n\
        Exits 0, or 2 on a bad selector.")]
    Sql {
        /// The SQL dialect: postgres (labels in a jsonb column) or sqlite (a table of labels).
        #[arg(long, value_enum)]
        dialect: SqlDialect,
        #[command(flatten)]
        selector: SelectorArgs,
        /// Print the statement that counts the matching nodes instead.
        #[arg(long)]
        count: bool,
    },
    /// Print a shell completion script, generated from these commands' flags.
    #[command(after_help = "Examples:\n  \
        labelsel completions bash > ~/.local/share/bash-completion/completions/labelsel\n  \
        labelsel completions zsh > \"${fpath[1]}/_labelsel\"\n  \
        labelsel completions fish > ~/.config/fish/completions/labelsel.fish\n\n\
        Exits 0, or 2 when the script cannot be written.")]
    Completions {
        /// The shell: bash, zsh, fish, powershell or elvish.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff), generated from these commands' help, for man(1).
    #[command(after_help = "Examples:\n  \
        labelsel man | man -l -\n  \
        labelsel man select > labelsel-select.1\n\n\
        Exits 0, or 2 when the page cannot be written.")]
    Man {
        /// The command whose page to print (labelsel-COMMAND(1)); default: labelsel(1), which lists
        /// the commands.
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
}

#[derive(Args)]
struct FleetArgs {
    /// Nodes: any stream of JSON node objects ({"id": ..., "labels": {...}}: NDJSON, pretty-printed
    /// or concatenated), a JSON array of them, or a Kubernetes node list (kubectl get nodes -o json),
    /// read as a stream, each record at most 16 MiB; - reads stdin. Default (without --db): the
    /// embedded demo fleet.
    #[arg(short = 'f', long, value_name = "FILE")]
    fleet: Option<String>,
    /// A fleet in a database instead, filled by `labelsel load`:
    /// `postgresql://USER@HOST[:PORT]/DB` (or `postgres://...`) or `sqlite:PATH`. select runs the
    /// selector in the database.
    #[arg(long, value_name = "URL", conflicts_with = "fleet")]
    db: Option<String>,
}

#[derive(Args)]
struct SelectorArgs {
    /// A job-spec selector object ({"match_labels", "match_expressions", "match_ids"}) or a Kubernetes
    /// LabelSelector, JSON or (for .yaml/.yml) YAML; - reads stdin (YAML unless it starts with {).
    /// The flags below only narrow it.
    #[arg(long, value_name = "FILE")]
    selector: Option<String>,
    /// A selector expression the nodes must also match, such as 'tier in (a,b)' (repeatable; added
    /// to match_expressions).
    #[arg(short = 'e', long = "expression", value_name = "EXPR")]
    expressions: Vec<String>,
    /// A label selector the nodes must also match, as kubectl's -l: 'env=prod' or
    /// 'env=prod,tier!=free' (repeatable; added to match_expressions, so it never replaces a label
    /// of the file).
    #[arg(short = 'l', long = "label", value_name = "SELECTOR")]
    labels: Vec<String>,
    /// A node id the node must be (repeatable: any of the ids given); with a file's match_ids, only
    /// the ids in both remain.
    #[arg(long = "id", value_name = "ID")]
    ids: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

/// The SQL dialect `sql` writes.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SqlDialect {
    /// PostgreSQL: the labels in a jsonb column.
    #[value(alias = "postgresql")]
    Postgres,
    /// SQLite: a table of labels, one row per label.
    Sqlite,
}

impl From<SqlDialect> for Dialect {
    fn from(dialect: SqlDialect) -> Dialect {
        match dialect {
            SqlDialect::Postgres => Dialect::Postgres,
            SqlDialect::Sqlite => Dialect::Sqlite,
        }
    }
}

/// What `select` prints: more than the other commands.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SelectOutput {
    /// Ids, one a line (or the counts); the table of `Wide` without the selector's keys when label
    /// columns are asked for.
    Text,
    /// A table: NAME, a column for each key the selector tests, the `-L` columns, and LABELS with
    /// `--show-labels`.
    Wide,
    /// One JSON document.
    Json,
    /// The matching nodes, one `{"id": ..., "labels": {...}}` a line, as a fleet file holds them.
    Ndjson,
    /// The ids only, one a line, as kubectl's `-o name`.
    Name,
}

impl SelectOutput {
    /// The name `--output` takes it by.
    fn name(self) -> &'static str {
        match self {
            SelectOutput::Text => "text",
            SelectOutput::Wide => "wide",
            SelectOutput::Json => "json",
            SelectOutput::Ndjson => "ndjson",
            SelectOutput::Name => "name",
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // --color before clap reads the rest, so that its help and usage errors follow it too.
    let colour = style::from_args(&args).unwrap_or(Colour::Auto);
    style::set(colour);
    let parsed = Cli::command()
        .color(colour.into())
        .try_get_matches_from(&args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        // --help and --version go through the one write path, so that a full disk is not
        // silent; on a terminal clap prints them itself, in colour.
        Err(shown) if !shown.use_stderr() && !std::io::stdout().is_terminal() => {
            let rendered = shown.render();
            let text = if style::stdout() {
                rendered.ansi().to_string()
            } else {
                rendered.to_string()
            };
            return match print_lines(std::iter::once(text.trim_end())) {
                Ok(()) => ExitCode::SUCCESS,
                Err(failure) => {
                    failure.print();
                    ExitCode::from(2)
                }
            };
        }
        Err(error) => error.exit(),
    };
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
        Command::Load { .. }
        | Command::Sql { .. }
        | Command::Completions { .. }
        | Command::Man { .. } => {}
        Command::Place {
            fleet,
            placement,
            affinity,
            ..
        } => {
            let from_stdin = placement.as_deref() == Some("-") || affinity.as_deref() == Some("-");
            if fleet.fleet.as_deref() == Some("-") && from_stdin {
                return Err(Failure::new(
                    "--fleet - and the placement cannot both read stdin; give one of them a file",
                ));
            }
        }
        Command::Jobs { fleet, jobs, .. } => {
            if fleet.fleet.as_deref() == Some("-") && jobs == "-" {
                return Err(Failure::new(
                    "--fleet - and --jobs - cannot both read stdin; give one of them a file",
                ));
            }
        }
        Command::Check { .. } => {}
    }
    match command {
        Command::Check {
            expressions,
            selector,
            output,
        } => check(&expressions, selector.as_deref(), output),
        Command::Select {
            fleet,
            selector,
            count,
            count_by,
            rollout,
            canary,
            batch,
            label_columns,
            show_labels,
            output,
        } => {
            let columns = LabelColumns {
                keys: label_columns,
                show_labels,
            };
            let view = match (count, count_by, rollout) {
                (true, _, _) => View::Count,
                (_, Some(key), _) => View::CountBy(key),
                (_, _, Some(seed)) => View::List(Order::Rollout {
                    seed,
                    canary,
                    batch,
                }),
                _ => View::List(Order::Fleet),
            };
            select(&fleet, &selector, view, &columns, output)
        }
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
            db,
            selector,
            output,
        } => lint(fleet.as_deref(), db.as_deref(), &selector, output),
        Command::Load { db, fleet } => db::load(&fleet, &db),
        Command::Sql {
            dialect,
            selector,
            count,
        } => sql(dialect.into(), &selector, count),
        Command::Completions { shell } => completions(shell),
        Command::Man { command } => man(command.as_deref()),
        Command::Place {
            fleet,
            placement,
            affinity,
            top,
            explain,
            output,
        } => {
            if let Some(node) = &explain {
                check_node_id("--explain", node)?;
            }
            let (placement, warnings) = load_placement(placement.as_deref(), affinity.as_deref())?;
            for warning in &warnings {
                notice(warning);
            }
            let placer = placement.compile()?;
            let fleet = fleet_or_demo(&fleet)?;
            match explain {
                Some(node) => explain_placement(&fleet, &placer, &node, output),
                None => place(&fleet, &placer, top, output),
            }
        }
        Command::Jobs {
            jobs,
            fleet,
            node,
            labels,
            output,
        } => {
            if let Some(id) = &node {
                check_node_id("--node", id)?;
            }
            // The node's labels first: a bad -l is reported before the jobs file is read.
            let described = match &node {
                Some(_) if !labels.is_empty() => Some(node_labels(&labels)?),
                _ => None,
            };
            let index = load_jobs(&jobs)?;
            match (node, described) {
                (Some(id), Some(labels)) => node_jobs(&index, &id, &labels, output),
                (Some(id), None) => node_jobs(&index, &id, &node_of(&fleet, &id)?, output),
                (None, _) => fleet_jobs(&index, &fleet_or_demo(&fleet)?, output),
            }
        }
    }
}

/// The jobs one node satisfies, in file order: one id a line, or `{"node", "jobs"}`.
fn node_jobs<L: Labels + ?Sized>(
    index: &SelectorIndex,
    node: &str,
    labels: &L,
    output: Output,
) -> Result<u8, Failure> {
    let jobs = index.matching(node, labels);
    match output {
        Output::Json => print_json(&json!({ "node": node, "jobs": jobs }))?,
        Output::Text => print_lines(jobs.iter())?,
    }
    Ok(if jobs.is_empty() { 1 } else { 0 })
}

/// How many jobs each node of the fleet satisfies, in fleet order: `ID COUNT` lines, or
/// `[{"id", "jobs"}]`.
fn fleet_jobs(index: &SelectorIndex, fleet: &Fleet, output: Output) -> Result<u8, Failure> {
    let counts: Vec<(&str, usize)> = fleet
        .iter()
        .map(|(id, labels)| (id, index.matching(id, &labels).len()))
        .collect();
    match output {
        Output::Json => {
            let nodes: Vec<_> = counts
                .iter()
                .map(|(id, count)| json!({ "id": id, "jobs": count }))
                .collect();
            print_json(&nodes)?;
        }
        Output::Text => print_lines(counts.iter().map(|(id, count)| format!("{id} {count}")))?,
    }
    Ok(if counts.iter().any(|&(_, count)| count > 0) {
        0
    } else {
        1
    })
}

/// The feasible nodes, best first: `ID SCORE` lines or a JSON array.
fn place(
    fleet: &Fleet,
    placer: &Placer,
    top: Option<usize>,
    output: Output,
) -> Result<u8, Failure> {
    let mut ranked = fleet.ranked(placer).peekable();
    let any_feasible = ranked.peek().is_some();
    let placed: Vec<Placed<'_>> = ranked.take(top.unwrap_or(usize::MAX)).collect();
    match output {
        Output::Json => {
            let nodes: Vec<_> = placed
                .iter()
                .map(|p| json!({ "id": p.id, "score": p.score }))
                .collect();
            print_json(&nodes)?;
        }
        Output::Text => print_lines(placed.iter().map(|p| format!("{} {}", p.id, p.score)))?,
    }
    Ok(if any_feasible { 0 } else { 1 })
}

fn explain_placement(
    fleet: &Fleet,
    placer: &Placer,
    node: &str,
    output: Output,
) -> Result<u8, Failure> {
    let labels = fleet
        .get(node)
        .ok_or_else(|| Failure::new(near::missing_node(fleet.iter().map(|(id, _)| id), node)))?;
    let explanation = placer.explain(node, &labels);
    match output {
        Output::Json => print_json(&explanation)?,
        Output::Text => print_text(&explanation.to_string(), style::verdicts)?,
    }
    Ok(if explanation.feasible { 0 } else { 1 })
}

/// One thing `check` checks: where it is, its text, the JSON field that says where (none for an
/// argument), and its canonical text or its error.
struct Checked {
    origin: String,
    input: String,
    tag: Option<(&'static str, serde_json::Value)>,
    result: Result<String, ParseError>,
}

/// The expressions of the arguments, `-` standing for stdin's lines (blank lines skipped).
fn argument_expressions(expressions: &[String]) -> Result<Vec<Checked>, Failure> {
    if expressions.iter().filter(|e| *e == "-").count() > 1 {
        return Err(Failure::new("- (stdin) can be given only once"));
    }
    let mut checked = Vec::new();
    for (index, text) in expressions.iter().enumerate() {
        if text != "-" {
            checked.push(Checked {
                origin: format!("argument {}", index + 1),
                input: text.clone(),
                tag: None,
                result: Expression::parse(text).map(|e| e.to_string()),
            });
            continue;
        }
        let stdin = read_stdin("the selector expressions")?;
        let stdin = stdin.strip_prefix('\u{feff}').unwrap_or(&stdin);
        for (number, line) in stdin.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            checked.push(Checked {
                origin: format!("<stdin> line {}", number + 1),
                input: line.to_string(),
                tag: Some(("line", (number + 1).into())),
                result: Expression::parse(line).map(|e| e.to_string()),
            });
        }
    }
    Ok(checked)
}

/// Every `match_labels` entry (as `KEY=VALUE`) and `match_expressions` string of a selector file.
fn selector_parts(path: &str) -> Result<Vec<Checked>, Failure> {
    let selector = read_selector(path)?.selector;
    let name = if path == "-" { "<stdin>" } else { path };
    let mut checked = Vec::new();
    for (key, value) in &selector.match_labels {
        let place = Place::MatchLabel(key.clone());
        let text = format!("{key}={value}");
        let result = match labelsel::Selector::new().label(key, value).compile() {
            Err(error) => Err(error.parse_error().clone()),
            Ok(_) => Ok(Expression::parse(&text).map_or(text.clone(), |e| e.to_string())),
        };
        checked.push(Checked {
            origin: format!("{name} {place}"),
            input: text,
            tag: Some(("place", place_json(&place)?)),
            result,
        });
    }
    for (index, text) in selector.match_expressions.iter().enumerate() {
        let place = Place::MatchExpression(index);
        checked.push(Checked {
            origin: format!("{name} {place}"),
            input: text.clone(),
            tag: Some(("place", place_json(&place)?)),
            result: Expression::parse(text).map(|e| e.to_string()),
        });
    }
    Ok(checked)
}

fn check(expressions: &[String], selector: Option<&str>, output: Output) -> Result<u8, Failure> {
    let checked = match selector {
        Some(path) => selector_parts(path)?,
        None => argument_expressions(expressions)?,
    };
    let mut results = Vec::new();
    let mut failed = false;
    for Checked {
        origin,
        input,
        tag,
        result,
    } in checked
    {
        let mut object = match result {
            Ok(canonical) => {
                if output == Output::Text {
                    // Line by line, so that each line and the errors between them keep their order.
                    print_lines(std::iter::once(&canonical))?;
                }
                json!({"input": input, "canonical": canonical})
            }
            Err(error) => {
                failed = true;
                report::print_parse_error(&origin, &error);
                json!({
                    // For a match_labels entry, the key or the value at fault: what the span is in.
                    "input": error.input(),
                    "error": {
                        "message": error.message(),
                        "span": [error.span().start, error.span().end],
                        // null at the end of the input, where there is no token.
                        "found": if at_end(&error) {
                            serde_json::Value::Null
                        } else {
                            error.found().into()
                        },
                        "expected": error.expected(),
                    }
                })
            }
        };
        if let Some((field, value)) = tag {
            object[field] = value;
        }
        results.push(object);
    }
    if output == Output::Json {
        print_json(&results)?;
    }
    Ok(if failed { 2 } else { 0 })
}

/// Whether `error` was found at the end of its input (after any trailing whitespace), not at a token.
fn at_end(error: &ParseError) -> bool {
    error.span().is_empty() && error.span().start >= error.input_len()
}

/// What `select` prints about the matching nodes.
enum View {
    /// Their ids (`--output ndjson`: the nodes themselves).
    List(Order),
    /// Their number (`--count`).
    Count,
    /// Their spread over the values of a key (`--count-by`).
    CountBy(String),
}

/// The order `select` lists the matching nodes in.
enum Order {
    /// Fleet order.
    Fleet,
    /// Rollout order (`--rollout`, `--canary`, `--batch`).
    Rollout {
        seed: u64,
        canary: Option<u32>,
        batch: Option<usize>,
    },
}

/// The label columns `select` was asked for: `-L KEY` and `--show-labels`.
struct LabelColumns {
    keys: Vec<String>,
    show_labels: bool,
}

impl LabelColumns {
    /// Whether any was asked for.
    fn any(&self) -> bool {
        !self.keys.is_empty() || self.show_labels
    }

    /// The table `select` prints under `output`, if it prints one: `-o wide` has a column for each
    /// key the selector tests, then the `-L` columns; the text output is a table of the `-L` columns
    /// alone when there are label columns, as with kubectl. The other outputs have no columns, so
    /// label columns there are an error rather than ignored.
    fn table(&self, output: SelectOutput, matcher: &Matcher) -> Result<Option<Table>, Failure> {
        let flags = self.keys.iter().map(String::as_str);
        match output {
            SelectOutput::Wide => {
                let tested = selector_keys(matcher);
                let keys = tested.iter().map(String::as_str).chain(flags);
                Ok(Some(Table::new(keys, self.show_labels)))
            }
            SelectOutput::Text if self.any() => Ok(Some(Table::new(flags, self.show_labels))),
            SelectOutput::Text => Ok(None),
            SelectOutput::Json | SelectOutput::Ndjson | SelectOutput::Name if self.any() => {
                let flag = if self.keys.is_empty() {
                    "--show-labels"
                } else {
                    "-L"
                };
                Err(Failure::new(format!(
                    "{flag} adds columns to the table, which --output {} does not print; use \
                     --output text or wide",
                    output.name()
                )))
            }
            SelectOutput::Json | SelectOutput::Ndjson | SelectOutput::Name => Ok(None),
        }
    }
}

/// The keys the selector tests, in the order it tests them, each once: the columns of `-o wide`.
fn selector_keys(matcher: &Matcher) -> Vec<String> {
    // An explanation has a verdict for every requirement, with its key, whatever the node.
    let verdicts = matcher.explain("", &BTreeMap::<&str, &str>::new()).verdicts;
    let mut keys: Vec<String> = Vec::new();
    for key in verdicts.into_iter().filter_map(|verdict| verdict.key) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

fn select(
    fleet: &FleetArgs,
    selector: &SelectorArgs,
    view: View,
    columns: &LabelColumns,
    output: SelectOutput,
) -> Result<u8, Failure> {
    if !matches!(view, View::List(_))
        && matches!(
            output,
            SelectOutput::Ndjson | SelectOutput::Name | SelectOutput::Wide
        )
    {
        let flag = match view {
            View::Count => "--count",
            _ => "--count-by",
        };
        return Err(Failure::new(format!(
            "--output {} lists the matching nodes, so it does not go with {flag}; use --output \
             text or json",
            output.name()
        )));
    }
    let matcher = compile(selector)?;
    let table = columns.table(output, &matcher)?;
    for key in &columns.keys {
        labelsel::validate_key(key)
            .map_err(|e| Failure::new(format!("-L {key:?} is not a label key: {e}")))?;
    }
    if let View::CountBy(key) = &view {
        labelsel::validate_key(key)
            .map_err(|e| Failure::new(format!("--count-by {key:?} is not a label key: {e}")))?;
    }
    if let Some(url) = &fleet.db {
        return select_in_db(url, &matcher, view, table.as_ref(), output);
    }
    if let View::Count | View::List(Order::Fleet) = view {
        return select_streaming(fleet, &matcher, &view, table.as_ref(), output);
    }
    let fleet = fleet_or_demo(fleet)?;
    warn_if_empty(&matcher);
    let selection = fleet.select(&matcher);
    match view {
        View::Count => print_count(selection.len() as u64, output),
        View::CountBy(key) => print_spread(&selection, &key, output),
        View::List(order) => {
            let ids: Vec<&str> = selection.iter().collect();
            print_list(&ids, order, output, table.as_ref(), |id| {
                fleet
                    .get(id)
                    .map(|labels| labels.iter().collect())
                    .unwrap_or_default()
            })
        }
    }
}

/// `select` with one selector over a fleet file, stdin or the demo fleet, in fleet order (`view` is
/// the count or the list): the nodes are matched one by one as they are read, and no fleet is built.
/// Lines of ids or nodes go out as the nodes come; JSON (whose count comes first) and tables (whose
/// columns are as wide as their widest cell) keep the matching nodes until the end, and only those.
fn select_streaming(
    args: &FleetArgs,
    matcher: &Matcher,
    view: &View,
    table: Option<&Table>,
    output: SelectOutput,
) -> Result<u8, Failure> {
    let source = fleet_source(args);
    if let View::Count = view {
        let mut count = 0u64;
        for_each_node(source, true, |node| {
            count += u64::from(matcher.matches(&node.id, &node.labels));
            Ok(())
        })?;
        warn_if_empty(matcher);
        return print_count(count, output);
    }
    if output == SelectOutput::Json || table.is_some() {
        let mut matching = Vec::new();
        for_each_node(source, true, |mut node| {
            if matcher.matches(&node.id, &node.labels) {
                // JSON lists the ids only.
                if table.is_none() {
                    node.labels = BTreeMap::new();
                }
                matching.push(node);
            }
            Ok(())
        })?;
        warn_if_empty(matcher);
        let ids: Vec<&str> = matching.iter().map(|node| node.id.as_str()).collect();
        let labels: HashMap<&str, &BTreeMap<String, String>> = matching
            .iter()
            .map(|node| (node.id.as_str(), &node.labels))
            .collect();
        return print_list(&ids, Order::Fleet, output, table, |id| {
            labels
                .get(id)
                .map(|labels| {
                    labels
                        .iter()
                        .map(|(key, value)| (key.as_str(), value.as_str()))
                        .collect()
                })
                .unwrap_or_default()
        });
    }
    let mut count = 0usize;
    // The bar and the output would share a terminal: the output shows the progress there.
    let progress = !std::io::stdout().is_terminal();
    stream_stdout(|out| {
        for_each_node(source, progress, |node| {
            if matcher.matches(&node.id, &node.labels) {
                count += 1;
                let written = match output {
                    SelectOutput::Ndjson => {
                        writeln!(out, "{}", node_json_line(&node.id, &node.labels))
                    }
                    _ => writeln!(out, "{}", node.id),
                };
                written.map_err(Failure::Output)?;
            }
            Ok(())
        })
    })?;
    // After the output, so that a fleet that does not read is the only message.
    warn_if_empty(matcher);
    note_no_match(count, output);
    Ok(if count > 0 { 0 } else { 1 })
}

/// On a terminal, says on stderr that a listing matched no node and how to find out why; the counts
/// and JSON say it themselves.
fn note_no_match(count: usize, output: SelectOutput) {
    if count == 0 && output != SelectOutput::Json && std::io::stderr().is_terminal() {
        notice(
            "no node matched; run labelsel diagnose with the same selector to see which \
             requirement turns nodes down",
        );
    }
}

/// `select --db`: the selector runs in the database, which returns only the matching ids, their
/// number or (for `--output ndjson`, a table and `--count-by`) the matching nodes.
fn select_in_db(
    url: &str,
    matcher: &Matcher,
    view: View,
    table: Option<&Table>,
    output: SelectOutput,
) -> Result<u8, Failure> {
    let mut store = db::open(url)?;
    warn_if_empty(matcher);
    match view {
        View::Count => print_count(store.count(matcher)?, output),
        View::CountBy(key) => {
            let matching = db::matching_fleet(&mut store, matcher)?;
            // Every node of `matching` matched in the database.
            let all = Selector::new().compile()?;
            print_spread(&matching.select(&all), &key, output)
        }
        View::List(order) => {
            let ids = store.select(matcher)?;
            let labels = if output == SelectOutput::Ndjson || table.is_some() {
                store.labels_of(&ids)?
            } else {
                BTreeMap::new()
            };
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            print_list(&ids, order, output, table, |id| {
                labels
                    .get(id)
                    .map(|labels| {
                        labels
                            .iter()
                            .map(|(key, value)| (key.as_str(), value.as_str()))
                            .collect()
                    })
                    .unwrap_or_default()
            })
        }
    }
}

/// Says on stderr that a selector with no requirement matches every node.
fn warn_if_empty(matcher: &Matcher) {
    if matcher.is_empty() {
        notice("the selector is empty, so every node matches");
    }
}

/// `select --count`: the number of matching nodes; exits 0 when it is not 0.
fn print_count(count: u64, output: SelectOutput) -> Result<u8, Failure> {
    match output {
        SelectOutput::Json => print_json(&json!({ "count": count }))?,
        _ => print_lines(std::iter::once(count.to_string()))?,
    }
    Ok(if count > 0 { 0 } else { 1 })
}

/// `select --count-by KEY`: how many of the selected nodes have each value of KEY, and how many lack
/// it; exits 0 when a node was selected.
fn print_spread(
    selection: &labelsel::Selection<'_>,
    key: &str,
    output: SelectOutput,
) -> Result<u8, Failure> {
    let spread = selection.count_by(key);
    match output {
        SelectOutput::Json => print_json(&spread)?,
        _ => print_lines(spread.to_string().lines())?,
    }
    Ok(if selection.is_empty() { 1 } else { 0 })
}

/// `select`'s listing of the matching nodes `ids` (in fleet order) in `order`: a line of each one's
/// id, under `--output ndjson` the node itself, or `table`'s rows, `labels` giving a node's labels;
/// exits 0 when a node matched.
fn print_list<'a>(
    ids: &[&str],
    order: Order,
    output: SelectOutput,
    table: Option<&Table>,
    labels: impl Fn(&str) -> BTreeMap<&'a str, &'a str>,
) -> Result<u8, Failure> {
    let count = ids.len();
    // Only the listings print nothing at all when nothing matches; the counts print 0.
    note_no_match(count, output);
    let exit = if count > 0 { 0 } else { 1 };
    let (listed, batch): (Vec<&str>, Option<usize>) = match order {
        Order::Fleet if output == SelectOutput::Json => {
            print_json(&json!({ "count": count, "ids": ids }))?;
            return Ok(exit);
        }
        Order::Fleet => (ids.to_vec(), None),
        Order::Rollout {
            seed,
            canary,
            batch,
        } => {
            let rollout = Rollout::from_ids(seed, ids.iter().copied());
            let listed = match canary {
                Some(percent) => rollout.canary(percent),
                None => rollout.ids(),
            };
            if output == SelectOutput::Json {
                let mut object = json!({ "seed": seed, "count": count });
                if let Some(percent) = canary {
                    object["canary_percent"] = percent.into();
                }
                match batch {
                    Some(size) => {
                        object["batches"] = listed.chunks(size).collect::<Vec<_>>().into()
                    }
                    None => object["ids"] = listed.into(),
                }
                print_json(&object)?;
                return Ok(exit);
            }
            (listed.to_vec(), batch)
        }
    };
    print_batches(&listed, batch, output, table, labels)?;
    Ok(exit)
}

/// Prints `ids` in batches of `batch` (one batch without it), an empty line between batches: each
/// batch `table`'s header and rows, or a line per node, its id or under `--output ndjson` the node.
fn print_batches<'a>(
    ids: &[&str],
    batch: Option<usize>,
    output: SelectOutput,
    table: Option<&Table>,
    labels: impl Fn(&str) -> BTreeMap<&'a str, &'a str>,
) -> Result<(), Failure> {
    let batches: Vec<&[&str]> = match batch {
        Some(size) => ids.chunks(size).collect(),
        None if ids.is_empty() => Vec::new(),
        None => vec![ids],
    };
    if let Some(table) = table {
        let nodes: Vec<Vec<(&str, BTreeMap<&str, &str>)>> = batches
            .iter()
            .map(|batch| batch.iter().map(|&id| (id, labels(id))).collect())
            .collect();
        return print_lines(table.lines(&nodes).into_iter());
    }
    let line = |id: &str| match output {
        SelectOutput::Ndjson => node_json_line(id, &labels(id)),
        _ => id.to_string(),
    };
    // An empty line before every batch but the first.
    let lines = batches.iter().enumerate().flat_map(|(n, batch)| {
        let gap = (n > 0).then(String::new);
        gap.into_iter().chain(batch.iter().map(|id| line(id)))
    });
    print_lines(lines)
}

/// A node as one line of NDJSON, `{"id":...,"labels":{...}}` with its labels sorted by key: what a
/// fleet file holds, so that `select --output ndjson` output is a fleet again.
fn node_json_line<K: AsRef<str> + Ord, V: AsRef<str>>(id: &str, labels: &BTreeMap<K, V>) -> String {
    #[derive(serde::Serialize)]
    struct Node<'a> {
        id: &'a str,
        labels: BTreeMap<&'a str, &'a str>,
    }
    let labels = labels
        .iter()
        .map(|(key, value)| (key.as_ref(), value.as_ref()))
        .collect();
    // Strings and maps of strings always serialize.
    serde_json::to_string(&Node { id, labels }).unwrap_or_default()
}

/// `--batch N`: a whole number of ids, at least 1.
fn batch_size(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("a batch must hold at least 1 id".to_string()),
        Ok(size) => Ok(size),
        Err(e) => Err(format!("not a number of ids: {e}")),
    }
}

/// `explain`: each node's explanation in turn; exits 0 when every node matches.
fn explain(
    fleet: &FleetArgs,
    nodes: &[String],
    selector: &SelectorArgs,
    output: Output,
) -> Result<u8, Failure> {
    for node in nodes {
        check_node_id("--node", node)?;
    }
    let matcher = compile(selector)?;
    let explanations = nodes_of(fleet, nodes)?
        .iter()
        .zip(nodes)
        .map(|(labels, node)| matcher.explain(node, labels))
        .collect::<Vec<_>>();
    match (output, explanations.as_slice()) {
        (Output::Json, [one]) => print_json(one)?,
        (Output::Json, several) => print_json(&several)?,
        (Output::Text, _) => {
            let texts: Vec<String> = explanations.iter().map(|e| e.to_string()).collect();
            print_text(&texts.join("\n"), style::verdicts)?;
        }
    }
    Ok(if explanations.iter().all(|e| e.matches) {
        0
    } else {
        1
    })
}

/// `place` as a JSON object: `{"field": "match_expressions", "index": 1}`.
fn place_json(place: &Place) -> Result<serde_json::Value, Failure> {
    Place::serialize_structured(place, serde_json::value::Serializer)
        .map_err(|e| Failure::new(format!("writing JSON: {e}")))
}

/// A diagnosis as `diagnose -o json` writes it: the library's fields in its order, each origin an
/// object as in `explain`'s JSON.
#[derive(serde::Serialize)]
struct DiagnosisJson {
    nodes: usize,
    matching: usize,
    requirements: Vec<RequirementJson>,
}

/// One requirement of a [`DiagnosisJson`].
#[derive(serde::Serialize)]
struct RequirementJson {
    #[serde(serialize_with = "Place::serialize_structured")]
    origin: Place,
    requirement: String,
    rejects: usize,
    rejects_alone: usize,
    matching_without: usize,
}

impl From<&labelsel::Diagnosis> for DiagnosisJson {
    fn from(diagnosis: &labelsel::Diagnosis) -> DiagnosisJson {
        DiagnosisJson {
            nodes: diagnosis.nodes,
            matching: diagnosis.matching,
            requirements: diagnosis
                .requirements
                .iter()
                .map(|r| RequirementJson {
                    origin: r.origin.clone(),
                    requirement: r.requirement.clone(),
                    rejects: r.rejects,
                    rejects_alone: r.rejects_alone,
                    matching_without: r.matching_without,
                })
                .collect(),
        }
    }
}

/// `diagnose`: exits 0 when the selector matches some node, 1 when it matches none, as `select`.
fn diagnose(fleet: &FleetArgs, selector: &SelectorArgs, output: Output) -> Result<u8, Failure> {
    let matcher = compile(selector)?;
    let fleet = fleet_or_demo(fleet)?;
    let diagnosis = fleet.diagnose(&matcher);
    match output {
        Output::Json => print_json(&DiagnosisJson::from(&diagnosis))?,
        Output::Text => print_lines(std::iter::once(diagnosis.to_string().trim_end()))?,
    }
    Ok(if diagnosis.matching > 0 { 0 } else { 1 })
}

/// `lint`: the analysis, the fleet's findings, and a warning for an explicit empty `match_ids` (the
/// library cannot see it: the list reads as no constraint); exits 1 on an error-level finding.
fn lint(
    fleet: Option<&str>,
    db: Option<&str>,
    selector: &SelectorArgs,
    output: Output,
) -> Result<u8, Failure> {
    let (matcher, empty_match_ids) = compile_noting(selector)?;
    let mut analysis = matcher.analyze();
    let fleet = match (fleet, db) {
        (Some(path), _) => Some(load_fleet(FleetSource::from_arg(path))?),
        (None, Some(url)) => Some(db::read_fleet(url)?),
        (None, None) => None,
    };
    if let Some(fleet) = fleet {
        analysis.findings.extend(fleet.lint(&matcher));
    }
    match output {
        Output::Json if empty_match_ids.is_none() => print_json(&analysis)?,
        Output::Json => {
            let mut json = serde_json::to_value(&analysis)
                .map_err(|e| Failure::new(format!("writing JSON: {e}")))?;
            if let (Some(_), Some(findings)) = (&empty_match_ids, json["findings"].as_array_mut()) {
                // In the shape and spelling of the library's findings.
                findings.insert(
                    0,
                    json!({
                        "severity": "warning",
                        "kind": "empty_match_ids",
                        "message": format!("unconstrained: {EMPTY_MATCH_IDS}"),
                        "origins": [place_json(&Place::MatchIds)?],
                        "requirements": [],
                        "suggestions": [],
                        "unknown": [],
                    }),
                );
            }
            print_json(&json)?
        }
        Output::Text => {
            let mut text = analysis.to_string();
            if let Some(warning) = &empty_match_ids {
                // The warning is a finding: "no findings" would contradict it.
                if let Some(rest) = text.strip_prefix("no findings\n") {
                    text = rest.to_string();
                }
                text.insert_str(0, &format!("warning: unconstrained: {warning}\n"));
            }
            print_text(&text, style::findings)?
        }
    }
    Ok(if analysis.has_errors() { 1 } else { 0 })
}

/// The selector of `--selector`, narrowed by the flags, compiled, as [`compile_noting`] compiles it;
/// its warning (an explicit empty `match_ids`) goes to stderr.
fn compile(args: &SelectorArgs) -> Result<Matcher, Failure> {
    let (matcher, warning) = compile_noting(args)?;
    if let Some(warning) = warning {
        notice(&warning);
    }
    Ok(matcher)
}

/// The selector of `--selector`, narrowed by the flags, compiled, and the warning about the file's
/// explicit empty `match_ids` when it has one; an error in a flag's expression is named by the flag
/// and its number (`-l argument 2`), not by its index in `match_expressions`.
fn compile_noting(args: &SelectorArgs) -> Result<(Matcher, Option<String>), Failure> {
    let flags = load_selector(
        args.selector.as_deref(),
        &args.expressions,
        &args.labels,
        &args.ids,
    )?;
    let matcher = flags.selector.compile().map_err(|error| {
        let origin = match error.place() {
            Place::MatchExpression(index) => flags.origin(*index),
            _ => None,
        };
        match origin {
            Some(origin) => Failure::Argument { origin, error },
            None => Failure::Selector(error),
        }
    })?;
    Ok((matcher, flags.empty_match_ids))
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

/// `sql`: the statement that selects (or with `count` counts) the selector's nodes, its values
/// written in.
fn sql(dialect: Dialect, selector: &SelectorArgs, count: bool) -> Result<u8, Failure> {
    let matcher = compile(selector)?;
    let statement = if count {
        matcher.to_sql_count(dialect)
    } else {
        matcher.to_sql(dialect)
    };
    print_lines(std::iter::once(statement.inline()))?;
    Ok(0)
}

/// The labels of node `id`: read alone from the database of `--db`, else found in one pass over the
/// fleet of `--fleet` or the demo fleet.
fn node_of(args: &FleetArgs, id: &str) -> Result<LabelSet, Failure> {
    let mut labels = nodes_of(args, std::slice::from_ref(&id.to_string()))?;
    labels
        .pop()
        .ok_or_else(|| Failure::new(format!("no node with id {id:?} in the fleet")))
}

/// The labels of each node of `ids`, in order: read from the database of `--db` (each alone), else
/// found in one pass over the fleet of `--fleet` or the demo fleet, which builds no index. An id not
/// there is an error naming the nearest ids of the fleet.
fn nodes_of(args: &FleetArgs, ids: &[String]) -> Result<Vec<LabelSet>, Failure> {
    if let Some(url) = &args.db {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            match db::node_labels(url, id)? {
                Some(labels) => found.push(labels),
                // Only now the whole fleet, to suggest the ids nearest the missing one.
                None => {
                    let fleet = db::read_fleet(url)?;
                    let message = near::missing_node(fleet.iter().map(|(id, _)| id), id);
                    return Err(Failure::new(message));
                }
            }
        }
        return Ok(found);
    }
    // Streamed: only the labels of the nodes asked for stay, and the ids, to suggest the nearest
    // if one is missing.
    let mut found: Vec<Option<LabelSet>> = vec![None; ids.len()];
    let mut fleet_ids = Vec::new();
    for_each_node(fleet_source(args), true, |node| {
        for (wanted, found) in ids.iter().zip(&mut found) {
            if *wanted == node.id {
                *found = Some(node.labels.iter().collect());
            }
        }
        fleet_ids.push(node.id);
        Ok(())
    })?;
    ids.iter()
        .zip(found)
        .map(|(id, found)| {
            found.ok_or_else(|| {
                Failure::new(near::missing_node(fleet_ids.iter().map(String::as_str), id))
            })
        })
        .collect()
}

/// The fleet of `--fleet` or `--db`, or the embedded demo fleet, saying so on stderr.
fn fleet_or_demo(args: &FleetArgs) -> Result<Fleet, Failure> {
    match &args.db {
        Some(url) if args.fleet.is_none() => db::read_fleet(url),
        _ => load_fleet(fleet_source(args)),
    }
}

/// The file of `--fleet`, stdin, or the embedded demo fleet, saying so on stderr: an answer about
/// made-up nodes must not pass for one about real ones.
fn fleet_source(args: &FleetArgs) -> FleetSource<'_> {
    match &args.fleet {
        Some(path) => FleetSource::from_arg(path),
        None => {
            notice(&format!(
                "no --fleet given; using the embedded demo fleet of {} nodes",
                demo_nodes()
            ));
            FleetSource::Demo
        }
    }
}

/// Prints `text` (without its last line break), recoloured by `paint` when stdout is coloured.
fn print_text(text: &str, paint: fn(&str) -> String) -> Result<(), Failure> {
    let text = text.trim_end();
    if style::stdout() {
        print_lines(std::iter::once(paint(text)))
    } else {
        print_lines(std::iter::once(text))
    }
}

/// `completions`: the completion script for `shell`.
fn completions(shell: Shell) -> Result<u8, Failure> {
    let mut script = Vec::new();
    // Into memory first: the generator cannot report a write error, so the write path does.
    clap_complete::generate(shell, &mut Cli::command(), "labelsel", &mut script);
    print_bytes(&script)?;
    Ok(0)
}

/// `man`: the manual page of labelsel, or of one of its commands, in roff.
fn man(command: Option<&str>) -> Result<u8, Failure> {
    let mut cli = Cli::command();
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => {
            let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
            // Built, so that its display name is `labelsel-NAME`, the page's title.
            let found = cli.find_subcommand(name).cloned().ok_or_else(|| {
                Failure::new(format!(
                    "man {name:?}: no such command; give one of {}",
                    names.join(", ")
                ))
            })?;
            found.version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|e| Failure::new(format!("rendering the manual page: {e}")))?;
    print_bytes(&roff)?;
    Ok(0)
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::new(format!("writing JSON: {e}")))?;
    print_lines(std::iter::once(text))
}

/// Writes lines to stdout: every command's output goes through here. A closed pipe (as with `| head`)
/// ends the output quietly, the command keeping its exit status; any other write or flush error (a
/// full disk) is a failure, so that no output is lost silently.
fn print_lines<T: std::fmt::Display>(mut lines: impl Iterator<Item = T>) -> Result<(), Failure> {
    write_stdout(|out| lines.try_for_each(|line| writeln!(out, "{line}")))
}

/// Writes `bytes` to stdout as they are, as [`print_lines`] writes lines.
fn print_bytes(bytes: &[u8]) -> Result<(), Failure> {
    write_stdout(|out| out.write_all(bytes))
}

/// Runs `write` on buffered stdout and flushes it, with [`print_lines`]'s handling of errors.
fn write_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Failure> {
    stream_stdout(|out| write(out).map_err(Failure::Output))
}

/// Runs `write` on buffered stdout and flushes it: the one write path. `write` may fail for its own
/// reasons (a fleet that stops reading) or with [`Failure::Output`] for a write error; a closed pipe
/// ends the output (and `write`) quietly, any other write error is a failure.
fn stream_stdout(write: impl FnOnce(&mut dyn Write) -> Result<(), Failure>) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = write(&mut out).and_then(|()| out.flush().map_err(Failure::Output));
    match written {
        Err(Failure::Output(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
