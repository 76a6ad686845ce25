//! Reading fleets from any byte stream, one node at a time, in bounded memory.
//!
//! A fleet is any stream of JSON values: NDJSON (`{"id": ..., "labels": {...}}` a line), objects
//! pretty-printed as `jq` prints them, or objects one after another; each value a node object, a JSON
//! array of them, or a Kubernetes list as `kubectl get nodes -o json` prints it (`"kind": "NodeList"` or
//! `"List"`, each item's `metadata.name` its id and `metadata.labels` its labels); a single Kubernetes
//! `Node` reads too. Missing or `null` labels are none; a byte-order mark at the start is skipped.
//!
//! [`NodeReader`] yields the nodes in order, each with its line and column. It holds one record at a
//! time (a node, or a list's fields besides its items), never the whole input: arrays and lists are
//! read element by element, and a record longer than [`ReadLimits::max_record_bytes`] is an error
//! naming the line where it starts, so `/dev/zero` or a gigabyte label value fail fast instead of
//! filling memory. [`Fleet::from_reader`] builds a [`Fleet`] from one, refusing a node id given twice
//! ([`DuplicateIds`]).

mod record;
mod scan;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::io::{self, BufReader, Read};

use crate::Fleet;
use record::{ListFields, RawNode};
use scan::{End, Pos, Scanner, Value};

/// Bounds on what [`NodeReader`] holds in memory at once.
///
/// ```
/// use labelsel::{NodeReader, ReadLimits};
///
/// let limits = ReadLimits::default().max_record_bytes(64);
/// let input = format!(r#"{{"id": "a", "labels": {{"note": "{}"}}}}"#, "x".repeat(100));
/// let err = NodeReader::with_limits(input.as_bytes(), limits).next().unwrap().unwrap_err();
/// assert_eq!((err.line(), err.column()), (1, 1));
/// assert!(err.to_string().contains("larger than the limit of 64 bytes"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLimits {
    max_record_bytes: usize,
}

/// The default [`ReadLimits::max_record_bytes`]: 16 MiB, far above any node (a Kubernetes `Node` with
/// its status is tens of kilobytes).
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 << 20;

impl Default for ReadLimits {
    fn default() -> ReadLimits {
        ReadLimits {
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

impl ReadLimits {
    /// Sets the longest record read, in bytes: one node object, one element of an array, one item
    /// of a Kubernetes list, or a list's fields besides its items. The reader's buffer never grows
    /// past it.
    ///
    /// ```
    /// use labelsel::ReadLimits;
    ///
    /// let limits = ReadLimits::default().max_record_bytes(1 << 20);
    /// assert_eq!(limits.record_bytes(), 1 << 20);
    /// ```
    #[must_use]
    pub fn max_record_bytes(mut self, bytes: usize) -> ReadLimits {
        self.max_record_bytes = bytes;
        self
    }

    /// The longest record read, in bytes ([`DEFAULT_MAX_RECORD_BYTES`] by default).
    ///
    /// ```
    /// use labelsel::{DEFAULT_MAX_RECORD_BYTES, ReadLimits};
    ///
    /// assert_eq!(ReadLimits::default().record_bytes(), DEFAULT_MAX_RECORD_BYTES);
    /// ```
    pub fn record_bytes(&self) -> usize {
        self.max_record_bytes
    }
}

/// One node read by a [`NodeReader`]: its id, its labels, and where it starts.
///
/// ```
/// use labelsel::NodeReader;
///
/// let node = NodeReader::new(&b"\n  {\"id\": \"a\", \"labels\": {\"gpu\": \"l4\"}}"[..])
///     .next().unwrap().unwrap();
/// assert_eq!((node.id.as_str(), node.labels["gpu"].as_str()), ("a", "l4"));
/// assert_eq!((node.line, node.column), (2, 3));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NodeRecord {
    /// The node's id: not empty, without control characters.
    pub id: String,
    /// The node's labels, each key once.
    pub labels: BTreeMap<String, String>,
    /// The line the node's value starts on, from 1.
    pub line: u64,
    /// The column (in bytes, from 1) the node's value starts at.
    pub column: u64,
    /// Where the node is: alone, or its number in an array or list (for messages).
    within: Within,
}

/// Where a node's value is in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Within {
    /// A value of the stream itself.
    Stream,
    /// The `n`th element (from 1) of an array.
    Array(u64),
    /// The `n`th item (from 1) of a Kubernetes list.
    List(ListKind, u64),
}

/// A Kubernetes list's kind, as far as it is known when its items are read (kubectl prints `kind`
/// after `items`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    NodeList,
    List,
    Unknown,
}

