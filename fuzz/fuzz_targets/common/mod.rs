//! Structured inputs shared by the structured fuzz targets: selectors written from requirements over a
//! small alphabet of keys and values (with an occasional arbitrary string), node label sets, each
//! requirement as written, and the oracle (shared with the integration tests) that judges them.
//!
//! Each target includes this file with `mod common;`; not every target uses every item.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;

use arbitrary::{Arbitrary, Result, Unstructured};
use labelsel::{Labels, Operator, Selector};

/// The independent oracle of the integration tests (`tests/it/support/oracle.rs`), the one reference
/// every fuzz target checks the engines against.
#[path = "../../../tests/it/support/oracle.rs"]
pub mod oracle;

/// Keys: plain, keyword-like, prefixed, with punctuation, upper case; all valid.
pub const KEYS: &[&str] = &[
    "a",
    "b",
    "x",
    "cpu",
    "zone",
    "in",
    "notin",
    "A",
    "k_1.v-2",
    "app.kubernetes.io/name",
];

/// Values: empty, words, keywords, and integer-like values that Go's `ParseInt` reads (`+1`, `-0`,
/// `01`, the `i64` bounds) or refuses (`1.5`, `1e3`, one past `i64::MAX`). All but the signed ones are
/// valid label values; the signed ones only ever appear on nodes or make a selector fail to compile.
pub const VALUES: &[&str] = &[
    "",
    "a",
    "b",
    "x",
    "in",
    "0",
    "1",
    "2",
    "01",
    "8",
    "16",
    "42",
    "+1",
    "-1",
    "-0",
    "1.5",
    "1e3",
    "a.b_c-d",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
];

/// Thresholds for `>` and `<`: valid ones, and ones the parser must refuse (signed, too large, empty,
/// not a number).
pub const THRESHOLDS: &[&str] = &[
    "0",
    "1",
    "2",
    "8",
    "01",
    "007",
    "42",
    "9223372036854775807",
    "9223372036854775808",
    "-1",
    "+1",
    "",
    "x",
];

/// Node ids.
pub const IDS: &[&str] = &["n0", "n1", "n2", "node-3", ""];

/// A string drawn from `table` most of the time (by a byte), else an arbitrary string.
fn word(u: &mut Unstructured<'_>, table: &[&str]) -> Result<String> {
    let pick = u8::arbitrary(u)?;
    if pick >= 240 {
        String::arbitrary(u)
    } else {
        Ok(table[usize::from(pick) % table.len()].to_string())
    }
}

macro_rules! words {
    ($($(#[$doc:meta])* $name:ident from $table:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(pub String);

        impl<'a> Arbitrary<'a> for $name {
            fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
                word(u, $table).map($name)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }
    )*};
}

words! {
    /// A label key.
    Key from KEYS;
    /// A label value.
    Value from VALUES;
    /// The text after `>` or `<`.
    Threshold from THRESHOLDS;
    /// A node id.
    Id from IDS;
}

/// The operator of a written requirement and its operands.
#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Equals(Value),
    DoubleEquals(Value),
    NotEquals(Value),
    Exists,
    DoesNotExist,
    Greater(Threshold),
    Less(Threshold),
}

/// One requirement, and how to space it (bits of `style`).
#[derive(Arbitrary, Debug, Clone)]
pub struct Req {
    pub key: Key,
    pub op: Op,
    pub style: u8,
}

/// One `match_expressions` string: requirements joined by commas.
#[derive(Arbitrary, Debug, Clone)]
pub struct ExprSpec {
    pub reqs: Vec<Req>,
    pub style: u8,
}

/// A whole selector.
#[derive(Arbitrary, Debug, Clone)]
pub struct SelectorSpec {
    pub labels: Vec<(Key, Value)>,
    pub expressions: Vec<ExprSpec>,
    pub ids: Vec<Id>,
}

/// A node: an id and label pairs (a key may repeat; the last value wins).
#[derive(Arbitrary, Debug, Clone)]
pub struct NodeSpec {
    pub id: Id,
    pub labels: Vec<(Key, Value)>,
}

impl NodeSpec {
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.labels
            .iter()
            .take(MAX_LABELS)
            .map(|(k, v)| (k.0.clone(), v.0.clone()))
            .collect()
    }
}

/// Caps on what one input builds, so that a run stays fast.
pub const MAX_LABELS: usize = 12;
pub const MAX_EXPRESSIONS: usize = 4;
pub const MAX_REQUIREMENTS: usize = 8;
pub const MAX_VALUES: usize = 16;
pub const MAX_IDS: usize = 6;
pub const MAX_NODES: usize = 8;

/// A requirement as written: its key, operator and values taken from how it was written rather than
/// from the parser (`x in ()` and an empty list slot write the value `""`), for the oracle to judge.
#[derive(Debug, Clone)]
pub struct Written {
    pub key: String,
    pub operator: Operator,
    /// The values as written, in order; the threshold text for `>` and `<` (it compiled, so it reads
    /// as an `i64`); none for `key` and `!key`.
    pub values: Vec<String>,
    /// Whether the text says what `operator` and `values` say: the key is not empty and no word holds
    /// a byte that ends a token (an arbitrary word such as `a,b` would write two requirements).
    pub faithful: bool,
}

