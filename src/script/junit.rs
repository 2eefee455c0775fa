//! A JUnit XML report for CI systems: one test case per `expect`,
//! `expect-none`, `emit … --ack` and `client` line, and per client when a line
//! ran as several (`line 6 (carol): expect-none …`).

use std::fmt::Write as _;
use std::time::Duration;

/// The result of one script line.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub line: usize,
    /// The client that ran it, when the run had several.
    pub client: Option<String>,
    pub text: String,
    pub result: Result<String, String>,
    pub elapsed: Duration,
    /// Counts as a test case (expect, emit with ack).
    pub is_check: bool,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot hold most control characters at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The report for a script named `name`.
pub fn report(name: &str, outcomes: &[Outcome]) -> String {
    let cases: Vec<&Outcome> = outcomes.iter().filter(|o| o.is_check).collect();
    let failures = cases.iter().filter(|o| o.result.is_err()).count();
    let total: f64 = cases.iter().map(|o| o.elapsed.as_secs_f64()).sum();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites tests=\"{}\" failures=\"{failures}\" time=\"{total:.3}\">",
        cases.len()
    );
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" time=\"{total:.3}\">",
        escape(name),
        cases.len()
    );
    for o in cases {
        let _ = write!(
            xml,
            "    <testcase classname=\"{}\" name=\"{}: {}\" time=\"{:.3}\"",
            escape(name),
            escape(&super::clients::line_label(o.line, o.client.as_deref())),
            escape(&o.text),
            o.elapsed.as_secs_f64()
        );
        match &o.result {
            Ok(_) => xml.push_str("/>\n"),
            Err(e) => {
                let _ = writeln!(
                    xml,
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                    escape(e),
                    escape(e)
                );
            }
        }
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_become_test_cases() {
        let outcomes = vec![
            Outcome {
                line: 1,
                client: None,
                text: "join /admin".into(),
                result: Ok("joined".into()),
                elapsed: Duration::ZERO,
                is_check: false,
            },
            Outcome {
                line: 2,
                client: None,
                text: "expect welcome \"<hi>\"".into(),
                result: Err("no \"welcome\" within 1 s".into()),
                elapsed: Duration::from_millis(1000),
                is_check: true,
            },
            Outcome {
                line: 3,
                client: Some("carol".into()),
                text: "expect-none news --for 500ms".into(),
                result: Ok("no \"news\" on / for 500 ms".into()),
                elapsed: Duration::from_millis(500),
                is_check: true,
            },
        ];
        let xml = report("smoke.sio", &outcomes);
        assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
        assert!(
            xml.contains("name=\"line 3 (carol): expect-none news --for 500ms\""),
            "{xml}"
        );
        assert!(
            xml.contains("name=\"line 2: expect welcome &quot;&lt;hi&gt;&quot;\""),
            "{xml}"
        );
        assert!(
            xml.contains("<failure message=\"no &quot;welcome&quot; within 1 s\">"),
            "{xml}"
        );
    }
}