impl fmt::Display for Within {
    /// The words before a message about the node: `node 3 of the array: `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Within::Stream => Ok(()),
            Within::Array(n) => write!(f, "node {n} of the array: "),
            Within::List(ListKind::NodeList, n) => write!(f, "node {n} of the NodeList: "),
            Within::List(ListKind::List, n) => write!(f, "node {n} of the List: "),
            Within::List(ListKind::Unknown, n) => write!(f, "node {n} of the list: "),
        }
    }
}

/// What went wrong reading a fleet, by kind.
///
/// ```
/// use labelsel::{NodeReader, ReadErrorKind};
///
/// let err = NodeReader::new(&b"{\"id\": \"\"}"[..]).next().unwrap().unwrap_err();
/// assert_eq!(err.kind(), ReadErrorKind::InvalidId);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The input could not be read.
    Io,
    /// The input is not UTF-8.
    InvalidUtf8,
    /// The input is not JSON.
    Syntax,
    /// A value is JSON but not a node (or a node's label value is not a string, or a label key is
    /// given twice).
    NotANode,
    /// A node id is empty or holds a control character (a newline, a tab, NUL, ...).
    InvalidId,
    /// A node id is given twice ([`DuplicateIds`]).
    DuplicateId,
    /// A record is longer than [`ReadLimits::max_record_bytes`].
    TooLarge,
}

/// An error reading a fleet: where (line and column, from 1) and what; its `Display` is one line,
/// `LINE:COLUMN: message`, for a caller to put the file's name in front of.
///
/// ```
/// use labelsel::NodeReader;
///
/// let input = b"{\"id\": \"a\"}\n{\"id\": \"b\", \"labels\": {\"cpu\": 4}}\n";
/// let err = NodeReader::new(&input[..]).nth(1).unwrap().unwrap_err();
/// assert_eq!((err.line(), err.column()), (2, 31));
/// assert_eq!(
///     err.to_string(),
///     r#"2:31: not a node object: the value of label "cpu" must be a string, not 4: write "4""#
/// );
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct ReadError {
    kind: ReadErrorKind,
    line: u64,
    column: u64,
    message: String,
    source: Option<io::Error>,
}

impl ReadError {
    fn new(kind: ReadErrorKind, at: Pos, message: String) -> ReadError {
        ReadError {
            kind,
            line: at.line,
            column: at.column,
            message,
            source: None,
        }
    }

    fn io(at: Pos, error: io::Error) -> ReadError {
        ReadError {
            source: Some(error),
            ..ReadError::new(ReadErrorKind::Io, at, "cannot read the input".to_string())
        }
    }

    /// What kind of error it is.
    ///
    /// ```
    /// use labelsel::{NodeReader, ReadErrorKind};
    ///
    /// let err = NodeReader::new(&b"[1"[..]).next().unwrap().unwrap_err();
    /// assert_eq!(err.kind(), ReadErrorKind::NotANode);
    /// ```
    pub fn kind(&self) -> ReadErrorKind {
        self.kind
    }

    /// The line of the error, from 1.
    ///
    /// ```
    /// use labelsel::NodeReader;
    ///
    /// let err = NodeReader::new(&b"\n\n{"[..]).next().unwrap().unwrap_err();
    /// assert_eq!(err.line(), 3);
    /// ```
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The column of the error, in bytes from 1.
    ///
    /// ```
    /// use labelsel::NodeReader;
    ///
    /// let err = NodeReader::new(&b"  {\"id\": 7}"[..]).next().unwrap().unwrap_err();
    /// assert_eq!(err.column(), 10);
    /// ```
    pub fn column(&self) -> u64 {
        self.column
    }

