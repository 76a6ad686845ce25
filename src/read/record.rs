//! The serde side of reading a fleet: one node record's bytes (a node object or a Kubernetes `Node`)
//! into its id and labels, and the fields of a Kubernetes list besides its items. The byte scanner
//! in [`super::scan`] finds where each record begins and ends; these visitors check what it holds.
//!
//! Messages never name a Rust type: a value that is not a string names its field (`"id"`, `the value
//! of label "cpu"`), a label key given twice names the key.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// What a node object is, for messages.
pub(super) const NODE_OBJECT: &str = r#"a node object {"id": ..., "labels": {...}}"#;

/// One node as read: its id and labels, from a node object or a Kubernetes `Node`
/// (`metadata.name`, `metadata.labels`).
pub(super) struct RawNode {
    pub(super) id: String,
    pub(super) labels: BTreeMap<String, String>,
}

/// A string field of a node: any other JSON value is an error naming the field (`"id"`, `the value
/// of label "cpu"`) and what it holds instead, raised where the value is.
enum StringValue<'a> {
    /// A field, named as messages name it (`"id"`).
    Field(&'static str),
    /// The value of the label with this key; named only if there is an error.
    Label(&'a str),
}

impl fmt::Display for StringValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StringValue::Field(name) => f.write_str(name),
            StringValue::Label(key) => write!(f, "the value of label {key:?}"),
        }
    }
}

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
        E::custom(format_args!("{self} must be a string, not {what}{hint}"))
    }
}

impl<'de> Visitor<'de> for StringValue<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self} as a string")
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
            let value = map.next_value_seed(StringValue::Label(&key))?;
            match labels.entry(key) {
                Entry::Vacant(entry) => {
                    entry.insert(value);
                }
                Entry::Occupied(entry) => {
                    return Err(de::Error::custom(format_args!(
                        "label key {:?} appears twice",
                        entry.key()
                    )));
                }
            }
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
                    metadata.name =
                        Some(map.next_value_seed(StringValue::Field("\"metadata.name\""))?)
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

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(NODE_OBJECT)
    }

    /// A node object (`id`, `labels`) or a Kubernetes `Node` (`kind`, `metadata`); other fields
    /// are ignored.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut id: Option<String> = None;
        let mut labels: Option<Labels> = None;
        let mut kind: Option<String> = None;
        let mut metadata: Option<Metadata> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "id" if id.is_some() => return Err(de::Error::duplicate_field("id")),
                "id" => id = Some(map.next_value_seed(StringValue::Field("\"id\""))?),
                "labels" if labels.is_some() => return Err(de::Error::duplicate_field("labels")),
                "labels" => labels = Some(map.next_value()?),
                "kind" if kind.is_some() => return Err(de::Error::duplicate_field("kind")),
                "kind" => kind = Some(map.next_value_seed(StringValue::Field("\"kind\""))?),
                "metadata" if metadata.is_some() => {
                    return Err(de::Error::duplicate_field("metadata"));
                }
                "metadata" => metadata = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(id) = id {
            let labels = labels.map(|Labels(labels)| labels).unwrap_or_default();
            return Ok(RawNode { id, labels });
        }
        match (kind.as_deref(), metadata) {
            (Some("Node") | None, Some(metadata)) => {
                let id = metadata
                    .name
                    .ok_or_else(|| de::Error::missing_field("metadata.name"))?;
                let labels = metadata.labels.map(|Labels(l)| l).unwrap_or_default();
                Ok(RawNode { id, labels })
            }
            (Some("Node"), None) => Err(de::Error::missing_field("metadata")),
            (Some(other), _) => Err(de::Error::custom(format_args!(
                "a Kubernetes {other}, not a Node"
            ))),
            (None, None) => Err(de::Error::missing_field("id")),
        }
    }
}

/// The fields of a Kubernetes list besides its items (which the scanner reads one by one and
/// replaces with `null`): its `kind`, if it has one; other fields are ignored.
pub(super) struct ListFields {
    pub(super) kind: Option<String>,
}

impl<'de> Deserialize<'de> for ListFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ListFieldsVisitor)
    }
}

struct ListFieldsVisitor;

impl<'de> Visitor<'de> for ListFieldsVisitor {
    type Value = ListFields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a Kubernetes list {"kind": "NodeList", "items": [...]}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListFields, A::Error> {
        let mut kind: Option<String> = None;
        let mut items = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "kind" if kind.is_some() => return Err(de::Error::duplicate_field("kind")),
                "kind" => kind = Some(map.next_value_seed(StringValue::Field("\"kind\""))?),
                "items" if items => return Err(de::Error::duplicate_field("items")),
                "items" => {
                    items = true;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(ListFields { kind })
    }
}
