//! A session becomes a script: a run against socket.io 4.8 recorded with
//! `--record`, turned into a `.sio` script by `sio replay FILE --script`, passes
//! with `sio run` against the same server, and fails naming the line against
//! servers that answer otherwise (another welcome, an echo that comes late).

use crate::script_cli::{sio, temp, text};
use crate::support::node::{LOG_TIMEOUT, NodeServer, ServerKind};

/// What a user did by hand, as a script: two clients, acks asked and answered,
/// binary, a namespace joined with auth and left, a room, a broadcast.
const SESSION: &str = r#"client bob -q who=bob
expect welcome hi
emit echo hello {"a":1}
expect echo hello
emit ping 1 --ack
emit bin hex:0102 --ack
join /admin {"token":"secret"}
use /admin
expect welcome admin
emit ask
expect question
ack question yes
expect answered yes
use /
bob: emit join r1 --ack
emit join r1 --ack
bob: emit to-others {"room":"r1","event":"news","args":[{"from":"bob"}]}
expect news {"from":"bob"}
leave /admin
emit echo bye
expect echo bye
"#;

/// The 1-based number of the first line of `script` that starts with `prefix`.
fn line_of(script: &str, prefix: &str) -> usize {
    script
        .lines()
        .position(|l| l.starts_with(prefix))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in\n{script}"))
}

fn run_script(url: &str, script: &std::path::Path) -> std::process::Output {
    sio(&["run", url, script.to_str().expect("path")], "")
}

#[test]
fn a_recorded_session_becomes_a_script_that_passes_against_the_same_server() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let recording = temp("generate-session.ndjson");
    let o = sio(
        &[
            "run",
            &server.url(),
            "-",
            "--record",
            recording.to_str().expect("path"),
            "--record-secrets",
        ],
        SESSION,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let o = sio(&["replay", recording.to_str().expect("path"), "--script"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let script = String::from_utf8_lossy(&o.stdout).into_owned();
    // What the user did, in the language, with the answers as expects.
    for line in [
        "client bob -q who=bob",
        r#"expect welcome "hi" --within "#,
        r#"emit echo "hello" {"a":1}"#,
        r#"expect echo "hello" --within "#,
        "emit ping 1 --ack ",
        "emit bin hex:0102 --ack ",
        r#"join /admin {"token":"secret"}"#,
        "use /admin",
        r#"expect welcome "admin" --within "#,
        "emit ask",
        r#"expect question "q?" --within "#,
        r#"ack question "yes""#,
        r#"expect answered "yes" --within "#,
        r#"bob: emit join "r1" --ack "#,
        r#"emit join "r1" --ack "#,
        r#"bob: emit to-others {"room":"r1","event":"news","args":[{"from":"bob"}]}"#,
        r#"expect news {"from":"bob"} --within "#,
        "leave /admin",
        r#"expect echo "bye" --within "#,
    ] {
        line_of(&script, line);
    }
    assert!(
        script.contains(&format!("# run it: sio run {} FILE.sio", server.url())),
        "{script}"
    );
    // The end of the session is not a line: `sio run` disconnects by itself.
    assert!(!script.lines().any(|l| l.ends_with("disconnect")), "{script}");
    // The order is the session's: bob's broadcast comes after both joined the room.
    assert!(
        line_of(&script, r#"emit join "r1""#) < line_of(&script, "bob: emit to-others")
            && line_of(&script, "bob: emit to-others") < line_of(&script, "expect news"),
        "{script}"
    );
    let file = temp("generate-session.sio");
    std::fs::write(&file, &script).expect("write the script");

    let o = run_script(&server.url(), &file);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{script}\n{out}");
    let checks = script
        .lines()
        .filter(|l| l.contains("expect ") || l.contains("--ack "))
        .count()
        + 1; // the client line
    assert!(
        out.lines().any(|l| l
            .strip_suffix(" passed, 0 failed")
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n >= checks)),
        "{checks} checks\n{out}"
    );
    // The server's question was answered by name in both runs, though its ack id moved on.
    let is_answer = |l: &str| l.contains(r#""t":"answer""#) && l.contains(r#""args":["yes"]"#);
    let (first, _) = server
        .wait_for_log_from(0, LOG_TIMEOUT, is_answer)
        .expect("the recorded run's answer");
    assert!(
        server.wait_for_log_from(first + 1, LOG_TIMEOUT, is_answer).is_some(),
        "the script's run answered the question too"
    );

    // The same script against a server that welcomes otherwise: the line is named.
    fails_at(&["--welcome", "hello"], &script, &file, r#"expect welcome "hi""#, "");
    // And against one whose echo comes later than the margin allows.
    fails_at(
        &["--echo-delay", "3000"],
        &script,
        &file,
        r#"expect echo "hello""#,
        r#"no "echo" with "hello" on / within "#,
    );
}

/// Runs the script against a server started with `flags`: it fails at the line
/// that starts with `line`, and says so (`message` after the line's number) on
/// the last line of stderr.
fn fails_at(flags: &[&str], script: &str, file: &std::path::Path, line: &str, message: &str) {
    let server = NodeServer::start(ServerKind::V4, flags);
    let o = run_script(&server.url(), file);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let failed = line_of(script, line);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("sio: line {failed} (main) failed: {message}")),
        "{flags:?}: line {failed}: {}",
        text(&o)
    );
}
