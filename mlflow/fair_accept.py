"""gunicorn's threaded worker, spreading connections that arrive together over the workers.

gunicorn's workers share one listening socket and all wake when it becomes readable; each
accepts one connection per wake-up, and whichever runs first takes the next too. A client that
opens its keep-alive connections together — the training CLI logs a search's candidate runs
over 8 — often handed most of them to one worker, which then did most of the client's work
while the other idled: of 20 bursts of 8, 4 split 1 + 7 and 3 more 2 + 6.

This worker waits a little before it accepts while it already holds open connections (1 ms
per connection, at most 8 ms), so an idler worker, woken by the same readiness, takes the
connection first; with no idler worker the busy one accepts after its wait. nginx's
`accept_disabled` idea (uvicorn ran the same back-off in this file's earlier asyncio loop).
Only which worker accepts changes: every connection is still accepted. While it waits, the
worker's poller goes on serving its connections; only the listening socket is off it.

gunicorn.conf.py names it (`worker_class`); entrypoint.py puts this directory on PYTHONPATH.
It overrides ThreadWorker's `accept`, `set_accept_enabled` and `wait_for_and_dispatch_events`
(gunicorn 26); stack/test/mlflow-workers.integ.test.ts checks the server entrypoint.py starts.
"""

from __future__ import annotations

import selectors
import time

from gunicorn.workers.gthread import ThreadWorker

# Wait per connection this worker already holds before it accepts another, and the cap.
BACKOFF_STEP_SECONDS = 0.001
BACKOFF_MAX_STEPS = 8


class FairThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # When the listening sockets, off the poller while backing off, are accepted from again.
        self.resume_at: float | None = None

    def accept(self, listener) -> None:
        held = self.nr_conns
        if held > 0 and self.resume_at is None:
            for sock in self.sockets:
                self.poller.unregister(sock)
            self.resume_at = time.monotonic() + min(held, BACKOFF_MAX_STEPS) * BACKOFF_STEP_SECONDS
            return
        super().accept(listener)

    def set_accept_enabled(self, enabled: bool) -> None:
        if self.resume_at is not None:
            # Listeners are off the poller: the resume puts them back only if still enabled.
            self._accepting = enabled
            return
        super().set_accept_enabled(enabled)

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        if self.resume_at is not None:
            timeout = max(0.0, min(timeout, self.resume_at - time.monotonic()))
        super().wait_for_and_dispatch_events(timeout)
        if self.resume_at is not None and time.monotonic() >= self.resume_at:
            self.resume()

    def resume(self) -> None:
        """After the back-off: accept what is still pending, listen again."""
        self.resume_at = None
        if not (self._accepting and self.alive):
            self._accepting = False
            return
        for sock in self.sockets:
            super().accept(sock)  # non-blocking; nothing pending (another worker took it) is fine
            self.poller.register(sock, selectors.EVENT_READ, self.accept)
