//! Structured inputs shared by the structured fuzz targets: selectors written from requirements over a
//! small alphabet of keys and values (with an occasional arbitrary string), node label sets, and an
//! independent model of what each written requirement means.
//!
//! Each target includes this file with `mod common;`; not every target uses every item.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;

use arbitrary::{Arbitrary, Result, Unstructured};
use labelsel::{Expression, Labels, Selector};

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

/// What a written requirement means, worked out from how it was written rather than from the parser.
#[derive(Debug, Clone)]
pub enum Meaning {
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    Absent,
    /// The threshold text; it compiled, so it reads as an `i64`.
    Greater(String),
    Less(String),
}

/// A requirement as written, with its meaning.
#[derive(Debug, Clone)]
pub struct Written {
    pub key: String,
    pub meaning: Meaning,
    /// Whether the text says what `meaning` says: the key is not empty and no word holds a byte that
    /// ends a token (an arbitrary word such as `a,b` would write two requirements).
    pub faithful: bool,
}

/// Whether `word` is one token of the grammar (or nothing).
pub fn plain(word: &str) -> bool {
    !word.bytes().any(|b| b" \t\r\n=!(),<>".contains(&b))
}

impl Written {
    /// The Kubernetes table: `!=`, `notin` and `!key` hold on an absent key; `>` and `<` need a value
    /// that `strconv.ParseInt(v, 10, 64)` reads (an optional sign, then decimal digits).
    pub fn holds<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        let value = labels.get(&self.key);
        let integer = |t: &str| -> Option<(i64, i64)> {
            let threshold = t.parse::<i64>().ok()?;
            let value = go_parse_int(value?)?;
            Some((value, threshold))
        };
        match &self.meaning {
            Meaning::In(values) => value.is_some_and(|v| values.iter().any(|w| w == v)),
            Meaning::NotIn(values) => !value.is_some_and(|v| values.iter().any(|w| w == v)),
            Meaning::Exists => value.is_some(),
            Meaning::Absent => value.is_none(),
            Meaning::Greater(t) => integer(t).is_some_and(|(v, t)| v > t),
            Meaning::Less(t) => integer(t).is_some_and(|(v, t)| v < t),
        }
    }
}

/// `strconv.ParseInt(s, 10, 64)`, written out by hand: an optional `+` or `-`, then at least one ASCII
/// digit, and the result must fit in an `i64`.
pub fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut magnitude: i128 = 0;
    for b in digits.bytes() {
        magnitude = magnitude * 10 + i128::from(b - b'0');
        if magnitude > i128::from(i64::MAX) + 1 {
            return None;
        }
    }
    let n = if negative { -magnitude } else { magnitude };
    i64::try_from(n).ok()
}

impl Req {
    /// The requirement's text, spaced by `style`, and what it means.
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
        let (text, meaning) = match &self.op {
            Op::In(values) | Op::NotIn(values) => {
                let word = if matches!(self.op, Op::In(_)) {
                    "in"
                } else {
                    "notin"
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
                let text = format!("{key} {word}{gap}({list})");
                let meaning = if word == "in" {
                    Meaning::In(meant)
                } else {
                    Meaning::NotIn(meant)
                };
                (text, meaning)
            }
            Op::Equals(v) => (op("=", &v.0), Meaning::In(vec![v.0.clone()])),
            Op::DoubleEquals(v) => (op("==", &v.0), Meaning::In(vec![v.0.clone()])),
            Op::NotEquals(v) => (op("!=", &v.0), Meaning::NotIn(vec![v.0.clone()])),
            Op::Exists => (key.clone(), Meaning::Exists),
            Op::DoesNotExist => (format!("!{}{key}", pad(1)), Meaning::Absent),
            Op::Greater(t) => (op(">", &t.0), Meaning::Greater(t.0.clone())),
            Op::Less(t) => (op("<", &t.0), Meaning::Less(t.0.clone())),
        };
        (
            text,
            Written {
                key: key.clone(),
                meaning,
                faithful,
            },
        )
    }
}

impl ExprSpec {
    /// The expression's text and the meaning of each requirement, as written.
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

/// A selector built from a spec, with the meaning of every expression's requirements.
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
            let (text, meaning) = expr.render();
            selector = selector.expression(text);
            written.push(meaning);
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

/// The expressions of a selector that compiled, parsed one by one for part-by-part evaluation.
pub fn parsed_expressions(selector: &Selector) -> Vec<Expression> {
    selector
        .match_expressions
        .iter()
        .map(|text| Expression::parse(text).expect("compiled, so every expression parses"))
        .collect()
}
