//! A bit-sliced index of the integer values of one key, so that a `>`/`<` range costs a walk over the
//! bits of the numbers rather than a union over every number in it.
//!
//! Each slot whose value reads as an integer ([`parse_integer`](crate::operator::parse_integer):
//! `08` and `8` are one number) is in the bitmap of integers, in the bitmap of negative numbers if its
//! number is below zero, and in slice `i` when bit `i` of its number's *code* is set. The code of a
//! number `n ≥ 0` is `n`, and of `n < 0` it is `!n` (that is `-n - 1`), so numbers of small magnitude
//! leave the high slices empty whatever their sign; codes fit in 63 bits. Among the non-negative
//! numbers codes follow the numbers' order, among the negative ones they reverse it.
//!
//! A range of codes is found as O'Neil and Quass compare bit-sliced indexes ("Improved Query
//! Performance with Variant Indexes", SIGMOD 1997): from the highest slice down, the slots whose code
//! agrees with the bound so far shrink slice by slice, and those that differ at a bit are decided there.
//! The walk stops as soon as no slot is undecided or the rest of the bound's bits cannot decide any. For
//! a range with two bounds the slices above the highest bit where the bounds differ are read once, for
//! both, and each bound's walk starts from the slots they left.

use std::ops::RangeInclusive;

use roaring::RoaringBitmap;

use crate::fleet::index::{bitmap_bytes, renumber};

/// The integer values of one key, bit-sliced: see the [module](self).
#[derive(Debug, Clone, Default)]
pub(crate) struct IntegerSlices {
    /// Slots whose value reads as an integer.
    integers: RoaringBitmap,
    /// Slots whose integer is below zero.
    negative: RoaringBitmap,
    /// By bit: the slots whose code has that bit set. The last slice is never empty (a slice with no
    /// slot above it is dropped), so the codes of all slots are below `2^slices.len()`.
    slices: Vec<RoaringBitmap>,
}

/// The code of a number: itself when non-negative, else its bitwise complement (`-n - 1`). At most
/// `i64::MAX`, so 63 bits.
fn code(number: i64) -> u64 {
    if number < 0 {
        (!number).unsigned_abs()
    } else {
        number.unsigned_abs()
    }
}

/// The set bits of a code, lowest first.
fn bits(code: u64) -> impl Iterator<Item = usize> {
    (0..u64::BITS as usize).filter(move |&bit| code >> bit & 1 == 1)
}

impl IntegerSlices {
    /// Records that the node in `slot` (which holds no integer for the key yet) has `number`.
    pub(crate) fn add(&mut self, slot: u32, number: i64) {
        self.integers.insert(slot);
        if number < 0 {
            self.negative.insert(slot);
        }
        for bit in bits(code(number)) {
            if self.slices.len() <= bit {
                self.slices.resize_with(bit + 1, RoaringBitmap::new);
            }
            self.slices[bit].insert(slot);
        }
    }

    /// Forgets that the node in `slot` has `number` (the number [`add`](Self::add) recorded). Slices
    /// left empty at the top are dropped, and with the last integer every allocation goes.
    pub(crate) fn remove(&mut self, slot: u32, number: i64) {
        self.integers.remove(slot);
        if number < 0 {
            self.negative.remove(slot);
        }
        for bit in bits(code(number)) {
            if let Some(slice) = self.slices.get_mut(bit) {
                slice.remove(slot);
            }
        }
        while self.slices.last().is_some_and(RoaringBitmap::is_empty) {
            self.slices.pop();
        }
        if self.integers.is_empty() {
            *self = IntegerSlices::default();
        }
    }

    /// The slots whose value reads as an integer.
    pub(crate) fn integers(&self) -> &RoaringBitmap {
        &self.integers
    }

    /// The number of slices, the most a walk over one bound reads.
    pub(crate) fn slice_count(&self) -> usize {
        self.slices.len()
    }

    /// The slots with an integer in `range` (inclusive at both ends).
    pub(crate) fn within(&self, range: RangeInclusive<i64>) -> RoaringBitmap {
        self.find(range, None)
    }

    /// The slots of `candidates` with an integer in `range`: the walk starts from the candidates, so
    /// few candidates make it cheaper.
    pub(crate) fn within_candidates(
        &self,
        range: RangeInclusive<i64>,
        candidates: &RoaringBitmap,
    ) -> RoaringBitmap {
        self.find(range, Some(candidates))
    }

    /// The same numbers after every slot `s` moved to `renumbered[s]` (in the same order).
    pub(crate) fn renumbered(&self, renumbered: &[u32]) -> IntegerSlices {
        IntegerSlices {
            integers: renumber(&self.integers, renumbered),
            negative: renumber(&self.negative, renumbered),
            slices: self
                .slices
                .iter()
                .map(|slice| renumber(slice, renumbered))
                .collect(),
        }
    }

    /// Approximate heap bytes held, as [`bitmap_bytes`] counts them, and the table of slices.
    pub(crate) fn heap_bytes(&self) -> usize {
        bitmap_bytes(&self.integers)
            + bitmap_bytes(&self.negative)
            + self.slices.capacity() * std::mem::size_of::<RoaringBitmap>()
            + self.slices.iter().map(bitmap_bytes).sum::<usize>()
    }

