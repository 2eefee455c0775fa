//! `sio demo` without a terminal: the embedded server, the scripted walkthrough.

use std::process::Command;

#[test]
fn the_walkthrough_passes_and_shows_the_wire() {
    let o = Command::new(env!("CARGO_BIN_EXE_sio"))
        .args(["demo", "--no-tui"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run sio demo");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("9 passed, 0 failed"), "{out}");
    for frame in [
        "↑ ws   2probe",
        "↓ ws   3probe",
        "↑ ws   5  UPGRADE",
        r#"EVENT "welcome" "hi""#,
        "BINARY_EVENT \"binary\"",
    ] {
        assert!(out.contains(frame), "missing {frame:?} in\n{out}");
    }
}
