//! The report: one finding per line with its mark, the evidence indented under
//! it, the fix last; or one JSON object per finding.

use super::{Finding, Report, Verdict};

/// The report for people, marks in green / yellow / red when colour is on.
pub fn human(report: &Report, url: &str) -> String {
    let mut out = format!("sio doctor {url}\n");
    let width = report.findings.iter().map(|f| f.id.chars().count()).max().unwrap_or(0);
    for f in &report.findings {
        out.push_str(&format!("{} {:width$}  {}\n", paint(f.verdict), f.id, f.summary));
        let indent = " ".repeat(width + 4);
        for line in &f.evidence {
            out.push_str(&format!("{indent}{line}\n"));
        }
        if let Some(fix) = &f.fix {
            out.push_str(&format!("{indent}fix: {fix}\n"));
        }
    }
    let count = |v: Verdict| report.findings.iter().filter(|f| f.verdict == v).count();
    out.push_str(&format!(
        "{} ✓, {} ⚠, {} ✗ in {:.1} s\n",
        count(Verdict::Ok),
        count(Verdict::Warn),
        count(Verdict::Fail),
        report.seconds
    ));
    out
}

fn paint(verdict: Verdict) -> String {
    use colored::Colorize as _;
    let mark = verdict.mark();
    match verdict {
        Verdict::Ok => mark.green(),
        Verdict::Warn => mark.yellow(),
        Verdict::Fail => mark.red().bold(),
    }
    .to_string()
}

/// One JSON object per finding, one per line.
pub fn json_lines(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| serde_json::to_string(f).unwrap_or_default() + "\n")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        Report {
            findings: vec![
                Finding::ok("tcp", "127.0.0.1:3000 accepts connections (0.2 ms)"),
                Finding::fail("websocket", "the WebSocket is refused")
                    .evidence("GET /x → 400")
                    .fix("do this"),
            ],
            seconds: 1.25,
        }
    }

    #[test]
    fn people_read_marks_evidence_and_fix() {
        let text = human(&sample(), "http://h");
        assert_eq!(
            text,
            "sio doctor http://h\n\
             ✓ tcp        127.0.0.1:3000 accepts connections (0.2 ms)\n\
             ✗ websocket  the WebSocket is refused\n\
             \x20            GET /x → 400\n\
             \x20            fix: do this\n\
             1 ✓, 0 ⚠, 1 ✗ in 1.2 s\n"
        );
    }

    #[test]
    fn json_has_id_verdict_evidence_fix() {
        let lines = json_lines(&sample().findings);
        let objects: Vec<serde_json::Value> = lines.lines().map(|l| serde_json::from_str(l).expect(l)).collect();
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[1]["id"], "websocket");
        assert_eq!(objects[1]["verdict"], "fail");
        assert_eq!(objects[1]["evidence"][0], "GET /x → 400");
        assert_eq!(objects[1]["fix"], "do this");
        assert!(objects[0].get("fix").is_none());
    }
}
