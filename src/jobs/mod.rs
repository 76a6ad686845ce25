//! [`SelectorIndex`]: the reverse index. Many jobs' selectors are indexed under a guard, a requirement
//! each job cannot match without, so that a node finds the jobs it satisfies by visiting only the jobs
//! whose guard it carries, plus the few jobs that have no guard.

mod guard;

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use roaring::RoaringBitmap;

use crate::labels::Labels;
use crate::matcher::Matcher;
use crate::placement::{Placement, PlacementError, Placer};
use crate::selector::{Selector, SelectorError};

use self::guard::{Guard, guards_of};

/// What a [`SelectorIndex`] holds for one job: a compiled selector, or a compiled placement whose
/// required terms decide where the job may run.
///
/// ```
/// use labelsel::{Job, Selector};
///
/// let job = Job::from(Selector::new().expression("gpu").compile()?);
/// assert!(job.matches("node-1", &std::collections::BTreeMap::from([("gpu", "l4")])));
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    /// A job-spec selector: the node must match it.
    Selector(Matcher),
    /// A placement: the node must be feasible (match one of its required terms).
    Placement(Placer),
}

impl Job {
    /// Whether the node may run the job: it matches the selector, or is feasible for the placement.
    pub fn matches<L: Labels + ?Sized>(&self, node_id: &str, labels: &L) -> bool {
        match self {
            Job::Selector(matcher) => matcher.matches(node_id, labels),
            Job::Placement(placer) => placer.feasible(node_id, labels),
        }
    }
}

impl From<Matcher> for Job {
    fn from(matcher: Matcher) -> Job {
        Job::Selector(matcher)
    }
}

impl From<Placer> for Job {
    fn from(placer: Placer) -> Job {
        Job::Placement(placer)
    }
}

/// Many jobs' selectors under job ids, indexed so that [`matching`](SelectorIndex::matching) finds the
/// jobs a node satisfies without checking every job.
///
/// Each job is indexed under a guard: one of its requirements that a node must meet for the job to
/// match, chosen to be selective: a `match_ids` entry, else an `=`/`in` requirement (the one whose
/// values are rarest among the jobs' values for its key), else the presence of a key that `>`, `<` or
/// `key` needs. A placement is indexed under a guard of each of its required terms. Jobs without a
/// positive requirement (`!debug`, `tier notin (spot)`) form a residue checked for every node. A node
/// visits the jobs whose guards it carries and the residue, and the compiled matchers decide; the
/// answer equals checking every job. Jobs with equal selectors (pending jobs often share them) are
/// indexed and checked once for all of them.
///
/// ```
/// use std::collections::BTreeMap;
/// use labelsel::{Selector, SelectorIndex};
///
/// let mut index = SelectorIndex::new();
/// index.insert("train-h100", Selector::new().expression("gpu=nvidia-h100, gpu-count>3").compile()?);
/// index.insert("rack-42", Selector::new().label("rack", "rack-0042").compile()?);
/// index.insert("not-debug", Selector::new().expression("!debug").compile()?);
///
/// let node = BTreeMap::from([("gpu", "nvidia-h100"), ("gpu-count", "8"), ("rack", "rack-0007")]);
/// assert_eq!(index.matching("node-1", &node), ["train-h100", "not-debug"]);
/// # Ok::<(), labelsel::SelectorError>(())
/// ```
#[derive(Default)]
pub struct SelectorIndex {
    /// Jobs by slot, in insertion order; `None` for a removed job. Slots are never reused: once empty
    /// slots outnumber the jobs (and [`RENUMBER_SLACK`]), they are renumbered in one pass, so the
    /// order of the slots stays the insertion order and no answer needs sorting.
    entries: Vec<Option<Entry>>,
    /// Slot of each job id.
    slots: HashMap<Box<str>, u32>,
    /// The distinct selectors, by group slot; `None` for a free slot.
    groups: Vec<Option<Group>>,
    /// Free group slots.
    free_groups: Vec<u32>,
    /// Group slots by the hash of their selector.
    groups_by_hash: HashMap<u64, Vec<u32>>,
    /// Groups guarded by a node id.
    by_id: HashMap<Box<str>, RoaringBitmap>,
    /// Groups guarded by a label, per key.
    by_key: HashMap<Box<str>, KeyPostings>,
    /// Groups without a guard, checked for every node.
    residue: RoaringBitmap,
    /// The values the distinct selectors' `=`/`in` requirements name, per key, each with the number of
    /// times they name it: how guards judge selectivity. A value no selector names any more is
    /// forgotten.
    vocabulary: HashMap<Box<str>, HashMap<Box<str>, u32>>,
}

