//! Selectors run where the fleet lives: [`Matcher::to_sql`] writes a parameterised statement with the
//! in-memory verdicts and order, for PostgreSQL or SQLite, over the schema the stores own
//! ([`PgFleet`] and [`SqliteFleet`], behind the `postgres` and `sqlite` features).
//!
//! # The schemas
//!
//! Both dialects keep the nodes in `labelsel_nodes`: `ord`, the insertion order (a replaced node keeps
//! its number, a new one gets a higher one, never reused), and `id`, unique. A table
//! `labelsel_meta` marks the database as a labelsel fleet.
//!
//! - **PostgreSQL** keeps the labels in a `jsonb` column `labels` of `labelsel_nodes`, with a GIN index
//!   of the default `jsonb_ops` class, which answers containment (`@>`) and key existence (`?`).
//!   Equalities (all of `match_labels` folded into one object) and `in` lists become containment
//!   tests, existence the `?` operator: the index serves them. Negations are residual filters.
//! - **SQLite** keeps one row per label in `labelsel_labels (key, value, node)`, keyed by
//!   `(key, value, node)`, so `=`, `in` and existence are index lookups; a generated column
//!   `int_value` holds the value when it is a base-10 `i64`, indexed by `(key, int_value)`, so `>` and
//!   `<` are index ranges.
//!
//! # The semantics
//!
//! Exactly those of [`Matcher::matches`]: `!=`, `notin` and `!key` hold on nodes without the key; `>`
//! and `<` compare only values that are base-10 `i64`s (an optional sign, then ASCII digits, leading
//! zeros allowed: `+5`, `007`), as integers, never as text or floats, and a value out of the `i64`
//! range is no integer at all. Ids are in the order the nodes were inserted. Values are always
//! parameters, never pasted into the text; [`SqlStatement::inline`] writes them in, quoted, for
//! reading and `EXPLAIN`.

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
mod store;

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use crate::Matcher;
use crate::matcher::{Clause, CompiledValues, Subject};
use crate::operator::Check;

#[cfg(feature = "postgres")]
pub use self::postgres::PgFleet;
#[cfg(feature = "sqlite")]
pub use self::sqlite::SqliteFleet;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub use self::store::{NodeSource, SqlFleet, StoreError, VisitNode};

/// The table of nodes: `ord`, `id`, and in PostgreSQL `labels`.
pub const NODES_TABLE: &str = "labelsel_nodes";
/// SQLite's table of labels, one row per label: `key`, `value`, `node` (the node's `ord`) and
/// `int_value`.
pub const LABELS_TABLE: &str = "labelsel_labels";
/// The table that marks a database as holding a labelsel fleet, and with which schema.
pub const META_TABLE: &str = "labelsel_meta";
/// The schema version `labelsel_meta` records; a store refuses a database that records another.
pub const SCHEMA_VERSION: &str = "labelsel fleet 1";

/// The SQL dialect a statement is written in.
///
/// ```
/// use labelsel::{Dialect, Selector};
///
/// let matcher = Selector::new().label("rack", "rack-0042").compile()?;
/// assert!(matcher.to_sql(Dialect::Postgres).text().contains("labels @>"));
/// assert!(matcher.to_sql(Dialect::Sqlite).text().contains("labelsel_labels"));
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// PostgreSQL (and what speaks its SQL): labels in a `jsonb` column with a GIN index.
    Postgres,
    /// SQLite: labels in a key/value table.
    Sqlite,
}

/// A parameter of a [`SqlStatement`].
///
/// ```
/// use labelsel::{Dialect, Selector, SqlParam};
///
/// let matcher = Selector::new().expression("cpu>8").compile()?;
/// let statement = matcher.to_sql(Dialect::Postgres);
/// assert_eq!(statement.params(), [SqlParam::Text("cpu".into()), SqlParam::Integer(8)]);
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SqlParam {
    /// A string: a key, a value or an id.
    Text(String),
    /// A list of strings, sorted: ids, or the values of an `in` or `notin` (in PostgreSQL, as one-label
    /// JSON objects, `{"zone":"a"}`, for containment). PostgreSQL binds it as a `text[]`, SQLite as a
    /// JSON array read by `json_each`.
    TextList(Vec<String>),
    /// The threshold of a `>` or `<`.
    Integer(i64),
}

