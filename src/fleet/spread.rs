//! [`Selection::count_by`] and [`Spread`]: how the selected nodes spread over the values of one key,
//! counted with bitmap intersections.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::fleet::Selection;

impl<'f> Selection<'f> {
    /// How many selected nodes carry each value of `key`, and how many lack the key: the spread of the
    /// selection over a topology key such as `topology.kubernetes.io/zone`, for topology-spread
    /// constraints and `distinct_property`-style limits.
    ///
    /// Counted on the index, never by visiting nodes: one bitmap intersection count per distinct value
    /// the fleet has for `key`, and one more for the nodes that have the key at all. A key no node has
    /// gives no values and every selected node missing.
    ///
    /// ```
    /// use labelsel::{Fleet, Selector};
    ///
    /// let mut fleet = Fleet::new();
    /// fleet.insert("n1", [("zone", "b"), ("gpu", "l4")]);
    /// fleet.insert("n2", [("zone", "a"), ("gpu", "l4")]);
    /// fleet.insert("n3", [("zone", "b"), ("gpu", "t4")]);
    /// fleet.insert("n4", [("gpu", "l4")]);
    /// fleet.insert("n5", [("zone", "c")]);
    ///
    /// let selection = fleet.select(&Selector::new().expression("gpu").compile()?);
    /// let spread = selection.count_by("zone");
    /// assert_eq!(spread.values(), [("a", 1), ("b", 2)]); // sorted by value; `c` has no selected node
    /// assert_eq!(spread.missing(), 1); // n4 has no zone
    /// assert_eq!(spread.get("b"), 2);
    /// assert_eq!(spread.get("c"), 0);
    /// assert_eq!(spread.to_string(), "a 1\nb 2\n(none) 1\n");
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn count_by(&self, key: &str) -> Spread<'f> {
        let (fleet, slots) = self.parts();
        let total = slots.len() as usize;
        let indexed = fleet.keys.id(key).and_then(|key| fleet.index.key(key));
        let Some(indexed) = indexed else {
            return Spread {
                key: key.into(),
                values: Vec::new(),
                missing: total,
                total,
            };
        };
        let mut values: Vec<(&'f str, usize)> = indexed
            .values
            .iter()
            .filter_map(|(&value, nodes)| {
                let count = nodes.intersection_len(slots) as usize;
                (count > 0).then(|| (fleet.values.term(value), count))
            })
            .collect();
        values.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let present = indexed.present.intersection_len(slots) as usize;
        Spread {
            key: key.into(),
            values,
            missing: total - present,
            total,
        }
    }
}

/// How the nodes of a [`Selection`] spread over the values of one key: what
/// [`Selection::count_by`] returns.
///
/// Holds each value at least one selected node has, sorted byte-wise, with its number of nodes, and
/// the number of selected nodes that lack the key. The counts add up to [`total`](Spread::total).
///
/// [`Display`](fmt::Display) writes one `VALUE COUNT` line per value, then `(none) COUNT` for the
/// nodes without the key (always, even when it is 0); the empty value is written `""`. Valid label
/// values contain no space, quote or parenthesis, so neither form can be mistaken for a value.
/// [`Serialize`] writes `{"key": KEY, "count": TOTAL, "values": {VALUE: COUNT, ...}, "missing":
/// COUNT}`, values in the same order.
///
/// ```
/// use labelsel::{Fleet, Selector};
///
/// let mut fleet = Fleet::new();
/// fleet.insert("n1", [("zone", "a")]);
/// fleet.insert("n2", [("zone", "a")]);
/// fleet.insert("n3", [("zone", "")]);
/// fleet.insert("n4", [("rack", "r1")]);
/// let spread = fleet.select(&Selector::new().compile()?).count_by("zone");
/// assert_eq!(spread.key(), "zone");
/// assert_eq!(spread.values(), [("", 1), ("a", 2)]);
/// assert_eq!((spread.present(), spread.missing(), spread.total()), (3, 1, 4));
/// assert_eq!(spread.to_string(), "\"\" 1\na 2\n(none) 1\n");
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spread<'f> {
    key: Box<str>,
    values: Vec<(&'f str, usize)>,
    missing: usize,
    total: usize,
}

