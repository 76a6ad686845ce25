//! The integration tests, one crate: a module per concern, support shared by all of them.
//!
//! Every recorded Kubernetes vector (`tests/data/`) runs through every engine in `conformance`; the
//! other modules test one part of the library or the `labelsel` command each.

// The support modules' items are `pub` for the test modules; nothing is exported from a test crate.
#![allow(unreachable_pub)]

mod support;

mod affinity;
mod allocations;
mod analyze;
mod cli;
mod cli_db;
mod cli_output;
mod cli_stream;
mod conformance;
mod error_window;
mod errors;
mod explain;
mod fleet;
mod fleet_memory;
mod fleet_properties;
mod fleet_snapshots;
mod grammar;
mod jobs;
mod kube;
mod lint_scale;
mod matcher_properties;
mod matching;
mod normal_form_limits;
mod placement;
mod properties;
mod ranges;
mod read;
mod robustness;
mod selector;
mod selector_limits;
mod spread;
mod sql;
mod validation;
mod workload;

#[global_allocator]
static GLOBAL: support::alloc::CountingAllocator = support::alloc::CountingAllocator;
