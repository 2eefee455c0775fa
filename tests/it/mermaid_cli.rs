//! `sio replay FILE --format mermaid` on a recording that `sio run` made with
//! two clients against a real socket.io 4.8 server (short heartbeats, text
//! from the server that Mermaid would read as syntax): every line of the
//! diagram is parsed back and checked.

use std::collections::HashMap;

use crate::har_cli::{fixture, last_stderr_line};
use crate::script_cli::{sio, text};
use crate::support::node::{NodeServer, ServerKind};

const HOSTILE: &str = r#"hi ;#<br>%% "quoted" -->> x"#;

/// One line of the diagram body.
#[derive(Debug, PartialEq)]
enum Line {
    Arrow {
        from: String,
        arrow: String,
        to: String,
        text: String,
    },
    Note {
        lane: String,
        text: String,
    },
}

/// Undoes the entity codes (`#59;`); panics on anything Mermaid would read into.
fn unescape(text: &str) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || " .,_/()[]{}'=*!?@$^~|+-:".contains(c);
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '#' {
            let end = rest
                .find(';')
                .unwrap_or_else(|| panic!("a # that starts no entity in {text:?}"));
            let code: u32 = rest[1..end]
                .parse()
                .unwrap_or_else(|_| panic!("not an entity code in {text:?}"));
            out.push(char::from_u32(code).expect("a character"));
            rest = &rest[end + 1..];
        } else {
            assert!(allowed(c), "{c:?} unescaped in {text:?}");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The lanes (id → label) and the lines, or a panic naming the line that is not
/// what the diagram may hold.
fn parse(diagram: &str) -> (Vec<(String, String)>, Vec<Line>) {
    let mut lines = diagram.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"), "{diagram}");
    let mut lanes = Vec::new();
    let mut body = Vec::new();
    for line in lines {
        let l = line
            .strip_prefix("    ")
            .unwrap_or_else(|| panic!("not indented: {line:?}"));
        if let Some(rest) = l.strip_prefix("participant ") {
            assert!(body.is_empty(), "participants come first: {line:?}");
            let (id, label) = rest.split_once(" as ").unwrap_or_else(|| panic!("{line:?}"));
            lanes.push((id.to_string(), unescape(label)));
        } else if let Some(rest) = l.strip_prefix("Note over ") {
            let (lanes_part, text) = rest.split_once(": ").unwrap_or_else(|| panic!("{line:?}"));
            let (lane, server) = lanes_part.split_once(',').unwrap_or_else(|| panic!("{line:?}"));
            assert_eq!(server, "S", "{line:?}");
            body.push(Line::Note {
                lane: lane.to_string(),
                text: unescape(text),
            });
        } else {
            let (head, text) = l.split_once(": ").unwrap_or_else(|| panic!("{line:?}"));
            let arrow = ["-->>", "->>", "-x"]
                .into_iter()
                .find(|a| head.contains(a))
                .unwrap_or_else(|| panic!("no arrow in {line:?}"));
            let (from, to) = head.split_once(arrow).expect("arrow");
            assert!((from == "S") != (to == "S"), "one end is the server: {line:?}");
            body.push(Line::Arrow {
                from: from.to_string(),
                arrow: arrow.to_string(),
                to: to.to_string(),
                text: unescape(text),
            });
        }
    }
    let ids: Vec<&str> = lanes.iter().map(|(id, _)| id.as_str()).collect();
    for line in &body {
        let used = match line {
            Line::Arrow { from, to, .. } => vec![from.as_str(), to.as_str()],
            Line::Note { lane, .. } => vec![lane.as_str()],
        };
        assert!(used.iter().all(|u| ids.contains(u)), "{line:?} uses an undeclared lane");
    }
    (lanes, body)
}

fn mermaid(path: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["replay", path, "--format", "mermaid"];
    args.extend_from_slice(extra);
    sio(&args, "")
}

#[test]
fn a_two_client_session_as_a_sequence_diagram() {
    let server = NodeServer::start(ServerKind::V4, &["--ping-interval", "200"]);
    let recording = crate::support::temp_path("mermaid-test", "two.ndjson");
    let path = recording.to_str().expect("path");
    let script = format!(
        "client bob\nexpect welcome\nbob: expect welcome\nemit echo {} --ack\nexpect echo\n\
         bob: emit echo \"from bob\"\nbob: expect echo\nsleep 1.5s\n",
        serde_json::to_string(HOSTILE).expect("json")
    );
    let o = sio(&["run", &server.url(), "-", "--record", path], &script);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let o = mermaid(path, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let diagram = String::from_utf8_lossy(&o.stdout).into_owned();
    let (lanes, body) = parse(&diagram);
    let labels: HashMap<&str, &str> = lanes.iter().map(|(i, l)| (l.as_str(), i.as_str())).collect();
    assert_eq!(lanes.len(), 3, "{lanes:?}");
    assert_eq!(lanes[2], ("S".to_string(), "server".to_string()));
    let main = labels["client main"];
    let bob = labels["client bob"];
    let arrows = |lane: &str| -> Vec<(String, String, String)> {
        body.iter()
            .filter_map(|l| match l {
                Line::Arrow { from, arrow, to, text } if from == lane || to == lane => {
                    let dir = if from == "S" { "in" } else { "out" };
                    Some((dir.to_string(), arrow.clone(), text.clone()))
                }
                _ => None,
            })
            .collect()
    };
    let notes = |lane: &str| -> Vec<String> {
        body.iter()
            .filter_map(|l| match l {
                Line::Note { lane: n, text } if n == lane => Some(text.clone()),
                _ => None,
            })
            .collect()
    };
    for lane in [main, bob] {
        let a = arrows(lane);
        let texts: Vec<&str> = a.iter().map(|(_, _, t)| t.as_str()).collect();
        // The handshake (dotted: Engine.IO), the namespace, the welcome (solid: Socket.IO).
        assert!(
            a[0].0 == "in" && a[0].1 == "-->>" && a[0].2.starts_with("OPEN sid "),
            "{a:#?}"
        );
        assert!(
            a.iter().any(|(d, ar, t)| d == "out" && ar == "->>" && t == "CONNECT"),
            "{a:#?}"
        );
        assert!(texts.contains(&r#"EVENT "welcome" "hi""#), "{texts:#?}");
        assert!(texts.iter().any(|t| t.starts_with("PING probe")), "{texts:#?}");
        let n = notes(lane);
        assert_eq!(n.first().map(String::as_str), Some("over polling"), "{n:#?}");
        assert!(n.iter().any(|t| t.starts_with("upgraded")), "{n:#?}");
        // 1.5 s of a 200 ms heartbeat: folded into notes, never a long run of arrows.
        let folded: usize = n
            .iter()
            .filter_map(|t| {
                t.split_once(" heartbeat frames")
                    .and_then(|(c, _)| c.parse::<usize>().ok())
            })
            .sum();
        assert!(folded >= 8, "{n:#?}");
        let mut run = 0;
        for (_, _, t) in &a {
            run = if t == "PING" || t == "PONG" { run + 1 } else { 0 };
            assert!(run <= 4, "an unfolded run of heartbeats: {a:#?}");
        }
    }
    // What the server sent back, shown as it was, Mermaid syntax and all.
    let echoed = format!("EVENT \"echo\" {}", serde_json::to_string(HOSTILE).expect("json"));
    assert!(
        arrows(main).iter().any(|(d, _, t)| d == "in" && *t == echoed),
        "{:#?}",
        arrows(main)
    );
    assert!(
        arrows(bob)
            .iter()
            .any(|(d, _, t)| d == "in" && t == r#"EVENT "echo" "from bob""#)
    );
    assert!(!diagram.contains("%%") && !diagram.contains("<br>"), "{diagram}");

    // --filter picks what is drawn.
    let o = mermaid(path, &["--filter", "event:echo dir:in"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (_, body) = parse(&String::from_utf8_lossy(&o.stdout));
    let texts: Vec<String> = body
        .iter()
        .filter_map(|l| match l {
            Line::Arrow { from, text, .. } if from == "S" => Some(text.clone()),
            Line::Arrow { .. } => panic!("an arrow the filter does not let through: {l:?}"),
            Line::Note { .. } => None,
        })
        .collect();
    assert_eq!(texts, [echoed.clone(), r#"EVENT "echo" "from bob""#.to_string()]);
    let o = mermaid(path, &["--filter", "kind:"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        last_stderr_line(&o).starts_with("sio: --filter: at byte 5"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_har_file_as_a_sequence_diagram() {
    let o = mermaid(fixture("chrome.har").to_str().expect("path"), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (lanes, body) = parse(&String::from_utf8_lossy(&o.stdout));
    assert_eq!(lanes[0].1, "client lv_VI97HAXpY6yYWAAAC");
    assert!(body.contains(&Line::Note {
        lane: "C1".into(),
        text: "upgraded: lv_VI97HAXpY6yYWAAAC: polling → websocket".into()
    }));
    assert!(body.contains(&Line::Arrow {
        from: "S".into(),
        arrow: "-->>".into(),
        to: "C1".into(),
        text: "NOOP (over polling)".into()
    }));
    assert!(body.contains(&Line::Note {
        lane: "C1".into(),
        text: "6 heartbeat frames (3 ping, 3 pong), 20:26:40.060 to 20:26:40.080".into()
    }));
    // Firefox's HAR: two sessions, two lanes; what the HAR lacks is a note.
    let o = mermaid(fixture("firefox.har").to_str().expect("path"), &[]);
    let (lanes, body) = parse(&String::from_utf8_lossy(&o.stdout));
    assert_eq!(lanes.len(), 3, "{lanes:?}");
    assert!(
        body.iter()
            .any(|l| matches!(l, Line::Note { text, .. } if text.contains("WebSocket's messages are not in the HAR")))
    );
}