    /// What is wrong, without the place.
    ///
    /// ```
    /// use labelsel::NodeReader;
    ///
    /// let err = NodeReader::new(&b"[{\"id\": \"a\"}, {}]"[..]).nth(1).unwrap().unwrap_err();
    /// assert_eq!(err.message(), "node 2 of the array: missing field `id`");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// What is wrong with a node id, if anything: ids are printed one a line and looked up by name, so
/// an empty id or one holding a control character (a newline, a tab, NUL, ...) is refused.
///
/// ```
/// use labelsel::node_id_problem;
///
/// assert_eq!(node_id_problem("node-1"), None);
/// assert_eq!(node_id_problem(""), Some("is empty"));
/// assert_eq!(node_id_problem("a\nb"), Some("holds a control character"));
/// ```
pub fn node_id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("is empty")
    } else if id.chars().any(char::is_control) {
        Some("holds a control character")
    } else {
        None
    }
}

/// Reads the nodes of a fleet from any byte stream, one at a time, in order (see the
/// [module](crate::read) for the formats). After an error it yields nothing more.
///
/// ```
/// use labelsel::NodeReader;
///
/// let input = r#"{"kind": "NodeList", "items": [
///   {"metadata": {"name": "a", "labels": {"zone": "x"}}},
///   {"metadata": {"name": "b"}}
/// ]}
/// {"id": "c", "labels": null}"#;
/// let ids: Vec<String> = NodeReader::new(input.as_bytes())
///     .map(|node| node.map(|node| node.id))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(ids, ["a", "b", "c"]);
/// # Ok::<(), labelsel::ReadError>(())
/// ```
#[derive(Debug)]
pub struct NodeReader<R> {
    scanner: Scanner<BufReader<R>>,
    max: usize,
    state: State,
    /// The record being read.
    buf: Vec<u8>,
}

/// Where the reader is.
#[derive(Debug)]
enum State {
    /// Before the first byte (and a byte-order mark).
    Start,
    /// Between values of the stream.
    Stream,
    /// Inside an array (or a list's items).
    Elements(Elements),
    /// After an error, or at the end.
    Done,
}

/// An array being read, or a Kubernetes list's items.
#[derive(Debug)]
struct Elements {
    /// Where the array (or the list) starts.
    start: Pos,
    /// How many elements have been read.
    read: u64,
    /// Whether a `,` has been read after the last element.
    comma: bool,
    /// The list, for a list's items.
    list: Option<List>,
}

impl Elements {
    fn new(start: Pos, list: Option<List>) -> Elements {
        Elements {
            start,
            read: 0,
            comma: false,
            list,
        }
    }
}

/// A Kubernetes list whose items are being read: its fields besides them, `items` as `null`.
#[derive(Debug)]
struct List {
    fields: Vec<u8>,
    kind: ListKind,
}

/// How many bytes the reader asks its source for at once.
const CHUNK: usize = 64 << 10;

impl<R: Read> NodeReader<R> {
    /// A reader of `input` under the default [`ReadLimits`]. It buffers `input` itself.
    ///
    /// ```
    /// use labelsel::NodeReader;
    ///
    /// let nodes = NodeReader::new(&b"[{\"id\": \"a\"}, {\"id\": \"b\"}]"[..]);
    /// assert_eq!(nodes.count(), 2);
    /// ```
    pub fn new(input: R) -> NodeReader<R> {
        NodeReader::with_limits(input, ReadLimits::default())
    }

    /// A reader of `input` under `limits`.
    ///
    /// ```
    /// use labelsel::{NodeReader, ReadErrorKind, ReadLimits};
    ///
    /// let limits = ReadLimits::default().max_record_bytes(10);
    /// let mut nodes = NodeReader::with_limits(&b"{\"id\": \"a-long-id\"}"[..], limits);
    /// assert_eq!(nodes.next().unwrap().unwrap_err().kind(), ReadErrorKind::TooLarge);
    /// ```
    pub fn with_limits(input: R, limits: ReadLimits) -> NodeReader<R> {
        NodeReader {
            scanner: Scanner::new(BufReader::with_capacity(CHUNK, input)),
            max: limits.max_record_bytes,
            state: State::Start,
            buf: Vec::new(),
        }
    }

