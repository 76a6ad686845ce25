//! Fleets kept in a database (`--db URL`): `labelsel load` fills one from a fleet file, and the other
//! commands read it, `select` running its selector there.

use labelsel::{Fleet, LabelSet, Matcher, SqlFleet};

use crate::input::{FleetSource, checked_nodes};
use crate::report::{Failure, notice};

/// `labelsel load`: checks the whole fleet file, then replaces the fleet in the database with it
/// (creating the tables where there are none), in one transaction; says how many nodes it holds.
pub(crate) fn load(fleet: &str, url: &str) -> Result<u8, Failure> {
    if url == "sqlite::memory:" {
        return Err(Failure::new(
            "--db sqlite::memory: is gone when labelsel exits, so loading it keeps nothing; give a \
             file: --db sqlite:PATH",
        ));
    }
    // Every error in the file before the database is touched: its load cannot report one half-way.
    let nodes = checked_nodes(FleetSource::from_arg(fleet))?;
    let mut store = SqlFleet::open(url)?;
    let count = store.load(nodes.into_iter().map(|node| (node.id, node.labels)))?;
    let plural = if count == 1 { "" } else { "s" };
    notice(&format!(
        "loaded {count} node{plural} into {}",
        store.target()
    ));
    Ok(0)
}

/// The fleet at `url`, opened to read: a database without a fleet is an error, and nothing is
/// created (so a mistyped SQLite path is not a new, empty fleet).
pub(crate) fn open(url: &str) -> Result<SqlFleet, Failure> {
    Ok(SqlFleet::open_existing(url)?)
}

/// The whole fleet at `url`, in memory, for the commands that look at every node.
pub(crate) fn read_fleet(url: &str) -> Result<Fleet, Failure> {
    Ok(Fleet::load_from(&mut open(url)?)?)
}

/// The labels of node `id` of the fleet at `url`, read alone; `None` if the fleet has no such node.
pub(crate) fn node_labels(url: &str, id: &str) -> Result<Option<LabelSet>, Failure> {
    let mut found = open(url)?.labels_of(&[id.to_string()])?;
    Ok(found.remove(id).map(|labels| labels.into_iter().collect()))
}

/// The nodes `matcher` selects in the database, with their labels, in memory and in fleet order.
pub(crate) fn matching_fleet(store: &mut SqlFleet, matcher: &Matcher) -> Result<Fleet, Failure> {
    let ids = store.select(matcher)?;
    let mut labels = store.labels_of(&ids)?;
    let mut fleet = Fleet::new();
    for id in &ids {
        fleet.insert(id, labels.remove(id).unwrap_or_default());
    }
    Ok(fleet)
}
