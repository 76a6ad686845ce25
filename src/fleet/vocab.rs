//! Interning: each distinct string gets a dense `u32` id, so the index and the nodes hold numbers.
//!
//! Strings are reference-counted: every label of every node that uses a string holds one reference,
//! and the string and its id are freed when the last one is released. Freed ids are reused, so the
//! ids in use stay below the largest number of distinct strings held at once.

use std::collections::HashMap;

/// A set of strings, each with a dense id and a count of the references to it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocabulary {
    /// The id of each live string.
    ids: HashMap<Box<str>, u32>,
    /// By id: the string (empty when the id is free) and its references (0 when free).
    terms: Vec<Term>,
    /// Free ids, reused (last freed first) before `terms` grows.
    free: Vec<u32>,
}

#[derive(Debug, Clone, Default)]
struct Term {
    text: Box<str>,
    refs: u32,
}

/// A hash map whose capacity is more than eight times its length is shrunk to about twice its
/// length, so that it never holds much more than its peak contents would need and shrinking is
/// amortised over the removals that made it so sparse.
pub(crate) fn shrink_sparse<K: Eq + std::hash::Hash, V>(map: &mut HashMap<K, V>) {
    if map.capacity() > 64 && map.len() * 8 < map.capacity() {
        map.shrink_to(map.len() * 2);
    }
}

impl Vocabulary {
    /// The id of `term`, adding it if it is new, and one more reference to it; the caller gives it back
    /// with [`release`](Vocabulary::release).
    ///
    /// # Panics
    ///
    /// When more than `u32::MAX` distinct strings, or references to one string, are held at once.
    pub(crate) fn intern(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            let refs = &mut self.terms[id as usize].refs;
            *refs = refs.checked_add(1).expect("more than 4 billion references");
            return id;
        }
        let text: Box<str> = term.into();
        let id = match self.free.pop() {
            Some(id) => {
                self.terms[id as usize] = Term {
                    text: text.clone(),
                    refs: 1,
                };
                id
            }
            None => {
                let id =
                    u32::try_from(self.terms.len()).expect("more than 4 billion distinct labels");
                self.terms.push(Term {
                    text: text.clone(),
                    refs: 1,
                });
                id
            }
        };
        self.ids.insert(text, id);
        id
    }

    /// Gives back one reference to `id`; the last one frees the string and its id. When no string is
    /// left, every allocation is given back.
    pub(crate) fn release(&mut self, id: u32) {
        let term = &mut self.terms[id as usize];
        debug_assert!(term.refs > 0, "released a free id");
        term.refs -= 1;
        if term.refs > 0 {
            return;
        }
        let text = std::mem::take(&mut term.text);
        self.ids.remove(&text);
        if self.ids.is_empty() {
            *self = Vocabulary::default();
            return;
        }
        self.free.push(id);
        shrink_sparse(&mut self.ids);
    }

    /// The id of `term`, if a node holds it.
    pub(crate) fn id(&self, term: &str) -> Option<u32> {
        self.ids.get(term).copied()
    }

    /// The string of an id in use.
    pub(crate) fn term(&self, id: u32) -> &str {
        debug_assert!(self.terms[id as usize].refs > 0, "the term of a free id");
        &self.terms[id as usize].text
    }

    /// The strings in use, by id.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.terms
            .iter()
            .filter(|term| term.refs > 0)
            .map(|term| &*term.text)
    }

    /// Approximate heap bytes held: the text (kept twice, in the map and by id), the map's buckets
    /// (one control byte each), the id table and the free list, by capacity.
    pub(crate) fn heap_bytes(&self) -> usize {
        let text: usize = self.ids.keys().map(|t| t.len()).sum();
        2 * text
            + hash_map_bytes(&self.ids)
            + self.terms.capacity() * std::mem::size_of::<Term>()
            + self.free.capacity() * std::mem::size_of::<u32>()
    }
}

/// Approximate heap bytes of a hash map's table (not what its entries point to): std's map keeps
/// at most 7/8 of its buckets full, and each bucket costs an entry and a control byte.
pub(crate) fn hash_map_bytes<K, V>(map: &HashMap<K, V>) -> usize {
    if map.capacity() == 0 {
        return 0;
    }
    let buckets = (map.capacity() * 8 / 7).next_power_of_two();
    buckets * (std::mem::size_of::<(K, V)>() + 1)
}