    /// The next node, `Ok(None)` at the end. The state is `Done` while a step runs, so that an
    /// error leaves it there.
    fn advance(&mut self) -> Result<Option<NodeRecord>, ReadError> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Ok(None),
                State::Start => {
                    let at = self.scanner.pos;
                    if !self
                        .scanner
                        .skip_byte_order_mark()
                        .map_err(|e| ReadError::io(at, e))?
                    {
                        return Err(ReadError::new(
                            ReadErrorKind::InvalidUtf8,
                            at,
                            "not valid UTF-8: the input starts with part of a byte-order mark"
                                .to_string(),
                        ));
                    }
                    self.state = State::Stream;
                }
                State::Stream => {
                    let Some(first) = self.peek()? else {
                        return Ok(None);
                    };
                    let start = self.scanner.pos;
                    if first == b'[' {
                        self.scanner.bump();
                        self.state = State::Elements(Elements::new(start, None));
                        continue;
                    }
                    match self.copy(Value::top())? {
                        End::Complete => {
                            let node = self.node(start, Within::Stream)?;
                            self.state = State::Stream;
                            return Ok(Some(node));
                        }
                        End::Items => {
                            let kind = self.list_kind(start)?;
                            let mut fields = std::mem::take(&mut self.buf);
                            fields.extend_from_slice(b"null");
                            self.scanner.bump();
                            let list = List { fields, kind };
                            self.state = State::Elements(Elements::new(start, Some(list)));
                        }
                        end => return Err(self.unfinished(start, end, Within::Stream)),
                    }
                }
                State::Elements(mut elements) => {
                    let start = elements.start;
                    let Some(next) = self.peek()? else {
                        let what = if elements.list.is_some() {
                            "list"
                        } else {
                            "array"
                        };
                        return Err(ReadError::new(
                            ReadErrorKind::Syntax,
                            self.scanner.pos,
                            format!(
                                "not valid JSON: the input ends inside the {what} that starts at \
                                 line {}, column {}",
                                start.line, start.column
                            ),
                        ));
                    };
                    let at = self.scanner.pos;
                    let syntax = |message: &str| {
                        ReadError::new(
                            ReadErrorKind::Syntax,
                            at,
                            format!("not valid JSON: {message}"),
                        )
                    };
                    let after_node = elements.read > 0 && !elements.comma;
                    match next {
                        b']' if elements.comma => return Err(syntax("trailing comma")),
                        b']' => {
                            self.scanner.bump();
                            if let Some(list) = elements.list {
                                self.end_list(start, list)?;
                            }
                            self.state = State::Stream;
                        }
                        b',' if after_node => {
                            self.scanner.bump();
                            elements.comma = true;
                            self.state = State::Elements(elements);
                        }
                        b',' => return Err(syntax("expected a value")),
                        _ if after_node => {
                            return Err(syntax("expected `,` or `]` after a node"));
                        }
                        _ => {
                            elements.read += 1;
                            elements.comma = false;
                            let within = match &elements.list {
                                None => Within::Array(elements.read),
                                Some(list) => Within::List(list.kind, elements.read),
                            };
                            return match self.copy(Value::any())? {
                                End::Complete => {
                                    let node = self.node(at, within)?;
                                    self.state = State::Elements(elements);
                                    Ok(Some(node))
                                }
                                end => Err(self.unfinished(at, end, within)),
                            };
                        }
                    }
                }
            }
        }
    }

    /// The next byte after whitespace, not taken.
    fn peek(&mut self) -> Result<Option<u8>, ReadError> {
        let at = self.scanner.pos;
        self.scanner.peek().map_err(|e| ReadError::io(at, e))
    }

    /// Copies the value at the next byte into the buffer (emptied first).
    fn copy(&mut self, value: Value) -> Result<End, ReadError> {
        self.buf.clear();
        // Given back when it grew for a large record, so a large node early costs nothing later.
        if self.buf.capacity() > 4 * CHUNK {
            self.buf = Vec::new();
        }
        let at = self.scanner.pos;
        self.scanner
            .copy(&mut self.buf, value, self.max)
            .map_err(|e| ReadError::io(at, e))
    }

    /// The buffer's text, or the error naming its first byte that is not UTF-8.
    fn text(buf: &[u8], start: Pos) -> Result<&str, ReadError> {
        std::str::from_utf8(buf).map_err(|e| {
            let valid = e.valid_up_to();
            let at = start.after(&buf[..valid]);
            ReadError::new(
                ReadErrorKind::InvalidUtf8,
                at,
                format!(
                    "not valid UTF-8: byte 0x{:02X} (byte {} of the input)",
                    buf[valid], at.offset
                ),
            )
        })
    }

    /// The node whose value is in the buffer, starting at `start`.
    fn node(&self, start: Pos, within: Within) -> Result<NodeRecord, ReadError> {
        let text = Self::text(&self.buf, start)?;
        let raw: RawNode = serde_json::from_str(text)
            .map_err(|e| json_error(start, within, text.starts_with('{'), &e))?;
        if let Some(problem) = node_id_problem(&raw.id) {
            return Err(ReadError::new(
                ReadErrorKind::InvalidId,
                start,
                format!("{within}node id {:?} {problem}", raw.id),
            ));
        }
        Ok(NodeRecord {
            id: raw.id,
            labels: raw.labels,
            line: start.line,
            column: start.column,
            within,
        })
    }

    /// The error for a value that did not end: the JSON error in what was read, if there is one before
    /// the end; else that the input ended, or that the value is too long.
    fn unfinished(&self, start: Pos, end: End, within: Within) -> ReadError {
        let text = match std::str::from_utf8(&self.buf) {
            Ok(text) => text,
            // Cut at the bound inside a character: the bytes before it.
            Err(cut) if end == End::TooLarge && cut.error_len().is_none() => {
                std::str::from_utf8(&self.buf[..cut.valid_up_to()]).unwrap_or_default()
            }
            Err(_) => match Self::text(&self.buf, start) {
                Err(error) => return error,
                Ok(text) => text,
            },
        };
        let error = match serde_json::from_str::<RawNode>(text) {
            Err(e) if !e.is_eof() || end == End::Eof => e,
            _ => {
                return ReadError::new(
                    ReadErrorKind::TooLarge,
                    start,
                    format!(
                        "{within}the value that starts here is larger than the limit of {} bytes \
                         for one record (a node, or a list's fields besides its items)",
                        self.max
                    ),
                );
            }
        };
        json_error(start, within, text.starts_with('{'), &error)
    }

    /// The kind of the list whose fields before `items` are in the buffer: refused if it is not a
    /// list of nodes.
    fn list_kind(&mut self, start: Pos) -> Result<ListKind, ReadError> {
        let mut fields = self.buf.clone();
        fields.extend_from_slice(b"null}");
        let text = Self::text(&fields, start)?;
        let fields: ListFields = serde_json::from_str(text).map_err(|e| {
            let mut error = json_error(start, Within::Stream, false, &e);
            error.message = format!("not a Kubernetes list: {}", error.message);
            error
        })?;
        list_kind(fields.kind.as_deref(), start)
    }

    /// Reads the rest of a list after its items, and checks its fields.
    fn end_list(&mut self, start: Pos, mut list: List) -> Result<(), ReadError> {
        let at = self.scanner.pos;
        let end = self
            .scanner
            .copy(&mut list.fields, Value::rest_of_object(), self.max)
            .map_err(|e| ReadError::io(at, e))?;
        let here = |kind, message: String| ReadError::new(kind, start, message);
        match end {
            End::Complete => {}
            End::Items => {
                return Err(here(
                    ReadErrorKind::NotANode,
                    "not a Kubernetes list: duplicate field `items`".to_string(),
                ));
            }
            End::Eof => {
                return Err(ReadError::new(
                    ReadErrorKind::Syntax,
                    self.scanner.pos,
                    format!(
                        "not valid JSON: the input ends inside the list that starts at line {}, \
                         column {}",
                        start.line, start.column
                    ),
                ));
            }
            End::TooLarge => {
                return Err(here(
                    ReadErrorKind::TooLarge,
                    format!(
                        "the fields of the list that starts here are larger than the limit of {} \
                         bytes for one record",
                        self.max
                    ),
                ));
            }
        }
        let text = Self::text(&list.fields, start)?;
        let fields: ListFields = serde_json::from_str(text).map_err(|e| {
            // Positions after the items are not the file's: the list is named where it starts.
            let kind = if e.is_data() {
                ReadErrorKind::NotANode
            } else {
                ReadErrorKind::Syntax
            };
            here(
                kind,
                format!("not a Kubernetes list: {}", without_position(&e)),
            )
        })?;
        list_kind(fields.kind.as_deref(), start).map(|_| ())
    }
}

