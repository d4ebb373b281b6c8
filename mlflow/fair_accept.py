"""The asyncio event loop of the stack's MLflow: TCP_NODELAY, and connections spread over workers.

uvicorn's worker processes listen on a plain `socket.socket(AF_INET)` (proto 0), and asyncio
turns Nagle's algorithm off only for sockets whose proto is IPPROTO_TCP: with `--workers 2`
every answer on a reused keep-alive connection waited ~40 ms for the client's delayed ACK
(headers and body are two writes). This loop sets TCP_NODELAY on each accepted connection.

uvicorn's workers share one listening socket, and asyncio accepts up to `backlog` (2048)
pending connections each time the socket becomes readable. A client that opens its keep-alive
connections together — the training CLI logs a search's candidate runs over 8 — hands all of
them to whichever worker woke first, and the other workers sit idle for the client's whole
session: on one benchmark round the busy worker used 239 CPU ticks and the other 1.

This loop accepts one connection per wake-up, and a worker that already holds open
connections waits a little before accepting (1 ms per open connection, at most 8 ms), so an
idler worker, woken by the same readiness, takes the connection first; with no idler worker
the busy one accepts after its wait. The same idea as nginx's `accept_disabled`. Besides
TCP_NODELAY only which worker accepts changes: every connection is still accepted.

uvicorn loads it with `--loop fair_accept:FairAcceptEventLoop` (entrypoint.py passes that in
--uvicorn-opts; uvicorn calls a custom loop's import string to make the loop). It overrides
two private hooks of asyncio's selector loop (`_start_serving`, `_accept_connection`, stable
since Python 3.7); stack/test/fair_accept_check.py checks the loop on the Python that runs
the server, and stack/test/mlflow-workers.integ.test.ts the server started by entrypoint.py.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any, Callable

# Wait per connection this worker already holds before it accepts another, and the cap.
BACKOFF_STEP_SECONDS = 0.001
BACKOFF_MAX_STEPS = 8


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Turns Nagle's algorithm off on an accepted TCP connection.

    asyncio does this only for sockets whose `proto` is IPPROTO_TCP, and uvicorn's worker
    processes listen on `socket.socket(AF_INET)` (proto 0), so connections they accept keep
    Nagle on: a response written in two parts (headers, body) waited for the client's delayed
    ACK, ~40 ms per request on a keep-alive connection (`mlflow server --workers 1` listens
    through asyncio itself and never had the stall).
    """
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class FairAcceptEventLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        super().__init__()
        self.open_connections = 0

    def _counting(self, protocol_factory: Callable[[], Any]) -> Callable[[], Any]:
        """Wraps the server's protocol factory so this loop knows its open connections."""
        if getattr(protocol_factory, "_fair_accept_counting", False):
            return protocol_factory
        loop = self

        def factory() -> Any:
            protocol = protocol_factory()
            made, lost = protocol.connection_made, protocol.connection_lost

            def connection_made(transport: asyncio.BaseTransport) -> None:
                loop.open_connections += 1
                no_delay(transport)
                made(transport)

            def connection_lost(exc: Exception | None) -> None:
                loop.open_connections -= 1
                lost(exc)

            protocol.connection_made = connection_made
            protocol.connection_lost = connection_lost
            return protocol

        factory._fair_accept_counting = True  # type: ignore[attr-defined]
        return factory

    def _start_serving(  # type: ignore[override]
        self, protocol_factory: Callable[[], Any], *args: Any, **kwargs: Any
    ) -> None:
        super()._start_serving(self._counting(protocol_factory), *args, **kwargs)  # type: ignore[misc]

    def _accept_connection(  # type: ignore[override]
        self,
        protocol_factory: Callable[[], Any],
        sock: socket.socket,
        sslcontext: Any = None,
        server: Any = None,
        backlog: int = 100,
        *rest: Any,
    ) -> None:
        held = self.open_connections
        if held > 0:
            # Stop watching the socket for a moment (asyncio does the same when accept() runs
            # out of file descriptors), so a worker holding fewer connections goes first.
            self._remove_reader(sock.fileno())
            self.call_later(
                min(held, BACKOFF_MAX_STEPS) * BACKOFF_STEP_SECONDS,
                self._accept_after_backoff,
                protocol_factory, sock, sslcontext, server, backlog, rest,
            )  # fmt: skip
            return
        super()._accept_connection(  # type: ignore[misc]
            protocol_factory, sock, sslcontext, server, 1, *rest
        )

    def _accept_after_backoff(
        self,
        protocol_factory: Callable[[], Any],
        sock: socket.socket,
        sslcontext: Any,
        server: Any,
        backlog: int,
        rest: tuple[Any, ...],
    ) -> None:
        # The server may have closed meanwhile (shutdown): then there is nothing to resume.
        if sock.fileno() == -1 or (server is not None and not server.is_serving()):
            return
        super()._accept_connection(  # type: ignore[misc]
            protocol_factory, sock, sslcontext, server, 1, *rest
        )
        if sock.fileno() != -1:
            self._add_reader(
                sock.fileno(), self._accept_connection,
                protocol_factory, sock, sslcontext, server, backlog, *rest,
            )  # fmt: skip
