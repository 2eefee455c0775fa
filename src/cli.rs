//! The command line: one definition per flag feeds parsing, `--help` and the
//! completion scripts.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::proto::eio::EioVersion;
use crate::proto::frame;

#[derive(Debug, Parser)]
#[command(
    name = "sio",
    version,
    about = "See every Socket.IO and Engine.IO frame as it crossed the wire",
    long_about = "sio connects to any Socket.IO server (v2, v3, v4; Node, Python, Rust…) and shows every \
                  Engine.IO and Socket.IO frame beside its decoded meaning.\n\n\
                  Exit codes: 0 success, 1 a failure (malformed frame, failed connection…), 2 usage error."
)]
pub struct Cli {
    /// When to colour output: auto colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode frames offline and explain them part by part.
    #[command(after_help = "Examples:\n  sio decode '42/admin,7[\"chat\",{\"text\":\"hi\"}]'\n  \
                            sio decode --payload --eio 3 '97:0{...}2:40'\n  \
                            printf '451-[\"up\",{\"_placeholder\":true,\"num\":0}]\\n' | sio decode")]
    Decode(DecodeArgs),
    /// Connect and print what arrives, until Ctrl-C, --count events or --timeout.
    #[command(after_help = "Examples:\n  sio listen http://localhost:3000\n  \
                            sio listen http://localhost:3000/admin --auth '{\"token\":\"x\"}' --event chat --json\n  \
                            sio listen ws://localhost:3000 --transport websocket --frames")]
    Listen(Box<ListenArgs>),
    /// Connect, emit one event (optionally wait for its ack), print, exit.
    #[command(
        after_help = "Arguments are JSON values; bare words are strings; hex:0102 and base64:AQID are binary.\n\n\
                            Examples:\n  sio emit http://localhost:3000 chat '{\"text\":\"hi\"}'\n  \
                            sio emit http://localhost:3000 ping --ack 2s"
    )]
    Emit(Box<EmitArgs>),
    /// Run a script of commands (emit, join, leave, use, expect, ack, send, sleep, disconnect, reconnect, print).
    #[command(after_help = "One command per line; # starts a comment. Example script:\n  \
                            expect welcome\n  emit echo hello --ack 2s\n  join /admin {\"token\":\"secret\"}\n  \
                            use /admin\n  emit ping --ack\n\n\
                            Exit codes: 0 every line passed, 1 a line failed, 2 the script does not parse.")]
    Run(Box<RunArgs>),
    /// An interactive session; without a terminal (or with --no-tui), commands from stdin and records on stdout.
    Connect(Box<ConnectCmdArgs>),
    /// Print a recording (from --record, or a browser's HAR file) as listen would, its statistics (--stats), or a diagram.
    #[command(
        after_help = "Examples:\n  sio replay session.ndjson\n  sio replay app.har --frames\n  \
                            sio replay session.ndjson --format mermaid --filter '-kind:http'\n  \
                            sio replay session.ndjson --stats --sort bytes"
    )]
    Replay(ReplayArgs),
    /// Compare two recordings (from --record, or browsers' HAR files) event by event.
    #[command(
        long_about = "Compares two recordings (NDJSON written by --record, or HAR files) step by step: each \
                      Socket.IO packet, both ways, with its type, namespace, event and data (binary attachments \
                      included). What differs from run to run by nature is left out: times, sids, ack ids (an \
                      event still says whether it asked for an ack), socket ids and pids in CONNECT answers, \
                      the recovery offset appended to events when connection state recovery is on. Connections \
                      are paired in the order they first appear.\n\n\
                      Prints each step that was added (only in B), missing (only in A), reordered (in both, \
                      elsewhere) or changed (the same kind of step at the same place, other contents, with the \
                      paths that differ).\n\n\
                      Exit codes: 0 equal, 1 different, 2 a file that cannot be read as a recording.",
        after_help = "Examples:\n  sio diff before.ndjson after.ndjson\n  \
                      sio diff a.ndjson b.ndjson --ignore data.1.time --ignore 'data.*.id'\n  \
                      sio diff chrome.har sio-run.ndjson --eio --json"
    )]
    Diff(DiffArgs),
    /// Run a local Socket.IO server that prints every connection, event and disconnection.
    #[command(
        long_about = "Run a Socket.IO server (socketioxide) for debugging clients: it prints every connection, \
                      refusal, received event and disconnection. Socket.IO 3/4 clients (Engine.IO 4) and \
                      Socket.IO 2 clients (Engine.IO 3) both work.\n\n\
                      On \"/\": \"welcome\" on connect; \"echo\" sends its arguments back; any event sent with \
                      an ack is acked with its arguments; \"join\"/\"leave\" a room; \"to\" {room, event, args} \
                      emits to a room; \"flood\" {n, size} sends n \"flood\" events of size characters, then \
                      \"flood-done\" {\"n\": n} (its ack comes last, with {\"n\": n}); binary arguments stay \
                      binary; \"binary\" sends bytes 01 02 03; \"disconnect-me\" disconnects; \"tick\" {n, time} \
                      every second.\n\n\
                      \"/admin\" (same behaviour) admits only auth {\"token\": TOKEN}; others get CONNECT_ERROR \
                      \"not authorized\". Socket.IO 2 clients have no auth: they pass token=TOKEN in the query \
                      of the Engine.IO connection (new Manager(url, {query: {token}}).socket(\"/admin\")).\n\n\
                      Known limits of socketioxide 0.18: binary sent to Socket.IO 2 clients over HTTP long-polling \
                      is mis-encoded (use WebSocket for binary with them), and a query on a Socket.IO 2 namespace \
                      (io(url + \"/admin?token=x\")) is taken as part of the namespace name, which does not exist.",
        after_help = "Examples:\n  sio serve\n  sio serve --port 0 --json --no-tick\n  \
                      sio serve --transports websocket --ping-interval 5s --token hunter2"
    )]
    Serve(ServeArgs),
    /// A recording reverse proxy: point an app's client at it and see its own Socket.IO traffic, decoded.
    #[command(
        long_about = "Forwards every request to UPSTREAM and answers with the upstream's answer: Engine.IO \
                      polling, WebSocket upgrades (every frame both ways, as it came) and everything else \
                      (pages, /socket.io/socket.io.js) untouched. What passes is decoded per client session \
                      (named by its Engine.IO sid) and printed as `listen` prints: `in` is server to client, \
                      `out` client to server.\n\n\
                      Headers: hop-by-hop ones are dropped; Host becomes the upstream's; Origin and cookies \
                      pass as they came (a server with a CORS allow-list must allow the tap's origin); \
                      X-Forwarded-For and X-Forwarded-Proto are added; Sec-WebSocket-Extensions is removed so \
                      that no compression hides the frames. An upstream that does not answer gets the client a \
                      502 with a short plain body; the tap keeps serving.\n\n\
                      Lines on stdin act on a session from the middle: `cut SID` ends its transports \
                      (watch the client reconnect), `delay SID in|out DUR` holds every frame one way \
                      (watch heartbeats and ack timeouts; 0 ends it).",
        after_help = "Examples:\n  sio tap http://localhost:3000\n  \
                      sio tap http://localhost:3000 --listen 127.0.0.1:8080 --json --record app.ndjson"
    )]
    Tap(Box<TapArgs>),
    /// The server's side: sockets, rooms and events of a server instrumented for the Socket.IO Admin UI.
    #[command(
        long_about = "Connects to the namespace that @socket.io/admin-ui (Node: instrument(io, {auth, mode})) \
                      and python-socketio (sio.instrument(...)) serve for the Admin UI (default /admin) and \
                      shows the server's own state: its servers (one per node of a cluster), every socket \
                      (namespace, transport, address, headers, rooms, data), the rooms with their members, \
                      and in the server's development mode every event it received and sent, with counters \
                      per second. The connection options apply; the URL names the server (a path names the \
                      admin namespace, as --admin-namespace does).\n\n\
                      On a terminal, the TUI: a sockets view, a rooms view and an events view beside the \
                      admin connection's own traffic; operations on its command line (`:`), each confirmed \
                      first. Otherwise every admin event is printed as a record (`--json`: NDJSON; \
                      `state` \"admin\", the event in `data.event`), or `--snapshot` prints the current \
                      servers, sockets and rooms once and exits.\n\n\
                      With --no-tui, lines on stdin are operations, where the server's supportedFeatures \
                      allow them: `join ROOM TARGET`, `leave ROOM TARGET`, `disconnect TARGET [--close]`, \
                      `emit TARGET EVENT [ARG]...`; TARGET is a socket id, a room, * (every socket of the \
                      namespace) or --match TEXT (the listed sockets whose id, address, user agent, \
                      transport or rooms contain TEXT); -n NS picks the namespace (default: the socket's, \
                      else /). When stdin ends, sio waits --linger and exits.\n\n\
                      Exit codes: 0 done, 1 refused (wrong password, not instrumented, an operation the \
                      server does not allow) or the connection closed, 2 usage error, 130 Ctrl-C.",
        after_help = "Examples:\n  sio admin http://localhost:3000\n  \
                      sio admin http://localhost:3000 --user admin --password secret --snapshot --json | jq .sockets\n  \
                      echo 'disconnect --match curl' | sio admin http://localhost:3000 --no-tui"
    )]
    Admin(Box<AdminArgs>),
    /// Start the embedded server on a free port and connect to it: the quickest way to see sio work.
    #[command(
        long_about = "Starts the embedded Socket.IO server (as `sio serve`) on a free port and opens \
                            `sio connect` on it, in one process: watch the handshake, the upgrade, heartbeats \
                            and ticks, and type `emit echo \"hi\" --ack` at once. Without a terminal (or with \
                            --no-tui) it runs a short scripted walkthrough and prints every frame instead."
    )]
    Demo(DemoArgs),
    /// Diagnose a deployment: why a client cannot connect, or keeps disconnecting.
    #[command(
        long_about = "Runs a battery of probes against a Socket.IO deployment and prints one finding per line \
                      (✓ works, ⚠ works for some clients only, ✗ broken), the requests and answers that show it, \
                      and the fix in the words of socket.io, python-socketio, nginx and HAProxy: reachability \
                      (DNS, TCP, TLS and the certificate chain), the Engine.IO endpoint and path, the Engine.IO \
                      revisions taken (which client majors can connect), the server's make and handshake values, \
                      polling, WebSocket and the upgrade (a proxy that strips Upgrade), Origin and CORS, sticky \
                      sessions, the namespaces, packets per POST (python-engineio's limit of 16) and latency. \
                      --deep also holds an idle long-poll and WebSocket for a full pingInterval (a proxy timeout \
                      that cuts them). Each request waits at most 5 s (less with --timeout); a default run ends \
                      within about 15 s.\n\n\
                      Exit codes: 0 no ✗, 1 at least one ✗, 2 usage error.",
        after_help = "Examples:\n  sio doctor http://localhost:3000\n  \
                      sio doctor https://example.com/admin --auth '{\"token\":\"x\"}' --deep\n  \
                      sio doctor http://localhost:8080 --path /ws/ --json"
    )]
    Doctor(Box<DoctorArgs>),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of sio or of a subcommand, or write them all to a directory.
    #[command(after_help = "Examples:\n  sio man | man -l -\n  sio man connect | man -l -\n  \
                            sio man --dir ~/.local/share/man/man1   (then: man sio, man sio-connect)")]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (none: sio's own page).
    #[arg(value_name = "SUBCOMMAND")]
    pub command: Vec<String>,

    /// Write every page (sio.1, sio-connect.1, …) into DIR instead, making it when missing.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Frames to decode; one per line from standard input when none are given.
    pub frames: Vec<String>,

    /// Engine.IO protocol revision (3 for Socket.IO 2.x servers).
    #[arg(long, value_enum, default_value_t = EioArg::V4)]
    pub eio: EioArg,

    /// Treat each input as a whole polling body and split it into packets first.
    #[arg(long)]
    pub payload: bool,

    /// Inputs are hex bytes (spaces allowed): a binary frame or binary body.
    #[arg(long, conflicts_with = "base64")]
    pub hex: bool,

    /// Inputs are base64 bytes: a binary frame or binary body.
    #[arg(long)]
    pub base64: bool,

    /// Socket.IO packet encoding.
    #[arg(long, value_enum, default_value_t = ParserArg::Default)]
    pub parser: ParserArg,

    /// One JSON record per line instead of the explanation.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub filter: FilterArgs,

    /// Decode the Socket.IO traffic of a browser's HAR file (DevTools: Save all as HAR), or of a
    /// recording, instead of frames: every frame explained, with its session, direction and transport.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["frames", "payload", "hex", "base64", "eio"])]
    pub har: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EioArg {
    #[value(name = "3")]
    V3,
    #[value(name = "4")]
    V4,
}

