//! Interning: each distinct string gets a dense `u32` id, so the index and the nodes hold numbers.
//!
//! Strings are reference-counted: every label of every node that uses a string holds one reference,
//! and the string and its id are freed when the last one is released. Freed ids are reused, so the
//! ids in use stay below the largest number of distinct strings held at once.
//!
//! The strings are kept by id in [`Chunks`], each an `Arc<str>` so that a copied chunk shares them,
//! and found by text through an [`IdTable`] that holds only ids; a clone shares both, and a write
//! copies only the chunks and shards it touches.

use std::sync::Arc;

use crate::fleet::ids::IdTable;
use crate::fleet::shared::{ARC_COUNTS, Chunks};

/// A set of strings, each with a dense id and a count of the references to it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocabulary {
    /// The id of each live string, found through `terms`.
    ids: IdTable,
    /// By id: the string (`None` when the id is free) and its references (0 when free).
    terms: Chunks<Term>,
    /// Free ids, reused (last freed first) before `terms` grows.
    free: Chunks<u32>,
}

#[derive(Debug, Clone, Default)]
struct Term {
    text: Option<Arc<str>>,
    refs: u32,
}

impl Vocabulary {
    /// The id of `term`, adding it if it is new, and one more reference to it; the caller gives it back
    /// with [`release`](Vocabulary::release).
    ///
    /// # Panics
    ///
    /// When more than `u32::MAX` distinct strings, or references to one string, are held at once.
    pub(crate) fn intern(&mut self, term: &str) -> u32 {
        if let Some(id) = self.id(term) {
            let refs = &mut self.terms.get_mut(id as usize).expect("a live id").refs;
            *refs = refs.checked_add(1).expect("more than 4 billion references");
            return id;
        }
        let entry = Term {
            text: Some(term.into()),
            refs: 1,
        };
        let id = match self.free.pop() {
            Some(id) => {
                *self.terms.get_mut(id as usize).expect("a freed id") = entry;
                id
            }
            None => {
                let id =
                    u32::try_from(self.terms.len()).expect("more than 4 billion distinct labels");
                self.terms.push(entry);
                id
            }
        };
        let terms = &self.terms;
        self.ids.insert(term, id, |id| text_of(terms, id));
        id
    }

    /// Gives back one reference to `id`; the last one frees the string and its id. When no string is
    /// left, every allocation is given back.
    pub(crate) fn release(&mut self, id: u32) {
        let term = self.terms.get_mut(id as usize).expect("a live id");
        debug_assert!(term.refs > 0, "released a free id");
        term.refs -= 1;
        if term.refs > 0 {
            return;
        }
        let terms = &self.terms;
        let text = text_of(terms, id);
        self.ids.remove(text, |id| text_of(terms, id));
        self.terms.get_mut(id as usize).expect("a live id").text = None;
        if self.ids.is_empty() {
            *self = Vocabulary::default();
            return;
        }
        self.free.push(id);
    }

    /// The id of `term`, if a node holds it.
    pub(crate) fn id(&self, term: &str) -> Option<u32> {
        self.ids.get(term, |id| text_of(&self.terms, id))
    }

    /// The string of an id in use.
    pub(crate) fn term(&self, id: u32) -> &str {
        let term = self.terms.get(id as usize);
        debug_assert!(
            term.is_some_and(|term| term.refs > 0),
            "the term of a free id"
        );
        term.and_then(|term| term.text.as_deref())
            .unwrap_or_default()
    }

    /// The strings in use, by id.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.terms
            .iter()
            .filter_map(|(_, term)| term.text.as_deref())
    }

    /// Approximate heap bytes held: the text (with its `Arc` counts), the table of ids by text, the
    /// table of strings by id and the free list.
    pub(crate) fn heap_bytes(&self) -> usize {
        let text: usize = self.iter().map(|t| ARC_COUNTS + t.len()).sum();
        text + self.ids.heap_bytes() + self.terms.heap_bytes() + self.free.heap_bytes()
    }
}

/// The string of `id`, which the table of ids holds.
fn text_of(terms: &Chunks<Term>, id: u32) -> &str {
    terms
        .get(id as usize)
        .and_then(|term| term.text.as_deref())
        .expect("an id in the table of ids has its text")
}
