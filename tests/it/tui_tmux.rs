//! `sio connect` driven in tmux as a person would: type, look at the screen.
//! tmux is installed by .ci/run when missing.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::node::{NodeServer, ServerKind};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str) -> Tmux {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let socket = format!("sio-test-{}-{n}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "36",
                "-s",
                "t",
                command,
            ])
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux must be installed (bash .ci/run installs it)");
        assert!(status.success(), "tmux did not start");
        Tmux { socket }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["-L", &self.socket, "send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux").args(&args).status().expect("tmux").success());
    }

    /// Typed literally (no key names).
    fn type_text(&self, text: &str) {
        assert!(
            Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", "t", "-l", text])
                .status()
                .expect("tmux")
                .success()
        );
    }

    /// Opens the command line, types `line` and runs it.
    fn command(&self, line: &str) {
        self.keys(&[":"]);
        self.type_text(line);
        self.keys(&["Enter"]);
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-t", "t", "-p"])
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `needle`, reading it again every 50 ms.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {needle:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).status();
    }
}

fn sio_command(url: &str, extra: &str) -> String {
    let home = std::env::temp_dir().join(format!("sio-tui-home-{}", std::process::id()));
    format!(
        "XDG_STATE_HOME={} {} connect {url} {extra}; echo SIO-EXIT=$?; sleep 60",
        home.display(),
        env!("CARGO_BIN_EXE_sio")
    )
}