/// A list's kind: `NodeList`, `List`, or none given; any other is refused.
fn list_kind(kind: Option<&str>, start: Pos) -> Result<ListKind, ReadError> {
    match kind {
        None => Ok(ListKind::Unknown),
        Some("NodeList") => Ok(ListKind::NodeList),
        Some("List") => Ok(ListKind::List),
        Some(other) => Err(ReadError::new(
            ReadErrorKind::NotANode,
            start,
            format!(
                "a Kubernetes {other} holds no nodes; expected a NodeList or a List, as kubectl get \
                 nodes -o json prints"
            ),
        )),
    }
}

/// serde_json's message without its own ` at line L column C`, and in words for people where the
/// input ends.
fn without_position(error: &serde_json::Error) -> String {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    match message.strip_prefix("EOF while parsing ") {
        Some(what) => format!("the input ends in the middle of {what}"),
        // serde's words for JSON's arrays and objects.
        None => message
            .replace("invalid type: sequence", "invalid type: an array")
            .replace("invalid type: map", "invalid type: an object"),
    }
}

/// A serde_json error in the value that starts at `start` as a [`ReadError`] at the input's line and
/// column; `object` says whether the value is an object (a node object that is not right).
fn json_error(start: Pos, within: Within, object: bool, error: &serde_json::Error) -> ReadError {
    let (line, column) = match error.line() as u64 {
        0 => (start.line, start.column),
        1 => (
            start.line,
            start.column + (error.column().max(1) as u64) - 1,
        ),
        line => (start.line + line - 1, error.column().max(1) as u64),
    };
    let (kind, what) = if error.is_syntax() || error.is_eof() {
        (ReadErrorKind::Syntax, "not valid JSON: ")
    } else if object && within == Within::Stream {
        (ReadErrorKind::NotANode, "not a node object: ")
    } else {
        // The message says what was expected instead, and `within` which node it is.
        (ReadErrorKind::NotANode, "")
    };
    let context = if start.line != line {
        format!(
            " (in the value that starts at line {}, column {})",
            start.line, start.column
        )
    } else {
        String::new()
    };
    ReadError::new(
        kind,
        Pos {
            line,
            column,
            offset: start.offset,
        },
        format!("{within}{what}{}{context}", without_position(error)),
    )
}

