# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_sio_global_optspecs
    string join \n color= h/help V/version
end

function __fish_sio_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_sio_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_sio_using_subcommand
    set -l cmd (__fish_sio_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c sio -n "__fish_sio_needs_command" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_needs_command" -s V -l version -d 'Print version'
complete -c sio -n "__fish_sio_needs_command" -f -a "decode" -d 'Decode frames offline and explain them part by part'
complete -c sio -n "__fish_sio_needs_command" -f -a "listen" -d 'Connect and print what arrives, until Ctrl-C, --count events or --timeout'
complete -c sio -n "__fish_sio_needs_command" -f -a "emit" -d 'Connect, emit one event (optionally wait for its ack), print, exit'
complete -c sio -n "__fish_sio_needs_command" -f -a "run" -d 'Run a script of commands (emit, join, leave, use, expect, ack, send, sleep, disconnect, reconnect, print)'
complete -c sio -n "__fish_sio_needs_command" -f -a "connect" -d 'An interactive session; without a terminal (or with --no-tui), commands from stdin and records on stdout'
complete -c sio -n "__fish_sio_needs_command" -f -a "replay" -d 'Print a recording (from --record, or a browser\'s HAR file) as listen would, its statistics (--stats), or a diagram'
complete -c sio -n "__fish_sio_needs_command" -f -a "diff" -d 'Compare two recordings (from --record, or browsers\' HAR files) event by event'
complete -c sio -n "__fish_sio_needs_command" -f -a "serve" -d 'Run a local Socket.IO server that prints every connection, event and disconnection'
complete -c sio -n "__fish_sio_needs_command" -f -a "tap" -d 'A recording reverse proxy: point an app\'s client at it and see its own Socket.IO traffic, decoded'
complete -c sio -n "__fish_sio_needs_command" -f -a "admin" -d 'The server\'s side: sockets, rooms and events of a server instrumented for the Socket.IO Admin UI'
complete -c sio -n "__fish_sio_needs_command" -f -a "demo" -d 'Start the embedded server on a free port and connect to it: the quickest way to see sio work'
complete -c sio -n "__fish_sio_needs_command" -f -a "doctor" -d 'Diagnose a deployment: why a client cannot connect, or keeps disconnecting'
complete -c sio -n "__fish_sio_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c sio -n "__fish_sio_needs_command" -f -a "man" -d 'Print the manual page (roff) of sio or of a subcommand, or write them all to a directory'
complete -c sio -n "__fish_sio_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sio -n "__fish_sio_using_subcommand decode" -l eio -d 'Engine.IO protocol revision (3 for Socket.IO 2.x servers)' -r -f -a "3\t''
4\t''"
complete -c sio -n "__fish_sio_using_subcommand decode" -l parser -d 'Socket.IO packet encoding' -r -f -a "default\t''
msgpack\t''"
complete -c sio -n "__fish_sio_using_subcommand decode" -l filter -d 'Show only the records that match EXPR (the filter language, as for `/` in the UI). It picks what is shown, never what is recorded: --record still keeps every record' -r
complete -c sio -n "__fish_sio_using_subcommand decode" -l har -d 'Decode the Socket.IO traffic of a browser\'s HAR file (DevTools: Save all as HAR), or of a recording, instead of frames: every frame explained, with its session, direction and transport' -r -F
complete -c sio -n "__fish_sio_using_subcommand decode" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand decode" -l payload -d 'Treat each input as a whole polling body and split it into packets first'
complete -c sio -n "__fish_sio_using_subcommand decode" -l hex -d 'Inputs are hex bytes (spaces allowed): a binary frame or binary body'
complete -c sio -n "__fish_sio_using_subcommand decode" -l base64 -d 'Inputs are base64 bytes: a binary frame or binary body'
complete -c sio -n "__fish_sio_using_subcommand decode" -l json -d 'One JSON record per line instead of the explanation'
complete -c sio -n "__fish_sio_using_subcommand decode" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_using_subcommand listen" -s n -l namespace -d 'Namespace to join at start (repeatable); replaces the URL\'s namespace' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l path -d 'Engine.IO path on the server' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -s q -l query -d 'Query parameter sent on every request (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -s H -l header -d 'Header sent on every request and on the WebSocket handshake (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l cookie -d 'Cookies to send, as `a=1; b=2` (repeatable); cookies the server sets are kept too' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l transport -d 'auto: polling, then the WebSocket upgrade; or one transport only' -r -f -a "auto\t''
polling\t''
websocket\t''"
complete -c sio -n "__fish_sio_using_subcommand listen" -l eio -d 'Engine.IO revision: auto falls back to 3 for Socket.IO 2.x servers' -r -f -a "auto\t''
3\t''
4\t''"
complete -c sio -n "__fish_sio_using_subcommand listen" -l parser -d 'Socket.IO packet encoding' -r -f -a "default\t''
msgpack\t''"
complete -c sio -n "__fish_sio_using_subcommand listen" -l auth -d 'CONNECT auth payload (JSON), e.g. \'{"token":"abc"}\'' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l reconnect-attempts -d 'Give up after this many reconnect attempts (default: never)' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l timeout -d 'Time allowed for the Engine.IO handshake and for each namespace\'s CONNECT answer, e.g. 20s, 500ms' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l max-payload -d 'Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l max-post-packets -d 'Most packets in one polling POST (python-engineio refuses more than 16)' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l ca-cert -d 'Trust this PEM certificate (authority) in addition to the system\'s' -r -F
complete -c sio -n "__fish_sio_using_subcommand listen" -l record -d 'Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit' -r -F
complete -c sio -n "__fish_sio_using_subcommand listen" -l count -d 'Stop after this many events' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l for -d 'Stop after this long, e.g. 30s' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l event -d 'Only these events (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l filter -d 'Show only the records that match EXPR (the filter language, as for `/` in the UI). It picks what is shown, never what is recorded: --record still keeps every record' -r
complete -c sio -n "__fish_sio_using_subcommand listen" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand listen" -l auto-ack -d 'Answer every server ack request with an empty ack'
complete -c sio -n "__fish_sio_using_subcommand listen" -l no-reconnect -d 'Do not reconnect when the connection breaks'
complete -c sio -n "__fish_sio_using_subcommand listen" -l retry-forever -d 'Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)'
complete -c sio -n "__fish_sio_using_subcommand listen" -l insecure -d 'Accept any TLS certificate. Insecure: for test servers only'
complete -c sio -n "__fish_sio_using_subcommand listen" -l record-secrets -d 'Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)'
complete -c sio -n "__fish_sio_using_subcommand listen" -l json -d 'One JSON record per line'
complete -c sio -n "__fish_sio_using_subcommand listen" -l raw -d 'Only the raw frames, one per line'
complete -c sio -n "__fish_sio_using_subcommand listen" -l frames -d 'Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)'
complete -c sio -n "__fish_sio_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_using_subcommand emit" -s n -l namespace -d 'Namespace to join at start (repeatable); replaces the URL\'s namespace' -r
complete -c sio -n "__fish_sio_using_subcommand emit" -l path -d 'Engine.IO path on the server' -r
complete -c sio -n "__fish_sio_using_subcommand emit" -s q -l query -d 'Query parameter sent on every request (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand emit" -s H -l header -d 'Header sent on every request and on the WebSocket handshake (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand emit" -l cookie -d 'Cookies to send, as `a=1; b=2` (repeatable); cookies the server sets are kept too' -r
complete -c sio -n "__fish_sio_using_subcommand emit" -l transport -d 'auto: polling, then the WebSocket upgrade; or one transport only' -r -f -a "auto\t''
polling\t''
websocket\t''"
complete -c sio -n "__fish_sio_using_subcommand emit" -l eio -d 'Engine.IO revision: auto falls back to 3 for Socket.IO 2.x servers' -r -f -a "auto\t''
3\t''
4\t''"
complete -c sio -n "__fish_sio_using_subcommand emit" -l parser -d 'Socket.IO packet encoding' -r -f -a "default\t''
msgpack\t''"
complete -c sio -n "__fish_sio_using_subcommand emit" -l auth -d 'CONNECT auth payload (JSON), e.g. \'{"token":"abc"}\'' -r
complete -c sio -n "__fish_sio_using_subcommand emit" -l reconnect-attempts -d 'Give up after this many reconnect attempts (default: never)' -r
complete -c sio -n "__fish_sio_using_subcommand emit" -l timeout -d 'Time allowed for the Engine.IO handshake and for each namespace\'s CONNECT answer, e.g. 20s, 500ms' -r
complete -c sio -n "__fish_sio_using_subcommand emit" -l max-payload -d 'Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000' -r
complete -c sio -n "__fish_sio_using_subcommand emit" -l max-post-packets -d 'Most packets in one polling POST (python-engineio refuses more than 16)' -r
complete -c sio -n "__fish_sio_using_subcommand emit" -l ca-cert -d 'Trust this PEM certificate (authority) in addition to the system\'s' -r -F
complete -c sio -n "__fish_sio_using_subcommand emit" -l record -d 'Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit' -r -F
complete -c sio -n "__fish_sio_using_subcommand emit" -l ack -d 'Wait this long (default 5s) for the ack and print it; a missing ack exits 1' -r
complete -c sio -n "__fish_sio_using_subcommand emit" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand emit" -l auto-ack -d 'Answer every server ack request with an empty ack'
complete -c sio -n "__fish_sio_using_subcommand emit" -l no-reconnect -d 'Do not reconnect when the connection breaks'
complete -c sio -n "__fish_sio_using_subcommand emit" -l retry-forever -d 'Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)'
complete -c sio -n "__fish_sio_using_subcommand emit" -l insecure -d 'Accept any TLS certificate. Insecure: for test servers only'
complete -c sio -n "__fish_sio_using_subcommand emit" -l record-secrets -d 'Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)'
complete -c sio -n "__fish_sio_using_subcommand emit" -l json -d 'One JSON record per line'
complete -c sio -n "__fish_sio_using_subcommand emit" -l raw -d 'Only the raw frames, one per line'
complete -c sio -n "__fish_sio_using_subcommand emit" -l frames -d 'Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)'
complete -c sio -n "__fish_sio_using_subcommand emit" -s h -l help -d 'Print help'
complete -c sio -n "__fish_sio_using_subcommand run" -s n -l namespace -d 'Namespace to join at start (repeatable); replaces the URL\'s namespace' -r
complete -c sio -n "__fish_sio_using_subcommand run" -l path -d 'Engine.IO path on the server' -r
complete -c sio -n "__fish_sio_using_subcommand run" -s q -l query -d 'Query parameter sent on every request (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand run" -s H -l header -d 'Header sent on every request and on the WebSocket handshake (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand run" -l cookie -d 'Cookies to send, as `a=1; b=2` (repeatable); cookies the server sets are kept too' -r
complete -c sio -n "__fish_sio_using_subcommand run" -l transport -d 'auto: polling, then the WebSocket upgrade; or one transport only' -r -f -a "auto\t''
polling\t''
websocket\t''"
complete -c sio -n "__fish_sio_using_subcommand run" -l eio -d 'Engine.IO revision: auto falls back to 3 for Socket.IO 2.x servers' -r -f -a "auto\t''
3\t''
4\t''"
complete -c sio -n "__fish_sio_using_subcommand run" -l parser -d 'Socket.IO packet encoding' -r -f -a "default\t''
msgpack\t''"
complete -c sio -n "__fish_sio_using_subcommand run" -l auth -d 'CONNECT auth payload (JSON), e.g. \'{"token":"abc"}\'' -r
complete -c sio -n "__fish_sio_using_subcommand run" -l reconnect-attempts -d 'Give up after this many reconnect attempts (default: never)' -r
complete -c sio -n "__fish_sio_using_subcommand run" -l timeout -d 'Time allowed for the Engine.IO handshake and for each namespace\'s CONNECT answer, e.g. 20s, 500ms' -r
complete -c sio -n "__fish_sio_using_subcommand run" -l max-payload -d 'Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000' -r
complete -c sio -n "__fish_sio_using_subcommand run" -l max-post-packets -d 'Most packets in one polling POST (python-engineio refuses more than 16)' -r
complete -c sio -n "__fish_sio_using_subcommand run" -l ca-cert -d 'Trust this PEM certificate (authority) in addition to the system\'s' -r -F
complete -c sio -n "__fish_sio_using_subcommand run" -l record -d 'Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit' -r -F
complete -c sio -n "__fish_sio_using_subcommand run" -l junit -d 'Write a JUnit XML report (one test case per expect, expect-none, expect-admin, emit --ack, client and admin line)' -r -F
complete -c sio -n "__fish_sio_using_subcommand run" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand run" -l auto-ack -d 'Answer every server ack request with an empty ack'
complete -c sio -n "__fish_sio_using_subcommand run" -l no-reconnect -d 'Do not reconnect when the connection breaks'
complete -c sio -n "__fish_sio_using_subcommand run" -l retry-forever -d 'Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)'
complete -c sio -n "__fish_sio_using_subcommand run" -l insecure -d 'Accept any TLS certificate. Insecure: for test servers only'
complete -c sio -n "__fish_sio_using_subcommand run" -l record-secrets -d 'Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)'
complete -c sio -n "__fish_sio_using_subcommand run" -l keep-going -d 'Run every line even after a failure, and report all'
complete -c sio -n "__fish_sio_using_subcommand run" -l json -d 'One JSON record per line'
complete -c sio -n "__fish_sio_using_subcommand run" -l raw -d 'Only the raw frames, one per line'
complete -c sio -n "__fish_sio_using_subcommand run" -l frames -d 'Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)'
complete -c sio -n "__fish_sio_using_subcommand run" -s h -l help -d 'Print help'
complete -c sio -n "__fish_sio_using_subcommand connect" -s n -l namespace -d 'Namespace to join at start (repeatable); replaces the URL\'s namespace' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l path -d 'Engine.IO path on the server' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -s q -l query -d 'Query parameter sent on every request (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -s H -l header -d 'Header sent on every request and on the WebSocket handshake (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l cookie -d 'Cookies to send, as `a=1; b=2` (repeatable); cookies the server sets are kept too' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l transport -d 'auto: polling, then the WebSocket upgrade; or one transport only' -r -f -a "auto\t''
polling\t''
websocket\t''"
complete -c sio -n "__fish_sio_using_subcommand connect" -l eio -d 'Engine.IO revision: auto falls back to 3 for Socket.IO 2.x servers' -r -f -a "auto\t''
3\t''
4\t''"
complete -c sio -n "__fish_sio_using_subcommand connect" -l parser -d 'Socket.IO packet encoding' -r -f -a "default\t''
msgpack\t''"
complete -c sio -n "__fish_sio_using_subcommand connect" -l auth -d 'CONNECT auth payload (JSON), e.g. \'{"token":"abc"}\'' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l reconnect-attempts -d 'Give up after this many reconnect attempts (default: never)' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l timeout -d 'Time allowed for the Engine.IO handshake and for each namespace\'s CONNECT answer, e.g. 20s, 500ms' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l max-payload -d 'Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l max-post-packets -d 'Most packets in one polling POST (python-engineio refuses more than 16)' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l ca-cert -d 'Trust this PEM certificate (authority) in addition to the system\'s' -r -F
complete -c sio -n "__fish_sio_using_subcommand connect" -l record -d 'Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit' -r -F
complete -c sio -n "__fish_sio_using_subcommand connect" -l print-code -d 'Print the socket.io-client (js) or python-socketio (python) code that opens the same connection (URL, path, namespaces, transports, auth, headers, query, parser, TLS), and exit without connecting' -r -f -a "js\t'socket.io-client 4.x on Node.js (CommonJS)'
python\t'python-socketio 5.x, its asyncio client (aiohttp)'"
complete -c sio -n "__fish_sio_using_subcommand connect" -l scrollback -d 'Records the UI holds in memory; older ones are let go (the --record file keeps all)' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l linger -d 'When stdin ends, wait at most this long for pending acks before disconnecting' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l client -d 'Also open the client NAME (repeatable), with the options above and its own CONNECT auth if given; commands go to it as `NAME: emit …`' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l filter -d 'Show only the records that match EXPR (the filter language, as for `/` in the UI). It picks what is shown, never what is recorded: --record still keeps every record' -r
complete -c sio -n "__fish_sio_using_subcommand connect" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand connect" -l auto-ack -d 'Answer every server ack request with an empty ack'
complete -c sio -n "__fish_sio_using_subcommand connect" -l no-reconnect -d 'Do not reconnect when the connection breaks'
complete -c sio -n "__fish_sio_using_subcommand connect" -l retry-forever -d 'Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)'
complete -c sio -n "__fish_sio_using_subcommand connect" -l insecure -d 'Accept any TLS certificate. Insecure: for test servers only'
complete -c sio -n "__fish_sio_using_subcommand connect" -l record-secrets -d 'Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)'
complete -c sio -n "__fish_sio_using_subcommand connect" -l no-tui -d 'Line mode even on a terminal: commands from stdin, records on stdout'
complete -c sio -n "__fish_sio_using_subcommand connect" -l json -d 'One JSON record per line'
complete -c sio -n "__fish_sio_using_subcommand connect" -l raw -d 'Only the raw frames, one per line'
complete -c sio -n "__fish_sio_using_subcommand connect" -l frames -d 'Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)'
complete -c sio -n "__fish_sio_using_subcommand connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_using_subcommand replay" -l event -d 'Only these events (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand replay" -l sort -d 'How --stats orders its rows' -r -f -a "count\t'Most frequent first'
bytes\t'Most bytes first'
name\t'By name'
rate\t'Busiest now first (events; the others by count)'
last\t'Most recently seen first (events; the others by count)'"
complete -c sio -n "__fish_sio_using_subcommand replay" -l format -d 'Print in another form: `mermaid`, a Mermaid sequenceDiagram of the session for a bug report (a lane per client connection and one for the server; each frame an arrow with its meaning; transports and the upgrade as notes; heartbeats folded)' -r -f -a "mermaid\t'A Mermaid sequenceDiagram'"
complete -c sio -n "__fish_sio_using_subcommand replay" -l filter -d 'Show only the records that match EXPR (the filter language, as for `/` in the UI). It picks what is shown, never what is recorded: --record still keeps every record' -r
complete -c sio -n "__fish_sio_using_subcommand replay" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand replay" -l no-tui -d 'Print instead of opening the terminal UI (the default when stdout is not a terminal)'
complete -c sio -n "__fish_sio_using_subcommand replay" -l script -d 'Print a `.sio` script of what the session did (emits, acks, joins, leaves, the events that answered them as expects) for `sio run`, instead of the records. With --filter, of the matching records'
complete -c sio -n "__fish_sio_using_subcommand replay" -l stats -d 'Print statistics instead of the records: per event name and direction (count, bytes, rate now and at peak, first and last seen, acks asked and answered, p50/p95 ack delay), per namespace, per transport, heartbeats (intervals seen vs announced). With --filter, of the matching records; --json prints one JSON object'
complete -c sio -n "__fish_sio_using_subcommand replay" -l json -d 'One JSON record per line'
complete -c sio -n "__fish_sio_using_subcommand replay" -l raw -d 'Only the raw frames, one per line'
complete -c sio -n "__fish_sio_using_subcommand replay" -l frames -d 'Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)'
complete -c sio -n "__fish_sio_using_subcommand replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_using_subcommand diff" -l ignore -d 'Also ignore this path of each step (repeatable): data.0.time, data.*.id, nsp, attachments' -r
complete -c sio -n "__fish_sio_using_subcommand diff" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand diff" -l eio -d 'Compare the Engine.IO layer too: handshakes (without the sid), heartbeats, probes, the upgrade, noops, and the transport of each packet'
complete -c sio -n "__fish_sio_using_subcommand diff" -l json -d 'One JSON object per difference, then a summary object'
complete -c sio -n "__fish_sio_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_using_subcommand serve" -l port -d 'Port to listen on; 0 picks a free one' -r
complete -c sio -n "__fish_sio_using_subcommand serve" -l host -d 'Address to bind. Anything but loopback exposes the server to the network (a warning is printed)' -r
complete -c sio -n "__fish_sio_using_subcommand serve" -l token -d 'The token "/admin" admits, sent as auth {"token": TOKEN}' -r
complete -c sio -n "__fish_sio_using_subcommand serve" -l path -d 'Engine.IO path' -r
complete -c sio -n "__fish_sio_using_subcommand serve" -l ping-interval -d 'How often the server pings, e.g. 25s' -r
complete -c sio -n "__fish_sio_using_subcommand serve" -l ping-timeout -d 'How long the server waits for a pong, e.g. 20s' -r
complete -c sio -n "__fish_sio_using_subcommand serve" -l transports -d 'Transports clients may use, comma-separated' -r -f -a "polling\t''
websocket\t''"
complete -c sio -n "__fish_sio_using_subcommand serve" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand serve" -l no-tick -d 'No "tick" event every second'
complete -c sio -n "__fish_sio_using_subcommand serve" -l json -d 'One JSON object per line instead of the human form'
complete -c sio -n "__fish_sio_using_subcommand serve" -l exit-on-stdin-eof -d 'Exit (code 0) when standard input ends, so a parent process owns the server\'s life'
complete -c sio -n "__fish_sio_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_using_subcommand tap" -l listen -d 'Address to listen on; port 0 picks a free one (printed on stderr). Anything but loopback exposes the proxy, and what it forwards, to the network (a warning is printed)' -r
complete -c sio -n "__fish_sio_using_subcommand tap" -l parser -d 'How Socket.IO packets are encoded; without it, the default parser until binary frames show msgpack' -r -f -a "default\t''
msgpack\t''"
complete -c sio -n "__fish_sio_using_subcommand tap" -l ca-cert -d 'Trust this PEM certificate (authority) for the upstream, in addition to the system\'s' -r -F
complete -c sio -n "__fish_sio_using_subcommand tap" -l record -d 'Append every record to FILE as NDJSON, written within 5 ms of each record and in full before exit' -r -F
complete -c sio -n "__fish_sio_using_subcommand tap" -l for -d 'Stop after this long, e.g. 30s' -r
complete -c sio -n "__fish_sio_using_subcommand tap" -l scrollback -d 'Records the UI holds in memory; older ones are let go (the --record file keeps all)' -r
complete -c sio -n "__fish_sio_using_subcommand tap" -l filter -d 'Show only the records that match EXPR (the filter language, as for `/` in the UI). It picks what is shown, never what is recorded: --record still keeps every record' -r
complete -c sio -n "__fish_sio_using_subcommand tap" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand tap" -l insecure -d 'Accept any TLS certificate from the upstream. Insecure: for test servers only'
complete -c sio -n "__fish_sio_using_subcommand tap" -l record-secrets -d 'Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)'
complete -c sio -n "__fish_sio_using_subcommand tap" -l no-tui -d 'Print records even on a terminal (commands from stdin: cut SID, delay SID in|out DUR)'
complete -c sio -n "__fish_sio_using_subcommand tap" -l json -d 'One JSON record per line'
complete -c sio -n "__fish_sio_using_subcommand tap" -l raw -d 'Only the raw frames, one per line'
complete -c sio -n "__fish_sio_using_subcommand tap" -l frames -d 'Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)'
complete -c sio -n "__fish_sio_using_subcommand tap" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_using_subcommand admin" -s n -l namespace -d 'Namespace to join at start (repeatable); replaces the URL\'s namespace' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l path -d 'Engine.IO path on the server' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -s q -l query -d 'Query parameter sent on every request (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -s H -l header -d 'Header sent on every request and on the WebSocket handshake (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l cookie -d 'Cookies to send, as `a=1; b=2` (repeatable); cookies the server sets are kept too' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l transport -d 'auto: polling, then the WebSocket upgrade; or one transport only' -r -f -a "auto\t''
polling\t''
websocket\t''"
complete -c sio -n "__fish_sio_using_subcommand admin" -l eio -d 'Engine.IO revision: auto falls back to 3 for Socket.IO 2.x servers' -r -f -a "auto\t''
3\t''
4\t''"
complete -c sio -n "__fish_sio_using_subcommand admin" -l parser -d 'Socket.IO packet encoding' -r -f -a "default\t''
msgpack\t''"
complete -c sio -n "__fish_sio_using_subcommand admin" -l auth -d 'CONNECT auth payload (JSON), e.g. \'{"token":"abc"}\'' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l reconnect-attempts -d 'Give up after this many reconnect attempts (default: never)' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l timeout -d 'Time allowed for the Engine.IO handshake and for each namespace\'s CONNECT answer, e.g. 20s, 500ms' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l max-payload -d 'Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l max-post-packets -d 'Most packets in one polling POST (python-engineio refuses more than 16)' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l ca-cert -d 'Trust this PEM certificate (authority) in addition to the system\'s' -r -F
complete -c sio -n "__fish_sio_using_subcommand admin" -l record -d 'Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit' -r -F
complete -c sio -n "__fish_sio_using_subcommand admin" -l admin-namespace -d 'The Admin UI\'s namespace on the server (admin-ui\'s namespaceName, python-socketio\'s namespace)' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l user -d 'User name for the Admin UI\'s basic auth (sent with --password as the namespace auth {username, password})' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l password -d 'Password for the Admin UI\'s basic auth' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l linger -d 'With --no-tui: when stdin ends, wait this long for the operations\' effects, then exit' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l for -d 'Stop after this long, e.g. 30s' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l max-sockets -d 'Sockets listed at most; more are counted, not kept' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l max-events -d 'Server events kept at most (development mode); older ones are let go' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l scrollback -d 'Records the TUI holds in memory; older ones are let go (the --record file keeps all)' -r
complete -c sio -n "__fish_sio_using_subcommand admin" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand admin" -l auto-ack -d 'Answer every server ack request with an empty ack'
complete -c sio -n "__fish_sio_using_subcommand admin" -l no-reconnect -d 'Do not reconnect when the connection breaks'
complete -c sio -n "__fish_sio_using_subcommand admin" -l retry-forever -d 'Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)'
complete -c sio -n "__fish_sio_using_subcommand admin" -l insecure -d 'Accept any TLS certificate. Insecure: for test servers only'
complete -c sio -n "__fish_sio_using_subcommand admin" -l record-secrets -d 'Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)'
complete -c sio -n "__fish_sio_using_subcommand admin" -l snapshot -d 'Print the current servers, sockets and rooms once (after a full round of server reports) and exit'
complete -c sio -n "__fish_sio_using_subcommand admin" -l no-tui -d 'Print records even on a terminal; lines on stdin are operations (see above)'
complete -c sio -n "__fish_sio_using_subcommand admin" -l json -d 'One JSON record per line (with --snapshot: one JSON object)'
complete -c sio -n "__fish_sio_using_subcommand admin" -l frames -d 'Also print the admin connection\'s own frames and HTTP requests'
complete -c sio -n "__fish_sio_using_subcommand admin" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_using_subcommand demo" -l ping-interval -d 'How often the embedded server pings, e.g. 5s' -r
complete -c sio -n "__fish_sio_using_subcommand demo" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand demo" -l no-tui -d 'Run the scripted walkthrough and print the frames, even on a terminal'
complete -c sio -n "__fish_sio_using_subcommand demo" -l json -d 'One JSON record per line'
complete -c sio -n "__fish_sio_using_subcommand demo" -l raw -d 'Only the raw frames, one per line'
complete -c sio -n "__fish_sio_using_subcommand demo" -l frames -d 'Also print the Engine.IO and transport layers (heartbeats, probes, upgrade, HTTP requests)'
complete -c sio -n "__fish_sio_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_using_subcommand doctor" -s n -l namespace -d 'Namespace to join at start (repeatable); replaces the URL\'s namespace' -r
complete -c sio -n "__fish_sio_using_subcommand doctor" -l path -d 'Engine.IO path on the server' -r
complete -c sio -n "__fish_sio_using_subcommand doctor" -s q -l query -d 'Query parameter sent on every request (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand doctor" -s H -l header -d 'Header sent on every request and on the WebSocket handshake (repeatable)' -r
complete -c sio -n "__fish_sio_using_subcommand doctor" -l cookie -d 'Cookies to send, as `a=1; b=2` (repeatable); cookies the server sets are kept too' -r
complete -c sio -n "__fish_sio_using_subcommand doctor" -l transport -d 'auto: polling, then the WebSocket upgrade; or one transport only' -r -f -a "auto\t''
polling\t''
websocket\t''"
complete -c sio -n "__fish_sio_using_subcommand doctor" -l eio -d 'Engine.IO revision: auto falls back to 3 for Socket.IO 2.x servers' -r -f -a "auto\t''
3\t''
4\t''"
complete -c sio -n "__fish_sio_using_subcommand doctor" -l parser -d 'Socket.IO packet encoding' -r -f -a "default\t''
msgpack\t''"
complete -c sio -n "__fish_sio_using_subcommand doctor" -l auth -d 'CONNECT auth payload (JSON), e.g. \'{"token":"abc"}\'' -r
complete -c sio -n "__fish_sio_using_subcommand doctor" -l reconnect-attempts -d 'Give up after this many reconnect attempts (default: never)' -r
complete -c sio -n "__fish_sio_using_subcommand doctor" -l timeout -d 'Time allowed for the Engine.IO handshake and for each namespace\'s CONNECT answer, e.g. 20s, 500ms' -r
complete -c sio -n "__fish_sio_using_subcommand doctor" -l max-payload -d 'Largest polling body or WebSocket message taken from the server, e.g. 32MiB, 500kB, 1000000' -r
complete -c sio -n "__fish_sio_using_subcommand doctor" -l max-post-packets -d 'Most packets in one polling POST (python-engineio refuses more than 16)' -r
complete -c sio -n "__fish_sio_using_subcommand doctor" -l ca-cert -d 'Trust this PEM certificate (authority) in addition to the system\'s' -r -F
complete -c sio -n "__fish_sio_using_subcommand doctor" -l record -d 'Append every record of the session to FILE as NDJSON, written within 5 ms of each record and in full before exit' -r -F
complete -c sio -n "__fish_sio_using_subcommand doctor" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand doctor" -l auto-ack -d 'Answer every server ack request with an empty ack'
complete -c sio -n "__fish_sio_using_subcommand doctor" -l no-reconnect -d 'Do not reconnect when the connection breaks'
complete -c sio -n "__fish_sio_using_subcommand doctor" -l retry-forever -d 'Keep retrying the first connection even when it fails for a reason that will not go away by itself (unknown host, TLS, a 4xx answer, not a Socket.IO server)'
complete -c sio -n "__fish_sio_using_subcommand doctor" -l insecure -d 'Accept any TLS certificate. Insecure: for test servers only'
complete -c sio -n "__fish_sio_using_subcommand doctor" -l record-secrets -d 'Keep auth payloads, Authorization and Cookie headers in the recording (masked by default)'
complete -c sio -n "__fish_sio_using_subcommand doctor" -l deep -d 'Also run the probes that take a heartbeat period or longer (idle long-poll, idle WebSocket)'
complete -c sio -n "__fish_sio_using_subcommand doctor" -l json -d 'One JSON object per finding (id, verdict, summary, evidence, fix), one per line'
complete -c sio -n "__fish_sio_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_using_subcommand completions" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand completions" -s h -l help -d 'Print help'
complete -c sio -n "__fish_sio_using_subcommand man" -l dir -d 'Write every page (sio.1, sio-connect.1, …) into DIR instead, making it when missing' -r -F
complete -c sio -n "__fish_sio_using_subcommand man" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand man" -s h -l help -d 'Print help'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "decode" -d 'Decode frames offline and explain them part by part'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "listen" -d 'Connect and print what arrives, until Ctrl-C, --count events or --timeout'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "emit" -d 'Connect, emit one event (optionally wait for its ack), print, exit'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "run" -d 'Run a script of commands (emit, join, leave, use, expect, ack, send, sleep, disconnect, reconnect, print)'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "connect" -d 'An interactive session; without a terminal (or with --no-tui), commands from stdin and records on stdout'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "replay" -d 'Print a recording (from --record, or a browser\'s HAR file) as listen would, its statistics (--stats), or a diagram'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "diff" -d 'Compare two recordings (from --record, or browsers\' HAR files) event by event'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "serve" -d 'Run a local Socket.IO server that prints every connection, event and disconnection'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "tap" -d 'A recording reverse proxy: point an app\'s client at it and see its own Socket.IO traffic, decoded'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "admin" -d 'The server\'s side: sockets, rooms and events of a server instrumented for the Socket.IO Admin UI'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "demo" -d 'Start the embedded server on a free port and connect to it: the quickest way to see sio work'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "doctor" -d 'Diagnose a deployment: why a client cannot connect, or keeps disconnecting'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "man" -d 'Print the manual page (roff) of sio or of a subcommand, or write them all to a directory'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode listen emit run connect replay diff serve tap admin demo doctor completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
