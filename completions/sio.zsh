#compdef sio

autoload -U is-at-least

_sio() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_sio_commands" \
"*::: :->sio" \
&& ret=0
    case $state in
    (sio)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:sio-command-$line[1]:"
        case $line[1] in
            (decode)
_arguments "${_arguments_options[@]}" : \
'--eio=[Engine.IO protocol revision (3 for Socket.IO 2.x servers)]:EIO:(3 4)' \
'--parser=[Socket.IO packet encoding]:PARSER:(default msgpack)' \
'--filter=[Show only the records that match EXPR (the filter language, as for \`/\` in the UI). It picks what is shown, never what is recorded\: --record still keeps every record]:EXPR:_default' \
'(--payload --hex --base64 --eio)--har=[Decode the Socket.IO traffic of a browser'\''s HAR file (DevTools\: Save all as HAR), or of a recording, instead of frames\: every frame explained, with its session, direction and transport]:FILE:_files' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--payload[Treat each input as a whole polling body and split it into packets first]' \
'(--base64)--hex[Inputs are hex bytes (spaces allowed)\: a binary frame or binary body]' \
'--base64[Inputs are base64 bytes\: a binary frame or binary body]' \
'--json[One JSON record per line instead of the explanation]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'*::frames -- Frames to decode; one per line from standard input when none are given:_default' \
&& ret=0
;;
(listen)
_arguments "${_arguments_options[@]}" : \
'*-n+[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'*--namespace=[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'--path=[Engine.IO path on the server]:PATH:_default' \
'*-q+[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*--query=[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*-H+[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--header=[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--cookie=[Cookies to send, as \`a=1; b=2\` (repeatable); cookies the server sets are kept too]:COOKIES:_default' \
'--transport=[auto\: polling, then the WebSocket upgrade; or one transport only]:TRANSPORT:(auto polling websocket)' \
'--eio=[Engine.IO revision\: auto falls back to 3 for Socket.IO 2.x servers]:EIO:(auto 3 4)' \
'--parser=[Socket.IO packet encoding]:PARSER:(default msgpack)' \
'--auth=[CONNECT auth payload (JSON), e.g. '\''{"token"\:"abc"}'\'']:JSON:_default' \
'--reconnect-attempts=[Give up after this many reconnect attempts (default\: never)]:N:_default' \
'--timeout=[Time allowed for the Engine.IO handshake and for each namespace'\''s CONNECT answer, e.g. 20s, 500ms]:TIMEOUT:_default' \
'--max-payload=[Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000]:SIZE:_default' \
'--max-post-packets=[Most packets in one polling POST (python-engineio refuses more than 16)]:N:_default' \
'--ca-cert=[Trust this PEM certificate (authority) in addition to the system'\''s]:FILE:_files' \
'--record=[Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit]:FILE:_files' \
'--count=[Stop after this many events]:N:_default' \
'--for=[Stop after this long, e.g. 30s]:DUR:_default' \
'*--event=[Only these events (repeatable)]:NAME:_default' \
'--filter=[Show only the records that match EXPR (the filter language, as for \`/\` in the UI). It picks what is shown, never what is recorded\: --record still keeps every record]:EXPR:_default' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--auto-ack[Answer every server ack request with an empty ack]' \
'--no-reconnect[Do not reconnect when the connection breaks]' \
'(--no-reconnect --reconnect-attempts)--retry-forever[Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)]' \
'--insecure[Accept any TLS certificate. Insecure\: for test servers only]' \
'--record-secrets[Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)]' \
'(--raw)--json[One JSON record per line]' \
'--raw[Only the raw frames, one per line]' \
'--frames[Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':url -- Server URL\: http, https, ws or wss; a path names the namespace (http\://h\:3000/admin joins /admin):_default' \
&& ret=0
;;
(emit)
_arguments "${_arguments_options[@]}" : \
'*-n+[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'*--namespace=[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'--path=[Engine.IO path on the server]:PATH:_default' \
'*-q+[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*--query=[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*-H+[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--header=[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--cookie=[Cookies to send, as \`a=1; b=2\` (repeatable); cookies the server sets are kept too]:COOKIES:_default' \
'--transport=[auto\: polling, then the WebSocket upgrade; or one transport only]:TRANSPORT:(auto polling websocket)' \
'--eio=[Engine.IO revision\: auto falls back to 3 for Socket.IO 2.x servers]:EIO:(auto 3 4)' \
'--parser=[Socket.IO packet encoding]:PARSER:(default msgpack)' \
'--auth=[CONNECT auth payload (JSON), e.g. '\''{"token"\:"abc"}'\'']:JSON:_default' \
'--reconnect-attempts=[Give up after this many reconnect attempts (default\: never)]:N:_default' \
'--timeout=[Time allowed for the Engine.IO handshake and for each namespace'\''s CONNECT answer, e.g. 20s, 500ms]:TIMEOUT:_default' \
'--max-payload=[Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000]:SIZE:_default' \
'--max-post-packets=[Most packets in one polling POST (python-engineio refuses more than 16)]:N:_default' \
'--ca-cert=[Trust this PEM certificate (authority) in addition to the system'\''s]:FILE:_files' \
'--record=[Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit]:FILE:_files' \
'--ack=[Wait this long (default 5s) for the ack and print it; a missing ack exits 1]::DUR:_default' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--auto-ack[Answer every server ack request with an empty ack]' \
'--no-reconnect[Do not reconnect when the connection breaks]' \
'(--no-reconnect --reconnect-attempts)--retry-forever[Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)]' \
'--insecure[Accept any TLS certificate. Insecure\: for test servers only]' \
'--record-secrets[Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)]' \
'(--raw)--json[One JSON record per line]' \
'--raw[Only the raw frames, one per line]' \
'--frames[Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)]' \
'-h[Print help]' \
'--help[Print help]' \
':url -- Server URL\: http, https, ws or wss; a path names the namespace (http\://h\:3000/admin joins /admin):_default' \
':event -- The event name:_default' \
'*::args -- Arguments\: JSON values, bare words as strings, hex\:… / base64\:… as binary:_default' \
&& ret=0
;;
(run)
_arguments "${_arguments_options[@]}" : \
'*-n+[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'*--namespace=[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'--path=[Engine.IO path on the server]:PATH:_default' \
'*-q+[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*--query=[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*-H+[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--header=[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--cookie=[Cookies to send, as \`a=1; b=2\` (repeatable); cookies the server sets are kept too]:COOKIES:_default' \
'--transport=[auto\: polling, then the WebSocket upgrade; or one transport only]:TRANSPORT:(auto polling websocket)' \
'--eio=[Engine.IO revision\: auto falls back to 3 for Socket.IO 2.x servers]:EIO:(auto 3 4)' \
'--parser=[Socket.IO packet encoding]:PARSER:(default msgpack)' \
'--auth=[CONNECT auth payload (JSON), e.g. '\''{"token"\:"abc"}'\'']:JSON:_default' \
'--reconnect-attempts=[Give up after this many reconnect attempts (default\: never)]:N:_default' \
'--timeout=[Time allowed for the Engine.IO handshake and for each namespace'\''s CONNECT answer, e.g. 20s, 500ms]:TIMEOUT:_default' \
'--max-payload=[Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000]:SIZE:_default' \
'--max-post-packets=[Most packets in one polling POST (python-engineio refuses more than 16)]:N:_default' \
'--ca-cert=[Trust this PEM certificate (authority) in addition to the system'\''s]:FILE:_files' \
'--record=[Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit]:FILE:_files' \
'--junit=[Write a JUnit XML report (one test case per expect, expect-none, expect-admin, emit --ack, client and admin line)]:FILE:_files' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--auto-ack[Answer every server ack request with an empty ack]' \
'--no-reconnect[Do not reconnect when the connection breaks]' \
'(--no-reconnect --reconnect-attempts)--retry-forever[Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)]' \
'--insecure[Accept any TLS certificate. Insecure\: for test servers only]' \
'--record-secrets[Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)]' \
'--keep-going[Run every line even after a failure, and report all]' \
'(--raw)--json[One JSON record per line]' \
'--raw[Only the raw frames, one per line]' \
'--frames[Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)]' \
'-h[Print help]' \
'--help[Print help]' \
':url -- Server URL\: http, https, ws or wss; a path names the namespace (http\://h\:3000/admin joins /admin):_default' \
':script -- The script file, or - for standard input:_default' \
&& ret=0
;;
(connect)
_arguments "${_arguments_options[@]}" : \
'*-n+[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'*--namespace=[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'--path=[Engine.IO path on the server]:PATH:_default' \
'*-q+[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*--query=[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*-H+[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--header=[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--cookie=[Cookies to send, as \`a=1; b=2\` (repeatable); cookies the server sets are kept too]:COOKIES:_default' \
'--transport=[auto\: polling, then the WebSocket upgrade; or one transport only]:TRANSPORT:(auto polling websocket)' \
'--eio=[Engine.IO revision\: auto falls back to 3 for Socket.IO 2.x servers]:EIO:(auto 3 4)' \
'--parser=[Socket.IO packet encoding]:PARSER:(default msgpack)' \
'--auth=[CONNECT auth payload (JSON), e.g. '\''{"token"\:"abc"}'\'']:JSON:_default' \
'--reconnect-attempts=[Give up after this many reconnect attempts (default\: never)]:N:_default' \
'--timeout=[Time allowed for the Engine.IO handshake and for each namespace'\''s CONNECT answer, e.g. 20s, 500ms]:TIMEOUT:_default' \
'--max-payload=[Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000]:SIZE:_default' \
'--max-post-packets=[Most packets in one polling POST (python-engineio refuses more than 16)]:N:_default' \
'--ca-cert=[Trust this PEM certificate (authority) in addition to the system'\''s]:FILE:_files' \
'--record=[Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit]:FILE:_files' \
'--print-code=[Print the socket.io-client (js) or python-socketio (python) code that opens the same connection (URL, path, namespaces, transports, auth, headers, query, parser, TLS), and exit without connecting]:LANG:((js\:"socket.io-client 4.x on Node.js (CommonJS)"
python\:"python-socketio 5.x, its asyncio client (aiohttp)"))' \
'--scrollback=[Records the UI holds in memory; older ones are let go (the --record file keeps all)]:N:_default' \
'--linger=[When stdin ends, wait at most this long for pending acks before disconnecting]:DUR:_default' \
'*--client=[Also open the client NAME (repeatable), with the options above and its own CONNECT auth if given; commands go to it as \`NAME\: emit …\`]:NAME[=AUTH_JSON]:_default' \
'--filter=[Show only the records that match EXPR (the filter language, as for \`/\` in the UI). It picks what is shown, never what is recorded\: --record still keeps every record]:EXPR:_default' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--auto-ack[Answer every server ack request with an empty ack]' \
'--no-reconnect[Do not reconnect when the connection breaks]' \
'(--no-reconnect --reconnect-attempts)--retry-forever[Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)]' \
'--insecure[Accept any TLS certificate. Insecure\: for test servers only]' \
'--record-secrets[Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)]' \
'--no-tui[Line mode even on a terminal\: commands from stdin, records on stdout]' \
'(--raw)--json[One JSON record per line]' \
'--raw[Only the raw frames, one per line]' \
'--frames[Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':url -- Server URL\: http, https, ws or wss; a path names the namespace (http\://h\:3000/admin joins /admin):_default' \
&& ret=0
;;
(replay)
_arguments "${_arguments_options[@]}" : \
'*--event=[Only these events (repeatable)]:NAME:_default' \
'--sort=[How --stats orders its rows]:SORT:((count\:"Most frequent first"
bytes\:"Most bytes first"
name\:"By name"
rate\:"Busiest now first (events; the others by count)"
last\:"Most recently seen first (events; the others by count)"))' \
'(--json --raw)--format=[Print in another form\: \`mermaid\`, a Mermaid sequenceDiagram of the session for a bug report (a lane per client connection and one for the server; each frame an arrow with its meaning; transports and the upgrade as notes; heartbeats folded)]:FORMAT:((mermaid\:"A Mermaid sequenceDiagram"))' \
'--filter=[Show only the records that match EXPR (the filter language, as for \`/\` in the UI). It picks what is shown, never what is recorded\: --record still keeps every record]:EXPR:_default' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--no-tui[Print instead of opening the terminal UI (the default when stdout is not a terminal)]' \
'(--json --raw --frames --event --stats)--script[Print a \`.sio\` script of what the session did (emits, acks, joins, leaves, the events that answered them as expects) for \`sio run\`, instead of the records. With --filter, of the matching records]' \
'(--raw --event)--stats[Print statistics instead of the records\: per event name and direction (count, bytes, rate now and at peak, first and last seen, acks asked and answered, p50/p95 ack delay), per namespace, per transport, heartbeats (intervals seen vs announced). With --filter, of the matching records; --json prints one JSON object]' \
'(--raw)--json[One JSON record per line]' \
'--raw[Only the raw frames, one per line]' \
'--frames[Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':file -- A recording made with --record:_files' \
&& ret=0
;;
(diff)
_arguments "${_arguments_options[@]}" : \
'*--ignore=[Also ignore this path of each step (repeatable)\: data.0.time, data.*.id, nsp, attachments]:PATH:_default' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--eio[Compare the Engine.IO layer too\: handshakes (without the sid), heartbeats, probes, the upgrade, noops, and the transport of each packet]' \
'--json[One JSON object per difference, then a summary object]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':a -- The first recording (NDJSON or HAR):_files' \
':b -- The second recording, compared with the first:_files' \
&& ret=0
;;
(serve)
_arguments "${_arguments_options[@]}" : \
'--port=[Port to listen on; 0 picks a free one]:PORT:_default' \
'--host=[Address to bind. Anything but loopback exposes the server to the network (a warning is printed)]:HOST:_default' \
'--token=[The token "/admin" admits, sent as auth {"token"\: TOKEN}]:TOKEN:_default' \
'--path=[Engine.IO path]:PATH:_default' \
'--ping-interval=[How often the server pings, e.g. 25s]:PING_INTERVAL:_default' \
'--ping-timeout=[How long the server waits for a pong, e.g. 20s]:PING_TIMEOUT:_default' \
'*--transports=[Transports clients may use, comma-separated]:TRANSPORTS:(polling websocket)' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--no-tick[No "tick" event every second]' \
'--json[One JSON object per line instead of the human form]' \
'--exit-on-stdin-eof[Exit (code 0) when standard input ends, so a parent process owns the server'\''s life]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(tap)
_arguments "${_arguments_options[@]}" : \
'--listen=[Address to listen on; port 0 picks a free one (printed on stderr). Anything but loopback exposes the proxy, and what it forwards, to the network (a warning is printed)]:ADDR:PORT:_default' \
'--parser=[How Socket.IO packets are encoded; without it, the default parser until binary frames show msgpack]:PARSER:(default msgpack)' \
'--ca-cert=[Trust this PEM certificate (authority) for the upstream, in addition to the system'\''s]:FILE:_files' \
'--record=[Append every record to FILE as NDJSON, written within 5 ms of each record and in full before exit]:FILE:_files' \
'--for=[Stop after this long, e.g. 30s]:DUR:_default' \
'--scrollback=[Records the UI holds in memory; older ones are let go (the --record file keeps all)]:N:_default' \
'--filter=[Show only the records that match EXPR (the filter language, as for \`/\` in the UI). It picks what is shown, never what is recorded\: --record still keeps every record]:EXPR:_default' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--insecure[Accept any TLS certificate from the upstream. Insecure\: for test servers only]' \
'--record-secrets[Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)]' \
'--no-tui[Print records even on a terminal (commands from stdin\: cut SID, delay SID in|out DUR)]' \
'(--raw)--json[One JSON record per line]' \
'--raw[Only the raw frames, one per line]' \
'--frames[Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':upstream -- The server to forward to\: http(s)\://host\:port (a path prefix is kept):_default' \
&& ret=0
;;
(admin)
_arguments "${_arguments_options[@]}" : \
'*-n+[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'*--namespace=[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'--path=[Engine.IO path on the server]:PATH:_default' \
'*-q+[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*--query=[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*-H+[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--header=[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--cookie=[Cookies to send, as \`a=1; b=2\` (repeatable); cookies the server sets are kept too]:COOKIES:_default' \
'--transport=[auto\: polling, then the WebSocket upgrade; or one transport only]:TRANSPORT:(auto polling websocket)' \
'--eio=[Engine.IO revision\: auto falls back to 3 for Socket.IO 2.x servers]:EIO:(auto 3 4)' \
'--parser=[Socket.IO packet encoding]:PARSER:(default msgpack)' \
'--auth=[CONNECT auth payload (JSON), e.g. '\''{"token"\:"abc"}'\'']:JSON:_default' \
'--reconnect-attempts=[Give up after this many reconnect attempts (default\: never)]:N:_default' \
'--timeout=[Time allowed for the Engine.IO handshake and for each namespace'\''s CONNECT answer, e.g. 20s, 500ms]:TIMEOUT:_default' \
'--max-payload=[Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000]:SIZE:_default' \
'--max-post-packets=[Most packets in one polling POST (python-engineio refuses more than 16)]:N:_default' \
'--ca-cert=[Trust this PEM certificate (authority) in addition to the system'\''s]:FILE:_files' \
'--record=[Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit]:FILE:_files' \
'--admin-namespace=[The Admin UI'\''s namespace on the server (admin-ui'\''s namespaceName, python-socketio'\''s namespace)]:NS:_default' \
'(--auth)--user=[User name for the Admin UI'\''s basic auth (sent with --password as the namespace auth {username, password})]:NAME:_default' \
'--password=[Password for the Admin UI'\''s basic auth]:PASS:_default' \
'--linger=[With --no-tui\: when stdin ends, wait this long for the operations'\'' effects, then exit]:DUR:_default' \
'--for=[Stop after this long, e.g. 30s]:DUR:_default' \
'--max-sockets=[Sockets listed at most; more are counted, not kept]:N:_default' \
'--max-events=[Server events kept at most (development mode); older ones are let go]:N:_default' \
'--scrollback=[Records the TUI holds in memory; older ones are let go (the --record file keeps all)]:N:_default' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--auto-ack[Answer every server ack request with an empty ack]' \
'--no-reconnect[Do not reconnect when the connection breaks]' \
'(--no-reconnect --reconnect-attempts)--retry-forever[Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)]' \
'--insecure[Accept any TLS certificate. Insecure\: for test servers only]' \
'--record-secrets[Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)]' \
'(--no-tui)--snapshot[Print the current servers, sockets and rooms once (after a full round of server reports) and exit]' \
'--no-tui[Print records even on a terminal; lines on stdin are operations (see above)]' \
'--json[One JSON record per line (with --snapshot\: one JSON object)]' \
'--frames[Also print the admin connection'\''s own frames and HTTP requests]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':url -- Server URL\: http, https, ws or wss; a path names the namespace (http\://h\:3000/admin joins /admin):_default' \
&& ret=0
;;
(demo)
_arguments "${_arguments_options[@]}" : \
'--ping-interval=[How often the embedded server pings, e.g. 5s]:PING_INTERVAL:_default' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--no-tui[Run the scripted walkthrough and print the frames, even on a terminal]' \
'(--raw)--json[One JSON record per line]' \
'--raw[Only the raw frames, one per line]' \
'--frames[Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(doctor)
_arguments "${_arguments_options[@]}" : \
'*-n+[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'*--namespace=[Namespace to join at start (repeatable); replaces the URL'\''s namespace]:NS:_default' \
'--path=[Engine.IO path on the server]:PATH:_default' \
'*-q+[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*--query=[Query parameter sent on every request (repeatable)]:K=V:_default' \
'*-H+[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--header=[Header sent on every request and on the WebSocket handshake (repeatable)]:NAME: VALUE:_default' \
'*--cookie=[Cookies to send, as \`a=1; b=2\` (repeatable); cookies the server sets are kept too]:COOKIES:_default' \
'--transport=[auto\: polling, then the WebSocket upgrade; or one transport only]:TRANSPORT:(auto polling websocket)' \
'--eio=[Engine.IO revision\: auto falls back to 3 for Socket.IO 2.x servers]:EIO:(auto 3 4)' \
'--parser=[Socket.IO packet encoding]:PARSER:(default msgpack)' \
'--auth=[CONNECT auth payload (JSON), e.g. '\''{"token"\:"abc"}'\'']:JSON:_default' \
'--reconnect-attempts=[Give up after this many reconnect attempts (default\: never)]:N:_default' \
'--timeout=[Time allowed for the Engine.IO handshake and for each namespace'\''s CONNECT answer, e.g. 20s, 500ms]:TIMEOUT:_default' \
'--max-payload=[Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000]:SIZE:_default' \
'--max-post-packets=[Most packets in one polling POST (python-engineio refuses more than 16)]:N:_default' \
'--ca-cert=[Trust this PEM certificate (authority) in addition to the system'\''s]:FILE:_files' \
'--record=[Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit]:FILE:_files' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--auto-ack[Answer every server ack request with an empty ack]' \
'--no-reconnect[Do not reconnect when the connection breaks]' \
'(--no-reconnect --reconnect-attempts)--retry-forever[Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)]' \
'--insecure[Accept any TLS certificate. Insecure\: for test servers only]' \
'--record-secrets[Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)]' \
'--deep[Also run the probes that take a heartbeat period or longer (idle long-poll, idle WebSocket)]' \
'--json[One JSON object per finding (id, verdict, summary, evidence, fix), one per line]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':url -- Server URL\: http, https, ws or wss; a path names the namespace (http\://h\:3000/admin joins /admin):_default' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'-h[Print help]' \
'--help[Print help]' \
':shell:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
'()--dir=[Write every page (sio.1, sio-connect.1, …) into DIR instead, making it when missing]:DIR:_files' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'-h[Print help]' \
'--help[Print help]' \
'*::command -- The subcommand whose page to print (none\: sio'\''s own page):_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_sio__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:sio-help-command-$line[1]:"
        case $line[1] in
            (decode)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(listen)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(emit)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(run)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(connect)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(replay)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(diff)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(serve)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(tap)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(admin)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(demo)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(doctor)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_sio_commands] )) ||
_sio_commands() {
    local commands; commands=(
'decode:Decode frames offline and explain them part by part' \
'listen:Connect and print what arrives, until Ctrl-C, --count events or --timeout' \
'emit:Connect, emit one event (optionally wait for its ack), print, exit' \
'run:Run a script of commands (emit, join, leave, use, expect, ack, send, sleep, disconnect, reconnect, print)' \
'connect:An interactive session; without a terminal (or with --no-tui), commands from stdin and records on stdout' \
'replay:Print a recording (from --record, or a browser'\''s HAR file) as listen would, its statistics (--stats), or a diagram' \
'diff:Compare two recordings (from --record, or browsers'\'' HAR files) event by event' \
'serve:Run a local Socket.IO server that prints every connection, event and disconnection' \
'tap:A recording reverse proxy\: point an app'\''s client at it and see its own Socket.IO traffic, decoded' \
'admin:The server'\''s side\: sockets, rooms and events of a server instrumented for the Socket.IO Admin UI' \
'demo:Start the embedded server on a free port and connect to it\: the quickest way to see sio work' \
'doctor:Diagnose a deployment\: why a client cannot connect, or keeps disconnecting' \
'completions:Print a shell completion script' \
'man:Print the manual page (roff) of sio or of a subcommand, or write them all to a directory' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'sio commands' commands "$@"
}
(( $+functions[_sio__subcmd__admin_commands] )) ||
_sio__subcmd__admin_commands() {
    local commands; commands=()
    _describe -t commands 'sio admin commands' commands "$@"
}
(( $+functions[_sio__subcmd__completions_commands] )) ||
_sio__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'sio completions commands' commands "$@"
}
(( $+functions[_sio__subcmd__connect_commands] )) ||
_sio__subcmd__connect_commands() {
    local commands; commands=()
    _describe -t commands 'sio connect commands' commands "$@"
}
(( $+functions[_sio__subcmd__decode_commands] )) ||
_sio__subcmd__decode_commands() {
    local commands; commands=()
    _describe -t commands 'sio decode commands' commands "$@"
}
(( $+functions[_sio__subcmd__demo_commands] )) ||
_sio__subcmd__demo_commands() {
    local commands; commands=()
    _describe -t commands 'sio demo commands' commands "$@"
}
(( $+functions[_sio__subcmd__diff_commands] )) ||
_sio__subcmd__diff_commands() {
    local commands; commands=()
    _describe -t commands 'sio diff commands' commands "$@"
}
(( $+functions[_sio__subcmd__doctor_commands] )) ||
_sio__subcmd__doctor_commands() {
    local commands; commands=()
    _describe -t commands 'sio doctor commands' commands "$@"
}
(( $+functions[_sio__subcmd__emit_commands] )) ||
_sio__subcmd__emit_commands() {
    local commands; commands=()
    _describe -t commands 'sio emit commands' commands "$@"
}
(( $+functions[_sio__subcmd__help_commands] )) ||
_sio__subcmd__help_commands() {
    local commands; commands=(
'decode:Decode frames offline and explain them part by part' \
'listen:Connect and print what arrives, until Ctrl-C, --count events or --timeout' \
'emit:Connect, emit one event (optionally wait for its ack), print, exit' \
'run:Run a script of commands (emit, join, leave, use, expect, ack, send, sleep, disconnect, reconnect, print)' \
'connect:An interactive session; without a terminal (or with --no-tui), commands from stdin and records on stdout' \
'replay:Print a recording (from --record, or a browser'\''s HAR file) as listen would, its statistics (--stats), or a diagram' \
'diff:Compare two recordings (from --record, or browsers'\'' HAR files) event by event' \
'serve:Run a local Socket.IO server that prints every connection, event and disconnection' \
'tap:A recording reverse proxy\: point an app'\''s client at it and see its own Socket.IO traffic, decoded' \
'admin:The server'\''s side\: sockets, rooms and events of a server instrumented for the Socket.IO Admin UI' \
'demo:Start the embedded server on a free port and connect to it\: the quickest way to see sio work' \
'doctor:Diagnose a deployment\: why a client cannot connect, or keeps disconnecting' \
'completions:Print a shell completion script' \
'man:Print the manual page (roff) of sio or of a subcommand, or write them all to a directory' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'sio help commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__admin_commands] )) ||
_sio__subcmd__help__subcmd__admin_commands() {
    local commands; commands=()
    _describe -t commands 'sio help admin commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__completions_commands] )) ||
_sio__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'sio help completions commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__connect_commands] )) ||
_sio__subcmd__help__subcmd__connect_commands() {
    local commands; commands=()
    _describe -t commands 'sio help connect commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__decode_commands] )) ||
_sio__subcmd__help__subcmd__decode_commands() {
    local commands; commands=()
    _describe -t commands 'sio help decode commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__demo_commands] )) ||
_sio__subcmd__help__subcmd__demo_commands() {
    local commands; commands=()
    _describe -t commands 'sio help demo commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__diff_commands] )) ||
_sio__subcmd__help__subcmd__diff_commands() {
    local commands; commands=()
    _describe -t commands 'sio help diff commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__doctor_commands] )) ||
_sio__subcmd__help__subcmd__doctor_commands() {
    local commands; commands=()
    _describe -t commands 'sio help doctor commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__emit_commands] )) ||
_sio__subcmd__help__subcmd__emit_commands() {
    local commands; commands=()
    _describe -t commands 'sio help emit commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__help_commands] )) ||
_sio__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'sio help help commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__listen_commands] )) ||
_sio__subcmd__help__subcmd__listen_commands() {
    local commands; commands=()
    _describe -t commands 'sio help listen commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__man_commands] )) ||
_sio__subcmd__help__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'sio help man commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__replay_commands] )) ||
_sio__subcmd__help__subcmd__replay_commands() {
    local commands; commands=()
    _describe -t commands 'sio help replay commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__run_commands] )) ||
_sio__subcmd__help__subcmd__run_commands() {
    local commands; commands=()
    _describe -t commands 'sio help run commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__serve_commands] )) ||
_sio__subcmd__help__subcmd__serve_commands() {
    local commands; commands=()
    _describe -t commands 'sio help serve commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__tap_commands] )) ||
_sio__subcmd__help__subcmd__tap_commands() {
    local commands; commands=()
    _describe -t commands 'sio help tap commands' commands "$@"
}
(( $+functions[_sio__subcmd__listen_commands] )) ||
_sio__subcmd__listen_commands() {
    local commands; commands=()
    _describe -t commands 'sio listen commands' commands "$@"
}
(( $+functions[_sio__subcmd__man_commands] )) ||
_sio__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'sio man commands' commands "$@"
}
(( $+functions[_sio__subcmd__replay_commands] )) ||
_sio__subcmd__replay_commands() {
    local commands; commands=()
    _describe -t commands 'sio replay commands' commands "$@"
}
(( $+functions[_sio__subcmd__run_commands] )) ||
_sio__subcmd__run_commands() {
    local commands; commands=()
    _describe -t commands 'sio run commands' commands "$@"
}
(( $+functions[_sio__subcmd__serve_commands] )) ||
_sio__subcmd__serve_commands() {
    local commands; commands=()
    _describe -t commands 'sio serve commands' commands "$@"
}
(( $+functions[_sio__subcmd__tap_commands] )) ||
_sio__subcmd__tap_commands() {
    local commands; commands=()
    _describe -t commands 'sio tap commands' commands "$@"
}

if [ "$funcstack[1]" = "_sio" ]; then
    _sio "$@"
else
    compdef _sio sio
fi
