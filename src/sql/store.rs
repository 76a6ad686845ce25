//! What both stores share: their error, the one type over both ([`SqlFleet`]), and building an
//! in-memory [`Fleet`] from either.

use std::collections::BTreeMap;

use super::{META_TABLE, SCHEMA_VERSION};
use crate::{Fleet, Matcher};

#[cfg(feature = "postgres")]
use super::PgFleet;
#[cfg(feature = "sqlite")]
use super::SqliteFleet;

/// Why a store could not do what it was asked: one line, naming the database (its URL without a
/// password) and what to do.
///
/// ```
/// # #[cfg(feature = "sqlite")] {
/// let error = labelsel::SqlFleet::open("mysql://db/fleet").unwrap_err();
/// assert!(error.to_string().starts_with("mysql://db/fleet: not a database URL labelsel reads"));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The URL names no database labelsel can open.
    #[error(
        "{url}: not a database URL labelsel reads; use postgresql://USER@HOST[:PORT]/DATABASE or \
         sqlite:PATH{support}"
    )]
    Url {
        /// The URL, without its password.
        url: String,
        /// What this build lacks, if anything (` (this build has no PostgreSQL support)`).
        support: String,
    },
    /// No connection: no server, a wrong host or port, a missing database file.
    #[error("cannot connect to {target}: {detail}")]
    Connect {
        /// The database, without its password.
        target: String,
        /// What the driver said.
        detail: String,
    },
    /// The server refused the user or the password.
    #[error("{target} refused the login: {detail}")]
    Login {
        /// The database, without its password.
        target: String,
        /// What the server said.
        detail: String,
    },
    /// The database holds tables of the store's names that the store did not create, or of another
    /// schema version.
    #[error(
        "{target}: {detail}; it is not a labelsel fleet of this version, so it is left alone (use \
         another database or schema)"
    )]
    Foreign {
        /// The database, without its password.
        target: String,
        /// What is there.
        detail: String,
    },
    /// The database holds no fleet yet (the store was opened to read one).
    #[error(
        "{target} holds no labelsel fleet; create one with `labelsel load --db {target} --fleet FILE`"
    )]
    NoFleet {
        /// The database, without its password.
        target: String,
    },
    /// A node holds what the database cannot store (PostgreSQL's text holds no NUL character).
    #[error("{target}: node {id:?} cannot be stored: {detail}")]
    Unstorable {
        /// The database, without its password.
        target: String,
        /// The node's id.
        id: String,
        /// What it holds that cannot be stored.
        detail: String,
    },
    /// A statement failed.
    #[error("{target}: {detail}")]
    Database {
        /// The database, without its password.
        target: String,
        /// What the database said.
        detail: String,
    },
}

/// The URL with its password replaced by `***`, as errors name it.
pub(crate) fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &authority[..colon],
            &rest[at..]
        ),
        _ => url.to_string(),
    }
}

/// A node's labels with repeated keys resolved as [`Fleet::insert`] resolves them: the last one wins.
pub(crate) fn last_wins<I, K, V>(labels: I) -> BTreeMap<String, String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    labels
        .into_iter()
        .map(|(k, v)| (k.as_ref().to_string(), v.as_ref().to_string()))
        .collect()
}

/// Whether a database holds a labelsel fleet, judged from what it has under the store's names.
pub(crate) enum Schema {
    /// The fleet's tables, of this schema version.
    Ours,
    /// None of the store's tables.
    Missing,
}

/// Judges a database from the store's tables it has (`present`, of [`NODES_TABLE`],
/// [`LABELS_TABLE`] and [`META_TABLE`]) and the version `labelsel_meta` records (`None` without the
/// table or its row): the tables must be all the store's own, of this version, or none.
pub(crate) fn judge_schema(
    target: &str,
    present: &[String],
    expected: &[&str],
    recorded: Option<String>,
) -> Result<Schema, StoreError> {
    let foreign = |detail: String| StoreError::Foreign {
        target: target.to_string(),
        detail,
    };
    if present.is_empty() {
        return Ok(Schema::Missing);
    }
    match recorded {
        None => Err(foreign(format!(
            "it has a table {} but no {META_TABLE} recording a labelsel schema",
            present.join(", ")
        ))),
        Some(version) if version != SCHEMA_VERSION => Err(foreign(format!(
            "{META_TABLE} records the schema {version:?}, not {SCHEMA_VERSION:?}"
        ))),
        Some(_) => match expected
            .iter()
            .find(|table| !present.iter().any(|p| p == *table))
        {
            Some(missing) => Err(foreign(format!("the table {missing} is missing"))),
            None => Ok(Schema::Ours),
        },
    }
}

