//! [`Selection::rollout`] and [`Rollout`]: the selected nodes in a stable pseudo-random order for
//! canaries and batched deployments, by rendezvous hashing with a fixed, documented hash.

use std::fmt;

use serde::Serialize;

use crate::fleet::Selection;

/// FNV-1a 64 offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64 prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl<'f> Selection<'f> {
    /// The selected nodes' ids in a stable pseudo-random order for a rollout: sorted by
    /// ([`Rollout::hash`]`(seed, id)`, id). See [`Rollout`] for the properties and helpers
    /// ([`canary`](Rollout::canary), [`batches`](Rollout::batches)).
    ///
    /// Takes one hash per selected node and a sort: O(n log n) in the number selected.
    ///
    /// ```
    /// use labelsel::{Fleet, Selector};
    ///
    /// let mut fleet = Fleet::new();
    /// for i in 0..10 {
    ///     fleet.insert(&format!("node-{i}"), [("env", "prod")]);
    /// }
    /// let selection = fleet.select(&Selector::new().label("env", "prod").compile()?);
    /// let rollout = selection.rollout(42);
    /// assert_eq!(rollout.len(), 10);
    /// assert_eq!(rollout.canary(10).len(), 1); // the first node to update
    /// for batch in rollout.batches(4) {
    ///     assert!(batch.len() <= 4); // 4, 4, then 2 nodes
    /// }
    /// // The same seed gives the same order, wherever and whenever it runs.
    /// assert_eq!(rollout.ids(), selection.rollout(42).ids());
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn rollout(&self, seed: u64) -> Rollout<'f> {
        let (fleet, slots) = self.parts();
        Rollout::from_ids(seed, slots.iter().map(|slot| fleet.node(slot).id()))
    }
}

/// Node ids in rollout order: sorted by ([`Rollout::hash`]`(seed, id)`, id), ascending, the hashes
/// compared as unsigned integers and ties (equal hashes) broken by the ids' bytes. This is rendezvous
/// (highest-random-weight) hashing, so:
///
/// - **Deterministic:** the same seed and the same set of ids give the same order on every platform,
///   in every version of this crate and of Rust, whatever order the nodes were inserted in. The hash
///   is specified exactly below, so another implementation can reproduce the order.
/// - **Stable:** each id's place depends only on its own hash, so adding or removing a node moves no
///   other node relative to the rest; a canary or batch boundary shifts by at most that one node.
/// - **Canaries are a prefix** ([`canary`](Rollout::canary)) and **batches are consecutive chunks**
///   ([`batches`](Rollout::batches)), so a larger canary includes a smaller one, and a new seed gives
///   an unrelated order.
///
/// # The hash
///
/// [`Rollout::hash`]`(seed, id)` is FNV-1a 64 over the 8 bytes of `seed` in little-endian order
/// followed by the UTF-8 bytes of `id`, finished with the SplitMix64 finalizer; all arithmetic is
/// modulo 2⁶⁴:
///
/// ```text
/// h = 0xcbf29ce484222325                      // FNV-1a 64 offset basis
/// for each byte b of seed.to_le_bytes() ++ id:
///     h = (h XOR b) * 0x00000100000001b3      // FNV-1a 64 prime
/// h = (h XOR (h >> 30)) * 0xbf58476d1ce4e5b9  // SplitMix64 finalizer
/// h = (h XOR (h >> 27)) * 0x94d049bb133111eb
/// h =  h XOR (h >> 31)
/// ```
///
/// (The finalizer is SplitMix64's output mix without its `+ 0x9e3779b97f4a7c15` step.) It is not
/// `std::hash`, whose output may change between Rust versions, and not cryptographic: anyone who
/// knows the seed can predict the order.
///
/// ```
/// use labelsel::Rollout;
///
/// let rollout = Rollout::from_ids(7, ["node-a", "node-b", "node-c", "node-d"]);
/// let mut by_hash = vec!["node-a", "node-b", "node-c", "node-d"];
/// by_hash.sort_by_key(|id| (Rollout::hash(7, id), *id));
/// assert_eq!(rollout.ids(), by_hash);
///
/// // Removing a node leaves the others in the same relative order.
/// let without_b = Rollout::from_ids(7, ["node-a", "node-c", "node-d"]);
/// by_hash.retain(|&id| id != "node-b");
/// assert_eq!(without_b.ids(), by_hash);
/// ```
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Rollout<'f> {
    seed: u64,
    ids: Vec<&'f str>,
}

