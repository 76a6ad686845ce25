//! Reading fleet files: any stream of JSON values, each a node object (`{"id": ..., "labels":
//! {...}}`), an array of node objects, or a Kubernetes node list as `kubectl get nodes -o json`
//! prints it (`{"kind": "List", "items": [{"metadata": {"name": ..., "labels": {...}}}, ...]}`).
//! NDJSON, pretty-printed objects as `jq` prints them and concatenated objects are all such streams.
//!
//! Errors name `FILE:LINE:COLUMN`, and never a Rust type.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// What a node object is, for messages.
pub(crate) const NODE_OBJECT: &str = r#"a node object {"id": ..., "labels": {...}}"#;

/// One node: its id and labels, from a node object or a Kubernetes `Node` (`metadata.name`,
/// `metadata.labels`).
pub(crate) struct NodeRecord {
    pub(crate) id: String,
    pub(crate) labels: BTreeMap<String, String>,
}

/// One value of the stream.
pub(crate) enum TopLevel {
    Node(NodeRecord),
    Array(Vec<NodeRecord>),
    /// A Kubernetes list; `kind` as the file gives it (`NodeList`, `List`), for messages.
    List {
        kind: String,
        items: Vec<NodeRecord>,
    },
}

/// A string field of a node: any other JSON value is an error naming the field (`"id"`, `the value
/// of label "cpu"`) and what it holds instead, raised where the value is.
struct StringValue<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for StringValue<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl StringValue<'_> {
    fn not_a_string<E: de::Error>(&self, what: &str, quotable: bool) -> E {
        let hint = if quotable {
            format!(": write \"{what}\"")
        } else {
            String::new()
        };
        E::custom(format_args!(
            "{} must be a string, not {what}{hint}",
            self.0
        ))
    }
}

impl<'de> Visitor<'de> for StringValue<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} as a string", self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Err(self.not_a_string(&v.to_string(), true))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Err(self.not_a_string(&v.to_string(), true))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Err(self.not_a_string(&v.to_string(), true))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Err(self.not_a_string(&v.to_string(), true))
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Err(self.not_a_string("null", false))
    }

    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Err(self.not_a_string("an array", false))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Err(self.not_a_string("an object", false))
    }
}

/// A node's labels: an object of string values, `null` reading as none; a key given twice is an
/// error (a plain map would keep the last value silently), and so is a value that is not a string.
struct Labels(BTreeMap<String, String>);

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_option(LabelsVisitor)
    }
}

struct LabelsVisitor;

impl<'de> Visitor<'de> for LabelsVisitor {
    type Value = Labels;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"labels as an object of string values ({"key": "value", ...}) or null"#)
    }

    fn visit_none<E: de::Error>(self) -> Result<Labels, E> {
        Ok(Labels(BTreeMap::new()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Labels, E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Labels, D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Labels, A::Error> {
        let mut labels = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let field = format!("the value of label {key:?}");
            let value = map.next_value_seed(StringValue(&field))?;
            if labels.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "label key {key:?} appears twice"
                )));
            }
            labels.insert(key, value);
        }
        Ok(Labels(labels))
    }
}

/// A Kubernetes object's `metadata`: its name and labels; other fields are ignored.
#[derive(Default)]
struct Metadata {
    name: Option<String>,
    labels: Option<Labels>,
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MetadataVisitor)
    }
}

struct MetadataVisitor;

impl<'de> Visitor<'de> for MetadataVisitor {
    type Value = Metadata;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"metadata as an object {"name": ..., "labels": {...}}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Metadata, A::Error> {
        let mut metadata = Metadata::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "name" if metadata.name.is_some() => {
                    return Err(de::Error::duplicate_field("metadata.name"));
                }
                "name" => {
                    metadata.name = Some(map.next_value_seed(StringValue("\"metadata.name\""))?)
                }
                "labels" if metadata.labels.is_some() => {
                    return Err(de::Error::duplicate_field("metadata.labels"));
                }
                "labels" => metadata.labels = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(metadata)
    }
}

