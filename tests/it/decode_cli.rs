//! `sio decode` as a user runs it: arguments or stdin in, explanation or
//! records out, exit codes 0/1/2.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn sio(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sio"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sio");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    drop(pipe);
    child.wait_with_output().expect("sio exits")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn explains_an_event_part_by_part() {
    let o = sio(&["decode", r#"42/admin,7["chat",{"text":"hi"}]"#], None);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = stdout(&o);
    for expected in [
        "Engine.IO  message",
        "Socket.IO  EVENT",
        "namespace  /admin",
        "ack id 7",
        "event \"chat\", 1 argument",
        r#"= EVENT /admin "chat" #7 {"text":"hi"}"#,
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
}

#[test]
fn malformed_frame_exits_1_after_decoding_the_rest() {
    let o = sio(&["decode", "42[", "40", "3"], None);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("invalid payload at byte 3"), "{out}");
    assert!(out.contains("Socket.IO  CONNECT"), "later frames still decoded: {out}");
    assert!(out.contains("pong"), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(sio(&["decode", "--eio", "5", "40"], None).status.code(), Some(2));
    assert_eq!(sio(&["decode", "--bogus"], None).status.code(), Some(2));
    assert_eq!(sio(&["nope"], None).status.code(), Some(2));
    // The reason comes last on stderr, on one line, missing arguments named.
    let o = sio(&["tap"], None);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        stderr.lines().last(),
        Some("sio: bad arguments: the following required arguments were not provided: <UPSTREAM>"),
        "{stderr}"
    );
}

#[test]
fn json_records_from_stdin() {
    let o = sio(&["decode", "--json"], Some("40\n42[\"a\",1]\n\n2probe\n"));
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["kind"], "frame");
    assert_eq!(lines[0]["raw"]["text"], "40");
    assert_eq!(lines[0]["sio"]["type"], "CONNECT");
    assert_eq!(lines[1]["sio"]["event"], "a");
    assert_eq!(lines[1]["sio"]["data"], serde_json::json!(["a", 1]));
    assert_eq!(lines[2]["eio"]["type"], "ping");
    assert_eq!(lines[2]["eio"]["data"], "probe");
    assert_eq!(lines[2]["seq"], 2);
}

#[test]
fn binary_header_and_hex_attachment_reassemble() {
    let o = sio(
        &["decode", "--json"],
        Some("451-[\"upload\",{\"_placeholder\":true,\"num\":0}]\n"),
    );
    // The attachment never came: exit 1 and say so.
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("1 attachments announced, 0 received"),
        "{}",
        stdout(&o)
    );

    let header = r#"451-["upload",{"_placeholder":true,"num":0}]"#;
    let o = sio(&["decode", "--json", header], None);
    assert_eq!(o.status.code(), Some(1));
    let o = sio(&["decode", "--hex", "--json", "010203"], None);
    assert_eq!(o.status.code(), Some(1), "a stray attachment is malformed");
    assert!(
        stdout(&o).contains("got binary data when not reconstructing"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn payloads_split_into_records() {
    let o = sio(
        &[
            "decode",
            "--payload",
            "--json",
            "40{\"sid\":\"x\"}\u{1e}42[\"welcome\",\"hi\"]\u{1e}bAQID",
        ],
        None,
    );
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 3, "one record per packet");
    assert_eq!(o.status.code(), Some(1), "the stray attachment is malformed");
    assert_eq!(lines[2]["error"]["layer"], "binary");
    assert_eq!(lines[1]["sio"]["event"], "welcome");
    assert_eq!(lines[2]["raw"]["text"], "bAQID");
    assert_eq!(lines[2]["eio"]["binary"], true);

    let o = sio(
        &["decode", "--payload", "--eio", "3", "16:42[\"echo\",\"€😀\"]2:40"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("payload of 2 record(s)"));
    let o = sio(&["decode", "--payload", "--eio", "3", "6:4hello5:4world"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("\"d\" has no ':' after its length"),
        "{}",
        stdout(&o)
    );
    let o = sio(&["decode", "--payload", "--eio", "3", "2:40", "9:42[\"x\"]"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("length 9 runs past the end of the payload (7 left)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn v3_binary_payload_from_hex() {
    let mut body = vec![0x00, 0x03, 0x06, 0xff];
    body.extend_from_slice(br#"461-7[{"_placeholder":true,"num":0}]"#);
    body.extend_from_slice(&[0x01, 0x04, 0xff, 0x04, 0x01, 0x02, 0x03]);
    let hex: String = body.iter().map(|b| format!("{b:02x}")).collect();
    let o = sio(&["decode", "--payload", "--eio", "3", "--hex", "--json", &hex], None);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let last: serde_json::Value = serde_json::from_str(stdout(&o).lines().last().expect("line")).expect("json");
    assert_eq!(last["sio"]["type"], "BINARY_ACK");
    assert_eq!(last["sio"]["id"], 7);
    assert_eq!(last["sio"]["attachments"][0]["base64"], "AQID");
}

#[test]
fn bad_hex_is_reported_not_fatal() {
    let o = sio(&["decode", "--hex", "zz", "01"], None);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("\"zz\" is not hex"), "{out}");
}

#[test]
fn control_characters_from_frames_are_escaped() {
    let o = sio(&["decode", "42[\"\u{1b}]0;owned\u{7}\",1]"], None);
    let out = stdout(&o);
    assert!(!out.contains('\u{1b}'), "raw escape reached the terminal: {out:?}");
    assert!(out.contains("\\x1b"), "{out}");
}

#[test]
fn colour_only_when_asked() {
    let o = sio(&["decode", "--color", "always", "40"], None);
    assert!(stdout(&o).contains("\u{1b}["), "colour requested");
    let o = sio(&["decode", "40"], None);
    assert!(!stdout(&o).contains("\u{1b}["), "NO_COLOR and no terminal: no colour");
}

#[test]
fn msgpack_frames_decode() {
    // {type:2, data:["welcome","hi"], nsp:"/"} as the Node server sends it.
    let hex = "83a474797065 02 a464617461 92a777656c636f6d65a26869 a36e7370 a12f".replace(' ', "");
    let o = sio(&["decode", "--parser", "msgpack", "--hex", "--json", &hex], None);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let rec: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("json");
    assert_eq!(rec["sio"]["event"], "welcome");
}

#[test]
fn completions_are_up_to_date() {
    for (shell, file) in [
        ("bash", "sio.bash"),
        ("zsh", "sio.zsh"),
        ("fish", "sio.fish"),
        ("elvish", "sio.elvish"),
        ("powershell", "sio.powershell"),
    ] {
        let o = sio(&["completions", shell], None);
        assert_eq!(o.status.code(), Some(0));
        let path = format!("{}/completions/{file}", env!("CARGO_MANIFEST_DIR"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == stdout(&o),
            "completions/{file} is out of date: run `cargo run -q -- completions {shell} > completions/{file}`"
        );
    }
}
