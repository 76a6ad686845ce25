//! [`SqliteFleet`]: a fleet kept in SQLite, one row per label.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params, params_from_iter};

use super::store::{NodeRows, Schema, StoreError, VisitNode, VisitRow, judge_schema, last_wins};
use super::{
    Dialect, LABELS_TABLE, META_TABLE, NODES_TABLE, SCHEMA_VERSION, SqlParam, SqlStatement,
    json_array, sqlite_integer,
};
use crate::Matcher;

/// The index that finds a node's labels, in key order (for reading nodes and removing them).
const NODE_INDEX: &str = "labelsel_labels_node";
/// The index that serves `>` and `<`: the integer values of each key.
const INTEGER_INDEX: &str = "labelsel_labels_int";

/// The schema: the nodes with their insertion order (`AUTOINCREMENT`: never reused), and the labels
/// keyed by `(key, value, node)`, so that `=`, `in` and existence are index lookups.
fn create_schema() -> String {
    format!(
        "CREATE TABLE {META_TABLE} (name TEXT PRIMARY KEY, value TEXT NOT NULL);
         INSERT INTO {META_TABLE} (name, value) VALUES ('schema', '{SCHEMA_VERSION}');
         CREATE TABLE {NODES_TABLE} (ord INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE);
         CREATE TABLE {LABELS_TABLE} (
             key TEXT NOT NULL,
             value TEXT NOT NULL,
             node INTEGER NOT NULL,
             int_value INTEGER GENERATED ALWAYS AS {} VIRTUAL,
             PRIMARY KEY (key, value, node)
         ) WITHOUT ROWID;
         {}",
        sqlite_integer("value"),
        create_indexes()
    )
}

/// The secondary indexes, dropped while a fleet loads and built after.
fn create_indexes() -> String {
    format!(
        "CREATE INDEX {NODE_INDEX} ON {LABELS_TABLE} (node, key);
         CREATE INDEX {INTEGER_INDEX} ON {LABELS_TABLE} (key, int_value) WHERE int_value IS NOT NULL;"
    )
}

/// A fleet kept in SQLite (bundled with the crate: nothing to install), queried with the statements
/// of [`Matcher::to_sql`] for [`Dialect::Sqlite`].
///
/// Its answers are [`Fleet`](crate::Fleet)'s: the same ids in the same order. A replaced node keeps
/// its place; a node removed and inserted again goes last.
///
/// ```
/// use labelsel::{Selector, SqliteFleet};
///
/// let mut store = SqliteFleet::open_in_memory()?;
/// store.insert("node-1", [("zone", "a"), ("cpu", "16")])?;
/// store.insert("node-2", [("zone", "b"), ("cpu", "4")])?;
/// store.insert("node-3", [("zone", "a"), ("cpu", "+08")])?;
///
/// let matcher = Selector::new().expression("zone=a, cpu>6").compile().unwrap();
/// assert_eq!(store.select(&matcher)?, ["node-1", "node-3"]);
/// assert_eq!(store.count(&matcher)?, 2);
/// # Ok::<(), labelsel::StoreError>(())
/// ```
#[derive(Debug)]
pub struct SqliteFleet {
    connection: Connection,
    /// The URL it was opened by, for errors.
    target: String,
}