/// A statement with its parameters: `$1, $2, ...` in PostgreSQL, `?1, ?2, ...` in SQLite.
///
/// Values are never in the text; [`inline`](SqlStatement::inline) writes them in for reading.
///
/// ```
/// use labelsel::{Dialect, Selector};
///
/// let matcher = Selector::new().label("env", "prod").expression("gpu!=h100").compile()?;
/// let statement = matcher.to_sql(Dialect::Postgres);
/// assert_eq!(
///     statement.text(),
///     "SELECT id FROM labelsel_nodes\n\
///      WHERE labels @> jsonb_build_object($1::text, $2::text)\n  \
///        AND NOT labels @> jsonb_build_object($3::text, $4::text)\n\
///      ORDER BY ord"
/// );
/// assert_eq!(statement.params().len(), 4);
/// assert!(statement.inline().contains("jsonb_build_object('env'::text, 'prod'::text)"));
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlStatement {
    dialect: Dialect,
    text: String,
    params: Vec<SqlParam>,
}

impl SqlStatement {
    /// The statement's text, with placeholders.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parameters, the first for `$1` (or `?1`).
    pub fn params(&self) -> &[SqlParam] {
        &self.params
    }

    /// The dialect it is written in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The statement with its parameters written in as quoted literals: runnable as it stands (in
    /// `psql` or `sqlite3`, under `EXPLAIN`), for inspection. Run [`text`](SqlStatement::text) with
    /// [`params`](SqlStatement::params) in programs.
    ///
    /// ```
    /// use labelsel::{Dialect, Selector};
    ///
    /// let matcher = Selector::new().id("o'brien").id("x").compile()?;
    /// let statement = matcher.to_sql(Dialect::Sqlite);
    /// assert!(statement.inline().contains(r#"json_each('["o''brien","x"]')"#));
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn inline(&self) -> String {
        let marker = match self.dialect {
            Dialect::Postgres => '$',
            Dialect::Sqlite => '?',
        };
        let mut out = String::with_capacity(self.text.len() + 16 * self.params.len());
        let mut rest = self.text.as_str();
        while let Some(at) = rest.find(marker) {
            out.push_str(&rest[..at]);
            let digits = rest[at + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            let number: Option<usize> = rest[at + 1..at + 1 + digits].parse().ok();
            match number.and_then(|n| self.params.get(n.checked_sub(1)?)) {
                Some(param) => write_literal(&mut out, self.dialect, param),
                // Not a placeholder (the `?` operator of PostgreSQL).
                None => out.push_str(&rest[at..at + 1 + digits]),
            }
            rest = &rest[at + 1 + digits..];
        }
        out.push_str(rest);
        out
    }
}

impl fmt::Display for SqlStatement {
    /// The text with its placeholders (`{:#}`: with the literals written in, as
    /// [`inline`](SqlStatement::inline)).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.write_str(&self.inline())
        } else {
            f.write_str(&self.text)
        }
    }
}

/// Writes a parameter as an SQL literal.
fn write_literal(out: &mut String, dialect: Dialect, param: &SqlParam) {
    match param {
        SqlParam::Text(text) => write_quoted(out, text),
        SqlParam::TextList(list) => match dialect {
            Dialect::Postgres => {
                out.push_str("ARRAY[");
                for (n, item) in list.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    write_quoted(out, item);
                }
                out.push(']');
            }
            Dialect::Sqlite => write_quoted(out, &json_array(list)),
        },
        // The negation of 9223372036854775808 would overflow as it is read.
        SqlParam::Integer(i64::MIN) => out.push_str("(-9223372036854775807 - 1)"),
        SqlParam::Integer(n) if *n < 0 => {
            let _ = write!(out, "({n})");
        }
        SqlParam::Integer(n) => {
            let _ = write!(out, "{n}");
        }
    }
}

/// A string literal: single quotes, a quote inside doubled (both dialects read backslashes as
/// themselves).
fn write_quoted(out: &mut String, text: &str) {
    out.push('\'');
    for c in text.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
}

/// A list of strings as a JSON array, as SQLite's `json_each` reads it.
pub(crate) fn json_array(items: &[String]) -> String {
    let mut out = String::with_capacity(2 + items.iter().map(|i| i.len() + 3).sum::<usize>());
    out.push('[');
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_json_string(&mut out, item);
    }
    out.push(']');
    out
}

