//! Debian packages the tests need (nginx, chromium), installed with apt-get on
//! first use when missing, as the Node and Python peers are installed by
//! [`super::node`] and [`super::python`]. The install runs at most once at a
//! time across test processes (a file lock in the temp dir); where apt-get
//! cannot install the package, the caller gets why, and its tests say so and skip.

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The program `find` locates, after `apt-get install -y PACKAGE` if it found
/// nothing at first. `purpose` says in the messages what the tests want it for;
/// `override_var` is the environment variable that names another binary.
pub fn install(
    package: &str,
    purpose: &str,
    override_var: &str,
    find: impl Fn() -> Option<PathBuf>,
) -> Result<PathBuf, String> {
    if let Some(p) = find() {
        return Ok(p);
    }
    let lock_path = std::env::temp_dir().join(format!("sio-test-{package}-install.lock"));
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
    // Another test process may be installing it: wait, then look again.
    let _ = lock.lock();
    if let Some(p) = find() {
        return Ok(p);
    }
    eprintln!("installing {package} for {purpose}: apt-get install -y {package}");
    let script = format!("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {package}");
    let output = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run apt-get to install {package}: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or_default();
        return Err(format!(
            "apt-get install {package} failed ({}: {last}): install {package} (Debian's package) or set {override_var}",
            output.status
        ));
    }
    find().ok_or_else(|| format!("{package} was installed but its program is not where the tests look"))
}