impl SqliteFleet {
    /// Opens (or creates) the database file at `path`, creating the schema where it has none.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("labelsel-doc-{}.db", std::process::id()));
    /// let mut store = labelsel::SqliteFleet::open(&path)?;
    /// store.insert("node-1", [("zone", "a")])?;
    /// drop(store);
    /// assert_eq!(labelsel::SqliteFleet::open(&path)?.len()?, 1);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), labelsel::StoreError>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteFleet, StoreError> {
        let path = path.as_ref();
        let target = format!("sqlite:{}", path.display());
        let connection = Connection::open(path).map_err(|e| connect_error(&target, e))?;
        SqliteFleet::with_schema(connection, target, true)
    }

    /// A fleet in memory, gone when it is dropped: for tests and one-off queries.
    ///
    /// ```
    /// let store = labelsel::SqliteFleet::open_in_memory()?;
    /// # Ok::<(), labelsel::StoreError>(())
    /// ```
    pub fn open_in_memory() -> Result<SqliteFleet, StoreError> {
        let target = "sqlite::memory:".to_string();
        let connection = Connection::open_in_memory().map_err(|e| connect_error(&target, e))?;
        SqliteFleet::with_schema(connection, target, true)
    }

    /// Opens `path` (`:memory:` for a database in memory); without `create`, a missing file or schema
    /// is an error and nothing is created.
    pub(crate) fn open_with(path: &str, create: bool) -> Result<SqliteFleet, StoreError> {
        let target = format!("sqlite:{path}");
        if path == ":memory:" {
            let connection = Connection::open_in_memory().map_err(|e| connect_error(&target, e))?;
            return SqliteFleet::with_schema(connection, target, create);
        }
        if path.is_empty() {
            return Err(StoreError::Url {
                url: target,
                support: " (sqlite: needs a file path)".to_string(),
            });
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        } else if !Path::new(path).exists() {
            return Err(StoreError::Connect {
                target,
                detail: "no such file".to_string(),
            });
        }
        let connection =
            Connection::open_with_flags(path, flags).map_err(|e| connect_error(&target, e))?;
        SqliteFleet::with_schema(connection, target, create)
    }

    fn with_schema(
        connection: Connection,
        target: String,
        create: bool,
    ) -> Result<SqliteFleet, StoreError> {
        let store = SqliteFleet { connection, target };
        store
            .connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| store.error(e))?;
        let present: Vec<String> = {
            let mut statement = store
                .connection
                .prepare(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?1, ?2, ?3) \
                     ORDER BY name",
                )
                .map_err(|e| connect_error(&store.target, e))?;
            statement
                .query_map(params![META_TABLE, NODES_TABLE, LABELS_TABLE], |row| {
                    row.get(0)
                })
                .and_then(|rows| rows.collect())
                .map_err(|e| connect_error(&store.target, e))?
        };
        let recorded = if present.iter().any(|name| name == META_TABLE) {
            store
                .connection
                .query_row(
                    &format!("SELECT value FROM {META_TABLE} WHERE name = 'schema'"),
                    [],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| store.error(e))?
        } else {
            None
        };
        let expected = [META_TABLE, NODES_TABLE, LABELS_TABLE];
        match judge_schema(&store.target, &present, &expected, recorded)? {
            Schema::Ours => {}
            Schema::Missing if create => store
                .connection
                .execute_batch(&format!("BEGIN; {} COMMIT;", create_schema()))
                .map_err(|e| store.error(e))?,
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

    fn error(&self, error: rusqlite::Error) -> StoreError {
        database_error(&self.target, error)
    }

    /// Replaces the fleet's contents with `nodes`, in their order, in one transaction; returns how many
    /// nodes it holds after. A repeated id keeps its first place and its last labels, as
    /// [`Fleet::insert`](crate::Fleet::insert) does.
    ///
    /// ```
    /// let mut store = labelsel::SqliteFleet::open_in_memory()?;
    /// let nodes = [("a", vec![("zone", "x")]), ("b", vec![]), ("a", vec![("zone", "y")])];
    /// assert_eq!(store.load(nodes)?, 2);
    /// # Ok::<(), labelsel::StoreError>(())
    /// ```
    pub fn load<N, S, L, K, V>(&mut self, nodes: N) -> Result<u64, StoreError>
    where
        N: IntoIterator<Item = (S, L)>,
        S: AsRef<str>,
        L: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let target = self.target.clone();
        let error = |e: rusqlite::Error| database_error(&target, e);
        // A page cache that holds the table while it is written (SQLite's default is 2 MB).
        self.connection
            .execute_batch("PRAGMA cache_size = -262144")
            .map_err(error)?;
        let transaction = self.connection.transaction().map_err(error)?;
        transaction
            .execute_batch(&format!(
                "DROP INDEX {NODE_INDEX}; DROP INDEX {INTEGER_INDEX};
                 DELETE FROM {LABELS_TABLE}; DELETE FROM {NODES_TABLE};
                 DELETE FROM sqlite_sequence WHERE name = '{NODES_TABLE}';"
            ))
            .map_err(error)?;
        // Without the index on `node`, a repeated id's old labels are found by a scan: only ids that
        // repeat pay for it.
        for (id, labels) in nodes {
            write_node(&transaction, id.as_ref(), labels).map_err(error)?;
        }
        transaction
            .execute_batch(&create_indexes())
            .map_err(error)?;
        transaction.commit().map_err(error)?;
        self.connection
            .execute_batch(&format!("ANALYZE {LABELS_TABLE}; ANALYZE {NODES_TABLE};"))
            .map_err(error)?;
        self.len()
    }

    /// Inserts a node or replaces the one with its id (keeping its place); returns whether it replaced
    /// one.
    ///
    /// ```
    /// let mut store = labelsel::SqliteFleet::open_in_memory()?;
    /// assert!(!store.insert("node-1", [("zone", "a")])?);
    /// assert!(store.insert("node-1", [("zone", "b")])?);
    /// # Ok::<(), labelsel::StoreError>(())
    /// ```
    pub fn insert<I, K, V>(&mut self, id: &str, labels: I) -> Result<bool, StoreError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let target = &self.target;
        let transaction = self.connection.transaction();
        let replaced = transaction.and_then(|transaction| {
            let replaced = write_node(&transaction, id, labels)?;
            transaction.commit().map(|()| replaced)
        });
        replaced.map_err(|e| database_error(target, e))
    }

    /// Removes the node with this id; returns whether there was one.
    ///
    /// ```
    /// let mut store = labelsel::SqliteFleet::open_in_memory()?;
    /// store.insert("node-1", [("zone", "a")])?;
    /// assert!(store.remove("node-1")?);
    /// assert!(!store.remove("node-1")?);
    /// # Ok::<(), labelsel::StoreError>(())
    /// ```
    pub fn remove(&mut self, id: &str) -> Result<bool, StoreError> {
        let target = &self.target;
        let transaction = self.connection.transaction();
        let removed = transaction.and_then(|transaction| {
            let ord: Option<i64> = transaction
                .query_row(
                    &format!("SELECT ord FROM {NODES_TABLE} WHERE id = ?1"),
                    [id],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(ord) = ord else {
                return Ok(false);
            };
            transaction.execute(
                &format!("DELETE FROM {LABELS_TABLE} WHERE node = ?1"),
                [ord],
            )?;
            transaction.execute(&format!("DELETE FROM {NODES_TABLE} WHERE ord = ?1"), [ord])?;
            transaction.commit().map(|()| true)
        });
        removed.map_err(|e| database_error(target, e))
    }

    /// The ids of the matching nodes, in insertion order: [`Fleet::select`](crate::Fleet::select)'s
    /// answer.
    pub fn select(&mut self, matcher: &Matcher) -> Result<Vec<String>, StoreError> {
        let statement = matcher.to_sql(Dialect::Sqlite);
        let mut prepared = self
            .connection
            .prepare_cached(statement.text())
            .map_err(|e| self.error(e))?;
        let ids = prepared
            .query_map(params_from_iter(values(&statement)), |row| row.get(0))
            .and_then(|rows| rows.collect());
        ids.map_err(|e| self.error(e))
    }

    /// How many nodes match: [`Fleet::count`](crate::Fleet::count)'s answer.
    pub fn count(&mut self, matcher: &Matcher) -> Result<u64, StoreError> {
        let statement = matcher.to_sql_count(Dialect::Sqlite);
        let count: Result<i64, _> =
            self.connection
                .prepare_cached(statement.text())
                .and_then(|mut prepared| {
                    prepared.query_row(params_from_iter(values(&statement)), |row| row.get(0))
                });
        count.map(|n| n as u64).map_err(|e| self.error(e))
    }

    /// How many nodes the fleet holds.
    pub fn len(&mut self) -> Result<u64, StoreError> {
        let count: Result<i64, _> =
            self.connection
                .query_row(&format!("SELECT count(*) FROM {NODES_TABLE}"), [], |row| {
                    row.get(0)
                });
        count.map(|n| n as u64).map_err(|e| self.error(e))
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
             LEFT JOIN {LABELS_TABLE} AS l ON l.node = n.ord \
             WHERE n.id IN (SELECT value FROM json_each(?1)) ORDER BY n.ord, l.key"
        );
        self.rows(&query, &[Value::Text(json_array(ids))], &mut |id, label| {
            let labels = nodes.entry(id.to_string()).or_default();
            labels.extend(label);
        })?;
        Ok(nodes)
    }

    /// Calls `visit` with every node, in insertion order, its labels sorted by key.
    pub fn for_each_node(&mut self, visit: &mut VisitNode<'_>) -> Result<(), StoreError> {
        let query = format!(
            "SELECT n.id, l.key, l.value FROM {NODES_TABLE} AS n \
             LEFT JOIN {LABELS_TABLE} AS l ON l.node = n.ord ORDER BY n.ord, l.key"
        );
        let mut nodes = NodeRows::new(visit);
        self.rows(&query, &[], &mut |id, label| nodes.row(id, label))?;
        nodes.finish();
        Ok(())
    }

    /// Runs a query of `(id, key, value)` rows, the label `None` for a node without labels.
    fn rows(
        &self,
        query: &str,
        params: &[Value],
        visit: &mut VisitRow<'_>,
    ) -> Result<(), StoreError> {
        let mut run = || -> rusqlite::Result<()> {
            let mut statement = self.connection.prepare_cached(query)?;
            let mut rows = statement.query(params_from_iter(params))?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let key: Option<String> = row.get(1)?;
                let value: Option<String> = row.get(2)?;
                visit(&id, key.zip(value));
            }
            Ok(())
        };
        run().map_err(|e| self.error(e))
    }
}