/// A fleet in a database, PostgreSQL or SQLite, chosen by URL: what the `labelsel` command uses.
///
/// Every method answers as the store it holds does; see [`PgFleet`] and [`SqliteFleet`].
///
/// ```
/// # #[cfg(feature = "sqlite")] {
/// use labelsel::{Selector, SqlFleet};
///
/// let mut store = SqlFleet::open("sqlite::memory:")?;
/// store.load([("node-1", vec![("gpu", "h100")]), ("node-2", vec![])])?;
/// let matcher = Selector::new().expression("gpu!=a100").compile().unwrap();
/// assert_eq!(store.select(&matcher)?, ["node-1", "node-2"]);
/// # }
/// # Ok::<(), labelsel::StoreError>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum SqlFleet {
    /// A fleet in PostgreSQL.
    #[cfg(feature = "postgres")]
    Postgres(PgFleet),
    /// A fleet in SQLite.
    #[cfg(feature = "sqlite")]
    Sqlite(SqliteFleet),
}

/// Calls the same method on whichever store `self` holds.
macro_rules! dispatch {
    ($self:expr, $store:ident => $call:expr) => {
        match $self {
            #[cfg(feature = "postgres")]
            SqlFleet::Postgres($store) => $call,
            #[cfg(feature = "sqlite")]
            SqlFleet::Sqlite($store) => $call,
        }
    };
}

impl SqlFleet {
    /// Opens the fleet at `url` (`postgresql://...`, `postgres://...`, `sqlite:PATH` or
    /// `sqlite::memory:`), creating the schema where the database has none.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// let store = labelsel::SqlFleet::open("sqlite::memory:")?;
    /// assert_eq!(store.dialect(), labelsel::Dialect::Sqlite);
    /// # }
    /// # Ok::<(), labelsel::StoreError>(())
    /// ```
    pub fn open(url: &str) -> Result<SqlFleet, StoreError> {
        SqlFleet::open_with(url, true)
    }

    /// Opens the fleet at `url` to read it: a database without a labelsel fleet is an error
    /// ([`StoreError::NoFleet`]), and nothing is created (an SQLite file included).
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// let error = labelsel::SqlFleet::open_existing("sqlite::memory:").unwrap_err();
    /// assert!(matches!(error, labelsel::StoreError::NoFleet { .. }));
    /// # }
    /// ```
    pub fn open_existing(url: &str) -> Result<SqlFleet, StoreError> {
        SqlFleet::open_with(url, false)
    }

    fn open_with(url: &str, create: bool) -> Result<SqlFleet, StoreError> {
        if url.starts_with("postgresql://") || url.starts_with("postgres://") {
            #[cfg(feature = "postgres")]
            return PgFleet::connect_with(url, create).map(SqlFleet::Postgres);
            #[cfg(not(feature = "postgres"))]
            return Err(StoreError::Url {
                url: redact(url),
                support: " (this build has no PostgreSQL support)".to_string(),
            });
        }
        if let Some(_path) = url.strip_prefix("sqlite:") {
            #[cfg(feature = "sqlite")]
            return SqliteFleet::open_with(_path, create).map(SqlFleet::Sqlite);
            #[cfg(not(feature = "sqlite"))]
            return Err(StoreError::Url {
                url: redact(url),
                support: " (this build has no SQLite support)".to_string(),
            });
        }
        Err(StoreError::Url {
            url: redact(url),
            support: String::new(),
        })
    }

    /// The database's URL as messages name it: a password replaced by `***`.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// let store = labelsel::SqlFleet::open("sqlite::memory:")?;
    /// assert_eq!(store.target(), "sqlite::memory:");
    /// # }
    /// # Ok::<(), labelsel::StoreError>(())
    /// ```
    pub fn target(&self) -> &str {
        dispatch!(self, store => store.target())
    }

    /// The dialect of the database.
    pub fn dialect(&self) -> super::Dialect {
        match self {
            #[cfg(feature = "postgres")]
            SqlFleet::Postgres(_) => super::Dialect::Postgres,
            #[cfg(feature = "sqlite")]
            SqlFleet::Sqlite(_) => super::Dialect::Sqlite,
        }
    }

    /// Replaces the fleet's contents with `nodes`, in their order; returns how many nodes it holds
    /// after. A repeated id keeps its first place and its last labels, as [`Fleet::insert`] does.
    pub fn load<N, S, L, K, V>(&mut self, nodes: N) -> Result<u64, StoreError>
    where
        N: IntoIterator<Item = (S, L)>,
        S: AsRef<str>,
        L: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        dispatch!(self, store => store.load(nodes))
    }

    /// Inserts a node or replaces the one with its id (keeping its place); returns whether it replaced
    /// one.
    pub fn insert<I, K, V>(&mut self, id: &str, labels: I) -> Result<bool, StoreError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        dispatch!(self, store => store.insert(id, labels))
    }

    /// Removes the node with this id; returns whether there was one.
    pub fn remove(&mut self, id: &str) -> Result<bool, StoreError> {
        dispatch!(self, store => store.remove(id))
    }

    /// The ids of the matching nodes, in insertion order.
    pub fn select(&mut self, matcher: &Matcher) -> Result<Vec<String>, StoreError> {
        dispatch!(self, store => store.select(matcher))
    }

    /// How many nodes match.
    pub fn count(&mut self, matcher: &Matcher) -> Result<u64, StoreError> {
        dispatch!(self, store => store.count(matcher))
    }

    /// How many nodes the fleet holds.
    pub fn len(&mut self) -> Result<u64, StoreError> {
        dispatch!(self, store => store.len())
    }

    /// Whether the fleet holds no node.
    pub fn is_empty(&mut self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }

    /// The labels of the nodes with these ids, each id with its labels sorted by key; ids of no node
    /// are left out.
    pub fn labels_of(
        &mut self,
        ids: &[String],
    ) -> Result<BTreeMap<String, Vec<(String, String)>>, StoreError> {
        dispatch!(self, store => store.labels_of(ids))
    }

    /// Calls `visit` with every node, in insertion order, its labels sorted by key.
    pub fn for_each_node(&mut self, visit: &mut VisitNode<'_>) -> Result<(), StoreError> {
        dispatch!(self, store => store.for_each_node(visit))
    }
}

