//! Interning: each distinct string gets a dense `u32` id, so the index and the nodes hold numbers.

use std::collections::HashMap;

/// A set of strings, each with a dense id in the order first seen. Ids are never reused.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocabulary {
    ids: HashMap<Box<str>, u32>,
    terms: Vec<Box<str>>,
}

impl Vocabulary {
    /// The id of `term`, adding it if it is new.
    pub(crate) fn intern(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = u32::try_from(self.terms.len()).expect("more than 4 billion distinct labels");
        self.terms.push(term.into());
        self.ids.insert(term.into(), id);
        id
    }

    /// The id of `term`, if it was ever interned.
    pub(crate) fn id(&self, term: &str) -> Option<u32> {
        self.ids.get(term).copied()
    }

    /// The string of an id this vocabulary handed out.
    pub(crate) fn term(&self, id: u32) -> &str {
        &self.terms[id as usize]
    }

    /// The number of strings, so that ids are `0..count()`.
    pub(crate) fn count(&self) -> u32 {
        self.terms.len() as u32
    }

    /// Approximate heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        let text: usize = self.terms.iter().map(|t| t.len()).sum();
        let map_entry = std::mem::size_of::<(Box<str>, u32)>() + 1;
        2 * text
            + self.terms.capacity() * std::mem::size_of::<Box<str>>()
            + self.ids.capacity() * map_entry
    }
}
