//! Close matches for a node id that is not in the fleet: `did you mean "node-7"?`.
//!
//! Every id is looked at, but cheaply: an id whose length differs from the wanted one by more than the
//! distance allowed is skipped at once; so is one that shares too few bytes with it (counted as
//! multisets: the distance is at least the longer length less the bytes in common), which leaves
//! few; those go through a Levenshtein distance computed only in a band around the diagonal and
//! given up as soon as a row exceeds the bound; and the scan stops as soon as enough ids one edit
//! away are found (nothing but the id itself is closer). A 1,000,000-node fleet takes a small
//! fraction of the time its loading took.

/// At most this many suggestions.
const SUGGESTIONS: usize = 3;

/// The edits allowed between `wanted` and a suggestion: 1 for short ids, up to 3 for long ones.
fn bound(wanted: &str) -> usize {
    (wanted.len() / 6).clamp(1, 3)
}

/// The ids of `ids` nearest to `wanted` by edit distance (bytes), at most [`SUGGESTIONS`] of them,
/// nearest first and in the order given among equals; none when no id is within [`bound`] edits.
///
/// ```text
/// nearest(["node-1", "node-2", "gpu-9"], "node-3") == ["node-1", "node-2"]
/// ```
pub(crate) fn nearest<'a>(ids: impl Iterator<Item = &'a str>, wanted: &str) -> Vec<&'a str> {
    let limit = bound(wanted);
    let wanted = wanted.as_bytes();
    let mut bytes = Bytes::of(wanted);
    let mut row = Vec::with_capacity(wanted.len() + limit + 1);
    // (distance, id), kept sorted by distance, stable among equals.
    let mut best: Vec<(usize, &'a str)> = Vec::with_capacity(SUGGESTIONS + 1);
    for id in ids {
        // Only an id nearer than the farthest kept one can enter a full list.
        let within = match best.last() {
            Some(&(far, _)) if best.len() == SUGGESTIONS => far.saturating_sub(1),
            _ => limit,
        };
        let id_bytes = id.as_bytes();
        if wanted.len().abs_diff(id_bytes.len()) > within
            || wanted.len().max(id_bytes.len()) - bytes.common(id_bytes) > within
        {
            continue;
        }
        let Some(distance) = distance_within(wanted, id_bytes, within, &mut row) else {
            continue;
        };
        let at = best.partition_point(|&(d, _)| d <= distance);
        best.insert(at, (distance, id));
        best.truncate(SUGGESTIONS);
        if best.len() == SUGGESTIONS && best[SUGGESTIONS - 1].0 <= 1 {
            break;
        }
    }
    best.into_iter().map(|(_, id)| id).collect()
}

/// The byte counts of the wanted id, to count the bytes another id has in common with it.
struct Bytes {
    counts: [u32; 256],
    /// Scratch: how many of each byte [`Bytes::common`] took from `counts`, to give them back.
    taken: [u32; 256],
}

impl Bytes {
    fn of(wanted: &[u8]) -> Bytes {
        let mut counts = [0; 256];
        for &byte in wanted {
            counts[usize::from(byte)] += 1;
        }
        Bytes {
            counts,
            taken: [0; 256],
        }
    }

    /// How many bytes `id` and the wanted id have in common, as multisets.
    fn common(&mut self, id: &[u8]) -> usize {
        let mut common = 0;
        for &byte in id {
            let byte = usize::from(byte);
            if self.counts[byte] > 0 {
                self.counts[byte] -= 1;
                self.taken[byte] += 1;
                common += 1;
            }
        }
        for &byte in id {
            let byte = usize::from(byte);
            self.counts[byte] += self.taken[byte];
            self.taken[byte] = 0;
        }
        common
    }
}

