"""A python-socketio client for the sio integration tests (e.g. behind `sio tap`).

    client.py URL [--transports websocket|polling|both] [--parser msgpack]
              [--namespace NS] [--auth JSON] [--emit EVENT ARGS_JSON]... [--until EVENT]

Connects to URL (the namespace is --namespace, default "/"), then emits each
--emit in order with an ack and waits for it (ARGS_JSON is a JSON array of
arguments; {"$hex": "0102"} stands for bytes), then, with --until, waits for
that event from the server, then disconnects. Everything is printed on stdout
as one JSON object per line, with a `t` field: `connect`, `connect_error`,
`event`, `ack`, `disconnect`, `done`. Exits 0 when all went through, 1 when
something failed (the reason in a `failed` line), 2 for a bad flag. Waits are
bounded by --timeout seconds (default 10).
"""

import argparse
import asyncio
import json
import sys

import socketio


def parse_flags(argv):
    p = argparse.ArgumentParser(prog="client.py")
    p.add_argument("url")
    p.add_argument("--transports", choices=["websocket", "polling", "both"], default="both")
    p.add_argument("--parser", choices=["default", "msgpack"], default="default")
    p.add_argument("--namespace", default="/")
    p.add_argument("--auth", type=json.loads, metavar="JSON")
    p.add_argument("--emit", nargs=2, action="append", default=[], metavar=("EVENT", "ARGS_JSON"))
    p.add_argument("--until", metavar="EVENT")
    p.add_argument("--timeout", type=float, default=10.0)
    return p.parse_args(argv)


def to_wire(value):
    """{"$hex": "0102"} → bytes, recursively."""
    if isinstance(value, dict):
        if set(value) == {"$hex"}:
            return bytes.fromhex(value["$hex"])
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    return value


def for_log(value):
    if isinstance(value, (bytes, bytearray)):
        return {"$hex": bytes(value).hex()}
    if isinstance(value, (list, tuple)):
        return [for_log(v) for v in value]
    if isinstance(value, dict):
        return {str(k): for_log(v) for k, v in value.items()}
    return value


def out(**fields):
    sys.stdout.write(json.dumps(for_log(fields)) + "\n")
    sys.stdout.flush()


async def main(flags):
    transports = {"websocket": ["websocket"], "polling": ["polling"], "both": ["polling", "websocket"]}
    client = socketio.AsyncClient(serializer="msgpack" if flags.parser == "msgpack" else "default",
                                  reconnection=False)
    nsp = flags.namespace
    seen = asyncio.Queue()

    async def on_any(event, *args):
        out(t="event", nsp=nsp, event=event, args=list(args))
        await seen.put(event)

    async def on_connect_error(data):
        out(t="connect_error", nsp=nsp, data=data)

    async def on_disconnect(reason=None):
        out(t="disconnect", nsp=nsp, reason=str(reason))

    client.on("*", on_any, namespace=nsp)
    client.on("connect_error", on_connect_error, namespace=nsp)
    client.on("disconnect", on_disconnect, namespace=nsp)

    try:
        await client.connect(flags.url, namespaces=[nsp], transports=transports[flags.transports],
                             auth=flags.auth, wait_timeout=flags.timeout)
        out(t="connect", nsp=nsp, sid=client.get_sid(nsp), transport=client.transport())
        for event, args_json in flags.emit:
            args = to_wire(json.loads(args_json))
            args = args if isinstance(args, list) else [args]
            answer = await client.call(event, tuple(args), namespace=nsp, timeout=flags.timeout)
            out(t="ack", nsp=nsp, event=event, args=answer if isinstance(answer, (list, tuple)) else [answer])
        if flags.until:
            async def wait_until():
                while await seen.get() != flags.until:
                    pass
            await asyncio.wait_for(wait_until(), flags.timeout)
        await client.disconnect()
        out(t="done")
        return 0
    except Exception as e:  # noqa: BLE001 - any failure is reported the same way
        out(t="failed", error=f"{type(e).__name__}: {e}")
        await client.disconnect()
        return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_flags(sys.argv[1:]))))
