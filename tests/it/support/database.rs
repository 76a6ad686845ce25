//! The databases the store tests run against: SQLite files in the temporary directory, always, and the
//! PostgreSQL server named by `LABELSEL_TEST_DATABASE_URL` where it is set (`.ci/postgres` starts one).
//! Without it the PostgreSQL tests say once that they were skipped; under `CI=true` they fail instead,
//! since CI must run them.

use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The variable that names the test server.
pub const DATABASE_URL_VARIABLE: &str = "LABELSEL_TEST_DATABASE_URL";

/// A fresh, empty PostgreSQL schema named after the test (and this process, so that concurrent test
/// runs do not meet), and the URL of the test server with that schema as its search path; `None`
/// without a server.
pub fn postgres_url(test: &str) -> Option<String> {
    static SKIPPED: Once = Once::new();
    let Ok(base) = std::env::var(DATABASE_URL_VARIABLE) else {
        if std::env::var("CI").is_ok_and(|ci| ci == "true") {
            panic!(
                "{DATABASE_URL_VARIABLE} is not set under CI=true: the PostgreSQL tests must run"
            );
        }
        SKIPPED.call_once(|| {
            eprintln!(
                "skipped: the PostgreSQL tests ({DATABASE_URL_VARIABLE} is not set; `source \
                 .ci/postgres` starts a server and sets it)"
            );
        });
        return None;
    };
    let schema = format!("labelsel_test_{test}_{}", std::process::id());
    let mut client = postgres::Client::connect(&base, postgres::NoTls)
        .unwrap_or_else(|e| panic!("{DATABASE_URL_VARIABLE}={base}: {e}"));
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
        ))
        .unwrap_or_else(|e| panic!("creating schema {schema}: {e}"));
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{separator}options=-csearch_path%3D{schema}"))
}

/// A path in the temporary directory for an SQLite database of this test, removed if it exists (so
/// that the files of one run are the ones the next run replaces).
pub fn sqlite_path(test: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("labelsel-test-{test}-{n}.db"));
    let _ = std::fs::remove_file(&path);
    path
}