/// A JSON string: quotes, backslashes and control characters escaped.
pub(crate) fn write_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The SQLite expression for a column's value read as a base-10 `i64` (`NULL` when it is not one),
/// written once for the generated column `int_value` and for ids: an optional sign, at least one ASCII
/// digit and nothing else, with at most 19 digits after the leading zeros, and a 19-digit magnitude
/// no larger than the `i64` bound of its sign.
pub(crate) fn sqlite_integer(column: &str) -> String {
    let digits = format!(
        "(CASE WHEN substr({column}, 1, 1) IN ('+', '-') THEN substr({column}, 2) ELSE {column} END)"
    );
    let magnitude = format!("ltrim({digits}, '0')");
    format!(
        "(CASE WHEN {digits} <> '' AND {digits} NOT GLOB '*[^0-9]*' \
         AND (length({magnitude}) < 19 OR (length({magnitude}) = 19 AND {magnitude} <= \
         (CASE WHEN substr({column}, 1, 1) = '-' THEN '9223372036854775808' \
         ELSE '9223372036854775807' END))) \
         THEN CAST({column} AS INTEGER) END)"
    )
}

/// The PostgreSQL condition that a text value is a base-10 `i64` satisfying `comparison` (`> $2`),
/// evaluated in order so that no cast fails: the shape first (at most 19 digits after the leading
/// zeros), then the range, then the comparison.
fn postgres_integer(value: &str, comparison: &str) -> String {
    format!(
        "CASE WHEN {value} ~ '^[+-]?0*[0-9]{{1,19}}$' \
         THEN {value}::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 \
         AND {value}::numeric {comparison} ELSE false END"
    )
}

/// Writes a statement, numbering its parameters.
struct Writer {
    dialect: Dialect,
    params: Vec<SqlParam>,
}

impl Writer {
    /// Adds a parameter; returns its placeholder, typed in PostgreSQL (whose functions over `any`
    /// cannot infer a type).
    fn param(&mut self, param: SqlParam) -> String {
        let cast = match (&param, self.dialect) {
            (_, Dialect::Sqlite) => "",
            (SqlParam::Text(_), Dialect::Postgres) => "::text",
            (SqlParam::TextList(_), Dialect::Postgres) => "::text[]",
            (SqlParam::Integer(_), Dialect::Postgres) => "::bigint",
        };
        self.params.push(param);
        match self.dialect {
            Dialect::Postgres => format!("${}{cast}", self.params.len()),
            Dialect::Sqlite => format!("?{}", self.params.len()),
        }
    }

    fn text(&mut self, value: &str) -> String {
        self.param(SqlParam::Text(value.to_string()))
    }

    /// The comparison of a `>` or `<` check with its threshold as a parameter: `> $3::bigint`.
    fn comparison<S>(&mut self, check: &Check<S>, threshold: i64) -> String {
        let operator = if let Check::Greater(_) = check {
            ">"
        } else {
            "<"
        };
        format!("{operator} {}", self.param(SqlParam::Integer(threshold)))
    }

    /// A set's values, sorted, so that the statement is the same on every run.
    fn list(&mut self, values: &CompiledValues) -> String {
        let mut list: Vec<String> = values.iter().map(str::to_string).collect();
        list.sort_unstable();
        self.param(SqlParam::TextList(list))
    }

    /// The conditions of every clause, in the matcher's evaluation order (selective, index-served
    /// tests first).
    fn conditions(&mut self, clauses: &[Clause]) -> Vec<String> {
        match self.dialect {
            Dialect::Postgres => self.postgres_conditions(clauses),
            Dialect::Sqlite => {
                // With `match_ids`, the ids drive (a unique index finds each) and every label
                // clause is probed on each of those nodes, one index lookup each. Otherwise every
                // clause is a set of nodes from the label index, and SQLite picks the order.
                let ids_drive = clauses
                    .iter()
                    .any(|c| c.subject == Subject::Id && !c.check.matches_absent_key());
                clauses
                    .iter()
                    .map(|c| self.sqlite_condition(c, ids_drive))
                    .collect()
            }
        }
    }

    /// PostgreSQL: every single-value equality on a key folds into one containment test (the first
    /// value of each key; a second, different one is its own test).
    fn postgres_conditions(&mut self, clauses: &[Clause]) -> Vec<String> {
        let mut folded: BTreeMap<&str, &str> = BTreeMap::new();
        let mut rest: Vec<&Clause> = Vec::new();
        for clause in clauses {
            match (&clause.subject, &clause.check) {
                (Subject::Label(key), Check::In(CompiledValues::One(value)))
                    if folded.get(&**key).is_none_or(|first| *first == &**value) =>
                {
                    folded.insert(key, value);
                }
                _ => rest.push(clause),
            }
        }
        let mut conditions = Vec::with_capacity(rest.len() + 1);
        if !folded.is_empty() {
            let pairs: Vec<String> = folded
                .into_iter()
                .flat_map(|(key, value)| [key, value])
                .map(|text| self.text(text))
                .collect();
            conditions.push(format!(
                "labels @> jsonb_build_object({})",
                pairs.join(", ")
            ));
        }
        conditions.extend(rest.into_iter().map(|c| self.postgres_condition(c)));
        conditions
    }