impl From<EioArg> for EioVersion {
    fn from(a: EioArg) -> EioVersion {
        match a {
            EioArg::V3 => EioVersion::V3,
            EioArg::V4 => EioVersion::V4,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ParserArg {
    Default,
    Msgpack,
}

impl From<ParserArg> for frame::Parser {
    fn from(a: ParserArg) -> frame::Parser {
        match a {
            ParserArg::Default => frame::Parser::Default,
            ParserArg::Msgpack => frame::Parser::Msgpack,
        }
    }
}

/// How to reach a server; shared by every command that connects.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Server URL: http, https, ws or wss; a path names the namespace (http://h:3000/admin joins /admin).
    pub url: String,

    /// Namespace to join at start (repeatable); replaces the URL's namespace.
    #[arg(short = 'n', long = "namespace", value_name = "NS")]
    pub namespaces: Vec<String>,

    /// Engine.IO path on the server.
    #[arg(long, default_value = "/socket.io/")]
    pub path: String,

    /// Query parameter sent on every request (repeatable).
    #[arg(short = 'q', long = "query", value_name = "K=V", value_parser = parse_query)]
    pub query: Vec<(String, String)>,

    /// Header sent on every request and on the WebSocket handshake (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,

    /// Cookies to send, as `a=1; b=2` (repeatable); cookies the server sets are kept too.
    #[arg(long = "cookie", value_name = "COOKIES")]
    pub cookies: Vec<String>,

    /// auto: polling, then the WebSocket upgrade; or one transport only.
    #[arg(long, value_enum, default_value_t = TransportArg::Auto)]
    pub transport: TransportArg,

    /// Engine.IO revision: auto falls back to 3 for Socket.IO 2.x servers.
    #[arg(long, value_enum, default_value_t = EioChoiceArg::Auto)]
    pub eio: EioChoiceArg,

    /// Socket.IO packet encoding.
    #[arg(long, value_enum, default_value_t = ParserArg::Default)]
    pub parser: ParserArg,

    /// CONNECT auth payload (JSON), e.g. '{"token":"abc"}'.
    #[arg(long, value_name = "JSON", value_parser = parse_json)]
    pub auth: Option<serde_json::Value>,

    /// Answer every server ack request with an empty ack.
    #[arg(long)]
    pub auto_ack: bool,

    /// Do not reconnect when the connection breaks.
    #[arg(long)]
    pub no_reconnect: bool,

    /// Give up after this many reconnect attempts (default: never).
    #[arg(long, value_name = "N")]
    pub reconnect_attempts: Option<u32>,

    /// Keep retrying the first connection even when it fails for a reason that will not
    /// go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server).
    #[arg(long, conflicts_with_all = ["no_reconnect", "reconnect_attempts"])]
    pub retry_forever: bool,

    /// Time allowed for the Engine.IO handshake and for each namespace's CONNECT answer, e.g. 20s, 500ms.
    #[arg(long, default_value = "20s", value_parser = parse_duration)]
    pub timeout: std::time::Duration,

    /// Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000.
    #[arg(long, default_value = "32MiB", value_name = "SIZE", value_parser = parse_size)]
    pub max_payload: usize,

    /// Most packets in one polling POST (python-engineio refuses more than 16).
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub max_post_packets: usize,

    /// Accept any TLS certificate. Insecure: for test servers only.
    #[arg(long)]
    pub insecure: bool,

    /// Trust this PEM certificate (authority) in addition to the system's.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,

    /// Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit.
    #[arg(long, value_name = "FILE")]
    pub record: Option<std::path::PathBuf>,

    /// Keep auth payloads, Authorization and Cookie headers in the recording (masked by default).
    #[arg(long, requires = "record")]
    pub record_secrets: bool,
}

/// How records are printed.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// One JSON record per line.
    #[arg(long, conflicts_with = "raw")]
    pub json: bool,

    /// Only the raw frames, one per line.
    #[arg(long)]
    pub raw: bool,

    /// Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests).
    #[arg(long)]
    pub frames: bool,
}

impl OutputArgs {
    pub fn printer(&self, events: Vec<String>) -> crate::output::printer::Printer {
        use crate::output::printer::{Form, Printer};
        Printer {
            form: if self.json {
                Form::Json
            } else if self.raw {
                Form::Raw
            } else {
                Form::Human
            },
            frames: self.frames,
            events,
            filter: crate::filter::Filter::default(),
        }
    }
}

/// `--filter EXPR`: what is shown; shared by every command that shows records.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Show only the records that match EXPR (the filter language, as for `/` in the UI).
    /// It picks what is shown, never what is recorded: --record still keeps every record.
    #[arg(
        long,
        value_name = "EXPR",
        // `--filter -kind:heartbeat`: a negated term is the value, not a flag.
        allow_hyphen_values = true,
        long_help = "Show only the records that match EXPR, the language of `/` in the UI. It picks \
                     what is shown, never what is recorded (--record keeps every record, in order and \
                     unchanged), and it brings back nothing a command hides without it (the Engine.IO \
                     and transport layers need --frames).\n\n\
                     Terms separated by spaces must all hold; `or` between terms; `-` before a term \
                     negates it; parentheses group; `a|b` gives a field alternatives:\n  \
                     event:NAME (glob: event:chat*)   ns:/admin   dir:in|out   transport:polling|ws\n  \
                     kind:event|ack|connect|disconnect|error|heartbeat|upgrade|binary|http|state|malformed\n  \
                     client:NAME   sid:SID   ack:ID (ack:* any)\n  \
                     data.PATH=VALUE, data.PATH~TEXT on the decoded arguments (data.0.room=r1)\n  \
                     WORD or \"a phrase\": text in the raw frame or its meaning, any case\n  \
                     /REGEX/ (/REGEX/i ignores case)\n\n\
                     Example: --filter 'event:chat* -dir:out or kind:error'"
    )]
    pub filter: Option<String>,
}