/// Writes one node: replaces its labels when it exists (it keeps its `ord`), appends it otherwise.
/// Returns whether it replaced a node.
fn write_node<I, K, V>(connection: &Connection, id: &str, labels: I) -> rusqlite::Result<bool>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let existing: Option<i64> = connection
        .prepare_cached(&format!("SELECT ord FROM {NODES_TABLE} WHERE id = ?1"))?
        .query_row([id], |row| row.get(0))
        .optional()?;
    let ord = match existing {
        Some(ord) => {
            connection
                .prepare_cached(&format!("DELETE FROM {LABELS_TABLE} WHERE node = ?1"))?
                .execute([ord])?;
            ord
        }
        None => {
            connection
                .prepare_cached(&format!("INSERT INTO {NODES_TABLE} (id) VALUES (?1)"))?
                .execute([id])?;
            connection.last_insert_rowid()
        }
    };
    let mut insert = connection.prepare_cached(&format!(
        "INSERT INTO {LABELS_TABLE} (key, value, node) VALUES (?1, ?2, ?3)"
    ))?;
    for (key, value) in last_wins(labels) {
        insert.execute(params![key, value, ord])?;
    }
    Ok(existing.is_some())
}

/// A statement's parameters as SQLite binds them: lists as JSON arrays for `json_each`.
fn values(statement: &SqlStatement) -> Vec<Value> {
    statement
        .params()
        .iter()
        .map(|param| match param {
            SqlParam::Text(text) => Value::Text(text.clone()),
            SqlParam::TextList(list) => Value::Text(json_array(list)),
            SqlParam::Integer(n) => Value::Integer(*n),
        })
        .collect()
}

fn database_error(target: &str, error: rusqlite::Error) -> StoreError {
    StoreError::Database {
        target: target.to_string(),
        detail: error.to_string(),
    }
}

fn connect_error(target: &str, error: rusqlite::Error) -> StoreError {
    StoreError::Connect {
        target: target.to_string(),
        detail: error.to_string(),
    }
}