/// What receives the nodes of a store, one by one: the id, and the labels sorted by key.
pub type VisitNode<'a> = dyn FnMut(&str, &[(String, String)]) + 'a;

/// What receives the rows of a query of `(id, key, value)`: the label `None` for a node without
/// labels.
pub(crate) type VisitRow<'a> = dyn FnMut(&str, Option<(String, String)>) + 'a;

/// Groups `(id, key, value)` rows, ordered by node, into nodes for a [`VisitNode`].
pub(crate) struct NodeRows<'v, 'a> {
    visit: &'v mut VisitNode<'a>,
    current: Option<(String, Vec<(String, String)>)>,
}

impl<'v, 'a> NodeRows<'v, 'a> {
    pub(crate) fn new(visit: &'v mut VisitNode<'a>) -> Self {
        NodeRows {
            visit,
            current: None,
        }
    }

    /// Takes the next row; a new id hands the node before it to the visitor.
    pub(crate) fn row(&mut self, id: &str, label: Option<(String, String)>) {
        match &mut self.current {
            Some((current, labels)) if current == id => labels.extend(label),
            _ => {
                self.finish();
                self.current = Some((id.to_string(), label.into_iter().collect()));
            }
        }
    }

    /// Hands the last node to the visitor.
    pub(crate) fn finish(&mut self) {
        if let Some((id, labels)) = self.current.take() {
            (self.visit)(&id, &labels);
        }
    }
}

/// A store [`Fleet::load_from`] reads: [`PgFleet`], [`SqliteFleet`] or [`SqlFleet`].
pub trait NodeSource {
    /// Calls `visit` with every node, in insertion order, its labels sorted by key.
    fn for_each_node(&mut self, visit: &mut VisitNode<'_>) -> Result<(), StoreError>;
}

impl NodeSource for SqlFleet {
    fn for_each_node(&mut self, visit: &mut VisitNode<'_>) -> Result<(), StoreError> {
        SqlFleet::for_each_node(self, visit)
    }
}

#[cfg(feature = "postgres")]
impl NodeSource for PgFleet {
    fn for_each_node(&mut self, visit: &mut VisitNode<'_>) -> Result<(), StoreError> {
        PgFleet::for_each_node(self, visit)
    }
}

#[cfg(feature = "sqlite")]
impl NodeSource for SqliteFleet {
    fn for_each_node(&mut self, visit: &mut VisitNode<'_>) -> Result<(), StoreError> {
        SqliteFleet::for_each_node(self, visit)
    }
}

impl Fleet {
    /// Builds the in-memory index from a fleet in a database, in its order: a hot replica of a durable
    /// fleet, answering with bitmaps what the database answers with its indexes.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// use labelsel::{Fleet, Selector, SqliteFleet};
    ///
    /// let mut store = SqliteFleet::open_in_memory()?;
    /// store.insert("node-1", [("zone", "a")])?;
    /// store.insert("node-2", [("zone", "b")])?;
    /// let fleet = Fleet::load_from(&mut store)?;
    /// let matcher = Selector::new().expression("zone=b").compile().unwrap();
    /// assert_eq!(fleet.select(&matcher).iter().collect::<Vec<_>>(), store.select(&matcher)?);
    /// # }
    /// # Ok::<(), labelsel::StoreError>(())
    /// ```
    pub fn load_from<S: NodeSource + ?Sized>(source: &mut S) -> Result<Fleet, StoreError> {
        let mut fleet = Fleet::new();
        source.for_each_node(&mut |id, labels| {
            fleet.insert(id, labels.iter().map(|(k, v)| (k, v)));
        })?;
        Ok(fleet)
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgresql://u:secret@h:5/db?x=1"),
            "postgresql://u:***@h:5/db?x=1"
        );
        assert_eq!(redact("postgresql://u@h/db"), "postgresql://u@h/db");
        assert_eq!(redact("postgresql://h:5432/db"), "postgresql://h:5432/db");
        assert_eq!(redact("sqlite:/tmp/x:y"), "sqlite:/tmp/x:y");
    }
}
