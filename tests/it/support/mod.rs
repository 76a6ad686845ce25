//! What the test modules share: the counting allocator, the benchmark workload, the conformance
//! vectors and the harness that runs them through every engine, the test databases.

pub mod alloc;
pub mod command;
pub mod conformance;
pub mod database;
pub mod oracle;
pub mod workload;