/// The Levenshtein distance of `a` and `b` when it is at most `k`, else `None`; `row` is scratch
/// space. Only cells within `k` of the diagonal are computed, and the work stops at the first row
/// whose cells all exceed `k`.
fn distance_within(a: &[u8], b: &[u8], k: usize, row: &mut Vec<usize>) -> Option<usize> {
    if a.len().abs_diff(b.len()) > k {
        return None;
    }
    let (n, m) = (a.len(), b.len());
    let far = k + 1;
    row.clear();
    row.extend((0..=m).map(|j| j.min(far)));
    for i in 1..=n {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(m);
        let mut diagonal = row[lo - 1];
        row[lo - 1] = if lo == 1 { i.min(far) } else { far };
        let mut smallest = row[lo - 1];
        for j in lo..=hi {
            let up = row[j];
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let cell = (diagonal + cost).min(up + 1).min(row[j - 1] + 1).min(far);
            diagonal = up;
            row[j] = cell;
            smallest = smallest.min(cell);
        }
        if hi < m {
            row[hi + 1] = far;
        }
        if smallest > k {
            return None;
        }
    }
    (row[m] <= k).then_some(row[m])
}

/// `no node with id "X" in the fleet`, with the nearest of the fleet's `ids` as suggestions.
pub(crate) fn missing_node<'a>(ids: impl Iterator<Item = &'a str>, id: &str) -> String {
    let near = nearest(ids, id);
    let mut message = format!("no node with id {id:?} in the fleet");
    if let Some((last, rest)) = near.split_last() {
        let quoted: Vec<String> = rest.iter().map(|id| format!("{id:?}")).collect();
        let choices = if quoted.is_empty() {
            format!("{last:?}")
        } else {
            format!("{} or {last:?}", quoted.join(", "))
        };
        message.push_str(&format!("; did you mean {choices}?"));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levenshtein(a: &[u8], b: &[u8]) -> usize {
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut diagonal = row[0];
            row[0] = i;
            for j in 1..=b.len() {
                let up = row[j];
                row[j] = (diagonal + usize::from(a[i - 1] != b[j - 1]))
                    .min(up + 1)
                    .min(row[j - 1] + 1);
                diagonal = up;
            }
        }
        row[b.len()]
    }

    #[test]
    fn the_banded_distance_agrees_with_the_full_one_within_the_bound() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "node-1",
            "node-12",
            "nod-1",
            "ndoe-1",
            "node-us-1",
            "xyz",
            "kitten",
            "sitting",
        ];
        let mut row = Vec::new();
        for a in words {
            for b in words {
                let full = levenshtein(a.as_bytes(), b.as_bytes());
                for k in 0..4 {
                    let want = (full <= k).then_some(full);
                    assert_eq!(
                        distance_within(a.as_bytes(), b.as_bytes(), k, &mut row),
                        want,
                        "{a:?} {b:?} k={k}"
                    );
                }
            }
        }
    }

    #[test]
    fn bytes_in_common_count_multisets_and_leave_the_counts_as_they_were() {
        let mut bytes = Bytes::of(b"node-100");
        assert_eq!(bytes.common(b"node-100"), 8);
        assert_eq!(bytes.common(b"0000"), 2);
        assert_eq!(bytes.common(b"xyz"), 0);
        assert_eq!(bytes.common(b"eedon"), 4);
        assert_eq!(bytes.common(b"node-100"), 8);
    }

    #[test]
    fn nearest_ids_come_nearest_first_and_far_ones_not_at_all() {
        let ids = ["node-10", "gpu-box", "node-1", "node-2", "node-100"];
        // One edit away; node-10 is two.
        assert_eq!(nearest(ids.into_iter(), "node-3"), ["node-1", "node-2"]);
        assert_eq!(nearest(ids.into_iter(), "node-1000"), ["node-100"]);
        assert_eq!(nearest(ids.into_iter(), "gpu-bx"), ["gpu-box"]);
        assert!(nearest(ids.into_iter(), "zzzzzz").is_empty());
    }

    #[test]
    fn the_message_lists_the_suggestions() {
        let ids = ["node-us-west-2-000001"];
        assert_eq!(
            missing_node(ids.into_iter(), "node-us-west-2-00001"),
            "no node with id \"node-us-west-2-00001\" in the fleet; did you mean \
             \"node-us-west-2-000001\"?"
        );
        assert_eq!(
            missing_node(ids.into_iter(), "x"),
            "no node with id \"x\" in the fleet"
        );
    }
}
