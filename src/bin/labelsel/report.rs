//! Errors for people: the message, and for selector text the input with a caret under the span.

use std::io::Write;

use crate::{hints, style};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use labelsel::{ParseError, ParseErrorKind, Place, PlacementError, SelectorError, StoreError};

/// Why a command could not run; printed to stderr, exit status 2.
#[derive(Debug)]
pub(crate) enum Failure {
    Message(String),
    Selector(SelectorError),
    Placement(PlacementError),
    /// A job's selector that does not compile; `at` names the file and line (`jobs.ndjson:7`).
    JobSelector {
        at: String,
        error: SelectorError,
    },
    /// A selector expression given on the command line that does not parse; `origin` names the flag
    /// and its number (`-e argument 2`).
    Argument {
        origin: String,
        error: SelectorError,
    },
    /// Standard output could not be written (other than a closed pipe).
    Output(std::io::Error),
}

impl Failure {
    pub(crate) fn new(message: impl Into<String>) -> Failure {
        Failure::Message(message.into())
    }

    pub(crate) fn print(&self) {
        match self {
            Failure::Message(message) => to_stderr(&plain_error(message)),
            Failure::Output(error) => notice(&format!("cannot write the output: {error}")),
            Failure::Argument { origin, error } => print_parse_error(origin, error.parse_error()),
            Failure::Selector(error) => {
                print_parse_error(&selector_origin(error), error.parse_error());
            }
            Failure::JobSelector { at, error } => {
                let origin = format!("{at} {}", selector_origin(error));
                print_parse_error(&origin, error.parse_error());
            }
            Failure::Placement(error) => {
                let place = error.selector_error().place();
                let origin = format!("{}.{place}", error.term());
                print_parse_error(&origin, error.selector_error().parse_error());
            }
        }
    }
}

impl From<PlacementError> for Failure {
    fn from(error: PlacementError) -> Failure {
        Failure::Placement(error)
    }
}

impl From<StoreError> for Failure {
    /// A database's error is one line already, naming the database and what to do.
    fn from(error: StoreError) -> Failure {
        Failure::Message(error.to_string())
    }
}

impl From<SelectorError> for Failure {
    fn from(error: SelectorError) -> Failure {
        Failure::Selector(error)
    }
}

/// Where in a selector the error is: its place, or for a bad `match_labels` key the key itself.
fn selector_origin(error: &SelectorError) -> String {
    match (error.place(), error.parse_error().kind()) {
        (Place::MatchLabel(key), ParseErrorKind::InvalidKey(_)) => {
            format!("match_labels key {key:?}")
        }
        (place, _) => place.to_string(),
    }
}

/// Prints a parse error as a snippet of its input named `origin`, with a caret under the span.
pub(crate) fn print_parse_error(origin: &str, error: &ParseError) {
    let message = error.message();
    let label = format!("expected {}", error.expected());
    // The error keeps a window of a long input; its span counts bytes of the whole input.
    let (kept, offset) = (error.input(), error.input_offset());
    let span = error.span();
    let start = span.start.saturating_sub(offset).min(kept.len());
    let end = span.end.saturating_sub(offset).clamp(start, kept.len());
    let report = [Level::ERROR.primary_title(&message).element(
        Snippet::source(kept)
            .path(origin)
            .annotation(AnnotationKind::Primary.span(start..end).label(&label)),
    )];
    to_stderr(&renderer().render(&report));
    if let Some(hint) = hints::hint(kept, error) {
        to_stderr(&format!("{}: {hint}", style::hint(style::stderr())));
    }
}

/// One `labelsel: ...` line on stderr: a notice beside the output, not an error.
pub(crate) fn notice(message: &str) {
    to_stderr(&format!("labelsel: {message}"));
}

/// Writes a line to stderr; if even stderr cannot be written, there is no one left to tell.
fn to_stderr(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

fn plain_error(message: &str) -> String {
    renderer().render(&[Group::with_title(Level::ERROR.primary_title(message))])
}

/// Colour as `--color` says for stderr.
fn renderer() -> Renderer {
    if style::stderr() {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}