/// Empty job slots are renumbered away once they outnumber the jobs by at least this many.
const RENUMBER_SLACK: usize = 4096;

/// The groups guarded by one label key.
#[derive(Default)]
struct KeyPostings {
    /// Groups guarded by the key's presence.
    present: RoaringBitmap,
    /// Groups guarded by one value of the key.
    values: HashMap<Box<str>, RoaringBitmap>,
}

/// One job: its id and the group of its selector.
struct Entry {
    id: Box<str>,
    group: u32,
}

/// The jobs that share one selector: it is posted and checked once for all of them.
struct Group {
    job: Job,
    /// Where the group is posted, to take it out again.
    guards: Vec<Guard>,
    /// The slots of the jobs with this selector.
    members: RoaringBitmap,
}

/// What a label update changes: the jobs the node satisfies now but did not, and those it no longer
/// satisfies, each in job insertion order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Changes<'a> {
    /// Jobs the node newly satisfies.
    pub gained: Vec<&'a str>,
    /// Jobs the node no longer satisfies.
    pub lost: Vec<&'a str>,
}

impl SelectorIndex {
    /// An empty index.
    pub fn new() -> SelectorIndex {
        SelectorIndex::default()
    }

    /// Adds a job, or replaces the job with this id (keeping its place in the insertion order);
    /// returns whether it replaced one.
    ///
    /// ```
    /// use labelsel::{Selector, SelectorIndex};
    ///
    /// let mut index = SelectorIndex::new();
    /// assert!(!index.insert("a", Selector::new().expression("x").compile()?));
    /// assert!(index.insert("a", Selector::new().expression("y").compile()?));
    /// assert_eq!(index.len(), 1);
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn insert(&mut self, job: &str, spec: impl Into<Job>) -> bool {
        let group = self.group_for(spec.into());
        if let Some(&slot) = self.slots.get(job) {
            let entry = self.entries[slot as usize]
                .as_mut()
                .expect("a job id's slot holds its entry");
            let old = std::mem::replace(&mut entry.group, group);
            if old != group {
                self.leave_group(old, slot);
                self.group_mut(group).members.insert(slot);
            }
            return true;
        }
        let empty = self.entries.len() - self.slots.len();
        if empty > self.slots.len().max(RENUMBER_SLACK) || self.entries.len() >= u32::MAX as usize {
            self.renumber();
        }
        let slot = u32::try_from(self.entries.len()).expect("more than 4 billion jobs");
        self.entries.push(Some(Entry {
            id: job.into(),
            group,
        }));
        self.group_mut(group).members.insert(slot);
        self.slots.insert(job.into(), slot);
        false
    }

    /// Compiles a job-spec selector and [`insert`](Self::insert)s it; a selector that does not compile
    /// is refused with the error, and the index is left as it was.
    ///
    /// ```
    /// use labelsel::{Selector, SelectorIndex};
    ///
    /// let mut index = SelectorIndex::new();
    /// let err = index.insert_selector("bad", &Selector::new().expression("x in (")).unwrap_err();
    /// assert_eq!(err.place().to_string(), "match_expressions[0]");
    /// assert!(index.is_empty());
    /// ```
    pub fn insert_selector(
        &mut self,
        job: &str,
        selector: &Selector,
    ) -> Result<bool, SelectorError> {
        Ok(self.insert(job, selector.compile()?))
    }

    /// Compiles a placement and [`insert`](Self::insert)s it: the job matches the nodes feasible for
    /// it. A placement that does not compile is refused with the error.
    ///
    /// ```
    /// use labelsel::{Placement, SelectorIndex, Term};
    ///
    /// let term = |text: &str| Term { match_expressions: vec![text.into()], ..Default::default() };
    /// let mut index = SelectorIndex::new();
    /// let placement = Placement { required: Some(vec![term("zone=a"), term("gpu")]), preferred: vec![] };
    /// index.insert_placement("p", &placement)?;
    /// assert_eq!(index.matching("n", &std::collections::BTreeMap::from([("gpu", "l4")])), ["p"]);
    /// # Ok::<(), labelsel::PlacementError>(())
    /// ```
    pub fn insert_placement(
        &mut self,
        job: &str,
        placement: &Placement,
    ) -> Result<bool, PlacementError> {
        Ok(self.insert(job, placement.compile()?))
    }

    /// Removes the job with this id; returns whether there was one.
    pub fn remove(&mut self, job: &str) -> bool {
        let Some(slot) = self.slots.remove(job) else {
            return false;
        };
        let entry = self.entries[slot as usize]
            .take()
            .expect("a job id's slot holds its entry");
        self.leave_group(entry.group, slot);
        if self.slots.is_empty() {
            // Every group has left, and with it every value it named: give every allocation back.
            debug_assert!(self.vocabulary.is_empty());
            *self = SelectorIndex::default();
        }
        true
    }