    fn find(
        &self,
        range: RangeInclusive<i64>,
        candidates: Option<&RoaringBitmap>,
    ) -> RoaringBitmap {
        let (low, high) = range.into_inner();
        if low > high {
            return RoaringBitmap::new();
        }
        let integers = || match candidates {
            Some(candidates) => candidates & &self.integers,
            None => self.integers.clone(),
        };
        if low == i64::MIN && high == i64::MAX {
            return integers();
        }
        let mut found = RoaringBitmap::new();
        if low < 0 && !self.negative.is_empty() {
            // Codes reverse the order of negative numbers: `low..=high` is `!high..=!low` in codes.
            let negative = match candidates {
                Some(candidates) => candidates & &self.negative,
                None => self.negative.clone(),
            };
            found = self.codes_within(negative, code(high.min(-1)), code(low));
        }
        if high >= 0 {
            let mut positive = integers();
            if !self.negative.is_empty() {
                positive -= &self.negative;
            }
            found |= self.codes_within(positive, code(low.max(0)), code(high));
        }
        found
    }

    /// The slots of `set` whose code is in `low..=high`.
    fn codes_within(&self, mut set: RoaringBitmap, low: u64, high: u64) -> RoaringBitmap {
        // Every code is at most `top`.
        let top = self.slices.len().checked_sub(1).map_or(0, low_bits);
        if low > top || set.is_empty() {
            return RoaringBitmap::new();
        }
        let high = high.min(top);
        // Every code between the bounds has the bits they share above the highest where they differ:
        // one operation a slice there narrows the set for both walks.
        let differ = (low ^ high)
            .checked_ilog2()
            .map_or(0, |bit| bit as usize + 1);
        for (bit, slice) in self.slices.iter().enumerate().skip(differ).rev() {
            if set.is_empty() {
                break;
            }
            if low >> bit & 1 == 1 {
                set &= slice;
            } else {
                set -= slice;
            }
        }
        let set = self.at_least(set, low, differ);
        self.at_most(set, high, differ)
    }

    /// The slots of `set` whose code is at least `low`, looking at the slices below `bits` (the codes
    /// of `set` agree with `low` above).
    fn at_least(&self, mut equal: RoaringBitmap, low: u64, bits: usize) -> RoaringBitmap {
        let mut above = RoaringBitmap::new();
        for (bit, slice) in self.slices.iter().take(bits).enumerate().rev() {
            // The rest of `low` is zeros: every code equal so far is at least `low`.
            if equal.is_empty() || low & low_bits(bit) == 0 {
                break;
            }
            if low >> bit & 1 == 1 {
                equal &= slice;
            } else {
                let higher = &equal & slice;
                equal -= &higher;
                above |= higher;
            }
        }
        above | equal
    }

    /// The slots of `set` whose code is at most `high`, looking at the slices below `bits` (the codes
    /// of `set` agree with `high` above).
    fn at_most(&self, mut equal: RoaringBitmap, high: u64, bits: usize) -> RoaringBitmap {
        let mut below = RoaringBitmap::new();
        for (bit, slice) in self.slices.iter().take(bits).enumerate().rev() {
            // The rest of `high` is ones: every code equal so far is at most `high`.
            let rest = low_bits(bit);
            if equal.is_empty() || high & rest == rest {
                break;
            }
            if high >> bit & 1 == 1 {
                let lower = &equal - slice;
                equal &= slice;
                below |= lower;
            } else {
                equal -= slice;
            }
        }
        below | equal
    }
}

