//! Runs `sio doctor --json` and reads its findings.

use std::process::Command;
use std::time::Instant;

use serde_json::Value;

/// One run of `sio doctor`.
pub struct DoctorRun {
    pub code: Option<i32>,
    pub findings: Vec<Value>,
    pub stderr: String,
    pub seconds: f64,
}

impl DoctorRun {
    /// The verdict of the finding `id` ("ok", "warn", "fail"), or "absent".
    pub fn verdict(&self, id: &str) -> String {
        self.finding(id)
            .and_then(|f| f["verdict"].as_str())
            .unwrap_or("absent")
            .to_string()
    }

    pub fn finding(&self, id: &str) -> Option<&Value> {
        self.findings.iter().find(|f| f["id"] == id)
    }

    /// Summary, evidence and fix of `id` in one string, for `contains` checks.
    pub fn text(&self, id: &str) -> String {
        self.finding(id).map(Value::to_string).unwrap_or_default()
    }

    /// Asserts the verdict of `id` ("ok", "warn", "fail", or "absent").
    #[track_caller]
    pub fn expect(&self, id: &str, verdict: &str) {
        assert_eq!(self.verdict(id), verdict, "finding {id:?}\n{}", self.dump());
    }

    /// Asserts that the finding `id` (summary, evidence or fix) contains `needle`.
    #[track_caller]
    pub fn says(&self, id: &str, needle: &str) {
        assert!(
            self.text(id).contains(needle),
            "finding {id:?} lacks {needle:?}\n{}",
            self.dump()
        );
    }

    /// Every finding, one per line, for failure messages.
    pub fn dump(&self) -> String {
        let lines: Vec<String> = self.findings.iter().map(Value::to_string).collect();
        format!("exit {:?}\n{}\nstderr: {}", self.code, lines.join("\n"), self.stderr)
    }

    /// The ids with a ✗.
    pub fn failures(&self) -> Vec<String> {
        self.findings
            .iter()
            .filter(|f| f["verdict"] == "fail")
            .filter_map(|f| f["id"].as_str().map(str::to_string))
            .collect()
    }
}

/// `sio doctor URL --json ARGS...`
pub fn doctor(url: &str, args: &[&str]) -> DoctorRun {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_sio"))
        .args(["doctor", url, "--json"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run sio doctor");
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let findings = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    DoctorRun {
        code: output.status.code(),
        findings,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        seconds,
    }
}
