"""A loopback SMTP relay for the delivery benchmark: aiosmtpd in a thread of the benchmark's process (as
tests/smtp_server.py runs it for the tests), offering PIPELINING as production relays do, accepting every
message and noting when each arrived. The messages themselves are dropped: the figure is how fast
`appealwatch` hands them over.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import closing
from types import TracebackType
from typing import Any, Self

HOST = "127.0.0.1"


class _Handler:
    def __init__(self, owner: Relay) -> None:
        self.owner = owner

    async def handle_EHLO(  # aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        # PIPELINING (RFC 2920), as Postfix, Exim and Exchange advertise it: aiosmtpd reads pipelined commands
        # in order but does not say so itself. `appealwatch` then sends MAIL, RCPT and DATA in one write.
        session.host_name = hostname
        responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        return self.owner._arrived()


class Relay:
    """``with Relay() as relay:`` listens on 127.0.0.1:``relay.port`` until the block ends."""

    def __init__(self) -> None:
        self.port = 0
        self._lock = threading.Lock()
        self._times: list[float] = []
        self._connections = 0
        self._controller: Any = None

    @property
    def connections(self) -> int:
        """SMTP sessions clients opened (the controller's own readiness probe not counted)."""
        with self._lock:
            return self._connections

    def arrivals(self) -> list[float]:
        """perf_counter() at each accepted message, in order."""
        with self._lock:
            return list(self._times)

    def _arrived(self) -> str:
        now = time.perf_counter()
        with self._lock:
            self._times.append(now)
            return f"250 2.0.0 OK queued as {len(self._times)}"

    def __enter__(self) -> Self:
        from aiosmtpd.controller import Controller  # a dev dependency, as for the tests

        owner = self

        class Counting(Controller):  # aiosmtpd builds one SMTP object per connection in factory()
            def factory(self) -> Any:
                with owner._lock:
                    owner._connections += 1
                return super().factory()

        for attempt in range(5):  # another process may take the free port in between
            with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
                sock.bind((HOST, 0))
                port = int(sock.getsockname()[1])
            controller = Counting(
                _Handler(self), hostname=HOST, port=port, server_hostname="relay.bench", ready_timeout=10
            )
            try:
                controller.start()
            except OSError:
                controller.stop(no_assert=True)
                if attempt == 4:
                    raise
                continue
            with self._lock:
                self._connections = 0  # forget the readiness probe
            self._controller, self.port = controller, port
            return self
        raise AssertionError("unreachable")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()