/// Whether `word` is one token of the grammar (or nothing).
pub fn plain(word: &str) -> bool {
    !word.bytes().any(|b| b" \t\r\n=!(),<>".contains(&b))
}

impl Written {
    /// Whether the requirement, as written, holds for the labels: the oracle's verdict.
    pub fn holds<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        let values: Vec<&str> = self.values.iter().map(String::as_str).collect();
        oracle::requirement_holds(&self.key, self.operator, &values, labels)
    }
}

impl Req {
    /// The requirement's text, spaced by `style`, and what it says.
    pub fn render(&self) -> (String, Written) {
        let s = self.style;
        let pad = |bit: u8| if s & bit != 0 { " " } else { "" };
        let key = &self.key.0;
        let op = |symbol: &str, value: &str| format!("{key}{}{symbol}{}{value}", pad(1), pad(2));
        let faithful = !key.is_empty()
            && plain(key)
            && match &self.op {
                Op::In(values) | Op::NotIn(values) => {
                    values.iter().take(MAX_VALUES).all(|v| plain(&v.0))
                }
                Op::Equals(v) | Op::DoubleEquals(v) | Op::NotEquals(v) => plain(&v.0),
                Op::Greater(t) | Op::Less(t) => plain(&t.0),
                Op::Exists | Op::DoesNotExist => true,
            };
        let (text, operator, values) = match &self.op {
            Op::In(values) | Op::NotIn(values) => {
                let (word, operator) = if matches!(self.op, Op::In(_)) {
                    ("in", Operator::In)
                } else {
                    ("notin", Operator::NotIn)
                };
                let values: Vec<&str> = values
                    .iter()
                    .take(MAX_VALUES)
                    .map(|v| v.0.as_str())
                    .collect();
                // Bit 4: no space before `(`; bit 8: spaces inside the list; bit 16: an empty slot.
                let gap = if s & 4 != 0 { "" } else { " " };
                let sep = if s & 8 != 0 { " , " } else { "," };
                let mut list = values.join(sep);
                let mut meant: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                if s & 16 != 0 {
                    list.push_str(",,");
                    meant.push(String::new());
                }
                if values.is_empty() {
                    meant.push(String::new());
                }
                (format!("{key} {word}{gap}({list})"), operator, meant)
            }
            Op::Equals(v) => (op("=", &v.0), Operator::Equals, vec![v.0.clone()]),
            Op::DoubleEquals(v) => (op("==", &v.0), Operator::DoubleEquals, vec![v.0.clone()]),
            Op::NotEquals(v) => (op("!=", &v.0), Operator::NotEquals, vec![v.0.clone()]),
            Op::Exists => (key.clone(), Operator::Exists, vec![]),
            Op::DoesNotExist => (format!("!{}{key}", pad(1)), Operator::DoesNotExist, vec![]),
            Op::Greater(t) => (op(">", &t.0), Operator::GreaterThan, vec![t.0.clone()]),
            Op::Less(t) => (op("<", &t.0), Operator::LessThan, vec![t.0.clone()]),
        };
        (
            text,
            Written {
                key: key.clone(),
                operator,
                values,
                faithful,
            },
        )
    }
}

impl ExprSpec {
    /// The expression's text and each requirement as written.
    pub fn render(&self) -> (String, Vec<Written>) {
        let (texts, written): (Vec<String>, Vec<Written>) = self
            .reqs
            .iter()
            .take(MAX_REQUIREMENTS)
            .map(Req::render)
            .unzip();
        let sep = match self.style % 4 {
            0 => ",",
            1 => ", ",
            2 => "\t,\n",
            _ => " ,",
        };
        let mut text = texts.join(sep);
        if self.style & 4 != 0 {
            text.insert_str(0, " \t");
        }
        if self.style & 8 != 0 {
            text.push_str("\r\n");
        }
        (text, written)
    }
}

/// A selector built from a spec, with every expression's requirements as written.
pub struct Built {
    pub selector: Selector,
    pub written: Vec<Vec<Written>>,
}

impl SelectorSpec {
    pub fn build(&self) -> Built {
        let mut selector = Selector::new();
        for (k, v) in self.labels.iter().take(MAX_LABELS) {
            selector = selector.label(k.0.clone(), v.0.clone());
        }
        let mut written = Vec::new();
        for expr in self.expressions.iter().take(MAX_EXPRESSIONS) {
            let (text, reqs) = expr.render();
            selector = selector.expression(text);
            written.push(reqs);
        }
        for id in self.ids.iter().take(MAX_IDS) {
            selector = selector.id(id.0.clone());
        }
        Built { selector, written }
    }
}

/// Pairs collected as a map does: the last value of a repeated key wins.
pub fn last_wins(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    pairs.iter().cloned().collect()
}