impl<'f> Rollout<'f> {
    /// The rollout order of any ids: the same order [`Selection::rollout`] gives a selection of nodes
    /// with these ids. Repeated ids are kept, next to each other.
    ///
    /// ```
    /// use labelsel::Rollout;
    ///
    /// let a = Rollout::from_ids(1, ["x", "y", "z"]);
    /// let b = Rollout::from_ids(1, ["z", "x", "y"]);
    /// assert_eq!(a.ids(), b.ids()); // the input order does not matter
    /// ```
    pub fn from_ids(seed: u64, ids: impl IntoIterator<Item = &'f str>) -> Rollout<'f> {
        let mut keyed: Vec<(u64, &'f str)> = ids
            .into_iter()
            .map(|id| (Rollout::hash(seed, id), id))
            .collect();
        keyed.sort_unstable();
        Rollout {
            seed,
            ids: keyed.into_iter().map(|(_, id)| id).collect(),
        }
    }

    /// The rollout hash of a node id under a seed: FNV-1a 64 over `seed.to_le_bytes()` then the id's
    /// bytes, finished with the SplitMix64 finalizer, exactly as written in [`Rollout`]'s
    /// documentation. Fixed forever: a change would reorder every rollout.
    ///
    /// ```
    /// use labelsel::Rollout;
    ///
    /// assert_eq!(Rollout::hash(0, ""), 0x813f_0174_a236_7c13);
    /// assert_ne!(Rollout::hash(1, "node-1"), Rollout::hash(2, "node-1"));
    /// ```
    pub const fn hash(seed: u64, id: &str) -> u64 {
        let mut h = FNV_OFFSET;
        let seed = seed.to_le_bytes();
        let mut i = 0;
        while i < seed.len() {
            h = (h ^ seed[i] as u64).wrapping_mul(FNV_PRIME);
            i += 1;
        }
        let id = id.as_bytes();
        let mut i = 0;
        while i < id.len() {
            h = (h ^ id[i] as u64).wrapping_mul(FNV_PRIME);
            i += 1;
        }
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^ (h >> 31)
    }

    /// The seed the order was drawn with.
    ///
    /// ```
    /// assert_eq!(labelsel::Rollout::from_ids(9, ["a"]).seed(), 9);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of nodes.
    ///
    /// ```
    /// assert_eq!(labelsel::Rollout::from_ids(9, ["a", "b"]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there is no node.
    ///
    /// ```
    /// assert!(labelsel::Rollout::from_ids(9, []).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Every id, in rollout order.
    ///
    /// ```
    /// let rollout = labelsel::Rollout::from_ids(9, ["a", "b", "c"]);
    /// assert_eq!(rollout.ids().len(), 3);
    /// assert_eq!(rollout.ids()[..1], rollout.canary(1)[..]);
    /// ```
    pub fn ids(&self) -> &[&'f str] {
        &self.ids
    }

    /// The ids in rollout order.
    ///
    /// ```
    /// let rollout = labelsel::Rollout::from_ids(9, ["a", "b", "c"]);
    /// let mut ids: Vec<&str> = rollout.iter().collect();
    /// ids.sort();
    /// assert_eq!(ids, ["a", "b", "c"]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'f str> + DoubleEndedIterator + '_ {
        self.ids.iter().copied()
    }

    /// How many nodes `percent` percent of the rollout is: `ceil(len × percent / 100)`, computed
    /// exactly in integers. Rounding up means any `percent` above 0 gives at least one node when there
    /// is one; `percent` above 100 counts as 100.
    ///
    /// ```
    /// let rollout = labelsel::Rollout::from_ids(9, ["a", "b", "c", "d", "e", "f", "g"]);
    /// assert_eq!(rollout.canary_len(0), 0);
    /// assert_eq!(rollout.canary_len(1), 1); // 0.07 rounds up
    /// assert_eq!(rollout.canary_len(50), 4); // 3.5 rounds up
    /// assert_eq!(rollout.canary_len(250), 7);
    /// ```
    pub fn canary_len(&self, percent: u32) -> usize {
        let percent = u128::from(percent.min(100));
        // len × 100 cannot overflow u128, and the result is at most len.
        ((self.ids.len() as u128 * percent).div_ceil(100)) as usize
    }

    /// The canary: the first [`canary_len`](Rollout::canary_len)`(percent)` ids, that is
    /// `ceil(len × percent / 100)` of them (at least one when `percent > 0` and the rollout is not
    /// empty; all of them from 100 on). A prefix of the order, so a larger canary contains a smaller
    /// one.
    ///
    /// ```
    /// let rollout = labelsel::Rollout::from_ids(3, (0..200).map(|i| ["n1", "n2", "n3", "n4"][i % 4]));
    /// assert_eq!(rollout.canary(5).len(), 10);
    /// assert!(rollout.canary(10).starts_with(rollout.canary(5)));
    /// ```
    pub fn canary(&self, percent: u32) -> &[&'f str] {
        &self.ids[..self.canary_len(percent)]
    }

    /// The ids after the canary of `percent` percent: the rest of the rollout, to update once the
    /// canary is healthy.
    ///
    /// ```
    /// let rollout = labelsel::Rollout::from_ids(3, ["a", "b", "c", "d"]);
    /// assert_eq!(rollout.canary(25).len() + rollout.after_canary(25).len(), 4);
    /// assert_eq!([rollout.canary(25), rollout.after_canary(25)].concat(), rollout.ids());
    /// ```
    pub fn after_canary(&self, percent: u32) -> &[&'f str] {
        &self.ids[self.canary_len(percent)..]
    }

    /// The ids in consecutive batches of `size`, in rollout order; the last batch holds the rest (it may
    /// be smaller). A `size` of 0 gives no batches at all (it never panics).
    ///
    /// ```
    /// let rollout = labelsel::Rollout::from_ids(3, ["a", "b", "c", "d", "e"]);
    /// let sizes: Vec<usize> = rollout.batches(2).map(|batch| batch.len()).collect();
    /// assert_eq!(sizes, [2, 2, 1]);
    /// assert_eq!(rollout.batches(2).next().unwrap(), rollout.canary(40));
    /// assert_eq!(rollout.batches(0).count(), 0);
    /// ```
    pub fn batches(&self, size: usize) -> std::slice::Chunks<'_, &'f str> {
        match size {
            0 => self.ids[..0].chunks(1),
            size => self.ids.chunks(size),
        }
    }

    /// The place of `id` in the order, counting from 0 (its batch of size `n` is `rank / n`), or `None`
    /// if it is not in the rollout. A linear search.
    ///
    /// ```
    /// let rollout = labelsel::Rollout::from_ids(3, ["a", "b", "c"]);
    /// let first = rollout.ids()[0];
    /// assert_eq!(rollout.rank(first), Some(0));
    /// assert_eq!(rollout.rank("z"), None);
    /// ```
    pub fn rank(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|&other| other == id)
    }
}

impl<'a, 'f> IntoIterator for &'a Rollout<'f> {
    type Item = &'f str;
    type IntoIter = std::iter::Copied<std::slice::Iter<'a, &'f str>>;

    fn into_iter(self) -> Self::IntoIter {
        self.ids.iter().copied()
    }
}

/// Shows the seed, the number of nodes and the first few ids, not the whole order.
impl fmt::Debug for Rollout<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 8;
        let first = &self.ids[..self.ids.len().min(SHOWN)];
        f.debug_struct("Rollout")
            .field("seed", &self.seed)
            .field("len", &self.ids.len())
            .field("first", &first)
            .finish_non_exhaustive()
    }
}
