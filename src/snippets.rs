//! The same connection in code: the socket.io-client (JavaScript) and
//! python-socketio snippets that open the connection sio's options describe
//! (URL, path, namespaces, transports, auth, headers and cookies, query,
//! parser, TLS, timeout, reconnection), so what works in sio can be pasted into
//! the app. Pure: options in, text out (`sio connect … --print-code`, and the
//! TUI's `e`).

use std::fmt::Write as _;

use serde_json::Value;

use crate::engine::{EioChoice, Options, TransportMode, normalise_namespace, target::Target};
use crate::proto::frame::Parser;

/// The languages a snippet is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// socket.io-client 4.x on Node.js (CommonJS).
    Js,
    /// python-socketio 5.x, its asyncio client (aiohttp).
    Python,
}

impl Lang {
    pub fn short(self) -> &'static str {
        match self {
            Lang::Js => "JavaScript",
            Lang::Python => "Python",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::Js => "JavaScript (socket.io-client)",
            Lang::Python => "Python (python-socketio)",
        }
    }
}

/// What a snippet needs, read from the options once.
struct Connection {
    /// `http(s)://host:port`.
    base: String,
    namespaces: Vec<String>,
    /// The Engine.IO path when it is not the default.
    path: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    transports: Option<&'static [&'static str]>,
    msgpack: bool,
    auth: Option<Value>,
    eio3: bool,
    insecure: bool,
    ca_cert: Option<String>,
    timeout_ms: u128,
    /// None: reconnect forever (both clients' default).
    reconnect: Option<Option<u32>>,
}

impl Connection {
    fn of(options: &Options) -> Result<Connection, String> {
        let target = Target::parse(&options.url)?;
        let scheme = if target.secure { "https" } else { "http" };
        let namespaces = if options.namespaces.is_empty() {
            vec![target.namespace.clone()]
        } else {
            options.namespaces.iter().map(|n| normalise_namespace(n)).collect()
        };
        let mut headers = options.headers.clone();
        if !options.cookies.is_empty() {
            headers.push(("Cookie".into(), options.cookies.join("; ")));
        }
        Ok(Connection {
            base: format!("{scheme}://{}", target.authority()),
            namespaces,
            path: (options.path != "/socket.io/" && options.path != "/socket.io").then(|| options.path.clone()),
            query: target.query.iter().chain(&options.query).cloned().collect(),
            headers,
            transports: match options.transport {
                TransportMode::Auto => None,
                TransportMode::Polling => Some(&["polling"]),
                TransportMode::Websocket => Some(&["websocket"]),
            },
            msgpack: options.parser == Parser::Msgpack,
            auth: options.auth.clone(),
            eio3: options.eio == EioChoice::V3,
            insecure: options.insecure,
            ca_cert: options.ca_cert.as_ref().map(|p| p.display().to_string()),
            timeout_ms: options.timeout.as_millis(),
            reconnect: match (options.reconnect, options.reconnect_attempts) {
                (false, _) => Some(Some(0)),
                (true, Some(n)) => Some(Some(n)),
                (true, None) => None,
            },
        })
    }
}

/// The snippet that opens the connection `options` describe.
pub fn snippet(options: &Options, lang: Lang) -> Result<String, String> {
    let c = Connection::of(options)?;
    Ok(match lang {
        Lang::Js => js(&c),
        Lang::Python => python(&c),
    })
}

