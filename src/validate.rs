//! The Kubernetes rules for label keys and values, checked byte by byte.
//!
//! The rules are those of `k8s.io/apimachinery` (`IsQualifiedName` for keys, `IsValidLabelValue` for
//! values). Lengths are counted in bytes and the character classes are ASCII, so any non-ASCII byte is
//! rejected. No regular expression is involved: each rule is a single pass over the bytes, and the first
//! broken rule is reported together with the byte offset where it breaks.

use std::fmt;

/// Longest name part of a key, and longest value, in bytes.
pub(crate) const MAX_NAME_LEN: usize = 63;
/// Longest DNS prefix of a key, in bytes.
pub(crate) const MAX_PREFIX_LEN: usize = 253;

/// A label key or value that breaks one of the Kubernetes rules.
///
/// The error says which rule is broken, in plain words, and where in the key or value it breaks.
///
/// ```
/// let err = labelsel::validate_key("example.com/-gpu").unwrap_err();
/// assert_eq!(err.offset(), 12);
/// assert_eq!(
///     err.to_string(),
///     "the name part of a key must begin and end with a letter or digit, not '-'"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{rule}")]
pub struct LabelError {
    rule: LabelRule,
    offset: usize,
}

impl LabelError {
    /// The rule that is broken.
    pub fn rule(&self) -> &LabelRule {
        &self.rule
    }

    /// Byte offset, within the key or value, of the first byte that breaks the rule.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

/// The rule a label key or value breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LabelRule {
    /// The key has no name part (it is empty, or ends with `/`).
    #[error("the name part of a key must not be empty")]
    KeyNameEmpty,
    /// The name part of the key is longer than 63 bytes.
    #[error("the name part of a key is {len} bytes long; at most 63 are allowed")]
    KeyNameTooLong {
        /// Length of the name part in bytes.
        len: usize,
    },
    /// The name part of the key begins or ends with something other than a letter or digit.
    #[error("the name part of a key must begin and end with a letter or digit, not {found}")]
    KeyNameEdge {
        /// The character at the edge.
        found: Found,
    },
    /// The name part of the key holds a character outside letters, digits, `-`, `_` and `.`.
    #[error("the name part of a key may hold only letters, digits, '-', '_' and '.', not {found}")]
    KeyNameCharacter {
        /// The first character that is not allowed.
        found: Found,
    },
    /// The key holds more than one `/`.
    #[error("a key may hold at most one '/', between its DNS prefix and its name")]
    KeyTooManySlashes,
    /// The key begins with `/`: the prefix before it is empty.
    #[error(
        "the prefix of a key (before '/') must not be empty; drop the '/' or write a prefix like 'example.com/'"
    )]
    KeyPrefixEmpty,
    /// The prefix of the key is longer than 253 bytes.
    #[error("the prefix of a key is {len} bytes long; at most 253 are allowed")]
    KeyPrefixTooLong {
        /// Length of the prefix in bytes.
        len: usize,
    },
    /// A dot-separated part of the prefix is empty (`a..b`, or a leading or trailing `.`).
    #[error(
        "the prefix of a key must be a DNS subdomain like 'example.com', without empty parts between dots"
    )]
    KeyPrefixEmptyPart,
    /// A dot-separated part of the prefix begins or ends with something other than a lowercase letter or digit.
    #[error(
        "each dot-separated part of a key's prefix must begin and end with a lowercase letter or digit, not {found}"
    )]
    KeyPrefixEdge {
        /// The character at the edge.
        found: Found,
    },
    /// The prefix holds a character outside lowercase letters, digits, `-` and `.`.
    #[error(
        "the prefix of a key may hold only lowercase letters, digits, '-' and '.', not {found}"
    )]
    KeyPrefixCharacter {
        /// The first character that is not allowed.
        found: Found,
    },
    /// The value is longer than 63 bytes.
    #[error("a value is {len} bytes long; at most 63 are allowed")]
    ValueTooLong {
        /// Length of the value in bytes.
        len: usize,
    },
    /// The value begins or ends with something other than a letter or digit.
    #[error("a value must be empty or begin and end with a letter or digit, not {found}")]
    ValueEdge {
        /// The character at the edge.
        found: Found,
    },
    /// The value holds a character outside letters, digits, `-`, `_` and `.`.
    #[error("a value may hold only letters, digits, '-', '_' and '.', not {found}")]
    ValueCharacter {
        /// The first character that is not allowed.
        found: Found,
    },
}

/// A character found where the rules do not allow it, printed quoted and escaped (`'-'`, `'\t'`, `'é'`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found(pub char);

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// Checks a label key: an optional DNS-1123 subdomain prefix of at most 253 bytes and a `/`, then a name
/// of 1 to 63 bytes of letters, digits, `-`, `_` and `.` that begins and ends with a letter or digit.
///
/// ```
/// assert!(labelsel::validate_key("topology.kubernetes.io/zone").is_ok());
/// assert!(labelsel::validate_key("Tier_2").is_ok());
/// assert!(labelsel::validate_key("Example.com/zone").is_err()); // prefixes are lowercase
/// assert!(labelsel::validate_key("a/b/c").is_err());
/// ```
pub fn validate_key(key: &str) -> Result<(), LabelError> {
    let (prefix, name, name_start) = match key.find('/') {
        None => (None, key, 0),
        Some(slash) => {
            if let Some(second) = key[slash + 1..].find('/') {
                return Err(error(LabelRule::KeyTooManySlashes, slash + 1 + second));
            }
            (Some(&key[..slash]), &key[slash + 1..], slash + 1)
        }
    };
    if let Some(prefix) = prefix {
        validate_prefix(prefix)?;
    }
    validate_name(name).map_err(|e| LabelError {
        offset: e.offset + name_start,
        ..e
    })
}