impl<R: Read> Iterator for NodeReader<R> {
    type Item = Result<NodeRecord, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.advance().transpose()
    }
}

/// Refuses a node id seen before, remembering each id's line in 16 bytes: a 96-bit fingerprint of
/// the id and the line, not the id itself, so that checking a stream of a million nodes costs tens
/// of megabytes, not the ids.
///
/// Two different ids with the same fingerprint (a chance of about one in 10^16 for a billion ids)
/// would be refused as one id given twice: an error that names both, never a silent wrong answer.
///
/// ```
/// use labelsel::{DuplicateIds, NodeReader, ReadErrorKind};
///
/// let mut ids = DuplicateIds::new();
/// let input = b"{\"id\": \"a\"}\n{\"id\": \"b\"}\n{\"id\": \"a\"}\n";
/// let mut errors = NodeReader::new(&input[..]).map(|node| ids.check(&node?));
/// assert!(errors.next().unwrap().is_ok());
/// assert!(errors.next().unwrap().is_ok());
/// let err = errors.next().unwrap().unwrap_err();
/// assert_eq!(err.kind(), ReadErrorKind::DuplicateId);
/// assert_eq!(err.to_string(), r#"3:1: node id "a" appears twice (first on line 1)"#);
/// ```
#[derive(Debug, Default)]
pub struct DuplicateIds {
    /// Each fingerprint, with the line of the first node that had it (`u32::MAX` from there on).
    seen: HashMap<Fingerprint, u32, BuildHasherDefault<FingerprintHasher>>,
}

/// 96 bits of two SipHash values of an id, under fixed keys: the same on every run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint([u32; 3]);

impl Fingerprint {
    fn of(id: &str) -> Fingerprint {
        let hash = |salt: u8| {
            #[allow(deprecated)]
            // Fixed keys on purpose: `DefaultHasher`'s may change between releases.
            let mut hasher =
                std::hash::SipHasher::new_with_keys(0x6c61_6265_6c73_656c, u64::from(salt));
            id.hash(&mut hasher);
            hasher.finish()
        };
        let (a, b) = (hash(1), hash(2));
        Fingerprint([a as u32, (a >> 32) as u32, b as u32])
    }
}

