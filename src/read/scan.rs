//! The byte scanner under [`super::NodeReader`]: it skips whitespace, and copies one JSON value at a
//! time into a buffer, finding where the value ends by tracking strings, escapes and nesting depth,
//! without parsing it (serde_json parses each value once it is whole). It counts lines and columns as
//! it goes, and stops copying past a bound, so that no input makes it hold more than one bounded
//! value.

use std::io::{self, BufRead};

/// A place in the input: 1-based line and column (in bytes, as serde_json counts them) and the
/// 0-based byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Pos {
    pub(super) line: u64,
    pub(super) column: u64,
    pub(super) offset: u64,
}

impl Pos {
    /// The start of the input.
    pub(super) const START: Pos = Pos {
        line: 1,
        column: 1,
        offset: 0,
    };

    /// The place after `bytes`, which start here.
    pub(super) fn after(mut self, bytes: &[u8]) -> Pos {
        self.offset += bytes.len() as u64;
        match bytes.iter().rposition(|&b| b == b'\n') {
            None => self.column += bytes.len() as u64,
            Some(last) => {
                self.line += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
                self.column = (bytes.len() - last) as u64;
            }
        }
        self
    }
}

/// How copying a value ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum End {
    /// The value is whole.
    Complete,
    /// The object being watched has reached the `[` of its `items` (not consumed).
    Items,
    /// The input ended inside the value.
    Eof,
    /// The value is longer than the bound; what was copied is in the buffer.
    TooLarge,
}

/// Where the scanner is in an object whose `items` it watches for, at depth 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    /// Inside a value, or not watching.
    Idle,
    /// After `{` or `,`: the next string is a key.
    Expected,
    /// Inside a key: how many bytes of `items` it has matched so far, [`MISMATCH`] once it cannot.
    Inside(u8),
    /// After a key (whether it was `items`), before its `:`.
    After(bool),
    /// After the `:`, before the value.
    Colon(bool),
}

const ITEMS: &[u8] = b"items";
const MISMATCH: u8 = u8::MAX;

/// The state of copying one value, kept across the reader's chunks.
#[derive(Clone, Copy, Debug)]
pub(super) struct Value {
    started: bool,
    depth: u32,
    in_string: bool,
    escape: bool,
    scalar: bool,
    /// Whether to stop at `"items": [` at depth 1.
    watch: bool,
    key: Key,
}

impl Value {
    /// Any JSON value.
    pub(super) fn any() -> Value {
        Value {
            started: false,
            depth: 0,
            in_string: false,
            escape: false,
            scalar: false,
            watch: false,
            key: Key::Idle,
        }
    }

    /// A top-level value: if it is an object, copying stops at the `[` of an `items` array.
    pub(super) fn top() -> Value {
        Value {
            watch: true,
            ..Value::any()
        }
    }

    /// The rest of a watched object after its `items` array: copying goes on to its closing `}`,
    /// stopping at the `[` of a second `items` array.
    pub(super) fn rest_of_object() -> Value {
        Value {
            started: true,
            depth: 1,
            watch: true,
            ..Value::any()
        }
    }

