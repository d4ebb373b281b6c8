"""Checks mlflow/fair_accept.py on the Python that runs the MLflow server (the CI venv's).

Run by stack/test/mlflow-workers.integ.test.ts: `python fair_accept_check.py <mlflow dir>`.
Listens as uvicorn's worker processes do (a plain `socket.socket(AF_INET)`, proto 0), opens
connections to it and asserts: each accepted connection has TCP_NODELAY, the loop counts open
connections and counts them down when they close, and a loop holding connections still accepts
(after its back-off) when no other process takes them. Prints one JSON line; exit 1 on failure.
"""

import asyncio
import json
import socket
import sys

sys.path.insert(0, sys.argv[1])
from fair_accept import FairAcceptEventLoop  # noqa: E402


class Probe(asyncio.Protocol):
    made: list = []

    def connection_made(self, transport):
        sock = transport.get_extra_info("socket")
        Probe.made.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


async def main() -> dict:
    listener = socket.socket(socket.AF_INET)  # what uvicorn's Config.bind_socket makes
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Probe, sock=listener, backlog=64)
    clients = []
    for _ in range(5):  # one at a time: the 2nd..5th wait out the back-off, then are accepted
        clients.append(await asyncio.open_connection("127.0.0.1", port))
        await asyncio.sleep(0.05)
    held = loop.open_connections
    for _, writer in clients:
        writer.close()
        await writer.wait_closed()
    await asyncio.sleep(0.1)
    released = loop.open_connections
    server.close()
    await server.wait_closed()
    return {"nodelay": Probe.made, "held": held, "released": released}


result = asyncio.run(main(), loop_factory=FairAcceptEventLoop) if sys.version_info >= (3, 12) else None
if result is None:
    loop = FairAcceptEventLoop()
    try:
        result = loop.run_until_complete(main())
    finally:
        loop.close()
print(json.dumps(result))
ok = len(result["nodelay"]) == 5 and all(result["nodelay"]) and result["held"] == 5 and result["released"] == 0
sys.exit(0 if ok else 1)
