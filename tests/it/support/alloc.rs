//! The one counting allocator of the test crate: it forwards every call to the system allocator and
//! counts, per thread, the allocations made, the bytes requested and the bytes still live (requested
//! minus given back). Counts are exact, unlike timings, so tests can assert them; per-thread counters
//! keep tests running side by side apart.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The global allocator of the test crate.
pub struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn count(bytes: usize) {
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
    let _ = BYTES.try_with(|count| count.set(count.get() + bytes));
}

/// Adds `change` to this thread's live bytes.
fn count_live(change: isize) {
    let _ = LIVE.try_with(|live| live.set(live.get() + change));
}

#[allow(unsafe_code)] // A global allocator cannot be written without it.
// SAFETY: every call is forwarded to the system allocator unchanged; counting touches only
// thread-local `Cell`s that need no allocation.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as is.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            count_live(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count_live(-(layout.size() as isize));
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: as above.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            count_live(new_size as isize - layout.size() as isize);
        }
        moved
    }
}

/// Allocations (and reallocations) made on this thread while `f` runs.
pub fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (ALLOCATIONS.with(Cell::get) - before, out)
}

/// Heap bytes requested on this thread while `f` runs (a reallocation counts its new size).
pub fn allocated_bytes<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = BYTES.with(Cell::get);
    let out = f();
    (BYTES.with(Cell::get) - before, out)
}

/// Heap bytes live on this thread: requested (a reallocation counts the change in size) minus given
/// back, since the thread started. Memory allocated on one thread and freed on another counts on
/// each, so compare two readings of one thread around work that stays on it.
pub fn live_bytes() -> isize {
    LIVE.with(Cell::get)
}