impl FilterArgs {
    /// The parsed filter; a bad expression is reported (exit 2) with where it went wrong.
    pub fn parse(&self) -> Result<crate::filter::Filter, u8> {
        let text = self.filter.as_deref().unwrap_or("");
        crate::filter::Filter::parse(text).map_err(|e| {
            // The expression with a caret under the place, then the one-line reason (last).
            let before = text.get(..e.pos).unwrap_or(text);
            eprintln!("  {text}\n  {}^", " ".repeat(before.chars().count()));
            crate::commands::exit::fail(crate::commands::exit::USAGE, format!("--filter: {e}"))
        })
    }
}

#[derive(Debug, Args)]
pub struct EmitArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// The event name.
    pub event: String,

    /// Arguments: JSON values, bare words as strings, hex:… / base64:… as binary.
    #[arg(allow_negative_numbers = true)]
    pub args: Vec<String>,

    /// Wait this long (default 5s) for the ack and print it; a missing ack exits 1.
    #[arg(long, value_name = "DUR", num_args = 0..=1, default_missing_value = "5s", value_parser = parse_duration)]
    pub ack: Option<std::time::Duration>,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// The script file, or - for standard input.
    pub script: String,

    /// Run every line even after a failure, and report all.
    #[arg(long)]
    pub keep_going: bool,

    /// Write a JUnit XML report (one test case per expect, expect-none, expect-admin, emit --ack, client and admin line).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ConnectCmdArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Line mode even on a terminal: commands from stdin, records on stdout.
    #[arg(long)]
    pub no_tui: bool,

    /// Print the socket.io-client (js) or python-socketio (python) code that opens the same
    /// connection (URL, path, namespaces, transports, auth, headers, query, parser, TLS), and exit
    /// without connecting.
    #[arg(long, value_enum, value_name = "LANG")]
    pub print_code: Option<crate::snippets::Lang>,

    /// Records the UI holds in memory; older ones are let go (the --record file keeps all).
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub scrollback: usize,

    /// When stdin ends, wait at most this long for pending acks before disconnecting.
    #[arg(long, default_value = "2s", value_parser = parse_duration, value_name = "DUR")]
    pub linger: std::time::Duration,

    /// Also open the client NAME (repeatable), with the options above and its own CONNECT
    /// auth if given; commands go to it as `NAME: emit …`.
    #[arg(long = "client", value_name = "NAME[=AUTH_JSON]", value_parser = parse_client)]
    pub clients: Vec<(String, Option<serde_json::Value>)>,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first recording (NDJSON or HAR).
    pub a: std::path::PathBuf,

    /// The second recording, compared with the first.
    pub b: std::path::PathBuf,

    /// Also ignore this path of each step (repeatable): data.0.time, data.*.id, nsp, attachments.
    #[arg(long = "ignore", value_name = "PATH")]
    pub ignore: Vec<crate::diff::IgnorePath>,

    /// Compare the Engine.IO layer too: handshakes (without the sid), heartbeats, probes, the
    /// upgrade, noops, and the transport of each packet.
    #[arg(long)]
    pub eio: bool,

    /// One JSON object per difference, then a summary object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// A recording made with --record.
    pub file: std::path::PathBuf,

    /// Print instead of opening the terminal UI (the default when stdout is not a terminal).
    #[arg(long)]
    pub no_tui: bool,

    /// Only these events (repeatable).
    #[arg(long = "event", value_name = "NAME")]
    pub events: Vec<String>,

    /// Print a `.sio` script of what the session did (emits, acks, joins, leaves, the
    /// events that answered them as expects) for `sio run`, instead of the records.
    /// With --filter, of the matching records.
    #[arg(long, conflicts_with_all = ["json", "raw", "frames", "events", "stats"])]
    pub script: bool,
    /// Print statistics instead of the records: per event name and direction (count, bytes,
    /// rate now and at peak, first and last seen, acks asked and answered, p50/p95 ack
    /// delay), per namespace, per transport, heartbeats (intervals seen vs announced).
    /// With --filter, of the matching records; --json prints one JSON object.
    #[arg(long, conflicts_with_all = ["raw", "events"])]
    pub stats: bool,

    /// How --stats orders its rows.
    #[arg(long, value_enum, default_value_t = crate::stats::SortBy::Count, requires = "stats")]
    pub sort: crate::stats::SortBy,

    /// Print in another form: `mermaid`, a Mermaid sequenceDiagram of the session for a bug
    /// report (a lane per client connection and one for the server; each frame an arrow with
    /// its meaning; transports and the upgrade as notes; heartbeats folded).
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with_all = ["json", "raw"])]
    pub format: Option<ReplayFormat>,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    /// A Mermaid sequenceDiagram.
    Mermaid,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Also run the probes that take a heartbeat period or longer (idle long-poll, idle WebSocket).
    #[arg(long)]
    pub deep: bool,

    /// One JSON object per finding (id, verdict, summary, evidence, fix), one per line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Stop after this many events.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    /// Stop after this long, e.g. 30s.
    #[arg(long = "for", value_name = "DUR", value_parser = parse_duration)]
    pub duration: Option<std::time::Duration>,

    /// Only these events (repeatable).
    #[arg(long = "event", value_name = "NAME")]
    pub events: Vec<String>,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    Auto,
    Polling,
    Websocket,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EioChoiceArg {
    Auto,
    #[value(name = "3")]
    V3,
    #[value(name = "4")]
    V4,
}