    /// Numbers the job slots afresh, in order and without gaps: the table of jobs, the slots of the
    /// ids and each group's members are rewritten, at a cost about that of the removals since the
    /// last time.
    fn renumber(&mut self) {
        let mut renumbered = vec![u32::MAX; self.entries.len()];
        let entries: Vec<Option<Entry>> = std::mem::take(&mut self.entries)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(new, entry)| {
                let new = new as u32;
                let slot = self
                    .slots
                    .get_mut(&*entry.id)
                    .expect("a live job's id has its slot");
                renumbered[*slot as usize] = new;
                *slot = new;
                Some(entry)
            })
            .collect();
        self.entries = entries;
        for group in self.groups.iter_mut().flatten() {
            group.members = group
                .members
                .iter()
                .map(|slot| renumbered[slot as usize])
                .collect();
        }
    }

    /// The number of jobs.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the index holds no job.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The job with this id.
    pub fn get(&self, job: &str) -> Option<&Job> {
        let slot = *self.slots.get(job)?;
        let entry = self.entries[slot as usize].as_ref()?;
        Some(&self.group(entry.group).job)
    }

    /// Every job, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Job)> + '_ {
        self.entries
            .iter()
            .flatten()
            .map(|entry| (&*entry.id, &self.group(entry.group).job))
    }

    /// The ids of the jobs this node satisfies, in job insertion order. Only the jobs whose guard the
    /// node carries, and the residue, are checked, each distinct selector once; the answer equals
    /// checking every job.
    pub fn matching<L: Labels + ?Sized>(&self, node_id: &str, labels: &L) -> Vec<&str> {
        let mut matched = RoaringBitmap::new();
        for group in self
            .candidates(node_id, labels)
            .iter()
            .map(|g| self.group(g))
        {
            if group.job.matches(node_id, labels) {
                matched |= &group.members;
            }
        }
        self.ids_in_insertion_order(&matched)
    }

    /// The jobs a label update makes newly satisfiable, and those it no longer satisfies: only the jobs
    /// whose guard the node carries before or after, and the residue, are checked on both label sets.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use labelsel::{Selector, SelectorIndex};
    ///
    /// let mut index = SelectorIndex::new();
    /// index.insert("prod", Selector::new().label("env", "prod").compile()?);
    /// index.insert("dev", Selector::new().label("env", "dev").compile()?);
    /// let old = BTreeMap::from([("env", "dev")]);
    /// let new = BTreeMap::from([("env", "prod")]);
    /// let changes = index.changed("n1", &old, &new);
    /// assert_eq!((changes.gained, changes.lost), (vec!["prod"], vec!["dev"]));
    /// # Ok::<(), labelsel::SelectorError>(())
    /// ```
    pub fn changed<L: Labels + ?Sized>(&self, node_id: &str, old: &L, new: &L) -> Changes<'_> {
        let mut candidates = self.candidates(node_id, old);
        candidates |= self.candidates(node_id, new);
        let (mut gained, mut lost) = (RoaringBitmap::new(), RoaringBitmap::new());
        for group in candidates.iter().map(|g| self.group(g)) {
            match (
                group.job.matches(node_id, old),
                group.job.matches(node_id, new),
            ) {
                (false, true) => gained |= &group.members,
                (true, false) => lost |= &group.members,
                _ => {}
            }
        }
        Changes {
            gained: self.ids_in_insertion_order(&gained),
            lost: self.ids_in_insertion_order(&lost),
        }
    }

    /// The groups whose guard the node carries, and the residue.
    fn candidates<L: Labels + ?Sized>(&self, node_id: &str, labels: &L) -> RoaringBitmap {
        let mut candidates = self.residue.clone();
        if let Some(groups) = self.by_id.get(node_id) {
            candidates |= groups;
        }
        for (key, postings) in &self.by_key {
            if let Some(value) = labels.get(key) {
                candidates |= &postings.present;
                if let Some(groups) = postings.values.get(value) {
                    candidates |= groups;
                }
            }
        }
        candidates
    }

    /// The ids of the jobs in these slots, in insertion order (the order of the slots).
    fn ids_in_insertion_order(&self, slots: &RoaringBitmap) -> Vec<&str> {
        slots
            .iter()
            .filter_map(|slot| self.entries[slot as usize].as_ref())
            .map(|entry| &*entry.id)
            .collect()
    }

    fn group(&self, group: u32) -> &Group {
        self.groups[group as usize]
            .as_ref()
            .expect("a posted or referenced group is live")
    }

    fn group_mut(&mut self, group: u32) -> &mut Group {
        self.groups[group as usize]
            .as_mut()
            .expect("a posted or referenced group is live")
    }

    /// The group of jobs with this selector, made and posted if there is none yet.
    fn group_for(&mut self, job: Job) -> u32 {
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(&job);
        let same = self.groups_by_hash.get(&hash).and_then(|groups| {
            groups
                .iter()
                .copied()
                .find(|&group| self.group(group).job == job)
        });
        if let Some(group) = same {
            return group;
        }
        self.learn_values(&job);
        let guards = guards_of(&job, &self.vocabulary);
        let group = match self.free_groups.pop() {
            Some(group) => group,
            None => {
                self.groups.push(None);
                (self.groups.len() - 1) as u32
            }
        };
        self.post(group, &guards);
        self.groups[group as usize] = Some(Group {
            job,
            guards,
            members: RoaringBitmap::new(),
        });
        self.groups_by_hash.entry(hash).or_default().push(group);
        group
    }

    /// Takes a job slot out of its group, and the group out of the index when it was the last.
    fn leave_group(&mut self, group: u32, slot: u32) {
        let members = &mut self.group_mut(group).members;
        members.remove(slot);
        if !members.is_empty() {
            return;
        }
        let Group { job, guards, .. } = self.groups[group as usize]
            .take()
            .expect("a referenced group is live");
        self.unpost(group, &guards);
        self.forget_values(&job);
        self.free_groups.push(group);
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(&job);
        if let Some(groups) = self.groups_by_hash.get_mut(&hash) {
            groups.retain(|&g| g != group);
            if groups.is_empty() {
                self.groups_by_hash.remove(&hash);
            }
        }
    }

    /// Records the values a new group's `=`/`in` requirements name, for judging later guards.
    fn learn_values(&mut self, job: &Job) {
        for (key, values) in guard::value_sets(job) {
            let known = match self.vocabulary.get_mut(key) {
                Some(known) => known,
                None => self.vocabulary.entry(key.into()).or_default(),
            };
            for value in values {
                match known.get_mut(value) {
                    Some(count) => *count += 1,
                    None => {
                        known.insert(value.into(), 1);
                    }
                }
            }
        }
    }

    /// Gives back what [`learn_values`](Self::learn_values) recorded for a group that is gone.
    fn forget_values(&mut self, job: &Job) {
        for (key, values) in guard::value_sets(job) {
            let Some(known) = self.vocabulary.get_mut(key) else {
                continue;
            };
            for value in values {
                if let Some(count) = known.get_mut(value) {
                    *count -= 1;
                    if *count == 0 {
                        known.remove(value);
                    }
                }
            }
            if known.is_empty() {
                self.vocabulary.remove(key);
            }
        }
    }

    fn post(&mut self, group: u32, guards: &[Guard]) {
        for guard in guards {
            let postings = match guard {
                Guard::Residue => &mut self.residue,
                Guard::Id(id) => self.by_id.entry(id.clone()).or_default(),
                Guard::Present(key) => &mut self.by_key.entry(key.clone()).or_default().present,
                Guard::Value(key, value) => self
                    .by_key
                    .entry(key.clone())
                    .or_default()
                    .values
                    .entry(value.clone())
                    .or_default(),
            };
            postings.insert(group);
        }
    }

    fn unpost(&mut self, group: u32, guards: &[Guard]) {
        for guard in guards {
            match guard {
                Guard::Residue => {
                    self.residue.remove(group);
                }
                Guard::Id(id) => {
                    if let Some(groups) = self.by_id.get_mut(id) {
                        groups.remove(group);
                        if groups.is_empty() {
                            self.by_id.remove(id);
                        }
                    }
                }
                Guard::Present(key) | Guard::Value(key, _) => {
                    let Some(postings) = self.by_key.get_mut(key) else {
                        continue;
                    };
                    match guard {
                        Guard::Value(_, value) => {
                            if let Some(groups) = postings.values.get_mut(value) {
                                groups.remove(group);
                                if groups.is_empty() {
                                    postings.values.remove(value);
                                }
                            }
                        }
                        _ => {
                            postings.present.remove(group);
                        }
                    }
                    if postings.present.is_empty() && postings.values.is_empty() {
                        self.by_key.remove(key);
                    }
                }
            }
        }
    }
}

/// Shows the number of jobs and how they are indexed, not the jobs.
impl fmt::Debug for SelectorIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectorIndex")
            .field("jobs", &self.len())
            .field(
                "distinct_selectors",
                &self.groups_by_hash.values().map(Vec::len).sum::<usize>(),
            )
            .field("residue", &self.residue.len())
            .field("guard_keys", &self.by_key.len())
            .field("guard_ids", &self.by_id.len())
            .finish_non_exhaustive()
    }
}
