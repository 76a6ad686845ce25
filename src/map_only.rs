//! Deserializing structs from JSON objects only.
//!
//! serde's derived struct deserializers also accept a sequence, reading fields by position, so `[]`
//! would read as the empty selector, which matches every node. The types here are read through
//! [`MapOnly`], which accepts a map and nothing else.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, MapAccess, Visitor};

/// A type read from the entries of a map, typically through a `#[serde(remote = ...)]` derive.
pub(crate) trait FromMap<'de>: Sized {
    /// What the error says was expected.
    const EXPECTING: &'static str;

    fn from_map<A: MapAccess<'de>>(map: MapAccessDeserializer<A>) -> Result<Self, A::Error>;
}

/// Reads `T` from a map; any other shape is an error naming what was expected.
pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: FromMap<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(MapOnly(PhantomData))
}

struct MapOnly<T>(PhantomData<T>);

impl<'de, T: FromMap<'de>> Visitor<'de> for MapOnly<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(MapAccessDeserializer::new(map))
    }
}

/// Implements `Deserialize` for a type through its remote derive, from maps only.
macro_rules! deserialize_from_map_only {
    ($target:ty, $shape:ty, $expecting:literal) => {
        impl<'de> $crate::map_only::FromMap<'de> for $target {
            const EXPECTING: &'static str = $expecting;

            fn from_map<A: serde::de::MapAccess<'de>>(
                map: serde::de::value::MapAccessDeserializer<A>,
            ) -> Result<Self, A::Error> {
                <$shape>::deserialize(map)
            }
        }

        impl<'de> serde::Deserialize<'de> for $target {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::map_only::deserialize(deserializer)
            }
        }
    };
}

pub(crate) use deserialize_from_map_only;

/// Reads a map of label keys to values, `null` as the empty map, and refuses a key given twice: serde's
/// own map reading would keep the last value silently (`{"a": "1", "a": "2"}` as `a=2`).
pub(crate) fn label_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    deserializer.deserialize_option(LabelMap)
}

struct LabelMap;

impl<'de> Visitor<'de> for LabelMap {
    type Value = BTreeMap<String, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of label keys to string values")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(LabelMap)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut labels = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if labels.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate label key {key:?}"
                )));
            }
            let value: String = map.next_value()?;
            labels.insert(key, value);
        }
        Ok(labels)
    }
}