    fn postgres_condition(&mut self, clause: &Clause) -> String {
        let key = match &clause.subject {
            Subject::Label(key) => &**key,
            Subject::Id => return self.postgres_id_condition(&clause.check),
        };
        // The nodes whose value is one of `values`: containment, which the GIN index serves. A set is
        // an array of one-label objects, a constant when the statement is planned with its values,
        // so that the planner estimates it.
        let contains = |writer: &mut Writer, values: &CompiledValues| match values {
            CompiledValues::One(value) => {
                let (key, value) = (writer.text(key), writer.text(value));
                format!("labels @> jsonb_build_object({key}, {value})")
            }
            values => {
                let mut objects: Vec<String> = values
                    .iter()
                    .map(|value| {
                        let mut object = String::from("{");
                        write_json_string(&mut object, key);
                        object.push(':');
                        write_json_string(&mut object, value);
                        object.push('}');
                        object
                    })
                    .collect();
                objects.sort_unstable();
                let objects = writer.param(SqlParam::TextList(objects));
                format!("labels @> ANY ({objects}::jsonb[])")
            }
        };
        match &clause.check {
            Check::In(values) => contains(self, values),
            Check::NotIn(values) => format!("NOT {}", contains(self, values)),
            Check::Exists => format!("labels ? {}", self.text(key)),
            Check::Absent => format!("NOT labels ? {}", self.text(key)),
            Check::Greater(threshold) | Check::Less(threshold) => {
                let key = self.text(key);
                let comparison = self.comparison(&clause.check, *threshold);
                let value = format!("(labels->>{key})");
                format!(
                    "labels ? {key} AND {}",
                    postgres_integer(&value, &comparison)
                )
            }
        }
    }

    /// An id is always present: only its value is tested.
    fn postgres_id_condition(&mut self, check: &Check<CompiledValues>) -> String {
        let is_one_of = |writer: &mut Writer, values: &CompiledValues| match values {
            CompiledValues::One(id) => format!("id = {}", writer.text(id)),
            values => format!("id = ANY ({})", writer.list(values)),
        };
        match check {
            Check::In(values) => is_one_of(self, values),
            Check::NotIn(values) => format!("NOT {}", is_one_of(self, values)),
            Check::Exists => "true".to_string(),
            Check::Absent => "false".to_string(),
            Check::Greater(threshold) | Check::Less(threshold) => {
                let comparison = self.comparison(check, *threshold);
                postgres_integer("id", &comparison)
            }
        }
    }

    /// A clause as a set of nodes (`n.ord IN (...)`), or with `probe`, as a test of the candidate
    /// node (`EXISTS (... node = n.ord)`), one index lookup each.
    fn sqlite_condition(&mut self, clause: &Clause, probe: bool) -> String {
        let key = match &clause.subject {
            Subject::Label(key) => key,
            Subject::Id => return self.sqlite_id_condition(&clause.check),
        };
        let key = self.text(key);
        let nodes_where = |test: String| match probe {
            true => format!(
                "EXISTS (SELECT 1 FROM {LABELS_TABLE} WHERE key = {key} AND node = n.ord{test})"
            ),
            false => format!("n.ord IN (SELECT node FROM {LABELS_TABLE} WHERE key = {key}{test})"),
        };
        let value_in = |writer: &mut Writer, values: &CompiledValues| match values {
            CompiledValues::One(value) => format!(" AND value = {}", writer.text(value)),
            values => format!(
                " AND value IN (SELECT value FROM json_each({}))",
                writer.list(values)
            ),
        };
        match &clause.check {
            Check::In(values) => nodes_where(value_in(self, values)),
            Check::NotIn(values) => format!("NOT {}", nodes_where(value_in(self, values))),
            Check::Exists => nodes_where(String::new()),
            Check::Absent => format!("NOT {}", nodes_where(String::new())),
            Check::Greater(threshold) | Check::Less(threshold) => {
                let comparison = self.comparison(&clause.check, *threshold);
                nodes_where(format!(" AND int_value {comparison}"))
            }
        }
    }

