"""A python-socketio server for the sio integration tests.

Prints `LISTENING <port>` on stdout once bound to 127.0.0.1 (port chosen by
the OS), logs everything it sees as JSON lines on stderr and exits when its
stdin closes. A bad flag prints the usage and exits with code 2.

Behaviour on "/" and "/admin", as tests/peers/server-v4.js (also documented in
tests/it/support/python.rs):
  on connect        emit "welcome" ("hi" on "/", "admin" on "/admin"); python-socketio
                    sends it before the CONNECT reply, since the handler runs first
  any event + ack   the ack is answered with the event's args
  "echo" ...args    emit "echo" with the same args
  "ask" [q]         emit "question" q with an ack; the answer comes back as "answered"
  "join" room / "leave" room   (with an ack: answered once the socket is in or out)
  "to" {room, event, args}   emit event(...args) to the room (the sender too, if in it)
  "to-others" {room, event, args}   the same to the room but the sender
  "broadcast" {event, args}  event(...args) to every socket of the namespace but the sender
  "binary"          emit "binary" with the bytes 01 02 03
  "disconnect-me"   the server disconnects the socket
  "flood" {n,size}  n x "flood" with a string of size chars, then "flood-done" {n}
"/admin" admits only auth {token: "secret"}; others get "not authorized".
With --instrument, "/admin" is the Admin UI's namespace instead (sio.instrument, with
--admin-mode, --admin-user/--admin-password, --admin-readonly) and "/chat" behaves as "/".
Any other namespace is refused by python-socketio itself ("Unable to connect").
"""

import argparse
import asyncio
import json
import os
import socket
import sys
import threading
from importlib import metadata

import engineio
import socketio
from aiohttp import web


def parse_flags(argv):
    p = argparse.ArgumentParser(prog="server.py")
    p.add_argument("--transports", choices=["websocket", "polling", "both"], default="both")
    p.add_argument("--parser", choices=["default", "msgpack"], default="default")
    # python-engineio announces int(seconds) * 1000 in the handshake: 300 ms is announced as 0.
    p.add_argument("--ping-interval", type=int, metavar="MS", default=25000)
    p.add_argument("--ping-timeout", type=int, metavar="MS", default=20000)
    p.add_argument("--cors", action="append", metavar="ORIGIN",
                   help="allowed origin (repeatable); default: any origin")
    p.add_argument("--max-decode-packets", type=int, metavar="N",
                   help="packets python-engineio takes in one polling POST (its default is 16); "
                        "it answers a POST with more 'ok' and drops all of its packets")
    p.add_argument("--max-http-buffer-size", type=int, metavar="BYTES", default=1000000)
    p.add_argument("--always-connect", action="store_true",
                   help="python-socketio's always_connect: CONNECT is answered before the handler runs")
    p.add_argument("--path", default="socket.io")
    p.add_argument("--log-packets", action="store_true")
    # The Admin UI's instrumentation (sio.instrument); "/admin" is then the admin UI's.
    p.add_argument("--instrument", action="store_true")
    p.add_argument("--admin-mode", choices=["development", "production"], default="development")
    p.add_argument("--admin-user", help="with --admin-password: the admin UI's credentials")
    p.add_argument("--admin-password")
    p.add_argument("--admin-readonly", action="store_true")
    return p.parse_args(argv)


def for_log(value, depth=0):
    """A value made JSON-friendly: bytes become {"$hex": "..."}."""
    if depth > 32:
        return "<too deep>"
    if isinstance(value, (bytes, bytearray)):
        return {"$hex": bytes(value).hex()}
    if isinstance(value, (list, tuple)):
        return [for_log(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): for_log(v, depth + 1) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def log(**fields):
    sys.stderr.write(json.dumps(for_log(fields)) + "\n")
    sys.stderr.flush()


def exit_when_stdin_closes():
    """The test keeps stdin open as long as it wants the server; EOF ends it at once."""
    def wait():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)
    threading.Thread(target=wait, daemon=True).start()


def make_server(flags):
    transports = {"websocket": ["websocket"], "polling": ["polling"], "both": ["polling", "websocket"]}
    if flags.max_decode_packets is not None:
        engineio.payload.Payload.max_decode_packets = flags.max_decode_packets

    class LoggingServer(socketio.AsyncServer):
        """Logs every Socket.IO packet in and out when --log-packets is given."""

        async def _send_packet(self, eio_sid, pkt):
            if flags.log_packets:
                log(t="packet_out", sid=eio_sid, type=pkt.packet_type, nsp=pkt.namespace,
                    id=pkt.id, data=pkt.data)
            await super()._send_packet(eio_sid, pkt)

        async def _send_eio_packet(self, eio_sid, eio_pkt):
            # What emit() sends to one socket or a room, already encoded.
            if flags.log_packets:
                log(t="packet_out", sid=eio_sid, encoded=eio_pkt.data)
            await super()._send_eio_packet(eio_sid, eio_pkt)

        async def _handle_eio_message(self, eio_sid, data):
            if flags.log_packets:
                log(t="packet_in", sid=eio_sid, data=data)
            await super()._handle_eio_message(eio_sid, data)

    return LoggingServer(
        async_mode="aiohttp",
        serializer="msgpack" if flags.parser == "msgpack" else "default",
        cors_allowed_origins=flags.cors if flags.cors else "*",
        transports=transports[flags.transports],
        ping_interval=flags.ping_interval / 1000,
        ping_timeout=flags.ping_timeout / 1000,
        max_http_buffer_size=flags.max_http_buffer_size,
        always_connect=flags.always_connect,
        # sio's tests read bodies as sent: no gzip.
        http_compression=False,
    )