impl<'de> Deserialize<'de> for NodeRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = NodeRecord;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(NODE_OBJECT)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<NodeRecord, A::Error> {
        match read_object(map, false)? {
            TopLevel::Node(node) => Ok(node),
            // Not reached: without `items`, an object is a node or an error.
            TopLevel::Array(_) | TopLevel::List { .. } => {
                Err(de::Error::custom("a list of nodes inside a list of nodes"))
            }
        }
    }
}

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{NODE_OBJECT}, an array of them, or a Kubernetes NodeList (kubectl get nodes -o json)"
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
        let mut nodes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(node) = seq.next_element()? {
            nodes.push(node);
        }
        Ok(TopLevel::Array(nodes))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TopLevel, A::Error> {
        read_object(map, true)
    }
}

/// Items of a Kubernetes list, each a node.
struct Items(Vec<NodeRecord>);

impl<'de> Deserialize<'de> for Items {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ItemsVisitor)
    }
}

struct ItemsVisitor;

impl<'de> Visitor<'de> for ItemsVisitor {
    type Value = Items;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("items as an array of Kubernetes nodes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items, A::Error> {
        let mut nodes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(node) = seq.next_element()? {
            nodes.push(node);
        }
        Ok(Items(nodes))
    }
}

/// Reads an object: a node object, a Kubernetes `Node`, or (when `top`) a Kubernetes list of nodes.
/// Fields other than these are ignored.
fn read_object<'de, A: MapAccess<'de>>(mut map: A, top: bool) -> Result<TopLevel, A::Error> {
    let mut id: Option<String> = None;
    let mut labels: Option<Labels> = None;
    let mut kind: Option<String> = None;
    let mut metadata: Option<Metadata> = None;
    let mut items: Option<Items> = None;
    while let Some(key) = map.next_key::<String>()? {
        match key.as_str() {
            "id" if id.is_some() => return Err(de::Error::duplicate_field("id")),
            "id" => id = Some(map.next_value_seed(StringValue("\"id\""))?),
            "labels" if labels.is_some() => return Err(de::Error::duplicate_field("labels")),
            "labels" => labels = Some(map.next_value()?),
            "kind" if kind.is_some() => return Err(de::Error::duplicate_field("kind")),
            "kind" => kind = Some(map.next_value_seed(StringValue("\"kind\""))?),
            "metadata" if metadata.is_some() => {
                return Err(de::Error::duplicate_field("metadata"));
            }
            "metadata" => metadata = Some(map.next_value()?),
            "items" if top && items.is_some() => return Err(de::Error::duplicate_field("items")),
            "items" if top => items = Some(map.next_value()?),
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    if let Some(Items(items)) = items {
        return match kind.as_deref() {
            None | Some("NodeList" | "List") => Ok(TopLevel::List {
                kind: kind.unwrap_or_else(|| "list".to_string()),
                items,
            }),
            Some(other) => Err(de::Error::custom(format_args!(
                "a Kubernetes {other} holds no nodes; expected a NodeList or a List, as kubectl \
                 get nodes -o json prints"
            ))),
        };
    }
    if let Some(id) = id {
        let labels = labels.map(|Labels(labels)| labels).unwrap_or_default();
        return Ok(TopLevel::Node(NodeRecord { id, labels }));
    }
    match (kind.as_deref(), metadata) {
        (Some("Node") | None, Some(metadata)) => {
            let id = metadata
                .name
                .ok_or_else(|| de::Error::missing_field("metadata.name"))?;
            let labels = metadata.labels.map(|Labels(l)| l).unwrap_or_default();
            Ok(TopLevel::Node(NodeRecord { id, labels }))
        }
        (Some("Node"), None) => Err(de::Error::missing_field("metadata")),
        (Some(other), _) => Err(de::Error::custom(format_args!(
            "a Kubernetes {other}, not a Node"
        ))),
        (None, None) => Err(de::Error::missing_field("id")),
    }
}

/// The 1-based line and column (in bytes, as serde_json counts) of byte `offset` of `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |at| at + 1);
    (line, before.len() - line_start + 1)
}

/// The offset of the first byte at or after `at` that is not JSON whitespace.
pub(crate) fn skip_whitespace(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

/// Where the `index`th element of the array starting at byte `start` begins; for an object
/// (`key` given), the `index`th element of the array under `key`. The text there has been parsed, so
/// is valid JSON; `None` if it is not after all.
pub(crate) fn element_offset(
    text: &str,
    start: usize,
    key: Option<&str>,
    index: usize,
) -> Option<usize> {
    let array = match key {
        None => start,
        Some(key) => children(text, start)?
            .into_iter()
            .filter(|(name, _)| *name == Some(key))
            .map(|(_, at)| at)
            .next_back()?,
    };
    children(text, array)?.get(index).map(|&(_, at)| at)
}

/// The direct children of the array or object starting at byte `start`: each value's offset, and for
/// an object its key as written.
fn children(text: &str, start: usize) -> Option<Vec<(Option<&str>, usize)>> {
    let bytes = text.as_bytes();
    let object = match bytes.get(start)? {
        b'{' => true,
        b'[' => false,
        _ => return None,
    };
    let mut found = Vec::new();
    let mut at = skip_whitespace(text, start + 1);
    loop {
        match bytes.get(at)? {
            b']' | b'}' => return Some(found),
            b',' => at = skip_whitespace(text, at + 1),
            _ => {
                let mut key = None;
                if object {
                    let end = skip_string(bytes, at)?;
                    key = text.get(at + 1..end - 1);
                    at = skip_whitespace(text, end);
                    if bytes.get(at)? != &b':' {
                        return None;
                    }
                    at = skip_whitespace(text, at + 1);
                }
                found.push((key, at));
                at = skip_whitespace(text, skip_value(bytes, at)?);
            }
        }
    }
}

/// The end of the string starting (with its quote) at `at`.
fn skip_string(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at)? != &b'"' {
        return None;
    }
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The end of the JSON value starting at `at`.
fn skip_value(bytes: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    loop {
        match *bytes.get(i)? {
            b'"' => {
                i = skip_string(bytes, i)?;
                if depth == 0 {
                    return Some(i);
                }
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ if depth == 0 => {
                while i < bytes.len()
                    && !matches!(bytes[i], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                {
                    i += 1;
                }
                return Some(i);
            }
            _ => {}
        }
        i += 1;
    }
}

/// A serde_json error as `FILE:LINE:COLUMN: message`, the message without serde_json's own ` at line
/// L column C`; `start` is where the offending top-level value begins, named when the error is on a
/// later line.
pub(crate) fn describe_json_error(
    name: &str,
    text: &str,
    start: usize,
    error: &serde_json::Error,
) -> String {
    let (start_line, start_column) = line_column(text, start);
    let (line, column) = if error.line() == 0 {
        (start_line, start_column)
    } else {
        (error.line(), error.column().max(1))
    };
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    let message = match message.strip_prefix("EOF while parsing ") {
        Some(what) => format!("the input ends in the middle of {what}"),
        None => message.to_string(),
    };
    let what = if error.is_syntax() || error.is_eof() {
        "not valid JSON: "
    } else {
        match text.as_bytes().get(start) {
            Some(b'[') => "not a JSON array of nodes: ",
            Some(b'{') => "not a node object: ",
            // The message says what was expected instead.
            _ => "",
        }
    };
    let context = if start_line != line {
        format!(" (in the value that starts at line {start_line}, column {start_column})")
    } else {
        String::new()
    };
    format!("{name}:{line}:{column}: {what}{message}{context}")
}