pub(crate) fn parse_query(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("{s:?} is not k=v"))?;
    Ok((k.to_string(), v.to_string()))
}

pub(crate) fn parse_header(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once(':').ok_or_else(|| format!("{s:?} is not 'Name: value'"))?;
    let name = k.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("{name:?} is not a header name"));
    }
    Ok((name.to_string(), v.trim().to_string()))
}

/// `bob` or `bob={"user":"bob"}`.
fn parse_client(s: &str) -> Result<(String, Option<serde_json::Value>), String> {
    let (name, auth) = match s.split_once('=') {
        Some((name, auth)) => (name, Some(parse_json(auth)?)),
        None => (s, None),
    };
    crate::script::parse::check_client_name(name)?;
    if name == crate::script::parse::MAIN {
        return Err("\"main\" is the connection from the command line; pick another name".into());
    }
    Ok((name.to_string(), auth))
}

fn parse_json(s: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(s).map_err(|e| format!("not JSON: {e}"))
}

/// `20s`, `500ms`, `2m`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (number, unit) = match s.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 20s or 500ms"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("{s:?}: unit {unit:?} is not ms, s, m or h")),
    };
    if !secs.is_finite() || !(0.0..=1e9).contains(&secs) {
        return Err(format!("{s:?} is out of range"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// `32MiB`, `500kB`, `1000000` → bytes.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 32MiB, 500kB or 1000000"))?;
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "k" | "kB" | "KB" => 1000,
        "KiB" | "Ki" => 1024,
        "M" | "MB" => 1_000_000,
        "MiB" | "Mi" => 1024 * 1024,
        "G" | "GB" => 1_000_000_000,
        "GiB" | "Gi" => 1024 * 1024 * 1024,
        other => return Err(format!("{s:?}: unit {other:?} is not B, kB, KiB, MB, MiB, GB or GiB")),
    };
    let bytes = n.checked_mul(factor).ok_or_else(|| format!("{s:?} is too large"))?;
    if bytes == 0 {
        return Err(format!("{s:?}: the limit must be at least 1 byte"));
    }
    usize::try_from(bytes).map_err(|_| format!("{s:?} is too large"))
}

impl ConnectArgs {
    pub fn to_options(&self) -> crate::engine::Options {
        use crate::engine::{EioChoice, Options, TransportMode};
        if self.insecure {
            eprintln!(
                "sio: WARNING: --insecure: TLS certificates are not checked; anyone on the path can read and change this session"
            );
        }
        Options {
            url: self.url.clone(),
            namespaces: self.namespaces.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            cookies: self.cookies.clone(),
            transport: match self.transport {
                TransportArg::Auto => TransportMode::Auto,
                TransportArg::Polling => TransportMode::Polling,
                TransportArg::Websocket => TransportMode::Websocket,
            },
            eio: match self.eio {
                EioChoiceArg::Auto => EioChoice::Auto,
                EioChoiceArg::V3 => EioChoice::V3,
                EioChoiceArg::V4 => EioChoice::V4,
            },
            parser: self.parser.into(),
            auth: self.auth.clone(),
            auto_ack: self.auto_ack,
            reconnect: !self.no_reconnect,
            reconnect_attempts: self.reconnect_attempts,
            retry_forever: self.retry_forever,
            timeout: self.timeout,
            max_payload: self.max_payload,
            max_post_packets: self.max_post_packets.max(1),
            insecure: self.insecure,
            ca_cert: self.ca_cert.clone(),
            ..Options::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct TapArgs {
    /// The server to forward to: http(s)://host:port (a path prefix is kept).
    pub upstream: String,

    /// Address to listen on; port 0 picks a free one (printed on stderr). Anything but
    /// loopback exposes the proxy, and what it forwards, to the network (a warning is printed).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,

    /// How Socket.IO packets are encoded; without it, the default parser until binary frames show msgpack.
    #[arg(long, value_enum)]
    pub parser: Option<ParserArg>,

    /// Accept any TLS certificate from the upstream. Insecure: for test servers only.
    #[arg(long)]
    pub insecure: bool,

    /// Trust this PEM certificate (authority) for the upstream, in addition to the system's.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,

    /// Append every record to FILE as NDJSON, written within 5 ms of each record and in full before exit.
    #[arg(long, value_name = "FILE")]
    pub record: Option<std::path::PathBuf>,

    /// Keep auth payloads, Authorization and Cookie headers in the recording (masked by default).
    #[arg(long, requires = "record")]
    pub record_secrets: bool,

    /// Stop after this long, e.g. 30s.
    #[arg(long = "for", value_name = "DUR", value_parser = parse_duration)]
    pub duration: Option<std::time::Duration>,

    /// Print records even on a terminal (commands from stdin: cut SID, delay SID in|out DUR).
    #[arg(long)]
    pub no_tui: bool,

    /// Records the UI holds in memory; older ones are let go (the --record file keeps all).
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub scrollback: usize,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 3000)]
    pub port: u16,

    /// Address to bind. Anything but loopback exposes the server to the network (a warning is printed).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// The token "/admin" admits, sent as auth {"token": TOKEN}.
    #[arg(long, default_value = "secret")]
    pub token: String,

    /// Engine.IO path.
    #[arg(long, default_value = "/socket.io/")]
    pub path: String,

    /// How often the server pings, e.g. 25s.
    #[arg(long, default_value = "25s", value_parser = parse_duration)]
    pub ping_interval: std::time::Duration,

    /// How long the server waits for a pong, e.g. 20s.
    #[arg(long, default_value = "20s", value_parser = parse_duration)]
    pub ping_timeout: std::time::Duration,

    /// Transports clients may use, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "polling,websocket")]
    pub transports: Vec<ServeTransport>,

    /// No "tick" event every second.
    #[arg(long)]
    pub no_tick: bool,

    /// One JSON object per line instead of the human form.
    #[arg(long)]
    pub json: bool,

    /// Exit (code 0) when standard input ends, so a parent process owns the server's life.
    #[arg(long)]
    pub exit_on_stdin_eof: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ServeTransport {
    Polling,
    Websocket,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run the scripted walkthrough and print the frames, even on a terminal.
    #[arg(long)]
    pub no_tui: bool,

    /// How often the embedded server pings, e.g. 5s.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub ping_interval: std::time::Duration,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// The Admin UI's namespace on the server (admin-ui's namespaceName, python-socketio's namespace).
    #[arg(long, value_name = "NS")]
    pub admin_namespace: Option<String>,

    /// User name for the Admin UI's basic auth (sent with --password as the namespace auth {username, password}).
    #[arg(long, value_name = "NAME", requires = "password", conflicts_with = "auth")]
    pub user: Option<String>,

    /// Password for the Admin UI's basic auth.
    #[arg(
        long,
        value_name = "PASS",
        env = "SIO_ADMIN_PASSWORD",
        hide_env_values = true,
        requires = "user"
    )]
    pub password: Option<String>,

    /// Print the current servers, sockets and rooms once (after a full round of server reports) and exit.
    #[arg(long, conflicts_with = "no_tui")]
    pub snapshot: bool,

    /// Print records even on a terminal; lines on stdin are operations (see above).
    #[arg(long)]
    pub no_tui: bool,

    /// With --no-tui: when stdin ends, wait this long for the operations' effects, then exit.
    #[arg(long, default_value = "2s", value_parser = parse_duration, value_name = "DUR")]
    pub linger: std::time::Duration,

    /// Stop after this long, e.g. 30s.
    #[arg(long = "for", value_name = "DUR", value_parser = parse_duration)]
    pub duration: Option<std::time::Duration>,

    /// Sockets listed at most; more are counted, not kept.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub max_sockets: usize,

    /// Server events kept at most (development mode); older ones are let go.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_events: usize,

    /// Records the TUI holds in memory; older ones are let go (the --record file keeps all).
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub scrollback: usize,

    /// One JSON record per line (with --snapshot: one JSON object).
    #[arg(long)]
    pub json: bool,

    /// Also print the admin connection's own frames and HTTP requests.
    #[arg(long)]
    pub frames: bool,
}