#[test]
fn a_session_in_tmux() {
    let server = NodeServer::start(ServerKind::V4, &["--ping-interval", "700"]);
    let tmux = Tmux::start(&sio_command(&server.url(), ""));
    // The upgrade, the namespace, a heartbeat.
    tmux.wait_for("websocket (upgraded from polling)");
    tmux.wait_for("ns: / ✓");
    tmux.wait_for("PING");

    // Type an emit with an ack: the echo arrives and the ack shows its time.
    tmux.command("emit echo hi --ack");
    tmux.wait_for(r#"ack for "echo" after"#);
    tmux.wait_for(r#"EVENT "echo" "hi""#);

    // Join /admin without and with auth.
    tmux.command("join /admin");
    tmux.wait_for("/admin refused: not authorized");
    tmux.keys(&[":"]);
    tmux.type_text(r#"join /admin {"token":"secret"}"#);
    tmux.keys(&["Enter"]);
    tmux.wait_for("/admin ✓");

    // A typo is shown inline, the session goes on.
    tmux.command("emti x");
    tmux.wait_for("unknown command \"emti\"");
    tmux.keys(&["Escape"]);
    tmux.wait_for("j/k move");

    // Hide heartbeats: the filter is named in the list title.
    tmux.keys(&["H"]);
    tmux.wait_for("no heartbeats");

    // Help lists every key; q quits and restores the terminal.
    tmux.keys(&["?"]);
    tmux.wait_for("withhold / delay (3 s) heartbeat answers");
    // A lone Esc (not followed by another key at once, which reads as Alt).
    tmux.keys(&["Escape"]);
    tmux.wait_for("j/k move");
    tmux.keys(&["q"]);
    tmux.wait_for("SIO-EXIT=0");
}

#[test]
fn withheld_heartbeats_let_the_server_cut_and_sio_reconnect() {
    let server = NodeServer::start(ServerKind::V4, &["--ping-interval", "300", "--ping-timeout", "300"]);
    let tmux = Tmux::start(&sio_command(&server.url(), ""));
    tmux.wait_for("ns: / ✓");
    tmux.keys(&["w"]);
    tmux.wait_for("WITHHOLDING");
    tmux.wait_for("heartbeat withheld");
    tmux.wait_for("reconnecting");
    tmux.keys(&["w"]);
    tmux.wait_for("open");
    tmux.keys(&["q"]);
    tmux.wait_for("SIO-EXIT=0");
}

#[test]
fn demo_opens_the_ui_on_the_embedded_server() {
    let home = std::env::temp_dir().join(format!("sio-tui-home-{}", std::process::id()));
    let command = format!(
        "XDG_STATE_HOME={} {} demo; echo SIO-EXIT=$?; sleep 60",
        home.display(),
        env!("CARGO_BIN_EXE_sio")
    );
    let tmux = Tmux::start(&command);
    tmux.wait_for("websocket (upgraded from polling)");
    tmux.wait_for(r#"EVENT "tick""#);
    tmux.keys(&[":"]);
    tmux.type_text(r#"emit echo "hi" --ack"#);
    tmux.keys(&["Enter"]);
    tmux.wait_for(r#"ack for "echo" after"#);
    tmux.keys(&["q"]);
    tmux.wait_for("SIO-EXIT=0");
}

#[test]
fn replay_opens_a_recording_read_only() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let recording = std::env::temp_dir().join(format!("sio-replay-{}.ndjson", std::process::id()));
    let _ = std::fs::remove_file(&recording);
    let o = Command::new(env!("CARGO_BIN_EXE_sio"))
        .args([
            "emit",
            &server.url(),
            "echo",
            "recorded-for-replay",
            "--ack",
            "--record",
        ])
        .arg(&recording)
        .output()
        .expect("sio emit");
    assert_eq!(o.status.code(), Some(0));
    let command = format!(
        "{} replay {}; echo SIO-EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_sio"),
        recording.display()
    );
    let tmux = Tmux::start(&command);
    tmux.wait_for("replay");
    tmux.wait_for("recorded-for-replay");
    // A replay's command line takes `save FILE.sio`: the session as a script.
    let script = recording.with_extension("sio");
    let _ = std::fs::remove_file(&script);
    tmux.keys(&[":"]);
    tmux.type_text(&format!("save {}", script.display()));
    tmux.keys(&["Enter"]);
    tmux.wait_for("saved a script of");
    let written = std::fs::read_to_string(&script).expect("the script was written");
    assert!(
        written
            .lines()
            .any(|l| l.starts_with(r#"emit echo "recorded-for-replay" --ack "#)),
        "{written}"
    );
    // Nothing else runs there.
    tmux.keys(&[":"]);
    tmux.type_text("emit x");
    tmux.keys(&["Enter"]);
    tmux.wait_for("read-only: nothing to send to");
    // Search still works.
    tmux.keys(&["/"]);
    tmux.type_text("welcome");
    tmux.keys(&["Enter"]);
    tmux.wait_for("/welcome");
    tmux.keys(&["q"]);
    tmux.wait_for("SIO-EXIT=0");
}

#[test]
fn slash_takes_the_filter_language_and_percent_shows_the_statistics() {
    let recording = crate::filter_real::recording_path();
    let command = format!(
        "{} replay {}; echo SIO-EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_sio"),
        recording.display()
    );
    let tmux = Tmux::start(&command);
    tmux.wait_for("malformed: invalid payload");
    tmux.keys(&["/"]);
    tmux.type_text("event:echo -dir:in");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("/event:echo -dir:in hides");
    assert!(!screen.contains("↓ ws 42[\"echo\""), "{screen}");
    // A bad expression: the reason beside it, the last good filter still in force.
    tmux.keys(&["/"]);
    tmux.type_text(" or");
    tmux.wait_for("✗ at byte 21: expected a term after `or`, found the end");
    // A lone Esc clears it (one followed at once by a key reads as Alt).
    tmux.keys(&["Escape"]);
    tmux.wait_for("j/k move");
    tmux.keys(&["%"]);
    tmux.wait_for("statistics · by count");
    tmux.keys(&["o"]);
    tmux.wait_for("statistics · by bytes");
    tmux.keys(&["q"]);
    tmux.wait_for("SIO-EXIT=0");
}

/// A `sio listen` client in the background: a real client whose traffic the tap carries.
struct Client(std::process::Child);

impl Client {
    fn start(url: &str, transport: &str) -> Client {
        let child = Command::new(env!("CARGO_BIN_EXE_sio"))
            .args(["listen", url, "--transport", transport, "--for", "60s"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("sio listen");
        Client(child)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn tap_shows_each_session_and_cuts_one_from_its_command_line() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let port = crate::support::nginx::free_port();
    let recording = std::env::temp_dir().join(format!("sio-tap-tui-{}.ndjson", std::process::id()));
    let _ = std::fs::remove_file(&recording);
    let command = format!(
        "{} tap {} --listen 127.0.0.1:{port} --record {}; echo SIO-EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_sio"),
        server.url(),
        recording.display()
    );
    let tmux = Tmux::start(&command);
    tmux.wait_for("listening");
    let tap_url = format!("http://127.0.0.1:{port}");
    let _ws = Client::start(&tap_url, "websocket");
    let _polling = Client::start(&tap_url, "polling");
    // Both sessions, each row tagged with its session, both transports.
    tmux.wait_for("2 sessions live · 2 seen");
    tmux.wait_for("↓ ws 42[\"welcome\"");
    tmux.wait_for("↓ po 42[\"welcome\"");

    // The sessions list: pick the first; only its rows show, its state on the status bar.
    tmux.keys(&["C"]);
    let listed = tmux.wait_for("sessions: 2 live, 2 listed");
    assert!(listed.contains("websocket") && listed.contains("polling"), "{listed}");
    tmux.keys(&["Enter"]);
    // The list's title (the overlay's footer also says "only").
    let shown = tmux.wait_for(" only ─");
    let sid = shown
        .lines()
        .find_map(|l| l.split("· session ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the list title names the session shown")
        .to_string();
    assert!(shown.contains(&format!(" {sid} open from 127.0.0.1:")), "{shown}");

    // A tap command that names no known session is refused on the screen.
    tmux.command("cut nosuch");
    tmux.wait_for("no session \"nosuch\"");
    // `cut` with no sid cuts the session shown; its client makes a new one.
    tmux.command("cut");
    tmux.wait_for("session cut");
    tmux.wait_for(&format!(" {sid} cut from"));
    tmux.keys(&["c"]);
    tmux.wait_for("3 seen");
    tmux.keys(&["q"]);
    tmux.wait_for("SIO-EXIT=0");
    let recorded = std::fs::read_to_string(&recording).expect("the recording");
    assert!(
        recorded
            .lines()
            .any(|l| l.contains("\"session cut\"") && l.contains(&format!("\"conn\":\"{sid}\""))),
        "the cut is in the recording"
    );
}

#[test]
fn several_clients_see_a_room_broadcast_and_the_fanout_names_who_missed_it() {
    let server = NodeServer::start(ServerKind::V4, &[]);
    let recording = std::env::temp_dir().join(format!("sio-clients-tui-{}.ndjson", std::process::id()));
    let _ = std::fs::remove_file(&recording);
    let tmux = Tmux::start(&sio_command(
        &server.url(),
        &format!("--client bob --client carol --record {}", recording.display()),
    ));
    tmux.wait_for("carol open");
    // main and bob join r1; carol does not. The server says when each join is done.
    tmux.command("emit join \"r1\"");
    server.wait_for_log_containing("\"t\":\"join\"");
    tmux.command("bob: emit join \"r1\"");
    let deadline = Instant::now() + Duration::from_secs(15);
    while server
        .json_log()
        .iter()
        .filter(|l| l.contains("\"t\":\"join\""))
        .count()
        < 2
    {
        assert!(Instant::now() < deadline, "the server never saw two joins");
        std::thread::sleep(Duration::from_millis(20));
    }
    // main emits to the room: main and bob get it, carol does not.
    tmux.command("emit to {\"room\":\"r1\",\"event\":\"hello\",\"args\":[\"hi\"]}");
    tmux.wait_for("bob      ↓ ws 42[\"hello\",\"hi\"]");
    tmux.wait_for("main     ↓ ws 42[\"hello\",\"hi\"]");
    // Select main's emit (two rows up when follows; heartbeats hidden so nothing comes between).
    tmux.keys(&["H"]);
    tmux.wait_for("no heartbeats");
    tmux.keys(&["k"]);
    tmux.keys(&["k"]);
    tmux.keys(&["F"]);
    tmux.wait_for(" fan-out ");
    // Read once drawn whole (capture-pane can catch a frame half written).
    let fanout = tmux.wait_for("—  nothing");
    assert!(fanout.contains("main emitted at"), "{fanout}");
    assert!(fanout.contains("2 received by 2 client(s)"), "{fanout}");
    assert!(
        fanout.lines().any(|l| l.contains("carol") && l.contains("nothing")),
        "carol is named as the one that got nothing:\n{fanout}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("traffic");

    // bob from the clients' list: bob alone; the command line speaks as bob, and
    // main hears bob's to-others.
    tmux.keys(&["C"]);
    let listed = tmux.wait_for("clients: 3 live, 3 listed");
    let rows: Vec<&str> = listed
        .lines()
        .skip_while(|l| !l.contains("frames ↓/↑"))
        .skip(1)
        .take(3)
        .collect();
    let bob = rows
        .iter()
        .position(|l| l.contains(" bob "))
        .unwrap_or_else(|| panic!("bob is listed:\n{listed}"));
    for _ in 0..bob {
        tmux.keys(&["Down"]);
    }
    tmux.wait_for("▶ bob");
    tmux.keys(&["Enter"]);
    tmux.wait_for("client bob only");
    tmux.keys(&[":"]);
    tmux.wait_for("bob ▸ :");
    tmux.type_text("emit to-others {\"room\":\"r1\",\"event\":\"psst\"}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("bob: emitted \"to-others\"");
    tmux.keys(&["c"]);
    tmux.keys(&["G"]);
    tmux.wait_for("main     ↓ ws 42[\"psst\"]");
    assert!(!tmux.screen().contains("carol    ↓ ws 42[\"psst\"]"));
    tmux.keys(&["q"]);
    tmux.wait_for("SIO-EXIT=0");
    // Every record names its client, main's first ones included.
    let recorded = std::fs::read_to_string(&recording).expect("the recording");
    assert!(
        recorded.lines().next().is_some_and(|l| l.contains("\"conn\":\"main\"")),
        "{recorded}"
    );
    assert!(
        recorded
            .lines()
            .any(|l| l.contains("\"conn\":\"bob\"") && l.contains("to-others")),
        "bob's emit is bob's in the recording"
    );
}
