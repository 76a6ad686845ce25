//! [`PgFleet`]: a fleet kept in PostgreSQL, labels as `jsonb` under a GIN index.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::str::FromStr;

use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, NoTls};

use super::store::{
    NodeRows, Schema, StoreError, VisitNode, VisitRow, judge_schema, last_wins, redact,
};
use super::{
    Dialect, META_TABLE, NODES_TABLE, SCHEMA_VERSION, SqlParam, SqlStatement, write_json_string,
};
use crate::Matcher;

/// The GIN index over the labels, of the default `jsonb_ops` class: it serves containment (`@>`) and
/// key existence (`?`), where `jsonb_path_ops` could not answer existence.
const LABELS_INDEX: &str = "labelsel_nodes_labels";

/// Serialises the creation of the schema between stores connecting at once.
const SCHEMA_LOCK: i64 = 0x6c61_6265_6c73_656c; // "labelsel"

/// A fleet kept in PostgreSQL, queried with the statements of [`Matcher::to_sql`] for
/// [`Dialect::Postgres`]; several scheduler replicas (and dashboards) can share it.
///
/// The nodes live in one table: `ord` (the insertion order, from an identity column), `id` (unique)
/// and `labels` (`jsonb`, with a GIN index). Its answers are [`Fleet`](crate::Fleet)'s: the same ids
/// in the same order. A replaced node keeps its place; a node removed and inserted again goes last.
///
/// ```no_run
/// use labelsel::{PgFleet, Selector};
///
/// let mut store = PgFleet::connect("postgresql://postgres@127.0.0.1/fleet")?;
/// store.insert("node-1", [("zone", "a"), ("gpu", "h100")])?;
/// let matcher = Selector::new().expression("gpu in (h100, a100), zone!=b").compile().unwrap();
/// assert_eq!(store.select(&matcher)?, ["node-1"]);
/// # Ok::<(), labelsel::StoreError>(())
/// ```
pub struct PgFleet {
    client: Client,
    /// The URL without its password, for errors.
    target: String,
}