/// The bits `0..=bit` set.
fn low_bits(bit: usize) -> u64 {
    u64::MAX >> (u64::BITS as usize - 1 - bit.min(63))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// The slots of `model` with a number in `low..=high`, restricted to `candidates` if given.
    fn naive(
        model: &BTreeMap<u32, i64>,
        low: i64,
        high: i64,
        candidates: Option<&RoaringBitmap>,
    ) -> RoaringBitmap {
        model
            .iter()
            .filter(|&(&slot, &n)| {
                low <= n && n <= high && candidates.is_none_or(|c| c.contains(slot))
            })
            .map(|(&slot, _)| slot)
            .collect()
    }

    fn slices_of(numbers: &[i64]) -> (IntegerSlices, BTreeMap<u32, i64>) {
        let mut slices = IntegerSlices::default();
        let mut model = BTreeMap::new();
        for (slot, &number) in (0u32..).zip(numbers) {
            slices.add(slot, number);
            model.insert(slot, number);
        }
        (slices, model)
    }

    const EDGES: [i64; 13] = [
        i64::MIN,
        i64::MIN + 1,
        -1 << 32,
        -65536,
        -2,
        -1,
        0,
        1,
        2,
        65536,
        1 << 32,
        i64::MAX - 1,
        i64::MAX,
    ];

    #[test]
    fn codes_keep_small_numbers_in_low_slices() {
        assert_eq!(code(0), 0);
        assert_eq!(code(-1), 0);
        assert_eq!(code(5), 5);
        assert_eq!(code(-6), 5);
        assert_eq!(code(i64::MAX), i64::MAX.unsigned_abs());
        assert_eq!(code(i64::MIN), i64::MAX.unsigned_abs());
        let (slices, _) = slices_of(&[0, -1, 3, -4, 7]);
        assert_eq!(slices.slice_count(), 3, "codes 0, 0, 3, 3, 7");
        let (slices, _) = slices_of(&[i64::MIN]);
        assert_eq!(slices.slice_count(), 63);
    }

    #[test]
    fn every_range_between_edge_numbers_is_exact() {
        let (slices, model) = slices_of(&EDGES);
        let candidates: RoaringBitmap = (0..13).step_by(2).collect();
        for &low in &EDGES {
            for &high in &EDGES {
                let expected = naive(&model, low, high, None);
                assert_eq!(slices.within(low..=high), expected, "{low}..={high}");
                let restricted = naive(&model, low, high, Some(&candidates));
                assert_eq!(
                    slices.within_candidates(low..=high, &candidates),
                    restricted,
                    "{low}..={high} in candidates"
                );
            }
        }
        assert_eq!(slices.within(i64::MIN..=i64::MAX).len(), 13);
        assert_eq!(
            slices.within(-1..=0).iter().collect::<Vec<_>>(),
            [5, 6],
            "-1 and 0"
        );
    }

    #[test]
    fn ranges_next_to_the_numbers_held() {
        let (slices, model) = slices_of(&[-5, -3, 0, 4, 8, 8, 100]);
        for low in -8..110 {
            for high in [low, low + 1, low + 7, 200, i64::MAX] {
                assert_eq!(
                    slices.within(low..=high),
                    naive(&model, low, high, None),
                    "{low}..={high}"
                );
            }
            assert_eq!(
                slices.within(i64::MIN..=low),
                naive(&model, i64::MIN, low, None),
                "..={low}"
            );
        }
    }

    #[test]
    fn removing_drops_empty_top_slices_and_everything_at_the_end() {
        let mut slices = IntegerSlices::default();
        slices.add(0, 1000);
        slices.add(1, 3);
        slices.add(2, -2);
        assert_eq!(slices.slice_count(), 10);
        slices.remove(0, 1000);
        assert_eq!(slices.slice_count(), 2);
        assert_eq!(slices.within(0..=i64::MAX).iter().collect::<Vec<_>>(), [1]);
        assert_eq!(slices.within(i64::MIN..=-1).iter().collect::<Vec<_>>(), [2]);
        slices.remove(1, 3);
        slices.remove(2, -2);
        assert_eq!(slices.slice_count(), 0);
        assert_eq!(slices.heap_bytes(), 0);
        assert!(slices.within(i64::MIN..=i64::MAX).is_empty());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u32, i64),
        Remove(usize),
    }

    fn number() -> impl Strategy<Value = i64> {
        prop_oneof![
            4 => -40i64..40,
            2 => any::<i64>(),
            1 => proptest::sample::select(EDGES.to_vec()),
            1 => (0u32..63).prop_map(|bit| 1i64 << bit),
            1 => (0u32..63).prop_map(|bit| -(1i64 << bit)),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u32..300, number()).prop_map(|(slot, n)| Op::Add(slot, n)),
            1 => any::<usize>().prop_map(Op::Remove),
        ]
    }

    fn bound() -> impl Strategy<Value = i64> {
        prop_oneof![number(), Just(i64::MIN), Just(i64::MAX)]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn ranges_agree_with_a_naive_model(
            ops in vec(op(), 0..200),
            ranges in vec((bound(), bound()), 1..12),
            candidates in vec(0u32..320, 0..120),
        ) {
            let mut slices = IntegerSlices::default();
            let mut model: BTreeMap<u32, i64> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Add(slot, n) => {
                        // A slot holds one number: replacing it is a remove, then an add.
                        if let Some(old) = model.insert(slot, n) {
                            slices.remove(slot, old);
                        }
                        slices.add(slot, n);
                    }
                    Op::Remove(at) if !model.is_empty() => {
                        let slot = *model.keys().nth(at % model.len()).unwrap_or(&0);
                        if let Some(old) = model.remove(&slot) {
                            slices.remove(slot, old);
                        }
                    }
                    Op::Remove(_) => {}
                }
            }
            let candidates: RoaringBitmap = candidates.into_iter().collect();
            let all: RoaringBitmap = model.keys().copied().collect();
            prop_assert_eq!(slices.integers(), &all);
            let top = model.values().map(|&n| code(n)).max().unwrap_or(0);
            prop_assert_eq!(slices.slice_count(), (u64::BITS - top.leading_zeros()) as usize);
            for (low, high) in ranges {
                prop_assert_eq!(slices.within(low..=high), naive(&model, low, high, None));
                prop_assert_eq!(
                    slices.within_candidates(low..=high, &candidates),
                    naive(&model, low, high, Some(&candidates))
                );
            }
        }
    }
}