fn json(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn string(s: &str) -> String {
    json(&Value::String(s.to_string()))
}

/// `{"a": "1", "b": "2"}` from pairs (a later pair of the same name wins, as on the wire).
fn object(pairs: &[(String, String)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn js(c: &Connection) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// sio's connection as socket.io-client code (Node.js).");
    if c.eio3 {
        let _ = writeln!(
            out,
            "// --eio 3: a Socket.IO 2.x server wants socket.io-client 2.x (npm install socket.io-client@2),\n\
             // which has no `auth`: pass it in the query instead."
        );
    }
    let parser = if c.msgpack { " socket.io-msgpack-parser" } else { "" };
    let _ = writeln!(out, "// npm install socket.io-client{parser}");
    let _ = writeln!(out, "const {{ io }} = require(\"socket.io-client\");");
    if c.msgpack {
        let _ = writeln!(out, "const msgpackParser = require(\"socket.io-msgpack-parser\");");
    }
    if c.ca_cert.is_some() {
        let _ = writeln!(out, "const fs = require(\"fs\");");
    }
    // Each option and, for some, why.
    let mut fields: Vec<(String, &str)> = Vec::new();
    let mut field = |code: String| fields.push((code, ""));
    if let Some(path) = &c.path {
        field(format!("path: {}", string(path)));
    }
    if let Some(t) = c.transports {
        field(format!("transports: {}", json(&serde_json::json!(t))));
    }
    if let Some(auth) = &c.auth {
        field(format!("auth: {}", json(auth)));
    }
    if !c.query.is_empty() {
        field(format!("query: {}", json(&object(&c.query))));
    }
    if !c.headers.is_empty() {
        field(format!("extraHeaders: {}", json(&object(&c.headers))));
    }
    if c.msgpack {
        field("parser: msgpackParser".into());
    }
    if c.insecure {
        field("rejectUnauthorized: false".into());
    }
    if let Some(ca) = &c.ca_cert {
        field(format!("ca: fs.readFileSync({})", string(ca)));
    }
    if c.timeout_ms != 20_000 {
        field(format!("timeout: {}", c.timeout_ms));
    }
    match c.reconnect {
        Some(Some(0)) => field("reconnection: false".into()),
        Some(Some(n)) => field(format!("reconnectionAttempts: {n}")),
        _ => {}
    }
    let _ = writeln!(out);
    for (code, why) in &mut fields {
        *why = match code.split(':').next() {
            Some("extraHeaders") => " // Node sends them on every request; a browser only with polling",
            Some("rejectUnauthorized") => " // like --insecure: for test servers only",
            _ => "",
        };
    }
    let _ = writeln!(out, "const options = {{");
    for (code, why) in &fields {
        let _ = writeln!(out, "  {code},{why}");
    }
    let _ = writeln!(out, "}};");
    let _ = writeln!(out);
    let urls: Vec<String> = c
        .namespaces
        .iter()
        .map(|n| {
            if n == "/" {
                c.base.clone()
            } else {
                format!("{}{n}", c.base)
            }
        })
        .collect();
    if let [url] = &urls[..] {
        let _ = writeln!(out, "const socket = io({}, options);", string(url));
        js_handlers(&mut out, "socket", "");
    } else {
        let _ = writeln!(
            out,
            "// One connection carries every namespace: io() shares it between these URLs."
        );
        let list: Vec<String> = urls.iter().map(|u| string(u)).collect();
        let _ = writeln!(
            out,
            "const sockets = [{}].map((url) => io(url, options));",
            list.join(", ")
        );
        let _ = writeln!(out, "for (const socket of sockets) {{");
        js_handlers(&mut out, "socket", "  ");
        let _ = writeln!(out, "}}");
    }
    out
}

fn js_handlers(out: &mut String, socket: &str, indent: &str) {
    let _ = writeln!(
        out,
        "{indent}{socket}.on(\"connect\", () => console.log(\"connected\", {socket}.nsp, {socket}.id));"
    );
    let _ = writeln!(
        out,
        "{indent}{socket}.on(\"connect_error\", (err) => console.error(\"connect_error\", {socket}.nsp, err.message));"
    );
    let _ = writeln!(
        out,
        "{indent}{socket}.on(\"disconnect\", (reason) => console.log(\"disconnect\", {socket}.nsp, reason));"
    );
    let _ = writeln!(
        out,
        "{indent}{socket}.onAny((event, ...args) => console.log({socket}.nsp, event, ...args));"
    );
}

/// A JSON value as a Python literal.
fn py(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(a) => format!("[{}]", a.iter().map(py).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", string(k), py(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn python(c: &Connection) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# sio's connection as python-socketio code (its asyncio client).");
    if c.eio3 {
        let _ = writeln!(
            out,
            "# --eio 3: a Socket.IO 2.x server wants python-socketio 4.x (pip install \"python-socketio<5\")."
        );
    }
    let extra = if c.msgpack { " msgpack" } else { "" };
    let _ = writeln!(out, "# pip install \"python-socketio[asyncio_client]\"{extra}");
    let _ = writeln!(out, "import asyncio");
    if c.ca_cert.is_some() {
        let _ = writeln!(out, "import ssl");
        let _ = writeln!(out);
        let _ = writeln!(out, "import aiohttp");
    }
    let _ = writeln!(out, "import socketio");
    let _ = writeln!(out);
    let _ = writeln!(out);
    let _ = writeln!(out, "async def main():");
    let mut client: Vec<String> = Vec::new();
    if let Some(ca) = &c.ca_cert {
        let _ = writeln!(out, "    tls = ssl.create_default_context(cafile={})", string(ca));
        let _ = writeln!(
            out,
            "    http_session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=tls))"
        );
        client.push("http_session=http_session".into());
    }
    match c.reconnect {
        Some(Some(0)) => client.push("reconnection=False".into()),
        Some(Some(n)) => client.push(format!("reconnection_attempts={n}")),
        _ => {}
    }
    if c.msgpack {
        client.push("serializer=\"msgpack\"".into());
    }
    if c.insecure {
        client.push("ssl_verify=False".into());
    }
    let _ = writeln!(out, "    sio = socketio.AsyncClient({})", client.join(", "));
    let _ = writeln!(out);
    let _ = writeln!(out, "    @sio.on(\"connect\", namespace=\"*\")");
    let _ = writeln!(out, "    async def connect(namespace):");
    let _ = writeln!(
        out,
        "        print(\"connected\", namespace, sio.get_sid(namespace), flush=True)"
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "    @sio.on(\"connect_error\", namespace=\"*\")");
    let _ = writeln!(out, "    async def connect_error(namespace, data=None):");
    let _ = writeln!(out, "        print(\"connect_error\", namespace, data, flush=True)");
    let _ = writeln!(out);
    let _ = writeln!(out, "    @sio.on(\"*\", namespace=\"*\")");
    let _ = writeln!(out, "    async def any_event(event, namespace, *args):");
    let _ = writeln!(out, "        print(namespace, event, *args, flush=True)");
    let _ = writeln!(out);
    // python-socketio takes the query as part of the URL.
    let mut url = c.base.clone();
    if !c.query.is_empty() {
        let mut encoded = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &c.query {
            encoded.append_pair(k, v);
        }
        let _ = write!(url, "?{}", encoded.finish());
    }
    let mut args: Vec<String> = vec![string(&url)];
    args.push(format!("namespaces={}", py(&serde_json::json!(c.namespaces))));
    if let Some(path) = &c.path {
        args.push(format!("socketio_path={}", string(path)));
    }
    if let Some(t) = c.transports {
        args.push(format!("transports={}", py(&serde_json::json!(t))));
    }
    if let Some(auth) = &c.auth {
        args.push(format!("auth={}", py(auth)));
    }
    if !c.headers.is_empty() {
        args.push(format!("headers={}", py(&object(&c.headers))));
    }
    // How long connect() waits for the namespaces (python-socketio's default is 1 s).
    args.push(format!(
        "wait_timeout={}",
        py(&serde_json::json!(c.timeout_ms as f64 / 1000.0))
    ));
    let _ = writeln!(out, "    await sio.connect(");
    for arg in &args {
        let _ = writeln!(out, "        {arg},");
    }
    let _ = writeln!(out, "    )");
    let _ = writeln!(out, "    await sio.wait()");
    let _ = writeln!(out);
    let _ = writeln!(out);
    let _ = writeln!(out, "asyncio.run(main())");
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;

    fn options() -> Options {
        Options {
            url: "https://example.com:8443/admin?room=r1".into(),
            path: "/ws/".into(),
            query: vec![("token".into(), "a b".into())],
            headers: vec![("X-Team".into(), "blue".into())],
            cookies: vec!["a=1; b=2".into()],
            transport: TransportMode::Websocket,
            parser: Parser::Msgpack,
            auth: Some(json!({"token": "secret", "ok": true, "n": null})),
            insecure: true,
            ca_cert: Some("certs/ca.pem".into()),
            timeout: Duration::from_secs(5),
            reconnect: false,
            ..Options::default()
        }
    }

    #[test]
    fn javascript_names_every_option() {
        let code = snippet(&options(), Lang::Js).expect("snippet");
        for part in [
            r#"const { io } = require("socket.io-client");"#,
            r#"const msgpackParser = require("socket.io-msgpack-parser");"#,
            r#"  path: "/ws/","#,
            r#"  transports: ["websocket"],"#,
            r#"  auth: {"token":"secret","ok":true,"n":null},"#,
            r#"  query: {"room":"r1","token":"a b"},"#,
            r#"  extraHeaders: {"X-Team":"blue","Cookie":"a=1; b=2"}, // Node sends"#,
            "  parser: msgpackParser,",
            "  rejectUnauthorized: false, // like --insecure: for test servers only",
            r#"const fs = require("fs");"#,
            r#"  ca: fs.readFileSync("certs/ca.pem"),"#,
            "  timeout: 5000,",
            "  reconnection: false,",
            r#"const socket = io("https://example.com:8443/admin", options);"#,
            "socket.onAny(",
        ] {
            assert!(code.contains(part), "{part:?} missing from\n{code}");
        }
    }

    #[test]
    fn python_names_every_option() {
        let code = snippet(&options(), Lang::Python).expect("snippet");
        for part in [
            "import socketio",
            r#"    tls = ssl.create_default_context(cafile="certs/ca.pem")"#,
            "    http_session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=tls))",
            r#"    sio = socketio.AsyncClient(http_session=http_session, reconnection=False, serializer="msgpack", ssl_verify=False)"#,
            r#"        "https://example.com:8443?room=r1&token=a+b","#,
            r#"        namespaces=["/admin"],"#,
            r#"        socketio_path="/ws/","#,
            r#"        transports=["websocket"],"#,
            r#"        auth={"token": "secret", "ok": True, "n": None},"#,
            r#"        headers={"X-Team": "blue", "Cookie": "a=1; b=2"},"#,
            "        wait_timeout=5.0,",
            "asyncio.run(main())",
        ] {
            assert!(code.contains(part), "{part:?} missing from\n{code}");
        }
    }

    #[test]
    fn defaults_stay_out_and_several_namespaces_share_one_connection() {
        let options = Options {
            url: "localhost:3000".into(),
            namespaces: vec!["/".into(), "admin".into()],
            ..Options::default()
        };
        let code = snippet(&options, Lang::Js).expect("snippet");
        assert!(code.contains("const options = {\n};"), "{code}");
        assert!(
            code.contains(r#"const sockets = ["http://localhost:3000", "http://localhost:3000/admin"].map((url) => io(url, options));"#),
            "{code}"
        );
        let code = snippet(&options, Lang::Python).expect("snippet");
        assert!(code.contains("    sio = socketio.AsyncClient()"), "{code}");
        assert!(code.contains(r#"        namespaces=["/", "/admin"],"#), "{code}");
        assert!(!code.contains("socketio_path"), "{code}");
        assert!(
            snippet(
                &Options {
                    url: "ftp://x".into(),
                    ..Options::default()
                },
                Lang::Js
            )
            .is_err()
        );
    }
}