    fn sqlite_id_condition(&mut self, check: &Check<CompiledValues>) -> String {
        let is_one_of = |writer: &mut Writer, values: &CompiledValues| match values {
            CompiledValues::One(id) => format!("n.id = {}", writer.text(id)),
            values => format!(
                "n.id IN (SELECT value FROM json_each({}))",
                writer.list(values)
            ),
        };
        match check {
            Check::In(values) => is_one_of(self, values),
            Check::NotIn(values) => format!("NOT {}", is_one_of(self, values)),
            Check::Exists => "1".to_string(),
            Check::Absent => "0".to_string(),
            Check::Greater(threshold) | Check::Less(threshold) => {
                let comparison = self.comparison(check, *threshold);
                format!("{} {comparison}", sqlite_integer("n.id"))
            }
        }
    }
}

/// What a statement returns.
#[derive(Clone, Copy)]
enum Answer {
    Ids,
    Count,
}

impl Matcher {
    /// The statement that selects the ids of the matching nodes, in insertion order, from the schema
    /// the stores own (see the [module docs](crate::sql)): exactly [`Fleet::select`](crate::Fleet::select)'s
    /// answer for the same nodes.
    ///
    /// ```
    /// use labelsel::{Dialect, Selector, SqlParam};
    ///
    /// let matcher = Selector::new().expression("zone in (a, b), !debug").compile()?;
    /// let statement = matcher.to_sql(Dialect::Postgres);
    /// assert_eq!(
    ///     statement.text(),
    ///     "SELECT id FROM labelsel_nodes\n\
    ///      WHERE labels @> ANY ($1::text[]::jsonb[])\n  \
    ///        AND NOT labels ? $2::text\n\
    ///      ORDER BY ord"
    /// );
    /// let objects = vec![r#"{"zone":"a"}"#.to_string(), r#"{"zone":"b"}"#.to_string()];
    /// assert_eq!(statement.params()[0], SqlParam::TextList(objects));
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn to_sql(&self, dialect: Dialect) -> SqlStatement {
        self.statement(dialect, Answer::Ids)
    }

    /// The statement that counts the matching nodes: [`Fleet::count`](crate::Fleet::count)'s answer.
    ///
    /// ```
    /// use labelsel::{Dialect, Selector};
    ///
    /// let matcher = Selector::new().expression("gpu").compile()?;
    /// assert_eq!(
    ///     matcher.to_sql_count(Dialect::Sqlite).text(),
    ///     "SELECT count(*) FROM labelsel_nodes AS n\n\
    ///      WHERE n.ord IN (SELECT node FROM labelsel_labels WHERE key = ?1)"
    /// );
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn to_sql_count(&self, dialect: Dialect) -> SqlStatement {
        self.statement(dialect, Answer::Count)
    }

    fn statement(&self, dialect: Dialect, answer: Answer) -> SqlStatement {
        let mut writer = Writer {
            dialect,
            params: Vec::new(),
        };
        let conditions = writer.conditions(self.clauses());
        let (alias, prefix) = match dialect {
            Dialect::Postgres => ("", ""),
            Dialect::Sqlite => (" AS n", "n."),
        };
        let mut text = match answer {
            Answer::Ids => format!("SELECT {prefix}id FROM {NODES_TABLE}{alias}"),
            Answer::Count => format!("SELECT count(*) FROM {NODES_TABLE}{alias}"),
        };
        for (n, condition) in conditions.iter().enumerate() {
            text.push_str(if n == 0 { "\nWHERE " } else { "\n  AND " });
            text.push_str(condition);
        }
        if let Answer::Ids = answer {
            let _ = write!(text, "\nORDER BY {prefix}ord");
        }
        SqlStatement {
            dialect,
            text,
            params: writer.params,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_what_json_requires() {
        let mut out = String::new();
        write_json_string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
        assert_eq!(json_array(&[]), "[]");
        assert_eq!(json_array(&["x".into(), "y".into()]), r#"["x","y"]"#);
    }

    #[test]
    fn literals_quote_and_keep_the_smallest_integer_readable() {
        let mut out = String::new();
        write_literal(&mut out, Dialect::Postgres, &SqlParam::Integer(i64::MIN));
        assert_eq!(out, "(-9223372036854775807 - 1)");
        out.clear();
        write_literal(&mut out, Dialect::Postgres, &SqlParam::Text("it's".into()));
        assert_eq!(out, "'it''s'");
        out.clear();
        let list = SqlParam::TextList(vec!["a".into(), "b'".into()]);
        write_literal(&mut out, Dialect::Postgres, &list);
        assert_eq!(out, "ARRAY['a', 'b''']");
    }
}
