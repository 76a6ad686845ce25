//! The [`Labels`] trait: how the engine reads a node's labels.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// A node's labels, as the engine reads them: a lookup from key to value.
///
/// A key that is present with the empty value is present (`x=` matches it, `!x` does not). Implemented for
/// `HashMap` and `BTreeMap` with `String` or `&str` keys and values, and for references to any
/// implementation. Implement it for your own node type to match it without copying its labels.
///
/// ```
/// use labelsel::{Expression, Labels};
///
/// struct Node {
///     zone: String,
/// }
///
/// impl Labels for Node {
///     fn get(&self, key: &str) -> Option<&str> {
///         (key == "zone").then_some(self.zone.as_str())
///     }
/// }
///
/// let expr = Expression::parse("zone in (a, b)")?;
/// assert!(expr.matches(&Node { zone: "b".into() }));
/// # Ok::<(), labelsel::ParseError>(())
/// ```
pub trait Labels {
    /// The value of `key`, or `None` when the node lacks the key.
    fn get(&self, key: &str) -> Option<&str>;
}

impl<L: Labels + ?Sized> Labels for &L {
    fn get(&self, key: &str) -> Option<&str> {
        (**self).get(key)
    }
}

impl<S: BuildHasher> Labels for HashMap<String, String, S> {
    fn get(&self, key: &str) -> Option<&str> {
        HashMap::get(self, key).map(String::as_str)
    }
}

impl<S: BuildHasher> Labels for HashMap<&str, &str, S> {
    fn get(&self, key: &str) -> Option<&str> {
        HashMap::get(self, key).copied()
    }
}

impl Labels for BTreeMap<String, String> {
    fn get(&self, key: &str) -> Option<&str> {
        BTreeMap::get(self, key).map(String::as_str)
    }
}

impl Labels for BTreeMap<&str, &str> {
    fn get(&self, key: &str) -> Option<&str> {
        BTreeMap::get(self, key).copied()
    }
}