impl Hash for Fingerprint {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(u64::from(self.0[0]) | (u64::from(self.0[1]) << 32));
    }
}

/// The table's hasher: a fingerprint is already a uniform hash.
#[derive(Debug, Default)]
struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl DuplicateIds {
    /// No ids seen.
    ///
    /// ```
    /// use labelsel::DuplicateIds;
    ///
    /// assert!(DuplicateIds::new().is_empty());
    /// ```
    pub fn new() -> DuplicateIds {
        DuplicateIds::default()
    }

    /// Notes `node`'s id, or refuses it if a node seen before had it, naming both lines.
    ///
    /// ```
    /// use labelsel::{DuplicateIds, NodeReader};
    ///
    /// let mut ids = DuplicateIds::new();
    /// for node in NodeReader::new(&b"[{\"id\": \"a\"}, {\"id\": \"b\"}]"[..]) {
    ///     ids.check(&node?)?;
    /// }
    /// assert_eq!(ids.len(), 2);
    /// # Ok::<(), labelsel::ReadError>(())
    /// ```
    pub fn check(&mut self, node: &NodeRecord) -> Result<(), ReadError> {
        let line = u32::try_from(node.line).unwrap_or(u32::MAX);
        match self.seen.entry(Fingerprint::of(&node.id)) {
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(line);
                Ok(())
            }
            std::collections::hash_map::Entry::Occupied(entry) => {
                let first = match *entry.get() {
                    u32::MAX => "first seen earlier".to_string(),
                    first => format!("first on line {first}"),
                };
                Err(ReadError::new(
                    ReadErrorKind::DuplicateId,
                    Pos {
                        line: node.line,
                        column: node.column,
                        offset: 0,
                    },
                    format!(
                        "{}node id {:?} appears twice ({first})",
                        node.within, node.id
                    ),
                ))
            }
        }
    }

    /// How many ids have been seen.
    ///
    /// ```
    /// use labelsel::DuplicateIds;
    ///
    /// assert_eq!(DuplicateIds::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no id has been seen.
    ///
    /// ```
    /// use labelsel::DuplicateIds;
    ///
    /// assert!(DuplicateIds::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

impl Fleet {
    /// A fleet read from any byte stream in the formats of [`NodeReader`], nodes in input order;
    /// a node id given twice is an error naming both lines.
    ///
    /// ```
    /// use labelsel::{Fleet, Selector};
    ///
    /// let input = r#"[{"id": "a", "labels": {"env": "prod"}}, {"id": "b"}]"#;
    /// let fleet = Fleet::from_reader(input.as_bytes())?;
    /// let matcher = Selector::new().label("env", "prod").compile().unwrap();
    /// assert_eq!(fleet.select(&matcher).iter().collect::<Vec<_>>(), ["a"]);
    ///
    /// let err = Fleet::from_reader(&b"{\"id\": \"a\"}\n{\"id\": \"a\"}"[..]).unwrap_err();
    /// assert_eq!(err.to_string(), r#"2:1: node id "a" appears twice (first on line 1)"#);
    /// # Ok::<(), labelsel::ReadError>(())
    /// ```
    pub fn from_reader<R: Read>(input: R) -> Result<Fleet, ReadError> {
        Fleet::from_reader_with_limits(input, ReadLimits::default())
    }

    /// [`Fleet::from_reader`] under `limits`.
    ///
    /// ```
    /// use labelsel::{Fleet, ReadErrorKind, ReadLimits};
    ///
    /// let limits = ReadLimits::default().max_record_bytes(8);
    /// let err = Fleet::from_reader_with_limits(&b"{\"id\": \"abc\"}"[..], limits).unwrap_err();
    /// assert_eq!(err.kind(), ReadErrorKind::TooLarge);
    /// ```
    pub fn from_reader_with_limits<R: Read>(
        input: R,
        limits: ReadLimits,
    ) -> Result<Fleet, ReadError> {
        let mut fleet = Fleet::new();
        let mut ids = DuplicateIds::new();
        for node in NodeReader::with_limits(input, limits) {
            let node = node?;
            ids.check(&node)?;
            fleet.insert(&node.id, node.labels);
        }
        Ok(fleet)
    }
}
