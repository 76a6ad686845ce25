//! `select`'s table (`-o wide`, `-L KEY`, `--show-labels`), laid out as `kubectl get nodes -L KEY
//! --show-labels` lays out its own: a header, then a row per node, each column padded to its widest
//! cell and three spaces from the next.

use std::collections::BTreeMap;

/// The spaces between two columns, as kubectl leaves.
const GAP: usize = 3;

/// The columns of the table after NAME: one per label key, then LABELS when asked for.
pub(crate) struct Table {
    /// The label keys with a column each, in order, each at most once.
    keys: Vec<String>,
    /// Whether the last column is LABELS, every label of the node.
    show_labels: bool,
}

impl Table {
    /// A table with a column for each of `keys` (a key given twice has one) and LABELS when
    /// `show_labels`.
    pub(crate) fn new<'k>(keys: impl IntoIterator<Item = &'k str>, show_labels: bool) -> Table {
        let mut unique: Vec<String> = Vec::new();
        for key in keys {
            if !unique.iter().any(|k| k == key) {
                unique.push(key.to_string());
            }
        }
        Table {
            keys: unique,
            show_labels,
        }
    }

    /// The header's cells: NAME, each key's name part (after its prefix's `/`) in upper case as
    /// kubectl writes it (`topology.kubernetes.io/zone` is ZONE), the whole key in upper case when
    /// two keys share a name part, then LABELS.
    fn header(&self) -> Vec<String> {
        let name_part = |key: &str| key.rsplit('/').next().unwrap_or(key).to_uppercase();
        let mut cells = vec!["NAME".to_string()];
        for key in &self.keys {
            let name = name_part(key);
            let shared = self.keys.iter().filter(|k| name_part(k) == name).count() > 1;
            cells.push(if shared { key.to_uppercase() } else { name });
        }
        if self.show_labels {
            cells.push("LABELS".to_string());
        }
        cells
    }

    /// A node's cells: its id, its value of each key (empty when it lacks the key, as kubectl
    /// leaves it), then its labels as `KEY=VALUE,...` sorted by key (`<none>` for none, as kubectl).
    fn row(&self, id: &str, labels: &BTreeMap<&str, &str>) -> Vec<String> {
        let mut cells = vec![id.to_string()];
        for key in &self.keys {
            cells.push(
                labels
                    .get(key.as_str())
                    .copied()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        if self.show_labels {
            let all: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            cells.push(if all.is_empty() {
                "<none>".to_string()
            } else {
                all.join(",")
            });
        }
        cells
    }

    /// The table's lines for `batches` of nodes, each node's id with its labels: a header before
    /// each batch and an empty line between batches, the columns aligned across all of them.
    pub(crate) fn lines(&self, batches: &[Vec<(&str, BTreeMap<&str, &str>)>]) -> Vec<String> {
        let header = self.header();
        let rows: Vec<Vec<Vec<String>>> = batches
            .iter()
            .map(|batch| batch.iter().map(|(id, l)| self.row(id, l)).collect())
            .collect();
        let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
        for row in rows.iter().flatten() {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut text = String::new();
            for (column, (cell, width)) in cells.iter().zip(&widths).enumerate() {
                text.push_str(cell);
                if column + 1 < cells.len() {
                    let pad = width - cell.chars().count() + GAP;
                    text.extend(std::iter::repeat_n(' ', pad));
                }
            }
            // An empty last cell leaves the padding of the one before it.
            text.trim_end().to_string()
        };
        let mut lines = Vec::new();
        for (n, batch) in rows.iter().enumerate() {
            if n > 0 {
                lines.push(String::new());
            }
            lines.push(line(&header));
            lines.extend(batch.iter().map(|row| line(row)));
        }
        lines
    }
}