def is_room_message(args):
    """{room, event, args}: what "to" and "to-others" take."""
    return (bool(args) and isinstance(args[0], dict) and isinstance(args[0].get("event"), str)
            and args[0].get("room") is not None)


def message_args(msg):
    rest = msg.get("args", [])
    return tuple(rest if isinstance(rest, list) else [rest])


def attach_behaviour(sio, nsp, welcome):
    async def connect(sid, environ, auth=None):
        if nsp == "/admin" and not (isinstance(auth, dict) and auth.get("token") == "secret"):
            log(t="refused", nsp=nsp, auth=auth)
            raise socketio.exceptions.ConnectionRefusedError("not authorized")
        log(t="connect", nsp=nsp, id=sid, sid=sio.manager.eio_sid_from_sid(sid, nsp),
            transport=sio.transport(sid, nsp), auth=auth, query=environ.get("QUERY_STRING"))
        await sio.emit("welcome", welcome, to=sid, namespace=nsp)

    async def disconnect(sid, reason=None):
        log(t="disconnect", nsp=nsp, id=sid, reason=str(reason))

    async def flood(sid, params):
        params = params if isinstance(params, dict) else {}
        n = max(0, int(params.get("n") or 0))
        size = max(0, int(params.get("size") or 0))
        text = "x" * size
        for i in range(n):
            await sio.emit("flood", text, to=sid, namespace=nsp)
            if i % 64 == 63:
                await sio.sleep(0)
        log(t="flood_done", nsp=nsp, id=sid, sent=n)
        await sio.emit("flood-done", {"n": n}, to=sid, namespace=nsp)
        return {"n": n}

    async def any_event(event, sid, *args):
        log(t="event", nsp=nsp, id=sid, event=event, args=list(args))
        if event == "echo":
            await sio.emit("echo", args, to=sid, namespace=nsp)
        elif event == "ask":
            question = list(args) if args else ["q?"]

            async def answered(*answer):
                log(t="answer", nsp=nsp, id=sid, args=list(answer))
                await sio.emit("answered", answer, to=sid, namespace=nsp)

            await sio.emit("question", tuple(question), to=sid, namespace=nsp, callback=answered)
        elif event == "join" and args:
            await sio.enter_room(sid, args[0], namespace=nsp)
            log(t="join", nsp=nsp, id=sid, room=args[0])
        elif event == "leave" and args:
            await sio.leave_room(sid, args[0], namespace=nsp)
            log(t="leave", nsp=nsp, id=sid, room=args[0])
        elif event in ("to", "to-others") and is_room_message(args):
            # Without a room python-socketio would broadcast to everyone; server-v4.js ignores it.
            msg = args[0]
            skip = sid if event == "to-others" else None
            await sio.emit(msg["event"], message_args(msg), to=msg["room"], skip_sid=skip, namespace=nsp)
        elif event == "broadcast" and args and isinstance(args[0], dict) and isinstance(args[0].get("event"), str):
            msg = args[0]
            await sio.emit(msg["event"], message_args(msg), skip_sid=sid, namespace=nsp)
        elif event == "binary":
            await sio.emit("binary", b"\x01\x02\x03", to=sid, namespace=nsp)
        elif event == "disconnect-me":
            await sio.disconnect(sid, namespace=nsp)
        elif event == "flood":
            return await flood(sid, args[0] if args else None)
        # Answers the ack, if the client asked for one, with the event's args.
        return tuple(args)

    sio.on("connect", connect, namespace=nsp)
    sio.on("disconnect", disconnect, namespace=nsp)
    sio.on("*", any_event, namespace=nsp)


async def main(flags):
    sio = make_server(flags)
    attach_behaviour(sio, "/", "hi")
    if flags.instrument:
        attach_behaviour(sio, "/chat", "chat")
        auth = False
        if flags.admin_user is not None:
            auth = {"username": flags.admin_user, "password": flags.admin_password or ""}
        sio.instrument(auth=auth, mode=flags.admin_mode, read_only=flags.admin_readonly)
    else:
        attach_behaviour(sio, "/admin", "admin")
    app = web.Application()
    sio.attach(app, socketio_path=flags.path)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    port = sock.getsockname()[1]
    log(t="listening", port=port, server="python-socketio " + metadata.version("python-socketio"),
        options=vars(flags))
    sys.stdout.write(f"LISTENING {port}\n")
    sys.stdout.flush()
    await asyncio.Event().wait()


if __name__ == "__main__":
    flags = parse_flags(sys.argv[1:])
    exit_when_stdin_closes()
    asyncio.run(main(flags))