impl<'f> Spread<'f> {
    /// The key counted by.
    ///
    /// ```
    /// # use labelsel::{Fleet, Selector};
    /// let fleet = Fleet::new();
    /// let spread = fleet.select(&Selector::new().compile()?).count_by("zone");
    /// assert_eq!(spread.key(), "zone");
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Each value at least one selected node has, with its number of selected nodes, sorted by value
    /// (byte-wise). Values with no selected node are left out.
    ///
    /// ```
    /// # use labelsel::{Fleet, Selector};
    /// let mut fleet = Fleet::new();
    /// fleet.insert("n1", [("zone", "b")]);
    /// fleet.insert("n2", [("zone", "a")]);
    /// fleet.insert("n3", [("zone", "b")]);
    /// let spread = fleet.select(&Selector::new().compile()?).count_by("zone");
    /// assert_eq!(spread.values(), [("a", 1), ("b", 2)]);
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn values(&self) -> &[(&'f str, usize)] {
        &self.values
    }

    /// The number of selected nodes whose value for the key is `value` (0 for a value none has).
    ///
    /// ```
    /// # use labelsel::{Fleet, Selector};
    /// let mut fleet = Fleet::new();
    /// fleet.insert("n1", [("zone", "a")]);
    /// let spread = fleet.select(&Selector::new().compile()?).count_by("zone");
    /// assert_eq!((spread.get("a"), spread.get("b")), (1, 0));
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn get(&self, value: &str) -> usize {
        self.values
            .binary_search_by(|&(v, _)| v.cmp(value))
            .map_or(0, |at| self.values[at].1)
    }

    /// The number of selected nodes that lack the key.
    ///
    /// ```
    /// # use labelsel::{Fleet, Selector};
    /// let mut fleet = Fleet::new();
    /// fleet.insert("n1", [("zone", "a")]);
    /// fleet.insert("n2", [("rack", "r1")]);
    /// let spread = fleet.select(&Selector::new().compile()?).count_by("zone");
    /// assert_eq!(spread.missing(), 1);
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn missing(&self) -> usize {
        self.missing
    }

    /// The number of selected nodes that have the key (any value): `total() - missing()`.
    ///
    /// ```
    /// # use labelsel::{Fleet, Selector};
    /// let mut fleet = Fleet::new();
    /// fleet.insert("n1", [("zone", "a")]);
    /// fleet.insert("n2", [("rack", "r1")]);
    /// let spread = fleet.select(&Selector::new().compile()?).count_by("zone");
    /// assert_eq!(spread.present(), 1);
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn present(&self) -> usize {
        self.total - self.missing
    }

    /// The number of selected nodes, with the key or without: the selection's
    /// [`len`](Selection::len).
    ///
    /// ```
    /// # use labelsel::{Fleet, Selector};
    /// let mut fleet = Fleet::new();
    /// fleet.insert("n1", [("zone", "a")]);
    /// fleet.insert("n2", [("rack", "r1")]);
    /// let spread = fleet.select(&Selector::new().compile()?).count_by("zone");
    /// assert_eq!(spread.total(), 2);
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn total(&self) -> usize {
        self.total
    }
}

/// One `VALUE COUNT` line per value, sorted by value, the empty value written `""`, then
/// `(none) COUNT`.
impl fmt::Display for Spread<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &(value, count) in &self.values {
            let value = if value.is_empty() { "\"\"" } else { value };
            writeln!(f, "{value} {count}")?;
        }
        writeln!(f, "(none) {}", self.missing)
    }
}

/// `{"key": KEY, "count": TOTAL, "values": {VALUE: COUNT, ...}, "missing": COUNT}`, values sorted.
impl Serialize for Spread<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Values<'a>(&'a [(&'a str, usize)]);
        impl Serialize for Values<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (value, count) in self.0 {
                    map.serialize_entry(value, count)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("key", &*self.key)?;
        map.serialize_entry("count", &self.total)?;
        map.serialize_entry("values", &Values(&self.values))?;
        map.serialize_entry("missing", &self.missing)?;
        map.end()
    }
}
