//! Colour (`--color auto|always|never`): on errors (stderr), on lint findings and on explain
//! verdicts (stdout). `auto` colours a stream only when it is a terminal and `NO_COLOR` is unset.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::sync::OnceLock;

use clap::ValueEnum;
use clap::builder::styling::{AnsiColor, Style};

/// When to colour, as `--color` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Colour {
    /// Only a terminal, and only when `NO_COLOR` is unset.
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never: no escape codes at all.
    Never,
}

impl From<Colour> for clap::ColorChoice {
    fn from(colour: Colour) -> clap::ColorChoice {
        match colour {
            Colour::Auto => clap::ColorChoice::Auto,
            Colour::Always => clap::ColorChoice::Always,
            Colour::Never => clap::ColorChoice::Never,
        }
    }
}

/// The `--color` of this run, set once when the command line is read.
static CHOICE: OnceLock<Colour> = OnceLock::new();

/// Sets the `--color` of this run (the first call wins).
pub(crate) fn set(colour: Colour) {
    let _ = CHOICE.set(colour);
}

/// The `--color` value on a command line, before clap reads it, so that clap's own help and usage
/// errors follow it too: `--color WHEN` or `--color=WHEN` before any `--`; `None` when absent or
/// not one of the values (clap then says so).
pub(crate) fn from_args(args: &[OsString]) -> Option<Colour> {
    let mut words = args.iter().skip(1).map(|arg| arg.to_str());
    while let Some(word) = words.next() {
        let value = match word {
            Some("--") => return None,
            Some("--color") => words.next().flatten(),
            Some(word) => word.strip_prefix("--color="),
            None => None,
        };
        if let Some(value) = value {
            return Colour::from_str(value, false).ok();
        }
    }
    None
}

/// Whether what goes to a stream that `is_terminal` (or not) is coloured.
fn enabled(is_terminal: bool) -> bool {
    match CHOICE.get().copied().unwrap_or(Colour::Auto) {
        Colour::Always => true,
        Colour::Never => false,
        Colour::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Whether standard output is coloured.
pub(crate) fn stdout() -> bool {
    enabled(std::io::stdout().is_terminal())
}

/// Whether standard error is coloured.
pub(crate) fn stderr() -> bool {
    enabled(std::io::stderr().is_terminal())
}

/// `text` in `colour`, bold.
fn paint(text: &str, colour: AnsiColor) -> String {
    let style: Style = colour.on_default().bold();
    format!("{style}{text}{style:#}")
}

/// A `hint:` line's word, in cyan when `coloured`.
pub(crate) fn hint(coloured: bool) -> String {
    if coloured {
        paint("hint", AnsiColor::Cyan)
    } else {
        "hint".to_string()
    }
}

/// Lint's text with each finding's severity coloured: `error` red, `warning` yellow.
pub(crate) fn findings(text: &str) -> String {
    recolour(text, |line| {
        [("error", AnsiColor::Red), ("warning", AnsiColor::Yellow)]
            .into_iter()
            .find_map(|(word, colour)| {
                let rest = line.strip_prefix(word)?.strip_prefix(':')?;
                Some(format!("{}:{rest}", paint(word, colour)))
            })
    })
}

/// An explanation's text (`explain`, `place --explain`) with each verdict coloured: `pass` green,
/// `fail` red.
pub(crate) fn verdicts(text: &str) -> String {
    recolour(text, |line| {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        [("pass", AnsiColor::Green), ("fail", AnsiColor::Red)]
            .into_iter()
            .find_map(|(word, colour)| {
                // A verdict line: the word, then two spaces and the requirement's place.
                let rest = body
                    .strip_prefix(word)
                    .filter(|rest| rest.starts_with("  "))?;
                Some(format!("{indent}{}{rest}", paint(word, colour)))
            })
    })
}

/// `text` with each line `paint` recolours replaced, the others as they are.
fn recolour(text: &str, paint: impl Fn(&str) -> Option<String>) -> String {
    text.lines()
        .map(|line| paint(line).unwrap_or_else(|| line.to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}