/// Checks a label value: empty, or 1 to 63 bytes of letters, digits, `-`, `_` and `.` that begin and end
/// with a letter or digit.
///
/// ```
/// assert!(labelsel::validate_value("").is_ok());
/// assert!(labelsel::validate_value("us-east-1a").is_ok());
/// assert!(labelsel::validate_value("a/b").is_err());
/// ```
pub fn validate_value(value: &str) -> Result<(), LabelError> {
    if value.is_empty() {
        return Ok(());
    }
    if value.len() > MAX_NAME_LEN {
        return Err(error(
            LabelRule::ValueTooLong { len: value.len() },
            MAX_NAME_LEN,
        ));
    }
    check_word(value, NAME_CLASS).map_err(|bad| match bad {
        BadByte::Edge(at) => error(
            LabelRule::ValueEdge {
                found: found(value, at),
            },
            at,
        ),
        BadByte::Inner(at) => error(
            LabelRule::ValueCharacter {
                found: found(value, at),
            },
            at,
        ),
    })
}

fn validate_name(name: &str) -> Result<(), LabelError> {
    if name.is_empty() {
        return Err(error(LabelRule::KeyNameEmpty, 0));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(error(
            LabelRule::KeyNameTooLong { len: name.len() },
            MAX_NAME_LEN,
        ));
    }
    check_word(name, NAME_CLASS).map_err(|bad| match bad {
        BadByte::Edge(at) => error(
            LabelRule::KeyNameEdge {
                found: found(name, at),
            },
            at,
        ),
        BadByte::Inner(at) => error(
            LabelRule::KeyNameCharacter {
                found: found(name, at),
            },
            at,
        ),
    })
}

fn validate_prefix(prefix: &str) -> Result<(), LabelError> {
    if prefix.is_empty() {
        return Err(error(LabelRule::KeyPrefixEmpty, 0));
    }
    if prefix.len() > MAX_PREFIX_LEN {
        return Err(error(
            LabelRule::KeyPrefixTooLong { len: prefix.len() },
            MAX_PREFIX_LEN,
        ));
    }
    let mut part_start = 0;
    for part in prefix.split('.') {
        if part.is_empty() {
            return Err(error(LabelRule::KeyPrefixEmptyPart, part_start));
        }
        check_word(part, DNS_CLASS).map_err(|bad| match bad {
            BadByte::Edge(at) => error(
                LabelRule::KeyPrefixEdge {
                    found: found(part, at),
                },
                part_start + at,
            ),
            BadByte::Inner(at) => error(
                LabelRule::KeyPrefixCharacter {
                    found: found(part, at),
                },
                part_start + at,
            ),
        })?;
        part_start += part.len() + 1;
    }
    Ok(())
}

/// Which bytes a word may hold: `edge` bytes anywhere, `inner` bytes anywhere but at either end.
#[derive(Clone, Copy)]
struct CharClass {
    edge: u8,
    inner: u8,
}

/// Bit flags of each byte value, looked up once per byte.
const ALPHANUMERIC: u8 = 1;
const NAME_PUNCTUATION: u8 = 2;
const LOWER_ALPHANUMERIC: u8 = 4;
const DASH: u8 = 8;

const BYTE_CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() {
            table[b] |= ALPHANUMERIC;
        }
        if byte.is_ascii_lowercase() || byte.is_ascii_digit() {
            table[b] |= LOWER_ALPHANUMERIC;
        }
        if matches!(byte, b'-' | b'_' | b'.') {
            table[b] |= NAME_PUNCTUATION;
        }
        if byte == b'-' {
            table[b] |= DASH;
        }
        b += 1;
    }
    table
};

/// Key names and values: `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
const NAME_CLASS: CharClass = CharClass {
    edge: ALPHANUMERIC,
    inner: NAME_PUNCTUATION,
};

/// One dot-separated part of a DNS-1123 subdomain: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
const DNS_CLASS: CharClass = CharClass {
    edge: LOWER_ALPHANUMERIC,
    inner: DASH,
};

/// Where a non-empty word breaks its character class.
enum BadByte {
    /// A byte allowed only inside the word stands at its start or end.
    Edge(usize),
    /// A byte not allowed anywhere in the word.
    Inner(usize),
}

fn check_word(word: &str, class: CharClass) -> Result<(), BadByte> {
    let bytes = word.as_bytes();
    let allowed = class.edge | class.inner;
    match bytes
        .iter()
        .position(|&b| BYTE_CLASSES[usize::from(b)] & allowed == 0)
    {
        Some(at) => Err(BadByte::Inner(at)),
        None => {
            let is_edge =
                |b: Option<&u8>| b.is_none_or(|&b| BYTE_CLASSES[usize::from(b)] & class.edge != 0);
            if !is_edge(bytes.first()) {
                Err(BadByte::Edge(0))
            } else if !is_edge(bytes.last()) {
                Err(BadByte::Edge(bytes.len() - 1))
            } else {
                Ok(())
            }
        }
    }
}

fn error(rule: LabelRule, offset: usize) -> LabelError {
    LabelError { rule, offset }
}

/// The character starting at byte `at`; `at` is always a character boundary here, since every byte
/// before it was ASCII.
fn found(word: &str, at: usize) -> Found {
    Found(
        word[at..]
            .chars()
            .next()
            .unwrap_or(char::REPLACEMENT_CHARACTER),
    )
}
