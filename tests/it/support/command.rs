//! Running the `labelsel` binary in the command-line tests, and the files those tests write.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

/// The crate root, where the binary runs.
pub const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout read as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }
}

/// The binary, run from the crate root, with stdout and stderr captured (so not terminals) and no
/// colour-forcing or colour-disabling variables inherited.
pub fn command() -> Command {
    let mut cmd = Command::cargo_bin("labelsel").expect("the labelsel binary is built");
    cmd.current_dir(MANIFEST_DIR)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .timeout(Duration::from_secs(120));
    cmd
}

/// Runs `labelsel ARGS` with `stdin` as its standard input.
pub fn run(args: &[&str], stdin: &str) -> Run {
    let output = command()
        .args(args)
        .write_stdin(stdin.to_string())
        .output()
        .unwrap_or_else(|e| panic!("running labelsel {args:?}: {e}"));
    Run {
        code: output
            .status
            .code()
            .unwrap_or_else(|| panic!("labelsel {args:?} was killed: {}", output.status)),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A fresh directory for the files of one test of a test module (`area`).
pub fn temp_dir(area: &str, test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(area).join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

/// Writes `contents` to `dir/name` and returns the path as a string argument.
pub fn write_file(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path.to_str().expect("temp paths are UTF-8").to_string()
}