    /// Takes in `chunk` until the value ends: how many of its bytes belong to the value, and whether
    /// it ended there (and how).
    fn feed(&mut self, chunk: &[u8]) -> (usize, Option<End>) {
        let mut i = 0;
        while i < chunk.len() {
            if self.in_string {
                // The common case, kept tight: ordinary bytes of a string.
                if !self.escape && matches!(self.key, Key::Idle) {
                    match chunk[i..].iter().position(|&b| b == b'"' || b == b'\\') {
                        Some(at) => i += at,
                        None => return (chunk.len(), None),
                    }
                }
                let b = chunk[i];
                i += 1;
                if self.escape {
                    self.escape = false;
                    if let Key::Inside(_) = self.key {
                        self.key = Key::Inside(MISMATCH);
                    }
                } else if b == b'\\' {
                    self.escape = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if let Key::Inside(matched) = self.key {
                        self.key = Key::After(usize::from(matched) == ITEMS.len());
                    }
                    if self.depth == 0 {
                        return (i, Some(End::Complete));
                    }
                } else if let Key::Inside(matched) = self.key {
                    let next = usize::from(matched);
                    self.key = Key::Inside(if ITEMS.get(next) == Some(&b) {
                        matched + 1
                    } else {
                        MISMATCH
                    });
                }
                continue;
            }
            let b = chunk[i];
            if self.scalar {
                // A number or a literal; anything else that does not start a value is taken one
                // byte at a time, for serde_json to name.
                if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.') || b >= 0x80 {
                    i += 1;
                    continue;
                }
                return (i, Some(End::Complete));
            }
            if !self.started {
                self.started = true;
                i += 1;
                match b {
                    b'{' | b'[' => {
                        self.depth = 1;
                        if self.watch && b == b'{' {
                            self.key = Key::Expected;
                        } else {
                            self.watch = false;
                        }
                    }
                    b'"' => self.in_string = true,
                    _ if b.is_ascii_alphanumeric()
                        || matches!(b, b'+' | b'-' | b'.')
                        || b >= 0x80 =>
                    {
                        self.scalar = true
                    }
                    // One byte that cannot start a value.
                    _ => return (i, Some(End::Complete)),
                }
                continue;
            }
            if self.watch && self.depth == 1 {
                if let Key::Colon(items) = self.key
                    && !matches!(b, b' ' | b'\t' | b'\n' | b'\r')
                {
                    if items && b == b'[' {
                        return (i, Some(End::Items));
                    }
                    self.key = Key::Idle;
                }
                match (b, self.key) {
                    (b'"', Key::Expected) => self.key = Key::Inside(0),
                    (b',', _) => self.key = Key::Expected,
                    (b':', Key::After(items)) => self.key = Key::Colon(items),
                    _ => {}
                }
            }
            i += 1;
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return (i, Some(End::Complete));
                    }
                }
                _ => {}
            }
        }
        (i, None)
    }
}

/// The reader's next chunk, retrying an interrupted read; empty at the end.
fn fill<R: BufRead>(reader: &mut R) -> io::Result<&[u8]> {
    loop {
        match reader.fill_buf() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
            Ok(_) => break,
        }
    }
    // Read again, now without an error: the chunk is borrowed for the caller.
    reader.fill_buf()
}

/// Reads JSON values out of a byte stream, one at a time.
#[derive(Debug)]
pub(super) struct Scanner<R> {
    reader: R,
    /// Where the next byte is.
    pub(super) pos: Pos,
}

impl<R: BufRead> Scanner<R> {
    pub(super) fn new(reader: R) -> Scanner<R> {
        Scanner {
            reader,
            pos: Pos::START,
        }
    }

    /// Skips a byte-order mark at the very start, as some editors write: it is not part of the
    /// JSON, and columns do not count it. `Ok(false)` when the input starts with only part of one.
    pub(super) fn skip_byte_order_mark(&mut self) -> io::Result<bool> {
        const MARK: &[u8] = b"\xEF\xBB\xBF";
        let mut matched = 0;
        while matched < MARK.len() {
            let chunk = fill(&mut self.reader)?;
            let same = chunk
                .iter()
                .zip(&MARK[matched..])
                .take_while(|(a, b)| a == b)
                .count();
            if same == 0 {
                return Ok(matched == 0);
            }
            self.reader.consume(same);
            self.pos.offset += same as u64;
            matched += same;
        }
        Ok(true)
    }

