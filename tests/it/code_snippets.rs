//! `sio connect … --print-code js|python` prints code that opens the same
//! connection: the JavaScript snippet runs under Node with socket.io-client 4.8
//! and the Python one in the tests' venv with python-socketio, against a real
//! socket.io 4.8 server, which must see the auth, query, headers and cookies
//! (and the msgpack parser and the transport) the options asked for.

use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::script_cli::{sio, temp, text};
use crate::support::node::{NodeServer, ServerKind, node_program, peers_dir};
use crate::support::python::venv_python_command;

/// A snippet running; killed when dropped (it would wait for events forever).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The snippet `sio connect URL ARGS --print-code LANG` prints.
fn printed(url: &str, args: &[&str], lang: &str) -> String {
    let mut all = vec!["connect", url];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--print-code", lang]);
    let o = sio(&all, "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn run(mut command: Command) -> Running {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the snippet");
    Running(child)
}

fn run_js(code: &str, name: &str) -> Running {
    let file = temp(name);
    std::fs::write(&file, code).expect("write the snippet");
    let mut command = Command::new(node_program());
    // socket.io-client and the msgpack parser from the tests' own node_modules.
    command.arg(&file).env("NODE_PATH", peers_dir().join("node_modules"));
    run(command)
}

fn run_python(code: &str, name: &str) -> Running {
    let file = temp(name);
    std::fs::write(&file, code).expect("write the snippet");
    let mut command = venv_python_command();
    command.arg("-u").arg(&file);
    run(command)
}

/// Waits for the server's log of a socket on `nsp` whose auth has `who`, and returns it.
fn connected(server: &NodeServer, nsp: &str, who: &str) -> Value {
    let line = server.wait_for_log(&format!("{who} on {nsp}"), |l| {
        serde_json::from_str::<Value>(l)
            .is_ok_and(|v| v["t"] == "connect" && v["nsp"] == nsp && v["auth"]["who"] == who)
    });
    serde_json::from_str(&line).expect("a JSON log line")
}

const OPTIONS: [&str; 10] = [
    "-q",
    "team=blue",
    "-H",
    "X-Trace: abc 123",
    "--cookie",
    "flavour=oat",
    "--timeout",
    "5s",
    "--no-reconnect",
    "--path=/socket.io/",
];

fn check_seen(seen: &Value, transport: &str) {
    assert_eq!(seen["auth"]["token"], "secret", "{seen}");
    assert_eq!(seen["query"]["team"], "blue", "{seen}");
    assert_eq!(seen["headers"]["x-trace"], "abc 123", "{seen}");
    assert_eq!(seen["headers"]["cookie"], "flavour=oat", "{seen}");
    assert_eq!(seen["transport"], transport, "{seen}");
}

#[test]
fn printed_code_opens_the_same_connection_in_node_and_python() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let url = format!("{}/admin", server.url());
    let mut args = OPTIONS.to_vec();
    args.extend(["--auth", r#"{"token":"secret","who":"js"}"#]);
    let js = printed(&url, &args, "js");
    assert!(js.contains(r#"const socket = io(""#), "{js}");
    let _node = run_js(&js, "snippet.js");
    // socket.io-client starts with polling, the server's log names the first transport.
    check_seen(&connected(&server, "/admin", "js"), "polling");

    let mut args = OPTIONS.to_vec();
    args.extend(["--auth", r#"{"token":"secret","who":"py"}"#, "--transport", "websocket"]);
    let py = printed(&url, &args, "python");
    assert!(py.contains("socketio.AsyncClient("), "{py}");
    let _python = run_python(&py, "snippet.py");
    check_seen(&connected(&server, "/admin", "py"), "websocket");
}

#[test]
fn printed_code_speaks_msgpack_on_several_namespaces() {
    let server = NodeServer::start(ServerKind::V4, &["--parser", "msgpack"]);
    for (lang, who) in [("js", "js-msgpack"), ("python", "py-msgpack")] {
        let auth = format!(r#"{{"token":"secret","who":"{who}"}}"#);
        let code = printed(
            &server.url(),
            &["--parser", "msgpack", "-n", "/", "-n", "/admin", "--auth", &auth],
            lang,
        );
        let _running = match lang {
            "js" => run_js(&code, "snippet-msgpack.js"),
            _ => run_python(&code, "snippet-msgpack.py"),
        };
        // Both namespaces over one connection: the same Engine.IO session.
        let root = connected(&server, "/", who);
        let admin = connected(&server, "/admin", who);
        assert_eq!(root["sid"], admin["sid"], "{lang}: {root} {admin}");
    }
}