impl std::fmt::Debug for PgFleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgFleet")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl PgFleet {
    /// Connects to the database at `url` (`postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, with
    /// libpq's options, `?options=-csearch_path%3Dfleets` among them), creating the schema where the
    /// database (its search path) has none.
    pub fn connect(url: &str) -> Result<PgFleet, StoreError> {
        PgFleet::connect_with(url, true)
    }

    /// Connects; without `create`, a database without the schema is an error.
    pub(crate) fn connect_with(url: &str, create: bool) -> Result<PgFleet, StoreError> {
        let target = redact(url);
        let config = Config::from_str(url).map_err(|e| StoreError::Url {
            url: target.clone(),
            support: format!(" ({})", detail(&e)),
        })?;
        let client = config.connect(NoTls).map_err(|e| {
            let detail = detail(&e);
            match e.code() {
                Some(&SqlState::INVALID_PASSWORD)
                | Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION) => StoreError::Login {
                    target: target.clone(),
                    detail,
                },
                _ => StoreError::Connect {
                    target: target.clone(),
                    detail,
                },
            }
        })?;
        let mut store = PgFleet { client, target };
        match store.schema()? {
            Schema::Ours => {}
            Schema::Missing if create => store.create_schema()?,
            Schema::Missing => {
                return Err(StoreError::NoFleet {
                    target: store.target,
                });
            }
        }
        Ok(store)
    }

    /// The database's URL as messages name it: a password replaced by `***`.
    pub fn target(&self) -> &str {
        &self.target
    }

    fn error(&self, error: postgres::Error) -> StoreError {
        StoreError::Database {
            target: self.target.clone(),
            detail: detail(&error),
        }
    }

    /// Judges the store's tables on the search path.
    fn schema(&mut self) -> Result<Schema, StoreError> {
        let present: Vec<String> = self
            .client
            .query(
                "SELECT relname::text FROM pg_class WHERE oid IN (to_regclass($1), to_regclass($2)) \
                 ORDER BY relname",
                &[&META_TABLE, &NODES_TABLE],
            )
            .map_err(|e| self.error(e))?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let recorded = if present.iter().any(|name| name == META_TABLE) {
            self.client
                .query_opt(
                    &format!("SELECT value FROM {META_TABLE} WHERE name = 'schema'"),
                    &[],
                )
                .map_err(|e| self.error(e))?
                .map(|row| row.get(0))
        } else {
            None
        };
        judge_schema(&self.target, &present, &[META_TABLE, NODES_TABLE], recorded)
    }

    /// Creates the schema, unless a store connecting at the same time did.
    fn create_schema(&mut self) -> Result<(), StoreError> {
        let target = self.target.clone();
        let error = |e: postgres::Error| StoreError::Database {
            target: target.clone(),
            detail: detail(&e),
        };
        let mut transaction = self.client.transaction().map_err(error)?;
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
            .map_err(error)?;
        let exists: bool = transaction
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&META_TABLE])
            .map_err(error)?
            .get(0);
        if !exists {
            transaction
                .batch_execute(&format!(
                    "CREATE TABLE {META_TABLE} (name text PRIMARY KEY, value text NOT NULL);
                     INSERT INTO {META_TABLE} (name, value) VALUES ('schema', '{SCHEMA_VERSION}');
                     CREATE TABLE {NODES_TABLE} (
                         ord bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                         id text NOT NULL UNIQUE,
                         labels jsonb NOT NULL
                     );
                     CREATE INDEX {LABELS_INDEX} ON {NODES_TABLE} USING gin (labels);"
                ))
                .map_err(error)?;
        }
        transaction.commit().map_err(error)
    }

    /// Replaces the fleet's contents with `nodes`, in their order, in one transaction (readers see the
    /// old fleet until it commits); returns how many nodes it holds after. A repeated id keeps its
    /// first place and its last labels, as [`Fleet::insert`](crate::Fleet::insert) does.
    ///
    /// The nodes stream to the server with `COPY`; the GIN index is built once, after.
    pub fn load<N, S, L, K, V>(&mut self, nodes: N) -> Result<u64, StoreError>
    where
        N: IntoIterator<Item = (S, L)>,
        S: AsRef<str>,
        L: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let target = self.target.clone();
        let error = |e: postgres::Error| StoreError::Database {
            target: target.clone(),
            detail: detail(&e),
        };
        let mut transaction = self.client.transaction().map_err(error)?;
        transaction
            .batch_execute(
                "SET LOCAL maintenance_work_mem = '256MB';
                 CREATE TEMP TABLE labelsel_load (seq bigint NOT NULL, id text NOT NULL, \
                 labels jsonb NOT NULL) ON COMMIT DROP;",
            )
            .map_err(error)?;
        {
            let mut copy = transaction
                .copy_in("COPY labelsel_load (seq, id, labels) FROM STDIN")
                .map_err(error)?;
            let mut line = String::new();
            let mut json = String::new();
            for (seq, (id, labels)) in nodes.into_iter().enumerate() {
                let labels = last_wins(labels);
                storable(&target, id.as_ref(), &labels)?;
                json.clear();
                json.push('{');
                for (n, (key, value)) in labels.iter().enumerate() {
                    if n > 0 {
                        json.push(',');
                    }
                    write_json_string(&mut json, key);
                    json.push(':');
                    write_json_string(&mut json, value);
                }
                json.push('}');
                line.clear();
                line.push_str(&(seq + 1).to_string());
                line.push('\t');
                write_copy_field(&mut line, id.as_ref());
                line.push('\t');
                write_copy_field(&mut line, &json);
                line.push('\n');
                copy.write_all(line.as_bytes())
                    .map_err(|e| StoreError::Database {
                        target: target.clone(),
                        detail: format!("sending the nodes: {e}"),
                    })?;
            }
            copy.finish().map_err(error)?;
        }
        // One row per id: its first place, its last labels.
        transaction
            .batch_execute(&format!(
                "TRUNCATE {NODES_TABLE};
                 DROP INDEX {LABELS_INDEX};
                 INSERT INTO {NODES_TABLE} (ord, id, labels)
                     SELECT min(seq), id, (array_agg(labels ORDER BY seq DESC))[1]
                     FROM labelsel_load GROUP BY id ORDER BY min(seq);
                 CREATE INDEX {LABELS_INDEX} ON {NODES_TABLE} USING gin (labels);
                 SELECT setval(pg_get_serial_sequence('{NODES_TABLE}', 'ord'),
                               coalesce(max(ord), 0) + 1, false) FROM {NODES_TABLE};"
            ))
            .map_err(error)?;
        transaction.commit().map_err(error)?;
        self.client
            .batch_execute(&format!("ANALYZE {NODES_TABLE}"))
            .map_err(error)?;
        self.len()
    }

    /// Inserts a node or replaces the one with its id (keeping its place); returns whether it replaced
    /// one.
    pub fn insert<I, K, V>(&mut self, id: &str, labels: I) -> Result<bool, StoreError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let labels = last_wins(labels);
        storable(&self.target, id, &labels)?;
        let (keys, values): (Vec<String>, Vec<String>) = labels.into_iter().unzip();
        let replaced = self.client.query_one(
            &format!(
                "WITH old AS (SELECT 1 FROM {NODES_TABLE} WHERE id = $1)
                 INSERT INTO {NODES_TABLE} (id, labels) VALUES ($1, jsonb_object($2::text[], $3::text[]))
                 ON CONFLICT (id) DO UPDATE SET labels = EXCLUDED.labels
                 RETURNING EXISTS (SELECT 1 FROM old)"
            ),
            &[&id, &keys, &values],
        );
        replaced.map(|row| row.get(0)).map_err(|e| self.error(e))
    }

    /// Removes the node with this id; returns whether there was one.
    pub fn remove(&mut self, id: &str) -> Result<bool, StoreError> {
        let removed = self
            .client
            .execute(&format!("DELETE FROM {NODES_TABLE} WHERE id = $1"), &[&id]);
        removed.map(|n| n > 0).map_err(|e| self.error(e))
    }

    /// The ids of the matching nodes, in insertion order: [`Fleet::select`](crate::Fleet::select)'s
    /// answer. One round trip.
    pub fn select(&mut self, matcher: &Matcher) -> Result<Vec<String>, StoreError> {
        let statement = matcher.to_sql(Dialect::Postgres);
        let rows = self.run(&statement).map_err(|e| self.error(e))?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// How many nodes match: [`Fleet::count`](crate::Fleet::count)'s answer.
    pub fn count(&mut self, matcher: &Matcher) -> Result<u64, StoreError> {
        let statement = matcher.to_sql_count(Dialect::Postgres);
        let rows = self.run(&statement).map_err(|e| self.error(e))?;
        Ok(rows.first().map_or(0, |row| row.get::<_, i64>(0) as u64))
    }

    /// Runs a statement with its parameters typed as its placeholders cast them.
    fn run(&mut self, statement: &SqlStatement) -> Result<Vec<postgres::Row>, postgres::Error> {
        let values: Vec<(Box<dyn ToSql + Sync>, Type)> = statement
            .params()
            .iter()
            .map(|param| -> (Box<dyn ToSql + Sync>, Type) {
                match param {
                    SqlParam::Text(text) => (Box::new(text.clone()), Type::TEXT),
                    SqlParam::TextList(list) => (Box::new(list.clone()), Type::TEXT_ARRAY),
                    SqlParam::Integer(n) => (Box::new(*n), Type::INT8),
                }
            })
            .collect();
        let params: Vec<(&(dyn ToSql + Sync), Type)> = values
            .iter()
            .map(|(value, kind)| (&**value, kind.clone()))
            .collect();
        self.client.query_typed(statement.text(), &params)
    }

    /// How many nodes the fleet holds.
    pub fn len(&mut self) -> Result<u64, StoreError> {
        let count = self
            .client
            .query_one(&format!("SELECT count(*) FROM {NODES_TABLE}"), &[]);
        count
            .map(|row| row.get::<_, i64>(0) as u64)
            .map_err(|e| self.error(e))
    }

    /// Whether the fleet holds no node.
    pub fn is_empty(&mut self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }

    /// The labels of the nodes with these ids, sorted by key; ids of no node are left out.
    pub fn labels_of(
        &mut self,
        ids: &[String],
    ) -> Result<BTreeMap<String, Vec<(String, String)>>, StoreError> {
        let mut nodes: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        let query = format!(
            "SELECT n.id, l.key, l.value FROM {NODES_TABLE} AS n \
             LEFT JOIN LATERAL jsonb_each_text(n.labels) AS l ON true \
             WHERE n.id = ANY ($1) ORDER BY n.ord, l.key COLLATE \"C\""
        );
        self.rows(&query, &[&ids], &mut |id, label| {
            nodes.entry(id.to_string()).or_default().extend(label);
        })?;
        Ok(nodes)
    }

    /// Calls `visit` with every node, in insertion order, its labels sorted by key; the rows stream
    /// from the server.
    pub fn for_each_node(&mut self, visit: &mut VisitNode<'_>) -> Result<(), StoreError> {
        let query = format!(
            "SELECT n.id, l.key, l.value FROM {NODES_TABLE} AS n \
             LEFT JOIN LATERAL jsonb_each_text(n.labels) AS l ON true \
             ORDER BY n.ord, l.key COLLATE \"C\""
        );
        let mut nodes = NodeRows::new(visit);
        self.rows(&query, &[], &mut |id, label| nodes.row(id, label))?;
        nodes.finish();
        Ok(())
    }

    /// Streams a query of `(id, key, value)` rows, the label `None` for a node without labels.
    fn rows(
        &mut self,
        query: &str,
        params: &[&(dyn ToSql + Sync)],
        visit: &mut VisitRow<'_>,
    ) -> Result<(), StoreError> {
        let target = self.target.clone();
        let error = |e: postgres::Error| StoreError::Database {
            target: target.clone(),
            detail: detail(&e),
        };
        let mut rows = self
            .client
            .query_raw(query, params.iter().copied())
            .map_err(error)?;
        while let Some(row) = rows.next().map_err(error)? {
            let id: &str = row.get(0);
            let key: Option<String> = row.get(1);
            let value: Option<String> = row.get(2);
            visit(id, key.zip(value));
        }
        Ok(())
    }
}

/// Refuses a node PostgreSQL cannot store: its text holds no NUL character (which label keys and
/// values never hold; a fleet may still carry one in an id or a value).
fn storable(target: &str, id: &str, labels: &BTreeMap<String, String>) -> Result<(), StoreError> {
    let place = if id.contains('\0') {
        Some("its id".to_string())
    } else {
        labels.iter().find_map(|(key, value)| {
            if key.contains('\0') {
                Some(format!("the key {key:?}"))
            } else {
                value
                    .contains('\0')
                    .then(|| format!("the value of {key:?}"))
            }
        })
    };
    match place {
        Some(place) => Err(StoreError::Unstorable {
            target: target.to_string(),
            id: id.to_string(),
            detail: format!("{place} holds a NUL character, which PostgreSQL text cannot hold"),
        }),
        None => Ok(()),
    }
}

/// A field of `COPY`'s text format: backslash, newline, carriage return and tab escaped.
fn write_copy_field(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
}

/// What went wrong, in one line: the server's message, or the driver's with its cause.
fn detail(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return db.message().to_string();
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