    /// Skips JSON whitespace, and returns the next byte without taking it; `None` at the end.
    pub(super) fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            let chunk = fill(&mut self.reader)?;
            if chunk.is_empty() {
                return Ok(None);
            }
            let found = chunk
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
            let skipped = found.unwrap_or(chunk.len());
            let next = found.map(|at| chunk[at]);
            self.pos = self.pos.after(&chunk[..skipped]);
            self.reader.consume(skipped);
            if next.is_some() {
                return Ok(next);
            }
        }
    }

    /// Takes the byte [`Scanner::peek`] returned, which is not a line break.
    pub(super) fn bump(&mut self) {
        self.reader.consume(1);
        self.pos.column += 1;
        self.pos.offset += 1;
    }

    /// Copies the value that starts at the next byte (not whitespace) onto the end of `buf`, in the
    /// state `value`, until it ends or `buf` would hold more than `max` bytes (it then holds
    /// `max + 1`).
    pub(super) fn copy(
        &mut self,
        buf: &mut Vec<u8>,
        mut value: Value,
        max: usize,
    ) -> io::Result<End> {
        loop {
            let chunk = fill(&mut self.reader)?;
            if chunk.is_empty() {
                // A number or a literal ends with the input.
                return Ok(if value.scalar {
                    End::Complete
                } else {
                    End::Eof
                });
            }
            let (taken, end) = value.feed(chunk);
            let room = (max + 1).saturating_sub(buf.len());
            let kept = taken.min(room);
            if buf.len() + kept > buf.capacity() {
                // Grown as a vector grows, but never past the bound.
                let wanted = (buf.capacity() * 2).max(buf.len() + kept).min(max + 1);
                buf.reserve_exact(wanted - buf.len());
            }
            buf.extend_from_slice(&chunk[..kept]);
            self.pos = self.pos.after(&chunk[..kept]);
            self.reader.consume(kept);
            if kept < taken || buf.len() > max {
                return Ok(End::TooLarge);
            }
            if let Some(end) = end {
                return Ok(end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(input: &[u8], value: Value, max: usize) -> (End, Vec<u8>, Pos) {
        let mut scanner = Scanner::new(io::BufReader::with_capacity(3, input));
        scanner.peek().unwrap();
        let mut buf = Vec::new();
        let end = scanner.copy(&mut buf, value, max).unwrap();
        (end, buf, scanner.pos)
    }

    #[test]
    fn a_value_ends_where_its_brackets_close_whatever_its_strings_hold() {
        let input = b" {\"a\": \"}\\\"]\", \"b\": [1, {\"c\": 2}]}\n{\"next\": 1}";
        let (end, buf, pos) = copy(input, Value::any(), 1000);
        assert_eq!(end, End::Complete);
        assert_eq!(buf, &input[1..34]);
        assert_eq!((pos.line, pos.column, pos.offset), (1, 35, 34));
    }

    #[test]
    fn strings_and_scalars_end_at_their_last_byte() {
        assert_eq!(copy(b"\"a\\\"b\" 1", Value::any(), 100).1, b"\"a\\\"b\"");
        assert_eq!(copy(b"-12.5e3,", Value::any(), 100).1, b"-12.5e3");
        assert_eq!(
            copy(b"true", Value::any(), 100),
            (
                End::Complete,
                b"true".to_vec(),
                Pos {
                    line: 1,
                    column: 5,
                    offset: 4
                }
            )
        );
        // A byte that cannot start a value is one value of its own, for the parser to refuse.
        assert_eq!(copy(b"\0\0\0", Value::any(), 100).1, b"\0");
    }

    #[test]
    fn a_watched_object_stops_at_its_items_array_only() {
        let input = b"{\"kind\": \"NodeList\", \"metadata\": {\"items\": [1]}, \"items\" : [{}]}";
        let (end, buf, _) = copy(input, Value::top(), 1000);
        assert_eq!(end, End::Items);
        assert_eq!(buf, &input[..input.len() - 5]);
        // Not in a string value, and not in an array that is not an object's.
        for input in [&b"{\"a\": \"items\", \"b\": [1]}"[..], b"[\"items\", [1]]"] {
            assert_eq!(copy(input, Value::top(), 1000).0, End::Complete);
        }
    }

    #[test]
    fn copying_stops_one_byte_past_the_bound_and_at_the_end_of_the_input() {
        let (end, buf, _) = copy(b"[\"aaaaaaaaaaaaaaaaaaaa\"]", Value::any(), 8);
        assert_eq!((end, buf.len()), (End::TooLarge, 9));
        assert_eq!(copy(b"{\"a\": [", Value::any(), 100).0, End::Eof);
    }

    #[test]
    fn lines_and_columns_count_line_breaks_in_strings_and_between_values() {
        let pos = Pos::START.after(b"ab\ncd\n\nef");
        assert_eq!((pos.line, pos.column, pos.offset), (4, 3, 9));
    }
}
